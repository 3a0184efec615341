/* hvfeat for Linux: the same core, reading the CPUID of the machine it runs
 * on (a VM, typically) or a dump, and writing to stdout and files. */
#define _GNU_SOURCE /* sched_setaffinity */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "checks.h"
#include "cpuid_dump.h"
#include "drift.h"
#include "hv_render.h"
#include "judge.h"
#include "labels.h"
#include "options.h"
#include "report_reader.h"
#include "vcpus.h"

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
			size_t *length, struct text_sink *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	/* Room for limit characters as UCS-2 with its mark, and one byte more
	 * to tell a file that is too large in any encoding. */
	size_t cap = 2 * limit + 2;
	char *text = malloc(cap + 2);

	if (!f || !text) {
		sink_printf(err, "hvfeat: %s %s not read: %s\n", what, path, strerror(errno));
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
			sink_printf(err, "hvfeat: %s %s not read: read error\n", what, path);
		else
			sink_printf(err, "hvfeat: %s %s is larger than %lu bytes\n", what, path,
				    (uint64_t)limit);
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
					&length, err);
		if (!text)
			return EXIT_NOT_DONE;
		int added = requirements_add(list, text, length, options->policy_path, err);
		free(text);
		if (!added)
			return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* What a message said, kept for a result's detail as well as shown. */
static char said[256];
static struct buffer_sink said_sink;

static void said_write(struct text_sink *self, const char *text, size_t length)
{
	said_sink.sink.write(&said_sink.sink, text, length);
	file_write(self, text, length);
}

/* A cpuid -r dump or a JSON report of hvfeat's (-f, --baseline) as a CPUID
 * source; EXIT_NOT_DONE, having said why, when it cannot be read or is
 * neither. */
static int load_recording(const char *what, const char *path, struct cpuid_dump *dump,
			  struct cpuid_recording *recording, char *description, size_t size,
			  struct cpuid_source *source, bool *json_report, struct text_sink *err)
{
	size_t length;
	char *text = read_input(what, path, REPORT_MAX_BYTES, &length, err);

	if (!text)
		return EXIT_NOT_DONE;
	bool json = cpuid_input_is_json(text, length);
	int parsed = cpuid_input_parse(dump, text, length);
	*json_report = json;
	free(text);
	if (!parsed) {
		render_dump_problems(dump, path, err);
		return EXIT_NOT_DONE;
	}
	recording->records = dump->records;
	recording->count = dump->record_count;
	snprintf(description, size, "%s %s", json ? "JSON report" : "dump", path);
	if (dump->record_count)
		cpuid_source_recorded(source, recording, description);
	else
		cpuid_source_none(source, description); /* an Arm run: SMCCC alone */
	return EXIT_OK;
}

/* A recording's CPUID leaves, then its SMCCC answers and its Arm ID
 * registers when it has them: -f's report and --baseline's alike. */
static void scan_recording(struct hv_report *report, const struct cpuid_source *source,
			   const struct cpuid_dump *dump)
{
	struct smccc_source smccc;

	hv_scan(report, source);
	if (dump->smccc.present) {
		smccc_source_recorded(&smccc, &dump->smccc, source->description);
		smccc_scan(&report->smccc, &smccc);
	}
	arm_id_replay(&report->arm_id, &dump->arm_id);
}

/* The golden report of --baseline, scanned as this run's was; NULL when it
 * could not be read, with why in *failure (its first message). */
static const struct hv_report *load_baseline(const char *path, const char **failure)
{
	static struct cpuid_dump dump;
	static struct cpuid_recording recording;
	static struct hv_report baseline;
	static char description[4096];
	struct text_sink err = { said_write, stderr };
	struct cpuid_source source;
	bool json;

	buffer_sink_init(&said_sink, said, sizeof(said) - 1);
	int status = load_recording("baseline", path, &dump, &recording, description,
				    sizeof(description), &source, &json, &err);
	said[said_sink.length < sizeof(said) - 1 ? said_sink.length : sizeof(said) - 1] = '\0';
	if (status != EXIT_OK) {
		/* "hvfeat: baseline x not read: ...": the first line, without
		 * the program's name. */
		char *end = strchr(said, '\n');
		if (end)
			*end = '\0';
		*failure = strncmp(said, "hvfeat: ", 8) == 0 ? said + 8 : said;
		return NULL;
	}
	scan_recording(&baseline, &source, &dump);
	return &baseline;
}

