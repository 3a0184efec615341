/* The Arm ID registers: the table against Linux, a dump's "Arm ID
 * registers:" section decoded into the text report, the JSON and the arm.*
 * facts, and the sections refused. The dumps are written by hand here, each
 * register built from field values this file states at the positions
 * Linux gives them (arch/arm64/tools/sysreg; MIDR_EL1's, asm/cputype.h),
 * never from hvfeat's table; what KVM answers a guest is Linux 6.1's
 * arch/arm64/kvm/sys_regs.c, read_id_reg. */
#include "recordings.h"

#include "arm_id.h"
#include "arm_id_facts.h"
#include "checks.h"
#include "facts.h"
#include "judge.h"
#include "smccc.h"

/* value placed at bits [.. : lsb] */
#define AT(value, lsb) ((uint64_t)(value) << (lsb))

/* Linux sysreg's positions (msb:lsb), typed from it. */
#define MIDR_IMPLEMENTER(v) AT(v, 24) /* 31:24 */
#define MIDR_VARIANT(v) AT(v, 20)     /* 23:20 */
#define MIDR_ARCHITECTURE(v) AT(v, 16) /* 19:16, not decoded */
#define MIDR_PARTNUM(v) AT(v, 4)      /* 15:4 */
#define MIDR_REVISION(v) AT(v, 0)     /* 3:0 */
#define PFR0_EL0(v) AT(v, 0)
#define PFR0_EL1(v) AT(v, 4)
#define PFR0_EL2(v) AT(v, 8)
#define PFR0_GIC(v) AT(v, 24)
#define PFR0_RAS(v) AT(v, 28)
#define PFR0_SVE(v) AT(v, 32)
#define PFR0_SEL2(v) AT(v, 36)
#define PFR0_AMU(v) AT(v, 44)
#define PFR0_DIT(v) AT(v, 48)
#define PFR0_CSV2(v) AT(v, 56)
#define PFR0_CSV3(v) AT(v, 60)
#define PFR1_BT(v) AT(v, 0)
#define PFR1_SSBS(v) AT(v, 4)
#define PFR1_MTE(v) AT(v, 8)
#define PFR1_SME(v) AT(v, 24)
#define DFR0_DEBUGVER(v) AT(v, 0)
#define DFR0_TRACEVER(v) AT(v, 4)
#define DFR0_PMUVER(v) AT(v, 8)
#define DFR0_BRPS(v) AT(v, 12)
#define ISAR1_DPB(v) AT(v, 0)
#define ISAR1_APA(v) AT(v, 4)
#define ISAR1_API(v) AT(v, 8)
#define ISAR1_JSCVT(v) AT(v, 12)

struct id_values {
	uint64_t midr, pfr0, pfr1, dfr0, isar1;
};

/* A synthetic CPU, no real part: Neoverse N1 r3p1's MIDR (cputype.h:
 * ARM_CPU_IMP_ARM 0x41, ARM_CPU_PART_NEOVERSE_N1 0xd0c) with features a
 * real N1 (Armv8.2) lacks: EL2 and EL1 with
 * AArch32 at EL1/EL0, GICv3, RASv1p1, SVE, CSV2 and CSV3, SSBS with its
 * MSR/MRS form, debug v8.2 and PMUv3 for v8.4, both pointer
 * authentications. Neighbouring fields differ, so a field read from the
 * wrong bits cannot come out right. */
static const struct id_values neoverse = {
	.midr = MIDR_IMPLEMENTER(0x41) | MIDR_VARIANT(3) | MIDR_ARCHITECTURE(0xf) |
		MIDR_PARTNUM(0xd0c) | MIDR_REVISION(1),
	.pfr0 = PFR0_EL0(2) | PFR0_EL1(2) | PFR0_EL2(1) | PFR0_GIC(1) | PFR0_RAS(2) |
		PFR0_SVE(1) | PFR0_SEL2(0) | PFR0_AMU(0) | PFR0_DIT(1) | PFR0_CSV2(1) |
		PFR0_CSV3(1),
	.pfr1 = PFR1_BT(1) | PFR1_SSBS(2) | PFR1_MTE(0) | PFR1_SME(0),
	.dfr0 = DFR0_DEBUGVER(8) | DFR0_TRACEVER(0) | DFR0_PMUVER(5) | DFR0_BRPS(5),
	.isar1 = ISAR1_DPB(1) | ISAR1_APA(3) | ISAR1_API(0) | ISAR1_JSCVT(1),
};

