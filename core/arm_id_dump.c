/* The Arm ID registers as text, the "Arm ID registers:" section of a dump:
 * written by hvfeat -r (and the raw part of the text report), read back by
 * -f and the unit tests, so a run on one machine replays on another.
 *
 *   Arm ID registers:
 *      MIDR_EL1         0x00000000000f0510
 *      ID_AA64PFR0_EL1  0x0000000101111112
 *
 * A line is a register's name and its value, "0x" and hex digits below 2^64;
 * the section holds every register hvfeat reads, each once. */
#include "arm_id.h"

#include "ascii.h"

void render_arm_id_dump(const struct arm_id_report *report, struct text_sink *out)
{
	sink_puts(out, ARM_ID_DUMP_HEADER "\n");
	for (size_t r = 0; r < ARM_ID_REGISTER_COUNT; r++)
		sink_printf(out, "   %-16s 0x%016lx\n", arm_id_registers[r].name,
			    (unsigned long)report->values[r]);
}

const char *arm_id_dump_line(struct arm_id_recording *recording, const char *line,
			     size_t length)
{
	struct cursor c = { line, line + length };
	uint64_t value;
	bool hex;

	cursor_skip_blanks(&c);
	const char *name = c.at;
	while (!cursor_at_end(&c) && *c.at != ' ' && *c.at != '\t')
		c.at++;
	enum arm_id_register r = arm_id_register_named(name, (size_t)(c.at - name));
	if (r == ARM_ID_REGISTER_COUNT)
		return "names no ID register hvfeat reads";
	cursor_skip_blanks(&c);
	if (!cursor_number_up_to(&c, UINT64_MAX, &value, &hex) || !hex)
		return "a register's value must be 0x and hex digits below 2^64";
	cursor_skip_blanks(&c);
	if (!cursor_at_end(&c))
		return "more after the register's value";
	return arm_id_recording_add(recording, r, value);
}

enum arm_id_register arm_id_register_named(const char *name, size_t length)
{
	enum arm_id_register r = 0;

	while (r < ARM_ID_REGISTER_COUNT &&
	       !ascii_equal_span(name, length, arm_id_registers[r].name, false))
		r++;
	return r;
}

const char *arm_id_recording_add(struct arm_id_recording *recording, enum arm_id_register r,
				 uint64_t value)
{
	if (recording->given[r])
		return "a register given twice";
	recording->given[r] = true;
	recording->values[r] = value;
	return NULL;
}

const char *arm_id_recording_problem(const struct arm_id_recording *recording)
{
	for (size_t r = 0; r < ARM_ID_REGISTER_COUNT; r++)
		if (!recording->given[r])
			return "its Arm ID registers section lacks a register hvfeat reads";
	return NULL;
}

void arm_id_replay(struct arm_id_report *report, const struct arm_id_recording *recording)
{
	*report = (struct arm_id_report){ .read = recording->present };
	for (size_t r = 0; r < ARM_ID_REGISTER_COUNT; r++)
		report->values[r] = recording->values[r];
}
