/* hvfeat for Linux: the same core, reading the CPUID of the machine it runs
 * on (a VM, typically) or a dump, and writing to stdout and files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "checks.h"
#include "cpuid_dump.h"
#include "hv_render.h"
#include "judge.h"
#include "options.h"

/* The exit status is the exit classes (results.h; README, "Exit
 * statuses"); these name how the run ended. */
enum { EXIT_OK = 0, EXIT_NOT_DONE = 1, EXIT_USAGE = 2 };

static int exit_status(int ended, const struct verdict *verdict)
{
	return exit_classes(ended == EXIT_USAGE	      ? RUN_USAGE_ERROR
			    : ended == EXIT_NOT_DONE ? RUN_NOT_DONE
						     : RUN_JUDGED,
			    verdict);
}

static void file_write(struct text_sink *self, const char *text, size_t length)
{
	fwrite(text, 1, length, self->context);
}

/* Like the firmware: the text goes to PATH.tmp and replaces PATH only whole. */
static int write_file(const char *what, const char *path, const char *text,
		      size_t length)
{
	size_t temp_length = strlen(path) + 5;
	char *temp = malloc(temp_length);
	FILE *f = NULL;
	int ok = temp != NULL;

	if (ok) {
		snprintf(temp, temp_length, "%s.tmp", path);
		f = fopen(temp, "wb");
		ok = f && fwrite(text, 1, length, f) == length;
		ok = f && fclose(f) == 0 && ok;
		ok = ok && rename(temp, path) == 0;
		if (!ok) {
			fprintf(stderr, "hvfeat: %s %s not written: %s\n", what, path,
				strerror(errno));
			if (f)
				remove(temp);
		}
	}
	free(temp);
	return ok ? EXIT_OK : EXIT_NOT_DONE;
}

/* A file of at most limit bytes of text ("-": standard input),
 * NUL-terminated, read as the firmware reads it: UCS-2 with its mark (the
 * UEFI shell's '>') and UTF-8 with one are taken like ASCII. */
static char *read_input(const char *what, const char *path, size_t limit,
			size_t *length)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	/* Room for limit characters as UCS-2 with its mark, and one byte more
	 * to tell a file that is too large in any encoding. */
	size_t cap = 2 * limit + 2;
	char *text = malloc(cap + 2);

	if (!f || !text) {
		fprintf(stderr, "hvfeat: %s %s not read: %s\n", what, path, strerror(errno));
		free(text);
		return NULL;
	}
	*length = fread(text, 1, cap + 1, f);
	int failed = ferror(f);
	if (f != stdin)
		fclose(f);
	bool cut = *length > cap;
	if (!failed)
		*length = text_from_file(text, *length);
	if (failed || cut || *length > limit) {
		if (failed)
			fprintf(stderr, "hvfeat: %s %s not read: read error\n", what, path);
		else
			fprintf(stderr, "hvfeat: %s %s is larger than %zu bytes\n", what,
				path, limit);
		free(text);
		return NULL;
	}
	return text;
}

static int gather_requirements(const struct hvfeat_options *options,
			       struct requirement_list *list, struct text_sink *err)
{
	if (!requirements_add_options(list, options, err))
		return EXIT_USAGE;
	if (options->policy_path) {
		size_t length;
		char *text = read_input("policy", options->policy_path, POLICY_MAX_BYTES,
					&length);
		if (!text)
			return EXIT_NOT_DONE;
		int added = requirements_add(list, text, length, options->policy_path, err);
		free(text);
		if (!added)
			return EXIT_USAGE;
	}
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct text_sink out = { file_write, stdout }, err = { file_write, stderr };
	static struct cpuid_dump dump;
	static struct cpuid_recording recording;
	static struct hv_report report;
	static struct requirement_list requirements;
	struct hvfeat_options options;
	struct cpuid_source source;

	switch (parse_options(argc, (const char *const *)argv, NULL, &options, &err)) {
	case OPTIONS_SHOW_HELP:
		render_usage("hvfeat", NULL, &out);
		return EXIT_OK;
	case OPTIONS_LIST_KEYS:
		render_requirement_keys(&out);
		return EXIT_OK;
	case OPTIONS_LIST_LABELS:
		render_result_labels(&out);
		return EXIT_OK;
	case OPTIONS_SHOW_VERSION:
		render_version("hvfeat", &out);
		return EXIT_OK;
	case OPTIONS_USAGE_ERROR:
		render_usage("hvfeat", NULL, &err);
		return exit_status(EXIT_USAGE, NULL);
	case OPTIONS_RUN:
		break;
	}

	int status = gather_requirements(&options, &requirements, &err);
	if (status != EXIT_OK)
		return exit_status(status, NULL);

	if (options.replay_path) {
		static char description[4096];
		size_t length;
		char *text = read_input("dump", options.replay_path, DUMP_MAX_BYTES, &length);
		if (!text)
			return exit_status(EXIT_NOT_DONE, NULL);
		int parsed = cpuid_dump_parse(&dump, text, length);
		free(text);
		if (!parsed) {
			render_dump_problems(&dump, options.replay_path, &err);
			return exit_status(EXIT_NOT_DONE, NULL);
		}
		recording.records = dump.records;
		recording.count = dump.record_count;
		snprintf(description, sizeof(description), "dump %s", options.replay_path);
		cpuid_source_recorded(&source, &recording, description);
	} else {
		cpuid_source_hardware(&source);
	}

	hv_scan(&report, &source);
	/* A Linux process cannot touch MSRs or the PM timer as firmware can. */
	if (options.probe || requirements_need_probes(&requirements))
		probe_not_run(&report, "probes run only in firmware (hvfeat.efi)");
	hv_check(&report, &requirements);
	hv_judge(&report, &(struct judge_settings){ &requirements.waivers, options.strict });
	size_t length, json_length = 0, junit_length = 0;
	char *text = render_to_memory(&report, options.format, malloc, &length);
	char *json = options.json_path
			     ? render_to_memory(&report, OUTPUT_JSON, malloc, &json_length)
			     : NULL;
	char *junit = options.junit_path
			      ? render_to_memory(&report, OUTPUT_JUNIT, malloc, &junit_length)
			      : NULL;
	if (!text || (options.json_path && !json) || (options.junit_path && !junit)) {
		fprintf(stderr, "hvfeat: out of memory\n");
		return exit_status(EXIT_NOT_DONE, &report.verdict);
	}
	out.write(&out, text, length);
	status = fflush(stdout) == 0 ? EXIT_OK : EXIT_NOT_DONE;
	if (options.log_path && write_file("log", options.log_path, text, length))
		status = EXIT_NOT_DONE;
	if (json && write_file("JSON file", options.json_path, json, json_length))
		status = EXIT_NOT_DONE;
	if (junit && write_file("JUnit file", options.junit_path, junit, junit_length))
		status = EXIT_NOT_DONE;
	free(text);
	free(json);
	free(junit);
	return exit_status(status, &report.verdict);
}
