/* request_import_api.c: POST /api/v1/imports/requests: request history as a CSV body. */
#include "base/acc.h"
#include "jx/jx.h"
#include "request/request_import.h"
#include "request/request_import_api.h"

/* ?name=true|false (absent: false); ACC_EINVAL at /query/name otherwise. */
static int query_flag(struct http_ctx *ctx, const char *name, bool *out)
{
    const char *v = http_query(ctx, name);

    *out = v && strcmp(v, "true") == 0;
    if (v && !*out && strcmp(v, "false") != 0)
        return acc_fail(&ctx->err, ACC_EINVAL, acc_arena_printf(ctx->arena, "/query/%s", name),
                        "%s must be true or false", name);
    return ACC_OK;
}

static json_t *bad_json(const struct request_import_result *res)
{
    json_t *arr = json_array();

    for (int i = 0; i < res->n_bad_rows; i++) {
        const struct request_import_bad *b = &res->bad_rows[i];

        json_array_append_new(arr, json_pack("{s:i,s:o,s:s}", "line", b->line, "column",
                                             jx_str_or_null(*b->column ? b->column : NULL),
                                             "detail", b->detail));
    }
    return arr;
}

/*
 * The 400 of a refused file: an RFC 9457 problem whose detail is the first bad row, with
 * its line and column as members, and every bad row in "bad".
 */
static int reply_refused(struct http_ctx *ctx, const struct request_import_result *res)
{
    const struct request_import_bad *first = &res->bad_rows[0];
    json_t *p;

    p = json_pack("{s:s,s:s,s:i,s:s,s:s,s:i,s:o,s:o}", "type", "urn:accord:problem:invalid-input",
                  "title", "Invalid input", "status", 400, "detail",
                  request_import_bad_text(first, ctx->arena), "request_id", ctx->request_id, "line",
                  first->line, "column", jx_str_or_null(*first->column ? first->column : NULL),
                  "bad", bad_json(res));
    acc_fail(&ctx->err, ACC_EINVAL, "", "%s", request_import_bad_text(first, ctx->arena));
    http_reply_json(ctx, 400, p);
    ctx->resp_type = "application/problem+json";
    return 0;
}

int request_import_api_requests(struct http_ctx *ctx)
{
    const char *ct = ctx->content_type;
    struct request_import_options opt = {0};
    struct request_import_result res = {0};

    if (!ct || strncmp(ct, "text/csv", 8) != 0 || (ct[8] && ct[8] != ';'))
        return http_reply_fail(ctx, ACC_EMEDIA, "", "send the body as text/csv");
    if (query_flag(ctx, "skip_bad", &opt.skip_bad) || query_flag(ctx, "dry_run", &opt.dry_run))
        return http_reply_err(ctx);
    opt.importer = &ctx->principal.actor;
    opt.now = acc_now();
    if (request_import(ctx->store, http_app_zones(ctx->app), ctx->body ? ctx->body : "",
                       ctx->body ? ctx->body_len : 0, &opt, ctx->arena, &res, &ctx->err))
        return http_reply_err(ctx);
    if (res.refused)
        return reply_refused(ctx, &res);
    return http_reply_json(ctx, res.stored ? 201 : 200,
                           json_pack("{s:I,s:I,s:I,s:o,s:b}", "rows", (json_int_t)res.rows, "added",
                                     (json_int_t)res.added, "existing", (json_int_t)res.existing,
                                     "bad", bad_json(&res), "dry_run", opt.dry_run));
}
