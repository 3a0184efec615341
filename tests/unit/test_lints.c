/* The consistency lints: each one firing and not firing on recordings
 * built here by hand, and the outcomes of the committed dumps. Every
 * expected outcome is worked out from the raw registers and the upstream
 * rule the README cites (Linux's KVM documentation, the Hyper-V TLFS,
 * Xen's public cpuid.h, QEMU), never from hvfeat's tables: bit numbers are
 * written here as the upstream texts give them. */
#include "recordings.h"

#include "judge.h"
#include "labels.h"
#include "lints.h"

/* Every lint, by its stable name, in the order the report lists them. */
static const char *const lint_names[] = {
	"kvm.stable-bit-without-kvmclock",
	"kvm.async-pf-int-without-async-pf",
	"kvm.async-pf-vmexit-without-async-pf",
	"kvm.behind-other-interface",
	"hyperv.hypercall-recommended-without-hypercall-msrs",
	"hyperv.apic-msrs-recommended-without-access",
	"hyperv.reset-msr-recommended-without-access",
	"hypervisor.bit-without-signature",
	"hypervisor.signature-without-bit",
	"hypervisor.max-leaf-promises-empty-leaf",
	"smbios.hidden-hypervisor",
	"smbios.hypervisor-without-vm-bit",
};
#define LINTS (sizeof(lint_names) / sizeof(lint_names[0]))

/* "AuthenticAMD" (leaf 0 order EBX, EDX, ECX): a leaf the recording does
 * not hold reads all zero, as on AMD, so absent leaves are empty ones. */
#define VENDOR_AMD 0x68747541, 0x444d4163, 0x69746e65
#define AMD_HV LEAF(0, 1, VENDOR_AMD), LEAF(1, 0x00a10f11, 0, HYPERVISOR_BIT, 0)
#define AMD_NO_HV LEAF(0, 1, VENDOR_AMD), LEAF(1, 0x00a10f11, 0, 0, 0)
/* Signatures as the reference's signature table gives their registers. */
#define SIG_KVM_HV 0x756e694c, 0x564b2078, 0x7648204d
#define SIG_XEN 0x566e6558, 0x65584d4d, 0x4d4d566e
#define SIG_VMWARE 0x61774d56, 0x4d566572, 0x65726177
#define HV1 0x31237648 /* "Hv#1" */

/* Linux kvm_para.h bit numbers of the KVM feature word. */
#define KVM_CLOCKSOURCE (1u << 0)
#define KVM_CLOCKSOURCE2 (1u << 3)
#define KVM_ASYNC_PF (1u << 4)
#define KVM_ASYNC_PF_VMEXIT (1u << 10)
#define KVM_ASYNC_PF_INT (1u << 14)
#define KVM_STABLE_BIT (1u << 24)

/* TLFS bit numbers: 0x40000003 EAX privileges, 0x40000004 EAX
 * recommendations. */
#define ACCESS_INTR_CTRL_REGS (1u << 4)
#define ACCESS_HYPERCALL_MSRS (1u << 5)
#define ACCESS_RESET_REG (1u << 7)
#define USE_APIC_MSRS (1u << 3)
#define USE_RESET_MSR (1u << 4)

static const struct result *judged(struct hv_report *r, const char *name)
{
	char label[RESULT_LABEL_MAX];

	hv_judge(r, &(struct judge_settings){ .strict = false });
	snprintf(label, sizeof(label), "lint.%s", name);
	for (size_t i = 0; i < r->results.count; i++)
		if (strcmp(r->results.items[i].label, label) == 0)
			return &r->results.items[i];
	fail_msg("no result %s", label);
	return NULL;
}

static void expect(struct hv_report *r, const char *name, enum outcome outcome)
{
	const struct result *result = judged(r, name);

	if (result->outcome != outcome)
		fail_msg("lint.%s: %s (%s), expected %s", name, outcome_name(result->outcome),
			 result->detail, outcome_name(outcome));
	/* A severity only where it warns; info and pass carry none. */
	if ((outcome == OUTCOME_WARN) != (result->severity != SEVERITY_NONE))
		fail_msg("lint.%s: severity %s with outcome %s", name,
			 severity_name(result->severity), outcome_name(outcome));
	(void)text_of(r); /* every result line fits the console */
}

static void expect_detail(struct hv_report *r, const char *name, enum outcome outcome,
			  const char *part)
{
	expect(r, name, outcome);
	assert_contains(judged(r, name)->detail, part);
}

/* One KVM block at 0x40000000 with this feature word. */
static struct hv_report *kvm_with(uint32_t features)
{
	static struct cpuid_record records[] = {
		AMD_HV,
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		LEAF(0x40000001, 0, 0, 0, 0),
	};
	records[3].regs.eax = features;
	return SCAN(records);
}

