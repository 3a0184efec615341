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

/* One requirement line, its upstream names in a comment. */
static size_t pin(struct text_sink *out, const char *comment, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static size_t pin(struct text_sink *out, const char *comment, const char *format, ...)
{
	char requirement[96];
	va_list args;

	va_start(args, format);
	vformat_text(requirement, sizeof(requirement), format, args);
	va_end(args);
	sink_printf(out, "%-36s # %s\n", requirement, comment);
	return 1;
}

/* What SMCCC offered, each pinned where its loss fails --baseline
 * (README, "Baselines and drift"): the vendor hypervisor (by its key, or
 * its UID when no table knows it), KVM's functions, every
 * SMCCC_ARCH_FEATURES answer of 0 or more (not to become NOT_SUPPORTED),
 * PV time's stolen-time structure and the TRNG. */
static size_t pin_smccc(const struct smccc_report *s, struct text_sink *out)
{
	const struct smccc_vendor *vendor = smccc_vendor(s);
	char comment[96];
	size_t count = 0;

	sink_puts(out, "\n# SMCCC: ");
	render_smccc_summary(s, out);
	sink_puts(out, "\n");
	if (vendor)
		count += pin(out, vendor->uuid, "smccc.hypervisor=%s", vendor->key);
	else if (s->vendor_uid[0])
		count += pin(out, "a UID no table knows", "smccc.hypervisor.uid=%s", s->vendor_uid);
	for (size_t i = 0; i < smccc_kvm_function_count; i++) {
		const struct smccc_kvm_function *f = &smccc_kvm_functions[i];
		if (f->key && smccc_kvm_function_offered(s, f->first)) {
			format_text(comment, sizeof(comment), "%s, bit %u", f->id, f->first);
			count += pin(out, comment, "smccc.kvm.%s", f->key);
		}
	}
	for (size_t i = 0; i < smccc_arch_feature_count; i++) {
		const struct smccc_arch_feature *f = &smccc_arch_features[i];
		const struct smccc_call *call =
			smccc_answer(s, SMCCC_ARCH_FEATURES_FUNC_ID, f->function);
		if (call && !call->trapped && smccc_arch_feature_offered(f->function,
									 smccc_status(call)))
			count += pin(out, f->id, "smccc.arch.%s!=not_supported", f->key);
	}
	const struct smccc_call *st =
		smccc_answer(s, SMCCC_HV_PV_TIME_FEATURES, SMCCC_HV_PV_TIME_ST);
	if (st && !st->trapped && smccc_status(st) == SMCCC_RET_SUCCESS)
		count += pin(out, "ARM_SMCCC_HV_PV_TIME_ST", "smccc.pv_time.st");
	const struct smccc_call *trng = smccc_answer(s, SMCCC_TRNG_VERSION, 0);
	if (trng && !trng->trapped && smccc_status(trng) >= 0)
		count += pin(out, "ARM_SMCCC_TRNG_VERSION", "smccc.trng.version!=0");
	return count;
}

static void pin_arm_id_feature(void *context, const struct arm_id_field *field, uint64_t value)
{
	struct text_sink *out = context;

	pin(out, field->id, "%s>=%lu", field->key, (unsigned long)value);
}

/* The ID registers' fields that say what the CPU offers, each at least
 * as much, where --baseline fails on a lower value: what the guest's
 * kernel enabled (SVE, the PMU, pointer authentication) stays. MIDR_EL1,
 * the CPU model, may change with the host; a field at 0 offers nothing to
 * keep. */
static size_t pin_arm_id(const struct hv_report *r, struct text_sink *out)
{
	sink_printf(out, "\n# Arm ID registers: %s 0x%016lx\n", arm_id_registers[ARM_MIDR_EL1].name,
		    (unsigned long)r->arm_id.values[ARM_MIDR_EL1]);
	return drift_each_arm_id_feature(r, pin_arm_id_feature, out);
}

size_t render_policy(const struct hv_report *r, struct text_sink *out)
{
	size_t count = 0;

	sink_printf(out, "# hvfeat %s --write-policy: what this VM offered, for --policy\n"
			 "# from: ",
		    HVFEAT_VERSION);
	sink_escaped(out, r->source_description, text_length(r->source_description));
	sink_puts(out, "\n# Each feature and privilege of KVM and Hyper-V found set is pinned,\n"
		       "# each service SMCCC offered and each Arm ID register field at least\n"
		       "# as offered, so --policy fails on a VM that lost one; hints,\n"
		       "# fields, gains and bases are not (--baseline reports every\n"
		       "# difference).\n");
	if (r->smccc.asked)
		count += pin_smccc(&r->smccc, out);
	if (r->arm_id.read)
		count += pin_arm_id(r, out);
	/* An Arm run read no CPUID: nothing of it to pin. */
	if (!hv_report_has_cpuid(r))
		return count;
	sink_puts(out, r->hypervisor_bit ? "hypervisor_bit\n" : "hypervisor_bit=0\n");
	count++;
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
