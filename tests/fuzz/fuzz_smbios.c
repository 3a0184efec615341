/* libFuzzer: arbitrary bytes as SMBIOS tables, beside a KVM guest's CPUID,
 * through the parser, the requirement keys, the lints and every rendering.
 *
 * Input: byte 0 flags. Bit 0: the rest is a table, and a sound entry point
 * is made for it (3.x, or 2.x with bit 1, giving 0xffff structures), so
 * the walk gets past the checksums. Else byte 1 is the entry point's
 * length: that many bytes, then the table. Bit 2 clears the hypervisor bit
 * of the CPUID beside it. Each part is copied to a buffer of its exact
 * size, so a read past it is an ASan report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_invariants.h"
#include "smbios.h"

#include "../smbios_bytes.h"

/* A KVM guest: leaf 0 (AMD, max 1), leaf 1 with the hypervisor bit, KVM's
 * signature at 0x40000000 ("AuthenticAMD", "KVMKVMKVM" as the reference
 * tables give their registers). */
static struct cpuid_record kvm_guest[] = {
	{ 0, 0, { 1, 0x68747541, 0x444d4163, 0x69746e65 } },
	{ 1, 0, { 0x00a10f11, 0, 0x80000000u, 0 } },
	{ 0x40000000, 0, { 0x40000001, 0x4b4d564b, 0x564b4d56, 0x0000004d } },
	{ 0x40000001, 0, { 0x01007afb, 0, 0, 0 } },
};

/* DSP0134 5.2.2 (3.0) or 5.2.1 (2.1), sound, for a table of length bytes. */
static size_t sound_entry(uint8_t entry[SM_ENTRY_LENGTH], bool sm3, size_t length)
{
	if (sm3) {
		sm3_entry(entry, 3, 0, (uint32_t)length, 0x7f000000);
		return SM3_ENTRY_LENGTH;
	}
	sm_entry(entry, 2, 8, length > 0xffff ? 0xffff : (uint16_t)length, 0xf0000, 0xffff);
	return SM_ENTRY_LENGTH;
}

static NOT_COVERED void check_model(const struct smbios_report *m, size_t table_length)
{
	const struct smbios_text *texts[] = {
		&m->bios.vendor, &m->bios.version, &m->bios.release_date,
		&m->system.manufacturer, &m->system.product, &m->system.version,
		&m->system.serial, &m->system.sku, &m->system.family,
	};

	if (m->table_walked > table_length || m->table_walked > SMBIOS_TABLE_MAX ||
	    m->structures > SMBIOS_STRUCTURES_MAX || m->oem.kept > SMBIOS_OEM_STRINGS_MAX ||
	    m->oem.kept > m->oem.count || (m->state == SMBIOS_READ) == !m->table_read)
		abort();
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]) + m->oem.kept; i++) {
		const struct smbios_text *t = i < sizeof(texts) / sizeof(texts[0])
						      ? texts[i]
						      : &m->oem.strings[i - sizeof(texts) / sizeof(texts[0])];
		size_t kept = t->length < SMBIOS_TEXT_MAX ? t->length : SMBIOS_TEXT_MAX;
		if (t->state == SMBIOS_TEXT_SET ? strlen(t->text) != kept : t->length != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smbios_report model;
	static struct cpuid_recording recording = { kvm_guest, 4 };
	struct cpuid_source source;
	uint8_t made[SM_ENTRY_LENGTH];
	const uint8_t *entry = made, *table;
	size_t entry_length, table_length;

	if (size < 2)
		return 0;
	if (data[0] & 1) {
		table = data + 1;
		table_length = size - 1;
		entry_length = sound_entry(made, !(data[0] & 2), table_length);
	} else {
		entry = data + 2;
		entry_length = data[1] < size - 2 ? data[1] : size - 2;
		table = entry + entry_length;
		table_length = size - 2 - entry_length;
	}
	smbios_absent(&model, "fuzz");
	parse_exact_copies(&model, entry, entry_length, table, table_length);
	check_model(&model, table_length);

	kvm_guest[1].regs.ecx = data[0] & 4 ? 0 : 0x80000000u;
	cpuid_source_recorded(&source, &recording, "fuzz");
	scan_check_and_render_with(&source, NULL, &model, NULL);
	return 0;
}
