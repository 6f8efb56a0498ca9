/* score.h: SPEC 6.1-6.4 and 6.6 as pure arithmetic: measures, scores, the index, roll-ups. */
#ifndef ACCORD_SCORE_SCORE_H
#define ACCORD_SCORE_SCORE_H

#include "contract/contract.h"

/*
 * Numbers and rounding, stated once:
 * - A measure's value is kept exactly as a fraction num/den in the SPEC's unit (minutes,
 *   percent, rating, ratio); value_milli is that fraction in thousandths, rounded half up,
 *   for showing. Scores are computed from the exact fraction, never from value_milli.
 * - Scores, group scores and indices are carried in millionths of a point (SCORE_UNIT per
 *   point, 0 .. 100 * SCORE_UNIT), each rounded half up from the exact value of its own
 *   formula over the millionths it is built from. These are the "unrounded" figures that
 *   roll-ups (SPEC 6.4) use; score_tenths() rounds one half up to the one decimal shown.
 * - All intermediate products are exact (128-bit integers); no floating point is used
 *   except by the correlation of SPEC 6.6, whose result is not a figure anything else adds.
 */
#define SCORE_UNIT      1000000 /* millionths of a point */
#define SCORE_MIN_N     5       /* SPEC 6.2's default min_n */
#define SCORE_MINUTES   5256000 /* a request's business minutes at most (ten years) */
#define SCORE_ITEMS_MAX 1000000 /* requests, ratings or actions of one side in one period */
#define SCORE_MEASURES  12      /* measures of the catalogue (measure_all()) at most */

/* The ratings a side receives (1-5 each); which side rates which is in feedback.h. */
enum score_rating {
    SCORE_QUALITY = 0,
    SCORE_RESPONSIVENESS,
    SCORE_COURTESY,
    SCORE_EMPATHY,
    SCORE_CONFIDENTIALITY,
    SCORE_CLARITY,
    SCORE_RATINGS
};
/* "quality", "responsiveness", ...; the measure of the same name. */
const char *score_rating_name(enum score_rating r);

/* One request resolved in the period, as the side it is measured for sees it. */
struct score_request {
    int64_t minutes;     /* business minutes to resolution on the resolution clock, >= 0 */
    bool response_met;   /* the response clock met its due instant */
    bool resolution_met; /* the resolution clock met its due instant */
    int reopen_count;    /* times reopened */
    bool not_right;      /* marked "not right first time" in the consumer's feedback */
    int missing_info;    /* times sent back to the consumer for missing information */
};

/* What one side of one contract showed in one period: SPEC 6.1's observations. */
struct score_obs {
    const struct score_request *requests; /* resolved in the period, any order */
    size_t n_requests;
    /* Ratings the side received in feedback given in the period: count of each 1..5. */
    int64_t ratings[SCORE_RATINGS][5];
    int64_t feedback_n; /* feedback responses given in the period (the roll-up weight, 6.4) */
    /* Learning (SPEC 8, 9): improvement and development actions due in the period. */
    int64_t actions_due;
    int64_t actions_on_time;
};

/* Adds one rating (1..5) to obs; ACC_EINVAL for anything else. */
int score_obs_rate(struct score_obs *obs, enum score_rating r, int rating, struct acc_err *err);

/* One measure of one side in one period, with its score when it has one. */
struct score_measure {
    const struct measure_def *measure;
    int64_t n;         /* observations: requests, ratings of it, or actions due */
    bool has_value;    /* false: no observation, or a consistency whose median is 0 alone */
    int64_t num, den;  /* the exact value num/den (den > 0) when has_value */
    int64_t value;     /* milli, rounded half up, when has_value */
    bool has_target;   /* the contract's side has an expectation for it */
    int64_t target;    /* milli */
    int64_t weight;    /* milli, inside its group */
    bool insufficient; /* n < min_n: "insufficient data", no score */
    bool scored;       /* has_target, !insufficient and has_value */
    int64_t score;     /* SCORE_UNIT per point, 0 .. 100 * SCORE_UNIT, when scored */
};

/* The index of one side of one contract in one period (SPEC 6.3). */
struct score_index {
    struct score_measure
        measures[SCORE_MEASURES]; /* every measure of the side, in catalogue order */
    int n_measures;
    bool group_in[MEASURE_GROUPS];       /* the side has an expectation in the group */
    bool group_scored[MEASURE_GROUPS];   /* ... and a scored measure of positive weight */
    int64_t group_score[MEASURE_GROUPS]; /* SCORE_UNIT per point, when group_scored */
    bool has_index;                      /* false: "insufficient data" */
    bool partial;                        /* a group of positive weight dropped out */
    int64_t index;                       /* SCORE_UNIT per point, when has_index */
    int64_t n_requests;                  /* requests resolved in the period */
    int64_t n_feedback;                  /* feedback responses given in it */
};

