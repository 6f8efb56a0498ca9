/* cmd_calendar.c: `accord calendar due`, one case or a batch of oracle-format lines. */
#include "base/acc.h"
#include "calendar/calendar.h"
#include "cli/cli.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ADD_MAX_DIGITS 7
#define CHUNK_BYTES    (4 << 20)  /* input read and answered at a time */
#define PIECE_BYTES    (32 << 10) /* input a thread takes at a time */
#define MAX_JOBS       64

static const char calendar_help[] =
    "usage: accord calendar <command> [options]\n"
    "\n"
    "Business calendars: an IANA time zone, weekly opening hours and holidays.\n"
    "\n"
    "commands:\n"
    "  due     compute due instants (start + business minutes); works without a database\n"
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

/* Whole lines text[from, to) of a chunk and their answers. */
struct piece {
    size_t from, to;
    struct acc_buf out;
};

/* What the threads answering one chunk share: they take pieces in turn. */
struct chunk {
    char *text;
    struct piece *pieces;
    size_t n, cap;
    atomic_size_t next;
};

/* One batch thread. recent keeps the zones it used last, to skip the shared cache's lock. */
struct worker {
    struct calendar_zones *zones;
    bool with_offset;
    struct chunk *chunk;
    const struct calendar_tz *recent[8];
    uint32_t recent_hash[8];
    unsigned next;
};

static int find_zone(struct worker *w, const char *name, const struct calendar_tz **out,
                     struct acc_err *err)
{
    uint32_t h = 2166136261u;
    int rc;

    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    for (int i = 0; i < 8; i++) {
        if (w->recent[i] && w->recent_hash[i] == h &&
            strcmp(calendar_tz_name(w->recent[i]), name) == 0) {
            *out = w->recent[i];
            return 0;
        }
    }
    if ((rc = calendar_zones_get(w->zones, name, out, err)) == 0) {
        w->recent_hash[w->next % 8] = h;
        w->recent[w->next++ % 8] = *out;
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

    if ((rc = find_zone(w, dc->tz, &tz, err)) != 0)
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

/* Answers one line (NUL-terminated, may end in "\r"); blank and '#' lines give no answer. */
static void work_line(struct worker *w, char *s, char *end, struct acc_buf *out)
{
    struct due_case dc;
    struct acc_err err;
    char ans[32];

    while (end > s && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s || *s == '#')
        return;
    acc_err_clear(&err);
    if (parse_line(s, &dc, &err) == 0 && answer(w, &dc, ans, &err) == 0) {
        acc_buf_adds(out, ans);
        acc_buf_adds(out, "\n");
    } else {
        acc_buf_addf(out, "ERROR: %s\n", err.msg);
    }
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct chunk *c = w->chunk;
    size_t i;

    while ((i = atomic_fetch_add(&c->next, 1)) < c->n) {
        char *p = c->text + c->pieces[i].from, *to = c->text + c->pieces[i].to;

        while (p < to) {
            char *nl = memchr(p, '\n', (size_t)(to - p));
            char *end = nl ? nl : to;

            *end = '\0';
            work_line(w, p, end, &c->pieces[i].out);
            p = end + 1;
        }
    }
    return NULL;
}

/*
 * Answers text[0, len) (whole lines; text has room for a NUL at len) with up to jobs
 * threads taking pieces of about PIECE_BYTES in turn, and writes the answers in order.
 */
static bool run_chunk(struct worker *w, pthread_t *th, int jobs, struct chunk *c, char *text,
                      size_t len)
{
    size_t from = 0;
    bool ok = true;
    int used;

    c->text = text;
    c->n = 0;
    while (from < len) { /* cut at line ends */
        size_t to = len - from > PIECE_BYTES ? from + PIECE_BYTES : len;
        char *nl;

        if (to < len)
            to = (nl = memchr(text + to, '\n', len - to)) ? (size_t)(nl - text) + 1 : len;
        if (c->n == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 64;
            c->pieces = xrealloc(c->pieces, c->cap * sizeof(*c->pieces));
            for (size_t i = c->n; i < c->cap; i++)
                acc_buf_init(&c->pieces[i].out);
        }
        c->pieces[c->n].from = from;
        c->pieces[c->n].to = to;
        c->n++;
        from = to;
    }
    atomic_store(&c->next, 0);
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
    for (size_t i = 0; i < c->n; i++) {
        struct acc_buf *out = &c->pieces[i].out;

        if (out->len && fwrite(out->buf, 1, out->len, stdout) != out->len)
            ok = false;
        acc_buf_reset(out);
    }
    return ok;
}

static char *last_newline(char *s, size_t len)
{
    while (len > 0)
        if (s[--len] == '\n')
            return s + len;
    return NULL;
}

/*
 * Reads case lines in chunks, answers each chunk with up to jobs threads (the engine is
 * thread-safe and the zone cache is shared), and writes the answers in input order. An
 * interactive stdin gets each answer as soon as its line is read.
 */
static int run_batch(struct calendar_zones *zones, bool with_offset, int jobs)
{
    struct worker *w = xcalloc((size_t)jobs, sizeof(*w));
    pthread_t *th = xcalloc((size_t)jobs, sizeof(*th));
    size_t cap = CHUNK_BYTES, have = 0;
    char *buf = xmalloc(cap + 1);
    bool ok = true, eof = false;
    struct chunk c;

    memset(&c, 0, sizeof(c));
    for (int t = 0; t < jobs; t++) {
        w[t].zones = zones;
        w[t].with_offset = with_offset;
    }
    if (isatty(STDIN_FILENO)) {
        ssize_t len;

        while ((len = getline(&buf, &cap, stdin)) >= 0) {
            ok = run_chunk(w, th, 1, &c, buf, (size_t)len) && ok;
            fflush(stdout);
        }
        eof = true;
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
        acc_buf_release(&c.pieces[i].out);
    free(c.pieces);
    free(buf);
    free(th);
    free(w);
    if (fflush(stdout) != 0 || ferror(stdin) || !ok)
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
    return cli_error(CLI_USAGE,
                     "calendar: unknown calendar command '%s' (try 'accord calendar --help')",
                     argv[1]);
}
