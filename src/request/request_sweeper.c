/* request_sweeper.c: the sweeper thread: request_sweep() in batches, then sleep until due or poked.
 */
#include "base/acc.h"
#include "base/log.h"
#include "request/request.h"
#include "request/request_sweeper.h"
#include "store/store.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#define NS_PER_SEC 1000000000LL
/*
 * Due instants are whole wall-clock seconds, slept for on the monotonic clock: waking a
 * millisecond into the second keeps a wake from landing a hair before it (the two clocks
 * drift apart by microseconds while NTP slews), which would only find nothing due yet.
 */
#define WAKE_SLACK_NS 1000000LL

struct request_sweeper {
    struct store_pool *pool;
    struct calendar_zones *zones;
    pthread_t thread;
    bool started;

    pthread_mutex_t mu;    /* held only to test and change poked and stopping around cv */
    pthread_cond_t cv;     /* waits on CLOCK_MONOTONIC */
    bool poked;            /* atomic: a poke is pending (read without mu on the poke fast path) */
    bool stopping;         /* atomic: tested between batches without mu */
    int64_t last_sweep_ns; /* monotonic instant the last sweep began; the thread's own */

    struct request_sweeper_stats stats; /* every field atomic */
};

static bool flag(const bool *p)
{
    return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void count(uint64_t *p, uint64_t n)
{
    __atomic_fetch_add(p, n, __ATOMIC_RELAXED);
}

static int64_t real_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/*
 * One write transaction on a leased connection: request_sweep() at now. *levels counts the
 * levels it fired from the timeline: each writes one "escalated" event by accord itself
 * (actor NULL) in this transaction, after the newest event before it; both reads use the
 * primary key. Exact on SQLite, where one writer runs at a time.
 */
static int sweep_batch(struct request_sweeper *sw, int64_t now, int *done, int64_t *next,
                       int64_t *levels, struct acc_err *err)
{
    struct store *st = store_pool_lease(sw->pool);
    int64_t last_event = 0, fired = 0, at = 0;
    int n = 0, rc;

    /*
     * Most wakes (a poke after each committed write) find nothing due: that is answered in a
     * read transaction, so that the sweeper takes the write lock, which the server's writer
     * needs for every batch, only when it has something to fire.
     */
    rc = store_begin(st, false, err);
    if (!rc)
        rc = store_query_int(st,
                             "SELECT COALESCE(MIN(next_fire_at), 0) FROM request WHERE "
                             "next_fire_at IS NOT NULL",
                             NULL, 0, &at, err);
    store_rollback(st);
    if (!rc && (!at || at > now)) {
        store_pool_return(sw->pool, st);
        *done = 0;
        *next = at;
        *levels = 0;
        return ACC_OK;
    }
    if (!rc)
        rc = store_begin(st, true, err);
    if (!rc)
        rc = store_query_int(st, "SELECT COALESCE(MAX(id), 0) FROM request_event", NULL, 0,
                             &last_event, err);
    if (!rc)
        rc = request_sweep(st, sw->zones, now, REQUEST_SWEEPER_BATCH, &n, &at, err);
    if (!rc && n) {
        struct store_arg args[] = {SA_INT(last_event)};

        rc = store_query_int(st,
                             "SELECT COUNT(*) FROM request_event WHERE id > ? AND "
                             "kind = 'escalated' AND actor_id IS NULL",
                             args, 1, &fired, err);
    }
    if (!rc)
        rc = store_commit(st, err);
    else
        store_rollback(st);
    store_pool_return(sw->pool, st);
    if (!rc) {
        *done = n;
        *next = at;
        *levels = fired;
    }
    return rc;
}

/*
 * Runs batches while anything is due; *next gets the next instant (0: none). A batch that was
 * not full yet left something due at its own instant means request_sweep() cannot clear it:
 * that is an error (retried with the back-off), not a reason to spin.
 */
static int sweep_due(struct request_sweeper *sw, int64_t *next, struct acc_err *err)
{
    int64_t t0 = acc_mono_ns(), handled = 0, fired = 0, batches = 0, now, at = 0, levels;
    int done, rc;

    do {
        now = acc_now();
        rc = sweep_batch(sw, now, &done, &at, &levels, err);
        if (rc)
            break;
        batches++;
        handled += done;
        fired += levels;
        count(&sw->stats.sweeps, 1);
        count(&sw->stats.requests, (uint64_t)done);
        count(&sw->stats.levels, (uint64_t)levels);
        __atomic_store_n(&sw->stats.next_at, at, __ATOMIC_RELAXED);
        if (at && at <= now && done < REQUEST_SWEEPER_BATCH)
            rc = acc_fail(err, ACC_EBUG, "", "a request stays due at %lld after a sweep",
                          (long long)at);
    } while (!rc && at && at <= acc_now() && !flag(&sw->stopping));
    if (handled) {
        char ts[21] = "";

        if (at)
            acc_time_format(at, ts);
        acc_log(ACC_LOG_INFO, "escalation sweep", "requests", acc_log_int(handled), "levels",
                acc_log_int(fired), "batches", acc_log_int(batches), "ms",
                acc_log_int((acc_mono_ns() - t0) / 1000000), "next_at", ts, NULL);
    }
    if (!rc)
        *next = at;
    return rc;
}

/* The monotonic instant to wake for the wall-clock instant next (0: none), capped. */
static int64_t wake_for(int64_t next)
{
    int64_t wait = REQUEST_SWEEPER_MAX_SLEEP_SECS * NS_PER_SEC;

    if (next) {
        int64_t until = next * NS_PER_SEC - real_ns() + WAKE_SLACK_NS;

        if (until < wait)
            wait = until > 0 ? until : 0;
    }
    return acc_mono_ns() + wait;
}

/*
 * Sleeps until wake_ns (monotonic), a stop, or, with heed_pokes, a poke; a poke is answered
 * no sooner than REQUEST_SWEEPER_COALESCE_MS after the last sweep began, so that a burst of
 * writes costs one sweep. The pending poke is consumed here, before the sweep that answers
 * it reads anything: a write committed later pokes again.
 */
static void wait_until(struct request_sweeper *sw, int64_t wake_ns, bool heed_pokes)
{
    int64_t coalesce_ns = sw->last_sweep_ns + REQUEST_SWEEPER_COALESCE_MS * 1000000LL;

    pthread_mutex_lock(&sw->mu);
    while (!flag(&sw->stopping)) {
        int64_t until = wake_ns;
        struct timespec ts;

        if (heed_pokes && flag(&sw->poked) && coalesce_ns < until)
            until = coalesce_ns;
        if (acc_mono_ns() >= until)
            break;
        ts.tv_sec = (time_t)(until / NS_PER_SEC);
        ts.tv_nsec = (long)(until % NS_PER_SEC);
        pthread_cond_timedwait(&sw->cv, &sw->mu, &ts);
    }
    __atomic_store_n(&sw->poked, false, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&sw->mu);
}

static void *run(void *arg)
{
    struct request_sweeper *sw = arg;
    int64_t backoff_ns = 0, next = 0, wake_ns;
    struct acc_err err;

    acc_log(ACC_LOG_INFO, "sweeper started", "batch", acc_log_int(REQUEST_SWEEPER_BATCH), NULL);
    while (!flag(&sw->stopping)) {
        sw->last_sweep_ns = acc_mono_ns();
        acc_err_clear(&err);
        if (sweep_due(sw, &next, &err)) {
            backoff_ns = backoff_ns ? backoff_ns * 2 : NS_PER_SEC;
            if (backoff_ns > REQUEST_SWEEPER_BACKOFF_MAX_SECS * NS_PER_SEC)
                backoff_ns = REQUEST_SWEEPER_BACKOFF_MAX_SECS * NS_PER_SEC;
            count(&sw->stats.errors, 1);
            acc_log(ACC_LOG_ERROR, "escalation sweep failed", "code", acc_code_name(err.code),
                    "detail", err.msg, "retry_in_secs", acc_log_int(backoff_ns / NS_PER_SEC), NULL);
            wake_ns = acc_mono_ns() + backoff_ns;
        } else {
            backoff_ns = 0;
            wake_ns = wake_for(next);
        }
        /* While backing off, pokes wait too: a failing database is not retried per write. */
        wait_until(sw, wake_ns, backoff_ns == 0);
    }
    acc_log(ACC_LOG_INFO, "sweeper stopped", NULL);
    return NULL;
}

struct request_sweeper *request_sweeper_new(struct store_pool *pool)
{
    struct request_sweeper *sw = xcalloc(1, sizeof(*sw));
    pthread_condattr_t ca;

    sw->pool = pool;
    pthread_mutex_init(&sw->mu, NULL);
    pthread_condattr_init(&ca);
    /* Back-off and coalescing are intervals: immune to wall-clock steps on this clock. */
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sw->cv, &ca);
    pthread_condattr_destroy(&ca);
    return sw;
}

