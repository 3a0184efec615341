/* The Arm ID registers through JSON reports, baselines and policies: the
 * committed arm64 KVM recordings (their "Arm ID registers:" sections, read
 * by the firmware on the arm64 KVM bed) and copies with chosen registers
 * edited. hvfeat's JSON of a recording reads back register for register
 * (and in jq -S's layout, committed in tests/dumps/reports), malformed
 * "arm_id" members are refused with their line. Each edited register is
 * built here from field values at the positions Linux's
 * arch/arm64/tools/sysreg gives (MIDR_EL1's: asm/cputype.h), the labels
 * from the requirement keys (arm.KEY, --list-keys) and the outcomes from
 * the README's rules: a field of ID_AA64PFR0/PFR1/DFR0/ISAR1 lower fails
 * and higher warns, MIDR_EL1's fields and bits no field decodes changed
 * warn; never from hvfeat's tables. */
#include "arm_recordings.h"

#include "arm_id_facts.h"
#include "checks.h"
#include "drift.h"
#include "judge.h"

/* The registers of KVM_ARM64 as the recording holds them (QEMU's -cpu host
 * on an L1 of TCG's -cpu max, Linux 6.1's KVM). */
#define MIDR 0x00000000000f0510u
#define PFR0 0x1101001121110222u
#define PFR1 0x0000000000000021u
#define DFR0 0x0000000010305506u
#define ISAR1 0x0011111110211102u

/* Linux sysreg's positions, typed from it; feature: a field of the
 * ID_AA64 registers, which says what the CPU offers. */
static const struct field {
	const char *key; /* the requirement key, arm.KEY */
	const char *reg, *name;
	unsigned lsb, width;
	bool feature;
} fields[] = {
	{ "arm.midr.implementer", "MIDR_EL1", "Implementer", 24, 8, false },
	{ "arm.midr.variant", "MIDR_EL1", "Variant", 20, 4, false },
	{ "arm.midr.partnum", "MIDR_EL1", "PartNum", 4, 12, false },
	{ "arm.midr.revision", "MIDR_EL1", "Revision", 0, 4, false },
	{ "arm.el2", "ID_AA64PFR0_EL1", "EL2", 8, 4, true },
	{ "arm.gic", "ID_AA64PFR0_EL1", "GIC", 24, 4, true },
	{ "arm.ras", "ID_AA64PFR0_EL1", "RAS", 28, 4, true },
	{ "arm.sve", "ID_AA64PFR0_EL1", "SVE", 32, 4, true },
	{ "arm.amu", "ID_AA64PFR0_EL1", "AMU", 44, 4, true },
	{ "arm.csv2", "ID_AA64PFR0_EL1", "CSV2", 56, 4, true },
	{ "arm.csv3", "ID_AA64PFR0_EL1", "CSV3", 60, 4, true },
	{ "arm.bt", "ID_AA64PFR1_EL1", "BT", 0, 4, true },
	{ "arm.ssbs", "ID_AA64PFR1_EL1", "SSBS", 4, 4, true },
	{ "arm.mte", "ID_AA64PFR1_EL1", "MTE", 8, 4, true },
	{ "arm.sme", "ID_AA64PFR1_EL1", "SME", 24, 4, true },
	{ "arm.debugver", "ID_AA64DFR0_EL1", "DebugVer", 0, 4, true },
	{ "arm.pmuver", "ID_AA64DFR0_EL1", "PMUVer", 8, 4, true },
	{ "arm.apa", "ID_AA64ISAR1_EL1", "APA", 4, 4, true },
	{ "arm.api", "ID_AA64ISAR1_EL1", "API", 8, 4, true },
};

static const struct {
	const char *name;
	uint64_t recorded;
} registers[] = {
	{ "MIDR_EL1", MIDR },
	{ "ID_AA64PFR0_EL1", PFR0 },
	{ "ID_AA64PFR1_EL1", PFR1 },
	{ "ID_AA64DFR0_EL1", DFR0 },
	{ "ID_AA64ISAR1_EL1", ISAR1 },
};

#define COUNT(list) (sizeof(list) / sizeof((list)[0]))

