/* SMCCC's answers as facts: a key for what the scan asked, its value read
 * from the report's calls. The kvm and arch keys are the tables' keys
 * (smccc_tables.c) under "smccc.kvm." and "smccc.arch."; a unit test
 * holds the two lists together. */
#include "smccc_facts.h"

#include "ascii.h"
#include "hv_report.h"

static const struct fact_def defs[] = {
	{ "smccc.conduit", FACT_TEXT, 0, 0, "hvc, smc or none: SMCCC's conduit" },
	{ "smccc.version", FACT_NUMBER, 0x7fffffff, 0,
	  "SMCCC_VERSION, 0x10001 is 1.1" },
	{ "smccc.hypervisor", FACT_TEXT, 0, 0,
	  "UID of kvm, hyperv, xen, unknown" },
	{ "smccc.hypervisor.uid", FACT_TEXT, 0, 0, "the vendor hypervisor UID (a UUID)" },
	{ "smccc.kvm.features", FACT_NUMBER, 1, 0, "KVM offers its features bitmap" },
	{ "smccc.kvm.ptp", FACT_NUMBER, 1, 0, "KVM offers PTP (host clock and counter)" },
	{ "smccc.kvm.hyp_meminfo", FACT_NUMBER, 1, 0, "KVM offers HYP_MEMINFO (pKVM)" },
	{ "smccc.kvm.mem_share", FACT_NUMBER, 1, 0, "KVM offers MEM_SHARE (pKVM)" },
	{ "smccc.kvm.mem_unshare", FACT_NUMBER, 1, 0, "KVM offers MEM_UNSHARE (pKVM)" },
	{ "smccc.kvm.mmio_guard", FACT_NUMBER, 1, 0, "KVM offers MMIO_GUARD (pKVM)" },
	{ "smccc.kvm.discover_impl_ver", FACT_NUMBER, 1, 0,
	  "KVM offers DISCOVER_IMPL_VER" },
	{ "smccc.kvm.discover_impl_cpus", FACT_NUMBER, 1, 0,
	  "KVM offers DISCOVER_IMPL_CPUS" },
	{ "smccc.kvm.features_2", FACT_NUMBER, 1, 0, "KVM offers FEATURES_2" },
	{ "smccc.arch.workaround_1", FACT_TEXT, 0, 0, "Spectre v2: success, unaffected" },
	{ "smccc.arch.workaround_2", FACT_TEXT, 0, 0,
	  "SSBD: success, not_required" },
	{ "smccc.arch.workaround_3", FACT_TEXT, 0, 0, "Spectre-BHB: success, unaffected" },
	{ "smccc.arch.workaround_4", FACT_TEXT, 0, 0,
	  "prefetcher leak: success, ..." },
	{ "smccc.arch.soc_id", FACT_TEXT, 0, 0, "ARCH_FEATURES of ARCH_SOC_ID" },
	{ "smccc.arch.pv_time", FACT_TEXT, 0, 0,
	  "ARCH_FEATURES of PV time (DEN 0057)" },
	{ "smccc.pv_time.st", FACT_NUMBER, 1, 0, "PV time offers the stolen-time structure" },
	{ "smccc.trng.version", FACT_NUMBER, 0x7fffffff, 0,
	  "TRNG version, 0x10000 is 1.0 (0: none)" },
	{ "smccc.trng.uuid", FACT_TEXT, 0, 0, "the TRNG's UUID" },
};

static const char *answer_word(const struct smccc_call *call, bool arch_workaround,
			       struct fact_value *out)
{
	const struct smccc_return_code *code;

	if (call->trapped)
		return "the call trapped";
	code = smccc_return_code(smccc_status(call), arch_workaround);
	if (code) {
		out->text = code->word;
	} else {
		/* An answer no return code names: its value, which the report
		 * does not keep as text (the last one asked for is kept here). */
		static char raw[20];
		out->text = format_text(raw, sizeof(raw), "0x%x", (uint32_t)call->x[0]);
	}
	return NULL;
}

