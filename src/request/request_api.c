/* request_api.c: HTTP handlers for /api/v1/requests: raising, lists, moves, conversation. */
#include "base/acc.h"
#include "base/jw.h"
#include "base/log.h"
#include "calendar/calendar_db.h"
#include "jx/jx.h"
#include "request/request_api.h"

#include <stdio.h>
#include <stdlib.h>

/* Engine calendars loaded for one exchange: a queue page may span a few contracts. */
#define CAL_MEMO 8
struct cal_memo {
    int n;
    int64_t id[CAL_MEMO];
    struct calendar cal[CAL_MEMO];
};

static const struct calendar *memo_get(struct http_ctx *ctx, struct cal_memo *m, int64_t id)
{
    struct acc_err e;

    for (int i = 0; i < m->n; i++)
        if (m->id[i] == id)
            return &m->cal[i];
    if (m->n == CAL_MEMO)
        return NULL; /* a page over more calendars: the rest show UTC only */
    if (calendar_record_load(ctx->store, id, http_app_zones(ctx->app), ctx->arena, &m->cal[m->n],
                             &e)) {
        /* The reply still holds the stored UTC instants; say why local times are missing. */
        acc_log(ACC_LOG_WARN, "calendar not loaded for a request reply", "calendar_id",
                acc_log_int(id), "error", e.msg, "request_id", ctx->request_id, NULL);
        return NULL;
    }
    m->id[m->n] = id;
    return &m->cal[m->n++];
}

static void memo_release(struct cal_memo *m)
{
    for (int i = 0; i < m->n; i++)
        calendar_release(&m->cal[i]);
    m->n = 0;
}

/* Business minutes from now until due (negative: overdue), on cal; null without cal. */
static void remaining_write(struct acc_jw *w, const char *key, const struct calendar *cal,
                            int64_t now, int64_t due)
{
    int64_t secs = 0;
    struct acc_err e;

    if (!cal || (due >= now ? calendar_business_secs(cal, now, due, &secs, &e)
                            : calendar_business_secs(cal, due, now, &secs, &e))) {
        acc_jw_null(w, key);
        return;
    }
    acc_jw_int(w, key, (due >= now ? secs : -secs) / 60);
}

static void local_write(struct acc_jw *w, const char *key, const struct calendar *cal, int64_t at)
{
    char b[32];

    if (!cal || !at) {
        acc_jw_null(w, key);
        return;
    }
    calendar_local_format(cal->tz, at, true, b);
    acc_jw_str(w, key, b);
}

static void met_write(struct acc_jw *w, const char *key, int met)
{
    if (met < 0)
        acc_jw_null(w, key);
    else
        acc_jw_bool(w, key, met);
}

/* What who may do to r now: the same rules as the calls that do it. */
static void may_write(struct acc_jw *w, const struct request *r, const struct org_actor *who)
{
    struct request_may may;

    request_may_of(r, who, &may);
    acc_jw_obj(w, "may");
    acc_jw_arr(w, "moves");
    for (int to = 0; to < REQUEST_STATUSES; to++)
        if (may.moves & (1u << to))
            acc_jw_str(w, NULL, request_status_name((enum request_status)to));
    acc_jw_close(w, ']');
    acc_jw_bool(w, "comment", may.comment);
    acc_jw_bool(w, "internal_note", may.internal_note);
    acc_jw_bool(w, "escalate", may.escalate);
    acc_jw_bool(w, "reassign", may.reassign);
    acc_jw_close(w, '}');
}

