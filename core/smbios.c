/* The SMBIOS parser (smbios.h), after DMTF DSP0134 3.x: the entry points of
 * 5.2.1 and 5.2.2, the structures of 6.1 (a formatted area, then strings
 * ended by two NULs), types 0, 1, 11 and 127. Every read is bounded by the
 * bytes given, every walk by SMBIOS_TABLE_MAX and SMBIOS_STRUCTURES_MAX. */
#include "smbios.h"

#include "bytes.h"
#include "text_sink.h"

/* Physical addresses have at most 52 bits (Intel SDM and AMD APM:
 * MAXPHYADDR); a table past them cannot be memory the firmware gave. */
#define PHYSICAL_ADDRESS_LIMIT (1ull << 52)

#define ENTRY_32_LENGTH 0x1fu /* DSP0134 5.2.1 */
#define ENTRY_32_ERRATUM 0x1eu /* SMBIOS 2.1 gave 1Eh by mistake (dmidecode, Linux take it) */
#define ENTRY_64_LENGTH 0x18u /* DSP0134 5.2.2 */
#define HEADER_LENGTH 4u     /* type, length, handle: DSP0134 6.1.2 */
#define END_OF_TABLE 127u    /* DSP0134 7.46 */

/* Type 0 (7.1, Table 6), type 1 (7.2, Table 10), type 11 (7.12) offsets. */
enum {
	T0_VENDOR = 0x04, T0_VERSION = 0x05, T0_RELEASE_DATE = 0x08, T0_EXTENSION_2 = 0x13,
	T1_MANUFACTURER = 0x04, T1_PRODUCT = 0x05, T1_VERSION = 0x06, T1_SERIAL = 0x07,
	T1_UUID = 0x08, T1_SKU = 0x19, T1_FAMILY = 0x1a,
	T11_COUNT = 0x04,
};

const struct smbios_bit smbios_bios_extension_2_bits[] = {
	{ 0, "BiosBootSpecIsSupported", "BIOS Boot Specification supported" },
	{ 1, "FunctionKeyNetworkBootIsSupported", "network boot by function key" },
	{ 2, "TargetContentDistributionEnabled", "targeted content distribution" },
	{ SMBIOS_BIOS_EXT2_UEFI, "UefiSpecificationSupported", "UEFI Specification supported" },
	{ SMBIOS_BIOS_EXT2_VM, "VirtualMachineSupported", "table describes a virtual machine" },
	{ 5, "ManufacturingModeSupported", "manufacturing mode supported" },
	{ 6, "ManufacturingModeEnabled", "manufacturing mode enabled" },
};
const size_t smbios_bios_extension_2_bit_count =
	sizeof(smbios_bios_extension_2_bits) / sizeof(smbios_bios_extension_2_bits[0]);

const struct smbios_uuid_meaning smbios_uuid_meanings[] = {
	[SMBIOS_UUID_NOT_PRESENT] = { "Not Present",
				      "all FFh: not currently present, but it can be set" },
	[SMBIOS_UUID_NOT_SETTABLE] = { "Not Settable", "all 00h: not present in the system" },
	[SMBIOS_UUID_SET] = { NULL, NULL },
};

__attribute__((format(printf, 2, 3)))
static void problem(struct smbios_report *m, const char *format, ...)
{
	if (m->problem_count++ >= SMBIOS_PROBLEMS_MAX)
		return;
	va_list args;

	va_start(args, format);
	vformat_text(m->problems[m->problem_count - 1], SMBIOS_PROBLEM_MAX, format, args);
	va_end(args);
}

static void set_reason(struct smbios_report *m, const char *why)
{
	format_text(m->reason, sizeof(m->reason), "%s", why);
}

void smbios_not_read(struct smbios_report *m, const char *why)
{
	*m = (struct smbios_report){ .state = SMBIOS_NOT_READ };
	set_reason(m, why);
}

void smbios_absent(struct smbios_report *m, const char *where)
{
	*m = (struct smbios_report){ .state = SMBIOS_ABSENT };
	set_reason(m, where);
}

static bool starts_with(const uint8_t *bytes, size_t length, const char *anchor)
{
	size_t i = 0;

	for (; anchor[i]; i++)
		if (i >= length || bytes[i] != (uint8_t)anchor[i])
			return false;
	return true;
}

