/* Hyper-V's leaves, for "Microsoft Hv" and KVM's "Linux KVM Hv". Bit names
 * are the TLFS ones (feature-discovery, HV_PARTITION_PRIVILEGE_MASK); where
 * the TLFS calls a bit reserved but Linux defines it (hvgdk_mini.h), the
 * Linux macro is used. */
#include "interface_tables.h"

static const struct field_def interface_fields[] = {
	FIELD(0, 32, "interface_signature", "interface of leaves past base+1", FIELD_FOURCC),
};

static const struct field_def build_fields[] = {
	FIELD(0, 32, "build_number", "hypervisor build number", FIELD_DECIMAL),
};
static const struct field_def version_fields[] = {
	FIELD(16, 16, "major_version", "major version", FIELD_DECIMAL),
	FIELD(0, 16, "minor_version", "minor version", FIELD_DECIMAL),
};
static const struct field_def service_pack_fields[] = {
	FIELD(0, 32, "service_pack", "service pack", FIELD_DECIMAL),
};
static const struct field_def service_fields[] = {
	FIELD(24, 8, "service_branch", "service branch", FIELD_DECIMAL),
	FIELD(0, 24, "service_number", "service number", FIELD_DECIMAL),
};

static const struct msr_def vp_runtime_msrs[] = { { 0x40000010, "HV_X64_MSR_VP_RUNTIME" } };
static const struct msr_def time_ref_msrs[] = { { 0x40000020, "HV_X64_MSR_TIME_REF_COUNT" } };
static const struct msr_def synic_msrs[] = { { 0x40000080, "HV_X64_MSR_SCONTROL" } };
static const struct msr_def stimer_msrs[] = { { 0x400000b0, "HV_X64_MSR_STIMER0_CONFIG" } };
static const struct msr_def apic_msrs[] = {
	{ 0x40000070, "HV_X64_MSR_EOI" },
	{ 0x40000071, "HV_X64_MSR_ICR" },
	{ 0x40000072, "HV_X64_MSR_TPR" },
};
static const struct msr_def hypercall_msrs[] = {
	{ 0x40000000, "HV_X64_MSR_GUEST_OS_ID" },
	{ 0x40000001, "HV_X64_MSR_HYPERCALL" },
};
static const struct msr_def vp_index_msrs[] = { { 0x40000002, "HV_X64_MSR_VP_INDEX" } };
static const struct msr_def reset_msrs[] = { { 0x40000003, "HV_X64_MSR_RESET" } };
static const struct msr_def reference_tsc_msrs[] = { { 0x40000021, "HV_X64_MSR_REFERENCE_TSC" } };
static const struct msr_def guest_idle_msrs[] = { { 0x400000f0, "HV_X64_MSR_GUEST_IDLE" } };
static const struct msr_def frequency_msrs[] = {
	{ 0x40000022, "HV_X64_MSR_TSC_FREQUENCY" },
	{ 0x40000023, "HV_X64_MSR_APIC_FREQUENCY" },
};
static const struct msr_def reenlightenment_msrs[] = {
	{ 0x40000106, "HV_X64_MSR_REENLIGHTENMENT_CONTROL" },
	{ 0x40000107, "HV_X64_MSR_TSC_EMULATION_CONTROL" },
	{ 0x40000108, "HV_X64_MSR_TSC_EMULATION_STATUS" },
};
static const struct msr_def tsc_invariant_msrs[] = { { 0x40000118, "HV_X64_MSR_TSC_INVARIANT_CONTROL" } };
static const struct msr_def crash_msrs[] = { { 0x40000100, "HV_X64_MSR_CRASH_P0" } };

