/* buf.c: growable NUL-terminated text (struct acc_buf). */
#include "base/acc.h"

#include <stdio.h>
#include <stdlib.h>

static char empty_buf[1];

void acc_buf_init(struct acc_buf *b)
{
    b->buf = empty_buf;
    b->len = 0;
    b->alloc = 0;
}

void acc_buf_release(struct acc_buf *b)
{
    if (b->alloc)
        free(b->buf);
    acc_buf_init(b);
}

static void grow(struct acc_buf *b, size_t extra)
{
    size_t want = b->len + extra + 1;
    size_t n;

    if (want <= b->alloc)
        return;
    n = b->alloc ? b->alloc : 64;
    while (n < want)
        n *= 2;
    if (b->alloc) {
        b->buf = xrealloc(b->buf, n);
    } else {
        b->buf = xmalloc(n);
        b->buf[0] = '\0';
    }
    b->alloc = n;
}

void acc_buf_add(struct acc_buf *b, const void *data, size_t n)
{
    grow(b, n);
    memcpy(b->buf + b->len, data, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

void acc_buf_adds(struct acc_buf *b, const char *s)
{
    acc_buf_add(b, s, strlen(s));
}

void acc_buf_addf(struct acc_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    grow(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void acc_buf_reset(struct acc_buf *b)
{
    b->len = 0;
    if (b->alloc)
        b->buf[0] = '\0';
}

char *acc_buf_detach(struct acc_buf *b, size_t *len)
{
    char *s = b->alloc ? b->buf : xstrdup("");

    if (len)
        *len = b->len;
    acc_buf_init(b);
    return s;
}
