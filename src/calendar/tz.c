/* tz.c: TZif (RFC 8536, v1 to v4) reader with its POSIX TZ footer, offset lookups, zone cache. */
#include "base/acc.h"
#include "calendar/calendar.h"
#include "calendar/calendar_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"
#define TZ_FILE_MAX    (1 << 20)
#define TZ_OFF_LIMIT   (26 * 3600) /* RFC 8536 keeps offsets within -25 h .. +26 h */
/* the Gregorian calendar, weekdays included, repeats every 400 years */
#define TZ_CYCLE_YEARS 400
#define TZ_CYCLE_SECS  ((int64_t)146097 * 86400)
#define TZ_BUCKETS     64

/* ------------------------------------------------------------------ small helpers */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int ml[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : ml[m - 1];
}

static int year_of_local(int64_t local_secs)
{
    int y, m, d;
    int64_t day = floor_div(local_secs, 86400);

    if (day < INT32_MIN / 2)
        return -1000000;
    if (day > INT32_MAX / 2)
        return 1000000;
    calendar_day_to_civil((int32_t)day, &y, &m, &d);
    return y;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* ------------------------------------------------------------- POSIX TZ footer */

/* [+-]hh[:mm[:ss]] with hh <= max_h; returns the end of the text or NULL. */
static const char *parse_hms(const char *s, int max_h, int32_t *out)
{
    int sign = 1, h = 0, m = 0, sec = 0, nd = 0;

    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    while (*s >= '0' && *s <= '9' && nd < 3) {
        h = h * 10 + (*s++ - '0');
        nd++;
    }
    if (nd == 0 || h > max_h)
        return NULL;
    if (*s == ':') {
        s++;
        if (!(s[0] >= '0' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9'))
            return NULL;
        m = (s[0] - '0') * 10 + (s[1] - '0');
        s += 2;
        if (*s == ':') {
            s++;
            if (!(s[0] >= '0' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9'))
                return NULL;
            sec = (s[0] - '0') * 10 + (s[1] - '0');
            s += 2;
        }
    }
    *out = sign * (h * 3600 + m * 60 + sec);
    return s;
}

static const char *parse_abbr(const char *s)
{
    const char *p = s;

    if (*s == '<') {
        while (*++p && *p != '>')
            ;
        return *p == '>' && p - s >= 4 ? p + 1 : NULL;
    }
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
        p++;
    return p - s >= 3 ? p : NULL;
}

static const char *parse_num(const char *s, int lo, int hi, int *out)
{
    int v = 0, nd = 0;

    while (*s >= '0' && *s <= '9' && nd < 4) {
        v = v * 10 + (*s++ - '0');
        nd++;
    }
    if (!nd || v < lo || v > hi)
        return NULL;
    *out = v;
    return s;
}

static const char *parse_rule_date(const char *s, struct tz_rule_date *r)
{
    r->secs = 7200;
    if (*s == 'J') {
        r->kind = 'J';
        s = parse_num(s + 1, 1, 365, &r->n);
    } else if (*s == 'M') {
        r->kind = 'M';
        s = parse_num(s + 1, 1, 12, &r->m);
        if (s && *s == '.')
            s = parse_num(s + 1, 1, 5, &r->w);
        else
            s = NULL;
        if (s && *s == '.')
            s = parse_num(s + 1, 0, 6, &r->d);
        else
            s = NULL;
    } else {
        r->kind = 'D';
        s = parse_num(s, 0, 365, &r->n);
    }
    if (s && *s == '/')
        s = parse_hms(s + 1, 167, &r->secs);
    return s;
}

/* Parses a footer such as "EST5EDT,M3.2.0,M11.1.0" or "<+0530>-5:30". */
static bool parse_footer(const char *s, struct tz_rule *r)
{
    int32_t v;

    memset(r, 0, sizeof(*r));
    if (!(s = parse_abbr(s)) || !(s = parse_hms(s, 24, &v)))
        return false;
    r->std_off = -v;
    if (!*s)
        return true;
    if (!(s = parse_abbr(s)))
        return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (*s && *s != ',') {
        if (!(s = parse_hms(s, 24, &v)))
            return false;
        r->dst_off = -v;
    }
    if (!*s) { /* no rule given: the POSIX default, as glibc does */
        s = ",M3.2.0,M11.1.0";
    }
    if (*s != ',' || !(s = parse_rule_date(s + 1, &r->start)))
        return false;
    if (*s != ',' || !(s = parse_rule_date(s + 1, &r->end)))
        return false;
    return *s == '\0';
}

/* Local seconds of rule date r in year y. */
static int64_t rule_local(const struct tz_rule_date *r, int y)
{
    int64_t day;

    if (r->kind == 'J') {
        day = calendar_day_from_civil(y, 1, 1) + r->n - 1 + (is_leap(y) && r->n >= 60 ? 1 : 0);
    } else if (r->kind == 'D') {
        day = calendar_day_from_civil(y, 1, 1) + r->n;
    } else {
        int64_t first = calendar_day_from_civil(y, r->m, 1);
        int wd_first = (int)(((first + 4) % 7 + 7) % 7); /* 0 = Sunday; day 0 was a Thursday */
        int mday = 1 + (r->d - wd_first + 7) % 7 + (r->w - 1) * 7;

        while (mday > month_days(y, r->m))
            mday -= 7;
        day = first + mday - 1;
    }
    return day * 86400 + r->secs;
}

/* The rule's two changes of year y, in time order. */
static void rule_year(const struct tz_rule *r, int y, struct tz_trans out[2])
{
    struct tz_trans a = {rule_local(&r->start, y) - r->std_off, 0, r->dst_off};
    struct tz_trans b = {rule_local(&r->end, y) - r->dst_off, 0, r->std_off};

    out[0] = a.at <= b.at ? a : b;
    out[1] = a.at <= b.at ? b : a;
}

/* ------------------------------------------------------------- TZif parsing */

struct tzif_counts {
    uint32_t isut, isstd, leap, time, type, chars;
};

static void read_counts(const unsigned char *p, struct tzif_counts *c)
{
    c->isut = be32(p + 20);
    c->isstd = be32(p + 24);
    c->leap = be32(p + 28);
    c->time = be32(p + 32);
    c->type = be32(p + 36);
    c->chars = be32(p + 40);
}

static size_t block_size(const struct tzif_counts *c, int tsize)
{
    return (size_t)c->time * (size_t)tsize + c->time + (size_t)c->type * 6 + c->chars +
           (size_t)c->leap * (size_t)(tsize + 4) + c->isstd + c->isut;
}

static void push_trans(struct calendar_tz *tz, size_t *cap, int64_t at, int32_t off)
{
    int32_t prev = tz->n ? tz->tr[tz->n - 1].off : tz->off0;
    struct tz_trans *t;
    int64_t x;
    int32_t delta;

    if (off == prev || (tz->n && at <= tz->tr[tz->n - 1].at))
        return;
    if (tz->n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        tz->tr = xrealloc(tz->tr, *cap * sizeof(*tz->tr));
    }
    x = at + (prev > off ? prev : off);
    if (tz->n && x < tz->tr[tz->n - 1].x)
        x = tz->tr[tz->n - 1].x;
    t = &tz->tr[tz->n++];
    t->at = at;
    t->x = x;
    t->off = off;
    delta = off > prev ? off - prev : prev - off;
    if (delta > tz->max_delta)
        tz->max_delta = delta;
}

static int parse_tzif(struct calendar_tz *tz, const unsigned char *p, size_t len,
                      struct acc_err *err)
{
    struct tzif_counts c;
    const unsigned char *d, *types, *idx, *end = p + len;
    int tsize = 4;
    size_t cap = 0;
    int64_t prev_at = 0;

    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return acc_fail(err, ACC_EINVAL, "/zone", "zone '%s' is not TZif data", tz->name);
    read_counts(p, &c);
    d = p + 44;
    if (p[4] >= '2') { /* skip the 32-bit block: the 64-bit one follows with its own header */
        size_t skip = block_size(&c, 4);

        if ((size_t)(end - d) < skip + 44 || memcmp(d + skip, "TZif", 4) != 0)
            goto bad;
        read_counts(d + skip, &c);
        d += skip + 44;
        tsize = 8;
    }
    if (c.type == 0 || c.type > 256 || c.time > 100000 || c.chars > 100000 || c.leap > 100000 ||
        (c.isstd && c.isstd != c.type) || (c.isut && c.isut != c.type) ||
        (size_t)(end - d) < block_size(&c, tsize))
        goto bad;
    if (c.leap)
        return acc_fail(err, ACC_EINVAL, "/zone",
                        "zone '%s' counts leap seconds, which calendars do not support", tz->name);
    idx = d + (size_t)c.time * (size_t)tsize;
    types = idx + c.time;
    for (uint32_t i = 0; i < c.type; i++) {
        int32_t off = (int32_t)be32(types + 6 * i);

        if (off <= -TZ_OFF_LIMIT || off >= TZ_OFF_LIMIT)
            goto bad;
    }
    tz->off0 = (int32_t)be32(types);
    for (uint32_t i = 0; i < c.time; i++) {
        int64_t at = tsize == 8 ? be64(d + 8 * i) : (int64_t)(int32_t)be32(d + 4 * i);

        if (idx[i] >= c.type || (i > 0 && at <= prev_at))
            goto bad;
        prev_at = at;
        push_trans(tz, &cap, at, (int32_t)be32(types + 6 * idx[i]));
    }
    if (tsize == 8) { /* footer: "\n" TZ-string "\n" */
        const unsigned char *f = d + block_size(&c, 8), *nl;
        char footer[128];

        if (f < end && *f == '\n' && (nl = memchr(f + 1, '\n', (size_t)(end - f - 1))) &&
            nl - f - 1 < (ptrdiff_t)sizeof(footer)) {
            memcpy(footer, f + 1, (size_t)(nl - f - 1));
            footer[nl - f - 1] = '\0';
            if (footer[0] && !parse_footer(footer, &tz->rule))
                goto bad;
            tz->cycle = footer[0] && tz->rule.has_dst;
        }
    }
    if (tz->cycle) {
        struct tz_rule *r = &tz->rule;
        int y0 = tz->n ? year_of_local(tz->tr[tz->n - 1].at + r->std_off) : 1970;
        struct tz_trans two[2];
        int32_t d2 = r->dst_off > r->std_off ? r->dst_off - r->std_off : r->std_off - r->dst_off;

        rule_year(r, 2001, two);
        if (r->dst_off == r->std_off ||
            two[1].at - two[0].at >= 365 * 86400) { /* permanent DST written as a rule */
            r->std_off = r->dst_off;
            tz->cycle = false;
        } else {
            /* the rest of year y0, then 400 years of changes that repeat forever */
            if (!tz->n)
                tz->off0 = r->std_off;
            for (int y = y0; y <= y0 + TZ_CYCLE_YEARS; y++) {
                if (y == y0 + 1)
                    tz->cyc = tz->n;
                rule_year(r, y, two);
                push_trans(tz, &cap, two[0].at, two[0].off);
                push_trans(tz, &cap, two[1].at, two[1].off);
            }
            if (d2 > tz->max_delta)
                tz->max_delta = d2;
            /* a rule whose changes do not alternate twice a year (none in tzdata) keeps
             * its 400 generated years and the last offset after them */
            if (tz->n - tz->cyc != 2 * TZ_CYCLE_YEARS ||
                tz->tr[tz->n - 1].off == tz->tr[tz->cyc].off)
                tz->cycle = false;
        }
    }
    return 0;
bad:
    return acc_fail(err, ACC_EINVAL, "/zone", "zone '%s' has malformed TZif data", tz->name);
}

/* ------------------------------------------------------------- lookups */

/* The position of change i: its instant, or its local boundary. */
static int64_t key(const struct calendar_tz *tz, size_t i, bool local)
{
    return local ? tz->tr[i].x : tz->tr[i].at;
}

/* Stretch seg of the table: after change seg - 1, up to change seg (or the cycle's repeat). */
static void fill_piece(const struct calendar_tz *tz, size_t seg, bool local, struct tz_piece *p)
{
    p->seg = (int64_t)seg;
    p->lo = seg == 0 ? TZ_FAR_PAST : key(tz, seg - 1, local);
    p->off = seg == 0 ? tz->off0 : tz->tr[seg - 1].off;
    if (seg < tz->n)
        p->hi = key(tz, seg, local);
    else
        p->hi = tz->cycle ? key(tz, tz->cyc, local) + TZ_CYCLE_SECS : TZ_FAR_FUTURE;
}

/* Past the table's first cycle, a value is moved back by whole cycles, looked up, moved on. */
static void table_piece(const struct calendar_tz *tz, int64_t v, bool local, struct tz_piece *p)
{
    size_t lo = 0, hi = tz->n; /* find the count of changes at or before v */
    int64_t k = 0, b;

    if (tz->cycle && v >= key(tz, tz->cyc, local)) {
        k = (v - key(tz, tz->cyc, local)) / TZ_CYCLE_SECS;
        v -= k * TZ_CYCLE_SECS;
        lo = tz->cyc;
    }
    b = tz->n ? (v - tz->bucket0) >> TZ_BUCKET_SHIFT : -1;
    if (b >= 0 && (size_t)b + 1 < tz->nbuckets) { /* the answer lies between two bucket marks */
        const uint32_t *mark = local ? tz->bucket_x : tz->bucket_at;

        lo = lo > mark[b] ? lo : mark[b];
        hi = mark[b + 1];
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (key(tz, mid, local) <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    fill_piece(tz, lo, local, p);
    if (k) {
        p->lo += k * TZ_CYCLE_SECS;
        p->hi += k * TZ_CYCLE_SECS;
        p->seg = -1;
    }
}

void tz_piece_local_next(const struct calendar_tz *tz, const struct tz_piece *p,
                         struct tz_piece *next)
{
    if (p->seg < 0 || (size_t)p->seg >= tz->n)
        tz_piece_local(tz, p->hi, next);
    else
        fill_piece(tz, (size_t)p->seg + 1, true, next);
}

void tz_piece_utc(const struct calendar_tz *tz, int64_t at, struct tz_piece *p)
{
    table_piece(tz, at, false, p);
}

void tz_piece_local(const struct calendar_tz *tz, int64_t local_secs, struct tz_piece *p)
{
    table_piece(tz, local_secs, true, p);
}

int32_t calendar_tz_offset(const struct calendar_tz *tz, int64_t at)
{
    struct tz_piece p;

    tz_piece_utc(tz, at, &p);
    return p.off;
}

int64_t calendar_tz_to_utc(const struct calendar_tz *tz, int64_t local_secs)
{
    struct tz_piece p;

    tz_piece_local(tz, local_secs, &p);
    return local_secs - p.off;
}

const char *calendar_tz_name(const struct calendar_tz *tz)
{
    return tz->name;
}

/* ------------------------------------------------------------- loading */

static bool name_ok(const char *name)
{
    size_t len = strlen(name);
    bool part_start = true;

    if (len == 0 || len > CALENDAR_TZ_NAME_MAX)
        return false;
    if (!((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z')))
        return false;
    for (const char *p = name; *p; p++) {
        char ch = *p;

        if (ch == '/') {
            if (part_start)
                return false;
            part_start = true;
            continue;
        }
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '+' || ch == '-'))
            return false;
        part_start = false;
    }
    return !part_start;
}

static int read_file(const char *path, unsigned char **out, size_t *len)
{
    struct stat st;
    unsigned char *buf;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        st.st_size > TZ_FILE_MAX) {
        close(fd);
        return -1;
    }
    buf = xmalloc((size_t)st.st_size);
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != (size_t)st.st_size) {
        free(buf);
        return -1;
    }
    *out = buf;
    *len = got;
    return 0;
}

/* Bucket marks: the count of changes before each bucket's start, for instants and local. */
static void build_buckets(struct calendar_tz *tz)
{
    size_t ia = 0, ix = 0;

    if (!tz->n)
        return;
    tz->bucket0 = tz->tr[0].at < tz->tr[0].x ? tz->tr[0].at : tz->tr[0].x;
    tz->nbuckets = (size_t)(((tz->tr[tz->n - 1].x > tz->tr[tz->n - 1].at ? tz->tr[tz->n - 1].x
                                                                         : tz->tr[tz->n - 1].at) -
                             tz->bucket0) >>
                            TZ_BUCKET_SHIFT) +
                   2;
    tz->bucket_at = xmalloc(tz->nbuckets * sizeof(*tz->bucket_at));
    tz->bucket_x = xmalloc(tz->nbuckets * sizeof(*tz->bucket_x));
    for (size_t b = 0; b < tz->nbuckets; b++) {
        int64_t start = tz->bucket0 + ((int64_t)b << TZ_BUCKET_SHIFT);

        while (ia < tz->n && tz->tr[ia].at < start)
            ia++;
        while (ix < tz->n && tz->tr[ix].x < start)
            ix++;
        tz->bucket_at[b] = (uint32_t)ia;
        tz->bucket_x[b] = (uint32_t)ix;
    }
}

int calendar_tz_load(const char *name, struct calendar_tz **out, struct acc_err *err)
{
    const char *dir = getenv("TZDIR");
    struct calendar_tz *tz;
    unsigned char *data;
    size_t len;
    char path[4096];
    int rc;

    if (!name || !name_ok(name))
        return acc_fail(err, ACC_EINVAL, "/zone", "bad time zone name '%.60s'", name ? name : "");
    if (!dir || !*dir)
        dir = TZ_DEFAULT_DIR;
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
        read_file(path, &data, &len) != 0)
        return acc_fail(err, ACC_EINVAL, "/zone", "unknown time zone '%s'", name);
    tz = xcalloc(1, sizeof(*tz));
    snprintf(tz->name, sizeof(tz->name), "%s", name);
    rc = parse_tzif(tz, data, len, err);
    free(data);
    if (!rc)
        build_buckets(tz);
    if (rc) {
        calendar_tz_free(tz);
        return rc;
    }
    *out = tz;
    return 0;
}

void calendar_tz_free(struct calendar_tz *tz)
{
    if (!tz)
        return;
    free(tz->tr);
    free(tz->bucket_at);
    free(tz->bucket_x);
    free(tz);
}

/* ------------------------------------------------------------- cache */

struct zone_entry {
    struct zone_entry *next;
    struct calendar_tz *tz;
};

/* Engine calendars of stored calendars kept by calendar_zones_cal_put(); replaced in turn. */
#define CAL_SLOTS 16

struct cal_slot {
    int64_t id, stamp; /* id 0: empty */
    struct calendar cal;
};

struct calendar_zones {
    pthread_mutex_t lock; /* guards bucket, cals and next_cal */
    struct zone_entry *bucket[TZ_BUCKETS];
    struct cal_slot cals[CAL_SLOTS];
    unsigned next_cal;
};

/* A copy of src in dst, with its own holidays. */
static void cal_copy(struct calendar *dst, const struct calendar *src)
{
    *dst = *src;
    dst->holidays = NULL;
    if (src->n_holidays) {
        dst->holidays = xcalloc(src->n_holidays, sizeof(*dst->holidays));
        memcpy(dst->holidays, src->holidays, src->n_holidays * sizeof(*dst->holidays));
    }
}

bool calendar_zones_cal_get(struct calendar_zones *zones, int64_t id, int64_t stamp,
                            struct calendar *out)
{
    bool hit = false;

    pthread_mutex_lock(&zones->lock);
    for (int i = 0; i < CAL_SLOTS && !hit; i++) {
        if (zones->cals[i].id == id && zones->cals[i].stamp == stamp) {
            cal_copy(out, &zones->cals[i].cal);
            hit = true;
        }
    }
    pthread_mutex_unlock(&zones->lock);
    return hit;
}

void calendar_zones_cal_put(struct calendar_zones *zones, int64_t id, int64_t stamp,
                            const struct calendar *cal)
{
    struct cal_slot *slot = NULL;

    pthread_mutex_lock(&zones->lock);
    /* The calendar's older copy goes first, then the slot whose turn it is. */
    for (int i = 0; i < CAL_SLOTS && !slot; i++)
        if (zones->cals[i].id == id)
            slot = &zones->cals[i];
    if (!slot)
        slot = &zones->cals[zones->next_cal++ % CAL_SLOTS];
    if (slot->id)
        calendar_release(&slot->cal);
    slot->id = id;
    slot->stamp = stamp;
    cal_copy(&slot->cal, cal);
    pthread_mutex_unlock(&zones->lock);
}

struct calendar_zones *calendar_zones_new(void)
{
    struct calendar_zones *zs = xcalloc(1, sizeof(*zs));

    pthread_mutex_init(&zs->lock, NULL);
    return zs;
}

void calendar_zones_free(struct calendar_zones *zones)
{
    if (!zones)
        return;
    for (int i = 0; i < TZ_BUCKETS; i++) {
        struct zone_entry *e = zones->bucket[i];

        while (e) {
            struct zone_entry *next = e->next;

            calendar_tz_free(e->tz);
            free(e);
            e = next;
        }
    }
    for (int i = 0; i < CAL_SLOTS; i++)
        if (zones->cals[i].id)
            calendar_release(&zones->cals[i].cal);
    pthread_mutex_destroy(&zones->lock);
    free(zones);
}

/* The zone of zones named name, or NULL; called with the lock held. */
static struct calendar_tz *zones_find(struct calendar_zones *zones, uint32_t h, const char *name)
{
    for (struct zone_entry *e = zones->bucket[h % TZ_BUCKETS]; e; e = e->next)
        if (strcmp(e->tz->name, name) == 0)
            return e->tz;
    return NULL;
}

/*
 * A zone is loaded without the lock held, so that threads wanting different zones load them
 * at once and none waits for another's file: two that want the same one may both load it,
 * and the later one frees its copy.
 */
int calendar_zones_get(struct calendar_zones *zones, const char *name,
                       const struct calendar_tz **out, struct acc_err *err)
{
    uint32_t h = 2166136261u;
    struct zone_entry *e;
    struct calendar_tz *tz, *found;
    int rc;

    for (const char *p = name ? name : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    pthread_mutex_lock(&zones->lock);
    found = name ? zones_find(zones, h, name) : NULL;
    pthread_mutex_unlock(&zones->lock);
    if (found) {
        *out = found;
        return 0;
    }
    if ((rc = calendar_tz_load(name, &tz, err)) != 0)
        return rc;
    pthread_mutex_lock(&zones->lock);
    if ((found = zones_find(zones, h, name)) == NULL) {
        e = xmalloc(sizeof(*e));
        e->tz = tz;
        e->next = zones->bucket[h % TZ_BUCKETS];
        zones->bucket[h % TZ_BUCKETS] = e;
        found = tz;
        tz = NULL;
    }
    pthread_mutex_unlock(&zones->lock);
    calendar_tz_free(tz);
    *out = found;
    return 0;
}
