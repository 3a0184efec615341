/* The CI formats' shape: TAP version 13 (--tap) and JUnit XML (--junit),
 * over results written here by hand, with the verdict counted by hand.
 * That real consumers (prove, TAP::Parser, junitparser, xmllint) accept
 * them and agree on the counts is tests/host/test_ci_formats.py's. */
#include "recordings.h"

struct spec {
	enum outcome outcome;
	enum severity severity;
	bool waived;
	const char *label; /* written whole: the prefix is "" */
	const char *detail;
};

/* One result of each outcome: what the mapping tables in the README name. */
static const struct spec every_outcome[] = {
	{ OUTCOME_PASS, SEVERITY_NONE, false, "require.kvm.pv_unhalt", "kvm.pv_unhalt = 1: found 1" },
	{ OUTCOME_FAIL, SEVERITY_HIGH, false, "require.kvm.steal_time", "kvm.steal_time = 1: found 0" },
	{ OUTCOME_WARN, SEVERITY_LOW, false, "lint.kvm.stable-bit-without-kvmclock", "set alone" },
	{ OUTCOME_WARN, SEVERITY_HIGH, true, "probe.kvm.pv_eoi", "broken: never completed" },
	{ OUTCOME_SKIP, SEVERITY_NONE, false, "probe.run", "not run: a dump" },
	{ OUTCOME_SKIP, SEVERITY_NONE, false, "probe.kvm.tsc_khz", "" },
	{ OUTCOME_NOT_APPLICABLE, SEVERITY_NONE, false, "probe.kvm.clocksource", "not advertised" },
	{ OUTCOME_INFO, SEVERITY_NONE, false, "lint.kvm.behind-hyperv", "KVM at 0x40000100" },
};

static struct hv_report *report_of(const struct spec *specs, size_t count, bool strict)
{
	struct hv_report *r = &test_report;

	memset(&r->results, 0, sizeof(r->results));
	r->verdict = (struct verdict){ .strict = strict };
	r->source_description = "recorded test values";
	for (size_t i = 0; i < count; i++) {
		sink_puts(results_add(&r->results, specs[i].outcome, specs[i].severity, "",
				      specs[i].label),
			  specs[i].detail);
		r->results.items[i].waived = specs[i].waived;
		r->verdict.counts[specs[i].outcome]++;
		r->verdict.waived += specs[i].waived;
	}
	/* As hv_judge decides it (its own tests are test_checks.c's). */
	r->verdict.passed = !r->verdict.counts[OUTCOME_FAIL] &&
			    !(strict && r->verdict.counts[OUTCOME_WARN] > r->verdict.waived);
	return r;
}

#define REPORT_OF(specs, strict) report_of((specs), sizeof(specs) / sizeof((specs)[0]), (strict))

static const char *rendered(const struct hv_report *r, enum output_format format)
{
	struct buffer_sink sink;

	buffer_sink_init(&sink, test_text, sizeof(test_text) - 1);
	render_in_format(r, format, &sink.sink);
	assert_true(sink.length < sizeof(test_text));
	test_text[sink.length] = '\0';
	/* Printable ASCII and line feeds only, whatever the results hold. */
	for (size_t i = 0; i < sink.length; i++)
		if (test_text[i] != '\n' && (test_text[i] < 0x20 || test_text[i] > 0x7e))
			fail_msg("byte 0x%02x at %zu", (unsigned char)test_text[i], i);
	return test_text;
}

static void tap_maps_every_outcome(void **state)
{
	(void)state;
	assert_string_equal(
		rendered(REPORT_OF(every_outcome, false), OUTPUT_TAP),
		"TAP version 13\n"
		"# hvfeat " HVFEAT_VERSION ": recorded test values\n"
		"1..8\n"
		"ok 1 - require.kvm.pv_unhalt\n"
		"  ---\n  outcome: pass\n  detail: \"kvm.pv_unhalt = 1: found 1\"\n  ...\n"
		"not ok 2 - require.kvm.steal_time\n"
		"  ---\n  outcome: fail\n  severity: high\n"
		"  detail: \"kvm.steal_time = 1: found 0\"\n  ...\n"
		"ok 3 - lint.kvm.stable-bit-without-kvmclock\n"
		"  ---\n  outcome: warn\n  severity: low\n  detail: \"set alone\"\n  ...\n"
		"not ok 4 - probe.kvm.pv_eoi # TODO waived\n"
		"  ---\n  outcome: warn\n  severity: high\n  waived: true\n"
		"  detail: \"broken: never completed\"\n  ...\n"
		"ok 5 - probe.run # SKIP not run: a dump\n"
		"  ---\n  outcome: skip\n  detail: \"not run: a dump\"\n  ...\n"
		"ok 6 - probe.kvm.tsc_khz # SKIP skipped\n"
		"  ---\n  outcome: skip\n  detail: \"\"\n  ...\n"
		"ok 7 - probe.kvm.clocksource # SKIP not applicable: not advertised\n"
		"  ---\n  outcome: not-applicable\n  detail: \"not advertised\"\n  ...\n"
		"ok 8 - lint.kvm.behind-hyperv\n"
		"  ---\n  outcome: info\n  detail: \"KVM at 0x40000100\"\n  ...\n"
		"# summary: 1 pass, 1 fail, 2 warn, 2 skip, 1 not-applicable, 1 info, 1 waived\n"
		"# verdict: FAIL\n");
}