/* 0x40000003 EAX: privileges, bits 31:0 of HV_PARTITION_PRIVILEGE_MASK */
static const struct bit_def privilege_low_bits[] = {
	{ 0, "AccessVpRunTimeReg", "VP runtime MSR", MSRS(vp_runtime_msrs) },
	{ 1, "AccessPartitionReferenceCounter", "reference counter MSR", MSRS(time_ref_msrs) },
	{ 2, "AccessSynicRegs", "synthetic interrupt controller", MSRS(synic_msrs) },
	{ 3, "AccessSyntheticTimerRegs", "synthetic timers", MSRS(stimer_msrs) },
	{ 4, "AccessIntrCtrlRegs", "APIC EOI/ICR/TPR MSRs", MSRS(apic_msrs) },
	{ 5, "AccessHypercallMsrs", "hypercall MSRs", MSRS(hypercall_msrs) },
	{ 6, "AccessVpIndex", "virtual processor index MSR", MSRS(vp_index_msrs) },
	{ 7, "AccessResetReg", "system reset MSR", MSRS(reset_msrs) },
	{ 8, "AccessStatsReg", "statistics pages", NULL, 0 },
	{ 9, "AccessPartitionReferenceTsc", "reference TSC page", MSRS(reference_tsc_msrs) },
	{ 10, "AccessGuestIdleReg", "guest idle MSR", MSRS(guest_idle_msrs) },
	{ 11, "AccessFrequencyRegs", "TSC and APIC frequency MSRs", MSRS(frequency_msrs) },
	{ 12, "AccessDebugRegs", "synthetic debug MSRs", NULL, 0 },
	{ 13, "AccessReenlightenmentControls", "reenlightenment controls", MSRS(reenlightenment_msrs) },
	{ 14, "AccessRootSchedulerReg", "root scheduler MSR", NULL, 0 },
	{ 15, "HV_ACCESS_TSC_INVARIANT", "TSC invariant control (Linux)", MSRS(tsc_invariant_msrs) },
};

/* 0x40000003 EBX: bits 63:32 of the privilege mask (TLFS; bits 13-15 and
 * 19 named by Microsoft's HV_PARTITION_PRIVILEGE_MASK in hvgdk_mini.h) */
static const struct bit_def privilege_high_bits[] = {
	{ 0, "CreatePartitions", "may create partitions", NULL, 0 },
	{ 1, "AccessPartitionId", "may read its partition ID", NULL, 0 },
	{ 2, "AccessMemoryPool", "may manage the memory pool", NULL, 0 },
	{ 3, "HV_ADJUST_MESSAGE_BUFFERS", "message buffers (Linux)", NULL, 0 },
	{ 4, "PostMessages", "may post messages", NULL, 0 },
	{ 5, "SignalEvents", "may signal events", NULL, 0 },
	{ 6, "CreatePort", "may create ports", NULL, 0 },
	{ 7, "ConnectPort", "may connect to ports", NULL, 0 },
	{ 8, "AccessStats", "may read statistics", NULL, 0 },
	{ 11, "Debugging", "debugging hypercalls", NULL, 0 },
	{ 12, "CpuManagement", "root: CPU management", NULL, 0 },
	{ 13, "ConfigureProfiler", "may configure the profiler", NULL, 0 },
	{ 14, "AccessVpExitTracing", "VP exit tracing", NULL, 0 },
	{ 15, "EnableExtendedGvaRangesForFlushVirtualAddressList", "extended GVA flush ranges",
	  NULL, 0 },
	{ 16, "AccessVSM", "virtual secure mode", NULL, 0 },
	{ 17, "AccessVpRegisters", "may access VP registers", NULL, 0 },
	{ 19, "FastHypercallOutput", "fast hypercall output", NULL, 0 },
	{ 20, "EnableExtendedHypercalls", "extended hypercalls", NULL, 0 },
	{ 21, "StartVirtualProcessor", "may start virtual processors", NULL, 0 },
	{ 22, "HV_ISOLATION", "isolated (confidential) VM", NULL, 0 },
};

/* 0x40000003 ECX: bits 5-8 from the TLFS feature-discovery table, 9-10
 * from Linux (hyperv-tlfs.h). */
static const struct bit_def feature_ecx_bits[] = {
	{ 5, "InvariantMperfAvailable", "invariant MPERF", NULL, 0 },
	{ 6, "SupervisorShadowStackAvailable", "supervisor shadow stack (CET)", NULL, 0 },
	{ 7, "ArchitecturalPmuAvailable", "architectural PMU", NULL, 0 },
	{ 8, "ExceptionTrapInterceptAvailable", "exception trap intercept", NULL, 0 },
	{ 9, "HV_VP_DISPATCH_INTERRUPT_INJECTION_AVAILABLE", "dispatch interrupt injection", NULL, 0 },
	{ 10, "HV_VP_GHCB_ROOT_MAPPING_AVAILABLE", "GHCB root mapping", NULL, 0 },
};

