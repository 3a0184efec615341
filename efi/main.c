/* The firmware shell around the portable core: arguments in, CPUID (or a
 * dump from the ESP) through the core, the report out to the console and
 * the boot volume, the verdict out as the exit status (and, on request, to
 * QEMU's isa-debug-exit port and by powering off). */
#include <efi.h>
#include <efilib.h>

#include "arch.h"
#include "ascii.h"
#include "checks.h"
#include "console.h"
#include "cpuid_dump.h"
#include "cvm.h"
#include "drift.h"
#include "esp_files.h"
#include "firmware_tables.h"
#include "hv_render.h"
#include "judge.h"
#include "labels.h"
#include "options.h"
#include "report_reader.h"
#include "smbios_tables.h"
#include "vcpus.h"

/* The exit contract (README, "Exit statuses"). */
#define STATUS_PASS EFI_SUCCESS
#define STATUS_USAGE EFI_INVALID_PARAMETER
#define STATUS_FAILED EFI_UNSUPPORTED
#define STATUS_NOT_DONE EFI_ABORTED

#define IMAGE_DIRECTORY_MAX 200

/* The default log and the configuration sit beside the image: at the root
 * for \hvfeat.efi and for the removable-media \EFI\BOOT\BOOTX64.EFI, in
 * \EFI\hvfeat\ when installed there. */
static struct {
	char log[IMAGE_DIRECTORY_MAX + sizeof("\\hvfeat.log")];
	char config[IMAGE_DIRECTORY_MAX + sizeof("\\hvfeat.cfg")];
} beside = { HVFEAT_DEFAULT_LOG, "\\hvfeat.cfg" };

/* The verdict, kept past the report's memory for the exit classes; NULL
 * until the results were judged. */
static struct verdict verdict;
static const struct verdict *judged;

/* Pool memory the run allocated, released on every way out: an application
 * that exits does not get its pool back otherwise. Memory is only ever
 * allocated through here, so nothing the run uses can be freed early. */
static struct {
	void *items[32];
	UINTN count;
} kept;

/* NULL when the pool, or the list, is full; never a pointer that is not
 * kept. */
static void *allocate_kept(size_t size)
{
	void *p = NULL;

	if (kept.count < sizeof(kept.items) / sizeof(kept.items[0]))
		p = AllocatePool(size);
	if (p)
		kept.items[kept.count++] = p;
	return p;
}

static void release_kept(void)
{
	while (kept.count)
		FreePool(kept.items[--kept.count]);
}

/* A file of at most limit bytes from the boot volume, NUL-terminated, in
 * kept pool memory. Says why when it cannot be read, unless it is optional
 * and simply absent. */
static EFI_STATUS read_input(EFI_HANDLE image, const char *what, const char *path,
			     bool optional, UINTN limit, char **text, UINTN *length)
{
	const char *failed_step;
	/* Room for limit characters as UCS-2 with its mark, and one byte more
	 * to tell a file that is too large in any encoding. */
	UINTN cap = 2 * limit + 2;
	EFI_STATUS status = esp_file_read(image, path, cap + 1, allocate_kept,
					  text, length, &failed_step);

	if (status == EFI_NOT_FOUND && optional)
		return status;
	if (EFI_ERROR(status)) {
		report_failure(what, path, "not read", failed_step, status);
		return status;
	}
	bool cut = *length > cap;
	*length = text_from_file(*text, *length);
	if (cut || *length > limit) {
		sink_printf(&errors, "hvfeat: %s %s is larger than %u bytes\n", what, path,
			    (unsigned)limit);
		return EFI_BAD_BUFFER_SIZE;
	}
	return EFI_SUCCESS;
}

/* The shell hands over CHAR16 arguments; the core parses ASCII ones.
 * A character past ASCII becomes DEL, which the core refuses as not plain
 * ASCII, rather than a truncated byte that might look like a valid one. */
static EFI_STATUS shell_arguments(INTN count, CHAR16 **words, int *argc,
				  const char ***argv)
{
	UINTN bytes = 0;

	for (INTN i = 0; i < count; i++)
		bytes += StrLen(words[i]) + 1;
	*argv = allocate_kept((UINTN)count * sizeof(char *));
	char *strings = allocate_kept(bytes);
	if (!*argv || !strings)
		return EFI_OUT_OF_RESOURCES;
	for (INTN i = 0; i < count; i++) {
		(*argv)[i] = strings;
		for (CHAR16 *c = words[i]; *c; c++)
			*strings++ = *c <= 0x7e ? (char)*c : 0x7f;
		*strings++ = '\0';
	}
	*argc = (int)count;
	return EFI_SUCCESS;
}

