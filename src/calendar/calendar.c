/* calendar.c: weekly hours, holidays and due-instant arithmetic over plain days and DST days. */
#include "base/acc.h"
#include "calendar/calendar.h"
#include "calendar/calendar_int.h"

#include <stdio.h>
#include <stdlib.h>

#define DAY_SECS 86400
/* Intervals of days d-2 .. d+1 can reach day d's window (see day_runs). */
#define MAX_RUNS   (4 * CALENDAR_MAX_INTERVALS)
#define PLAIN_SCAN 16 /* DST changes plain_until() looks at in one call */
#define LONE_DAYS  5  /* days between DST changes for one to be alone */
#define MEMO_SIZE  8

static const char *const day_names[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                         "Friday", "Saturday", "Sunday"};

/* A stretch [lo, hi) of business time, in UTC (or in local seconds for the plain pattern). */
struct run {
    int64_t lo, hi;
};

/*
 * Local-to-UTC conversion that keeps the last two zone pieces: lookups near a DST change
 * alternate between the pieces on its two sides.
 */
struct conv {
    const struct calendar_tz *tz;
    struct tz_piece p[2];
};

/* ------------------------------------------------------------------ dates */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t ceil_div(int64_t a, int64_t b)
{
    return -floor_div(-a, b);
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool date_valid(int y, int m, int d)
{
    static const int ml[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m < 1 || m > 12 || d < 1)
        return false;
    return d <= (m == 2 && is_leap(y) ? 29 : ml[m - 1]);
}

/* H. Hinnant's days_from_civil, as the oracle computes it. */
int32_t calendar_day_from_civil(int year, int month, int mday)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + mday - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return (int32_t)(era * 146097 + doe - 719468);
}

void calendar_day_to_civil(int32_t day, int *year, int *month, int *mday)
{
    int64_t z = (int64_t)day + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;

    *mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)m;
    *year = (int)(yoe + era * 400 + (m <= 2));
}

/* Local days of 1000-01-01 and 9999-12-31 (CALENDAR_MIN_YEAR, CALENDAR_MAX_YEAR). */
static int64_t day_min(void)
{
    return -354285;
}

static int64_t day_max(void)
{
    return 2932896;
}

/* Monday 0 .. Sunday 6; day 0 (1970-01-01) was a Thursday. */
static int weekday(int64_t day)
{
    return (int)(((day + 3) % 7 + 7) % 7);
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* "YYYY-MM-DD" at s (not necessarily ending there). */
static bool date_at(const char *s, int32_t *day)
{
    int y, m, d;

    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || !date_valid(y, m, d) || y < CALENDAR_MIN_YEAR ||
        y > CALENDAR_MAX_YEAR)
        return false;
    *day = calendar_day_from_civil(y, m, d);
    return true;
}

int calendar_date_parse(const char *s, int32_t *day)
{
    if (!s || strlen(s) != 10 || !date_at(s, day))
        return ACC_EINVAL;
    return 0;
}

int calendar_local_parse(const char *s, int64_t *local_secs)
{
    size_t len = s ? strlen(s) : 0;
    int32_t day;
    int h, m, sec = 0;

    if ((len != 16 && len != 19) || !date_at(s, &day) || s[10] != 'T' || !digits(s + 11, 2, &h) ||
        s[13] != ':' || !digits(s + 14, 2, &m) || h > 23 || m > 59)
        return ACC_EINVAL;
    if (len == 19 && (s[16] != ':' || !digits(s + 17, 2, &sec) || sec > 59))
        return ACC_EINVAL;
    *local_secs = (int64_t)day * DAY_SECS + h * 3600 + m * 60 + sec;
    return 0;
}

/* Writes v as n decimal digits (zero-padded) at p; returns p + n. */
static char *put_num(char *p, int v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + n;
}

