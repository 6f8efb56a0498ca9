/* store_pgsql.c: the PostgreSQL backend: libpq, `?` rewritten to `$n`, cached prepared statements.
 */
#include "base/acc.h"
#include "base/log.h"
#include "store/store_int.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

#define CACHE_SIZE 96
#define ARGS_STACK 16 /* parameters formatted without a heap allocation */
#define INT8_OID   20 /* pg_type.oid of int8 (bigint) */
/*
 * Every write transaction takes this advisory lock first, so writers run one at a time
 * as on SQLite (BEGIN IMMEDIATE); see begin_write below. The key spells "accord".
 */
#define WRITE_LOCK "107079497904740"

struct pg_prep {
    const char *key; /* the SQL text pointer it was prepared from */
    char *sql;       /* a copy of that text, since the pointer alone may be reused */
    char name[16];   /* the server-side statement name */
    int nparams;
};

struct pg {
    PGconn *conn;
    struct pg_prep cache[CACHE_SIZE];
    int ncache;
    unsigned next_name;
    int64_t changes;
    int64_t total_changes; /* rows changed on this connection, as sqlite3_total_changes() */
};

/* A statement holds the whole result; step only moves the cursor over it. */
struct pg_stmt {
    struct store_stmt head;
    PGresult *res;
    int row; /* -1 before the first step */
    int nrows;
};

/* The first line of a libpq message, for logs and err->msg. */
static const char *first_line(const char *msg, char *out, size_t size)
{
    size_t n = msg ? strcspn(msg, "\n") : 0;

    if (n >= size)
        n = size - 1;
    memcpy(out, msg ? msg : "", n);
    out[n] = '\0';
    return out;
}

/*
 * Maps a failed result (or NULL when libpq returned none) to an accord code. The server's
 * primary message goes to the log; its DETAIL, which holds key values, goes nowhere.
 */
static int fail_pg(struct acc_err *err, PGconn *conn, const PGresult *res, const char *sql)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    char line[256];

    if (!msg)
        msg = first_line(PQerrorMessage(conn), line, sizeof(line));
    acc_log(ACC_LOG_WARN, "pgsql error", "sqlstate", state ? state : "", "detail", msg,
            "constraint", constraint ? constraint : "", "sql", sql ? sql : "", NULL);
    if (state && strncmp(state, "23", 2) == 0) {
        /* Class 23, integrity constraint violation: as on SQLite, all are conflicts. */
        if (strcmp(state, "23503") == 0)
            return acc_fail(err, ACC_ECONFLICT, "",
                            "a referenced record does not exist or is "
                            "still in use");
        return acc_fail(err, ACC_ECONFLICT, "", "a record with the same key already exists");
    }
    if (state &&
        (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0))
        return acc_fail(err, ACC_ESTORE, "", "the database is busy; try again");
    return acc_fail(err, ACC_ESTORE, "", "storage error");
}

/* Server notices (e.g. "relation already exists, skipping") go to the debug log, not stderr. */
static void on_notice(void *arg, const PGresult *res)
{
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

    acc_log(ACC_LOG_DEBUG, "pgsql notice", "detail", msg ? msg : "", NULL);
}

/* Session settings, run after every (re)connect. */
static int session_setup(PGconn *conn, struct acc_err *err)
{
    PGresult *res = PQexec(conn, "SET TIME ZONE 'UTC'");
    int rc = ACC_OK;

    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = fail_pg(err, conn, res, "SET TIME ZONE 'UTC'");
    PQclear(res);
    return rc;
}

static int pg_open(struct store *st, const char *dsn, struct acc_err *err)
{
    /*
     * Keywords before dbname are defaults the DSN may override; those after it are
     * fixed: accord's text is always UTF-8.
     */
    const char *const keys[] = {"connect_timeout", "dbname", "fallback_application_name",
                                "client_encoding", NULL};
    const char *const values[] = {"10", dsn, "accord", "UTF8", NULL};
    struct pg *p;
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    char line[160];
    int rc;

    if (PQstatus(conn) != CONNECTION_OK) {
        first_line(PQerrorMessage(conn), line, sizeof(line));
        acc_log(ACC_LOG_ERROR, "pgsql connect failed", "host", PQhost(conn) ? PQhost(conn) : "",
                "port", PQport(conn) ? PQport(conn) : "", "dbname", PQdb(conn) ? PQdb(conn) : "",
                "detail", line, NULL);
        /* The DSN may hold a password, so the message names only where it went. */
        rc = acc_fail(err, ACC_ESTORE, "", "cannot connect to PostgreSQL database '%s': %s",
                      PQdb(conn) ? PQdb(conn) : "?", line);
        PQfinish(conn);
        return rc;
    }
    PQsetNoticeReceiver(conn, on_notice, NULL);
    rc = session_setup(conn, err);
    if (rc) {
        PQfinish(conn);
        return rc;
    }
    p = xcalloc(1, sizeof(*p));
    p->conn = conn;
    st->be = p;
    return ACC_OK;
}