void request_json_write(struct acc_jw *w, const char *key, const struct request *r,
                        const struct org_actor *who, const struct calendar *cal, int64_t now)
{
    const struct request_clocks *c = &r->clocks;
    bool response_running = !c->responded_at, resolution_running = !c->resolved_at;

    acc_jw_obj(w, key);
    acc_jw_int(w, "id", r->id);
    acc_jw_int(w, "contract_id", r->contract_id);
    acc_jw_int(w, "version", r->version_number);
    acc_jw_ref(w, "service", r->service.id, r->service.name);
    acc_jw_ref(w, "provider", r->provider.id, r->provider.name);
    acc_jw_ref(w, "consumer", r->consumer.id, r->consumer.name);
    acc_jw_str(w, "title", r->title);
    acc_jw_str(w, "description", r->description);
    acc_jw_str(w, "priority", r->priority);
    acc_jw_str(w, "external_ref", r->external_ref);
    acc_jw_ref(w, "requester", r->requester.id, r->requester.name);
    acc_jw_ref(w, "assignee", r->assignee.id, r->assignee.name);
    acc_jw_str(w, "status", request_status_name(r->status));
    acc_jw_obj(w, "clocks");
    acc_jw_obj(w, "response");
    acc_jw_int(w, "target_minutes", c->response_target_secs / 60);
    acc_jw_time(w, "due_at", c->response_due_at);
    local_write(w, "due_local", cal, c->response_due_at);
    acc_jw_time(w, "stopped_at", c->responded_at);
    met_write(w, "met", c->response_met);
    if (response_running)
        remaining_write(w, "remaining_business_minutes", cal, now, c->response_due_at);
    else
        acc_jw_null(w, "remaining_business_minutes");
    acc_jw_close(w, '}');
    acc_jw_obj(w, "resolution");
    acc_jw_int(w, "target_minutes", c->resolution_target_secs / 60);
    acc_jw_time(w, "due_at", c->resolution_due_at);
    local_write(w, "due_local", cal, c->resolution_due_at);
    acc_jw_bool(w, "paused", c->paused_since != 0 && resolution_running);
    acc_jw_int(w, "paused_business_minutes", c->paused_secs / 60);
    acc_jw_time(w, "stopped_at", c->resolved_at);
    if (c->resolved_at)
        acc_jw_int(w, "business_minutes", c->resolution_secs / 60);
    else
        acc_jw_null(w, "business_minutes");
    met_write(w, "met", c->resolution_met);
    if (resolution_running && !c->paused_since)
        remaining_write(w, "remaining_business_minutes", cal, now, c->resolution_due_at);
    else
        acc_jw_null(w, "remaining_business_minutes");
    acc_jw_close(w, '}');
    acc_jw_close(w, '}');
    acc_jw_int(w, "reopen_count", r->reopen_count);
    acc_jw_int(w, "missing_info_count", r->missing_info_count);
    acc_jw_time(w, "next_escalation_at", r->next_fire_at);
    acc_jw_bool(w, "imported", r->imported);
    acc_jw_time(w, "closed_at", r->closed_at);
    acc_jw_time(w, "created_at", r->created_at);
    acc_jw_time(w, "updated_at", r->updated_at);
    acc_jw_obj(w, "calendar");
    acc_jw_int(w, "id", r->calendar_id);
    acc_jw_str(w, "name", r->calendar_name);
    acc_jw_str(w, "zone", r->calendar_zone);
    acc_jw_close(w, '}');
    may_write(w, r, who);
    acc_jw_close(w, '}');
}

/* ---- lists ---- */

static int query_bool(struct http_ctx *ctx, const char *name, int *out)
{
    const char *v = http_query(ctx, name);

    *out = -1;
    if (!v)
        return ACC_OK;
    if (strcmp(v, "true") == 0)
        *out = 1;
    else if (strcmp(v, "false") == 0)
        *out = 0;
    else
        return acc_fail(&ctx->err, ACC_EINVAL, acc_arena_printf(ctx->arena, "/query/%s", name),
                        "%s must be true or false", name);
    return ACC_OK;
}

static int query_time(struct http_ctx *ctx, const char *name, int64_t *out)
{
    const char *v = http_query(ctx, name);

    *out = 0;
    if (v && acc_time_parse(v, out))
        return acc_fail(&ctx->err, ACC_EINVAL, acc_arena_printf(ctx->arena, "/query/%s", name),
                        "%s must be an RFC 3339 instant such as 2026-01-31T17:00:00Z", name);
    return ACC_OK;
}

