/* The fact families (facts.h): each module that learns facts beyond
 * CPUID's decoded items owns a table; this file only lists them. */
#include "facts.h"

#include "acpi.h"
#include "arm_id_facts.h"
#include "ascii.h"
#include "cpu_facts.h"
#include "cvm.h"
#include "smbios.h"
#include "smccc_facts.h"
#include "vcpus.h"

static const struct fact_family *const families[] = {
	&cpu_facts,
	&smbios_facts,
	&cvm_facts,
	&smccc_facts,
	&arm_id_facts,
	&fadt_facts,
	&vcpu_facts,
	NULL, /* each family above this line */
};
#define FAMILY_COUNT (sizeof(families) / sizeof(families[0]))

static bool indexed(const struct fact_def *def)
{
	size_t length = text_length(def->key);

	return def->max_index && length > 2 && ascii_equal(def->key + length - 2, ".N", false);
}

/* name is def's key, or for a ".N" key its stem ("smbios.type11.") and a
 * decimal from 1 to max_index, stored in *index. */
static bool matches(const struct fact_def *def, const char *name, unsigned *index)
{
	*index = 0;
	if (!indexed(def))
		return ascii_equal(name, def->key, true);
	size_t stem = text_length(def->key) - 1;
	size_t length = text_length(name);
	if (length <= stem || name[stem] < '1' || name[stem] > '9')
		return false;
	for (size_t i = 0; i < stem; i++)
		if (ascii_lower(name[i]) != ascii_lower(def->key[i]))
			return false;
	struct cursor c = { name + stem, name + length };
	uint32_t n;
	bool hex;
	if (!cursor_number(&c, &n, &hex) || hex || !cursor_at_end(&c) || n > def->max_index)
		return false;
	*index = n;
	return true;
}

bool fact_resolve(const char *name, struct fact_ref *ref)
{
	for (size_t f = 0; f < FAMILY_COUNT; f++) {
		const struct fact_family *family = families[f];
		for (size_t d = 0; family && d < family->count; d++)
			if (matches(&family->defs[d], name, &ref->index)) {
				ref->family = family;
				ref->def = &family->defs[d];
				return true;
			}
	}
	return false;
}

bool fact_prefix_known(const char *name)
{
	for (size_t f = 0; f < FAMILY_COUNT; f++)
		for (size_t d = 0; families[f] && d < families[f]->count; d++) {
			const char *key = families[f]->defs[d].key;
			size_t i = 0;
			while (key[i] && key[i] != '.' && ascii_lower(name[i]) == ascii_lower(key[i]))
				i++;
			if (key[i] == '.' && name[i] == '.')
				return true;
		}
	return false;
}

void fact_key_text(const struct fact_ref *ref, char *out, size_t size)
{
	struct buffer_sink key;

	string_sink_init(&key, out, size);
	if (indexed(ref->def)) {
		key.sink.write(&key.sink, ref->def->key, text_length(ref->def->key) - 1);
		sink_printf(&key.sink, "%u", ref->index);
	} else {
		sink_puts(&key.sink, ref->def->key);
	}
	string_sink_finish(&key);
}

const char *fact_value(const struct hv_report *report, const struct fact_ref *ref,
		       struct fact_value *out)
{
	*out = (struct fact_value){ .type = ref->def->type, .text = "" };
	return ref->family->value(report, ref->def, ref->index, out);
}

void render_fact_keys(struct text_sink *out)
{
	sink_puts(out, "\nFacts beyond CPUID's items (text: compared with = or != only, exactly,\n"
		       "quoted when it holds ',' or '#': KEY=\"a, b\"; a KEY.N has N from 1):\n");
	for (size_t f = 0; f < FAMILY_COUNT; f++) {
		const struct fact_family *family = families[f];
		if (!family)
			continue;
		sink_printf(out, "\n%s:\n", family->title);
		for (size_t d = 0; d < family->count; d++) {
			const struct fact_def *def = &family->defs[d];
			const char *key = def->key, *kind = def->type == FACT_TEXT ? "text: " : "";
			if (text_length(key) > 34)
				sink_printf(out, "  %s\n  %-34s %s%s\n", key, "", kind, def->meaning);
			else
				sink_printf(out, "  %-34s %s%s\n", key, kind, def->meaning);
		}
	}
}
