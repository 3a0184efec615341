/* Where report text goes: a console, a file, a test buffer. The core writes
 * plain ASCII through this interface and never knows which one it is. */
#ifndef HVFEAT_TEXT_SINK_H
#define HVFEAT_TEXT_SINK_H

#include <stdarg.h>
#include <stddef.h>

struct text_sink {
	void (*write)(struct text_sink *self, const char *text, size_t length);
	void *context;
};

/* A sink into caller memory that, like snprintf, keeps counting once full:
 * render once with capacity 0 to learn the size, then again for real. */
struct buffer_sink {
	struct text_sink sink;
	char *buffer;
	size_t capacity;
	size_t length; /* bytes the text needs, even past capacity */
};

void buffer_sink_init(struct buffer_sink *b, char *buffer, size_t capacity);

/* A buffer sink that builds a string in size bytes (size >= 1), cut when the
 * text is longer; string_sink_finish NUL-terminates it and returns it. */
void string_sink_init(struct buffer_sink *b, char *buffer, size_t size);
const char *string_sink_finish(struct buffer_sink *b);
/* snprintf and vsnprintf by sink_vprintf's rules: the text in size bytes
 * (size >= 1), cut when longer, NUL-terminated; returns buffer. */
const char *format_text(char *buffer, size_t size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
const char *vformat_text(char *buffer, size_t size, const char *format, va_list args);

/* A small printf: %s %c %d %u %x %% with optional '-', '+' (%d: a sign
 * on every value, as C's), '0' and width, and the 'l' modifier for 64-bit
 * %d/%u/%x. No floating point. */
void sink_vprintf(struct text_sink *sink, const char *format, va_list args);
void sink_printf(struct text_sink *sink, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
void sink_puts(struct text_sink *sink, const char *text);

size_t text_length(const char *text);

/* Text of any origin (a path, a requirement, an argument) as the console
 * can show it: each byte outside printable ASCII as \xNN. */
void sink_escaped(struct text_sink *sink, const char *text, size_t length);

/* The columns one byte takes as sink_escaped writes it: 1 or 4. */
size_t escaped_width(unsigned char c);

/* Bytes of an echo before it is cut. */
#define ECHO_MAX_BYTES 64u

/* Text a message echoes back: between single quotes, escaped as by
 * sink_escaped, and past ECHO_MAX_BYTES cut, with "... (N bytes)" after
 * the closing quote; so no echo is longer than a console line, or can
 * carry an escape sequence or a NUL that ends the firmware's string. */
void sink_echo(struct text_sink *sink, const char *text, size_t length);

#endif
