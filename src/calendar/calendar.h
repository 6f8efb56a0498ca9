/* calendar.h: business calendars (zone, weekly hours, holidays) and exact business-time arithmetic.
 */
#ifndef ACCORD_CALENDAR_CALENDAR_H
#define ACCORD_CALENDAR_CALENDAR_H

/*
 * Model (SPEC §2 "Calendar", §3). Business time is the union, over local dates D, of
 * [open, close) of each of D's weekday intervals (a close past midnight lies on D+1), minus
 * each holiday [00:00 of H, 00:00 of H+1). Every local wall time is turned into an instant by
 * the RFC 5545 §3.3.5 rule: a wall time in a DST gap is read with the offset before the gap
 * (it moves later by the gap's length), a wall time in an overlap means its first occurrence.
 * A business second is a real elapsed second.
 *
 * All instants are int64_t UTC epoch seconds (`*_at`); durations are seconds (`*_secs`).
 * "Local seconds" are wall-clock seconds since 1970-01-01T00:00 as if the wall clock were
 * UTC (days_since_epoch * 86400 + seconds of the day); a "local day" is days since
 * 1970-01-01.
 *
 * Everything here is pure and thread-safe: the zone data is read from TZif files only in
 * calendar_tz_load() / calendar_zones_get(); afterwards zones and calendars are immutable
 * and no call touches the process time zone (TZ, tzset, localtime).
 */

#define CALENDAR_MAX_INTERVALS 8    /* intervals on one weekday */
#define CALENDAR_MAX_HOLIDAYS  1000 /* holiday dates on one calendar */
#define CALENDAR_TZ_NAME_MAX   127  /* bytes in an IANA zone name */
#define CALENDAR_MIN_YEAR      1000 /* dates and instants handled: years 1000 .. 9999 */
#define CALENDAR_MAX_YEAR      9999

/* ------------------------------------------------------------------------ zones */

/* A time zone read from the system's TZif data; immutable once loaded. */
struct calendar_tz;

/*
 * Loads zone name (e.g. "Europe/Berlin") from $TZDIR or /usr/share/zoneinfo, the only
 * I/O of this module. Names are checked first (letters, digits, '_', '+', '-', and '/'
 * between parts: no "..", no leading '/'). On success *out is a new zone the caller
 * frees with calendar_tz_free(). Returns 0, or ACC_EINVAL (field "/zone") for a bad or
 * unknown name or unreadable zone data.
 */
int calendar_tz_load(const char *name, struct calendar_tz **out, struct acc_err *err);

/* Frees a zone from calendar_tz_load(); NULL is a no-op. */
void calendar_tz_free(struct calendar_tz *tz);

/* The zone's name as loaded; owned by tz. */
const char *calendar_tz_name(const struct calendar_tz *tz);

/* UTC offset in seconds east of Greenwich in force at instant at. */
int32_t calendar_tz_offset(const struct calendar_tz *tz, int64_t at);

/*
 * The instant of local seconds local_secs (see above; any value, seconds of the day may
 * pass 86400), by the RFC 5545 rule: gap -> later by the gap's length, overlap -> first.
 */
int64_t calendar_tz_to_utc(const struct calendar_tz *tz, int64_t local_secs);

/*
 * A thread-safe cache of loaded zones, for callers that build many calendars (the
 * server, `accord calendar due --batch`). Zones it hands out are owned by it and stay
 * valid until calendar_zones_free().
 */
struct calendar_zones;

/* A new, empty cache; free it with calendar_zones_free(). */
struct calendar_zones *calendar_zones_new(void);

/* Frees the cache and every zone it loaded; NULL is a no-op. */
void calendar_zones_free(struct calendar_zones *zones);

/*
 * Sets *out to zone name, loading it on first use (without holding the cache's lock, so
 * that threads loading different zones do not wait for each other). *out is owned by zones.
 * Returns 0 or the codes of calendar_tz_load().
 */
int calendar_zones_get(struct calendar_zones *zones, const char *name,
                       const struct calendar_tz **out, struct acc_err *err);

/*
 * The same cache keeps engine calendars of stored calendars, each built at a stamp (the
 * calendar revision of calendar_db.h, which every change of any calendar moves on), so that
 * readers skip the queries and the building. calendar_zones_cal_get() copies a kept calendar
 * built at stamp into *out (the caller's, released by calendar_release()) and returns true;
 * false when there is none. calendar_zones_cal_put() keeps a copy of cal.
 */
struct calendar;
bool calendar_zones_cal_get(struct calendar_zones *zones, int64_t id, int64_t stamp,
                            struct calendar *out);
void calendar_zones_cal_put(struct calendar_zones *zones, int64_t id, int64_t stamp,
                            const struct calendar *cal);

/* ------------------------------------------------------------------ week and dates */

