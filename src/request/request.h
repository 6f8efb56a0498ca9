/* request.h: requests under contracts: lifecycle, clocks, conversation, timeline, escalation. */
#ifndef ACCORD_REQUEST_REQUEST_H
#define ACCORD_REQUEST_REQUEST_H

#include "calendar/calendar.h"
#include "contract/contract.h"

struct store;

/* Limits on input, stated once and enforced by the request module. */
#define REQUEST_TITLE_MAX      200   /* bytes */
#define REQUEST_TEXT_MAX       20000 /* bytes of a description or a comment */
#define REQUEST_REASON_MAX     500   /* bytes of a transition's reason */
#define REQUEST_EXTERNAL_MAX   100   /* bytes of an external reference */
#define REQUEST_AUTOCLOSE_DAYS 5     /* business days after which a resolved request closes */
#define REQUEST_SEARCH_MAX     200   /* bytes of a search (request_filter.q) */
#define REQUEST_SEARCH_WORDS   10    /* words of a search */

enum request_status {
    REQUEST_OPEN = 0,
    REQUEST_IN_PROGRESS,
    REQUEST_WAITING,  /* waiting_on_consumer: the resolution clock is paused */
    REQUEST_RESOLVED, /* the resolution clock stopped; the consumer accepts or reopens */
    REQUEST_REOPENED,
    REQUEST_CLOSED
};
#define REQUEST_STATUSES 6
const char *request_status_name(enum request_status s);
int request_status_parse(const char *s, enum request_status *out);

/* Why a request waits on its consumer: "missing information" feeds completeness. */
enum request_wait_reason { REQUEST_WAIT_OTHER = 0, REQUEST_WAIT_MISSING_INFO };

/* The state of one request's clocks, as stored (times UTC, business time in seconds). */
struct request_clocks {
    int64_t created_at;
    int64_t response_target_secs;
    int64_t response_due_at;
    int64_t responded_at; /* 0: running */
    int response_met;     /* -1 running, 0 missed, 1 met */
    int64_t resolution_target_secs;
    int64_t resolution_due_at;
    int64_t paused_secs;  /* business time of ended pauses */
    int64_t paused_since; /* 0: not paused */
    int64_t resolved_at;  /* 0: not resolved (or reopened since) */
    int64_t resolution_secs;
    int resolution_met; /* -1 running, 0 missed, 1 met */
};

struct request {
    int64_t id;
    int64_t contract_id;
    int64_t version_id;
    int version_number;
    int64_t calendar_id;       /* the bound version's calendar */
    const char *calendar_name; /* its name and IANA zone, as stored */
    const char *calendar_zone;
    struct org_ref service;
    struct org_ref provider; /* departments */
    struct org_ref consumer;
    const char *title;
    const char *description;
    const char *priority; /* NULL: the contract has no priorities */
    int64_t priority_factor;
    const char *external_ref;
    struct org_ref requester;
    struct org_ref assignee;
    enum request_status status;
    struct request_clocks clocks;
    int64_t closed_at;
    int reopen_count;
    int missing_info_count;
    int64_t next_fire_at;
    bool imported;
    int64_t created_at;
    int64_t updated_at;
};

/* ---------------------------------------------------------------------- pure rules */

/* Which side of a request an actor stands on. */
enum request_side {
    REQUEST_THIRD = 0, /* neither side: sees nothing */
    REQUEST_PROVIDER,
    REQUEST_CONSUMER,
    REQUEST_SYSTEM /* accord itself: the sweeper's automatic close */
};

/*
 * The side who stands on: the provider's or consumer's department, or neither. An
 * administrator counts as the provider (may work any request) unless they belong to the
 * consumer department. Inside one department (a contract between two named people) the
 * requester is the consumer and everyone else there the provider.
 */
enum request_side request_side_of(const struct request *r, const struct org_actor *who);
/* Whether who may see r at all (SPEC 4): either side's department, or an administrator. */
bool request_may_see(const struct request *r, const struct org_actor *who);

