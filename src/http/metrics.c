/* metrics.c: request counters and latency histogram, and their Prometheus text. */
#include "base/acc.h"
#include "http/http_int.h"
#include "notify/notify.h"
#include "request/request_sweeper.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

const int metric_statuses[METRIC_NSTATUS] = {200, 201, 204, 304, 400, 401, 403, 404, 405,
                                             409, 413, 415, 429, 500, 501, 503, 206};
const double metric_bounds[METRIC_NBUCKET] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                              0.01,   0.025,   0.05,   0.1,   0.5,    1.0};

void http_metrics_count(struct http_app *app, int route_index, int status, int64_t ns)
{
    int s = METRIC_NSTATUS, b = METRIC_NBUCKET;
    double secs = (double)ns / 1e9;

    for (int i = 0; i < METRIC_NSTATUS; i++)
        if (metric_statuses[i] == status)
            s = i;
    for (int i = 0; i < METRIC_NBUCKET; i++) {
        if (secs <= metric_bounds[i]) {
            b = i;
            break;
        }
    }
    __atomic_fetch_add(&app->routes[route_index].by_status[s], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&app->buckets[b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&app->latency_ns_sum, (uint64_t)ns, __ATOMIC_RELAXED);
    __atomic_fetch_add(&app->requests, 1, __ATOMIC_RELAXED);
}

static uint64_t load(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void route_lines(struct acc_buf *b, const char *method, const char *route,
                        const struct route_metrics *m)
{
    for (int s = 0; s <= METRIC_NSTATUS; s++) {
        uint64_t n = load(&m->by_status[s]);
        char code[8];

        if (!n)
            continue;
        snprintf(code, sizeof(code), "%d", s < METRIC_NSTATUS ? metric_statuses[s] : 0);
        acc_buf_addf(b,
                     "accord_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %llu\n",
                     method, route, s < METRIC_NSTATUS ? code : "other", (unsigned long long)n);
    }
}

/* The notification worker's counters, by channel, and the outbox backlog. */
static void notify_lines(struct acc_buf *b)
{
    static const struct {
        const char *name, *help;
        size_t off;
    } counters[] = {
        {"accord_notify_sent_total", "Notifications delivered, by channel.",
         offsetof(struct notify_stats, sent)},
        {"accord_notify_retried_total", "Failed delivery attempts that will be tried again.",
         offsetof(struct notify_stats, retried)},
        {"accord_notify_failed_total",
         "Deliveries parked as failed (attempts used up, or refused).",
         offsetof(struct notify_stats, failed)},
    };
    struct notify_stats s;

    notify_stats_get(&s);
    for (size_t i = 0; i < ACC_ARRAY_LEN(counters); i++) {
        const uint64_t *v = (const uint64_t *)((const char *)&s + counters[i].off);

        acc_buf_addf(b, "# HELP %s %s\n# TYPE %s counter\n", counters[i].name, counters[i].help,
                     counters[i].name);
        for (int c = NOTIFY_EMAIL; c < NOTIFY_CHANNELS; c++)
            acc_buf_addf(b, "%s{channel=\"%s\"} %llu\n", counters[i].name,
                         notify_channel_name((enum notify_channel)c), (unsigned long long)v[c]);
    }
    acc_buf_addf(b,
                 "# HELP accord_notify_events_total Outbox events fanned out into deliveries.\n"
                 "# TYPE accord_notify_events_total counter\naccord_notify_events_total %llu\n"
                 "# HELP accord_notify_backlog Outbox rows pending (events and deliveries), as "
                 "last counted by the worker.\n"
                 "# TYPE accord_notify_backlog gauge\naccord_notify_backlog %lld\n"
                 "# HELP accord_notify_worker_errors_total Worker rounds that failed on the "
                 "database, tried again later.\n"
                 "# TYPE accord_notify_worker_errors_total counter\n"
                 "accord_notify_worker_errors_total %llu\n",
                 (unsigned long long)s.sent[NOTIFY_EVENT], (long long)s.backlog,
                 (unsigned long long)s.errors);
}

char *http_metrics_text(struct http_app *app, size_t *len)
{
    struct store_pool_stats ps;
    struct acc_buf b;
    uint64_t cum = 0;

    acc_buf_init(&b);
    acc_buf_adds(&b, "# HELP accord_http_requests_total HTTP requests by route and status.\n"
                     "# TYPE accord_http_requests_total counter\n");
    for (size_t i = 0; i < http_nroutes; i++)
        route_lines(&b, http_routes[i].method, http_routes[i].pattern, &app->routes[i]);
    route_lines(&b, "*", "(no route)", &app->routes[http_nroutes]);
    route_lines(&b, "GET", "(static)", &app->routes[http_nroutes + 1]);
    acc_buf_adds(&b, "# HELP accord_http_request_duration_seconds Time from a complete request "
                     "to its response.\n# TYPE accord_http_request_duration_seconds histogram\n");
    for (int i = 0; i <= METRIC_NBUCKET; i++) {
        cum += load(&app->buckets[i]);
        if (i < METRIC_NBUCKET)
            acc_buf_addf(&b, "accord_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                         metric_bounds[i], (unsigned long long)cum);
        else
            acc_buf_addf(&b, "accord_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                         (unsigned long long)cum);
    }
    acc_buf_addf(&b, "accord_http_request_duration_seconds_sum %.6f\n",
                 (double)load(&app->latency_ns_sum) / 1e9);
    acc_buf_addf(&b, "accord_http_request_duration_seconds_count %llu\n",
                 (unsigned long long)load(&app->requests));
    store_pool_stats(app->cfg.pool, &ps);
    acc_buf_addf(&b,
                 "# HELP accord_db_pool_connections Database connections in the pool.\n"
                 "# TYPE accord_db_pool_connections gauge\naccord_db_pool_connections %d\n"
                 "# HELP accord_db_pool_in_use Connections leased right now.\n"
                 "# TYPE accord_db_pool_in_use gauge\naccord_db_pool_in_use %d\n"
                 "# HELP accord_db_pool_leases_total Connection leases.\n"
                 "# TYPE accord_db_pool_leases_total counter\naccord_db_pool_leases_total %llu\n"
                 "# HELP accord_db_pool_waits_total Leases that waited for a free connection.\n"
                 "# TYPE accord_db_pool_waits_total counter\naccord_db_pool_waits_total %llu\n",
                 ps.size, ps.in_use, (unsigned long long)ps.leases, (unsigned long long)ps.waits);
    {
        uint64_t hits, misses;

        http_cache_stats(&app->cache, &hits, &misses);
        acc_buf_addf(&b,
                     "# HELP accord_http_cache_hits_total Organisation reads answered from the "
                     "reply cache.\n# TYPE accord_http_cache_hits_total counter\n"
                     "accord_http_cache_hits_total %llu\n"
                     "# HELP accord_http_cache_misses_total Organisation reads built afresh.\n"
                     "# TYPE accord_http_cache_misses_total counter\n"
                     "accord_http_cache_misses_total %llu\n",
                     (unsigned long long)hits, (unsigned long long)misses);
    }
    acc_buf_addf(&b,
                 "# HELP accord_write_batches_total Write transactions of the group commit, "
                 "each with one durable commit.\n"
                 "# TYPE accord_write_batches_total counter\naccord_write_batches_total %llu\n"
                 "# HELP accord_write_batched_total Write requests that went through those "
                 "transactions.\n"
                 "# TYPE accord_write_batched_total counter\naccord_write_batched_total %llu\n",
                 (unsigned long long)load(&app->batches), (unsigned long long)load(&app->batched));
    if (app->cfg.sweeper) {
        struct request_sweeper_stats sw;

        request_sweeper_stats(app->cfg.sweeper, &sw);
        acc_buf_addf(
            &b,
            "# HELP accord_sweeper_sweeps_total Escalation sweep transactions committed.\n"
            "# TYPE accord_sweeper_sweeps_total counter\naccord_sweeper_sweeps_total %llu\n"
            "# HELP accord_sweeper_errors_total Escalation sweeps that failed, retried later.\n"
            "# TYPE accord_sweeper_errors_total counter\naccord_sweeper_errors_total %llu\n"
            "# HELP accord_sweeper_requests_total Requests handled by the escalation sweeper.\n"
            "# TYPE accord_sweeper_requests_total counter\naccord_sweeper_requests_total %llu\n"
            "# HELP accord_sweeper_levels_fired_total Escalation levels fired by the sweeper.\n"
            "# TYPE accord_sweeper_levels_fired_total counter\n"
            "accord_sweeper_levels_fired_total %llu\n"
            "# HELP accord_sweeper_next_due_time_seconds When a level or automatic close is due "
            "next, UTC epoch seconds; 0: nothing.\n"
            "# TYPE accord_sweeper_next_due_time_seconds gauge\n"
            "accord_sweeper_next_due_time_seconds %lld\n",
            (unsigned long long)sw.sweeps, (unsigned long long)sw.errors,
            (unsigned long long)sw.requests, (unsigned long long)sw.levels, (long long)sw.next_at);
    }
    notify_lines(&b);
    acc_buf_addf(&b,
                 "# HELP accord_uptime_seconds Seconds since the server started.\n"
                 "# TYPE accord_uptime_seconds gauge\naccord_uptime_seconds %.3f\n"
                 "# HELP accord_start_time_seconds Start time, UTC epoch seconds.\n"
                 "# TYPE accord_start_time_seconds gauge\naccord_start_time_seconds %lld\n",
                 (double)(acc_mono_ns() - app->started_mono_ns) / 1e9, (long long)app->started_at);
    return acc_buf_detach(&b, len);
}
