/* KVM's probes: kvmclock both ways with its wall clock, steal time, the
 * MSRs of the other feature bits, the hypercalls and the timing leaf
 * (Linux Documentation/virt/kvm/x86/msr.rst, hypercalls.rst, cpuid.rst). */
#include "probe_framework.h"

#include "ascii.h"
#include "clocks.h"

/* Linux arch/x86/include/uapi/asm/kvm_para.h */
#define MSR_KVM_WALL_CLOCK 0x11u
#define MSR_KVM_SYSTEM_TIME 0x12u
#define MSR_KVM_WALL_CLOCK_NEW 0x4b564d00u
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01u
#define MSR_KVM_STEAL_TIME 0x4b564d03u
#define KVM_MSR_ENABLED 1u
#define KVM_HC_SCHED_YIELD 11u
#define KVM_ENOSYS 1000


/* No KVM hypercall has this number (they are small integers); KVM answers
 * every unknown one with -KVM_ENOSYS and does nothing. ASCII "hvfe". */
#define UNUSED_HYPERCALL 0x68766665u

/* Where the probes' structures sit in the first page; the Hyper-V
 * reference TSC page needs the whole second page. */
#define PVCLOCK_OFFSET 0u      /* 32 bytes, must not cross a page */
#define WALL_CLOCK_OFFSET 64u  /* 12 bytes */
#define STEAL_TIME_OFFSET 128u /* 64 bytes, 64-byte aligned */

/* kvmclock reads back to back that must never decrease. */
#define MONOTONIC_READS 1000u
/* Wall clock against the RTC, which counts whole seconds. */
#define WALL_CLOCK_TOLERANCE_S 2

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

void probe_clocksource2(struct run *run, struct probe_result *result,
			const char *advertised_by)
{
	(void)advertised_by;
	kvmclock(run, result, MSR_KVM_SYSTEM_TIME_NEW, MSR_KVM_WALL_CLOCK_NEW);
}

void probe_clocksource(struct run *run, struct probe_result *result,
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

void probe_steal_time(struct run *run, struct probe_result *result,
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
void probe_msr_feature(struct run *run, struct probe_result *result,
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

void probe_hypercall(struct run *run, struct probe_result *result,
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

void probe_sched_yield(struct run *run, struct probe_result *result,
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

void probe_timing(struct run *run, struct probe_result *result, const char *advertised_by)
{
	uint32_t tsc_khz = 0;
	struct interval interval;

	item_value(run, run->kvm, advertised_by, &tsc_khz);
	add_value(result, "tsc_khz", tsc_khz, VALUE_DECIMAL);
	if (measure(run, result, sample_tsc, &interval))
		judge_rate(result, "the TSC", &interval, (uint64_t)tsc_khz * 1000u, "tsc_ticks");
}
