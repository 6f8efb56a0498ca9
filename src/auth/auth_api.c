/* auth_api.c: HTTP handlers for /session, /me and /tokens. */
#include "base/acc.h"
#include "auth/auth_api.h"
#include "jx/jx.h"
#include "org/org_api.h"
#include "store/store.h"

/* The cookie: random, HttpOnly, SameSite=Strict, lives as long as the session. */
static void set_cookie(struct http_ctx *ctx, const char *value, int64_t max_age)
{
    http_header_add(ctx, "Set-Cookie",
                    acc_arena_printf(ctx->arena,
                                     AUTH_COOKIE_NAME "=%s; Path=/; Max-Age=%lld; HttpOnly; "
                                                      "SameSite=Strict%s",
                                     value, (long long)max_age,
                                     http_app_cookie_secure(ctx->app) ? "; Secure" : ""));
}

int auth_api_signin(struct http_ctx *ctx)
{
    const char *email = NULL, *password = NULL;
    const struct jx_field fields[] = {
        {"email", JX_STR, true, ORG_EMAIL_MAX, &email, NULL},
        {"password", JX_STR, true, AUTH_PASSWORD_MAX, &password, NULL},
    };
    struct auth_signin s;
    struct org_person p;
    const char *norm;
    int rc;

    rc = http_body_fields(ctx, fields, ACC_ARRAY_LEN(fields));
    if (rc)
        return http_reply_err(ctx);
    /* A malformed address cannot belong to anyone: the same answer as a wrong password. */
    if (org_email_normalize(email, ctx->arena, &norm, NULL))
        norm = "";
    rc = auth_signin(ctx->store, http_app_limiter(ctx->app), norm, password, ctx->client_addr, &s,
                     &ctx->err);
    if (!rc)
        rc = org_person_get(ctx->store, s.person_id, ctx->arena, &p, &ctx->err);
    if (rc)
        return http_reply_err(ctx);
    set_cookie(ctx, s.token, AUTH_SESSION_SECS);
    return http_reply_json(ctx, 201,
                           json_pack("{s:o,s:s,s:o}", "person", org_person_to_json(&p),
                                     "csrf_token", s.csrf, "expires_at", jx_time(s.expires_at)));
}

int auth_api_signout(struct http_ctx *ctx)
{
    if (auth_session_end(ctx->store, &ctx->principal, &ctx->err))
        return http_reply_err(ctx);
    set_cookie(ctx, "", 0);
    return http_reply_empty(ctx, 204);
}

int auth_api_me(struct http_ctx *ctx)
{
    struct org_person p;
    json_t *body;

    if (org_person_get(ctx->store, ctx->principal.actor.person_id, ctx->arena, &p, &ctx->err))
        return http_reply_err(ctx);
    body = json_pack("{s:o}", "person", org_person_to_json(&p));
    json_object_set_new(body, "csrf_token",
                        jx_str_or_null(ctx->principal.session_id ? ctx->principal.csrf : NULL));
    json_object_set_new(body, "auth", json_string(ctx->principal.session_id ? "session" : "token"));
    return http_reply_json(ctx, 200, body);
}

static json_t *token_to_json(const struct auth_token *t)
{
    return json_pack("{s:I,s:I,s:s,s:o,s:o,s:o}", "id", (json_int_t)t->id, "person_id",
                     (json_int_t)t->person_id, "label", t->label, "created_at",
                     jx_time(t->created_at), "expires_at", jx_time(t->expires_at), "last_used_at",
                     jx_time(t->last_used_at));
}

int auth_api_token_list(struct http_ctx *ctx)
{
    struct auth_token *items;
    struct http_page page;
    json_t *arr;
    bool more;
    int n;

    if (http_page_read(ctx, &page) ||
        auth_token_list(ctx->store, ctx->principal.actor.person_id, page.after_id, page.limit,
                        ctx->arena, &items, &n, &more, &ctx->err))
        return http_reply_err(ctx);
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, token_to_json(&items[i]));
    return http_reply_json(ctx, 200, http_page_json(arr, more, n ? items[n - 1].id : 0));
}

int auth_api_token_create(struct http_ctx *ctx)
{
    const char *label = NULL;
    int64_t days = 0;
    const struct jx_field fields[] = {
        {"label", JX_STR, true, AUTH_LABEL_MAX, &label, NULL},
        {"expires_days", JX_INT, false, 0, &days, NULL},
    };
    char secret[AUTH_SECRET_LEN + 1];
    struct auth_token t;
    json_t *body;
    int rc;

    rc = http_body_fields(ctx, fields, ACC_ARRAY_LEN(fields));
    if (!rc && (days < 0 || days > AUTH_TOKEN_DAYS_MAX))
        rc = acc_fail(&ctx->err, ACC_EINVAL, "/expires_days",
                      "expires_days must be between 0 (never) and %d", AUTH_TOKEN_DAYS_MAX);
    if (!rc)
        rc = auth_token_create(ctx->store, &ctx->principal.actor, ctx->principal.actor.person_id,
                               label, (int)days, ctx->arena, &t, secret, &ctx->err);
    if (rc)
        return http_reply_err(ctx);
    body = token_to_json(&t);
    json_object_set_new(body, "token", json_string(secret));
    return http_reply_json(ctx, 201, body);
}

int auth_api_token_revoke(struct http_ctx *ctx)
{
    int64_t id;

    if (http_param_id(ctx, 0, &id) ||
        auth_token_revoke(ctx->store, &ctx->principal.actor, id, &ctx->err))
        return http_reply_err(ctx);
    return http_reply_empty(ctx, 204);
}
