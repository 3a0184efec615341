/* --write-policy: a policy file, in the --policy format (checks.h), that
 * pins what a golden VM offers, so that --policy fails later on a VM that
 * lost any of it. */
#include "drift.h"

#include "ascii.h"
#include "hv_report.h"
#include "options.h"

/* KVM's and Hyper-V's feature sets, as the issue asks; other interfaces
 * are pinned present, their items left to --baseline. */
static bool policy_pins_features(const struct hv_vendor *vendor)
{
	return vendor && (ascii_equal(vendor->key, "kvm", false) ||
			  ascii_equal(vendor->key, "hyperv", false) ||
			  ascii_equal(vendor->key, "kvm_hv", false));
}

/* The first interface of each key is the one requirements name. */
static bool first_of_key(const struct hv_report *r, size_t index)
{
	const struct hv_vendor *vendor = r->interfaces[index].vendor;

	for (size_t i = 0; vendor && i < index; i++)
		if (r->interfaces[i].vendor &&
		    ascii_equal(r->interfaces[i].vendor->key, vendor->key, false))
			return false;
	return vendor != NULL;
}

struct pinning {
	const struct hv_interface *iface;
	struct text_sink *out;
	size_t pinned;
};

static void pin_feature(void *context, const struct register_decoder *dec,
			const struct bit_def *bit)
{
	struct pinning *p = context;
	const struct hv_vendor *vendor = p->iface->vendor;
	char key[96];
	struct hv_item item;

	hv_item_key(vendor, bit->id, key, sizeof(key));
	/* A requirement names the first item of its key: a bit whose key
	 * names another (Hyper-V's nested privileges repeat the partition's
	 * names) cannot be pinned by name. */
	if (!hv_find_item(vendor, key, true, &item) || item.bit != bit) {
		sink_printf(p->out, "# not pinned: %s, leaf 0x%08x %s bit %u (%s names another "
				    "bit)\n",
			    bit->id, p->iface->base + dec->offset, cpuid_register_name(dec->reg),
			    bit->bit, key);
		return;
	}
	sink_printf(p->out, "%-36s # %s, leaf 0x%08x %s bit %u\n", key, bit->id,
		    p->iface->base + dec->offset, cpuid_register_name(dec->reg), bit->bit);
	p->pinned++;
}

static size_t pin_features(const struct hv_report *r, const struct hv_interface *iface,
			   struct text_sink *out)
{
	struct pinning pinning = { iface, out, 0 };

	drift_each_feature(r, iface, pin_feature, &pinning);
	return pinning.pinned;
}

size_t render_policy(const struct hv_report *r, struct text_sink *out)
{
	size_t count = 1;

	sink_printf(out, "# hvfeat %s --write-policy: what this VM offered, for --policy\n"
			 "# from: ",
		    HVFEAT_VERSION);
	sink_escaped(out, r->source_description, text_length(r->source_description));
	sink_puts(out, "\n# Each feature and privilege of KVM and Hyper-V found set is pinned,\n"
		       "# so --policy fails on a VM that lost one; hints, fields, gains and\n"
		       "# bases are not (--baseline reports every difference).\n");
	sink_puts(out, r->hypervisor_bit ? "hypervisor_bit\n" : "hypervisor_bit=0\n");
	for (size_t i = 0; i < r->interface_count; i++) {
		const struct hv_interface *iface = &r->interfaces[i];
		if (!first_of_key(r, i)) {
			if (!iface->vendor)
				sink_printf(out, "# 0x%08x: a signature hvfeat does not know, "
						 "not pinned\n", iface->base);
			continue;
		}
		sink_printf(out, "\n# %s at 0x%08x\ninterface.%s\n", iface->vendor->product,
			    iface->base, iface->vendor->key);
		count++;
		if (policy_pins_features(iface->vendor))
			count += pin_features(r, iface, out);
	}
	return count;
}
