/* SMCCC: the calls asked, their decoding, the recordings, the facts and
 * the FADT. Expected values are typed from upstream, not from the tables:
 * function identifiers from Linux include/linux/arm-smccc.h's
 * ARM_SMCCC_CALL_VAL, the UIDs from its register values and UUID_INIT
 * arguments, KVM's answers from arch/arm64/kvm/hypercalls.c and trng.c,
 * the FADT's layout from ACPI 6.4, 5.2.9. */
#include "recordings.h"

#include "acpi.h"
#include "checks.h"
#include "facts.h"
#include "fdt.h"
#include "judge.h"
#include "arm_id.h"
#include "probe_smccc.h"
#include "smccc.h"

/* Linux arm-smccc.h */
#define CALL_VAL(type, conv, owner, func) \
	((uint32_t)(type) << 31 | (uint32_t)(conv) << 30 | (uint32_t)(owner) << 24 | (func))
#define FAST 1u
#define SMC32 0u
#define SMC64 1u
#define OWNER_ARCH 0u
#define OWNER_STANDARD 4u
#define OWNER_STANDARD_HYP 5u
#define OWNER_VENDOR_HYP 6u
/* ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_0..3 (Linux before 6.16) */
#define KVM_UID 0xb66fb428u, 0xe911c52eu, 0x564bcaa9u, 0x743a004du

static struct cpuid_dump dump;
static struct hv_report report;
static char shown[1 << 16];

/* The report of a dump's SMCCC section (and Arm ID registers), as hvfeat
 * -f makes it. */
static struct hv_report *replayed(const char *dump_text)
{
	struct cpuid_source none;
	struct smccc_source source;

	assert_true(cpuid_dump_parse(&dump, dump_text, strlen(dump_text)));
	assert_true(dump.smccc.present);
	cpuid_source_none(&none, "test");
	hv_scan(&report, &none);
	arm_id_replay(&report.arm_id, &dump.arm_id);
	smccc_source_recorded(&source, &dump.smccc, "test");
	smccc_scan(&report.smccc, &source);
	return &report;
}

static const char *rendered(void (*render)(const struct hv_report *, struct text_sink *))
{
	return render_into(shown, sizeof(shown), &report, render);
}

static void function_identifiers_are_linux_s(void **state)
{
	(void)state;
	assert_int_equal(SMCCC_VERSION_FUNC_ID, CALL_VAL(FAST, SMC32, OWNER_ARCH, 0));
	assert_int_equal(SMCCC_ARCH_FEATURES_FUNC_ID, CALL_VAL(FAST, SMC32, OWNER_ARCH, 1));
	assert_int_equal(SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID,
			 CALL_VAL(FAST, SMC32, OWNER_VENDOR_HYP, 0xff01));
	assert_int_equal(SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID,
			 CALL_VAL(FAST, SMC32, OWNER_VENDOR_HYP, 0));
	assert_int_equal(SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID, CALL_VAL(FAST, SMC32, OWNER_VENDOR_HYP, 1));
	assert_int_equal(SMCCC_HV_PV_TIME_FEATURES, CALL_VAL(FAST, SMC64, OWNER_STANDARD_HYP, 0x20));
	assert_int_equal(SMCCC_HV_PV_TIME_ST, CALL_VAL(FAST, SMC64, OWNER_STANDARD_HYP, 0x21));
	assert_int_equal(SMCCC_TRNG_VERSION, CALL_VAL(FAST, SMC32, OWNER_STANDARD, 0x50));
	assert_int_equal(SMCCC_TRNG_FEATURES, CALL_VAL(FAST, SMC32, OWNER_STANDARD, 0x51));
	assert_int_equal(SMCCC_TRNG_GET_UUID, CALL_VAL(FAST, SMC32, OWNER_STANDARD, 0x52));
	assert_int_equal(SMCCC_TRNG_RND32, CALL_VAL(FAST, SMC32, OWNER_STANDARD, 0x53));
	assert_int_equal(SMCCC_TRNG_RND64, CALL_VAL(FAST, SMC64, OWNER_STANDARD, 0x53));

	static const struct {
		const char *id;
		uint32_t function;
	} arch[] = {
		{ "ARM_SMCCC_ARCH_WORKAROUND_1", CALL_VAL(FAST, SMC32, 0, 0x8000) },
		{ "ARM_SMCCC_ARCH_WORKAROUND_2", CALL_VAL(FAST, SMC32, 0, 0x7fff) },
		{ "ARM_SMCCC_ARCH_WORKAROUND_3", CALL_VAL(FAST, SMC32, 0, 0x3fff) },
		{ "ARM_SMCCC_ARCH_WORKAROUND_4", CALL_VAL(FAST, SMC32, 0, 0x0004) },
		{ "ARM_SMCCC_ARCH_SOC_ID", CALL_VAL(FAST, SMC32, 0, 2) },
		{ "ARM_SMCCC_HV_PV_TIME_FEATURES", CALL_VAL(FAST, SMC64, OWNER_STANDARD_HYP, 0x20) },
	};
	assert_int_equal(smccc_arch_feature_count, sizeof(arch) / sizeof(arch[0]));
	for (size_t i = 0; i < smccc_arch_feature_count; i++) {
		assert_string_equal(smccc_arch_features[i].id, arch[i].id);
		assert_int_equal(smccc_arch_features[i].function, arch[i].function);
	}
}

/* Every ARM_SMCCC_KVM_FUNC_* of Linux arm-smccc.h, by number; 5, 6 and
 * 8 to 63 are ARM_SMCCC_KVM_FUNC_PKVM_RESV_n. */
