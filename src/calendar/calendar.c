/* calendar.c: weekly hours, holidays and due-instant arithmetic over plain days and DST days. */
#include "base/acc.h"
#include "calendar/calendar.h"
#include "calendar/calendar_int.h"

#include <stdio.h>
#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define DAY_SECS 86400
/* Intervals of days d-2 .. d+1 can reach day d's window (see day_runs). */
#define MAX_RUNS         (4 * CALENDAR_MAX_INTERVALS)
#define PLAIN_SCAN       16 /* DST changes plain_until() looks at in one call */
#define LONE_DAYS        5  /* days between DST changes for one to be alone */
#define MEMO_SIZE        8
#define PIECE_MEMO_BITS  10 /* slots of zone pieces a batch keeps: 2^PIECE_MEMO_BITS */
#define PIECE_MEMO_SHIFT 21 /* local seconds of a stretch (24 days) a slot is kept for */
#define NEAR_DAYS        3  /* days due() reads one by one before it walks */
#define WEEK_BIAS        ((int64_t)7 << 20) /* days, a multiple of 7 beyond the supported years */
#define DAY_BIAS         ((int64_t)1 << 24) /* days, beyond the supported years */

static const char *const day_names[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                         "Friday", "Saturday", "Sunday"};

/* A stretch [lo, hi) of business time, in UTC (or in local seconds for the plain pattern). */
struct run {
    int64_t lo, hi;
};

/* The intervals that can reach a weekday's window (see reach_fill), from its 00:00. */
struct reach {
    int n;
    struct {
        int32_t lo, hi;
    } iv[MAX_RUNS];
};

/* Two pieces of a zone that a batch looked up, one after the other (see memo_piece). */
struct piece_memo {
    const struct calendar_tz *tz; /* NULL: none yet */
    struct tz_piece p[2];
};

/*
 * What one engine call works with: local-to-UTC conversion that keeps the last two zone
 * pieces (lookups near a DST change alternate between the pieces on its two sides), and
 * the weekdays' reach, worked out when first needed.
 */
struct conv {
    const struct calendar *cal;
    const struct calendar_tz *tz;
    struct tz_piece p[2];
    struct piece_memo *memo; /* the batch's pieces, or NULL */
    unsigned have;           /* bit wd: reach[wd] is filled */
    unsigned have_wr;        /* bit wd: wr[wd] is filled */
    unsigned nights;         /* bit d: day d's hours run past its midnight (week_nights) */
    /*
     * Bounds of the reach of every weekday, from its 00:00 (see reach_fill): a day reads no
     * wall time outside [00:00 + reach_lo, 00:00 + reach_hi]. conv_init() sets bounds that
     * hold for any week (days d-2 .. d+2); calendar_batch_due() those of its week.
     */
    int32_t reach_lo, reach_hi;
    /* calendar_batch_due() derives cal's day_secs and week_secs (from own) when first needed */
    struct calendar *lazy;
    int32_t own[7];
    int64_t own_total; /* the sum of own: at most week_secs, and 0 only with no hours */
    struct reach reach[7];
    struct {
        int n;
        struct calendar_interval iv[2 * CALENDAR_MAX_INTERVALS];
    } wr[7]; /* a weekday's runs in its window on the wall clock, when nights reach it */
};

/* ------------------------------------------------------------------ dates */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
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
    return d <= 28 || d <= (m == 2 && is_leap(y) ? 29 : ml[m - 1]);
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

/* calendar_day_from_civil() for years 1 and later, in unsigned arithmetic. */
static inline int32_t day_from_civil_ad(unsigned year, unsigned month, unsigned mday)
{
    unsigned y = year - (month <= 2);
    unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + mday - 1;

    return (int32_t)(y * 365 + y / 4 - y / 100 + y / 400 + doy) - 719468;
}

/* Days from which civil_near() works. */
#define CIVIL_NEAR_MIN (-12000000)
#define CIVIL_NEAR_MAX 100000000

/*
 * calendar_day_to_civil() for CIVIL_NEAR_MIN <= day < CIVIL_NEAR_MAX: C. Neri and L.
 * Schneider's algorithm (2022), with days shifted by 82 eras so that all is unsigned: the same
 * dates, with multiplications for divisions.
 */
static inline void civil_near(int32_t day, int *year, int *month, int *mday)
{
    const uint32_t eras = 82, shift = 719468 + 146097 * eras;
    uint32_t n1 = 4 * ((uint32_t)day + shift) + 3, cent = n1 / 146097, n2 = n1 % 146097 | 3;
    uint64_t p2 = (uint64_t)2939745 * n2;
    uint32_t yc = (uint32_t)(p2 >> 32), doy = (uint32_t)p2 / 2939745 / 4;
    uint32_t n3 = 2141 * doy + 197913, jan = doy >= 306;

    *year = (int)(100 * cent + yc + jan) - (int)(400 * eras);
    *month = (int)((n3 >> 16) - 12 * jan);
    *mday = (int)((n3 & 0xFFFF) / 2141 + 1);
}

void calendar_day_to_civil(int32_t day, int *year, int *month, int *mday)
{
    int64_t z = (int64_t)day + 719468;
    int64_t era;

    if (day >= CIVIL_NEAR_MIN && day < CIVIL_NEAR_MAX) {
        civil_near(day, year, month, mday);
        return;
    }
    era = floor_div(z, 146097);
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
    /* in unsigned arithmetic from a Monday long before the supported years */
    if (day >= -WEEK_BIAS)
        return (int)((uint64_t)(day + WEEK_BIAS + 3) % 7);
    return (int)(((day + 3) % 7 + 7) % 7);
}

/* floor(a / DAY_SECS) and ceil(a / DAY_SECS), in unsigned arithmetic where they can be. */
static int64_t floor_day(int64_t a)
{
    if (a >= -DAY_BIAS * DAY_SECS && a < DAY_BIAS * DAY_SECS)
        return (int64_t)((uint64_t)(a + DAY_BIAS * DAY_SECS) / DAY_SECS) - DAY_BIAS;
    return floor_div(a, DAY_SECS);
}

static int64_t ceil_day(int64_t a)
{
    return -floor_day(-a);
}

static bool is_digit(char c)
{
    return (unsigned char)(c - '0') <= 9;
}

