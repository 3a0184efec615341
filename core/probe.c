/* The functional probes: the list that orders them and says what
 * advertises each, and the framework they share (probe_framework.h). A
 * probe that runs uses the feature the way a guest kernel would, judges what
 * it measured, and puts back every MSR it wrote before the next one
 * starts. */
#include "probe_framework.h"

#include "ascii.h"
#include "clocks.h"

/* The first timed interval: 100 ms of the PM timer. */
#define INTERVAL_TICKS (PM_TIMER_HZ / 10u)
/* The longest one: 1 s, well inside one wrap of a 24-bit timer (4.7 s). */
#define LONGEST_INTERVAL_TICKS PM_TIMER_HZ
/* A running 3.58 MHz timer changes between two port reads; this many equal
 * reads in a row mean it stopped. */
#define PM_STUCK_READS 1000u
#define PM_MAX_READS 100000000u
/* Reads of a clock between two PM timer reads, the tightest kept. */
#define BRACKET_TRIES 5u
/* A clock works when it is within this of the PM timer, for sure: the
 * deviation measured plus what the brackets leave uncertain. NTP slews a
 * healthy host's clock by at most 500 ppm, which kvmclock (the host's raw
 * clock) and the PM timer (QEMU's, NTP-slewed) may differ by; crystals add
 * about 100 ppm. A clock that is really wrong (a bad multiplier, a frozen
 * counter) is off by far more (README, "Probes"). */
#define RATE_TOLERANCE_PPM 1000
/* An interval is lengthened until its brackets leave at most this
 * uncertain (it falls as 1/T), so that a healthy clock can be told from
 * the tolerance: under the real-KVM bed 100 ms leave 500-1300 ppm. */
#define UNCERTAINTY_TARGET_PPM 200u
#define PPM_SATURATION 1000000000

/* --- results ----------------------------------------------------------- */

static void set_detail(struct probe_result *result, size_t from, const char *format,
		       va_list args)
{
	struct buffer_sink detail;

	string_sink_init(&detail, result->detail + from, sizeof(result->detail) - from);
	sink_vprintf(&detail.sink, format, args);
	string_sink_finish(&detail);
}

void set_state(struct probe_result *result, enum probe_state state, const char *format, ...)
{
	va_list args;

	result->state = state;
	va_start(args, format);
	set_detail(result, 0, format, args);
	va_end(args);
}

void remark(struct probe_result *result, const char *format, ...)
{
	size_t used = text_length(result->detail);
	va_list args;

	if (result->state != PROBE_WORKS || used + 3 >= sizeof(result->detail))
		return;
	if (used) {
		result->detail[used++] = ';';
		result->detail[used++] = ' ';
	}
	va_start(args, format);
	set_detail(result, used, format, args);
	va_end(args);
}

void add_value(struct probe_result *result, const char *name, uint64_t value,
	       enum probe_value_kind kind)
{
	if (result->value_count < PROBE_VALUES_MAX)
		result->values[result->value_count++] = (struct probe_value){ name, value, kind };
}

const char *fault_name(uint8_t vector)
{
	return vector == VECTOR_GP ? "#GP" : vector == VECTOR_UD ? "#UD" : "an exception";
}

/* --- the machine, guarded ---------------------------------------------- */

bool msr_read(struct run *run, struct probe_result *result, uint32_t msr, uint64_t *value)
{
	uint8_t vector = 0;

	if (run->m->read_msr(run->m->context, msr, value, &vector))
		return true;
	set_state(result, PROBE_BROKEN, "%s on MSR 0x%x (read)", fault_name(vector), msr);
	return false;
}

bool msr_write(struct run *run, struct probe_result *result, uint32_t msr, uint64_t value)
{
	uint8_t vector = 0;

	if (run->m->write_msr(run->m->context, msr, value, &vector))
		return true;
	set_state(result, PROBE_BROKEN, "%s on MSR 0x%x (write 0x%lx)", fault_name(vector), msr,
		  (unsigned long)value);
	return false;
}

