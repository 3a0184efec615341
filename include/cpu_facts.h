/* The cpu.* facts (facts.h): CPUID leaf 0 as requirement keys. */
#ifndef HVFEAT_CPU_FACTS_H
#define HVFEAT_CPU_FACTS_H

#include "facts.h"

extern const struct fact_family cpu_facts;

#endif
