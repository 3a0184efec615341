/* Every vCPU: the comparison against the boot vCPU, the per-vCPU fields
 * left out by rule (what the SDM says each logical processor answers for
 * itself), the results, the facts and the renderings, on simulated vCPUs
 * whose answers are the real-KVM recording's with changes made here by
 * hand; and dumps with CPU sections, as Debian's cpuid -r writes them. */
#include "recordings.h"

#include "checks.h"
#include "facts.h"
#include "judge.h"
#include "vcpus.h"

#define KVM_HOST_DUMP "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt"

/* A change to one register of one vCPU's answers. */
struct change {
	size_t vcpu;
	uint32_t leaf, subleaf;
	enum cpuid_register reg;
	uint32_t xor_mask;
};

/* vCPUs that answer as the boot vCPU's recording does, each with its own
 * initial APIC ID (its index) in leaf 1 EBX[31:24], as QEMU numbers a
 * plain -smp topology, and the changes below. */
static struct {
	size_t present, enabled;
	struct change changes[8];
	size_t change_count;
	size_t timed_out, disabled, unhealthy; /* a vCPU's index; 0: none */
	const struct hv_report *boot;
} sim;

static void sim_reset(const struct hv_report *boot, size_t present)
{
	memset(&sim, 0, sizeof(sim));
	sim.boot = boot;
	sim.present = sim.enabled = present;
}

static void sim_change(size_t vcpu, uint32_t leaf, uint32_t subleaf, enum cpuid_register reg,
		       uint32_t xor_mask)
{
	sim.changes[sim.change_count++] = (struct change){ vcpu, leaf, subleaf, reg, xor_mask };
}

static void sim_describe(const struct vcpu_source *self, size_t index,
			 struct vcpu_identity *out)
{
	(void)self;
	*out = (struct vcpu_identity){ .number = (uint32_t)index, .boot = index == 0,
				       .enabled = index != sim.disabled || !index,
				       .healthy = index != sim.unhealthy || !index };
}

static uint32_t *reg_of(struct cpuid_regs *regs, enum cpuid_register reg)
{
	return reg == REG_EAX ? &regs->eax : reg == REG_EBX ? &regs->ebx
					   : reg == REG_ECX ? &regs->ecx : &regs->edx;
}

static enum vcpu_state sim_read(const struct vcpu_source *self, size_t index,
				struct cpuid_record *records, size_t count)
{
	(void)self;
	if (index == sim.timed_out)
		return VCPU_TIMED_OUT;
	for (size_t i = 0; i < count; i++) {
		const struct cpuid_regs *boot = hv_report_leaf(sim.boot, records[i].leaf,
							       records[i].subleaf);
		assert_non_null(boot);
		records[i].regs = *boot;
		if (records[i].leaf == 1)
			records[i].regs.ebx = (boot->ebx & 0x00ffffffu) | (uint32_t)index << 24;
		for (size_t c = 0; c < sim.change_count; c++) {
			const struct change *change = &sim.changes[c];
			if (change->vcpu == index && change->leaf == records[i].leaf &&
			    change->subleaf == records[i].subleaf)
				*reg_of(&records[i].regs, change->reg) ^= change->xor_mask;
		}
	}
	return VCPU_COMPARED;
}

static struct hv_report *read_sim_vcpus(struct hv_report *report)
{
	struct vcpu_source source = { .method = "simulated", .present = sim.present,
				      .enabled = sim.enabled, .describe = sim_describe,
				      .read = sim_read };
	vcpus_read(report, &source);
	hv_judge(report, &(struct judge_settings){ 0 });
	return report;
}

static const struct result *result_labelled(const struct hv_report *report, const char *label)
{
	for (size_t i = 0; i < report->results.count; i++)
		if (!strcmp(report->results.items[i].label, label))
			return &report->results.items[i];
	return NULL;
}

static void assert_outcome(const struct hv_report *report, const char *label,
			   enum outcome outcome, const char *detail)
{
	const struct result *r = result_labelled(report, label);
	if (!r)
		fail_msg("no result %s", label);
	if (r->outcome != outcome || (detail && !strstr(r->detail, detail)))
		fail_msg("%s: %s: %s, expected %s with \"%s\"", label, outcome_name(r->outcome),
			 r->detail, outcome_name(outcome), detail ? detail : "");
}