static const struct bit_def feature_edx_bits[] = {
	{ 0, "MwaitAvailable", "MWAIT (deprecated)", NULL, 0 },
	{ 1, "GuestDebuggingAvailable", "guest debugging", NULL, 0 },
	{ 2, "PerformanceMonitorsAvailable", "performance monitor", NULL, 0 },
	{ 3, "CpuDynamicPartitioningAvailable", "CPU dynamic partitioning", NULL, 0 },
	{ 4, "XmmRegistersForFastHypercallAvailable", "hypercall input in XMM", NULL, 0 },
	{ 5, "GuestIdleAvailable", "virtual guest idle state", NULL, 0 },
	{ 6, "HypervisorSleepStateSupportAvailable", "hypervisor sleep state", NULL, 0 },
	{ 7, "NumaDistanceQueryAvailable", "NUMA distance query", NULL, 0 },
	{ 8, "FrequencyRegsAvailable", "timer frequency MSRs", MSRS(frequency_msrs) },
	{ 9, "SyntheticMachineCheckAvailable", "synthetic machine checks", NULL, 0 },
	{ 10, "GuestCrashRegsAvailable", "guest crash MSRs", MSRS(crash_msrs) },
	{ 11, "DebugRegsAvailable", "debug MSRs", NULL, 0 },
	{ 12, "Npiep1Available", "NPIEP", NULL, 0 },
	{ 13, "DisableHypervisorAvailable", "hypervisor can be disabled", NULL, 0 },
	{ 14, "ExtendedGvaRangesForFlushVirtualAddressListAvailable", "extended GVA flush ranges", NULL, 0 },
	{ 15, "FastHypercallOutputAvailable", "hypercall output in XMM", NULL, 0 },
	{ 17, "SintPollingModeAvailable", "SINT polling mode", NULL, 0 },
	{ 18, "HypercallMsrLockAvailable", "hypercall MSR lock", NULL, 0 },
	{ 19, "DirectSyntheticTimers", "direct synthetic timers", NULL, 0 },
	{ 20, "RegisterPatAvailable", "PAT register for VSM", NULL, 0 },
	{ 21, "RegisterBndcfgsAvailable", "BNDCFGS register for VSM", NULL, 0 },
	{ 23, "SyntheticTimeUnhaltedTimerAvailable", "time-unhalted timer", NULL, 0 },
	{ 26, "IntelLastBranchRecordAvailable", "Intel LBR", NULL, 0 },
};

static const struct bit_def recommendation_bits[] = {
	{ 0, "UseHypercallForAddressSpaceSwitch", "hypercall for CR3 switch", NULL, 0 },
	{ 1, "UseHypercallForLocalFlush", "hypercall for local TLB flush", NULL, 0 },
	{ 2, "UseHypercallForRemoteFlushAndLocalFlushEntire", "hypercall for remote flush", NULL, 0 },
	{ 3, "UseApicMsrs", "MSRs for EOI/ICR/TPR", MSRS(apic_msrs) },
	{ 4, "UseHvRegisterForReset", "reset through the MSR", MSRS(reset_msrs) },
	{ 5, "UseRelaxedTiming", "relax timing, no watchdogs", NULL, 0 },
	{ 6, "UseDmaRemapping", "DMA remapping", NULL, 0 },
	{ 7, "UseInterruptRemapping", "interrupt remapping", NULL, 0 },
	{ 8, "UseX2ApicMsrs", "x2APIC MSRs", NULL, 0 },
	{ 9, "DeprecateAutoEoi", "avoid auto-EOI", NULL, 0 },
	{ 10, "UseSyntheticClusterIpi", "synthetic cluster IPI", NULL, 0 },
	{ 11, "UseExProcessorMasks", "extended processor masks", NULL, 0 },
	{ 12, "Nested", "runs nested in a Hyper-V guest", NULL, 0 },
	{ 13, "UseIntForMbecSystemCalls", "INT for MBEC system calls", NULL, 0 },
	{ 14, "UseVmcsEnlightenments", "enlightened VMCS", NULL, 0 },
	{ 15, "UseSyncedTimeline", "synced timeline", NULL, 0 },
	{ 17, "UseDirectLocalFlushEntire", "direct local flush entire", NULL, 0 },
	{ 18, "NoNonArchitecturalCoreSharing", "no non-architectural sharing", NULL, 0 },
	{ 21, "HV_X64_USE_MMIO_HYPERCALLS", "MMIO hypercalls (Linux)", NULL, 0 },
};
static const struct field_def spinlock_fields[] = {
	FIELD(0, 32, "spinlock_retries", "spins before notifying (~0: never)", FIELD_HEX),
};
static const struct field_def physical_address_fields[] = {
	FIELD(0, 7, "implemented_physical_address_bits", "MAXPHYADDR (0: unknown)", FIELD_DECIMAL),
};