/*
 * Whether a move from -> to is one of the lifecycle, and whether side may make it:
 *   provider: open|reopened -> in_progress; open|in_progress|reopened -> waiting_on_consumer;
 *             waiting_on_consumer -> in_progress (resume); open|in_progress|reopened|
 *             waiting_on_consumer -> resolved
 *   consumer: waiting_on_consumer -> in_progress (answer); resolved -> closed (accept);
 *             resolved -> reopened
 *   system:   resolved -> closed (after REQUEST_AUTOCLOSE_DAYS business days)
 * ACC_ECONFLICT for a move that does not exist from this status, ACC_EPERM for one the
 * side may not make; the message says what would be allowed.
 */
int request_move_check(enum request_status from, enum request_status to, enum request_side side,
                       struct acc_err *err);

/* What an actor may do to a request now, by the rules the functions below enforce. */
struct request_may {
    unsigned moves;     /* bit 1u << status for each status request_move() would accept */
    bool comment;       /* request_comment_add(), public */
    bool internal_note; /* request_comment_add(), internal */
    bool escalate;      /* request_escalate(), as far as side and status go: it still needs a
                           level of the policy that has not fired (ACC_ECONFLICT otherwise) */
    bool reassign;      /* request_assign() */
};
/*
 * Fills *out for who and r: every move request_move_check() allows who's side from r's status
 * (the system, person_id 0, moves as itself), comments on a request not closed (internal notes
 * for the provider side), a manual escalation for the consumer side of a request not resolved
 * or closed, a reassignment for an administrator or the provider's head or point people. A
 * third department may do nothing.
 */
void request_may_of(const struct request *r, const struct org_actor *who, struct request_may *out);

/*
 * Clock arithmetic on the engine's calendar (request_clock.c). request_clocks_start()
 * fills the clocks of a request raised at created_at with the targets (minutes of the
 * contract times the priority's factor, in seconds).
 */
int request_clocks_start(const struct calendar *cal, int64_t created_at, int64_t response_secs,
                         int64_t resolution_secs, struct request_clocks *out, struct acc_err *err);
/* The response clock stops at now (the provider's first public answer or move). */
void request_clocks_respond(struct request_clocks *c, int64_t now);
/* The resolution clock pauses at now (waiting on the consumer, or resolved). */
void request_clocks_pause(struct request_clocks *c, int64_t now);
/* It resumes at now: the pause's business time moves the due instant. */
int request_clocks_resume(const struct calendar *cal, struct request_clocks *c, int64_t now,
                          struct acc_err *err);
/* It stops at now (resolved): measures business time to resolution, met or missed. */
int request_clocks_resolve(const struct calendar *cal, struct request_clocks *c, int64_t now,
                           struct acc_err *err);
/* Recomputes the running clocks' due instants on another calendar (a calendar change). */
int request_clocks_recompute(const struct calendar *cal, struct request_clocks *c,
                             struct acc_err *err);
/*
 * The instant from which a request with clocks c counts as breached, 0 when it does not as
 * things stand (stored as request.breach_at): the due instant of a clock that missed, of a
 * running response clock, or of a running resolution clock that is not paused; the earliest
 * of them. A request is breached at now when 0 < breach_at < now: exactly SPEC 3's "a clock
 * missed, or running past its due instant" for any now at or after the clocks' last change
 * (a clock that missed stopped after its due instant).
 */
int64_t request_breach_at(const struct request_clocks *c);

/*
 * When a request resolved at resolved_at closes itself: REQUEST_AUTOCLOSE_DAYS business
 * days later, a business day being the calendar's mean opening time per open weekday
 * (8 hours for 09:00-17:00 on weekdays, 24 hours for 24x7).
 */
int request_autoclose_at(const struct calendar *cal, int64_t resolved_at, int64_t *out_at,
                         struct acc_err *err);

/*
 * The instant a level of clock at percent of its target fires, or 0 when it never will
 * from the clocks' state (the clock stopped, or is paused for the resolution clock).
 */
int request_level_due(const struct calendar *cal, const struct request_clocks *c,
                      enum contract_clock clock, int percent, int64_t *out_at, struct acc_err *err);

/* ------------------------------------------------------------------ stored requests */

