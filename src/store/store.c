/* store.c: backend dispatch, convenience queries, transactions and the connection pool. */
#include "base/acc.h"
#include "store/store_int.h"

#include <pthread.h>
#include <stdlib.h>

int store_open(const char *dsn, struct store **out, struct acc_err *err)
{
    const struct store_ops *ops = &store_sqlite_ops;
    struct store *st;
    int rc;

    if (!dsn || !*dsn)
        return acc_fail(err, ACC_EINVAL, "", "no database given");
    if (strncmp(dsn, "postgresql://", 13) == 0 || strncmp(dsn, "postgres://", 11) == 0) {
#ifdef ACC_WITH_PGSQL
        ops = &store_pgsql_ops;
#else
        return acc_fail(err, ACC_EINVAL, "",
                        "this accord was built without PostgreSQL "
                        "(build with PGSQL=1)");
#endif
    }
    st = xcalloc(1, sizeof(*st));
    st->ops = ops;
    rc = ops->open(st, dsn, err);
    if (rc) {
        free(st);
        return rc;
    }
    *out = st;
    return ACC_OK;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    if (st->in_txn)
        store_rollback(st);
    st->ops->close(st);
    free(st);
}

const char *store_dsn_display(const char *dsn, struct acc_arena *arena)
{
    const char *scheme = strstr(dsn, "://"), *at, *colon;

    if (!scheme)
        return dsn;
    at = strchr(scheme + 3, '@');
    colon = strchr(scheme + 3, ':');
    if (!at || !colon || colon > at)
        return dsn;
    return acc_arena_printf(arena, "%.*s:***%s", (int)(colon - dsn), dsn, at);
}

const char *store_backend(const struct store *st)
{
    return st->ops->name;
}

int store_exec(struct store *st, const char *sql, const struct store_arg *args, int n,
               struct store_stmt **out, struct acc_err *err)
{
    return st->ops->exec(st, sql, args, n, out, err);
}

int store_step(struct store_stmt *stmt, bool *has_row, struct acc_err *err)
{
    return stmt->st->ops->step(stmt, has_row, err);
}

int64_t store_col_int(struct store_stmt *stmt, int col)
{
    return stmt->st->ops->col_int(stmt, col);
}

const char *store_col_text(struct store_stmt *stmt, int col)
{
    return stmt->st->ops->col_text(stmt, col);
}

bool store_col_null(struct store_stmt *stmt, int col)
{
    return stmt->st->ops->col_null(stmt, col);
}

char *store_col_dup(struct store_stmt *stmt, int col, struct acc_arena *arena)
{
    const char *s = store_col_null(stmt, col) ? NULL : store_col_text(stmt, col);

    return s ? acc_arena_strdup(arena, s) : NULL;
}

void store_finish(struct store_stmt *stmt)
{
    if (stmt)
        stmt->st->ops->finish(stmt);
}

int store_collect(struct store_stmt *stmt, size_t size, int limit, store_row_fn *read,
                  struct acc_arena *arena, void **items, int *n, bool *more, struct acc_err *err)
{
    unsigned char *out = acc_arena_alloc(arena, size * (size_t)(limit + 1));
    int count = 0, rc;
    bool row;

    while (!(rc = store_step(stmt, &row, err)) && row && count <= limit) {
        rc = read(stmt, out + size * (size_t)count, arena, err);
        if (rc)
            break;
        count++;
    }
    store_finish(stmt);
    if (rc)
        return rc;
    *more = count > limit;
    *n = *more ? limit : count;
    *items = out;
    return ACC_OK;
}

int store_query_int(struct store *st, const char *sql, const struct store_arg *args, int n,
                    int64_t *out, struct acc_err *err)
{
    struct store_stmt *stmt;
    bool row;
    int rc;

    rc = store_exec(st, sql, args, n, &stmt, err);
    if (rc)
        return rc;
    rc = store_step(stmt, &row, err);
    if (!rc && !row)
        rc = acc_fail(err, ACC_ENOTFOUND, "", "no such record");
    if (!rc)
        *out = store_col_int(stmt, 0);
    store_finish(stmt);
    return rc;
}

int64_t store_changes(struct store *st)
{
    return st->ops->changes(st);
}

int store_script(struct store *st, const char *sql, struct acc_err *err)
{
    return st->ops->script(st, sql, err);
}

