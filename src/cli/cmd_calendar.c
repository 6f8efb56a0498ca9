/* cmd_calendar.c: `accord calendar due`, one case or a batch of oracle-format lines. */
#define _GNU_SOURCE /* CPU affinity: see start_elsewhere() */
#include "base/acc.h"
#include "calendar/calendar.h"
#include "cli/cli.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define ADD_MAX_DIGITS 7
#define CHUNK_BYTES    (32 << 20) /* input answered at a time */
#define READ_BYTES     (4 << 20)  /* input read at a time when it is not a file */
#define PIECE_BYTES    (64 << 10) /* input a thread takes at a time */
#define MAX_JOBS       64
#define ZONE_MEMO      32  /* zones a batch thread remembers (by hash) */
#define LINE_PAD       128 /* bytes after a line copy's NUL, for reading in blocks */
#define SPARE_OUTS     16  /* answer buffers kept for reuse */
#define WRITE_BATCH    64  /* answered pieces written with one writev() */

static const char calendar_help[] =
    "usage: accord calendar <command> [options]\n"
    "\n"
    "Business calendars: an IANA time zone, weekly opening hours and holidays.\n"
    "\n"
    "commands:\n"
    "  due         compute due instants (start + business minutes); works without a database\n"
    "  list        list the stored calendars\n"
    "  show        show a stored calendar's hours and holidays\n"
    "  add         store a new calendar\n"
    "  import-ics  import holidays from an iCalendar (.ics) file\n"
    "\n"
    "Run 'accord calendar <command> --help' for a command's options.\n";

static const char due_help[] =
    "usage: accord calendar due --tz ZONE --hours HOURS [--holidays DATES] --start LOCAL\n"
    "                           --add MINUTES [--offset]\n"
    "       accord calendar due --batch [--offset] [--jobs N] < cases\n"
    "\n"
    "Prints the due instant: the earliest instant at which MINUTES business minutes have\n"
    "elapsed from START, counting from the next opening when START is outside business\n"
    "hours. A due instant on a closing time is that closing time; 0 minutes gives START if\n"
    "it is inside business hours, else the next opening. Daylight saving is exact: a wall\n"
    "time in a gap moves later by the gap, one in an overlap means its first occurrence.\n"
    "\n"
    "options:\n"
    "  --tz ZONE          IANA time zone, e.g. Europe/Berlin\n"
    "  --hours HOURS      seven entries Monday to Sunday, each '-' (closed) or intervals\n"
    "                     HH:MM-HH:MM joined by '+': 09:00-12:00+13:00-17:00,...,-,-\n"
    "                     (an end at or before its start is on the next day; 00:00-24:00\n"
    "                     is a whole day)\n"
    "  --holidays DATES   YYYY-MM-DD,... whole local days closed, or '-' (default)\n"
    "  --start LOCAL      YYYY-MM-DDTHH:MM, local wall time in ZONE\n"
    "  --add MINUTES      business minutes, 0 .. 9999999\n"
    "  --offset           append the UTC offset: 2024-11-03T01:30-05:00\n"
    "  --batch            read case lines on stdin, print one answer a line:\n"
    "                     TZ=<zone> HOURS=<hours> HOLIDAYS=<dates|-> START=<local> ADD=<min>\n"
    "                     blank and '#' lines print nothing; a bad line prints\n"
    "                     'ERROR: <what is wrong>' and the batch goes on\n"
    "  --jobs N           threads for --batch (default: one per CPU); answers stay in order\n"
    "\n"
    "Answers are YYYY-MM-DDTHH:MM local to ZONE (YYYY-MM-DDTHH:MM:SS if not on a whole\n"
    "minute), or NONE when the calendar has no opening hours. Dates run from year 1000 to\n"
    "9999; a calendar has at most 1000 holidays and 8 intervals a day.\n";

/* The five inputs of one case, as text. */
struct due_case {
    const char *tz, *hours, *holidays, *start, *add;
};

/* Answers of some lines, in order. */
struct out {
    char *p;
    size_t len, cap;
};

/*
 * A piece of a chunk: the lines that start in text[k * PIECE_BYTES, (k + 1) * PIECE_BYTES),
 * and their answers.
 */
struct piece {
    struct out out;
    atomic_bool done; /* answered, and not yet written */
};

/*
 * What the threads answering one chunk share: they take pieces in turn, and whoever holds
 * writing writes the answered pieces in order from written on, as they come, and puts their
 * buffers in spare for pieces to come (so that answers reuse a few buffers, whose memory is
 * already there). spare has a lock of its own, held only to take or put buffers, so that no
 * thread waits while another writes.
 */
