/* org.c: rules and SQL for departments and people; every change is audited in its transaction. */
#include "base/acc.h"
#include "base/jw.h"
#include "audit/audit.h"
#include "org/org.h"
#include "store/store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

static const char *role_names[] = {"member", "point_person", "head", "admin"};

const char *org_role_name(enum org_role role)
{
    return (unsigned)role < ACC_ARRAY_LEN(role_names) ? role_names[role] : "member";
}

int org_role_parse(const char *s, enum org_role *out, struct acc_err *err)
{
    for (size_t i = 0; s && i < ACC_ARRAY_LEN(role_names); i++) {
        if (strcmp(s, role_names[i]) == 0) {
            *out = (enum org_role)i;
            return ACC_OK;
        }
    }
    return acc_fail(err, ACC_EINVAL, "/role",
                    "role '%s' is not one of admin, head, point_person, member", s ? s : "");
}

struct org_actor org_actor_system(const char *via)
{
    struct org_actor a = {0, 0, ORG_ROLE_ADMIN, via, false};

    return a;
}

int org_name_check(const char *name, const char *field, struct acc_err *err)
{
    size_t len = name ? strlen(name) : 0;

    if (!name || !len)
        return acc_fail(err, ACC_EINVAL, field, "%s must not be empty", field + 1);
    if (len > ORG_NAME_MAX)
        return acc_fail(err, ACC_EINVAL, field, "%s is longer than %d bytes", field + 1,
                        ORG_NAME_MAX);
    if (!acc_utf8_valid(name))
        return acc_fail(err, ACC_EINVAL, field, "%s is not valid UTF-8", field + 1);
    if (isspace((unsigned char)name[0]) || isspace((unsigned char)name[len - 1]))
        return acc_fail(err, ACC_EINVAL, field, "%s must not start or end with white space",
                        field + 1);
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p < 0x20)
            return acc_fail(err, ACC_EINVAL, field, "%s must not contain control characters",
                            field + 1);
    return ACC_OK;
}

int org_email_normalize(const char *email, struct acc_arena *arena, const char **out,
                        struct acc_err *err)
{
    char *e, *at;
    size_t len;

    if (!email || !*email)
        return acc_fail(err, ACC_EINVAL, "/email", "email must not be empty");
    e = acc_trim(acc_arena_strdup(arena, email));
    len = strlen(e);
    if (len > ORG_EMAIL_MAX)
        return acc_fail(err, ACC_EINVAL, "/email", "email is longer than %d bytes", ORG_EMAIL_MAX);
    at = strchr(e, '@');
    if (!at || at == e || !at[1] || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
        at[strlen(at) - 1] == '.')
        return acc_fail(err, ACC_EINVAL, "/email", "'%s' is not an e-mail address", e);
    for (char *p = e; *p; p++) {
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || strchr("<>()[],;:\\\"", *p))
            return acc_fail(err, ACC_EINVAL, "/email", "'%s' is not an e-mail address", e);
        *p = (char)tolower((unsigned char)*p);
    }
    *out = e;
    return ACC_OK;
}

int org_revision(struct store *st, int64_t *out, struct acc_err *err)
{
    return store_query_int(st, "SELECT value FROM revision WHERE name = 'org'", NULL, 0, out, err);
}

static int bump_revision(struct store *st, struct acc_err *err)
{
    return store_exec(st, "UPDATE revision SET value = value + 1 WHERE name = 'org'", NULL, 0, NULL,
                      err);
}