void calendar_local_format(const struct calendar_tz *tz, int64_t at, bool with_offset, char out[32])
{
    int32_t off = calendar_tz_offset(tz, at);
    int64_t local = at + off;
    int64_t day = floor_div(local, DAY_SECS);
    int sod = (int)(local - day * DAY_SECS);
    int y, mo, d;
    char *p = out;

    calendar_day_to_civil((int32_t)day, &y, &mo, &d);
    if (y < 0 || y > 9999) { /* outside what the engine hands out; keep the text sane */
        snprintf(out, 32, "%d-%02d-%02dT%02d:%02d", y, mo, d, sod / 3600, sod % 3600 / 60);
        return;
    }
    p = put_num(p, y, 4);
    *p++ = '-';
    p = put_num(p, mo, 2);
    *p++ = '-';
    p = put_num(p, d, 2);
    *p++ = 'T';
    p = put_num(p, sod / 3600, 2);
    *p++ = ':';
    p = put_num(p, sod % 3600 / 60, 2);
    if (sod % 60) {
        *p++ = ':';
        p = put_num(p, sod % 60, 2);
    }
    if (with_offset) {
        int32_t a = off < 0 ? -off : off;

        *p++ = off < 0 ? '-' : '+';
        p = put_num(p, a / 3600 % 100, 2);
        *p++ = ':';
        p = put_num(p, a % 3600 / 60, 2);
    }
    *p = '\0';
}

/* ------------------------------------------------------------------ weekly hours */

static int day_fail(struct acc_err *err, int day, const char *fmt, ...) ACC_PRINTF(3, 4);

static int day_fail(struct acc_err *err, int day, const char *fmt, ...)
{
    char field[24], msg[sizeof(err->msg)];
    va_list ap;

    snprintf(field, sizeof(field), "/hours/%d", day);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return acc_fail(err, ACC_EINVAL, field, "%s", msg);
}

/* Length of the text at s up to the first of the characters in stops or the end. */
static int span_to(const char *s, const char *stops)
{
    int n = (int)strcspn(s, stops);

    return n < 80 ? n : 80;
}

/* "HH:MM-HH:MM" at s, followed by '+', ',' or the end: minutes of both ends. */
static bool interval_at(const char *s, int *sh, int *sm, int *eh, int *em)
{
    return digits(s, 2, sh) && s[2] == ':' && digits(s + 3, 2, sm) && s[5] == '-' &&
           digits(s + 6, 2, eh) && s[8] == ':' && digits(s + 9, 2, em) &&
           (s[11] == '+' || s[11] == ',' || s[11] == '\0');
}

/* One day's entry at *ps, "-" or "HH:MM-HH:MM+...", up to ',' or the end; moves *ps there. */
static int parse_day(const char **ps, int day, struct calendar_week *w, struct acc_err *err)
{
    const char *name = day_names[day], *entry = *ps, *s = *ps;
    int cur = 0, n = 0, first = 0;

    w->day[day].n = 0;
    if (s[0] == '-' && (s[1] == ',' || s[1] == '\0')) {
        *ps = s + 1;
        return 0;
    }
    if (s[0] == ',' || s[0] == '\0')
        return day_fail(err, day, "%s hours are empty (want '-' or HH:MM-HH:MM)", name);
    for (;;) {
        int sh, sm, eh, em, a, b;

        if (!interval_at(s, &sh, &sm, &eh, &em))
            return day_fail(err, day, "%s interval '%.*s' is malformed (want HH:MM-HH:MM)", name,
                            span_to(s, "+,"), s);
        if (sh > 23 || sm > 59 || eh > 24 || em > 59 || (eh == 24 && em > 0))
            return day_fail(err, day, "%s interval '%.11s' has a bad time", name, s);
        if (n == CALENDAR_MAX_INTERVALS)
            return day_fail(err, day, "%s has more than %d intervals", name,
                            CALENDAR_MAX_INTERVALS);
        a = sh * 60 + sm;
        b = eh * 60 + em;
        if (n > 0 && a < cur && a >= first)
            return day_fail(err, day, "%s interval '%.11s' overlaps an earlier one in '%.*s'", name,
                            s, span_to(entry, ","), entry);
        while (a < cur) /* a later interval with an earlier clock time is after midnight */
            a += 1440;
        while (b <= a) /* an end at or before its start is on the next day */
            b += 1440;
        if (n == 0)
            first = a;
        if (b - first > 1440)
            return day_fail(err, day, "%s hours '%.*s' span more than 24 hours", name,
                            span_to(entry, ","), entry);
        w->day[day].iv[n].open_secs = a * 60;
        w->day[day].iv[n].close_secs = b * 60;
        n++;
        cur = b;
        s += 11;
        if (*s != '+')
            break;
        s++;
    }
    w->day[day].n = n;
    *ps = s;
    return 0;
}

