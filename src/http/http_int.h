/* http_int.h: state shared inside http/: the application, metrics and static assets. */
#ifndef ACCORD_HTTP_HTTP_INT_H
#define ACCORD_HTTP_HTTP_INT_H

#include "http/http.h"

/* Status codes counted per route; anything else counts as "other". */
#define METRIC_NSTATUS 17
#define METRIC_NBUCKET 12

/* Per-route counters; index http_nroutes counts requests that matched no route. */
struct route_metrics {
    uint64_t by_status[METRIC_NSTATUS + 1];
};

struct http_app {
    struct http_app_config cfg;
    int64_t started_at;
    int64_t started_mono_ns;
    struct route_metrics *routes; /* http_nroutes + 2: no route, static files */
    uint64_t buckets[METRIC_NBUCKET + 1];
    uint64_t latency_ns_sum;
    uint64_t requests;
    char **etags; /* one per embedded web file */
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