/* DSP0134 5.2: the bytes of a checksummed range add up to zero. */
static uint8_t byte_sum(const uint8_t *bytes, size_t length)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < length; i++)
		sum = (uint8_t)(sum + bytes[i]);
	return sum;
}

const char *smbios_anchor(enum smbios_entry_kind entry)
{
	return entry == SMBIOS_ENTRY_64 ? "_SM3_" : "_SM_";
}

size_t smbios_entry_point_size(const uint8_t *head)
{
	size_t claimed = SMBIOS_ENTRY_POINT_HEAD;

	if (starts_with(head, SMBIOS_ENTRY_POINT_HEAD, "_SM3_"))
		claimed = head[6] > ENTRY_64_LENGTH ? head[6] : ENTRY_64_LENGTH;
	else if (starts_with(head, SMBIOS_ENTRY_POINT_HEAD, "_SM_"))
		/* the intermediate "_DMI_" part always ends at 0x1f, even
		 * under the 2.1 erratum's length */
		claimed = head[5] > ENTRY_32_LENGTH ? head[5] : ENTRY_32_LENGTH;
	return claimed > SMBIOS_ENTRY_POINT_MAX ? SMBIOS_ENTRY_POINT_MAX : claimed;
}

/* The entry point's own checks; false having said what failed. */
static bool entry_point_sound(struct smbios_report *m, enum smbios_entry_kind kind,
			      const uint8_t *bytes, size_t length)
{
	const char *anchor = smbios_anchor(kind);
	bool is64 = kind == SMBIOS_ENTRY_64;
	size_t whole = is64 ? ENTRY_64_LENGTH : ENTRY_32_LENGTH;
	size_t least = is64 ? ENTRY_64_LENGTH : ENTRY_32_ERRATUM;

	if (length < whole) {
		problem(m, "%s entry point: %u bytes, fewer than its 0x%x", anchor,
			(unsigned)length, (unsigned)whole);
		return false;
	}
	size_t claimed = bytes[is64 ? 6 : 5];
	if (claimed < least || claimed > SMBIOS_ENTRY_POINT_MAX || claimed > length) {
		problem(m, "%s entry point: length 0x%x, not from 0x%x to 0x%x", anchor,
			(unsigned)claimed, (unsigned)least,
			(unsigned)(length < SMBIOS_ENTRY_POINT_MAX ? length : SMBIOS_ENTRY_POINT_MAX));
		return false;
	}
	uint8_t sum = byte_sum(bytes, claimed);
	if (sum) {
		problem(m, "%s entry point: checksum wrong (its 0x%x bytes add up to 0x%02x, "
			   "not 0)", anchor, (unsigned)claimed, sum);
		return false;
	}
	/* 5.2.1: "_DMI_" at 10h, its own checksum over 10h-1Eh. */
	if (!is64 && !starts_with(bytes + 0x10, length - 0x10, "_DMI_")) {
		problem(m, "_SM_ entry point: no _DMI_ intermediate anchor at 0x10");
		return false;
	}
	if (!is64 && (sum = byte_sum(bytes + 0x10, 0x0f))) {
		problem(m, "_SM_ entry point: intermediate checksum wrong (0x10-0x1e add up "
			   "to 0x%02x, not 0)", sum);
		return false;
	}
	return true;
}

