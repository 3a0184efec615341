/* The report as JSON, for pipelines. Numbers are plain JSON integers;
 * strings are escaped so that any signature bytes stay valid JSON. */
#include "hv_render.h"

#include "ascii.h"
#include "checks.h"

static void json_string_bytes(const char *bytes, size_t length, struct text_sink *out)
{
	sink_puts(out, "\"");
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)bytes[i];
		if (c == '"' || c == '\\')
			sink_printf(out, "\\%c", c);
		else if (!ascii_printable(c))
			sink_printf(out, "\\u%04x", c); /* bytes as Latin-1 */
		else
			out->write(out, (const char *)&c, 1);
	}
	sink_puts(out, "\"");
}

static void json_string(const char *text, struct text_sink *out)
{
	json_string_bytes(text, text_length(text), out);
}

static const char *const max_leaf_notes[] = {
	[MAX_LEAF_AS_REPORTED] = "as_reported",
	[MAX_LEAF_RAISED_TO_BASE_PLUS_ONE] = "raised_to_base_plus_one",
	[MAX_LEAF_BELOW_BASE] = "below_base",
	[MAX_LEAF_CLAMPED] = "clamped_to_block",
};

static const char *const decoder_states[] = {
	[DECODED] = "decoded",
	[LEAF_NOT_PROVIDED] = "not_provided",
	[OTHER_INTERFACE] = "other_interface",
};

static const char *const field_formats[] = {
	[FIELD_DECIMAL] = "decimal", [FIELD_HEX] = "hex", [FIELD_KHZ] = "khz",
	[FIELD_FOURCC] = "fourcc", [FIELD_ENUM] = "enum",
};

static void json_key(const struct hv_vendor *vendor, const char *id,
		     struct text_sink *out)
{
	char key[96];

	hv_item_key(vendor, id, key, sizeof(key));
	sink_puts(out, ", \"key\": ");
	json_string(key, out);
}

static void json_bits(const struct hv_vendor *vendor, const struct register_decoder *dec,
		      uint32_t value, struct text_sink *out)
{
	sink_puts(out, ",\n          \"bits\": [");
	for (size_t b = 0; b < dec->bit_count; b++) {
		const struct bit_def *bit = &dec->bits[b];
		sink_printf(out, "%s\n            {\"bit\": %u, \"id\": ", b ? "," : "", bit->bit);
		json_string(bit->id, out);
		json_key(vendor, bit->id, out);
		sink_puts(out, ", \"meaning\": ");
		json_string(bit->meaning, out);
		sink_printf(out, ", \"set\": %s, \"msrs\": [",
			    (value >> bit->bit) & 1 ? "true" : "false");
		for (size_t m = 0; m < bit->msr_count; m++) {
			sink_printf(out, "%s{\"index\": %u, \"name\": ", m ? ", " : "",
				    bit->msrs[m].index);
			json_string(bit->msrs[m].name, out);
			sink_puts(out, "}");
		}
		sink_puts(out, "]}");
	}
	sink_puts(out, dec->bit_count ? "\n          ]" : "]");
}

static void json_fields(const struct hv_vendor *vendor, const struct register_decoder *dec,
			uint32_t value, struct text_sink *out)
{
	sink_puts(out, ",\n          \"fields\": [");
	for (size_t f = 0; f < dec->field_count; f++) {
		const struct field_def *field = &dec->fields[f];
		uint32_t v = hv_field_value(field, value);
		sink_printf(out, "%s\n            {\"id\": ", f ? "," : "");
		json_string(field->id, out);
		json_key(vendor, field->id, out);
		sink_puts(out, ", \"meaning\": ");
		json_string(field->meaning, out);
		sink_printf(out, ", \"value\": %u, \"format\": \"%s\"", v,
			    field_formats[field->format]);
		if (field->format == FIELD_ENUM) {
			sink_puts(out, ", \"name\": ");
			json_string(v < field->name_count ? field->names[v] : "unknown", out);
		}
		sink_puts(out, "}");
	}
	sink_puts(out, dec->field_count ? "\n          ]" : "]");
}

