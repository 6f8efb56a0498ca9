/* server.c: the only libmicrohttpd user: connections, request bodies, responses, shutdown. */
#include "base/acc.h"
#include "base/log.h"
#include "http/http_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dlfcn.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>

#define CONNECTION_TIMEOUT_SECS 30 /* slow or idle clients are dropped after this */
#define CONNECTION_LIMIT        1024

/*
 * libmicrohttpd is loaded when the server starts, not linked: with gnutls behind it, linking
 * costs every command (`accord calendar due` among them) over a millisecond at start. The
 * functions this file calls are reached through mhd, under their own names.
 */
#define LIBMHD_SONAME "libmicrohttpd.so.12"
#define LIBMHD_FUNCS(X)                                                                            \
    X(MHD_add_response_header)                                                                     \
    X(MHD_create_response_from_buffer)                                                             \
    X(MHD_destroy_response)                                                                        \
    X(MHD_get_connection_info)                                                                     \
    X(MHD_get_connection_values)                                                                   \
    X(MHD_lookup_connection_value)                                                                 \
    X(MHD_queue_response)                                                                          \
    X(MHD_resume_connection)                                                                       \
    X(MHD_start_daemon)                                                                            \
    X(MHD_stop_daemon)                                                                             \
    X(MHD_suspend_connection)

#define LIBMHD_POINTER(name) __typeof__(&name) name;
static struct {
    LIBMHD_FUNCS(LIBMHD_POINTER)
} mhd;
#undef LIBMHD_POINTER

static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;
static char mhd_error[160]; /* why loading failed; "" once loaded */

/* Opens libmicrohttpd and resolves LIBMHD_FUNCS; what failed goes to mhd_error. */
static void mhd_load(void)
{
    void *lib = dlopen(LIBMHD_SONAME, RTLD_NOW | RTLD_LOCAL);

    if (!lib) {
        snprintf(mhd_error, sizeof(mhd_error), "%s", dlerror());
        return;
    }
#define LIBMHD_RESOLVE(name)                                                                       \
    if (!mhd_error[0]) {                                                                           \
        void *fn = dlsym(lib, #name);                                                              \
        if (fn)                                                                                    \
            memcpy(&mhd.name, &fn, sizeof(fn));                                                    \
        else                                                                                       \
            snprintf(mhd_error, sizeof(mhd_error), "%s lacks %s", LIBMHD_SONAME, #name);           \
    }
    LIBMHD_FUNCS(LIBMHD_RESOLVE)
#undef LIBMHD_RESOLVE
}

/* Per-exchange state kept between libmicrohttpd's calls of the access handler. */
struct exchange {
    struct http_ctx ctx;
    struct acc_buf body;
    bool started; /* the first call has returned; the reply may be queued now */
    /* A write handed to the writer: its connection is suspended until the batch is done. */
    struct MHD_Connection *conn;
    struct exchange *next;
    bool done; /* set by the writer before it resumes the connection */
};

/*
 * The group-commit writer: one thread that takes the write exchanges waiting in its queue
 * (up to BATCH_MAX at a time) and runs them in one transaction with one durable commit
 * (http_batch_run). Their connections stay suspended meanwhile, so the handler threads go on
 * serving others. Owned by http_serve() for as long as it serves; the mutex guards the queue.
 */
#define BATCH_MAX 64

struct writer {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct exchange *head, *tail;
    bool stopping; /* no more exchanges are queued; the thread drains the queue and ends */
    struct http_app *app;
    pthread_t thread;
};

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    struct exchange *batch[BATCH_MAX];
    struct http_ctx *ctxs[BATCH_MAX];

    pthread_mutex_lock(&w->mu);
    for (;;) {
        int n = 0;

        while (!w->head && !w->stopping)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->head)
            break;
        while (w->head && n < BATCH_MAX) {
            batch[n] = w->head;
            ctxs[n] = &batch[n]->ctx;
            w->head = w->head->next;
            n++;
        }
        if (!w->head)
            w->tail = NULL;
        pthread_mutex_unlock(&w->mu);
        http_batch_run(w->app, ctxs, n);
        for (int i = 0; i < n; i++) {
            struct MHD_Connection *c = batch[i]->conn;

            batch[i]->done = true; /* the exchange is libmicrohttpd's again once resumed */
            mhd.MHD_resume_connection(c);
        }
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/*
 * Suspends the exchange's connection and queues it for the writer; false when the writer is
 * stopping, and the caller runs the write itself. Called from the access handler only.
 */
static bool writer_queue(struct writer *w, struct exchange *ex, struct MHD_Connection *c)
{
    pthread_mutex_lock(&w->mu);
    if (w->stopping) {
        pthread_mutex_unlock(&w->mu);
        return false;
    }
    ex->conn = c;
    mhd.MHD_suspend_connection(c);
    if (w->tail)
        w->tail->next = ex;
    else
        w->head = ex;
    w->tail = ex;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return true;
}

/* Lets the queue drain and ends the thread; writes that come later run on their own. */
static void writer_stop(struct writer *w)
{
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
}

static enum MHD_Result add_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    struct http_ctx *ctx = cls;

    (void)kind;
    if (ctx->nquery == HTTP_QUERY_MAX) {
        ctx->query_overflow = true;
        return MHD_NO;
    }
    ctx->query[ctx->nquery].key = acc_arena_strdup(ctx->arena, key);
    ctx->query[ctx->nquery].value = value ? acc_arena_strdup(ctx->arena, value) : NULL;
    ctx->nquery++;
    return MHD_YES;
}

static const char *header(struct MHD_Connection *c, struct http_ctx *ctx, const char *name)
{
    const char *v = mhd.MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);

    return v ? acc_arena_strdup(ctx->arena, v) : NULL;
}