/* --- every CPU this process may run on, as vCPUs -------------------------- */

static struct {
	cpu_set_t allowed;
	int cpus[VCPU_MAX];
	size_t count;
} host_cpus;

static bool run_on(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one) == 0;
}

/* The scan runs pinned to the first CPU allowed, the boot vCPU of the
 * report; false when the affinity cannot be read or set. */
static bool pin_to_first_cpu(void)
{
	if (sched_getaffinity(0, sizeof(host_cpus.allowed), &host_cpus.allowed))
		return false;
	for (int cpu = 0; cpu < CPU_SETSIZE && host_cpus.count < VCPU_MAX; cpu++)
		if (CPU_ISSET(cpu, &host_cpus.allowed))
			host_cpus.cpus[host_cpus.count++] = cpu;
	return host_cpus.count && run_on(host_cpus.cpus[0]);
}

static void host_describe(const struct vcpu_source *self, size_t index,
			  struct vcpu_identity *out)
{
	(void)self;
	*out = (struct vcpu_identity){ .number = (uint32_t)host_cpus.cpus[index],
				       .boot = index == 0, .enabled = true, .healthy = true };
}

static enum vcpu_state host_read(const struct vcpu_source *self, size_t index,
				 struct cpuid_record *records, size_t count)
{
	struct cpuid_source cpuid;

	(void)self;
	if (!run_on(host_cpus.cpus[index]))
		return VCPU_NOT_STARTED;
	cpuid_source_hardware(&cpuid);
	for (size_t i = 0; i < count; i++)
		cpuid.query(&cpuid, records[i].leaf, records[i].subleaf, &records[i].regs);
	return VCPU_COMPARED;
}

static void read_host_cpus(struct hv_report *report)
{
	struct vcpu_source source = { .method = "sched_setaffinity, each CPU allowed",
				      .present = (size_t)CPU_COUNT(&host_cpus.allowed),
				      .describe = host_describe, .read = host_read };

	source.enabled = source.present;
	vcpus_read(report, &source);
	sched_setaffinity(0, sizeof(host_cpus.allowed), &host_cpus.allowed);
}

/* Where Linux shows the SMBIOS entry point and table it found
 * (drivers/firmware/dmi_scan.c; root may read them). */
#define DMI_TABLES "/sys/firmware/dmi/tables"
#define SYS_HYPERVISOR_TYPE "/sys/hypervisor/type"

/* Up to size bytes of a file; -1 with errno when it cannot be read. A
 * sysfs file is read whole in one read when it is small enough. */
static long read_bytes(const char *path, unsigned char *buffer, size_t size)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	size_t length = fread(buffer, 1, size, f);
	int failed = ferror(f);
	fclose(f);
	if (failed) {
		errno = EIO;
		return -1;
	}
	return (long)length;
}

/* The SMBIOS step of the data path, on Linux: the entry point and table
 * the kernel found, and /sys/hypervisor/type (Xen fills it). */
static void read_smbios(struct smbios_report *m)
{
	static unsigned char entry[SMBIOS_ENTRY_POINT_MAX + 1], table[SMBIOS_TABLE_MAX + 1];
	long entry_length = read_bytes(DMI_TABLES "/smbios_entry_point", entry, sizeof(entry));
	long table_length = entry_length < 0 ? -1 : read_bytes(DMI_TABLES "/DMI", table,
							       sizeof(table));

	if (table_length >= 0) {
		smbios_absent(m, DMI_TABLES);
		smbios_parse(m, entry, (size_t)entry_length, table, (size_t)table_length);
	} else {
		int error = errno;
		char why[SMBIOS_REASON_MAX];
		snprintf(why, sizeof(why), "%s: %s%s",
			 entry_length < 0 ? DMI_TABLES "/smbios_entry_point" : DMI_TABLES "/DMI",
			 strerror(error), error == EACCES ? " (root may read it)" : "");
		if (error == ENOENT && entry_length < 0)
			smbios_absent(m, why);
		else
			smbios_not_read(m, why);
	}
	char type[SMBIOS_SYS_HYPERVISOR_MAX];
	long type_length = read_bytes(SYS_HYPERVISOR_TYPE, (unsigned char *)type, sizeof(type));
	if (type_length >= 0)
		smbios_set_sys_hypervisor(m, type, (size_t)type_length);
}

