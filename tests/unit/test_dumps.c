/* Reading cpuid -r dumps, and decoding every interface layout from dump
 * files in tests/dumps. Expected values are worked out by hand from the
 * registers in those files and the reference tables. */
#include "recordings.h"

#include "cpuid_dump.h"

static struct cpuid_dump dump;

static bool parse_text(const char *text)
{
	return cpuid_dump_parse(&dump, text, strlen(text));
}

static void new_and_old_style_lines(void **state)
{
	(void)state;
	assert_true(parse_text(
		"CPU:\r\n"
		"   0x00000000 0x00: eax=0x0000000d ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\r\n"
		"   0x00000004: eax=0x1c004121 ebx=0x01c0003f ecx=0x0000003f edx=0x00000000\n"
		"   0x00000004: eax=0x1c004122 ebx=0x01c0003f ecx=0x0000003f edx=0x00000000\n"
		"   0x40000000: eax=0x40000001 ebx=0x4b4d564b ecx=0x564b4d56 edx=0x0000004d  \n"
		"\n"));
	assert_int_equal(dump.record_count, 4);
	assert_int_equal(dump.cpu_count, 1);
	assert_int_equal(dump.records[1].leaf, 4);
	assert_int_equal(dump.records[1].subleaf, 0);
	assert_int_equal(dump.records[2].subleaf, 1); /* numbered like cpuid does */
	assert_int_equal(dump.records[2].regs.eax, 0x1c004122);
	assert_int_equal(dump.records[3].leaf, 0x40000000);
	assert_int_equal(dump.records[3].subleaf, 0);
	assert_int_equal(dump.records[3].regs.edx, 0x4d);
}

/* cpuid -r without -1 dumps every CPU; the first one is used. */
static void only_the_first_cpu_is_kept(void **state)
{
	(void)state;
	assert_true(parse_text(
		"CPU 0:\n"
		"   0x00000001 0x00: eax=0x00000001 ebx=0x00000000 ecx=0x80000000 edx=0x00000000\n"
		"CPU 1:\n"
		"   0x00000001 0x00: eax=0x00000002 ebx=0x00000000 ecx=0x00000000 edx=0x00000000\n"));
	assert_int_equal(dump.cpu_count, 2);
	assert_int_equal(dump.record_count, 1);
	assert_int_equal(dump.records[0].regs.eax, 1);
}

static void problems_carry_line_numbers(void **state)
{
	(void)state;
	static char text[4096];
	FILE *f = fopen(DUMPS_DIR "/malformed.txt", "rb");
	assert_non_null(f);
	size_t length = fread(text, 1, sizeof(text), f);
	fclose(f);

	assert_false(cpuid_dump_parse(&dump, text, length));
	assert_int_equal(dump.problem_count, 4);
	assert_int_equal(dump.problems[0].line, 3);
	assert_string_equal(dump.problems[0].reason, "not a cpuid -r line");
	assert_int_equal(dump.problems[1].line, 4); /* edx missing: cut short */
	assert_int_equal(dump.problems[2].line, 6);
	assert_string_equal(dump.problems[2].reason, "leaf and sub-leaf given twice");
	assert_int_equal(dump.problems[3].line, 7); /* nine hex digits */

	static char messages[1024];
	struct buffer_sink sink;
	buffer_sink_init(&sink, messages, sizeof(messages) - 1);
	render_dump_problems(&dump, "bad.txt", &sink.sink);
	messages[sink.length] = '\0';
	assert_contains(messages, "hvfeat: bad.txt:3: not a cpuid -r line\n");
	assert_contains(messages, "hvfeat: bad.txt:6: leaf and sub-leaf given twice\n");
}

static void binary_empty_and_huge_inputs(void **state)
{
	(void)state;
	static const char binary[] = "CPU:\n\x7f" "ELF\x02\x01\x01\0\0\0\n";
	assert_false(cpuid_dump_parse(&dump, binary, sizeof(binary) - 1));
	assert_string_equal(dump.problems[0].reason, "binary data, not text");
	assert_int_equal(dump.problems[0].line, 2);

	assert_false(parse_text(""));
	assert_string_equal(dump.problems[0].reason, "no CPUID leaves in it");
	assert_int_equal(dump.problems[0].line, 0);

	static char huge[DUMP_MAX_BYTES + 1];
	memset(huge, ' ', sizeof(huge));
	assert_false(cpuid_dump_parse(&dump, huge, sizeof(huge)));
	assert_string_equal(dump.problems[0].reason, "larger than 1 MiB, too large for a dump");

	static char long_line[DUMP_MAX_LINE + 10];
	memset(long_line, '0', sizeof(long_line));
	assert_false(cpuid_dump_parse(&dump, long_line, sizeof(long_line)));
	assert_string_equal(dump.problems[0].reason, "line too long for a cpuid -r line");
}

