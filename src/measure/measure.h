/* measure.h: the measures of SPEC 6.1: which side each applies to, its group, unit and direction.
 */
#ifndef ACCORD_MEASURE_MEASURE_H
#define ACCORD_MEASURE_MEASURE_H

/*
 * Targets, weights and factors travel as fixed-point thousandths ("milli"): 4.5 is 4500.
 * Stored that way, they compare and add exactly in SQL and C on every backend.
 */
#define MEASURE_MILLI 1000

enum measure_side { MEASURE_PROVIDER = 1, MEASURE_CONSUMER = 2 };
enum measure_group { MEASURE_TASK = 0, MEASURE_RELATIONSHIP, MEASURE_LEARNING };
#define MEASURE_GROUPS 3

enum measure_kind {
    MEASURE_MINUTES, /* business minutes, >= 0 */
    MEASURE_PERCENT, /* 0 .. 100, floor 0 */
    MEASURE_RATING,  /* 1 .. 5, floor 1 */
    MEASURE_RATIO,   /* p90 / p50, >= 1 */
};

struct measure_def {
    const char *name;
    unsigned sides; /* MEASURE_PROVIDER | MEASURE_CONSUMER */
    enum measure_group group;
    enum measure_kind kind;
    bool higher_is_better;
    int64_t typical_target;       /* milli; 0 for speed, whose target is the resolution clock's */
    const char *provider_meaning; /* what it measures on the provider side, or NULL */
    const char *consumer_meaning; /* on the consumer side, or NULL */
};

/* The measure called name, or NULL. */
const struct measure_def *measure_find(const char *name);
/* All measures, in SPEC order; *n gets their count. */
const struct measure_def *measure_all(size_t *n);
/* "provider" or "consumer". */
const char *measure_side_name(enum measure_side side);
/* Parses "provider" or "consumer"; ACC_EINVAL with field otherwise. */
int measure_side_parse(const char *s, const char *field, enum measure_side *out,
                       struct acc_err *err);
/* "task", "relationship", "learning". */
const char *measure_group_name(enum measure_group g);
/* "minutes", "percent", "rating", "ratio". */
const char *measure_kind_name(enum measure_kind k);
/* What the measure means on side: the consumer's courtesy is rated by the provider. */
const char *measure_meaning(const struct measure_def *m, enum measure_side side);

/*
 * Checks a target (milli) against the measure's range: ratings 1..5, percentages 0..100,
 * minutes >= 0 (at most ten years of business minutes), ratios >= 1 (at most 1000).
 * ACC_EINVAL with field otherwise.
 */
int measure_target_check(const struct measure_def *m, int64_t target, const char *field,
                         struct acc_err *err);

/* Writes milli as the shortest decimal ("4.5", "90", "0.125") into out (at least 32 bytes). */
void measure_milli_format(int64_t milli, char out[32]);

#endif