static int read_filter(struct http_ctx *ctx, struct request_filter *f)
{
    const char *status = http_query(ctx, "status"), *sort = http_query(ctx, "sort");
    enum request_status s;
    int open = -1, rc;

    memset(f, 0, sizeof(*f));
    f->status = -1;
    f->now = acc_now();
    f->q = http_query(ctx, "q"); /* checked by request_list() and request_count() */
    if (status && request_status_parse(status, &s))
        return acc_fail(&ctx->err, ACC_EINVAL, "/query/status",
                        "status must be open, in_progress, waiting_on_consumer, resolved, "
                        "reopened or closed");
    if (status)
        f->status = (int)s;
    if (sort && strcmp(sort, "resolution_due") == 0)
        f->sort = REQUEST_SORT_DUE;
    else if (sort && strcmp(sort, "id") != 0)
        return acc_fail(&ctx->err, ACC_EINVAL, "/query/sort", "sort must be id or resolution_due");
    rc = http_query_id(ctx, "provider", &f->provider_id);
    if (!rc)
        rc = http_query_id(ctx, "consumer", &f->consumer_id);
    if (!rc)
        rc = http_query_id(ctx, "service", &f->service_id);
    if (!rc)
        rc = http_query_id(ctx, "contract", &f->contract_id);
    if (!rc)
        rc = http_query_id(ctx, "assignee", &f->assignee_id);
    if (!rc)
        rc = query_bool(ctx, "breached", &f->breached);
    if (!rc)
        rc = query_bool(ctx, "open", &open);
    if (!rc)
        rc = query_time(ctx, "due_before", &f->due_before);
    if (!rc)
        rc = query_time(ctx, "raised_from", &f->raised_from);
    if (!rc)
        rc = query_time(ctx, "raised_to", &f->raised_to);
    f->open = open;
    return rc;
}

int request_api_list(struct http_ctx *ctx)
{
    char cursor[HTTP_CURSOR_MAX], *text;
    struct acc_jw w;
    size_t len;
    struct request_filter f;
    struct request *items;
    struct http_page page;
    struct cal_memo memo = {0};
    bool more;
    int n;

    if (http_page_read_keyed(ctx, &page) || read_filter(ctx, &f))
        return http_reply_err(ctx);
    /* Each order has its own cursor: one of the other cannot continue it. */
    if (page.after_id && page.keyed != (f.sort == REQUEST_SORT_DUE)) {
        acc_fail(&ctx->err, ACC_EINVAL, "/query/cursor", "cursor is not valid for this sort");
        return http_reply_err(ctx);
    }
    f.after_id = page.after_id;
    f.after_due = page.after_key;
    f.limit = page.limit;
    if (request_list(ctx->store, &ctx->principal.actor, &f, ctx->arena, &items, &n, &more,
                     &ctx->err))
        return http_reply_err(ctx);
    acc_jw_begin(&w);
    acc_jw_arr(&w, "items");
    for (int i = 0; i < n; i++)
        request_json_write(&w, NULL, &items[i], &ctx->principal.actor,
                           memo_get(ctx, &memo, items[i].calendar_id), f.now);
    acc_jw_close(&w, ']');
    memo_release(&memo);
    acc_jw_str(&w, "next_cursor",
               http_page_cursor(cursor, more, f.sort == REQUEST_SORT_DUE,
                                n ? items[n - 1].clocks.resolution_due_at : 0,
                                n ? items[n - 1].id : 0));
    text = acc_jw_detach(&w, &len);
    return http_reply_json_text(ctx, 200, text, len);
}

int request_api_count(struct http_ctx *ctx)
{
    struct request_filter f;
    int64_t count = 0;

    if (read_filter(ctx, &f) ||
        request_count(ctx->store, &ctx->principal.actor, &f, &count, &ctx->err))
        return http_reply_err(ctx);
    return http_reply_json(ctx, 200, json_pack("{s:I}", "count", (json_int_t)count));
}

/* ---- one request ---- */