static uint64_t fact_number(const struct hv_report *report, const char *key)
{
	struct fact_ref ref;
	struct fact_value value;

	assert_true(fact_resolve(key, &ref));
	const char *why = fact_value(report, &ref, &value);
	if (why)
		fail_msg("%s: %s", key, why);
	return value.number;
}

/* --- the comparison ---------------------------------------------------- */

/* Four vCPUs that differ only in their APIC IDs: consistent, the rule
 * that left the APIC ID out named, every fact as counted by hand. */
static void test_four_vcpus_consistent(void **state)
{
	(void)state;
	struct hv_report *report = scan_dump_file(KVM_HOST_DUMP);
	sim_reset(report, 4);
	read_sim_vcpus(report);
	assert_true(vcpus_consistent(&report->vcpus));
	assert_int_equal(report->vcpus.count, 4);
	assert_int_equal(report->vcpus.vcpus[3].apic_id, 3);
	assert_true(report->vcpus.vcpus[3].apic_id_from_cpuid);
	assert_int_equal(report->vcpus.vcpus[3].per_vcpu_registers, 1);
	/* leaf 0, 1, 0xd (the highest basic leaf), 0x40000000, 0x40000001 and
	 * 0x80000000 (the extended maximum, for confidential computing) */
	assert_int_equal(report->vcpus.leaves_compared, 6);
	assert_outcome(report, "vcpu.cpuid", OUTCOME_PASS, "4 vCPUs read");
	assert_outcome(report, "vcpu.startup", OUTCOME_PASS, "4 of 4 vCPUs enabled");
	assert_int_equal(fact_number(report, "vcpu.count"), 4);
	assert_int_equal(fact_number(report, "vcpu.enabled"), 4);
	assert_int_equal(fact_number(report, "vcpu.consistent"), 1);
	assert_int_equal(fact_number(report, "vcpu.differing"), 0);
	const char *text = text_of(report);
	assert_contains(text, "vCPUs: 4 present, 4 enabled (simulated)\n");
	assert_contains(text, "  consistent: every vCPU read, none differs\n");
	assert_contains(text, "       3        3* as the boot vCPU's, per-vCPU fields aside\n");
	assert_contains(text, "  left out: leaf 0x01.0 ebx[31:24] initial APIC ID\n");
	/* The vCPUs are judged on every run: not what a run was asked. */
	assert_false(report->verdict.only_skipped);
}

/* A bit swapped on vCPU 2 (KVM_FEATURE_CLOCKSOURCE2, Linux kvm_para.h bit
 * 3 of 0x40000001 EAX): reported with its leaf, register and bits, and the
 * verdict fails. */
static void test_a_swapped_bit_on_vcpu_2(void **state)
{
	(void)state;
	struct hv_report *report = scan_dump_file(KVM_HOST_DUMP);
	sim_reset(report, 4);
	sim_change(2, 0x40000001, 0, REG_EAX, 1u << 3);
	read_sim_vcpus(report);
	assert_false(vcpus_consistent(&report->vcpus));
	assert_int_equal(report->vcpus.difference_count, 1);
	const struct vcpu_difference *d = &report->vcpus.differences[0];
	assert_int_equal(d->vcpu, 2);
	assert_int_equal(d->leaf, 0x40000001);
	assert_int_equal(d->reg, REG_EAX);
	assert_int_equal(d->bits, 0x8);
	assert_int_equal(d->boot_value, 0x01007afb); /* the recording's */
	assert_int_equal(d->value, 0x01007af3);
	assert_outcome(report, "vcpu.cpuid", OUTCOME_FAIL,
		       "1 of 3 vCPUs differ; vCPU 2: leaf 0x40000001.0 eax bits 0x00000008");
	assert_false(report->verdict.passed);
	assert_int_equal(fact_number(report, "vcpu.consistent"), 0);
	assert_int_equal(fact_number(report, "vcpu.differing"), 1);
	const char *text = text_of(report);
	assert_contains(text, "       2        2* DIFFERS in 1 register\n");
	assert_contains(text, "    vCPU 2: leaf 0x40000001.0 eax bits 0x00000008:\n"
			      "      0x01007afb on the boot vCPU, 0x01007af3 here\n");
	assert_contains(text, "  NOT consistent");
}

/* The SDM's per-processor fields are left out; leaf 1 EBX[23:16], the
 * package's addressable IDs, is the same on every logical processor and
 * is compared. */