static const struct field_def max_vp_fields[] = {
	FIELD(0, 32, "max_virtual_processors", "0: not exposed", FIELD_DECIMAL),
};
static const struct field_def max_lp_fields[] = {
	FIELD(0, 32, "max_logical_processors", "0: not exposed", FIELD_DECIMAL),
};
static const struct field_def max_vector_fields[] = {
	FIELD(0, 32, "max_interrupt_vectors", "for interrupt remapping", FIELD_DECIMAL),
};

static const struct bit_def hardware_bits[] = {
	{ 0, "ApicOverlayAssistInUse", "APIC overlay assist", NULL, 0 },
	{ 1, "MsrBitmapsInUse", "MSR bitmaps", NULL, 0 },
	{ 2, "ArchitecturalPerformanceCountersInUse", "architectural perf counters", NULL, 0 },
	{ 3, "SecondLevelAddressTranslationInUse", "second-level translation", NULL, 0 },
	{ 4, "DmaRemappingInUse", "DMA remapping", NULL, 0 },
	{ 5, "InterruptRemappingInUse", "interrupt remapping", NULL, 0 },
	{ 6, "MemoryPatrolScrubberPresent", "memory patrol scrubber", NULL, 0 },
	{ 7, "DmaProtectionInUse", "DMA protection", NULL, 0 },
	{ 8, "HpetRequested", "HPET requested", NULL, 0 },
	{ 9, "SyntheticTimersVolatile", "synthetic timers volatile", NULL, 0 },
	{ 14, "PhysicalDestinationModeRequired", "physical destination mode", NULL, 0 },
	{ 15, "UseVmfuncForAliasMapSwitch", "VMFUNC for alias map switch", NULL, 0 },
	{ 16, "HvRegisterForMemoryZeroingSupported", "hardware memory zeroing", NULL, 0 },
	{ 17, "UnrestrictedGuestSupported", "unrestricted guest", NULL, 0 },
	{ 18, "RdtAFeaturesSupported", "resource allocation (RDT-A)", NULL, 0 },
	{ 19, "RdtMFeaturesSupported", "resource monitoring (RDT-M)", NULL, 0 },
	{ 20, "ChildPerfmonPmuSupported", "guest virtual PMU", NULL, 0 },
	{ 21, "ChildPerfmonLbrSupported", "guest virtual LBR", NULL, 0 },
	{ 22, "ChildPerfmonIptSupported", "guest virtual IPT", NULL, 0 },
	{ 23, "ApicEmulationSupported", "APIC emulation", NULL, 0 },
	{ 24, "AcpiWdatInUse", "ACPI WDAT table in use", NULL, 0 },
};
/* 0x40000006 EAX bits 10-13; bits 14-23 as named in hvgdk_mini.h, bit 24
 * as the TLFS table has it (hvgdk_mini.h puts other names from 24 on). */
static const struct field_def hardware_fields[] = {
	FIELD(10, 4, "HypervisorLevel", "nesting level (0: not nested)", FIELD_DECIMAL),
};

static const struct bit_def cpu_management_bits[] = {
	{ 0, "HV_X64_START_LOGICAL_PROCESSOR", "may start logical processors", NULL, 0 },
	{ 1, "HV_X64_CREATE_ROOT_VIRTUAL_PROCESSOR", "may create root VPs", NULL, 0 },
	{ 2, "HV_X64_PERFORMANCE_COUNTER_SYNC", "performance counter sync", NULL, 0 },
	{ 31, "HV_X64_RESERVED_IDENTITY_BIT", "reserved identity bit", NULL, 0 },
};

