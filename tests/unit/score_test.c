/* score_test.c: SPEC 6.1-6.4 and 6.6 on hand-computed fixtures, one rule and edge at a time. */
#include "base/acc.h"
#include "score/score.h"
#include "t.h"

#define M MEASURE_MILLI
#define U SCORE_UNIT
#define P MEASURE_PROVIDER
#define C MEASURE_CONSUMER

/* Terms with the default group weights (task 0.5, relationship 0.5, learning 0) and min_n 5. */
static struct contract_terms terms_of(struct contract_expectation *e, int n)
{
    struct contract_terms t = {0};

    t.weights[MEASURE_TASK] = 500;
    t.weights[MEASURE_RELATIONSHIP] = 500;
    t.weights[MEASURE_LEARNING] = 0;
    t.min_n = SCORE_MIN_N;
    t.expectations = e;
    t.n_expectations = n;
    for (int i = 0; i < n; i++)
        e[i].measure = measure_find(e[i].note); /* the fixtures name the measure in note */
    return t;
}

/* Adds count ratings of value v for r. */
static void rate(struct score_obs *o, enum score_rating r, int v, int count)
{
    struct acc_err err;

    for (int i = 0; i < count; i++)
        T_EQ_INT(score_obs_rate(o, r, v, &err), ACC_OK);
}

static const struct score_measure *get(const struct score_index *ix, const char *name)
{
    const struct score_measure *m = score_index_measure(ix, name);

    T_OK(m != NULL);
    return m;
}

