/* request_test.c: requests: the move table, sides, clocks on real calendars, and the store. */
#include "base/acc.h"
#include "base/log.h"
#include "calendar/calendar_db.h"
#include "contract/contract.h"
#include "request/request.h"
#include "request/request_int.h"
#include "store/store.h"
#include "org_fixture.h"
#include "t.h"

#define M MEASURE_MILLI

/*
 * The calendars of these tests. Every expected instant below was computed by hand and
 * checked with `../shared/oracles/bh-oracle.pl --spec --offset` (lines of the form
 * "TZ=... HOURS=... HOLIDAYS=... START=... ADD=minutes").
 */
#define LUNCH_DAY       "09:00-12:30+13:30-17:30"
#define LONDON_HOURS    LUNCH_DAY "," LUNCH_DAY "," LUNCH_DAY "," LUNCH_DAY "," LUNCH_DAY ",-,-"
#define LONDON_HOLIDAYS "2024-05-27,2024-08-26,2024-12-25,2024-12-26"
#define NIGHT_DAY       "22:00-06:00"
#define NIGHTS7                                                                                    \
    NIGHT_DAY "," NIGHT_DAY "," NIGHT_DAY "," NIGHT_DAY "," NIGHT_DAY "," NIGHT_DAY "," NIGHT_DAY
#define NIGHTS5 NIGHT_DAY "," NIGHT_DAY "," NIGHT_DAY "," NIGHT_DAY "," NIGHT_DAY ",-,-"
#define ALL_DAY "00:00-24:00"
#define ALL7    ALL_DAY "," ALL_DAY "," ALL_DAY "," ALL_DAY "," ALL_DAY "," ALL_DAY "," ALL_DAY
#define UNEVEN  "09:00-17:00,09:00-17:00,09:00-17:00,09:00-17:00,09:00-15:00,-,-"

enum cal_kind {
    LONDON,  /* Europe/London office hours with a lunch break, UK bank holidays of 2024 */
    NIGHT,   /* Europe/Warsaw night shift 22:00-06:00 every day (DST on 03-31 and 10-27) */
    NIGHT5,  /* the same night shift Monday to Friday nights only */
    LONDON7, /* Europe/London 24x7 (a 23-hour and a 25-hour day in 2024) */
    UTC7,    /* UTC 24x7 */
    SHORTFRI /* UTC 09:00-17:00 Monday to Thursday, 09:00-15:00 Friday */
};

static struct calendar_zones *zones;

/* 10:00 on Tuesday 21 May 2024 in London: most clocks and requests below start then. */
#define T0 "2024-05-21T10:00+01:00"

/* Builds one of the calendars above (a failed check otherwise). */
static void cal_make(struct calendar *cal, enum cal_kind k)
{
    static const struct {
        const char *tz, *hours, *holidays;
    } defs[] = {
        [LONDON] = {"Europe/London", LONDON_HOURS, LONDON_HOLIDAYS},
        [NIGHT] = {"Europe/Warsaw", NIGHTS7, "-"},
        [NIGHT5] = {"Europe/Warsaw", NIGHTS5, "-"},
        [LONDON7] = {"Europe/London", ALL7, "-"},
        [UTC7] = {"UTC", ALL7, "-"},
        [SHORTFRI] = {"UTC", UNEVEN, "-"},
    };
    const struct calendar_tz *tz = NULL;
    struct acc_err err = {0};

    T_EQ_INT(calendar_zones_get(zones, defs[k].tz, &tz, &err), ACC_OK);
    T_EQ_INT(calendar_parse(cal, tz, defs[k].hours, defs[k].holidays, &err), ACC_OK);
}

/*
 * An instant written "YYYY-MM-DDTHH:MM" or "...:SS", then "Z" or "+HH:MM" / "-HH:MM",
 * as epoch seconds. Read here, not by the code under test.
 */
static int64_t at(const char *s)
{
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, oh = 0, om = 0, n = 0;
    const char *rest;
    int64_t off = 0;

    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5) {
        t_report(__FILE__, __LINE__, s);
        return 0;
    }
    rest = s + n;
    if (*rest == ':') {
        sec = atoi(rest + 1);
        rest += 3;
    }
    if (*rest == '+' || *rest == '-') {
        if (sscanf(rest + 1, "%2d:%2d", &oh, &om) != 2)
            t_report(__FILE__, __LINE__, s);
        off = (*rest == '-' ? -1 : 1) * (int64_t)(oh * 3600 + om * 60);
    } else if (*rest != 'Z') {
        t_report(__FILE__, __LINE__, s);
    }
    return (int64_t)calendar_day_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
}

/* ---- the move table ---- */

static const char *const side_names[] = {"third", "provider", "consumer", "system"};

static void test_move_table(void)
{
    /*
     * [from][to]: the sides that make the move: P provider, C consumer, S the system (the
     * automatic close); "" no such move (409 from every side). Written from the issue's
     * lifecycle: the provider works and resolves, the consumer answers, accepts, reopens.
     */
    static const char *const lifecycle[REQUEST_STATUSES][REQUEST_STATUSES] = {
        /* to:        open in_progress waiting resolved reopened closed */
        [REQUEST_OPEN] = {"", "P", "P", "P", "", ""},
        [REQUEST_IN_PROGRESS] = {"", "", "P", "P", "", ""},
        [REQUEST_WAITING] = {"", "PC", "", "P", "", ""},
        [REQUEST_RESOLVED] = {"", "", "", "", "C", "CS"},
        [REQUEST_REOPENED] = {"", "P", "P", "P", "", ""},
        [REQUEST_CLOSED] = {"", "", "", "", "", ""},
    };
    static const char side_letter[] = {'-', 'P', 'C', 'S'};
    int cells = 0;

    for (int from = 0; from < REQUEST_STATUSES; from++) {
        for (int to = 0; to < REQUEST_STATUSES; to++) {
            for (int side = REQUEST_THIRD; side <= REQUEST_SYSTEM; side++) {
                const char *who = lifecycle[from][to];
                int want = !*who                            ? ACC_ECONFLICT
                           : strchr(who, side_letter[side]) ? ACC_OK
                                                            : ACC_EPERM;
                struct acc_err err = {0};
                int rc = request_move_check((enum request_status)from, (enum request_status)to,
                                            (enum request_side)side, &err);

                cells++;
                if (rc != want || (rc && (strcmp(err.field, "/to") != 0 || !err.msg[0]))) {
                    char m[300];

                    snprintf(m, sizeof(m), "cell %s -> %s by %s: rc %d field '%s', want %d",
                             request_status_name((enum request_status)from),
                             request_status_name((enum request_status)to), side_names[side], rc,
                             err.field, want);
                    t_report(__FILE__, __LINE__, m);
                }
            }
        }
    }
    T_EQ_INT(cells, 6 * 6 * 4);
    /* Statuses out of range are no move at all. */
    {
        struct acc_err err = {0};

        T_EQ_INT(request_move_check((enum request_status)6, REQUEST_OPEN, REQUEST_PROVIDER, &err),
                 ACC_ECONFLICT);
        T_EQ_INT(
            request_move_check(REQUEST_OPEN, (enum request_status) - 1, REQUEST_PROVIDER, &err),
            ACC_ECONFLICT);
    }
}

static void test_status_names(void)
{
    static const char *const names[] = {"open",     "in_progress", "waiting_on_consumer",
                                        "resolved", "reopened",    "closed"};
    enum request_status s;

    for (int i = 0; i < REQUEST_STATUSES; i++) {
        T_EQ_STR(request_status_name((enum request_status)i), names[i]);
        T_EQ_INT(request_status_parse(names[i], &s), ACC_OK);
        T_EQ_INT(s, i);
    }
    T_EQ_INT(request_status_parse("waiting", &s), ACC_EINVAL);
    T_EQ_INT(request_status_parse("Open", &s), ACC_EINVAL);
    T_EQ_INT(request_status_parse("", &s), ACC_EINVAL);
    T_EQ_INT(request_status_parse(NULL, &s), ACC_EINVAL);
}

/* ---- sides ---- */

static void test_sides(void)
{
    /* Finance (1) provides to Sales (2); IT (3) is a third department. */
    static const struct {
        int64_t person, dept;
        enum org_role role;
        enum request_side want;
        const char *who;
    } cases[] = {
        {10, 1, ORG_ROLE_MEMBER, REQUEST_PROVIDER, "provider member"},
        {11, 1, ORG_ROLE_POINT_PERSON, REQUEST_PROVIDER, "provider point person"},
        {12, 1, ORG_ROLE_HEAD, REQUEST_PROVIDER, "provider head"},
        {20, 2, ORG_ROLE_MEMBER, REQUEST_CONSUMER, "consumer member"},
        {21, 2, ORG_ROLE_POINT_PERSON, REQUEST_CONSUMER, "consumer point person"},
        {22, 2, ORG_ROLE_HEAD, REQUEST_CONSUMER, "consumer head"},
        {30, 3, ORG_ROLE_MEMBER, REQUEST_THIRD, "third member"},
        {31, 3, ORG_ROLE_POINT_PERSON, REQUEST_THIRD, "third point person"},
        {32, 3, ORG_ROLE_HEAD, REQUEST_THIRD, "third head"},
        {40, 0, ORG_ROLE_MEMBER, REQUEST_THIRD, "member of no department"},
        {1, 0, ORG_ROLE_ADMIN, REQUEST_PROVIDER, "administrator"},
        {2, 2, ORG_ROLE_ADMIN, REQUEST_CONSUMER, "administrator of the consumer department"},
        {3, 1, ORG_ROLE_ADMIN, REQUEST_PROVIDER, "administrator of the provider department"},
        {4, 3, ORG_ROLE_ADMIN, REQUEST_PROVIDER, "administrator of a third department"},
    };
    struct request r = {0};

    r.provider.id = 1;
    r.consumer.id = 2;
    for (size_t i = 0; i < ACC_ARRAY_LEN(cases); i++) {
        struct org_actor a = fx_actor(cases[i].person, cases[i].dept, cases[i].role);
        enum request_side got = request_side_of(&r, &a);
        bool sees = request_may_see(&r, &a);

        if (got != cases[i].want || sees != (cases[i].want != REQUEST_THIRD)) {
            char m[200];

            snprintf(m, sizeof(m), "%s: side %s, sees %d; want %s", cases[i].who, side_names[got],
                     sees, side_names[cases[i].want]);
            t_report(__FILE__, __LINE__, m);
        }
    }
    /* accord itself (the sweeper, an import) sees every request. */
    {
        struct org_actor sys = org_actor_system("test");

        T_OK(request_may_see(&r, &sys));
    }
}

/* ---- clocks ---- */

static void test_target_secs(void)
{
    static const struct {
        int64_t minutes, factor, want;
    } cases[] = {
        {120, M, 7200},
        {120, M / 2, 3600},
        {120, 2 * M, 14400},
        {0, M, 0},
        {1, 333, 20}, /* 19.98 s up to 20 */
        {7, 1, 1},    /* 0.42 s up to 1 */
        {1, 1500, 90},
        {10, 10, 6},        /* exactly 6 */
        {480, 1234, 35540}, /* 35539.2 s up to 35540 */
        {5256000, 100 * M, 31536000000},
    };

    for (size_t i = 0; i < ACC_ARRAY_LEN(cases); i++)
        T_EQ_INT(request_target_secs(cases[i].minutes, cases[i].factor), cases[i].want);
}

