#include "acpi.h"

#include "ascii.h"
#include "bytes.h"

/* ACPI 6.4: 5.2.5.3 RSDP, 5.2.6 table header, 5.2.9 FADT */
#define RSDP_REVISION 15
#define RSDP_RSDT 16
#define RSDP_XSDT 24
#define HEADER_LENGTH 4
#define HEADER_SIZE 36
#define FADT_PM_TMR_BLK 76
#define FADT_FLAGS 112
#define FADT_X_PM_TMR_BLK 208
#define FADT_TMR_VAL_EXT (1u << 8)
/* A hardware-reduced platform has no PM timer, whatever the fields hold
 * (ACPI 6.4, 4.1 and the FADT's fixed feature flags). */
#define FADT_HW_REDUCED_ACPI (1u << 20)
#define GAS_SYSTEM_IO 1
/* No real root table lists more tables than this. */
#define MAX_ENTRIES 256u

static const uint8_t *table_at(uint64_t address, const char *signature)
{
	const uint8_t *table = (const uint8_t *)(uintptr_t)address;

	if (!table || !ascii_equal_span((const char *)table, 4, signature, false) ||
	    le32(table + HEADER_LENGTH) < HEADER_SIZE)
		return NULL;
	return table;
}

static const uint8_t *find_fadt(const uint8_t *root, unsigned entry_size)
{
	uint32_t entries = (le32(root + HEADER_LENGTH) - HEADER_SIZE) / entry_size;

	for (uint32_t i = 0; i < entries && i < MAX_ENTRIES; i++) {
		const uint8_t *entry = root + HEADER_SIZE + i * entry_size;
		const uint8_t *fadt = table_at(entry_size == 8 ? le64(entry) : le32(entry),
					       "FACP");
		if (fadt)
			return fadt;
	}
	return NULL;
}

bool acpi_find_pm_timer(const void *rsdp_pointer, struct pm_timer *timer)
{
	const uint8_t *rsdp = rsdp_pointer, *root = NULL, *fadt = NULL;

	if (!rsdp || !ascii_equal_span((const char *)rsdp, 8, "RSD PTR ", false))
		return false;
	if (rsdp[RSDP_REVISION] >= 2)
		root = table_at(le64(rsdp + RSDP_XSDT), "XSDT");
	if (root)
		fadt = find_fadt(root, 8);
	else if ((root = table_at(le32(rsdp + RSDP_RSDT), "RSDT")))
		fadt = find_fadt(root, 4);
	if (!fadt || le32(fadt + HEADER_LENGTH) < FADT_FLAGS + 4 ||
	    (le32(fadt + FADT_FLAGS) & FADT_HW_REDUCED_ACPI))
		return false;

	uint64_t port = le32(fadt + FADT_PM_TMR_BLK);
	if (le32(fadt + HEADER_LENGTH) >= FADT_X_PM_TMR_BLK + 12) {
		const uint8_t *gas = fadt + FADT_X_PM_TMR_BLK;
		if (gas[0] == GAS_SYSTEM_IO && le64(gas + 4))
			port = le64(gas + 4);
	}
	if (!port || port > 0xfffc)
		return false;
	timer->port = (uint16_t)port;
	timer->mask = (le32(fadt + FADT_FLAGS) & FADT_TMR_VAL_EXT) ? 0xffffffffu : 0xffffffu;
	return true;
}
