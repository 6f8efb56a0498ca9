/* http.h: the HTTP exchange as handlers see it, the route table, and replies. */
#ifndef ACCORD_HTTP_HTTP_H
#define ACCORD_HTTP_HTTP_H

#include "auth/auth.h"

#include <jansson.h>

struct store;
struct store_pool;
struct request_sweeper;
struct http_app;
struct calendar_zones;

/* Limits of one exchange, stated once. */
#define HTTP_BODY_MAX      (64 * 1024) /* bytes of a request body; more is 413 */
#define HTTP_QUERY_MAX     32          /* query parameters */
#define HTTP_PARAMS_MAX    4           /* {placeholders} in a route pattern */
#define HTTP_HEADERS_MAX   12          /* response headers set by handlers */
#define HTTP_LIMIT_DEFAULT 50          /* list page size when ?limit= is absent */
#define HTTP_LIMIT_MAX     200

struct http_kv {
    const char *key;
    const char *value;
};

struct http_ctx;
typedef int http_handler_fn(struct http_ctx *ctx);

/* Route flags: who may call it and how it runs. */
enum {
    ROUTE_PUBLIC = 0,       /* no authentication */
    ROUTE_AUTH = 1 << 0,    /* any signed-in person */
    ROUTE_ADMIN = 1 << 1,   /* administrators only */
    ROUTE_WRITE = 1 << 4,   /* runs in one write transaction, rolled back on status >= 400 */
    ROUTE_OWN_TXN = 1 << 5, /* the handler opens its own transactions (sign-in) */
    ROUTE_CACHED = 1 << 6,  /* a GET whose reply depends only on path, query and org revision */
    ROUTE_WAKES_SWEEPER = 1 << 7, /* its commit may move a request's next escalation instant */
    /*
     * A write that runs alone on its handler thread in its own transaction instead of in the
     * writer's batch: its handler is slow (password hashing, imports) and would hold up the
     * writes batched with it.
     */
    ROUTE_SOLO = 1 << 8,
    /*
     * A GET whose reply depends only on path, query, the caller, the current second and what
     * the database holds: kept against the database's data revision (store_data_revision()),
     * per person and second, so that it is exactly the reply the handler would make again.
     */
    ROUTE_CACHED_DATA = 1 << 9
};

struct route {
    const char *method;
    const char *pattern; /* "/api/v1/departments/{id}" */
    http_handler_fn *handler;
    unsigned flags;
};

/* The route table (routes.c) and its length. */
extern const struct route http_routes[];
extern const size_t http_nroutes;

/* One exchange. Everything hangs off the arena, freed once when the response is sent. */
struct http_ctx {
    struct acc_arena *arena;
    struct http_app *app;
    struct store *store; /* leased by the router for routes that need it */
    struct acc_err err;

    const char *method;
    const char *path;
    const struct route *route;
    const char *params[HTTP_PARAMS_MAX]; /* values of the pattern's {placeholders}, in order */
    struct http_kv query[HTTP_QUERY_MAX];
    int nquery;
    bool query_overflow;

    const char *authorization;
    const char *cookie_session; /* the accord_session cookie's value */
    const char *csrf_header;
    const char *content_type;
    const char *if_none_match;
    const char *client_addr;
    const char *body;
    size_t body_len;
    bool body_too_big;
    char request_id[17];

    bool signed_in;
    struct auth_principal principal; /* valid when signed_in; actor.via is "METHOD pattern" */

    int status;
    char *resp; /* malloc'd unless resp_static */
    size_t resp_len;
    bool resp_static;
    const char *resp_type;
    struct http_kv headers[HTTP_HEADERS_MAX];
    int nheaders;
    int64_t t0;     /* the router's: when dispatch started (monotonic ns) */
    int metric_idx; /* the router's: the counters the exchange goes to */
};

/* Sets a JSON reply, taking the reference to body. Returns 0. */
int http_reply_json(struct http_ctx *ctx, int status, json_t *body);
/* Sets a JSON reply from text written already (malloc'd, len bytes), taking it. Returns 0. */
int http_reply_json_text(struct http_ctx *ctx, int status, char *text, size_t len);
/* Sets an RFC 9457 problem reply from ctx->err. Returns 0. */
int http_reply_err(struct http_ctx *ctx);
/*
 * Replaces the reply of an exchange whose change was not stored (the commit failed, or the
 * batch it was part of) with the problem of cause; drops the handler's headers. Returns 0.
 */
int http_reply_lost(struct http_ctx *ctx, const struct acc_err *cause);
/* The same with another status than the code's own (405). Returns 0. */
int http_reply_err_status(struct http_ctx *ctx, int status);
/* Fills ctx->err and sets the problem reply in one step. Returns 0. */
int http_reply_fail(struct http_ctx *ctx, enum acc_code code, const char *field, const char *fmt,
                    ...) ACC_PRINTF(4, 5);
/* A reply without a body (204). Returns 0. */
int http_reply_empty(struct http_ctx *ctx, int status);
/* Sets a reply from bytes that outlive the exchange (embedded assets). Returns 0. */
int http_reply_static(struct http_ctx *ctx, int status, const char *type, const void *data,
                      size_t len);
