#include "cpuid_dump.h"

#include "ascii.h"

/* "0x" and hex digits, 32 bits at most: cpuid -r writes nothing else. */
static bool hex32(struct cursor *c, uint32_t *value)
{
	bool hex;
	return cursor_number(c, value, &hex) && hex;
}

static bool registers(struct cursor *c, struct cpuid_regs *regs)
{
	static const char *const names[] = { "eax=", "ebx=", "ecx=", "edx=" };
	uint32_t *slots[] = { &regs->eax, &regs->ebx, &regs->ecx, &regs->edx };

	for (size_t i = 0; i < 4; i++) {
		cursor_skip_blanks(c);
		if (!cursor_take(c, names[i]) || !hex32(c, slots[i]))
			return false;
	}
	cursor_skip_blanks(c);
	return cursor_at_end(c);
}

/* "CPU:" or "CPU N:"; *number gets N (saturated), or UINT32_MAX without. */
static bool cpu_header(struct cursor c, uint32_t *number)
{
	if (!cursor_take(&c, "CPU"))
		return false;
	cursor_skip_blanks(&c);
	*number = UINT32_MAX;
	if (!cursor_at_end(&c) && *c.at >= '0' && *c.at <= '9')
		*number = 0;
	while (!cursor_at_end(&c) && *c.at >= '0' && *c.at <= '9') {
		uint32_t digit = (uint32_t)(*c.at++ - '0');
		*number = *number > (UINT32_MAX - digit) / 10 ? UINT32_MAX - 1
							       : *number * 10 + digit;
	}
	return cursor_take(&c, ":") && cursor_at_end(&c);
}

/* Old-style lines carry no sub-leaf: cpuid numbers them per leaf for the
 * leaves that have sub-leaves. */
static uint32_t next_implicit_subleaf(uint32_t leaf, uint32_t counters[5])
{
	static const uint32_t leaves[5] = { 0x2, 0x4, 0x7, 0xb, 0x8000001d };

	for (size_t i = 0; i < 5; i++)
		if (leaves[i] == leaf)
			return counters[i]++;
	return 0;
}

static bool leaf_line(struct cursor c, uint32_t counters[5], struct cpuid_record *out)
{
	cursor_skip_blanks(&c);
	if (!hex32(&c, &out->leaf))
		return false;
	cursor_skip_blanks(&c);
	if (cursor_take(&c, ":")) {
		out->subleaf = next_implicit_subleaf(out->leaf, counters);
	} else if (!hex32(&c, &out->subleaf) || !cursor_take(&c, ":")) {
		return false;
	}
	return registers(&c, &out->regs);
}

void cpuid_dump_add_problem(struct cpuid_dump *dump, uint32_t line, const char *reason)
{
	if (dump->problem_count < DUMP_PROBLEMS_KEPT) {
		dump->problems[dump->problem_count].line = line;
		dump->problems[dump->problem_count].reason = reason;
	}
	dump->problem_count++;
}

/* Opens the next CPU section (number UINT32_MAX: none given, its place
 * stands for it); past DUMP_MAX_CPUS sections are counted, not kept. */
static void open_cpu(struct cpuid_dump *dump, uint32_t number)
{
	size_t first = 0;

	if (dump->cpus_kept)
		first = dump->cpus[dump->cpus_kept - 1].first + dump->cpus[dump->cpus_kept - 1].count;
	if (dump->cpus_kept < DUMP_MAX_CPUS)
		dump->cpus[dump->cpus_kept++] = (struct dump_cpu){
			number == UINT32_MAX ? dump->cpu_count : number, first, 0 };
	dump->cpu_count++;
}

static bool already_recorded(const struct cpuid_dump *dump, const struct dump_cpu *cpu,
			     const struct cpuid_record *r)
{
	for (size_t i = cpu->first; i < cpu->first + cpu->count; i++)
		if (dump->records[i].leaf == r->leaf && dump->records[i].subleaf == r->subleaf)
			return true;
	return false;
}

/* The sections a dump can hold: CPUID leaves ("CPU:", "CPU N:", or none
 * before the first leaf), and Arm's: "SMCCC:" (smccc.h) and "Arm ID
 * registers:" (arm_id.h), each running to the next header. */
enum dump_section { SECTION_CPU, SECTION_SMCCC, SECTION_ARM_ID };

static bool header(struct cursor c, const char *name)
{
	return cursor_take(&c, name) && cursor_at_end(&c);
}