/* What KVM (Linux 6.1 read_id_reg) gives a guest of that host started
 * with QEMU's -cpu host,sve=off,pmu=off: SVE cleared without the vCPU
 * feature, PMUVer 0 without a PMU, DebugVer set to 6 (v8.0), AMU hidden;
 * QEMU's TCG -cpu max as the host (MIDR 0x000f0510, target/arm/cpu64.c:
 * implementer 0, architecture 0xf, part 'Q'). */
static const struct id_values kvm_sve_pmu_off = {
	.midr = MIDR_IMPLEMENTER(0) | MIDR_ARCHITECTURE(0xf) | MIDR_PARTNUM('Q'),
	.pfr0 = PFR0_EL0(1) | PFR0_EL1(1) | PFR0_GIC(1) | PFR0_CSV2(1) | PFR0_CSV3(1),
	.pfr1 = PFR1_BT(1) | PFR1_SSBS(2),
	.dfr0 = DFR0_DEBUGVER(6),
	.isar1 = ISAR1_APA(0) | ISAR1_API(1),
};

static struct cpuid_dump dump;
static struct hv_report report;
static char shown[1 << 16];

static const char *dump_text(const struct id_values *v, const char *before)
{
	snprintf(shown, sizeof(shown),
		 "%sArm ID registers:\n   MIDR_EL1 0x%lx\n   ID_AA64PFR0_EL1 0x%lx\n"
		 "   ID_AA64PFR1_EL1 0x%lx\n   ID_AA64DFR0_EL1 0x%lx\n   ID_AA64ISAR1_EL1 0x%lx\n",
		 before, (unsigned long)v->midr, (unsigned long)v->pfr0, (unsigned long)v->pfr1,
		 (unsigned long)v->dfr0, (unsigned long)v->isar1);
	return shown;
}

/* The report of a dump, as hvfeat -f makes it. */
static struct hv_report *replayed(const char *dump_text)
{
	struct cpuid_source none;

	if (!cpuid_dump_parse(&dump, dump_text, strlen(dump_text)))
		fail_msg("line %u: %s", dump.problems[0].line, dump.problems[0].reason);
	cpuid_source_none(&none, "test");
	hv_scan(&report, &none);
	arm_id_replay(&report.arm_id, &dump.arm_id);
	return &report;
}

static const char *rendered(void (*render)(const struct hv_report *, struct text_sink *))
{
	return render_into(shown, sizeof(shown), &report, render);
}

static const char *fact_of(const char *key, uint64_t *number)
{
	struct fact_ref ref;
	struct fact_value value;

	if (!fact_resolve(key, &ref))
		fail_msg("%s names no fact", key);
	const char *why = fact_value(&report, &ref, &value);
	*number = value.number;
	return why;
}

static uint64_t fact_number(const char *key)
{
	uint64_t number;
	const char *why = fact_of(key, &number);

	if (why)
		fail_msg("%s: %s", key, why);
	return number;
}

/* Linux sysreg's fields (MIDR_EL1's: cputype.h's MIDR_*_SHIFT and masks),
 * and the keys the README gives them. */
