/* libFuzzer: arbitrary register values from a "hypervisor" that answers
 * every leaf from the input, through scan, checks and every rendering.
 *
 * Input: byte 0 flags (bit 0: hypervisor bit forced on), byte 1 the length
 * of a source description that follows (any bytes, as a dump path can
 * hold), then 16 bytes a leaf. Leaves past the end of the input read as
 * zeros, so most inputs stay small and fast; the worst case, every base
 * answering, is a unit test of its own (test_scan.c). */
#include <stdint.h>
#include <string.h>

#include "fuzz_invariants.h"

struct fuzz_registers {
	const uint8_t *data;
	size_t size;
};

static uint32_t word_at(const struct fuzz_registers *f, size_t offset)
{
	uint32_t word = 0;
	for (size_t i = 0; i < 4 && offset + i < f->size; i++)
		word |= (uint32_t)f->data[offset + i] << (8 * i);
	return word;
}

/* Leaves 0 and 1, then 20 slots a base: its leaves 0-0x10, one for every
 * higher leaf, and two for sub-leaves, so the fuzzer reaches the first
 * bases within a few hundred bytes and can steer each leaf on its own. */
static size_t slot_of(uint32_t leaf, uint32_t subleaf)
{
	uint32_t offset = leaf & 0xff, base = (leaf >> 8) & 0xff;

	if (leaf < 2)
		return leaf;
	if (subleaf)
		return 2 + base * 20 + 0x12 + (subleaf & 1);
	return 2 + base * 20 + (offset <= 0x10 ? offset : 0x11);
}

static void fuzz_query(const struct cpuid_source *self, uint32_t leaf,
		       uint32_t subleaf, struct cpuid_regs *out)
{
	const struct fuzz_registers *f = self->context;
	size_t offset = slot_of(leaf, subleaf) * 16;

	out->eax = word_at(f, offset);
	out->ebx = word_at(f, offset + 4);
	out->ecx = word_at(f, offset + 8);
	out->edx = word_at(f, offset + 12);
	if (leaf == 1 && f->size && (f->data[0] & 1))
		out->ecx |= 0x80000000u; /* mostly scan, sometimes not */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char description[256];
	size_t described = 0;

	/* The description overlaps the registers: each byte serves both. */
	if (size > 2) {
		described = data[1] < size - 2 ? data[1] : size - 2;
		memcpy(description, data + 2, described);
	}
	description[described] = '\0';

	struct fuzz_registers registers = { data, size };
	struct cpuid_source source = { fuzz_query, &registers, "fuzz", description };

	scan_check_and_render(&source, NULL, NULL);
	return 0;
}
