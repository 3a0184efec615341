/* Drift of the Arm ID registers (drift.h), for Arm runs: each field of
 * the table (arm_id_tables.c) compared under its requirement key,
 * labelled "drift.arm.KEY" (the key without "arm.") and judged by what its
 * register says (drift_rules.h); the bits no field decodes compared
 * register by register, "drift.arm.raw.REGISTER". */
#include "drift_arm_id.h"

#include "arm_id.h"
#include "ascii.h"
#include "drift.h"
#include "drift_rules.h"
#include "hv_report.h"
#include "interface_tables.h"

/* What each register's fields are. MIDR_EL1 names the CPU model, which a
 * migration to another host may bring: a setting. The fields hvfeat
 * decodes of the others say what the CPU offers the guest, each an
 * UnsignedEnum in Linux's arch/arm64/tools/sysreg (the Arm ARM's ID
 * scheme: a higher value offers more): offers, a lower value lost or
 * lessened. */
static const enum drift_kind register_kinds[ARM_ID_REGISTER_COUNT] = {
	[ARM_MIDR_EL1] = DRIFT_SETTING,
	[ARM_ID_AA64PFR0_EL1] = DRIFT_OFFER,
	[ARM_ID_AA64PFR1_EL1] = DRIFT_OFFER,
	[ARM_ID_AA64DFR0_EL1] = DRIFT_OFFER,
	[ARM_ID_AA64ISAR1_EL1] = DRIFT_OFFER,
};

/* A value above 0 that offers nothing: PMUVer's IMP_DEF (0xF), an
 * IMPLEMENTATION DEFINED PMU and no PMUv3, which Linux takes as none
 * (asm/cpufeature.h, cpuid_feature_cap_perfmon_field). */
static const struct {
	const char *key;
	uint64_t value;
} offering_nothing[] = {
	{ "arm.pmuver", 0xf },
};

/* How much a feature field's value offers: the value itself, but 0 for
 * one that offers nothing. */
static uint64_t offered(const struct arm_id_field *field, uint64_t value)
{
	for (size_t i = 0; i < COUNT_OF(offering_nothing); i++)
		if (ascii_equal(field->key, offering_nothing[i].key, false) &&
		    value == offering_nothing[i].value)
			return 0;
	return value;
}

static bool is_feature(const struct arm_id_field *field)
{
	return register_kinds[field->reg] == DRIFT_OFFER;
}

size_t drift_each_arm_id_feature(const struct hv_report *r,
				 void (*visit)(void *context, const struct arm_id_field *field,
					       uint64_t value),
				 void *context)
{
	size_t count = 0;

	for (size_t f = 0; r->arm_id.read && f < arm_id_field_count; f++) {
		const struct arm_id_field *field = &arm_id_fields[f];
		uint64_t value = arm_id_field_value(field, r->arm_id.values[field->reg]);
		if (!is_feature(field) || !offered(field, value))
			continue;
		count++;
		if (visit)
			visit(context, field, value);
	}
	return count;
}

/* The value as the text report shows it, with its name when it has one. */
static void show_value(const struct arm_id_field *field, uint64_t value, struct text_sink *out)
{
	const char *name = arm_id_value_name(field, value);

	render_arm_id_value(field, value, out);
	if (name)
		sink_printf(out, " (%s)", name);
}

static size_t compare_field(const struct arm_id_field *field, uint64_t was, uint64_t is,
			    struct result_list *results)
{
	enum drift_kind kind = register_kinds[field->reg];
	enum drift_change change = DRIFT_CHANGED;

	if (was == is)
		return 0;
	if (is_feature(field) && offered(field, is) < offered(field, was))
		change = DRIFT_LOST;
	else if (is_feature(field) && offered(field, is) > offered(field, was))
		change = DRIFT_GAINED;
	const struct drift_judgement *j = drift_judgement(kind, change);
	const char *word = j->word;
	/* still offered, less or more of it: SSBS 2 to 1, MTE2 to MTE3 */
	if (change == DRIFT_LOST && offered(field, is))
		word = "lowered";
	else if (change == DRIFT_GAINED && offered(field, was))
		word = "raised";
	struct text_sink *detail = results_add(results, j->outcome, j->severity, "drift.arm.",
					       ascii_after_prefix(field->key, "arm.", false));
	sink_printf(detail, "%s %s: ", field->id, word);
	show_value(field, was, detail);
	sink_puts(detail, " in the baseline, ");
	show_value(field, is, detail);
	sink_puts(detail, " now");
	return 1;
}

