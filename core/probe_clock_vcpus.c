/* kvmclock across vCPUs (probe kvm.clock_cross_vcpu), in the manner of
 * kvm-unit-tests x86/kvmclock_test.c: every vCPU registers a pvclock
 * structure of its own through MSR_KVM_SYSTEM_TIME_NEW, then all read
 * kvmclock at once for a bounded time, each read taken under one lock with
 * the last value any vCPU read: a read smaller than that is a warp.
 *
 * How warps are judged follows Linux's pvclock_clocksource_read
 * (arch/x86/kernel/pvclock.c): a read whose structure has
 * PVCLOCK_TSC_STABLE_BIT, on a host that advertises
 * KVM_FEATURE_CLOCKSOURCE_STABLE_BIT (kvmclock.c sets the valid flag only
 * then), is returned as it is, so a warp there reaches the OS's clock:
 * broken. Without the bit Linux keeps a global last value and returns that
 * instead of a smaller read ("we should not be much smaller"), so warps are
 * expected and hidden: a remark. kvm-unit-tests likewise counts warps of
 * the raw clock without failing, and fails on warps of the clock Linux
 * would return.
 *
 * The other vCPUs run without a fault guard (the firmware's is the boot
 * vCPU's alone) and touch MSR_KVM_SYSTEM_TIME_NEW only: every vCPU's CPUID
 * offers it (the vCPU section compared it) and kvm.clocksource2 used it,
 * guarded, on the boot vCPU just before. Each vCPU puts back what it
 * found and reads it back; the report lists each. */
#include "probe_framework.h"

#include "ascii.h"
#include "clocks.h"

/* Each vCPU reads for this long of its own kvmclock (kvm-unit-tests loops
 * a count; a time bound keeps the boot's cost fixed). */
#define READ_NS 200000000u
/* How long a registered vCPU waits for the others to register, so that
 * all read at once: the firmware wakes each from its halt loop (edk2:
 * INIT, then SIPIs, 10 ms and more), and where the vCPUs share one host
 * CPU (the nested bed: two L2 vCPUs on L1's one) a vCPU waits for its turn
 * as well; 50 ms were too few there under load. */
#define GATHER_NS 1000000000u
/* Steps a vCPU waits for the host to fill its structure. */
#define HOST_WRITE_STEPS 1000000u
/* Reads of a clock that did not move, in a row: it stopped. */
#define STUCK_READS 100000u
/* Steps of one vCPU in all: bounds a clock that runs far too slowly (the
 * boot vCPU's rate was checked by kvm.clocksource2; the firmware stops the
 * others at the timeout). */
#define STEPS_MAX 50000000u
/* Fewer reads than this on a vCPU tell nothing of it. */
#define MIN_READS 100u
/* The firmware's bound on the other vCPUs: the gathering and the reading,
 * with room for a busy host. */
#define EVERY_VCPU_TIMEOUT_US 2000000u
_Static_assert(GATHER_NS / 1000u + READ_NS / 1000u < EVERY_VCPU_TIMEOUT_US,
	       "the others finish within the firmware's bound");

enum phase { PHASE_REGISTER, PHASE_GATHER, PHASE_READ, PHASE_RESTORE, PHASE_DONE };

struct vcpu_clock {
	enum phase phase;
	bool registered;    /* its MSR was written: a restore is due */
	bool page_written;  /* the host filled its structure */
	bool torn;          /* the structure's version stayed odd */
	bool stopped;       /* its kvmclock stopped moving */
	bool restored;
	uint64_t found, now; /* MSR_KVM_SYSTEM_TIME_NEW before, and read back after */
	uint64_t steps, waits, same;
	uint64_t start_ns, previous_ns;
	uint64_t first_ns, last_ns; /* its first and last read under the lock */
	uint64_t reads, warps, stable_warps, largest_warp_ns, stalls;
	bool unstable_read; /* a read without PVCLOCK_TSC_STABLE_BIT */
};

struct cross_vcpu {
	const struct probe_machine *m;
	size_t count;
	bool stable_advertised;
	volatile uint32_t lock;
	volatile uint32_t registered;
	volatile uint64_t last; /* the last read under the lock, by any vCPU */
	struct vcpu_clock v[PROBE_VCPU_MAX];
};

static struct cross_vcpu cross;

