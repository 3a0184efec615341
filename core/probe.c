/* The functional probes. The table says what advertises each one; a probe
 * that runs uses the feature the way a guest kernel would, judges what it
 * measured, and puts back every MSR it wrote before the next one starts. */
#include "probe.h"

#include "ascii.h"
#include "clocks.h"
#include "hv_report.h"

/* Linux arch/x86/include/uapi/asm/kvm_para.h */
#define MSR_KVM_WALL_CLOCK 0x11u
#define MSR_KVM_SYSTEM_TIME 0x12u
#define MSR_KVM_WALL_CLOCK_NEW 0x4b564d00u
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01u
#define MSR_KVM_STEAL_TIME 0x4b564d03u
#define KVM_MSR_ENABLED 1u
#define KVM_HC_SCHED_YIELD 11u
#define KVM_ENOSYS 1000
/* Hyper-V TLFS 6.0, appendix: synthetic MSRs */
#define HV_X64_MSR_VP_INDEX 0x40000002u
#define HV_X64_MSR_TIME_REF_COUNT 0x40000020u
#define HV_X64_MSR_REFERENCE_TSC 0x40000021u
#define HV_REFERENCE_TSC_ENABLE 1u
#define HV_REFERENCE_HZ 10000000u /* the reference counter counts 100 ns */

/* No KVM hypercall has this number (they are small integers); KVM answers
 * every unknown one with -KVM_ENOSYS and does nothing. ASCII "hvfe". */
#define UNUSED_HYPERCALL 0x68766665u

#define VECTOR_UD 6
#define VECTOR_GP 13

/* Where the probes' structures sit in the first page; the Hyper-V
 * reference TSC page needs the whole second page. */
#define PVCLOCK_OFFSET 0u      /* 32 bytes, must not cross a page */
#define WALL_CLOCK_OFFSET 64u  /* 12 bytes */
#define STEAL_TIME_OFFSET 128u /* 64 bytes, 64-byte aligned */

/* Each timed comparison spans 100 ms of the PM timer: long enough that the
 * cost of one trap to the hypervisor around each end (tens of
 * microseconds nested) stays far below the tolerance. */
#define INTERVAL_TICKS (PM_TIMER_HZ / 10u)
/* A running 3.58 MHz timer changes between two port reads; this many equal
 * reads in a row mean it stopped. */
#define PM_STUCK_READS 1000u
#define PM_MAX_READS 10000000u
/* kvmclock reads back to back that must never decrease. */
#define MONOTONIC_READS 1000u
/* Reads of a clock between two PM timer reads, the tightest kept. */
#define BRACKET_TRIES 5u
/* How many exits the host gets to fill in a registered structure. */
#define HOST_UPDATE_TRIES 100u
/* Rate agreement with the PM timer, beyond what the brackets leave
 * uncertain (about 650 ppm of 100 ms nested). On the real-KVM bed every
 * clock agreed within 10 ppm (README, "Probes"); real crystals are good to
 * about 100 ppm each. A clock that is really wrong (a bad multiplier, a
 * frozen counter) is off by far more than 0.1%. */
#define RATE_TOLERANCE_PPM 1000
/* Wall clock against the RTC, which counts whole seconds. */
#define WALL_CLOCK_TOLERANCE_S 2

struct run {
	struct hv_report *report;
	const struct probe_machine *m;
	struct probe_report *out;
	const struct hv_interface *kvm, *hyperv;
	uint64_t pm_elapsed; /* PM ticks since the first read, unwrapped */
	uint32_t pm_last;
	bool pm_started;
};

struct interval {
	uint64_t start, end;
	uint64_t pm_ticks;
	uint64_t pm_uncertainty; /* half the two brackets' widths */
};

typedef bool (*sampler)(struct run *run, struct probe_result *result, uint64_t *value);

/* --- results ----------------------------------------------------------- */