static uint64_t recorded(const char *reg)
{
	for (size_t r = 0; r < COUNT(registers); r++)
		if (!strcmp(registers[r].name, reg))
			return registers[r].recorded;
	fail_msg("no register %s", reg);
	return 0;
}

static uint64_t mask_of(const struct field *f)
{
	return ((UINT64_C(1) << f->width) - 1) << f->lsb;
}

static uint64_t value_of(const struct field *f, uint64_t reg)
{
	return (reg & mask_of(f)) >> f->lsb;
}

/* The register with the field set to value. */
static uint64_t with_field(const struct field *f, uint64_t reg, uint64_t value)
{
	return (reg & ~mask_of(f)) | value << f->lsb;
}

static const struct field *field_of(const char *key)
{
	for (size_t i = 0; i < COUNT(fields); i++)
		if (!strcmp(fields[i].key, key))
			return &fields[i];
	fail_msg("no field %s", key);
	return NULL;
}

/* The recording with one register's value replaced, in a buffer of its
 * own (which) so two copies can be compared. */
static const char *with_register(unsigned which, const char *reg, uint64_t value)
{
	static char copies[2][1 << 16];
	char line[64];
	const char *edit[][2] = { { reg, line } };

	snprintf(line, sizeof(line), "%-16s 0x%016llx", reg, (unsigned long long)value);
	snprintf(copies[which], sizeof(copies[which]), "%s", edited(edit, 1));
	return copies[which];
}

/* "drift.arm.sve" of "arm.sve" */
static const char *label_of(const char *key)
{
	static char label[64];

	snprintf(label, sizeof(label), "drift.%s", key);
	return label;
}

static void recording_holds_these_registers(void **state)
{
	(void)state;
	const char *text = read_text_file(KVM_ARM64);
	for (size_t r = 0; r < COUNT(registers); r++) {
		char line[64];
		snprintf(line, sizeof(line), "   %-16s 0x%016llx\n", registers[r].name,
			 (unsigned long long)registers[r].recorded);
		assert_contains(text, line);
	}
	/* the README's decoding of them: SVE 1, PMUVer 5, SSBS 2 */
	assert_int_equal(value_of(field_of("arm.sve"), PFR0), 1);
	assert_int_equal(value_of(field_of("arm.pmuver"), DFR0), 5);
	assert_int_equal(value_of(field_of("arm.ssbs"), PFR1), 2);
}

/* --- reading "arm_id" back ----------------------------------------------- */

/* The JSON hvfeat writes of a replay, replayed: the same registers, the
 * same raw dump, the same arm.* facts. */
static void json_round_trip(const char *text)
{
	static char raw[1 << 16];
	struct hv_report *from_text = replay(&baseline_report, text, "text");
	snprintf(raw, sizeof(raw), "%s", raw_of(from_text));
	size_t length;
	char *json = render_to_memory(from_text, OUTPUT_JSON, malloc, &length);
	struct hv_report *from_json = replay_bytes(&now_report, json, length, "json");
	free(json);
	assert_true(dump.arm_id.present);
	assert_true(from_json->arm_id.read);
	assert_memory_equal(from_json->arm_id.values, from_text->arm_id.values,
			    sizeof(from_text->arm_id.values));
	assert_string_equal(raw_of(from_json), raw);
	assert_same_facts(&arm_id_facts, from_text, from_json);
}

static void json_reads_back_register_for_register(void **state)
{
	(void)state;
	json_round_trip(read_text_file(KVM_ARM64));
	json_round_trip(read_text_file(KVM_ARM64_A72_NVHE));
	/* every bit of every register, and none */
	json_round_trip("Arm ID registers:\n"
			"   MIDR_EL1 0xffffffffffffffff\n   ID_AA64PFR0_EL1 0x8000000000000001\n"
			"   ID_AA64PFR1_EL1 0x0\n   ID_AA64DFR0_EL1 0xfedcba9876543210\n"
			"   ID_AA64ISAR1_EL1 0x1\n");
	/* the recording itself, byte for byte, from its JSON in jq -S's
	 * layout ("registers" after "fields", sorted by name) */
	replay(&now_report, read_text_file(KVM_ARM64_JQ_SORTED), "jq -S");
	assert_string_equal(raw_of(&now_report), read_text_file(KVM_ARM64));
	replay(&baseline_report, read_text_file(KVM_ARM64), "text");
	assert_same_facts(&arm_id_facts, &baseline_report, &now_report);
	/* and a replay without them has none, as before */
	replay(&now_report, read_text_file(TCG_ARM64), "text");
	size_t length;
	char *json = render_to_memory(&now_report, OUTPUT_JSON, malloc, &length);
	assert_contains(json, "\"arm_id\": null,");
	replay_bytes(&now_report, json, length, "json");
	free(json);
	assert_false(dump.arm_id.present);
	assert_false(now_report.arm_id.read);
}

