/* The small printf the core uses, and the command-line parser. */
#include "recordings.h"

#include "ascii.h"
#include "options.h"

static const char *formatted(const char *format, ...)
{
	static char out[256];
	struct buffer_sink sink;
	va_list args;

	buffer_sink_init(&sink, out, sizeof(out) - 1);
	va_start(args, format);
	sink_vprintf(&sink.sink, format, args);
	va_end(args);
	out[sink.length] = '\0';
	return out;
}

static void printf_conversions(void **state)
{
	(void)state;
	assert_string_equal(formatted("0x%08x", 0x4dU), "0x0000004d");
	assert_string_equal(formatted("%x|%u", 0xffffffffU, 4294967295U), "ffffffff|4294967295");
	assert_string_equal(formatted("%lx %lu", (unsigned long)0x8000000000000015UL,
				      18446744073709551615UL),
			    "8000000000000015 18446744073709551615");
	assert_string_equal(formatted("[%-5s][%5s]", "ab", "cd"), "[ab   ][   cd]");
	assert_string_equal(formatted("%2u|%-3s|", 7U, "no"), " 7|no |");
	assert_string_equal(formatted("%c%%", 'x'), "x%");
	assert_string_equal(formatted("100%"), "100%");
	assert_string_equal(formatted("%d|%+d|%+d|%d", -7, 7, 0, 0), "-7|+7|+0|0");
	assert_string_equal(formatted("%ld %+ld", (long)INT64_MIN, (long)INT64_MAX),
			    "-9223372036854775808 +9223372036854775807");
	assert_string_equal(formatted("[%4d][%-4d]", -3, 5), "[  -3][5   ]");
}

/* Measure with no memory, then fill exactly: the EFI app's two passes. */
static void buffer_sink_measures_then_fills(void **state)
{
	(void)state;
	struct buffer_sink sink;
	char small[4] = { 'z', 'z', 'z', 'z' };

	buffer_sink_init(&sink, NULL, 0);
	sink_printf(&sink.sink, "hello %s", "world");
	assert_int_equal(sink.length, 11);

	buffer_sink_init(&sink, small, 3);
	sink_puts(&sink.sink, "abcdef");
	assert_int_equal(sink.length, 6);
	assert_memory_equal(small, "abcz", 4); /* nothing past capacity */
}

/* parse_options as the firmware (default_log set) or the host (NULL)
 * calls it, checking what it said on errors. */
static enum options_outcome parse_as(const char *default_log, struct hvfeat_options *o,
				     const char *errors_expected, int argc,
				     const char *const argv[])
{
	static char errors[256];
	struct buffer_sink sink;

	buffer_sink_init(&sink, errors, sizeof(errors) - 1);
	enum options_outcome outcome = parse_options(argc, argv, default_log, o, &sink.sink);
	errors[sink.length] = '\0';
	assert_string_equal(errors, errors_expected);
	return outcome;
}

static enum options_outcome parse(struct hvfeat_options *o, const char *errors_expected,
				  int argc, const char *const argv[])
{
	return parse_as(HVFEAT_DEFAULT_LOG, o, errors_expected, argc, argv);
}

/* parse_option_words as the firmware calls it, checking its errors. */
static enum options_outcome parse_words(const struct option_words *words, const char *origin,
					struct hvfeat_options *o, const char *errors_expected)
{
	static char errors[256];
	struct buffer_sink sink;

	buffer_sink_init(&sink, errors, sizeof(errors) - 1);
	enum options_outcome outcome = parse_option_words(words, origin, HVFEAT_DEFAULT_LOG, o,
							  &sink.sink);
	errors[sink.length] = '\0';
	assert_string_equal(errors, errors_expected);
	return outcome;
}

#define ARGS(...) (int)(sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(char *)), \
		  (const char *const[]){ __VA_ARGS__ }

