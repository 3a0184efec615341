/* Baselines and drift: hand-built recordings that differ in chosen bits
 * give exactly those drift results, with the outcomes the README's rules
 * give them; the labels and bit positions below are written from the
 * upstream headers (Linux kvm_para.h, the Hyper-V TLFS), not taken from
 * hvfeat's tables. Then the JSON reader on hvfeat's own JSON, on what jq
 * made of it (committed in tests/dumps/reports, written by jq 1.6) and on
 * truncated and hostile text; and the policies --write-policy writes. */
#include "recordings.h"

#include "checks.h"
#include "drift.h"
#include "json_reader.h"
#include "judge.h"
#include "report_reader.h"

#define REPORTS_DIR DUMPS_DIR "/reports"

static struct hv_report baseline_report, now_report;

/* Leaf 0 (max basic leaf 1, AMD: a leaf a recording lacks reads as zero)
 * and leaf 1 with the hypervisor bit. */
#define VENDOR_AMD 0x68747541, 0x444d4163, 0x69746e65
#define BASIC_AMD_HV LEAF(0, 1, VENDOR_AMD), LEAF(1, 0x00800f12, 0, HYPERVISOR_BIT, 0)
#define BASIC_AMD_BARE LEAF(0, 1, VENDOR_AMD), LEAF(1, 0x00800f12, 0, 0, 0)

static struct hv_report *scan_into(struct hv_report *report, const struct cpuid_record *records,
				   size_t count, const char *description)
{
	struct cpuid_recording recording = { records, count };
	struct cpuid_source source;

	cpuid_source_recorded(&source, &recording, description);
	hv_scan(report, &source);
	return report;
}

#define BASELINE(records) \
	scan_into(&baseline_report, records, sizeof(records) / sizeof(records[0]), "golden")
#define NOW(records) scan_into(&now_report, records, sizeof(records) / sizeof(records[0]), "now")

static void judge_against(struct hv_report *now, const struct hv_report *baseline,
			  const struct waiver_list *waivers)
{
	static struct requirement_list none;

	hv_check(now, &none);
	hv_judge(now, &(struct judge_settings){ .waivers = waivers, .baseline = baseline });
}

/* KVM at 0x40000000: kvm_para.h's feature bits 0, 1, 3-7, 9, 11-14 and 24. */
#define KVM_FEATURES_HOST 0x01007afb

static const struct cpuid_record kvm_golden[] = {
	BASIC_AMD_HV,
	LEAF(0x40000000, 0x40000001, SIG_KVM),
	LEAF(0x40000001, KVM_FEATURES_HOST, 0, 0, 0),
};

static void nothing_differs_one_pass(void **state)
{
	(void)state;
	BASELINE(kvm_golden);
	struct hv_report *now = NOW(kvm_golden);
	judge_against(now, &baseline_report, NULL);
	expect_drift(now, NULL, 0);
	assert_contains(find_result(now, "drift.baseline")->detail, "matches the baseline (golden)");
	assert_true(now->verdict.passed);
}

static void kvm_features_lost_gained_and_hints(void **state)
{
	(void)state;
	/* STEAL_TIME (bit 5) and CLOCKSOURCE_STABLE_BIT (24) lost,
	 * MSI_EXT_DEST_ID (15) gained, bit 20 (no kvm_para.h name) set,
	 * KVM_HINTS_REALTIME (EDX bit 0) set. */
	static const struct cpuid_record now_records[] = {
		BASIC_AMD_HV,
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		LEAF(0x40000001, (KVM_FEATURES_HOST & ~(1u << 5 | 1u << 24)) | 1u << 15 | 1u << 20,
		     0, 0, 1),
	};
	static const struct expected_drift expected[] = {
		{ "drift.kvm.steal_time", OUTCOME_FAIL },
		{ "drift.kvm.clocksource_stable_bit", OUTCOME_FAIL },
		{ "drift.kvm.msi_ext_dest_id", OUTCOME_WARN },
		{ "drift.kvm.hints.realtime", OUTCOME_WARN },
		{ "drift.kvm.raw.0x01.eax", OUTCOME_WARN },
	};
	BASELINE(kvm_golden);
	struct hv_report *now = NOW(now_records);
	judge_against(now, &baseline_report, NULL);
	EXPECT_DRIFT(now, expected);
	assert_string_equal(find_result(now, "drift.kvm.steal_time")->detail,
			    "KVM_FEATURE_STEAL_TIME lost: leaf 0x40000001 eax bit 5 set in the "
			    "baseline, clear now");
	assert_int_equal(find_result(now, "drift.kvm.steal_time")->severity, SEVERITY_HIGH);
	assert_string_equal(find_result(now, "drift.kvm.msi_ext_dest_id")->detail,
			    "KVM_FEATURE_MSI_EXT_DEST_ID gained: leaf 0x40000001 eax bit 15 clear "
			    "in the baseline, set now");
	assert_string_equal(find_result(now, "drift.kvm.hints.realtime")->detail,
			    "KVM_HINTS_REALTIME changed: leaf 0x40000001 edx bit 0 clear in the "
			    "baseline, set now");
	assert_string_equal(find_result(now, "drift.kvm.raw.0x01.eax")->detail,
			    "leaf 0x40000001 eax, bits 0x00100000 that no table names: 0x01007afb "
			    "in the baseline, 0x0010fadb now");
	assert_string_equal(find_result(now, "drift.baseline")->detail,
			    "5 differences from the baseline (golden)");
	assert_false(now->verdict.passed);
	/* the text report names them, within the console's width */
	const char *text = text_of(now);
	assert_contains(text, "  FAIL  drift.kvm.steal_time: KVM_FEATURE_STEAL_TIME lost:");
	assert_contains(text, "  failed: drift.kvm.steal_time (high),");
	assert_contains(text, " drift.kvm.clocksource_stable_bit (high)\n");

	/* the other way round: what was gained is lost */
	BASELINE(now_records);
	now = NOW(kvm_golden);
	judge_against(now, &baseline_report, NULL);
	assert_int_equal(find_result(now, "drift.kvm.msi_ext_dest_id")->outcome, OUTCOME_FAIL);
	assert_int_equal(find_result(now, "drift.kvm.steal_time")->outcome, OUTCOME_WARN);
	assert_int_equal(find_result(now, "drift.kvm.hints.realtime")->outcome, OUTCOME_WARN);
}

