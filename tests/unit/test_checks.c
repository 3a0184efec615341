/* Requirements: parsing, every kind of subject, PASS/FAIL, and how the
 * verdict shows in the text and JSON renderings. */
#include "recordings.h"

#include "checks.h"
#include "judge.h"

static struct requirement_list list;
static char errors[512];

static bool add(const char *text)
{
	struct buffer_sink sink;

	buffer_sink_init(&sink, errors, sizeof(errors) - 1);
	bool ok = requirements_add(&list, text, strlen(text), "--require", &sink.sink);
	errors[sink.length] = '\0';
	return ok;
}

static const struct cpuid_record hyperv_kvm[] = {
	BASIC_LEAVES_HV,
	LEAF(0x40000000, 0x40000005, SIG_HYPERV),
	LEAF(0x40000001, 0x31237648, 0, 0, 0),
	LEAF(0x40000003, 0x00000232, 0, 0, 0),
	/* tests/dumps/hyperv-kvm.txt's; absent, it would read as leaf 1 */
	LEAF(0x40000004, 0x00000028, 0x00001fff, 0, 0),
	LEAF(0x40000100, 0x40000101, SIG_KVM),
	LEAF(0x40000101, 0x01007afb, 0, 0, 0),
};

static struct hv_report *checked(const char *requirements)
{
	list.count = 0;
	if (!add(requirements))
		fail_msg("requirements rejected: %s", errors);
	struct hv_report *r = SCAN(hyperv_kvm);
	hv_check(r, &list);
	hv_judge(r, &(struct judge_settings){ .waivers = &list.waivers });
	return r;
}

static void keys_follow_upstream_names(void **state)
{
	(void)state;
	static const struct {
		const char *signature, *id, *key;
	} cases[] = {
		{ KVM, "KVM_FEATURE_PV_UNHALT", "kvm.pv_unhalt" },
		{ KVM, "KVM_HINTS_REALTIME", "kvm.hints.realtime" },
		{ KVM, "tsc_khz", "kvm.tsc_khz" },
		{ "XenVMMXenVMM", "XEN_HVM_CPUID_X2APIC_VIRT", "xen.hvm.x2apic_virt" },
		{ "Microsoft Hv", "AccessVpIndex", "hyperv.AccessVpIndex" },
		{ "Microsoft Hv", "HV_X64_NESTED_MSR_BITMAP", "hyperv.nested_msr_bitmap" },
	};
	char key[96];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hv_item_key(hv_vendor_lookup(cases[i].signature), cases[i].id, key, sizeof(key));
		assert_string_equal(key, cases[i].key);
	}
	hv_item_key(hv_vendor_lookup(KVM), "KVM_FEATURE_CLOCKSOURCE_STABLE_BIT", key, 12);
	assert_string_equal(key, "kvm.clockso"); /* cut, still terminated */
}

static void pass_and_fail_with_values_found(void **state)
{
	(void)state;
	struct hv_report *r = checked("kvm.pv_unhalt, kvm.async_pf_vmexit,"
				      "kvm.hints.realtime=0,hyperv.accessvpindex=0");

	assert_int_equal(r->check_count, 4);
	assert_true(r->checks[0].passed);
	assert_false(r->checks[1].passed); /* 0x01007afb lacks bit 10 */
	assert_int_equal(r->checks[1].found, 0);
	assert_true(r->checks[2].passed);
	assert_true(r->checks[3].passed); /* keys ignore case */
	assert_int_equal(hv_failed_checks(r), 1);

	const char *text = text_of(r);
	assert_contains(text, "\nresults: 16\n" /* 4 requirements, 12 lints */
			      "  PASS  require.kvm.pv_unhalt: kvm.pv_unhalt = 1: found 1\n"
			      "  FAIL  require.kvm.async_pf_vmexit: kvm.async_pf_vmexit = 1:"
			      " found 0\n"
			      "  PASS  require.kvm.hints.realtime: kvm.hints.realtime = 0:"
			      " found 0\n"
			      "  PASS  require.hyperv.AccessVpIndex: hyperv.accessvpindex = 0:"
			      " found 0\n");
	assert_contains(text, "  failed: require.kvm.async_pf_vmexit (high)\n"
			      "verdict: FAIL, 1 result failed\n"
			      "end of hvfeat report\n");
}

