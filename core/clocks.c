#include "clocks.h"

uint64_t pvclock_ns(const struct pvclock_time *t, uint64_t tsc)
{
	uint64_t delta = tsc - t->tsc_timestamp;
	int shift = t->tsc_shift;

	/* A hostile page may hold any shift; past 63 bits either way every
	 * bit of the delta is shifted out (C leaves such shifts undefined). */
	if (shift <= -64 || shift >= 64)
		delta = 0;
	else if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return t->system_time +
	       (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
}

uint64_t hv_reference_time(uint64_t tsc, uint64_t scale, int64_t offset)
{
	return (uint64_t)(((unsigned __int128)tsc * scale) >> 64) + (uint64_t)offset;
}

uint64_t scale_u64(uint64_t value, uint64_t numerator, uint64_t denominator)
{
	return (uint64_t)((unsigned __int128)value * numerator / denominator);
}

int64_t deviation_ppm(uint64_t measured, uint64_t expected)
{
	const int64_t limit = 1000000000;
	bool above = measured >= expected;
	uint64_t difference = above ? measured - expected : expected - measured;
	unsigned __int128 ppm = (unsigned __int128)difference * 1000000u / expected;

	if (ppm > (unsigned __int128)limit)
		ppm = (unsigned __int128)limit;
	return above ? (int64_t)ppm : -(int64_t)ppm;
}

/* Howard Hinnant's days_from_civil: days since 1970-01-01. */
int64_t civil_to_epoch(uint32_t year, uint32_t month, uint32_t day,
		       uint32_t hour, uint32_t minute, uint32_t second)
{
	int64_t y = (int64_t)year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t year_of_era = y - era * 400;
	int64_t day_of_year = (153 * ((int64_t)month + (month > 2 ? -3 : 9)) + 2) / 5 +
			      (int64_t)day - 1;
	int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 +
			     day_of_year;
	int64_t days = era * 146097 + day_of_era - 719468;

	return days * 86400 + (int64_t)hour * 3600 + (int64_t)minute * 60 + second;
}

int64_t beyond_time_zone(int64_t a, int64_t b, int64_t *zone_seconds)
{
	const int64_t quarter = 900, widest = 14 * 3600;
	int64_t difference;

	/* Clocks far apart (a hostile RTC) saturate rather than overflow; the
	 * zone is rounded only once clamped, so the rest cannot overflow. */
	if (__builtin_sub_overflow(a, b, &difference))
		difference = b > 0 ? INT64_MIN : INT64_MAX;
	int64_t zone = difference > widest ? widest : difference < -widest ? -widest : difference;

	zone = (zone >= 0 ? zone + quarter / 2 : zone - quarter / 2) / quarter * quarter;
	*zone_seconds = zone;
	return difference - zone;
}

int64_t wall_minus_rtc(int64_t wall, int64_t rtc, int16_t zone_minutes, int64_t *zone_seconds)
{
	int64_t difference;

	if (zone_minutes < -1440 || zone_minutes > 1440)
		return beyond_time_zone(wall, rtc, zone_seconds);
	*zone_seconds = (int64_t)zone_minutes * 60;
	if (__builtin_sub_overflow(wall, rtc, &difference))
		difference = rtc > 0 ? INT64_MIN : INT64_MAX;
	if (__builtin_sub_overflow(difference, *zone_seconds, &difference))
		difference = *zone_seconds > 0 ? INT64_MIN : INT64_MAX;
	return difference;
}
