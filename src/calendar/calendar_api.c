/* calendar_api.c: HTTP handlers for /api/v1/calendars, their holidays, import and due. */
#include "base/acc.h"
#include "calendar/calendar_api.h"
#include "jx/jx.h"
#include "request/request.h"

#include <stdio.h>
#include <stdlib.h>

#define DAY_SECS 86400

static const char *const day_names[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                         "Friday", "Saturday", "Sunday"};

/* "HH:MM" of seconds after a day's 00:00, as calendar_week_format() writes it. */
static json_t *hhmm(int32_t secs, bool is_close)
{
    char b[8];

    if (is_close && secs == DAY_SECS)
        return json_string("24:00");
    secs %= DAY_SECS;
    snprintf(b, sizeof(b), "%02d:%02d", (int)(secs / 3600), (int)(secs % 3600 / 60));
    return json_string(b);
}

json_t *calendar_week_to_json(const struct calendar_week *week)
{
    json_t *days = json_array();

    for (int d = 0; d < 7; d++) {
        json_t *day = json_array();

        for (int i = 0; i < week->day[d].n; i++)
            json_array_append_new(day, json_pack("{s:o,s:o}", "open",
                                                 hhmm(week->day[d].iv[i].open_secs, false), "close",
                                                 hhmm(week->day[d].iv[i].close_secs, true)));
        json_array_append_new(days, day);
    }
    return days;
}

json_t *calendar_record_to_json(const struct calendar_record *c)
{
    return json_pack("{s:I,s:s,s:s,s:o,s:s,s:I,s:o,s:o}", "id", (json_int_t)c->id, "name", c->name,
                     "zone", c->zone, "week", calendar_week_to_json(&c->week), "hours", c->hours,
                     "holidays_count", (json_int_t)c->holidays_count, "created_at",
                     jx_time(c->created_at), "updated_at", jx_time(c->updated_at));
}

json_t *calendar_holiday_to_json(const struct calendar_holiday *h)
{
    return json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)h->id, "date", h->date, "name", h->name,
                     "source", h->source);
}

/* True when s is "HH:MM" by shape; the ranges are the week parser's to check. */
static bool hhmm_shape(const char *s)
{
    return strlen(s) == 5 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' &&
           s[2] == ':' && s[3] >= '0' && s[3] <= '9' && s[4] >= '0' && s[4] <= '9';
}

/*
 * Reads the JSON week into *out with the rules of the HOURS syntax (the text it becomes
 * is parsed by calendar_week_parse()), so both forms mean the same. Fields "/week" and
 * "/week/<day>".
 */
static int read_week(json_t *v, struct calendar_week *out, struct acc_err *err)
{
    struct acc_buf text;
    int rc = ACC_OK;

    if (!json_is_array(v) || json_array_size(v) != 7)
        return acc_fail(err, ACC_EINVAL, "/week",
                        "week must be an array of 7 days, Monday first, each an array of "
                        "{\"open\": \"HH:MM\", \"close\": \"HH:MM\"}");
    acc_buf_init(&text);
    for (size_t d = 0; !rc && d < 7; d++) {
        json_t *day = json_array_get(v, d), *iv;
        char field[16];
        size_t i;

        snprintf(field, sizeof(field), "/week/%zu", d);
        if (d)
            acc_buf_adds(&text, ",");
        if (!json_is_array(day)) {
            rc = acc_fail(err, ACC_EINVAL, field, "%s must be an array of intervals", day_names[d]);
            break;
        }
        if (json_array_size(day) > CALENDAR_MAX_INTERVALS) {
            rc = acc_fail(err, ACC_EINVAL, field, "%s has more than %d intervals", day_names[d],
                          CALENDAR_MAX_INTERVALS);
            break;
        }
        if (json_array_size(day) == 0)
            acc_buf_adds(&text, "-");
        json_array_foreach(day, i, iv)
        {
            const char *open = json_string_value(json_object_get(iv, "open"));
            const char *close = json_string_value(json_object_get(iv, "close"));

            if (!json_is_object(iv) || json_object_size(iv) != 2 || !open || !close ||
                !hhmm_shape(open) || !hhmm_shape(close)) {
                rc = acc_fail(err, ACC_EINVAL, field,
                              "%s interval %zu must be {\"open\": \"HH:MM\", \"close\": "
                              "\"HH:MM\"}",
                              day_names[d], i + 1);
                break;
            }
            acc_buf_addf(&text, "%s%s-%s", i ? "+" : "", open, close);
        }
    }
    if (!rc)
        rc = calendar_week_parse(text.buf, out, err);
    if (rc && strncmp(err->field, "/hours", 6) == 0) {
        char field[sizeof(err->field)];

        snprintf(field, sizeof(field), "/week%.50s", err->field + 6);
        memcpy(err->field, field, sizeof(field));
    }
    acc_buf_release(&text);
    return rc;
}

