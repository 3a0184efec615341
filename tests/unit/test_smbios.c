/* The SMBIOS parser on tables built here byte by byte from DMTF DSP0134
 * (3.x): the entry points of 5.2.1 and 5.2.2, type 0 (7.1, Table 6), type
 * 1 (7.2, Table 10), type 11 (7.12) and 127 (7.46), their checksums
 * computed here by the spec's rule (the bytes add up to zero). Then the
 * same tables cut, with wrong checksums, string numbers out of range,
 * strings without their two NULs and lengths that lie; the report's text
 * and JSON of them; their requirement keys; and the corroboration lints on
 * the committed dumps beside built tables. Every table is handed over in a
 * buffer of exactly its size, so the sanitizer and valgrind runs catch a
 * read past it. */
#include "recordings.h"

#include "checks.h"
#include "facts.h"
#include "judge.h"
#include "smbios.h"

#include "../smbios_bytes.h"

#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

struct bytes {
	uint8_t data[1 << 16];
	size_t length;
};

static void put(struct bytes *b, const uint8_t *data, size_t length)
{
	assert_true(b->length + length <= sizeof(b->data));
	memcpy(b->data + b->length, data, length);
	b->length += length;
}

/* A string set: each string and its NUL, then the set's closing NUL (two
 * NULs for a structure without strings). */
static void put_strings(struct bytes *b, const char *const *strings, size_t count)
{
	for (size_t i = 0; i < count; i++)
		put(b, (const uint8_t *)strings[i], strlen(strings[i]) + 1);
	if (!count)
		put(b, BYTES(0));
	put(b, BYTES(0));
}

#define STRINGS(b, ...) put_strings((b), (const char *const[]){ __VA_ARGS__ }, \
				    sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *))

/* Type 0 of the 2.4+ layout (length 18h) with extension byte 2 at 13h. */
static void put_type0(struct bytes *b, uint8_t extension_2)
{
	put(b, BYTES(0x00, 0x18, 0x00, 0x00, /* type 0, length, handle 0 */
		     0x01, 0x02,              /* vendor: string 1, version: 2 */
		     0x00, 0xe8,              /* starting segment E800h */
		     0x03, 0x00,              /* release date: string 3, ROM size */
		     0x08, 0, 0, 0, 0, 0, 0, 0, /* characteristics: not supported */
		     0x00, extension_2,       /* extension bytes 1, 2 */
		     0x00, 0x00, 0xff, 0xff));
	STRINGS(b, "Vendor Inc.", "1.2", "01/02/2023");
}

/* DSP0134 7.2.1's example: {00112233-4455-6677-8899-AABBCCDDEEFF} is
 * stored "33 22 11 00 55 44 77 66 88 99 AA BB CC DD EE FF". */
#define SPEC_UUID 0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, \
		  0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff

/* Type 1 of the 2.4+ layout (length 1Bh). */
static void put_type1(struct bytes *b)
{
	put(b, BYTES(0x01, 0x1b, 0x01, 0x00, 1, 2, 3, 4, SPEC_UUID, 0x06 /* power switch */,
		     5, 6));
	STRINGS(b, "ACME", "Road Runner", "1.0-beta", "SN 12345", "SKU-7", "Looney");
}

static void put_type11(struct bytes *b)
{
	put(b, BYTES(0x0b, 0x05, 0x0b, 0x00, 0x02));
	STRINGS(b, "io.systemd.credential:x=y", "second");
}

static void put_end(struct bytes *b)
{
	put(b, BYTES(0x7f, 0x04, 0x7f, 0x00, 0x00, 0x00));
}

static struct bytes table;

/* Types 0, 1, 11 and the end, in 4 structures. */
static void build_table(uint8_t extension_2)
{
	table.length = 0;
	put_type0(&table, extension_2);
	put_type1(&table);
	put_type11(&table);
	put_end(&table);
}

static struct smbios_report model;

static struct smbios_report *parse(const uint8_t *entry, size_t entry_length,
				   const uint8_t *tab, size_t table_length)
{
	smbios_absent(&model, "built by the test");
	parse_exact_copies(&model, entry, entry_length, tab, table_length);
	return &model;
}

static struct smbios_report *parse_sm3(uint8_t major, uint8_t minor)
{
	uint8_t e[0x18];

	sm3_entry(e, major, minor, (uint32_t)table.length, 0x7f8ef000);
	return parse(e, sizeof(e), table.data, table.length);
}

static struct smbios_report *parse_sm(uint8_t major, uint8_t minor, uint16_t count)
{
	uint8_t e[0x1f];

	sm_entry(e, major, minor, (uint16_t)table.length, 0x000f0000, count);
	return parse(e, sizeof(e), table.data, table.length);
}

static void assert_problem(const struct smbios_report *m, const char *part)
{
	for (size_t i = 0; i < m->problem_count && i < SMBIOS_PROBLEMS_MAX; i++)
		if (strstr(m->problems[i], part))
			return;
	fail_msg("no problem saying \"%s\" among %zu (first: %s)", part, m->problem_count,
		 m->problem_count ? m->problems[0] : "none");
}

static void assert_text(const struct smbios_text *t, const char *expected)
{
	assert_int_equal(t->state, SMBIOS_TEXT_SET);
	assert_string_equal(t->text, expected);
	assert_int_equal(t->length, strlen(expected));
}

static void assert_read_whole(const struct smbios_report *m)
{
	assert_int_equal(m->state, SMBIOS_READ);
	assert_int_equal(m->problem_count, 0);
	assert_int_equal(m->structures, 4);
	assert_true(m->end_of_table);
	assert_int_equal(m->table_walked, table.length);
	assert_text(&m->bios.vendor, "Vendor Inc.");
	assert_text(&m->bios.version, "1.2");
	assert_text(&m->bios.release_date, "01/02/2023");
	assert_text(&m->system.manufacturer, "ACME");
	assert_text(&m->system.product, "Road Runner");
	assert_text(&m->system.version, "1.0-beta");
	assert_text(&m->system.serial, "SN 12345");
	assert_text(&m->system.sku, "SKU-7");
	assert_text(&m->system.family, "Looney");
	assert_int_equal(m->oem.structures, 1);
	assert_int_equal(m->oem.count, 2);
	assert_int_equal(m->oem.kept, 2);
	assert_text(&m->oem.strings[0], "io.systemd.credential:x=y");
	assert_text(&m->oem.strings[1], "second");
}