struct calendar_zones;

/* A new request. */
struct request_input {
    int64_t contract_id;
    const char *title;
    const char *description;  /* may be NULL: "" */
    const char *priority;     /* NULL: the contract's default priority, if it has any */
    const char *external_ref; /* NULL: none; unique per contract */
};

/*
 * Raises a request at now under contract_id's active version, bound to it for good, and
 * assigns it to the service's point person (the deputy when the point person is inactive,
 * else the provider department's point person). who must be a person of the consumer
 * department (ACC_EPERM otherwise). Writes the timeline, the audit row and an outbox row
 * for the assignee in the caller's transaction. ACC_EINVAL with the field for bad input,
 * ACC_ECONFLICT when the contract has no active version or the external reference exists.
 */
int request_create(struct store *st, struct calendar_zones *zones, const struct org_actor *who,
                   const struct request_input *in, int64_t now, struct acc_arena *arena,
                   struct request *out, struct acc_err *err);

/*
 * request_create() for history (an import): raises the request at now under version number
 * version of the contract, which must have been in force at now (activated then, not yet
 * superseded or retired; ACC_ECONFLICT at "/version" otherwise), whatever version is active
 * today. version 0 means the active version: that is request_create().
 */
int request_create_at(struct store *st, struct calendar_zones *zones, const struct org_actor *who,
                      const struct request_input *in, int version, int64_t now,
                      struct acc_arena *arena, struct request *out, struct acc_err *err);

/* Reads request id; ACC_ENOTFOUND when it does not exist or who may not see it. */
int request_get(struct store *st, const struct org_actor *who, int64_t id, struct acc_arena *arena,
                struct request *out, struct acc_err *err);

/* The orders of request lists. */
enum request_sort {
    REQUEST_SORT_ID = 0, /* by id */
    REQUEST_SORT_DUE     /* by resolution due instant, then id: the queue */
};

struct request_filter {
    int status;          /* -1: any */
    int open;            /* -1 any, 1 not closed (resolved included), 0 closed */
    int64_t provider_id; /* departments; 0: any */
    int64_t consumer_id;
    int64_t service_id;
    int64_t contract_id;
    int64_t assignee_id;
    int breached;                   /* -1 any, 1 a clock missed or overdue at now, 0 neither */
    int64_t due_before;             /* 0: any; resolution due before */
    int64_t raised_from, raised_to; /* 0: any; created_at in [from, to) */
    int64_t now;                    /* for breached */
    enum request_sort sort;
    int64_t after_id;  /* 0: the first page; else the page after this request, in sort order */
    int64_t after_due; /* with REQUEST_SORT_DUE and after_id: that request's resolution due */
    int limit;
    /*
     * NULL: no search. Else words as a person types them, each of which a request must have
     * in its title or comments, or in its internal notes where who is on the provider side
     * (a consumer never finds a request by the words of a note). A word matches whole words
     * (case and, on SQLite, diacritics aside); a word with punctuation inside ("e-mail",
     * "INV-2024-7") matches its parts in a row; the last word also matches as a prefix (3
     * characters at least) unless q ends in a space. With q, REQUEST_SORT_ID lists newest
     * first (id descending, after_id the last id of the previous page). ACC_EINVAL at
     * "/query/q" when q has no word, more than REQUEST_SEARCH_WORDS words or bytes beyond
     * REQUEST_SEARCH_MAX, or is not UTF-8.
     */
    const char *q;
};

/*
 * Lists the requests who may see, in f->sort order, with the filter; *more when more follow.
 * The query is built from the filters given and runs on an index whatever they are (the
 * choice, and the plans, are described in docs/operating.md).
 */
int request_list(struct store *st, const struct org_actor *who, const struct request_filter *f,
                 struct acc_arena *arena, struct request **items, int *n, bool *more,
                 struct acc_err *err);
/* Counts what request_list() would list without the page. */
int request_count(struct store *st, const struct org_actor *who, const struct request_filter *f,
                  int64_t *out, struct acc_err *err);

