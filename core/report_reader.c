/* The "leaves" of an hvfeat JSON report, through the JSON reader: each
 * entry an object with "leaf", "subleaf", "eax", "ebx", "ecx" and "edx",
 * 32-bit whole numbers, in any order and any layout. Then its "smccc"
 * (render_json.c's json_smccc), when it is not null: "conduit" and
 * "conduit_origin", and "calls", each an object with "function" and
 * "syndrome" (32-bit whole numbers), "arg" and "x" (x0..x3: 64-bit values
 * as the hex strings hvfeat writes) and "trapped", read into the dump's
 * SMCCC recording with the checks an "SMCCC:" section's lines get; and its
 * "arm_id", when not null: "registers", each register by name, a 64-bit
 * hex string, read into the dump's Arm ID recording as an "Arm ID
 * registers:" section's lines are. Other members are passed over, so a
 * report of a later version still reads. */
#include "report_reader.h"

#include "ascii.h"
#include "json_reader.h"

enum { LEAF_KEY_COUNT = 6 };
static const char *const leaf_keys[LEAF_KEY_COUNT] = {
	"leaf", "subleaf", "eax", "ebx", "ecx", "edx",
};

enum call_key { CALL_FUNCTION, CALL_ARG, CALL_X, CALL_TRAPPED, CALL_SYNDROME, CALL_KEY_COUNT };
static const char *const call_keys[CALL_KEY_COUNT] = {
	"function", "arg", "x", "trapped", "syndrome",
};

struct report_state {
	struct cpuid_dump *dump;
	bool tool_seen, leaves_seen;
	/* the entry (a leaf or an SMCCC call) being read */
	uint32_t values[LEAF_KEY_COUNT];
	unsigned have; /* a bit per key found */
	bool entry_bad;
	/* "smccc" given, as an object, and the members it must have */
	bool smccc_given, smccc_seen, conduit_seen, origin_seen, calls_seen;
	/* the call being read, and how many of x0..x3 it gave */
	struct smccc_call call;
	size_t registers;
	/* "arm_id" given, as an object, and its "registers" given, as one */
	bool arm_id_given, arm_id_seen, id_registers_given, id_registers_seen;
};

static bool key_is(const struct json_step *step, const char *key)
{
	return step->in_object && !step->key_cut && ascii_equal(step->key, key, false);
}

/* The report's problems past the first: a document that is not an object,
 * or a leaf entry that is not one, says so and reading goes on. */
static void problem(struct json_reader *reader, const char *reason)
{
	struct report_state *s = reader->context;

	cpuid_dump_add_problem(s->dump, reader->line, reason);
}

static bool whole_32_bits(enum json_event event, const struct json_scalar *scalar,
			  uint32_t *value)
{
	if (event != JSON_EVENT_NUMBER || !scalar->is_integer || scalar->integer > 0xffffffffu)
		return false;
	*value = (uint32_t)scalar->integer;
	return true;
}

static void leaf_entry_value(struct json_reader *reader, enum json_event event,
			     const struct json_scalar *scalar)
{
	static const char *const not_32_bits[LEAF_KEY_COUNT] = {
		"a leaf entry's \"leaf\" is not a whole number of 32 bits",
		"a leaf entry's \"subleaf\" is not a whole number of 32 bits",
		"a leaf entry's \"eax\" is not a whole number of 32 bits",
		"a leaf entry's \"ebx\" is not a whole number of 32 bits",
		"a leaf entry's \"ecx\" is not a whole number of 32 bits",
		"a leaf entry's \"edx\" is not a whole number of 32 bits",
	};
	struct report_state *s = reader->context;
	const struct json_step *step = &reader->path[2];

	for (unsigned k = 0; k < LEAF_KEY_COUNT; k++) {
		if (!key_is(step, leaf_keys[k]))
			continue;
		if (event == JSON_EVENT_ARRAY_END || event == JSON_EVENT_OBJECT_END)
			return; /* refused at its beginning */
		if (s->have >> k & 1) {
			problem(reader, "a leaf entry names a register twice");
			s->entry_bad = true;
		} else if (!whole_32_bits(event, scalar, &s->values[k])) {
			problem(reader, not_32_bits[k]);
			s->entry_bad = true;
		}
		s->have |= 1u << k;
		return;
	}
}