static void client_address(struct MHD_Connection *c, struct http_ctx *ctx)
{
    const union MHD_ConnectionInfo *ci =
        mhd.MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char host[INET6_ADDRSTRLEN] = "-";

    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;

        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, host, sizeof(host));
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, host, sizeof(host));
    }
    ctx->client_addr = acc_arena_strdup(ctx->arena, host);
}

/*
 * Request ids: a random prefix drawn once, then a counter, so that an id costs no system
 * call and never repeats within a run.
 */
static uint32_t rid_prefix;
static uint32_t rid_counter;
static pthread_once_t rid_once = PTHREAD_ONCE_INIT;

static void rid_start(void)
{
    rid_prefix = randombytes_random();
    rid_counter = randombytes_random();
}

static void request_id(char out[17])
{
    uint32_t n;

    pthread_once(&rid_once, rid_start);
    n = __atomic_add_fetch(&rid_counter, 1, __ATOMIC_RELAXED);
    snprintf(out, 17, "%08x%08x", rid_prefix, n);
}

static struct exchange *exchange_new(struct http_app *app, struct MHD_Connection *c,
                                     const char *url, const char *method)
{
    struct exchange *ex = xcalloc(1, sizeof(*ex));
    struct http_ctx *ctx = &ex->ctx;
    const char *len;

    ctx->arena = acc_arena_new();
    ctx->app = app;
    ctx->method = acc_arena_strdup(ctx->arena, method);
    ctx->path = acc_arena_strdup(ctx->arena, url);
    request_id(ctx->request_id);
    mhd.MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_query, ctx);
    ctx->authorization = header(c, ctx, MHD_HTTP_HEADER_AUTHORIZATION);
    ctx->csrf_header = header(c, ctx, "X-CSRF-Token");
    ctx->content_type = header(c, ctx, MHD_HTTP_HEADER_CONTENT_TYPE);
    ctx->if_none_match = header(c, ctx, MHD_HTTP_HEADER_IF_NONE_MATCH);
    {
        const char *v = mhd.MHD_lookup_connection_value(c, MHD_COOKIE_KIND, AUTH_COOKIE_NAME);

        ctx->cookie_session = v ? acc_arena_strdup(ctx->arena, v) : NULL;
    }
    client_address(c, ctx);
    len = mhd.MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (len && strtoull(len, NULL, 10) > HTTP_BODY_MAX)
        ctx->body_too_big = true;
    acc_buf_init(&ex->body);
    return ex;
}

static void exchange_free(struct exchange *ex)
{
    if (!ex)
        return;
    if (ex->ctx.resp && !ex->ctx.resp_static)
        free(ex->ctx.resp);
    acc_buf_release(&ex->body);
    acc_arena_free(ex->ctx.arena);
    free(ex);
}

static enum MHD_Result respond(struct MHD_Connection *c, struct http_ctx *ctx)
{
    struct MHD_Response *r;
    enum MHD_Result ret;

