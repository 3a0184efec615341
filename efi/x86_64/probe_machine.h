/* The probes' machine in firmware (efi/probe_machine.c). */
#ifndef HVFEAT_PROBE_MACHINE_H
#define HVFEAT_PROBE_MACHINE_H

#include "probe.h"

/* Registers the #GP and #UD handlers (and one for the self-interrupt when
 * a vector is free), takes two reserved pages and finds the PM timer. NULL
 * when the machine is ready; else why the probes cannot run, having given
 * back what it took, and *left says what it could not give back (as
 * probe_machine_close does). */
const char *probe_machine_open(struct probe_machine *machine, const char **left);

/* The fault guard alone (#GP and #UD handlers): guarded MSR access and
 * TDCALL for the confidential-computing status, without the probes'
 * pages, timer or vector. Closed by probe_machine_close. */
const char *probe_machine_open_guard(struct probe_machine *machine, const char **left);

/* Unregisters the handlers and frees the pages, unless pages_in_use (a
 * registration could not be undone): they then stay reserved. NULL when
 * every handler was unregistered; else what was left. */
const char *probe_machine_close(struct probe_machine *machine, bool pages_in_use);

#endif
