/* The human-readable report. Every line fits 79 columns, the width of the
 * firmware's 80x25 text console. */
#include "hv_render.h"

#include "ascii.h"
#include "checks.h"
#include "clocks.h"
#include "cpuid_dump.h"

#define CONSOLE_COLUMNS 79
#define CONTINUATION_INDENT "           "

static void render_escaped_bytes(const char *bytes, size_t length,
				 struct text_sink *out)
{
	sink_puts(out, "\"");
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)bytes[i];
		if (c == 0)
			sink_puts(out, "\\0");
		else if (c == '"' || c == '\\')
			sink_printf(out, "\\%c", c);
		else if (!ascii_printable(c))
			sink_printf(out, "\\x%02x", c);
		else
			out->write(out, (const char *)&c, 1);
	}
	sink_puts(out, "\"");
}

/* Text of any origin (a path, a requirement) written from column on,
 * escaped as sink_escaped does, and continued on indented lines so no line
 * passes the console's width. Returns the column it ends in. */
static size_t render_wrapped(size_t column, const char *text, struct text_sink *out)
{
	for (; *text; text++) {
		size_t width = escaped_width((unsigned char)*text);

		if (column + width > CONSOLE_COLUMNS) {
			sink_puts(out, "\n" CONTINUATION_INDENT);
			column = text_length(CONTINUATION_INDENT);
		}
		sink_escaped(out, text, 1);
		column += width;
	}
	return column;
}

static void render_escaped_signature(const char signature[HV_SIGNATURE_LENGTH],
				     struct text_sink *out)
{
	render_escaped_bytes(signature, HV_SIGNATURE_LENGTH, out);
}

static void render_summary_line(const struct hv_report *r, struct text_sink *out)
{
	const struct hv_interface *kvm = hv_guest_kvm_interface(r);

	if (!hv_report_has_cpuid(r)) {
		sink_puts(out, "summary: ");
		if (r->smccc.asked)
			render_smccc_summary(&r->smccc, out);
		else
			sink_puts(out, "no CPUID and no SMCCC answers");
		sink_puts(out, "\n");
		return;
	}
	if (!r->hypervisor_bit) {
		sink_puts(out, "summary: no hypervisor advertised\n");
		return;
	}
	if (!r->interface_count) {
		sink_puts(out, "summary: hypervisor present, no interface signature\n");
		return;
	}
	sink_printf(out, "summary: hypervisor present, %u interface%s, ",
		    (unsigned)r->interface_count, r->interface_count == 1 ? "" : "s");
	if (kvm)
		sink_printf(out, "KVM PV features at 0x%08x\n", kvm->base);
	else
		sink_puts(out, "no KVM PV interface\n");
}

static void render_summary(const struct hv_report *r, struct text_sink *out)
{
	sink_printf(out, "hvfeat %s - hypervisor interfaces seen through %s\n",
		    HVFEAT_VERSION, hv_report_has_cpuid(r) ? "CPUID" : "SMCCC");
	render_summary_line(r, out);
	sink_puts(out, "source: ");
	render_wrapped(text_length("source: "), r->source_description, out);
	sink_puts(out, "\n");
	if (!hv_report_has_cpuid(r))
		return;
	/* Apart, because an escaped vendor can take 50 columns. */
	sink_puts(out, "cpu vendor: ");
	render_escaped_signature(r->cpu_vendor, out);
	sink_printf(out, "\nmax basic leaf: 0x%08x\n", r->max_basic_leaf);

	if (!r->hypervisor_bit) {
		sink_puts(out, "hypervisor bit (CPUID.1:ECX[31]): clear - "
			       "no hypervisor advertised\n");
		sink_puts(out, "interfaces: not scanned (guests look only when "
			       "the bit is set)\n");
		if (r->unadvertised_vendor) {
			sink_printf(out, "note: leaf 0x40000000 answers anyway: %s\n"
					 "      signature ",
				    r->unadvertised_vendor->product);
			render_escaped_signature(r->unadvertised_vendor->signature, out);
			sink_puts(out, "\n");
		}
		return;
	}

	sink_puts(out, "hypervisor bit (CPUID.1:ECX[31]): set\n");
	sink_printf(out, "interfaces: %u (bases 0x%08x-0x%08x scanned)\n",
		    (unsigned)r->interface_count, HV_BASE_FIRST, HV_BASE_LAST);
	for (size_t i = 0; i < r->interface_count; i++)
		sink_printf(out, "  0x%08x  %s\n", r->interfaces[i].base,
			    hv_product(&r->interfaces[i]));
	if (r->skipped_echo_bases)
		sink_printf(out, "  (%u bases only echoed the highest basic leaf)\n",
			    (unsigned)r->skipped_echo_bases);
}

static void render_max_leaf(const struct hv_interface *iface,
			    struct text_sink *out)
{
	sink_printf(out, "  max leaf: 0x%08x", iface->reported_max_leaf);
	switch (iface->max_leaf_note) {
	case MAX_LEAF_AS_REPORTED:
		break;
	case MAX_LEAF_RAISED_TO_BASE_PLUS_ONE:
		sink_printf(out, " (read to 0x%08x, as KVM guests do)",
			    iface->last_leaf);
		break;
	case MAX_LEAF_BELOW_BASE:
		sink_puts(out, " (below the base: base leaf only)");
		break;
	case MAX_LEAF_CLAMPED:
		sink_printf(out, " (past the block: read to 0x%08x)",
			    iface->last_leaf);
		break;
	}
	sink_puts(out, "\n");
}

/* A prefix and a tail on one line when they fit the console, else the tail
 * on an indented line of its own. */
struct line {
	struct buffer_sink prefix;
	char text[160];
};

static struct text_sink *line_start(struct line *line)
{
	string_sink_init(&line->prefix, line->text, sizeof(line->text));
	return &line->prefix.sink;
}

static void line_end(struct line *line, const char *gap, const char *tail,
		     struct text_sink *out)
{
	size_t column = render_wrapped(0, string_sink_finish(&line->prefix), out);

	if (column + text_length(gap) + text_length(tail) <= CONSOLE_COLUMNS)
		sink_printf(out, "%s%s\n", gap, tail);
	else
		sink_printf(out, "\n" CONTINUATION_INDENT "%s\n", tail);
}

/* "    yes 12 IDENTIFIER    meaning" */
static void render_flag_line(const char *state, unsigned bit, const char *id,
			     const char *meaning, struct text_sink *out)
{
	struct line line;

	sink_printf(line_start(&line), "    %-3s %2u %-34s", state, bit, id);
	line_end(&line, " ", meaning, out);
}

