/* KVM's probes: kvmclock both ways with its wall clock, steal time, the
 * registrations of the other feature bits, the hypercalls and the timing
 * leaf (Linux Documentation/virt/kvm/x86/msr.rst, hypercalls.rst,
 * cpuid.rst; what a guest writes: arch/x86/kernel/kvm.c and kvmclock.c). */
#include "probe_framework.h"

#include "clocks.h"

/* Linux arch/x86/include/uapi/asm/kvm_para.h */
#define MSR_KVM_WALL_CLOCK 0x11u
#define MSR_KVM_SYSTEM_TIME 0x12u
#define MSR_KVM_WALL_CLOCK_NEW 0x4b564d00u
#define MSR_KVM_ASYNC_PF_EN 0x4b564d02u
#define MSR_KVM_STEAL_TIME 0x4b564d03u
#define MSR_KVM_PV_EOI_EN 0x4b564d04u
#define MSR_KVM_ASYNC_PF_INT 0x4b564d06u
#define KVM_ASYNC_PF_ENABLED 1u
#define KVM_HC_SCHED_YIELD 11u
#define KVM_ENOSYS 1000

/* No KVM hypercall has this number (they are small integers); KVM answers
 * every unknown one with -KVM_ENOSYS and does nothing. ASCII "hvfe". */
#define UNUSED_HYPERCALL 0x68766665u
/* Written to MSR_KVM_ASYNC_PF_INT only while async PF is off, so nothing
 * is ever sent on it: any vector a guest could use (Linux takes 0xf3). */
#define ASYNC_PF_VECTOR 0xf3u

/* Where the probes' structures sit in the first page (the Hyper-V
 * reference TSC page has the second to itself; each vCPU's pvclock for the
 * probe across vCPUs from VCPU_PVCLOCK_OFFSET on). */
#define PVCLOCK_OFFSET 0u      /* 32 bytes, must not cross a page */
#define WALL_CLOCK_OFFSET 64u  /* 12 bytes */
#define STEAL_TIME_OFFSET 128u /* 64 bytes, 64-byte aligned */
#define ASYNC_PF_OFFSET 192u   /* 64 bytes, 64-byte aligned */
#define PV_EOI_OFFSET 256u     /* 4 bytes, 4-byte aligned */

/* kvmclock reads back to back that must never decrease. */
#define MONOTONIC_READS 1000u
/* Wall clock against the RTC, which counts whole seconds. */
#define WALL_CLOCK_TOLERANCE_S 2

static uint64_t page_address(const struct run *run, uint32_t offset)
{
	return run->m->page_addresses[0] + offset;
}

/* --- kvmclock ---------------------------------------------------------- */

bool pvclock_read(const struct probe_machine *m, volatile const uint8_t *p,
		  struct pvclock_time *t, uint64_t *tsc)
{
	for (uint32_t tries = 0; tries < HOST_UPDATE_TRIES; tries++) {
		uint32_t version = load32(p);
		compiler_barrier();
		*tsc = m->read_tsc(m->context);
		t->tsc_timestamp = load64(p + 8);
		t->system_time = load64(p + 16);
		t->tsc_to_system_mul = load32(p + 24);
		t->tsc_shift = (int8_t)p[28];
		t->flags = p[29];
		compiler_barrier();
		if (!(version & 1) && version == load32(p)) {
			t->version = version;
			return true;
		}
	}
	return false;
}

static bool pvclock_snapshot(struct run *run, struct pvclock_time *t, uint64_t *tsc)
{
	return pvclock_read(run->m, run->m->pages[0] + PVCLOCK_OFFSET, t, tsc);
}

