/* calendar_test.c: table-driven tests of zones, weekly hours, holidays and due-instant arithmetic.
 */
#include "base/acc.h"
#include "calendar/calendar.h"
#include "t.h"

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#define W9_18     "09:00-18:00,09:00-18:00,09:00-18:00,09:00-18:00,09:00-18:00,-,-"
#define B9_17     "09:00-17:00,09:00-17:00,09:00-17:00,09:00-17:00,09:00-17:00,-,-"
#define LUNCH_DAY "09:00-12:00+13:00-17:00"
#define LUNCH     LUNCH_DAY "," LUNCH_DAY "," LUNCH_DAY "," LUNCH_DAY "," LUNCH_DAY ",-,-"
#define ALL_DAY   "00:00-24:00"
#define ALL       ALL_DAY "," ALL_DAY "," ALL_DAY "," ALL_DAY "," ALL_DAY "," ALL_DAY "," ALL_DAY
#define NIGHTS    "22:00-06:00,22:00-06:00,22:00-06:00,22:00-06:00,22:00-06:00,-,-"

/* One case in the line format of `accord calendar due`; want is printed with --offset. */
struct due_row {
    const char *tz, *hours, *holidays, *start;
    int64_t add_minutes;
    const char *want;
};

/* The canonical cases of ../shared/oracles (gen-cases.pl), answers of `bh-oracle.pl --spec`. */
static const struct due_row canonical_rows[] = {
    {"America/New_York", W9_18, "-", "2024-06-03T07:00", 60, "2024-06-03T10:00-04:00"},
    {"America/New_York", W9_18, "-", "2024-06-03T19:00", 60, "2024-06-04T10:00-04:00"},
    {"America/New_York", W9_18, "-", "2024-06-01T12:00", 60, "2024-06-03T10:00-04:00"},
    {"America/New_York", W9_18, "2024-06-03", "2024-06-03T12:00", 60, "2024-06-04T10:00-04:00"},
    {"America/New_York", W9_18, "-", "2024-06-03T17:00", 60, "2024-06-03T18:00-04:00"},
    {"America/New_York", W9_18, "-", "2024-06-07T17:30", 30, "2024-06-07T18:00-04:00"},
    {"Europe/Berlin", "09:00-12:00+13:00-18:00,-,-,-,-,-,-", "-", "2024-06-03T11:00", 60,
     "2024-06-03T12:00+02:00"},
    {"America/New_York", W9_18, "-", "2024-06-03T12:00", 0, "2024-06-03T12:00-04:00"},
    {"America/New_York", W9_18, "-", "2024-06-03T09:00", 0, "2024-06-03T09:00-04:00"},
    {"America/New_York", W9_18, "-", "2024-06-03T18:00", 0, "2024-06-04T09:00-04:00"},
    {"America/New_York", W9_18, "-", "2024-06-03T06:00", 0, "2024-06-03T09:00-04:00"},
    {"America/New_York", "-,-,-,-,-,-,01:00-04:00", "-", "2024-03-10T00:00", 120,
     "2024-03-10T04:00-04:00"},
    {"America/New_York", "-,-,-,-,-,-,01:00-04:00", "-", "2024-11-03T00:00", 180,
     "2024-11-03T03:00-05:00"},
    {"America/New_York", "-,-,-,-,-,-,01:00-04:00", "-", "2024-11-03T00:00", 240,
     "2024-11-03T04:00-05:00"},
    {"America/New_York", "-,-,-,-,-,-,02:30-05:00", "-", "2024-03-10T00:00", 0,
     "2024-03-10T03:30-04:00"},
    {"America/New_York", "-,-,-,-,-,-,02:30-05:00", "-", "2024-03-10T02:40", 0,
     "2024-03-10T03:40-04:00"},
    {"Europe/Berlin", "-,-,-,-,-,-,00:00-02:30", "-", "2024-10-27T00:00", 170,
     "2024-11-03T00:20+01:00"},
    {"Europe/Berlin", "-,-,-,-,-,-,00:00-03:30", "-", "2024-10-27T00:00", 240,
     "2024-10-27T03:00+01:00"},
    {"Australia/Sydney", "-,-,-,-,-,00:00-24:00,-", "-", "2024-04-06T23:00", 90,
     "2024-04-13T00:30+10:00"},
    {"Australia/Lord_Howe", "-,-,-,-,-,-,00:00-02:00", "-", "2024-04-07T00:00", 120,
     "2024-04-07T01:30+10:30"},
    {"Asia/Kolkata", W9_18, "2024-08-15", "2024-08-14T17:15", 90, "2024-08-16T09:45+05:30"},
    {"America/New_York", ALL, "2024-06-04", "2024-06-03T23:00", 60, "2024-06-04T00:00-04:00"},
    {"America/New_York", ALL, "2024-11-03", "2024-11-03T12:00", 0, "2024-11-04T00:00-05:00"},
    {"America/New_York", ALL, "2024-03-10", "2024-03-10T12:00", 0, "2024-03-11T00:00-04:00"},
    {"America/Havana", ALL, "2024-03-09", "2024-03-08T22:00", 180, "2024-03-10T02:00-04:00"},
    {"America/New_York", "22:00-06:00,-,-,-,-,-,-", "-", "2024-06-04T02:00", 60,
     "2024-06-04T03:00-04:00"},
    {"America/New_York", "22:00-06:00,-,-,-,-,-,-", "2024-06-03", "2024-06-03T21:00", 0,
     "2024-06-04T00:00-04:00"},
    {"America/New_York", "-,-,-,-,-,22:00-06:00,-", "-", "2024-06-09T02:00", 0,
     "2024-06-09T02:00-04:00"},
    {"America/New_York", "09:00-10:00,-,-,-,-,-,-", "-", "2024-06-03T09:00", 300,
     "2024-07-01T10:00-04:00"},
};