struct chunk {
    const char *text;
    size_t len;
    const char *readable; /* text may be read up to here (past its end: see fast_line) */
    struct piece *pieces;
    size_t n, cap;
    atomic_size_t next;
    pthread_mutex_t writing;
    atomic_size_t written; /* changed under writing */
    bool write_failed;
    pthread_mutex_t spare_lock;
    struct out spare[SPARE_OUTS];
    int n_spare;
};

/*
 * One batch thread. zone_memo keeps the zones it used, by a hash of their names, to skip the
 * shared cache's lock; line is the line being answered, copied so that it can be cut up; days
 * holds a calendar's holidays while it is used.
 */
struct worker {
    struct calendar_zones *zones;
    bool with_offset;
    struct chunk *chunk;
    struct {
        const struct calendar_tz *tz;
        size_t len;
    } zone_memo[ZONE_MEMO];
    char *line;
    size_t line_cap;
    struct calendar_batch *batch;
#ifdef CPU_SETSIZE
    bool pinned;         /* started on a chosen CPU: it lifts the pin first (start_elsewhere) */
    cpu_set_t cpus_free; /* the CPUs it may then run on */
#endif
};

static void out_reserve(struct out *o, size_t n)
{
    if (o->cap - o->len >= n)
        return;
    while (o->cap - o->len < n)
        o->cap = o->cap ? 2 * o->cap : 4096;
    o->p = xrealloc(o->p, o->cap);
}

static void out_add(struct out *o, const char *s, size_t n)
{
    out_reserve(o, n);
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void out_line(struct out *o, const char *prefix, const char *s)
{
    out_add(o, prefix, strlen(prefix));
    out_add(o, s, strlen(s));
    out_add(o, "\n", 1);
}

/* A hash of name[0..len) for the zone memo, from its first and last 8 bytes. */
static unsigned zone_hash(const char *name, size_t len)
{
    uint64_t a = 0, b = 0;

    if (len >= 8) {
        memcpy(&a, name, 8);
        memcpy(&b, name + len - 8, 8);
    } else {
        memcpy(&a, name, len);
    }
    return (unsigned)(((a * 0x9E3779B97F4A7C15u) ^ (b * 0xC2B2AE3D27D4EB4Fu) ^ len) >> 59) %
           ZONE_MEMO;
}

/* memcmp(a, b, n) == 0 for zone names, a word at a time and without a call. */
static bool same_name(const char *a, const char *b, size_t n)
{
    uint64_t x, y;

    if (n < 8)
        return memcmp(a, b, n) == 0;
    for (size_t i = 0; i + 8 < n; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y)
            return false;
    }
    memcpy(&x, a + n - 8, 8); /* the last word, maybe overlapping the one before */
    memcpy(&y, b + n - 8, 8);
    return x == y;
}

/* Zone name[0..len), from the worker's memo or the shared cache. */
static int find_zone(struct worker *w, const char *name, size_t len, const struct calendar_tz **out,
                     struct acc_err *err)
{
    unsigned h = zone_hash(name, len);
    const struct calendar_tz *tz = w->zone_memo[h].tz;
    char copy[CALENDAR_TZ_NAME_MAX + 1];
    int rc;

    if (tz && w->zone_memo[h].len == len && same_name(calendar_tz_name(tz), name, len)) {
        *out = tz;
        return 0;
    }
    if (len > CALENDAR_TZ_NAME_MAX || memchr(name, '\0', len))
        return acc_fail(err, ACC_EINVAL, "/zone", "bad time zone name '%.60s'", name);
    memcpy(copy, name, len);
    copy[len] = '\0';
    if ((rc = calendar_zones_get(w->zones, copy, out, err)) == 0) {
        w->zone_memo[h].tz = *out;
        w->zone_memo[h].len = len;
    }
    return rc;
}

/*
 * Answers one case into out ("YYYY-MM-DDTHH:MM[...]" or "NONE"). Returns 0, or ACC_EINVAL
 * with a message in *err for bad input.
 */