/* Percentiles by nearest rank: rank = ceil(p * n / 100), at least 1. */
static void test_percentile_nearest_rank(void)
{
    static const int64_t one[] = {7};
    static const int64_t two[] = {10, 20};
    static const int64_t ten[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    static const int64_t eleven[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    static const int64_t twenty[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                     11, 12, 13, 14, 15, 16, 17, 18, 19, 20};

    /* n = 1: every percentile is the one value. */
    T_EQ_INT(score_percentile(one, 1, 50), 7);
    T_EQ_INT(score_percentile(one, 1, 90), 7);
    /* n = 2: p50 rank ceil(1.0) = 1 -> 10 (the lower middle, no interpolation); p90 rank
     * ceil(1.8) = 2 -> 20. */
    T_EQ_INT(score_percentile(two, 2, 50), 10);
    T_EQ_INT(score_percentile(two, 2, 90), 20);
    /* n = 10: p50 rank 5 -> 5; p90 rank 9 -> 9 (exact ranks are not rounded up); p1 rank
     * ceil(0.1) = 1 -> 1; p100 rank 10 -> 10. */
    T_EQ_INT(score_percentile(ten, 10, 50), 5);
    T_EQ_INT(score_percentile(ten, 10, 90), 9);
    T_EQ_INT(score_percentile(ten, 10, 1), 1);
    T_EQ_INT(score_percentile(ten, 10, 100), 10);
    /* n = 11: p50 rank ceil(5.5) = 6 -> 6; p90 rank ceil(9.9) = 10 -> 10. */
    T_EQ_INT(score_percentile(eleven, 11, 50), 6);
    T_EQ_INT(score_percentile(eleven, 11, 90), 10);
    /* n = 20: p90 rank 18 -> 18; p95 rank 19 -> 19. */
    T_EQ_INT(score_percentile(twenty, 20, 90), 18);
    T_EQ_INT(score_percentile(twenty, 20, 95), 19);
}

/*
 * SPEC 6.2 on single values (score_of takes the exact fraction num/den):
 * higher is better: 100 x clamp((v - f) / (t - f), 0, 1); lower: 100, or 100 x t / v.
 */
static void test_score_rules_and_floors(void)
{
    const struct measure_def *quality = measure_find("quality");
    const struct measure_def *reliability = measure_find("reliability");
    const struct measure_def *speed = measure_find("speed");
    const struct measure_def *consistency = measure_find("consistency");

    /* Rating 2.5 against 4, floor 1: (2.5 - 1) / (4 - 1) = 0.5 -> 50. */
    T_EQ_INT(score_of(quality, 5, 2, 4 * M), 50 * U);
    /* Rating 1.0 (the floor) against 4: 0, not 25 (a floor of 0 would give 1/4). */
    T_EQ_INT(score_of(quality, 1, 1, 4 * M), 0);
    /* Rating 4.6 against 4: clamped at 100. */
    T_EQ_INT(score_of(quality, 23, 5, 4 * M), 100 * U);
    /* Rating 2 against 3.5: (2 - 1) / 2.5 = 0.4 -> 40. */
    T_EQ_INT(score_of(quality, 2, 1, 3500), 40 * U);
    /* A rating target at its floor (1): 100 whatever the value (every rating reaches 1). */
    T_EQ_INT(score_of(quality, 1, 1, 1 * M), 100 * U);
    /* 45 % against 90 %, floor 0: 45 / 90 -> 50. */
    T_EQ_INT(score_of(reliability, 45, 1, 90 * M), 50 * U);
    /* 0 % against 90 %: 0. */
    T_EQ_INT(score_of(reliability, 0, 1, 90 * M), 0);
    /* A percentage target at its floor (0): 100, even for a value of 0. */
    T_EQ_INT(score_of(reliability, 0, 1, 0), 100 * U);
    /* 2/3 = 66.67 % against 90 %: 100 x (200/3) / 90 = 74.074074 -> 74074074 units. */
    T_EQ_INT(score_of(reliability, 200, 3, 90 * M), 74074074);
    /* Lower is better: 90 minutes against 120 -> 100; exactly at the target -> 100. */
    T_EQ_INT(score_of(speed, 90, 1, 120 * M), 100 * U);
    T_EQ_INT(score_of(speed, 120, 1, 120 * M), 100 * U);
    /* 300 minutes against 120: 100 x 120 / 300 = 40. */
    T_EQ_INT(score_of(speed, 300, 1, 120 * M), 40 * U);
    /* 7 minutes against 3: 100 x 3 / 7 = 42.857142857 -> 42857143 (half up). */
    T_EQ_INT(score_of(speed, 7, 1, 3 * M), 42857143);
    /* A target of 0 minutes: 0 minutes scores 100, anything more 0. */
    T_EQ_INT(score_of(speed, 0, 1, 0), 100 * U);
    T_EQ_INT(score_of(speed, 5, 1, 0), 0);
    /* Consistency 600/90 = 6.667 against 2.0: 100 x 2 x 90 / 600 = 30. */
    T_EQ_INT(score_of(consistency, 600, 90, 2 * M), 30 * U);
}

/*
 * Fixture A, the provider side of one period, every task measure and a partial index.
 *
 * Requests resolved (minutes, both clocks met?, reopened, "not right"):
 *   r1 600  met        -  -
 *   r2  30  met        1  -
 *   r3  90  response missed
 *   r4 120  met        -  not right
 *   r5  60  resolution missed
 * sorted minutes 30 60 90 120 600, n = 5:
 *   speed       p50 rank ceil(2.5) = 3 -> 90 min; target 120 -> 100
 *   consistency p90 rank ceil(4.5) = 5 -> 600; 600 / 90 = 6.6667 (milli 6667);
 *               target 2.0 -> 100 x 2 / (600/90) = 30
 *   reliability r1 r2 r4 = 3/5 = 60 %; target 90 -> 100 x 60/90 = 66.666667 -> 66666667
 *   accuracy    r2 reopened, r4 not right: r1 r3 r5 = 60 %; target 95 -> 63.157895 (63157894.74)
 * Ratings: quality 5 4 4 3 5 = 21 / 5 = 4.2, target 4 -> 100; courtesy 2 3 (n 2 < 5:
 * insufficient); responsiveness none (n 0). Empathy has no expectation: value, no score.
 * Task group (weights all 1): (100 + 66.666667 + 63.157895 + 30 + 100) / 5
 *   = 359824562 / 5 = 71964912.4 -> 71964912.
 * Relationship has expectations but no scored measure: it drops out, partial. The index is
 * the task group alone: 71964912 -> "72.0".
 */
static void test_fixture_a_provider(void)
{
    struct score_request req[] = {
        {600, true, true, 0, false, 0}, {30, true, true, 1, false, 0},
        {90, false, true, 0, false, 0}, {120, true, true, 0, true, 0},
        {60, true, false, 0, false, 2},
    };
    struct contract_expectation e[] = {
        {P, NULL, 120 * M, M, "speed"},       {P, NULL, 90 * M, M, "reliability"},
        {P, NULL, 95 * M, M, "accuracy"},     {P, NULL, 2 * M, M, "consistency"},
        {P, NULL, 4 * M, M, "quality"},       {P, NULL, 4 * M, M, "courtesy"},
        {P, NULL, 4 * M, M, "responsiveness"}};
    struct contract_terms t = terms_of(e, 7);
    struct score_obs o = {req, 5, {{0}}, 7, 0, 0};
    struct score_index ix;
    struct acc_err err;
    const struct score_measure *m;
    char shown[16];

    rate(&o, SCORE_QUALITY, 5, 2);
    rate(&o, SCORE_QUALITY, 4, 2);
    rate(&o, SCORE_QUALITY, 3, 1);
    rate(&o, SCORE_COURTESY, 2, 1);
    rate(&o, SCORE_COURTESY, 3, 1);
    rate(&o, SCORE_EMPATHY, 5, 6);
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_OK);
    /* The provider's measures: every one but completeness and clarity. */
    T_EQ_INT(ix.n_measures, 10);
    T_OK(score_index_measure(&ix, "completeness") == NULL);
    T_OK(score_index_measure(&ix, "clarity") == NULL);

    m = get(&ix, "speed");
    T_EQ_INT(m->n, 5);
    T_EQ_INT(m->value, 90 * M);
    T_OK(m->scored);
    T_EQ_INT(m->score, 100 * U);
    m = get(&ix, "consistency");
    T_EQ_INT(m->num, 600);
    T_EQ_INT(m->den, 90);
    T_EQ_INT(m->value, 6667);
    T_EQ_INT(m->score, 30 * U);
    m = get(&ix, "reliability");
    T_EQ_INT(m->value, 60 * M);
    T_EQ_INT(m->score, 66666667);
    m = get(&ix, "accuracy");
    T_EQ_INT(m->value, 60 * M);
    T_EQ_INT(m->score, 63157895);
    m = get(&ix, "quality");
    T_EQ_INT(m->n, 5);
    T_EQ_INT(m->value, 4200);
    T_EQ_INT(m->score, 100 * U);
    m = get(&ix, "courtesy");
    T_EQ_INT(m->n, 2);
    T_EQ_INT(m->value, 2500);
    T_OK(m->insufficient && !m->scored);
    m = get(&ix, "responsiveness");
    T_EQ_INT(m->n, 0);
    T_OK(!m->has_value && m->insufficient && !m->scored);
    m = get(&ix, "empathy"); /* rated, but the contract sets it no target */
    T_EQ_INT(m->value, 5 * M);
    T_OK(!m->has_target && !m->insufficient && !m->scored);
    m = get(&ix, "learning");
    T_OK(!m->has_value && !m->scored);

    T_OK(ix.group_scored[MEASURE_TASK]);
    T_EQ_INT(ix.group_score[MEASURE_TASK], 71964912);
    T_OK(ix.group_in[MEASURE_RELATIONSHIP] && !ix.group_scored[MEASURE_RELATIONSHIP]);
    T_OK(ix.has_index);
    T_OK(ix.partial);
    T_EQ_INT(ix.index, 71964912);
    T_EQ_INT(ix.n_requests, 5);
    T_EQ_INT(ix.n_feedback, 7);
    score_format(ix.index, shown);
    T_EQ_STR(shown, "72.0");
}

/*
 * Fixture B, group and measure weights. Five requests of 100 minutes, all met; courtesy
 * 5 5 4 4 2 = 20 / 5 = 4.0. Speed (weight 2) target 50: 100 x 50 / 100 = 50; reliability
 * (weight 1) target 90: 100 % -> 100; courtesy (weight 1) target 4 -> 100.
 * Group weights task 0.7, relationship 0.3.
 *   task = (2 x 50 + 1 x 100) / 3 = 66.6666667 -> group score 66666667
 *   index = 0.7 x 200/3 + 0.3 x 100 = 46.6666667 + 30 = 76.6666667 -> 76666667 -> "76.7"
 * (from the exact task mean, not from its rounded 66666667, which would give the same here).
 */
static void test_fixture_b_weights(void)
{
    struct score_request req[5];
    struct contract_expectation e[] = {{P, NULL, 50 * M, 2 * M, "speed"},
                                       {P, NULL, 90 * M, 1 * M, "reliability"},
                                       {P, NULL, 4 * M, 1 * M, "courtesy"}};
    struct contract_terms t = terms_of(e, 3);
    struct score_obs o = {req, 5, {{0}}, 5, 0, 0};
    struct score_index ix;
    struct acc_err err;
    char shown[16];

    for (int i = 0; i < 5; i++)
        req[i] = (struct score_request){100, true, true, 0, false, 0};
    t.weights[MEASURE_TASK] = 700;
    t.weights[MEASURE_RELATIONSHIP] = 300;
    rate(&o, SCORE_COURTESY, 5, 2);
    rate(&o, SCORE_COURTESY, 4, 2);
    rate(&o, SCORE_COURTESY, 2, 1);
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_OK);
    T_EQ_INT(get(&ix, "speed")->score, 50 * U);
    T_EQ_INT(get(&ix, "reliability")->score, 100 * U);
    T_EQ_INT(get(&ix, "courtesy")->value, 4 * M);
    T_EQ_INT(get(&ix, "courtesy")->score, 100 * U);
    T_EQ_INT(ix.group_score[MEASURE_TASK], 66666667);
    T_EQ_INT(ix.group_score[MEASURE_RELATIONSHIP], 100 * U);
    T_OK(ix.has_index && !ix.partial);
    T_EQ_INT(ix.index, 76666667);
    score_format(ix.index, shown);
    T_EQ_STR(shown, "76.7");

    /*
     * The same with four courtesy ratings only (n 4 < 5): the relationship group drops out,
     * the task group's weight is renormalised to 1, and the index is the task mean
     * 66.6666667 -> 66666667, partial.
     */
    memset(o.ratings, 0, sizeof(o.ratings));
    rate(&o, SCORE_COURTESY, 5, 4);
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_OK);
    T_OK(get(&ix, "courtesy")->insufficient);
    T_OK(ix.has_index && ix.partial);
    T_EQ_INT(ix.index, 66666667);
}

