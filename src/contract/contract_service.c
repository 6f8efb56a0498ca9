/* contract_service.c: rules and SQL for the service catalogue; every change is audited. */
#include "base/acc.h"
#include "base/jw.h"
#include "audit/audit.h"
#include "contract/contract_int.h"
#include "store/store.h"

#include <stdio.h>

_Static_assert(CONTRACT_NAME_MAX == ORG_NAME_MAX, "names are checked by org_name_check()");

/* Audit snapshots: the stored fields of a service, as flat JSON text in the arena. */
static const char *service_snapshot(const struct contract_service *s, struct acc_arena *arena)
{
    struct acc_jw w;

    acc_jw_begin(&w);
    acc_jw_int(&w, "id", s->id);
    acc_jw_str(&w, "name", s->name);
    acc_jw_str(&w, "description", s->description);
    acc_jw_str(&w, "process", s->process);
    acc_jw_str(&w, "outcome", s->outcome);
    acc_jw_id(&w, "provider_id", s->provider.id);
    acc_jw_id(&w, "point_person_id", s->point_person.id);
    acc_jw_id(&w, "deputy_id", s->deputy.id);
    acc_jw_bool(&w, "active", s->active);
    return acc_jw_end(&w, arena);
}

/* Contracts of service ? with a version in force; retiring the service waits for them. */
#define ACTIVE_CONTRACTS                                                                           \
    "(SELECT COUNT(*) FROM contract c JOIN contract_version v ON v.contract_id = c.id WHERE "      \
    "c.service_id = s.id AND v.state = 'active')"

#define SERVICE_SELECT                                                                             \
    "SELECT s.id, s.name, s.description, s.process, s.outcome, s.provider_id, d.name, "            \
    "s.point_person_id, pp.name, s.deputy_id, dp.name, s.active, " ACTIVE_CONTRACTS ", "           \
    "s.created_at, s.updated_at FROM service s JOIN department d ON d.id = s.provider_id "         \
    "LEFT JOIN person pp ON pp.id = s.point_person_id LEFT JOIN person dp ON dp.id = s.deputy_id "

static int read_service(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                        struct acc_err *err)
{
    struct contract_service *s = item;

    s->id = store_col_int(stmt, 0);
    s->name = store_col_dup(stmt, 1, arena);
    s->description = store_col_dup(stmt, 2, arena);
    s->process = store_col_dup(stmt, 3, arena);
    s->outcome = store_col_dup(stmt, 4, arena);
    s->provider.id = store_col_int(stmt, 5);
    s->provider.name = store_col_dup(stmt, 6, arena);
    s->point_person.id = store_col_int(stmt, 7);
    s->point_person.name = store_col_dup(stmt, 8, arena);
    s->deputy.id = store_col_int(stmt, 9);
    s->deputy.name = store_col_dup(stmt, 10, arena);
    s->active = store_col_int(stmt, 11) != 0;
    s->active_contracts = store_col_int(stmt, 12);
    s->created_at = store_col_int(stmt, 13);
    s->updated_at = store_col_int(stmt, 14);
    return ACC_OK;
}

int contract_service_get(struct store *st, int64_t id, struct acc_arena *arena,
                         struct contract_service *out, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(id)};
    struct store_stmt *stmt;
    bool row;
    int rc;

    rc = store_exec(st, SERVICE_SELECT "WHERE s.id = ?", args, 1, &stmt, err);
    if (rc)
        return rc;
    rc = store_step(stmt, &row, err);
    if (!rc && !row)
        rc = acc_fail(err, ACC_ENOTFOUND, "", "service '%lld' does not exist", (long long)id);
    if (!rc)
        read_service(stmt, out, arena, err);
    store_finish(stmt);
    return rc;
}

int contract_service_find(struct store *st, const char *id_or_name, struct acc_arena *arena,
                          struct contract_service *out, struct acc_err *err)
{
    struct store_arg args[] = {SA_TEXT(org_name_key(id_or_name, arena))};
    struct contract_service *items;
    struct store_stmt *stmt;
    void *rows;
    bool more;
    int64_t id;
    int n, rc;