/*
 * One opening interval of a weekday, in seconds after that day's local 00:00. close_secs
 * may pass 86400 (the interval runs past midnight); open_secs may pass 86400 for a later
 * interval that lies after midnight.
 */
struct calendar_interval {
    int32_t open_secs;
    int32_t close_secs;
};

/* The weekly opening hours: day[0] is Monday ... day[6] Sunday; n 0 means closed. */
struct calendar_week {
    struct {
        int n;
        struct calendar_interval iv[CALENDAR_MAX_INTERVALS];
    } day[7];
};

/*
 * Parses the HOURS syntax of `accord calendar due`: seven comma-separated entries,
 * Monday first, each "-" (closed) or intervals "HH:MM-HH:MM" joined by '+'. An end at or
 * before its start is on the next day ("22:00-06:00"); "00:00-24:00" and "00:00-00:00"
 * are 24 hours; a later interval whose clock time is smaller than the previous end lies
 * after midnight ("22:00-23:00+01:00-03:00"). Fills *out on success. Returns 0, or
 * ACC_EINVAL with field "/hours" or "/hours/<day 0..6>" and a message naming the day and
 * interval: malformed text, overlapping intervals, hours spanning more than 24 hours,
 * more than CALENDAR_MAX_INTERVALS intervals.
 */
int calendar_week_parse(const char *s, struct calendar_week *out, struct acc_err *err);

/*
 * Checks a week built in code by the same rules as calendar_week_parse(): per day, the
 * intervals are in order, non-empty, do not overlap (touching is fine), the first opens
 * before 24:00 and the day spans at most 24 hours. Returns 0 or ACC_EINVAL as above.
 */
int calendar_week_check(const struct calendar_week *week, struct acc_err *err);

/* Appends week to out in the HOURS syntax accepted by calendar_week_parse(). */
void calendar_week_format(const struct calendar_week *week, struct acc_buf *out);

/* The local day number of a proleptic Gregorian date (month 1..12); no range check. */
int32_t calendar_day_from_civil(int year, int month, int mday);

/* The date of local day number day. */
void calendar_day_to_civil(int32_t day, int *year, int *month, int *mday);

/*
 * Parses "YYYY-MM-DD" (exactly; years CALENDAR_MIN_YEAR..CALENDAR_MAX_YEAR) into *day.
 * Returns 0 or ACC_EINVAL, with no message: callers name the field.
 */
int calendar_date_parse(const char *s, int32_t *day);

/*
 * Parses a holiday list: "-" (none) or comma-separated "YYYY-MM-DD" in any order,
 * duplicates allowed, into days[0..max) and *n. Returns 0, or ACC_EINVAL with field
 * "/holidays/<index>" for a malformed date or "/holidays" when there are more than max.
 */
int calendar_holidays_parse(const char *s, int32_t *days, size_t max, size_t *n,
                            struct acc_err *err);

/*
 * Parses local wall time "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS" into local seconds.
 * Returns 0 or ACC_EINVAL, with no message.
 */
int calendar_local_parse(const char *s, int64_t *local_secs);

/*
 * Formats instant at as local time in tz: "YYYY-MM-DDTHH:MM", ":SS" added when the
 * seconds are not zero, and with with_offset the UTC offset ("+05:30", "-04:00").
 * Writes at most 32 bytes including the NUL.
 */
void calendar_local_format(const struct calendar_tz *tz, int64_t at, bool with_offset,
                           char out[32]);

/*
 * calendar_local_format() with the UTC offset in force at instant at already known (see
 * calendar_batch_due()); returns the length written.
 */
size_t calendar_local_format_off(int64_t at, int32_t off, bool with_offset, char out[32]);

/* ----------------------------------------------------------------------- calendars */

/*
 * A business calendar, embedded by its user: calendar_init() fills it, calendar_release()
 * frees what it holds. Read-only afterwards, so one calendar may serve many threads.
 * The zone is borrowed: it must outlive the calendar.
 */
struct calendar {
    const struct calendar_tz *tz;
    struct calendar_week week;
    int32_t *holidays; /* sorted local days, no duplicates; owned */
    size_t n_holidays;
    /* derived from week by calendar_init(), for the engine */
    int64_t day_secs[7]; /* business seconds of a weekday without DST change or holiday */
    int64_t week_secs;   /* their sum */
    struct {
        int n; /* 0: no interval reaches the weekday, whatever DST does */
        struct {
            int32_t lo, hi; /* local seconds from the weekday's 00:00, may be negative */
        } iv[4 * CALENDAR_MAX_INTERVALS];
    } reach[7]; /* the intervals of days -2 .. +1 that can reach a weekday's window */
};

