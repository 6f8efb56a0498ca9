/* org_api.c: HTTP handlers for /api/v1/departments and /api/v1/people. */
#include "base/acc.h"
#include "auth/auth.h"
#include "jx/jx.h"
#include "org/org_api.h"

json_t *org_department_to_json(const struct org_department *d)
{
    return json_pack("{s:I,s:s,s:b,s:o,s:o,s:o,s:I,s:o,s:o}", "id", (json_int_t)d->id, "name",
                     d->name, "active", d->active, "head", jx_ref(d->head.id, d->head.name),
                     "point_person", jx_ref(d->point_person.id, d->point_person.name), "deputy",
                     jx_ref(d->deputy.id, d->deputy.name), "member_count",
                     (json_int_t)d->member_count, "created_at", jx_time(d->created_at),
                     "updated_at", jx_time(d->updated_at));
}

json_t *org_person_to_json(const struct org_person *p)
{
    return json_pack("{s:I,s:s,s:s,s:o,s:s,s:b,s:o,s:o}", "id", (json_int_t)p->id, "name", p->name,
                     "email", p->email, "department", jx_ref(p->department.id, p->department.name),
                     "role", org_role_name(p->role), "active", p->active, "created_at",
                     jx_time(p->created_at), "updated_at", jx_time(p->updated_at));
}

int org_api_department_list(struct http_ctx *ctx)
{
    struct org_department *items;
    struct http_page page;
    json_t *arr;
    bool more;
    int n;

    if (http_page_read(ctx, &page) || org_department_list(ctx->store, page.after_id, page.limit,
                                                          ctx->arena, &items, &n, &more, &ctx->err))
        return http_reply_err(ctx);
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, org_department_to_json(&items[i]));
    return http_reply_json(ctx, 200, http_page_json(arr, more, n ? items[n - 1].id : 0));
}

int org_api_department_get(struct http_ctx *ctx)
{
    struct org_department d;
    int64_t id;

    if (http_param_id(ctx, 0, &id) || org_department_get(ctx->store, id, ctx->arena, &d, &ctx->err))
        return http_reply_err(ctx);
    return http_reply_json(ctx, 200, org_department_to_json(&d));
}

static int read_department(struct http_ctx *ctx, struct org_department_input *in)
{
    const struct jx_field fields[] = {
        {"name", JX_STR, false, ORG_NAME_MAX, &in->name, &in->has_name},
        {"head_id", JX_ID, false, 0, &in->head_id, &in->has_head},
        {"point_person_id", JX_ID, false, 0, &in->point_person_id, &in->has_point_person},
        {"deputy_id", JX_ID, false, 0, &in->deputy_id, &in->has_deputy},
        {"active", JX_BOOL, false, 0, &in->active, &in->has_active},
    };
    int rc;

    memset(in, 0, sizeof(*in));
    rc = http_body_fields(ctx, fields, ACC_ARRAY_LEN(fields));
    return rc;
}

int org_api_department_create(struct http_ctx *ctx)
{
    struct org_department_input in;
    struct org_department d;

    if (read_department(ctx, &in) ||
        org_department_create(ctx->store, &ctx->principal.actor, &in, ctx->arena, &d, &ctx->err))
        return http_reply_err(ctx);
    http_header_add(ctx, "Location",
                    acc_arena_printf(ctx->arena, "/api/v1/departments/%lld", (long long)d.id));
    return http_reply_json(ctx, 201, org_department_to_json(&d));
}

int org_api_department_update(struct http_ctx *ctx)
{
    struct org_department_input in;
    struct org_department d;
    int64_t id;

    if (http_param_id(ctx, 0, &id) || read_department(ctx, &in) ||
        org_department_update(ctx->store, &ctx->principal.actor, id, &in, ctx->arena, &d,
                              &ctx->err))
        return http_reply_err(ctx);
    return http_reply_json(ctx, 200, org_department_to_json(&d));
}

