/* notify_api.c: HTTP handlers of notifications: who gets what, my e-mails, webhooks, the outbox. */
#include "base/acc.h"
#include "jx/jx.h"
#include "notify/notify_api.h"

#include <stdio.h>
#include <stdlib.h>

#define TYPES_IN_MAX 32 /* event types one webhook input may list */

/* ---- types and my choices ---- */

static json_t *type_json(const struct notify_type *t)
{
    return json_pack("{s:s,s:s,s:s,s:b}", "type", t->name, "summary", t->summary, "recipients",
                     t->recipients, "optional", t->optional);
}

int notify_api_types(struct http_ctx *ctx)
{
    struct notify_stats s;
    json_t *items = json_array();
    size_t n;
    const struct notify_type *t = notify_types(&n);

    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, type_json(&t[i]));
    notify_stats_get(&s);
    return http_reply_json(ctx, 200,
                           json_pack("{s:o,s:b}", "items", items, "email_enabled", s.email));
}

static int reply_prefs(struct http_ctx *ctx)
{
    struct notify_pref *p;
    struct notify_stats s;
    json_t *items;
    int n;

    if (notify_prefs_get(ctx->store, ctx->principal.actor.person_id, ctx->arena, &p, &n, &ctx->err))
        return http_reply_err(ctx);
    items = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = type_json(p[i].type);

        json_object_set_new(o, "email", json_boolean(p[i].email));
        json_array_append_new(items, o);
    }
    notify_stats_get(&s);
    return http_reply_json(ctx, 200,
                           json_pack("{s:o,s:b}", "items", items, "email_enabled", s.email));
}

int notify_api_prefs_get(struct http_ctx *ctx)
{
    return reply_prefs(ctx);
}

/* A JSON pointer token for key (RFC 6901: ~ as ~0, / as ~1), cut to fit err->field. */
static const char *pointer(struct acc_arena *arena, const char *prefix, const char *key)
{
    struct acc_buf b;
    char *out;

    acc_buf_init(&b);
    acc_buf_adds(&b, prefix);
    for (const char *p = key; *p && b.len < 56; p++)
        acc_buf_adds(&b, *p == '~' ? "~0" : *p == '/' ? "~1" : (char[2]){*p, 0});
    out = acc_arena_strdup(arena, b.buf);
    acc_buf_release(&b);
    return out;
}

int notify_api_prefs_put(struct http_ctx *ctx)
{
    json_t *obj = NULL, *email = NULL, *v;
    const struct jx_field fields[] = {{"email", JX_ANY, true, 0, &email, NULL}};
    size_t ntypes;
    struct notify_pref *changes;
    const char *key;
    int n = 0, rc;

    notify_types(&ntypes);
    rc = http_body_object(ctx, &obj);
    if (!rc)
        rc = jx_read(obj, fields, ACC_ARRAY_LEN(fields), ctx->arena, &ctx->err);
    if (!rc && !json_is_object(email))
        rc = acc_fail(&ctx->err, ACC_EINVAL, "/email",
                      "email must be an object of event types and true or false");
    if (!rc && json_object_size(email) > ntypes)
        rc = acc_fail(&ctx->err, ACC_EINVAL, "/email", "email names more types than there are");
    changes = acc_arena_alloc(ctx->arena, (ntypes ? ntypes : 1) * sizeof(*changes));
    if (!rc) {
        json_object_foreach(email, key, v)
        {
            const struct notify_type *t = notify_type_find(key);

            if (!t) {
                rc = acc_fail(&ctx->err, ACC_EINVAL, pointer(ctx->arena, "/email/", key),
                              "'%.60s' is not a notification type (see "
                              "/api/v1/notification-types)",
                              key);
                break;
            }
            if (!json_is_boolean(v)) {
                rc = acc_fail(&ctx->err, ACC_EINVAL, pointer(ctx->arena, "/email/", key),
                              "email.%s must be true or false", key);
                break;
            }
            changes[n].type = t;
            changes[n].email = json_is_true(v);
            n++;
        }
    }
    if (!rc)
        rc = notify_prefs_set(ctx->store, &ctx->principal.actor, changes, n, acc_now(), ctx->arena,
                              &ctx->err);
    json_decref(obj);
    if (rc)
        return http_reply_err(ctx);
    return reply_prefs(ctx);
}