static void drop_cache(struct pg *p)
{
    for (int i = 0; i < p->ncache; i++)
        free(p->cache[i].sql);
    p->ncache = 0;
}

static void pg_close(struct store *st)
{
    struct pg *p = st->be;

    drop_cache(p);
    PQfinish(p->conn);
    free(p);
}

/*
 * After the server went away (restart, idle kill), reconnects before the next statement.
 * Prepared statements died with the old session. Inside a transaction there is nothing to
 * resume, so the statement fails and the caller rolls back.
 */
static int revive(struct store *st, struct acc_err *err)
{
    struct pg *p = st->be;

    if (PQstatus(p->conn) == CONNECTION_OK)
        return ACC_OK;
    if (st->in_txn)
        return fail_pg(err, p->conn, NULL, NULL);
    drop_cache(p);
    PQreset(p->conn);
    if (PQstatus(p->conn) != CONNECTION_OK)
        return fail_pg(err, p->conn, NULL, NULL);
    acc_log(ACC_LOG_INFO, "pgsql reconnected", NULL);
    return session_setup(p->conn, err);
}

/*
 * Rewrites `?` to `$1..$n`, leaving alone those inside '...' and E'...' literals,
 * "..." identifiers and -- comments. Returns the text (the caller frees it) and the count.
 */
static char *rewrite(const char *sql, int *count)
{
    struct acc_buf b;
    int n = 0;

    acc_buf_init(&b);
    for (const char *s = sql; *s;) {
        if (*s == '\'' || *s == '"') {
            char q = *s;
            bool esc = q == '\'' && s > sql && (s[-1] == 'E' || s[-1] == 'e') &&
                       (s - 1 == sql || !(isalnum((unsigned char)s[-2]) || s[-2] == '_'));
            const char *e = s + 1;

            /* A doubled quote is the quote character itself, so the scan continues. */
            while (*e && *e != q)
                e += esc && *e == '\\' && e[1] ? 2 : 1;
            e += *e ? 1 : 0;
            acc_buf_add(&b, s, (size_t)(e - s));
            s = e;
        } else if (s[0] == '-' && s[1] == '-') {
            size_t len = strcspn(s, "\n");

            acc_buf_add(&b, s, len);
            s += len;
        } else if (*s == '?') {
            acc_buf_addf(&b, "$%d", ++n);
            s++;
        } else {
            size_t len = strcspn(s, "?'\"-");

            len += len ? 0 : 1;
            acc_buf_add(&b, s, len);
            s += len;
        }
    }
    *count = n;
    return acc_buf_detach(&b, NULL);
}

/* The parameters of one call, formatted as text for libpq. */
struct pg_params {
    int n;
    const char **vals;
    Oid *types;
    char (*nums)[24];
    const char *vals_stack[ARGS_STACK];
    Oid types_stack[ARGS_STACK];
    char nums_stack[ARGS_STACK][24];
};

/*
 * Integers are declared int8, as sqlite3_bind_int64() binds them: left to inference,
 * `? = 0` would make the parameter int4 and an id past 2^31 would fail. Text and NULL
 * stay untyped, so the server takes the column's type.
 */
static void params_init(struct pg_params *pp, const struct store_arg *args, int n)
{
    pp->n = n;
    pp->vals = pp->vals_stack;
    pp->types = pp->types_stack;
    pp->nums = pp->nums_stack;
    if (n > ARGS_STACK) {
        pp->vals = xcalloc((size_t)n, sizeof(*pp->vals));
        pp->types = xcalloc((size_t)n, sizeof(*pp->types));
        pp->nums = xcalloc((size_t)n, sizeof(*pp->nums));
    }
    for (int i = 0; i < n; i++) {
        pp->types[i] = 0;
        switch (args[i].type) {
        case STORE_NULL:
            pp->vals[i] = NULL;
            break;
        case STORE_INT:
            snprintf(pp->nums[i], sizeof(pp->nums[i]), "%lld", (long long)args[i].i);
            pp->vals[i] = pp->nums[i];
            pp->types[i] = INT8_OID;
            break;
        case STORE_TEXT:
            pp->vals[i] = args[i].s;
            break;
        }
    }
}

static void params_release(struct pg_params *pp)
{
    if (pp->vals != pp->vals_stack) {
        free(pp->vals);
        free(pp->types);
        free(pp->nums);
    }
}

