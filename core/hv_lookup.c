/* Finding decoded items by name, for tests, requirements and renderers. */
#include "hv_report.h"

#include "ascii.h"

static bool matches(const struct hv_vendor *vendor, const char *id,
		    const char *name, bool by_key)
{
	char key[96];

	if (!by_key)
		return ascii_equal(id, name, false);
	hv_item_key(vendor, id, key, sizeof(key));
	return ascii_equal(key, name, true);
}

bool hv_find_item(const struct hv_vendor *vendor, const char *name, bool by_key,
		  struct hv_item *item)
{
	const struct decoder_table *table = vendor ? vendor->table : NULL;

	for (size_t d = 0; table && d < table->count; d++) {
		const struct register_decoder *dec = &table->decoders[d];
		*item = (struct hv_item){ dec, NULL, NULL };
		for (size_t b = 0; b < dec->bit_count; b++)
			if (matches(vendor, dec->bits[b].id, name, by_key)) {
				item->bit = &dec->bits[b];
				return true;
			}
		for (size_t f = 0; f < dec->field_count; f++)
			if (matches(vendor, dec->fields[f].id, name, by_key)) {
				item->field = &dec->fields[f];
				return true;
			}
	}
	return false;
}

const struct hv_interface *hv_interface_by_key(const struct hv_report *report,
					       const char *key)
{
	for (size_t i = 0; i < report->interface_count; i++) {
		const struct hv_vendor *vendor = report->interfaces[i].vendor;
		if (vendor && ascii_equal(vendor->key, key, false))
			return &report->interfaces[i];
	}
	return NULL;
}

const struct hv_interface *hv_guest_kvm_interface(const struct hv_report *report)
{
	return hv_interface_by_key(report, "kvm");
}

enum decoder_state hv_item_value(const struct hv_report *report,
				 const struct hv_interface *iface,
				 const struct hv_item *item, uint32_t *value)
{
	uint32_t reg;
	enum decoder_state state = hv_decoder_value(report, iface, item->decoder, &reg);

	if (state == DECODED)
		*value = item->bit ? (reg >> item->bit->bit) & 1
				   : hv_field_value(item->field, reg);
	return state;
}

bool hv_vendor_is_amd(const struct hv_report *report)
{
	return ascii_equal_span(report->cpu_vendor, HV_SIGNATURE_LENGTH, "AuthenticAMD", false) ||
	       ascii_equal_span(report->cpu_vendor, HV_SIGNATURE_LENGTH, "HygonGenuine", false);
}

const char *hv_product(const struct hv_interface *iface)
{
	return iface->vendor ? iface->vendor->product : "unknown signature";
}
