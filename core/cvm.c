/* Confidential computing (cvm.h): the tables that decode AMD's memory
 * encryption leaf, SEV_STATUS and the TD attributes; the examination,
 * which reads the machine only where the CPU says it may; the decision
 * and its evidence; the results and the requirement keys. */
#include "cvm.h"

#include "ascii.h"
#include "hv_report.h"
#include "interface_tables.h"
#include "probe.h"

/* --- the tables -------------------------------------------------------- */

/* CPUID 0x8000001F, AMD's leaf: the names of the AMD64 APM (vol. 3,
 * appendix E, Fn8000_001F), for each bit that a second source confirms:
 * Debian's cpuid tool (20230120) decodes bits 0-19, 24, 25, 28 and 29 by
 * the APM, Linux (arch/x86/include/asm/cpufeatures.h, word 19) names 21,
 * 23, 26, 27, 30 and, in 2026, 31; bits 20 and 22 are shown as unknown.
 * edk2's CPUID_MEMORY_ENCRYPTION_INFO_* (Register/Amd/Cpuid.h) agrees on
 * bits 0-3 and the fields. */
static const struct bit_def sev_leaf_eax_bits[] = {
	{ 0, "SME", "Secure Memory Encryption", NULL, 0 },
	{ 1, "SEV", "Secure Encrypted Virtualization", NULL, 0 },
	{ 2, "PageFlushMsr", "VM page flush MSR", NULL, 0 },
	{ 3, "SEV-ES", "SEV-ES: register state encrypted", NULL, 0 },
	{ 4, "SEV-SNP", "SEV-SNP: secure nested paging", NULL, 0 },
	{ 5, "VMPL", "VM permission levels", NULL, 0 },
	{ 6, "RMPQUERY", "RMPQUERY instruction", NULL, 0 },
	{ 7, "VmplSSS", "VMPL supervisor shadow stack", NULL, 0 },
	{ 8, "SecureTsc", "SEV-SNP Secure TSC", NULL, 0 },
	{ 9, "TscAuxVirtualization", "virtual TSC_AUX", NULL, 0 },
	{ 10, "HwEnfCacheCoh", "cache coherency enforced", NULL, 0 },
	{ 11, "64BitHost", "SEV guests from 64-bit hosts only", NULL, 0 },
	{ 12, "RestrictedInjection", "restricted injection", NULL, 0 },
	{ 13, "AlternateInjection", "alternate injection", NULL, 0 },
	{ 14, "DebugVirt", "SEV-ES full debug state swap", NULL, 0 },
	{ 15, "PreventHostIbs", "host IBS can be prevented", NULL, 0 },
	{ 16, "VTE", "virtual transparent encryption", NULL, 0 },
	{ 17, "VmgexitParameter", "VMGEXIT parameter", NULL, 0 },
	{ 18, "VirtualTomMsr", "virtual top-of-memory MSR", NULL, 0 },
	{ 19, "IbsVirtGuestCtl", "IBS virtualization for SEV-ES", NULL, 0 },
	{ 21, "RMPREAD", "RMPREAD instruction", NULL, 0 },
	{ 23, "SegmentedRmp", "segmented RMP", NULL, 0 },
	{ 24, "VmsaRegProt", "VMSA register protection", NULL, 0 },
	{ 25, "SmtProtection", "SMT protection", NULL, 0 },
	{ 26, "SecureAvic", "Secure AVIC", NULL, 0 },
	{ 27, "AllowedSevFeatures", "allowed SEV features", NULL, 0 },
	{ 28, "SvsmCommPageMsr", "SVSM communication page MSR", NULL, 0 },
	{ 29, "NestedVirtSnpMsr", "VIRT_RMPUPDATE, VIRT_PSMASH MSRs", NULL, 0 },
	{ 30, "HvInUseWrAllowed", "writes to in-use host pages", NULL, 0 },
	{ 31, "IbpbOnEntry", "IBPB on VM entry", NULL, 0 },
};

/* EBX: the C-bit (5:0), the physical-address bits lost (11:6; edk2's
 * PtePosBits and ReducedPhysBits), the number of VMPLs (15:12), and bit
 * 31 (edk2's CoherencySfwNo); ECX and EDX whole. */
static const struct bit_def sev_leaf_ebx_bits[] = {
	{ 31, "CoherencySfwNo", "no SNP coherency fix needed", NULL, 0 },
};
static const struct field_def sev_leaf_ebx_fields[] = {
	FIELD(0, 6, "CbitPosition", "C-bit position in page tables", FIELD_DECIMAL),
	FIELD(6, 6, "PhysAddrReduction", "physical-address bits lost", FIELD_DECIMAL),
	FIELD(12, 4, "NumVMPL", "VM permission levels", FIELD_DECIMAL),
};
static const struct field_def sev_leaf_ecx_fields[] = {
	FIELD(0, 32, "NumEncryptedGuests", "encrypted guests at once", FIELD_DECIMAL),
};
static const struct field_def sev_leaf_edx_fields[] = {
	FIELD(0, 32, "MinSevNoEsAsid", "lowest ASID of SEV without SEV-ES", FIELD_DECIMAL),
};

/* Each decoder's offset is the leaf itself. */
const struct register_decoder cvm_sev_leaf_decoders[4] = {
	{ CVM_LEAF_SEV, 0, REG_EAX, "memory encryption", BITS(sev_leaf_eax_bits) },
	{ CVM_LEAF_SEV, 0, REG_EBX, "memory encryption", sev_leaf_ebx_bits,
	  COUNT_OF(sev_leaf_ebx_bits), sev_leaf_ebx_fields, COUNT_OF(sev_leaf_ebx_fields) },
	{ CVM_LEAF_SEV, 0, REG_ECX, "memory encryption", FIELDS(sev_leaf_ecx_fields) },
	{ CVM_LEAF_SEV, 0, REG_EDX, "memory encryption", FIELDS(sev_leaf_edx_fields) },
};

/* MSR_AMD64_SEV: Linux arch/x86/include/asm/msr-index.h
 * (MSR_AMD64_SEV_*_BIT, MSR_AMD64_SNP_*_BIT); bit 13, reserved there, is
 * edk2's PmcVirtualization (MdePkg Register/Amd/SevSnpMsr.h,
 * MSR_SEV_STATUS_REGISTER). Bits 15, 19-22 and from 24 up are unknown. */
