/* store_test.c: the storage seam on SQLite: migrations, statements, transactions, the pool. */
#include "base/acc.h"
#include "base/log.h"
#include "store/store.h"
#include "t.h"

#include <unistd.h>

static struct store *open_mem(void)
{
    struct acc_err err;
    struct store *st = NULL;

    T_EQ_INT(store_open(":memory:", &st, &err), ACC_OK);
    return st;
}

static void test_migrate_from_empty(void)
{
    struct store *st = open_mem();
    struct acc_err err;
    int applied = -1, version = -1;

    T_EQ_INT(store_schema_version(st, &version, &err), ACC_OK);
    T_EQ_INT(version, 0);
    T_EQ_INT(store_migrate(st, &applied, &err), ACC_OK);
    T_OK(applied >= 1);
    T_EQ_INT(store_schema_version(st, &version, &err), ACC_OK);
    T_EQ_INT(version, store_schema_latest());
    /* A second run has nothing to do. */
    T_EQ_INT(store_migrate(st, &applied, &err), ACC_OK);
    T_EQ_INT(applied, 0);
    T_EQ_INT(store_check(st, &err), ACC_OK);
    store_close(st);
}

static void test_newer_database_refused(void)
{
    struct store *st = open_mem();
    struct acc_err err;
    struct store_arg args[] = {SA_INT(store_schema_latest() + 1)};

    T_EQ_INT(store_migrate(st, NULL, &err), ACC_OK);
    T_EQ_INT(store_exec(st, "INSERT INTO schema_version (version, applied_at) VALUES (?, 0)", args,
                        1, NULL, &err),
             ACC_OK);
    T_EQ_INT(store_migrate(st, NULL, &err), ACC_ECONFLICT);
    T_OK(strstr(err.msg, "newer than this accord") != NULL);
    store_close(st);
}

static void test_rows_and_types(void)
{
    struct store *st = open_mem();
    struct acc_arena *a = acc_arena_new();
    struct store_stmt *stmt;
    struct acc_err err;
    int64_t v = 0;
    bool row;

    T_EQ_INT(store_script(st, "CREATE TABLE t (id {serial_pk}, n BIGINT, s TEXT)", &err),
             ACC_ESTORE); /* the token is for migrations only */
    T_EQ_INT(store_script(st, "CREATE TABLE t (id INTEGER PRIMARY KEY, n BIGINT, s TEXT)", &err),
             ACC_OK);
    for (int i = 1; i <= 3; i++) {
        struct store_arg args[] = {SA_INT((int64_t)i * 10000000000LL),
                                   SA_TEXT(i == 2 ? NULL : "héllo")};

        T_EQ_INT(store_query_int(st, "INSERT INTO t (n, s) VALUES (?, ?) RETURNING id", args, 2, &v,
                                 &err),
                 ACC_OK);
        T_EQ_INT(v, i);
    }
    T_EQ_INT(store_exec(st, "SELECT n, s FROM t ORDER BY id", NULL, 0, &stmt, &err), ACC_OK);
    T_EQ_INT(store_step(stmt, &row, &err), ACC_OK);
    T_OK(row);
    T_EQ_INT(store_col_int(stmt, 0), 10000000000LL);
    T_EQ_STR(store_col_dup(stmt, 1, a), "héllo");
    T_EQ_INT(store_step(stmt, &row, &err), ACC_OK);
    T_OK(store_col_null(stmt, 1));
    T_OK(store_col_dup(stmt, 1, a) == NULL);
    T_EQ_INT(store_step(stmt, &row, &err), ACC_OK);
    T_EQ_INT(store_step(stmt, &row, &err), ACC_OK);
    T_OK(!row);
    store_finish(stmt);
    store_finish(NULL);
    T_EQ_INT(store_query_int(st, "SELECT n FROM t WHERE id = 99", NULL, 0, &v, &err),
             ACC_ENOTFOUND);
    acc_arena_free(a);
    store_close(st);
}

static void test_statement_reused_and_nested(void)
{
    static const char *sql = "SELECT ?";
    struct store *st = open_mem();
    struct store_stmt *outer, *inner;
    struct acc_err err;
    struct store_arg one[] = {SA_INT(1)}, two[] = {SA_INT(2)};
    bool row;

    /* The same SQL used while a first statement is still open gets a second statement. */
    T_EQ_INT(store_exec(st, sql, one, 1, &outer, &err), ACC_OK);
    T_EQ_INT(store_exec(st, sql, two, 1, &inner, &err), ACC_OK);
    T_OK(outer != inner);
    store_step(outer, &row, &err);
    store_step(inner, &row, &err);
    T_EQ_INT(store_col_int(outer, 0), 1);
    T_EQ_INT(store_col_int(inner, 0), 2);
    store_finish(inner);
    store_finish(outer);
    /* Finished statements come back from the cache. */
    T_EQ_INT(store_exec(st, sql, one, 1, &inner, &err), ACC_OK);
    T_OK(inner == outer || inner != NULL);
    store_finish(inner);
    for (int i = 0; i < 500; i++) {
        int64_t v;
        struct store_arg a[] = {SA_INT(i)};

        T_EQ_INT(store_query_int(st, sql, a, 1, &v, &err), ACC_OK);
        T_EQ_INT(v, i);
    }
    store_close(st);
}

