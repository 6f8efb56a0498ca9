/* calendar_db.h: stored calendars and their holidays: rules, SQL, iCalendar import, the demo. */
#ifndef ACCORD_CALENDAR_CALENDAR_DB_H
#define ACCORD_CALENDAR_CALENDAR_DB_H

#include "calendar/calendar.h"

struct store;
struct org_actor;

/* Limits on input, stated once and enforced by calendar_db.c and calendar_ics.c. */
#define CALENDAR_NAME_MAX          120           /* bytes of a calendar's or holiday's name */
#define CALENDAR_ICS_MAX_BYTES     (64 * 1024)   /* iCalendar text, as the HTTP body limit */
#define CALENDAR_ICS_MAX_EVENTS    2000          /* VEVENTs in one import */
#define CALENDAR_ICS_YEARS_DEFAULT 3             /* yearly rules: this year .. this year + 3 */
#define CALENDAR_ICS_YEARS_MAX     20            /* the longest horizon one may ask for */
#define CALENDAR_DUE_MINUTES_MAX   (525600 * 10) /* ten years of business minutes */

/* A stored calendar. Text fields live in the caller's arena. */
struct calendar_record {
    int64_t id;
    const char *name;
    const char *zone; /* IANA name, known to load */
    struct calendar_week week;
    const char *hours; /* week in the HOURS syntax of calendar_week_format() */
    int64_t holidays_count;
    int64_t created_at;
    int64_t updated_at;
};

/* Create or update input: only fields whose has_ flag is set are applied. */
struct calendar_input {
    bool has_name, has_zone, has_week;
    const char *name;
    const char *zone;
    struct calendar_week week;
};

/* One closed local day of a calendar. */
struct calendar_holiday {
    int64_t id;
    int64_t calendar_id;
    char date[11]; /* "YYYY-MM-DD" */
    int32_t day;   /* the same as a local day number (calendar_day_from_civil) */
    const char *name;
    const char *source; /* "manual" or "ics" */
    const char *uid;    /* the iCalendar UID of an imported holiday, else NULL */
    int64_t created_at;
};

/*
 * Calendars. Only administrators create, change or delete them (ACC_EPERM otherwise);
 * every change is audited with before/after snapshots in the caller's transaction.
 * The name follows org_name_check() and is unique regardless of case (ACC_ECONFLICT,
 * field "/name"); the zone must load from zones (ACC_EINVAL, field "/zone"); the week
 * must pass calendar_week_check() (ACC_EINVAL, field "/week/<day 0..6>", Monday 0).
 * Results live in the arena. Codes: ACC_OK, ACC_EINVAL, ACC_EPERM, ACC_ENOTFOUND,
 * ACC_ECONFLICT, ACC_ESTORE.
 */
int calendar_record_create(struct store *st, const struct org_actor *who,
                           struct calendar_zones *zones, const struct calendar_input *in,
                           struct acc_arena *arena, struct calendar_record *out,
                           struct acc_err *err);
int calendar_record_update(struct store *st, const struct org_actor *who,
                           struct calendar_zones *zones, int64_t id,
                           const struct calendar_input *in, struct acc_arena *arena,
                           struct calendar_record *out, struct acc_err *err);
int calendar_record_get(struct store *st, int64_t id, struct acc_arena *arena,
                        struct calendar_record *out, struct acc_err *err);
/* Finds a calendar by id (digits) or by name, case-insensitively. */
int calendar_record_find(struct store *st, const char *id_or_name, struct acc_arena *arena,
                         struct calendar_record *out, struct acc_err *err);
/* Lists by id after after_id; *more says whether more rows follow. */
int calendar_record_list(struct store *st, int64_t after_id, int limit, struct acc_arena *arena,
                         struct calendar_record **items, int *n, bool *more, struct acc_err *err);
/*
 * Deletes a calendar and its holidays. ACC_ECONFLICT while anything refers to it (a
 * contract's clocks run on it); see the list of referring tables in calendar_db.c.
 */
int calendar_record_delete(struct store *st, const struct org_actor *who, int64_t id,
                           struct acc_arena *arena, struct acc_err *err);

/*
 * Builds the engine's calendar of stored calendar id: its zone from zones, its week and
 * all its holidays. On success the caller owns *out and calendar_release()s it; the zone
 * stays owned by zones, which also keeps a copy of the calendar for the next call that finds
 * the calendar revision unchanged (then the calendar costs one query). Codes: ACC_OK,
 * ACC_ENOTFOUND, ACC_EINVAL (stored data that no longer loads, e.g. a zone removed from the
 * system), ACC_ESTORE.
 */
int calendar_record_load(struct store *st, int64_t id, struct calendar_zones *zones,
                         struct acc_arena *arena, struct calendar *out, struct acc_err *err);

/* A due instant asked of a stored calendar (what-if questions). */
struct calendar_due_answer {
    int64_t start_at;
    int64_t minutes;
    int64_t due_at;
    char due_local[32]; /* calendar_local_format() with the UTC offset */
    const char *zone;   /* in the arena */
};

/*
 * The due instant of minutes (0 .. CALENDAR_DUE_MINUTES_MAX; ACC_EINVAL field "/minutes")
 * business minutes from start_at (years CALENDAR_MIN_YEAR .. CALENDAR_MAX_YEAR; ACC_EINVAL
 * field "/start") on stored calendar id. ACC_ECONFLICT when the calendar has no opening
 * hours, ACC_ENOTFOUND when it does not exist.
 */
