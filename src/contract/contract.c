/* contract.c: contracts and their versions: SQL, the state machine's effects, audit. */
#include "base/acc.h"
#include "base/jw.h"
#include "audit/audit.h"
#include "contract/contract_int.h"
#include "store/store.h"

#include <stdio.h>

/* ---- reading ---- */

#define CONTRACT_SELECT                                                                            \
    "SELECT c.id, c.service_id, s.name, s.point_person_id, c.provider_department_id, pd.name, "    \
    "c.provider_person_id, pp.name, c.consumer_department_id, cd.name, c.consumer_person_id, "     \
    "cp.name, c.formal, c.created_at, c.updated_at FROM contract c "                               \
    "JOIN service s ON s.id = c.service_id "                                                       \
    "JOIN department pd ON pd.id = c.provider_department_id "                                      \
    "LEFT JOIN person pp ON pp.id = c.provider_person_id "                                         \
    "JOIN department cd ON cd.id = c.consumer_department_id "                                      \
    "LEFT JOIN person cp ON cp.id = c.consumer_person_id "

static int read_contract(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                         struct acc_err *err)
{
    struct contract *c = item;

    (void)err;
    c->id = store_col_int(stmt, 0);
    c->service.id = store_col_int(stmt, 1);
    c->service.name = store_col_dup(stmt, 2, arena);
    c->service_point_person_id = store_col_int(stmt, 3);
    c->provider.department.id = store_col_int(stmt, 4);
    c->provider.department.name = store_col_dup(stmt, 5, arena);
    c->provider.person.id = store_col_int(stmt, 6);
    c->provider.person.name = store_col_dup(stmt, 7, arena);
    c->consumer.department.id = store_col_int(stmt, 8);
    c->consumer.department.name = store_col_dup(stmt, 9, arena);
    c->consumer.person.id = store_col_int(stmt, 10);
    c->consumer.person.name = store_col_dup(stmt, 11, arena);
    c->formal = store_col_int(stmt, 12) != 0;
    c->created_at = store_col_int(stmt, 13);
    c->updated_at = store_col_int(stmt, 14);
    return ACC_OK;
}

/*
 * Fills c's version list with the versions who may see, and the state and numbers derived
 * from them. Returns ACC_ENOTFOUND when who sees none (or the contract has none).
 */
static int load_versions(struct store *st, const struct org_actor *who, struct contract *c,
                         struct acc_arena *arena, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(c->id)};
    struct store_stmt *stmt = NULL;
    int64_t count = 0;
    bool row;
    int rc;

    rc = store_query_int(st, "SELECT COUNT(*) FROM contract_version WHERE contract_id = ?", args, 1,
                         &count, err);
    if (rc)
        return rc;
    c->versions = acc_arena_alloc(arena, sizeof(*c->versions) * (size_t)(count ? count : 1));
    c->n_versions = 0;
    c->active_version = 0;
    rc = store_exec(st,
                    "SELECT number, state, activated_at FROM contract_version WHERE contract_id = "
                    "? ORDER BY number",
                    args, 1, &stmt, err);
    while (!rc && !(rc = store_step(stmt, &row, err)) && row && c->n_versions < count) {
        struct contract_version_brief b;

        b.number = (int)store_col_int(stmt, 0);
        contract_state_parse(store_col_text(stmt, 1), &b.state);
        b.activated_at = store_col_int(stmt, 2);
        if (!contract_may_see(c, who, contract_version_public(b.state, b.activated_at)))
            continue;
        c->versions[c->n_versions++] = b;
        if (b.state == CONTRACT_ACTIVE)
            c->active_version = b.number;
    }
    store_finish(stmt);
    if (rc)
        return rc;
    if (!c->n_versions)
        return acc_fail(err, ACC_ENOTFOUND, "", "contract %lld does not exist", (long long)c->id);
    c->latest_version = c->versions[c->n_versions - 1].number;
    c->state = c->active_version ? CONTRACT_ACTIVE : c->versions[c->n_versions - 1].state;
    return ACC_OK;
}

/* Reads contract id whatever who may see; ACC_ENOTFOUND when it does not exist. */
static int load_contract(struct store *st, int64_t id, struct acc_arena *arena,
                         struct contract *out, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(id)};
    struct store_stmt *stmt = NULL;
    bool row = false;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = store_exec(st, CONTRACT_SELECT "WHERE c.id = ?", args, 1, &stmt, err);
    if (!rc)
        rc = store_step(stmt, &row, err);
    if (!rc && !row)
        rc = acc_fail(err, ACC_ENOTFOUND, "", "contract %lld does not exist", (long long)id);
    if (!rc)
        rc = read_contract(stmt, out, arena, err);
    store_finish(stmt);
    return rc;
}

int contract_get(struct store *st, const struct org_actor *who, int64_t id, struct acc_arena *arena,
                 struct contract *out, struct acc_err *err)
{
    int rc = load_contract(st, id, arena, out, err);

    return rc ? rc : load_versions(st, who, out, arena, err);
}

int contract_list(struct store *st, const struct org_actor *who, const struct contract_filter *f,
                  struct acc_arena *arena, struct contract **items, int *n, bool *more,
                  struct acc_err *err)
{
    const char *state = f->state >= 0 ? contract_state_name((enum contract_state)f->state) : "";
    struct store_arg args[] = {
        SA_INT(f->after_id),
        SA_INT(f->provider_id),
        SA_INT(f->provider_id),
        SA_INT(f->consumer_id),
        SA_INT(f->consumer_id),
        SA_INT(f->service_id),
        SA_INT(f->service_id),
        SA_TEXT(state),
        SA_TEXT(state),
        SA_INT(who->role == ORG_ROLE_ADMIN),
        SA_INT(who->department_id),
        SA_INT(who->department_id),
        SA_INT(f->limit + 1),
    };
    struct store_stmt *stmt = NULL;
    struct contract *list;
    int rc;