static void set_state(struct probe_result *result, enum probe_state state,
		      const char *format, ...) __attribute__((format(printf, 3, 4)));

static void set_state(struct probe_result *result, enum probe_state state,
		      const char *format, ...)
{
	struct buffer_sink detail;
	va_list args;

	result->state = state;
	string_sink_init(&detail, result->detail, sizeof(result->detail));
	va_start(args, format);
	sink_vprintf(&detail.sink, format, args);
	va_end(args);
	string_sink_finish(&detail);
}

static void add_value(struct probe_result *result, const char *name, uint64_t value,
		      enum probe_value_kind kind)
{
	if (result->value_count < PROBE_VALUES_MAX)
		result->values[result->value_count++] =
			(struct probe_value){ name, value, kind };
}

static const char *fault_name(uint8_t vector)
{
	return vector == VECTOR_GP ? "#GP" : vector == VECTOR_UD ? "#UD" : "an exception";
}

/* --- the machine, guarded ---------------------------------------------- */

static bool msr_read(struct run *run, struct probe_result *result, uint32_t msr,
		     uint64_t *value)
{
	uint8_t vector = 0;

	if (run->m->read_msr(run->m->context, msr, value, &vector))
		return true;
	set_state(result, PROBE_BROKEN, "%s on MSR 0x%x (read)", fault_name(vector), msr);
	return false;
}

static bool msr_write(struct run *run, struct probe_result *result, uint32_t msr,
		      uint64_t value)
{
	uint8_t vector = 0;

	if (run->m->write_msr(run->m->context, msr, value, &vector))
		return true;
	set_state(result, PROBE_BROKEN, "%s on MSR 0x%x (write 0x%lx)",
		  fault_name(vector), msr, (unsigned long)value);
	return false;
}

/* Writes an MSR after noting what it held, so that restore_from() can put
 * it back. An MSR is noted once, at its first write in a probe. */
static bool msr_write_noted(struct run *run, struct probe_result *result,
			    size_t mark, uint32_t msr, uint64_t value)
{
	struct probe_report *out = run->out;
	bool noted = false;

	for (size_t i = mark; i < out->restore_count; i++)
		noted = noted || out->restores[i].msr == msr;
	if (!noted) {
		uint64_t found;
		if (out->restore_count == RESTORE_MAX) {
			set_state(result, PROBE_SKIPPED, "no room to note MSR 0x%x", msr);
			return false;
		}
		if (!msr_read(run, result, msr, &found))
			return false;
		out->restores[out->restore_count++] = (struct msr_restore){ msr, found, found, false };
	}
	return msr_write(run, result, msr, value);
}

/* Puts back, newest first, every MSR noted since mark. A registration that
 * cannot be undone keeps the pages from ever being released. */
static void restore_from(struct run *run, size_t mark)
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

/* The PM timer as a 64-bit count since the first read; reads must come
 * closer together than one wrap (4.7 s for a 24-bit timer). */