/* One or more cases for every rule; every answer was checked with `bh-oracle.pl --spec`. */
static const struct due_row rule_rows[] = {
    /* weekends */
    {"America/New_York", W9_18, "-", "2024-06-07T17:00", 120, "2024-06-10T10:00-04:00"},
    {"Europe/Berlin", B9_17, "-", "2024-06-08T10:00", 0, "2024-06-10T09:00+02:00"},
    {"Europe/Berlin", B9_17, "-", "2024-06-09T23:59", 1, "2024-06-10T09:01+02:00"},
    {"Europe/Berlin", B9_17, "-", "2024-06-07T16:59", 2, "2024-06-10T09:01+02:00"},
    /* lunch breaks */
    {"Europe/Berlin", LUNCH, "-", "2024-06-03T11:30", 30, "2024-06-03T12:00+02:00"},
    {"Europe/Berlin", LUNCH, "-", "2024-06-03T11:30", 31, "2024-06-03T13:01+02:00"},
    {"Europe/Berlin", LUNCH, "-", "2024-06-03T12:30", 0, "2024-06-03T13:00+02:00"},
    {"Europe/Berlin", LUNCH, "-", "2024-06-03T12:00", 0, "2024-06-03T13:00+02:00"},
    {"Europe/Berlin", LUNCH, "-", "2024-06-03T13:00", 0, "2024-06-03T13:00+02:00"},
    {"Europe/Berlin", LUNCH, "-", "2024-06-03T12:30", 240, "2024-06-03T17:00+02:00"},
    {"Europe/Berlin", "08:00-10:00+10:00-12:00,-,-,-,-,-,-", "-", "2024-06-03T09:00", 120,
     "2024-06-03T11:00+02:00"},
    {"Europe/Berlin", "08:00-10:00+10:30-12:00+13:00-14:00,-,-,-,-,-,-", "-", "2024-06-03T09:00",
     150, "2024-06-03T12:00+02:00"},
    /* nights past midnight */
    {"America/New_York", NIGHTS, "-", "2024-06-03T23:00", 420, "2024-06-04T06:00-04:00"},
    {"America/New_York", NIGHTS, "-", "2024-06-07T23:00", 480, "2024-06-10T23:00-04:00"},
    {"America/New_York", "-,-,-,-,-,22:00-06:00,-", "-", "2024-06-09T02:00", 0,
     "2024-06-09T02:00-04:00"},
    {"America/New_York", "-,-,-,-,-,22:00-06:00,-", "-", "2024-06-09T02:00", 240,
     "2024-06-09T06:00-04:00"},
    {"America/New_York", "-,-,-,-,-,22:00-06:00,-", "-", "2024-06-09T02:00", 241,
     "2024-06-15T22:01-04:00"},
    {"America/New_York", "22:00-23:00+01:00-03:00,-,-,-,-,-,-", "-", "2024-06-03T22:30", 60,
     "2024-06-04T01:30-04:00"},
    {"America/New_York", "-,-,-,-,-,-,20:00-04:00", "-", "2024-06-10T03:00", 30,
     "2024-06-10T03:30-04:00"},
    /* holidays */
    {"Asia/Kolkata", W9_18, "2024-08-15", "2024-08-14T17:15", 90, "2024-08-16T09:45+05:30"},
    {"America/New_York", ALL, "2024-03-10", "2024-03-09T23:00", 120, "2024-03-11T01:00-04:00"},
    {"America/New_York", ALL, "2024-11-03", "2024-11-02T23:00", 120, "2024-11-04T01:00-05:00"},
    {"America/New_York", "22:00-06:00,-,-,-,-,-,-", "2024-06-04", "2024-06-03T23:00", 120,
     "2024-06-10T23:00-04:00"},
    {"America/New_York", "22:00-06:00,-,-,-,-,-,-", "2024-06-03", "2024-06-03T21:00", 0,
     "2024-06-04T00:00-04:00"},
    {"Europe/Berlin", B9_17, "2024-12-26,2024-12-25,2024-12-25", "2024-12-24T16:30", 60,
     "2024-12-27T09:30+01:00"},
    {"Europe/Berlin", B9_17, "2024-12-23,2024-12-24,2024-12-25,2024-12-26,2024-12-27",
     "2024-12-20T16:00", 120, "2024-12-30T10:00+01:00"},
    /* DST: New York */
    {"America/New_York", "-,-,-,-,-,-,01:00-04:00", "-", "2024-03-10T00:00", 120,
     "2024-03-10T04:00-04:00"},
    {"America/New_York", "-,-,-,-,-,-,01:00-04:00", "-", "2024-03-10T00:00", 121,
     "2024-03-17T01:01-04:00"},
    {"America/New_York", "-,-,-,-,-,-,01:00-04:00", "-", "2024-11-03T00:00", 180,
     "2024-11-03T03:00-05:00"},
    {"America/New_York", "-,-,-,-,-,-,01:00-04:00", "-", "2024-11-03T00:00", 240,
     "2024-11-03T04:00-05:00"},
    {"America/New_York", "-,-,-,-,-,-,02:30-05:00", "-", "2024-03-10T00:00", 0,
     "2024-03-10T03:30-04:00"},
    {"America/New_York", "-,-,-,-,-,-,02:30-05:00", "-", "2024-03-10T02:40", 0,
     "2024-03-10T03:40-04:00"},
    {"America/New_York", "-,-,-,-,-,-,02:00-03:00", "-", "2024-03-10T00:00", 1,
     "2024-03-17T02:01-04:00"},
    {"America/New_York", ALL, "-", "2024-11-03T01:30", 60, "2024-11-03T01:30-05:00"},
    {"America/New_York", ALL, "-", "2024-11-02T12:00", 1440, "2024-11-03T11:00-05:00"},
    {"America/New_York", ALL, "-", "2024-03-09T12:00", 1440, "2024-03-10T13:00-04:00"},
    /* DST: Berlin */
    {"Europe/Berlin", "-,-,-,-,-,-,00:00-02:30", "-", "2024-10-27T00:00", 170,
     "2024-11-03T00:20+01:00"},
    {"Europe/Berlin", "-,-,-,-,-,-,00:00-03:30", "-", "2024-10-27T00:00", 240,
     "2024-10-27T03:00+01:00"},
    {"Europe/Berlin", "-,-,-,-,-,-,01:00-04:00", "-", "2024-03-31T00:00", 120,
     "2024-03-31T04:00+02:00"},
    {"Europe/Berlin", "-,-,-,-,-,-,01:00-04:00", "-", "2024-03-31T00:00", 121,
     "2024-04-07T01:01+02:00"},
    {"Europe/Berlin", "-,-,-,-,-,22:00-03:00,-", "-", "2024-10-26T22:00", 300,
     "2024-10-27T02:00+01:00"},
    /* DST: Sydney */
    {"Australia/Sydney", "-,-,-,-,-,00:00-24:00,-", "-", "2024-04-06T23:00", 90,
     "2024-04-13T00:30+10:00"},
    {"Australia/Sydney", "-,-,-,-,-,-,00:00-24:00", "-", "2024-04-07T00:00", 1500,
     "2024-04-08T00:00+10:00"},
    {"Australia/Sydney", "-,-,-,-,-,-,00:00-24:00", "-", "2024-10-06T00:00", 1380,
     "2024-10-07T00:00+11:00"},
    {"Australia/Sydney", "-,-,-,-,-,-,00:00-24:00", "-", "2024-10-06T00:00", 1381,
     "2024-10-13T00:01+11:00"},
    /* DST: Lord Howe (30 minutes) */
    {"Australia/Lord_Howe", "-,-,-,-,-,-,00:00-02:00", "-", "2024-04-07T00:00", 120,
     "2024-04-07T01:30+10:30"},
    {"Australia/Lord_Howe", "-,-,-,-,-,-,01:00-04:00", "-", "2024-10-06T00:00", 150,
     "2024-10-06T04:00+11:00"},
    {"Australia/Lord_Howe", "-,-,-,-,-,-,01:00-04:00", "-", "2024-10-06T00:00", 90,
     "2024-10-06T03:00+11:00"},
    {"Australia/Lord_Howe", "-,-,-,-,-,-,01:45-02:15", "-", "2024-04-07T00:00", 60,
     "2024-04-07T02:15+10:30"},
    /* DST: Havana (change at midnight) */
    {"America/Havana", ALL, "2024-03-09", "2024-03-08T22:00", 180, "2024-03-10T02:00-04:00"},
    {"America/Havana", ALL, "-", "2024-03-09T23:30", 60, "2024-03-10T01:30-04:00"},
    {"America/Havana", "-,-,-,-,-,-,00:00-02:00", "-", "2024-11-03T00:00", 180,
     "2024-11-03T02:00-05:00"},
    {"America/Havana", "-,-,-,-,-,-,00:00-02:00", "2024-11-02", "2024-11-02T12:00", 0,
     "2024-11-03T00:00-04:00"},
    /* 24x7 */
    {"Asia/Kolkata", ALL, "-", "2024-06-03T10:17", 10080, "2024-06-10T10:17+05:30"},
    {"America/New_York", ALL, "2024-06-04", "2024-06-03T23:00", 60, "2024-06-04T00:00-04:00"},
    /* sparse weeks */
    {"Europe/Berlin", "-,-,10:00-11:00,-,-,-,-", "-", "2024-06-03T00:00", 60,
     "2024-06-05T11:00+02:00"},
    {"Europe/Berlin", "-,-,10:00-11:00,-,-,-,-", "-", "2024-06-03T00:00", 61,
     "2024-06-12T10:01+02:00"},
    {"Europe/Berlin", "-,-,10:00-11:00,-,-,-,-", "2024-06-12", "2024-06-03T00:00", 600,
     "2024-08-14T11:00+02:00"},
    {"America/New_York", "09:00-10:00,-,-,-,-,-,-", "-", "2024-06-03T09:00", 300,
     "2024-07-01T10:00-04:00"},
    /* ADD=0 and the closing rule */
    {"America/New_York", W9_18, "-", "2024-06-03T17:00", 60, "2024-06-03T18:00-04:00"},
    {"America/New_York", W9_18, "-", "2024-06-07T17:30", 30, "2024-06-07T18:00-04:00"},
    {"America/New_York", W9_18, "-", "2024-06-03T18:00", 0, "2024-06-04T09:00-04:00"},
    {"America/New_York", W9_18, "-", "2024-06-03T17:59", 0, "2024-06-03T17:59-04:00"},
    {"America/New_York", W9_18, "-", "2024-06-03T17:59", 1, "2024-06-03T18:00-04:00"},
    {"America/New_York", W9_18, "-", "2024-06-03T17:59", 2, "2024-06-04T09:01-04:00"},
    {"America/New_York", W9_18, "-", "2024-06-03T09:00", 540, "2024-06-03T18:00-04:00"},
    /* a year of business minutes */
    {"UTC", ALL, "-", "2024-01-01T00:00", 525600, "2024-12-31T00:00+00:00"},
    {"America/New_York", ALL, "-", "2024-01-01T00:00", 525600, "2024-12-31T00:00-05:00"},
    {"Europe/Berlin", LUNCH, "2024-12-25,2025-01-01,2025-12-25,2026-04-03", "2024-06-03T10:00",
     525600, "2029-03-26T14:00+02:00"},
    {"Australia/Lord_Howe", NIGHTS, "2025-01-01", "2024-06-03T10:00", 525600,
     "2028-08-15T06:00+10:30"},
};

static struct calendar_zones *zones;