static void every_lint_once_in_table_order(void **state)
{
	(void)state;
	struct hv_report *r = kvm_with(0);
	size_t lint = 0;

	hv_judge(r, &(struct judge_settings){ .strict = false });
	for (size_t i = 0; i < r->results.count; i++) {
		const char *label = r->results.items[i].label;
		if (strncmp(label, "lint.", 5) != 0)
			continue;
		assert_true(lint < LINTS);
		assert_string_equal(label + 5, lint_names[lint]);
		lint++;
	}
	assert_int_equal(lint, LINTS);
	for (size_t i = 0; i < LINTS; i++) {
		char label[RESULT_LABEL_MAX];
		snprintf(label, sizeof(label), "LINT.%s", lint_names[i]);
		assert_true(result_label_known(label)); /* waivable, in any case */
		assert_true(lint_name_known(lint_names[i]));
	}
	assert_false(lint_name_known("kvm.stable-bit"));

	static char listing[8192];
	struct buffer_sink sink;
	buffer_sink_init(&sink, listing, sizeof(listing) - 1);
	render_result_labels(&sink.sink);
	listing[sink.length] = '\0';
	for (size_t i = 0; i < LINTS; i++) {
		char line[RESULT_LABEL_MAX + 8];
		snprintf(line, sizeof(line), "  lint.%s\n      ", lint_names[i]);
		assert_contains(listing, line);
	}
}

/* cpuid.rst: the stable bit vouches for kvmclock (bit 0 or 3). */
static void stable_bit_needs_a_kvmclock(void **state)
{
	(void)state;
	expect_detail(kvm_with(KVM_STABLE_BIT), "kvm.stable-bit-without-kvmclock",
		      OUTCOME_WARN, "KVM_FEATURE_CLOCKSOURCE_STABLE_BIT set without");
	assert_int_equal(judged(&test_report, "kvm.stable-bit-without-kvmclock")->severity,
			 SEVERITY_LOW);
	expect(kvm_with(KVM_STABLE_BIT | KVM_CLOCKSOURCE), "kvm.stable-bit-without-kvmclock",
	       OUTCOME_PASS);
	expect_detail(kvm_with(KVM_STABLE_BIT | KVM_CLOCKSOURCE2),
		      "kvm.stable-bit-without-kvmclock", OUTCOME_PASS,
		      "with KVM_FEATURE_CLOCKSOURCE2");
	expect(kvm_with(KVM_CLOCKSOURCE2), "kvm.stable-bit-without-kvmclock", OUTCOME_PASS);
	/* -cpu host,-kvmclock: -cpu host's 0x01007afb without bits 0 and 3;
	 * no other feature stands in for kvmclock. */
	expect(kvm_with(0x01007afbu & ~(KVM_CLOCKSOURCE | KVM_CLOCKSOURCE2)),
	       "kvm.stable-bit-without-kvmclock", OUTCOME_WARN);
	expect(kvm_with(0), "kvm.stable-bit-without-kvmclock", OUTCOME_PASS);
}

/* msr.rst, MSR_KVM_ASYNC_PF_EN: bit 3 (interrupt delivery, ASYNC_PF_INT)
 * and bit 2 (VM-exit delivery, ASYNC_PF_VMEXIT) of the MSR that ASYNC_PF
 * offers. */
static void async_pf_deliveries_need_async_pf(void **state)
{
	(void)state;
	expect_detail(kvm_with(KVM_ASYNC_PF_INT), "kvm.async-pf-int-without-async-pf",
		      OUTCOME_WARN, "MSR_KVM_ASYNC_PF_EN");
	expect(kvm_with(KVM_ASYNC_PF_INT | KVM_ASYNC_PF), "kvm.async-pf-int-without-async-pf",
	       OUTCOME_PASS);
	expect(kvm_with(KVM_ASYNC_PF), "kvm.async-pf-int-without-async-pf", OUTCOME_PASS);
	/* The other delivery does not stand in for async PF itself. */
	expect(kvm_with(KVM_ASYNC_PF_INT | KVM_ASYNC_PF_VMEXIT),
	       "kvm.async-pf-int-without-async-pf", OUTCOME_WARN);

	expect(kvm_with(KVM_ASYNC_PF_VMEXIT), "kvm.async-pf-vmexit-without-async-pf",
	       OUTCOME_WARN);
	expect(kvm_with(KVM_ASYNC_PF_VMEXIT | KVM_ASYNC_PF),
	       "kvm.async-pf-vmexit-without-async-pf", OUTCOME_PASS);
	expect(kvm_with(KVM_ASYNC_PF_INT | KVM_ASYNC_PF),
	       "kvm.async-pf-vmexit-without-async-pf", OUTCOME_PASS);
	/* Each lint reads only its own pair. */
	expect(kvm_with(KVM_ASYNC_PF_VMEXIT), "kvm.async-pf-int-without-async-pf", OUTCOME_PASS);
	expect(kvm_with(KVM_STABLE_BIT), "kvm.async-pf-int-without-async-pf", OUTCOME_PASS);
}

/* A KVM block past base+1's reach: old hosts answer max leaf 0, which
 * means 0x40000001 (cpuid.rst), so the features are still read. */
