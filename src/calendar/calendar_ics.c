/* calendar_ics.c: holiday dates from iCalendar text (RFC 5545), read with libical. */
#include "base/acc.h"
#include "calendar/calendar_db.h"

#include <dlfcn.h>
#include <libical/ical.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_EVENT_DAYS 31    /* days one all-day event may span */
#define MAX_DATES      20000 /* dates one file may give in all */
#define MAX_STEPS      20000 /* occurrences walked to reach the horizon of one rule */
#define UID_MAX        255   /* bytes of a UID kept */

/*
 * libical is loaded on first use rather than linked: it brings ICU and libstdc++, whose
 * loading would cost every accord process about 1.5 ms at start (`accord calendar due
 * --batch` answers 100,000 cases in about 20 ms), while only this file needs it.
 */
#define LIBICAL_SONAME "libical.so.3"
_Static_assert(ICAL_MAJOR_VERSION == 3, "LIBICAL_SONAME names the libical of these headers");

/* The libical functions this file calls, as ical.<name>. */
#define LIBICAL_FUNCS(X)                                                                           \
    X(icalcomponent_count_properties)                                                              \
    X(icalcomponent_free)                                                                          \
    X(icalcomponent_get_first_component)                                                           \
    X(icalcomponent_get_first_property)                                                            \
    X(icalcomponent_get_next_component)                                                            \
    X(icalcomponent_get_next_property)                                                             \
    X(icalcomponent_get_status)                                                                    \
    X(icalcomponent_get_summary)                                                                   \
    X(icalcomponent_get_uid)                                                                       \
    X(icalcomponent_isa)                                                                           \
    X(icalparser_parse_string)                                                                     \
    X(icalproperty_get_dtend)                                                                      \
    X(icalproperty_get_dtstart)                                                                    \
    X(icalproperty_get_duration)                                                                   \
    X(icalproperty_get_exdate)                                                                     \
    X(icalproperty_get_rdate)                                                                      \
    X(icalproperty_get_recurrenceid)                                                               \
    X(icalproperty_get_rrule)                                                                      \
    X(icalproperty_get_xlicerror)                                                                  \
    X(icalrecur_freq_to_string)                                                                    \
    X(icalrecur_iterator_free)                                                                     \
    X(icalrecur_iterator_new)                                                                      \
    X(icalrecur_iterator_next)                                                                     \
    X(icalrecur_iterator_set_start)                                                                \
    X(icaltime_compare)                                                                            \
    X(icaltime_is_null_time)                                                                       \
    X(icaltime_null_date)

#define LIBICAL_POINTER(name) __typeof__(&name) name;

static struct {
    LIBICAL_FUNCS(LIBICAL_POINTER)
} ical;

static pthread_once_t ical_once = PTHREAD_ONCE_INIT;
static char ical_error[120]; /* why loading failed; "" once loaded */

/* Sets the function pointer at slot to lib's function name; false when lib lacks it. */
static bool resolve(void *lib, const char *name, void *slot)
{
    void *fn = dlsym(lib, name);

    if (fn)
        memcpy(slot, &fn, sizeof(fn));
    return fn != NULL;
}