#define SEV_STATUS_SEV 0
#define SEV_STATUS_SEV_ES 1
#define SEV_STATUS_SNP 2
static const struct bit_def sev_status_bits[] = {
	{ 0, "MSR_AMD64_SEV_ENABLED", "SEV: memory encrypted", NULL, 0 },
	{ 1, "MSR_AMD64_SEV_ES_ENABLED", "SEV-ES: register state encrypted", NULL, 0 },
	{ 2, "MSR_AMD64_SEV_SNP_ENABLED", "SEV-SNP: secure nested paging", NULL, 0 },
	{ 3, "MSR_AMD64_SNP_VTOM", "virtual top of memory", NULL, 0 },
	{ 4, "MSR_AMD64_SNP_REFLECT_VC", "#VC reflected (ReflectVC)", NULL, 0 },
	{ 5, "MSR_AMD64_SNP_RESTRICTED_INJ", "restricted injection", NULL, 0 },
	{ 6, "MSR_AMD64_SNP_ALT_INJ", "alternate injection", NULL, 0 },
	{ 7, "MSR_AMD64_SNP_DEBUG_SWAP", "debug registers swapped", NULL, 0 },
	{ 8, "MSR_AMD64_SNP_PREVENT_HOST_IBS", "host IBS prevented", NULL, 0 },
	{ 9, "MSR_AMD64_SNP_BTB_ISOLATION", "branch target buffer isolated", NULL, 0 },
	{ 10, "MSR_AMD64_SNP_VMPL_SSS", "VMPL supervisor shadow stack", NULL, 0 },
	{ 11, "MSR_AMD64_SNP_SECURE_TSC", "Secure TSC", NULL, 0 },
	{ 12, "MSR_AMD64_SNP_VMGEXIT_PARAM", "VMGEXIT parameter", NULL, 0 },
	{ 13, "PmcVirtualization", "PMC virtualization (edk2)", NULL, 0 },
	{ 14, "MSR_AMD64_SNP_IBS_VIRT", "IBS virtualization", NULL, 0 },
	{ 16, "MSR_AMD64_SNP_VMSA_REG_PROT", "VMSA register protection", NULL, 0 },
	{ 17, "MSR_AMD64_SNP_SMT_PROT", "SMT protection", NULL, 0 },
	{ 18, "MSR_AMD64_SNP_SECURE_AVIC", "Secure AVIC", NULL, 0 },
	{ 23, "MSR_AMD64_SNP_IBPB_ON_ENTRY", "IBPB on entry", NULL, 0 },
};
const struct cvm_bits64 cvm_sev_status_bits = { "SEV_STATUS (MSR 0xc0010131)", sev_status_bits,
						COUNT_OF(sev_status_bits) };

/* The TD's attributes: Linux arch/x86/include/asm/shared/tdx.h
 * (TDX_ATTR_*_BIT; MIGRATABLE was spelt MIGRTABLE until 2025). */
static const struct bit_def tdx_attribute_bits[] = {
	{ 0, "TDX_ATTR_DEBUG", "debug TD: the host may read it", NULL, 0 },
	{ 4, "TDX_ATTR_HGS_PLUS_PROF", "HGS+ profiling", NULL, 0 },
	{ 5, "TDX_ATTR_PERF_PROF", "performance profiling", NULL, 0 },
	{ 6, "TDX_ATTR_PMT_PROF", "PMT profiling", NULL, 0 },
	{ 16, "TDX_ATTR_ICSSD", "ICSSD", NULL, 0 },
	{ 27, "TDX_ATTR_LASS", "linear address space separation", NULL, 0 },
	{ 28, "TDX_ATTR_SEPT_VE_DISABLE", "no #VE on pending pages", NULL, 0 },
	{ 29, "TDX_ATTR_MIGRATABLE", "migratable TD", NULL, 0 },
	{ 30, "TDX_ATTR_PKS", "supervisor protection keys", NULL, 0 },
	{ 31, "TDX_ATTR_KL", "key locker", NULL, 0 },
	{ 62, "TDX_ATTR_TPA", "TPA", NULL, 0 },
	{ 63, "TDX_ATTR_PERFMON", "performance monitoring", NULL, 0 },
};
const struct cvm_bits64 cvm_tdx_attribute_bits = { "TD attributes (TDG.VP.INFO RDX)",
						   tdx_attribute_bits,
						   COUNT_OF(tdx_attribute_bits) };

uint64_t cvm_unknown_bits(const struct cvm_bits64 *table, uint64_t value)
{
	uint64_t known = 0;

	for (size_t i = 0; i < table->count; i++)
		known |= 1ull << table->bits[i].bit;
	return value & ~known;
}

static const char *const type_names[] = {
	[CVM_TYPE_NONE] = "none",
	[CVM_TYPE_SEV] = "sev",
	[CVM_TYPE_SEV_ES] = "sev-es",
	[CVM_TYPE_SEV_SNP] = "sev-snp",
	[CVM_TYPE_TDX] = "tdx",
	[CVM_TYPE_HYPERV_VBS] = "hyperv-vbs",
	[CVM_TYPE_HYPERV_SNP] = "hyperv-snp",
	[CVM_TYPE_HYPERV_TDX] = "hyperv-tdx",
	[CVM_TYPE_UNDECIDED] = "undecided",
};

const char *cvm_type_name(enum cvm_type type)
{
	return type_names[type];
}

const char *cvm_basis_text(enum cvm_basis basis)
{
	static const char *const texts[] = {
		[CVM_BY_NOTHING] = "no source says it is confidential",
		[CVM_BY_TDX_LEAF] = "the IntelTDX signature of CPUID 0x21",
		[CVM_BY_SEV_STATUS] = "SEV_STATUS (MSR_AMD64_SEV)",
		[CVM_BY_HYPERV_ISOLATION] = "Hyper-V's isolation leaves",
		[CVM_BY_SEV_LEAF_ONLY] = "0x8000001F advertises SEV, and SEV_STATUS was not read",
	};
	return texts[basis];
}

