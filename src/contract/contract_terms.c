/* contract_terms.c: a version's terms in plain language, for the catalogue, the CLI and exports. */
#include "base/acc.h"
#include "contract/contract.h"

#include <stdio.h>

/* "4 business hours", "90 business minutes", "1 business minute". */
static const char *duration(int64_t minutes, struct acc_arena *arena)
{
    if (minutes && minutes % 60 == 0)
        return acc_arena_printf(arena, "%lld business hour%s", (long long)(minutes / 60),
                                minutes == 60 ? "" : "s");
    return acc_arena_printf(arena, "%lld business minute%s", (long long)minutes,
                            minutes == 1 ? "" : "s");
}

static const char *side_label(const struct contract_side *s, struct acc_arena *arena)
{
    if (s->person.id)
        return acc_arena_printf(arena, "%s (%s)", s->person.name, s->department.name);
    return s->department.name;
}

/* "Sales'" and "Finance's". */
static const char *possessive(const char *name, struct acc_arena *arena)
{
    size_t n = strlen(name);

    return acc_arena_printf(arena, "%s'%s", name, n && name[n - 1] == 's' ? "" : "s");
}

static const char *num(int64_t milli, struct acc_arena *arena)
{
    char b[32];

    measure_milli_format(milli, b);
    return acc_arena_strdup(arena, b);
}

/* One expectation as a sentence: who does what, how well. */
static const char *expectation_text(const struct contract_expectation *e, const char *provider,
                                    const char *consumer, const char *service,
                                    struct acc_arena *arena)
{
    const char *target = num(e->target, arena);
    const char *rater = e->side == MEASURE_PROVIDER ? consumer : provider;
    const char *rated = e->side == MEASURE_PROVIDER ? provider : consumer;
    const char *s;

    switch (e->measure->kind) {
    case MEASURE_MINUTES:
        s = acc_arena_printf(arena, "%s resolves half of the %s requests within %s (median).",
                             provider, service, duration(e->target / MEASURE_MILLI, arena));
        break;
    case MEASURE_RATIO:
        s = acc_arena_printf(arena,
                             "%s keeps resolution times even: the slowest tenth takes at most "
                             "%s times the median.",
                             provider, target);
        break;
    case MEASURE_RATING:
        s = acc_arena_printf(arena, "%s rates %s %s at %s or better (1-5).", rater,
                             possessive(rated, arena), e->measure->name, target);
        break;
    case MEASURE_PERCENT:
    default:
        if (strcmp(e->measure->name, "reliability") == 0)
            s = acc_arena_printf(arena, "%s meets both clocks on at least %s%% of requests.",
                                 provider, target);
        else if (strcmp(e->measure->name, "accuracy") == 0)
            s = acc_arena_printf(arena, "%s gets at least %s%% of requests right first time.",
                                 provider, target);
        else if (strcmp(e->measure->name, "completeness") == 0)
            s = acc_arena_printf(arena,
                                 "%s sends complete requests: at least %s%% need no more "
                                 "information.",
                                 consumer, target);
        else
            s = acc_arena_printf(arena, "%s completes at least %s%% of its actions on time.", rated,
                                 target);
        break;
    }
    if (e->note && *e->note)
        s = acc_arena_printf(arena, "%s In their words: \"%s\"", s, e->note);
    return s;
}

const char **contract_terms_text(const struct contract *c, const struct contract_version *v,
                                 struct acc_arena *arena, int *n)
{
    const struct contract_terms *t = &v->terms;
    const char *provider = side_label(&c->provider, arena);
    const char *consumer = side_label(&c->consumer, arena);
    const char **out = acc_arena_alloc(arena, sizeof(*out) * (size_t)(t->n_expectations + 3));
    int k = 0;

    out[k++] = acc_arena_printf(arena,
                                "%s answers %s %s requests within %s and resolves them within "
                                "%s, on the %s calendar.",
                                provider, possessive(consumer, arena), c->service.name,
                                duration(t->response_minutes, arena),
                                duration(t->resolution_minutes, arena), t->calendar.name);
    for (int i = 0; i < t->n_expectations; i++)
        out[k++] =
            expectation_text(&t->expectations[i], provider, consumer, c->service.name, arena);
    if (t->n_priorities) {
        struct acc_buf b;

        acc_buf_init(&b);
        acc_buf_adds(&b, "Priorities scale both targets:");
        for (int i = 0; i < t->n_priorities; i++)
            acc_buf_addf(&b, "%s %s x%s%s", i ? "," : "", t->priorities[i].name,
                         num(t->priorities[i].factor, arena),
                         t->priorities[i].is_default ? " (the default)" : "");
        acc_buf_adds(&b, ".");
        out[k++] = acc_arena_strdup(arena, b.buf);
        acc_buf_release(&b);
    }
    *n = k;
    return out;
}