/* Sets the paths beside the image from the file path it was loaded from;
 * a path that is not plain ASCII, or too long, leaves them at the root. */
static void find_files_beside_image(const EFI_LOADED_IMAGE *loaded)
{
	char directory[IMAGE_DIRECTORY_MAX];
	UINTN length = 0, last_separator = 0;

	if (!loaded || !loaded->FilePath)
		return;
	CHAR16 *path = DevicePathToStr(loaded->FilePath);
	if (!path)
		return;
	for (CHAR16 *c = path; *c; c++) {
		if (!ascii_printable(*c) || length + 1 >= sizeof(directory)) {
			FreePool(path);
			return;
		}
		directory[length] = *c == '/' ? '\\' : (char)*c;
		if (directory[length] == '\\')
			last_separator = length;
		length++;
	}
	FreePool(path);
	directory[last_separator] = '\0';
	/* Not a file path (a vendor node, QEMU's kernel loader), or the root. */
	if (directory[0] != '\\' || ascii_equal(directory, "\\EFI\\BOOT", true))
		return;
	format_text(beside.log, sizeof(beside.log), "%s\\hvfeat.log", directory);
	format_text(beside.config, sizeof(beside.config), "%s\\hvfeat.cfg", directory);
}

/* The load options: their words, argc 1 when they have none; when they are
 * not text, the power and port options found in their bytes. */
static EFI_STATUS load_option_words(const EFI_LOADED_IMAGE *loaded,
				    struct option_words *words,
				    struct hvfeat_options *options,
				    enum load_options_kind *kind)
{
	const void *bytes = loaded ? loaded->LoadOptions : NULL;
	UINTN size = bytes ? loaded->LoadOptionsSize : 0;
	UINTN length;
	char *text = allocate_kept((size < CONFIG_MAX_BYTES ? size : CONFIG_MAX_BYTES) + 1);

	if (!text)
		return EFI_OUT_OF_RESOURCES;
	*kind = load_options_text(bytes, size, text, &length, &errors);
	if (*kind == LOAD_OPTIONS_NOT_TEXT)
		power_options_in_bytes(bytes, size, options);
	if (*kind == LOAD_OPTIONS_TEXT)
		split_load_options(text, length, words);
	return EFI_SUCCESS;
}

/* The options, first found first: the UEFI shell's arguments, the words of
 * the load options, else hvfeat.cfg beside the image when that file exists
 * (load options that are only the image's own path have no words). Not
 * gnu-efi's GetShellArgcArgv: without a shell it parses the load options
 * itself, taking their first word for the image path (QEMU's -append and
 * some boot managers do not put it there) and binary optional data for
 * words. */
static EFI_STATUS gather_options(EFI_HANDLE image, const EFI_LOADED_IMAGE *loaded,
				 struct hvfeat_options *options,
				 enum options_outcome *outcome)
{
	static struct option_words words = { .argv = { "hvfeat.efi" }, .argc = 1 };
	const char *origin = "load options";

	if (shell_parameters) {
		int argc;
		const char **argv;
		EFI_STATUS status = shell_arguments((INTN)shell_parameters->Argc,
						    shell_parameters->Argv, &argc, &argv);
		if (EFI_ERROR(status))
			return status;
		*outcome = parse_options(argc, argv, beside.log, options, &errors);
		return EFI_SUCCESS;
	}
	enum load_options_kind kind;
	EFI_STATUS status = load_option_words(loaded, &words, options, &kind);
	if (EFI_ERROR(status))
		return status;
	if (kind == LOAD_OPTIONS_NOT_TEXT) {
		*outcome = OPTIONS_USAGE_ERROR;
		return EFI_SUCCESS;
	}
	/* Booted from the network or a firmware volume, hvfeat has no volume
	 * to find a configuration on: it runs with the defaults. */
	if (words.argc == 1 && esp_boot_volume_has_files(image)) {
		char *text;
		UINTN length;
		status = read_input(image, "configuration", beside.config, true,
				    CONFIG_MAX_BYTES, &text, &length);
		if (EFI_ERROR(status) && status != EFI_NOT_FOUND)
			return STATUS_NOT_DONE;
		if (!EFI_ERROR(status)) {
			origin = beside.config;
			split_config(text, length, &words);
		}
	}
	*outcome = parse_option_words(&words, origin, beside.log, options, &errors);
	return EFI_SUCCESS;
}

