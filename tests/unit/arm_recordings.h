/* The committed arm64 recordings for the tests of an Arm run through JSON
 * reports, baselines and policies (test_smccc_drift.c, test_arm_id_drift.c):
 * replayed as hvfeat -f replays them, edited line by line, judged against
 * each other. */
#ifndef HVFEAT_TEST_ARM_RECORDINGS_H
#define HVFEAT_TEST_ARM_RECORDINGS_H

#include "recordings.h"

#include "arm_id.h"
#include "facts.h"
#include "report_reader.h"
#include "smccc.h"

#define KVM_ARM64 DUMPS_DIR "/arm64/kvm-real-6.1.0-57-arm64-qemu-7.2-host.txt"
#define KVM_ARM64_A72_NVHE DUMPS_DIR "/arm64/kvm-real-6.1.0-57-arm64-qemu-7.2-host-a72-nvhe.txt"
#define TCG_ARM64 DUMPS_DIR "/arm64/tcg-aavmf-qemu-7.2.txt"
/* jq 1.6's "jq -S ." of hvfeat -f KVM_ARM64 -j */
#define KVM_ARM64_JQ_SORTED DUMPS_DIR "/reports/kvm-arm64-host.jq-sorted.json"

static struct cpuid_dump dump;
static struct hv_report baseline_report, now_report;

/* A report of length bytes of a dump or JSON report as hvfeat -f makes
 * it: its leaves (none here), then its SMCCC answers and its ID registers
 * when it has them. */
static inline struct hv_report *replay_bytes(struct hv_report *report, const char *text,
					     size_t length, const char *description)
{
	struct cpuid_source none;
	struct smccc_source source;

	if (!cpuid_input_parse(&dump, text, length))
		fail_msg("%s: line %u: %s", description, dump.problems[0].line,
			 dump.problems[0].reason);
	assert_int_equal(dump.record_count, 0);
	cpuid_source_none(&none, description);
	hv_scan(report, &none);
	if (dump.smccc.present) {
		smccc_source_recorded(&source, &dump.smccc, description);
		smccc_scan(&report->smccc, &source);
	}
	arm_id_replay(&report->arm_id, &dump.arm_id);
	return report;
}

static inline struct hv_report *replay(struct hv_report *report, const char *text,
				       const char *description)
{
	return replay_bytes(report, text, strlen(text), description);
}

/* Every fact of the family (smccc.*, arm.*) is the same in two reports,
 * known or not. */
static inline void assert_same_facts(const struct fact_family *family, const struct hv_report *a,
				     const struct hv_report *b)
{
	for (size_t i = 0; i < family->count; i++) {
		const struct fact_def *def = &family->defs[i];
		struct fact_value x = { 0 }, y = { 0 };
		const char *why_x = family->value(a, def, 0, &x);
		char text_x[FACT_STORAGE] = "";
		if (!why_x && def->type == FACT_TEXT)
			snprintf(text_x, sizeof(text_x), "%s", x.text);
		const char *why_y = family->value(b, def, 0, &y);
		if ((why_x == NULL) != (why_y == NULL))
			fail_msg("%s: known in one report only", def->key);
		if (why_x)
			assert_string_equal(why_x, why_y);
		else if (def->type == FACT_TEXT)
			assert_string_equal(text_x, y.text);
		else
			assert_int_equal(x.number, y.number);
	}
}

/* The recording with each line that starts (after its indent) with one of
 * the "from" texts replaced by the matching "to" line: an edited copy. */
static inline const char *edited(const char *(*edits)[2], size_t count)
{
	static char copy[1 << 16];
	const char *at = read_text_file(KVM_ARM64);
	size_t n = 0, used = 0;

	while (*at) {
		const char *end = strchr(at, '\n');
		size_t length = end ? (size_t)(end - at) + 1 : strlen(at);
		size_t e = 0;
		while (e < count && strncmp(at + 3, edits[e][0], strlen(edits[e][0])))
			e++;
		if (e < count) {
			n += (size_t)snprintf(copy + n, sizeof(copy) - n, "   %s\n", edits[e][1]);
			used++;
		} else {
			memcpy(copy + n, at, length);
			n += length;
		}
		at += length;
	}
	copy[n] = '\0';
	assert_int_equal(used, count);
	return copy;
}