/* edk2 MdePkg Protocol/CcMeasurement.h, EFI_CC_TYPE_* */
const char *cvm_cc_type_name(uint8_t type)
{
	static const char *const names[] = { "none", "sev", "tdx", "aptee", "armcca" };

	return type < COUNT_OF(names) ? names[type] : NULL;
}
#define EFI_CC_TYPE_SEV 1u
#define EFI_CC_TYPE_TDX 2u

/* --- what the leaves say ----------------------------------------------- */

const struct cpuid_regs *cvm_sev_leaf(const struct hv_report *report)
{
	return hv_report_leaf(report, CVM_LEAF_SEV, 0);
}

static bool sev_advertised(const struct hv_report *report)
{
	const struct cpuid_regs *sev = cvm_sev_leaf(report);

	return sev && (sev->eax >> 1) & 1;
}

/* Linux tdx_early_init: "IntelTDX    " in EBX, EDX, ECX of sub-leaf 0;
 * the scan reads the leaf only within the basic range. */
static bool tdx_leaf(const struct hv_report *report)
{
	const struct cpuid_regs *leaf = hv_report_leaf(report, CVM_LEAF_TDX, 0);

	return leaf && leaf->ebx == 0x65746e49 && leaf->edx == 0x5844546c &&
	       leaf->ecx == 0x20202020;
}

static bool vendor_is_amd(const struct hv_report *report)
{
	return ascii_equal_span(report->cpu_vendor, HV_SIGNATURE_LENGTH, "AuthenticAMD", false) ||
	       ascii_equal_span(report->cpu_vendor, HV_SIGNATURE_LENGTH, "HygonGenuine", false);
}

static bool hyperv_item(const struct hv_report *report, const struct hv_interface *iface,
			const char *id, uint32_t *value)
{
	struct hv_item item;

	return hv_find_item(iface->vendor, id, false, &item) &&
	       hv_item_value(report, iface, &item, value) == DECODED;
}

/* As systemd's detect_hyperv_cvm() and Linux's ms_hyperv_init_platform()
 * read it: 0x40000003 EBX bit 22 (HV_ISOLATION) in a partition that is
 * not the root (CpuManagement, bit 12), then 0x4000000C, through the
 * Hyper-V table (leaves_hyperv.c), under "Hv#1" only. */
bool cvm_hyperv_isolation(const struct hv_report *report, struct cvm_hyperv_isolation *out)
{
	const struct hv_interface *iface = hv_interface_by_key(report, "hyperv");
	uint32_t isolated, root = 0;

	*out = (struct cvm_hyperv_isolation){ 0 };
	if (!iface)
		iface = hv_interface_by_key(report, "kvm_hv");
	if (!iface || !hyperv_item(report, iface, "HV_ISOLATION", &isolated))
		return false;
	hyperv_item(report, iface, "CpuManagement", &root);
	out->isolated = isolated;
	out->root = root;
	uint32_t paravisor, active;
	out->config_read = hyperv_item(report, iface, "HV_PARAVISOR_PRESENT", &paravisor) &&
			   hyperv_item(report, iface, "HV_ISOLATION_TYPE", &out->type) &&
			   hyperv_item(report, iface, "HV_SHARED_GPA_BOUNDARY_ACTIVE", &active) &&
			   hyperv_item(report, iface, "HV_SHARED_GPA_BOUNDARY_BITS", &out->boundary_bit);
	out->paravisor = out->config_read && paravisor;
	out->boundary_active = out->config_read && active;
	return true;
}

/* TLFS isolation types 1 (VBS), 2 (SNP), 3 (TDX); 0 when the leaves do
 * not make it an isolated guest. */
static uint32_t hyperv_isolation_type(const struct hv_report *report)
{
	struct cvm_hyperv_isolation h;

	if (!cvm_hyperv_isolation(report, &h) || !h.isolated || h.root || !h.config_read)
		return 0;
	return h.type >= 1 && h.type <= 3 ? h.type : 0;
}

/* --- the firmware's bytes ---------------------------------------------- */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* The type sits at 16-17: a Size below 18 does not reach it. */
#define CC_CAPABILITY_TYPE_END 18u

bool cvm_parse_cc_capability(const uint8_t *bytes, size_t length, struct cvm_cc_protocol *out)
{
	out->state = CVM_CC_NO_CAPABILITY;
	if (length < CC_CAPABILITY_TYPE_END || bytes[0] < CC_CAPABILITY_TYPE_END) {
		out->problem = "the capability is too short to hold the CC type";
		return false;
	}
	out->size = bytes[0];
	out->structure_major = bytes[1];
	out->structure_minor = bytes[2];
	out->protocol_major = bytes[3];
	out->protocol_minor = bytes[4];
	out->hash_algorithms = le32(bytes + 8);
	out->event_logs = le32(bytes + 12);
	out->type = bytes[16];
	out->subtype = bytes[17];
	out->state = CVM_CC_FOUND;
	return true;
}

bool cvm_parse_snp_blob(const uint8_t *bytes, size_t length, struct cvm_snp_table *out)
{
	out->state = CVM_SNP_BLOB_BAD;
	if (length < SNP_BLOB_BYTES) {
		out->problem = "the blob is shorter than its 40 bytes";
		return false;
	}
	if (le32(bytes) != SNP_BLOB_HEADER) {
		out->problem = "the blob's header is not \"AMDE\"";
		return false;
	}
	out->blob_version = le16(bytes + 4);
	out->cpuid_address = le64(bytes + 24);
	out->cpuid_size = le32(bytes + 32);
	out->state = CVM_SNP_PAGE_UNREAD;
	return true;
}