/* Too many problems: ten kept, the rest counted. */
static void problem_count_is_bounded(void **state)
{
	(void)state;
	static char text[2000];
	text[0] = '\0';
	for (int i = 0; i < 25; i++)
		strcat(text, "garbage\n");
	assert_false(parse_text(text));
	assert_int_equal(dump.problem_count, 25);

	static char messages[2048];
	struct buffer_sink sink;
	buffer_sink_init(&sink, messages, sizeof(messages) - 1);
	render_dump_problems(&dump, "g.txt", &sink.sink);
	messages[sink.length] = '\0';
	assert_contains(messages, "hvfeat: g.txt:10: not a cpuid -r line\n"
				  "hvfeat: g.txt: 15 more problems\n");
}

/* QEMU/KVM with hv-relaxed,hv-vapic,hv-time: Hyper-V first, KVM behind. */
static void layout_hyperv_then_kvm(void **state)
{
	(void)state;
	struct hv_report *r = scan_dump_file("hyperv-kvm.txt");
	const char *hv = "Microsoft Hv";

	assert_int_equal(r->interface_count, 2);
	assert_int_equal(hv_guest_kvm_interface(r)->base, 0x40000100);
	assert_int_equal(lookup(r, hv, "interface_signature"), 0x31237648);
	assert_int_equal(lookup(r, hv, "build_number"), 14393);
	assert_int_equal(lookup(r, hv, "major_version"), 10);
	assert_int_equal(lookup(r, hv, "minor_version"), 0);
	/* 0x232: bits 1, 4, 5, 9 */
	assert_int_equal(lookup(r, hv, "AccessPartitionReferenceCounter"), 1);
	assert_int_equal(lookup(r, hv, "AccessIntrCtrlRegs"), 1);
	assert_int_equal(lookup(r, hv, "AccessHypercallMsrs"), 1);
	assert_int_equal(lookup(r, hv, "AccessPartitionReferenceTsc"), 1);
	assert_int_equal(lookup(r, hv, "AccessVpIndex"), 0);
	assert_int_equal(lookup(r, hv, "FrequencyRegsAvailable"), 1);
	assert_int_equal(lookup(r, hv, "UseRelaxedTiming"), 1);
	assert_int_equal(lookup(r, hv, "UseApicMsrs"), 1);
	assert_int_equal(lookup(r, hv, "spinlock_retries"), 0x1fff);
	assert_int_equal(lookup(r, hv, "max_virtual_processors"), 128);
	assert_int_equal(lookup(r, KVM, "KVM_FEATURE_ASYNC_PF_VMEXIT"), 0);
	assert_int_equal(lookup(r, KVM, "KVM_FEATURE_PV_SEND_IPI"), 1);
	assert_int_equal(lookup(r, KVM, "KVM_HINTS_REALTIME"), 1);
	uint32_t value;
	assert_false(hv_lookup(r, hv, "HV_ISOLATION_TYPE", &value)); /* past max */

	const char *text = text_of(r);
	assert_contains(text, "summary: hypervisor present, 2 interfaces, "
			      "KVM PV features at 0x40000100\n");
	assert_contains(text, "    interface_signature  \"Hv#1\"  (interface of leaves past base+1)\n");
	assert_contains(text, "    spinlock_retries     0x1fff  (spins before notifying (~0: never))\n");
	assert_contains(text, "  isolation: leaf 0x4000000c not provided\n");
	assert_contains(text, "(254 bases only echoed the highest basic leaf)");
	assert_contains(text, "           MSR 0x40000021 HV_X64_MSR_REFERENCE_TSC\n");
}