static void kvm_functions_are_linux_s(void **state)
{
	(void)state;
	static const struct {
		unsigned bit;
		const char *id;
	} named[] = {
		{ 0, "ARM_SMCCC_KVM_FUNC_FEATURES" }, { 1, "ARM_SMCCC_KVM_FUNC_PTP" },
		{ 2, "ARM_SMCCC_KVM_FUNC_HYP_MEMINFO" }, { 3, "ARM_SMCCC_KVM_FUNC_MEM_SHARE" },
		{ 4, "ARM_SMCCC_KVM_FUNC_MEM_UNSHARE" }, { 7, "ARM_SMCCC_KVM_FUNC_MMIO_GUARD" },
		{ 64, "ARM_SMCCC_KVM_FUNC_DISCOVER_IMPL_VER" },
		{ 65, "ARM_SMCCC_KVM_FUNC_DISCOVER_IMPL_CPUS" },
		{ 127, "ARM_SMCCC_KVM_FUNC_FEATURES_2" },
	};
	for (unsigned bit = 0; bit < 128; bit++) {
		const char *expected = NULL;
		char resv[48];
		for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
			if (named[i].bit == bit)
				expected = named[i].id;
		if (!expected && (bit == 5 || bit == 6 || (bit >= 8 && bit <= 63))) {
			snprintf(resv, sizeof(resv), "ARM_SMCCC_KVM_FUNC_PKVM_RESV_%u", bit);
			expected = resv;
		}
		const struct smccc_kvm_function *row = NULL;
		for (size_t i = 0; i < smccc_kvm_function_count; i++)
			if (smccc_kvm_functions[i].first <= bit && bit <= smccc_kvm_functions[i].last)
				row = &smccc_kvm_functions[i];
		if (!expected) {
			assert_null(row);
			continue;
		}
		assert_non_null(row);
		char id[48];
		snprintf(id, sizeof(id), row->id, bit);
		assert_string_equal(id, expected);
	}
}

/* A report whose vendor UID call answered regs; the rest not supported. */
static struct hv_report *uid_answer(uint32_t r0, uint32_t r1, uint32_t r2, uint32_t r3)
{
	char dump_text[512];
	snprintf(dump_text, sizeof(dump_text),
		 "SMCCC:\n   conduit hvc (test)\n   0x80000000 0x0: x0=0x10001\n"
		 "   0x8600ff01 0x0: x0=0x%x x1=0x%x x2=0x%x x3=0x%x\n", r0, r1, r2, r3);
	return replayed(dump_text);
}

/* Linux smccc_uuid_to_reg over UUID_INIT's bytes (big-endian fields). */
static uint32_t uuid_reg(const uint8_t b[16], int reg)
{
	return (uint32_t)b[4 * reg] | (uint32_t)b[4 * reg + 1] << 8 |
	       (uint32_t)b[4 * reg + 2] << 16 | (uint32_t)b[4 * reg + 3] << 24;
}

static void vendors_by_uid(void **state)
{
	(void)state;
	uid_answer(KVM_UID);
	assert_string_equal(report.smccc.vendor_uid, "28b46fb6-2ec5-11e9-a9ca-4b564d003a74");
	assert_string_equal(smccc_vendor(&report.smccc)->key, "kvm");

	/* Linux arch/arm64/hyperv/mshyperv.c: UUID_INIT(0x58ba324d, 0x6447,
	 * 0x24cd, 0x75, 0x6c, 0xef, 0x8e, 0x24, 0x70, 0x59, 0x16) */
	static const uint8_t hyperv[16] = { 0x58, 0xba, 0x32, 0x4d, 0x64, 0x47, 0x24, 0xcd,
					    0x75, 0x6c, 0xef, 0x8e, 0x24, 0x70, 0x59, 0x16 };
	uid_answer(uuid_reg(hyperv, 0), uuid_reg(hyperv, 1), uuid_reg(hyperv, 2),
		   uuid_reg(hyperv, 3));
	assert_string_equal(smccc_vendor(&report.smccc)->key, "hyperv");
	/* Xen public/arch-arm/smccc.h: XEN_DEFINE_UUID(0xa71812dc, 0xc698,
	 * 0x4369, 0x9acf, 0x79, 0xd1, 0x8d, 0xde, 0xe6, 0x67) */
	static const uint8_t xen[16] = { 0xa7, 0x18, 0x12, 0xdc, 0xc6, 0x98, 0x43, 0x69,
					 0x9a, 0xcf, 0x79, 0xd1, 0x8d, 0xde, 0xe6, 0x67 };
	uid_answer(uuid_reg(xen, 0), uuid_reg(xen, 1), uuid_reg(xen, 2), uuid_reg(xen, 3));
	assert_string_equal(smccc_vendor(&report.smccc)->key, "xen");

	/* Unknown: shown raw, no features asked. */
	uid_answer(0x11223344, 0x55667788, 0x99aabbcc, 0xddeeff00);
	assert_null(smccc_vendor(&report.smccc));
	assert_string_equal(report.smccc.vendor_uid, "44332211-8877-6655-ccbb-aa9900ffeedd");
	assert_null(smccc_answer(&report.smccc, SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID, 0));
	assert_contains(rendered(render_text), "vendor hypervisor UID: "
					       "44332211-8877-6655-ccbb-aa9900ffeedd (unknown)\n");
	assert_contains(shown, "summary: an unknown hypervisor UID through hvc\n");
}

/* The bitmap is 32 bits a register, x0 to x3 (Linux kvm_init_hyp_services). */
static void kvm_bitmap_spans_four_registers(void **state)
{
	(void)state;
	replayed("SMCCC:\n   conduit hvc (test)\n   0x80000000 0x0: x0=0x10001\n"
		 "   0x8600ff01 0x0: x0=0xb66fb428 x1=0xe911c52e x2=0x564bcaa9 x3=0x743a004d\n"
		 "   0x86000000 0x0: x0=0xffffffff00000002 x1=0x1 x2=0x2 x3=0x80000000\n");
	assert_false(smccc_kvm_function_offered(&report.smccc, 0)); /* upper half of x0 ignored */
	assert_true(smccc_kvm_function_offered(&report.smccc, 1));
	assert_false(smccc_kvm_function_offered(&report.smccc, 63));
	assert_true(smccc_kvm_function_offered(&report.smccc, 32));
	assert_false(smccc_kvm_function_offered(&report.smccc, 64));
	assert_true(smccc_kvm_function_offered(&report.smccc, 65));
	assert_true(smccc_kvm_function_offered(&report.smccc, 127));
	rendered(render_text);
	assert_contains(shown, "    yes   1 PTP ");
	assert_contains(shown, "    yes  32 PKVM_RESV_32 ");
	assert_contains(shown, "    no   64 DISCOVER_IMPL_VER ");
	assert_contains(shown, "    yes  65 DISCOVER_IMPL_CPUS ");
	assert_contains(shown, "    yes 127 FEATURES_2 ");
}

