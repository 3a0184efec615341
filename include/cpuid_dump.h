/* Raw dumps in the format of the Linux `cpuid -r` tool, read and written
 * here alone: as `cpuid -r -1` and `hvfeat -r` write them, so firmware and
 * hosts can replay each other's CPUID. */
#ifndef HVFEAT_CPUID_DUMP_H
#define HVFEAT_CPUID_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arm_id.h"
#include "cpuid_source.h"
#include "smccc.h"
#include "text_sink.h"

#define DUMP_MAX_BYTES (1024u * 1024u)
#define DUMP_MAX_RECORDS 4096u      /* of one CPU */
#define DUMP_MAX_RECORDS_ALL 16384u /* of every CPU: more than 1 MiB of cpuid -r */
#define DUMP_MAX_CPUS 256u          /* sections kept; later ones are counted */
#define DUMP_MAX_LINE 200u
#define DUMP_PROBLEMS_KEPT 10u

struct dump_problem {
	uint32_t line; /* 0: the file as a whole */
	const char *reason;
};

/* One "CPU N:" section (cpuid -r without -1 writes one a CPU). */
struct dump_cpu {
	uint32_t number; /* its N, else its place in the file */
	size_t first, count; /* its records */
};

struct cpuid_dump {
	/* The first CPU's records first: records[0..record_count) is what a
	 * replay scans; each later section's follow. */
	struct cpuid_record records[DUMP_MAX_RECORDS_ALL];
	size_t record_count;  /* the first CPU's */
	unsigned cpu_count;   /* CPU sections seen (1 for a dump without headers) */
	size_t cpus_kept;     /* in cpus[]: the first DUMP_MAX_CPUS */
	struct dump_cpu cpus[DUMP_MAX_CPUS];
	size_t problem_count; /* all of them, even past those kept */
	struct dump_problem problems[DUMP_PROBLEMS_KEPT];
	/* An "SMCCC:" section (smccc.h), or a JSON report's "smccc": the
	 * hypervisor calls of an Arm run. */
	struct smccc_recording smccc;
	/* An "Arm ID registers:" section (arm_id.h), or a JSON report's
	 * "arm_id": the CPU an Arm run saw. */
	struct arm_id_recording arm_id;
};

/* Parses a dump; true when every line was understood and it held leaves,
 * SMCCC answers (an "SMCCC:" section), Arm ID registers (an "Arm ID
 * registers:" section, every register), or more than one; each section
 * runs to the next header.
 * Never reads past length, whatever the bytes are. */
bool cpuid_dump_parse(struct cpuid_dump *dump, const char *text, size_t length);

/* For the parsers of other formats (report_reader.c): an empty dump of one
 * CPU; a problem at a line (0: the whole file), and a leaf of the current
 * CPU, refused as a problem when it was given already or its CPU holds
 * DUMP_MAX_RECORDS (DUMP_MAX_RECORDS_ALL in all). */
void cpuid_dump_reset(struct cpuid_dump *dump);
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
