/* calendar_db_test.c: stored calendars: rules, rights, audit, holidays, iCalendar import, due. */
#include "base/acc.h"
#include "base/log.h"
#include "calendar/calendar_db.h"
#include "org/org.h"
#include "store/store.h"
#include "t.h"

#include <stdio.h>

#define OFFICE_HOURS                                                                               \
    "09:00-12:30+13:30-17:30,09:00-12:30+13:30-17:30,09:00-12:30+13:30-17:30,"                     \
    "09:00-12:30+13:30-17:30,09:00-12:30+13:30-17:30,-,-"

static struct store *st;
static struct acc_arena *arena;
static struct calendar_zones *zones;
static struct org_actor sys, member, head;

static int64_t count(const char *sql)
{
    struct acc_err err;
    int64_t n = -1;

    store_query_int(st, sql, NULL, 0, &n, &err);
    return n;
}

static int64_t revision(void)
{
    struct acc_err err;
    int64_t v = -1;

    T_EQ_INT(calendar_revision(st, &v, &err), ACC_OK);
    return v;
}

static struct calendar_input input(const char *name, const char *zone, const char *hours)
{
    struct calendar_input in = {.has_name = true, .has_zone = true, .has_week = true};
    struct acc_err err;

    in.name = name;
    in.zone = zone;
    T_EQ_INT(calendar_week_parse(hours, &in.week, &err), ACC_OK);
    return in;
}

static int64_t add_calendar(const char *name, const char *zone, const char *hours)
{
    struct calendar_input in = input(name, zone, hours);
    struct calendar_record c = {0};
    struct acc_err err;

    T_EQ_INT(calendar_record_create(st, &sys, zones, &in, arena, &c, &err), ACC_OK);
    return c.id;
}

static int64_t at(const char *rfc3339)
{
    int64_t t = 0;

    T_EQ_INT(acc_time_parse(rfc3339, &t), ACC_OK);
    return t;
}

static void setup(void)
{
    struct acc_err err;

    T_EQ_INT(store_open(":memory:", &st, &err), ACC_OK);
    T_EQ_INT(store_migrate(st, NULL, &err), ACC_OK);
    arena = acc_arena_new();
    zones = calendar_zones_new();
    sys = org_actor_system("test");
    member = sys;
    member.role = ORG_ROLE_MEMBER;
    head = sys;
    head.role = ORG_ROLE_HEAD;
}

