/* The ACPI FADT's hypervisor vendor identity as facts, on every
 * architecture: the fact family of acpi.h. */
#include "acpi.h"

#include "ascii.h"
#include "hv_report.h"

static const struct fact_def defs[] = {
	{ "acpi.fadt.revision", FACT_NUMBER, 255, 0, "the FADT's revision (6: ACPI 6.x)" },
	{ "acpi.fadt.hypervisor_vendor", FACT_TEXT, 0, 0,
	  "FADT hypervisor vendor, e.g. QEMU" },
};

static const char *value(const struct hv_report *report, const struct fact_def *def,
			 unsigned index, struct fact_value *out)
{
	const struct fadt_facts *fadt = &report->fadt;

	(void)index;
	if (!fadt->read)
		return "not read: a dump was replayed, or the host build ran";
	if (!fadt->found)
		return "no ACPI FADT";
	if (ascii_equal(def->key, "acpi.fadt.revision", false)) {
		out->number = fadt->revision;
		return NULL;
	}
	if (!fadt->has_hypervisor_vendor)
		return "the FADT predates the hypervisor vendor identity (ACPI 6.0)";
	out->text = fadt->hypervisor_vendor_text;
	return NULL;
}

const struct fact_family fadt_facts = {
	"ACPI FADT (every architecture; firmware only)", defs, sizeof(defs) / sizeof(defs[0]),
	value,
};
