/* migrate.c: versioned schema migrations (sql/NNNN_name[.backend].sql compiled in), in order. */
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

/*
 * Whether migration file f is for this backend. A version is one portable file,
 * "NNNN_name.sql", or one file per backend, "NNNN_name.<backend>.sql" (<backend> the
 * store_backend() name), where the engines differ beyond what tokens can say (full-text search).
 */
static bool for_backend(const struct store *st, const struct acc_embed *f)
{
    const char *first = strchr(f->name, '.'), *last = strrchr(f->name, '.');
    size_t n = strlen(st->ops->name);

    if (first == last)
        return true;
    return (size_t)(last - first - 1) == n && strncmp(first + 1, st->ops->name, n) == 0;
}

/* The file of version v for this backend: NULL when there is none, or more than one. */
static const struct acc_embed *version_file(const struct store *st, int v)
{
    const struct acc_embed *found = NULL;

    for (size_t i = 0; i < acc_sql_count; i++) {
        const struct acc_embed *f = &acc_sql_files[i];

        if (file_version(f) != v || !for_backend(st, f))
            continue;
        if (found)
            return NULL;
        found = f;
    }
    return found;
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

        /* The files of one version are adjacent (sorted by name): the first stands for all. */
        if (v <= current || (i > 0 && file_version(&acc_sql_files[i - 1]) == v))
            continue;
        f = version_file(st, v);
        if (!f)
            return acc_fail(err, ACC_EBUG, "",
                            "migration %04d has no file for backend '%s', or more than one: "
                            "this accord was built wrong",
                            v, st->ops->name);
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