/* Hyper-V (TLFS): 0x40000003 EAX bit 9 AccessPartitionReferenceTsc, EBX
 * bit 4 PostMessages, EDX bit 8 FrequencyRegsAvailable; 0x40000004 EAX
 * bit 5 UseRelaxedTiming (a recommendation), EBX the spinlock retries. */
static const struct cpuid_record hyperv_golden[] = {
	BASIC_AMD_HV,
	LEAF(0x40000000, 0x40000005, SIG_HYPERV),
	LEAF(0x40000001, 0x31237648, 0, 0, 0),
	LEAF(0x40000003, 0x00000232, 0, 0, 0x00000100),
	LEAF(0x40000004, 0x00000028, 0x00001fff, 0, 0),
};

static void hyperv_privileges_recommendations_fields(void **state)
{
	(void)state;
	static const struct cpuid_record now_records[] = {
		BASIC_AMD_HV,
		LEAF(0x40000000, 0x40000005, SIG_HYPERV),
		LEAF(0x40000001, 0x31237648, 0, 0, 0),
		LEAF(0x40000003, 0x00000032, 1u << 4, 0, 0),
		LEAF(0x40000004, 0x00000008, 0xffffffff, 0, 0),
	};
	static const struct expected_drift expected[] = {
		{ "drift.hyperv.AccessPartitionReferenceTsc", OUTCOME_FAIL },
		{ "drift.hyperv.FrequencyRegsAvailable", OUTCOME_FAIL },
		{ "drift.hyperv.PostMessages", OUTCOME_WARN },
		{ "drift.hyperv.UseRelaxedTiming", OUTCOME_WARN },
		{ "drift.hyperv.spinlock_retries", OUTCOME_WARN },
	};
	BASELINE(hyperv_golden);
	struct hv_report *now = NOW(now_records);
	judge_against(now, &baseline_report, NULL);
	EXPECT_DRIFT(now, expected);
	assert_string_equal(find_result(now, "drift.hyperv.spinlock_retries")->detail,
			    "spinlock_retries changed: 0x1fff in the baseline, 0xffffffff now");
}

/* The interface signature "Hv#1" gone: the leaves past base+1 mean nothing
 * now, so what they offered is lost ("not provided"). */
static void hyperv_interface_signature_lost(void **state)
{
	(void)state;
	static const struct cpuid_record now_records[] = {
		BASIC_AMD_HV,
		LEAF(0x40000000, 0x40000005, SIG_HYPERV),
		LEAF(0x40000001, 0, 0, 0, 0),
		LEAF(0x40000003, 0x00000232, 0, 0, 0x00000100),
		LEAF(0x40000004, 0x00000028, 0x00001fff, 0, 0),
	};
	static const struct expected_drift expected[] = {
		{ "drift.hyperv.interface_signature", OUTCOME_WARN },
		{ "drift.hyperv.AccessPartitionReferenceCounter", OUTCOME_FAIL }, /* bit 1 */
		{ "drift.hyperv.AccessIntrCtrlRegs", OUTCOME_FAIL },              /* bit 4 */
		{ "drift.hyperv.AccessHypercallMsrs", OUTCOME_FAIL },             /* bit 5 */
		{ "drift.hyperv.AccessPartitionReferenceTsc", OUTCOME_FAIL },     /* bit 9 */
		{ "drift.hyperv.FrequencyRegsAvailable", OUTCOME_FAIL },
		{ "drift.hyperv.UseApicMsrs", OUTCOME_WARN },                     /* 0x28: 3, 5 */
		{ "drift.hyperv.UseRelaxedTiming", OUTCOME_WARN },
		{ "drift.hyperv.spinlock_retries", OUTCOME_WARN },
		{ "drift.hyperv.implemented_physical_address_bits", OUTCOME_WARN },
		{ "drift.hyperv.build_number", OUTCOME_WARN },
		{ "drift.hyperv.major_version", OUTCOME_WARN },
		{ "drift.hyperv.minor_version", OUTCOME_WARN },
		{ "drift.hyperv.service_pack", OUTCOME_WARN },
		{ "drift.hyperv.service_branch", OUTCOME_WARN },
		{ "drift.hyperv.service_number", OUTCOME_WARN },
		{ "drift.hyperv.max_virtual_processors", OUTCOME_WARN },
		{ "drift.hyperv.max_logical_processors", OUTCOME_WARN },
		{ "drift.hyperv.max_interrupt_vectors", OUTCOME_WARN },
	};
	BASELINE(hyperv_golden);
	struct hv_report *now = NOW(now_records);
	judge_against(now, &baseline_report, NULL);
	EXPECT_DRIFT(now, expected);
	assert_string_equal(find_result(now, "drift.hyperv.AccessPartitionReferenceTsc")->detail,
			    "AccessPartitionReferenceTsc lost: leaf 0x40000003 eax bit 9 set in the "
			    "baseline, not provided now");
	assert_string_equal(find_result(now, "drift.hyperv.build_number")->detail,
			    "build_number changed: 0 in the baseline, not provided now");
}