/* ---- webhooks ---- */

static json_t *webhook_json(const struct notify_webhook *w)
{
    json_t *types = json_array();

    for (int i = 0; i < w->n_types; i++)
        json_array_append_new(types, json_string(w->event_types[i]));
    return json_pack("{s:I,s:s,s:s,s:o,s:b,s:o,s:o,s:o}", "id", (json_int_t)w->id, "url", w->url,
                     "description", w->description ? w->description : "", "event_types", types,
                     "active", w->active, "created_by",
                     jx_ref(w->created_by.id, w->created_by.name), "created_at",
                     jx_time(w->created_at), "updated_at", jx_time(w->updated_at));
}

/* Reads a webhook's JSON body into in; event_types must be an array of strings. */
static int read_webhook(struct http_ctx *ctx, struct notify_webhook_input *in)
{
    json_t *obj = NULL, *types = NULL, *item;
    const struct jx_field fields[] = {
        {"url", JX_STR, false, NOTIFY_URL_MAX, &in->url, &in->has_url},
        {"secret", JX_STR, false, NOTIFY_SECRET_MAX, &in->secret, &in->has_secret},
        {"description", JX_STR, false, NOTIFY_DESCRIPTION_MAX, &in->description,
         &in->has_description},
        {"active", JX_BOOL, false, 0, &in->active, &in->has_active},
        {"event_types", JX_ANY, false, 0, &types, &in->has_types},
    };
    const char **names;
    size_t i;
    int rc;

    memset(in, 0, sizeof(*in));
    rc = http_body_object(ctx, &obj);
    if (!rc)
        rc = jx_read(obj, fields, ACC_ARRAY_LEN(fields), ctx->arena, &ctx->err);
    if (!rc && in->has_types && !json_is_array(types))
        rc = acc_fail(&ctx->err, ACC_EINVAL, "/event_types",
                      "event_types must be an array of event type names");
    if (!rc && in->has_types && json_array_size(types) > TYPES_IN_MAX)
        rc = acc_fail(&ctx->err, ACC_EINVAL, "/event_types", "event_types lists at most %d names",
                      TYPES_IN_MAX);
    if (!rc && in->has_types) {
        names = acc_arena_alloc(ctx->arena, (json_array_size(types) + 1) * sizeof(*names));
        json_array_foreach(types, i, item)
        {
            if (!json_is_string(item)) {
                rc = acc_fail(&ctx->err, ACC_EINVAL,
                              acc_arena_printf(ctx->arena, "/event_types/%zu", i),
                              "event_types must hold names of event types");
                break;
            }
            names[i] = acc_arena_strdup(ctx->arena, json_string_value(item));
        }
        in->event_types = names;
        in->n_types = (int)json_array_size(types);
    }
    json_decref(obj);
    return rc;
}

int notify_api_webhook_list(struct http_ctx *ctx)
{
    struct notify_webhook *items;
    struct http_page page;
    json_t *arr;
    bool more;
    int n;

    if (http_page_read(ctx, &page) || notify_webhook_list(ctx->store, page.after_id, page.limit,
                                                          ctx->arena, &items, &n, &more, &ctx->err))
        return http_reply_err(ctx);
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, webhook_json(&items[i]));
    return http_reply_json(ctx, 200, http_page_json(arr, more, n ? items[n - 1].id : 0));
}

int notify_api_webhook_create(struct http_ctx *ctx)
{
    struct notify_webhook_input in;
    struct notify_webhook w;
    const char *secret = NULL;
    json_t *o;

    if (read_webhook(ctx, &in) ||
        notify_webhook_create(ctx->store, &ctx->principal.actor, &in, acc_now(), ctx->arena, &w,
                              &secret, &ctx->err))
        return http_reply_err(ctx);
    o = webhook_json(&w);
    /* The one time the secret leaves accord. */
    json_object_set_new(o, "secret", json_string(secret));
    http_header_add(ctx, "Location",
                    acc_arena_printf(ctx->arena, "/api/v1/webhooks/%lld", (long long)w.id));
    return http_reply_json(ctx, 201, o);
}