bool msr_note(struct run *run, struct probe_result *result, size_t mark, uint32_t msr)
{
	struct probe_report *out = run->out;
	uint64_t found;

	for (size_t i = mark; i < out->restore_count; i++)
		if (out->restores[i].msr == msr)
			return true;
	if (out->restore_count == RESTORE_MAX) {
		set_state(result, PROBE_SKIPPED, "no room to note MSR 0x%x", msr);
		return false;
	}
	if (!msr_read(run, result, msr, &found))
		return false;
	out->restores[out->restore_count++] = (struct msr_restore){ msr, found, found, false };
	return true;
}

bool msr_write_noted(struct run *run, struct probe_result *result, size_t mark, uint32_t msr,
		     uint64_t value)
{
	return msr_note(run, result, mark, msr) && msr_write(run, result, msr, value);
}

void restore_from(struct run *run, size_t mark)
{
	struct probe_report *out = run->out;

	for (size_t i = out->restore_count; i-- > mark;) {
		struct msr_restore *r = &out->restores[i];
		uint8_t vector;
		r->restored = run->m->write_msr(run->m->context, r->msr, r->found, &vector) &&
			      run->m->read_msr(run->m->context, r->msr, &r->now, &vector) &&
			      r->now == r->found;
		out->pages_in_use = out->pages_in_use || !r->restored;
	}
}

/* --- time -------------------------------------------------------------- */

/* Reads must come closer together than one wrap of the timer. */
uint64_t pm_now(struct run *run)
{
	uint32_t now = run->m->read_pm_timer(run->m->context) & run->m->pm_timer_mask;

	if (run->pm_started)
		run->pm_elapsed += (now - run->pm_last) & run->m->pm_timer_mask;
	run->pm_started = true;
	run->pm_last = now;
	return run->pm_elapsed;
}

void give_host_a_turn(struct run *run)
{
	if (run->m->read_pm_timer)
		pm_now(run);
	else
		run->m->read_tsc(run->m->context);
}

uint32_t wait_for_host(struct run *run, volatile const uint8_t *word, uint32_t before)
{
	for (uint32_t tries = 0; tries < HOST_UPDATE_TRIES && load32(word) == before; tries++)
		give_host_a_turn(run);
	return load32(word);
}

/* Waits until ticks have passed since start; false when the timer stopped. */
static bool pm_wait(struct run *run, uint64_t start, uint64_t ticks)
{
	uint64_t last = start;
	uint32_t same = 0;

	for (uint32_t reads = 0; reads < PM_MAX_READS; reads++) {
		uint64_t now = pm_now(run);
		if (now - start >= ticks)
			return true;
		same = now == last ? same + 1 : 0;
		if (same >= PM_STUCK_READS)
			return false;
		last = now;
	}
	return false;
}

/* The clock read between two PM timer reads, the tightest of a few tries:
 * a trap to the hypervisor can stall for a millisecond on a busy host, and
 * the bracket's width bounds the error of placing the reading at its
 * middle. */
static bool bracketed_sample(struct run *run, struct probe_result *result, sampler sample,
			     uint64_t *value, uint64_t *pm_middle, uint64_t *pm_width)
{
	*pm_width = UINT64_MAX;
	for (uint32_t try = 0; try < BRACKET_TRIES; try++) {
		uint64_t before = pm_now(run), reading;
		if (!sample(run, result, &reading))
			return false;
		uint64_t after = pm_now(run);
		if (after - before < *pm_width) {
			*pm_width = after - before;
			*pm_middle = before + *pm_width / 2;
			*value = reading;
		}
	}
	return true;
}

/* What the brackets leave uncertain, in ppm of the interval, saturated as
 * deviation_ppm is: a hostile timer can make it anything. */
static int64_t uncertainty_ppm(const struct interval *interval)
{
	uint64_t ppm = scale_u64(interval->pm_uncertainty, 1000000u,
				 interval->pm_ticks ? interval->pm_ticks : 1);

	return ppm > PPM_SATURATION ? PPM_SATURATION : (int64_t)ppm;
}

