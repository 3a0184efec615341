#include "text_sink.h"

#include <stdint.h>

#include "ascii.h"

size_t text_length(const char *text)
{
	size_t n = 0;
	while (text[n])
		n++;
	return n;
}

static void buffer_write(struct text_sink *self, const char *text,
			 size_t length)
{
	struct buffer_sink *b = self->context;
	size_t room = b->length < b->capacity ? b->capacity - b->length : 0;

	for (size_t i = 0; i < length && i < room; i++)
		b->buffer[b->length + i] = text[i];
	b->length += length;
}

void buffer_sink_init(struct buffer_sink *b, char *buffer, size_t capacity)
{
	b->sink.write = buffer_write;
	b->sink.context = b;
	b->buffer = buffer;
	b->capacity = capacity;
	b->length = 0;
}

void string_sink_init(struct buffer_sink *b, char *buffer, size_t size)
{
	buffer_sink_init(b, buffer, size - 1);
}

const char *string_sink_finish(struct buffer_sink *b)
{
	b->buffer[b->length < b->capacity ? b->length : b->capacity] = '\0';
	return b->buffer;
}

const char *vformat_text(char *buffer, size_t size, const char *format, va_list args)
{
	struct buffer_sink text;

	string_sink_init(&text, buffer, size);
	sink_vprintf(&text.sink, format, args);
	return string_sink_finish(&text);
}

const char *format_text(char *buffer, size_t size, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	vformat_text(buffer, size, format, args);
	va_end(args);
	return buffer;
}

void sink_puts(struct text_sink *sink, const char *text)
{
	sink->write(sink, text, text_length(text));
}

static void write_padding(struct text_sink *sink, char pad, size_t count)
{
	static const char spaces[] = "                                ";
	static const char zeros[] = "00000000000000000000000000000000";
	const char *run = pad == '0' ? zeros : spaces;

	for (size_t n; count; count -= n) {
		n = count < sizeof(spaces) - 1 ? count : sizeof(spaces) - 1;
		sink->write(sink, run, n);
	}
}

static void write_field(struct text_sink *sink, const char *text,
			size_t length, size_t width, int left, char pad)
{
	size_t fill = width > length ? width - length : 0;

	if (!left)
		write_padding(sink, pad, fill);
	sink->write(sink, text, length);
	if (left)
		write_padding(sink, ' ', fill);
}

/* Digits of value in base 10 or 16, written backwards into the end of digits. */
static size_t format_number(uint64_t value, unsigned base, char digits[24])
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	do {
		digits[23 - n++] = hex[value % base];
		value /= base;
	} while (value);
	return n;
}

void sink_vprintf(struct text_sink *sink, const char *format, va_list args)
{
	const char *p = format;

	while (*p) {
		const char *literal = p;
		while (*p && *p != '%')
			p++;
		if (p > literal)
			sink->write(sink, literal, (size_t)(p - literal));
		if (!*p)
			break;
		p++; /* '%' */

		int left = 0, is_long = 0, plus = 0;
		char pad = ' ';
		size_t width = 0;
		if (*p == '-') {
			left = 1;
			p++;
		}
		if (*p == '+') {
			plus = 1;
			p++;
		}
		if (*p == '0') {
			pad = '0';
			p++;
		}
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (size_t)(*p++ - '0');
		if (*p == 'l') {
			is_long = 1;
			p++;
		}

		char c;
		const char *s;
		switch (*p) {
		case 's':
			s = va_arg(args, const char *);
			write_field(sink, s, text_length(s), width, left, ' ');
			break;
		case 'c':
			c = (char)va_arg(args, int);
			write_field(sink, &c, 1, width, left, ' ');
			break;
		case 'u':
		case 'x': {
			char digits[24];
			uint64_t v = is_long ? va_arg(args, uint64_t)
					     : va_arg(args, unsigned);
			size_t n = format_number(v, *p == 'u' ? 10 : 16, digits);
			write_field(sink, digits + 24 - n, n, width, left, pad);
			break;
		}
		case 'd': {
			char digits[24];
			int64_t v = is_long ? va_arg(args, int64_t) : va_arg(args, int);
			size_t n = format_number(v < 0 ? -(uint64_t)v : (uint64_t)v, 10, digits);
			if (v < 0 || plus)
				digits[23 - n++] = v < 0 ? '-' : '+';
			write_field(sink, digits + 24 - n, n, width, left, ' ');
			break;
		}
		case '%':
			sink->write(sink, "%", 1);
			break;
		default: /* unknown conversion: show it rather than guess */
			sink->write(sink, p - 1, *p ? 2 : 1);
			break;
		}
		if (*p)
			p++;
	}
}

void sink_printf(struct text_sink *sink, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	sink_vprintf(sink, format, args);
	va_end(args);
}

size_t escaped_width(unsigned char c)
{
	return ascii_printable(c) ? 1 : 4;
}

void sink_escaped(struct text_sink *sink, const char *text, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)text[i];
		if (escaped_width(c) == 1)
			sink->write(sink, &text[i], 1);
		else
			sink_printf(sink, "\\x%02x", c);
	}
}

void sink_echo(struct text_sink *sink, const char *text, size_t length)
{
	bool cut = length > ECHO_MAX_BYTES;

	sink_puts(sink, "'");
	sink_escaped(sink, text, cut ? ECHO_MAX_BYTES : length);
	sink_puts(sink, "'");
	if (cut)
		sink_printf(sink, "... (%lu bytes)", (uint64_t)length);
}
