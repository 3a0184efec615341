#include "options.h"

#include "ascii.h"

static bool is(const char *arg, const char *name)
{
	return ascii_equal(arg, name, false);
}

void render_version(const char *program, struct text_sink *out)
{
	sink_printf(out, "%s %s\n", program, HVFEAT_VERSION);
}

void render_usage(const char *program, const char *default_log,
		  struct text_sink *out)
{
	sink_printf(out, "usage: %s [-r | -j | -q | --tap] [-l PATH | -n] [-J PATH] [-f DUMP]\n"
			 "       [--junit PATH] [--require LIST] [--policy PATH] [--waive LIST]\n"
			 "       [--strict] [--baseline PATH] [--write-policy PATH]\n"
			 "       [--probe] [--probe-msr MSR[=VALUE]]%s [-h]\n",
		    program, default_log ? "\n       [--shutdown] [--exit-port] [-b]" : "");
	sink_puts(out, "  Reports the hypervisor interfaces CPUID shows this guest.\n"
		       "  -r       raw dump in the cpuid -r format instead of the report\n"
		       "  -j       JSON instead of the report\n"
		       "  -q       only what did not pass, the summary and the verdict\n"
		       "  --tap    TAP version 13 instead of the report: a test point a result\n");
	if (default_log)
		sink_printf(out, "  -l PATH  log file (default %s), same bytes as shown\n",
			    default_log);
	else
		sink_puts(out, "  -l PATH  also write what is shown to the file PATH\n");
	sink_puts(out, "  -n       write no log\n"
		       "  -J PATH  also write the JSON to PATH\n"
		       "  --junit PATH    also write the results as JUnit XML to PATH\n"
		       "  -f DUMP  replay a cpuid -r dump (or a JSON report of hvfeat's) instead\n"
		       "           of executing CPUID\n"
		       "  --require LIST  requirements, comma-separated, e.g.\n"
		       "           kvm.pv_unhalt,kvm.hints.realtime=0,interface.kvm.base=0x40000000\n"
		       "  --policy PATH   requirements from a file, one a line, # comments\n"
		       "  --probe         check in use what the hypervisor advertises (kvmclock,\n"
		       "                  steal time, PV MSRs, hypercalls, timing, Hyper-V clocks)\n"
		       "  --probe-msr MSR[=VALUE]  also read MSR (and write VALUE to it, put\n"
		       "                  back after), to test the fault guard; implies --probe\n"
		       "  --waive LIST    results (labels, comma-separated) whose failure\n"
		       "                  is accepted: reported as a waived warning\n"
		       "  --strict        warnings fail the verdict too\n"
		       "  --baseline PATH  compare with a golden JSON report or cpuid -r dump\n"
		       "                  (leaves; on Arm, SMCCC answers and ID registers):\n"
		       "                  each difference is a result, drift.*; a feature or\n"
		       "                  privilege lost fails, other changes warn\n"
		       "  --write-policy PATH  write a policy pinning the KVM, Hyper-V and\n"
		       "                  SMCCC services and Arm ID features offered, for\n"
		       "                  --policy to enforce\n"
		       "  --list-keys     list every key a requirement can name\n"
		       "  --list-labels   list every result label\n"
		       "  --version       show the version\n");
	if (default_log)
		sink_puts(out, "  --shutdown      power off when done, files closed\n"
			       "  --exit-port     exit classes to QEMU's isa-debug-exit port 0xf4\n"
			       "                  (AArch64: the status to \\hvfeat.status)\n"
			       "  -b       page the output, as the shell's commands do\n");
	sink_puts(out, "  -h       show this help\n");
}

/* The value of an option that takes one, or NULL after saying why not. */
static const char *option_value(int argc, const char *const argv[], int *i,
				struct text_sink *errors)
{
	const char *option = argv[*i];

	if (*i + 1 >= argc || argv[*i + 1][0] == '\0') {
		sink_printf(errors, "hvfeat: option %s needs %s\n", option,
			    is(option, "--require") || is(option, "--waive") ? "a list"
			    : is(option, "--probe-msr") ? "an MSR number"
							: "a path");
		return NULL;
	}
	return argv[++*i];
}

/* "MSR" or "MSR=VALUE", each decimal or 0x hex of 32 bits. */
static bool parse_forced_msr(const char *text, struct forced_msr *forced,
			     struct text_sink *errors)
{
	struct cursor c = { text, text + text_length(text) };
	uint32_t msr, value = 0;
	bool hex;