static uint32_t pvclock_version(struct run *run)
{
	return load32(run->m->pages[0] + PVCLOCK_OFFSET);
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

/* Read back to back, kvmclock must not go backwards. Linux trusts that
 * only with PVCLOCK_TSC_STABLE_BIT; without it, it hides a step with the
 * last value read (pvclock_clocksource_read), so there a step is worth
 * knowing, not a fault. */
static bool monotonic(struct run *run, struct probe_result *result, bool stable_flag)
{
	uint64_t previous = 0, now, steps = 0, largest = 0;

	for (uint32_t i = 0; i < MONOTONIC_READS; i++) {
		if (!sample_kvmclock(run, result, &now))
			return false;
		if (now < previous) {
			steps++;
			largest = previous - now > largest ? previous - now : largest;
		}
		previous = now;
	}
	if (!steps)
		return true;
	add_value(result, "backward_steps", steps, VALUE_DECIMAL);
	add_value(result, "largest_step_back_ns", largest, VALUE_DECIMAL);
	if (stable_flag) {
		set_state(result, PROBE_BROKEN, "kvmclock went back %lu ns between two reads with "
			  "PVCLOCK_TSC_STABLE_BIT set", (unsigned long)largest);
		return false;
	}
	remark(result, "went back in %lu of %u reads, which guests hide without the "
	       "stable flag", (unsigned long)steps, MONOTONIC_READS);
	return true;
}

/* The wall clock the host writes at the boot time of kvmclock, plus
 * kvmclock, against the firmware's RTC. KVM keeps the address
 * (kvm->arch.wall_clock, read back by RDMSR) and QEMU writes it back on
 * migration and loadvm, when KVM writes the structure there again: the MSR
 * is noted and put back like the others. */
static void wall_clock(struct run *run, struct probe_result *result, size_t mark, uint32_t msr)
{
	volatile uint8_t *wall = run->m->pages[0] + WALL_CLOCK_OFFSET;
	uint64_t ns;
	int64_t rtc, zone;
	int16_t zone_minutes;

	if (!msr_write_noted(run, result, mark, msr, page_address(run, WALL_CLOCK_OFFSET)))
		return;
	uint32_t version = wait_for_host(run, wall, 0);
	if (!version || (version & 1)) {
		set_state(result, PROBE_BROKEN, "the wall clock structure was not written "
			  "(version %u)", version);
		return;
	}
	if (!sample_kvmclock(run, result, &ns))
		return;
	int64_t now = (int64_t)load32(wall + 4) + (int64_t)((load32(wall + 8) + ns) / 1000000000u);
	add_value(result, "wall_clock_s", (uint64_t)now, VALUE_DECIMAL);
	if (!run->m->rtc(run->m->context, &rtc, &zone_minutes)) {
		remark(result, "no firmware clock to compare the wall clock with");
		return;
	}
	int64_t off = wall_minus_rtc(now, rtc, zone_minutes, &zone);
	add_value(result, "rtc_zone_s", (uint64_t)zone, VALUE_SIGNED);
	add_value(result, "wall_minus_rtc_s", (uint64_t)off, VALUE_SIGNED);
	if (off > WALL_CLOCK_TOLERANCE_S || off < -WALL_CLOCK_TOLERANCE_S)
		set_state(result, PROBE_BROKEN, "the wall clock is %+ld s from the firmware clock",
			  off);
}

/* Registers a time page as Linux's kvmclock does: the host must fill it
 * (an even version, a multiplier), reads back to back must not go
 * backwards, the rate must match the PM timer and the wall clock the RTC. */
static void kvmclock(struct run *run, struct probe_result *result, size_t mark,
		     uint32_t system_time_msr, uint32_t wall_clock_msr)
{
	volatile uint8_t *page = run->m->pages[0];
	struct pvclock_time t;
	uint64_t tsc;

	clear(page + PVCLOCK_OFFSET, 32);
	clear(page + WALL_CLOCK_OFFSET, 12);
	if (!msr_write_noted(run, result, mark, system_time_msr,
			     page_address(run, PVCLOCK_OFFSET) + KVM_MSR_ENABLED))
		goto out;
	if (!wait_for_host(run, page + PVCLOCK_OFFSET, 0)) {
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
	bool stable_flag = t.flags & PVCLOCK_TSC_STABLE_BIT;
	if (!monotonic(run, result, stable_flag))
		goto out;
	/* Without the flag KVM keeps no master clock and re-anchors each
	 * rewrite from a host TSC and a host clock read one after the other
	 * (x86.c, kvm_guest_time_update; the comment above
	 * pvclock_update_vm_gtod_copy says why the master clock exists). So a
	 * rewrite steps kvmclock by the host clock's drift from the TSC since
	 * the last one, plus any time the host lost between the two reads
	 * (interrupts are off there: an NMI, an SMI, or an outer hypervisor
	 * that preempted this one, as on the nested bed). A step is no rate:
	 * the rate is judged between rewrites, and the largest step is shown.
	 * With the flag a rewrite reuses the master clock's pair
	 * (master_kernel_ns, master_cycle_now) until KVM refreshes the pair
	 * (kvm_update_masterclock), so an ordinary rewrite does not step the
	 * clock, and rewrites count. */
	judge_clock_rate(run, result, sample_kvmclock, stable_flag ? NULL : pvclock_version,
			 "kvmclock", 1000000000u, "kvmclock_ns");
	if (result->state != PROBE_WORKS)
		goto out;
	wall_clock(run, result, mark, wall_clock_msr);
	/* Linux trusts the flag only with the feature bit; neither mismatch is
	 * a fault, and both are worth knowing. KVM sets the flag only while it
	 * keeps a master clock (its own clock is the TSC, and the boot vCPU's
	 * last registration went to MSR_KVM_SYSTEM_TIME_NEW). */
	bool stable_promised = advertised(run, run->kvm, "KVM_FEATURE_CLOCKSOURCE_STABLE_BIT");
	if (stable_promised && !stable_flag)
		remark(result, system_time_msr == MSR_KVM_SYSTEM_TIME
				       ? "stable flag clear, as KVM keeps no master clock for the "
					 "legacy MSR"
				       : "stable flag clear: no host master clock now");
	else if (!stable_promised && stable_flag)
		remark(result, "stable flag set, not advertised: guests ignore it");
out:
	restore_from(run, mark);
}

PROBE(probe_clocksource2)
{
	(void)advertised_by;
	kvmclock(run, result, run->out->restore_count, MSR_KVM_SYSTEM_TIME_NEW,
		 MSR_KVM_WALL_CLOCK_NEW);
}

/* KVM keeps its master clock (the stable flag, a valid Hyper-V TSC page)
 * only while the boot vCPU's last kvmclock registration went to
 * MSR_KVM_SYSTEM_TIME_NEW, and any write counts, a restore too (Linux
 * arch/x86/kvm/x86.c, kvm_write_system_time: boot_vcpu_runs_old_kvmclock).
 * So the legacy probe runs only where that MSR is offered, and notes it
 * first: restores run newest first, so the last write goes to it, which
 * leaves the master clock on, as in a new VM. Which MSR an earlier user
 * wrote last cannot be told: both read back the same field
 * (vcpu->arch.time). */
PROBE(probe_clocksource)
{
	size_t mark = run->out->restore_count;

	(void)advertised_by;
	if (!advertised(run, run->kvm, "KVM_FEATURE_CLOCKSOURCE2")) {
		set_state(result, PROBE_SKIPPED, "writing MSR_KVM_SYSTEM_TIME would turn KVM's "
			  "master clock off for good: no MSR_KVM_SYSTEM_TIME_NEW to end it");
		return;
	}
	if (msr_note(run, result, mark, MSR_KVM_SYSTEM_TIME_NEW))
		kvmclock(run, result, mark, MSR_KVM_SYSTEM_TIME, MSR_KVM_WALL_CLOCK);
}

/* --- steal time -------------------------------------------------------- */

static bool sample_steal(struct run *run, struct probe_result *result, uint64_t *version)
{
	(void)result;
	*version = load32(run->m->pages[0] + STEAL_TIME_OFFSET + 8);
	return true;
}

PROBE(probe_steal_time)
{
	size_t mark = run->out->restore_count;
	volatile uint8_t *area = run->m->pages[0] + STEAL_TIME_OFFSET;
	struct interval versions;

	(void)advertised_by;
	clear(area, 64);
	if (!msr_write_noted(run, result, mark, MSR_KVM_STEAL_TIME,
			     page_address(run, STEAL_TIME_OFFSET) + KVM_MSR_ENABLED))
		goto out;
	uint32_t version = wait_for_host(run, area + 8, 0);
	uint64_t steal = load64(area);
	add_value(result, "version", version, VALUE_DECIMAL);
	if (!version || (version & 1)) {
		set_state(result, PROBE_BROKEN, "the host did not write the steal-time area "
			  "(version %u)", version);
		goto out;
	}
	if (!measure_interval(run, result, sample_steal, &versions))
		goto out;
	uint64_t steal_after = load64(area);
	add_value(result, "version_after", versions.end, VALUE_DECIMAL);
	add_value(result, "steal_ns", steal_after - steal, VALUE_DECIMAL);
	add_value(result, "pm_timer_ticks", versions.pm_ticks, VALUE_DECIMAL);
	if (steal_after < steal)
		set_state(result, PROBE_BROKEN, "steal time went backwards");
	else if (versions.end == versions.start)
		/* KVM updates the area when the vCPU is scheduled in again. */
		remark(result, "not updated again within 100 ms: the vCPU was not rescheduled");
out:
	restore_from(run, mark);
}

/* --- registrations ----------------------------------------------------- */

/* Writes an MSR (noted) and reads it back: the host must keep what was
 * written. */
static bool register_and_read_back(struct run *run, struct probe_result *result, size_t mark,
				   uint32_t msr, uint64_t value)
{
	uint64_t now;

	if (!msr_write_noted(run, result, mark, msr, value) || !msr_read(run, result, msr, &now))
		return false;
	if (now == value)
		return true;
	set_state(result, PROBE_BROKEN, "MSR 0x%x read back 0x%lx after 0x%lx was written", msr,
		  (unsigned long)now, (unsigned long)value);
	return false;
}

/* What each MSR of the feature held when hvfeat found it, by the upstream
 * name of the KVM table. */
static void add_found_values(struct run *run, struct probe_result *result, size_t mark,
			     const char *advertised_by)
{
	struct hv_item item;

	/* Found: probe_run saw it advertised. */
	hv_find_item(run->kvm->vendor, advertised_by, false, &item);
	for (size_t i = mark; i < run->out->restore_count; i++)
		for (size_t m = 0; m < item.bit->msr_count; m++)
			if (item.bit->msrs[m].index == run->out->restores[i].msr)
				add_value(result, item.bit->msrs[m].name,
					  run->out->restores[i].found, VALUE_HEX);
}

/* An async PF area registered as Linux does, but with neither
 * KVM_ASYNC_PF_SEND_ALWAYS nor KVM_ASYNC_PF_DELIVERY_AS_INT: KVM then
 * delivers nothing (x86.c, kvm_pv_async_pf_enabled wants ENABLED and
 * DELIVERY_AS_INT since Linux 5.8, the release that brought
 * KVM_FEATURE_ASYNC_PF_INT). Older hosts sent page-ready notices as #PF,
 * which firmware must not take: without KVM_FEATURE_ASYNC_PF_INT only the
 * disabled value is written. */
PROBE(probe_async_pf)
{
	size_t mark = run->out->restore_count;
	bool interrupt_era = advertised(run, run->kvm, "KVM_FEATURE_ASYNC_PF_INT");
	uint64_t value = interrupt_era ? page_address(run, ASYNC_PF_OFFSET) | KVM_ASYNC_PF_ENABLED
				       : 0;

	clear(run->m->pages[0] + ASYNC_PF_OFFSET, 64);
	if (register_and_read_back(run, result, mark, MSR_KVM_ASYNC_PF_EN, value))
		remark(result, interrupt_era
			       ? "area registered and read back; nothing is delivered to firmware, "
				 "so its use is not observed"
			       : "only 0 written and read back: without KVM_FEATURE_ASYNC_PF_INT a "
				 "host sends page-ready notices as #PF");
	restore_from(run, mark);
	add_found_values(run, result, mark, advertised_by);
}

/* KVM sets the PV EOI flag only when the injected interrupt is alone: no
 * other request pending in the IRR (lapic.c, apic_sync_pv_eoi_to_guest:
 * "apic->irr_pending" returns early). The firmware's own timer tick landing
 * in that window is no fault of the host's: the interrupt is sent again, a
 * few times, before the flag counts as never set. */
#define PV_EOI_SENDS 5u

/* A PV EOI word registered as Linux does (kvm_guest_cpu_init), then an
 * interrupt sent to this vCPU: KVM sets the word's bit 0 when it injects
 * one that may end that way (lapic.c, apic_sync_pv_eoi_to_guest), the
 * handler clears it instead of writing the EOI, and KVM completes the EOI
 * at the next exit (apic_sync_pv_eoi_from_guest). */
PROBE(probe_pv_eoi)
{
	size_t mark = run->out->restore_count;
	volatile uint8_t *word = run->m->pages[0] + PV_EOI_OFFSET;
	struct interrupt_seen seen = { 0 };

	store32(word, 0);
	if (!register_and_read_back(run, result, mark, MSR_KVM_PV_EOI_EN,
				    page_address(run, PV_EOI_OFFSET) | KVM_MSR_ENABLED))
		goto out;
	if (!run->m->self_interrupt) {
		set_state(result, PROBE_SKIPPED, "word registered and read back; no vector or "
			  "local APIC to send an interrupt and watch its use with");
		goto out;
	}
	unsigned sends = 0;
	do
		run->m->self_interrupt(run->m->context, (volatile uint32_t *)word, &seen);
	while (++sends < PV_EOI_SENDS && seen.handled && !seen.pv_eoi_flag);
	add_value(result, "interrupts_sent", sends, VALUE_DECIMAL);
	add_value(result, "apic_enabled", seen.apic_enabled, VALUE_DECIMAL);
	add_value(result, "interrupt_handled", seen.handled, VALUE_DECIMAL);
	add_value(result, "pv_eoi_flag_set", seen.pv_eoi_flag, VALUE_DECIMAL);
	if (!seen.apic_enabled)
		/* KVM syncs PV EOI only for an enabled APIC (x86.c,
		 * vcpu_enter_guest: kvm_lapic_enabled), and enabling it here
		 * cannot be undone: disabling it again masks LINT0, the
		 * firmware's timer interrupt. */
		set_state(result, PROBE_SKIPPED, "word registered and read back; the firmware "
			  "keeps its local APIC software-disabled, so no interrupt uses it");
	else if (!seen.sent)
		set_state(result, PROBE_SKIPPED, "word registered and read back; no interrupt "
			  "could be sent (interrupts off, or no IDT gate for the vector)");
	else if (!seen.handled)
		set_state(result, PROBE_SKIPPED, "the interrupt sent to this vCPU never arrived: "
			  "nothing to watch PV EOI with");
	else if (!seen.pv_eoi_flag)
		/* KVM leaves it to the hardware when it virtualizes the APIC. */
		set_state(result, PROBE_SKIPPED, "the host ended %u interrupts without setting "
			  "the PV EOI flag: its use not seen", PV_EOI_SENDS);
	else if (seen.still_in_service)
		set_state(result, PROBE_BROKEN, "the flag was cleared, but the host never "
			  "completed the EOI");
out:
	restore_from(run, mark);
	add_found_values(run, result, mark, advertised_by);
}

/* Poll control (0: host halt-polling off) and the async PF interrupt
 * vector and ACK, written as a guest writes them and read back. Their
 * effects cannot be watched from firmware, which the remark says. */
PROBE(probe_round_trip)
{
	size_t mark = run->out->restore_count;
	struct hv_item item;

	hv_find_item(run->kvm->vendor, advertised_by, false, &item);
	for (size_t i = 0; i < item.bit->msr_count; i++) {
		uint32_t msr = item.bit->msrs[i].index;
		if (!register_and_read_back(run, result, mark, msr,
					    msr == MSR_KVM_ASYNC_PF_INT ? ASYNC_PF_VECTOR : 0))
			break;
	}
	remark(result, "written and read back; the effect is not observed");
	restore_from(run, mark);
	add_found_values(run, result, mark, advertised_by);
}

/* --- hypercalls -------------------------------------------------------- */

/* One KVM hypercall with the vendor's instruction; false (result set) when
 * it faulted. The vendor's, because KVM answers the other one by
 * rewriting it in guest memory (emulator_fix_hypercall): in our code. */
static bool hypercall(struct run *run, struct probe_result *result, uint64_t nr, uint64_t a0,
		      uint64_t *ret)
{
	const uint64_t a[4] = { a0, 0, 0, 0 };
	bool amd = hv_vendor_is_amd(run->report);
	uint8_t vector = 0;

	if (run->m->hypercall(run->m->context, amd, nr, a, ret, &vector))
		return true;
	set_state(result, PROBE_BROKEN, "%s on %s", fault_name(vector), amd ? "vmmcall" : "vmcall");
	return false;
}

PROBE(probe_hypercall)
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

PROBE(probe_sched_yield)
{
	const struct cpuid_regs *leaf1 = hv_report_leaf(run->report, 1, 0);
	const char *rax_only = cvm_vmmcall_rax_only(run->report);
	uint64_t ret;

	(void)advertised_by;
	/* To our own APIC ID: KVM finds no other vCPU to yield to. Under SEV-ES
	 * and SNP the host is not given the argument and reads it as 0 (KVM's
	 * kvm_ghcb_get_rbx_if_valid): the ID it sees, and the value shown. */
	uint32_t apic_id = leaf1 && !rax_only ? leaf1->ebx >> 24 : 0;
	if (!hypercall(run, result, KVM_HC_SCHED_YIELD, apic_id, &ret))
		return;
	add_value(result, "apic_id", apic_id, VALUE_DECIMAL);
	add_value(result, "returned", ret, VALUE_SIGNED);
	if (ret)
		set_state(result, PROBE_BROKEN, "KVM_HC_SCHED_YIELD returned %ld, not 0",
			  (int64_t)ret);
	else if (rax_only)
		remark(result, "registers encrypted (%s): the host is given RAX alone (OVMF's "
		       "VmmCallExit), so the yield named APIC ID 0, not necessarily ours",
		       rax_only);
}

/* --- the timing leaf --------------------------------------------------- */

static bool sample_tsc(struct run *run, struct probe_result *result, uint64_t *tsc)
{
	(void)result;
	*tsc = run->m->read_tsc(run->m->context);
	return true;
}

PROBE(probe_timing)
{
	uint32_t tsc_khz = 0;

	item_value(run, run->kvm, advertised_by, &tsc_khz);
	add_value(result, "tsc_khz", tsc_khz, VALUE_DECIMAL);
	judge_clock_rate(run, result, sample_tsc, NULL, "the TSC", (uint64_t)tsc_khz * 1000u,
			 "tsc_ticks");
}
