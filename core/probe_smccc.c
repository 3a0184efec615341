/* The AArch64 probes: KVM's PTP call against the generic timer and the
 * RTC, PV stolen time (Arm DEN 0057), and each Spectre-class workaround
 * call the hypervisor says it implements (Arm DEN 0028), each judged by
 * what it measured. KVM's semantics are
 * Documentation/virt/kvm/arm/{ptp_kvm,pvtime}.rst and
 * arch/arm64/kvm/{hypercalls,pvtime}.c, hyp/hyp-entry.S. */
#include "probe_smccc.h"

#include "clocks.h"
#include "probe_framework.h"

/* How long the second PTP call waits, and stolen time is watched. */
#define INTERVAL_MS 100u
/* The host's wall clock against the counter: NTP slews by 500 ppm at most. */
#define PTP_RATE_TOLERANCE_PPM 1000
#define WALL_CLOCK_TOLERANCE_S 2
/* DEN 0057, 3.2: the stolen-time structure, 64 bytes, 64-byte aligned:
 * Revision (u32, 0), Attributes (u32, 0), Stolen time (u64, ns). */
#define STOLEN_TIME_SIZE 64u
#define STOLEN_TIME_NS 8u
#define NOT_SUPPORTED_64 0xffffffffffffffffull

struct smccc_run {
	struct hv_report *report;
	const struct smccc_probe_machine *m;
};

struct smccc_probe_def {
	const char *key, *title;
	bool (*advertised)(const struct smccc_report *s, const struct smccc_probe_def *def);
	void (*run)(struct smccc_run *run, const struct smccc_probe_def *def,
		    struct probe_result *result);
	/* A workaround's function and x1 (smccc_arch_features' rows). */
	uint32_t function;
	uint64_t argument;
};

static bool kvm_offers(const struct smccc_report *s, unsigned bit)
{
	const struct smccc_vendor *vendor = smccc_vendor(s);

	return vendor && vendor->key[0] == 'k' && smccc_kvm_function_offered(s, bit);
}

static bool ptp_advertised(const struct smccc_report *s, const struct smccc_probe_def *def)
{
	(void)def;
	return kvm_offers(s, 1); /* ARM_SMCCC_KVM_FUNC_PTP */
}

static bool stolen_time_advertised(const struct smccc_report *s,
				   const struct smccc_probe_def *def)
{
	(void)def;
	const struct smccc_call *st =
		smccc_answer(s, SMCCC_HV_PV_TIME_FEATURES, SMCCC_HV_PV_TIME_ST);

	return st && !st->trapped && smccc_status(st) == SMCCC_RET_SUCCESS;
}

static bool call(struct smccc_run *run, struct probe_result *result, struct smccc_call *c)
{
	run->m->call(run->m->context, c);
	if (!c->trapped)
		return true;
	set_state(result, PROBE_BROKEN, "the call 0x%08x trapped (ESR 0x%08x)", c->function,
		  c->syndrome);
	return false;
}

/* Counter ticks in ms. */
static uint64_t ticks(const struct smccc_run *run, uint64_t ms)
{
	return scale_u64(run->m->counter_hz, ms, 1000);
}

/* ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID with the virtual counter: x0:x1
 * the host's wall clock in ns, x2:x3 the counter at that moment
 * (hypercalls.c, kvm_ptp_get_time). */
static bool ptp_sample(struct smccc_run *run, struct probe_result *result, uint64_t *wall_ns,
		       uint64_t *cycles, uint64_t *before, uint64_t *after)
{
	struct smccc_call c = { .function = SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID,
				.arg = KVM_PTP_VIRT_COUNTER };

	*before = run->m->counter(run->m->context);
	if (!call(run, result, &c))
		return false;
	*after = run->m->counter(run->m->context);
	if (smccc_status(&c) == SMCCC_RET_NOT_SUPPORTED) {
		/* KVM's answer when its clocksource is not the counter. */
		set_state(result, PROBE_BROKEN, "advertised, but the call returned NOT_SUPPORTED");
		return false;
	}
	*wall_ns = (uint64_t)(uint32_t)c.x[0] << 32 | (uint32_t)c.x[1];
	*cycles = (uint64_t)(uint32_t)c.x[2] << 32 | (uint32_t)c.x[3];
	if (*cycles < *before || *cycles > *after) {
		set_state(result, PROBE_BROKEN, "its counter 0x%lx is outside CNTVCT_EL0 around "
			  "the call (0x%lx to 0x%lx)", (unsigned long)*cycles,
			  (unsigned long)*before, (unsigned long)*after);
		return false;
	}
	return true;
}

