/* SMCCC's answers through JSON reports, baselines and policies: the
 * committed arm64 KVM recording and copies of it with chosen answers
 * edited. hvfeat's JSON of the recording reads back call for call (and in
 * jq -S's layout, committed in tests/dumps/reports), malformed "smccc"
 * members are refused with their line; each edit gives exactly the drift
 * results and outcomes the README's table gives, with labels written here
 * from Linux include/linux/arm-smccc.h (ARM_SMCCC_KVM_FUNC_* bit numbers,
 * ARM_SMCCC_ARCH_* identifiers) and the requirement keys, not taken from
 * hvfeat's tables; the policy --write-policy writes pins what was offered. */
#include "arm_recordings.h"

#include "checks.h"
#include "drift.h"
#include "judge.h"
#include "smccc_facts.h"

/* --- reading "smccc" back ------------------------------------------------ */

static void assert_same_calls(const struct smccc_report *r, const struct smccc_recording *rec)
{
	assert_int_equal(rec->conduit, r->conduit);
	assert_string_equal(rec->conduit_origin, r->conduit_origin);
	assert_int_equal(rec->count, r->call_count);
	for (size_t i = 0; i < r->call_count; i++) {
		const struct smccc_call *a = &rec->calls[i], *b = &r->calls[i];
		assert_int_equal(a->function, b->function);
		assert_int_equal(a->arg, b->arg);
		assert_memory_equal(a->x, b->x, sizeof(a->x));
		assert_int_equal(a->trapped, b->trapped);
		assert_int_equal(a->syndrome, b->syndrome);
	}
}

/* The arm64 recordings, and a section with a trap and 64-bit registers:
 * the JSON hvfeat writes of each gives back the same calls, the same
 * raw dump, and the same smccc.* facts. */
static void json_reads_back_call_for_call(void **state)
{
	(void)state;
	const char *texts[] = {
		read_text_file(KVM_ARM64), read_text_file(TCG_ARM64),
		"SMCCC:\n   conduit smc (device tree /psci method)\n"
		"   0x80000000 0x0: x0=0x10002\n"
		"   0x80000001 0x80008000: trapped esr=0x5e000000\n"
		"   0x80000001 0xffffffffffffffff: x0=0xffffffffffffffff x1=0x1\n"
		"      x2=0xfedcba9876543210 x3=0x8000000000000000\n",
		"SMCCC:\n   conduit none (no ACPI FADT with ARM boot flags)\n",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		static char raw[1 << 16];
		struct hv_report *from_text = replay(&baseline_report, texts[i], "text");
		snprintf(raw, sizeof(raw), "%s", raw_of(from_text));
		size_t length;
		char *json = render_to_memory(from_text, OUTPUT_JSON, malloc, &length);
		assert_true(cpuid_input_is_json(json, length));
		struct hv_report *from_json = replay_bytes(&now_report, json, length, "json");
		assert_same_calls(&from_text->smccc, &dump.smccc);
		assert_true(dump.smccc.conduit_given);
		assert_string_equal(raw_of(from_json), raw);
		assert_same_facts(&smccc_facts, from_text, from_json);
		free(json);
	}
	/* the first one is the recording itself, byte for byte */
	replay(&now_report, read_text_file(KVM_ARM64), "text");
	assert_string_equal(raw_of(&now_report), read_text_file(KVM_ARM64));
}

/* jq 1.6's "jq -S ." of hvfeat -f KVM_ARM64 -j: "calls" comes before
 * "conduit", "x" after "trapped". */
static void jq_sorted_layout_reads_back(void **state)
{
	(void)state;
	replay(&now_report, read_text_file(KVM_ARM64_JQ_SORTED), "jq -S");
	assert_string_equal(raw_of(&now_report), read_text_file(KVM_ARM64));
	replay(&baseline_report, read_text_file(KVM_ARM64), "text");
	assert_same_facts(&smccc_facts, &baseline_report, &now_report);
}

#define REPORT(smccc) "{\"tool\": \"hvfeat\", \"leaves\": [],\n\"smccc\": " smccc "}"
#define CONDUIT "\"conduit\": \"hvc\", \"conduit_origin\": \"test\""
#define CALLS(...) "{" CONDUIT ",\n\"calls\": [" __VA_ARGS__ "]}"
#define CALL_OF(function, arg, x) \
	"{\"function\": " function ", \"arg\": " arg ", \"x\": " x \
	", \"trapped\": false, \"syndrome\": 0}"
#define X0(x0) "[\"" x0 "\", \"0x0\", \"0x0\", \"0x0\"]"
#define VERSION_CALL CALL_OF("2147483648", "\"0x0\"", X0("0x10001"))

