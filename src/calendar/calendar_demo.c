/* calendar_demo.c: the demo organisation's calendars: an office, a plant on shifts, 24x7 IT. */
#include "base/acc.h"
#include "calendar/calendar_db.h"

/* A holiday written out: the dates are those published for each year, not computed. */
struct demo_holiday {
    const char *date;
    const char *name;
};

/* England and Wales bank holidays, as published for 2025 to 2027 (with substitute days). */
static const struct demo_holiday uk_holidays[] = {
    {"2025-01-01", "New Year's Day"},
    {"2025-04-18", "Good Friday"},
    {"2025-04-21", "Easter Monday"},
    {"2025-05-05", "Early May bank holiday"},
    {"2025-05-26", "Spring bank holiday"},
    {"2025-08-25", "Summer bank holiday"},
    {"2025-12-25", "Christmas Day"},
    {"2025-12-26", "Boxing Day"},
    {"2026-01-01", "New Year's Day"},
    {"2026-04-03", "Good Friday"},
    {"2026-04-06", "Easter Monday"},
    {"2026-05-04", "Early May bank holiday"},
    {"2026-05-25", "Spring bank holiday"},
    {"2026-08-31", "Summer bank holiday"},
    {"2026-12-25", "Christmas Day"},
    {"2026-12-28", "Boxing Day (substitute day)"},
    {"2027-01-01", "New Year's Day"},
    {"2027-03-26", "Good Friday"},
    {"2027-03-29", "Easter Monday"},
    {"2027-05-03", "Early May bank holiday"},
    {"2027-05-31", "Spring bank holiday"},
    {"2027-08-30", "Summer bank holiday"},
    {"2027-12-27", "Christmas Day (substitute day)"},
    {"2027-12-28", "Boxing Day (substitute day)"},
};

/* Polish public holidays (dni ustawowo wolne od pracy) 2025 to 2027; Christmas Eve from 2025. */
static const struct demo_holiday pl_holidays[] = {
    {"2025-01-01", "Nowy Rok"},
    {"2025-01-06", "Trzech Króli"},
    {"2025-04-20", "Wielkanoc"},
    {"2025-04-21", "Poniedziałek Wielkanocny"},
    {"2025-05-01", "Święto Pracy"},
    {"2025-05-03", "Święto Konstytucji 3 Maja"},
    {"2025-06-08", "Zielone Świątki"},
    {"2025-06-19", "Boże Ciało"},
    {"2025-08-15", "Wniebowzięcie NMP"},
    {"2025-11-01", "Wszystkich Świętych"},
    {"2025-11-11", "Narodowe Święto Niepodległości"},
    {"2025-12-24", "Wigilia Bożego Narodzenia"},
    {"2025-12-25", "Boże Narodzenie (pierwszy dzień)"},
    {"2025-12-26", "Boże Narodzenie (drugi dzień)"},
    {"2026-01-01", "Nowy Rok"},
    {"2026-01-06", "Trzech Króli"},
    {"2026-04-05", "Wielkanoc"},
    {"2026-04-06", "Poniedziałek Wielkanocny"},
    {"2026-05-01", "Święto Pracy"},
    {"2026-05-03", "Święto Konstytucji 3 Maja"},
    {"2026-05-24", "Zielone Świątki"},
    {"2026-06-04", "Boże Ciało"},
    {"2026-08-15", "Wniebowzięcie NMP"},
    {"2026-11-01", "Wszystkich Świętych"},
    {"2026-11-11", "Narodowe Święto Niepodległości"},
    {"2026-12-24", "Wigilia Bożego Narodzenia"},
    {"2026-12-25", "Boże Narodzenie (pierwszy dzień)"},
    {"2026-12-26", "Boże Narodzenie (drugi dzień)"},
    {"2027-01-01", "Nowy Rok"},
    {"2027-01-06", "Trzech Króli"},
    {"2027-03-28", "Wielkanoc"},
    {"2027-03-29", "Poniedziałek Wielkanocny"},
    {"2027-05-01", "Święto Pracy"},
    {"2027-05-03", "Święto Konstytucji 3 Maja"},
    {"2027-05-16", "Zielone Świątki"},
    {"2027-05-27", "Boże Ciało"},
    {"2027-08-15", "Wniebowzięcie NMP"},
    {"2027-11-01", "Wszystkich Świętych"},
    {"2027-11-11", "Narodowe Święto Niepodległości"},
    {"2027-12-24", "Wigilia Bożego Narodzenia"},
    {"2027-12-25", "Boże Narodzenie (pierwszy dzień)"},
    {"2027-12-26", "Boże Narodzenie (drugi dzień)"},
};

static const struct {
    const char *name;
    const char *zone;
    const char *hours; /* the HOURS syntax, Monday first */
    const struct demo_holiday *holidays;
    size_t n_holidays;
} demo_calendars[] = {
    /* An office with a lunch break. */
    {"Head office", "Europe/London",
     "09:00-12:30+13:30-17:30,09:00-12:30+13:30-17:30,09:00-12:30+13:30-17:30,"
     "09:00-12:30+13:30-17:30,09:00-12:30+13:30-17:30,-,-",
     uk_holidays, ACC_ARRAY_LEN(uk_holidays)},
    /*
     * Three eight-hour shifts from the night shift of Sunday 22:00 to the late shift that
     * ends on Friday 22:00: each night shift runs past midnight into the next day.
     */
    {"Plant shifts", "Europe/Warsaw",
     "06:00-14:00+14:00-22:00+22:00-06:00,06:00-14:00+14:00-22:00+22:00-06:00,"
     "06:00-14:00+14:00-22:00+22:00-06:00,06:00-14:00+14:00-22:00+22:00-06:00,"
     "06:00-14:00+14:00-22:00,-,22:00-06:00",
     pl_holidays, ACC_ARRAY_LEN(pl_holidays)},
    {"IT 24x7", "UTC",
     "00:00-24:00,00:00-24:00,00:00-24:00,00:00-24:00,00:00-24:00,00:00-24:00,00:00-24:00", NULL,
     0},
};

int calendar_demo_populate(struct store *st, const struct org_actor *who, struct acc_arena *arena,
                           struct acc_err *err)
{
    struct calendar_zones *zones = calendar_zones_new();
    int rc = ACC_OK;

    for (size_t i = 0; !rc && i < ACC_ARRAY_LEN(demo_calendars); i++) {
        struct calendar_input in = {.has_name = true,
                                    .has_zone = true,
                                    .has_week = true,
                                    .name = demo_calendars[i].name,
                                    .zone = demo_calendars[i].zone};
        struct calendar_record c;

        rc = calendar_week_parse(demo_calendars[i].hours, &in.week, err);
        if (!rc)
            rc = calendar_record_create(st, who, zones, &in, arena, &c, err);
        for (size_t k = 0; !rc && k < demo_calendars[i].n_holidays; k++)
            rc = calendar_holiday_add(st, who, c.id, demo_calendars[i].holidays[k].date,
                                      demo_calendars[i].holidays[k].name, arena, NULL, err);
    }
    calendar_zones_free(zones);
    return rc;
}