/* Two digits at s (read in order, so never past a NUL) into *out. */
static bool two_digits(const char *s, int *out)
{
    if (!is_digit(s[0]) || !is_digit(s[1]))
        return false;
    *out = (s[0] - '0') * 10 + (s[1] - '0');
    return true;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR 1 /* fixed-width fields are read 8 bytes at a time */

static uint64_t load64(const char *s)
{
    uint64_t x;

    memcpy(&x, s, 8);
    return x;
}

/* True when the bytes of x that mask selects (0xff bytes) are all ASCII digits. */
static bool swar_digits(uint64_t x, uint64_t mask)
{
    uint64_t hi = mask & 0xF0F0F0F0F0F0F0F0u, z = mask & 0x3030303030303030u;

    return (x & hi) == z && ((x + (mask & 0x0606060606060606u)) & hi) == z;
}

/*
 * The digits of x that mask selects as numbers: byte i of the result is 10 * digit i +
 * digit i + 1 (valid where both are selected digits).
 */
static uint64_t swar_pairs(uint64_t x, uint64_t mask)
{
    x = (x & mask) - (mask & 0x3030303030303030u);
    return x * 10 + (x >> 8);
}
#endif

/* "YYYY-MM-DD" at s (not necessarily ending there). */
static bool date_at(const char *s, int32_t *day)
{
    int yh, yl, y, m, d;

    if (!two_digits(s, &yh) || !two_digits(s + 2, &yl) || s[4] != '-' || !two_digits(s + 5, &m) ||
        s[7] != '-' || !two_digits(s + 8, &d))
        return false;
    y = yh * 100 + yl;
    if (!date_valid(y, m, d) || y < CALENDAR_MIN_YEAR || y > CALENDAR_MAX_YEAR)
        return false;
    *day = day_from_civil_ad((unsigned)y, (unsigned)m, (unsigned)d);
    return true;
}

/* date_at() for an s with at least 10 bytes before its end. */
static bool date_at10(const char *s, int32_t *day)
{
#ifdef SWAR
    /* x: "YYYY-MM-", y: "YY-MM-DD" */
    const uint64_t xd = 0x00FFFF00FFFFFFFFu, xs = 0x2D00002D00000000u, yd = 0xFFFF000000000000u;
    uint64_t x = load64(s), y = load64(s + 2), px, py;
    int yr, m, d;

    if ((x & ~xd) != xs || !swar_digits(x, xd) || !swar_digits(y, yd))
        return false;
    px = swar_pairs(x, xd);
    py = swar_pairs(y, yd);
    yr = (int)(px & 0xFF) * 100 + (int)(px >> 16 & 0xFF);
    m = (int)(px >> 40 & 0xFF);
    d = (int)(py >> 48 & 0xFF);
    if (!date_valid(yr, m, d) || yr < CALENDAR_MIN_YEAR || yr > CALENDAR_MAX_YEAR)
        return false;
    *day = day_from_civil_ad((unsigned)yr, (unsigned)m, (unsigned)d);
    return true;
#else
    return date_at(s, day);
#endif
}

int calendar_date_parse(const char *s, int32_t *day)
{
    if (!s || strlen(s) != 10 || !date_at(s, day))
        return ACC_EINVAL;
    return 0;
}

/* "YYYY-MM-DDTHH:MM" at s (16 bytes, no NUL needed) as local seconds; false if it is not one. */
static bool local16(const char *s, int64_t *local_secs)
{
#ifdef SWAR
    /* x: "YYYY-MM-", y: "DDTHH:MM" */
    const uint64_t xd = 0x00FFFF00FFFFFFFFu, xs = 0x2D00002D00000000u;
    const uint64_t yd = 0xFFFF00FFFF00FFFFu, ys = 0x00003A0000540000u;
    uint64_t x = load64(s), y = load64(s + 8), px, py;
    int yr, mo, d, h, m;

    if ((x & ~xd) != xs || (y & ~yd) != ys || !swar_digits(x, xd) || !swar_digits(y, yd))
        return false;
    px = swar_pairs(x, xd);
    py = swar_pairs(y, yd);
    yr = (int)(px & 0xFF) * 100 + (int)(px >> 16 & 0xFF);
    mo = (int)(px >> 40 & 0xFF);
    d = (int)(py & 0xFF);
    h = (int)(py >> 24 & 0xFF);
    m = (int)(py >> 48 & 0xFF);
    if (!date_valid(yr, mo, d) || yr < CALENDAR_MIN_YEAR || yr > CALENDAR_MAX_YEAR || h > 23 ||
        m > 59)
        return false;
    *local_secs = (int64_t)day_from_civil_ad((unsigned)yr, (unsigned)mo, (unsigned)d) * DAY_SECS +
                  h * 3600 + m * 60;
    return true;
#else
    int32_t day;
    int h, m;

    if (!date_at10(s, &day) || s[10] != 'T' || !two_digits(s + 11, &h) || s[13] != ':' ||
        !two_digits(s + 14, &m) || h > 23 || m > 59)
        return false;
    *local_secs = (int64_t)day * DAY_SECS + h * 3600 + m * 60;
    return true;
#endif
}

int calendar_local_parse(const char *s, int64_t *local_secs)
{
    size_t len = s ? strlen(s) : 0;
    int32_t day;
    int h, m, sec = 0;

    if (len == 16)
        return local16(s, local_secs) ? 0 : ACC_EINVAL;
    if (len != 19 || !date_at10(s, &day) || s[10] != 'T' || !two_digits(s + 11, &h) ||
        s[13] != ':' || !two_digits(s + 14, &m) || h > 23 || m > 59 || s[16] != ':' ||
        !two_digits(s + 17, &sec) || sec > 59)
        return ACC_EINVAL;
    *local_secs = (int64_t)day * DAY_SECS + h * 3600 + m * 60 + sec;
    return 0;
}

/* Writes v (0 .. 99) as two digits at p; returns p + 2. */
static char *put2(char *p, int v)
{
    static const char pairs[201] = "00010203040506070809101112131415161718192021222324252627282930"
                                   "31323334353637383940414243444546474849505152535455565758596061"
                                   "62636465666768697071727374757677787980818283848586878889909192"
                                   "93949596979899";

    memcpy(p, pairs + 2 * v, 2);
    return p + 2;
}

void calendar_local_format(const struct calendar_tz *tz, int64_t at, bool with_offset, char out[32])
{
    calendar_local_format_off(at, calendar_tz_offset(tz, at), with_offset, out);
}

size_t calendar_local_format_off(int64_t at, int32_t off, bool with_offset, char out[32])
{
    int64_t local = at + off;
    int64_t day = floor_day(local);
    int sod = (int)(local - day * DAY_SECS);
    int y, mo, d;
    char *p = out;

    if (day >= CIVIL_NEAR_MIN && day < CIVIL_NEAR_MAX)
        civil_near((int32_t)day, &y, &mo, &d);
    else
        calendar_day_to_civil((int32_t)day, &y, &mo, &d);
    if (y < 0 || y > 9999) { /* outside what the engine hands out; keep the text sane */
        snprintf(out, 32, "%d-%02d-%02dT%02d:%02d", y, mo, d, sod / 3600, sod % 3600 / 60);
        return strlen(out);
    }
    p = put2(p, y / 100);
    p = put2(p, y % 100);
    *p++ = '-';
    p = put2(p, mo);
    *p++ = '-';
    p = put2(p, d);
    *p++ = 'T';
    p = put2(p, sod / 3600);
    *p++ = ':';
    p = put2(p, sod % 3600 / 60);
    if (sod % 60) {
        *p++ = ':';
        p = put2(p, sod % 60);
    }
    if (with_offset) {
        int32_t a = off < 0 ? -off : off;

        *p++ = off < 0 ? '-' : '+';
        p = put2(p, a / 3600 % 100);
        *p++ = ':';
        p = put2(p, a % 3600 / 60);
    }
    *p = '\0';
    return (size_t)(p - out);
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

/* "HH:MM-HH:MM" in the 11 bytes at s (no more are read): its four numbers. */
static inline bool hhmm_pair(const char *s, int *sh, int *sm, int *eh, int *em)
{
#ifdef SWAR
    /* x: "HH:MM-HH", y: "MM-HH:MM" */
    const uint64_t xd = 0xFFFF00FFFF00FFFFu, xs = 0x00002D00003A0000u;
    const uint64_t yd = 0xFFFF000000000000u, ys = 0x00003A0000000000u;
    uint64_t x = load64(s), y = load64(s + 3), px, py;

    if ((x & ~xd) != xs || (y & 0x0000FF0000000000u) != ys || !swar_digits(x, xd) ||
        !swar_digits(y, yd))
        return false;
    px = swar_pairs(x, xd);
    py = swar_pairs(y, yd);
    *sh = (int)(px & 0xFF);
    *sm = (int)(px >> 24 & 0xFF);
    *eh = (int)(px >> 48 & 0xFF);
    *em = (int)(py >> 48 & 0xFF);
    return true;
#else
    return two_digits(s, sh) && s[2] == ':' && two_digits(s + 3, sm) && s[5] == '-' &&
           two_digits(s + 6, eh) && s[8] == ':' && two_digits(s + 9, em);
#endif
}

/* "HH:MM-HH:MM" at s, followed by '+', ',' or the end: minutes of both ends. */
static bool interval_at(const char *s, int *sh, int *sm, int *eh, int *em)
{
    return two_digits(s, sh) && s[2] == ':' && two_digits(s + 3, sm) && s[5] == '-' &&
           two_digits(s + 6, eh) && s[8] == ':' && two_digits(s + 9, em) &&
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

/*
 * One day's entry at *ps (ending before end) by the rules of parse_day(), for the usual
 * well-formed text: "-" or intervals "HH:MM-HH:MM" joined by '+', up to ',' or the end.
 * Fills *out and moves *ps past the entry; false (nothing moved) for anything else, which
 * parse_day() then reads and reports.
 */
static bool day_fast(const char **ps, const char *end, struct calendar_week *w, int day,
                     int32_t *own)
{
    const char *s = *ps;
    int cur = 0, n = 0, first = 0, sum = 0;

    if (s[0] == '-' && (s + 1 == end || s[1] == ',')) {
        w->day[day].n = 0;
        *ps = s + 1;
        return true;
    }
    for (;;) {
        int sh, sm, eh, em, a, b;

        if (end - s < 11 || !hhmm_pair(s, &sh, &sm, &eh, &em) ||
            (s + 11 != end && s[11] != '+' && s[11] != ','))
            return false;
        if (sh > 23 || sm > 59 || eh > 24 || em > 59 || (eh == 24 && em > 0) ||
            n == CALENDAR_MAX_INTERVALS)
            return false;
        a = sh * 60 + sm;
        b = eh * 60 + em;
        if (n > 0 && a < cur && a >= first)
            return false;
        while (a < cur)
            a += 1440;
        while (b <= a)
            b += 1440;
        if (n == 0)
            first = a;
        if (b - first > 1440)
            return false;
        w->day[day].iv[n].open_secs = a * 60;
        w->day[day].iv[n].close_secs = b * 60;
        if (a < 1440)
            sum += (b < 1440 ? b : 1440) - a;
        n++;
        cur = b;
        s += 11;
        if (s == end || *s != '+')
            break;
        s++;
    }
    w->day[day].n = n;
    *own = sum * 60;
    *ps = s;
    return true;
}

/* Business seconds of day d's own intervals before its 24:00. */
static int32_t own_secs(const struct calendar_week *w, int d)
{
    int32_t sum = 0;

    for (int i = 0; i < w->day[d].n; i++) {
        int32_t lo = w->day[d].iv[i].open_secs, hi = w->day[d].iv[i].close_secs;

        hi = hi < DAY_SECS ? hi : DAY_SECS;
        if (hi > lo)
            sum += hi - lo;
    }
    return sum;
}

/* memcmp(a, b, n) == 0 for the short texts of day entries, without a call. */
static inline bool same_text(const char *a, const char *b, size_t n)
{
#ifdef SWAR
    if (n >= 8) { /* whole words, the last one overlapping */
        for (; n > 8; a += 8, b += 8, n -= 8)
            if (load64(a) != load64(b))
                return false;
        return load64(a + n - 8) == load64(b + n - 8);
    }
#endif
    for (; n > 0; a++, b++, n--)
        if (*a != *b)
            return false;
    return true;
}

/*
 * calendar_week_parse() into *w, which is left half written on failure; own[d] gets
 * own_secs(w, d).
 */
static int week_parse(const char *s, struct calendar_week *w, int32_t own[7], struct acc_err *err)
{
    const char *p = s ? s : "", *end = p + strlen(p), *prev = NULL;
    size_t prev_len = 0;
    int day, prev_day = 0, rc;
#ifdef SWAR
    uint64_t one_x = 0, one_y = 0; /* the text of the last entry of one interval, or 0 */
    int one_day = 0;
#endif

    for (day = 0; day < 7 && *p; day++) {
        const char *entry;

        if (day > 0) {
            if (*p != ',')
                break;
            p++;
        }
        if (p[0] == '-' && (p[1] == ',' || p[1] == '\0')) { /* closed */
            w->day[day].n = 0;
            own[day] = 0;
            p++;
            continue;
        }
#ifdef SWAR
        /* the usual repeat: one interval, "HH:MM-HH:MM", as the last such entry */
        if (one_x && end - p >= 11 && load64(p) == one_x && load64(p + 3) == one_y &&
            (p[11] == ',' || p[11] == '\0')) {
            w->day[day].n = 1;
            w->day[day].iv[0] = w->day[one_day].iv[0];
            own[day] = own[one_day];
            p += 11;
            continue;
        }
#endif
        /* weekdays often repeat: an entry equal to the last one with hours is parsed once */
        if (prev && (size_t)(end - p) >= prev_len && same_text(p, prev, prev_len) &&
            (p[prev_len] == ',' || p[prev_len] == '\0')) {
            w->day[day] = w->day[prev_day];
            own[day] = own[prev_day];
            p += prev_len;
            continue;
        }
        entry = p;
        if (!day_fast(&p, end, w, day, &own[day])) {
            if ((rc = parse_day(&p, day, w, err)) != 0)
                return rc;
            own[day] = own_secs(w, day);
        }
        prev = entry;
        prev_len = (size_t)(p - entry);
        prev_day = day;
#ifdef SWAR
        if (prev_len == 11) { /* one interval: the parse depends on these 11 bytes only */
            one_x = load64(entry);
            one_y = load64(entry + 3);
            one_day = day;
        }
#endif
    }
    if (day != 7 || *p) {
        int entries = 1;

        for (const char *q = s ? s : ""; *q; q++)
            entries += *q == ',';
        return acc_fail(err, ACC_EINVAL, "/hours", "hours need 7 entries Monday to Sunday, got %d",
                        entries);
    }
    return 0;
}

int calendar_week_parse(const char *s, struct calendar_week *out, struct acc_err *err)
{
    struct calendar_week w;
    int32_t own[7];
    int rc = week_parse(s, &w, own, err);

    if (!rc)
        *out = w;
    return rc;
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
    const char *p = s, *end;
    size_t count = 0;

    if (!s || !*s || strcmp(s, "-") == 0) {
        *n = 0;
        return 0;
    }
    end = s + strlen(s);
    for (;;) {
        const char *comma;
        size_t len;
        char field[32];

        if (count == max)
            return acc_fail(err, ACC_EINVAL, "/holidays", "more than %zu holidays", max);
        if (end - p >= 10 && date_at10(p, &days[count]) && (p[10] == ',' || p[10] == '\0')) {
            count++;
            if (p[10] == '\0')
                break;
            p += 11;
            continue;
        }
        comma = strchr(p, ',');
        len = comma ? (size_t)(comma - p) : strlen(p);
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

/* Bit d for each day d of w whose hours run past its midnight. */
static unsigned week_nights(const struct calendar_week *w)
{
    unsigned nights = 0;

    for (int d = 0; d < 7; d++) {
        int n = w->day[d].n;

        if (n && w->day[d].iv[n - 1].close_secs > DAY_SECS)
            nights |= 1u << d;
    }
    return nights;
}

/* The extremes of a week's hours, which tell how far they reach from their days. */
struct week_bounds {
    unsigned nights;   /* see week_nights() */
    int32_t open_min;  /* the earliest opening after its day's 00:00 (DAY_SECS: none) */
    int32_t close_max; /* the latest closing (0: none) */
};

/* Adds day d of w (with hours) to *wb. */
static void week_bounds_add(struct week_bounds *wb, const struct calendar_week *w, int d)
{
    int32_t open = w->day[d].iv[0].open_secs, close = w->day[d].iv[w->day[d].n - 1].close_secs;

    wb->nights |= (unsigned)(close > DAY_SECS) << d;
    wb->open_min = open < wb->open_min ? open : wb->open_min;
    wb->close_max = close > wb->close_max ? close : wb->close_max;
}

/*
 * Business seconds of each weekday with no DST change near and no holiday: the wall-clock
 * measure of the weekly pattern, which repeats every week. A day's intervals lie within 24
 * hours of an opening before 24:00, so a weekday's window [00:00, 24:00) meets only its own
 * intervals and those of the day before that pass midnight (Sunday's for Monday). Each list
 * is sorted and disjoint, so the measure of their union is both sums (own_sum[d]: the day's
 * own, see own_secs) less their pairwise overlaps.
 */
static void plain_days(const struct calendar_week *w, const int32_t own_sum[7], int64_t day_secs[7])
{
    unsigned nights = week_nights(w);

    for (int d = 0; d < 7; d++)
        day_secs[d] = own_sum[d];
    for (int e = 0; nights; e++, nights >>= 1) {
        int d = e == 6 ? 0 : e + 1, n_own = w->day[d].n, n_eve = w->day[e].n;
        const struct calendar_interval *own = w->day[d].iv, *eve = w->day[e].iv;
        int32_t sum = 0;

        if (!(nights & 1))
            continue;
        for (int j = 0; j < n_eve; j++) {
            int32_t lo = eve[j].open_secs - DAY_SECS, hi = eve[j].close_secs - DAY_SECS;

            if (hi <= 0)
                continue;
            lo = lo > 0 ? lo : 0;
            sum += hi - lo;
            for (int i = 0; i < n_own; i++) {
                int32_t x = lo > own[i].open_secs ? lo : own[i].open_secs;
                int32_t y = hi < own[i].close_secs ? hi : own[i].close_secs;

                y = y < DAY_SECS ? y : DAY_SECS;
                if (y > x)
                    sum -= y - x;
            }
        }
        day_secs[d] += sum;
    }
}

/*
 * The intervals of weekday wd's days -2 .. +1 that come within margin (the zone's largest
 * DST change) of wd's [00:00, 24:00), relative to wd's 00:00: only they can put business
 * time into the window of a day of that weekday (see day_runs). A day's intervals are sorted
 * by both ends, so those of day wd + k that qualify are a contiguous run of them: a suffix
 * for k < 0 (those that close late enough), a prefix for k >= 0 (those that open early
 * enough).
 */
static void reach_fill(const struct calendar_week *w, int32_t margin, int wd, struct reach *r)
{
    static const int wrap[11] = {5, 6, 0, 1, 2, 3, 4, 5, 6, 0, 1}; /* wd + k + 2 -> day */
    int n = 0;

    for (int k = -2; k <= 1; k++) {
        int dd = wrap[wd + k + 2], lo = 0, hi = w->day[dd].n;
        const struct calendar_interval *iv = w->day[dd].iv;
        int32_t shift = k * DAY_SECS;

        if (hi == 0)
            continue;
        if (k < 0) {
            if (shift + iv[hi - 1].close_secs <= -margin) /* the usual: none reaches */
                continue;
            while (shift + iv[lo].close_secs <= -margin)
                lo++;
        } else {
            if (shift + iv[0].open_secs >= DAY_SECS + margin)
                continue;
            while (shift + iv[hi - 1].open_secs >= DAY_SECS + margin)
                hi--;
        }
        for (int i = lo; i < hi; i++, n++) {
            r->iv[n].lo = shift + iv[i].open_secs;
            r->iv[n].hi = shift + iv[i].close_secs;
        }
    }
    r->n = n;
}

/* cal->reach, which calendar_init() still fills for its users (the engine works it out). */
static void find_reach(struct calendar *cal, const struct calendar_week *w, int32_t margin)
{
    struct reach r;

    for (int wd = 0; wd < 7; wd++) {
        reach_fill(w, margin, wd, &r);
        cal->reach[wd].n = r.n;
        for (int i = 0; i < r.n; i++) {
            cal->reach[wd].iv[i].lo = r.iv[i].lo;
            cal->reach[wd].iv[i].hi = r.iv[i].hi;
        }
    }
}

/* Sorts days[0..n) and drops duplicates (nothing to do when they arrive sorted); the new n. */
static size_t holidays_normalise(int32_t *days, size_t n)
{
    size_t m = 0;
    bool sorted = true;

    for (size_t i = 1; i < n && sorted; i++)
        sorted = days[i] > days[i - 1];
    if (sorted)
        return n;
    if (n <= 32) { /* insertion sort: short lists, often nearly sorted */
        for (size_t i = 1; i < n; i++) {
            int32_t v = days[i];
            size_t j = i;

            while (j > 0 && days[j - 1] > v) {
                days[j] = days[j - 1];
                j--;
            }
            days[j] = v;
        }
    } else {
        qsort(days, n, sizeof(*days), cmp_i32);
    }
    for (size_t i = 0; i < n; i++)
        if (m == 0 || days[i] != days[m - 1])
            days[m++] = days[i];
    return m;
}

/* The tables the engine reads, derived from the week; own[d] is own_secs(week, d). */
static void derive(struct calendar *cal, const struct calendar_week *week, const int32_t own[7])
{
    plain_days(week, own, cal->day_secs);
    cal->week_secs = 0;
    for (int d = 0; d < 7; d++)
        cal->week_secs += cal->day_secs[d];
}

/* Checks holidays[0..n_holidays) for calendar_init(). */
static int holidays_check(const int32_t *holidays, size_t n_holidays, struct acc_err *err)
{
    int32_t lo = (int32_t)day_min(), hi = (int32_t)day_max();

    if (n_holidays > CALENDAR_MAX_HOLIDAYS)
        return acc_fail(err, ACC_EINVAL, "/holidays", "more than %d holidays",
                        CALENDAR_MAX_HOLIDAYS);
    for (size_t i = 0; i < n_holidays; i++)
        if (holidays[i] < lo || holidays[i] > hi)
            return acc_fail(err, ACC_EINVAL, "/holidays", "holiday outside years %d .. %d",
                            CALENDAR_MIN_YEAR, CALENDAR_MAX_YEAR);
    return 0;
}

/* calendar_init() for a week known to pass calendar_week_check(). */
static int init_valid(struct calendar *cal, const struct calendar_tz *tz,
                      const struct calendar_week *week, const int32_t *holidays, size_t n_holidays,
                      struct acc_err *err)
{
    int32_t *h = NULL, own[7];
    size_t n = 0;
    int rc = holidays_check(holidays, n_holidays, err);

    if (rc)
        return rc;
    if (n_holidays) {
        h = xmalloc(n_holidays * sizeof(*h));
        memcpy(h, holidays, n_holidays * sizeof(*h));
        n = holidays_normalise(h, n_holidays);
    }
    cal->tz = tz;
    if (week != &cal->week)
        cal->week = *week;
    cal->holidays = h;
    cal->n_holidays = n;
    for (int d = 0; d < 7; d++)
        own[d] = own_secs(week, d);
    derive(cal, week, own);
    find_reach(cal, week, tz->max_delta);
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

/*
 * tz_piece_local() through c->memo when there is one: a batch of cases looks up the same few
 * pieces of its few zones (the years around now) over and over, on both sides of their DST
 * changes. A slot is kept for each zone and stretch of 2^PIECE_MEMO_SHIFT local seconds, with
 * the pieces that cover it.
 */
static void memo_piece(struct conv *c, int64_t local, struct tz_piece *out)
{
    int64_t start = local >> PIECE_MEMO_SHIFT; /* the stretch, rounded down */
    uint64_t key = (uint64_t)(uintptr_t)c->tz * 0x9E3779B97F4A7C15u ^ (uint64_t)start;
    struct piece_memo *m;

    if (!c->memo) {
        tz_piece_local(c->tz, local, out);
        return;
    }
    m = &c->memo[(key * 0xC2B2AE3D27D4EB4Fu) >> (64 - PIECE_MEMO_BITS)];
    if (m->tz != c->tz || local < m->p[0].lo || local >= m->p[1].hi) {
        /* the piece where the stretch starts, and the next: a change in it is then covered */
        tz_piece_local(c->tz, start * ((int64_t)1 << PIECE_MEMO_SHIFT), &m->p[0]);
        if (m->p[0].hi < TZ_FAR_FUTURE)
            tz_piece_local_next(c->tz, &m->p[0], &m->p[1]);
        else
            m->p[1] = m->p[0];
        m->tz = c->tz;
        if (local < m->p[0].lo || local >= m->p[1].hi) { /* two changes in the stretch */
            m->tz = NULL;
            tz_piece_local(c->tz, local, out);
            return;
        }
    }
    *out = m->p[local < m->p[0].hi ? 0 : 1];
}

/* The piece holding local seconds local: a cached one, or looked up and cached. */
static inline const struct tz_piece *piece(struct conv *c, int64_t local)
{
    if (local >= c->p[0].lo && local < c->p[0].hi)
        return &c->p[0];
    if (local < c->p[1].lo || local >= c->p[1].hi) {
        c->p[1] = c->p[0];
        memo_piece(c, local, &c->p[0]);
        return &c->p[0];
    }
    return &c->p[1];
}

static int64_t to_utc(struct conv *c, int64_t local)
{
    return local - piece(c, local)->off;
}

static void conv_init(struct conv *c, const struct calendar *cal, unsigned nights)
{
    memset(c->p, 0, sizeof(c->p));
    c->memo = NULL;
    c->cal = cal;
    c->tz = cal->tz;
    c->have = c->have_wr = 0;
    c->nights = nights;
    c->reach_lo = -2 * DAY_SECS;
    c->reach_hi = 3 * DAY_SECS;
    c->lazy = NULL;
    c->own_total = 0;
}

/* Derives cal's day_secs and week_secs when calendar_batch_due() left them for later. */
static void derived(struct conv *c)
{
    if (c->lazy) {
        derive(c->lazy, &c->lazy->week, c->own);
        c->lazy = NULL;
    }
}

/* wall_runs() of weekday wd when a night reaches it (eve_wd is the day before): into r, *n. */
static void night_runs(const struct calendar_week *w, int wd, int eve_wd, int *n,
                       struct calendar_interval *r)
{
    const struct calendar_interval *own = w->day[wd].iv, *eve = w->day[eve_wd].iv;
    int n_own = w->day[wd].n, n_eve = w->day[eve_wd].n, i = 0, j = 0, k = 0;

    while (n_own > 0 && own[n_own - 1].open_secs >= DAY_SECS) /* open after the window */
        n_own--;
    while (j < n_eve && eve[j].close_secs <= DAY_SECS) /* closed before the window */
        j++;
    while (i < n_own || j < n_eve) {
        int32_t lo, hi;

        if (j == n_eve || (i < n_own && own[i].open_secs < eve[j].open_secs - DAY_SECS)) {
            lo = own[i].open_secs;
            hi = own[i].close_secs < DAY_SECS ? own[i].close_secs : DAY_SECS;
            i++;
        } else {
            lo = eve[j].open_secs > DAY_SECS ? eve[j].open_secs - DAY_SECS : 0;
            hi = eve[j].close_secs - DAY_SECS;
            j++;
        }
        if (k && lo <= r[k - 1].close_secs) {
            if (hi > r[k - 1].close_secs)
                r[k - 1].close_secs = hi;
        } else {
            r[k].open_secs = lo;
            r[k].close_secs = hi;
            k++;
        }
    }
    *n = k;
}

/*
 * The business runs of a day of weekday wd in its window [00:00, 24:00) on the wall clock,
 * in order and disjoint, and their count in *n: its own intervals and the part past midnight
 * of those of the day before, clipped to the window. When neither day's hours pass midnight
 * they are the day's own intervals as they are; else they are merged in one pass (both lists
 * are sorted and disjoint) and kept. Runs that touch may stay apart: no sum or answer
 * changes.
 */
static inline const struct calendar_interval *wall_runs(struct conv *c, int wd, int *n)
{
    int eve_wd = wd == 0 ? 6 : wd - 1;

    if (!(c->nights & (1u << wd | 1u << eve_wd))) { /* the usual: no night */
        *n = c->cal->week.day[wd].n;
        return c->cal->week.day[wd].iv;
    }
    if (!(c->have_wr & 1u << wd)) {
        night_runs(&c->cal->week, wd, eve_wd, &c->wr[wd].n, c->wr[wd].iv);
        c->have_wr |= 1u << wd;
    }
    *n = c->wr[wd].n;
    return c->wr[wd].iv;
}

/* The reach of weekday wd (see reach_fill). */
static const struct reach *reach_of(struct conv *c, int wd)
{
    if (!(c->have & 1u << wd)) {
        reach_fill(&c->cal->week, c->tz->max_delta, wd, &c->reach[wd]);
        c->have |= 1u << wd;
    }
    return &c->reach[wd];
}

/* The local piece after p (tz_piece_local_next()), straight from the table when it can. */
static void next_piece(const struct calendar_tz *tz, const struct tz_piece *p, struct tz_piece *q)
{
    if (p->seg >= 0 && (size_t)p->seg + 1 < tz->n) {
        size_t seg = (size_t)p->seg;

        q->seg = p->seg + 1;
        q->lo = tz->tr[seg].x;
        q->off = tz->tr[seg].off;
        q->hi = tz->tr[seg + 1].x;
        return;
    }
    tz_piece_local_next(tz, p, q);
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
 * Whether piece p holds every wall time that day_runs() reads for the day at local base, of
 * weekday wd: its window's ends and those of the intervals that reach it. Then its runs are
 * the wall clock's (wall_runs) read with p's offset.
 */
static bool one_offset(struct conv *c, int64_t base, int wd, const struct tz_piece *p)
{
    const struct reach *r;
    int32_t lo = 0, hi = DAY_SECS;

    if (base + c->reach_lo >= p->lo && base + c->reach_hi < p->hi)
        return true;
    if (base < p->lo || base + DAY_SECS >= p->hi)
        return false;
    r = reach_of(c, wd);
    for (int i = 0; i < r->n; i++) {
        lo = r->iv[i].lo < lo ? r->iv[i].lo : lo;
        hi = r->iv[i].hi > hi ? r->iv[i].hi : hi;
    }
    return base + lo >= p->lo && base + hi < p->hi;
}

/*
 * The UTC offset in force at instant at, when piece p shows it: an instant read on the wall
 * clock with p's offset inside p, at least max_delta before p's end, is after p's change
 * and before the next (whose gap, if any, is at most max_delta long); else looked up.
 */
static int32_t offset_in(struct conv *c, const struct tz_piece *p, int64_t at)
{
    int64_t wall = at + p->off;

    if (wall >= p->lo && wall < p->hi - c->tz->max_delta)
        return p->off;
    return calendar_tz_offset(c->tz, at);
}

/*
 * The business runs of day d's window [00:00 of d, 00:00 of d+1), as instants, in order and
 * disjoint (runs that touch may stay apart); windows of successive days tile time, and a
 * holiday removes exactly its window. An
 * interval belongs to the day it is listed on but may reach past midnight, and a DST gap
 * can move an end up to the gap's length later, so the intervals of days d-2 .. d+1 that
 * come that close to the day are read (reach_of).
 */
static int day_runs(const struct calendar *cal, int64_t d, struct conv *c, struct run *runs)
{
    int64_t base = d * DAY_SECS, wlo, whi;
    const struct tz_piece *p = piece(c, base);
    const struct reach *r;
    int n = 0;

    if (is_holiday(cal, d))
        return 0;
    if (one_offset(c, base, weekday(d), p)) { /* the wall clock's runs, shifted */
        const struct calendar_interval *iv = wall_runs(c, weekday(d), &n);

        for (int i = 0; i < n; i++) {
            runs[i].lo = base + iv[i].open_secs - p->off;
            runs[i].hi = base + iv[i].close_secs - p->off;
        }
        return n;
    }
    wlo = to_utc(c, base);
    whi = to_utc(c, base + DAY_SECS);
    r = reach_of(c, weekday(d));
    for (int i = 0; i < r->n; i++) {
        int64_t lo = to_utc(c, base + r->iv[i].lo);
        int64_t hi = to_utc(c, base + r->iv[i].hi);

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
    int64_t d = floor_day(at + calendar_tz_offset(cal->tz, at));

    while (to_utc(c, (d + 1) * DAY_SECS) <= at)
        d++;
    while (to_utc(c, d * DAY_SECS) > at)
        d--;
    return d;
}

/*
 * Whether a change of the offset by delta at local boundary x can change the business time
 * of day d's window: whether one of the intervals that reach it comes within delta of x.
 * When none does, each interval and the window's ends it crosses lie on one side of the
 * change, away from its gap or overlap, so every interval keeps its wall-clock length and
 * the day has its weekday's business time (and with several changes near, so it does when
 * none of them touches it).
 */
static bool change_touches(struct conv *c, int64_t d, int64_t x, int64_t delta)
{
    const struct reach *r = reach_of(c, weekday(d));
    int64_t xr = x - d * DAY_SECS;

    for (int i = 0; i < r->n; i++)
        if (r->iv[i].hi >= xr - delta && r->iv[i].lo <= xr + delta)
            return true;
    return false;
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
 * business time) and no DST change touches it (see change_touches). A change at local
 * boundary x by delta seconds can touch the windows of
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
            first = ceil_day(p.hi - tz->max_delta) - 1;
            stop = first > d ? (first < stop ? first : stop) : d;
            break;
        }
        tz_piece_local_next(tz, &p, &q);
        delta = q.off > p.off ? q.off - p.off : p.off - q.off;
        first = ceil_day(p.hi - delta) - 1;
        last = ceil_day(p.hi + delta) - 1;
        for (day = first > d ? first : d; day <= last && day < stop; day++)
            if (change_touches(c, day, p.hi, delta))
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

/* The UTC offset in force at instant at, an answer in day d's window. */
static int32_t offset_at(struct conv *c, int64_t d, int64_t at)
{
    return offset_in(c, piece(c, d * DAY_SECS), at);
}

/* Business seconds of the n plain days from d. */
static int64_t plain_secs(const struct calendar *cal, int64_t d, int64_t n)
{
    int64_t sum = n / 7 * cal->week_secs;
    int wd = weekday(d);

    for (int64_t i = n % 7; i > 0; i--) {
        sum += cal->day_secs[wd];
        wd = wd == 6 ? 0 : wd + 1;
    }
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

/*
 * Counts business time in day d's window from instant from on (TZ_FAR_PAST: all of it):
 * true with the answer in *out_at (and its offset in *out_off when not NULL) when the
 * *need seconds left end in it, else false with *need less what the day holds.
 */
static bool in_day(const struct calendar *cal, struct conv *c, int64_t d, int64_t from,
                   int64_t *need, int64_t *out_at, int32_t *out_off)
{
    struct run runs[MAX_RUNS];
    int n = day_runs(cal, d, c, runs);

    for (int i = 0; i < n; i++) {
        int64_t lo = runs[i].lo > from ? runs[i].lo : from;

        if (runs[i].hi <= from)
            continue;
        if (*need <= runs[i].hi - lo) {
            *out_at = lo + *need;
            if (out_off)
                *out_off = offset_at(c, d, lo + *need);
            return true;
        }
        *need -= runs[i].hi - lo;
    }
    return false;
}

/* What lone changes did to the days they touch, already worked out in one call. */
struct effect_memo {
    int n, next;
    struct {
        int wd;
        int32_t shift;
        int64_t x_rel, adj;
    } e[MEMO_SIZE];
};

/*
 * Business seconds that the lone change *lone (by delta) adds to (or takes from) days first
 * .. last_day, which are no holidays, against plain days: the sum over the days it touches
 * of lone_day_secs() less their weekdays' plain time. Relative to the days it depends only
 * on first's weekday, where the change falls and by how much (see lone_day_secs), so the
 * same change each year is worked out once: remembered in *fx.
 */
static int64_t change_effect(const struct calendar *cal, struct conv *c, int64_t first,
                             int64_t last_day, const struct lone_change *lone, int64_t delta,
                             struct effect_memo *fx, struct change_memo *memo)
{
    int wd = weekday(first), slot;
    int32_t shift = lone->after - lone->before;
    int64_t x_rel = lone->x - first * DAY_SECS, adj = 0;

    for (int i = 0; i < fx->n; i++)
        if (fx->e[i].wd == wd && fx->e[i].x_rel == x_rel && fx->e[i].shift == shift)
            return fx->e[i].adj;
    for (int64_t day = first; day <= last_day; day++)
        if (change_touches(c, day, lone->x, delta))
            adj += lone_day_secs(cal, day, lone, memo, c) - cal->day_secs[weekday(day)];
    slot = fx->n < MEMO_SIZE ? fx->n++ : fx->next++ % MEMO_SIZE;
    fx->e[slot].wd = wd;
    fx->e[slot].x_rel = x_rel;
    fx->e[slot].shift = shift;
    fx->e[slot].adj = adj;
    return adj;
}

/*
 * The answer when need business seconds are left at the start of day d's window. Walks from
 * event to event, an event being a holiday on a weekday with business time or a day that a
 * DST change touches (see change_touches): the plain days between hold their weekdays'
 * business time, counted whole weeks at a time, and the zone's changes are followed with
 * one cursor, p (the piece before the next change not yet passed).
 */
static int due_walk(const struct calendar *cal, struct conv *c, int64_t d, int64_t need,
                    int64_t *out_at, int32_t *out_off, struct acc_err *err)
{
    const struct calendar_tz *tz = cal->tz;
    int64_t last = day_max();
    size_t h = holiday_from(cal, d);
    struct tz_piece p = *piece(c, d * DAY_SECS - tz->max_delta), q;
    bool have_q = false;
    struct change_memo memo;
    struct effect_memo fx;

    memo.n = memo.next = 0;
    fx.n = fx.next = 0;
    for (;;) {
        /* no need to look past the day where plain days would hold need */
        int64_t horizon = d + 7 * (need / cal->week_secs + 1) + 1, e;
        enum { NONE, HOLIDAY, TOUCHED } kind = NONE;
        struct lone_change lone = {0};

        if (d > last)
            return range_fail(err, "the due instant");
        e = horizon < last + 1 ? horizon : last + 1;
        while (h < cal->n_holidays && cal->holidays[h] < d)
            h++;
        for (size_t k = h; k < cal->n_holidays && cal->holidays[k] < e; k++) {
            if (cal->day_secs[weekday(cal->holidays[k])] > 0) {
                e = cal->holidays[k];
                kind = HOLIDAY;
                break;
            }
        }
        while (p.hi < TZ_FAR_FUTURE && p.hi - tz->max_delta < (e + 1) * DAY_SECS) {
            int64_t delta, first, last_day, day;

            if (!have_q) {
                next_piece(tz, &p, &q);
                have_q = true;
            }
            delta = q.off > p.off ? q.off - p.off : p.off - q.off;
            first = ceil_day(p.hi - delta) - 1;
            last_day = ceil_day(p.hi + delta) - 1;
            lone.set = p.lo < p.hi - LONE_DAYS * DAY_SECS && q.hi > p.hi + LONE_DAYS * DAY_SECS;
            lone.x = p.hi;
            lone.before = p.off;
            lone.after = q.off;
            if (lone.set && first >= d && last_day < e &&
                !(h < cal->n_holidays && cal->holidays[h] <= last_day)) {
                /* a lone change on days without holidays: what it does to them is known */
                int64_t total = plain_secs(cal, d, last_day + 1 - d) +
                                change_effect(cal, c, first, last_day, &lone, delta, &fx, &memo);

                if (need > total || total == 0) { /* and the answer lies after them */
                    need -= total;
                    d = last_day + 1;
                    p = q;
                    have_q = false;
                    continue;
                }
            }
            for (day = first > d ? first : d; day <= last_day && day < e; day++)
                if (change_touches(c, day, p.hi, delta))
                    break;
            if (day <= last_day && day < e) {
                e = day;
                kind = TOUCHED;
                c->p[0] = q; /* the day's lookups fall on both sides of the change */
                c->p[1] = p;
                break;
            }
            if (last_day >= e) /* it may touch e or a later day: looked at again from there */
                break;
            p = q;
            have_q = false;
        }
        if (e > d) { /* the plain days d .. e-1 */
            int64_t total = plain_secs(cal, d, e - d), weeks;

            if (need > total || total == 0) {
                need -= total;
                d = e;
            } else {
                /* it ends in them (need <= total, so within their whole weeks and days):
                 * skip whole weeks, then days, then find the instant in the day */
                weeks = need > 0 ? (need - 1) / cal->week_secs : 0;
                d += 7 * weeks;
                need -= weeks * cal->week_secs;
                while (cal->day_secs[weekday(d)] == 0 || need > cal->day_secs[weekday(d)]) {
                    need -= cal->day_secs[weekday(d)];
                    d++;
                }
                if (in_day(cal, c, d, TZ_FAR_PAST, &need, out_at, out_off))
                    return 0;
                d++;
                continue;
            }
        }
        if (kind == NONE || d > last)
            continue;
        if (kind == HOLIDAY || is_holiday(cal, d)) {
            d++;
            continue;
        }
        if (lone.set) {
            int64_t day_secs = lone_day_secs(cal, d, &lone, &memo, c);

            if (need > day_secs || day_secs == 0) {
                need -= day_secs;
                d++;
                continue;
            }
        }
        if (in_day(cal, c, d, TZ_FAR_PAST, &need, out_at, out_off))
            return 0;
        d++;
    }
}

/*
 * calendar_due() from start_at, whose window is that of day d, with c set up for cal. When
 * out_off is not NULL, *out_off is the UTC offset in force at the answer.
 */
static int due(const struct calendar *cal, struct conv *c, int64_t start_at, int64_t d,
               int64_t secs, int64_t *out_at, int32_t *out_off, struct acc_err *err)
{
    if (d > day_max())
        return range_fail(err, "the due instant");
    if (in_day(cal, c, d, start_at, &secs, out_at, out_off))
        return 0;
    /* most answers of a week or less come within days: those are read one by one first */
    for (int k = 0; k < NEAR_DAYS && secs <= cal->week_secs; k++) {
        if (++d > day_max())
            return range_fail(err, "the due instant");
        if (in_day(cal, c, d, TZ_FAR_PAST, &secs, out_at, out_off))
            return 0;
    }
    return due_walk(cal, c, d + 1, secs, out_at, out_off, err);
}

/* How due_plain() reads a day's wall times: with one offset, or two either side of a change. */
struct day_read {
    int64_t x;             /* the change's local boundary; TZ_FAR_FUTURE: none */
    int32_t before, after; /* the offsets either side of it (both the one offset when none) */
};

/*
 * How day d (at local base) is read when no change comes near the wall times it reads
 * (one_offset), or when the one change that does touches none of its intervals
 * (change_touches): each of them is then read with the offset of its side, and keeps its
 * length. False for any other day (in_day() reads it).
 */
static bool read_day(struct conv *c, int64_t d, int64_t base, struct day_read *r)
{
    int64_t lo = base + c->reach_lo, hi = base + c->reach_hi + c->tz->max_delta; /* offset_in */
    struct tz_piece p = *piece(c, base), q;

    if (lo >= p.lo && hi < p.hi) {
        r->x = TZ_FAR_FUTURE;
        r->before = r->after = p.off;
        return true;
    }
    if (lo < p.lo) { /* the change that p starts with */
        if (hi >= p.hi)
            return false;
        q = *piece(c, p.lo - 1);
        if (lo < q.lo)
            return false;
        r->x = p.lo;
        r->before = q.off;
        r->after = p.off;
    } else { /* the change that ends p */
        q = *piece(c, p.hi);
        if (hi >= q.hi)
            return false;
        r->x = p.hi;
        r->before = p.off;
        r->after = q.off;
    }
    return !change_touches(c, d, r->x,
                           r->after > r->before ? r->after - r->before : r->before - r->after);
}

/*
 * The first day of those from d on that read_day() takes with the one offset of d's piece,
 * up to which whole weeks may be counted at once.
 */
static int64_t plain_end(struct conv *c, int64_t d)
{
    const struct tz_piece *p = piece(c, d * DAY_SECS);
    int64_t end;

    if (p->hi >= TZ_FAR_FUTURE / 2)
        return day_max() + 1;
    end = floor_day(p->hi - c->reach_hi - c->tz->max_delta - 1) + 1;
    return end < day_max() + 1 ? end : day_max() + 1;
}

/*
 * due() over the days that read_day() takes, from start_at, in the window of day *d_io: there
 * business time is the wall clock's, each interval read with the offset of its side of a
 * change, counted here directly, a whole day or whole weeks (up to the next holiday or change)
 * at a time where the answer is not in them. Returns true with the answer and the UTC offset in
 * force at it, or false with *d_io and *need_io moved to the first day it did not take (the
 * start of its window is where due() goes on).
 */
static bool due_plain(const struct calendar *cal, struct conv *c, int64_t start_at, int64_t *d_io,
                      int64_t *need_io, int64_t *out_at, int32_t *out_off)
{
    int64_t d = *d_io, need = *need_io, base = d * DAY_SECS, from = start_at;
    size_t h = holiday_from(cal, d);
    int wd = weekday(d);

    for (; d <= day_max(); d++, base += DAY_SECS, from = TZ_FAR_PAST, wd = wd == 6 ? 0 : wd + 1) {
        const struct calendar_interval *iv;
        struct day_read r;
        int n;

        if (h < cal->n_holidays && cal->holidays[h] == d) {
            h++;
            continue;
        }
        if (!read_day(c, d, base, &r))
            break;
        if (r.x != TZ_FAR_FUTURE) { /* by a DST change: due_walk() crosses them faster */
            derived(c);
            if (need > cal->week_secs)
                break;
        }
        if (from == TZ_FAR_PAST && need > c->own_total) /* maybe more than a week: */
            derived(c);
        if (from == TZ_FAR_PAST && !c->lazy && r.x == TZ_FAR_FUTURE &&
            need > cal->week_secs) { /* whole weeks, no holidays */
            int64_t h_next = h < cal->n_holidays ? cal->holidays[h] : INT64_MAX / 4;
            int64_t end = plain_end(c, d), weeks = (need - 1) / cal->week_secs;
            int64_t room = ((h_next < end ? h_next : end) - d) / 7;

            weeks = weeks < room ? weeks : room;
            if (weeks > 0) {
                d += 7 * weeks - 1; /* the loop moves on to the same weekday */
                base += (7 * weeks - 1) * DAY_SECS;
                wd = wd == 0 ? 6 : wd - 1;
                need -= weeks * cal->week_secs;
                continue;
            }
        }
        if (from == TZ_FAR_PAST && !c->lazy && need > cal->day_secs[wd]) { /* all of the day */
            need -= cal->day_secs[wd];
            continue;
        }
        iv = wall_runs(c, wd, &n);
        for (int i = 0; i < n; i++) {
            int32_t off = base + iv[i].open_secs < r.x ? r.before : r.after;
            int64_t lo = base + iv[i].open_secs - off, hi = base + iv[i].close_secs - off;

            if (hi <= from)
                continue;
            lo = lo > from ? lo : from;
            if (need <= hi - lo) {
                *out_at = lo + need;
                *out_off = off;
                return true;
            }
            need -= hi - lo;
        }
    }
    *d_io = d;
    *need_io = need;
    return false;
}

int calendar_due(const struct calendar *cal, int64_t start_at, int64_t secs, int64_t *out_at,
                 struct acc_err *err)
{
    struct conv c;

    if (secs < 0)
        return acc_fail(err, ACC_EINVAL, "/minutes", "business time must not be negative");
    if (!at_supported(start_at))
        return range_fail(err, "the start");
    if (cal->week_secs == 0)
        return acc_fail(err, ACC_ENOTFOUND, "/hours", "the calendar has no opening hours");
    conv_init(&c, cal, week_nights(&cal->week));
    return due(cal, &c, start_at, window_day(cal, start_at, &c), secs, out_at, NULL, err);
}

/*
 * The usual interval "HH:MM-HH:MM" at s (11 bytes) by the rules of parse_day() for a day's
 * first one: its open and close in minutes (the close past the open, maybe on the next
 * day). False for anything else.
 */
static bool interval_quick(const char *s, int *open, int *close)
{
    int sh, sm, eh, em;

    if (!hhmm_pair(s, &sh, &sm, &eh, &em) || sh > 23 || sm > 59 || eh > 24 || em > 59 ||
        (eh == 24 && em > 0))
        return false;
    *open = sh * 60 + sm;
    *close = eh * 60 + em;
    *close += *close <= *open ? 1440 : 0; /* an end at or before its start is on the next day */
    return true;
}

/*
 * week_parse() of hours s[0..len) in their usual forms, read in one pass: seven entries,
 * each "-", one interval or several joined by '+', all well-formed. The same week and own[],
 * and *wb; false for anything else (week_parse() then reads it and says what is wrong). s has
 * 16 readable bytes past len.
 */
static bool week_quick(const char *s, size_t len, struct calendar_week *w, int32_t own[7],
                       struct week_bounds *wb)
{
    const char *p = s, *end = s + len, *last = NULL; /* the last entry with hours */
    size_t last_len = 0;
    int last_day = 0, a = 0, b = 0; /* a, b: the last interval parsed */

    wb->nights = 0;
    wb->open_min = DAY_SECS;
    wb->close_max = 0;
    for (int day = 0; day < 7; day++) {
        if (day > 0 && (p >= end || *p++ != ','))
            return false;
        if (p[0] == '-' && (p + 1 == end || p[1] == ',')) { /* closed */
            w->day[day].n = 0;
            own[day] = 0;
            p++;
            continue;
        }
        /* weekdays often repeat: an entry as the last one with hours is not parsed again */
        if (last && (size_t)(end - p) >= last_len && (p + last_len == end || p[last_len] == ',') &&
            same_text(p, last, last_len)) {
            /* one interval is set from a and b: copying w->day[last_day], just stored field
             * by field, would wait for those stores to complete */
            if (last_len == 11) {
                w->day[day].n = 1;
                w->day[day].iv[0].open_secs = a * 60;
                w->day[day].iv[0].close_secs = b * 60;
            } else {
                w->day[day] = w->day[last_day];
            }
            own[day] = own[last_day];
            wb->nights |= (wb->nights >> last_day & 1u) << day;
            p += last_len;
            continue;
        }
        last = p;
        last_day = day;
        if (end - p >= 11 && (p + 11 == end || p[11] == ',')) { /* one interval */
            if (!interval_quick(p, &a, &b))
                return false;
            w->day[day].n = 1;
            w->day[day].iv[0].open_secs = a * 60;
            w->day[day].iv[0].close_secs = b * 60;
            own[day] = ((b < 1440 ? b : 1440) - a) * 60;
            p += 11;
        } else if (!day_fast(&p, end, w, day, &own[day]) || w->day[day].n == 0) {
            return false;
        }
        last_len = (size_t)(p - last);
        week_bounds_add(wb, w, day);
    }
    return p == end;
}

/*
 * calendar_holidays_parse() of s[0..len) in its usual forms: "-" or well-formed dates
 * joined by ',', at most CALENDAR_MAX_HOLIDAYS of them. The same days; false for anything
 * else (calendar_holidays_parse() then reads it and says what is wrong).
 */
static bool holidays_quick(const char *s, size_t len, int32_t *days, size_t *n)
{
    size_t count = (len + 1) / 11;

    if (len == 1 && s[0] == '-') {
        *n = 0;
        return true;
    }
    if (len == 0 || (len + 1) % 11 != 0 || count > CALENDAR_MAX_HOLIDAYS)
        return false;
    for (size_t i = 0; i < count; i++)
        if (!date_at10(s + 11 * i, &days[i]) || (i + 1 < count && s[11 * i + 10] != ','))
            return false;
    *n = count;
    return true;
}

/* calendar_due_local(): calendar_due() from wall time local_start, with c set up for cal. */
static int due_local(const struct calendar *cal, struct conv *c, int64_t local_start, int64_t secs,
                     int64_t *out_at, int32_t *out_off, struct acc_err *err)
{
    int64_t start_at = to_utc(c, local_start), d, d_plain;

    if (secs < 0)
        return acc_fail(err, ACC_EINVAL, "/minutes", "business time must not be negative");
    if (!at_supported(start_at))
        return range_fail(err, "the start");
    if (c->lazy ? c->own_total == 0 : cal->week_secs == 0)
        return acc_fail(err, ACC_ENOTFOUND, "/hours", "the calendar has no opening hours");
    /* the window of the start's wall-clock day, or one next to it for a time in a DST gap or
     * overlap (see window_day) */
    d = floor_day(local_start);
    while (to_utc(c, (d + 1) * DAY_SECS) <= start_at)
        d++;
    while (to_utc(c, d * DAY_SECS) > start_at)
        d--;
    /* due_plain() as far as it goes; a day it leaves (touched by a DST change) is read
     * whole by in_day(), and due_plain() goes on after it, unless more than a week is left:
     * due() walks that far faster */
    for (;;) {
        d_plain = d;
        if (due_plain(cal, c, start_at, &d_plain, &secs, out_at, out_off))
            return 0;
        if (d_plain != d)
            start_at = to_utc(c, d_plain * DAY_SECS);
        d = d_plain;
        derived(c);
        if (d > day_max() || secs > cal->week_secs)
            break;
        if (in_day(cal, c, d, start_at, &secs, out_at, out_off))
            return 0;
        start_at = TZ_FAR_PAST;
        d++;
    }
    return due(cal, c, start_at, d, secs, out_at, out_off, err);
}

/*
 * The engine's tables for a week just parsed (cal->reach is left alone: the engine works it
 * out): bounds of the weekdays' reach from wb, and in a week without nights day_secs are
 * own[]; otherwise they are worked out when first needed (derived), as many answers need
 * none.
 */
static void batch_derive(struct conv *c, struct calendar *cal, const int32_t own[7],
                         const struct week_bounds *wb)
{
    int32_t margin = cal->tz->max_delta;

    /* what reach_fill() can take from days -2 .. +1, at most */
    c->reach_lo = 0;
    c->reach_hi = wb->close_max > DAY_SECS ? wb->close_max : DAY_SECS;
    if (wb->close_max > DAY_SECS - margin)
        c->reach_lo = wb->open_min - DAY_SECS;
    if (wb->close_max > 2 * DAY_SECS - margin)
        c->reach_lo = wb->open_min - 2 * DAY_SECS;
    if (wb->open_min < margin)
        c->reach_hi = wb->close_max + DAY_SECS;
    if (wb->nights) {
        c->lazy = cal;
        c->own_total = 0;
        for (int d = 0; d < 7; d++) {
            c->own[d] = own[d];
            c->own_total += own[d];
        }
        return;
    }
    cal->week_secs = 0;
    for (int d = 0; d < 7; d++) {
        cal->day_secs[d] = own[d];
        cal->week_secs += own[d];
    }
}

/* What calendar_batch_due() works in: a calendar, its holidays and the engine's state. */
struct calendar_batch {
    struct calendar cal;
    struct conv c;
    int32_t days[CALENDAR_MAX_HOLIDAYS];
    struct piece_memo memo[1 << PIECE_MEMO_BITS];
};

/*
 * Reads the text of calendar_batch_due() into b->cal.week, own[], *wb, b->days[0..*n) and
 * *local_start when it has its usual forms; false for anything else.
 */
static bool batch_parse(struct calendar_batch *b, const char *hours, size_t hours_len,
                        const char *holidays, size_t holidays_len, const char *start,
                        int32_t own[7], struct week_bounds *wb, size_t *n, int64_t *local_start)
{
    return week_quick(hours, hours_len, &b->cal.week, own, wb) &&
           holidays_quick(holidays, holidays_len, b->days, n) && local16(start, local_start);
}

struct calendar_batch *calendar_batch_new(void)
{
    return xcalloc(1, sizeof(struct calendar_batch));
}

void calendar_batch_free(struct calendar_batch *b)
{
    free(b);
}

int calendar_batch_due(struct calendar_batch *b, const struct calendar_tz *tz, const char *hours,
                       size_t hours_len, const char *holidays, size_t holidays_len,
                       const char *start, int64_t secs, int64_t *out_at, int32_t *out_off,
                       struct acc_err *err)
{
    struct calendar *cal = &b->cal;
    struct conv *c = &b->c;
    int32_t own[7];
    struct week_bounds wb;
    int64_t local_start;
    size_t n = 0;

    if (!batch_parse(b, hours, hours_len, holidays, holidays_len, start, own, &wb, &n,
                     &local_start))
        return acc_fail(err, ACC_EINVAL, "", "%s", ""); /* calendar_parse() says what */
    /* the parsers only build valid weeks, and holidays within the years */
    cal->tz = tz;
    cal->holidays = b->days;
    cal->n_holidays = holidays_normalise(b->days, n);
    conv_init(c, cal, wb.nights);
    c->memo = b->memo;
    batch_derive(c, cal, own, &wb);
    return due_local(cal, c, local_start, secs, out_at, out_off, err);
}

int calendar_business_secs(const struct calendar *cal, int64_t from_at, int64_t to_at,
                           int64_t *out_secs, struct acc_err *err)
{
    struct run runs[MAX_RUNS];
    struct conv c;
    struct lone_change lone = {0};
    struct change_memo memo;
    int64_t sum = 0, d, d_first, d_end;

    memo.n = memo.next = 0;
    if (to_at <= from_at) {
        *out_secs = 0;
        return 0;
    }
    if (!at_supported(from_at) || !at_supported(to_at))
        return range_fail(err, "an instant");
    conv_init(&c, cal, week_nights(&cal->week));
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
    conv_init(&c, cal, week_nights(&cal->week));
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
