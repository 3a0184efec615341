/* Every vCPU: the CPUID leaves the scan read, executed again on each vCPU
 * and compared with the boot vCPU's, the fields that differ between
 * logical processors by design left out by rule (a table in vcpus.c, each
 * row citing the SDM, the APM or the hypervisor's header). The vCPUs come
 * through a small interface: the firmware runs CPUID on each application
 * processor (EFI_MP_SERVICES_PROTOCOL), the host build on each CPU it may
 * run on, and a dump with "CPU N:" sections replays each section. */
#ifndef HVFEAT_VCPUS_H
#define HVFEAT_VCPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuid_source.h"
#include "facts.h"
#include "hv_catalog.h"
#include "results.h"

/* vCPUs listed one by one; a VM with more has the rest counted, not read. */
#define VCPU_MAX 256u
/* Differences listed with their bits; past this many they are counted. */
#define VCPU_DIFFERENCES_MAX 48u
/* How long one vCPU may take for its CPUID (the worst case, 1283 leaves,
 * is about 0.3 s on the nested real-KVM bed, a trap of 250 us each). */
#define VCPU_CPUID_TIMEOUT_MS 1000u

enum vcpu_state {
	VCPU_BOOT,        /* the one hvfeat runs on: the reference */
	VCPU_COMPARED,    /* its CPUID read and compared */
	VCPU_DISABLED,    /* the firmware keeps it disabled: not started */
	VCPU_TIMED_OUT,   /* did not finish within VCPU_CPUID_TIMEOUT_MS */
	VCPU_NOT_STARTED, /* the firmware would not start it */
};

/* What the source says of one vCPU before it is read. */
struct vcpu_identity {
	uint32_t number;     /* the firmware's processor number, the dump's CPU N */
	uint64_t apic_id;    /* the firmware's ProcessorId, when apic_id_known */
	bool apic_id_known;  /* else taken from its CPUID leaf 1 EBX[31:24] */
	bool boot;           /* the vCPU the report's scan ran on */
	bool enabled, healthy;
};

struct vcpu_source {
	const void *context;
	const char *method; /* "EFI_MP_SERVICES_PROTOCOL", shown in the report */
	size_t present;     /* the boot vCPU included */
	size_t enabled;
	void (*describe)(const struct vcpu_source *self, size_t index,
			 struct vcpu_identity *out);
	/* CPUID of each record's leaf and sub-leaf, executed on vCPU index,
	 * into its regs; VCPU_COMPARED when every one was read, else why not
	 * (VCPU_TIMED_OUT, VCPU_NOT_STARTED). */
	enum vcpu_state (*read)(const struct vcpu_source *self, size_t index,
				struct cpuid_record *records, size_t count);
	/* Whether vCPU index's answer to (leaf, subleaf) is known: a dump's
	 * later CPU section holds only the leaves it lists, and the others are
	 * not compared. NULL: every answer is the vCPU's own. */
	bool (*holds)(const struct vcpu_source *self, size_t index, uint32_t leaf,
		      uint32_t subleaf);
};

struct vcpu {
	uint32_t number;
	uint64_t apic_id;
	bool apic_id_known;      /* from the source, or from its CPUID */
	bool apic_id_from_cpuid; /* leaf 1 EBX[31:24]: the source knew none */
	bool healthy;
	enum vcpu_state state;
	uint32_t differing_registers; /* beyond the per-vCPU fields */
	uint32_t per_vcpu_registers;  /* differing only in per-vCPU fields */
	uint32_t leaves_unknown;      /* not compared: the source does not hold them */
};

/* A register of one vCPU that differs from the boot vCPU's beyond the
 * fields left out by rule. */
struct vcpu_difference {
	uint32_t vcpu; /* its number */
	uint32_t leaf, subleaf;
	enum cpuid_register reg;
	uint32_t boot_value, value;
	uint32_t bits; /* (boot_value ^ value), the per-vCPU fields left out */
};

/* A field that differs between logical processors by design, left out of
 * the comparison (the table is in vcpus.c). */
struct per_vcpu_rule {
	uint32_t leaf;  /* a basic leaf, or the offset in a Xen block */
	bool xen_block; /* at each Xen interface's base + leaf */
	uint32_t subleaf; /* VCPU_ANY_SUBLEAF: every sub-leaf */
	enum cpuid_register reg;
	uint32_t mask;
	const char *field;
	const char *source;
};
#define VCPU_ANY_SUBLEAF UINT32_MAX

/* The rules, in table order; NULL past the last. */
const struct per_vcpu_rule *vcpu_rule(size_t index);

/* Not looked at (no section, no results): read false, not_read_reason
 * NULL, as a report the shells did not ask about (a baseline). */
struct vcpu_report {
	bool read;                   /* false: not_read_reason says why */
	const char *not_read_reason; /* "the firmware has no EFI_MP_SERVICES_PROTOCOL" */
	const char *method;
	size_t present, enabled;
	size_t leaves_compared;      /* on each vCPU: the report's leaves */
	size_t count;                /* listed: at most VCPU_MAX */
	struct vcpu vcpus[VCPU_MAX];
	size_t difference_count;     /* all, even past those listed */
	struct vcpu_difference differences[VCPU_DIFFERENCES_MAX];
	uint32_t rules_applied;      /* bit r: rule r left a difference out */
};

struct hv_report;
struct cpuid_dump;

/* A dump's CPU sections as vCPUs, the first the boot vCPU (the one a
 * replay scans), each answering as cpuid_source_recorded does. */
void vcpu_source_dump(struct vcpu_source *source, const struct cpuid_dump *dump);

/* Reads every vCPU the source has (the first VCPU_MAX) for the leaves the
 * report's scan read, into report->vcpus. */
void vcpus_read(struct hv_report *report, const struct vcpu_source *source);

/* A replayed dump's sections (json: a JSON report, which holds one CPU's
 * leaves); a dump of one CPU says nothing of the others. */
void vcpus_read_dump(struct hv_report *report, const struct cpuid_dump *dump, bool json);

/* No vCPUs read, and why (no MP services, a dump of one CPU). */
void vcpus_not_read(struct hv_report *report, const char *reason);

/* The bits of (leaf, subleaf, reg) that differ between logical processors
 * by design, for the report's layout (a Xen block's base); *applied gets
 * bit r for each rule r that covers a bit of differ. */
uint32_t vcpu_per_vcpu_bits(const struct hv_report *report, uint32_t leaf, uint32_t subleaf,
			    enum cpuid_register reg, uint32_t differ, uint32_t *applied);

/* What the state is called in the report and the JSON: "compared". */
const char *vcpu_state_name(enum vcpu_state state);

/* Counts over the vCPUs listed. */
size_t vcpus_differing(const struct vcpu_report *vcpus);
size_t vcpus_in_state(const struct vcpu_report *vcpus, enum vcpu_state state);
/* Every enabled vCPU read and none differing. */
bool vcpus_consistent(const struct vcpu_report *vcpus);

/* The results vcpu.cpuid and vcpu.startup, when there are vCPUs besides
 * the boot one to judge: a single vCPU, or none read, is said in the
 * report and the facts, and judged by nothing. */
void vcpus_judge(const struct hv_report *report, struct result_list *results);
bool vcpu_label_known(const char *name); /* without "vcpu." */
void render_vcpu_labels(struct text_sink *out);

/* vcpu.count, vcpu.enabled, vcpu.consistent, vcpu.differing */
extern const struct fact_family vcpu_facts;

#endif