static void interface_and_bit_requirements(void **state)
{
	(void)state;
	struct hv_report *r = checked("hypervisor_bit, interface.hyperv,"
				      "interface.kvm.base=0x40000100, interface.xen=0,"
				      "interface.tcg, interface.xen.base=0x40000000");

	assert_true(r->checks[0].passed);
	assert_true(r->checks[1].passed);
	assert_true(r->checks[2].passed);
	assert_true(r->checks[3].passed);
	assert_false(r->checks[4].passed);
	assert_false(r->checks[5].passed);
	assert_int_equal(r->checks[5].outcome, CHECK_NO_INTERFACE);
	const char *text = text_of(r);
	assert_contains(text, "  PASS  require.interface.kvm.base: interface.kvm.base = 0x40000100:"
			      " found\n        0x40000100\n");
	assert_contains(text, "  FAIL  require.interface.tcg: interface.tcg = 1: found 0\n");
	assert_contains(text, "  FAIL  require.interface.xen.base: interface.xen.base ="
			      " 0x40000000: no xen\n        interface\n");
}

static void comparisons_and_absent_leaves(void **state)
{
	(void)state;
	struct hv_report *r = checked("kvm.tsc_khz >= 1000,kvm.clocksource!=0,"
				      "kvm.clocksource<=0,xen.major_version>=4");

	assert_int_equal(r->checks[0].outcome, CHECK_NOT_PROVIDED);
	assert_false(r->checks[0].passed);
	assert_true(r->checks[1].passed);
	assert_false(r->checks[2].passed);
	assert_int_equal(r->checks[3].outcome, CHECK_NO_INTERFACE);
	assert_contains(text_of(r), "  FAIL  require.kvm.tsc_khz: kvm.tsc_khz >= 1000: leaf not"
				    " provided\n");
}

static void all_pass_verdict_and_json(void **state)
{
	(void)state;
	struct hv_report *r = checked("kvm.pv_unhalt");
	static char json[1 << 16];
	struct buffer_sink sink;

	assert_contains(text_of(r), "verdict: PASS\n");
	buffer_sink_init(&sink, json, sizeof(json) - 1);
	render_json(r, &sink.sink);
	json[sink.length] = '\0';
	assert_contains(json, "\"checks\": [\n    {\"requirement\": \"kvm.pv_unhalt = 1\", "
			      "\"comparison\": \"=\", \"expected\": 1, \"found\": 1, "
			      "\"note\": \"found 1\", \"result\": \"pass\"}\n  ],\n"
			      "  \"results\": [\n    {\"label\": \"require.kvm.pv_unhalt\", "
			      "\"outcome\": \"pass\", \"severity\": null, \"waived\": false, "
			      "\"detail\": \"kvm.pv_unhalt = 1: found 1\"},\n");
	assert_contains(json, "  \"strict\": false,\n  \"verdict\": \"pass\"\n}\n");
	assert_contains(json, "\"id\": \"KVM_FEATURE_PV_UNHALT\", \"key\": \"kvm.pv_unhalt\"");
}

/* Without requirements the lints are still judged: a verdict always. */
static void no_requirements_still_a_verdict(void **state)
{
	(void)state;
	struct hv_report *r = checked("");
	assert_lacks(text_of(r), "require.");
	assert_contains(text_of(r), "  PASS  lint.kvm.stable-bit-without-kvmclock:");
	assert_contains(text_of(r), "verdict: PASS\n");
}

