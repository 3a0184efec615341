/* Decoder tables of each interface, shared between core/ files only. */
#ifndef HVFEAT_INTERFACE_TABLES_H
#define HVFEAT_INTERFACE_TABLES_H

#include "hv_catalog.h"

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

#define MSRS(list) list, COUNT_OF(list)
#define BITS(list) list, COUNT_OF(list), NULL, 0
#define FIELDS(list) NULL, 0, list, COUNT_OF(list)
#define FIELD(lsb, width, id, meaning, format) { lsb, width, id, meaning, format, NULL, 0 }

/* The timing leaf base+0x10 that QEMU copied from VMware. */
extern const struct field_def timing_tsc_fields[1];
extern const struct field_def timing_apic_fields[1];

extern const struct decoder_table kvm_table;
extern const struct decoder_table hyperv_table;
extern const struct decoder_table xen_table;
extern const struct decoder_table vmware_table;
extern const struct decoder_table bhyve_table;

/* "Hv#1" in base+1 EAX */
#define HYPERV_INTERFACE_HV1 0x31237648u

#endif
