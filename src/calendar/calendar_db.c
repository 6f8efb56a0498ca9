/* calendar_db.c: rules and SQL for stored calendars and holidays; every change is audited. */
#include "base/acc.h"
#include "base/jw.h"
#include "audit/audit.h"
#include "calendar/calendar_db.h"
#include "org/org.h"
#include "store/store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

_Static_assert(CALENDAR_NAME_MAX == ORG_NAME_MAX, "names are checked by org_name_check()");

/*
 * What refers to a calendar: each query counts the rows of one table that use calendar
 * ?, and a calendar is deleted only when every count is 0. A contract version's clocks run
 * on its calendar, whatever the version's state (superseded versions still measure the
 * requests raised under them).
 */
static const struct {
    const char *what; /* in the message: "is used by 3 <what>s" */
    const char *sql;
} calendar_users[] = {
    {"contract version", "SELECT COUNT(*) FROM contract_version WHERE calendar_id = ?"},
    {NULL, NULL},
};

int calendar_revision(struct store *st, int64_t *out, struct acc_err *err)
{
    return store_query_int(st, "SELECT value FROM revision WHERE name = 'calendar'", NULL, 0, out,
                           err);
}

static int bump_revision(struct store *st, struct acc_err *err)
{
    return store_exec(st, "UPDATE revision SET value = value + 1 WHERE name = 'calendar'", NULL, 0,
                      NULL, err);
}

static const char *week_text(const struct calendar_week *week, struct acc_arena *arena)
{
    struct acc_buf b;
    char *s;

    acc_buf_init(&b);
    calendar_week_format(week, &b);
    s = acc_arena_strdup(arena, b.buf);
    acc_buf_release(&b);
    return s;
}

/* The engine names the week "/hours"; stored calendars and the API call it "/week". */
static int week_field(int rc, struct acc_err *err)
{
    if (rc && err && strncmp(err->field, "/hours", 6) == 0) {
        char field[sizeof(err->field)];

        snprintf(field, sizeof(field), "/week%.50s", err->field + 6);
        memcpy(err->field, field, sizeof(field));
    }
    return rc;
}

/* Audit snapshots: the stored fields of a record, as flat JSON text in the arena. */
static const char *calendar_snapshot(const struct calendar_record *c, struct acc_arena *arena)
{
    struct acc_jw w;

    acc_jw_begin(&w);
    acc_jw_int(&w, "id", c->id);
    acc_jw_str(&w, "name", c->name);
    acc_jw_str(&w, "zone", c->zone);
    acc_jw_str(&w, "hours", c->hours);
    acc_jw_int(&w, "holidays_count", c->holidays_count);
    return acc_jw_end(&w, arena);
}

static const char *holiday_snapshot(const struct calendar_holiday *h, struct acc_arena *arena)
{
    struct acc_jw w;

    acc_jw_begin(&w);
    acc_jw_int(&w, "id", h->id);
    acc_jw_int(&w, "calendar_id", h->calendar_id);
    acc_jw_str(&w, "date", h->date);
    acc_jw_str(&w, "name", h->name);
    acc_jw_str(&w, "source", h->source);
    acc_jw_str(&w, "uid", h->uid);
    return acc_jw_end(&w, arena);
}

/* ---- calendars ---- */

#define CAL_SELECT                                                                                 \
    "SELECT c.id, c.name, c.zone, c.hours, (SELECT COUNT(*) FROM calendar_holiday h WHERE "        \
    "h.calendar_id = c.id), c.created_at, c.updated_at FROM calendar c "

static int read_calendar(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                         struct acc_err *err)
{
    struct calendar_record *c = item;

    c->id = store_col_int(stmt, 0);
    c->name = store_col_dup(stmt, 1, arena);
    c->zone = store_col_dup(stmt, 2, arena);
    c->hours = store_col_dup(stmt, 3, arena);
    c->holidays_count = store_col_int(stmt, 4);
    c->created_at = store_col_int(stmt, 5);
    c->updated_at = store_col_int(stmt, 6);
    if (calendar_week_parse(c->hours, &c->week, NULL))
        return acc_fail(err, ACC_ESTORE, "", "calendar %lld has malformed stored hours",
                        (long long)c->id);
    return ACC_OK;
}

static int calendar_query_one(struct store *st, const char *sql, const struct store_arg *args,
                              const char *what, struct acc_arena *arena,
                              struct calendar_record *out, struct acc_err *err)
{
    struct store_stmt *stmt;
    bool row;
    int rc;

