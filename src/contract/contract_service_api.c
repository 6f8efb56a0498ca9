/* contract_service_api.c: HTTP handlers for /api/v1/services, the service catalogue. */
#include "base/acc.h"
#include "contract/contract_service_api.h"
#include "jx/jx.h"

json_t *contract_service_to_json(const struct contract_service *s)
{
    /* outcome_series is the seam for the external outcome series of SPEC 6.6: none yet. */
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:n,s:o,s:o,s:o,s:b,s:I,s:o,s:o}", "id",
                     (json_int_t)s->id, "name", s->name, "description", s->description, "process",
                     s->process, "outcome", s->outcome, "outcome_series", "provider",
                     jx_ref(s->provider.id, s->provider.name), "point_person",
                     jx_ref(s->point_person.id, s->point_person.name), "deputy",
                     jx_ref(s->deputy.id, s->deputy.name), "active", s->active, "active_contracts",
                     (json_int_t)s->active_contracts, "created_at", jx_time(s->created_at),
                     "updated_at", jx_time(s->updated_at));
}

int contract_api_service_list(struct http_ctx *ctx)
{
    struct contract_service_filter f = {.active = -1};
    const char *active = http_query(ctx, "active");
    struct contract_service *items;
    struct http_page page;
    json_t *arr;
    bool more;
    int n;

    if (http_page_read(ctx, &page) || http_query_id(ctx, "provider", &f.provider_id))
        return http_reply_err(ctx);
    if (active && strcmp(active, "true") != 0 && strcmp(active, "false") != 0)
        return http_reply_fail(ctx, ACC_EINVAL, "/query/active", "active must be true or false");
    if (active)
        f.active = strcmp(active, "true") == 0;
    f.after_id = page.after_id;
    f.limit = page.limit;
    if (contract_service_list(ctx->store, &f, ctx->arena, &items, &n, &more, &ctx->err))
        return http_reply_err(ctx);
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, contract_service_to_json(&items[i]));
    return http_reply_json(ctx, 200, http_page_json(arr, more, n ? items[n - 1].id : 0));
}

int contract_api_service_get(struct http_ctx *ctx)
{
    struct contract_service s;
    int64_t id;

    if (http_param_id(ctx, 0, &id) ||
        contract_service_get(ctx->store, id, ctx->arena, &s, &ctx->err))
        return http_reply_err(ctx);
    return http_reply_json(ctx, 200, contract_service_to_json(&s));
}

static int read_service(struct http_ctx *ctx, struct contract_service_input *in)
{
    const struct jx_field fields[] = {
        {"name", JX_STR, false, CONTRACT_NAME_MAX, &in->name, &in->has_name},
        {"description", JX_STR, false, CONTRACT_TEXT_MAX, &in->description, &in->has_description},
        {"process", JX_STR, false, CONTRACT_TEXT_MAX, &in->process, &in->has_process},
        {"outcome", JX_STR, false, CONTRACT_TEXT_MAX, &in->outcome, &in->has_outcome},
        {"provider_id", JX_ID, false, 0, &in->provider_id, &in->has_provider},
        {"point_person_id", JX_ID, false, 0, &in->point_person_id, &in->has_point_person},
        {"deputy_id", JX_ID, false, 0, &in->deputy_id, &in->has_deputy},
        {"active", JX_BOOL, false, 0, &in->active, &in->has_active},
    };
    int rc;

    memset(in, 0, sizeof(*in));
    rc = http_body_fields(ctx, fields, ACC_ARRAY_LEN(fields));
    return rc;
}

int contract_api_service_create(struct http_ctx *ctx)
{
    struct contract_service_input in;
    struct contract_service s;

    if (read_service(ctx, &in) ||
        contract_service_create(ctx->store, &ctx->principal.actor, &in, ctx->arena, &s, &ctx->err))
        return http_reply_err(ctx);
    http_header_add(ctx, "Location",
                    acc_arena_printf(ctx->arena, "/api/v1/services/%lld", (long long)s.id));
    return http_reply_json(ctx, 201, contract_service_to_json(&s));
}

int contract_api_service_update(struct http_ctx *ctx)
{
    struct contract_service_input in;
    struct contract_service s;
    int64_t id;

    if (http_param_id(ctx, 0, &id) || read_service(ctx, &in) ||
        contract_service_update(ctx->store, &ctx->principal.actor, id, &in, ctx->arena, &s,
                                &ctx->err))
        return http_reply_err(ctx);
    return http_reply_json(ctx, 200, contract_service_to_json(&s));
}
