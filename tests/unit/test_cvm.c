/* Confidential computing: the decision and its evidence on recordings of
 * confidential guests built from the specs (tests/dumps/spec-*.txt, and
 * the committed hyperv-snp.txt), with SEV_STATUS and TDCALL answered by a
 * machine simulated here, and the firmware's tables as bytes built by hand
 * from their upstream layouts. Every bit number and register layout below
 * is typed from the upstream text named beside it, never taken from
 * core/cvm.c. */
#include "recordings.h"

#include "checks.h"
#include "cvm.h"
#include "facts.h"
#include "judge.h"
#include "labels.h"
#include "probe.h"

/* Linux arch/x86/include/asm/msr-index.h: MSR_AMD64_SEV */
#define SEV_STATUS_MSR 0xc0010131u
/* MSR_AMD64_SEV_ENABLED_BIT 0, _SEV_ES_ENABLED_BIT 1, _SEV_SNP_ENABLED_BIT 2 */
#define SEV_ENABLED (1ull << 0)
#define SEV_ES_ENABLED (1ull << 1)
#define SEV_SNP_ENABLED (1ull << 2)
/* Linux arch/x86/include/asm/shared/tdx.h: TDX_ATTR_SEPT_VE_DISABLE_BIT 28 */
#define TDX_ATTR_SEPT_VE_DISABLE (1ull << 28)

#define SNP_DUMP "spec-sev-snp-qemu-kvm.txt"
#define SEV_DUMP "spec-sev-qemu-7.2-kvm.txt"
#define TDX_DUMP "spec-tdx-qemu-kvm.txt"
#define AZURE_TDX_DUMP "spec-hyperv-tdx-azure.txt"
#define KVM_HOST_DUMP "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt"

/* --- the machine: SEV_STATUS and TDCALL -------------------------------- */

static struct {
	bool msr_present; /* else #GP */
	uint64_t sev_status;
	unsigned msr_reads;
	bool td;          /* else TDCALL raises #UD */
	uint64_t td_status, td_out[6];
	unsigned tdcalls;
} sim;

static bool sim_read_msr(void *context, uint32_t msr, uint64_t *value, uint8_t *vector)
{
	(void)context;
	assert_int_equal(msr, SEV_STATUS_MSR);
	sim.msr_reads++;
	if (!sim.msr_present) {
		*vector = VECTOR_GP;
		return false;
	}
	*value = sim.sev_status;
	return true;
}

static bool sim_tdcall(void *context, uint64_t leaf, const uint64_t in[3], uint64_t *status,
		       uint64_t out[6], uint8_t *vector)
{
	(void)context;
	(void)in;
	assert_int_equal(leaf, 1); /* TDG.VP.INFO: edk2 Tdx.h TDCALL_TDINFO */
	sim.tdcalls++;
	if (!sim.td) {
		*vector = VECTOR_UD;
		return false;
	}
	*status = sim.td_status;
	memcpy(out, sim.td_out, sizeof(sim.td_out));
	return true;
}

static void sim_reset(void)
{
	memset(&sim, 0, sizeof(sim));
}

/* A TD as the TDX module ABI's TDG.VP.INFO describes it: RCX GPAW, RDX
 * attributes, R8 NUM_VCPUS (31:0) and MAX_VCPUS (63:32), R9 VCPU_INDEX. */
static void sim_td(uint64_t gpaw, uint64_t attributes, uint32_t num, uint32_t max)
{
	sim.td = true;
	sim.td_out[0] = gpaw;
	sim.td_out[1] = attributes;
	sim.td_out[2] = (uint64_t)max << 32 | num;
}

static struct hv_report *examine(struct hv_report *report, bool on_machine,
				 const struct cvm_firmware *firmware)
{
	struct probe_machine machine = { .read_msr = sim_read_msr, .tdcall = sim_tdcall };

	cvm_examine(report, on_machine ? &machine : NULL, "replayed by a test", firmware);
	hv_judge(report, &(struct judge_settings){ 0 });
	return report;
}

static struct hv_report *examine_dump(const char *name, bool on_machine,
				      const struct cvm_firmware *firmware)
{
	return examine(scan_dump_file(name), on_machine, firmware);
}

static const struct result *result(const struct hv_report *report, const char *label)
{
	for (size_t i = 0; i < report->results.count; i++)
		if (!strcmp(report->results.items[i].label, label))
			return &report->results.items[i];
	fail_msg("no result %s", label);
	return NULL;
}

static void assert_result(const struct hv_report *report, const char *label,
			  enum outcome outcome, const char *detail)
{
	const struct result *r = result(report, label);
	if (r->outcome != outcome || (detail && !strstr(r->detail, detail)))
		fail_msg("%s: %s: %s; expected %s with \"%s\"", label, outcome_name(r->outcome),
			 r->detail, outcome_name(outcome), detail ? detail : "");
}

/* A fact by its key: NULL and the value, or why there is none. */
static const char *fact(const struct hv_report *report, const char *key,
			struct fact_value *value)
{
	struct fact_ref ref;

	if (!fact_resolve(key, &ref))
		fail_msg("%s is no key", key);
	return fact_value(report, &ref, value);
}

static void assert_type(const struct hv_report *report, const char *type)
{
	struct fact_value value;
	const char *why = fact(report, "cvm.type", &value);
	if (why)
		fail_msg("cvm.type: %s", why);
	assert_string_equal(value.text, type);
}

