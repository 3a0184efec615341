/* The judging step of the data path (scan, decode, probe, judge, render,
 * sink): the report's requirements, probes, lints and (with a baseline)
 * drift become results, waivers and --strict are applied, and the verdict
 * is drawn from the results alone. */
#ifndef HVFEAT_JUDGE_H
#define HVFEAT_JUDGE_H

#include <stdbool.h>

#include "results.h"

struct hv_report;

struct judge_settings {
	const struct waiver_list *waivers; /* NULL: none */
	bool strict;                       /* warnings fail the verdict */
	/* --baseline: the golden report, scanned as this one was; NULL when
	 * none was given, or when it could not be read, and then
	 * baseline_failure says why (drift.baseline is skipped). */
	const struct hv_report *baseline;
	const char *baseline_failure;
};

/* Fills report->results and report->verdict; hv_check() and the probes
 * have run before. */
void hv_judge(struct hv_report *report, const struct judge_settings *settings);

#endif