static void leaf_entry_end(struct json_reader *reader)
{
	struct report_state *s = reader->context;

	if (s->entry_bad)
		return;
	for (unsigned k = 0; k < LEAF_KEY_COUNT; k++)
		if (!(s->have >> k & 1)) {
			problem(reader, k < 2 ? "a leaf entry without its \"leaf\" or \"subleaf\""
					      : "a leaf entry without all of \"eax\" to \"edx\"");
			return;
		}
	struct cpuid_record record = {
		s->values[0], s->values[1],
		{ s->values[2], s->values[3], s->values[4], s->values[5] },
	};
	cpuid_dump_add_record(s->dump, reader->line, &record);
}

/* An entry of an array of objects (a leaf, a call): its beginning, its
 * end, taken by end, or a value that is not an object. */
static void entry(struct json_reader *reader, enum json_event event,
		  void (*end)(struct json_reader *reader), const char *not_an_object)
{
	struct report_state *s = reader->context;

	if (event == JSON_EVENT_OBJECT_BEGIN) {
		s->have = 0;
		s->entry_bad = false;
		s->call = (struct smccc_call){ 0 };
	} else if (event == JSON_EVENT_OBJECT_END) {
		end(reader);
	} else if (event != JSON_EVENT_ARRAY_END) {
		problem(reader, not_an_object);
	}
}

/* --- "smccc" ---------------------------------------------------------------- */

/* "0x" and the hex digits of a value below 2^64: the whole string. */
static bool hex_string(enum json_event event, const struct json_scalar *scalar,
		       uint64_t *value)
{
	struct cursor c;
	bool hex;

	if (event != JSON_EVENT_STRING || scalar->string_cut)
		return false;
	c = (struct cursor){ scalar->string, scalar->string + scalar->string_length };
	return cursor_number_up_to(&c, UINT64_MAX, value, &hex) && hex && cursor_at_end(&c);
}

static void bad_call(struct json_reader *reader, const char *reason)
{
	struct report_state *s = reader->context;

	problem(reader, reason);
	s->entry_bad = true;
}

static const char *const call_malformed[CALL_KEY_COUNT] = {
	"an SMCCC call's \"function\" is not a whole number of 32 bits",
	"an SMCCC call's \"arg\" is not a hex string of 64 bits",
	"an SMCCC call's \"x\" is not an array of four hex strings of 64 bits",
	"an SMCCC call's \"trapped\" is not true or false",
	"an SMCCC call's \"syndrome\" is not a whole number of 32 bits",
};

/* A member of a call (path[3]). */
static void call_member(struct json_reader *reader, enum json_event event,
			const struct json_scalar *scalar)
{
	struct report_state *s = reader->context;
	const struct json_step *step = &reader->path[3];

	for (enum call_key k = 0; k < CALL_KEY_COUNT; k++) {
		if (!key_is(step, call_keys[k]))
			continue;
		if (event == JSON_EVENT_ARRAY_END || event == JSON_EVENT_OBJECT_END) {
			/* x's end: all four registers were given */
			if (k == CALL_X && event == JSON_EVENT_ARRAY_END && !s->entry_bad &&
			    s->registers != 4)
				bad_call(reader, call_malformed[k]);
			return; /* anything else refused at its beginning */
		}
		if (s->have >> k & 1) {
			bad_call(reader, "an SMCCC call names a member twice");
			return;
		}
		s->have |= 1u << k;
		bool taken = false;
		switch (k) {
		case CALL_FUNCTION:
			taken = whole_32_bits(event, scalar, &s->call.function);
			break;
		case CALL_ARG:
			taken = hex_string(event, scalar, &s->call.arg);
			break;
		case CALL_X:
			taken = event == JSON_EVENT_ARRAY_BEGIN;
			s->registers = 0;
			break;
		case CALL_TRAPPED:
			taken = event == JSON_EVENT_TRUE || event == JSON_EVENT_FALSE;
			s->call.trapped = event == JSON_EVENT_TRUE;
			break;
		case CALL_SYNDROME:
		default:
			taken = whole_32_bits(event, scalar, &s->call.syndrome);
			break;
		}
		if (!taken)
			bad_call(reader, call_malformed[k]);
		return;
	}
}