#define REPORT(arm_id) "{\"tool\": \"hvfeat\", \"leaves\": [],\n\"arm_id\": " arm_id "}"
#define FOUR_REGISTERS                                                                  \
	"\"ID_AA64PFR0_EL1\": \"0x1\", \"ID_AA64PFR1_EL1\": \"0x2\",\n"                  \
	"\"ID_AA64DFR0_EL1\": \"0x3\", \"ID_AA64ISAR1_EL1\": \"0x4\""
#define REGISTERS(midr) "{\"registers\": {\"MIDR_EL1\": " midr ",\n" FOUR_REGISTERS "}}"

static void malformed_arm_id_members(void **state)
{
	(void)state;
	static const char *const not_hex = "an Arm ID register's value is not a hex string of 64 bits";
	static const struct refusal cases[] = {
		{ REPORT("[]"), "\"arm_id\" is not an object or null", 2 },
		{ REPORT("\"0xf0510\""), "\"arm_id\" is not an object or null", 2 },
		{ REPORT("{\"fields\": []}"), "an \"arm_id\" object without \"registers\"", 2 },
		{ REPORT("{\"registers\": [\"0x1\"]}"), "\"arm_id\"'s \"registers\" is not an object",
		  2 },
		{ REPORT("{\"registers\": null}"), "\"arm_id\"'s \"registers\" is not an object", 2 },
		{ REPORT("{\"registers\": {\n" FOUR_REGISTERS "\n}}"),
		  "its Arm ID registers section lacks a register hvfeat reads", 5 },
		{ REPORT("{\"registers\": {\"MIDR_EL2\": \"0x1\",\n" FOUR_REGISTERS "}}"),
		  "\"arm_id\" names a register hvfeat does not read", 2 },
		{ REPORT("{\"registers\": {\"midr_el1\": \"0x1\",\n" FOUR_REGISTERS "}}"),
		  "\"arm_id\" names a register hvfeat does not read", 2 },
		{ REPORT(REGISTERS("983312")), not_hex, 2 },
		{ REPORT(REGISTERS("\"983312\"")), not_hex, 2 },
		{ REPORT(REGISTERS("\"0x\"")), not_hex, 2 },
		{ REPORT(REGISTERS("\"0x10000000000000000\"")), not_hex, 2 },
		{ REPORT(REGISTERS("\"0xf0510 \"")), not_hex, 2 },
		{ REPORT(REGISTERS("\"-0x1\"")), not_hex, 2 },
		{ REPORT(REGISTERS("[\"0xf0510\"]")), not_hex, 2 },
		{ REPORT(REGISTERS("\"0x1\", \"MIDR_EL1\": \"0x1\"")), "a register given twice", 2 },
		{ REPORT("{\"registers\": {\"MIDR_EL1\": \"0x1\",\n" FOUR_REGISTERS "},\n"
			 "\"registers\": {}}"),
		  "\"arm_id\" names a member twice", 5 },
		{ REPORT(REGISTERS("\"0x1\"") ",\n\"arm_id\": null"), "\"arm_id\" given twice", 5 },
		{ "{\"tool\": \"hvfeat\", \"leaves\": [], \"arm_id\": null}", "no CPUID leaves in it",
		  0 },
	};
	EXPECT_REFUSALS(cases);

	/* what is taken: 1 to 16 hex digits in either case, leading zeros,
	 * members in any order, "fields" and members hvfeat does not read
	 * passed over whatever they hold; the registers alone make a report */
	const char *taken = REPORT("{\"fields\": 7, \"registers\": {\"ID_AA64ISAR1_EL1\": \"0x4\", "
				   "\"ID_AA64DFR0_EL1\": \"0X3\", \"MIDR_EL1\": "
				   "\"0x00000000000000000000FFFFFFFFFFFFFFFF\", "
				   "\"ID_AA64PFR1_EL1\": \"0x2\", \"ID_AA64PFR0_EL1\": \"0x1\"}, "
				   "\"note\": {\"MIDR_EL2\": 1}}");
	assert_true(report_json_parse(&dump, taken, strlen(taken)));
	assert_true(dump.arm_id.present);
	static const uint64_t values[ARM_ID_REGISTER_COUNT] = { UINT64_MAX, 1, 2, 3, 4 };
	assert_memory_equal(dump.arm_id.values, values, sizeof(values));
	/* null or absent: none */
	const char *x86 = "{\"tool\": \"hvfeat\", \"arm_id\": null, \"leaves\": [{\"leaf\": 0, "
			  "\"subleaf\": 0, \"eax\": 1, \"ebx\": 2, \"ecx\": 3, \"edx\": 4}]}";
	assert_true(report_json_parse(&dump, x86, strlen(x86)));
	assert_false(dump.arm_id.present);
}