static void malformed_smccc_members(void **state)
{
	(void)state;
	char origin_64[256];
	snprintf(origin_64, sizeof(origin_64), REPORT("{\"conduit\": \"hvc\", \"conduit_origin\": "
						      "\"%064d\", \"calls\": []}"), 0);
	static const struct refusal cases[] = {
		{ REPORT("[]"), "\"smccc\" is not an object or null", 2 },
		{ REPORT("\"hvc\""), "\"smccc\" is not an object or null", 2 },
		{ REPORT("{\"calls\": []}"),
		  "an \"smccc\" object without \"conduit\", \"conduit_origin\" and \"calls\"", 2 },
		{ REPORT("{" CONDUIT "}"),
		  "an \"smccc\" object without \"conduit\", \"conduit_origin\" and \"calls\"", 2 },
		{ REPORT("{\"conduit\": \"pio\", \"conduit_origin\": \"x\", \"calls\": []}"),
		  "conduit is not hvc, smc or none", 2 },
		{ REPORT("{\"conduit\": 1, \"conduit_origin\": \"x\", \"calls\": []}"),
		  "conduit is not hvc, smc or none", 2 },
		{ REPORT("{\"conduit\": \"hvc\", \"conduit_origin\": \"a\\tb\", \"calls\": []}"),
		  "the conduit's origin is not printable ASCII", 2 },
		{ REPORT("{\"conduit\": \"hvc\", \"conduit_origin\": null, \"calls\": []}"),
		  "the conduit's origin is not a string", 2 },
		{ REPORT("{" CONDUIT ", \"conduit\": \"smc\", \"calls\": []}"),
		  "\"smccc\" names a member twice", 2 },
		{ REPORT("{" CONDUIT ", \"calls\": {}}"), "\"calls\" is not an array", 2 },
		{ REPORT(CALLS("1")), "an SMCCC call is not an object", 3 },
		{ REPORT(CALLS("{\"function\": 2147483648}")),
		  "an SMCCC call without all of \"function\", \"arg\", \"x\", \"trapped\" and "
		  "\"syndrome\"", 3 },
		{ REPORT(CALLS(CALL_OF("4294967296", "\"0x0\"", X0("0x0")))),
		  "an SMCCC call's \"function\" is not a whole number of 32 bits", 3 },
		{ REPORT(CALLS(CALL_OF("\"0x80000000\"", "\"0x0\"", X0("0x0")))),
		  "an SMCCC call's \"function\" is not a whole number of 32 bits", 3 },
		{ REPORT(CALLS(CALL_OF("2147483648", "0", X0("0x0")))),
		  "an SMCCC call's \"arg\" is not a hex string of 64 bits", 3 },
		{ REPORT(CALLS(CALL_OF("2147483648", "\"0\"", X0("0x0")))),
		  "an SMCCC call's \"arg\" is not a hex string of 64 bits", 3 },
		{ REPORT(CALLS(CALL_OF("2147483648", "\"0x\"", X0("0x0")))),
		  "an SMCCC call's \"arg\" is not a hex string of 64 bits", 3 },
		{ REPORT(CALLS(CALL_OF("2147483648", "\"0x10000000000000000\"", X0("0x0")))),
		  "an SMCCC call's \"arg\" is not a hex string of 64 bits", 3 },
		{ REPORT(CALLS(CALL_OF("2147483648", "\"0x0 \"", X0("0x0")))),
		  "an SMCCC call's \"arg\" is not a hex string of 64 bits", 3 },
		{ REPORT(CALLS(CALL_OF("2147483648", "\"0x0\"", X0("0xg")))),
		  "an SMCCC call's \"x\" is not an array of four hex strings of 64 bits", 3 },
		{ REPORT(CALLS(CALL_OF("2147483648", "\"0x0\"", "[\"0x1\", \"0x0\", \"0x0\"]"))),
		  "an SMCCC call's \"x\" is not an array of four hex strings of 64 bits", 3 },
		{ REPORT(CALLS(CALL_OF("2147483648", "\"0x0\"",
				       "[\"0x1\", \"0x0\", \"0x0\", \"0x0\", \"0x0\"]"))),
		  "an SMCCC call's \"x\" is not an array of four hex strings of 64 bits", 3 },
		{ REPORT(CALLS(CALL_OF("2147483648", "\"0x0\"", "[1, 0, 0, 0]"))),
		  "an SMCCC call's \"x\" is not an array of four hex strings of 64 bits", 3 },
		{ REPORT(CALLS(CALL_OF("2147483648", "\"0x0\"", "{}"))),
		  "an SMCCC call's \"x\" is not an array of four hex strings of 64 bits", 3 },
		{ REPORT(CALLS("{\"function\": 1, \"arg\": \"0x0\", \"x\": " X0("0x0")
			       ", \"trapped\": 0, \"syndrome\": 0}")),
		  "an SMCCC call's \"trapped\" is not true or false", 3 },
		{ REPORT(CALLS("{\"function\": 1, \"arg\": \"0x0\", \"x\": " X0("0x0")
			       ", \"trapped\": true, \"syndrome\": -1}")),
		  "an SMCCC call's \"syndrome\" is not a whole number of 32 bits", 3 },
		{ REPORT(CALLS("{\"function\": 1, \"function\": 1}")),
		  "an SMCCC call names a member twice", 3 },
		{ REPORT(CALLS(VERSION_CALL ",\n" VERSION_CALL)),
		  "function and argument given twice", 4 },
		{ REPORT("{" CONDUIT ", \"calls\": []},\n\"smccc\": null"), "\"smccc\" given twice",
		  3 },
		{ "{\"tool\": \"hvfeat\", \"leaves\": [], \"smccc\": null}", "no CPUID leaves in it",
		  0 },
	};
	EXPECT_REFUSALS(cases);
	assert_string_equal(refused(origin_64)->reason, "the conduit's origin is too long");

	/* 33 calls: one more than a recording holds */
	static char many[1 << 14];
	size_t n = (size_t)snprintf(many, sizeof(many), "{\"tool\": \"hvfeat\", \"leaves\": [], "
							"\"smccc\": {" CONDUIT ", \"calls\": [");
	for (unsigned i = 0; i <= SMCCC_CALLS_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n,
				      "%s{\"function\": 2147483649, \"arg\": \"0x%x\", \"x\": "
				      X0("0x0") ", \"trapped\": false, \"syndrome\": 0}",
				      i ? ",\n" : "", i);
	snprintf(many + n, sizeof(many) - n, "]}}");
	assert_string_equal(refused(many)->reason, "more calls than hvfeat keeps (32)");
	assert_int_equal(dump.problems[0].line, SMCCC_CALLS_MAX + 1);

	/* what is taken: a call from 0x0 to 2^64 - 1, in any member order,
	 * members hvfeat does not read passed over; a report without
	 * "smccc", or with null, has none */
	const char *taken = REPORT("{\"calls\": [{\"x\": [\"0x0\", \"0X1\", "
				   "\"0xffffffffffffffff\", \"0x00000000000000000002\"], "
				   "\"syndrome\": 4294967295, \"trapped\": true, \"arg\": "
				   "\"0xFFFFFFFFFFFFFFFF\", \"function\": 0, \"note\": [1]}], "
				   "\"version\": 65537, " CONDUIT "}");
	assert_true(report_json_parse(&dump, taken, strlen(taken)));
	assert_true(dump.smccc.present && dump.smccc.conduit_given);
	assert_int_equal(dump.smccc.conduit, SMCCC_CONDUIT_HVC);
	assert_int_equal(dump.smccc.count, 1);
	assert_int_equal(dump.smccc.calls[0].arg, UINT64_MAX);
	assert_int_equal(dump.smccc.calls[0].x[1], 1);
	assert_int_equal(dump.smccc.calls[0].x[2], UINT64_MAX);
	assert_int_equal(dump.smccc.calls[0].x[3], 2);
	assert_true(dump.smccc.calls[0].trapped);
	assert_int_equal(dump.smccc.calls[0].syndrome, 0xffffffffu);
	const char *x86 = "{\"tool\": \"hvfeat\", \"smccc\": null, \"leaves\": [{\"leaf\": 0, "
			  "\"subleaf\": 0, \"eax\": 1, \"ebx\": 2, \"ecx\": 3, \"edx\": 4}]}";
	assert_true(report_json_parse(&dump, x86, strlen(x86)));
	assert_false(dump.smccc.present);
	assert_int_equal(dump.record_count, 1);
}

