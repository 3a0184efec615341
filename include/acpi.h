/* The one thing hvfeat needs from ACPI: where the PM timer is. */
#ifndef HVFEAT_ACPI_H
#define HVFEAT_ACPI_H

#include <stdbool.h>
#include <stdint.h>

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

#endif
