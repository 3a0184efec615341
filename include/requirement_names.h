/* Requirement names: resolved to what they require, and spelled as
 * --list-keys spells them (requirement_names.c). */
#ifndef HVFEAT_REQUIREMENT_NAMES_H
#define HVFEAT_REQUIREMENT_NAMES_H

#include <stdbool.h>

#include "checks.h"

/* Resolves name, in any case, into r's kind, vendor, item or probe; NULL
 * on success, else why not. */
const char *requirement_resolve(struct requirement *r, const char *name);

/* Sets r->key from what r resolved to. */
void requirement_canonical_key(struct requirement *r);

/* True when name is one a requirement can take ("kvm.pv_unhalt"), in any
 * case. */
bool requirement_name_known(const char *name);

#endif
