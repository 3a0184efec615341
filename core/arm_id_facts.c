/* The Arm ID registers as facts: each field of the table (arm_id_tables.c)
 * under its key, and each register whole, 64 bits. The keys are the
 * tables'; a unit test holds the two lists together. */
#include "arm_id_facts.h"

#include "arm_id.h"
#include "ascii.h"
#include "hv_report.h"

static const struct fact_def defs[] = {
	{ "arm.midr.implementer", FACT_NUMBER, 0xff, 0, "MIDR_EL1's, 0x41 Arm, 0 software" },
	{ "arm.midr.variant", FACT_NUMBER, 0xf, 0, "MIDR_EL1's major revision" },
	{ "arm.midr.partnum", FACT_NUMBER, 0xfff, 0, "MIDR_EL1's part number" },
	{ "arm.midr.revision", FACT_NUMBER, 0xf, 0, "MIDR_EL1's minor revision" },
	{ "arm.el2", FACT_NUMBER, 0xf, 0, "EL2 for the guest: 0 none" },
	{ "arm.gic", FACT_NUMBER, 0xf, 0, "GICv3 system registers: 0 none" },
	{ "arm.ras", FACT_NUMBER, 0xf, 0, "RAS: 0 none, 1 RAS, 2 RASv1p1" },
	{ "arm.sve", FACT_NUMBER, 0xf, 0, "SVE: 0 none, 1 SVE" },
	{ "arm.amu", FACT_NUMBER, 0xf, 0, "activity monitors: 0 none" },
	{ "arm.csv2", FACT_NUMBER, 0xf, 0, "Spectre v2 safe: 1 and up" },
	{ "arm.csv3", FACT_NUMBER, 0xf, 0, "Meltdown safe: 1" },
	{ "arm.bt", FACT_NUMBER, 0xf, 0, "BTI: 0 none, 1 BTI" },
	{ "arm.ssbs", FACT_NUMBER, 0xf, 0, "SSBS: 0 none, 1 and up" },
	{ "arm.mte", FACT_NUMBER, 0xf, 0, "memory tagging: 0 none, 2 MTE2" },
	{ "arm.sme", FACT_NUMBER, 0xf, 0, "SME: 0 none, 1 SME, 2 SME2" },
	{ "arm.debugver", FACT_NUMBER, 0xf, 0, "debug architecture, 6 v8.0" },
	{ "arm.pmuver", FACT_NUMBER, 0xf, 0, "PMU: 0 none, 1 PMUv3, 4-8 v8.x, 15 IMPDEF" },
	{ "arm.apa", FACT_NUMBER, 0xf, 0, "pointer auth., QARMA5: 0 none" },
	{ "arm.api", FACT_NUMBER, 0xf, 0, "pointer auth., IMPDEF: 0 none" },
	{ "arm.midr_el1", FACT_NUMBER, UINT64_MAX, 0, "MIDR_EL1 whole" },
	{ "arm.id_aa64pfr0_el1", FACT_NUMBER, UINT64_MAX, 0, "ID_AA64PFR0_EL1 whole" },
	{ "arm.id_aa64pfr1_el1", FACT_NUMBER, UINT64_MAX, 0, "ID_AA64PFR1_EL1 whole" },
	{ "arm.id_aa64dfr0_el1", FACT_NUMBER, UINT64_MAX, 0, "ID_AA64DFR0_EL1 whole" },
	{ "arm.id_aa64isar1_el1", FACT_NUMBER, UINT64_MAX, 0, "ID_AA64ISAR1_EL1 whole" },
};

static const char *value(const struct hv_report *report, const struct fact_def *def,
			 unsigned index, struct fact_value *out)
{
	const struct arm_id_report *id = &report->arm_id;

	(void)index;
	if (!id->read)
		return hv_report_has_cpuid(report)
			       ? "no Arm ID registers: CPUID is this machine's interface"
			       : "no Arm ID registers: the recording has none";
	for (size_t r = 0; r < ARM_ID_REGISTER_COUNT; r++)
		if (ascii_equal(def->key, arm_id_registers[r].key, false)) {
			out->number = id->values[r];
			return NULL;
		}
	for (size_t f = 0; f < arm_id_field_count; f++) {
		const struct arm_id_field *field = &arm_id_fields[f];
		if (ascii_equal(def->key, field->key, false)) {
			out->number = arm_id_field_value(field, id->values[field->reg]);
			return NULL;
		}
	}
	return "not a register or field hvfeat reads";
}

const struct fact_family arm_id_facts = {
	"arm.* (AArch64: the CPU the hypervisor presents, its ID registers)",
	defs, sizeof(defs) / sizeof(defs[0]), value,
};
