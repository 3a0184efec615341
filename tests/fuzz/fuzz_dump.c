/* libFuzzer: arbitrary bytes as a cpuid -r dump (with an SMCCC section or
 * not); whatever parses is then scanned, its CPU sections compared as
 * vCPUs, its SMCCC answers replayed, checked and rendered in every format. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpuid_dump.h"
#include "fuzz_invariants.h"

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
	return 0;
}
