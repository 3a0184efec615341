/* What the Arm ID registers hvfeat reads mean, as data: the registers, the
 * fields a guest's view of its hypervisor turns on, and MIDR_EL1's
 * implementer codes. Positions and names are Linux's
 * arch/arm64/tools/sysreg (MIDR_EL1's, arch/arm64/include/asm/cputype.h),
 * the value scales its enumerations; the meanings are our own words. */
#include "arm_id.h"

const struct arm_id_register_def arm_id_registers[ARM_ID_REGISTER_COUNT] = {
	[ARM_MIDR_EL1] = { "MIDR_EL1", "arm.midr_el1" },
	[ARM_ID_AA64PFR0_EL1] = { "ID_AA64PFR0_EL1", "arm.id_aa64pfr0_el1" },
	[ARM_ID_AA64PFR1_EL1] = { "ID_AA64PFR1_EL1", "arm.id_aa64pfr1_el1" },
	[ARM_ID_AA64DFR0_EL1] = { "ID_AA64DFR0_EL1", "arm.id_aa64dfr0_el1" },
	[ARM_ID_AA64ISAR1_EL1] = { "ID_AA64ISAR1_EL1", "arm.id_aa64isar1_el1" },
};

/* Linux cputype.h, ARM_CPU_IMP_*; 0 is the Arm ARM's "reserved for
 * software use", which QEMU's TCG -cpu max takes (target/arm/cpu64.c). */
static const struct arm_id_name implementers[] = {
	{ 0x00, "reserved for software use" }, /* QEMU's TCG "max" answers it */
	{ 0x41, "Arm" },
	{ 0x42, "Broadcom" },
	{ 0x43, "Cavium" },
	{ 0x46, "Fujitsu" },
	{ 0x48, "HiSilicon" },
	{ 0x4e, "NVIDIA" },
	{ 0x50, "Applied Micro" },
	{ 0x51, "Qualcomm" },
	{ 0x61, "Apple" },
	{ 0x6d, "Microsoft" },
	{ 0xc0, "Ampere" },
	{ 0, NULL },
};

/* Grouped by register, in the order of enum arm_id_register. */
const struct arm_id_field arm_id_fields[] = {
	{ ARM_MIDR_EL1, 24, 8, "MIDR_EL1.Implementer", "arm.midr.implementer",
	  "who designed the CPU", true, implementers },
	{ ARM_MIDR_EL1, 20, 4, "MIDR_EL1.Variant", "arm.midr.variant",
	  "major revision, the N of rNpM", false, NULL },
	{ ARM_MIDR_EL1, 4, 12, "MIDR_EL1.PartNum", "arm.midr.partnum",
	  "the implementer's part number", true, NULL },
	{ ARM_MIDR_EL1, 0, 4, "MIDR_EL1.Revision", "arm.midr.revision",
	  "minor revision, the M of rNpM", false, NULL },

	{ ARM_ID_AA64PFR0_EL1, 8, 4, "ID_AA64PFR0_EL1.EL2", "arm.el2",
	  "EL2 per the register: 0 none, 1 AArch64, 2 +AArch32", false, NULL },
	{ ARM_ID_AA64PFR0_EL1, 24, 4, "ID_AA64PFR0_EL1.GIC", "arm.gic",
	  "GICv3 CPU interface system registers: 0 none", false, NULL },
	{ ARM_ID_AA64PFR0_EL1, 28, 4, "ID_AA64PFR0_EL1.RAS", "arm.ras",
	  "RAS error records: 0 none, 1 RAS, 2 RASv1p1", false, NULL },
	{ ARM_ID_AA64PFR0_EL1, 32, 4, "ID_AA64PFR0_EL1.SVE", "arm.sve",
	  "scalable vectors: 0 none (QEMU's sve=off), 1 SVE", false, NULL },
	{ ARM_ID_AA64PFR0_EL1, 44, 4, "ID_AA64PFR0_EL1.AMU", "arm.amu",
	  "activity monitors: 0 none, 1 AMUv1, 2 AMUv1p1", false, NULL },
	{ ARM_ID_AA64PFR0_EL1, 56, 4, "ID_AA64PFR0_EL1.CSV2", "arm.csv2",
	  "Spectre v2: branch targets kept per context (0: unsaid)", false, NULL },
	{ ARM_ID_AA64PFR0_EL1, 60, 4, "ID_AA64PFR0_EL1.CSV3", "arm.csv3",
	  "Meltdown: faulting loads leak nothing (0: unsaid)", false, NULL },

	{ ARM_ID_AA64PFR1_EL1, 0, 4, "ID_AA64PFR1_EL1.BT", "arm.bt",
	  "branch target identification: 0 none, 1 BTI", false, NULL },
	{ ARM_ID_AA64PFR1_EL1, 4, 4, "ID_AA64PFR1_EL1.SSBS", "arm.ssbs",
	  "Spectre v4: PSTATE.SSBS 1, with MSR/MRS 2, 0 none", false, NULL },
	{ ARM_ID_AA64PFR1_EL1, 8, 4, "ID_AA64PFR1_EL1.MTE", "arm.mte",
	  "memory tagging: 0 none, 1 EL0 only, 2 MTE2, 3 MTE3", false, NULL },
	{ ARM_ID_AA64PFR1_EL1, 24, 4, "ID_AA64PFR1_EL1.SME", "arm.sme",
	  "scalable matrices: 0 none, 1 SME, 2 SME2", false, NULL },

	{ ARM_ID_AA64DFR0_EL1, 0, 4, "ID_AA64DFR0_EL1.DebugVer", "arm.debugver",
	  "debug architecture: 6 v8.0, 7 VHE, 8 v8.2, 9 v8.4", false, NULL },
	{ ARM_ID_AA64DFR0_EL1, 8, 4, "ID_AA64DFR0_EL1.PMUVer", "arm.pmuver",
	  "PMU: 0 none (pmu=off), 1 PMUv3, 4-8 v8.x, 15 IMPDEF", false, NULL },

	{ ARM_ID_AA64ISAR1_EL1, 4, 4, "ID_AA64ISAR1_EL1.APA", "arm.apa",
	  "pointer authentication, QARMA5: 0 none, 1 PAuth", false, NULL },
	{ ARM_ID_AA64ISAR1_EL1, 8, 4, "ID_AA64ISAR1_EL1.API", "arm.api",
	  "pointer authentication, IMPDEF algorithm: 0 none", false, NULL },
};
const size_t arm_id_field_count = sizeof(arm_id_fields) / sizeof(arm_id_fields[0]);

uint64_t arm_id_field_value(const struct arm_id_field *field, uint64_t register_value)
{
	return register_value >> field->shift & ((UINT64_C(1) << field->width) - 1);
}

const char *arm_id_value_name(const struct arm_id_field *field, uint64_t value)
{
	for (const struct arm_id_name *n = field->names; n && n->name; n++)
		if (n->value == value)
			return n->name;
	return NULL;
}

const char *arm_id_field_name(const struct arm_id_field *field)
{
	const char *name = field->id;

	while (*name && *name != '.')
		name++;
	return *name ? name + 1 : field->id;
}

void render_arm_id_value(const struct arm_id_field *field, uint64_t value,
			 struct text_sink *out)
{
	if (!field->hex) {
		sink_printf(out, "%lu", (unsigned long)value);
		return;
	}
	sink_puts(out, "0x");
	for (unsigned nibble = (field->width + 3u) / 4u; nibble-- > 0;)
		sink_printf(out, "%x", (unsigned)(value >> 4 * nibble & 0xf));
}