    rc = store_exec(st, sql, args, 1, &stmt, err);
    if (rc)
        return rc;
    rc = store_step(stmt, &row, err);
    if (!rc && !row)
        rc = acc_fail(err, ACC_ENOTFOUND, "", "calendar '%s' does not exist", what);
    if (!rc)
        rc = read_calendar(stmt, out, arena, err);
    store_finish(stmt);
    return rc;
}

int calendar_record_get(struct store *st, int64_t id, struct acc_arena *arena,
                        struct calendar_record *out, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(id)};
    char what[24];

    snprintf(what, sizeof(what), "%lld", (long long)id);
    return calendar_query_one(st, CAL_SELECT "WHERE c.id = ?", args, what, arena, out, err);
}

int calendar_record_find(struct store *st, const char *id_or_name, struct acc_arena *arena,
                         struct calendar_record *out, struct acc_err *err)
{
    struct store_arg args[] = {SA_TEXT(org_name_key(id_or_name, arena))};
    int64_t id;

    if (acc_parse_i64(id_or_name, &id))
        return calendar_record_get(st, id, arena, out, err);
    return calendar_query_one(st, CAL_SELECT "WHERE c.name_key = ?", args, id_or_name, arena, out,
                              err);
}

int calendar_record_list(struct store *st, int64_t after_id, int limit, struct acc_arena *arena,
                         struct calendar_record **items, int *n, bool *more, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(after_id), SA_INT(limit + 1)};
    struct store_stmt *stmt;
    void *rows;
    int rc;

    rc = store_exec(st, CAL_SELECT "WHERE c.id > ? ORDER BY c.id LIMIT ?", args, 2, &stmt, err);
    if (rc)
        return rc;
    rc = store_collect(stmt, sizeof(**items), limit, read_calendar, arena, &rows, n, more, err);
    if (!rc)
        *items = rows;
    return rc;
}

static void apply_calendar(struct calendar_record *c, const struct calendar_input *in)
{
    if (in->has_name)
        c->name = in->name;
    if (in->has_zone)
        c->zone = in->zone;
    if (in->has_week)
        c->week = in->week;
}

/* Checks name, zone and week; fills c->hours from the week. */
static int check_calendar(struct calendar_zones *zones, struct calendar_record *c,
                          struct acc_arena *arena, struct acc_err *err)
{
    const struct calendar_tz *tz;
    int rc;

    rc = org_name_check(c->name, "/name", err);
    if (!rc && (!c->zone || !*c->zone))
        rc = acc_fail(err, ACC_EINVAL, "/zone", "zone must not be empty");
    if (!rc && calendar_zones_get(zones, c->zone, &tz, err))
        rc = acc_fail(err, ACC_EINVAL, "/zone",
                      "zone '%.60s' is not a known IANA time zone (e.g. Europe/London)", c->zone);
    if (!rc)
        rc = week_field(calendar_week_check(&c->week, err), err);
    if (!rc)
        c->hours = week_text(&c->week, arena);
    return rc;
}

static int require_admin(const struct org_actor *who, const char *what, struct acc_err *err)
{
    if (who->role != ORG_ROLE_ADMIN)
        return acc_fail(err, ACC_EPERM, "", "only an administrator may %s", what);
    return ACC_OK;
}

int calendar_record_create(struct store *st, const struct org_actor *who,
                           struct calendar_zones *zones, const struct calendar_input *in,
                           struct acc_arena *arena, struct calendar_record *out,
                           struct acc_err *err)
{
    struct calendar_record c;
    int64_t id, now = acc_now();
    int rc;

