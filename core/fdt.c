/* A bounded walk of a flattened device tree's structure block
 * (Devicetree Specification 0.4, 5.2-5.4), big-endian throughout. */
#include "fdt.h"

#include "ascii.h"

#define FDT_MAGIC 0xd00dfeedu
#define HEADER_SIZE 40u
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u

struct blob {
	const uint8_t *bytes;
	uint32_t size;
	uint32_t strings, strings_size; /* the strings block */
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The length of a NUL-terminated string at offset, within limit; false
 * when it runs past it. */
static bool string_at(const struct blob *b, uint32_t offset, uint32_t limit, uint32_t *length)
{
	for (uint32_t i = offset; i < limit; i++)
		if (!b->bytes[i]) {
			*length = i - offset;
			return true;
		}
	return false;
}

static uint32_t align4(uint32_t value)
{
	return (value + 3u) & ~3u;
}

/* "psci" or "psci@..." */
static bool psci_name(const uint8_t *name, uint32_t length)
{
	return length >= 4 && ascii_equal_span((const char *)name, 4, "psci", false) &&
	       (length == 4 || name[4] == '@');
}

const char *fdt_psci_method(const void *pointer, char *method, size_t size)
{
	const uint8_t *bytes = pointer;
	struct blob b = { bytes, 0, 0, 0 };

	if (!bytes)
		return "no device tree";
	if (be32(bytes) != FDT_MAGIC)
		return "not a device tree (no FDT magic)";
	b.size = be32(bytes + 4);
	uint32_t structure = be32(bytes + 8), strings = be32(bytes + 12);
	uint32_t strings_size = be32(bytes + 32), structure_size = be32(bytes + 36);
	if (b.size < HEADER_SIZE || b.size > FDT_MAX_BYTES)
		return "a device tree of an implausible size";
	if (structure >= b.size || structure_size > b.size - structure || strings > b.size ||
	    strings_size > b.size - strings || structure % 4)
		return "a device tree whose blocks lie outside it";
	b.strings = strings;
	b.strings_size = strings_size;
	uint32_t end = structure + structure_size, at = structure, depth = 0;
	bool in_psci = false;
	while (at + 4 <= end) {
		uint32_t token = be32(bytes + at), length;
		at += 4;
		switch (token) {
		case FDT_BEGIN_NODE:
			if (!string_at(&b, at, end, &length))
				return "a device tree node name runs past its block";
			depth++;
			if (depth == 2)
				in_psci = psci_name(bytes + at, length);
			at += align4(length + 1);
			break;
		case FDT_END_NODE:
			if (!depth)
				return "a device tree that ends more nodes than it begins";
			if (depth-- == 2 && in_psci)
				return "no method property in /psci";
			break;
		case FDT_PROP: {
			if (at + 8 > end)
				return "a device tree property runs past its block";
			uint32_t value_length = be32(bytes + at), name = be32(bytes + at + 4);
			at += 8;
			if (value_length > end - at)
				return "a device tree property runs past its block";
			uint32_t name_length;
			if (name >= b.strings_size ||
			    !string_at(&b, b.strings + name, b.strings + b.strings_size, &name_length))
				return "a device tree property name outside the strings block";
			if (depth == 2 && in_psci &&
			    ascii_equal_span((const char *)bytes + b.strings + name, name_length,
					     "method", false)) {
				/* a string: its bytes, then a NUL */
				if (!value_length || bytes[at + value_length - 1] ||
				    value_length > size)
					return "the /psci method is not a short string";
				for (uint32_t i = 0; i < value_length; i++)
					method[i] = (char)bytes[at + i];
				return NULL;
			}
			at += align4(value_length);
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
			return "no /psci node in the device tree";
		default:
			return "a device tree with an unknown token";
		}
	}
	return "a device tree whose structure has no end";
}
