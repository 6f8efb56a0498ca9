/* store_int.h: what a storage backend provides; private to store/. */
#ifndef ACCORD_STORE_STORE_INT_H
#define ACCORD_STORE_STORE_INT_H

#include "store/store.h"

/* Each backend fills one table [sqlite3_vfs]. */
struct store_ops {
    const char *name;
    int (*open)(struct store *st, const char *dsn, struct acc_err *err);
    void (*close)(struct store *st);
    int (*exec)(struct store *st, const char *sql, const struct store_arg *args, int n,
                struct store_stmt **out, struct acc_err *err);
    int (*step)(struct store_stmt *stmt, bool *has_row, struct acc_err *err);
    int64_t (*col_int)(struct store_stmt *stmt, int col);
    const char *(*col_text)(struct store_stmt *stmt, int col);
    bool (*col_null)(struct store_stmt *stmt, int col);
    void (*finish)(struct store_stmt *stmt);
    int64_t (*changes)(struct store *st);
    int64_t (*total_changes)(struct store *st); /* rows changed since the connection opened */
    int (*script)(struct store *st, const char *sql, struct acc_err *err);
    int (*check)(struct store *st, struct acc_err *err);
    const char *begin_write; /* SQL that opens a write transaction */
    const char *begin_read;
    const char *serial_pk; /* replaces "{serial_pk}" in migrations */
};

struct store {
    const struct store_ops *ops;
    void *be; /* the backend's connection state */
    bool in_txn;
    bool write_txn;           /* the open transaction is a write transaction */
    int64_t changes_at_begin; /* total_changes when it began */
    int64_t forgotten;        /* rows of it rolled back to a savepoint, or bookkeeping */
    bool data_rev_exists;     /* the 'data' revision row is known to exist (schema >= 8) */
};

/* The schema version from which the 'data' revision exists (sql/0008_data_revision.sql). */
#define STORE_DATA_REVISION_SINCE 8

/* Every backend statement starts with this header. */
struct store_stmt {
    struct store *st;
};

extern const struct store_ops store_sqlite_ops;
#ifdef ACC_WITH_PGSQL
extern const struct store_ops store_pgsql_ops;
#endif

#endif
