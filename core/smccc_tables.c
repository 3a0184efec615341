/* What SMCCC answers mean, as data: the hypervisors known by their UID,
 * KVM's vendor functions, the features SMCCC_ARCH_FEATURES is asked about
 * and the return codes. Identifiers are Linux's include/linux/arm-smccc.h
 * unless a row says otherwise; the meanings are our own words. */
#include "smccc.h"

const struct smccc_vendor smccc_vendors[] = {
	/* Linux arm-smccc.h, ARM_SMCCC_VENDOR_HYP_UID_KVM */
	{ "28b46fb6-2ec5-11e9-a9ca-4b564d003a74", "kvm", "KVM" },
	/* Linux arch/arm64/hyperv/mshyperv.c, hyperv_detect_via_smccc */
	{ "58ba324d-6447-24cd-756c-ef8e24705916", "hyperv", "Microsoft Hyper-V" },
	/* Xen xen/include/public/arch-arm/smccc.h, XEN_SMCCC_UID */
	{ "a71812dc-c698-4369-9acf-79d18ddee667", "xen", "Xen" },
};
const size_t smccc_vendor_count = sizeof(smccc_vendors) / sizeof(smccc_vendors[0]);

const struct smccc_kvm_function smccc_kvm_functions[] = {
	{ 0, 0, "ARM_SMCCC_KVM_FUNC_FEATURES", "features",
	  "this bitmap of KVM's vendor functions" },
	{ 1, 1, "ARM_SMCCC_KVM_FUNC_PTP", "ptp",
	  "host wall clock and counter pair (ptp_kvm)" },
	{ 2, 2, "ARM_SMCCC_KVM_FUNC_HYP_MEMINFO", "hyp_meminfo",
	  "protected KVM: the hypervisor's memory granule" },
	{ 3, 3, "ARM_SMCCC_KVM_FUNC_MEM_SHARE", "mem_share",
	  "protected KVM: share a page with the host" },
	{ 4, 4, "ARM_SMCCC_KVM_FUNC_MEM_UNSHARE", "mem_unshare",
	  "protected KVM: take a shared page back" },
	{ 5, 6, "ARM_SMCCC_KVM_FUNC_PKVM_RESV_%u", NULL, "reserved for protected KVM" },
	{ 7, 7, "ARM_SMCCC_KVM_FUNC_MMIO_GUARD", "mmio_guard",
	  "protected KVM: register an MMIO page as such" },
	{ 8, 63, "ARM_SMCCC_KVM_FUNC_PKVM_RESV_%u", NULL, "reserved for protected KVM" },
	{ 64, 64, "ARM_SMCCC_KVM_FUNC_DISCOVER_IMPL_VER", "discover_impl_ver",
	  "the version of the implementation-CPU list" },
	{ 65, 65, "ARM_SMCCC_KVM_FUNC_DISCOVER_IMPL_CPUS", "discover_impl_cpus",
	  "the CPUs a migratable VM may run on (errata)" },
	{ 127, 127, "ARM_SMCCC_KVM_FUNC_FEATURES_2", "features_2",
	  "the second word of the features bitmap" },
};
const size_t smccc_kvm_function_count =
	sizeof(smccc_kvm_functions) / sizeof(smccc_kvm_functions[0]);

const struct smccc_arch_feature smccc_arch_features[] = {
	{ SMCCC_ARCH_WORKAROUND_1, "ARM_SMCCC_ARCH_WORKAROUND_1", "workaround_1",
	  "Spectre v2: branch predictor invalidated by this call" },
	{ SMCCC_ARCH_WORKAROUND_2, "ARM_SMCCC_ARCH_WORKAROUND_2", "workaround_2",
	  "Spectre v4: speculative store bypass safe state set by this call" },
	{ SMCCC_ARCH_WORKAROUND_3, "ARM_SMCCC_ARCH_WORKAROUND_3", "workaround_3",
	  "Spectre-BHB: branch history cleared by this call" },
	{ SMCCC_ARCH_WORKAROUND_4, "ARM_SMCCC_ARCH_WORKAROUND_4", "workaround_4",
	  "the firmware mitigates the leaky data prefetcher" },
	{ SMCCC_ARCH_SOC_ID, "ARM_SMCCC_ARCH_SOC_ID", "soc_id",
	  "the SoC's JEP106 identity and revision" },
	/* Arm DEN 0057: PV time is discovered through ARCH_FEATURES. */
	{ SMCCC_HV_PV_TIME_FEATURES, "ARM_SMCCC_HV_PV_TIME_FEATURES", "pv_time",
	  "paravirtualized time (DEN 0057)" },
};
const size_t smccc_arch_feature_count =
	sizeof(smccc_arch_features) / sizeof(smccc_arch_features[0]);

static const struct smccc_return_code return_codes[] = {
	{ SMCCC_RET_SUCCESS, "SMCCC_RET_SUCCESS", "success" },
	{ SMCCC_RET_NOT_SUPPORTED, "SMCCC_RET_NOT_SUPPORTED", "not_supported" },
	{ SMCCC_RET_NOT_REQUIRED, "SMCCC_RET_NOT_REQUIRED", "not_required" },
	{ SMCCC_RET_INVALID_PARAMETER, "SMCCC_RET_INVALID_PARAMETER", "invalid_parameter" },
};
static const struct smccc_return_code workaround_unaffected = {
	1, "SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED", "unaffected"
};

bool smccc_arch_feature_offered(uint32_t feature, int32_t status)
{
	return status >= 0 ||
	       (feature == SMCCC_ARCH_WORKAROUND_2 && status == SMCCC_RET_NOT_REQUIRED);
}

const struct smccc_return_code *smccc_return_code(int32_t value, bool arch_workaround)
{
	if (arch_workaround && value == workaround_unaffected.value)
		return &workaround_unaffected;
	for (size_t i = 0; i < sizeof(return_codes) / sizeof(return_codes[0]); i++)
		if (return_codes[i].value == value)
			return &return_codes[i];
	return NULL;
}