	if (cursor_number(&c, &msr, &hex)) {
		bool write = cursor_take(&c, "=");
		if ((!write && cursor_at_end(&c)) ||
		    (write && cursor_number(&c, &value, &hex) && cursor_at_end(&c))) {
			*forced = (struct forced_msr){ true, msr, write, value };
			return true;
		}
	}
	sink_puts(errors, "hvfeat: --probe-msr ");
	sink_echo(errors, text, text_length(text));
	sink_puts(errors, " is not MSR or MSR=VALUE (decimal or 0x hex, 32 bits)\n");
	return false;
}

/* Plain ASCII only: the core never guesses what other bytes meant. */
static bool printable(const char *arg)
{
	for (; *arg; arg++)
		if (!ascii_printable((unsigned char)*arg))
			return false;
	return true;
}

static enum options_outcome parse_arguments(int argc, const char *const argv[],
					    const char *default_log,
					    struct hvfeat_options *options,
					    struct text_sink *errors, int *stopped_at)
{
	bool no_log = false, log_path_given = false;
	const char *format_option = NULL;

	/* Firmware arguments reach file paths as UCS-2: ASCII only. */
	for (int i = 1; default_log && i < argc; i++)
		if (!printable(argv[i])) {
			sink_printf(errors, "hvfeat: argument %u is not plain ASCII\n",
				    (unsigned)i);
			return OPTIONS_USAGE_ERROR;
		}
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char **path = NULL;

		*stopped_at = i;
		if (is(arg, "-h") || is(arg, "--help"))
			return OPTIONS_SHOW_HELP;
		if (is(arg, "--list-keys"))
			return OPTIONS_LIST_KEYS;
		if (is(arg, "--version"))
			return OPTIONS_SHOW_VERSION;
		if (is(arg, "--list-labels"))
			return OPTIONS_LIST_LABELS;
		if (is(arg, "-r") || is(arg, "-j") || is(arg, "-q") || is(arg, "--tap")) {
			enum output_format wanted = is(arg, "-r")   ? OUTPUT_RAW
						    : is(arg, "-j") ? OUTPUT_JSON
						    : is(arg, "-q") ? OUTPUT_QUIET
								    : OUTPUT_TAP;
			if (format_option && options->format != wanted) {
				sink_printf(errors, "hvfeat: %s and %s contradict each other\n",
					    format_option, arg);
				return OPTIONS_USAGE_ERROR;
			}
			options->format = wanted;
			format_option = arg;
			continue;
		}
		if (is(arg, "-n")) {
			no_log = true;
			continue;
		}
		if (is(arg, "--strict")) {
			options->strict = true;
			continue;
		}
		if (is(arg, "--probe")) {
			options->probe = true;
			continue;
		}
		if (is(arg, "--probe-msr")) {
			const char *spec = option_value(argc, argv, &i, errors);
			if (!spec || !parse_forced_msr(spec, &options->forced, errors))
				return OPTIONS_USAGE_ERROR;
			options->probe = true;
			continue;
		}
		/* Power and port control exist only in firmware, which has a
		 * default log; the host build has none. */
		if (default_log && is(arg, "--shutdown")) {
			options->shutdown = true;
			continue;
		}
		if (default_log && is(arg, "--exit-port")) {
			options->exit_port = true;
			continue;
		}
		if (default_log && is(arg, "-b")) {
			options->page_break = true;
			continue;
		}
		if (is(arg, "-l")) {
			path = &options->log_path;
			log_path_given = true;
		} else if (is(arg, "-J")) {
			path = &options->json_path;
		} else if (is(arg, "--junit")) {
			path = &options->junit_path;
		} else if (is(arg, "-f")) {
			path = &options->replay_path;
		} else if (is(arg, "--policy")) {
			path = &options->policy_path;
		} else if (is(arg, "--baseline")) {
			path = &options->baseline_path;
		} else if (is(arg, "--write-policy")) {
			path = &options->write_policy_path;
		} else if (is(arg, "--require")) {
			if (options->requirement_count == MAX_REQUIRE_OPTIONS) {
				sink_puts(errors, "hvfeat: too many --require options (16 at most)\n");
				return OPTIONS_USAGE_ERROR;
			}
			path = &options->requirements[options->requirement_count++];
		} else if (is(arg, "--waive")) {
			if (options->waiver_count == MAX_REQUIRE_OPTIONS) {
				sink_puts(errors, "hvfeat: too many --waive options (16 at most)\n");
				return OPTIONS_USAGE_ERROR;
			}
			path = &options->waivers[options->waiver_count++];
		} else {
			sink_puts(errors, arg[0] == '-' ? "hvfeat: unknown option "
							: "hvfeat: unexpected argument ");
			sink_echo(errors, arg, text_length(arg));
			sink_puts(errors, "\n");
			return OPTIONS_USAGE_ERROR;
		}
		*path = option_value(argc, argv, &i, errors);
		if (!*path)
			return OPTIONS_USAGE_ERROR;
	}
	*stopped_at = argc;
	if (no_log && log_path_given) {
		sink_puts(errors, "hvfeat: -l and -n contradict each other\n");
		return OPTIONS_USAGE_ERROR;
	}
	if (no_log)
		options->log_path = NULL;
	return OPTIONS_RUN;
}