/* Under --strict a warning fails the verdict, so the harness sees it fail;
 * a waived one stays a TODO. */
static void tap_strict_warning_fails(void **state)
{
	(void)state;
	static const struct spec specs[] = {
		{ OUTCOME_PASS, SEVERITY_NONE, false, "require.hypervisor_bit", "found 1" },
		{ OUTCOME_WARN, SEVERITY_LOW, false, "lint.a", "x" },
		{ OUTCOME_WARN, SEVERITY_LOW, true, "lint.b", "y" },
	};
	const char *tap = rendered(REPORT_OF(specs, true), OUTPUT_TAP);

	assert_contains(tap, "\nok 1 - require.hypervisor_bit\n");
	assert_contains(tap, "\nnot ok 2 - lint.a\n  ---\n  outcome: warn\n  severity: low\n");
	assert_contains(tap, "\nnot ok 3 - lint.b # TODO waived\n");
	assert_contains(tap, "# verdict: FAIL (--strict)\n");
	tap = rendered(REPORT_OF(specs, false), OUTPUT_TAP);
	assert_contains(tap, "\nok 2 - lint.a\n");
	assert_contains(tap, "# verdict: PASS\n");
}

/* '#' would start a directive and '\' escapes in a description; YAML's
 * double quotes escape '"' and '\'; other bytes are \xNN everywhere. */
static void tap_escapes(void **state)
{
	(void)state;
	static const struct spec specs[] = {
		{ OUTCOME_FAIL, SEVERITY_HIGH, false, "require.a#b\\c # SKIP", "q\"b\\e\x1b\x80" },
		{ OUTCOME_SKIP, SEVERITY_NONE, false, "probe.x", "why # \x01" },
	};
	const char *tap = rendered(REPORT_OF(specs, false), OUTPUT_TAP);

	assert_contains(tap, "\nnot ok 1 - require.a\\#b\\\\c \\# SKIP\n");
	assert_contains(tap, "  detail: \"q\\\"b\\\\e\\x1b\\x80\"\n");
	assert_contains(tap, "\nok 2 - probe.x # SKIP why # \\x01\n");
	assert_contains(tap, "  detail: \"why # \\x01\"\n");
}

/* No result at all: TAP's skip-all plan. */
static void tap_without_results(void **state)
{
	(void)state;
	struct hv_report *r = report_of(NULL, 0, false);

	assert_string_equal(rendered(r, OUTPUT_TAP),
			    "TAP version 13\n"
			    "# hvfeat " HVFEAT_VERSION ": recorded test values\n"
			    "1..0 # SKIP no results\n"
			    "# summary: 0 pass, 0 fail, 0 warn, 0 skip, 0 not-applicable, 0 info, "
			    "0 waived\n"
			    "# verdict: PASS\n");
	assert_contains(rendered(r, OUTPUT_JUNIT),
			"<testsuites name=\"hvfeat\" tests=\"0\" failures=\"0\" errors=\"0\" "
			"skipped=\"0\">\n");
}

