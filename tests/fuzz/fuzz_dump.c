/* libFuzzer: arbitrary bytes as a cpuid -r dump (with SMCCC and Arm ID
 * register sections or not); whatever parses is then scanned, its CPU
 * sections compared as vCPUs, its SMCCC answers and ID registers replayed,
 * checked and rendered in every format; the ID registers -r writes read
 * back the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpuid_dump.h"
#include "fuzz_invariants.h"

static void check_arm_id_reads_back(const struct arm_id_recording *recording)
{
	static struct arm_id_report report;
	static struct cpuid_dump again;
	static char text[512];
	struct buffer_sink sink;

	arm_id_replay(&report, recording);
	buffer_sink_init(&sink, text, sizeof(text));
	render_arm_id_dump(&report, &sink.sink);
	if (sink.length >= sizeof(text) || !cpuid_dump_parse(&again, text, sink.length))
		abort();
	for (size_t r = 0; r < ARM_ID_REGISTER_COUNT; r++)
		if (again.arm_id.values[r] != recording->values[r])
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cpuid_dump dump;
	static struct cpuid_recording recording;
	struct cpuid_source source;
	struct smccc_source smccc;

	if (!cpuid_dump_parse(&dump, (const char *)data, size)) {
		check_problems_render(&dump);
		return 0;
	}
	recording.records = dump.records;
	recording.count = dump.record_count;
	if (dump.record_count)
		cpuid_source_recorded(&source, &recording, "fuzz");
	else
		cpuid_source_none(&source, "fuzz");
	smccc_source_recorded(&smccc, &dump.smccc, "fuzz");
	scan_check_and_render(&source, &dump, dump.smccc.present ? &smccc : NULL);
	if (dump.arm_id.present)
		check_arm_id_reads_back(&dump.arm_id);
	return 0;
}
