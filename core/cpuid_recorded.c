#include "cpuid_source.h"

#include "cpuid_dump.h"
#include "vcpus.h"

static const struct cpuid_record *find(const struct cpuid_recording *recording,
				       uint32_t leaf, uint32_t subleaf)
{
	for (size_t i = 0; i < recording->count; i++) {
		const struct cpuid_record *r = &recording->records[i];
		if (r->leaf == leaf && r->subleaf == subleaf)
			return r;
	}
	return NULL;
}

/* Intel processors answer a leaf above the basic or extended maximum with
 * the highest basic leaf; a recording of one answers the same way, so a
 * replayed dump scans exactly like the processor it came from. */
static const struct cpuid_record *intel_out_of_range(
	const struct cpuid_recording *recording, uint32_t leaf, uint32_t subleaf)
{
	const struct cpuid_record *basic = find(recording, 0, 0);
	const struct cpuid_record *extended = find(recording, 0x80000000u, 0);

	/* "GenuineIntel" in EBX, EDX, ECX */
	if (!basic || basic->regs.ebx != 0x756e6547 || basic->regs.edx != 0x49656e69 ||
	    basic->regs.ecx != 0x6c65746e)
		return NULL;
	if (leaf <= basic->regs.eax)
		return NULL;
	if (extended && leaf >= 0x80000000u && leaf <= extended->regs.eax)
		return NULL;
	return find(recording, basic->regs.eax, subleaf);
}

static void recorded_query(const struct cpuid_source *self, uint32_t leaf,
			   uint32_t subleaf, struct cpuid_regs *out)
{
	const struct cpuid_recording *recording = self->context;
	const struct cpuid_record *r = find(recording, leaf, subleaf);

	if (!r)
		r = intel_out_of_range(recording, leaf, subleaf);
	if (r) {
		*out = r->regs;
		return;
	}
	/* What AMD processors return for an undefined leaf. */
	out->eax = out->ebx = out->ecx = out->edx = 0;
}

void cpuid_source_recorded(struct cpuid_source *source,
			   const struct cpuid_recording *recording,
			   const char *description)
{
	source->query = recorded_query;
	source->context = recording;
	source->kind = "recording";
	source->description = description;
}

void cpuid_source_none(struct cpuid_source *source, const char *description)
{
	source->query = NULL;
	source->context = NULL;
	source->kind = "none";
	source->description = description;
}

/* --- a dump's CPU sections as vCPUs ------------------------------------ */

/* vcpus_read stops at VCPU_MAX, so it never asks past the sections kept. */
_Static_assert(DUMP_MAX_CPUS == VCPU_MAX, "a section kept for each vCPU listed");

static void dump_describe(const struct vcpu_source *self, size_t index,
			  struct vcpu_identity *out)
{
	const struct cpuid_dump *dump = self->context;

	*out = (struct vcpu_identity){ .number = dump->cpus[index].number, .boot = index == 0,
				       .enabled = true, .healthy = true };
}

static enum vcpu_state dump_read(const struct vcpu_source *self, size_t index,
				 struct cpuid_record *records, size_t count)
{
	const struct cpuid_dump *dump = self->context;
	const struct dump_cpu *cpu = &dump->cpus[index];
	struct cpuid_recording recording = { dump->records + cpu->first, cpu->count };
	struct cpuid_source source;

	cpuid_source_recorded(&source, &recording, NULL);
	for (size_t i = 0; i < count; i++)
		source.query(&source, records[i].leaf, records[i].subleaf, &records[i].regs);
	return VCPU_COMPARED;
}

/* A later section lists what its CPU answered; what it leaves out is not
 * known (the first CPU's missing leaves are answered as the processor
 * would: it is the one scanned). */
static bool dump_holds(const struct vcpu_source *self, size_t index, uint32_t leaf,
		       uint32_t subleaf)
{
	const struct cpuid_dump *dump = self->context;
	const struct dump_cpu *cpu = &dump->cpus[index];

	for (size_t i = cpu->first; i < cpu->first + cpu->count; i++)
		if (dump->records[i].leaf == leaf && dump->records[i].subleaf == subleaf)
			return true;
	return false;
}

void vcpu_source_dump(struct vcpu_source *source, const struct cpuid_dump *dump)
{
	*source = (struct vcpu_source){ .context = dump, .method = "the dump's CPU sections",
					.present = dump->cpu_count, .enabled = dump->cpu_count,
					.describe = dump_describe, .read = dump_read,
					.holds = dump_holds };
}