static const struct calendar_tz *zone(const char *name)
{
    const struct calendar_tz *tz = NULL;
    struct acc_err err;

    if (calendar_zones_get(zones, name, &tz, &err) != 0) {
        fprintf(stderr, "cannot load zone %s: %s\n", name, err.msg);
        exit(1);
    }
    return tz;
}

/* Instant of local wall time s ("YYYY-MM-DDTHH:MM[:SS]") in zone name. */
static int64_t at(const char *name, const char *s)
{
    int64_t local = 0;

    if (calendar_local_parse(s, &local) != 0) {
        fprintf(stderr, "bad local time in test: %s\n", s);
        exit(1);
    }
    return calendar_tz_to_utc(zone(name), local);
}

static const char *fmt(const char *name, int64_t t, char out[32])
{
    calendar_local_format(zone(name), t, true, out);
    return out;
}

/* Answers a row the way `accord calendar due --batch --offset` does, into out. */
static const char *answer(const struct due_row *r, char out[200])
{
    struct calendar cal;
    struct acc_err err;
    int64_t due;
    int rc;

    if (calendar_parse(&cal, zone(r->tz), r->hours, r->holidays, &err) != 0) {
        snprintf(out, 200, "ERROR: %s", err.msg);
        return out;
    }
    rc = calendar_due(&cal, at(r->tz, r->start), r->add_minutes * 60, &due, &err);
    if (rc == ACC_ENOTFOUND)
        snprintf(out, 200, "NONE");
    else if (rc)
        snprintf(out, 200, "ERROR: %s", err.msg);
    else
        calendar_local_format(cal.tz, due, true, out);
    calendar_release(&cal);
    return out;
}

static void check_rows(const struct due_row *rows, size_t n)
{
    char got[200];

    for (size_t i = 0; i < n; i++) {
        const struct due_row *r = &rows[i];

        answer(r, got);
        if (strcmp(got, r->want) != 0)
            fprintf(stderr, "  case %zu: TZ=%s HOURS=%s HOLIDAYS=%s START=%s ADD=%lld\n", i, r->tz,
                    r->hours, r->holidays, r->start, (long long)r->add_minutes);
        T_EQ_STR(got, r->want);
    }
}

static void test_canonical_spec_cases(void)
{
    check_rows(canonical_rows, ACC_ARRAY_LEN(canonical_rows));
}

static void test_rule_cases(void)
{
    check_rows(rule_rows, ACC_ARRAY_LEN(rule_rows));
}

/*
 * calendar_batch_due() of hours, holidays and start (16 bytes) as they lie in a case line:
 * each followed by more text, not by a NUL. Returns its code; out gets the answer with its
 * offset, "NONE", or the message.
 */
static int batch_due(struct calendar_batch *b, const struct calendar_tz *tz, const char *hours,
                     const char *holidays, const char *start, int64_t secs, char out[200])
{
    char line[2400];
    size_t nh = strlen(hours), nd = strlen(holidays);
    struct acc_err err;
    int64_t due;
    int32_t off;
    int rc;

    T_OK(nh + nd + 60 < sizeof(line));
    snprintf(line, sizeof(line), "%s %s %.16s ADD=1 and more text to read past", hours, holidays,
             start);
    acc_err_clear(&err);
    rc = calendar_batch_due(b, tz, line, nh, line + nh + 1, nd, line + nh + 1 + nd + 1, secs, &due,
                            &off, &err);
    if (rc == ACC_ENOTFOUND)
        snprintf(out, 200, "NONE");
    else if (rc)
        snprintf(out, 200, "%s", err.msg);
    else
        calendar_local_format_off(due, off, true, out);
    return rc;
}

static void test_batch_rows(void)
{
    struct calendar_batch *b = calendar_batch_new();
    const struct due_row *sets[2] = {canonical_rows, rule_rows};
    size_t n[2] = {ACC_ARRAY_LEN(canonical_rows), ACC_ARRAY_LEN(rule_rows)};
    char got[200];

    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < n[k]; i++) {
            const struct due_row *r = &sets[k][i];

            T_EQ_INT(batch_due(b, zone(r->tz), r->hours, r->holidays, r->start, r->add_minutes * 60,
                               got),
                     0);
            T_EQ_STR(got, r->want);
        }
    }
    calendar_batch_free(b);
}

/* Text outside the usual forms, right or wrong, is left to calendar_parse(): no message. */
static void test_batch_declines(void)
{
    static const struct {
        const char *hours, *holidays, *start;
    } rows[] = {
        {W9_18 ",-", "-", "2024-06-03T10:00"},                            /* eight days */
        {"9:00-18:00,-,-,-,-,-,-", "-", "2024-06-03T10:00"},              /* one digit */
        {"09:00-18:00 ,-,-,-,-,-,-", "-", "2024-06-03T10:00"},            /* a space */
        {"09:00-12:00+11:00-13:00,-,-,-,-,-,-", "-", "2024-06-03T10:00"}, /* overlap */
        {"09:00-25:00,-,-,-,-,-,-", "-", "2024-06-03T10:00"},             /* bad time */
        {W9_18, "2024-02-30", "2024-06-03T10:00"},                        /* no such date */
        {W9_18, "2024-06-03,", "2024-06-03T10:00"},                       /* trailing comma */
        {W9_18, "-", "2024-06-03T24:00"},                                 /* bad start */
        {W9_18, "-", "0999-12-31T10:00"},                                 /* too early */
    };
    struct calendar_batch *b = calendar_batch_new();
    char got[200];

    for (size_t i = 0; i < ACC_ARRAY_LEN(rows); i++) {
        T_EQ_INT(batch_due(b, zone("Europe/Berlin"), rows[i].hours, rows[i].holidays, rows[i].start,
                           60, got),
                 ACC_EINVAL);
        T_EQ_STR(got, "");
    }
    T_EQ_INT(batch_due(b, zone("Europe/Berlin"), "-,-,-,-,-,-,-", "-", "2024-06-03T10:00", 60, got),
             ACC_ENOTFOUND);
    calendar_batch_free(b);
}

/* ------------------------------------------------------------------ zones */

static void test_zone_offsets(void)
{
    char buf[32];

    T_EQ_INT(calendar_tz_offset(zone("America/New_York"), at("UTC", "2024-06-01T12:00")),
             -4 * 3600);
    T_EQ_INT(calendar_tz_offset(zone("America/New_York"), at("UTC", "2024-01-01T12:00")),
             -5 * 3600);
    T_EQ_INT(calendar_tz_offset(zone("Asia/Kolkata"), at("UTC", "2024-01-01T12:00")), 19800);
    T_EQ_INT(calendar_tz_offset(zone("Australia/Lord_Howe"), at("UTC", "2024-06-01T12:00")), 37800);
    T_EQ_INT(calendar_tz_offset(zone("Australia/Lord_Howe"), at("UTC", "2024-01-01T12:00")), 39600);
    T_EQ_INT(calendar_tz_offset(zone("UTC"), at("UTC", "2024-01-01T12:00")), 0);
    /* before the first transition: local mean time */
    T_EQ_INT(calendar_tz_offset(zone("America/New_York"), at("UTC", "1800-01-01T00:00")), -17762);
    /* past the file's transitions the POSIX TZ footer rule holds, also past the table */
    T_EQ_INT(calendar_tz_offset(zone("America/New_York"), at("UTC", "2050-07-01T00:00")),
             -4 * 3600);
    T_EQ_INT(calendar_tz_offset(zone("America/New_York"), at("UTC", "2250-07-01T00:00")),
             -4 * 3600);
    T_EQ_INT(calendar_tz_offset(zone("America/New_York"), at("UTC", "2250-12-01T00:00")),
             -5 * 3600);
    T_EQ_INT(calendar_tz_offset(zone("Australia/Sydney"), at("UTC", "2500-01-15T00:00")),
             11 * 3600);
    T_EQ_INT(calendar_tz_offset(zone("Australia/Sydney"), at("UTC", "2500-07-15T00:00")),
             10 * 3600);
    /* 2250: second Sunday of March is the 10th; the change is at 07:00 UTC */
    T_EQ_INT(calendar_tz_offset(zone("America/New_York"), at("UTC", "2250-03-10T06:59:59")),
             -5 * 3600);
    T_EQ_INT(calendar_tz_offset(zone("America/New_York"), at("UTC", "2250-03-10T07:00")),
             -4 * 3600);
    T_EQ_STR(fmt("America/New_York", at("America/New_York", "2250-03-10T02:30"), buf),
             "2250-03-10T03:30-04:00");
    /* past the 400 years of rule changes in the table: the cycle repeats */
    T_EQ_INT(calendar_tz_offset(zone("America/New_York"), at("UTC", "2950-03-08T06:59:59")),
             -5 * 3600);
    T_EQ_INT(calendar_tz_offset(zone("America/New_York"), at("UTC", "2950-03-08T07:00")),
             -4 * 3600);
    T_EQ_INT(calendar_tz_offset(zone("America/New_York"), at("UTC", "9999-11-07T05:59:59")),
             -4 * 3600);
    T_EQ_INT(calendar_tz_offset(zone("America/New_York"), at("UTC", "9999-11-07T06:00")),
             -5 * 3600);
    T_EQ_STR(fmt("America/New_York", at("America/New_York", "9999-11-07T01:30"), buf),
             "9999-11-07T01:30-04:00");
    T_EQ_STR(fmt("America/New_York", at("America/New_York", "9999-03-14T02:30"), buf),
             "9999-03-14T03:30-04:00");
    T_EQ_STR(calendar_tz_name(zone("Europe/Berlin")), "Europe/Berlin");
}

