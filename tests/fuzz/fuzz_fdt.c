/* libFuzzer: arbitrary bytes as a flattened device tree, in a buffer as
 * large as the parser ever reads (FDT_MAX_BYTES), so that a header's
 * totalsize up to that bound is memory the harness owns; the parser must
 * answer, found or why not, and never read past totalsize. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t blob[FDT_MAX_BYTES];
	char method[8];

	if (size > sizeof(blob))
		return 0;
	memset(blob, 0, sizeof(blob));
	memcpy(blob, data, size);
	const char *why = fdt_psci_method(blob, method, sizeof(method));
	if (!why && (!memchr(method, '\0', sizeof(method))))
		abort();
	return 0;
}