int store_begin(struct store *st, bool write, struct acc_err *err)
{
    int rc;

    if (st->in_txn)
        ACC_BUG("nested transaction");
    rc = store_exec(st, write ? st->ops->begin_write : st->ops->begin_read, NULL, 0, NULL, err);
    if (!rc) {
        st->in_txn = true;
        st->write_txn = write;
        st->changes_at_begin = st->ops->total_changes(st);
        st->forgotten = 0;
    }
    return rc;
}

int64_t store_total_changes(struct store *st)
{
    return st->ops->total_changes(st);
}

void store_forget_changes(struct store *st, int64_t n)
{
    st->forgotten += n;
}

/*
 * Moves the 'data' revision on, in the write transaction being committed when it changed
 * rows (other than those forgotten). Until the schema has the row (a database being created
 * or migrated), there is nothing to move: asked again at each commit until it exists, then
 * remembered for the connection.
 */
static int bump_data_revision(struct store *st, struct acc_err *err)
{
    int version, rc;

    if (!st->data_rev_exists) {
        rc = store_schema_version(st, &version, err);
        if (rc)
            return rc;
        if (version < STORE_DATA_REVISION_SINCE)
            return ACC_OK;
        st->data_rev_exists = true;
    }
    return store_exec(st, "UPDATE revision SET value = value + 1 WHERE name = 'data'", NULL, 0,
                      NULL, err);
}

int store_data_revision(struct store *st, int64_t *out, struct acc_err *err)
{
    return store_query_int(st, "SELECT value FROM revision WHERE name = 'data'", NULL, 0, out, err);
}

int store_commit(struct store *st, struct acc_err *err)
{
    bool changed =
        st->write_txn && st->ops->total_changes(st) - st->changes_at_begin - st->forgotten > 0;
    int rc = changed ? bump_data_revision(st, err) : ACC_OK;

    if (!rc)
        rc = store_exec(st, "COMMIT", NULL, 0, NULL, err);

    if (rc)
        store_rollback(st);
    st->in_txn = false;
    return rc;
}

void store_rollback(struct store *st)
{
    struct acc_err ignored;

    if (!st->in_txn)
        return;
    /* A failed rollback leaves nothing to undo: the transaction is gone either way. */
    store_exec(st, "ROLLBACK", NULL, 0, NULL, &ignored);
    st->in_txn = false;
}

bool store_in_txn(const struct store *st)
{
    return st->in_txn;
}

int store_check(struct store *st, struct acc_err *err)
{
    return st->ops->check(st, err);
}

/* The pool: a stack of idle connections under one mutex. */
struct store_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct store **all;
    struct store **idle;
    int size;
    int nidle;
    uint64_t leases;
    uint64_t waits;
};

int store_pool_new(const char *dsn, int n, struct store_pool **out, struct acc_err *err)
{
    struct store_pool *p = xcalloc(1, sizeof(*p));
    int rc;

    p->all = xcalloc((size_t)n, sizeof(*p->all));
    p->idle = xcalloc((size_t)n, sizeof(*p->idle));
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    for (p->size = 0; p->size < n; p->size++) {
        rc = store_open(dsn, &p->all[p->size], err);
        if (rc) {
            store_pool_free(p);
            return rc;
        }
        p->idle[p->nidle++] = p->all[p->size];
    }
    *out = p;
    return ACC_OK;
}

void store_pool_free(struct store_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->size; i++)
        store_close(p->all[i]);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->all);
    free(p->idle);
    free(p);
}

struct store *store_pool_lease(struct store_pool *p)
{
    struct store *st;

    pthread_mutex_lock(&p->mu);
    p->leases++;
    if (!p->nidle)
        p->waits++;
    while (!p->nidle)
        pthread_cond_wait(&p->cv, &p->mu);
    st = p->idle[--p->nidle];
    pthread_mutex_unlock(&p->mu);
    return st;
}

void store_pool_return(struct store_pool *p, struct store *st)
{
    if (st->in_txn)
        store_rollback(st);
    pthread_mutex_lock(&p->mu);
    p->idle[p->nidle++] = st;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void store_pool_stats(struct store_pool *p, struct store_pool_stats *out)
{
    pthread_mutex_lock(&p->mu);
    out->size = p->size;
    out->in_use = p->size - p->nidle;
    out->leases = p->leases;
    out->waits = p->waits;
    pthread_mutex_unlock(&p->mu);
}
