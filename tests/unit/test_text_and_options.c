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
	const char *argv[8] = { "hvfeat.efi" };
	int argc = split_config(config, strlen(config), argv, 8);

	assert_int_equal(parse(&o, "hvfeat: argument 2 is not plain ASCII\n",
			       argc, argv), OPTIONS_USAGE_ERROR);
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

/* Load options: text in UCS-2 as boot entries and QEMU's -append give it,
 * with or without the image path first; binary optional data is no text. */
static void load_options_as_arguments(void **state)
{
	(void)state;
	static const uint16_t with_path[] = u"\\EFI\\hvfeat\\hvfeat.efi --require kvm.pv_unhalt -n";
	static const uint16_t plain[] = u"--exit-port  --shutdown";
	static const uint16_t accented[] = u"-l \\h\u00e9.log";
	/* edk2's auto-created boot entries: a 16-byte GUID as optional data */
	static const uint16_t guid[] = { 0x4e8c, 0x2c09, 0x4e4c, 0x9c07, 0x5a8d, 0xa8a4,
					 0x0dd0, 0x3bb3 };
	static const uint16_t text_then_data[] = { '-', 'n', 0, 0x1234 };
	static const uint16_t blank[] = u"  \t ";
	char text[64];
	const char *argv[8] = { "hvfeat.efi" };
	struct hvfeat_options o;

	assert_true(load_options_text(with_path, sizeof(with_path) / 2, text));
	int argc = split_load_options(text, strlen(text), argv, 8);
	assert_int_equal(argc, 4);
	assert_string_equal(argv[1], "--require");
	assert_string_equal(argv[3], "-n");

	assert_true(load_options_text(plain, sizeof(plain) / 2, text));
	argc = split_load_options(text, strlen(text), argv, 8);
	assert_int_equal(parse(&o, "", argc, argv), OPTIONS_RUN);
	assert_true(o.exit_port && o.shutdown);

	assert_true(load_options_text(accented, sizeof(accented) / 2, text));
	argc = split_load_options(text, strlen(text), argv, 8);
	assert_int_equal(parse(&o, "hvfeat: argument 2 is not plain ASCII\n", argc, argv),
			 OPTIONS_USAGE_ERROR);

	assert_false(load_options_text(guid, 8, text));
	assert_false(load_options_text(text_then_data, 4, text));
	assert_false(load_options_text(blank, sizeof(blank) / 2, text));
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
	const char *argv[8] = { "hvfeat.efi" };

	assert_int_equal(split_config(text, strlen(text), argv, 8), 6);
	assert_string_equal(argv[1], "--require");
	assert_string_equal(argv[2], "kvm.pv_unhalt,kvm.steal_time");
	assert_string_equal(argv[3], "--shutdown");
	assert_string_equal(argv[4], "-l");
	assert_string_equal(argv[5], "\\vm.log");

	char many[] = "a b c d";
	assert_int_equal(split_config(many, strlen(many), argv, 4), -1);
	char empty[] = "  # nothing\n";
	assert_int_equal(split_config(empty, strlen(empty), argv, 4), 1);
}

static void usage_fits_the_console(void **state)
{
	(void)state;
	struct buffer_sink sink;
	static char text[2048];

	buffer_sink_init(&sink, text, sizeof(text) - 1);
	render_usage("hvfeat.efi", HVFEAT_DEFAULT_LOG, &sink.sink);
	text[sink.length] = '\0';
	assert_contains(text, "usage: hvfeat.efi [-r | -j] [-l PATH | -n] [-J PATH] [-f DUMP]\n"
			      "       [--require LIST] [--policy PATH] [--shutdown] [--exit-port] [-b] [-h]\n");
	assert_contains(text, "(default \\hvfeat.log)");
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
		cmocka_unit_test(files_in_ucs2_and_with_marks),
		cmocka_unit_test(usage_error_still_honours_power_and_port),
		cmocka_unit_test(firmware_arguments_are_plain_ascii),
		cmocka_unit_test(echoed_arguments_are_escaped_and_cut),
		cmocka_unit_test(usage_fits_the_console),
	};
	return cmocka_run_group_tests_name("text and options", tests, NULL, NULL);
}
