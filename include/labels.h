/* Result labels: which ones hvfeat gives, --list-labels, and waivers
 * (labels.c). Above results.c, lints.c, drift.c and the requirement
 * names, which each know their own part. */
#ifndef HVFEAT_LABELS_H
#define HVFEAT_LABELS_H

#include <stdbool.h>
#include <stddef.h>

#include "results.h"
#include "text_sink.h"

/* Adds the comma-separated labels in text; false, having said why on
 * errors, for a label hvfeat never gives (a typo must not waive nothing
 * silently) or one too many. */
bool waivers_add(struct waiver_list *list, const char *text, size_t length,
		 const char *origin, struct text_sink *errors);

/* True when label is one hvfeat can give, in any case. */
bool result_label_known(const char *label);

/* Every label, or label pattern, with what it means (--list-labels). */
void render_result_labels(struct text_sink *out);

#endif
