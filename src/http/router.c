/* router.c: match a route, authenticate once, run the handler in its transaction, count it. */
#include "base/acc.h"
#include "base/log.h"
#include "calendar/calendar.h"
#include "http/http_int.h"
#include "org/org.h"
#include "request/request_sweeper.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

/* Matches path against pattern, filling {placeholder} values into params. */
static bool match(const char *pattern, const char *path, struct acc_arena *arena,
                  const char **params)
{
    int np = 0;

    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *end = strchr(path, '/');
            size_t n = end ? (size_t)(end - path) : strlen(path);

            if (!n || np == HTTP_PARAMS_MAX)
                return false;
            if (params)
                params[np] = acc_arena_strndup(arena, path, n);
            np++;
            path += n;
            pattern = strchr(pattern, '}') + 1;
            continue;
        }
        if (*pattern++ != *path++)
            return false;
    }
    return !*pattern && !*path;
}

/* Finds the route; *path_known tells a 405 (path exists, method does not) from a 404. */
static int find_route(struct http_ctx *ctx, bool *path_known)
{
    const char *method = strcmp(ctx->method, "HEAD") == 0 ? "GET" : ctx->method;

    *path_known = false;
    for (size_t i = 0; i < http_nroutes; i++) {
        if (!match(http_routes[i].pattern, ctx->path, ctx->arena, NULL))
            continue;
        *path_known = true;
        if (strcmp(http_routes[i].method, method) == 0) {
            match(http_routes[i].pattern, ctx->path, ctx->arena, ctx->params);
            return (int)i;
        }
    }
    return -1;
}

static const char *allowed_methods(struct http_ctx *ctx)
{
    struct acc_buf b;
    char *s;

    acc_buf_init(&b);
    for (size_t i = 0; i < http_nroutes; i++)
        if (match(http_routes[i].pattern, ctx->path, ctx->arena, NULL))
            acc_buf_addf(&b, "%s%s%s", b.len ? ", " : "", http_routes[i].method,
                         strcmp(http_routes[i].method, "GET") == 0 ? ", HEAD" : "");
    s = acc_arena_strdup(ctx->arena, b.buf);
    acc_buf_release(&b);
    return s;
}

static bool is_write_method(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0;
}

/* Authenticates with a bearer token or the session cookie; sets ctx->principal. */
static int authenticate(struct http_ctx *ctx)
{
    const char *a = ctx->authorization;
    int rc;

    if (a && strncmp(a, "Bearer ", 7) == 0) {
        rc = auth_token_check(ctx->store, a + 7, &ctx->principal, &ctx->err);
    } else if (a) {
        return acc_fail(&ctx->err, ACC_EAUTH, "", "use 'Authorization: Bearer <token>'");
    } else if (ctx->cookie_session) {
        rc = auth_session_check(ctx->store, ctx->cookie_session, &ctx->principal, &ctx->err);
        if (!rc && is_write_method(ctx->method) && !auth_csrf_ok(&ctx->principal, ctx->csrf_header))
            return acc_fail(&ctx->err, ACC_EPERM, "",
                            "missing or wrong X-CSRF-Token header for a write with the session "
                            "cookie");
    } else {
        return acc_fail(&ctx->err, ACC_EAUTH, "",
                        "sign in, or send 'Authorization: Bearer <token>'");
    }
    if (rc)
        return rc;
    ctx->signed_in = true;
    ctx->principal.actor.via =
        acc_arena_printf(ctx->arena, "%s %s", ctx->route->method, ctx->route->pattern);
    if ((ctx->route->flags & ROUTE_ADMIN) && ctx->principal.actor.role != ORG_ROLE_ADMIN)
        return acc_fail(&ctx->err, ACC_EPERM, "", "this needs an administrator");
    return ACC_OK;
}

/*
 * Serves a cached reply made at the current revision, or makes and keeps one: the
 * organisation's revision for ROUTE_CACHED, the database's data revision for
 * ROUTE_CACHED_DATA, whose key also names the caller and the second (replies say what the
 * caller may do, and count business time to now).
 */
static void run_cached(struct http_ctx *ctx)
{
    struct reply_cache *cache = &ctx->app->cache;
    bool data = ctx->route->flags & ROUTE_CACHED_DATA;
    const char *key;
    int64_t rev;
    char *body;
    size_t len;

    if (data ? store_data_revision(ctx->store, &rev, &ctx->err)
             : org_revision(ctx->store, &rev, &ctx->err)) {
        http_reply_err(ctx);
        return;
    }
    key = http_cache_key(ctx);
    if (data)
        key = acc_arena_printf(ctx->arena, "%s#%lld@%lld", key,
                               (long long)ctx->principal.actor.person_id, (long long)acc_now());
    if (http_cache_get(cache, key, rev, &body, &len)) {
        ctx->status = 200;
        ctx->resp = body;
        ctx->resp_len = len;
        ctx->resp_static = false;
        ctx->resp_type = "application/json";
        return;
    }
    ctx->route->handler(ctx);
    if (ctx->status == 200 && ctx->resp && !ctx->resp_static)
        http_cache_put(cache, key, rev, ctx->resp, ctx->resp_len);
}