static void options_defaults_and_log_choices(void **state)
{
	(void)state;
	struct hvfeat_options o;

	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi")), OPTIONS_RUN);
	assert_string_equal(o.log_path, "\\hvfeat.log");
	assert_int_equal(parse(&o, "", 0, NULL), OPTIONS_RUN); /* direct boot */
	assert_string_equal(o.log_path, "\\hvfeat.log");
	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi", "-l", "\\logs\\vm1.log")), OPTIONS_RUN);
	assert_string_equal(o.log_path, "\\logs\\vm1.log");
	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi", "-n")), OPTIONS_RUN);
	assert_null(o.log_path);
	assert_int_equal(o.format, OUTPUT_TEXT);
	assert_null(o.json_path);
	assert_null(o.replay_path);
	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi", "-h")), OPTIONS_SHOW_HELP);
	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi", "--help")), OPTIONS_SHOW_HELP);
	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi", "--list-keys")), OPTIONS_LIST_KEYS);
}

static void options_formats_replay_and_json(void **state)
{
	(void)state;
	struct hvfeat_options o;

	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi", "-r", "-l", "dump.txt")), OPTIONS_RUN);
	assert_int_equal(o.format, OUTPUT_RAW);
	assert_string_equal(o.log_path, "dump.txt");
	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi", "-j", "-j")), OPTIONS_RUN);
	assert_int_equal(o.format, OUTPUT_JSON);
	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi", "-f", "\\d\\kvm.txt", "-J", "r.json")),
			 OPTIONS_RUN);
	assert_string_equal(o.replay_path, "\\d\\kvm.txt");
	assert_string_equal(o.json_path, "r.json");
	assert_string_equal(o.log_path, "\\hvfeat.log");

	/* --tap is a format of console and log, --junit an extra file. */
	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi", "--tap", "--junit", "\\r.xml")),
			 OPTIONS_RUN);
	assert_int_equal(o.format, OUTPUT_TAP);
	assert_string_equal(o.junit_path, "\\r.xml");
	assert_string_equal(o.log_path, "\\hvfeat.log");
	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi", "--tap", "--tap", "-J", "r.json")),
			 OPTIONS_RUN);
	assert_int_equal(o.format, OUTPUT_TAP);
	assert_null(o.junit_path);
	assert_int_equal(parse_as(NULL, &o, "", ARGS("hvfeat", "--tap", "--junit", "r.xml")),
			 OPTIONS_RUN);
	assert_int_equal(o.format, OUTPUT_TAP);
	assert_string_equal(o.junit_path, "r.xml");

	/* The host build has no default log. */
	static char errors[64];
	struct buffer_sink sink;
	buffer_sink_init(&sink, errors, sizeof(errors));
	assert_int_equal(parse_options(ARGS("hvfeat"), NULL, &o, &sink.sink), OPTIONS_RUN);
	assert_null(o.log_path);
}

static void version_on_both_builds(void **state)
{
	(void)state;
	struct hvfeat_options o;
	static char out[64];
	struct buffer_sink sink;

	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi", "-n", "--version")),
			 OPTIONS_SHOW_VERSION);
	assert_int_equal(parse_as(NULL, &o, "", ARGS("hvfeat", "--version")),
			 OPTIONS_SHOW_VERSION);
	buffer_sink_init(&sink, out, sizeof(out) - 1);
	render_version("hvfeat", &sink.sink);
	out[sink.length] = '\0';
	assert_string_equal(out, "hvfeat " HVFEAT_VERSION "\n");
}