/* 0x40000007 EBX/ECX and 0x40000008: the field names of Microsoft's
 * HV_X64_HYPERVISOR_CPU_MANAGEMENT_FEATURES and HV_HYPERVISOR_SVM_FEATURES
 * (hvgdk_mini.h), which Linux does not define. */
static const struct bit_def cpu_management_ebx_bits[] = {
	{ 0, "ProcessorPowerManagement", "root: processor power management", NULL, 0 },
	{ 1, "MwaitIdleStates", "root: MWAIT idle states", NULL, 0 },
	{ 2, "LogicalProcessorIdling", "root: logical processor idling", NULL, 0 },
};
static const struct bit_def cpu_management_ecx_bits[] = {
	{ 0, "RemapGuestUncached", "root: remap guest uncached", NULL, 0 },
};
static const struct bit_def svm_bits[] = {
	{ 0, "SvmSupported", "shared virtual memory (PASIDs)", NULL, 0 },
};
static const struct field_def svm_fields[] = {
	FIELD(11, 21, "MaxPasidSpacePasidCount", "PASID space count", FIELD_DECIMAL),
};

static const struct bit_def nested_eax_bits[] = {
	{ 2, "AccessSynicRegs", "nested: SynIC MSRs", NULL, 0 },
	{ 4, "AccessIntrCtrlRegs", "nested: APIC MSRs", NULL, 0 },
	{ 5, "AccessHypercallMsrs", "nested: hypercall MSRs", NULL, 0 },
	{ 6, "AccessVpIndex", "nested: VP index MSR", NULL, 0 },
	{ 12, "AccessReenlightenmentControls", "nested: reenlightenment", NULL, 0 },
};
static const struct bit_def nested_edx_bits[] = {
	{ 4, "XmmRegistersForFastHypercallAvailable", "nested: XMM hypercall input", NULL, 0 },
	{ 15, "FastHypercallOutputAvailable", "nested: XMM hypercall output", NULL, 0 },
	{ 17, "SintPollingModeAvailable", "nested: SINT polling", NULL, 0 },
};

static const struct bit_def nested_virt_bits[] = {
	{ 17, "HV_X64_NESTED_DIRECT_FLUSH", "direct virtual flush", NULL, 0 },
	{ 18, "HV_X64_NESTED_GUEST_MAPPING_FLUSH", "guest physical flush", NULL, 0 },
	{ 19, "HV_X64_NESTED_MSR_BITMAP", "enlightened MSR bitmap", NULL, 0 },
	{ 20, "CombineVirtualizationExceptions", "combined #VE in #PF class", NULL, 0 },
	{ 21, "GuestIa32DebugCtlAvailable", "VMCS GuestIa32DebugCtl non-zero", NULL, 0 },
	{ 22, "HV_X64_NESTED_ENLIGHTENED_TLB", "enlightened TLB (AMD)", NULL, 0 },
};
static const struct field_def evmcs_fields[] = {
	FIELD(0, 8, "evmcs_version_low", "lowest enlightened VMCS", FIELD_DECIMAL),
	FIELD(8, 8, "evmcs_version_high", "highest enlightened VMCS", FIELD_DECIMAL),
};
static const struct bit_def nested_virt_ebx_bits[] = {
	{ 0, "HV_X64_NESTED_EVMCS1_PERF_GLOBAL_CTRL", "eVMCS PERF_GLOBAL_CTRL", NULL, 0 },
};

static const struct bit_def isolation_eax_bits[] = {
	{ 0, "HV_PARAVISOR_PRESENT", "a paravisor is present", NULL, 0 },
};
static const char *const isolation_types[] = { "none", "VBS", "SNP", "TDX" };
static const struct bit_def isolation_ebx_bits[] = {
	{ 5, "HV_SHARED_GPA_BOUNDARY_ACTIVE", "shared GPA boundary active", NULL, 0 },
};
static const struct field_def isolation_ebx_fields[] = {
	{ 0, 4, "HV_ISOLATION_TYPE", "isolation type", FIELD_ENUM,
	  isolation_types, COUNT_OF(isolation_types) },
	FIELD(6, 6, "HV_SHARED_GPA_BOUNDARY_BITS", "shared GPA boundary bit", FIELD_DECIMAL),
};

