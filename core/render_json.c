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
		bool wide = requirement_value_is_wide(&c->requirement);
		if (text)
			json_string(c->requirement.expected_text, out);
		else
			sink_printf(out, wide ? "\"0x%lx\"" : "%lu",
				    (unsigned long)c->requirement.expected);
		sink_puts(out, ", \"found\": ");
		if (c->outcome == CHECK_PROBED || (c->outcome == CHECK_FOUND && !text))
			sink_printf(out, wide ? "\"0x%lx\"" : "%lu", (unsigned long)c->found);
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
	sink_puts(out, ", \"kept_registered\": ");
	if (probes->kept_registered)
		json_string(probes->kept_registered, out);
	else
		sink_puts(out, "null");
	sink_puts(out, "},\n");
}

/* SMCCC's answers and what they mean; 64-bit registers as hex strings, as
 * the probes' values are. */
static void json_smccc_status(const struct smccc_call *call, bool arch_workaround,
			      struct text_sink *out)
{
	const struct smccc_return_code *code =
		call->trapped ? NULL : smccc_return_code(smccc_status(call), arch_workaround);

	sink_printf(out, "\"trapped\": %s, \"status\": %d, \"status_name\": ",
		    call->trapped ? "true" : "false", (int)smccc_status(call));
	if (code)
		json_string(code->id, out);
	else
		sink_puts(out, "null");
}

static void json_smccc(const struct smccc_report *s, struct text_sink *out)
{
	char text[128];
	struct buffer_sink summary;
	uint32_t version;
	const struct smccc_call *uid = smccc_vendor_uid(s);
	const struct smccc_vendor *vendor = smccc_vendor(s);

	sink_puts(out, "  \"smccc\": ");
	if (!s->asked) {
		sink_puts(out, "null,\n");
		return;
	}
	sink_puts(out, "{\n    \"source\": {\"kind\": ");
	json_string(s->kind, out);
	sink_puts(out, ", \"description\": ");
	json_string(s->description, out);
	sink_printf(out, "},\n    \"conduit\": \"%s\", \"conduit_origin\": ",
		    smccc_conduit_name(s->conduit));
	json_string(s->conduit_origin, out);
	string_sink_init(&summary, text, sizeof(text));
	render_smccc_summary(s, &summary.sink);
	sink_puts(out, ",\n    \"summary\": ");
	json_string(string_sink_finish(&summary), out);
	sink_puts(out, ",\n    \"version\": ");
	if (smccc_version(s, &version))
		sink_printf(out, "%u", version);
	else
		sink_puts(out, "null");
	sink_puts(out, ",\n    \"vendor_uid\": ");
	if (uid) {
		smccc_uuid_text(uid, text);
		json_string(text, out);
	} else {
		sink_puts(out, "null");
	}
	sink_puts(out, ", \"vendor\": ");
	if (vendor)
		json_string(vendor->product, out);
	else
		sink_puts(out, "null");
	sink_puts(out, ",\n    \"arch_features\": [");
	const char *separator = "";
	for (size_t i = 0; i < smccc_arch_feature_count; i++) {
		const struct smccc_arch_feature *f = &smccc_arch_features[i];
		const struct smccc_call *call =
			smccc_answer(s, SMCCC_ARCH_FEATURES_FUNC_ID, f->function);
		if (!call)
			continue;
		sink_printf(out, "%s\n      {\"function\": %u, \"id\": ", separator, f->function);
		json_string(f->id, out);
		sink_printf(out, ", \"key\": \"smccc.arch.%s\", ", f->key);
		json_smccc_status(call, f->function != SMCCC_HV_PV_TIME_FEATURES &&
				  f->function != 0x80000002u, out);
		sink_puts(out, "}");
		separator = ",";
	}
	sink_puts(out, *separator ? "\n    ],\n    \"kvm_functions\": [" : "],\n    \"kvm_functions\": [");
	separator = "";
	bool kvm = smccc_answer(s, SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID, 0) != NULL;
	for (size_t i = 0; kvm && i < smccc_kvm_function_count; i++) {
		const struct smccc_kvm_function *f = &smccc_kvm_functions[i];
		for (unsigned bit = f->first; bit <= f->last; bit++) {
			bool offered = smccc_kvm_function_offered(s, bit);
			struct buffer_sink id;
			if (!f->key && !offered)
				continue;
			string_sink_init(&id, text, sizeof(text));
			sink_printf(&id.sink, f->id, bit);
			sink_printf(out, "%s\n      {\"bit\": %u, \"id\": ", separator, bit);
			json_string(string_sink_finish(&id), out);
			sink_puts(out, ", \"key\": ");
			if (f->key)
				sink_printf(out, "\"smccc.kvm.%s\"", f->key);
			else
				sink_puts(out, "null");
			sink_printf(out, ", \"offered\": %s}", offered ? "true" : "false");
			separator = ",";
		}
	}
	sink_puts(out, *separator ? "\n    ],\n    \"calls\": [" : "],\n    \"calls\": [");
	for (size_t i = 0; i < s->call_count; i++) {
		const struct smccc_call *c = &s->calls[i];
		sink_printf(out, "%s\n      {\"function\": %u, \"arg\": \"0x%lx\", \"x\": "
				 "[\"0x%lx\", \"0x%lx\", \"0x%lx\", \"0x%lx\"], \"trapped\": %s, "
				 "\"syndrome\": %u}",
			    i ? "," : "", c->function, (unsigned long)c->arg,
			    (unsigned long)c->x[0], (unsigned long)c->x[1], (unsigned long)c->x[2],
			    (unsigned long)c->x[3], c->trapped ? "true" : "false", c->syndrome);
	}
	sink_puts(out, s->call_count ? "\n    ]\n  },\n" : "]\n  },\n");
}

