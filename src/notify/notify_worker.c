/* notify_worker.c: the delivery thread of `accord serve`: fan out, claim, send, record, sleep. */
#include "base/acc.h"
#include "base/log.h"
#include "notify/notify_int.h"
#include "request/request.h"
#include "store/store.h"

#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NS_PER_SEC 1000000000LL
#define NS_PER_MS  1000000LL
/* Events fanned out per transaction. */
#define FAN_OUT_BATCH 100
/*
 * Outbox writes poke the worker inside their transaction, before it commits. The worker
 * waits POKE_DELAY_MS for the commit, then looks; when it finds nothing yet it looks again
 * after twice as long each time, for up to POKE_GRACE_MS, before it sleeps as before.
 */
#define POKE_DELAY_MS 5
#define POKE_GRACE_MS 2000
/* The backlog gauge is counted at most this often while the worker is busy. */
#define BACKLOG_EVERY_NS NS_PER_SEC
/*
 * After a round that found work but did not fill a batch, the worker lets events gather this
 * long before the next: under a stream of writes that makes one transaction of many events
 * instead of one each, and leaves the write lock to the server's writer meanwhile.
 */
#define GATHER_MS 50
/* After a failed cycle the worker waits 1 s, then twice as long each time, up to this. */
#define ERROR_BACKOFF_MAX_SECS 60

struct notify_worker {
    char *dsn;
    struct notify_config cfg; /* a copy: its strings are the worker's */
    struct store *st;         /* the worker's own connection */
    struct notify_sender *sender;
    pthread_t thread;
    bool started;

    pthread_mutex_t mu; /* held only to test and change poked and stopping around cv */
    pthread_cond_t cv;  /* waits on CLOCK_MONOTONIC */
    bool poked;         /* atomic */
    bool stopping;      /* atomic */

    char instance[17]; /* random, names this worker's claims */
    uint64_t claims;
    int64_t grace_until_ns, grace_step_ns, backlog_at_ns;
};

/* The counters /metrics shows, and the worker that pokes reach. One worker per process. */
static struct notify_stats stats;
static struct notify_worker *running;