static void render_bits(const struct register_decoder *dec, uint32_t value,
			struct text_sink *out)
{
	for (size_t b = 0; b < dec->bit_count; b++) {
		const struct bit_def *bit = &dec->bits[b];
		render_flag_line((value >> bit->bit) & 1 ? "yes" : "no", bit->bit,
				 bit->id, bit->meaning, out);
		for (size_t m = 0; m < bit->msr_count; m++)
			sink_printf(out, CONTINUATION_INDENT "MSR 0x%08x %s\n",
				    bit->msrs[m].index, bit->msrs[m].name);
	}
}

static void render_field_value(const struct field_def *field, uint32_t value,
			       struct text_sink *out)
{
	char fourcc[4];

	switch (field->format) {
	case FIELD_DECIMAL:
		sink_printf(out, "%u", value);
		break;
	case FIELD_HEX:
		sink_printf(out, "0x%x", value);
		break;
	case FIELD_KHZ:
		sink_printf(out, "%u kHz", value);
		break;
	case FIELD_FOURCC:
		for (size_t i = 0; i < 4; i++)
			fourcc[i] = (char)(value >> (8 * i));
		render_escaped_bytes(fourcc, sizeof(fourcc), out);
		break;
	case FIELD_ENUM:
		sink_printf(out, "%u (%s)", value,
			    value < field->name_count ? field->names[value] : "unknown");
		break;
	}
}

static void render_fields(const struct register_decoder *dec, uint32_t value,
			  struct text_sink *out)
{
	for (size_t f = 0; f < dec->field_count; f++) {
		const struct field_def *field = &dec->fields[f];
		struct line line;
		char meaning[80];

		struct text_sink *prefix = line_start(&line);
		sink_printf(prefix, "    %-20s ", field->id);
		render_field_value(field, hv_field_value(field, value), prefix);
		line_end(&line, "  ", format_text(meaning, sizeof(meaning), "(%s)", field->meaning),
			 out);
	}
}

static void render_unknown_bits(uint32_t unknown, struct text_sink *out)
{
	for (unsigned bit = 0; bit < 32; bit++)
		if ((unknown >> bit) & 1)
			render_flag_line("yes", bit, "(unknown)",
					 "set, not defined upstream", out);
}

static void render_decoders(const struct hv_report *r,
			    const struct hv_interface *iface,
			    struct text_sink *out)
{
	const struct decoder_table *table = iface->vendor->table;
	bool mismatch_told = false;

	for (size_t d = 0; d < table->count; d++) {
		const struct register_decoder *dec = &table->decoders[d];
		const struct register_decoder *prev = d ? dec - 1 : NULL;
		uint32_t leaf = iface->base + dec->offset;
		uint32_t value = 0;

		switch (hv_decoder_value(r, iface, dec, &value)) {
		case LEAF_NOT_PROVIDED:
			/* One line per absent leaf, not per register. */
			if (!prev || prev->offset != dec->offset ||
			    prev->subleaf != dec->subleaf)
				sink_printf(out, "  %s: leaf 0x%08x not provided\n",
					    dec->title, leaf);
			continue;
		case OTHER_INTERFACE:
			if (!mismatch_told)
				sink_printf(out, "  leaves past 0x%08x not decoded: "
						 "base+1 is not that interface\n",
					    iface->base + 1);
			mismatch_told = true;
			continue;
		case DECODED:
			break;
		}
		sink_printf(out, "  %s: leaf 0x%08x", dec->title, leaf);
		if (dec->subleaf)
			sink_printf(out, ".%u", dec->subleaf);
		sink_printf(out, " %s = 0x%08x\n", cpuid_register_name(dec->reg),
			    value);
		render_bits(dec, value, out);
		render_fields(dec, value, out);
		render_unknown_bits(hv_unknown_bits(dec, value), out);
	}
}

static void render_interface(const struct hv_report *r,
			     const struct hv_interface *iface,
			     struct text_sink *out)
{
	sink_printf(out, "\n[0x%08x] %s\n", iface->base, hv_product(iface));
	sink_puts(out, "  signature: ");
	render_escaped_signature(iface->signature, out);
	sink_puts(out, "\n");
	render_max_leaf(iface, out);
	if (iface->leaves_cut_by_budget)
		sink_printf(out, "  leaves not all read: the %u-leaf budget "
				 "is spent\n", HV_LEAF_BUDGET);
	if (iface->past_decode_limit)
		sink_printf(out, "  not decoded: only the first %u interfaces are "
				 "(raw leaves below)\n", HV_DECODED_INTERFACES);
	else if (iface->vendor && iface->vendor->table)
		render_decoders(r, iface, out);
}

/* --- SMCCC and the ID registers (Arm), the ACPI FADT ---------------------- */

/* "SMCCC_RET_SUCCESS", "1 SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED",
 * "trapped (ESR 0x...)", or the value. */
static void render_smccc_status(const struct smccc_call *call, bool arch_workaround,
				struct text_sink *out)
{
	if (call->trapped) {
		sink_printf(out, "trapped (ESR 0x%08x)", call->syndrome);
		return;
	}
	const struct smccc_return_code *code =
		smccc_return_code(smccc_status(call), arch_workaround);
	if (code)
		sink_printf(out, "%d %s", (int)code->value, code->id);
	else
		sink_printf(out, "0x%lx", (unsigned long)call->x[0]);
}

/* "    ID  status", the meaning below it. */
static void render_smccc_answer(const char *id, const struct smccc_call *call,
				bool arch_workaround, const char *meaning,
				struct text_sink *out)
{
	struct line line;
	char status[64];
	struct buffer_sink text;

	sink_printf(line_start(&line), "    %-34s", id);
	string_sink_init(&text, status, sizeof(status));
	render_smccc_status(call, arch_workaround, &text.sink);
	line_end(&line, " ", string_sink_finish(&text), out);
	if (meaning)
		sink_printf(out, "      %s\n", meaning);
}

static void render_smccc_version(const struct smccc_report *s, struct text_sink *out)
{
	const struct smccc_call *call = smccc_answer(s, SMCCC_VERSION_FUNC_ID, 0);
	uint32_t version;

	if (!call)
		return;
	smccc_version(s, &version);
	sink_puts(out, "  SMCCC_VERSION: ");
	render_smccc_status(call, false, out);
	sink_printf(out, " - SMCCC %u.%u\n", version >> 16, version & 0xffffu);
}

