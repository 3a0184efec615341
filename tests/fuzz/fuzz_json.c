/* libFuzzer: arbitrary bytes as a JSON report, as --baseline and -f read
 * one. The JSON reader must keep to its bounds (depth, kept strings) and
 * say on which line it stopped; whatever reads as a report is scanned
 * (its leaves, then its SMCCC answers and its Arm ID registers), judged
 * against itself (exactly one drift result: drift.baseline, pass) and
 * against fixed baselines (a real KVM guest's leaves, a real arm64 KVM
 * guest's ID registers and SMCCC answers) both ways, rendered within the
 * README's bounds, and the policy --write-policy would write for it reads
 * back and passes on it. */
#include <stdint.h>
#include <string.h>

#include "drift.h"
#include "fuzz_invariants.h"
#include "json_reader.h"
#include "judge.h"
#include "report_reader.h"

static NOT_COVERED bool kept_string(const char *text, size_t length)
{
	return length <= JSON_STRING_KEPT && text[length] == '\0' && strlen(text) == length;
}

/* What the reader hands over stays within what it promises. */
static bool check_value(struct json_reader *reader, enum json_event event,
			const struct json_scalar *scalar)
{
	if (reader->depth > JSON_MAX_DEPTH)
		abort();
	for (size_t i = 0; i < reader->depth; i++)
		if (reader->path[i].in_object &&
		    !kept_string(reader->path[i].key, reader->path[i].key_length))
			abort();
	if (event == JSON_EVENT_STRING && !kept_string(scalar->string, scalar->string_length))
		abort();
	if (event == JSON_EVENT_NUMBER && !scalar->is_integer && scalar->integer)
		abort();
	return true;
}

/* KVM under QEMU 7.2 -cpu host on Linux 6.1: the committed recording's
 * basic and hypervisor leaves. */
static const struct cpuid_record kvm_host[] = {
	{ 0x00000000, 0, { 0x0000000d, 0x68747541, 0x444d4163, 0x69746e65 } },
	{ 0x00000001, 0, { 0x00800f12, 0x00000800, 0xfed83203, 0x178bfbff } },
	{ 0x40000000, 0, { 0x40000001, 0x4b4d564b, 0x564b4d56, 0x0000004d } },
	{ 0x40000001, 0, { 0x01007afb, 0x00000000, 0x00000000, 0x00000000 } },
};

/* KVM on arm64 under QEMU 7.2 on Linux 6.1: the committed recording
 * (tests/dumps/arm64), read once. */
static const char kvm_arm64[] =
	"Arm ID registers:\n"
	"   MIDR_EL1         0x00000000000f0510\n"
	"   ID_AA64PFR0_EL1  0x1101001121110222\n"
	"   ID_AA64PFR1_EL1  0x0000000000000021\n"
	"   ID_AA64DFR0_EL1  0x0000000010305506\n"
	"   ID_AA64ISAR1_EL1 0x0011111110211102\n"
	"SMCCC:\n"
	"   conduit hvc (ACPI FADT ARM boot flags 0x0003)\n"
	"   0x80000000 0x0: x0=0x10001\n"
	"   0x80000001 0x80008000: x0=0x1\n"
	"   0x80000001 0x80007fff: x0=0xffffffffffffffff\n"
	"   0x80000001 0x80003fff: x0=0xffffffffffffffff\n"
	"   0x80000001 0x80000004: x0=0xffffffffffffffff\n"
	"   0x80000001 0x80000002: x0=0xffffffffffffffff\n"
	"   0x80000001 0xc5000020: x0=0x0\n"
	"   0x8600ff01 0x0: x0=0xb66fb428 x1=0xe911c52e x2=0x564bcaa9 x3=0x743a004d\n"
	"   0x86000000 0x0: x0=0x3\n"
	"   0xc5000020 0xc5000020: x0=0x0\n"
	"   0xc5000020 0xc5000021: x0=0x0\n"
	"   0x84000050 0x0: x0=0x10000\n"
	"   0x84000051 0x84000052: x0=0x0\n"
	"   0x84000051 0x84000053: x0=0x0\n"
	"   0x84000051 0xc4000053: x0=0x0\n"
	"   0x84000052 0x0: x0=0xe0210d x1=0xeb118443 x2=0x44527080 x3=0x4c5a4e55\n";