static volatile uint8_t *pvclock_of(const struct cross_vcpu *c, size_t vcpu)
{
	return c->m->pages[0] + VCPU_PVCLOCK_OFFSET + 32u * vcpu;
}

static bool read_clock(struct cross_vcpu *c, size_t vcpu, uint64_t *ns, bool *stable)
{
	struct pvclock_time t;
	uint64_t tsc;

	if (!pvclock_read(c->m, pvclock_of(c, vcpu), &t, &tsc)) {
		c->v[vcpu].torn = true;
		return false;
	}
	*ns = pvclock_ns(&t, tsc);
	*stable = t.flags & PVCLOCK_TSC_STABLE_BIT;
	return true;
}

/* kvm-unit-tests' kvm_clock_test: under the lock, t1 = read, t0 = the
 * last read by anyone, last = read again; t1 < t0 is a warp, t1 == t0 a
 * stall. False when the clock could not be read. */
static bool locked_read(struct cross_vcpu *c, size_t vcpu)
{
	struct vcpu_clock *v = &c->v[vcpu];
	uint64_t t1, again;
	bool stable, stable_again, ok;

	ok = read_clock(c, vcpu, &t1, &stable);
	uint64_t t0 = c->last;
	ok = ok && read_clock(c, vcpu, &again, &stable_again);
	if (ok)
		c->last = again;
	__atomic_store_n(&c->lock, 0, __ATOMIC_RELEASE);
	if (!ok)
		return false;
	if (!v->reads++)
		v->first_ns = t1;
	v->last_ns = again;
	v->unstable_read = v->unstable_read || !stable;
	if (t1 == t0)
		v->stalls++;
	if (t1 < t0) {
		v->warps++;
		v->stable_warps += stable && c->stable_advertised;
		if (t0 - t1 > v->largest_warp_ns)
			v->largest_warp_ns = t0 - t1;
	}
	return true;
}

static enum phase register_clock(struct cross_vcpu *c, size_t vcpu)
{
	struct vcpu_clock *v = &c->v[vcpu];
	volatile uint8_t *p = pvclock_of(c, vcpu);

	clear(p, 32);
	v->found = c->m->any_vcpu_read_msr(MSR_KVM_SYSTEM_TIME_NEW);
	v->registered = true;
	c->m->any_vcpu_write_msr(MSR_KVM_SYSTEM_TIME_NEW,
				 (c->m->page_addresses[0] + VCPU_PVCLOCK_OFFSET + 32u * vcpu) |
					 KVM_MSR_ENABLED);
	__atomic_add_fetch(&c->registered, 1, __ATOMIC_ACQ_REL);
	return PHASE_GATHER;
}

/* Waits for the host to fill this vCPU's structure, then for the others
 * to register, for GATHER_NS at most. */
static enum phase gather(struct cross_vcpu *c, size_t vcpu)
{
	struct vcpu_clock *v = &c->v[vcpu];
	uint64_t now;
	bool stable;

	if (!v->page_written) {
		uint32_t version = load32(pvclock_of(c, vcpu));
		v->page_written = version && !(version & 1);
		if (!v->page_written)
			return ++v->waits < HOST_WRITE_STEPS ? PHASE_GATHER : PHASE_RESTORE;
	}
	if (!read_clock(c, vcpu, &now, &stable))
		return PHASE_RESTORE;
	if (!v->start_ns)
		v->start_ns = now;
	if (__atomic_load_n(&c->registered, __ATOMIC_ACQUIRE) < c->count &&
	    now - v->start_ns < GATHER_NS)
		return PHASE_GATHER;
	v->start_ns = v->previous_ns = now;
	return PHASE_READ;
}

static enum phase read_for_a_while(struct cross_vcpu *c, size_t vcpu)
{
	struct vcpu_clock *v = &c->v[vcpu];
	uint64_t now;
	bool stable;

	if (!read_clock(c, vcpu, &now, &stable))
		return PHASE_RESTORE;
	v->same = now == v->previous_ns ? v->same + 1 : 0;
	v->previous_ns = now;
	if (v->same >= STUCK_READS) {
		v->stopped = true;
		return PHASE_RESTORE;
	}
	if (now - v->start_ns >= READ_NS)
		return PHASE_RESTORE;
	if (__atomic_exchange_n(&c->lock, 1, __ATOMIC_ACQUIRE))
		return PHASE_READ; /* another vCPU holds it: again next step */
	return locked_read(c, vcpu) ? PHASE_READ : PHASE_RESTORE;
}

