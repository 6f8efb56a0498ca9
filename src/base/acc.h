/* acc.h: the first include of every accord file: error codes, memory, text buffers, arenas. */
#ifndef ACCORD_BASE_ACC_H
#define ACCORD_BASE_ACC_H

#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ACC_VERSION "0.1.0"

#define ACC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define ACC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ACC_NORETURN     __attribute__((noreturn))
#else
#define ACC_PRINTF(f, a)
#define ACC_NORETURN
#endif

/* Result of every fallible function; 0 is success. */
enum acc_code {
    ACC_OK = 0,
    ACC_EINVAL,    /* bad input: 400 */
    ACC_EAUTH,     /* not signed in or bad credentials: 401 */
    ACC_EPERM,     /* signed in but not allowed: 403 */
    ACC_ENOTFOUND, /* 404 */
    ACC_ECONFLICT, /* state or uniqueness conflict: 409 */
    ACC_ETOOBIG,   /* body or list over its limit: 413 */
    ACC_EMEDIA,    /* body in a media type we do not take: 415 */
    ACC_ELIMIT,    /* rate limited: 429 */
    ACC_ESTORE,    /* storage failure: 500 (detail goes to the log) */
    ACC_EBUG,      /* impossible state: 500 */
};

/* Detail of a failure, filled by acc_fail(). field is a JSON pointer or "". */
struct acc_err {
    enum acc_code code;
    char field[64];
    char msg[160];
    int retry_after_secs; /* for ACC_ELIMIT */
};

/* Fills *err (when err is not NULL) and returns code. */
int acc_fail(struct acc_err *err, enum acc_code code, const char *field, const char *fmt, ...)
    ACC_PRINTF(4, 5);

/* Clears *err to ACC_OK. */
void acc_err_clear(struct acc_err *err);

/* Stable lowercase name of a code, e.g. "not-found". */
const char *acc_code_name(enum acc_code code);

/* Logs file:line and aborts: for states that cannot happen. */
#define ACC_BUG(msg) acc_bug(__FILE__, __LINE__, (msg))
ACC_NORETURN void acc_bug(const char *file, int line, const char *msg);

/* Allocation that never returns NULL: out of memory aborts. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Growable, always NUL-terminated text; never NULL once initialised. */
struct acc_buf {
    char *buf;
    size_t len;
    size_t alloc;
};

void acc_buf_init(struct acc_buf *b);
void acc_buf_release(struct acc_buf *b);
void acc_buf_add(struct acc_buf *b, const void *data, size_t n);
void acc_buf_adds(struct acc_buf *b, const char *s);
void acc_buf_addf(struct acc_buf *b, const char *fmt, ...) ACC_PRINTF(2, 3);
void acc_buf_reset(struct acc_buf *b);
/* Hands the text to the caller, who frees it; b is empty again. */
char *acc_buf_detach(struct acc_buf *b, size_t *len);

/*
 * Arena: many small allocations freed at once. Each HTTP exchange and each CLI
 * command owns one; nothing allocated from it is freed on its own.
 */
struct acc_arena;

struct acc_arena *acc_arena_new(void);
void acc_arena_free(struct acc_arena *a);
void *acc_arena_alloc(struct acc_arena *a, size_t n); /* zeroed, 16-byte aligned */
char *acc_arena_strdup(struct acc_arena *a, const char *s);
char *acc_arena_strndup(struct acc_arena *a, const char *s, size_t n);
char *acc_arena_printf(struct acc_arena *a, const char *fmt, ...) ACC_PRINTF(2, 3);
/* Bytes handed out so far, for tests and limits. */
size_t acc_arena_used(const struct acc_arena *a);

/* Wall clock in UTC epoch seconds, and a monotonic clock in nanoseconds. */
int64_t acc_now(void);
int64_t acc_mono_ns(void);

/* Formats t as RFC 3339 UTC ("2026-01-02T03:04:05Z") into out (at least 21 bytes). */
void acc_time_format(int64_t t, char out[21]);
/* Parses RFC 3339 with Z or an offset; returns 0 or ACC_EINVAL. */
int acc_time_parse(const char *s, int64_t *out);

/* Parses a whole decimal int64; false on anything else. */
bool acc_parse_i64(const char *s, int64_t *out);

/* Trims ASCII white space in place and returns s. */
char *acc_trim(char *s);

/* True when s is well-formed UTF-8 (no overlongs, no surrogates). */
bool acc_utf8_valid(const char *s);

/*
 * Checks free text (NULL passes): at most max bytes and valid UTF-8, else ACC_EINVAL at
 * field (a JSON pointer such as "/description", named in the message without its '/').
 */
int acc_text_check(const char *text, size_t max, const char *field, struct acc_err *err);

#endif