static void options_usage_errors(void **state)
{
	(void)state;
	struct hvfeat_options o;

	assert_int_equal(parse(&o, "hvfeat: unknown option '-x'\n", ARGS("hvfeat.efi", "-x")),
			 OPTIONS_USAGE_ERROR);
	assert_int_equal(parse(&o, "hvfeat: option -l needs a path\n", ARGS("hvfeat.efi", "-l")),
			 OPTIONS_USAGE_ERROR);
	assert_int_equal(parse(&o, "hvfeat: option -l needs a path\n",
			       ARGS("hvfeat.efi", "-l", "")), OPTIONS_USAGE_ERROR);
	assert_int_equal(parse(&o, "hvfeat: -l and -n contradict each other\n",
			       ARGS("hvfeat.efi", "-n", "-l", "x.log")), OPTIONS_USAGE_ERROR);
	assert_int_equal(parse(&o, "hvfeat: unexpected argument 'extra'\n",
			       ARGS("hvfeat.efi", "extra")), OPTIONS_USAGE_ERROR);
	assert_int_equal(parse(&o, "hvfeat: unknown option '--log'\n",
			       ARGS("hvfeat.efi", "--log")), OPTIONS_USAGE_ERROR);
	assert_int_equal(parse(&o, "hvfeat: -r and -j contradict each other\n",
			       ARGS("hvfeat.efi", "-r", "-j")), OPTIONS_USAGE_ERROR);
	assert_int_equal(parse(&o, "hvfeat: option -f needs a path\n",
			       ARGS("hvfeat.efi", "-f")), OPTIONS_USAGE_ERROR);
	assert_int_equal(parse(&o, "hvfeat: option -J needs a path\n",
			       ARGS("hvfeat.efi", "-J", "")), OPTIONS_USAGE_ERROR);
	assert_int_equal(parse(&o, "hvfeat: -j and --tap contradict each other\n",
			       ARGS("hvfeat.efi", "-j", "--tap")), OPTIONS_USAGE_ERROR);
	assert_int_equal(parse(&o, "hvfeat: --tap and -q contradict each other\n",
			       ARGS("hvfeat.efi", "--tap", "-q")), OPTIONS_USAGE_ERROR);
	assert_int_equal(parse(&o, "hvfeat: option --junit needs a path\n",
			       ARGS("hvfeat.efi", "--junit")), OPTIONS_USAGE_ERROR);
}

static void options_automation(void **state)
{
	(void)state;
	struct hvfeat_options o;

	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi", "--require", "kvm.pv_unhalt",
					    "--require", "hypervisor_bit", "--policy", "p.txt",
					    "--shutdown", "--exit-port")), OPTIONS_RUN);
	assert_int_equal(o.requirement_count, 2);
	assert_string_equal(o.requirements[1], "hypervisor_bit");
	assert_string_equal(o.policy_path, "p.txt");
	assert_true(o.shutdown);
	assert_true(o.exit_port);
	assert_int_equal(parse(&o, "hvfeat: option --require needs a list\n",
			       ARGS("hvfeat.efi", "--require")), OPTIONS_USAGE_ERROR);

	/* No power or port control on the host. */
	assert_int_equal(parse_as(NULL, &o, "hvfeat: unknown option '--shutdown'\n",
				  ARGS("hvfeat", "--shutdown")), OPTIONS_USAGE_ERROR);
}

/* --probe, and --probe-msr MSR[=VALUE], which implies it. */
static void probe_options(void **state)
{
	(void)state;
	struct hvfeat_options o;

	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi")), OPTIONS_RUN);
	assert_false(o.probe);
	assert_false(o.forced.requested);
	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi", "--probe")), OPTIONS_RUN);
	assert_true(o.probe);
	assert_false(o.forced.requested);
	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi", "--probe-msr", "0x4b564dff")),
			 OPTIONS_RUN);
	assert_true(o.probe);
	assert_true(o.forced.requested);
	assert_int_equal(o.forced.msr, 0x4b564dff);
	assert_false(o.forced.write);
	assert_int_equal(parse(&o, "", ARGS("hvfeat.efi", "--probe-msr", "3221291287=1")),
			 OPTIONS_RUN);
	assert_int_equal(o.forced.msr, 0xc0010117);
	assert_true(o.forced.write);
	assert_int_equal(o.forced.write_value, 1);
	static const char *const bad[] = { "0x12=", "=1", "0x12=1x", "0x100000000", "msr" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char expected[128];
		snprintf(expected, sizeof(expected), "hvfeat: --probe-msr '%s' is not MSR or "
			 "MSR=VALUE (decimal or 0x hex, 32 bits)\n", bad[i]);
		assert_int_equal(parse(&o, expected, ARGS("hvfeat.efi", "--probe-msr", bad[i])),
				 OPTIONS_USAGE_ERROR);
	}
	assert_int_equal(parse(&o, "hvfeat: option --probe-msr needs an MSR number\n",
			       ARGS("hvfeat.efi", "--probe-msr")), OPTIONS_USAGE_ERROR);
}

