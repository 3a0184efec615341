#include "judge.h"

#include "ascii.h"
#include "drift.h"
#include "hv_report.h"
#include "lints.h"
#include "vcpus.h"

static void judge_requirements(const struct hv_report *report, struct result_list *results)
{
	for (size_t i = 0; i < report->check_count; i++) {
		const struct check_result *c = &report->checks[i];
		struct text_sink *detail =
			results_add(results, c->passed ? OUTCOME_PASS : OUTCOME_FAIL,
				    c->passed ? SEVERITY_NONE : SEVERITY_HIGH, "require.",
				    c->requirement.key);
		sink_printf(detail, "%s: ", c->requirement.text);
		render_check_found(c, detail);
	}
}

/* works passes, broken fails, not advertised or not applicable does not
 * apply, skipped is skipped: a probe is judged by what it measured. */
static void judge_probe(const struct probe_result *p, struct result_list *results)
{
	static const enum outcome outcomes[] = {
		[PROBE_NOT_RUN] = OUTCOME_SKIP,
		[PROBE_WORKS] = OUTCOME_PASS,
		[PROBE_BROKEN] = OUTCOME_FAIL,
		[PROBE_NOT_ADVERTISED] = OUTCOME_NOT_APPLICABLE,
		[PROBE_SKIPPED] = OUTCOME_SKIP,
		[PROBE_NOT_APPLICABLE] = OUTCOME_NOT_APPLICABLE,
	};
	enum outcome outcome = outcomes[p->state];
	struct text_sink *detail =
		results_add(results, outcome,
			    outcome == OUTCOME_FAIL ? SEVERITY_HIGH : SEVERITY_NONE, "probe.",
			    p->key);

	sink_puts(detail, probe_state_name(p->state));
	if (p->detail[0])
		sink_printf(detail, p->state == PROBE_WORKS ? " (%s)" : ": %s", p->detail);
}

/* Every probe, and whether the probe phase put everything back. */
static void judge_probes(const struct probe_report *probes, struct result_list *results)
{
	if (!probes->requested)
		return;
	if (probes->not_run_reason)
		sink_printf(results_add(results, OUTCOME_SKIP, SEVERITY_NONE, "probe.", "run"),
			    "not run: %s", probes->not_run_reason);
	for (size_t i = 0; i < probes->count; i++)
		judge_probe(&probes->results[i], results);

	size_t not_restored = 0;
	for (size_t i = 0; i < probes->restore_count; i++)
		not_restored += !probes->restores[i].restored;
	bool clean = !not_restored && !probes->pages_in_use && !probes->handlers_left;
	if (probes->not_run_reason && clean)
		return;
	struct text_sink *detail =
		results_add(results, clean ? OUTCOME_PASS : OUTCOME_FAIL,
			    clean ? SEVERITY_NONE : SEVERITY_CRITICAL, "probe.", "cleanup");
	sink_printf(detail, "%u of %u MSRs read back as found; pages %s; fault handlers %s",
		    (unsigned)(probes->restore_count - not_restored),
		    (unsigned)probes->restore_count,
		    probes->pages_in_use ? "kept reserved" : "released",
		    probes->handlers_left ? "NOT all unregistered" : "unregistered");
}

void hv_judge(struct hv_report *report, const struct judge_settings *settings)
{
	struct result_list *results = &report->results;

	results_reset(results, settings->waivers);
	judge_requirements(report, results);
	cvm_judge(report, results);
	judge_probes(&report->probes, results);
	vcpus_judge(report, results);
	/* The lints check CPUID's leaves against each other: none without it. */
	if (hv_report_has_cpuid(report))
		lint_run(report, results);
	if (settings->baseline)
		drift_judge(report, settings->baseline, results);
	else if (settings->baseline_failure)
		sink_puts(results_add(results, OUTCOME_SKIP, SEVERITY_NONE, "drift.", "baseline"),
			  settings->baseline_failure);

	results_tally(results, settings->strict, &report->verdict);
}