static void test_clocks_start(void)
{
    static const struct {
        enum cal_kind cal;
        const char *created;
        int64_t response_min, resolution_min;
        const char *response_due, *resolution_due;
    } cases[] = {
        /* inside hours, across the lunch break and the night */
        {LONDON, "2024-05-21T10:00+01:00", 120, 480, "2024-05-21T12:00+01:00",
         "2024-05-22T10:30+01:00"},
        /* outside hours: a Saturday, and the Monday after is a bank holiday */
        {LONDON, "2024-05-25T11:00+01:00", 120, 480, "2024-05-28T11:00+01:00",
         "2024-05-29T09:30+01:00"},
        /* in the lunch break: counts from 13:30 */
        {LONDON, "2024-05-21T12:45+01:00", 120, 480, "2024-05-21T15:30+01:00",
         "2024-05-22T14:00+01:00"},
        /* the last minute ends exactly at a closing: the closing, not the next opening */
        {LONDON, "2024-05-23T15:30+01:00", 120, 480, "2024-05-23T17:30+01:00",
         "2024-05-24T16:00+01:00"},
        {LONDON, "2024-05-22T10:30+01:00", 120, 120, "2024-05-22T12:30+01:00",
         "2024-05-22T12:30+01:00"},
        /* at the opening, at the closing */
        {LONDON, "2024-05-21T09:00+01:00", 120, 120, "2024-05-21T11:00+01:00",
         "2024-05-21T11:00+01:00"},
        {LONDON, "2024-05-21T17:30+01:00", 120, 120, "2024-05-22T11:00+01:00",
         "2024-05-22T11:00+01:00"},
        /* a zero target: the start inside hours, else the next opening */
        {LONDON, "2024-05-21T10:00+01:00", 0, 0, "2024-05-21T10:00+01:00",
         "2024-05-21T10:00+01:00"},
        {LONDON, "2024-05-21T12:45+01:00", 0, 0, "2024-05-21T13:30+01:00",
         "2024-05-21T13:30+01:00"},
        /* two holidays in a row (Christmas), in winter time */
        {LONDON, "2024-12-24T16:00Z", 480, 480, "2024-12-27T16:30Z", "2024-12-27T16:30Z"},
        /* a night shift past midnight */
        {NIGHT, "2024-06-04T12:00+02:00", 120, 120, "2024-06-05T00:00+02:00",
         "2024-06-05T00:00+02:00"},
        {NIGHT, "2024-06-04T23:30+02:00", 480, 480, "2024-06-05T23:30+02:00",
         "2024-06-05T23:30+02:00"},
        /* Friday's night shift runs into Saturday morning; the next is Monday night's */
        {NIGHT5, "2024-06-07T23:00+02:00", 480, 480, "2024-06-10T23:00+02:00",
         "2024-06-10T23:00+02:00"},
        {NIGHT5, "2024-06-08T03:00+02:00", 60, 60, "2024-06-08T04:00+02:00",
         "2024-06-08T04:00+02:00"},
        /* the night the clocks go forward has 7 real hours; the night they go back, 9 */
        {NIGHT, "2024-03-30T21:00+01:00", 120, 480, "2024-03-31T00:00+01:00",
         "2024-03-31T23:00+02:00"},
        {NIGHT, "2024-10-26T21:00+02:00", 480, 480, "2024-10-27T05:00+01:00",
         "2024-10-27T05:00+01:00"},
        /* 24x7 across both changes: a business minute is a real minute */
        {LONDON7, "2024-03-30T12:00Z", 1440, 2880, "2024-03-31T13:00+01:00",
         "2024-04-01T13:00+01:00"},
        {LONDON7, "2024-10-26T12:00+01:00", 1440, 1440, "2024-10-27T11:00Z", "2024-10-27T11:00Z"},
    };

    for (size_t i = 0; i < ACC_ARRAY_LEN(cases); i++) {
        struct request_clocks c;
        struct calendar cal;
        struct acc_err err = {0};
        int failed = t_cur_failed;

        cal_make(&cal, cases[i].cal);
        memset(&c, 0x55, sizeof(c));
        T_EQ_INT(request_clocks_start(&cal, at(cases[i].created), cases[i].response_min * 60,
                                      cases[i].resolution_min * 60, &c, &err),
                 ACC_OK);
        T_EQ_INT(c.created_at, at(cases[i].created));
        T_EQ_INT(c.response_target_secs, cases[i].response_min * 60);
        T_EQ_INT(c.resolution_target_secs, cases[i].resolution_min * 60);
        T_EQ_INT(c.response_due_at, at(cases[i].response_due));
        T_EQ_INT(c.resolution_due_at, at(cases[i].resolution_due));
        T_EQ_INT(c.responded_at, 0);
        T_EQ_INT(c.response_met, -1);
        T_EQ_INT(c.resolution_met, -1);
        T_EQ_INT(c.paused_secs, 0);
        T_EQ_INT(c.paused_since, 0);
        T_EQ_INT(c.resolved_at, 0);
        if (t_cur_failed != failed)
            fprintf(stderr, "    case %zu: created %s\n", i, cases[i].created);
        calendar_release(&cal);
    }
    /* A calendar without opening hours has no due instant. */
    {
        const struct calendar_tz *tz = NULL;
        struct request_clocks c;
        struct calendar cal;
        struct acc_err err = {0};

        T_EQ_INT(calendar_zones_get(zones, "UTC", &tz, &err), ACC_OK);
        T_EQ_INT(calendar_parse(&cal, tz, "-,-,-,-,-,-,-", "-", &err), ACC_OK);
        T_EQ_INT(request_clocks_start(&cal, at("2024-05-21T10:00Z"), 60, 60, &c, &err),
                 ACC_ENOTFOUND);
        calendar_release(&cal);
    }
}

/* The response clock: met up to and including its due instant; the first answer counts. */
static void test_clocks_respond(void)
{
    struct request_clocks c;
    struct calendar cal;
    struct acc_err err = {0};
    int64_t due = at("2024-05-21T12:00+01:00");

    cal_make(&cal, LONDON);
    T_EQ_INT(request_clocks_start(&cal, at(T0), 7200, 28800, &c, &err), 0);
    request_clocks_respond(&c, due);
    T_EQ_INT(c.responded_at, due);
    T_EQ_INT(c.response_met, 1);
    request_clocks_respond(&c, due + 3600); /* a later answer changes nothing */
    T_EQ_INT(c.responded_at, due);
    T_EQ_INT(c.response_met, 1);
    T_EQ_INT(request_clocks_start(&cal, at(T0), 7200, 28800, &c, &err), 0);
    request_clocks_respond(&c, due + 1);
    T_EQ_INT(c.response_met, 0);
    /* The resolution clock does not care. */
    T_EQ_INT(c.resolution_met, -1);
    T_EQ_INT(c.resolution_due_at, at("2024-05-22T10:30+01:00"));
    calendar_release(&cal);
}

static void test_clocks_pause_resume(void)
{
    struct request_clocks c;
    struct calendar cal;
    struct acc_err err = {0};

    cal_make(&cal, LONDON);
    T_EQ_INT(request_clocks_start(&cal, at(T0), 7200, 28800, &c, &err), 0);
    /* Resuming a clock that is not paused changes nothing. */
    T_EQ_INT(request_clocks_resume(&cal, &c, at("2024-05-21T11:00+01:00"), &err), ACC_OK);
    T_EQ_INT(c.paused_secs, 0);
    T_EQ_INT(c.resolution_due_at, at("2024-05-22T10:30+01:00"));

    /* Waiting from Tuesday 16:00 to Wednesday 11:00: 90 + 120 business minutes. */
    request_clocks_pause(&c, at("2024-05-21T16:00+01:00"));
    request_clocks_pause(&c, at("2024-05-21T16:30+01:00")); /* still the first pause */
    T_EQ_INT(c.paused_since, at("2024-05-21T16:00+01:00"));
    T_EQ_INT(c.resolution_due_at, at("2024-05-22T10:30+01:00")); /* moves when the pause ends */
    T_EQ_INT(request_clocks_resume(&cal, &c, at("2024-05-22T11:00+01:00"), &err), ACC_OK);
    T_EQ_INT(c.paused_since, 0);
    T_EQ_INT(c.paused_secs, 210 * 60);
    T_EQ_INT(c.resolution_due_at, at("2024-05-22T15:00+01:00"));
    /* The response clock is not paused. */
    T_EQ_INT(c.response_due_at, at("2024-05-21T12:00+01:00"));

    /* A second pause over the lunch break: 12:00-12:30 and 13:30-14:00. */
    request_clocks_pause(&c, at("2024-05-22T12:00+01:00"));
    T_EQ_INT(request_clocks_resume(&cal, &c, at("2024-05-22T14:00+01:00"), &err), ACC_OK);
    T_EQ_INT(c.paused_secs, 270 * 60);
    T_EQ_INT(c.resolution_due_at, at("2024-05-22T16:00+01:00"));

    /* A pause wholly outside business hours moves nothing. */
    request_clocks_pause(&c, at("2024-05-22T18:00+01:00"));
    T_EQ_INT(request_clocks_resume(&cal, &c, at("2024-05-23T08:30+01:00"), &err), ACC_OK);
    T_EQ_INT(c.paused_secs, 270 * 60);
    T_EQ_INT(c.resolution_due_at, at("2024-05-22T16:00+01:00"));
    calendar_release(&cal);

    /* The night shift: paused 03:00-06:00 and 22:00-23:00, 4 hours. */
    cal_make(&cal, NIGHT);
    T_EQ_INT(request_clocks_start(&cal, at("2024-06-04T23:30+02:00"), 7200, 28800, &c, &err), 0);
    request_clocks_pause(&c, at("2024-06-05T03:00+02:00"));
    T_EQ_INT(request_clocks_resume(&cal, &c, at("2024-06-05T23:00+02:00"), &err), ACC_OK);
    T_EQ_INT(c.paused_secs, 4 * 3600);
    T_EQ_INT(c.resolution_due_at, at("2024-06-06T03:30+02:00"));
    calendar_release(&cal);

    /* 24x7 across the spring change: 23:00 GMT to 03:00 BST is 3 real hours. */
    cal_make(&cal, LONDON7);
    T_EQ_INT(request_clocks_start(&cal, at("2024-03-30T12:00Z"), 86400, 2 * 86400, &c, &err), 0);
    request_clocks_pause(&c, at("2024-03-30T23:00Z"));
    T_EQ_INT(request_clocks_resume(&cal, &c, at("2024-03-31T03:00+01:00"), &err), ACC_OK);
    T_EQ_INT(c.paused_secs, 3 * 3600);
    T_EQ_INT(c.resolution_due_at, at("2024-04-01T16:00+01:00"));
    calendar_release(&cal);
}

static void test_clocks_resolve(void)
{
    struct request_clocks c;
    struct calendar cal;
    struct acc_err err = {0};
    int64_t created = at(T0);

    cal_make(&cal, LONDON);

    /* From in progress after a pause of 210 minutes: 630 business minutes less 210. */
    T_EQ_INT(request_clocks_start(&cal, created, 7200, 28800, &c, &err), 0);
    request_clocks_pause(&c, at("2024-05-21T16:00+01:00"));
    T_EQ_INT(request_clocks_resume(&cal, &c, at("2024-05-22T11:00+01:00"), &err), 0);
    T_EQ_INT(request_clocks_resolve(&cal, &c, at("2024-05-22T14:00+01:00"), &err), ACC_OK);
    T_EQ_INT(c.resolved_at, at("2024-05-22T14:00+01:00"));
    T_EQ_INT(c.resolution_secs, 420 * 60);
    T_EQ_INT(c.resolution_met, 1);
    T_EQ_INT(c.resolution_due_at, at("2024-05-22T15:00+01:00"));
    T_EQ_INT(c.paused_secs, 210 * 60);

    /* Late: Thursday 09:30 is 870 business minutes after creation, 660 without the pause. */
    T_EQ_INT(request_clocks_start(&cal, created, 7200, 28800, &c, &err), 0);
    request_clocks_pause(&c, at("2024-05-21T16:00+01:00"));
    T_EQ_INT(request_clocks_resume(&cal, &c, at("2024-05-22T11:00+01:00"), &err), 0);
    T_EQ_INT(request_clocks_resolve(&cal, &c, at("2024-05-23T09:30+01:00"), &err), ACC_OK);
    T_EQ_INT(c.resolution_secs, 660 * 60);
    T_EQ_INT(c.resolution_met, 0);

    /* Straight from waiting: the pause ends at the resolution and is left out. */
    T_EQ_INT(request_clocks_start(&cal, created, 7200, 28800, &c, &err), 0);
    request_clocks_pause(&c, at("2024-05-21T16:00+01:00"));
    T_EQ_INT(request_clocks_resolve(&cal, &c, at("2024-05-22T11:00+01:00"), &err), ACC_OK);
    T_EQ_INT(c.paused_secs, 210 * 60);
    T_EQ_INT(c.resolution_secs, 300 * 60);
    T_EQ_INT(c.resolution_due_at, at("2024-05-22T15:00+01:00"));
    T_EQ_INT(c.resolution_met, 1);

    /* Waiting past the original due instant does not count against the provider. */
    T_EQ_INT(request_clocks_start(&cal, created, 7200, 28800, &c, &err), 0);
    request_clocks_pause(&c, at("2024-05-21T16:00+01:00"));
    T_EQ_INT(request_clocks_resolve(&cal, &c, at("2024-05-24T12:00+01:00"), &err), ACC_OK);
    T_EQ_INT(c.paused_secs, 1170 * 60);
    T_EQ_INT(c.resolution_secs, 300 * 60);
    T_EQ_INT(c.resolution_due_at, at("2024-05-24T16:00+01:00"));
    T_EQ_INT(c.resolution_met, 1);

    /* Due exactly at a closing, resolved at that closing: met. */
    T_EQ_INT(request_clocks_start(&cal, at("2024-05-23T15:30+01:00"), 7200, 7200, &c, &err), 0);
    T_EQ_INT(c.resolution_due_at, at("2024-05-23T17:30+01:00"));
    T_EQ_INT(request_clocks_resolve(&cal, &c, at("2024-05-23T17:30+01:00"), &err), ACC_OK);
    T_EQ_INT(c.resolution_secs, 7200);
    T_EQ_INT(c.resolution_met, 1);
    T_EQ_INT(request_clocks_start(&cal, at("2024-05-23T15:30+01:00"), 7200, 7200, &c, &err), 0);
    T_EQ_INT(request_clocks_resolve(&cal, &c, at("2024-05-23T17:29:59+01:00"), &err), ACC_OK);
    T_EQ_INT(c.resolution_secs, 7199);
    T_EQ_INT(c.resolution_met, 1);
    calendar_release(&cal);

    /* The night shift: 6.5 + 4 hours to Thursday 02:00, less 4 hours waiting. */
    cal_make(&cal, NIGHT);
    T_EQ_INT(request_clocks_start(&cal, at("2024-06-04T23:30+02:00"), 7200, 28800, &c, &err), 0);
    request_clocks_pause(&c, at("2024-06-05T03:00+02:00"));
    T_EQ_INT(request_clocks_resume(&cal, &c, at("2024-06-05T23:00+02:00"), &err), 0);
    T_EQ_INT(request_clocks_resolve(&cal, &c, at("2024-06-06T02:00+02:00"), &err), ACC_OK);
    T_EQ_INT(c.resolution_secs, 390 * 60);
    T_EQ_INT(c.resolution_met, 1);
    calendar_release(&cal);

    /* The night the clocks go forward has 7 business hours: 8 hours are not done by 06:00. */
    cal_make(&cal, NIGHT);
    T_EQ_INT(request_clocks_start(&cal, at("2024-03-30T21:00+01:00"), 7200, 28800, &c, &err), 0);
    T_EQ_INT(request_clocks_resolve(&cal, &c, at("2024-03-31T06:00+02:00"), &err), ACC_OK);
    T_EQ_INT(c.resolution_secs, 7 * 3600);
    T_EQ_INT(c.resolution_met, 1);
    calendar_release(&cal);
}

