/* ops.c: operational routes: health, Prometheus metrics, the OpenAPI document. */
#include "base/acc.h"
#include "base/embed.h"
#include "http/http_int.h"
#include "store/store.h"

int http_api_healthz(struct http_ctx *ctx)
{
    int64_t one;

    if (store_query_int(ctx->store, "SELECT 1", NULL, 0, &one, &ctx->err))
        return http_reply_json(
            ctx, 503, json_pack("{s:s,s:s}", "status", "unavailable", "database", "unreachable"));
    return http_reply_json(ctx, 200,
                           json_pack("{s:s,s:s,s:s}", "status", "ok", "version", ACC_VERSION,
                                     "database", store_backend(ctx->store)));
}

int http_api_metrics(struct http_ctx *ctx)
{
    size_t len;
    char *text = http_metrics_text(ctx->app, &len);

    ctx->status = 200;
    ctx->resp = text;
    ctx->resp_len = len;
    ctx->resp_static = false;
    ctx->resp_type = "text/plain; version=0.0.4; charset=utf-8";
    return 0;
}

int http_api_openapi(struct http_ctx *ctx)
{
    if (!acc_api_count)
        ACC_BUG("no OpenAPI document compiled in");
    return http_reply_static(ctx, 200, "application/json", acc_api_files[0].data,
                             acc_api_files[0].len);
}
