/* SMBIOS (DMTF DSP0134): the firmware's own account of the machine, read
 * beside CPUID. The entry point (SMBIOS 3.x "_SM3_", else 2.x "_SM_" with
 * "_DMI_") and the structure table it points to are handed over as bytes
 * by the firmware glue (the EFI configuration table) or the host build
 * (/sys/firmware/dmi/tables); smbios.c checks and walks them, never reading
 * past what it was given, and keeps types 0, 1 and 11 in this model. What
 * is wrong with them is a problem in the model, shown, never a crash. */
#ifndef HVFEAT_SMBIOS_H
#define HVFEAT_SMBIOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "facts.h"

/* An entry point's bytes hvfeat reads: 0x1f (2.1) and 0x18 (3.0) fit, and
 * so does any length up to 0x20, which dmidecode also accepts. */
#define SMBIOS_ENTRY_POINT_MAX 32u
/* The bytes that hold an entry point's anchor and its length byte. */
#define SMBIOS_ENTRY_POINT_HEAD 7u
/* Bytes of a structure table walked: a 2.x table is at most 0xffff; a 3.x
 * entry point gives only a maximum size, up to 4 GiB. */
#define SMBIOS_TABLE_MAX (1u << 20)
#define SMBIOS_STRUCTURES_MAX 4096u
/* A string's bytes kept; its whole length is counted. */
#define SMBIOS_TEXT_MAX 128u
#define SMBIOS_OEM_STRINGS_MAX 32u
#define SMBIOS_PROBLEMS_MAX 8u
#define SMBIOS_PROBLEM_MAX 112u
#define SMBIOS_REASON_MAX 160u
#define SMBIOS_SYS_HYPERVISOR_MAX 32u

enum smbios_state {
	SMBIOS_NOT_READ, /* not looked for, or could not be read: reason says why */
	SMBIOS_ABSENT,   /* looked for, no entry point: reason says where */
	SMBIOS_UNUSABLE, /* entry points found, none passed its checks */
	SMBIOS_READ,     /* an entry point used and its table walked */
};

enum smbios_entry_kind {
	SMBIOS_ENTRY_32, /* "_SM_": SMBIOS 2.1 (32-bit) entry point, DSP0134 5.2.1 */
	SMBIOS_ENTRY_64, /* "_SM3_": SMBIOS 3.0 (64-bit) entry point, DSP0134 5.2.2 */
};

enum smbios_text_state {
	SMBIOS_TEXT_ABSENT,    /* no such structure, or the field lies past its length */
	SMBIOS_TEXT_NONE,      /* string number 0: none given */
	SMBIOS_TEXT_SET,
	SMBIOS_TEXT_BAD_INDEX, /* a string number past the strings the structure holds */
};

/* A string field: its bytes as the table holds them (renderers escape
 * them), the first SMBIOS_TEXT_MAX kept and NUL-terminated. */
struct smbios_text {
	enum smbios_text_state state;
	uint8_t index;
	size_t length;
	char text[SMBIOS_TEXT_MAX + 1];
};

/* DSP0134 7.2.1: a UUID of all FFh is "not currently present in the
 * system, but it can be set", one of all 00h "not present in the system";
 * the states take dmidecode's names for them (dmi_system_uuid). */
enum smbios_uuid_state {
	SMBIOS_UUID_ABSENT,       /* no type 1, or one too short to hold it */
	SMBIOS_UUID_NOT_PRESENT,  /* all FFh */
	SMBIOS_UUID_NOT_SETTABLE, /* all 00h */
	SMBIOS_UUID_SET,
};

/* What a UUID that is none means, by its state (NULLs for the others):
 * dmidecode's word and DSP0134 7.2.1's meaning. */
struct smbios_uuid_meaning {
	const char *dmidecode;
	const char *meaning;
};
extern const struct smbios_uuid_meaning smbios_uuid_meanings[];

/* Type 0, BIOS Information (DSP0134 7.1): the first such structure. */
struct smbios_bios {
	bool found;
	struct smbios_text vendor, version, release_date;
	bool extension_byte_2_present; /* a formatted length past 0x13 */
	uint8_t extension_byte_2;      /* 7.1.2.2 */
};

/* Type 1, System Information (DSP0134 7.2): the first such structure. */
struct smbios_system {
	bool found;
	struct smbios_text manufacturer, product, version, serial, sku, family;
	enum smbios_uuid_state uuid_state;
	uint8_t uuid_bytes[16]; /* as the table holds them */
	char uuid[37];          /* RFC 4122 text, lower case, in 7.2.1's byte order */
};

/* Type 11, OEM Strings (DSP0134 7.12): every such structure's, in order. */
struct smbios_oem_strings {
	size_t structures;
	size_t count; /* their Count fields, summed */
	size_t kept;  /* strings kept, of count: at most SMBIOS_OEM_STRINGS_MAX */
	struct smbios_text strings[SMBIOS_OEM_STRINGS_MAX];
};