/* Reopening resumes the resolution clock from the instant it was resolved. */
static void test_clocks_reopen(void)
{
    struct request_clocks c;
    struct calendar cal;
    struct acc_err err = {0};
    int64_t created = at(T0);

    cal_make(&cal, LONDON);
    T_EQ_INT(request_clocks_start(&cal, created, 7200, 28800, &c, &err), 0);
    request_clocks_pause(&c, at("2024-05-21T16:00+01:00"));
    T_EQ_INT(request_clocks_resume(&cal, &c, at("2024-05-22T11:00+01:00"), &err), 0);
    T_EQ_INT(request_clocks_resolve(&cal, &c, at("2024-05-22T14:00+01:00"), &err), 0);
    /* Reopened Thursday 10:00: 210 + 60 minutes since the resolution do not count. */
    T_EQ_INT(request_clocks_resume(&cal, &c, at("2024-05-23T10:00+01:00"), &err), ACC_OK);
    T_EQ_INT(c.resolved_at, 0);
    T_EQ_INT(c.resolution_met, -1);
    T_EQ_INT(c.paused_since, 0);
    T_EQ_INT(c.paused_secs, 480 * 60);
    T_EQ_INT(c.resolution_due_at, at("2024-05-23T11:00+01:00")); /* the hour that was left */
    T_EQ_INT(request_clocks_resolve(&cal, &c, at("2024-05-23T10:30+01:00"), &err), ACC_OK);
    T_EQ_INT(c.resolution_secs, 450 * 60);
    T_EQ_INT(c.resolution_met, 1);

    /* Reopened after the first due instant passed: still the hour that was left. */
    T_EQ_INT(request_clocks_start(&cal, created, 7200, 28800, &c, &err), 0);
    request_clocks_pause(&c, at("2024-05-21T16:00+01:00"));
    T_EQ_INT(request_clocks_resume(&cal, &c, at("2024-05-22T11:00+01:00"), &err), 0);
    T_EQ_INT(request_clocks_resolve(&cal, &c, at("2024-05-22T14:00+01:00"), &err), 0);
    T_EQ_INT(request_clocks_resume(&cal, &c, at("2024-05-24T09:00+01:00"), &err), ACC_OK);
    T_EQ_INT(c.paused_secs, 870 * 60);
    T_EQ_INT(c.resolution_due_at, at("2024-05-24T10:00+01:00"));
    T_EQ_INT(request_clocks_resolve(&cal, &c, at("2024-05-24T10:30+01:00"), &err), ACC_OK);
    T_EQ_INT(c.resolution_secs, 510 * 60);
    T_EQ_INT(c.resolution_met, 0);
    calendar_release(&cal);
}

/* A calendar change: running clocks get new due instants, stopped ones keep theirs. */
static void test_clocks_recompute(void)
{
    const struct calendar_tz *tz = NULL;
    struct request_clocks c, stopped;
    struct calendar before, after;
    struct acc_err err = {0};

    cal_make(&before, LONDON);
    T_EQ_INT(calendar_zones_get(zones, "Europe/London", &tz, &err), ACC_OK);
    /* The same hours with Wednesday 22 May a holiday too. */
    T_EQ_INT(calendar_parse(&after, tz, LONDON_HOURS, LONDON_HOLIDAYS ",2024-05-22", &err), ACC_OK);
    T_EQ_INT(request_clocks_start(&before, at(T0), 7200, 28800, &c, &err), 0);
    T_EQ_INT(request_clocks_recompute(&after, &c, &err), ACC_OK);
    T_EQ_INT(c.response_due_at, at("2024-05-21T12:00+01:00"));
    T_EQ_INT(c.resolution_due_at, at("2024-05-23T10:30+01:00"));
    /* Back on the first calendar, after 210 minutes paused: both pauses and hours count. */
    request_clocks_pause(&c, at("2024-05-21T16:00+01:00"));
    T_EQ_INT(request_clocks_resume(&before, &c, at("2024-05-22T11:00+01:00"), &err), 0);
    T_EQ_INT(request_clocks_recompute(&before, &c, &err), ACC_OK);
    T_EQ_INT(c.resolution_due_at, at("2024-05-22T15:00+01:00"));
    /* Stopped clocks keep what they measured. */
    request_clocks_respond(&c, at("2024-05-21T11:00+01:00"));
    T_EQ_INT(request_clocks_resolve(&before, &c, at("2024-05-22T14:00+01:00"), &err), 0);
    stopped = c;
    T_EQ_INT(request_clocks_recompute(&after, &c, &err), ACC_OK);
    T_OK(memcmp(&stopped, &c, sizeof(c)) == 0);
    calendar_release(&after);
    calendar_release(&before);
}

static void test_level_due(void)
{
    struct request_clocks c;
    struct calendar cal;
    struct acc_err err = {0};
    int64_t when = -1;

    cal_make(&cal, LONDON);
    T_EQ_INT(request_clocks_start(&cal, at(T0), 7200, 28800, &c, &err), 0);
    T_EQ_INT(request_level_due(&cal, &c, CONTRACT_RESPONSE, 100, &when, &err), ACC_OK);
    T_EQ_INT(when, at("2024-05-21T12:00+01:00"));
    T_EQ_INT(request_level_due(&cal, &c, CONTRACT_RESPONSE, 50, &when, &err), ACC_OK);
    T_EQ_INT(when, at("2024-05-21T11:00+01:00"));
    T_EQ_INT(request_level_due(&cal, &c, CONTRACT_RESOLUTION, 75, &when, &err), ACC_OK);
    T_EQ_INT(when, at("2024-05-21T17:00+01:00"));
    T_EQ_INT(request_level_due(&cal, &c, CONTRACT_RESOLUTION, 100, &when, &err), ACC_OK);
    T_EQ_INT(when, at("2024-05-22T10:30+01:00"));
    T_EQ_INT(request_level_due(&cal, &c, CONTRACT_RESOLUTION, 150, &when, &err), ACC_OK);
    T_EQ_INT(when, at("2024-05-22T15:30+01:00"));

    /* While waiting the resolution levels are not due at all; the response's still are. */
    request_clocks_pause(&c, at("2024-05-21T16:00+01:00"));
    T_EQ_INT(request_level_due(&cal, &c, CONTRACT_RESOLUTION, 75, &when, &err), ACC_OK);
    T_EQ_INT(when, 0);
    T_EQ_INT(request_level_due(&cal, &c, CONTRACT_RESPONSE, 100, &when, &err), ACC_OK);
    T_EQ_INT(when, at("2024-05-21T12:00+01:00"));

    /* After 210 paused minutes every resolution level moves by them. */
    T_EQ_INT(request_clocks_resume(&cal, &c, at("2024-05-22T11:00+01:00"), &err), 0);
    T_EQ_INT(request_level_due(&cal, &c, CONTRACT_RESOLUTION, 75, &when, &err), ACC_OK);
    T_EQ_INT(when, at("2024-05-22T12:00+01:00"));
    T_EQ_INT(request_level_due(&cal, &c, CONTRACT_RESOLUTION, 100, &when, &err), ACC_OK);
    T_EQ_INT(when, at("2024-05-22T15:00+01:00"));
    T_EQ_INT(request_level_due(&cal, &c, CONTRACT_RESOLUTION, 150, &when, &err), ACC_OK);
    T_EQ_INT(when, at("2024-05-23T10:30+01:00"));

    /* A stopped clock has nothing due. */
    request_clocks_respond(&c, at("2024-05-22T11:00+01:00"));
    T_EQ_INT(request_level_due(&cal, &c, CONTRACT_RESPONSE, 100, &when, &err), ACC_OK);
    T_EQ_INT(when, 0);
    T_EQ_INT(request_clocks_resolve(&cal, &c, at("2024-05-22T14:00+01:00"), &err), 0);
    T_EQ_INT(request_level_due(&cal, &c, CONTRACT_RESOLUTION, 150, &when, &err), ACC_OK);
    T_EQ_INT(when, 0);
    calendar_release(&cal);

    /* Percentages of a target round up to the second. */
    cal_make(&cal, UTC7);
    T_EQ_INT(request_clocks_start(&cal, at("2024-03-01T12:00Z"), 7, 7, &c, &err), 0);
    T_EQ_INT(request_level_due(&cal, &c, CONTRACT_RESOLUTION, 75, &when, &err), ACC_OK);
    T_EQ_INT(when, at("2024-03-01T12:00:06Z"));
    T_EQ_INT(request_level_due(&cal, &c, CONTRACT_RESOLUTION, 150, &when, &err), ACC_OK);
    T_EQ_INT(when, at("2024-03-01T12:00:11Z"));
    calendar_release(&cal);

    /* Across the spring change on the night shift: 6 of the night's 7 real hours. */
    cal_make(&cal, NIGHT);
    T_EQ_INT(request_clocks_start(&cal, at("2024-03-30T21:00+01:00"), 7200, 28800, &c, &err), 0);
    T_EQ_INT(request_level_due(&cal, &c, CONTRACT_RESOLUTION, 75, &when, &err), ACC_OK);
    T_EQ_INT(when, at("2024-03-31T05:00+02:00"));
    T_EQ_INT(request_level_due(&cal, &c, CONTRACT_RESOLUTION, 100, &when, &err), ACC_OK);
    T_EQ_INT(when, at("2024-03-31T23:00+02:00"));
    calendar_release(&cal);
}

static void test_autoclose(void)
{
    static const struct {
        enum cal_kind cal;
        const char *resolved, *closes;
    } cases[] = {
        /* 5 days of 7.5 hours; the bank holiday on Monday 27 is skipped */
        {LONDON, "2024-05-21T10:00+01:00", "2024-05-29T10:00+01:00"},
        {LONDON, "2024-05-22T14:00+01:00", "2024-05-30T14:00+01:00"},
        /* 5 nights of 8 hours, every night */
        {NIGHT, "2024-06-03T23:00+02:00", "2024-06-08T23:00+02:00"},
        /* 5 days of 24 hours */
        {UTC7, "2024-03-01T12:00Z", "2024-03-06T12:00Z"},
        /* a mean day of (4 x 8 + 6) / 5 = 7.6 hours: 38 hours end at Friday's closing */
        {SHORTFRI, "2024-06-03T09:00Z", "2024-06-07T15:00Z"},
    };

    for (size_t i = 0; i < ACC_ARRAY_LEN(cases); i++) {
        struct calendar cal;
        struct acc_err err = {0};
        int64_t when = 0;

        cal_make(&cal, cases[i].cal);
        T_EQ_INT(request_autoclose_at(&cal, at(cases[i].resolved), &when, &err), ACC_OK);
        if (when != at(cases[i].closes)) {
            char m[200];

            snprintf(m, sizeof(m), "case %zu: resolved %s closes at %lld, want %s (%lld)", i,
                     cases[i].resolved, (long long)when, cases[i].closes,
                     (long long)at(cases[i].closes));
            t_report(__FILE__, __LINE__, m);
        }
        calendar_release(&cal);
    }
    {
        const struct calendar_tz *tz = NULL;
        struct calendar cal;
        struct acc_err err = {0};
        int64_t when = 0;

        T_EQ_INT(calendar_zones_get(zones, "UTC", &tz, &err), ACC_OK);
        T_EQ_INT(calendar_parse(&cal, tz, "-,-,-,-,-,-,-", "-", &err), ACC_OK);
        T_EQ_INT(request_autoclose_at(&cal, at("2024-03-01T12:00Z"), &when, &err), ACC_ENOTFOUND);
        calendar_release(&cal);
    }
}

/* ---- requests in the store ---- */

static struct store *st;
static struct acc_arena *arena;
static int64_t fin, sales, it, cal_id, policy_id;
static int64_t fin_head, fin_point, fin_deputy, fin_member, fin_point2;
static int64_t sales_head, sales_point, sales_member, it_head, it_member;
static int64_t credit, invoices, expenses; /* contracts: no priorities, priorities, own point */
static int64_t conversation;               /* the request of test_db_comments */
static int64_t branch_cal, payroll;        /* a second calendar and a contract on it */

static struct org_actor actor_of(int64_t person)
{
    struct org_person p;
    struct acc_err err;

    T_EQ_INT(org_person_get(st, person, arena, &p, &err), ACC_OK);
    return fx_actor(person, p.department.id, p.role);
}

static int64_t count(const char *fmt, ...) ACC_PRINTF(1, 2);
static int64_t count(const char *fmt, ...)
{
    char sql[512];
    struct acc_err err;
    int64_t n = -1;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    if (store_query_int(st, sql, NULL, 0, &n, &err))
        t_report(__FILE__, __LINE__, err.msg);
    return n;
}

/* The rows of a query of ncol columns as "a,b,c;a,b,c;" (NULL as "-"), in the arena. */
static const char *rows(int ncol, const char *fmt, ...) ACC_PRINTF(2, 3);
static const char *rows(int ncol, const char *fmt, ...)
{
    char sql[512];
    struct store_stmt *stmt = NULL;
    struct acc_err err;
    struct acc_buf b;
    const char *out;
    bool row = false;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    acc_buf_init(&b);
    acc_buf_adds(&b, "");
    if (store_exec(st, sql, NULL, 0, &stmt, &err)) {
        t_report(__FILE__, __LINE__, err.msg);
    } else {
        while (!store_step(stmt, &row, &err) && row) {
            for (int i = 0; i < ncol; i++) {
                const char *v = store_col_null(stmt, i) ? "-" : store_col_text(stmt, i);

                acc_buf_addf(&b, "%s%s", i ? "," : "", v ? v : "");
            }
            acc_buf_adds(&b, ";");
        }
        store_finish(stmt);
    }
    out = acc_arena_strdup(arena, b.buf);
    acc_buf_release(&b);
    return out;
}

static int64_t make_contract(int64_t service, int64_t calendar, int64_t response,
                             int64_t resolution, struct contract_priority *prio, int n_prio)
{
    struct org_actor sys = org_actor_system("test");
    struct contract_expectation e[] = {{MEASURE_PROVIDER, measure_find("quality"), 4 * M, M, ""}};
    struct contract_create_input in = {0};
    struct contract_version v;
    struct contract c = {0};
    struct acc_err err = {0};

    in.service_id = service;
    in.consumer_department_id = sales;
    in.formal = false;
    in.terms.has_calendar = in.terms.has_response = in.terms.has_resolution = true;
    in.terms.has_policy = in.terms.has_expectations[0] = true;
    in.terms.has_priorities = n_prio > 0;
    in.terms.terms.calendar.id = calendar;
    in.terms.terms.policy.id = policy_id;
    in.terms.terms.response_minutes = response;
    in.terms.terms.resolution_minutes = resolution;
    in.terms.terms.expectations = e;
    in.terms.terms.n_expectations = 1;
    in.terms.terms.priorities = prio;
    in.terms.terms.n_priorities = n_prio;
    T_EQ_INT(contract_create(st, &sys, &in, arena, &c, &err), ACC_OK);
    T_EQ_INT(contract_version_act(st, &sys, c.id, 1, CONTRACT_ACTIVATE, 0, arena, &v, &err),
             ACC_OK);
    T_EQ_INT(v.n_levels, 4);
    return c.id;
}

