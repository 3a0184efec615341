/* A small, bounded JSON reader (RFC 8259): recursive descent over text in
 * memory, no allocation, nesting at most JSON_MAX_DEPTH deep, every value
 * handed to a callback with the path that leads to it. hvfeat reads its
 * own reports back with it (baselines, replays), whatever jq or another
 * tool did to their layout; anything that is not one whole JSON value is
 * refused with the line where it stopped being one. */
#ifndef HVFEAT_JSON_READER_H
#define HVFEAT_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* hvfeat's own reports nest 6 deep; a deeper document is refused before
 * it can run the stack down. */
#define JSON_MAX_DEPTH 32u
/* Keys and strings are kept decoded up to this many bytes (longer ones are
 * marked cut: no key hvfeat looks for is that long). */
#define JSON_STRING_KEPT 64u

enum json_event {
	JSON_EVENT_OBJECT_BEGIN,
	JSON_EVENT_OBJECT_END,
	JSON_EVENT_ARRAY_BEGIN,
	JSON_EVENT_ARRAY_END,
	JSON_EVENT_STRING,
	JSON_EVENT_NUMBER,
	JSON_EVENT_TRUE,
	JSON_EVENT_FALSE,
	JSON_EVENT_NULL,
};

/* Where a value sits: under a key of an object, or at an index of an array. */
struct json_step {
	bool in_object;
	char key[JSON_STRING_KEPT + 1]; /* decoded, NUL-terminated; \u0000 as '?' */
	size_t key_length;
	bool key_cut;
	size_t index;
};

/* A scalar value, for JSON_EVENT_STRING and JSON_EVENT_NUMBER. */
struct json_scalar {
	const char *string; /* decoded, NUL-terminated, JSON_STRING_KEPT bytes kept */
	size_t string_length;
	bool string_cut;
	bool is_integer;    /* a number whose value is a whole number in 0..2^64-1 */
	uint64_t integer;   /* whatever its spelling: 16, 1.6e1 and 160e-1 alike */
};

struct json_reader {
	/* Called for each value (the begin and the end of an array or object
	 * too), with path[0..depth-1] leading to it: path[depth - 1] is the
	 * value's own key or index; depth is 0 for the document itself.
	 * Returning false stops the reading: json_read then fails with the
	 * error the callback set (or "stopped by the reader"). */
	bool (*value)(struct json_reader *reader, enum json_event event,
		      const struct json_scalar *scalar);
	void *context;

	struct json_step path[JSON_MAX_DEPTH];
	size_t depth;

	/* After json_read: NULL, or what was wrong and on which line (1 for
	 * the first) of the text. */
	const char *error;
	uint32_t line;

	/* private */
	const char *at, *end;
	char string[JSON_STRING_KEPT + 1];
};

/* Reads text as exactly one JSON value, with white space around it and
 * nothing else. Never reads past length, whatever the bytes are. */
bool json_read(struct json_reader *reader, const char *text, size_t length);

#endif
