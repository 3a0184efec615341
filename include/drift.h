/* Baselines and drift: this run's report against a golden one (--baseline,
 * a JSON report or a cpuid -r dump of the reference VM, scanned again the
 * same way), every difference in the hypervisor range a result labelled
 * "drift.WHAT"; and the policy a golden VM writes (--write-policy) that
 * pins what it offers for --policy to enforce later.
 *
 * Outcomes (README, "Baselines and drift"): a feature or privilege lost
 * fails, one gained warns; a hint or a field that changed warns; an
 * interface removed fails, one added, moved to another base or with
 * another max leaf warns; bits that no table names warn when they differ;
 * the hypervisor bit cleared fails, set warns. Which registers hold
 * features or privileges is drift.c's table, register by register. An
 * Arm run's SMCCC answers are compared under their requirement keys,
 * "drift.smccc.KEY", and its ID registers field by field, "drift.arm.KEY"
 * (drift_smccc.c, drift_arm_id.c), each judged by drift_rules.c's table:
 * an offer (an ID register's feature field lower) lost fails, gained
 * warns; the hypervisor's identity changed fails; a setting (the CPU
 * model MIDR_EL1 names) changed warns. */
#ifndef HVFEAT_DRIFT_H
#define HVFEAT_DRIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv_catalog.h"
#include "results.h"
#include "text_sink.h"

struct hv_report;
struct hv_interface;

/* True when the decoder's bits are features or privileges a guest is
 * offered (losing one fails), false for hints and descriptions. */
bool drift_register_is_feature(const struct decoder_table *table,
			       const struct register_decoder *decoder);

/* "drift.baseline" (pass when nothing differs, info with the count of
 * differences otherwise), then every difference between now and
 * baseline, appended to results. */
void drift_judge(const struct hv_report *now, const struct hv_report *baseline,
		   struct result_list *results);

/* True when name (without "drift.") is a label drift_judge can give. */
bool drift_label_known(const char *name);

/* Calls visit (when not NULL) for each feature or privilege bit set in
 * iface, as drift counts them (drift_register_is_feature), and returns how
 * many: what a removal takes away, and what --write-policy pins. */
size_t drift_each_feature(const struct hv_report *r, const struct hv_interface *iface,
			  void (*visit)(void *context, const struct register_decoder *dec,
					const struct bit_def *bit),
			  void *context);

struct arm_id_field;

/* Calls visit (when not NULL) for each field of the report's Arm ID
 * registers that says what the CPU offers (not MIDR_EL1's, which names
 * it) and offers something, with its value, and returns how many: what
 * drift fails on when it goes down, and what --write-policy pins. */
size_t drift_each_arm_id_feature(const struct hv_report *r,
				 void (*visit)(void *context, const struct arm_id_field *field,
					       uint64_t value),
				 void *context);

/* The drift labels and what they mean, for --list-labels. */
void render_drift_labels(struct text_sink *out);

/* The policy --write-policy writes: the hypervisor bit as found, every
 * known interface present, and each feature or privilege the first KVM,
 * Hyper-V and KVM Hyper-V interfaces offer; for an Arm run, what SMCCC
 * offered (the vendor hypervisor, KVM's functions, each ARCH_FEATURES
 * answer not to become NOT_SUPPORTED, PV time's stolen-time structure, the
 * TRNG) and each Arm ID register field that offers something, at least
 * as much (arm.sve>=1). One requirement a line with its upstream
 * identifier in a comment.
 * Returns how many requirements it holds (a policy file takes
 * MAX_REQUIREMENTS). */
size_t render_policy(const struct hv_report *report, struct text_sink *out);

#endif
