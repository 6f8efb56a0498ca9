/* request_import.c: importing request history from CSV: reading, checking, replaying each life. */
#include "base/acc.h"
#include "base/jw.h"
#include "calendar/calendar_db.h"
#include "request/request_import.h"
#include "request/request_int.h"
#include "store/store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* The reason a replayed wait or reopening carries: the file does not say why. */
#define IMPORT_REASON "(not recorded: imported history)"

/* ------------------------------------------------------------------ RFC 4180 reading */

struct csv {
    const char *p, *end;
    int line; /* line of p, from 1 */
    struct acc_buf field;
};

enum { CSV_EOF = 0, CSV_RECORD, CSV_ERROR };

/* Why text is not CSV. */
enum csv_error {
    CSV_UNTERMINATED = 0,
    CSV_AFTER_QUOTE,
    CSV_BARE_QUOTE,
    CSV_NUL,
    CSV_TOO_MANY,
    CSV_TOO_LONG
};

static bool at_line_end(const struct csv *c)
{
    return *c->p == '\n' || (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n');
}

static void skip_line_end(struct csv *c)
{
    if (*c->p == '\r')
        c->p++;
    c->p++;
    c->line++;
}

/* Adds n bytes to the field being read; false past REQUEST_IMPORT_FIELD_MAX. */
static bool field_add(struct csv *c, const char *s, size_t n)
{
    if (c->field.len + n > REQUEST_IMPORT_FIELD_MAX)
        return false;
    acc_buf_add(&c->field, s, n);
    return true;
}

/*
 * Reads the next record into fields[0..*n), copied into arena; blank lines are skipped and
 * *start gets the line the record begins on. CSV_ERROR with *why and the field's index when
 * the text is not CSV; nothing after it can be read reliably.
 */
static int csv_next(struct csv *c, struct acc_arena *arena, char **fields, int *n, int *start,
                    enum csv_error *why, int *at)
{
    int nf = 0;

    while (c->p < c->end && at_line_end(c))
        skip_line_end(c);
    if (c->p >= c->end)
        return CSV_EOF;
    *start = c->line;
    for (;;) {
        *at = nf;
        acc_buf_reset(&c->field);
        if (*c->p == '"') {
            c->p++;
            for (;;) {
                const char *q = memchr(c->p, '"', (size_t)(c->end - c->p));

                if (!q) {
                    *why = CSV_UNTERMINATED;
                    return CSV_ERROR;
                }
                for (const char *s = c->p; s < q; s++)
                    c->line += *s == '\n';
                if (!field_add(c, c->p, (size_t)(q - c->p)))
                    goto too_long;
                c->p = q + 1;
                if (c->p < c->end && *c->p == '"') {
                    if (!field_add(c, "\"", 1))
                        goto too_long;
                    c->p++;
                    continue;
                }
                break;
            }
            if (c->p < c->end && *c->p != ',' && !at_line_end(c)) {
                *why = CSV_AFTER_QUOTE;
                return CSV_ERROR;
            }
        } else {
            const char *s = c->p;

            while (c->p < c->end && *c->p != ',' && !at_line_end(c)) {
                if (*c->p == '"') {
                    *why = CSV_BARE_QUOTE;
                    return CSV_ERROR;
                }
                c->p++;
            }
            if (!field_add(c, s, (size_t)(c->p - s)))
                goto too_long;
        }
        if (memchr(c->field.buf, '\0', c->field.len)) {
            *why = CSV_NUL;
            return CSV_ERROR;
        }
        if (nf == REQUEST_IMPORT_COLUMNS_MAX) {
            *why = CSV_TOO_MANY;
            return CSV_ERROR;
        }
        fields[nf++] = acc_arena_strndup(arena, c->field.buf, c->field.len);
        if (c->p >= c->end)
            break;
        if (*c->p == ',') {
            c->p++;
            if (c->p >= c->end) {
                fields[nf++] = acc_arena_strdup(arena, ""); /* "a,b," ends with an empty field */
                break;
            }
            continue;
        }
        skip_line_end(c);
        break;
    }
    *n = nf;
    return CSV_RECORD;
too_long:
    *why = CSV_TOO_LONG;
    return CSV_ERROR;
}

/* ------------------------------------------------------------------ small string map */

/* Open addressing from text keys (in an arena) to pointers; for the import's caches. */
struct smap {
    struct {
        const char *key;
        uint64_t hash;
        void *val;
    } * slots;
    size_t cap, n;
};

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603u;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211u;
    return h;
}

static void **smap_find(struct smap *m, const char *key)
{
    uint64_t h = hash_text(key);

    for (size_t i = m->cap ? h & (m->cap - 1) : 0; m->cap; i = (i + 1) & (m->cap - 1)) {
        if (!m->slots[i].key)
            return NULL;
        if (m->slots[i].hash == h && strcmp(m->slots[i].key, key) == 0)
            return &m->slots[i].val;
    }
    return NULL;
}

/* Adds key (which must outlive the map) unless present. */
static void smap_put(struct smap *m, const char *key, void *val)
{
    uint64_t h;
    size_t i;

    if (2 * (m->n + 1) > m->cap) {
        struct smap bigger = {0};

        bigger.cap = m->cap ? 2 * m->cap : 64;
        bigger.slots = xcalloc(bigger.cap, sizeof(*bigger.slots));
        for (size_t k = 0; k < m->cap; k++)
            if (m->slots[k].key)
                smap_put(&bigger, m->slots[k].key, m->slots[k].val);
        free(m->slots);
        *m = bigger;
    }
    h = hash_text(key);
    for (i = h & (m->cap - 1); m->slots[i].key; i = (i + 1) & (m->cap - 1))
        if (m->slots[i].hash == h && strcmp(m->slots[i].key, key) == 0)
            return;
    m->slots[i].key = key;
    m->slots[i].hash = h;
    m->slots[i].val = val;
    m->n++;
}

/* Calls fn on each value of m. */
static void smap_each(struct smap *m, void (*fn)(void *))
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key)
            fn(m->slots[i].val);
}