/* One step of one vCPU; false once it has put its MSR back. */
static bool step(void *argument, size_t vcpu)
{
	struct cross_vcpu *c = argument;
	struct vcpu_clock *v = &c->v[vcpu];

	if (++v->steps > STEPS_MAX && v->phase < PHASE_RESTORE)
		v->phase = PHASE_RESTORE;
	switch (v->phase) {
	case PHASE_REGISTER:
		v->phase = register_clock(c, vcpu);
		return true;
	case PHASE_GATHER:
		v->phase = gather(c, vcpu);
		return true;
	case PHASE_READ:
		v->phase = read_for_a_while(c, vcpu);
		return true;
	case PHASE_RESTORE:
		c->m->any_vcpu_write_msr(MSR_KVM_SYSTEM_TIME_NEW, v->found);
		v->now = c->m->any_vcpu_read_msr(MSR_KVM_SYSTEM_TIME_NEW);
		v->restored = v->now == v->found;
		v->phase = PHASE_DONE;
		return false;
	case PHASE_DONE:
		break;
	}
	return false;
}

/* --- before and after -------------------------------------------------- */

static const struct probe_result *result_of(const struct run *run, const char *key)
{
	for (size_t i = 0; i < run->out->count; i++)
		if (ascii_equal(run->out->results[i].key, key, false))
			return &run->out->results[i];
	return NULL;
}

/* The vCPU section read each vCPU's CPUID, and none differs in the KVM
 * block: each offers MSR_KVM_SYSTEM_TIME_NEW as the boot vCPU does. NULL,
 * or which vCPU cannot be vouched for and why. */
static const char *unvouched(const struct run *run, uint32_t *number)
{
	const struct vcpu_report *v = &run->report->vcpus;

	for (size_t i = 1; i < run->m->vcpu_count; i++) {
		const struct vcpu *found = NULL;
		*number = run->m->vcpu_numbers[i];
		for (size_t k = 0; k < v->count; k++)
			if (v->vcpus[k].number == *number)
				found = &v->vcpus[k];
		if (!found || found->state != VCPU_COMPARED)
			return "its CPUID was not read";
	}
	if (v->difference_count > VCPU_DIFFERENCES_MAX)
		return "more differences than listed";
	for (size_t d = 0; d < v->difference_count; d++) {
		*number = v->differences[d].vcpu;
		if (v->differences[d].leaf >= run->kvm->base &&
		    v->differences[d].leaf <= run->kvm->last_leaf)
			return "its KVM leaves differ from the boot vCPU's";
	}
	return NULL;
}

/* Each vCPU's MSR, in the restore list under its number. */
static void note_restores(struct run *run, const bool *started, const bool *finished)
{
	struct probe_report *out = run->out;

	for (size_t i = 0; i < cross.count; i++) {
		const struct vcpu_clock *v = &cross.v[i];
		if (!started[i] || !v->registered || out->restore_count == RESTORE_MAX)
			continue;
		bool restored = finished[i] && v->restored;
		out->restores[out->restore_count++] = (struct msr_restore){
			.vcpu = run->m->vcpu_numbers[i], .other_vcpu = i != 0,
			.vcpu_lost = !finished[i], .msr = MSR_KVM_SYSTEM_TIME_NEW,
			.found = v->found, .now = v->now, .restored = restored };
		out->pages_in_use = out->pages_in_use || !restored;
	}
}

