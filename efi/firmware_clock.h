/* The firmware's real-time clock, for both architectures' probes
 * (efi/firmware_clock.c). */
#ifndef HVFEAT_FIRMWARE_CLOCK_H
#define HVFEAT_FIRMWARE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* The rtc of struct probe_machine and struct smccc_probe_machine: the
 * time GetTime gives, as seconds since the epoch in the clock's own zone,
 * and that zone; false when GetTime fails or gives no valid month. */
bool firmware_rtc(void *context, int64_t *seconds, int16_t *zone_minutes);

#endif
