/* What the firmware shell does on one processor architecture alone:
 * efi/x86_64/arch.c or efi/aarch64/arch.c, whichever the Makefile's ARCH
 * links. main.c calls these and nothing else of either. */
#ifndef HVFEAT_ARCH_H
#define HVFEAT_ARCH_H

#include <efi.h>

#include "hv_report.h"
#include "options.h"

/* Between the scan and the checks, on this machine, what only this
 * architecture can examine, every fault guard and page given back before
 * the report is rendered: on x86_64 the confidential-computing status
 * (SEV_STATUS, TDCALL) through the fault guard, then, when probes, the
 * probes; on AArch64 the SMCCC calls (report->smccc), the ID registers
 * (report->arm_id), the confidential-computing status from the firmware
 * alone, then the AArch64 probes. */
void arch_examine(struct hv_report *report, const struct hvfeat_options *options, bool probes);

/* The scan's leaves on every other processor, into report->vcpus: on
 * x86_64 through EFI_MP_SERVICES_PROTOCOL; AArch64 has no CPUID to
 * compare. */
void arch_read_vcpus(struct hv_report *report);

/* --exit-port, once every file is closed: on x86_64 the exit classes to
 * QEMU's isa-debug-exit port; AArch64's virt machine has no such device,
 * so there the status goes to \hvfeat.status as the shell's startup.nsh
 * records it ("hvfeat exit status 0x..."). */
void arch_exit_port(EFI_HANDLE image, uint8_t classes, EFI_STATUS status);

#endif
