/* Test equipment, never installed: the fault guard of efi/probe_machine.c
 * in real firmware (tests/firmware/test_firmware.py boots it directly).
 * A fault on a guarded instruction (a WRMSR, a TDCALL outside a TD) is
 * caught; closing unregisters the handlers (so a second open can register
 * them again); a fault anywhere else goes back to the firmware, whose own
 * handler reports it. */
#include <efi.h>
#include <efilib.h>

#include "probe_machine.h"

/* MSR_VM_HSAVE_PA: QEMU's TCG raises #GP on a write with reserved bits. */
#define FAULTING_MSR 0xc0010117u

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table)
{
	struct probe_machine machine;
	uint8_t vector = 0;

	InitializeLib(image, system_table);
	for (int round = 1; round <= 2; round++) {
		const char *left;
		const char *why_not = probe_machine_open(&machine, &left);
		if (why_not) {
			Print(L"guard-check: open %d failed: %a\n", round, why_not);
			return EFI_ABORTED;
		}
		bool passed = machine.write_msr(NULL, FAULTING_MSR, 1, &vector);
		Print(L"guard-check: guarded write %d: %a, vector %d\n", round,
		      passed ? "passed" : "caught", vector);
		/* TDCALL outside a TD (Intel TDX module ABI: #UD), as the
		 * confidential-computing status would call it */
		const uint64_t in[3] = { 0, 0, 0 };
		uint64_t status, out[6];
		vector = 0;
		passed = machine.tdcall(NULL, 1, in, &status, out, &vector);
		Print(L"guard-check: guarded TDCALL %d: %a, vector %d\n", round,
		      passed ? "passed" : "caught", vector);
		if (round == 1) {
			left = probe_machine_close(&machine, false);
			Print(L"guard-check: close: %a\n", left ? left : "every handler unregistered");
		}
	}
	Print(L"guard-check: an unguarded ud2 next\n");
	__asm__ volatile("ud2");
	Print(L"guard-check: came back from ud2\n");
	return EFI_SUCCESS;
}