static void probe_ptp(struct smccc_run *run, const struct smccc_probe_def *def,
		      struct probe_result *result)
{
	uint64_t wall[2], cycles[2], before, after;
	int64_t rtc, zone;
	int16_t zone_minutes;

	(void)def;
	if (!run->m->counter_hz) {
		set_state(result, PROBE_SKIPPED, "CNTFRQ_EL0 is 0: the counter's rate is unknown");
		return;
	}
	if (!ptp_sample(run, result, &wall[0], &cycles[0], &before, &after))
		return;
	add_value(result, "wall_ns", wall[0], VALUE_DECIMAL);
	add_value(result, "counter", cycles[0], VALUE_HEX);
	add_value(result, "cntfrq_hz", run->m->counter_hz, VALUE_DECIMAL);
	uint64_t until = after + ticks(run, INTERVAL_MS);
	while (run->m->counter(run->m->context) < until)
		compiler_barrier();
	if (!ptp_sample(run, result, &wall[1], &cycles[1], &before, &after))
		return;
	uint64_t counted_ns = scale_u64(cycles[1] - cycles[0], 1000000000u, run->m->counter_hz);
	add_value(result, "wall_delta_ns", wall[1] - wall[0], VALUE_DECIMAL);
	add_value(result, "counter_delta_ns", counted_ns, VALUE_DECIMAL);
	if (wall[1] < wall[0] || !counted_ns) {
		set_state(result, PROBE_BROKEN, "the host's wall clock or the counter went backwards "
			  "or stood still");
		return;
	}
	int64_t ppm = deviation_ppm(wall[1] - wall[0], counted_ns);
	add_value(result, "wall_vs_counter_ppm", (uint64_t)ppm, VALUE_SIGNED);
	if (ppm > PTP_RATE_TOLERANCE_PPM || ppm < -PTP_RATE_TOLERANCE_PPM) {
		set_state(result, PROBE_BROKEN, "the host's wall clock ran %+ld ppm from the "
			  "counter", ppm);
		return;
	}
	if (!run->m->rtc || !run->m->rtc(run->m->context, &rtc, &zone_minutes)) {
		remark(result, "no firmware clock to compare the wall clock with");
		return;
	}
	int64_t off = wall_minus_rtc((int64_t)(wall[1] / 1000000000u), rtc, zone_minutes, &zone);
	add_value(result, "rtc_zone_s", (uint64_t)zone, VALUE_SIGNED);
	add_value(result, "wall_minus_rtc_s", (uint64_t)off, VALUE_SIGNED);
	if (off > WALL_CLOCK_TOLERANCE_S || off < -WALL_CLOCK_TOLERANCE_S)
		set_state(result, PROBE_BROKEN, "the host's wall clock is %+ld s from the firmware "
			  "clock", off);
}

/* PV_TIME_ST gives the structure's address and starts the accounting
 * (pvtime.c, kvm_init_stolen_time, zeroes it). Called a second time over a
 * marker, it must zero it again: the host writes there. No call undoes the
 * registration (pvtime.rst): the structure's memory must stay the host's
 * for good, which keep_reserved sees to. */
static void probe_stolen_time(struct smccc_run *run, const struct smccc_probe_def *def,
			      struct probe_result *result)
{
	struct smccc_call c = { .function = SMCCC_HV_PV_TIME_ST };
	const char *where = "";

