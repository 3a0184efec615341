#ifndef HVFEAT_ESP_LOG_H
#define HVFEAT_ESP_LOG_H

#include <efi.h>

/* Replaces the file at path on the volume the image was loaded from with
 * exactly text. The text goes to PATH.tmp first and is renamed over the old
 * log only once it is whole, so a full or failing volume never leaves a
 * half-written log and never loses the previous one. On failure, *failed_step
 * names what went wrong. */
EFI_STATUS esp_log_write(EFI_HANDLE image, const char *path, const char *text,
			 UINTN length, const char **failed_step);

#endif