static EFI_STATUS write_output(EFI_HANDLE image, const char *what,
			       const char *path, const char *text, UINTN length);

/* What -f replayed: the dump, for its CPU sections. */
static struct replay {
	const struct cpuid_dump *dump;
	bool json;
} replayed;

/* A cpuid -r dump or a JSON report of hvfeat's (-f, --baseline) from the
 * boot volume, as a CPUID source, and its SMCCC answers, when it has an
 * SMCCC section and smccc is not NULL, as an SMCCC source; the dump into
 * *kept when not NULL. */
static EFI_STATUS recording_source(EFI_HANDLE image, const char *what, const char *path,
				   struct cpuid_source *source, struct smccc_source *smccc,
				   struct replay *kept)
{
	struct buffer_sink name;
	char *text;
	UINTN length;

	if (EFI_ERROR(read_input(image, what, path, false, REPORT_MAX_BYTES, &text, &length)))
		return STATUS_NOT_DONE;
	struct cpuid_dump *dump = allocate_kept(sizeof(*dump));
	struct cpuid_recording *recording = allocate_kept(sizeof(*recording));
	UINTN description_size = sizeof("JSON report ") + text_length(path);
	char *description = allocate_kept(description_size);
	if (!dump || !recording || !description) {
		sink_puts(&errors, "hvfeat: out of memory\n");
		return EFI_OUT_OF_RESOURCES;
	}
	bool json = cpuid_input_is_json(text, length);
	if (!cpuid_input_parse(dump, text, length)) {
		render_dump_problems(dump, path, &errors);
		return STATUS_NOT_DONE;
	}
	recording->records = dump->records;
	recording->count = dump->record_count;
	if (kept)
		*kept = (struct replay){ dump, json };
	string_sink_init(&name, description, description_size);
	sink_printf(&name.sink, "%s %s", json ? "JSON report" : "dump", path);
	if (dump->record_count)
		cpuid_source_recorded(source, recording, string_sink_finish(&name));
	else
		cpuid_source_none(source, string_sink_finish(&name)); /* an Arm run */
	if (dump->smccc.present && smccc)
		smccc_source_recorded(smccc, &dump->smccc, source->description);
	return EFI_SUCCESS;
}

/* What the messages of a step said first, kept for a result's detail. */
static char said[160];
static struct buffer_sink said_sink;
static struct text_sink errors_shown;

static void said_write(struct text_sink *self, const char *text, size_t length)
{
	(void)self;
	said_sink.sink.write(&said_sink.sink, text, length);
	errors_shown.write(&errors_shown, text, length);
}

/* The golden report of --baseline, scanned as a replay of it is (its
 * leaves, SMCCC answers and Arm ID registers); NULL when it cannot be
 * used, with the first line of what was said about it (without "hvfeat: ")
 * in *failure. */
static const struct hv_report *load_baseline(EFI_HANDLE image, const char *path,
					     const char **failure)
{
	struct cpuid_source source;
	struct smccc_source smccc = { .call = NULL };
	struct replay golden = { NULL, false };

	string_sink_init(&said_sink, said, sizeof(said));
	errors_shown = errors;
	errors.write = said_write;
	EFI_STATUS status = recording_source(image, "baseline", path, &source, &smccc, &golden);
	errors = errors_shown;
	string_sink_finish(&said_sink);
	struct hv_report *baseline = EFI_ERROR(status) ? NULL : allocate_kept(sizeof(*baseline));
	if (!baseline) {
		UINTN end = 0;
		while (said[end] && said[end] != '\n')
			end++;
		said[end] = '\0';
		if (!EFI_ERROR(status)) {
			sink_puts(&errors, "hvfeat: out of memory\n");
			*failure = "out of memory for the baseline";
		} else {
			*failure = ascii_after_prefix(said, "hvfeat: ", false);
			if (!*failure)
				*failure = said;
		}
		return NULL;
	}
	hv_scan(baseline, &source);
	if (smccc.call)
		smccc_scan(&baseline->smccc, &smccc);
	arm_id_replay(&baseline->arm_id, &golden.dump->arm_id);
	return baseline;
}

