/* What hypervisor CPUID leaves mean, as data: one table per interface.
 * Identifiers are the upstream ones (Linux KVM_FEATURE_*, Hyper-V TLFS,
 * Xen public headers); the meanings are our own words. */
#ifndef HVFEAT_HV_CATALOG_H
#define HVFEAT_HV_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuid_source.h"

#define HV_SIGNATURE_LENGTH 12

enum cpuid_register { REG_EAX, REG_EBX, REG_ECX, REG_EDX };

struct msr_def {
	uint32_t index;
	const char *name;
};

struct bit_def {
	uint8_t bit;
	const char *id;
	const char *meaning;
	const struct msr_def *msrs; /* MSRs this bit advertises, or NULL */
	size_t msr_count;
};

enum field_format {
	FIELD_DECIMAL,
	FIELD_HEX,
	FIELD_KHZ,
	FIELD_FOURCC, /* four ASCII bytes, low byte first: "Hv#1" */
	FIELD_ENUM,   /* an index into names */
};

/* A multi-bit value inside a register, such as a frequency or a version. */
struct field_def {
	uint8_t lsb, width;
	const char *id;
	const char *meaning;
	enum field_format format;
	const char *const *names; /* FIELD_ENUM only */
	size_t name_count;
};

/* How to read one register of one leaf: a set of flag bits, a set of
 * fields, or both. Bits covered by neither are "unknown" when set. */
struct register_decoder {
	uint32_t offset; /* leaf = interface base + offset */
	uint32_t subleaf;
	enum cpuid_register reg;
	const char *title;
	const struct bit_def *bits;
	size_t bit_count;
	const struct field_def *fields;
	size_t field_count;
};

/* How an upstream identifier becomes a short requirement key: the prefix
 * is dropped and the group put in front, so KVM_HINTS_REALTIME is
 * "hints.realtime" within "kvm". */
struct key_prefix {
	const char *upstream;
	const char *group;
};

/* Everything an interface's leaves say, in report order. */
struct decoder_table {
	const struct register_decoder *decoders;
	size_t count;
	const struct key_prefix *key_prefixes; /* ends with { NULL, NULL } */
};

struct hv_vendor {
	char signature[HV_SIGNATURE_LENGTH];
	const char *key; /* "kvm", "hyperv": names the interface in requirements */
	const char *product;
	/* KVM guests read base+1 whatever the max leaf says (old hosts
	 * answer EAX=0), so its block always reaches base+1. */
	bool block_reaches_base_plus_one;
	const struct decoder_table *table; /* NULL: named, not decoded */
	/* Non-zero: leaves past base+1 mean what the table says only when
	 * base+1 EAX holds this interface signature (Hyper-V's "Hv#1"). */
	uint32_t interface_signature;
};

/* One decoded item of an interface's table: a flag bit or a field. */
struct hv_item {
	const struct register_decoder *decoder;
	const struct bit_def *bit;     /* or */
	const struct field_def *field;
};

/* The short key of an item, "kvm.hints.realtime": vendor key, group, and the
 * identifier without its upstream prefix, lower-cased when it is an
 * all-capitals macro name. Writes at most size (>= 1) bytes, NUL
 * included. */
void hv_item_key(const struct hv_vendor *vendor, const char *id, char *out,
		 size_t size);

/* The catalogue entry whose signature is exactly these 12 bytes, or NULL. */
const struct hv_vendor *hv_vendor_lookup(const char signature[HV_SIGNATURE_LENGTH]);

/* The catalogue, for tests and documentation. */
extern const struct hv_vendor hv_vendors[];
extern const size_t hv_vendor_count;

uint32_t cpuid_register_value(const struct cpuid_regs *regs,
			      enum cpuid_register reg);
const char *cpuid_register_name(enum cpuid_register reg);

#endif
