/* The consistency lints (lints.h): one table row per rule, each citing the
 * upstream text the rule comes from. The README's "Consistency lints"
 * lists the same rules with the same sources. */
#include "lints.h"

#include "ascii.h"
#include "hv_report.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Reads one decoded item of an interface: false when the interface has no
 * such item or the leaf holding it is not provided. */
static bool item_value(const struct hv_report *report, const struct hv_interface *iface,
		       const char *id, uint32_t *value)
{
	struct hv_item item;

	return iface && iface->vendor && hv_find_item(iface->vendor, id, false, &item) &&
	       hv_item_value(report, iface, &item, value) == DECODED;
}

static bool vendor_is(const struct hv_interface *iface, const char *key)
{
	return iface->vendor && ascii_equal(iface->vendor->key, key, false);
}

/* Which block a dependency rule reads. */
enum rule_block { KVM_GUEST_BLOCK, HYPERV_BLOCK };

/* "Each of these bits needs one of those": a dependent set with none of
 * the required ones set warns; not applicable when the leaf of the first
 * dependent is not provided (no such interface, or not that leaf). */
struct dependency {
	enum rule_block block;
	const char *dependents[6]; /* upstream identifiers, NULL-terminated */
	const char *required[3];
	const char *why;           /* what the dependents are worth without them */
};

static void list_required(const struct dependency *rule, struct text_sink *detail)
{
	for (size_t r = 0; rule->required[r]; r++)
		sink_printf(detail, "%s%s", r ? " or " : "", rule->required[r]);
}

static const struct hv_interface *hyperv_interface(const struct hv_report *report);

static enum outcome judge_dependency(const struct hv_report *report,
				     const struct dependency *rule, struct text_sink *detail)
{
	const struct hv_interface *iface = rule->block == KVM_GUEST_BLOCK
						   ? hv_guest_kvm_interface(report)
						   : hyperv_interface(report);
	const char *set[8];
	size_t set_count = 0, dependent_count = 0;
	uint32_t value;

	if (!item_value(report, iface, rule->dependents[0], &value)) {
		sink_puts(detail, rule->block == KVM_GUEST_BLOCK
					  ? "no KVM features leaf"
					  : "no Hyper-V (Hv#1) recommendations leaf");
		return OUTCOME_NOT_APPLICABLE;
	}
	for (; rule->dependents[dependent_count]; dependent_count++) {
		const char *id = rule->dependents[dependent_count];
		if (item_value(report, iface, id, &value) && value && set_count < COUNT_OF(set))
			set[set_count++] = id;
	}
	sink_printf(detail, "0x%08x: ", iface->base);
	if (!set_count) {
		sink_puts(detail, rule->dependents[0]);
		if (dependent_count > 1)
			sink_printf(detail, " and %u more", (unsigned)(dependent_count - 1));
		sink_puts(detail, " clear");
		return OUTCOME_PASS;
	}
	/* At most two named: the detail stays within one result's bound. */
	sink_puts(detail, set[0]);
	if (set_count > 1)
		sink_printf(detail, ", %s", set[1]);
	if (set_count > 2)
		sink_printf(detail, " and %u more", (unsigned)(set_count - 2));
	for (size_t r = 0; rule->required[r]; r++)
		if (item_value(report, iface, rule->required[r], &value) && value) {
			sink_printf(detail, " with %s", rule->required[r]);
			return OUTCOME_PASS;
		}
	sink_puts(detail, " set without ");
	list_required(rule, detail);
	sink_printf(detail, ": %s", rule->why);
	return OUTCOME_WARN;
}

/* QEMU docs/system/i386/hyperv.rst: with any Hyper-V enlightenment "QEMU
 * changes hypervisor identification (CPUID 0x40000000..0x4000000A) to
 * Hyper-V. KVM identification and features are kept in leaves
 * 0x40000100..0x40000101." Linux (arch/x86/kernel/kvm.c, kvm_cpuid_base)
 * scans every base and still finds KVM; a guest that reads 0x40000000
 * alone (systemd's detect_vm_cpuid, kvm-unit-tests' this_cpu_has_kvm)
 * sees the other interface. Legal, worth knowing: info. */
static enum outcome kvm_behind_other_interface(const struct hv_report *report,
					       struct text_sink *detail)
{
	const struct hv_interface *kvm = hv_guest_kvm_interface(report);