/* --- drift ----------------------------------------------------------------- */

static void recording_matches_its_json(void **state)
{
	(void)state;
	struct hv_report *r = drift_of(read_text_file(KVM_ARM64),
				       read_text_file(KVM_ARM64_JQ_SORTED), NULL, 0);
	assert_string_equal(detail_of(r, "drift.baseline"),
			    "matches the baseline (golden): 0 interfaces, the SMCCC answers and "
			    "the Arm ID registers compared");
	drift_of(read_text_file(KVM_ARM64_JQ_SORTED), read_text_file(KVM_ARM64), NULL, 0);
}

/* One field of the recording's registers to value, against the recording
 * both ways: exactly one result, of the field's label. */
static void one_field(const struct field *f, uint64_t value, enum outcome lowered_or_changed,
		      enum outcome raised_or_changed)
{
	uint64_t was = recorded(f->reg);
	const char *changed = with_register(0, f->reg, with_field(f, was, value));
	struct expected_drift now = { label_of(f->key), value < value_of(f, was)
								? lowered_or_changed
								: raised_or_changed };
	struct expected_drift back = { now.label, value < value_of(f, was) ? raised_or_changed
									  : lowered_or_changed };
	drift_of(read_text_file(KVM_ARM64), changed, &now, 1);
	drift_of(changed, read_text_file(KVM_ARM64), &back, 1);
}

/* Each field, one at a time, one step up and down to 0 (from 0: to 1):
 * a feature lower fails, higher warns; MIDR_EL1's changed warns. */
static void each_field_up_and_down(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(fields); i++) {
		const struct field *f = &fields[i];
		uint64_t v = value_of(f, recorded(f->reg));
		enum outcome lower = f->feature ? OUTCOME_FAIL : OUTCOME_WARN;
		one_field(f, v ? 0 : 1, lower, OUTCOME_WARN);
		one_field(f, v + 1, lower, OUTCOME_WARN);
	}
}