int calendar_week_parse(const char *s, struct calendar_week *out, struct acc_err *err)
{
    struct calendar_week w;
    const char *p = s ? s : "";
    int day, rc;

    for (day = 0; day < 7 && *p; day++) {
        if (day > 0) {
            if (*p != ',')
                break;
            p++;
        }
        if ((rc = parse_day(&p, day, &w, err)) != 0)
            return rc;
    }
    if (day != 7 || *p) {
        int entries = 1;

        for (const char *q = s ? s : ""; *q; q++)
            entries += *q == ',';
        return acc_fail(err, ACC_EINVAL, "/hours", "hours need 7 entries Monday to Sunday, got %d",
                        entries);
    }
    *out = w;
    return 0;
}

int calendar_week_check(const struct calendar_week *week, struct acc_err *err)
{
    for (int d = 0; d < 7; d++) {
        int n = week->day[d].n;
        const struct calendar_interval *iv = week->day[d].iv;
        const char *name = day_names[d];

        if (n < 0 || n > CALENDAR_MAX_INTERVALS)
            return day_fail(err, d, "%s has %d intervals (at most %d)", name, n,
                            CALENDAR_MAX_INTERVALS);
        if (n == 0)
            continue;
        if (iv[0].open_secs < 0 || iv[0].open_secs >= DAY_SECS)
            return day_fail(err, d, "%s opens outside 00:00 .. 23:59", name);
        for (int i = 0; i < n; i++) {
            if (iv[i].open_secs % 60 || iv[i].close_secs % 60)
                return day_fail(err, d, "%s hours are not whole minutes", name);
            if (iv[i].close_secs <= iv[i].open_secs)
                return day_fail(err, d, "%s interval %d closes before it opens", name, i + 1);
            if (i > 0 && iv[i].open_secs < iv[i - 1].close_secs)
                return day_fail(err, d, "%s intervals %d and %d overlap", name, i, i + 1);
        }
        if (iv[n - 1].close_secs - iv[0].open_secs > DAY_SECS)
            return day_fail(err, d, "%s hours span more than 24 hours", name);
    }
    return 0;
}

static void add_hhmm(struct acc_buf *out, int32_t secs)
{
    acc_buf_addf(out, "%02d:%02d", (int)(secs / 3600), (int)(secs % 3600 / 60));
}

void calendar_week_format(const struct calendar_week *week, struct acc_buf *out)
{
    for (int d = 0; d < 7; d++) {
        if (d)
            acc_buf_adds(out, ",");
        if (week->day[d].n == 0)
            acc_buf_adds(out, "-");
        for (int i = 0; i < week->day[d].n; i++) {
            const struct calendar_interval *iv = &week->day[d].iv[i];

            if (i)
                acc_buf_adds(out, "+");
            add_hhmm(out, iv->open_secs % DAY_SECS);
            acc_buf_adds(out, "-");
            if (iv->close_secs == DAY_SECS)
                acc_buf_adds(out, "24:00");
            else
                add_hhmm(out, iv->close_secs % DAY_SECS);
        }
    }
}

int calendar_holidays_parse(const char *s, int32_t *days, size_t max, size_t *n,
                            struct acc_err *err)
{
    const char *p = s;
    size_t count = 0;

    if (!s || !*s || strcmp(s, "-") == 0) {
        *n = 0;
        return 0;
    }
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char field[32];

        if (count == max)
            return acc_fail(err, ACC_EINVAL, "/holidays", "more than %zu holidays", max);
        if (len != 10 || !date_at(p, &days[count])) {
            snprintf(field, sizeof(field), "/holidays/%zu", count);
            return acc_fail(err, ACC_EINVAL, field, "bad holiday '%.*s' (want YYYY-MM-DD)",
                            (int)(len < 40 ? len : 40), p);
        }
        count++;
        if (!comma)
            break;
        p = comma + 1;
    }
    *n = count;
    return 0;
}

