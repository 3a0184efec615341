/* Command-line options, parsed the same way in firmware, on the host and
 * in tests. */
#ifndef HVFEAT_OPTIONS_H
#define HVFEAT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe.h"
#include "text_sink.h"

#define HVFEAT_VERSION "1.0"
#define HVFEAT_DEFAULT_LOG "\\hvfeat.log"

enum output_format { OUTPUT_TEXT, OUTPUT_RAW, OUTPUT_JSON };

#define MAX_REQUIRE_OPTIONS 16
#define MAX_CONFIG_ARGUMENTS 64
#define CONFIG_MAX_BYTES (64u * 1024u)

struct hvfeat_options {
	enum output_format format; /* of the console and the log alike */
	const char *log_path;      /* NULL: write no log */
	const char *json_path;     /* NULL: no extra JSON file */
	const char *replay_path;   /* NULL: execute CPUID */
	const char *policy_path;   /* NULL: no policy file */
	const char *requirements[MAX_REQUIRE_OPTIONS]; /* --require lists */
	int requirement_count;
	bool shutdown;  /* power off once the files are closed */
	bool exit_port; /* report the verdict through isa-debug-exit */
	bool page_break; /* the shell's page breaks, as its own -b */
	bool probe;      /* run the functional probes */
	struct forced_msr forced; /* --probe-msr, for testing the #GP guard */
};

enum options_outcome {
	OPTIONS_RUN,
	OPTIONS_SHOW_HELP,
	OPTIONS_LIST_KEYS,   /* --list-keys: the requirement keys, then exit */
	OPTIONS_SHOW_VERSION,
	OPTIONS_USAGE_ERROR, /* the reason went to errors */
};

/* argv[0] is the program name; strings are borrowed, not copied.
 * default_log is the log written when neither -l nor -n is given; it also
 * says the options are firmware's, where every argument must be printable
 * ASCII and --shutdown and --exit-port exist. After a usage error those two
 * are still set when they appear anywhere in argv, so that automation is
 * told and powered off. */
enum options_outcome parse_options(int argc, const char *const argv[],
				   const char *default_log,
				   struct hvfeat_options *options,
				   struct text_sink *errors);

/* Splits a configuration file's text in place into argv[1..]: arguments are
 * separated by white space, '#' starts a comment to the end of the line.
 * text[length] must be writable: it becomes the last NUL. argv[0] is left
 * to the caller. Returns the argc, or -1 when there are more than
 * capacity - 1 arguments. */
int split_config(char *text, size_t length, const char *argv[], int capacity);

/* Load options, count UCS-2 code units as a firmware boot entry, a boot
 * manager or QEMU's -append hands them over, as ASCII text in out (count + 1
 * bytes). False when they are not text (a code unit past Latin-1 or a
 * control character, or data after the terminator): edk2's own boot
 * entries carry a binary GUID there, which must not be taken for options.
 * Units past ASCII become DEL, which parse_options refuses. */
bool load_options_text(const uint16_t *units, size_t count, char *out);

/* split_config for load options, without the image's own path when a boot
 * manager put it first. */
int split_load_options(char *text, size_t length, const char *argv[], int capacity);

/* "hvfeat.efi 1.0" or "hvfeat 1.0". */
void render_version(const char *program, struct text_sink *out);

/* program is "hvfeat.efi" or "hvfeat"; default_log as above. */
void render_usage(const char *program, const char *default_log,
		  struct text_sink *out);

#endif