static uint64_t number(const struct hv_report *report, const char *key)
{
	struct fact_value value;
	const char *why = fact(report, key, &value);
	if (why)
		fail_msg("%s: %s", key, why);
	return value.number;
}

/* --- the type, from each source ---------------------------------------- */

/* QEMU fills 0x8000001F for an SEV guest (target/i386/cpu.c: EAX 0x2, |
 * 0x8 for SEV-ES, | 0x10 for SNP; EBX the C-bit in 5:0, the reduction in
 * 11:6): the recording's EBX 0x73 is C-bit 51, one bit lost. SEV_STATUS
 * decides which of the three is active. */
static void test_sev_status_decides_the_sev_type(void **state)
{
	static const struct {
		uint64_t status;
		const char *type;
	} cases[] = {
		{ SEV_ENABLED, "sev" },
		{ SEV_ENABLED | SEV_ES_ENABLED, "sev-es" },
		{ SEV_ENABLED | SEV_ES_ENABLED | SEV_SNP_ENABLED, "sev-snp" },
		{ 0, "none" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sim_reset();
		sim.msr_present = true;
		sim.sev_status = cases[i].status;
		struct hv_report *r = examine_dump(SNP_DUMP, true, NULL);
		assert_type(r, cases[i].type);
		assert_int_equal(sim.msr_reads, 1);
		assert_int_equal(sim.tdcalls, 0);
		assert_int_equal(number(r, "cvm.sev.status"), cases[i].status);
		assert_int_equal(number(r, "cvm.sev.c_bit"), 51);
		assert_int_equal(number(r, "cvm.sev.phys_addr_reduction"), 1);
		assert_int_equal(number(r, "cvm.snp.vmpls"), 0);
		assert_result(r, "cvm.sources-agree", OUTCOME_PASS, NULL);
		if (cases[i].status)
			assert_non_null(cvm_private_memory(r));
		else
			assert_null(cvm_private_memory(r));
	}
	const char *text = text_of(examine_dump(SNP_DUMP, true, NULL));
	assert_contains(text, "\nconfidential computing: not a confidential VM\n"
			      "  decided by: no source says it is confidential\n"
			      "  CPUID 0x8000001F: EAX 0x0000001a: SEV SEV-ES SEV-SNP; C-bit 51\n"
			      "  SEV_STATUS (MSR 0xc0010131): 0x0: SEV not active\n");
}

/* QEMU 7.2's plain SEV guest: EAX 0x2, EBX C-bit 47 and one bit (0x6f). */
static void test_plain_sev_on_qemu_7_2(void **state)
{
	(void)state;
	sim_reset();
	sim.msr_present = true;
	sim.sev_status = SEV_ENABLED;
	struct hv_report *r = examine_dump(SEV_DUMP, true, NULL);
	assert_type(r, "sev");
	assert_int_equal(number(r, "cvm.sev.c_bit"), 47);
	const char *text = text_of(r);
	assert_contains(text, "\nconfidential computing: sev\n"
			      "  decided by: SEV_STATUS (MSR_AMD64_SEV)\n");
	assert_contains(text, "  SEV_STATUS (MSR 0xc0010131): 0x1: SEV active\n");
	assert_contains(text, "    yes  1 SEV ");
	assert_contains(text, "    no   3 SEV-ES ");
}

/* Replayed, without the MSR: 0x8000001F advertises SEV, and only
 * SEV_STATUS says whether it is active (Linux sev_enable reads it), so
 * nothing is decided, the probes are kept off the pages, and cvm.type says
 * why it has no value. */
static void test_a_replay_of_an_sev_guest_is_undecided(void **state)
{
	struct fact_value value;

	(void)state;
	sim_reset();
	struct hv_report *r = examine_dump(SNP_DUMP, false, NULL);
	assert_int_equal(sim.msr_reads, 0);
	assert_int_equal(r->cvm.type, CVM_TYPE_UNDECIDED);
	assert_non_null(cvm_private_memory(r));
	assert_non_null(fact(r, "cvm.type", &value));
	assert_string_equal(fact(r, "cvm.sev.status", &value), "replayed by a test");
	assert_contains(text_of(r), "  SEV_STATUS (MSR 0xc0010131): not read: replayed by a test\n");
	assert_result(r, "cvm.snp-cpuid-table", OUTCOME_NOT_APPLICABLE, NULL);
}

/* OVMF and Linux read SEV_STATUS unguarded once 0x8000001F advertises
 * SEV: a #GP there is a machine they cannot boot on. */
static void test_sev_advertised_and_the_msr_faults(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *r = examine_dump(SNP_DUMP, true, NULL);
	assert_type(r, "none");
	assert_result(r, "cvm.sources-agree", OUTCOME_FAIL, "raised #GP");
	assert_int_equal(result(r, "cvm.sources-agree")->severity, SEVERITY_HIGH);
	assert_contains(text_of(r), "  SEV_STATUS (MSR 0xc0010131): #GP caught: no such MSR here\n");
}

/* The real KVM's -cpu host: no 0x8000001F, the MSR read anyway (guarded)
 * on an AMD processor; #GP or 0 is no confidential VM, and nothing to
 * compare. An active SEV_STATUS there is a disagreement. */
static void test_no_sev_leaf(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *r = examine_dump(KVM_HOST_DUMP, true, NULL);
	assert_type(r, "none");
	assert_int_equal(sim.msr_reads, 1);
	assert_result(r, "cvm.sources-agree", OUTCOME_NOT_APPLICABLE, NULL);
	assert_result(r, "cvm.snp-cpuid-table", OUTCOME_NOT_APPLICABLE, NULL);
	const char *text = text_of(r);
	assert_contains(text, "\nconfidential computing: not a confidential VM\n");
	assert_contains(text, "  CPUID 0x8000001F: not provided: no extended leaves");
	assert_lacks(text, "memory encryption: leaf");

	sim.msr_present = true;
	r = examine_dump(KVM_HOST_DUMP, true, NULL);
	assert_type(r, "none");
	assert_result(r, "cvm.sources-agree", OUTCOME_NOT_APPLICABLE, NULL);

	sim.sev_status = SEV_ENABLED | SEV_ES_ENABLED | SEV_SNP_ENABLED;
	r = examine_dump(KVM_HOST_DUMP, true, NULL);
	assert_type(r, "sev-snp");
	assert_result(r, "cvm.sources-agree", OUTCOME_WARN, "does not advertise SEV");
}

/* Intel's MSR space has no SEV_STATUS: not read at all. */
static void test_no_sev_status_read_on_intel(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *r = examine_dump("kvm-guest-intel.txt", true, NULL);
	assert_int_equal(sim.msr_reads, 0);
	assert_int_equal(r->cvm.sev_status.state, CVM_NOT_READ);
	assert_type(r, "none");
}

/* A TD: leaf 0x21 "IntelTDX    " (EBX "Inte", EDX "lTDX", ECX "    ":
 * Linux tdx_early_init, OVMF IntelTdx.nasm.inc), then TDG.VP.INFO. */
static void test_tdx_leaf_then_tdcall(void **state)
{
	(void)state;
	sim_reset();
	sim_td(52, TDX_ATTR_SEPT_VE_DISABLE, 2, 8);
	struct hv_report *r = examine_dump(TDX_DUMP, true, NULL);
	assert_type(r, "tdx");
	assert_int_equal(sim.tdcalls, 1);
	assert_int_equal(sim.msr_reads, 0);
	assert_int_equal(number(r, "cvm.tdx.gpaw"), 52);
	assert_int_equal(number(r, "cvm.tdx.attributes"), TDX_ATTR_SEPT_VE_DISABLE);
	assert_int_equal(number(r, "cvm.tdx.num_vcpus"), 2);
	assert_int_equal(number(r, "cvm.tdx.max_vcpus"), 8);
	assert_non_null(cvm_private_memory(r));
	assert_result(r, "cvm.sources-agree", OUTCOME_PASS, NULL);
	const char *text = text_of(r);
	assert_contains(text, "  TDG.VP.INFO: GPAW 52, attributes 0x10000000, 2 of at most 8 vCPUs\n");
	assert_contains(text, "  TD attributes (TDG.VP.INFO RDX) = 0x0000000010000000\n");
	assert_contains(text, "    yes 28 TDX_ATTR_SEPT_VE_DISABLE ");

	/* GPAW is RCX 5:0 */
	sim_td(0xffffffffffffffc0ull | 48, 0, 1, 1);
	assert_int_equal(number(examine_dump(TDX_DUMP, true, NULL), "cvm.tdx.gpaw"), 48);
}

/* The leaf said TD: TDCALL must then work (Linux needs it next). */
static void test_tdcall_that_fails_in_a_td(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *r = examine_dump(TDX_DUMP, true, NULL);
	assert_type(r, "tdx");
	assert_result(r, "cvm.sources-agree", OUTCOME_FAIL, "TDCALL raised #UD");
	sim_td(52, 0, 1, 1);
	sim.td_status = 0xc000010000000000ull; /* TDX_OPERAND_INVALID, edk2 Tdx.h */
	r = examine_dump(TDX_DUMP, true, NULL);
	assert_result(r, "cvm.sources-agree", OUTCOME_FAIL,
		      "TDCALL returned status 0xc000010000000000");
	struct fact_value value;
	assert_string_equal(fact(r, "cvm.tdx.gpaw", &value), "TDG.VP.INFO failed");
}

/* TDCALL raises #UD outside a TD: never called unless CPUID(0).EAX reaches
 * 0x21 and the leaf holds the signature; systemd's detect_tdx() compares
 * the extended maximum instead, which a non-TD passes. */
static void test_no_tdcall_without_the_tdx_leaf(void **state)
{
	static const struct cpuid_record below_the_maximum[] = {
		/* max basic 0x1f, extended 0x80000008 (>= 0x21), a stale
		 * "IntelTDX    " at 0x21 that CPUID(0) does not reach */
		LEAF(0, 0x1f, VENDOR_INTEL),
		LEAF(1, 0x000806f4, 0, HYPERVISOR_BIT, 0),
		LEAF(0x21, 0, 0x65746e49, 0x20202020, 0x5844546c),
		LEAF(0x80000000, 0x80000008, 0, 0, 0),
	};
	static const struct cpuid_record other_signature[] = {
		LEAF(0, 0x21, VENDOR_INTEL),
		LEAF(1, 0x000806f4, 0, HYPERVISOR_BIT, 0),
		LEAF(0x21, 0, 0x65746e49, 0x5844546c, 0x20202020), /* ECX, EDX swapped */
	};

	(void)state;
	sim_reset();
	struct hv_report *r = examine(SCAN(below_the_maximum), true, NULL);
	assert_null(hv_report_leaf(r, 0x21, 0));
	assert_type(r, "none");
	r = examine(SCAN(other_signature), true, NULL);
	assert_non_null(hv_report_leaf(r, 0x21, 0));
	assert_type(r, "none");
	r = examine_dump("kvm-guest-intel.txt", true, NULL); /* 0x21 all zero */
	assert_type(r, "none");
	assert_int_equal(sim.tdcalls, 0);
	assert_contains(text_of(r), "  TDG.VP.INFO: not called: not a TD: no TDX leaf\n");
}

/* Hyper-V's isolation (Linux hyperv-tlfs.h, systemd detect_hyperv_cvm):
 * 0x40000003 EBX bit 22 without bit 12 (root), 0x4000000C EBX 3:0 the
 * type (1 VBS, 2 SNP, 3 TDX), bit 5 the boundary and 11:6 its bit; EAX
 * bit 0 a paravisor. Azure's TDX guests report EBX 0xbe3 (klauspost/
 * cpuid#138; Linux dmesg "Isolation Config: Group A 0x1, Group B 0xbe3"
 * in confidential-containers/cloud-api-adaptor#1703). */
static void test_hyperv_isolation(void **state)
{
	(void)state;
	sim_reset();
	struct hv_report *r = examine_dump("hyperv-snp.txt", true, NULL);
	assert_type(r, "hyperv-snp");
	assert_int_equal(sim.msr_reads, 1); /* AMD: read, #GP */
	assert_int_equal(number(r, "cvm.hyperv.isolation_type"), 2);
	assert_int_equal(number(r, "cvm.hyperv.paravisor"), 1);
	assert_non_null(cvm_private_memory(r));
	assert_contains(text_of(r), "  Hyper-V isolation: isolation type 2 (SNP), a paravisor, "
				    "shared GPA boundary\n      at bit 47\n");

	r = examine_dump(AZURE_TDX_DUMP, true, NULL);
	assert_type(r, "hyperv-tdx");
	assert_int_equal(number(r, "cvm.hyperv.isolation_type"), 3);
	assert_int_equal(sim.tdcalls, 0); /* Azure hides 0x21 */

	/* The same guest whose SEV_STATUS says SNP: the hardware decides, and
	 * a leaf that hides SEV from guests that check it first is a warning. */
	sim.msr_present = true;
	sim.sev_status = SEV_ENABLED | SEV_ES_ENABLED | SEV_SNP_ENABLED;
	r = examine_dump("hyperv-snp.txt", true, NULL);
	assert_type(r, "sev-snp");
	assert_result(r, "cvm.sources-agree", OUTCOME_WARN, "does not advertise SEV");
}

static void test_hyperv_vbs_and_root(void **state)
{
	/* 0x40000003 EBX: bit 22 set; with bit 12 the root partition */
	static struct cpuid_record records[] = {
		BASIC_LEAVES_HV,
		LEAF(0x40000000, 0x4000000c, SIG_HYPERV),
		LEAF(0x40000001, 0x31237648, 0, 0, 0),
		LEAF(0x40000003, 0, 1u << 22, 0, 0),
		LEAF(0x4000000c, 0, 1, 0, 0), /* isolation type 1: VBS */
	};

	(void)state;
	sim_reset();
	struct hv_report *r = examine(SCAN(records), true, NULL);
	assert_type(r, "hyperv-vbs");
	assert_null(cvm_private_memory(r)); /* VBS encrypts nothing from the host */
	assert_result(r, "cvm.sources-agree", OUTCOME_PASS, NULL);
	records[4].regs.ebx |= 1u << 12;
	r = examine(SCAN(records), true, NULL);
	assert_type(r, "none");
	assert_contains(text_of(r), "HV_ISOLATION set in the root partition");
}

/* --- the firmware's tables --------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* edk2 Protocol/CcMeasurement.h, EFI_CC_BOOT_SERVICE_CAPABILITY (not
 * packed): Size, StructureVersion {1, 0}, ProtocolVersion {1, 0},
 * HashAlgorithmBitmap at 8 (EFI_CC_BOOT_HASH_ALG_SHA384 4),
 * SupportedEventLogs at 12 (EFI_CC_EVENT_LOG_FORMAT_TCG_2 2), CcType at 16
 * (EFI_CC_TYPE_SEV 1, EFI_CC_TYPE_TDX 2), SubType. */
static void cc_protocol(struct cvm_firmware *firmware, uint8_t type)
{
	uint8_t *c = firmware->cc_capability;

	firmware->cc_protocol_found = true;
	memset(c, 0, 20);
	c[0] = 20;
	c[1] = c[3] = 1;
	put32(c + 8, 4);
	put32(c + 12, 2);
	c[16] = type;
}

/* edk2 OvmfPkg Guid/ConfidentialComputingSevSnpBlob.h (Linux struct
 * cc_blob_sev_info): "AMDE", version 1, secrets page, CPUID page address
 * at 24 and size at 32; and the page as Linux struct snp_cpuid_table lays
 * it out: count, 12 reserved bytes, entries of EAX_IN, ECX_IN, XCR0_IN,
 * XSS_IN, EAX, EBX, ECX, EDX and 8 reserved bytes. */
static void snp_blob(struct cvm_firmware *firmware, uint32_t count,
		     const struct cpuid_record *entries, size_t entry_count)
{
	uint8_t *b = firmware->snp_blob;

	firmware->snp_blob_found = true;
	memset(b, 0, 40);
	memcpy(b, "AMDE", 4);
	b[4] = 1;
	put64(b + 8, 0x80d000);
	put32(b + 16, 4096);
	put64(b + 24, 0x80e000);
	put32(b + 32, 4096);
	memset(firmware->snp_cpuid_page, 0, sizeof(firmware->snp_cpuid_page));
	put32(firmware->snp_cpuid_page, count);
	for (uint32_t i = 0; i < count && i < entry_count; i++) {
		uint8_t *e = firmware->snp_cpuid_page + 16 + 48 * i;
		put32(e, entries[i].leaf);
		put32(e + 4, entries[i].subleaf);
		put32(e + 24, entries[i].regs.eax);
		put32(e + 28, entries[i].regs.ebx);
		put32(e + 32, entries[i].regs.ecx);
		put32(e + 36, entries[i].regs.edx);
	}
	firmware->snp_cpuid_length = 4096;
}

/* The recording's own hypervisor leaves, as QEMU would put them in the
 * table (sev_snp_cpuid_info_fill: what KVM_GET_CPUID2 holds). */
static const struct cpuid_record snp_table[] = {
	LEAF(0, 0x10, 0x68747541, 0x444d4163, 0x69746e65),
	LEAF(0x40000000, 0x40000001, SIG_KVM),
	LEAF(0x40000001, 0x01007afb, 0, 0, 0),
	LEAF(0x8000001f, 0x1a, 0x73, 0, 0),
};

static struct hv_report *snp_guest(const struct cvm_firmware *firmware)
{
	sim_reset();
	sim.msr_present = true;
	sim.sev_status = SEV_ENABLED | SEV_ES_ENABLED | SEV_SNP_ENABLED;
	return examine_dump(SNP_DUMP, true, firmware);
}

static void test_the_snp_cpuid_table(void **state)
{
	static struct cvm_firmware firmware;
	struct cpuid_record changed[4];

	(void)state;
	memset(&firmware, 0, sizeof(firmware));
	snp_blob(&firmware, 4, snp_table, 4);
	struct hv_report *r = snp_guest(&firmware);
	assert_result(r, "cvm.snp-cpuid-table", OUTCOME_PASS,
		      "2 hypervisor leaves read, each as the 4-entry table has it");
	assert_contains(text_of(r), "  SNP CPUID table: 4 entries at 0x80e000; 2 of 2 hypervisor "
				    "leaves agree\n");

	memcpy(changed, snp_table, sizeof(changed));
	changed[2].regs.eax = 0x01007afa; /* the host offers one bit less */
	snp_blob(&firmware, 4, changed, 4);
	assert_result(snp_guest(&firmware), "cvm.snp-cpuid-table", OUTCOME_FAIL,
		      "1 of 2 hypervisor leaves differ from the table; first 0x40000001.0: read "
		      "EAX 0x01007afb EBX 0x00000000, table EAX 0x01007afa EBX 0x00000000");
	/* A leaf the table lacks reads as zero (Linux snp_cpuid). */
	snp_blob(&firmware, 2, snp_table, 4);
	assert_result(snp_guest(&firmware), "cvm.snp-cpuid-table", OUTCOME_FAIL,
		      "first 0x40000001.0");
}

static void test_unusable_snp_tables(void **state)
{
	static struct cvm_firmware firmware;

	(void)state;
	memset(&firmware, 0, sizeof(firmware));
	assert_result(snp_guest(&firmware), "cvm.snp-cpuid-table", OUTCOME_FAIL,
		      "published no CONFIDENTIAL_COMPUTING_SNP_BLOB_GUID table");
	assert_result(snp_guest(NULL), "cvm.snp-cpuid-table", OUTCOME_SKIP, "not looked for");

	snp_blob(&firmware, 4, snp_table, 4);
	firmware.snp_blob[0] = 'X';
	assert_result(snp_guest(&firmware), "cvm.snp-cpuid-table", OUTCOME_FAIL,
		      "the blob's header is not \"AMDE\"");

	snp_blob(&firmware, 65, snp_table, 4); /* SNP_CPUID_COUNT_MAX is 64 */
	assert_result(snp_guest(&firmware), "cvm.snp-cpuid-table", OUTCOME_FAIL,
		      "past the 64 entries");

	snp_blob(&firmware, 4, snp_table, 4);
	firmware.snp_cpuid_length = 16 + 48 * 3; /* the fourth entry cut */
	assert_result(snp_guest(&firmware), "cvm.snp-cpuid-table", OUTCOME_FAIL,
		      "run past the bytes read");

	firmware.snp_cpuid_length = 0;
	firmware.snp_cpuid_unread = "no descriptor of the memory map holds it";
	assert_result(snp_guest(&firmware), "cvm.snp-cpuid-table", OUTCOME_SKIP,
		      "no descriptor of the memory map holds it");
}

static void test_the_cc_measurement_protocol(void **state)
{
	static struct cvm_firmware firmware;
	struct fact_value value;

	(void)state;
	memset(&firmware, 0, sizeof(firmware));
	sim_reset();
	sim_td(52, 0, 1, 1);
	cc_protocol(&firmware, 2);
	struct hv_report *r = examine_dump(TDX_DUMP, true, &firmware);
	assert_null(fact(r, "cvm.uefi.cc_type", &value));
	assert_string_equal(value.text, "tdx");
	assert_result(r, "cvm.sources-agree", OUTCOME_PASS, NULL);
	assert_contains(text_of(r), "  EFI_CC_MEASUREMENT_PROTOCOL: present: CC type 2 (tdx), "
				    "subtype 0, protocol\n      1.0\n");

	/* The protocol says SEV in a TD; then it says TDX without a TD. */
	cc_protocol(&firmware, 1);
	assert_result(examine_dump(TDX_DUMP, true, &firmware), "cvm.sources-agree", OUTCOME_WARN,
		      "CC type sev, the CPU says tdx");
	cc_protocol(&firmware, 2);
	r = examine_dump(KVM_HOST_DUMP, true, &firmware);
	assert_result(r, "cvm.sources-agree", OUTCOME_WARN, "CC type tdx, the CPU says none");

	/* A Size too small for the type, and GetCapability failing */
	cc_protocol(&firmware, 2);
	firmware.cc_capability[0] = 16;
	r = examine_dump(TDX_DUMP, true, &firmware);
	assert_string_equal(fact(r, "cvm.uefi.cc_type", &value),
			    "the capability is too short to hold the CC type");
	cc_protocol(&firmware, 2);
	firmware.cc_capability_status = 0x8000000000000007ull; /* EFI_DEVICE_ERROR */
	assert_contains(text_of(examine_dump(TDX_DUMP, true, &firmware)),
			"present; GetCapability failed (status\n      0x8000000000000007)");

	memset(&firmware, 0, sizeof(firmware));
	r = examine_dump(KVM_HOST_DUMP, true, &firmware);
	assert_string_equal(fact(r, "cvm.uefi.cc_type", &value), "no EFI_CC_MEASUREMENT_PROTOCOL");
	assert_contains(text_of(r), "  EFI_CC_MEASUREMENT_PROTOCOL: absent\n"
				    "  SNP CPUID table: not published");
}

/* --- every bit against its upstream identifier ------------------------- */

struct pinned_bit {
	unsigned bit;
	const char *id;
};

/* AMD64 APM vol. 3, CPUID Fn8000_001F EAX, as Debian's cpuid tool
 * decodes it (bits 0-19, 24, 25, 28, 29) and Linux's cpufeatures.h names
 * the others (21 RMPREAD, 23 SEGMENTED_RMP, 26 SECURE_AVIC, 27
 * ALLOWED_SEV_FEATURES, 30 HV_INUSE_WR_ALLOWED, 31 IBPB_ON_ENTRY), in the
 * APM's spelling; 20 and 22 have no second source. */
static const struct pinned_bit sev_leaf_eax[] = {
	{ 0, "SME" },                  { 1, "SEV" },                { 2, "PageFlushMsr" },
	{ 3, "SEV-ES" },               { 4, "SEV-SNP" },            { 5, "VMPL" },
	{ 6, "RMPQUERY" },             { 7, "VmplSSS" },            { 8, "SecureTsc" },
	{ 9, "TscAuxVirtualization" }, { 10, "HwEnfCacheCoh" },     { 11, "64BitHost" },
	{ 12, "RestrictedInjection" }, { 13, "AlternateInjection" }, { 14, "DebugVirt" },
	{ 15, "PreventHostIbs" },      { 16, "VTE" },               { 17, "VmgexitParameter" },
	{ 18, "VirtualTomMsr" },       { 19, "IbsVirtGuestCtl" },   { 21, "RMPREAD" },
	{ 23, "SegmentedRmp" },        { 24, "VmsaRegProt" },       { 25, "SmtProtection" },
	{ 26, "SecureAvic" },          { 27, "AllowedSevFeatures" }, { 28, "SvsmCommPageMsr" },
	{ 29, "NestedVirtSnpMsr" },    { 30, "HvInUseWrAllowed" },  { 31, "IbpbOnEntry" },
};

/* Linux msr-index.h MSR_AMD64_SEV_*_BIT and MSR_AMD64_SNP_*_BIT; bit 13
 * edk2's MSR_SEV_STATUS_REGISTER PmcVirtualization (SevSnpMsr.h). */
static const struct pinned_bit sev_status[] = {
	{ 0, "MSR_AMD64_SEV_ENABLED" },        { 1, "MSR_AMD64_SEV_ES_ENABLED" },
	{ 2, "MSR_AMD64_SEV_SNP_ENABLED" },    { 3, "MSR_AMD64_SNP_VTOM" },
	{ 4, "MSR_AMD64_SNP_REFLECT_VC" },     { 5, "MSR_AMD64_SNP_RESTRICTED_INJ" },
	{ 6, "MSR_AMD64_SNP_ALT_INJ" },        { 7, "MSR_AMD64_SNP_DEBUG_SWAP" },
	{ 8, "MSR_AMD64_SNP_PREVENT_HOST_IBS" }, { 9, "MSR_AMD64_SNP_BTB_ISOLATION" },
	{ 10, "MSR_AMD64_SNP_VMPL_SSS" },      { 11, "MSR_AMD64_SNP_SECURE_TSC" },
	{ 12, "MSR_AMD64_SNP_VMGEXIT_PARAM" }, { 13, "PmcVirtualization" },
	{ 14, "MSR_AMD64_SNP_IBS_VIRT" },      { 16, "MSR_AMD64_SNP_VMSA_REG_PROT" },
	{ 17, "MSR_AMD64_SNP_SMT_PROT" },      { 18, "MSR_AMD64_SNP_SECURE_AVIC" },
	{ 23, "MSR_AMD64_SNP_IBPB_ON_ENTRY" },
};

/* Linux arch/x86/include/asm/shared/tdx.h, TDX_ATTR_*_BIT */
static const struct pinned_bit tdx_attributes[] = {
	{ 0, "TDX_ATTR_DEBUG" },        { 4, "TDX_ATTR_HGS_PLUS_PROF" },
	{ 5, "TDX_ATTR_PERF_PROF" },    { 6, "TDX_ATTR_PMT_PROF" },
	{ 16, "TDX_ATTR_ICSSD" },       { 27, "TDX_ATTR_LASS" },
	{ 28, "TDX_ATTR_SEPT_VE_DISABLE" }, { 29, "TDX_ATTR_MIGRATABLE" },
	{ 30, "TDX_ATTR_PKS" },         { 31, "TDX_ATTR_KL" },
	{ 62, "TDX_ATTR_TPA" },         { 63, "TDX_ATTR_PERFMON" },
};

static const char *pinned_id(const struct pinned_bit *list, size_t count, unsigned bit)
{
	for (size_t i = 0; i < count; i++)
		if (list[i].bit == bit)
			return list[i].id;
	return "(unknown)";
}

/* The one "yes" line of the section that starts at heading: its bit and
 * identifier, as "NN ID". */
static void the_only_yes(const char *text, const char *heading, char *out, size_t size)
{
	const char *section = strstr(text, heading);
	int found = 0;

	if (!section)
		fail_msg("no \"%s\" in:\n%s", heading, text);
	/* The section ends at the next line that is not indented past 2. */
	const char *end = section;
	while ((end = strstr(end + 1, "\n  ")) && end[3] == ' ')
		;
	for (const char *line = strstr(section, "\n    yes "); line && (!end || line < end);
	     line = strstr(line + 1, "\n    yes ")) {
		unsigned bit;
		char id[64];
		if (sscanf(line, "\n    yes %u %63s", &bit, id) != 2)
			fail_msg("unreadable line near %.40s", line);
		snprintf(out, size, "%u %s", bit, id);
		found++;
	}
	if (found != 1)
		fail_msg("%d yes lines after \"%s\"", found, heading);
}

static void assert_pinned(const char *text, const char *heading,
			  const struct pinned_bit *list, size_t count, unsigned bit)
{
	char expected[96], seen[96];

	snprintf(expected, sizeof(expected), "%u %s", bit, pinned_id(list, count, bit));
	the_only_yes(text, heading, seen, sizeof(seen));
	assert_string_equal(seen, expected);
}

#define PINNED(list) list, sizeof(list) / sizeof(list[0])

static void test_every_bit_has_its_upstream_name(void **state)
{
	static struct cpuid_record records[] = {
		LEAF(0, 1, 0x68747541, 0x444d4163, 0x69746e65),
		LEAF(1, 0x00a00f11, 0, HYPERVISOR_BIT, 0),
		LEAF(0x80000000, 0x8000001f, 0, 0, 0),
		LEAF(0x8000001f, 0, 0, 0, 0),
	};

	(void)state;
	for (unsigned bit = 0; bit < 32; bit++) {
		sim_reset();
		records[3].regs.eax = 1u << bit;
		struct hv_report *r = examine(SCAN(records), false, NULL);
		char heading[64];
		snprintf(heading, sizeof(heading), "leaf 0x8000001f eax = 0x%08x\n", 1u << bit);
		assert_pinned(text_of(r), heading, PINNED(sev_leaf_eax), bit);
	}
	for (unsigned bit = 0; bit < 64; bit++) {
		sim_reset();
		sim.msr_present = true;
		sim.sev_status = 1ull << bit;
		assert_pinned(text_of(examine(SCAN(records), true, NULL)),
			      "SEV_STATUS (MSR 0xc0010131) = ", PINNED(sev_status), bit);
		sim_reset();
		sim_td(52, 1ull << bit, 1, 1);
		assert_pinned(text_of(examine_dump(TDX_DUMP, true, NULL)),
			      "TD attributes (TDG.VP.INFO RDX) = ", PINNED(tdx_attributes), bit);
	}
}

/* --- requirements on the keys ------------------------------------------ */

/* The results of requirements on a report examined as given. */
static struct hv_report *required(struct hv_report *report, const char *text)
{
	static struct requirement_list list;
	char said[512];
	struct buffer_sink errors;

	list.count = 0;
	buffer_sink_init(&errors, said, sizeof(said) - 1);
	if (!requirements_add(&list, text, strlen(text), "--require", &errors.sink)) {
		said[errors.length < sizeof(said) - 1 ? errors.length : sizeof(said) - 1] = '\0';
		fail_msg("refused: %s", said);
	}
	hv_check(report, &list);
	hv_judge(report, &(struct judge_settings){ 0 });
	return report;
}

static void test_requirements_on_the_keys(void **state)
{
	(void)state;
	sim_reset();
	sim.msr_present = true;
	sim.sev_status = SEV_ENABLED | SEV_ES_ENABLED | SEV_SNP_ENABLED;
	struct hv_report *r = required(examine_dump(SNP_DUMP, true, NULL),
				       "cvm.type=sev-snp, cvm.type!=none, cvm.sev.c_bit=51,"
				       "cvm.sev.status>=7, cvm.type=tdx, cvm.snp.vmpls>=1,"
				       "cvm.tdx.gpaw>=48");
	static const bool passed[] = { true, true, true, true, false, false, false };
	assert_int_equal(r->check_count, 7);
	for (size_t i = 0; i < 7; i++)
		if (r->checks[i].passed != passed[i])
			fail_msg("%s: %s", r->checks[i].requirement.text,
				 passed[i] ? "failed" : "passed");
	const char *text = text_of(r);
	assert_contains(text, "FAIL  require.cvm.type: cvm.type = \"tdx\": found \"sev-snp\"\n");
	assert_contains(text, "FAIL  require.cvm.snp.vmpls: cvm.snp.vmpls >= 1: found 0\n");
	assert_contains(text, "FAIL  require.cvm.tdx.gpaw: cvm.tdx.gpaw >= 48: not known: not a TD:");

	/* a replay decides nothing for an SEV guest: the requirement says why */
	sim_reset();
	r = required(examine_dump(SNP_DUMP, false, NULL), "cvm.type=none");
	assert_false(r->checks[0].passed);
	assert_contains(text_of(r), "cvm.type = \"none\": not known: undecided: 0x8000001F");

	sim_reset();
	sim_td(52, TDX_ATTR_SEPT_VE_DISABLE, 2, 8);
	r = required(examine_dump(TDX_DUMP, true, NULL),
		     "cvm.type=tdx, cvm.tdx.num_vcpus=2, cvm.tdx.max_vcpus<=4, "
		     "cvm.tdx.attributes=0x10000000");
	assert_true(r->checks[0].passed);
	assert_true(r->checks[1].passed);
	assert_false(r->checks[2].passed);
	assert_true(r->checks[3].passed);
}

/* --- labels, JSON ------------------------------------------------------ */

static void test_labels_are_listed_and_waivable(void **state)
{
	char listing[8192];
	struct buffer_sink sink;
	struct waiver_list waivers = { .count = 0 };

	(void)state;
	buffer_sink_init(&sink, listing, sizeof(listing) - 1);
	render_result_labels(&sink.sink);
	listing[sink.length] = '\0';
	assert_contains(listing, "  cvm.sources-agree ");
	assert_contains(listing, "  cvm.snp-cpuid-table ");
	assert_contains(listing, "  cvm.cleanup ");
	static const char labels[] = "cvm.sources-agree,cvm.snp-cpuid-table";
	char said[256];
	struct buffer_sink errors;
	buffer_sink_init(&errors, said, sizeof(said));
	assert_true(waivers_add(&waivers, labels, strlen(labels), "test", &errors.sink));
	assert_int_equal(waivers.count, 2);
	assert_false(result_label_known("cvm.sources"));
}

/* Nothing examined (a scan alone): no section, no results, no facts. */
static void test_not_examined(void **state)
{
	struct fact_value value;

	(void)state;
	struct hv_report *r = scan_dump_file(SNP_DUMP);
	hv_judge(r, &(struct judge_settings){ 0 });
	assert_null(cvm_private_memory(r));
	assert_lacks(text_of(r), "confidential computing");
	for (size_t i = 0; i < r->results.count; i++)
		assert_null(strstr(r->results.items[i].label, "cvm."));
	assert_string_equal(fact(r, "cvm.type", &value), "confidential computing not examined");
}

static const char *json_of(const struct hv_report *report)
{
	struct buffer_sink sink;

	buffer_sink_init(&sink, test_text, sizeof(test_text) - 1);
	render_json(report, &sink.sink);
	test_text[sink.length] = '\0';
	return test_text;
}

static void test_json(void **state)
{
	(void)state;
	sim_reset();
	sim.msr_present = true;
	sim.sev_status = SEV_ENABLED | SEV_ES_ENABLED | SEV_SNP_ENABLED | (1ull << 40);
	const char *json = json_of(examine_dump(SNP_DUMP, true, NULL));
	assert_contains(json, "\"cvm\": {\"type\": \"sev-snp\", \"confidential\": true, "
			      "\"private_memory\": true,");
	assert_contains(json, "\"sev_status\": {\"state\": \"read\", \"fault\": null, "
			      "\"not_read_reason\": null,\n    \"value\": \"0x10000000007\"");
	assert_contains(json, "\"value_unknown_bits\": [40]");
	assert_contains(json, "{\"id\": \"CbitPosition\", \"value\": 51}");
	sim_reset();
	json = json_of(examine_dump(KVM_HOST_DUMP, true, NULL));
	assert_contains(json, "\"sev_status\": {\"state\": \"faulted\", \"fault\": \"#GP\"");
	assert_contains(json, "\"sev_leaf\": null");
	assert_contains(json, "\"cc_measurement\": {\"state\": \"not_looked\"}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sev_status_decides_the_sev_type),
		cmocka_unit_test(test_plain_sev_on_qemu_7_2),
		cmocka_unit_test(test_a_replay_of_an_sev_guest_is_undecided),
		cmocka_unit_test(test_sev_advertised_and_the_msr_faults),
		cmocka_unit_test(test_no_sev_leaf),
		cmocka_unit_test(test_no_sev_status_read_on_intel),
		cmocka_unit_test(test_tdx_leaf_then_tdcall),
		cmocka_unit_test(test_tdcall_that_fails_in_a_td),
		cmocka_unit_test(test_no_tdcall_without_the_tdx_leaf),
		cmocka_unit_test(test_hyperv_isolation),
		cmocka_unit_test(test_hyperv_vbs_and_root),
		cmocka_unit_test(test_the_snp_cpuid_table),
		cmocka_unit_test(test_unusable_snp_tables),
		cmocka_unit_test(test_the_cc_measurement_protocol),
		cmocka_unit_test(test_every_bit_has_its_upstream_name),
		cmocka_unit_test(test_requirements_on_the_keys),
		cmocka_unit_test(test_labels_are_listed_and_waivable),
		cmocka_unit_test(test_not_examined),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
