/* Xen's leaves (xen/include/public/arch-x86/cpuid.h). Xen sits at
 * 0x40000000, or at 0x40000100 when Viridian (Hyper-V) leaves come first. */
#include "interface_tables.h"

static const struct field_def version_fields[] = {
	FIELD(16, 16, "major_version", "Xen major version", FIELD_DECIMAL),
	FIELD(0, 16, "minor_version", "Xen minor version", FIELD_DECIMAL),
};

static const struct field_def hypercall_page_fields[] = {
	FIELD(0, 32, "hypercall_transfer_pages", "hypercall pages", FIELD_DECIMAL),
};
static const struct field_def msr_base_fields[] = {
	FIELD(0, 32, "msr_base", "MSR taking the hypercall page", FIELD_HEX),
};
static const struct bit_def features1_bits[] = {
	{ 0, "XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD", "PT updates keep A/D bits", NULL, 0 },
};

static const struct bit_def tsc_bits[] = {
	{ 0, "XEN_CPUID_TSC_EMULATED", "TSC is emulated", NULL, 0 },
	{ 1, "XEN_CPUID_HOST_TSC_RELIABLE", "host TSC is reliable", NULL, 0 },
	{ 2, "XEN_CPUID_RDTSCP_INSTR_AVAIL", "RDTSCP available", NULL, 0 },
};
static const char *const tsc_modes[] = {
	"default (emulate if needed)", "always emulate", "never emulate",
	"never emulate, TSC_AUX",
};
static const struct field_def tsc_mode_fields[] = {
	{ 0, 32, "tsc_mode", "TSC mode", FIELD_ENUM, tsc_modes, COUNT_OF(tsc_modes) },
};
static const struct field_def guest_tsc_fields[] = {
	FIELD(0, 32, "guest_tsc_khz", "guest TSC frequency", FIELD_KHZ),
};
static const struct field_def incarnation_fields[] = {
	FIELD(0, 32, "tsc_incarnation", "migrations so far", FIELD_DECIMAL),
};
static const struct field_def offset_low_fields[] = {
	FIELD(0, 32, "tsc_offset_low", "TSC offset, low word", FIELD_HEX),
};
static const struct field_def offset_high_fields[] = {
	FIELD(0, 32, "tsc_offset_high", "TSC offset, high word", FIELD_HEX),
};
static const struct field_def mul_fields[] = {
	FIELD(0, 32, "tsc_to_ns_mul", "TSC to ns multiplier", FIELD_HEX),
};
static const struct field_def shift_fields[] = {
	FIELD(0, 8, "tsc_to_ns_shift", "TSC to ns shift (signed)", FIELD_HEX),
};
static const struct field_def host_tsc_fields[] = {
	FIELD(0, 32, "host_tsc_khz", "host TSC frequency", FIELD_KHZ),
};

static const struct bit_def hvm_bits[] = {
	{ 0, "XEN_HVM_CPUID_APIC_ACCESS_VIRT", "APIC accesses virtualized", NULL, 0 },
	{ 1, "XEN_HVM_CPUID_X2APIC_VIRT", "x2APIC MSRs virtualized", NULL, 0 },
	{ 2, "XEN_HVM_CPUID_IOMMU_MAPPINGS", "foreign pages IOMMU-mapped", NULL, 0 },
	{ 3, "XEN_HVM_CPUID_VCPU_ID_PRESENT", "EBX holds the vCPU ID", NULL, 0 },
	{ 4, "XEN_HVM_CPUID_DOMID_PRESENT", "ECX holds the domain ID", NULL, 0 },
	{ 5, "XEN_HVM_CPUID_EXT_DEST_ID", "15-bit destination IDs", NULL, 0 },
	{ 6, "XEN_HVM_CPUID_UPCALL_VECTOR", "per-vCPU upcall vectors", NULL, 0 },
};
static const struct field_def vcpu_id_fields[] = {
	FIELD(0, 32, "vcpu_id", "vCPU ID (if flagged)", FIELD_DECIMAL),
};
static const struct field_def domid_fields[] = {
	FIELD(0, 32, "domain_id", "domain ID (if flagged)", FIELD_DECIMAL),
};

static const struct field_def pv_max_subleaf_fields[] = {
	FIELD(0, 32, "pv_max_subleaf", "highest PV sub-leaf", FIELD_DECIMAL),
};
static const struct field_def machine_address_fields[] = {
	FIELD(0, 8, "XEN_CPUID_MACHINE_ADDRESS_WIDTH", "machine address bits", FIELD_DECIMAL),
};

static const struct register_decoder xen_decoders[] = {
	{ 0x01, 0, REG_EAX, "version", FIELDS(version_fields) },
	{ 0x02, 0, REG_EAX, "hypercalls", FIELDS(hypercall_page_fields) },
	{ 0x02, 0, REG_EBX, "hypercalls", FIELDS(msr_base_fields) },
	{ 0x02, 0, REG_ECX, "hypercalls", BITS(features1_bits) },
	{ 0x03, 0, REG_EAX, "time", BITS(tsc_bits) },
	{ 0x03, 0, REG_EBX, "time", FIELDS(tsc_mode_fields) },
	{ 0x03, 0, REG_ECX, "time", FIELDS(guest_tsc_fields) },
	{ 0x03, 0, REG_EDX, "time", FIELDS(incarnation_fields) },
	{ 0x03, 1, REG_EAX, "time", FIELDS(offset_low_fields) },
	{ 0x03, 1, REG_EBX, "time", FIELDS(offset_high_fields) },
	{ 0x03, 1, REG_ECX, "time", FIELDS(mul_fields) },
	{ 0x03, 1, REG_EDX, "time", FIELDS(shift_fields) },
	{ 0x03, 2, REG_EAX, "time", FIELDS(host_tsc_fields) },
	{ 0x04, 0, REG_EAX, "HVM features", BITS(hvm_bits) },
	{ 0x04, 0, REG_EBX, "HVM features", FIELDS(vcpu_id_fields) },
	{ 0x04, 0, REG_ECX, "HVM features", FIELDS(domid_fields) },
	{ 0x05, 0, REG_EAX, "PV features", FIELDS(pv_max_subleaf_fields) },
	{ 0x05, 0, REG_EBX, "PV features", FIELDS(machine_address_fields) },
};
static const struct key_prefix xen_key_prefixes[] = {
	{ "XEN_HVM_CPUID_", "hvm." }, { "XEN_CPUID_", "" }, { NULL, NULL }
};
const struct decoder_table xen_table = { xen_decoders, COUNT_OF(xen_decoders),
					   xen_key_prefixes };