    if (ctx->resp_static) {
        r = mhd.MHD_create_response_from_buffer(ctx->resp_len, ctx->resp, MHD_RESPMEM_PERSISTENT);
    } else {
        r = mhd.MHD_create_response_from_buffer(ctx->resp_len, ctx->resp ? ctx->resp : (char *)"",
                                                ctx->resp ? MHD_RESPMEM_MUST_FREE
                                                          : MHD_RESPMEM_PERSISTENT);
        ctx->resp = NULL; /* libmicrohttpd frees it now */
    }
    if (!r)
        return MHD_NO;
    if (ctx->resp_type)
        mhd.MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctx->resp_type);
    mhd.MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    mhd.MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    if (ctx->resp_type && strncmp(ctx->resp_type, "text/html", 9) == 0) {
        mhd.MHD_add_response_header(r, "Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; frame-ancestors "
                                    "'none'; base-uri 'none'; form-action 'self'");
        mhd.MHD_add_response_header(r, "X-Frame-Options", "DENY");
    }
    if (ctx->resp_type && strstr(ctx->resp_type, "json"))
        mhd.MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    for (int i = 0; i < ctx->nheaders; i++)
        mhd.MHD_add_response_header(r, ctx->headers[i].key, ctx->headers[i].value);
    ret = mhd.MHD_queue_response(c, (unsigned)ctx->status, r);
    mhd.MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct exchange *ex = *con_cls;

    (void)version;
    if (!ex) {
        /*
         * Queueing a reply during the first call makes libmicrohttpd 0.9.75 answer with
         * "Connection: close"; return and reply on the next call to keep the connection.
         */
        *con_cls = exchange_new(cls, c, url, method);
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!ex->ctx.body_too_big && ex->body.len + *upload_data_size <= HTTP_BODY_MAX)
            acc_buf_add(&ex->body, upload_data, *upload_data_size);
        else
            ex->ctx.body_too_big = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (ex->done)
        return respond(c, &ex->ctx);
    if (ex->started)
        return MHD_YES;
    ex->started = true;
    ex->ctx.body = ex->body.buf;
    ex->ctx.body_len = ex->body.len;
    if (!http_dispatch_start(&ex->ctx)) {
        struct writer *w = ex->ctx.app->writer;

        if (w && writer_queue(w, ex, c))
            return MHD_YES;
        http_batch_run(ex->ctx.app, (struct http_ctx *[]){&ex->ctx}, 1);
    }
    return respond(c, &ex->ctx);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    exchange_free(*con_cls);
    *con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[256];

    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    acc_log(ACC_LOG_WARN, "libmicrohttpd", "detail", msg, NULL);
}

static int parse_listen(const char *addr, struct sockaddr_storage *ss, struct acc_err *err)
{
    struct addrinfo hints = {0}, *res = NULL;
    char host[128];
    const char *colon, *port;
    size_t hlen;
    int rc;

    if (!addr || strlen(addr) >= sizeof(host))
        return acc_fail(err, ACC_EINVAL, "", "bad --listen address");
    colon = strrchr(addr, ':');
    if (!colon)
        return acc_fail(err, ACC_EINVAL, "", "--listen needs HOST:PORT, e.g. 127.0.0.1:8080");
    port = colon + 1;
    hlen = (size_t)(colon - addr);
    if (hlen >= 2 && addr[0] == '[' && addr[hlen - 1] == ']') {
        memcpy(host, addr + 1, hlen - 2);
        host[hlen - 2] = '\0';
    } else {
        memcpy(host, addr, hlen);
        host[hlen] = '\0';
    }
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (rc || !res)
        return acc_fail(err, ACC_EINVAL, "", "bad --listen address '%s': %s", addr,
                        gai_strerror(rc));
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return ACC_OK;
}

int http_serve(struct http_app *app, const char *listen_addr, http_ready_fn *ready, void *arg,
               struct acc_err *err)
{
    struct sockaddr_storage ss = {0};
    struct MHD_Daemon *d;
    sigset_t set;
    int sig, rc;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_TURBO |
                     MHD_ALLOW_SUSPEND_RESUME;
    struct writer w = {.app = app};

