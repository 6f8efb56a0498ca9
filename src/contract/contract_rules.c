/* contract_rules.c: the pure rules of contracts: states, who may do what, consistent terms. */
#include "base/acc.h"
#include "contract/contract.h"

#include <stdio.h>

static const char *const state_names[] = {"draft",  "proposed",   "agreed",
                                          "active", "superseded", "retired"};
static const char *const action_names[] = {"propose", "sign", "activate", "retire", "edit"};

const char *contract_state_name(enum contract_state s)
{
    return (unsigned)s < ACC_ARRAY_LEN(state_names) ? state_names[s] : "draft";
}

int contract_state_parse(const char *s, enum contract_state *out)
{
    for (size_t i = 0; s && i < ACC_ARRAY_LEN(state_names); i++) {
        if (strcmp(s, state_names[i]) == 0) {
            *out = (enum contract_state)i;
            return ACC_OK;
        }
    }
    return ACC_EINVAL;
}

const char *contract_action_name(enum contract_action a)
{
    return (unsigned)a < ACC_ARRAY_LEN(action_names) ? action_names[a] : "edit";
}

int contract_next_state(enum contract_state from, enum contract_action action, bool formal,
                        int signed_before, enum contract_state *to, struct acc_err *err)
{
    const char *name = contract_state_name(from);

    switch (action) {
    case CONTRACT_EDIT:
        if (from == CONTRACT_DRAFT) {
            *to = from;
            return ACC_OK;
        }
        return acc_fail(err, ACC_ECONFLICT, "",
                        "a %s version is frozen: only drafts change; start a new version", name);
    case CONTRACT_PROPOSE:
        if (!formal)
            return acc_fail(err, ACC_ECONFLICT, "",
                            "an informal contract needs no sign-off: activate the draft");
        if (from != CONTRACT_DRAFT)
            return acc_fail(err, ACC_ECONFLICT, "", "only a draft can be proposed; this is %s",
                            name);
        *to = CONTRACT_PROPOSED;
        return ACC_OK;
    case CONTRACT_SIGN:
        if (!formal)
            return acc_fail(err, ACC_ECONFLICT, "", "an informal contract is not signed");
        if (from != CONTRACT_PROPOSED)
            return acc_fail(err, ACC_ECONFLICT, "",
                            "only a proposed version can be signed; this is %s", name);
        *to = signed_before >= 1 ? CONTRACT_AGREED : CONTRACT_PROPOSED;
        return ACC_OK;
    case CONTRACT_ACTIVATE:
        if (formal && from != CONTRACT_AGREED)
            return acc_fail(err, ACC_ECONFLICT, "",
                            "a formal contract's version is activated once both sides signed "
                            "it; this is %s",
                            name);
        if (!formal && from != CONTRACT_DRAFT)
            return acc_fail(err, ACC_ECONFLICT, "",
                            "an informal contract's draft is activated; this is %s", name);
        *to = CONTRACT_ACTIVE;
        return ACC_OK;
    case CONTRACT_RETIRE:
        if (from == CONTRACT_SUPERSEDED || from == CONTRACT_RETIRED)
            return acc_fail(err, ACC_ECONFLICT, "", "a %s version cannot be retired", name);
        *to = CONTRACT_RETIRED;
        return ACC_OK;
    }
    return acc_fail(err, ACC_EBUG, "", "unknown contract action");
}

static bool on_side(const struct contract_side *s, const struct org_actor *who)
{
    return who->person_id && who->department_id == s->department.id;
}

static bool is_head_of(const struct contract_side *s, const struct org_actor *who)
{
    return who->role == ORG_ROLE_HEAD && who->department_id == s->department.id;
}

static bool is_named(const struct contract_side *s, const struct org_actor *who)
{
    return s->person.id && who->person_id == s->person.id;
}

bool contract_version_public(enum contract_state state, int64_t activated_at)
{
    return state == CONTRACT_ACTIVE || state == CONTRACT_SUPERSEDED || activated_at != 0;
}

bool contract_may_see(const struct contract *c, const struct org_actor *who, bool public_version)
{
    if (public_version)
        return true;
    return who->role == ORG_ROLE_ADMIN || on_side(&c->provider, who) || on_side(&c->consumer, who);
}