static void parse_line(struct cpuid_dump *dump, uint32_t number, struct cursor line,
		       uint32_t counters[5], enum dump_section *section)
{
	struct cpuid_record record;
	uint32_t cpu_number;

	for (const char *p = line.at; p < line.end; p++)
		if (*p == '\0' || (unsigned char)*p > 0x7e) {
			cpuid_dump_add_problem(dump, number, "binary data, not text");
			return;
		}
	if ((size_t)(line.end - line.at) > DUMP_MAX_LINE) {
		cpuid_dump_add_problem(dump, number, "line too long for a cpuid -r line");
		return;
	}
	cursor_skip_blanks(&line);
	if (cursor_at_end(&line))
		return;
	if (header(line, "SMCCC:")) {
		if (dump->smccc.present)
			cpuid_dump_add_problem(dump, number, "a second SMCCC section");
		dump->smccc.present = true;
		*section = SECTION_SMCCC;
		return;
	}
	if (header(line, ARM_ID_DUMP_HEADER)) {
		if (dump->arm_id.present)
			cpuid_dump_add_problem(dump, number, "a second Arm ID registers section");
		dump->arm_id.present = true;
		*section = SECTION_ARM_ID;
		return;
	}
	if (cpu_header(line, &cpu_number)) {
		*section = SECTION_CPU;
		open_cpu(dump, cpu_number);
		for (size_t i = 0; i < 5; i++)
			counters[i] = 0;
		return;
	}
	if (*section == SECTION_CPU) {
		if (leaf_line(line, counters, &record))
			cpuid_dump_add_record(dump, number, &record);
		else
			cpuid_dump_add_problem(dump, number, "not a cpuid -r line");
		return;
	}
	size_t length = (size_t)(line.end - line.at);
	const char *why = *section == SECTION_SMCCC
				  ? smccc_dump_line(&dump->smccc, line.at, length)
				  : arm_id_dump_line(&dump->arm_id, line.at, length);
	if (why)
		cpuid_dump_add_problem(dump, number, why);
}

void cpuid_dump_add_record(struct cpuid_dump *dump, uint32_t line,
			   const struct cpuid_record *record)
{
	/* Leaves before any header are the first CPU's. */
	if (!dump->cpu_count)
		open_cpu(dump, UINT32_MAX);
	if (dump->cpus_kept < dump->cpu_count)
		return; /* a CPU past DUMP_MAX_CPUS: understood, counted, not kept */
	struct dump_cpu *cpu = &dump->cpus[dump->cpus_kept - 1];
	if (already_recorded(dump, cpu, record))
		cpuid_dump_add_problem(dump, line, "leaf and sub-leaf given twice");
	else if (cpu->count == DUMP_MAX_RECORDS)
		cpuid_dump_add_problem(dump, line, "more leaves than hvfeat keeps (4096)");
	else if (cpu->first + cpu->count == DUMP_MAX_RECORDS_ALL)
		cpuid_dump_add_problem(dump, line, "more leaves in all CPUs than hvfeat keeps "
					       "(16384)");
	else
		dump->records[cpu->first + cpu->count++] = *record;
	dump->record_count = dump->cpus[0].count;
}

void cpuid_dump_reset(struct cpuid_dump *dump)
{
	dump->smccc = (struct smccc_recording){ 0 };
	dump->arm_id = (struct arm_id_recording){ 0 };
	dump->record_count = 0;
	dump->cpu_count = 0;
	dump->cpus_kept = 0;
	dump->problem_count = 0;
}

bool cpuid_dump_parse(struct cpuid_dump *dump, const char *text, size_t length)
{
	uint32_t counters[5] = { 0 };
	uint32_t number = 0;
	enum dump_section section = SECTION_CPU;

	cpuid_dump_reset(dump);
	if (length > DUMP_MAX_BYTES) {
		cpuid_dump_add_problem(dump, 0, "larger than 1 MiB, too large for a dump");
		return false;
	}
	for (size_t start = 0; start < length;) {
		size_t end = start;
		while (end < length && text[end] != '\n')
			end++;
		struct cursor line = { text + start, text + end };
		while (line.end > line.at &&
		       (line.end[-1] == '\r' || line.end[-1] == ' ' || line.end[-1] == '\t'))
			line.end--;
		parse_line(dump, ++number, line, counters, &section);
		start = end + 1;
	}
	if (dump->record_count == 0 && !dump->smccc.present && !dump->arm_id.present &&
	    dump->problem_count == 0)
		cpuid_dump_add_problem(dump, 0, "no CPUID leaves in it");
	if (dump->smccc.present && !dump->smccc.conduit_given)
		cpuid_dump_add_problem(dump, 0, "its SMCCC section has no conduit line");
	if (dump->arm_id.present && arm_id_recording_problem(&dump->arm_id))
		cpuid_dump_add_problem(dump, 0, arm_id_recording_problem(&dump->arm_id));
	for (size_t i = 1; i < dump->cpus_kept && !dump->problem_count; i++)
		if (!dump->cpus[i].count)
			cpuid_dump_add_problem(dump, 0, "a CPU section without leaves");
	return dump->problem_count == 0;
}

void render_dump_problems(const struct cpuid_dump *dump, const char *name,
			  struct text_sink *out)
{
	for (size_t i = 0; i < dump->problem_count && i < DUMP_PROBLEMS_KEPT; i++) {
		if (dump->problems[i].line)
			sink_printf(out, "hvfeat: %s:%u: %s\n", name,
				    dump->problems[i].line, dump->problems[i].reason);
		else
			sink_printf(out, "hvfeat: %s: %s\n", name, dump->problems[i].reason);
	}
	if (dump->problem_count > DUMP_PROBLEMS_KEPT)
		sink_printf(out, "hvfeat: %s: %u more problems\n", name,
			    (unsigned)(dump->problem_count - DUMP_PROBLEMS_KEPT));
}

void cpuid_dump_line(uint32_t leaf, uint32_t subleaf, const struct cpuid_regs *regs,
		     struct text_sink *out)
{
	sink_printf(out, "   0x%08x 0x%02x: eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n",
		    leaf, subleaf, regs->eax, regs->ebx, regs->ecx, regs->edx);
}