/* The answers of a real arm64 KVM (Linux 6.1.0-57-arm64, QEMU 7.2, -cpu
 * host), against its sources: SMCCC 1.1 (hypercalls.c ARM_SMCCC_VERSION_1_1),
 * the default vendor bitmap FEATURES | PTP (kvm_arm_init_hypercalls), PV
 * time (QEMU's kvm-steal-time defaults on), TRNG 1.0 and its UUID
 * (trng.c, UUID_INIT(0x0d21e000, 0x4384, 0x11eb, 0x80, 0x70, 0x52, 0x44,
 * 0x55, 0x4e, 0x5a, 0x4c)). */
static void real_kvm_recording(void **state)
{
	(void)state;
	uint32_t version;
	replayed(read_text_file(DUMPS_DIR "/arm64/kvm-real-6.1.0-57-arm64-qemu-7.2-host.txt"));
	assert_true(smccc_version(&report.smccc, &version));
	assert_int_equal(version, 0x10001);
	assert_string_equal(smccc_vendor(&report.smccc)->product, "KVM");
	assert_true(smccc_kvm_function_offered(&report.smccc, 0));
	assert_true(smccc_kvm_function_offered(&report.smccc, 1));
	for (unsigned bit = 2; bit < 128; bit++)
		assert_false(smccc_kvm_function_offered(&report.smccc, bit));
	assert_string_equal(report.smccc.trng_uuid, "0d21e000-4384-11eb-8070-5244554e5a4c");
	const struct smccc_call *st =
		smccc_answer(&report.smccc, SMCCC_HV_PV_TIME_FEATURES, SMCCC_HV_PV_TIME_ST);
	assert_non_null(st);
	assert_int_equal(smccc_status(st), SMCCC_RET_SUCCESS);
	rendered(render_text);
	assert_contains(shown, "hvfeat 1.0 - hypervisor interfaces seen through SMCCC\n"
			      "summary: KVM through hvc\n");
	assert_contains(shown, "  SMCCC_VERSION: 0x10001 - SMCCC 1.1\n");
	assert_contains(shown, "    ARM_SMCCC_ARCH_WORKAROUND_1        1 "
			      "SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED\n");
	assert_contains(shown, "  TRNG (ARM_SMCCC_TRNG_VERSION): version 1.0\n");
	/* No CPUID was read: no raw leaves. */
	assert_null(strstr(shown, "raw leaves"));
	/* The raw dump is the recording again, byte for byte. */
	assert_string_equal(rendered(render_raw_dump),
			    read_text_file(DUMPS_DIR "/arm64/kvm-real-6.1.0-57-arm64-qemu-7.2-host.txt"));
}

/* QEMU's TCG answers every call of its PSCI conduit it does not know
 * with NOT_SUPPORTED (target/arm/psci.c): SMCCC 1.0, so no ARCH_FEATURES,
 * and no vendor UID: no hypervisor services, not an error. */
static void tcg_answers_nothing(void **state)
{
	(void)state;
	uint32_t version;
	replayed(read_text_file(DUMPS_DIR "/arm64/tcg-aavmf-qemu-7.2.txt"));
	assert_int_equal(report.smccc.call_count, 2);
	assert_true(smccc_version(&report.smccc, &version));
	assert_int_equal(version, 0x10000);
	assert_null(smccc_vendor_uid(&report.smccc));
	hv_judge(&report, &(struct judge_settings){ 0 });
	assert_true(report.verdict.passed);
	assert_contains(rendered(render_text), "summary: no hypervisor services: every call "
					       "returned NOT_SUPPORTED\n");
}

/* ACPI 6.4, 5.2.9.4: PSCI_COMPLIANT is bit 0, PSCI_USE_HVC bit 1. */
static void conduit_from_the_fadt_flags(void **state)
{
	(void)state;
	assert_int_equal(smccc_conduit_from_arm_boot_flags(0), SMCCC_CONDUIT_NONE);
	assert_int_equal(smccc_conduit_from_arm_boot_flags(2), SMCCC_CONDUIT_NONE);
	assert_int_equal(smccc_conduit_from_arm_boot_flags(1), SMCCC_CONDUIT_SMC);
	assert_int_equal(smccc_conduit_from_arm_boot_flags(3), SMCCC_CONDUIT_HVC);

	replayed("SMCCC:\n   conduit none (no ACPI FADT with ARM boot flags)\n");
	assert_int_equal(report.smccc.call_count, 0);
	assert_contains(rendered(render_text), "summary: no SMCCC conduit");
}

static void trapped_calls(void **state)
{
	(void)state;
	replayed("SMCCC:\n   conduit smc (test)\n   0x80000000 0x0: trapped esr=0x2000000\n"
		 "   0x8600ff01 0x0: trapped esr=0x2000000\n");
	assert_int_equal(report.smccc.call_count, 2);
	assert_true(report.smccc.calls[0].trapped);
	rendered(render_text);
	assert_contains(shown, "summary: no hypervisor services: every smc trapped\n");
	assert_contains(shown, "  SMCCC_VERSION: trapped (ESR 0x02000000) - SMCCC 1.0\n");
	assert_contains(rendered(render_raw_dump), "   0x80000000 0x0: trapped esr=0x2000000\n");
}