/*
 * Builds cal from zone tz, a week and holidays[0..n_holidays) (local days in any order,
 * duplicates allowed; copied). A week with no opening hours at all is accepted
 * (calendar_due() then answers ACC_ENOTFOUND). Returns 0, or ACC_EINVAL (cal untouched) when
 * the week fails calendar_week_check(), a holiday lies outside years
 * CALENDAR_MIN_YEAR..CALENDAR_MAX_YEAR (field "/holidays") or there are more than
 * CALENDAR_MAX_HOLIDAYS holidays.
 */
int calendar_init(struct calendar *cal, const struct calendar_tz *tz,
                  const struct calendar_week *week, const int32_t *holidays, size_t n_holidays,
                  struct acc_err *err);

/*
 * calendar_init() from text: hours in the HOURS syntax, holidays as for
 * calendar_holidays_parse() (NULL or "-" for none). Returns 0 or ACC_EINVAL with the
 * parsers' fields and messages; on failure *cal is not initialised (nothing to release).
 */
int calendar_parse(struct calendar *cal, const struct calendar_tz *tz, const char *hours,
                   const char *holidays, struct acc_err *err);

/* Frees what cal holds; cal may be initialised again. */
void calendar_release(struct calendar *cal);

/*
 * SPEC §3 due instant: the earliest instant at which secs business seconds have elapsed
 * counting from start_at, or from the next opening when start_at is outside business
 * hours. When the last second ends exactly at a closing time the answer is that closing
 * time. secs == 0 gives start_at when it is inside business hours (an opening counts as
 * inside, a closing does not), else the next opening. Costs O(holidays and DST changes
 * crossed), not O(secs). Writes *out_at on success. Returns 0; ACC_EINVAL for negative
 * secs or when start_at or the answer lies outside the supported years; ACC_ENOTFOUND
 * when the calendar has no opening hours.
 */
int calendar_due(const struct calendar *cal, int64_t start_at, int64_t secs, int64_t *out_at,
                 struct acc_err *err);

/*
 * Business seconds elapsed in [from_at, to_at) (0 when to_at <= from_at): the inverse of
 * calendar_due(), so calendar_business_secs(c, s, due(c, s, n)) == n for n > 0. Writes
 * *out_secs on success. Returns 0 or ACC_EINVAL when an instant lies outside the
 * supported years.
 */
int calendar_business_secs(const struct calendar *cal, int64_t from_at, int64_t to_at,
                           int64_t *out_secs, struct acc_err *err);

/* True when instant at is business time (opening included, closing excluded). */
bool calendar_is_open(const struct calendar *cal, int64_t at);

/*
 * A clock that was paused: the due instant of target_secs counted from start_at, moved
 * later by paused_secs of business time spent paused (sum calendar_business_secs() over
 * the pauses), i.e. calendar_due(start_at, target_secs + paused_secs). Same codes as
 * calendar_due().
 */
int calendar_due_paused(const struct calendar *cal, int64_t start_at, int64_t target_secs,
                        int64_t paused_secs, int64_t *out_at, struct acc_err *err);

/*
 * The instant at which percent per cent (0 .. 100000, e.g. 75 or 150) of target_secs of
 * business time has been reached on a clock started at start_at and paused for
 * paused_secs of business time: calendar_due(start_at, ceil(target_secs * percent / 100)
 * + paused_secs). The escalation levels of a clock fire at these instants. Same codes as
 * calendar_due(), plus ACC_EINVAL for a percent out of range.
 */
int calendar_at_percent(const struct calendar *cal, int64_t start_at, int64_t target_secs,
                        int percent, int64_t paused_secs, int64_t *out_at, struct acc_err *err);

/* ------------------------------------------------------------------ many cases */

/*
 * Scratch for answering many cases in one thread without allocating (`accord calendar due
 * --batch`): one calendar at a time, its holidays and the engine's state. Use it from one
 * thread at a time; free it with calendar_batch_free().
 */
struct calendar_batch;

struct calendar_batch *calendar_batch_new(void);
void calendar_batch_free(struct calendar_batch *b);

/*
 * One case with b: the calendar of zone tz, hours[0..hours_len) and holidays[0..holidays_len)
 * in their usual forms (each day "-" or well-formed intervals, holidays "-" or well-formed
 * dates), and its due instant secs after wall time start, "YYYY-MM-DDTHH:MM" (16 bytes, read
 * as calendar_local_parse() then calendar_tz_to_utc() do). No text need end in a NUL, but 16
 * bytes past each must be readable. The same answers and codes as calendar_parse() then
 * calendar_due(), and *out_off is set to the UTC offset in force at the answer, for
 * calendar_local_format_off(). Text in any other form, right or wrong, gives ACC_EINVAL with
 * an empty message: the general functions then read it (or say what is wrong).
 */
int calendar_batch_due(struct calendar_batch *b, const struct calendar_tz *tz, const char *hours,
                       size_t hours_len, const char *holidays, size_t holidays_len,
                       const char *start, int64_t secs, int64_t *out_at, int32_t *out_off,
                       struct acc_err *err);

#endif