static void kvm_lints_read_old_hosts_too(void **state)
{
	(void)state;
	static const struct cpuid_record old_host[] = {
		AMD_HV,
		LEAF(0x40000000, 0, SIG_KVM),
		LEAF(0x40000001, KVM_ASYNC_PF_INT | KVM_STABLE_BIT, 0, 0, 0),
	};
	expect(SCAN(old_host), "kvm.stable-bit-without-kvmclock", OUTCOME_WARN);
	expect(SCAN(old_host), "kvm.async-pf-int-without-async-pf", OUTCOME_WARN);
	expect(SCAN(old_host), "hypervisor.max-leaf-promises-empty-leaf",
	       OUTCOME_NOT_APPLICABLE);
}

/* The KVM lints read the block a Linux guest uses: behind Hyper-V, the one
 * at 0x40000100. */
static void kvm_lints_follow_kvm_behind_hyperv(void **state)
{
	(void)state;
	static const struct cpuid_record behind[] = {
		AMD_HV,
		LEAF(0x40000000, 0x40000005, SIG_HYPERV),
		LEAF(0x40000001, HV1, 0, 0, 0),
		LEAF(0x40000002, 0x00003839, 0x000a0000, 0, 0),
		LEAF(0x40000100, 0x40000101, SIG_KVM),
		LEAF(0x40000101, KVM_STABLE_BIT | KVM_ASYNC_PF_VMEXIT, 0, 0, 0),
	};
	struct hv_report *r = SCAN(behind);

	expect_detail(r, "kvm.stable-bit-without-kvmclock", OUTCOME_WARN, "0x40000100");
	expect(r, "kvm.async-pf-vmexit-without-async-pf", OUTCOME_WARN);
	expect_detail(r, "kvm.behind-other-interface", OUTCOME_INFO,
		      "KVM at 0x40000100, behind Microsoft Hyper-V at 0x40000000");
	/* info is no failure and no warning */
	assert_true(r->verdict.passed);
	assert_int_equal(r->verdict.counts[OUTCOME_INFO], 1);
}

static void no_kvm_no_kvm_lints(void **state)
{
	(void)state;
	static const struct cpuid_record xen[] = {
		AMD_HV,
		LEAF(0x40000000, 0x40000002, SIG_XEN),
		LEAF(0x40000001, 0x0004000e, 0, 0, 0),
		LEAF(0x40000002, 1, 0x40000000, 0, 0),
	};
	struct hv_report *r = SCAN(xen);

	expect(r, "kvm.stable-bit-without-kvmclock", OUTCOME_NOT_APPLICABLE);
	expect(r, "kvm.async-pf-int-without-async-pf", OUTCOME_NOT_APPLICABLE);
	expect(r, "kvm.async-pf-vmexit-without-async-pf", OUTCOME_NOT_APPLICABLE);
	expect(r, "kvm.behind-other-interface", OUTCOME_NOT_APPLICABLE);
	expect(r, "hyperv.hypercall-recommended-without-hypercall-msrs", OUTCOME_NOT_APPLICABLE);
	expect(r, "hyperv.apic-msrs-recommended-without-access", OUTCOME_NOT_APPLICABLE);
	expect(r, "hyperv.reset-msr-recommended-without-access", OUTCOME_NOT_APPLICABLE);
}

static void kvm_where_every_guest_looks(void **state)
{
	(void)state;
	expect_detail(kvm_with(0), "kvm.behind-other-interface", OUTCOME_PASS, "0x40000000");

	/* QEMU's Xen emulation moves KVM the same way. */
	static const struct cpuid_record behind_xen[] = {
		AMD_HV,
		LEAF(0x40000000, 0x40000002, SIG_XEN),
		LEAF(0x40000001, 0x0004000e, 0, 0, 0),
		LEAF(0x40000002, 1, 0x40000000, 0, 0),
		LEAF(0x40000100, 0x40000101, SIG_KVM),
		LEAF(0x40000101, KVM_CLOCKSOURCE2, 0, 0, 0),
	};
	expect_detail(SCAN(behind_xen), "kvm.behind-other-interface", OUTCOME_INFO,
		      "behind Xen at 0x40000000");

	/* Nothing at 0x40000000: Linux's scan still finds KVM, systemd's
	 * single read of 0x40000000 does not. */
	static const struct cpuid_record alone[] = {
		AMD_HV,
		LEAF(0x40000100, 0x40000101, SIG_KVM),
		LEAF(0x40000101, KVM_CLOCKSOURCE2, 0, 0, 0),
	};
	expect_detail(SCAN(alone), "kvm.behind-other-interface", OUTCOME_INFO,
		      "behind an empty 0x40000000");
}

/* A Hyper-V block with these privileges (0x40000003 EAX) and
 * recommendations (0x40000004 EAX). */
