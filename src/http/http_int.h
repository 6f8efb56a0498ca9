/* http_int.h: state shared inside http/: the application, metrics and static assets. */
#ifndef ACCORD_HTTP_HTTP_INT_H
#define ACCORD_HTTP_HTTP_INT_H

#include "http/http.h"

#include <pthread.h>

/* Status codes counted per route; anything else counts as "other". */
#define METRIC_NSTATUS 17
#define METRIC_NBUCKET 12

/* Per-route counters; index http_nroutes counts requests that matched no route. */
struct route_metrics {
    uint64_t by_status[METRIC_NSTATUS + 1];
};

/*
 * Replies of routes flagged ROUTE_CACHED, by path and query, each valid at one revision
 * of the organisation. Owned by the app; its mutex guards every slot.
 */
#define CACHE_SLOTS    64
#define CACHE_BODY_MAX (256 * 1024)

struct reply_cache_slot {
    char *key;
    int64_t revision;
    char *body;
    size_t len;
};

struct reply_cache {
    pthread_mutex_t mu;
    struct reply_cache_slot slots[CACHE_SLOTS];
    unsigned next;
    uint64_t hits, misses;
};

void http_cache_init(struct reply_cache *c);
void http_cache_release(struct reply_cache *c);
/* The cache key of an exchange, in its arena. */
const char *http_cache_key(struct http_ctx *ctx);
/* On a hit, *body is a malloc'd copy. */
bool http_cache_get(struct reply_cache *c, const char *key, int64_t revision, char **body,
                    size_t *len);
void http_cache_put(struct reply_cache *c, const char *key, int64_t revision, const char *body,
                    size_t len);
void http_cache_stats(struct reply_cache *c, uint64_t *hits, uint64_t *misses);

struct http_app {
    struct http_app_config cfg;
    int64_t started_at;
    int64_t started_mono_ns;
    struct route_metrics *routes; /* http_nroutes + 2: no route, static files */
    uint64_t buckets[METRIC_NBUCKET + 1];
    uint64_t latency_ns_sum;
    uint64_t requests;
    char **etags; /* one per embedded web file */
    struct reply_cache cache;
    struct calendar_zones *zones; /* zones of stored calendars, loaded on first use */
    /* Group commit, counted by the thread that runs the batches (one at a time). */
    uint64_t batches;
    uint64_t batched;      /* write exchanges in them */
    struct writer *writer; /* http_serve()'s group-commit writer while it serves, else NULL */
};

extern const int metric_statuses[METRIC_NSTATUS];
extern const double metric_bounds[METRIC_NBUCKET];

/* Counts one finished exchange (thread-safe, atomic). */
void http_metrics_count(struct http_app *app, int route_index, int status, int64_t ns);

/* Serves GET/HEAD of a non-API path: embedded UI, or --web-root. Returns 0. */
int http_static(struct http_ctx *ctx);
/* Computes content-hash ETags of the embedded files. */
void http_static_init(struct http_app *app);

/* Handlers of the operational routes. */
int http_api_healthz(struct http_ctx *ctx);
int http_api_metrics(struct http_ctx *ctx);
int http_api_openapi(struct http_ctx *ctx);

#endif