static int reply_request(struct http_ctx *ctx, int status, const struct request *r)
{
    struct cal_memo memo = {0};
    struct acc_jw w;
    char *text;
    size_t len;

    acc_jw_start(&w);
    request_json_write(&w, NULL, r, &ctx->principal.actor, memo_get(ctx, &memo, r->calendar_id),
                       acc_now());
    memo_release(&memo);
    if (status == 201)
        http_header_add(ctx, "Location",
                        acc_arena_printf(ctx->arena, "/api/v1/requests/%lld", (long long)r->id));
    text = acc_jw_take(&w, &len);
    return http_reply_json_text(ctx, status, text, len);
}

int request_api_get(struct http_ctx *ctx)
{
    struct request r;
    int64_t id;

    if (http_param_id(ctx, 0, &id) ||
        request_get(ctx->store, &ctx->principal.actor, id, ctx->arena, &r, &ctx->err))
        return http_reply_err(ctx);
    return reply_request(ctx, 200, &r);
}

int request_api_create(struct http_ctx *ctx)
{
    struct request_input in = {0};
    const struct jx_field fields[] = {
        {"contract_id", JX_ID, true, 0, &in.contract_id, NULL},
        {"title", JX_STR, true, REQUEST_TITLE_MAX, &in.title, NULL},
        {"description", JX_STR, false, REQUEST_TEXT_MAX, &in.description, NULL},
        {"priority", JX_STR, false, ORG_NAME_MAX, &in.priority, NULL},
        {"external_ref", JX_STR, false, REQUEST_EXTERNAL_MAX, &in.external_ref, NULL},
    };
    struct request r;
    int rc;

    rc = http_body_fields(ctx, fields, ACC_ARRAY_LEN(fields));
    if (!rc && !in.contract_id)
        rc = acc_fail(&ctx->err, ACC_EINVAL, "/contract_id", "contract_id is required");
    if (rc || request_create(ctx->store, http_app_zones(ctx->app), &ctx->principal.actor, &in,
                             acc_now(), ctx->arena, &r, &ctx->err))
        return http_reply_err(ctx);
    return reply_request(ctx, 201, &r);
}

int request_api_update(struct http_ctx *ctx)
{
    int64_t id, assignee = 0;
    const struct jx_field fields[] = {{"assignee_id", JX_ID, true, 0, &assignee, NULL}};
    struct request r;
    int rc;

    if (http_param_id(ctx, 0, &id))
        return http_reply_err(ctx);
    rc = http_body_fields(ctx, fields, 1);
    if (!rc && !assignee)
        rc = acc_fail(&ctx->err, ACC_EINVAL, "/assignee_id", "a request always has an assignee");
    if (rc || request_assign(ctx->store, &ctx->principal.actor, id, assignee, acc_now(), ctx->arena,
                             &r, &ctx->err))
        return http_reply_err(ctx);
    return reply_request(ctx, 200, &r);
}

int request_api_transition(struct http_ctx *ctx)
{
    const char *to = NULL, *reason = NULL;
    bool missing = false;
    const struct jx_field fields[] = {
        {"to", JX_STR, true, 32, &to, NULL},
        {"reason", JX_STR, false, REQUEST_REASON_MAX, &reason, NULL},
        {"missing_information", JX_BOOL, false, 0, &missing, NULL},
    };
    enum request_status status;
    struct request r;
    int64_t id;
    int rc;

    if (http_param_id(ctx, 0, &id))
        return http_reply_err(ctx);
    rc = http_body_fields(ctx, fields, ACC_ARRAY_LEN(fields));
    if (!rc && request_status_parse(to, &status))
        rc = acc_fail(&ctx->err, ACC_EINVAL, "/to",
                      "to must be in_progress, waiting_on_consumer, resolved, reopened or closed");
    if (!rc && missing && status != REQUEST_WAITING)
        rc = acc_fail(&ctx->err, ACC_EINVAL, "/missing_information",
                      "missing_information goes with a move to waiting_on_consumer");
    if (rc || request_move(ctx->store, http_app_zones(ctx->app), &ctx->principal.actor, id, status,
                           reason, missing ? REQUEST_WAIT_MISSING_INFO : REQUEST_WAIT_OTHER,
                           acc_now(), ctx->arena, &r, &ctx->err))
        return http_reply_err(ctx);
    return reply_request(ctx, 200, &r);
}

