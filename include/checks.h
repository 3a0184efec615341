/* Requirements on what the hypervisor offers, and their PASS/FAIL results:
 * the step a pipeline runs before any OS boots. */
#ifndef HVFEAT_CHECKS_H
#define HVFEAT_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "facts.h"
#include "hv_catalog.h"
#include "probe.h"
#include "results.h"
#include "text_sink.h"

/* A policy --write-policy writes for a VM with KVM and everything Hyper-V
 * can offer pins 3 + 18 + 83 requirements: it must fit. */
#define MAX_REQUIREMENTS 128u
#define MAX_REQUIREMENTS_TEXT "128"
#define POLICY_MAX_BYTES (64u * 1024u)
/* A requirement as written, its key, or a text value it compares with. */
#define REQUIREMENT_TEXT 160u

enum requirement_kind {
	REQUIRE_HYPERVISOR_BIT, /* hypervisor_bit=0|1 */
	REQUIRE_INTERFACE,      /* interface.KEY=0|1: present or absent */
	REQUIRE_INTERFACE_BASE, /* interface.KEY.base=0x40000100 */
	REQUIRE_ITEM,           /* KEY.ITEM, e.g. kvm.pv_unhalt or kvm.tsc_khz>=1 */
	REQUIRE_PROBE,          /* probe.KEY: 1 works, 0 anything else */
	REQUIRE_FACT,           /* a fact (facts.h): vcpu.count>=2, smbios.type1.product="x" */
};

enum comparison { COMPARE_EQ, COMPARE_NE, COMPARE_GE, COMPARE_LE };

const char *comparison_symbol(enum comparison comparison); /* "=", ">=" */

struct requirement {
	char text[REQUIREMENT_TEXT]; /* as shown: "kvm.pv_unhalt = 1" */
	char key[REQUIREMENT_TEXT];  /* as --list-keys spells it: "kvm.pv_unhalt" */
	enum requirement_kind kind;
	const char *vendor_key;      /* catalogue string, for all but the bit */
	struct hv_item item;         /* REQUIRE_ITEM */
	size_t probe;                /* REQUIRE_PROBE: its index in the probe list */
	struct fact_ref fact;        /* REQUIRE_FACT */
	enum comparison comparison;
	uint64_t expected; /* 32 bits, or a fact's 64 */
	char expected_text[REQUIREMENT_TEXT]; /* a FACT_TEXT fact's value */
	bool show_hex;
};

/* What a run is asked to judge: requirements, and the results to waive
 * ("waive LABEL" in a policy file, --waive). */
struct requirement_list {
	struct requirement items[MAX_REQUIREMENTS];
	size_t count;
	struct waiver_list waivers;
};

enum check_outcome {
	CHECK_FOUND,         /* compared: passed says how */
	CHECK_NO_INTERFACE,  /* the interface the item belongs to is absent */
	CHECK_NOT_PROVIDED,  /* the leaf is past the interface's max leaf */
	CHECK_OTHER_INTERFACE,
	CHECK_PROBED,          /* found: 1 when the probe works */
	CHECK_PROBES_NOT_RUN,  /* not in firmware, or a dump was replayed */
	CHECK_FACT_UNKNOWN,    /* the run did not learn the fact: unknown_reason */
};

struct check_result {
	struct requirement requirement;
	enum check_outcome outcome;
	uint64_t found;
	char found_text[REQUIREMENT_TEXT]; /* a FACT_TEXT fact, cut to fit */
	const char *unknown_reason;        /* CHECK_FACT_UNKNOWN */
	enum probe_state probe_state;      /* CHECK_PROBED */
	bool passed;
};

/* Adds the requirements in text, separated by commas or new lines; '#'
 * starts a comment that runs to the end of the line. origin names the text
 * in messages ("--require", a policy file), with line numbers when it has
 * several lines. Returns false, having said why on errors, when a
 * requirement is malformed, names nothing hvfeat decodes, or is one too
 * many. */
bool requirements_add(struct requirement_list *list, const char *text,
		      size_t length, const char *origin, struct text_sink *errors);

/* True when a requirement names a probe: asking for one runs them. */
bool requirements_need_probes(const struct requirement_list *list);

struct hvfeat_options;

/* Adds every --require and --waive list of the options, as
 * requirements_add does. */
bool requirements_add_options(struct requirement_list *list,
			      const struct hvfeat_options *options,
			      struct text_sink *errors);

/* Every name a requirement can take, with what it means: the interface
 * keys, then each decoded item's key, interface by interface. */
void render_requirement_keys(struct text_sink *out);

/* What a check found, in the words of the report and the JSON alike:
 * "found 1", "no kvm interface", "leaf not provided", ... */
void render_check_found(const struct check_result *check, struct text_sink *out);

/* A number JSON cannot carry exactly in a double: a fact of 64 bits,
 * given as a hex string as the JSON gives register contents. */
bool requirement_value_is_wide(const struct requirement *r);

struct hv_report;

/* Evaluates every requirement against the report and stores the results in
 * it, for all renderings to show. */
void hv_check(struct hv_report *report, const struct requirement_list *list);

size_t hv_failed_checks(const struct hv_report *report);

#endif
