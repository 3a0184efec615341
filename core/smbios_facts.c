/* The SMBIOS facts (facts.h): requirement keys on what the report's
 * SMBIOS model holds (smbios.h), one row each. */
#include "smbios.h"

#include "hv_report.h"

/* A reason below names this bound. */
_Static_assert(SMBIOS_TEXT_MAX == 128, "the bound in a reason");

enum smbios_fact {
	PRESENT, VERSION, PROBLEMS,
	BIOS_VENDOR, BIOS_VERSION, BIOS_RELEASE_DATE, BIOS_VM, BIOS_UEFI,
	SYSTEM_MANUFACTURER, SYSTEM_PRODUCT, SYSTEM_VERSION, SYSTEM_SERIAL, SYSTEM_UUID,
	SYSTEM_SKU, SYSTEM_FAMILY,
	OEM_COUNT, OEM_STRING,
	FACT_COUNT
};

/* In enum smbios_fact's order. */
static const struct fact_def defs[FACT_COUNT] = {
	{ "smbios.present", FACT_NUMBER, 1, 0,
	  "1: a sound entry point, its table read" },
	{ "smbios.version", FACT_NUMBER, 0xffff, 0,
	  "entry point's version: 0x0208 is 2.8" },
	{ "smbios.problems", FACT_NUMBER, 8u * SMBIOS_STRUCTURES_MAX, 0,
	  "problems in the entry points and table" },
	{ "smbios.type0.vendor", FACT_TEXT, 0, 0, "type 0: BIOS vendor" },
	{ "smbios.type0.version", FACT_TEXT, 0, 0, "type 0: BIOS version" },
	{ "smbios.type0.release_date", FACT_TEXT, 0, 0, "type 0: BIOS release date" },
	{ "smbios.type0.vm", FACT_NUMBER, 1, 0, "type 0: VirtualMachineSupported, 0/1" },
	{ "smbios.type0.uefi", FACT_NUMBER, 1, 0, "type 0: UefiSpecificationSupported" },
	{ "smbios.type1.manufacturer", FACT_TEXT, 0, 0, "type 1: manufacturer" },
	{ "smbios.type1.product", FACT_TEXT, 0, 0, "type 1: product name" },
	{ "smbios.type1.version", FACT_TEXT, 0, 0, "type 1: version" },
	{ "smbios.type1.serial", FACT_TEXT, 0, 0, "type 1: serial number" },
	{ "smbios.type1.uuid", FACT_TEXT, 0, 0, "type 1: UUID, lower-case text" },
	{ "smbios.type1.sku", FACT_TEXT, 0, 0, "type 1: SKU number" },
	{ "smbios.type1.family", FACT_TEXT, 0, 0, "type 1: family" },
	{ "smbios.type11.count", FACT_NUMBER, 255u * SMBIOS_STRUCTURES_MAX, 0,
	  "type 11: OEM strings (the Counts)" },
	{ "smbios.type11.N", FACT_TEXT, 0, SMBIOS_OEM_STRINGS_MAX,
	  "type 11: OEM string N, from 1" },
};

/* NULL when the model has tables to read values from, else why not. */
static const char *unread(const struct smbios_report *m)
{
	switch (m->state) {
	case SMBIOS_NOT_READ:
		return "SMBIOS not read";
	case SMBIOS_ABSENT:
		return "no SMBIOS tables";
	case SMBIOS_UNUSABLE:
		return "no usable SMBIOS entry point";
	case SMBIOS_READ:
		break;
	}
	return NULL;
}

static const char *text_value(const struct smbios_text *text, struct fact_value *out)
{
	switch (text->state) {
	case SMBIOS_TEXT_ABSENT:
		return "no such field";
	case SMBIOS_TEXT_NONE:
		return "not specified (string 0)";
	case SMBIOS_TEXT_BAD_INDEX:
		return "its string number is past the structure's strings";
	case SMBIOS_TEXT_SET:
		break;
	}
	if (text->length > SMBIOS_TEXT_MAX)
		return "longer than the 128 bytes hvfeat keeps";
	out->text = text->text;
	return NULL;
}

static const char *bios_bit(const struct smbios_bios *bios, unsigned bit,
			    struct fact_value *out)
{
	bool set;

	if (!smbios_bios_bit(bios, bit, &set))
		return "type 0 has no characteristics extension byte 2";
	out->number = set;
	return NULL;
}

static const char *value(const struct hv_report *report, const struct fact_def *def,
			 unsigned index, struct fact_value *out)
{
	const struct smbios_report *m = &report->smbios;
	enum smbios_fact fact = (enum smbios_fact)(def - defs);
	const char *why = unread(m);

	if (fact == PRESENT && m->state != SMBIOS_NOT_READ) {
		out->number = m->state == SMBIOS_READ;
		return NULL;
	}
	if (fact == PROBLEMS && m->state != SMBIOS_NOT_READ) {
		out->number = m->problem_count;
		return NULL;
	}
	if (why)
		return why;
	if (fact >= BIOS_VENDOR && fact <= BIOS_UEFI && !m->bios.found)
		return "no type 0 structure";
	if (fact >= SYSTEM_MANUFACTURER && fact <= SYSTEM_FAMILY && !m->system.found)
		return "no type 1 structure";
	switch (fact) {
	case VERSION:
		out->number = (uint64_t)m->major << 8 | m->minor;
		return NULL;
	case BIOS_VENDOR:
		return text_value(&m->bios.vendor, out);
	case BIOS_VERSION:
		return text_value(&m->bios.version, out);
	case BIOS_RELEASE_DATE:
		return text_value(&m->bios.release_date, out);
	case BIOS_VM:
		return bios_bit(&m->bios, SMBIOS_BIOS_EXT2_VM, out);
	case BIOS_UEFI:
		return bios_bit(&m->bios, SMBIOS_BIOS_EXT2_UEFI, out);
	case SYSTEM_MANUFACTURER:
		return text_value(&m->system.manufacturer, out);
	case SYSTEM_PRODUCT:
		return text_value(&m->system.product, out);
	case SYSTEM_VERSION:
		return text_value(&m->system.version, out);
	case SYSTEM_SERIAL:
		return text_value(&m->system.serial, out);
	case SYSTEM_UUID:
		if (m->system.uuid_state == SMBIOS_UUID_ABSENT)
			return "type 1 has no UUID field";
		out->text = m->system.uuid;
		return NULL;
	case SYSTEM_SKU:
		return text_value(&m->system.sku, out);
	case SYSTEM_FAMILY:
		return text_value(&m->system.family, out);
	case OEM_COUNT:
		out->number = m->oem.count;
		return NULL;
	case OEM_STRING:
		/* index is at most max_index, SMBIOS_OEM_STRINGS_MAX: kept */
		if (index > m->oem.count)
			return "no OEM string of that number";
		return text_value(&m->oem.strings[index - 1], out);
	default:
		return NULL;
	}
}

const struct fact_family smbios_facts = {
	"smbios.* (SMBIOS, DMTF DSP0134: types 0, 1 and 11)",
	defs, FACT_COUNT, value,
};