/*
 * Fixture C, the consumer side, renormalisation inside a group. Five requests, two sent
 * back for missing information: completeness 3/5 = 60 %, target 90 -> 66.666667 (66666667).
 * Courtesy (weight 3) 4 4 4 4 4 = 4.0 against 4 -> 100; clarity (weight 1) only three
 * ratings: insufficient. The relationship group keeps courtesy alone (weight 3 of 3): 100.
 * Not partial. Index = 0.5 x 66.666667 + 0.5 x 100: exact (0.5 x 66666667 + 0.5 x 100e6)
 * = 83333333.5 -> 83333334 (half up) -> "83.3".
 * The consumer side has no speed, quality or other provider measure.
 */
static void test_fixture_c_consumer_renormalised(void)
{
    struct score_request req[] = {
        {10, true, true, 0, false, 0},  {20, true, true, 0, false, 1},
        {30, false, false, 2, true, 0}, {40, true, true, 0, false, 3},
        {50, true, true, 0, false, 0},
    };
    struct contract_expectation e[] = {
        {P, NULL, 4 * M, M, "quality"}, /* the provider's: no effect on the consumer side */
        {C, NULL, 90 * M, M, "completeness"},
        {C, NULL, 4 * M, 3 * M, "courtesy"},
        {C, NULL, 4 * M, 1 * M, "clarity"}};
    struct contract_terms t = terms_of(e, 4);
    struct score_obs o = {req, 5, {{0}}, 5, 0, 0};
    struct score_index ix;
    struct acc_err err;
    char shown[16];

    rate(&o, SCORE_COURTESY, 4, 5);
    rate(&o, SCORE_CLARITY, 2, 3);
    T_EQ_INT(score_index_compute(&t, C, &o, &ix, &err), ACC_OK);
    /* completeness, responsiveness, courtesy, clarity, learning */
    T_EQ_INT(ix.n_measures, 5);
    T_OK(score_index_measure(&ix, "speed") == NULL);
    T_OK(score_index_measure(&ix, "quality") == NULL);
    T_EQ_INT(get(&ix, "completeness")->value, 60 * M);
    T_EQ_INT(get(&ix, "completeness")->score, 66666667);
    T_EQ_INT(get(&ix, "courtesy")->score, 100 * U);
    T_OK(get(&ix, "clarity")->insufficient);
    T_EQ_INT(get(&ix, "clarity")->value, 2 * M);
    T_OK(ix.group_scored[MEASURE_RELATIONSHIP]);
    T_EQ_INT(ix.group_score[MEASURE_RELATIONSHIP], 100 * U);
    T_OK(ix.has_index && !ix.partial);
    T_EQ_INT(ix.index, 83333334);
    score_format(ix.index, shown);
    T_EQ_STR(shown, "83.3");
}

