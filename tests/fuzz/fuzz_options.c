/* libFuzzer: arbitrary bytes through every parser that takes options: as
 * \hvfeat.cfg (read as a file is read), as load options, as a command line
 * (firmware and host), as --require lists and as a policy file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "checks.h"
#include "fuzz_invariants.h"
#include "options.h"

/* Every word kept is a non-empty run of text between separators. */
static void check_words(const struct option_words *words)
{
	int kept = words->argc <= MAX_CONFIG_ARGUMENTS ? words->argc : MAX_CONFIG_ARGUMENTS + 1;

	if (words->argc < 1)
		abort();
	for (int i = 1; i < kept; i++) {
		const char *word = words->argv[i];
		if (word < words->text || word >= words->text + words->length || !*word)
			abort();
		for (; *word; word++)
			if (*word == ' ' || *word == '\t' || *word == '\r' || *word == '\n' ||
			    *word == '#' || word >= words->text + words->length)
				abort();
	}
}

/* As the firmware parses them, then as the host does. */
static void parse_words(const struct option_words *words)
{
	static struct requirement_list list;
	struct hvfeat_options options;

	check_words(words);
	if (parse_option_words(words, "fuzz", HVFEAT_DEFAULT_LOG, &options, &discard) ==
	    OPTIONS_RUN) {
		list.count = 0;
		requirements_add_options(&list, &options, &discard);
	}
	if (words->argc <= MAX_CONFIG_ARGUMENTS)
		parse_options(words->argc, words->argv, NULL, &options, &discard);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct option_words words = { .argv = { "hvfeat.efi" } };
	static char load_text[CONFIG_MAX_BYTES + 1];
	static struct requirement_list list;
	char *text = malloc(size + 1);

	/* As \hvfeat.cfg: the file's text as read_input makes it (UCS-2 or
	 * UTF-8 with a mark), split into words. */
	memcpy(text, data, size);
	size_t length = text_from_file(text, size);
	if (length > size || text[length] != '\0')
		abort();
	split_config(text, length, &words);
	parse_words(&words);
	free(text);

	/* As load options. */
	struct hvfeat_options options = { 0 };
	size_t loaded = 0;
	switch (load_options_text(data, size, load_text, &loaded, &discard)) {
	case LOAD_OPTIONS_TEXT:
		if (loaded > CONFIG_MAX_BYTES || strlen(load_text) != loaded)
			abort();
		for (size_t i = 0; i < loaded; i++)
			if (!ascii_printable((unsigned char)load_text[i]) && load_text[i] != 0x7f &&
			    (load_text[i] < 0x09 || load_text[i] > 0x0d))
				abort();
		split_load_options(load_text, loaded, &words);
		parse_words(&words);
		break;
	case LOAD_OPTIONS_NOT_TEXT:
		power_options_in_bytes(data, size, &options);
		break;
	case LOAD_OPTIONS_NONE:
		if (size != 0 && size != 16) /* nothing, or edk2's GUID */
			abort();
		break;
	}

	/* The same bytes as a policy file. */
	list.count = 0;
	if (requirements_add(&list, (const char *)data, size, "policy", &discard))
		for (size_t i = 0; i < list.count; i++)
			if (strlen(list.items[i].text) >= REQUIREMENT_TEXT)
				abort();
	return 0;
}