static void interfaces_added_removed_moved(void **state)
{
	(void)state;
	/* Hyper-V takes 0x40000000, KVM moves to 0x40000100 with the same
	 * features; QEMU TCG's signature goes. */
	static const struct cpuid_record golden[] = {
		BASIC_AMD_HV,
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		LEAF(0x40000001, KVM_FEATURES_HOST, 0, 0, 0),
		LEAF(0x40000100, 0x40000100, SIG_TCG),
	};
	static const struct cpuid_record now_records[] = {
		BASIC_AMD_HV,
		LEAF(0x40000000, 0x40000005, SIG_HYPERV),
		LEAF(0x40000001, 0x31237648, 0, 0, 0),
		LEAF(0x40000100, 0x40000101, SIG_KVM),
		LEAF(0x40000101, KVM_FEATURES_HOST, 0, 0, 0),
	};
	static const struct expected_drift expected[] = {
		{ "drift.interface.kvm.base", OUTCOME_WARN },
		{ "drift.interface.tcg", OUTCOME_FAIL },
		{ "drift.interface.hyperv", OUTCOME_WARN },
	};
	BASELINE(golden);
	struct hv_report *now = NOW(now_records);
	judge_against(now, &baseline_report, NULL);
	EXPECT_DRIFT(now, expected);
	assert_string_equal(find_result(now, "drift.interface.kvm.base")->detail,
			    "KVM moved from 0x40000000 in the baseline to 0x40000100 now");
	assert_string_equal(find_result(now, "drift.interface.tcg")->detail,
			    "QEMU TCG at 0x40000100 removed");
	assert_string_equal(find_result(now, "drift.interface.hyperv")->detail,
			    "Microsoft Hyper-V added at 0x40000000, offering 0 features and "
			    "privileges");

	/* KVM removed takes its 12 features with it */
	BASELINE(now_records);
	now = NOW(hyperv_golden);
	judge_against(now, &baseline_report, NULL);
	assert_string_equal(find_result(now, "drift.interface.kvm")->detail,
			    "KVM at 0x40000100 removed, and the 13 features and privileges it "
			    "offered");
	assert_int_equal(find_result(now, "drift.interface.kvm")->outcome, OUTCOME_FAIL);
}

/* A max leaf that grows to the timing leaf: the leaf's fields are new. */
static void max_leaf_and_timing_fields(void **state)
{
	(void)state;
	static const struct cpuid_record now_records[] = {
		BASIC_AMD_HV,
		LEAF(0x40000000, 0x40000010, SIG_KVM),
		LEAF(0x40000001, KVM_FEATURES_HOST, 0, 0, 0),
		LEAF(0x40000010, 2600000, 1000000, 0, 0),
	};
	static const struct expected_drift expected[] = {
		{ "drift.interface.kvm.max_leaf", OUTCOME_WARN },
		{ "drift.kvm.tsc_khz", OUTCOME_WARN },
		{ "drift.kvm.apic_bus_khz", OUTCOME_WARN },
	};
	BASELINE(kvm_golden);
	struct hv_report *now = NOW(now_records);
	judge_against(now, &baseline_report, NULL);
	EXPECT_DRIFT(now, expected);
	assert_string_equal(find_result(now, "drift.kvm.tsc_khz")->detail,
			    "tsc_khz changed: not provided in the baseline, 2600000 kHz now");
	assert_string_equal(find_result(now, "drift.interface.kvm.max_leaf")->detail,
			    "KVM at 0x40000000: max leaf 0x40000001 in the baseline, 0x40000010 now");
}

/* Leaves and registers no table decodes: KVM's base+2, TCG's base+1, an
 * unknown signature's block, Xen's time sub-leaf 1 beyond its fields. */
