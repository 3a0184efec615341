/* hvfeat's own JSON reports read back as CPUID leaves, SMCCC answers and
 * Arm ID registers: their "leaves" array holds every leaf a run read,
 * their "smccc" every call an Arm run made, their "arm_id" the ID
 * registers it read, so scanning them again gives the run's report again
 * (a baseline, a replay), however jq or another tool laid the JSON out.
 * Problems go to the same list the cpuid -r parser fills. */
#ifndef HVFEAT_REPORT_READER_H
#define HVFEAT_REPORT_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "cpuid_dump.h"

/* A JSON report (or a dump) larger than this is refused: hvfeat writes
 * under 512 KiB, and jq's layout of the largest one stays under 2 MiB. */
#define REPORT_MAX_BYTES (2048u * 1024u)

/* Reads the "leaves", "smccc" and "arm_id" of a JSON report hvfeat wrote
 * ("tool": "hvfeat") into dump's records, SMCCC recording and Arm ID
 * recording; true when the text is one whole JSON object with leaves,
 * SMCCC answers, ID registers or more than one, and no problem. Never
 * reads past length, whatever the bytes are. */
bool report_json_parse(struct cpuid_dump *dump, const char *text, size_t length);

/* A JSON report when the text starts (after white space) with '{', else a
 * cpuid -r dump: what -f and --baseline take. */
bool cpuid_input_parse(struct cpuid_dump *dump, const char *text, size_t length);

/* True when the text would be read as a JSON report. */
bool cpuid_input_is_json(const char *text, size_t length);

#endif