static void test_per_vcpu_fields_by_rule(void **state)
{
	(void)state;
	struct hv_report *report = scan_dump_file(KVM_HOST_DUMP);
	sim_reset(report, 3);
	sim_change(1, 1, 0, REG_ECX, 1u << 27);   /* OSXSAVE: CR4.OSXSAVE */
	sim_change(1, 1, 0, REG_EDX, 1u << 9);    /* APIC: IA32_APIC_BASE[11] */
	sim_change(1, 0xd, 0, REG_EBX, 0x340 ^ 0x240); /* XCR0's size */
	sim_change(2, 1, 0, REG_EBX, 0x00010000u); /* addressable IDs */
	read_sim_vcpus(report);
	assert_int_equal(report->vcpus.vcpus[1].differing_registers, 0);
	assert_int_equal(report->vcpus.vcpus[1].per_vcpu_registers, 4);
	assert_int_equal(report->vcpus.vcpus[2].differing_registers, 1);
	assert_int_equal(report->vcpus.differences[0].bits, 0x00010000u);
	const char *text = text_of(report);
	assert_contains(text, "  left out: leaf 0x01.0 ecx[27] OSXSAVE\n");
	assert_contains(text, "  left out: leaf 0x01.0 edx[9] APIC\n");
	assert_contains(text, "  left out: leaf 0x0d.0 ebx XSAVE size of XCR0's features\n");
	assert_lacks(text, "OSPKE");

	uint32_t applied;
	/* x2APIC IDs at every sub-leaf of 0BH and 1FH; Xen's vcpu id only in
	 * a Xen block's HVM leaf */
	assert_int_equal(vcpu_per_vcpu_bits(report, 0xb, 1, REG_EDX, 1, &applied), 0xffffffffu);
	assert_int_equal(vcpu_per_vcpu_bits(report, 0x1f, 3, REG_EDX, 1, &applied), 0xffffffffu);
	assert_int_equal(vcpu_per_vcpu_bits(report, 0xb, 1, REG_EBX, 1, &applied), 0);
	assert_int_equal(vcpu_per_vcpu_bits(report, 0x40000004, 0, REG_EBX, 1, &applied), 0);
	assert_int_equal(vcpu_per_vcpu_bits(report, 7, 0, REG_ECX, 0x10, &applied), 0x10);
	assert_int_equal(applied, 1u << 4);
	struct hv_report *xen = scan_dump_file("xen-viridian.txt");
	uint32_t xen_base = 0;
	for (size_t i = 0; i < xen->interface_count; i++)
		if (!memcmp(xen->interfaces[i].signature, "XenVMMXenVMM", 12))
			xen_base = xen->interfaces[i].base;
	assert_int_equal(xen_base, 0x40000100); /* behind Viridian */
	assert_int_equal(vcpu_per_vcpu_bits(xen, 0x40000104, 0, REG_EBX, 7, &applied), 0xffffffffu);
	assert_int_equal(vcpu_per_vcpu_bits(xen, 0x40000004, 0, REG_EBX, 7, &applied), 0);
}

/* Every rule's text fits the console. */
static void test_every_rule_renders_within_the_width(void **state)
{
	(void)state;
	struct hv_report *report = scan_dump_file(KVM_HOST_DUMP);
	sim_reset(report, 2);
	read_sim_vcpus(report);
	report->vcpus.rules_applied = 0xffffffffu;
	assert_contains(text_of(report), "Xen vcpu id");
	assert_non_null(vcpu_rule(0));
	size_t rules = 0;
	while (vcpu_rule(rules))
		rules++;
	assert_int_equal(rules, 11);
}

