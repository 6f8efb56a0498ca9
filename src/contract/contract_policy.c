/* contract_policy.c: escalation policies, their levels, and departments' default policies. */
#include "base/acc.h"
#include "base/jw.h"
#include "audit/audit.h"
#include "contract/contract_int.h"
#include "store/store.h"

#include <stdio.h>

static const char *const clock_names[] = {"response", "resolution"};
static const char *const reassign_names[] = {NULL, "deputy", "provider_head"};

/* ---- levels ---- */

int contract_levels_load(struct store *st, bool by_version, int64_t owner_id,
                         struct acc_arena *arena, struct contract_level **levels, int *n,
                         struct acc_err *err)
{
    const char *sql_levels = by_version
                                 ? "SELECT id, clock, percent, notify, raise_priority, reassign "
                                   "FROM escalation_level WHERE version_id = ? ORDER BY position"
                                 : "SELECT id, clock, percent, notify, raise_priority, reassign "
                                   "FROM escalation_level WHERE policy_id = ? ORDER BY position";
    struct store_arg args[] = {SA_INT(owner_id)};
    struct contract_level *out;
    int64_t ids[CONTRACT_LEVELS_MAX];
    struct store_stmt *stmt = NULL;
    bool row;
    int rc, count = 0;

    out = acc_arena_alloc(arena, sizeof(*out) * CONTRACT_LEVELS_MAX);
    rc = store_exec(st, sql_levels, args, 1, &stmt, err);
    while (!rc && !(rc = store_step(stmt, &row, err)) && row && count < CONTRACT_LEVELS_MAX) {
        struct contract_level *l = &out[count];
        const char *reassign = store_col_text(stmt, 5);

        ids[count++] = store_col_int(stmt, 0);
        l->clock = strcmp(store_col_text(stmt, 1), "resolution") == 0 ? CONTRACT_RESOLUTION
                                                                      : CONTRACT_RESPONSE;
        l->percent = (int)store_col_int(stmt, 2);
        l->notify = (unsigned)store_col_int(stmt, 3);
        l->raise_priority = store_col_int(stmt, 4) != 0;
        l->reassign = !reassign                         ? CONTRACT_REASSIGN_NONE
                      : strcmp(reassign, "deputy") == 0 ? CONTRACT_REASSIGN_DEPUTY
                                                        : CONTRACT_REASSIGN_PROVIDER_HEAD;
        l->people = acc_arena_alloc(arena, sizeof(*l->people) * CONTRACT_LEVEL_PEOPLE_MAX);
    }
    store_finish(stmt);
    stmt = NULL;
    /* The people of all levels in one query, matched to their level by id. */
    if (!rc && count)
        rc = store_exec(st,
                        by_version ? "SELECT lp.level_id, p.id, p.name FROM escalation_level l "
                                     "JOIN escalation_level_person lp ON lp.level_id = l.id JOIN "
                                     "person p ON p.id = lp.person_id WHERE l.version_id = ? "
                                     "ORDER BY lp.level_id, p.id"
                                   : "SELECT lp.level_id, p.id, p.name FROM escalation_level l "
                                     "JOIN escalation_level_person lp ON lp.level_id = l.id JOIN "
                                     "person p ON p.id = lp.person_id WHERE l.policy_id = ? "
                                     "ORDER BY lp.level_id, p.id",
                        args, 1, &stmt, err);
    while (!rc && count && !(rc = store_step(stmt, &row, err)) && row) {
        int64_t level_id = store_col_int(stmt, 0);

        for (int i = 0; i < count; i++) {
            struct contract_level *l = &out[i];

            if (ids[i] != level_id || l->n_people == CONTRACT_LEVEL_PEOPLE_MAX)
                continue;
            l->people[l->n_people].id = store_col_int(stmt, 1);
            l->people[l->n_people++].name = store_col_dup(stmt, 2, arena);
        }
    }
    store_finish(stmt);
    if (!rc) {
        *levels = out;
        *n = count;
    }
    return rc;
}