static void test_zone_gap_and_overlap(void)
{
    char buf[32];

    /* gap: a wall time moves later by the gap's length */
    T_EQ_INT(at("America/New_York", "2024-03-10T02:30"), at("UTC", "2024-03-10T07:30"));
    T_EQ_STR(fmt("America/New_York", at("America/New_York", "2024-03-10T02:30"), buf),
             "2024-03-10T03:30-04:00");
    T_EQ_STR(fmt("Australia/Lord_Howe", at("Australia/Lord_Howe", "2024-10-06T02:10"), buf),
             "2024-10-06T02:40+11:00");
    T_EQ_STR(fmt("America/Havana", at("America/Havana", "2024-03-10T00:00"), buf),
             "2024-03-10T01:00-04:00");
    /* overlap: the first occurrence */
    T_EQ_INT(at("America/New_York", "2024-11-03T01:30"), at("UTC", "2024-11-03T05:30"));
    T_EQ_STR(fmt("America/New_York", at("UTC", "2024-11-03T06:30"), buf), "2024-11-03T01:30-05:00");
    T_EQ_STR(fmt("Europe/Berlin", at("Europe/Berlin", "2024-10-27T02:30"), buf),
             "2024-10-27T02:30+02:00");
    T_EQ_STR(fmt("Australia/Lord_Howe", at("Australia/Lord_Howe", "2024-04-07T01:45"), buf),
             "2024-04-07T01:45+11:00");
    T_EQ_STR(fmt("America/Havana", at("America/Havana", "2024-11-03T00:30"), buf),
             "2024-11-03T00:30-04:00");
    /* seconds are shown only when not zero */
    T_EQ_STR(fmt("UTC", at("UTC", "2024-01-01T10:00:07"), buf), "2024-01-01T10:00:07+00:00");
    calendar_local_format(zone("UTC"), at("UTC", "2024-01-01T10:00"), false, buf);
    T_EQ_STR(buf, "2024-01-01T10:00");
}

static void test_zone_bad_names(void)
{
    static const char *const bad[] = {"../etc/passwd",  "/etc/passwd",   "",    "Europe//Berlin",
                                      "Europe/Berlin/", "Europe/../UTC", "a b", "Europe/Berlin\n"};
    struct calendar_tz *tz = NULL;
    struct acc_err err;

    for (size_t i = 0; i < ACC_ARRAY_LEN(bad); i++) {
        acc_err_clear(&err);
        T_EQ_INT(calendar_tz_load(bad[i], &tz, &err), ACC_EINVAL);
        T_EQ_STR(err.field, "/zone");
        T_OK(strstr(err.msg, "bad time zone name") != NULL);
    }
    T_EQ_INT(calendar_tz_load("Mars/Olympus_Mons", &tz, &err), ACC_EINVAL);
    T_EQ_STR(err.msg, "unknown time zone 'Mars/Olympus_Mons'");
    T_EQ_INT(calendar_tz_load("Europe", &tz, &err), ACC_EINVAL); /* a directory */
    T_OK(calendar_tz_load("Europe/Berlin", &tz, &err) == 0);
    T_EQ_INT(calendar_tz_offset(tz, at("UTC", "2024-07-01T00:00")), 7200);
    calendar_tz_free(tz);
    calendar_tz_free(NULL);
}

/* ------------------------------------------------------------------ parsing */

static void test_week_parse_and_format(void)
{
    static const char *const ok[] = {W9_18,
                                     ALL,
                                     NIGHTS,
                                     "22:00-23:00+01:00-03:00,-,-,-,-,-,-",
                                     "08:00-10:00+10:00-12:00,-,-,-,-,-,10:00-24:00",
                                     "-,-,-,-,-,22:00-06:00,-",
                                     "00:00-00:00,-,-,-,-,-,-"};
    static const char *const back[] = {W9_18,
                                       ALL,
                                       NIGHTS,
                                       "22:00-23:00+01:00-03:00,-,-,-,-,-,-",
                                       "08:00-10:00+10:00-12:00,-,-,-,-,-,10:00-24:00",
                                       "-,-,-,-,-,22:00-06:00,-",
                                       "00:00-24:00,-,-,-,-,-,-"};
    struct calendar_week w;
    struct acc_err err;
    struct acc_buf b;

    acc_buf_init(&b);
    for (size_t i = 0; i < ACC_ARRAY_LEN(ok); i++) {
        T_EQ_INT(calendar_week_parse(ok[i], &w, &err), 0);
        acc_buf_reset(&b);
        calendar_week_format(&w, &b);
        T_EQ_STR(b.buf, back[i]);
    }
    acc_buf_release(&b);
    T_EQ_INT(calendar_week_parse("22:00-23:00+01:00-03:00,-,-,-,-,-,-", &w, &err), 0);
    T_EQ_INT(w.day[0].n, 2);
    T_EQ_INT(w.day[0].iv[1].open_secs, 25 * 3600);
    T_EQ_INT(w.day[0].iv[1].close_secs, 27 * 3600);
    T_EQ_INT(calendar_week_parse("00:00-00:00,-,-,-,-,-,-", &w, &err), 0);
    T_EQ_INT(w.day[0].iv[0].close_secs, 86400);
}

static void test_week_errors(void)
{
    static const struct {
        const char *hours, *field, *msg;
    } rows[] = {
        {"09:00-12:00+11:00-13:00,-,-,-,-,-,-", "/hours/0",
         "Monday interval '11:00-13:00' overlaps an earlier one in '09:00-12:00+11:00-13:00'"},
        {"-,09:00-17:00+08:00-10:00,-,-,-,-,-", "/hours/1",
         "Tuesday hours '09:00-17:00+08:00-10:00' span more than 24 hours"},
        {"-,-,22:00-06:00+07:00-23:00,-,-,-,-", "/hours/2",
         "Wednesday hours '22:00-06:00+07:00-23:00' span more than 24 hours"},
        {"-,-,-,9:00-10:00,-,-,-", "/hours/3",
         "Thursday interval '9:00-10:00' is malformed (want HH:MM-HH:MM)"},
        {"-,-,-,-,24:00-10:00,-,-", "/hours/4", "Friday interval '24:00-10:00' has a bad time"},
        {"-,-,-,-,-,10:00-24:30,-", "/hours/5", "Saturday interval '10:00-24:30' has a bad time"},
        {"-,-,-,-,-,-,", "/hours/6", "Sunday hours are empty (want '-' or HH:MM-HH:MM)"},
        {"-,-,-,-,-,-", "/hours", "hours need 7 entries Monday to Sunday, got 6"},
        {"-,-,-,-,-,-,-,-", "/hours", "hours need 7 entries Monday to Sunday, got 8"},
        {"01:00-02:00+02:00-03:00+03:00-04:00+04:00-05:00+05:00-06:00+06:00-07:00+07:00-08:00+"
         "08:00-09:00+09:00-10:00,-,-,-,-,-,-",
         "/hours/0", NULL},
        {NULL, "/hours", NULL},
    };
    struct calendar_week w;
    struct acc_err err;

    for (size_t i = 0; i < ACC_ARRAY_LEN(rows); i++) {
        acc_err_clear(&err);
        T_EQ_INT(calendar_week_parse(rows[i].hours, &w, &err), ACC_EINVAL);
        T_EQ_STR(err.field, rows[i].field);
        if (rows[i].msg)
            T_EQ_STR(err.msg, rows[i].msg);
    }
}