static void sve_and_pmu_lost(void **state)
{
	(void)state;
	/* QEMU's -cpu host,sve=off: SVE 1 -> 0 */
	static const struct expected_drift sve_lost[] = { { "drift.arm.sve", OUTCOME_FAIL } };
	static const struct expected_drift sve_gained[] = { { "drift.arm.sve", OUTCOME_WARN } };
	const char *no_sve = with_register(1, "ID_AA64PFR0_EL1",
					   with_field(field_of("arm.sve"), PFR0, 0));
	struct hv_report *r = DRIFT(read_text_file(KVM_ARM64), no_sve, sve_lost);
	assert_string_equal(detail_of(r, "drift.arm.sve"),
			    "ID_AA64PFR0_EL1.SVE lost: 1 in the baseline, 0 now");
	assert_int_equal(find_result(r, "drift.arm.sve")->severity, SEVERITY_HIGH);
	assert_false(r->verdict.passed);
	assert_contains(text_of(r), "  FAIL  drift.arm.sve: ID_AA64PFR0_EL1.SVE lost: 1 in the "
				    "baseline, 0 now\n");
	r = DRIFT(no_sve, read_text_file(KVM_ARM64), sve_gained);
	assert_string_equal(detail_of(r, "drift.arm.sve"),
			    "ID_AA64PFR0_EL1.SVE gained: 0 in the baseline, 1 now");
	assert_true(r->verdict.passed);

	/* pmu=off: PMUVer 5 (PMUv3 for v8.4) -> 0 */
	static const struct expected_drift pmu_lost[] = { { "drift.arm.pmuver", OUTCOME_FAIL } };
	r = DRIFT(read_text_file(KVM_ARM64),
		  with_register(1, "ID_AA64DFR0_EL1", with_field(field_of("arm.pmuver"), DFR0, 0)),
		  pmu_lost);
	assert_string_equal(detail_of(r, "drift.arm.pmuver"),
			    "ID_AA64DFR0_EL1.PMUVer lost: 5 in the baseline, 0 now");

	/* SSBS 2 -> 1 (the MSR/MRS form gone, PSTATE.SSBS kept): lower */
	static const struct expected_drift ssbs_lowered[] = { { "drift.arm.ssbs", OUTCOME_FAIL } };
	static const struct expected_drift ssbs_raised[] = { { "drift.arm.ssbs", OUTCOME_WARN } };
	const char *ssbs_1 = with_register(1, "ID_AA64PFR1_EL1",
					   with_field(field_of("arm.ssbs"), PFR1, 1));
	r = DRIFT(read_text_file(KVM_ARM64), ssbs_1, ssbs_lowered);
	assert_string_equal(detail_of(r, "drift.arm.ssbs"),
			    "ID_AA64PFR1_EL1.SSBS lowered: 2 in the baseline, 1 now");
	r = DRIFT(ssbs_1, read_text_file(KVM_ARM64), ssbs_raised);
	assert_string_equal(detail_of(r, "drift.arm.ssbs"),
			    "ID_AA64PFR1_EL1.SSBS raised: 1 in the baseline, 2 now");

	/* PMUVer 0xF, IMP_DEF: an IMPLEMENTATION DEFINED PMU, no PMUv3,
	 * which Linux takes as none (asm/cpufeature.h,
	 * cpuid_feature_cap_perfmon_field): from 5 lost, from 0 another
	 * way of offering nothing (warn) */
	const char *imp_def = with_register(1, "ID_AA64DFR0_EL1",
					    with_field(field_of("arm.pmuver"), DFR0, 0xf));
	r = DRIFT(read_text_file(KVM_ARM64), imp_def, pmu_lost);
	assert_string_equal(detail_of(r, "drift.arm.pmuver"),
			    "ID_AA64DFR0_EL1.PMUVer lost: 5 in the baseline, 15 now");
	static const struct expected_drift pmu_changed[] = { { "drift.arm.pmuver", OUTCOME_WARN } };
	static char no_pmu[1 << 16];
	snprintf(no_pmu, sizeof(no_pmu), "%s",
		 with_register(0, "ID_AA64DFR0_EL1", with_field(field_of("arm.pmuver"), DFR0, 0)));
	DRIFT(no_pmu, imp_def, pmu_changed);
	DRIFT(imp_def, no_pmu, pmu_changed);
}

/* The nVHE L1's CPU for the recording's: a Cortex-A72 r0p3 (cputype.h:
 * ARM_CPU_IMP_ARM 0x41, ARM_CPU_PART_CORTEX_A72 0xd08), QEMU's max
 * otherwise; then Arm's Neoverse N1 r3p1 (0x41, 0xd0c). */
