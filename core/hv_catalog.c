/* Signatures at a hypervisor base leaf (EBX, ECX, EDX, in that order) and
 * the product each names, as each project's own documentation or source
 * gives them. */
#include "ascii.h"
#include "interface_tables.h"
#include "text_sink.h"

const struct hv_vendor hv_vendors[] = {
	{ "KVMKVMKVM\0\0\0", "kvm", "KVM", true, &kvm_table, 0 },
	{ "Microsoft Hv", "hyperv", "Microsoft Hyper-V", false, &hyperv_table, HYPERV_INTERFACE_HV1 },
	{ "Linux KVM Hv", "kvm_hv", "KVM (Hyper-V emulation)", false, &hyperv_table, HYPERV_INTERFACE_HV1 },
	{ "TCGTCGTCGTCG", "tcg", "QEMU TCG", false, NULL, 0 },
	{ "XenVMMXenVMM", "xen", "Xen", false, &xen_table, 0 },
	{ "VMwareVMware", "vmware", "VMware", false, &vmware_table, 0 },
	{ "VBoxVBoxVBox", "vbox", "Oracle VirtualBox", false, NULL, 0 },
	{ " lrpepyh  vr", "parallels", "Parallels", false, NULL, 0 },
	{ "bhyve bhyve ", "bhyve", "FreeBSD bhyve", false, &bhyve_table, 0 },
	{ "BHyVE BHyVE ", "bhyve", "FreeBSD bhyve (older)", false, &bhyve_table, 0 },
	{ "ACRNACRNACRN", "acrn", "Project ACRN", false, NULL, 0 },
	{ "QNXQVMBSQG\0\0", "qnx", "QNX Hypervisor", false, NULL, 0 },
	{ " QNXQVMBSQG ", "qnx", "QNX Hypervisor", false, NULL, 0 },
	{ "Jailhouse\0\0\0", "jailhouse", "Siemens Jailhouse", false, NULL, 0 },
	{ "SRESRESRESRE", "sre", "Lockheed Martin HSIP", false, NULL, 0 },
	{ "Apple VZ\0\0\0\0", "apple_vz", "Apple Virtualization.framework", false, NULL, 0 },
	{ "VirtualApple", "rosetta", "Apple Rosetta 2", false, NULL, 0 },
	{ "MicrosoftXTA", "xta", "Microsoft x64 emulation on Arm", false, NULL, 0 },
	{ "HAXMHAXMHAXM", "haxm", "Intel HAXM", false, NULL, 0 },
	{ "UnisysSpar64", "spar", "Unisys s-Par", false, NULL, 0 },
	{ "EVMMEVMMEVMM", "kgt", "Intel KGT (eVMM)", false, NULL, 0 },
	{ "___ NVMM ___", "nvmm", "NetBSD NVMM", false, NULL, 0 },
	{ "OpenBSDVMM58", "openbsd_vmm", "OpenBSD vmm", false, NULL, 0 },
	{ "LKVMLKVMLKVM", "lkvm", "kvmtool (LKVM)", false, NULL, 0 },
	{ "FEXIFEXIEMU\0", "fex", "FEX-Emu", false, NULL, 0 },
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

static bool is_macro_name(const char *id)
{
	for (; *id; id++)
		if (*id >= 'a' && *id <= 'z')
			return false;
	return true;
}

void hv_item_key(const struct hv_vendor *vendor, const char *id, char *out,
		 size_t size)
{
	const char *group = "", *rest = id;
	const struct key_prefix *prefix =
		vendor->table ? vendor->table->key_prefixes : NULL;
	struct buffer_sink key;

	for (; prefix && prefix->upstream; prefix++) {
		const char *stripped = ascii_after_prefix(id, prefix->upstream, false);
		if (stripped) {
			group = prefix->group;
			rest = stripped;
			break;
		}
	}
	string_sink_init(&key, out, size);
	sink_printf(&key.sink, "%s.%s", vendor->key, group);
	bool lower = is_macro_name(rest);
	for (; *rest; rest++) {
		char c = lower ? ascii_lower(*rest) : *rest;
		key.sink.write(&key.sink, &c, 1);
	}
	string_sink_finish(&key);
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