static void render_smccc_arch_features(const struct smccc_report *s, struct text_sink *out)
{
	bool heading = false;

	for (size_t i = 0; i < smccc_arch_feature_count; i++) {
		const struct smccc_arch_feature *f = &smccc_arch_features[i];
		const struct smccc_call *call =
			smccc_answer(s, SMCCC_ARCH_FEATURES_FUNC_ID, f->function);
		if (!call)
			continue;
		if (!heading)
			sink_puts(out, "  SMCCC_ARCH_FEATURES (0 or more: offered):\n");
		heading = true;
		render_smccc_answer(f->id, call, f->function != SMCCC_HV_PV_TIME_FEATURES &&
				    f->function != 0x80000002u, f->meaning, out);
	}
}

static void render_kvm_functions(const struct smccc_report *s, struct text_sink *out)
{
	const struct smccc_call *call =
		smccc_answer(s, SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID, 0);

	if (!call)
		return;
	sink_puts(out, "  KVM's functions (ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID):\n    ");
	if (call->trapped || smccc_status(call) == SMCCC_RET_NOT_SUPPORTED) {
		render_smccc_status(call, false, out);
		sink_puts(out, "\n");
		return;
	}
	sink_printf(out, "x0..x3 = 0x%08x 0x%08x 0x%08x 0x%08x: ARM_SMCCC_KVM_FUNC_*\n",
		    (uint32_t)call->x[0], (uint32_t)call->x[1], (uint32_t)call->x[2],
		    (uint32_t)call->x[3]);
	for (size_t i = 0; i < smccc_kvm_function_count; i++) {
		const struct smccc_kvm_function *f = &smccc_kvm_functions[i];
		for (unsigned bit = f->first; bit <= f->last; bit++) {
			bool offered = smccc_kvm_function_offered(s, bit);
			char id[48];
			struct line line;
			/* A reserved bit is listed only when it is set. */
			if (!f->key && !offered)
				continue;
			const char *name = ascii_after_prefix(format_text(id, sizeof(id), f->id, bit),
							      "ARM_SMCCC_KVM_FUNC_", false);
			sink_printf(line_start(&line), "    %-3s %3u %-20s", offered ? "yes" : "no",
				    bit, name ? name : id);
			line_end(&line, " ", f->meaning, out);
		}
	}
}

static void render_smccc_pv_time(const struct smccc_report *s, struct text_sink *out)
{
	static const struct {
		uint32_t function;
		const char *id, *meaning;
	} pv_time[] = {
		{ SMCCC_HV_PV_TIME_FEATURES, "ARM_SMCCC_HV_PV_TIME_FEATURES", NULL },
		{ SMCCC_HV_PV_TIME_ST, "ARM_SMCCC_HV_PV_TIME_ST",
		  "the stolen-time structure's address" },
	};

	if (!smccc_answer(s, SMCCC_HV_PV_TIME_FEATURES, SMCCC_HV_PV_TIME_FEATURES))
		return;
	sink_puts(out, "  PV time (ARM_SMCCC_HV_PV_TIME_FEATURES of each):\n");
	for (size_t i = 0; i < sizeof(pv_time) / sizeof(pv_time[0]); i++) {
		const struct smccc_call *call =
			smccc_answer(s, SMCCC_HV_PV_TIME_FEATURES, pv_time[i].function);
		if (call)
			render_smccc_answer(pv_time[i].id, call, false, pv_time[i].meaning, out);
	}
}

static void render_smccc_trng(const struct smccc_report *s, struct text_sink *out)
{
	static const struct {
		uint32_t function;
		const char *id;
	} trng[] = {
		{ SMCCC_TRNG_GET_UUID, "ARM_SMCCC_TRNG_GET_UUID" },
		{ SMCCC_TRNG_RND32, "ARM_SMCCC_TRNG_RND32" },
		{ SMCCC_TRNG_RND64, "ARM_SMCCC_TRNG_RND64" },
	};
	const struct smccc_call *version = smccc_answer(s, SMCCC_TRNG_VERSION, 0);

	if (!version)
		return;
	sink_puts(out, "  TRNG (ARM_SMCCC_TRNG_VERSION): ");
	if (version->trapped || smccc_status(version) < 0) {
		render_smccc_status(version, false, out);
		sink_puts(out, "\n");
		return;
	}
	sink_printf(out, "version %u.%u\n", (uint32_t)version->x[0] >> 16,
		    (uint32_t)version->x[0] & 0xffffu);
	for (size_t i = 0; i < sizeof(trng) / sizeof(trng[0]); i++) {
		const struct smccc_call *call = smccc_answer(s, SMCCC_TRNG_FEATURES,
							     trng[i].function);
		if (call)
			render_smccc_answer(trng[i].id, call, false, NULL, out);
	}
	const struct smccc_call *uuid = smccc_answer(s, SMCCC_TRNG_GET_UUID, 0);
	if (uuid && !uuid->trapped && (uint32_t)uuid->x[0] != 0xffffffffu) {
		char text[37];
		smccc_uuid_text(uuid, text);
		sink_printf(out, "    UUID %s\n", text);
	}
}

static void render_smccc(const struct smccc_report *s, struct text_sink *out)
{
	const struct smccc_call *uid = smccc_vendor_uid(s);
	const struct smccc_vendor *vendor = smccc_vendor(s);

	sink_puts(out, "\nhypervisor services through SMCCC\n  summary: ");
	render_smccc_summary(s, out);
	sink_printf(out, "\n  conduit: %s, %u calls, from: ", smccc_conduit_name(s->conduit),
		    (unsigned)s->call_count);
	render_wrapped(text_length("  conduit: hvc, 32 calls, from: "), s->conduit_origin, out);
	sink_puts(out, "\n");
	render_smccc_version(s, out);
	render_smccc_arch_features(s, out);
	const struct smccc_call *uid_call = smccc_answer(s, SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID, 0);
	if (uid) {
		char text[37];
		smccc_uuid_text(uid, text);
		sink_printf(out, "  vendor hypervisor UID: %s (%s)\n", text,
			    vendor ? vendor->product : "unknown");
	} else if (uid_call) {
		sink_puts(out, "  vendor hypervisor UID: ");
		render_smccc_status(uid_call, false, out);
		sink_puts(out, "\n");
	}
	render_kvm_functions(s, out);
	render_smccc_pv_time(s, out);
	render_smccc_trng(s, out);
	if (s->handlers_left)
		sink_printf(out, "  fault handler: NOT unregistered:\n      %s\n", s->handlers_left);
}