static int64_t make_service(const char *name, int64_t point, int64_t deputy)
{
    struct org_actor sys = org_actor_system("test");
    struct contract_service_input si = {0};
    struct contract_service s = {0};
    struct acc_err err = {0};

    si.has_name = si.has_provider = si.has_point_person = si.has_deputy = true;
    si.name = name;
    si.provider_id = fin;
    si.point_person_id = point;
    si.deputy_id = deputy;
    T_EQ_INT(contract_service_create(st, &sys, &si, arena, &s, &err), ACC_OK);
    return s.id;
}

static void set_department(int64_t dept, int64_t head, int64_t point)
{
    struct org_actor sys = org_actor_system("test");
    struct org_department_input in = {0};
    struct org_department d;
    struct acc_err err = {0};

    in.has_head = in.has_point_person = true;
    in.head_id = head;
    in.point_person_id = point;
    T_EQ_INT(org_department_update(st, &sys, dept, &in, arena, &d, &err), ACC_OK);
}

static void db_setup(void)
{
    struct org_actor sys = org_actor_system("test");
    struct calendar_input ci = {.has_name = true,
                                .has_zone = true,
                                .has_week = true,
                                .name = "Head office",
                                .zone = "Europe/London"};
    /* The demo's "Standard escalation", with a named person on level 3. */
    struct org_ref named[1] = {{0, NULL}};
    struct contract_level levels[] = {
        {CONTRACT_RESPONSE, 100, CONTRACT_NOTIFY_POINT_PERSON | CONTRACT_NOTIFY_DEPUTY, NULL, 0,
         false, CONTRACT_REASSIGN_NONE},
        {CONTRACT_RESOLUTION, 75, CONTRACT_NOTIFY_POINT_PERSON, NULL, 0, false,
         CONTRACT_REASSIGN_NONE},
        {CONTRACT_RESOLUTION, 100, CONTRACT_NOTIFY_PROVIDER_HEAD | CONTRACT_NOTIFY_CONSUMER_HEAD,
         named, 1, false, CONTRACT_REASSIGN_NONE},
        {CONTRACT_RESOLUTION, 150, CONTRACT_NOTIFY_PROVIDER_HEAD, NULL, 0, true,
         CONTRACT_REASSIGN_DEPUTY},
    };
    struct contract_policy_input pin = {true, false, true, "Standard escalation", 0, levels, 4};
    static struct contract_priority prio[] = {
        {"urgent", M / 2, false}, {"normal", M, true}, {"low", 2 * M, false}};
    static const char *const holidays[] = {"2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26"};
    struct contract_policy p;
    struct calendar_record c;
    struct acc_err err = {0};

    arena = acc_arena_new();
    T_EQ_INT(store_open(":memory:", &st, &err), ACC_OK);
    T_EQ_INT(store_migrate(st, NULL, &err), ACC_OK);
    fin = fx_department(st, arena, "Finance");
    sales = fx_department(st, arena, "Sales");
    it = fx_department(st, arena, "IT");
    fin_head = fx_person(st, arena, "Fin Head", "fin.head@example.org", fin, ORG_ROLE_HEAD);
    fin_point =
        fx_person(st, arena, "Fin Point", "fin.point@example.org", fin, ORG_ROLE_POINT_PERSON);
    fin_deputy = fx_person(st, arena, "Fin Deputy", "fin.deputy@example.org", fin, ORG_ROLE_MEMBER);
    fin_member = fx_person(st, arena, "Fin Member", "fin.member@example.org", fin, ORG_ROLE_MEMBER);
    fin_point2 =
        fx_person(st, arena, "Fin Point2", "fin.point2@example.org", fin, ORG_ROLE_POINT_PERSON);
    sales_head = fx_person(st, arena, "Sales Head", "sales.head@example.org", sales, ORG_ROLE_HEAD);
    sales_point = fx_person(st, arena, "Sales Point", "sales.point@example.org", sales,
                            ORG_ROLE_POINT_PERSON);
    sales_member =
        fx_person(st, arena, "Sales Member", "sales.member@example.org", sales, ORG_ROLE_MEMBER);
    it_head = fx_person(st, arena, "IT Head", "it.head@example.org", it, ORG_ROLE_HEAD);
    it_member = fx_person(st, arena, "IT Member", "it.member@example.org", it, ORG_ROLE_MEMBER);
    named[0].id = fin_member;
    set_department(fin, fin_head, fin_point);
    set_department(sales, sales_head, sales_point);
    set_department(it, it_head, it_head);
    T_EQ_INT(calendar_week_parse(LONDON_HOURS, &ci.week, &err), ACC_OK);
    T_EQ_INT(calendar_record_create(st, &sys, zones, &ci, arena, &c, &err), ACC_OK);
    cal_id = c.id;
    for (size_t i = 0; i < ACC_ARRAY_LEN(holidays); i++) {
        struct calendar_holiday h;

        T_EQ_INT(
            calendar_holiday_add(st, &sys, cal_id, holidays[i], "Bank holiday", arena, &h, &err),
            ACC_OK);
    }
    T_EQ_INT(contract_policy_create(st, &sys, &pin, arena, &p, &err), ACC_OK);
    policy_id = p.id;
    credit = make_contract(make_service("Credit check", fin_point, fin_deputy), cal_id, 120, 480,
                           NULL, 0);
    invoices = make_contract(make_service("Invoice query", fin_point, fin_deputy), cal_id, 60, 240,
                             prio, 3);
    expenses = make_contract(make_service("Expense claim", fin_point2, fin_deputy), cal_id, 120,
                             480, NULL, 0);
    /* A branch office on its own calendar (no holidays yet), for calendar changes. */
    ci.name = "Branch office";
    T_EQ_INT(calendar_record_create(st, &sys, zones, &ci, arena, &c, &err), ACC_OK);
    branch_cal = c.id;
    payroll = make_contract(make_service("Payroll query", fin_point, fin_deputy), branch_cal, 120,
                            480, NULL, 0);
}

static int64_t raise_at(int64_t contract, const char *title, const char *priority, const char *when,
                        struct request *out)
{
    struct org_actor who = actor_of(sales_member);
    struct request_input in = {contract, title, "details", priority, NULL};
    struct request r = {0};
    struct acc_err err = {0};

    T_EQ_INT(request_create(st, zones, &who, &in, at(when), arena, &r, &err), ACC_OK);
    if (out)
        *out = r;
    return r.id;
}

static struct request reload(int64_t id)
{
    struct org_actor admin = fx_actor(0, 0, ORG_ROLE_ADMIN);
    struct request r = {0};
    struct acc_err err = {0};

    T_EQ_INT(request_get(st, &admin, id, arena, &r, &err), ACC_OK);
    return r;
}

static void test_db_create(void)
{
    struct request r;
    struct acc_err err = {0};
    int64_t id, before;

    id = raise_at(credit, "Credit check for ACME", NULL, T0, &r);
    T_OK(id > 0);
    T_EQ_INT(r.status, REQUEST_OPEN);
    T_EQ_INT(r.contract_id, credit);
    T_EQ_INT(r.version_number, 1);
    T_EQ_INT(r.calendar_id, cal_id);
    T_EQ_INT(r.provider.id, fin);
    T_EQ_INT(r.consumer.id, sales);
    T_EQ_INT(r.requester.id, sales_member);
    T_EQ_INT(r.assignee.id, fin_point);
    T_OK(r.priority == NULL);
    T_EQ_INT(r.priority_factor, M);
    T_EQ_STR(r.title, "Credit check for ACME");
    T_EQ_INT(r.created_at, at(T0));
    T_EQ_INT(r.clocks.response_target_secs, 7200);
    T_EQ_INT(r.clocks.resolution_target_secs, 28800);
    T_EQ_INT(r.clocks.response_due_at, at("2024-05-21T12:00+01:00"));
    T_EQ_INT(r.clocks.resolution_due_at, at("2024-05-22T10:30+01:00"));
    T_EQ_INT(r.clocks.response_met, -1);
    T_EQ_INT(r.clocks.resolution_met, -1);
    /* The first level due: the response clock's 100 %. */
    T_EQ_INT(r.next_fire_at, at("2024-05-21T12:00+01:00"));
    T_OK(!r.imported);
    /* Its timeline, its audit row, the assignee's notification. */
    T_EQ_STR(rows(2, "SELECT kind, actor_id FROM request_event WHERE request_id = %lld ORDER BY id",
                  (long long)id),
             acc_arena_printf(arena, "created,%lld;assigned,-;", (long long)sales_member));
    T_EQ_INT(count("SELECT COUNT(*) FROM audit WHERE entity = 'request' AND entity_id = %lld",
                   (long long)id),
             1);
    T_EQ_STR(rows(3,
                  "SELECT event_type, recipients, state FROM outbox WHERE entity = 'request' AND "
                  "entity_id = %lld",
                  (long long)id),
             acc_arena_printf(arena, "request.raised,[%lld],pending;", (long long)fin_point));

    /* Priorities scale both targets; the default is the contract's. */
    raise_at(invoices, "Invoice 1", NULL, T0, &r);
    T_EQ_STR(r.priority, "normal");
    T_EQ_INT(r.clocks.response_target_secs, 3600);
    T_EQ_INT(r.clocks.resolution_target_secs, 14400);
    T_EQ_INT(r.clocks.resolution_due_at, at("2024-05-21T15:00+01:00"));
    raise_at(invoices, "Invoice 2", "low", T0, &r);
    T_EQ_STR(r.priority, "low");
    T_EQ_INT(r.priority_factor, 2 * M);
    T_EQ_INT(r.clocks.response_target_secs, 7200);
    T_EQ_INT(r.clocks.resolution_due_at, at("2024-05-22T10:30+01:00"));
    raise_at(invoices, "Invoice 3", "urgent", T0, &r);
    T_EQ_INT(r.clocks.response_due_at, at("2024-05-21T10:30+01:00"));
    T_EQ_INT(r.clocks.resolution_due_at, at("2024-05-21T12:00+01:00"));

    /* Refusals store nothing. */
    before = count("SELECT COUNT(*) FROM request");
    {
        static char long_title[REQUEST_TITLE_MAX + 2];
        static const struct {
            int64_t *contract;
            const char *title, *priority, *external;
            int64_t *who;
            int rc;
            const char *field;
        } bad[] = {
            {&credit, "x", NULL, NULL, &fin_member, ACC_EPERM, NULL},
            {&credit, "x", NULL, NULL, &fin_head, ACC_EPERM, NULL},
            {&credit, "x", NULL, NULL, &it_member, ACC_EPERM, NULL},
            {&credit, "", NULL, NULL, &sales_member, ACC_EINVAL, "/title"},
            {&credit, long_title, NULL, NULL, &sales_member, ACC_EINVAL, "/title"},
            {&credit, "x", "urgent", NULL, &sales_member, ACC_EINVAL, "/priority"},
            {&invoices, "x", "Urgent", NULL, &sales_member, ACC_EINVAL, "/priority"},
            {&credit, "x", NULL, "", &sales_member, ACC_EINVAL, "/external_ref"},
        };

        memset(long_title, 'x', sizeof(long_title) - 1);
        for (size_t i = 0; i < ACC_ARRAY_LEN(bad); i++) {
            struct org_actor who = actor_of(*bad[i].who);
            struct request_input in = {*bad[i].contract, bad[i].title, NULL, bad[i].priority,
                                       bad[i].external};
            int rc = request_create(st, zones, &who, &in, at(T0), arena, &r, &err);

            if (rc != bad[i].rc || (bad[i].field && strcmp(err.field, bad[i].field) != 0)) {
                char m[200];

                snprintf(m, sizeof(m), "refusal %zu: rc %d field '%s', want %d '%s'", i, rc,
                         err.field, bad[i].rc, bad[i].field ? bad[i].field : "");
                t_report(__FILE__, __LINE__, m);
            }
        }
    }
    {
        struct org_actor admin = fx_actor(0, 0, ORG_ROLE_ADMIN), who = actor_of(sales_member);
        struct request_input in = {9999, "x", NULL, NULL, NULL};

        T_EQ_INT(request_create(st, zones, &who, &in, at(T0), arena, &r, &err), ACC_EINVAL);
        T_EQ_STR(err.field, "/contract_id");
        in.contract_id = credit;
        T_EQ_INT(request_create(st, zones, &admin, &in, at(T0), arena, &r, &err), ACC_EPERM);
    }
    T_EQ_INT(count("SELECT COUNT(*) FROM request"), before);

    /* An external reference is unique per contract. */
    {
        struct org_actor who = actor_of(sales_member);
        struct request_input in = {credit, "Imported", NULL, NULL, "RT-1"};

        T_EQ_INT(request_create(st, zones, &who, &in, at(T0), arena, &r, &err), ACC_OK);
        T_EQ_STR(r.external_ref, "RT-1");
        T_EQ_INT(store_begin(st, true, &err), ACC_OK);
        T_EQ_INT(request_create(st, zones, &who, &in, at(T0), arena, &r, &err), ACC_ECONFLICT);
        T_EQ_STR(err.field, "/external_ref");
        store_rollback(st);
        in.contract_id = invoices; /* another contract may use it */
        T_EQ_INT(request_create(st, zones, &who, &in, at(T0), arena, &r, &err), ACC_OK);
    }
}

/* The service's point person, else its deputy when the point person is inactive. */
static void test_db_assignee_deputy(void)
{
    struct org_actor sys = org_actor_system("test");
    struct org_person_input pin = {.has_active = true, .active = false};
    struct org_person p;
    struct request r;
    struct acc_err err = {0};

    raise_at(expenses, "Expenses of May", NULL, T0, &r);
    T_EQ_INT(r.assignee.id, fin_point2);
    T_EQ_INT(org_person_update(st, &sys, fin_point2, &pin, arena, &p, &err), ACC_OK);
    raise_at(expenses, "Expenses of June", NULL, T0, &r);
    T_EQ_INT(r.assignee.id, fin_deputy);
    pin.active = true;
    T_EQ_INT(org_person_update(st, &sys, fin_point2, &pin, arena, &p, &err), ACC_OK);
}

