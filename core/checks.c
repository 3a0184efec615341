#include "checks.h"

#include "ascii.h"
#include "hv_report.h"
#include "labels.h"
#include "options.h"
#include "requirement_names.h"

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.';
}

const char *comparison_symbol(enum comparison comparison)
{
	static const char *const symbols[] = {
		[COMPARE_EQ] = "=", [COMPARE_NE] = "!=", [COMPARE_GE] = ">=", [COMPARE_LE] = "<=",
	};
	return symbols[comparison];
}

static bool compare(enum comparison comparison, uint64_t found, uint64_t expected)
{
	switch (comparison) {
	case COMPARE_EQ:
		return found == expected;
	case COMPARE_NE:
		return found != expected;
	case COMPARE_GE:
		return found >= expected;
	case COMPARE_LE:
		return found <= expected;
	}
	return false;
}

/* The largest value the requirement's item can have; an interface base can
 * have any. */
static uint64_t largest_value(const struct requirement *r)
{
	if (r->kind == REQUIRE_INTERFACE_BASE)
		return 0xffffffffu;
	if (r->kind == REQUIRE_ITEM && r->item.field)
		return r->item.field->width >= 32 ? 0xffffffffu
						  : (1u << r->item.field->width) - 1;
	if (r->kind == REQUIRE_FACT)
		return r->fact.def->largest;
	return 1; /* a bit, the hypervisor bit, an interface's presence */
}

bool requirement_value_is_wide(const struct requirement *r)
{
	return r->kind == REQUIRE_FACT && r->fact.def->type == FACT_NUMBER &&
	       r->fact.def->largest > (1ull << 53);
}

/* Why the comparison decides nothing, or NULL when it can go either way:
 * every value from 0 to the largest passing, or none. */
static const char *undecidable(const struct requirement *r)
{
	uint64_t largest = largest_value(r), v = r->expected;
	bool low = compare(r->comparison, 0, v), high = compare(r->comparison, largest, v);
	bool at_expected = v <= largest && compare(r->comparison, v, v);

	if (low && high && (v > largest || at_expected))
		return largest == 1 ? "can never fail: the item is 0 or 1"
				    : "can never fail: every value the item can have passes";
	if (!low && !high && !at_expected)
		return largest == 1 ? "can never pass: the item is 0 or 1"
				    : "can never pass: no value the item can have passes";
	return NULL;
}

/* A text fact's value: "quoted" (it may then hold commas and '#'), or
 * the rest of the item without its blanks. NULL, or why it is not one. */
static const char *parse_text_value(struct cursor *p, struct requirement *r)
{
	const char *start = p->at, *end = p->end;
	bool quoted = cursor_take(p, "\"");

	if (quoted) {
		start = p->at;
		while (p->at < p->end && *p->at != '"')
			p->at++;
		if (p->at == p->end)
			return "has a quoted value without its closing quote";
		end = p->at++;
		cursor_skip_blanks(p);
		if (p->at < p->end)
			return "has more after its value";
	} else {
		while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			end--;
		p->at = p->end;
	}
	if (end == start && !quoted)
		return "needs a text value after the comparison (\"\" for an empty one)";
	if ((size_t)(end - start) >= sizeof(r->expected_text))
		return "has a value too long to compare";
	for (const char *c = start; c < end; c++) {
		if (!ascii_printable((unsigned char)*c))
			return "has a value that is not plain ASCII";
		if (*c == '"' && !quoted)
			return "has a quote inside a value that is not quoted";
	}
	size_t length = (size_t)(end - start);
	for (size_t i = 0; i < length; i++)
		r->expected_text[i] = start[i];
	r->expected_text[length] = '\0';
	return NULL;
}

/* One requirement, "name", "name=value" or "name OP value"; NULL on
 * success, else why it is not one. */