bool cvm_parse_snp_cpuid(const uint8_t *bytes, size_t length, struct cvm_snp_table *out)
{
	out->state = CVM_SNP_TABLE_BAD;
	if (length < SNP_CPUID_HEADER_BYTES) {
		out->problem = "the CPUID page is shorter than its 16-byte header";
		return false;
	}
	out->count = le32(bytes);
	if (out->count > SNP_CPUID_COUNT_MAX) {
		out->problem = "its count is past the 64 entries the SNP firmware allows";
		return false;
	}
	if (SNP_CPUID_HEADER_BYTES + (size_t)out->count * SNP_CPUID_ENTRY_BYTES > length) {
		out->problem = "its entries run past the bytes read";
		return false;
	}
	for (uint32_t i = 0; i < out->count; i++) {
		const uint8_t *e = bytes + SNP_CPUID_HEADER_BYTES + i * SNP_CPUID_ENTRY_BYTES;
		out->entries[i] = (struct snp_cpuid_entry){
			le32(e), le32(e + 4), le64(e + 8), le64(e + 16),
			{ le32(e + 24), le32(e + 28), le32(e + 32), le32(e + 36) } };
	}
	out->state = CVM_SNP_TABLE_READ;
	return true;
}

/* --- the examination --------------------------------------------------- */

static void read_sev_status(struct hv_report *report, const struct probe_machine *machine)
{
	struct cvm_sev_status *s = &report->cvm.sev_status;

	if (!vendor_is_amd(report)) {
		s->not_read = "not an AMD processor, whose MSR it is";
	} else if (!machine) {
		s->not_read = report->cvm.no_machine;
	} else if (machine->read_msr(machine->context, MSR_AMD64_SEV, &s->value, &s->vector)) {
		s->state = CVM_READ;
	} else {
		s->state = CVM_FAULTED;
		s->value = 0;
	}
}

/* TDCALL raises #UD outside a TD: called only after the leaf said TD. */
static void read_tdx_info(struct hv_report *report, const struct probe_machine *machine)
{
	struct cvm_tdx_info *t = &report->cvm.tdx;
	const uint64_t in[3] = { 0, 0, 0 };
	uint64_t out[6];

	if (!tdx_leaf(report)) {
		t->not_read = "not a TD: no TDX leaf";
		return;
	}
	if (!machine) {
		t->not_read = report->cvm.no_machine;
		return;
	}
	if (!machine->tdcall) {
		t->not_read = "the machine offers no TDCALL";
		return;
	}
	if (!machine->tdcall(machine->context, TDG_VP_INFO, in, &t->status, out, &t->vector)) {
		t->state = CVM_FAULTED;
		return;
	}
	if (t->status) {
		t->state = CVM_FAILED;
		return;
	}
	t->state = CVM_READ;
	t->gpaw = (uint32_t)(out[0] & 0x3f);
	t->attributes = out[1];
	t->num_vcpus = (uint32_t)out[2];
	t->max_vcpus = (uint32_t)(out[2] >> 32);
	t->vcpu_index = (uint32_t)out[3];
}

static void read_firmware(struct cvm_report *cvm, const struct cvm_firmware *firmware)
{
	if (!firmware)
		return;
	cvm->cc.state = CVM_CC_ABSENT;
	if (firmware->cc_protocol_found) {
		cvm->cc.status = firmware->cc_capability_status;
		if (firmware->cc_capability_status) {
			cvm->cc.state = CVM_CC_NO_CAPABILITY;
			cvm->cc.problem = "GetCapability failed";
		} else {
			cvm_parse_cc_capability(firmware->cc_capability, CC_CAPABILITY_BYTES, &cvm->cc);
		}
	}
	cvm->snp.state = CVM_SNP_NOT_PUBLISHED;
	if (!firmware->snp_blob_found ||
	    !cvm_parse_snp_blob(firmware->snp_blob, SNP_BLOB_BYTES, &cvm->snp))
		return;
	if (!firmware->snp_cpuid_length) {
		cvm->snp.problem = firmware->snp_cpuid_unread;
		return;
	}
	size_t length = firmware->snp_cpuid_length < SNP_CPUID_TABLE_BYTES
				? firmware->snp_cpuid_length
				: SNP_CPUID_TABLE_BYTES;
	cvm_parse_snp_cpuid(firmware->snp_cpuid_page, length, &cvm->snp);
}

/* Linux snp_cpuid(): a leaf the table does not hold reads as zero. */
static struct cpuid_regs table_answer(const struct cvm_snp_table *snp, uint32_t leaf,
				      uint32_t subleaf)
{
	for (uint32_t i = 0; i < snp->count; i++)
		if (snp->entries[i].eax_in == leaf && snp->entries[i].ecx_in == subleaf)
			return snp->entries[i].regs;
	return (struct cpuid_regs){ 0 };
}

static bool same_regs(const struct cpuid_regs *a, const struct cpuid_regs *b)
{
	return a->eax == b->eax && a->ebx == b->ebx && a->ecx == b->ecx && a->edx == b->edx;
}

static void compare_snp_table(struct hv_report *report)
{
	struct cvm_snp_table *snp = &report->cvm.snp;

	for (size_t i = 0; i < report->leaf_count; i++) {
		const struct leaf_reading *r = &report->leaves[i];
		if (r->leaf < HV_BASE_FIRST || r->leaf > 0x4fffffffu)
			continue;
		struct cpuid_regs table = table_answer(snp, r->leaf, r->subleaf);
		snp->compared++;
		if (same_regs(&table, &r->regs) || snp->disagreeing++)
			continue;
		snp->first_leaf = r->leaf;
		snp->first_subleaf = r->subleaf;
		snp->first_read = r->regs;
		snp->first_table = table;
	}
}

/* The hardware's word first: the TDX leaf, which only the TDX module
 * answers so; SEV_STATUS, which the guest reads and the host cannot
 * change; then what Hyper-V says of its isolation, as Azure hides
 * 0x8000001F and 0x21. With SEV advertised and SEV_STATUS unread, nothing
 * can be said: QEMU fills 0x8000001F only for SEV guests (target/i386/
 * cpu.c), other hosts may pass the host's capability through. */