	(void)def;
	if (!call(run, result, &c))
		return;
	uint64_t ipa = c.x[0];
	if (ipa == NOT_SUPPORTED_64) {
		set_state(result, PROBE_BROKEN, "advertised, but PV_TIME_ST returned NOT_SUPPORTED");
		return;
	}
	add_value(result, "ipa", ipa, VALUE_HEX);
	run->report->probes.kept_registered = "PV stolen time stays registered (DEN 0057 has "
					       "no call to undo it)";
	if (ipa % STOLEN_TIME_SIZE) {
		set_state(result, PROBE_BROKEN, "the structure at 0x%lx is not 64-byte aligned",
			  (unsigned long)ipa);
		return;
	}
	if (!run->m->keep_reserved(run->m->context, ipa, STOLEN_TIME_SIZE, &where)) {
		set_state(result, PROBE_BROKEN, "the host writes 0x%lx, which stays %s",
			  (unsigned long)ipa, where);
		return;
	}
	run->m->store64(run->m->context, ipa + STOLEN_TIME_NS, NOT_SUPPORTED_64);
	c = (struct smccc_call){ .function = SMCCC_HV_PV_TIME_ST };
	if (!call(run, result, &c))
		return;
	uint64_t header = run->m->load64(run->m->context, ipa);
	uint64_t stolen = run->m->load64(run->m->context, ipa + STOLEN_TIME_NS);
	add_value(result, "revision_attributes", header, VALUE_HEX);
	if (c.x[0] != ipa || stolen == NOT_SUPPORTED_64) {
		set_state(result, PROBE_BROKEN, "the host did not write the structure again at "
			  "the second PV_TIME_ST");
		return;
	}
	if (header) {
		set_state(result, PROBE_BROKEN, "revision and attributes are 0x%lx, not 0 "
			  "(DEN 0057 1.0)", (unsigned long)header);
		return;
	}
	/* The host updates the structure when it next loads the vCPU; an RTC
	 * read exits to the VMM, which does that. */
	uint64_t start = run->m->counter(run->m->context), now = start;
	uint64_t later = stolen;
	while (now - start < ticks(run, INTERVAL_MS)) {
		int64_t seconds;
		int16_t zone;
		if (run->m->rtc)
			run->m->rtc(run->m->context, &seconds, &zone);
		later = run->m->load64(run->m->context, ipa + STOLEN_TIME_NS);
		now = run->m->counter(run->m->context);
	}
	add_value(result, "stolen_ns", later - stolen, VALUE_DECIMAL);
	add_value(result, "watched_ns", scale_u64(now - start, 1000000000u, run->m->counter_hz),
		  VALUE_DECIMAL);
	if (later < stolen) {
		set_state(result, PROBE_BROKEN, "stolen time went backwards");
		return;
	}
	remark(result, "written by the host; %s in %u ms; its memory %s",
	       later > stolen ? "moved" : "unchanged (the vCPU never waited)", INTERVAL_MS,
	       where);
}

/* The ARCH_FEATURES answer about a workaround, when the call was made. */
static const struct smccc_call *workaround_feature(const struct smccc_report *s,
						   const struct smccc_probe_def *def)
{
	const struct smccc_call *feature =
		smccc_answer(s, SMCCC_ARCH_FEATURES_FUNC_ID, def->function);

	return feature && !feature->trapped ? feature : NULL;
}

/* A workaround is implemented when SMCCC_ARCH_FEATURES answers 0 or more
 * for it (Arm DEN 0028 v1.4, 7.5-7.7): SUCCESS, needed here, or
 * SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED (1), implemented but not needed on
 * this PE, where the call is still safe (KVM takes it on its fast path
 * whatever it said). NOT_REQUIRED (-2) says not to call it, NOT_SUPPORTED
 * (-1) that there is none. */
static bool workaround_advertised(const struct smccc_report *s,
				  const struct smccc_probe_def *def)
{
	const struct smccc_call *feature = workaround_feature(s, def);

	return feature && smccc_status(feature) >= SMCCC_RET_SUCCESS;
}