/* ------------------------------------------------------------------ calendars */

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

static void run_insert(struct run *runs, int *n, int64_t lo, int64_t hi)
{
    int i = *n;

    while (i > 0 && runs[i - 1].lo > lo) {
        runs[i] = runs[i - 1];
        i--;
    }
    runs[i].lo = lo;
    runs[i].hi = hi;
    (*n)++;
}

/* Unions sorted runs in place (touching runs join); returns the new count. */
static int run_merge(struct run *runs, int n)
{
    int m = 0;

    for (int i = 0; i < n; i++) {
        if (m && runs[i].lo <= runs[m - 1].hi) {
            if (runs[i].hi > runs[m - 1].hi)
                runs[m - 1].hi = runs[i].hi;
        } else {
            runs[m++] = runs[i];
        }
    }
    return m;
}

/*
 * Business seconds of each weekday with no DST change near and no holiday: the wall-clock
 * measure of the weekly pattern, which repeats every week. Intervals reaching past Sunday
 * night are also put a week earlier, then the union is cut into the seven days.
 */
static void plain_days(const struct calendar_week *w, int64_t day_secs[7])
{
    struct run runs[2 * 7 * CALENDAR_MAX_INTERVALS];
    int n = 0, m;

    for (int d = 0; d < 7; d++) {
        for (int i = 0; i < w->day[d].n; i++) {
            int64_t lo = (int64_t)d * DAY_SECS + w->day[d].iv[i].open_secs;
            int64_t hi = (int64_t)d * DAY_SECS + w->day[d].iv[i].close_secs;

            if (hi > 7 * DAY_SECS)
                run_insert(runs, &n, lo - 7 * DAY_SECS, hi - 7 * DAY_SECS);
            run_insert(runs, &n, lo, hi);
        }
    }
    m = run_merge(runs, n);
    for (int d = 0; d < 7; d++)
        day_secs[d] = 0;
    for (int i = 0; i < m; i++) {
        int64_t lo = runs[i].lo < 0 ? 0 : runs[i].lo;
        int64_t hi = runs[i].hi > 7 * DAY_SECS ? 7 * DAY_SECS : runs[i].hi;

        for (int d = (int)(lo / DAY_SECS); d < 7 && (int64_t)d * DAY_SECS < hi; d++) {
            int64_t a = lo > d * DAY_SECS ? lo : d * DAY_SECS;
            int64_t b = hi < (d + 1) * DAY_SECS ? hi : (d + 1) * DAY_SECS;

            if (b > a)
                day_secs[d] += b - a;
        }
    }
}

/*
 * The intervals of weekday wd's days -2 .. +1 that come within margin (the zone's largest
 * DST change) of wd's [00:00, 24:00): only they can put business time into the window of
 * a day of that weekday (see day_runs).
 */
static void find_reach(struct calendar *cal, const struct calendar_week *w, int wd, int32_t margin)
{
    static const int wrap[11] = {5, 6, 0, 1, 2, 3, 4, 5, 6, 0, 1}; /* wd + k + 2 -> day */
    int n = 0;

    for (int k = -2; k <= 1; k++) {
        int dd = wrap[wd + k + 2], niv = w->day[dd].n;
        int32_t shift = k * DAY_SECS;

        for (int i = 0; i < niv; i++) {
            int32_t lo = shift + w->day[dd].iv[i].open_secs;
            int32_t hi = shift + w->day[dd].iv[i].close_secs;

            if (hi > -margin && lo < DAY_SECS + margin) {
                cal->reach[wd].iv[n].lo = lo;
                cal->reach[wd].iv[n].hi = hi;
                n++;
            }
        }
    }
    cal->reach[wd].n = n;
}

/* calendar_init() for a week known to pass calendar_week_check(). */
static int init_valid(struct calendar *cal, const struct calendar_tz *tz,
                      const struct calendar_week *week, const int32_t *holidays, size_t n_holidays,
                      struct acc_err *err)
{
    int32_t lo = (int32_t)day_min(), hi = (int32_t)day_max(), *h = NULL;
    bool sorted = true;
    size_t n = 0;