/* The registers whole, as hex strings (64 bits, which jq would round as
 * numbers), and every field of the table with its value. */
static void json_arm_id(const struct arm_id_report *id, struct text_sink *out)
{
	sink_puts(out, "  \"arm_id\": ");
	if (!id->read) {
		sink_puts(out, "null,\n");
		return;
	}
	sink_puts(out, "{\n    \"registers\": {");
	for (size_t r = 0; r < ARM_ID_REGISTER_COUNT; r++)
		sink_printf(out, "%s\"%s\": \"0x%lx\"", r ? ", " : "", arm_id_registers[r].name,
			    (unsigned long)id->values[r]);
	sink_puts(out, "},\n    \"fields\": [");
	for (size_t f = 0; f < arm_id_field_count; f++) {
		const struct arm_id_field *field = &arm_id_fields[f];
		uint64_t value = arm_id_field_value(field, id->values[field->reg]);
		const char *name = arm_id_value_name(field, value);
		sink_printf(out, "%s\n      {\"id\": \"%s\", \"key\": \"%s\", \"register\": \"%s\", "
				 "\"shift\": %u, \"width\": %u, \"value\": %lu, \"name\": ",
			    f ? "," : "", field->id, field->key, arm_id_registers[field->reg].name,
			    field->shift, field->width, (unsigned long)value);
		if (name)
			json_string(name, out);
		else
			sink_puts(out, "null");
		sink_puts(out, ", \"meaning\": ");
		json_string(field->meaning, out);
		sink_puts(out, "}");
	}
	sink_puts(out, "\n    ]\n  },\n");
}