char *org_name_key(const char *name, struct acc_arena *arena)
{
    char *k = acc_arena_strdup(arena, name);

    for (char *p = k; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return k;
}

/* Audit snapshots: the stored fields of a record, as flat JSON text in the arena. */
static const char *department_snapshot(const struct org_department *d, struct acc_arena *arena)
{
    struct acc_jw w;

    acc_jw_begin(&w);
    acc_jw_int(&w, "id", d->id);
    acc_jw_str(&w, "name", d->name);
    acc_jw_bool(&w, "active", d->active);
    acc_jw_id(&w, "head_id", d->head.id);
    acc_jw_id(&w, "point_person_id", d->point_person.id);
    acc_jw_id(&w, "deputy_id", d->deputy.id);
    return acc_jw_end(&w, arena);
}

static const char *person_snapshot(const struct org_person *p, struct acc_arena *arena)
{
    struct acc_jw w;

    acc_jw_begin(&w);
    acc_jw_int(&w, "id", p->id);
    acc_jw_str(&w, "name", p->name);
    acc_jw_str(&w, "email", p->email);
    acc_jw_id(&w, "department_id", p->department.id);
    acc_jw_str(&w, "role", org_role_name(p->role));
    acc_jw_bool(&w, "active", p->active);
    return acc_jw_end(&w, arena);
}

/* ---- departments ---- */

#define DEPT_SELECT                                                                                \
    "SELECT d.id, d.name, d.active, d.head_id, h.name, d.point_person_id, pp.name, "               \
    "d.deputy_id, dp.name, (SELECT COUNT(*) FROM person m WHERE m.department_id = d.id AND "       \
    "m.active = 1), d.created_at, d.updated_at FROM department d "                                 \
    "LEFT JOIN person h ON h.id = d.head_id LEFT JOIN person pp ON pp.id = d.point_person_id "     \
    "LEFT JOIN person dp ON dp.id = d.deputy_id "

static int read_department(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                           struct acc_err *err)
{
    struct org_department *d = item;

    d->id = store_col_int(stmt, 0);
    d->name = store_col_dup(stmt, 1, arena);
    d->active = store_col_int(stmt, 2) != 0;
    d->head.id = store_col_int(stmt, 3);
    d->head.name = store_col_dup(stmt, 4, arena);
    d->point_person.id = store_col_int(stmt, 5);
    d->point_person.name = store_col_dup(stmt, 6, arena);
    d->deputy.id = store_col_int(stmt, 7);
    d->deputy.name = store_col_dup(stmt, 8, arena);
    d->member_count = store_col_int(stmt, 9);
    d->created_at = store_col_int(stmt, 10);
    d->updated_at = store_col_int(stmt, 11);
    return ACC_OK;
}

static int department_query_one(struct store *st, const char *sql, const struct store_arg *args,
                                int n, const char *what, struct acc_arena *arena,
                                struct org_department *out, struct acc_err *err)
{
    struct store_stmt *stmt;
    bool row;
    int rc;

    rc = store_exec(st, sql, args, n, &stmt, err);
    if (rc)
        return rc;
    rc = store_step(stmt, &row, err);
    if (!rc && !row)
        rc = acc_fail(err, ACC_ENOTFOUND, "", "department '%s' does not exist", what);
    if (!rc)
        read_department(stmt, out, arena, err);
    store_finish(stmt);
    return rc;
}

int org_department_get(struct store *st, int64_t id, struct acc_arena *arena,
                       struct org_department *out, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(id)};
    char what[24];

    snprintf(what, sizeof(what), "%lld", (long long)id);
    return department_query_one(st, DEPT_SELECT "WHERE d.id = ?", args, 1, what, arena, out, err);
}

int org_department_find(struct store *st, const char *id_or_name, struct acc_arena *arena,
                        struct org_department *out, struct acc_err *err)
{
    struct store_arg args[] = {SA_TEXT(org_name_key(id_or_name, arena))};
    int64_t id;

    if (acc_parse_i64(id_or_name, &id))
        return org_department_get(st, id, arena, out, err);
    return department_query_one(st, DEPT_SELECT "WHERE d.name_key = ?", args, 1, id_or_name, arena,
                                out, err);
}

int org_department_list(struct store *st, int64_t after_id, int limit, struct acc_arena *arena,
                        struct org_department **items, int *n, bool *more, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(after_id), SA_INT(limit + 1)};
    struct store_stmt *stmt;
    void *rows;
    int rc;

    rc = store_exec(st, DEPT_SELECT "WHERE d.id > ? ORDER BY d.id LIMIT ?", args, 2, &stmt, err);
    if (rc)
        return rc;
    rc = store_collect(stmt, sizeof(**items), limit, read_department, arena, &rows, n, more, err);
    if (!rc)
        *items = rows;
    return rc;
}

/* A head, point person or deputy must be an active person of the department. */
static int check_officer(struct store *st, int64_t dept_id, int64_t person_id, const char *field,
                         bool must_be_head, struct acc_arena *arena, struct acc_err *err)
{
    struct org_person p;
    int rc;

    if (!person_id)
        return ACC_OK;
    rc = org_person_get(st, person_id, arena, &p, err);
    if (rc == ACC_ENOTFOUND)
        return acc_fail(err, ACC_EINVAL, field, "person %lld does not exist", (long long)person_id);
    if (rc)
        return rc;
    if (p.department.id != dept_id || !dept_id)
        return acc_fail(err, ACC_EINVAL, field, "'%s' is not a member of this department", p.name);
    if (!p.active)
        return acc_fail(err, ACC_EINVAL, field, "'%s' is inactive", p.name);
    if (must_be_head && p.role != ORG_ROLE_HEAD)
        return acc_fail(err, ACC_EINVAL, field, "'%s' must have role head to head a department",
                        p.name);
    return ACC_OK;
}

