#include "hv_report.h"

#include "interface_tables.h"

struct scanner {
	struct hv_report *report;
	const struct cpuid_source *source;
	size_t budget_left;
};

static struct cpuid_regs execute(struct scanner *s, uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs regs;

	s->source->query(s->source, leaf, subleaf, &regs);
	s->report->cpuid_executions++;
	return regs;
}

/* Keeps a leaf for the raw section and the decoders. */
static void record(struct scanner *s, uint32_t leaf, uint32_t subleaf,
		   struct cpuid_regs regs)
{
	struct hv_report *r = s->report;
	r->leaves[r->leaf_count++] = (struct leaf_reading){ leaf, subleaf, regs };
}

static struct cpuid_regs read_leaf(struct scanner *s, uint32_t leaf,
				   uint32_t subleaf)
{
	struct cpuid_regs regs = execute(s, leaf, subleaf);

	record(s, leaf, subleaf, regs);
	return regs;
}

static void signature_from_regs(char out[HV_SIGNATURE_LENGTH], uint32_t first,
				uint32_t second, uint32_t third)
{
	const uint32_t words[3] = { first, second, third };

	for (size_t i = 0; i < HV_SIGNATURE_LENGTH; i++)
		out[i] = (char)(words[i / 4] >> (8 * (i % 4)));
}

static bool regs_equal(const struct cpuid_regs *a, const struct cpuid_regs *b)
{
	return a->eax == b->eax && a->ebx == b->ebx && a->ecx == b->ecx &&
	       a->edx == b->edx;
}

static void decide_last_leaf(struct hv_interface *iface)
{
	uint32_t max = iface->reported_max_leaf;
	uint32_t block_end = iface->base + HV_BASE_STRIDE - 1;

	if (iface->vendor && iface->vendor->block_reaches_base_plus_one &&
	    max < iface->base + 1) {
		iface->last_leaf = iface->base + 1;
		iface->max_leaf_note = MAX_LEAF_RAISED_TO_BASE_PLUS_ONE;
	} else if (max < iface->base) {
		iface->last_leaf = iface->base;
		iface->max_leaf_note = MAX_LEAF_BELOW_BASE;
	} else if (max > block_end) {
		iface->last_leaf = block_end;
		iface->max_leaf_note = MAX_LEAF_CLAMPED;
	} else {
		iface->last_leaf = max;
		iface->max_leaf_note = MAX_LEAF_AS_REPORTED;
	}
}

/* Sub-leaves past 0 are read only where a decoder of this vendor needs them
 * (Xen's time leaf); everything else is read at sub-leaf 0. */
static uint32_t highest_subleaf(const struct hv_vendor *vendor, uint32_t offset)
{
	uint32_t highest = 0;

	if (!vendor || !vendor->table)
		return 0;
	for (size_t d = 0; d < vendor->table->count; d++) {
		const struct register_decoder *dec = &vendor->table->decoders[d];
		if (dec->offset == offset && dec->subleaf > highest)
			highest = dec->subleaf;
	}
	return highest;
}

static void read_block(struct scanner *s, struct hv_interface *iface)
{
	for (uint32_t leaf = iface->base + 1; leaf <= iface->last_leaf; leaf++) {
		uint32_t subleaves =
			highest_subleaf(iface->vendor, leaf - iface->base) + 1;
		if (s->budget_left < subleaves) {
			iface->leaves_cut_by_budget = true;
			return;
		}
		s->budget_left -= subleaves;
		for (uint32_t sub = 0; sub < subleaves; sub++)
			read_leaf(s, leaf, sub);
	}
}

/* The hypervisor's blocks, 0x40000000 to 0x4000ff00; with the bit clear,
 * only whether 0x40000000 answers anyway. last_basic is the highest basic
 * leaf's registers when already read. */
static void scan_blocks(struct scanner *s, const struct cpuid_regs *leaf0,
			const struct cpuid_regs *leaf1, const struct cpuid_regs *last_basic)
{
	struct hv_report *report = s->report;

	if (!report->hypervisor_bit) {
		struct cpuid_regs probe = read_leaf(s, HV_BASE_FIRST, 0);
		char signature[HV_SIGNATURE_LENGTH];
		signature_from_regs(signature, probe.ebx, probe.ecx, probe.edx);
		report->unadvertised_vendor = hv_vendor_lookup(signature);
		return;
	}

	/* Intel answers an out-of-range leaf with the highest basic leaf's
	 * data; a base that returns exactly that is no interface. */
	struct cpuid_regs echo = *leaf0;
	bool have_echo = report->max_basic_leaf < HV_BASE_FIRST;
	if (have_echo && report->max_basic_leaf == 1)
		echo = *leaf1;
	else if (have_echo && last_basic)
		echo = *last_basic;
	else if (have_echo && report->max_basic_leaf > 1)
		echo = read_leaf(s, report->max_basic_leaf, 0);

	for (uint32_t i = 0; i < HV_BASE_COUNT; i++) {
		uint32_t base = HV_BASE_FIRST + i * HV_BASE_STRIDE;
		/* Empty and echoing bases are not kept: 256 lines of nothing. */
		struct cpuid_regs regs = execute(s, base, 0);
		if ((regs.ebx | regs.ecx | regs.edx) == 0)
			continue;
		if (have_echo && regs_equal(&regs, &echo)) {
			report->skipped_echo_bases++;
			continue;
		}
		record(s, base, 0, regs);

		struct hv_interface *iface =
			&report->interfaces[report->interface_count++];
		iface->base = base;
		signature_from_regs(iface->signature, regs.ebx, regs.ecx, regs.edx);
		iface->reported_max_leaf = regs.eax;
		iface->vendor = hv_vendor_lookup(iface->signature);
		iface->past_decode_limit = report->interface_count > HV_DECODED_INTERFACES;
		decide_last_leaf(iface);
		read_block(s, iface);
	}
}

