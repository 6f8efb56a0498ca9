/* score.c: SPEC 6.1-6.4 and 6.6 in exact integer arithmetic: no SQL, no I/O. */
#include "base/acc.h"
#include "score/score.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef __int128 wide; /* products of counts, weights and SCORE_UNIT overflow 64 bits */

#define HUNDRED ((wide)100 * SCORE_UNIT) /* a score of 100 in SCORE_UNIT */

static const char *const rating_names[SCORE_RATINGS] = {"quality", "responsiveness",  "courtesy",
                                                        "empathy", "confidentiality", "clarity"};

const char *score_rating_name(enum score_rating r)
{
    return (unsigned)r < SCORE_RATINGS ? rating_names[r] : "quality";
}

/* num / den rounded half up, for num >= 0 and den > 0. */
static wide div_half_up(wide num, wide den)
{
    return (2 * num + den) / (2 * den);
}

int score_obs_rate(struct score_obs *obs, enum score_rating r, int rating, struct acc_err *err)
{
    if ((unsigned)r >= SCORE_RATINGS)
        return acc_fail(err, ACC_EINVAL, "", "no such rating");
    if (rating < 1 || rating > 5)
        return acc_fail(err, ACC_EINVAL, "", "a rating of %s must be 1 to 5", rating_names[r]);
    obs->ratings[r][rating - 1]++;
    return ACC_OK;
}