    rc = store_exec(st,
                    CONTRACT_SELECT
                    "WHERE c.id > ? AND (? = 0 OR c.provider_department_id = ?) AND (? = 0 OR "
                    "c.consumer_department_id = ?) AND (? = 0 OR c.service_id = ?) AND EXISTS "
                    "(SELECT 1 FROM contract_version v WHERE v.contract_id = c.id AND (? = '' OR "
                    "v.state = ?) AND (? = 1 OR v.activated_at IS NOT NULL OR "
                    "c.provider_department_id = ? OR c.consumer_department_id = ?)) "
                    "ORDER BY c.id LIMIT ?",
                    args, ACC_ARRAY_LEN(args), &stmt, err);
    if (!rc)
        rc = store_collect(stmt, sizeof(*list), f->limit, read_contract, arena, (void **)&list, n,
                           more, err);
    for (int i = 0; !rc && i < *n; i++)
        rc = load_versions(st, who, &list[i], arena, err);
    if (!rc)
        *items = list;
    return rc;
}

#define VERSION_SELECT                                                                             \
    "SELECT v.id, v.contract_id, v.number, v.state, v.based_on, v.summary, v.calendar_id, "        \
    "cal.name, v.escalation_policy_id, ep.name, v.response_minutes, v.resolution_minutes, "        \
    "v.weight_task, v.weight_relationship, v.weight_learning, v.min_n, v.review_cadence, "         \
    "v.measure_period, v.escalation_frozen, v.frozen_policy_id, fp.name, v.created_by, cb.name, "  \
    "v.created_at, v.updated_at, v.proposed_by, pb.name, v.proposed_at, v.agreed_at, "             \
    "v.activated_by, ab.name, v.activated_at, v.superseded_at, v.retired_by, rb.name, "            \
    "v.retired_at FROM contract_version v JOIN calendar cal ON cal.id = v.calendar_id "            \
    "LEFT JOIN escalation_policy ep ON ep.id = v.escalation_policy_id "                            \
    "LEFT JOIN escalation_policy fp ON fp.id = v.frozen_policy_id "                                \
    "LEFT JOIN person cb ON cb.id = v.created_by LEFT JOIN person pb ON pb.id = v.proposed_by "    \
    "LEFT JOIN person ab ON ab.id = v.activated_by LEFT JOIN person rb ON rb.id = v.retired_by "

static struct org_ref ref_at(struct store_stmt *stmt, int col, struct acc_arena *arena)
{
    struct org_ref r = {store_col_int(stmt, col), store_col_dup(stmt, col + 1, arena)};

    return r;
}

static void read_version_row(struct store_stmt *stmt, struct contract_version *v,
                             struct org_ref *frozen_from, struct acc_arena *arena)
{
    struct contract_terms *t = &v->terms;

    v->id = store_col_int(stmt, 0);
    v->contract_id = store_col_int(stmt, 1);
    v->number = (int)store_col_int(stmt, 2);
    contract_state_parse(store_col_text(stmt, 3), &v->state);
    v->based_on = (int)store_col_int(stmt, 4);
    t->summary = store_col_dup(stmt, 5, arena);
    t->calendar = ref_at(stmt, 6, arena);
    t->policy = ref_at(stmt, 8, arena);
    t->response_minutes = store_col_int(stmt, 10);
    t->resolution_minutes = store_col_int(stmt, 11);
    for (int g = 0; g < MEASURE_GROUPS; g++)
        t->weights[g] = store_col_int(stmt, 12 + g);
    t->min_n = (int)store_col_int(stmt, 15);
    t->review_cadence = store_col_dup(stmt, 16, arena);
    t->measure_period = store_col_dup(stmt, 17, arena);
    v->escalation_frozen = store_col_int(stmt, 18) != 0;
    *frozen_from = ref_at(stmt, 19, arena);
    v->created_by = ref_at(stmt, 21, arena);
    v->created_at = store_col_int(stmt, 23);
    v->updated_at = store_col_int(stmt, 24);
    v->proposed_by = ref_at(stmt, 25, arena);
    v->proposed_at = store_col_int(stmt, 27);
    v->agreed_at = store_col_int(stmt, 28);
    v->activated_by = ref_at(stmt, 29, arena);
    v->activated_at = store_col_int(stmt, 31);
    v->superseded_at = store_col_int(stmt, 32);
    v->retired_by = ref_at(stmt, 33, arena);
    v->retired_at = store_col_int(stmt, 35);
}

static int load_expectations(struct store *st, struct contract_version *v, struct acc_arena *arena,
                             struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(v->id)};
    struct contract_terms *t = &v->terms;
    struct store_stmt *stmt = NULL;
    bool row;
    int rc;

    t->expectations =
        acc_arena_alloc(arena, sizeof(*t->expectations) * 2 * CONTRACT_EXPECTATIONS_MAX);
    t->n_expectations = 0;
    rc = store_exec(st,
                    "SELECT side, measure, target, weight, note FROM contract_expectation WHERE "
                    "version_id = ? ORDER BY CASE side WHEN 'provider' THEN 0 ELSE 1 END, "
                    "position",
                    args, 1, &stmt, err);
    while (!rc && !(rc = store_step(stmt, &row, err)) && row &&
           t->n_expectations < 2 * CONTRACT_EXPECTATIONS_MAX) {
        struct contract_expectation *e = &t->expectations[t->n_expectations];

        measure_side_parse(store_col_text(stmt, 0), "", &e->side, NULL);
        e->measure = measure_find(store_col_text(stmt, 1));
        e->target = store_col_int(stmt, 2);
        e->weight = store_col_int(stmt, 3);
        e->note = store_col_dup(stmt, 4, arena);
        if (e->measure)
            t->n_expectations++;
    }
    store_finish(stmt);
    return rc;
}