static void another_cpu_model(void **state)
{
	(void)state;
	static const struct expected_drift a72[] = {
		{ "drift.arm.midr.implementer", OUTCOME_WARN },
		{ "drift.arm.midr.partnum", OUTCOME_WARN },
		{ "drift.arm.midr.revision", OUTCOME_WARN },
	};
	uint64_t midr = MIDR;
	midr = with_field(field_of("arm.midr.implementer"), midr, 0x41);
	midr = with_field(field_of("arm.midr.partnum"), midr, 0xd08);
	midr = with_field(field_of("arm.midr.revision"), midr, 3);
	assert_int_equal(midr, 0x410fd083u); /* the nVHE recording's */
	struct hv_report *r = DRIFT(read_text_file(KVM_ARM64), with_register(0, "MIDR_EL1", midr), a72);
	assert_string_equal(detail_of(r, "drift.arm.midr.implementer"),
			    "MIDR_EL1.Implementer changed: 0x00 (reserved for software use) in the "
			    "baseline, 0x41 (Arm) now");
	assert_string_equal(detail_of(r, "drift.arm.midr.partnum"),
			    "MIDR_EL1.PartNum changed: 0x051 in the baseline, 0xd08 now");
	assert_true(r->verdict.passed);
	/* the nVHE recording itself: its SMCCC answers differ too */
	static const struct expected_drift nvhe[] = {
		{ "drift.arm.midr.implementer", OUTCOME_WARN },
		{ "drift.arm.midr.partnum", OUTCOME_WARN },
		{ "drift.arm.midr.revision", OUTCOME_WARN },
		{ "drift.smccc.arch.workaround_3", OUTCOME_WARN },
	};
	DRIFT(read_text_file(KVM_ARM64), read_text_file(KVM_ARM64_A72_NVHE), nvhe);
	static const struct expected_drift n1[] = {
		{ "drift.arm.midr.implementer", OUTCOME_WARN },
		{ "drift.arm.midr.variant", OUTCOME_WARN },
		{ "drift.arm.midr.partnum", OUTCOME_WARN },
		{ "drift.arm.midr.revision", OUTCOME_WARN },
	};
	midr = with_field(field_of("arm.midr.variant"), midr, 3);
	midr = with_field(field_of("arm.midr.partnum"), midr, 0xd0c);
	midr = with_field(field_of("arm.midr.revision"), midr, 1);
	r = DRIFT(with_register(0, "MIDR_EL1", midr), read_text_file(KVM_ARM64), n1);
	assert_true(r->verdict.passed);
}

/* A bit no field decodes, in each register: MIDR_EL1's Architecture
 * (19:16), ID_AA64PFR0_EL1's EL0 (3:0), PFR1's RAS_frac (15:12), DFR0's
 * TraceVer (7:4), ISAR1's DPB (3:0); the label is the register's name in
 * lower case, the detail its undecoded bits (every field above masked
 * out). */
static void undecoded_bits_differ(void **state)
{
	(void)state;
	static const struct {
		const char *reg;
		unsigned bit;
		const char *label;
	} bits[] = {
		{ "MIDR_EL1", 16, "drift.arm.raw.midr_el1" },
		{ "ID_AA64PFR0_EL1", 0, "drift.arm.raw.id_aa64pfr0_el1" },
		{ "ID_AA64PFR1_EL1", 12, "drift.arm.raw.id_aa64pfr1_el1" },
		{ "ID_AA64DFR0_EL1", 4, "drift.arm.raw.id_aa64dfr0_el1" },
		{ "ID_AA64ISAR1_EL1", 0, "drift.arm.raw.id_aa64isar1_el1" },
	};
	for (size_t i = 0; i < COUNT(bits); i++) {
		uint64_t was = recorded(bits[i].reg), is = was ^ UINT64_C(1) << bits[i].bit;
		struct expected_drift expected = { bits[i].label, OUTCOME_WARN };
		const char *changed = with_register(0, bits[i].reg, is);
		struct hv_report *r = drift_of(read_text_file(KVM_ARM64), changed, &expected, 1);
		uint64_t undecoded = UINT64_MAX;
		for (size_t f = 0; f < COUNT(fields); f++)
			if (!strcmp(fields[f].reg, bits[i].reg))
				undecoded &= ~mask_of(&fields[f]);
		char detail[160];
		snprintf(detail, sizeof(detail),
			 "%s's bits no field decodes changed: 0x%016llx in the baseline, 0x%016llx "
			 "now",
			 bits[i].reg, (unsigned long long)(was & undecoded),
			 (unsigned long long)(is & undecoded));
		assert_string_equal(detail_of(r, bits[i].label), detail);
		drift_of(changed, read_text_file(KVM_ARM64), &expected, 1);
	}
}

