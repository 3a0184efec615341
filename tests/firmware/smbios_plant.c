/* Test equipment for the firmware tests, never installed: SMBIOS 3.x
 * tables laid out so that they end where their memory ends, for a reader
 * that must stop there (tests/firmware/test_firmware.py, case "smbios").
 *
 *   smbios_plant.efi table|entry|remove
 *
 *   table   a structure table of 32 structures of 256 bytes (OEM type 128,
 *           no strings) and no end-of-table structure, filling the last
 *           two pages of three of its own; its entry point, in the first,
 *           says up to 512 KiB
 *   entry   an entry point whose first 16 bytes end a page of its own
 *   remove  the SMBIOS3 entry taken out of the configuration table
 *
 * table and entry install their entry point under SMBIOS3_TABLE_GUID,
 * which must be free (OVMF under QEMU's default 32-bit entry point
 * publishes SMBIOS_TABLE_GUID's only), and print where they put it. Their
 * pages are of memory types of the range UEFI leaves to OS loaders
 * (0x80000000 up; UEFI 2.x, 7.2 AllocatePages), which no other code of the
 * boot allocates: each allocation is a descriptor of the memory map of its
 * own, and ends where it does. They stay allocated for the boot. */
#include <efi.h>
#include <efilib.h>

#include "../smbios_bytes.h"

#define TABLE_MEMORY_TYPE 0x80687601u
#define ENTRY_MEMORY_TYPE 0x80687602u
#define TABLE_PAGES 2u
#define STRUCTURE_BYTES 256u
#define DECLARED_MAXIMUM 0x80000u
#define ENTRY_BYTES_IN_PAGE 16u

static EFI_STATUS pages(UINT32 type, UINTN count, UINT8 **at)
{
	EFI_PHYSICAL_ADDRESS address;
	EFI_STATUS status = BS->AllocatePages(AllocateAnyPages, type, count, &address);

	*at = EFI_ERROR(status) ? NULL : (UINT8 *)(UINTN)address;
	if (*at)
		SetMem(*at, count * EFI_PAGE_SIZE, 0);
	return status;
}

static EFI_STATUS plant(CHAR16 *what)
{
	UINT8 *memory, *entry;
	VOID *present;
	EFI_STATUS status;

	if (!EFI_ERROR(LibGetSystemConfigurationTable(&SMBIOS3TableGuid, &present))) {
		Print(L"smbios-plant: an SMBIOS3 entry point is there already\n");
		return EFI_ALREADY_STARTED;
	}
	if (!StrCmp(what, L"table")) {
		status = pages(TABLE_MEMORY_TYPE, 1 + TABLE_PAGES, &memory);
		if (EFI_ERROR(status))
			return status;
		UINT8 *table = memory + EFI_PAGE_SIZE;
		for (UINTN at = 0; at < TABLE_PAGES * EFI_PAGE_SIZE; at += STRUCTURE_BYTES) {
			table[at] = 128;                         /* an OEM type */
			table[at + 1] = STRUCTURE_BYTES - 2;    /* then two NULs */
			put_le(table + at + 2, at / STRUCTURE_BYTES, 2); /* handle */
		}
		entry = memory;
		sm3_entry(entry, 3, 0, DECLARED_MAXIMUM, (UINTN)table);
		Print(L"smbios-plant: table at 0x%lx, %d bytes; entry point at 0x%lx\n",
		      (UINT64)(UINTN)table, TABLE_PAGES * EFI_PAGE_SIZE, (UINT64)(UINTN)entry);
	} else if (!StrCmp(what, L"entry")) {
		status = pages(ENTRY_MEMORY_TYPE, 1, &memory);
		if (EFI_ERROR(status))
			return status;
		UINT8 whole[SM3_ENTRY_LENGTH];
		sm3_entry(whole, 3, 0, DECLARED_MAXIMUM, 0);
		entry = memory + EFI_PAGE_SIZE - ENTRY_BYTES_IN_PAGE;
		CopyMem(entry, whole, ENTRY_BYTES_IN_PAGE);
		Print(L"smbios-plant: entry point at 0x%lx, %d bytes of it\n", (UINT64)(UINTN)entry,
		      ENTRY_BYTES_IN_PAGE);
	} else {
		return EFI_INVALID_PARAMETER;
	}
	return BS->InstallConfigurationTable(&SMBIOS3TableGuid, entry);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table)
{
	CHAR16 **argv;
	EFI_STATUS status = EFI_INVALID_PARAMETER;

	InitializeLib(image, system_table);
	INTN argc = GetShellArgcArgv(image, &argv);
	if (argc == 2 && !StrCmp(argv[1], L"remove"))
		status = BS->InstallConfigurationTable(&SMBIOS3TableGuid, NULL);
	else if (argc == 2)
		status = plant(argv[1]);
	if (status == EFI_INVALID_PARAMETER)
		Print(L"smbios-plant: usage: smbios_plant.efi table|entry|remove\n");
	else if (EFI_ERROR(status))
		Print(L"smbios-plant: %r\n", status);
	return status;
}