static int load_priorities(struct store *st, struct contract_version *v, struct acc_arena *arena,
                           struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(v->id)};
    struct contract_terms *t = &v->terms;
    struct store_stmt *stmt = NULL;
    bool row;
    int rc;

    t->priorities = acc_arena_alloc(arena, sizeof(*t->priorities) * CONTRACT_PRIORITIES_MAX);
    t->n_priorities = 0;
    rc = store_exec(st,
                    "SELECT name, factor, is_default FROM contract_priority WHERE version_id "
                    "= ? ORDER BY position",
                    args, 1, &stmt, err);
    while (!rc && !(rc = store_step(stmt, &row, err)) && row &&
           t->n_priorities < CONTRACT_PRIORITIES_MAX) {
        struct contract_priority *p = &t->priorities[t->n_priorities++];

        p->name = store_col_dup(stmt, 0, arena);
        p->factor = store_col_int(stmt, 1);
        p->is_default = store_col_int(stmt, 2) != 0;
    }
    store_finish(stmt);
    return rc;
}

static int load_signatures(struct store *st, struct contract_version *v, struct acc_arena *arena,
                           struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(v->id)};
    struct store_stmt *stmt = NULL;
    bool row;
    int rc;

    v->n_signatures = 0;
    rc = store_exec(st,
                    "SELECT s.side, s.person_id, p.name, s.signed_at FROM contract_signature s "
                    "JOIN person p ON p.id = s.person_id WHERE s.version_id = ? ORDER BY "
                    "s.signed_at, s.side DESC",
                    args, 1, &stmt, err);
    while (!rc && !(rc = store_step(stmt, &row, err)) && row && v->n_signatures < 2) {
        struct contract_signature *s = &v->signatures[v->n_signatures++];

        measure_side_parse(store_col_text(stmt, 0), "", &s->side, NULL);
        s->person = ref_at(stmt, 1, arena);
        s->signed_at = store_col_int(stmt, 3);
    }
    store_finish(stmt);
    return rc;
}

/* The escalation in force: the frozen copy, else the contract's policy, else the default. */
static int load_escalation(struct store *st, const struct contract *c, struct contract_version *v,
                           struct org_ref frozen_from, struct acc_arena *arena, struct acc_err *err)
{
    struct contract_policy p = {0};
    int rc = ACC_OK;

    v->levels = NULL;
    v->n_levels = 0;
    if (v->escalation_frozen) {
        v->escalation_policy = frozen_from;
        v->escalation_source = !frozen_from.id                        ? "none"
                               : frozen_from.id == v->terms.policy.id ? "contract"
                                                                      : "department";
        return contract_levels_load(st, true, v->id, arena, &v->levels, &v->n_levels, err);
    }
    if (v->terms.policy.id) {
        rc = contract_policy_get(st, v->terms.policy.id, arena, &p, err);
        v->escalation_source = "contract";
    } else {
        rc = contract_policy_default_get(st, c->provider.department.id, arena, &p, err);
        v->escalation_source = p.id ? "department" : "none";
    }
    if (!rc) {
        v->escalation_policy.id = p.id;
        v->escalation_policy.name = p.name;
        v->levels = p.levels;
        v->n_levels = p.n_levels;
    }
    return rc;
}

/* Reads version number of c whatever who may see. */
/*
 * Reads version number of c; with whole, also its expectations and signatures, which a
 * request's binding (terms, priorities, escalation) does not need.
 */
static int load_version(struct store *st, const struct contract *c, int number, bool whole,
                        struct acc_arena *arena, struct contract_version *out, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(c->id), SA_INT(number)};
    struct store_stmt *stmt = NULL;
    struct org_ref frozen_from = {0, NULL};
    bool row = false;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = store_exec(st, VERSION_SELECT "WHERE v.contract_id = ? AND v.number = ?", args, 2, &stmt,
                    err);
    if (!rc)
        rc = store_step(stmt, &row, err);
    if (!rc && !row)
        rc = acc_fail(err, ACC_ENOTFOUND, "", "contract %lld has no version %d", (long long)c->id,
                      number);
    if (!rc)
        read_version_row(stmt, out, &frozen_from, arena);
    store_finish(stmt);
    if (!rc && whole)
        rc = load_expectations(st, out, arena, err);
    if (!rc)
        rc = load_priorities(st, out, arena, err);
    if (!rc && whole)
        rc = load_signatures(st, out, arena, err);
    if (!rc)
        rc = load_escalation(st, c, out, frozen_from, arena, err);
    return rc;
}

/* Reads version number of c if who may see it, else ACC_ENOTFOUND. */
static int visible_version(struct store *st, const struct org_actor *who, const struct contract *c,
                           int number, bool whole, struct acc_arena *arena,
                           struct contract_version *out, struct acc_err *err)
{
    int rc = load_version(st, c, number, whole, arena, out, err);

    if (!rc && !contract_may_see(c, who, contract_version_public(out->state, out->activated_at)))
        rc = acc_fail(err, ACC_ENOTFOUND, "", "contract %lld has no version %d", (long long)c->id,
                      number);
    return rc;
}

int contract_version_get(struct store *st, const struct org_actor *who, int64_t contract_id,
                         int number, struct acc_arena *arena, struct contract_version *out,
                         struct acc_err *err)
{
    struct contract c;
    int rc;

    rc = contract_get(st, who, contract_id, arena, &c, err);
    if (!rc)
        rc = visible_version(st, who, &c, number, true, arena, out, err);
    return rc;
}

int contract_version_of(struct store *st, const struct org_actor *who, const struct contract *c,
                        int number, struct acc_arena *arena, struct contract_version *out,
                        struct acc_err *err)
{
    return visible_version(st, who, c, number, true, arena, out, err);
}