    if (acc_parse_i64(id_or_name, &id))
        return contract_service_get(st, id, arena, out, err);
    /* Names are unique per provider only: two rows mean the name alone does not say which. */
    rc = store_exec(st, SERVICE_SELECT "WHERE s.name_key = ? ORDER BY s.id LIMIT 3", args, 1, &stmt,
                    err);
    if (rc)
        return rc;
    rc = store_collect(stmt, sizeof(*items), 2, read_service, arena, &rows, &n, &more, err);
    if (rc)
        return rc;
    items = rows;
    if (n == 0)
        return acc_fail(err, ACC_ENOTFOUND, "", "service '%s' does not exist", id_or_name);
    if (n > 1)
        return acc_fail(err, ACC_ECONFLICT, "",
                        "'%s' and '%s' both offer a service named '%s': give its id",
                        items[0].provider.name, items[1].provider.name, id_or_name);
    *out = items[0];
    return ACC_OK;
}

int contract_service_list(struct store *st, const struct contract_service_filter *f,
                          struct acc_arena *arena, struct contract_service **items, int *n,
                          bool *more, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(f->provider_id), SA_INT(f->provider_id),
                               SA_INT(f->active),      SA_INT(f->active),
                               SA_INT(f->after_id),    SA_INT(f->limit + 1)};
    struct store_stmt *stmt;
    void *rows;
    int rc;

    rc = store_exec(st,
                    SERVICE_SELECT "WHERE (? = 0 OR s.provider_id = ?) AND (? < 0 OR s.active = ?) "
                                   "AND s.id > ? ORDER BY s.id LIMIT ?",
                    args, (int)ACC_ARRAY_LEN(args), &stmt, err);
    if (rc)
        return rc;
    rc = store_collect(stmt, sizeof(**items), f->limit, read_service, arena, &rows, n, more, err);
    if (!rc)
        *items = rows;
    return rc;
}

/* The point person and deputy must be active people of the provider department. */
static int check_member(struct store *st, const struct org_department *provider, int64_t person_id,
                        const char *field, struct acc_arena *arena, struct acc_err *err)
{
    struct org_person p;
    int rc;

    rc = org_person_get(st, person_id, arena, &p, err);
    if (rc == ACC_ENOTFOUND)
        return acc_fail(err, ACC_EINVAL, field, "person %lld does not exist", (long long)person_id);
    if (rc)
        return rc;
    if (p.department.id != provider->id)
        return acc_fail(err, ACC_EINVAL, field, "'%s' is not a member of '%s'", p.name,
                        provider->name);
    if (!p.active)
        return acc_fail(err, ACC_EINVAL, field, "'%s' is inactive", p.name);
    return ACC_OK;
}

/*
 * Checks a service as it would be stored. before is NULL on create. People and the
 * provider are checked when they are new to the service: a point person left alone keeps
 * the post even once inactive (requests then go to the deputy).
 */
static int check_service(struct store *st, const struct contract_service *before,
                         const struct contract_service *s, const struct contract_service_input *in,
                         struct acc_arena *arena, struct acc_err *err)
{
    bool moved = !before || before->provider.id != s->provider.id;
    struct org_department d;
    int rc;

    rc = org_name_check(s->name, "/name", err);
    if (!rc)
        rc = acc_text_check(s->description, CONTRACT_TEXT_MAX, "/description", err);
    if (!rc)
        rc = acc_text_check(s->process, CONTRACT_TEXT_MAX, "/process", err);
    if (!rc)
        rc = acc_text_check(s->outcome, CONTRACT_TEXT_MAX, "/outcome", err);
    if (rc)
        return rc;
    if (!s->provider.id)
        return acc_fail(err, ACC_EINVAL, "/provider_id", "a service needs a provider department");
    rc = org_department_get(st, s->provider.id, arena, &d, err);
    if (rc == ACC_ENOTFOUND)
        return acc_fail(err, ACC_EINVAL, "/provider_id", "department %lld does not exist",
                        (long long)s->provider.id);
    if (rc)
        return rc;
    if (!d.active && (moved || (s->active && !before->active)))
        return acc_fail(err, ACC_EINVAL, "/provider_id", "department '%s' is inactive", d.name);
    if (!s->point_person.id)
        return acc_fail(err, ACC_EINVAL, "/point_person_id", "a service needs a point person");
    if (moved || in->has_point_person)
        rc = check_member(st, &d, s->point_person.id, "/point_person_id", arena, err);
    if (!rc && s->deputy.id && (moved || in->has_deputy))
        rc = check_member(st, &d, s->deputy.id, "/deputy_id", arena, err);
    if (!rc && s->deputy.id && s->deputy.id == s->point_person.id)
        rc = acc_fail(err, ACC_EINVAL, "/deputy_id",
                      "the deputy must be someone other than the point person");
    return rc;
}

