/* The rules an Arm run's sections are judged by (drift_rules.h). */
#include "drift_rules.h"

/* The README's table, "Baselines and drift": an offer lost fails and
 * gained warns; the hypervisor's identity changed or gone fails; a
 * setting changed warns. */
static const struct drift_judgement judgements[DRIFT_KIND_COUNT][DRIFT_CHANGE_COUNT] = {
	[DRIFT_OFFER] = { [DRIFT_LOST] = { OUTCOME_FAIL, SEVERITY_HIGH, "lost" },
			  [DRIFT_GAINED] = { OUTCOME_WARN, SEVERITY_LOW, "gained" },
			  [DRIFT_CHANGED] = { OUTCOME_WARN, SEVERITY_LOW, "changed" } },
	[DRIFT_IDENTITY] = { [DRIFT_LOST] = { OUTCOME_FAIL, SEVERITY_HIGH, "gone" },
			     [DRIFT_GAINED] = { OUTCOME_WARN, SEVERITY_LOW, "appeared" },
			     [DRIFT_CHANGED] = { OUTCOME_FAIL, SEVERITY_HIGH, "changed" } },
	[DRIFT_SETTING] = { [DRIFT_LOST] = { OUTCOME_WARN, SEVERITY_LOW, "changed" },
			    [DRIFT_GAINED] = { OUTCOME_WARN, SEVERITY_LOW, "changed" },
			    [DRIFT_CHANGED] = { OUTCOME_WARN, SEVERITY_LOW, "changed" } },
};

const struct drift_judgement *drift_judgement(enum drift_kind kind, enum drift_change change)
{
	return &judgements[kind][change];
}

size_t drift_section_on_one_side(struct result_list *results, bool in_baseline,
				 const char *name, const char *section, const char *summary)
{
	sink_printf(results_add(results, in_baseline ? OUTCOME_FAIL : OUTCOME_WARN,
				in_baseline ? SEVERITY_HIGH : SEVERITY_LOW, "drift.", name),
		    "%s %s (%s), none %s: not compared", section,
		    in_baseline ? "in the baseline" : "now", summary,
		    in_baseline ? "now" : "in the baseline");
	return 1;
}
