/* The one thing hvfeat reads of a flattened device tree (the Devicetree
 * Specification 0.4, chapter 5): the PSCI node's conduit, which an
 * AArch64 firmware without ACPI names there instead of the FADT. */
#ifndef HVFEAT_FDT_H
#define HVFEAT_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A blob larger than this is refused: QEMU's virt tree is under 1 MiB. */
#define FDT_MAX_BYTES (2u * 1024u * 1024u)

/* The "method" property ("hvc" or "smc") of the root's "psci" node (Linux
 * Documentation/devicetree/bindings/arm/psci.yaml), copied NUL-terminated
 * into method. NULL when found, else why not ("no /psci node", "not a
 * device tree"). Never reads past the blob's own totalsize, which must be
 * at most FDT_MAX_BYTES; every offset and length in it is checked. */
const char *fdt_psci_method(const void *blob, char *method, size_t size);

#endif
