/* migrate.c: versioned schema migrations (sql/NNNN_name.sql compiled in), applied in order. */
#include "base/acc.h"
#include "base/embed.h"
#include "base/log.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>

static int file_version(const struct acc_embed *f)
{
    return atoi(f->name);
}

int store_schema_latest(void)
{
    return acc_sql_count ? file_version(&acc_sql_files[acc_sql_count - 1]) : 0;
}

int store_schema_version(struct store *st, int *out, struct acc_err *err)
{
    int64_t v = 0;
    int rc;

    rc = store_script(st,
                      "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL, "
                      "applied_at BIGINT NOT NULL)",
                      err);
    if (!rc)
        rc = store_query_int(st, "SELECT COALESCE(MAX(version), 0) FROM schema_version", NULL, 0,
                             &v, err);
    if (!rc)
        *out = (int)v;
    return rc;
}

/* Replaces the dialect tokens of a migration with this backend's spelling. */
static char *dialect(const struct store *st, const struct acc_embed *f)
{
    static const char token[] = "{serial_pk}";
    struct acc_buf b;
    const char *p = (const char *)f->data, *end = p + f->len, *hit;

    acc_buf_init(&b);
    while ((hit = strstr(p, token)) != NULL && hit < end) {
        acc_buf_add(&b, p, (size_t)(hit - p));
        acc_buf_adds(&b, st->ops->serial_pk);
        p = hit + sizeof(token) - 1;
    }
    acc_buf_add(&b, p, (size_t)(end - p));
    return acc_buf_detach(&b, NULL);
}

int store_migrate(struct store *st, int *applied, struct acc_err *err)
{
    int current, latest = store_schema_latest(), n = 0, rc;

    rc = store_schema_version(st, &current, err);
    if (rc)
        return rc;
    if (current > latest)
        return acc_fail(err, ACC_ECONFLICT, "",
                        "database schema version %d is newer than this accord knows (%d): "
                        "upgrade accord before using this database",
                        current, latest);
    for (size_t i = 0; i < acc_sql_count; i++) {
        const struct acc_embed *f = &acc_sql_files[i];
        int v = file_version(f);
        char *sql;

        if (v <= current)
            continue;
        rc = store_begin(st, true, err);
        /* Read again under the write lock: another process may have migrated meanwhile. */
        if (!rc)
            rc = store_schema_version(st, &current, err);
        if (!rc && v <= current) {
            store_rollback(st);
            continue;
        }
        if (!rc) {
            sql = dialect(st, f);
            rc = store_script(st, sql, err);
            free(sql);
        }
        if (!rc) {
            struct store_arg args[] = {SA_INT(v), SA_INT(acc_now())};

            rc = store_exec(st, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                            args, 2, NULL, err);
        }
        if (!rc)
            rc = store_commit(st, err);
        if (rc) {
            char why[sizeof(err->msg)];

            store_rollback(st);
            memcpy(why, err->msg, sizeof(why));
            acc_log(ACC_LOG_ERROR, "migration failed", "file", f->name, "detail", why, NULL);
            return acc_fail(err, ACC_ESTORE, "", "migration '%s' failed: %s", f->name, why);
        }
        acc_log(ACC_LOG_INFO, "migration applied", "file", f->name, NULL);
        n++;
    }
    if (applied)
        *applied = n;
    return ACC_OK;
}