/* The clock at both ends of an interval of at least 100 ms. With lengthen,
 * the end is read again later (up to 1 s) while the brackets leave more
 * than UNCERTAINTY_TARGET_PPM uncertain. */
static bool measure(struct run *run, struct probe_result *result, sampler sample,
		    struct interval *interval, bool lengthen)
{
	uint64_t start_pm, end_pm, start_width, end_width, ticks = INTERVAL_TICKS;

	if (!run->m->read_pm_timer) {
		set_state(result, PROBE_SKIPPED, "no ACPI PM timer to time it against");
		return false;
	}
	if (!bracketed_sample(run, result, sample, &interval->start, &start_pm, &start_width))
		return false;
	for (;;) {
		if (!pm_wait(run, start_pm, ticks)) {
			set_state(result, PROBE_SKIPPED, "the ACPI PM timer stopped");
			return false;
		}
		if (!bracketed_sample(run, result, sample, &interval->end, &end_pm, &end_width))
			return false;
		interval->pm_ticks = end_pm - start_pm;
		interval->pm_uncertainty = (start_width + end_width) / 2;
		uint64_t ppm = (uint64_t)uncertainty_ppm(interval);
		if (!lengthen || ppm <= UNCERTAINTY_TARGET_PPM || ticks >= LONGEST_INTERVAL_TICKS)
			return true;
		/* At least twice as long each time, so that a few rounds reach
		 * the longest interval. */
		uint64_t needed = scale_u64(interval->pm_ticks, ppm, UNCERTAINTY_TARGET_PPM);
		ticks = needed > 2 * ticks ? needed : 2 * ticks;
		if (ticks > LONGEST_INTERVAL_TICKS)
			ticks = LONGEST_INTERVAL_TICKS;
	}
}

bool measure_interval(struct run *run, struct probe_result *result, sampler sample,
		      struct interval *interval)
{
	return measure(run, result, sample, interval, false);
}

/* Works only when within the tolerance whatever the brackets hid; broken
 * only when outside it whatever they hid; between the two, nothing is
 * claimed. */
void judge_clock_rate(struct run *run, struct probe_result *result, sampler sample,
		      const char *clock, uint64_t hz, const char *counted_name)
{
	struct interval interval;

	if (!measure(run, result, sample, &interval, true))
		return;
	uint64_t counted = interval.end - interval.start;
	uint64_t expected = scale_u64(interval.pm_ticks, hz, PM_TIMER_HZ);
	add_value(result, counted_name, counted, VALUE_DECIMAL);
	add_value(result, "pm_timer_ticks", interval.pm_ticks, VALUE_DECIMAL);
	if (interval.end <= interval.start || !expected) {
		set_state(result, PROBE_BROKEN, "%s did not advance in %lu PM timer ticks", clock,
			  (unsigned long)interval.pm_ticks);
		return;
	}
	int64_t ppm = deviation_ppm(counted, expected), uncertainty = uncertainty_ppm(&interval);
	int64_t off = ppm < 0 ? -ppm : ppm;
	add_value(result, "deviation_ppm", (uint64_t)ppm, VALUE_SIGNED);
	add_value(result, "uncertainty_ppm", (uint64_t)uncertainty, VALUE_DECIMAL);
	if (off - uncertainty > RATE_TOLERANCE_PPM)
		set_state(result, PROBE_BROKEN, "%s ran %+ld ppm (+-%ld) off the ACPI PM timer, "
			  "past the %d ppm limit", clock, ppm, uncertainty, RATE_TOLERANCE_PPM);
	else if (off + uncertainty > RATE_TOLERANCE_PPM)
		set_state(result, PROBE_SKIPPED, "too noisy to judge: %+ld ppm (+-%ld) against a "
			  "limit of %d ppm", ppm, uncertainty, RATE_TOLERANCE_PPM);
}

/* --- what CPUID advertises --------------------------------------------- */

bool item_value(const struct run *run, const struct hv_interface *iface, const char *id,
		uint32_t *value)
{
	struct hv_item item;

	return iface && hv_find_item(iface->vendor, id, false, &item) &&
	       hv_item_value(run->report, iface, &item, value) == DECODED;
}

