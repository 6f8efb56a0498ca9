/* request_int.h: what the files of the request module share and nobody else needs. */
#ifndef ACCORD_REQUEST_REQUEST_INT_H
#define ACCORD_REQUEST_REQUEST_INT_H

#include "request/request.h"
#include "store/store.h"

struct store;
struct calendar_zones;

/*
 * The terms a request is bound to, and the people they name: its contract and version (with
 * the frozen escalation levels), the service's point person and deputy, the departments'
 * heads and point person, and the engine calendar. The caller calendar_release()s cal.
 */
struct request_binding {
    struct contract contract;
    struct contract_version version;
    int64_t service_point, service_deputy;
    int64_t provider_point, provider_head, consumer_head;
    struct calendar cal;
};

/* Binds to version number of contract c (read as the system). */
int request_bind(struct store *st, struct calendar_zones *zones, const struct contract *c,
                 int number, struct acc_arena *arena, struct request_binding *out,
                 struct acc_err *err);
/* Binds to the version request r was raised under. */
int request_bind_for(struct store *st, struct calendar_zones *zones, const struct request *r,
                     struct acc_arena *arena, struct request_binding *out, struct acc_err *err);

/*
 * Sets r->next_fire_at: the earliest instant a level not yet fired (by the request_escalation
 * rows of r, when r->id is set) or the automatic close is due; 0 when none.
 */
int request_next_fire(struct store *st, const struct request_binding *b, struct request *r,
                      struct acc_err *err);

/*
 * Before a change at now: fires on *r what came due up to now and was not yet swept (the
 * sweeper may lag, or the server has just started), then reads *r again. Nothing to do
 * when r->next_fire_at is later than now.
 */
int request_catch_up_first(struct store *st, struct calendar_zones *zones,
                           const struct org_actor *who, struct request *r, int64_t now,
                           struct acc_arena *arena, struct acc_err *err);

/* Reads request id whatever who may see. */
int request_load(struct store *st, int64_t id, struct acc_arena *arena, struct request *out,
                 struct acc_err *err);
/* Writes the columns of r that change after creation. */
int request_save(struct store *st, const struct request *r, struct acc_err *err);
/* Appends a timeline event (actor_id 0: accord itself). */
int request_event_add(struct store *st, int64_t request_id, int64_t at, int64_t actor_id,
                      const char *kind, const char *detail_json, struct acc_err *err);
/*
 * Queues a notification of type about r for people[0..n) (0s and repeats left out); nothing
 * when who replays history.
 */
int request_outbox_add(struct store *st, const struct org_actor *who, const char *type,
                       const struct request *r, const int64_t *people, int n, int64_t now,
                       struct acc_arena *arena, struct acc_err *err);
/*
 * The same with what happened as a JSON object (NULL: {}): a comment's id and body, a move's
 * reason, the level that fired. The payload is r's fields; who acted is kept. The row is
 * written even without recipients (webhooks want every event), then the hook is told.
 */
int request_outbox_add_detail(struct store *st, const struct org_actor *who, const char *type,
                              const struct request *r, const int64_t *people, int n,
                              const char *detail_json, int64_t now, struct acc_arena *arena,
                              struct acc_err *err);
/* The audit row of a change to a request. */
int request_audit(struct store *st, const struct org_actor *who, const struct request *before,
                  const struct request *after, struct acc_arena *arena, struct acc_err *err);
/* Minutes of a target scaled by a priority's factor (milli), in seconds, rounded up. */
int64_t request_target_secs(int64_t minutes, int64_t factor);

/*
 * Full-text search (request_search.c). The index of migration 0006 differs by backend (FTS5 on
 * SQLite, tsvector and GIN on PostgreSQL), and so does the SQL that reads it: these fragments,
 * joined to the list queries' request r, are all the request module writes of it.
 */
struct request_search_sql {
    const char *join;  /* joins the index to request r as rs */
    const char *key;   /* the request id as the index gives it, in order (a column of rs) */
    const char *match; /* a WHERE term: rs matches the search bound next (the index drives) */
    const char *check; /* a WHERE term: r's document matches the search bound next (r.id IN the
                          documents that match: read once per statement) */
};

/* The SQL of backend (a store_backend() name); NULL for a backend without search. */
const struct request_search_sql *request_search_sql(const char *backend);

/*
 * Turns q (request_filter.q) into backend's query text, appended to out: every word required,
 * quoted so that nothing the person types is syntax; with notes false, in the title and the
 * public comments only. ACC_EINVAL at "/query/q" as request_filter says.
 */
int request_search_query(const char *backend, const char *q, bool notes, struct acc_buf *out,
                         struct acc_err *err);

/* The query request_list() or request_count() runs: SQL text and its bound arguments. */
struct request_query {
    struct acc_buf sql;
    struct store_arg args[48];
    int n;
    bool none;  /* nothing can match (no query to run): sql is empty */
    bool where; /* while building: the WHERE of the current part has begun */
    /* With a search: its text with notes and without (bound as arguments), and its SQL. */
    struct acc_buf search_all, search_public;
    const struct request_search_sql *search;
};

/*
 * Builds the query of request_list() (count false) or request_count() (count true) for who and
 * f into *q, for the store backend named backend (store_backend()), which matters for a
 * search only. The caller request_query_release()s q whatever the result. ACC_EINVAL for a
 * sort by due instant of requests that may be closed (f->open must be 1 or f->status not
 * closed), or for a bad search. Exposed for the test of the query plans.
 */
int request_query_build(const struct org_actor *who, const struct request_filter *f, bool count,
                        const char *backend, struct request_query *q, struct acc_err *err);
void request_query_release(struct request_query *q);

#endif
