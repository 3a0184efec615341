/* Test equipment, never installed: the SMCCC guard of
 * efi/aarch64/smccc_machine.c in real firmware (tests/firmware/
 * test_kvm_arm64.py boots it under TCG). With no EL3, an SMC is UNDEFINED
 * (QEMU's virt machine without secure=on): the guarded one must come back
 * trapped; closing unregisters the handler (so a second open can register
 * it again); an SMC outside the guard goes to the firmware, whose own
 * handler reports it. */
#include <efi.h>
#include <efilib.h>

#include "smccc_machine.h"

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table)
{
	InitializeLib(image, system_table);
	for (int round = 1; round <= 2; round++) {
		struct smccc_call call = { .function = SMCCC_VERSION_FUNC_ID };
		const char *why_not = smccc_guard_open();
		if (why_not) {
			Print(L"guard-check: open %d failed: %a\n", round, why_not);
			return EFI_ABORTED;
		}
		smccc_guarded_call(SMCCC_CONDUIT_SMC, &call);
		Print(L"guard-check: guarded smc %d: %a, ESR 0x%08x\n", round,
		      call.trapped ? "trapped" : "answered", call.syndrome);
		const char *left = smccc_guard_close();
		Print(L"guard-check: close: %a\n", left ? left : "the handler unregistered");
	}
	Print(L"guard-check: an unguarded smc next\n");
	__asm__ volatile("mov x0, #0x80000000\n\tsmc #0" ::: "x0", "x1", "x2", "x3", "memory");
	Print(L"guard-check: came back from the smc\n");
	return EFI_SUCCESS;
}