/* Writes levels for policy_id or version_id (the other 0). */
static int levels_write(struct store *st, int64_t policy_id, int64_t version_id,
                        const struct contract_level *levels, int n, struct acc_err *err)
{
    int rc = ACC_OK;

    for (int i = 0; !rc && i < n; i++) {
        const struct contract_level *l = &levels[i];
        struct store_arg args[] = {SA_ID(policy_id),
                                   SA_ID(version_id),
                                   SA_INT(i + 1),
                                   SA_TEXT(clock_names[l->clock]),
                                   SA_INT(l->percent),
                                   SA_INT(l->notify),
                                   SA_INT(l->raise_priority),
                                   SA_TEXT(reassign_names[l->reassign])};
        struct store_stmt *stmt = NULL;
        int64_t level_id = 0;
        bool row;

        rc = store_exec(st,
                        "INSERT INTO escalation_level (policy_id, version_id, position, clock, "
                        "percent, notify, raise_priority, reassign) VALUES (?, ?, ?, ?, ?, ?, ?, "
                        "?) RETURNING id",
                        args, ACC_ARRAY_LEN(args), &stmt, err);
        if (!rc && !(rc = store_step(stmt, &row, err)) && row)
            level_id = store_col_int(stmt, 0);
        store_finish(stmt);
        for (int p = 0; !rc && p < l->n_people; p++) {
            struct store_arg pa[] = {SA_INT(level_id), SA_INT(l->people[p].id)};

            rc = store_exec(st,
                            "INSERT INTO escalation_level_person (level_id, person_id) VALUES "
                            "(?, ?)",
                            pa, 2, NULL, err);
        }
    }
    return rc;
}

static int levels_delete(struct store *st, int64_t policy_id, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(policy_id)};
    int rc;

    rc = store_exec(st,
                    "DELETE FROM escalation_level_person WHERE level_id IN (SELECT id FROM "
                    "escalation_level WHERE policy_id = ?)",
                    args, 1, NULL, err);
    if (!rc)
        rc = store_exec(st, "DELETE FROM escalation_level WHERE policy_id = ?", args, 1, NULL, err);
    return rc;
}

int contract_levels_copy(struct store *st, int64_t policy_id, int64_t version_id,
                         struct acc_err *err)
{
    struct acc_arena *arena = acc_arena_new();
    struct contract_level *levels;
    int n, rc;

    rc = contract_levels_load(st, false, policy_id, arena, &levels, &n, err);
    if (!rc)
        rc = levels_write(st, 0, version_id, levels, n, err);
    acc_arena_free(arena);
    return rc;
}

const char *contract_levels_snapshot(const struct contract_level *levels, int n,
                                     struct acc_arena *arena)
{
    struct acc_buf b;
    const char *s;

    acc_buf_init(&b);
    acc_buf_adds(&b, "[");
    for (int i = 0; i < n; i++) {
        const struct contract_level *l = &levels[i];
        struct acc_buf people;
        struct acc_jw w;

        acc_buf_init(&people);
        acc_buf_adds(&people, "[");
        for (int p = 0; p < l->n_people; p++)
            acc_buf_addf(&people, "%s%lld", p ? "," : "", (long long)l->people[p].id);
        acc_buf_adds(&people, "]");
        acc_jw_begin(&w);
        acc_jw_str(&w, "clock", clock_names[l->clock]);
        acc_jw_int(&w, "percent", l->percent);
        acc_jw_int(&w, "notify", l->notify);
        acc_jw_raw(&w, "people", people.buf);
        acc_jw_bool(&w, "raise_priority", l->raise_priority);
        acc_jw_str(&w, "reassign", reassign_names[l->reassign]);
        acc_buf_addf(&b, "%s%s", i ? "," : "", acc_jw_end(&w, arena));
        acc_buf_release(&people);
    }
    acc_buf_adds(&b, "]");
    s = acc_arena_strdup(arena, b.buf);
    acc_buf_release(&b);
    return s;
}

/* Checks levels: count, order, percentages, recipients, named people active. */
static int levels_check(struct store *st, const struct contract_level *levels, int n,
                        struct acc_err *err)
{
    int last[2] = {0, 0};