static struct hv_report *hyperv_with(uint32_t privileges, uint32_t recommendations)
{
	static struct cpuid_record records[] = {
		AMD_HV,
		LEAF(0x40000000, 0x40000005, SIG_HYPERV),
		LEAF(0x40000001, HV1, 0, 0, 0),
		LEAF(0x40000002, 0x00003839, 0x000a0000, 0, 0),
		LEAF(0x40000003, 0, 0, 0, 0),
		LEAF(0x40000004, 0, 0xffffffff, 0, 0),
	};
	records[5].regs.eax = privileges;
	records[6].regs.eax = recommendations;
	return SCAN(records);
}

/* TLFS 0x40000004 EAX bits 0, 1, 2 ("Recommend using hypercall for ..."),
 * 10 (SyntheticClusterIpi hypercall) and 11 (ExProcessorMasks, which the
 * Ex hypercalls' pages name as their availability); hypercalls need the
 * hypercall MSRs, which AccessHypercallMsrs (0x40000003 EAX bit 5)
 * grants. */
static void hypercall_recommendations_need_the_hypercall_msrs(void **state)
{
	(void)state;
	static const unsigned hypercall_bits[] = { 0, 1, 2, 10, 11 };
	const char *lint = "hyperv.hypercall-recommended-without-hypercall-msrs";

	for (size_t i = 0; i < sizeof(hypercall_bits) / sizeof(hypercall_bits[0]); i++) {
		uint32_t recommended = 1u << hypercall_bits[i];
		expect(hyperv_with(ACCESS_INTR_CTRL_REGS | ACCESS_RESET_REG, recommended), lint,
		       OUTCOME_WARN);
		assert_int_equal(judged(&test_report, lint)->severity, SEVERITY_MEDIUM);
		expect(hyperv_with(ACCESS_HYPERCALL_MSRS, recommended), lint, OUTCOME_PASS);
	}
	/* Other recommendations need no hypercall: relaxed timing (5),
	 * deprecating AutoEOI (9), nested (12). */
	expect(hyperv_with(0, (1u << 5) | (1u << 9) | (1u << 12)), lint, OUTCOME_PASS);
	expect_detail(hyperv_with(0, 0x7 | (3u << 10)), lint, OUTCOME_WARN,
		      "UseHypercallForAddressSpaceSwitch, UseHypercallForLocalFlush and 3 more "
		      "set without AccessHypercallMsrs");
}

/* TLFS 0x40000004 EAX bit 3 recommends the EOI/ICR/TPR MSRs, which
 * AccessIntrCtrlRegs (0x40000003 EAX bit 4) grants; bit 4 recommends the
 * reset MSR, which AccessResetReg (bit 7) grants. */
static void msr_recommendations_need_their_privilege(void **state)
{
	(void)state;
	const char *apic = "hyperv.apic-msrs-recommended-without-access";
	const char *reset = "hyperv.reset-msr-recommended-without-access";

	expect(hyperv_with(ACCESS_HYPERCALL_MSRS, USE_APIC_MSRS), apic, OUTCOME_WARN);
	expect(hyperv_with(ACCESS_HYPERCALL_MSRS | ACCESS_INTR_CTRL_REGS, USE_APIC_MSRS), apic,
	       OUTCOME_PASS);
	expect(hyperv_with(0, 0), apic, OUTCOME_PASS);
	/* the reset privilege does not grant the APIC MSRs */
	expect(hyperv_with(ACCESS_RESET_REG, USE_APIC_MSRS), apic, OUTCOME_WARN);

	expect_detail(hyperv_with(ACCESS_INTR_CTRL_REGS, USE_RESET_MSR), reset, OUTCOME_WARN,
		      "UseHvRegisterForReset set without AccessResetReg");
	expect(hyperv_with(ACCESS_RESET_REG, USE_RESET_MSR), reset, OUTCOME_PASS);
	expect(hyperv_with(ACCESS_RESET_REG, 0), reset, OUTCOME_PASS);
	expect(hyperv_with(ACCESS_HYPERCALL_MSRS, USE_APIC_MSRS), reset, OUTCOME_PASS);
}

/* The rules hold for KVM's own "Linux KVM Hv" too, only under "Hv#1", and
 * not when the recommendations leaf is past the max leaf. */
