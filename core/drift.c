/* Drift from a baseline (drift.h): both reports come from the same
 * scanner, so interfaces are matched by signature (the n-th interface with
 * a signature in one with the n-th in the other), then compared item by
 * item through the decoder tables, then leaf by leaf for the bits no table
 * names. */
#include "drift.h"

#include "ascii.h"
#include "drift_arm_id.h"
#include "drift_smccc.h"
#include "hv_report.h"
#include "interface_tables.h"

/* The registers whose bits are offers a guest relies on, table by table:
 * losing one of these fails. Every other decoded register describes
 * (hints, recommendations, what the host uses, versions, limits) and a
 * change to it warns. */
static const struct feature_register {
	const struct decoder_table *table;
	uint32_t offset;
	enum cpuid_register reg;
} feature_registers[] = {
	/* KVM: KVM_FEATURE_* in base+1 EAX (Linux kvm_para.h); the
	 * KVM_HINTS_* of EDX and the timing leaf are hints and fields. */
	{ &kvm_table, 0x01, REG_EAX },
	/* Hyper-V (TLFS "Feature discovery"): the partition privileges
	 * (0x40000003 EAX, EBX) and features (ECX, EDX), root CPU management
	 * (0x40000007), shared virtual memory (0x40000008 EAX's bit), the
	 * nested features (0x40000009 EAX, EDX) and nested virtualization
	 * features (0x4000000A EAX's bits, EBX), the debugger's capabilities
	 * (0x40000082). The recommendations (0x40000004), the hardware
	 * features in use (0x40000006), isolation (0x4000000C), the version,
	 * limits and interface signatures describe: hints and fields. */
	{ &hyperv_table, 0x03, REG_EAX },
	{ &hyperv_table, 0x03, REG_EBX },
	{ &hyperv_table, 0x03, REG_ECX },
	{ &hyperv_table, 0x03, REG_EDX },
	{ &hyperv_table, 0x07, REG_EAX },
	{ &hyperv_table, 0x07, REG_EBX },
	{ &hyperv_table, 0x07, REG_ECX },
	{ &hyperv_table, 0x08, REG_EAX },
	{ &hyperv_table, 0x09, REG_EAX },
	{ &hyperv_table, 0x09, REG_EDX },
	{ &hyperv_table, 0x0a, REG_EAX },
	{ &hyperv_table, 0x0a, REG_EBX },
	{ &hyperv_table, 0x82, REG_EAX },
	/* Xen (public/arch-x86/cpuid.h): XEN_CPUID_FEAT1_* (base+2 ECX) and
	 * XEN_HVM_CPUID_* (base+4 EAX); the time leaf's flags describe the
	 * TSC: hints. */
	{ &xen_table, 0x02, REG_ECX },
	{ &xen_table, 0x04, REG_EAX },
	/* bhyve: base+1 EAX features. VMware's base+0x10 ECX names the
	 * hypercall instruction to use: a hint. */
	{ &bhyve_table, 0x01, REG_EAX },
};

bool drift_register_is_feature(const struct decoder_table *table,
			       const struct register_decoder *decoder)
{
	for (size_t i = 0; i < COUNT_OF(feature_registers); i++) {
		const struct feature_register *f = &feature_registers[i];
		if (f->table == table && f->offset == decoder->offset &&
		    decoder->subleaf == 0 && f->reg == decoder->reg)
			return true;
	}
	return false;
}

struct drift {
	const struct hv_report *now, *base;
	struct result_list *results;
	size_t count;
};

static const char *interface_key(const struct hv_interface *iface)
{
	return iface->vendor ? iface->vendor->key : "unknown";
}

/* A difference: a result labelled "drift." and the name printf makes. */
static struct text_sink *differ(struct drift *d, enum outcome outcome, enum severity severity,
				const char *format, ...) __attribute__((format(printf, 4, 5)));

static struct text_sink *differ(struct drift *d, enum outcome outcome, enum severity severity,
				const char *format, ...)
{
	char name[RESULT_LABEL_MAX];
	va_list args;

	va_start(args, format);
	vformat_text(name, sizeof(name), format, args);
	va_end(args);
	d->count++;
	return results_add(d->results, outcome, severity, "drift.", name);
}