/* --- drift --------------------------------------------------------------- */

static void recording_matches_itself(void **state)
{
	(void)state;
	struct hv_report *r = drift_of(read_text_file(KVM_ARM64), read_text_file(KVM_ARM64), NULL, 0);
	assert_string_equal(detail_of(r, "drift.baseline"),
			    "matches the baseline (golden): 0 interfaces, the SMCCC answers and "
			    "the Arm ID registers compared");
	assert_true(r->verdict.passed);
	/* its JSON in jq -S's layout, both ways */
	const char *sorted = read_text_file(KVM_ARM64_JQ_SORTED);
	drift_of(read_text_file(KVM_ARM64), sorted, NULL, 0);
	drift_of(sorted, read_text_file(KVM_ARM64), NULL, 0);
}

/* The two real recordings: KVM in an L1 of -cpu max (VHE), and in an nVHE
 * L1 with a Cortex-A72's MIDR, where it answers SMCCC_ARCH_FEATURES of
 * ARM_SMCCC_ARCH_WORKAROUND_3 (0x80003fff) with SMCCC_RET_SUCCESS instead
 * of NOT_SUPPORTED. Their MIDR_EL1s, 0x000f0510 and 0x410fd083, differ in
 * Implementer (bits 31:24, asm/cputype.h: 0 and ARM_CPU_IMP_ARM 0x41),
 * PartNum (15:4: 0x051 and ARM_CPU_PART_CORTEX_A72 0xd08) and Revision
 * (3:0: 0 and 3): another CPU model, which warns either way; nothing else
 * differs. */
static void real_recordings_against_each_other(void **state)
{
	(void)state;
	static const struct expected_drift gained[] = {
		{ "drift.smccc.arch.workaround_3", OUTCOME_WARN },
		{ "drift.arm.midr.implementer", OUTCOME_WARN },
		{ "drift.arm.midr.partnum", OUTCOME_WARN },
		{ "drift.arm.midr.revision", OUTCOME_WARN },
	};
	static const struct expected_drift lost[] = {
		{ "drift.smccc.arch.workaround_3", OUTCOME_FAIL },
		{ "drift.arm.midr.implementer", OUTCOME_WARN },
		{ "drift.arm.midr.partnum", OUTCOME_WARN },
		{ "drift.arm.midr.revision", OUTCOME_WARN },
	};
	struct hv_report *r = DRIFT(read_text_file(KVM_ARM64), read_text_file(KVM_ARM64_A72_NVHE), gained);
	assert_string_equal(detail_of(r, "drift.smccc.arch.workaround_3"),
			    "ARM_SMCCC_ARCH_WORKAROUND_3 gained: SMCCC_RET_NOT_SUPPORTED in the "
			    "baseline, SMCCC_RET_SUCCESS now");
	r = DRIFT(read_text_file(KVM_ARM64_A72_NVHE), read_text_file(KVM_ARM64), lost);
	assert_false(r->verdict.passed);
	drift_of(read_text_file(KVM_ARM64_A72_NVHE), read_text_file(KVM_ARM64_A72_NVHE), NULL, 0);
}