static void json_fadt(const struct fadt_facts *fadt, struct text_sink *out)
{
	const char *product = acpi_hypervisor_vendor_product(fadt);

	sink_puts(out, "  \"acpi_fadt\": ");
	if (!fadt->read) {
		sink_puts(out, "null,\n");
		return;
	}
	sink_printf(out, "{\"found\": %s, \"revision\": %u, \"minor_revision\": %u, "
			 "\"length\": %u, \"arm_boot_flags\": ",
		    fadt->found ? "true" : "false", fadt->revision, fadt->minor_revision,
		    fadt->length);
	if (fadt->has_arm_boot_flags)
		sink_printf(out, "%u", fadt->arm_boot_flags);
	else
		sink_puts(out, "null");
	sink_puts(out, ",\n    \"hypervisor_vendor\": ");
	if (fadt->has_hypervisor_vendor)
		json_string_bytes(fadt->hypervisor_vendor, sizeof(fadt->hypervisor_vendor), out);
	else
		sink_puts(out, "null");
	sink_puts(out, ", \"hypervisor_product\": ");
	if (product)
		json_string(product, out);
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

/* A string of the tables: its kept bytes, or null when it has none. */
static void json_table_text(const char *name, const struct smbios_text *t,
			    struct text_sink *out)
{
	sink_printf(out, "\"%s\": ", name);
	if (t->state == SMBIOS_TEXT_SET)
		json_string(t->text, out);
	else
		sink_puts(out, "null");
}

static void json_smbios_bios(const struct smbios_bios *b, struct text_sink *out)
{
	sink_puts(out, ",\n    \"type0\": ");
	if (!b->found) {
		sink_puts(out, "null");
		return;
	}
	sink_puts(out, "{");
	json_table_text("vendor", &b->vendor, out);
	sink_puts(out, ", ");
	json_table_text("version", &b->version, out);
	sink_puts(out, ", ");
	json_table_text("release_date", &b->release_date, out);
	sink_puts(out, ",\n      \"extension_byte_2\": ");
	if (!b->extension_byte_2_present) {
		sink_puts(out, "null, \"bits\": [], \"unknown_bits\": [], \"vm\": null, "
			       "\"uefi\": null}");
		return;
	}
	uint8_t value = b->extension_byte_2, unknown = smbios_bios_extension_2_unknown(b);
	sink_printf(out, "%u, \"bits\": [", value);
	for (size_t i = 0; i < smbios_bios_extension_2_bit_count; i++) {
		const struct smbios_bit *bit = &smbios_bios_extension_2_bits[i];
		sink_printf(out, "%s\n        {\"bit\": %u, \"id\": ", i ? "," : "", bit->bit);
		json_string(bit->id, out);
		sink_puts(out, ", \"meaning\": ");
		json_string(bit->meaning, out);
		sink_printf(out, ", \"set\": %s}", (value >> bit->bit) & 1 ? "true" : "false");
	}
	sink_puts(out, "\n      ], \"unknown_bits\": [");
	const char *separator = "";
	for (unsigned bit = 0; bit < 8; bit++)
		if (unknown >> bit & 1) {
			sink_printf(out, "%s%u", separator, bit);
			separator = ", ";
		}
	sink_printf(out, "], \"vm\": %s, \"uefi\": %s}",
		    value >> SMBIOS_BIOS_EXT2_VM & 1 ? "true" : "false",
		    value >> SMBIOS_BIOS_EXT2_UEFI & 1 ? "true" : "false");
}

static void json_smbios_system(const struct smbios_system *s, struct text_sink *out)
{
	static const char *const uuid_states[] = {
		[SMBIOS_UUID_ABSENT] = "absent", [SMBIOS_UUID_NOT_PRESENT] = "not_present",
		[SMBIOS_UUID_NOT_SETTABLE] = "not_settable", [SMBIOS_UUID_SET] = "set",
	};

	sink_puts(out, ",\n    \"type1\": ");
	if (!s->found) {
		sink_puts(out, "null");
		return;
	}
	sink_puts(out, "{");
	json_table_text("manufacturer", &s->manufacturer, out);
	sink_puts(out, ", ");
	json_table_text("product", &s->product, out);
	sink_puts(out, ", ");
	json_table_text("version", &s->version, out);
	sink_puts(out, ",\n      ");
	json_table_text("serial", &s->serial, out);
	sink_puts(out, ", \"uuid\": ");
	if (s->uuid_state == SMBIOS_UUID_ABSENT)
		sink_puts(out, "null");
	else
		json_string(s->uuid, out);
	sink_printf(out, ", \"uuid_state\": \"%s\",\n      ", uuid_states[s->uuid_state]);
	json_table_text("sku", &s->sku, out);
	sink_puts(out, ", ");
	json_table_text("family", &s->family, out);
	sink_puts(out, "}");
}

/* The fact keys (less "smbios.") of strings kept cut, as a JSON array. */
static void json_smbios_cut(const struct smbios_report *m, struct text_sink *out)
{
	const struct { const char *key; const struct smbios_text *text; } fields[] = {
		{ "type0.vendor", &m->bios.vendor }, { "type0.version", &m->bios.version },
		{ "type0.release_date", &m->bios.release_date },
		{ "type1.manufacturer", &m->system.manufacturer },
		{ "type1.product", &m->system.product }, { "type1.version", &m->system.version },
		{ "type1.serial", &m->system.serial }, { "type1.sku", &m->system.sku },
		{ "type1.family", &m->system.family },
	};
	const char *separator = "";

	sink_puts(out, ",\n    \"cut\": [");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].text->state == SMBIOS_TEXT_SET &&
		    fields[i].text->length > SMBIOS_TEXT_MAX) {
			sink_printf(out, "%s\"%s\"", separator, fields[i].key);
			separator = ", ";
		}
	for (size_t i = 0; i < m->oem.kept; i++)
		if (m->oem.strings[i].state == SMBIOS_TEXT_SET &&
		    m->oem.strings[i].length > SMBIOS_TEXT_MAX) {
			sink_printf(out, "%s\"type11.%u\"", separator, (unsigned)i + 1);
			separator = ", ";
		}
	sink_puts(out, "]");
}