bool advertised(const struct run *run, const struct hv_interface *iface, const char *id)
{
	uint32_t value;

	return item_value(run, iface, id, &value) && value;
}

/* --- the list ---------------------------------------------------------- */

enum probe_interface { ON_KVM, ON_HYPERV };

/* A probe runs when its interface's block is there and, if named, the item
 * that advertises it is set (a bit) or not 0 (a field). */
struct probe_def {
	const char *key;
	const char *title;
	enum probe_interface on;
	const char *advertised_by; /* upstream identifier; NULL: the block */
	void (*run)(struct run *run, struct probe_result *result, const char *advertised_by);
};

/* Hyper-V's clocks first, so that they are measured as the guest OS will
 * find them, before any kvmclock write moves KVM's master clock; then
 * kvmclock through MSR_KVM_SYSTEM_TIME_NEW, then through the legacy MSR,
 * whose probe ends by putting back which of the two was written last. */
static const struct probe_def probes[] = {
	{ "hyperv.vp_index", "HV_X64_MSR_VP_INDEX readable", ON_HYPERV, "AccessVpIndex",
	  probe_vp_index },
	{ "hyperv.time_ref_count", "reference counter at 10 MHz by PM timer", ON_HYPERV,
	  "AccessPartitionReferenceCounter", probe_time_ref_count },
	{ "hyperv.reference_tsc", "reference TSC page at 10 MHz by PM timer", ON_HYPERV,
	  "AccessPartitionReferenceTsc", probe_reference_tsc },
	{ "kvm.clocksource2", "kvmclock through MSR_KVM_SYSTEM_TIME_NEW", ON_KVM,
	  "KVM_FEATURE_CLOCKSOURCE2", probe_clocksource2 },
	{ "kvm.clocksource", "kvmclock through MSR_KVM_SYSTEM_TIME", ON_KVM,
	  "KVM_FEATURE_CLOCKSOURCE", probe_clocksource },
	{ "kvm.steal_time", "steal-time area through MSR_KVM_STEAL_TIME", ON_KVM,
	  "KVM_FEATURE_STEAL_TIME", probe_steal_time },
	{ "kvm.async_pf", "async PF area registered and read back", ON_KVM,
	  "KVM_FEATURE_ASYNC_PF", probe_async_pf },
	{ "kvm.pv_eoi", "PV EOI used to end a self-interrupt", ON_KVM,
	  "KVM_FEATURE_PV_EOI", probe_pv_eoi },
	{ "kvm.poll_control", "host polling turned off and read back", ON_KVM,
	  "KVM_FEATURE_POLL_CONTROL", probe_round_trip },
	{ "kvm.async_pf_int", "async PF vector and ACK read back", ON_KVM,
	  "KVM_FEATURE_ASYNC_PF_INT", probe_round_trip },
	{ "kvm.hypercall", "an unknown hypercall returns -KVM_ENOSYS", ON_KVM, NULL,
	  probe_hypercall },
	{ "kvm.pv_sched_yield", "KVM_HC_SCHED_YIELD to ourselves returns 0", ON_KVM,
	  "KVM_FEATURE_PV_SCHED_YIELD", probe_sched_yield },
	{ "kvm.tsc_khz", "timing leaf TSC kHz against the PM timer", ON_KVM, "tsc_khz",
	  probe_timing },
};
#define PROBE_COUNT (sizeof(probes) / sizeof(probes[0]))
_Static_assert(PROBE_COUNT + 1 <= PROBE_MAX, "room for the probes and a forced one");

const char *probe_key(size_t index)
{
	return index < PROBE_COUNT ? probes[index].key : NULL;
}

const char *probe_title(size_t index)
{
	return index < PROBE_COUNT ? probes[index].title : NULL;
}

const char *probe_state_name(enum probe_state state)
{
	switch (state) {
	case PROBE_WORKS:
		return "works";
	case PROBE_BROKEN:
		return "broken";
	case PROBE_NOT_ADVERTISED:
		return "not advertised";
	case PROBE_SKIPPED:
		return "skipped";
	case PROBE_NOT_RUN:
		break;
	}
	return "not run";
}