/* A usage error anywhere still powers off and reports through the port
 * when the same list asked for it: a typo must not leave a VM waiting. */
static void usage_error_still_honours_power_and_port(void **state)
{
	(void)state;
	struct hvfeat_options o;

	assert_int_equal(parse(&o, "hvfeat: unknown option '--requier'\n",
			       ARGS("hvfeat.efi", "--requier", "kvm.pv_unhalt", "--exit-port",
				    "--shutdown")), OPTIONS_USAGE_ERROR);
	assert_true(o.shutdown);
	assert_true(o.exit_port);
	assert_int_equal(parse(&o, "hvfeat: -r and -j contradict each other\n",
			       ARGS("hvfeat.efi", "--exit-port", "-r", "-j")), OPTIONS_USAGE_ERROR);
	assert_true(o.exit_port);
	assert_false(o.shutdown);
}

/* Firmware arguments are plain ASCII whatever their origin (shell or
 * \hvfeat.cfg); the host takes a path's bytes as they are. */
static void firmware_arguments_are_plain_ascii(void **state)
{
	(void)state;
	struct hvfeat_options o;
	char config[] = "-l \\h\xe9.log --shutdown\n";
	static struct option_words words = { .argv = { "hvfeat.efi" } };
	split_config(config, strlen(config), &words);

	assert_int_equal(parse(&o, "hvfeat: argument 2 is not plain ASCII\n",
			       words.argc, words.argv), OPTIONS_USAGE_ERROR);
	assert_true(o.shutdown);
	assert_int_equal(parse(&o, "hvfeat: argument 1 is not plain ASCII\n",
			       ARGS("hvfeat.efi", "\x1b[2J")), OPTIONS_USAGE_ERROR);

	assert_int_equal(parse_as(NULL, &o, "", ARGS("hvfeat", "-f", "caf\xc3\xa9.txt")),
			 OPTIONS_RUN);
}

/* What a message echoes of an argument is escaped and bounded: the host
 * build takes any bytes, and a word of \hvfeat.cfg can be 64 KiB long. */
static void echoed_arguments_are_escaped_and_cut(void **state)
{
	(void)state;
	struct hvfeat_options o;
	static char long_word[100];

	assert_int_equal(parse_as(NULL, &o, "hvfeat: unknown option '-\\x1b[2J'\n",
				  ARGS("hvfeat", "-\x1b[2J")), OPTIONS_USAGE_ERROR);
	assert_int_equal(parse_as(NULL, &o, "hvfeat: unexpected argument 'caf\\xc3\\xa9'\n",
				  ARGS("hvfeat", "caf\xc3\xa9")), OPTIONS_USAGE_ERROR);
	memset(long_word, 'y', sizeof(long_word) - 1);
	long_word[0] = '-';
	assert_int_equal(parse(&o, "hvfeat: unknown option '-yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
			       "yyyyyyyyyyyyyyyyyyyyyyyyyyyy'... (99 bytes)\n",
			       ARGS("hvfeat.efi", long_word)), OPTIONS_USAGE_ERROR);
	assert_int_equal(parse_as(NULL, &o, "hvfeat: --probe-msr '1=\\x1b' is not MSR or "
				  "MSR=VALUE (decimal or 0x hex, 32 bits)\n",
				  ARGS("hvfeat", "--probe-msr", "1=\x1b")), OPTIONS_USAGE_ERROR);
}

/* load_options_text over size bytes, checking what it said on errors; the
 * text, when there is some, in out. */