/*
 * Moves request id to status to at now (request_move_check() decides). A move to
 * waiting_on_consumer needs a reason, and wait_reason says whether it is missing
 * information; a reopening needs a reason. The clocks stop, pause and resume as SPEC 3
 * says; the timeline, the audit log and the outbox get their rows.
 */
int request_move(struct store *st, struct calendar_zones *zones, const struct org_actor *who,
                 int64_t id, enum request_status to, const char *reason,
                 enum request_wait_reason wait_reason, int64_t now, struct acc_arena *arena,
                 struct request *out, struct acc_err *err);

/* Gives request id to person assignee_id of the provider department (its head or a point
 * person of it, or an administrator, may). */
int request_assign(struct store *st, const struct org_actor *who, int64_t id, int64_t assignee_id,
                   int64_t now, struct acc_arena *arena, struct request *out, struct acc_err *err);

struct request_comment {
    int64_t id;
    int64_t request_id;
    struct org_ref author;
    bool internal;
    const char *body;
    int64_t created_at;
};

/*
 * Adds a public comment, or an internal note (provider side only). A provider's first
 * public comment stops the response clock.
 */
int request_comment_add(struct store *st, struct calendar_zones *zones, const struct org_actor *who,
                        int64_t id, const char *body, bool internal, int64_t now,
                        struct acc_arena *arena, struct request_comment *out, struct acc_err *err);
/* The conversation who may read: internal notes only for the provider side. */
int request_comment_list(struct store *st, const struct org_actor *who, int64_t id,
                         int64_t after_id, int limit, struct acc_arena *arena,
                         struct request_comment **items, int *n, bool *more, struct acc_err *err);

struct request_event {
    int64_t id;
    int64_t at;
    struct org_ref actor; /* id 0: accord itself */
    const char *kind;
    const char *detail_json;
};

int request_event_list(struct store *st, const struct org_actor *who, int64_t id, int64_t after_id,
                       int limit, struct acc_arena *arena, struct request_event **items, int *n,
                       bool *more, struct acc_err *err);

/*
 * The consumer escalates by hand: the next level not yet fired (in the order of the
 * policy) fires now. ACC_ECONFLICT when none is left or the request is resolved or closed.
 */
int request_escalate(struct store *st, struct calendar_zones *zones, const struct org_actor *who,
                     int64_t id, int64_t now, struct acc_arena *arena, struct request *out,
                     struct acc_err *err);

/*
 * Calendar calendar_id changed (hours, zone or holidays): the running clocks of every
 * request not closed whose version uses it get their due instants again on the new
 * calendar, with a "due_changed" timeline event where an instant moved; stopped clocks keep
 * what they measured. *changed (may be NULL) gets the number of requests that moved.
 */
int request_calendar_changed(struct store *st, struct calendar_zones *zones, int64_t calendar_id,
                             int64_t now, int64_t *changed, struct acc_err *err);

/*
 * Fires what is due on request id at now: its escalation levels in the order of the instants
 * they were due (each recorded with that instant), then the automatic close. With replay
 * (an import catching up with history) nothing is notified.
 */
int request_catch_up(struct store *st, struct calendar_zones *zones, int64_t id, int64_t now,
                     bool replay, struct acc_arena *arena, struct acc_err *err);

/*
 * Fires what is due at now on up to limit requests whose next_fire_at <= now: escalation
 * levels (recorded with the instant they were due) and automatic closes. A request whose
 * catch-up fails is rolled back to a savepoint, logged, skipped and tried again 5 minutes
 * later, so that it cannot hold up the others. *done gets how many requests were handled
 * (skipped ones included), *next the next instant anything is due (0: none).
 */
int request_sweep(struct store *st, struct calendar_zones *zones, int64_t now, int limit, int *done,
                  int64_t *next, struct acc_err *err);

/*
 * Called with arg after each outbox row is written, inside the writing transaction (so the row
 * may not be visible yet): the notification worker registers one at start-up to wake up.
 * NULL fn removes it. Setting is atomic; a hook removed may still run once in a write that
 * began before.
 */
typedef void request_outbox_hook_fn(void *arg);
void request_outbox_hook_set(request_outbox_hook_fn *fn, void *arg);

#endif
