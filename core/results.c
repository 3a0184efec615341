/* The result list, the labels hvfeat gives, waivers, and the exit classes.
 * Judging itself is judge.c. */
#include "results.h"

#include "ascii.h"
#include "checks.h"
#include "drift.h"
#include "lints.h"
#include "probe.h"

struct text_sink *results_add(struct result_list *list, enum outcome outcome,
			      enum severity severity, const char *prefix,
			      const char *name)
{
	if (list->count == RESULTS_MAX) {
		list->unlisted[outcome]++;
		buffer_sink_init(&list->detail, NULL, 0);
		return &list->detail.sink;
	}
	struct result *r = &list->items[list->count++];
	struct buffer_sink label;

	*r = (struct result){ .outcome = outcome, .severity = severity };
	string_sink_init(&label, r->label, sizeof(r->label));
	sink_printf(&label.sink, "%s%s", prefix, name);
	string_sink_finish(&label);
	/* The detail stays NUL-terminated: one byte is never written. */
	buffer_sink_init(&list->detail, r->detail, sizeof(r->detail) - 1);
	return &list->detail.sink;
}

size_t results_unlisted(const struct result_list *list)
{
	size_t unlisted = 0;

	for (size_t o = 0; o < OUTCOME_COUNT; o++)
		unlisted += list->unlisted[o];
	return unlisted;
}

const char *outcome_name(enum outcome outcome)
{
	static const char *const names[OUTCOME_COUNT] = {
		[OUTCOME_PASS] = "pass", [OUTCOME_FAIL] = "fail",
		[OUTCOME_WARN] = "warn", [OUTCOME_SKIP] = "skip",
		[OUTCOME_NOT_APPLICABLE] = "not-applicable", [OUTCOME_INFO] = "info",
	};
	return names[outcome];
}

const char *severity_name(enum severity severity)
{
	static const char *const names[] = {
		[SEVERITY_NONE] = "", [SEVERITY_LOW] = "low", [SEVERITY_MEDIUM] = "medium",
		[SEVERITY_HIGH] = "high", [SEVERITY_CRITICAL] = "critical",
	};
	return names[severity];
}

/* The labels of the probe phase that are not probes. */
static const char *const probe_phase_labels[] = { "run", "cleanup", "forced_msr" };

bool result_label_known(const char *label)
{
	const char *rest;

	if ((rest = ascii_after_prefix(label, "require.", true)))
		return requirement_name_known(rest);
	if ((rest = ascii_after_prefix(label, "lint.", true)))
		return lint_name_known(rest);
	if ((rest = ascii_after_prefix(label, "drift.", true)))
		return drift_label_known(rest);
	if ((rest = ascii_after_prefix(label, "probe.", true))) {
		for (size_t i = 0; probe_key(i); i++)
			if (ascii_equal(rest, probe_key(i), true))
				return true;
		for (size_t i = 0; i < sizeof(probe_phase_labels) / sizeof(*probe_phase_labels); i++)
			if (ascii_equal(rest, probe_phase_labels[i], true))
				return true;
	}
	return false;
}

void render_result_labels(struct text_sink *out)
{
	sink_puts(out, "Results hvfeat gives, by label (waive one with --waive LABEL):\n"
		       "  require.KEY              the requirement on KEY (--list-keys)\n");
	for (size_t i = 0; probe_key(i); i++)
		sink_printf(out, "  probe.%-18s %s\n", probe_key(i), probe_title(i));
	sink_puts(out, "  probe.forced_msr         --probe-msr: the MSR read (and written)\n"
		       "  probe.run                skipped when the probes could not run\n"
		       "  probe.cleanup            every MSR, page and fault handler put back\n");
	render_lint_labels(out);
	render_drift_labels(out);
}

bool waivers_add(struct waiver_list *list, const char *text, size_t length,
		 const char *origin, struct text_sink *errors)
{
	const char *end = text + length;

	for (const char *item = text; item <= end;) {
		const char *item_end = item;
		while (item_end < end && *item_end != ',')
			item_end++;
		struct cursor c = { item, item_end };
		cursor_skip_blanks(&c);
		const char *label_end = c.at;
		while (label_end < item_end && *label_end != ' ' && *label_end != '\t' &&
		       *label_end != '\r')
			label_end++;
		size_t label_length = (size_t)(label_end - c.at);
		if (label_length) {
			const char *why = NULL;
			struct cursor after = { label_end, item_end };
			cursor_skip_blanks(&after);
			if (!cursor_at_end(&after))
				why = "is not one label";
			else if (label_length >= RESULT_LABEL_MAX)
				why = "is too long";
			else if (list->count == MAX_WAIVERS)
				why = "is one too many (64 at most)";
			if (!why) {
				char *label = list->labels[list->count];
				for (size_t i = 0; i < label_length; i++)
					label[i] = c.at[i];
				label[label_length] = '\0';
				if (result_label_known(label))
					list->count++;
				else
					why = "names no result hvfeat gives (--list-labels)";
			}
			if (why) {
				sink_printf(errors, "hvfeat: %s: waiver ", origin);
				sink_echo(errors, c.at, (size_t)(item_end - c.at));
				sink_printf(errors, " %s\n", why);
				return false;
			}
		}
		item = item_end + 1;
	}
	return true;
}

bool result_fails_verdict(const struct result *result, bool strict)
{
	return result->outcome == OUTCOME_FAIL ||
	       (strict && result->outcome == OUTCOME_WARN && !result->waived);
}

uint8_t exit_classes(enum run_end end, const struct verdict *verdict)
{
	uint8_t classes = 0;

	if (end != RUN_JUDGED)
		classes |= EXIT_CLASS_NOT_PASSED;
	if (end == RUN_NOT_DONE)
		classes |= EXIT_CLASS_ERROR;
	if (!verdict)
		return classes;
	const size_t *n = verdict->counts;
	if (!verdict->passed)
		classes |= EXIT_CLASS_NOT_PASSED | EXIT_CLASS_FAIL;
	if (n[OUTCOME_WARN])
		classes |= EXIT_CLASS_WARN;
	if (n[OUTCOME_SKIP])
		classes |= EXIT_CLASS_SKIP;
	if (n[OUTCOME_SKIP] && !n[OUTCOME_PASS] && !n[OUTCOME_FAIL] && !n[OUTCOME_WARN])
		classes |= EXIT_CLASS_SKIP_ONLY;
	return classes;
}