static void test_a_vcpu_that_times_out_or_is_unhealthy(void **state)
{
	(void)state;
	struct hv_report *report = scan_dump_file(KVM_HOST_DUMP);
	sim_reset(report, 4);
	sim.timed_out = 3;
	read_sim_vcpus(report);
	assert_int_equal(report->vcpus.vcpus[3].state, VCPU_TIMED_OUT);
	assert_outcome(report, "vcpu.startup", OUTCOME_FAIL,
		       "vCPU 3 did not finish its CPUID in time; 1 timed out");
	assert_outcome(report, "vcpu.cpuid", OUTCOME_PASS, "3 vCPUs read");
	/* not every vCPU read: nothing vouches for all of them */
	assert_int_equal(fact_number(report, "vcpu.consistent"), 0);
	assert_contains(text_of(report), "       3        -  TIMED OUT after 1000 ms\n");

	report = scan_dump_file(KVM_HOST_DUMP);
	sim_reset(report, 3);
	sim.unhealthy = 1;
	sim.disabled = 2;
	sim.enabled = 2;
	read_sim_vcpus(report);
	assert_outcome(report, "vcpu.startup", OUTCOME_FAIL, "vCPU 1 reports itself unhealthy");
	assert_int_equal(report->vcpus.vcpus[2].state, VCPU_DISABLED);
	/* a disabled vCPU is not one the OS runs: consistent without it */
	assert_int_equal(fact_number(report, "vcpu.consistent"), 1);
	assert_int_equal(fact_number(report, "vcpu.enabled"), 2);
}

/* One vCPU, or none read: said in the report and the facts, no result. */
static void test_one_vcpu_or_none_read(void **state)
{
	(void)state;
	struct hv_report *report = scan_dump_file(KVM_HOST_DUMP);
	sim_reset(report, 1);
	read_sim_vcpus(report);
	assert_null(result_labelled(report, "vcpu.cpuid"));
	assert_null(result_labelled(report, "vcpu.startup"));
	assert_int_equal(fact_number(report, "vcpu.consistent"), 1);
	assert_contains(text_of(report), "vCPUs: 1 present, 1 enabled (simulated)\n"
					 "  only the boot vCPU: nothing to compare\n");

	vcpus_not_read(report, "the firmware has no EFI_MP_SERVICES_PROTOCOL");
	hv_judge(report, &(struct judge_settings){ 0 });
	assert_null(result_labelled(report, "vcpu.cpuid"));
	struct fact_ref ref;
	struct fact_value value;
	assert_true(fact_resolve("VCPU.Count", &ref));
	assert_string_equal(fact_value(report, &ref, &value),
			    "the firmware has no EFI_MP_SERVICES_PROTOCOL");
	assert_contains(text_of(report),
			"vCPUs: not read: the firmware has no EFI_MP_SERVICES_PROTOCOL\n");
}

/* Requirements on the vcpu.* facts: met, not met, and not known when the
 * vCPUs were not read. */
static void test_requirements_on_the_vcpus(void **state)
{
	static struct requirement_list list;
	static const char required[] = "vcpu.count=4, vcpu.consistent, vcpu.differing<=0, "
				       "vcpu.enabled>=2";
	struct buffer_sink errors;

	(void)state;
	buffer_sink_init(&errors, NULL, 0);
	assert_true(requirements_add(&list, required, strlen(required), "--require",
				     &errors.sink));
	struct hv_report *report = scan_dump_file(KVM_HOST_DUMP);
	sim_reset(report, 4);
	read_sim_vcpus(report);
	hv_check(report, &list);
	hv_judge(report, &(struct judge_settings){ 0 });
	for (size_t i = 0; i < report->check_count; i++)
		assert_true(report->checks[i].passed);
	assert_contains(text_of(report), "PASS  require.vcpu.count: vcpu.count = 4: found 4\n");

	report = scan_dump_file(KVM_HOST_DUMP);
	sim_reset(report, 4);
	sim_change(2, 0x40000001, 0, REG_EAX, 1u << 3);
	read_sim_vcpus(report);
	hv_check(report, &list);
	hv_judge(report, &(struct judge_settings){ 0 });
	assert_true(report->checks[0].passed);
	assert_false(report->checks[1].passed);
	assert_false(report->checks[2].passed);
	const char *text = text_of(report);
	assert_contains(text, "FAIL  require.vcpu.consistent: vcpu.consistent = 1: found 0\n");
	assert_contains(text, "FAIL  require.vcpu.differing: vcpu.differing <= 0: found 1\n");

	vcpus_not_read(report, "the firmware has no EFI_MP_SERVICES_PROTOCOL");
	hv_check(report, &list);
	hv_judge(report, &(struct judge_settings){ 0 });
	assert_false(report->checks[0].passed);
	assert_contains(text_of(report), "FAIL  require.vcpu.count: vcpu.count = 4: not known: the "
					 "firmware has no\n        EFI_MP_SERVICES_PROTOCOL\n");

	/* a requirement that decides nothing is refused */
	list.count = 0;
	assert_false(requirements_add(&list, "vcpu.consistent<=1", 18, "--require", &errors.sink));
}

