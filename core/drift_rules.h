/* What the drift of an Arm run's sections shares (drift_smccc.c: its
 * SMCCC answers; drift_arm_id.c: its ID registers): one table of how a
 * difference is judged, by the kind of item that differs and how it
 * changed (README, "Baselines and drift"), and the one result for a
 * section that only one report has. For drift.c's parts alone. */
#ifndef HVFEAT_DRIFT_RULES_H
#define HVFEAT_DRIFT_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "results.h"

/* An offer (KVM's functions, an ARCH_FEATURES answer, an ID register's
 * feature field), the hypervisor's identity (its UID), or a setting (the
 * conduit, SMCCC's version, the CPU model MIDR_EL1 names, bits no table
 * names). */
enum drift_kind { DRIFT_OFFER, DRIFT_IDENTITY, DRIFT_SETTING, DRIFT_KIND_COUNT };
/* present then absent (or less of it); absent then present (or more of
 * it); any other difference */
enum drift_change { DRIFT_LOST, DRIFT_GAINED, DRIFT_CHANGED, DRIFT_CHANGE_COUNT };

struct drift_judgement {
	enum outcome outcome;
	enum severity severity;
	const char *word; /* what the detail says happened: "lost" */
};

const struct drift_judgement *drift_judgement(enum drift_kind kind, enum drift_change change);

/* "drift.NAME" when one report has the section (summary: what it holds)
 * and the other not: nothing of it is compared. A fail when the baseline
 * had it, a warning otherwise; returns 1, the count of results. */
size_t drift_section_on_one_side(struct result_list *results, bool in_baseline,
				 const char *name, const char *section, const char *summary);

#endif