/* A `?` count that differs from the args is a bug in the caller's SQL. */
static int check_count(const char *sql, int placeholders, int n, struct acc_err *err)
{
    if (placeholders == n)
        return ACC_OK;
    acc_log(ACC_LOG_ERROR, "sql parameter count", "sql", sql, "placeholders",
            acc_log_int(placeholders), "args", acc_log_int(n), NULL);
    return acc_fail(err, ACC_ESTORE, "", "storage error");
}

/*
 * Finds the prepared statement for this SQL text, or prepares it with the parameter
 * types of this first call. *out is NULL when the cache is full; *text is then the
 * rewritten SQL to send unnamed (the caller frees it).
 */
static int prepare(struct store *st, const char *sql, const struct pg_params *pp,
                   struct pg_prep **out, char **text, struct acc_err *err)
{
    struct pg *p = st->be;
    struct pg_prep *e;
    PGresult *res;
    int n, rc;

    *out = NULL;
    *text = NULL;
    /* Callers pass string literals, so a pointer match is the usual hit. */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < p->ncache; i++) {
            e = &p->cache[i];
            if ((pass || e->key == sql) && strcmp(e->sql, sql) == 0) {
                e->key = sql;
                *out = e;
                return check_count(sql, e->nparams, pp->n, err);
            }
        }
    }
    *text = rewrite(sql, &n);
    rc = check_count(sql, n, pp->n, err);
    if (rc || p->ncache == CACHE_SIZE)
        return rc;
    e = &p->cache[p->ncache];
    snprintf(e->name, sizeof(e->name), "acc%u", p->next_name++);
    res = PQprepare(p->conn, e->name, *text, n, pp->types);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        acc_log(ACC_LOG_ERROR, "sql prepare failed", "sql", sql, NULL);
        rc = fail_pg(err, p->conn, res, sql);
    } else {
        e->key = sql;
        e->sql = xstrdup(sql);
        e->nparams = n;
        p->ncache++;
        *out = e;
    }
    PQclear(res);
    return rc;
}

/* Records the row count of INSERT/UPDATE/DELETE/MERGE, as sqlite3_changes() counts. */
static void note_changes(struct pg *p, const PGresult *res)
{
    const char *cmd = PQcmdStatus((PGresult *)res);

    if (strncmp(cmd, "INSERT", 6) == 0 || strncmp(cmd, "UPDATE", 6) == 0 ||
        strncmp(cmd, "DELETE", 6) == 0 || strncmp(cmd, "MERGE", 5) == 0) {
        p->changes = strtoll(PQcmdTuples((PGresult *)res), NULL, 10);
        p->total_changes += p->changes;
    }
}

/* Sends sql with its args as text; *res is the result, or NULL when libpq gave none. */
static int run(struct store *st, const char *sql, const struct store_arg *args, int n,
               PGresult **res, struct acc_err *err)
{
    struct pg *p = st->be;
    struct pg_params pp;
    struct pg_prep *prep;
    char *text;
    int rc;

    params_init(&pp, args, n);
    rc = prepare(st, sql, &pp, &prep, &text, err);
    if (!rc && prep)
        *res = PQexecPrepared(p->conn, prep->name, n, pp.vals, NULL, NULL, 0);
    else if (!rc)
        *res = PQexecParams(p->conn, text, n, pp.types, pp.vals, NULL, NULL, 0);
    free(text);
    params_release(&pp);
    return rc;
}

/*
 * Outside a transaction accord opened, the session must be idle: a begin whose lock wait
 * failed leaves the server inside an aborted transaction that nobody would roll back.
 */
static void settle(struct store *st)
{
    struct pg *p = st->be;
    PGTransactionStatusType ts = PQtransactionStatus(p->conn);

    if (!st->in_txn && (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR))
        PQclear(PQexec(p->conn, "ROLLBACK"));
}

static int pg_exec(struct store *st, const char *sql, const struct store_arg *args, int n,
                   struct store_stmt **out, struct acc_err *err)
{
    struct pg *p = st->be;
    struct pg_stmt *ps;
    PGresult *res = NULL;
    int rc;