    if (n < 1 || n > CONTRACT_LEVELS_MAX)
        return acc_fail(err, ACC_EINVAL, "/levels", "a policy has 1 to %d levels",
                        CONTRACT_LEVELS_MAX);
    for (int i = 0; i < n; i++) {
        const struct contract_level *l = &levels[i];
        char field[48];

        snprintf(field, sizeof(field), "/levels/%d/percent", i);
        if (l->percent < 1 || l->percent > CONTRACT_PERCENT_MAX)
            return acc_fail(err, ACC_EINVAL, field, "a level's percent must be 1 to %d",
                            CONTRACT_PERCENT_MAX);
        if (l->percent <= last[l->clock])
            return acc_fail(err, ACC_EINVAL, field,
                            "levels of the %s clock must rise: %d%% comes after %d%%",
                            clock_names[l->clock], l->percent, last[l->clock]);
        last[l->clock] = l->percent;
        snprintf(field, sizeof(field), "/levels/%d/notify", i);
        if ((l->notify & ~(unsigned)CONTRACT_NOTIFY_ALL) != 0 || (!l->notify && !l->n_people))
            return acc_fail(err, ACC_EINVAL, field, "a level must notify someone");
        if (l->n_people > CONTRACT_LEVEL_PEOPLE_MAX)
            return acc_fail(err, ACC_EINVAL, field, "a level names at most %d people",
                            CONTRACT_LEVEL_PEOPLE_MAX);
        for (int p = 0; p < l->n_people; p++) {
            struct store_arg args[] = {SA_INT(l->people[p].id)};
            int64_t active = 0;
            int rc;

            snprintf(field, sizeof(field), "/levels/%d/people/%d", i, p);
            rc = store_query_int(st, "SELECT active FROM person WHERE id = ?", args, 1, &active,
                                 err);
            if (rc == ACC_ENOTFOUND || (!rc && !active))
                return acc_fail(err, ACC_EINVAL, field, "person %lld is not an active person",
                                (long long)l->people[p].id);
            if (rc)
                return rc;
            for (int q = 0; q < p; q++)
                if (l->people[q].id == l->people[p].id)
                    return acc_fail(err, ACC_EINVAL, field, "person %lld is named twice",
                                    (long long)l->people[p].id);
        }
    }
    return ACC_OK;
}

/* ---- policies ---- */

static const char *policy_snapshot(const struct contract_policy *p, struct acc_arena *arena)
{
    struct acc_jw w;

    acc_jw_begin(&w);
    acc_jw_int(&w, "id", p->id);
    acc_jw_str(&w, "name", p->name);
    acc_jw_id(&w, "department_id", p->department.id);
    acc_jw_raw(&w, "levels", contract_levels_snapshot(p->levels, p->n_levels, arena));
    return acc_jw_end(&w, arena);
}

#define POLICY_SELECT                                                                              \
    "SELECT p.id, p.name, p.department_id, d.name, p.created_at, p.updated_at FROM "               \
    "escalation_policy p LEFT JOIN department d ON d.id = p.department_id "

static int read_policy(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                       struct acc_err *err)
{
    struct contract_policy *p = item;

    (void)err;
    p->id = store_col_int(stmt, 0);
    p->name = store_col_dup(stmt, 1, arena);
    p->department.id = store_col_int(stmt, 2);
    p->department.name = store_col_dup(stmt, 3, arena);
    p->created_at = store_col_int(stmt, 4);
    p->updated_at = store_col_int(stmt, 5);
    return ACC_OK;
}

int contract_policy_get(struct store *st, int64_t id, struct acc_arena *arena,
                        struct contract_policy *out, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(id)};
    struct store_stmt *stmt = NULL;
    struct contract_policy p = {0};
    bool row;
    int rc;

    rc = store_exec(st, POLICY_SELECT "WHERE p.id = ?", args, 1, &stmt, err);
    if (!rc)
        rc = store_step(stmt, &row, err);
    if (!rc && !row)
        rc = acc_fail(err, ACC_ENOTFOUND, "", "escalation policy %lld does not exist",
                      (long long)id);
    if (!rc)
        rc = read_policy(stmt, &p, arena, err);
    store_finish(stmt);
    if (!rc)
        rc = contract_levels_load(st, false, id, arena, &p.levels, &p.n_levels, err);
    if (!rc)
        *out = p;
    return rc;
}

int contract_policy_list(struct store *st, int64_t after_id, int limit, struct acc_arena *arena,
                         struct contract_policy **items, int *n, bool *more, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(after_id), SA_INT(limit + 1)};
    struct contract_policy *list;
    struct store_stmt *stmt = NULL;
    int rc;

    rc = store_exec(st, POLICY_SELECT "WHERE p.id > ? ORDER BY p.id LIMIT ?", args, 2, &stmt, err);
    if (!rc)
        rc = store_collect(stmt, sizeof(*list), limit, read_policy, arena, (void **)&list, n, more,
                           err);
    for (int i = 0; !rc && i < *n; i++)
        rc = contract_levels_load(st, false, list[i].id, arena, &list[i].levels, &list[i].n_levels,
                                  err);
    if (!rc)
        *items = list;
    return rc;
}

/* Administrators manage every policy; a head those of their department. */
static int may_manage_policy(const struct org_actor *who, int64_t department_id,
                             struct acc_err *err)
{
    if (who->role == ORG_ROLE_ADMIN)
        return ACC_OK;
    if (who->role == ORG_ROLE_HEAD && department_id && department_id == who->department_id)
        return ACC_OK;
    return acc_fail(err, ACC_EPERM, "",
                    department_id ? "only an administrator or the department's head may manage "
                                    "its escalation policies"
                                  : "only an administrator may manage the organisation's "
                                    "escalation policies");
}