static bool same_signature(const struct hv_interface *a, const struct hv_interface *b)
{
	for (size_t i = 0; i < HV_SIGNATURE_LENGTH; i++)
		if (a->signature[i] != b->signature[i])
			return false;
	return true;
}

/* The interface of other that matches report's interfaces[index]: the
 * same signature, as often seen before it. */
static size_t matching(const struct hv_report *report, size_t index,
		       const struct hv_report *other)
{
	size_t seen = 0;

	for (size_t i = 0; i < index; i++)
		seen += same_signature(&report->interfaces[i], &report->interfaces[index]);
	for (size_t i = 0; i < other->interface_count; i++)
		if (same_signature(&other->interfaces[i], &report->interfaces[index]) && !seen--)
			return i;
	return other->interface_count;
}

static bool decoded_here(const struct hv_interface *iface)
{
	return iface->vendor && iface->vendor->table && !iface->past_decode_limit;
}

size_t drift_each_feature(const struct hv_report *r, const struct hv_interface *iface,
			  void (*visit)(void *context, const struct register_decoder *dec,
					const struct bit_def *bit),
			  void *context)
{
	size_t count = 0;

	if (!decoded_here(iface))
		return 0;
	const struct decoder_table *table = iface->vendor->table;
	for (size_t d = 0; d < table->count; d++) {
		const struct register_decoder *dec = &table->decoders[d];
		uint32_t value;
		if (!drift_register_is_feature(table, dec) ||
		    hv_decoder_value(r, iface, dec, &value) != DECODED)
			continue;
		for (size_t b = 0; b < dec->bit_count; b++) {
			if (!(value >> dec->bits[b].bit & 1))
				continue;
			count++;
			if (visit)
				visit(context, dec, &dec->bits[b]);
		}
	}
	return count;
}

static void field_value(const struct field_def *field, bool provided, uint32_t value,
			struct text_sink *out)
{
	if (!provided)
		sink_puts(out, "not provided");
	else if (field->format == FIELD_HEX || field->format == FIELD_FOURCC)
		sink_printf(out, "0x%x", value);
	else if (field->format == FIELD_KHZ)
		sink_printf(out, "%u kHz", value);
	else if (field->format == FIELD_ENUM && value < field->name_count)
		sink_printf(out, "%u (%s)", value, field->names[value]);
	else
		sink_printf(out, "%u", value);
}

static const char *bit_state(bool provided, bool set)
{
	return set ? "set" : provided ? "clear" : "not provided";
}

static void compare_decoder(struct drift *d, const struct hv_interface *was,
			    const struct hv_interface *is, const struct register_decoder *dec)
{
	const struct hv_vendor *vendor = is->vendor;
	uint32_t old = 0, new = 0;
	bool had = hv_decoder_value(d->base, was, dec, &old) == DECODED;
	bool has = hv_decoder_value(d->now, is, dec, &new) == DECODED;
	bool feature = drift_register_is_feature(vendor->table, dec);
	uint32_t leaf = is->base + dec->offset;
	char key[RESULT_LABEL_MAX];

	for (size_t b = 0; b < dec->bit_count; b++) {
		const struct bit_def *bit = &dec->bits[b];
		bool before = had && (old >> bit->bit & 1), after = has && (new >> bit->bit & 1);
		if (before == after)
			continue;
		hv_item_key(vendor, bit->id, key, sizeof(key));
		struct text_sink *detail;
		if (feature)
			detail = differ(d, before ? OUTCOME_FAIL : OUTCOME_WARN,
					before ? SEVERITY_HIGH : SEVERITY_LOW, "%s", key);
		else
			detail = differ(d, OUTCOME_WARN, SEVERITY_LOW, "%s", key);
		sink_printf(detail, "%s %s: leaf 0x%08x", bit->id,
			    feature ? (before ? "lost" : "gained") : "changed", leaf);
		if (dec->subleaf)
			sink_printf(detail, ".%u", dec->subleaf);
		sink_printf(detail, " %s bit %u %s in the baseline, %s now",
			    cpuid_register_name(dec->reg), bit->bit, bit_state(had, before),
			    bit_state(has, after));
	}
	for (size_t f = 0; f < dec->field_count; f++) {
		const struct field_def *field = &dec->fields[f];
		uint32_t before = had ? hv_field_value(field, old) : 0;
		uint32_t after = has ? hv_field_value(field, new) : 0;
		if (had == has && before == after)
			continue;
		hv_item_key(vendor, field->id, key, sizeof(key));
		struct text_sink *detail = differ(d, OUTCOME_WARN, SEVERITY_LOW, "%s", key);
		sink_printf(detail, "%s changed: ", field->id);
		field_value(field, had, before, detail);
		sink_puts(detail, " in the baseline, ");
		field_value(field, has, after, detail);
		sink_puts(detail, " now");
	}
}