int request_sweeper_start(struct request_sweeper *sw, struct calendar_zones *zones,
                          struct acc_err *err)
{
    sigset_t stop, old;
    int e;

    if (sw->started)
        return acc_fail(err, ACC_EBUG, "", "the sweeper runs already");
    sw->zones = zones;
    /* The thread inherits the mask: a stop signal must never be delivered to it. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, &old);
    e = pthread_create(&sw->thread, NULL, run, sw);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e)
        return acc_fail(err, ACC_EBUG, "", "cannot start the sweeper thread: %s", strerror(e));
    sw->started = true;
    return ACC_OK;
}

void request_sweeper_poke(struct request_sweeper *sw)
{
    if (!sw || flag(&sw->poked))
        return;
    pthread_mutex_lock(&sw->mu);
    __atomic_store_n(&sw->poked, true, __ATOMIC_SEQ_CST);
    pthread_cond_signal(&sw->cv);
    pthread_mutex_unlock(&sw->mu);
}

void request_sweeper_stats(struct request_sweeper *sw, struct request_sweeper_stats *out)
{
    out->sweeps = __atomic_load_n(&sw->stats.sweeps, __ATOMIC_RELAXED);
    out->errors = __atomic_load_n(&sw->stats.errors, __ATOMIC_RELAXED);
    out->requests = __atomic_load_n(&sw->stats.requests, __ATOMIC_RELAXED);
    out->levels = __atomic_load_n(&sw->stats.levels, __ATOMIC_RELAXED);
    out->next_at = __atomic_load_n(&sw->stats.next_at, __ATOMIC_RELAXED);
}

void request_sweeper_free(struct request_sweeper *sw)
{
    if (!sw)
        return;
    if (sw->started) {
        pthread_mutex_lock(&sw->mu);
        __atomic_store_n(&sw->stopping, true, __ATOMIC_SEQ_CST);
        pthread_cond_signal(&sw->cv);
        pthread_mutex_unlock(&sw->mu);
        pthread_join(sw->thread, NULL);
    }
    pthread_cond_destroy(&sw->cv);
    pthread_mutex_destroy(&sw->mu);
    free(sw);
}
