/* Confidential computing: whether this VM is a confidential one (AMD SEV,
 * SEV-ES, SEV-SNP; Intel TDX; Hyper-V isolation), and the evidence. The
 * core decides from the CPUID leaves the scan records (0x21, 0x80000000,
 * 0x8000001F and Hyper-V's), MSR_AMD64_SEV and TDG.VP.INFO read through
 * the guarded machine (probe.h), and what the UEFI firmware publishes,
 * handed over as bytes (struct cvm_firmware) and parsed here, bounded. */
#ifndef HVFEAT_CVM_H
#define HVFEAT_CVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuid_source.h"
#include "facts.h"
#include "hv_catalog.h"
#include "results.h"
#include "text_sink.h"

struct hv_report;
struct probe_machine;

/* The leaves the scan records for this module (hv_scan.c). */
#define CVM_LEAF_TDX 0x21u             /* Intel TDX: "IntelTDX    " */
#define CVM_LEAF_EXTENDED_MAX 0x80000000u
#define CVM_LEAF_SEV 0x8000001fu       /* AMD memory encryption */

/* AMD APM vol. 2, 15.34.10; Linux msr-index.h, edk2 SevSnpMsr.h */
#define MSR_AMD64_SEV 0xc0010131u
/* Intel TDX module ABI: the TDCALL leaf TDG.VP.INFO (edk2 Tdx.h:
 * TDCALL_TDINFO) */
#define TDG_VP_INFO 1u

enum cvm_type {
	CVM_TYPE_NONE,
	CVM_TYPE_SEV,
	CVM_TYPE_SEV_ES,
	CVM_TYPE_SEV_SNP,
	CVM_TYPE_TDX,
	CVM_TYPE_HYPERV_VBS,
	CVM_TYPE_HYPERV_SNP,
	CVM_TYPE_HYPERV_TDX,
	CVM_TYPE_UNDECIDED, /* SEV advertised, SEV_STATUS not read */
};

/* Which evidence decided the type. */
enum cvm_basis {
	CVM_BY_NOTHING,          /* no source says confidential */
	CVM_BY_TDX_LEAF,         /* CPUID 0x21 "IntelTDX    " */
	CVM_BY_SEV_STATUS,       /* MSR_AMD64_SEV */
	CVM_BY_HYPERV_ISOLATION, /* 0x40000003 EBX bit 22, 0x4000000C */
	CVM_BY_SEV_LEAF_ONLY,    /* undecided: the leaf, without the MSR */
};

enum cvm_reading {
	CVM_NOT_READ,  /* not_read says why */
	CVM_READ,
	CVM_FAULTED,   /* vector says which fault the guard caught */
	CVM_FAILED,    /* TDCALL returned a status other than 0 */
};

struct cvm_sev_status {
	enum cvm_reading state;
	uint64_t value;
	uint8_t vector;
	const char *not_read;
};

/* TDG.VP.INFO (TDX module ABI): RCX GPAW, RDX the TD's attributes, R8
 * NUM_VCPUS in 31:0 and MAX_VCPUS in 63:32 (as Intel's td-shim reads it;
 * edk2's TDCALL_INFO_RETURN_DATA names the two halves the other way
 * round), R9 31:0 VCPU_INDEX. */
struct cvm_tdx_info {
	enum cvm_reading state;
	uint64_t status; /* RAX after TDCALL */
	uint8_t vector;
	const char *not_read;
	uint32_t gpaw, num_vcpus, max_vcpus, vcpu_index;
	uint64_t attributes;
};

/* edk2 MdePkg Protocol/CcMeasurement.h: EFI_CC_BOOT_SERVICE_CAPABILITY,
 * not packed: Size (1), StructureVersion (2), ProtocolVersion (2),
 * HashAlgorithmBitmap at 8, SupportedEventLogs at 12, CcType (Type,
 * SubType) at 16; 20 bytes. */
#define CC_CAPABILITY_BYTES 20u

enum cvm_cc_state {
	CVM_CC_NOT_LOOKED,    /* no firmware asked (a dump, the host build) */
	CVM_CC_ABSENT,        /* LocateProtocol found none */
	CVM_CC_NO_CAPABILITY, /* GetCapability failed, or said too little */
	CVM_CC_FOUND,
};

struct cvm_cc_protocol {
	enum cvm_cc_state state;
	uint64_t status;     /* GetCapability's EFI_STATUS */
	const char *problem; /* CVM_CC_NO_CAPABILITY: what was wrong */
	uint8_t size, structure_major, structure_minor, protocol_major, protocol_minor;
	uint32_t hash_algorithms, event_logs;
	uint8_t type, subtype; /* EFI_CC_TYPE_* */
};