/* The bits of (offset, subleaf, reg) that some decoder reads from a leaf
 * it decodes in either report: those differences are the items'. */
static uint32_t named_bits(const struct drift *d, const struct hv_interface *was,
			   const struct hv_interface *is, uint32_t offset, uint32_t subleaf,
			   enum cpuid_register reg)
{
	uint32_t named = 0, value;

	if (!decoded_here(was) || !decoded_here(is))
		return 0;
	const struct decoder_table *table = is->vendor->table;
	for (size_t i = 0; i < table->count; i++) {
		const struct register_decoder *dec = &table->decoders[i];
		if (dec->offset != offset || dec->subleaf != subleaf || dec->reg != reg ||
		    (hv_decoder_value(d->base, was, dec, &value) != DECODED &&
		     hv_decoder_value(d->now, is, dec, &value) != DECODED))
			continue;
		/* every bit the register's bits and fields cover */
		named |= ~hv_unknown_bits(dec, 0xffffffffu);
	}
	return named;
}

/* The leaves of an interface's block, past its base leaf, as the scanner
 * recorded them: one run of ascending (leaf, sub-leaf) after the base's. */
struct block {
	const struct leaf_reading *at, *end;
};

static struct block block_of(const struct hv_report *r, const struct hv_interface *iface)
{
	struct block block = { NULL, NULL };

	for (size_t i = 0; i < r->leaf_count; i++)
		if (r->leaves[i].leaf == iface->base) {
			size_t end = i + 1;
			while (end < r->leaf_count && r->leaves[end].leaf > iface->base &&
			       r->leaves[end].leaf <= iface->last_leaf)
				end++;
			block.at = &r->leaves[i + 1];
			block.end = &r->leaves[end];
			break;
		}
	return block;
}

static bool before_in_block(const struct leaf_reading *a, uint32_t a_base,
			    const struct leaf_reading *b, uint32_t b_base)
{
	uint32_t a_offset = a->leaf - a_base, b_offset = b->leaf - b_base;

	return a_offset < b_offset || (a_offset == b_offset && a->subleaf < b->subleaf);
}

static void compare_raw(struct drift *d, const struct hv_interface *was,
			const struct hv_interface *is)
{
	struct block old = block_of(d->base, was), new = block_of(d->now, is);
	static const struct cpuid_regs zero = { 0, 0, 0, 0 };

	while (old.at < old.end || new.at < new.end) {
		const struct leaf_reading *o = NULL, *n = NULL;
		uint32_t offset, subleaf;
		if (new.at == new.end ||
		    (old.at < old.end && before_in_block(old.at, was->base, new.at, is->base))) {
			o = old.at++;
			offset = o->leaf - was->base;
			subleaf = o->subleaf;
		} else {
			if (old.at < old.end && !before_in_block(new.at, is->base, old.at, was->base))
				o = old.at++; /* the same leaf in both */
			n = new.at++;
			offset = n->leaf - is->base;
			subleaf = n->subleaf;
		}
		for (enum cpuid_register reg = REG_EAX; reg <= REG_EDX; reg++) {
			uint32_t before = cpuid_register_value(o ? &o->regs : &zero, reg);
			uint32_t after = cpuid_register_value(n ? &n->regs : &zero, reg);
			uint32_t differ_bits = (before ^ after) &
					       ~named_bits(d, was, is, offset, subleaf, reg);
			if (!differ_bits)
				continue;
			char sub[16] = "";
			if (subleaf)
				format_text(sub, sizeof(sub), ".sub%u", subleaf);
			struct text_sink *detail =
				differ(d, OUTCOME_WARN, SEVERITY_LOW, "%s.raw.0x%02x%s.%s",
				       interface_key(is), offset, sub, cpuid_register_name(reg));
			sink_printf(detail, "leaf 0x%08x", is->base + offset);
			if (subleaf)
				sink_printf(detail, ".%u", subleaf);
			sink_printf(detail, " %s, bits 0x%08x that no table names: ",
				    cpuid_register_name(reg), differ_bits);
			if (o)
				sink_printf(detail, "0x%08x", before);
			else
				sink_puts(detail, "not provided");
			sink_puts(detail, " in the baseline, ");
			if (n)
				sink_printf(detail, "0x%08x now", after);
			else
				sink_puts(detail, "not provided now");
		}
	}
}

