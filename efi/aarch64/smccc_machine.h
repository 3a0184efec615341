/* SMCCC calls in AArch64 firmware, guarded (efi/aarch64/smccc_machine.c). */
#ifndef HVFEAT_SMCCC_MACHINE_H
#define HVFEAT_SMCCC_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "smccc.h"

/* Registers a handler for synchronous exceptions through the firmware's
 * CPU architecture protocol, so that an HVC or SMC nothing answers (no
 * EL2, no EL3) comes back as a trapped call, not a crash. NULL when it is
 * in place, else why not. */
const char *smccc_guard_open(void);

/* Unregisters it; NULL when it was, else what was left. */
const char *smccc_guard_close(void);

/* The call through conduit (HVC or SMC #0), x2..x7 zero, under the guard. */
void smccc_guarded_call(enum smccc_conduit conduit, struct smccc_call *call);

/* A source over smccc_guarded_call, for the conduit and its origin. */
void smccc_source_guarded(struct smccc_source *source, enum smccc_conduit conduit,
			  const char *conduit_origin);

#endif