/* "    SVE          1      meaning", a code as wide as its field (0x00,
 * 0x051) and, when it has one, the value's name after the meaning. */
static void render_arm_id_field(const struct arm_id_field *field, uint64_t value,
				struct text_sink *out)
{
	const char *name = arm_id_value_name(field, value);
	char number[24], meaning[96];
	struct buffer_sink text;
	struct line line;

	string_sink_init(&text, number, sizeof(number));
	render_arm_id_value(field, value, &text.sink);
	string_sink_finish(&text);
	sink_printf(line_start(&line), "    %-12s %-6s", arm_id_field_name(field), number);
	line_end(&line, " ", format_text(meaning, sizeof(meaning), "%s%s%s", field->meaning,
					  name ? ": " : "", name ? name : ""), out);
}

static void render_arm_id(const struct arm_id_report *id, struct text_sink *out)
{
	sink_puts(out, "\nArm ID registers (the CPU the hypervisor presents)\n");
	for (size_t r = 0; r < ARM_ID_REGISTER_COUNT; r++) {
		sink_printf(out, "  %-16s 0x%016lx\n", arm_id_registers[r].name,
			    (unsigned long)id->values[r]);
		for (size_t f = 0; f < arm_id_field_count; f++)
			if (arm_id_fields[f].reg == r)
				render_arm_id_field(&arm_id_fields[f],
						    arm_id_field_value(&arm_id_fields[f], id->values[r]),
						    out);
	}
}

/* The FADT's hypervisor vendor identity (ACPI 6.0) and, on Arm, its boot
 * flags. */
static void render_fadt(const struct fadt_facts *fadt, struct text_sink *out)
{
	if (!fadt->found) {
		sink_puts(out, "\nACPI FADT: none found\n");
		return;
	}
	sink_printf(out, "\nACPI FADT: revision %u.%u, %u bytes\n", fadt->revision,
		    fadt->minor_revision, fadt->length);
	if (fadt->has_arm_boot_flags && fadt->arm_boot_flags)
		sink_printf(out, "  ARM boot flags: 0x%04x%s%s\n", fadt->arm_boot_flags,
			    fadt->arm_boot_flags & FADT_ARM_PSCI_COMPLIANT ? " PSCI_COMPLIANT" : "",
			    fadt->arm_boot_flags & FADT_ARM_PSCI_USE_HVC ? " PSCI_USE_HVC" : "");
	if (!fadt->has_hypervisor_vendor) {
		sink_puts(out, "  hypervisor vendor identity: none (a field of ACPI 6.0 on)\n");
		return;
	}
	const char *product = acpi_hypervisor_vendor_product(fadt);
	sink_puts(out, "  hypervisor vendor identity: ");
	render_escaped_bytes(fadt->hypervisor_vendor, sizeof(fadt->hypervisor_vendor), out);
	sink_printf(out, " (%s)\n", product ? product : "not a known hypervisor's");
}

/* "ebx[31:24]", "ecx[27]", "edx" */
static void render_register_bits(enum cpuid_register reg, uint32_t mask,
				 struct text_sink *out)
{
	unsigned low = 0, high = 31;

	sink_puts(out, cpuid_register_name(reg));
	if (mask == 0xffffffffu || !mask)
		return;
	while (!((mask >> low) & 1))
		low++;
	while (!((mask >> high) & 1))
		high--;
	if (low == high)
		sink_printf(out, "[%u]", low);
	else
		sink_printf(out, "[%u:%u]", high, low);
}

/* "    vCPU  APIC ID  what was found", the words on indented lines when
 * the numbers are long. */
static void render_vcpu_line(const struct vcpu *v, struct text_sink *out)
{
	char head[48], state[96];
	struct buffer_sink text;

	string_sink_init(&text, head, sizeof(head));
	if (v->apic_id_known)
		sink_printf(&text.sink, "    %4u  %7lu%s", v->number, (unsigned long)v->apic_id,
			    v->apic_id_from_cpuid ? "*" : " ");
	else
		sink_printf(&text.sink, "    %4u  %7s ", v->number, "-");
	string_sink_finish(&text);
	string_sink_init(&text, state, sizeof(state));
	switch (v->state) {
	case VCPU_BOOT:
		sink_puts(&text.sink, "boot vCPU: the reference");
		break;
	case VCPU_COMPARED:
		if (v->differing_registers)
			sink_printf(&text.sink, "DIFFERS in %u register%s", v->differing_registers,
				    v->differing_registers == 1 ? "" : "s");
		else
			sink_puts(&text.sink, v->per_vcpu_registers
						      ? "as the boot vCPU's, per-vCPU fields aside"
						      : "as the boot vCPU's");
		if (v->leaves_unknown)
			sink_printf(&text.sink, "; %u lea%s unknown", v->leaves_unknown,
				    v->leaves_unknown == 1 ? "f" : "ves");
		break;
	case VCPU_TIMED_OUT:
		sink_printf(&text.sink, "TIMED OUT after %u ms", VCPU_CPUID_TIMEOUT_MS);
		break;
	default:
		sink_puts(&text.sink, vcpu_state_name(v->state));
	}
	if (!v->healthy)
		sink_puts(&text.sink, ", UNHEALTHY");
	string_sink_finish(&text);
	bool fits = text_length(head) + 1 + text_length(state) <= CONSOLE_COLUMNS;
	sink_printf(out, "%s%s%s\n", head, fits ? " " : "\n          ", state);
}

/* The same leaves on every vCPU: each vCPU's line, the differences with
 * their bits, and the per-vCPU fields that were left out. */
