/* Every flag bit pinned to its upstream identifier, independently of the
 * decoder tables: each list below is written by hand from the upstream
 * definition (Linux arch/x86/include/uapi/asm/kvm_para.h and
 * asm/hyperv-tlfs.h, the Hyper-V TLFS "Feature discovery" page and
 * Microsoft's hvgdk_mini.h, Xen's public/arch-x86/cpuid.h, Linux
 * arch/x86/kernel/cpu/vmware.c and bhyve.c). For every bit of every listed
 * register, a register with only that bit set must show exactly one "yes"
 * line in the report: the listed identifier at that bit, "(unknown)" for a
 * bit upstream leaves undefined, and none for a bit inside a multi-bit
 * field. A swapped table entry turns this red. */
#include "recordings.h"

struct pinned_bit {
	unsigned bit;
	const char *id;
};

struct pinned_register {
	const char *what;
	uint32_t offset;
	enum cpuid_register reg;
	const struct pinned_bit *bits;
	size_t count;
	uint32_t field_mask; /* bits that belong to multi-bit fields */
};

#define PIN(what, offset, reg, list, fields) \
	{ what, offset, reg, list, sizeof(list) / sizeof(list[0]), fields }

static const struct pinned_bit kvm_features[] = {
	{ 0, "KVM_FEATURE_CLOCKSOURCE" },        { 1, "KVM_FEATURE_NOP_IO_DELAY" },
	{ 2, "KVM_FEATURE_MMU_OP" },             { 3, "KVM_FEATURE_CLOCKSOURCE2" },
	{ 4, "KVM_FEATURE_ASYNC_PF" },           { 5, "KVM_FEATURE_STEAL_TIME" },
	{ 6, "KVM_FEATURE_PV_EOI" },             { 7, "KVM_FEATURE_PV_UNHALT" },
	{ 9, "KVM_FEATURE_PV_TLB_FLUSH" },       { 10, "KVM_FEATURE_ASYNC_PF_VMEXIT" },
	{ 11, "KVM_FEATURE_PV_SEND_IPI" },       { 12, "KVM_FEATURE_POLL_CONTROL" },
	{ 13, "KVM_FEATURE_PV_SCHED_YIELD" },    { 14, "KVM_FEATURE_ASYNC_PF_INT" },
	{ 15, "KVM_FEATURE_MSI_EXT_DEST_ID" },   { 16, "KVM_FEATURE_HC_MAP_GPA_RANGE" },
	{ 17, "KVM_FEATURE_MIGRATION_CONTROL" }, { 24, "KVM_FEATURE_CLOCKSOURCE_STABLE_BIT" },
};
static const struct pinned_bit kvm_hints[] = { { 0, "KVM_HINTS_REALTIME" } };

/* 0x40000003 EAX: HV_PARTITION_PRIVILEGE_MASK bits 0-31 (TLFS names);
 * bit 15 only in Linux. */
static const struct pinned_bit hv_privileges_low[] = {
	{ 0, "AccessVpRunTimeReg" },             { 1, "AccessPartitionReferenceCounter" },
	{ 2, "AccessSynicRegs" },                { 3, "AccessSyntheticTimerRegs" },
	{ 4, "AccessIntrCtrlRegs" },             { 5, "AccessHypercallMsrs" },
	{ 6, "AccessVpIndex" },                  { 7, "AccessResetReg" },
	{ 8, "AccessStatsReg" },                 { 9, "AccessPartitionReferenceTsc" },
	{ 10, "AccessGuestIdleReg" },            { 11, "AccessFrequencyRegs" },
	{ 12, "AccessDebugRegs" },               { 13, "AccessReenlightenmentControls" },
	{ 14, "AccessRootSchedulerReg" },        { 15, "HV_ACCESS_TSC_INVARIANT" },
};
/* 0x40000003 EBX: mask bits 32-63; bits 3 and 22 as Linux names them,
 * 13-15 and 19 as hvgdk_mini.h's HV_PARTITION_PRIVILEGE_MASK does. */