static void malformed_sections(void **state)
{
	(void)state;
	static const struct {
		const char *shown, *why;
	} cases[] = {
		{ "SMCCC:\n   0x80000000 0x0: x0=0x1\n", "a call before the conduit line" },
		{ "SMCCC:\n   conduit hvc x\n", "the conduit's origin is not in parentheses" },
		{ "SMCCC:\n   conduit pio (x)\n", "conduit is not hvc, smc or none" },
		{ "SMCCC:\n   conduit hvc (a)\n   conduit hvc (a)\n", "a second conduit line" },
		{ "SMCCC:\n   conduit hvc (a)\n   0x80000000 0x0: x1=0x1\n",
		  "registers must be x0=0x... up to x3, in order" },
		{ "SMCCC:\n   conduit hvc (a)\n   0x180000000 0x0: x0=0x1\n",
		  "not an SMCCC line: no 32-bit function identifier" },
		{ "SMCCC:\n   conduit hvc (a)\n   0x80000000 0x0: x0=0x11111111111111111\n",
		  "registers must be x0=0x... up to x3, in order" },
		{ "SMCCC:\n   conduit hvc (a)\n   0x80000000 0x0: x0=0x1\n"
		  "   0x80000000 0x0: x0=0x1\n", "function and argument given twice" },
		{ "SMCCC:\n   conduit hvc (a)\n   0x80000000 0x0: trapped\n",
		  "a trapped call needs esr=0x... (32 bits)" },
		{ "SMCCC:\n   conduit hvc (a)\n   0x80000000 0x0: x0=0x1 junk\n",
		  "registers must be x0=0x... up to x3, in order" },
		{ "SMCCC:\n", "its SMCCC section has no conduit line" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_false(cpuid_dump_parse(&dump, cases[i].shown, strlen(cases[i].shown)));
		assert_string_equal(dump.problems[0].reason, cases[i].why);
	}
	char many[4096] = "SMCCC:\n   conduit hvc (a)\n";
	for (unsigned i = 0; i <= SMCCC_CALLS_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
			 "   0x80000001 0x%x: x0=0x0\n", i);
	assert_false(cpuid_dump_parse(&dump, many, strlen(many)));
	assert_string_equal(dump.problems[0].reason, "more calls than hvfeat keeps (32)");

	/* A CPU section after an SMCCC section is read as ever. */
	const char *both = "SMCCC:\n   conduit hvc (a)\n   0x80000000 0x0: x0=0x10001\nCPU:\n"
			   "   0x00000000 0x00: eax=0x00000001 ebx=0x0 ecx=0x0 edx=0x0\n";
	assert_true(cpuid_dump_parse(&dump, both, strlen(both)));
	assert_int_equal(dump.record_count, 1);
	assert_int_equal(dump.smccc.count, 1);
}

/* Registers past 79 columns continue on the next line, which reads back. */
static void long_lines_wrap_and_read_back(void **state)
{
	(void)state;
	static char again[4096];
	/* SMCCC 1.0: only the version and the UID are asked */
	const char *wide = "SMCCC:\n   conduit hvc (a)\n   0x80000000 0x0: x0=0x10000\n"
			   "   0x8600ff01 0x0: x0=0xffffffff12345678 x1=0xffffffffffffffff\n"
			   "      x2=0xfffffffffffffffe x3=0x8000000000000000\n";

	replayed(wide);
	assert_int_equal(smccc_answer(&report.smccc, SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID, 0)->x[3],
			 0x8000000000000000ull);
	strcpy(again, rendered(render_raw_dump));
	for (char *line = strtok(again, "\n"); line; line = strtok(NULL, "\n"))
		assert_in_range(strlen(line), 1, 79);
	replayed(rendered(render_raw_dump));
	assert_string_equal(rendered(render_raw_dump), wide);

	static const struct {
		const char *text, *why;
	} refused[] = {
		{ "SMCCC:\n   conduit hvc (a)\n      x1=0x1\n",
		  "registers on a line of their own, after no call that takes them" },
		{ "SMCCC:\n   conduit hvc (a)\n   0x80000000 0x0: x0=0x1 x1=0x1 x2=0x1 x3=0x1\n"
		  "      x3=0x1\n", "registers on a line of their own, after no call that takes them" },
		{ "SMCCC:\n   conduit hvc (a)\n   0x80000000 0x0: x0=0x1\n      x2=0x1\n",
		  "registers must be x0=0x... up to x3, in order" },
		{ "SMCCC:\n   conduit hvc (a\x01)\n", "the conduit's origin is not printable ASCII" },
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_false(cpuid_dump_parse(&dump, refused[i].text, strlen(refused[i].text)));
		assert_string_equal(dump.problems[0].reason, refused[i].why);
	}
}

/* Requirements on the smccc.* keys, against the two recordings. */
static void smccc_requirements(void **state)
{
	(void)state;
	static struct requirement_list list;
	char errors[512];
	struct buffer_sink sink;
	const char *asked = "smccc.kvm.ptp=1, smccc.hypervisor=kvm, smccc.version>=0x10001,"
			    "smccc.pv_time.st=1, smccc.trng.uuid=\"0d21e000-4384-11eb-8070-5244554e5a4c\","
			    "smccc.arch.workaround_1=unaffected, smccc.conduit=hvc";

	list.count = 0;
	buffer_sink_init(&sink, errors, sizeof(errors) - 1);
	assert_true(requirements_add(&list, asked, strlen(asked), "--require", &sink.sink));
	replayed(read_text_file(DUMPS_DIR "/arm64/kvm-real-6.1.0-57-arm64-qemu-7.2-host.txt"));
	hv_check(&report, &list);
	assert_int_equal(report.check_count, 7);
	for (size_t i = 0; i < report.check_count; i++)
		assert_true(report.checks[i].passed);

	replayed(read_text_file(DUMPS_DIR "/arm64/tcg-aavmf-qemu-7.2.txt"));
	hv_check(&report, &list);
	hv_judge(&report, &(struct judge_settings){ 0 });
	assert_false(report.checks[0].passed); /* not KVM */
	assert_false(report.checks[1].passed); /* found "none" */
	assert_false(report.checks[2].passed); /* 1.0 */
	assert_false(report.checks[3].passed);
	assert_false(report.checks[4].passed);
	assert_false(report.checks[5].passed); /* ARCH_FEATURES not asked */
	assert_true(report.checks[6].passed);
	rendered(render_text);
	assert_contains(shown, "FAIL  require.smccc.kvm.ptp:");
	assert_contains(shown, "smccc.kvm.ptp = 1: not known: the vendor\n"
			      "        hypervisor UID is not KVM's\n");
	assert_false(report.verdict.passed);
}

/* Each KVM function and ARCH_FEATURES item with a key has its fact. */
static void every_key_is_a_fact(void **state)
{
	(void)state;
	struct fact_ref ref;
	char key[64];

	for (size_t i = 0; i < smccc_kvm_function_count; i++) {
		if (!smccc_kvm_functions[i].key)
			continue;
		snprintf(key, sizeof(key), "smccc.kvm.%s", smccc_kvm_functions[i].key);
		assert_true(fact_resolve(key, &ref));
	}
	for (size_t i = 0; i < smccc_arch_feature_count; i++) {
		snprintf(key, sizeof(key), "smccc.arch.%s", smccc_arch_features[i].key);
		assert_true(fact_resolve(key, &ref));
	}
}

/* An x86 run asks no SMCCC: its keys say so. */
static void no_smccc_on_x86(void **state)
{
	(void)state;
	static const struct cpuid_record records[] = { BASIC_LEAVES_HV };
	struct fact_ref ref;
	struct fact_value value;

	scan_described(records, sizeof(records) / sizeof(records[0]), "x86");
	assert_true(fact_resolve("smccc.version", &ref));
	assert_string_equal(fact_value(&test_report, &ref, &value),
			    "no SMCCC answers: CPUID is this machine's interface");
	assert_true(fact_resolve("acpi.fadt.hypervisor_vendor", &ref));
	assert_non_null(fact_value(&test_report, &ref, &value));
}

/* ACPI tables built by hand: RSDP 2.0 -> XSDT -> FADT, fields at the
 * offsets of ACPI 6.4, table 5.9. */
static uint8_t rsdp[36], xsdt[44], fadt[276];

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void build_tables(uint32_t fadt_length, uint8_t revision)
{
	memset(fadt, 0, sizeof(fadt));
	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[15] = 2;
	uint64_t x = (uint64_t)(uintptr_t)xsdt;
	put32(rsdp + 24, (uint32_t)x);
	put32(rsdp + 28, (uint32_t)(x >> 32));
	memcpy(xsdt, "XSDT", 4);
	put32(xsdt + 4, sizeof(xsdt));
	uint64_t f = (uint64_t)(uintptr_t)fadt;
	put32(xsdt + 36, (uint32_t)f);
	put32(xsdt + 40, (uint32_t)(f >> 32));
	memcpy(fadt, "FACP", 4);
	put32(fadt + 4, fadt_length);
	fadt[8] = revision;
	fadt[129] = 0x03; /* ARM_BOOT_ARCH: PSCI_COMPLIANT | PSCI_USE_HVC */
	fadt[131] = 0x00; /* FADT Minor Version */
	memcpy(fadt + 268, "QEMU", 4); /* Hypervisor Vendor Identity */
}

static void fadt_fields(void **state)
{
	(void)state;
	struct fadt_facts facts;

	build_tables(276, 6);
	acpi_read_fadt(rsdp, &facts);
	assert_true(facts.read && facts.found);
	assert_int_equal(facts.revision, 6);
	assert_true(facts.has_arm_boot_flags);
	assert_int_equal(facts.arm_boot_flags, 3);
	assert_true(facts.has_hypervisor_vendor);
	assert_memory_equal(facts.hypervisor_vendor, "QEMU\0\0\0\0", 8);
	assert_string_equal(facts.hypervisor_vendor_text, "QEMU");
	assert_string_equal(acpi_hypervisor_vendor_product(&facts), "QEMU");

	/* An FADT of ACPI 5.1 ends at 268: no vendor identity. */
	build_tables(268, 5);
	acpi_read_fadt(rsdp, &facts);
	assert_true(facts.has_arm_boot_flags);
	assert_false(facts.has_hypervisor_vendor);
	assert_null(acpi_hypervisor_vendor_product(&facts));

	/* x86's FADT of ACPI 1.0 ends at 116: no ARM flags either; QEMU's q35
	 * FADT (revision 3, 244 bytes) holds reserved bytes where ACPI 5.1
	 * put them. */
	build_tables(116, 1);
	acpi_read_fadt(rsdp, &facts);
	assert_false(facts.has_arm_boot_flags);
	build_tables(244, 3);
	acpi_read_fadt(rsdp, &facts);
	assert_false(facts.has_arm_boot_flags);
	assert_false(facts.has_hypervisor_vendor);

	memcpy(rsdp, "RSD PTX ", 8);
	acpi_read_fadt(rsdp, &facts);
	assert_true(facts.read);
	assert_false(facts.found);
}

/* --- the probes, against a simulated KVM --------------------------------
 * What it does is what Linux 6.1's arch/arm64/kvm does: PTP returns the
 * host's wall clock (ns) and the guest's counter in x0:x1 and x2:x3
 * (hypercalls.c, kvm_ptp_get_time); PV_TIME_ST returns the structure's
 * address and zeroes it (pvtime.c, kvm_init_stolen_time). */
static struct {
	uint64_t counter;        /* ticks at 62.5 MHz, as the bed's CNTFRQ_EL0 */
	uint64_t wall_base_ns;   /* the wall clock at counter 0 */
	int64_t wall_skew_ppm;   /* how fast the host's wall clock runs */
	bool ptp_not_supported;
	int64_t rtc_offset_s;    /* the RTC from the wall clock */
	uint64_t st_ipa;
	bool st_written;         /* the host zeroes the structure */
	uint64_t st_header;
	uint64_t memory[8];      /* the structure */
	uint64_t steal_per_rtc;  /* stolen ns each VMM exit adds */
	bool reservable;
	size_t pv_time_st_calls;
	/* ARCH_WORKAROUND_1..3, as KVM's fast path answers them (x0 = 0,
	 * hyp-entry.S): how often each was called, and the last x1. */
	size_t workaround_calls[3];
	uint64_t workaround_arg[3];
	bool workaround_not_supported;
} sim;

static int workaround_index(uint32_t function)
{
	switch (function) {
	case 0x80008000u: return 0; /* Linux arm-smccc.h ARM_SMCCC_ARCH_WORKAROUND_1 */
	case 0x80007fffu: return 1; /* ..._2 */
	case 0x80003fffu: return 2; /* ..._3 */
	default: return -1;
	}
}

static uint64_t sim_wall(void)
{
	uint64_t ns = sim.counter * 16;
	return sim.wall_base_ns + ns + (uint64_t)((int64_t)ns * sim.wall_skew_ppm / 1000000);
}

static void sim_call(void *context, struct smccc_call *c)
{
	(void)context;
	sim.counter += 5;
	if (c->function == SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID) {
		if (sim.ptp_not_supported) {
			c->x[0] = ~0ull;
			return;
		}
		uint64_t wall = sim_wall();
		c->x[0] = wall >> 32;
		c->x[1] = (uint32_t)wall;
		c->x[2] = sim.counter >> 32;
		c->x[3] = (uint32_t)sim.counter;
	} else if (workaround_index(c->function) >= 0) {
		int i = workaround_index(c->function);
		sim.workaround_calls[i]++;
		sim.workaround_arg[i] = c->arg;
		c->x[0] = sim.workaround_not_supported ? ~0ull : 0;
	} else if (c->function == SMCCC_HV_PV_TIME_ST) {
		sim.pv_time_st_calls++;
		c->x[0] = sim.st_ipa;
		if (sim.st_written) {
			memset(sim.memory, 0, sizeof(sim.memory));
			sim.memory[0] = sim.st_header;
		}
	} else {
		c->x[0] = ~0ull;
	}
}

static uint64_t sim_counter(void *context)
{
	(void)context;
	return sim.counter += 1000;
}

static bool sim_rtc(void *context, int64_t *seconds, int16_t *zone)
{
	(void)context;
	sim.memory[1] += sim.steal_per_rtc;
	*seconds = (int64_t)(sim_wall() / 1000000000u) + sim.rtc_offset_s;
	*zone = RTC_ZONE_UNSPECIFIED;
	return true;
}

static uint64_t sim_load64(void *context, uint64_t address)
{
	(void)context;
	return sim.memory[(address - sim.st_ipa) / 8];
}

static void sim_store64(void *context, uint64_t address, uint64_t value)
{
	(void)context;
	sim.memory[(address - sim.st_ipa) / 8] = value;
}

static bool sim_keep_reserved(void *context, uint64_t address, uint64_t length,
			      const char **where)
{
	(void)context;
	(void)address;
	(void)length;
	*where = sim.reservable ? "outside the firmware's memory map" : "in memory the OS may take";
	return sim.reservable;
}

static const struct smccc_probe_machine sim_machine = {
	.call = sim_call, .counter = sim_counter, .counter_hz = 62500000, .rtc = sim_rtc,
	.load64 = sim_load64, .store64 = sim_store64, .keep_reserved = sim_keep_reserved,
};

static void sim_reset(void)
{
	memset(&sim, 0, sizeof(sim));
	sim.wall_base_ns = 1796054225000000000ull;
	sim.st_ipa = 0x90a0000;
	sim.st_written = true;
	sim.reservable = true;
}

static const struct probe_result *probe_result(const char *key)
{
	for (size_t i = 0; i < report.probes.count; i++)
		if (strcmp(report.probes.results[i].key, key) == 0)
			return &report.probes.results[i];
	fail_msg("no probe %s", key);
	return NULL;
}

static const struct probe_result *probed(const char *key)
{
	replayed(read_text_file(DUMPS_DIR "/arm64/kvm-real-6.1.0-57-arm64-qemu-7.2-host.txt"));
	smccc_probe_run(&report, &sim_machine);
	return probe_result(key);
}

static void ptp_probe(void **state)
{
	(void)state;
	sim_reset();
	assert_int_equal(probed("smccc.kvm.ptp")->state, PROBE_WORKS);

	sim_reset();
	sim.wall_skew_ppm = 2000; /* past NTP's 500 ppm slew */
	const struct probe_result *r = probed("smccc.kvm.ptp");
	assert_int_equal(r->state, PROBE_BROKEN);
	assert_contains(r->detail, "the host's wall clock ran +");
	int64_t ppm = 0;
	for (size_t i = 0; i < r->value_count; i++)
		if (strcmp(r->values[i].name, "wall_vs_counter_ppm") == 0)
			ppm = (int64_t)r->values[i].value;
	assert_in_range(ppm, 1990, 2000); /* each wall reading rounds down */

	sim_reset();
	sim.rtc_offset_s = -7;
	r = probed("smccc.kvm.ptp");
	assert_int_equal(r->state, PROBE_BROKEN);
	assert_string_equal(r->detail, "the host's wall clock is +7 s from the firmware clock");

	sim_reset();
	sim.ptp_not_supported = true;
	assert_int_equal(probed("smccc.kvm.ptp")->state, PROBE_BROKEN);

	/* Not offered under TCG: not advertised, nothing called. */
	sim_reset();
	replayed(read_text_file(DUMPS_DIR "/arm64/tcg-aavmf-qemu-7.2.txt"));
	smccc_probe_run(&report, &sim_machine);
	assert_int_equal(report.probes.results[0].state, PROBE_NOT_ADVERTISED);
	assert_int_equal(report.probes.results[1].state, PROBE_NOT_ADVERTISED);
	assert_int_equal(sim.counter, 0);
}

static void stolen_time_probe(void **state)
{
	(void)state;
	sim_reset();
	const struct probe_result *r = probed("smccc.pv_time.st");
	assert_int_equal(r->state, PROBE_WORKS);
	assert_int_equal(sim.pv_time_st_calls, 2);
	assert_string_equal(report.probes.kept_registered,
			    "PV stolen time stays registered (DEN 0057 has no call to undo it)");
	assert_contains(r->detail, "unchanged (the vCPU never waited)");

	sim_reset();
	sim.steal_per_rtc = 1000;
	assert_contains(probed("smccc.pv_time.st")->detail, "written by the host; moved in 100 ms");

	sim_reset();
	sim.st_written = false; /* the marker stays */
	r = probed("smccc.pv_time.st");
	assert_int_equal(r->state, PROBE_BROKEN);
	assert_string_equal(r->detail, "the host did not write the structure again at the "
				       "second PV_TIME_ST");

	sim_reset();
	sim.st_header = 1;
	assert_int_equal(probed("smccc.pv_time.st")->state, PROBE_BROKEN);

	sim_reset();
	sim.st_ipa = 0x90a0020;
	assert_string_equal(probed("smccc.pv_time.st")->detail,
			    "the structure at 0x90a0020 is not 64-byte aligned");

	sim_reset();
	sim.reservable = false;
	assert_string_equal(probed("smccc.pv_time.st")->detail,
			    "the host writes 0x90a0000, which stays in memory the OS may take");

	/* A requirement on the probe, and one on an x86 probe, which an
	 * AArch64 run finds not advertised. */
	static struct requirement_list list;
	char errors[256];
	struct buffer_sink sink;
	const char *asked = "probe.smccc.pv_time.st, probe.kvm.steal_time=0";
	list.count = 0;
	buffer_sink_init(&sink, errors, sizeof(errors) - 1);
	assert_true(requirements_add(&list, asked, strlen(asked), "--require", &sink.sink));
	sim_reset();
	probed("smccc.pv_time.st");
	hv_check(&report, &list);
	assert_true(report.checks[0].passed);
	assert_true(report.checks[1].passed);
	assert_int_equal(report.checks[1].probe_state, PROBE_NOT_ADVERTISED);
}

/* The recording of L1 with Cortex-A72's MIDR in nVHE, where KVM mitigates
 * Spectre-BHB by the loop and says so for WORKAROUND_3 (Linux 6.1
 * proton-pack.c, spectre_bhb_loop_affected; hypercalls.c), with the
 * ARCH_FEATURES answer for workaround n (1..3) replaced by x0. */
static void replay_workaround_answer(int n, const char *x0)
{
	static char text[1 << 16];
	static const char *const asked[] = { "0x80008000", "0x80007fff", "0x80003fff" };

	strcpy(text, read_text_file(DUMPS_DIR "/arm64/kvm-real-6.1.0-57-arm64-qemu-7.2-host-a72-nvhe.txt"));
	if (n) {
		char line[64];
		snprintf(line, sizeof(line), "0x80000001 %s: x0=", asked[n - 1]);
		char *at = strstr(text, line);
		assert_non_null(at);
		at += strlen(line);
		char *end = strchr(at, '\n');
		memmove(at + strlen(x0), end, strlen(end) + 1);
		memcpy(at, x0, strlen(x0));
	}
	replayed(text);
}

static void workaround_probes(void **state)
{
	(void)state;
	/* As recorded: WORKAROUND_1 UNAFFECTED (1: implemented, not needed
	 * here, DEN 0028 7.5), _2 NOT_SUPPORTED, _3 SUCCESS. */
	sim_reset();
	replay_workaround_answer(0, NULL);
	smccc_probe_run(&report, &sim_machine);
	const struct probe_result *r = probe_result("smccc.arch.workaround_1");
	assert_int_equal(r->state, PROBE_WORKS);
	assert_string_equal(r->detail, "called once; it leaves no state (UNAFFECTED: "
				       "implemented, not needed on this vCPU)");
	assert_int_equal(probe_result("smccc.arch.workaround_2")->state, PROBE_NOT_ADVERTISED);
	r = probe_result("smccc.arch.workaround_3");
	assert_int_equal(r->state, PROBE_WORKS);
	assert_string_equal(r->detail, "called once; it leaves no state");
	assert_int_equal(sim.workaround_calls[0], 1);
	assert_int_equal(sim.workaround_calls[1], 0);
	assert_int_equal(sim.workaround_calls[2], 1);

	/* SUCCESS for _2 too: called once, only with x1 = 1 (DEN 0028 7.6:
	 * enable, the state at reset), never 0. */
	sim_reset();
	replay_workaround_answer(2, "0x0");
	smccc_probe_run(&report, &sim_machine);
	r = probe_result("smccc.arch.workaround_2");
	assert_int_equal(r->state, PROBE_WORKS);
	assert_int_equal(sim.workaround_calls[1], 1);
	assert_int_equal(sim.workaround_arg[1], 1);
	assert_string_equal(r->detail, "called once, with x1 = 1: the mitigation left on, its "
				       "state at reset");

	/* NOT_REQUIRED (-2: do not call) and NOT_SUPPORTED (-1): not called. */
	sim_reset();
	replay_workaround_answer(3, "0xfffffffffffffffe");
	smccc_probe_run(&report, &sim_machine);
	assert_int_equal(probe_result("smccc.arch.workaround_3")->state, PROBE_NOT_ADVERTISED);
	assert_int_equal(sim.workaround_calls[2], 0);
	sim_reset();
	replay_workaround_answer(1, "0xffffffffffffffff");
	smccc_probe_run(&report, &sim_machine);
	assert_int_equal(probe_result("smccc.arch.workaround_1")->state, PROBE_NOT_ADVERTISED);
	assert_int_equal(sim.workaround_calls[0], 0);

	/* Advertised, then refused. */
	sim_reset();
	sim.workaround_not_supported = true;
	replay_workaround_answer(0, NULL);
	smccc_probe_run(&report, &sim_machine);
	r = probe_result("smccc.arch.workaround_3");
	assert_int_equal(r->state, PROBE_BROKEN);
	assert_string_equal(r->detail, "advertised by SMCCC_ARCH_FEATURES, but the call "
				       "returned NOT_SUPPORTED");
}

/* --- device trees, built by hand (Devicetree Specification 0.4, 5.2-5.4)
 * like QEMU's virt machine makes its /psci node (hw/arm/virt.c, fdt_add_psci_node:
 * compatible, then method "hvc" or "smc"). */
static uint8_t tree[512];
static size_t tree_at;
static char tree_strings[64];
static size_t strings_at;

static void put_be32(uint32_t v)
{
	for (int i = 3; i >= 0; i--)
		tree[tree_at++] = (uint8_t)(v >> (8 * i));
}

static void put_name(const char *name)
{
	size_t length = strlen(name) + 1;
	memcpy(tree + tree_at, name, length);
	tree_at += (length + 3) & ~(size_t)3;
}

static void begin(const char *name)
{
	put_be32(1);
	put_name(name);
}

static void prop(const char *name, const char *value)
{
	size_t length = strlen(value) + 1;
	put_be32(3);
	put_be32((uint32_t)length);
	put_be32((uint32_t)strings_at);
	strcpy(tree_strings + strings_at, name);
	strings_at += strlen(name) + 1;
	memcpy(tree + tree_at, value, length);
	tree_at += (length + 3) & ~(size_t)3;
}

/* Header, then the structure block, then the strings block. */
static void tree_start(void)
{
	memset(tree, 0, sizeof(tree));
	memset(tree_strings, 0, sizeof(tree_strings));
	tree_at = 40;
	strings_at = 0;
}

static const void *tree_finish(void)
{
	uint32_t structure_size = (uint32_t)tree_at - 40, strings = (uint32_t)tree_at;
	memcpy(tree + strings, tree_strings, strings_at);
	uint32_t total = strings + (uint32_t)strings_at;
	const uint32_t header[10] = { 0xd00dfeed, total, 40, strings, 40, 17, 16, 0,
				(uint32_t)strings_at, structure_size };
	for (int w = 0; w < 10; w++)
		for (int i = 0; i < 4; i++)
			tree[4 * w + i] = (uint8_t)(header[w] >> (8 * (3 - i)));
	return tree;
}

static const void *virt_tree(const char *psci_name, const char *method)
{
	tree_start();
	begin("");
	prop("compatible", "linux,dummy-virt");
	begin("cpus");
	begin("cpu@0");
	prop("method", "wrong: not /psci");
	put_be32(2);
	put_be32(2);
	begin(psci_name);
	prop("compatible", "arm,psci-1.0");
	if (method)
		prop("method", method);
	put_be32(2);
	put_be32(2);
	put_be32(9);
	return tree_finish();
}

static void psci_method_from_the_device_tree(void **state)
{
	(void)state;
	char method[8];

	assert_null(fdt_psci_method(virt_tree("psci", "hvc"), method, sizeof(method)));
	assert_string_equal(method, "hvc");
	assert_int_equal(smccc_conduit_from_psci_method(method), SMCCC_CONDUIT_HVC);
	assert_null(fdt_psci_method(virt_tree("psci@0", "smc"), method, sizeof(method)));
	assert_int_equal(smccc_conduit_from_psci_method(method), SMCCC_CONDUIT_SMC);
	assert_int_equal(smccc_conduit_from_psci_method("pio"), SMCCC_CONDUIT_NONE);

	assert_string_equal(fdt_psci_method(virt_tree("psci", NULL), method, sizeof(method)),
			    "no method property in /psci");
	assert_string_equal(fdt_psci_method(virt_tree("psci-not", "hvc"), method, sizeof(method)),
			    "no /psci node in the device tree");
	assert_string_equal(fdt_psci_method(virt_tree("psci", "a-long-method"), method,
					    sizeof(method)),
			    "the /psci method is not a short string");
	assert_string_equal(fdt_psci_method(NULL, method, sizeof(method)), "no device tree");

	/* Hostile headers and blocks: said, never read past the blob. */
	virt_tree("psci", "hvc");
	tree[0] = 0;
	assert_string_equal(fdt_psci_method(tree, method, sizeof(method)),
			    "not a device tree (no FDT magic)");
	virt_tree("psci", "hvc");
	tree[4] = 0x7f; /* totalsize past 2 MiB */
	assert_string_equal(fdt_psci_method(tree, method, sizeof(method)),
			    "a device tree of an implausible size");
	virt_tree("psci", "hvc");
	tree[39] += 0x40; /* the structure block past the blob */
	assert_string_equal(fdt_psci_method(tree, method, sizeof(method)),
			    "a device tree whose blocks lie outside it");
	virt_tree("psci", "hvc");
	tree[40 + 8 + 4] = 0x7f; /* the first property's length past the block */
	assert_string_equal(fdt_psci_method(tree, method, sizeof(method)),
			    "a device tree property runs past its block");
	virt_tree("psci", "hvc");
	tree[40 + 8 + 8] = 0x7f; /* its name's offset past the strings */
	assert_string_equal(fdt_psci_method(tree, method, sizeof(method)),
			    "a device tree property name outside the strings block");
	virt_tree("psci", "hvc");
	tree[40 + 3] = 7; /* an unknown token */
	assert_string_equal(fdt_psci_method(tree, method, sizeof(method)),
			    "a device tree with an unknown token");
	virt_tree("psci-x", "hvc");
	tree[39] -= 4; /* the structure ends before FDT_END */
	assert_string_equal(fdt_psci_method(tree, method, sizeof(method)),
			    "a device tree whose structure has no end");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(function_identifiers_are_linux_s),
		cmocka_unit_test(kvm_functions_are_linux_s),
		cmocka_unit_test(vendors_by_uid),
		cmocka_unit_test(kvm_bitmap_spans_four_registers),
		cmocka_unit_test(real_kvm_recording),
		cmocka_unit_test(tcg_answers_nothing),
		cmocka_unit_test(conduit_from_the_fadt_flags),
		cmocka_unit_test(trapped_calls),
		cmocka_unit_test(malformed_sections),
		cmocka_unit_test(long_lines_wrap_and_read_back),
		cmocka_unit_test(smccc_requirements),
		cmocka_unit_test(every_key_is_a_fact),
		cmocka_unit_test(no_smccc_on_x86),
		cmocka_unit_test(fadt_fields),
		cmocka_unit_test(psci_method_from_the_device_tree),
		cmocka_unit_test(ptp_probe),
		cmocka_unit_test(stolen_time_probe),
		cmocka_unit_test(workaround_probes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
