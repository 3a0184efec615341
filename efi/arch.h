/* What the firmware shell does on one processor architecture alone:
 * efi/x86_64/arch.c or efi/aarch64/arch.c, whichever the Makefile's ARCH
 * links. main.c calls these and nothing else of either. */
#ifndef HVFEAT_ARCH_H
#define HVFEAT_ARCH_H

#include <efi.h>

#include "hv_report.h"
#include "options.h"

/* Asks the hypervisor what it offers beyond CPUID, on this machine, into
 * the report: the SMCCC calls on AArch64 (report->smccc); nothing on
 * x86_64, whose hypervisors answer through CPUID alone. */
void arch_ask_hypervisor(struct hv_report *report);

/* --probe on this machine: the probes of this architecture, every fault
 * guard and page given back before the report is rendered. */
void arch_probe(struct hv_report *report, const struct hvfeat_options *options);

/* --exit-port, once every file is closed: on x86_64 the exit classes to
 * QEMU's isa-debug-exit port; AArch64's virt machine has no such device,
 * so there the status goes to \hvfeat.status as the shell's startup.nsh
 * records it ("hvfeat exit status 0x..."). */
void arch_exit_port(EFI_HANDLE image, uint8_t classes, EFI_STATUS status);

#endif