	if (!kvm) {
		sink_puts(detail, "no KVM interface");
		return OUTCOME_NOT_APPLICABLE;
	}
	if (kvm->base == HV_BASE_FIRST) {
		sink_puts(detail, "KVM at 0x40000000, where every guest looks");
		return OUTCOME_PASS;
	}
	const struct hv_interface *first = &report->interfaces[0];
	sink_printf(detail, "KVM at 0x%08x, behind ", kvm->base);
	if (first->base == HV_BASE_FIRST)
		sink_printf(detail, "%s at 0x40000000", hv_product(first));
	else
		sink_puts(detail, "an empty 0x40000000");
	sink_puts(detail, ": Linux scans and finds it; guests that read 0x40000000 "
			  "alone do not");
	return OUTCOME_INFO;
}

/* The Hyper-V block a guest following the TLFS uses: the first, in scan
 * order, that hvfeat decodes with Hyper-V's table ("Microsoft Hv", or
 * KVM's "Linux KVM Hv"). Its leaves past base+1 are decoded only under the
 * "Hv#1" interface signature, so without it the rules do not apply. */
static const struct hv_interface *hyperv_interface(const struct hv_report *report)
{
	for (size_t i = 0; i < report->interface_count; i++)
		if (vendor_is(&report->interfaces[i], "hyperv") ||
		    vendor_is(&report->interfaces[i], "kvm_hv"))
			return &report->interfaces[i];
	return NULL;
}

/* TLFS feature-discovery.md, "Hypervisor Discovery": with the hypervisor
 * present bit set, "Two such leaves are guaranteed to be available:
 * 0x40000000 and 0x40000001"; Linux's and systemd's detection read the
 * signature at 0x40000000 once the bit is set and find none (systemd:
 * "Unknown virtualization"). QEMU -cpu ...,kvm=off does this on purpose. */
static enum outcome bit_without_signature(const struct hv_report *report,
					  struct text_sink *detail)
{
	if (!report->hypervisor_bit) {
		sink_puts(detail, "hypervisor bit clear");
		return OUTCOME_NOT_APPLICABLE;
	}
	if (report->interface_count) {
		sink_printf(detail, "hypervisor bit set, %s at 0x%08x",
			    hv_product(&report->interfaces[0]), report->interfaces[0].base);
		return OUTCOME_PASS;
	}
	sink_puts(detail, "hypervisor bit set, yet no base from 0x40000000 to 0x4000ff00 "
			  "answers with a signature: the hypervisor hides who it is");
	return OUTCOME_WARN;
}

/* TLFS "Hypervisor Discovery": "In a non-virtualized environment, the bit
 * will be clear", and guests read 0x4000xxxx only once it is set (Linux,
 * arch/x86/kernel/kvm.c __kvm_cpuid_base: boot_cpu_has(X86_FEATURE_
 * HYPERVISOR); systemd's detect_vm_cpuid): what answers there is never
 * used. QEMU -cpu ...,-hypervisor does this. */
static enum outcome signature_without_bit(const struct hv_report *report,
					  struct text_sink *detail)
{
	if (report->hypervisor_bit) {
		sink_puts(detail, "hypervisor bit set");
		return OUTCOME_NOT_APPLICABLE;
	}
	if (!report->unadvertised_vendor) {
		sink_puts(detail, "hypervisor bit clear, no known signature at 0x40000000");
		return OUTCOME_PASS;
	}
	sink_printf(detail, "hypervisor bit clear, yet 0x40000000 answers as %s: guests, "
			    "which check the bit first, never use it",
		    report->unadvertised_vendor->product);
	return OUTCOME_WARN;
}

/* Whether leaf base+offset, which iface's max leaf promises, must hold a
 * set bit; false where all zero is a legitimate answer or hvfeat has no
 * definition to judge by. Sources:
 * - KVM: Linux cpuid.rst defines base and base+1 only; QEMU (target/i386/
 *   kvm/kvm.c) adds base+0x10 only when tsc_is_stable_and_known(), which
 *   is false without a TSC frequency, and puts that frequency in its EAX.
 *   So the timing leaf, and a max leaf anywhere past base+1, hold data.
 * - Hyper-V ("Hv#1"): TLFS feature-discovery.md, 0x40000002 "Hypervisor
 *   System Identity" (build number, version: a Windows release); every
 *   later leaf is privileges, features, recommendations, limits ("If any
 *   value is zero, the hypervisor does not expose the corresponding
 *   information") or reserved, all legitimately zero.
 * - Xen: xen/include/public/arch-x86/cpuid.h, base+2 EAX "is always
 *   guaranteed to specify one hypercall page"; its other leaves are
 *   feature words and the time leaf. */