/* --write-policy, through the same replacement as the log. */
static EFI_STATUS write_policy(EFI_HANDLE image, const struct hv_report *report,
			       const char *path)
{
	struct buffer_sink measure, sink;

	buffer_sink_init(&measure, NULL, 0);
	size_t count = render_policy(report, &measure.sink);
	if (count > MAX_REQUIREMENTS) {
		sink_printf(&errors, "hvfeat: policy %s not written: it would hold %u "
				     "requirements, more than a policy takes (%u)\n",
			    path, (unsigned)count, MAX_REQUIREMENTS);
		return STATUS_NOT_DONE;
	}
	char *text = allocate_kept(measure.length ? measure.length : 1);
	if (!text) {
		sink_puts(&errors, "hvfeat: out of memory\n");
		return EFI_OUT_OF_RESOURCES;
	}
	buffer_sink_init(&sink, text, measure.length);
	render_policy(report, &sink.sink);
	return write_output(image, "policy", path, text, sink.length);
}

static EFI_STATUS gather_requirements(EFI_HANDLE image,
				      const struct hvfeat_options *options,
				      struct requirement_list *list)
{
	list->count = 0;
	if (!requirements_add_options(list, options, &errors))
		return STATUS_USAGE;
	if (options->policy_path) {
		char *text;
		UINTN length;
		if (EFI_ERROR(read_input(image, "policy", options->policy_path, false,
					 POLICY_MAX_BYTES, &text, &length)))
			return STATUS_NOT_DONE;
		if (!requirements_add(list, text, length, options->policy_path, &errors))
			return STATUS_USAGE;
	}
	return EFI_SUCCESS;
}

/* Writes one output file; says what failed, and returns the status. A
 * PATH.old left beside the written file is a warning, not a failure. */
static EFI_STATUS write_output(EFI_HANDLE image, const char *what,
			       const char *path, const char *text, UINTN length)
{
	const char *failed_step = "";
	EFI_STATUS old_left = EFI_SUCCESS;
	EFI_STATUS status = esp_file_replace(image, path, text, length, &failed_step,
					     &old_left);

	if (EFI_ERROR(status))
		report_failure(what, path, "not written", failed_step, status);
	else if (EFI_ERROR(old_left))
		report_failure(what, path, "written", failed_step, old_left);
	return status;
}

/* The scan's leaves on every vCPU: a replayed dump's CPU sections, or
 * this machine's processors. */
static void read_vcpus(struct hv_report *report, const struct hvfeat_options *options)
{
	if (options->replay_path)
		vcpus_read_dump(report, replayed.dump, replayed.json);
	else
		arch_read_vcpus(report);
}