static void hyperv_rules_need_hv1_and_the_leaf(void **state)
{
	(void)state;
	const char *apic = "hyperv.apic-msrs-recommended-without-access";
	static const struct cpuid_record kvm_hv[] = {
		AMD_HV,
		LEAF(0x40000000, 0x40000005, SIG_KVM_HV),
		LEAF(0x40000001, HV1, 0, 0, 0),
		LEAF(0x40000002, 0x00003839, 0x000a0000, 0, 0),
		LEAF(0x40000003, ACCESS_HYPERCALL_MSRS, 0, 0, 0),
		LEAF(0x40000004, USE_APIC_MSRS, 0, 0, 0),
	};
	static const struct cpuid_record not_hv1[] = {
		AMD_HV,
		LEAF(0x40000000, 0x40000005, SIG_HYPERV),
		LEAF(0x40000001, 0x31237649, 0, 0, 0), /* "Iv#1" */
		LEAF(0x40000003, ACCESS_HYPERCALL_MSRS, 0, 0, 0),
		LEAF(0x40000004, USE_APIC_MSRS, 0, 0, 0),
	};
	static const struct cpuid_record short_max[] = {
		AMD_HV,
		LEAF(0x40000000, 0x40000003, SIG_HYPERV),
		LEAF(0x40000001, HV1, 0, 0, 0),
		LEAF(0x40000003, ACCESS_HYPERCALL_MSRS, 0, 0, 0),
		LEAF(0x40000004, USE_APIC_MSRS, 0, 0, 0), /* past the max: not read */
	};

	expect(SCAN(kvm_hv), apic, OUTCOME_WARN);
	expect(SCAN(not_hv1), apic, OUTCOME_NOT_APPLICABLE);
	expect(SCAN(not_hv1), "hyperv.hypercall-recommended-without-hypercall-msrs",
	       OUTCOME_NOT_APPLICABLE);
	expect(SCAN(short_max), apic, OUTCOME_NOT_APPLICABLE);
}

/* TLFS "Hypervisor Discovery": with the bit set, 0x40000000 and
 * 0x40000001 are always there; QEMU kvm=off removes the signature. */
static void bit_without_signature(void **state)
{
	(void)state;
	const char *lint = "hypervisor.bit-without-signature";
	static const struct cpuid_record nothing[] = { AMD_HV };
	/* Intel answers every out-of-range leaf with the highest basic one:
	 * echoes, not signatures. */
	static const struct cpuid_record echoes[] = { BASIC_LEAVES_HV };
	static const struct cpuid_record unknown[] = {
		AMD_HV,
		LEAF(0x40000000, 0x40000001, 0x41414141, 0x41414141, 0x41414141),
	};

	expect_detail(SCAN(nothing), lint, OUTCOME_WARN, "no base from 0x40000000");
	assert_int_equal(judged(&test_report, lint)->severity, SEVERITY_LOW);
	struct hv_report *r = SCAN(echoes);
	assert_true(r->skipped_echo_bases > 0);
	expect(r, lint, OUTCOME_WARN);
	expect(kvm_with(0), lint, OUTCOME_PASS);
	expect(SCAN(unknown), lint, OUTCOME_PASS); /* a signature, if unknown */
	static const struct cpuid_record clear[] = { AMD_NO_HV };
	expect(SCAN(clear), lint, OUTCOME_NOT_APPLICABLE);
	expect(kvm_with(0), "hypervisor.signature-without-bit", OUTCOME_NOT_APPLICABLE);
}

/* QEMU -cpu ...,-hypervisor clears the bit and KVM's leaves still answer;
 * guests check the bit first (TLFS, Linux's kvm_cpuid_base) and never see
 * them. TCG answers the same way (the reference's QEMU TCG table). */
static void signature_without_bit(void **state)
{
	(void)state;
	const char *lint = "hypervisor.signature-without-bit";
	static const struct cpuid_record kvm[] = {
		AMD_NO_HV,
		LEAF(0x40000000, 0x40000001, SIG_KVM),
		LEAF(0x40000001, 0x01007afb, 0, 0, 0),
	};
	static const struct cpuid_record tcg[] = {
		AMD_NO_HV,
		LEAF(0x40000000, 0x40000001, SIG_TCG),
	};
	static const struct cpuid_record silent[] = { AMD_NO_HV };

	struct hv_report *r = SCAN(kvm);
	expect_detail(r, lint, OUTCOME_WARN, "answers as KVM");
	/* The block is not scanned, so no KVM lint reads it. */
	expect(r, "kvm.stable-bit-without-kvmclock", OUTCOME_NOT_APPLICABLE);
	expect(r, "hypervisor.bit-without-signature", OUTCOME_NOT_APPLICABLE);
	expect_detail(SCAN(tcg), lint, OUTCOME_WARN, "QEMU TCG");
	expect(SCAN(silent), lint, OUTCOME_PASS);
}

/* QEMU puts the TSC frequency in the timing leaf's EAX, and provides the
 * leaf (raising the max to 0x40000010) only when that frequency is known;
 * the leaves between are KVM's undefined ones, zero. */