static int policy_write(struct store *st, const struct org_actor *who, int64_t id,
                        const struct contract_policy_input *in, struct acc_arena *arena,
                        struct contract_policy *out, struct acc_err *err)
{
    struct contract_policy before = {0}, p = {0};
    bool creating = id == 0;
    int64_t now = acc_now();
    int rc;

    if (!creating) {
        rc = contract_policy_get(st, id, arena, &before, err);
        if (!rc)
            rc = may_manage_policy(who, before.department.id, err);
        if (rc)
            return rc;
        p = before;
    } else if (!in->has_name || !in->has_levels) {
        return acc_fail(err, ACC_EINVAL, in->has_name ? "/levels" : "/name", "%s is required",
                        in->has_name ? "levels" : "name");
    }
    if (in->has_name)
        p.name = in->name;
    if (in->has_department) {
        if (!creating && in->department_id != before.department.id)
            return acc_fail(err, ACC_EINVAL, "/department_id",
                            "a policy stays with the department that owns it");
        p.department.id = in->department_id;
    }
    if (in->has_levels) {
        p.levels = in->levels;
        p.n_levels = in->n_levels;
    }
    rc = may_manage_policy(who, p.department.id, err);
    if (!rc)
        rc = org_name_check(p.name, "/name", err);
    if (!rc && p.department.id) {
        struct store_arg args[] = {SA_INT(p.department.id)};
        int64_t active = 0;

        rc = store_query_int(st, "SELECT active FROM department WHERE id = ?", args, 1, &active,
                             err);
        if (rc == ACC_ENOTFOUND || (!rc && !active))
            rc =
                acc_fail(err, ACC_EINVAL, "/department_id",
                         "department %lld is not an active department", (long long)p.department.id);
    }
    if (!rc)
        rc = levels_check(st, p.levels, p.n_levels, err);
    if (rc)
        return rc;
    if (creating) {
        struct store_arg args[] = {SA_TEXT(p.name), SA_TEXT(org_name_key(p.name, arena)),
                                   SA_ID(p.department.id), SA_INT(now), SA_INT(now)};

        rc = store_query_int(st,
                             "INSERT INTO escalation_policy (name, name_key, department_id, "
                             "created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                             args, ACC_ARRAY_LEN(args), &p.id, err);
    } else {
        struct store_arg args[] = {SA_TEXT(p.name), SA_TEXT(org_name_key(p.name, arena)),
                                   SA_INT(now), SA_INT(id)};

        rc = store_exec(st,
                        "UPDATE escalation_policy SET name = ?, name_key = ?, updated_at = ? "
                        "WHERE id = ?",
                        args, ACC_ARRAY_LEN(args), NULL, err);
        if (!rc && in->has_levels)
            rc = levels_delete(st, id, err);
    }
    if (rc == ACC_ECONFLICT)
        return acc_fail(err, ACC_ECONFLICT, "/name", "an escalation policy named '%s' exists",
                        p.name);
    if (!rc && (creating || in->has_levels))
        rc = levels_write(st, p.id, 0, p.levels, p.n_levels, err);
    if (!rc)
        rc = contract_policy_get(st, p.id, arena, out, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "escalation_policy", out->id,
                          creating ? NULL : policy_snapshot(&before, arena),
                          policy_snapshot(out, arena), err);
    return rc;
}

int contract_policy_create(struct store *st, const struct org_actor *who,
                           const struct contract_policy_input *in, struct acc_arena *arena,
                           struct contract_policy *out, struct acc_err *err)
{
    return policy_write(st, who, 0, in, arena, out, err);
}

int contract_policy_update(struct store *st, const struct org_actor *who, int64_t id,
                           const struct contract_policy_input *in, struct acc_arena *arena,
                           struct contract_policy *out, struct acc_err *err)
{
    return policy_write(st, who, id, in, arena, out, err);
}

int contract_policy_delete(struct store *st, const struct org_actor *who, int64_t id,
                           struct acc_arena *arena, struct acc_err *err)
{
    static const struct {
        const char *what;
        const char *sql;
    } users[] = {
        {"department default", "SELECT COUNT(*) FROM department_escalation WHERE policy_id = ?"},
        {"contract version",
         "SELECT COUNT(*) FROM contract_version WHERE escalation_policy_id = ? OR "
         "frozen_policy_id = ?"},
    };
    struct store_arg args[] = {SA_INT(id), SA_INT(id)};
    struct contract_policy p;
    int rc;

