#ifndef HVFEAT_ESP_FILES_H
#define HVFEAT_ESP_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include <efi.h>

/* Files on the volume the image was loaded from, by ASCII path ('/' or '\'
 * separators, relative paths start at the root). On failure, *failed_step
 * names what went wrong. */

/* Replaces the file at path with exactly text: written whole to PATH.tmp,
 * the previous file set aside as PATH.old, PATH.tmp renamed to PATH, then
 * PATH.old deleted. A failing step undoes the earlier ones, so a full or
 * failing volume never leaves a half-written PATH, and the previous text is
 * at every moment whole in PATH or PATH.old. Once PATH holds the text, the
 * status is EFI_SUCCESS, and *old_left says whether PATH.old is gone
 * (EFI_SUCCESS) or why it is not (*failed_step names that step). */
EFI_STATUS esp_file_replace(EFI_HANDLE image, const char *path, const char *text,
			    UINTN length, const char **failed_step, EFI_STATUS *old_left);

/* Whether the volume the image was loaded from has a file system: not
 * when it came from the network (PXE, HTTP boot) or a firmware volume, or
 * from memory with no device at all. */
bool esp_boot_volume_has_files(EFI_HANDLE image);

/* Reads at most limit bytes of the file into memory from allocate, with a
 * NUL after them; the caller owns that memory whatever the outcome. */
EFI_STATUS esp_file_read(EFI_HANDLE image, const char *path, UINTN limit,
			 void *(*allocate)(size_t size), char **text, UINTN *length,
			 const char **failed_step);

#endif
