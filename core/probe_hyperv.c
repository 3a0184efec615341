/* Hyper-V's probes, on the first Hyper-V-compatible block (Microsoft's or
 * KVM's emulation of it): the VP index, the reference counter and the
 * reference TSC page (Hyper-V TLFS 6.0, 12.4 and appendix). */
#include "probe_framework.h"

#include "clocks.h"

/* Hyper-V TLFS 6.0, appendix: synthetic MSRs */
#define HV_X64_MSR_VP_INDEX 0x40000002u
#define HV_X64_MSR_TIME_REF_COUNT 0x40000020u
#define HV_X64_MSR_REFERENCE_TSC 0x40000021u
#define HV_REFERENCE_TSC_ENABLE 1u
#define HV_REFERENCE_HZ 10000000u /* the reference counter counts 100 ns */


/* --- Hyper-V ----------------------------------------------------------- */

void probe_vp_index(struct run *run, struct probe_result *result,
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

void probe_time_ref_count(struct run *run, struct probe_result *result,
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

void probe_reference_tsc(struct run *run, struct probe_result *result,
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