static enum load_options_kind classify(const void *bytes, size_t size, char *out,
				       const char *errors_expected)
{
	static char errors[256];
	struct buffer_sink sink;
	size_t length = 0;

	buffer_sink_init(&sink, errors, sizeof(errors) - 1);
	enum load_options_kind kind = load_options_text(bytes, size, out, &length, &sink.sink);
	errors[sink.length] = '\0';
	assert_string_equal(errors, errors_expected);
	if (kind == LOAD_OPTIONS_TEXT)
		assert_int_equal(length, strlen(out));
	return kind;
}

/* Load options as boot entries, boot managers and QEMU's -append give
 * them: UCS-2 with or without the image path first, and 8-bit ASCII as
 * efibootmgr -@ FILE and bcfg -opt FILE store an ASCII file. */
static void load_options_as_arguments(void **state)
{
	(void)state;
	static const uint16_t with_path[] = u"\\EFI\\hvfeat\\hvfeat.efi --require kvm.pv_unhalt -n";
	static const uint16_t plain[] = u"--exit-port  --shutdown";
	static const uint16_t accented[] = u"-l \\h\u00e9.log";
	static const uint16_t marked[] = { 0xfeff, '-', 'n', 0 };
	static const char ascii_file[] = "--require kvm.pv_unhalt -n\n"; /* odd, no NUL */
	static const char ascii_terminated[] = "-n --shutdown"; /* with its NUL */
	static char text[128];
	static struct option_words words = { .argv = { "hvfeat.efi" } };
	struct hvfeat_options o;

	assert_int_equal(classify(with_path, sizeof(with_path), text, ""), LOAD_OPTIONS_TEXT);
	split_load_options(text, strlen(text), &words);
	assert_int_equal(words.argc, 4);
	assert_string_equal(words.argv[1], "--require");
	assert_string_equal(words.argv[3], "-n");

	assert_int_equal(classify(plain, sizeof(plain), text, ""), LOAD_OPTIONS_TEXT);
	split_load_options(text, strlen(text), &words);
	assert_int_equal(parse(&o, "", words.argc, words.argv), OPTIONS_RUN);
	assert_true(o.exit_port && o.shutdown);

	assert_int_equal(classify(accented, sizeof(accented), text, ""), LOAD_OPTIONS_TEXT);
	split_load_options(text, strlen(text), &words);
	assert_int_equal(parse(&o, "hvfeat: argument 2 is not plain ASCII\n", words.argc,
			       words.argv), OPTIONS_USAGE_ERROR);

	assert_int_equal(classify(marked, sizeof(marked), text, ""), LOAD_OPTIONS_TEXT);
	assert_string_equal(text, "-n");

	assert_int_equal(classify(ascii_file, strlen(ascii_file), text, ""), LOAD_OPTIONS_TEXT);
	assert_string_equal(text, ascii_file);
	assert_int_equal(classify(ascii_terminated, sizeof(ascii_terminated), text, ""),
			 LOAD_OPTIONS_TEXT);
	assert_string_equal(text, "-n --shutdown");
	/* One character and its NUL read alike as UCS-2 and as ASCII. */
	assert_int_equal(classify("x", 2, text, ""), LOAD_OPTIONS_TEXT);
	assert_string_equal(text, "x");
}

/* What is not options: nothing, edk2's GUID, text without words (blank,
 * or only the image's own path), which leave the choice to hvfeat.cfg. */