static void compare_interface(struct drift *d, const struct hv_interface *was,
			      const struct hv_interface *is)
{
	const char *key = interface_key(is);

	if (was->base != is->base)
		sink_printf(differ(d, OUTCOME_WARN, SEVERITY_MEDIUM, "interface.%s.base", key),
			    "%s moved from 0x%08x in the baseline to 0x%08x now", hv_product(is),
			    was->base, is->base);
	if (was->reported_max_leaf - was->base != is->reported_max_leaf - is->base)
		sink_printf(differ(d, OUTCOME_WARN, SEVERITY_LOW, "interface.%s.max_leaf", key),
			    "%s at 0x%08x: max leaf 0x%08x in the baseline, 0x%08x now",
			    hv_product(is), is->base, was->reported_max_leaf, is->reported_max_leaf);
	if (decoded_here(was) && decoded_here(is)) {
		const struct decoder_table *table = is->vendor->table;
		for (size_t i = 0; i < table->count; i++)
			compare_decoder(d, was, is, &table->decoders[i]);
	}
	compare_raw(d, was, is);
}

static void compare_interfaces(struct drift *d)
{
	bool matched[HV_BASE_COUNT] = { false };

	for (size_t i = 0; i < d->base->interface_count; i++) {
		const struct hv_interface *was = &d->base->interfaces[i];
		size_t j = matching(d->base, i, d->now);
		if (j < d->now->interface_count) {
			matched[j] = true;
			compare_interface(d, was, &d->now->interfaces[j]);
			continue;
		}
		struct text_sink *detail = differ(d, OUTCOME_FAIL, SEVERITY_HIGH, "interface.%s",
						  interface_key(was));
		sink_printf(detail, "%s at 0x%08x removed", hv_product(was), was->base);
		if (decoded_here(was))
			sink_printf(detail, ", and the %u features and privileges it offered",
				    (unsigned)drift_each_feature(d->base, was, NULL, NULL));
	}
	for (size_t j = 0; j < d->now->interface_count; j++) {
		const struct hv_interface *is = &d->now->interfaces[j];
		if (matched[j])
			continue;
		struct text_sink *detail = differ(d, OUTCOME_WARN, SEVERITY_LOW, "interface.%s",
						  interface_key(is));
		sink_printf(detail, "%s added at 0x%08x", hv_product(is), is->base);
		if (decoded_here(is))
			sink_printf(detail, ", offering %u features and privileges",
				    (unsigned)drift_each_feature(d->now, is, NULL, NULL));
	}
}

void drift_judge(const struct hv_report *now, const struct hv_report *baseline,
		   struct result_list *results)
{
	struct drift d = { now, baseline, results, 0 };
	/* The summary comes first, so it is listed however many differences
	 * follow; its outcome and detail are known at the end. */
	size_t summary = results->count;

	results_add(results, OUTCOME_PASS, SEVERITY_NONE, "drift.", "baseline");
	if (now->hypervisor_bit != baseline->hypervisor_bit)
		sink_printf(differ(&d, baseline->hypervisor_bit ? OUTCOME_FAIL : OUTCOME_WARN,
				   baseline->hypervisor_bit ? SEVERITY_HIGH : SEVERITY_LOW,
				   "hypervisor_bit"),
			    "CPUID.1:ECX[31] %s in the baseline, %s now: interfaces not "
			    "compared, guests look for them only when it is set",
			    baseline->hypervisor_bit ? "set" : "clear",
			    now->hypervisor_bit ? "set" : "clear");
	else if (now->hypervisor_bit)
		compare_interfaces(&d);
	d.count += drift_smccc(now, baseline, results);
	d.count += drift_arm_id(now, baseline, results);