/* The recording's SMCCC section alone has no ID registers: one result,
 * drift.arm, nothing of them compared. */
static void registers_on_one_side_only(void **state)
{
	(void)state;
	static const struct expected_drift gone[] = { { "drift.arm", OUTCOME_FAIL } };
	static const struct expected_drift new[] = { { "drift.arm", OUTCOME_WARN } };
	static char smccc_only[1 << 16];
	snprintf(smccc_only, sizeof(smccc_only), "%s", strstr(read_text_file(KVM_ARM64), "SMCCC:\n"));
	struct hv_report *r = DRIFT(read_text_file(KVM_ARM64), smccc_only, gone);
	assert_string_equal(detail_of(r, "drift.arm"),
			    "Arm ID registers in the baseline (MIDR_EL1 0xf0510), none now: not "
			    "compared");
	assert_int_equal(find_result(r, "drift.arm")->severity, SEVERITY_HIGH);
	r = DRIFT(smccc_only, with_register(0, "MIDR_EL1", 0x410fd083u), new);
	assert_string_equal(detail_of(r, "drift.arm"),
			    "Arm ID registers now (MIDR_EL1 0x410fd083), none in the baseline: "
			    "not compared");
	assert_int_equal(find_result(r, "drift.arm")->severity, SEVERITY_LOW);
	/* neither has them: nothing */
	drift_of(smccc_only, smccc_only, NULL, 0);
}

static void arm_labels_known_listed_and_waived(void **state)
{
	(void)state;
	static const char *const known[] = {
		"drift.arm", "drift.arm.sve", "DRIFT.ARM.PMUVER", "drift.arm.midr.partnum",
		"drift.arm.midr.implementer", "drift.arm.el2", "drift.arm.api",
		"drift.arm.raw.midr_el1", "drift.arm.raw.id_aa64pfr0_el1",
		"drift.arm.raw.ID_AA64ISAR1_EL1",
	};
	static const char *const unknown[] = {
		"drift.arm.", "drift.armx", "drift.arm.midr", "drift.arm.sve2", "drift.arm.raw",
		"drift.arm.raw.", "drift.arm.raw.id_aa64zfr0_el1", "drift.arm.raw.sve",
		"drift.arm.midr_el1", "drift.arm.id_aa64pfr0_el1", "drift.arm.arm.sve",
	};
	EXPECT_LABELS(known, unknown);
	/* every field's key gives one */
	for (size_t i = 0; i < COUNT(fields); i++)
		if (!result_label_known(label_of(fields[i].key)))
			fail_msg("%s refused", label_of(fields[i].key));

	static const char *const patterns[] = {
		"  drift.arm ", "  drift.arm.KEY ", "  drift.arm.midr.KEY ", "  drift.arm.raw.REGISTER ",
	};
	EXPECT_LISTED("  drift.arm ", patterns);

	/* waived, the lost SVE warns and the verdict passes */
	expect_waived("drift.arm.sve", with_register(0, "ID_AA64PFR0_EL1",
						     with_field(field_of("arm.sve"), PFR0, 0)));
}

/* --- policies -------------------------------------------------------------- */

/* The recording's Arm ID registers section alone, with register reg set
 * to value (or as recorded when reg is NULL). */
static const char *id_section(const char *reg, uint64_t value)
{
	static char text[1024];
	size_t n = (size_t)snprintf(text, sizeof(text), "Arm ID registers:\n");

	for (size_t r = 0; r < COUNT(registers); r++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "   %s 0x%llx\n", registers[r].name,
				      (unsigned long long)(reg && !strcmp(reg, registers[r].name)
								   ? value
								   : registers[r].recorded));
	return text;
}

