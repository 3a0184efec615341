/* Every vCPU (vcpus.h): the report's leaves read on each vCPU, compared
 * with the boot vCPU's register by register, the per-vCPU fields of the
 * table below left out; the results and facts drawn from that. */
#include "vcpus.h"

#include "ascii.h"
#include "cpuid_dump.h"
#include "hv_report.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* A field that differs between logical processors by design: an identity
 * (APIC IDs, the core type) or a bit that mirrors the processor's own
 * control registers and MSRs, which each vCPU sets for itself. KVM updates
 * exactly those bits from the vCPU's state (Linux arch/x86/kvm/cpuid.c,
 * kvm_update_cpuid_runtime: OSXSAVE, APIC, MWAIT, OSPKE, the XSAVE sizes).
 * Leaf 1 EBX[23:16], the addressable IDs, is the package's: the same on
 * every vCPU, so compared. */
static const struct per_vcpu_rule rules[] = {
	{ 0x1, false, 0, REG_EBX, 0xff000000u, "initial APIC ID",
	  "SDM vol. 2A CPUID 01H EBX[31:24]; APM vol. 3 Fn0000_0001_EBX LocalApicId" },
	{ 0x1, false, 0, REG_ECX, 1u << 27, "OSXSAVE",
	  "SDM vol. 2A CPUID 01H ECX[27]: CR4.OSXSAVE, set per processor" },
	{ 0x1, false, 0, REG_ECX, 1u << 3, "MONITOR",
	  "SDM vol. 4 IA32_MISC_ENABLE[18]: clear, CPUID.01H:ECX[3] reads 0" },
	{ 0x1, false, 0, REG_EDX, 1u << 9, "APIC",
	  "SDM vol. 3A 11.4.3: IA32_APIC_BASE[11] clear, CPUID.01H:EDX[9] reads 0" },
	{ 0x7, false, 0, REG_ECX, 1u << 4, "OSPKE",
	  "SDM vol. 2A CPUID 07H ECX[4]: CR4.PKE, set per processor" },
	{ 0xb, false, VCPU_ANY_SUBLEAF, REG_EDX, 0xffffffffu, "x2APIC ID",
	  "SDM vol. 2A CPUID 0BH EDX: of the current logical processor" },
	{ 0x1f, false, VCPU_ANY_SUBLEAF, REG_EDX, 0xffffffffu, "x2APIC ID",
	  "SDM vol. 2A CPUID 1FH EDX: of the current logical processor" },
	{ 0xd, false, 0, REG_EBX, 0xffffffffu, "XSAVE size of XCR0's features",
	  "SDM vol. 2A CPUID 0DH.0 EBX: XCR0 is set per processor (XSETBV)" },
	{ 0xd, false, 1, REG_EBX, 0xffffffffu, "XSAVE size of XCR0 | IA32_XSS",
	  "SDM vol. 2A CPUID 0DH.1 EBX: both set per processor" },
	{ 0x1a, false, 0, REG_EAX, 0xffffffffu, "core type, native model ID",
	  "SDM vol. 2A CPUID 1AH: the logical processor's own (hybrid parts)" },
	{ 0x4, true, 0, REG_EBX, 0xffffffffu, "Xen vcpu id",
	  "Xen public/arch-x86/cpuid.h: HVM leaf EBX, XEN_HVM_CPUID_VCPU_ID_PRESENT" },
};

_Static_assert(COUNT_OF(rules) <= 32, "rules_applied has a bit a rule");

const struct per_vcpu_rule *vcpu_rule(size_t index)
{
	return index < COUNT_OF(rules) ? &rules[index] : NULL;
}

static bool rule_covers(const struct hv_report *report, const struct per_vcpu_rule *rule,
			uint32_t leaf)
{
	if (!rule->xen_block)
		return rule->leaf == leaf;
	for (size_t i = 0; i < report->interface_count; i++) {
		const struct hv_interface *iface = &report->interfaces[i];
		if (iface->vendor && ascii_equal(iface->vendor->key, "xen", false) &&
		    iface->base + rule->leaf == leaf)
			return true;
	}
	return false;
}

