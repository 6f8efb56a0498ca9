/*
 * notify_render.c: reads an event's payload and detail for its e-mail. Like http/, this is an
 * adapter that speaks JSON (the outbox's payloads are JSON objects): the only file of notify/
 * that includes jansson.h. Everything else of the module sees plain fields.
 */
#include "base/acc.h"
#include "notify/notify_int.h"

#include <jansson.h>

static const char *str(json_t *o, const char *key, struct acc_arena *arena)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? acc_arena_strdup(arena, s) : NULL;
}

static int64_t num(json_t *o, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(o, key));
}

/* Parses text as an object; NULL text is {}. A new reference, or NULL when it is not one. */
static json_t *object(const char *text)
{
    json_t *o;

    if (!text)
        return json_object();
    o = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    if (o && !json_is_object(o)) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

int notify_view_read(const struct notify_event *ev, struct acc_arena *arena,
                     struct notify_view *out, struct acc_err *err)
{
    json_t *p = object(ev->payload), *d = object(ev->detail);
    struct notify_view v = {0};
    int rc = ACC_OK;

    if (!p || !d) {
        rc = acc_fail(err, ACC_EBUG, "",
                      "outbox row %lld holds a payload or detail that is not "
                      "a JSON object",
                      (long long)ev->id);
        goto out;
    }
    v.title = str(p, "title", arena);
    v.status = str(p, "status", arena);
    v.priority = str(p, "priority", arena);
    v.service = str(p, "service", arena);
    v.provider = str(p, "provider", arena);
    v.consumer = str(p, "consumer", arena);
    v.requester_id = num(p, "requester_id");
    v.assignee_id = num(p, "assignee_id");
    v.response_due_at = str(p, "response_due_at", arena);
    v.resolution_due_at = str(p, "resolution_due_at", arena);
    v.description = str(d, "description", arena);
    v.body = str(d, "body", arena);
    v.from = str(d, "from", arena);
    v.reason = str(d, "reason", arena);
    v.missing_information = json_is_true(json_object_get(d, "missing_information"));
    v.level = (int)num(d, "level");
    v.percent = (int)num(d, "percent");
    v.clock = str(d, "clock", arena);
    v.manual = json_is_true(json_object_get(d, "manual"));
    *out = v;
out:
    json_decref(p);
    json_decref(d);
    return rc;
}