static void json_smbios(const struct smbios_report *m, struct text_sink *out)
{
	static const char *const states[] = {
		[SMBIOS_NOT_READ] = "not_read", [SMBIOS_ABSENT] = "absent",
		[SMBIOS_UNUSABLE] = "unusable", [SMBIOS_READ] = "read",
	};
	bool read = m->state == SMBIOS_READ;

	sink_printf(out, "  \"smbios\": {\n    \"state\": \"%s\", \"reason\": ", states[m->state]);
	if (m->state == SMBIOS_NOT_READ || m->state == SMBIOS_ABSENT)
		json_string(m->reason, out);
	else
		sink_puts(out, "null");
	sink_puts(out, ",\n    \"entry_point\": ");
	if (read) {
		sink_printf(out, "{\"anchor\": \"%s\", \"major\": %u, \"minor\": %u, \"docrev\": ",
			    smbios_anchor(m->entry), m->major, m->minor);
		if (m->entry == SMBIOS_ENTRY_64)
			sink_printf(out, "%u", m->docrev);
		else
			sink_puts(out, "null");
		/* a hex string: a 64-bit address would not survive a double */
		sink_printf(out, ", \"table_address\": \"0x%lx\", \"table_length\": %u, "
				 "\"structure_count\": ", (unsigned long)m->table_address,
			    m->table_length);
		if (m->entry == SMBIOS_ENTRY_32)
			sink_printf(out, "%u", m->structure_count);
		else
			sink_puts(out, "null");
		sink_printf(out, "},\n    \"table\": {\"walked\": %lu, \"structures\": %lu, "
				 "\"end_of_table\": %s}", (uint64_t)m->table_walked,
			    (uint64_t)m->structures, m->end_of_table ? "true" : "false");
	} else {
		sink_puts(out, "null,\n    \"table\": null");
	}
	json_smbios_bios(&m->bios, out);
	json_smbios_system(&m->system, out);
	sink_printf(out, ",\n    \"type11\": {\"structures\": %lu, \"count\": %lu, \"strings\": [",
		    (uint64_t)m->oem.structures, (uint64_t)m->oem.count);
	for (size_t i = 0; i < m->oem.kept; i++) {
		sink_puts(out, i ? ", " : "");
		if (m->oem.strings[i].state == SMBIOS_TEXT_SET)
			json_string(m->oem.strings[i].text, out);
		else
			sink_puts(out, "null");
	}
	sink_puts(out, "]}");
	json_smbios_cut(m, out);
	sink_printf(out, ",\n    \"problem_count\": %lu, \"problems\": [",
		    (uint64_t)m->problem_count);
	for (size_t i = 0; i < m->problem_count && i < SMBIOS_PROBLEMS_MAX; i++) {
		sink_puts(out, i ? ",\n      " : "\n      ");
		json_string(m->problems[i], out);
	}
	sink_puts(out, m->problem_count ? "\n    ],\n" : "],\n");
	sink_puts(out, "    \"sys_hypervisor_type\": ");
	if (m->sys_hypervisor_present)
		json_string(m->sys_hypervisor_type, out);
	else
		sink_puts(out, "null");
	sink_puts(out, "\n  },\n");
}