/* The call a guest kernel makes on its own transitions, made once. What
 * it mitigates is invisible to a guest; what is measured is that the
 * hypervisor takes it and returns. WORKAROUND_1 and _3 leave no state.
 * WORKAROUND_2's x1 = 1 asks for the SSB mitigation on this vCPU, its
 * state at reset (DEN 0028 7.6; TF-A's dynamic mitigation and KVM up to
 * 5.9, kvm_reset_vcpu, turn it on at reset); x1 = 0 would turn it off,
 * which hvfeat never asks. No call reads the state back: had something
 * before hvfeat turned it off, hvfeat turned it on again, the safe
 * direction, and cannot tell. KVM 6.1 never offers WORKAROUND_2
 * (hypercalls.c) and answers WORKAROUND_1 and _3 on its fast path with
 * x0 = 0 (hyp-entry.S, wa_epilogue). */
static void probe_workaround(struct smccc_run *run, const struct smccc_probe_def *def,
			     struct probe_result *result)
{
	struct smccc_call c = { .function = def->function, .arg = def->argument };

	uint64_t before = run->m->counter(run->m->context);
	if (!call(run, result, &c))
		return;
	uint64_t after = run->m->counter(run->m->context);
	add_value(result, "x0", c.x[0], VALUE_HEX);
	if (run->m->counter_hz)
		add_value(result, "call_ns",
			  scale_u64(after - before, 1000000000u, run->m->counter_hz),
			  VALUE_DECIMAL);
	if (smccc_status(&c) == SMCCC_RET_NOT_SUPPORTED) {
		set_state(result, PROBE_BROKEN, "advertised by SMCCC_ARCH_FEATURES, but the call "
			  "returned NOT_SUPPORTED");
		return;
	}
	bool unaffected = smccc_status(workaround_feature(&run->report->smccc, def)) > 0;
	remark(result, "%s%s", def->argument ? "called once, with x1 = 1: the mitigation left "
					       "on, its state at reset"
					     : "called once; it leaves no state",
	       unaffected ? " (UNAFFECTED: implemented, not needed on this vCPU)" : "");
}

static const struct smccc_probe_def smccc_probes[] = {
	{ "smccc.kvm.ptp", "KVM PTP against CNTVCT_EL0, the RTC", ptp_advertised,
	  probe_ptp, 0, 0 },
	{ "smccc.pv_time.st", "PV stolen time written by the host",
	  stolen_time_advertised, probe_stolen_time, 0, 0 },
	/* Linux arm-smccc.h ARM_SMCCC_ARCH_WORKAROUND_1..3. WORKAROUND_4 is
	 * discovery only: its firmware mitigates without a call. */
	{ "smccc.arch.workaround_1", "Spectre v2 workaround called once",
	  workaround_advertised, probe_workaround, SMCCC_ARCH_WORKAROUND_1, 0 },
	{ "smccc.arch.workaround_2", "Spectre v4 workaround called, left on",
	  workaround_advertised, probe_workaround, SMCCC_ARCH_WORKAROUND_2, 1 },
	{ "smccc.arch.workaround_3", "Spectre-BHB workaround called once",
	  workaround_advertised, probe_workaround, SMCCC_ARCH_WORKAROUND_3, 0 },
};
#define SMCCC_PROBE_COUNT (sizeof(smccc_probes) / sizeof(smccc_probes[0]))

const char *smccc_probe_key(size_t index)
{
	return index < SMCCC_PROBE_COUNT ? smccc_probes[index].key : NULL;
}

const char *smccc_probe_title(size_t index)
{
	return index < SMCCC_PROBE_COUNT ? smccc_probes[index].title : NULL;
}

void smccc_probe_run(struct hv_report *report, const struct smccc_probe_machine *machine)
{
	struct probe_report *out = &report->probes;
	struct smccc_run run = { report, machine };

	*out = (struct probe_report){ .requested = true };
	for (size_t i = 0; i < SMCCC_PROBE_COUNT; i++) {
		const struct smccc_probe_def *probe = &smccc_probes[i];
		struct probe_result *result = &out->results[out->count++];
		*result = (struct probe_result){ .key = probe->key, .title = probe->title,
						 .state = PROBE_WORKS };
		if (report->smccc.conduit == SMCCC_CONDUIT_NONE ||
		    !probe->advertised(&report->smccc, probe))
			result->state = PROBE_NOT_ADVERTISED;
		else
			probe->run(&run, probe, result);
	}
}