/* The policy --write-policy writes, through write_file. */
static int write_policy(const struct hv_report *report, const char *path)
{
	struct buffer_sink measure;

	buffer_sink_init(&measure, NULL, 0);
	size_t count = render_policy(report, &measure.sink);
	if (count > MAX_REQUIREMENTS) {
		fprintf(stderr, "hvfeat: policy %s not written: it would hold %zu requirements, "
				"more than a policy takes (%u)\n", path, count, MAX_REQUIREMENTS);
		return EXIT_NOT_DONE;
	}
	char *text = malloc(measure.length + 1);
	if (!text) {
		fprintf(stderr, "hvfeat: out of memory\n");
		return EXIT_NOT_DONE;
	}
	struct buffer_sink sink;
	buffer_sink_init(&sink, text, measure.length);
	render_policy(report, &sink.sink);
	int status = write_file("policy", path, text, sink.length);
	free(text);
	return status;
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

	bool pinned = false, json_report = false;
	if (options.replay_path) {
		static char description[4096];
		if (load_recording("dump", options.replay_path, &dump, &recording, description,
				   sizeof(description), &source, &json_report, &err) != EXIT_OK)
			return exit_status(EXIT_NOT_DONE, NULL);
	} else {
		cpuid_source_hardware(&source);
		pinned = pin_to_first_cpu();
	}
	/* A baseline that cannot be used costs the comparison, not the run:
	 * the report is made and written, drift.baseline is skipped, and the
	 * status says the work was not all done. */
	const char *baseline_failure = NULL;
	const struct hv_report *baseline =
		options.baseline_path ? load_baseline(options.baseline_path, &baseline_failure)
				      : NULL;

	if (options.replay_path)
		scan_recording(&report, &source, &dump);
	else
		hv_scan(&report, &source);
	if (options.replay_path) {
		vcpus_read_dump(&report, &dump, json_report);
	} else if (pinned) {
		read_host_cpus(&report);
	} else {
		vcpus_not_read(&report, "this process may not choose its CPU (sched_setaffinity)");
	}
	if (options.replay_path)
		smbios_not_read(&report.smbios, NOT_READ_FROM_RECORDING);
	else
		read_smbios(&report.smbios);
	cvm_examine(&report, NULL,
		    options.replay_path ? NOT_READ_FROM_RECORDING : CVM_NO_MACHINE_HOST, NULL);
	/* A Linux process cannot touch MSRs or the PM timer as firmware can. */
	if (options.probe || requirements_need_probes(&requirements))
		probe_not_run(&report, "probes run only in firmware (hvfeat.efi)");
	hv_check(&report, &requirements);
	hv_judge(&report, &(struct judge_settings){ .waivers = &requirements.waivers,
						    .strict = options.strict,
						    .baseline = baseline,
						    .baseline_failure = baseline_failure });
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
	status = fflush(stdout) == 0 && !baseline_failure ? EXIT_OK : EXIT_NOT_DONE;
	if (options.log_path && write_file("log", options.log_path, text, length))
		status = EXIT_NOT_DONE;
	if (json && write_file("JSON file", options.json_path, json, json_length))
		status = EXIT_NOT_DONE;
	if (junit && write_file("JUnit file", options.junit_path, junit, junit_length))
		status = EXIT_NOT_DONE;
	if (options.write_policy_path && write_policy(&report, options.write_policy_path))
		status = EXIT_NOT_DONE;
	free(text);
	free(json);
	free(junit);
	return exit_status(status, &report.verdict);
}