static int answer(struct worker *w, const struct due_case *dc, char out[32], struct acc_err *err)
{
    const struct calendar_tz *tz;
    struct calendar cal;
    int64_t local, start_at, minutes = 0, due_at;
    size_t len = strlen(dc->add);
    int rc;

    if ((rc = find_zone(w, dc->tz, strlen(dc->tz), &tz, err)) != 0)
        return rc;
    if (strlen(dc->start) != 16 || calendar_local_parse(dc->start, &local) != 0)
        return acc_fail(err, ACC_EINVAL, "/start", "bad START '%.40s' (want YYYY-MM-DDTHH:MM)",
                        dc->start);
    if (len == 0 || len > ADD_MAX_DIGITS || strspn(dc->add, "0123456789") != len)
        return acc_fail(err, ACC_EINVAL, "/minutes", "bad ADD '%.40s' (want 0..9999999 minutes)",
                        dc->add);
    for (size_t i = 0; i < len; i++)
        minutes = minutes * 10 + (dc->add[i] - '0');
    if ((rc = calendar_parse(&cal, tz, dc->hours, dc->holidays, err)) != 0)
        return rc;
    start_at = calendar_tz_to_utc(tz, local);
    rc = calendar_due(&cal, start_at, minutes * 60, &due_at, err);
    calendar_release(&cal);
    if (rc == ACC_ENOTFOUND) {
        snprintf(out, 32, "NONE");
        return 0;
    }
    if (rc)
        return rc;
    calendar_local_format(tz, due_at, w->with_offset, out);
    return 0;
}

/* Which of the five fields key[0..len) names: 0..4, or -1. */
static int field_index(const char *key, size_t len)
{
    static const char *const keys[5] = {"TZ", "HOURS", "HOLIDAYS", "START", "ADD"};

    for (int k = 0; k < 5; k++)
        if (strlen(keys[k]) == len && memcmp(key, keys[k], len) == 0)
            return k;
    return -1;
}

/* Splits one case line into dc; the line is modified in place. */
static int parse_line(char *line, struct due_case *dc, struct acc_err *err)
{
    static const char *const keys[5] = {"TZ", "HOURS", "HOLIDAYS", "START", "ADD"};
    const char **slot[5] = {&dc->tz, &dc->hours, &dc->holidays, &dc->start, &dc->add};
    char *p = line;

    memset(dc, 0, sizeof(*dc));
    for (;;) {
        char *tok, *eq;
        int k;

        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        tok = p;
        p = tok + strcspn(tok, " \t");
        eq = memchr(tok, '=', (size_t)(p - tok));
        if (*p)
            *p++ = '\0';
        if (!eq)
            return acc_fail(err, ACC_EINVAL, "", "bad field '%.60s' (want KEY=VALUE)", tok);
        if ((k = field_index(tok, (size_t)(eq - tok))) < 0)
            return acc_fail(err, ACC_EINVAL, "", "unknown field '%.*s'",
                            (int)(eq - tok < 40 ? eq - tok : 40), tok);
        if (*slot[k])
            return acc_fail(err, ACC_EINVAL, "", "field %s given twice", keys[k]);
        *slot[k] = eq + 1;
    }
    for (int k = 0; k < 5; k++)
        if (!*slot[k])
            return acc_fail(err, ACC_EINVAL, "", "missing %s=", keys[k]);
    return 0;
}

/* Puts s[0..len) into w->line, NUL-terminated and followed by LINE_PAD bytes; returns it. */
static char *line_copy(struct worker *w, const char *s, size_t len)
{
    if (w->line_cap < len + 1 + LINE_PAD) {
        w->line_cap = len + 1 + LINE_PAD > 2 * w->line_cap ? len + 1 + LINE_PAD : 2 * w->line_cap;
        w->line = xrealloc(w->line, w->line_cap);
        memset(w->line, 0, w->line_cap); /* the padding is read (and ignored) */
    }
    memcpy(w->line, s, len);
    w->line[len] = '\0';
    return w->line;
}

/*
 * Answers the case in s (NUL-terminated, trimmed, not blank or a comment) with the general
 * parser: every line the fast path in work_line() does not take, errors included.
 */
static void answer_line(struct worker *w, char *s, struct out *o)
{
    struct due_case dc;
    struct acc_err err;
    char ans[32];

    acc_err_clear(&err);
    if (parse_line(s, &dc, &err) == 0 && answer(w, &dc, ans, &err) == 0)
        out_line(o, "", ans);
    else
        out_line(o, "ERROR: ", err.msg);
}

/* The 8 bytes at s as a number (little-endian machines: the first is the lowest). */
static uint64_t word_at(const char *s)
{
    uint64_t x;

    memcpy(&x, s, 8);
    return x;
}

