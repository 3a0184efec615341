/* Decoder tables of each interface, shared between core/ files only. */
#ifndef HVFEAT_INTERFACE_TABLES_H
#define HVFEAT_INTERFACE_TABLES_H

#include "hv_catalog.h"

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

extern const struct decoder_table kvm_table;

#endif