bool smbios_entry_point(struct smbios_report *m, const uint8_t *bytes, size_t length)
{
	enum smbios_entry_kind kind;

	if (starts_with(bytes, length, "_SM3_")) {
		kind = SMBIOS_ENTRY_64;
	} else if (starts_with(bytes, length, "_SM_")) {
		kind = SMBIOS_ENTRY_32;
	} else {
		problem(m, "an entry point with neither anchor (_SM3_, _SM_)");
		m->state = SMBIOS_UNUSABLE;
		return false;
	}
	m->entry = kind;
	if (!entry_point_sound(m, kind, bytes, length)) {
		m->state = SMBIOS_UNUSABLE;
		return false;
	}
	const char *anchor = smbios_anchor(kind);
	uint64_t address;
	uint32_t table_length;
	if (kind == SMBIOS_ENTRY_64) {
		m->major = bytes[7];
		m->minor = bytes[8];
		m->docrev = bytes[9];
		table_length = le32(bytes + 0x0c);
		address = le64(bytes + 0x10);
		m->structure_count = 0;
	} else {
		m->major = bytes[6];
		m->minor = bytes[7];
		m->docrev = 0;
		table_length = le16(bytes + 0x16);
		address = le32(bytes + 0x18);
		m->structure_count = le16(bytes + 0x1c);
	}
	m->table_address = address;
	m->table_length = table_length;
	if (!table_length || !address || address >= PHYSICAL_ADDRESS_LIMIT ||
	    table_length > PHYSICAL_ADDRESS_LIMIT - address) {
		if (!table_length)
			problem(m, "%s entry point: a table of 0 bytes", anchor);
		else
			problem(m, "%s entry point: a table at 0x%lx, which is no physical memory",
				anchor, (unsigned long)address);
		m->state = SMBIOS_UNUSABLE;
		return false;
	}
	m->table_read = table_length < SMBIOS_TABLE_MAX ? table_length : SMBIOS_TABLE_MAX;
	if (table_length > SMBIOS_TABLE_MAX)
		problem(m, "%s entry point: a table of up to %u bytes; the first %u are read",
			anchor, (unsigned)table_length, SMBIOS_TABLE_MAX);
	m->state = SMBIOS_READ;
	return true;
}

void smbios_entry_point_unreadable(struct smbios_report *m, const char *name,
				   uint64_t address, const char *why)
{
	problem(m, "%s at 0x%lx: %s", name, (unsigned long)address, why);
	m->state = SMBIOS_UNUSABLE;
}

void smbios_table_unreadable(struct smbios_report *m, const char *why)
{
	problem(m, "%s table at 0x%lx: %s", smbios_anchor(m->entry),
		(unsigned long)m->table_address, why);
	m->state = SMBIOS_UNUSABLE;
}

/* One structure of the table, within the bytes walked. */
struct structure {
	unsigned number; /* 1 for the first */
	size_t offset;
	uint8_t type;
	uint8_t formatted; /* the formatted area's length, header included */
	const uint8_t *bytes;
	const uint8_t *strings; /* each NUL-terminated; strings_length 0: none */
	size_t strings_length;
	size_t end;             /* offset of the next structure */
};

/* The structure at offset, or false having said why the walk stops there. */
static bool structure_at(struct smbios_report *m, const uint8_t *table, size_t size,
			 size_t offset, struct structure *s)
{
	size_t left = size - offset;

	s->number = (unsigned)m->structures + 1;
	s->offset = offset;
	if (left < HEADER_LENGTH) {
		problem(m, "structure %u at 0x%x: %u bytes left, fewer than a header's 4",
			s->number, (unsigned)offset, (unsigned)left);
		return false;
	}
	s->type = table[offset];
	s->formatted = table[offset + 1];
	s->bytes = table + offset;
	if (s->formatted < HEADER_LENGTH || s->formatted > left) {
		problem(m, "structure %u (type %u) at 0x%x: formatted length %u, not from 4 "
			   "to the %u bytes left", s->number, s->type, (unsigned)offset,
			s->formatted, (unsigned)left);
		return false;
	}
	/* 6.1.3: the strings end with two NULs (just two when there are none). */
	size_t at = offset + s->formatted, end = at;
	while (end + 1 < size && (table[end] || table[end + 1]))
		end++;
	if (end + 1 >= size) {
		problem(m, "structure %u (type %u) at 0x%x: its strings do not end with two "
			   "NULs before the table does", s->number, s->type, (unsigned)offset);
		return false;
	}
	s->strings = table + at;
	s->strings_length = end == at ? 0 : end + 1 - at;
	s->end = end + 2;
	return true;
}

static size_t strings_held(const struct structure *s)
{
	size_t count = 0;

	for (size_t i = 0; i < s->strings_length; i++)
		count += s->strings[i] == 0;
	return count;
}

/* String number index (1 the first) of the structure's strings. */
static void string_number(const struct structure *s, uint8_t index, struct smbios_text *out)
{
	*out = (struct smbios_text){ .state = SMBIOS_TEXT_NONE, .index = index };
	if (!index)
		return;
	size_t at = 0;
	for (unsigned n = 1; n < index && at < s->strings_length; at++)
		n += s->strings[at] == 0;
	if (at >= s->strings_length) {
		out->state = SMBIOS_TEXT_BAD_INDEX;
		return;
	}
	out->state = SMBIOS_TEXT_SET;
	while (s->strings[at + out->length]) {
		if (out->length < SMBIOS_TEXT_MAX)
			out->text[out->length] = (char)s->strings[at + out->length];
		out->length++;
	}
	out->text[out->length < SMBIOS_TEXT_MAX ? out->length : SMBIOS_TEXT_MAX] = '\0';
}