/*
 * Whether s (with 16 readable bytes) starts with the key of field f, "TZ=" ... "ADD=" in the
 * order of the line format; *key_len gets its length.
 */
static bool key_at(const char *s, int f, size_t *key_len)
{
    static const char keys[5][16] = {"TZ=", "HOURS=", "HOLIDAYS=", "START=", "ADD="};
    static const uint64_t lo_mask[5] = {0xFFFFFF, 0xFFFFFFFFFFFF, ~(uint64_t)0, 0xFFFFFFFFFFFF,
                                        0xFFFFFFFF};
    static const uint8_t lens[5] = {3, 6, 9, 6, 4};

    *key_len = lens[f];
    return (word_at(s) & lo_mask[f]) == word_at(keys[f]) &&
           (f != 2 || s[8] == keys[2][8]); /* only HOLIDAYS= is longer than a word */
}

/*
 * Where the fields of the line at s may end, from its byte block on: bit i of the result when
 * s[block + i] is a space or a control character ('\n' among them), or block + i == len. The
 * 64 bytes from s + block are read.
 */
static uint64_t field_ends(const char *s, size_t len, size_t block)
{
    uint64_t m = 0;
#ifdef __SSE2__
    const __m128i sp = _mm_set1_epi8(' ');
    const __m128i *v = (const __m128i *)(const void *)(s + block);
    __m128i v0 = _mm_loadu_si128(v), v1 = _mm_loadu_si128(v + 1), v2 = _mm_loadu_si128(v + 2);
    __m128i v3 = _mm_loadu_si128(v + 3);

    /* unsigned v <= ' ' */
    m = (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v0, sp), v0)) |
        (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v1, sp), v1)) << 16 |
        (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v2, sp), v2)) << 32 |
        (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v3, sp), v3)) << 48;
#else
    for (int i = 0; i < 64; i++)
        m |= (uint64_t)((unsigned char)s[block + i] <= ' ') << i;
#endif
    if (len - block < 64) { /* the line's end; what follows it is not read */
        uint64_t end_bit = (uint64_t)1 << (len - block);

        m = (m & (end_bit - 1)) | end_bit;
    }
    return m;
}

/*
 * Splits the line at s, which ends at its first '\n' or at s + len, when it has the line
 * format's own form: the five fields in their order with one space between them, and no
 * other control character. val[k] and vlen[k] get the value of field k (see field_index).
 * Returns the line's length, or 0 for any other line, and for one that would need reading
 * past readable: blocks of 64 bytes and 16 more are read.
 */
static size_t split_fields(const char *s, size_t len, const char *readable, const char *val[5],
                           size_t vlen[5])
{
    size_t at = 0, key_len;
    int f = 0;

    for (size_t block = 0; block <= len && readable - s >= (ptrdiff_t)(block + 80); block += 64) {
        for (uint64_t ends = field_ends(s, len, block); ends; ends &= ends - 1) {
            size_t end = block + (size_t)__builtin_ctzll(ends);

            if (!key_at(s + at, f, &key_len) || end - at < key_len)
                return 0;
            val[f] = s + at + key_len;
            vlen[f] = end - at - key_len;
            if (f == 4)
                return end == len || s[end] == '\n' ? end : 0;
            if (end == len || s[end] != ' ')
                return 0;
            at = end + 1;
            f++;
        }
    }
    return 0;
}

/* The number of minutes in s[0..len), 1 .. ADD_MAX_DIGITS digits; false for anything else. */
static bool minutes_at(const char *s, size_t len, int64_t *minutes)
{
    if (len < 1 || len > ADD_MAX_DIGITS)
        return false;
    *minutes = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *minutes = *minutes * 10 + (s[i] - '0');
    }
    return true;
}

/*
 * The fast path of the line at s (see split_fields: it ends at its '\n' or at s + len, and
 * may be read up to readable): exactly the answer of answer_line() into o, and the line's
 * length. 0 for a line in another form, right or wrong, and when the engine reports an
 * error: work_line() then reads it the general way. The line is not changed.
 */
static size_t fast_line(struct worker *w, const char *s, size_t len, const char *readable,
                        struct out *o)
{
    const char *val[5];
    size_t vlen[5], line_len = split_fields(s, len, readable, val, vlen);
    const struct calendar_tz *tz;
    struct acc_err err;
    int64_t minutes, due_at;
    int32_t due_off;
    int rc;

