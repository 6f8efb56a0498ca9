/* contract_int.h: what the files of the contract module share and nobody else needs. */
#ifndef ACCORD_CONTRACT_CONTRACT_INT_H
#define ACCORD_CONTRACT_CONTRACT_INT_H

#include "contract/contract.h"

struct store;

/*
 * Escalation levels are rows of escalation_level owned by a policy (by_version false) or,
 * once a version's terms froze, by a contract version. Loads them in order into an arena
 * array with their named people.
 */
int contract_levels_load(struct store *st, bool by_version, int64_t owner_id,
                         struct acc_arena *arena, struct contract_level **levels, int *n,
                         struct acc_err *err);
/* Copies policy_id's levels to version_id (the terms freeze). */
int contract_levels_copy(struct store *st, int64_t policy_id, int64_t version_id,
                         struct acc_err *err);
/* The levels as JSON text for audit snapshots, in the arena. */
const char *contract_levels_snapshot(const struct contract_level *levels, int n,
                                     struct acc_arena *arena);

/* A policy id a contract of provider department may use: the organisation's or its own. */
int contract_policy_usable(struct store *st, int64_t policy_id, int64_t provider_id,
                           const char *field, struct acc_err *err);

#endif
