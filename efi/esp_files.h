#ifndef HVFEAT_ESP_FILES_H
#define HVFEAT_ESP_FILES_H

#include <efi.h>

/* Files on the volume the image was loaded from, by ASCII path ('/' or '\'
 * separators, relative paths start at the root). On failure, *failed_step
 * names what went wrong. */

/* Replaces the file at path with exactly text. The text goes to PATH.tmp
 * first and is renamed over the old file only once it is whole, so a full
 * or failing volume never leaves a half-written file and never loses the
 * previous one. */
EFI_STATUS esp_file_replace(EFI_HANDLE image, const char *path, const char *text,
			    UINTN length, const char **failed_step);

/* Reads at most limit bytes of the file into new pool memory, with a NUL
 * after them. */
EFI_STATUS esp_file_read(EFI_HANDLE image, const char *path, UINTN limit,
			 char **text, UINTN *length, const char **failed_step);

#endif