static const struct pinned_bit hv_privileges_high[] = {
	{ 0, "CreatePartitions" },     { 1, "AccessPartitionId" },  { 2, "AccessMemoryPool" },
	{ 3, "HV_ADJUST_MESSAGE_BUFFERS" }, { 4, "PostMessages" },  { 5, "SignalEvents" },
	{ 6, "CreatePort" },           { 7, "ConnectPort" },        { 8, "AccessStats" },
	{ 11, "Debugging" },           { 12, "CpuManagement" },     { 13, "ConfigureProfiler" },
	{ 14, "AccessVpExitTracing" },
	{ 15, "EnableExtendedGvaRangesForFlushVirtualAddressList" }, { 16, "AccessVSM" },
	{ 17, "AccessVpRegisters" },   { 19, "FastHypercallOutput" },
	{ 20, "EnableExtendedHypercalls" },
	{ 21, "StartVirtualProcessor" }, { 22, "HV_ISOLATION" },
};
static const struct pinned_bit hv_features_ecx[] = {
	{ 5, "InvariantMperfAvailable" },        { 6, "SupervisorShadowStackAvailable" },
	{ 7, "ArchitecturalPmuAvailable" },      { 8, "ExceptionTrapInterceptAvailable" },
	{ 9, "HV_VP_DISPATCH_INTERRUPT_INJECTION_AVAILABLE" },
	{ 10, "HV_VP_GHCB_ROOT_MAPPING_AVAILABLE" },
};
static const struct pinned_bit hv_features_edx[] = {
	{ 0, "MwaitAvailable" },                 { 1, "GuestDebuggingAvailable" },
	{ 2, "PerformanceMonitorsAvailable" },   { 3, "CpuDynamicPartitioningAvailable" },
	{ 4, "XmmRegistersForFastHypercallAvailable" }, { 5, "GuestIdleAvailable" },
	{ 6, "HypervisorSleepStateSupportAvailable" },  { 7, "NumaDistanceQueryAvailable" },
	{ 8, "FrequencyRegsAvailable" },         { 9, "SyntheticMachineCheckAvailable" },
	{ 10, "GuestCrashRegsAvailable" },       { 11, "DebugRegsAvailable" },
	{ 12, "Npiep1Available" },               { 13, "DisableHypervisorAvailable" },
	{ 14, "ExtendedGvaRangesForFlushVirtualAddressListAvailable" },
	{ 15, "FastHypercallOutputAvailable" },  { 17, "SintPollingModeAvailable" },
	{ 18, "HypercallMsrLockAvailable" },     { 19, "DirectSyntheticTimers" },
	{ 20, "RegisterPatAvailable" },          { 21, "RegisterBndcfgsAvailable" },
	{ 23, "SyntheticTimeUnhaltedTimerAvailable" }, { 26, "IntelLastBranchRecordAvailable" },
};
/* 0x40000004 EAX: recommendations; bit 21 only in Linux. */
static const struct pinned_bit hv_recommendations[] = {
	{ 0, "UseHypercallForAddressSpaceSwitch" }, { 1, "UseHypercallForLocalFlush" },
	{ 2, "UseHypercallForRemoteFlushAndLocalFlushEntire" }, { 3, "UseApicMsrs" },
	{ 4, "UseHvRegisterForReset" },          { 5, "UseRelaxedTiming" },
	{ 6, "UseDmaRemapping" },                { 7, "UseInterruptRemapping" },
	{ 8, "UseX2ApicMsrs" },                  { 9, "DeprecateAutoEoi" },
	{ 10, "UseSyntheticClusterIpi" },        { 11, "UseExProcessorMasks" },
	{ 12, "Nested" },                        { 13, "UseIntForMbecSystemCalls" },
	{ 14, "UseVmcsEnlightenments" },         { 15, "UseSyncedTimeline" },
	{ 17, "UseDirectLocalFlushEntire" },     { 18, "NoNonArchitecturalCoreSharing" },
	{ 21, "HV_X64_USE_MMIO_HYPERCALLS" },
};
static const struct pinned_bit hv_hardware[] = {
	{ 0, "ApicOverlayAssistInUse" },         { 1, "MsrBitmapsInUse" },
	{ 2, "ArchitecturalPerformanceCountersInUse" }, { 3, "SecondLevelAddressTranslationInUse" },
	{ 4, "DmaRemappingInUse" },              { 5, "InterruptRemappingInUse" },
	{ 6, "MemoryPatrolScrubberPresent" },    { 7, "DmaProtectionInUse" },
	{ 8, "HpetRequested" },                  { 9, "SyntheticTimersVolatile" },
	{ 14, "PhysicalDestinationModeRequired" }, { 15, "UseVmfuncForAliasMapSwitch" },
	{ 16, "HvRegisterForMemoryZeroingSupported" }, { 17, "UnrestrictedGuestSupported" },
	{ 18, "RdtAFeaturesSupported" },         { 19, "RdtMFeaturesSupported" },
	{ 20, "ChildPerfmonPmuSupported" },      { 21, "ChildPerfmonLbrSupported" },
	{ 22, "ChildPerfmonIptSupported" },      { 23, "ApicEmulationSupported" },
	{ 24, "AcpiWdatInUse" },
};
static const struct pinned_bit hv_cpu_management_eax[] = {
	{ 0, "HV_X64_START_LOGICAL_PROCESSOR" }, { 1, "HV_X64_CREATE_ROOT_VIRTUAL_PROCESSOR" },
	{ 2, "HV_X64_PERFORMANCE_COUNTER_SYNC" }, { 31, "HV_X64_RESERVED_IDENTITY_BIT" },
};
static const struct pinned_bit hv_cpu_management_ebx[] = {
	{ 0, "ProcessorPowerManagement" }, { 1, "MwaitIdleStates" }, { 2, "LogicalProcessorIdling" },
};
static const struct pinned_bit hv_cpu_management_ecx[] = { { 0, "RemapGuestUncached" } };
static const struct pinned_bit hv_svm[] = { { 0, "SvmSupported" } };
static const struct pinned_bit hv_nested_eax[] = {
	{ 2, "AccessSynicRegs" }, { 4, "AccessIntrCtrlRegs" }, { 5, "AccessHypercallMsrs" },
	{ 6, "AccessVpIndex" },   { 12, "AccessReenlightenmentControls" },
};
static const struct pinned_bit hv_nested_edx[] = {
	{ 4, "XmmRegistersForFastHypercallAvailable" }, { 15, "FastHypercallOutputAvailable" },
	{ 17, "SintPollingModeAvailable" },
};
static const struct pinned_bit hv_nested_virt_eax[] = {
	{ 17, "HV_X64_NESTED_DIRECT_FLUSH" },    { 18, "HV_X64_NESTED_GUEST_MAPPING_FLUSH" },
	{ 19, "HV_X64_NESTED_MSR_BITMAP" },      { 20, "CombineVirtualizationExceptions" },
	{ 21, "GuestIa32DebugCtlAvailable" },    { 22, "HV_X64_NESTED_ENLIGHTENED_TLB" },
};
static const struct pinned_bit hv_nested_virt_ebx[] = {
	{ 0, "HV_X64_NESTED_EVMCS1_PERF_GLOBAL_CTRL" },
};
static const struct pinned_bit hv_isolation_eax[] = { { 0, "HV_PARAVISOR_PRESENT" } };
static const struct pinned_bit hv_isolation_ebx[] = { { 5, "HV_SHARED_GPA_BOUNDARY_ACTIVE" } };
static const struct pinned_bit hv_syndbg[] = {
	{ 1, "HV_X64_SYNDBG_CAP_ALLOW_KERNEL_DEBUGGING" },
	{ 2, "HYPERV_VS_PROPERTIES_EAX_EXTENDED_IOAPIC_RTE" },
};