/* Xen with Viridian: Hyper-V leaves first, Xen at 0x40000100. */
static void layout_xen_behind_viridian(void **state)
{
	(void)state;
	struct hv_report *r = scan_dump_file("xen-viridian.txt");
	const char *xen = "XenVMMXenVMM";

	assert_int_equal(r->interface_count, 2);
	assert_int_equal(r->interfaces[1].base, 0x40000100);
	assert_null(hv_guest_kvm_interface(r));
	assert_int_equal(lookup(r, xen, "major_version"), 4);
	assert_int_equal(lookup(r, xen, "minor_version"), 17);
	assert_int_equal(lookup(r, xen, "hypercall_transfer_pages"), 1);
	assert_int_equal(lookup(r, xen, "msr_base"), 0x40000200);
	assert_int_equal(lookup(r, xen, "XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD"), 1);
	assert_int_equal(lookup(r, xen, "XEN_CPUID_TSC_EMULATED"), 0);
	assert_int_equal(lookup(r, xen, "XEN_CPUID_HOST_TSC_RELIABLE"), 1);
	assert_int_equal(lookup(r, xen, "XEN_CPUID_RDTSCP_INSTR_AVAIL"), 1);
	assert_int_equal(lookup(r, xen, "guest_tsc_khz"), 2599997);
	assert_int_equal(lookup(r, xen, "tsc_incarnation"), 2);
	assert_int_equal(lookup(r, xen, "tsc_offset_low"), 0x89abcdef);
	assert_int_equal(lookup(r, xen, "tsc_to_ns_shift"), 0xff);
	assert_int_equal(lookup(r, xen, "host_tsc_khz"), 2600000);
	/* 0x7b: bits 0, 1, 3, 4, 5, 6 */
	assert_int_equal(lookup(r, xen, "XEN_HVM_CPUID_IOMMU_MAPPINGS"), 0);
	assert_int_equal(lookup(r, xen, "XEN_HVM_CPUID_VCPU_ID_PRESENT"), 1);
	assert_int_equal(lookup(r, xen, "XEN_HVM_CPUID_UPCALL_VECTOR"), 1);
	assert_int_equal(lookup(r, xen, "vcpu_id"), 2);
	assert_int_equal(lookup(r, xen, "domain_id"), 7);
	assert_int_equal(lookup(r, xen, "XEN_CPUID_MACHINE_ADDRESS_WIDTH"), 46);
	assert_int_equal(lookup(r, "Microsoft Hv", "build_number"), 7600);

	const char *text = text_of(r);
	assert_contains(text, "  0x40000000  Microsoft Hyper-V\n  0x40000100  Xen\n");
	assert_contains(text, "  time: leaf 0x40000103.2 eax = 0x0027ac40\n");
	assert_contains(text, "    tsc_mode             0 (default (emulate if needed))");
	assert_contains(text, "   0x40000103 0x02: eax=0x0027ac40");
}

static void layout_plain_xen(void **state)
{
	(void)state;
	struct hv_report *r = scan_dump_file("xen-hvm.txt");
	const char *xen = "XenVMMXenVMM";

	assert_int_equal(r->interface_count, 1);
	assert_int_equal(r->interfaces[0].base, 0x40000000);
	assert_int_equal(lookup(r, xen, "minor_version"), 14);
	assert_int_equal(lookup(r, xen, "tsc_mode"), 2);
	assert_contains(text_of(r), "    tsc_mode             2 (never emulate)");
}

static void layout_vmware(void **state)
{
	(void)state;
	struct hv_report *r = scan_dump_file("vmware.txt");
	const char *vmware = "VMwareVMware";

	assert_int_equal(r->interface_count, 1);
	assert_int_equal(lookup(r, vmware, "tsc_khz"), 2599997);
	assert_int_equal(lookup(r, vmware, "apic_bus_khz"), 1000000);
	assert_int_equal(lookup(r, vmware, "CPUID_VMWARE_FEATURES_ECX_VMMCALL"), 0);
	assert_int_equal(lookup(r, vmware, "CPUID_VMWARE_FEATURES_ECX_VMCALL"), 1);
	assert_contains(text_of(r), "summary: hypervisor present, 1 interface, no KVM PV interface\n");
}