/* edk2 OvmfPkg Guid/ConfidentialComputingSevSnpBlob.h (Linux struct
 * cc_blob_sev_info): Header 'AMDE', Version, reserved, the secrets page's
 * address (8) and size (16), the CPUID page's address (24) and size (32);
 * 40 bytes. */
#define SNP_BLOB_BYTES 40u
#define SNP_BLOB_HEADER 0x45444d41u /* "AMDE", Linux CC_BLOB_SEV_HDR_MAGIC */
/* Linux struct snp_cpuid_table (SNP firmware ABI, 8.14.2.6, and table 14
 * for its entries): count, 12 reserved bytes, then at most
 * SNP_CPUID_COUNT_MAX entries of 48 bytes: EAX and ECX in, XCR0 and XSS
 * in, EAX..EDX out, 8 reserved. */
#define SNP_CPUID_COUNT_MAX 64u
#define SNP_CPUID_HEADER_BYTES 16u
#define SNP_CPUID_ENTRY_BYTES 48u
#define SNP_CPUID_TABLE_BYTES (SNP_CPUID_HEADER_BYTES + SNP_CPUID_COUNT_MAX * SNP_CPUID_ENTRY_BYTES)

struct snp_cpuid_entry {
	uint32_t eax_in, ecx_in;
	uint64_t xcr0_in, xss_in;
	struct cpuid_regs regs;
};

enum cvm_snp_state {
	CVM_SNP_NOT_LOOKED,
	CVM_SNP_NOT_PUBLISHED, /* no CONFIDENTIAL_COMPUTING_SNP_BLOB_GUID table */
	CVM_SNP_BLOB_BAD,      /* problem says how */
	CVM_SNP_PAGE_UNREAD,   /* problem says why */
	CVM_SNP_TABLE_BAD,
	CVM_SNP_TABLE_READ,
};

struct cvm_snp_table {
	enum cvm_snp_state state;
	const char *problem;
	uint16_t blob_version;
	uint64_t cpuid_address;
	uint32_t cpuid_size;
	uint32_t count;
	struct snp_cpuid_entry entries[SNP_CPUID_COUNT_MAX];
	/* The hypervisor leaves (0x40000000-0x4fffffff) hvfeat read, each
	 * against the table's entry for it (none: it reads as zero, Linux
	 * snp_cpuid()); the first that differs. */
	size_t compared, disagreeing;
	uint32_t first_leaf, first_subleaf;
	struct cpuid_regs first_read, first_table;
};

/* What the firmware shell hands over: the CC measurement protocol's
 * capability and the SNP blob with the CPUID page it points at, as bytes. */
struct cvm_firmware {
	bool cc_protocol_found;
	uint64_t cc_capability_status;
	uint8_t cc_capability[CC_CAPABILITY_BYTES];
	bool snp_blob_found;
	uint8_t snp_blob[SNP_BLOB_BYTES];
	size_t snp_cpuid_length; /* bytes of the page copied, at most the table's */
	uint8_t snp_cpuid_page[SNP_CPUID_TABLE_BYTES];
	const char *snp_cpuid_unread; /* why none were, when the blob is there */
};

struct cvm_report {
	bool examined; /* cvm_examine ran: else no section, no results */
	/* Why SEV_STATUS, TDCALL and the firmware were not asked (a dump, the
	 * host build, no fault guard); NULL when they were. */
	const char *no_machine;
	/* Why the firmware's protocol and tables were not looked at (NULL:
	 * they were). */
	const char *no_firmware;
	enum cvm_type type;
	enum cvm_basis basis;
	struct cvm_sev_status sev_status;
	struct cvm_tdx_info tdx;
	struct cvm_cc_protocol cc;
	struct cvm_snp_table snp;
	/* A fault handler of the guard, opened for the examination alone,
	 * that the firmware would not unregister (NULL: none). */
	const char *handlers_left;
};

/* Why the host build's machine was not asked (a replay: NOT_READ_FROM_RECORDING). */
#define CVM_NO_MACHINE_HOST "a Linux process; hvfeat.efi reads the MSR, TDCALL and UEFI"

/* Fills report->cvm from the scan's leaves, machine (NULL: none, with why
 * in no_machine) and firmware (NULL: not looked at). The MSR is read only
 * on an AMD or Hygon processor, TDCALL only in a TD (CPUID.0.EAX >= 0x21
 * and leaf 0x21 "IntelTDX    "). */
void cvm_examine(struct hv_report *report, const struct probe_machine *machine,
		 const char *no_machine, const struct cvm_firmware *firmware);