    if (n_holidays > CALENDAR_MAX_HOLIDAYS)
        return acc_fail(err, ACC_EINVAL, "/holidays", "more than %d holidays",
                        CALENDAR_MAX_HOLIDAYS);
    for (size_t i = 0; i < n_holidays; i++) {
        if (holidays[i] < lo || holidays[i] > hi)
            return acc_fail(err, ACC_EINVAL, "/holidays", "holiday outside years %d .. %d",
                            CALENDAR_MIN_YEAR, CALENDAR_MAX_YEAR);
        sorted = sorted && (i == 0 || holidays[i] > holidays[i - 1]);
    }
    if (n_holidays) {
        h = xmalloc(n_holidays * sizeof(*h));
        memcpy(h, holidays, n_holidays * sizeof(*h));
        n = n_holidays;
        if (!sorted) {
            qsort(h, n_holidays, sizeof(*h), cmp_i32);
            n = 0;
            for (size_t i = 0; i < n_holidays; i++)
                if (n == 0 || h[i] != h[n - 1])
                    h[n++] = h[i];
        }
    }
    cal->tz = tz;
    if (week != &cal->week)
        cal->week = *week;
    cal->holidays = h;
    cal->n_holidays = n;
    plain_days(week, cal->day_secs);
    cal->week_secs = 0;
    for (int d = 0; d < 7; d++) {
        cal->week_secs += cal->day_secs[d];
        find_reach(cal, week, d, tz->max_delta);
    }
    return 0;
}

int calendar_init(struct calendar *cal, const struct calendar_tz *tz,
                  const struct calendar_week *week, const int32_t *holidays, size_t n_holidays,
                  struct acc_err *err)
{
    int rc = calendar_week_check(week, err);

    return rc ? rc : init_valid(cal, tz, week, holidays, n_holidays, err);
}

int calendar_parse(struct calendar *cal, const struct calendar_tz *tz, const char *hours,
                   const char *holidays, struct acc_err *err)
{
    int32_t days[CALENDAR_MAX_HOLIDAYS];
    size_t n = 0;
    int rc;

    rc = calendar_week_parse(hours, &cal->week, err);
    if (!rc)
        rc = calendar_holidays_parse(holidays, days, CALENDAR_MAX_HOLIDAYS, &n, err);
    if (!rc) /* the parser only builds valid weeks */
        rc = init_valid(cal, tz, &cal->week, days, n, err);
    return rc;
}

void calendar_release(struct calendar *cal)
{
    free(cal->holidays);
    cal->holidays = NULL;
    cal->n_holidays = 0;
}

/* ------------------------------------------------------------------ the engine */

/* The piece holding local seconds local: a cached one, or looked up and cached. */
static const struct tz_piece *piece(struct conv *c, int64_t local)
{
    if (local >= c->p[0].lo && local < c->p[0].hi)
        return &c->p[0];
    if (local < c->p[1].lo || local >= c->p[1].hi) {
        c->p[1] = c->p[0];
        tz_piece_local(c->tz, local, &c->p[0]);
        return &c->p[0];
    }
    return &c->p[1];
}

static int64_t to_utc(struct conv *c, int64_t local)
{
    return local - piece(c, local)->off;
}

static void conv_init(struct conv *c, const struct calendar_tz *tz)
{
    memset(c, 0, sizeof(*c));
    c->tz = tz;
}

