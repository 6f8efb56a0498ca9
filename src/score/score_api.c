/* score_api.c: GET /api/v1/definitions: what each measure, score and the index mean (SPEC 6). */
#include "base/acc.h"
#include "jx/jx.h"
#include "score/score.h"
#include "score/score_api.h"

static json_t *sides_json(const struct measure_def *m)
{
    json_t *sides = json_array();

    if (m->sides & MEASURE_PROVIDER)
        json_array_append_new(sides, json_string("provider"));
    if (m->sides & MEASURE_CONSUMER)
        json_array_append_new(sides, json_string("consumer"));
    return sides;
}

int score_api_definitions(struct http_ctx *ctx)
{
    size_t n;
    const struct measure_def *all = measure_all(&n);
    json_t *arr = json_array(), *weights;

    for (size_t i = 0; i < n; i++) {
        const struct measure_def *m = &all[i];
        json_t *o = json_pack(
            "{s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:s}", "name", m->name, "sides",
            sides_json(m), "group", measure_group_name(m->group), "unit",
            measure_kind_name(m->kind), "direction", m->higher_is_better ? "higher" : "lower",
            "formula", score_formula(m), "score", score_rule(m), "default_target",
            m->typical_target ? jx_milli_json(m->typical_target) : json_null(), "scale_floor",
            m->higher_is_better ? jx_milli_json(score_floor(m)) : json_null(), "provider_meaning",
            jx_str_or_null(m->provider_meaning), "link",
            acc_arena_printf(ctx->arena, "/api/v1/definitions#%s", m->name));

        json_object_set_new(o, "consumer_meaning", jx_str_or_null(m->consumer_meaning));
        /* speed's default target is the contract's own resolution clock target */
        if (!m->typical_target)
            json_object_set_new(o, "default_target_text",
                                json_string("the contract's resolution target (business minutes)"));
        json_array_append_new(arr, o);
    }
    weights = json_pack("{s:o,s:o,s:o}", "task", jx_milli_json(500), "relationship",
                        jx_milli_json(500), "learning", jx_milli_json(0));
    return http_reply_json(
        ctx, 200,
        json_pack(
            "{s:o,s:{s:i,s:s,s:s,s:s},s:{s:o,s:s,s:s,s:s,s:s},s:s}", "measures", arr, "rules",
            "min_n_default", SCORE_MIN_N, "insufficient_data",
            "a measure with fewer than min_n observations in the period has no score",
            "percentiles", "nearest rank: the value at rank ceil(p x n / 100), rank 1 the smallest",
            "period",
            "a calendar month (2026-10), a quarter (2026-Q4) or a rolling window of N days (30d); "
            "requests count in the period they were resolved in, feedback in the one it was given "
            "in",
            "index", "group_weights_default", weights, "formula",
            "the mean of the group scores weighted by the group weights, each group score the "
            "mean of its scored measures weighted by the measure weights; weights are "
            "renormalised over what is scored",
            "partial",
            "a group of positive weight with an expectation but no scored measure drops out; "
            "the index is then flagged partial",
            "rounding",
            "scores and indices are kept to a millionth of a point, each rounded half up from "
            "its exact formula, and shown with one decimal, rounded half up",
            "no_index", "with no scored measure at all there is no index (insufficient data)",
            "rollup",
            "a department's, service's or the organisation's index is the mean of its contracts' "
            "unrounded indices weighted by requests resolved (a contract with feedback only by "
            "its feedback responses)"));
}
