/* The consistency lints (lints.h): one table row per rule, each citing the
 * upstream text the rule comes from. */
#include "lints.h"

#include "ascii.h"
#include "hv_report.h"

/* Reads one decoded item of an interface: false when the interface has no
 * such item or the leaf holding it is not provided. */
static bool item_value(const struct hv_report *report, const struct hv_interface *iface,
		       const char *id, uint32_t *value)
{
	struct hv_item item;

	return iface && iface->vendor && hv_find_item(iface->vendor, id, false, &item) &&
	       hv_item_value(report, iface, &item, value) == DECODED;
}

/* Linux Documentation/virt/kvm/x86/cpuid.rst: CLOCKSOURCE_STABLE_BIT
 * promises that PVCLOCK_TSC_STABLE_BIT may be trusted in the kvmclock
 * pages, which exist only through CLOCKSOURCE or CLOCKSOURCE2; Linux
 * (arch/x86/kernel/kvmclock.c, kvmclock_init) reads the bit only once
 * kvmclock is in use. QEMU -cpu host,-kvmclock leaves it set. */
static enum outcome stable_bit_without_kvmclock(const struct hv_report *report,
						struct text_sink *detail)
{
	const struct hv_interface *kvm = hv_guest_kvm_interface(report);
	uint32_t stable, legacy = 0, current = 0;

	if (!item_value(report, kvm, "KVM_FEATURE_CLOCKSOURCE_STABLE_BIT", &stable)) {
		sink_puts(detail, "no KVM features leaf");
		return OUTCOME_NOT_APPLICABLE;
	}
	item_value(report, kvm, "KVM_FEATURE_CLOCKSOURCE", &legacy);
	item_value(report, kvm, "KVM_FEATURE_CLOCKSOURCE2", &current);
	if (!stable) {
		sink_puts(detail, "KVM_FEATURE_CLOCKSOURCE_STABLE_BIT clear");
		return OUTCOME_PASS;
	}
	if (legacy || current) {
		sink_printf(detail, "KVM_FEATURE_CLOCKSOURCE_STABLE_BIT with %s",
			    current ? "KVM_FEATURE_CLOCKSOURCE2" : "KVM_FEATURE_CLOCKSOURCE");
		return OUTCOME_PASS;
	}
	sink_puts(detail, "KVM_FEATURE_CLOCKSOURCE_STABLE_BIT is set without "
			  "KVM_FEATURE_CLOCKSOURCE or _CLOCKSOURCE2: it vouches for a "
			  "kvmclock the guest cannot use");
	return OUTCOME_WARN;
}

struct lint {
	const char *name;
	const char *meaning;
	enum severity severity; /* of a warning */
	enum outcome (*judge)(const struct hv_report *report, struct text_sink *detail);
};

static const struct lint lints[] = {
	{ "kvm.stable-bit-without-kvmclock",
	  "KVM's stable-clock bit set without either kvmclock bit", SEVERITY_LOW,
	  stable_bit_without_kvmclock },
};

#define LINT_COUNT (sizeof(lints) / sizeof(lints[0]))

void lint_run(const struct hv_report *report, struct result_list *results)
{
	for (size_t i = 0; i < LINT_COUNT; i++) {
		char detail[RESULT_DETAIL_MAX];
		struct buffer_sink text;
		string_sink_init(&text, detail, sizeof(detail));
		enum outcome outcome = lints[i].judge(report, &text.sink);
		bool graded = outcome == OUTCOME_WARN || outcome == OUTCOME_FAIL;
		sink_puts(results_add(results, outcome,
				      graded ? lints[i].severity : SEVERITY_NONE, "lint.",
				      lints[i].name),
			  string_sink_finish(&text));
	}
}

bool lint_name_known(const char *name)
{
	for (size_t i = 0; i < LINT_COUNT; i++)
		if (ascii_equal(name, lints[i].name, true))
			return true;
	return false;
}

void render_lint_labels(struct text_sink *out)
{
	for (size_t i = 0; i < LINT_COUNT; i++)
		sink_printf(out, "  lint.%s\n      %s\n", lints[i].name, lints[i].meaning);
}