static const char *parse_requirement(struct cursor *p, struct requirement *r)
{
	char name[REQUIREMENT_TEXT];
	size_t length = 0;
	bool compared = false;

	*r = (struct requirement){ .comparison = COMPARE_EQ, .expected = 1 };
	while (p->at < p->end && is_name_char(*p->at)) {
		if (length + 1 >= sizeof(name))
			return "is too long";
		name[length++] = *p->at++;
	}
	name[length] = '\0';
	if (!length)
		return "has no identifier";
	/* A name hvfeat does not know is said after the syntax is checked. */
	const char *unknown = requirement_resolve(r, name), *why;
	bool text = !unknown && r->kind == REQUIRE_FACT && r->fact.def->type == FACT_TEXT;
	bool wide = !unknown && r->kind == REQUIRE_FACT && r->fact.def->largest > 0xffffffffu;
	cursor_skip_blanks(p);
	if (p->at < p->end) {
		compared = true;
		if (cursor_take(p, "==") || cursor_take(p, "="))
			r->comparison = COMPARE_EQ;
		else if (cursor_take(p, "!="))
			r->comparison = COMPARE_NE;
		else if (!text && cursor_take(p, ">="))
			r->comparison = COMPARE_GE;
		else if (!text && cursor_take(p, "<="))
			r->comparison = COMPARE_LE;
		else if (text)
			return "has something other than = or != after the name of a text value";
		else
			return "has something other than =, !=, >= or <= after the name";
		cursor_skip_blanks(p);
		if (text) {
			why = parse_text_value(p, r);
			if (why)
				return why;
		} else if (!cursor_number_up_to(p, wide ? UINT64_MAX : 0xffffffffu, &r->expected,
					       &r->show_hex)) {
			if (unknown)
				return unknown;
			return wide ? "needs a number (decimal or 0x hex, 64 bits) after the comparison"
				    : "needs a number (decimal or 0x hex, 32 bits) after the comparison";
		}
		cursor_skip_blanks(p);
		if (p->at < p->end)
			return "has more after its value";
	}
	if (unknown)
		return unknown;
	if (text && !compared)
		return "needs = or != and a text value";
	if (!text && (why = undecidable(r)))
		return why;
	requirement_canonical_key(r);
	if (r->kind == REQUIRE_INTERFACE_BASE)
		r->show_hex = true;
	if (r->item.field && r->item.field->format == FIELD_HEX)
		r->show_hex = r->show_hex || r->expected > 9;

	struct buffer_sink shown;
	string_sink_init(&shown, r->text, sizeof(r->text));
	if (text)
		sink_printf(&shown.sink, "%s %s \"%s\"", name, comparison_symbol(r->comparison),
			    r->expected_text);
	else
		sink_printf(&shown.sink, r->show_hex ? "%s %s 0x%lx" : "%s %s %lu", name,
			    comparison_symbol(r->comparison), (unsigned long)r->expected);
	string_sink_finish(&shown);
	return NULL;
}

/* The first c in [at, end) outside a quoted value: a quote opens one
 * only right after '=' (blanks between), so a stray quote elsewhere cannot
 * hide the separators that follow it. */
static const char *find_unquoted(const char *at, const char *end, char c)
{
	bool quoted = false;
	char last = '\0'; /* the last character before at, blanks skipped */

	for (; at < end; at++) {
		if (quoted) {
			if (*at == '"') {
				quoted = false;
				last = '"';
			}
			continue;
		}
		if (*at == '"' && last == '=')
			quoted = true;
		else if (*at == c)
			break;
		if (*at != ' ' && *at != '\t')
			last = *at;
	}
	return at;
}

bool requirements_add(struct requirement_list *list, const char *text,
		      size_t length, const char *origin, struct text_sink *errors)
{
	const char *end = text + length;
	uint32_t line = 1;
	bool multi_line = false;

	for (const char *c = text; c < end; c++)
		multi_line = multi_line || *c == '\n';
	for (const char *at = text; at < end; line++) {
		const char *line_end = at;
		while (line_end < end && *line_end != '\n')
			line_end++;
		const char *content_end = find_unquoted(at, line_end, '#');

		for (const char *item = at; item <= content_end;) {
			const char *item_end = find_unquoted(item, content_end, ',');
			struct cursor p = { item, item_end };
			cursor_skip_blanks(&p);
			/* "waive LABEL[,LABEL...]" takes the rest of its line. */
			if (cursor_take(&p, "waive ") || cursor_take(&p, "waive\t")) {
				char where[REQUIREMENT_TEXT];
				struct buffer_sink w;
				string_sink_init(&w, where, sizeof(where));
				sink_escaped(&w.sink, origin, text_length(origin));
				if (multi_line)
					sink_printf(&w.sink, ":%u", line);
				if (!waivers_add(&list->waivers, p.at, (size_t)(content_end - p.at),
						 string_sink_finish(&w), errors))
					return false;
				item_end = content_end;
			} else if (p.at < p.end) {
				const char *why = "is one too many (" MAX_REQUIREMENTS_TEXT " at most)";
				const char *echo = p.at, *echo_end = item_end;
				if (list->count < MAX_REQUIREMENTS)
					why = parse_requirement(&p, &list->items[list->count]);
				if (why) {
					while (echo_end[-1] == ' ' || echo_end[-1] == '\t' ||
					       echo_end[-1] == '\r')
						echo_end--;
					sink_puts(errors, "hvfeat: ");
					sink_escaped(errors, origin, text_length(origin));
					if (multi_line)
						sink_printf(errors, ":%u", line);
					sink_puts(errors, ": requirement ");
					sink_echo(errors, echo, (size_t)(echo_end - echo));
					sink_printf(errors, " %s\n", why);
					return false;
				}
				list->count++;
			}
			item = item_end + 1;
		}
		at = line_end + 1;
	}
	return true;
}