static void junit_maps_every_outcome(void **state)
{
	(void)state;
	const char *counts = "tests=\"8\" failures=\"1\" errors=\"0\" skipped=\"4\"";
	char head[512];

	snprintf(head, sizeof(head),
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<testsuites name=\"hvfeat\" %s>\n"
		 "  <testsuite name=\"hvfeat\" %s>\n"
		 "    <properties>\n"
		 "      <property name=\"version\" value=\"" HVFEAT_VERSION "\"/>\n"
		 "      <property name=\"source\" value=\"recorded test values\"/>\n"
		 "      <property name=\"strict\" value=\"false\"/>\n"
		 "      <property name=\"verdict\" value=\"fail\"/>\n"
		 "    </properties>\n",
		 counts, counts);
	const char *xml = rendered(REPORT_OF(every_outcome, false), OUTPUT_JUNIT);
	assert_memory_equal(xml, head, strlen(head));
	assert_string_equal(
		xml + strlen(head),
		"    <testcase classname=\"require\" name=\"kvm.pv_unhalt\">\n"
		"      <system-out>pass: kvm.pv_unhalt = 1: found 1</system-out>\n"
		"    </testcase>\n"
		"    <testcase classname=\"require\" name=\"kvm.steal_time\">\n"
		"      <failure type=\"high\" message=\"kvm.steal_time = 1: found 0\"/>\n"
		"    </testcase>\n"
		"    <testcase classname=\"lint\" name=\"kvm.stable-bit-without-kvmclock\">\n"
		"      <system-out>warn, severity low: set alone</system-out>\n"
		"    </testcase>\n"
		"    <testcase classname=\"probe\" name=\"kvm.pv_eoi\">\n"
		"      <skipped type=\"waived\" message=\"waived, severity high: broken: never "
		"completed\"/>\n"
		"    </testcase>\n"
		"    <testcase classname=\"probe\" name=\"run\">\n"
		"      <skipped type=\"skip\" message=\"not run: a dump\"/>\n"
		"    </testcase>\n"
		"    <testcase classname=\"probe\" name=\"kvm.tsc_khz\">\n"
		"      <skipped type=\"skip\" message=\"\"/>\n"
		"    </testcase>\n"
		"    <testcase classname=\"probe\" name=\"kvm.clocksource\">\n"
		"      <skipped type=\"not-applicable\" message=\"not applicable: not "
		"advertised\"/>\n"
		"    </testcase>\n"
		"    <testcase classname=\"lint\" name=\"kvm.behind-hyperv\">\n"
		"      <system-out>info: KVM at 0x40000100</system-out>\n"
		"    </testcase>\n"
		"  </testsuite>\n"
		"</testsuites>\n");
}

static void junit_strict_warning_fails(void **state)
{
	(void)state;
	static const struct spec specs[] = {
		{ OUTCOME_WARN, SEVERITY_LOW, false, "lint.a", "x" },
		{ OUTCOME_WARN, SEVERITY_NONE, false, "lint.b", "y" },
		{ OUTCOME_WARN, SEVERITY_LOW, true, "lint.c", "z" },
	};
	const char *xml = rendered(REPORT_OF(specs, true), OUTPUT_JUNIT);

	assert_contains(xml, "tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"1\"");
	assert_contains(xml, "<failure type=\"low\" message=\"x\"/>");
	assert_contains(xml, "<failure type=\"warn\" message=\"y\"/>");
	assert_contains(xml, "<skipped type=\"waived\" message=\"waived, severity low: z\"/>");
	assert_contains(xml, "<property name=\"strict\" value=\"true\"/>");
}

/* XML's five reserved characters as entities, in names, attributes and
 * content; a label without a first part goes under classname "hvfeat". */
static void junit_escapes(void **state)
{
	(void)state;
	static const struct spec specs[] = {
		{ OUTCOME_FAIL, SEVERITY_CRITICAL, false, "a&b.<c>", "\"x\" & 'y' <z> ]]> \x1b\xff" },
		{ OUTCOME_PASS, SEVERITY_NONE, false, "nodot", "<ok>" },
		{ OUTCOME_PASS, SEVERITY_NONE, false, ".lead", "" },
	};
	const char *xml = rendered(REPORT_OF(specs, false), OUTPUT_JUNIT);

	assert_contains(xml, "<testcase classname=\"a&amp;b\" name=\"&lt;c&gt;\">\n"
			     "      <failure type=\"critical\" message=\"&quot;x&quot; &amp; "
			     "&apos;y&apos; &lt;z&gt; ]]&gt; \\x1b\\xff\"/>\n");
	assert_contains(xml, "<testcase classname=\"hvfeat\" name=\"nodot\">\n"
			     "      <system-out>pass: &lt;ok&gt;</system-out>\n");
	assert_contains(xml, "<testcase classname=\"hvfeat\" name=\".lead\">\n");
}

/* Past RESULTS_MAX, results are counted, not listed: one test point and
 * one testcase stand for them, failed when one of them failed. */