static void json_decoders(const struct hv_report *r, const struct hv_interface *iface,
			  struct text_sink *out)
{
	const struct decoder_table *table =
		iface->vendor && !iface->past_decode_limit ? iface->vendor->table : NULL;
	size_t count = table ? table->count : 0;

	sink_puts(out, "      \"decoded\": [");
	for (size_t d = 0; d < count; d++) {
		const struct register_decoder *dec = &table->decoders[d];
		uint32_t value = 0;
		enum decoder_state state = hv_decoder_value(r, iface, dec, &value);

		sink_printf(out, "%s\n        {\"leaf\": %u, \"subleaf\": %u, "
				 "\"register\": \"%s\", \"title\": ",
			    d ? "," : "", iface->base + dec->offset, dec->subleaf,
			    cpuid_register_name(dec->reg));
		json_string(dec->title, out);
		sink_printf(out, ", \"state\": \"%s\"", decoder_states[state]);
		if (state == DECODED) {
			sink_printf(out, ", \"value\": %u", value);
			json_bits(iface->vendor, dec, value, out);
			json_fields(iface->vendor, dec, value, out);
			sink_puts(out, ",\n          \"unknown_bits\": [");
			uint32_t unknown = hv_unknown_bits(dec, value);
			const char *separator = "";
			for (unsigned bit = 0; bit < 32; bit++)
				if ((unknown >> bit) & 1) {
					sink_printf(out, "%s%u", separator, bit);
					separator = ", ";
				}
			sink_puts(out, "]");
		}
		sink_puts(out, "}");
	}
	sink_puts(out, count ? "\n      ]\n" : "]\n");
}

static void json_interface(const struct hv_report *r, const struct hv_interface *iface,
			   struct text_sink *out)
{
	sink_printf(out, "    {\n      \"base\": %u,\n      \"signature\": ", iface->base);
	json_string_bytes(iface->signature, HV_SIGNATURE_LENGTH, out);
	sink_puts(out, ",\n      \"product\": ");
	if (iface->vendor)
		json_string(iface->vendor->product, out);
	else
		sink_puts(out, "null");
	sink_printf(out, ",\n      \"max_leaf\": %u,\n      \"last_leaf\": %u,\n"
			 "      \"max_leaf_note\": \"%s\",\n"
			 "      \"leaves_cut_by_budget\": %s,\n"
			 "      \"past_decode_limit\": %s,\n",
		    iface->reported_max_leaf, iface->last_leaf,
		    max_leaf_notes[iface->max_leaf_note],
		    iface->leaves_cut_by_budget ? "true" : "false",
		    iface->past_decode_limit ? "true" : "false");
	json_decoders(r, iface, out);
	sink_puts(out, "    }");
}

static void json_checks(const struct hv_report *r, struct text_sink *out)
{
	sink_puts(out, "  \"checks\": [");
	for (size_t i = 0; i < r->check_count; i++) {
		const struct check_result *c = &r->checks[i];
		sink_puts(out, i ? ",\n    {\"requirement\": " : "\n    {\"requirement\": ");
		json_string(c->requirement.text, out);
		bool text = c->requirement.kind == REQUIRE_FACT &&
			    c->requirement.fact.def->type == FACT_TEXT;
		sink_printf(out, ", \"comparison\": \"%s\", \"expected\": ",
			    comparison_symbol(c->requirement.comparison));
		if (text)
			json_string(c->requirement.expected_text, out);
		else
			sink_printf(out, "%u", c->requirement.expected);
		sink_puts(out, ", \"found\": ");
		if (c->outcome == CHECK_PROBED || (c->outcome == CHECK_FOUND && !text))
			sink_printf(out, "%lu", (unsigned long)c->found);
		else if (c->outcome == CHECK_FOUND)
			json_string(c->found_text, out);
		else
			sink_puts(out, "null");
		sink_puts(out, ", \"note\": ");
		char note[2 * REQUIREMENT_TEXT];
		struct buffer_sink found;
		string_sink_init(&found, note, sizeof(note));
		render_check_found(c, &found.sink);
		json_string(string_sink_finish(&found), out);
		sink_printf(out, ", \"result\": \"%s\"}", c->passed ? "pass" : "fail");
	}
	sink_puts(out, r->check_count ? "\n  ],\n" : "],\n");
}