static void max_leaf_kvm_timing_leaf(void **state)
{
	(void)state;
	const char *lint = "hypervisor.max-leaf-promises-empty-leaf";
	static struct cpuid_record timing[] = {
		AMD_HV,
		LEAF(0x40000000, 0x40000010, SIG_KVM),
		LEAF(0x40000001, 0x01007afb, 0, 0, 0),
		LEAF(0x40000010, 2600000, 1000000, 0, 0),
	};

	expect_detail(SCAN(timing), lint, OUTCOME_PASS, "0x40000010");
	timing[4].regs = (struct cpuid_regs){ 0, 0, 0, 0 };
	expect_detail(SCAN(timing), lint, OUTCOME_WARN,
		      "KVM at 0x40000000: max leaf 0x40000010 promises 0x40000010");
	assert_int_equal(judged(&test_report, lint)->severity, SEVERITY_LOW);
	/* One register is enough to hold data. */
	timing[4].regs.ebx = 1000000;
	expect(SCAN(timing), lint, OUTCOME_PASS);

	/* A max leaf on a leaf KVM does not define, all zero. */
	static struct cpuid_record undefined[] = {
		AMD_HV,
		LEAF(0x40000000, 0x40000005, SIG_KVM),
		LEAF(0x40000001, 0x01007afb, 0, 0, 0),
	};
	expect_detail(SCAN(undefined), lint, OUTCOME_WARN, "promises 0x40000005");

	/* Max base+1, or 0 (old hosts): nothing promised past base+1. */
	expect(kvm_with(0x01007afb), lint, OUTCOME_NOT_APPLICABLE);
	static const struct cpuid_record old_host[] = {
		AMD_HV,
		LEAF(0x40000000, 0, SIG_KVM),
	};
	expect(SCAN(old_host), lint, OUTCOME_NOT_APPLICABLE);

	/* A max past the block promises the whole block, the timing leaf in
	 * it; the leaves past the block are the next block's. */
	static const struct cpuid_record clamped[] = {
		AMD_HV,
		LEAF(0x40000000, 0x4000ffff, SIG_KVM),
		LEAF(0x40000001, 0x01007afb, 0, 0, 0),
	};
	expect_detail(SCAN(clamped), lint, OUTCOME_WARN, "promises 0x40000010");
	assert_lacks(judged(&test_report, lint)->detail, "(and"); /* 0x400000ff is no max */
}

/* TLFS: 0x40000002 is the system identity (build, version); the later
 * leaves are feature words and limits whose zero means "nothing" or "not
 * exposed", and reserved leaves. */
static void max_leaf_hyperv(void **state)
{
	(void)state;
	const char *lint = "hypervisor.max-leaf-promises-empty-leaf";
	static struct cpuid_record hyperv[] = {
		AMD_HV,
		LEAF(0x40000000, 0x40000006, SIG_HYPERV),
		LEAF(0x40000001, HV1, 0, 0, 0),
		LEAF(0x40000002, 0x00001db0, 0x00060000, 0, 0),
		LEAF(0x40000003, 0x00000e7f, 0, 0, 0),
		/* 0x40000004 to 0x40000006: all zero, all legitimate */
	};

	expect_detail(SCAN(hyperv), lint, OUTCOME_PASS, "0x40000002");
	hyperv[4].regs = (struct cpuid_regs){ 0, 0, 0, 0 };
	expect_detail(SCAN(hyperv), lint, OUTCOME_WARN,
		      "Microsoft Hyper-V at 0x40000000: max leaf 0x40000006 promises "
		      "0x40000002");

	/* Without "Hv#1" the leaves mean nothing hvfeat knows: not judged. */
	hyperv[3].regs.eax = 0x31237649;
	expect(SCAN(hyperv), lint, OUTCOME_NOT_APPLICABLE);
}

/* Xen's public cpuid.h: base+2 EAX "is always guaranteed to specify one
 * hypercall page"; the HVM and PV leaves after it may be all zero. */
static void max_leaf_xen(void **state)
{
	(void)state;
	const char *lint = "hypervisor.max-leaf-promises-empty-leaf";
	static struct cpuid_record xen[] = {
		AMD_HV,
		LEAF(0x40000000, 0x40000005, SIG_XEN),
		LEAF(0x40000001, 0x0004000e, 0, 0, 0),
		LEAF(0x40000002, 1, 0x40000000, 0, 0),
	};

	expect(SCAN(xen), lint, OUTCOME_PASS);
	xen[4].regs.eax = 0;
	xen[4].regs.ebx = 0;
	expect_detail(SCAN(xen), lint, OUTCOME_WARN, "Xen at 0x40000000");
}

/* Interfaces with no definition saying which leaf must hold data are not
 * judged: VMware's timing leaf may be zero (Linux reads only its ECX
 * hypercall-mode bits), an unknown signature's leaves mean nothing known. */
static void max_leaf_not_judged_without_a_definition(void **state)
{
	(void)state;
	const char *lint = "hypervisor.max-leaf-promises-empty-leaf";
	static const struct cpuid_record others[] = {
		AMD_HV,
		LEAF(0x40000000, 0x40000010, SIG_VMWARE),
		LEAF(0x40000100, 0x40000105, 0x41414141, 0x41414141, 0x41414141),
	};
	expect(SCAN(others), lint, OUTCOME_NOT_APPLICABLE);

	/* Several blocks: each judged, every empty one counted. */
	static const struct cpuid_record two_empty[] = {
		AMD_HV,
		LEAF(0x40000000, 0x40000005, SIG_HYPERV),
		LEAF(0x40000001, HV1, 0, 0, 0),
		LEAF(0x40000100, 0x40000110, SIG_KVM),
		LEAF(0x40000101, 0x01007afb, 0, 0, 0),
	};
	expect_detail(SCAN(two_empty), lint, OUTCOME_WARN,
		      "Microsoft Hyper-V at 0x40000000: max leaf 0x40000005 promises "
		      "0x40000002, which must hold data and reads all zero (and 1 more");
}

