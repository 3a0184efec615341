/* The firmware shell around the portable core: arguments in, CPUID through
 * the core, the report out to the console and the boot volume. */
#include <efi.h>
#include <efilib.h>

#include "esp_log.h"
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

/* The shell passes CHAR16 arguments; the core parses ASCII ones. A directly
 * booted image has none, which means the defaults. */
static EFI_STATUS ascii_arguments(EFI_HANDLE image, int *argc, char ***argv)
{
	CHAR16 **wide;
	INTN count = GetShellArgcArgv(image, &wide);

	*argc = 0;
	*argv = NULL;
	if (count <= 0)
		return EFI_SUCCESS;
	*argv = AllocateZeroPool((UINTN)count * sizeof(char *));
	if (!*argv)
		return EFI_OUT_OF_RESOURCES;
	for (INTN i = 0; i < count; i++) {
		UINTN length = StrLen(wide[i]);
		char *arg = AllocatePool(length + 1);
		if (!arg)
			return EFI_OUT_OF_RESOURCES;
		for (UINTN c = 0; c < length; c++) {
			if (wide[i][c] > 0x7e) {
				sink_printf(&console, "hvfeat: argument %d is not "
						      "plain ASCII\n", (int)i);
				return EFI_INVALID_PARAMETER;
			}
			arg[c] = (char)wide[i][c];
		}
		arg[length] = '\0';
		(*argv)[i] = arg;
	}
	*argc = (int)count;
	return EFI_SUCCESS;
}

/* Renders twice: once to learn the size, once into memory of that size. The
 * console and the log then get the very same bytes. */
static char *render_report(const struct hv_report *report, UINTN *length)
{
	struct buffer_sink measure, text;

	buffer_sink_init(&measure, NULL, 0);
	render_text(report, &measure.sink);
	char *buffer = AllocatePool(measure.length);
	if (!buffer)
		return NULL;
	buffer_sink_init(&text, buffer, measure.length);
	render_text(report, &text.sink);
	*length = text.length;
	return buffer;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table)
{
	struct hvfeat_options options;
	struct cpuid_source cpuid;
	int argc;
	char **argv;

	InitializeLib(image, system_table);

	EFI_STATUS status = ascii_arguments(image, &argc, &argv);
	if (EFI_ERROR(status))
		return status;
	switch (parse_options(argc, (const char *const *)argv, &options, &console)) {
	case OPTIONS_SHOW_HELP:
		render_usage(&console);
		return EFI_SUCCESS;
	case OPTIONS_USAGE_ERROR:
		render_usage(&console);
		return EFI_INVALID_PARAMETER;
	case OPTIONS_RUN:
		break;
	}

	struct hv_report *report = AllocatePool(sizeof(*report));
	UINTN length = 0;
	char *text = NULL;
	if (report) {
		cpuid_source_hardware(&cpuid);
		hv_scan(report, &cpuid);
		text = render_report(report, &length);
	}
	if (!text) {
		sink_puts(&console, "hvfeat: out of memory\n");
		return EFI_OUT_OF_RESOURCES;
	}
	console.write(&console, text, length);

	if (options.log_path) {
		const char *failed_step = "";
		status = esp_log_write(image, options.log_path, text, length,
				       &failed_step);
		if (EFI_ERROR(status))
			Print(L"hvfeat: log %a not written: %a failed: %r\n",
			      options.log_path, failed_step, status);
	}
	return status;
}
