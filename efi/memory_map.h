/* Where the firmware's UEFI memory map has memory (efi/memory_map.c): what
 * the firmware glue checks before it reads bytes another party placed,
 * the SMBIOS tables and the SEV-SNP CPUID page. */
#ifndef HVFEAT_MEMORY_MAP_H
#define HVFEAT_MEMORY_MAP_H

#include <efi.h>

/* NULL, with the bytes from address to the end of the descriptor of memory
 * (not MMIO, I/O ports or unusable memory) that holds it; else why no
 * such descriptor does. */
const char *memory_map_room(EFI_PHYSICAL_ADDRESS address, UINT64 *room);

/* NULL when [address, address + length) lies in one descriptor of memory;
 * else why not. */
const char *memory_map_holds(EFI_PHYSICAL_ADDRESS address, UINT64 length);

#endif
