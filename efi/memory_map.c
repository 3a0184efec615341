/* The firmware's memory map (UEFI 2.x, 7.2 GetMemoryMap), read afresh on
 * each question: it changes as the firmware allocates. */
#include <efi.h>
#include <efilib.h>

#include "memory_map.h"

/* Descriptors of a memory map this large or smaller fit: OVMF's have a
 * few dozen. */
static UINT8 memory_map[16384] __attribute__((aligned(8)));

const char *memory_map_room(EFI_PHYSICAL_ADDRESS address, UINT64 *room)
{
	UINTN size = sizeof(memory_map), key, descriptor_size;
	UINT32 version;

	if (EFI_ERROR(BS->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)memory_map, &key,
				       &descriptor_size, &version)) ||
	    descriptor_size < sizeof(EFI_MEMORY_DESCRIPTOR))
		return "the memory map could not be read";
	for (UINTN offset = 0; offset + descriptor_size <= size; offset += descriptor_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const EFI_MEMORY_DESCRIPTOR *)(memory_map + offset);
		UINT64 end = d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE;
		if (address < d->PhysicalStart || address >= end)
			continue;
		if (d->Type == EfiMemoryMappedIO || d->Type == EfiMemoryMappedIOPortSpace ||
		    d->Type == EfiUnusableMemory)
			return "it is not memory in the firmware's map";
		*room = end - address;
		return NULL;
	}
	return "no descriptor of the memory map holds it";
}

const char *memory_map_holds(EFI_PHYSICAL_ADDRESS address, UINT64 length)
{
	UINT64 room;
	const char *why = memory_map_room(address, &room);

	return why ? why : length > room ? "no descriptor of the memory map holds it" : NULL;
}