    rc = parse_listen(listen_addr, &ss, err);
    if (rc)
        return rc;
    pthread_once(&mhd_once, mhd_load);
    if (mhd_error[0])
        return acc_fail(err, ACC_EBUG, "",
                        "serving needs libmicrohttpd (" LIBMHD_SONAME "), which could not be "
                        "loaded: %s",
                        mhd_error);
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* Block the stop signals before the worker threads start, so they inherit the mask. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    rc = pthread_create(&w.thread, NULL, writer_main, &w);
    if (rc) {
        pthread_cond_destroy(&w.cv);
        pthread_mutex_destroy(&w.mu);
        return acc_fail(err, ACC_EBUG, "", "cannot start the writer thread: %s", strerror(rc));
    }
    app->writer = &w;
    /* The logger goes first so that libmicrohttpd reports the other options through it. */
    d = mhd.MHD_start_daemon(flags, 0, NULL, NULL, on_request, app, MHD_OPTION_EXTERNAL_LOGGER,
                             on_mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                             MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_CONNECTION_TIMEOUT,
                             (unsigned)CONNECTION_TIMEOUT_SECS, MHD_OPTION_CONNECTION_LIMIT,
                             (unsigned)CONNECTION_LIMIT, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                             NULL, MHD_OPTION_END);
    if (!d) {
        app->writer = NULL;
        writer_stop(&w);
        pthread_cond_destroy(&w.cv);
        pthread_mutex_destroy(&w.mu);
        return acc_fail(err, ACC_ESTORE, "", "cannot listen on %s (in use, or not allowed)",
                        listen_addr);
    }
    acc_log(ACC_LOG_INFO, "listening", "address", listen_addr, "version", ACC_VERSION, NULL);
    if (ready)
        ready(arg);
    sigwait(&set, &sig);
    acc_log(ACC_LOG_INFO, "stopping", "signal", acc_log_int(sig), NULL);
    /* Queued writes are committed and answered before the connections close. */
    writer_stop(&w);
    mhd.MHD_stop_daemon(d);
    app->writer = NULL;
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
    return ACC_OK;
}

/* Test exchanges only: what libmicrohttpd does for real requests. */
static char *url_decode(char *s)
{
    char *o = s;

    for (char *p = s; *p; p++) {
        if (*p == '+') {
            *o++ = ' ';
        } else if (*p == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
            char hex[3] = {p[1], p[2], 0};

            *o++ = (char)strtol(hex, NULL, 16);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return s;
}

static const char *cookie_value(struct acc_arena *arena, const char *header, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = header; p && *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        if (strncmp(p, name, n) == 0 && p[n] == '=') {
            const char *v = p + n + 1;

            return acc_arena_strndup(arena, v, strcspn(v, ";"));
        }
        p = strchr(p, ';');
    }
    return NULL;
}

void http_test_call(struct http_app *app, const char *method, const char *target, const char *body,
                    const char *const *headers, struct http_test_reply *out)
{
    struct http_ctx ctx = {0};
    struct acc_buf hb;
    char *path, *q;

    ctx.arena = acc_arena_new();
    ctx.app = app;
    ctx.method = method;
    path = acc_arena_strdup(ctx.arena, target);
    q = strchr(path, '?');
    if (q) {
        *q++ = '\0';
        for (char *kv = strtok(q, "&"); kv; kv = strtok(NULL, "&")) {
            char *eq = strchr(kv, '=');

            if (ctx.nquery == HTTP_QUERY_MAX) {
                ctx.query_overflow = true;
                break;
            }
            if (eq)
                *eq++ = '\0';
            ctx.query[ctx.nquery].key = url_decode(kv);
            ctx.query[ctx.nquery].value = eq ? url_decode(eq) : NULL;
            ctx.nquery++;
        }
    }
    ctx.path = path;
    ctx.client_addr = "127.0.0.1";
    request_id(ctx.request_id);
    for (int i = 0; headers && headers[i]; i += 2) {
        const char *k = headers[i], *v = headers[i + 1];

        if (strcasecmp(k, "Authorization") == 0)
            ctx.authorization = v;
        else if (strcasecmp(k, "Cookie") == 0)
            ctx.cookie_session = cookie_value(ctx.arena, v, AUTH_COOKIE_NAME);
        else if (strcasecmp(k, "X-CSRF-Token") == 0)
            ctx.csrf_header = v;
        else if (strcasecmp(k, "Content-Type") == 0)
            ctx.content_type = v;
        else if (strcasecmp(k, "If-None-Match") == 0)
            ctx.if_none_match = v;
    }
    if (body) {
        ctx.body = body;
        ctx.body_len = strlen(body);
        ctx.body_too_big = ctx.body_len > HTTP_BODY_MAX;
        if (!ctx.content_type)
            ctx.content_type = "application/json";
    }
    http_dispatch(&ctx);
    out->status = ctx.status;
    out->body =
        ctx.resp_static ? xstrndup(ctx.resp, ctx.resp_len) : (ctx.resp ? ctx.resp : xstrdup(""));
    acc_buf_init(&hb);
    if (ctx.resp_type)
        acc_buf_addf(&hb, "Content-Type: %s\n", ctx.resp_type);
    for (int i = 0; i < ctx.nheaders; i++)
        acc_buf_addf(&hb, "%s: %s\n", ctx.headers[i].key, ctx.headers[i].value);
    out->headers = acc_buf_detach(&hb, NULL);
    acc_arena_free(ctx.arena);
}
