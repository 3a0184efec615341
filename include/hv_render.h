/* Renderings of one report, each drawn from the model alone (render_text.c,
 * render_json.c, render_tap.c, render_junit.c, the raw dump) and chosen in
 * render.c. Console and log both
 * get the chosen rendering's bytes. */
#ifndef HVFEAT_HV_RENDER_H
#define HVFEAT_HV_RENDER_H

#include "hv_report.h"
#include "options.h"
#include "text_sink.h"

/* The last line of every text report, so a reader can tell it is whole. */
#define HVFEAT_REPORT_END "end of hvfeat report"

void render_text(const struct hv_report *report, struct text_sink *out);

/* -q: the results that did not pass (failed, warned, skipped), the counts
 * and the verdict. */
void render_quiet(const struct hv_report *report, struct text_sink *out);

/* What was read, as -f reads it back: on Arm the "Arm ID registers:" and
 * "SMCCC:" sections, then every leaf read, as `cpuid -r -1` prints them:
 * "CPU:", then a line each. */
void render_raw_dump(const struct hv_report *report, struct text_sink *out);

/* The report as one JSON object; the schema is in the README. */
void render_json(const struct hv_report *report, struct text_sink *out);

/* TAP version 13 (--tap): a test point a result, with a YAML block of
 * its outcome and detail; the mapping is in the README, "TAP". */
void render_tap(const struct hv_report *report, struct text_sink *out);

/* JUnit XML (--junit PATH): a testcase a result, in one testsuite; the
 * mapping is in the README, "JUnit XML". */
void render_junit(const struct hv_report *report, struct text_sink *out);

/* The report in the format the options chose. */
void render_in_format(const struct hv_report *report, enum output_format format,
		      struct text_sink *out);

/* Renders into memory from allocate(size): once to learn the size, once
 * for real, so every copy of the text is the same bytes. NULL when
 * allocate fails. */
char *render_to_memory(const struct hv_report *report, enum output_format format,
		       void *(*allocate)(size_t size), size_t *length);


#endif
