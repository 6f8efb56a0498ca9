/* feedback.h: the ratings each side of a resolved request gives the other (SPEC 2, 4, 6.1). */
#ifndef ACCORD_FEEDBACK_FEEDBACK_H
#define ACCORD_FEEDBACK_FEEDBACK_H

#include "request/request.h"
#include "score/score.h"

struct store;

/* Limits, stated once and enforced by the feedback module. */
#define FEEDBACK_EDIT_DAYS   14 /* feedback can be changed this many days after it was given */
#define FEEDBACK_EDIT_SECS   ((int64_t)FEEDBACK_EDIT_DAYS * 86400)
#define FEEDBACK_COMMENT_MAX 2000 /* bytes */

/*
 * One side's feedback on one request. side is the side RATED: MEASURE_PROVIDER is the
 * consumer's feedback on the provider (quality, responsiveness, courtesy, empathy,
 * confidentiality, not_right), MEASURE_CONSUMER the provider's on the consumer
 * (responsiveness, courtesy, clarity).
 *
 * Who gave it is shown to no one but the rater unless they signed it (SPEC 4): every
 * function below returns rater.id 0 and rater.name NULL otherwise, administrators
 * included (one may belong to the rated side), and writes the audit row of an unsigned
 * change without its actor.
 */
struct feedback {
    int64_t id;
    int64_t request_id;
    int64_t contract_id;
    int version;             /* the contract version the request is bound to */
    struct org_ref provider; /* departments */
    struct org_ref consumer;
    enum measure_side side;
    int ratings[SCORE_RATINGS]; /* 1..5; 0: not given (or not one the side receives) */
    bool not_right;             /* "not right first time" */
    const char *comment;        /* "" when none */
    bool is_signed;
    struct org_ref rater; /* id 0 unless signed or the reader is the rater */
    bool mine;            /* the reader gave it */
    bool editable;        /* the reader may change it now */
    int64_t given_at;     /* places it in its period; never changes */
    int64_t updated_at;
    int64_t editable_until;
};

/* Feedback as given or changed: only fields whose has_ flag is set apply. */
struct feedback_input {
    bool has_rating[SCORE_RATINGS];
    int ratings[SCORE_RATINGS]; /* 1..5, or 0 to clear (PATCH null) */
    bool has_not_right, has_comment, has_signed;
    bool not_right;
    const char *comment;
    bool is_signed;
};

/* Whether side receives rating r: the consumer is never rated on quality, and so on. */
bool feedback_rates(enum measure_side side, enum score_rating r);

/*
 * Gives feedback on request_id at now, in the caller's transaction, audited. The actor's
 * side decides which side is rated: a person of the consumer department rates the
 * provider, one of the provider department the consumer (inside one department, the
 * requester is the consumer, SPEC 2). Codes: ACC_ENOTFOUND (the request does not exist
 * or who may not see it), ACC_EPERM (who is on neither side, e.g. an administrator of a
 * third department), ACC_EINVAL with field (a rating out of 1..5 or one the side does not
 * receive, a comment too long or not UTF-8, nothing given at all), ACC_ECONFLICT (the
 * request is not resolved or closed, or the side gave feedback already), ACC_ESTORE.
 */
int feedback_give(struct store *st, const struct org_actor *who, int64_t request_id,
                  const struct feedback_input *in, int64_t now, struct acc_arena *arena,
                  struct feedback *out, struct acc_err *err);

/*
 * Changes feedback id at now: only its rater, until editable_until (ACC_ECONFLICT after).
 * A signature cannot be withdrawn (ACC_ECONFLICT at "/signed"): the rated side may have
 * seen the name. Codes as feedback_give(), ACC_EPERM for anyone but the rater.
 */
int feedback_update(struct store *st, const struct org_actor *who, int64_t id,
                    const struct feedback_input *in, int64_t now, struct acc_arena *arena,
                    struct feedback *out, struct acc_err *err);

/* Reads feedback id as of now; ACC_ENOTFOUND when who may not see its request. */
int feedback_get(struct store *st, const struct org_actor *who, int64_t id, int64_t now,
                 struct acc_arena *arena, struct feedback *out, struct acc_err *err);

/* Both sides' feedback on request_id (0 to 2 items, provider rated first). */
int feedback_of_request(struct store *st, const struct org_actor *who, int64_t request_id,
                        int64_t now, struct acc_arena *arena, struct feedback **items, int *n,
                        struct acc_err *err);

struct feedback_filter {
    int64_t contract_id; /* 0: any */
    int side;            /* 0: any, else the enum measure_side rated */
    int64_t from, to;    /* given_at in [from, to); both 0: any */
    int64_t after_id;    /* the page after this id */
    int limit;
};

/*
 * Lists, by id, the feedback on requests who may see (their department's as either side;
 * administrators all); *more when more follow.
 */
int feedback_list(struct store *st, const struct org_actor *who, const struct feedback_filter *f,
                  int64_t now, struct acc_arena *arena, struct feedback **items, int *n, bool *more,
                  struct acc_err *err);

/*
 * The hook for "feedback requested" notifications (issue 8), not yet called by anyone:
 * once request.c can call later modules back (a callback registered at start-up, STYLE
 * 1), a resolution calls it in its transaction with the resolved request, and it will
 * write one outbox row per side ("feedback_requested", to the requester and the
 * assignee). Until then it does nothing and returns ACC_OK.
 */
int feedback_request_due(struct store *st, const struct request *r, int64_t now,
                         struct acc_err *err);

#endif