    rc = revive(st, err);
    if (rc)
        return rc;
    if (!n && !out) {
        /*
         * No parameters and no rows wanted (BEGIN, COMMIT, an UPDATE of constants): the
         * simple protocol, one round trip, and it takes begin_write's two statements.
         */
        res = PQexec(p->conn, sql);
        /* A begin that met a dead connection changed nothing, so it may try again. */
        if (PQstatus(p->conn) == CONNECTION_BAD &&
            (sql == st->ops->begin_write || sql == st->ops->begin_read)) {
            PQclear(res);
            rc = revive(st, err);
            if (rc)
                return rc;
            res = PQexec(p->conn, sql);
        }
    } else {
        rc = run(st, sql, args, n, &res, err);
        if (rc)
            return rc;
    }
    switch (PQresultStatus(res)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
        break;
    default:
        rc = fail_pg(err, p->conn, res, sql);
        PQclear(res);
        settle(st);
        return rc;
    }
    /*
     * COMMIT of a transaction that an earlier statement aborted answers ROLLBACK without
     * an error. SQLite would have undone only that statement, so say it did not commit.
     */
    if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0 && strcmp(sql, "COMMIT") == 0) {
        acc_log(ACC_LOG_ERROR, "commit rolled back: a statement in the transaction had failed",
                NULL);
        PQclear(res);
        return acc_fail(err, ACC_ESTORE, "", "storage error");
    }
    note_changes(p, res);
    if (!out) {
        PQclear(res);
        return ACC_OK;
    }
    ps = xcalloc(1, sizeof(*ps));
    ps->head.st = st;
    ps->res = res;
    ps->row = -1;
    ps->nrows = PQntuples(res);
    *out = &ps->head;
    return ACC_OK;
}

static int pg_step(struct store_stmt *stmt, bool *has_row, struct acc_err *err)
{
    struct pg_stmt *ps = (struct pg_stmt *)stmt;

    if (ps->row < ps->nrows)
        ps->row++;
    *has_row = ps->row < ps->nrows;
    return ACC_OK;
}

/* The current row's value, or NULL for SQL NULL, no current row or no such column. */
static const char *value(struct store_stmt *stmt, int col)
{
    struct pg_stmt *ps = (struct pg_stmt *)stmt;

    if (ps->row < 0 || ps->row >= ps->nrows || col < 0 || col >= PQnfields(ps->res) ||
        PQgetisnull(ps->res, ps->row, col))
        return NULL;
    return PQgetvalue(ps->res, ps->row, col);
}

static int64_t pg_col_int(struct store_stmt *stmt, int col)
{
    const char *v = value(stmt, col);

    /* NULL reads as 0, as sqlite3_column_int64() does. */
    return v ? strtoll(v, NULL, 10) : 0;
}

static const char *pg_col_text(struct store_stmt *stmt, int col)
{
    return value(stmt, col);
}

static bool pg_col_null(struct store_stmt *stmt, int col)
{
    return value(stmt, col) == NULL;
}

static void pg_finish(struct store_stmt *stmt)
{
    struct pg_stmt *ps = (struct pg_stmt *)stmt;

    PQclear(ps->res);
    free(ps);
}

static int64_t pg_changes(struct store *st)
{
    return ((struct pg *)st->be)->changes;
}

static int64_t pg_total_changes(struct store *st)
{
    return ((struct pg *)st->be)->total_changes;
}

static int pg_script(struct store *st, const char *sql, struct acc_err *err)
{
    struct pg *p = st->be;
    PGresult *res;
    int rc;

    rc = revive(st, err);
    if (rc)
        return rc;
    /* The simple protocol runs every ;-separated statement; the result is the last one's. */
    res = PQexec(p->conn, sql);
    switch (PQresultStatus(res)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_EMPTY_QUERY:
        rc = ACC_OK;
        break;
    default:
        rc = fail_pg(err, p->conn, res, "script");
        break;
    }
    PQclear(res);
    if (rc)
        settle(st);
    return rc;
}

/*
 * PostgreSQL keeps its own pages and constraints sound (and amcheck is the tool for its
 * indexes), so this only proves the connection answers.
 */
static int pg_check(struct store *st, struct acc_err *err)
{
    struct store_stmt *stmt;
    bool row;
    int rc;

    rc = pg_exec(st, "SELECT 1", NULL, 0, &stmt, err);
    if (rc)
        return rc;
    rc = pg_step(stmt, &row, err);
    if (!rc && (!row || pg_col_int(stmt, 0) != 1))
        rc = acc_fail(err, ACC_ESTORE, "", "integrity check: the server did not answer SELECT 1");
    pg_finish(stmt);
    return rc;
}

const struct store_ops store_pgsql_ops = {
    .name = "pgsql",
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .step = pg_step,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .col_null = pg_col_null,
    .finish = pg_finish,
    .changes = pg_changes,
    .total_changes = pg_total_changes,
    .script = pg_script,
    .check = pg_check,
    /*
     * Modules check then write (a head must stay in their department, ...) trusting that
     * no other writer runs meanwhile, as SQLite's BEGIN IMMEDIATE guarantees. The advisory
     * lock gives the same: writers queue at BEGIN, readers never wait, and nothing fails
     * with a serialization error that the router would have to retry. Under the lock,
     * READ COMMITTED sees every earlier writer's commit.
     */
    .begin_write =
        "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(" WRITE_LOCK ")",
    /* One snapshot for the whole read, like a SQLite read transaction; writes are refused. */
    .begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    .serial_pk = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
};
