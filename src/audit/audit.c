/* audit.c: writing and reading the append-only audit table. */
#include "base/acc.h"
#include "audit/audit.h"
#include "store/store.h"

int audit_append(struct store *st, int64_t actor_id, const char *action, const char *entity,
                 int64_t entity_id, const char *before_json, const char *after_json,
                 struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(acc_now()),  SA_ID(actor_id),  SA_TEXT(action),
                               SA_TEXT(entity),    SA_ID(entity_id), SA_TEXT(before_json),
                               SA_TEXT(after_json)};

    return store_exec(st,
                      "INSERT INTO audit (at, actor_id, action, entity, entity_id, before_json, "
                      "after_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      args, (int)ACC_ARRAY_LEN(args), NULL, err);
}

static int read_entry(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                      struct acc_err *err)
{
    struct audit_entry *e = item;

    e->id = store_col_int(stmt, 0);
    e->at = store_col_int(stmt, 1);
    e->actor_id = store_col_int(stmt, 2);
    e->actor_name = store_col_dup(stmt, 3, arena);
    e->action = store_col_dup(stmt, 4, arena);
    e->entity = store_col_dup(stmt, 5, arena);
    e->entity_id = store_col_int(stmt, 6);
    e->before_json = store_col_dup(stmt, 7, arena);
    e->after_json = store_col_dup(stmt, 8, arena);
    return ACC_OK;
}

int audit_list(struct store *st, const struct audit_filter *f, struct acc_arena *arena,
               struct audit_entry **items, int *n, bool *more, struct acc_err *err)
{
    struct store_arg args[] = {SA_TEXT(f->entity),   SA_INT(f->entity_id), SA_INT(f->entity_id),
                               SA_INT(f->actor_id),  SA_INT(f->actor_id),  SA_INT(f->before_id),
                               SA_INT(f->before_id), SA_INT(f->limit + 1)};
    struct store_stmt *stmt;
    void *rows;
    int rc;

    rc = store_exec(
        st,
        "SELECT a.id, a.at, a.actor_id, p.name, a.action, a.entity, a.entity_id, "
        "a.before_json, a.after_json FROM audit a LEFT JOIN person p ON p.id = "
        "a.actor_id WHERE a.entity = COALESCE(?, a.entity) AND (? = 0 OR a.entity_id = ?) "
        "AND (? = 0 OR a.actor_id = ?) AND (? = 0 OR a.id < ?) ORDER BY a.id DESC "
        "LIMIT ?",
        args, (int)ACC_ARRAY_LEN(args), &stmt, err);
    if (rc)
        return rc;
    rc = store_collect(stmt, sizeof(**items), f->limit, read_entry, arena, &rows, n, more, err);
    if (!rc)
        *items = rows;
    return rc;
}