/* Linux arm-smccc.h: ARM_SMCCC_KVM_FUNC_FEATURES 0, _PTP 1, _HYP_MEMINFO
 * 2, _MEM_SHARE 3, _MEM_UNSHARE 4, _MMIO_GUARD 7, _DISCOVER_IMPL_VER 64,
 * _DISCOVER_IMPL_CPUS 65, _FEATURES_2 127; 5, 6 and 8 to 63 are
 * _PKVM_RESV_n, the others unnumbered. The key is the name after
 * ARM_SMCCC_KVM_FUNC_, in lower case (--list-keys, smccc.kvm.KEY). */
static const struct {
	unsigned bit;
	const char *label;
} kvm_functions[] = {
	{ 0, "drift.smccc.kvm.features" },	{ 1, "drift.smccc.kvm.ptp" },
	{ 2, "drift.smccc.kvm.hyp_meminfo" },	{ 3, "drift.smccc.kvm.mem_share" },
	{ 4, "drift.smccc.kvm.mem_unshare" },	{ 7, "drift.smccc.kvm.mmio_guard" },
	{ 64, "drift.smccc.kvm.discover_impl_ver" },
	{ 65, "drift.smccc.kvm.discover_impl_cpus" },
	{ 127, "drift.smccc.kvm.features_2" },
};

/* The features answer (ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID,
 * 0x86000000) with exactly these bits, 32 a register from x0. */
static const char *features_line(const uint32_t words[4])
{
	static char line[128];
	snprintf(line, sizeof(line), "0x86000000 0x0: x0=0x%x x1=0x%x x2=0x%x x3=0x%x", words[0],
		 words[1], words[2], words[3]);
	return line;
}

static void kvm_functions_lost_and_gained(void **state)
{
	(void)state;
	/* PTP (bit 1) lost, then gained */
	static const char *no_ptp[][2] = { { "0x86000000 0x0:", "0x86000000 0x0: x0=0x1" } };
	static const struct expected_drift lost[] = { { "drift.smccc.kvm.ptp", OUTCOME_FAIL } };
	static const struct expected_drift gained[] = { { "drift.smccc.kvm.ptp", OUTCOME_WARN } };
	static char without_ptp[1 << 16];
	snprintf(without_ptp, sizeof(without_ptp), "%s", EDITED(no_ptp));
	struct hv_report *r = DRIFT(read_text_file(KVM_ARM64), without_ptp, lost);
	assert_string_equal(detail_of(r, "drift.smccc.kvm.ptp"),
			    "ARM_SMCCC_KVM_FUNC_PTP (bit 1) lost: set in the baseline, clear now");
	assert_int_equal(find_result(r, "drift.smccc.kvm.ptp")->severity, SEVERITY_HIGH);
	assert_false(r->verdict.passed);
	assert_contains(text_of(r), "  FAIL  drift.smccc.kvm.ptp: ARM_SMCCC_KVM_FUNC_PTP (bit 1) "
				    "lost:");
	r = DRIFT(without_ptp, read_text_file(KVM_ARM64), gained);
	assert_true(r->verdict.passed);

	/* Each bit alone against none: a function with a key is lost (fail)
	 * or gained (warn), a bit without one differs (warn), both ways. */
	for (unsigned bit = 0; bit < 128; bit++) {
		static char with_bit[1 << 16], none[1 << 16];
		uint32_t words[4] = { 0 };
		const char *one[][2] = { { "0x86000000 0x0:", NULL } };
		words[bit / 32] = 1u << (bit % 32);
		one[0][1] = features_line(words);
		snprintf(with_bit, sizeof(with_bit), "%s", edited(one, 1));
		one[0][1] = "0x86000000 0x0: x0=0x0";
		snprintf(none, sizeof(none), "%s", edited(one, 1));
		struct expected_drift expected = { NULL, OUTCOME_FAIL };
		for (size_t f = 0; f < sizeof(kvm_functions) / sizeof(kvm_functions[0]); f++)
			if (kvm_functions[f].bit == bit)
				expected.label = kvm_functions[f].label;
		if (!expected.label) {
			static char raw[64];
			snprintf(raw, sizeof(raw), "drift.smccc.kvm.raw.%u", bit);
			expected = (struct expected_drift){ raw, OUTCOME_WARN };
		}
		drift_of(with_bit, none, &expected, 1);
		expected.outcome = OUTCOME_WARN;
		drift_of(none, with_bit, &expected, 1);
	}
}

/* Hyper-V's UID (Linux arch/arm64/hyperv/mshyperv.c, UUID_INIT(0x58ba324d,
 * 0x6447, 0x24cd, 0x75, 0x6c, 0xef, 0x8e, 0x24, 0x70, 0x59, 0x16), each
 * register four bytes little-endian): another hypervisor, whose features
 * bitmap KVM's call is not asked for. */
