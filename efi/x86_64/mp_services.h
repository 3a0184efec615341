/* The firmware's vCPUs through EFI_MP_SERVICES_PROTOCOL (efi/mp_services.c):
 * CPUID on each for the report's vCPU section, and code on all at once for
 * the probe across vCPUs. */
#ifndef HVFEAT_MP_SERVICES_H
#define HVFEAT_MP_SERVICES_H

#include "probe.h"
#include "vcpus.h"

/* Finds the protocol and counts the processors: NULL when found, else why
 * not ("the firmware has no EFI_MP_SERVICES_PROTOCOL"). */
const char *mp_services_open(void);

/* Every processor as a vCPU source (after mp_services_open succeeded). */
void mp_services_vcpu_source(struct vcpu_source *source);

/* The enabled processors, this one first, and the operations to run code
 * on them, into the probes' machine; one vCPU when the protocol is absent. */
void mp_services_probe_vcpus(struct probe_machine *machine);

#endif