static void test_week_check(void)
{
    struct calendar_week w;
    struct acc_err err;

    memset(&w, 0, sizeof(w));
    T_EQ_INT(calendar_week_check(&w, &err), 0);
    w.day[2].n = 1;
    w.day[2].iv[0] = (struct calendar_interval){9 * 3600, 9 * 3600};
    T_EQ_INT(calendar_week_check(&w, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/hours/2");
    w.day[2].iv[0] = (struct calendar_interval){9 * 3600, 9 * 3600 + 30};
    T_EQ_INT(calendar_week_check(&w, &err), ACC_EINVAL); /* not whole minutes */
    w.day[2].iv[0] = (struct calendar_interval){86400, 90000};
    T_EQ_INT(calendar_week_check(&w, &err), ACC_EINVAL); /* opens on the next day */
    w.day[2].n = 2;
    w.day[2].iv[0] = (struct calendar_interval){9 * 3600, 12 * 3600};
    w.day[2].iv[1] = (struct calendar_interval){11 * 3600, 13 * 3600};
    T_EQ_INT(calendar_week_check(&w, &err), ACC_EINVAL); /* overlap */
    T_EQ_STR(err.msg, "Wednesday intervals 1 and 2 overlap");
    w.day[2].iv[1] = (struct calendar_interval){12 * 3600, 33 * 3600};
    T_EQ_INT(calendar_week_check(&w, &err), 0); /* touching, 09:00 to 09:00 the next day */
    w.day[2].iv[1] = (struct calendar_interval){12 * 3600, 33 * 3600 + 60};
    T_EQ_INT(calendar_week_check(&w, &err), ACC_EINVAL);
    T_EQ_STR(err.msg, "Wednesday hours span more than 24 hours");
    w.day[2].n = CALENDAR_MAX_INTERVALS + 1;
    T_EQ_INT(calendar_week_check(&w, &err), ACC_EINVAL);
}

static void test_dates_and_holidays(void)
{
    int32_t days[4];
    size_t n = 0;
    int64_t local;
    struct acc_err err;
    int y, m, d;

    T_EQ_INT(calendar_day_from_civil(1970, 1, 1), 0);
    T_EQ_INT(calendar_day_from_civil(CALENDAR_MIN_YEAR, 1, 1), -354285);
    T_EQ_INT(calendar_day_from_civil(CALENDAR_MAX_YEAR, 12, 31), 2932896);
    T_EQ_INT(calendar_day_from_civil(2024, 2, 29), 19782);
    calendar_day_to_civil(19782, &y, &m, &d);
    T_OK(y == 2024 && m == 2 && d == 29);
    calendar_day_to_civil(-1, &y, &m, &d);
    T_OK(y == 1969 && m == 12 && d == 31);
    T_EQ_INT(calendar_date_parse("2024-02-29", &days[0]), 0);
    T_EQ_INT(calendar_date_parse("2023-02-29", &days[0]), ACC_EINVAL);
    T_EQ_INT(calendar_date_parse("2024-13-01", &days[0]), ACC_EINVAL);
    T_EQ_INT(calendar_date_parse("2024-1-01", &days[0]), ACC_EINVAL);
    T_EQ_INT(calendar_date_parse("2024-01-01x", &days[0]), ACC_EINVAL);
    T_EQ_INT(calendar_date_parse("0999-12-31", &days[0]), ACC_EINVAL);
    T_EQ_INT(calendar_local_parse("2024-06-03T09:30", &local), 0);
    T_EQ_INT(local, 19877LL * 86400 + 9 * 3600 + 1800);
    T_EQ_INT(calendar_local_parse("2024-06-03T09:30:15", &local), 0);
    T_EQ_INT(calendar_local_parse("2024-06-03T24:00", &local), ACC_EINVAL);
    T_EQ_INT(calendar_local_parse("2024-06-03 09:30", &local), ACC_EINVAL);
    T_EQ_INT(calendar_local_parse("2024-06-03T09:60", &local), ACC_EINVAL);
    T_EQ_INT(calendar_holidays_parse("-", days, 4, &n, &err), 0);
    T_EQ_INT(n, 0);
    T_EQ_INT(calendar_holidays_parse("2024-12-26,2024-12-25", days, 4, &n, &err), 0);
    T_EQ_INT(n, 2);
    T_EQ_INT(calendar_holidays_parse("2024-12-26,2024-12-32", days, 4, &n, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/holidays/1");
    T_EQ_STR(err.msg, "bad holiday '2024-12-32' (want YYYY-MM-DD)");
    T_EQ_INT(calendar_holidays_parse("2024-12-26,", days, 4, &n, &err), ACC_EINVAL);
    T_EQ_INT(calendar_holidays_parse("2024-01-01,2024-01-02,2024-01-03,2024-01-04,2024-01-05", days,
                                     4, &n, &err),
             ACC_EINVAL);
    T_EQ_STR(err.field, "/holidays");
}

static void test_too_many_holidays(void)
{
    struct calendar_week w;
    struct calendar cal;
    struct acc_err err;
    int32_t *days = xmalloc((CALENDAR_MAX_HOLIDAYS + 1) * sizeof(*days));

    T_EQ_INT(calendar_week_parse(W9_18, &w, &err), 0);
    for (int i = 0; i <= CALENDAR_MAX_HOLIDAYS; i++)
        days[i] = calendar_day_from_civil(2024, 1, 1) + i;
    T_EQ_INT(calendar_init(&cal, zone("UTC"), &w, days, CALENDAR_MAX_HOLIDAYS + 1, &err),
             ACC_EINVAL);
    T_EQ_STR(err.field, "/holidays");
    T_EQ_STR(err.msg, "more than 1000 holidays");
    T_EQ_INT(calendar_init(&cal, zone("UTC"), &w, days, CALENDAR_MAX_HOLIDAYS, &err), 0);
    T_EQ_INT(cal.n_holidays, CALENDAR_MAX_HOLIDAYS);
    /* 1000 days of holidays from 2024-01-01: the first working day is 2026-09-28 (a Monday) */
    {
        int64_t due;
        char buf[32];

        T_EQ_INT(calendar_due(&cal, at("UTC", "2024-01-01T00:00"), 60, &due, &err), 0);
        T_EQ_STR(fmt("UTC", due, buf), "2026-09-28T09:01+00:00");
    }
    calendar_release(&cal);
    days[0] = calendar_day_from_civil(999, 12, 31);
    T_EQ_INT(calendar_init(&cal, zone("UTC"), &w, days, 1, &err), ACC_EINVAL);
    free(days);
}

static void test_engine_errors(void)
{
    struct calendar cal;
    struct acc_err err;
    int64_t out = 42, secs;

    T_EQ_INT(calendar_parse(&cal, zone("UTC"), W9_18, NULL, &err), 0);
    T_EQ_INT(calendar_due(&cal, 0, -1, &out, &err), ACC_EINVAL);
    T_EQ_INT(calendar_due(&cal, at("UTC", "1000-01-01T00:00") - 10 * 86400, 60, &out, &err),
             ACC_EINVAL);
    T_EQ_INT(calendar_due(&cal, at("UTC", "9999-12-31T00:00"), 86400 * 7, &out, &err), ACC_EINVAL);
    T_EQ_STR(err.msg, "the due instant is outside years 1000 .. 9999");
    T_EQ_INT(calendar_at_percent(&cal, 0, 3600, -1, 0, &out, &err), ACC_EINVAL);
    T_EQ_INT(calendar_due_paused(&cal, 0, 3600, -5, &out, &err), ACC_EINVAL);
    T_EQ_INT(out, 42); /* out-parameters are written only on success */
    T_EQ_INT(calendar_business_secs(&cal, 100, 50, &secs, &err), 0);
    T_EQ_INT(secs, 0);
    calendar_release(&cal);
    T_EQ_INT(calendar_parse(&cal, zone("UTC"), "-,-,-,-,-,-,-", "-", &err), 0);
    T_EQ_INT(calendar_due(&cal, 0, 60, &out, &err), ACC_ENOTFOUND);
    T_EQ_INT(calendar_due(&cal, 0, 0, &out, &err), ACC_ENOTFOUND);
    T_OK(!calendar_is_open(&cal, 0));
    calendar_release(&cal);
    T_EQ_INT(calendar_parse(&cal, zone("UTC"), W9_18, "2024-02-30", &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/holidays/0");
    T_EQ_INT(calendar_parse(&cal, zone("UTC"), "09:00-17:00", "-", &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/hours");
}

/* ------------------------------------------------------------------ arithmetic */

static void test_is_open(void)
{
    struct calendar cal;
    struct acc_err err;
    const char *ny = "America/New_York";

    T_EQ_INT(calendar_parse(&cal, zone(ny), W9_18, "2024-06-04", &err), 0);
    T_OK(calendar_is_open(&cal, at(ny, "2024-06-03T09:00")));
    T_OK(calendar_is_open(&cal, at(ny, "2024-06-03T17:59:59")));
    T_OK(!calendar_is_open(&cal, at(ny, "2024-06-03T18:00")));
    T_OK(!calendar_is_open(&cal, at(ny, "2024-06-03T08:59:59")));
    T_OK(!calendar_is_open(&cal, at(ny, "2024-06-04T12:00"))); /* holiday */
    T_OK(!calendar_is_open(&cal, at(ny, "2024-06-08T12:00"))); /* Saturday */
    calendar_release(&cal);
    T_EQ_INT(calendar_parse(&cal, zone(ny), "-,-,-,-,-,22:00-06:00,-", "-", &err), 0);
    T_OK(calendar_is_open(&cal, at(ny, "2024-06-09T05:59"))); /* Saturday night into Sunday */
    T_OK(!calendar_is_open(&cal, at(ny, "2024-06-09T06:00")));
    calendar_release(&cal);
}

static void test_percent_and_pauses(void)
{
    struct calendar cal;
    struct acc_err err;
    const char *ny = "America/New_York";
    int64_t start = at(ny, "2024-06-03T09:00"), out = 0, paused = 0;
    char buf[32];

    T_EQ_INT(calendar_parse(&cal, zone(ny), W9_18, "-", &err), 0);
    /* a 480-minute target: 75 % at 15:00, 100 % at 17:00, 150 % on Tuesday at 12:00 */
    T_EQ_INT(calendar_at_percent(&cal, start, 480 * 60, 75, 0, &out, &err), 0);
    T_EQ_STR(fmt(ny, out, buf), "2024-06-03T15:00-04:00");
    T_EQ_INT(calendar_at_percent(&cal, start, 480 * 60, 100, 0, &out, &err), 0);
    T_EQ_STR(fmt(ny, out, buf), "2024-06-03T17:00-04:00");
    T_EQ_INT(calendar_at_percent(&cal, start, 480 * 60, 150, 0, &out, &err), 0);
    T_EQ_STR(fmt(ny, out, buf), "2024-06-04T12:00-04:00");
    T_EQ_INT(calendar_at_percent(&cal, start, 480 * 60, 0, 0, &out, &err), 0);
    T_EQ_STR(fmt(ny, out, buf), "2024-06-03T09:00-04:00");
    /* a fraction of a second rounds up: 33 % of 1 s is reached after 1 s */
    T_EQ_INT(calendar_at_percent(&cal, start, 1, 33, 0, &out, &err), 0);
    T_EQ_INT(out, start + 1);
    /* paused Monday 10:00-11:00 (1 h of business time): due moves to the closing time */
    T_EQ_INT(calendar_business_secs(&cal, at(ny, "2024-06-03T10:00"), at(ny, "2024-06-03T11:00"),
                                    &paused, &err),
             0);
    T_EQ_INT(paused, 3600);
    T_EQ_INT(calendar_due_paused(&cal, start, 480 * 60, paused, &out, &err), 0);
    T_EQ_STR(fmt(ny, out, buf), "2024-06-03T18:00-04:00");
    /* paused Monday 17:00 to Tuesday 10:00: only 2 business hours pass */
    T_EQ_INT(calendar_business_secs(&cal, at(ny, "2024-06-03T17:00"), at(ny, "2024-06-04T10:00"),
                                    &paused, &err),
             0);
    T_EQ_INT(paused, 7200);
    T_EQ_INT(calendar_due_paused(&cal, start, 480 * 60, paused, &out, &err), 0);
    T_EQ_STR(fmt(ny, out, buf), "2024-06-04T10:00-04:00");
    /* 75 % with that pause: 360 + 120 minutes */
    T_EQ_INT(calendar_at_percent(&cal, start, 480 * 60, 75, paused, &out, &err), 0);
    T_EQ_STR(fmt(ny, out, buf), "2024-06-03T17:00-04:00");
    /* a pause over a weekend costs nothing */
    T_EQ_INT(calendar_business_secs(&cal, at(ny, "2024-06-07T18:00"), at(ny, "2024-06-10T09:00"),
                                    &paused, &err),
             0);
    T_EQ_INT(paused, 0);
    calendar_release(&cal);
}

static void test_business_secs(void)
{
    struct calendar cal;
    struct acc_err err;
    int64_t s = 0;
    const char *ny = "America/New_York";

    T_EQ_INT(calendar_parse(&cal, zone(ny), W9_18, "2024-07-04", &err), 0);
    T_EQ_INT(calendar_business_secs(&cal, at(ny, "2024-06-03T00:00"), at(ny, "2024-06-10T00:00"),
                                    &s, &err),
             0);
    T_EQ_INT(s, 5 * 9 * 3600);
    /* July 2024: 23 weekdays, one of them the holiday */
    T_EQ_INT(calendar_business_secs(&cal, at(ny, "2024-07-01T00:00"), at(ny, "2024-08-01T00:00"),
                                    &s, &err),
             0);
    T_EQ_INT(s, 22 * 9 * 3600);
    T_EQ_INT(calendar_business_secs(&cal, at(ny, "2024-07-01T10:30"), at(ny, "2024-07-01T10:31"),
                                    &s, &err),
             0);
    T_EQ_INT(s, 60);
    calendar_release(&cal);
    /* 24x7 over the fall-back day: 25 real hours */
    T_EQ_INT(calendar_parse(&cal, zone(ny), ALL, "-", &err), 0);
    T_EQ_INT(calendar_business_secs(&cal, at(ny, "2024-11-03T00:00"), at(ny, "2024-11-04T00:00"),
                                    &s, &err),
             0);
    T_EQ_INT(s, 25 * 3600);
    T_EQ_INT(calendar_business_secs(&cal, at(ny, "2024-01-01T00:00"), at(ny, "2025-01-01T00:00"),
                                    &s, &err),
             0);
    T_EQ_INT(s, 366LL * 86400);
    calendar_release(&cal);
}

static void test_year_targets(void)
{
    struct calendar cal;
    struct acc_err err;
    int64_t start, due = 0, s = 0;
    char buf[32];

    T_EQ_INT(calendar_parse(&cal, zone("Europe/Berlin"), LUNCH,
                            "2024-12-25,2025-01-01,2025-12-25,2026-04-03", &err),
             0);
    start = at("Europe/Berlin", "2024-06-03T10:00");
    T_EQ_INT(calendar_due(&cal, start, 525600LL * 60, &due, &err), 0);
    T_EQ_INT(calendar_business_secs(&cal, start, due, &s, &err), 0);
    T_EQ_INT(s, 525600LL * 60);
    T_EQ_INT(calendar_due(&cal, start, 525600LL * 60 - 1, &due, &err), 0);
    T_EQ_STR(fmt("Europe/Berlin", due, buf), "2029-03-26T13:59:59+02:00");
    calendar_release(&cal);
}

/* ------------------------------------------------------------------ against a reference */

struct span {
    int64_t lo, hi;
};

struct spans {
    struct span *v;
    size_t n, cap;
};

static void spans_push(struct spans *s, int64_t lo, int64_t hi)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n].lo = lo;
    s->v[s->n].hi = hi;
    s->n++;
}

static int cmp_span(const void *a, const void *b)
{
    const struct span *x = a, *y = b;

    return (x->lo > y->lo) - (x->lo < y->lo);
}

/*
 * Business time over local days d0 .. d1 built the plain way, as the oracle does: every
 * interval of every day turned into instants, all of them unioned, then every holiday's
 * [00:00, next 00:00) taken out.
 */
static void reference(const struct calendar *cal, int64_t d0, int64_t d1, struct spans *out)
{
    struct spans raw = {0};

    out->n = 0;
    for (int64_t d = d0 - 2; d <= d1; d++) {
        int wd = (int)(((d + 3) % 7 + 7) % 7);

        for (int i = 0; i < cal->week.day[wd].n; i++) {
            int64_t lo = calendar_tz_to_utc(cal->tz, d * 86400 + cal->week.day[wd].iv[i].open_secs);
            int64_t hi =
                calendar_tz_to_utc(cal->tz, d * 86400 + cal->week.day[wd].iv[i].close_secs);

            if (hi > lo)
                spans_push(&raw, lo, hi);
        }
    }
    qsort(raw.v, raw.n, sizeof(*raw.v), cmp_span);
    for (size_t i = 0; i < raw.n; i++) {
        if (out->n && raw.v[i].lo <= out->v[out->n - 1].hi) {
            if (raw.v[i].hi > out->v[out->n - 1].hi)
                out->v[out->n - 1].hi = raw.v[i].hi;
        } else {
            spans_push(out, raw.v[i].lo, raw.v[i].hi);
        }
    }
    for (size_t h = 0; h < cal->n_holidays; h++) {
        int64_t a = calendar_tz_to_utc(cal->tz, (int64_t)cal->holidays[h] * 86400);
        int64_t b = calendar_tz_to_utc(cal->tz, ((int64_t)cal->holidays[h] + 1) * 86400);

        raw.n = 0;
        for (size_t i = 0; i < out->n; i++) {
            struct span s = out->v[i];

            if (s.hi <= a || s.lo >= b) {
                spans_push(&raw, s.lo, s.hi);
                continue;
            }
            if (s.lo < a)
                spans_push(&raw, s.lo, a);
            if (s.hi > b)
                spans_push(&raw, b, s.hi);
        }
        out->n = 0;
        for (size_t i = 0; i < raw.n; i++)
            spans_push(out, raw.v[i].lo, raw.v[i].hi);
    }
    free(raw.v);
}

static int64_t ref_due(const struct spans *s, int64_t start, int64_t need)
{
    for (size_t i = 0; i < s->n; i++) {
        int64_t lo = s->v[i].lo > start ? s->v[i].lo : start;

        if (s->v[i].hi <= start)
            continue;
        if (need <= s->v[i].hi - lo)
            return lo + need;
        need -= s->v[i].hi - lo;
    }
    return -1;
}

static int64_t ref_secs(const struct spans *s, int64_t a, int64_t b)
{
    int64_t sum = 0;

    for (size_t i = 0; i < s->n; i++) {
        int64_t lo = s->v[i].lo > a ? s->v[i].lo : a;
        int64_t hi = s->v[i].hi < b ? s->v[i].hi : b;

        if (hi > lo)
            sum += hi - lo;
    }
    return sum;
}

#ifndef REF_CASES /* -DREF_CASES=200000 -DREF_SEED=7 for a longer hunt */
#define REF_CASES 6000
#endif
#ifndef REF_SEED
#define REF_SEED 0x9e3779b97f4a7c15ULL
#endif

static uint64_t rng = REF_SEED;

static int64_t rnd(int64_t lo, int64_t hi)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return lo + (int64_t)(rng % (uint64_t)(hi - lo + 1));
}

static void random_week(struct calendar_week *w)
{
    int shape = (int)rnd(0, 4);

    memset(w, 0, sizeof(*w));
    for (int d = 0; d < 7; d++) {
        int64_t cur, first;
        int n = (int)rnd(1, 3);

        if (rnd(0, 9) < (shape == 3 ? 8 : 3))
            continue;
        if (shape == 2) { /* whole days */
            w->day[d].n = 1;
            w->day[d].iv[0].close_secs = 86400;
            continue;
        }
        if (shape == 4) { /* nearly 24 hours from any minute: ends land near midnight */
            w->day[d].n = 1;
            w->day[d].iv[0].open_secs = (int32_t)rnd(0, 1439) * 60;
            w->day[d].iv[0].close_secs = w->day[d].iv[0].open_secs + (int32_t)rnd(1380, 1440) * 60;
            continue;
        }
        first = cur = rnd(0, 1439) * 60;
        for (int i = 0; i < n; i++) {
            int64_t lo = cur + (i ? rnd(0, 180) * 60 : 0);
            int64_t hi = lo + rnd(1, shape == 1 ? 720 : 300) * 60;

            if (hi - first > 86400)
                break;
            w->day[d].iv[i].open_secs = (int32_t)lo;
            w->day[d].iv[i].close_secs = (int32_t)hi;
            w->day[d].n = i + 1;
            cur = hi;
        }
    }
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/*
 * A made-up zone as a version 1 TZif file (no footer): UTC, and UTC+1 from each at[2k] to
 * at[2k+1], 10 changes. No real zone changes the way these do; they try how far the engine
 * looks.
 */
static struct calendar_tz *made_up_zone(const int64_t at[10])
{
    unsigned char buf[44 + 10 * 5 + 12 + 8];
    char dir[] = "/tmp/calendar_test_XXXXXX", path[128];
    struct calendar_tz *tz = NULL;
    struct acc_err err;
    FILE *f;

    memset(buf, 0, sizeof(buf));
    memcpy(buf, "TZif", 4);
    for (int i = 0; i < 10; i++) {
        put32(buf + 44 + 4 * i, (uint32_t)at[i]);
        buf[44 + 40 + i] = (unsigned char)(i % 2 == 0);
    }
    put32(buf + 32, 10);        /* timecnt */
    put32(buf + 36, 2);         /* typecnt */
    put32(buf + 40, 8);         /* charcnt */
    put32(buf + 44 + 50, 0);    /* type 0: UTC */
    put32(buf + 44 + 56, 3600); /* type 1: UTC+1, DST */
    buf[44 + 60] = 1;
    buf[44 + 61] = 4;
    memcpy(buf + 44 + 62, "STD\0DST\0", 8);
    if (!mkdtemp(dir))
        return NULL;
    snprintf(path, sizeof(path), "%s/Test", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/Test/Zone", dir);
    if ((f = fopen(path, "wb"))) {
        fwrite(buf, 1, sizeof(buf), f);
        fclose(f);
        setenv("TZDIR", dir, 1); /* the test only: the engine never touches the environment */
        if (calendar_tz_load("Test/Zone", &tz, &err) != 0)
            fprintf(stderr, "  cannot load the made-up zone: %s\n", err.msg);
        unsetenv("TZDIR");
    }
    remove(path);
    snprintf(path, sizeof(path), "%s/Test", dir);
    rmdir(path);
    rmdir(dir);
    return tz;
}

/*
 * Changes on Saturdays at change_secs UTC, 2023 .. 2026: with 23:00 the gap and the overlap
 * end at midnight, with 23:30 they straddle it.
 */
static struct calendar_tz *midnight_zone(int change_secs)
{
    int64_t at[10];

    for (int y = 2023; y <= 2026; y++) {
        int64_t spring = calendar_day_from_civil(y, 3, 14),
                fall = calendar_day_from_civil(y, 10, 28);

        while (((spring + 3) % 7 + 7) % 7 != 5) /* back to a Saturday */
            spring--;
        while (((fall + 3) % 7 + 7) % 7 != 5)
            fall--;
        at[2 * (y - 2023)] = spring * 86400 + change_secs;
        at[2 * (y - 2023) + 1] = fall * 86400 + change_secs;
    }
    at[8] = (int64_t)calendar_day_from_civil(2030, 3, 9) * 86400 + change_secs;
    at[9] = (int64_t)calendar_day_from_civil(2030, 10, 26) * 86400 + change_secs;
    return made_up_zone(at);
}

/*
 * Changes on other weekdays or at other times every year (a memo of DST days must tell
 * them apart), and a winter of 19 hours on Sunday 2025-06-08 that starts like the falls
 * of 2023 and 2025 (two changes close together).
 */
static struct calendar_tz *wandering_zone(void)
{
    static const int ymd_hm[10][5] = {
        {2023, 3, 8, 1, 0},   {2023, 10, 22, 1, 0}, {2024, 3, 16, 1, 0}, {2024, 11, 1, 23, 30},
        {2025, 3, 15, 4, 30}, {2025, 6, 8, 1, 0},   {2025, 6, 8, 20, 0}, {2025, 10, 26, 1, 0},
        {2026, 3, 22, 4, 30}, {2026, 10, 25, 1, 0}};
    int64_t at[10];

    for (int i = 0; i < 10; i++)
        at[i] = (int64_t)calendar_day_from_civil(ymd_hm[i][0], ymd_hm[i][1], ymd_hm[i][2]) * 86400 +
                ymd_hm[i][3] * 3600 + ymd_hm[i][4] * 60;
    return made_up_zone(at);
}

static void test_made_up_midnight_zone(void)
{
    struct calendar_tz *tz = midnight_zone(23 * 3600);
    int64_t sat = calendar_day_from_civil(2024, 3, 9); /* the second Saturday of March 2024 */

    T_OK(tz != NULL);
    if (!tz)
        return;
    T_EQ_INT(calendar_tz_offset(tz, sat * 86400 + 23 * 3600 - 1), 0);
    T_EQ_INT(calendar_tz_offset(tz, sat * 86400 + 23 * 3600), 3600);
    /* Saturday 23:30 is in the gap: one hour later, Sunday 00:30 */
    T_EQ_INT(calendar_tz_to_utc(tz, sat * 86400 + 23 * 3600 + 1800),
             sat * 86400 + 23 * 3600 + 1800);
    T_EQ_INT(calendar_tz_to_utc(tz, (sat + 1) * 86400), sat * 86400 + 23 * 3600);
    calendar_tz_free(tz);
}

/* Local days with a DST change in zone tz in 2023 .. 2026. */
static size_t change_days(const struct calendar_tz *tz, int64_t *days, size_t max)
{
    size_t n = 0;
    int64_t d0 = calendar_day_from_civil(2023, 1, 1), d1 = calendar_day_from_civil(2026, 12, 31);

    for (int64_t d = d0; d <= d1 && n < max; d++)
        if (calendar_tz_offset(tz, d * 86400) != calendar_tz_offset(tz, (d + 1) * 86400))
            days[n++] = d;
    return n;
}

/*
 * Whether calendar_batch_due() gives want for the case from week w, holidays hol[0..nhol),
 * instant start (when it is a whole minute) and need, as text.
 */
static bool batch_agrees(struct calendar_batch *batch, const struct calendar_tz *tz,
                         const struct calendar_week *w, const int32_t *hol, size_t nhol,
                         int64_t start, int64_t need, int64_t want)
{
    struct acc_buf hours, holidays;
    char start_text[32], got[200], want_text[32];
    bool ok;

    if (calendar_local_format(tz, start, false, start_text), strlen(start_text) != 16)
        return true; /* seconds: the line format has none */
    acc_buf_init(&hours);
    acc_buf_init(&holidays);
    calendar_week_format(w, &hours);
    for (size_t i = 0; i < nhol; i++) {
        int y, m, d;

        calendar_day_to_civil(hol[i], &y, &m, &d);
        acc_buf_addf(&holidays, "%s%04d-%02d-%02d", i ? "," : "", y, m, d);
    }
    if (!nhol)
        acc_buf_adds(&holidays, "-");
    calendar_local_format(tz, want, true, want_text);
    ok = batch_due(batch, tz, hours.buf, holidays.buf, start_text, need, got) == 0 &&
         strcmp(got, want_text) == 0;
    if (!ok)
        fprintf(stderr, "  batch: %s HOURS=%s HOLIDAYS=%s START=%s need %lld: got %s want %s\n",
                calendar_tz_name(tz), hours.buf, holidays.buf, start_text, (long long)need, got,
                want_text);
    acc_buf_release(&hours);
    acc_buf_release(&holidays);
    return ok;
}

static void test_against_reference(void)
{
    static const char *const zone_names[] = {
        "America/New_York", "Europe/Berlin", "Australia/Sydney", "Australia/Lord_Howe",
        "America/Havana",   "Asia/Kolkata",  "Pacific/Chatham",  "Antarctica/Troll",
        "America/St_Johns", "Europe/London", "Pacific/Apia",     "America/Santiago"};
    const struct calendar_tz *tzs[ACC_ARRAY_LEN(zone_names) + 3];
    struct calendar_tz *made_up[3] = {midnight_zone(23 * 3600), midnight_zone(23 * 3600 + 1800),
                                      wandering_zone()};
    size_t ntz = 0;
    struct spans ref = {0};
    struct calendar_batch *batch = calendar_batch_new();
    int checked = 0, bad = 0;

    for (size_t i = 0; i < ACC_ARRAY_LEN(zone_names); i++)
        tzs[ntz++] = zone(zone_names[i]);
    for (int i = 0; i < 3; i++)
        if (made_up[i])
            tzs[ntz++] = made_up[i];
    for (int iter = 0; iter < REF_CASES; iter++) {
        const struct calendar_tz *tz = tzs[iter % ntz];
        const char *zn = calendar_tz_name(tz);
        struct calendar_week w;
        struct calendar cal;
        struct acc_err err;
        int32_t hol[6];
        int64_t chg[16], day, start, need, due = 0, secs = 0, want, a, b;
        size_t nchg = change_days(tz, chg, 16), nhol = (size_t)rnd(0, 5);
        bool lng = iter % 8 == 0; /* every 8th case: up to 60 weeks over 2 years */
        int64_t span = lng ? 800 : 60;

        random_week(&w);
        if (nchg && rnd(0, 1))
            day = chg[rnd(0, (int64_t)nchg - 1)] + rnd(-3, 1);
        else
            day = rnd(calendar_day_from_civil(2023, 1, 1), calendar_day_from_civil(2026, 12, 31));
        for (size_t i = 0; i < nhol; i++)
            hol[i] = (int32_t)(day + rnd(-1, lng ? span : 10));
        if (calendar_init(&cal, tz, &w, hol, nhol, &err) != 0) {
            fprintf(stderr, "  random week rejected: %s\n", err.msg);
            bad++;
            continue;
        }
        if (cal.week_secs == 0) {
            calendar_release(&cal);
            continue;
        }
        start =
            calendar_tz_to_utc(tz, day * 86400 + rnd(0, 1439) * 60 + (rnd(0, 9) ? 0 : rnd(1, 59)));
        need = rnd(0, 3) == 0 ? rnd(0, 3) * 60 : rnd(0, (lng ? 60 : 2) * cal.week_secs);
        reference(&cal, day - 3, day + span, &ref);
        want = ref_due(&ref, start, need);
        if (want < 0 || want > (day + span - 10) * 86400) {
            calendar_release(&cal);
            continue;
        }
        checked++;
        bad += !batch_agrees(batch, tz, &w, hol, nhol, start, need, want);
        if (calendar_due(&cal, start, need, &due, &err) != 0 || due != want) {
            char b1[32], b2[32], b3[32];
            struct acc_buf hb;

            acc_buf_init(&hb);
            calendar_week_format(&w, &hb);
            calendar_local_format(tz, start, true, b1);
            calendar_local_format(tz, due, true, b2);
            calendar_local_format(tz, want, true, b3);
            fprintf(stderr, "  %s HOURS=%s start %s need %lld: got %s want %s\n", zn, hb.buf, b1,
                    (long long)need, b2, b3);
            acc_buf_release(&hb);
            bad++;
        }
        if (need > 0 &&
            (calendar_business_secs(&cal, start, want, &secs, &err) != 0 || secs != need))
            bad++;
        a = start + rnd(-86400, 86400 * 3);
        b = a + rnd(0, 86400 * (span - 30));
        if (calendar_business_secs(&cal, a, b, &secs, &err) != 0 || secs != ref_secs(&ref, a, b))
            bad++;
        if (calendar_is_open(&cal, a) != (ref_secs(&ref, a, a + 1) == 1))
            bad++;
        calendar_release(&cal);
    }
    free(ref.v);
    calendar_batch_free(batch);
    for (int i = 0; i < 3; i++)
        calendar_tz_free(made_up[i]);
    if (getenv("T_VERBOSE"))
        fprintf(stderr, "  %d random cases checked against the reference\n", checked);
    T_OK(checked > REF_CASES / 2);
    T_EQ_INT(bad, 0);
}

/* ------------------------------------------------------------------ threads */

struct thread_job {
    struct calendar_zones *zones;
    int mismatches;
};

static void *run_rows(void *arg)
{
    struct thread_job *job = arg;

    for (int round = 0; round < 5; round++) {
        for (size_t i = 0; i < ACC_ARRAY_LEN(rule_rows); i++) {
            const struct due_row *r = &rule_rows[i];
            const struct calendar_tz *tz;
            struct calendar cal;
            struct acc_err err;
            int64_t local, due;
            char buf[32];

            if (calendar_zones_get(job->zones, r->tz, &tz, &err) != 0 ||
                calendar_parse(&cal, tz, r->hours, r->holidays, &err) != 0) {
                job->mismatches++;
                continue;
            }
            calendar_local_parse(r->start, &local);
            if (calendar_due(&cal, calendar_tz_to_utc(tz, local), r->add_minutes * 60, &due,
                             &err) != 0)
                job->mismatches++;
            else if (calendar_local_format(tz, due, true, buf), strcmp(buf, r->want) != 0)
                job->mismatches++;
            calendar_release(&cal);
        }
    }
    return NULL;
}

static void test_threads_share_zones(void)
{
    struct calendar_zones *shared = calendar_zones_new();
    struct thread_job jobs[4];
    pthread_t th[4];

    for (int i = 0; i < 4; i++) {
        jobs[i].zones = shared;
        jobs[i].mismatches = 0;
        T_EQ_INT(pthread_create(&th[i], NULL, run_rows, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        T_EQ_INT(jobs[i].mismatches, 0);
    }
    calendar_zones_free(shared);
    calendar_zones_free(NULL);
}

int main(void)
{
    zones = calendar_zones_new();
    T_RUN(test_canonical_spec_cases);
    T_RUN(test_rule_cases);
    T_RUN(test_batch_rows);
    T_RUN(test_batch_declines);
    T_RUN(test_zone_offsets);
    T_RUN(test_zone_gap_and_overlap);
    T_RUN(test_zone_bad_names);
    T_RUN(test_made_up_midnight_zone);
    T_RUN(test_week_parse_and_format);
    T_RUN(test_week_errors);
    T_RUN(test_week_check);
    T_RUN(test_dates_and_holidays);
    T_RUN(test_too_many_holidays);
    T_RUN(test_engine_errors);
    T_RUN(test_is_open);
    T_RUN(test_percent_and_pauses);
    T_RUN(test_business_secs);
    T_RUN(test_year_targets);
    T_RUN(test_against_reference);
    T_RUN(test_threads_share_zones);
    calendar_zones_free(zones);
    return t_done();
}