static void vendor_uid_changed_or_gone(void **state)
{
	(void)state;
	static const char *hyperv[][2] = {
		{ "0x8600ff01", "0x8600ff01 0x0: x0=0x4d32ba58 x1=0xcd244764 x2=0x8eef6c75 "
				"x3=0x16597024" },
	};
	static const char *gone[][2] = {
		{ "0x8600ff01", "0x8600ff01 0x0: x0=0xffffffffffffffff" },
	};
	static const char *trapped[][2] = {
		{ "0x8600ff01", "0x8600ff01 0x0: trapped esr=0x5a000000" },
	};
	static const struct expected_drift other[] = {
		{ "drift.smccc.hypervisor", OUTCOME_FAIL },
		{ "drift.smccc.kvm.features", OUTCOME_FAIL },
		{ "drift.smccc.kvm.ptp", OUTCOME_FAIL },
	};
	static const struct expected_drift appeared[] = {
		{ "drift.smccc.hypervisor", OUTCOME_WARN },
		{ "drift.smccc.kvm.features", OUTCOME_WARN },
		{ "drift.smccc.kvm.ptp", OUTCOME_WARN },
	};
	struct hv_report *r = DRIFT(read_text_file(KVM_ARM64), EDITED(hyperv), other);
	assert_string_equal(detail_of(r, "drift.smccc.hypervisor"),
			    "the vendor hypervisor UID changed: "
			    "28b46fb6-2ec5-11e9-a9ca-4b564d003a74 (KVM) in the baseline, "
			    "58ba324d-6447-24cd-756c-ef8e24705916 (Microsoft Hyper-V) now");
	assert_string_equal(detail_of(r, "drift.smccc.kvm.ptp"),
			    "ARM_SMCCC_KVM_FUNC_PTP (bit 1) lost: set in the baseline, not asked "
			    "now");
	r = DRIFT(read_text_file(KVM_ARM64), EDITED(gone), other);
	assert_contains(detail_of(r, "drift.smccc.hypervisor"), " gone: ");
	DRIFT(read_text_file(KVM_ARM64), EDITED(trapped), other);
	DRIFT(EDITED(gone), read_text_file(KVM_ARM64), appeared);
}

/* SMCCC_ARCH_FEATURES (0x80000001) of ARM_SMCCC_ARCH_WORKAROUND_1
 * (0x80008000), _2 (0x80007fff), _3 (0x80003fff), _4 (0x80000004),
 * ARM_SMCCC_ARCH_SOC_ID (0x80000002) and ARM_SMCCC_HV_PV_TIME_FEATURES
 * (0xc5000020): an answer of 0 or more offered (SMCCC_RET_SUCCESS 0,
 * SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED 1), NOT_SUPPORTED -1, NOT_REQUIRED
 * -2. */
static void arch_features_answers(void **state)
{
	(void)state;
	static const char *answers[][2] = {
		/* unaffected to NOT_SUPPORTED: lost */
		{ "0x80000001 0x80008000:", "0x80000001 0x80008000: x0=0xffffffffffffffff" },
		/* NOT_SUPPORTED to success: gained */
		{ "0x80000001 0x80007fff:", "0x80000001 0x80007fff: x0=0x0" },
		/* NOT_SUPPORTED to NOT_REQUIRED: changed */
		{ "0x80000001 0x80003fff:", "0x80000001 0x80003fff: x0=0xfffffffffffffffe" },
		/* NOT_SUPPORTED to a value: gained */
		{ "0x80000001 0x80000002:", "0x80000001 0x80000002: x0=0x7" },
	};
	static const struct expected_drift expected[] = {
		{ "drift.smccc.arch.workaround_1", OUTCOME_FAIL },
		{ "drift.smccc.arch.workaround_2", OUTCOME_WARN },
		{ "drift.smccc.arch.workaround_3", OUTCOME_WARN },
		{ "drift.smccc.arch.soc_id", OUTCOME_WARN },
	};
	static const struct expected_drift back[] = {
		{ "drift.smccc.arch.workaround_1", OUTCOME_WARN },
		{ "drift.smccc.arch.workaround_2", OUTCOME_FAIL },
		{ "drift.smccc.arch.workaround_3", OUTCOME_WARN },
		{ "drift.smccc.arch.soc_id", OUTCOME_FAIL },
	};
	static char changed[1 << 16];
	snprintf(changed, sizeof(changed), "%s", EDITED(answers));
	struct hv_report *r = DRIFT(read_text_file(KVM_ARM64), changed, expected);
	assert_string_equal(detail_of(r, "drift.smccc.arch.workaround_1"),
			    "ARM_SMCCC_ARCH_WORKAROUND_1 lost: SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED "
			    "in the baseline, SMCCC_RET_NOT_SUPPORTED now");
	assert_string_equal(detail_of(r, "drift.smccc.arch.workaround_3"),
			    "ARM_SMCCC_ARCH_WORKAROUND_3 changed: SMCCC_RET_NOT_SUPPORTED in the "
			    "baseline, SMCCC_RET_NOT_REQUIRED now");
	assert_string_equal(detail_of(r, "drift.smccc.arch.soc_id"),
			    "ARM_SMCCC_ARCH_SOC_ID gained: SMCCC_RET_NOT_SUPPORTED in the baseline, "
			    "0x7 now");
	DRIFT(changed, read_text_file(KVM_ARM64), back);

	/* unaffected to success: both offered, changed */
	static const char *success[][2] = {
		{ "0x80000001 0x80008000:", "0x80000001 0x80008000: x0=0x0" },
	};
	static const struct expected_drift warned[] = { { "drift.smccc.arch.workaround_1", OUTCOME_WARN } };
	DRIFT(read_text_file(KVM_ARM64), EDITED(success), warned);

	/* WORKAROUND_2's NOT_REQUIRED is protection (DEN 0028 7.6: the
	 * mitigation permanently on, or not needed; Linux reads it as
	 * SPECTRE_UNAFFECTED): losing it to NOT_SUPPORTED fails. */
	static const char *ssb_protected[][2] = {
		{ "0x80000001 0x80007fff:", "0x80000001 0x80007fff: x0=0xfffffffffffffffe" },
	};
	static const struct expected_drift ssb_lost[] = {
		{ "drift.smccc.arch.workaround_2", OUTCOME_FAIL } };
	static const struct expected_drift ssb_gained[] = {
		{ "drift.smccc.arch.workaround_2", OUTCOME_WARN } };
	static char ssb[1 << 16];
	snprintf(ssb, sizeof(ssb), "%s", EDITED(ssb_protected));
	DRIFT(ssb, read_text_file(KVM_ARM64), ssb_lost);
	DRIFT(read_text_file(KVM_ARM64), ssb, ssb_gained);

	/* PV time no longer offered: neither is its stolen-time structure,
	 * whose call is then not made */
	static const char *no_pv_time[][2] = {
		{ "0x80000001 0xc5000020:", "0x80000001 0xc5000020: x0=0xffffffffffffffff" },
	};
	static const struct expected_drift pv_time_lost[] = {
		{ "drift.smccc.arch.pv_time", OUTCOME_FAIL },
		{ "drift.smccc.pv_time.st", OUTCOME_FAIL },
	};
	r = DRIFT(read_text_file(KVM_ARM64), EDITED(no_pv_time), pv_time_lost);
	assert_string_equal(detail_of(r, "drift.smccc.pv_time.st"),
			    "ARM_SMCCC_HV_PV_TIME_ST lost: SMCCC_RET_SUCCESS in the baseline, not "
			    "asked now");
	/* the structure alone (PV_TIME_FEATURES of PV_TIME_ST, 0xc5000021) */
	static const char *no_st[][2] = {
		{ "0xc5000020 0xc5000021:", "0xc5000020 0xc5000021: x0=0xffffffffffffffff" },
	};
	static const struct expected_drift st_lost[] = { { "drift.smccc.pv_time.st", OUTCOME_FAIL } };
	static const struct expected_drift st_gained[] = { { "drift.smccc.pv_time.st", OUTCOME_WARN } };
	DRIFT(read_text_file(KVM_ARM64), EDITED(no_st), st_lost);
	DRIFT(EDITED(no_st), read_text_file(KVM_ARM64), st_gained);
}