static void test_create_get_find_list(void)
{
    struct calendar_record c, *items;
    struct acc_err err;
    int64_t id, rev = revision();
    bool more;
    int n;

    id = add_calendar("Head office", "Europe/London", OFFICE_HOURS);
    add_calendar("Plant", "Europe/Warsaw",
                 "06:00-14:00+14:00-22:00+22:00-06:00,-,-,-,-,-,22:00-06:00");
    add_calendar("IT", "UTC", "00:00-00:00,00:00-24:00,-,-,-,-,-");
    T_EQ_INT(revision(), rev + 3);
    T_EQ_INT(calendar_record_get(st, id, arena, &c, &err), ACC_OK);
    T_EQ_STR(c.name, "Head office");
    T_EQ_STR(c.zone, "Europe/London");
    T_EQ_STR(c.hours, OFFICE_HOURS);
    T_EQ_INT(c.week.day[0].n, 2);
    T_EQ_INT(c.week.day[0].iv[1].close_secs, 17 * 3600 + 1800);
    T_EQ_INT(c.holidays_count, 0);
    T_OK(c.created_at > 0 && c.updated_at == c.created_at);
    /* By name regardless of case, by id as text; the formatted week is canonical. */
    T_EQ_INT(calendar_record_find(st, "HEAD OFFICE", arena, &c, &err), ACC_OK);
    T_EQ_INT(c.id, id);
    T_EQ_INT(calendar_record_find(st, "it", arena, &c, &err), ACC_OK);
    T_EQ_STR(c.hours, "00:00-24:00,00:00-24:00,-,-,-,-,-");
    T_EQ_INT(calendar_record_find(st, "Plant", arena, &c, &err), ACC_OK);
    T_EQ_INT(c.week.day[6].iv[0].close_secs, 30 * 3600);
    T_EQ_INT(calendar_record_find(st, "Nowhere", arena, &c, &err), ACC_ENOTFOUND);
    T_EQ_INT(calendar_record_get(st, 999, arena, &c, &err), ACC_ENOTFOUND);
    /* Keyset pages by id. */
    T_EQ_INT(calendar_record_list(st, 0, 2, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, 2);
    T_OK(more);
    T_EQ_STR(items[1].name, "Plant");
    T_EQ_INT(calendar_record_list(st, items[1].id, 2, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, 1);
    T_OK(!more);
    T_EQ_STR(items[0].name, "IT");
}

/* Each bad input fails with its field and stores nothing. */
static void test_validation_fields(void)
{
    static const struct {
        const char *name, *zone, *hours, *field;
        int code;
    } cases[] = {
        {"", "UTC", OFFICE_HOURS, "/name", ACC_EINVAL},
        {" Padded", "UTC", OFFICE_HOURS, "/name", ACC_EINVAL},
        {"Mars", "Mars/Olympus", OFFICE_HOURS, "/zone", ACC_EINVAL},
        {"Escape", "../../etc/passwd", OFFICE_HOURS, "/zone", ACC_EINVAL},
        {"Empty zone", "", OFFICE_HOURS, "/zone", ACC_EINVAL},
        {"head office", "UTC", OFFICE_HOURS, "/name", ACC_ECONFLICT},
    };
    int64_t before = count("SELECT COUNT(*) FROM calendar"), rev = revision();
    int64_t audits = count("SELECT COUNT(*) FROM audit");
    struct calendar_input in;
    struct calendar_record c;
    struct acc_err err;

    for (size_t i = 0; i < ACC_ARRAY_LEN(cases); i++) {
        in = input(cases[i].name, cases[i].zone, cases[i].hours);
        acc_err_clear(&err);
        T_EQ_INT(calendar_record_create(st, &sys, zones, &in, arena, &c, &err), cases[i].code);
        T_EQ_STR(err.field, cases[i].field);
    }
    /* Weeks built in code are checked like parsed ones, on "/week/<day>". */
    in = input("Overlap", "UTC", "-,-,-,-,-,-,-");
    in.week.day[2].n = 2;
    in.week.day[2].iv[0] = (struct calendar_interval){9 * 3600, 12 * 3600};
    in.week.day[2].iv[1] = (struct calendar_interval){11 * 3600, 13 * 3600};
    T_EQ_INT(calendar_record_create(st, &sys, zones, &in, arena, &c, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/week/2");
    in = input("Too long", "UTC", "-,-,-,-,-,-,-");
    in.week.day[4].n = 1;
    in.week.day[4].iv[0] = (struct calendar_interval){8 * 3600, 33 * 3600};
    T_EQ_INT(calendar_record_create(st, &sys, zones, &in, arena, &c, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/week/4");
    in = input("No zone", "UTC", OFFICE_HOURS);
    in.has_zone = false;
    T_EQ_INT(calendar_record_create(st, &sys, zones, &in, arena, &c, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/zone");
    in.has_zone = true;
    in.has_week = false;
    T_EQ_INT(calendar_record_create(st, &sys, zones, &in, arena, &c, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/week");
    T_EQ_INT(count("SELECT COUNT(*) FROM calendar"), before);
    T_EQ_INT(count("SELECT COUNT(*) FROM audit"), audits);
    T_EQ_INT(revision(), rev);
}

static void test_only_administrators_change(void)
{
    struct calendar_input in = input("Mine", "UTC", OFFICE_HOURS);
    int64_t id = add_calendar("Guarded", "UTC", OFFICE_HOURS);
    const struct org_actor *who[] = {&member, &head};
    struct calendar_import_result res;
    struct calendar_record c;
    struct acc_err err;
    const char ics[] = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20250101\r\n"
                       "END:VEVENT\r\nEND:VCALENDAR\r\n";

    for (size_t i = 0; i < ACC_ARRAY_LEN(who); i++) {
        T_EQ_INT(calendar_record_create(st, who[i], zones, &in, arena, &c, &err), ACC_EPERM);
        T_EQ_INT(calendar_record_update(st, who[i], zones, id, &in, arena, &c, &err), ACC_EPERM);
        T_EQ_INT(calendar_record_delete(st, who[i], id, arena, &err), ACC_EPERM);
        T_EQ_INT(calendar_holiday_add(st, who[i], id, "2025-12-25", "Christmas", arena, NULL, &err),
                 ACC_EPERM);
        T_EQ_INT(
            calendar_holiday_import(st, who[i], id, ics, sizeof(ics) - 1, 3, arena, &res, &err),
            ACC_EPERM);
    }
    T_EQ_INT(calendar_record_get(st, id, arena, &c, &err), ACC_OK);
    T_EQ_INT(c.holidays_count, 0);
}

static void test_update_audited_and_noop(void)
{
    int64_t id = add_calendar("Desk", "Europe/Berlin", OFFICE_HOURS);
    struct calendar_input in = {0};
    struct calendar_record c;
    struct acc_err err;
    char sql[160];
    int64_t audits;

    snprintf(sql, sizeof(sql),
             "SELECT COUNT(*) FROM audit WHERE entity = 'calendar' AND "
             "entity_id = %lld",
             (long long)id);
    T_EQ_INT(count(sql), 1);
    in.has_name = true;
    in.name = "Service desk";
    in.has_zone = true;
    in.zone = "Europe/Paris";
    T_EQ_INT(calendar_record_update(st, &sys, zones, id, &in, arena, &c, &err), ACC_OK);
    T_EQ_STR(c.name, "Service desk");
    T_EQ_STR(c.zone, "Europe/Paris");
    T_EQ_STR(c.hours, OFFICE_HOURS);
    T_EQ_INT(count(sql), 2);
    T_EQ_INT(
        count("SELECT COUNT(*) FROM audit WHERE entity = 'calendar' AND before_json LIKE "
              "'%\"zone\":\"Europe/Berlin\"%' AND after_json LIKE '%\"zone\":\"Europe/Paris\"%'"),
        1);
    /* The same values again: no write, no audit row. */
    audits = count("SELECT COUNT(*) FROM audit");
    T_EQ_INT(calendar_record_update(st, &sys, zones, id, &in, arena, &c, &err), ACC_OK);
    T_EQ_INT(count("SELECT COUNT(*) FROM audit"), audits);
    /* Week changes are checked; another calendar's name is taken. */
    in = (struct calendar_input){0};
    in.has_week = true;
    T_EQ_INT(calendar_week_parse("22:00-06:00,-,-,-,-,-,-", &in.week, &err), ACC_OK);
    T_EQ_INT(calendar_record_update(st, &sys, zones, id, &in, arena, &c, &err), ACC_OK);
    T_EQ_STR(c.hours, "22:00-06:00,-,-,-,-,-,-");
    in.has_week = false;
    in.has_name = true;
    in.name = "HEAD OFFICE";
    T_EQ_INT(calendar_record_update(st, &sys, zones, id, &in, arena, &c, &err), ACC_ECONFLICT);
    T_EQ_STR(err.field, "/name");
    in.has_name = false;
    in.has_zone = true;
    in.zone = "Nowhere/Land";
    T_EQ_INT(calendar_record_update(st, &sys, zones, id, &in, arena, &c, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/zone");
    T_EQ_INT(calendar_record_update(st, &sys, zones, 9999, &in, arena, &c, &err), ACC_ENOTFOUND);
}

static void test_holidays(void)
{
    int64_t id = add_calendar("Holidays", "Europe/London", OFFICE_HOURS), other, rev;
    struct calendar_holiday h, first, *items;
    struct calendar_record c;
    struct acc_err err;
    bool more;
    int n;

    other = add_calendar("Other", "UTC", OFFICE_HOURS);
    T_EQ_INT(calendar_holiday_add(st, &sys, id, "2025-12-25", "Christmas Day", arena, &h, &err),
             ACC_OK);
    T_EQ_STR(h.date, "2025-12-25");
    T_EQ_STR(h.source, "manual");
    T_OK(h.uid == NULL);
    T_EQ_INT(
        calendar_holiday_add(st, &sys, id, "2025-01-01", "New Year's Day", arena, &first, &err),
        ACC_OK);
    T_EQ_INT(
        calendar_holiday_add(st, &sys, id, "2025-08-25", "Summer bank holiday", arena, NULL, &err),
        ACC_OK);
    /* Duplicates conflict; bad dates and names are refused on their fields. */
    rev = revision();
    T_EQ_INT(calendar_holiday_add(st, &sys, id, "2025-12-25", "Again", arena, NULL, &err),
             ACC_ECONFLICT);
    T_EQ_STR(err.field, "/date");
    T_EQ_INT(calendar_holiday_add(st, &sys, id, "2025-02-29", "No leap", arena, NULL, &err),
             ACC_EINVAL);
    T_EQ_STR(err.field, "/date");
    T_EQ_INT(calendar_holiday_add(st, &sys, id, "2025-1-1", "Short", arena, NULL, &err),
             ACC_EINVAL);
    T_EQ_STR(err.field, "/date");
    T_EQ_INT(calendar_holiday_add(st, &sys, id, "2025-05-05", "", arena, NULL, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/name");
    T_EQ_INT(calendar_holiday_add(st, &sys, 9999, "2025-05-05", "x", arena, NULL, &err),
             ACC_ENOTFOUND);
    T_EQ_INT(revision(), rev);
    /* Listed by date in pages. */
    T_EQ_INT(calendar_holiday_list(st, id, NULL, 2, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, 2);
    T_OK(more);
    T_EQ_STR(items[0].date, "2025-01-01");
    T_EQ_STR(items[1].date, "2025-08-25");
    T_EQ_INT(items[1].day, calendar_day_from_civil(2025, 8, 25));
    T_EQ_INT(calendar_holiday_list(st, id, items[1].date, 2, arena, &items, &n, &more, &err),
             ACC_OK);
    T_EQ_INT(n, 1);
    T_OK(!more);
    T_EQ_STR(items[0].name, "Christmas Day");
    T_EQ_INT(calendar_holiday_list(st, 9999, NULL, 2, arena, &items, &n, &more, &err),
             ACC_ENOTFOUND);
    T_EQ_INT(calendar_record_get(st, id, arena, &c, &err), ACC_OK);
    T_EQ_INT(c.holidays_count, 3);
    /* Deleting through another calendar finds nothing; through its own it audits. */
    T_EQ_INT(calendar_holiday_delete(st, &sys, other, first.id, arena, &err), ACC_ENOTFOUND);
    T_EQ_INT(calendar_holiday_delete(st, &sys, id, first.id, arena, &err), ACC_OK);
    T_EQ_INT(calendar_holiday_delete(st, &sys, id, first.id, arena, &err), ACC_ENOTFOUND);
    T_EQ_INT(count("SELECT COUNT(*) FROM audit WHERE entity = 'calendar_holiday' AND after_json IS "
                   "NULL AND before_json LIKE '%\"date\":\"2025-01-01\"%'"),
             1);
    T_EQ_INT(calendar_record_get(st, id, arena, &c, &err), ACC_OK);
    T_EQ_INT(c.holidays_count, 2);
}

static void test_holiday_limit(void)
{
    int64_t id = add_calendar("Full", "UTC", OFFICE_HOURS);
    int32_t day0 = calendar_day_from_civil(2030, 1, 1);
    struct acc_err err;
    int ok = 0;

    for (int i = 0; i < CALENDAR_MAX_HOLIDAYS; i++) {
        char date[16];
        int y, m, d;

        calendar_day_to_civil(day0 + i, &y, &m, &d);
        snprintf(date, sizeof(date), "%04d-%02d-%02d", y, m, d);
        ok += calendar_holiday_add(st, &sys, id, date, "Closed", arena, NULL, &err) == ACC_OK;
    }
    T_EQ_INT(ok, CALENDAR_MAX_HOLIDAYS);
    T_EQ_INT(calendar_holiday_add(st, &sys, id, "2020-01-01", "One more", arena, NULL, &err),
             ACC_EINVAL);
    T_EQ_STR(err.field, "/date");
}

/* An event from lines joined with CRLF, inside a VCALENDAR. */
static const char *ics_of(const char *events)
{
    return acc_arena_printf(arena,
                            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//accord//test//EN\r\n%s"
                            "END:VCALENDAR\r\n",
                            events);
}

static bool has_day(const struct calendar_ics *r, int y, int m, int d)
{
    int32_t day = calendar_day_from_civil(y, m, d);

    for (size_t i = 0; i < r->n_dates; i++)
        if (r->dates[i].day == day)
            return true;
    return false;
}

static const char *error_of(const struct calendar_ics *r, const char *event)
{
    for (size_t i = 0; i < r->n_errors; i++)
        if (strcmp(r->errors[i].event, event) == 0)
            return r->errors[i].detail;
    return NULL;
}

static void test_ics_read(void)
{
    const char *text = ics_of(
        /* A yearly rule from 2000, one year excluded, one date added. */
        "BEGIN:VEVENT\r\nUID:xmas@example.org\r\nSUMMARY:Christmas Day\r\n"
        "DTSTART;VALUE=DATE:20001225\r\nDTEND;VALUE=DATE:20001226\r\nRRULE:FREQ=YEARLY\r\n"
        "EXDATE;VALUE=DATE:20261225\r\nRDATE;VALUE=DATE:20270102\r\nEND:VEVENT\r\n"
        /* The 2027 occurrence of a yearly rule moved by an override. */
        "BEGIN:VEVENT\r\nUID:founders@example.org\r\nSUMMARY:Founders' day\r\n"
        "DTSTART;VALUE=DATE:20200610\r\nRRULE:FREQ=YEARLY;COUNT=20\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:founders@example.org\r\nSUMMARY:Founders' day (moved)\r\n"
        "RECURRENCE-ID;VALUE=DATE:20270610\r\nDTSTART;VALUE=DATE:20270611\r\nEND:VEVENT\r\n"
        /* Easter-like: a rule by month and day, last Monday of May. */
        "BEGIN:VEVENT\r\nUID:spring@example.org\r\nSUMMARY:Spring bank holiday\r\n"
        "DTSTART;VALUE=DATE:20200525\r\nRRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO\r\nEND:VEVENT\r\n"
        /* A one-off of three days, outside the horizon: one-offs are kept. */
        "BEGIN:VEVENT\r\nUID:shutdown@example.org\r\nSUMMARY:Shutdown\r\n"
        "DTSTART;VALUE=DATE:20301223\r\nDURATION:P3D\r\nEND:VEVENT\r\n"
        /* Read as errors, each on its own. */
        "BEGIN:VEVENT\r\nUID:meeting@example.org\r\nSUMMARY:Board meeting\r\n"
        "DTSTART:20250115T100000Z\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:fridays@example.org\r\nSUMMARY:Fridays\r\n"
        "DTSTART;VALUE=DATE:20250103\r\nRRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:badrule@example.org\r\nSUMMARY:Bad rule\r\n"
        "DTSTART;VALUE=DATE:20250103\r\nRRULE:FREQ=YEARLY;FOO=BAR\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:baddate@example.org\r\nDTSTART;VALUE=DATE:2025xx01\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nSUMMARY:Long leave\r\nDTSTART;VALUE=DATE:20250701\r\n"
        "DTEND;VALUE=DATE:20250901\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nDESCRIPTION:nothing to go by\r\nEND:VEVENT\r\n"
        /* Cancelled: left out without an error. */
        "BEGIN:VEVENT\r\nUID:off@example.org\r\nSUMMARY:Cancelled\r\nSTATUS:CANCELLED\r\n"
        "DTSTART;VALUE=DATE:20250505\r\nEND:VEVENT\r\n");
    struct calendar_ics r;
    struct acc_err err;

    T_EQ_INT(calendar_ics_read(text, strlen(text), 2025, 2027, arena, &r, &err), ACC_OK);
    T_EQ_INT(r.n_events, 12);
    T_OK(has_day(&r, 2025, 12, 25));
    T_OK(!has_day(&r, 2026, 12, 25)); /* EXDATE */
    T_OK(has_day(&r, 2027, 12, 25));
    T_OK(!has_day(&r, 2024, 12, 25) && !has_day(&r, 2028, 12, 25)); /* the horizon */
    T_OK(has_day(&r, 2027, 1, 2));                                  /* RDATE */
    T_OK(has_day(&r, 2025, 6, 10) && has_day(&r, 2026, 6, 10));
    T_OK(!has_day(&r, 2027, 6, 10) && has_day(&r, 2027, 6, 11)); /* overridden */
    T_OK(has_day(&r, 2025, 5, 26) && has_day(&r, 2026, 5, 25) && has_day(&r, 2027, 5, 31));
    T_OK(has_day(&r, 2030, 12, 23) && has_day(&r, 2030, 12, 25) && !has_day(&r, 2030, 12, 26));
    T_OK(!has_day(&r, 2025, 5, 5));
    T_EQ_INT(r.n_dates, 3 - 1 + 1 + 3 + 3 + 3);
    T_EQ_STR(r.dates[0].name, "Christmas Day");
    T_EQ_STR(r.dates[0].uid, "xmas@example.org");
    T_EQ_INT(r.n_errors, 6);
    T_OK(error_of(&r, "Board meeting") && strstr(error_of(&r, "Board meeting"), "time of day"));
    T_OK(error_of(&r, "Fridays") && strstr(error_of(&r, "Fridays"), "FREQ=WEEKLY"));
    T_OK(error_of(&r, "Bad rule") && strstr(error_of(&r, "Bad rule"), "RRULE"));
    T_OK(error_of(&r, "baddate@example.org") != NULL); /* no SUMMARY: the UID names it */
    T_OK(error_of(&r, "Long leave") && strstr(error_of(&r, "Long leave"), "62 days"));
    T_OK(error_of(&r, "event 11") && strstr(error_of(&r, "event 11"), "DTSTART"));
}

static void test_ics_rejects_whole_text(void)
{
    struct calendar_ics r;
    struct acc_err err;
    struct acc_buf b;
    char *big;

    T_EQ_INT(calendar_ics_read("hello", 5, 2025, 2028, arena, &r, &err), ACC_EINVAL);
    T_EQ_INT(calendar_ics_read("", 0, 2025, 2028, arena, &r, &err), ACC_EINVAL);
    T_EQ_INT(calendar_ics_read("BEGIN:VCALENDAR\0x", 17, 2025, 2028, arena, &r, &err), ACC_EINVAL);
    big = acc_arena_alloc(arena, CALENDAR_ICS_MAX_BYTES + 2);
    memset(big, 'a', CALENDAR_ICS_MAX_BYTES + 1);
    T_EQ_INT(calendar_ics_read(big, CALENDAR_ICS_MAX_BYTES + 1, 2025, 2028, arena, &r, &err),
             ACC_EINVAL);
    T_OK(strstr(err.msg, "KiB") != NULL);
    /* Too many events, even small ones. */
    acc_buf_init(&b);
    acc_buf_adds(&b, "BEGIN:VCALENDAR\r\n");
    for (int i = 0; i <= CALENDAR_ICS_MAX_EVENTS; i++)
        acc_buf_adds(&b, "BEGIN:VEVENT\r\nEND:VEVENT\r\n");
    acc_buf_adds(&b, "END:VCALENDAR\r\n");
    T_OK(b.len <= CALENDAR_ICS_MAX_BYTES);
    T_EQ_INT(calendar_ics_read(b.buf, b.len, 2025, 2028, arena, &r, &err), ACC_EINVAL);
    T_OK(strstr(err.msg, "events") != NULL);
    acc_buf_release(&b);
    /* An empty calendar reads as nothing; a bare VEVENT as one event. */
    T_EQ_INT(
        calendar_ics_read("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", 31, 2025, 2028, arena, &r, &err),
        ACC_OK);
    T_EQ_INT(r.n_events, 0);
    {
        const char *one = "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20250101\r\nEND:VEVENT\r\n";

        T_EQ_INT(calendar_ics_read(one, strlen(one), 2025, 2028, arena, &r, &err), ACC_OK);
        T_EQ_INT(r.n_dates, 1);
        T_EQ_STR(r.dates[0].name, "Holiday");
    }
}

static void test_ics_import_idempotent(void)
{
    int64_t id = add_calendar("Imported", "Europe/Dublin", OFFICE_HOURS), audits, rev;
    const char *text = ics_of("BEGIN:VEVENT\r\nUID:patrick@example.org\r\nSUMMARY:St Patrick's "
                              "Day\r\nDTSTART;VALUE=DATE:19000317\r\nRRULE:FREQ=YEARLY\r\n"
                              "END:VEVENT\r\n"
                              "BEGIN:VEVENT\r\nSUMMARY:Offsite\r\nDTSTART:20250115T100000Z\r\n"
                              "END:VEVENT\r\n");
    struct calendar_import_result res;
    struct calendar_holiday *items;
    struct calendar_record c;
    struct acc_err err;
    bool more;
    int n;

    /* One date is there already: it counts as skipped and keeps its name. */
    T_EQ_INT(acc_now() > 0, 1);
    {
        int y, m, d;
        char date[16];

        calendar_day_to_civil((int32_t)(acc_now() / 86400), &y, &m, &d);
        snprintf(date, sizeof(date), "%04d-03-17", y);
        T_EQ_INT(calendar_holiday_add(st, &sys, id, date, "Lá Fhéile Pádraig", arena, NULL, &err),
                 ACC_OK);
    }
    T_EQ_INT(calendar_holiday_import(st, &sys, id, text, strlen(text), 3, arena, &res, &err),
             ACC_OK);
    T_EQ_INT(res.added, 3);
    T_EQ_INT(res.skipped, 1);
    T_EQ_INT(res.n_errors, 1);
    T_EQ_STR(res.errors[0].event, "Offsite");
    T_EQ_INT(calendar_holiday_list(st, id, NULL, 10, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, 4);
    T_EQ_STR(items[0].name, "Lá Fhéile Pádraig");
    T_EQ_STR(items[0].source, "manual");
    T_EQ_STR(items[1].name, "St Patrick's Day");
    T_EQ_STR(items[1].source, "ics");
    T_EQ_STR(items[1].uid, "patrick@example.org");
    T_EQ_INT(count("SELECT COUNT(*) FROM audit WHERE entity = 'calendar_holiday' AND after_json "
                   "LIKE '%\"source\":\"ics\"%'"),
             3);
    /* Again: nothing added, nothing written. */
    audits = count("SELECT COUNT(*) FROM audit");
    rev = revision();
    T_EQ_INT(calendar_holiday_import(st, &sys, id, text, strlen(text), 3, arena, &res, &err),
             ACC_OK);
    T_EQ_INT(res.added, 0);
    T_EQ_INT(res.skipped, 4);
    T_EQ_INT(count("SELECT COUNT(*) FROM audit"), audits);
    T_EQ_INT(revision(), rev);
    /* A longer horizon adds the years beyond. */
    T_EQ_INT(calendar_holiday_import(st, &sys, id, text, strlen(text), 5, arena, &res, &err),
             ACC_OK);
    T_EQ_INT(res.added, 2);
    T_EQ_INT(calendar_holiday_import(st, &sys, id, text, strlen(text), 0, arena, &res, &err),
             ACC_EINVAL);
    T_EQ_STR(err.field, "/query/years");
    T_EQ_INT(calendar_holiday_import(st, &sys, id, text, strlen(text), 21, arena, &res, &err),
             ACC_EINVAL);
    T_EQ_INT(calendar_holiday_import(st, &sys, id, "nope", 4, 3, arena, &res, &err), ACC_EINVAL);
    T_EQ_INT(calendar_record_get(st, id, arena, &c, &err), ACC_OK);
    T_EQ_INT(c.holidays_count, 6);
}

static void test_ics_import_over_limit_adds_nothing(void)
{
    int64_t id = add_calendar("Crowded", "UTC", OFFICE_HOURS), rev;
    /* 36 dates a year over 21 years from each event: 1512 in all. */
    const char *text = ics_of("BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20200101\r\n"
                              "RRULE:FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY="
                              "1,2,3\r\nEND:VEVENT\r\n"
                              "BEGIN:VEVENT\r\nUID:b\r\nDTSTART;VALUE=DATE:20200104\r\n"
                              "RRULE:FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY="
                              "4,5,6\r\nEND:VEVENT\r\n");
    struct calendar_import_result res;
    struct calendar_record c;
    struct acc_err err;

    rev = revision();
    T_EQ_INT(calendar_holiday_import(st, &sys, id, text, strlen(text), 20, arena, &res, &err),
             ACC_EINVAL);
    T_EQ_STR(err.field, "/holidays");
    T_EQ_INT(calendar_record_get(st, id, arena, &c, &err), ACC_OK);
    T_EQ_INT(c.holidays_count, 0);
    T_EQ_INT(revision(), rev);
    /* One of them alone fits: 756 dates. */
    text = ics_of("BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20200101\r\n"
                  "RRULE:FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY=1,2,3\r\n"
                  "END:VEVENT\r\n");
    T_EQ_INT(calendar_holiday_import(st, &sys, id, text, strlen(text), 20, arena, &res, &err),
             ACC_OK);
    T_EQ_INT(res.added, 36 * 21);
    T_EQ_INT(res.n_errors, 0);
}

static void test_load_and_due(void)
{
    int64_t id = add_calendar("London office", "Europe/London", OFFICE_HOURS), closed;
    struct calendar_due_answer a;
    struct calendar_holiday bridge;
    struct calendar cal;
    struct acc_err err;
    int64_t due;

    T_EQ_INT(calendar_holiday_add(st, &sys, id, "2025-12-25", "Christmas Day", arena, NULL, &err),
             ACC_OK);
    T_EQ_INT(calendar_holiday_add(st, &sys, id, "2025-12-26", "Boxing Day", arena, NULL, &err),
             ACC_OK);
    T_EQ_INT(calendar_record_load(st, id, zones, arena, &cal, &err), ACC_OK);
    T_EQ_INT(cal.n_holidays, 2);
    T_EQ_STR(calendar_tz_name(cal.tz), "Europe/London");
    /* Wednesday 24 December 16:00: 90 minutes that day, then holidays and the weekend. */
    T_EQ_INT(calendar_due(&cal, at("2025-12-24T16:00:00Z"), 120 * 60, &due, &err), ACC_OK);
    T_EQ_INT(due, at("2025-12-29T09:30:00Z"));
    T_OK(!calendar_is_open(&cal, at("2025-12-25T10:00:00Z")));
    calendar_release(&cal);
    /* The copy kept in zones is served while the revision stands, and never after a change. */
    T_EQ_INT(calendar_record_load(st, id, zones, arena, &cal, &err), ACC_OK);
    T_EQ_INT(cal.n_holidays, 2);
    calendar_release(&cal);
    T_EQ_INT(calendar_holiday_add(st, &sys, id, "2025-12-29", "Bridge day", arena, &bridge, &err),
             ACC_OK);
    T_EQ_INT(calendar_record_load(st, id, zones, arena, &cal, &err), ACC_OK);
    T_EQ_INT(cal.n_holidays, 3);
    T_EQ_INT(calendar_due(&cal, at("2025-12-24T16:00:00Z"), 120 * 60, &due, &err), ACC_OK);
    T_EQ_INT(due, at("2025-12-30T09:30:00Z"));
    calendar_release(&cal);
    T_EQ_INT(calendar_holiday_delete(st, &sys, id, bridge.id, arena, &err), ACC_OK);
    T_EQ_INT(calendar_record_load(st, id, zones, arena, &cal, &err), ACC_OK);
    T_EQ_INT(cal.n_holidays, 2);
    calendar_release(&cal);

    T_EQ_INT(calendar_record_due(st, zones, id, at("2025-12-24T16:00:00Z"), 120, arena, &a, &err),
             ACC_OK);
    T_EQ_INT(a.due_at, at("2025-12-29T09:30:00Z"));
    T_EQ_STR(a.due_local, "2025-12-29T09:30+00:00");
    T_EQ_STR(a.zone, "Europe/London");
    /* Summer time: the answer carries the offset. */
    T_EQ_INT(calendar_record_due(st, zones, id, at("2026-03-27T16:30:00Z"), 120, arena, &a, &err),
             ACC_OK);
    T_EQ_STR(a.due_local, "2026-03-30T10:00+01:00");
    T_EQ_INT(calendar_record_due(st, zones, id, at("2026-01-05T09:00:00Z"), -1, arena, &a, &err),
             ACC_EINVAL);
    T_EQ_STR(err.field, "/minutes");
    T_EQ_INT(calendar_record_due(st, zones, id, at("2026-01-05T09:00:00Z"),
                                 CALENDAR_DUE_MINUTES_MAX + 1, arena, &a, &err),
             ACC_EINVAL);
    T_EQ_INT(calendar_record_due(st, zones, id, at("2026-01-05T09:00:00Z"),
                                 CALENDAR_DUE_MINUTES_MAX, arena, &a, &err),
             ACC_OK);
    T_EQ_INT(calendar_record_due(st, zones, 9999, at("2026-01-05T09:00:00Z"), 1, arena, &a, &err),
             ACC_ENOTFOUND);
    closed = add_calendar("Never open", "UTC", "-,-,-,-,-,-,-");
    T_EQ_INT(calendar_record_due(st, zones, closed, at("2026-01-05T09:00:00Z"), 1, arena, &a, &err),
             ACC_ECONFLICT);
}

static void test_delete(void)
{
    int64_t id = add_calendar("Short-lived", "UTC", OFFICE_HOURS), rev;
    struct calendar_record c;
    struct acc_err err;
    char sql[128];

    T_EQ_INT(calendar_holiday_add(st, &sys, id, "2025-12-25", "Christmas Day", arena, NULL, &err),
             ACC_OK);
    rev = revision();
    T_EQ_INT(calendar_record_delete(st, &sys, id, arena, &err), ACC_OK);
    T_EQ_INT(revision(), rev + 1);
    T_EQ_INT(calendar_record_get(st, id, arena, &c, &err), ACC_ENOTFOUND);
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM calendar_holiday WHERE calendar_id = %lld",
             (long long)id);
    T_EQ_INT(count(sql), 0);
    T_EQ_INT(count("SELECT COUNT(*) FROM audit WHERE entity = 'calendar' AND after_json IS NULL "
                   "AND before_json LIKE '%\"name\":\"Short-lived\"%\"holidays_count\":1%'"),
             1);
    T_EQ_INT(calendar_record_delete(st, &sys, id, arena, &err), ACC_ENOTFOUND);
}

/* The demo's calendars, built in a fresh database: their hours and holidays work. */
static void test_demo_calendars(void)
{
    struct store *demo;
    struct calendar_record c;
    struct calendar_due_answer a;
    struct acc_err err;

    T_EQ_INT(store_open(":memory:", &demo, &err), ACC_OK);
    T_EQ_INT(store_migrate(demo, NULL, &err), ACC_OK);
    T_EQ_INT(store_begin(demo, true, &err), ACC_OK);
    T_EQ_INT(calendar_demo_populate(demo, &sys, arena, &err), ACC_OK);
    T_EQ_INT(store_commit(demo, &err), ACC_OK);
    T_EQ_INT(calendar_record_find(demo, "Head office", arena, &c, &err), ACC_OK);
    T_EQ_INT(c.holidays_count, 24);
    T_EQ_INT(calendar_record_find(demo, "Plant shifts", arena, &c, &err), ACC_OK);
    T_EQ_INT(c.holidays_count, 42);
    T_EQ_STR(c.zone, "Europe/Warsaw");
    /* Christmas Eve 21:00 in Warsaw: closed until the night shift of Sunday 28 December. */
    T_EQ_INT(
        calendar_record_due(demo, zones, c.id, at("2025-12-24T20:00:00Z"), 600, arena, &a, &err),
        ACC_OK);
    T_EQ_STR(a.due_local, "2025-12-29T08:00+01:00");
    T_EQ_INT(calendar_record_find(demo, "IT 24x7", arena, &c, &err), ACC_OK);
    T_EQ_INT(
        calendar_record_due(demo, zones, c.id, at("2026-01-01T00:00:00Z"), 525600, arena, &a, &err),
        ACC_OK);
    T_EQ_INT(a.due_at, at("2027-01-01T00:00:00Z"));
    store_close(demo);
}

int main(void)
{
    acc_log_set_quiet(true);
    setup();
    T_RUN(test_create_get_find_list);
    T_RUN(test_validation_fields);
    T_RUN(test_only_administrators_change);
    T_RUN(test_update_audited_and_noop);
    T_RUN(test_holidays);
    T_RUN(test_holiday_limit);
    T_RUN(test_ics_read);
    T_RUN(test_ics_rejects_whole_text);
    T_RUN(test_ics_import_idempotent);
    T_RUN(test_ics_import_over_limit_adds_nothing);
    T_RUN(test_load_and_due);
    T_RUN(test_delete);
    T_RUN(test_demo_calendars);
    calendar_zones_free(zones);
    acc_arena_free(arena);
    store_close(st);
    return t_done();
}
