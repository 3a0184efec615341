/* What a requirement's name can be ("kvm.pv_unhalt", "interface.kvm.base",
 * "probe.kvm.steal_time", "hypervisor_bit") and how --list-keys spells it:
 * shared by the requirement parser (checks.c) and the result labels
 * (labels.c), so neither depends on the other. */
#include "requirement_names.h"

#include "ascii.h"
#include "hv_report.h"

/* The catalogue entry with this key that has a table, else any with it. */
static const struct hv_vendor *vendor_by_key(const char *key, size_t length)
{
	const struct hv_vendor *found = NULL;

	for (size_t v = 0; v < hv_vendor_count; v++) {
		if (ascii_equal_span(key, length, hv_vendors[v].key, true) &&
		    (!found || hv_vendors[v].table))
			found = &hv_vendors[v];
	}
	return found;
}

/* Resolves the name, in any case, to what it requires; NULL on success,
 * else why not. */
const char *requirement_resolve(struct requirement *r, const char *name)
{
	const char *rest = ascii_after_prefix(name, "interface.", true);

	const char *probe = ascii_after_prefix(name, "probe.", true);

	if (fact_resolve(name, &r->fact)) {
		r->kind = REQUIRE_FACT;
		return NULL;
	}
	if (fact_prefix_known(name))
		return "names no fact hvfeat learns (--list-keys)";
	if (ascii_equal(name, "hypervisor_bit", true)) {
		r->kind = REQUIRE_HYPERVISOR_BIT;
		return NULL;
	}
	if (probe) {
		for (r->probe = 0; probe_key(r->probe); r->probe++)
			if (ascii_equal(probe, probe_key(r->probe), true)) {
				r->kind = REQUIRE_PROBE;
				return NULL;
			}
		return "names no probe hvfeat runs";
	}
	if (rest) {
		const char *dot = rest;
		while (*dot && *dot != '.')
			dot++;
		const struct hv_vendor *vendor = vendor_by_key(rest, (size_t)(dot - rest));
		if (!vendor || (*dot && !ascii_equal(dot, ".base", true)))
			return "names no interface hvfeat knows";
		r->vendor_key = vendor->key;
		r->kind = *dot ? REQUIRE_INTERFACE_BASE : REQUIRE_INTERFACE;
		return NULL;
	}
	const char *dot = name;
	while (*dot && *dot != '.')
		dot++;
	const struct hv_vendor *vendor = vendor_by_key(name, (size_t)(dot - name));
	if (!vendor || !vendor->table)
		return "names no interface hvfeat decodes";
	if (!hv_find_item(vendor, name, true, &r->item))
		return "names nothing hvfeat decodes";
	r->vendor_key = vendor->key;
	r->kind = REQUIRE_ITEM;
	return NULL;
}

bool requirement_name_known(const char *name)
{
	struct requirement scratch = { 0 };

	return requirement_resolve(&scratch, name) == NULL;
}

/* The name as --list-keys spells it, whatever case it was written in: the
 * result's label is "require." and this. */
void requirement_canonical_key(struct requirement *r)
{
	struct buffer_sink key;

	if (r->kind == REQUIRE_ITEM) {
		hv_item_key(vendor_by_key(r->vendor_key, text_length(r->vendor_key)),
			    r->item.bit ? r->item.bit->id : r->item.field->id, r->key,
			    sizeof(r->key));
		return;
	}
	if (r->kind == REQUIRE_FACT) {
		fact_key_text(&r->fact, r->key, sizeof(r->key));
		return;
	}
	string_sink_init(&key, r->key, sizeof(r->key));
	if (r->kind == REQUIRE_HYPERVISOR_BIT)
		sink_puts(&key.sink, "hypervisor_bit");
	else if (r->kind == REQUIRE_PROBE)
		sink_printf(&key.sink, "probe.%s", probe_key(r->probe));
	else
		sink_printf(&key.sink, "interface.%s%s", r->vendor_key,
			    r->kind == REQUIRE_INTERFACE_BASE ? ".base" : "");
	string_sink_finish(&key);
}