/* Names are unique per provider regardless of case. */
static int check_name_free(struct store *st, const struct contract_service *s,
                           struct acc_arena *arena, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(s->provider.id), SA_TEXT(org_name_key(s->name, arena)),
                               SA_INT(s->id)};
    int64_t other;
    int rc;

    rc = store_query_int(st,
                         "SELECT id FROM service WHERE provider_id = ? AND name_key = ? AND "
                         "id <> ?",
                         args, 3, &other, err);
    if (rc == ACC_ENOTFOUND)
        return ACC_OK;
    if (rc)
        return rc;
    return acc_fail(err, ACC_ECONFLICT, "/name", "'%s' already offers a service named '%s'",
                    s->provider.name, s->name);
}

static void apply_service(struct contract_service *s, const struct contract_service_input *in)
{
    if (in->has_name)
        s->name = in->name;
    if (in->has_description)
        s->description = in->description ? in->description : "";
    if (in->has_process)
        s->process = in->process ? in->process : "";
    if (in->has_outcome)
        s->outcome = in->outcome ? in->outcome : "";
    if (in->has_provider && s->provider.id != in->provider_id) {
        s->provider.id = in->provider_id;
        s->provider.name = NULL;
    }
    if (in->has_point_person)
        s->point_person.id = in->point_person_id;
    if (in->has_deputy)
        s->deputy.id = in->deputy_id;
    if (in->has_active)
        s->active = in->active;
}

/* Fills s->provider.name for messages once the provider is known to exist. */
static int provider_name(struct store *st, struct contract_service *s, struct acc_arena *arena,
                         struct acc_err *err)
{
    struct org_department d;
    int rc;

    if (s->provider.name)
        return ACC_OK;
    rc = org_department_get(st, s->provider.id, arena, &d, err);
    if (!rc)
        s->provider.name = d.name;
    return rc;
}

static int write_service(struct store *st, const struct contract_service *s, bool create,
                         struct acc_arena *arena, int64_t *id, struct acc_err *err)
{
    int64_t now = acc_now();
    int rc;

    if (create) {
        struct store_arg args[] = {SA_INT(s->provider.id),
                                   SA_TEXT(s->name),
                                   SA_TEXT(org_name_key(s->name, arena)),
                                   SA_TEXT(s->description),
                                   SA_TEXT(s->process),
                                   SA_TEXT(s->outcome),
                                   SA_INT(s->point_person.id),
                                   SA_ID(s->deputy.id),
                                   SA_INT(s->active),
                                   SA_INT(now),
                                   SA_INT(now)};

        rc = store_query_int(st,
                             "INSERT INTO service (provider_id, name, name_key, description, "
                             "process, outcome, point_person_id, deputy_id, active, created_at, "
                             "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             args, (int)ACC_ARRAY_LEN(args), id, err);
    } else {
        struct store_arg args[] = {SA_INT(s->provider.id),
                                   SA_TEXT(s->name),
                                   SA_TEXT(org_name_key(s->name, arena)),
                                   SA_TEXT(s->description),
                                   SA_TEXT(s->process),
                                   SA_TEXT(s->outcome),
                                   SA_INT(s->point_person.id),
                                   SA_ID(s->deputy.id),
                                   SA_INT(s->active),
                                   SA_INT(now),
                                   SA_INT(s->id)};

        rc = store_exec(st,
                        "UPDATE service SET provider_id = ?, name = ?, name_key = ?, "
                        "description = ?, process = ?, outcome = ?, point_person_id = ?, "
                        "deputy_id = ?, active = ?, updated_at = ? WHERE id = ?",
                        args, (int)ACC_ARRAY_LEN(args), NULL, err);
        *id = s->id;
    }
    /* check_name_free() ran first; this is a writer that raced it. */
    if (rc == ACC_ECONFLICT)
        return acc_fail(err, ACC_ECONFLICT, "/name", "'%s' already offers a service named '%s'",
                        s->provider.name, s->name);
    return rc;
}

/* Administrators manage every service; a head, those their own department provides. */
static bool may_manage(const struct org_actor *who, int64_t provider_id)
{
    return who->role == ORG_ROLE_ADMIN ||
           (who->role == ORG_ROLE_HEAD && who->department_id && who->department_id == provider_id);
}

int contract_service_create(struct store *st, const struct org_actor *who,
                            const struct contract_service_input *in, struct acc_arena *arena,
                            struct contract_service *out, struct acc_err *err)
{
    struct contract_service s = {.description = "", .process = "", .outcome = "", .active = true};
    int64_t id;
    int rc;