static void fields_sit_where_linux_puts_them(void **state)
{
	(void)state;
	static const struct {
		const char *id;
		enum arm_id_register reg;
		unsigned msb, lsb;
		const char *key;
	} linux_fields[] = {
		{ "MIDR_EL1.Implementer", ARM_MIDR_EL1, 31, 24, "arm.midr.implementer" },
		{ "MIDR_EL1.Variant", ARM_MIDR_EL1, 23, 20, "arm.midr.variant" },
		{ "MIDR_EL1.PartNum", ARM_MIDR_EL1, 15, 4, "arm.midr.partnum" },
		{ "MIDR_EL1.Revision", ARM_MIDR_EL1, 3, 0, "arm.midr.revision" },
		{ "ID_AA64PFR0_EL1.EL2", ARM_ID_AA64PFR0_EL1, 11, 8, "arm.el2" },
		{ "ID_AA64PFR0_EL1.GIC", ARM_ID_AA64PFR0_EL1, 27, 24, "arm.gic" },
		{ "ID_AA64PFR0_EL1.RAS", ARM_ID_AA64PFR0_EL1, 31, 28, "arm.ras" },
		{ "ID_AA64PFR0_EL1.SVE", ARM_ID_AA64PFR0_EL1, 35, 32, "arm.sve" },
		{ "ID_AA64PFR0_EL1.AMU", ARM_ID_AA64PFR0_EL1, 47, 44, "arm.amu" },
		{ "ID_AA64PFR0_EL1.CSV2", ARM_ID_AA64PFR0_EL1, 59, 56, "arm.csv2" },
		{ "ID_AA64PFR0_EL1.CSV3", ARM_ID_AA64PFR0_EL1, 63, 60, "arm.csv3" },
		{ "ID_AA64PFR1_EL1.BT", ARM_ID_AA64PFR1_EL1, 3, 0, "arm.bt" },
		{ "ID_AA64PFR1_EL1.SSBS", ARM_ID_AA64PFR1_EL1, 7, 4, "arm.ssbs" },
		{ "ID_AA64PFR1_EL1.MTE", ARM_ID_AA64PFR1_EL1, 11, 8, "arm.mte" },
		{ "ID_AA64PFR1_EL1.SME", ARM_ID_AA64PFR1_EL1, 27, 24, "arm.sme" },
		{ "ID_AA64DFR0_EL1.DebugVer", ARM_ID_AA64DFR0_EL1, 3, 0, "arm.debugver" },
		{ "ID_AA64DFR0_EL1.PMUVer", ARM_ID_AA64DFR0_EL1, 11, 8, "arm.pmuver" },
		{ "ID_AA64ISAR1_EL1.APA", ARM_ID_AA64ISAR1_EL1, 7, 4, "arm.apa" },
		{ "ID_AA64ISAR1_EL1.API", ARM_ID_AA64ISAR1_EL1, 11, 8, "arm.api" },
	};
	static const char *const names[] = { "MIDR_EL1", "ID_AA64PFR0_EL1", "ID_AA64PFR1_EL1",
					     "ID_AA64DFR0_EL1", "ID_AA64ISAR1_EL1" };
	static const char *const keys[] = { "arm.midr_el1", "arm.id_aa64pfr0_el1",
					    "arm.id_aa64pfr1_el1", "arm.id_aa64dfr0_el1",
					    "arm.id_aa64isar1_el1" };

	for (size_t r = 0; r < ARM_ID_REGISTER_COUNT; r++) {
		assert_string_equal(arm_id_registers[r].name, names[r]);
		assert_string_equal(arm_id_registers[r].key, keys[r]);
	}
	assert_int_equal(arm_id_field_count, sizeof(linux_fields) / sizeof(linux_fields[0]));
	for (size_t i = 0; i < sizeof(linux_fields) / sizeof(linux_fields[0]); i++) {
		const struct arm_id_field *field = NULL;
		for (size_t f = 0; f < arm_id_field_count; f++)
			if (!strcmp(arm_id_fields[f].id, linux_fields[i].id))
				field = &arm_id_fields[f];
		if (!field)
			fail_msg("%s is not in the table", linux_fields[i].id);
		assert_int_equal(field->reg, linux_fields[i].reg);
		assert_int_equal(field->shift, linux_fields[i].lsb);
		assert_int_equal(field->width, linux_fields[i].msb - linux_fields[i].lsb + 1);
		assert_string_equal(field->key, linux_fields[i].key);
	}
}

/* Each field and register key is a fact, of the field's range, and every
 * arm.* fact is one of them. */
static void every_key_is_a_fact(void **state)
{
	(void)state;
	struct fact_ref ref;

	for (size_t f = 0; f < arm_id_field_count; f++) {
		assert_true(fact_resolve(arm_id_fields[f].key, &ref));
		assert_int_equal(ref.def->type, FACT_NUMBER);
		assert_int_equal(ref.def->largest, (UINT64_C(1) << arm_id_fields[f].width) - 1);
	}
	for (size_t r = 0; r < ARM_ID_REGISTER_COUNT; r++) {
		assert_true(fact_resolve(arm_id_registers[r].key, &ref));
		assert_true(ref.def->largest == UINT64_MAX);
	}
	assert_int_equal(arm_id_facts.count, arm_id_field_count + ARM_ID_REGISTER_COUNT);
}