static void test_constraint_is_conflict_and_rollback(void)
{
    struct store *st = open_mem();
    struct acc_err err;
    int64_t n = -1;

    T_EQ_INT(store_script(st, "CREATE TABLE u (k TEXT NOT NULL UNIQUE)", &err), ACC_OK);
    T_EQ_INT(store_begin(st, true, &err), ACC_OK);
    T_OK(store_in_txn(st));
    T_EQ_INT(store_exec(st, "INSERT INTO u (k) VALUES ('a')", NULL, 0, NULL, &err), ACC_OK);
    T_EQ_INT(store_exec(st, "INSERT INTO u (k) VALUES ('a')", NULL, 0, NULL, &err), ACC_ECONFLICT);
    store_rollback(st);
    T_OK(!store_in_txn(st));
    T_EQ_INT(store_query_int(st, "SELECT COUNT(*) FROM u", NULL, 0, &n, &err), ACC_OK);
    T_EQ_INT(n, 0);
    T_EQ_INT(store_begin(st, true, &err), ACC_OK);
    T_EQ_INT(store_exec(st, "INSERT INTO u (k) VALUES ('b')", NULL, 0, NULL, &err), ACC_OK);
    T_EQ_INT(store_changes(st), 1);
    T_EQ_INT(store_commit(st, &err), ACC_OK);
    T_EQ_INT(store_query_int(st, "SELECT COUNT(*) FROM u", NULL, 0, &n, &err), ACC_OK);
    T_EQ_INT(n, 1);
    T_EQ_INT(store_exec(st, "SELECT nonsense FROM nowhere", NULL, 0, NULL, &err), ACC_ESTORE);
    store_close(st);
}

static void test_file_pool_wal_foreign_keys(void)
{
    char path[] = "/tmp/accord-store-XXXXXX";
    char wal[64], shm[64];
    struct store_pool *pool = NULL;
    struct store_pool_stats ps;
    struct store *a, *b;
    struct acc_err err;
    int64_t v = 0;
    int fd = mkstemp(path);
    struct store_arg args[] = {SA_INT(999)};

    T_OK(fd >= 0);
    close(fd);
    T_EQ_INT(store_pool_new(path, 2, &pool, &err), ACC_OK);
    a = store_pool_lease(pool);
    b = store_pool_lease(pool);
    T_OK(a != b);
    store_pool_stats(pool, &ps);
    T_EQ_INT(ps.size, 2);
    T_EQ_INT(ps.in_use, 2);
    T_EQ_INT(store_migrate(a, NULL, &err), ACC_OK);
    T_EQ_INT(store_exec(a, "PRAGMA journal_mode", NULL, 0, NULL, &err), ACC_OK);
    {
        struct store_stmt *stmt;
        bool row;

        store_exec(a, "PRAGMA journal_mode", NULL, 0, &stmt, &err);
        store_step(stmt, &row, &err);
        T_EQ_STR(store_col_text(stmt, 0), "wal");
        store_finish(stmt);
    }
    /* Foreign keys are enforced: a person in a department that does not exist. */
    T_EQ_INT(store_exec(b,
                        "INSERT INTO person (email, name, department_id, role, created_at, "
                        "updated_at) VALUES ('x@y.z', 'X', ?, 'member', 0, 0)",
                        args, 1, NULL, &err),
             ACC_ECONFLICT);
    /* What one connection commits the other sees. */
    T_EQ_INT(store_exec(a,
                        "INSERT INTO department (name, name_key, created_at, updated_at) VALUES "
                        "('D', 'd', 0, 0)",
                        NULL, 0, NULL, &err),
             ACC_OK);
    T_EQ_INT(store_query_int(b, "SELECT COUNT(*) FROM department", NULL, 0, &v, &err), ACC_OK);
    T_EQ_INT(v, 1);
    store_pool_return(pool, a);
    store_pool_return(pool, b);
    store_pool_stats(pool, &ps);
    T_EQ_INT(ps.in_use, 0);
    T_EQ_INT(ps.leases, 2);
    store_pool_free(pool);
    snprintf(wal, sizeof(wal), "%s-wal", path);
    snprintf(shm, sizeof(shm), "%s-shm", path);
    unlink(path);
    unlink(wal);
    unlink(shm);
}

static void test_unknown_backend(void)
{
    struct store *st = NULL;
    struct acc_err err;

#ifndef ACC_WITH_PGSQL
    T_EQ_INT(store_open("postgresql://localhost/accord", &st, &err), ACC_EINVAL);
    T_OK(strstr(err.msg, "PGSQL=1") != NULL);
#endif
    T_EQ_INT(store_open("", &st, &err), ACC_EINVAL);
    T_OK(st == NULL);
}

int main(void)
{
    acc_log_set_quiet(true);
    T_RUN(test_migrate_from_empty);
    T_RUN(test_newer_database_refused);
    T_RUN(test_rows_and_types);
    T_RUN(test_statement_reused_and_nested);
    T_RUN(test_constraint_is_conflict_and_rollback);
    T_RUN(test_file_pool_wal_foreign_keys);
    T_RUN(test_unknown_backend);
    return t_done();
}