/* The string a formatted-area field names; absent past the formatted length. */
static void text_field(struct smbios_report *m, const struct structure *s, size_t field,
		       const char *name, struct smbios_text *out)
{
	if (field >= s->formatted) {
		*out = (struct smbios_text){ .state = SMBIOS_TEXT_ABSENT };
		return;
	}
	string_number(s, s->bytes[field], out);
	if (out->state == SMBIOS_TEXT_BAD_INDEX)
		problem(m, "type %u %s: string %u, of the %u the structure holds", s->type, name,
			out->index, (unsigned)strings_held(s));
}

static void decode_bios(struct smbios_report *m, const struct structure *s)
{
	struct smbios_bios *b = &m->bios;

	b->found = true;
	text_field(m, s, T0_VENDOR, "vendor", &b->vendor);
	text_field(m, s, T0_VERSION, "BIOS version", &b->version);
	text_field(m, s, T0_RELEASE_DATE, "release date", &b->release_date);
	b->extension_byte_2_present = s->formatted > T0_EXTENSION_2;
	if (b->extension_byte_2_present)
		b->extension_byte_2 = s->bytes[T0_EXTENSION_2];
}

/* 7.2.1: from version 2.6 on, time_low, time_mid and time_hi_and_version
 * are little-endian (the UUID 00112233-4455-6677-... is stored 33 22 11 00
 * 55 44 77 66 ...); before it, all 16 bytes in RFC 4122's network order. */
static void uuid_text(struct smbios_report *m, const uint8_t *bytes)
{
	static const uint8_t little_endian_order[16] = { 3, 2, 1, 0, 5, 4, 7, 6,
							 8, 9, 10, 11, 12, 13, 14, 15 };
	static const char hex[] = "0123456789abcdef";
	bool swapped = m->major > 2 || (m->major == 2 && m->minor >= 6);
	size_t out = 0;

	for (size_t i = 0; i < 16; i++) {
		uint8_t byte = bytes[swapped ? little_endian_order[i] : i];
		if (i == 4 || i == 6 || i == 8 || i == 10)
			m->system.uuid[out++] = '-';
		m->system.uuid[out++] = hex[byte >> 4];
		m->system.uuid[out++] = hex[byte & 15];
	}
	m->system.uuid[out] = '\0';
}

static void decode_system(struct smbios_report *m, const struct structure *s)
{
	struct smbios_system *t = &m->system;

	t->found = true;
	text_field(m, s, T1_MANUFACTURER, "manufacturer", &t->manufacturer);
	text_field(m, s, T1_PRODUCT, "product name", &t->product);
	text_field(m, s, T1_VERSION, "version", &t->version);
	text_field(m, s, T1_SERIAL, "serial number", &t->serial);
	text_field(m, s, T1_SKU, "SKU number", &t->sku);
	text_field(m, s, T1_FAMILY, "family", &t->family);
	if (s->formatted < T1_UUID + 16)
		return;
	bool zeros = true, ones = true;
	for (size_t i = 0; i < 16; i++) {
		t->uuid_bytes[i] = s->bytes[T1_UUID + i];
		zeros = zeros && t->uuid_bytes[i] == 0x00;
		ones = ones && t->uuid_bytes[i] == 0xff;
	}
	t->uuid_state = ones ? SMBIOS_UUID_NOT_PRESENT
		      : zeros ? SMBIOS_UUID_NOT_SETTABLE : SMBIOS_UUID_SET;
	uuid_text(m, t->uuid_bytes);
}

/* 7.12: Count strings, numbered 1 to Count, in every type 11 structure. */
static void decode_oem_strings(struct smbios_report *m, const struct structure *s)
{
	struct smbios_oem_strings *o = &m->oem;

	o->structures++;
	if (s->formatted <= T11_COUNT) {
		problem(m, "type 11 structure %u: formatted length %u, no Count", s->number,
			s->formatted);
		return;
	}
	uint8_t count = s->bytes[T11_COUNT];
	size_t held = strings_held(s);
	o->count += count;
	if (count > held)
		problem(m, "type 11 structure %u: Count %u, of the %u strings it holds", s->number,
			count, (unsigned)held);
	for (unsigned k = 1; k <= count && o->kept < SMBIOS_OEM_STRINGS_MAX; k++)
		string_number(s, (uint8_t)k, &o->strings[o->kept++]);
}