/* Linux cputype.h's ARM_CPU_IMP_*, and the Arm ARM's 0: software. */
static void implementers_are_named(void **state)
{
	(void)state;
	static const struct {
		uint64_t code;
		const char *name;
	} named[] = { { 0x41, "Arm" }, { 0x51, "Qualcomm" }, { 0x61, "Apple" },
		      { 0xc0, "Ampere" }, { 0x00, "reserved for software use" },
		      { 0x48, "HiSilicon" }, { 0x4e, "NVIDIA" }, { 0x6d, "Microsoft" } };
	const struct arm_id_field *implementer = &arm_id_fields[0];

	assert_string_equal(implementer->id, "MIDR_EL1.Implementer");
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		assert_string_equal(arm_id_value_name(implementer, named[i].code), named[i].name);
	assert_null(arm_id_value_name(implementer, 0x99));
	assert_null(arm_id_value_name(&arm_id_fields[1], 0));
}

static void a_hosts_cpu_decoded(void **state)
{
	(void)state;
	replayed(dump_text(&neoverse, ""));
	assert_true(report.arm_id.read);

	/* The facts, each field and each register whole. */
	assert_int_equal(fact_number("arm.midr.implementer"), 0x41);
	assert_int_equal(fact_number("arm.midr.variant"), 3);
	assert_int_equal(fact_number("arm.midr.partnum"), 0xd0c);
	assert_int_equal(fact_number("arm.midr.revision"), 1);
	assert_int_equal(fact_number("arm.el2"), 1);
	assert_int_equal(fact_number("arm.gic"), 1);
	assert_int_equal(fact_number("arm.ras"), 2);
	assert_int_equal(fact_number("arm.sve"), 1);
	assert_int_equal(fact_number("arm.amu"), 0);
	assert_int_equal(fact_number("arm.csv2"), 1);
	assert_int_equal(fact_number("arm.csv3"), 1);
	assert_int_equal(fact_number("arm.bt"), 1);
	assert_int_equal(fact_number("arm.ssbs"), 2);
	assert_int_equal(fact_number("arm.mte"), 0);
	assert_int_equal(fact_number("arm.sme"), 0);
	assert_int_equal(fact_number("arm.debugver"), 8);
	assert_int_equal(fact_number("arm.pmuver"), 5);
	assert_int_equal(fact_number("arm.apa"), 3);
	assert_int_equal(fact_number("arm.api"), 0);
	assert_true(fact_number("arm.midr_el1") == 0x413fd0c1u);
	assert_true(fact_number("arm.id_aa64pfr0_el1") == 0x1101000121000122ull);
	assert_true(fact_number("ARM.ID_AA64ISAR1_EL1") == 0x1031u);

	/* The text report: the registers, each field named under its own. */
	text_of(&report);
	assert_contains(test_text, "\nArm ID registers (the CPU the hypervisor presents)\n"
				   "  MIDR_EL1         0x00000000413fd0c1\n"
				   "    Implementer  0x41   who designed the CPU: Arm\n"
				   "    Variant      3      ");
	assert_contains(test_text, "    PartNum      0xd0c  ");
	assert_contains(test_text, "  ID_AA64PFR0_EL1  0x1101000121000122\n    EL2          1  ");
	assert_contains(test_text, "    SVE          1      scalable vectors");
	assert_contains(test_text, "    CSV3         1      ");
	assert_contains(test_text, "  ID_AA64DFR0_EL1  0x0000000000005508\n"
				   "    DebugVer     8      debug architecture");
	assert_contains(test_text, "    PMUVer       5      PMU");
	assert_contains(test_text, "    APA          3      ");
	/* and what -r writes, which reads back the same */
	assert_contains(test_text, "\nraw Arm ID registers (hvfeat -r format):\n"
				   "Arm ID registers:\n   MIDR_EL1         0x00000000413fd0c1\n");
	static char again[4096];
	strcpy(again, rendered(render_raw_dump));
	assert_string_equal(again, "Arm ID registers:\n"
				   "   MIDR_EL1         0x00000000413fd0c1\n"
				   "   ID_AA64PFR0_EL1  0x1101000121000122\n"
				   "   ID_AA64PFR1_EL1  0x0000000000000021\n"
				   "   ID_AA64DFR0_EL1  0x0000000000005508\n"
				   "   ID_AA64ISAR1_EL1 0x0000000000001031\n");
	replayed(again);
	assert_string_equal(rendered(render_raw_dump), again);

	/* The JSON: the registers as hex strings, every field with its value. */
	rendered(render_json);
	assert_contains(shown, "  \"arm_id\": {\n    \"registers\": {\"MIDR_EL1\": \"0x413fd0c1\", "
			      "\"ID_AA64PFR0_EL1\": \"0x1101000121000122\", "
			      "\"ID_AA64PFR1_EL1\": \"0x21\", \"ID_AA64DFR0_EL1\": \"0x5508\", "
			      "\"ID_AA64ISAR1_EL1\": \"0x1031\"},\n    \"fields\": [\n");
	assert_contains(shown, "{\"id\": \"MIDR_EL1.Implementer\", \"key\": \"arm.midr.implementer\", "
			      "\"register\": \"MIDR_EL1\", \"shift\": 24, \"width\": 8, "
			      "\"value\": 65, \"name\": \"Arm\", \"meaning\": ");
	assert_contains(shown, "{\"id\": \"MIDR_EL1.PartNum\", \"key\": \"arm.midr.partnum\", "
			      "\"register\": \"MIDR_EL1\", \"shift\": 4, \"width\": 12, "
			      "\"value\": 3340, \"name\": null, ");
	assert_contains(shown, "{\"id\": \"ID_AA64PFR0_EL1.SVE\", \"key\": \"arm.sve\", "
			      "\"register\": \"ID_AA64PFR0_EL1\", \"shift\": 32, \"width\": 4, "
			      "\"value\": 1, ");
	assert_contains(shown, "{\"id\": \"ID_AA64DFR0_EL1.PMUVer\", \"key\": \"arm.pmuver\", "
			      "\"register\": \"ID_AA64DFR0_EL1\", \"shift\": 8, \"width\": 4, "
			      "\"value\": 5, ");
}