/* Every result, the counts by outcome, the verdict: what CI reads. */
static void json_results(const struct hv_report *r, struct text_sink *out)
{
	const struct result_list *results = &r->results;
	const struct verdict *v = &r->verdict;

	sink_puts(out, "  \"results\": [");
	for (size_t i = 0; i < results->count; i++) {
		const struct result *result = &results->items[i];
		sink_puts(out, i ? ",\n    {\"label\": " : "\n    {\"label\": ");
		json_string(result->label, out);
		sink_printf(out, ", \"outcome\": \"%s\", \"severity\": ",
			    outcome_name(result->outcome));
		if (result->severity)
			sink_printf(out, "\"%s\"", severity_name(result->severity));
		else
			sink_puts(out, "null");
		sink_printf(out, ", \"waived\": %s, \"detail\": ",
			    result->waived ? "true" : "false");
		json_string(result->detail, out);
		sink_puts(out, "}");
	}
	sink_puts(out, results->count ? "\n  ],\n" : "],\n");
	sink_puts(out, "  \"summary\": {");
	for (size_t o = 0; o < OUTCOME_COUNT; o++)
		sink_printf(out, "\"%s\": %u, ", outcome_name((enum outcome)o),
			    (unsigned)v->counts[o]);
	sink_printf(out, "\"waived\": %u, \"unlisted\": %u},\n", (unsigned)v->waived,
		    (unsigned)results_unlisted(results));
	sink_printf(out, "  \"strict\": %s,\n  \"verdict\": \"%s\"\n",
		    v->strict ? "true" : "false", v->passed ? "pass" : "fail");
}

static void json_probe_result(const struct probe_result *p, struct text_sink *out)
{
	sink_puts(out, "{\"key\": ");
	json_string(p->key, out);
	sink_puts(out, ", \"title\": ");
	json_string(p->title, out);
	sink_printf(out, ", \"state\": \"%s\", \"detail\": ", probe_state_name(p->state));
	json_string(p->detail, out);
	sink_puts(out, ", \"values\": {");
	for (size_t v = 0; v < p->value_count; v++) {
		const struct probe_value *value = &p->values[v];
		sink_puts(out, v ? ", " : "");
		json_string(value->name, out);
		/* Register contents as hex strings: as numbers, readers that hold
		 * JSON numbers in doubles (jq) would round anything past 2^53. */
		if (value->kind == VALUE_SIGNED)
			sink_printf(out, ": %ld", (int64_t)value->value);
		else if (value->kind == VALUE_HEX)
			sink_printf(out, ": \"0x%lx\"", (unsigned long)value->value);
		else
			sink_printf(out, ": %lu", (unsigned long)value->value);
	}
	sink_puts(out, "}}");
}