static void smap_release(struct smap *m)
{
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------ columns */

enum column {
    COL_CONTRACT = 0,
    COL_EXTERNAL_ID,
    COL_TITLE,
    COL_REQUESTER,
    COL_CREATED,
    COL_FIRST_RESPONSE,
    COL_WAITING,
    COL_RESOLVED,
    COL_REOPENED,
    COL_CLOSED,
    COL_DESCRIPTION,
    COL_PRIORITY,
    COL_COMMENTS,
    COLUMNS
};

static const struct {
    const char *name;
    bool required;
} columns[COLUMNS] = {
    [COL_CONTRACT] = {"contract", true},
    [COL_EXTERNAL_ID] = {"external_id", true},
    [COL_TITLE] = {"title", true},
    [COL_REQUESTER] = {"requester", true},
    [COL_CREATED] = {"created", true},
    [COL_FIRST_RESPONSE] = {"first_response", false},
    [COL_WAITING] = {"waiting", false},
    [COL_RESOLVED] = {"resolved", false},
    [COL_REOPENED] = {"reopened", false},
    [COL_CLOSED] = {"closed", false},
    [COL_DESCRIPTION] = {"description", false},
    [COL_PRIORITY] = {"priority", false},
    [COL_COMMENTS] = {"comments", false},
};

/* ------------------------------------------------------------------ the import */

/* A person as the import needs them, cached by e-mail and by id. */
struct person_entry {
    int64_t id; /* 0: no such person */
    int64_t department_id;
    enum org_role role;
    const char *email;
};

/* A version that was in force over [from, to) (to 0: it still is), its terms and calendar. */
struct version_span {
    int number;
    int64_t from, to;
    const struct contract_terms *terms;
    struct calendar cal; /* released with the import's caches */
};

/* A contract and the spans of its versions. */
struct contract_entry {
    struct contract c; /* id 0: no such contract */
    struct version_span *in_force;
    int n;
};

struct import {
    struct store *st;
    struct calendar_zones *zones;
    const struct request_import_options *opt;
    struct acc_arena *cache;     /* what lives as long as the import */
    struct acc_arena *out_arena; /* the caller's: bad rows */
    struct request_import_result *res;
    struct smap contracts, emails, ids, keys;
    int col[COLUMNS]; /* index of each column in a record, -1 when the file has none */
    int ncols;
    const char *via;
    struct acc_err err; /* a failure of the store */
};

/* Records a bad row; returns ACC_EINVAL. */
static int bad(struct import *im, int line, enum column col, const char *fmt, ...) ACC_PRINTF(4, 5);
static int bad(struct import *im, int line, enum column col, const char *fmt, ...)
{
    struct request_import_result *res = im->res;
    const char *column = (int)col < COLUMNS ? columns[col].name : "";
    char detail[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    res->bad++;
    if (res->n_bad_rows < REQUEST_IMPORT_BAD_MAX) {
        struct request_import_bad *b = &res->bad_rows[res->n_bad_rows++];

        b->line = line;
        b->column = column;
        b->detail = acc_arena_strdup(im->out_arena, detail);
    }
    return ACC_EINVAL;
}

const char *request_import_bad_text(const struct request_import_bad *b, struct acc_arena *arena)
{
    return acc_arena_printf(arena, "line %d%s%s: %s", b->line, *b->column ? ", column " : "",
                            b->column, b->detail);
}

static const char *fmt_time(int64_t t, struct acc_arena *arena)
{
    char b[21];

    acc_time_format(t, b);
    return acc_arena_strdup(arena, b);
}

static int person_by_email(struct import *im, const char *email, struct acc_arena *ra,
                           const struct person_entry **out)
{
    struct person_entry *e;
    struct org_person p;
    struct acc_err e2;
    void **hit;
    char *key = acc_arena_strdup(ra, email);
    int rc;

    for (char *k = key; *k; k++)
        *k = (char)tolower((unsigned char)*k);
    hit = smap_find(&im->emails, key);
    if (hit) {
        *out = *hit;
        return ACC_OK;
    }
    key = acc_arena_strdup(im->cache, key);
    e = acc_arena_alloc(im->cache, sizeof(*e));
    rc = org_person_get_by_email(im->st, key, im->cache, &p, &e2);
    if (rc == ACC_ESTORE)
        return acc_fail(&im->err, rc, "", "%s", e2.msg);
    if (!rc) {
        e->id = p.id;
        e->department_id = p.department.id;
        e->role = p.role;
        e->email = p.email;
        smap_put(&im->ids, acc_arena_printf(im->cache, "%lld", (long long)p.id), e);
    }
    smap_put(&im->emails, key, e);
    *out = e;
    return ACC_OK;
}

static int person_by_id(struct import *im, int64_t id, const struct person_entry **out)
{
    struct person_entry *e;
    struct org_person p;
    struct acc_err e2;
    char key[24];
    void **hit;
    int rc;

    snprintf(key, sizeof(key), "%lld", (long long)id);
    hit = smap_find(&im->ids, key);
    if (hit) {
        *out = *hit;
        return ACC_OK;
    }
    e = acc_arena_alloc(im->cache, sizeof(*e));
    rc = org_person_get(im->st, id, im->cache, &p, &e2);
    if (rc && rc != ACC_ENOTFOUND)
        return acc_fail(&im->err, rc, "", "%s", e2.msg);
    if (!rc) {
        e->id = p.id;
        e->department_id = p.department.id;
        e->role = p.role;
        e->email = p.email;
    }
    smap_put(&im->ids, acc_arena_strdup(im->cache, key), e);
    *out = e;
    return ACC_OK;
}

static int contract_by_id(struct import *im, int64_t id, const struct contract_entry **out)
{
    struct org_actor sys = org_actor_system("import");
    struct contract_version *v = NULL;
    struct contract_entry *e;
    struct acc_err e2;
    char key[24];
    void **hit;
    int rc, n = 0;

    snprintf(key, sizeof(key), "%lld", (long long)id);
    hit = smap_find(&im->contracts, key);
    if (hit) {
        *out = *hit;
        return ACC_OK;
    }
    e = acc_arena_alloc(im->cache, sizeof(*e));
    rc = contract_get(im->st, &sys, id, im->cache, &e->c, &e2);
    if (!rc)
        rc = contract_version_list(im->st, &sys, id, im->cache, &v, &n, &e2);
    if (rc && rc != ACC_ENOTFOUND)
        return acc_fail(&im->err, rc, "", "%s", e2.msg);
    if (rc) {
        memset(e, 0, sizeof(*e));
        n = 0;
    }
    e->in_force = acc_arena_alloc(im->cache, sizeof(*e->in_force) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        struct version_span *span = &e->in_force[e->n];

        if (!v[i].activated_at)
            continue;
        span->number = v[i].number;
        span->from = v[i].activated_at;
        span->to = v[i].superseded_at ? v[i].superseded_at : v[i].retired_at;
        span->terms = &v[i].terms;
        /* Kept (and released at the end) even when this fails, so that none leaks. */
        e->n++;
        if (calendar_record_load(im->st, v[i].terms.calendar.id, im->zones, im->cache, &span->cal,
                                 &e2)) {
            smap_put(&im->contracts, acc_arena_strdup(im->cache, key), e);
            return acc_fail(&im->err, ACC_ESTORE, "", "%s", e2.msg);
        }
    }
    smap_put(&im->contracts, acc_arena_strdup(im->cache, key), e);
    *out = e;
    return ACC_OK;
}

static void contract_entry_release(void *p)
{
    struct contract_entry *e = p;

    for (int i = 0; i < e->n; i++)
        calendar_release(&e->in_force[i].cal);
}

/* The index of the version of c in force at t, or -1. */
static int version_at(const struct contract_entry *c, int64_t t)
{
    for (int i = 0; i < c->n; i++)
        if (c->in_force[i].from <= t && (!c->in_force[i].to || t < c->in_force[i].to))
            return i;
    return -1;
}

/* ---- one row: reading its fields ---- */

/* What happened to a request, in the order the import replays it at equal instants. */
enum ev_kind {
    EV_FIRST_RESPONSE = 0,
    EV_COMMENT,
    EV_WAIT_END,
    EV_WAIT_START,
    EV_RESOLVED,
    EV_REOPENED,
    EV_CLOSED,
    EV_KINDS
};

static const enum column ev_column[EV_KINDS] = {COL_FIRST_RESPONSE, COL_COMMENTS, COL_WAITING,
                                                COL_WAITING,        COL_RESOLVED, COL_REOPENED,
                                                COL_CLOSED};

struct ev {
    enum ev_kind kind;
    int64_t at;
    bool missing;                      /* EV_WAIT_START: waiting for missing information */
    bool internal;                     /* EV_COMMENT */
    const struct person_entry *author; /* EV_COMMENT */
    const char *body;                  /* EV_COMMENT */
};

struct row {
    int line;
    struct acc_arena *ra; /* the row's own, freed after it */
    char *f[COLUMNS];     /* "" for a column the file lacks */
    const struct contract_entry *contract;
    const struct version_span *span; /* the version in force at created */
    int version;
    const struct person_entry *requester;
    int64_t created;
    struct ev *q[EV_KINDS]; /* each kind's events, in time order */
    int nq[EV_KINDS];
    struct ev *order; /* every event, in the order of the replay */
    int n;
};

/* Parses an RFC 3339 instant of column col; it must lie in [created, now]. */
static int instant(struct import *im, struct row *r, enum column col, const char *text,
                   int64_t *out)
{
    char *s = acc_trim(acc_arena_strdup(r->ra, text));

    if (acc_time_parse(s, out))
        return bad(im, r->line, col,
                   "'%.60s' is not an RFC 3339 instant such as 2026-01-05T09:30:00Z", s);
    if (*out > im->opt->now)
        return bad(im, r->line, col, "%s is in the future", s);
    if (col != COL_CREATED && *out < r->created)
        return bad(im, r->line, col, "%s is before the request was created (%s)", s,
                   fmt_time(r->created, r->ra));
    return ACC_OK;
}

static struct ev *ev_add(struct import *im, struct row *r, enum ev_kind kind, int64_t at,
                         struct acc_arena *ra)
{
    struct ev *e;

    if (!r->q[kind])
        r->q[kind] = acc_arena_alloc(ra, sizeof(*e) * (REQUEST_IMPORT_LIST_MAX + 1));
    e = &r->q[kind][r->nq[kind]++];
    e->kind = kind;
    e->at = at;
    return e;
}

/* Splits s at sep into trimmed, non-empty parts (at most REQUEST_IMPORT_LIST_MAX). */
static int split(struct import *im, struct row *r, enum column col, const char *s, char sep,
                 struct acc_arena *ra, char ***parts, int *n)
{
    char *copy = acc_arena_strdup(ra, s), *p = copy;
    char **out = acc_arena_alloc(ra, sizeof(*out) * (REQUEST_IMPORT_LIST_MAX + 1));
    int k = 0;

    while (p) {
        char *next = strchr(p, sep);

        if (next)
            *next++ = '\0';
        p = acc_trim(p);
        if (*p) {
            if (k == REQUEST_IMPORT_LIST_MAX)
                return bad(im, r->line, col, "more than %d entries", REQUEST_IMPORT_LIST_MAX);
            out[k++] = p;
        }
        p = next;
    }
    *parts = out;
    *n = k;
    return ACC_OK;
}

/* Instants separated by ';', rising, as events of kind. */
static int instants(struct import *im, struct row *r, enum column col, enum ev_kind kind,
                    struct acc_arena *ra)
{
    char **parts;
    int n, rc = split(im, r, col, r->f[col], ';', ra, &parts, &n);

    for (int i = 0; !rc && i < n; i++) {
        int64_t at;

        rc = instant(im, r, col, parts[i], &at);
        if (!rc && r->nq[kind] && at < r->q[kind][r->nq[kind] - 1].at)
            rc = bad(im, r->line, col, "%s comes before the instant listed ahead of it", parts[i]);
        if (!rc)
            ev_add(im, r, kind, at, ra);
    }
    return rc;
}

/* "[missing:]START/END;…": the last interval may lack its END (still waiting). */
static int waiting(struct import *im, struct row *r, struct acc_arena *ra)
{
    char **parts;
    int n, rc = split(im, r, COL_WAITING, r->f[COL_WAITING], ';', ra, &parts, &n);
    int64_t last_end = 0;

    for (int i = 0; !rc && i < n; i++) {
        char *p = parts[i], *slash;
        bool missing = false;
        int64_t start, end = 0;

        if (strncasecmp(p, "missing:", 8) == 0) {
            missing = true;
            p = acc_trim(p + 8);
        }
        slash = strchr(p, '/');
        if (!slash)
            return bad(im, r->line, COL_WAITING,
                       "interval %d ('%.60s') is not START/END, such as "
                       "2026-01-05T09:30:00Z/2026-01-06T11:00:00Z",
                       i + 1, parts[i]);
        *slash = '\0';
        rc = instant(im, r, COL_WAITING, p, &start);
        if (!rc && *acc_trim(slash + 1))
            rc = instant(im, r, COL_WAITING, slash + 1, &end);
        else if (!rc && i < n - 1)
            rc = bad(im, r->line, COL_WAITING,
                     "interval %d has no end: only the last one may still be running", i + 1);
        if (!rc && end && end < start)
            rc = bad(im, r->line, COL_WAITING, "interval %d ends before it starts", i + 1);
        if (!rc && i && start < last_end)
            rc = bad(im, r->line, COL_WAITING, "interval %d starts before interval %d ends", i + 1,
                     i);
        if (rc)
            return rc;
        ev_add(im, r, EV_WAIT_START, start, ra)->missing = missing;
        if (end)
            ev_add(im, r, EV_WAIT_END, end, ra);
        last_end = end;
    }
    return rc;
}

/* The side p stands on in the request of row r (request_side_of()'s rule). */
static enum request_side side_of(const struct row *r, const struct person_entry *p)
{
    struct request q = {0};
    struct org_actor a = {p->id, p->department_id, p->role, NULL, false};

    q.provider = r->contract->c.provider.department;
    q.consumer = r->contract->c.consumer.department;
    q.requester.id = r->requester->id;
    return request_side_of(&q, &a);
}

/* Undoes the escapes of a comment's text: "\n" is a line break, "\\" a backslash. */
static char *unescape(char *s)
{
    char *o = s;

    for (char *p = s; *p; p++) {
        if (*p == '\\' && (p[1] == 'n' || p[1] == '\\')) {
            *o++ = p[1] == 'n' ? '\n' : '\\';
            p++;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return s;
}

/* One comment per line: "[internal:]INSTANT E-MAIL TEXT". */
static int comments(struct import *im, struct row *r, struct acc_arena *ra)
{
    char **lines;
    int n, rc = split(im, r, COL_COMMENTS, r->f[COL_COMMENTS], '\n', ra, &lines, &n);

    for (int i = 0; !rc && i < n; i++) {
        char *p = lines[i], *email, *text;
        const struct person_entry *author;
        bool internal = false;
        enum request_side side;
        int64_t at;
        struct ev *e;

        if (strncasecmp(p, "internal:", 9) == 0) {
            internal = true;
            p += 9;
        }
        email = strchr(p, ' ');
        text = email ? strchr(email + 1, ' ') : NULL;
        if (!text || !*acc_trim(text + 1))
            return bad(im, r->line, COL_COMMENTS,
                       "comment %d is not '[internal:]INSTANT E-MAIL TEXT'", i + 1);
        *email++ = '\0';
        *text++ = '\0';
        rc = instant(im, r, COL_COMMENTS, p, &at);
        if (!rc && r->nq[EV_COMMENT] && at < r->q[EV_COMMENT][r->nq[EV_COMMENT] - 1].at)
            rc = bad(im, r->line, COL_COMMENTS, "comment %d comes before comment %d", i + 1, i);
        if (!rc)
            rc = person_by_email(im, email, ra, &author);
        if (rc)
            return rc;
        if (!author->id)
            return bad(im, r->line, COL_COMMENTS, "comment %d: no person '%.80s'", i + 1, email);
        side = side_of(r, author);
        if (side == REQUEST_THIRD)
            return bad(im, r->line, COL_COMMENTS,
                       "comment %d: '%s' is on neither side of contract %lld", i + 1, author->email,
                       (long long)r->contract->c.id);
        if (internal && side != REQUEST_PROVIDER)
            return bad(im, r->line, COL_COMMENTS,
                       "comment %d: internal notes are the provider's, and '%s' is not", i + 1,
                       author->email);
        text = unescape(acc_trim(text));
        if (strlen(text) > REQUEST_TEXT_MAX)
            return bad(im, r->line, COL_COMMENTS, "comment %d is longer than %d bytes", i + 1,
                       REQUEST_TEXT_MAX);
        e = ev_add(im, r, EV_COMMENT, at, ra);
        e->internal = internal;
        e->author = author;
        e->body = text;
    }
    return rc;
}

/* ---- one row: the order of its life ---- */

enum life { L_OPEN, L_IN_PROGRESS, L_WAITING, L_RESOLVED, L_CLOSED };

static const char *const life_names[] = {"open", "in progress", "waiting on its consumer",
                                         "resolved", "closed"};

/* Where e takes a request in state s (and whether the provider answered), or -1. */
static int life_next(enum life s, bool answered, const struct ev *e)
{
    switch (e->kind) {
    case EV_FIRST_RESPONSE:
        return s == L_OPEN && !answered ? L_IN_PROGRESS : -1;
    case EV_COMMENT:
        return s == L_CLOSED ? -1 : (int)s;
    case EV_WAIT_START:
        return s == L_OPEN || s == L_IN_PROGRESS ? L_WAITING : -1;
    case EV_WAIT_END:
        return s == L_WAITING ? L_IN_PROGRESS : -1;
    case EV_RESOLVED:
        return s == L_OPEN || s == L_IN_PROGRESS ? L_RESOLVED : -1;
    case EV_REOPENED:
        return s == L_RESOLVED ? L_IN_PROGRESS : -1;
    case EV_CLOSED:
        return s == L_RESOLVED ? L_CLOSED : -1;
    case EV_KINDS:
        break;
    }
    return -1;
}

/* What would have made an event possible. */
static const char *hint(enum ev_kind kind, enum life s)
{
    if (kind == EV_REOPENED || kind == EV_CLOSED)
        return ": it must follow a resolution";
    if (kind == EV_COMMENT)
        return ": nothing follows closing";
    if (s == L_RESOLVED)
        return ": a reopening must come first";
    if (s == L_WAITING)
        return ": the wait must end first";
    return "";
}

/*
 * Puts the row's events in the order of its life: by instant, and at equal instants by
 * kind (enum ev_kind), taking the first that the request's status then allows. An event
 * that no order allows makes the row bad.
 */
static int order_life(struct import *im, struct row *r, struct acc_arena *ra)
{
    int head[EV_KINDS] = {0}, total = 0;
    enum life s = L_OPEN;
    int64_t since = r->created, answered_at = 0, close_at = 0;
    const char *answered_how = NULL;
    bool closed_itself = false;

    for (int k = 0; k < EV_KINDS; k++)
        total += r->nq[k];
    r->order = acc_arena_alloc(ra, sizeof(*r->order) * (size_t)(total ? total : 1));
    r->n = 0;
    while (r->n < total) {
        const struct ev *first = NULL, *e = NULL;
        int64_t t = 0;
        int next = -1, kind = -1;

        for (int k = 0; k < EV_KINDS; k++)
            if (head[k] < r->nq[k] && (kind < 0 || r->q[k][head[k]].at < t)) {
                t = r->q[k][head[k]].at;
                kind = k;
            }
        /*
         * As live: a resolved request closes itself REQUEST_AUTOCLOSE_DAYS business days after
         * its resolution. The file's later closing is then the same fact, told late.
         */
        if (s == L_RESOLVED && close_at && t >= close_at) {
            s = L_CLOSED;
            since = close_at;
            closed_itself = true;
        }
        if (s == L_CLOSED && closed_itself && head[EV_CLOSED] < r->nq[EV_CLOSED] &&
            r->q[EV_CLOSED][head[EV_CLOSED]].at == t) {
            head[EV_CLOSED]++;
            total--;
            continue;
        }
        for (int k = 0; k < EV_KINDS && next < 0; k++) {
            if (head[k] == r->nq[k] || r->q[k][head[k]].at != t)
                continue;
            if (!first)
                first = &r->q[k][head[k]];
            next = life_next(s, answered_at != 0, &r->q[k][head[k]]);
            if (next >= 0) {
                e = &r->q[k][head[k]++];
                break;
            }
        }
        if (!e) {
            const char *at = fmt_time(first->at, ra);

            if (first->kind == EV_FIRST_RESPONSE)
                return bad(im, r->line, COL_FIRST_RESPONSE,
                           "%s comes after the provider answered with %s at %s", at, answered_how,
                           fmt_time(answered_at, ra));
            if (closed_itself)
                return bad(im, r->line, ev_column[first->kind],
                           "%s comes after the request closed itself at %s, %d business days "
                           "after its resolution: a closed request is neither reopened nor "
                           "commented",
                           at, fmt_time(since, ra), REQUEST_AUTOCLOSE_DAYS);
            return bad(im, r->line, ev_column[first->kind],
                       "%s falls while the request is %s (since %s)%s", at, life_names[s],
                       fmt_time(since, ra), hint(first->kind, s));
        }
        if (!answered_at &&
            (e->kind == EV_FIRST_RESPONSE || e->kind == EV_WAIT_START || e->kind == EV_RESOLVED ||
             (e->kind == EV_COMMENT && !e->internal &&
              side_of(r, e->author) == REQUEST_PROVIDER))) {
            answered_at = e->at;
            answered_how = e->kind == EV_COMMENT      ? "a public comment"
                           : e->kind == EV_WAIT_START ? "the move to waiting_on_consumer"
                           : e->kind == EV_RESOLVED   ? "the resolution"
                                                      : "its first response";
        }
        if ((enum life)next != s)
            since = e->at;
        if (next == L_RESOLVED) {
            struct acc_err ignored;

            if (request_autoclose_at(&r->span->cal, e->at, &close_at, &ignored))
                close_at = 0;
        }
        s = (enum life)next;
        r->order[r->n++] = *e;
    }
    return ACC_OK;
}

/* Checks title, description and priority as request_create_at() will, against terms. */
static int check_text(struct import *im, const struct row *r, const struct contract_terms *t)
{
    const char *prio = r->f[COL_PRIORITY];
    bool known = false;

    if (strlen(r->f[COL_TITLE]) > REQUEST_TITLE_MAX)
        return bad(im, r->line, COL_TITLE, "the title is longer than %d bytes", REQUEST_TITLE_MAX);
    if (strlen(r->f[COL_DESCRIPTION]) > REQUEST_TEXT_MAX)
        return bad(im, r->line, COL_DESCRIPTION, "the description is longer than %d bytes",
                   REQUEST_TEXT_MAX);
    if (!*prio)
        return ACC_OK;
    for (int i = 0; i < t->n_priorities; i++)
        known = known || strcmp(t->priorities[i].name, prio) == 0;
    if (!t->n_priorities)
        return bad(im, r->line, COL_PRIORITY, "contract %lld has no priorities (at %s)",
                   (long long)r->contract->c.id, fmt_time(r->created, r->ra));
    if (!known)
        return bad(im, r->line, COL_PRIORITY, "'%.60s' is not a priority of contract %lld", prio,
                   (long long)r->contract->c.id);
    return ACC_OK;
}

/* Reads and checks a row's fields up to the order of its life; *existing for a known row. */
static int read_row(struct import *im, struct row *r, bool *existing)
{
    struct acc_arena *ra = r->ra;
    char *contract = acc_trim(r->f[COL_CONTRACT]), *ext = acc_trim(r->f[COL_EXTERNAL_ID]);
    const char *key;
    int64_t cid = 0, found = 0;
    int rc;

    *existing = false;
    for (int c = 0; c < COLUMNS; c++)
        if (!acc_utf8_valid(r->f[c]))
            return bad(im, r->line, (enum column)c, "the field is not valid UTF-8");
    if (!acc_parse_i64(contract, &cid) || cid <= 0)
        return bad(im, r->line, COL_CONTRACT, "'%.40s' is not a contract id", contract);
    rc = contract_by_id(im, cid, &r->contract);
    if (rc)
        return rc;
    if (!r->contract->c.id)
        return bad(im, r->line, COL_CONTRACT, "no contract %lld", (long long)cid);
    if (!*ext)
        return bad(im, r->line, COL_EXTERNAL_ID, "the external id is empty");
    if (strlen(ext) > REQUEST_EXTERNAL_MAX)
        return bad(im, r->line, COL_EXTERNAL_ID, "the external id is longer than %d bytes",
                   REQUEST_EXTERNAL_MAX);
    key = acc_arena_printf(im->cache, "%lld\x1f%s", (long long)cid, ext);
    {
        void **first = smap_find(&im->keys, key);

        if (first)
            return bad(im, r->line, COL_EXTERNAL_ID, "'%s' of contract %lld is on line %d already",
                       ext, (long long)cid, (int)(intptr_t)*first);
        smap_put(&im->keys, key, (void *)(intptr_t)r->line);
    }
    {
        struct store_arg args[] = {SA_INT(cid), SA_TEXT(ext)};

        rc = store_query_int(im->st,
                             "SELECT id FROM request WHERE contract_id = ? AND external_ref = ?",
                             args, 2, &found, &im->err);
        if (rc == ACC_ENOTFOUND)
            rc = ACC_OK;
        else if (!rc)
            *existing = true;
        if (rc || *existing)
            return rc;
    }
    r->f[COL_TITLE] = acc_trim(r->f[COL_TITLE]);
    r->f[COL_PRIORITY] = acc_trim(r->f[COL_PRIORITY]);
    r->f[COL_REQUESTER] = acc_trim(r->f[COL_REQUESTER]);
    if (!*r->f[COL_TITLE])
        return bad(im, r->line, COL_TITLE, "the title is empty");
    rc = person_by_email(im, r->f[COL_REQUESTER], ra, &r->requester);
    if (rc)
        return rc;
    if (!r->requester->id)
        return bad(im, r->line, COL_REQUESTER, "no person '%.80s'", r->f[COL_REQUESTER]);
    if (r->requester->department_id != r->contract->c.consumer.department.id ||
        (r->contract->c.consumer.person.id &&
         r->requester->id != r->contract->c.consumer.person.id))
        return bad(im, r->line, COL_REQUESTER,
                   "'%s' is not on the consumer side of contract %lld (%s)", r->requester->email,
                   (long long)cid,
                   r->contract->c.consumer.person.id ? r->contract->c.consumer.person.name
                                                     : r->contract->c.consumer.department.name);
    rc = instant(im, r, COL_CREATED, r->f[COL_CREATED], &r->created);
    if (rc)
        return rc;
    rc = version_at(r->contract, r->created);
    if (rc < 0)
        return bad(im, r->line, COL_CREATED, "contract %lld had no version in force at %s",
                   (long long)cid, fmt_time(r->created, ra));
    r->span = &r->contract->in_force[rc];
    r->version = r->span->number;
    rc = check_text(im, r, r->span->terms);
    if (*acc_trim(r->f[COL_FIRST_RESPONSE])) {
        int64_t at;

        rc = instant(im, r, COL_FIRST_RESPONSE, r->f[COL_FIRST_RESPONSE], &at);
        if (!rc)
            ev_add(im, r, EV_FIRST_RESPONSE, at, ra);
    }
    if (!rc)
        rc = waiting(im, r, ra);
    if (!rc)
        rc = instants(im, r, COL_RESOLVED, EV_RESOLVED, ra);
    if (!rc)
        rc = instants(im, r, COL_REOPENED, EV_REOPENED, ra);
    if (!rc && *acc_trim(r->f[COL_CLOSED])) {
        int64_t at;

        rc = instant(im, r, COL_CLOSED, r->f[COL_CLOSED], &at);
        if (!rc)
            ev_add(im, r, EV_CLOSED, at, ra);
    }
    if (!rc)
        rc = comments(im, r, ra);
    if (!rc)
        rc = order_life(im, r, ra);
    return rc;
}

/* ---- one row: the replay ---- */

static struct org_actor actor_of(const struct import *im, const struct person_entry *p)
{
    struct org_actor a = {p->id, p->department_id, p->role, im->via, true};

    return a;
}

/*
 * Who makes the provider's moves on r: its assignee while they stand on the provider side,
 * else the provider department's head or point person.
 */
static int provider_actor(struct import *im, const struct row *row, const struct request *r,
                          struct org_actor *out, struct acc_arena *ra)
{
    struct org_department d;
    struct acc_err e;
    int64_t ids[3] = {r->assignee.id, 0, 0};
    int rc;

    if (org_department_get(im->st, r->provider.id, ra, &d, &e) == ACC_OK) {
        ids[1] = d.head.id;
        ids[2] = d.point_person.id;
    }
    for (int i = 0; i < 3; i++) {
        const struct person_entry *p = NULL;

        if (!ids[i])
            continue;
        rc = person_by_id(im, ids[i], &p);
        if (rc)
            return rc;
        if (p->id && request_side_of(r, &(struct org_actor){p->id, p->department_id, p->role, NULL,
                                                            false}) == REQUEST_PROVIDER) {
            *out = actor_of(im, p);
            return ACC_OK;
        }
    }
    return bad(im, row->line, COLUMNS, "nobody of %s can make the provider's moves",
               r->provider.name);
}

/*
 * Fires what fell due on r up to t as a punctual sweeper would have: each escalation level,
 * and the automatic close, at the instant it was due (not before floor, the instant of the
 * event replayed last).
 */
static int catch_up_to(struct import *im, struct request *r, int64_t t, int64_t floor,
                       struct acc_arena *ra, struct acc_err *err)
{
    for (int guard = 0; guard < 2 * CONTRACT_LEVELS_MAX + 2; guard++) {
        int64_t at = r->next_fire_at > floor ? r->next_fire_at : floor;
        int rc;

        if (!r->next_fire_at || r->next_fire_at > t)
            return ACC_OK;
        rc = request_catch_up(im->st, im->zones, r->id, at, true, ra, err);
        if (!rc)
            rc = request_load(im->st, r->id, ra, r, err);
        if (rc)
            return rc;
    }
    return acc_fail(err, ACC_EBUG, "", "request %lld: escalations do not settle", (long long)r->id);
}

/* The column a module's error is about. */
static enum column column_of(const struct acc_err *e, enum ev_kind kind)
{
    static const struct {
        const char *field;
        enum column col;
    } map[] = {{"/title", COL_TITLE},          {"/description", COL_DESCRIPTION},
               {"/priority", COL_PRIORITY},    {"/external_ref", COL_EXTERNAL_ID},
               {"/contract_id", COL_CONTRACT}, {"/version", COL_CREATED},
               {"/body", COL_COMMENTS}};

    for (size_t i = 0; i < ACC_ARRAY_LEN(map); i++)
        if (strcmp(e->field, map[i].field) == 0)
            return map[i].col;
    return (int)kind < EV_KINDS ? ev_column[kind] : COLUMNS;
}

static int move(struct import *im, const struct org_actor *who, struct request *r,
                enum request_status to, const char *reason, bool missing, int64_t at,
                struct acc_arena *ra, struct acc_err *err)
{
    return request_move(im->st, im->zones, who, r->id, to, reason,
                        missing ? REQUEST_WAIT_MISSING_INFO : REQUEST_WAIT_OTHER, at, ra, r, err);
}

static int replay_event(struct import *im, const struct row *row, struct request *r,
                        const struct ev *e, struct acc_arena *ra, struct acc_err *err)
{
    struct org_actor requester = actor_of(im, row->requester), provider = {0};
    struct request_comment c;
    int rc = ACC_OK;

    if (e->kind == EV_FIRST_RESPONSE || e->kind == EV_WAIT_START || e->kind == EV_RESOLVED ||
        e->kind == EV_REOPENED) {
        rc = provider_actor(im, row, r, &provider, ra);
        if (rc)
            return rc == ACC_EINVAL ? ACC_OK : rc; /* reported already */
    }
    switch (e->kind) {
    case EV_FIRST_RESPONSE:
        return move(im, &provider, r, REQUEST_IN_PROGRESS, NULL, false, e->at, ra, err);
    case EV_COMMENT: {
        struct org_actor author = actor_of(im, e->author);

        rc = request_comment_add(im->st, im->zones, &author, r->id, e->body, e->internal, e->at, ra,
                                 &c, err);
        return rc ? rc : request_load(im->st, r->id, ra, r, err);
    }
    case EV_WAIT_START:
        return move(im, &provider, r, REQUEST_WAITING, IMPORT_REASON, e->missing, e->at, ra, err);
    case EV_WAIT_END:
        return move(im, &requester, r, REQUEST_IN_PROGRESS, NULL, false, e->at, ra, err);
    case EV_RESOLVED:
        return move(im, &provider, r, REQUEST_RESOLVED, NULL, false, e->at, ra, err);
    case EV_REOPENED:
        rc = move(im, &requester, r, REQUEST_REOPENED, IMPORT_REASON, false, e->at, ra, err);
        return rc ? rc : move(im, &provider, r, REQUEST_IN_PROGRESS, NULL, false, e->at, ra, err);
    case EV_CLOSED:
        return move(im, &requester, r, REQUEST_CLOSED, NULL, false, e->at, ra, err);
    case EV_KINDS:
        break;
    }
    return acc_fail(err, ACC_EBUG, "", "unknown event");
}

/* Replays row: raises the request, lives its history, catches up with now, marks it. */
static int replay(struct import *im, const struct row *row, struct acc_arena *ra)
{
    const struct request_import_options *opt = im->opt;
    struct org_actor requester = actor_of(im, row->requester);
    struct request_input in = {0};
    int64_t floor = row->created;
    int bad_before = (int)im->res->bad;
    struct acc_err err = {0};
    struct request r;
    int kind = -1, rc;

    in.contract_id = row->contract->c.id;
    in.title = row->f[COL_TITLE];
    in.description = row->f[COL_DESCRIPTION];
    in.priority = *row->f[COL_PRIORITY] ? row->f[COL_PRIORITY] : NULL;
    in.external_ref = row->f[COL_EXTERNAL_ID];
    rc = request_create_at(im->st, im->zones, &requester, &in, row->version, row->created, ra, &r,
                           &err);
    for (int i = 0; !rc && i < row->n && im->res->bad == bad_before; i++) {
        kind = row->order[i].kind;
        rc = catch_up_to(im, &r, row->order[i].at, floor, ra, &err);
        if (!rc)
            rc = replay_event(im, row, &r, &row->order[i], ra, &err);
        floor = row->order[i].at;
    }
    if (im->res->bad != bad_before)
        return ACC_EINVAL;
    if (!rc)
        kind = -1;
    if (!rc)
        rc = catch_up_to(im, &r, opt->now, floor, ra, &err);
    if (!rc)
        rc = request_catch_up(im->st, im->zones, r.id, opt->now, true, ra, &err);
    if (!rc) {
        struct store_arg args[] = {SA_INT(r.id)};

        rc =
            store_exec(im->st, "UPDATE request SET imported = 1 WHERE id = ?", args, 1, NULL, &err);
    }
    if (!rc) {
        struct acc_jw w;

        acc_jw_begin(&w);
        acc_jw_str(&w, "external_ref", row->f[COL_EXTERNAL_ID]);
        acc_jw_int(&w, "line", row->line);
        acc_jw_str(&w, "via", im->via);
        rc = request_event_add(im->st, r.id, opt->now, opt->importer ? opt->importer->person_id : 0,
                               "imported", acc_jw_end(&w, ra), &err);
    }
    if (rc == ACC_ESTORE || rc == ACC_EBUG) {
        im->err = err;
        return rc;
    }
    if (rc)
        return bad(im, row->line, column_of(&err, (enum ev_kind)kind), "%s", err.msg);
    return ACC_OK;
}

/* ---- the file ---- */

static int savepoint(struct import *im, const char *sql)
{
    return store_exec(im->st, sql, NULL, 0, NULL, &im->err);
}

static int read_header(struct import *im, char **fields, int n, int line)
{
    for (int c = 0; c < COLUMNS; c++)
        im->col[c] = -1;
    for (int i = 0; i < n; i++) {
        char *name = acc_trim(fields[i]);
        int c = 0;

        if (i == 0 && strncmp(name, "\xef\xbb\xbf", 3) == 0) /* a byte order mark */
            name += 3;
        for (char *p = name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        while (c < COLUMNS && strcmp(columns[c].name, name) != 0)
            c++;
        if (c == COLUMNS)
            return bad(im, line, COLUMNS,
                       "unknown column '%.60s': the columns are contract, external_id, title, "
                       "requester, created, first_response, waiting, resolved, reopened, closed, "
                       "description, priority, comments",
                       name);
        if (im->col[c] >= 0)
            return bad(im, line, (enum column)c, "the column appears twice");
        im->col[c] = i;
    }
    for (int c = 0; c < COLUMNS; c++)
        if (columns[c].required && im->col[c] < 0)
            return bad(im, line, (enum column)c, "the header lacks this column");
    im->ncols = n;
    return ACC_OK;
}

/* Reads, checks and replays one record; bad rows are recorded, failures of the store returned. */
static int import_record(struct import *im, char **fields, int n, int line, struct acc_arena *ra)
{
    struct row row = {0};
    bool existing = false;
    int rc;

    row.line = line;
    row.ra = ra;
    if (n != im->ncols)
        return bad(im, line, COLUMNS, "%d fields, and the header has %d", n, im->ncols);
    for (int c = 0; c < COLUMNS; c++)
        row.f[c] = im->col[c] >= 0 ? fields[im->col[c]] : acc_arena_strdup(ra, "");
    rc = read_row(im, &row, &existing);
    if (rc)
        return rc;
    if (existing) {
        im->res->existing++;
        return ACC_OK;
    }
    /*
     * Once a row is bad without skip_bad nothing will be kept: the rows after it are checked
     * but not replayed. With skip_bad, a row that fails half-way (the checks above make it
     * rare) leaves nothing behind.
     */
    if (im->res->bad && !im->opt->skip_bad) {
        im->res->added++;
        return ACC_OK;
    }
    if (im->opt->skip_bad && savepoint(im, "SAVEPOINT request_import_row"))
        return ACC_ESTORE;
    rc = replay(im, &row, ra);
    if (!rc)
        im->res->added++;
    if (im->opt->skip_bad && rc == ACC_EINVAL &&
        savepoint(im, "ROLLBACK TO SAVEPOINT request_import_row"))
        return ACC_ESTORE;
    if (im->opt->skip_bad && (rc == ACC_OK || rc == ACC_EINVAL) &&
        savepoint(im, "RELEASE SAVEPOINT request_import_row"))
        return ACC_ESTORE;
    return rc;
}

/* Reports text that is not CSV; nothing after it can be read reliably. */
static void csv_bad(struct import *im, bool header, int line, enum csv_error why, int at)
{
    static const char *const text[] = {
        [CSV_UNTERMINATED] = "the quoted field does not end",
        [CSV_AFTER_QUOTE] = "text follows the closing quote of a field",
        [CSV_BARE_QUOTE] = "a quote inside a field that does not begin with one (quote the "
                           "field and double the quote)",
        [CSV_NUL] = "the field holds a NUL byte",
        [CSV_TOO_MANY] = "the record has more fields than the %d allowed",
        [CSV_TOO_LONG] = "the field is longer than the %d bytes allowed",
    };
    enum column col = COLUMNS;

    for (int k = 0; !header && k < COLUMNS; k++)
        if (im->col[k] == at)
            col = (enum column)k;
    if (why == CSV_TOO_MANY)
        bad(im, line, col, text[why], REQUEST_IMPORT_COLUMNS_MAX);
    else if (why == CSV_TOO_LONG)
        bad(im, line, col, text[why], REQUEST_IMPORT_FIELD_MAX);
    else
        bad(im, line, col, "%s", text[why]);
}

/* Reads every record: the header, then rows; false when the file cannot be read on. */
static int read_all(struct import *im, struct csv *c, size_t len, bool *fatal)
{
    const struct request_import_options *opt = im->opt;
    char *fields[REQUEST_IMPORT_COLUMNS_MAX];
    bool header = true;
    int rc = ACC_OK;

    while (!rc && !*fatal) {
        struct acc_arena *ra = acc_arena_new();
        enum csv_error why = CSV_UNTERMINATED;
        int n = 0, line = c->line, at = 0, got;

        got = csv_next(c, ra, fields, &n, &line, &why, &at);
        if (got == CSV_EOF) {
            if (header)
                bad(im, 1, COLUMNS, "the file is empty: it needs a header row");
            *fatal = header;
        } else if (got == CSV_ERROR) {
            csv_bad(im, header, line, why, at);
            *fatal = true;
        } else if (header) {
            *fatal = read_header(im, fields, n, line) != ACC_OK;
            header = false;
        } else if (im->res->rows == REQUEST_IMPORT_ROWS_MAX) {
            bad(im, line, COLUMNS, "more than %d rows: split the file", REQUEST_IMPORT_ROWS_MAX);
            *fatal = true;
        } else {
            im->res->rows++;
            rc = import_record(im, fields, n, line, ra);
            if (rc == ACC_EINVAL)
                rc = ACC_OK;
            if (opt->progress && im->res->rows % REQUEST_IMPORT_PROGRESS_ROWS == 0)
                opt->progress(opt->progress_arg, im->res->rows, (size_t)(c->p - (c->end - len)),
                              len);
        }
        acc_arena_free(ra);
        if (got == CSV_EOF)
            break;
    }
    return rc;
}

int request_import(struct store *st, struct calendar_zones *zones, const char *csv, size_t len,
                   const struct request_import_options *opt, struct acc_arena *arena,
                   struct request_import_result *out, struct acc_err *err)
{
    struct import im = {0};
    struct csv c = {csv, csv + len, 1, {0}};
    struct request_import_result res = {0};
    bool fatal = false, undo;
    int rc = ACC_OK;

    im.st = st;
    im.zones = zones;
    im.opt = opt;
    im.cache = acc_arena_new();
    im.out_arena = arena;
    im.res = &res;
    im.via = opt->importer && opt->importer->via ? opt->importer->via : "import";
    res.bad_rows = acc_arena_alloc(arena, sizeof(*res.bad_rows) * REQUEST_IMPORT_BAD_MAX);
    acc_buf_init(&c.field);
    if (len >= 3 && memcmp(csv, "\xef\xbb\xbf", 3) == 0)
        c.p += 3; /* a byte order mark */
    if (len > REQUEST_IMPORT_BYTES_MAX) {
        bad(&im, 1, COLUMNS, "the file is larger than %d MiB: split it",
            REQUEST_IMPORT_BYTES_MAX / (1024 * 1024));
        fatal = true;
    } else {
        /* The whole file is one unit: undone as a whole, whatever the caller's transaction. */
        int64_t before = store_total_changes(st);

        rc = savepoint(&im, "SAVEPOINT request_import");
        if (!rc)
            rc = read_all(&im, &c, len, &fatal);
        undo = fatal || (res.bad && !opt->skip_bad) || opt->dry_run;
        if (!rc && undo)
            rc = savepoint(&im, "ROLLBACK TO SAVEPOINT request_import");
        if (!rc && undo)
            store_forget_changes(st, store_total_changes(st) - before);
        if (!rc)
            rc = savepoint(&im, "RELEASE SAVEPOINT request_import");
    }
    res.refused = fatal || (res.bad && !opt->skip_bad);
    res.stored = !rc && !res.refused && !opt->dry_run && res.added;
    acc_buf_release(&c.field);
    smap_each(&im.contracts, contract_entry_release);
    smap_release(&im.contracts);
    smap_release(&im.emails);
    smap_release(&im.ids);
    smap_release(&im.keys);
    acc_arena_free(im.cache);
    if (rc)
        *err = im.err;
    else
        *out = res;
    return rc;
}