static void policy_text_comments_and_lines(void **state)
{
	(void)state;
	const char *policy = "# what production guests need\n"
			     "kvm.pv_unhalt\n\n"
			     "  kvm.hints.realtime = 0   # never on shared hosts\n"
			     "interface.kvm, hypervisor_bit=1\n";
	struct buffer_sink sink;

	list.count = 0;
	buffer_sink_init(&sink, errors, sizeof(errors) - 1);
	assert_true(requirements_add(&list, policy, strlen(policy), "p.txt", &sink.sink));
	assert_int_equal(list.count, 4);
	assert_string_equal(list.items[1].text, "kvm.hints.realtime = 0");

	const char *bad = "kvm.pv_unhalt\nkvm.pv_unhalt=\n";
	buffer_sink_init(&sink, errors, sizeof(errors) - 1);
	assert_false(requirements_add(&list, bad, strlen(bad), "p.txt", &sink.sink));
	errors[sink.length] = '\0';
	assert_string_equal(errors, "hvfeat: p.txt:2: requirement 'kvm.pv_unhalt=' needs a "
				    "number (decimal or 0x hex, 32 bits) after the comparison\n");
}

/* Facts are compared as numbers or, exactly, as text; a quoted value may
 * hold the separators. The recording's leaf 0 says GenuineIntel, max 1. */
static void fact_requirements(void **state)
{
	(void)state;
	struct hv_report *r = checked("cpu.vendor=GenuineIntel, cpu.vendor != \"Authentic, AMD # x\","
				      "CPU.Max_Basic_Leaf>=2, cpu.vendor=genuineintel # case counts");

	assert_int_equal(r->check_count, 4);
	assert_true(r->checks[0].passed);
	assert_true(r->checks[1].passed);
	assert_false(r->checks[2].passed);
	assert_int_equal(r->checks[2].found, 1);
	assert_false(r->checks[3].passed);
	const char *text = text_of(r);
	assert_contains(text, "PASS  require.cpu.vendor: cpu.vendor != \"Authentic, AMD # x\": "
			      "found\n        \"GenuineIntel\"\n");
	assert_contains(text, "FAIL  require.cpu.max_basic_leaf: CPU.Max_Basic_Leaf >= 2: found 1\n");
	assert_contains(text, "FAIL  require.cpu.vendor: cpu.vendor = \"genuineintel\": "
			      "found \"GenuineIntel\"\n");

	static const struct {
		const char *text, *why;
	} refused[] = {
		{ "cpu.vendor", "needs = or != and a text value" },
		{ "cpu.vendor>=A", "has something other than = or != after the name of a text value" },
		{ "cpu.vendor=\"A", "has a quoted value without its closing quote" },
		{ "cpu.vendor=", "needs a text value after the comparison" },
		{ "cpu.vendor=\"A\" B", "has more after its value" },
		{ "cpu.vendor=A\tB\x01", "has a value that is not plain ASCII" },
		{ "cpu.max_basic_leaf=A", "needs a number (decimal or 0x hex, 32 bits)" },
		/* a stray quote opens nothing: the comma still separates */
		{ "cpu.vendor=a\"b, kvm.pv_unhalt", "has a quote inside a value that is not quoted" },
		{ "cpu.vendor=\"a\" \"b\"", "has more after its value" },
		/* a misspelt key is named as such, whatever its value */
		{ "smbios.type1.prodcut=QEMU", "names no fact hvfeat learns (--list-keys)" },
		{ "SMBIOS.type11.0=x", "names no fact hvfeat learns (--list-keys)" },
		{ "cpu.vendr", "names no fact hvfeat learns (--list-keys)" },
		{ "cvm.sev.status=0x10000000000000000", "needs a number (decimal or 0x hex, 64 bits)" },
		{ "cvm.sev.status<=0xffffffffffffffff", "can never fail" },
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		list.count = 0;
		assert_false(add(refused[i].text));
		assert_contains(errors, refused[i].why);
	}
	list.count = 0;
	assert_true(add("cpu.vendor=\"\""));
	assert_string_equal(list.items[0].expected_text, "");
	/* a fact of 64 bits takes a value past 32 */
	list.count = 0;
	assert_true(add("cvm.sev.status=0x100000004"));
	assert_true(list.items[0].expected == 0x100000004ull);
	assert_string_equal(list.items[0].text, "cvm.sev.status = 0x100000004");
}