int contract_version_binding(struct store *st, const struct contract *c, int number,
                             struct acc_arena *arena, struct contract_version *out,
                             struct acc_err *err)
{
    return load_version(st, c, number, false, arena, out, err);
}

int contract_version_list(struct store *st, const struct org_actor *who, int64_t contract_id,
                          struct acc_arena *arena, struct contract_version **items, int *n,
                          struct acc_err *err)
{
    struct contract_version *list;
    struct contract c;
    int rc;

    rc = contract_get(st, who, contract_id, arena, &c, err);
    if (rc)
        return rc;
    list = acc_arena_alloc(arena, sizeof(*list) * (size_t)c.n_versions);
    for (int i = 0; !rc && i < c.n_versions; i++)
        rc = load_version(st, &c, c.versions[i].number, true, arena, &list[i], err);
    if (!rc) {
        *items = list;
        *n = c.n_versions;
    }
    return rc;
}

/* ---- writing ---- */

static const char *side_name(enum measure_side s)
{
    return measure_side_name(s);
}

static const char *version_snapshot(const struct contract_version *v, struct acc_arena *arena)
{
    const struct contract_terms *t = &v->terms;
    struct acc_buf list;
    struct acc_jw w;
    const char *exp, *prio;

    acc_buf_init(&list);
    acc_buf_adds(&list, "[");
    for (int i = 0; i < t->n_expectations; i++) {
        const struct contract_expectation *e = &t->expectations[i];

        acc_jw_begin(&w);
        acc_jw_str(&w, "side", side_name(e->side));
        acc_jw_str(&w, "measure", e->measure->name);
        acc_jw_int(&w, "target", e->target);
        acc_jw_int(&w, "weight", e->weight);
        acc_jw_str(&w, "note", e->note);
        acc_buf_addf(&list, "%s%s", i ? "," : "", acc_jw_end(&w, arena));
    }
    acc_buf_adds(&list, "]");
    exp = acc_arena_strdup(arena, list.buf);
    acc_buf_reset(&list);
    acc_buf_adds(&list, "[");
    for (int i = 0; i < t->n_priorities; i++) {
        acc_jw_begin(&w);
        acc_jw_str(&w, "name", t->priorities[i].name);
        acc_jw_int(&w, "factor", t->priorities[i].factor);
        acc_jw_bool(&w, "default", t->priorities[i].is_default);
        acc_buf_addf(&list, "%s%s", i ? "," : "", acc_jw_end(&w, arena));
    }
    acc_buf_adds(&list, "]");
    prio = acc_arena_strdup(arena, list.buf);
    acc_buf_release(&list);

    acc_jw_begin(&w);
    acc_jw_int(&w, "contract_id", v->contract_id);
    acc_jw_int(&w, "number", v->number);
    acc_jw_str(&w, "state", contract_state_name(v->state));
    acc_jw_str(&w, "summary", t->summary);
    acc_jw_int(&w, "calendar_id", t->calendar.id);
    acc_jw_id(&w, "escalation_policy_id", t->policy.id);
    acc_jw_int(&w, "response_minutes", t->response_minutes);
    acc_jw_int(&w, "resolution_minutes", t->resolution_minutes);
    acc_jw_int(&w, "weight_task", t->weights[MEASURE_TASK]);
    acc_jw_int(&w, "weight_relationship", t->weights[MEASURE_RELATIONSHIP]);
    acc_jw_int(&w, "weight_learning", t->weights[MEASURE_LEARNING]);
    acc_jw_int(&w, "min_n", t->min_n);
    acc_jw_str(&w, "review_cadence", t->review_cadence);
    acc_jw_str(&w, "measure_period", t->measure_period);
    acc_jw_raw(&w, "expectations", exp);
    acc_jw_raw(&w, "priorities", prio);
    acc_jw_int(&w, "signatures", v->n_signatures);
    return acc_jw_end(&w, arena);
}

static const char *contract_snapshot(const struct contract *c, struct acc_arena *arena)
{
    struct acc_jw w;

    acc_jw_begin(&w);
    acc_jw_int(&w, "id", c->id);
    acc_jw_int(&w, "service_id", c->service.id);
    acc_jw_int(&w, "provider_department_id", c->provider.department.id);
    acc_jw_id(&w, "provider_person_id", c->provider.person.id);
    acc_jw_int(&w, "consumer_department_id", c->consumer.department.id);
    acc_jw_id(&w, "consumer_person_id", c->consumer.person.id);
    acc_jw_bool(&w, "formal", c->formal);
    return acc_jw_end(&w, arena);
}

static int audit_version(struct store *st, const struct org_actor *who,
                         const struct contract_version *before,
                         const struct contract_version *after, struct acc_arena *arena,
                         struct acc_err *err)
{
    return audit_append(st, who->person_id, who->via, "contract_version", after->id,
                        before ? version_snapshot(before, arena) : NULL,
                        version_snapshot(after, arena), err);
}

/* Applies the fields of in that are set onto t. */
static void terms_apply(struct contract_terms *t, const struct contract_terms_input *in)
{
    const struct contract_terms *n = &in->terms;

    if (in->has_summary)
        t->summary = n->summary;
    if (in->has_calendar)
        t->calendar = n->calendar;
    if (in->has_policy)
        t->policy = n->policy;
    if (in->has_response)
        t->response_minutes = n->response_minutes;
    if (in->has_resolution)
        t->resolution_minutes = n->resolution_minutes;
    if (in->has_weights)
        memcpy(t->weights, n->weights, sizeof(t->weights));
    if (in->has_min_n)
        t->min_n = n->min_n;
    if (in->has_review_cadence)
        t->review_cadence = n->review_cadence;
    if (in->has_measure_period)
        t->measure_period = n->measure_period;
    if (in->has_priorities) {
        t->priorities = n->priorities;
        t->n_priorities = n->n_priorities;
    }
}