/*
 * Fixture D, a period with only feedback: no request resolved, six quality ratings
 * 4 4 4 4 4 4 = 4.0 (target 4 -> 100) and five responsiveness 3 3 3 3 3 = 3.0 (target 4:
 * (3 - 1) / 3 = 66.666667 -> 66666667). Speed and reliability have no observation
 * (insufficient, no value). Task = quality alone 100; relationship 66666667; index
 * 0.5 x 100 + 0.5 x 66.6666667 = 83.3333333 -> 83333334 (from 0.5 x 66666667 + 50e6 =
 * 83333333.5, half up). Both groups have a scored measure: not partial. n = 0 requests,
 * 6 feedback responses: a roll-up weighs it by 6.
 */
static void test_fixture_d_feedback_only(void)
{
    struct contract_expectation e[] = {{P, NULL, 480 * M, M, "speed"},
                                       {P, NULL, 90 * M, M, "reliability"},
                                       {P, NULL, 4 * M, M, "quality"},
                                       {P, NULL, 4 * M, M, "responsiveness"}};
    struct contract_terms t = terms_of(e, 4);
    struct score_obs o = {NULL, 0, {{0}}, 6, 0, 0};
    struct score_index ix;
    struct acc_err err;

    rate(&o, SCORE_QUALITY, 4, 6);
    rate(&o, SCORE_RESPONSIVENESS, 3, 5);
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_OK);
    T_OK(!get(&ix, "speed")->has_value && get(&ix, "speed")->insufficient);
    T_OK(!get(&ix, "reliability")->has_value);
    T_OK(!get(&ix, "consistency")->has_value);
    T_EQ_INT(get(&ix, "quality")->n, 6);
    T_EQ_INT(get(&ix, "quality")->score, 100 * U);
    T_EQ_INT(get(&ix, "responsiveness")->score, 66666667);
    T_OK(ix.has_index && !ix.partial);
    T_EQ_INT(ix.index, 83333334);
    T_EQ_INT(ix.n_requests, 0);
    T_EQ_INT(ix.n_feedback, 6);
}

