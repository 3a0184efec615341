/* The probes' framework, shared by core/probe*.c only: a run's state, the
 * guarded machine, MSRs noted and put back, the PM timer and timed
 * comparisons, results, and what CPUID advertises. Each interface's probes
 * live in a file of their own (probe_kvm.c, probe_hyperv.c), as the decoder
 * tables do; the list that orders them is in probe.c. */
#ifndef HVFEAT_PROBE_FRAMEWORK_H
#define HVFEAT_PROBE_FRAMEWORK_H

#include "hv_report.h"
#include "probe.h"

/* How many exits the host gets to fill in a registered structure. */
#define HOST_UPDATE_TRIES 100u

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
	uint64_t start, end;     /* the clock's readings at both ends */
	uint64_t pm_ticks;       /* the PM timer between them */
	uint64_t pm_uncertainty; /* half the two brackets' widths, in ticks */
};

/* Reads a clock; false, with the result set, when it could not. */
typedef bool (*sampler)(struct run *run, struct probe_result *result, uint64_t *value);
/* A count the host moves each time it rewrites a clock's structure (a
 * pvclock's version): the clock's rate is judged between rewrites. */
typedef uint32_t (*rewrite_count)(struct run *run);

/* --- results ----------------------------------------------------------- */

/* The state and its reason (a remark when it works). */
void set_state(struct probe_result *result, enum probe_state state, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
/* A remark on a probe that works, after any it already has. */
void remark(struct probe_result *result, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
void add_value(struct probe_result *result, const char *name, uint64_t value,
	       enum probe_value_kind kind);
/* "#GP", "#UD" */
const char *fault_name(uint8_t vector);

/* --- the machine, guarded ---------------------------------------------- */

/* A fault breaks the probe, with what faulted. */
bool msr_read(struct run *run, struct probe_result *result, uint32_t msr, uint64_t *value);
bool msr_write(struct run *run, struct probe_result *result, uint32_t msr, uint64_t value);
/* Notes what an MSR holds, once per probe (mark: where the probe's notes
 * start), so that restore_from() puts it back. */
bool msr_note(struct run *run, struct probe_result *result, size_t mark, uint32_t msr);
/* Writes an MSR, noted first. */
bool msr_write_noted(struct run *run, struct probe_result *result, size_t mark, uint32_t msr,
		     uint64_t value);
/* Puts back every MSR noted since mark, the newest first, and reads each
 * back; one that does not read back as found keeps the pages reserved. */
void restore_from(struct run *run, size_t mark);

/* --- time -------------------------------------------------------------- */

/* The PM timer as a 64-bit count since the first read. */
uint64_t pm_now(struct run *run);
/* Lets the host run: each PM timer read is a trap to it. */
void give_host_a_turn(struct run *run);
/* A clock read at both ends of 100 ms of the PM timer; false, with the
 * result set, when it could not be timed. */
bool measure_interval(struct run *run, struct probe_result *result, sampler sample,
		      struct interval *interval);
/* Measures a clock of hz against the PM timer, over as long an interval as
 * it takes to judge it, and judges it: works, broken, or skipped as too
 * noisy to tell. With rewrites, an interval the host rewrote the clock in
 * is measured again, and a clock rewritten in every one is skipped. */
void judge_clock_rate(struct run *run, struct probe_result *result, sampler sample,
		      rewrite_count rewrites, const char *clock, uint64_t hz,
		      const char *counted_name);

/* --- what CPUID advertises --------------------------------------------- */

/* An item of the interface's table, by upstream identifier, when decoded. */
bool item_value(const struct run *run, const struct hv_interface *iface, const char *id,
		uint32_t *value);
/* A bit that is set, or a field that is not 0. */
bool advertised(const struct run *run, const struct hv_interface *iface, const char *id);

/* --- memory the host writes -------------------------------------------- */

static inline uint32_t load32(volatile const uint8_t *p)
{
	return *(volatile const uint32_t *)p;
}

static inline uint64_t load64(volatile const uint8_t *p)
{
	return *(volatile const uint64_t *)p;
}

static inline void store32(volatile uint8_t *p, uint32_t value)
{
	*(volatile uint32_t *)p = value;
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

/* A 32-bit word the host writes once a structure is registered, once it
 * differs from before (given HOST_UPDATE_TRIES turns). */
uint32_t wait_for_host(struct run *run, volatile const uint8_t *word, uint32_t before);

/* --- kvmclock (probe_kvm.c), shared with the probe across vCPUs --------- */

/* Linux arch/x86/include/uapi/asm/kvm_para.h */
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01u
#define KVM_MSR_ENABLED 1u
/* Each vCPU's pvclock structure (32 bytes) for the probe across vCPUs, in
 * the first page after the probes' own structures. */
#define VCPU_PVCLOCK_OFFSET 1024u
_Static_assert(VCPU_PVCLOCK_OFFSET + 32u * PROBE_VCPU_MAX <= 4096u, "in the first page");

struct pvclock_time;
/* One consistent copy of the pvclock structure at p and the TSC read with
 * it, by the version protocol (odd: being written), in the order Linux's
 * pvclock_clocksource_read reads them: version, TSC, fields, version.
 * False when the version stayed odd or moved for HOST_UPDATE_TRIES reads.
 * Any vCPU: it uses m->read_tsc alone. */
bool pvclock_read(const struct probe_machine *m, volatile const uint8_t *p,
		  struct pvclock_time *t, uint64_t *tsc);

/* --- the probes -------------------------------------------------------- */

/* Each starts with the result at works; advertised_by is its table item. */
#define PROBE(name) void name(struct run *run, struct probe_result *result, \
			      const char *advertised_by)
PROBE(probe_clocksource2);
PROBE(probe_clocksource);
PROBE(probe_steal_time);
PROBE(probe_async_pf);
PROBE(probe_pv_eoi);
PROBE(probe_round_trip);
PROBE(probe_hypercall);
PROBE(probe_sched_yield);
PROBE(probe_timing);
PROBE(probe_clock_cross_vcpu);
PROBE(probe_vp_index);
PROBE(probe_time_ref_count);
PROBE(probe_reference_tsc);

#endif