static void sm3_entry_point_and_its_table(void **state)
{
	(void)state;
	/* QEMU with uefi=on: 0x1c, TCD (2), UEFI (3) and VM (4) */
	build_table(0x1c);
	struct smbios_report *m = parse_sm3(3, 0);

	assert_read_whole(m);
	assert_int_equal(m->entry, SMBIOS_ENTRY_64);
	assert_int_equal(m->major, 3);
	assert_int_equal(m->table_address, 0x7f8ef000);
	assert_true(m->bios.extension_byte_2_present);
	bool set;
	assert_true(smbios_bios_bit(&m->bios, 4, &set) && set);
	assert_true(smbios_bios_bit(&m->bios, 3, &set) && set);
	assert_true(smbios_bios_bit(&m->bios, 0, &set) && !set);
	/* 3.0 >= 2.6: the first three fields little-endian */
	assert_int_equal(m->system.uuid_state, SMBIOS_UUID_SET);
	assert_string_equal(m->system.uuid, "00112233-4455-6677-8899-aabbccddeeff");
}

static void sm_entry_point_and_its_table(void **state)
{
	(void)state;
	/* QEMU without uefi=on: 0x14, TCD and VM */
	build_table(0x14);
	struct smbios_report *m = parse_sm(2, 8, 4);

	assert_read_whole(m);
	assert_int_equal(m->entry, SMBIOS_ENTRY_32);
	assert_int_equal(m->structure_count, 4);
	bool set;
	assert_true(smbios_bios_bit(&m->bios, SMBIOS_BIOS_EXT2_VM, &set) && set);
	assert_true(smbios_bios_bit(&m->bios, SMBIOS_BIOS_EXT2_UEFI, &set) && !set);
	assert_string_equal(m->system.uuid, "00112233-4455-6677-8899-aabbccddeeff");
	/* 5.2.1: the number of structures it gives ends the walk */
	m = parse_sm(2, 8, 2);
	assert_int_equal(m->structures, 2);
	assert_true(m->system.found);
	assert_int_equal(m->oem.structures, 0);
	assert_false(m->end_of_table);
	assert_int_equal(m->problem_count, 0);
	/* The 2.1 erratum's length, 1Eh, is taken (its checksum over 1Eh). */
	uint8_t e[0x1f];
	sm_entry(e, 2, 1, (uint16_t)table.length, 0xf0000, 4);
	e[5] = 0x1e;
	e[4] = checksum_for(e, 0x1e, 4);
	assert_int_equal(parse(e, sizeof(e), table.data, table.length)->state, SMBIOS_READ);
}

/* 7.1.2.2: bits 0 to 6 of extension byte 2 are defined (5 and 6 since
 * 3.5), bit 7 is "reserved for future assignment". */
static void extension_byte_2_reserved_bit(void **state)
{
	(void)state;
	build_table(0xff);
	assert_int_equal(smbios_bios_extension_2_unknown(&parse_sm3(3, 5)->bios), 0x80);
	build_table(0x7f);
	assert_int_equal(smbios_bios_extension_2_unknown(&parse_sm3(3, 5)->bios), 0);
	/* a type 0 of the 2.0 layout (length 12h) has no extension bytes */
	table.length = 0;
	put(&table, BYTES(0x00, 0x12, 0, 0, 1, 0, 0, 0xe8, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0));
	STRINGS(&table, "Vendor");
	put_end(&table);
	assert_int_equal(smbios_bios_extension_2_unknown(&parse_sm3(3, 0)->bios), 0);
}

/* 7.2.1: before 2.6 all 16 bytes are in network order, as stored. */
static void uuid_byte_order_by_version(void **state)
{
	(void)state;
	build_table(0x14);
	assert_string_equal(parse_sm(2, 5, 4)->system.uuid, "33221100-5544-7766-8899-aabbccddeeff");
	assert_string_equal(parse_sm(2, 6, 4)->system.uuid, "00112233-4455-6677-8899-aabbccddeeff");
	assert_string_equal(parse_sm3(3, 0)->system.uuid, "00112233-4455-6677-8899-aabbccddeeff");
}

static void entry_point_checks(void **state)
{
	(void)state;
	build_table(0x1c);
	uint8_t e3[0x18], e2[0x1f];

	sm3_entry(e3, 3, 0, (uint32_t)table.length, 0x1000);
	e3[0x10] ^= 1; /* the address changed, the checksum not */
	struct smbios_report *m = parse(e3, sizeof(e3), table.data, table.length);
	assert_int_equal(m->state, SMBIOS_UNUSABLE);
	assert_problem(m, "_SM3_ entry point: checksum wrong");
	assert_false(m->bios.found);

	sm_entry(e2, 2, 8, (uint16_t)table.length, 0xf0000, 4);
	e2[0x15] ^= 0x40; /* the intermediate checksum */
	e2[4] = (uint8_t)(e2[4] - 0x40);
	assert_int_equal(parse(e2, sizeof(e2), table.data, table.length)->state, SMBIOS_UNUSABLE);
	assert_problem(&model, "intermediate checksum wrong");

	sm_entry(e2, 2, 8, (uint16_t)table.length, 0xf0000, 4);
	memcpy(e2 + 0x10, "_XMI_", 5);
	e2[4] = checksum_for(e2, 0x1f, 4);
	parse(e2, sizeof(e2), table.data, table.length);
	assert_problem(&model, "no _DMI_");

	/* lengths out of range, or more than the bytes given */
	sm3_entry(e3, 3, 0, (uint32_t)table.length, 0x1000);
	e3[6] = 0x10;
	e3[5] = checksum_for(e3, 0x10, 5);
	parse(e3, sizeof(e3), table.data, table.length);
	assert_problem(&model, "_SM3_ entry point: length 0x10");
	sm3_entry(e3, 3, 0, (uint32_t)table.length, 0x1000);
	parse(e3, 0x17, table.data, table.length);
	assert_problem(&model, "_SM3_ entry point: 23 bytes, fewer than its 0x18");
	assert_int_equal(parse(BYTES('_', 'S', 'M', 'X', '_'), table.data, table.length)->state,
			 SMBIOS_UNUSABLE);
	assert_problem(&model, "neither anchor");
	parse(BYTES('_', 'S'), table.data, table.length);
	assert_problem(&model, "neither anchor");

	/* a table at address 0, of 0 bytes, past 52 address bits */
	sm3_entry(e3, 3, 0, (uint32_t)table.length, 0);
	parse(e3, sizeof(e3), table.data, table.length);
	assert_problem(&model, "which is no physical memory");
	sm3_entry(e3, 3, 0, 0, 0x1000);
	parse(e3, sizeof(e3), table.data, table.length);
	assert_problem(&model, "a table of 0 bytes");
	sm3_entry(e3, 3, 0, 0x1000, (1ull << 52) - 0x800);
	assert_int_equal(parse(e3, sizeof(e3), table.data, table.length)->state, SMBIOS_UNUSABLE);

	/* the bytes an entry point says it has, within 7 and 32 */
	sm3_entry(e3, 3, 0, 1, 1);
	assert_int_equal(smbios_entry_point_size(e3), 0x18);
	e3[6] = 0xff;
	assert_int_equal(smbios_entry_point_size(e3), SMBIOS_ENTRY_POINT_MAX);
	sm_entry(e2, 2, 1, 1, 1, 1);
	e2[5] = 0x1e; /* the erratum: still the whole 1Fh, for _DMI_'s checksum */
	assert_int_equal(smbios_entry_point_size(e2), 0x1f);
	static const uint8_t neither[7] = "xxxxxxx";
	assert_int_equal(smbios_entry_point_size(neither), 7);
}

