/* VMware's timing leaf (Linux arch/x86/kernel/cpu/vmware.c) and bhyve's
 * feature leaf (Linux arch/x86/kernel/cpu/bhyve.c). */
#include "interface_tables.h"

static const struct bit_def hypercall_mode_bits[] = {
	{ 0, "CPUID_VMWARE_FEATURES_ECX_VMMCALL", "hypercalls through VMMCALL", NULL, 0 },
	{ 1, "CPUID_VMWARE_FEATURES_ECX_VMCALL", "hypercalls through VMCALL", NULL, 0 },
};

static const struct register_decoder vmware_decoders[] = {
	{ 0x10, 0, REG_EAX, "timing", FIELDS(timing_tsc_fields) },
	{ 0x10, 0, REG_EBX, "timing", FIELDS(timing_apic_fields) },
	{ 0x10, 0, REG_ECX, "timing", BITS(hypercall_mode_bits) },
};
static const struct key_prefix vmware_key_prefixes[] = {
	{ "CPUID_VMWARE_FEATURES_ECX_", "" }, { NULL, NULL }
};
const struct decoder_table vmware_table = { vmware_decoders, COUNT_OF(vmware_decoders),
					    vmware_key_prefixes };

static const struct bit_def bhyve_feature_bits[] = {
	{ 0, "CPUID_BHYVE_FEAT_EXT_DEST_ID", "MSI extended destination ID", NULL, 0 },
};

static const struct register_decoder bhyve_decoders[] = {
	{ 0x01, 0, REG_EAX, "features", BITS(bhyve_feature_bits) },
};
static const struct key_prefix bhyve_key_prefixes[] = {
	{ "CPUID_BHYVE_FEAT_", "" }, { NULL, NULL }
};
const struct decoder_table bhyve_table = { bhyve_decoders, COUNT_OF(bhyve_decoders),
					   bhyve_key_prefixes };