uint32_t vcpu_per_vcpu_bits(const struct hv_report *report, uint32_t leaf, uint32_t subleaf,
			    enum cpuid_register reg, uint32_t differ, uint32_t *applied)
{
	uint32_t bits = 0;

	*applied = 0;
	for (size_t r = 0; r < COUNT_OF(rules); r++) {
		const struct per_vcpu_rule *rule = &rules[r];
		if (rule->reg == reg &&
		    (rule->subleaf == VCPU_ANY_SUBLEAF || rule->subleaf == subleaf) &&
		    rule_covers(report, rule, leaf)) {
			bits |= rule->mask;
			*applied |= (rule->mask & differ) ? 1u << r : 0;
		}
	}
	return bits;
}

const char *vcpu_state_name(enum vcpu_state state)
{
	switch (state) {
	case VCPU_BOOT:
		return "boot";
	case VCPU_COMPARED:
		return "compared";
	case VCPU_DISABLED:
		return "disabled";
	case VCPU_TIMED_OUT:
		return "timed out";
	case VCPU_NOT_STARTED:
		break;
	}
	return "not started";
}

/* --- reading ----------------------------------------------------------- */

/* The requests handed to each vCPU, answered in place: the code the
 * firmware runs on a vCPU allocates nothing. */
static struct cpuid_record requests[HV_REPORT_LEAVES];

static void note_difference(struct vcpu_report *out, const struct vcpu *v,
			    const struct leaf_reading *boot, enum cpuid_register reg,
			    uint32_t value, uint32_t bits)
{
	if (out->difference_count < VCPU_DIFFERENCES_MAX)
		out->differences[out->difference_count] = (struct vcpu_difference){
			v->number, boot->leaf, boot->subleaf, reg,
			cpuid_register_value(&boot->regs, reg), value, bits };
	out->difference_count++;
}

static void compare(const struct hv_report *report, const struct vcpu_source *source,
		    size_t index, struct vcpu_report *out, struct vcpu *v)
{
	static const enum cpuid_register regs[] = { REG_EAX, REG_EBX, REG_ECX, REG_EDX };

	for (size_t i = 0; i < report->leaf_count; i++) {
		const struct leaf_reading *boot = &report->leaves[i];
		if (source->holds && !source->holds(source, index, boot->leaf, boot->subleaf)) {
			v->leaves_unknown++;
			continue;
		}
		for (size_t r = 0; r < COUNT_OF(regs); r++) {
			uint32_t value = cpuid_register_value(&requests[i].regs, regs[r]);
			uint32_t differ = value ^ cpuid_register_value(&boot->regs, regs[r]);
			uint32_t applied;
			if (!differ)
				continue;
			uint32_t per_vcpu = vcpu_per_vcpu_bits(report, boot->leaf, boot->subleaf,
							       regs[r], differ, &applied);
			if (differ & ~per_vcpu) {
				v->differing_registers++;
				note_difference(out, v, boot, regs[r], value, differ & ~per_vcpu);
			} else {
				v->per_vcpu_registers++;
			}
			out->rules_applied |= applied;
		}
	}
}

static uint32_t initial_apic_id(const struct cpuid_regs *leaf1)
{
	return leaf1->ebx >> 24;
}