/* A confidential Hyper-V guest: isolation leaf, an enum and a wrapped line. */
static void layout_hyperv_snp(void **state)
{
	(void)state;
	struct hv_report *r = scan_dump_file("hyperv-snp.txt");
	const char *hv = "Microsoft Hv";

	assert_int_equal(lookup(r, hv, "HV_ISOLATION"), 1);
	assert_int_equal(lookup(r, hv, "CpuManagement"), 0);
	assert_int_equal(lookup(r, hv, "HV_PARAVISOR_PRESENT"), 1);
	assert_int_equal(lookup(r, hv, "HV_ISOLATION_TYPE"), 2);
	assert_int_equal(lookup(r, hv, "HV_SHARED_GPA_BOUNDARY_ACTIVE"), 1);
	assert_int_equal(lookup(r, hv, "HV_SHARED_GPA_BOUNDARY_BITS"), 47);
	assert_int_equal(lookup(r, hv, "evmcs_version_low"), 1);
	assert_int_equal(lookup(r, hv, "evmcs_version_high"), 1);
	assert_int_equal(lookup(r, hv, "HV_X64_NESTED_MSR_BITMAP"), 1);
	assert_int_equal(lookup(r, hv, "spinlock_retries"), 0xffffffff);

	const char *text = text_of(r);
	assert_contains(text, "    HV_ISOLATION_TYPE    2 (SNP)  (isolation type)\n");
	assert_contains(text, "    yes 14 ExtendedGvaRangesForFlushVirtualAddressListAvailable\n"
			      "           extended GVA flush ranges\n");
}

static void layout_bhyve(void **state)
{
	(void)state;
	struct hv_report *r = scan_dump_file("bhyve.txt");

	assert_int_equal(lookup(r, "bhyve bhyve ", "CPUID_BHYVE_FEAT_EXT_DEST_ID"), 1);
	assert_contains(text_of(r), "  0x40000000  FreeBSD bhyve\n");
}

/* A real `cpuid -r -1` from a Linux KVM guest on an Intel host, and Intel's echo of leaf 0x24 at every other base
 * (the cpuid tool's own dump shows it at 0x40000100). */
static void real_kvm_guest_on_intel(void **state)
{
	(void)state;
	struct hv_report *r = scan_dump_file("kvm-guest-intel.txt");

	assert_int_equal(r->interface_count, 1);
	assert_int_equal(r->skipped_echo_bases, 255);
	assert_int_equal(r->max_basic_leaf, 0x24);
	assert_int_equal(lookup(r, KVM, "KVM_FEATURE_ASYNC_PF_VMEXIT"), 1);
	assert_int_equal(lookup(r, KVM, "KVM_FEATURE_MSI_EXT_DEST_ID"), 0);
	assert_int_equal(lookup(r, KVM, "KVM_FEATURE_CLOCKSOURCE_STABLE_BIT"), 1);
	assert_contains(text_of(r), "features: leaf 0x40000001 eax = 0x01007efb\n");
}

/* -r dumps that hvfeat took in firmware under a real Linux 6.1 KVM (AMD,
 * nested under TCG) with QEMU 7.2, kept by make test-kvm. What to expect
 * comes from QEMU: -cpu host turns on every KVM property this KVM offers
 * except kvm-hint-dedicated (off by default) and kvm-msi-ext-dest-id
 * (offered only with kernel-irqchip=split); kvm-mmu is gone from KVM, and
 * 7.2 has no property for bits 8, 10, 16 and 17. */
static void real_kvm_host_cpu(void **state)
{
	(void)state;
	static const char *const offered[] = {
		"KVM_FEATURE_CLOCKSOURCE", "KVM_FEATURE_NOP_IO_DELAY", "KVM_FEATURE_CLOCKSOURCE2",
		"KVM_FEATURE_ASYNC_PF", "KVM_FEATURE_STEAL_TIME", "KVM_FEATURE_PV_EOI",
		"KVM_FEATURE_PV_UNHALT", "KVM_FEATURE_PV_TLB_FLUSH", "KVM_FEATURE_PV_SEND_IPI",
		"KVM_FEATURE_POLL_CONTROL", "KVM_FEATURE_PV_SCHED_YIELD",
		"KVM_FEATURE_ASYNC_PF_INT", "KVM_FEATURE_CLOCKSOURCE_STABLE_BIT",
	};
	static const char *const absent[] = {
		"KVM_FEATURE_MMU_OP", "KVM_FEATURE_ASYNC_PF_VMEXIT", "KVM_FEATURE_MSI_EXT_DEST_ID",
		"KVM_FEATURE_HC_MAP_GPA_RANGE", "KVM_FEATURE_MIGRATION_CONTROL", "KVM_HINTS_REALTIME",
	};
	struct hv_report *r = scan_dump_file("kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt");

	assert_int_equal(r->interface_count, 1);
	assert_int_equal(hv_guest_kvm_interface(r)->base, 0x40000000);
	for (size_t i = 0; i < sizeof(offered) / sizeof(offered[0]); i++)
		assert_int_equal(lookup(r, KVM, offered[i]), 1);
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		assert_int_equal(lookup(r, KVM, absent[i]), 0);
	assert_contains(text_of(r), "  timing: leaf 0x40000010 not provided\n");
}

