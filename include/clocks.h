/* The arithmetic of the paravirtual clocks, kept pure so it is checked on
 * the host against hand-worked values. */
#ifndef HVFEAT_CLOCKS_H
#define HVFEAT_CLOCKS_H

#include <stdbool.h>
#include <stdint.h>

/* Linux arch/x86/include/asm/pvclock-abi.h, struct pvclock_vcpu_time_info */
struct pvclock_time {
	uint32_t version;
	uint64_t tsc_timestamp;
	uint64_t system_time; /* ns */
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
};

#define PVCLOCK_TSC_STABLE_BIT 0x01u

/* Nanoseconds of kvmclock at tsc, as Linux's pvclock_clocksource_read:
 * system_time + ((tsc - tsc_timestamp) << shift) * mul / 2^32, with a
 * shift of 64 bits or more either way shifting out the whole delta. */
uint64_t pvclock_ns(const struct pvclock_time *t, uint64_t tsc);

/* The Hyper-V reference time (100 ns units) at tsc from the TLFS reference
 * TSC page: ((tsc * scale) >> 64) + offset. */
uint64_t hv_reference_time(uint64_t tsc, uint64_t scale, int64_t offset);

/* value * numerator / denominator, the product taken in 128 bits. */
uint64_t scale_u64(uint64_t value, uint64_t numerator, uint64_t denominator);

/* (measured - expected) / expected in parts per million, saturated at
 * +-10^9; expected must not be 0. */
int64_t deviation_ppm(uint64_t measured, uint64_t expected);

/* Seconds since 1970-01-01 00:00:00 of a date and time of the proleptic
 * Gregorian calendar. */
int64_t civil_to_epoch(uint32_t year, uint32_t month, uint32_t day,
		       uint32_t hour, uint32_t minute, uint32_t second);

/* The difference between two clocks when one may hold local time: how far
 * a is from b beyond the nearest whole quarter hour (time zones are
 * quarter hours, up to 14 h either way), and that quarter-hour offset. */
int64_t beyond_time_zone(int64_t a, int64_t b, int64_t *zone_seconds);

/* How many seconds a wall clock in UTC is from the firmware's RTC, and the
 * offset taken off as the RTC's time zone: the one the RTC names
 * (zone_minutes, UEFI 2.11, 8.3.1: Localtime = UTC - TimeZone, so UTC is
 * the RTC plus TimeZone minutes); when it names none (RTC_ZONE_UNSPECIFIED,
 * or a value outside -1440..1440), the nearest quarter hour, since it may
 * hold UTC or local time. Saturated, never overflowing. */
int64_t wall_minus_rtc(int64_t wall, int64_t rtc, int16_t zone_minutes, int64_t *zone_seconds);

#endif
