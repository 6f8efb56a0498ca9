/* jw.c: flat JSON object writer (audit snapshots); strings escaped as in the logs. */
#include "base/acc.h"
#include "base/jw.h"
#include "base/log.h"

void acc_jw_begin(struct acc_jw *w)
{
    acc_buf_init(&w->b);
    w->first = true;
    acc_buf_adds(&w->b, "{");
}

static void key(struct acc_jw *w, const char *k)
{
    acc_buf_adds(&w->b, w->first ? "\"" : ",\"");
    w->first = false;
    acc_json_escape(&w->b, k);
    acc_buf_adds(&w->b, "\":");
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
    key(w, k);
    acc_buf_addf(&w->b, "%lld", (long long)val);
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

const char *acc_jw_end(struct acc_jw *w, struct acc_arena *arena)
{
    const char *s;

    acc_buf_adds(&w->b, "}");
    s = acc_arena_strdup(arena, w->b.buf);
    acc_buf_release(&w->b);
    return s;
}
