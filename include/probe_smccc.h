/* The AArch64 probes (--probe): what SMCCC says KVM offers, used as a guest
 * kernel uses it (core/probe_smccc.c), over a small machine the firmware
 * supplies (efi/aarch64/arch.c) and the unit tests simulate. */
#ifndef HVFEAT_PROBE_SMCCC_H
#define HVFEAT_PROBE_SMCCC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smccc.h"

struct smccc_probe_machine {
	void *context;
	/* The call through the report's conduit, guarded. */
	void (*call)(void *context, struct smccc_call *call);
	/* CNTVCT_EL0 after an ISB (Linux arch_timer_read_cntvct_el0's order),
	 * and its frequency, CNTFRQ_EL0. */
	uint64_t (*counter)(void *context);
	uint64_t counter_hz;
	/* The firmware's real-time clock, as struct probe_machine's rtc. */
	bool (*rtc)(void *context, int64_t *seconds, int16_t *zone_minutes);
	/* A 64-bit load and store at a guest-physical address. */
	uint64_t (*load64)(void *context, uint64_t address);
	void (*store64)(void *context, uint64_t address, uint64_t value);
	/* Keeps [address, address + length) from the OS for good, and says
	 * where it is in *where ("outside the firmware's memory map",
	 * "reserved"); false when it is memory the OS may take. */
	bool (*keep_reserved)(void *context, uint64_t address, uint64_t length,
			      const char **where);
};

struct hv_report;

/* Runs the AArch64 probes for what report->smccc says is offered. */
void smccc_probe_run(struct hv_report *report, const struct smccc_probe_machine *machine);

/* The AArch64 probes' keys and titles, in report order; NULL past the last. */
const char *smccc_probe_key(size_t index);
const char *smccc_probe_title(size_t index);

#endif
