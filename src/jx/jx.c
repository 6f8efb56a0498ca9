/* jx.c: strict reading of JSON request objects and small reply builders. */
#include "base/acc.h"
#include "jx/jx.h"

#include <math.h>
#include <stdio.h>

/* "/" + key as an RFC 6901 pointer ('~' as "~0", '/' as "~1"), cut to fit. */
static void json_pointer(const char *key, char *out, size_t size)
{
    size_t o = 0;

    out[o++] = '/';
    for (const char *p = key; *p && o + 3 < size; p++) {
        if (*p == '~' || *p == '/') {
            out[o++] = '~';
            out[o++] = *p == '~' ? '0' : '1';
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
}

static const struct jx_field *find_field(const struct jx_field *fields, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(fields[i].name, key) == 0)
            return &fields[i];
    return NULL;
}

int jx_milli(json_t *v, const char *field, int64_t *out, struct acc_err *err)
{
    double d = json_number_value(v), scaled = d * 1000, r = nearbyint(scaled);

    if (!json_is_number(v))
        return acc_fail(err, ACC_EINVAL, field, "%s must be a number", field + 1);
    if (!isfinite(d) || fabs(d) > 1e12)
        return acc_fail(err, ACC_EINVAL, field, "%s must be between -1e12 and 1e12", field + 1);
    if (fabs(scaled - r) > 1e-6 * fmax(1.0, fabs(scaled)))
        return acc_fail(err, ACC_EINVAL, field, "%s has more than three decimals", field + 1);
    *out = (int64_t)r;
    return ACC_OK;
}

json_t *jx_milli_json(int64_t milli)
{
    if (milli % 1000 == 0)
        return json_integer(milli / 1000);
    return json_real((double)milli / 1000);
}

static int read_one(const char *at, const struct jx_field *f, json_t *v, struct acc_arena *arena,
                    struct acc_err *err)
{
    char ptr[sizeof(err->field)];
    size_t max = f->max_len ? f->max_len : JX_STR_MAX;

    snprintf(ptr, sizeof(ptr), "%s/%s", at, f->name);
    switch (f->type) {
    case JX_STR:
        if (!json_is_string(v))
            return acc_fail(err, ACC_EINVAL, ptr, "%s must be a string", f->name);
        if (json_string_length(v) > max)
            return acc_fail(err, ACC_EINVAL, ptr, "%s is longer than %zu bytes", f->name, max);
        if (memchr(json_string_value(v), '\0', json_string_length(v)))
            return acc_fail(err, ACC_EINVAL, ptr, "%s must not contain NUL characters", f->name);
        *(const char **)f->out =
            acc_arena_strndup(arena, json_string_value(v), json_string_length(v));
        break;
    case JX_INT:
        if (!json_is_integer(v))
            return acc_fail(err, ACC_EINVAL, ptr, "%s must be an integer", f->name);
        *(int64_t *)f->out = json_integer_value(v);
        break;
    case JX_BOOL:
        if (!json_is_boolean(v))
            return acc_fail(err, ACC_EINVAL, ptr, "%s must be true or false", f->name);
        *(bool *)f->out = json_is_true(v);
        break;
    case JX_ID:
        if (json_is_null(v)) {
            *(int64_t *)f->out = 0;
            break;
        }
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return acc_fail(err, ACC_EINVAL, ptr, "%s must be a positive integer id or null",
                            f->name);
        *(int64_t *)f->out = json_integer_value(v);
        break;
    case JX_MILLI: {
        int rc = jx_milli(v, ptr, (int64_t *)f->out, err);

        if (rc)
            return rc;
        break;
    }
    case JX_ANY:
        *(json_t **)f->out = v;
        break;
    }
    if (f->has)
        *f->has = true;
    return ACC_OK;
}

int jx_read(json_t *obj, const struct jx_field *fields, size_t n, struct acc_arena *arena,
            struct acc_err *err)
{
    return jx_read_at(obj, "", fields, n, arena, err);
}

int jx_read_at(json_t *obj, const char *at, const struct jx_field *fields, size_t n,
               struct acc_arena *arena, struct acc_err *err)
{
    const char *key;
    json_t *v;
    int rc;

    if (!json_is_object(obj))
        return acc_fail(err, ACC_EINVAL, at, "%s must be a JSON object", *at ? at : "the body");
    json_object_foreach(obj, key, v)
    {
        if (!find_field(fields, n, key)) {
            char ptr[sizeof(err->field)], full[sizeof(err->field)];

            json_pointer(key, ptr, sizeof(ptr));
            snprintf(full, sizeof(full), "%s%s", at, ptr);
            return acc_fail(err, ACC_EINVAL, full, "unknown field '%.60s'", key);
        }
    }
    for (size_t i = 0; i < n; i++) {
        v = json_object_get(obj, fields[i].name);
        if (!v) {
            if (fields[i].required) {
                char ptr[sizeof(err->field)];

                snprintf(ptr, sizeof(ptr), "%s/%s", at, fields[i].name);
                return acc_fail(err, ACC_EINVAL, ptr, "%s is required", fields[i].name);
            }
            continue;
        }
        rc = read_one(at, &fields[i], v, arena, err);
        if (rc)
            return rc;
    }
    return ACC_OK;
}

int jx_parse_object(const char *body, size_t len, json_t **out, struct acc_err *err)
{
    json_error_t je;
    json_t *v;

    if (!body || !len)
        return acc_fail(err, ACC_EINVAL, "", "the request needs a JSON body");
    v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!v)
        return acc_fail(err, ACC_EINVAL, "", "the body is not valid JSON: %s at line %d column %d",
                        je.text, je.line, je.column);
    if (!json_is_object(v)) {
        json_decref(v);
        return acc_fail(err, ACC_EINVAL, "", "the body must be a JSON object");
    }
    *out = v;
    return ACC_OK;
}

json_t *jx_str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *jx_time(int64_t t)
{
    char buf[21];

    if (!t)
        return json_null();
    acc_time_format(t, buf);
    return json_string(buf);
}

json_t *jx_ref(int64_t id, const char *name)
{
    if (!id)
        return json_null();
    return json_pack("{s:I,s:o}", "id", (json_int_t)id, "name", jx_str_or_null(name));
}

json_t *jx_from_text(const char *text)
{
    json_t *v;

    if (!text)
        return json_null();
    v = json_loads(text, 0, NULL);
    return v ? v : json_null();
}
