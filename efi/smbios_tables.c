/* SMBIOS from the EFI configuration table (UEFI 2.x, 4.6): the entry
 * points under SMBIOS3_TABLE_GUID and SMBIOS_TABLE_GUID (gnu-efi's
 * SMBIOS3TableGuid and SMBIOSTableGuid). Firmware memory is identity-mapped
 * while boot services run, so the core reads the entry point and the table
 * where they lie, within the lengths it decides and no further than the
 * memory the firmware's memory map has there: a 3.x entry point gives only
 * a maximum size, which the table need not fill. */
#include <efi.h>
#include <efilib.h>

#include "memory_map.h"
#include "smbios_tables.h"

void smbios_tables_read(struct smbios_report *m)
{
	/* 3.x first, as Linux (dmi_scan.c) and systemd-boot (smbios.c) do;
	 * 2.x when there is none or it fails its checks. */
	EFI_GUID *const guids[] = { &SMBIOS3TableGuid, &SMBIOSTableGuid };
	const char *const names[] = { "SMBIOS3 entry point", "SMBIOS entry point" };

	smbios_absent(m, "no SMBIOS3 or SMBIOS entry in the EFI configuration table");
	for (UINTN i = 0; i < sizeof(guids) / sizeof(guids[0]); i++) {
		VOID *entry;
		if (EFI_ERROR(LibGetSystemConfigurationTable(guids[i], &entry)) || !entry)
			continue;
		const UINT8 *bytes = entry;
		UINT64 room;
		const char *why = memory_map_room((UINTN)entry, &room);
		if (!why && room < SMBIOS_ENTRY_POINT_HEAD)
			why = "its anchor and length run past the memory there";
		if (why) {
			smbios_entry_point_unreadable(m, names[i], (UINTN)entry, why);
			continue;
		}
		size_t size = smbios_entry_point_size(bytes);
		if (!smbios_entry_point(m, bytes, size < room ? size : room))
			continue;
		why = memory_map_room(m->table_address, &room);
		if (why) {
			smbios_table_unreadable(m, why);
			continue;
		}
		const UINT8 *table = (const UINT8 *)(UINTN)m->table_address;
		smbios_walk_table(m, table, room < m->table_read ? room : m->table_read);
		return;
	}
}
