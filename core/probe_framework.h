/* The probes' framework, shared by core/probe*.c only: a run's state, the
 * guarded machine, MSRs noted and put back, the PM timer and timed
 * comparisons, results, and what CPUID advertises. Each interface's probes
 * live in a file of their own (probe_kvm.c, probe_hyperv.c), as the decoder
 * tables do; the list that orders them is in probe.c. */
#ifndef HVFEAT_PROBE_FRAMEWORK_H
#define HVFEAT_PROBE_FRAMEWORK_H

#include "hv_report.h"
#include "probe.h"

#define VECTOR_UD 6
#define VECTOR_GP 13
/* Each timed comparison spans 100 ms of the PM timer: long enough that the
 * cost of one trap to the hypervisor around each end (tens of
 * microseconds nested) stays far below the tolerance. */
#define INTERVAL_TICKS (PM_TIMER_HZ / 10u)
/* A running 3.58 MHz timer changes between two port reads; this many equal
 * reads in a row mean it stopped. */
#define PM_STUCK_READS 1000u
#define PM_MAX_READS 10000000u
/* kvmclock reads back to back that must never decrease. */
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

/* Results: the state and its reason (a remark when it works), and what
 * was measured. */
void set_state(struct probe_result *result, enum probe_state state, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
void add_value(struct probe_result *result, const char *name, uint64_t value,
	       enum probe_value_kind kind);
const char *fault_name(uint8_t vector);

/* Guarded MSR access; a fault breaks the probe with what faulted. */
bool msr_read(struct run *run, struct probe_result *result, uint32_t msr, uint64_t *value);
bool msr_write(struct run *run, struct probe_result *result, uint32_t msr, uint64_t value);
/* Writes an MSR after noting what it held, so that restore_from() can put
 * it back. An MSR is noted once, at its first write in a probe. */
bool msr_write_noted(struct run *run, struct probe_result *result, size_t mark, uint32_t msr,
		     uint64_t value);
/* Puts back, newest first, every MSR noted since mark. */
void restore_from(struct run *run, size_t mark);

/* The PM timer as a 64-bit count since the first read. */
uint64_t pm_now(struct run *run);
/* A clock read at both ends of an interval of the PM timer; false, with
 * the result set, when it could not be timed. */
bool measure(struct run *run, struct probe_result *result, sampler sample,
	     struct interval *interval);
/* Judges a clock of hz over the interval against the PM timer. */
void judge_rate(struct probe_result *result, const char *clock, const struct interval *interval,
		uint64_t hz, const char *counted_name);
/* Lets the host run: each PM timer read is a trap to it. */
void give_host_a_turn(struct run *run);
/* A 32-bit word of a registered structure once the host wrote it non-zero
 * (0 when it never did). */
uint32_t wait_for_version(struct run *run, volatile const uint8_t *version);

/* An item of the interface's table, by upstream identifier, when decoded. */
bool item_value(const struct run *run, const struct hv_interface *iface, const char *id,
		uint32_t *value);
/* A bit that is set, or a field that is not 0. */
bool advertised(const struct run *run, const struct hv_interface *iface, const char *id);

/* --- memory the host writes ------------------------------------------ */

static inline uint32_t load32(volatile const uint8_t *p)
{
	return *(volatile const uint32_t *)p;
}

static inline uint64_t load64(volatile const uint8_t *p)
{
	return *(volatile const uint64_t *)p;
}

static inline void clear(volatile uint8_t *p, size_t length)
{
	while (length--)
		*p++ = 0;
}

static inline void compiler_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/* Each probe: result starts as works; advertised_by is the table's item. */
#define PROBE(name) void name(struct run *run, struct probe_result *result, \
			      const char *advertised_by)
PROBE(probe_clocksource2);
PROBE(probe_clocksource);
PROBE(probe_steal_time);
PROBE(probe_msr_feature);
PROBE(probe_hypercall);
PROBE(probe_sched_yield);
PROBE(probe_timing);
PROBE(probe_vp_index);
PROBE(probe_time_ref_count);
PROBE(probe_reference_tsc);

#endif
