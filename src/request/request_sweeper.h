/* request_sweeper.h: the thread of `accord serve` that fires escalation levels when they are due.
 */
#ifndef ACCORD_REQUEST_REQUEST_SWEEPER_H
#define ACCORD_REQUEST_REQUEST_SWEEPER_H

struct store_pool;
struct calendar_zones;
struct request_sweeper;

/* Requests handled per write transaction: each batch commits on its own. */
#define REQUEST_SWEEPER_BATCH 100
/*
 * The longest sleep: the sweeper re-reads the next instant at least this often, so that
 * changes made by another process (the CLI, another server) are seen without a poke.
 */
#define REQUEST_SWEEPER_MAX_SLEEP_SECS 60
/* Pokes closer together than this are answered together: one re-read for a burst of writes. */
#define REQUEST_SWEEPER_COALESCE_MS 100
/* After a failed batch, the sweeper waits 1 s, then twice as long each time, up to this. */
#define REQUEST_SWEEPER_BACKOFF_MAX_SECS 60

/* What the sweeper has done since it started, for /metrics. */
struct request_sweeper_stats {
    uint64_t sweeps;   /* batches committed (a wake with nothing due is one empty batch) */
    uint64_t errors;   /* batches that failed and were rolled back, to be retried */
    uint64_t requests; /* requests handled by committed batches */
    uint64_t levels;   /* escalation levels fired by committed batches */
    int64_t next_at;   /* the next instant anything is due as last read; 0: none or not yet */
};

/*
 * A stopped sweeper that will lease connections from pool (borrowed: it must outlive the
 * sweeper). Owned by the caller, released with request_sweeper_free().
 */
struct request_sweeper *request_sweeper_new(struct store_pool *pool);

/*
 * Starts the thread with the shared time zones (borrowed, thread-safe). It first fires what
 * came due while no server ran (each level recorded with the instant it was due), then
 * sleeps until the next instant read from the request_fire index. The thread blocks SIGINT
 * and SIGTERM, so that they reach the server's sigwait(). ACC_EBUG when the thread cannot be
 * created or the sweeper runs already.
 */
int request_sweeper_start(struct request_sweeper *sw, struct calendar_zones *zones,
                          struct acc_err *err);

/*
 * Tells the sweeper that a committed write may have changed the next instant: it re-reads it
 * within REQUEST_SWEEPER_COALESCE_MS. Never waits for the sweeper's work (the mutex it takes
 * is held only to test and set flags); a no-op when a poke is already pending or sw is NULL.
 */
void request_sweeper_poke(struct request_sweeper *sw);

/* Copies the counters (relaxed atomic reads: each is exact, the set is not a snapshot). */
void request_sweeper_stats(struct request_sweeper *sw, struct request_sweeper_stats *out);

/*
 * Stops the thread after the batch it runs (committed), joins it and frees sw. NULL is a
 * no-op. Call it before the pool and the zones go.
 */
void request_sweeper_free(struct request_sweeper *sw);

#endif