/* QEMU's -cpu host,sve=off,pmu=off under KVM, as the bed's cases ask it:
 * arm.sve=0 and arm.pmuver=0 pass, debug is v8.0, and the requirements a
 * policy file holds read the same. */
static void kvm_sve_and_pmu_off(void **state)
{
	(void)state;
	static struct requirement_list list;
	char errors[512];
	struct buffer_sink sink;
	const char *policy = "# the bed's sve=off,pmu=off case\n"
			     "arm.sve = 0\narm.pmuver = 0\narm.debugver = 6\n"
			     "arm.midr.implementer = 0\narm.midr.partnum = 0x51\n"
			     "arm.id_aa64pfr0_el1 = 0x1100000001000011\n";

	replayed(dump_text(&kvm_sve_pmu_off, ""));
	assert_contains(text_of(&report), "    Implementer  0x00   who designed the CPU: "
					  "reserved for software use\n");
	list.count = 0;
	buffer_sink_init(&sink, errors, sizeof(errors) - 1);
	assert_true(requirements_add(&list, policy, strlen(policy), "arm.policy", &sink.sink));
	hv_check(&report, &list);
	assert_int_equal(report.check_count, 6);
	for (size_t i = 0; i < report.check_count; i++)
		assert_true(report.checks[i].passed);

	/* The host's CPU fails the same policy, field by field. */
	replayed(dump_text(&neoverse, ""));
	hv_check(&report, &list);
	hv_judge(&report, &(struct judge_settings){ 0 });
	assert_false(report.checks[0].passed);
	assert_int_equal(report.checks[0].found, 1);
	assert_false(report.checks[1].passed);
	assert_int_equal(report.checks[1].found, 5);
	assert_false(report.checks[2].passed);
	assert_false(report.verdict.passed);
	assert_contains(text_of(&report), "FAIL  require.arm.sve: arm.sve = 0: found 1\n");
	/* a 64-bit register's check in the JSON: hex strings */
	assert_contains(rendered(render_json),
			"\"comparison\": \"=\", \"expected\": \"0x1100000001000011\", "
			"\"found\": \"0x1101000121000122\"");
}

/* No ID registers: x86 (CPUID is its interface) and an arm64 recording
 * made before hvfeat read them. Nothing shown, facts not known. */
static void no_id_registers(void **state)
{
	(void)state;
	static const struct cpuid_record records[] = { BASIC_LEAVES_HV };
	uint64_t number;

	report = *scan_described(records, sizeof(records) / sizeof(records[0]), "x86");
	assert_string_equal(fact_of("arm.sve", &number),
			    "no Arm ID registers: CPUID is this machine's interface");
	assert_lacks(text_of(&report), "Arm ID registers");
	assert_lacks(rendered(render_raw_dump), "Arm ID registers");
	assert_contains(rendered(render_json), "  \"arm_id\": null,\n");

	replayed(read_text_file(DUMPS_DIR "/arm64/tcg-aavmf-qemu-7.2.txt"));
	assert_false(report.arm_id.read);
	assert_string_equal(fact_of("arm.id_aa64pfr0_el1", &number),
			    "no Arm ID registers: the recording has none");
	assert_lacks(text_of(&report), "Arm ID registers");
}