static void decide(struct hv_report *report)
{
	struct cvm_report *cvm = &report->cvm;
	uint64_t status = cvm->sev_status.state == CVM_READ ? cvm->sev_status.value : 0;
	uint32_t hyperv = hyperv_isolation_type(report);

	if (tdx_leaf(report)) {
		cvm->type = CVM_TYPE_TDX;
		cvm->basis = CVM_BY_TDX_LEAF;
	} else if (status & 7) {
		cvm->basis = CVM_BY_SEV_STATUS;
		cvm->type = (status >> SEV_STATUS_SNP) & 1	  ? CVM_TYPE_SEV_SNP
			    : (status >> SEV_STATUS_SEV_ES) & 1 ? CVM_TYPE_SEV_ES
								  : CVM_TYPE_SEV;
	} else if (hyperv) {
		static const enum cvm_type types[] = { CVM_TYPE_NONE, CVM_TYPE_HYPERV_VBS,
						       CVM_TYPE_HYPERV_SNP, CVM_TYPE_HYPERV_TDX };
		cvm->type = types[hyperv];
		cvm->basis = CVM_BY_HYPERV_ISOLATION;
	} else if (sev_advertised(report) && report->hypervisor_bit &&
		   cvm->sev_status.state == CVM_NOT_READ) {
		cvm->type = CVM_TYPE_UNDECIDED;
		cvm->basis = CVM_BY_SEV_LEAF_ONLY;
	}
}

void cvm_examine(struct hv_report *report, const struct probe_machine *machine,
		 const char *no_machine, const struct cvm_firmware *firmware)
{
	struct cvm_report *cvm = &report->cvm;

	*cvm = (struct cvm_report){ .examined = true, .no_machine = machine ? NULL : no_machine,
				    .no_firmware = firmware ? NULL
					    : machine ? "the firmware's tables were not handed over"
						      : no_machine };
	read_sev_status(report, machine);
	read_tdx_info(report, machine);
	read_firmware(cvm, firmware);
	if (cvm->snp.state == CVM_SNP_TABLE_READ)
		compare_snp_table(report);
	decide(report);
}

const char *cvm_private_memory(const struct hv_report *report)
{
	const struct cvm_report *cvm = &report->cvm;

	if (!cvm->examined || cvm->type == CVM_TYPE_NONE || cvm->type == CVM_TYPE_HYPERV_VBS)
		return NULL;
	return cvm_type_name(cvm->type);
}

/* --- the evidence ------------------------------------------------------ */

static const char *fault_name(uint8_t vector)
{
	return vector == VECTOR_GP ? "#GP" : vector == VECTOR_UD ? "#UD" : "an exception";
}

/* The short names of bits 0-4: SME, SEV, SEV-ES and SNP, in both the
 * leaf (bit 2 is the page-flush MSR) and SEV_STATUS (bits 0-2). */
static void short_names(struct text_sink *out, const char *const names[5], uint64_t value,
			const char *none)
{
	bool any = false;

	for (unsigned bit = 0; bit < 5; bit++)
		if (names[bit] && (value >> bit) & 1) {
			sink_printf(out, "%s%s", any ? " " : "", names[bit]);
			any = true;
		}
	sink_puts(out, any ? "" : none);
}

static void sev_leaf_finding(const struct hv_report *report, struct text_sink *out)
{
	const struct cpuid_regs *max = hv_report_leaf(report, CVM_LEAF_EXTENDED_MAX, 0);
	const struct cpuid_regs *sev = cvm_sev_leaf(report);

	if (!sev && max && max->eax >= CVM_LEAF_EXTENDED_MAX)
		sink_printf(out, "not provided: the extended maximum is 0x%08x", max->eax);
	else if (!sev)
		sink_printf(out, "not provided: no extended leaves (0x80000000 answers 0x%x)",
			    max ? max->eax : 0);
	if (!sev)
		return;
	static const char *const names[5] = { "SME", "SEV", NULL, "SEV-ES", "SEV-SNP" };

	sink_printf(out, "EAX 0x%08x: ", sev->eax);
	short_names(out, names, sev->eax, "no SME or SEV");
	if (sev->eax & 0x1b)
		sink_printf(out, "; C-bit %u", hv_field_value(&sev_leaf_ebx_fields[0], sev->ebx));
}

static void sev_status_finding(const struct cvm_report *cvm, struct text_sink *out)
{
	static const char *const names[5] = { "SEV", "SEV-ES", "SEV-SNP", NULL, NULL };
	const struct cvm_sev_status *s = &cvm->sev_status;

	switch (s->state) {
	case CVM_NOT_READ:
		sink_printf(out, "not read: %s", s->not_read);
		break;
	case CVM_FAULTED:
		sink_printf(out, "%s caught: no such MSR here", fault_name(s->vector));
		break;
	case CVM_READ:
		sink_printf(out, "0x%lx: ", (unsigned long)s->value);
		short_names(out, names, s->value, "SEV not active");
		if (s->value & 7)
			sink_puts(out, " active");
		break;
	case CVM_FAILED:
		break;
	}
}

static void tdx_leaf_finding(const struct hv_report *report, struct text_sink *out)
{
	if (report->max_basic_leaf < CVM_LEAF_TDX)
		sink_printf(out, "not provided: the basic maximum is 0x%x", report->max_basic_leaf);
	else
		sink_puts(out, tdx_leaf(report) ? "the IntelTDX signature: a TD"
					       : "no IntelTDX signature: not a TD");
}

static void tdx_info_finding(const struct cvm_tdx_info *t, struct text_sink *out)
{
	switch (t->state) {
	case CVM_NOT_READ:
		sink_printf(out, "not called: %s", t->not_read);
		break;
	case CVM_FAULTED:
		sink_printf(out, "TDCALL raised %s", fault_name(t->vector));
		break;
	case CVM_FAILED:
		sink_printf(out, "TDCALL returned status 0x%lx", (unsigned long)t->status);
		break;
	case CVM_READ:
		sink_printf(out, "GPAW %u, attributes 0x%lx, %u of at most %u vCPUs", t->gpaw,
			    (unsigned long)t->attributes, t->num_vcpus, t->max_vcpus);
		break;
	}
}

static void hyperv_finding(const struct hv_report *report, struct text_sink *out)
{
	static const char *const types[] = { "none", "VBS", "SNP", "TDX" };
	struct cvm_hyperv_isolation h;

	if (!cvm_hyperv_isolation(report, &h)) {
		sink_puts(out, "no Hyper-V (Hv#1) privileges leaf");
	} else if (!h.isolated) {
		sink_puts(out, "0x40000003 EBX bit 22 (HV_ISOLATION) clear");
	} else if (h.root) {
		sink_puts(out, "HV_ISOLATION set in the root partition (CpuManagement)");
	} else if (!h.config_read) {
		sink_puts(out, "HV_ISOLATION set, 0x4000000C not provided");
	} else {
		sink_printf(out, "isolation type %u (%s)", h.type, h.type < 4 ? types[h.type] : "unknown");
		if (h.paravisor)
			sink_puts(out, ", a paravisor");
		if (h.boundary_active)
			sink_printf(out, ", shared GPA boundary at bit %u", h.boundary_bit);
	}
}