    rc = require_admin(who, "create calendars", err);
    if (rc)
        return rc;
    if (!in->has_name)
        return acc_fail(err, ACC_EINVAL, "/name", "name is required");
    if (!in->has_zone)
        return acc_fail(err, ACC_EINVAL, "/zone", "zone is required");
    if (!in->has_week)
        return acc_fail(err, ACC_EINVAL, "/week", "week is required");
    memset(&c, 0, sizeof(c));
    apply_calendar(&c, in);
    rc = check_calendar(zones, &c, arena, err);
    if (rc)
        return rc;
    {
        struct store_arg args[] = {SA_TEXT(c.name), SA_TEXT(org_name_key(c.name, arena)),
                                   SA_TEXT(c.zone), SA_TEXT(c.hours),
                                   SA_INT(now),     SA_INT(now)};

        rc = store_query_int(st,
                             "INSERT INTO calendar (name, name_key, zone, hours, created_at, "
                             "updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                             args, 6, &id, err);
    }
    if (rc == ACC_ECONFLICT)
        return acc_fail(err, ACC_ECONFLICT, "/name", "a calendar named '%s' already exists",
                        c.name);
    if (!rc)
        rc = calendar_record_get(st, id, arena, out, err);
    if (!rc)
        rc = bump_revision(st, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "calendar", id, NULL,
                          calendar_snapshot(out, arena), err);
    return rc;
}

int calendar_record_update(struct store *st, const struct org_actor *who,
                           struct calendar_zones *zones, int64_t id,
                           const struct calendar_input *in, struct acc_arena *arena,
                           struct calendar_record *out, struct acc_err *err)
{
    struct calendar_record before, c;
    int rc;

    rc = calendar_record_get(st, id, arena, &before, err);
    if (!rc)
        rc = require_admin(who, "change calendars", err);
    if (rc)
        return rc;
    c = before;
    apply_calendar(&c, in);
    rc = check_calendar(zones, &c, arena, err);
    if (rc)
        return rc;
    /* Nothing to change: no write, no audit record. */
    if (strcmp(calendar_snapshot(&before, arena), calendar_snapshot(&c, arena)) == 0) {
        *out = before;
        return ACC_OK;
    }
    {
        struct store_arg args[] = {SA_TEXT(c.name),   SA_TEXT(org_name_key(c.name, arena)),
                                   SA_TEXT(c.zone),   SA_TEXT(c.hours),
                                   SA_INT(acc_now()), SA_INT(id)};

        rc = store_exec(st,
                        "UPDATE calendar SET name = ?, name_key = ?, zone = ?, hours = ?, "
                        "updated_at = ? WHERE id = ?",
                        args, 6, NULL, err);
    }
    if (rc == ACC_ECONFLICT)
        return acc_fail(err, ACC_ECONFLICT, "/name", "a calendar named '%s' already exists",
                        c.name);
    if (!rc)
        rc = calendar_record_get(st, id, arena, out, err);
    if (!rc)
        rc = bump_revision(st, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "calendar", id,
                          calendar_snapshot(&before, arena), calendar_snapshot(out, arena), err);
    return rc;
}

/* ACC_ECONFLICT when a row of calendar_users refers to calendar c. */
static int check_unused(struct store *st, const struct calendar_record *c, struct acc_err *err)
{
    for (size_t i = 0; calendar_users[i].sql; i++) {
        struct store_arg args[] = {SA_INT(c->id)};
        int64_t n = 0;
        int rc = store_query_int(st, calendar_users[i].sql, args, 1, &n, err);

        if (rc)
            return rc;
        if (n > 0)
            return acc_fail(err, ACC_ECONFLICT, "", "calendar '%s' is used by %lld %s%s", c->name,
                            (long long)n, calendar_users[i].what, n == 1 ? "" : "s");
    }
    return ACC_OK;
}

int calendar_record_delete(struct store *st, const struct org_actor *who, int64_t id,
                           struct acc_arena *arena, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(id)};
    struct calendar_record c;
    int rc;

    rc = calendar_record_get(st, id, arena, &c, err);
    if (!rc)
        rc = require_admin(who, "delete calendars", err);
    if (!rc)
        rc = check_unused(st, &c, err);
    if (!rc)
        rc = store_exec(st, "DELETE FROM calendar_holiday WHERE calendar_id = ?", args, 1, NULL,
                        err);
    if (!rc)
        rc = store_exec(st, "DELETE FROM calendar WHERE id = ?", args, 1, NULL, err);
    if (!rc)
        rc = bump_revision(st, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "calendar", id,
                          calendar_snapshot(&c, arena), NULL, err);
    return rc;
}

/* ---- holidays ---- */

#define HOLIDAY_SELECT                                                                             \
    "SELECT id, calendar_id, day, name, source, uid, created_at FROM calendar_holiday "

