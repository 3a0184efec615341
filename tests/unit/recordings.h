/* Recorded CPUID answers for host unit tests. Register values of the
 * signatures are the ones the reference tables give, not computed by the
 * code under test. */
#ifndef HVFEAT_TEST_RECORDINGS_H
#define HVFEAT_TEST_RECORDINGS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks.h"
#include "cpuid_dump.h"
#include "cpuid_source.h"
#include "drift.h"
#include "hv_render.h"
#include "hv_report.h"
#include "judge.h"
#include "labels.h"
#include "text_sink.h"

/* LEAF(leaf, eax, ebx, ecx, edx); the registers may come from one macro. */
#define LEAF(leaf, ...) { (leaf), 0, { __VA_ARGS__ } }
#define SUBLEAF(leaf, sub, ...) { (leaf), (sub), { __VA_ARGS__ } }

#define SIG_KVM 0x4b4d564b, 0x564b4d56, 0x0000004d
#define SIG_HYPERV 0x7263694d, 0x666f736f, 0x76482074
#define SIG_TCG 0x54474354, 0x43544743, 0x47435447
/* "GenuineIntel" in leaf 0 order EBX, EDX, ECX */
#define VENDOR_INTEL 0x756e6547, 0x6c65746e, 0x49656e69
#define HYPERVISOR_BIT 0x80000000u

/* Leaf 0 (max basic leaf 1, Intel) and leaf 1 with the hypervisor bit. */
#define BASIC_LEAVES_HV LEAF(0, 1, VENDOR_INTEL), LEAF(1, 0x000806f8, 0, HYPERVISOR_BIT, 0)

static struct hv_report test_report;
static char test_text[1 << 20];

static inline struct hv_report *scan_described(const struct cpuid_record *records,
					       size_t count, const char *description)
{
	static struct cpuid_recording recording;
	struct cpuid_source source;

	recording.records = records;
	recording.count = count;
	cpuid_source_recorded(&source, &recording, description);
	hv_scan(&test_report, &source);
	return &test_report;
}

static inline struct hv_report *scan_records(const struct cpuid_record *records,
					     size_t count)
{
	return scan_described(records, count, "recorded test values");
}

#define SCAN(records) scan_records((records), sizeof(records) / sizeof((records)[0]))

/* A dump file of tests/dumps, scanned as a recording named after it. */
static inline struct hv_report *scan_dump_file(const char *name)
{
	static char text[DUMP_MAX_BYTES + 1];
	static struct cpuid_dump parsed;
	static struct cpuid_recording recording;
	char path[256];
	struct cpuid_source source;

	snprintf(path, sizeof(path), "%s/%s", DUMPS_DIR, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	size_t length = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (!cpuid_dump_parse(&parsed, text, length))
		fail_msg("%s: problem at line %u: %s", path, parsed.problems[0].line,
			 parsed.problems[0].reason);
	recording.records = parsed.records;
	recording.count = parsed.record_count;
	cpuid_source_recorded(&source, &recording, name);
	hv_scan(&test_report, &source);
	return &test_report;
}

/* A file's text, NUL-terminated, in one of four 64 KiB buffers used in
 * turn (the Arm recordings and hand-written dumps): a test may hold a few
 * files at once. */
static inline const char *read_text_file(const char *path)
{
	static char data[4][1 << 16];
	static unsigned next;
	char *text = data[next++ % 4];
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	size_t length = fread(text, 1, sizeof(data[0]) - 1, f);
	fclose(f);
	text[length] = '\0';
	return text;
}

/* The report as render writes it, whole and NUL-terminated, in buffer. */
static inline const char *render_into(char *buffer, size_t size, const struct hv_report *report,
				      void (*render)(const struct hv_report *, struct text_sink *))
{
	struct buffer_sink sink;

	buffer_sink_init(&sink, buffer, size - 1);
	render(report, &sink.sink);
	assert_true(sink.length < size);
	buffer[sink.length] = '\0';
	return buffer;
}

/* The text report, NUL-terminated, checked to fit the 80-column console. */
static inline const char *text_of(const struct hv_report *report)
{
	render_into(test_text, sizeof(test_text), report, render_text);

	size_t column = 0;
	for (const char *p = test_text; *p; p++) {
		column = *p == '\n' ? 0 : column + 1;
		if (column > 79)
			fail_msg("line longer than 79 columns near: %.60s", p - 60);
	}
	return test_text;
}

/* A decoded bit or field, by upstream identifier, in the first interface of
 * the given signature; false when no such interface, identifier or leaf. */
static inline bool hv_lookup(const struct hv_report *report, const char *signature,
			     const char *id, uint32_t *value)
{
	const struct hv_vendor *vendor = hv_vendor_lookup(signature);
	struct hv_item item;

	for (size_t i = 0; vendor && i < report->interface_count; i++)
		if (report->interfaces[i].vendor == vendor)
			return hv_find_item(vendor, id, false, &item) &&
			       hv_item_value(report, &report->interfaces[i], &item,
					     value) == DECODED;
	return false;
}

static inline uint32_t lookup(const struct hv_report *report,
			      const char *signature, const char *id)
{
	uint32_t value = 0xdeadbeef;
	if (!hv_lookup(report, signature, id, &value))
		fail_msg("%s not decoded", id);
	return value;
}

#define KVM "KVMKVMKVM\0\0\0"

static inline void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("expected to find \"%s\" in:\n%s", needle, haystack);
}