static int move(int64_t who, int64_t id, enum request_status to, const char *reason,
                enum request_wait_reason why, const char *when, struct request *out)
{
    struct org_actor a = actor_of(who);
    struct acc_err err = {0};
    struct request r;

    return request_move(st, zones, &a, id, to, reason, why, at(when), arena, out ? out : &r, &err);
}

/* The whole lifecycle, the clocks stored at each step (the instants of test_clocks_*). */
static void test_db_lifecycle(void)
{
    struct request r;
    struct acc_err err = {0};
    int64_t id = raise_at(credit, "Lifecycle", NULL, T0, NULL);
    int64_t outbox0 = count("SELECT COUNT(*) FROM outbox");

    /* Who may not. */
    T_EQ_INT(move(it_head, id, REQUEST_IN_PROGRESS, NULL, 0, "2024-05-21T10:30+01:00", &r),
             ACC_ENOTFOUND);
    T_EQ_INT(move(sales_member, id, REQUEST_IN_PROGRESS, NULL, 0, "2024-05-21T10:30+01:00", &r),
             ACC_EPERM);
    T_EQ_INT(move(fin_member, id, REQUEST_CLOSED, NULL, 0, "2024-05-21T10:30+01:00", &r),
             ACC_ECONFLICT);
    T_EQ_INT(move(fin_member, id, REQUEST_REOPENED, "x", 0, "2024-05-21T10:30+01:00", &r),
             ACC_ECONFLICT);
    T_EQ_INT(move(fin_member, id, REQUEST_WAITING, NULL, 0, "2024-05-21T10:30+01:00", &r),
             ACC_EINVAL);
    T_EQ_INT(move(fin_member, id, REQUEST_WAITING, "", 0, "2024-05-21T10:30+01:00", &r),
             ACC_EINVAL);
    r = reload(id);
    T_EQ_INT(r.status, REQUEST_OPEN);
    T_EQ_INT(r.clocks.responded_at, 0);

    /* The provider starts: the response clock stops, met. */
    T_EQ_INT(move(fin_member, id, REQUEST_IN_PROGRESS, NULL, 0, "2024-05-21T11:00+01:00", &r),
             ACC_OK);
    T_EQ_INT(r.status, REQUEST_IN_PROGRESS);
    T_EQ_INT(r.clocks.responded_at, at("2024-05-21T11:00+01:00"));
    T_EQ_INT(r.clocks.response_met, 1);
    T_EQ_INT(r.next_fire_at, at("2024-05-21T17:00+01:00")); /* resolution 75 % */

    /* Waiting on the consumer for missing information: paused, nothing due. */
    T_EQ_INT(move(fin_member, id, REQUEST_WAITING, "Registration number?",
                  REQUEST_WAIT_MISSING_INFO, "2024-05-21T16:00+01:00", &r),
             ACC_OK);
    T_EQ_INT(r.status, REQUEST_WAITING);
    T_EQ_INT(r.missing_info_count, 1);
    T_EQ_INT(r.clocks.paused_since, at("2024-05-21T16:00+01:00"));
    T_EQ_INT(r.next_fire_at, 0);
    T_EQ_STR(
        rows(2, "SELECT event_type, recipients FROM outbox WHERE id > %lld", (long long)outbox0),
        acc_arena_printf(arena, "request.waiting_on_consumer,[%lld];", (long long)sales_member));

    /* The consumer answers: 210 business minutes paused move the due instant. */
    T_EQ_INT(move(sales_member, id, REQUEST_IN_PROGRESS, NULL, 0, "2024-05-22T11:00+01:00", &r),
             ACC_OK);
    T_EQ_INT(r.clocks.paused_since, 0);
    T_EQ_INT(r.clocks.paused_secs, 210 * 60);
    T_EQ_INT(r.clocks.resolution_due_at, at("2024-05-22T15:00+01:00"));
    T_EQ_INT(r.next_fire_at, at("2024-05-22T12:00+01:00"));
    T_EQ_STR(rows(1,
                  "SELECT detail FROM request_event WHERE request_id = %lld AND kind = 'status' "
                  "ORDER BY id DESC LIMIT 1",
                  (long long)id),
             acc_arena_printf(arena,
                              "{\"from\":\"waiting_on_consumer\",\"to\":\"in_progress\",\"reason\":"
                              "null,\"resolution_due_at\":%lld};",
                              (long long)at("2024-05-22T15:00+01:00")));

    /* Resolved in time; the automatic close is what comes next. */
    T_EQ_INT(move(fin_point, id, REQUEST_RESOLVED, NULL, 0, "2024-05-22T14:00+01:00", &r), ACC_OK);
    T_EQ_INT(r.status, REQUEST_RESOLVED);
    T_EQ_INT(r.clocks.resolved_at, at("2024-05-22T14:00+01:00"));
    T_EQ_INT(r.clocks.resolution_secs, 420 * 60);
    T_EQ_INT(r.clocks.resolution_met, 1);

    /* The consumer reopens, with a reason: the hour that was left counts again. */
    T_EQ_INT(move(sales_member, id, REQUEST_REOPENED, NULL, 0, "2024-05-23T10:00+01:00", &r),
             ACC_EINVAL);
    T_EQ_INT(move(fin_point, id, REQUEST_REOPENED, "no", 0, "2024-05-23T10:00+01:00", &r),
             ACC_EPERM);
    T_EQ_INT(
        move(sales_member, id, REQUEST_REOPENED, "Wrong customer", 0, "2024-05-23T10:00+01:00", &r),
        ACC_OK);
    T_EQ_INT(r.status, REQUEST_REOPENED);
    T_EQ_INT(r.reopen_count, 1);
    T_EQ_INT(r.clocks.resolved_at, 0);
    T_EQ_INT(r.clocks.resolution_met, -1);
    T_EQ_INT(r.clocks.paused_secs, 480 * 60);
    T_EQ_INT(r.clocks.resolution_due_at, at("2024-05-23T11:00+01:00"));

    T_EQ_INT(move(fin_point, id, REQUEST_IN_PROGRESS, NULL, 0, "2024-05-23T10:05+01:00", &r),
             ACC_OK);
    T_EQ_INT(move(fin_point, id, REQUEST_RESOLVED, NULL, 0, "2024-05-23T10:30+01:00", &r), ACC_OK);
    T_EQ_INT(r.clocks.resolution_secs, 450 * 60);
    T_EQ_INT(r.clocks.resolution_met, 1);
    T_EQ_INT(r.next_fire_at, at("2024-05-31T10:30+01:00")); /* the automatic close */

    /* The consumer accepts: closed, nothing due any more. */
    T_EQ_INT(move(fin_point, id, REQUEST_CLOSED, NULL, 0, "2024-05-23T11:00+01:00", &r), ACC_EPERM);
    T_EQ_INT(move(sales_member, id, REQUEST_CLOSED, NULL, 0, "2024-05-23T11:00+01:00", &r), ACC_OK);
    T_EQ_INT(r.status, REQUEST_CLOSED);
    T_EQ_INT(r.closed_at, at("2024-05-23T11:00+01:00"));
    T_EQ_INT(r.next_fire_at, 0);
    T_EQ_INT(move(sales_member, id, REQUEST_REOPENED, "again", 0, "2024-05-23T12:00+01:00", &r),
             ACC_ECONFLICT);
    {
        struct org_actor a = actor_of(sales_member);
        struct request_comment c;

        T_EQ_INT(request_comment_add(st, zones, &a, id, "thanks", false, at("2024-05-23T12:00Z"),
                                     arena, &c, &err),
                 ACC_ECONFLICT);
    }
    T_EQ_INT(count("SELECT COUNT(*) FROM request_event WHERE request_id = %lld AND kind = "
                   "'status'",
                   (long long)id),
             8);
    T_EQ_INT(count("SELECT COUNT(*) FROM audit WHERE entity = 'request' AND entity_id = %lld",
                   (long long)id),
             9);
}

static void test_db_comments(void)
{
    struct org_actor consumer = actor_of(sales_member), provider = actor_of(fin_member);
    struct org_actor third = actor_of(it_member), admin = fx_actor(0, 0, ORG_ROLE_ADMIN);
    int64_t id = conversation = raise_at(credit, "Conversation", NULL, T0, NULL);
    int64_t outbox0 = count("SELECT COUNT(*) FROM outbox");
    struct request_comment c, *items;
    struct request_event *events;
    struct acc_err err = {0};
    struct request r;
    bool more;
    int n;

    T_EQ_INT(request_comment_add(st, zones, &third, id, "hello", false, at(T0), arena, &c, &err),
             ACC_ENOTFOUND);
    T_EQ_INT(request_comment_add(st, zones, &consumer, id, "psst", true, at(T0), arena, &c, &err),
             ACC_EPERM);
    T_EQ_STR(err.field, "/internal");
    T_EQ_INT(request_comment_add(st, zones, &consumer, id, "", false, at(T0), arena, &c, &err),
             ACC_EINVAL);
    T_EQ_STR(err.field, "/body");
    T_EQ_INT(count("SELECT COUNT(*) FROM request_comment WHERE request_id = %lld", (long long)id),
             0);

    /* An internal note and the consumer's words do not answer the request. */
    T_EQ_INT(request_comment_add(st, zones, &provider, id, "Check the ledger first", true,
                                 at("2024-05-21T10:30+01:00"), arena, &c, &err),
             ACC_OK);
    T_OK(c.internal);
    T_EQ_INT(request_comment_add(st, zones, &consumer, id, "It is urgent", false,
                                 at("2024-05-21T11:00+01:00"), arena, &c, &err),
             ACC_OK);
    r = reload(id);
    T_EQ_INT(r.clocks.responded_at, 0);
    /* The provider's first public word does, late here (due at 12:00). */
    T_EQ_INT(request_comment_add(st, zones, &provider, id, "On it", false,
                                 at("2024-05-21T12:30+01:00"), arena, &c, &err),
             ACC_OK);
    T_EQ_STR(c.body, "On it");
    T_EQ_INT(c.author.id, fin_member);
    T_EQ_INT(c.created_at, at("2024-05-21T12:30+01:00"));
    r = reload(id);
    T_EQ_INT(r.clocks.responded_at, at("2024-05-21T12:30+01:00"));
    T_EQ_INT(r.clocks.response_met, 0);
    T_EQ_INT(r.status, REQUEST_OPEN); /* a comment is no move */
    T_EQ_INT(r.next_fire_at, at("2024-05-21T17:00+01:00"));
    T_EQ_INT(request_comment_add(st, zones, &provider, id, "Done soon", false,
                                 at("2024-05-21T13:45+01:00"), arena, &c, &err),
             ACC_OK);
    r = reload(id);
    T_EQ_INT(r.clocks.responded_at, at("2024-05-21T12:30+01:00"));

    /*
     * Notifications: the consumer's comment to the assignee, the provider's to the requester.
     * The provider's first answer came after the response was due (12:00): the level due
     * then fires first (to the point person and deputy), before the answer stops the clock.
     */
    T_EQ_STR(rows(2, "SELECT event_type, recipients FROM outbox WHERE id > %lld ORDER BY id",
                  (long long)outbox0),
             acc_arena_printf(arena,
                              "request.comment,[%lld];request.escalated,[%lld,%lld];"
                              "request.comment,[%lld];request.comment,[%lld];",
                              (long long)fin_point, (long long)fin_point, (long long)fin_deputy,
                              (long long)sales_member, (long long)sales_member));

    /* The conversation: internal notes for the provider side only, and their events too. */
    T_EQ_INT(request_comment_list(st, &provider, id, 0, 50, arena, &items, &n, &more, &err), 0);
    T_EQ_INT(n, 4);
    T_OK(n == 4 && items[0].internal && !items[1].internal);
    T_EQ_INT(request_comment_list(st, &admin, id, 0, 50, arena, &items, &n, &more, &err), 0);
    T_EQ_INT(n, 4);
    T_EQ_INT(request_comment_list(st, &consumer, id, 0, 50, arena, &items, &n, &more, &err), 0);
    T_EQ_INT(n, 3);
    for (int i = 0; i < n; i++)
        T_OK(!items[i].internal);
    T_EQ_INT(request_comment_list(st, &third, id, 0, 50, arena, &items, &n, &more, &err),
             ACC_ENOTFOUND);
    /* Pages. */
    T_EQ_INT(request_comment_list(st, &consumer, id, 0, 2, arena, &items, &n, &more, &err), 0);
    T_EQ_INT(n, 2);
    T_OK(more);
    T_EQ_INT(
        request_comment_list(st, &consumer, id, items[1].id, 2, arena, &items, &n, &more, &err), 0);
    T_EQ_INT(n, 1);
    T_OK(!more);

    T_EQ_INT(request_event_list(st, &provider, id, 0, 50, arena, &events, &n, &more, &err), 0);
    T_EQ_INT(n, 7); /* created, assigned, note, 3 comments, the response level */
    T_EQ_INT(request_event_list(st, &consumer, id, 0, 50, arena, &events, &n, &more, &err), 0);
    T_EQ_INT(n, 6);
    for (int i = 0; i < n; i++)
        T_OK(strcmp(events[i].kind, "note") != 0);
    T_EQ_INT(request_event_list(st, &third, id, 0, 50, arena, &events, &n, &more, &err),
             ACC_ENOTFOUND);
}

/* The escalation rows of request id: "clock,level,due_at,fired_at,manual;". */
static const char *escalations(int64_t id)
{
    return rows(5,
                "SELECT clock, level, due_at, fired_at, manual FROM request_escalation WHERE "
                "request_id = %lld ORDER BY level",
                (long long)id);
}

static int escalate(int64_t who, int64_t id, const char *when, struct request *out)
{
    struct org_actor a = actor_of(who);
    struct acc_err err = {0};
    struct request r;

    return request_escalate(st, zones, &a, id, at(when), arena, out ? out : &r, &err);
}