/* Checks the posts the input names; a post left alone keeps its holder, even an inactive one. */
static int check_officers(struct store *st, const struct org_department *d,
                          const struct org_department_input *in, struct acc_arena *arena,
                          struct acc_err *err)
{
    int rc = ACC_OK;

    if (in->has_head)
        rc = check_officer(st, d->id, d->head.id, "/head_id", true, arena, err);
    if (!rc && in->has_point_person)
        rc = check_officer(st, d->id, d->point_person.id, "/point_person_id", false, arena, err);
    if (!rc && in->has_deputy)
        rc = check_officer(st, d->id, d->deputy.id, "/deputy_id", false, arena, err);
    if (!rc && d->deputy.id && d->deputy.id == d->point_person.id)
        rc = acc_fail(err, ACC_EINVAL, "/deputy_id",
                      "the deputy must be someone other than the point person");
    return rc;
}

static void apply_department(struct org_department *d, const struct org_department_input *in)
{
    if (in->has_name)
        d->name = in->name;
    if (in->has_active)
        d->active = in->active;
    if (in->has_head)
        d->head.id = in->head_id;
    if (in->has_point_person)
        d->point_person.id = in->point_person_id;
    if (in->has_deputy)
        d->deputy.id = in->deputy_id;
}

static int write_department(struct store *st, const struct org_department *d, bool create,
                            struct acc_arena *arena, int64_t *id, struct acc_err *err)
{
    int64_t now = acc_now();
    int rc;

    if (create) {
        struct store_arg args[] = {SA_TEXT(d->name), SA_TEXT(org_name_key(d->name, arena)),
                                   SA_INT(d->active), SA_INT(now), SA_INT(now)};

        rc = store_query_int(st,
                             "INSERT INTO department (name, name_key, active, created_at, "
                             "updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                             args, 5, id, err);
    } else {
        struct store_arg args[] = {SA_TEXT(d->name),
                                   SA_TEXT(org_name_key(d->name, arena)),
                                   SA_INT(d->active),
                                   SA_ID(d->head.id),
                                   SA_ID(d->point_person.id),
                                   SA_ID(d->deputy.id),
                                   SA_INT(now),
                                   SA_INT(d->id)};

        rc = store_exec(st,
                        "UPDATE department SET name = ?, name_key = ?, active = ?, head_id = ?, "
                        "point_person_id = ?, deputy_id = ?, updated_at = ? WHERE id = ?",
                        args, 8, NULL, err);
        *id = d->id;
    }
    if (rc == ACC_ECONFLICT)
        return acc_fail(err, ACC_ECONFLICT, "/name", "a department named '%s' already exists",
                        d->name);
    return rc;
}

int org_department_create(struct store *st, const struct org_actor *who,
                          const struct org_department_input *in, struct acc_arena *arena,
                          struct org_department *out, struct acc_err *err)
{
    struct org_department d = {0};
    int64_t id;
    int rc;

    if (who->role != ORG_ROLE_ADMIN)
        return acc_fail(err, ACC_EPERM, "", "only an administrator may create departments");
    if (!in->has_name)
        return acc_fail(err, ACC_EINVAL, "/name", "name is required");
    d.active = true;
    apply_department(&d, in);
    rc = org_name_check(d.name, "/name", err);
    if (!rc && (d.head.id || d.point_person.id || d.deputy.id))
        /* A new department has no members yet, so it cannot name officers. */
        rc = check_officers(st, &d, in, arena, err);
    if (!rc)
        rc = write_department(st, &d, true, arena, &id, err);
    if (!rc)
        rc = org_department_get(st, id, arena, out, err);
    if (!rc)
        rc = bump_revision(st, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "department", id, NULL,
                          department_snapshot(out, arena), err);
    return rc;
}

int org_department_update(struct store *st, const struct org_actor *who, int64_t id,
                          const struct org_department_input *in, struct acc_arena *arena,
                          struct org_department *out, struct acc_err *err)
{
    struct org_department before, d;
    int64_t ignored;
    int rc;

