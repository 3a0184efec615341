/* Finding interfaces in the 0x40000000 range, whatever the source returns. */
#include "recordings.h"

static void no_hypervisor_bit(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		LEAF(0, 1, VENDOR_INTEL),
		LEAF(1, 0x000806f8, 0, 0x7ffafbff, 0),
	};
	struct hv_report *r = SCAN(records);

	assert_false(r->hypervisor_bit);
	assert_int_equal(r->interface_count, 0);
	assert_null(r->unadvertised_vendor);
	const char *text = text_of(r);
	assert_contains(text, "hypervisor bit (CPUID.1:ECX[31]): clear");
	assert_contains(text, "interfaces: not scanned");
	assert_lacks(text, "note:");
}

/* QEMU TCG with -hypervisor: the bit is clear but the leaves still answer. */
static void bit_clear_but_tcg_answers(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		LEAF(0, 1, VENDOR_INTEL),
		LEAF(1, 0x000806f8, 0, 0, 0),
		LEAF(0x40000000, 0x40000001, SIG_TCG),
	};
	struct hv_report *r = SCAN(records);

	assert_int_equal(r->interface_count, 0);
	assert_non_null(r->unadvertised_vendor);
	assert_contains(text_of(r), "note: leaf 0x40000000 answers anyway: QEMU TCG\n"
				    "      signature \"TCGTCGTCGTCG\"\n");
}

/* QEMU TCG with tcg-cpuid=off: the bit is set, every leaf is zero. */
static void bit_set_no_signature(void **state)
{
	(void)state;
	const struct cpuid_record records[] = { BASIC_LEAVES_HV };
	struct hv_report *r = SCAN(records);

	assert_true(r->hypervisor_bit);
	assert_int_equal(r->interface_count, 0);
	assert_contains(text_of(r), "interfaces: 0 (bases 0x40000000-0x4000ff00 scanned)");
}

static void tcg_signature(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		BASIC_LEAVES_HV,
		LEAF(0x40000000, 0x40000001, SIG_TCG),
	};
	struct hv_report *r = SCAN(records);

	assert_int_equal(r->interface_count, 1);
	assert_int_equal(r->interfaces[0].last_leaf, 0x40000001);
	assert_contains(text_of(r), "  0x40000000  QEMU TCG");
	assert_non_null(hv_report_leaf(r, 0x40000001, 0));
}

/* A max leaf of 0xffffffff must not walk past the block. */
static void hostile_max_leaf(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		BASIC_LEAVES_HV,
		LEAF(0x40000000, 0xffffffff, SIG_KVM),
		LEAF(0x40000001, 0x01007efb, 0, 0, 0),
	};
	struct hv_report *r = SCAN(records);

	assert_int_equal(r->interface_count, 1);
	assert_int_equal(r->interfaces[0].last_leaf, 0x400000ff);
	assert_int_equal(r->interfaces[0].max_leaf_note, MAX_LEAF_CLAMPED);
	assert_null(hv_report_leaf(r, 0x40000100, 0));
	assert_non_null(hv_report_leaf(r, 0x400000ff, 0));
	assert_contains(text_of(r), "max leaf: 0xffffffff (past the block: read to 0x400000ff)");
}

/* A source that answers every leaf with a signature and max 0xffffffff. */
static void everywhere_query(const struct cpuid_source *self, uint32_t leaf,
			     uint32_t subleaf, struct cpuid_regs *out)
{
	(void)self;
	(void)subleaf;
	out->eax = 0xffffffff; /* max basic leaf and every max leaf */
	out->ebx = 0x4b4d564b;
	out->ecx = 0x564b4d56;
	out->edx = 0x0000004d;
	if (leaf == 1)
		out->ecx = HYPERVISOR_BIT;
}

static void hostile_everywhere_is_bounded(void **state)
{
	(void)state;
	struct cpuid_source source = { everywhere_query, NULL, "recording", "hostile" };

	hv_scan(&test_report, &source);
	struct hv_report *r = &test_report;
	assert_int_equal(r->interface_count, 256);
	/* 0, 1, the highest basic leaf, 0x21, 0x80000000 and 0x8000001F, every
	 * base, the budget */
	assert_true(r->cpuid_executions <= 6 + HV_BASE_COUNT + HV_LEAF_BUDGET);
	assert_true(r->interfaces[255].leaves_cut_by_budget);
	assert_false(r->interfaces[0].leaves_cut_by_budget);
	assert_false(r->interfaces[7].past_decode_limit);
	assert_true(r->interfaces[8].past_decode_limit);
	const char *text = text_of(r);
	assert_contains(text, "[0x4000ff00] KVM");
	assert_contains(text, "leaves not all read: the 1024-leaf budget is spent");
	assert_true(strlen(text) < (1u << 20));
}