static void test_db_escalate_by_hand(void)
{
    int64_t id = raise_at(credit, "Escalated", NULL, T0, NULL);
    int64_t outbox0 = count("SELECT COUNT(*) FROM outbox");
    long long t1 = at("2024-05-21T10:30+01:00"), t2 = at("2024-05-21T10:40+01:00");
    long long t3 = at("2024-05-21T10:50+01:00"), t4 = at("2024-05-21T11:00+01:00");
    struct acc_err err = {0};
    struct request r;

    T_EQ_INT(escalate(it_head, id, "2024-05-21T10:30+01:00", &r), ACC_ENOTFOUND);
    T_EQ_INT(escalate(fin_head, id, "2024-05-21T10:30+01:00", &r), ACC_EPERM);
    T_EQ_STR(escalations(id), "");

    /* Each hand escalation fires the next level now, in the policy's order. */
    T_EQ_INT(escalate(sales_member, id, "2024-05-21T10:30+01:00", &r), ACC_OK);
    T_EQ_INT(r.next_fire_at, at("2024-05-21T17:00+01:00"));
    T_EQ_INT(escalate(sales_head, id, "2024-05-21T10:40+01:00", &r), ACC_OK);
    T_EQ_INT(escalate(sales_point, id, "2024-05-21T10:50+01:00", &r), ACC_OK);
    T_EQ_INT(r.assignee.id, fin_point);
    T_EQ_INT(escalate(sales_member, id, "2024-05-21T11:00+01:00", &r), ACC_OK);
    T_EQ_INT(r.assignee.id, fin_deputy); /* level 4 reassigns to the deputy */
    T_EQ_INT(r.next_fire_at, 0);
    T_EQ_STR(escalations(id),
             acc_arena_printf(arena,
                              "response,1,%lld,%lld,1;resolution,2,%lld,%lld,1;resolution,3,%lld,"
                              "%lld,1;resolution,4,%lld,%lld,1;",
                              t1, t1, t2, t2, t3, t3, t4, t4));
    T_EQ_INT(escalate(sales_member, id, "2024-05-21T11:10+01:00", &r), ACC_ECONFLICT);
    T_EQ_STR(rows(2, "SELECT event_type, recipients FROM outbox WHERE id > %lld ORDER BY id",
                  (long long)outbox0),
             acc_arena_printf(arena,
                              "request.escalated,[%lld,%lld];request.escalated,[%lld];"
                              "request.escalated,[%lld,%lld,%lld];request.escalated,[%lld];",
                              (long long)fin_point, (long long)fin_deputy, (long long)fin_point,
                              (long long)fin_head, (long long)sales_head, (long long)fin_member,
                              (long long)fin_head));
    T_EQ_INT(count("SELECT COUNT(*) FROM request_event WHERE request_id = %lld AND kind = "
                   "'escalated'",
                   (long long)id),
             4);

    /* At most once, by the database itself. */
    T_EQ_INT(store_exec(st,
                        acc_arena_printf(arena,
                                         "INSERT INTO request_escalation (request_id, clock, "
                                         "level, due_at, fired_at, manual) VALUES (%lld, "
                                         "'response', 1, 1, 1, 0)",
                                         (long long)id),
                        NULL, 0, NULL, &err),
             ACC_ECONFLICT);
    T_EQ_INT(store_exec(st,
                        acc_arena_printf(arena,
                                         "INSERT INTO request_escalation (request_id, clock, "
                                         "level, due_at, fired_at, manual) VALUES (%lld, "
                                         "'resolution', 4, 1, 1, 0)",
                                         (long long)id),
                        NULL, 0, NULL, &err),
             ACC_ECONFLICT);
    /* A catch-up long after fires nothing more. */
    T_EQ_INT(request_catch_up(st, zones, id, at("2024-05-30T12:00+01:00"), false, arena, &err),
             ACC_OK);
    T_EQ_INT(
        count("SELECT COUNT(*) FROM request_escalation WHERE request_id = %lld", (long long)id), 4);

    /* Nothing to escalate once resolved. */
    id = raise_at(credit, "Resolved first", NULL, T0, NULL);
    T_EQ_INT(move(fin_point, id, REQUEST_RESOLVED, NULL, 0, "2024-05-21T10:10+01:00", &r), ACC_OK);
    T_EQ_INT(escalate(sales_member, id, "2024-05-21T10:30+01:00", &r), ACC_ECONFLICT);
}

/* The level that raises priority moves the request to the next more urgent one. */
static void test_db_escalate_priority(void)
{
    int64_t id = raise_at(invoices, "Low priority", "low", T0, NULL);
    struct request r;

    for (int i = 0; i < 3; i++)
        T_EQ_INT(escalate(sales_member, id, "2024-05-21T10:30+01:00", &r), ACC_OK);
    T_EQ_STR(r.priority, "low");
    T_EQ_INT(escalate(sales_member, id, "2024-05-21T10:40+01:00", &r), ACC_OK);
    T_EQ_STR(r.priority, "normal");
    T_EQ_INT(r.priority_factor, M);
    T_EQ_INT(r.clocks.response_target_secs, 3600);
    T_EQ_INT(r.clocks.resolution_target_secs, 14400);
    T_EQ_INT(r.clocks.response_due_at, at("2024-05-21T11:00+01:00"));
    T_EQ_INT(r.clocks.resolution_due_at, at("2024-05-21T15:00+01:00"));
    T_EQ_INT(r.assignee.id, fin_deputy);
    T_EQ_STR(rows(1,
                  "SELECT detail FROM request_event WHERE request_id = %lld AND kind = 'priority'",
                  (long long)id),
             acc_arena_printf(arena,
                              "{\"from\":\"low\",\"to\":\"normal\",\"response_due_at\":%lld,"
                              "\"resolution_due_at\":%lld};",
                              (long long)at("2024-05-21T11:00+01:00"),
                              (long long)at("2024-05-21T15:00+01:00")));
}

/* A server down while levels fell due fires them on restart, each with its instant. */
static void test_db_catch_up(void)
{
    int64_t id = raise_at(credit, "Down", NULL, T0, NULL);
    int64_t outbox0 = count("SELECT COUNT(*) FROM outbox"), events0;
    long long down1 = at("2024-05-21T18:00+01:00"), down2 = at("2024-05-23T09:00+01:00");
    struct acc_err err = {0};
    struct request r;

    /* Up again on Tuesday at 18:00: the response's 100 % and the resolution's 75 %. */
    T_EQ_INT(request_catch_up(st, zones, id, down1, false, arena, &err), ACC_OK);
    T_EQ_STR(escalations(id),
             acc_arena_printf(arena, "response,1,%lld,%lld,0;resolution,2,%lld,%lld,0;",
                              (long long)at("2024-05-21T12:00+01:00"), down1,
                              (long long)at("2024-05-21T17:00+01:00"), down1));
    r = reload(id);
    T_EQ_INT(r.next_fire_at, at("2024-05-22T10:30+01:00"));
    T_EQ_INT(count("SELECT COUNT(*) FROM outbox WHERE id > %lld AND event_type = "
                   "'request.escalated' AND entity_id = %lld",
                   (long long)outbox0, (long long)id),
             2);
    /* The same instant again: nothing more. */
    T_EQ_INT(request_catch_up(st, zones, id, down1, false, arena, &err), ACC_OK);
    T_EQ_INT(
        count("SELECT COUNT(*) FROM request_escalation WHERE request_id = %lld", (long long)id), 2);

    /* Down again until Thursday 09:00: 100 % and 150 %, in the order they were due. */
    events0 = count("SELECT COALESCE(MAX(id), 0) FROM request_event");
    T_EQ_INT(request_catch_up(st, zones, id, down2, false, arena, &err), ACC_OK);
    T_EQ_STR(escalations(id),
             acc_arena_printf(arena,
                              "response,1,%lld,%lld,0;resolution,2,%lld,%lld,0;resolution,3,%lld,"
                              "%lld,0;resolution,4,%lld,%lld,0;",
                              (long long)at("2024-05-21T12:00+01:00"), down1,
                              (long long)at("2024-05-21T17:00+01:00"), down1,
                              (long long)at("2024-05-22T10:30+01:00"), down2,
                              (long long)at("2024-05-22T15:30+01:00"), down2));
    T_EQ_STR(rows(3,
                  "SELECT kind, at, actor_id FROM request_event WHERE request_id = %lld AND id > "
                  "%lld ORDER BY id",
                  (long long)id, (long long)events0),
             acc_arena_printf(arena, "escalated,%lld,-;escalated,%lld,-;assigned,%lld,-;", down2,
                              down2, down2));
    r = reload(id);
    T_EQ_INT(r.assignee.id, fin_deputy);
    T_EQ_INT(r.next_fire_at, 0);
    T_EQ_INT(r.status, REQUEST_OPEN);
    T_EQ_INT(count("SELECT COUNT(*) FROM outbox WHERE id > %lld AND event_type = "
                   "'request.escalated' AND entity_id = %lld",
                   (long long)outbox0, (long long)id),
             4);
}

/* Replaying history (an import) records every escalation and notifies nobody. */
static void test_db_replay_no_outbox(void)
{
    int64_t id = raise_at(credit, "Replayed", NULL, T0, NULL);
    int64_t outbox0 = count("SELECT COUNT(*) FROM outbox");
    struct acc_err err = {0};

    T_EQ_INT(request_catch_up(st, zones, id, at("2024-05-23T09:00+01:00"), true, arena, &err),
             ACC_OK);
    T_EQ_INT(
        count("SELECT COUNT(*) FROM request_escalation WHERE request_id = %lld", (long long)id), 4);
    T_EQ_INT(count("SELECT COUNT(*) FROM request_event WHERE request_id = %lld AND kind = "
                   "'escalated'",
                   (long long)id),
             4);
    T_EQ_INT(count("SELECT COUNT(*) FROM outbox"), outbox0);
}

/* A resolved request closes itself after 5 business days. */
static void test_db_autoclose(void)
{
    int64_t id = raise_at(credit, "Closes itself", NULL, T0, NULL);
    struct acc_err err = {0};
    struct request r;

    T_EQ_INT(move(fin_point, id, REQUEST_RESOLVED, NULL, 0, "2024-05-21T10:00+01:00", &r), ACC_OK);
    T_EQ_INT(r.next_fire_at, at("2024-05-29T10:00+01:00"));
    T_EQ_INT(request_catch_up(st, zones, id, at("2024-05-29T09:59+01:00"), false, arena, &err),
             ACC_OK);
    T_EQ_INT(reload(id).status, REQUEST_RESOLVED);
    T_EQ_INT(request_catch_up(st, zones, id, at("2024-05-29T10:00+01:00"), false, arena, &err),
             ACC_OK);
    r = reload(id);
    T_EQ_INT(r.status, REQUEST_CLOSED);
    T_EQ_INT(r.closed_at, at("2024-05-29T10:00+01:00"));
    T_EQ_INT(r.next_fire_at, 0);
    T_EQ_INT(count("SELECT COUNT(*) FROM request_event WHERE request_id = %lld AND kind = "
                   "'status' AND actor_id IS NULL",
                   (long long)id),
             1);
    /* Nothing fired on a request resolved at once. */
    T_EQ_STR(escalations(id), "");
}

/* The sweep handles what is due, oldest first, and says when the next thing is. */
static void test_db_sweep(void)
{
    int64_t now = at("2024-05-21T12:00+01:00"), due, next = -1;
    struct acc_err err = {0};
    int done = -1;

    raise_at(credit, "Swept", NULL, T0, NULL);
    due = count("SELECT COUNT(*) FROM request WHERE next_fire_at <= %lld", (long long)now);
    T_OK(due >= 2);
    T_EQ_INT(request_sweep(st, zones, now, 1, &done, &next, &err), ACC_OK);
    T_EQ_INT(done, 1);
    T_EQ_INT(count("SELECT COUNT(*) FROM request WHERE next_fire_at <= %lld", (long long)now),
             due - 1);
    T_EQ_INT(request_sweep(st, zones, now, 1000, &done, &next, &err), ACC_OK);
    T_EQ_INT(done, due - 1);
    T_EQ_INT(count("SELECT COUNT(*) FROM request WHERE next_fire_at <= %lld", (long long)now), 0);
    T_EQ_INT(next, count("SELECT MIN(next_fire_at) FROM request"));
    T_OK(next > now);
    T_EQ_INT(request_sweep(st, zones, now, 1000, &done, &next, &err), ACC_OK);
    T_EQ_INT(done, 0);
}