static void json_probes(const struct probe_report *probes, struct text_sink *out)
{
	sink_puts(out, "  \"probes\": ");
	if (!probes->requested) {
		sink_puts(out, "null,\n");
		return;
	}
	sink_printf(out, "{\"ran\": %s, \"not_run_reason\": ",
		    probes->not_run_reason ? "false" : "true");
	if (probes->not_run_reason)
		json_string(probes->not_run_reason, out);
	else
		sink_puts(out, "null");
	sink_printf(out, ", \"pm_timer_ticks\": %u,\n    \"results\": [",
		    (unsigned)probes->pm_ticks);
	for (size_t i = 0; i < probes->count; i++) {
		sink_puts(out, i ? ",\n      " : "\n      ");
		json_probe_result(&probes->results[i], out);
	}
	sink_puts(out, probes->count ? "\n    ],\n    \"restored\": [" : "],\n    \"restored\": [");
	for (size_t i = 0; i < probes->restore_count; i++) {
		const struct msr_restore *r = &probes->restores[i];
		sink_printf(out, "%s\n      {\"msr\": %u, \"vcpu\": %u, \"other_vcpu\": %s, "
				 "\"found\": \"0x%lx\", \"now\": ",
			    i ? "," : "", r->msr, r->vcpu, r->other_vcpu ? "true" : "false",
			    (unsigned long)r->found);
		if (r->vcpu_lost)
			sink_puts(out, "null");
		else
			sink_printf(out, "\"0x%lx\"", (unsigned long)r->now);
		sink_printf(out, ", \"restored\": %s}", r->restored ? "true" : "false");
	}
	sink_printf(out, "%s],\n    \"pages_released\": %s, \"handlers_left\": ",
		    probes->restore_count ? "\n    " : "",
		    probes->pages_in_use ? "false" : "true");
	if (probes->handlers_left)
		json_string(probes->handlers_left, out);
	else
		sink_puts(out, "null");
	sink_puts(out, "},\n");
}

static void json_vcpu_list(const struct vcpu_report *v, struct text_sink *out)
{
	sink_puts(out, ",\n    \"list\": [");
	for (size_t i = 0; i < v->count; i++) {
		const struct vcpu *c = &v->vcpus[i];
		sink_printf(out, "%s\n      {\"number\": %u, \"apic_id\": ", i ? "," : "", c->number);
		if (c->apic_id_known)
			sink_printf(out, "%lu", (unsigned long)c->apic_id);
		else
			sink_puts(out, "null");
		sink_printf(out, ", \"apic_id_from_cpuid\": %s, \"healthy\": %s, \"state\": \"%s\", "
				 "\"differing_registers\": %u, \"per_vcpu_registers\": %u, "
				 "\"leaves_unknown\": %u}",
			    c->apic_id_from_cpuid ? "true" : "false", c->healthy ? "true" : "false",
			    vcpu_state_name(c->state), c->differing_registers, c->per_vcpu_registers,
			    c->leaves_unknown);
	}
	sink_puts(out, v->count ? "\n    ]" : "]");
}

static void json_vcpu_rules(const struct vcpu_report *v, struct text_sink *out)
{
	const char *separator = "\n      ";

	sink_puts(out, ",\n    \"per_vcpu_fields_left_out\": [");
	for (size_t r = 0; vcpu_rule(r); r++) {
		const struct per_vcpu_rule *rule = vcpu_rule(r);
		if (!((v->rules_applied >> r) & 1))
			continue;
		sink_printf(out, "%s{\"leaf\": %u, \"xen_block\": %s, \"subleaf\": ", separator,
			    rule->leaf, rule->xen_block ? "true" : "false");
		if (rule->subleaf == VCPU_ANY_SUBLEAF)
			sink_puts(out, "null");
		else
			sink_printf(out, "%u", rule->subleaf);
		sink_printf(out, ", \"register\": \"%s\", \"mask\": %u, \"field\": ",
			    cpuid_register_name(rule->reg), rule->mask);
		json_string(rule->field, out);
		sink_puts(out, ", \"source\": ");
		json_string(rule->source, out);
		sink_puts(out, "}");
		separator = ",\n      ";
	}
	sink_puts(out, v->rules_applied ? "\n    ]" : "]");
}