static const struct pinned_bit xen_features1[] = {
	{ 0, "XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD" },
};
static const struct pinned_bit xen_tsc[] = {
	{ 0, "XEN_CPUID_TSC_EMULATED" }, { 1, "XEN_CPUID_HOST_TSC_RELIABLE" },
	{ 2, "XEN_CPUID_RDTSCP_INSTR_AVAIL" },
};
static const struct pinned_bit xen_hvm[] = {
	{ 0, "XEN_HVM_CPUID_APIC_ACCESS_VIRT" }, { 1, "XEN_HVM_CPUID_X2APIC_VIRT" },
	{ 2, "XEN_HVM_CPUID_IOMMU_MAPPINGS" },   { 3, "XEN_HVM_CPUID_VCPU_ID_PRESENT" },
	{ 4, "XEN_HVM_CPUID_DOMID_PRESENT" },    { 5, "XEN_HVM_CPUID_EXT_DEST_ID" },
	{ 6, "XEN_HVM_CPUID_UPCALL_VECTOR" },
};
static const struct pinned_bit vmware_hypercall_modes[] = {
	{ 0, "CPUID_VMWARE_FEATURES_ECX_VMMCALL" }, { 1, "CPUID_VMWARE_FEATURES_ECX_VMCALL" },
};
static const struct pinned_bit bhyve_features[] = { { 0, "CPUID_BHYVE_FEAT_EXT_DEST_ID" } };

