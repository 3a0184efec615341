/* SMCCC answers as text, the "SMCCC:" section of a dump: written by
 * hvfeat -r (and the raw part of the text report), read back by -f and
 * the unit tests, so a run on one machine replays on another.
 *
 *   SMCCC:
 *      conduit hvc (ACPI FADT ARM boot flags 0x0003)
 *      0x80000000 0x0: x0=0x10001
 *      0x80000001 0x80008000: x0=0xffffffffffffffff
 *      0x8600ff01 0x0: x0=0xb66fb428 x1=0xe911c52e x2=0x564bcaa9 x3=0x743a004d
 *      0x8600ff01 0x0: trapped esr=0x2000000
 *
 * A call line is the function, x1, then x0..x3 as returned (those left
 * out are 0), or "trapped" and the exception's syndrome. Registers that
 * would take the line past 79 columns go on the next line, indented:
 *
 *      0x80000001 0xffffffffffffffff: x0=0xffffffffffffffff x1=0x1
 *         x2=0xffffffffffffffff x3=0x2 */
#include "smccc.h"

#include "ascii.h"

static void recorded_call(const struct smccc_source *self, struct smccc_call *call)
{
	const struct smccc_recording *recording = self->context;

	for (size_t i = 0; i < recording->count; i++) {
		const struct smccc_call *r = &recording->calls[i];
		if (r->function == call->function && r->arg == call->arg) {
			*call = *r;
			return;
		}
	}
	/* What a hypervisor answers to a function it does not know. */
	call->x[0] = (uint64_t)(int64_t)SMCCC_RET_NOT_SUPPORTED;
}

void smccc_source_recorded(struct smccc_source *source,
			   const struct smccc_recording *recording,
			   const char *description)
{
	*source = (struct smccc_source){ .call = recorded_call, .context = recording,
					 .conduit = recording->conduit,
					 .conduit_origin = recording->conduit_origin,
					 .kind = "recording", .description = description };
}

#define DUMP_COLUMNS 79
/* with the space each register starts with, six columns in */
#define CONTINUATION "     "

static void call_line(const struct smccc_call *call, struct text_sink *out)
{
	char text[64];

	sink_puts(out, format_text(text, sizeof(text), "   0x%08x 0x%lx:", call->function,
				   (unsigned long)call->arg));
	size_t column = text_length(text);
	if (call->trapped) {
		sink_printf(out, " trapped esr=0x%x\n", call->syndrome);
		return;
	}
	size_t shown = 4;
	while (shown > 1 && !call->x[shown - 1])
		shown--;
	for (size_t i = 0; i < shown; i++) {
		format_text(text, sizeof(text), " x%u=0x%lx", (unsigned)i, (unsigned long)call->x[i]);
		if (column + text_length(text) > DUMP_COLUMNS) {
			sink_puts(out, "\n" CONTINUATION);
			column = text_length(CONTINUATION);
		}
		sink_puts(out, text);
		column += text_length(text);
	}
	sink_puts(out, "\n");
}

void render_smccc_dump(const struct smccc_report *report, struct text_sink *out)
{
	sink_printf(out, "SMCCC:\n   conduit %s (", smccc_conduit_name(report->conduit));
	sink_escaped(out, report->conduit_origin, text_length(report->conduit_origin));
	sink_puts(out, ")\n");
	for (size_t i = 0; i < report->call_count; i++)
		call_line(&report->calls[i], out);
}

/* "0x" and hex digits below 2^64 (leading zeros taken). */
static bool hex64(struct cursor *c, uint64_t *value)
{
	size_t digits = 0;

	if (!cursor_take(c, "0x"))
		return false;
	*value = 0;
	for (; !cursor_at_end(c); c->at++, digits++) {
		char d = ascii_lower(*c->at);
		unsigned v;
		if (d >= '0' && d <= '9')
			v = (unsigned)(d - '0');
		else if (d >= 'a' && d <= 'f')
			v = (unsigned)(d - 'a' + 10);
		else
			break;
		if (digits == 16)
			return false;
		*value = *value << 4 | v;
	}
	return digits > 0;
}

const char *smccc_recording_conduit(struct smccc_recording *recording, const char *name,
				    size_t length)
{
	static const enum smccc_conduit conduits[] = { SMCCC_CONDUIT_HVC, SMCCC_CONDUIT_SMC,
						       SMCCC_CONDUIT_NONE };

	for (size_t i = 0; i < sizeof(conduits) / sizeof(conduits[0]); i++)
		if (ascii_equal_span(name, length, smccc_conduit_name(conduits[i]), false)) {
			recording->conduit = conduits[i];
			return NULL;
		}
	return "conduit is not hvc, smc or none";
}

