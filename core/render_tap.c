/* The results as TAP version 13 (--tap), for harnesses such as prove: a
 * test point a result, in the order judged, each followed by a YAML block
 * of its outcome, severity and detail. TAP has pass and fail only, plus
 * two directives, so the outcomes map (README, "TAP"):
 *
 *   fail                        not ok
 *   fail or warning, waived     not ok ... # TODO waived  (known, not counted)
 *   warn                        ok (not ok under --strict, where it fails)
 *   skip                        ok ... # SKIP detail
 *   not-applicable              ok ... # SKIP not applicable: detail
 *   pass, info                  ok
 *
 * so a harness fails the run exactly when the verdict does. Drawn from the
 * results alone. */
#include "hv_render.h"

#include "ascii.h"

/* A description: '#' would start a directive and '\' escapes in TAP, so
 * both are escaped (TAP::Parser reads "\#" back as "#"); bytes outside
 * printable ASCII as \xNN. */
static void tap_description(const char *text, struct text_sink *out)
{
	for (; *text; text++) {
		if (*text == '#' || *text == '\\')
			out->write(out, "\\", 1);
		sink_escaped(out, text, 1);
	}
}

/* A YAML double-quoted scalar on one line: '"' and '\' escaped, other
 * bytes outside printable ASCII as \xNN, as YAML and TAP::Parser's YAMLish
 * reader take them. */
static void yaml_string(const char *text, struct text_sink *out)
{
	sink_puts(out, "\"");
	for (; *text; text++) {
		unsigned char c = (unsigned char)*text;
		if (c == '"' || c == '\\')
			sink_printf(out, "\\%c", c);
		else if (!ascii_printable(c))
			sink_printf(out, "\\x%02x", c);
		else
			out->write(out, text, 1);
	}
	sink_puts(out, "\"");
}

static void tap_point(size_t number, const struct result *r, bool strict,
		      struct text_sink *out)
{
	bool not_ok = result_fails_verdict(r, strict) || r->waived;

	sink_printf(out, "%s %u - ", not_ok ? "not ok" : "ok", (unsigned)number);
	tap_description(r->label, out);
	if (r->waived) {
		sink_puts(out, " # TODO waived");
	} else if (r->outcome == OUTCOME_SKIP || r->outcome == OUTCOME_NOT_APPLICABLE) {
		sink_puts(out, " # SKIP ");
		if (r->outcome == OUTCOME_NOT_APPLICABLE)
			sink_puts(out, r->detail[0] ? "not applicable: " : "not applicable");
		else if (!r->detail[0])
			sink_puts(out, "skipped");
		sink_escaped(out, r->detail, text_length(r->detail));
	}
	sink_printf(out, "\n  ---\n  outcome: %s\n", outcome_name(r->outcome));
	if (r->severity)
		sink_printf(out, "  severity: %s\n", severity_name(r->severity));
	if (r->waived)
		sink_puts(out, "  waived: true\n");
	sink_puts(out, "  detail: ");
	yaml_string(r->detail, out);
	sink_puts(out, "\n  ...\n");
}

/* Results past RESULTS_MAX were counted, not kept: one test point stands
 * for them all, failing when one of them fails the verdict. */
static void tap_unlisted(size_t number, const struct hv_report *report,
			 struct text_sink *out)
{
	const size_t *n = report->results.unlisted;
	bool failed = results_unlisted_fail(&report->results, report->verdict.strict);

	sink_printf(out, "%s %u - results.unlisted\n  ---\n  outcome: %s\n", failed ? "not ok" : "ok",
		    (unsigned)number, failed ? "fail" : "pass");
	sink_printf(out, "  detail: \"%u more results counted, not listed:",
		    (unsigned)results_unlisted(&report->results));
	for (size_t o = 0; o < OUTCOME_COUNT; o++)
		sink_printf(out, "%s %u %s", o ? "," : "", (unsigned)n[o],
			    outcome_name((enum outcome)o));
	sink_puts(out, "\"\n  ...\n");
}

void render_tap(const struct hv_report *report, struct text_sink *out)
{
	const struct result_list *results = &report->results;
	const struct verdict *v = &report->verdict;
	size_t points = results->count + (results_unlisted(results) ? 1 : 0);

	sink_printf(out, "TAP version 13\n# hvfeat %s: ", HVFEAT_VERSION);
	sink_escaped(out, report->source_description, text_length(report->source_description));
	if (points)
		sink_printf(out, "\n1..%u\n", (unsigned)points);
	else
		sink_puts(out, "\n1..0 # SKIP no results\n");
	for (size_t i = 0; i < results->count; i++)
		tap_point(i + 1, &results->items[i], v->strict, out);
	if (results_unlisted(results))
		tap_unlisted(points, report, out);
	sink_puts(out, "# summary:");
	for (size_t o = 0; o < OUTCOME_COUNT; o++)
		sink_printf(out, "%s %u %s", o ? "," : "", (unsigned)v->counts[o],
			    outcome_name((enum outcome)o));
	sink_printf(out, ", %u waived\n# verdict: %s%s\n", (unsigned)v->waived,
		    v->passed ? "PASS" : "FAIL", v->strict ? " (--strict)" : "");
}