/* The same KVM with QEMU's seven hv-* properties, and with hv-passthrough:
 * Hyper-V first, KVM's own leaves moved to 0x40000100. */
static void real_kvm_hyperv_layouts(void **state)
{
	(void)state;
	struct hv_report *r = scan_dump_file("kvm-real-6.1.0-56-amd64-qemu-7.2-hv-all.txt");

	assert_int_equal(r->interface_count, 2);
	assert_int_equal(r->interfaces[0].base, 0x40000000);
	assert_string_equal(r->interfaces[0].vendor->key, "hyperv");
	assert_int_equal(hv_guest_kvm_interface(r)->base, 0x40000100);
	assert_int_equal(lookup(r, "Microsoft Hv", "AccessVpIndex"), 1);
	assert_int_equal(lookup(r, "Microsoft Hv", "AccessPartitionReferenceTsc"), 1);
	assert_int_equal(lookup(r, "Microsoft Hv", "AccessResetReg"), 0); /* no hv-reset */
	assert_int_equal(lookup(r, "Microsoft Hv", "UseRelaxedTiming"), 1);

	r = scan_dump_file("kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt");
	assert_string_equal(r->interfaces[0].vendor->key, "kvm_hv");
	assert_int_equal(hv_guest_kvm_interface(r)->base, 0x40000100);
	assert_int_equal(lookup(r, "Linux KVM Hv", "vs_interface_signature"), 0x31235356);
	assert_int_equal(lookup(r, "Linux KVM Hv", "HV_X64_SYNDBG_CAP_ALLOW_KERNEL_DEBUGGING"), 1);
}

/* Base+1 that is not "Hv#1": the Hyper-V table does not apply past it. */
static void hyperv_leaves_need_hv1(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		BASIC_LEAVES_HV,
		LEAF(0x40000000, 0x40000003, SIG_HYPERV),
		LEAF(0x40000001, 0x30237648, 0, 0, 0), /* "Hv#0" */
		LEAF(0x40000003, 0xffffffff, 0, 0, 0),
	};
	struct hv_report *r = SCAN(records);
	uint32_t value;

	assert_int_equal(lookup(r, "Microsoft Hv", "interface_signature"), 0x30237648);
	assert_false(hv_lookup(r, "Microsoft Hv", "AccessVpIndex", &value));
	assert_contains(text_of(r), "  leaves past 0x40000001 not decoded: base+1 is "
				    "not that interface\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_and_old_style_lines),
		cmocka_unit_test(only_the_first_cpu_is_kept),
		cmocka_unit_test(problems_carry_line_numbers),
		cmocka_unit_test(binary_empty_and_huge_inputs),
		cmocka_unit_test(problem_count_is_bounded),
		cmocka_unit_test(layout_hyperv_then_kvm),
		cmocka_unit_test(layout_xen_behind_viridian),
		cmocka_unit_test(layout_plain_xen),
		cmocka_unit_test(layout_vmware),
		cmocka_unit_test(layout_hyperv_snp),
		cmocka_unit_test(layout_bhyve),
		cmocka_unit_test(hyperv_leaves_need_hv1),
		cmocka_unit_test(real_kvm_guest_on_intel),
		cmocka_unit_test(real_kvm_host_cpu),
		cmocka_unit_test(real_kvm_hyperv_layouts),
	};
	return cmocka_run_group_tests_name("dumps and interface layouts", tests, NULL, NULL);
}
