/* store_sqlite.c: the SQLite backend: WAL, foreign keys, busy timeout, cached prepared statements.
 */
#include "base/acc.h"
#include "base/log.h"
#include "store/store_int.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#define CACHE_SIZE   96
#define BUSY_TIMEOUT 5000 /* ms a writer waits for the lock before failing */

struct lite_stmt {
    struct store_stmt head;
    sqlite3_stmt *s;
    bool cached;
    bool busy;
    const char *key; /* the SQL text pointer it was prepared from */
    uint64_t used;   /* when it was last taken, for evicting the least recently used */
};

struct lite {
    sqlite3 *db;
    struct lite_stmt cache[CACHE_SIZE];
    int ncache;
    uint64_t ticks; /* counts statements taken from the cache */
};

static int fail_db(struct acc_err *err, sqlite3 *db, int rc, const char *what)
{
    int ext = db ? sqlite3_extended_errcode(db) : rc;
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

    acc_log(ACC_LOG_WARN, "sqlite error", "what", what, "code", acc_log_int(ext), "detail", msg,
            NULL);
    if ((ext & 0xff) == SQLITE_CONSTRAINT) {
        if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
            return acc_fail(err, ACC_ECONFLICT, "",
                            "a referenced record does not exist or is "
                            "still in use");
        return acc_fail(err, ACC_ECONFLICT, "", "a record with the same key already exists");
    }
    if ((ext & 0xff) == SQLITE_BUSY || (ext & 0xff) == SQLITE_LOCKED)
        return acc_fail(err, ACC_ESTORE, "", "the database is busy; try again");
    return acc_fail(err, ACC_ESTORE, "", "storage error");
}

static int lite_open(struct store *st, const char *dsn, struct acc_err *err)
{
    static const char *pragmas = "PRAGMA foreign_keys=ON;"
                                 "PRAGMA synchronous=FULL;"
                                 "PRAGMA temp_store=MEMORY;"
                                 "PRAGMA cache_size=-16384;"
                                 "PRAGMA mmap_size=268435456;";
    struct lite *l = xcalloc(1, sizeof(*l));
    int rc;

    rc = sqlite3_open_v2(dsn, &l->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        int code = acc_fail(err, ACC_ESTORE, "", "cannot open database '%s': %s", dsn,
                            l->db ? sqlite3_errmsg(l->db) : sqlite3_errstr(rc));

        sqlite3_close(l->db);
        free(l);
        return code;
    }
    sqlite3_busy_timeout(l->db, BUSY_TIMEOUT);
    sqlite3_extended_result_codes(l->db, 1);
    rc = sqlite3_exec(l->db, pragmas, NULL, NULL, NULL);
    if (rc == SQLITE_OK && strcmp(dsn, ":memory:") != 0)
        rc = sqlite3_exec(l->db, "PRAGMA journal_mode=WAL;", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        int code = acc_fail(err, ACC_ESTORE, "", "cannot set up database '%s': %s", dsn,
                            sqlite3_errmsg(l->db));

        sqlite3_close(l->db);
        free(l);
        return code;
    }
    st->be = l;
    return ACC_OK;
}

static void lite_close(struct store *st)
{
    struct lite *l = st->be;

    for (int i = 0; i < l->ncache; i++)
        sqlite3_finalize(l->cache[i].s);
    sqlite3_close(l->db);
    free(l);
}

/*
 * A cache slot for a new statement: a free one, else the least recently used idle one
 * (finalized: SQL built per filter combination must not crowd out the steady statements);
 * NULL when every slot is busy.
 */
static struct lite_stmt *cache_slot(struct lite *l)
{
    struct lite_stmt *victim = NULL;

    if (l->ncache < CACHE_SIZE)
        return &l->cache[l->ncache++];
    for (int i = 0; i < l->ncache; i++)
        if (!l->cache[i].busy && (!victim || l->cache[i].used < victim->used))
            victim = &l->cache[i];
    if (victim)
        sqlite3_finalize(victim->s);
    return victim;
}

/* Finds a cached idle statement for this SQL text, or prepares one and caches it. */
static int prepare(struct store *st, const char *sql, struct lite_stmt **out, struct acc_err *err)
{
    struct lite *l = st->be;
    struct lite_stmt *ls;
    sqlite3_stmt *s;
    int rc;

    /* Callers mostly pass string literals: try the same pointer first, then any equal text. */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < l->ncache; i++) {
            ls = &l->cache[i];
            if (!ls->busy && (pass || ls->key == sql) && strcmp(sqlite3_sql(ls->s), sql) == 0) {
                ls->busy = true;
                ls->used = ++l->ticks;
                *out = ls;
                return ACC_OK;
            }
        }
    }
    rc = sqlite3_prepare_v3(l->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (rc != SQLITE_OK) {
        acc_log(ACC_LOG_ERROR, "sql prepare failed", "sql", sql, NULL);
        return fail_db(err, l->db, rc, "prepare");
    }
    ls = cache_slot(l);
    if (ls) {
        ls->cached = true;
    } else {
        ls = xcalloc(1, sizeof(*ls));
    }
    ls->head.st = st;
    ls->s = s;
    ls->key = sql;
    ls->busy = true;
    ls->used = ++l->ticks;
    *out = ls;
    return ACC_OK;
}