static void malformed_requirements(void **state)
{
	(void)state;
	static const struct {
		const char *text, *message;
	} cases[] = {
		{ "kvm.pv_unhlat", "hvfeat: --require: requirement 'kvm.pv_unhlat' names nothing hvfeat decodes\n" },
		{ "tcg.anything", "hvfeat: --require: requirement 'tcg.anything' names no interface hvfeat decodes\n" },
		{ "interface.nope", "hvfeat: --require: requirement 'interface.nope' names no interface hvfeat knows\n" },
		{ "kvm.pv_unhalt=0x100000000", "hvfeat: --require: requirement 'kvm.pv_unhalt=0x100000000' needs a number (decimal or 0x hex, 32 bits) after the comparison\n" },
		{ "kvm.pv_unhalt>1", "hvfeat: --require: requirement 'kvm.pv_unhalt>1' has something other than =, !=, >= or <= after the name\n" },
		{ "kvm.pv_unhalt=1 2", "hvfeat: --require: requirement 'kvm.pv_unhalt=1 2' has more after its value\n" },
		{ "=1", "hvfeat: --require: requirement '=1' has no identifier\n" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		list.count = 0;
		assert_false(add(cases[i].text));
		assert_string_equal(errors, cases[i].message);
	}

	list.count = 0;
	char many[129 * 16 + 32] = "";
	for (int i = 0; i < 128; i++)
		strcat(many, "kvm.pv_eoi,");
	assert_true(add(many));
	list.count = 0;
	strcat(many, "kvm.pv_eoi,");
	assert_false(add(many));
	assert_contains(errors, "is one too many (128 at most)");
}

/* The message a policy of length bytes named name is refused with. */
static const char *refused_policy(const char *text, size_t length, const char *name)
{
	struct buffer_sink sink;

	list.count = 0;
	buffer_sink_init(&sink, errors, sizeof(errors) - 1);
	assert_false(requirements_add(&list, text, length, name, &sink.sink));
	errors[sink.length] = '\0';
	return errors;
}

/* A policy line is echoed as the report shows text of any origin: an
 * escape sequence or a NUL as \xNN, never raw to the terminal or cutting
 * the firmware's string short, a long line cut with its length said. */
static void echoes_are_escaped_and_cut(void **state)
{
	(void)state;
	static const char escape[] = "kvm.pv_unhalt\x1b[2J";
	static const char nul[] = "kvm.pv\0unhalt";
	static const char crlf[] = "kvm.pv_unhalt\r\n kvm.bogus \r\n";
	static char line[64 * 1024 + 1];

	assert_string_equal(refused_policy(escape, strlen(escape), "p\x1b.txt"),
			    "hvfeat: p\\x1b.txt: requirement 'kvm.pv_unhalt\\x1b[2J' has "
			    "something other than =, !=, >= or <= after the name\n");
	assert_string_equal(refused_policy(nul, sizeof(nul) - 1, "p.txt"),
			    "hvfeat: p.txt: requirement 'kvm.pv\\x00unhalt' has "
			    "something other than =, !=, >= or <= after the name\n");
	assert_string_equal(refused_policy(crlf, strlen(crlf), "p.txt"),
			    "hvfeat: p.txt:2: requirement 'kvm.bogus' names nothing "
			    "hvfeat decodes\n");
	memset(line, 'x', sizeof(line) - 1);
	assert_string_equal(refused_policy(line, sizeof(line) - 1, "p.txt"),
			    "hvfeat: p.txt: requirement '"
			    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			    "'... (65536 bytes) is too long\n");
}

/* Keys are compared without regard to case, every part of them. */
static void keys_in_any_case(void **state)
{
	(void)state;
	struct hv_report *r = checked("KVM.PV_UNHALT, interface.KVM, Interface.Kvm.BASE=0x40000100,"
				      "HYPERVISOR_BIT, HyperV.accessVPindex=0");

	assert_int_equal(r->check_count, 5);
	assert_int_equal(hv_failed_checks(r), 0);
}

/* A comparison that every value an item can have passes, or none does,
 * checks nothing: it is refused, saying which. */
static void undecidable_requirements_refused(void **state)
{
	(void)state;
	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "kvm.pv_unhalt>=0", "can never fail: the item is 0 or 1" },
		{ "kvm.pv_unhalt<=1", "can never fail: the item is 0 or 1" },
		{ "kvm.pv_unhalt!=7", "can never fail: the item is 0 or 1" },
		{ "kvm.pv_unhalt=7", "can never pass: the item is 0 or 1" },
		{ "kvm.pv_unhalt>=2", "can never pass: the item is 0 or 1" },
		{ "hypervisor_bit>=0", "can never fail: the item is 0 or 1" },
		{ "interface.kvm=2", "can never pass: the item is 0 or 1" },
		{ "kvm.tsc_khz>=0", "can never fail: every value the item can have passes" },
		{ "interface.kvm.base>=0", "can never fail: every value the item can have passes" },
	};
	char expected[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		list.count = 0;
		assert_false(add(cases[i].text));
		snprintf(expected, sizeof(expected), "hvfeat: --require: requirement '%s' %s\n",
			 cases[i].text, cases[i].why);
		assert_string_equal(errors, expected);
	}
	/* either way possible: accepted */
	list.count = 0;
	assert_true(add("kvm.pv_unhalt=0, kvm.pv_unhalt!=0, kvm.pv_unhalt<=0, kvm.pv_unhalt>=1,"
			"kvm.tsc_khz>=1, interface.kvm.base=0"));
}