/* A 64-bit value as a hex string (jq holds numbers in doubles), its
 * defined bits and the set bits no table defines. */
static void json_bits64(const char *name, const struct cvm_bits64 *table, uint64_t value,
			struct text_sink *out)
{
	sink_printf(out, "\"%s\": \"0x%lx\", \"%s_bits\": [", name, (unsigned long)value, name);
	for (size_t b = 0; b < table->count; b++) {
		const struct bit_def *bit = &table->bits[b];
		sink_printf(out, "%s\n      {\"bit\": %u, \"id\": ", b ? "," : "", bit->bit);
		json_string(bit->id, out);
		sink_puts(out, ", \"meaning\": ");
		json_string(bit->meaning, out);
		sink_printf(out, ", \"set\": %s}", (value >> bit->bit) & 1 ? "true" : "false");
	}
	sink_printf(out, "],\n    \"%s_unknown_bits\": [", name);
	uint64_t unknown = cvm_unknown_bits(table, value);
	const char *separator = "";
	for (unsigned bit = 0; bit < 64; bit++)
		if ((unknown >> bit) & 1) {
			sink_printf(out, "%s%u", separator, bit);
			separator = ", ";
		}
	sink_puts(out, "]");
}

static void json_string_or_null(const char *text, struct text_sink *out)
{
	if (text)
		json_string(text, out);
	else
		sink_puts(out, "null");
}

static const char *const reading_names[] = {
	[CVM_NOT_READ] = "not_read", [CVM_READ] = "read", [CVM_FAULTED] = "faulted",
	[CVM_FAILED] = "failed",
};

static const char *fault(uint8_t vector)
{
	return vector == VECTOR_GP ? "#GP" : vector == VECTOR_UD ? "#UD" : "other";
}

static void json_sev(const struct hv_report *r, struct text_sink *out)
{
	const struct cvm_sev_status *s = &r->cvm.sev_status;
	const struct cpuid_regs *leaf = cvm_sev_leaf(r);

	sink_puts(out, ",\n  \"sev_leaf\": ");
	if (!leaf) {
		sink_puts(out, "null");
	} else {
		sink_printf(out, "{\"eax\": %u, \"ebx\": %u, \"ecx\": %u, \"edx\": %u,\n"
				 "    \"decoded\": [", leaf->eax, leaf->ebx, leaf->ecx, leaf->edx);
		for (size_t d = 0; d < 4; d++) {
			const struct register_decoder *dec = &cvm_sev_leaf_decoders[d];
			uint32_t value = cpuid_register_value(leaf, dec->reg);
			sink_printf(out, "%s\n      {\"register\": \"%s\", \"value\": %u, \"bits\": [",
				    d ? "," : "", cpuid_register_name(dec->reg), value);
			for (size_t b = 0; b < dec->bit_count; b++) {
				const struct bit_def *bit = &dec->bits[b];
				sink_printf(out, "%s{\"bit\": %u, \"id\": ", b ? ", " : "", bit->bit);
				json_string(bit->id, out);
				sink_printf(out, ", \"set\": %s}",
					    (value >> bit->bit) & 1 ? "true" : "false");
			}
			sink_puts(out, "], \"fields\": [");
			for (size_t f = 0; f < dec->field_count; f++) {
				const struct field_def *field = &dec->fields[f];
				sink_puts(out, f ? ", {\"id\": " : "{\"id\": ");
				json_string(field->id, out);
				sink_printf(out, ", \"value\": %u}", hv_field_value(field, value));
			}
			sink_printf(out, "], \"unknown_bits_mask\": %u}", hv_unknown_bits(dec, value));
		}
		sink_puts(out, "]}");
	}
	sink_printf(out, ",\n  \"sev_status\": {\"state\": \"%s\", \"fault\": ",
		    reading_names[s->state]);
	json_string_or_null(s->state == CVM_FAULTED ? fault(s->vector) : NULL, out);
	sink_puts(out, ", \"not_read_reason\": ");
	json_string_or_null(s->state == CVM_NOT_READ ? s->not_read : NULL, out);
	if (s->state == CVM_READ) {
		sink_puts(out, ",\n    ");
		json_bits64("value", &cvm_sev_status_bits, s->value, out);
	}
	sink_puts(out, "}");
}