/* Adds a response header; the strings must live as long as the arena. */
void http_header_add(struct http_ctx *ctx, const char *key, const char *value);

/* The HTTP status of a code, and the problem "title". */
int http_status_of(enum acc_code code);

/* A query parameter's value, or NULL. */
const char *http_query(const struct http_ctx *ctx, const char *name);
/* Reads {id}-style path parameter i as a positive integer; ACC_ENOTFOUND otherwise. */
int http_param_id(struct http_ctx *ctx, int i, int64_t *out);
/* Reads ?name= as a positive id (0 when absent); ACC_EINVAL otherwise. */
int http_query_id(struct http_ctx *ctx, const char *name, int64_t *out);

/*
 * Pagination: ?limit= (1..HTTP_LIMIT_MAX, default HTTP_LIMIT_DEFAULT) and ?cursor=, which
 * names the last item of the previous page: its id in lists by id, or its sort key and id in
 * lists sorted by another integer key ("keyed" cursors, their own form).
 */
struct http_page {
    int64_t after_id;
    int64_t after_key; /* with keyed */
    bool keyed;
    int limit;
};
/* Reads ?limit= and an id cursor; ACC_EINVAL for anything else (a keyed cursor too). */
int http_page_read(struct http_ctx *ctx, struct http_page *out);
/* The same for a list that takes both forms; out->keyed says which came. */
int http_page_read_keyed(struct http_ctx *ctx, struct http_page *out);
/* {"items": items, "next_cursor": cursor after last_id when more, else null}. Takes items. */
json_t *http_page_json(json_t *items, bool more, int64_t last_id);
/* The same with a keyed cursor after (last_key, last_id). */
json_t *http_page_json_keyed(json_t *items, bool more, int64_t last_key, int64_t last_id);
/* The next_cursor text of either form, written into out, or NULL when no more items came. */
#define HTTP_CURSOR_MAX 72
const char *http_page_cursor(char out[HTTP_CURSOR_MAX], bool more, bool keyed, int64_t last_key,
                             int64_t last_id);

/* Parses the body as a JSON object (415 unless Content-Type is JSON). */
int http_body_object(struct http_ctx *ctx, json_t **out);
/* Reads the body's JSON object into flat fields with jx_read() (same codes as both). */
struct jx_field;
int http_body_fields(struct http_ctx *ctx, const struct jx_field *fields, size_t n);

/*
 * Starts an exchange whose body is in: finds the route and, unless it is a write that goes to
 * the batch writer, runs it whole (authenticate, handle, commit, count, log). Returns true
 * when ctx has its reply; false when the caller must hand ctx to http_batch_run().
 */
bool http_dispatch_start(struct http_ctx *ctx);
/*
 * Group commit: runs n started write exchanges in one write transaction, each inside its own
 * savepoint (a failed one is rolled back alone), then commits once, so that n changes cost
 * one durable commit. If the transaction cannot be committed, every exchange of the batch
 * gets the error. Then each is counted and logged.
 */
void http_batch_run(struct http_app *app, struct http_ctx **ctxs, int n);
/* The whole exchange on the calling thread: http_dispatch_start(), then a batch of one. */
void http_dispatch(struct http_ctx *ctx);

/* Everything the server shares between threads; owned by cmd_serve (or a test). */
struct http_app_config {
    struct store_pool *pool;
    struct auth_limiter *limiter;
    const char *web_root; /* serve the UI from this directory instead of the embedded copy */
    bool cookie_secure;   /* add Secure to the session cookie (behind HTTPS) */
    /* Poked after each commit of a ROUTE_WAKES_SWEEPER route, counted in /metrics; may be NULL. */
    struct request_sweeper *sweeper;
};
struct http_app *http_app_new(const struct http_app_config *cfg);
void http_app_free(struct http_app *app);
struct auth_limiter *http_app_limiter(struct http_app *app);
bool http_app_cookie_secure(const struct http_app *app);
/* The time zones loaded for calendars, shared by every thread; owned by the app. */
struct calendar_zones *http_app_zones(struct http_app *app);

/* The Prometheus text of the metrics, malloc'd. */
char *http_metrics_text(struct http_app *app, size_t *len);

/* Called once the server listens, before it waits for requests. */
typedef void http_ready_fn(void *arg);

/*
 * Serves on listen_addr ("127.0.0.1:8080", "[::1]:8080") until SIGINT or SIGTERM.
 * ready (may be NULL) runs once the socket listens. ACC_EINVAL for a bad address,
 * ACC_ESTORE when the address cannot be bound.
 */
int http_serve(struct http_app *app, const char *listen_addr, http_ready_fn *ready, void *arg,
               struct acc_err *err);

/* In-process exchange for tests: builds a ctx, dispatches, and hands back status and body. */
struct http_test_reply {
    int status;
    char *body;    /* malloc'd, caller frees */
    char *headers; /* "Key: value\n" lines, malloc'd */
};
void http_test_call(struct http_app *app, const char *method, const char *target, const char *body,
                    const char *const *headers, struct http_test_reply *out);

#endif
