"""Upstream CPUID bit tables for the host tests: bit number -> the name
upstream gives that bit. Plain data, written by hand from the upstream
sources below and never derived from hvfeat's own tables (core/*.c), so the
tests that import it stay independent of what they check; the same
hand-written lists as tests/unit/test_upstream_bits.c.

Sources:
- Linux arch/x86/include/uapi/asm/kvm_para.h: KVM_FEATURE_* (CPUID
  0x40000001 EAX) and KVM_HINTS_* (0x40000001 EDX) bit numbers.
- The Hyper-V TLFS, "Feature discovery" (HV_PARTITION_PRIVILEGE_MASK and
  the feature and recommendation words), with the names of Linux
  hyperv-tlfs.h and Microsoft's hvgdk_mini.h where the TLFS calls a bit
  reserved or gives it no name.
"""

# Linux arch/x86/include/uapi/asm/kvm_para.h: CPUID 0x40000001 EAX and EDX.
KVM_FEATURES = {
    0: "KVM_FEATURE_CLOCKSOURCE", 1: "KVM_FEATURE_NOP_IO_DELAY", 2: "KVM_FEATURE_MMU_OP",
    3: "KVM_FEATURE_CLOCKSOURCE2", 4: "KVM_FEATURE_ASYNC_PF", 5: "KVM_FEATURE_STEAL_TIME",
    6: "KVM_FEATURE_PV_EOI", 7: "KVM_FEATURE_PV_UNHALT", 9: "KVM_FEATURE_PV_TLB_FLUSH",
    10: "KVM_FEATURE_ASYNC_PF_VMEXIT", 11: "KVM_FEATURE_PV_SEND_IPI",
    12: "KVM_FEATURE_POLL_CONTROL", 13: "KVM_FEATURE_PV_SCHED_YIELD",
    14: "KVM_FEATURE_ASYNC_PF_INT", 15: "KVM_FEATURE_MSI_EXT_DEST_ID",
    16: "KVM_FEATURE_HC_MAP_GPA_RANGE", 17: "KVM_FEATURE_MIGRATION_CONTROL",
    24: "KVM_FEATURE_CLOCKSOURCE_STABLE_BIT",
}
KVM_HINTS = {0: "KVM_HINTS_REALTIME"}

# The Hyper-V TLFS, by leaf offset from the base 0x40000000: 3 EAX and EBX
# (partition privileges), 3 ECX and EDX (features), 4 EAX
# (recommendations), 0x0a EAX (nested virtualization), 0x82 EAX
# (synthetic debugging).
HV_PRIVILEGES_EAX = {
    0: "AccessVpRunTimeReg", 1: "AccessPartitionReferenceCounter", 2: "AccessSynicRegs",
    3: "AccessSyntheticTimerRegs", 4: "AccessIntrCtrlRegs", 5: "AccessHypercallMsrs",
    6: "AccessVpIndex", 7: "AccessResetReg", 8: "AccessStatsReg",
    9: "AccessPartitionReferenceTsc", 10: "AccessGuestIdleReg", 11: "AccessFrequencyRegs",
    12: "AccessDebugRegs", 13: "AccessReenlightenmentControls", 14: "AccessRootSchedulerReg",
    15: "HV_ACCESS_TSC_INVARIANT",
}
HV_PRIVILEGES_EBX = {
    0: "CreatePartitions", 1: "AccessPartitionId", 2: "AccessMemoryPool",
    3: "HV_ADJUST_MESSAGE_BUFFERS", 4: "PostMessages", 5: "SignalEvents", 6: "CreatePort",
    7: "ConnectPort", 8: "AccessStats", 11: "Debugging", 12: "CpuManagement",
    13: "ConfigureProfiler", 14: "AccessVpExitTracing",
    15: "EnableExtendedGvaRangesForFlushVirtualAddressList", 16: "AccessVSM",
    17: "AccessVpRegisters", 19: "FastHypercallOutput", 20: "EnableExtendedHypercalls",
    21: "StartVirtualProcessor", 22: "HV_ISOLATION",
}
HV_FEATURES_ECX = {
    5: "InvariantMperfAvailable", 6: "SupervisorShadowStackAvailable",
    7: "ArchitecturalPmuAvailable", 8: "ExceptionTrapInterceptAvailable",
    9: "HV_VP_DISPATCH_INTERRUPT_INJECTION_AVAILABLE", 10: "HV_VP_GHCB_ROOT_MAPPING_AVAILABLE",
}
HV_FEATURES_EDX = {
    0: "MwaitAvailable", 1: "GuestDebuggingAvailable", 2: "PerformanceMonitorsAvailable",
    3: "CpuDynamicPartitioningAvailable", 4: "XmmRegistersForFastHypercallAvailable",
    5: "GuestIdleAvailable", 6: "HypervisorSleepStateSupportAvailable",
    7: "NumaDistanceQueryAvailable", 8: "FrequencyRegsAvailable",
    9: "SyntheticMachineCheckAvailable", 10: "GuestCrashRegsAvailable",
    11: "DebugRegsAvailable", 12: "Npiep1Available", 13: "DisableHypervisorAvailable",
    14: "ExtendedGvaRangesForFlushVirtualAddressListAvailable",
    15: "FastHypercallOutputAvailable", 17: "SintPollingModeAvailable",
    18: "HypercallMsrLockAvailable", 19: "DirectSyntheticTimers", 20: "RegisterPatAvailable",
    21: "RegisterBndcfgsAvailable", 23: "SyntheticTimeUnhaltedTimerAvailable",
    26: "IntelLastBranchRecordAvailable",
}
HV_RECOMMENDATIONS_EAX = {
    0: "UseHypercallForAddressSpaceSwitch", 1: "UseHypercallForLocalFlush",
    2: "UseHypercallForRemoteFlushAndLocalFlushEntire", 3: "UseApicMsrs",
    4: "UseHvRegisterForReset", 5: "UseRelaxedTiming", 6: "UseDmaRemapping",
    7: "UseInterruptRemapping", 8: "UseX2ApicMsrs", 9: "DeprecateAutoEoi",
    10: "UseSyntheticClusterIpi", 11: "UseExProcessorMasks", 12: "Nested",
    13: "UseIntForMbecSystemCalls", 14: "UseVmcsEnlightenments", 15: "UseSyncedTimeline",
    17: "UseDirectLocalFlushEntire", 18: "NoNonArchitecturalCoreSharing",
    21: "HV_X64_USE_MMIO_HYPERCALLS",
}
HV_NESTED_VIRT_EAX = {
    17: "HV_X64_NESTED_DIRECT_FLUSH", 18: "HV_X64_NESTED_GUEST_MAPPING_FLUSH",
    19: "HV_X64_NESTED_MSR_BITMAP", 20: "CombineVirtualizationExceptions",
    21: "GuestIa32DebugCtlAvailable", 22: "HV_X64_NESTED_ENLIGHTENED_TLB",
}
HV_SYNDBG = {1: "HV_X64_SYNDBG_CAP_ALLOW_KERNEL_DEBUGGING",
             2: "HYPERV_VS_PROPERTIES_EAX_EXTENDED_IOAPIC_RTE"}