/*
 * Replaces the expectations of the sides in has[] (provider, consumer) with those of from,
 * keeping the others: the result lives in the arena.
 */
static void expectations_apply(struct contract_terms *t, const struct contract_terms_input *in,
                               struct acc_arena *arena)
{
    static const enum measure_side order[] = {MEASURE_PROVIDER, MEASURE_CONSUMER};
    const struct contract_terms *src[2];
    struct contract_expectation *all;
    int n = 0;

    if (!in->has_expectations[0] && !in->has_expectations[1])
        return;
    all = acc_arena_alloc(arena, sizeof(*all) *
                                     (size_t)(t->n_expectations + in->terms.n_expectations + 1));
    src[0] = in->has_expectations[0] ? &in->terms : t;
    src[1] = in->has_expectations[1] ? &in->terms : t;
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < src[s]->n_expectations; i++)
            if (src[s]->expectations[i].side == order[s])
                all[n++] = src[s]->expectations[i];
    t->expectations = all;
    t->n_expectations = n;
}

/* Checks terms and the things they refer to: the calendar, the policy. */
static int terms_validate(struct store *st, const struct contract *c,
                          const struct contract_terms *t, struct acc_err *err)
{
    int rc = contract_terms_check(t, err);

    if (!rc) {
        struct store_arg args[] = {SA_INT(t->calendar.id)};
        int64_t n = 0;

        rc = store_query_int(st, "SELECT COUNT(*) FROM calendar WHERE id = ?", args, 1, &n, err);
        if (!rc && !n)
            rc = acc_fail(err, ACC_EINVAL, "/calendar_id", "calendar %lld does not exist",
                          (long long)t->calendar.id);
    }
    if (!rc && t->policy.id)
        rc = contract_policy_usable(st, t->policy.id, c->provider.department.id,
                                    "/escalation_policy_id", err);
    return rc;
}

/* Writes t as the terms of version_id: its columns, expectations and priorities. */
static int terms_write(struct store *st, int64_t version_id, const struct contract_terms *t,
                       struct acc_err *err)
{
    struct store_arg vid[] = {SA_INT(version_id)};
    struct store_arg args[] = {SA_TEXT(t->summary ? t->summary : ""),
                               SA_INT(t->calendar.id),
                               SA_ID(t->policy.id),
                               SA_INT(t->response_minutes),
                               SA_INT(t->resolution_minutes),
                               SA_INT(t->weights[MEASURE_TASK]),
                               SA_INT(t->weights[MEASURE_RELATIONSHIP]),
                               SA_INT(t->weights[MEASURE_LEARNING]),
                               SA_INT(t->min_n),
                               SA_TEXT(t->review_cadence),
                               SA_TEXT(t->measure_period),
                               SA_INT(acc_now()),
                               SA_INT(version_id)};
    int rc, pos[3] = {0, 0, 0};

    rc = store_exec(st,
                    "UPDATE contract_version SET summary = ?, calendar_id = ?, "
                    "escalation_policy_id = ?, response_minutes = ?, resolution_minutes = ?, "
                    "weight_task = ?, weight_relationship = ?, weight_learning = ?, min_n = ?, "
                    "review_cadence = ?, measure_period = ?, updated_at = ? WHERE id = ?",
                    args, ACC_ARRAY_LEN(args), NULL, err);
    if (!rc)
        rc = store_exec(st, "DELETE FROM contract_expectation WHERE version_id = ?", vid, 1, NULL,
                        err);
    if (!rc)
        rc =
            store_exec(st, "DELETE FROM contract_priority WHERE version_id = ?", vid, 1, NULL, err);
    for (int i = 0; !rc && i < t->n_expectations; i++) {
        const struct contract_expectation *e = &t->expectations[i];
        struct store_arg ea[] = {SA_INT(version_id),
                                 SA_TEXT(side_name(e->side)),
                                 SA_INT(++pos[e->side]),
                                 SA_TEXT(e->measure->name),
                                 SA_INT(e->target),
                                 SA_INT(e->weight),
                                 SA_TEXT(e->note ? e->note : "")};

        rc = store_exec(st,
                        "INSERT INTO contract_expectation (version_id, side, position, measure, "
                        "target, weight, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        ea, ACC_ARRAY_LEN(ea), NULL, err);
    }
    for (int i = 0; !rc && i < t->n_priorities; i++) {
        const struct contract_priority *p = &t->priorities[i];
        struct store_arg pa[] = {SA_INT(version_id), SA_INT(i + 1), SA_TEXT(p->name),
                                 SA_INT(p->factor), SA_INT(p->is_default)};

        rc = store_exec(st,
                        "INSERT INTO contract_priority (version_id, position, name, factor, "
                        "is_default) VALUES (?, ?, ?, ?, ?)",
                        pa, ACC_ARRAY_LEN(pa), NULL, err);
    }
    return rc;
}

static int insert_version(struct store *st, const struct org_actor *who, int64_t contract_id,
                          int number, int based_on, const struct contract_terms *t, int64_t *id,
                          struct acc_err *err)
{
    int64_t now = acc_now();
    struct store_arg args[] = {SA_INT(contract_id),
                               SA_INT(number),
                               SA_ID(based_on),
                               SA_INT(t->calendar.id),
                               SA_INT(t->response_minutes),
                               SA_INT(t->resolution_minutes),
                               SA_INT(t->min_n),
                               SA_TEXT(t->review_cadence),
                               SA_TEXT(t->measure_period),
                               SA_ID(who->person_id),
                               SA_INT(now),
                               SA_INT(now)};
    int rc;

