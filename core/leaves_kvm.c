/* KVM's leaves (Linux Documentation/virt/kvm/x86/cpuid.rst and
 * arch/x86/include/uapi/asm/kvm_para.h). Bits 8, 18-23 and 25-31 of the
 * feature word are not defined upstream and are reported as unknown. */
#include "interface_tables.h"

static const struct msr_def clocksource_msrs[] = {
	{ 0x11, "MSR_KVM_WALL_CLOCK" },
	{ 0x12, "MSR_KVM_SYSTEM_TIME" },
};
static const struct msr_def clocksource2_msrs[] = {
	{ 0x4b564d00, "MSR_KVM_WALL_CLOCK_NEW" },
	{ 0x4b564d01, "MSR_KVM_SYSTEM_TIME_NEW" },
};
static const struct msr_def async_pf_msrs[] = {
	{ 0x4b564d02, "MSR_KVM_ASYNC_PF_EN" },
};
static const struct msr_def steal_time_msrs[] = {
	{ 0x4b564d03, "MSR_KVM_STEAL_TIME" },
};
static const struct msr_def pv_eoi_msrs[] = {
	{ 0x4b564d04, "MSR_KVM_PV_EOI_EN" },
};
static const struct msr_def poll_control_msrs[] = {
	{ 0x4b564d05, "MSR_KVM_POLL_CONTROL" },
};
static const struct msr_def async_pf_int_msrs[] = {
	{ 0x4b564d06, "MSR_KVM_ASYNC_PF_INT" },
	{ 0x4b564d07, "MSR_KVM_ASYNC_PF_ACK" },
};
static const struct msr_def migration_control_msrs[] = {
	{ 0x4b564d08, "MSR_KVM_MIGRATION_CONTROL" },
};

static const struct bit_def kvm_feature_bits[] = {
	{ 0, "KVM_FEATURE_CLOCKSOURCE", "kvmclock, legacy MSR pair", MSRS(clocksource_msrs) },
	{ 1, "KVM_FEATURE_NOP_IO_DELAY", "port I/O needs no delay", NULL, 0 },
	{ 2, "KVM_FEATURE_MMU_OP", "paravirtual MMU ops (deprecated)", NULL, 0 },
	{ 3, "KVM_FEATURE_CLOCKSOURCE2", "kvmclock, current MSR pair", MSRS(clocksource2_msrs) },
	{ 4, "KVM_FEATURE_ASYNC_PF", "asynchronous page faults", MSRS(async_pf_msrs) },
	{ 5, "KVM_FEATURE_STEAL_TIME", "steal-time accounting", MSRS(steal_time_msrs) },
	{ 6, "KVM_FEATURE_PV_EOI", "paravirtual end of interrupt", MSRS(pv_eoi_msrs) },
	{ 7, "KVM_FEATURE_PV_UNHALT", "paravirtual spinlock unhalt", NULL, 0 },
	{ 9, "KVM_FEATURE_PV_TLB_FLUSH", "paravirtual TLB flush", NULL, 0 },
	/* Enabled through bit 2 of the value written to MSR_KVM_ASYNC_PF_EN. */
	{ 10, "KVM_FEATURE_ASYNC_PF_VMEXIT", "async PF delivered as VM exit", MSRS(async_pf_msrs) },
	{ 11, "KVM_FEATURE_PV_SEND_IPI", "paravirtual send-IPI hypercall", NULL, 0 },
	{ 12, "KVM_FEATURE_POLL_CONTROL", "guest may stop host HLT polling", MSRS(poll_control_msrs) },
	{ 13, "KVM_FEATURE_PV_SCHED_YIELD", "paravirtual sched yield", NULL, 0 },
	{ 14, "KVM_FEATURE_ASYNC_PF_INT", "async PF 'page ready' interrupt", MSRS(async_pf_int_msrs) },
	{ 15, "KVM_FEATURE_MSI_EXT_DEST_ID", "MSI extended destination ID", NULL, 0 },
	{ 16, "KVM_FEATURE_HC_MAP_GPA_RANGE", "map-GPA-range hypercall", NULL, 0 },
	{ 17, "KVM_FEATURE_MIGRATION_CONTROL", "guest-driven migration control", MSRS(migration_control_msrs) },
	{ 24, "KVM_FEATURE_CLOCKSOURCE_STABLE_BIT", "kvmclock free of per-CPU warps", NULL, 0 },
};

static const struct bit_def kvm_hint_bits[] = {
	{ 0, "KVM_HINTS_REALTIME", "vCPUs never preempted for long", NULL, 0 },
};

/* QEMU's copy of VMware's timing leaf, present when the max leaf reaches it. */
const struct field_def timing_tsc_fields[1] = {
	{ 0, 32, "tsc_khz", "guest TSC frequency", FIELD_KHZ, NULL, 0 },
};
const struct field_def timing_apic_fields[1] = {
	{ 0, 32, "apic_bus_khz", "local APIC bus frequency", FIELD_KHZ, NULL, 0 },
};

static const struct register_decoder kvm_decoders[] = {
	{ 0x01, 0, REG_EAX, "features", BITS(kvm_feature_bits) },
	{ 0x01, 0, REG_EDX, "hints", BITS(kvm_hint_bits) },
	{ 0x10, 0, REG_EAX, "timing", FIELDS(timing_tsc_fields) },
	{ 0x10, 0, REG_EBX, "timing", FIELDS(timing_apic_fields) },
};
static const struct key_prefix kvm_key_prefixes[] = {
	{ "KVM_FEATURE_", "" }, { "KVM_HINTS_", "hints." }, { NULL, NULL }
};
const struct decoder_table kvm_table = { kvm_decoders, COUNT_OF(kvm_decoders),
					   kvm_key_prefixes };