static void unlisted_results_stand_as_one(void **state)
{
	(void)state;
	struct hv_report *r = report_of(NULL, 0, false);

	for (size_t i = 0; i < RESULTS_MAX + 3; i++) {
		enum outcome o = i < RESULTS_MAX + 1 ? OUTCOME_PASS : OUTCOME_FAIL;
		sink_puts(results_add(&r->results, o, SEVERITY_HIGH, "require.", "kvm.pv_unhalt"),
			  "found");
		r->verdict.counts[o]++;
	}
	r->verdict.passed = false;
	const char *tap = rendered(r, OUTPUT_TAP);
	assert_contains(tap, "\n1..641\n");
	assert_contains(tap, "\nok 640 - require.kvm.pv_unhalt\n");
	assert_contains(tap, "\nnot ok 641 - results.unlisted\n  ---\n  outcome: fail\n"
			     "  detail: \"3 more results counted, not listed: 1 pass, 2 fail, "
			     "0 warn, 0 skip, 0 not-applicable, 0 info\"\n  ...\n");
	const char *xml = rendered(r, OUTPUT_JUNIT);
	assert_contains(xml, "tests=\"641\" failures=\"1\" errors=\"0\" skipped=\"0\"");
	assert_contains(xml, "<testcase classname=\"results\" name=\"unlisted\">\n"
			     "      <failure type=\"fail\" message=\"3 more results counted, not "
			     "listed: 1 pass, 2 fail, 0 warn, 0 skip, 0 not-applicable, 0 info\"/>\n");

	r->results.unlisted[OUTCOME_FAIL] = 0;
	assert_contains(rendered(r, OUTPUT_TAP), "\nok 641 - results.unlisted\n");
	assert_contains(rendered(r, OUTPUT_JUNIT),
			"<testcase classname=\"results\" name=\"unlisted\">\n"
			"      <system-out>1 more results counted, not listed: 1 pass");
}

/* The worst the model allows: every result listed, labels and details as
 * long as they may be, of the bytes that escape longest. The README's
 * bound for TAP and JUnit. */
static void worst_case_size(void **state)
{
	(void)state;
	struct hv_report *r = report_of(NULL, 0, false);
	char label[RESULT_LABEL_MAX], detail[RESULT_DETAIL_MAX];
	static const enum outcome outcomes[] = { OUTCOME_SKIP, OUTCOME_FAIL };

	for (size_t k = 0; k < 2; k++) {
		/* '"' escapes longest in XML (6 bytes), a control byte in TAP (4,
		 * twice for a skip: its reason and its YAML). */
		memset(label, k ? '"' : 0x01, sizeof(label) - 1);
		memset(detail, k ? '"' : 0x01, sizeof(detail) - 1);
		label[sizeof(label) - 1] = detail[sizeof(detail) - 1] = '\0';
		memset(&r->results, 0, sizeof(r->results));
		for (size_t i = 0; i < RESULTS_MAX; i++)
			sink_puts(results_add(&r->results, outcomes[k], SEVERITY_CRITICAL, "", label),
				  detail);
		for (size_t f = 0; f < 2; f++) {
			struct buffer_sink measure;
			buffer_sink_init(&measure, NULL, 0);
			render_in_format(r, f ? OUTPUT_JUNIT : OUTPUT_TAP, &measure.sink);
			print_message("%s of %u results of %s: %zu bytes\n", f ? "JUnit" : "TAP",
				      RESULTS_MAX, k ? "quotes" : "control bytes", measure.length);
			assert_true(measure.length < 1536u * 1024u);
		}
	}
}

/* Hostile labels and details, written where HVFEAT_CI_FORMATS_OUT says
 * (tests/host/test_ci_formats.py), for prove, TAP::Parser, junitparser
 * and xmllint to read: the escapes must mean to them what they mean here.
 * The Python test holds the same list. */
static void hostile_files_for_real_consumers(void **state)
{
	(void)state;
	static const struct spec specs[] = {
		{ OUTCOME_FAIL, SEVERITY_HIGH, false, "require.a#b\\c # SKIP",
		  "q\"b\\e<&>' ]]> \x1b\x80" },
		{ OUTCOME_SKIP, SEVERITY_NONE, false, "probe.x", "why # TODO \x01" },
		{ OUTCOME_WARN, SEVERITY_LOW, true, "lint.<w>", "'&'" },
		{ OUTCOME_PASS, SEVERITY_NONE, false, "nodot", "<ok> &amp;" },
	};
	const char *directory = getenv("HVFEAT_CI_FORMATS_OUT");
	struct hv_report *r = REPORT_OF(specs, false);

	for (size_t f = 0; directory && f < 2; f++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/hostile.%s", directory, f ? "xml" : "tap");
		FILE *out = fopen(path, "wb");
		assert_non_null(out);
		const char *text = rendered(r, f ? OUTPUT_JUNIT : OUTPUT_TAP);
		assert_int_equal(fwrite(text, 1, strlen(text), out), strlen(text));
		assert_int_equal(fclose(out), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tap_maps_every_outcome),
		cmocka_unit_test(tap_strict_warning_fails),
		cmocka_unit_test(tap_escapes),
		cmocka_unit_test(tap_without_results),
		cmocka_unit_test(junit_maps_every_outcome),
		cmocka_unit_test(junit_strict_warning_fails),
		cmocka_unit_test(junit_escapes),
		cmocka_unit_test(unlisted_results_stand_as_one),
		cmocka_unit_test(worst_case_size),
		cmocka_unit_test(hostile_files_for_real_consumers),
	};
	return cmocka_run_group_tests_name("CI formats", tests, NULL, NULL);
}