enum options_outcome parse_options(int argc, const char *const argv[],
				   const char *default_log,
				   struct hvfeat_options *options,
				   struct text_sink *errors)
{
	int stopped_at = 0;

	*options = (struct hvfeat_options){ .format = OUTPUT_TEXT, .log_path = default_log };
	enum options_outcome outcome =
		parse_arguments(argc, argv, default_log, options, errors, &stopped_at);
	/* Automation that asked to be told and powered off is, whatever else
	 * in the same list was wrong: a typo must not leave a VM waiting. */
	if (outcome == OPTIONS_USAGE_ERROR && default_log)
		for (int i = stopped_at + 1; i < argc; i++) {
			options->shutdown = options->shutdown || is(argv[i], "--shutdown");
			options->exit_port = options->exit_port || is(argv[i], "--exit-port");
		}
	return outcome;
}

/* Blanks between words; NUL too, so split text splits the same again. */
static bool separates_words(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0';
}

void split_config(char *text, size_t length, struct option_words *words)
{
	size_t i = 0;

	words->argc = 1;
	words->text = text;
	words->length = length;
	text[length] = '\0';
	while (i < length) {
		if (text[i] == '#') {
			while (i < length && text[i] != '\n')
				text[i++] = '\0';
		} else if (separates_words(text[i])) {
			text[i++] = '\0';
		} else {
			if (words->argc <= MAX_CONFIG_ARGUMENTS)
				words->argv[words->argc] = &text[i];
			words->argc++;
			while (i < length && !separates_words(text[i]) && text[i] != '#')
				i++;
		}
	}
}

void split_load_options(char *text, size_t length, struct option_words *words)
{
	split_config(text, length, words);
	/* Some boot managers pass the image's own path first, some do not;
	 * hvfeat takes no other word that does not start with '-'. */
	if (words->argc > 1 && words->argv[1][0] != '-') {
		int stored = words->argc <= MAX_CONFIG_ARGUMENTS ? words->argc
								: MAX_CONFIG_ARGUMENTS + 1;
		for (int i = 1; i + 1 < stored; i++)
			words->argv[i] = words->argv[i + 1];
		words->argc--;
	}
}

static bool word_char(unsigned c)
{
	return c > ' ' && c <= '~';
}

/* The character at index i of bytes read as ASCII (stride 1) or as UCS-2
 * code units (stride 2, little-endian). */
static unsigned char_at(const uint8_t *bytes, size_t i, size_t stride)
{
	return stride == 1 ? bytes[i] : bytes[2 * i] | (unsigned)bytes[2 * i + 1] << 8;
}

/* Whether word stands among count characters of bytes: bounded by the ends
 * or by anything that cannot be in a word. */
static bool stands_as_word(const uint8_t *bytes, size_t count, size_t stride,
			   const char *word)
{
	size_t length = text_length(word);

	for (size_t i = 0; i + length <= count; i++) {
		if (i > 0 && word_char(char_at(bytes, i - 1, stride)))
			continue;
		size_t n = 0;
		while (n < length && char_at(bytes, i + n, stride) == (unsigned char)word[n])
			n++;
		if (n == length && (i + n == count || !word_char(char_at(bytes, i + n, stride))))
			return true;
	}
	return false;
}

static void find_power_options(const uint8_t *bytes, size_t count, size_t stride,
			       struct hvfeat_options *options)
{
	options->shutdown = options->shutdown || stands_as_word(bytes, count, stride, "--shutdown");
	options->exit_port = options->exit_port || stands_as_word(bytes, count, stride, "--exit-port");
}

enum options_outcome parse_option_words(const struct option_words *words,
					const char *origin, const char *default_log,
					struct hvfeat_options *options,
					struct text_sink *errors)
{
	if (words->argc <= MAX_CONFIG_ARGUMENTS)
		return parse_options(words->argc, words->argv, default_log, options, errors);