    if (who->role != ORG_ROLE_ADMIN && who->role != ORG_ROLE_HEAD)
        return acc_fail(err, ACC_EPERM, "",
                        "only an administrator or the head of the provider department may create "
                        "services");
    if (!in->has_name)
        return acc_fail(err, ACC_EINVAL, "/name", "name is required");
    if (!in->has_provider)
        return acc_fail(err, ACC_EINVAL, "/provider_id", "provider_id is required");
    if (!in->has_point_person)
        return acc_fail(err, ACC_EINVAL, "/point_person_id", "point_person_id is required");
    if (!may_manage(who, in->provider_id))
        return acc_fail(err, ACC_EPERM, "/provider_id",
                        "a head may create services only for their own department");
    apply_service(&s, in);
    rc = check_service(st, NULL, &s, in, arena, err);
    if (!rc)
        rc = provider_name(st, &s, arena, err);
    if (!rc)
        rc = check_name_free(st, &s, arena, err);
    if (!rc)
        rc = write_service(st, &s, true, arena, &id, err);
    if (!rc)
        rc = contract_service_get(st, id, arena, out, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "service", id, NULL,
                          service_snapshot(out, arena), err);
    return rc;
}

int contract_service_update(struct store *st, const struct org_actor *who, int64_t id,
                            const struct contract_service_input *in, struct acc_arena *arena,
                            struct contract_service *out, struct acc_err *err)
{
    struct contract_service before, s;
    int64_t ignored;
    int rc;

    rc = contract_service_get(st, id, arena, &before, err);
    if (rc)
        return rc;
    if (!may_manage(who, before.provider.id))
        return acc_fail(err, ACC_EPERM, "",
                        "only an administrator or the head of '%s' may change its services",
                        before.provider.name);
    if (who->role != ORG_ROLE_ADMIN && in->has_provider && in->provider_id != before.provider.id)
        return acc_fail(err, ACC_EPERM, "/provider_id",
                        "a head may not move a service to another department");
    s = before;
    apply_service(&s, in);
    rc = check_service(st, &before, &s, in, arena, err);
    if (!rc)
        rc = provider_name(st, &s, arena, err);
    if (!rc)
        rc = check_name_free(st, &s, arena, err);
    if (!rc && before.active && !s.active && before.active_contracts > 0)
        rc = acc_fail(err, ACC_ECONFLICT, "/active",
                      "service '%s' has %lld active contract%s: retire %s active version%s first",
                      before.name, (long long)before.active_contracts,
                      before.active_contracts == 1 ? "" : "s",
                      before.active_contracts == 1 ? "its" : "their",
                      before.active_contracts == 1 ? "" : "s");
    if (rc)
        return rc;
    /* Nothing to change: no write, no audit record. */
    if (strcmp(service_snapshot(&before, arena), service_snapshot(&s, arena)) == 0) {
        *out = before;
        return ACC_OK;
    }
    rc = write_service(st, &s, false, arena, &ignored, err);
    if (!rc)
        rc = contract_service_get(st, id, arena, out, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "service", id,
                          service_snapshot(&before, arena), service_snapshot(out, arena), err);
    return rc;
}
