/* The configuration tables of the UEFI system table, found by GUID. */
#include <efi.h>
#include <efilib.h>

#include "firmware_tables.h"

/* UEFI 2.11, 4.6.1.1: b1b621d5-f19c-41a5-830b-d9152c69aae0 */
#define DTB_TABLE_GUID \
	{ 0xb1b621d5, 0xf19c, 0x41a5, { 0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0 } }

static const void *table_by_guid(EFI_GUID guid)
{
	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++)
		if (!CompareGuid(&ST->ConfigurationTable[i].VendorGuid, &guid))
			return ST->ConfigurationTable[i].VendorTable;
	return NULL;
}

const void *firmware_acpi_rsdp(void)
{
	const void *rsdp = table_by_guid((EFI_GUID)ACPI_20_TABLE_GUID);

	return rsdp ? rsdp : table_by_guid((EFI_GUID)ACPI_TABLE_GUID);
}

const void *firmware_device_tree(void)
{
	return table_by_guid((EFI_GUID)DTB_TABLE_GUID);
}
