/* libFuzzer: arbitrary command lines, configuration files and requirement
 * lists through the parsers that take them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "fuzz_invariants.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct requirement_list list;
	const char *argv[MAX_CONFIG_ARGUMENTS];
	struct hvfeat_options options;
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	argv[0] = "hvfeat.efi";
	int argc = split_config(text, size, argv, MAX_CONFIG_ARGUMENTS);
	if (argc >= 1) {
		for (int i = 0; i < argc; i++)
			if (!argv[i] || strlen(argv[i]) > size + 10)
				abort();
		enum options_outcome firmware =
			parse_options(argc, argv, HVFEAT_DEFAULT_LOG, &options, &discard);
		if (firmware == OPTIONS_RUN) {
			list.count = 0;
			requirements_add_options(&list, &options, &discard);
		}
		parse_options(argc, argv, NULL, &options, &discard);
	}
	free(text);

	/* The same bytes as a policy file. */
	list.count = 0;
	if (requirements_add(&list, (const char *)data, size, "policy", &discard))
		for (size_t i = 0; i < list.count; i++)
			if (strlen(list.items[i].text) >= REQUIREMENT_TEXT)
				abort();
	return 0;
}