/* An element of a call's "x" (path[4]). */
static void call_register(struct json_reader *reader, enum json_event event,
			  const struct json_scalar *scalar)
{
	struct report_state *s = reader->context;
	uint64_t value;

	if (s->entry_bad || event == JSON_EVENT_ARRAY_END || event == JSON_EVENT_OBJECT_END)
		return;
	if (s->registers == 4 || !hex_string(event, scalar, &value))
		bad_call(reader, call_malformed[CALL_X]);
	else
		s->call.x[s->registers++] = value;
}

static void call_end(struct json_reader *reader)
{
	struct report_state *s = reader->context;

	if (s->entry_bad)
		return;
	if (s->have != (1u << CALL_KEY_COUNT) - 1) {
		problem(reader, "an SMCCC call without all of \"function\", \"arg\", \"x\", "
				"\"trapped\" and \"syndrome\"");
		return;
	}
	const char *why = smccc_recording_add(&s->dump->smccc, &s->call);
	if (why)
		problem(reader, why);
}

/* A member of "smccc" (path[1]) that is a string, taken by take. */
static void smccc_text(struct json_reader *reader, enum json_event event,
		       const struct json_scalar *scalar, bool *seen, const char *not_text,
		       const char *(*take)(struct smccc_recording *, const char *, size_t))
{
	struct report_state *s = reader->context;
	const char *why;

	if (event == JSON_EVENT_ARRAY_END || event == JSON_EVENT_OBJECT_END)
		return;
	if (*seen)
		why = "\"smccc\" names a member twice";
	else if (event != JSON_EVENT_STRING)
		why = not_text;
	else
		why = take(&s->dump->smccc, scalar->string, scalar->string_length);
	*seen = true;
	if (why)
		problem(reader, why);
}

/* The value of a member of the report that is an object or null (an Arm
 * section: "smccc", "arm_id"; null where the run had none, as on x86):
 * true when the event begins its object; given twice or anything else, a
 * problem. */
static bool object_or_null(struct json_reader *reader, enum json_event event, bool *given,
			   const char *twice, const char *not_object)
{
	bool begins = false;

	if (event == JSON_EVENT_ARRAY_END || event == JSON_EVENT_OBJECT_END)
		return false;
	if (*given)
		problem(reader, twice);
	else if (event == JSON_EVENT_OBJECT_BEGIN)
		begins = true;
	else if (event != JSON_EVENT_NULL)
		problem(reader, not_object);
	*given = true;
	return begins;
}