int calendar_record_due(struct store *st, struct calendar_zones *zones, int64_t id,
                        int64_t start_at, int64_t minutes, struct acc_arena *arena,
                        struct calendar_due_answer *out, struct acc_err *err);

/*
 * The calendars' revision: every change to a calendar or its holidays adds one in its
 * transaction, so an engine calendar built at revision N stays right while it reads N.
 */
int calendar_revision(struct store *st, int64_t *out, struct acc_err *err);

/*
 * Holidays. Adding and deleting need an administrator (ACC_EPERM) and are audited.
 * date is "YYYY-MM-DD" (ACC_EINVAL, field "/date"); name follows org_name_check()
 * (field "/name"). A date the calendar already has is ACC_ECONFLICT (field "/date"); a
 * calendar holds at most CALENDAR_MAX_HOLIDAYS (ACC_EINVAL, field "/date").
 */
int calendar_holiday_add(struct store *st, const struct org_actor *who, int64_t calendar_id,
                         const char *date, const char *name, struct acc_arena *arena,
                         struct calendar_holiday *out, struct acc_err *err);
/* Deletes holiday id of calendar calendar_id; ACC_ENOTFOUND unless it is one of its own. */
int calendar_holiday_delete(struct store *st, const struct org_actor *who, int64_t calendar_id,
                            int64_t id, struct acc_arena *arena, struct acc_err *err);
/*
 * Lists a calendar's holidays by date, those after after_date ("YYYY-MM-DD", or NULL for
 * the first); ACC_ENOTFOUND when the calendar does not exist.
 */
int calendar_holiday_list(struct store *st, int64_t calendar_id, const char *after_date, int limit,
                          struct acc_arena *arena, struct calendar_holiday **items, int *n,
                          bool *more, struct acc_err *err);

/* ------------------------------------------------------------------ iCalendar import */

/* A holiday date read from an event. */
struct calendar_ics_date {
    int32_t day; /* local day number */
    const char *name;
    const char *uid; /* NULL when the event has none */
};

/* An event that could not be read, and why: it is left out, the others are read. */
struct calendar_ics_error {
    const char *event; /* its SUMMARY, else its UID, else "event N" */
    const char *detail;
};

/* What calendar_ics_read() found; arrays in the arena. */
struct calendar_ics {
    struct calendar_ics_date *dates; /* in file order, duplicates possible */
    size_t n_dates;
    struct calendar_ics_error *errors;
    size_t n_errors;
    size_t n_events; /* VEVENTs seen */
};

/*
 * Reads holiday dates from iCalendar text (RFC 5545) with libical: each all-day VEVENT
 * (DTSTART;VALUE=DATE) gives its days (DTEND or DURATION may span up to 31 days); a
 * yearly RRULE is expanded over the years first_year .. last_year (RDATE added, EXDATE
 * and overridden occurrences left out); a one-off event gives its dates whatever their
 * year. An event with a time of day, another frequency, a date outside years
 * CALENDAR_MIN_YEAR .. CALENDAR_MAX_YEAR or unreadable properties is reported in
 * out->errors and skipped; cancelled events are skipped silently. Returns 0, or ACC_EINVAL
 * (no field: the whole text is at fault) when the text is empty or not iCalendar, is larger
 * than CALENDAR_ICS_MAX_BYTES, holds more than CALENDAR_ICS_MAX_EVENTS events or gives more
 * than 20,000 dates in all; ACC_EBUG when libical (libical.so.3, loaded on first use so that
 * no other command pays for it) cannot be loaded.
 */
int calendar_ics_read(const char *text, size_t len, int first_year, int last_year,
                      struct acc_arena *arena, struct calendar_ics *out, struct acc_err *err);

/* What an import did. errors in the arena. */
struct calendar_import_result {
    int64_t added;   /* new holidays */
    int64_t skipped; /* dates the calendar already had (or that the file gave twice) */
    struct calendar_ics_error *errors;
    size_t n_errors;
};

/*
 * Imports holidays into calendar_id from iCalendar text: calendar_ics_read() over the
 * years of now (UTC) .. now + years (1 .. CALENDAR_ICS_YEARS_MAX; ACC_EINVAL field
 * "/query/years"), adding each date the calendar lacks (source "ics", audited) and
 * counting the others as skipped, so importing a file twice adds nothing. Needs an
 * administrator. ACC_EINVAL (field "/holidays") when the calendar would hold more than
 * CALENDAR_MAX_HOLIDAYS; then nothing is added.
 */
int calendar_holiday_import(struct store *st, const struct org_actor *who, int64_t calendar_id,
                            const char *text, size_t len, int years, struct acc_arena *arena,
                            struct calendar_import_result *out, struct acc_err *err);

/* ----------------------------------------------------------------------------- demo */

/*
 * Creates the demo organisation's calendars inside the caller's transaction: "Head office"
 * (Europe/London, Mon-Fri 09:00-12:30 and 13:30-17:30, bank holidays of England and Wales
 * 2025-2027), "Plant shifts" (Europe/Warsaw, three shifts from Sunday 22:00 to Friday 22:00,
 * Polish public holidays 2025-2027) and "IT 24x7" (UTC, every hour of the year).
 */
int calendar_demo_populate(struct store *st, const struct org_actor *who, struct acc_arena *arena,
                           struct acc_err *err);

#endif
