/* What the firmware publishes about confidential computing, as bytes for
 * the core (cvm.h): EFI_CC_MEASUREMENT_PROTOCOL's capability, and under
 * SEV-SNP the blob of CONFIDENTIAL_COMPUTING_SNP_BLOB_GUID with the CPUID
 * page it points at, read only where the memory map has memory. */
#include <efi.h>
#include <efilib.h>

#include "cvm_firmware.h"
#include "memory_map.h"

/* edk2 MdePkg Protocol/CcMeasurement.h */
#define CC_MEASUREMENT_PROTOCOL_GUID \
	{ 0x96751a3d, 0x72f4, 0x41a6, { 0xa7, 0x94, 0xed, 0x5d, 0x0e, 0x67, 0xae, 0x6b } }
/* edk2 OvmfPkg Guid/ConfidentialComputingSevSnpBlob.h */
#define SNP_BLOB_GUID \
	{ 0x067b1f5f, 0xcf26, 0x44c5, { 0x85, 0x54, 0x93, 0xd7, 0x77, 0x91, 0x2d, 0x42 } }

/* Only GetCapability of the protocol's four functions is used. */
struct cc_measurement_protocol {
	EFI_STATUS(EFIAPI *get_capability)(struct cc_measurement_protocol *self, void *capability);
};

static void read_snp_blob(const void *table, struct cvm_firmware *out)
{
	const UINT8 *blob = table;

	out->snp_blob_found = true;
	for (UINTN i = 0; i < SNP_BLOB_BYTES; i++)
		out->snp_blob[i] = blob[i];
	/* CpuidPhysicalAddress at 24, CpuidLSize at 32: the table never holds
	 * more than SNP_CPUID_TABLE_BYTES (SNP_CPUID_COUNT_MAX entries). */
	UINT64 address = *(const UINT64 *)(blob + 24);
	UINT32 size = *(const UINT32 *)(blob + 32);
	UINTN length = size < SNP_CPUID_TABLE_BYTES ? size : SNP_CPUID_TABLE_BYTES;
	out->snp_cpuid_unread = !address || !length ? "the blob names no CPUID page"
						     : memory_map_holds(address, length);
	if (out->snp_cpuid_unread)
		return;
	const volatile UINT8 *page = (const volatile UINT8 *)(UINTN)address;
	for (UINTN i = 0; i < length; i++)
		out->snp_cpuid_page[i] = page[i];
	out->snp_cpuid_length = length;
}

void cvm_firmware_read(struct cvm_firmware *out)
{
	EFI_GUID cc_guid = CC_MEASUREMENT_PROTOCOL_GUID, blob_guid = SNP_BLOB_GUID;
	struct cc_measurement_protocol *cc;
	UINT8 capability[CC_CAPABILITY_BYTES] __attribute__((aligned(4))) = { CC_CAPABILITY_BYTES };

	*out = (struct cvm_firmware){ 0 };
	if (!EFI_ERROR(BS->LocateProtocol(&cc_guid, NULL, (void **)&cc))) {
		out->cc_protocol_found = true;
		out->cc_capability_status = cc->get_capability(cc, capability);
		for (UINTN i = 0; i < CC_CAPABILITY_BYTES; i++)
			out->cc_capability[i] = capability[i];
	}
	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++)
		if (!CompareGuid(&ST->ConfigurationTable[i].VendorGuid, &blob_guid)) {
			read_snp_blob(ST->ConfigurationTable[i].VendorTable, out);
			break;
		}
}