    rc = org_department_get(st, id, arena, &before, err);
    if (rc)
        return rc;
    if (who->role != ORG_ROLE_ADMIN) {
        bool own_head = who->role == ORG_ROLE_HEAD && who->department_id == id;

        if (!own_head)
            return acc_fail(err, ACC_EPERM, "",
                            "only an administrator or the head of '%s' may change it", before.name);
        if (in->has_name || in->has_active || in->has_head)
            return acc_fail(err, ACC_EPERM,
                            in->has_name     ? "/name"
                            : in->has_active ? "/active"
                                             : "/head_id",
                            "a head may change only the point person and deputy");
    }
    d = before;
    apply_department(&d, in);
    rc = org_name_check(d.name, "/name", err);
    if (!rc)
        rc = check_officers(st, &d, in, arena, err);
    if (!rc)
        rc = write_department(st, &d, false, arena, &ignored, err);
    if (!rc)
        rc = org_department_get(st, id, arena, out, err);
    if (!rc)
        rc = bump_revision(st, err);
    if (!rc)
        rc =
            audit_append(st, who->person_id, who->via, "department", id,
                         department_snapshot(&before, arena), department_snapshot(out, arena), err);
    return rc;
}

/* ---- people ---- */

#define PERSON_SELECT                                                                              \
    "SELECT p.id, p.name, p.email, p.department_id, d.name, p.role, p.active, p.created_at, "      \
    "p.updated_at FROM person p LEFT JOIN department d ON d.id = p.department_id "

static int read_person(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                       struct acc_err *err)
{
    struct org_person *p = item;
    const char *role = store_col_text(stmt, 5);

    p->id = store_col_int(stmt, 0);
    p->name = store_col_dup(stmt, 1, arena);
    p->email = store_col_dup(stmt, 2, arena);
    p->department.id = store_col_int(stmt, 3);
    p->department.name = store_col_dup(stmt, 4, arena);
    if (org_role_parse(role, &p->role, NULL))
        ACC_BUG("role outside the CHECK constraint");
    p->active = store_col_int(stmt, 6) != 0;
    p->created_at = store_col_int(stmt, 7);
    p->updated_at = store_col_int(stmt, 8);
    return ACC_OK;
}

static int person_query_one(struct store *st, const char *sql, const struct store_arg *args,
                            const char *what, struct acc_arena *arena, struct org_person *out,
                            struct acc_err *err)
{
    struct store_stmt *stmt;
    bool row;
    int rc;

    rc = store_exec(st, sql, args, 1, &stmt, err);
    if (rc)
        return rc;
    rc = store_step(stmt, &row, err);
    if (!rc && !row)
        rc = acc_fail(err, ACC_ENOTFOUND, "", "person '%s' does not exist", what);
    if (!rc)
        read_person(stmt, out, arena, err);
    store_finish(stmt);
    return rc;
}

int org_person_get(struct store *st, int64_t id, struct acc_arena *arena, struct org_person *out,
                   struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(id)};
    char what[24];

    snprintf(what, sizeof(what), "%lld", (long long)id);
    return person_query_one(st, PERSON_SELECT "WHERE p.id = ?", args, what, arena, out, err);
}

int org_person_get_by_email(struct store *st, const char *email, struct acc_arena *arena,
                            struct org_person *out, struct acc_err *err)
{
    const char *norm;
    struct store_arg args[1];
    int rc;

    rc = org_email_normalize(email, arena, &norm, err);
    if (rc)
        return rc;
    args[0] = SA_TEXT(norm);
    return person_query_one(st, PERSON_SELECT "WHERE p.email = ?", args, norm, arena, out, err);
}

/* "%q%" for LIKE in lower case, with q's own pattern characters escaped by '!'. */
static const char *like_pattern(const char *q, struct acc_arena *arena)
{
    char *out = acc_arena_alloc(arena, strlen(q) * 2 + 3), *o = out;

    *o++ = '%';
    for (const char *p = q; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '!')
            *o++ = '!';
        *o++ = (char)tolower((unsigned char)*p);
    }
    *o++ = '%';
    *o = '\0';
    return out;
}

int org_person_list(struct store *st, const struct org_person_filter *f, struct acc_arena *arena,
                    struct org_person **items, int *n, bool *more, struct acc_err *err)
{
    const char *like = f->q ? like_pattern(f->q, arena) : NULL;
    struct store_arg args[] = {SA_INT(f->department_id),
                               SA_INT(f->department_id),
                               SA_INT(f->active),
                               SA_INT(f->active),
                               SA_TEXT(like),
                               SA_TEXT(like),
                               SA_INT(f->after_id),
                               SA_INT(f->limit + 1)};
    struct store_stmt *stmt;
    void *rows;
    int rc;