static void written_policy_pins_each_feature_field(void **state)
{
	(void)state;
	size_t count = write_policy(replay(&baseline_report, id_section(NULL, 0), "golden"));
	/* each feature field above 0, at least as offered, named as sysreg
	 * names it; not MIDR_EL1's */
	static char expected[4096];
	size_t n = (size_t)snprintf(expected, sizeof(expected),
				    "\n# Arm ID registers: MIDR_EL1 0x%016llx\n",
				    (unsigned long long)MIDR);
	size_t pinned = 0;
	for (size_t i = 0; i < COUNT(fields); i++) {
		const struct field *f = &fields[i];
		uint64_t v = value_of(f, recorded(f->reg));
		if (!f->feature || !v)
			continue;
		char requirement[64];
		snprintf(requirement, sizeof(requirement), "%s>=%llu", f->key, (unsigned long long)v);
		n += (size_t)snprintf(expected + n, sizeof(expected) - n, "%-36s # %s.%s\n",
				      requirement, f->reg, f->name);
		pinned++;
	}
	/* EL2 GIC RAS SVE CSV2 CSV3 BT SSBS DebugVer PMUVer API */
	assert_int_equal(pinned, 11);
	assert_int_equal(count, pinned);
	assert_contains(written_policy, expected);
	assert_contains(written_policy, "\narm.sve>=1                           # "
					"ID_AA64PFR0_EL1.SVE\n");
	assert_lacks(written_policy, "arm.midr");
	assert_lacks(written_policy, "arm.amu");

	/* it passes on the recording and its JSON */
	assert_string_equal(failed_on(replay(&now_report, id_section(NULL, 0), "now"), count), "");
	assert_string_equal(failed_on(replay(&now_report, read_text_file(KVM_ARM64_JQ_SORTED), "now"),
				      count),
			    "");
	/* fails on a lower field, never on a higher one or another model */
	assert_string_equal(
		failed_on(replay(&now_report,
				 id_section("ID_AA64PFR0_EL1", with_field(field_of("arm.sve"), PFR0, 0)),
				 "now"),
			  count),
		"require.arm.sve");
	assert_string_equal(
		failed_on(replay(&now_report,
				 id_section("ID_AA64DFR0_EL1",
					    with_field(field_of("arm.pmuver"), DFR0, 0)),
				 "now"),
			  count),
		"require.arm.pmuver");
	assert_string_equal(
		failed_on(replay(&now_report,
				 id_section("ID_AA64PFR1_EL1",
					    with_field(field_of("arm.ssbs"),
						       with_field(field_of("arm.mte"), PFR1, 2), 1)),
				 "now"),
			  count),
		"require.arm.ssbs");
	assert_string_equal(failed_on(replay(&now_report, id_section("MIDR_EL1", 0x410fd083u), "now"),
				      count),
			    "");
	/* a recording without ID registers: each requirement not known */
	struct hv_report *r = replay(&now_report, read_text_file(TCG_ARM64), "now");
	const char *failed = failed_on(r, count);
	for (size_t i = 0; i < COUNT(fields); i++) {
		char label[64];
		snprintf(label, sizeof(label), "require.%s", fields[i].key);
		if (fields[i].feature && value_of(&fields[i], recorded(fields[i].reg)))
			assert_contains(failed, label);
	}
	assert_string_equal(detail_of(r, "require.arm.sve"),
			    "arm.sve >= 1: not known: no Arm ID registers: the recording has none");

	/* PMUVer IMP_DEF offers no PMUv3: not pinned */
	write_policy(replay(&baseline_report,
			    id_section("ID_AA64DFR0_EL1", with_field(field_of("arm.pmuver"), DFR0, 0xf)),
			    "golden"));
	assert_lacks(written_policy, "arm.pmuver");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(recording_holds_these_registers),
		cmocka_unit_test(json_reads_back_register_for_register),
		cmocka_unit_test(malformed_arm_id_members),
		cmocka_unit_test(recording_matches_its_json),
		cmocka_unit_test(each_field_up_and_down),
		cmocka_unit_test(sve_and_pmu_lost),
		cmocka_unit_test(another_cpu_model),
		cmocka_unit_test(undecoded_bits_differ),
		cmocka_unit_test(registers_on_one_side_only),
		cmocka_unit_test(arm_labels_known_listed_and_waived),
		cmocka_unit_test(written_policy_pins_each_feature_field),
	};
	return cmocka_run_group_tests_name("Arm ID registers through JSON, baselines and policies",
					   tests, NULL, NULL);
}