static void render_vcpus(const struct vcpu_report *v, struct text_sink *out)
{
	sink_puts(out, "\nvCPUs: ");
	if (!v->read) {
		sink_puts(out, "not read: ");
		render_wrapped(text_length("vCPUs: not read: "), v->not_read_reason, out);
		sink_puts(out, "\n");
		return;
	}
	sink_printf(out, "%u present, %u enabled (%s)\n", (unsigned)v->present,
		    (unsigned)v->enabled, v->method);
	if (v->present <= 1) {
		sink_puts(out, "  only the boot vCPU: nothing to compare\n");
		return;
	}
	sink_printf(out, "  CPUID of the %u leaves below on each, against the boot vCPU's:\n"
			 "  %s\n    vCPU  APIC ID  CPUID\n",
		    (unsigned)v->leaves_compared,
		    vcpus_consistent(v) ? "consistent: every vCPU read, none differs"
					: "NOT consistent: a vCPU differs or was not read");
	for (size_t i = 0; i < v->count; i++)
		render_vcpu_line(&v->vcpus[i], out);
	if (v->count < v->present)
		sink_printf(out, "    (%u more past the first %u, not read)\n",
			    (unsigned)(v->present - v->count), VCPU_MAX);
	for (size_t i = 0; i < v->count; i++)
		if (v->vcpus[i].apic_id_from_cpuid && v->vcpus[i].apic_id_known) {
			sink_puts(out, "    (* APIC ID from the vCPU's CPUID leaf 1 EBX[31:24])\n");
			break;
		}
	for (size_t i = 0; i < v->difference_count && i < VCPU_DIFFERENCES_MAX; i++) {
		const struct vcpu_difference *d = &v->differences[i];
		if (!i)
			sink_puts(out, "  differences, per-vCPU fields aside:\n");
		sink_printf(out, "    vCPU %u: leaf 0x%08x.%u %s bits 0x%08x:\n"
				 "      0x%08x on the boot vCPU, 0x%08x here\n",
			    d->vcpu, d->leaf, d->subleaf, cpuid_register_name(d->reg), d->bits,
			    d->boot_value, d->value);
	}
	if (v->difference_count > VCPU_DIFFERENCES_MAX)
		sink_printf(out, "    (%u more, not listed)\n",
			    (unsigned)(v->difference_count - VCPU_DIFFERENCES_MAX));
	for (size_t r = 0; vcpu_rule(r); r++) {
		const struct per_vcpu_rule *rule = vcpu_rule(r);
		if (!((v->rules_applied >> r) & 1))
			continue;
		sink_printf(out, "  left out: %s 0x%02x", rule->xen_block ? "Xen base +" : "leaf",
			    rule->leaf);
		if (rule->subleaf != VCPU_ANY_SUBLEAF)
			sink_printf(out, ".%u", rule->subleaf);
		sink_puts(out, " ");
		render_register_bits(rule->reg, rule->mask, out);
		sink_printf(out, " %s\n    (%s)\n", rule->field, rule->source);
	}
}

/* A 64-bit register of flags (SEV_STATUS, the TD attributes) by its
 * table, unknown set bits as unknown. */
static void render_bits64(const struct cvm_bits64 *table, uint64_t value, struct text_sink *out)
{
	sink_printf(out, "  %s = 0x%016lx\n", table->title, (unsigned long)value);
	for (size_t b = 0; b < table->count; b++) {
		const struct bit_def *bit = &table->bits[b];
		render_flag_line((value >> bit->bit) & 1 ? "yes" : "no", bit->bit, bit->id,
				 bit->meaning, out);
	}
	uint64_t unknown = cvm_unknown_bits(table, value);
	for (unsigned bit = 0; bit < 64; bit++)
		if ((unknown >> bit) & 1)
			render_flag_line("yes", bit, "(unknown)", "set, not defined upstream", out);
}

static size_t render_words(size_t column, size_t indent, const char *text,
			   struct text_sink *out);

/* What the VM is, what decided it, each source's evidence, and the
 * registers decoded where they say something. */
static void render_cvm(const struct hv_report *r, struct text_sink *out)
{
	const struct cvm_report *cvm = &r->cvm;
	struct cvm_evidence evidence[CVM_EVIDENCE_MAX];
	size_t count = cvm_evidence(r, evidence);
	const struct cpuid_regs *sev = cvm_sev_leaf(r);

	if (cvm->type == CVM_TYPE_NONE)
		sink_puts(out, "\nconfidential computing: not a confidential VM\n");
	else
		sink_printf(out, "\nconfidential computing: %s\n", cvm_type_name(cvm->type));
	sink_puts(out, "  decided by:");
	render_words(13, 6, cvm_basis_text(cvm->basis), out);
	sink_puts(out, "\n");
	for (size_t i = 0; i < count; i++) {
		sink_printf(out, "  %s:", evidence[i].source);
		render_words(3 + text_length(evidence[i].source), 6, evidence[i].finding, out);
		sink_puts(out, "\n");
	}
	if (sev && sev->eax) {
		for (size_t d = 0; d < 4; d++) {
			const struct register_decoder *dec = &cvm_sev_leaf_decoders[d];
			uint32_t value = cpuid_register_value(sev, dec->reg);
			sink_printf(out, "  %s: leaf 0x%08x %s = 0x%08x\n", dec->title, dec->offset,
				    cpuid_register_name(dec->reg), value);
			render_bits(dec, value, out);
			render_fields(dec, value, out);
			render_unknown_bits(hv_unknown_bits(dec, value), out);
		}
	}
	if (cvm->sev_status.state == CVM_READ && cvm->sev_status.value)
		render_bits64(&cvm_sev_status_bits, cvm->sev_status.value, out);
	if (cvm->tdx.state == CVM_READ)
		render_bits64(&cvm_tdx_attribute_bits, cvm->tdx.attributes, out);
	if (cvm->handlers_left)
		sink_printf(out, "  fault handlers: NOT all unregistered:\n      %s\n",
			    cvm->handlers_left);
}

/* A string of the tables between quotes, '"', '\' and bytes outside
 * printable ASCII escaped, continued on indented lines at the console's
 * width; a string longer than hvfeat keeps ends with its length. */
static void render_table_string(size_t column, const struct smbios_text *t,
				struct text_sink *out)
{
	char token[8];

	sink_puts(out, "\"");
	column++;
	for (size_t i = 0; t->text[i]; i++) {
		unsigned char c = (unsigned char)t->text[i];
		struct buffer_sink text;
		string_sink_init(&text, token, sizeof(token));
		if (c == '"' || c == '\\')
			sink_printf(&text.sink, "\\%c", c);
		else if (!ascii_printable(c))
			sink_printf(&text.sink, "\\x%02x", c);
		else
			sink_printf(&text.sink, "%c", c);
		size_t width = text_length(string_sink_finish(&text));
		if (column + width > CONSOLE_COLUMNS) {
			sink_puts(out, "\n" CONTINUATION_INDENT);
			column = text_length(CONTINUATION_INDENT);
		}
		sink_puts(out, token);
		column += width;
	}
	char end[32];
	struct buffer_sink text;
	string_sink_init(&text, end, sizeof(end));
	sink_puts(&text.sink, "\"");
	if (t->length > SMBIOS_TEXT_MAX)
		sink_printf(&text.sink, "... (%lu bytes)", (uint64_t)t->length);
	if (column + text_length(string_sink_finish(&text)) > CONSOLE_COLUMNS)
		sink_puts(out, "\n" CONTINUATION_INDENT);
	sink_puts(out, end);
}