static inline void assert_lacks(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle))
		fail_msg("did not expect \"%s\" in:\n%s", needle, haystack);
}

/* --- drift from a baseline (test_drift.c, test_smccc_drift.c) ---------- */

struct expected_drift {
	const char *label;
	enum outcome outcome;
};

static inline const struct result *find_result(const struct hv_report *r, const char *label)
{
	for (size_t i = 0; i < r->results.count; i++)
		if (strcmp(r->results.items[i].label, label) == 0)
			return &r->results.items[i];
	return NULL;
}

/* The drift results are exactly these, each a label hvfeat says it gives
 * (drift.baseline aside, which is info when anything differs and pass
 * otherwise). */
static inline void expect_drift(const struct hv_report *r, const struct expected_drift *expected,
				size_t count)
{
	size_t drift = 0;

	for (size_t i = 0; i < r->results.count; i++) {
		const struct result *given = &r->results.items[i];
		if (strncmp(given->label, "drift.", 6) || !strcmp(given->label, "drift.baseline"))
			continue;
		drift++;
		if (!result_label_known(given->label))
			fail_msg("%s: a label hvfeat does not know", given->label);
		size_t e = 0;
		while (e < count && strcmp(expected[e].label, given->label))
			e++;
		if (e == count)
			fail_msg("unexpected %s (%s): %s", given->label, outcome_name(given->outcome),
				 given->detail);
		if (given->outcome != expected[e].outcome)
			fail_msg("%s: %s, expected %s: %s", given->label, outcome_name(given->outcome),
				 outcome_name(expected[e].outcome), given->detail);
	}
	for (size_t e = 0; e < count; e++)
		if (!find_result(r, expected[e].label))
			fail_msg("no %s", expected[e].label);
	assert_int_equal(drift, count);
	const struct result *summary = find_result(r, "drift.baseline");
	assert_non_null(summary);
	assert_int_equal(summary->outcome, count ? OUTCOME_INFO : OUTCOME_PASS);
}

#define EXPECT_DRIFT(r, list) expect_drift(r, list, sizeof(list) / sizeof(list[0]))

/* Each label of known is one hvfeat gives (--waive takes it), none of
 * unknown is. */
static inline void expect_labels(const char *const *known, size_t known_count,
				 const char *const *unknown, size_t unknown_count)
{
	for (size_t i = 0; i < known_count; i++)
		if (!result_label_known(known[i]))
			fail_msg("%s refused", known[i]);
	for (size_t i = 0; i < unknown_count; i++)
		if (result_label_known(unknown[i]))
			fail_msg("%s taken", unknown[i]);
}

#define EXPECT_LABELS(known, unknown)                                                   \
	expect_labels(known, sizeof(known) / sizeof(known[0]), unknown,                 \
		      sizeof(unknown) / sizeof(unknown[0]))

/* --waive labels, into list alone; false when one is refused. */
static inline bool waive_into(struct waiver_list *list, const char *labels)
{
	static char why[512];
	struct buffer_sink sink;

	list->count = 0;
	buffer_sink_init(&sink, why, sizeof(why) - 1);
	return waivers_add(list, labels, strlen(labels), "--waive", &sink.sink);
}

/* --- policies (--write-policy, --policy) ------------------------------------ */

static char written_policy[1 << 16];
static struct requirement_list written_policy_list;

/* The policy --write-policy writes for r, into written_policy; how many
 * requirements it holds. */
static inline size_t write_policy(const struct hv_report *r)
{
	struct buffer_sink sink;

	buffer_sink_init(&sink, written_policy, sizeof(written_policy) - 1);
	size_t count = render_policy(r, &sink.sink);
	assert_true(sink.length < sizeof(written_policy));
	written_policy[sink.length] = '\0';
	return count;
}

/* The policy read back as --policy reads it: count requirements. */
static inline void read_policy(size_t count)
{
	static char not_read[512];
	struct buffer_sink sink;

	written_policy_list.count = 0;
	buffer_sink_init(&sink, not_read, sizeof(not_read) - 1);
	if (!requirements_add(&written_policy_list, written_policy, strlen(written_policy),
			      "written", &sink.sink)) {
		not_read[sink.length] = '\0';
		fail_msg("%s in:\n%s", not_read, written_policy);
	}
	assert_int_equal(written_policy_list.count, count);
}

/* The labels of the requirements read that fail on r, comma-separated. */
static inline const char *failed_requirements(struct hv_report *r)
{
	static char failed[4096];
	size_t n = 0;

	hv_check(r, &written_policy_list);
	hv_judge(r, &(struct judge_settings){ .strict = false });
	failed[0] = '\0';
	for (size_t i = 0; i < r->results.count; i++) {
		const struct result *given = &r->results.items[i];
		if (given->outcome == OUTCOME_FAIL)
			n += (size_t)snprintf(failed + n, sizeof(failed) - n, "%s%s", n ? "," : "",
					      given->label);
	}
	return failed;
}

#endif
