/* What drift.c shares with drift_smccc.c, core/ files only: a comparison
 * under way and the result a difference adds. */
#ifndef HVFEAT_DRIFT_INTERNAL_H
#define HVFEAT_DRIFT_INTERNAL_H

#include "drift.h"

struct drift {
	const struct hv_report *now, *base;
	struct result_list *results;
	size_t count;
};

/* A difference: a result labelled "drift." and the name printf makes;
 * returns the sink over its detail. */
struct text_sink *differ(struct drift *d, enum outcome outcome, enum severity severity,
			 const char *format, ...) __attribute__((format(printf, 4, 5)));

/* SMCCC's answers (drift_smccc.c): "drift.smccc" when one report has
 * them and the other none, else every answer that differs. */
void drift_smccc(struct drift *d);

/* True when name (after "drift.") is an SMCCC label drift_smccc gives. */
bool drift_smccc_label_known(const char *name);

/* The SMCCC labels, for --list-labels. */
void render_drift_smccc_labels(struct text_sink *out);

#endif