static bool smccc_value(struct json_reader *reader, enum json_event event,
			const struct json_scalar *scalar)
{
	struct report_state *s = reader->context;
	const struct json_step *path = reader->path;
	size_t depth = reader->depth;

	if (depth == 1) {
		if (object_or_null(reader, event, &s->smccc_given, "\"smccc\" given twice",
				   "\"smccc\" is not an object or null")) {
			s->smccc_seen = s->dump->smccc.present = true;
		} else if (event == JSON_EVENT_OBJECT_END && s->smccc_seen) {
			if (!s->conduit_seen || !s->origin_seen || !s->calls_seen)
				problem(reader, "an \"smccc\" object without \"conduit\", "
						"\"conduit_origin\" and \"calls\"");
			s->dump->smccc.conduit_given = s->conduit_seen && s->origin_seen;
		}
		return true;
	}
	if (!path[0].in_object || !path[1].in_object || !s->smccc_seen)
		return true; /* "smccc" was not an object, said already */
	if (depth == 2) {
		if (key_is(&path[1], "conduit"))
			smccc_text(reader, event, scalar, &s->conduit_seen,
				   "conduit is not hvc, smc or none", smccc_recording_conduit);
		else if (key_is(&path[1], "conduit_origin"))
			smccc_text(reader, event, scalar, &s->origin_seen,
				   "the conduit's origin is not a string", smccc_recording_origin);
		else if (key_is(&path[1], "calls") && event != JSON_EVENT_ARRAY_END &&
			 event != JSON_EVENT_OBJECT_END) {
			if (s->calls_seen)
				problem(reader, "\"smccc\" names a member twice");
			else if (event != JSON_EVENT_ARRAY_BEGIN)
				problem(reader, "\"calls\" is not an array");
			s->calls_seen = true;
		}
		return true;
	}
	if (!key_is(&path[1], "calls") || path[2].in_object)
		return true; /* another member, or "calls" was not an array */
	if (depth == 3) {
		entry(reader, event, call_end, "an SMCCC call is not an object");
		return true;
	}
	if (!path[3].in_object)
		return true; /* the call was not an object */
	if (depth == 4)
		call_member(reader, event, scalar);
	else if (depth == 5 && key_is(&path[3], "x") && !path[4].in_object)
		call_register(reader, event, scalar);
	return true;
}

/* --- "arm_id" ---------------------------------------------------------------- */

/* A register of "arm_id"'s "registers" (path[2]), by its name. */
static void id_register(struct json_reader *reader, enum json_event event,
			const struct json_scalar *scalar)
{
	struct report_state *s = reader->context;
	const struct json_step *step = &reader->path[2];
	enum arm_id_register r = ARM_ID_REGISTER_COUNT;
	uint64_t value;
	const char *why;

	if (event == JSON_EVENT_ARRAY_END || event == JSON_EVENT_OBJECT_END)
		return; /* refused at its beginning */
	if (!step->key_cut)
		r = arm_id_register_named(step->key, step->key_length);
	if (r == ARM_ID_REGISTER_COUNT)
		why = "\"arm_id\" names a register hvfeat does not read";
	else if (!hex_string(event, scalar, &value))
		why = "an Arm ID register's value is not a hex string of 64 bits";
	else
		why = arm_id_recording_add(&s->dump->arm_id, r, value);
	if (why)
		problem(reader, why);
}

/* "arm_id" (render_json.c's json_arm_id): null, or an object whose
 * "registers" hold every register hvfeat reads, "0x..." strings; its
 * decoded "fields" are passed over, as the other decoded sections are. */
static bool arm_id_value(struct json_reader *reader, enum json_event event,
			 const struct json_scalar *scalar)
{
	struct report_state *s = reader->context;
	const struct json_step *path = reader->path;
	bool end = event == JSON_EVENT_ARRAY_END || event == JSON_EVENT_OBJECT_END;

	if (reader->depth == 1) {
		if (object_or_null(reader, event, &s->arm_id_given, "\"arm_id\" given twice",
				   "\"arm_id\" is not an object or null"))
			s->arm_id_seen = s->dump->arm_id.present = true;
		else if (event == JSON_EVENT_OBJECT_END && s->arm_id_seen && !s->id_registers_given)
			problem(reader, "an \"arm_id\" object without \"registers\"");
		return true;
	}
	if (!path[1].in_object || !s->arm_id_seen || !key_is(&path[1], "registers"))
		return true; /* "arm_id" was not an object (said already), or another member */
	if (reader->depth == 2) {
		if (event == JSON_EVENT_OBJECT_END && s->id_registers_seen &&
		    arm_id_recording_problem(&s->dump->arm_id))
			problem(reader, arm_id_recording_problem(&s->dump->arm_id));
		else if (!end && s->id_registers_given)
			problem(reader, "\"arm_id\" names a member twice");
		else if (event == JSON_EVENT_OBJECT_BEGIN)
			s->id_registers_seen = true;
		else if (!end)
			problem(reader, "\"arm_id\"'s \"registers\" is not an object");
		s->id_registers_given = true;
	} else if (reader->depth == 3 && path[2].in_object && s->id_registers_seen) {
		id_register(reader, event, scalar);
	}
	return true;
}

