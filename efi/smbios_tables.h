/* The SMBIOS tables the firmware publishes (efi/smbios_tables.c). */
#ifndef HVFEAT_SMBIOS_TABLES_H
#define HVFEAT_SMBIOS_TABLES_H

#include "smbios.h"

/* Finds the SMBIOS 3.x entry point, else the 2.x one, in the EFI
 * configuration table and hands it and its table to the core. */
void smbios_tables_read(struct smbios_report *m);

#endif