int org_api_person_list(struct http_ctx *ctx)
{
    struct org_person_filter f = {.active = -1};
    const char *active = http_query(ctx, "active");
    struct org_person *items;
    struct http_page page;
    json_t *arr;
    bool more;
    int n;

    if (http_page_read(ctx, &page) || http_query_id(ctx, "department", &f.department_id))
        return http_reply_err(ctx);
    if (active && strcmp(active, "true") != 0 && strcmp(active, "false") != 0)
        return http_reply_fail(ctx, ACC_EINVAL, "/query/active", "active must be true or false");
    if (active)
        f.active = strcmp(active, "true") == 0;
    f.q = http_query(ctx, "q");
    if (f.q && (!*f.q || strlen(f.q) > ORG_NAME_MAX))
        return http_reply_fail(ctx, ACC_EINVAL, "/query/q", "q must be 1 to %d bytes",
                               ORG_NAME_MAX);
    f.after_id = page.after_id;
    f.limit = page.limit;
    if (org_person_list(ctx->store, &f, ctx->arena, &items, &n, &more, &ctx->err))
        return http_reply_err(ctx);
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, org_person_to_json(&items[i]));
    return http_reply_json(ctx, 200, http_page_json(arr, more, n ? items[n - 1].id : 0));
}

int org_api_person_get(struct http_ctx *ctx)
{
    struct org_person p;
    int64_t id;

    if (http_param_id(ctx, 0, &id) || org_person_get(ctx->store, id, ctx->arena, &p, &ctx->err))
        return http_reply_err(ctx);
    return http_reply_json(ctx, 200, org_person_to_json(&p));
}

static int read_person(struct http_ctx *ctx, struct org_person_input *in)
{
    const char *role = NULL, *password = NULL;
    bool has_role = false, has_password = false;
    const struct jx_field fields[] = {
        {"name", JX_STR, false, ORG_NAME_MAX, &in->name, &in->has_name},
        {"email", JX_STR, false, ORG_EMAIL_MAX, &in->email, &in->has_email},
        {"department_id", JX_ID, false, 0, &in->department_id, &in->has_department},
        {"role", JX_STR, false, 32, &role, &has_role},
        {"active", JX_BOOL, false, 0, &in->active, &in->has_active},
        {"password", JX_STR, false, AUTH_PASSWORD_MAX, &password, &has_password},
    };
    int rc;

    memset(in, 0, sizeof(*in));
    rc = http_body_fields(ctx, fields, ACC_ARRAY_LEN(fields));
    if (!rc && has_role) {
        in->has_role = true;
        rc = org_role_parse(role, &in->role, &ctx->err);
    }
    if (!rc && has_password) {
        char *hash = acc_arena_alloc(ctx->arena, AUTH_HASH_MAX);

        rc = auth_password_hash(password, hash, &ctx->err);
        in->password_hash = hash;
    }
    return rc;
}

int org_api_person_create(struct http_ctx *ctx)
{
    struct org_person_input in;
    struct org_person p;

    if (read_person(ctx, &in) ||
        org_person_create(ctx->store, &ctx->principal.actor, &in, ctx->arena, &p, &ctx->err))
        return http_reply_err(ctx);
    http_header_add(ctx, "Location",
                    acc_arena_printf(ctx->arena, "/api/v1/people/%lld", (long long)p.id));
    return http_reply_json(ctx, 201, org_person_to_json(&p));
}

int org_api_person_update(struct http_ctx *ctx)
{
    struct org_person_input in;
    struct org_person p;
    int64_t id;

    if (http_param_id(ctx, 0, &id) || read_person(ctx, &in) ||
        org_person_update(ctx->store, &ctx->principal.actor, id, &in, ctx->arena, &p, &ctx->err))
        return http_reply_err(ctx);
    return http_reply_json(ctx, 200, org_person_to_json(&p));
}
