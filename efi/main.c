/* The firmware shell around the portable core: arguments in, CPUID (or a
 * dump from the ESP) through the core, the report out to the console and
 * the boot volume. */
#include <efi.h>
#include <efilib.h>

#include "cpuid_dump.h"
#include "esp_files.h"
#include "hv_render.h"
#include "options.h"

static void console_write(struct text_sink *self, const char *text,
			  size_t length)
{
	CHAR16 chunk[128 + 1];
	UINTN used = 0;

	(void)self;
	for (size_t i = 0; i < length; i++) {
		if (used >= 128 - 2) {
			chunk[used] = 0;
			ST->ConOut->OutputString(ST->ConOut, chunk);
			used = 0;
		}
		if (text[i] == '\n')
			chunk[used++] = L'\r';
		chunk[used++] = (CHAR16)(unsigned char)text[i];
	}
	chunk[used] = 0;
	ST->ConOut->OutputString(ST->ConOut, chunk);
}

static struct text_sink console = { console_write, NULL };

/* Pool memory the run allocated, released on every way out: an application
 * that exits does not get its pool back otherwise. */
struct allocations {
	void *items[8];
	UINTN count;
};

static void *keep(struct allocations *a, void *p)
{
	if (p && a->count < sizeof(a->items) / sizeof(a->items[0]))
		a->items[a->count++] = p;
	return p;
}

static EFI_STATUS release(struct allocations *a, EFI_STATUS status)
{
	while (a->count)
		FreePool(a->items[--a->count]);
	return status;
}

/* The shell passes CHAR16 arguments; the core parses ASCII ones. A directly
 * booted image has none, which means the defaults. */
static EFI_STATUS ascii_arguments(EFI_HANDLE image, struct allocations *a,
				  int *argc, char ***argv)
{
	CHAR16 **wide;
	INTN count = GetShellArgcArgv(image, &wide);
	UINTN bytes = 0;

	*argc = 0;
	if (count <= 0)
		return EFI_SUCCESS;
	for (INTN i = 0; i < count; i++)
		bytes += StrLen(wide[i]) + 1;
	*argv = keep(a, AllocatePool((UINTN)count * sizeof(char *)));
	char *strings = keep(a, AllocatePool(bytes));
	if (!*argv || !strings)
		return EFI_OUT_OF_RESOURCES;
	for (INTN i = 0; i < count; i++) {
		(*argv)[i] = strings;
		for (CHAR16 *c = wide[i]; *c; c++) {
			if (*c < 0x20 || *c > 0x7e) {
				sink_printf(&console, "hvfeat: argument %d is not "
						      "plain ASCII\n", (int)i);
				return EFI_INVALID_PARAMETER;
			}
			*strings++ = (char)*c;
		}
		*strings++ = '\0';
	}
	*argc = (int)count;
	return EFI_SUCCESS;
}

static void *allocate_pool(size_t size)
{
	return AllocatePool(size);
}

/* A cpuid -r dump from the boot volume, as a CPUID source. */
static EFI_STATUS replay_source(EFI_HANDLE image, const char *path,
				struct allocations *a, struct cpuid_source *source)
{
	static char description[128];
	struct buffer_sink name;
	const char *failed_step;
	char *text;
	UINTN length;

	EFI_STATUS status = esp_file_read(image, path, DUMP_MAX_BYTES + 1, &text,
					  &length, &failed_step);
	if (EFI_ERROR(status)) {
		Print(L"hvfeat: dump %a not read: %a failed: %r\n", path,
		      failed_step, status);
		return status;
	}
	keep(a, text);
	struct cpuid_dump *dump = keep(a, AllocatePool(sizeof(*dump)));
	struct cpuid_recording *recording = keep(a, AllocatePool(sizeof(*recording)));
	if (!dump || !recording)
		return EFI_OUT_OF_RESOURCES;
	if (!cpuid_dump_parse(dump, text, length)) {
		render_dump_problems(dump, path, &console);
		return EFI_LOAD_ERROR;
	}
	recording->records = dump->records;
	recording->count = dump->record_count;
	buffer_sink_init(&name, description, sizeof(description) - 1);
	sink_printf(&name.sink, "dump %s", path);
	description[name.length < sizeof(description) ? name.length
						      : sizeof(description) - 1] = '\0';
	cpuid_source_recorded(source, recording, description);
	return EFI_SUCCESS;
}

/* Writes one output file; says what failed, and returns the status. */
static EFI_STATUS write_output(EFI_HANDLE image, const char *what,
			       const char *path, const char *text, UINTN length)
{
	const char *failed_step = "";
	EFI_STATUS status = esp_file_replace(image, path, text, length, &failed_step);

	if (EFI_ERROR(status))
		Print(L"hvfeat: %a %a not written: %a failed: %r\n", what, path,
		      failed_step, status);
	return status;
}

static EFI_STATUS run(EFI_HANDLE image, struct allocations *a)
{
	struct hvfeat_options options;
	struct cpuid_source source;
	char **argv = NULL;
	int argc;

	EFI_STATUS status = ascii_arguments(image, a, &argc, &argv);
	if (EFI_ERROR(status))
		return status;
	switch (parse_options(argc, (const char *const *)argv, HVFEAT_DEFAULT_LOG,
			      &options, &console)) {
	case OPTIONS_SHOW_HELP:
		render_usage("hvfeat.efi", HVFEAT_DEFAULT_LOG, &console);
		return EFI_SUCCESS;
	case OPTIONS_USAGE_ERROR:
		render_usage("hvfeat.efi", HVFEAT_DEFAULT_LOG, &console);
		return EFI_INVALID_PARAMETER;
	case OPTIONS_RUN:
		break;
	}

	if (options.replay_path)
		status = replay_source(image, options.replay_path, a, &source);
	else
		cpuid_source_hardware(&source);
	if (EFI_ERROR(status))
		return status;

	struct hv_report *report = keep(a, AllocatePool(sizeof(*report)));
	size_t length = 0, json_length = 0;
	char *text = NULL, *json = NULL;
	if (report) {
		hv_scan(report, &source);
		text = keep(a, render_to_memory(report, options.format, allocate_pool,
						&length));
		if (options.json_path)
			json = keep(a, render_to_memory(report, OUTPUT_JSON,
							allocate_pool, &json_length));
	}
	if (!text || (options.json_path && !json)) {
		sink_puts(&console, "hvfeat: out of memory\n");
		return EFI_OUT_OF_RESOURCES;
	}
	console.write(&console, text, length);

	if (options.log_path)
		status = write_output(image, "log", options.log_path, text, length);
	if (options.json_path) {
		EFI_STATUS json_status = write_output(image, "JSON file",
						      options.json_path, json,
						      json_length);
		if (!EFI_ERROR(status))
			status = json_status;
	}
	return status;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table)
{
	struct allocations allocations = { { 0 }, 0 };

	InitializeLib(image, system_table);
	return release(&allocations, run(image, &allocations));
}
