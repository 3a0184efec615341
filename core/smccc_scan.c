/* The SMCCC calls a guest makes to learn its hypervisor, made (or
 * replayed) once each through a source, and what their answers add up
 * to. */
#include "smccc.h"

#include "ascii.h"

static const struct smccc_call *ask(struct smccc_report *report,
				    const struct smccc_source *source, uint32_t function,
				    uint64_t arg)
{
	if (report->call_count == SMCCC_CALLS_MAX)
		return NULL;
	struct smccc_call *call = &report->calls[report->call_count++];
	*call = (struct smccc_call){ .function = function, .arg = arg };
	source->call(source, call);
	return call;
}

static bool succeeded(const struct smccc_call *call)
{
	return call && !call->trapped && smccc_status(call) >= 0;
}

int32_t smccc_status(const struct smccc_call *call)
{
	return (int32_t)(uint32_t)call->x[0];
}

void smccc_scan(struct smccc_report *report, const struct smccc_source *source)
{
	*report = (struct smccc_report){ .asked = true, .kind = source->kind,
					 .description = source->description,
					 .conduit = source->conduit };
	format_text(report->conduit_origin, sizeof(report->conduit_origin), "%s",
		    source->conduit_origin ? source->conduit_origin : "");
	if (source->conduit == SMCCC_CONDUIT_NONE)
		return;

	uint32_t version = 0x10000;
	const struct smccc_call *call = ask(report, source, SMCCC_VERSION_FUNC_ID, 0);
	if (succeeded(call))
		version = (uint32_t)call->x[0];
	/* SMCCC_ARCH_FEATURES and the TRNG's discovery exist from 1.1 on
	 * (DEN 0028, 7.2; Linux smccc_probe_trng). */
	bool v1_1 = version >= 0x10001;
	bool pv_time = false;
	for (size_t i = 0; v1_1 && i < smccc_arch_feature_count; i++) {
		call = ask(report, source, SMCCC_ARCH_FEATURES_FUNC_ID,
			   smccc_arch_features[i].function);
		if (smccc_arch_features[i].function == SMCCC_HV_PV_TIME_FEATURES)
			pv_time = succeeded(call);
	}
	/* The Call UID query is in every SMCCC version (DEN 0028, 6.2). */
	ask(report, source, SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID, 0);
	const struct smccc_vendor *vendor = smccc_vendor(report);
	if (vendor && ascii_equal(vendor->key, "kvm", false))
		ask(report, source, SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID, 0);
	/* DEN 0057, 3: PV_TIME_FEATURES says which PV time calls there are;
	 * PV_TIME_ST itself starts the accounting, so only a probe calls it. */
	if (pv_time) {
		ask(report, source, SMCCC_HV_PV_TIME_FEATURES, SMCCC_HV_PV_TIME_FEATURES);
		ask(report, source, SMCCC_HV_PV_TIME_FEATURES, SMCCC_HV_PV_TIME_ST);
	}
	if (v1_1 && succeeded(ask(report, source, SMCCC_TRNG_VERSION, 0))) {
		static const uint32_t trng_functions[] = { SMCCC_TRNG_GET_UUID, SMCCC_TRNG_RND32,
							   SMCCC_TRNG_RND64 };
		for (size_t i = 0; i < sizeof(trng_functions) / sizeof(trng_functions[0]); i++)
			ask(report, source, SMCCC_TRNG_FEATURES, trng_functions[i]);
		if (succeeded(smccc_answer(report, SMCCC_TRNG_FEATURES, SMCCC_TRNG_GET_UUID)))
			ask(report, source, SMCCC_TRNG_GET_UUID, 0);
	}
	const struct smccc_call *uid = smccc_vendor_uid(report);
	if (uid)
		smccc_uuid_text(uid, report->vendor_uid);
	call = smccc_answer(report, SMCCC_TRNG_GET_UUID, 0);
	/* DEN 0098, 2.4: an unknown UUID returns NOT_SUPPORTED in w0. */
	if (call && !call->trapped && (uint32_t)call->x[0] != 0xffffffffu)
		smccc_uuid_text(call, report->trng_uuid);
}

const struct smccc_call *smccc_answer(const struct smccc_report *report,
				      uint32_t function, uint64_t arg)
{
	for (size_t i = 0; i < report->call_count; i++)
		if (report->calls[i].function == function && report->calls[i].arg == arg)
			return &report->calls[i];
	return NULL;
}

