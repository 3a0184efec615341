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

/* The formats of the console and the log (-q, -r, -j, --tap); JUnit is
 * only ever the --junit file's. */
enum output_format {
	OUTPUT_TEXT,
	OUTPUT_QUIET,
	OUTPUT_RAW,
	OUTPUT_JSON,
	OUTPUT_TAP,
	OUTPUT_JUNIT,
};

#define MAX_REQUIRE_OPTIONS 16
#define MAX_CONFIG_ARGUMENTS 64
#define CONFIG_MAX_BYTES (64u * 1024u)

struct hvfeat_options {
	enum output_format format; /* of the console and the log alike */
	const char *log_path;      /* NULL: write no log */
	const char *json_path;     /* NULL: no extra JSON file */
	const char *junit_path;    /* NULL: no JUnit XML file */
	const char *replay_path;   /* NULL: execute CPUID (-f: a dump or a JSON report) */
	const char *policy_path;   /* NULL: no policy file */
	const char *baseline_path; /* NULL: no --baseline */
	const char *write_policy_path; /* NULL: no --write-policy */
	const char *requirements[MAX_REQUIRE_OPTIONS]; /* --require lists */
	int requirement_count;
	const char *waivers[MAX_REQUIRE_OPTIONS]; /* --waive lists */
	int waiver_count;
	bool strict;    /* warnings fail the verdict */
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
	OPTIONS_LIST_LABELS, /* --list-labels: every result label, then exit */
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

/* The words of a configuration file or of load options, split in place. */
struct option_words {
	/* argv[0] is left to the caller; one more word than parse_option_words
	 * takes, for the image path split_load_options drops */
	const char *argv[MAX_CONFIG_ARGUMENTS + 1];
	int argc;         /* 1 + every word, counting those past argv's room */
	const char *text; /* what they were split in: the words between NULs */
	size_t length;
};

/* Splits a configuration file's text in place into words: they are
 * separated by white space, '#' starts a comment to the end of the line.
 * text[length] must be writable: it becomes the last NUL. */
void split_config(char *text, size_t length, struct option_words *words);

/* split_config for load options, without the image's own path when a boot
 * manager put it first: a first word that does not start with '-'. */
void split_load_options(char *text, size_t length, struct option_words *words);

/* parse_options over split words, origin naming them in messages. More
 * than MAX_CONFIG_ARGUMENTS - 1 words are a usage error
 * that, like any other, still sets --shutdown and --exit-port when they
 * stand anywhere among the words. */
enum options_outcome parse_option_words(const struct option_words *words,
					const char *origin, const char *default_log,
					struct hvfeat_options *options,
					struct text_sink *errors);

/* What load options hold, as a firmware boot entry's optional data, a boot
 * manager's options line or QEMU's -append hand them over. */
enum load_options_kind {
	LOAD_OPTIONS_NONE,     /* no bytes, or the 16-byte GUID of edk2's own entries */
	LOAD_OPTIONS_TEXT,     /* text, now ASCII in out */
	LOAD_OPTIONS_NOT_TEXT, /* a usage error; why went to errors */
};

/* Reads size bytes of load options as text: UCS-2 (an optional byte-order
 * mark, then code units up to Latin-1 and white space, then only NULs) or
 * 8-bit ASCII (printable characters and white space, then only NULs), as
 * efibootmgr -@ and bcfg -opt store a file's bytes. Text goes to out, which
 * has room for min(size, CONFIG_MAX_BYTES) + 1 bytes, with *length its
 * length; units past ASCII become DEL, which parse_options refuses. Any
 * other bytes, and text longer than CONFIG_MAX_BYTES, are NOT_TEXT, with
 * a message that says why. */
enum load_options_kind load_options_text(const void *bytes, size_t size, char *out,
					 size_t *length, struct text_sink *errors);

/* Sets --shutdown and --exit-port in options when either stands as a word
 * in bytes read as ASCII or as UCS-2: load options that cannot be read
 * still power a VM off and tell automation, as a usage error does. */
void power_options_in_bytes(const void *bytes, size_t size,
			    struct hvfeat_options *options);

/* "hvfeat.efi 1.0" or "hvfeat 1.0". */
void render_version(const char *program, struct text_sink *out);

/* program is "hvfeat.efi" or "hvfeat"; default_log as above. */
void render_usage(const char *program, const char *default_log,
		  struct text_sink *out);

#endif