static void cc_finding(const struct cvm_report *cvm, struct text_sink *out)
{
	const struct cvm_cc_protocol *cc = &cvm->cc;
	const char *name = cvm_cc_type_name(cc->type);

	switch (cc->state) {
	case CVM_CC_NOT_LOOKED:
		sink_printf(out, "not looked for: %s", cvm->no_firmware);
		break;
	case CVM_CC_ABSENT:
		sink_puts(out, "absent");
		break;
	case CVM_CC_NO_CAPABILITY:
		sink_printf(out, "present; %s (status 0x%lx)", cc->problem, (unsigned long)cc->status);
		break;
	case CVM_CC_FOUND:
		sink_printf(out, "present: CC type %u (%s), subtype %u, protocol %u.%u", cc->type,
			    name ? name : "unknown", cc->subtype, cc->protocol_major,
			    cc->protocol_minor);
		break;
	}
}

static void snp_finding(const struct cvm_report *cvm, struct text_sink *out)
{
	const struct cvm_snp_table *snp = &cvm->snp;

	switch (snp->state) {
	case CVM_SNP_NOT_LOOKED:
		sink_printf(out, "not looked for: %s", cvm->no_firmware);
		break;
	case CVM_SNP_NOT_PUBLISHED:
		sink_puts(out, "not published (no CONFIDENTIAL_COMPUTING_SNP_BLOB_GUID table)");
		break;
	case CVM_SNP_BLOB_BAD:
		sink_printf(out, "published, unusable: %s", snp->problem);
		break;
	case CVM_SNP_PAGE_UNREAD:
	case CVM_SNP_TABLE_BAD:
		sink_printf(out, "CPUID page at 0x%lx not used: %s", (unsigned long)snp->cpuid_address,
			    snp->problem ? snp->problem : "not read");
		break;
	case CVM_SNP_TABLE_READ:
		sink_printf(out, "%u entries at 0x%lx; %u of %u hypervisor leaves agree", snp->count,
			    (unsigned long)snp->cpuid_address,
			    (unsigned)(snp->compared - snp->disagreeing), (unsigned)snp->compared);
		break;
	}
}

size_t cvm_evidence(const struct hv_report *report, struct cvm_evidence out[CVM_EVIDENCE_MAX])
{
	const struct cvm_report *cvm = &report->cvm;
	size_t n = 0;
	struct buffer_sink text;

#define EVIDENCE(name, call)                                                   \
	do {                                                                   \
		out[n].source = name;                                          \
		string_sink_init(&text, out[n].finding, CVM_FINDING_MAX);      \
		call;                                                          \
		string_sink_finish(&text);                                     \
		n++;                                                           \
	} while (0)
	EVIDENCE("CPUID 0x8000001F", sev_leaf_finding(report, &text.sink));
	EVIDENCE("SEV_STATUS (MSR 0xc0010131)", sev_status_finding(cvm, &text.sink));
	EVIDENCE("CPUID 0x21", tdx_leaf_finding(report, &text.sink));
	EVIDENCE("TDG.VP.INFO", tdx_info_finding(&cvm->tdx, &text.sink));
	EVIDENCE("Hyper-V isolation", hyperv_finding(report, &text.sink));
	EVIDENCE("EFI_CC_MEASUREMENT_PROTOCOL", cc_finding(cvm, &text.sink));
	EVIDENCE("SNP CPUID table", snp_finding(cvm, &text.sink));
#undef EVIDENCE
	return n;
}

/* --- the results ------------------------------------------------------- */

static bool sev_type(enum cvm_type type)
{
	return type == CVM_TYPE_SEV || type == CVM_TYPE_SEV_ES || type == CVM_TYPE_SEV_SNP ||
	       type == CVM_TYPE_HYPERV_SNP;
}

static bool tdx_type(enum cvm_type type)
{
	return type == CVM_TYPE_TDX || type == CVM_TYPE_HYPERV_TDX;
}

/* Whether the sources that speak agree: the first disagreement, by how
 * much it costs a guest that follows one of them. */
static enum outcome sources_agree(const struct hv_report *report, enum severity *severity,
				  struct text_sink *detail)
{
	const struct cvm_report *cvm = &report->cvm;
	uint64_t status = cvm->sev_status.state == CVM_READ ? cvm->sev_status.value : 0;
	uint32_t hyperv = hyperv_isolation_type(report);
	const char *cc = cvm->cc.state == CVM_CC_FOUND ? cvm_cc_type_name(cvm->cc.type) : NULL;

