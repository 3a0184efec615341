/* KVM decoding over recorded register sets. Expected values are written
 * out bit by bit from Linux's kvm_para.h, not from hvfeat's tables. */
#include "recordings.h"

struct expectation {
	const char *id;
	uint32_t value;
};

/* A KVM guest on an Intel host: 0x40000001 EAX = 0x01007efb. */
static const struct expectation observed_01007efb[] = {
	{ "KVM_FEATURE_CLOCKSOURCE", 1 },        /* kvmclock at MSR 0x11 */
	{ "KVM_FEATURE_NOP_IO_DELAY", 1 },       /* no PIO delay needed */
	{ "KVM_FEATURE_MMU_OP", 0 },
	{ "KVM_FEATURE_CLOCKSOURCE2", 1 },       /* kvmclock at 0x4b564d00 */
	{ "KVM_FEATURE_ASYNC_PF", 1 },
	{ "KVM_FEATURE_STEAL_TIME", 1 },
	{ "KVM_FEATURE_PV_EOI", 1 },
	{ "KVM_FEATURE_PV_UNHALT", 1 },
	{ "KVM_FEATURE_PV_TLB_FLUSH", 1 },
	{ "KVM_FEATURE_ASYNC_PF_VMEXIT", 1 },
	{ "KVM_FEATURE_PV_SEND_IPI", 1 },
	{ "KVM_FEATURE_POLL_CONTROL", 1 },
	{ "KVM_FEATURE_PV_SCHED_YIELD", 1 },
	{ "KVM_FEATURE_ASYNC_PF_INT", 1 },
	{ "KVM_FEATURE_MSI_EXT_DEST_ID", 0 },
	{ "KVM_FEATURE_HC_MAP_GPA_RANGE", 0 },
	{ "KVM_FEATURE_MIGRATION_CONTROL", 0 },
	{ "KVM_FEATURE_CLOCKSOURCE_STABLE_BIT", 1 },
	{ "KVM_HINTS_REALTIME", 0 },
};

static void check_observation(uint32_t features, const char *changed_id,
			      uint32_t changed_value)
{
	const struct cpuid_record records[] = {
		BASIC_LEAVES_HV,
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		LEAF(0x40000001, features, 0, 0, 0),
	};
	struct hv_report *r = SCAN(records);

	for (size_t i = 0; i < sizeof(observed_01007efb) / sizeof(observed_01007efb[0]); i++) {
		const struct expectation *e = &observed_01007efb[i];
		uint32_t expected = e->value;
		if (changed_id && strcmp(changed_id, e->id) == 0)
			expected = changed_value;
		if (lookup(r, KVM, e->id) != expected)
			fail_msg("%s: expected %u", e->id, expected);
	}
	assert_lacks(text_of(r), "(unknown)");
}

static void intel_host_guest_01007efb(void **state)
{
	(void)state;
	check_observation(0x01007efb, NULL, 0);
}

static void amd_host_guest_01007afb_lacks_async_pf_vmexit(void **state)
{
	(void)state;
	check_observation(0x01007afb, "KVM_FEATURE_ASYNC_PF_VMEXIT", 0);
}

/* Every defined bit (0-7, 9-17, 24) set, and nothing else. */
static void all_defined_bits(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		BASIC_LEAVES_HV,
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		LEAF(0x40000001, 0x0103feff, 0, 0, 0x00000001),
	};
	struct hv_report *r = SCAN(records);

	for (size_t i = 0; i < sizeof(observed_01007efb) / sizeof(observed_01007efb[0]); i++)
		assert_int_equal(lookup(r, KVM, observed_01007efb[i].id), 1);

	const char *text = text_of(r);
	assert_lacks(text, "(unknown)");
	assert_contains(text, "features: leaf 0x40000001 eax = 0x0103feff");
	assert_contains(text, "MSR 0x4b564d08 MSR_KVM_MIGRATION_CONTROL");
	assert_contains(text, "MSR 0x00000011 MSR_KVM_WALL_CLOCK");
	assert_contains(text, "MSR 0x4b564d07 MSR_KVM_ASYNC_PF_ACK");
}

/* Bits 8, 18-23 and 25-31 are not upstream: each is shown, none dropped. */
static void undefined_bits_are_reported(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		BASIC_LEAVES_HV,
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		LEAF(0x40000001, 0xfefc0100, 0, 0, 0xfffffffe),
	};
	struct hv_report *r = SCAN(records);
	const char *text = text_of(r);

	assert_int_equal(lookup(r, KVM, "KVM_FEATURE_CLOCKSOURCE"), 0);
	assert_int_equal(lookup(r, KVM, "KVM_HINTS_REALTIME"), 0);
	static const unsigned unknown_feature_bits[] = {
		8, 18, 19, 20, 21, 22, 23, 25, 26, 27, 28, 29, 30, 31 };
	char line[80];
	const char *features = strstr(text, "features:");
	const char *hints = strstr(text, "hints:");
	assert_non_null(features);
	assert_non_null(hints);
	for (size_t i = 0; i < sizeof(unknown_feature_bits) / sizeof(unsigned); i++) {
		snprintf(line, sizeof(line), "    yes %2u (unknown)", unknown_feature_bits[i]);
		const char *at = strstr(features, line);
		if (!at || at > hints)
			fail_msg("feature bit %u not reported", unknown_feature_bits[i]);
	}
	/* All 31 undefined hint bits follow the hints header. */
	size_t hint_unknowns = 0;
	for (const char *p = hints; (p = strstr(p, "(unknown)")); p++)
		hint_unknowns++;
	assert_int_equal(hint_unknowns, 31);
}

