/* The labels hvfeat gives (labels.h): each prefix asks the module that
 * gives it, and waivers are checked against them. */
#include "labels.h"

#include "ascii.h"
#include "cvm.h"
#include "drift.h"
#include "lints.h"
#include "probe.h"
#include "requirement_names.h"
#include "vcpus.h"

/* The labels of the probe phase that are not probes. */
static const char *const probe_phase_labels[] = { "run", "cleanup", "forced_msr" };

bool result_label_known(const char *label)
{
	const char *rest;

	if ((rest = ascii_after_prefix(label, "require.", true)))
		return requirement_name_known(rest);
	if ((rest = ascii_after_prefix(label, "lint.", true)))
		return lint_name_known(rest);
	if ((rest = ascii_after_prefix(label, "drift.", true)))
		return drift_label_known(rest);
	if ((rest = ascii_after_prefix(label, "vcpu.", true)))
		return vcpu_label_known(rest);
	if ((rest = ascii_after_prefix(label, "cvm.", true)))
		return cvm_label_known(rest);
	if ((rest = ascii_after_prefix(label, "probe.", true))) {
		for (size_t i = 0; probe_key(i); i++)
			if (ascii_equal(rest, probe_key(i), true))
				return true;
		for (size_t i = 0; i < sizeof(probe_phase_labels) / sizeof(*probe_phase_labels); i++)
			if (ascii_equal(rest, probe_phase_labels[i], true))
				return true;
	}
	return false;
}

void render_result_labels(struct text_sink *out)
{
	sink_puts(out, "Results hvfeat gives, by label (waive one with --waive LABEL):\n"
		       "  require.KEY              the requirement on KEY (--list-keys)\n");
	render_cvm_labels(out);
	for (size_t i = 0; probe_key(i); i++)
		sink_printf(out, "  probe.%-18s %s\n", probe_key(i), probe_title(i));
	sink_puts(out, "  probe.forced_msr         --probe-msr: the MSR read (and written)\n"
		       "  probe.run                skipped when the probes could not run\n"
		       "  probe.cleanup            every MSR, page and fault handler put back\n");
	render_vcpu_labels(out);
	render_lint_labels(out);
	render_drift_labels(out);
}

bool waivers_add(struct waiver_list *list, const char *text, size_t length,
		 const char *origin, struct text_sink *errors)
{
	const char *end = text + length;

	for (const char *item = text; item <= end;) {
		const char *item_end = item;
		while (item_end < end && *item_end != ',')
			item_end++;
		struct cursor c = { item, item_end };
		cursor_skip_blanks(&c);
		const char *label_end = c.at;
		while (label_end < item_end && *label_end != ' ' && *label_end != '\t' &&
		       *label_end != '\r')
			label_end++;
		size_t label_length = (size_t)(label_end - c.at);
		if (label_length) {
			const char *why = NULL;
			struct cursor after = { label_end, item_end };
			cursor_skip_blanks(&after);
			if (!cursor_at_end(&after))
				why = "is not one label";
			else if (label_length >= RESULT_LABEL_MAX)
				why = "is too long";
			else if (list->count == MAX_WAIVERS)
				why = "is one too many (64 at most)";
			if (!why) {
				char *label = list->labels[list->count];
				for (size_t i = 0; i < label_length; i++)
					label[i] = c.at[i];
				label[label_length] = '\0';
				if (result_label_known(label))
					list->count++;
				else
					why = "names no result hvfeat gives (--list-labels)";
			}
			if (why) {
				sink_printf(errors, "hvfeat: %s: waiver ", origin);
				sink_echo(errors, c.at, (size_t)(item_end - c.at));
				sink_printf(errors, " %s\n", why);
				return false;
			}
		}
		item = item_end + 1;
	}
	return true;
}