/* Nothing at all in the period: no index ("insufficient data"), and so not partial either. */
static void test_no_data(void)
{
    struct contract_expectation e[] = {{P, NULL, 480 * M, M, "speed"},
                                       {P, NULL, 4 * M, M, "courtesy"}};
    struct contract_terms t = terms_of(e, 2);
    struct score_obs o = {0};
    struct score_index ix;
    struct acc_err err;

    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_OK);
    T_OK(!ix.has_index);
    T_OK(!ix.partial);
    T_OK(!ix.group_scored[MEASURE_TASK] && !ix.group_scored[MEASURE_RELATIONSHIP]);
}

/*
 * min_n: a measure with exactly min_n observations is scored, one fewer is not. With
 * min_n 3: three requests (10, 20, 30 minutes; speed p50 = 20 against 15 -> 100 x 15 / 20
 * = 75) are scored; two are not, and then the index has nothing: insufficient data.
 */
static void test_min_n(void)
{
    struct score_request req[] = {{10, true, true, 0, false, 0},
                                  {30, true, true, 0, false, 0},
                                  {20, true, true, 0, false, 0}};
    struct contract_expectation e[] = {{P, NULL, 15 * M, M, "speed"}};
    struct contract_terms t = terms_of(e, 1);
    struct score_obs o = {req, 3, {{0}}, 0, 0, 0};
    struct score_index ix;
    struct acc_err err;

    t.min_n = 3;
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_OK);
    T_EQ_INT(get(&ix, "speed")->value, 20 * M);
    T_OK(get(&ix, "speed")->scored);
    T_EQ_INT(get(&ix, "speed")->score, 75 * U);
    /* One group only (task): the relationship group has no expectation, so it is not
     * "dropped" and the index is not partial. */
    T_OK(ix.has_index && !ix.partial);
    T_EQ_INT(ix.index, 75 * U);

    o.n_requests = 2; /* 10, 30: p50 rank 1 -> 10, but n 2 < 3 */
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_OK);
    T_EQ_INT(get(&ix, "speed")->value, 10 * M);
    T_OK(get(&ix, "speed")->insufficient && !get(&ix, "speed")->scored);
    T_OK(!ix.has_index);

    /* min_n out of range is refused. */
    t.min_n = 0;
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_EINVAL);
}

/*
 * Consistency's edges (SPEC 6.2): five requests of 0 minutes: p50 = p90 = 0 -> 1.0, which
 * meets a target of 2.0 -> 100. Four of 0 and one of 10: p50 rank 3 -> 0, p90 rank 5 -> 10:
 * no value, hence no score even with n >= min_n; speed is still scored (0 minutes -> 100).
 */
static void test_consistency_zero_median(void)
{
    struct score_request req[5];
    struct contract_expectation e[] = {{P, NULL, 2 * M, M, "consistency"},
                                       {P, NULL, 60 * M, M, "speed"}};
    struct contract_terms t = terms_of(e, 2);
    struct score_obs o = {req, 5, {{0}}, 0, 0, 0};
    struct score_index ix;
    struct acc_err err;

    for (int i = 0; i < 5; i++)
        req[i] = (struct score_request){0, true, true, 0, false, 0};
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_OK);
    T_EQ_INT(get(&ix, "consistency")->value, 1 * M);
    T_EQ_INT(get(&ix, "consistency")->score, 100 * U);

    req[2].minutes = 10;
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_OK);
    T_OK(!get(&ix, "consistency")->has_value);
    T_OK(!get(&ix, "consistency")->insufficient);
    T_OK(!get(&ix, "consistency")->scored);
    T_EQ_INT(get(&ix, "speed")->score, 100 * U);
    /* Task = speed alone: 100. */
    T_EQ_INT(ix.index, 100 * U);
}

/*
 * Weights of zero. Learning (group weight 0 by default) is scored but does not count and
 * does not make the index partial: actions due 4, on time 3 = 75 %, target 90 ->
 * 83.333333 (83333333). Reliability alone makes the index: 5/5 = 100 % -> 100.
 * Then a task group whose only scored measure weighs 0: it has no mean and drops out;
 * the relationship group (courtesy 5 x 3 = 3.0 against 4 -> 66666667) is the index, partial.
 */