/* "sev-snp": what --require cvm.type compares with. */
const char *cvm_type_name(enum cvm_type type);

/* Whether the VM is a confidential one (any type but none); unknown while
 * undecided (SEV advertised, SEV_STATUS not read) or not examined. */
enum cvm_answer { CVM_ANSWER_NO, CVM_ANSWER_YES, CVM_ANSWER_UNKNOWN };
enum cvm_answer cvm_confidential(const struct hv_report *report);

/* The type when the VM's memory is private to it, so that the host cannot
 * write the pages the paravirtual features share (Linux maps them
 * decrypted: kvmclock.c __bss_decrypted, kvm.c); NULL when it is not, or
 * when nothing was examined. */
const char *cvm_private_memory(const struct hv_report *report);

/* The type when the VM is a TD (tdx, hyperv-tdx), where RDMSR, WRMSR and
 * VMCALL that the TDX module leaves to the host raise #VE, which the
 * firmware handles, and never reach the fault guard: OVMF's #VE handler
 * halts the TD when the host refuses an MSR and takes VMCALL for a no-op
 * (OvmfPkg CcExitLib, CcExitVeHandler.c); under Hyper-V's paravisor
 * hvfeat cannot tell who takes them. NULL otherwise, or when nothing was
 * examined. Under SEV-ES and SNP OVMF's #VC handler turns the #GP the host
 * asks for into a #GP the guard catches (CcExitVcHandler.c,
 * VmgExitErrorCheck). */
const char *cvm_td_exits(const struct hv_report *report);

/* The type when the guest's register state is encrypted (sev-es,
 * sev-snp: SEV_STATUS bit 1), so that the host sees of a VMMCALL only what
 * the firmware's #VC handler puts in the GHCB: OVMF's VmmCallExit gives it
 * RAX and CPL, no argument register (CcExitVcHandler.c). NULL otherwise. */
const char *cvm_vmmcall_rax_only(const struct hv_report *report);

/* One line of evidence: where it came from and what it says. */
#define CVM_FINDING_MAX 120u
#define CVM_EVIDENCE_MAX 9u
struct cvm_evidence {
	const char *source; /* "SEV_STATUS (MSR 0xc0010131)" */
	char finding[CVM_FINDING_MAX];
};

/* The evidence, in the order it is weighed; returns how many lines. */
size_t cvm_evidence(const struct hv_report *report, struct cvm_evidence out[CVM_EVIDENCE_MAX]);

/* What decided the type, in words. */
const char *cvm_basis_text(enum cvm_basis basis);

/* 0x8000001F's registers, when the scan read the leaf. */
const struct cpuid_regs *cvm_sev_leaf(const struct hv_report *report);

/* The decoding tables, for the renderers: 0x8000001F's four registers,
 * the bits of SEV_STATUS and of the TD's attributes (64 bits each). */
extern const struct register_decoder cvm_sev_leaf_decoders[4];
struct cvm_bits64 {
	const char *title;
	const struct bit_def *bits;
	size_t count;
};
extern const struct cvm_bits64 cvm_sev_status_bits;
extern const struct cvm_bits64 cvm_tdx_attribute_bits;
uint64_t cvm_unknown_bits(const struct cvm_bits64 *table, uint64_t value);

/* The EFI_CC_TYPE name ("tdx"), or NULL for a type edk2 does not name. */
const char *cvm_cc_type_name(uint8_t type);
/* Hyper-V's isolation, from the first Hyper-V-compatible block; false
 * when its leaves do not say (no block, no 0x4000000C). */
struct cvm_hyperv_isolation {
	bool isolated, root, paravisor, boundary_active;
	uint32_t type, boundary_bit;
	bool config_read; /* 0x4000000C decoded */
};
bool cvm_hyperv_isolation(const struct hv_report *report, struct cvm_hyperv_isolation *out);

/* The firmware's bytes, parsed: false with out->problem set when they do
 * not hold what they should (fuzzed: tests/fuzz/fuzz_cvm.c). */
bool cvm_parse_cc_capability(const uint8_t *bytes, size_t length, struct cvm_cc_protocol *out);
bool cvm_parse_snp_blob(const uint8_t *bytes, size_t length, struct cvm_snp_table *out);
bool cvm_parse_snp_cpuid(const uint8_t *bytes, size_t length, struct cvm_snp_table *out);

/* The results (cvm.*), once examined; the labels and their meanings. */
void cvm_judge(const struct hv_report *report, struct result_list *results);
bool cvm_label_known(const char *name);
void render_cvm_labels(struct text_sink *out);

/* cvm.type, cvm.sev.c_bit, ...: the requirement keys (facts.h). */
extern const struct fact_family cvm_facts;

#endif