	*options = (struct hvfeat_options){ .format = OUTPUT_TEXT, .log_path = default_log };
	sink_puts(errors, "hvfeat: ");
	sink_escaped(errors, origin, text_length(origin));
	sink_printf(errors, ": %u arguments, more than %u\n", (unsigned)(words->argc - 1),
		    MAX_CONFIG_ARGUMENTS - 1);
	/* Told and powered off, as after any other usage error. */
	if (default_log)
		find_power_options((const uint8_t *)words->text, words->length, 1, options);
	return OPTIONS_USAGE_ERROR;
}

/* Where the characters stop being text: whitespace and characters from
 * 0x20 to highest, then a NUL and nothing but NULs. */
struct text_scan {
	size_t start, end; /* the text, as character indexes */
	size_t fault;      /* the first character that breaks it; count when none */
};

static struct text_scan scan_text(const uint8_t *bytes, size_t count, size_t stride,
				  unsigned highest)
{
	/* A file the shell wrote and bcfg -opt copied starts with its mark. */
	struct text_scan scan = { stride == 2 && count && char_at(bytes, 0, 2) == 0xfeff, 0, 0 };
	size_t i = scan.start;

	for (; i < count && char_at(bytes, i, stride); i++) {
		unsigned c = char_at(bytes, i, stride);
		if ((c < 0x20 && (c < 0x09 || c > 0x0d)) || c > highest)
			break;
	}
	scan.end = i;
	if (i == count || !char_at(bytes, i, stride))
		while (i < count && !char_at(bytes, i, stride))
			i++;
	scan.fault = i;
	return scan;
}

enum load_options_kind load_options_text(const void *data, size_t size, char *out,
					 size_t *length, struct text_sink *errors)
{
	const uint8_t *bytes = data;
	size_t stride = 2, count = size / 2;

	if (!size)
		return LOAD_OPTIONS_NONE;
	/* UCS-2 of ASCII text has a zero high byte in every unit, 8-bit text
	 * no NUL before its end: no bytes are both, but for one character and
	 * its terminator, which read alike either way. Latin-1 code units are
	 * taken (they become DEL, which parse_options refuses by number). */
	struct text_scan scan = { 0, 0, 0 };
	if (size % 2 == 0)
		scan = scan_text(bytes, count, stride, 0xff);
	if (size % 2 || scan.fault < count) {
		struct text_scan ascii = scan_text(bytes, size, 1, 0x7e);
		if (ascii.fault == size) {
			scan = ascii;
			stride = 1;
		} else {
			/* edk2's own boot entries hold the GUID of their kind. */
			if (size == 16)
				return LOAD_OPTIONS_NONE;
			/* Named in the reading the data looks like. */
			bool ucs2 = size % 2 == 0 && (char_at(bytes, 0, 2) <= 0xff ||
						      char_at(bytes, 0, 2) == 0xfeff);
			if (!ucs2) {
				scan = ascii;
				stride = 1;
			}
			sink_printf(errors, "hvfeat: load options: %lu bytes that are neither "
					    "UCS-2 nor ASCII text (", (uint64_t)size);
			if (ucs2)
				sink_printf(errors, "UCS-2 code unit 0x%04x",
					    char_at(bytes, scan.fault, 2));
			else
				sink_printf(errors, "0x%02x", bytes[scan.fault]);
			sink_printf(errors, " at offset %lu%s)\n", (uint64_t)(scan.fault * stride),
				    scan.fault > scan.end ? ", after the terminating NUL" : "");
			return LOAD_OPTIONS_NOT_TEXT;
		}
	}
	*length = scan.end - scan.start;
	if (*length > CONFIG_MAX_BYTES) {
		sink_printf(errors, "hvfeat: load options: %lu characters of text, more than %u\n",
			    (uint64_t)*length, CONFIG_MAX_BYTES);
		return LOAD_OPTIONS_NOT_TEXT;
	}
	for (size_t i = 0; i < *length; i++) {
		unsigned c = char_at(bytes, scan.start + i, stride);
		out[i] = c <= 0x7e ? (char)c : 0x7f;
	}
	out[*length] = '\0';
	return LOAD_OPTIONS_TEXT;
}

void power_options_in_bytes(const void *bytes, size_t size, struct hvfeat_options *options)
{
	find_power_options(bytes, size, 1, options);
	find_power_options(bytes, size / 2, 2, options);
}