static void realtime_hint(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		BASIC_LEAVES_HV,
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		LEAF(0x40000001, 0, 0, 0, 1),
	};
	struct hv_report *r = SCAN(records);
	assert_int_equal(lookup(r, KVM, "KVM_HINTS_REALTIME"), 1);
	assert_contains(text_of(r), "    yes  0 KVM_HINTS_REALTIME");
}

/* Old hosts answer EAX=0 at the base: it means 0x40000001. */
static void old_host_zero_max_leaf(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		BASIC_LEAVES_HV,
		LEAF(0x40000000, 0, SIG_KVM),
		LEAF(0x40000001, 0x00000008, 0, 0, 0),
	};
	struct hv_report *r = SCAN(records);

	assert_int_equal(r->interface_count, 1);
	assert_int_equal(r->interfaces[0].last_leaf, 0x40000001);
	assert_int_equal(lookup(r, KVM, "KVM_FEATURE_CLOCKSOURCE2"), 1);
	assert_contains(text_of(r), "max leaf: 0x00000000 (read to 0x40000001");
}

/* QEMU/KVM with hv-* enlightenments: Hyper-V first, KVM one block up. */
static void kvm_behind_hyperv(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		BASIC_LEAVES_HV,
		LEAF(0x40000000, 0x4000000a, SIG_HYPERV),
		LEAF(0x40000001, 0x31237648, 0, 0, 0),
		LEAF(0x40000100, 0x40000101, SIG_KVM),
		LEAF(0x40000101, 0x01007efb, 0, 0, 0),
	};
	struct hv_report *r = SCAN(records);

	assert_int_equal(r->interface_count, 2);
	assert_int_equal(r->interfaces[0].base, 0x40000000);
	assert_int_equal(r->interfaces[1].base, 0x40000100);
	assert_int_equal(lookup(r, KVM, "KVM_FEATURE_PV_UNHALT"), 1);
	assert_int_equal(lookup(r, KVM, "KVM_FEATURE_MSI_EXT_DEST_ID"), 0);

	const char *text = text_of(r);
	assert_contains(text, "  0x40000000  Microsoft Hyper-V");
	assert_contains(text, "  0x40000100  KVM\n");
	assert_contains(text, "[0x40000100] KVM\n");
	assert_contains(text, "features: leaf 0x40000101 eax = 0x01007efb");
}

/* QEMU's timing leaf, when the max leaf reaches base+0x10. */
static void timing_leaf(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		BASIC_LEAVES_HV,
		LEAF(0x40000000, 0x40000010, SIG_KVM),
		LEAF(0x40000001, 0x01007efb, 0, 0, 0),
		LEAF(0x40000010, 0x0027ac3d, 0x000f4240, 0, 0),
	};
	struct hv_report *r = SCAN(records);

	assert_int_equal(lookup(r, KVM, "tsc_khz"), 2599997);
	assert_int_equal(lookup(r, KVM, "apic_bus_khz"), 1000000);
	assert_contains(text_of(r), "tsc_khz              2599997 kHz");
}

static void timing_leaf_absent_below_max(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		BASIC_LEAVES_HV,
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		/* present in the recording, but past the max leaf: not read */
		LEAF(0x40000010, 0x0027ac3d, 0x000f4240, 0, 0),
	};
	struct hv_report *r = SCAN(records);
	uint32_t value;

	assert_false(hv_lookup(r, KVM, "tsc_khz", &value));
	assert_null(hv_report_leaf(r, 0x40000010, 0));
	assert_contains(text_of(r), "timing: leaf 0x40000010 not provided\n");
}

/* A common mistake: matching KVM in leaf 0 instead of 0x40000000. */
static void kvm_vendor_in_leaf_zero_is_not_kvm(void **state)
{
	(void)state;
	const struct cpuid_record records[] = {
		LEAF(0, 1, 0x4b4d564b, 0x4d564b4d, 0x564b4d56),
		LEAF(1, 0, 0, HYPERVISOR_BIT, 0),
	};
	struct hv_report *r = SCAN(records);
	uint32_t value;

	assert_int_equal(r->interface_count, 0);
	assert_false(hv_lookup(r, KVM, "KVM_FEATURE_CLOCKSOURCE", &value));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(intel_host_guest_01007efb),
		cmocka_unit_test(amd_host_guest_01007afb_lacks_async_pf_vmexit),
		cmocka_unit_test(all_defined_bits),
		cmocka_unit_test(undefined_bits_are_reported),
		cmocka_unit_test(realtime_hint),
		cmocka_unit_test(old_host_zero_max_leaf),
		cmocka_unit_test(kvm_behind_hyperv),
		cmocka_unit_test(timing_leaf),
		cmocka_unit_test(timing_leaf_absent_below_max),
		cmocka_unit_test(kvm_vendor_in_leaf_zero_is_not_kvm),
	};
	return cmocka_run_group_tests_name("kvm decoding", tests, NULL, NULL);
}
