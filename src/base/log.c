/* log.c: JSON-lines logging; each line is built in a buffer and written with one write(2). */
#include "base/acc.h"
#include "base/log.h"

#include <stdio.h>
#include <unistd.h>

/* Written once at start-up, read afterwards: no locking needed. */
static enum acc_log_level min_level = ACC_LOG_INFO;
static bool quiet_flag;

#define INT_MARK '\x01'

void acc_log_set_level(enum acc_log_level level)
{
    min_level = level;
}

void acc_log_set_quiet(bool quiet)
{
    quiet_flag = quiet;
}

const char *acc_log_int(int64_t v)
{
    static _Thread_local char ring[8][24];
    static _Thread_local unsigned next;
    char *s = ring[next++ % 8];

    snprintf(s, 24, "%c%lld", INT_MARK, (long long)v);
    return s;
}

void acc_json_escape(struct acc_buf *b, const char *s)
{
    const char *run = s; /* the start of the bytes that go out as they are */

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        acc_buf_add(b, run, (size_t)(s - run));
        run = s + 1;
        if (c == '"' || c == '\\') {
            acc_buf_add(b, "\\", 1);
            acc_buf_add(b, s, 1);
        } else if (c == '\n') {
            acc_buf_adds(b, "\\n");
        } else {
            acc_buf_addf(b, "\\u%04x", c);
        }
    }
    acc_buf_add(b, run, (size_t)(s - run));
}

void acc_log(enum acc_log_level level, const char *msg, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    struct acc_buf b;
    char ts[21];
    const char *k, *v;
    va_list ap;

    if (quiet_flag || level < min_level)
        return;
    acc_buf_init(&b);
    acc_time_format(acc_now(), ts);
    acc_buf_addf(&b, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"", ts, names[level]);
    acc_json_escape(&b, msg);
    acc_buf_adds(&b, "\"");
    va_start(ap, msg);
    while ((k = va_arg(ap, const char *)) != NULL) {
        v = va_arg(ap, const char *);
        acc_buf_adds(&b, ",\"");
        acc_json_escape(&b, k);
        if (v && v[0] == INT_MARK) {
            acc_buf_addf(&b, "\":%s", v + 1);
        } else {
            acc_buf_adds(&b, "\":\"");
            acc_json_escape(&b, v ? v : "");
            acc_buf_adds(&b, "\"");
        }
    }
    va_end(ap);
    acc_buf_adds(&b, "}\n");
    if (write(STDERR_FILENO, b.buf, b.len) < 0) {
        /* Nowhere left to report a failed log write. */
    }
    acc_buf_release(&b);
}
