/* What hvfeat reads of ACPI: where the PM timer is, and what the FADT
 * says of the platform (PSCI's conduit on Arm, the hypervisor's name). */
#ifndef HVFEAT_ACPI_H
#define HVFEAT_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#include "facts.h"

struct pm_timer {
	uint16_t port;
	uint32_t mask; /* 0xffffff, or 0xffffffff when the FADT says 32 bits */
};

/* Follows the RSDP (ACPI 1.0 or 2.0+) through the XSDT or RSDT to the FADT
 * and reads its PM timer block: X_PM_TMR_BLK when it is in I/O space, else
 * PM_TMR_BLK. Tables are read where they are (firmware memory is identity
 * mapped), each checked for its signature and a sane length. False when
 * there is no PM timer in I/O space, or the FADT says the platform is
 * hardware-reduced (which has none). */
bool acpi_find_pm_timer(const void *rsdp, struct pm_timer *timer);

/* The FADT's fields past the PM timer that hvfeat reports. */
struct fadt_facts {
	bool read;     /* the firmware's tables were looked at (not a replay) */
	bool found;    /* an FADT was found through the RSDP */
	uint8_t revision, minor_revision; /* header Revision; FADT Minor Version */
	uint32_t length;
	/* ARM_BOOT_ARCH (ACPI 5.1+): PSCI_COMPLIANT, PSCI_USE_HVC */
	bool has_arm_boot_flags;
	uint16_t arm_boot_flags;
	/* Hypervisor Vendor Identity (ACPI 6.0+), as the bytes stand */
	bool has_hypervisor_vendor;
	char hypervisor_vendor[8];
	/* The same without its trailing NULs, each byte outside printable
	 * ASCII as '?': the acpi.fadt.hypervisor_vendor requirement's text. */
	char hypervisor_vendor_text[9];
};

/* acpi.fadt.revision, acpi.fadt.hypervisor_vendor (core/fadt_facts.c) */
extern const struct fact_family fadt_facts;

#define FADT_ARM_PSCI_COMPLIANT 0x1u
#define FADT_ARM_PSCI_USE_HVC 0x2u

/* Reads the FADT through the RSDP as acpi_find_pm_timer does; a field
 * counts only when the table's length covers it. Sets read; found says
 * whether there was an FADT. */
void acpi_read_fadt(const void *rsdp, struct fadt_facts *fadt);

/* A hypervisor named by the FADT's vendor identity, or NULL. */
const char *acpi_hypervisor_vendor_product(const struct fadt_facts *fadt);

#endif