static void render_checked(const struct hv_report *report)
{
	static char rendered[512 * 1024];
	struct buffer_sink sink;

	buffer_sink_init(&sink, rendered, sizeof(rendered));
	render_text(report, &sink.sink);
	if (sink.length >= sizeof(rendered))
		abort();
	check_text(rendered, sink.length);
	buffer_sink_init(&sink, rendered, sizeof(rendered));
	render_json(report, &sink.sink);
	if (sink.length >= sizeof(rendered))
		abort();
	check_json(rendered, sink.length, report);
}

/* report judged against baseline and the other way round, each rendered */
static void both_ways(struct hv_report *report, struct hv_report *baseline)
{
	hv_judge(report, &(struct judge_settings){ .baseline = baseline });
	render_checked(report);
	hv_judge(baseline, &(struct judge_settings){ .baseline = report });
	render_checked(baseline);
}

static void policy_round_trip(struct hv_report *report)
{
	static char policy[POLICY_MAX_BYTES + 1];
	static struct requirement_list list;
	struct buffer_sink sink;

	buffer_sink_init(&sink, policy, sizeof(policy));
	size_t count = render_policy(report, &sink.sink);
	if (sink.length > POLICY_MAX_BYTES)
		abort(); /* a policy hvfeat could not read */
	if (count > MAX_REQUIREMENTS)
		return; /* refused by --write-policy, with a message */
	list.count = 0;
	list.waivers.count = 0;
	if (!requirements_add(&list, policy, sink.length, "written", &discard) ||
	    list.count != count)
		abort();
	hv_check(report, &list);
	if (hv_failed_checks(report))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cpuid_dump dump, fixed, arm64;
	static struct cpuid_recording recording, fixed_recording;
	static struct hv_report report, baseline;
	struct json_reader reader = { .value = check_value };
	struct cpuid_source source;
	struct smccc_source smccc;
	const char *text = (const char *)data;

	if (!json_read(&reader, text, size) && (!reader.error || !reader.line))
		abort();
	if (!report_json_parse(&dump, text, size)) {
		check_problems_render(&dump);
		return 0;
	}
	recording.records = dump.records;
	recording.count = dump.record_count;
	cpuid_source_recorded(&source, &recording, "fuzz.json");
	hv_scan(&report, &source);
	if (dump.smccc.present) {
		smccc_source_recorded(&smccc, &dump.smccc, "fuzz.json");
		smccc_scan(&report.smccc, &smccc);
	}
	arm_id_replay(&report.arm_id, &dump.arm_id);

	/* against itself: nothing differs */
	hv_judge(&report, &(struct judge_settings){ .baseline = &report });
	for (size_t i = 0; i < report.results.count; i++) {
		const struct result *r = &report.results.items[i];
		if (!strncmp(r->label, "drift.", 6) &&
		    (strcmp(r->label, "drift.baseline") || r->outcome != OUTCOME_PASS))
			abort();
	}

	/* against a real KVM guest and a real arm64 KVM guest, both ways */
	if (!fixed.record_count) {
		fixed.record_count = sizeof(kvm_host) / sizeof(kvm_host[0]);
		memcpy(fixed.records, kvm_host, sizeof(kvm_host));
		fixed_recording.records = fixed.records;
		fixed_recording.count = fixed.record_count;
	}
	cpuid_source_recorded(&source, &fixed_recording, "golden");
	hv_scan(&baseline, &source);
	both_ways(&report, &baseline);
	if (!arm64.smccc.present && !cpuid_dump_parse(&arm64, kvm_arm64, sizeof(kvm_arm64) - 1))
		abort();
	cpuid_source_none(&source, "golden arm64");
	hv_scan(&baseline, &source);
	smccc_source_recorded(&smccc, &arm64.smccc, "golden arm64");
	smccc_scan(&baseline.smccc, &smccc);
	arm_id_replay(&baseline.arm_id, &arm64.arm_id);
	both_ways(&report, &baseline);

	policy_round_trip(&report);
	return 0;
}
