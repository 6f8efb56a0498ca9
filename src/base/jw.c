/* jw.c: flat JSON object writer (audit snapshots); strings escaped as in the logs. */
#include "base/acc.h"
#include "base/jw.h"
#include "base/log.h"

void acc_jw_start(struct acc_jw *w)
{
    acc_buf_init(&w->b);
    w->first = true;
}

char *acc_jw_take(struct acc_jw *w, size_t *len)
{
    return acc_buf_detach(&w->b, len);
}

void acc_jw_begin(struct acc_jw *w)
{
    acc_jw_start(w);
    acc_buf_adds(&w->b, "{");
}

/* The separator and, in an object, the key of the next value. */
static void key(struct acc_jw *w, const char *k)
{
    if (!w->first)
        acc_buf_add(&w->b, ",", 1);
    w->first = false;
    if (!k)
        return;
    acc_buf_add(&w->b, "\"", 1);
    acc_json_escape(&w->b, k);
    acc_buf_add(&w->b, "\":", 2);
}

void acc_jw_str(struct acc_jw *w, const char *k, const char *val)
{
    key(w, k);
    if (!val) {
        acc_buf_adds(&w->b, "null");
        return;
    }
    acc_buf_adds(&w->b, "\"");
    acc_json_escape(&w->b, val);
    acc_buf_adds(&w->b, "\"");
}

void acc_jw_int(struct acc_jw *w, const char *k, int64_t val)
{
    char digits[24], *p = digits + sizeof(digits);
    uint64_t u = val < 0 ? 0 - (uint64_t)val : (uint64_t)val;

    key(w, k);
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (val < 0)
        *--p = '-';
    acc_buf_add(&w->b, p, (size_t)(digits + sizeof(digits) - p));
}

void acc_jw_null(struct acc_jw *w, const char *k)
{
    key(w, k);
    acc_buf_add(&w->b, "null", 4);
}

void acc_jw_time(struct acc_jw *w, const char *k, int64_t at)
{
    char b[21];

    if (!at) {
        acc_jw_null(w, k);
        return;
    }
    acc_time_format(at, b);
    acc_jw_str(w, k, b);
}

void acc_jw_ref(struct acc_jw *w, const char *k, int64_t id, const char *name)
{
    if (!id) {
        acc_jw_null(w, k);
        return;
    }
    acc_jw_obj(w, k);
    acc_jw_int(w, "id", id);
    acc_jw_str(w, "name", name);
    acc_jw_close(w, '}');
}

void acc_jw_obj(struct acc_jw *w, const char *k)
{
    key(w, k);
    acc_buf_add(&w->b, "{", 1);
    w->first = true;
}

void acc_jw_arr(struct acc_jw *w, const char *k)
{
    key(w, k);
    acc_buf_add(&w->b, "[", 1);
    w->first = true;
}

void acc_jw_close(struct acc_jw *w, char c)
{
    acc_buf_add(&w->b, &c, 1);
    w->first = false;
}

void acc_jw_id(struct acc_jw *w, const char *k, int64_t id)
{
    if (id) {
        acc_jw_int(w, k, id);
    } else {
        key(w, k);
        acc_buf_adds(&w->b, "null");
    }
}

void acc_jw_bool(struct acc_jw *w, const char *k, bool val)
{
    key(w, k);
    acc_buf_adds(&w->b, val ? "true" : "false");
}

void acc_jw_raw(struct acc_jw *w, const char *k, const char *json)
{
    key(w, k);
    acc_buf_adds(&w->b, json ? json : "null");
}

char *acc_jw_detach(struct acc_jw *w, size_t *len)
{
    acc_buf_add(&w->b, "}", 1);
    return acc_jw_take(w, len);
}

const char *acc_jw_end(struct acc_jw *w, struct acc_arena *arena)
{
    const char *s;

    acc_buf_adds(&w->b, "}");
    s = acc_arena_strdup(arena, w->b.buf);
    acc_buf_release(&w->b);
    return s;
}