    if (!line_len || vlen[3] != 16 || !minutes_at(val[4], vlen[4], &minutes) ||
        find_zone(w, val[0], vlen[0], &tz, &err) != 0)
        return 0;
    if (!w->batch)
        w->batch = calendar_batch_new();
    rc = calendar_batch_due(w->batch, tz, val[1], vlen[1], val[2], vlen[2], val[3], minutes * 60,
                            &due_at, &due_off, &err);
    out_reserve(o, 40);
    if (rc == ACC_ENOTFOUND) {
        memcpy(o->p + o->len, "NONE\n", 5);
        o->len += 5;
        return line_len;
    }
    if (rc)
        return 0;
    o->len += calendar_local_format_off(due_at, due_off, w->with_offset, o->p + o->len);
    o->p[o->len++] = '\n';
    return line_len;
}

/*
 * Answers the line at s, which ends at its '\n' or at to (blank and '#' lines give no
 * answer); returns where the next line starts. The fast path reads it where it lies; when it
 * does not take it, the line is trimmed and copied, and tried again, then read by the general
 * parser.
 */
static const char *work_line(struct worker *w, const char *s, const char *to, struct out *o)
{
    size_t len = fast_line(w, s, (size_t)(to - s), w->chunk->readable, o);
    const char *nl, *e;
    char *line;

    if (len)
        return s + len + 1;
    nl = memchr(s, '\n', (size_t)(to - s));
    e = nl ? nl : to;
    while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
        e--;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    if (s < e && *s != '#' && *s) {
        line = line_copy(w, s, (size_t)(e - s));
        if (!fast_line(w, line, (size_t)(e - s), line + (e - s) + 1 + LINE_PAD, o))
            answer_line(w, line, o);
    }
    return nl ? nl + 1 : to;
}