    rc =
        store_exec(st,
                   PERSON_SELECT "WHERE (? = 0 OR p.department_id = ?) AND (? < 0 OR p.active = ?) "
                                 "AND (lower(p.name) LIKE COALESCE(?, lower(p.name)) ESCAPE '!' "
                                 "OR p.email LIKE COALESCE(?, p.email) ESCAPE '!') AND p.id > ? "
                                 "ORDER BY p.id LIMIT ?",
                   args, (int)ACC_ARRAY_LEN(args), &stmt, err);
    if (rc)
        return rc;
    rc = store_collect(stmt, sizeof(**items), f->limit, read_person, arena, &rows, n, more, err);
    if (!rc)
        *items = rows;
    return rc;
}

static void apply_person(struct org_person *p, const struct org_person_input *in)
{
    if (in->has_name)
        p->name = in->name;
    if (in->has_email)
        p->email = in->email;
    if (in->has_department)
        p->department.id = in->department_id;
    if (in->has_role)
        p->role = in->role;
    if (in->has_active)
        p->active = in->active;
}

/* What a head may do: people of their own department, never heads or administrators. */
static int check_person_rights(const struct org_actor *who, const struct org_person *before,
                               const struct org_person *after, struct acc_err *err)
{
    if (who->role == ORG_ROLE_ADMIN)
        return ACC_OK;
    if (who->role != ORG_ROLE_HEAD)
        return acc_fail(err, ACC_EPERM, "",
                        "only an administrator or a department head may manage people");
    if (before && (before->department.id != who->department_id || before->role >= ORG_ROLE_HEAD))
        return acc_fail(err, ACC_EPERM, "",
                        "a head may manage only the members and point persons of their own "
                        "department");
    if (after->department.id != who->department_id)
        return acc_fail(err, ACC_EPERM, "/department_id",
                        "a head may place people only in their own department");
    if (after->role >= ORG_ROLE_HEAD)
        return acc_fail(err, ACC_EPERM, "/role",
                        "a head may give only the roles member and "
                        "point_person");
    return ACC_OK;
}

/* Checks a person's fields; the department must be active when the person joins it. */
static int check_person(struct store *st, struct org_person *p, bool joining,
                        struct acc_arena *arena, struct acc_err *err)
{
    struct org_department d;
    int rc;

    rc = org_name_check(p->name, "/name", err);
    if (!rc)
        rc = org_email_normalize(p->email, arena, &p->email, err);
    if (rc)
        return rc;
    if (!p->department.id) {
        if (p->role != ORG_ROLE_ADMIN)
            return acc_fail(err, ACC_EINVAL, "/department_id",
                            "department_id is required (only administrators may have none)");
        return ACC_OK;
    }
    rc = org_department_get(st, p->department.id, arena, &d, err);
    if (rc == ACC_ENOTFOUND)
        return acc_fail(err, ACC_EINVAL, "/department_id", "department %lld does not exist",
                        (long long)p->department.id);
    if (!rc && joining && !d.active)
        return acc_fail(err, ACC_EINVAL, "/department_id", "department '%s' is inactive", d.name);
    return rc;
}

/* Someone who heads or stands for a department must keep their place there. */
static int check_officer_kept(struct store *st, const struct org_person *before,
                              const struct org_person *after, struct acc_arena *arena,
                              struct acc_err *err)
{
    struct org_department d;
    int rc;

    if (!before->department.id)
        return ACC_OK;
    rc = org_department_get(st, before->department.id, arena, &d, err);
    if (rc)
        return rc;
    if (d.head.id == before->id && (after->department.id != d.id || after->role != ORG_ROLE_HEAD))
        return acc_fail(err, ACC_ECONFLICT,
                        after->role != ORG_ROLE_HEAD ? "/role" : "/department_id",
                        "'%s' is the head of '%s': name another head first", before->name, d.name);
    if ((d.point_person.id == before->id || d.deputy.id == before->id) &&
        after->department.id != d.id)
        return acc_fail(err, ACC_ECONFLICT, "/department_id",
                        "'%s' is the %s of '%s': name another first", before->name,
                        d.point_person.id == before->id ? "point person" : "deputy", d.name);
    if (before->active && !after->active &&
        (d.head.id == before->id || d.point_person.id == before->id || d.deputy.id == before->id))
        return acc_fail(err, ACC_ECONFLICT, "/active",
                        "'%s' is the %s of '%s': name another before deactivating them",
                        before->name,
                        d.head.id == before->id           ? "head"
                        : d.point_person.id == before->id ? "point person"
                                                          : "deputy",
                        d.name);
    return ACC_OK;
}