bool requirements_add_options(struct requirement_list *list,
			      const struct hvfeat_options *options,
			      struct text_sink *errors)
{
	for (int i = 0; i < options->requirement_count; i++) {
		const char *text = options->requirements[i];
		if (!requirements_add(list, text, text_length(text), "--require", errors))
			return false;
	}
	for (int i = 0; i < options->waiver_count; i++) {
		const char *text = options->waivers[i];
		if (!waivers_add(&list->waivers, text, text_length(text), "--waive", errors))
			return false;
	}
	return true;
}

/* The other keys whose interface uses this table: "kvm_hv" for Hyper-V's. */
static void render_sharing_keys(size_t v, struct text_sink *out)
{
	for (size_t w = v + 1; w < hv_vendor_count; w++)
		if (hv_vendors[w].table == hv_vendors[v].table &&
		    !ascii_equal(hv_vendors[w].key, hv_vendors[v].key, false))
			sink_printf(out, "; %s.* too", hv_vendors[w].key);
}

static void render_key_line(const char *key, const char *meaning, struct text_sink *out)
{
	if (text_length(key) > 34)
		sink_printf(out, "  %s\n  %-34s %s\n", key, "", meaning);
	else
		sink_printf(out, "  %-34s %s\n", key, meaning);
}

void render_requirement_keys(struct text_sink *out)
{
	size_t column = 4;

	sink_puts(out, "hypervisor_bit                      CPUID.1:ECX[31], 1 set or 0 clear\n"
		       "interface.KEY, interface.KEY.base   present (1) or absent (0); its base\n"
		       "KEY:");
	for (size_t v = 0; v < hv_vendor_count; v++) {
		const char *key = hv_vendors[v].key;
		if (v && ascii_equal(key, hv_vendors[v - 1].key, false))
			continue;
		if (column + 1 + text_length(key) > 79) {
			sink_puts(out, "\n   ");
			column = 3;
		}
		sink_printf(out, " %s", key);
		column += 1 + text_length(key);
	}
	sink_puts(out, "\n");

	sink_puts(out, "\nprobe.* (--probe; 1: works, 0: broken, skipped, not advertised or n/a):\n");
	for (size_t p = 0; probe_key(p); p++) {
		char key[64];
		render_key_line(format_text(key, sizeof(key), "probe.%s", probe_key(p)),
				probe_title(p), out);
	}

	for (size_t v = 0; v < hv_vendor_count; v++) {
		const struct hv_vendor *vendor = &hv_vendors[v];
		const struct decoder_table *table = vendor->table;
		bool listed = false;
		for (size_t w = 0; w < v && !listed; w++)
			listed = hv_vendors[w].table == table;
		if (!table || listed)
			continue;
		sink_printf(out, "\n%s.* (%s", vendor->key, vendor->product);
		render_sharing_keys(v, out);
		sink_puts(out, "):\n");
		for (size_t d = 0; d < table->count; d++) {
			const struct register_decoder *dec = &table->decoders[d];
			char key[96];
			for (size_t b = 0; b < dec->bit_count; b++) {
				hv_item_key(vendor, dec->bits[b].id, key, sizeof(key));
				render_key_line(key, dec->bits[b].meaning, out);
			}
			for (size_t f = 0; f < dec->field_count; f++) {
				hv_item_key(vendor, dec->fields[f].id, key, sizeof(key));
				render_key_line(key, dec->fields[f].meaning, out);
			}
		}
	}
	render_fact_keys(out);
}