static int read_calendar(struct http_ctx *ctx, struct calendar_input *in)
{
    const struct jx_field fields[] = {
        {"name", JX_STR, false, CALENDAR_NAME_MAX, &in->name, &in->has_name},
        {"zone", JX_STR, false, CALENDAR_TZ_NAME_MAX, &in->zone, &in->has_zone},
    };
    json_t *obj, *week;
    int rc;

    memset(in, 0, sizeof(*in));
    rc = http_body_object(ctx, &obj);
    if (rc)
        return rc;
    /* jx_read takes flat fields: the week is read on its own. */
    week = json_incref(json_object_get(obj, "week"));
    json_object_del(obj, "week");
    rc = jx_read(obj, fields, ACC_ARRAY_LEN(fields), ctx->arena, &ctx->err);
    if (!rc && week) {
        in->has_week = true;
        rc = read_week(week, &in->week, &ctx->err);
    }
    json_decref(week);
    json_decref(obj);
    return rc;
}

int calendar_api_list(struct http_ctx *ctx)
{
    struct calendar_record *items;
    struct http_page page;
    json_t *arr;
    bool more;
    int n;

    if (http_page_read(ctx, &page) ||
        calendar_record_list(ctx->store, page.after_id, page.limit, ctx->arena, &items, &n, &more,
                             &ctx->err))
        return http_reply_err(ctx);
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, calendar_record_to_json(&items[i]));
    return http_reply_json(ctx, 200, http_page_json(arr, more, n ? items[n - 1].id : 0));
}

int calendar_api_get(struct http_ctx *ctx)
{
    struct calendar_record c;
    int64_t id;

    if (http_param_id(ctx, 0, &id) ||
        calendar_record_get(ctx->store, id, ctx->arena, &c, &ctx->err))
        return http_reply_err(ctx);
    return http_reply_json(ctx, 200, calendar_record_to_json(&c));
}

int calendar_api_create(struct http_ctx *ctx)
{
    struct calendar_input in;
    struct calendar_record c;

    if (read_calendar(ctx, &in) ||
        calendar_record_create(ctx->store, &ctx->principal.actor, http_app_zones(ctx->app), &in,
                               ctx->arena, &c, &ctx->err))
        return http_reply_err(ctx);
    http_header_add(ctx, "Location",
                    acc_arena_printf(ctx->arena, "/api/v1/calendars/%lld", (long long)c.id));
    return http_reply_json(ctx, 201, calendar_record_to_json(&c));
}

/* Open requests on calendar id follow its change (SPEC 3: their due instants move). */
static int requests_follow(struct http_ctx *ctx, int64_t id)
{
    return request_calendar_changed(ctx->store, http_app_zones(ctx->app), id, acc_now(), NULL,
                                    &ctx->err);
}

int calendar_api_update(struct http_ctx *ctx)
{
    struct calendar_input in;
    struct calendar_record c;
    int64_t id;

    if (http_param_id(ctx, 0, &id) || read_calendar(ctx, &in) ||
        calendar_record_update(ctx->store, &ctx->principal.actor, http_app_zones(ctx->app), id, &in,
                               ctx->arena, &c, &ctx->err) ||
        requests_follow(ctx, id))
        return http_reply_err(ctx);
    return http_reply_json(ctx, 200, calendar_record_to_json(&c));
}

int calendar_api_delete(struct http_ctx *ctx)
{
    int64_t id;

    if (http_param_id(ctx, 0, &id) ||
        calendar_record_delete(ctx->store, &ctx->principal.actor, id, ctx->arena, &ctx->err))
        return http_reply_err(ctx);
    return http_reply_empty(ctx, 204);
}

/*
 * Holidays page by date: the cursor's key is the last date seen as the number YYYYMMDD,
 * which orders like the dates and is unique in a calendar.
 */
int calendar_api_holiday_list(struct http_ctx *ctx)
{
    struct calendar_holiday *items;
    struct http_page page;
    const char *after = NULL;
    int64_t id, last = 0;
    json_t *arr;
    bool more;
    int n;

    if (http_param_id(ctx, 0, &id) || http_page_read(ctx, &page))
        return http_reply_err(ctx);
    if (page.after_id > 99991231)
        return http_reply_fail(ctx, ACC_EINVAL, "/query/cursor", "cursor is not valid");
    if (page.after_id)
        after = acc_arena_printf(ctx->arena, "%04d-%02d-%02d", (int)(page.after_id / 10000),
                                 (int)(page.after_id / 100 % 100), (int)(page.after_id % 100));
    if (calendar_holiday_list(ctx->store, id, after, page.limit, ctx->arena, &items, &n, &more,
                              &ctx->err))
        return http_reply_err(ctx);
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, calendar_holiday_to_json(&items[i]));
    if (n) {
        int y, m, d;

        calendar_day_to_civil(items[n - 1].day, &y, &m, &d);
        last = (int64_t)y * 10000 + m * 100 + d;
    }
    return http_reply_json(ctx, 200, http_page_json(arr, more, last));
}