/* The largest report hvfeat can write: Hyper-V at every base, every leaf
 * all ones, so every bit of every decoded register has a line. */
static void hyperv_all_ones_everywhere(const struct cpuid_source *self, uint32_t leaf,
				       uint32_t subleaf, struct cpuid_regs *out)
{
	(void)self;
	(void)subleaf;
	*out = (struct cpuid_regs){ 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff };
	if (leaf == 1)
		*out = (struct cpuid_regs){ 0, 0, HYPERVISOR_BIT, 0 };
	else if ((leaf & 0xff) == 0)
		*out = (struct cpuid_regs){ leaf + 0xc, SIG_HYPERV };
	else if ((leaf & 0xff) == 1)
		out->eax = 0x31237648; /* "Hv#1" */
}

static void worst_case_report_is_bounded(void **state)
{
	(void)state;
	struct cpuid_source source = { hyperv_all_ones_everywhere, NULL, "recording", "worst" };
	size_t text_size, json_size;

	hv_scan(&test_report, &source);
	char *text = render_to_memory(&test_report, OUTPUT_TEXT, malloc, &text_size);
	char *json = render_to_memory(&test_report, OUTPUT_JSON, malloc, &json_size);
	assert_int_equal(test_report.interface_count, 256);
	assert_true(text_size > 256 * 1024); /* it is the worst case */
	assert_true(text_size < 512 * 1024);
	assert_true(json_size < 512 * 1024);
	assert_contains(text, "  not decoded: only the first 8 interfaces are (raw leaves below)\n");
	free(text);
	free(json);
}

/* Intel returns the highest basic leaf for out-of-range leaves; a recording
 * of an Intel machine answers the same way for the leaves it lacks. */
static void intel_echo_is_not_an_interface(void **state)
{
	(void)state;
	const struct cpuid_record intel_kvm_guest[] = {
		LEAF(0, 0xd, VENDOR_INTEL),
		LEAF(1, 0x000806f8, 0, HYPERVISOR_BIT, 0),
		LEAF(0xd, 0x00000207, 0x00000340, 0x00000a88, 0),
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		LEAF(0x40000001, 0x01007efb, 0, 0, 0),
	};
	struct hv_report *r = SCAN(intel_kvm_guest);

	assert_int_equal(r->interface_count, 1);
	assert_int_equal(r->skipped_echo_bases, 255);
	assert_contains(text_of(r), "(255 bases only echoed the highest basic leaf)");
}

/* The same registers from an AMD machine: missing leaves read as zero. */
static void amd_missing_leaves_read_as_zero(void **state)
{
	(void)state;
	const struct cpuid_record amd_kvm_guest[] = {
		LEAF(0, 0xd, 0x68747541, 0x444d4163, 0x69746e65),
		LEAF(1, 0x00a00f11, 0, HYPERVISOR_BIT, 0),
		LEAF(0xd, 0x00000207, 0x00000340, 0x00000a88, 0),
		LEAF(0x40000000, 0x40000001, SIG_KVM),
	};
	struct hv_report *r = SCAN(amd_kvm_guest);

	assert_int_equal(r->interface_count, 1);
	assert_int_equal(r->skipped_echo_bases, 0);
	assert_int_equal(lookup(r, KVM, "KVM_FEATURE_CLOCKSOURCE"), 0);
}

static void unknown_signature_is_escaped(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		BASIC_LEAVES_HV,
		/* bytes 'A' ESC 0x02 0x01 | '"' NUL NUL NUL | '\\' NUL NUL 0xff */
		LEAF(0x40000000, 0x40000000, 0x01021b41, 0x00000022, 0xff00005c),
	};
	struct hv_report *r = SCAN(records);

	assert_int_equal(r->interface_count, 1);
	assert_null(r->interfaces[0].vendor);
	const char *text = text_of(r);
	assert_contains(text, "  0x40000000  unknown signature");
	assert_contains(text, "signature: \"A\\x1b\\x02\\x01\\\"\\0\\0\\0\\\\\\0\\0\\xff\"\n");
}