/* A calendar change moves the running clocks of the open requests on it, and only those. */
static void test_db_calendar_changed(void)
{
    struct org_actor sys = org_actor_system("test");
    int64_t running = raise_at(payroll, "Running", NULL, T0, NULL);
    int64_t answered = raise_at(payroll, "Answered", NULL, T0, NULL);
    int64_t resolved = raise_at(payroll, "Resolved", NULL, T0, NULL);
    int64_t waiting = raise_at(payroll, "Waiting", NULL, T0, NULL);
    int64_t elsewhere = raise_at(credit, "Other calendar", NULL, T0, NULL);
    long long thu = at("2024-05-23T10:30+01:00");
    struct calendar_holiday h;
    struct acc_err err = {0};
    struct request r, before;
    int64_t changed = -1;

    T_EQ_INT(move(fin_point, answered, REQUEST_IN_PROGRESS, NULL, 0, "2024-05-21T11:00+01:00", &r),
             ACC_OK);
    T_EQ_INT(move(fin_point, resolved, REQUEST_RESOLVED, NULL, 0, "2024-05-21T11:00+01:00", &r),
             ACC_OK);
    T_EQ_INT(
        move(fin_point, waiting, REQUEST_WAITING, "Which month?", 0, "2024-05-21T11:00+01:00", &r),
        ACC_OK);
    before = reload(resolved);
    /* Wednesday 22 becomes a holiday of the branch. */
    T_EQ_INT(
        calendar_holiday_add(st, &sys, branch_cal, "2024-05-22", "Branch day", arena, &h, &err),
        ACC_OK);
    T_EQ_INT(request_calendar_changed(st, zones, branch_cal, at("2024-05-21T11:30+01:00"), &changed,
                                      &err),
             ACC_OK);
    /* The three running clocks; the resolved request's automatic close moves silently. */
    T_EQ_INT(changed, 3);
    r = reload(running);
    T_EQ_INT(r.clocks.response_due_at, at("2024-05-21T12:00+01:00"));
    T_EQ_INT(r.clocks.resolution_due_at, thu);
    T_EQ_INT(r.next_fire_at, at("2024-05-21T12:00+01:00"));
    T_EQ_STR(rows(3,
                  "SELECT kind, at, detail FROM request_event WHERE request_id = %lld AND kind = "
                  "'due_changed'",
                  (long long)running),
             acc_arena_printf(arena,
                              "due_changed,%lld,{\"reason\":\"the calendar changed\","
                              "\"response_due_at\":%lld,\"resolution_due_at\":%lld};",
                              (long long)at("2024-05-21T11:30+01:00"),
                              (long long)at("2024-05-21T12:00+01:00"), thu));
    r = reload(answered);
    T_EQ_INT(r.clocks.responded_at, at("2024-05-21T11:00+01:00"));
    T_EQ_INT(r.clocks.resolution_due_at, thu);
    /* Waiting: the due instant without the pause so far; the pause adds to it when it ends. */
    r = reload(waiting);
    T_EQ_INT(r.clocks.resolution_due_at, thu);
    T_EQ_INT(
        move(sales_member, waiting, REQUEST_IN_PROGRESS, NULL, 0, "2024-05-21T12:00+01:00", &r),
        ACC_OK);
    T_EQ_INT(r.clocks.paused_secs, 3600);
    T_EQ_INT(r.clocks.resolution_due_at, at("2024-05-23T11:30+01:00"));
    /* Stopped clocks and other calendars keep theirs. */
    r = reload(resolved);
    T_EQ_INT(r.clocks.resolution_due_at, before.clocks.resolution_due_at);
    T_EQ_INT(r.clocks.resolution_secs, 3600);
    T_EQ_INT(r.clocks.resolution_met, 1);
    T_EQ_INT(r.next_fire_at, at("2024-05-29T11:00+01:00")); /* 5 days without Wednesday */
    T_EQ_INT(count("SELECT COUNT(*) FROM request_event WHERE request_id = %lld AND kind = "
                   "'due_changed'",
                   (long long)elsewhere),
             0);
    T_EQ_INT(reload(elsewhere).clocks.resolution_due_at, at("2024-05-22T10:30+01:00"));
    /* Nothing moves twice. */
    T_EQ_INT(request_calendar_changed(st, zones, branch_cal, at("2024-05-21T12:30+01:00"), &changed,
                                      &err),
             ACC_OK);
    T_EQ_INT(changed, 0);
}

/* Whether request id is in who's list with filter f. */
static bool listed(const struct org_actor *who, const struct request_filter *f, int64_t id)
{
    struct request *items;
    struct acc_err err = {0};
    bool more, found = false;
    int n = 0;

    T_EQ_INT(request_list(st, who, f, arena, &items, &n, &more, &err), ACC_OK);
    for (int i = 0; i < n; i++)
        found = found || items[i].id == id;
    return found;
}