static void load_options_without_words(void **state)
{
	(void)state;
	/* mBmAutoCreateBootOptionGuid, edk2 MdeModulePkg BmBoot.c, as stored */
	static const uint8_t guid[] = { 0x4e, 0xac, 0x08, 0x81, 0x11, 0x9f, 0x59, 0x4d,
					0x85, 0x0e, 0xe2, 0x1a, 0x52, 0x2c, 0x59, 0xb2 };
	static const char sixteen[] = "--shutdown -n   "; /* text wins over a GUID */
	static const uint16_t blank[] = u"  \t ";
	static const uint16_t path_only[] = u"\\EFI\\hvfeat\\hvfeat.efi";
	static const char grub_path_only[] = "/EFI/hvfeat/hvfeat.efi";
	static char text[64];
	static struct option_words words = { .argv = { "hvfeat.efi" } };

	assert_int_equal(classify(NULL, 0, text, ""), LOAD_OPTIONS_NONE);
	assert_int_equal(classify(guid, sizeof(guid), text, ""), LOAD_OPTIONS_NONE);
	assert_int_equal(classify(sixteen, 16, text, ""), LOAD_OPTIONS_TEXT);
	assert_string_equal(text, sixteen);

	assert_int_equal(classify(blank, sizeof(blank), text, ""), LOAD_OPTIONS_TEXT);
	split_load_options(text, strlen(text), &words);
	assert_int_equal(words.argc, 1);
	assert_int_equal(classify(path_only, sizeof(path_only), text, ""), LOAD_OPTIONS_TEXT);
	split_load_options(text, strlen(text), &words);
	assert_int_equal(words.argc, 1);
	assert_int_equal(classify(grub_path_only, strlen(grub_path_only), text, ""),
			 LOAD_OPTIONS_TEXT);
	split_load_options(text, strlen(text), &words);
	assert_int_equal(words.argc, 1);
}

/* Load options that are neither UCS-2 nor ASCII text are a usage error
 * that says where, in the reading they look like; too much text too. */
static void load_options_that_are_not_text(void **state)
{
	(void)state;
	static const char escape[] = "-n\x1b[2J";
	static const uint16_t ucs2_escape[] = u"--require\x1b kvm";
	static const uint16_t text_then_data[] = { '-', 'n', 0, 0x1234 };
	static const char high_byte[] = "--require kvm.pv_unhalt \x80";
	static char text[CONFIG_MAX_BYTES + 2];

	assert_int_equal(classify(escape, strlen(escape), text,
				  "hvfeat: load options: 6 bytes that are neither UCS-2 nor "
				  "ASCII text (0x1b at offset 2)\n"), LOAD_OPTIONS_NOT_TEXT);
	assert_int_equal(classify(ucs2_escape, sizeof(ucs2_escape), text,
				  "hvfeat: load options: 30 bytes that are neither UCS-2 nor "
				  "ASCII text (UCS-2 code unit 0x001b at offset 18)\n"),
			 LOAD_OPTIONS_NOT_TEXT);
	assert_int_equal(classify(text_then_data, sizeof(text_then_data), text,
				  "hvfeat: load options: 8 bytes that are neither UCS-2 nor "
				  "ASCII text (UCS-2 code unit 0x1234 at offset 6, after the "
				  "terminating NUL)\n"), LOAD_OPTIONS_NOT_TEXT);
	assert_int_equal(classify(high_byte, strlen(high_byte), text,
				  "hvfeat: load options: 25 bytes that are neither UCS-2 nor "
				  "ASCII text (0x80 at offset 24)\n"), LOAD_OPTIONS_NOT_TEXT);
	assert_int_equal(classify("-n\0x", 5, text,
				  "hvfeat: load options: 5 bytes that are neither UCS-2 nor "
				  "ASCII text (0x78 at offset 3, after the terminating NUL)\n"),
			 LOAD_OPTIONS_NOT_TEXT);

	memset(text, 'a', CONFIG_MAX_BYTES + 1);
	assert_int_equal(classify(text, CONFIG_MAX_BYTES + 1, text + 0,
				  "hvfeat: load options: 65537 characters of text, more than "
				  "65536\n"), LOAD_OPTIONS_NOT_TEXT);
	static char copy[CONFIG_MAX_BYTES + 1];
	memset(text, 'a', CONFIG_MAX_BYTES);
	assert_int_equal(classify(text, CONFIG_MAX_BYTES, copy, ""), LOAD_OPTIONS_TEXT);
}

/* --shutdown and --exit-port as words in bytes that are not text, read as
 * ASCII or as UCS-2; never as part of a longer word. */