int64_t score_percentile(const int64_t *sorted, size_t n, int p)
{
    /* Nearest rank: the smallest value with at least p % of the values at or below it. */
    size_t rank = (size_t)(((wide)p * (wide)n + 99) / 100);

    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

int64_t score_floor(const struct measure_def *m)
{
    return m->kind == MEASURE_RATING ? MEASURE_MILLI : 0;
}

int64_t score_of(const struct measure_def *m, int64_t num, int64_t den, int64_t target)
{
    if (m->higher_is_better) {
        int64_t f = score_floor(m);
        /* (value - f) / (target - f), with value = num / den and f, target in milli */
        wide over = (wide)num * MEASURE_MILLI - (wide)f * den;
        wide span = (wide)den * (target - f);

        if (target <= f) /* a target at its floor: 100 when the value reaches it, else 0 */
            return over >= 0 ? (int64_t)HUNDRED : 0;
        if (over <= 0)
            return 0;
        if (over >= span)
            return (int64_t)HUNDRED;
        return (int64_t)div_half_up(HUNDRED * over, span);
    }
    /* Lower is better: 100 up to the target, then 100 * target / value. */
    if ((wide)num * MEASURE_MILLI <= (wide)target * den)
        return (int64_t)HUNDRED;
    return (int64_t)div_half_up(HUNDRED * target * den, (wide)num * MEASURE_MILLI);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* The request measures' exact fractions; minutes sorted on the way. */
struct request_facts {
    int64_t n, met, right, complete;
    int64_t p50, p90;
};

static int request_facts(const struct score_obs *obs, struct request_facts *out,
                         struct acc_err *err)
{
    int64_t *minutes;

    memset(out, 0, sizeof(*out));
    if (obs->n_requests > SCORE_ITEMS_MAX)
        return acc_fail(err, ACC_EINVAL, "", "more than %d requests in one period",
                        SCORE_ITEMS_MAX);
    if (obs->n_requests == 0)
        return ACC_OK;
    minutes = xmalloc(obs->n_requests * sizeof(*minutes));
    for (size_t i = 0; i < obs->n_requests; i++) {
        const struct score_request *r = &obs->requests[i];

        if (r->minutes < 0 || r->minutes > SCORE_MINUTES || r->reopen_count < 0 ||
            r->missing_info < 0) {
            free(minutes);
            return acc_fail(err, ACC_EINVAL, "", "request %zu of the period is out of range", i);
        }
        minutes[i] = r->minutes;
        out->met += r->response_met && r->resolution_met;
        out->right += r->reopen_count == 0 && !r->not_right;
        out->complete += r->missing_info == 0;
    }
    qsort(minutes, obs->n_requests, sizeof(*minutes), cmp_i64);
    out->n = (int64_t)obs->n_requests;
    out->p50 = score_percentile(minutes, obs->n_requests, 50);
    out->p90 = score_percentile(minutes, obs->n_requests, 90);
    free(minutes);
    return ACC_OK;
}

/* The rating a measure is fed by, or -1. */
static int rating_of(const struct measure_def *m)
{
    for (int r = 0; r < SCORE_RATINGS; r++)
        if (strcmp(m->name, rating_names[r]) == 0)
            return r;
    return -1;
}

static void set_value(struct score_measure *sm, int64_t num, int64_t den)
{
    sm->has_value = true;
    sm->num = num;
    sm->den = den;
    sm->value = (int64_t)div_half_up((wide)num * MEASURE_MILLI, den);
}

/* Fills n and the value of one measure from the facts (SPEC 6.1). */
static int measure_value(const struct score_obs *obs, const struct request_facts *rf,
                         struct score_measure *sm, struct acc_err *err)
{
    const char *name = sm->measure->name;
    int r = rating_of(sm->measure);

    if (r >= 0) {
        int64_t n = 0, sum = 0;

        for (int v = 1; v <= 5; v++) {
            int64_t c = obs->ratings[r][v - 1];

            if (c < 0 || c > SCORE_ITEMS_MAX)
                return acc_fail(err, ACC_EINVAL, "", "a count of %s ratings is out of range", name);
            n += c;
            sum += c * v;
        }
        if (n > SCORE_ITEMS_MAX)
            return acc_fail(err, ACC_EINVAL, "", "more than %d %s ratings", SCORE_ITEMS_MAX, name);
        sm->n = n;
        if (n) /* the mean rating */
            set_value(sm, sum, n);
        return ACC_OK;
    }
    if (strcmp(name, "learning") == 0) {
        if (obs->actions_due < 0 || obs->actions_due > SCORE_ITEMS_MAX ||
            obs->actions_on_time < 0 || obs->actions_on_time > obs->actions_due)
            return acc_fail(err, ACC_EINVAL, "", "the actions of the period are out of range");
        sm->n = obs->actions_due;
        if (sm->n) /* % of actions due completed on time */
            set_value(sm, 100 * obs->actions_on_time, sm->n);
        return ACC_OK;
    }
    sm->n = rf->n;
    if (!rf->n)
        return ACC_OK;
    if (strcmp(name, "speed") == 0) /* median business minutes */
        set_value(sm, rf->p50, 1);
    else if (strcmp(name, "reliability") == 0) /* % with both clocks met */
        set_value(sm, 100 * rf->met, rf->n);
    else if (strcmp(name, "accuracy") == 0) /* % not reopened and not marked "not right" */
        set_value(sm, 100 * rf->right, rf->n);
    else if (strcmp(name, "completeness") == 0) /* % not sent back for missing information */
        set_value(sm, 100 * rf->complete, rf->n);
    else if (strcmp(name, "consistency") == 0) {
        /* p90 / p50; a median of 0 gives 1.0 when p90 is 0 too, and no value otherwise. */
        if (rf->p50 > 0)
            set_value(sm, rf->p90, rf->p50);
        else if (rf->p90 == 0)
            set_value(sm, 1, 1);
    } else {
        ACC_BUG("a measure without a formula");
    }
    return ACC_OK;
}

/*
 * SPEC 6.3 over the scored measures: inside each group the mean weighted by the measure
 * weights of its scored measures, then the mean of those group means weighted by the
 * group weights of the groups that have one. Both renormalise by dividing by the weights
 * present, and the whole is one exact fraction rounded once.
 */
static void index_compute(const struct contract_terms *terms, struct score_index *ix)
{
    wide gnum[MEASURE_GROUPS] = {0}, gden[MEASURE_GROUPS] = {0}, num = 0, den = 1, wsum = 0;

    for (int i = 0; i < ix->n_measures; i++) {
        const struct score_measure *sm = &ix->measures[i];

        if (!sm->scored)
            continue;
        gnum[sm->measure->group] += (wide)sm->weight * sm->score;
        gden[sm->measure->group] += sm->weight;
    }
    for (int g = 0; g < MEASURE_GROUPS; g++) {
        /* A group whose scored measures all weigh 0 has no mean: it drops out too. */
        ix->group_scored[g] = ix->group_in[g] && gden[g] > 0;
        if (ix->group_scored[g])
            ix->group_score[g] = (int64_t)div_half_up(gnum[g], gden[g]);
        else if (ix->group_in[g] && terms->weights[g] > 0)
            ix->partial = true;
    }
    /* sum_g W_g * gnum_g / gden_g over a common denominator: the product of the gden_g. */
    for (int g = 0; g < MEASURE_GROUPS; g++) {
        if (!ix->group_scored[g] || terms->weights[g] == 0)
            continue;
        num = num * gden[g] + (wide)terms->weights[g] * gnum[g] * den;
        den *= gden[g];
        wsum += terms->weights[g];
    }
    if (wsum == 0) {
        ix->partial = false; /* no index at all: "insufficient data", not a partial one */
        return;
    }
    ix->has_index = true;
    ix->index = (int64_t)div_half_up(num, den * wsum);
}

int score_index_compute(const struct contract_terms *terms, enum measure_side side,
                        const struct score_obs *obs, struct score_index *out, struct acc_err *err)
{
    struct request_facts rf;
    size_t n_all;
    const struct measure_def *all = measure_all(&n_all);
    struct score_index ix;
    int rc;

    if (terms->min_n < 1 || terms->min_n > CONTRACT_MIN_N_MAX)
        return acc_fail(err, ACC_EINVAL, "/min_n", "min_n must be 1 to %d", CONTRACT_MIN_N_MAX);
    if (obs->feedback_n < 0 || obs->feedback_n > SCORE_ITEMS_MAX)
        return acc_fail(err, ACC_EINVAL, "", "the feedback count is out of range");
    if (n_all > SCORE_MEASURES)
        ACC_BUG("more measures than SCORE_MEASURES");
    rc = request_facts(obs, &rf, err);
    if (rc)
        return rc;
    memset(&ix, 0, sizeof(ix));
    ix.n_requests = rf.n;
    ix.n_feedback = obs->feedback_n;
    for (size_t i = 0; i < n_all; i++) {
        struct score_measure *sm;

        if (!(all[i].sides & side))
            continue;
        sm = &ix.measures[ix.n_measures++];
        sm->measure = &all[i];
        rc = measure_value(obs, &rf, sm, err);
        if (rc)
            return rc;
        for (int e = 0; e < terms->n_expectations; e++) {
            const struct contract_expectation *x = &terms->expectations[e];

            if (x->side == side && x->measure == sm->measure) {
                sm->has_target = true;
                sm->target = x->target;
                sm->weight = x->weight;
                ix.group_in[sm->measure->group] = true;
            }
        }
        sm->insufficient = sm->n < terms->min_n;
        sm->scored = sm->has_target && !sm->insufficient && sm->has_value;
        if (sm->scored)
            sm->score = score_of(sm->measure, sm->num, sm->den, sm->target);
    }
    index_compute(terms, &ix);
    *out = ix;
    return ACC_OK;
}

const struct score_measure *score_index_measure(const struct score_index *ix, const char *name)
{
    for (int i = 0; i < ix->n_measures; i++)
        if (strcmp(ix->measures[i].measure->name, name) == 0)
            return &ix->measures[i];
    return NULL;
}

int64_t score_tenths(int64_t units)
{
    return (int64_t)div_half_up(units, SCORE_UNIT / 10);
}

void score_format(int64_t units, char out[16])
{
    /* Scores and indices lie in 0 .. 100 points; anything else is shown at the nearer end. */
    int t = units <= 0 ? 0 : units >= 100 * SCORE_UNIT ? 1000 : (int)score_tenths(units);

    snprintf(out, 16, "%d.%d", t / 10, t % 10);
}

int score_rollup_compute(const struct score_rollup_item *items, size_t n, struct score_rollup *out,
                         struct acc_err *err)
{
    struct score_rollup r = {0};
    wide num = 0, den = 0;

    if (n > SCORE_ITEMS_MAX)
        return acc_fail(err, ACC_EINVAL, "", "more than %d items in one roll-up", SCORE_ITEMS_MAX);
    for (size_t i = 0; i < n; i++) {
        const struct score_rollup_item *it = &items[i];
        int64_t w;

        if (it->n_requests < 0 || it->n_feedback < 0 || it->n_requests > SCORE_ITEMS_MAX ||
            it->n_feedback > SCORE_ITEMS_MAX ||
            (it->has_index && (it->index < 0 || it->index > 100 * SCORE_UNIT)))
            return acc_fail(err, ACC_EINVAL, "", "roll-up item %zu is out of range", i);
        if (!it->has_index)
            continue;
        /* Weighted by requests resolved; a feedback-only item by its feedback responses. */
        w = it->n_requests > 0 ? it->n_requests : it->n_feedback;
        if (w == 0)
            continue;
        num += (wide)w * it->index;
        den += w;
        r.n_requests += it->n_requests;
        r.n_feedback += it->n_feedback;
        r.n_items++;
    }
    if (den > 0) {
        r.has_index = true;
        r.index = (int64_t)div_half_up(num, den);
    }
    *out = r;
    return ACC_OK;
}

int score_correlation_compute(const int64_t *x, const int64_t *y, int n,
                              struct score_correlation *out, struct acc_err *err)
{
    /* |v| <= 1e12 and n <= 1e4 keep n * sum(v * v) below 1e32, inside 128 bits. */
    const int64_t bound = INT64_C(1000000000000);
    wide sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, cxx, cyy, cxy;
    struct score_correlation c = {0};
    long double r;

    if (n < 0 || n > 10000)
        return acc_fail(err, ACC_EINVAL, "", "a correlation takes 0 to 10000 pairs");
    for (int i = 0; i < n; i++) {
        if (x[i] < -bound || x[i] > bound || y[i] < -bound || y[i] > bound)
            return acc_fail(err, ACC_EINVAL, "", "pair %d is out of range", i);
        sx += x[i];
        sy += y[i];
        sxx += (wide)x[i] * x[i];
        syy += (wide)y[i] * y[i];
        sxy += (wide)x[i] * y[i];
    }
    c.n = n;
    /* n^2 times the (co)variances, exactly. */
    cxx = n * sxx - sx * sx;
    cyy = n * syy - sy * sy;
    cxy = n * sxy - sx * sy;
    if (n >= 2 && cxx > 0 && cyy > 0) {
        r = (long double)cxy / (sqrtl((long double)cxx) * sqrtl((long double)cyy));
        if (r > 1)
            r = 1;
        if (r < -1)
            r = -1;
        c.has_value = true;
        c.r = (double)r;
        c.r_milli = (int64_t)(r < 0 ? -floorl(-r * 1000 + 0.5L) : floorl(r * 1000 + 0.5L));
    }
    *out = c;
    return ACC_OK;
}

/* ------------------------------------------------------------------------ periods */

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Whether s[0 .. n) are all digits. */
static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int score_period_parse(const char *s, const char *field, struct score_period *out,
                       struct acc_err *err)
{
    struct score_period p = {0};
    size_t len = s ? strlen(s) : 0;

    if (len == 7 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2)) {
        p.kind = SCORE_MONTH;
        p.year = atoi(s);
        p.index = atoi(s + 5);
    } else if (len == 7 && digits(s, 4) && s[4] == '-' && s[5] == 'Q' && digits(s + 6, 1)) {
        p.kind = SCORE_QUARTER;
        p.year = atoi(s);
        p.index = s[6] - '0';
    } else if (len >= 2 && len <= 4 && digits(s, len - 1) && s[len - 1] == 'd') {
        p.kind = SCORE_ROLLING;
        p.days = atoi(s);
    } else {
        p.kind = SCORE_MONTH; /* the checks below fail it */
    }
    if (p.kind == SCORE_ROLLING
            ? p.days >= 1 && p.days <= 366
            : p.year >= 1970 && p.index >= 1 && p.index <= (p.kind == SCORE_MONTH ? 12 : 4)) {
        *out = p;
        return ACC_OK;
    }
    return acc_fail(err, ACC_EINVAL, field,
                    "a period is a month (2026-10), a quarter (2026-Q4) or a rolling window of "
                    "1 to 366 days (30d)");
}

void score_period_bounds(const struct score_period *p, int64_t now, int64_t *from, int64_t *to)
{
    int first, months;

    if (p->kind == SCORE_ROLLING) {
        /* The last days x 24 hours up to and including the second now. */
        *from = now + 1 - (int64_t)p->days * 86400;
        *to = now + 1;
        return;
    }
    first = p->kind == SCORE_MONTH ? p->index : 3 * (p->index - 1) + 1;
    months = p->kind == SCORE_MONTH ? 1 : 3;
    *from = days_from_civil(p->year, first, 1) * 86400;
    first += months;
    *to = (first > 12 ? days_from_civil(p->year + 1, first - 12, 1)
                      : days_from_civil(p->year, first, 1)) *
          86400;
}

void score_period_name(const struct score_period *p, char out[16])
{
    if (p->kind == SCORE_MONTH)
        snprintf(out, 16, "%04d-%02d", p->year, p->index);
    else if (p->kind == SCORE_QUARTER)
        snprintf(out, 16, "%04d-Q%d", p->year, p->index);
    else
        snprintf(out, 16, "%dd", p->days);
}

/* ---------------------------------------------------------------------- definitions */

static const struct {
    const char *name, *formula;
} formulas[] = {
    {"speed", "the median (50th percentile, nearest rank) of the business minutes to resolution "
              "on the resolution clock, over the requests resolved in the period"},
    {"reliability", "100 x (requests resolved in the period whose response clock and resolution "
                    "clock both met their due instants) / (requests resolved in the period)"},
    {"accuracy", "100 x (requests resolved in the period that were never reopened and not marked "
                 "\"not right first time\" in feedback) / (requests resolved in the period)"},
    {"consistency", "the 90th percentile divided by the 50th percentile (nearest rank) of the "
                    "business minutes to resolution, over the requests resolved in the period; "
                    "1.0 when both are 0, no value when only the median is 0"},
    {"quality", "the mean of the consumer's ratings of the outcome (1-5) in feedback given in the "
                "period"},
    {"completeness", "100 x (requests resolved in the period that were never sent back for "
                     "missing information) / (requests resolved in the period)"},
    {"responsiveness", "the mean of the other side's responsiveness ratings (1-5) in feedback "
                       "given in the period"},
    {"courtesy", "the mean of the other side's courtesy ratings (1-5) in feedback given in the "
                 "period"},
    {"empathy", "the mean of the consumer's empathy ratings (1-5) in feedback given in the "
                "period"},
    {"confidentiality", "the mean of the consumer's confidentiality ratings (1-5) in feedback "
                        "given in the period"},
    {"clarity", "the mean of the provider's clarity ratings (1-5) of the consumer's requests in "
                "feedback given in the period"},
    {"learning", "100 x (improvement and development actions due in the period that were "
                 "completed on time) / (actions due in the period)"},
};

const char *score_formula(const struct measure_def *m)
{
    for (size_t i = 0; i < ACC_ARRAY_LEN(formulas); i++)
        if (strcmp(formulas[i].name, m->name) == 0)
            return formulas[i].formula;
    return "";
}

const char *score_rule(const struct measure_def *m)
{
    if (!m->higher_is_better)
        return "100 when the value is at or below the target, else 100 x target / value";
    if (m->kind == MEASURE_RATING)
        return "100 x clamp((value - 1) / (target - 1), 0, 1); a target of 1 scores 100";
    return "100 x clamp(value / target, 0, 1); a target of 0 scores 100";
}