enum smccc_conduit smccc_conduit_from_arm_boot_flags(uint16_t flags)
{
	if (!(flags & 1u))
		return SMCCC_CONDUIT_NONE;
	return (flags & 2u) ? SMCCC_CONDUIT_HVC : SMCCC_CONDUIT_SMC;
}

enum smccc_conduit smccc_conduit_from_psci_method(const char *method)
{
	if (ascii_equal(method, "hvc", false))
		return SMCCC_CONDUIT_HVC;
	if (ascii_equal(method, "smc", false))
		return SMCCC_CONDUIT_SMC;
	return SMCCC_CONDUIT_NONE;
}

const char *smccc_conduit_name(enum smccc_conduit conduit)
{
	switch (conduit) {
	case SMCCC_CONDUIT_HVC:
		return "hvc";
	case SMCCC_CONDUIT_SMC:
		return "smc";
	case SMCCC_CONDUIT_NONE:
		break;
	}
	return "none";
}

void smccc_uuid_text(const struct smccc_call *call, char out[37])
{
	static const char digits[] = "0123456789abcdef";
	size_t at = 0;

	for (unsigned byte = 0; byte < 16; byte++) {
		uint8_t b = (uint8_t)(call->x[byte / 4] >> (8 * (byte % 4)));
		if (byte == 4 || byte == 6 || byte == 8 || byte == 10)
			out[at++] = '-';
		out[at++] = digits[b >> 4];
		out[at++] = digits[b & 15];
	}
	out[at] = '\0';
}

const struct smccc_call *smccc_vendor_uid(const struct smccc_report *report)
{
	const struct smccc_call *uid = smccc_answer(report, SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID, 0);

	/* DEN 0028, 6.2: an unimplemented UID query returns 0xffffffff in w0. */
	return uid && !uid->trapped && (uint32_t)uid->x[0] != 0xffffffffu ? uid : NULL;
}

const struct smccc_vendor *smccc_vendor(const struct smccc_report *report)
{
	const struct smccc_call *uid = smccc_vendor_uid(report);
	char text[37];

	if (!uid)
		return NULL;
	smccc_uuid_text(uid, text);
	for (size_t i = 0; i < smccc_vendor_count; i++)
		if (ascii_equal(text, smccc_vendors[i].uuid, true))
			return &smccc_vendors[i];
	return NULL;
}

bool smccc_kvm_function_offered(const struct smccc_report *report, unsigned bit)
{
	const struct smccc_call *features =
		smccc_answer(report, SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID, 0);

	/* Each register holds 32 bits of the bitmap (Linux bitmap_from_arr32
	 * over lower_32_bits of a0..a3). */
	return bit < 128 && features && !features->trapped &&
	       (((uint32_t)features->x[bit / 32] >> (bit % 32)) & 1u);
}

bool smccc_version(const struct smccc_report *report, uint32_t *version)
{
	const struct smccc_call *call = smccc_answer(report, SMCCC_VERSION_FUNC_ID, 0);

	if (!call)
		return false;
	*version = succeeded(call) ? (uint32_t)call->x[0] : 0x10000u;
	return true;
}

void render_smccc_summary(const struct smccc_report *report, struct text_sink *out)
{
	const struct smccc_call *uid = smccc_vendor_uid(report);
	const struct smccc_vendor *vendor = smccc_vendor(report);
	size_t trapped = 0, answered = 0;

	for (size_t i = 0; i < report->call_count; i++) {
		trapped += report->calls[i].trapped;
		answered += !report->calls[i].trapped &&
			    smccc_status(&report->calls[i]) != SMCCC_RET_NOT_SUPPORTED;
	}
	if (report->conduit == SMCCC_CONDUIT_NONE) {
		sink_puts(out, "no SMCCC conduit: the firmware names no PSCI");
	} else if (vendor) {
		sink_printf(out, "%s through %s", vendor->product,
			    smccc_conduit_name(report->conduit));
	} else if (uid) {
		sink_printf(out, "an unknown hypervisor UID through %s",
			    smccc_conduit_name(report->conduit));
	} else if (trapped == report->call_count) {
		sink_printf(out, "no hypervisor services: every %s trapped",
			    smccc_conduit_name(report->conduit));
	} else if (!answered) {
		sink_printf(out, "no hypervisor services: every call %sreturned NOT_SUPPORTED",
			    trapped ? "trapped or " : "");
	} else {
		sink_puts(out, "no vendor hypervisor UID; standard services only");
	}
}