static void raw_differences_where_no_table_names_bits(void **state)
{
	(void)state;
	static const struct cpuid_record golden[] = {
		BASIC_AMD_HV,
		LEAF(0x40000000, 0x40000002, SIG_KVM),
		LEAF(0x40000001, KVM_FEATURES_HOST, 0x11, 0, 0),
		LEAF(0x40000002, 0, 0, 0, 0),
		LEAF(0x40000100, 0x40000101, SIG_TCG),
		LEAF(0x40000101, 7, 0, 0, 0),
		LEAF(0x40000200, 0x40000201, 0x41424344, 0x45464748, 0x494a4b4c), /* no one's */
		LEAF(0x40000201, 1, 2, 3, 4),
		LEAF(0x40000300, 0x40000303, 0x566e6558, 0x65584d4d, 0x4d4d566e), /* Xen */
		SUBLEAF(0x40000303, 1, 0, 0, 0, 0x0000007f),
	};
	static const struct cpuid_record now_records[] = {
		BASIC_AMD_HV,
		LEAF(0x40000000, 0x40000002, SIG_KVM),
		LEAF(0x40000001, KVM_FEATURES_HOST, 0x13, 0, 0),
		LEAF(0x40000002, 0x10, 0, 0, 0),
		LEAF(0x40000100, 0x40000101, SIG_TCG),
		LEAF(0x40000101, 6, 0, 0, 0),
		LEAF(0x40000200, 0x40000201, 0x41424344, 0x45464748, 0x494a4b4c),
		LEAF(0x40000201, 1, 2, 3, 5),
		LEAF(0x40000300, 0x40000303, 0x566e6558, 0x65584d4d, 0x4d4d566e),
		SUBLEAF(0x40000303, 1, 0, 0, 0, 0x0000017f),
	};
	static const struct expected_drift expected[] = {
		{ "drift.kvm.raw.0x01.ebx", OUTCOME_WARN },
		{ "drift.kvm.raw.0x02.eax", OUTCOME_WARN },
		{ "drift.tcg.raw.0x01.eax", OUTCOME_WARN },
		{ "drift.unknown.raw.0x01.edx", OUTCOME_WARN },
		/* tsc_to_ns_shift is EDX[7:0]; bit 8 is no one's */
		{ "drift.xen.raw.0x03.sub1.edx", OUTCOME_WARN },
	};
	BASELINE(golden);
	struct hv_report *now = NOW(now_records);
	judge_against(now, &baseline_report, NULL);
	EXPECT_DRIFT(now, expected);
	assert_string_equal(find_result(now, "drift.kvm.raw.0x02.eax")->detail,
			    "leaf 0x40000002 eax, bits 0x00000010 that no table names: 0x00000000 "
			    "in the baseline, 0x00000010 now");
	assert_string_equal(find_result(now, "drift.xen.raw.0x03.sub1.edx")->detail,
			    "leaf 0x40000303.1 edx, bits 0x00000100 that no table names: 0x0000007f "
			    "in the baseline, 0x0000017f now");
}

static void hypervisor_bit_cleared_or_set(void **state)
{
	(void)state;
	static const struct cpuid_record bare[] = {
		BASIC_AMD_BARE,
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		LEAF(0x40000001, KVM_FEATURES_HOST, 0, 0, 0),
	};
	static const struct expected_drift cleared[] = { { "drift.hypervisor_bit", OUTCOME_FAIL } };
	static const struct expected_drift set[] = { { "drift.hypervisor_bit", OUTCOME_WARN } };

	BASELINE(kvm_golden);
	struct hv_report *now = NOW(bare);
	judge_against(now, &baseline_report, NULL);
	EXPECT_DRIFT(now, cleared);
	BASELINE(bare);
	now = NOW(kvm_golden);
	judge_against(now, &baseline_report, NULL);
	EXPECT_DRIFT(now, set);
	BASELINE(bare);
	now = NOW(bare);
	judge_against(now, &baseline_report, NULL);
	expect_drift(now, NULL, 0);
}

static void drift_labels_are_waivable_and_checked(void **state)
{
	(void)state;
	static struct waiver_list list;
	static const char *const known[] = {
		"drift.baseline", "drift.hypervisor_bit", "drift.interface.kvm",
		"drift.interface.kvm_hv.base", "drift.interface.unknown",
		"drift.interface.hyperv.max_leaf", "DRIFT.KVM.STEAL_TIME", "drift.kvm.hints.realtime",
		"drift.kvm.tsc_khz", "drift.hyperv.AccessVpIndex", "drift.kvm_hv.accessvpindex",
		"drift.xen.hvm.x2apic_virt", "drift.bhyve.ext_dest_id", "drift.kvm.raw.0x01.eax",
		"drift.unknown.raw.0xff.edx", "drift.xen.raw.0x03.sub1.edx", "drift.tcg.raw.0x01.ebx",
	};
	static const char *const unknown[] = {
		"drift.", "drift.kvm", "drift.kvm.steal", "drift.interface.nope",
		"drift.interface.kvm.bases", "drift.kvm.raw.0x100.eax", "drift.kvm.raw.0x1.eax",
		"drift.kvm.raw.0x01.esi", "drift.kvm.raw.0x01", "drift.tcg.anything",
		"drift.unknown.steal_time", "drift.nope.raw.0x01.eax", "drift.kvm.hints",
	};
	EXPECT_LABELS(known, unknown);

	/* waived, a lost feature warns and the verdict passes */
	static const struct cpuid_record now_records[] = {
		BASIC_AMD_HV,
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		LEAF(0x40000001, KVM_FEATURES_HOST & ~(1u << 5), 0, 0, 0),
	};
	assert_true(waive_into(&list, "drift.kvm.steal_time"));
	BASELINE(kvm_golden);
	struct hv_report *now = NOW(now_records);
	judge_against(now, &baseline_report, &list);
	const struct result *r = find_result(now, "drift.kvm.steal_time");
	assert_int_equal(r->outcome, OUTCOME_WARN);
	assert_true(r->waived);
	assert_true(now->verdict.passed);
	assert_false(waive_into(&list, "drift.kvm.stealtime"));
}