static int read_holiday(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                        struct acc_err *err)
{
    struct calendar_holiday *h = item;
    const char *date = store_col_text(stmt, 2);

    h->id = store_col_int(stmt, 0);
    h->calendar_id = store_col_int(stmt, 1);
    snprintf(h->date, sizeof(h->date), "%s", date ? date : "");
    if (calendar_date_parse(h->date, &h->day))
        h->day = 0;
    h->name = store_col_dup(stmt, 3, arena);
    h->source = store_col_dup(stmt, 4, arena);
    h->uid = store_col_dup(stmt, 5, arena);
    h->created_at = store_col_int(stmt, 6);
    return ACC_OK;
}

static void day_text(int32_t day, char out[11])
{
    char buf[40];
    int y, m, d;

    calendar_day_to_civil(day, &y, &m, &d);
    snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
    memcpy(out, buf, 10);
    out[10] = '\0';
}

static int holiday_get(struct store *st, int64_t calendar_id, int64_t id, struct acc_arena *arena,
                       struct calendar_holiday *out, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(id), SA_INT(calendar_id)};
    struct store_stmt *stmt;
    bool row;
    int rc;

    rc = store_exec(st, HOLIDAY_SELECT "WHERE id = ? AND calendar_id = ?", args, 2, &stmt, err);
    if (rc)
        return rc;
    rc = store_step(stmt, &row, err);
    if (!rc && !row)
        rc = acc_fail(err, ACC_ENOTFOUND, "", "holiday %lld of calendar %lld does not exist",
                      (long long)id, (long long)calendar_id);
    if (!rc)
        read_holiday(stmt, out, arena, err);
    store_finish(stmt);
    return rc;
}

/* Inserts one holiday (rules checked by the caller), bumps the revision and audits it. */
static int insert_holiday(struct store *st, const struct org_actor *who, int64_t calendar_id,
                          int32_t day, const char *name, const char *source, const char *uid,
                          struct acc_arena *arena, struct calendar_holiday *out,
                          struct acc_err *err)
{
    struct calendar_holiday h;
    int64_t now = acc_now();
    int rc;

    memset(&h, 0, sizeof(h));
    day_text(day, h.date);
    h.day = day;
    h.calendar_id = calendar_id;
    h.name = name;
    h.source = source;
    h.uid = uid;
    h.created_at = now;
    {
        struct store_arg args[] = {SA_INT(calendar_id), SA_TEXT(h.date), SA_TEXT(name),
                                   SA_TEXT(source),     SA_TEXT(uid),    SA_INT(now)};

        rc = store_query_int(st,
                             "INSERT INTO calendar_holiday (calendar_id, day, name, source, uid, "
                             "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                             args, 6, &h.id, err);
    }
    if (!rc)
        rc = bump_revision(st, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "calendar_holiday", h.id, NULL,
                          holiday_snapshot(&h, arena), err);
    if (!rc && out)
        *out = h;
    return rc;
}

int calendar_holiday_add(struct store *st, const struct org_actor *who, int64_t calendar_id,
                         const char *date, const char *name, struct acc_arena *arena,
                         struct calendar_holiday *out, struct acc_err *err)
{
    struct calendar_record c;
    int32_t day;
    int rc;

    rc = calendar_record_get(st, calendar_id, arena, &c, err);
    if (!rc)
        rc = require_admin(who, "change holidays", err);
    if (rc)
        return rc;
    if (!date || calendar_date_parse(date, &day))
        return acc_fail(err, ACC_EINVAL, "/date",
                        "date '%.40s' is not a date YYYY-MM-DD (years %d to %d)", date ? date : "",
                        CALENDAR_MIN_YEAR, CALENDAR_MAX_YEAR);
    rc = org_name_check(name, "/name", err);
    if (rc)
        return rc;
    if (c.holidays_count >= CALENDAR_MAX_HOLIDAYS)
        return acc_fail(err, ACC_EINVAL, "/date",
                        "calendar '%s' already has %d holidays, the most a calendar may have",
                        c.name, CALENDAR_MAX_HOLIDAYS);
    rc = insert_holiday(st, who, calendar_id, day, name, "manual", NULL, arena, out, err);
    if (rc == ACC_ECONFLICT)
        return acc_fail(err, ACC_ECONFLICT, "/date", "calendar '%s' already has a holiday on %s",
                        c.name, date);
    return rc;
}

int calendar_holiday_delete(struct store *st, const struct org_actor *who, int64_t calendar_id,
                            int64_t id, struct acc_arena *arena, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(id)};
    struct calendar_record c;
    struct calendar_holiday h;
    int rc;

