/* cmd_calendar.c: `accord calendar due`, one case or a batch of oracle-format lines. */
#include "base/acc.h"
#include "calendar/calendar.h"
#include "cli/cli.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define ADD_MAX_DIGITS 7
#define CHUNK_BYTES    (32 << 20) /* input answered at a time */
#define READ_BYTES     (4 << 20)  /* input read at a time when it is not a file */
#define PIECE_BYTES    (64 << 10) /* input a thread takes at a time */
#define MAX_JOBS       64
#define ZONE_MEMO      32 /* zones a batch thread remembers (by hash) */
#define LINE_PAD       16 /* bytes after a line copy's NUL, for reading in blocks */
#define SPARE_OUTS     16 /* answer buffers kept for reuse */

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
 * buffers in spare for pieces to come (so that answers reuse a few buffers).
 */
struct chunk {
    const char *text;
    size_t len;
    struct piece *pieces;
    size_t n, cap;
    atomic_size_t next;
    pthread_mutex_t writing;
    atomic_size_t written; /* changed under writing */
    bool write_failed;
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

/* Zone name[0..len) (NUL-terminated), from the worker's memo or the shared cache. */
static int find_zone(struct worker *w, const char *name, size_t len, const struct calendar_tz **out,
                     struct acc_err *err)
{
    unsigned h = zone_hash(name, len);
    const struct calendar_tz *tz = w->zone_memo[h].tz;
    int rc;

    if (tz && w->zone_memo[h].len == len && memcmp(calendar_tz_name(tz), name, len) == 0) {
        *out = tz;
        return 0;
    }
    if ((rc = calendar_zones_get(w->zones, name, out, err)) == 0) {
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

/*
 * Length of the field at p, up to a space, a tab or a NUL. p lies in a worker's line, which
 * has LINE_PAD readable bytes after its NUL, so whole blocks of 16 can be read.
 */
static size_t field_len(const char *p)
{
#ifdef __SSE2__
    const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'), nul = _mm_setzero_si128();

    for (size_t i = 0;; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, tab)), _mm_cmpeq_epi8(v, nul)));

        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
#else
    size_t i = 0;

    while (p[i] != ' ' && p[i] != '\t' && p[i])
        i++;
    return i;
#endif
}

/* Key "TZ=" etc. (n characters) at *p, before end: true and *p moved past it. */
static bool key_at(char **p, const char *end, const char *key, size_t n)
{
    if ((size_t)(end - *p) < n || memcmp(*p, key, n) != 0)
        return false;
    *p += n;
    return true;
}

/*
 * The fast path of a case line s[0..len) (trimmed, not blank or a comment; s[len] is the NUL
 * of the worker's copy): exactly the answer of answer_line() for a well-formed line, or
 * false for anything else (a malformed line, an error from the engine), which answer_line()
 * then answers. The fields are cut up in place.
 */
static bool fast_line(struct worker *w, char *s, size_t len, struct out *o)
{
    char *val[5] = {NULL, NULL, NULL, NULL, NULL}, *p = s, *end = s + len;
    size_t vlen[5] = {0, 0, 0, 0, 0};
    const struct calendar_tz *tz;
    struct acc_err err;
    int64_t local, minutes = 0, due_at;
    int32_t due_off;
    int rc;

    while (p < end) {
        int k;

        while (*p == ' ')
            p++;
        if (p == end)
            break;
        if (*p == 'H')
            k = key_at(&p, end, "HOURS=", 6) ? 1 : key_at(&p, end, "HOLIDAYS=", 9) ? 2 : -1;
        else if (*p == 'T')
            k = key_at(&p, end, "TZ=", 3) ? 0 : -1;
        else if (*p == 'S')
            k = key_at(&p, end, "START=", 6) ? 3 : -1;
        else if (*p == 'A')
            k = key_at(&p, end, "ADD=", 4) ? 4 : -1;
        else
            k = -1;
        if (k < 0 || val[k])
            return false;
        val[k] = p;
        p += field_len(p);
        vlen[k] = (size_t)(p - val[k]);
        if (p == end)
            break;
        if (*p != ' ') /* a tab or a NUL: left to answer_line() */
            return false;
        *p++ = '\0';
    }
    for (int k = 0; k < 5; k++)
        if (!val[k])
            return false;
    if (vlen[3] != 16 || vlen[4] < 1 || vlen[4] > ADD_MAX_DIGITS)
        return false;
    for (size_t i = 0; i < vlen[4]; i++) {
        if (val[4][i] < '0' || val[4][i] > '9')
            return false;
        minutes = minutes * 10 + (val[4][i] - '0');
    }
    if (find_zone(w, val[0], vlen[0], &tz, &err) != 0 || calendar_local_parse(val[3], &local) != 0)
        return false;
    if (!w->batch)
        w->batch = calendar_batch_new();
    rc = calendar_batch_due(w->batch, tz, val[1], vlen[1], val[2], vlen[2], local, minutes * 60,
                            &due_at, &due_off, &err);
    out_reserve(o, 40);
    if (rc == ACC_ENOTFOUND) {
        memcpy(o->p + o->len, "NONE\n", 5);
        o->len += 5;
        return true;
    }
    if (rc)
        return false;
    o->len += calendar_local_format_off(due_at, due_off, w->with_offset, o->p + o->len);
    o->p[o->len++] = '\n';
    return true;
}