/* Index of the first holiday >= day (n_holidays when none). */
static size_t holiday_from(const struct calendar *cal, int64_t day)
{
    size_t lo = 0, hi = cal->n_holidays;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cal->holidays[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool is_holiday(const struct calendar *cal, int64_t day)
{
    size_t i = holiday_from(cal, day);

    return i < cal->n_holidays && cal->holidays[i] == day;
}

/*
 * The merged business runs of day d's window [00:00 of d, 00:00 of d+1), as instants;
 * windows of successive days tile time, and a holiday removes exactly its window. An
 * interval belongs to the day it is listed on but may reach past midnight, and a DST gap
 * can move an end up to the gap's length later, so the intervals of days d-2 .. d+1 that
 * come that close to the day are read (calendar.reach).
 */
static int day_runs(const struct calendar *cal, int64_t d, struct conv *c, struct run *runs)
{
    int64_t base = d * DAY_SECS;
    int64_t wlo = to_utc(c, base), whi = to_utc(c, base + DAY_SECS);
    int wd = weekday(d), n = 0;

    if (is_holiday(cal, d))
        return 0;
    for (int i = 0; i < cal->reach[wd].n; i++) {
        int64_t lo = to_utc(c, base + cal->reach[wd].iv[i].lo);
        int64_t hi = to_utc(c, base + cal->reach[wd].iv[i].hi);

        lo = lo < wlo ? wlo : lo;
        hi = hi > whi ? whi : hi;
        if (hi > lo)
            run_insert(runs, &n, lo, hi);
    }
    return run_merge(runs, n);
}

/* The day whose window holds instant at. */
static int64_t window_day(const struct calendar *cal, int64_t at, struct conv *c)
{
    int64_t d = floor_div(at + calendar_tz_offset(cal->tz, at), DAY_SECS);

    while (to_utc(c, (d + 1) * DAY_SECS) <= at)
        d++;
    while (to_utc(c, d * DAY_SECS) > at)
        d--;
    return d;
}

/* The DST change that made plain_until() stop, when it is the only one near. */
struct lone_change {
    bool set;
    int64_t x;      /* its local boundary */
    int32_t before; /* offsets on both sides */
    int32_t after;
};

/*
 * The first day >= d and < limit that is not plain (limit when none). A plain day has the
 * business time of its weekday, cal->day_secs: it is no holiday (or one on a weekday without
 * business time) and no DST change is near it (or one that no interval can reach, see
 * calendar.reach). A change at local boundary x by delta seconds can touch the windows of
 * the days whose [00:00 - delta, 24:00 + delta] holds x. At most PLAIN_SCAN changes are
 * looked at in one call, so a stretch can end early at a plain day; callers just ask again.
 * When the stop is a day touched by one change with no other within LONE_DAYS days, *lone
 * describes it.
 */
static int64_t plain_until(const struct calendar *cal, int64_t d, int64_t limit, struct conv *c,
                           struct lone_change *lone)
{
    const struct calendar_tz *tz = cal->tz;
    int64_t stop = limit;
    struct tz_piece p, q;
    int scanned = 0;

    lone->set = false;
    for (size_t h = holiday_from(cal, d); h < cal->n_holidays && cal->holidays[h] < stop; h++) {
        if (cal->day_secs[weekday(cal->holidays[h])] > 0) {
            stop = cal->holidays[h];
            break;
        }
    }
    p = *piece(c, d * DAY_SECS - tz->max_delta);
    while (p.hi < TZ_FAR_FUTURE && p.hi - tz->max_delta < (stop + 1) * DAY_SECS) {
        int64_t delta, first, last, day;

        if (++scanned > PLAIN_SCAN) {
            first = ceil_div(p.hi - tz->max_delta, DAY_SECS) - 1;
            stop = first > d ? (first < stop ? first : stop) : d;
            break;
        }
        tz_piece_local_next(tz, &p, &q);
        delta = q.off > p.off ? q.off - p.off : p.off - q.off;
        first = ceil_div(p.hi - delta, DAY_SECS) - 1;
        last = ceil_div(p.hi + delta, DAY_SECS) - 1;
        for (day = first > d ? first : d; day <= last && day < stop; day++)
            if (cal->reach[weekday(day)].n)
                break;
        if (day <= last && day < stop) {
            stop = day;
            lone->set = p.lo < p.hi - LONE_DAYS * DAY_SECS && q.hi > p.hi + LONE_DAYS * DAY_SECS;
            lone->x = p.hi;
            lone->before = p.off;
            lone->after = q.off;
            c->p[0] = q; /* the day's lookups fall on both sides of the change */
            c->p[1] = p;
            break;
        }
        p = q;
    }
    return stop;
}

/* Business seconds of DST days already worked out in one call (see lone_day_secs). */
struct change_memo {
    int n, next;
    struct {
        int wd;
        int32_t shift;
        int64_t x_rel, secs;
    } e[MEMO_SIZE];
};

/*
 * Business seconds of day d's window, d not a holiday and touched by the one change lone.
 * Relative to the day, they depend only on the weekday, where the change falls and by how
 * much, and changes repeat (the same Sunday time each spring): remembered in *memo.
 */
static int64_t lone_day_secs(const struct calendar *cal, int64_t d, const struct lone_change *lone,
                             struct change_memo *memo, struct conv *c)
{
    struct run runs[MAX_RUNS];
    int wd = weekday(d), n, slot;
    int32_t shift = lone->after - lone->before;
    int64_t x_rel = lone->x - d * DAY_SECS, secs = 0;

    for (int i = 0; i < memo->n; i++)
        if (memo->e[i].wd == wd && memo->e[i].x_rel == x_rel && memo->e[i].shift == shift)
            return memo->e[i].secs;
    n = day_runs(cal, d, c, runs);
    for (int i = 0; i < n; i++)
        secs += runs[i].hi - runs[i].lo;
    slot = memo->n < MEMO_SIZE ? memo->n++ : memo->next++ % MEMO_SIZE;
    memo->e[slot].wd = wd;
    memo->e[slot].x_rel = x_rel;
    memo->e[slot].shift = shift;
    memo->e[slot].secs = secs;
    return secs;
}

/* Business seconds of the n plain days from d. */
static int64_t plain_secs(const struct calendar *cal, int64_t d, int64_t n)
{
    int64_t sum = n / 7 * cal->week_secs;
    int wd = weekday(d);

    for (int64_t i = 0; i < n % 7; i++)
        sum += cal->day_secs[(wd + i) % 7];
    return sum;
}

static bool at_supported(int64_t at)
{
    return at >= day_min() * DAY_SECS - 2 * DAY_SECS && at < (day_max() + 2) * DAY_SECS;
}

static int range_fail(struct acc_err *err, const char *what)
{
    return acc_fail(err, ACC_EINVAL, "", "%s is outside years %d .. %d", what, CALENDAR_MIN_YEAR,
                    CALENDAR_MAX_YEAR);
}

int calendar_due(const struct calendar *cal, int64_t start_at, int64_t secs, int64_t *out_at,
                 struct acc_err *err)
{
    struct run runs[MAX_RUNS];
    struct conv c;
    struct lone_change lone = {0};
    struct change_memo memo;
    int64_t need = secs, from = start_at, d, last = day_max(), lone_day = 0;
    bool first = true;

    memo.n = memo.next = 0;

    if (secs < 0)
        return acc_fail(err, ACC_EINVAL, "/minutes", "business time must not be negative");
    if (!at_supported(start_at))
        return range_fail(err, "the start");
    if (cal->week_secs == 0)
        return acc_fail(err, ACC_ENOTFOUND, "/hours", "the calendar has no opening hours");
    conv_init(&c, cal->tz);
    d = window_day(cal, start_at, &c);
    for (;; d++, first = false, from = TZ_FAR_PAST) {
        int n;

        if (d > last)
            return range_fail(err, "the due instant");
        if (!first) {
            int64_t stop = d;

            if (!lone.set || lone_day != d) { /* the last call may have described day d */
                /* no need to look past the day where plain days would hold need */
                int64_t horizon = d + 7 * (need / cal->week_secs + 1) + 1;

                stop = plain_until(cal, d, horizon < last + 1 ? horizon : last + 1, &c, &lone);
            }
            lone_day = stop;
            if (stop > d) {
                int64_t total = plain_secs(cal, d, stop - d);
                int64_t weeks;

                if (need > total || total == 0) {
                    need -= total;
                    d = stop - 1;
                    continue;
                }
                /* it ends in this stretch (need <= total, so within its whole weeks and
                 * days): skip whole weeks, then days, then find the instant in the day */
                weeks = need > 0 ? (need - 1) / cal->week_secs : 0;
                d += 7 * weeks;
                need -= weeks * cal->week_secs;
                while (cal->day_secs[weekday(d)] == 0 || need > cal->day_secs[weekday(d)]) {
                    need -= cal->day_secs[weekday(d)];
                    d++;
                }
            } else if (is_holiday(cal, d)) {
                continue;
            } else if (lone.set) {
                int64_t day_secs = lone_day_secs(cal, d, &lone, &memo, &c);

                if (need > day_secs || day_secs == 0) {
                    need -= day_secs;
                    continue;
                }
            }
        }
        n = day_runs(cal, d, &c, runs);
        for (int i = 0; i < n; i++) {
            int64_t lo = runs[i].lo > from ? runs[i].lo : from;

            if (runs[i].hi <= from)
                continue;
            if (need <= runs[i].hi - lo) {
                *out_at = lo + need;
                return 0;
            }
            need -= runs[i].hi - lo;
        }
    }
}

int calendar_business_secs(const struct calendar *cal, int64_t from_at, int64_t to_at,
                           int64_t *out_secs, struct acc_err *err)
{
    struct run runs[MAX_RUNS];
    struct conv c;
    struct lone_change lone;
    struct change_memo memo;
    int64_t sum = 0, d, d_first, d_end;

    memo.n = memo.next = 0;
    if (to_at <= from_at) {
        *out_secs = 0;
        return 0;
    }
    if (!at_supported(from_at) || !at_supported(to_at))
        return range_fail(err, "an instant");
    conv_init(&c, cal->tz);
    d_first = d = window_day(cal, from_at, &c);
    d_end = window_day(cal, to_at, &c);
    while (d <= d_end) {
        int n;

        if (d != d_first && d != d_end) {
            int64_t stop = plain_until(cal, d, d_end, &c, &lone);

            if (stop > d) {
                sum += plain_secs(cal, d, stop - d);
                d = stop;
                continue;
            }
            if (!is_holiday(cal, d) && lone.set)
                sum += lone_day_secs(cal, d, &lone, &memo, &c);
            if (is_holiday(cal, d) || lone.set) {
                d++;
                continue;
            }
        }
        n = day_runs(cal, d, &c, runs);
        for (int i = 0; i < n; i++) {
            int64_t lo = runs[i].lo > from_at ? runs[i].lo : from_at;
            int64_t hi = runs[i].hi < to_at ? runs[i].hi : to_at;

            if (hi > lo)
                sum += hi - lo;
        }
        d++;
    }
    *out_secs = sum;
    return 0;
}

bool calendar_is_open(const struct calendar *cal, int64_t at)
{
    struct run runs[MAX_RUNS];
    struct conv c;
    int n;

    if (!at_supported(at))
        return false;
    conv_init(&c, cal->tz);
    n = day_runs(cal, window_day(cal, at, &c), &c, runs);
    for (int i = 0; i < n; i++)
        if (runs[i].lo <= at && at < runs[i].hi)
            return true;
    return false;
}

int calendar_due_paused(const struct calendar *cal, int64_t start_at, int64_t target_secs,
                        int64_t paused_secs, int64_t *out_at, struct acc_err *err)
{
    if (target_secs < 0 || paused_secs < 0 || target_secs > INT64_MAX / 4 ||
        paused_secs > INT64_MAX / 4)
        return acc_fail(err, ACC_EINVAL, "/minutes", "business time must not be negative");
    return calendar_due(cal, start_at, target_secs + paused_secs, out_at, err);
}

int calendar_at_percent(const struct calendar *cal, int64_t start_at, int64_t target_secs,
                        int percent, int64_t paused_secs, int64_t *out_at, struct acc_err *err)
{
    int64_t part;

    if (percent < 0 || percent > 100000)
        return acc_fail(err, ACC_EINVAL, "/percent", "percentage %d is outside 0 .. 100000",
                        percent);
    if (target_secs < 0 || target_secs > INT64_MAX / 200000)
        return acc_fail(err, ACC_EINVAL, "/minutes", "business time target out of range");
    part = (target_secs * percent + 99) / 100;
    return calendar_due_paused(cal, start_at, part, paused_secs, out_at, err);
}