static void test_zero_weights(void)
{
    struct score_request req[5];
    struct contract_expectation e[] = {{P, NULL, 90 * M, M, "reliability"},
                                       {P, NULL, 90 * M, M, "learning"},
                                       {P, NULL, 4 * M, M, "courtesy"}};
    struct contract_terms t = terms_of(e, 3);
    struct score_obs o = {req, 5, {{0}}, 0, 4, 3};
    struct score_index ix;
    struct acc_err err;

    for (int i = 0; i < 5; i++)
        req[i] = (struct score_request){60, true, true, 0, false, 0};
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_OK);
    T_EQ_INT(get(&ix, "learning")->n, 4);
    T_EQ_INT(get(&ix, "learning")->value, 75 * M);
    T_OK(get(&ix, "learning")->insufficient); /* 4 actions < min_n 5 */
    t.min_n = 4;
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_OK);
    T_EQ_INT(get(&ix, "learning")->score, 83333333);
    T_OK(ix.group_scored[MEASURE_LEARNING]);
    /* courtesy has no ratings: the relationship group (0.5) drops out, partial */
    T_OK(ix.partial);
    T_EQ_INT(ix.index, 100 * U);

    /* Reliability weighs 0, courtesy is rated 3 by five: task drops out. */
    e[0].weight = 0;
    t.min_n = 5;
    rate(&o, SCORE_COURTESY, 3, 5);
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_OK);
    T_OK(get(&ix, "reliability")->scored);
    T_OK(!ix.group_scored[MEASURE_TASK]);
    T_OK(ix.partial);
    T_EQ_INT(ix.index, 66666667);

    /* Both groups weigh 0 and only learning (weight 0 too) is left: no index. */
    t.weights[MEASURE_TASK] = t.weights[MEASURE_RELATIONSHIP] = 0;
    t.min_n = 4;
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_OK);
    T_OK(!ix.has_index && !ix.partial);
}

/*
 * Ratings missing for some measures: three feedback responses rate quality (5, 4, 3),
 * only one rates empathy (5). With min_n 2 quality (mean 4.0) is scored, empathy (n 1) is
 * not; each measure counts its own ratings, so an unrated dimension never counts as a low
 * one. Empathy is the only relationship expectation, so that group (weight 0.5) drops out:
 * the index is quality's 100, partial. Mean ratings are exact: 5, 5, 4 = 14 / 3 = 4.6667 (milli
 * 4667) against 4.5: (14/3 - 1) / 3.5 = 1 -> clamped 100.
 */
static void test_ratings_missing(void)
{
    struct contract_expectation e[] = {{P, NULL, 4 * M, M, "quality"},
                                       {P, NULL, 4 * M, M, "empathy"}};
    struct contract_terms t = terms_of(e, 2);
    struct score_obs o = {NULL, 0, {{0}}, 3, 0, 0};
    struct score_index ix;
    struct acc_err err;

    t.min_n = 2;
    rate(&o, SCORE_QUALITY, 5, 1);
    rate(&o, SCORE_QUALITY, 4, 1);
    rate(&o, SCORE_QUALITY, 3, 1);
    rate(&o, SCORE_EMPATHY, 5, 1);
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_OK);
    T_EQ_INT(get(&ix, "quality")->n, 3);
    T_EQ_INT(get(&ix, "quality")->value, 4 * M);
    T_EQ_INT(get(&ix, "quality")->score, 100 * U);
    T_EQ_INT(get(&ix, "empathy")->n, 1);
    T_OK(get(&ix, "empathy")->insufficient);
    T_OK(ix.has_index && ix.partial);
    T_EQ_INT(ix.index, 100 * U);

    memset(o.ratings, 0, sizeof(o.ratings));
    rate(&o, SCORE_QUALITY, 5, 2);
    rate(&o, SCORE_QUALITY, 4, 1);
    e[0].target = 4500;
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_OK);
    T_EQ_INT(get(&ix, "quality")->value, 4667);
    T_EQ_INT(get(&ix, "quality")->score, 100 * U);
    /* quality 2 2 3 = 7/3 = 2.3333 against 4.5: (7/3 - 1) / 3.5 = 8/21 = 38.095238 -> 38095238 */
    memset(o.ratings, 0, sizeof(o.ratings));
    rate(&o, SCORE_QUALITY, 2, 2);
    rate(&o, SCORE_QUALITY, 3, 1);
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_OK);
    T_EQ_INT(get(&ix, "quality")->value, 2333);
    T_EQ_INT(get(&ix, "quality")->score, 38095238);
}

/* Observations out of range are refused, never scored. */
static void test_bad_input(void)
{
    struct score_request req[] = {{-1, true, true, 0, false, 0}};
    struct contract_expectation e[] = {{P, NULL, 15 * M, M, "speed"}};
    struct contract_terms t = terms_of(e, 1);
    struct score_obs o = {req, 1, {{0}}, 0, 0, 0};
    struct score_index ix;
    struct acc_err err;

    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_EINVAL);
    req[0].minutes = SCORE_MINUTES + 1;
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_EINVAL);
    req[0].minutes = 5;
    o.actions_due = 2;
    o.actions_on_time = 3;
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_EINVAL);
    o.actions_due = o.actions_on_time = 0;
    o.ratings[SCORE_QUALITY][0] = -1;
    T_EQ_INT(score_index_compute(&t, P, &o, &ix, &err), ACC_EINVAL);
    T_EQ_INT(score_obs_rate(&o, SCORE_QUALITY, 0, &err), ACC_EINVAL);
    T_EQ_INT(score_obs_rate(&o, SCORE_QUALITY, 6, &err), ACC_EINVAL);
}