/* Warnings pass the verdict unless --strict; a waiver keeps them listed. */
static void lint_warnings_and_the_verdict(void **state)
{
	(void)state;
	static struct waiver_list waivers;
	static char errors[256];
	struct buffer_sink sink;
	const char *label = "lint.kvm.async-pf-int-without-async-pf";
	struct hv_report *r = kvm_with(KVM_ASYNC_PF_INT);

	hv_judge(r, &(struct judge_settings){ .strict = false });
	assert_true(r->verdict.passed);
	assert_int_equal(r->verdict.counts[OUTCOME_WARN], 1);
	assert_contains(text_of(r), "  warnings: lint.kvm.async-pf-int-without-async-pf (low)\n");
	hv_judge(r, &(struct judge_settings){ .strict = true });
	assert_false(r->verdict.passed);

	buffer_sink_init(&sink, errors, sizeof(errors) - 1);
	assert_true(waivers_add(&waivers, label, strlen(label), "--waive", &sink.sink));
	hv_judge(r, &(struct judge_settings){ .waivers = &waivers, .strict = true });
	assert_true(r->verdict.passed);
	assert_int_equal(r->verdict.waived, 1);
}

struct dump_case {
	const char *dump;
	const char *lint;
	enum outcome outcome;
};

/* The committed dumps, worked out from their raw registers:
 * - kvm-real-*: 0x40000001 (or 0x40000101) EAX 0x01007afb sets bits 0, 3,
 *   4, 14 and 24, not 10: every KVM pair holds. hv-all: 0x40000003 EAX
 *   0xa7e (bits 1-6, 9, 11), 0x40000004 EAX 0x28 (bits 3, 5): the APIC
 *   MSRs recommended and granted (bit 4), no hypercall or reset
 *   recommendation; 0x40000002 EAX 0x3839 holds data. hv-passthrough:
 *   0x2aff (bits 0-7, 9, 11, 13) grants all three; 0x40000004 EAX 0xe24
 *   (bits 2, 5, 9-11) recommends hypercalls; its max leaf 0x40000082 (EAX
 *   2) and the reserved, all-zero 0x4000000b-0x4000007f between are no
 *   defect; 0x40000002 holds data. KVM sits at 0x40000100 in both.
 * - hyperv-snp.txt: 0x40000003 EAX 0xae7f grants bit 5 for the hypercall
 *   recommendations of 0x40000004 EAX 0x60e24 (bits 2, 10, 11); it records
 *   only the leaves it was taken for, and 0x40000002, absent, replays as
 *   zero on its AMD processor under a max leaf of 0x4000000c: the lint
 *   warns, as it must for what the dump says.
 * - xen-viridian.txt: Hyper-V 0x40000003 EAX 0xe7f (bits 0-6, 9-11),
 *   0x40000004 EAX 0xe2c (bits 2, 3, 5, 9-11): all granted; max leaf
 *   0x40000006 all zero is a legitimate hardware-features leaf, 0x40000002
 *   and Xen's 0x40000102 (EAX 1) hold data.
 * - kvm-guest-intel.txt: EAX 0x01007efb adds bit 10 to the above, with
 *   bit 4. */
