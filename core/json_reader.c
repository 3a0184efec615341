/* RFC 8259 by recursive descent, bounded in depth (JSON_MAX_DEPTH) and in
 * what it keeps (JSON_STRING_KEPT bytes of a string): the text is read
 * once, front to back, whatever it holds. */
#include "json_reader.h"

static bool fail(struct json_reader *r, const char *why)
{
	if (!r->error)
		r->error = why;
	return false;
}

static bool at_end(const struct json_reader *r)
{
	return r->at >= r->end;
}

static void skip_white_space(struct json_reader *r)
{
	while (!at_end(r)) {
		char c = *r->at;
		if (c == '\n')
			r->line++;
		else if (c != ' ' && c != '\t' && c != '\r')
			return;
		r->at++;
	}
}

/* Consumes c after white space; false when the text goes on otherwise. */
static bool take(struct json_reader *r, char c)
{
	skip_white_space(r);
	if (at_end(r) || *r->at != c)
		return false;
	r->at++;
	return true;
}

static bool emit(struct json_reader *r, enum json_event event,
		 const struct json_scalar *scalar)
{
	if (r->value && !r->value(r, event, scalar))
		return fail(r, "JSON: stopped by the reader");
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A string from its opening quote on, decoded into r->string (cut past
 * JSON_STRING_KEPT bytes): \u escapes below 0x80 as the character (NUL as
 * '?', so the kept text stays a C string), others as '?'; bytes past ASCII
 * as they are. */
static bool read_string(struct json_reader *r, struct json_scalar *out)
{
	size_t kept = 0, length = 0;

	r->at++; /* the opening quote */
	for (;;) {
		if (at_end(r))
			return fail(r, "JSON: a string without its closing quote");
		unsigned char c = (unsigned char)*r->at++;
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(r, "JSON: a control character in a string");
		if (c == '\\') {
			if (at_end(r))
				return fail(r, "JSON: a string without its closing quote");
			char e = *r->at++;
			switch (e) {
			case '"': case '\\': case '/':
				c = (unsigned char)e;
				break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u': {
				unsigned unit = 0;
				for (int i = 0; i < 4; i++) {
					int d = at_end(r) ? -1 : hex_digit(*r->at);
					if (d < 0)
						return fail(r, "JSON: a \\u escape without four hex digits");
					unit = unit << 4 | (unsigned)d;
					r->at++;
				}
				c = unit && unit < 0x80 ? (unsigned char)unit : '?';
				break;
			}
			default:
				return fail(r, "JSON: an escape that JSON does not have");
			}
		}
		if (kept < JSON_STRING_KEPT)
			r->string[kept++] = (char)c;
		length++;
	}
	r->string[kept] = '\0';
	out->string = r->string;
	out->string_length = kept;
	out->string_cut = length > kept;
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The digits of a number's integer and fraction parts, read as one. */
struct digits {
	const char *a, *a_end, *b, *b_end;
};

static size_t digit_count(const struct digits *d)
{
	return (size_t)(d->a_end - d->a) + (size_t)(d->b_end - d->b);
}

static char digit_at(const struct digits *d, size_t i)
{
	size_t in_a = (size_t)(d->a_end - d->a);
	return i < in_a ? d->a[i] : d->b[i - in_a];
}

/* The exact value of digits x 10^scale when it is a whole number below
 * 2^64. */
static bool whole_value(const struct digits *d, int64_t scale, uint64_t *value)
{
	size_t count = digit_count(d), used = count;

	if (scale < 0) {
		/* The digits past the point must all be zeros. */
		for (int64_t s = scale; s < 0; s++) {
			if (!used)
				break;
			if (digit_at(d, --used) != '0')
				return false;
		}
	}
	uint64_t v = 0;
	for (size_t i = 0; i < used; i++) {
		unsigned digit = (unsigned)(digit_at(d, i) - '0');
		if (v > (UINT64_MAX - digit) / 10)
			return false;
		v = v * 10 + digit;
	}
	for (int64_t s = scale; s > 0 && v; s--) {
		if (v > UINT64_MAX / 10)
			return false;
		v *= 10;
	}
	*value = v;
	return true;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool read_number(struct json_reader *r, struct json_scalar *out)
{
	struct digits d = { 0 };
	bool negative = false;
	int64_t exponent = 0;

	if (*r->at == '-') {
		negative = true;
		r->at++;
	}
	d.a = r->at;
	if (at_end(r) || !is_digit(*r->at))
		return fail(r, "JSON: a malformed number");
	if (*r->at == '0')
		r->at++;
	else
		while (!at_end(r) && is_digit(*r->at))
			r->at++;
	d.a_end = d.b = d.b_end = r->at;
	if (!at_end(r) && *r->at == '.') {
		r->at++;
		d.b = r->at;
		while (!at_end(r) && is_digit(*r->at))
			r->at++;
		d.b_end = r->at;
		if (d.b == d.b_end)
			return fail(r, "JSON: a malformed number");
	}
	if (!at_end(r) && (*r->at == 'e' || *r->at == 'E')) {
		bool minus = false;
		r->at++;
		if (!at_end(r) && (*r->at == '+' || *r->at == '-'))
			minus = *r->at++ == '-';
		if (at_end(r) || !is_digit(*r->at))
			return fail(r, "JSON: a malformed number");
		while (!at_end(r) && is_digit(*r->at)) {
			/* Past a million the value is 0, huge or no whole number:
			 * the exponent need not grow further to tell. */
			if (exponent < 1000000)
				exponent = exponent * 10 + (*r->at - '0');
			r->at++;
		}
		if (minus)
			exponent = -exponent;
	}
	uint64_t value = 0;
	bool whole = whole_value(&d, exponent - (int64_t)(d.b_end - d.b), &value);
	out->is_integer = whole && (!negative || value == 0);
	out->integer = out->is_integer ? value : 0;
	return true;
}

static bool read_value(struct json_reader *r);

static bool enter(struct json_reader *r)
{
	if (r->depth >= JSON_MAX_DEPTH)
		return fail(r, "JSON: nested deeper than 32 levels");
	r->depth++;
	return true;
}

static bool read_object(struct json_reader *r)
{
	r->at++; /* '{' */
	if (!emit(r, JSON_EVENT_OBJECT_BEGIN, NULL) || !enter(r))
		return false;
	struct json_step *step = &r->path[r->depth - 1];
	if (!take(r, '}')) {
		for (size_t index = 0;; index++) {
			struct json_scalar key = { 0 };
			skip_white_space(r);
			if (at_end(r) || *r->at != '"')
				return fail(r, at_end(r) ? "JSON: the text ends inside an object"
							 : "JSON: expected a key (a string)");
			if (!read_string(r, &key))
				return false;
			*step = (struct json_step){ .in_object = true, .key_length = key.string_length,
						    .key_cut = key.string_cut, .index = index };
			for (size_t i = 0; i <= key.string_length; i++)
				step->key[i] = key.string[i];
			if (!take(r, ':'))
				return fail(r, "JSON: expected ':' after a key");
			if (!read_value(r))
				return false;
			if (take(r, '}'))
				break;
			if (!take(r, ','))
				return fail(r, at_end(r) ? "JSON: the text ends inside an object"
							 : "JSON: expected ',' or '}'");
		}
	}
	r->depth--;
	return emit(r, JSON_EVENT_OBJECT_END, NULL);
}

static bool read_array(struct json_reader *r)
{
	r->at++; /* '[' */
	if (!emit(r, JSON_EVENT_ARRAY_BEGIN, NULL) || !enter(r))
		return false;
	struct json_step *step = &r->path[r->depth - 1];
	if (!take(r, ']')) {
		for (size_t index = 0;; index++) {
			*step = (struct json_step){ .in_object = false, .index = index };
			if (!read_value(r))
				return false;
			if (take(r, ']'))
				break;
			if (!take(r, ','))
				return fail(r, at_end(r) ? "JSON: the text ends inside an array"
							 : "JSON: expected ',' or ']'");
		}
	}
	r->depth--;
	return emit(r, JSON_EVENT_ARRAY_END, NULL);
}

static bool take_word(struct json_reader *r, const char *word)
{
	const char *at = r->at;

	for (; *word; word++, at++)
		if (at >= r->end || *at != *word)
			return false;
	r->at = at;
	return true;
}

static bool read_value(struct json_reader *r)
{
	struct json_scalar scalar = { 0 };

	skip_white_space(r);
	if (at_end(r))
		return fail(r, "JSON: the text ends where a value should be");
	switch (*r->at) {
	case '{':
		return read_object(r);
	case '[':
		return read_array(r);
	case '"':
		return read_string(r, &scalar) && emit(r, JSON_EVENT_STRING, &scalar);
	case 't':
		if (take_word(r, "true"))
			return emit(r, JSON_EVENT_TRUE, NULL);
		break;
	case 'f':
		if (take_word(r, "false"))
			return emit(r, JSON_EVENT_FALSE, NULL);
		break;
	case 'n':
		if (take_word(r, "null"))
			return emit(r, JSON_EVENT_NULL, NULL);
		break;
	default:
		if (*r->at == '-' || is_digit(*r->at))
			return read_number(r, &scalar) && emit(r, JSON_EVENT_NUMBER, &scalar);
	}
	return fail(r, "JSON: not a JSON value");
}

bool json_read(struct json_reader *r, const char *text, size_t length)
{
	r->at = text;
	r->end = text + length;
	r->depth = 0;
	r->error = NULL;
	r->line = 1;
	if (!read_value(r))
		return false;
	skip_white_space(r);
	if (!at_end(r))
		return fail(r, "JSON: more text after the JSON value");
	return true;
}
