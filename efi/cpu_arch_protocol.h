/* UEFI PI 1.7, volume 2, 12.3: EFI_CPU_ARCH_PROTOCOL, through which both
 * architectures' fault guards register their exception handlers
 * (efi/x86_64/probe_machine.c, efi/aarch64/smccc_machine.c). gnu-efi does
 * not declare it; only RegisterInterruptHandler is used. */
#ifndef HVFEAT_CPU_ARCH_PROTOCOL_H
#define HVFEAT_CPU_ARCH_PROTOCOL_H

#include <efi.h>

#define CPU_ARCH_PROTOCOL_GUID \
	{ 0x26baccb1, 0x6f42, 0x11d4, { 0xbc, 0xe7, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 } }

typedef VOID(EFIAPI *INTERRUPT_HANDLER)(EFI_EXCEPTION_TYPE type, EFI_SYSTEM_CONTEXT context);

struct cpu_arch_protocol {
	void *flush_data_cache, *enable_interrupt, *disable_interrupt,
		*get_interrupt_state, *init;
	EFI_STATUS(EFIAPI *register_interrupt_handler)(struct cpu_arch_protocol *self,
						       EFI_EXCEPTION_TYPE type,
						       INTERRUPT_HANDLER handler);
	/* further members unused */
};

#endif
