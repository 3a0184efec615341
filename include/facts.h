/* Facts: what hvfeat learned about the VM beyond CPUID's decoded items
 * (every vCPU, the SMBIOS tables, confidential computing), each under a
 * requirement key with a number or a text value. A family of facts is a
 * table its module owns; requirements, --list-keys and the checks reach
 * every family through facts.c, so a new family is one table and one line
 * there. */
#ifndef HVFEAT_FACTS_H
#define HVFEAT_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text_sink.h"

enum fact_type {
	FACT_NUMBER, /* compared with =, !=, >=, <= */
	FACT_TEXT,   /* compared with = and !=, exactly */
};

/* One key of a family. A key ending in ".N" stands for ".1" up to
 * ".<max_index>" (e.g. "smbios.type11.N", one per OEM string). */
struct fact_def {
	const char *key;     /* "smbios.type1.product", as --list-keys spells it */
	enum fact_type type;
	uint64_t largest;    /* FACT_NUMBER: the largest value it can have */
	unsigned max_index;  /* keys ending in ".N" */
	const char *meaning; /* one line, for --list-keys */
};

#define FACT_STORAGE 64u

struct fact_value {
	enum fact_type type;
	uint64_t number;
	/* FACT_TEXT: NUL-terminated, in the report or in storage, where a
	 * family composes text the report does not hold as such (a UUID) */
	const char *text;
	char storage[FACT_STORAGE];
};

struct hv_report;

struct fact_family {
	const char *title; /* the --list-keys heading: "SMBIOS (type 0, 1, 11)" */
	const struct fact_def *defs;
	size_t count;
	/* The fact's value in this report (index: N of a ".N" key, else 0);
	 * NULL on success, else why the report has none ("no SMBIOS tables",
	 * "not read: a dump was replayed"), as the check shows it. */
	const char *(*value)(const struct hv_report *report, const struct fact_def *def,
			     unsigned index, struct fact_value *out);
};

/* A fact key resolved: the family, the key's row and its index. */
struct fact_ref {
	const struct fact_family *family;
	const struct fact_def *def;
	unsigned index;
};

/* Resolves name (in any case) to a fact key; false when it names none. */
bool fact_resolve(const char *name, struct fact_ref *ref);

/* Whether name starts with a family's first word and a dot ("smbios."),
 * so a name that resolves to nothing is a misspelt fact. */
bool fact_prefix_known(const char *name);

/* The key as --list-keys spells it, with its index for ".N" keys. */
void fact_key_text(const struct fact_ref *ref, char *out, size_t size);

/* The value of a resolved key in the report; NULL or why not. */
const char *fact_value(const struct hv_report *report, const struct fact_ref *ref,
		       struct fact_value *out);

/* Every family's keys, for --list-keys. */
void render_fact_keys(struct text_sink *out);

#endif