/* Answers one line s[0..len) (without its '\n'); blank and '#' lines give no answer. */
static void work_line(struct worker *w, const char *s, size_t len, struct out *o)
{
    const char *e = s + len;
    char *line;

    while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
        e--;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    if (s == e || *s == '#' || !*s)
        return;
    line = line_copy(w, s, (size_t)(e - s));
    if (!fast_line(w, line, (size_t)(e - s), o))
        answer_line(w, line_copy(w, s, (size_t)(e - s)), o);
}

/* Writes all of buf[0..len) to fd; false on an error. */
static bool write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

/* Writes the answered pieces from c->written on, in order, unless another thread is at it. */
static void write_ready(struct chunk *c)
{
    size_t i;

    while ((i = atomic_load(&c->written)) < c->n && atomic_load(&c->pieces[i].done)) {
        if (pthread_mutex_trylock(&c->writing) != 0)
            return; /* the holder writes it, or sees it when it looks again below */
        while ((i = atomic_load(&c->written)) < c->n && atomic_load(&c->pieces[i].done)) {
            struct out *o = &c->pieces[i].out;

            if (o->len && !c->write_failed && !write_all(STDOUT_FILENO, o->p, o->len))
                c->write_failed = true;
            o->len = 0;
            if (c->n_spare < SPARE_OUTS) {
                c->spare[c->n_spare++] = *o;
                memset(o, 0, sizeof(*o));
            }
            atomic_store(&c->pieces[i].done, false);
            atomic_store(&c->written, i + 1);
        }
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

static void *work(void *arg)
{
    struct worker *w = arg;
    struct chunk *c = w->chunk;
    size_t i;

    while ((i = atomic_fetch_add(&c->next, 1)) < c->n) {
        const char *p = c->text + line_start(c, i), *to = c->text + line_start(c, i + 1);
        struct out o = c->pieces[i].out; /* a copy: pieces next to each other share a line */

        if (!o.p) { /* a buffer written out already, if there is one */
            pthread_mutex_lock(&c->writing);
            if (c->n_spare)
                o = c->spare[--c->n_spare];
            pthread_mutex_unlock(&c->writing);
        }
        out_reserve(&o, (size_t)(to - p) / 4 + 64);
        while (p < to) {
            const char *nl = memchr(p, '\n', (size_t)(to - p));
            const char *end = nl ? nl : to;

            work_line(w, p, (size_t)(end - p), &o);
            p = end + 1;
        }
        c->pieces[i].out = o;
        atomic_store(&c->pieces[i].done, true);
        write_ready(c);
    }
    return NULL;
}

/*
 * Answers text[0, len) (whole lines, the last may lack its '\n') with up to jobs threads
 * taking pieces of about PIECE_BYTES in turn, and writes the answers in order.
 */
static bool run_chunk(struct worker *w, pthread_t *th, int jobs, struct chunk *c, const char *text,
                      size_t len)
{
    int used;

    c->text = text;
    c->len = len;
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
    for (int t = 1; t < used; t++)
        if (pthread_create(&th[t], NULL, work, &w[t]) != 0)
            th[t] = 0; /* the others take its share */
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
    const char *text;
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
    while (done < len) {
        size_t n = len - done > CHUNK_BYTES ? CHUNK_BYTES : len - done;
        const char *nl;

        if (done + n < len) /* whole lines, unless one is longer than a chunk */
            n = (nl = memchr(text + done + n, '\n', len - done - n))
                    ? (size_t)(nl - text) + 1 - done
                    : len - done;
        ok = run_chunk(w, th, jobs, c, text + done, n) && ok;
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
    for (int t = 0; t < jobs; t++) {
        w[t].zones = zones;
        w[t].with_offset = with_offset;
    }
    fflush(stdout); /* answers are written to its descriptor */
    if (isatty(STDIN_FILENO)) {
        ssize_t len;

        while ((len = getline(&buf, &cap, stdin)) >= 0)
            ok = run_chunk(w, th, 1, &c, buf, (size_t)len) && ok;
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
        ok = run_chunk(w, th, jobs, &c, buf, len) && ok;
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
