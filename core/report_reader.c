/* The "leaves" of an hvfeat JSON report, through the JSON reader: each
 * entry an object with "leaf", "subleaf", "eax", "ebx", "ecx" and "edx",
 * 32-bit whole numbers, in any order and any layout; other members are
 * passed over, so a report of a later version still reads. */
#include "report_reader.h"

#include "ascii.h"
#include "json_reader.h"

enum { LEAF_KEY_COUNT = 6 };
static const char *const leaf_keys[LEAF_KEY_COUNT] = {
	"leaf", "subleaf", "eax", "ebx", "ecx", "edx",
};

struct report_state {
	struct cpuid_dump *dump;
	bool tool_seen, leaves_seen;
	/* the leaf entry being read */
	uint32_t values[LEAF_KEY_COUNT];
	unsigned have; /* a bit per key found */
	bool entry_bad;
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
		} else if (event != JSON_EVENT_NUMBER || !scalar->is_integer ||
			   scalar->integer > 0xffffffffu) {
			problem(reader, not_32_bits[k]);
			s->entry_bad = true;
		}
		s->have |= 1u << k;
		if (!s->entry_bad)
			s->values[k] = (uint32_t)scalar->integer;
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
		if (event == JSON_EVENT_OBJECT_BEGIN) {
			s->have = 0;
			s->entry_bad = false;
		} else if (event == JSON_EVENT_OBJECT_END) {
			leaf_entry_end(reader);
		} else if (event != JSON_EVENT_ARRAY_END) {
			problem(reader, "a leaf entry is not an object");
		}
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
	else if (!dump->record_count && !dump->problem_count)
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