/* Writes all of iov[0..n) to fd; false on an error. */
static bool write_all(int fd, struct iovec *iov, int n)
{
    for (;;) {
        ssize_t got;

        while (n > 0 && iov->iov_len == 0) {
            iov++;
            n--;
        }
        if (n == 0)
            return true;
        got = writev(fd, iov, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false;
        for (; n > 0 && (size_t)got >= iov->iov_len; iov++, n--)
            got -= (ssize_t)iov->iov_len;
        if (n > 0) { /* a short write ended inside this one */
            iov->iov_base = (char *)iov->iov_base + got;
            iov->iov_len -= (size_t)got;
        }
    }
}

/* Puts the buffers of pieces [from, to), written, in spare (as many as it keeps). */
static void recycle(struct chunk *c, size_t from, size_t to)
{
    pthread_mutex_lock(&c->spare_lock);
    for (size_t i = from; i < to; i++) {
        struct out *o = &c->pieces[i].out;

        o->len = 0;
        if (c->n_spare < SPARE_OUTS) {
            c->spare[c->n_spare++] = *o;
            memset(o, 0, sizeof(*o));
        }
    }
    pthread_mutex_unlock(&c->spare_lock);
}

/*
 * Writes the answered pieces from c->written on, in order and up to WRITE_BATCH of them with
 * one call, unless another thread is at it.
 */
static void write_ready(struct chunk *c)
{
    size_t i;

    while ((i = atomic_load(&c->written)) < c->n && atomic_load(&c->pieces[i].done)) {
        struct iovec iov[WRITE_BATCH];
        size_t first;
        int k = 0;

        if (pthread_mutex_trylock(&c->writing) != 0)
            return; /* the holder writes it, or sees it when it looks again */
        first = atomic_load(&c->written);
        for (i = first; i < c->n && k < WRITE_BATCH && atomic_load(&c->pieces[i].done); i++, k++) {
            iov[k].iov_base = c->pieces[i].out.p;
            iov[k].iov_len = c->pieces[i].out.len;
        }
        if (!c->write_failed && !write_all(STDOUT_FILENO, iov, k))
            c->write_failed = true;
        recycle(c, first, i);
        for (size_t j = first; j < i; j++)
            atomic_store(&c->pieces[j].done, false);
        atomic_store(&c->written, i);
        pthread_mutex_unlock(&c->writing);
    }
}

/* Where the first line that starts at or after byte k * PIECE_BYTES of c starts (or c->len). */
static size_t line_start(const struct chunk *c, size_t k)
{
    size_t at = k * PIECE_BYTES;
    const char *nl;

    if (at == 0 || at >= c->len)
        return at == 0 ? 0 : c->len;
    if (c->text[at - 1] == '\n')
        return at;
    nl = memchr(c->text + at, '\n', c->len - at);
    return nl ? (size_t)(nl - c->text) + 1 : c->len;
}

#ifdef CPU_SETSIZE
/*
 * Sets attr to start helper thread t (1 ..) of the batch on a CPU that the calling thread
 * is not on. Linux queues a new thread on its creator's CPU, and while the creator is busy
 * answering it waits for the next load balance: 1 to 5 ms here, against 20 ms for a whole
 * batch of 100,000 cases. The pin is lifted as soon as the thread runs (work()), so it may
 * move later like any other.
 */
static void start_elsewhere(struct worker *w, int t, pthread_attr_t *attr)
{
    int me = sched_getcpu(), others = 0, pick = -1;

    w->pinned = false;
    if (me < 0 || sched_getaffinity(0, sizeof(w->cpus_free), &w->cpus_free) != 0)
        return;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        others += cpu != me && CPU_ISSET(cpu, &w->cpus_free);
    for (int cpu = 0, k = 0; cpu < CPU_SETSIZE && others > 0 && pick < 0; cpu++)
        if (cpu != me && CPU_ISSET(cpu, &w->cpus_free) && k++ == (t - 1) % others)
            pick = cpu;
    if (pick >= 0) {
        cpu_set_t one;

        CPU_ZERO(&one);
        CPU_SET(pick, &one);
        w->pinned = pthread_attr_setaffinity_np(attr, sizeof(one), &one) == 0;
    }
}
#endif

static void *work(void *arg)
{
    struct worker *w = arg;
    struct chunk *c = w->chunk;
    size_t i;

#ifdef CPU_SETSIZE
    if (w->pinned)
        (void)pthread_setaffinity_np(pthread_self(), sizeof(w->cpus_free), &w->cpus_free);
#endif

    while ((i = atomic_fetch_add(&c->next, 1)) < c->n) {
        const char *p = c->text + line_start(c, i), *to = c->text + line_start(c, i + 1);
        struct out o = c->pieces[i].out; /* a copy: pieces next to each other share a line */

        if (!o.p) { /* a buffer written out already, if there is one */
            pthread_mutex_lock(&c->spare_lock);
            if (c->n_spare)
                o = c->spare[--c->n_spare];
            pthread_mutex_unlock(&c->spare_lock);
        }
        out_reserve(&o, (size_t)(to - p) / 4 + 64);
        while (p < to)
            p = work_line(w, p, to, &o);
        c->pieces[i].out = o;
        atomic_store(&c->pieces[i].done, true);
        write_ready(c);
    }
    return NULL;
}

/*
 * Answers text[0, len) (whole lines, the last may lack its '\n'; memory up to readable may be
 * read) with up to jobs threads taking pieces of about PIECE_BYTES in turn, and writes the
 * answers in order.
 */
static bool run_chunk(struct worker *w, pthread_t *th, int jobs, struct chunk *c, const char *text,
                      size_t len, const char *readable)
{
    int used;

    c->text = text;
    c->len = len;
    c->readable = readable;
    c->n = (len + PIECE_BYTES - 1) / PIECE_BYTES; /* the threads find the line ends */
    if (c->n > c->cap) {
        c->pieces = xrealloc(c->pieces, c->n * sizeof(*c->pieces));
        memset(c->pieces + c->cap, 0, (c->n - c->cap) * sizeof(*c->pieces));
        c->cap = c->n;
    }
    atomic_store(&c->next, 0);
    atomic_store(&c->written, 0);
    c->write_failed = false;
    used = c->n < (size_t)jobs ? (int)c->n : jobs;
    for (int t = 0; t < jobs; t++)
        w[t].chunk = c;
    for (int t = 1; t < used; t++) {
        pthread_attr_t attr;

        pthread_attr_init(&attr);
#ifdef CPU_SETSIZE
        start_elsewhere(&w[t], t, &attr);
#endif
        if (pthread_create(&th[t], &attr, work, &w[t]) != 0)
            th[t] = 0; /* the others take its share */
        pthread_attr_destroy(&attr);
    }
    work(&w[0]);
    for (int t = 1; t < used; t++)
        if (th[t])
            pthread_join(th[t], NULL);
    write_ready(c); /* all answered: what is left */
    return !c->write_failed;
}

static char *last_newline(char *s, size_t len)
{
    while (len > 0)
        if (s[--len] == '\n')
            return s + len;
    return NULL;
}

/*
 * Answers a regular file on stdin from a read-only mapping, CHUNK_BYTES at a time (whole
 * lines), without copying it; leaves stdin at its end. Returns -1 when it cannot be mapped
 * (the caller reads it instead), else whether all went well.
 */
static int run_mapped(struct worker *w, pthread_t *th, int jobs, struct chunk *c)
{
    struct stat st;
    off_t pos, base;
    long page = sysconf(_SC_PAGESIZE);
    size_t len, done = 0;
    char *map;
    const char *text, *readable;
    bool ok = true;

    if (fstat(STDIN_FILENO, &st) != 0 || !S_ISREG(st.st_mode) || page <= 0 ||
        (pos = lseek(STDIN_FILENO, 0, SEEK_CUR)) < 0 || st.st_size <= pos ||
        (uint64_t)(st.st_size - pos) > SIZE_MAX / 2)
        return -1;
    base = pos - pos % page;
    len = (size_t)(st.st_size - pos);
    map = mmap(NULL, len + (size_t)(pos - base), PROT_READ, MAP_PRIVATE, STDIN_FILENO, base);
    if (map == MAP_FAILED)
        return -1;
    text = map + (pos - base);
    /* the whole pages mapped: past the end of the file they read as zeros */
    readable = map + (len + (size_t)(pos - base) + (size_t)page - 1) / (size_t)page * (size_t)page;
    while (done < len) {
        size_t n = len - done > CHUNK_BYTES ? CHUNK_BYTES : len - done;
        const char *nl;

        if (done + n < len) /* whole lines, unless one is longer than a chunk */
            n = (nl = memchr(text + done + n, '\n', len - done - n))
                    ? (size_t)(nl - text) + 1 - done
                    : len - done;
        ok = run_chunk(w, th, jobs, c, text + done, n, readable) && ok;
        done += n;
    }
    munmap(map, len + (size_t)(pos - base));
    (void)lseek(STDIN_FILENO, st.st_size, SEEK_SET);
    return ok;
}

/*
 * Reads case lines in chunks, answers each chunk with up to jobs threads (the engine is
 * thread-safe and the zone cache is shared), and writes the answers in input order. A
 * regular file is mapped rather than read; an interactive stdin gets each answer as soon as
 * its line is read.
 */
static int run_batch(struct calendar_zones *zones, bool with_offset, int jobs)
{
    struct worker *w = xcalloc((size_t)jobs, sizeof(*w));
    pthread_t *th = xcalloc((size_t)jobs, sizeof(*th));
    size_t cap = READ_BYTES, have = 0;
    char *buf = NULL;
    bool ok = true, eof = false;
    struct chunk c;
    int mapped = -1;

    memset(&c, 0, sizeof(c));
    pthread_mutex_init(&c.writing, NULL);
    pthread_mutex_init(&c.spare_lock, NULL);
    for (int t = 0; t < jobs; t++) {
        w[t].zones = zones;
        w[t].with_offset = with_offset;
    }
    fflush(stdout); /* answers are written to its descriptor */
    if (isatty(STDIN_FILENO)) {
        ssize_t len;

        while ((len = getline(&buf, &cap, stdin)) >= 0)
            ok = run_chunk(w, th, 1, &c, buf, (size_t)len, buf + len) && ok;
        eof = true;
    } else if ((mapped = run_mapped(w, th, jobs, &c)) >= 0) {
        ok = mapped;
        eof = true;
    } else {
        buf = xmalloc(cap + 1);
    }
    while (!eof) {
        size_t got = fread(buf + have, 1, cap - have, stdin), len;
        char *nl;

        have += got;
        eof = got == 0;
        if (!have)
            break;
        if (eof) {
            len = have; /* a last line without its newline */
        } else if ((nl = last_newline(buf, have))) {
            len = (size_t)(nl - buf) + 1;
        } else { /* one line longer than the buffer */
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
            continue;
        }
        ok = run_chunk(w, th, jobs, &c, buf, len, buf + len) && ok;
        memmove(buf, buf + len, have - len);
        have -= len;
    }
    for (size_t i = 0; i < c.cap; i++)
        free(c.pieces[i].out.p);
    for (int i = 0; i < c.n_spare; i++)
        free(c.spare[i].p);
    for (int t = 0; t < jobs; t++) {
        free(w[t].line);
        calendar_batch_free(w[t].batch);
    }
    free(c.pieces);
    pthread_mutex_destroy(&c.writing);
    pthread_mutex_destroy(&c.spare_lock);
    free(buf);
    free(th);
    free(w);
    if (ferror(stdin) || !ok)
        return cli_error(CLI_FAIL, "calendar due: input or output failed");
    return CLI_OK;
}

/* "--name value" or "--name=value": true and *val set when argv[*i] is option name. */
static bool opt_value(int argc, char **argv, int *i, const char *name, const char **val,
                      bool *missing)
{
    size_t n = strlen(name);

    if (strncmp(argv[*i], name, n) != 0)
        return false;
    if (argv[*i][n] == '=') {
        *val = argv[*i] + n + 1;
        return true;
    }
    if (argv[*i][n] != '\0')
        return false;
    if (*i + 1 >= argc) {
        *missing = true;
        return true;
    }
    *val = argv[++*i];
    return true;
}

/* Threads for --batch: --jobs, else one per online CPU. */
static int default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : (n > MAX_JOBS ? MAX_JOBS : (int)n);
}