/* Linux (dmi_scan.c) and systemd-boot take 2.x when 3.x fails. */
/* build_table's table read through its 2.x entry point, after a 3.x one
 * refused for problem, the only one. */
static void assert_falls_back_to_sm(const char *problem)
{
	uint8_t e2[SM_ENTRY_LENGTH];

	sm_entry(e2, 2, 8, (uint16_t)table.length, 0xf0000, 4);
	assert_true(smbios_entry_point(&model, e2, sizeof(e2)));
	smbios_walk_table(&model, table.data, table.length);
	assert_int_equal(model.state, SMBIOS_READ);
	assert_int_equal(model.entry, SMBIOS_ENTRY_32);
	assert_int_equal(model.problem_count, 1);
	assert_problem(&model, problem);
	assert_text(&model.system.product, "Road Runner");
}

static void falls_back_to_the_sm_entry_point(void **state)
{
	(void)state;
	build_table(0x1c);
	uint8_t e3[SM3_ENTRY_LENGTH];

	sm3_entry(e3, 3, 0, (uint32_t)table.length, 0x1000);
	e3[5] ^= 1;
	smbios_absent(&model, "test");
	assert_false(smbios_entry_point(&model, e3, sizeof(e3)));
	assert_falls_back_to_sm("_SM3_ entry point: checksum wrong");
}

/* The firmware glue finds an entry point, or the table of one used, where
 * its memory map has no memory: refused, saying why, and the next entry
 * point tried (a 3.x table that cannot be read, as Linux's dmi_scan.c falls
 * back when dmi_walk_early fails). */
static void unreadable_where_it_lies(void **state)
{
	(void)state;
	build_table(0x1c);
	uint8_t e3[SM3_ENTRY_LENGTH];

	smbios_absent(&model, "test");
	smbios_entry_point_unreadable(&model, "SMBIOS3 entry point", 0xfed00000, "not memory");
	assert_int_equal(model.state, SMBIOS_UNUSABLE);
	assert_problem(&model, "SMBIOS3 entry point at 0xfed00000: not memory");

	sm3_entry(e3, 3, 0, (uint32_t)table.length, 0x100000000);
	smbios_absent(&model, "test");
	assert_true(smbios_entry_point(&model, e3, sizeof(e3)));
	smbios_table_unreadable(&model, "no memory there");
	assert_int_equal(model.state, SMBIOS_UNUSABLE);
	assert_falls_back_to_sm("_SM3_ table at 0x100000000: no memory there");
}

static void truncated_tables(void **state)
{
	(void)state;
	build_table(0x1c);
	size_t whole = table.length;
	uint8_t e2[0x1f];

	/* 2.x: fewer bytes than its length; every cut in the middle of a
	 * structure stops the walk there, saying so, with what came before */
	for (size_t cut = 0; cut < whole; cut++) {
		sm_entry(e2, 2, 8, (uint16_t)whole, 0xf0000, 4);
		struct smbios_report *m = parse(e2, sizeof(e2), table.data, cut);
		assert_int_equal(m->state, SMBIOS_READ);
		assert_problem(m, "bytes given, of the");
		assert_true(m->problem_count >= 2);
		assert_true(m->table_walked <= cut);
		assert_false(m->end_of_table);
	}
	/* 3.x: a maximum; without type 127 in it (52 + 76 + 39 bytes of types
	 * 0, 1 and 11) */
	table.length = whole - 6;
	struct smbios_report *m = parse_sm3(3, 0);
	assert_int_equal(m->structures, 3);
	assert_problem(m, "table: no end-of-table structure (type 127) in its 167 bytes");
	/* 3.x: fewer bytes given than its maximum (in firmware, where the
	 * memory map's memory ends), none of them type 127 */
	uint8_t e3[0x18];
	sm3_entry(e3, 3, 0, 0x80000, 0x7f8ef000);
	m = parse(e3, sizeof(e3), table.data, table.length);
	assert_int_equal(m->table_walked, table.length);
	assert_int_equal(m->problem_count, 1);
	assert_problem(m, "table: no end-of-table structure (type 127) in the 167 bytes "
			  "given, of up to 524288");
	/* 2.x: fewer structures than it gives */
	m = parse_sm(2, 8, 9);
	assert_problem(m, "3 structures in its");
}

