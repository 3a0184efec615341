/* libFuzzer: arbitrary register values from a "hypervisor" that answers
 * every leaf from the input, through scan, checks and every rendering. */
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
	for (size_t i = 0; i < 4; i++)
		word |= (uint32_t)f->data[(offset + i) % f->size] << (8 * i);
	return word;
}

static void fuzz_query(const struct cpuid_source *self, uint32_t leaf,
		       uint32_t subleaf, struct cpuid_regs *out)
{
	const struct fuzz_registers *f = self->context;

	if (!f->size) {
		*out = (struct cpuid_regs){ 0 };
		return;
	}
	/* Leaves 0 and 1 first, then each hypervisor leaf at its own place, so
	 * the fuzzer can steer each one. */
	size_t slot = leaf < 2 ? leaf : 2 + ((leaf & 0xffff) ^ (subleaf << 12));
	size_t offset = slot * 16;
	out->eax = word_at(f, offset);
	out->ebx = word_at(f, offset + 4);
	out->ecx = word_at(f, offset + 8);
	out->edx = word_at(f, offset + 12);
	if (leaf == 1 && (f->data[0] & 1))
		out->ecx |= 0x80000000u; /* mostly scan, sometimes not */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_registers registers = { data, size };
	struct cpuid_source source = { fuzz_query, &registers, "fuzz", "fuzzed registers" };

	scan_check_and_render(&source);
	return 0;
}
