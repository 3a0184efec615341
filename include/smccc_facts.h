/* SMCCC's answers as requirement keys (smccc.version, smccc.kvm.ptp, ...):
 * the fact family of core/smccc_facts.c. */
#ifndef HVFEAT_SMCCC_FACTS_H
#define HVFEAT_SMCCC_FACTS_H

#include "facts.h"

extern const struct fact_family smccc_facts;

#endif