struct smbios_report {
	enum smbios_state state;
	char reason[SMBIOS_REASON_MAX]; /* NOT_READ and ABSENT: why */
	/* The entry point used (READ), or the last one refused (UNUSABLE). */
	enum smbios_entry_kind entry;
	uint8_t major, minor, docrev;  /* docrev: 3.x only */
	uint64_t table_address;
	uint32_t table_length;         /* 2.x: the length; 3.x: the maximum size */
	uint16_t structure_count;      /* 2.x: the number of structures it gives */
	size_t table_read;             /* bytes of the table to read: the length, bounded */
	size_t table_walked;           /* bytes walked */
	size_t structures;             /* structures walked */
	bool end_of_table;             /* type 127 reached */
	struct smbios_bios bios;
	struct smbios_system system;
	struct smbios_oem_strings oem;
	size_t problem_count; /* every problem; the first SMBIOS_PROBLEMS_MAX kept */
	char problems[SMBIOS_PROBLEMS_MAX][SMBIOS_PROBLEM_MAX];
	/* Linux's /sys/hypervisor/type (the host build; Xen fills it): its
	 * first line, bytes as read. */
	bool sys_hypervisor_present;
	char sys_hypervisor_type[SMBIOS_SYS_HYPERVISOR_MAX + 1];
};

/* Starts a model: nothing read, and why (NOT_READ_FROM_RECORDING, "the
 * tables are readable by root only"). */
void smbios_not_read(struct smbios_report *m, const char *why);

/* Starts a model that looked and found no entry point yet, saying where it
 * looked; smbios_entry_point then tries the entry points found. */
void smbios_absent(struct smbios_report *m, const char *where);

/* The bytes an entry point says it has (its length byte), from its first
 * SMBIOS_ENTRY_POINT_HEAD bytes, within SMBIOS_ENTRY_POINT_HEAD and
 * SMBIOS_ENTRY_POINT_MAX: how many to hand to smbios_entry_point. */
size_t smbios_entry_point_size(const uint8_t *head);

/* Checks an entry point of length bytes (anchor, length, checksums,
 * version, table address): true when it is used, and then m says where its
 * table is and how many bytes of it to read (table_read). False records
 * why it was refused; the caller may try the next one (2.x after 3.x, as
 * Linux and systemd-boot do). */
bool smbios_entry_point(struct smbios_report *m, const uint8_t *bytes, size_t length);

/* An entry point (name: where it was found) or the table of the one used
 * that cannot be read where it lies, and why (in firmware: the UEFI memory
 * map has no memory there): a problem, and the model unusable until the
 * next entry point the caller may try. */
void smbios_entry_point_unreadable(struct smbios_report *m, const char *name,
				   uint64_t address, const char *why);
void smbios_table_unreadable(struct smbios_report *m, const char *why);

/* Walks the table of the entry point used: length bytes given (the first
 * m->table_read of them are walked). */
void smbios_walk_table(struct smbios_report *m, const uint8_t *table, size_t length);

/* Both, as the host build and the tests have them: the entry point, then,
 * if used, the table. */
void smbios_parse(struct smbios_report *m, const uint8_t *entry, size_t entry_length,
		  const uint8_t *table, size_t table_length);

/* The first line of Linux's /sys/hypervisor/type, of length bytes. */
void smbios_set_sys_hypervisor(struct smbios_report *m, const char *text, size_t length);

/* The anchor of an entry point of that kind: "_SM3_" or "_SM_". */
const char *smbios_anchor(enum smbios_entry_kind entry);

/* Type 0's characteristics extension byte 2 (DSP0134 7.1.2.2), a bit a
 * row: edk2's identifier (MdePkg SmBios.h, MBCE_SYSTEM_RESERVED), the
 * spec's meaning. */
struct smbios_bit {
	unsigned bit;
	const char *id;
	const char *meaning;
};
extern const struct smbios_bit smbios_bios_extension_2_bits[];
extern const size_t smbios_bios_extension_2_bit_count;
#define SMBIOS_BIOS_EXT2_UEFI 3u /* UefiSpecificationSupported */
#define SMBIOS_BIOS_EXT2_VM 4u   /* VirtualMachineSupported */

/* Bit of extension byte 2, when the structure has the byte. */
bool smbios_bios_bit(const struct smbios_bios *bios, unsigned bit, bool *set);

/* The set bits of extension byte 2 that no row of
 * smbios_bios_extension_2_bits defines; 0 without the byte. */
uint8_t smbios_bios_extension_2_unknown(const struct smbios_bios *bios);

/* Requirement keys (facts.h): smbios.present, smbios.type1.product, ... */
extern const struct fact_family smbios_facts;

#endif