int notify_api_webhook_get(struct http_ctx *ctx)
{
    struct notify_webhook w;
    int64_t id;

    if (http_param_id(ctx, 0, &id) || notify_webhook_get(ctx->store, id, ctx->arena, &w, &ctx->err))
        return http_reply_err(ctx);
    return http_reply_json(ctx, 200, webhook_json(&w));
}

int notify_api_webhook_update(struct http_ctx *ctx)
{
    struct notify_webhook_input in;
    struct notify_webhook w;
    int64_t id;

    if (http_param_id(ctx, 0, &id) || read_webhook(ctx, &in) ||
        notify_webhook_update(ctx->store, &ctx->principal.actor, id, &in, acc_now(), ctx->arena, &w,
                              &ctx->err))
        return http_reply_err(ctx);
    return http_reply_json(ctx, 200, webhook_json(&w));
}

int notify_api_webhook_delete(struct http_ctx *ctx)
{
    int64_t id;

    if (http_param_id(ctx, 0, &id) ||
        notify_webhook_delete(ctx->store, &ctx->principal.actor, id, ctx->arena, &ctx->err))
        return http_reply_err(ctx);
    return http_reply_empty(ctx, 204);
}

/* ---- the outbox ---- */

static json_t *row_json(const struct notify_row *r)
{
    bool pending = strcmp(r->state, "pending") == 0;
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:o,s:{s:s,s:I},s:o,s:o,s:s,s:i,s:o,s:o,s:o,s:o}", "id",
                  (json_int_t)r->id, "channel", notify_channel_name(r->channel), "event_type",
                  r->event_type, "event_id", jx_str_or_null(r->event_uid), "entity", "type",
                  r->entity, "id", (json_int_t)r->entity_id, "to", jx_str_or_null(r->address),
                  "target_id", r->target_id ? json_integer((json_int_t)r->target_id) : json_null(),
                  "state", r->state, "attempts", r->attempts, "next_attempt_at",
                  pending ? jx_time(r->available_at) : json_null(), "last_error",
                  jx_str_or_null(r->last_error), "created_at", jx_time(r->created_at), "sent_at",
                  jx_time(r->sent_at));

    json_object_set_new(o, "source_id",
                        r->event_id ? json_integer((json_int_t)r->event_id) : json_null());
    if (r->channel == NOTIFY_EVENT)
        json_object_set_new(o, "recipients", jx_from_text(r->recipients));
    if (r->content)
        json_object_set_new(o, "content", json_string(r->content));
    return o;
}

int notify_api_outbox_list(struct http_ctx *ctx)
{
    const char *channel = http_query(ctx, "channel");
    struct notify_filter f = {.state = http_query(ctx, "state"), .channel = -1};
    struct notify_row *items;
    struct http_page page;
    enum notify_channel ch;
    json_t *arr;
    bool more;
    int n;

    if (http_page_read(ctx, &page))
        return http_reply_err(ctx);
    if (channel && notify_channel_parse(channel, &ch))
        return http_reply_fail(ctx, ACC_EINVAL, "/query/channel",
                               "channel must be event, email or webhook");
    if (channel)
        f.channel = (int)ch;
    f.after_id = page.after_id;
    f.limit = page.limit;
    if (notify_outbox_list(ctx->store, &ctx->principal.actor, &f, ctx->arena, &items, &n, &more,
                           &ctx->err))
        return http_reply_err(ctx);
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, row_json(&items[i]));
    return http_reply_json(ctx, 200, http_page_json(arr, more, n ? items[n - 1].id : 0));
}

int notify_api_outbox_get(struct http_ctx *ctx)
{
    struct notify_row r;
    int64_t id;

    if (http_param_id(ctx, 0, &id) ||
        notify_outbox_get(ctx->store, &ctx->principal.actor, id, ctx->arena, &r, &ctx->err))
        return http_reply_err(ctx);
    return http_reply_json(ctx, 200, row_json(&r));
}

int notify_api_outbox_retry(struct http_ctx *ctx)
{
    struct notify_row r;
    int64_t id;

    if (http_param_id(ctx, 0, &id) || notify_outbox_retry(ctx->store, &ctx->principal.actor, id,
                                                          acc_now(), ctx->arena, &r, &ctx->err))
        return http_reply_err(ctx);
    r.content = NULL;
    return http_reply_json(ctx, 200, row_json(&r));
}