/* --- dumps with CPU sections ------------------------------------------- */

static struct cpuid_dump dump;

static bool parse(const char *text)
{
	return cpuid_dump_parse(&dump, text, strlen(text));
}

/* As Debian's cpuid -r writes a 2-vCPU KVM guest on AMD (this machine's
 * own, cut to the leaves a scan reads): the APIC IDs differ, the rest not. */
static const char two_cpus[] =
	"CPU 0:\n"
	"   0x00000000 0x00: eax=0x00000001 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\n"
	"   0x00000001 0x00: eax=0x00a10f11 ebx=0x00020800 ecx=0xfffa3203 edx=0x178bfbff\n"
	"   0x40000000 0x00: eax=0x40000001 ebx=0x4b4d564b ecx=0x564b4d56 edx=0x0000004d\n"
	"   0x40000001 0x00: eax=0x01007efb ebx=0x00000000 ecx=0x00000000 edx=0x00000000\n"
	"CPU 1:\n"
	"   0x00000000 0x00: eax=0x00000001 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\n"
	"   0x00000001 0x00: eax=0x00a10f11 ebx=0x01020800 ecx=0xfffa3203 edx=0x178bfbff\n"
	"   0x40000000 0x00: eax=0x40000001 ebx=0x4b4d564b ecx=0x564b4d56 edx=0x0000004d\n"
	"   0x40000001 0x00: eax=0x01007efb ebx=0x00000000 ecx=0x00000000 edx=0x00000000\n";

static struct hv_report *scan_parsed(void)
{
	static struct cpuid_recording recording;
	struct cpuid_source source;

	recording.records = dump.records;
	recording.count = dump.record_count;
	cpuid_source_recorded(&source, &recording, "two CPUs");
	hv_scan(&test_report, &source);
	return &test_report;
}

static void test_a_dump_with_cpu_sections(void **state)
{
	(void)state;
	assert_true(parse(two_cpus));
	assert_int_equal(dump.cpu_count, 2);
	assert_int_equal(dump.cpus_kept, 2);
	assert_int_equal(dump.record_count, 4);
	assert_int_equal(dump.cpus[1].number, 1);
	assert_int_equal(dump.cpus[1].first, 4);
	struct hv_report *report = scan_parsed();
	vcpus_read_dump(report, &dump, false);
	hv_judge(report, &(struct judge_settings){ 0 });
	assert_int_equal(report->vcpus.present, 2);
	assert_int_equal(report->vcpus.vcpus[1].apic_id, 1);
	assert_outcome(report, "vcpu.cpuid", OUTCOME_PASS, "2 vCPUs read");
	assert_contains(text_of(report), "(the dump's CPU sections)");

	/* a later section that lists fewer leaves: the others are not known,
	 * so not compared (the first CPU's missing leaves read as the
	 * processor answers: it is the one scanned) */
	static const char partial[] =
		"CPU 0:\n"
		"   0x00000000 0x00: eax=0x00000001 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\n"
		"   0x00000001 0x00: eax=0x00a10f11 ebx=0x00020800 ecx=0x80000000 edx=0x00000000\n"
		"   0x40000000 0x00: eax=0x40000001 ebx=0x4b4d564b ecx=0x564b4d56 edx=0x0000004d\n"
		"CPU 1:\n"
		"   0x00000000 0x00: eax=0x00000001 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\n";
	assert_true(parse(partial));
	report = scan_parsed();
	vcpus_read_dump(report, &dump, false);
	/* leaf 0, 1, 0x40000000, 0x40000001 (KVM's base+1, read whatever the
	 * max leaf says) and 0x80000000 */
	assert_int_equal(report->vcpus.leaves_compared, 5);
	assert_int_equal(report->vcpus.vcpus[1].leaves_unknown, 4);
	assert_false(report->vcpus.vcpus[1].apic_id_known);
	assert_true(vcpus_consistent(&report->vcpus));
	assert_contains(text_of(report), "       1        -  as the boot vCPU's; 4 leaves unknown\n");

	/* the same leaf twice in a section is a problem; in two sections not */
	assert_false(parse("CPU 3:\n"
			   "   0x00000000 0x00: eax=0x0 ebx=0x0 ecx=0x0 edx=0x0\n"
			   "   0x00000000 0x00: eax=0x0 ebx=0x0 ecx=0x0 edx=0x0\n"));
	assert_string_equal(dump.problems[0].reason, "leaf and sub-leaf given twice");
	assert_true(parse("CPU:\n   0x00000000 0x00: eax=0x0 ebx=0x0 ecx=0x0 edx=0x0\n"
			  "CPU:\n   0x00000000 0x00: eax=0x1 ebx=0x0 ecx=0x0 edx=0x0\n"));
	assert_int_equal(dump.cpus[1].number, 1); /* its place, without a number */
	/* a section without leaves */
	assert_false(parse("CPU 0:\n   0x00000000 0x00: eax=0x0 ebx=0x0 ecx=0x0 edx=0x0\nCPU 1:\n"));
	assert_string_equal(dump.problems[0].reason, "a CPU section without leaves");
}