    rc = store_query_int(st,
                         "INSERT INTO contract_version (contract_id, number, state, based_on, "
                         "summary, calendar_id, response_minutes, resolution_minutes, "
                         "weight_task, weight_relationship, weight_learning, min_n, "
                         "review_cadence, measure_period, created_by, created_at, updated_at) "
                         "VALUES (?, ?, 'draft', ?, '', ?, ?, ?, 0, 0, 0, ?, ?, ?, ?, ?, ?) "
                         "RETURNING id",
                         args, ACC_ARRAY_LEN(args), id, err);
    if (!rc)
        rc = terms_write(st, *id, t, err);
    return rc;
}

/* The default terms of a new contract, before the input applies. */
static void terms_default(struct contract_terms *t)
{
    memset(t, 0, sizeof(*t));
    t->summary = "";
    t->weights[MEASURE_TASK] = MEASURE_MILLI / 2;
    t->weights[MEASURE_RELATIONSHIP] = MEASURE_MILLI / 2;
    t->weights[MEASURE_LEARNING] = 0;
    t->min_n = 5;
    t->review_cadence = "quarterly";
    t->measure_period = "month";
}

/* An active person: *dept gets their department. ACC_EINVAL at field otherwise. */
static int active_person(struct store *st, int64_t id, const char *field, int64_t *dept,
                         struct acc_arena *arena, struct acc_err *err)
{
    struct org_person p;
    int rc = org_person_get(st, id, arena, &p, err);

    if (rc == ACC_ENOTFOUND || (!rc && !p.active))
        return acc_fail(err, ACC_EINVAL, field, "person %lld is not an active person",
                        (long long)id);
    if (!rc)
        *dept = p.department.id;
    return rc;
}

/* Fills c's sides from in and the service; checks them. */
static int sides_from_input(struct store *st, const struct contract_create_input *in,
                            struct contract *c, struct acc_arena *arena, struct acc_err *err)
{
    struct contract_service s;
    int64_t dept = 0;
    int rc;

    rc = contract_service_get(st, in->service_id, arena, &s, err);
    if (rc == ACC_ENOTFOUND)
        return acc_fail(err, ACC_EINVAL, "/service_id", "service %lld does not exist",
                        (long long)in->service_id);
    if (!rc && !s.active)
        return acc_fail(err, ACC_EINVAL, "/service_id", "service '%s' is retired", s.name);
    if (rc)
        return rc;
    c->service.id = s.id;
    c->service.name = s.name;
    c->service_point_person_id = s.point_person.id;
    c->provider.department = s.provider;
    c->formal = in->formal;
    if (in->provider_person_id) {
        rc = active_person(st, in->provider_person_id, "/provider_person_id", &dept, arena, err);
        if (!rc && dept != s.provider.id)
            rc = acc_fail(err, ACC_EINVAL, "/provider_person_id",
                          "the provider's named person must belong to %s", s.provider.name);
        c->provider.person.id = in->provider_person_id;
    }
    if (!rc && in->consumer_person_id) {
        rc = active_person(st, in->consumer_person_id, "/consumer_person_id", &dept, arena, err);
        if (!rc && in->consumer_department_id && dept != in->consumer_department_id)
            rc = acc_fail(err, ACC_EINVAL, "/consumer_person_id",
                          "the consumer's named person must belong to the consumer department");
        c->consumer.person.id = in->consumer_person_id;
        c->consumer.department.id = dept;
    } else if (!rc) {
        struct org_department d;

        if (!in->consumer_department_id)
            return acc_fail(err, ACC_EINVAL, "/consumer_department_id",
                            "consumer_department_id or consumer_person_id is required");
        rc = org_department_get(st, in->consumer_department_id, arena, &d, err);
        if (rc == ACC_ENOTFOUND || (!rc && !d.active))
            return acc_fail(err, ACC_EINVAL, "/consumer_department_id",
                            "department %lld is not an active department",
                            (long long)in->consumer_department_id);
        c->consumer.department.id = d.id;
    }
    if (!rc && c->consumer.department.id == c->provider.department.id &&
        !(c->provider.person.id && c->consumer.person.id &&
          c->provider.person.id != c->consumer.person.id))
        rc = acc_fail(err, ACC_EINVAL, "/consumer_department_id",
                      "a contract inside one department must name two different people");
    return rc;
}

int contract_create(struct store *st, const struct org_actor *who,
                    const struct contract_create_input *in, struct acc_arena *arena,
                    struct contract *out, struct acc_err *err)
{
    struct contract c = {0};
    struct contract_terms t;
    const struct contract_terms_input *ti = &in->terms;
    int64_t now = acc_now(), version_id = 0;
    const char *key;
    int rc;

