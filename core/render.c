/* The format front: the one place that chooses among the renderings (the
 * text report of render_text.c, the JSON of render_json.c, TAP and JUnit of
 * render_tap.c and render_junit.c, and the raw dump, a few lines, here),
 * each drawn from the report model alone, and renders into memory for the
 * console and the files alike. */
#include "hv_render.h"

#include "cpuid_dump.h"

void render_raw_dump(const struct hv_report *r, struct text_sink *out)
{
	if (r->arm_id.read)
		render_arm_id_dump(&r->arm_id, out);
	if (r->smccc.asked)
		render_smccc_dump(&r->smccc, out);
	if (!hv_report_has_cpuid(r))
		return;
	sink_puts(out, "CPU:\n");
	for (size_t i = 0; i < r->leaf_count; i++)
		cpuid_dump_line(r->leaves[i].leaf, r->leaves[i].subleaf, &r->leaves[i].regs,
				out);
}

void render_in_format(const struct hv_report *report, enum output_format format,
		      struct text_sink *out)
{
	switch (format) {
	case OUTPUT_TEXT:
		render_text(report, out);
		break;
	case OUTPUT_QUIET:
		render_quiet(report, out);
		break;
	case OUTPUT_RAW:
		render_raw_dump(report, out);
		break;
	case OUTPUT_JSON:
		render_json(report, out);
		break;
	case OUTPUT_TAP:
		render_tap(report, out);
		break;
	case OUTPUT_JUNIT:
		render_junit(report, out);
		break;
	}
}

char *render_to_memory(const struct hv_report *report, enum output_format format,
		       void *(*allocate)(size_t size), size_t *length)
{
	struct buffer_sink measure, text;

	buffer_sink_init(&measure, NULL, 0);
	render_in_format(report, format, &measure.sink);
	char *buffer = allocate(measure.length ? measure.length : 1);
	if (!buffer)
		return NULL;
	buffer_sink_init(&text, buffer, measure.length);
	render_in_format(report, format, &text.sink);
	*length = text.length;
	return buffer;
}
