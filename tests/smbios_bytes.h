/* SMBIOS entry points built byte by byte from DMTF DSP0134 for the tests:
 * the unit tests and fuzz_smbios on the host, smbios_plant.c in firmware
 * (freestanding C, which both builds take); and, on the host, the core
 * handed them as its callers would. */
#ifndef HVFEAT_TESTS_SMBIOS_BYTES_H
#define HVFEAT_TESTS_SMBIOS_BYTES_H

#include <stddef.h>
#include <stdint.h>

#define SM3_ENTRY_LENGTH 0x18u /* DSP0134 5.2.2 */
#define SM_ENTRY_LENGTH 0x1fu  /* DSP0134 5.2.1 */

static inline void put_le(uint8_t *at, uint64_t value, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++)
		at[i] = (uint8_t)(value >> (8 * i));
}

/* 5.2: the checksum byte at checksum that makes the range add up to zero. */
static inline uint8_t checksum_for(const uint8_t *range, size_t length, size_t checksum)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < length; i++)
		sum = (uint8_t)(sum + (i == checksum ? 0 : range[i]));
	return (uint8_t)(0x100 - sum);
}

static inline void put_text(uint8_t *at, const char *text)
{
	for (size_t i = 0; text[i]; i++)
		at[i] = (uint8_t)text[i];
}

/* 5.2.2, Table 2: the 3.0 entry point. */
static inline void sm3_entry(uint8_t e[SM3_ENTRY_LENGTH], uint8_t major, uint8_t minor,
			     uint32_t max_size, uint64_t address)
{
	for (size_t i = 0; i < SM3_ENTRY_LENGTH; i++)
		e[i] = 0;
	put_text(e, "_SM3_");
	e[6] = SM3_ENTRY_LENGTH;
	e[7] = major;
	e[8] = minor;
	e[9] = 0;      /* docrev */
	e[0x0a] = 1;   /* entry point revision: the 3.0 layout */
	put_le(e + 0x0c, max_size, 4);
	put_le(e + 0x10, address, 8);
	e[5] = checksum_for(e, SM3_ENTRY_LENGTH, 5);
}

/* 5.2.1, Table 1: the 2.1 entry point, with its intermediate "_DMI_" part. */
static inline void sm_entry(uint8_t e[SM_ENTRY_LENGTH], uint8_t major, uint8_t minor,
			    uint16_t length, uint32_t address, uint16_t count)
{
	for (size_t i = 0; i < SM_ENTRY_LENGTH; i++)
		e[i] = 0;
	put_text(e, "_SM_");
	e[5] = SM_ENTRY_LENGTH;
	e[6] = major;
	e[7] = minor;
	put_le(e + 0x08, 0x100, 2); /* maximum structure size */
	put_text(e + 0x10, "_DMI_");
	put_le(e + 0x16, length, 2);
	put_le(e + 0x18, address, 4);
	put_le(e + 0x1c, count, 2);
	e[0x1e] = (uint8_t)(major << 4 | minor); /* BCD revision */
	e[0x15] = checksum_for(e + 0x10, 0x0f, 0x05);
	e[4] = checksum_for(e, SM_ENTRY_LENGTH, 4);
}

#if __STDC_HOSTED__
#include <stdlib.h>
#include <string.h>

#include "smbios.h"

/* smbios_parse given exactly these bytes: copies of their size on the
 * heap, so that a read past them is a sanitizer's (or valgrind's) report. */
static inline void parse_exact_copies(struct smbios_report *m, const uint8_t *entry,
				      size_t entry_length, const uint8_t *table,
				      size_t table_length)
{
	uint8_t *entry_copy = malloc(entry_length ? entry_length : 1);
	uint8_t *table_copy = malloc(table_length ? table_length : 1);

	memcpy(entry_copy, entry, entry_length);
	memcpy(table_copy, table, table_length);
	smbios_parse(m, entry_copy, entry_length, table_copy, table_length);
	free(entry_copy);
	free(table_copy);
}
#endif

#endif