/* Whether a route's writes go to the batch writer (http_batch_run) instead of running alone. */
static bool batched(const struct route *r)
{
    return (r->flags & ROUTE_WRITE) && !(r->flags & (ROUTE_OWN_TXN | ROUTE_SOLO));
}

/* Runs a reading route in one read transaction, or a solo write in its own transaction. */
static void run_route(struct http_ctx *ctx)
{
    unsigned flags = ctx->route->flags;
    bool txn = (flags & ROUTE_WRITE) && !(flags & ROUTE_OWN_TXN);
    struct acc_err cerr;
    bool read_txn = !(flags & ROUTE_WRITE);

    /*
     * A read route runs in one read transaction: a consistent view, and the database's
     * read lock is taken once instead of once per statement.
     */
    if (read_txn && store_begin(ctx->store, false, &ctx->err)) {
        http_reply_err(ctx);
        return;
    }
    if ((flags & (ROUTE_AUTH | ROUTE_ADMIN)) && authenticate(ctx)) {
        if (read_txn)
            store_rollback(ctx->store);
        http_reply_err(ctx);
        return;
    }
    if (txn && store_begin(ctx->store, true, &ctx->err)) {
        http_reply_err(ctx);
        return;
    }
    if (flags & (ROUTE_CACHED | ROUTE_CACHED_DATA))
        run_cached(ctx);
    else
        ctx->route->handler(ctx);
    if (!ctx->status)
        ACC_BUG("handler set no reply");
    if (read_txn)
        store_rollback(ctx->store); /* nothing to keep: ending a read transaction */
    if (txn && ctx->status >= 400) {
        store_rollback(ctx->store);
    } else if (txn && store_commit(ctx->store, &cerr)) {
        http_reply_lost(ctx, &cerr);
    }
    if (ctx->signed_in && ctx->principal.touch_due)
        auth_token_touch(ctx->store, ctx->principal.token_id);
}

static void log_exchange(struct http_ctx *ctx, int64_t ns)
{
    acc_log(ctx->status >= 500 ? ACC_LOG_WARN : ACC_LOG_INFO, "request", "request_id",
            ctx->request_id, "method", ctx->method, "path", ctx->path, "route",
            ctx->route ? ctx->route->pattern : "", "status", acc_log_int(ctx->status), "us",
            acc_log_int(ns / 1000), "person_id",
            acc_log_int(ctx->signed_in ? ctx->principal.actor.person_id : 0), "client",
            ctx->client_addr ? ctx->client_addr : "", ctx->status >= 400 ? "detail" : NULL,
            ctx->err.msg, NULL);
}

/*
 * What follows a commit (the router's, the batch's, or a ROUTE_OWN_TXN handler's own): the
 * sweeper reads the next instant on its own connection and must see the change. Then the
 * exchange is counted and logged.
 */
static void finish(struct http_ctx *ctx)
{
    int64_t ns = acc_mono_ns() - ctx->t0;

    if (ctx->route && (ctx->route->flags & ROUTE_WAKES_SWEEPER) && ctx->status < 400)
        request_sweeper_poke(ctx->app->cfg.sweeper);
    http_metrics_count(ctx->app, ctx->metric_idx, ctx->status, ns);
    log_exchange(ctx, ns);
}

