/* Drift of an Arm run's ID registers (drift_arm_id.c), for drift.c alone. */
#ifndef HVFEAT_DRIFT_ARM_ID_H
#define HVFEAT_DRIFT_ARM_ID_H

#include <stdbool.h>
#include <stddef.h>

#include "results.h"
#include "text_sink.h"

struct hv_report;

/* "drift.arm" when one report has ID registers and the other none, else
 * a "drift.arm.KEY" result for every field that differs and a
 * "drift.arm.raw.REGISTER" one for every register whose bits no field
 * decodes differ, appended to results; returns how many. */
size_t drift_arm_id(const struct hv_report *now, const struct hv_report *baseline,
		    struct result_list *results);

/* True when name (after "drift.") is a label drift_arm_id can give. */
bool drift_arm_id_label_known(const char *name);

/* The Arm ID register labels, for --list-labels. */
void render_drift_arm_id_labels(struct text_sink *out);

#endif