/* The conduit and SMCCC_VERSION (0x80000000) are settings: a change
 * warns. Version 1.0 (NOT_SUPPORTED) has no ARCH_FEATURES and no TRNG
 * (DEN 0028): what they offered is lost with it. */
static void conduit_and_version(void **state)
{
	(void)state;
	static const char *smc[][2] = {
		{ "conduit", "conduit smc (device tree /psci method)" },
	};
	static const struct expected_drift conduit[] = { { "drift.smccc.conduit", OUTCOME_WARN } };
	struct hv_report *r = DRIFT(read_text_file(KVM_ARM64), EDITED(smc), conduit);
	assert_string_equal(detail_of(r, "drift.smccc.conduit"),
			    "the conduit changed: hvc in the baseline, smc now");

	static const char *v1_2[][2] = { { "0x80000000 0x0:", "0x80000000 0x0: x0=0x10002" } };
	static const struct expected_drift version[] = { { "drift.smccc.version", OUTCOME_WARN } };
	r = DRIFT(read_text_file(KVM_ARM64), EDITED(v1_2), version);
	assert_string_equal(detail_of(r, "drift.smccc.version"),
			    "SMCCC_VERSION changed: 0x10001 (1.1) in the baseline, 0x10002 (1.2) "
			    "now");

	static const char *v1_0[][2] = {
		{ "0x80000000 0x0:", "0x80000000 0x0: x0=0xffffffffffffffff" },
	};
	static const struct expected_drift older[] = {
		{ "drift.smccc.version", OUTCOME_WARN },
		{ "drift.smccc.arch.workaround_1", OUTCOME_FAIL },
		{ "drift.smccc.arch.pv_time", OUTCOME_FAIL },
		{ "drift.smccc.pv_time.st", OUTCOME_FAIL },
		{ "drift.smccc.trng.version", OUTCOME_FAIL },
		{ "drift.smccc.trng.uuid", OUTCOME_WARN },
	};
	DRIFT(read_text_file(KVM_ARM64), EDITED(v1_0), older);

	/* no conduit at all: nothing called (and, the text holding no ID
	 * registers, one drift.arm result) */
	static const struct expected_drift nothing_called[] = {
		{ "drift.arm", OUTCOME_FAIL },
		{ "drift.smccc.conduit", OUTCOME_WARN },
		{ "drift.smccc.version", OUTCOME_WARN },
		{ "drift.smccc.hypervisor", OUTCOME_FAIL },
		{ "drift.smccc.kvm.features", OUTCOME_FAIL },
		{ "drift.smccc.kvm.ptp", OUTCOME_FAIL },
		{ "drift.smccc.arch.workaround_1", OUTCOME_FAIL },
		{ "drift.smccc.arch.pv_time", OUTCOME_FAIL },
		{ "drift.smccc.pv_time.st", OUTCOME_FAIL },
		{ "drift.smccc.trng.version", OUTCOME_FAIL },
		{ "drift.smccc.trng.uuid", OUTCOME_WARN },
	};
	DRIFT(read_text_file(KVM_ARM64), "SMCCC:\n   conduit none (no PSCI)\n", nothing_called);
}

/* The TRNG (DEN 0098; ARM_SMCCC_TRNG_VERSION 0x84000050, _FEATURES
 * 0x84000051, _GET_UUID 0x84000052, _RND64 0xc4000053): gone fails, a new
 * version or UUID warns; a function of it answered otherwise is a call no
 * key reads (warn). */