/*
 * Computes every measure of side from obs, and scores and the index from the terms' side:
 * its expectations (targets, weights), group weights and min_n. Measures with no
 * expectation get values but no score. Codes: ACC_OK, ACC_EINVAL (an observation out of
 * range: minutes beyond SCORE_MINUTES, more than SCORE_ITEMS_MAX items, negative counts, a
 * bad min_n), ACC_EBUG never.
 */
int score_index_compute(const struct contract_terms *terms, enum measure_side side,
                        const struct score_obs *obs, struct score_index *out, struct acc_err *err);

/* The measure of out named name, or NULL when it is not one of the side's. */
const struct score_measure *score_index_measure(const struct score_index *ix, const char *name);

/*
 * SPEC 6.2 for one measure: the score of the exact value num/den (den > 0) against target
 * (milli), in SCORE_UNIT per point, rounded half up. Higher-is-better measures scale from
 * their floor (1 for ratings, 0 for percentages); lower-is-better ones score 100 up to the
 * target, then 100 * target / value (a value above a target of 0 scores 0).
 */
int64_t score_of(const struct measure_def *m, int64_t num, int64_t den, int64_t target);

/*
 * The p-th percentile (1..100) of sorted (ascending, n >= 1) by nearest rank: the value at
 * rank ceil(p * n / 100), rank 1 being the smallest.
 */
int64_t score_percentile(const int64_t *sorted, size_t n, int p);

/* Rounds a SCORE_UNIT figure (>= 0) half up to tenths of a point: 87250000 -> 873. */
int64_t score_tenths(int64_t units);
/* Formats a SCORE_UNIT figure of 0 .. 100 points with one decimal ("87.3") into out. */
void score_format(int64_t units, char out[16]);

/* One contract (or service, or department) in a roll-up. */
struct score_rollup_item {
    bool has_index;
    int64_t index;      /* SCORE_UNIT per point, unrounded */
    int64_t n_requests; /* resolved in the period */
    int64_t n_feedback; /* given in the period */
};

struct score_rollup {
    bool has_index;                 /* false: no item with an index and a positive weight */
    int64_t index;                  /* SCORE_UNIT per point, rounded half up */
    int64_t n_requests, n_feedback; /* summed over the items with an index */
    int n_items;                    /* items with an index and a positive weight */
};

/*
 * SPEC 6.4: the mean of the items' indices weighted by their requests resolved, or by
 * their feedback responses for an item with none (a feedback-only contract). Items
 * without an index, or of weight 0, do not count. Codes: ACC_OK, ACC_EINVAL (negative
 * counts, an index out of range, more than SCORE_ITEMS_MAX items).
 */
int score_rollup_compute(const struct score_rollup_item *items, size_t n, struct score_rollup *out,
                         struct acc_err *err);

/* SPEC 6.6: Pearson's correlation of x and y over n pairs. */
struct score_correlation {
    int n;
    bool has_value;  /* false when n < 2 or either series does not vary */
    double r;        /* -1 .. 1 */
    int64_t r_milli; /* r in thousandths, rounded half away from zero */
};
/*
 * Computes it from x and y (any fixed-point scale, |v| <= 1e12) with exact integer sums;
 * only the final square root is floating point. ACC_EINVAL for n < 0, n > 10000 or a value
 * beyond the bound.
 */
int score_correlation_compute(const int64_t *x, const int64_t *y, int n,
                              struct score_correlation *out, struct acc_err *err);

/* --------------------------------------------------------------------------- periods */

enum score_period_kind { SCORE_MONTH = 0, SCORE_QUARTER, SCORE_ROLLING };

/*
 * A period of SPEC 6.1: a calendar month "2026-10", a quarter "2026-Q4", or a rolling
 * window "30d" of 1 .. 366 days ending at the instant given to score_period_bounds().
 */
struct score_period {
    enum score_period_kind kind;
    int year;  /* month and quarter */
    int index; /* month 1..12, quarter 1..4 */
    int days;  /* rolling */
};

/* Parses s; ACC_EINVAL at field otherwise. */
int score_period_parse(const char *s, const char *field, struct score_period *out,
                       struct acc_err *err);
/* The period's instants [from, to) in UTC; a rolling window ends with (includes) now. */
void score_period_bounds(const struct score_period *p, int64_t now, int64_t *from, int64_t *to);
/* The period's name as parsed ("2026-10", "2026-Q4", "30d") into out (at least 16 bytes). */
void score_period_name(const struct score_period *p, char out[16]);

/* ----------------------------------------------------------------------- definitions */

/* SPEC 6.1's formula of a measure in words, for /api/v1/definitions and docs/measures.md. */
const char *score_formula(const struct measure_def *m);
/* How its score is computed, in words. */
const char *score_rule(const struct measure_def *m);
/* The scale floor of a higher-is-better measure, milli (1000 for ratings, else 0). */
int64_t score_floor(const struct measure_def *m);

#endif
