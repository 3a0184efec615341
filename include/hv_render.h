/* Renderings of one report. Console and log both get render_text's bytes. */
#ifndef HVFEAT_HV_RENDER_H
#define HVFEAT_HV_RENDER_H

#include "hv_report.h"
#include "text_sink.h"

#define HVFEAT_VERSION "1.0"
/* The last line of every text report, so a reader can tell it is whole. */
#define HVFEAT_REPORT_END "end of hvfeat report"

void render_text(const struct hv_report *report, struct text_sink *out);

/* One leaf in the line format of the Linux `cpuid -r` tool. */
void render_raw_line(const struct leaf_reading *reading, struct text_sink *out);

/* A signature between quotes, with \0, \", \\ and \xNN for bytes that are
 * not printable ASCII. */
void render_escaped_signature(const char signature[HV_SIGNATURE_LENGTH],
			      struct text_sink *out);

#endif
