/* Facts about the processor as leaf 0 presents it: the vendor a policy can
 * pin ("this fleet is AMD") and the highest basic leaf. */
#include "cpu_facts.h"

#include "hv_report.h"

static const struct fact_def cpu_fact_defs[] = {
	{ "cpu.vendor", FACT_TEXT, 0, 0, "the vendor, e.g. AuthenticAMD" },
	{ "cpu.max_basic_leaf", FACT_NUMBER, 0xffffffffu, 0, "CPUID.0:EAX, the highest basic leaf" },
};

static const char *cpu_fact_value(const struct hv_report *report, const struct fact_def *def,
				  unsigned index, struct fact_value *out)
{
	(void)index;
	if (def == &cpu_fact_defs[1]) {
		out->number = report->max_basic_leaf;
		return NULL;
	}
	/* The 12 bytes as CPUID gave them; a NUL among them ends the text. */
	for (size_t i = 0; i < HV_SIGNATURE_LENGTH; i++)
		out->storage[i] = report->cpu_vendor[i];
	out->storage[HV_SIGNATURE_LENGTH] = '\0';
	out->text = out->storage;
	return NULL;
}

const struct fact_family cpu_facts = {
	.title = "cpu.* (the processor, CPUID leaf 0)",
	.defs = cpu_fact_defs,
	.count = sizeof(cpu_fact_defs) / sizeof(cpu_fact_defs[0]),
	.value = cpu_fact_value,
};