/*
 * One decimal, half up, from the unrounded figure: 72.45 exactly shows as 72.5, a
 * millionth less as 72.4; 0 and 100 show as 0.0 and 100.0.
 */
static void test_one_decimal(void)
{
    char b[16];

    T_EQ_INT(score_tenths(72450000), 725);
    T_EQ_INT(score_tenths(72449999), 724);
    score_format(72450000, b);
    T_EQ_STR(b, "72.5");
    score_format(72449999, b);
    T_EQ_STR(b, "72.4");
    score_format(0, b);
    T_EQ_STR(b, "0.0");
    score_format(100 * U, b);
    T_EQ_STR(b, "100.0");
    score_format(66666667, b);
    T_EQ_STR(b, "66.7");
}

/*
 * SPEC 6.4. A: 80.0 over 10 requests; B: 60.0 over 30 requests; C: feedback-only, 90.0 over
 * 5 responses; D: no index (ignored, its 100 requests too); E: an index but no request and
 * no feedback (weight 0, ignored).
 *   (10 x 80 + 30 x 60 + 5 x 90) / 45 = 3050 / 45 = 67.777... -> 67777778 -> "67.8".
 * Unrounded inputs: 72.449999 and 72.450001 (shown 72.4 and 72.5), one request each: 72.45
 * exactly -> "72.5"; from the shown figures (72.4 + 72.5) / 2 = 72.45 would be the same
 * here, but 72.449999 alone and 72.44 would not: the mean of the unrounded ones is 72.444999
 * -> "72.4".
 */
static void test_rollup(void)
{
    struct score_rollup_item items[] = {
        {true, 80 * U, 10, 3}, {true, 60 * U, 30, 0}, {true, 90 * U, 0, 5},
        {false, 0, 100, 40},   {true, 10 * U, 0, 0},
    };
    struct score_rollup_item pair[] = {{true, 72449999, 1, 0}, {true, 72450001, 1, 0}};
    struct score_rollup r;
    struct acc_err err;
    char b[16];

    T_EQ_INT(score_rollup_compute(items, 5, &r, &err), ACC_OK);
    T_OK(r.has_index);
    T_EQ_INT(r.index, 67777778);
    T_EQ_INT(r.n_items, 3);
    T_EQ_INT(r.n_requests, 40);
    T_EQ_INT(r.n_feedback, 8);
    score_format(r.index, b);
    T_EQ_STR(b, "67.8");

    T_EQ_INT(score_rollup_compute(pair, 2, &r, &err), ACC_OK);
    T_EQ_INT(r.index, 72450000);
    pair[1].index = 72440000; /* (72449999 + 72440000) / 2 = 72444999.5 -> 72445000 */
    T_EQ_INT(score_rollup_compute(pair, 2, &r, &err), ACC_OK);
    T_EQ_INT(r.index, 72445000);
    score_format(r.index, b);
    T_EQ_STR(b, "72.4");

    /* Nothing with an index: none. */
    T_EQ_INT(score_rollup_compute(items + 3, 2, &r, &err), ACC_OK);
    T_OK(!r.has_index);
    items[0].n_requests = -1;
    T_EQ_INT(score_rollup_compute(items, 1, &r, &err), ACC_EINVAL);
}

/*
 * Pearson's r: a perfect line is 1, its mirror -1. x = 1 2 3, y = 1 3 2: deviations
 * -1 0 1 and -1 1 0, sum of products 1, sums of squares 2 and 2: r = 1 / 2 = 0.5.
 * Constant series and fewer than two pairs have no value; n is always reported.
 */