static void json_tdx(const struct hv_report *r, struct text_sink *out)
{
	const struct cvm_tdx_info *t = &r->cvm.tdx;

	sink_printf(out, ",\n  \"tdx\": {\"state\": \"%s\", \"fault\": ", reading_names[t->state]);
	json_string_or_null(t->state == CVM_FAULTED ? fault(t->vector) : NULL, out);
	sink_puts(out, ", \"not_read_reason\": ");
	json_string_or_null(t->state == CVM_NOT_READ ? t->not_read : NULL, out);
	if (t->state == CVM_FAILED || t->state == CVM_READ)
		sink_printf(out, ", \"status\": \"0x%lx\"", (unsigned long)t->status);
	if (t->state == CVM_READ) {
		sink_printf(out, ", \"gpaw\": %u, \"num_vcpus\": %u, \"max_vcpus\": %u, "
				 "\"vcpu_index\": %u,\n    ",
			    t->gpaw, t->num_vcpus, t->max_vcpus, t->vcpu_index);
		json_bits64("attributes", &cvm_tdx_attribute_bits, t->attributes, out);
	}
	sink_puts(out, "}");
}

static void json_uefi(const struct hv_report *r, struct text_sink *out)
{
	static const char *const cc_states[] = {
		[CVM_CC_NOT_LOOKED] = "not_looked", [CVM_CC_ABSENT] = "absent",
		[CVM_CC_NO_CAPABILITY] = "no_capability", [CVM_CC_FOUND] = "found",
	};
	static const char *const snp_states[] = {
		[CVM_SNP_NOT_LOOKED] = "not_looked", [CVM_SNP_NOT_PUBLISHED] = "not_published",
		[CVM_SNP_BLOB_BAD] = "blob_bad", [CVM_SNP_PAGE_UNREAD] = "page_unread",
		[CVM_SNP_TABLE_BAD] = "table_bad", [CVM_SNP_TABLE_READ] = "read",
	};
	const struct cvm_cc_protocol *cc = &r->cvm.cc;
	const struct cvm_snp_table *snp = &r->cvm.snp;

	sink_printf(out, ",\n  \"cc_measurement\": {\"state\": \"%s\"", cc_states[cc->state]);
	if (cc->state == CVM_CC_FOUND) {
		sink_printf(out, ", \"cc_type\": %u, \"cc_type_name\": ", cc->type);
		json_string_or_null(cvm_cc_type_name(cc->type), out);
		sink_printf(out, ", \"cc_subtype\": %u, \"structure_version\": \"%u.%u\", "
				 "\"protocol_version\": \"%u.%u\", \"hash_algorithms\": %u, "
				 "\"event_logs\": %u",
			    cc->subtype, cc->structure_major, cc->structure_minor,
			    cc->protocol_major, cc->protocol_minor, cc->hash_algorithms,
			    cc->event_logs);
	} else if (cc->state == CVM_CC_NO_CAPABILITY) {
		sink_printf(out, ", \"status\": \"0x%lx\", \"problem\": ", (unsigned long)cc->status);
		json_string_or_null(cc->problem, out);
	}
	sink_printf(out, "},\n  \"snp_cpuid_table\": {\"state\": \"%s\", \"problem\": ",
		    snp_states[snp->state]);
	json_string_or_null(snp->state == CVM_SNP_TABLE_READ ? NULL : snp->problem, out);
	if (snp->state >= CVM_SNP_PAGE_UNREAD)
		sink_printf(out, ", \"blob_version\": %u, \"cpuid_address\": \"0x%lx\", "
				 "\"cpuid_size\": %u",
			    snp->blob_version, (unsigned long)snp->cpuid_address, snp->cpuid_size);
	if (snp->state == CVM_SNP_TABLE_READ)
		sink_printf(out, ", \"entries\": %u, \"hypervisor_leaves_compared\": %u, "
				 "\"hypervisor_leaves_disagreeing\": %u",
			    snp->count, (unsigned)snp->compared, (unsigned)snp->disagreeing);
	sink_puts(out, "}");
}