bool http_dispatch_start(struct http_ctx *ctx)
{
    bool api = strncmp(ctx->path, "/api/", 5) == 0 || strcmp(ctx->path, "/api") == 0;
    bool known;
    int idx;

    ctx->t0 = acc_mono_ns();
    http_header_add(ctx, "X-Request-Id", ctx->request_id);
    idx = find_route(ctx, &known);
    if (idx >= 0) {
        ctx->route = &http_routes[idx];
        ctx->metric_idx = idx;
        if (ctx->body_too_big) {
            http_reply_fail(ctx, ACC_ETOOBIG, "", "the body is larger than %d bytes",
                            HTTP_BODY_MAX);
        } else if (ctx->query_overflow) {
            http_reply_fail(ctx, ACC_EINVAL, "/query", "more than %d query parameters",
                            HTTP_QUERY_MAX);
        } else if (batched(ctx->route)) {
            return false;
        } else {
            ctx->store = store_pool_lease(ctx->app->cfg.pool);
            run_route(ctx);
            store_pool_return(ctx->app->cfg.pool, ctx->store);
            ctx->store = NULL;
        }
    } else if (known) {
        ctx->metric_idx = (int)http_nroutes;
        http_header_add(ctx, "Allow", allowed_methods(ctx));
        acc_fail(&ctx->err, ACC_EINVAL, "", "method %s is not allowed here", ctx->method);
        http_reply_err_status(ctx, 405);
    } else if (api || is_write_method(ctx->method)) {
        ctx->metric_idx = (int)http_nroutes;
        http_reply_fail(ctx, ACC_ENOTFOUND, "", "no such resource '%s'", ctx->path);
    } else {
        ctx->metric_idx = (int)http_nroutes + 1;
        http_static(ctx);
    }
    finish(ctx);
    return true;
}

/* Runs the nth write of a batch inside its savepoint; false when the transaction is lost. */
static bool batch_one(struct store *st, struct http_ctx *ctx, struct acc_err *err)
{
    int64_t before = store_total_changes(st);

    ctx->store = st;
    if (store_exec(st, "SAVEPOINT exchange", NULL, 0, NULL, err)) {
        http_reply_lost(ctx, err);
        return false;
    }
    if ((ctx->route->flags & (ROUTE_AUTH | ROUTE_ADMIN)) && authenticate(ctx))
        http_reply_err(ctx);
    else
        ctx->route->handler(ctx);
    if (!ctx->status)
        ACC_BUG("handler set no reply");
    if (ctx->status >= 400) {
        if (store_exec(st, "ROLLBACK TO SAVEPOINT exchange", NULL, 0, NULL, err)) {
            http_reply_lost(ctx, err);
            return false;
        }
        store_forget_changes(st, store_total_changes(st) - before);
    }
    if (store_exec(st, "RELEASE SAVEPOINT exchange", NULL, 0, NULL, err)) {
        http_reply_lost(ctx, err);
        return false;
    }
    if (ctx->signed_in && ctx->principal.touch_due) {
        before = store_total_changes(st);
        auth_token_touch(st, ctx->principal.token_id);
        store_forget_changes(st, store_total_changes(st) - before);
    }
    return true;
}

void http_batch_run(struct http_app *app, struct http_ctx **ctxs, int n)
{
    struct store *st = store_pool_lease(app->cfg.pool);
    struct acc_err err = {0};
    int done = 0;
    bool ok;

    ok = !store_begin(st, true, &err);
    while (ok && done < n) {
        ok = batch_one(st, ctxs[done], &err);
        done++;
    }
    if (ok && store_commit(st, &err))
        ok = false;
    if (!ok) {
        store_rollback(st);
        /* Everything of the batch is gone: each exchange says so, with the cause. */
        for (int i = 0; i < n; i++)
            if (ctxs[i]->status < 400 || i >= done)
                http_reply_lost(ctxs[i], &err);
    }
    __atomic_add_fetch(&app->batches, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&app->batched, (uint64_t)n, __ATOMIC_RELAXED);
    for (int i = 0; i < n; i++) {
        ctxs[i]->store = NULL;
        finish(ctxs[i]);
    }
    store_pool_return(app->cfg.pool, st);
}

void http_dispatch(struct http_ctx *ctx)
{
    if (!http_dispatch_start(ctx))
        http_batch_run(ctx->app, &ctx, 1);
}

struct http_app *http_app_new(const struct http_app_config *cfg)
{
    struct http_app *app = xcalloc(1, sizeof(*app));

    app->cfg = *cfg;
    app->started_at = acc_now();
    app->started_mono_ns = acc_mono_ns();
    app->routes = xcalloc(http_nroutes + 2, sizeof(*app->routes));
    http_cache_init(&app->cache);
    http_static_init(app);
    app->zones = calendar_zones_new();
    return app;
}

void http_app_free(struct http_app *app)
{
    if (!app)
        return;
    for (size_t i = 0; app->etags && app->etags[i]; i++)
        free(app->etags[i]);
    free(app->etags);
    http_cache_release(&app->cache);
    calendar_zones_free(app->zones);
    free(app->routes);
    free(app);
}

struct auth_limiter *http_app_limiter(struct http_app *app)
{
    return app->cfg.limiter;
}

bool http_app_cookie_secure(const struct http_app *app)
{
    return app->cfg.cookie_secure;
}

struct calendar_zones *http_app_zones(struct http_app *app)
{
    return app->zones;
}