static EFI_STATUS run(EFI_HANDLE image, struct hvfeat_options *options)
{
	static struct requirement_list requirements;
	struct cpuid_source source;
	struct smccc_source smccc = { .call = NULL };
	enum options_outcome outcome;

	EFI_LOADED_IMAGE *loaded;
	if (EFI_ERROR(BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&loaded)))
		loaded = NULL;
	find_files_beside_image(loaded);
	EFI_STATUS status = gather_options(image, loaded, options, &outcome);
	if (EFI_ERROR(status))
		return status;
	switch (outcome) {
	case OPTIONS_SHOW_HELP:
		render_usage("hvfeat.efi", beside.log, &console);
		return STATUS_PASS;
	case OPTIONS_LIST_KEYS:
		render_requirement_keys(&console);
		return STATUS_PASS;
	case OPTIONS_LIST_LABELS:
		render_result_labels(&console);
		return STATUS_PASS;
	case OPTIONS_SHOW_VERSION:
		render_version("hvfeat.efi", &console);
		return STATUS_PASS;
	case OPTIONS_USAGE_ERROR:
		render_usage("hvfeat.efi", beside.log, &errors);
		return STATUS_USAGE;
	case OPTIONS_RUN:
		break;
	}
	status = gather_requirements(image, options, &requirements);
	if (EFI_ERROR(status))
		return status;

	if (options->replay_path)
		status = recording_source(image, "dump", options->replay_path, &source, &smccc,
					  &replayed);
	else
		cpuid_source_hardware(&source);
	if (EFI_ERROR(status))
		return status;
	/* A baseline that cannot be used costs the comparison, not the run:
	 * the report is made and written, drift.baseline is skipped, and the
	 * status says the work was not all done. */
	const char *baseline_failure = NULL;
	const struct hv_report *baseline =
		options->baseline_path
			? load_baseline(image, options->baseline_path, &baseline_failure)
			: NULL;

	struct hv_report *report = allocate_kept(sizeof(*report));
	size_t length = 0, json_length = 0, junit_length = 0;
	char *text = NULL, *json = NULL, *junit = NULL;
	if (report) {
		bool probes = options->probe || requirements_need_probes(&requirements);
		hv_scan(report, &source);
		read_vcpus(report, options);
		if (options->replay_path) {
			smbios_not_read(&report->smbios, NOT_READ_FROM_RECORDING);
			if (smccc.call)
				smccc_scan(&report->smccc, &smccc);
			arm_id_replay(&report->arm_id, &replayed.dump->arm_id);
			cvm_examine(report, NULL, NOT_READ_FROM_RECORDING, NULL);
			if (probes)
				probe_not_run(report, NOT_READ_FROM_RECORDING);
		} else {
			smbios_tables_read(&report->smbios);
			acpi_read_fadt(firmware_acpi_rsdp(), &report->fadt);
			arch_examine(report, options, probes);
		}
		hv_check(report, &requirements);
		hv_judge(report, &(struct judge_settings){ .waivers = &requirements.waivers,
							   .strict = options->strict,
							   .baseline = baseline,
							   .baseline_failure = baseline_failure });
		verdict = report->verdict;
		judged = &verdict;
		text = render_to_memory(report, options->format, allocate_kept,
					&length);
		if (options->json_path)
			json = render_to_memory(report, OUTPUT_JSON, allocate_kept,
						&json_length);
		if (options->junit_path)
			junit = render_to_memory(report, OUTPUT_JUNIT, allocate_kept,
						 &junit_length);
	}
	if (!text || (options->json_path && !json) || (options->junit_path && !junit)) {
		sink_puts(&errors, "hvfeat: out of memory\n");
		return STATUS_NOT_DONE;
	}
	console_show_report(text, length, options->page_break);

	bool written = true;
	if (options->json_path)
		written = !EFI_ERROR(write_output(image, "JSON file", options->json_path,
						  json, json_length));
	if (options->junit_path)
		written = !EFI_ERROR(write_output(image, "JUnit file", options->junit_path,
						  junit, junit_length)) && written;
	if (options->log_path)
		written = !EFI_ERROR(write_output(image, "log", options->log_path, text,
						  length)) && written;
	if (options->write_policy_path)
		written = !EFI_ERROR(write_policy(image, report, options->write_policy_path)) &&
			  written;
	/* hvfeat leaves the machine as it found it, or says it did not: an MSR
	 * not put back (its pages kept reserved) or a handler left registered
	 * is work not done. */
	if (!written || baseline_failure || report->probes.handlers_left ||
	    report->cvm.handlers_left || report->smccc.handlers_left ||
	    report->probes.pages_in_use)
		return STATUS_NOT_DONE;
	return verdict.passed ? STATUS_PASS : STATUS_FAILED;
}

/* Whatever went wrong on the way, automation sees one of four statuses. */
static EFI_STATUS contract_status(EFI_STATUS status)
{
	if (status == STATUS_PASS || status == STATUS_USAGE ||
	    status == STATUS_FAILED)
		return status;
	return STATUS_NOT_DONE;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table)
{
	struct hvfeat_options options = { 0 };

	InitializeLib(image, system_table);
	/* A boot manager arms the 5-minute watchdog before it starts an image
	 * (UEFI 2.x, 3.1.2 and SetWatchdogTimer); a long console write or a
	 * paged report must not reset the machine. It stays off after the run,
	 * as every launcher wants it: edk2's boot manager disables it itself
	 * when the image returns (MdeModulePkg UefiBootManagerLib BmBoot.c,
	 * EfiBootManagerBoot); the shell disabled it at its start (ShellPkg
	 * Application/Shell/Shell.c); GRUB and Limine disable it once at theirs
	 * and not again after a chainloaded image returns (GRUB
	 * grub-core/kern/efi/init.c, grub_efi_init; Limine common/entry.s3.c);
	 * systemd-boot re-arms its own each time it waits for a key
	 * (src/boot/efi/console.c, console_key_read); OVMF's -kernel loader
	 * never arms it.
	 * Re-armed, it would reset a machine five minutes into GRUB's menu. */
	console_init(image);
	BS->SetWatchdogTimer(0, 0, 0, NULL);
	EFI_STATUS status = contract_status(run(image, &options));
	release_kept();

	/* Every file is closed by now. */
	if (options.exit_port)
		arch_exit_port(image,
			       exit_classes(status == STATUS_USAGE	  ? RUN_USAGE_ERROR
					    : status == STATUS_NOT_DONE ? RUN_NOT_DONE
									: RUN_JUDGED,
					    judged),
			       status);
	if (options.shutdown)
		RT->ResetSystem(EfiResetShutdown, status, 0, NULL);
	return status;
}