/* Every key --list-keys shows is one a requirement accepts. */
static void listed_keys_are_all_accepted(void **state)
{
	(void)state;
	static char listing[1 << 16];
	struct buffer_sink sink;
	size_t accepted = 0;

	buffer_sink_init(&sink, listing, sizeof(listing) - 1);
	render_requirement_keys(&sink.sink);
	listing[sink.length] = '\0';
	assert_contains(listing, "  kvm.hints.realtime                 vCPUs never preempted for long\n");
	assert_contains(listing, "hyperv.* (Microsoft Hyper-V; kvm_hv.* too):\n");

	for (char *line = strtok(listing, "\n"); line; line = strtok(NULL, "\n")) {
		assert_true(strlen(line) <= 79);
		char key[100];
		/* item lines: two spaces, then the key */
		if (strncmp(line, "  ", 2) != 0 || line[2] == ' ' ||
		    sscanf(line + 2, "%95[a-zA-Z0-9_.]", key) != 1)
			continue;
		/* "KEY.N" stands for KEY.1 and up; a text key needs a value */
		size_t length = strlen(key);
		if (length > 2 && strcmp(key + length - 2, ".N") == 0)
			key[length - 1] = '1';
		if (strstr(line, " text: "))
			strcat(key, "=\"\"");
		list.count = 0;
		if (!add(key))
			fail_msg("listed key '%s' refused: %s", key, errors);
		accepted++;
	}
	assert_true(accepted > 150);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_follow_upstream_names),
		cmocka_unit_test(pass_and_fail_with_values_found),
		cmocka_unit_test(interface_and_bit_requirements),
		cmocka_unit_test(comparisons_and_absent_leaves),
		cmocka_unit_test(all_pass_verdict_and_json),
		cmocka_unit_test(no_requirements_still_a_verdict),
		cmocka_unit_test(policy_text_comments_and_lines),
		cmocka_unit_test(fact_requirements),
		cmocka_unit_test(malformed_requirements),
		cmocka_unit_test(echoes_are_escaped_and_cut),
		cmocka_unit_test(listed_keys_are_all_accepted),
		cmocka_unit_test(keys_in_any_case),
		cmocka_unit_test(undecidable_requirements_refused),
	};
	return cmocka_run_group_tests_name("requirements", tests, NULL, NULL);
}
