/* Signatures at a hypervisor base leaf (EBX, ECX, EDX, in that order) and
 * the product each names; ../shared/reference/hypervisor-cpuid-leaves.md §7
 * lists the sources. */
#include "interface_tables.h"

const struct hv_vendor hv_vendors[] = {
	{ "KVMKVMKVM\0\0\0", "KVM", true, &kvm_table },
	{ "Linux KVM Hv", "KVM (Hyper-V emulation)", false, NULL },
	{ "TCGTCGTCGTCG", "QEMU TCG", false, NULL },
	{ "Microsoft Hv", "Microsoft Hyper-V", false, NULL },
	{ "XenVMMXenVMM", "Xen", false, NULL },
	{ "VMwareVMware", "VMware", false, NULL },
	{ "VBoxVBoxVBox", "Oracle VirtualBox", false, NULL },
	{ " lrpepyh  vr", "Parallels", false, NULL },
	{ "bhyve bhyve ", "FreeBSD bhyve", false, NULL },
	{ "BHyVE BHyVE ", "FreeBSD bhyve (older)", false, NULL },
	{ "ACRNACRNACRN", "Project ACRN", false, NULL },
	{ "QNXQVMBSQG\0\0", "QNX Hypervisor", false, NULL },
	{ " QNXQVMBSQG ", "QNX Hypervisor", false, NULL },
	{ "Jailhouse\0\0\0", "Siemens Jailhouse", false, NULL },
	{ "SRESRESRESRE", "Lockheed Martin HSIP", false, NULL },
	{ "Apple VZ\0\0\0\0", "Apple Virtualization.framework", false, NULL },
	{ "VirtualApple", "Apple Rosetta 2", false, NULL },
	{ "MicrosoftXTA", "Microsoft x64 emulation on Arm", false, NULL },
	{ "HAXMHAXMHAXM", "Intel HAXM", false, NULL },
	{ "UnisysSpar64", "Unisys s-Par", false, NULL },
	{ "EVMMEVMMEVMM", "Intel KGT (eVMM)", false, NULL },
	{ "___ NVMM ___", "NetBSD NVMM", false, NULL },
	{ "OpenBSDVMM58", "OpenBSD vmm", false, NULL },
	{ "LKVMLKVMLKVM", "kvmtool (LKVM)", false, NULL },
	{ "FEXIFEXIEMU\0", "FEX-Emu", false, NULL },
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