static void evaluate_fact(const struct hv_report *report, struct check_result *result)
{
	const struct requirement *r = &result->requirement;
	struct fact_value value;

	result->unknown_reason = fact_value(report, &r->fact, &value);
	if (result->unknown_reason) {
		result->outcome = CHECK_FACT_UNKNOWN;
		result->passed = false;
		return;
	}
	result->outcome = CHECK_FOUND;
	if (value.type == FACT_NUMBER) {
		result->found = value.number;
		result->passed = compare(r->comparison, value.number, r->expected);
		return;
	}
	format_text(result->found_text, sizeof(result->found_text), "%s", value.text);
	result->passed = ascii_equal(value.text, r->expected_text, false) ==
			 (r->comparison == COMPARE_EQ);
}

static void evaluate(const struct hv_report *report, struct check_result *result)
{
	const struct requirement *r = &result->requirement;
	const struct hv_interface *iface =
		r->vendor_key ? hv_interface_by_key(report, r->vendor_key) : NULL;

	result->outcome = CHECK_FOUND;
	switch (r->kind) {
	case REQUIRE_PROBE:
		if (report->probes.not_run_reason) {
			result->outcome = CHECK_PROBES_NOT_RUN;
			break;
		}
		result->outcome = CHECK_PROBED;
		/* Another architecture's probe is not in this run's list. */
		result->probe_state = PROBE_NOT_ADVERTISED;
		for (size_t i = 0; i < report->probes.count; i++)
			if (ascii_equal(report->probes.results[i].key, probe_key(r->probe), false))
				result->probe_state = report->probes.results[i].state;
		result->found = result->probe_state == PROBE_WORKS;
		break;
	case REQUIRE_HYPERVISOR_BIT:
		result->found = report->hypervisor_bit;
		break;
	case REQUIRE_INTERFACE:
		result->found = iface != NULL;
		break;
	case REQUIRE_INTERFACE_BASE:
		if (iface)
			result->found = iface->base;
		else
			result->outcome = CHECK_NO_INTERFACE;
		break;
	case REQUIRE_FACT:
		evaluate_fact(report, result);
		return;
	case REQUIRE_ITEM:
		if (!iface) {
			result->outcome = CHECK_NO_INTERFACE;
			break;
		}
		uint32_t value;
		switch (hv_item_value(report, iface, &r->item, &value)) {
		case DECODED:
			result->found = value;
			break;
		case LEAF_NOT_PROVIDED:
			result->outcome = CHECK_NOT_PROVIDED;
			break;
		case OTHER_INTERFACE:
			result->outcome = CHECK_OTHER_INTERFACE;
			break;
		}
		break;
	}
	result->passed = (result->outcome == CHECK_FOUND || result->outcome == CHECK_PROBED) &&
			 compare(r->comparison, result->found, r->expected);
}

bool requirements_need_probes(const struct requirement_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		if (list->items[i].kind == REQUIRE_PROBE)
			return true;
	return false;
}

void hv_check(struct hv_report *report, const struct requirement_list *list)
{
	report->check_count = 0;
	for (size_t i = 0; i < list->count; i++) {
		struct check_result *result = &report->checks[report->check_count++];
		result->requirement = list->items[i];
		evaluate(report, result);
	}
}

size_t hv_failed_checks(const struct hv_report *report)
{
	size_t failed = 0;
	for (size_t i = 0; i < report->check_count; i++)
		failed += !report->checks[i].passed;
	return failed;
}

void render_check_found(const struct check_result *c, struct text_sink *out)
{
	switch (c->outcome) {
	case CHECK_FOUND:
		if (c->requirement.kind == REQUIRE_FACT && c->requirement.fact.def->type == FACT_TEXT) {
			sink_puts(out, "found \"");
			sink_escaped(out, c->found_text, text_length(c->found_text));
			sink_puts(out, "\"");
		} else {
			sink_printf(out, c->requirement.show_hex ? "found 0x%lx" : "found %lu",
				    (unsigned long)c->found);
		}
		break;
	case CHECK_FACT_UNKNOWN:
		sink_printf(out, "not known: %s", c->unknown_reason);
		break;
	case CHECK_NO_INTERFACE:
		sink_printf(out, "no %s interface", c->requirement.vendor_key);
		break;
	case CHECK_NOT_PROVIDED:
		sink_puts(out, "leaf not provided");
		break;
	case CHECK_OTHER_INTERFACE:
		sink_puts(out, "leaf belongs to another interface");
		break;
	case CHECK_PROBED:
		sink_puts(out, probe_state_name(c->probe_state));
		break;
	case CHECK_PROBES_NOT_RUN:
		sink_puts(out, "probes not run");
		break;
	}
}
