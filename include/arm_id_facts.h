/* The Arm ID registers as requirement keys (arm.sve, arm.pmuver,
 * arm.id_aa64pfr0_el1, ...): the fact family of core/arm_id_facts.c. */
#ifndef HVFEAT_ARM_ID_FACTS_H
#define HVFEAT_ARM_ID_FACTS_H

#include "facts.h"

extern const struct fact_family arm_id_facts;

#endif
