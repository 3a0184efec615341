/* AArch64 has no CPUID: its hypervisors answer through SMCCC instead
 * (efi/aarch64/arch.c). */
#include "cpuid_source.h"

void cpuid_source_hardware(struct cpuid_source *source)
{
	cpuid_source_none(source, "no CPUID on AArch64: the hypervisor is asked through SMCCC");
}