/* Every leaf read shows up in the raw section, in cpuid -r format. */
static void raw_leaves_in_cpuid_format(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		BASIC_LEAVES_HV,
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		LEAF(0x40000001, 0x01007efb, 0, 0, 0),
	};
	const char *text = text_of(SCAN(records));

	assert_contains(text, "\nraw leaves (cpuid -r format):\n"
		"   0x00000000 0x00: eax=0x00000001 ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\n"
		"   0x00000001 0x00: eax=0x000806f8 ebx=0x00000000 ecx=0x80000000 edx=0x00000000\n"
		"   0x40000000 0x00: eax=0x40000001 ebx=0x4b4d564b ecx=0x564b4d56 edx=0x0000004d\n"
		"   0x40000001 0x00: eax=0x01007efb ebx=0x00000000 ecx=0x00000000 edx=0x00000000\n"
		/* read for 0x8000001F's range: this recording holds no
		 * extended leaf, and an Intel processor answers it with the
		 * highest basic leaf, 1 */
		"   0x80000000 0x00: eax=0x000806f8 ebx=0x00000000 ecx=0x80000000 edx=0x00000000\n"
		"\nresults: ");
	assert_int_equal(text[strlen(text) - 1], '\n');
}

/* Found by fuzz_scan: a vendor string of control bytes pushed the vendor
 * line past the console's 79 columns (text_of checks every line). */
static void hostile_vendor_string_fits_the_console(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		LEAF(0, 0x0a0a0a0a, 0x0a0a0a0a, 0x0a0a0a0a, 0x0a0a0a0a),
		LEAF(1, 0x0a0a0a0a, 0x0a0a0a0a, 0x0a0a0a0a, 0x0a0a0a0a),
	};
	const char *text = text_of(SCAN(records));
	assert_contains(text, "cpu vendor: \"\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a"
			      "\\x0a\\x0a\\x0a\\x0a\"\nmax basic leaf: 0x0a0a0a0a\n");
}

/* The longest product name in the note shown without the hypervisor bit. */
static void unadvertised_note_fits_the_console(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		LEAF(0, 1, VENDOR_INTEL),
		LEAF(1, 0, 0, 0, 0),
		LEAF(0x40000000, 0x40000001, 0x6c707041, 0x5a562065, 0), /* "Apple VZ" */
	};
	assert_contains(text_of(SCAN(records)),
			"note: leaf 0x40000000 answers anyway: Apple Virtualization.framework\n"
			"      signature \"Apple VZ\\0\\0\\0\\0\"\n");
}

/* The source line names a file the user chose: a byte outside printable
 * ASCII is escaped, and a long path continues on indented lines (text_of
 * checks every line's width). */
#define X10 "xxxxxxxxxx"
static void source_line_escaped_and_wrapped(void **state)
{
	(void)state;
	static const struct cpuid_record records[] = { BASIC_LEAVES_HV };
	char description[160] = "dump /tmp/a\x1b[2Jb-";

	for (size_t i = strlen(description); i < 120; i++)
		description[i] = 'x';
	assert_contains(text_of(scan_described(records, 2, description)),
			"\nsource: dump /tmp/a\\x1b[2Jb-"
			X10 X10 X10 X10 X10 "x\n           " X10 X10 X10 X10 X10 "xx\n"
			"cpu vendor:");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_hypervisor_bit),
		cmocka_unit_test(bit_clear_but_tcg_answers),
		cmocka_unit_test(bit_set_no_signature),
		cmocka_unit_test(tcg_signature),
		cmocka_unit_test(hostile_max_leaf),
		cmocka_unit_test(hostile_everywhere_is_bounded),
		cmocka_unit_test(worst_case_report_is_bounded),
		cmocka_unit_test(intel_echo_is_not_an_interface),
		cmocka_unit_test(amd_missing_leaves_read_as_zero),
		cmocka_unit_test(unknown_signature_is_escaped),
		cmocka_unit_test(raw_leaves_in_cpuid_format),
		cmocka_unit_test(hostile_vendor_string_fits_the_console),
		cmocka_unit_test(unadvertised_note_fits_the_console),
		cmocka_unit_test(source_line_escaped_and_wrapped),
	};
	return cmocka_run_group_tests_name("interface scan", tests, NULL, NULL);
}
