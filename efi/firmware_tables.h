/* The firmware's configuration tables hvfeat reads (efi/firmware_tables.c),
 * on every architecture. */
#ifndef HVFEAT_FIRMWARE_TABLES_H
#define HVFEAT_FIRMWARE_TABLES_H

/* The ACPI RSDP: the 2.0+ table when the firmware installs one, else the
 * 1.0 table; NULL without ACPI. */
const void *firmware_acpi_rsdp(void);

/* The flattened device tree (UEFI 2.11, 4.6.1.1, EFI_DTB_TABLE_GUID);
 * NULL when the firmware installs none (an ACPI platform usually). */
const void *firmware_device_tree(void);

#endif
