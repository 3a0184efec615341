/* The x86_64 side of the firmware shell (efi/arch.h): the confidential-
 * computing status and the probes on the machine of
 * efi/x86_64/probe_machine.c, and QEMU's isa-debug-exit port. */
#include <efi.h>
#include <efilib.h>

#include "arch.h"
#include "cvm_firmware.h"
#include "mp_services.h"
#include "probe_machine.h"

#define DEBUG_EXIT_PORT 0xf4

/* The confidential-computing status through the fault guard, then (asked
 * for) the probes, which it decides about. */
void arch_read_vcpus(struct hv_report *report)
{
	struct vcpu_source source;
	const char *why_not = mp_services_open();

	if (why_not) {
		vcpus_not_read(report, why_not);
		return;
	}
	mp_services_vcpu_source(&source);
	vcpus_read(report, &source);
}

void arch_examine(struct hv_report *report, const struct hvfeat_options *options, bool probes)
{
	static struct cvm_firmware firmware;
	struct probe_machine machine;
	const char *left;

	cvm_firmware_read(&firmware);
	const char *why_not = probes ? probe_machine_open(&machine, &left)
				     : probe_machine_open_guard(&machine, &left);
	cvm_examine(report, why_not ? NULL : &machine, why_not, &firmware);
	if (probes && why_not)
		probe_not_run(report, why_not);
	else if (probes) {
		mp_services_probe_vcpus(&machine);
		probe_run(report, &machine, &options->forced);
	}
	if (!why_not)
		left = probe_machine_close(&machine, report->probes.pages_in_use);
	if (probes)
		report->probes.handlers_left = left;
	else
		report->cvm.handlers_left = left;
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