static const struct {
	const char *vendor_key;
	uint32_t offset;          /* base + offset must hold data */
	bool max_leaf_too;        /* and so must the max leaf, wherever it is */
	bool needs_interface_eax; /* only under the table's base+1 signature */
} data_leaves[] = {
	{ "kvm", 0x10, true, false },
	{ "hyperv", 2, false, true },
	{ "kvm_hv", 2, false, true },
	{ "xen", 2, false, false },
};

static bool must_hold_data(const struct hv_report *report, const struct hv_interface *iface,
			   uint32_t offset, bool is_max)
{
	for (size_t i = 0; i < COUNT_OF(data_leaves); i++) {
		if (!vendor_is(iface, data_leaves[i].vendor_key))
			continue;
		const struct cpuid_regs *interface = hv_report_leaf(report, iface->base + 1, 0);
		if (data_leaves[i].needs_interface_eax &&
		    (!interface || interface->eax != iface->vendor->interface_signature))
			return false;
		return offset == data_leaves[i].offset || (data_leaves[i].max_leaf_too && is_max);
	}
	return false;
}

/* A block promises the leaves from base+2 to its max leaf (EAX of its
 * base leaf, when that lies past base+1; a max past the block's end
 * promises the block). Promised leaves that read all zero are mostly
 * legitimate: reserved leaves (Hyper-V's sparse range, the KVM leaves
 * below QEMU's timing leaf) and feature words with nothing set. The lint
 * warns when a promised leaf that must hold data (must_hold_data) reads
 * all zero in all four registers; leaves the scan did not read (past the
 * leaf budget) are not judged. */
static enum outcome max_leaf_promises_empty_leaf(const struct hv_report *report,
						 struct text_sink *detail)
{
	uint32_t checked[4];
	size_t judged = 0, empty = 0;
	const struct hv_interface *first_empty = NULL;
	uint32_t first_empty_leaf = 0;

	for (size_t i = 0; i < report->interface_count; i++) {
		const struct hv_interface *iface = &report->interfaces[i];
		bool as_reported = iface->max_leaf_note == MAX_LEAF_AS_REPORTED;
		if (!iface->vendor || iface->past_decode_limit ||
		    (!as_reported && iface->max_leaf_note != MAX_LEAF_CLAMPED))
			continue;
		for (uint32_t leaf = iface->base + 2; leaf <= iface->last_leaf; leaf++) {
			bool is_max = as_reported && leaf == iface->last_leaf;
			const struct cpuid_regs *regs = hv_report_leaf(report, leaf, 0);
			if (!regs || !must_hold_data(report, iface, leaf - iface->base, is_max))
				continue;
			if (judged < COUNT_OF(checked))
				checked[judged] = leaf;
			judged++;
			if ((regs->eax | regs->ebx | regs->ecx | regs->edx) == 0 && !empty++) {
				first_empty = iface;
				first_empty_leaf = leaf;
			}
		}
	}
	if (!judged) {
		sink_puts(detail, "no max leaf promises a leaf past base+1 that must hold data");
		return OUTCOME_NOT_APPLICABLE;
	}
	if (!empty) {
		for (size_t i = 0; i < judged && i < COUNT_OF(checked); i++)
			sink_printf(detail, "%s0x%08x", i ? ", " : "", checked[i]);
		if (judged > COUNT_OF(checked))
			sink_printf(detail, " and %u more", (unsigned)(judged - COUNT_OF(checked)));
		sink_printf(detail, ": promised, must hold data, and %s", judged > 1 ? "do" : "does");
		return OUTCOME_PASS;
	}
	sink_printf(detail, "%s at 0x%08x: max leaf 0x%08x promises 0x%08x, which must hold "
			    "data and reads all zero",
		    hv_product(first_empty), first_empty->base, first_empty->reported_max_leaf,
		    first_empty_leaf);
	if (empty > 1)
		sink_printf(detail, " (and %u more)", (unsigned)(empty - 1));
	return OUTCOME_WARN;
}

