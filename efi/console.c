/* The console and standard error, through the UEFI shell when it started
 * hvfeat: its standard error (which '2>' may redirect) and its page breaks. */
#include "console.h"

EFI_SHELL_PROTOCOL *shell;
EFI_SHELL_PARAMETERS_PROTOCOL *shell_parameters;

void console_init(EFI_HANDLE image)
{
	if (EFI_ERROR(BS->HandleProtocol(image, &ShellParametersProtocolGuid,
					 (void **)&shell_parameters)) ||
	    EFI_ERROR(BS->LocateProtocol(&ShellProtocolGuid, NULL, (void **)&shell))) {
		shell_parameters = NULL;
		shell = NULL;
	}
}

static void output(CHAR16 *text, bool error)
{
	if (error && shell && shell_parameters) {
		UINTN bytes = StrLen(text) * sizeof(CHAR16);
		shell->WriteFile(shell_parameters->StdErr, &bytes, text);
	} else {
		ST->ConOut->OutputString(ST->ConOut, text);
	}
}

/* ASCII text out as CHAR16, each LF preceded by a CR. */
static void write_wide(const char *text, size_t length, bool error)
{
	CHAR16 chunk[128 + 1];
	UINTN used = 0;

	for (size_t i = 0; i < length; i++) {
		if (used >= 128 - 2) {
			chunk[used] = 0;
			output(chunk, error);
			used = 0;
		}
		if (text[i] == '\n')
			chunk[used++] = L'\r';
		chunk[used++] = (CHAR16)(unsigned char)text[i];
	}
	chunk[used] = 0;
	output(chunk, error);
}

static void console_write(struct text_sink *self, const char *text, size_t length)
{
	(void)self;
	write_wide(text, length, false);
}

static void error_write(struct text_sink *self, const char *text, size_t length)
{
	(void)self;
	write_wide(text, length, true);
}

struct text_sink console = { console_write, NULL };
struct text_sink errors = { error_write, NULL };

void console_show_report(const char *text, size_t length, bool paged)
{
	/* As the shell's own commands take -b: on for this output, and left
	 * as it was found (a script's earlier "ls -b" keeps it on). */
	bool was_paged = shell && shell->GetPageBreak();

	if (paged && shell)
		shell->EnablePageBreak();
	console.write(&console, text, length);
	if (paged && shell && !was_paged)
		shell->DisablePageBreak();
}

/* "hvfeat: WHAT PATH OUTCOME: STEP failed: STATUS" on standard error,
 * STATUS in the firmware's words ("Write Protected"). */
void report_failure(const char *what, const char *path, const char *outcome,
			   const char *step, EFI_STATUS status)
{
	CHAR16 wide[64];
	char reason[64];

	StatusToString(wide, status);
	UINTN i = 0;
	for (; wide[i] && i + 1 < sizeof(reason); i++)
		reason[i] = wide[i] <= 0x7e ? (char)wide[i] : '?';
	reason[i] = '\0';
	sink_printf(&errors, "hvfeat: %s %s %s: %s failed: %s\n", what, path, outcome, step,
		    reason);
}