const char *smccc_recording_origin(struct smccc_recording *recording, const char *origin,
				   size_t length)
{
	if (length >= SMCCC_ORIGIN_MAX)
		return "the conduit's origin is too long";
	for (size_t k = 0; k < length; k++)
		if (!ascii_printable((unsigned char)origin[k]))
			return "the conduit's origin is not printable ASCII";
	for (size_t k = 0; k < length; k++)
		recording->conduit_origin[k] = origin[k];
	recording->conduit_origin[length] = '\0';
	return NULL;
}

/* "NAME (ORIGIN)" */
static const char *conduit_line(struct smccc_recording *recording, struct cursor c)
{
	cursor_skip_blanks(&c);
	const char *name = c.at;
	while (c.at < c.end && *c.at != ' ' && *c.at != '\t' && *c.at != '(')
		c.at++;
	const char *why = smccc_recording_conduit(recording, name, (size_t)(c.at - name));
	if (why)
		return why;
	cursor_skip_blanks(&c);
	size_t length = (size_t)(c.end - c.at);
	if (length < 2 || c.at[0] != '(' || c.end[-1] != ')')
		return "the conduit's origin is not in parentheses";
	return smccc_recording_origin(recording, c.at + 1, length - 2);
}

/* Registers "xN=0x..." from the next one the call expects, in order, to
 * the end of the line; sets *next to the register after the last. */
static const char *registers(struct cursor *c, struct smccc_call *call, unsigned *next)
{
	static const char *const names[] = { "x0=", "x1=", "x2=", "x3=" };

	unsigned first = *next;

	for (unsigned i = first; i < 4; i++) {
		cursor_skip_blanks(c);
		if (cursor_at_end(c) && i > first)
			break;
		if (!cursor_take(c, names[i]) || !hex64(c, &call->x[i]))
			return "registers must be x0=0x... up to x3, in order";
		*next = i + 1;
	}
	cursor_skip_blanks(c);
	return cursor_at_end(c) ? NULL : "more after the registers";
}

const char *smccc_dump_line(struct smccc_recording *recording, const char *text,
			    size_t length)
{
	struct cursor c = { text, text + length };
	struct smccc_call call = { 0 };
	uint64_t function;

	cursor_skip_blanks(&c);
	/* The registers a call line left for the next. */
	if (c.at < c.end && *c.at == 'x') {
		if (!recording->count || recording->next_register == 0 ||
		    recording->next_register == 4)
			return "registers on a line of their own, after no call that takes them";
		return registers(&c, &recording->calls[recording->count - 1],
				 &recording->next_register);
	}
	if (cursor_take(&c, "conduit")) {
		if (recording->conduit_given)
			return "a second conduit line";
		const char *why = conduit_line(recording, c);
		recording->conduit_given = !why;
		return why;
	}
	if (!recording->conduit_given)
		return "a call before the conduit line";
	if (!hex64(&c, &function) || function > 0xffffffffu)
		return "not an SMCCC line: no 32-bit function identifier";
	call.function = (uint32_t)function;
	cursor_skip_blanks(&c);
	if (!hex64(&c, &call.arg) || !cursor_take(&c, ":"))
		return "not an SMCCC line: no argument and colon after the function";
	cursor_skip_blanks(&c);
	unsigned next = 0;
	if (cursor_take(&c, "trapped")) {
		uint64_t syndrome;
		cursor_skip_blanks(&c);
		if (!cursor_take(&c, "esr=") || !hex64(&c, &syndrome) || syndrome > 0xffffffffu)
			return "a trapped call needs esr=0x... (32 bits)";
		call.trapped = true;
		call.syndrome = (uint32_t)syndrome;
		cursor_skip_blanks(&c);
		if (!cursor_at_end(&c))
			return "more after the syndrome";
		next = 4;
	} else {
		const char *why = registers(&c, &call, &next);
		if (why)
			return why;
	}
	const char *why = smccc_recording_add(recording, &call);
	if (!why)
		recording->next_register = next;
	return why;
}

const char *smccc_recording_add(struct smccc_recording *recording,
				const struct smccc_call *call)
{
	for (size_t i = 0; i < recording->count; i++)
		if (recording->calls[i].function == call->function &&
		    recording->calls[i].arg == call->arg)
			return "function and argument given twice";
	if (recording->count == SMCCC_CALLS_MAX)
		return "more calls than hvfeat keeps (32)";
	recording->calls[recording->count++] = *call;
	return NULL;
}