/* A baseline that could not be read: drift.baseline is skipped, with why. */
static void unreadable_baseline_is_a_skip(void **state)
{
	(void)state;
	static struct requirement_list none;
	struct hv_report *now = NOW(kvm_golden);

	hv_check(now, &none);
	hv_judge(now, &(struct judge_settings){
				.baseline_failure = "baseline b.json not read: Not Found" });
	const struct result *r = find_result(now, "drift.baseline");
	assert_int_equal(r->outcome, OUTCOME_SKIP);
	assert_string_equal(r->detail, "baseline b.json not read: Not Found");
}

/* --- the JSON reader --------------------------------------------------- */

static char *read_file(const char *path, size_t *length)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	char *text = malloc(REPORT_MAX_BYTES + 1);
	*length = fread(text, 1, REPORT_MAX_BYTES + 1, f);
	fclose(f);
	return text;
}

static struct cpuid_dump read_back;

static void assert_same_leaves(const struct hv_report *r, const struct cpuid_dump *dump)
{
	assert_int_equal(dump->record_count, r->leaf_count);
	for (size_t i = 0; i < r->leaf_count; i++) {
		const struct cpuid_record *a = &dump->records[i];
		const struct leaf_reading *b = &r->leaves[i];
		assert_int_equal(a->leaf, b->leaf);
		assert_int_equal(a->subleaf, b->subleaf);
		assert_memory_equal(&a->regs, &b->regs, sizeof(a->regs));
	}
}

/* What a report rescanned from a dump's records renders as raw leaves. */
static char *raw_of_records(const struct cpuid_dump *dump, size_t *length)
{
	static struct hv_report again;
	struct cpuid_recording recording = { dump->records, dump->record_count };
	struct cpuid_source source;

	cpuid_source_recorded(&source, &recording, "again");
	hv_scan(&again, &source);
	return render_to_memory(&again, OUTPUT_RAW, malloc, length);
}

static void own_json_reads_back_leaf_for_leaf(void **state)
{
	(void)state;
	static const char *const dumps[] = {
		"hyperv-kvm.txt", "hyperv-snp.txt", "xen-viridian.txt", "xen-hvm.txt",
		"vmware.txt", "bhyve.txt", "kvm-guest-intel.txt",
		"kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt",
		"kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt",
	};
	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		struct hv_report *r = scan_dump_file(dumps[i]);
		size_t json_length, raw_length, again_length;
		char *json = render_to_memory(r, OUTPUT_JSON, malloc, &json_length);
		char *raw = render_to_memory(r, OUTPUT_RAW, malloc, &raw_length);
		assert_true(cpuid_input_is_json(json, json_length));
		if (!cpuid_input_parse(&read_back, json, json_length))
			fail_msg("%s: line %u: %s", dumps[i], read_back.problems[0].line,
				 read_back.problems[0].reason);
		assert_same_leaves(r, &read_back);
		char *again = raw_of_records(&read_back, &again_length);
		assert_int_equal(again_length, raw_length);
		assert_memory_equal(again, raw, raw_length);
		free(json);
		free(raw);
		free(again);
	}
}

/* jq 1.6's layouts of hvfeat's JSON: "jq ." (indented), "jq -S ." (every
 * object's keys sorted: "eax" comes before "leaf") and "jq -c .". */
