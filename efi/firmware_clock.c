/* The firmware's real-time clock through RT->GetTime (UEFI 2.11, 8.3.1),
 * the same on x86_64 and AArch64. */
#include <efi.h>
#include <efilib.h>

#include "clocks.h"
#include "firmware_clock.h"

bool firmware_rtc(void *context, int64_t *seconds, int16_t *zone_minutes)
{
	EFI_TIME now;

	(void)context;
	if (EFI_ERROR(RT->GetTime(&now, NULL)) || now.Month < 1 || now.Month > 12)
		return false;
	*seconds = civil_to_epoch(now.Year, now.Month, now.Day, now.Hour, now.Minute,
				  now.Second);
	*zone_minutes = now.TimeZone;
	return true;
}