void vcpus_read(struct hv_report *report, const struct vcpu_source *source)
{
	struct vcpu_report *out = &report->vcpus;

	*out = (struct vcpu_report){ .read = true, .method = source->method,
				     .present = source->present, .enabled = source->enabled,
				     .leaves_compared = report->leaf_count };
	for (size_t index = 0; index < source->present && out->count < VCPU_MAX; index++) {
		struct vcpu_identity id;
		source->describe(source, index, &id);
		struct vcpu *v = &out->vcpus[out->count++];
		*v = (struct vcpu){ .number = id.number, .apic_id = id.apic_id,
				    .apic_id_known = id.apic_id_known,
				    .apic_id_from_cpuid = !id.apic_id_known,
				    .healthy = id.healthy };
		if (id.boot) {
			v->state = VCPU_BOOT;
			if (!id.apic_id_known && hv_report_leaf(report, 1, 0)) {
				v->apic_id = initial_apic_id(hv_report_leaf(report, 1, 0));
				v->apic_id_known = true;
			}
			continue;
		}
		if (!id.enabled) {
			v->state = VCPU_DISABLED;
			continue;
		}
		for (size_t i = 0; i < report->leaf_count; i++)
			requests[i] = (struct cpuid_record){ report->leaves[i].leaf,
							     report->leaves[i].subleaf, { 0 } };
		v->state = source->read(source, index, requests, report->leaf_count);
		if (v->state != VCPU_COMPARED)
			continue;
		bool leaf1_known = !source->holds || source->holds(source, index, 1, 0);
		for (size_t i = 0; i < report->leaf_count && !id.apic_id_known && leaf1_known; i++)
			if (requests[i].leaf == 1 && requests[i].subleaf == 0) {
				v->apic_id = initial_apic_id(&requests[i].regs);
				v->apic_id_known = true;
			}
		compare(report, source, index, out, v);
	}
}

void vcpus_read_dump(struct hv_report *report, const struct cpuid_dump *dump, bool json)
{
	struct vcpu_source source;

	if (json) {
		vcpus_not_read(report, "a JSON report holds the boot vCPU's leaves alone");
	} else if (dump->cpu_count < 2) {
		vcpus_not_read(report, "the dump holds one CPU (cpuid -r writes every CPU)");
	} else {
		vcpu_source_dump(&source, dump);
		vcpus_read(report, &source);
	}
}

void vcpus_not_read(struct hv_report *report, const char *reason)
{
	report->vcpus = (struct vcpu_report){ .not_read_reason = reason };
}

size_t vcpus_in_state(const struct vcpu_report *vcpus, enum vcpu_state state)
{
	size_t n = 0;

	for (size_t i = 0; i < vcpus->count; i++)
		n += vcpus->vcpus[i].state == state;
	return n;
}

size_t vcpus_differing(const struct vcpu_report *vcpus)
{
	size_t n = 0;

	for (size_t i = 0; i < vcpus->count; i++)
		n += vcpus->vcpus[i].differing_registers != 0;
	return n;
}

bool vcpus_consistent(const struct vcpu_report *vcpus)
{
	size_t read = vcpus_in_state(vcpus, VCPU_BOOT) + vcpus_in_state(vcpus, VCPU_COMPARED);

	return vcpus->read && vcpus->count == vcpus->present &&
	       read == vcpus->count - vcpus_in_state(vcpus, VCPU_DISABLED) &&
	       !vcpus_differing(vcpus);
}

/* --- results ----------------------------------------------------------- */

static const struct {
	const char *name, *meaning;
} labels[] = {
	{ "cpuid", "every vCPU's CPUID as the boot vCPU's (per-vCPU fields aside)" },
	{ "startup", "every enabled vCPU ran its CPUID in time, none unhealthy" },
};

bool vcpu_label_known(const char *name)
{
	for (size_t i = 0; i < COUNT_OF(labels); i++)
		if (ascii_equal(name, labels[i].name, true))
			return true;
	return false;
}

void render_vcpu_labels(struct text_sink *out)
{
	for (size_t i = 0; i < COUNT_OF(labels); i++)
		sink_printf(out, "  vcpu.%-8s %s\n", labels[i].name, labels[i].meaning);
}