static bool report_value(struct json_reader *reader, enum json_event event,
			 const struct json_scalar *scalar)
{
	struct report_state *s = reader->context;
	const struct json_step *path = reader->path;
	size_t depth = reader->depth;

	if (depth == 0) {
		if (event != JSON_EVENT_OBJECT_BEGIN && event != JSON_EVENT_OBJECT_END) {
			reader->error = "not an hvfeat JSON report: not a JSON object";
			return false;
		}
		return true;
	}
	if (depth == 1 && key_is(&path[0], "tool")) {
		s->tool_seen = s->tool_seen || (event == JSON_EVENT_STRING && !scalar->string_cut &&
						ascii_equal(scalar->string, "hvfeat", false));
		return true;
	}
	if (key_is(&path[0], "smccc"))
		return smccc_value(reader, event, scalar);
	if (key_is(&path[0], "arm_id"))
		return arm_id_value(reader, event, scalar);
	if (!key_is(&path[0], "leaves"))
		return true;
	if (depth == 1) {
		if (event == JSON_EVENT_ARRAY_BEGIN && s->leaves_seen)
			problem(reader, "\"leaves\" given twice");
		else if (event != JSON_EVENT_ARRAY_BEGIN && event != JSON_EVENT_ARRAY_END &&
			 event != JSON_EVENT_OBJECT_END)
			problem(reader, "\"leaves\" is not an array");
		s->leaves_seen = true;
		return true;
	}
	if (path[0].in_object && depth >= 2 && path[1].in_object)
		return true; /* "leaves" was an object, said already */
	if (depth == 2) {
		entry(reader, event, leaf_entry_end, "a leaf entry is not an object");
		return true;
	}
	if (depth == 3 && path[2].in_object)
		leaf_entry_value(reader, event, scalar);
	return true;
}

bool report_json_parse(struct cpuid_dump *dump, const char *text, size_t length)
{
	struct report_state state = { .dump = dump };
	struct json_reader reader = { .value = report_value, .context = &state };

	cpuid_dump_reset(dump);
	if (length > REPORT_MAX_BYTES) {
		cpuid_dump_add_problem(dump, 0, "larger than 2 MiB, too large for a report");
		return false;
	}
	if (!json_read(&reader, text, length)) {
		cpuid_dump_add_problem(dump, reader.line, reader.error);
		return false;
	}
	if (!state.tool_seen)
		cpuid_dump_add_problem(dump, 0, "not an hvfeat JSON report: no \"tool\": \"hvfeat\"");
	else if (!state.leaves_seen)
		cpuid_dump_add_problem(dump, 0, "an hvfeat JSON report without \"leaves\"");
	else if (!dump->record_count && !dump->smccc.present && !dump->arm_id.present &&
		 !dump->problem_count)
		cpuid_dump_add_problem(dump, 0, "no CPUID leaves in it");
	return dump->problem_count == 0;
}

bool cpuid_input_is_json(const char *text, size_t length)
{
	size_t i = 0;

	while (i < length && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' ||
			      text[i] == '\n'))
		i++;
	return i < length && text[i] == '{';
}

bool cpuid_input_parse(struct cpuid_dump *dump, const char *text, size_t length)
{
	if (cpuid_input_is_json(text, length))
		return report_json_parse(dump, text, length);
	return cpuid_dump_parse(dump, text, length);
}