static uint64_t pm_now(struct run *run)
{
	uint32_t now = run->m->read_pm_timer(run->m->context) & run->m->pm_timer_mask;

	if (run->pm_started)
		run->pm_elapsed += (now - run->pm_last) & run->m->pm_timer_mask;
	run->pm_started = true;
	run->pm_last = now;
	return run->pm_elapsed;
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

static bool measure(struct run *run, struct probe_result *result, sampler sample,
		    struct interval *interval)
{
	uint64_t start_pm, end_pm, start_width, end_width;

	if (!run->m->read_pm_timer) {
		set_state(result, PROBE_SKIPPED, "no ACPI PM timer to time it against");
		return false;
	}
	if (!bracketed_sample(run, result, sample, &interval->start, &start_pm, &start_width))
		return false;
	if (!pm_wait(run, start_pm, INTERVAL_TICKS)) {
		set_state(result, PROBE_SKIPPED, "the ACPI PM timer stopped");
		return false;
	}
	if (!bracketed_sample(run, result, sample, &interval->end, &end_pm, &end_width))
		return false;
	interval->pm_ticks = end_pm - start_pm;
	interval->pm_uncertainty = (start_width + end_width) / 2;
	return true;
}

/* Judges a clock of hz over the interval against the PM timer: off by more
 * than the tolerance plus what the brackets leave uncertain is broken. */
static void judge_rate(struct probe_result *result, const char *clock,
		       const struct interval *interval, uint64_t hz, const char *counted_name)
{
	uint64_t counted = interval->end - interval->start;
	uint64_t expected = scale_u64(interval->pm_ticks, hz, PM_TIMER_HZ);
	uint64_t brackets = scale_u64(interval->pm_uncertainty, 1000000u,
				      interval->pm_ticks ? interval->pm_ticks : 1);
	/* Saturated as deviation_ppm is: a hostile timer can make it anything. */
	int64_t uncertainty = brackets > 1000000000u ? 1000000000 : (int64_t)brackets;

	add_value(result, counted_name, counted, VALUE_DECIMAL);
	add_value(result, "pm_timer_ticks", interval->pm_ticks, VALUE_DECIMAL);
	if (interval->end <= interval->start || !expected) {
		set_state(result, PROBE_BROKEN, "%s did not advance in %lu PM timer ticks", clock,
			  (unsigned long)interval->pm_ticks);
		return;
	}
	int64_t ppm = deviation_ppm(counted, expected), limit = RATE_TOLERANCE_PPM + uncertainty;
	add_value(result, "deviation_ppm", (uint64_t)ppm, VALUE_SIGNED);
	add_value(result, "uncertainty_ppm", (uint64_t)uncertainty, VALUE_DECIMAL);
	if (ppm > limit || ppm < -limit)
		set_state(result, PROBE_BROKEN, "%s ran %+ld ppm off the ACPI PM timer "
			  "(limit %ld)", clock, ppm, limit);
}

/* --- what CPUID advertises ------------------------------------------- */

/* An item of the interface's table, by upstream identifier, when decoded. */
static bool item_value(const struct run *run, const struct hv_interface *iface,
		       const char *id, uint32_t *value)
{
	struct hv_item item;

	return iface && hv_find_item(iface->vendor, id, false, &item) &&
	       hv_item_value(run->report, iface, &item, value) == DECODED;
}

/* A bit that is set, or a field that is not 0. */
static bool advertised(const struct run *run, const struct hv_interface *iface,
		       const char *id)
{
	uint32_t value;

	return item_value(run, iface, id, &value) && value;
}

/* --- memory the host writes ------------------------------------------ */

static uint32_t load32(volatile const uint8_t *p)
{
	return *(volatile const uint32_t *)p;
}

static uint64_t load64(volatile const uint8_t *p)
{
	return *(volatile const uint64_t *)p;
}

static void clear(volatile uint8_t *p, size_t length)
{
	while (length--)
		*p++ = 0;
}

static void compiler_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/* One consistent copy of the pvclock structure and the TSC read with it,
 * by the version protocol (odd: being written). */
static bool pvclock_snapshot(struct run *run, struct pvclock_time *t, uint64_t *tsc)
{
	volatile const uint8_t *p = run->m->pages[0] + PVCLOCK_OFFSET;

	for (uint32_t tries = 0; tries < HOST_UPDATE_TRIES; tries++) {
		uint32_t version = load32(p);
		compiler_barrier();
		t->tsc_timestamp = load64(p + 8);
		t->system_time = load64(p + 16);
		t->tsc_to_system_mul = load32(p + 24);
		t->tsc_shift = (int8_t)p[28];
		t->flags = p[29];
		*tsc = run->m->read_tsc(run->m->context);
		compiler_barrier();
		if (!(version & 1) && version == load32(p)) {
			t->version = version;
			return true;
		}
	}
	return false;
}

static bool sample_kvmclock(struct run *run, struct probe_result *result, uint64_t *ns)
{
	struct pvclock_time t;
	uint64_t tsc;

	if (!pvclock_snapshot(run, &t, &tsc)) {
		set_state(result, PROBE_BROKEN, "the time page's version stays odd");
		return false;
	}
	*ns = pvclock_ns(&t, tsc);
	return true;
}

/* Lets the host run: each PM timer read is a trap to it. */
static void give_host_a_turn(struct run *run)
{
	if (run->m->read_pm_timer)
		pm_now(run);
	else
		run->m->read_tsc(run->m->context);
}

static uint32_t wait_for_version(struct run *run, volatile const uint8_t *version)
{
	for (uint32_t tries = 0; tries < HOST_UPDATE_TRIES && !load32(version); tries++)
		give_host_a_turn(run);
	return load32(version);
}

/* --- KVM --------------------------------------------------------------- */

static void wall_clock(struct run *run, struct probe_result *result, uint32_t msr)
{
	volatile uint8_t *wall = run->m->pages[0] + WALL_CLOCK_OFFSET;
	uint64_t ns;
	int64_t rtc, zone;

	/* A one-shot request: the host writes the structure once, now; there
	 * is no registration to undo. */
	if (!msr_write(run, result, msr, run->m->page_addresses[0] + WALL_CLOCK_OFFSET))
		return;
	uint32_t version = wait_for_version(run, wall);
	if (!version || (version & 1)) {
		set_state(result, PROBE_BROKEN, "the wall clock structure was not written "
			  "(version %u)", version);
		return;
	}
	if (!sample_kvmclock(run, result, &ns))
		return;
	int64_t now = (int64_t)load32(wall + 4) + (int64_t)((load32(wall + 8) + ns) / 1000000000u);
	add_value(result, "wall_clock_s", (uint64_t)now, VALUE_DECIMAL);
	if (!run->m->rtc_seconds(run->m->context, &rtc)) {
		set_state(result, PROBE_WORKS, "no firmware clock to compare the wall clock with");
		return;
	}
	int64_t off = beyond_time_zone(now, rtc, &zone);
	add_value(result, "rtc_zone_s", (uint64_t)zone, VALUE_SIGNED);
	add_value(result, "wall_minus_rtc_s", (uint64_t)off, VALUE_SIGNED);
	if (off > WALL_CLOCK_TOLERANCE_S || off < -WALL_CLOCK_TOLERANCE_S)
		set_state(result, PROBE_BROKEN, "the wall clock is %+ld s from the firmware clock",
			  off);
}

static void kvmclock(struct run *run, struct probe_result *result,
		     uint32_t system_time_msr, uint32_t wall_clock_msr)
{
	size_t mark = run->out->restore_count;
	volatile uint8_t *page = run->m->pages[0];
	struct pvclock_time t;
	struct interval interval;
	uint64_t tsc;

	clear(page + PVCLOCK_OFFSET, 32);
	clear(page + WALL_CLOCK_OFFSET, 12);
	if (!msr_write_noted(run, result, mark, system_time_msr,
			     run->m->page_addresses[0] + PVCLOCK_OFFSET + KVM_MSR_ENABLED))
		goto out;
	uint32_t version = wait_for_version(run, page + PVCLOCK_OFFSET);
	if (!version) {
		set_state(result, PROBE_BROKEN, "the host never wrote the time page");
		goto out;
	}
	if (!pvclock_snapshot(run, &t, &tsc)) {
		set_state(result, PROBE_BROKEN, "the time page's version stays odd");
		goto out;
	}
	add_value(result, "version", t.version, VALUE_DECIMAL);
	add_value(result, "tsc_to_system_mul", t.tsc_to_system_mul, VALUE_HEX);
	add_value(result, "tsc_shift", (uint64_t)(int64_t)t.tsc_shift, VALUE_SIGNED);
	add_value(result, "flags", t.flags, VALUE_HEX);
	if (!t.tsc_to_system_mul) {
		set_state(result, PROBE_BROKEN, "tsc_to_system_mul is 0");
		goto out;
	}
	bool stable_promised = advertised(run, run->kvm, "KVM_FEATURE_CLOCKSOURCE_STABLE_BIT");
	bool stable_flag = t.flags & PVCLOCK_TSC_STABLE_BIT;
	/* Read back to back, the clock must never go backwards. */
	uint64_t previous = 0, now;
	for (uint32_t i = 0; i < MONOTONIC_READS; i++) {
		if (!sample_kvmclock(run, result, &now))
			goto out;
		if (now < previous) {
			set_state(result, PROBE_BROKEN, "kvmclock went back %lu ns between two reads",
				  (unsigned long)(previous - now));
			goto out;
		}
		previous = now;
	}
	if (!measure(run, result, sample_kvmclock, &interval))
		goto out;
	judge_rate(result, "kvmclock", &interval, 1000000000u, "kvmclock_ns");
	if (result->state != PROBE_WORKS)
		goto out;
	wall_clock(run, result, wall_clock_msr);
	/* Linux trusts the flag only with the feature bit; neither mismatch is
	 * a fault, and both are worth knowing. */
	if (result->state == PROBE_WORKS && stable_promised && !stable_flag)
		/* KVM sets the flag only while it keeps a master clock (its own
		 * clock is the TSC, and never for the legacy MSR). */
		set_state(result, PROBE_WORKS, "stable flag clear: no host master clock now");
	else if (result->state == PROBE_WORKS && !stable_promised && stable_flag)
		set_state(result, PROBE_WORKS, "stable flag set, not advertised: guests ignore it");
out:
	restore_from(run, mark);
}

static void probe_clocksource2(struct run *run, struct probe_result *result,
			       const char *advertised_by)
{
	(void)advertised_by;
	kvmclock(run, result, MSR_KVM_SYSTEM_TIME_NEW, MSR_KVM_WALL_CLOCK_NEW);
}

static void probe_clocksource(struct run *run, struct probe_result *result,
			      const char *advertised_by)
{
	(void)advertised_by;
	kvmclock(run, result, MSR_KVM_SYSTEM_TIME, MSR_KVM_WALL_CLOCK);
}

static bool sample_steal(struct run *run, struct probe_result *result, uint64_t *version)
{
	(void)result;
	*version = load32(run->m->pages[0] + STEAL_TIME_OFFSET + 8);
	return true;
}

static void probe_steal_time(struct run *run, struct probe_result *result,
			     const char *advertised_by)
{
	size_t mark = run->out->restore_count;
	volatile uint8_t *area = run->m->pages[0] + STEAL_TIME_OFFSET;
	struct interval versions;

	(void)advertised_by;
	clear(area, 64);
	if (!msr_write_noted(run, result, mark, MSR_KVM_STEAL_TIME,
			     run->m->page_addresses[0] + STEAL_TIME_OFFSET + KVM_MSR_ENABLED))
		goto out;
	uint32_t version = wait_for_version(run, area + 8);
	uint64_t steal = load64(area);
	add_value(result, "version", version, VALUE_DECIMAL);
	if (!version || (version & 1)) {
		set_state(result, PROBE_BROKEN, "the host did not write the steal-time area "
			  "(version %u)", version);
		goto out;
	}
	if (!measure(run, result, sample_steal, &versions))
		goto out;
	uint64_t steal_after = load64(area);
	add_value(result, "version_after", versions.end, VALUE_DECIMAL);
	add_value(result, "steal_ns", steal_after - steal, VALUE_DECIMAL);
	add_value(result, "pm_timer_ticks", versions.pm_ticks, VALUE_DECIMAL);
	if (steal_after < steal)
		set_state(result, PROBE_BROKEN, "steal time went backwards");
	else if (versions.end == versions.start)
		/* KVM updates the area when the vCPU is scheduled in again. */
		set_state(result, PROBE_WORKS, "not updated again within 100 ms: the vCPU "
			  "was not rescheduled");
out:
	restore_from(run, mark);
}

/* Every MSR the feature's bit advertises (the KVM table's list) can be
 * read and written to 0, its disabled value, and is then put back. */
static void probe_msr_feature(struct run *run, struct probe_result *result,
			      const char *advertised_by)
{
	size_t mark = run->out->restore_count;
	struct hv_item item;

	/* Found: probe_run saw it advertised. */
	hv_find_item(run->kvm->vendor, advertised_by, false, &item);
	const struct bit_def *bit = item.bit;

	for (size_t i = 0; i < bit->msr_count && result->state == PROBE_WORKS; i++) {
		uint64_t now;
		if (msr_write_noted(run, result, mark, bit->msrs[i].index, 0) &&
		    msr_read(run, result, bit->msrs[i].index, &now) && now)
			set_state(result, PROBE_BROKEN, "MSR 0x%x reads 0x%lx after writing 0",
				  bit->msrs[i].index, (unsigned long)now);
	}
	restore_from(run, mark);
	/* What each MSR held when hvfeat found it, by its upstream name. */
	for (size_t i = mark; i < run->out->restore_count; i++)
		add_value(result, bit->msrs[i - mark].name, run->out->restores[i].found,
			  VALUE_HEX);
}

static bool vendor_is_amd(const struct hv_report *report)
{
	return ascii_equal_span(report->cpu_vendor, 12, "AuthenticAMD", false) ||
	       ascii_equal_span(report->cpu_vendor, 12, "HygonGenuine", false);
}

/* One KVM hypercall with the vendor's instruction; false (result set) when
 * it faulted. The vendor's, because KVM answers the other one by
 * rewriting it in guest memory (emulator_fix_hypercall): in our code. */
static bool hypercall(struct run *run, struct probe_result *result, uint64_t nr,
		      uint64_t a0, uint64_t *ret)
{
	const uint64_t a[4] = { a0, 0, 0, 0 };
	bool amd = vendor_is_amd(run->report);
	uint8_t vector = 0;

	if (run->m->hypercall(run->m->context, amd, nr, a, ret, &vector))
		return true;
	set_state(result, PROBE_BROKEN, "%s on %s", fault_name(vector), amd ? "vmmcall" : "vmcall");
	return false;
}

static void probe_hypercall(struct run *run, struct probe_result *result,
			    const char *advertised_by)
{
	uint64_t ret;

	(void)advertised_by;
	if (!hypercall(run, result, UNUSED_HYPERCALL, 0, &ret))
		return;
	add_value(result, "nr", UNUSED_HYPERCALL, VALUE_HEX);
	add_value(result, "returned", ret, VALUE_SIGNED);
	if (ret != (uint64_t)-KVM_ENOSYS)
		set_state(result, PROBE_BROKEN, "an unknown hypercall returned %ld, "
			  "not -KVM_ENOSYS (-1000)", (int64_t)ret);
}

static void probe_sched_yield(struct run *run, struct probe_result *result,
			      const char *advertised_by)
{
	const struct cpuid_regs *leaf1 = hv_report_leaf(run->report, 1, 0);
	uint64_t ret;

	(void)advertised_by;
	/* To our own APIC ID: KVM finds no other vCPU to yield to. */
	uint32_t apic_id = leaf1 ? leaf1->ebx >> 24 : 0;
	if (!hypercall(run, result, KVM_HC_SCHED_YIELD, apic_id, &ret))
		return;
	add_value(result, "apic_id", apic_id, VALUE_DECIMAL);
	add_value(result, "returned", ret, VALUE_SIGNED);
	if (ret)
		set_state(result, PROBE_BROKEN, "KVM_HC_SCHED_YIELD returned %ld, not 0",
			  (int64_t)ret);
}

static bool sample_tsc(struct run *run, struct probe_result *result, uint64_t *tsc)
{
	(void)result;
	*tsc = run->m->read_tsc(run->m->context);
	return true;
}

static void probe_timing(struct run *run, struct probe_result *result, const char *advertised_by)
{
	uint32_t tsc_khz = 0;
	struct interval interval;

	item_value(run, run->kvm, advertised_by, &tsc_khz);
	add_value(result, "tsc_khz", tsc_khz, VALUE_DECIMAL);
	if (measure(run, result, sample_tsc, &interval))
		judge_rate(result, "the TSC", &interval, (uint64_t)tsc_khz * 1000u, "tsc_ticks");
}

/* --- Hyper-V ----------------------------------------------------------- */

static void probe_vp_index(struct run *run, struct probe_result *result,
			   const char *advertised_by)
{
	uint32_t max_vps = 0;
	uint64_t index;

	(void)advertised_by;
	if (!msr_read(run, result, HV_X64_MSR_VP_INDEX, &index))
		return;
	add_value(result, "vp_index", index, VALUE_DECIMAL);
	if (item_value(run, run->hyperv, "max_virtual_processors", &max_vps) && max_vps) {
		add_value(result, "max_virtual_processors", max_vps, VALUE_DECIMAL);
		if (index >= max_vps)
			set_state(result, PROBE_BROKEN, "VP index %lu is not below the %u "
				  "processors 0x40000005 allows", (unsigned long)index, max_vps);
	}
}

static bool sample_reference_counter(struct run *run, struct probe_result *result,
				     uint64_t *count)
{
	return msr_read(run, result, HV_X64_MSR_TIME_REF_COUNT, count);
}

static void probe_time_ref_count(struct run *run, struct probe_result *result,
				 const char *advertised_by)
{
	struct interval interval;

	(void)advertised_by;
	if (measure(run, result, sample_reference_counter, &interval))
		judge_rate(result, "the reference counter", &interval, HV_REFERENCE_HZ,
			   "reference_counts");
}

/* The reference time from the TSC page; false when the page says to use
 * the MSR instead (sequence 0) or kept changing. */
static bool reference_page_time(struct run *run, uint64_t *time)
{
	volatile const uint8_t *page = run->m->pages[1];

	for (uint32_t tries = 0; tries < HOST_UPDATE_TRIES; tries++) {
		uint32_t sequence = load32(page);
		compiler_barrier();
		uint64_t scale = load64(page + 8);
		int64_t offset = (int64_t)load64(page + 16);
		uint64_t tsc = run->m->read_tsc(run->m->context);
		compiler_barrier();
		if (!sequence)
			return false;
		if (sequence == load32(page)) {
			*time = hv_reference_time(tsc, scale, offset);
			return true;
		}
	}
	return false;
}

static bool sample_reference_page(struct run *run, struct probe_result *result,
				  uint64_t *time)
{
	if (reference_page_time(run, time))
		return true;
	set_state(result, PROBE_BROKEN, "the TSC page turned invalid while in use");
	return false;
}

static void probe_reference_tsc(struct run *run, struct probe_result *result,
				const char *advertised_by)
{
	size_t mark = run->out->restore_count;
	struct interval interval;
	uint64_t time;

	(void)advertised_by;
	clear(run->m->pages[1], 24);
	if (!msr_write_noted(run, result, mark, HV_X64_MSR_REFERENCE_TSC,
			     run->m->page_addresses[1] | HV_REFERENCE_TSC_ENABLE))
		goto out;
	uint32_t sequence = wait_for_version(run, run->m->pages[1]);
	add_value(result, "tsc_sequence", sequence, VALUE_HEX);
	if (!sequence || !reference_page_time(run, &time)) {
		/* TLFS 12.7.3: sequence 0 tells the guest to use the MSR; KVM
		 * does so when its own clock is not a stable TSC. */
		set_state(result, PROBE_WORKS, "page kept invalid (sequence 0): guests use the "
			  "reference counter MSR");
		goto out;
	}
	add_value(result, "tsc_scale", load64(run->m->pages[1] + 8), VALUE_HEX);
	if (measure(run, result, sample_reference_page, &interval))
		judge_rate(result, "the TSC page's reference time", &interval, HV_REFERENCE_HZ,
			   "reference_counts");
out:
	restore_from(run, mark);
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

static const struct probe_def probes[] = {
	{ "kvm.clocksource", "kvmclock through MSR_KVM_SYSTEM_TIME", ON_KVM,
	  "KVM_FEATURE_CLOCKSOURCE", probe_clocksource },
	/* After the legacy pair: KVM keeps no master clock (no stable flag,
	 * no valid Hyper-V TSC page) while the boot vCPU's last kvmclock write
	 * went to the legacy MSR, and this probe's writes end that. */
	{ "kvm.clocksource2", "kvmclock through MSR_KVM_SYSTEM_TIME_NEW", ON_KVM,
	  "KVM_FEATURE_CLOCKSOURCE2", probe_clocksource2 },
	{ "kvm.steal_time", "steal-time area through MSR_KVM_STEAL_TIME", ON_KVM,
	  "KVM_FEATURE_STEAL_TIME", probe_steal_time },
	{ "kvm.async_pf", "async PF MSR read and written disabled", ON_KVM,
	  "KVM_FEATURE_ASYNC_PF", probe_msr_feature },
	{ "kvm.pv_eoi", "PV EOI MSR read and written disabled", ON_KVM,
	  "KVM_FEATURE_PV_EOI", probe_msr_feature },
	{ "kvm.poll_control", "poll-control MSR read and written disabled", ON_KVM,
	  "KVM_FEATURE_POLL_CONTROL", probe_msr_feature },
	{ "kvm.async_pf_int", "async PF interrupt MSRs written disabled", ON_KVM,
	  "KVM_FEATURE_ASYNC_PF_INT", probe_msr_feature },
	{ "kvm.hypercall", "an unknown hypercall returns -KVM_ENOSYS", ON_KVM, NULL,
	  probe_hypercall },
	{ "kvm.pv_sched_yield", "KVM_HC_SCHED_YIELD to ourselves returns 0", ON_KVM,
	  "KVM_FEATURE_PV_SCHED_YIELD", probe_sched_yield },
	{ "kvm.tsc_khz", "timing leaf TSC kHz against the PM timer", ON_KVM, "tsc_khz",
	  probe_timing },
	{ "hyperv.vp_index", "HV_X64_MSR_VP_INDEX readable", ON_HYPERV, "AccessVpIndex",
	  probe_vp_index },
	{ "hyperv.time_ref_count", "reference counter at 10 MHz by PM timer", ON_HYPERV,
	  "AccessPartitionReferenceCounter", probe_time_ref_count },
	{ "hyperv.reference_tsc", "reference TSC page at 10 MHz by PM timer", ON_HYPERV,
	  "AccessPartitionReferenceTsc", probe_reference_tsc },
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

static void forced_msr(struct run *run, struct probe_result *result,
		       const struct forced_msr *forced)
{
	size_t mark = run->out->restore_count;
	uint64_t value;

	*result = (struct probe_result){
		.key = "forced_msr", .state = PROBE_WORKS,
		.title = forced->write ? "forced MSR write (--probe-msr)"
				       : "forced MSR read (--probe-msr)" };
	if (!msr_read(run, result, forced->msr, &value))
		return;
	add_value(result, "msr", forced->msr, VALUE_HEX);
	add_value(result, "value", value, VALUE_HEX);
	if (forced->write)
		msr_write_noted(run, result, mark, forced->msr, forced->write_value);
	restore_from(run, mark);
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