    rc = sides_from_input(st, in, &c, arena, err);
    if (!rc)
        rc = contract_may_manage(&c, who, err);
    if (rc)
        return rc;
    if (!ti->has_calendar || !ti->has_response || !ti->has_resolution)
        return acc_fail(err, ACC_EINVAL,
                        !ti->has_calendar   ? "/calendar_id"
                        : !ti->has_response ? "/response_minutes"
                                            : "/resolution_minutes",
                        "calendar_id, response_minutes and resolution_minutes are required");
    terms_default(&t);
    terms_apply(&t, ti);
    expectations_apply(&t, ti, arena);
    rc = terms_validate(st, &c, &t, err);
    if (rc)
        return rc;
    key = acc_arena_printf(
        arena, "%c%lld:%c%lld", c.provider.person.id ? 'p' : 'd',
        (long long)(c.provider.person.id ? c.provider.person.id : c.provider.department.id),
        c.consumer.person.id ? 'p' : 'd',
        (long long)(c.consumer.person.id ? c.consumer.person.id : c.consumer.department.id));
    {
        struct store_arg args[] = {SA_INT(c.service.id),
                                   SA_INT(c.provider.department.id),
                                   SA_ID(c.provider.person.id),
                                   SA_INT(c.consumer.department.id),
                                   SA_ID(c.consumer.person.id),
                                   SA_TEXT(key),
                                   SA_INT(c.formal),
                                   SA_ID(who->person_id),
                                   SA_INT(now),
                                   SA_INT(now)};

        rc = store_query_int(st,
                             "INSERT INTO contract (service_id, provider_department_id, "
                             "provider_person_id, consumer_department_id, consumer_person_id, "
                             "parties_key, formal, created_by, created_at, updated_at) VALUES "
                             "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             args, ACC_ARRAY_LEN(args), &c.id, err);
    }
    if (rc == ACC_ECONFLICT)
        return acc_fail(err, ACC_ECONFLICT, "/service_id",
                        "a contract for this service between these sides exists already; start "
                        "a new version of it");
    if (!rc)
        rc = insert_version(st, who, c.id, 1, 0, &t, &version_id, err);
    if (!rc)
        rc = load_contract(st, c.id, arena, out, err);
    if (!rc)
        rc = load_versions(st, who, out, arena, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "contract", out->id, NULL,
                          contract_snapshot(out, arena), err);
    if (!rc) {
        struct contract_version v;

        rc = load_version(st, out, 1, true, arena, &v, err);
        if (!rc)
            rc = audit_version(st, who, NULL, &v, arena, err);
    }
    return rc;
}

/* Every change to a version is a change of its contract: updated_at says when the last was. */
static int touch_contract(struct store *st, int64_t id, int64_t now, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(now), SA_INT(id)};

    return store_exec(st, "UPDATE contract SET updated_at = ? WHERE id = ?", args, 2, NULL, err);
}

/* Loads contract c for a change by who: it must be visible and manageable. */
static int contract_for_change(struct store *st, const struct org_actor *who, int64_t id,
                               struct acc_arena *arena, struct contract *c, struct acc_err *err)
{
    int rc = contract_get(st, who, id, arena, c, err);

    return rc ? rc : contract_may_manage(c, who, err);
}

int contract_version_new(struct store *st, const struct org_actor *who, int64_t contract_id,
                         int from, struct acc_arena *arena, struct contract_version *out,
                         struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(contract_id)};
    struct contract_version base;
    struct contract c;
    int64_t open = 0, last = 0, version_id = 0;
    int rc;

    rc = contract_for_change(st, who, contract_id, arena, &c, err);
    if (!rc)
        rc = visible_version(st, who, &c, from ? from : c.latest_version, true, arena, &base, err);
    if (rc == ACC_ENOTFOUND && from)
        return acc_fail(err, ACC_EINVAL, "/from", "contract %lld has no version %d",
                        (long long)contract_id, from);
    if (!rc)
        rc = store_query_int(st,
                             "SELECT COUNT(*) FROM contract_version WHERE contract_id = ? AND "
                             "state IN ('draft', 'proposed', 'agreed')",
                             args, 1, &open, err);
    if (!rc && open)
        rc = acc_fail(err, ACC_ECONFLICT, "",
                      "contract %lld has a version in draft, proposed or agreed already: finish "
                      "or retire it first",
                      (long long)contract_id);
    if (!rc)
        rc = store_query_int(st, "SELECT MAX(number) FROM contract_version WHERE contract_id = ?",
                             args, 1, &last, err);
    if (!rc)
        rc = insert_version(st, who, contract_id, (int)last + 1, base.number, &base.terms,
                            &version_id, err);
    if (!rc)
        rc = touch_contract(st, contract_id, acc_now(), err);
    if (!rc)
        rc = load_version(st, &c, (int)last + 1, true, arena, out, err);
    if (!rc)
        rc = audit_version(st, who, NULL, out, arena, err);
    return rc;
}

int contract_version_update(struct store *st, const struct org_actor *who, int64_t contract_id,
                            int number, const struct contract_terms_input *in,
                            struct acc_arena *arena, struct contract_version *out,
                            struct acc_err *err)
{
    struct contract_version before;
    struct contract_terms t;
    enum contract_state to;
    struct contract c;
    int rc;

    rc = contract_for_change(st, who, contract_id, arena, &c, err);
    if (!rc)
        rc = visible_version(st, who, &c, number, true, arena, &before, err);
    if (!rc)
        rc = contract_next_state(before.state, CONTRACT_EDIT, c.formal, 0, &to, err);
    if (rc)
        return rc;
    t = before.terms;
    terms_apply(&t, in);
    expectations_apply(&t, in, arena);
    rc = terms_validate(st, &c, &t, err);
    if (!rc)
        rc = terms_write(st, before.id, &t, err);
    if (!rc)
        rc = touch_contract(st, contract_id, acc_now(), err);
    if (!rc)
        rc = load_version(st, &c, number, true, arena, out, err);
    if (!rc)
        rc = audit_version(st, who, &before, out, arena, err);
    return rc;
}

/* Copies the escalation in force into the version, so later policy edits leave it alone. */
static int freeze_escalation(struct store *st, const struct contract_version *v,
                             struct acc_err *err)
{
    struct store_arg args[] = {SA_ID(v->escalation_policy.id), SA_INT(v->id)};
    int rc = ACC_OK;

    if (v->escalation_policy.id)
        rc = contract_levels_copy(st, v->escalation_policy.id, v->id, err);
    if (!rc)
        rc = store_exec(st,
                        "UPDATE contract_version SET escalation_frozen = 1, frozen_policy_id = ? "
                        "WHERE id = ?",
                        args, 2, NULL, err);
    return rc;
}

/* Moves a version to state to, stamping at_col with now and by_col (may be NULL) with who. */
static int set_state(struct store *st, int64_t version_id, enum contract_state to,
                     const char *at_col, const char *by_col, int64_t person_id, int64_t now,
                     struct acc_err *err)
{
    struct store_arg args[] = {SA_TEXT(contract_state_name(to)), SA_INT(now), SA_INT(now),
                               by_col ? SA_ID(person_id) : SA_INT(version_id), SA_INT(version_id)};
    char sql[200];

