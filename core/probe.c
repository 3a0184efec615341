/* The functional probes: the list that orders them and says what
 * advertises each, and the run that goes through it (the framework the
 * probes share is probe_framework.c). A probe that runs uses the feature
 * the way a guest kernel would, judges what it measured, and puts back
 * every MSR it wrote before the next one starts. */
#include "probe_framework.h"

#include "clocks.h"
#include "probe_smccc.h"

enum probe_interface { ON_KVM, ON_HYPERV };

/* Whether the host writes into one of the probe's pages (pvclock, wall
 * clock, steal time, the async PF area, the PV EOI word, the TSC page). */
enum probe_memory { NO_SHARED_PAGE, HOST_WRITES_PAGE };

/* Whether the probe reads or writes an MSR or makes a hypercall, which in a
 * TD the fault guard cannot catch (cvm_td_exits). */
enum probe_exits { NO_MSR_OR_HYPERCALL, MSR_OR_HYPERCALL };

/* A probe runs when its interface's block is there and, if named, the item
 * that advertises it is set (a bit) or not 0 (a field); one that touches
 * an MSR or makes a hypercall is skipped in a TD, where a refused MSR halts
 * the TD; one whose page the host writes is skipped in a confidential VM,
 * where the page is private memory the host cannot write (hvfeat does not
 * share it). README, "Probes in a confidential VM". */
struct probe_def {
	const char *key;
	const char *title;
	enum probe_interface on;
	const char *advertised_by; /* upstream identifier; NULL: the block */
	enum probe_exits exits;
	enum probe_memory memory;
	void (*run)(struct run *run, struct probe_result *result, const char *advertised_by);
};

#define TD_SKIPPED "in a TD (%s) an MSR access or a hypercall may go to the firmware's #VE " \
		   "handler, not to hvfeat's guard: OVMF's halts the TD when the host refuses one"

/* Hyper-V's clocks first, so that they are measured as the guest OS will
 * find them, before any kvmclock write moves KVM's master clock; then
 * kvmclock through MSR_KVM_SYSTEM_TIME_NEW, then through the legacy MSR,
 * whose probe ends by putting back which of the two was written last; then
 * kvmclock on every vCPU at once, with KVM's master clock on again. */
static const struct probe_def probes[] = {
	{ "hyperv.vp_index", "HV_X64_MSR_VP_INDEX readable", ON_HYPERV, "AccessVpIndex",
	  MSR_OR_HYPERCALL, NO_SHARED_PAGE, probe_vp_index },
	{ "hyperv.time_ref_count", "reference counter at 10 MHz by PM timer", ON_HYPERV,
	  "AccessPartitionReferenceCounter", MSR_OR_HYPERCALL, NO_SHARED_PAGE,
	  probe_time_ref_count },
	{ "hyperv.reference_tsc", "reference TSC page at 10 MHz by PM timer", ON_HYPERV,
	  "AccessPartitionReferenceTsc", MSR_OR_HYPERCALL, HOST_WRITES_PAGE,
	  probe_reference_tsc },
	{ "kvm.clocksource2", "kvmclock through MSR_KVM_SYSTEM_TIME_NEW", ON_KVM,
	  "KVM_FEATURE_CLOCKSOURCE2", MSR_OR_HYPERCALL, HOST_WRITES_PAGE, probe_clocksource2 },
	{ "kvm.clocksource", "kvmclock through MSR_KVM_SYSTEM_TIME", ON_KVM,
	  "KVM_FEATURE_CLOCKSOURCE", MSR_OR_HYPERCALL, HOST_WRITES_PAGE, probe_clocksource },
	{ "kvm.clock_cross_vcpu", "kvmclock on every vCPU at once: no warps", ON_KVM,
	  "KVM_FEATURE_CLOCKSOURCE2", MSR_OR_HYPERCALL, HOST_WRITES_PAGE, probe_clock_cross_vcpu },
	{ "kvm.steal_time", "steal-time area through MSR_KVM_STEAL_TIME", ON_KVM,
	  "KVM_FEATURE_STEAL_TIME", MSR_OR_HYPERCALL, HOST_WRITES_PAGE, probe_steal_time },
	{ "kvm.async_pf", "async PF area registered and read back", ON_KVM,
	  "KVM_FEATURE_ASYNC_PF", MSR_OR_HYPERCALL, HOST_WRITES_PAGE, probe_async_pf },
	{ "kvm.pv_eoi", "PV EOI used to end a self-interrupt", ON_KVM,
	  "KVM_FEATURE_PV_EOI", MSR_OR_HYPERCALL, HOST_WRITES_PAGE, probe_pv_eoi },
	{ "kvm.poll_control", "host polling turned off and read back", ON_KVM,
	  "KVM_FEATURE_POLL_CONTROL", MSR_OR_HYPERCALL, NO_SHARED_PAGE, probe_round_trip },
	{ "kvm.async_pf_int", "async PF vector and ACK read back", ON_KVM,
	  "KVM_FEATURE_ASYNC_PF_INT", MSR_OR_HYPERCALL, NO_SHARED_PAGE, probe_round_trip },
	{ "kvm.hypercall", "an unknown hypercall returns -KVM_ENOSYS", ON_KVM, NULL,
	  MSR_OR_HYPERCALL, NO_SHARED_PAGE, probe_hypercall },
	{ "kvm.pv_sched_yield", "KVM_HC_SCHED_YIELD to ourselves returns 0", ON_KVM,
	  "KVM_FEATURE_PV_SCHED_YIELD", MSR_OR_HYPERCALL, NO_SHARED_PAGE, probe_sched_yield },
	{ "kvm.tsc_khz", "timing leaf TSC kHz against the PM timer", ON_KVM, "tsc_khz",
	  NO_MSR_OR_HYPERCALL, NO_SHARED_PAGE, probe_timing },
};
#define PROBE_COUNT (sizeof(probes) / sizeof(probes[0]))
_Static_assert(PROBE_COUNT + 1 <= PROBE_MAX, "room for the probes and a forced one");

/* x86's probes, then AArch64's (probe_smccc.c): each architecture runs
 * its own, and a requirement on the other's finds it not advertised. */
const char *probe_key(size_t index)
{
	return index < PROBE_COUNT ? probes[index].key : smccc_probe_key(index - PROBE_COUNT);
}

const char *probe_title(size_t index)
{
	return index < PROBE_COUNT ? probes[index].title : smccc_probe_title(index - PROBE_COUNT);
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
	case PROBE_NOT_APPLICABLE:
		return "not applicable";
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
	const char *td = cvm_td_exits(run->report);
	size_t mark = run->out->restore_count;
	uint64_t value, again;

	*result = (struct probe_result){
		.key = "forced_msr", .state = PROBE_WORKS,
		.title = forced->write ? "forced MSR write (--probe-msr)"
				       : "forced MSR read (--probe-msr)" };
	if (td) {
		set_state(result, PROBE_SKIPPED, TD_SKIPPED, td);
		return;
	}
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
	const char *private = cvm_private_memory(report), *td = cvm_td_exits(report);

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
		else if (probe->exits == MSR_OR_HYPERCALL && td)
			set_state(result, PROBE_SKIPPED, TD_SKIPPED, td);
		else if (probe->memory == HOST_WRITES_PAGE && private)
			set_state(result, PROBE_SKIPPED, "private memory in a confidential VM (%s): "
				  "the host cannot write the page, which hvfeat does not share",
				  private);
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