void hv_scan(struct hv_report *report, const struct cpuid_source *source)
{
	struct scanner s = { report, source, HV_LEAF_BUDGET };

	*report = (struct hv_report){ 0 };
	report->source_kind = source->kind;
	report->source_description = source->description;
	/* A processor without CPUID (AArch64): nothing to read. */
	if (!source->query)
		return;

	struct cpuid_regs leaf0 = read_leaf(&s, 0, 0);
	report->max_basic_leaf = leaf0.eax;
	/* Leaf 0 orders its vendor bytes EBX, EDX, ECX. */
	signature_from_regs(report->cpu_vendor, leaf0.ebx, leaf0.edx, leaf0.ecx);

	struct cpuid_regs leaf1 = read_leaf(&s, 1, 0);
	report->hypervisor_bit = (leaf1.ecx >> 31) & 1;

	/* Intel TDX's leaf, only within the basic range, as OVMF
	 * (IntelTdx.nasm.inc) and Linux (tdx_early_init) read it: past it,
	 * Intel echoes the highest basic leaf. Read here, so that a raw dump
	 * stays in ascending order. */
	struct cpuid_regs tdx;
	bool tdx_read = report->max_basic_leaf >= CVM_LEAF_TDX;
	if (tdx_read)
		tdx = read_leaf(&s, CVM_LEAF_TDX, 0);

	scan_blocks(&s, &leaf0, &leaf1,
		    tdx_read && report->max_basic_leaf == CVM_LEAF_TDX ? &tdx : NULL);

	/* AMD's memory-encryption leaf, only when the extended maximum
	 * reaches it, as OVMF (AmdSev.nasm.inc) and Linux (sev_enable) check. */
	struct cpuid_regs extended = read_leaf(&s, CVM_LEAF_EXTENDED_MAX, 0);
	if (extended.eax >= CVM_LEAF_SEV)
		read_leaf(&s, CVM_LEAF_SEV, 0);
}

bool hv_report_has_cpuid(const struct hv_report *report)
{
	return report->cpuid_executions > 0;
}

const struct cpuid_regs *hv_report_leaf(const struct hv_report *report,
					uint32_t leaf, uint32_t subleaf)
{
	for (size_t i = 0; i < report->leaf_count; i++)
		if (report->leaves[i].leaf == leaf &&
		    report->leaves[i].subleaf == subleaf)
			return &report->leaves[i].regs;
	return NULL;
}

enum decoder_state hv_decoder_value(const struct hv_report *report,
				    const struct hv_interface *iface,
				    const struct register_decoder *decoder,
				    uint32_t *value)
{
	uint32_t leaf = iface->base + decoder->offset;
	uint32_t required = iface->vendor ? iface->vendor->interface_signature : 0;
	const struct cpuid_regs *regs;

	if (leaf > iface->last_leaf)
		return LEAF_NOT_PROVIDED;
	if (required && decoder->offset > 1) {
		const struct cpuid_regs *interface =
			hv_report_leaf(report, iface->base + 1, 0);
		if (!interface || interface->eax != required)
			return OTHER_INTERFACE;
	}
	regs = hv_report_leaf(report, leaf, decoder->subleaf);
	if (!regs)
		return LEAF_NOT_PROVIDED;
	*value = cpuid_register_value(regs, decoder->reg);
	return DECODED;
}

static uint32_t field_mask(const struct field_def *field)
{
	uint32_t width_mask = field->width >= 32 ? 0xffffffffu
						 : (1u << field->width) - 1;
	return width_mask << field->lsb;
}

uint32_t hv_field_value(const struct field_def *field, uint32_t value)
{
	return (value & field_mask(field)) >> field->lsb;
}

uint32_t hv_unknown_bits(const struct register_decoder *decoder, uint32_t value)
{
	uint32_t known = 0;

	for (size_t b = 0; b < decoder->bit_count; b++)
		known |= 1u << decoder->bits[b].bit;
	for (size_t f = 0; f < decoder->field_count; f++)
		known |= field_mask(&decoder->fields[f]);
	return value & ~known;
}