static void json_vcpus(const struct vcpu_report *v, struct text_sink *out)
{
	sink_puts(out, "  \"vcpus\": ");
	if (!v->read && !v->not_read_reason) {
		sink_puts(out, "null,\n");
		return;
	}
	sink_printf(out, "{\"read\": %s, \"not_read_reason\": ", v->read ? "true" : "false");
	if (v->read) {
		sink_puts(out, "null, \"method\": ");
		json_string(v->method, out);
	} else {
		json_string(v->not_read_reason, out);
		sink_puts(out, ", \"method\": null");
	}
	sink_printf(out, ",\n    \"present\": %u, \"enabled\": %u, \"leaves_compared\": %u, "
			 "\"consistent\": %s",
		    (unsigned)v->present, (unsigned)v->enabled, (unsigned)v->leaves_compared,
		    vcpus_consistent(v) ? "true" : "false");
	json_vcpu_list(v, out);
	sink_puts(out, ",\n    \"differences\": [");
	size_t listed = 0;
	for (; listed < v->difference_count && listed < VCPU_DIFFERENCES_MAX; listed++) {
		const struct vcpu_difference *d = &v->differences[listed];
		sink_printf(out, "%s\n      {\"vcpu\": %u, \"leaf\": %u, \"subleaf\": %u, "
				 "\"register\": \"%s\", \"boot_value\": %u, \"value\": %u, "
				 "\"bits\": %u}",
			    listed ? "," : "", d->vcpu, d->leaf, d->subleaf, cpuid_register_name(d->reg),
			    d->boot_value, d->value, d->bits);
	}
	sink_printf(out, "%s],\n    \"unlisted_differences\": %u", listed ? "\n    " : "",
		    (unsigned)(v->difference_count - listed));
	json_vcpu_rules(v, out);
	sink_puts(out, "},\n");
}

void render_json(const struct hv_report *r, struct text_sink *out)
{
	const struct hv_interface *kvm = hv_guest_kvm_interface(r);

	sink_printf(out, "{\n  \"tool\": \"hvfeat\",\n  \"version\": \"%s\",\n",
		    HVFEAT_VERSION);
	sink_puts(out, "  \"source\": {\"kind\": ");
	json_string(r->source_kind, out);
	sink_puts(out, ", \"description\": ");
	json_string(r->source_description, out);
	sink_puts(out, "},\n  \"cpu_vendor\": ");
	json_string_bytes(r->cpu_vendor, HV_SIGNATURE_LENGTH, out);
	sink_printf(out, ",\n  \"max_basic_leaf\": %u,\n  \"hypervisor_bit\": %s,\n",
		    r->max_basic_leaf, r->hypervisor_bit ? "true" : "false");
	sink_printf(out, "  \"cpuid_executions\": %u,\n", r->cpuid_executions);
	sink_puts(out, "  \"unadvertised_signature\": ");
	if (r->unadvertised_vendor)
		json_string_bytes(r->unadvertised_vendor->signature, HV_SIGNATURE_LENGTH, out);
	else
		sink_puts(out, "null");
	sink_puts(out, ",\n  \"kvm_base_for_guests\": ");
	if (kvm)
		sink_printf(out, "%u", kvm->base);
	else
		sink_puts(out, "null");
	sink_printf(out, ",\n  \"skipped_echo_bases\": %u,\n  \"interfaces\": [",
		    (unsigned)r->skipped_echo_bases);
	for (size_t i = 0; i < r->interface_count; i++) {
		sink_puts(out, i ? ",\n" : "\n");
		json_interface(r, &r->interfaces[i], out);
	}
	sink_puts(out, r->interface_count ? "\n  ],\n" : "],\n");
	sink_puts(out, "  \"leaves\": [");
	for (size_t i = 0; i < r->leaf_count; i++) {
		const struct leaf_reading *l = &r->leaves[i];
		sink_printf(out, "%s\n    {\"leaf\": %u, \"subleaf\": %u, \"eax\": %u, "
				 "\"ebx\": %u, \"ecx\": %u, \"edx\": %u}",
			    i ? "," : "", l->leaf, l->subleaf, l->regs.eax, l->regs.ebx,
			    l->regs.ecx, l->regs.edx);
	}
	sink_puts(out, r->leaf_count ? "\n  ],\n" : "],\n");
	json_vcpus(&r->vcpus, out);
	json_probes(&r->probes, out);
	json_checks(r, out);
	json_results(r, out);
	sink_puts(out, "}\n");
}
