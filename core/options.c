#include "options.h"

static bool is(const char *arg, const char *name)
{
	while (*arg && *arg == *name) {
		arg++;
		name++;
	}
	return *arg == *name;
}

void render_usage(const char *program, const char *default_log,
		  struct text_sink *out)
{
	sink_printf(out, "usage: %s [-r | -j] [-l PATH | -n] [-J PATH] [-f DUMP] [-h]\n",
		    program);
	sink_puts(out, "  Reports the hypervisor interfaces CPUID shows this guest.\n"
		       "  -r       raw dump in the cpuid -r format instead of the report\n"
		       "  -j       JSON instead of the report\n");
	if (default_log)
		sink_printf(out, "  -l PATH  log file (default %s), same bytes as shown\n",
			    default_log);
	else
		sink_puts(out, "  -l PATH  also write what is shown to the file PATH\n");
	sink_puts(out, "  -n       write no log\n"
		       "  -J PATH  also write the JSON to PATH\n"
		       "  -f DUMP  replay a cpuid -r dump instead of executing CPUID\n"
		       "  -h       show this help\n");
}

/* The value of an option that takes one, or NULL after saying why not. */
static const char *option_value(int argc, const char *const argv[], int *i,
				struct text_sink *errors)
{
	const char *option = argv[*i];

	if (*i + 1 >= argc || argv[*i + 1][0] == '\0') {
		sink_printf(errors, "hvfeat: option %s needs a path\n", option);
		return NULL;
	}
	return argv[++*i];
}

enum options_outcome parse_options(int argc, const char *const argv[],
				   const char *default_log,
				   struct hvfeat_options *options,
				   struct text_sink *errors)
{
	bool no_log = false, log_path_given = false;
	const char *format_option = NULL;

	*options = (struct hvfeat_options){ OUTPUT_TEXT, default_log, NULL, NULL };
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char **path = NULL;

		if (is(arg, "-h") || is(arg, "--help"))
			return OPTIONS_SHOW_HELP;
		if (is(arg, "-r") || is(arg, "-j")) {
			enum output_format wanted = arg[1] == 'r' ? OUTPUT_RAW : OUTPUT_JSON;
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
		if (is(arg, "-l")) {
			path = &options->log_path;
			log_path_given = true;
		} else if (is(arg, "-J")) {
			path = &options->json_path;
		} else if (is(arg, "-f")) {
			path = &options->replay_path;
		} else if (arg[0] == '-') {
			sink_printf(errors, "hvfeat: unknown option '%s'\n", arg);
			return OPTIONS_USAGE_ERROR;
		} else {
			sink_printf(errors, "hvfeat: unexpected argument '%s'\n", arg);
			return OPTIONS_USAGE_ERROR;
		}
		*path = option_value(argc, argv, &i, errors);
		if (!*path)
			return OPTIONS_USAGE_ERROR;
	}
	if (no_log && log_path_given) {
		sink_puts(errors, "hvfeat: -l and -n contradict each other\n");
		return OPTIONS_USAGE_ERROR;
	}
	if (no_log)
		options->log_path = NULL;
	return OPTIONS_RUN;
}