static void lite_finish(struct store_stmt *stmt)
{
    struct lite_stmt *ls = (struct lite_stmt *)stmt;

    if (ls->cached) {
        sqlite3_reset(ls->s);
        sqlite3_clear_bindings(ls->s);
        ls->busy = false;
    } else {
        sqlite3_finalize(ls->s);
        free(ls);
    }
}

static int lite_step(struct store_stmt *stmt, bool *has_row, struct acc_err *err)
{
    struct lite_stmt *ls = (struct lite_stmt *)stmt;
    struct lite *l = stmt->st->be;
    int rc = sqlite3_step(ls->s);

    if (rc == SQLITE_ROW) {
        *has_row = true;
        return ACC_OK;
    }
    *has_row = false;
    if (rc == SQLITE_DONE)
        return ACC_OK;
    return fail_db(err, l->db, rc, sqlite3_sql(ls->s));
}

static int lite_exec(struct store *st, const char *sql, const struct store_arg *args, int n,
                     struct store_stmt **out, struct acc_err *err)
{
    struct lite *l = st->be;
    struct lite_stmt *ls = NULL;
    bool row;
    int rc;

    rc = prepare(st, sql, &ls, err);
    if (rc)
        return rc;
    for (int i = 0; i < n; i++) {
        switch (args[i].type) {
        case STORE_NULL:
            rc = sqlite3_bind_null(ls->s, i + 1);
            break;
        case STORE_INT:
            rc = sqlite3_bind_int64(ls->s, i + 1, args[i].i);
            break;
        case STORE_TEXT:
            rc = sqlite3_bind_text(ls->s, i + 1, args[i].s, -1, SQLITE_STATIC);
            break;
        }
        if (rc != SQLITE_OK) {
            lite_finish(&ls->head);
            return fail_db(err, l->db, rc, "bind");
        }
    }
    if (out) {
        *out = &ls->head;
        return ACC_OK;
    }
    do
        rc = lite_step(&ls->head, &row, err);
    while (!rc && row);
    lite_finish(&ls->head);
    return rc;
}

static int64_t lite_col_int(struct store_stmt *stmt, int col)
{
    return sqlite3_column_int64(((struct lite_stmt *)stmt)->s, col);
}

static const char *lite_col_text(struct store_stmt *stmt, int col)
{
    return (const char *)sqlite3_column_text(((struct lite_stmt *)stmt)->s, col);
}

static bool lite_col_null(struct store_stmt *stmt, int col)
{
    return sqlite3_column_type(((struct lite_stmt *)stmt)->s, col) == SQLITE_NULL;
}

static int64_t lite_changes(struct store *st)
{
    return sqlite3_changes64(((struct lite *)st->be)->db);
}

static int64_t lite_total_changes(struct store *st)
{
    return sqlite3_total_changes64(((struct lite *)st->be)->db);
}

static int lite_script(struct store *st, const char *sql, struct acc_err *err)
{
    struct lite *l = st->be;
    int rc = sqlite3_exec(l->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? ACC_OK : fail_db(err, l->db, rc, "script");
}

static int lite_check(struct store *st, struct acc_err *err)
{
    struct store_stmt *stmt;
    bool row;
    int rc;
    const char *checks[] = {"PRAGMA integrity_check", "PRAGMA foreign_key_check"};

    for (size_t i = 0; i < ACC_ARRAY_LEN(checks); i++) {
        rc = lite_exec(st, checks[i], NULL, 0, &stmt, err);
        if (rc)
            return rc;
        rc = lite_step(stmt, &row, err);
        if (!rc && row) {
            const char *first = lite_col_text(stmt, 0);

            if (i == 0 && first && strcmp(first, "ok") != 0)
                rc = acc_fail(err, ACC_ESTORE, "", "integrity check: %s", first);
            else if (i == 1)
                rc = acc_fail(err, ACC_ESTORE, "", "foreign key check: table '%s' row %lld",
                              first ? first : "?", (long long)lite_col_int(stmt, 1));
        }
        lite_finish(stmt);
        if (rc)
            return rc;
    }
    return ACC_OK;
}

const struct store_ops store_sqlite_ops = {
    .name = "sqlite",
    .open = lite_open,
    .close = lite_close,
    .exec = lite_exec,
    .step = lite_step,
    .col_int = lite_col_int,
    .col_text = lite_col_text,
    .col_null = lite_col_null,
    .finish = lite_finish,
    .changes = lite_changes,
    .total_changes = lite_total_changes,
    .script = lite_script,
    .check = lite_check,
    .begin_write = "BEGIN IMMEDIATE",
    .begin_read = "BEGIN",
    .serial_pk = "INTEGER PRIMARY KEY AUTOINCREMENT",
};