/* The first Hyper-V-compatible block: the one a guest's Hyper-V code uses. */
static const struct hv_interface *hyperv_interface(const struct hv_report *report)
{
	const struct hv_interface *iface = hv_interface_by_key(report, "hyperv");

	return iface ? iface : hv_interface_by_key(report, "kvm_hv");
}

/* The paravirtual MSRs: KVM's (Linux kvm_para.h: 0x11, 0x12 and the
 * 0x4b564d00 block) and Hyper-V's synthetic ones (TLFS: 0x40000000 on).
 * Their writes register memory the host then writes into, or, for
 * MSR_KVM_SYSTEM_TIME, turn KVM's master clock off, which no write back
 * undoes; the probes write them as guests do. */
static bool paravirtual_msr(uint32_t msr)
{
	return msr == 0x11u || msr == 0x12u || (msr >> 8) == (0x4b564d00u >> 8) ||
	       (msr >> 12) == (0x40000000u >> 12);
}

/* --probe-msr: reads an MSR and, when asked, writes a value and puts the
 * found one back, interrupts off in between, so that no firmware code runs
 * with it changed. An MSR whose value moves by itself (the TSC, a running
 * counter) is not written: writing back what was found would move it
 * backwards; nor is a paravirtual one. */
static void forced_msr(struct run *run, struct probe_result *result,
		       const struct forced_msr *forced)
{
	size_t mark = run->out->restore_count;
	uint64_t value, again;

	*result = (struct probe_result){
		.key = "forced_msr", .state = PROBE_WORKS,
		.title = forced->write ? "forced MSR write (--probe-msr)"
				       : "forced MSR read (--probe-msr)" };
	if (!msr_read(run, result, forced->msr, &value))
		return;
	add_value(result, "msr", forced->msr, VALUE_HEX);
	add_value(result, "value", value, VALUE_HEX);
	if (!forced->write)
		return;
	if (paravirtual_msr(forced->msr)) {
		set_state(result, PROBE_SKIPPED, "not written: a paravirtual MSR, whose write "
			  "makes the host act, which writing it back need not undo");
		return;
	}
	give_host_a_turn(run);
	if (!msr_read(run, result, forced->msr, &again))
		return;
	if (again != value) {
		set_state(result, PROBE_SKIPPED, "not written: it moved from 0x%lx to 0x%lx by "
			  "itself, and writing it back would not restore it",
			  (unsigned long)value, (unsigned long)again);
		return;
	}
	run->m->interrupts_off(run->m->context);
	msr_write_noted(run, result, mark, forced->msr, forced->write_value);
	restore_from(run, mark);
	run->m->interrupts_restore(run->m->context);
}

void probe_run(struct hv_report *report, const struct probe_machine *machine,
	       const struct forced_msr *forced)
{
	struct probe_report *out = &report->probes;
	struct run run = { report, machine, out, hv_guest_kvm_interface(report),
			   hyperv_interface(report), 0, 0, false };

	*out = (struct probe_report){ .requested = true };
	if (machine->read_pm_timer)
		pm_now(&run);
	for (size_t i = 0; i < PROBE_COUNT; i++) {
		const struct probe_def *probe = &probes[i];
		const struct hv_interface *iface = probe->on == ON_KVM ? run.kvm : run.hyperv;
		struct probe_result *result = &out->results[out->count++];
		*result = (struct probe_result){ .key = probe->key, .title = probe->title,
						 .state = PROBE_WORKS };
		if (!iface || (probe->advertised_by && !advertised(&run, iface, probe->advertised_by)))
			result->state = PROBE_NOT_ADVERTISED;
		else
			probe->run(&run, result, probe->advertised_by);
	}
	if (forced && forced->requested)
		forced_msr(&run, &out->results[out->count++], forced);
	if (machine->read_pm_timer)
		out->pm_ticks = (uint32_t)pm_now(&run);
}

void probe_not_run(struct hv_report *report, const char *reason)
{
	report->probes = (struct probe_report){ .requested = true, .not_run_reason = reason };
}
