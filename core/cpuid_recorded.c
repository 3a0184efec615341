#include "cpuid_source.h"

static void recorded_query(const struct cpuid_source *self, uint32_t leaf,
			   uint32_t subleaf, struct cpuid_regs *out)
{
	const struct cpuid_recording *recording = self->context;

	for (size_t i = 0; i < recording->count; i++) {
		const struct cpuid_record *r = &recording->records[i];
		if (r->leaf == leaf && r->subleaf == subleaf) {
			*out = r->regs;
			return;
		}
	}
	out->eax = out->ebx = out->ecx = out->edx = 0;
}

void cpuid_source_recorded(struct cpuid_source *source,
			   const struct cpuid_recording *recording,
			   const char *description)
{
	source->query = recorded_query;
	source->context = recording;
	source->description = description;
}