/* The status, its evidence as the text shows it, and each source. */
static void json_cvm(const struct hv_report *r, struct text_sink *out)
{
	const struct cvm_report *cvm = &r->cvm;
	struct cvm_evidence evidence[CVM_EVIDENCE_MAX];
	struct cvm_hyperv_isolation h;

	sink_puts(out, "  \"cvm\": ");
	if (!cvm->examined) {
		sink_puts(out, "null,\n");
		return;
	}
	static const char *const answers[] = {
		[CVM_ANSWER_NO] = "false", [CVM_ANSWER_YES] = "true", [CVM_ANSWER_UNKNOWN] = "null",
	};
	sink_printf(out, "{\"type\": \"%s\", \"confidential\": %s, \"private_memory\": %s,\n"
			 "  \"decided_by\": ",
		    cvm_type_name(cvm->type), answers[cvm_confidential(r)],
		    cvm_private_memory(r) ? "true" : "false");
	json_string(cvm_basis_text(cvm->basis), out);
	sink_puts(out, ", \"no_machine\": ");
	json_string_or_null(cvm->no_machine, out);
	sink_puts(out, ",\n  \"evidence\": [");
	size_t count = cvm_evidence(r, evidence);
	for (size_t i = 0; i < count; i++) {
		sink_puts(out, i ? ",\n    {\"source\": " : "\n    {\"source\": ");
		json_string(evidence[i].source, out);
		sink_puts(out, ", \"finding\": ");
		json_string(evidence[i].finding, out);
		sink_puts(out, "}");
	}
	sink_puts(out, "]");
	json_sev(r, out);
	json_tdx(r, out);
	sink_puts(out, ",\n  \"hyperv_isolation\": ");
	if (cvm_hyperv_isolation(r, &h))
		sink_printf(out, "{\"isolated\": %s, \"root\": %s, \"config_read\": %s, "
				 "\"isolation_type\": %u, \"paravisor\": %s, "
				 "\"shared_gpa_boundary_active\": %s, \"shared_gpa_boundary_bit\": %u}",
			    h.isolated ? "true" : "false", h.root ? "true" : "false",
			    h.config_read ? "true" : "false", h.type, h.paravisor ? "true" : "false",
			    h.boundary_active ? "true" : "false", h.boundary_bit);
	else
		sink_puts(out, "null");
	json_uefi(r, out);
	sink_puts(out, ",\n  \"handlers_left\": ");
	json_string_or_null(cvm->handlers_left, out);
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
	json_smccc(&r->smccc, out);
	json_arm_id(&r->arm_id, out);
	json_fadt(&r->fadt, out);
	json_vcpus(&r->vcpus, out);
	json_smbios(&r->smbios, out);
	json_cvm(r, out);
	json_probes(&r->probes, out);
	json_checks(r, out);
	json_results(r, out);
	sink_puts(out, "}\n");
}
