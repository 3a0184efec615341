/* Drift of an Arm run's SMCCC answers (drift_smccc.c), for drift.c alone. */
#ifndef HVFEAT_DRIFT_SMCCC_H
#define HVFEAT_DRIFT_SMCCC_H

#include <stdbool.h>
#include <stddef.h>

#include "results.h"
#include "text_sink.h"

struct hv_report;

/* "drift.smccc" when one report has SMCCC answers and the other none,
 * else a "drift.smccc.KEY" result for every answer that differs,
 * appended to results; returns how many. */
size_t drift_smccc(const struct hv_report *now, const struct hv_report *baseline,
		   struct result_list *results);

/* True when name (after "drift.") is a label drift_smccc can give. */
bool drift_smccc_label_known(const char *name);

/* The SMCCC labels, for --list-labels. */
void render_drift_smccc_labels(struct text_sink *out);

#endif