/* Lists and counts: only what who may see, with each filter. */
static void test_db_list_count(void)
{
    struct org_actor consumer = actor_of(sales_member), provider = actor_of(fin_head);
    struct org_actor third = actor_of(it_head), admin = fx_actor(0, 0, ORG_ROLE_ADMIN);
    int64_t all = count("SELECT COUNT(*) FROM request"), n64;
    struct request_filter f = {.status = -1, .open = -1, .breached = -1, .limit = 500};
    struct request *items;
    struct acc_err err = {0};
    bool more;
    int n;

    T_EQ_INT(request_list(st, &admin, &f, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, all);
    T_EQ_INT(request_list(st, &consumer, &f, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, all); /* every request here is Sales' */
    T_EQ_INT(request_list(st, &provider, &f, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, all);
    T_EQ_INT(request_list(st, &third, &f, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, 0);
    T_EQ_INT(request_count(st, &third, &f, &n64, &err), ACC_OK);
    T_EQ_INT(n64, 0);
    f.consumer_id = sales;
    T_EQ_INT(request_count(st, &third, &f, &n64, &err), ACC_OK);
    T_EQ_INT(n64, 0);
    T_EQ_INT(request_count(st, &consumer, &f, &n64, &err), ACC_OK);
    T_EQ_INT(n64, all);
    f.consumer_id = 0;
    f.contract_id = invoices;
    T_EQ_INT(request_count(st, &consumer, &f, &n64, &err), ACC_OK);
    T_EQ_INT(n64,
             count("SELECT COUNT(*) FROM request WHERE contract_id = %lld", (long long)invoices));
    f.contract_id = 0;
    f.status = REQUEST_CLOSED;
    T_EQ_INT(request_count(st, &provider, &f, &n64, &err), ACC_OK);
    T_EQ_INT(n64, count("SELECT COUNT(*) FROM request WHERE status = 'closed'"));
    T_OK(n64 >= 2);
    f.status = -1;
    f.open = 1;
    T_EQ_INT(request_count(st, &provider, &f, &n64, &err), ACC_OK);
    T_EQ_INT(n64, count("SELECT COUNT(*) FROM request WHERE status <> 'closed'"));
    f.open = 0;
    T_EQ_INT(request_count(st, &provider, &f, &n64, &err), ACC_OK);
    T_EQ_INT(n64, count("SELECT COUNT(*) FROM request WHERE status = 'closed'"));
    f.open = -1;
    f.assignee_id = fin_deputy;
    T_EQ_INT(request_list(st, &provider, &f, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n,
             count("SELECT COUNT(*) FROM request WHERE assignee_id = %lld", (long long)fin_deputy));
    for (int i = 0; i < n; i++)
        T_EQ_INT(items[i].assignee.id, fin_deputy);
    f.assignee_id = 0;
    /* Breached: a clock missed, or running past its due instant at now. */
    {
        int64_t fresh = raise_at(credit, "Fresh", NULL, "2024-06-03T09:00+01:00", NULL);

        f.breached = 1;
        f.now = at("2024-06-03T09:01+01:00");
        T_OK(listed(&provider, &f, conversation)); /* its response was late */
        T_OK(!listed(&provider, &f, fresh));
        f.now = at("2024-06-03T11:01+01:00"); /* its response was due at 11:00 */
        T_OK(listed(&provider, &f, fresh));
        f.breached = 0;
        T_OK(!listed(&provider, &f, fresh));
        T_OK(!listed(&provider, &f, conversation));
        f.now = at("2024-06-03T09:01+01:00");
        T_OK(listed(&provider, &f, fresh));
        /* Resolution due before. */
        f.breached = -1;
        f.due_before = at("2024-06-04T09:31+01:00"); /* fresh's is due at 09:30 */
        T_OK(listed(&provider, &f, fresh));
        f.due_before = at("2024-06-04T09:30+01:00");
        T_OK(!listed(&provider, &f, fresh));
        f.due_before = 0;
        all++;
    }
    /* Raised between, due before; pages. */
    f.raised_from = at(T0);
    f.raised_to = at("2024-05-21T10:00:01+01:00");
    T_EQ_INT(request_count(st, &admin, &f, &n64, &err), ACC_OK);
    T_EQ_INT(n64, all - 1);
    f.raised_from = at("2024-05-21T10:00:01+01:00");
    f.raised_to = 0;
    T_EQ_INT(request_count(st, &admin, &f, &n64, &err), ACC_OK);
    T_EQ_INT(n64, 1);
    f.raised_from = 0;
    f.limit = 3;
    T_EQ_INT(request_list(st, &consumer, &f, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, 3);
    T_OK(more);
    f.after_id = items[2].id;
    f.limit = 500;
    T_EQ_INT(request_list(st, &consumer, &f, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, all - 3);
    T_OK(!more);
}

/*
 * The lists' meaning, written as it was before lists were planned onto indexes: one WHERE of
 * "(? = 0 OR col = ?)" terms, breached computed from the clocks. The oracle of the test below.
 */
#define ORACLE_WHERE                                                                               \
    "WHERE (? = 1 OR r.provider_department_id = ? OR r.consumer_department_id = ?) "               \
    "AND (? = '' OR r.status = ?) AND (? = -1 OR (CASE WHEN r.status = 'closed' THEN 0 ELSE 1 "    \
    "END) = ?) "                                                                                   \
    "AND (? = 0 OR r.provider_department_id = ?) AND (? = 0 OR r.consumer_department_id = ?) "     \
    "AND (? = 0 OR r.service_id = ?) AND (? = 0 OR r.contract_id = ?) "                            \
    "AND (? = 0 OR r.assignee_id = ?) "                                                            \
    "AND (? = -1 OR (CASE WHEN r.response_met = 0 OR r.resolution_met = 0 OR "                     \
    "(r.responded_at IS NULL AND r.response_due_at < ?) OR (r.resolved_at IS NULL AND "            \
    "r.paused_since IS NULL AND r.resolution_due_at < ?) THEN 1 ELSE 0 END) = ?) "                 \
    "AND (? = 0 OR r.resolution_due_at < ?) AND (? = 0 OR r.created_at >= ?) "                     \
    "AND (? = 0 OR r.created_at < ?) "

/* The ids the oracle lists (in f's order), or its count: "1,2,3" or "5". */
static const char *oracle(const struct org_actor *who, const struct request_filter *f, bool cnt)
{
    const char *status = f->status >= 0 ? request_status_name((enum request_status)f->status) : "";
    struct store_arg a[] = {SA_INT(who->role == ORG_ROLE_ADMIN),
                            SA_INT(who->department_id),
                            SA_INT(who->department_id),
                            SA_TEXT(status),
                            SA_TEXT(status),
                            SA_INT(f->open),
                            SA_INT(f->open),
                            SA_INT(f->provider_id),
                            SA_INT(f->provider_id),
                            SA_INT(f->consumer_id),
                            SA_INT(f->consumer_id),
                            SA_INT(f->service_id),
                            SA_INT(f->service_id),
                            SA_INT(f->contract_id),
                            SA_INT(f->contract_id),
                            SA_INT(f->assignee_id),
                            SA_INT(f->assignee_id),
                            SA_INT(f->breached),
                            SA_INT(f->now),
                            SA_INT(f->now),
                            SA_INT(f->breached),
                            SA_INT(f->due_before),
                            SA_INT(f->due_before),
                            SA_INT(f->raised_from),
                            SA_INT(f->raised_from),
                            SA_INT(f->raised_to),
                            SA_INT(f->raised_to)};
    const char *sql = cnt                           ? "SELECT COUNT(*) FROM request r " ORACLE_WHERE
                      : f->sort == REQUEST_SORT_DUE ? "SELECT r.id FROM request r " ORACLE_WHERE
                                                      "ORDER BY r.resolution_due_at, r.id"
                                                    : "SELECT r.id FROM request r " ORACLE_WHERE
                                                      "ORDER BY r.id";
    struct store_stmt *stmt = NULL;
    struct acc_err err = {0};
    struct acc_buf b;
    const char *out;
    bool row = false;

    acc_buf_init(&b);
    T_EQ_INT(store_exec(st, sql, a, ACC_ARRAY_LEN(a), &stmt, &err), ACC_OK);
    while (stmt && !store_step(stmt, &row, &err) && row)
        acc_buf_addf(&b, "%s%lld", b.len ? "," : "", (long long)store_col_int(stmt, 0));
    store_finish(stmt);
    out = acc_arena_strdup(arena, b.buf);
    acc_buf_release(&b);
    return out;
}

/* What request_list() gives, page by page of two (following the keyset), or request_count(). */
static const char *planned(const struct org_actor *who, struct request_filter f, bool cnt)
{
    struct acc_err err = {0};
    struct acc_buf b;
    const char *out;
    bool more = true;

    acc_buf_init(&b);
    if (cnt) {
        int64_t n = -1;

        T_EQ_INT(request_count(st, who, &f, &n, &err), ACC_OK);
        acc_buf_addf(&b, "%lld", (long long)n);
    }
    f.limit = 2;
    f.after_id = f.after_due = 0;
    for (int page = 0; !cnt && more && page < 200; page++) {
        struct request *items;
        int n = 0;

        T_EQ_INT(request_list(st, who, &f, arena, &items, &n, &more, &err), ACC_OK);
        for (int i = 0; i < n; i++)
            acc_buf_addf(&b, "%s%lld", b.len ? "," : "", (long long)items[i].id);
        if (n) {
            f.after_id = items[n - 1].id;
            f.after_due = items[n - 1].clocks.resolution_due_at;
        }
        more = more && n;
    }
    out = acc_arena_strdup(arena, b.buf);
    acc_buf_release(&b);
    return out;
}

/*
 * Lists and counts built from the filters given mean what the single generic WHERE meant:
 * for each actor and many combinations of filters, the same requests in the same order
 * (by id, and by due instant for requests not closed), and the same counts. The requests of
 * the tests above are copied to other pairs of departments (and inside one) first.
 */
static void test_db_list_oracle(void)
{
    struct org_actor actors[] = {fx_actor(0, 0, ORG_ROLE_ADMIN), actor_of(fin_head),
                                 actor_of(sales_member), actor_of(it_member), actor_of(fin_member)};
    /* One request raised last, its clocks running: at t1 it is not breached, at t2 it is.
     * ("Now" is never before a request's last change: breach_at is exact from then on.) */
    int64_t fresh = raise_at(credit, "Oracle", NULL, "2024-12-02T09:00Z", NULL);
    int64_t t1 = count("SELECT MAX(updated_at) FROM request") + 1, t2 = t1 + 30 * 86400;
    int64_t service = count("SELECT MIN(service_id) FROM request");
    int64_t last = count("SELECT MAX(id) FROM request");
    int64_t mid = count("SELECT created_at FROM request ORDER BY created_at, id LIMIT 1 OFFSET "
                        "(SELECT COUNT(*) / 2 FROM request)");
    struct acc_err err = {0};
    int checked = 0;
    static const int64_t pairs[][2] = {{3, 1}, {2, 3}, {1, 1}, {3, 2}};
    static const char copy[] =
        "INSERT INTO request (contract_id, version_id, service_id, "
        "provider_department_id, consumer_department_id, title, description, "
        "priority, priority_factor, requester_id, assignee_id, status, created_at, "
        "updated_at, response_target_secs, response_due_at, responded_at, "
        "response_met, resolution_target_secs, resolution_due_at, paused_secs, "
        "paused_since, resolved_at, resolution_secs, resolution_met, closed_at, "
        "reopen_count, missing_info_count, next_fire_at, imported, breach_at) "
        "SELECT contract_id, version_id, service_id, ?, ?, title, description, "
        "priority, priority_factor, requester_id, assignee_id, status, created_at, "
        "updated_at, response_target_secs, response_due_at, responded_at, "
        "response_met, resolution_target_secs, resolution_due_at, paused_secs, "
        "paused_since, resolved_at, resolution_secs, resolution_met, closed_at, "
        "reopen_count, missing_info_count, NULL, imported, breach_at FROM request "
        "WHERE id <= ?";

    /* Each filter: one line of the table; 0 or -1 where the filter is not given. */
    struct request_filter base = {.status = -1, .open = -1, .breached = -1, .now = t2};
    struct request_filter filters[48];
    int nf = 0;

    for (size_t i = 0; i < ACC_ARRAY_LEN(pairs); i++) {
        int64_t prov = pairs[i][0] == 1 ? fin : pairs[i][0] == 2 ? sales : it;
        int64_t cons = pairs[i][1] == 1 ? fin : pairs[i][1] == 2 ? sales : it;
        struct store_arg args[] = {SA_INT(prov), SA_INT(cons), SA_INT(last)};

        T_EQ_INT(store_exec(st, copy, args, 3, NULL, &err), ACC_OK);
    }
#define ADD(...)                                                                                   \
    do {                                                                                           \
        filters[nf] = base;                                                                        \
        __VA_ARGS__;                                                                               \
        nf++;                                                                                      \
    } while (0)
    ADD((void)0);
    for (int s = 0; s < REQUEST_STATUSES; s++)
        ADD(filters[nf].status = s);
    ADD(filters[nf].open = 1);
    ADD(filters[nf].open = 0);
    ADD(filters[nf].provider_id = fin);
    ADD(filters[nf].provider_id = it);
    ADD(filters[nf].consumer_id = sales);
    ADD(filters[nf].consumer_id = fin);
    ADD(filters[nf].service_id = service);
    ADD(filters[nf].contract_id = invoices);
    ADD(filters[nf].assignee_id = fin_deputy);
    ADD(filters[nf].breached = 1);
    ADD(filters[nf].breached = 0);
    ADD(filters[nf].breached = 1; filters[nf].now = t1);
    ADD(filters[nf].breached = 0; filters[nf].now = t1);
    ADD(filters[nf].due_before = t2);
    ADD(filters[nf].raised_from = mid);
    ADD(filters[nf].raised_to = mid);
    ADD(filters[nf].raised_from = at(T0); filters[nf].raised_to = mid);
    ADD(filters[nf].open = 1; filters[nf].provider_id = fin);
    ADD(filters[nf].open = 1; filters[nf].provider_id = fin; filters[nf].assignee_id = fin_point);
    ADD(filters[nf].open = 1; filters[nf].provider_id = fin; filters[nf].service_id = service);
    ADD(filters[nf].open = 1; filters[nf].provider_id = fin; filters[nf].breached = 1);
    ADD(filters[nf].open = 1; filters[nf].provider_id = it; filters[nf].breached = 0);
    ADD(filters[nf].open = 1; filters[nf].provider_id = fin; filters[nf].due_before = t2);
    ADD(filters[nf].status = REQUEST_WAITING; filters[nf].provider_id = fin);
    ADD(filters[nf].status = REQUEST_CLOSED; filters[nf].provider_id = fin);
    ADD(filters[nf].open = 0; filters[nf].provider_id = fin);
    ADD(filters[nf].open = 1; filters[nf].consumer_id = sales);
    ADD(filters[nf].open = 1; filters[nf].consumer_id = sales; filters[nf].service_id = service);
    ADD(filters[nf].status = REQUEST_RESOLVED; filters[nf].consumer_id = sales);
    ADD(filters[nf].open = 1; filters[nf].assignee_id = fin_deputy);
    ADD(filters[nf].open = 1; filters[nf].contract_id = credit);
    ADD(filters[nf].open = 1; filters[nf].breached = 1);
    ADD(filters[nf].status = REQUEST_CLOSED; filters[nf].open = 1);
    ADD(filters[nf].status = REQUEST_OPEN; filters[nf].open = 0);
    ADD(filters[nf].provider_id = fin; filters[nf].consumer_id = sales);
    ADD(filters[nf].provider_id = it; filters[nf].consumer_id = fin);
    ADD(filters[nf].provider_id = it; filters[nf].consumer_id = sales);
    ADD(filters[nf].consumer_id = sales; filters[nf].contract_id = invoices);
    ADD(filters[nf].breached = 1; filters[nf].provider_id = fin);
    ADD(filters[nf].raised_from = mid; filters[nf].consumer_id = sales);
    ADD(filters[nf].breached = 0; filters[nf].due_before = t2);
#undef ADD
    T_OK(nf <= (int)ACC_ARRAY_LEN(filters));
    for (size_t a = 0; a < ACC_ARRAY_LEN(actors); a++) {
        for (int i = 0; i < nf; i++) {
            struct request_filter f = filters[i];
            int open = f.status >= 0 ? f.status != REQUEST_CLOSED : f.open;
            char what[64];

            snprintf(what, sizeof(what), "actor %zu, filter %d", a, i);
            t_cur_name = what;
            T_EQ_STR(planned(&actors[a], f, true), oracle(&actors[a], &f, true));
            T_EQ_STR(planned(&actors[a], f, false), oracle(&actors[a], &f, false));
            if (open == 1) {
                f.sort = REQUEST_SORT_DUE;
                T_EQ_STR(planned(&actors[a], f, false), oracle(&actors[a], &f, false));
            }
            checked++;
        }
    }
    t_cur_name = "test_db_list_oracle";
    T_OK(checked > 200);
    T_EQ_INT(count("SELECT COUNT(*) FROM request WHERE breach_at >= %lld AND breach_at < %lld",
                   (long long)t1, (long long)t2),
             5); /* fresh and its 4 copies */
    T_OK(fresh > 0);
    T_OK(count("SELECT COUNT(DISTINCT provider_department_id * 10 + consumer_department_id) "
               "FROM request") >= 5);
}

/* A night shift's Saturday morning is Friday's night: five business days are five nights. */
static void test_autoclose_night_shift(void)
{
    struct calendar cal;
    struct acc_err err = {0};
    int64_t when = 0;

    cal_make(&cal, NIGHT5);
    T_EQ_INT(request_autoclose_at(&cal, at("2024-06-03T23:00+02:00"), &when, &err), ACC_OK);
    /* 5 nights of 8 hours: oracle START=2024-06-03T23:00 ADD=2400 */
    T_EQ_INT(when, at("2024-06-10T23:00+02:00"));
    calendar_release(&cal);
}

/* What each actor may do, status by status: the moves are request_move_check()'s. */
static void test_may(void)
{
    struct request r = {0};
    struct org_actor cons = fx_actor(7, 2, ORG_ROLE_MEMBER),
                     cons_head = fx_actor(8, 2, ORG_ROLE_HEAD);
    struct org_actor prov = fx_actor(9, 1, ORG_ROLE_MEMBER),
                     prov_point = fx_actor(10, 1, ORG_ROLE_POINT_PERSON);
    struct org_actor admin = fx_actor(11, 0, ORG_ROLE_ADMIN),
                     cons_admin = fx_actor(12, 2, ORG_ROLE_ADMIN);
    struct org_actor third = fx_actor(13, 3, ORG_ROLE_HEAD), sys = org_actor_system("test");
    /*
     * For each actor and status: the moves as letters (i in_progress, w waiting_on_consumer,
     * R resolved, r reopened, C closed), then c comment, n internal note, e escalate,
     * a reassign, or '-'. Actors: consumer member and head, provider member and point person,
     * an administrator, an administrator of the consumer department, a third department's
     * head, accord itself (the sweeper's automatic close).
     */
    static const struct {
        int who;
        const char *may[REQUEST_STATUSES];
    } want[] = {
        {0, {"c-e-", "c-e-", "i c-e-", "rC c---", "c-e-", "----"}},
        {1, {"c-e-", "c-e-", "i c-e-", "rC c---", "c-e-", "----"}},
        {2, {"iwR cn--", "wR cn--", "iR cn--", "cn--", "iwR cn--", "----"}},
        {3, {"iwR cn-a", "wR cn-a", "iR cn-a", "cn-a", "iwR cn-a", "----"}},
        {4, {"iwR cn-a", "wR cn-a", "iR cn-a", "cn-a", "iwR cn-a", "----"}},
        {5, {"c-ea", "c-ea", "i c-ea", "rC c--a", "c-ea", "----"}},
        {6, {"----", "----", "----", "----", "----", "----"}},
        {7, {"cn-a", "cn-a", "cn-a", "C cn-a", "cn-a", "----"}},
    };
    const struct org_actor *actors[] = {&cons,  &cons_head,  &prov,  &prov_point,
                                        &admin, &cons_admin, &third, &sys};

    r.provider.id = 1;
    r.consumer.id = 2;
    r.requester.id = 7;
    for (size_t w = 0; w < ACC_ARRAY_LEN(want); w++) {
        for (int s = 0; s < REQUEST_STATUSES; s++) {
            struct request_may may;
            char got[32], *p = got;
            static const char letter[REQUEST_STATUSES] = {'o', 'i', 'w', 'R', 'r', 'C'};

            r.status = (enum request_status)s;
            request_may_of(&r, actors[want[w].who], &may);
            for (int to = 0; to < REQUEST_STATUSES; to++)
                if (may.moves & (1u << to))
                    *p++ = letter[to];
            if (p != got)
                *p++ = ' ';
            *p++ = may.comment ? 'c' : '-';
            *p++ = may.internal_note ? 'n' : '-';
            *p++ = may.escalate ? 'e' : '-';
            *p++ = may.reassign ? 'a' : '-';
            *p = '\0';
            T_EQ_STR(got, want[w].may[s]);
        }
    }
}

/* breach_at: the instant "breached" begins, or 0: SPEC 3's test at any later now is < it. */
static void test_breach_at(void)
{
    struct request_clocks c = {.created_at = 100,
                               .response_due_at = 200,
                               .response_met = -1,
                               .resolution_due_at = 500,
                               .resolution_met = -1};

    T_EQ_INT(request_breach_at(&c), 200); /* both running: the response is due first */
    c.responded_at = 150;
    c.response_met = 1;
    T_EQ_INT(request_breach_at(&c), 500); /* answered in time: the resolution clock runs */
    c.paused_since = 300;
    T_EQ_INT(request_breach_at(&c), 0); /* paused: not breached while waiting */
    c.paused_since = 0;
    c.resolution_due_at = 700; /* resumed: the pause moved the due instant */
    T_EQ_INT(request_breach_at(&c), 700);
    c.resolved_at = c.paused_since = 650;
    c.resolution_met = 1;
    T_EQ_INT(request_breach_at(&c), 0); /* resolved in time */
    c.response_met = 0;
    c.responded_at = 250;
    T_EQ_INT(request_breach_at(&c), 200); /* answered late: breached since its due instant */
    c.resolution_met = 0;
    c.resolved_at = c.paused_since = 800;
    T_EQ_INT(request_breach_at(&c), 200); /* both late: the earlier */
    c.response_met = 1;
    T_EQ_INT(request_breach_at(&c), 700);
    c.resolution_due_at = 100; /* a running resolution due before the response */
    c.resolved_at = c.paused_since = 0;
    c.resolution_met = -1;
    c.responded_at = 0;
    c.response_met = -1;
    T_EQ_INT(request_breach_at(&c), 100);
}

/* Inside one department (two named people) the requester is the consumer, the rest provider. */
static void test_sides_one_department(void)
{
    struct request r = {0};
    struct org_actor requester = fx_actor(7, 3, ORG_ROLE_MEMBER);
    struct org_actor named = fx_actor(8, 3, ORG_ROLE_MEMBER), head = fx_actor(9, 3, ORG_ROLE_HEAD);
    struct org_actor other = fx_actor(10, 4, ORG_ROLE_HEAD);

    r.provider.id = r.consumer.id = 3;
    r.requester.id = 7;
    T_EQ_INT(request_side_of(&r, &requester), REQUEST_CONSUMER);
    T_EQ_INT(request_side_of(&r, &named), REQUEST_PROVIDER);
    T_EQ_INT(request_side_of(&r, &head), REQUEST_PROVIDER);
    T_EQ_INT(request_side_of(&r, &other), REQUEST_THIRD);
}

int main(void)
{
    acc_log_set_quiet(true);
    zones = calendar_zones_new();
    T_RUN(test_move_table);
    T_RUN(test_status_names);
    T_RUN(test_sides);
    T_RUN(test_target_secs);
    T_RUN(test_clocks_start);
    T_RUN(test_clocks_respond);
    T_RUN(test_clocks_pause_resume);
    T_RUN(test_clocks_resolve);
    T_RUN(test_clocks_reopen);
    T_RUN(test_clocks_recompute);
    T_RUN(test_level_due);
    T_RUN(test_autoclose);
    T_RUN(test_autoclose_night_shift);
    T_RUN(test_sides_one_department);
    T_RUN(test_may);
    T_RUN(test_breach_at);
    db_setup();
    T_RUN(test_db_create);
    T_RUN(test_db_assignee_deputy);
    T_RUN(test_db_lifecycle);
    T_RUN(test_db_comments);
    T_RUN(test_db_escalate_by_hand);
    T_RUN(test_db_escalate_priority);
    T_RUN(test_db_catch_up);
    T_RUN(test_db_replay_no_outbox);
    T_RUN(test_db_autoclose);
    T_RUN(test_db_calendar_changed);
    T_RUN(test_db_sweep);
    T_RUN(test_db_list_count);
    T_RUN(test_db_list_oracle);
    store_close(st);
    acc_arena_free(arena);
    calendar_zones_free(zones);
    return t_done();
}