static bool flag(const bool *p)
{
    return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void count(uint64_t *p, int64_t n)
{
    if (n > 0)
        __atomic_fetch_add(p, (uint64_t)n, __ATOMIC_RELAXED);
}

void notify_stats_get(struct notify_stats *out)
{
    for (int c = 0; c < NOTIFY_CHANNELS; c++) {
        out->sent[c] = __atomic_load_n(&stats.sent[c], __ATOMIC_RELAXED);
        out->retried[c] = __atomic_load_n(&stats.retried[c], __ATOMIC_RELAXED);
        out->failed[c] = __atomic_load_n(&stats.failed[c], __ATOMIC_RELAXED);
    }
    out->errors = __atomic_load_n(&stats.errors, __ATOMIC_RELAXED);
    out->backlog = __atomic_load_n(&stats.backlog, __ATOMIC_RELAXED);
    out->running = __atomic_load_n(&stats.running, __ATOMIC_RELAXED);
    out->email = __atomic_load_n(&stats.email, __ATOMIC_RELAXED);
}

static void poke(struct notify_worker *w)
{
    if (!w || flag(&w->poked))
        return;
    pthread_mutex_lock(&w->mu);
    __atomic_store_n(&w->poked, true, __ATOMIC_SEQ_CST);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void notify_poke(void)
{
    poke(__atomic_load_n(&running, __ATOMIC_ACQUIRE));
}

/* The request module's outbox writes call this (registered at start). */
static void outbox_hook(void *arg)
{
    (void)arg;
    notify_poke();
}

/* Counts the pending rows for the gauge, at most once per BACKLOG_EVERY_NS. */
static void count_backlog(struct notify_worker *w)
{
    struct acc_err err;
    int64_t n = 0;

    if (w->backlog_at_ns && acc_mono_ns() - w->backlog_at_ns < BACKLOG_EVERY_NS)
        return;
    if (!notify_outbox_backlog(w->st, &n, &err)) {
        __atomic_store_n(&stats.backlog, n, __ATOMIC_RELAXED);
        w->backlog_at_ns = acc_mono_ns();
    }
}

/*
 * Claims a batch of each channel, sends them all at once, records the outcomes. *did says
 * whether anything was claimed.
 */
static int send_batch(struct notify_worker *w, bool *did, bool *full, struct acc_err *err)
{
    struct acc_arena *arena = acc_arena_new();
    struct notify_delivery *all = NULL;
    struct notify_counts c = {0};
    int64_t deadline;
    int n = 0, rc;
    char token[40];

    snprintf(token, sizeof(token), "%s.%llu", w->instance, (unsigned long long)++w->claims);
    rc = notify_outbox_claim(w->st, NOTIFY_BIT(NOTIFY_WEBHOOK) | NOTIFY_BIT(NOTIFY_EMAIL), token,
                             acc_now(), w->cfg.lease_secs, w->cfg.batch, arena, &all, &n, err);
    /* A row claimed and not recorded waits for its lease to run out: at-least-once. */
    if (rc || !n)
        goto out;
    /* Whatever runs past the lease (less a second to record it) is given up. */
    deadline = acc_mono_ns() + ((int64_t)w->cfg.lease_secs - 1) * NS_PER_SEC;
    if (!w->sender)
        rc = notify_sender_new(&w->cfg, &w->sender, err);
    if (rc) {
        for (int i = 0; i < n; i++) {
            all[i].outcome = NOTIFY_RETRY;
            snprintf(all[i].error, sizeof(all[i].error), "%s", err->msg);
        }
        acc_log(ACC_LOG_ERROR, "notifications cannot be sent", "detail", err->msg, NULL);
    } else {
        notify_sender_run(w->sender, all, n, deadline, &w->stopping);
    }
    rc = notify_outbox_finish(w->st, &w->cfg, token, all, n, acc_now(), &c, err);
    for (int ch = 0; !rc && ch < NOTIFY_CHANNELS; ch++) {
        count(&stats.sent[ch], c.sent[ch]);
        count(&stats.retried[ch], c.retried[ch]);
        count(&stats.failed[ch], c.failed[ch]);
    }
    for (int i = 0; !rc && i < n; i++)
        if (all[i].outcome == NOTIFY_RETRY && all[i].attempts < w->cfg.attempts)
            acc_log(ACC_LOG_INFO, "notification will be tried again", "outbox_id",
                    acc_log_int(all[i].id), "channel", notify_channel_name(all[i].channel),
                    "attempts", acc_log_int(all[i].attempts), "error", all[i].error, NULL);
out:
    if (!rc) {
        *did = n > 0;
        *full = n == w->cfg.batch;
    }
    acc_arena_free(arena);
    return rc;
}

/* One round: fan out due events, send one batch. *did: anything happened; *next: next due. */
static int cycle(struct notify_worker *w, bool *did, bool *full, int64_t *next, struct acc_err *err)
{
    int64_t due = 0;
    int n = 0, rc;
    bool sent = false;

    *did = false;
    *full = false;
    rc = notify_outbox_next_due(w->st, &due, err);
    if (rc)
        return rc;
    if (!due || due > acc_now()) {
        *next = due;
        return ACC_OK;
    }
    do {
        rc = notify_outbox_fan_out(w->st, &w->cfg, acc_now(), FAN_OUT_BATCH, &n, err);
        if (!rc && n) {
            *did = true;
            count(&stats.sent[NOTIFY_EVENT], n);
        }
    } while (!rc && n == FAN_OUT_BATCH && !flag(&w->stopping));
    if (!rc)
        rc = send_batch(w, &sent, full, err);
    if (!rc) {
        *did = *did || sent;
        *next = 0;
    }
    count_backlog(w);
    return rc;
}

/*
 * Sleeps until wake_ns (monotonic), a stop, or, with heed_pokes, a poke. A poke is answered
 * POKE_DELAY_MS later (its transaction commits meanwhile) and opens a grace period of quick
 * second looks.
 */
static void wait_until(struct notify_worker *w, int64_t wake_ns, bool heed_pokes)
{
    pthread_mutex_lock(&w->mu);
    while (!flag(&w->stopping)) {
        int64_t until = wake_ns;
        struct timespec ts;

        if (heed_pokes && flag(&w->poked)) {
            int64_t soon = acc_mono_ns() + POKE_DELAY_MS * NS_PER_MS;

            __atomic_store_n(&w->poked, false, __ATOMIC_SEQ_CST);
            w->grace_until_ns = soon + POKE_GRACE_MS * NS_PER_MS;
            w->grace_step_ns = 2 * POKE_DELAY_MS * NS_PER_MS;
            if (soon < wake_ns)
                wake_ns = until = soon;
        }
        if (acc_mono_ns() >= until)
            break;
        ts.tv_sec = (time_t)(until / NS_PER_SEC);
        ts.tv_nsec = (long)(until % NS_PER_SEC);
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    }
    pthread_mutex_unlock(&w->mu);
}

/* The monotonic instant to wake for wall-clock instant next (0: none), capped by the poll. */
static int64_t wake_for(struct notify_worker *w, int64_t next)
{
    int64_t now_ns = acc_mono_ns(), wait = (int64_t)w->cfg.poll_secs * NS_PER_SEC;

    if (next) {
        struct timespec ts;
        int64_t until;

        clock_gettime(CLOCK_REALTIME, &ts);
        until = next * NS_PER_SEC - ((int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec) + NS_PER_MS;
        if (until < wait)
            wait = until > 0 ? until : 0;
    }
    /* Shortly after a poke, look again soon: the poking transaction may not have committed. */
    if (now_ns < w->grace_until_ns && w->grace_step_ns < wait) {
        wait = w->grace_step_ns;
        w->grace_step_ns *= 2;
    }
    return now_ns + wait;
}

static void *run(void *arg)
{
    struct notify_worker *w = arg;
    int64_t backoff_ns = 0, next = 0;
    struct acc_err err;

    acc_log(ACC_LOG_INFO, "notification worker started", "email", w->cfg.smtp_host ? "on" : "off",
            "base_url", w->cfg.base_url, NULL);
    count_backlog(w);
    while (!flag(&w->stopping)) {
        bool did = false, full = false;

        acc_err_clear(&err);
        if (cycle(w, &did, &full, &next, &err)) {
            backoff_ns = backoff_ns ? backoff_ns * 2 : NS_PER_SEC;
            if (backoff_ns > ERROR_BACKOFF_MAX_SECS * NS_PER_SEC)
                backoff_ns = ERROR_BACKOFF_MAX_SECS * NS_PER_SEC;
            count(&stats.errors, 1);
            acc_log(ACC_LOG_ERROR, "notification worker cycle failed", "code",
                    acc_code_name(err.code), "detail", err.msg, "retry_in_secs",
                    acc_log_int(backoff_ns / NS_PER_SEC), NULL);
            /* While backing off, pokes wait too: a failing database is not retried per write. */
            wait_until(w, acc_mono_ns() + backoff_ns, false);
            continue;
        }
        backoff_ns = 0;
        if (did) {
            w->grace_until_ns = 0;
            if (!full) /* else more are due at once */
                wait_until(w, acc_mono_ns() + GATHER_MS * NS_PER_MS, false);
            continue;
        }
        count_backlog(w);
        wait_until(w, wake_for(w, next), true);
    }
    acc_log(ACC_LOG_INFO, "notification worker stopped", NULL);
    return NULL;
}

/* A copy of a string field (NULL stays NULL). */
static char *dup(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

struct notify_worker *notify_worker_new(const char *dsn, const struct notify_config *cfg)
{
    struct notify_worker *w = xcalloc(1, sizeof(*w));
    pthread_condattr_t ca;

    w->dsn = xstrdup(dsn);
    w->cfg = *cfg;
    w->cfg.base_url = dup(cfg->base_url);
    w->cfg.smtp_host = dup(cfg->smtp_host);
    w->cfg.smtp_user = dup(cfg->smtp_user);
    w->cfg.smtp_password = dup(cfg->smtp_password);
    w->cfg.smtp_from = dup(cfg->smtp_from);
    w->cfg.smtp_from_name = dup(cfg->smtp_from_name);
    w->cfg.smtp_ca_file = dup(cfg->smtp_ca_file);
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    return w;
}

int notify_worker_start(struct notify_worker *w, struct acc_err *err)
{
    unsigned char r[8];
    sigset_t stop, old;
    int e, rc;

    if (w->started || __atomic_load_n(&running, __ATOMIC_ACQUIRE))
        return acc_fail(err, ACC_EBUG, "", "the notification worker runs already");
    rc = store_open(w->dsn, &w->st, err);
    if (rc)
        return rc;
    notify_sodium();
    randombytes_buf(r, sizeof(r));
    sodium_bin2hex(w->instance, sizeof(w->instance), r, sizeof(r));
    __atomic_store_n(&stats.email, w->cfg.smtp_host != NULL, __ATOMIC_RELAXED);
    __atomic_store_n(&stats.running, true, __ATOMIC_RELAXED);
    __atomic_store_n(&running, w, __ATOMIC_RELEASE);
    request_outbox_hook_set(outbox_hook, NULL);
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, &old);
    e = pthread_create(&w->thread, NULL, run, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e) {
        request_outbox_hook_set(NULL, NULL);
        __atomic_store_n(&running, NULL, __ATOMIC_RELEASE);
        __atomic_store_n(&stats.running, false, __ATOMIC_RELAXED);
        store_close(w->st);
        w->st = NULL;
        return acc_fail(err, ACC_EBUG, "", "cannot start the notification worker: %s", strerror(e));
    }
    w->started = true;
    return ACC_OK;
}

void notify_worker_free(struct notify_worker *w)
{
    if (!w)
        return;
    if (w->started) {
        request_outbox_hook_set(NULL, NULL);
        __atomic_store_n(&running, NULL, __ATOMIC_RELEASE);
        pthread_mutex_lock(&w->mu);
        __atomic_store_n(&w->stopping, true, __ATOMIC_SEQ_CST);
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
        __atomic_store_n(&stats.running, false, __ATOMIC_RELAXED);
    }
    notify_sender_free(w->sender);
    store_close(w->st);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    notify_config_release(&w->cfg);
    free(w->dsn);
    free(w);
}
