/* What the firmware publishes about confidential computing
 * (efi/cvm_firmware.c). */
#ifndef HVFEAT_CVM_FIRMWARE_H
#define HVFEAT_CVM_FIRMWARE_H

#include "cvm.h"

/* The CC measurement protocol's capability and the SNP blob with its
 * CPUID page, copied into out. */
void cvm_firmware_read(struct cvm_firmware *out);

#endif