static void decode(struct smbios_report *m, const struct structure *s)
{
	bool *found = s->type == 0 ? &m->bios.found : s->type == 1 ? &m->system.found : NULL;

	/* DSP0134 6.2: one type 0 and one type 1 structure per table. */
	if (found && *found) {
		problem(m, "structure %u: a second type %u, not decoded", s->number, s->type);
		return;
	}
	if (s->type == 0)
		decode_bios(m, s);
	else if (s->type == 1)
		decode_system(m, s);
	else if (s->type == 11)
		decode_oem_strings(m, s);
	else if (s->type == END_OF_TABLE)
		m->end_of_table = true;
}

void smbios_walk_table(struct smbios_report *m, const uint8_t *table, size_t length)
{
	bool is32 = m->entry == SMBIOS_ENTRY_32;
	size_t size = length < m->table_read ? length : m->table_read;
	size_t offset = 0;
	bool stopped = false;

	/* A 3.x entry point gives a maximum, which the table may not fill. */
	if (is32 && length < m->table_read)
		problem(m, "table: %u bytes given, of the %u the entry point gives",
			(unsigned)length, (unsigned)m->table_read);
	while (offset < size && !m->end_of_table) {
		if (is32 && m->structures == m->structure_count)
			break;
		if (m->structures == SMBIOS_STRUCTURES_MAX) {
			problem(m, "table: the walk stops after %u structures", SMBIOS_STRUCTURES_MAX);
			stopped = true;
			break;
		}
		struct structure s;
		if (!structure_at(m, table, size, offset, &s)) {
			stopped = true;
			break;
		}
		m->structures++;
		decode(m, &s);
		offset = s.end;
	}
	m->table_walked = offset;
	if (stopped || m->end_of_table)
		return;
	/* 5.2.1: a 2.x table holds the number of structures its entry point
	 * gives; 5.2.2: a 3.x table ends with type 127 within its maximum. */
	if (is32 && m->structures < m->structure_count)
		problem(m, "table: %u structures in its %u bytes, of the %u the entry point "
			   "gives", (unsigned)m->structures, (unsigned)size,
			(unsigned)m->structure_count);
	else if (!is32 && size < m->table_read)
		problem(m, "table: no end-of-table structure (type 127) in the %u bytes given, of "
			   "up to %u", (unsigned)size, (unsigned)m->table_read);
	else if (!is32)
		problem(m, "table: no end-of-table structure (type 127) in its %u bytes",
			(unsigned)size);
}

void smbios_parse(struct smbios_report *m, const uint8_t *entry, size_t entry_length,
		  const uint8_t *table, size_t table_length)
{
	if (smbios_entry_point(m, entry, entry_length))
		smbios_walk_table(m, table, table_length);
}

void smbios_set_sys_hypervisor(struct smbios_report *m, const char *text, size_t length)
{
	size_t kept = 0;

	while (kept < length && kept < SMBIOS_SYS_HYPERVISOR_MAX && text[kept] != '\n' &&
	       text[kept] != '\0')
		kept++;
	for (size_t i = 0; i < kept; i++)
		m->sys_hypervisor_type[i] = text[i];
	m->sys_hypervisor_type[kept] = '\0';
	m->sys_hypervisor_present = true;
}

bool smbios_bios_bit(const struct smbios_bios *bios, unsigned bit, bool *set)
{
	if (!bios->found || !bios->extension_byte_2_present)
		return false;
	*set = (bios->extension_byte_2 >> bit) & 1;
	return true;
}

uint8_t smbios_bios_extension_2_unknown(const struct smbios_bios *bios)
{
	unsigned known = 0;

	if (!bios->found || !bios->extension_byte_2_present)
		return 0;
	for (size_t i = 0; i < smbios_bios_extension_2_bit_count; i++)
		known |= 1u << smbios_bios_extension_2_bits[i].bit;
	return (uint8_t)(bios->extension_byte_2 & ~known);
}