    rc = contract_policy_get(st, id, arena, &p, err);
    if (!rc)
        rc = may_manage_policy(who, p.department.id, err);
    for (size_t i = 0; !rc && i < ACC_ARRAY_LEN(users); i++) {
        int64_t n = 0;

        rc = store_query_int(st, users[i].sql, args, i == 0 ? 1 : 2, &n, err);
        if (!rc && n)
            rc = acc_fail(err, ACC_ECONFLICT, "", "escalation policy '%s' is used by %lld %s%s",
                          p.name, (long long)n, users[i].what, n == 1 ? "" : "s");
    }
    if (!rc)
        rc = levels_delete(st, id, err);
    if (!rc)
        rc = store_exec(st, "DELETE FROM escalation_policy WHERE id = ?", args, 1, NULL, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "escalation_policy", id,
                          policy_snapshot(&p, arena), NULL, err);
    return rc;
}

int contract_policy_usable(struct store *st, int64_t policy_id, int64_t provider_id,
                           const char *field, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(policy_id)};
    struct store_stmt *stmt = NULL;
    int64_t owner = 0;
    bool row = false;
    int rc;

    rc = store_exec(st, "SELECT department_id FROM escalation_policy WHERE id = ?", args, 1, &stmt,
                    err);
    if (!rc)
        rc = store_step(stmt, &row, err);
    if (!rc && row)
        owner = store_col_int(stmt, 0);
    store_finish(stmt);
    if (!rc && !row)
        return acc_fail(err, ACC_EINVAL, field, "escalation policy %lld does not exist",
                        (long long)policy_id);
    if (!rc && owner && owner != provider_id)
        return acc_fail(err, ACC_EINVAL, field,
                        "escalation policy %lld belongs to another department",
                        (long long)policy_id);
    return rc;
}

/* ---- department defaults ---- */

int contract_policy_default_get(struct store *st, int64_t department_id, struct acc_arena *arena,
                                struct contract_policy *out, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(department_id)};
    int64_t policy_id = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = store_query_int(st, "SELECT policy_id FROM department_escalation WHERE department_id = ?",
                         args, 1, &policy_id, err);
    if (rc == ACC_ENOTFOUND)
        return ACC_OK;
    if (!rc)
        rc = contract_policy_get(st, policy_id, arena, out, err);
    return rc;
}

int contract_policy_default_set(struct store *st, const struct org_actor *who,
                                int64_t department_id, int64_t policy_id, struct acc_arena *arena,
                                struct contract_policy *out, struct acc_err *err)
{
    struct store_arg dept[] = {SA_INT(department_id)};
    struct store_arg set[] = {SA_INT(department_id), SA_INT(policy_id)};
    struct contract_policy before;
    struct acc_jw w;
    const char *snap_before;
    int64_t active = 0;
    int rc;

    rc = store_query_int(st, "SELECT active FROM department WHERE id = ?", dept, 1, &active, err);
    if (rc == ACC_ENOTFOUND)
        return acc_fail(err, ACC_ENOTFOUND, "", "department %lld does not exist",
                        (long long)department_id);
    if (!rc && !(who->role == ORG_ROLE_ADMIN ||
                 (who->role == ORG_ROLE_HEAD && who->department_id == department_id)))
        rc = acc_fail(err, ACC_EPERM, "",
                      "only an administrator or the department's head may set its default "
                      "escalation policy");
    if (!rc && !active)
        rc = acc_fail(err, ACC_EINVAL, "", "department %lld is not active",
                      (long long)department_id);
    if (!rc && policy_id)
        rc = contract_policy_usable(st, policy_id, department_id, "/policy_id", err);
    if (!rc)
        rc = contract_policy_default_get(st, department_id, arena, &before, err);
    if (!rc)
        rc = store_exec(st, "DELETE FROM department_escalation WHERE department_id = ?", dept, 1,
                        NULL, err);
    if (!rc && policy_id)
        rc = store_exec(st,
                        "INSERT INTO department_escalation (department_id, policy_id) VALUES (?, "
                        "?)",
                        set, 2, NULL, err);
    if (!rc)
        rc = contract_policy_default_get(st, department_id, arena, out, err);
    if (rc)
        return rc;
    acc_jw_begin(&w);
    acc_jw_id(&w, "policy_id", before.id);
    snap_before = acc_jw_end(&w, arena);
    acc_jw_begin(&w);
    acc_jw_id(&w, "policy_id", out->id);
    return audit_append(st, who->person_id, who->via, "department_escalation", department_id,
                        snap_before, acc_jw_end(&w, arena), err);
}