#define EDITED(list) edited(list, sizeof(list) / sizeof(list[0]))

/* The text of render_raw_dump of a report. */
static inline const char *raw_of(const struct hv_report *r)
{
	static char raw[1 << 16];

	return render_into(raw, sizeof(raw), r, render_raw_dump);
}

/* now judged against the baseline, each text replayed: the drift results
 * are exactly these. */
static inline struct hv_report *drift_of(const char *baseline, const char *now,
					 const struct expected_drift *expected, size_t count)
{
	static struct requirement_list none;

	replay(&baseline_report, baseline, "golden");
	struct hv_report *r = replay(&now_report, now, "now");
	hv_check(r, &none);
	hv_judge(r, &(struct judge_settings){ .baseline = &baseline_report });
	expect_drift(r, expected, count);
	return r;
}

#define DRIFT(baseline, now, list) drift_of(baseline, now, list, sizeof(list) / sizeof(list[0]))

static inline const char *detail_of(const struct hv_report *r, const char *label)
{
	const struct result *result = find_result(r, label);
	if (!result)
		fail_msg("no %s", label);
	return result->detail;
}

/* The first problem a JSON text is refused with. */
static inline const struct dump_problem *refused(const char *text)
{
	if (report_json_parse(&dump, text, strlen(text)))
		fail_msg("taken: %s", text);
	assert_true(dump.problem_count > 0);
	return &dump.problems[0];
}

struct refusal {
	const char *text, *reason;
	uint32_t line;
};

/* Each text refused with its reason, on its line. */
static inline void expect_refusals(const struct refusal *cases, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		const struct dump_problem *p = refused(cases[i].text);
		if (strcmp(p->reason, cases[i].reason) || p->line != cases[i].line)
			fail_msg("%s: %u: %s, expected %u: %s", cases[i].text, p->line, p->reason,
				 cases[i].line, cases[i].reason);
	}
}

#define EXPECT_REFUSALS(cases) expect_refusals(cases, sizeof(cases) / sizeof(cases[0]))

/* --list-labels from the line of first on: within 79 columns, each of
 * patterns listed. */
static inline void expect_listed(const char *first, const char *const *patterns, size_t count)
{
	static char listed[1 << 15];
	struct buffer_sink sink;

	buffer_sink_init(&sink, listed, sizeof(listed) - 1);
	render_result_labels(&sink.sink);
	listed[sink.length] = '\0';
	const char *p = strstr(listed, first);
	assert_non_null(p);
	while (*p) {
		const char *end = strchr(p, '\n');
		if ((size_t)(end - p) > 79)
			fail_msg("longer than 79 columns: %.*s", (int)(end - p), p);
		p = end + 1;
	}
	for (size_t i = 0; i < count; i++)
		assert_contains(listed, patterns[i]);
}

#define EXPECT_LISTED(first, patterns) \
	expect_listed(first, patterns, sizeof(patterns) / sizeof(patterns[0]))

/* now against the recording with label waived (--waive): the result
 * found waived, and the verdict passed; a label one letter longer is
 * refused. */
static inline void expect_waived(const char *label, const char *now)
{
	static struct waiver_list list;
	static char misspelt[RESULT_LABEL_MAX + 1];

	assert_true(waive_into(&list, label));
	replay(&baseline_report, read_text_file(KVM_ARM64), "golden");
	replay(&now_report, now, "now");
	hv_check(&now_report, &(struct requirement_list){ 0 });
	hv_judge(&now_report, &(struct judge_settings){ .waivers = &list,
							 .baseline = &baseline_report });
	const struct result *r = find_result(&now_report, label);
	assert_non_null(r);
	assert_true(r->waived);
	assert_true(now_report.verdict.passed);
	snprintf(misspelt, sizeof(misspelt), "%.*s%c", (int)strlen(label), label,
		 label[strlen(label) - 1]);
	assert_false(waive_into(&list, misspelt));
}

/* The policy read back, then the labels of the requirements that fail
 * on report r, comma-separated. */
static inline const char *failed_on(struct hv_report *r, size_t count)
{
	read_policy(count);
	return failed_requirements(r);
}

#endif