/* 0x40000080-82, the synthetic debugger ("Microsoft VS", interface
 * "VS#1") that KVM offers with hv-syndbg and hv-passthrough: Linux names
 * 0x40000082 EAX bit 1 for KVM (HV_X64_SYNDBG_CAP_*) and bit 2 for the
 * virtual stack (HYPERV_VS_PROPERTIES_*). */
static const struct field_def syndbg_interface_fields[] = {
	FIELD(0, 32, "vs_interface_signature", "\"VS#1\": debugger interface", FIELD_FOURCC),
};
static const struct bit_def syndbg_bits[] = {
	{ 1, "HV_X64_SYNDBG_CAP_ALLOW_KERNEL_DEBUGGING", "kernel debugging allowed", NULL, 0 },
	{ 2, "HYPERV_VS_PROPERTIES_EAX_EXTENDED_IOAPIC_RTE", "extended IOAPIC RTE format", NULL, 0 },
};

static const struct register_decoder hyperv_decoders[] = {
	{ 0x01, 0, REG_EAX, "interface", FIELDS(interface_fields) },
	{ 0x02, 0, REG_EAX, "version", FIELDS(build_fields) },
	{ 0x02, 0, REG_EBX, "version", FIELDS(version_fields) },
	{ 0x02, 0, REG_ECX, "version", FIELDS(service_pack_fields) },
	{ 0x02, 0, REG_EDX, "version", FIELDS(service_fields) },
	{ 0x03, 0, REG_EAX, "privileges", BITS(privilege_low_bits) },
	{ 0x03, 0, REG_EBX, "privileges", BITS(privilege_high_bits) },
	{ 0x03, 0, REG_ECX, "features", BITS(feature_ecx_bits) },
	{ 0x03, 0, REG_EDX, "features", BITS(feature_edx_bits) },
	{ 0x04, 0, REG_EAX, "recommendations", BITS(recommendation_bits) },
	{ 0x04, 0, REG_EBX, "recommendations", FIELDS(spinlock_fields) },
	{ 0x04, 0, REG_ECX, "recommendations", FIELDS(physical_address_fields) },
	{ 0x05, 0, REG_EAX, "limits", FIELDS(max_vp_fields) },
	{ 0x05, 0, REG_EBX, "limits", FIELDS(max_lp_fields) },
	{ 0x05, 0, REG_ECX, "limits", FIELDS(max_vector_fields) },
	{ 0x06, 0, REG_EAX, "hardware features", hardware_bits, COUNT_OF(hardware_bits),
	  hardware_fields, COUNT_OF(hardware_fields) },
	{ 0x07, 0, REG_EAX, "root CPU management", BITS(cpu_management_bits) },
	{ 0x07, 0, REG_EBX, "root CPU management", BITS(cpu_management_ebx_bits) },
	{ 0x07, 0, REG_ECX, "root CPU management", BITS(cpu_management_ecx_bits) },
	{ 0x08, 0, REG_EAX, "shared virtual memory", svm_bits, COUNT_OF(svm_bits),
	  svm_fields, COUNT_OF(svm_fields) },
	{ 0x09, 0, REG_EAX, "nested features", BITS(nested_eax_bits) },
	{ 0x09, 0, REG_EDX, "nested features", BITS(nested_edx_bits) },
	{ 0x0a, 0, REG_EAX, "nested virtualization", nested_virt_bits,
	  COUNT_OF(nested_virt_bits), evmcs_fields, COUNT_OF(evmcs_fields) },
	{ 0x0a, 0, REG_EBX, "nested virtualization", BITS(nested_virt_ebx_bits) },
	{ 0x0c, 0, REG_EAX, "isolation", BITS(isolation_eax_bits) },
	{ 0x0c, 0, REG_EBX, "isolation", isolation_ebx_bits, COUNT_OF(isolation_ebx_bits),
	  isolation_ebx_fields, COUNT_OF(isolation_ebx_fields) },
	{ 0x81, 0, REG_EAX, "debugger interface", FIELDS(syndbg_interface_fields) },
	{ 0x82, 0, REG_EAX, "debugger capabilities", BITS(syndbg_bits) },
};
static const struct key_prefix hyperv_key_prefixes[] = {
	{ "HV_X64_", "" }, { "HV_", "" }, { NULL, NULL }
};
const struct decoder_table hyperv_table = { hyperv_decoders, COUNT_OF(hyperv_decoders),
					   hyperv_key_prefixes };