int request_api_escalate(struct http_ctx *ctx)
{
    struct request r;
    int64_t id;

    if (http_param_id(ctx, 0, &id) ||
        request_escalate(ctx->store, http_app_zones(ctx->app), &ctx->principal.actor, id, acc_now(),
                         ctx->arena, &r, &ctx->err))
        return http_reply_err(ctx);
    return reply_request(ctx, 200, &r);
}

/* ---- conversation and timeline ---- */

static json_t *comment_json(const struct request_comment *c)
{
    return json_pack("{s:I,s:I,s:o,s:b,s:s,s:o}", "id", (json_int_t)c->id, "request_id",
                     (json_int_t)c->request_id, "author", jx_ref(c->author.id, c->author.name),
                     "internal", c->internal, "body", c->body, "created_at",
                     jx_time(c->created_at));
}

int request_api_comment_list(struct http_ctx *ctx)
{
    struct request_comment *items;
    struct http_page page;
    json_t *arr;
    int64_t id;
    bool more;
    int n;

    if (http_param_id(ctx, 0, &id) || http_page_read(ctx, &page) ||
        request_comment_list(ctx->store, &ctx->principal.actor, id, page.after_id, page.limit,
                             ctx->arena, &items, &n, &more, &ctx->err))
        return http_reply_err(ctx);
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, comment_json(&items[i]));
    return http_reply_json(ctx, 200, http_page_json(arr, more, n ? items[n - 1].id : 0));
}

int request_api_comment_add(struct http_ctx *ctx)
{
    const char *body = NULL;
    bool internal = false;
    const struct jx_field fields[] = {
        {"body", JX_STR, true, REQUEST_TEXT_MAX, &body, NULL},
        {"internal", JX_BOOL, false, 0, &internal, NULL},
    };
    struct request_comment c = {0};
    int64_t id;
    int rc;

    if (http_param_id(ctx, 0, &id))
        return http_reply_err(ctx);
    rc = http_body_fields(ctx, fields, ACC_ARRAY_LEN(fields));
    if (rc || request_comment_add(ctx->store, http_app_zones(ctx->app), &ctx->principal.actor, id,
                                  body, internal, acc_now(), ctx->arena, &c, &ctx->err))
        return http_reply_err(ctx);
    return http_reply_json(ctx, 201, comment_json(&c));
}

/* An event's detail as stored, with its instants ("..._at" keys) in RFC 3339. */
static json_t *detail_json(const char *text)
{
    json_t *d = jx_from_text(text), *v;
    const char *key;

    json_object_foreach(d, key, v)
    {
        size_t len = strlen(key);

        if (len > 3 && strcmp(key + len - 3, "_at") == 0 && json_is_integer(v))
            json_object_set_new(d, key, jx_time(json_integer_value(v)));
    }
    return d;
}

int request_api_event_list(struct http_ctx *ctx)
{
    struct request_event *items;
    struct http_page page;
    json_t *arr;
    int64_t id;
    bool more;
    int n;

    if (http_param_id(ctx, 0, &id) || http_page_read(ctx, &page) ||
        request_event_list(ctx->store, &ctx->principal.actor, id, page.after_id, page.limit,
                           ctx->arena, &items, &n, &more, &ctx->err))
        return http_reply_err(ctx);
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:I,s:o,s:o,s:s,s:o}", "id", (json_int_t)items[i].id,
                                             "at", jx_time(items[i].at), "actor",
                                             jx_ref(items[i].actor.id, items[i].actor.name), "kind",
                                             items[i].kind, "detail",
                                             detail_json(items[i].detail_json)));
    return http_reply_json(ctx, 200, http_page_json(arr, more, n ? items[n - 1].id : 0));
}