static void trng(void **state)
{
	(void)state;
	static const char *gone[][2] = {
		{ "0x84000050 0x0:", "0x84000050 0x0: x0=0xffffffffffffffff" },
	};
	static const struct expected_drift lost[] = {
		{ "drift.smccc.trng.version", OUTCOME_FAIL },
		{ "drift.smccc.trng.uuid", OUTCOME_WARN },
	};
	static const struct expected_drift new[] = {
		{ "drift.smccc.trng.version", OUTCOME_WARN },
		{ "drift.smccc.trng.uuid", OUTCOME_WARN },
	};
	DRIFT(read_text_file(KVM_ARM64), EDITED(gone), lost);
	DRIFT(EDITED(gone), read_text_file(KVM_ARM64), new);

	static const char *other[][2] = {
		{ "0x84000050 0x0:", "0x84000050 0x0: x0=0x10001" },
		{ "0x84000052 0x0:", "0x84000052 0x0: x0=0x1 x1=0x2 x2=0x3 x3=0x4" },
		{ "0x84000051 0xc4000053:", "0x84000051 0xc4000053: x0=0xffffffffffffffff" },
	};
	static const struct expected_drift changed[] = {
		{ "drift.smccc.trng.version", OUTCOME_WARN },
		{ "drift.smccc.trng.uuid", OUTCOME_WARN },
		{ "drift.smccc.call.0x84000051.0xc4000053", OUTCOME_WARN },
	};
	struct hv_report *r = DRIFT(read_text_file(KVM_ARM64), EDITED(other), changed);
	assert_string_equal(detail_of(r, "drift.smccc.call.0x84000051.0xc4000053"),
			    "call 0x84000051 0xc4000053 changed: x0=0x0 in the baseline, "
			    "x0=0xffffffffffffffff now");
	assert_string_equal(detail_of(r, "drift.smccc.trng.uuid"),
			    "the TRNG's UUID changed: 0d21e000-4384-11eb-8070-5244554e5a4c in the "
			    "baseline, 01000000-0200-0000-0300-000004000000 now");
}

/* A report with SMCCC answers against one without (an x86 run): nothing
 * of SMCCC compared, one result. */
static void smccc_on_one_side_only(void **state)
{
	(void)state;
	static struct requirement_list none;
	static const struct cpuid_record x86[] = {
		LEAF(0, 1, VENDOR_INTEL), LEAF(1, 0x000806f8, 0, 0, 0),
	};
	static const struct expected_drift gone[] = { { "drift.smccc", OUTCOME_FAIL } };
	static const struct expected_drift new[] = { { "drift.smccc", OUTCOME_WARN } };

	replay(&baseline_report, read_text_file(KVM_ARM64), "golden");
	struct hv_report *r = SCAN(x86);
	hv_check(r, &none);
	hv_judge(r, &(struct judge_settings){ .baseline = &baseline_report });
	const struct result *result = find_result(r, "drift.smccc");
	assert_non_null(result);
	assert_int_equal(result->outcome, gone[0].outcome);
	assert_string_equal(result->detail, "SMCCC answers in the baseline (KVM through hvc), "
					    "none now: not compared");
	replay(&now_report, read_text_file(KVM_ARM64), "now");
	hv_check(&now_report, &none);
	hv_judge(&now_report, &(struct judge_settings){ .baseline = SCAN(x86) });
	assert_int_equal(find_result(&now_report, "drift.smccc")->outcome, new[0].outcome);
}

static void smccc_labels_known_listed_and_waived(void **state)
{
	(void)state;
	static const char *const known[] = {
		"drift.smccc", "drift.smccc.conduit", "drift.smccc.version",
		"drift.smccc.hypervisor", "DRIFT.SMCCC.KVM.PTP", "drift.smccc.kvm.features",
		"drift.smccc.kvm.mmio_guard", "drift.smccc.kvm.features_2", "drift.smccc.kvm.raw.5",
		"drift.smccc.kvm.raw.66", "drift.smccc.kvm.raw.126", "drift.smccc.arch.workaround_4",
		"drift.smccc.arch.soc_id", "drift.smccc.arch.pv_time", "drift.smccc.pv_time.st",
		"drift.smccc.trng.version", "drift.smccc.trng.uuid",
		"drift.smccc.call.0x84000051.0xc4000053", "drift.smccc.call.0xc5000020.0xc5000020",
	};
	static const char *const unknown[] = {
		"drift.smccc.", "drift.smcccx", "drift.smccc.kvm", "drift.smccc.kvm.nope",
		"drift.smccc.kvm.raw.1", "drift.smccc.kvm.raw.127", "drift.smccc.kvm.raw.128",
		"drift.smccc.kvm.raw.0x5", "drift.smccc.arch.workaround_5", "drift.smccc.arch",
		"drift.smccc.hypervisor.uid", "drift.smccc.pv_time", "drift.smccc.call.0x1",
		"drift.smccc.call.0x100000000.0x0", "drift.smccc.call.1.0x0",
		"drift.smccc.call.0x84000051.0x10000000000000000", "drift.smccc.call.0x1.0x0.x",
	};
	EXPECT_LABELS(known, unknown);

	static const char *const patterns[] = {
		"  drift.smccc ", "  drift.smccc.conduit ", "  drift.smccc.version ",
		"  drift.smccc.hypervisor ", "  drift.smccc.kvm.KEY ", "  drift.smccc.kvm.raw.N ",
		"  drift.smccc.arch.KEY ", "  drift.smccc.pv_time.st ", "  drift.smccc.trng.version ",
		"  drift.smccc.trng.uuid ", "  drift.smccc.call.0xFUNCTION.0xARG ",
	};
	EXPECT_LISTED("  drift.smccc ", patterns);

	/* waived, the lost function warns and the verdict passes */
	static const char *no_ptp[][2] = { { "0x86000000 0x0:", "0x86000000 0x0: x0=0x1" } };
	expect_waived("drift.smccc.kvm.ptp", EDITED(no_ptp));
}

