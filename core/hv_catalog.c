/* Signatures at a hypervisor base leaf (EBX, ECX, EDX, in that order) and
 * the product each names; ../shared/reference/hypervisor-cpuid-leaves.md §7
 * lists the sources. */
#include "interface_tables.h"

const struct hv_vendor hv_vendors[] = {
	{ "KVMKVMKVM\0\0\0", "KVM", true, &kvm_table, 0 },
	{ "Linux KVM Hv", "KVM (Hyper-V emulation)", false, &hyperv_table, HYPERV_INTERFACE_HV1 },
	{ "TCGTCGTCGTCG", "QEMU TCG", false, NULL, 0 },
	{ "Microsoft Hv", "Microsoft Hyper-V", false, &hyperv_table, HYPERV_INTERFACE_HV1 },
	{ "XenVMMXenVMM", "Xen", false, &xen_table, 0 },
	{ "VMwareVMware", "VMware", false, &vmware_table, 0 },
	{ "VBoxVBoxVBox", "Oracle VirtualBox", false, NULL, 0 },
	{ " lrpepyh  vr", "Parallels", false, NULL, 0 },
	{ "bhyve bhyve ", "FreeBSD bhyve", false, &bhyve_table, 0 },
	{ "BHyVE BHyVE ", "FreeBSD bhyve (older)", false, &bhyve_table, 0 },
	{ "ACRNACRNACRN", "Project ACRN", false, NULL, 0 },
	{ "QNXQVMBSQG\0\0", "QNX Hypervisor", false, NULL, 0 },
	{ " QNXQVMBSQG ", "QNX Hypervisor", false, NULL, 0 },
	{ "Jailhouse\0\0\0", "Siemens Jailhouse", false, NULL, 0 },
	{ "SRESRESRESRE", "Lockheed Martin HSIP", false, NULL, 0 },
	{ "Apple VZ\0\0\0\0", "Apple Virtualization.framework", false, NULL, 0 },
	{ "VirtualApple", "Apple Rosetta 2", false, NULL, 0 },
	{ "MicrosoftXTA", "Microsoft x64 emulation on Arm", false, NULL, 0 },
	{ "HAXMHAXMHAXM", "Intel HAXM", false, NULL, 0 },
	{ "UnisysSpar64", "Unisys s-Par", false, NULL, 0 },
	{ "EVMMEVMMEVMM", "Intel KGT (eVMM)", false, NULL, 0 },
	{ "___ NVMM ___", "NetBSD NVMM", false, NULL, 0 },
	{ "OpenBSDVMM58", "OpenBSD vmm", false, NULL, 0 },
	{ "LKVMLKVMLKVM", "kvmtool (LKVM)", false, NULL, 0 },
	{ "FEXIFEXIEMU\0", "FEX-Emu", false, NULL, 0 },
};
const size_t hv_vendor_count = COUNT_OF(hv_vendors);

const struct hv_vendor *hv_vendor_lookup(const char signature[HV_SIGNATURE_LENGTH])
{
	for (size_t v = 0; v < hv_vendor_count; v++) {
		size_t i = 0;
		while (i < HV_SIGNATURE_LENGTH &&
		       hv_vendors[v].signature[i] == signature[i])
			i++;
		if (i == HV_SIGNATURE_LENGTH)
			return &hv_vendors[v];
	}
	return NULL;
}

uint32_t cpuid_register_value(const struct cpuid_regs *regs,
			      enum cpuid_register reg)
{
	switch (reg) {
	case REG_EAX:
		return regs->eax;
	case REG_EBX:
		return regs->ebx;
	case REG_ECX:
		return regs->ecx;
	case REG_EDX:
		return regs->edx;
	}
	return 0;
}

const char *cpuid_register_name(enum cpuid_register reg)
{
	static const char *const names[] = { "eax", "ebx", "ecx", "edx" };
	return names[reg];
}
