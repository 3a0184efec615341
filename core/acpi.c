#include "acpi.h"

#include "ascii.h"

/* ACPI 6.4: 5.2.5.3 RSDP, 5.2.6 table header, 5.2.9 FADT */
#define RSDP_REVISION 15
#define RSDP_RSDT 16
#define RSDP_XSDT 24
#define HEADER_LENGTH 4
#define HEADER_SIZE 36
#define FADT_PM_TMR_BLK 76
#define FADT_FLAGS 112
#define FADT_ARM_BOOT_ARCH 129
#define FADT_MINOR_VERSION 131
#define FADT_X_PM_TMR_BLK 208
#define FADT_HYPERVISOR_VENDOR 268
#define HEADER_REVISION 8
#define FADT_TMR_VAL_EXT (1u << 8)
/* A hardware-reduced platform has no PM timer, whatever the fields hold
 * (ACPI 6.4, 4.1 and the FADT's fixed feature flags). */
#define FADT_HW_REDUCED_ACPI (1u << 20)
#define GAS_SYSTEM_IO 1
/* No real root table lists more tables than this. */
#define MAX_ENTRIES 256u

static uint32_t read32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t read64(const uint8_t *p)
{
	return read32(p) | (uint64_t)read32(p + 4) << 32;
}

static const uint8_t *table_at(uint64_t address, const char *signature)
{
	const uint8_t *table = (const uint8_t *)(uintptr_t)address;

	if (!table || !ascii_equal_span((const char *)table, 4, signature, false) ||
	    read32(table + HEADER_LENGTH) < HEADER_SIZE)
		return NULL;
	return table;
}

static const uint8_t *find_fadt(const uint8_t *root, unsigned entry_size)
{
	uint32_t entries = (read32(root + HEADER_LENGTH) - HEADER_SIZE) / entry_size;

	for (uint32_t i = 0; i < entries && i < MAX_ENTRIES; i++) {
		const uint8_t *entry = root + HEADER_SIZE + i * entry_size;
		const uint8_t *fadt = table_at(entry_size == 8 ? read64(entry) : read32(entry),
					       "FACP");
		if (fadt)
			return fadt;
	}
	return NULL;
}

/* The FADT through the XSDT (ACPI 2.0+) or else the RSDT, or NULL. */
static const uint8_t *fadt_from_rsdp(const uint8_t *rsdp)
{
	const uint8_t *root = NULL;

	if (!rsdp || !ascii_equal_span((const char *)rsdp, 8, "RSD PTR ", false))
		return NULL;
	if (rsdp[RSDP_REVISION] >= 2)
		root = table_at(read64(rsdp + RSDP_XSDT), "XSDT");
	if (root)
		return find_fadt(root, 8);
	if ((root = table_at(read32(rsdp + RSDP_RSDT), "RSDT")))
		return find_fadt(root, 4);
	return NULL;
}

bool acpi_find_pm_timer(const void *rsdp_pointer, struct pm_timer *timer)
{
	const uint8_t *fadt = fadt_from_rsdp(rsdp_pointer);

	if (!fadt || read32(fadt + HEADER_LENGTH) < FADT_FLAGS + 4 ||
	    (read32(fadt + FADT_FLAGS) & FADT_HW_REDUCED_ACPI))
		return false;

	uint64_t port = read32(fadt + FADT_PM_TMR_BLK);
	if (read32(fadt + HEADER_LENGTH) >= FADT_X_PM_TMR_BLK + 12) {
		const uint8_t *gas = fadt + FADT_X_PM_TMR_BLK;
		if (gas[0] == GAS_SYSTEM_IO && read64(gas + 4))
			port = read64(gas + 4);
	}
	if (!port || port > 0xfffc)
		return false;
	timer->port = (uint16_t)port;
	timer->mask = (read32(fadt + FADT_FLAGS) & FADT_TMR_VAL_EXT) ? 0xffffffffu : 0xffffffu;
	return true;
}

void acpi_read_fadt(const void *rsdp, struct fadt_facts *out)
{
	const uint8_t *fadt = fadt_from_rsdp(rsdp);

	*out = (struct fadt_facts){ .read = true, .found = fadt != NULL };
	if (!fadt)
		return;
	out->length = read32(fadt + HEADER_LENGTH);
	out->revision = fadt[HEADER_REVISION];
	/* Both fields came with ACPI 5.1 (FADT revision 5); before, their
	 * bytes were reserved. */
	bool acpi_5 = out->revision >= 5;
	if (acpi_5 && out->length > FADT_MINOR_VERSION)
		out->minor_revision = fadt[FADT_MINOR_VERSION] & 0x0f;
	out->has_arm_boot_flags = acpi_5 && out->length >= FADT_ARM_BOOT_ARCH + 2;
	if (out->has_arm_boot_flags)
		out->arm_boot_flags = (uint16_t)(fadt[FADT_ARM_BOOT_ARCH] |
						 fadt[FADT_ARM_BOOT_ARCH + 1] << 8);
	out->has_hypervisor_vendor = out->length >= FADT_HYPERVISOR_VENDOR + 8;
	size_t text_end = 0;
	for (size_t i = 0; out->has_hypervisor_vendor && i < 8; i++) {
		char c = (char)fadt[FADT_HYPERVISOR_VENDOR + i];
		out->hypervisor_vendor[i] = c;
		out->hypervisor_vendor_text[i] = ascii_printable((unsigned char)c) ? c : '?';
		if (c)
			text_end = i + 1;
	}
	out->hypervisor_vendor_text[text_end] = '\0';
}

/* The identities hypervisors write there, padded with NULs. */
static const struct {
	char identity[8];
	const char *product;
} fadt_vendors[] = {
	/* QEMU hw/acpi/aml-build.c, build_fadt */
	{ "QEMU", "QEMU" },
	/* Linux arch/arm64/hyperv/mshyperv.c, hyperv_detect_via_acpi */
	{ { 'M', 's', 'H', 'y', 'p', 'e', 'r', 'V' }, "Microsoft Hyper-V" },
};

const char *acpi_hypervisor_vendor_product(const struct fadt_facts *fadt)
{
	for (size_t v = 0; fadt->has_hypervisor_vendor && v < sizeof(fadt_vendors) /
							     sizeof(fadt_vendors[0]); v++) {
		size_t i = 0;
		while (i < 8 && fadt->hypervisor_vendor[i] == fadt_vendors[v].identity[i])
			i++;
		if (i == 8)
			return fadt_vendors[v].product;
	}
	return NULL;
}
