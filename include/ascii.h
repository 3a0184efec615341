/* The few ASCII text helpers the parsers and key lookups share: comparing
 * (with or without case), and reading tokens and numbers from a bounded
 * range of text that need not be NUL-terminated. */
#ifndef HVFEAT_ASCII_H
#define HVFEAT_ASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

char ascii_lower(char c);

/* A character the console shows as itself: 0x20-0x7e. */
bool ascii_printable(unsigned c);

/* The rest of text after prefix, or NULL when text does not start with it. */
const char *ascii_after_prefix(const char *text, const char *prefix, bool ignore_case);

bool ascii_equal(const char *a, const char *b, bool ignore_case);

/* The first length bytes of text are the whole of word. */
bool ascii_equal_span(const char *text, size_t length, const char *word,
		      bool ignore_case);

/* A file's text as the parsers take it: a UCS-2 file with its byte-order
 * mark (what the UEFI shell's '>' writes) becomes ASCII in place, a code
 * unit past ASCII becoming DEL so the parser names the line; a UTF-8 mark
 * is dropped. Returns the new length; text[new length] is NUL. */
size_t text_from_file(char *text, size_t length);

struct cursor {
	const char *at, *end;
};

bool cursor_at_end(const struct cursor *c);

/* Skips spaces, tabs and carriage returns. */
void cursor_skip_blanks(struct cursor *c);

/* Consumes token when the text continues with it. */
bool cursor_take(struct cursor *c, const char *token);

/* A decimal number, or "0x"/"0X" and hex digits (hex says which), of 32
 * bits at most; false when there is none or it is larger. */
bool cursor_number(struct cursor *c, uint32_t *value, bool *hex);

/* The same, for a number of at most largest. */
bool cursor_number_up_to(struct cursor *c, uint64_t largest, uint64_t *value, bool *hex);

#endif