    rc = calendar_record_get(st, calendar_id, arena, &c, err);
    if (!rc)
        rc = require_admin(who, "change holidays", err);
    if (!rc)
        rc = holiday_get(st, calendar_id, id, arena, &h, err);
    if (!rc)
        rc = store_exec(st, "DELETE FROM calendar_holiday WHERE id = ?", args, 1, NULL, err);
    if (!rc)
        rc = bump_revision(st, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "calendar_holiday", id,
                          holiday_snapshot(&h, arena), NULL, err);
    return rc;
}

static int calendar_exists(struct store *st, int64_t id, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(id)};
    int64_t found;
    int rc = store_query_int(st, "SELECT id FROM calendar WHERE id = ?", args, 1, &found, err);

    if (rc == ACC_ENOTFOUND)
        return acc_fail(err, ACC_ENOTFOUND, "", "calendar '%lld' does not exist", (long long)id);
    return rc;
}

int calendar_holiday_list(struct store *st, int64_t calendar_id, const char *after_date, int limit,
                          struct acc_arena *arena, struct calendar_holiday **items, int *n,
                          bool *more, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(calendar_id), SA_TEXT(after_date ? after_date : ""),
                               SA_INT(limit + 1)};
    struct store_stmt *stmt;
    void *rows;
    int rc;

    rc = calendar_exists(st, calendar_id, err);
    if (rc)
        return rc;
    rc = store_exec(st, HOLIDAY_SELECT "WHERE calendar_id = ? AND day > ? ORDER BY day LIMIT ?",
                    args, 3, &stmt, err);
    if (rc)
        return rc;
    rc = store_collect(stmt, sizeof(**items), limit, read_holiday, arena, &rows, n, more, err);
    if (!rc)
        *items = rows;
    return rc;
}

/* Every holiday day of a calendar, sorted: *days in the arena. */
static int holiday_days(struct store *st, int64_t calendar_id, struct acc_arena *arena,
                        int32_t **days, size_t *n, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(calendar_id)};
    struct store_stmt *stmt;
    size_t count = 0, cap = 64;
    int32_t *out = acc_arena_alloc(arena, cap * sizeof(*out));
    bool row;
    int rc;

    rc = store_exec(st, "SELECT day FROM calendar_holiday WHERE calendar_id = ? ORDER BY day", args,
                    1, &stmt, err);
    if (rc)
        return rc;
    while (!(rc = store_step(stmt, &row, err)) && row) {
        const char *text = store_col_text(stmt, 0);

        if (count == cap) {
            int32_t *grown = acc_arena_alloc(arena, 2 * cap * sizeof(*out));

            memcpy(grown, out, cap * sizeof(*out));
            out = grown;
            cap *= 2;
        }
        if (!text || calendar_date_parse(text, &out[count])) {
            rc = acc_fail(err, ACC_ESTORE, "", "calendar %lld has a malformed stored holiday",
                          (long long)calendar_id);
            break;
        }
        count++;
    }
    store_finish(stmt);
    if (rc)
        return rc;
    *days = out;
    *n = count;
    return ACC_OK;
}

int calendar_record_load(struct store *st, int64_t id, struct calendar_zones *zones,
                         struct acc_arena *arena, struct calendar *out, struct acc_err *err)
{
    const struct calendar_tz *tz;
    struct calendar_record c;
    int64_t stamp;
    int32_t *days;
    size_t n;
    int rc;

    /* Read in the caller's transaction, the revision says whether a kept calendar is current. */
    rc = calendar_revision(st, &stamp, err);
    if (!rc && calendar_zones_cal_get(zones, id, stamp, out))
        return ACC_OK;
    if (!rc)
        rc = calendar_record_get(st, id, arena, &c, err);
    if (!rc)
        rc = calendar_zones_get(zones, c.zone, &tz, err);
    if (!rc)
        rc = holiday_days(st, id, arena, &days, &n, err);
    if (!rc)
        rc = calendar_init(out, tz, &c.week, days, n, err);
    if (!rc)
        calendar_zones_cal_put(zones, id, stamp, out);
    return rc;
}

int calendar_record_due(struct store *st, struct calendar_zones *zones, int64_t id,
                        int64_t start_at, int64_t minutes, struct acc_arena *arena,
                        struct calendar_due_answer *out, struct acc_err *err)
{
    struct calendar_record c;
    struct calendar cal;
    int64_t due_at;
    int rc;