	*severity = SEVERITY_HIGH;
	/* OVMF (AmdSev.nasm.inc) and Linux (sev_enable) read the MSR, without
	 * a guard, right after the leaf advertised SEV. */
	if (sev_advertised(report) && cvm->sev_status.state == CVM_FAULTED) {
		sink_printf(detail, "0x8000001F advertises SEV, yet reading SEV_STATUS raised "
				    "%s: OVMF and Linux read it unguarded after that check",
			    fault_name(cvm->sev_status.vector));
		return OUTCOME_FAIL;
	}
	/* Linux's tdx_early_init() trusts the leaf and then needs TDCALL. */
	if (tdx_leaf(report) && (cvm->tdx.state == CVM_FAULTED || cvm->tdx.state == CVM_FAILED)) {
		sink_puts(detail, "CPUID 0x21 has the IntelTDX signature, yet TDG.VP.INFO ");
		tdx_info_finding(&cvm->tdx, detail);
		return OUTCOME_FAIL;
	}
	*severity = SEVERITY_MEDIUM;
	if ((status & 7) && !sev_advertised(report)) {
		sink_printf(detail, "SEV_STATUS 0x%lx says SEV is active, yet 0x8000001F does not "
				    "advertise SEV: guests that check the leaf first (OVMF, Linux) "
				    "run as if it were not", (unsigned long)status);
		return OUTCOME_WARN;
	}
	if (hyperv && ((hyperv == 2 && (tdx_type(cvm->type) || cvm->type == CVM_TYPE_SEV ||
					cvm->type == CVM_TYPE_SEV_ES)) ||
		       (hyperv == 3 && sev_type(cvm->type)))) {
		sink_printf(detail, "Hyper-V says isolation type %u, the hardware says %s", hyperv,
			    cvm_type_name(cvm->type));
		return OUTCOME_WARN;
	}
	if (cc && ((ascii_equal(cc, "sev", false) && !sev_type(cvm->type)) ||
		   (ascii_equal(cc, "tdx", false) && !tdx_type(cvm->type)) ||
		   (ascii_equal(cc, "none", false) && cvm->type != CVM_TYPE_NONE))) {
		sink_printf(detail, "EFI_CC_MEASUREMENT_PROTOCOL says CC type %s, the CPU says %s",
			    cc, cvm_type_name(cvm->type));
		return OUTCOME_WARN;
	}
	*severity = SEVERITY_NONE;
	if (cvm->type == CVM_TYPE_NONE && !sev_advertised(report) && !hyperv && !cc) {
		sink_puts(detail, "no source says confidential: nothing to compare");
		return OUTCOME_NOT_APPLICABLE;
	}
	sink_printf(detail, "%s, by %s; no source says otherwise", cvm_type_name(cvm->type),
		    cvm_basis_text(cvm->basis));
	return OUTCOME_PASS;
}

/* Linux snp_init(): an SNP guest without the blob, or with a table it
 * cannot use, stops (SEV_TERM_SET_LINUX, GHCB_TERM_CPUID). */
static enum outcome snp_cpuid_table(const struct hv_report *report, enum severity *severity,
				    struct text_sink *detail)
{
	const struct cvm_snp_table *snp = &report->cvm.snp;

	*severity = SEVERITY_NONE;
	if (report->cvm.type != CVM_TYPE_SEV_SNP) {
		sink_puts(detail, "not an SEV-SNP guest");
		return OUTCOME_NOT_APPLICABLE;
	}
	*severity = SEVERITY_HIGH;
	switch (snp->state) {
	case CVM_SNP_NOT_LOOKED:
		*severity = SEVERITY_NONE;
		sink_printf(detail, "not looked for: %s", report->cvm.no_firmware);
		return OUTCOME_SKIP;
	case CVM_SNP_NOT_PUBLISHED:
		sink_puts(detail, "an SEV-SNP guest, and the firmware published no "
				  "CONFIDENTIAL_COMPUTING_SNP_BLOB_GUID table: Linux cannot find "
				  "its validated CPUID table");
		return OUTCOME_FAIL;
	case CVM_SNP_BLOB_BAD:
	case CVM_SNP_TABLE_BAD:
		sink_printf(detail, "an SEV-SNP guest, and %s", snp->problem);
		return OUTCOME_FAIL;
	case CVM_SNP_PAGE_UNREAD:
		*severity = SEVERITY_NONE;
		sink_printf(detail, "the CPUID page was not read: %s",
			    snp->problem ? snp->problem : "unknown");
		return OUTCOME_SKIP;
	case CVM_SNP_TABLE_READ:
		break;
	}
	if (!snp->disagreeing) {
		*severity = SEVERITY_NONE;
		sink_printf(detail, "%u hypervisor leaves read, each as the %u-entry table has it",
			    (unsigned)snp->compared, snp->count);
		return OUTCOME_PASS;
	}
	sink_printf(detail, "%u of %u hypervisor leaves differ from the table; first 0x%08x.%u: "
			    "read EAX 0x%08x EBX 0x%08x, table EAX 0x%08x EBX 0x%08x",
		    (unsigned)snp->disagreeing, (unsigned)snp->compared, snp->first_leaf,
		    snp->first_subleaf, snp->first_read.eax, snp->first_read.ebx,
		    snp->first_table.eax, snp->first_table.ebx);
	return OUTCOME_FAIL;
}

static const struct cvm_rule {
	const char *name;
	const char *meaning;
	enum outcome (*judge)(const struct hv_report *report, enum severity *severity,
			      struct text_sink *detail);
} rules[] = {
	{ "sources-agree", "CPUID, SEV_STATUS, TDCALL, Hyper-V and UEFI agree on it",
	  sources_agree },
	{ "snp-cpuid-table", "SEV-SNP: the validated CPUID table is there, and matches",
	  snp_cpuid_table },
};
#define CLEANUP_LABEL "cleanup"

void cvm_judge(const struct hv_report *report, struct result_list *results)
{
	if (!report->cvm.examined)
		return;
	for (size_t i = 0; i < COUNT_OF(rules); i++) {
		char detail[RESULT_DETAIL_MAX];
		struct buffer_sink text;
		enum severity severity;
		string_sink_init(&text, detail, sizeof(detail));
		enum outcome outcome = rules[i].judge(report, &severity, &text.sink);
		sink_puts(results_add(results, outcome, severity, "cvm.", rules[i].name),
			  string_sink_finish(&text));
	}
	if (report->cvm.handlers_left)
		sink_printf(results_add(results, OUTCOME_FAIL, SEVERITY_CRITICAL, "cvm.",
					CLEANUP_LABEL),
			    "fault handlers NOT all unregistered: %s", report->cvm.handlers_left);
}

bool cvm_label_known(const char *name)
{
	for (size_t i = 0; i < COUNT_OF(rules); i++)
		if (ascii_equal(name, rules[i].name, true))
			return true;
	return ascii_equal(name, CLEANUP_LABEL, true);
}

void render_cvm_labels(struct text_sink *out)
{
	for (size_t i = 0; i < COUNT_OF(rules); i++)
		sink_printf(out, "  cvm.%-20s %s\n", rules[i].name, rules[i].meaning);
	sink_puts(out, "  cvm.cleanup              the fault guard of the examination put back\n");
}

/* --- the requirement keys ---------------------------------------------- */