/* Whether SMBIOS type 0 can be judged: true with its VM bit, else false
 * having said why not (the detail of a lint that does not apply). */
static bool smbios_vm_bit(const struct hv_report *report, bool *vm, struct text_sink *detail)
{
	const struct smbios_report *m = &report->smbios;

	switch (m->state) {
	case SMBIOS_NOT_READ:
		sink_printf(detail, "SMBIOS not read: %s", m->reason[0] ? m->reason : "not looked for");
		return false;
	case SMBIOS_ABSENT:
		sink_printf(detail, "no SMBIOS tables: %s", m->reason);
		return false;
	case SMBIOS_UNUSABLE:
		sink_puts(detail, "no usable SMBIOS entry point");
		return false;
	case SMBIOS_READ:
		break;
	}
	if (!m->bios.found)
		sink_puts(detail, "no SMBIOS type 0 structure");
	else if (!smbios_bios_bit(&m->bios, SMBIOS_BIOS_EXT2_VM, vm))
		sink_puts(detail, "SMBIOS type 0 has no characteristics extension byte 2");
	else
		return true;
	return false;
}

/* systemd-boot (src/boot/vmm.c, in_hypervisor) takes CPUID.1:ECX[31] or
 * the SMBIOS type 0 VirtualMachineSupported bit (src/boot/smbios.c) for
 * "in a VM"; DSP0134 7.1.2.2, bit 4: "SMBIOS table describes a virtual
 * machine". QEMU sets the bit in every type 0 it builds (hw/smbios/
 * smbios.c: extension byte 2 0x14), OVMF in its own (OvmfPkg
 * SmbiosPlatformDxe: 0x1C). With the bit set, a CPUID that shows no
 * hypervisor bit (QEMU -cpu ...,-hypervisor; Linux and systemd then never
 * look at 0x4000xxxx) or the bit but no signature (kvm=off) hides the
 * hypervisor from the OS: it runs as on bare metal, without its
 * paravirtual clock and the rest. */
static enum outcome smbios_hidden_hypervisor(const struct hv_report *report,
					     struct text_sink *detail)
{
	bool vm;

	if (!smbios_vm_bit(report, &vm, detail))
		return OUTCOME_NOT_APPLICABLE;
	if (!vm) {
		sink_puts(detail, "SMBIOS type 0 does not say virtual machine");
		return OUTCOME_NOT_APPLICABLE;
	}
	sink_puts(detail, "SMBIOS type 0 says virtual machine; ");
	if (!report->hypervisor_bit) {
		sink_puts(detail, "CPUID.1:ECX[31] is clear");
		if (report->unadvertised_vendor)
			sink_printf(detail, " (%s answers unasked)", report->unadvertised_vendor->product);
		sink_puts(detail, ": the hypervisor hides from the OS");
		return OUTCOME_WARN;
	}
	if (!report->interface_count) {
		sink_puts(detail, "the hypervisor bit is set, no signature at any base: the "
				  "hypervisor hides who it is");
		return OUTCOME_WARN;
	}
	sink_printf(detail, "CPUID agrees: %s at 0x%08x", hv_product(&report->interfaces[0]),
		    report->interfaces[0].base);
	return OUTCOME_PASS;
}

/* The reverse: CPUID says hypervisor, the SMBIOS tables do not. Legal
 * (the bit came with SMBIOS 2.7, and not every hypervisor's firmware sets
 * it) and no guest is misled, since CPUID tells: info. */
static enum outcome hypervisor_without_smbios_vm_bit(const struct hv_report *report,
						     struct text_sink *detail)
{
	bool vm;

	if (!report->hypervisor_bit) {
		sink_puts(detail, "hypervisor bit clear");
		return OUTCOME_NOT_APPLICABLE;
	}
	if (!smbios_vm_bit(report, &vm, detail))
		return OUTCOME_NOT_APPLICABLE;
	if (vm) {
		sink_puts(detail, "hypervisor bit set, SMBIOS type 0 says virtual machine");
		return OUTCOME_PASS;
	}
	sink_printf(detail, "hypervisor bit set, SMBIOS %u.%u type 0 does not say virtual "
			    "machine: only CPUID tells", report->smbios.major, report->smbios.minor);
	return OUTCOME_INFO;
}

