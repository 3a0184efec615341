/* Where CPUID values come from: the instruction itself, or a recording.
 * The scanner only ever sees this interface, so the same code runs in
 * firmware, on a Linux host and in unit tests. */
#ifndef HVFEAT_CPUID_SOURCE_H
#define HVFEAT_CPUID_SOURCE_H

#include <stddef.h>
#include <stdint.h>

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

struct cpuid_source {
	void (*query)(const struct cpuid_source *self, uint32_t leaf,
		      uint32_t subleaf, struct cpuid_regs *out);
	const void *context;
	/* NULL when there is no CPUID to ask (cpuid_source_none) */
	const char *kind;        /* "cpuid", "recording" or "none" */
	const char *description; /* shown in the report: "CPUID instruction" */
};

/* The CPUID instruction of the processor we run on; on AArch64, which has
 * none, cpuid_source_none. */
void cpuid_source_hardware(struct cpuid_source *source);

/* No CPUID at all: an AArch64 processor, or a recording of one (SMCCC
 * answers only). The scan reads nothing. */
void cpuid_source_none(struct cpuid_source *source, const char *description);

struct cpuid_record {
	uint32_t leaf, subleaf;
	struct cpuid_regs regs;
};

struct cpuid_recording {
	const struct cpuid_record *records;
	size_t count;
};

/* Answers from a recording. A leaf it does not hold reads as the processor
 * it came from would answer: all zero (AMD), or the highest basic leaf when
 * leaf 0 says GenuineIntel and the leaf is out of range. */
void cpuid_source_recorded(struct cpuid_source *source,
			   const struct cpuid_recording *recording,
			   const char *description);

#endif