static void power_options_in_unreadable_bytes(void **state)
{
	(void)state;
	static const char ascii[] = "\x01\x02--exit-port\x03--shutdownx";
	static const uint16_t ucs2[] = u"\x1b --shutdown\x7f";
	static const char at_the_end[] = "\xff--shutdown";
	struct hvfeat_options o;

	o = (struct hvfeat_options){ 0 };
	power_options_in_bytes(ascii, strlen(ascii), &o);
	assert_true(o.exit_port);
	assert_false(o.shutdown);
	o = (struct hvfeat_options){ 0 };
	power_options_in_bytes(ucs2, sizeof(ucs2), &o);
	assert_true(o.shutdown);
	assert_false(o.exit_port);
	o = (struct hvfeat_options){ 0 };
	power_options_in_bytes(at_the_end, strlen(at_the_end), &o);
	assert_true(o.shutdown);
	o = (struct hvfeat_options){ 0 };
	power_options_in_bytes("x--shutdown --exit-portx", 24, &o);
	assert_false(o.shutdown || o.exit_port);
}

/* More words than hvfeat takes (63) are a usage error that still powers
 * off and reports through the port when any word asked for it. */
static void too_many_words_still_honour_power_and_port(void **state)
{
	(void)state;
	static char text[1024];
	static struct option_words words = { .argv = { "hvfeat.efi" } };
	struct buffer_sink sink;
	struct hvfeat_options o;

	string_sink_init(&sink, text, sizeof(text));
	for (int i = 0; i < 69; i++)
		sink_puts(&sink.sink, "-n ");
	sink_puts(&sink.sink, "--exit-port\n--shutdown # --probe\n");
	split_config(text, strlen(string_sink_finish(&sink)), &words);
	assert_int_equal(words.argc, 72);
	assert_int_equal(parse_words(&words, "\\hvfeat.cfg", &o,
				     "hvfeat: \\hvfeat.cfg: 71 arguments, more than 63\n"),
			 OPTIONS_USAGE_ERROR);
	assert_true(o.shutdown && o.exit_port);

	/* Words in a comment are no words. */
	string_sink_init(&sink, text, sizeof(text));
	sink_puts(&sink.sink, "# --shutdown --exit-port\n");
	for (int i = 0; i < 64; i++)
		sink_puts(&sink.sink, "-n ");
	split_load_options(text, strlen(string_sink_finish(&sink)), &words);
	assert_int_equal(parse_words(&words, "load options", &o,
				     "hvfeat: load options: 64 arguments, more than 63\n"),
			 OPTIONS_USAGE_ERROR);
	assert_false(o.shutdown || o.exit_port);

	/* 63 are taken, the image path first aside. */
	string_sink_init(&sink, text, sizeof(text));
	sink_puts(&sink.sink, "\\hvfeat.efi");
	for (int i = 0; i < 62; i++)
		sink_puts(&sink.sink, " -n");
	sink_puts(&sink.sink, " --shutdown");
	split_load_options(text, strlen(string_sink_finish(&sink)), &words);
	assert_int_equal(parse_words(&words, "load options", &o, ""), OPTIONS_RUN);
	assert_true(o.shutdown);
	assert_null(o.log_path);
}

/* Files the UEFI shell wrote (UCS-2 with a byte-order mark), and UTF-8
 * ones with a mark, read as the ASCII the parsers take. */
static void files_in_ucs2_and_with_marks(void **state)
{
	(void)state;
	char ucs2[] = "\xff\xfe-\0n\0 \0\xe9\0\r\0\n\0";
	char utf8[] = "\xef\xbb\xbf-n\n";
	char plain[] = "-n\n";

	assert_int_equal(text_from_file(ucs2, sizeof(ucs2) - 1), 6);
	assert_memory_equal(ucs2, "-n \x7f\r\n", 7);
	assert_int_equal(text_from_file(utf8, sizeof(utf8) - 1), 3);
	assert_string_equal(utf8, "-n\n");
	assert_int_equal(text_from_file(plain, sizeof(plain) - 1), 3);
	assert_string_equal(plain, "-n\n");
}