int org_person_create(struct store *st, const struct org_actor *who,
                      const struct org_person_input *in, struct acc_arena *arena,
                      struct org_person *out, struct acc_err *err)
{
    struct org_person p = {0};
    int64_t now = acc_now(), id;
    int rc;

    if (!in->has_name)
        return acc_fail(err, ACC_EINVAL, "/name", "name is required");
    if (!in->has_email)
        return acc_fail(err, ACC_EINVAL, "/email", "email is required");
    if (!in->has_role)
        return acc_fail(err, ACC_EINVAL, "/role", "role is required");
    p.active = true;
    apply_person(&p, in);
    rc = check_person_rights(who, NULL, &p, err);
    if (!rc)
        rc = check_person(st, &p, true, arena, err);
    if (rc)
        return rc;
    {
        struct store_arg args[] = {SA_TEXT(p.email),
                                   SA_TEXT(p.name),
                                   SA_ID(p.department.id),
                                   SA_TEXT(org_role_name(p.role)),
                                   SA_INT(p.active),
                                   SA_TEXT(in->password_hash),
                                   SA_INT(now),
                                   SA_INT(now)};

        rc = store_query_int(st,
                             "INSERT INTO person (email, name, department_id, role, active, "
                             "password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, "
                             "?, ?) RETURNING id",
                             args, 8, &id, err);
    }
    if (rc == ACC_ECONFLICT)
        return acc_fail(err, ACC_ECONFLICT, "/email", "a person with e-mail '%s' already exists",
                        p.email);
    if (!rc)
        rc = org_person_get(st, id, arena, out, err);
    if (!rc)
        rc = bump_revision(st, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "person", id, NULL,
                          person_snapshot(out, arena), err);
    return rc;
}

int org_person_update(struct store *st, const struct org_actor *who, int64_t id,
                      const struct org_person_input *in, struct acc_arena *arena,
                      struct org_person *out, struct acc_err *err)
{
    struct org_person before, p;
    int rc;

    rc = org_person_get(st, id, arena, &before, err);
    if (rc)
        return rc;
    p = before;
    apply_person(&p, in);
    rc = check_person_rights(who, &before, &p, err);
    if (!rc && who->person_id == id && in->has_active && !in->active)
        rc = acc_fail(err, ACC_ECONFLICT, "/active", "you cannot deactivate yourself");
    if (!rc)
        rc = check_person(st, &p, p.department.id != before.department.id, arena, err);
    if (!rc)
        rc = check_officer_kept(st, &before, &p, arena, err);
    if (rc)
        return rc;
    /* Nothing to change: no write, no audit record. */
    if (!in->password_hash &&
        strcmp(person_snapshot(&before, arena), person_snapshot(&p, arena)) == 0) {
        *out = before;
        return ACC_OK;
    }
    {
        struct store_arg args[] = {SA_TEXT(p.email),       SA_TEXT(p.name),
                                   SA_ID(p.department.id), SA_TEXT(org_role_name(p.role)),
                                   SA_INT(p.active),       SA_TEXT(in->password_hash),
                                   SA_INT(acc_now()),      SA_INT(id)};

        rc = store_exec(st,
                        "UPDATE person SET email = ?, name = ?, department_id = ?, role = ?, "
                        "active = ?, password_hash = COALESCE(?, password_hash), updated_at = ? "
                        "WHERE id = ?",
                        args, 8, NULL, err);
    }
    if (rc == ACC_ECONFLICT)
        return acc_fail(err, ACC_ECONFLICT, "/email", "a person with e-mail '%s' already exists",
                        p.email);
    /* A new password, or deactivation, ends the person's sessions everywhere. */
    if (!rc && (in->password_hash || !p.active)) {
        struct store_arg args[] = {SA_INT(id)};

        rc = store_exec(st, "DELETE FROM session WHERE person_id = ?", args, 1, NULL, err);
    }
    if (!rc)
        rc = org_person_get(st, id, arena, out, err);
    if (!rc)
        rc = bump_revision(st, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "person", id,
                          person_snapshot(&before, arena), person_snapshot(out, arena), err);
    return rc;
}
