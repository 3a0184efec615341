/* The results as JUnit XML (--junit PATH), the file CI servers read: one
 * testsuite "hvfeat", a testcase a result, its classname the label's first
 * part ("require", "probe", "lint") and its name the rest, so that
 * classname.name is the label. The outcomes map (README, "JUnit XML"):
 *
 *   fail                     <failure type="SEVERITY" message="detail">
 *   warn under --strict      <failure type="SEVERITY" ...>, as it fails
 *   fail or warning, waived  <skipped type="waived" ...>, as pytest writes
 *                            an expected failure (xfail)
 *   skip, not-applicable     <skipped message="...">
 *   pass, warn, info         passed, the outcome and detail in <system-out>
 *
 * tests, failures, errors (always 0: what hvfeat could not do is no
 * result, it ends the run) and skipped count those elements. Drawn from
 * the results alone. */
#include "hv_render.h"

#include "ascii.h"

/* Text for an attribute value or element content: the five characters XML
 * reserves as entities, bytes outside printable ASCII as the text \xNN
 * (XML 1.0 allows no control character, not even as a reference). */
static void xml_text(const char *text, size_t length, struct text_sink *out)
{
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)text[i];
		switch (c) {
		case '&':
			sink_puts(out, "&amp;");
			break;
		case '<':
			sink_puts(out, "&lt;");
			break;
		case '>':
			sink_puts(out, "&gt;");
			break;
		case '"':
			sink_puts(out, "&quot;");
			break;
		case '\'':
			sink_puts(out, "&apos;");
			break;
		default:
			sink_escaped(out, &text[i], 1);
		}
	}
}

static void xml_string(const char *text, struct text_sink *out)
{
	xml_text(text, text_length(text), out);
}

static bool junit_skipped(const struct result *r)
{
	return r->waived || r->outcome == OUTCOME_SKIP || r->outcome == OUTCOME_NOT_APPLICABLE;
}

/* classname="require" name="kvm.pv_unhalt" of "require.kvm.pv_unhalt". */
static void junit_names(const char *label, struct text_sink *out)
{
	size_t first = 0;

	while (label[first] && label[first] != '.')
		first++;
	sink_puts(out, "classname=\"");
	if (label[first] && first)
		xml_text(label, first, out);
	else
		sink_puts(out, "hvfeat");
	sink_puts(out, "\" name=\"");
	xml_string(label[first] && first ? label + first + 1 : label, out);
	sink_puts(out, "\"");
}

static void junit_case(const struct result *r, bool strict, struct text_sink *out)
{
	sink_puts(out, "    <testcase ");
	junit_names(r->label, out);
	sink_puts(out, ">\n");
	if (result_fails_verdict(r, strict)) {
		sink_printf(out, "      <failure type=\"%s\" message=\"",
			    r->severity ? severity_name(r->severity) : outcome_name(r->outcome));
		xml_string(r->detail, out);
		sink_puts(out, "\"/>\n");
	} else if (junit_skipped(r)) {
		sink_puts(out, "      <skipped ");
		if (r->waived)
			sink_printf(out, "type=\"waived\" message=\"waived%s%s: ",
				    r->severity ? ", severity " : "", severity_name(r->severity));
		else if (r->outcome == OUTCOME_NOT_APPLICABLE)
			sink_puts(out, "type=\"not-applicable\" message=\"not applicable: ");
		else
			sink_puts(out, "type=\"skip\" message=\"");
		xml_string(r->detail, out);
		sink_puts(out, "\"/>\n");
	} else {
		sink_printf(out, "      <system-out>%s", outcome_name(r->outcome));
		if (r->severity)
			sink_printf(out, ", severity %s", severity_name(r->severity));
		sink_puts(out, ": ");
		xml_string(r->detail, out);
		sink_puts(out, "</system-out>\n");
	}
	sink_puts(out, "    </testcase>\n");
}

/* Results past RESULTS_MAX were counted, not kept: one testcase stands
 * for them all, failed when one of them fails the verdict. */
static bool unlisted_failed(const struct hv_report *report)
{
	return results_unlisted_fail(&report->results, report->verdict.strict);
}

static void junit_unlisted(const struct hv_report *report, struct text_sink *out)
{
	const size_t *n = report->results.unlisted;

	sink_puts(out, "    <testcase classname=\"results\" name=\"unlisted\">\n");
	sink_printf(out, unlisted_failed(report) ? "      <failure type=\"fail\" message=\""
						 : "      <system-out>");
	sink_printf(out, "%u more results counted, not listed:",
		    (unsigned)results_unlisted(&report->results));
	for (size_t o = 0; o < OUTCOME_COUNT; o++)
		sink_printf(out, "%s %u %s", o ? "," : "", (unsigned)n[o],
			    outcome_name((enum outcome)o));
	sink_puts(out, unlisted_failed(report) ? "\"/>\n" : "</system-out>\n");
	sink_puts(out, "    </testcase>\n");
}

void render_junit(const struct hv_report *report, struct text_sink *out)
{
	const struct result_list *results = &report->results;
	const struct verdict *v = &report->verdict;
	size_t tests = results->count, failures = 0, skipped = 0;

	for (size_t i = 0; i < results->count; i++) {
		failures += result_fails_verdict(&results->items[i], v->strict);
		skipped += !result_fails_verdict(&results->items[i], v->strict) &&
			   junit_skipped(&results->items[i]);
	}
	if (results_unlisted(results)) {
		tests++;
		failures += unlisted_failed(report);
	}
	char counts[96];
	struct buffer_sink text;
	string_sink_init(&text, counts, sizeof(counts));
	sink_printf(&text.sink, "tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"%u\"",
		    (unsigned)tests, (unsigned)failures, (unsigned)skipped);
	string_sink_finish(&text);

	sink_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<testsuites name=\"hvfeat\" %s>\n"
			 "  <testsuite name=\"hvfeat\" %s>\n"
			 "    <properties>\n"
			 "      <property name=\"version\" value=\"%s\"/>\n"
			 "      <property name=\"source\" value=\"",
		    counts, counts, HVFEAT_VERSION);
	xml_string(report->source_description, out);
	sink_printf(out, "\"/>\n"
			 "      <property name=\"strict\" value=\"%s\"/>\n"
			 "      <property name=\"verdict\" value=\"%s\"/>\n"
			 "    </properties>\n",
		    v->strict ? "true" : "false", v->passed ? "pass" : "fail");
	for (size_t i = 0; i < results->count; i++)
		junit_case(&results->items[i], v->strict, out);
	if (results_unlisted(results))
		junit_unlisted(report, out);
	sink_puts(out, "  </testsuite>\n</testsuites>\n");
}