static const struct pinned_register kvm_registers[] = {
	PIN("KVM features", 0x01, REG_EAX, kvm_features, 0),
	PIN("KVM hints", 0x01, REG_EDX, kvm_hints, 0),
};
static const struct pinned_register hyperv_registers[] = {
	PIN("privileges EAX", 0x03, REG_EAX, hv_privileges_low, 0),
	PIN("privileges EBX", 0x03, REG_EBX, hv_privileges_high, 0),
	PIN("features ECX", 0x03, REG_ECX, hv_features_ecx, 0),
	PIN("features EDX", 0x03, REG_EDX, hv_features_edx, 0),
	PIN("recommendations", 0x04, REG_EAX, hv_recommendations, 0),
	PIN("hardware features", 0x06, REG_EAX, hv_hardware, 0x3c00u),
	PIN("CPU management EAX", 0x07, REG_EAX, hv_cpu_management_eax, 0),
	PIN("CPU management EBX", 0x07, REG_EBX, hv_cpu_management_ebx, 0),
	PIN("CPU management ECX", 0x07, REG_ECX, hv_cpu_management_ecx, 0),
	PIN("SVM", 0x08, REG_EAX, hv_svm, 0xfffff800u),
	PIN("nested EAX", 0x09, REG_EAX, hv_nested_eax, 0),
	PIN("nested EDX", 0x09, REG_EDX, hv_nested_edx, 0),
	PIN("nested virtualization EAX", 0x0a, REG_EAX, hv_nested_virt_eax, 0xffffu),
	PIN("nested virtualization EBX", 0x0a, REG_EBX, hv_nested_virt_ebx, 0),
	PIN("isolation EAX", 0x0c, REG_EAX, hv_isolation_eax, 0),
	PIN("isolation EBX", 0x0c, REG_EBX, hv_isolation_ebx, 0xfcfu),
	PIN("debugger capabilities", 0x82, REG_EAX, hv_syndbg, 0),
};
static const struct pinned_register xen_registers[] = {
	PIN("features 1", 0x02, REG_ECX, xen_features1, 0),
	PIN("TSC flags", 0x03, REG_EAX, xen_tsc, 0),
	PIN("HVM features", 0x04, REG_EAX, xen_hvm, 0),
};
static const struct pinned_register vmware_registers[] = {
	PIN("hypercall modes", 0x10, REG_ECX, vmware_hypercall_modes, 0),
};
static const struct pinned_register bhyve_registers[] = {
	PIN("features", 0x01, REG_EAX, bhyve_features, 0),
};

