/* measure.c: the catalogue of SPEC 6.1 measures and their target ranges. */
#include "base/acc.h"
#include "measure/measure.h"

#include <stdio.h>

#define P MEASURE_PROVIDER
#define C MEASURE_CONSUMER

static const struct measure_def measures[] = {
    {"speed", P, MEASURE_TASK, MEASURE_MINUTES, false, 0, "median business minutes to resolution",
     NULL},
    {"reliability", P, MEASURE_TASK, MEASURE_PERCENT, true, 90000,
     "% of requests whose response and resolution both met their due instants", NULL},
    {"accuracy", P, MEASURE_TASK, MEASURE_PERCENT, true, 95000,
     "% of resolved requests right first time (not reopened, not marked \"not right\")", NULL},
    {"consistency", P, MEASURE_TASK, MEASURE_RATIO, false, 2000,
     "p90 / p50 of business minutes to resolution (1.0 is perfectly even)", NULL},
    {"quality", P, MEASURE_TASK, MEASURE_RATING, true, 4000,
     "mean consumer rating of the outcome, 1-5", NULL},
    {"completeness", C, MEASURE_TASK, MEASURE_PERCENT, true, 90000, NULL,
     "% of requests not sent back for missing information"},
    {"responsiveness", P | C, MEASURE_RELATIONSHIP, MEASURE_RATING, true, 4000,
     "mean consumer rating of responsiveness, 1-5", "mean provider rating of responsiveness, 1-5"},
    {"courtesy", P | C, MEASURE_RELATIONSHIP, MEASURE_RATING, true, 4000,
     "mean consumer rating of courtesy, 1-5", "mean provider rating of courtesy, 1-5"},
    {"empathy", P, MEASURE_RELATIONSHIP, MEASURE_RATING, true, 4000,
     "mean consumer rating of empathy, 1-5", NULL},
    {"confidentiality", P, MEASURE_RELATIONSHIP, MEASURE_RATING, true, 4000,
     "mean consumer rating of confidentiality, 1-5", NULL},
    {"clarity", C, MEASURE_RELATIONSHIP, MEASURE_RATING, true, 4000, NULL,
     "mean provider rating of clarity, 1-5"},
    {"learning", P | C, MEASURE_LEARNING, MEASURE_PERCENT, true, 90000,
     "% of improvement and development actions due that were completed on time",
     "% of improvement and development actions due that were completed on time"},
};

const struct measure_def *measure_find(const char *name)
{
    for (size_t i = 0; name && i < ACC_ARRAY_LEN(measures); i++)
        if (strcmp(measures[i].name, name) == 0)
            return &measures[i];
    return NULL;
}

const struct measure_def *measure_all(size_t *n)
{
    *n = ACC_ARRAY_LEN(measures);
    return measures;
}

const char *measure_side_name(enum measure_side side)
{
    return side == MEASURE_CONSUMER ? "consumer" : "provider";
}

int measure_side_parse(const char *s, const char *field, enum measure_side *out,
                       struct acc_err *err)
{
    if (s && strcmp(s, "provider") == 0)
        *out = MEASURE_PROVIDER;
    else if (s && strcmp(s, "consumer") == 0)
        *out = MEASURE_CONSUMER;
    else
        return acc_fail(err, ACC_EINVAL, field, "side must be \"provider\" or \"consumer\"");
    return ACC_OK;
}

const char *measure_group_name(enum measure_group g)
{
    static const char *const names[] = {"task", "relationship", "learning"};

    return (unsigned)g < ACC_ARRAY_LEN(names) ? names[g] : "task";
}

const char *measure_kind_name(enum measure_kind k)
{
    static const char *const names[] = {"minutes", "percent", "rating", "ratio"};

    return (unsigned)k < ACC_ARRAY_LEN(names) ? names[k] : "minutes";
}

const char *measure_meaning(const struct measure_def *m, enum measure_side side)
{
    return side == MEASURE_CONSUMER ? m->consumer_meaning : m->provider_meaning;
}

int measure_target_check(const struct measure_def *m, int64_t target, const char *field,
                         struct acc_err *err)
{
    static const struct {
        int64_t lo, hi;
        const char *range;
    } ranges[] = {
        [MEASURE_MINUTES] = {0, INT64_C(5256000) * MEASURE_MILLI, "0 to 5256000 business minutes"},
        [MEASURE_PERCENT] = {0, 100 * MEASURE_MILLI, "0 to 100 (%)"},
        [MEASURE_RATING] = {1 * MEASURE_MILLI, 5 * MEASURE_MILLI, "1 to 5"},
        [MEASURE_RATIO] = {1 * MEASURE_MILLI, 1000 * MEASURE_MILLI, "1 to 1000"},
    };

    if (target < ranges[m->kind].lo || target > ranges[m->kind].hi)
        return acc_fail(err, ACC_EINVAL, field, "the target of %s must be %s", m->name,
                        ranges[m->kind].range);
    return ACC_OK;
}

void measure_milli_format(int64_t milli, char out[32])
{
    int64_t whole = milli / MEASURE_MILLI, frac = milli % MEASURE_MILLI;
    int n;

    if (frac < 0)
        frac = -frac;
    n = snprintf(out, 32, "%s%lld", milli < 0 && whole == 0 ? "-" : "", (long long)whole);
    if (frac) {
        snprintf(out + n, 32 - (size_t)n, ".%03lld", (long long)frac);
        for (char *e = out + strlen(out) - 1; *e == '0'; e--)
            *e = '\0';
    }
}