static void test_one_cpu_or_a_json_report_reads_no_vcpus(void **state)
{
	(void)state;
	assert_true(parse("CPU:\n   0x00000000 0x00: eax=0x0 ebx=0x0 ecx=0x0 edx=0x0\n"));
	struct hv_report *report = scan_parsed();
	vcpus_read_dump(report, &dump, false);
	assert_false(report->vcpus.read);
	assert_contains(report->vcpus.not_read_reason, "the dump holds one CPU");
	vcpus_read_dump(report, &dump, true);
	assert_contains(report->vcpus.not_read_reason, "a JSON report");
}

/* Past DUMP_MAX_CPUS sections are counted, not kept; the report says how
 * many it did not read. Past 16384 leaves in all, the dump is refused. */
static void test_many_cpu_sections(void **state)
{
	static char text[DUMP_MAX_BYTES];
	struct buffer_sink sink;

	(void)state;
	buffer_sink_init(&sink, text, sizeof(text) - 1);
	for (unsigned cpu = 0; cpu < 300; cpu++)
		sink_printf(&sink.sink, "CPU %u:\n   0x0 0x0: eax=0x1 ebx=0x0 ecx=0x0 edx=0x0\n"
				       "   0x1 0x0: eax=0x0 ebx=0x%x ecx=0x0 edx=0x0\n", cpu, cpu << 24);
	text[sink.length] = '\0';
	assert_true(parse(text));
	assert_int_equal(dump.cpu_count, 300);
	assert_int_equal(dump.cpus_kept, DUMP_MAX_CPUS);
	struct hv_report *report = scan_parsed();
	vcpus_read_dump(report, &dump, false);
	assert_int_equal(report->vcpus.present, 300);
	assert_int_equal(report->vcpus.count, VCPU_MAX);
	assert_int_equal(report->vcpus.vcpus[255].apic_id, 255);
	assert_contains(text_of(report), "(44 more past the first 256, not read)");
	hv_judge(report, &(struct judge_settings){ 0 });
	assert_int_equal(fact_number(report, "vcpu.count"), 300);
	assert_int_equal(fact_number(report, "vcpu.consistent"), 0);

	buffer_sink_init(&sink, text, sizeof(text) - 1);
	for (unsigned cpu = 0; cpu < 5; cpu++) {
		sink_printf(&sink.sink, "CPU:\n");
		for (unsigned leaf = 0; leaf < 4000; leaf++)
			sink_printf(&sink.sink, "0x%x 0x0: eax=0x0 ebx=0x0 ecx=0x0 edx=0x0\n", leaf);
	}
	text[sink.length] = '\0';
	assert_false(parse(text));
	assert_string_equal(dump.problems[0].reason,
			    "more leaves in all CPUs than hvfeat keeps (16384)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_four_vcpus_consistent),
		cmocka_unit_test(test_a_swapped_bit_on_vcpu_2),
		cmocka_unit_test(test_per_vcpu_fields_by_rule),
		cmocka_unit_test(test_every_rule_renders_within_the_width),
		cmocka_unit_test(test_a_vcpu_that_times_out_or_is_unhealthy),
		cmocka_unit_test(test_one_vcpu_or_none_read),
		cmocka_unit_test(test_requirements_on_the_vcpus),
		cmocka_unit_test(test_a_dump_with_cpu_sections),
		cmocka_unit_test(test_one_cpu_or_a_json_report_reads_no_vcpus),
		cmocka_unit_test(test_many_cpu_sections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