/* The register's bits no field of the table decodes. */
static uint64_t undecoded_bits(enum arm_id_register r)
{
	uint64_t decoded = 0;

	for (size_t f = 0; f < arm_id_field_count; f++)
		if (arm_id_fields[f].reg == r)
			decoded |= ((UINT64_C(1) << arm_id_fields[f].width) - 1)
				   << arm_id_fields[f].shift;
	return ~decoded;
}

static size_t compare_undecoded(enum arm_id_register r, uint64_t was, uint64_t is,
				struct result_list *results)
{
	uint64_t mask = undecoded_bits(r);
	const struct drift_judgement *j = drift_judgement(DRIFT_SETTING, DRIFT_CHANGED);
	char label[RESULT_LABEL_MAX];
	struct buffer_sink text;

	if (!((was ^ is) & mask))
		return 0;
	string_sink_init(&text, label, sizeof(label));
	sink_printf(&text.sink, "raw.%s", ascii_after_prefix(arm_id_registers[r].key, "arm.", false));
	sink_printf(results_add(results, j->outcome, j->severity, "drift.arm.",
				string_sink_finish(&text)),
		    "%s's bits no field decodes %s: 0x%016lx in the baseline, 0x%016lx now",
		    arm_id_registers[r].name, j->word, (unsigned long)(was & mask),
		    (unsigned long)(is & mask));
	return 1;
}

size_t drift_arm_id(const struct hv_report *now, const struct hv_report *baseline,
		    struct result_list *results)
{
	const struct arm_id_report *was = &baseline->arm_id, *is = &now->arm_id;
	size_t count = 0;

	if (was->read != is->read) {
		char summary[48];
		struct buffer_sink text;
		string_sink_init(&text, summary, sizeof(summary));
		sink_printf(&text.sink, "%s 0x%lx", arm_id_registers[ARM_MIDR_EL1].name,
			    (unsigned long)(was->read ? was : is)->values[ARM_MIDR_EL1]);
		return drift_section_on_one_side(results, was->read, "arm", "Arm ID registers",
						 string_sink_finish(&text));
	}
	if (!is->read)
		return 0; /* not on CPUID's runs (x86) */
	for (size_t f = 0; f < arm_id_field_count; f++) {
		const struct arm_id_field *field = &arm_id_fields[f];
		count += compare_field(field, arm_id_field_value(field, was->values[field->reg]),
				       arm_id_field_value(field, is->values[field->reg]), results);
	}
	for (enum arm_id_register r = 0; r < ARM_ID_REGISTER_COUNT; r++)
		count += compare_undecoded(r, was->values[r], is->values[r], results);
	return count;
}

bool drift_arm_id_label_known(const char *name)
{
	const char *rest = ascii_after_prefix(name, "arm", true), *key;

	if (!rest)
		return false;
	if (!*rest)
		return true;
	if (!ascii_after_prefix(rest, ".", true))
		return false;
	for (size_t f = 0; f < arm_id_field_count; f++)
		if (ascii_equal(name, arm_id_fields[f].key, true))
			return true;
	if ((key = ascii_after_prefix(rest, ".raw.", true)))
		for (size_t r = 0; r < ARM_ID_REGISTER_COUNT; r++)
			if (ascii_equal(key, ascii_after_prefix(arm_id_registers[r].key, "arm.", false),
					true))
				return true;
	return false;
}

void render_drift_arm_id_labels(struct text_sink *out)
{
	sink_puts(out,
		  "  drift.arm                Arm ID registers in the baseline and none now\n"
		  "                           (fail), or the other way round (warn)\n"
		  "  drift.arm.KEY            a field of ID_AA64PFR0, PFR1, DFR0 or ISAR1_EL1\n"
		  "                           (arm.KEY, --list-keys), what the CPU offers:\n"
		  "                           lower (fail), higher (warn)\n"
		  "  drift.arm.midr.KEY       MIDR_EL1's fields: another CPU model (warn)\n"
		  "  drift.arm.raw.REGISTER   bits of a register (id_aa64pfr0_el1, ...) that\n"
		  "                           no field decodes differ (warn)\n");
}
