/* Hyper-V's probes, on the first Hyper-V-compatible block (Microsoft's or
 * KVM's emulation of it): the VP index, the reference counter and the
 * reference TSC page (Hyper-V TLFS 6.0, 12.4, 12.7 and the appendix). */
#include "probe_framework.h"

#include "clocks.h"

/* Hyper-V TLFS 6.0, appendix: synthetic MSRs */
#define HV_X64_MSR_VP_INDEX 0x40000002u
#define HV_X64_MSR_TIME_REF_COUNT 0x40000020u
#define HV_X64_MSR_REFERENCE_TSC 0x40000021u
#define HV_REFERENCE_TSC_ENABLE 1u
#define HV_REFERENCE_HZ 10000000u /* the reference counter counts 100 ns */
/* Put in the TSC page's sequence before it is enabled: the host writes the
 * sequence whatever it decides (KVM's kvm_hv_setup_tsc_page writes 0
 * first), so a page still holding it was never written. No host uses it:
 * KVM skips it when it counts the sequence up. */
#define SEQUENCE_NOT_WRITTEN 0xffffffffu

PROBE(probe_vp_index)
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

PROBE(probe_time_ref_count)
{
	(void)advertised_by;
	judge_clock_rate(run, result, sample_reference_counter, NULL, "the reference counter",
			 HV_REFERENCE_HZ, "reference_counts");
}

/* The reference time from the TSC page by its sequence protocol (TLFS
 * 12.7.3; Linux hv_read_tsc_page_tsc): sequence, TSC, scale and offset,
 * sequence again. 0 means "use the MSR": the host is updating the page or
 * keeps it invalid, so the host gets turns to make it valid again. False
 * when it never did. */
static bool reference_page_time(struct run *run, uint64_t *time)
{
	volatile const uint8_t *page = run->m->pages[1];

	for (uint32_t tries = 0; tries < HOST_UPDATE_TRIES; tries++) {
		uint32_t sequence = load32(page);
		compiler_barrier();
		uint64_t tsc = run->m->read_tsc(run->m->context);
		uint64_t scale = load64(page + 8);
		int64_t offset = (int64_t)load64(page + 16);
		compiler_barrier();
		if (sequence && sequence == load32(page)) {
			*time = hv_reference_time(tsc, scale, offset);
			return true;
		}
		if (!sequence)
			give_host_a_turn(run);
	}
	return false;
}

static bool sample_reference_page(struct run *run, struct probe_result *result,
				  uint64_t *time)
{
	if (reference_page_time(run, time))
		return true;
	set_state(result, PROBE_SKIPPED, "the page turned invalid while in use and stayed so, "
		  "which the TLFS allows: nothing judged");
	return false;
}

/* Enables the reference TSC page: the host must write it; a valid page must
 * run at 10 MHz by the PM timer. A page the host keeps invalid (sequence
 * 0) is legal, and leaves nothing to measure. */
PROBE(probe_reference_tsc)
{
	size_t mark = run->out->restore_count;
	volatile uint8_t *page = run->m->pages[1];

	(void)advertised_by;
	clear(page, 24);
	store32(page, SEQUENCE_NOT_WRITTEN);
	if (!msr_write_noted(run, result, mark, HV_X64_MSR_REFERENCE_TSC,
			     run->m->page_addresses[1] | HV_REFERENCE_TSC_ENABLE))
		goto out;
	uint32_t sequence = wait_for_host(run, page, SEQUENCE_NOT_WRITTEN);
	if (sequence == SEQUENCE_NOT_WRITTEN) {
		set_state(result, PROBE_BROKEN, "the host never wrote the TSC page");
		goto out;
	}
	add_value(result, "tsc_sequence", sequence, VALUE_HEX);
	if (!sequence) {
		set_state(result, PROBE_SKIPPED, "the host keeps the page invalid (sequence 0: "
			  "use the reference counter MSR), which the TLFS allows");
		goto out;
	}
	add_value(result, "tsc_scale", load64(page + 8), VALUE_HEX);
	judge_clock_rate(run, result, sample_reference_page, NULL, "the TSC page's reference time",
			 HV_REFERENCE_HZ, "reference_counts");
out:
	restore_from(run, mark);
}