#define SIG(a, b, c) a, b, c
static const struct {
	const char *name;
	uint32_t signature[3];
	uint32_t interface_eax; /* base+1 EAX where it identifies the interface */
	uint32_t max_offset;
	const struct pinned_register *registers;
	size_t count;
} interfaces[] = {
	{ "KVM", { SIG(0x4b4d564b, 0x564b4d56, 0x0000004d) }, 0, 0x01,
	  kvm_registers, sizeof(kvm_registers) / sizeof(kvm_registers[0]) },
	{ "Hyper-V", { SIG(0x7263694d, 0x666f736f, 0x76482074) }, 0x31237648, 0x82,
	  hyperv_registers, sizeof(hyperv_registers) / sizeof(hyperv_registers[0]) },
	{ "Xen", { SIG(0x566e6558, 0x65584d4d, 0x4d4d566e) }, 0, 0x05,
	  xen_registers, sizeof(xen_registers) / sizeof(xen_registers[0]) },
	{ "VMware", { SIG(0x61774d56, 0x4d566572, 0x65726177) }, 0, 0x10,
	  vmware_registers, sizeof(vmware_registers) / sizeof(vmware_registers[0]) },
	{ "bhyve", { SIG(0x76796862, 0x68622065, 0x20657679) }, 0, 0x01,
	  bhyve_registers, sizeof(bhyve_registers) / sizeof(bhyve_registers[0]) },
};

static void set_register(struct cpuid_regs *regs, enum cpuid_register reg, uint32_t value)
{
	uint32_t *slots[] = { &regs->eax, &regs->ebx, &regs->ecx, &regs->edx };
	*slots[reg] = value;
}

/* The one "yes" line of the report, as "BIT ID"; fails when there are
 * several. Returns "" when there is none. */
static const char *only_set_flag(const char *report, char *out, size_t size)
{
	const char *line = report;
	out[0] = '\0';
	for (const char *next; *line; line = next + 1) {
		next = strchr(line, '\n');
		unsigned bit;
		char id[96];
		if (sscanf(line, "    yes %u %95s", &bit, id) == 2) {
			if (out[0])
				fail_msg("more than one flag set: %s and line %.60s", out, line);
			snprintf(out, size, "%u %s", bit, id);
		}
		if (!next)
			break;
	}
	return out;
}

static void every_bit_shows_its_upstream_identifier(void **state)
{
	(void)state;
	struct cpuid_record records[3 + 0x82];
	size_t pinned = 0;

	for (size_t i = 0; i < sizeof(interfaces) / sizeof(interfaces[0]); i++) {
		for (size_t r = 0; r < interfaces[i].count; r++) {
			const struct pinned_register *p = &interfaces[i].registers[r];
			for (unsigned bit = 0; bit < 32; bit++) {
				size_t n = 0;
				records[n++] = (struct cpuid_record)LEAF(0, 1, VENDOR_INTEL);
				records[n++] = (struct cpuid_record)LEAF(1, 0x000806f8, 0, HYPERVISOR_BIT, 0);
				records[n++] = (struct cpuid_record){ 0x40000000, 0,
					{ 0x40000000 + interfaces[i].max_offset, interfaces[i].signature[0],
					  interfaces[i].signature[1], interfaces[i].signature[2] } };
				for (uint32_t leaf = 1; leaf <= interfaces[i].max_offset; leaf++) {
					struct cpuid_record rec = { 0x40000000 + leaf, 0, { 0, 0, 0, 0 } };
					if (leaf == 1)
						rec.regs.eax = interfaces[i].interface_eax;
					if (leaf == p->offset)
						set_register(&rec.regs, p->reg, 1u << bit);
					records[n++] = rec;
				}
				const char *expected = (p->field_mask >> bit) & 1 ? "" : "(unknown)";
				for (size_t b = 0; b < p->count; b++)
					if (p->bits[b].bit == bit)
						expected = p->bits[b].id;
				char want[128], got[128];
				if (*expected)
					snprintf(want, sizeof(want), "%u %s", bit, expected);
				else
					want[0] = '\0';
				only_set_flag(text_of(scan_records(records, n)), got, sizeof(got));
				if (strcmp(want, got) != 0)
					fail_msg("%s %s bit %u: expected \"%s\", the report shows \"%s\"",
						 interfaces[i].name, p->what, bit, want, got);
				pinned++;
			}
		}
	}
	assert_int_equal(pinned, 32 * 24);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_bit_shows_its_upstream_identifier),
	};
	return cmocka_run_group_tests_name("upstream bit positions", tests, NULL, NULL);
}
