/* The result list, waivers applied as results come, the verdict they add
 * up to, and the exit classes. Judging is judge.c, labels labels.c. */
#include "results.h"

#include "ascii.h"

void results_reset(struct result_list *list, const struct waiver_list *waivers)
{
	list->count = list->waived = list->unlisted_waived = 0;
	for (size_t o = 0; o < OUTCOME_COUNT; o++)
		list->unlisted[o] = 0;
	list->waivers = waivers;
}

static bool waived(const struct waiver_list *waivers, const char *label)
{
	for (size_t i = 0; waivers && i < waivers->count; i++)
		if (ascii_equal(label, waivers->labels[i], true))
			return true;
	return false;
}

struct text_sink *results_add(struct result_list *list, enum outcome outcome,
			      enum severity severity, const char *prefix,
			      const char *name)
{
	char label[RESULT_LABEL_MAX];

	format_text(label, sizeof(label), "%s%s", prefix, name);
	bool waive = (outcome == OUTCOME_FAIL || outcome == OUTCOME_WARN) &&
		     waived(list->waivers, label);
	if (waive) {
		outcome = OUTCOME_WARN;
		list->waived++;
	}
	if (list->count == RESULTS_MAX) {
		list->unlisted[outcome]++;
		list->unlisted_waived += waive;
		buffer_sink_init(&list->detail, NULL, 0);
		return &list->detail.sink;
	}
	struct result *r = &list->items[list->count++];

	*r = (struct result){ .outcome = outcome, .severity = severity, .waived = waive };
	for (size_t i = 0; i < sizeof(label); i++)
		r->label[i] = label[i];
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


bool results_unlisted_fail(const struct result_list *list, bool strict)
{
	return list->unlisted[OUTCOME_FAIL] ||
	       (strict && list->unlisted[OUTCOME_WARN] > list->unlisted_waived);
}

/* Judged on every run, asked for or not: the lints, the vCPUs and the
 * confidential-computing checks (cvm.*), which say nothing of what the
 * run was asked. */
static bool judged_on_every_run(const char *label)
{
	return ascii_after_prefix(label, "lint.", false) ||
	       ascii_after_prefix(label, "vcpu.", false) || ascii_after_prefix(label, "cvm.", false);
}

void results_tally(const struct result_list *list, bool strict, struct verdict *v)
{
	bool fails = results_unlisted_fail(list, strict);
	size_t asked[OUTCOME_COUNT] = { 0 };

	*v = (struct verdict){ .strict = strict, .waived = list->waived };
	for (size_t o = 0; o < OUTCOME_COUNT; o++)
		v->counts[o] = list->unlisted[o];
	for (size_t i = 0; i < list->count; i++) {
		const struct result *r = &list->items[i];
		v->counts[r->outcome]++;
		if (!judged_on_every_run(r->label))
			asked[r->outcome]++;
		fails = fails || result_fails_verdict(r, strict);
	}
	v->passed = !fails;
	v->only_skipped = asked[OUTCOME_SKIP] && !asked[OUTCOME_PASS] && !asked[OUTCOME_FAIL] &&
			  !asked[OUTCOME_WARN];
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
	if (verdict->only_skipped)
		classes |= EXIT_CLASS_SKIP_ONLY;
	return classes;
}