int calendar_api_holiday_add(struct http_ctx *ctx)
{
    const char *date = NULL, *name = NULL;
    const struct jx_field fields[] = {
        {"date", JX_STR, true, 32, &date, NULL},
        {"name", JX_STR, true, CALENDAR_NAME_MAX, &name, NULL},
    };
    struct calendar_holiday h;
    int64_t id;
    int rc;

    if (http_param_id(ctx, 0, &id))
        return http_reply_err(ctx);
    rc = http_body_fields(ctx, fields, ACC_ARRAY_LEN(fields));
    if (rc ||
        calendar_holiday_add(ctx->store, &ctx->principal.actor, id, date, name, ctx->arena, &h,
                             &ctx->err) ||
        requests_follow(ctx, id))
        return http_reply_err(ctx);
    http_header_add(ctx, "Location",
                    acc_arena_printf(ctx->arena, "/api/v1/calendars/%lld/holidays/%lld",
                                     (long long)id, (long long)h.id));
    return http_reply_json(ctx, 201, calendar_holiday_to_json(&h));
}

int calendar_api_holiday_delete(struct http_ctx *ctx)
{
    int64_t id, hid;

    if (http_param_id(ctx, 0, &id) || http_param_id(ctx, 1, &hid) ||
        calendar_holiday_delete(ctx->store, &ctx->principal.actor, id, hid, ctx->arena,
                                &ctx->err) ||
        requests_follow(ctx, id))
        return http_reply_err(ctx);
    return http_reply_empty(ctx, 204);
}

int calendar_api_holiday_import(struct http_ctx *ctx)
{
    const char *ct = ctx->content_type, *years_arg = http_query(ctx, "years");
    struct calendar_import_result res;
    int64_t id, years = CALENDAR_ICS_YEARS_DEFAULT;
    json_t *errors;

    if (http_param_id(ctx, 0, &id))
        return http_reply_err(ctx);
    if (!ct || strncmp(ct, "text/calendar", 13) != 0 || (ct[13] && ct[13] != ';'))
        return http_reply_fail(ctx, ACC_EMEDIA, "", "send the body as text/calendar");
    if (years_arg &&
        (!acc_parse_i64(years_arg, &years) || years < 1 || years > CALENDAR_ICS_YEARS_MAX))
        return http_reply_fail(ctx, ACC_EINVAL, "/query/years", "years must be from 1 to %d",
                               CALENDAR_ICS_YEARS_MAX);
    if (calendar_holiday_import(ctx->store, &ctx->principal.actor, id, ctx->body, ctx->body_len,
                                (int)years, ctx->arena, &res, &ctx->err) ||
        (res.added && requests_follow(ctx, id)))
        return http_reply_err(ctx);
    errors = json_array();
    for (size_t i = 0; i < res.n_errors; i++)
        json_array_append_new(errors, json_pack("{s:s,s:s}", "event", res.errors[i].event, "detail",
                                                res.errors[i].detail));
    return http_reply_json(ctx, 200,
                           json_pack("{s:I,s:I,s:o}", "added", (json_int_t)res.added, "skipped",
                                     (json_int_t)res.skipped, "errors", errors));
}

static json_t *instant(int64_t t)
{
    char b[21];

    acc_time_format(t, b);
    return json_string(b);
}

int calendar_api_due(struct http_ctx *ctx)
{
    const char *start = NULL;
    int64_t minutes = 0, id, start_at;
    const struct jx_field fields[] = {
        {"start", JX_STR, true, 64, &start, NULL},
        {"minutes", JX_INT, true, 0, &minutes, NULL},
    };
    struct calendar_due_answer a;
    int rc;

    if (http_param_id(ctx, 0, &id))
        return http_reply_err(ctx);
    rc = http_body_fields(ctx, fields, ACC_ARRAY_LEN(fields));
    if (rc)
        return http_reply_err(ctx);
    if (acc_time_parse(start, &start_at))
        return http_reply_fail(ctx, ACC_EINVAL, "/start",
                               "start '%.40s' is not an RFC 3339 instant such as "
                               "2025-01-06T09:00:00Z",
                               start);
    if (calendar_record_due(ctx->store, http_app_zones(ctx->app), id, start_at, minutes, ctx->arena,
                            &a, &ctx->err))
        return http_reply_err(ctx);
    return http_reply_json(ctx, 200,
                           json_pack("{s:o,s:o,s:s,s:I,s:s}", "start", instant(a.start_at), "due",
                                     instant(a.due_at), "due_local", a.due_local, "minutes",
                                     (json_int_t)a.minutes, "zone", a.zone));
}