enum cvm_fact {
	FACT_TYPE,
	FACT_SEV_STATUS,
	FACT_C_BIT,
	FACT_PHYS_REDUCTION,
	FACT_VMPLS,
	FACT_TDX_GPAW,
	FACT_TDX_ATTRIBUTES,
	FACT_TDX_NUM_VCPUS,
	FACT_TDX_MAX_VCPUS,
	FACT_HYPERV_ISOLATION,
	FACT_HYPERV_PARAVISOR,
	FACT_CC_TYPE,
};

static const struct fact_def cvm_fact_defs[] = {
	[FACT_TYPE] = { "cvm.type", FACT_TEXT, 0, 0,
			"the type: none, sev-snp, tdx, ..." },
	[FACT_SEV_STATUS] = { "cvm.sev.status", FACT_NUMBER, UINT64_MAX, 0,
			      "SEV_STATUS, MSR 0xc0010131 (AMD)" },
	[FACT_C_BIT] = { "cvm.sev.c_bit", FACT_NUMBER, 63, 0, "0x8000001F EBX[5:0]: C-bit" },
	[FACT_PHYS_REDUCTION] = { "cvm.sev.phys_addr_reduction", FACT_NUMBER, 63, 0,
				  "0x8000001F EBX[11:6]" },
	[FACT_VMPLS] = { "cvm.snp.vmpls", FACT_NUMBER, 15, 0, "0x8000001F EBX[15:12]: VMPLs" },
	[FACT_TDX_GPAW] = { "cvm.tdx.gpaw", FACT_NUMBER, 63, 0, "TDG.VP.INFO: GPA width" },
	[FACT_TDX_ATTRIBUTES] = { "cvm.tdx.attributes", FACT_NUMBER, UINT64_MAX, 0,
				  "TDG.VP.INFO: the TD's attributes" },
	[FACT_TDX_NUM_VCPUS] = { "cvm.tdx.num_vcpus", FACT_NUMBER, UINT32_MAX, 0,
				 "TDG.VP.INFO: vCPUs in use" },
	[FACT_TDX_MAX_VCPUS] = { "cvm.tdx.max_vcpus", FACT_NUMBER, UINT32_MAX, 0,
				 "TDG.VP.INFO: vCPUs at most" },
	[FACT_HYPERV_ISOLATION] = { "cvm.hyperv.isolation_type", FACT_NUMBER, 15, 0,
				    "0x4000000C EBX[3:0]: 1 VBS, 2 SNP, 3 TDX" },
	[FACT_HYPERV_PARAVISOR] = { "cvm.hyperv.paravisor", FACT_NUMBER, 1, 0,
				    "0x4000000C EAX bit 0" },
	[FACT_CC_TYPE] = { "cvm.uefi.cc_type", FACT_TEXT, 0, 0,
			   "the CC protocol's type: tdx, ..." },
};

static const char *sev_leaf_fact(const struct hv_report *report, unsigned field, uint64_t *out)
{
	const struct cpuid_regs *sev = cvm_sev_leaf(report);

	if (!sev)
		return "0x8000001F not provided";
	*out = hv_field_value(&sev_leaf_ebx_fields[field], sev->ebx);
	return NULL;
}

static const char *tdx_fact(const struct cvm_tdx_info *t, enum cvm_fact fact, uint64_t *out)
{
	if (t->state != CVM_READ)
		return t->state == CVM_NOT_READ ? t->not_read : "TDG.VP.INFO failed";
	*out = fact == FACT_TDX_GPAW	       ? t->gpaw
	       : fact == FACT_TDX_ATTRIBUTES ? t->attributes
	       : fact == FACT_TDX_NUM_VCPUS  ? t->num_vcpus
					     : t->max_vcpus;
	return NULL;
}

static const char *cvm_fact_value(const struct hv_report *report, const struct fact_def *def,
				  unsigned index, struct fact_value *out)
{
	const struct cvm_report *cvm = &report->cvm;
	enum cvm_fact fact = (enum cvm_fact)(def - cvm_fact_defs);
	struct cvm_hyperv_isolation h;

	(void)index;
	if (!cvm->examined)
		return "confidential computing not examined";
	switch (fact) {
	case FACT_TYPE:
		if (cvm->type == CVM_TYPE_UNDECIDED)
			return "undecided: 0x8000001F advertises SEV, SEV_STATUS not read";
		out->text = cvm_type_name(cvm->type);
		return NULL;
	case FACT_SEV_STATUS:
		if (cvm->sev_status.state == CVM_FAULTED)
			return "reading SEV_STATUS faulted";
		if (cvm->sev_status.state != CVM_READ)
			return cvm->sev_status.not_read;
		out->number = cvm->sev_status.value;
		return NULL;
	case FACT_C_BIT:
	case FACT_PHYS_REDUCTION:
	case FACT_VMPLS:
		return sev_leaf_fact(report, fact - FACT_C_BIT, &out->number);
	case FACT_TDX_GPAW:
	case FACT_TDX_ATTRIBUTES:
	case FACT_TDX_NUM_VCPUS:
	case FACT_TDX_MAX_VCPUS:
		return tdx_fact(&cvm->tdx, fact, &out->number);
	case FACT_HYPERV_ISOLATION:
	case FACT_HYPERV_PARAVISOR:
		if (!cvm_hyperv_isolation(report, &h) || !h.config_read)
			return "no Hyper-V isolation leaf (0x4000000C)";
		out->number = fact == FACT_HYPERV_ISOLATION ? h.type : h.paravisor;
		return NULL;
	case FACT_CC_TYPE:
		if (cvm->cc.state != CVM_CC_FOUND)
			return cvm->cc.state == CVM_CC_ABSENT ? "no EFI_CC_MEASUREMENT_PROTOCOL"
			       : cvm->cc.state == CVM_CC_NOT_LOOKED ? cvm->no_firmware
								    : cvm->cc.problem;
		out->text = cvm_cc_type_name(cvm->cc.type);
		return out->text ? NULL : "a CC type edk2 does not name";
	}
	return "no such fact";
}

const struct fact_family cvm_facts = { "cvm.* (confidential computing)", cvm_fact_defs,
				       COUNT_OF(cvm_fact_defs), cvm_fact_value };
