#include "options.h"

static bool is(const char *arg, const char *name)
{
	while (*arg && *arg == *name) {
		arg++;
		name++;
	}
	return *arg == *name;
}

void render_usage(struct text_sink *out)
{
	sink_puts(out,
		  "usage: hvfeat.efi [-l PATH | -n] [-h]\n"
		  "  Reports the hypervisor interfaces CPUID shows this guest.\n"
		  "  -l PATH  write the log to PATH on the volume hvfeat.efi was\n"
		  "           loaded from (default " HVFEAT_DEFAULT_LOG ")\n"
		  "  -n       write no log\n"
		  "  -h       show this help\n");
}

enum options_outcome parse_options(int argc, const char *const argv[],
				   struct hvfeat_options *options,
				   struct text_sink *errors)
{
	bool log_path_given = false, no_log = false;

	options->log_path = HVFEAT_DEFAULT_LOG;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (is(arg, "-h") || is(arg, "--help")) {
			return OPTIONS_SHOW_HELP;
		} else if (is(arg, "-n")) {
			no_log = true;
		} else if (is(arg, "-l")) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0') {
				sink_puts(errors, "hvfeat: option -l needs a path\n");
				return OPTIONS_USAGE_ERROR;
			}
			options->log_path = argv[++i];
			log_path_given = true;
		} else if (arg[0] == '-') {
			sink_printf(errors, "hvfeat: unknown option '%s'\n", arg);
			return OPTIONS_USAGE_ERROR;
		} else {
			sink_printf(errors, "hvfeat: unexpected argument '%s'\n", arg);
			return OPTIONS_USAGE_ERROR;
		}
	}
	if (no_log && log_path_given) {
		sink_puts(errors, "hvfeat: -l and -n contradict each other\n");
		return OPTIONS_USAGE_ERROR;
	}
	if (no_log)
		options->log_path = NULL;
	return OPTIONS_RUN;
}