static void judge(struct run *run, struct probe_result *result, const bool *started,
		  const bool *finished)
{
	uint64_t reads = 0, warps = 0, stable_warps = 0, largest = 0, stalls = 0;
	uint64_t latest_first = 0, earliest_last = UINT64_MAX;
	bool unstable = false;

	for (size_t i = 0; i < cross.count; i++) {
		const struct vcpu_clock *v = &cross.v[i];
		uint32_t number = run->m->vcpu_numbers[i];
		if (!started[i]) {
			set_state(result, PROBE_SKIPPED, "the firmware did not start vCPU %u", number);
			return;
		}
		if (!finished[i]) {
			set_state(result, PROBE_SKIPPED, "vCPU %u did not finish within %u ms",
				  number, EVERY_VCPU_TIMEOUT_US / 1000u);
			return;
		}
		if (!v->page_written) {
			set_state(result, PROBE_BROKEN, "the host never wrote vCPU %u's time page",
				  number);
			return;
		}
		if (v->torn || v->stopped) {
			set_state(result, PROBE_BROKEN, v->torn ? "vCPU %u's time page version stays odd"
							       : "kvmclock stopped on vCPU %u",
				  number);
			return;
		}
		if (v->reads < MIN_READS) {
			set_state(result, PROBE_SKIPPED, "vCPU %u read kvmclock only %lu times",
				  number, (unsigned long)v->reads);
			return;
		}
		reads += v->reads;
		warps += v->warps;
		stable_warps += v->stable_warps;
		stalls += v->stalls;
		largest = v->largest_warp_ns > largest ? v->largest_warp_ns : largest;
		unstable = unstable || v->unstable_read;
		latest_first = v->first_ns > latest_first ? v->first_ns : latest_first;
		earliest_last = v->last_ns < earliest_last ? v->last_ns : earliest_last;
	}
	uint64_t together = earliest_last > latest_first ? earliest_last - latest_first : 0;
	add_value(result, "vcpus", cross.count, VALUE_DECIMAL);
	add_value(result, "reads", reads, VALUE_DECIMAL);
	add_value(result, "together_ms", together / 1000000u, VALUE_DECIMAL);
	add_value(result, "warps", warps, VALUE_DECIMAL);
	add_value(result, "stable_warps", stable_warps, VALUE_DECIMAL);
	add_value(result, "largest_warp_ns", largest, VALUE_DECIMAL);
	add_value(result, "stalls", stalls, VALUE_DECIMAL);
	add_value(result, "stable_flag", !unstable, VALUE_DECIMAL);
	if (!together) {
		set_state(result, PROBE_SKIPPED, "the vCPUs never read kvmclock at the same time");
	} else if (stable_warps) {
		set_state(result, PROBE_BROKEN, "kvmclock went back up to %lu ns across vCPUs, "
			  "%lu times in %lu reads with PVCLOCK_TSC_STABLE_BIT set",
			  (unsigned long)largest, (unsigned long)stable_warps, (unsigned long)reads);
	} else if (warps) {
		remark(result, "went back up to %lu ns across vCPUs, %lu times, without "
		       "PVCLOCK_TSC_STABLE_BIT%s: Linux hides that with its last value",
		       (unsigned long)largest, (unsigned long)warps,
		       cross.stable_advertised ? "" : " advertised");
	} else {
		remark(result, "%lu reads on %u vCPUs at once, none went back",
		       (unsigned long)reads, (unsigned)cross.count);
	}
}

PROBE(probe_clock_cross_vcpu)
{
	const struct probe_result *own = result_of(run, "kvm.clocksource2");
	bool started[PROBE_VCPU_MAX] = { false }, finished[PROBE_VCPU_MAX] = { false };
	uint32_t number = 0;
	const char *why;

	(void)advertised_by;
	if (run->m->vcpu_count < 2 || !run->m->every_vcpu) {
		set_state(result, PROBE_NOT_APPLICABLE, "one vCPU: nothing to read across");
		return;
	}
	if (!own || own->state != PROBE_WORKS) {
		set_state(result, PROBE_SKIPPED, "kvmclock does not work on this vCPU "
			  "(probe.kvm.clocksource2)");
		return;
	}
	if ((why = unvouched(run, &number))) {
		set_state(result, PROBE_SKIPPED, "vCPU %u not touched: %s", number, why);
		return;
	}
	cross = (struct cross_vcpu){
		.m = run->m, .count = run->m->vcpu_count,
		.stable_advertised = advertised(run, run->kvm, "KVM_FEATURE_CLOCKSOURCE_STABLE_BIT") };
	/* kvm.clocksource2 works: there is a PM timer, and it has run */
	uint64_t start = pm_now(run);
	run->m->every_vcpu(run->m->context, step, &cross, EVERY_VCPU_TIMEOUT_US, started,
			   finished);
	uint64_t took_ms = scale_u64(pm_now(run) - start, 1000u, PM_TIMER_HZ);
	note_restores(run, started, finished);
	judge(run, result, started, finished);
	add_value(result, "took_ms", took_ms, VALUE_DECIMAL);
}