unsigned contract_signing_sides(const struct contract *c, const struct org_actor *who)
{
    unsigned sides = 0;

    if (!who->person_id)
        return 0;
    if (is_head_of(&c->provider, who) || is_named(&c->provider, who) ||
        who->person_id == c->service_point_person_id)
        sides |= MEASURE_PROVIDER;
    if (is_head_of(&c->consumer, who) || is_named(&c->consumer, who))
        sides |= MEASURE_CONSUMER;
    return sides;
}

int contract_may_manage(const struct contract *c, const struct org_actor *who, struct acc_err *err)
{
    if (who->role == ORG_ROLE_ADMIN || contract_signing_sides(c, who))
        return ACC_OK;
    return acc_fail(err, ACC_EPERM, "",
                    "only an administrator, either side's head, the service's point person or a "
                    "named party may change this contract");
}

/* Checks one side's expectations, whose first is at index first of t->expectations. */
static int check_side(const struct contract_terms *t, enum measure_side side,
                      int64_t group_sum[MEASURE_GROUPS], bool group_used[MEASURE_GROUPS],
                      struct acc_err *err)
{
    const char *sname = measure_side_name(side);
    int count = 0;

    for (int i = 0; i < t->n_expectations; i++) {
        const struct contract_expectation *e = &t->expectations[i];
        char field[64];
        int rc;

        if (e->side != side)
            continue;
        snprintf(field, sizeof(field), "/expectations/%s/%d", sname, count);
        if (++count > CONTRACT_EXPECTATIONS_MAX)
            return acc_fail(err, ACC_EINVAL, field, "a side has at most %d expectations",
                            CONTRACT_EXPECTATIONS_MAX);
        if (!e->measure || !(e->measure->sides & side)) {
            snprintf(field + strlen(field), sizeof(field) - strlen(field), "/measure");
            return acc_fail(err, ACC_EINVAL, field, "%s is not a measure of the %s side",
                            e->measure ? e->measure->name : "this", sname);
        }
        for (int j = 0; j < i; j++)
            if (t->expectations[j].side == side && t->expectations[j].measure == e->measure)
                return acc_fail(err, ACC_EINVAL, field, "%s appears twice on the %s side",
                                e->measure->name, sname);
        snprintf(field + strlen(field), sizeof(field) - strlen(field), "/target");
        rc = measure_target_check(e->measure, e->target, field, err);
        if (rc)
            return rc;
        if (e->weight < 0 || e->weight > CONTRACT_WEIGHT_MAX) {
            snprintf(field, sizeof(field), "/expectations/%s/%d/weight", sname, count - 1);
            return acc_fail(err, ACC_EINVAL, field, "a weight must be 0 to %d",
                            CONTRACT_WEIGHT_MAX / MEASURE_MILLI);
        }
        if (e->note && strlen(e->note) > CONTRACT_NOTE_MAX) {
            snprintf(field, sizeof(field), "/expectations/%s/%d/note", sname, count - 1);
            return acc_fail(err, ACC_EINVAL, field, "a note is at most %d bytes",
                            CONTRACT_NOTE_MAX);
        }
        group_sum[e->measure->group] += e->weight;
        group_used[e->measure->group] = true;
    }
    return ACC_OK;
}

static const char *const cadences[] = {"monthly", "quarterly", "semiannual", "annual", NULL};
static const char *const periods[] = {"month", "quarter", NULL};