static void jq_layouts_read_back(void **state)
{
	(void)state;
	static const struct {
		const char *report, *dump;
	} cases[] = {
		{ "hyperv-kvm.jq.json", "hyperv-kvm.txt" },
		{ "kvm-real-host.jq-sorted.json", "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt" },
		{ "xen-viridian.jq-compact.json", "xen-viridian.txt" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[256];
		size_t length;
		snprintf(path, sizeof(path), "%s/%s", REPORTS_DIR, cases[i].report);
		char *text = read_file(path, &length);
		if (!cpuid_input_parse(&read_back, text, length))
			fail_msg("%s: line %u: %s", path, read_back.problems[0].line,
				 read_back.problems[0].reason);
		assert_same_leaves(scan_dump_file(cases[i].dump), &read_back);
		free(text);
	}
}

/* The reason (and line) a JSON text is refused with. */
static const struct dump_problem *refused(const char *text)
{
	if (report_json_parse(&read_back, text, strlen(text)))
		fail_msg("taken: %s", text);
	assert_true(read_back.problem_count > 0);
	return &read_back.problems[0];
}

#define LEAF_0 "{\"leaf\": 0, \"subleaf\": 0, \"eax\": 1, \"ebx\": 2, \"ecx\": 3, \"edx\": 4}"

static void hostile_and_malformed_json(void **state)
{
	(void)state;
	static const struct {
		const char *text, *reason;
		uint32_t line;
	} cases[] = {
		{ "{", "JSON: the text ends inside an object", 1 },
		{ "{\"tool\": \"hvfeat\",\n \"leaves\": [" LEAF_0 ",\n", "JSON: the text ends where a value should be", 3 },
		{ "{\"tool\": \"hvfeat\", \"leaves\": [" LEAF_0 "]} x", "JSON: more text after the JSON value", 1 },
		{ "[1]", "not an hvfeat JSON report: not a JSON object", 1 },
		{ "{\"tool\": \"other\", \"leaves\": [" LEAF_0 "]}", "not an hvfeat JSON report: no \"tool\": \"hvfeat\"", 0 },
		{ "{\"tool\": \"hvfeat\"}", "an hvfeat JSON report without \"leaves\"", 0 },
		{ "{\"tool\": \"hvfeat\", \"leaves\": []}", "no CPUID leaves in it", 0 },
		{ "{\"tool\": \"hvfeat\", \"leaves\": {}}", "\"leaves\" is not an array", 1 },
		{ "{\"tool\": \"hvfeat\", \"leaves\": [1]}", "a leaf entry is not an object", 1 },
		{ "{\"tool\": \"hvfeat\", \"leaves\": [{\"leaf\": 0, \"subleaf\": 0, \"eax\": 1}]}",
		  "a leaf entry without all of \"eax\" to \"edx\"", 1 },
		{ "{\"tool\": \"hvfeat\", \"leaves\": [{\"eax\": 1, \"ebx\": 2, \"ecx\": 3, \"edx\": 4}]}",
		  "a leaf entry without its \"leaf\" or \"subleaf\"", 1 },
		{ "{\"tool\": \"hvfeat\", \"leaves\": [" LEAF_0 ",\n" LEAF_0 "]}", "leaf and sub-leaf given twice", 2 },
		{ "{\"tool\": \"hvfeat\", \"leaves\": [{\"leaf\": 0, \"leaf\": 1}]}", "a leaf entry names a register twice", 1 },
		{ "{\"tool\": \"hvfeat\", \"leaves\": [{\"leaf\": 0, \"subleaf\": 0, \"eax\": 4294967296, \"ebx\": 2, \"ecx\": 3, \"edx\": 4}]}",
		  "a leaf entry's \"eax\" is not a whole number of 32 bits", 1 },
		{ "{\"tool\": \"hvfeat\", \"leaves\": [{\"leaf\": -1}]}", "a leaf entry's \"leaf\" is not a whole number of 32 bits", 1 },
		{ "{\"tool\": \"hvfeat\", \"leaves\": [{\"leaf\": 1.5}]}", "a leaf entry's \"leaf\" is not a whole number of 32 bits", 1 },
		{ "{\"tool\": \"hvfeat\", \"leaves\": [{\"leaf\": \"0x1\"}]}", "a leaf entry's \"leaf\" is not a whole number of 32 bits", 1 },
		{ "{\"tool\": \"hvfeat\", \"leaves\": [{\"leaf\": [0]}]}", "a leaf entry's \"leaf\" is not a whole number of 32 bits", 1 },
		{ "{\"tool\": \"hvfeat\", \"leaves\": [{\"leaf\": 1e400}]}", "a leaf entry's \"leaf\" is not a whole number of 32 bits", 1 },
		{ "{\"tool\": 01}", "JSON: expected ',' or '}'", 1 },
		{ "{\"tool\": 1.}", "JSON: a malformed number", 1 },
		{ "{\"tool\": -}", "JSON: a malformed number", 1 },
		{ "{\"tool\": 1e}", "JSON: a malformed number", 1 },
		{ "{\"tool\": \"a\tb\"}", "JSON: a control character in a string", 1 },
		{ "{\"tool\": \"\\x\"}", "JSON: an escape that JSON does not have", 1 },
		{ "{\"tool\": \"\\u12\"}", "JSON: a \\u escape without four hex digits", 1 },
		{ "{\"tool\": \"hvfeat}", "JSON: a string without its closing quote", 1 },
		{ "{\"tool\" \"hvfeat\"}", "JSON: expected ':' after a key", 1 },
		{ "{tool: 1}", "JSON: expected a key (a string)", 1 },
		{ "{\"a\": [1 2]}", "JSON: expected ',' or ']'", 1 },
		{ "{\"a\": tru}", "JSON: not a JSON value", 1 },
		{ "{\"a\": [1,]}", "JSON: not a JSON value", 1 },
		{ "{\"a\": 1,}", "JSON: expected a key (a string)", 1 },
		{ " \n {", "JSON: the text ends inside an object", 2 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct dump_problem *p = refused(cases[i].text);
		if (strcmp(p->reason, cases[i].reason) || p->line != cases[i].line)
			fail_msg("%s: %u: %s, expected %u: %s", cases[i].text, p->line, p->reason,
				 cases[i].line, cases[i].reason);
	}
	/* a NUL byte is no JSON, wherever it is */
	static const char nul[] = "{\"tool\": \"hvfeat\"\0}";
	assert_false(cpuid_input_parse(&read_back, nul, sizeof(nul) - 1));
}

/* Numbers are whole numbers however they are spelt; keys and members the
 * reader does not look for are passed over, escapes decoded. */
static void numbers_escapes_and_other_members(void **state)
{
	(void)state;
	const char *report =
		"{\"\\u0074ool\": \"hv\\u0066eat\", \"extra\": {\"leaves\": 7},\n"
		" \"leaves\": [{\"leaf\": 1e0, \"subleaf\": 0.0, \"eax\": 1.6E1, "
		"\"ebx\": 160e-1, \"ecx\": 4294967295, \"edx\": 0, \"note\": [null, true]}]}";
	assert_true(cpuid_input_parse(&read_back, report, strlen(report)));
	assert_int_equal(read_back.record_count, 1);
	assert_int_equal(read_back.records[0].leaf, 1);
	assert_int_equal(read_back.records[0].subleaf, 0);
	assert_int_equal(read_back.records[0].regs.eax, 16);
	assert_int_equal(read_back.records[0].regs.ebx, 16);
	assert_int_equal(read_back.records[0].regs.ecx, 0xffffffffu);
}

/* Deep nesting is refused before it can exhaust the stack, at exactly
 * JSON_MAX_DEPTH containers. */
static void nesting_is_bounded(void **state)
{
	(void)state;
	static char text[4096];
	struct json_reader reader = { 0 };

	for (size_t depth = 30; depth <= 34; depth++) {
		size_t n = 0;
		for (size_t i = 0; i < depth; i++)
			text[n++] = '[';
		for (size_t i = 0; i < depth; i++)
			text[n++] = ']';
		bool ok = json_read(&reader, text, n);
		assert_int_equal(ok, depth <= JSON_MAX_DEPTH);
		if (!ok)
			assert_string_equal(reader.error, "JSON: nested deeper than 32 levels");
	}
	/* a million opening brackets: refused at the 33rd */
	size_t huge = 1u << 20;
	char *deep = malloc(huge);
	memset(deep, '[', huge);
	assert_false(json_read(&reader, deep, huge));
	assert_string_equal(reader.error, "JSON: nested deeper than 32 levels");
	free(deep);
}

/* Every prefix of a report is refused, never read past its end (the
 * sanitizers and valgrind watch), and so is every text with one byte
 * replaced by a quote or a NUL. */
static void truncated_and_damaged_reports(void **state)
{
	(void)state;
	struct hv_report *r = scan_dump_file("kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt");
	size_t length;
	char *json = render_to_memory(r, OUTPUT_JSON, malloc, &length);

	for (size_t cut = 0; cut < length; cut += cut < 200 || length - cut < 200 ? 1 : 97) {
		char *prefix = malloc(cut ? cut : 1);
		memcpy(prefix, json, cut);
		/* the last newline comes after the closing brace */
		bool whole = cut == length - 1;
		if (cpuid_input_parse(&read_back, prefix, cut) != whole)
			fail_msg("a prefix of %zu of %zu bytes was %s", cut, length,
				 whole ? "refused" : "taken");
		free(prefix);
	}
	for (size_t at = 0; at < length; at += 37) {
		char saved = json[at];
		json[at] = '\0';
		assert_false(cpuid_input_parse(&read_back, json, length));
		json[at] = '"';
		cpuid_input_parse(&read_back, json, length);
		json[at] = saved;
	}
	free(json);
}

static void too_large_or_too_many(void **state)
{
	(void)state;
	size_t size = REPORT_MAX_BYTES + 1;
	char *text = malloc(size);

	memset(text, ' ', size);
	text[0] = '{';
	assert_false(report_json_parse(&read_back, text, size));
	assert_string_equal(read_back.problems[0].reason, "larger than 2 MiB, too large for a report");

	/* 4097 leaves: one more than a dump may hold */
	size_t n = (size_t)snprintf(text, size, "{\"tool\": \"hvfeat\", \"leaves\": [");
	for (unsigned i = 0; i <= DUMP_MAX_RECORDS; i++)
		n += (size_t)snprintf(text + n, size - n,
				      "%s{\"leaf\": %u, \"subleaf\": 0, \"eax\": 0, \"ebx\": 0, "
				      "\"ecx\": 0, \"edx\": 0}", i ? "," : "", i);
	n += (size_t)snprintf(text + n, size - n, "]}");
	assert_false(report_json_parse(&read_back, text, n));
	assert_int_equal(read_back.problem_count, 1);
	assert_string_equal(read_back.problems[0].reason, "more leaves than hvfeat keeps (4096)");
	free(text);
}

/* --- policies ------------------------------------------------------------ */

static void written_policy_pins_what_is_offered(void **state)
{
	(void)state;
	/* KVM behind Hyper-V; QEMU's hv-passthrough as recorded on a real KVM */
	static const char *const dumps[] = {
		"hyperv-kvm.txt", "hyperv-snp.txt", "xen-viridian.txt",
		"kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt",
		"kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt",
	};
	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		struct hv_report *r = scan_dump_file(dumps[i]);
		read_policy(write_policy(r));
		assert_string_equal(failed_requirements(r), "");
	}

	/* KVM_FEATURE_CLOCKSOURCE (0) .. _PV_UNHALT (7), _PV_TLB_FLUSH (9):
	 * 0x2ff; hints not pinned */
	static const struct cpuid_record golden[] = {
		BASIC_AMD_HV,
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		LEAF(0x40000001, 0x000002ff, 0, 0, 1),
	};
	static const struct cpuid_record degraded[] = {
		BASIC_AMD_HV,
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		LEAF(0x40000001, 0x000002ff & ~(1u << 3 | 1u << 7), 0, 0, 0),
	};
	size_t count = write_policy(SCAN(golden));
	assert_int_equal(count, 2 + 9);
	assert_contains(written_policy, "\nhypervisor_bit\n\n# KVM at 0x40000000\ninterface.kvm\n"
				"kvm.clocksource                      # KVM_FEATURE_CLOCKSOURCE, leaf "
				"0x40000001 eax bit 0\n");
	assert_lacks(written_policy, "realtime");
	read_policy(count);
	assert_string_equal(failed_requirements(SCAN(degraded)),
			    "require.kvm.clocksource2,require.kvm.pv_unhalt");
	assert_string_equal(failed_requirements(SCAN(hyperv_golden)),
			    "require.interface.kvm,require.kvm.clocksource,require.kvm.nop_io_delay,"
			    "require.kvm.mmu_op,require.kvm.clocksource2,require.kvm.async_pf,"
			    "require.kvm.steal_time,require.kvm.pv_eoi,require.kvm.pv_unhalt,"
			    "require.kvm.pv_tlb_flush");
}

/* Hyper-V's nested privileges (0x40000009) repeat the partition's names:
 * a requirement names the first, so a nested bit set alone is noted, not
 * pinned, and the policy still passes where it was written. */
static void nested_privileges_noted_not_pinned(void **state)
{
	(void)state;
	static const struct cpuid_record records[] = {
		BASIC_AMD_HV,
		LEAF(0x40000000, 0x4000000a, SIG_HYPERV),
		LEAF(0x40000001, 0x31237648, 0, 0, 0),
		LEAF(0x40000003, 1u << 6, 0, 0, 0), /* AccessVpIndex */
		LEAF(0x40000009, 1u << 2, 0, 0, 0), /* nested AccessSynicRegs */
	};
	struct hv_report *r = SCAN(records);
	size_t count = write_policy(r);
	assert_int_equal(count, 3);
	assert_contains(written_policy, "hyperv.AccessVpIndex ");
	assert_contains(written_policy, "# not pinned: AccessSynicRegs, leaf 0x40000009 eax bit 2 "
				"(hyperv.AccessSynicRegs names another bit)\n");
	read_policy(count);
	assert_string_equal(failed_requirements(r), "");
}

/* Every bit Hyper-V and KVM define set: the largest policy hvfeat writes
 * for one VM still fits what a policy file may hold. */
static void full_hyperv_and_kvm_policy_fits(void **state)
{
	(void)state;
	static struct cpuid_record records[2 + 0x83 + 2];
	size_t n = 0;

	records[n++] = (struct cpuid_record)LEAF(0, 1, VENDOR_AMD);
	records[n++] = (struct cpuid_record)LEAF(1, 0x00800f12, 0, HYPERVISOR_BIT, 0);
	records[n++] = (struct cpuid_record)LEAF(0x40000000, 0x40000082, SIG_HYPERV);
	records[n++] = (struct cpuid_record)LEAF(0x40000001, 0x31237648, 0, 0, 0);
	for (uint32_t leaf = 0x40000002; leaf <= 0x40000082; leaf++)
		records[n++] = (struct cpuid_record)LEAF(leaf, 0xffffffff, 0xffffffff,
							 0xffffffff, 0xffffffff);
	records[n++] = (struct cpuid_record)LEAF(0x40000100, 0x40000101, SIG_KVM);
	records[n++] = (struct cpuid_record)LEAF(0x40000101, 0xffffffff, 0, 0, 0xffffffff);
	struct hv_report *r = scan_records(records, n);
	size_t count = write_policy(r);
	assert_true(count <= MAX_REQUIREMENTS);
	assert_true(count > 64); /* why MAX_REQUIREMENTS grew past 64 */
	read_policy(count);
	assert_string_equal(failed_requirements(r), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nothing_differs_one_pass),
		cmocka_unit_test(kvm_features_lost_gained_and_hints),
		cmocka_unit_test(hyperv_privileges_recommendations_fields),
		cmocka_unit_test(hyperv_interface_signature_lost),
		cmocka_unit_test(interfaces_added_removed_moved),
		cmocka_unit_test(max_leaf_and_timing_fields),
		cmocka_unit_test(raw_differences_where_no_table_names_bits),
		cmocka_unit_test(hypervisor_bit_cleared_or_set),
		cmocka_unit_test(drift_labels_are_waivable_and_checked),
		cmocka_unit_test(unreadable_baseline_is_a_skip),
		cmocka_unit_test(own_json_reads_back_leaf_for_leaf),
		cmocka_unit_test(jq_layouts_read_back),
		cmocka_unit_test(hostile_and_malformed_json),
		cmocka_unit_test(numbers_escapes_and_other_members),
		cmocka_unit_test(nesting_is_bounded),
		cmocka_unit_test(truncated_and_damaged_reports),
		cmocka_unit_test(too_large_or_too_many),
		cmocka_unit_test(written_policy_pins_what_is_offered),
		cmocka_unit_test(nested_privileges_noted_not_pinned),
		cmocka_unit_test(full_hyperv_and_kvm_policy_fits),
	};
	return cmocka_run_group_tests_name("baselines and drift", tests, NULL, NULL);
}
