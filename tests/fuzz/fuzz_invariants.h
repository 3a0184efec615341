/* What must hold for any input, shared by the fuzz targets: bounded work,
 * whole renderings, console-sized lines, JSON a real parser accepts, TAP
 * and JUnit whole and in printable ASCII. */
#ifndef HVFEAT_FUZZ_INVARIANTS_H
#define HVFEAT_FUZZ_INVARIANTS_H

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "checks.h"
#include "cpuid_dump.h"
#include "hv_render.h"
#include "judge.h"
#include "vcpus.h"

static inline void discard_write(struct text_sink *self, const char *text, size_t length)
{
	(void)self;
	(void)text;
	(void)length;
}

static struct text_sink discard = { discard_write, NULL };

/* The checks of what was rendered are the harness's, not code under test:
 * left out of coverage, whose per-byte comparison hooks cost most of each
 * run otherwise. */
#define NOT_COVERED __attribute__((noinline, no_sanitize("coverage")))

static inline NOT_COVERED void check_text(const char *text, size_t length)
{
	size_t column = 0;

	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\n') {
			column = 0;
			continue;
		}
		if (++column > 79 || c < 0x20 || c > 0x7e)
			abort();
	}
	const char *end = HVFEAT_REPORT_END "\n";
	if (length < strlen(end) || memcmp(text + length - strlen(end), end, strlen(end)))
		abort();
}

/* Parsed whole by a real JSON parser (jansson, strict RFC 8259: no raw
 * control bytes, valid escapes, nothing after the value), and one object
 * from hvfeat. \u0000 is valid JSON (KVM's signature has it), and so is an
 * integer past jansson's int64: a count a hostile host made huge. */
/* Its results are the report's, and its verdict the one they add up to:
 * fail exactly when a result failed (these runs are not --strict). */
static inline NOT_COVERED void check_json(const char *json, size_t length,
					  const struct hv_report *report)
{
	json_error_t error;
	json_t *document = json_loadb(json, length, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL,
				      &error);

	if (!document || !json_is_object(document) ||
	    !json_is_string(json_object_get(document, "tool")))
		abort();
	json_t *results = json_object_get(document, "results");
	json_t *summary = json_object_get(document, "summary");
	const char *verdict = json_string_value(json_object_get(document, "verdict"));
	size_t failed = 0, index;
	json_t *result;
	if (!json_is_array(results) || json_array_size(results) != report->results.count ||
	    !json_is_object(summary) || !verdict)
		abort();
	json_array_foreach(results, index, result) {
		const char *outcome = json_string_value(json_object_get(result, "outcome"));
		if (!outcome)
			abort();
		failed += !strcmp(outcome, "fail");
	}
	if (strcmp(verdict, failed ? "fail" : "pass") ||
	    (size_t)json_number_value(json_object_get(summary, "fail")) != failed)
		abort();
	/* The SMBIOS object tells what the model holds. */
	json_t *smbios = json_object_get(document, "smbios");
	json_t *oem = json_object_get(smbios, "type11");
	if (!json_is_object(smbios) || !json_is_string(json_object_get(smbios, "state")) ||
	    (size_t)json_number_value(json_object_get(oem, "count")) != report->smbios.oem.count ||
	    json_array_size(json_object_get(oem, "strings")) != report->smbios.oem.kept ||
	    (size_t)json_number_value(json_object_get(smbios, "problem_count")) !=
		    report->smbios.problem_count)
		abort();
	json_decref(document);
}

/* TAP and JUnit: printable ASCII and line feeds only (a control byte would
 * end a TAP line early or make the XML ill-formed), and whole: the first
 * line (TAP's version, the XML declaration) and the last (TAP's verdict,
 * the closed root) where they belong. That real consumers read them is
 * tests/host/test_ci_formats.py's. */
static inline NOT_COVERED void check_ci_format(const char *text, size_t length,
					       const char *first, const char *last)
{
	for (size_t i = 0; i < length; i++)
		if (text[i] != '\n' && (text[i] < 0x20 || text[i] > 0x7e))
			abort();
	if (!length || text[length - 1] != '\n')
		abort();
	size_t last_start = length - 1;
	while (last_start && text[last_start - 1] != '\n')
		last_start--;
	if (length < strlen(first) || memcmp(text, first, strlen(first)) ||
	    length - last_start < strlen(last) || memcmp(text + last_start, last, strlen(last)))
		abort();
}

/* The report in each of formats, one pass each into a buffer of the
 * documented bound (render_to_memory's two passes are the same code, and
 * unit-tested), each checked as its readers take it; OUTPUT_RAW only for
 * the bound. */
