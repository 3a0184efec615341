#ifndef HVFEAT_CONSOLE_H
#define HVFEAT_CONSOLE_H

#include <stdbool.h>

#include <efi.h>
#include <efilib.h>

#include "text_sink.h"

/* The shell that started hvfeat, or NULL for both when none did. */
extern EFI_SHELL_PROTOCOL *shell;
extern EFI_SHELL_PARAMETERS_PROTOCOL *shell_parameters;

void console_init(EFI_HANDLE image);

/* The report, on the console; messages, on the shell's standard error or
 * else the console. ASCII in, CHAR16 out, CR before each LF. */
extern struct text_sink console;
extern struct text_sink errors;

/* The report on the console; paged (-b) turns the shell's page breaks on
 * for it, which without a shell does nothing. */
void console_show_report(const char *text, size_t length, bool paged);

/* "hvfeat: WHAT PATH OUTCOME: STEP failed: STATUS" on errors, STATUS in the
 * firmware's words. */
void report_failure(const char *what, const char *path, const char *outcome,
		    const char *step, EFI_STATUS status);

#endif
