/* Raw dumps in the format of the Linux `cpuid -r` tool, read and written
 * here alone: as `cpuid -r -1` and `hvfeat -r` write them, so firmware and
 * hosts can replay each other's CPUID. */
#ifndef HVFEAT_CPUID_DUMP_H
#define HVFEAT_CPUID_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuid_source.h"
#include "smccc.h"
#include "text_sink.h"

#define DUMP_MAX_BYTES (1024u * 1024u)
#define DUMP_MAX_RECORDS 4096u
#define DUMP_MAX_LINE 200u
#define DUMP_PROBLEMS_KEPT 10u

struct dump_problem {
	uint32_t line; /* 0: the file as a whole */
	const char *reason;
};

struct cpuid_dump {
	struct cpuid_record records[DUMP_MAX_RECORDS];
	size_t record_count;
	unsigned cpu_count;   /* CPU headers seen; only the first CPU is kept */
	size_t problem_count; /* all of them, even past those kept */
	struct dump_problem problems[DUMP_PROBLEMS_KEPT];
	/* An "SMCCC:" section (smccc.h): the hypervisor calls of an Arm run. */
	struct smccc_recording smccc;
};

/* Parses a dump; true when every line was understood and it held leaves,
 * SMCCC answers (an "SMCCC:" section, up to a "CPU:" line), or both.
 * Never reads past length, whatever the bytes are. */
bool cpuid_dump_parse(struct cpuid_dump *dump, const char *text, size_t length);

/* For the parsers of other formats (report_reader.c): a problem at a line
 * (0: the whole file), and a leaf, refused as a problem when it was given
 * already or DUMP_MAX_RECORDS are kept. */
void cpuid_dump_add_problem(struct cpuid_dump *dump, uint32_t line, const char *reason);
void cpuid_dump_add_record(struct cpuid_dump *dump, uint32_t line,
			   const struct cpuid_record *record);

/* One leaf as `cpuid -r` prints it:
 * "   0xLEAF 0xSUB: eax=0x... ebx=0x... ecx=0x... edx=0x..." */
void cpuid_dump_line(uint32_t leaf, uint32_t subleaf, const struct cpuid_regs *regs,
		     struct text_sink *out);

/* "hvfeat: NAME:LINE: reason" for each problem kept, then how many more. */
void render_dump_problems(const struct cpuid_dump *dump, const char *name,
			  struct text_sink *out);

#endif