static void malformed_structures(void **state)
{
	(void)state;
	/* a formatted length below the header's 4 */
	table.length = 0;
	put(&table, BYTES(0x01, 0x03, 0, 0, 0, 0));
	put_end(&table);
	struct smbios_report *m = parse_sm3(3, 0);
	assert_problem(m, "structure 1 (type 1) at 0x0: formatted length 3");
	assert_int_equal(m->structures, 0);
	assert_false(m->system.found);

	/* a formatted length past the table */
	table.length = 0;
	put_type0(&table, 0x1c);
	put(&table, BYTES(0x01, 0xfe, 0, 0, 1, 0, 0));
	m = parse_sm3(3, 0);
	assert_true(m->bios.found);
	assert_problem(m, "structure 2 (type 1)");
	assert_problem(m, "formatted length 254, not from 4 to the 7 bytes left");

	/* strings that never end with two NULs */
	table.length = 0;
	put_type0(&table, 0x1c);
	put(&table, BYTES(0x0b, 0x05, 0, 0, 1, 'a', 'b', 0, 'c'));
	m = parse_sm3(3, 0);
	assert_problem(m, "its strings do not end with two NULs");
	assert_int_equal(m->oem.structures, 0);
	/* ... nor with one */
	table.length = 0;
	put(&table, BYTES(0x0b, 0x05, 0, 0, 1, 'a', 'b'));
	assert_int_equal(parse_sm3(3, 0)->structures, 0);
	assert_problem(&model, "its strings do not end with two NULs");
	/* a header cut */
	table.length = 0;
	put_end(&table);
	table.length = 3;
	assert_problem(parse_sm3(3, 0), "3 bytes left, fewer than a header's 4");

	/* a second type 0 is not decoded */
	table.length = 0;
	put_type0(&table, 0x1c);
	put(&table, BYTES(0x00, 0x14, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
	STRINGS(&table, "Second");
	put_end(&table);
	m = parse_sm3(3, 0);
	assert_problem(m, "structure 2: a second type 0, not decoded");
	assert_text(&m->bios.vendor, "Vendor Inc.");
}

static void string_numbers(void **state)
{
	(void)state;
	/* type 1 naming strings 5 and 9 of the 4 it holds, none (0) for the
	 * serial; a 2.1-layout type 1 (length 19h) has no SKU nor family */
	table.length = 0;
	put(&table, BYTES(0x01, 0x19, 0x01, 0x00, 1, 5, 9, 0, SPEC_UUID, 0x06));
	STRINGS(&table, "A", "B", "C", "D");
	put_end(&table);
	struct smbios_report *m = parse_sm3(3, 0);
	assert_text(&m->system.manufacturer, "A");
	assert_int_equal(m->system.product.state, SMBIOS_TEXT_BAD_INDEX);
	assert_int_equal(m->system.product.index, 5);
	assert_int_equal(m->system.version.state, SMBIOS_TEXT_BAD_INDEX);
	assert_int_equal(m->system.serial.state, SMBIOS_TEXT_NONE);
	assert_int_equal(m->system.sku.state, SMBIOS_TEXT_ABSENT);
	assert_int_equal(m->system.family.state, SMBIOS_TEXT_ABSENT);
	assert_problem(m, "type 1 product name: string 5, of the 4 the structure holds");
	assert_problem(m, "type 1 version: string 9, of the 4");
	/* a structure without strings: two NULs, every number out of range */
	table.length = 0;
	put(&table, BYTES(0x00, 0x12, 0, 0, 1, 2, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
	put_end(&table);
	m = parse_sm3(3, 0);
	assert_int_equal(m->bios.vendor.state, SMBIOS_TEXT_BAD_INDEX);
	assert_false(m->bios.extension_byte_2_present); /* length 12h: no byte 2 */
	bool set;
	assert_false(smbios_bios_bit(&m->bios, SMBIOS_BIOS_EXT2_VM, &set));
	assert_problem(m, "type 0 vendor: string 1, of the 0");
	/* type 11 with a Count past its strings */
	table.length = 0;
	put(&table, BYTES(0x0b, 0x05, 0, 0, 3));
	STRINGS(&table, "one");
	put_end(&table);
	m = parse_sm3(3, 0);
	assert_int_equal(m->oem.count, 3);
	assert_text(&m->oem.strings[0], "one");
	assert_int_equal(m->oem.strings[1].state, SMBIOS_TEXT_BAD_INDEX);
	assert_problem(m, "type 11 structure 1: Count 3, of the 1 strings it holds");
}

static void bounds(void **state)
{
	(void)state;
	/* a 3.x maximum of 4 GiB: read to SMBIOS_TABLE_MAX, walked to 127 */
	build_table(0x1c);
	uint8_t e3[0x18];
	sm3_entry(e3, 3, 0, 0xffffffff, 0x100000000ull);
	struct smbios_report *m = parse(e3, sizeof(e3), table.data, table.length);
	assert_int_equal(m->table_read, SMBIOS_TABLE_MAX);
	assert_problem(m, "a table of up to 4294967295 bytes; the first 1048576 are read");
	assert_true(m->end_of_table);
	assert_int_equal(m->problem_count, 1);

	/* 5000 structures: walked to 4096 */
	static struct bytes many;
	many.length = 0;
	for (int i = 0; i < 5000; i++)
		put(&many, BYTES(0xc8, 0x04, 0, 0, 0, 0));
	sm3_entry(e3, 3, 0, (uint32_t)many.length, 0x1000);
	m = parse(e3, sizeof(e3), many.data, many.length);
	assert_int_equal(m->structures, SMBIOS_STRUCTURES_MAX);
	assert_problem(m, "the walk stops after 4096 structures");

	/* a string of 300 bytes: 128 kept, its length counted; 40 OEM
	 * strings in two structures: 32 kept, 40 counted */
	char longer[301];
	memset(longer, 'x', 300);
	longer[300] = '\0';
	table.length = 0;
	put(&table, BYTES(0x01, 0x1b, 0x01, 0x00, 1, 1, 1, 1, SPEC_UUID, 0x06, 1, 1));
	STRINGS(&table, longer);
	for (int s = 0; s < 2; s++) {
		put(&table, BYTES(0x0b, 0x05, 0, 0, 20));
		for (int i = 0; i < 20; i++) {
			char text[16];
			snprintf(text, sizeof(text), "%d", s * 20 + i + 1);
			put(&table, (const uint8_t *)text, strlen(text) + 1);
		}
		put(&table, BYTES(0));
	}
	put_end(&table);
	m = parse_sm3(3, 0);
	assert_int_equal(m->problem_count, 0);
	assert_int_equal(m->system.product.length, 300);
	assert_int_equal(strlen(m->system.product.text), SMBIOS_TEXT_MAX);
	assert_int_equal(m->oem.structures, 2);
	assert_int_equal(m->oem.count, 40);
	assert_int_equal(m->oem.kept, SMBIOS_OEM_STRINGS_MAX);
	assert_text(&m->oem.strings[31], "32");

	/* more problems than kept: all counted */
	table.length = 0;
	for (int i = 0; i < 12; i++) {
		put(&table, BYTES(0x0b, 0x05, 0, 0, 1));
		STRINGS(&table);
	}
	put_end(&table);
	m = parse_sm3(3, 0);
	assert_int_equal(m->problem_count, 12);
	assert_problem(m, "type 11 structure 8:");
}

/* The report of a scan with these tables beside it, judged. */
static struct hv_report *report_with_tables(struct hv_report *r, uint8_t major, uint8_t minor)
{
	uint8_t e3[0x18];

	sm3_entry(e3, major, minor, (uint32_t)table.length, 0x7f8ef000);
	smbios_absent(&r->smbios, "test");
	smbios_parse(&r->smbios, e3, sizeof(e3), table.data, table.length);
	hv_judge(r, &(struct judge_settings){ .strict = false });
	return r;
}

static const char *json_of(const struct hv_report *r)
{
	static char json[1 << 20];
	struct buffer_sink sink;

	buffer_sink_init(&sink, json, sizeof(json) - 1);
	render_json(r, &sink.sink);
	json[sink.length] = '\0';
	return json;
}

static void renderings(void **state)
{
	(void)state;
	build_table(0x9c); /* 7, reserved, and VM, UEFI, TCD */
	struct hv_report *r = report_with_tables(scan_dump_file("kvm-guest-intel.txt"), 3, 0);
	const char *text = text_of(r);

	assert_contains(text, "\nSMBIOS (firmware tables, DMTF DSP0134):\n"
			      "  entry point: _SM3_, SMBIOS 3.0.0, table at 0x7f8ef000\n");
	assert_contains(text, "  type 0 (BIOS):\n    vendor: \"Vendor Inc.\"\n");
	assert_contains(text, "    characteristics extension byte 2 = 0x9c\n");
	assert_contains(text, "    yes  4 VirtualMachineSupported ");
	assert_contains(text, "    yes  3 UefiSpecificationSupported ");
	assert_contains(text, "    no   0 BiosBootSpecIsSupported ");
	assert_contains(text, "    yes  7 (unknown) ");
	assert_contains(text, "    product name: \"Road Runner\"\n");
	assert_contains(text, "    uuid: 00112233-4455-6677-8899-aabbccddeeff\n");
	assert_contains(text, "  type 11 (OEM strings): 2 in 1 structure\n"
			      "    1: \"io.systemd.credential:x=y\"\n    2: \"second\"\n");
	const char *json = json_of(r);
	assert_contains(json, "\"type1\": {\"manufacturer\": \"ACME\", \"product\": \"Road Runner\"");
	assert_contains(json, "\"uuid\": \"00112233-4455-6677-8899-aabbccddeeff\"");
	assert_contains(json, "\"unknown_bits\": [7], \"vm\": true, \"uefi\": true}");
	assert_contains(json, "\"strings\": [\"io.systemd.credential:x=y\", \"second\"]");

	/* hostile bytes: escape sequences, quotes, backslashes, high bytes,
	 * and a string far past a console line */
	table.length = 0;
	put(&table, BYTES(0x00, 0x14, 0, 0, 1, 2, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0x10));
	char wide[200];
	memset(wide, '\x7f', sizeof(wide) - 1);
	wide[sizeof(wide) - 1] = '\0';
	STRINGS(&table, "\x1b[2J\"q\\\xff", wide);
	put_end(&table);
	r = report_with_tables(scan_dump_file("kvm-guest-intel.txt"), 3, 0);
	text = text_of(r); /* every line within 79 columns */
	assert_contains(text, "    vendor: \"\\x1b[2J\\\"q\\\\\\xff\"\n");
	assert_contains(text, "\\x7f\"... (199 bytes)\n");
	json = json_of(r);
	assert_contains(json, "\"vendor\": \"\\u001b[2J\\\"q\\\\\\u00ff\"");
	assert_contains(json, "\"cut\": [\"type0.version\"]");
	/* a cut string whose end would pass the width (fuzz_smbios's find):
	 * 13 + 66 columns, then 11 + 62, and the closing part on a line of
	 * its own */
	char as[201];
	memset(as, 'a', 200);
	as[200] = '\0';
	table.length = 0;
	put(&table, BYTES(0x00, 0x14, 0, 0, 1, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0x10));
	STRINGS(&table, as);
	put_end(&table);
	const char *cut = text_of(report_with_tables(scan_dump_file("kvm-guest-intel.txt"), 3, 0));
	char expected[512];
	snprintf(expected, sizeof(expected), "    vendor: \"%.66s\n           %.62s\n"
		 "           \"... (200 bytes)\n", as, as);
	assert_contains(cut, expected);

	/* problems listed, wrapped, with their count */
	table.length = 0;
	for (int i = 0; i < 10; i++) {
		put(&table, BYTES(0x0b, 0x05, 0, 0, 2));
		STRINGS(&table);
	}
	r = report_with_tables(scan_dump_file("kvm-guest-intel.txt"), 3, 0);
	text = text_of(r);
	assert_contains(text, "  problems: 11\n    - type 11 structure 1: Count 2, of the 0 "
			      "strings it holds\n");
	assert_contains(text, "    (3 more)\n");
	assert_contains(json_of(r), "\"problem_count\": 11, \"problems\": [");

	/* not read, absent */
	r = scan_dump_file("kvm-guest-intel.txt");
	smbios_not_read(&r->smbios, NOT_READ_FROM_RECORDING);
	hv_judge(r, &(struct judge_settings){ .strict = false });
	assert_contains(text_of(r), "\nSMBIOS (firmware tables, DMTF DSP0134): not read: CPUID "
				    "came from a recording,\n      not this machine\n");
	assert_contains(json_of(r), "\"state\": \"not_read\", \"reason\": \"CPUID came from a "
				    "recording, not this machine\",\n    \"entry_point\": null");
	smbios_absent(&r->smbios, "/sys/firmware/dmi/tables/smbios_entry_point: No such file");
	smbios_set_sys_hypervisor(&r->smbios, "xen\n", 4);
	assert_contains(text_of(r), "): none:\n      /sys/firmware/dmi/tables/smbios_entry_point: "
				    "No such file\n  Linux /sys/hypervisor/type: \"xen\"\n");
	assert_contains(json_of(r), "\"sys_hypervisor_type\": \"xen\"");
}

/* Where the type 1 UUID of build_table's table starts. */
static size_t uuid_offset(void)
{
	size_t at = 0;

	while (table.data[at] != 0x01 || table.data[at + 1] != 0x1b)
		at++;
	return at + 8;
}

/* DSP0134 7.2.1: "If the value is all FFh, the ID is not currently present
 * in the system, but it can be set. If the value is all 00h, the ID is not
 * present in the system." dmidecode (dmi_system_uuid) prints "Not Present"
 * for all FFh and "Not Settable" for all 00h (QEMU without -uuid). */
static void uuid_that_is_none(void **state)
{
	(void)state;
	build_table(0x14);
	memset(table.data + uuid_offset(), 0xff, 16);
	struct hv_report *r = report_with_tables(scan_dump_file("kvm-guest-intel.txt"), 3, 0);
	assert_int_equal(r->smbios.system.uuid_state, SMBIOS_UUID_NOT_PRESENT);
	assert_contains(text_of(r), "    uuid: ffffffff-ffff-ffff-ffff-ffffffffffff (Not Present)\n"
				    "      all FFh: not currently present, but it can be set\n");
	assert_contains(json_of(r), "\"uuid\": \"ffffffff-ffff-ffff-ffff-ffffffffffff\", "
				    "\"uuid_state\": \"not_present\"");

	memset(table.data + uuid_offset(), 0x00, 16);
	r = report_with_tables(scan_dump_file("kvm-guest-intel.txt"), 3, 0);
	assert_int_equal(r->smbios.system.uuid_state, SMBIOS_UUID_NOT_SETTABLE);
	assert_contains(text_of(r), "    uuid: 00000000-0000-0000-0000-000000000000 (Not Settable)\n"
				    "      all 00h: not present in the system\n");
	assert_contains(json_of(r), "\"uuid\": \"00000000-0000-0000-0000-000000000000\", "
				    "\"uuid_state\": \"not_settable\"");
}

static const char *fact(const struct hv_report *r, const char *key, struct fact_value *value)
{
	struct fact_ref ref;

	if (!fact_resolve(key, &ref))
		fail_msg("%s is no fact key", key);
	return fact_value(r, &ref, value);
}

/* The value of key, which must be known and of that type. */
static void known_fact(const struct hv_report *r, const char *key, enum fact_type type,
		       struct fact_value *value)
{
	const char *why = fact(r, key, value);

	if (why)
		fail_msg("%s: %s", key, why);
	assert_int_equal(value->type, type);
}

static void assert_fact_text(const struct hv_report *r, const char *key, const char *expected)
{
	struct fact_value value;

	known_fact(r, key, FACT_TEXT, &value);
	assert_string_equal(value.text, expected);
}

static void assert_fact_number(const struct hv_report *r, const char *key, uint64_t expected)
{
	struct fact_value value;

	known_fact(r, key, FACT_NUMBER, &value);
	assert_int_equal(value.number, expected);
}

static void assert_no_fact(const struct hv_report *r, const char *key, const char *why)
{
	struct fact_value value;
	const char *said = fact(r, key, &value);

	assert_non_null(said);
	assert_string_equal(said, why);
}

static void requirement_keys(void **state)
{
	(void)state;
	build_table(0x14);
	struct hv_report *r = report_with_tables(scan_dump_file("kvm-guest-intel.txt"), 2, 8);

	assert_fact_number(r, "smbios.present", 1);
	assert_fact_number(r, "smbios.version", 0x0208);
	assert_fact_number(r, "smbios.problems", 0);
	assert_fact_text(r, "smbios.type0.vendor", "Vendor Inc.");
	assert_fact_text(r, "SMBIOS.Type0.Version", "1.2");
	assert_fact_text(r, "smbios.type0.release_date", "01/02/2023");
	assert_fact_number(r, "smbios.type0.vm", 1);
	assert_fact_number(r, "smbios.type0.uefi", 0);
	assert_fact_text(r, "smbios.type1.manufacturer", "ACME");
	assert_fact_text(r, "smbios.type1.product", "Road Runner");
	assert_fact_text(r, "smbios.type1.version", "1.0-beta");
	assert_fact_text(r, "smbios.type1.serial", "SN 12345");
	assert_fact_text(r, "smbios.type1.uuid", "00112233-4455-6677-8899-aabbccddeeff");
	assert_fact_text(r, "smbios.type1.sku", "SKU-7");
	assert_fact_text(r, "smbios.type1.family", "Looney");
	assert_fact_number(r, "smbios.type11.count", 2);
	assert_fact_text(r, "smbios.type11.1", "io.systemd.credential:x=y");
	assert_fact_text(r, "smbios.type11.2", "second");
	assert_no_fact(r, "smbios.type11.3", "no OEM string of that number");
	struct fact_ref ref;
	assert_false(fact_resolve("smbios.type11.0", &ref));
	assert_false(fact_resolve("smbios.type11.33", &ref));
	assert_false(fact_resolve("smbios.type1.products", &ref));

	/* a short type 1 and type 0, strings out of range */
	table.length = 0;
	put(&table, BYTES(0x00, 0x12, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
	STRINGS(&table, "one");
	put(&table, BYTES(0x01, 0x08, 0x01, 0x00, 1, 0, 0, 0));
	STRINGS(&table, "M");
	put_end(&table);
	r = report_with_tables(scan_dump_file("kvm-guest-intel.txt"), 2, 8);
	assert_fact_number(r, "smbios.problems", 1);
	assert_no_fact(r, "smbios.type0.vendor", "not specified (string 0)");
	assert_no_fact(r, "smbios.type0.version",
		       "its string number is past the structure's strings");
	assert_no_fact(r, "smbios.type0.vm", "type 0 has no characteristics extension byte 2");
	assert_fact_text(r, "smbios.type1.manufacturer", "M");
	assert_no_fact(r, "smbios.type1.sku", "no such field");
	assert_no_fact(r, "smbios.type1.uuid", "type 1 has no UUID field");
	assert_fact_number(r, "smbios.type11.count", 0);
	assert_no_fact(r, "smbios.type11.1", "no OEM string of that number");

	/* no tables, none usable, not read */
	smbios_absent(&r->smbios, "nowhere");
	assert_fact_number(r, "smbios.present", 0);
	assert_no_fact(r, "smbios.type1.product", "no SMBIOS tables");
	uint8_t bad[0x18];
	sm3_entry(bad, 3, 0, 10, 10);
	bad[5] ^= 1;
	smbios_parse(&r->smbios, bad, sizeof(bad), table.data, table.length);
	assert_fact_number(r, "smbios.present", 0);
	assert_fact_number(r, "smbios.problems", 1);
	assert_no_fact(r, "smbios.version", "no usable SMBIOS entry point");
	smbios_not_read(&r->smbios, NOT_READ_FROM_RECORDING);
	assert_no_fact(r, "smbios.present", "SMBIOS not read");
	assert_no_fact(r, "smbios.type11.count", "SMBIOS not read");

	/* --list-keys */
	static char listing[16384];
	struct buffer_sink sink;
	buffer_sink_init(&sink, listing, sizeof(listing) - 1);
	render_fact_keys(&sink.sink);
	listing[sink.length] = '\0';
	assert_contains(listing, "\nsmbios.* (SMBIOS, DMTF DSP0134: types 0, 1 and 11):\n");
	assert_contains(listing, "  smbios.type11.N ");
	assert_contains(listing, "  smbios.type1.uuid ");
}

static const struct result *lint(struct hv_report *r, const char *name)
{
	for (size_t i = 0; i < r->results.count; i++)
		if (strcmp(r->results.items[i].label, name) == 0)
			return &r->results.items[i];
	fail_msg("no result %s", name);
	return NULL;
}

static void expect(struct hv_report *r, const char *name, enum outcome outcome,
		   const char *detail)
{
	const struct result *result = lint(r, name);

	if (result->outcome != outcome)
		fail_msg("%s: %s (%s), expected %s", name, outcome_name(result->outcome),
			 result->detail, outcome_name(outcome));
	if (detail && !strstr(result->detail, detail))
		fail_msg("%s: \"%s\" lacks \"%s\"", name, result->detail, detail);
}

#define HIDDEN "lint.smbios.hidden-hypervisor"
#define WITHOUT_VM_BIT "lint.smbios.hypervisor-without-vm-bit"

/* A committed dump as QEMU's -cpu options would change it: -hypervisor
 * clears CPUID.1:ECX[31] (KVM's leaves still answer), kvm=off answers
 * 0x40000000 and 0x40000001 with zeros (the bit stays). */
static struct hv_report *dump_changed(const char *name, bool clear_bit, bool no_signature)
{
	static char text[DUMP_MAX_BYTES + 1], path[256];
	static struct cpuid_dump parsed;
	static struct cpuid_recording recording;
	struct cpuid_source source;

	snprintf(path, sizeof(path), "%s/%s", DUMPS_DIR, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t length = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	assert_true(cpuid_dump_parse(&parsed, text, length));
	for (size_t i = 0; i < parsed.record_count; i++) {
		struct cpuid_record *record = &parsed.records[i];
		if (clear_bit && record->leaf == 1)
			record->regs.ecx &= ~HYPERVISOR_BIT;
		if (no_signature && (record->leaf == 0x40000000 || record->leaf == 0x40000001))
			record->regs = (struct cpuid_regs){ 0 };
	}
	recording.records = parsed.records;
	recording.count = parsed.record_count;
	cpuid_source_recorded(&source, &recording, name);
	hv_scan(&test_report, &source);
	return &test_report;
}

/* Every committed dump sets CPUID.1:ECX[31] and answers 0x40000000 with a
 * signature (their leaf 1 ECX has bit 31 set: 0xf7f83203, 0xfffa3203,
 * 0xfef83203, ...), so beside a VM bit they agree, and beside a clear
 * one only CPUID tells. */
static void corroboration_on_committed_dumps(void **state)
{
	(void)state;
	static const char *const dumps[] = {
		"kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt",
		"kvm-real-6.1.0-56-amd64-qemu-7.2-hv-all.txt",
		"kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt",
		"kvm-guest-intel.txt", "hyperv-kvm.txt", "hyperv-snp.txt", "xen-hvm.txt",
		"xen-viridian.txt", "vmware.txt", "bhyve.txt",
	};
	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		build_table(0x14);
		struct hv_report *r = report_with_tables(scan_dump_file(dumps[i]), 2, 8);
		expect(r, HIDDEN, OUTCOME_PASS, "SMBIOS type 0 says virtual machine; CPUID agrees");
		expect(r, WITHOUT_VM_BIT, OUTCOME_PASS, NULL);
		build_table(0x00);
		r = report_with_tables(scan_dump_file(dumps[i]), 2, 8);
		expect(r, HIDDEN, OUTCOME_NOT_APPLICABLE, "does not say virtual machine");
		expect(r, WITHOUT_VM_BIT, OUTCOME_INFO, "SMBIOS 2.8 type 0 does not say virtual");
		/* a replay: SMBIOS not read, nothing judged */
		r = scan_dump_file(dumps[i]);
		smbios_not_read(&r->smbios, NOT_READ_FROM_RECORDING);
		hv_judge(r, &(struct judge_settings){ .strict = false });
		expect(r, HIDDEN, OUTCOME_NOT_APPLICABLE, "SMBIOS not read: CPUID came from");
		expect(r, WITHOUT_VM_BIT, OUTCOME_NOT_APPLICABLE, "SMBIOS not read");
	}

	/* The real KVM guest's dump under -hypervisor, kvm=off and both,
	 * beside QEMU's type 0 (VM bit set): a hidden hypervisor, warned
	 * (medium), whatever CPUID still shows */
	const char *real = "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt";
	build_table(0x14);
	struct hv_report *r = report_with_tables(dump_changed(real, true, false), 2, 8);
	expect(r, HIDDEN, OUTCOME_WARN, "CPUID.1:ECX[31] is clear (KVM answers unasked): the "
					"hypervisor hides from the OS");
	expect(r, WITHOUT_VM_BIT, OUTCOME_NOT_APPLICABLE, "hypervisor bit clear");
	assert_int_equal(lint(r, HIDDEN)->severity, SEVERITY_MEDIUM);
	r = report_with_tables(dump_changed(real, false, true), 2, 8);
	expect(r, HIDDEN, OUTCOME_WARN, "the hypervisor bit is set, no signature at any base");
	expect(r, WITHOUT_VM_BIT, OUTCOME_PASS, NULL);
	r = report_with_tables(dump_changed(real, true, true), 2, 8);
	expect(r, HIDDEN, OUTCOME_WARN, "CPUID.1:ECX[31] is clear: the hypervisor hides");
	assert_true(r->verdict.passed); /* a warning: fails only --strict */
	hv_judge(r, &(struct judge_settings){ .strict = true });
	assert_false(r->verdict.passed);
	/* bare metal: neither says VM */
	build_table(0x00);
	r = report_with_tables(dump_changed(real, true, true), 2, 8);
	expect(r, HIDDEN, OUTCOME_NOT_APPLICABLE, NULL);
	expect(r, WITHOUT_VM_BIT, OUTCOME_NOT_APPLICABLE, "hypervisor bit clear");
	/* tables without a type 0, or a type 0 too short for byte 2 */
	table.length = 0;
	put_type1(&table);
	put_end(&table);
	r = report_with_tables(scan_dump_file(real), 2, 8);
	expect(r, HIDDEN, OUTCOME_NOT_APPLICABLE, "no SMBIOS type 0 structure");
	expect(r, WITHOUT_VM_BIT, OUTCOME_NOT_APPLICABLE, "no SMBIOS type 0 structure");
	table.length = 0;
	put(&table, BYTES(0x00, 0x13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
	STRINGS(&table);
	r = report_with_tables(scan_dump_file(real), 2, 3);
	expect(r, HIDDEN, OUTCOME_NOT_APPLICABLE, "no characteristics extension byte 2");
}

/* --require on the keys, passing and failing as the tables say. */
static void requirements_on_the_tables(void **state)
{
	(void)state;
	static struct requirement_list list;
	static char errors[1024];
	struct buffer_sink sink;
	const char *text = "smbios.present, smbios.version>=0x0206, smbios.problems=0,"
			   "smbios.type0.vm, smbios.type0.uefi=0,"
			   "smbios.type1.product=\"Road Runner\", smbios.type1.family!=Looney,"
			   "smbios.type1.uuid=00112233-4455-6677-8899-aabbccddeeff,"
			   "smbios.type11.count=2, smbios.type11.1=\"io.systemd.credential:x=y\","
			   "smbios.type11.2=Second, smbios.type11.3=x";

	build_table(0x14);
	struct hv_report *r = scan_dump_file("kvm-guest-intel.txt");
	report_with_tables(r, 2, 8);
	list.count = 0;
	buffer_sink_init(&sink, errors, sizeof(errors) - 1);
	if (!requirements_add(&list, text, strlen(text), "--require", &sink.sink)) {
		errors[sink.length] = '\0';
		fail_msg("%s", errors);
	}
	hv_check(r, &list);
	hv_judge(r, &(struct judge_settings){ .strict = false });
	static const bool passes[] = { true, true, true, true, true, true, false, true, true,
				       true, false, false };
	assert_int_equal(r->check_count, sizeof(passes) / sizeof(passes[0]));
	for (size_t i = 0; i < r->check_count; i++)
		if (r->checks[i].passed != passes[i])
			fail_msg("%s: %s", r->checks[i].requirement.text,
				 r->checks[i].passed ? "passed" : "failed");
	expect(r, "require.smbios.type1.family", OUTCOME_FAIL,
	       "smbios.type1.family != \"Looney\": found \"Looney\"");
	expect(r, "require.smbios.type11.3", OUTCOME_FAIL,
	       "smbios.type11.3 = \"x\": not known: no OEM string of that number");
	expect(r, "require.smbios.type1.product", OUTCOME_PASS, "found \"Road Runner\"");
	/* a replay: every one fails, not known */
	smbios_not_read(&r->smbios, NOT_READ_FROM_RECORDING);
	hv_check(r, &list);
	for (size_t i = 0; i < r->check_count; i++)
		assert_false(r->checks[i].passed);
	hv_judge(r, &(struct judge_settings){ .strict = false });
	expect(r, "require.smbios.present", OUTCOME_FAIL,
	       "smbios.present = 1: not known: SMBIOS not read");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sm3_entry_point_and_its_table),
		cmocka_unit_test(sm_entry_point_and_its_table),
		cmocka_unit_test(extension_byte_2_reserved_bit),
		cmocka_unit_test(uuid_byte_order_by_version),
		cmocka_unit_test(entry_point_checks),
		cmocka_unit_test(falls_back_to_the_sm_entry_point),
		cmocka_unit_test(unreadable_where_it_lies),
		cmocka_unit_test(truncated_tables),
		cmocka_unit_test(malformed_structures),
		cmocka_unit_test(string_numbers),
		cmocka_unit_test(bounds),
		cmocka_unit_test(renderings),
		cmocka_unit_test(uuid_that_is_none),
		cmocka_unit_test(requirement_keys),
		cmocka_unit_test(requirements_on_the_tables),
		cmocka_unit_test(corroboration_on_committed_dumps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