    if (by_col)
        snprintf(sql, sizeof(sql),
                 "UPDATE contract_version SET state = ?, %s = ?, updated_at = ?, %s = ? WHERE "
                 "id = ?",
                 at_col, by_col);
    else
        snprintf(sql, sizeof(sql),
                 "UPDATE contract_version SET state = ?, %s = ?, updated_at = ? WHERE id = ?",
                 at_col);
    return store_exec(st, sql, args, by_col ? 5 : 4, NULL, err);
}

/* Signs v for side (0: the one side who may sign for). */
static int sign(struct store *st, const struct org_actor *who, const struct contract *c,
                const struct contract_version *v, enum measure_side side, enum contract_state to,
                int64_t now, struct acc_err *err)
{
    unsigned may = contract_signing_sides(c, who);
    int rc;

    if (!may)
        return acc_fail(err, ACC_EPERM, "",
                        "the provider side signs by its head or the service's point person, the "
                        "consumer side by its head (or a side's named person)");
    if (!side) {
        if (may == (MEASURE_PROVIDER | MEASURE_CONSUMER))
            return acc_fail(err, ACC_EINVAL, "/side",
                            "you may sign for either side: say which with \"side\"");
        side = (enum measure_side)may;
    }
    if (!(may & side))
        return acc_fail(err, ACC_EPERM, "/side", "you may not sign for the %s side",
                        side_name(side));
    for (int i = 0; i < v->n_signatures; i++)
        if (v->signatures[i].side == side)
            return acc_fail(err, ACC_ECONFLICT, "", "the %s side signed version %d already (%s)",
                            side_name(side), v->number, v->signatures[i].person.name);
    {
        struct store_arg args[] = {SA_INT(v->id), SA_TEXT(side_name(side)), SA_INT(who->person_id),
                                   SA_INT(now)};

        rc = store_exec(st,
                        "INSERT INTO contract_signature (version_id, side, person_id, signed_at) "
                        "VALUES (?, ?, ?, ?)",
                        args, ACC_ARRAY_LEN(args), NULL, err);
    }
    if (!rc && to == CONTRACT_AGREED)
        rc = set_state(st, v->id, to, "agreed_at", NULL, 0, now, err);
    return rc;
}

/* Puts v in force at now; the version in force until then is superseded at the same now. */
static int activate(struct store *st, const struct org_actor *who, const struct contract *c,
                    const struct contract_version *v, int64_t now, struct acc_arena *arena,
                    struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(now), SA_INT(now), SA_INT(c->id)};
    struct store_arg sid[] = {SA_INT(c->service.id)};
    int64_t active = 0;
    int rc;

    rc = store_query_int(st, "SELECT active FROM service WHERE id = ?", sid, 1, &active, err);
    if (!rc && !active)
        return acc_fail(err, ACC_ECONFLICT, "", "service '%s' is retired", c->service.name);
    if (!rc && !c->formal)
        rc = contract_terms_complete(&v->terms, err);
    if (!rc && !v->escalation_frozen)
        rc = freeze_escalation(st, v, err);
    if (!rc && c->active_version) {
        struct contract_version old;

        rc = load_version(st, c, c->active_version, true, arena, &old, err);
        if (!rc)
            rc = store_exec(st,
                            "UPDATE contract_version SET state = 'superseded', superseded_at = ?, "
                            "updated_at = ? WHERE contract_id = ? AND state = 'active'",
                            args, 3, NULL, err);
        if (!rc) {
            struct contract_version after = old;

            after.state = CONTRACT_SUPERSEDED;
            rc = audit_version(st, who, &old, &after, arena, err);
        }
    }
    if (!rc)
        rc = set_state(st, v->id, CONTRACT_ACTIVE, "activated_at", "activated_by", who->person_id,
                       now, err);
    return rc;
}

int contract_version_act(struct store *st, const struct org_actor *who, int64_t contract_id,
                         int number, enum contract_action action, enum measure_side side,
                         struct acc_arena *arena, struct contract_version *out, struct acc_err *err)
{
    struct contract_version before;
    int64_t now = acc_now();
    enum contract_state to;
    struct contract c;
    int rc;

    rc = contract_get(st, who, contract_id, arena, &c, err);
    if (!rc)
        rc = visible_version(st, who, &c, number, true, arena, &before, err);
    if (!rc && action != CONTRACT_SIGN)
        rc = contract_may_manage(&c, who, err);
    if (!rc)
        rc = contract_next_state(before.state, action, c.formal, before.n_signatures, &to, err);
    if (rc)
        return rc;
    switch (action) {
    case CONTRACT_PROPOSE:
        rc = contract_terms_complete(&before.terms, err);
        if (!rc)
            rc = freeze_escalation(st, &before, err);
        if (!rc)
            rc = set_state(st, before.id, to, "proposed_at", "proposed_by", who->person_id, now,
                           err);
        break;
    case CONTRACT_SIGN:
        rc = sign(st, who, &c, &before, side, to, now, err);
        break;
    case CONTRACT_ACTIVATE:
        rc = activate(st, who, &c, &before, now, arena, err);
        break;
    case CONTRACT_RETIRE:
        rc = set_state(st, before.id, to, "retired_at", "retired_by", who->person_id, now, err);
        break;
    case CONTRACT_EDIT:
        rc = acc_fail(err, ACC_EBUG, "", "edits go through contract_version_update");
        break;
    }
    if (!rc)
        rc = touch_contract(st, c.id, now, err);
    if (!rc)
        rc = load_version(st, &c, number, true, arena, out, err);
    if (!rc)
        rc = audit_version(st, who, &before, out, arena, err);
    return rc;
}