static int cmd_due(int argc, char **argv)
{
    static const char *const names[5] = {"--tz", "--hours", "--holidays", "--start", "--add"};
    struct due_case dc = {NULL, NULL, "-", NULL, NULL};
    const char **slot[5] = {&dc.tz, &dc.hours, &dc.holidays, &dc.start, &dc.add};
    bool batch = false, with_offset = false, given = false;
    const char *jobs_arg = NULL;
    int jobs = default_jobs();
    struct worker one;
    struct acc_err err;
    char ans[32];
    int rc;

    for (int i = 1; i < argc; i++) {
        bool missing = false, known = false;

        if (cli_is_help(argv[i])) {
            fputs(due_help, stdout);
            return CLI_OK;
        }
        if (strcmp(argv[i], "--batch") == 0) {
            batch = true;
            continue;
        }
        if (strcmp(argv[i], "--offset") == 0) {
            with_offset = true;
            continue;
        }
        if (opt_value(argc, argv, &i, "--jobs", &jobs_arg, &missing)) {
            int64_t v = 0;

            if (missing || !acc_parse_i64(jobs_arg, &v) || v < 1 || v > MAX_JOBS)
                return cli_error(CLI_USAGE, "calendar due: --jobs takes 1 .. %d", MAX_JOBS);
            jobs = (int)v;
            continue;
        }
        for (int k = 0; k < 5 && !known; k++) {
            if (opt_value(argc, argv, &i, names[k], slot[k], &missing)) {
                known = true;
                given = true;
                if (missing)
                    return cli_error(CLI_USAGE, "calendar due: %s needs a value", names[k]);
            }
        }
        if (!known)
            return cli_error(CLI_USAGE,
                             "calendar due: unknown argument '%s' (try 'accord calendar due "
                             "--help')",
                             argv[i]);
    }
    if (batch && given)
        return cli_error(CLI_USAGE, "calendar due: --batch reads its cases from stdin and takes "
                                    "no --tz, --hours, --holidays, --start or --add");
    memset(&one, 0, sizeof(one));
    one.zones = calendar_zones_new();
    one.with_offset = with_offset;
    if (batch) {
        rc = run_batch(one.zones, with_offset, jobs);
        calendar_zones_free(one.zones);
        return rc;
    }
    for (int k = 0; k < 5; k++) {
        if (!*slot[k]) {
            calendar_zones_free(one.zones);
            return cli_error(CLI_USAGE, "calendar due: %s is required (or use --batch)", names[k]);
        }
    }
    acc_err_clear(&err);
    rc = answer(&one, &dc, ans, &err);
    calendar_zones_free(one.zones);
    if (rc)
        return cli_error(CLI_USAGE, "calendar due: %s", err.msg);
    if (strcmp(ans, "NONE") == 0)
        return cli_error(CLI_FAIL, "calendar due: no due instant: the calendar has no opening "
                                   "hours");
    printf("%s\n", ans);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}

int cmd_calendar(struct cli_ctx *cli, int argc, char **argv)
{
    if (argc < 2)
        return cli_error(CLI_USAGE, "calendar: missing command (try 'accord calendar --help')");
    if (cli_is_help(argv[1])) {
        fputs(calendar_help, stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "due") == 0)
        return cmd_due(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "show") == 0 ||
        strcmp(argv[1], "add") == 0 || strcmp(argv[1], "import-ics") == 0)
        return cmd_calendar_store(cli, argc - 1, argv + 1);
    return cli_error(CLI_USAGE,
                     "calendar: unknown calendar command '%s' (try 'accord calendar --help')",
                     argv[1]);
}
