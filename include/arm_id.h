/* The CPU a hypervisor presents on Arm: the ID registers a guest reads,
 * which KVM traps (HCR_EL2.TID3) and answers with sanitised values
 * (Linux arch/arm64/kvm/sys_regs.c, read_id_reg), so they are AArch64's
 * counterpart of CPUID's feature leaves; and MIDR_EL1, which a guest
 * reads from VPIDR_EL2 without a trap, the host CPU's own unless the VMM
 * sets another. What is read, where the values
 * come from (mrs in firmware, a dump's "Arm ID registers:" section) and
 * what the fields mean, as data. Register and field names are Linux's
 * arch/arm64/tools/sysreg (MIDR_EL1's, asm/cputype.h); the meanings are
 * our own words. */
#ifndef HVFEAT_ARM_ID_H
#define HVFEAT_ARM_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text_sink.h"

enum arm_id_register {
	ARM_MIDR_EL1,
	ARM_ID_AA64PFR0_EL1,
	ARM_ID_AA64PFR1_EL1,
	ARM_ID_AA64DFR0_EL1,
	ARM_ID_AA64ISAR1_EL1,
	ARM_ID_REGISTER_COUNT
};

/* The part of the report model the ID registers fill: read in AArch64
 * firmware, or replayed from a dump that holds them; nothing on x86. */
struct arm_id_report {
	bool read;
	uint64_t values[ARM_ID_REGISTER_COUNT];
};

/* --- what they mean, as data (arm_id_tables.c) ----------------------------- */

struct arm_id_register_def {
	const char *name; /* "ID_AA64PFR0_EL1", as the dump and the report spell it */
	const char *key;  /* "arm.id_aa64pfr0_el1": the whole register as a fact */
};
extern const struct arm_id_register_def arm_id_registers[ARM_ID_REGISTER_COUNT];

/* A value a field can hold, named (MIDR_EL1's implementer codes). */
struct arm_id_name {
	uint64_t value;
	const char *name;
};

/* A field of a register: bits shift .. shift + width - 1. */
struct arm_id_field {
	enum arm_id_register reg;
	uint8_t shift, width;
	const char *id;      /* "ID_AA64PFR0_EL1.SVE" */
	const char *key;     /* "arm.sve": a fact (arm_id_facts.c) */
	const char *meaning;
	bool hex;            /* shown as 0x.. (codes), else decimal (versions) */
	const struct arm_id_name *names; /* NULL, or ends with a NULL name */
};
extern const struct arm_id_field arm_id_fields[];
extern const size_t arm_id_field_count;

uint64_t arm_id_field_value(const struct arm_id_field *field, uint64_t register_value);

/* The name of the field's value, or NULL when it has none. */
const char *arm_id_value_name(const struct arm_id_field *field, uint64_t value);

/* The field's name within its register: "SVE" of "ID_AA64PFR0_EL1.SVE". */
const char *arm_id_field_name(const struct arm_id_field *field);

/* The field's value as the text report and drift show it: a code in hex,
 * a digit a nibble ("0x051"), else a version in decimal ("5"). */
void render_arm_id_value(const struct arm_id_field *field, uint64_t value,
			 struct text_sink *out);

/* --- recordings (arm_id_dump.c) -------------------------------------------- */

#define ARM_ID_DUMP_HEADER "Arm ID registers:"

/* An "Arm ID registers:" section as a dump holds it. */
struct arm_id_recording {
	bool present; /* the section was read */
	bool given[ARM_ID_REGISTER_COUNT];
	uint64_t values[ARM_ID_REGISTER_COUNT];
};

/* The section hvfeat -r writes: the header, then "   NAME 0xVALUE" for
 * each register, 16 hex digits. */
void render_arm_id_dump(const struct arm_id_report *report, struct text_sink *out);

/* The register a name of length bytes is, as the dump and the JSON report
 * spell it (arm_id_registers[].name, in that case); ARM_ID_REGISTER_COUNT
 * when hvfeat reads none of that name. */
enum arm_id_register arm_id_register_named(const char *name, size_t length);

/* A register's value into recording, from a dump's line or a JSON
 * report's "arm_id" (report_reader.c); NULL, or why not. */
const char *arm_id_recording_add(struct arm_id_recording *recording, enum arm_id_register r,
				 uint64_t value);

/* One line of the section into recording; NULL when understood, else why
 * not. */
const char *arm_id_dump_line(struct arm_id_recording *recording, const char *line,
			     size_t length);

/* After the last line: NULL when the section holds every register, else
 * why it cannot be used. */
const char *arm_id_recording_problem(const struct arm_id_recording *recording);

/* The report's registers from a recording; not read when it has none. */
void arm_id_replay(struct arm_id_report *report, const struct arm_id_recording *recording);

#endif