static const struct dump_case dump_cases[] = {
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt", "kvm.stable-bit-without-kvmclock", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt", "kvm.async-pf-int-without-async-pf", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt", "kvm.async-pf-vmexit-without-async-pf", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt", "kvm.behind-other-interface", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt", "hyperv.hypercall-recommended-without-hypercall-msrs", OUTCOME_NOT_APPLICABLE },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt", "hyperv.apic-msrs-recommended-without-access", OUTCOME_NOT_APPLICABLE },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt", "hyperv.reset-msr-recommended-without-access", OUTCOME_NOT_APPLICABLE },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt", "hypervisor.bit-without-signature", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt", "hypervisor.signature-without-bit", OUTCOME_NOT_APPLICABLE },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt", "hypervisor.max-leaf-promises-empty-leaf", OUTCOME_NOT_APPLICABLE },

	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-all.txt", "kvm.stable-bit-without-kvmclock", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-all.txt", "kvm.async-pf-int-without-async-pf", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-all.txt", "kvm.async-pf-vmexit-without-async-pf", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-all.txt", "kvm.behind-other-interface", OUTCOME_INFO },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-all.txt", "hyperv.hypercall-recommended-without-hypercall-msrs", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-all.txt", "hyperv.apic-msrs-recommended-without-access", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-all.txt", "hyperv.reset-msr-recommended-without-access", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-all.txt", "hypervisor.bit-without-signature", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-all.txt", "hypervisor.signature-without-bit", OUTCOME_NOT_APPLICABLE },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-all.txt", "hypervisor.max-leaf-promises-empty-leaf", OUTCOME_PASS },

	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt", "kvm.stable-bit-without-kvmclock", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt", "kvm.async-pf-int-without-async-pf", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt", "kvm.async-pf-vmexit-without-async-pf", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt", "kvm.behind-other-interface", OUTCOME_INFO },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt", "hyperv.hypercall-recommended-without-hypercall-msrs", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt", "hyperv.apic-msrs-recommended-without-access", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt", "hyperv.reset-msr-recommended-without-access", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt", "hypervisor.bit-without-signature", OUTCOME_PASS },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt", "hypervisor.signature-without-bit", OUTCOME_NOT_APPLICABLE },
	{ "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt", "hypervisor.max-leaf-promises-empty-leaf", OUTCOME_PASS },

	{ "hyperv-kvm.txt", "kvm.behind-other-interface", OUTCOME_INFO },
	{ "hyperv-kvm.txt", "hyperv.apic-msrs-recommended-without-access", OUTCOME_PASS },
	{ "hyperv-kvm.txt", "hypervisor.max-leaf-promises-empty-leaf", OUTCOME_PASS },
	{ "hyperv-snp.txt", "hyperv.hypercall-recommended-without-hypercall-msrs", OUTCOME_PASS },
	{ "hyperv-snp.txt", "hypervisor.max-leaf-promises-empty-leaf", OUTCOME_WARN },
	{ "hyperv-snp.txt", "kvm.behind-other-interface", OUTCOME_NOT_APPLICABLE },
	{ "xen-viridian.txt", "hyperv.hypercall-recommended-without-hypercall-msrs", OUTCOME_PASS },
	{ "xen-viridian.txt", "hyperv.apic-msrs-recommended-without-access", OUTCOME_PASS },
	{ "xen-viridian.txt", "hypervisor.max-leaf-promises-empty-leaf", OUTCOME_PASS },
	{ "xen-hvm.txt", "hypervisor.max-leaf-promises-empty-leaf", OUTCOME_PASS },
	{ "kvm-guest-intel.txt", "kvm.async-pf-vmexit-without-async-pf", OUTCOME_PASS },
	{ "kvm-guest-intel.txt", "kvm.stable-bit-without-kvmclock", OUTCOME_PASS },
	{ "vmware.txt", "hypervisor.max-leaf-promises-empty-leaf", OUTCOME_NOT_APPLICABLE },
	{ "bhyve.txt", "hypervisor.bit-without-signature", OUTCOME_PASS },
};

static void committed_dumps(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dump_cases) / sizeof(dump_cases[0]); i++) {
		struct hv_report *r = scan_dump_file(dump_cases[i].dump);
		const struct result *result = judged(r, dump_cases[i].lint);
		if (result->outcome != dump_cases[i].outcome)
			fail_msg("%s: lint.%s: %s (%s), expected %s", dump_cases[i].dump,
				 dump_cases[i].lint, outcome_name(result->outcome), result->detail,
				 outcome_name(dump_cases[i].outcome));
	}
	/* The real recordings warn about nothing. */
	static const char *const real[] = {
		"kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt",
		"kvm-real-6.1.0-56-amd64-qemu-7.2-hv-all.txt",
		"kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt",
	};
	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		struct hv_report *r = scan_dump_file(real[i]);
		hv_judge(r, &(struct judge_settings){ .strict = true });
		assert_int_equal(r->verdict.counts[OUTCOME_WARN], 0);
		assert_true(r->verdict.passed); /* even under --strict */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_lint_once_in_table_order),
		cmocka_unit_test(stable_bit_needs_a_kvmclock),
		cmocka_unit_test(async_pf_deliveries_need_async_pf),
		cmocka_unit_test(kvm_lints_read_old_hosts_too),
		cmocka_unit_test(kvm_lints_follow_kvm_behind_hyperv),
		cmocka_unit_test(no_kvm_no_kvm_lints),
		cmocka_unit_test(kvm_where_every_guest_looks),
		cmocka_unit_test(hypercall_recommendations_need_the_hypercall_msrs),
		cmocka_unit_test(msr_recommendations_need_their_privilege),
		cmocka_unit_test(hyperv_rules_need_hv1_and_the_leaf),
		cmocka_unit_test(bit_without_signature),
		cmocka_unit_test(signature_without_bit),
		cmocka_unit_test(max_leaf_kvm_timing_leaf),
		cmocka_unit_test(max_leaf_hyperv),
		cmocka_unit_test(max_leaf_xen),
		cmocka_unit_test(max_leaf_not_judged_without_a_definition),
		cmocka_unit_test(lint_warnings_and_the_verdict),
		cmocka_unit_test(committed_dumps),
	};
	return cmocka_run_group_tests_name("consistency lints", tests, NULL, NULL);
}