struct lint {
	const char *name;
	const char *meaning;
	enum severity severity; /* of a warning */
	enum outcome (*judge)(const struct hv_report *report, struct text_sink *detail);
	struct dependency rule; /* when judge is NULL */
};

static const struct lint lints[] = {
	/* Linux Documentation/virt/kvm/x86/cpuid.rst: CLOCKSOURCE_STABLE_BIT
	 * promises that PVCLOCK_TSC_STABLE_BIT may be trusted in the kvmclock
	 * pages, which exist only through CLOCKSOURCE or CLOCKSOURCE2; Linux
	 * (arch/x86/kernel/kvmclock.c, kvmclock_init) reads the bit only once
	 * kvmclock is in use. QEMU -cpu host,-kvmclock leaves it set. */
	{ "kvm.stable-bit-without-kvmclock",
	  "KVM's stable-clock bit set without either kvmclock bit", SEVERITY_LOW, NULL,
	  { KVM_GUEST_BLOCK, { "KVM_FEATURE_CLOCKSOURCE_STABLE_BIT" },
	    { "KVM_FEATURE_CLOCKSOURCE2", "KVM_FEATURE_CLOCKSOURCE" },
	    "it vouches for a kvmclock the guest cannot use" } },
	/* Linux Documentation/virt/kvm/x86/cpuid.rst: ASYNC_PF (bit 4) "async pf
	 * can be enabled by writing to msr 0x4b564d02"; msr.rst, MSR_KVM_ASYNC_PF_EN:
	 * "Bit 3 enables interrupt based delivery of 'page ready' events. Bit 3
	 * can only be set if KVM_FEATURE_ASYNC_PF_INT is present", and
	 * MSR_KVM_ASYNC_PF_INT's vector "has to be set up before asynchronous
	 * page fault mechanism is enabled in MSR_KVM_ASYNC_PF_EN": ASYNC_PF_INT
	 * only qualifies how ASYNC_PF's MSR is used. */
	{ "kvm.async-pf-int-without-async-pf",
	  "KVM's async PF interrupt delivery set without async PF", SEVERITY_LOW, NULL,
	  { KVM_GUEST_BLOCK, { "KVM_FEATURE_ASYNC_PF_INT" }, { "KVM_FEATURE_ASYNC_PF" },
	    "interrupt delivery is bit 3 of MSR_KVM_ASYNC_PF_EN, which is not offered" } },
	/* Linux Documentation/virt/kvm/x86/cpuid.rst: ASYNC_PF_VMEXIT "can be
	 * enabled by setting bit 2 when writing to msr 0x4b564d02", the MSR that
	 * ASYNC_PF offers; msr.rst, MSR_KVM_ASYNC_PF_EN: "Bit 2 can be set only if
	 * KVM_FEATURE_ASYNC_PF_VMEXIT is present in CPUID." */
	{ "kvm.async-pf-vmexit-without-async-pf",
	  "KVM's async PF VM-exit delivery set without async PF", SEVERITY_LOW, NULL,
	  { KVM_GUEST_BLOCK, { "KVM_FEATURE_ASYNC_PF_VMEXIT" }, { "KVM_FEATURE_ASYNC_PF" },
	    "it is bit 2 of MSR_KVM_ASYNC_PF_EN, which is not offered" } },
	{ "kvm.behind-other-interface",
	  "KVM's block is not at 0x40000000 (info: e.g. behind Hyper-V)", SEVERITY_NONE,
	  kvm_behind_other_interface, { 0 } },
	/* TLFS feature-discovery.md, 0x40000004 EAX: bits 0-2 "Recommend using
	 * hypercall for" address-space switches and local and remote TLB flushes,
	 * bit 10 "Recommend using SyntheticClusterIpi hypercall", bit 11 the
	 * ExProcessorMasks interface (HvCallFlushVirtualAddressSpaceEx.md: its
	 * availability is inferred from that bit). hypercall-interface.md,
	 * "Establishing the Hypercall Interface": hypercalls go through the page
	 * that HV_X64_MSR_HYPERCALL enables, after HV_X64_MSR_GUEST_OS_ID; and
	 * datatypes/hv_partition_privilege_mask.md: AccessHypercallMsrs is access
	 * to exactly those two MSRs. */
	{ "hyperv.hypercall-recommended-without-hypercall-msrs",
	  "Hyper-V recommends hypercalls without AccessHypercallMsrs", SEVERITY_MEDIUM, NULL,
	  { HYPERV_BLOCK,
	    { "UseHypercallForAddressSpaceSwitch", "UseHypercallForLocalFlush",
	      "UseHypercallForRemoteFlushAndLocalFlushEntire", "UseSyntheticClusterIpi",
	      "UseExProcessorMasks" },
	    { "AccessHypercallMsrs" }, "hypercalls need the hypercall page" } },
	/* TLFS feature-discovery.md, 0x40000004 EAX bit 3: "Recommend using MSRs
	 * for accessing APIC registers EOI, ICR and TPR"; hv_partition_privilege_
	 * mask.md: AccessIntrCtrlRegs is access to HV_X64_MSR_EOI, _ICR, _TPR. */
	{ "hyperv.apic-msrs-recommended-without-access",
	  "Hyper-V recommends the APIC MSRs without AccessIntrCtrlRegs", SEVERITY_MEDIUM, NULL,
	  { HYPERV_BLOCK, { "UseApicMsrs" }, { "AccessIntrCtrlRegs" },
	    "the MSRs it recommends are not granted" } },
	/* TLFS feature-discovery.md, 0x40000004 EAX bit 4: "Recommend using the
	 * hypervisor-provided MSR to initiate a system RESET";
	 * hv_partition_privilege_mask.md: AccessResetReg is access to "the
	 * synthetic MSR that resets the system". */
	{ "hyperv.reset-msr-recommended-without-access",
	  "Hyper-V recommends the reset MSR without AccessResetReg", SEVERITY_MEDIUM, NULL,
	  { HYPERV_BLOCK, { "UseHvRegisterForReset" }, { "AccessResetReg" },
	    "the reset MSR it recommends is not granted" } },
	{ "hypervisor.bit-without-signature",
	  "hypervisor bit set, no signature at any base (kvm=off)", SEVERITY_LOW,
	  bit_without_signature, { 0 } },
	{ "hypervisor.signature-without-bit",
	  "a signature answers at 0x40000000 with the bit clear", SEVERITY_LOW,
	  signature_without_bit, { 0 } },
	{ "hypervisor.max-leaf-promises-empty-leaf",
	  "a leaf the max leaf promises, that must hold data, is all zero", SEVERITY_LOW,
	  max_leaf_promises_empty_leaf, { 0 } },
	{ "smbios.hidden-hypervisor",
	  "SMBIOS says virtual machine, CPUID hides the hypervisor", SEVERITY_MEDIUM,
	  smbios_hidden_hypervisor, { 0 } },
	{ "smbios.hypervisor-without-vm-bit",
	  "hypervisor bit set, SMBIOS type 0 without its VM bit (info)", SEVERITY_NONE,
	  hypervisor_without_smbios_vm_bit, { 0 } },
};

#define LINT_COUNT COUNT_OF(lints)

void lint_run(const struct hv_report *report, struct result_list *results)
{
	for (size_t i = 0; i < LINT_COUNT; i++) {
		char detail[RESULT_DETAIL_MAX];
		struct buffer_sink text;
		string_sink_init(&text, detail, sizeof(detail));
		enum outcome outcome = lints[i].judge
					       ? lints[i].judge(report, &text.sink)
					       : judge_dependency(report, &lints[i].rule, &text.sink);
		bool graded = outcome == OUTCOME_WARN || outcome == OUTCOME_FAIL;
		sink_puts(results_add(results, outcome,
				      graded ? lints[i].severity : SEVERITY_NONE, "lint.",
				      lints[i].name),
			  string_sink_finish(&text));
	}
}

bool lint_name_known(const char *name)
{
	for (size_t i = 0; i < LINT_COUNT; i++)
		if (ascii_equal(name, lints[i].name, true))
			return true;
	return false;
}

void render_lint_labels(struct text_sink *out)
{
	for (size_t i = 0; i < LINT_COUNT; i++)
		sink_printf(out, "  lint.%s\n      %s\n", lints[i].name, lints[i].meaning);
}