/* Opens libical and resolves LIBICAL_FUNCS; what failed goes to ical_error. */
static void ical_load(void)
{
    void *lib = dlopen(LIBICAL_SONAME, RTLD_NOW | RTLD_LOCAL);
    const char *missing = NULL;

    if (!lib) {
        snprintf(ical_error, sizeof(ical_error), "%s", dlerror());
        return;
    }
#define LIBICAL_RESOLVE(name)                                                                      \
    if (!missing && !resolve(lib, #name, &ical.name))                                              \
        missing = #name;
    LIBICAL_FUNCS(LIBICAL_RESOLVE)
#undef LIBICAL_RESOLVE
    if (missing)
        snprintf(ical_error, sizeof(ical_error), "%s lacks %s", LIBICAL_SONAME, missing);
}

/* Loads libical once per process; ACC_EBUG when it cannot be. */
static int ical_ready(struct acc_err *err)
{
    pthread_once(&ical_once, ical_load);
    if (ical_error[0])
        return acc_fail(err, ACC_EBUG, "",
                        "reading iCalendar needs libical (" LIBICAL_SONAME "), which could not "
                        "be loaded: %s",
                        ical_error);
    return 0;
}

/* One file's reading: the result being built and the overridden occurrences. */
struct reader {
    struct acc_arena *arena;
    struct calendar_ics *out;
    size_t cap_dates, cap_errors;
    int first_year, last_year;
    struct override {
        const char *uid;
        int32_t day;
    } * overrides;
    size_t n_overrides;
};

/* An event being read: its label for errors, and what every date of it carries. */
struct event {
    icalcomponent *comp;
    const char *label;
    const char *name;
    const char *uid;
    int32_t span; /* days each occurrence covers */
    bool recurring;
};

static void add_error(struct reader *r, const char *event, const char *fmt, ...) ACC_PRINTF(3, 4);

static void add_error(struct reader *r, const char *event, const char *fmt, ...)
{
    struct calendar_ics *out = r->out;
    char detail[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    if (out->n_errors == r->cap_errors) {
        struct calendar_ics_error *grown;

        r->cap_errors = r->cap_errors ? 2 * r->cap_errors : 16;
        grown = acc_arena_alloc(r->arena, r->cap_errors * sizeof(*grown));
        if (out->n_errors)
            memcpy(grown, out->errors, out->n_errors * sizeof(*grown));
        out->errors = grown;
    }
    out->errors[out->n_errors].event = event;
    out->errors[out->n_errors].detail = acc_arena_strdup(r->arena, detail);
    out->n_errors++;
}

static void add_date(struct reader *r, const struct event *ev, int32_t day)
{
    struct calendar_ics *out = r->out;

    if (out->n_dates == r->cap_dates) {
        struct calendar_ics_date *grown;

        r->cap_dates = r->cap_dates ? 2 * r->cap_dates : 64;
        grown = acc_arena_alloc(r->arena, r->cap_dates * sizeof(*grown));
        if (out->n_dates)
            memcpy(grown, out->dates, out->n_dates * sizeof(*grown));
        out->dates = grown;
    }
    out->dates[out->n_dates].day = day;
    out->dates[out->n_dates].name = ev->name;
    out->dates[out->n_dates].uid = ev->uid;
    out->n_dates++;
}

/*
 * Text fit to show or store: control characters become spaces, white space is trimmed,
 * and the text is cut to max bytes on a character boundary. NULL for invalid UTF-8 or
 * nothing left.
 */
static const char *clean_text(const char *s, size_t max, struct acc_arena *arena)
{
    char *t;
    size_t len;

    if (!s || !acc_utf8_valid(s))
        return NULL;
    t = acc_arena_strdup(arena, s);
    for (char *p = t; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    t = acc_trim(t);
    len = strlen(t);
    if (len > max) {
        len = max;
        while (len > 0 && ((unsigned char)t[len] & 0xc0) == 0x80)
            len--;
        t[len] = '\0';
        t = acc_trim(t);
    }
    return *t ? t : NULL;
}

/* The local day of a DATE value; false when it is no real date or out of range. */
static bool date_day(struct icaltimetype t, int32_t *day)
{
    int y, m, d;

    if (t.year < CALENDAR_MIN_YEAR || t.year > CALENDAR_MAX_YEAR || t.month < 1 || t.month > 12 ||
        t.day < 1 || t.day > 31)
        return false;
    *day = calendar_day_from_civil(t.year, t.month, t.day);
    calendar_day_to_civil(*day, &y, &m, &d);
    return y == t.year && m == t.month && d == t.day;
}

static const char *time_text(struct icaltimetype t, struct acc_arena *arena)
{
    if (t.is_date)
        return acc_arena_printf(arena, "%04d-%02d-%02d", t.year, t.month, t.day);
    return acc_arena_printf(arena, "%04d-%02d-%02dT%02d:%02d", t.year, t.month, t.day, t.hour,
                            t.minute);
}

static bool overridden(const struct reader *r, const char *uid, int32_t day)
{
    for (size_t i = 0; uid && i < r->n_overrides; i++)
        if (r->overrides[i].day == day && strcmp(r->overrides[i].uid, uid) == 0)
            return true;
    return false;
}

static bool in_horizon(const struct reader *r, int32_t day)
{
    int y, m, d;

    calendar_day_to_civil(day, &y, &m, &d);
    return y >= r->first_year && y <= r->last_year;
}

/* Adds the days of one occurrence starting on day, unless it is excluded. */
static void add_occurrence(struct reader *r, const struct event *ev, int32_t day,
                           const int32_t *exdates, size_t n_ex)
{
    for (size_t i = 0; i < n_ex; i++)
        if (exdates[i] == day)
            return;
    if (ev->recurring && overridden(r, ev->uid, day))
        return;
    for (int32_t k = 0; k < ev->span; k++)
        if (day + k <= calendar_day_from_civil(CALENDAR_MAX_YEAR, 12, 31))
            add_date(r, ev, day + k);
}

/*
 * A property libical could not read is dropped and noted in an X-LIC-ERROR: when it is
 * one that decides the dates, the event cannot be read as it was meant.
 */
static const char *dropped_date_property(icalcomponent *comp)
{
    static const char *const names[] = {"DTSTART", "DTEND",  "DURATION",     "RRULE",
                                        "RDATE",   "EXDATE", "RECURRENCE-ID"};

    for (icalproperty *p = ical.icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY); p;
         p = ical.icalcomponent_get_next_property(comp, ICAL_XLICERROR_PROPERTY)) {
        const char *msg = ical.icalproperty_get_xlicerror(p);

        for (size_t i = 0; msg && i < ACC_ARRAY_LEN(names); i++) {
            const char *hit = strstr(msg, names[i]);

            if (hit && (hit == msg || hit[-1] == ' ') &&
                strncmp(hit + strlen(names[i]), " ", 1) == 0)
                return names[i];
        }
    }
    return NULL;
}

/* Days an occurrence covers, from DTEND or DURATION; 0 after reporting an error. */
static int32_t event_span(struct reader *r, const struct event *ev, int32_t start)
{
    icalproperty *end = ical.icalcomponent_get_first_property(ev->comp, ICAL_DTEND_PROPERTY);
    icalproperty *dur = ical.icalcomponent_get_first_property(ev->comp, ICAL_DURATION_PROPERTY);
    int64_t span = 1;

    if (end) {
        struct icaltimetype t = ical.icalproperty_get_dtend(end);
        int32_t day;

        if (!t.is_date) {
            add_error(r, ev->label, "DTEND %s has a time of day, DTSTART none",
                      time_text(t, r->arena));
            return 0;
        }
        if (!date_day(t, &day)) {
            add_error(r, ev->label, "DTEND is not a date from %d to %d", CALENDAR_MIN_YEAR,
                      CALENDAR_MAX_YEAR);
            return 0;
        }
        span = day > start ? day - start : 1;
    } else if (dur) {
        struct icaldurationtype d = ical.icalproperty_get_duration(dur);

        if (d.is_neg || d.hours || d.minutes || d.seconds) {
            add_error(r, ev->label, "DURATION is not a whole number of days");
            return 0;
        }
        span = (int64_t)d.days + 7 * (int64_t)d.weeks;
        if (span < 1)
            span = 1;
    }
    if (span > MAX_EVENT_DAYS) {
        add_error(r, ev->label, "spans %lld days; an event may span at most %d", (long long)span,
                  MAX_EVENT_DAYS);
        return 0;
    }
    return (int32_t)span;
}

/* EXDATE days of the event, in the arena; false after reporting an error. */
static bool event_exdates(struct reader *r, const struct event *ev, int32_t **out, size_t *n)
{
    size_t count = ical.icalcomponent_count_properties(ev->comp, ICAL_EXDATE_PROPERTY), i = 0;
    int32_t *days = acc_arena_alloc(r->arena, (count + 1) * sizeof(*days));

    for (icalproperty *p = ical.icalcomponent_get_first_property(ev->comp, ICAL_EXDATE_PROPERTY); p;
         p = ical.icalcomponent_get_next_property(ev->comp, ICAL_EXDATE_PROPERTY)) {
        struct icaltimetype t = ical.icalproperty_get_exdate(p);

        if (!date_day(t, &days[i])) {
            add_error(r, ev->label, "EXDATE %s is not a date", time_text(t, r->arena));
            return false;
        }
        i++;
    }
    *out = days;
    *n = i;
    return true;
}

/* The occurrences of a yearly rule inside the horizon; false after reporting an error. */
static bool expand_rule(struct reader *r, const struct event *ev, struct icalrecurrencetype rule,
                        struct icaltimetype dtstart, const int32_t *ex, size_t n_ex)
{
    icalrecur_iterator *it = ical.icalrecur_iterator_new(rule, dtstart);
    struct icaltimetype from = ical.icaltime_null_date();
    int steps = 0;

    if (!it) {
        add_error(r, ev->label, "its RRULE cannot be expanded");
        return false;
    }
    /* Skip the years before the horizon at once where libical allows it (not with COUNT). */
    from.year = r->first_year;
    from.month = 1;
    from.day = 1;
    if (rule.count == 0 && ical.icaltime_compare(from, dtstart) > 0)
        ical.icalrecur_iterator_set_start(it, from);
    for (;;) {
        struct icaltimetype t = ical.icalrecur_iterator_next(it);
        int32_t day;

        if (ical.icaltime_is_null_time(t) || t.year > r->last_year)
            break;
        if (++steps > MAX_STEPS) {
            ical.icalrecur_iterator_free(it);
            add_error(r, ev->label, "its RRULE gives more than %d occurrences", MAX_STEPS);
            return false;
        }
        if (t.year < r->first_year)
            continue;
        if (!date_day(t, &day))
            continue;
        add_occurrence(r, ev, day, ex, n_ex);
    }
    ical.icalrecur_iterator_free(it);
    return true;
}

/* RDATE days: extra occurrences; false after reporting an error. */
static bool add_rdates(struct reader *r, const struct event *ev, const int32_t *ex, size_t n_ex)
{
    for (icalproperty *p = ical.icalcomponent_get_first_property(ev->comp, ICAL_RDATE_PROPERTY); p;
         p = ical.icalcomponent_get_next_property(ev->comp, ICAL_RDATE_PROPERTY)) {
        struct icaldatetimeperiodtype v = ical.icalproperty_get_rdate(p);
        int32_t day;

        if (ical.icaltime_is_null_time(v.time) || !v.time.is_date || !date_day(v.time, &day)) {
            add_error(r, ev->label, "RDATE is not a date (periods and times of day are not read)");
            return false;
        }
        if (!ev->recurring || in_horizon(r, day))
            add_occurrence(r, ev, day, ex, n_ex);
    }
    return true;
}

/* Reads one VEVENT; an event that cannot be read adds an error and no date. */
static void read_event(struct reader *r, icalcomponent *comp, size_t index)
{
    icalproperty *start = ical.icalcomponent_get_first_property(comp, ICAL_DTSTART_PROPERTY);
    icalproperty *rrule = ical.icalcomponent_get_first_property(comp, ICAL_RRULE_PROPERTY);
    icalproperty *recid = ical.icalcomponent_get_first_property(comp, ICAL_RECURRENCEID_PROPERTY);
    const char *summary =
        clean_text(ical.icalcomponent_get_summary(comp), CALENDAR_NAME_MAX, r->arena);
    size_t saved = r->out->n_dates, n_ex = 0;
    struct icaltimetype t;
    struct event ev;
    const char *bad;
    int32_t day, *ex = NULL;

    ev.comp = comp;
    ev.uid = clean_text(ical.icalcomponent_get_uid(comp), UID_MAX, r->arena);
    ev.name = summary ? summary : "Holiday";
    ev.label = summary  ? summary
               : ev.uid ? ev.uid
                        : acc_arena_printf(r->arena, "event %zu", index + 1);
    ev.recurring = rrule != NULL || recid != NULL;
    if (ical.icalcomponent_get_status(comp) == ICAL_STATUS_CANCELLED)
        return;
    if ((bad = dropped_date_property(comp)) != NULL) {
        add_error(r, ev.label, "its %s cannot be read", bad);
        return;
    }
    if (!start) {
        add_error(r, ev.label, "it has no DTSTART");
        return;
    }
    t = ical.icalproperty_get_dtstart(start);
    if (!t.is_date) {
        add_error(r, ev.label,
                  "it starts at a time of day (%s); only all-day events are read as holidays",
                  time_text(t, r->arena));
        return;
    }
    if (!date_day(t, &day)) {
        add_error(r, ev.label, "DTSTART is not a date from %d to %d", CALENDAR_MIN_YEAR,
                  CALENDAR_MAX_YEAR);
        return;
    }
    if ((ev.span = event_span(r, &ev, day)) == 0 || !event_exdates(r, &ev, &ex, &n_ex))
        return;
    if (rrule) {
        struct icalrecurrencetype rule = ical.icalproperty_get_rrule(rrule);

        if (ical.icalcomponent_get_next_property(comp, ICAL_RRULE_PROPERTY)) {
            add_error(r, ev.label, "it has more than one RRULE");
            return;
        }
        if (rule.freq != ICAL_YEARLY_RECURRENCE) {
            add_error(r, ev.label, "it repeats FREQ=%s; only yearly rules are read",
                      rule.freq == ICAL_NO_RECURRENCE ? "?"
                                                      : ical.icalrecur_freq_to_string(rule.freq));
            return;
        }
        if (!expand_rule(r, &ev, rule, t, ex, n_ex))
            goto drop;
    } else if (!recid || in_horizon(r, day)) {
        add_occurrence(r, &ev, day, ex, n_ex);
    }
    if (!add_rdates(r, &ev, ex, n_ex))
        goto drop;
    if (r->out->n_dates - saved > CALENDAR_MAX_HOLIDAYS) {
        add_error(r, ev.label, "it gives %zu dates, more than a calendar may hold (%d)",
                  r->out->n_dates - saved, CALENDAR_MAX_HOLIDAYS);
        goto drop;
    }
    return;
drop:
    r->out->n_dates = saved;
}

/* Appends the VEVENTs of calendar cal to *list. */
static void events_of(icalcomponent *cal, icalcomponent ***list, size_t *n, size_t *cap)
{
    for (icalcomponent *e = ical.icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); e;
         e = ical.icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 64;
            *list = xrealloc(*list, *cap * sizeof(**list));
        }
        (*list)[(*n)++] = e;
    }
}

/* The VEVENTs of root (a VCALENDAR, several under an XROOT, or one bare VEVENT); malloc'd. */
static icalcomponent **collect_events(icalcomponent *root, size_t *n)
{
    icalcomponent **list = NULL;
    size_t cap = 0;

    *n = 0;
    if (ical.icalcomponent_isa(root) == ICAL_VEVENT_COMPONENT) {
        list = xmalloc(sizeof(*list));
        list[(*n)++] = root;
    } else if (ical.icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
        events_of(root, &list, n, &cap);
    } else {
        for (icalcomponent *c =
                 ical.icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
             c; c = ical.icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT))
            events_of(c, &list, n, &cap);
    }
    return list;
}