/* --- policies -------------------------------------------------------------- */

static void written_policy_pins_what_smccc_offers(void **state)
{
	(void)state;
	/* the recording's SMCCC section alone: what its ID registers pin is
	 * test_arm_id_drift.c's */
	const char *smccc_section = strstr(read_text_file(KVM_ARM64), "SMCCC:\n");
	size_t count = write_policy(replay(&baseline_report, smccc_section, "golden"));
	/* KVM's UID; FEATURES and PTP; WORKAROUND_1 and PV time answered 0 or
	 * more; the stolen-time structure; the TRNG. No CPUID was read: no
	 * hypervisor_bit. */
	assert_int_equal(count, 7);
	assert_contains(written_policy,
			"\n# SMCCC: KVM through hvc\n"
			"smccc.hypervisor=kvm                 # "
			"28b46fb6-2ec5-11e9-a9ca-4b564d003a74\n"
			"smccc.kvm.features                   # ARM_SMCCC_KVM_FUNC_FEATURES, bit 0\n"
			"smccc.kvm.ptp                        # ARM_SMCCC_KVM_FUNC_PTP, bit 1\n"
			"smccc.arch.workaround_1!=not_supported # ARM_SMCCC_ARCH_WORKAROUND_1\n"
			"smccc.arch.pv_time!=not_supported    # ARM_SMCCC_HV_PV_TIME_FEATURES\n"
			"smccc.pv_time.st                     # ARM_SMCCC_HV_PV_TIME_ST\n"
			"smccc.trng.version!=0                # ARM_SMCCC_TRNG_VERSION\n");
	assert_lacks(written_policy, "hypervisor_bit");
	assert_string_equal(failed_on(replay(&now_report, read_text_file(KVM_ARM64), "now"), count),
			    "");
	/* its JSON in jq -S's layout passes too */
	assert_string_equal(
		failed_on(replay(&now_report,
				 read_text_file(KVM_ARM64_JQ_SORTED),
				 "now"),
			  count),
		"");

	/* exactly the losses fail; a gain, a changed answer, do not */
	static const char *degraded[][2] = {
		{ "0x86000000 0x0:", "0x86000000 0x0: x0=0x5" },               /* PTP lost */
		{ "0x80000001 0x80008000:", "0x80000001 0x80008000: x0=0x0" }, /* changed */
		{ "0x80000001 0x80007fff:", "0x80000001 0x80007fff: x0=0x0" }, /* gained */
		{ "0x84000050 0x0:", "0x84000050 0x0: x0=0xffffffffffffffff" }, /* TRNG gone */
	};
	assert_string_equal(failed_on(replay(&now_report, EDITED(degraded), "now"), count),
			    "require.smccc.kvm.ptp,require.smccc.trng.version");
	assert_string_equal(failed_on(replay(&now_report, read_text_file(TCG_ARM64), "now"), count),
			    "require.smccc.hypervisor,require.smccc.kvm.features,"
			    "require.smccc.kvm.ptp,require.smccc.arch.workaround_1,"
			    "require.smccc.arch.pv_time,require.smccc.pv_time.st,"
			    "require.smccc.trng.version");

	/* Under TCG nothing is offered: nothing pinned */
	count = write_policy(replay(&baseline_report, read_text_file(TCG_ARM64), "golden"));
	assert_int_equal(count, 0);
	assert_contains(written_policy, "# SMCCC: no hypervisor services: every call returned "
				"NOT_SUPPORTED\n");
	/* a UID no table knows is pinned as it is */
	static const char *unknown_uid[][2] = {
		{ "0x8600ff01", "0x8600ff01 0x0: x0=0x11223344 x1=0x55667788 x2=0x99aabbcc "
				"x3=0xddeeff00" },
	};
	count = write_policy(replay(&baseline_report, EDITED(unknown_uid), "golden"));
	assert_contains(written_policy, "\nsmccc.hypervisor.uid=44332211-8877-6655-ccbb-aa9900ffeedd # "
				"a UID no table knows\n");
	assert_lacks(written_policy, "smccc.kvm.");
	assert_string_equal(failed_on(replay(&now_report, EDITED(unknown_uid), "now"), count), "");
	assert_string_equal(failed_on(replay(&now_report, read_text_file(KVM_ARM64), "now"), count),
			    "require.smccc.hypervisor.uid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_reads_back_call_for_call),
		cmocka_unit_test(jq_sorted_layout_reads_back),
		cmocka_unit_test(malformed_smccc_members),
		cmocka_unit_test(recording_matches_itself),
		cmocka_unit_test(real_recordings_against_each_other),
		cmocka_unit_test(kvm_functions_lost_and_gained),
		cmocka_unit_test(vendor_uid_changed_or_gone),
		cmocka_unit_test(arch_features_answers),
		cmocka_unit_test(conduit_and_version),
		cmocka_unit_test(trng),
		cmocka_unit_test(smccc_on_one_side_only),
		cmocka_unit_test(smccc_labels_known_listed_and_waived),
		cmocka_unit_test(written_policy_pins_what_smccc_offers),
	};
	return cmocka_run_group_tests_name("SMCCC through JSON, baselines and policies", tests,
					   NULL, NULL);
}