static void judge_cpuid(const struct vcpu_report *v, struct result_list *results)
{
	size_t compared = vcpus_in_state(v, VCPU_COMPARED), differing = vcpus_differing(v);

	if (!compared) {
		sink_puts(results_add(results, OUTCOME_SKIP, SEVERITY_NONE, "vcpu.", "cpuid"),
			  "no other vCPU could be read");
		return;
	}
	struct text_sink *detail =
		results_add(results, differing ? OUTCOME_FAIL : OUTCOME_PASS,
			    differing ? SEVERITY_HIGH : SEVERITY_NONE, "vcpu.", "cpuid");
	if (!differing) {
		size_t unknown = 0;
		for (size_t i = 0; i < v->count; i++)
			unknown += v->vcpus[i].leaves_unknown;
		sink_printf(detail, "%u vCPUs read, CPUID as the boot vCPU's in %u leaves "
				    "(per-vCPU fields aside)", (unsigned)compared + 1,
			    (unsigned)v->leaves_compared);
		if (unknown)
			sink_printf(detail, "; %u answers not in the source", (unsigned)unknown);
		if (v->count < v->present)
			sink_printf(detail, "; %u past the first %u not read",
				    (unsigned)(v->present - v->count), VCPU_MAX);
		return;
	}
	const struct vcpu_difference *d = &v->differences[0];
	sink_printf(detail, "%u of %u vCPUs differ; vCPU %u: leaf 0x%08x.%u %s bits 0x%08x",
		    (unsigned)differing, (unsigned)compared, d->vcpu, d->leaf, d->subleaf,
		    cpuid_register_name(d->reg), d->bits);
	if (v->difference_count > 1)
		sink_printf(detail, ", %u registers in all", (unsigned)v->difference_count);
}

static void judge_startup(const struct vcpu_report *v, struct result_list *results)
{
	size_t late = vcpus_in_state(v, VCPU_TIMED_OUT), refused = vcpus_in_state(v, VCPU_NOT_STARTED);
	size_t unhealthy = 0;
	const struct vcpu *first = NULL;

	for (size_t i = 0; i < v->count; i++) {
		const struct vcpu *c = &v->vcpus[i];
		unhealthy += !c->healthy;
		if (!first && (!c->healthy || c->state == VCPU_TIMED_OUT ||
			       c->state == VCPU_NOT_STARTED))
			first = c;
	}
	bool failed = late || refused || unhealthy;
	struct text_sink *detail =
		results_add(results, failed ? OUTCOME_FAIL : OUTCOME_PASS,
			    failed ? SEVERITY_MEDIUM : SEVERITY_NONE, "vcpu.", "startup");
	if (!failed) {
		sink_printf(detail, "%u of %u vCPUs enabled, each ran hvfeat's CPUID within %u ms",
			    (unsigned)v->enabled, (unsigned)v->present, VCPU_CPUID_TIMEOUT_MS);
		return;
	}
	sink_printf(detail, "vCPU %u %s", first->number,
		    !first->healthy ? "reports itself unhealthy"
		    : first->state == VCPU_TIMED_OUT ? "did not finish its CPUID in time"
						     : "could not be started");
	sink_printf(detail, "; %u timed out, %u not started, %u unhealthy", (unsigned)late,
		    (unsigned)refused, (unsigned)unhealthy);
}

void vcpus_judge(const struct hv_report *report, struct result_list *results)
{
	if (!report->vcpus.read || report->vcpus.present <= 1)
		return;
	judge_cpuid(&report->vcpus, results);
	judge_startup(&report->vcpus, results);
}

/* --- facts ------------------------------------------------------------- */

static const struct fact_def defs[] = {
	{ "vcpu.count", FACT_NUMBER, UINT32_MAX, 0, "vCPUs present, the boot vCPU included" },
	{ "vcpu.enabled", FACT_NUMBER, UINT32_MAX, 0, "vCPUs the firmware has enabled" },
	{ "vcpu.consistent", FACT_NUMBER, 1, 0, "1: each enabled vCPU's CPUID as the boot's" },
	{ "vcpu.differing", FACT_NUMBER, VCPU_MAX, 0, "vCPUs whose CPUID differs from the boot's" },
};

static const char *vcpu_fact(const struct hv_report *report, const struct fact_def *def,
			     unsigned index, struct fact_value *out)
{
	const struct vcpu_report *v = &report->vcpus;

	(void)index;
	if (!v->read)
		return v->not_read_reason;
	if (def == &defs[0])
		out->number = v->present;
	else if (def == &defs[1])
		out->number = v->enabled;
	else if (def == &defs[2])
		out->number = vcpus_consistent(v);
	else
		out->number = vcpus_differing(v);
	return NULL;
}

const struct fact_family vcpu_facts = { "vcpu.* (every vCPU: the count, CPUID on each)", defs,
					COUNT_OF(defs), vcpu_fact };