static void test_correlation(void)
{
    static const int64_t x[] = {1, 2, 3, 4, 5};
    static const int64_t up[] = {2, 4, 6, 8, 10};
    static const int64_t down[] = {10, 8, 6, 4, 2};
    static const int64_t flat[] = {3, 3, 3, 3, 3};
    static const int64_t y3[] = {1, 3, 2};
    struct score_correlation c;
    struct acc_err err;

    T_EQ_INT(score_correlation_compute(x, up, 5, &c, &err), ACC_OK);
    T_OK(c.has_value);
    T_EQ_INT(c.n, 5);
    T_EQ_INT(c.r_milli, 1000);
    T_EQ_INT(score_correlation_compute(x, down, 5, &c, &err), ACC_OK);
    T_EQ_INT(c.r_milli, -1000);
    T_EQ_INT(score_correlation_compute(x, y3, 3, &c, &err), ACC_OK);
    T_EQ_INT(c.r_milli, 500);
    T_OK(c.r > 0.4999 && c.r < 0.5001);
    T_EQ_INT(score_correlation_compute(x, flat, 5, &c, &err), ACC_OK);
    T_OK(!c.has_value);
    T_EQ_INT(c.n, 5);
    T_EQ_INT(score_correlation_compute(x, up, 1, &c, &err), ACC_OK);
    T_OK(!c.has_value);
    T_EQ_INT(c.n, 1);
    T_EQ_INT(score_correlation_compute(x, up, -1, &c, &err), ACC_EINVAL);
}

/* Periods: UTC bounds computed with Python's calendar.timegm. */
static void test_periods(void)
{
    static const char *const bad[] = {"2026-13", "2026-00", "2026-Q5", "2026-Q0",  "0d",
                                      "367d",    "2026-1",  "",        "+2026-10", "2026-10 ",
                                      "1969-12", "d",       "30D",     "2026-q4",  "1000d"};
    struct score_period p;
    struct acc_err err;
    int64_t from, to;
    char name[16];

    T_EQ_INT(score_period_parse("2026-10", "/query/period", &p, &err), ACC_OK);
    score_period_bounds(&p, 0, &from, &to);
    T_EQ_INT(from, 1790812800); /* 2026-10-01T00:00:00Z */
    T_EQ_INT(to, 1793491200);   /* 2026-11-01T00:00:00Z */
    score_period_name(&p, name);
    T_EQ_STR(name, "2026-10");
    T_EQ_INT(score_period_parse("2026-Q4", "/query/period", &p, &err), ACC_OK);
    score_period_bounds(&p, 0, &from, &to);
    T_EQ_INT(from, 1790812800);
    T_EQ_INT(to, 1798761600); /* 2027-01-01 */
    score_period_name(&p, name);
    T_EQ_STR(name, "2026-Q4");
    T_EQ_INT(score_period_parse("2024-02", "/query/period", &p, &err), ACC_OK);
    score_period_bounds(&p, 0, &from, &to);
    T_EQ_INT(from, 1706745600); /* 2024-02-01; a leap February */
    T_EQ_INT(to, 1709251200);   /* 2024-03-01 */
    T_EQ_INT(score_period_parse("2024-12", "/query/period", &p, &err), ACC_OK);
    score_period_bounds(&p, 0, &from, &to);
    T_EQ_INT(from, 1733011200);
    T_EQ_INT(to, 1735689600); /* 2025-01-01 */
    T_EQ_INT(score_period_parse("30d", "/query/period", &p, &err), ACC_OK);
    score_period_bounds(&p, 1790812800, &from, &to);
    /* 30 x 24 hours up to and including now: [now + 1 - 30 days, now + 1). */
    T_EQ_INT(from, 1790812800 + 1 - 30 * 86400);
    T_EQ_INT(to, 1790812800 + 1);
    score_period_name(&p, name);
    T_EQ_STR(name, "30d");
    for (size_t i = 0; i < ACC_ARRAY_LEN(bad); i++) {
        T_EQ_INT(score_period_parse(bad[i], "/query/period", &p, &err), ACC_EINVAL);
        T_EQ_STR(err.field, "/query/period");
    }
}

/* Every measure has a formula in words and a score rule. */
static void test_definitions(void)
{
    size_t n;
    const struct measure_def *all = measure_all(&n);

    T_OK(n <= SCORE_MEASURES);
    for (size_t i = 0; i < n; i++) {
        T_OK(strlen(score_formula(&all[i])) > 20);
        T_OK(strlen(score_rule(&all[i])) > 20);
    }
    T_EQ_INT(score_floor(measure_find("quality")), M);
    T_EQ_INT(score_floor(measure_find("accuracy")), 0);
    for (int r = 0; r < SCORE_RATINGS; r++)
        T_OK(measure_find(score_rating_name(r)) != NULL);
}

int main(void)
{
    T_RUN(test_percentile_nearest_rank);
    T_RUN(test_score_rules_and_floors);
    T_RUN(test_fixture_a_provider);
    T_RUN(test_fixture_b_weights);
    T_RUN(test_fixture_c_consumer_renormalised);
    T_RUN(test_fixture_d_feedback_only);
    T_RUN(test_no_data);
    T_RUN(test_min_n);
    T_RUN(test_consistency_zero_median);
    T_RUN(test_zero_weights);
    T_RUN(test_ratings_missing);
    T_RUN(test_bad_input);
    T_RUN(test_one_decimal);
    T_RUN(test_rollup);
    T_RUN(test_correlation);
    T_RUN(test_periods);
    T_RUN(test_definitions);
    return t_done();
}
