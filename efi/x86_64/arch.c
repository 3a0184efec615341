/* The x86_64 side of the firmware shell (efi/arch.h): the probes on the
 * machine of efi/x86_64/probe_machine.c, and QEMU's isa-debug-exit port. */
#include <efi.h>
#include <efilib.h>

#include "arch.h"
#include "probe_machine.h"

#define DEBUG_EXIT_PORT 0xf4

void arch_ask_hypervisor(struct hv_report *report)
{
	(void)report;
}

void arch_probe(struct hv_report *report, const struct hvfeat_options *options)
{
	struct probe_machine machine;
	const char *left;
	const char *why_not = probe_machine_open(&machine, &left);

	if (why_not) {
		probe_not_run(report, why_not);
		report->probes.handlers_left = left;
		return;
	}
	probe_run(report, &machine, &options->forced);
	report->probes.handlers_left = probe_machine_close(&machine, report->probes.pages_in_use);
}

/* QEMU's isa-debug-exit device ends the VM with exit code (value << 1) | 1,
 * as kvm-unit-tests uses it. Without the device the write goes nowhere. */
void arch_exit_port(EFI_HANDLE image, uint8_t classes, EFI_STATUS status)
{
	UINT32 value = classes;

	(void)image;
	(void)status;
	__asm__ volatile("outl %0, %1" : : "a"(value), "Nd"((UINT16)DEBUG_EXIT_PORT));
}