/* The arm64 suite cuts a log from "SMCCC:" to "results:" and takes it for
 * the SMCCC recording, which must equal the committed one
 * (tests/firmware/test_kvm_arm64.py): the ID registers, in a run that has
 * them, come before it, in the text and in -r alike. */
static void smccc_answers_stay_last_before_the_results(void **state)
{
	(void)state;
	static char recording[8192];
	const char *log;

	/* The bed's recording: its ID registers, then its SMCCC answers. */
	strcpy(recording,
	       read_text_file(DUMPS_DIR "/arm64/kvm-real-6.1.0-57-arm64-qemu-7.2-host.txt"));
	const char *answers = strstr(recording, "SMCCC:\n");
	assert_non_null(answers);
	replayed(recording);
	assert_true(report.arm_id.read);
	struct smccc_source source;
	smccc_source_recorded(&source, &dump.smccc, "test");
	smccc_scan(&report.smccc, &source);
	log = text_of(&report);
	const char *from = strstr(log, "SMCCC:\n"), *to = strstr(log, "\nresults:");
	assert_non_null(from);
	assert_non_null(to);
	assert_int_equal((size_t)(to - from), strlen(answers));
	assert_memory_equal(from, answers, strlen(answers));
	/* -r writes the recording back as committed */
	assert_string_equal(rendered(render_raw_dump), recording);
}

/* The section beside the others, in any order, and what is refused. */
static void sections_read_and_refused(void **state)
{
	(void)state;
	static char both[2048];
	snprintf(both, sizeof(both), "%sCPU:\n"
		 "   0x00000000 0x00: eax=0x00000001 ebx=0x0 ecx=0x0 edx=0x0\n",
		 dump_text(&neoverse, "SMCCC:\n   conduit hvc (a)\n   0x80000000 0x0: x0=0x10001\n"));
	assert_true(cpuid_dump_parse(&dump, both, strlen(both)));
	assert_int_equal(dump.record_count, 1);
	assert_int_equal(dump.smccc.count, 1);
	assert_true(dump.arm_id.present);
	assert_true(dump.arm_id.values[ARM_ID_AA64DFR0_EL1] == neoverse.dfr0);

	static const struct {
		const char *shown, *why;
	} cases[] = {
		{ "Arm ID registers:\n   MIDR_EL2 0x1\n", "names no ID register hvfeat reads" },
		{ "Arm ID registers:\n   MIDR_EL1 1\n",
		  "a register's value must be 0x and hex digits below 2^64" },
		{ "Arm ID registers:\n   MIDR_EL1 0x11111111111111111\n",
		  "a register's value must be 0x and hex digits below 2^64" },
		{ "Arm ID registers:\n   MIDR_EL1 0x\n",
		  "a register's value must be 0x and hex digits below 2^64" },
		{ "Arm ID registers:\n   MIDR_EL1 0x1 x\n", "more after the register's value" },
		{ "Arm ID registers:\n   MIDR_EL1 0x1\n   MIDR_EL1 0x1\n", "a register given twice" },
		{ "Arm ID registers:\n   MIDR_EL1 0x1\n",
		  "its Arm ID registers section lacks a register hvfeat reads" },
		{ "Arm ID registers:\n   0x00000000 0x00: eax=0x1 ebx=0x0 ecx=0x0 edx=0x0\n",
		  "names no ID register hvfeat reads" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_false(cpuid_dump_parse(&dump, cases[i].shown, strlen(cases[i].shown)));
		assert_string_equal(dump.problems[0].reason, cases[i].why);
	}
	const char *twice = dump_text(&neoverse, "Arm ID registers:\n");
	assert_false(cpuid_dump_parse(&dump, twice, strlen(twice)));
	assert_string_equal(dump.problems[0].reason, "a second Arm ID registers section");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fields_sit_where_linux_puts_them),
		cmocka_unit_test(every_key_is_a_fact),
		cmocka_unit_test(implementers_are_named),
		cmocka_unit_test(a_hosts_cpu_decoded),
		cmocka_unit_test(kvm_sve_and_pmu_off),
		cmocka_unit_test(no_id_registers),
		cmocka_unit_test(smccc_answers_stay_last_before_the_results),
		cmocka_unit_test(sections_read_and_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