    rc = calendar_record_get(st, id, arena, &c, err);
    if (rc)
        return rc;
    if (minutes < 0 || minutes > CALENDAR_DUE_MINUTES_MAX)
        return acc_fail(err, ACC_EINVAL, "/minutes", "minutes must be from 0 to %d",
                        CALENDAR_DUE_MINUTES_MAX);
    rc = calendar_record_load(st, id, zones, arena, &cal, err);
    if (rc)
        return rc;
    rc = calendar_due(&cal, start_at, minutes * 60, &due_at, err);
    if (rc == ACC_ENOTFOUND)
        rc = acc_fail(err, ACC_ECONFLICT, "", "calendar '%s' has no opening hours", c.name);
    else if (rc == ACC_EINVAL)
        rc = acc_fail(err, ACC_EINVAL, "/start",
                      "the start or the due instant lies outside the years %d to %d",
                      CALENDAR_MIN_YEAR, CALENDAR_MAX_YEAR);
    if (!rc) {
        out->start_at = start_at;
        out->minutes = minutes;
        out->due_at = due_at;
        calendar_local_format(cal.tz, due_at, true, out->due_local);
        out->zone = c.zone;
    }
    calendar_release(&cal);
    return rc;
}

/* ---- iCalendar import ---- */

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

/* Inserts day into the sorted set[0..*n) unless present; true when it was new. */
static bool set_insert(int32_t *set, size_t *n, int32_t day)
{
    size_t lo = 0, hi = *n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (set[mid] == day)
            return false;
        if (set[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(set + lo + 1, set + lo, (*n - lo) * sizeof(*set));
    set[lo] = day;
    (*n)++;
    return true;
}

int calendar_holiday_import(struct store *st, const struct org_actor *who, int64_t calendar_id,
                            const char *text, size_t len, int years, struct acc_arena *arena,
                            struct calendar_import_result *out, struct acc_err *err)
{
    struct calendar_import_result res;
    struct calendar_record c;
    struct calendar_ics ics;
    int32_t *have, *set;
    size_t n_have, n_set, *fresh, n_fresh = 0;
    int y, m, d, rc;

    rc = calendar_record_get(st, calendar_id, arena, &c, err);
    if (!rc)
        rc = require_admin(who, "import holidays", err);
    if (rc)
        return rc;
    if (years < 1 || years > CALENDAR_ICS_YEARS_MAX)
        return acc_fail(err, ACC_EINVAL, "/query/years", "years must be from 1 to %d",
                        CALENDAR_ICS_YEARS_MAX);
    calendar_day_to_civil((int32_t)(acc_now() / 86400), &y, &m, &d);
    rc = calendar_ics_read(text, len, y, y + years, arena, &ics, err);
    if (!rc)
        rc = holiday_days(st, calendar_id, arena, &have, &n_have, err);
    if (rc)
        return rc;
    /* Which dates are new, the first event naming a date giving its name. */
    set = acc_arena_alloc(arena, (n_have + ics.n_dates + 1) * sizeof(*set));
    memcpy(set, have, n_have * sizeof(*set));
    n_set = n_have;
    qsort(set, n_set, sizeof(*set), cmp_i32);
    fresh = acc_arena_alloc(arena, (ics.n_dates + 1) * sizeof(*fresh));
    memset(&res, 0, sizeof(res));
    for (size_t i = 0; i < ics.n_dates; i++) {
        if (n_set > CALENDAR_MAX_HOLIDAYS)
            break;
        if (set_insert(set, &n_set, ics.dates[i].day))
            fresh[n_fresh++] = i;
        else
            res.skipped++;
    }
    if (n_set > CALENDAR_MAX_HOLIDAYS)
        return acc_fail(err, ACC_EINVAL, "/holidays",
                        "the import would give calendar '%s' more than %d holidays (it has %zu)",
                        c.name, CALENDAR_MAX_HOLIDAYS, n_have);
    for (size_t k = 0; !rc && k < n_fresh; k++) {
        const struct calendar_ics_date *dt = &ics.dates[fresh[k]];

        rc = insert_holiday(st, who, calendar_id, dt->day, dt->name, "ics", dt->uid, arena, NULL,
                            err);
    }
    if (rc)
        return rc;
    res.added = (int64_t)n_fresh;
    res.errors = ics.errors;
    res.n_errors = ics.n_errors;
    *out = res;
    return ACC_OK;
}