static bool one_of(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

static int check_priorities(const struct contract_terms *t, struct acc_err *err)
{
    int defaults = 0;

    if (t->n_priorities > CONTRACT_PRIORITIES_MAX)
        return acc_fail(err, ACC_EINVAL, "/priorities", "at most %d priorities",
                        CONTRACT_PRIORITIES_MAX);
    for (int i = 0; i < t->n_priorities; i++) {
        const struct contract_priority *p = &t->priorities[i];
        char field[64];
        int rc;

        snprintf(field, sizeof(field), "/priorities/%d/name", i);
        rc = org_name_check(p->name, field, err);
        if (rc)
            return rc;
        for (int j = 0; j < i; j++)
            if (strcmp(t->priorities[j].name, p->name) == 0)
                return acc_fail(err, ACC_EINVAL, field, "priority '%s' is named twice", p->name);
        if (p->factor < CONTRACT_FACTOR_MIN || p->factor > CONTRACT_FACTOR_MAX) {
            snprintf(field, sizeof(field), "/priorities/%d/factor", i);
            return acc_fail(err, ACC_EINVAL, field, "a factor must be 0.01 to 100");
        }
        defaults += p->is_default;
    }
    if (t->n_priorities && defaults != 1)
        return acc_fail(err, ACC_EINVAL, "/priorities", "exactly one priority is the default");
    return ACC_OK;
}

int contract_terms_check(const struct contract_terms *t, struct acc_err *err)
{
    static const enum measure_side sides[] = {MEASURE_PROVIDER, MEASURE_CONSUMER};

    if (t->response_minutes < 0 || t->response_minutes > CONTRACT_MINUTES_MAX)
        return acc_fail(err, ACC_EINVAL, "/response_minutes",
                        "response_minutes must be 0 to %d business minutes", CONTRACT_MINUTES_MAX);
    if (t->resolution_minutes < 0 || t->resolution_minutes > CONTRACT_MINUTES_MAX)
        return acc_fail(err, ACC_EINVAL, "/resolution_minutes",
                        "resolution_minutes must be 0 to %d business minutes",
                        CONTRACT_MINUTES_MAX);
    if (!one_of(t->review_cadence, cadences))
        return acc_fail(err, ACC_EINVAL, "/review_cadence",
                        "review_cadence must be monthly, quarterly, semiannual or annual");
    if (!one_of(t->measure_period, periods))
        return acc_fail(err, ACC_EINVAL, "/measure_period",
                        "measure_period must be month or quarter");
    if (t->summary && (strlen(t->summary) > CONTRACT_TEXT_MAX || !acc_utf8_valid(t->summary)))
        return acc_fail(err, ACC_EINVAL, "/summary",
                        "summary must be valid UTF-8 of at most %d bytes", CONTRACT_TEXT_MAX);
    if (t->min_n < 1 || t->min_n > CONTRACT_MIN_N_MAX)
        return acc_fail(err, ACC_EINVAL, "/min_n", "min_n must be 1 to %d", CONTRACT_MIN_N_MAX);
    for (int g = 0; g < MEASURE_GROUPS; g++) {
        if (t->weights[g] < 0 || t->weights[g] > CONTRACT_WEIGHT_MAX) {
            char field[64];

            snprintf(field, sizeof(field), "/weights/%s", measure_group_name(g));
            return acc_fail(err, ACC_EINVAL, field, "a group weight must be 0 to %d",
                            CONTRACT_WEIGHT_MAX / MEASURE_MILLI);
        }
    }
    for (size_t s = 0; s < ACC_ARRAY_LEN(sides); s++) {
        int64_t group_sum[MEASURE_GROUPS] = {0}, used_weight = 0;
        bool group_used[MEASURE_GROUPS] = {false}, any = false;
        const char *sname = measure_side_name(sides[s]);
        int rc = check_side(t, sides[s], group_sum, group_used, err);

        if (rc)
            return rc;
        for (int g = 0; g < MEASURE_GROUPS; g++) {
            if (!group_used[g])
                continue;
            any = true;
            used_weight += t->weights[g];
            if (group_sum[g] == 0)
                return acc_fail(err, ACC_EINVAL,
                                sides[s] == MEASURE_PROVIDER ? "/expectations/provider"
                                                             : "/expectations/consumer",
                                "the %s measures of the %s side all weigh 0", measure_group_name(g),
                                sname);
        }
        if (any && used_weight == 0)
            return acc_fail(err, ACC_EINVAL, "/weights",
                            "the groups of the %s side's expectations all weigh 0", sname);
    }
    return check_priorities(t, err);
}

int contract_terms_complete(const struct contract_terms *t, struct acc_err *err)
{
    if (t->n_expectations == 0)
        return acc_fail(err, ACC_EINVAL, "/expectations",
                        "a version needs at least one expectation before it is proposed or "
                        "activated");
    return ACC_OK;
}
