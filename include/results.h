/* The outcome model: everything hvfeat judges (requirements, probes,
 * consistency lints, drift from a baseline) is a result with a stable
 * label, graded as fwts grades its tests, and the verdict and the exit
 * classes follow from the results alone. Renderers read the results; no
 * renderer decides an outcome. */
#ifndef HVFEAT_RESULTS_H
#define HVFEAT_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text_sink.h"

enum outcome {
	OUTCOME_PASS,
	OUTCOME_FAIL,
	OUTCOME_WARN,           /* fails the verdict only with --strict */
	OUTCOME_SKIP,           /* could not be judged: the detail says why */
	OUTCOME_NOT_APPLICABLE, /* what it judges is not there */
	OUTCOME_INFO,           /* worth reporting, never a failure */
};
#define OUTCOME_COUNT 6

/* fwts's scale; NONE for what passed, was skipped or does not apply. */
enum severity {
	SEVERITY_NONE,
	SEVERITY_LOW,
	SEVERITY_MEDIUM,
	SEVERITY_HIGH,
	SEVERITY_CRITICAL,
};

#define RESULT_LABEL_MAX 80u
#define RESULT_DETAIL_MAX 200u
/* 256 requirements, 16 probes, the lints and a baseline's differences fit;
 * past this many, results are counted (and judged) but not listed. */
#define RESULTS_MAX 640u

struct result {
	char label[RESULT_LABEL_MAX];   /* "probe.kvm.steal_time" */
	enum outcome outcome;           /* after --waive: a waived failure warns */
	enum severity severity;
	bool waived;
	char detail[RESULT_DETAIL_MAX]; /* what was measured or found, and why */
};

struct waiver_list;

struct result_list {
	size_t count;
	struct result items[RESULTS_MAX];
	size_t unlisted[OUTCOME_COUNT]; /* past RESULTS_MAX, by outcome */
	size_t waived;                  /* listed and unlisted */
	size_t unlisted_waived;
	const struct waiver_list *waivers; /* applied as results are added */
	struct buffer_sink detail;      /* over the last result's detail */
};

/* Empties the list; waivers (NULL: none) apply to every result added. */
void results_reset(struct result_list *list, const struct waiver_list *waivers);

/* Adds a result labelled prefix + name ("lint." "kvm.stable-bit-...") and
 * returns a sink over its detail (cut at RESULT_DETAIL_MAX - 1 bytes). A
 * failure or warning whose label is waived becomes a waived warning. Past
 * RESULTS_MAX the result is only counted, waived all the same, and the
 * sink discards. */
struct text_sink *results_add(struct result_list *list, enum outcome outcome,
			      enum severity severity, const char *prefix,
			      const char *name);

/* Results counted past RESULTS_MAX, not listed. */
size_t results_unlisted(const struct result_list *list);

const char *outcome_name(enum outcome outcome);   /* "pass", "not-applicable" */
const char *severity_name(enum severity severity); /* "high"; "" for none */

/* Labels named with --waive (or "waive LABEL" in a policy file). */
#define MAX_WAIVERS 64u
struct waiver_list {
	char labels[MAX_WAIVERS][RESULT_LABEL_MAX];
	size_t count;
};

/* What the results add up to. */
struct verdict {
	size_t counts[OUTCOME_COUNT]; /* listed and unlisted results */
	size_t waived;
	bool strict;                  /* warnings fail */
	bool passed;
	/* Of what the run was asked to judge (all but the lints, the vCPUs
	 * and the cvm.* checks, judged on every run), something was skipped
	 * and nothing passed, failed or warned: kvm-unit-tests' "all
	 * skipped" */
	bool only_skipped;
};

/* Whether a result fails the verdict: a failure, or under --strict a
 * warning that was not waived. What the CI formats mark as failed. */
bool result_fails_verdict(const struct result *result, bool strict);

/* Whether a result past RESULTS_MAX fails it, by the same rule. */
bool results_unlisted_fail(const struct result_list *list, bool strict);

/* What the list adds up to: every listed and unlisted result counted, the
 * verdict failing when one of them fails it. */
void results_tally(const struct result_list *list, bool strict, struct verdict *verdict);

/* The exit classes (README, "Exit statuses"): one byte, each bit a class
 * of outcome that occurred, as CHIPSEC's exit code is; the value of
 * QEMU's isa-debug-exit port and the host build's exit status. Below 0x80,
 * since QEMU exits with (value << 1) | 1 and a process status has 8 bits. */
#define EXIT_CLASS_FAIL 0x01       /* a result failed (not waived) */
#define EXIT_CLASS_NOT_PASSED 0x02 /* the run did not pass: usage, fail, error */
#define EXIT_CLASS_WARN 0x04       /* a warning, a waived failure included */
#define EXIT_CLASS_SKIP 0x08       /* a result was skipped */
#define EXIT_CLASS_ERROR 0x10      /* not done: a file, memory, cleanup */
#define EXIT_CLASS_SKIP_ONLY 0x20  /* what was asked was only skipped */

enum run_end { RUN_JUDGED, RUN_USAGE_ERROR, RUN_NOT_DONE };

/* The exit classes of a run that ended so; verdict is NULL when nothing
 * was judged (a usage error, or work not done before the judging). */
uint8_t exit_classes(enum run_end end, const struct verdict *verdict);

#endif
