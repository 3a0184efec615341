#include "ascii.h"

char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

bool ascii_printable(unsigned c)
{
	return c >= 0x20 && c <= 0x7e;
}

static bool same_char(char a, char b, bool ignore_case)
{
	return ignore_case ? ascii_lower(a) == ascii_lower(b) : a == b;
}

const char *ascii_after_prefix(const char *text, const char *prefix, bool ignore_case)
{
	for (; *prefix; text++, prefix++)
		if (!*text || !same_char(*text, *prefix, ignore_case))
			return NULL;
	return text;
}

bool ascii_equal(const char *a, const char *b, bool ignore_case)
{
	const char *rest = ascii_after_prefix(a, b, ignore_case);
	return rest && *rest == '\0';
}

bool ascii_equal_span(const char *text, size_t length, const char *word,
		      bool ignore_case)
{
	size_t i = 0;
	while (i < length && word[i] && same_char(text[i], word[i], ignore_case))
		i++;
	return i == length && word[i] == '\0';
}

size_t text_from_file(char *text, size_t length)
{
	const unsigned char *bytes = (const unsigned char *)text;
	size_t out = 0;

	if (length >= 2 && bytes[0] == 0xff && bytes[1] == 0xfe) {
		for (size_t i = 2; i + 1 < length; i += 2) {
			unsigned unit = bytes[i] | (unsigned)bytes[i + 1] << 8;
			text[out++] = unit <= 0x7e ? (char)unit : 0x7f;
		}
	} else if (length >= 3 && bytes[0] == 0xef && bytes[1] == 0xbb && bytes[2] == 0xbf) {
		for (size_t i = 3; i < length; i++)
			text[out++] = text[i];
	} else {
		out = length;
	}
	text[out] = '\0';
	return out;
}

bool cursor_at_end(const struct cursor *c)
{
	return c->at >= c->end;
}

void cursor_skip_blanks(struct cursor *c)
{
	while (!cursor_at_end(c) && (*c->at == ' ' || *c->at == '\t' || *c->at == '\r'))
		c->at++;
}

bool cursor_take(struct cursor *c, const char *token)
{
	const char *p = c->at;
	for (; *token; token++, p++)
		if (p >= c->end || *p != *token)
			return false;
	c->at = p;
	return true;
}

static int digit_value(char c, unsigned base)
{
	int d = -1;
	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (ascii_lower(c) >= 'a' && ascii_lower(c) <= 'f')
		d = ascii_lower(c) - 'a' + 10;
	return d >= 0 && (unsigned)d < base ? d : -1;
}

bool cursor_number_up_to(struct cursor *c, uint64_t largest, uint64_t *value, bool *hex)
{
	uint64_t v = 0;
	unsigned digits = 0;
	int d;

	*hex = cursor_take(c, "0x") || cursor_take(c, "0X");
	unsigned base = *hex ? 16 : 10;
	for (; !cursor_at_end(c) && (d = digit_value(*c->at, base)) >= 0; c->at++, digits++) {
		if (v > (largest - (unsigned)d) / base)
			return false;
		v = v * base + (unsigned)d;
	}
	*value = v;
	return digits > 0;
}

bool cursor_number(struct cursor *c, uint32_t *value, bool *hex)
{
	uint64_t v;
	bool found = cursor_number_up_to(c, 0xffffffffu, &v, hex);

	*value = (uint32_t)v;
	return found;
}