static void render_table_text(const char *name, const struct smbios_text *t,
			      struct text_sink *out)
{
	sink_printf(out, "    %s: ", name);
	switch (t->state) {
	case SMBIOS_TEXT_ABSENT:
		sink_puts(out, "no such field (the structure is shorter)\n");
		return;
	case SMBIOS_TEXT_NONE:
		sink_puts(out, "not specified\n");
		return;
	case SMBIOS_TEXT_BAD_INDEX:
		sink_printf(out, "string %u, which the structure does not hold\n", t->index);
		return;
	case SMBIOS_TEXT_SET:
		break;
	}
	render_table_string(4 + text_length(name) + 2, t, out);
	sink_puts(out, "\n");
}

static void render_smbios_bios(const struct smbios_bios *b, struct text_sink *out)
{
	if (!b->found) {
		sink_puts(out, "  type 0 (BIOS): none\n");
		return;
	}
	sink_puts(out, "  type 0 (BIOS):\n");
	render_table_text("vendor", &b->vendor, out);
	render_table_text("version", &b->version, out);
	render_table_text("release date", &b->release_date, out);
	if (!b->extension_byte_2_present) {
		sink_puts(out, "    characteristics extension byte 2: none (the structure is "
			       "shorter)\n");
		return;
	}
	sink_printf(out, "    characteristics extension byte 2 = 0x%02x\n", b->extension_byte_2);
	for (size_t i = 0; i < smbios_bios_extension_2_bit_count; i++) {
		const struct smbios_bit *bit = &smbios_bios_extension_2_bits[i];
		render_flag_line((b->extension_byte_2 >> bit->bit) & 1 ? "yes" : "no", bit->bit,
				 bit->id, bit->meaning, out);
	}
	render_unknown_bits(smbios_bios_extension_2_unknown(b), out);
}

static void render_smbios_system(const struct smbios_report *m, struct text_sink *out)
{
	const struct smbios_system *s = &m->system;

	if (!s->found) {
		sink_puts(out, "  type 1 (system): none\n");
		return;
	}
	sink_puts(out, "  type 1 (system):\n");
	render_table_text("manufacturer", &s->manufacturer, out);
	render_table_text("product name", &s->product, out);
	render_table_text("version", &s->version, out);
	render_table_text("serial number", &s->serial, out);
	if (s->uuid_state == SMBIOS_UUID_ABSENT)
		sink_puts(out, "    uuid: no such field (the structure is shorter)\n");
	else if (s->uuid_state == SMBIOS_UUID_SET)
		sink_printf(out, "    uuid: %s\n", s->uuid);
	else
		sink_printf(out, "    uuid: %s (%s)\n      %s\n", s->uuid,
			    smbios_uuid_meanings[s->uuid_state].dmidecode,
			    smbios_uuid_meanings[s->uuid_state].meaning);
	render_table_text("sku number", &s->sku, out);
	render_table_text("family", &s->family, out);
}

static void render_smbios_oem(const struct smbios_oem_strings *o, struct text_sink *out)
{
	if (!o->structures) {
		sink_puts(out, "  type 11 (OEM strings): none\n");
		return;
	}
	sink_printf(out, "  type 11 (OEM strings): %lu in %lu structure%s\n", (uint64_t)o->count,
		    (uint64_t)o->structures, o->structures == 1 ? "" : "s");
	for (size_t i = 0; i < o->kept; i++) {
		char name[8];
		render_table_text(format_text(name, sizeof(name), "%u", (unsigned)i + 1),
				  &o->strings[i], out);
	}
	if (o->count > o->kept)
		sink_printf(out, "    (%lu more not kept)\n", (uint64_t)(o->count - o->kept));
}

static void render_smbios_problems(const struct smbios_report *m, struct text_sink *out)
{
	if (!m->problem_count)
		return;
	sink_printf(out, "  problems: %lu\n", (uint64_t)m->problem_count);
	for (size_t i = 0; i < m->problem_count && i < SMBIOS_PROBLEMS_MAX; i++) {
		sink_puts(out, "    - ");
		render_words(6, 6, m->problems[i], out);
		sink_puts(out, "\n");
	}
	if (m->problem_count > SMBIOS_PROBLEMS_MAX)
		sink_printf(out, "    (%lu more)\n",
			    (uint64_t)(m->problem_count - SMBIOS_PROBLEMS_MAX));
}

#define SMBIOS_HEADING "SMBIOS (firmware tables, DMTF DSP0134):"
#define SMBIOS_HEADING_WIDTH (sizeof(SMBIOS_HEADING) - 1)

/* The firmware's own account of the machine, beside CPUID's. */
static void render_smbios(const struct smbios_report *m, struct text_sink *out)
{
	sink_puts(out, "\n" SMBIOS_HEADING);
	switch (m->state) {
	case SMBIOS_NOT_READ:
		sink_puts(out, " not read:");
		render_words(SMBIOS_HEADING_WIDTH + 10, 6,
			     m->reason[0] ? m->reason : "not looked for", out);
		sink_puts(out, "\n");
		break;
	case SMBIOS_ABSENT:
		sink_puts(out, " none:");
		render_words(SMBIOS_HEADING_WIDTH + 6, 6, m->reason, out);
		sink_puts(out, "\n");
		break;
	case SMBIOS_UNUSABLE:
		sink_puts(out, " no usable entry point\n");
		break;
	case SMBIOS_READ:
		sink_printf(out, "\n  entry point: %s, SMBIOS %u.%u", smbios_anchor(m->entry),
			    m->major, m->minor);
		if (m->entry == SMBIOS_ENTRY_64)
			sink_printf(out, ".%u", m->docrev);
		sink_printf(out, ", table at 0x%lx\n  table: %s%u bytes, %lu walked, %lu "
				 "structure%s", (unsigned long)m->table_address,
			    m->entry == SMBIOS_ENTRY_64 ? "up to " : "", m->table_length,
			    (uint64_t)m->table_walked, (uint64_t)m->structures,
			    m->structures == 1 ? "" : "s");
		if (m->entry == SMBIOS_ENTRY_32)
			sink_printf(out, " of %u", m->structure_count);
		sink_puts(out, m->end_of_table ? ", end of table\n" : "\n");
		render_smbios_bios(&m->bios, out);
		render_smbios_system(m, out);
		render_smbios_oem(&m->oem, out);
		break;
	}
	render_smbios_problems(m, out);
	if (m->sys_hypervisor_present) {
		struct smbios_text type = { .state = SMBIOS_TEXT_SET };
		for (size_t i = 0; i <= SMBIOS_SYS_HYPERVISOR_MAX; i++)
			type.text[i] = m->sys_hypervisor_type[i];
		type.length = text_length(type.text);
		sink_puts(out, "  Linux /sys/hypervisor/type: ");
		render_table_string(30, &type, out);
		sink_puts(out, "\n");
	}
}