static void config_file_splits_into_arguments(void **state)
{
	(void)state;
	char text[] = "# direct boot\n--require kvm.pv_unhalt,kvm.steal_time\r\n"
		      "\t--shutdown   # then power off\n-l \\vm.log#x\n";
	static struct option_words words = { .argv = { "hvfeat.efi" } };

	split_config(text, strlen(text), &words);
	assert_int_equal(words.argc, 6);
	assert_string_equal(words.argv[1], "--require");
	assert_string_equal(words.argv[2], "kvm.pv_unhalt,kvm.steal_time");
	assert_string_equal(words.argv[3], "--shutdown");
	assert_string_equal(words.argv[4], "-l");
	assert_string_equal(words.argv[5], "\\vm.log");

	char empty[] = "  # nothing\n";
	split_config(empty, strlen(empty), &words);
	assert_int_equal(words.argc, 1);
}

static void usage_fits_the_console(void **state)
{
	(void)state;
	struct buffer_sink sink;
	static char text[4096];

	buffer_sink_init(&sink, text, sizeof(text) - 1);
	render_usage("hvfeat.efi", HVFEAT_DEFAULT_LOG, &sink.sink);
	text[sink.length] = '\0';
	assert_contains(text, "usage: hvfeat.efi [-r | -j | -q | --tap] [-l PATH | -n] [-J PATH] [-f DUMP]\n"
			      "       [--junit PATH] [--require LIST] [--policy PATH] [--waive LIST]\n"
			      "       [--strict] [--baseline PATH] [--write-policy PATH]\n"
			      "       [--probe] [--probe-msr MSR[=VALUE]]\n"
			      "       [--shutdown] [--exit-port] [-b] [-h]\n");
	assert_contains(text, "  --tap    TAP version 13 instead of the report");
	assert_contains(text, "  --junit PATH    also write the results as JUnit XML to PATH\n");
	assert_contains(text, "(default \\hvfeat.log)");
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		assert_true(strlen(line) <= 79);

	/* The host build's has no firmware options, and the same width. */
	buffer_sink_init(&sink, text, sizeof(text) - 1);
	render_usage("hvfeat", NULL, &sink.sink);
	text[sink.length] = '\0';
	assert_contains(text, "       [--strict] [--baseline PATH] [--write-policy PATH]\n"
			      "       [--probe] [--probe-msr MSR[=VALUE]] [-h]\n");
	assert_contains(text, "  --tap    ");
	assert_contains(text, "  --junit PATH    ");
	assert_null(strstr(text, "--shutdown"));
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		assert_true(strlen(line) <= 79);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(printf_conversions),
		cmocka_unit_test(buffer_sink_measures_then_fills),
		cmocka_unit_test(options_defaults_and_log_choices),
		cmocka_unit_test(options_formats_replay_and_json),
		cmocka_unit_test(options_usage_errors),
		cmocka_unit_test(probe_options),
		cmocka_unit_test(version_on_both_builds),
		cmocka_unit_test(options_automation),
		cmocka_unit_test(config_file_splits_into_arguments),
		cmocka_unit_test(load_options_as_arguments),
		cmocka_unit_test(load_options_without_words),
		cmocka_unit_test(load_options_that_are_not_text),
		cmocka_unit_test(power_options_in_unreadable_bytes),
		cmocka_unit_test(too_many_words_still_honour_power_and_port),
		cmocka_unit_test(files_in_ucs2_and_with_marks),
		cmocka_unit_test(usage_error_still_honours_power_and_port),
		cmocka_unit_test(firmware_arguments_are_plain_ascii),
		cmocka_unit_test(echoed_arguments_are_escaped_and_cut),
		cmocka_unit_test(usage_fits_the_console),
	};
	return cmocka_run_group_tests_name("text and options", tests, NULL, NULL);
}