static inline void render_and_check(const struct hv_report *report,
				    const enum output_format *formats, size_t count)
{
	static char rendered[512 * 1024];
	struct buffer_sink sink;

	for (size_t f = 0; f < count; f++) {
		buffer_sink_init(&sink, rendered, sizeof(rendered));
		render_in_format(report, formats[f], &sink.sink);
		if (sink.length >= sizeof(rendered))
			abort(); /* past the README's bound */
		if (formats[f] == OUTPUT_TEXT)
			check_text(rendered, sink.length);
		else if (formats[f] == OUTPUT_JSON)
			check_json(rendered, sink.length, report);
		else if (formats[f] == OUTPUT_TAP)
			check_ci_format(rendered, sink.length, "TAP version 13\n", "# verdict: ");
		else if (formats[f] == OUTPUT_JUNIT)
			check_ci_format(rendered, sink.length, "<?xml version=\"1.0\" ",
					"</testsuites>\n");
	}
}

/* dump: its CPU sections as the vCPUs and its Arm ID registers (NULL:
 * none read); smbios (NULL:
 * not read) as the SMBIOS step left it; smccc (NULL: none) SMCCC answers
 * to replay after the scan. */
static inline void scan_check_and_render_with(const struct cpuid_source *source,
					      const struct cpuid_dump *dump,
					      const struct smbios_report *smbios,
					      const struct smccc_source *smccc)
{
	static struct hv_report report;
	static struct requirement_list list;
	static const char requirements[] =
		"hypervisor_bit, interface.kvm, interface.hyperv.base=0x40000000,"
		"kvm.pv_unhalt, kvm.hints.realtime=0, kvm.tsc_khz>=1000,"
		"hyperv.isolation_type!=0, xen.hvm.x2apic_virt, vmware.vmcall,"
		"bhyve.ext_dest_id<=0, interface.tcg=0,"
		"smccc.kvm.ptp, smccc.hypervisor=kvm, smccc.arch.workaround_1!=success,"
		"arm.sve=0, arm.midr.partnum>=0xd0c, arm.id_aa64pfr0_el1<=0x1100000001000011,"
		"smbios.present, smbios.version>=0x0300, smbios.type0.vm=0,"
		"smbios.type1.product=\"Standard PC, #1\", smbios.type11.count<=1,"
		"smbios.type11.2!=\"\", smbios.type11.32=x, smbios.type1.uuid!=y,"
		/* the longest key, so check lines past the width are exercised */
		"kvm_hv.ExtendedGvaRangesForFlushVirtualAddressListAvailable!=0x0";

	if (!list.count &&
	    !requirements_add(&list, requirements, sizeof(requirements) - 1, "fuzz", &discard))
		abort();
	hv_scan(&report, source);
	if (report.cpuid_executions > HV_FIXED_LEAVES + HV_BASE_COUNT + HV_LEAF_BUDGET)
		abort();
	if (smccc) {
		smccc_scan(&report.smccc, smccc);
		if (report.smccc.call_count > SMCCC_CALLS_MAX)
			abort();
	}
	if (dump) {
		arm_id_replay(&report.arm_id, &dump->arm_id);
		vcpus_read_dump(&report, dump, false);
		/* every vCPU kept is listed, and only those the dump holds */
		if (dump->cpu_count > 1 && report.vcpus.count != (dump->cpu_count < VCPU_MAX
								  ? dump->cpu_count : VCPU_MAX))
			abort();
	}
	if (smbios)
		report.smbios = *smbios;
	/* The confidential-computing status from hostile leaves alone
	 * (tests/fuzz/fuzz_cvm.c adds a hostile machine and firmware). */
	cvm_examine(&report, NULL, "fuzzed leaves", NULL);
	hv_check(&report, &list);
	hv_judge(&report, &(struct judge_settings){ .waivers = &list.waivers });

	static const enum output_format formats[] = { OUTPUT_TEXT, OUTPUT_JSON, OUTPUT_RAW,
						      OUTPUT_TAP, OUTPUT_JUNIT };
	render_and_check(&report, formats, sizeof(formats) / sizeof(formats[0]));
}

static inline void scan_check_and_render(const struct cpuid_source *source,
					 const struct cpuid_dump *dump,
					 const struct smccc_source *smccc)
{
	scan_check_and_render_with(source, dump, NULL, smccc);
}

static inline void check_problems_render(const struct cpuid_dump *dump)
{
	static char messages[8192];
	struct buffer_sink sink;

	buffer_sink_init(&sink, messages, sizeof(messages));
	render_dump_problems(dump, "fuzz.txt", &sink.sink);
	if (!dump->problem_count || sink.length > sizeof(messages))
		abort();
}

#endif