static void render_probe_value(const struct probe_value *v, struct text_sink *out)
{
	switch (v->kind) {
	case VALUE_DECIMAL:
		sink_printf(out, "%s=%lu", v->name, (unsigned long)v->value);
		break;
	case VALUE_HEX:
		sink_printf(out, "%s=0x%lx", v->name, (unsigned long)v->value);
		break;
	case VALUE_SIGNED:
		sink_printf(out, "%s=%+ld", v->name, (int64_t)v->value);
		break;
	}
}

/* The measured values, as many to a line as fit. */
static void render_probe_values(const struct probe_result *p, struct text_sink *out)
{
	size_t column = 0;

	for (size_t i = 0; i < p->value_count; i++) {
		char token[96];
		struct buffer_sink text;
		string_sink_init(&text, token, sizeof(token));
		render_probe_value(&p->values[i], &text.sink);
		string_sink_finish(&text);
		size_t width = text_length(token);
		if (column && column + 1 + width > CONSOLE_COLUMNS) {
			sink_puts(out, "\n");
			column = 0;
		}
		sink_puts(out, column ? " " : "      ");
		sink_puts(out, token);
		column += column ? 1 + width : 6 + width;
	}
	if (column)
		sink_puts(out, "\n");
}

/* "key: broken: detail" or "key: works (remark)", broken between words
 * and continued indented when the line would not fit. */
static void render_probe_state(const struct probe_result *p, struct text_sink *out)
{
	bool works = p->state == PROBE_WORKS;

	sink_printf(out, "  %s: %s%s", p->key, probe_state_name(p->state),
		    p->detail[0] && !works ? ":" : "");
	if (p->detail[0]) {
		char text[PROBE_DETAIL_MAX + 2];
		struct buffer_sink detail;
		string_sink_init(&detail, text, sizeof(text));
		sink_printf(&detail.sink, works ? "(%s)" : "%s", p->detail);
		render_words(2 + text_length(p->key) + 2 + text_length(probe_state_name(p->state)) +
				     !works,
			     6, string_sink_finish(&detail), out);
	}
	sink_puts(out, "\n");
}

static void render_handlers_left(const struct probe_report *probes, struct text_sink *out)
{
	if (probes->handlers_left)
		sink_printf(out, "  fault handlers: NOT all unregistered:\n      %s\n",
			    probes->handlers_left);
}

static void render_probes(const struct probe_report *probes, struct text_sink *out)
{
	sink_puts(out, "\nprobes (--probe):");
	if (probes->not_run_reason) {
		sink_printf(out, " not run: %s\n", probes->not_run_reason);
		render_handlers_left(probes, out);
		return;
	}
	sink_printf(out, " %u probes", (unsigned)probes->count);
	if (probes->pm_ticks)
		sink_printf(out, " in %lu ms by the ACPI PM timer",
			    (unsigned long)scale_u64(probes->pm_ticks, 1000u, PM_TIMER_HZ));
	sink_puts(out, "\n");
	for (size_t i = 0; i < probes->count; i++) {
		const struct probe_result *p = &probes->results[i];
		render_probe_state(p, out);
		if (p->state == PROBE_NOT_ADVERTISED)
			continue;
		sink_printf(out, "      %s\n", p->title);
		render_probe_values(p, out);
	}
	for (size_t i = 0; i < probes->restore_count; i++) {
		const struct msr_restore *r = &probes->restores[i];
		char line[96];
		struct buffer_sink text;
		const char *how = r->restored    ? "read back equal"
				  : r->vcpu_lost ? "NOT confirmed, the vCPU never finished"
						 : "FAILED, reads back different";
		string_sink_init(&text, line, sizeof(line));
		sink_printf(&text.sink, "  restored MSR 0x%08x", r->msr);
		if (r->other_vcpu)
			sink_printf(&text.sink, " on vCPU %u", r->vcpu);
		sink_printf(&text.sink, " to 0x%lx:", (unsigned long)r->found);
		string_sink_finish(&text);
		bool fits = text_length(line) + 1 + text_length(how) <= CONSOLE_COLUMNS;
		sink_printf(out, "%s%s%s\n", line, fits ? " " : "\n      ", how);
	}
	if (probes->kept_registered)
		sink_printf(out, "  memory: %s\n", probes->kept_registered);
	else
		sink_puts(out, probes->pages_in_use
				       ? "  memory: a registration could not be undone; its pages "
					 "stay reserved\n"
				       : "  memory: every registration undone, the pages released\n");
	if (!probes->handlers_left)
		sink_puts(out, "  fault handlers: unregistered\n");
	render_handlers_left(probes, out);
}

static void new_line(size_t indent, struct text_sink *out)
{
	sink_puts(out, "\n");
	for (size_t i = 0; i < indent; i++)
		sink_puts(out, " ");
}

/* Words written from column on, a line broken at a space before the
 * console's width and continued at indent; a word longer than a line is
 * broken where it must be. Returns the column it ends in. */
static size_t render_words(size_t column, size_t indent, const char *text,
			   struct text_sink *out)
{
	while (*text) {
		size_t word = 0, width = 0;
		while (text[word] && text[word] != ' ')
			width += escaped_width((unsigned char)text[word++]);
		if (column + 1 + width > CONSOLE_COLUMNS && column > indent &&
		    indent + width <= CONSOLE_COLUMNS) {
			new_line(indent, out);
			column = indent;
		} else if (column > indent) {
			sink_puts(out, " ");
			column++;
		}
		for (size_t i = 0; i < word; i++) {
			size_t w = escaped_width((unsigned char)text[i]);
			if (column + w > CONSOLE_COLUMNS) {
				new_line(indent, out);
				column = indent;
			}
			sink_escaped(out, &text[i], 1);
			column += w;
		}
		text += word;
		while (*text == ' ')
			text++;
	}
	return column;
}

static const char *const outcome_tags[OUTCOME_COUNT] = {
	[OUTCOME_PASS] = "PASS", [OUTCOME_FAIL] = "FAIL", [OUTCOME_WARN] = "WARN",
	[OUTCOME_SKIP] = "SKIP", [OUTCOME_NOT_APPLICABLE] = "N/A", [OUTCOME_INFO] = "INFO",
};

