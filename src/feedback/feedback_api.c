/* feedback_api.c: HTTP handlers for giving, changing and reading feedback. */
#include "base/acc.h"
#include "feedback/feedback.h"
#include "feedback/feedback_api.h"
#include "jx/jx.h"

#include <stdio.h>

/* The JSON form of f: the ratings of its side only, the rater as feedback.c left it. */
static json_t *feedback_json(const struct feedback *f)
{
    json_t *o =
        json_pack("{s:I,s:I,s:I,s:i,s:o,s:o,s:s}", "id", (json_int_t)f->id, "request_id",
                  (json_int_t)f->request_id, "contract_id", (json_int_t)f->contract_id, "version",
                  f->version, "provider", jx_ref(f->provider.id, f->provider.name), "consumer",
                  jx_ref(f->consumer.id, f->consumer.name), "side", measure_side_name(f->side));

    for (int r = 0; r < SCORE_RATINGS; r++)
        if (feedback_rates(f->side, r))
            json_object_set_new(o, score_rating_name(r),
                                f->ratings[r] ? json_integer(f->ratings[r]) : json_null());
    if (f->side == MEASURE_PROVIDER)
        json_object_set_new(o, "not_right_first_time", json_boolean(f->not_right));
    json_object_set_new(o, "comment", json_string(f->comment));
    json_object_set_new(o, "signed", json_boolean(f->is_signed));
    json_object_set_new(o, "rater", jx_ref(f->rater.id, f->rater.name));
    json_object_set_new(o, "mine", json_boolean(f->mine));
    json_object_set_new(o, "editable", json_boolean(f->editable));
    json_object_set_new(o, "given_at", jx_time(f->given_at));
    json_object_set_new(o, "updated_at", jx_time(f->updated_at));
    json_object_set_new(o, "editable_until", jx_time(f->editable_until));
    return o;
}

/*
 * Reads the body into in. Ratings are integers 1-5 or null (not given; on PATCH, cleared);
 * every other type or value is 400 at the rating's pointer.
 */
static int read_input(struct http_ctx *ctx, struct feedback_input *in)
{
    json_t *obj, *ratings[SCORE_RATINGS] = {NULL};
    struct jx_field fields[SCORE_RATINGS + 3] = {
        {"not_right_first_time", JX_BOOL, false, 0, &in->not_right, &in->has_not_right},
        {"comment", JX_STR, false, FEEDBACK_COMMENT_MAX, &in->comment, &in->has_comment},
        {"signed", JX_BOOL, false, 0, &in->is_signed, &in->has_signed},
    };
    int rc;

    memset(in, 0, sizeof(*in));
    for (int r = 0; r < SCORE_RATINGS; r++)
        fields[3 + r] = (struct jx_field){score_rating_name(r), JX_ANY, false, 0, &ratings[r],
                                          &in->has_rating[r]};
    rc = http_body_object(ctx, &obj);
    if (rc)
        return rc;
    rc = jx_read(obj, fields, ACC_ARRAY_LEN(fields), ctx->arena, &ctx->err);
    for (int r = 0; !rc && r < SCORE_RATINGS; r++) {
        json_int_t v;
        char field[32];

        if (!in->has_rating[r] || json_is_null(ratings[r]))
            continue;
        v = json_is_integer(ratings[r]) ? json_integer_value(ratings[r]) : 0;
        if (v < 1 || v > 5) {
            snprintf(field, sizeof(field), "/%s", score_rating_name(r));
            rc = acc_fail(&ctx->err, ACC_EINVAL, field, "%s must be an integer 1 to 5 or null",
                          score_rating_name(r));
        }
        in->ratings[r] = (int)v;
    }
    json_decref(obj);
    return rc;
}

static int reply_one(struct http_ctx *ctx, int status, const struct feedback *f)
{
    if (status == 201)
        http_header_add(ctx, "Location",
                        acc_arena_printf(ctx->arena, "/api/v1/feedback/%lld", (long long)f->id));
    return http_reply_json(ctx, status, feedback_json(f));
}

int feedback_api_give(struct http_ctx *ctx)
{
    struct feedback_input in;
    struct feedback f;
    int64_t id;

    if (http_param_id(ctx, 0, &id) || read_input(ctx, &in) ||
        feedback_give(ctx->store, &ctx->principal.actor, id, &in, acc_now(), ctx->arena, &f,
                      &ctx->err))
        return http_reply_err(ctx);
    return reply_one(ctx, 201, &f);
}

int feedback_api_update(struct http_ctx *ctx)
{
    struct feedback_input in;
    struct feedback f;
    int64_t id;

    if (http_param_id(ctx, 0, &id) || read_input(ctx, &in) ||
        feedback_update(ctx->store, &ctx->principal.actor, id, &in, acc_now(), ctx->arena, &f,
                        &ctx->err))
        return http_reply_err(ctx);
    return reply_one(ctx, 200, &f);
}

int feedback_api_get(struct http_ctx *ctx)
{
    struct feedback f;
    int64_t id;

    if (http_param_id(ctx, 0, &id) ||
        feedback_get(ctx->store, &ctx->principal.actor, id, acc_now(), ctx->arena, &f, &ctx->err))
        return http_reply_err(ctx);
    return reply_one(ctx, 200, &f);
}

int feedback_api_of_request(struct http_ctx *ctx)
{
    struct feedback *items;
    json_t *arr;
    int64_t id;
    int n;

    if (http_param_id(ctx, 0, &id) ||
        feedback_of_request(ctx->store, &ctx->principal.actor, id, acc_now(), ctx->arena, &items,
                            &n, &ctx->err))
        return http_reply_err(ctx);
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, feedback_json(&items[i]));
    return http_reply_json(ctx, 200, json_pack("{s:o}", "items", arr));
}

int feedback_api_list(struct http_ctx *ctx)
{
    struct feedback_filter f = {0};
    const char *side = http_query(ctx, "side"), *period = http_query(ctx, "period");
    struct feedback *items;
    struct http_page page;
    int64_t now = acc_now();
    json_t *arr;
    bool more;
    int n;

    if (http_page_read(ctx, &page) || http_query_id(ctx, "contract", &f.contract_id))
        return http_reply_err(ctx);
    if (side) {
        enum measure_side s;

        if (measure_side_parse(side, "/query/side", &s, &ctx->err))
            return http_reply_err(ctx);
        f.side = s;
    }
    if (period) {
        struct score_period p;

        if (score_period_parse(period, "/query/period", &p, &ctx->err))
            return http_reply_err(ctx);
        score_period_bounds(&p, now, &f.from, &f.to);
    }
    f.after_id = page.after_id;
    f.limit = page.limit;
    if (feedback_list(ctx->store, &ctx->principal.actor, &f, now, ctx->arena, &items, &n, &more,
                      &ctx->err))
        return http_reply_err(ctx);
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, feedback_json(&items[i]));
    return http_reply_json(ctx, 200, http_page_json(arr, more, n ? items[n - 1].id : 0));
}
