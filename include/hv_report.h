/* The report model: every fact hvfeat learned from CPUID, before any
 * rendering. Text, log, JSON and raw dumps are all drawn from one of these,
 * so they cannot disagree. */
#ifndef HVFEAT_HV_REPORT_H
#define HVFEAT_HV_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"
#include "arm_id.h"
#include "cpuid_source.h"
#include "checks.h"
#include "cvm.h"
#include "hv_catalog.h"
#include "probe.h"
#include "results.h"
#include "smbios.h"
#include "smccc.h"
#include "vcpus.h"

/* Why a run on recorded CPUID (-f: a dump or a JSON report) reads nothing
 * else of the machine it runs on (its SMBIOS tables, SEV_STATUS, TDCALL,
 * firmware tables, the probes): they would not go with that CPUID. One
 * phrase for every part the report says it of. */
#define NOT_READ_FROM_RECORDING "CPUID came from a recording, not this machine"

#define HV_BASE_FIRST 0x40000000u
#define HV_BASE_LAST 0x4000ff00u
#define HV_BASE_STRIDE 0x100u
#define HV_BASE_COUNT 256u
/* A hostile hypervisor can claim 256 leaves at each of 256 bases; past
 * this many leaves in all, blocks are listed but not read. */
#define HV_LEAF_BUDGET 1024u
/* Real layouts hold one to three interfaces; past this many, blocks are
 * listed with their raw leaves but not decoded, which bounds the report. */
#define HV_DECODED_INTERFACES 8u
/* Leaves read whatever the hypervisor says: 0, 1, the highest basic leaf
 * (Intel's echo), and for confidential computing 0x21, 0x80000000 and
 * 0x8000001F (cvm.h). */
#define HV_FIXED_LEAVES 6u
/* Every leaf a report can hold: the fixed leaves, each base leaf, the
 * budget. */
#define HV_REPORT_LEAVES (HV_FIXED_LEAVES + HV_BASE_COUNT + HV_LEAF_BUDGET)

enum max_leaf_note {
	MAX_LEAF_AS_REPORTED,
	MAX_LEAF_RAISED_TO_BASE_PLUS_ONE,  /* KVM: old hosts answer 0 */
	MAX_LEAF_BELOW_BASE,               /* only the base leaf is read */
	MAX_LEAF_CLAMPED,                  /* past base+0xff, the next block */
};

struct hv_interface {
	uint32_t base;
	char signature[HV_SIGNATURE_LENGTH];
	uint32_t reported_max_leaf; /* EAX of the base leaf, as returned */
	uint32_t last_leaf;         /* the last leaf that belongs to the block */
	enum max_leaf_note max_leaf_note;
	const struct hv_vendor *vendor; /* NULL: unknown signature */
	bool leaves_cut_by_budget;
	bool past_decode_limit; /* not decoded: HV_DECODED_INTERFACES came first */
};

struct leaf_reading {
	uint32_t leaf, subleaf;
	struct cpuid_regs regs;
};

struct hv_report {
	const char *source_kind;
	const char *source_description;
	char cpu_vendor[HV_SIGNATURE_LENGTH];
	uint32_t max_basic_leaf;
	bool hypervisor_bit;
	/* With the bit clear, leaf 0x40000000 is read once, only to say whether
	 * it answers anyway (QEMU TCG does); it is not trusted as an interface. */
	const struct hv_vendor *unadvertised_vendor;

	size_t interface_count;
	struct hv_interface interfaces[HV_BASE_COUNT];
	size_t skipped_echo_bases; /* bases that only echoed out-of-range data */

	size_t leaf_count;
	struct leaf_reading leaves[HV_REPORT_LEAVES];
	uint32_t cpuid_executions;

	/* Filled by vcpus_read() or vcpus_not_read(): the same leaves on
	 * every vCPU. */
	struct vcpu_report vcpus;

	/* The firmware's SMBIOS tables, read after the scan (efi/smbios_tables.c,
	 * the host build's /sys/firmware/dmi/tables); not read for a replay. */
	struct smbios_report smbios;
	/* Arm's interface to the hypervisor, SMCCC (smccc_scan); asked on
	 * AArch64 or replayed from a recording with an SMCCC section. */
	struct smccc_report smccc;
	/* The CPU the hypervisor presents on Arm, its ID registers (arm_id.h):
	 * read in AArch64 firmware, or replayed from a dump that holds them. */
	struct arm_id_report arm_id;
	/* The ACPI FADT's view of the platform, on every architecture (not
	 * read when CPUID came from a dump). */
	struct fadt_facts fadt;

	/* Filled by hv_check(); no section in the report when none were asked. */
	size_t check_count;
	struct check_result checks[MAX_REQUIREMENTS];

	/* Filled by cvm_examine(); no section unless examined. */
	struct cvm_report cvm;

	/* Filled by probe_run() or probe_not_run(); no section unless asked. */
	struct probe_report probes;

	/* Filled by hv_judge(): everything judged, and what it adds up to. */
	struct result_list results;
	struct verdict verdict;
};

/* Executes (or replays) CPUID and fills the report. Bounded whatever the
 * source returns: at most HV_FIXED_LEAVES + HV_BASE_COUNT + HV_LEAF_BUDGET
 * queries. */
void hv_scan(struct hv_report *report, const struct cpuid_source *source);

/* Whether CPUID was read (or replayed): not on AArch64. */
bool hv_report_has_cpuid(const struct hv_report *report);

/* The registers read for (leaf, subleaf), or NULL if it was not read. */
const struct cpuid_regs *hv_report_leaf(const struct hv_report *report,
					uint32_t leaf, uint32_t subleaf);

enum decoder_state {
	DECODED,
	LEAF_NOT_PROVIDED,  /* past the block's max leaf, or not read */
	OTHER_INTERFACE,    /* base+1 names an interface the table is not for */
};

/* The register a decoder reads, for one interface. */
enum decoder_state hv_decoder_value(const struct hv_report *report,
				    const struct hv_interface *iface,
				    const struct register_decoder *decoder,
				    uint32_t *value);

/* The KVM block a Linux guest would use: the first base, in scan order,
 * with the KVM signature. NULL when there is none. */
const struct hv_interface *hv_guest_kvm_interface(const struct hv_report *report);

/* Set bits of a decoder's register that no bit or field of it defines. */
uint32_t hv_unknown_bits(const struct register_decoder *decoder, uint32_t value);

uint32_t hv_field_value(const struct field_def *field, uint32_t value);

/* Finds an item of vendor's table by upstream identifier, or, when by_key,
 * by short key ("kvm.hints.realtime", compared without regard to case). */
bool hv_find_item(const struct hv_vendor *vendor, const char *name, bool by_key,
		  struct hv_item *item);

/* An AMD or Hygon processor (leaf 0's vendor): AMD's MSRs (SEV_STATUS)
 * and hypercall instruction (vmmcall) are its own. */
bool hv_vendor_is_amd(const struct hv_report *report);

/* The product an interface's signature names, or "unknown signature". */
const char *hv_product(const struct hv_interface *iface);

/* The first interface of this vendor key ("bhyve" covers both spellings),
 * in scan order, or NULL. */
const struct hv_interface *hv_interface_by_key(const struct hv_report *report,
					       const char *key);

enum decoder_state hv_item_value(const struct hv_report *report,
				 const struct hv_interface *iface,
				 const struct hv_item *item, uint32_t *value);

#endif
