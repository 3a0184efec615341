/* The framework the probes share (probe_framework.h): states and values,
 * guarded MSR access noted for restoring, the PM timer, the host's turn,
 * and the timed comparison of a clock against the PM timer. */
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
/* Intervals measured before a clock the host rewrites in every one is
 * given up on. */
#define REWRITE_TRIES 5u

/* --- results ----------------------------------------------------------- */

void set_state(struct probe_result *result, enum probe_state state, const char *format, ...)
{
	va_list args;

	result->state = state;
	va_start(args, format);
	vformat_text(result->detail, sizeof(result->detail), format, args);
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
	vformat_text(result->detail + used, sizeof(result->detail) - used, format, args);
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
	out->restores[out->restore_count++] = (struct msr_restore){
		.vcpu = run->m->vcpu_numbers[0], .msr = msr, .found = found, .now = found };
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

static uint64_t magnitude(int64_t value)
{
	return value < 0 ? -(uint64_t)value : (uint64_t)value;
}

/* How far a clock of hz ran past the PM timer over an interval, in ns
 * (negative: behind), saturated: a hostile clock can read anything. */
static int64_t excess_ns(const struct interval *interval, uint64_t hz)
{
	uint64_t expected = scale_u64(interval->pm_ticks, hz, PM_TIMER_HZ);
	__int128 excess = (__int128)interval->end - interval->start - expected;
	__int128 ns = excess * 1000000000 / (__int128)(hz ? hz : 1);

	return ns > INT64_MAX ? INT64_MAX : ns < -INT64_MAX ? -INT64_MAX : (int64_t)ns;
}

/* What the intervals a host rewrote the clock in showed. */
struct rewrites_seen {
	uint32_t intervals;
	int64_t largest_excess_ns; /* the step a rewrite made, plus the rate's share */
	uint64_t uncertainty_ns;   /* what that interval's brackets leave uncertain */
};

/* An interval the host rewrote the clock's structure in is measured again,
 * up to REWRITE_TRIES times. False, with the result set, when it could not
 * be measured or every interval was rewritten. */
static bool measure_between_rewrites(struct run *run, struct probe_result *result,
				     sampler sample, rewrite_count rewrites, const char *clock,
				     uint64_t hz, struct interval *interval,
				     struct rewrites_seen *seen)
{
	*seen = (struct rewrites_seen){ 0, 0, 0 };
	for (;;) {
		uint32_t before = rewrites ? rewrites(run) : 0;
		if (!measure(run, result, sample, interval, true))
			return false;
		if (!rewrites || rewrites(run) == before)
			break;
		int64_t excess = excess_ns(interval, hz);
		if (!seen->intervals || magnitude(excess) > magnitude(seen->largest_excess_ns)) {
			seen->largest_excess_ns = excess;
			seen->uncertainty_ns = scale_u64(interval->pm_uncertainty, 1000000000u,
							 PM_TIMER_HZ);
		}
		if (++seen->intervals == REWRITE_TRIES)
			break;
	}
	if (!seen->intervals)
		return true;
	add_value(result, "intervals_rewritten", seen->intervals, VALUE_DECIMAL);
	add_value(result, "largest_rewritten_excess_ns", (uint64_t)seen->largest_excess_ns,
		  VALUE_SIGNED);
	add_value(result, "rewritten_uncertainty_ns", seen->uncertainty_ns, VALUE_DECIMAL);
	if (seen->intervals < REWRITE_TRIES)
		return true;
	set_state(result, PROBE_SKIPPED, "%s was rewritten by the host during each of %u "
		  "intervals: no interval without a rewrite to judge its rate by", clock,
		  REWRITE_TRIES);
	return false;
}

/* Works only when within the tolerance whatever the brackets hid; broken
 * only when outside it whatever they hid; between the two, nothing is
 * claimed. */
void judge_clock_rate(struct run *run, struct probe_result *result, sampler sample,
		      rewrite_count rewrites, const char *clock, uint64_t hz,
		      const char *counted_name)
{
	struct interval interval;
	struct rewrites_seen seen;

	if (!measure_between_rewrites(run, result, sample, rewrites, clock, hz, &interval, &seen))
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
	else if (seen.intervals)
		remark(result, "rate judged between rewrites; across one it ran %+ld ns "
		       "(+-%lu us) off, not judged", (long)seen.largest_excess_ns,
		       (unsigned long)(seen.uncertainty_ns / 1000));
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
