/* Consistency lints: CPUID answers that contradict each other or an
 * upstream rule. Each is a result ("lint.NAME"): pass, warn (or info for
 * what is legal but worth knowing), or not-applicable when what it reads
 * is absent. The rules and their upstream sources are in lints.c's table
 * and the README. */
#ifndef HVFEAT_LINTS_H
#define HVFEAT_LINTS_H

#include <stdbool.h>

#include "results.h"
#include "text_sink.h"

struct hv_report;

/* Every lint, in table order, appended to results. */
void lint_run(const struct hv_report *report, struct result_list *results);

/* True when name (without "lint.") names a lint, in any case. */
bool lint_name_known(const char *name);

/* "  lint.NAME  meaning" for each lint, for --list-labels. */
void render_lint_labels(struct text_sink *out);

#endif