/* Notes every occurrence that an event with RECURRENCE-ID replaces. */
static void collect_overrides(struct reader *r, icalcomponent **events, size_t n)
{
    r->overrides = acc_arena_alloc(r->arena, (n + 1) * sizeof(*r->overrides));
    for (size_t i = 0; i < n; i++) {
        icalproperty *p =
            ical.icalcomponent_get_first_property(events[i], ICAL_RECURRENCEID_PROPERTY);
        const char *uid = ical.icalcomponent_get_uid(events[i]);
        int32_t day;

        if (p && uid && date_day(ical.icalproperty_get_recurrenceid(p), &day)) {
            r->overrides[r->n_overrides].uid = clean_text(uid, UID_MAX, r->arena);
            r->overrides[r->n_overrides].day = day;
            if (r->overrides[r->n_overrides].uid)
                r->n_overrides++;
        }
    }
}

int calendar_ics_read(const char *text, size_t len, int first_year, int last_year,
                      struct acc_arena *arena, struct calendar_ics *out, struct acc_err *err)
{
    struct calendar_ics res;
    struct reader r;
    icalcomponent *root, **events = NULL;
    size_t n_events;
    int rc = ACC_OK;

    if (len > CALENDAR_ICS_MAX_BYTES)
        return acc_fail(err, ACC_EINVAL, "", "the iCalendar text is larger than %d KiB",
                        CALENDAR_ICS_MAX_BYTES / 1024);
    if (!text || !len || memchr(text, '\0', len))
        return acc_fail(err, ACC_EINVAL, "", "the iCalendar text is %s",
                        !text || !len ? "empty" : "binary (it holds NUL bytes)");
    if ((rc = ical_ready(err)) != 0)
        return rc;
    root = ical.icalparser_parse_string(acc_arena_strndup(arena, text, len));
    if (!root || (ical.icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT &&
                  ical.icalcomponent_isa(root) != ICAL_XROOT_COMPONENT &&
                  ical.icalcomponent_isa(root) != ICAL_VEVENT_COMPONENT)) {
        if (root)
            ical.icalcomponent_free(root);
        return acc_fail(err, ACC_EINVAL, "",
                        "the text is not iCalendar (want BEGIN:VCALENDAR ... END:VCALENDAR)");
    }
    memset(&res, 0, sizeof(res));
    memset(&r, 0, sizeof(r));
    r.arena = arena;
    r.out = &res;
    r.first_year = first_year;
    r.last_year = last_year;
    events = collect_events(root, &n_events);
    res.n_events = n_events;
    if (n_events > CALENDAR_ICS_MAX_EVENTS) {
        rc = acc_fail(err, ACC_EINVAL, "", "the file holds %zu events, more than %d", n_events,
                      CALENDAR_ICS_MAX_EVENTS);
        goto out;
    }
    collect_overrides(&r, events, n_events);
    for (size_t i = 0; i < n_events; i++) {
        read_event(&r, events[i], i);
        if (res.n_dates > MAX_DATES) {
            rc = acc_fail(err, ACC_EINVAL, "", "the file gives more than %d holiday dates",
                          MAX_DATES);
            goto out;
        }
    }
    *out = res;
out:
    free(events);
    ical.icalcomponent_free(root);
    return rc;
}
