/* Command-line options, parsed the same way in firmware and in tests. */
#ifndef HVFEAT_OPTIONS_H
#define HVFEAT_OPTIONS_H

#include <stdbool.h>

#include "text_sink.h"

#define HVFEAT_DEFAULT_LOG "\\hvfeat.log"

struct hvfeat_options {
	const char *log_path; /* NULL: write no log */
};

enum options_outcome {
	OPTIONS_RUN,
	OPTIONS_SHOW_HELP,
	OPTIONS_USAGE_ERROR, /* the reason went to errors */
};

/* argv[0] is the program name. Strings are borrowed, not copied. */
enum options_outcome parse_options(int argc, const char *const argv[],
				   struct hvfeat_options *options,
				   struct text_sink *errors);

void render_usage(struct text_sink *out);

#endif
