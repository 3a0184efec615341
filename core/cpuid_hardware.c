#include "cpuid_source.h"

static void hardware_query(const struct cpuid_source *self, uint32_t leaf,
			   uint32_t subleaf, struct cpuid_regs *out)
{
	(void)self;
	/* Not __get_cpuid(): it refuses leaves above the basic maximum,
	 * which is every hypervisor leaf. */
	__asm__ volatile("cpuid"
			 : "=a"(out->eax), "=b"(out->ebx), "=c"(out->ecx),
			   "=d"(out->edx)
			 : "a"(leaf), "c"(subleaf));
}

void cpuid_source_hardware(struct cpuid_source *source)
{
	source->query = hardware_query;
	source->context = NULL;
	source->kind = "cpuid";
	source->description = "CPUID instruction";
}