static const char *kvm_value(const struct smccc_report *s, const char *key,
			     struct fact_value *out)
{
	const struct smccc_vendor *vendor = smccc_vendor(s);

	if (!vendor || !ascii_equal(vendor->key, "kvm", false))
		return "the vendor hypervisor UID is not KVM's";
	for (size_t i = 0; i < smccc_kvm_function_count; i++)
		if (smccc_kvm_functions[i].key && ascii_equal(smccc_kvm_functions[i].key, key, false)) {
			out->number = smccc_kvm_function_offered(s, smccc_kvm_functions[i].first);
			return NULL;
		}
	return "not a KVM function hvfeat knows";
}

static const char *arch_value(const struct smccc_report *s, const char *key,
			      struct fact_value *out)
{
	for (size_t i = 0; i < smccc_arch_feature_count; i++) {
		const struct smccc_arch_feature *f = &smccc_arch_features[i];
		if (!ascii_equal(f->key, key, false))
			continue;
		const struct smccc_call *call =
			smccc_answer(s, SMCCC_ARCH_FEATURES_FUNC_ID, f->function);
		if (!call)
			return "SMCCC_ARCH_FEATURES not asked: SMCCC is older than 1.1";
		return answer_word(call, ascii_after_prefix(key, "workaround_", false) != NULL,
				   out);
	}
	return "not an ARCH_FEATURES item hvfeat knows";
}

static const char *value(const struct hv_report *report, const struct fact_def *def,
			 unsigned index, struct fact_value *out)
{
	const struct smccc_report *s = &report->smccc;
	const char *rest;
	uint32_t version;

	(void)index;
	if (!s->asked)
		return "no SMCCC answers: CPUID is this machine's interface";
	if (ascii_equal(def->key, "smccc.conduit", false)) {
		out->text = smccc_conduit_name(s->conduit);
		return NULL;
	}
	if (s->conduit == SMCCC_CONDUIT_NONE)
		return "no SMCCC conduit: nothing was called";
	if (ascii_equal(def->key, "smccc.version", false)) {
		smccc_version(s, &version);
		out->number = version;
		return NULL;
	}
	if (ascii_equal(def->key, "smccc.hypervisor", false)) {
		const struct smccc_vendor *vendor = smccc_vendor(s);
		out->text = vendor ? vendor->key : smccc_vendor_uid(s) ? "unknown" : "none";
		return NULL;
	}
	if (ascii_equal(def->key, "smccc.hypervisor.uid", false)) {
		if (!s->vendor_uid[0])
			return "no vendor hypervisor UID";
		out->text = s->vendor_uid;
		return NULL;
	}
	if ((rest = ascii_after_prefix(def->key, "smccc.kvm.", false)))
		return kvm_value(s, rest, out);
	if ((rest = ascii_after_prefix(def->key, "smccc.arch.", false)))
		return arch_value(s, rest, out);
	if (ascii_equal(def->key, "smccc.pv_time.st", false)) {
		const struct smccc_call *st =
			smccc_answer(s, SMCCC_HV_PV_TIME_FEATURES, SMCCC_HV_PV_TIME_ST);
		out->number = st && !st->trapped && smccc_status(st) == SMCCC_RET_SUCCESS;
		return NULL;
	}
	const struct smccc_call *trng = smccc_answer(s, SMCCC_TRNG_VERSION, 0);
	if (ascii_equal(def->key, "smccc.trng.version", false)) {
		if (!trng)
			return "TRNG_VERSION not asked: SMCCC is older than 1.1";
		out->number = !trng->trapped && smccc_status(trng) >= 0 ? (uint32_t)trng->x[0] : 0;
		return NULL;
	}
	if (!s->trng_uuid[0])
		return "no TRNG UUID";
	out->text = s->trng_uuid;
	return NULL;
}

const struct fact_family smccc_facts = {
	"SMCCC, Arm's hypervisor services (AArch64, or an SMCCC recording)",
	defs, sizeof(defs) / sizeof(defs[0]), value,
};