	if (summary == RESULTS_MAX)
		return; /* not reached: requirements, probes and lints fit */
	struct result *r = &results->items[summary];
	struct buffer_sink detail;
	r->outcome = d.count ? OUTCOME_INFO : OUTCOME_PASS;
	string_sink_init(&detail, r->detail, sizeof(r->detail));
	if (d.count) {
		sink_printf(&detail.sink, "%u difference%s from the baseline (%s)",
			    (unsigned)d.count, d.count == 1 ? "" : "s",
			    baseline->source_description);
	} else {
		sink_printf(&detail.sink, "matches the baseline (%s): %u interface%s",
			    baseline->source_description, (unsigned)now->interface_count,
			    now->interface_count == 1 ? "" : "s");
		if (now->smccc.asked)
			sink_puts(&detail.sink, now->arm_id.read ? ", the SMCCC answers"
								 : " and the SMCCC answers");
		if (now->arm_id.read)
			sink_puts(&detail.sink, " and the Arm ID registers");
		sink_puts(&detail.sink, " compared");
	}
	string_sink_finish(&detail);
}

/* A catalogue key ("kvm", "bhyve": the entry with a table), or
 * "unknown" for the signatures the catalogue does not know; in any case. */
static const struct hv_vendor *vendor_key(const char *key, size_t length, bool *unknown)
{
	const struct hv_vendor *found = NULL;

	*unknown = ascii_equal_span(key, length, "unknown", true);
	for (size_t v = 0; v < hv_vendor_count; v++)
		if (ascii_equal_span(key, length, hv_vendors[v].key, true) &&
		    (!found || hv_vendors[v].table))
			found = &hv_vendors[v];
	return found;
}

/* "0xNN", "0xNN.subN" then ".REG": a raw label's tail. */
static bool raw_tail(const char *text)
{
	struct cursor c = { text, text + text_length(text) };
	uint32_t offset, subleaf;
	bool hex;

	if (!cursor_number(&c, &offset, &hex) || !hex || offset > 0xff || c.at - text != 4)
		return false;
	if (cursor_take(&c, ".sub") && !cursor_number(&c, &subleaf, &hex))
		return false;
	if (!cursor_take(&c, "."))
		return false;
	for (enum cpuid_register reg = REG_EAX; reg <= REG_EDX; reg++)
		if (ascii_equal(c.at, cpuid_register_name(reg), true))
			return true;
	return false;
}

bool drift_label_known(const char *name)
{
	const char *rest = ascii_after_prefix(name, "interface.", true);
	bool unknown;

	if (ascii_equal(name, "baseline", true) || ascii_equal(name, "hypervisor_bit", true) ||
	    drift_smccc_label_known(name) || drift_arm_id_label_known(name))
		return true;
	if (rest) {
		const char *dot = rest;
		while (*dot && *dot != '.')
			dot++;
		if (!vendor_key(rest, (size_t)(dot - rest), &unknown) && !unknown)
			return false;
		return !*dot || ascii_equal(dot, ".base", true) ||
		       ascii_equal(dot, ".max_leaf", true);
	}
	const char *dot = name;
	while (*dot && *dot != '.')
		dot++;
	const struct hv_vendor *vendor = vendor_key(name, (size_t)(dot - name), &unknown);
	if ((!vendor && !unknown) || !*dot)
		return false;
	if ((rest = ascii_after_prefix(dot, ".raw.", true)))
		return raw_tail(rest);
	struct hv_item item;
	return vendor && vendor->table && hv_find_item(vendor, name, true, &item);
}

void render_drift_labels(struct text_sink *out)
{
	sink_puts(out,
		  "  drift.baseline           --baseline: pass when nothing differs, else info\n"
		  "  drift.hypervisor_bit     CPUID.1:ECX[31] cleared (fail) or set (warn)\n"
		  "  drift.interface.KEY      an interface removed (fail) or added (warn)\n"
		  "  drift.interface.KEY.base      moved to another base (warn)\n"
		  "  drift.interface.KEY.max_leaf  its max leaf changed (warn)\n"
		  "  drift.KEY.ITEM           a decoded item (--list-keys) differs: a feature\n"
		  "                           or privilege lost fails, gained warns; a hint or\n"
		  "                           a field changed warns\n"
		  "  drift.KEY.raw.0xNN.REG   bits no table names differ in leaf base+0xNN\n"
		  "                           (.0xNN.subN.REG for a sub-leaf) (warn)\n");
	render_drift_smccc_labels(out);
	render_drift_arm_id_labels(out);
}
