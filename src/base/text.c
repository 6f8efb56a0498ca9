/* text.c: small text helpers: integer parsing, trimming, UTF-8 validation. */
#include "base/acc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

bool acc_parse_i64(const char *s, int64_t *out)
{
    char *end;
    long long v;

    if (!s || !*s || isspace((unsigned char)*s))
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = (int64_t)v;
    return true;
}

char *acc_trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

bool acc_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        int n;
        uint32_t cp;

        if (*p < 0x80) {
            p++;
            continue;
        } else if ((*p & 0xe0) == 0xc0) {
            n = 1;
            cp = *p & 0x1f;
        } else if ((*p & 0xf0) == 0xe0) {
            n = 2;
            cp = *p & 0x0f;
        } else if ((*p & 0xf8) == 0xf0) {
            n = 3;
            cp = *p & 0x07;
        } else {
            return false;
        }
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        p += n + 1;
    }
    return true;
}

int acc_text_check(const char *text, size_t max, const char *field, struct acc_err *err)
{
    if (text && strlen(text) > max)
        return acc_fail(err, ACC_EINVAL, field, "%s is longer than %zu bytes", field + 1, max);
    if (text && !acc_utf8_valid(text))
        return acc_fail(err, ACC_EINVAL, field, "%s is not valid UTF-8", field + 1);
    return ACC_OK;
}
