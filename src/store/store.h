/* store.h: the storage seam: connections, bound-parameter SQL, transactions, a pool, migrations. */
#ifndef ACCORD_STORE_STORE_H
#define ACCORD_STORE_STORE_H

/*
 * SQL given to the store is the portable subset: `?` placeholders, no `INSERT OR`, no
 * date functions, times as BIGINT UTC epoch seconds, `RETURNING id` for new rows.
 * Backend quirks stay inside store/.
 */

struct store;      /* one connection; opaque */
struct store_stmt; /* a running statement; opaque */
struct store_pool; /* a fixed set of connections shared by threads; opaque */

enum store_type { STORE_NULL, STORE_INT, STORE_TEXT };

struct store_arg {
    enum store_type type;
    int64_t i;
    const char *s;
};

static inline struct store_arg store_arg_text(const char *s)
{
    struct store_arg a = {s ? STORE_TEXT : STORE_NULL, 0, s};

    return a;
}

#define SA_INT(v)  ((struct store_arg){STORE_INT, (int64_t)(v), NULL})
#define SA_TEXT(v) store_arg_text(v)
#define SA_NULL    ((struct store_arg){STORE_NULL, 0, NULL})
/* An id where 0 means "none" (stored as NULL). */
#define SA_ID(v) ((v) ? SA_INT(v) : SA_NULL)

/*
 * Opens a connection. dsn is a SQLite path (or ":memory:"), or a "postgresql://" URL
 * when built with PGSQL=1. On success *out is the caller's, released by store_close().
 * Returns ACC_OK, ACC_EINVAL (unknown backend) or ACC_ESTORE.
 */
int store_open(const char *dsn, struct store **out, struct acc_err *err);
void store_close(struct store *st);
/* The DSN as it may be shown or logged: a URL's password replaced by "***". In the arena. */
const char *store_dsn_display(const char *dsn, struct acc_arena *arena);
/* The backend's name: "sqlite" or "pgsql". */
const char *store_backend(const struct store *st);

/*
 * Runs sql with n bound args. With out == NULL the statement runs to completion;
 * otherwise *out is a statement to step and then store_finish(). Prepared statements
 * are cached per connection and reused. Returns ACC_OK, ACC_ECONFLICT (a uniqueness or
 * foreign-key constraint failed) or ACC_ESTORE.
 */
int store_exec(struct store *st, const char *sql, const struct store_arg *args, int n,
               struct store_stmt **out, struct acc_err *err);
/* Advances to the next row; *has_row is false at the end. */
int store_step(struct store_stmt *stmt, bool *has_row, struct acc_err *err);
/* Column values of the current row; text is valid until the next step: copy it. */
int64_t store_col_int(struct store_stmt *stmt, int col);
const char *store_col_text(struct store_stmt *stmt, int col);
bool store_col_null(struct store_stmt *stmt, int col);
/* Copies a text column into the arena (NULL stays NULL). */
char *store_col_dup(struct store_stmt *stmt, int col, struct acc_arena *arena);
/* Ends the statement; store_finish(NULL) is a no-op. */
void store_finish(struct store_stmt *stmt);

/* Reads the current row into item (one element of a collect array); text into the arena. */
typedef int store_row_fn(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                         struct acc_err *err);

/*
 * Steps a page query (one that asks for limit + 1 rows) into an arena array of at most
 * limit items of size bytes, read by read; *more says whether the extra row came. Always
 * finishes stmt. Outputs are written only on success. Returns ACC_OK or the step's or
 * read's code.
 */
int store_collect(struct store_stmt *stmt, size_t size, int limit, store_row_fn *read,
                  struct acc_arena *arena, void **items, int *n, bool *more, struct acc_err *err);

/* Runs a query whose first row's first column is an integer: ACC_ENOTFOUND without a row. */
int store_query_int(struct store *st, const char *sql, const struct store_arg *args, int n,
                    int64_t *out, struct acc_err *err);
/* Rows changed by the last INSERT/UPDATE/DELETE on this connection. */
int64_t store_changes(struct store *st);

/* Runs several ;-separated statements without parameters (migrations). */
int store_script(struct store *st, const char *sql, struct acc_err *err);

/*
 * Transactions: write ones take the write lock at once, so they never deadlock on upgrade.
 * Committing a write transaction that changed rows adds one to the 'data' revision in it.
 */
int store_begin(struct store *st, bool write, struct acc_err *err);
int store_commit(struct store *st, struct acc_err *err);
/*
 * The 'data' revision: it moves on with every committed write transaction that changed rows,
 * by any process, so what was read at revision N is still what the database holds while it
 * reads N.
 */
int store_data_revision(struct store *st, int64_t *out, struct acc_err *err);
/* Rows changed on this connection since it opened (undone ones included). */
int64_t store_total_changes(struct store *st);
/*
 * Tells the open transaction that n of its changed rows do not count: they were rolled back
 * to a savepoint, or are bookkeeping that no reply shows (an API token's last use).
 */
void store_forget_changes(struct store *st, int64_t n);
void store_rollback(struct store *st);
bool store_in_txn(const struct store *st);

/* Runs the backend's integrity check; ACC_ESTORE with the first problem in err. */
int store_check(struct store *st, struct acc_err *err);

/*
 * A pool of n connections to one database, for the server's worker threads. Leasing
 * blocks until one is free. The pool owns the connections.
 */
int store_pool_new(const char *dsn, int n, struct store_pool **out, struct acc_err *err);
void store_pool_free(struct store_pool *pool);
struct store *store_pool_lease(struct store_pool *pool);
void store_pool_return(struct store_pool *pool, struct store *st);

struct store_pool_stats {
    int size;
    int in_use;
    uint64_t leases;
    uint64_t waits; /* leases that had to wait for a free connection */
};
void store_pool_stats(struct store_pool *pool, struct store_pool_stats *out);

/* Schema version of the database (0 when empty) and the newest this binary knows. */
int store_schema_version(struct store *st, int *out, struct acc_err *err);
int store_schema_latest(void);
/*
 * Applies pending migrations, each in its own transaction. *applied (may be NULL) gets
 * their count. A database from a newer accord is refused with ACC_ECONFLICT.
 */
int store_migrate(struct store *st, int *applied, struct acc_err *err);

#endif