#define RESULT_INDENT 8u

/* "  FAIL  label: detail", wrapped at the console's width. */
static void render_result(const struct result *result, struct text_sink *out)
{
	sink_printf(out, "  %-4s  ", outcome_tags[result->outcome]);
	size_t column = render_words(RESULT_INDENT, RESULT_INDENT, result->label, out);
	sink_puts(out, ":");
	column++;
	if (result->waived)
		column = render_words(column, RESULT_INDENT, "waived:", out);
	render_words(column, RESULT_INDENT, result->detail, out);
	sink_puts(out, "\n");
}

/* "  failed: a (high), b (high)": the labels of one outcome, wrapped. */
static void render_labels_of(const struct result_list *results, enum outcome outcome,
			     const char *heading, struct text_sink *out)
{
	size_t left = 0, column = 2 + text_length(heading);

	for (size_t i = 0; i < results->count; i++)
		left += results->items[i].outcome == outcome;
	if (!left)
		return;
	sink_printf(out, "  %s", heading);
	for (size_t i = 0; i < results->count; i++) {
		const struct result *r = &results->items[i];
		char note[32];
		struct buffer_sink text;
		if (r->outcome != outcome)
			continue;
		string_sink_init(&text, note, sizeof(note));
		if (r->waived)
			sink_puts(&text.sink, "(waived)");
		else if (r->severity)
			sink_printf(&text.sink, "(%s)", severity_name(r->severity));
		sink_puts(&text.sink, --left ? "," : "");
		column = render_words(column, 4, r->label, out);
		column = render_words(column, 4, string_sink_finish(&text), out);
	}
	sink_puts(out, "\n");
}

static void render_verdict(const struct verdict *v, struct text_sink *out)
{
	size_t failed = v->counts[OUTCOME_FAIL];
	size_t warnings = v->counts[OUTCOME_WARN];

	if (failed)
		sink_printf(out, "verdict: FAIL, %u result%s failed\n", (unsigned)failed,
			    failed == 1 ? "" : "s");
	else if (!v->passed)
		sink_printf(out, "verdict: FAIL, %u warning%s under --strict\n",
			    (unsigned)(warnings - v->waived),
			    warnings - v->waived == 1 ? "" : "s");
	else if (warnings)
		sink_printf(out, "verdict: PASS, with %u warning%s\n", (unsigned)warnings,
			    warnings == 1 ? "" : "s");
	else
		sink_puts(out, "verdict: PASS\n");
}

/* Last, so that a person at the console sees the verdict: every result
 * (only those that did not pass, when quiet), the counts as fwts gives
 * them, the failures and warnings by label, the verdict. */
static void render_results(const struct hv_report *r, bool quiet, struct text_sink *out)
{
	const struct result_list *results = &r->results;
	const size_t *n = r->verdict.counts;
	size_t total = 0;

	for (size_t o = 0; o < OUTCOME_COUNT; o++)
		total += n[o];
	sink_printf(out, "\nresults: %u\n", (unsigned)total);
	for (size_t i = 0; i < results->count; i++) {
		enum outcome o = results->items[i].outcome;
		if (!quiet || o == OUTCOME_FAIL || o == OUTCOME_WARN || o == OUTCOME_SKIP)
			render_result(&results->items[i], out);
	}
	if (results_unlisted(results))
		sink_printf(out, "  (%u more results counted, not listed)\n",
			    (unsigned)results_unlisted(results));
	sink_printf(out, "summary: %u passed, %u failed, %u warning%s", (unsigned)n[OUTCOME_PASS],
		    (unsigned)n[OUTCOME_FAIL], (unsigned)n[OUTCOME_WARN],
		    n[OUTCOME_WARN] == 1 ? "" : "s");
	if (r->verdict.waived)
		sink_printf(out, " (%u waived)", (unsigned)r->verdict.waived);
	sink_printf(out, ", %u skipped,\n         %u not applicable, %u info\n",
		    (unsigned)n[OUTCOME_SKIP], (unsigned)n[OUTCOME_NOT_APPLICABLE],
		    (unsigned)n[OUTCOME_INFO]);
	render_labels_of(results, OUTCOME_FAIL, "failed:", out);
	render_labels_of(results, OUTCOME_WARN, "warnings:", out);
	render_verdict(&r->verdict, out);
}

void render_text(const struct hv_report *r, struct text_sink *out)
{
	render_summary(r, out);
	for (size_t i = 0; i < r->interface_count; i++)
		render_interface(r, &r->interfaces[i], out);
	if (r->smccc.asked)
		render_smccc(&r->smccc, out);
	if (r->arm_id.read)
		render_arm_id(&r->arm_id, out);
	if (r->fadt.read)
		render_fadt(&r->fadt, out);
	if (r->vcpus.read || r->vcpus.not_read_reason)
		render_vcpus(&r->vcpus, out);
	render_smbios(&r->smbios, out);

	if (r->cvm.examined)
		render_cvm(r, out);
	if (r->probes.requested)
		render_probes(&r->probes, out);
	if (hv_report_has_cpuid(r)) {
		sink_puts(out, "\nraw leaves (cpuid -r format):\n");
		for (size_t i = 0; i < r->leaf_count; i++)
			cpuid_dump_line(r->leaves[i].leaf, r->leaves[i].subleaf,
					&r->leaves[i].regs, out);
	}
	/* The ID registers first, as -r writes them: the SMCCC answers stay
	 * the last section before the results, which a log's reader cuts
	 * out whole as an SMCCC recording (tests/firmware/test_kvm_arm64.py). */
	if (r->arm_id.read) {
		sink_puts(out, "\nraw Arm ID registers (hvfeat -r format):\n");
		render_arm_id_dump(&r->arm_id, out);
	}
	if (r->smccc.asked) {
		sink_puts(out, "\nraw SMCCC answers (hvfeat -r format):\n");
		render_smccc_dump(&r->smccc, out);
	}
	render_results(r, false, out);
	sink_printf(out, "%s\n", HVFEAT_REPORT_END);
}

void render_quiet(const struct hv_report *r, struct text_sink *out)
{
	sink_printf(out, "hvfeat %s - what did not pass\n", HVFEAT_VERSION);
	render_summary_line(r, out);
	render_results(r, true, out);
	sink_printf(out, "%s\n", HVFEAT_REPORT_END);
}
