/* cmd_calendar_store.c: `accord calendar list|show|add|import-ics`: stored calendars. */
#include "base/acc.h"
#include "calendar/calendar_db.h"
#include "request/request.h"
#include "cli/cli.h"
#include "org/org.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const day_names[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                         "Friday", "Saturday", "Sunday"};

static void help(FILE *f)
{
    fprintf(f,
            "usage: accord [--db PATH] calendar list\n"
            "       accord [--db PATH] calendar show C\n"
            "       accord [--db PATH] calendar add --name N --zone ZONE --hours HOURS\n"
            "                          [--holidays DATES]\n"
            "       accord [--db PATH] calendar import-ics C FILE [--years N]\n"
            "\n"
            "Stored business calendars: an IANA time zone, weekly opening hours and holidays.\n"
            "C is a calendar's id or name.\n"
            "\n"
            "  list         every calendar: id, name, zone, number of holidays, hours\n"
            "  show         one calendar: its hours day by day and all its holidays\n"
            "  add          a new calendar:\n"
            "    --name N         unique name, at most %d bytes\n"
            "    --zone ZONE      IANA time zone, e.g. Europe/London\n"
            "    --hours HOURS    seven entries Monday to Sunday, each '-' (closed) or intervals\n"
            "                     HH:MM-HH:MM joined by '+': 09:00-12:30+13:30-17:30,...,-,-\n"
            "                     (an end at or before its start is on the next day;\n"
            "                     00:00-24:00 is a whole day)\n"
            "    --holidays DATES YYYY-MM-DD,... closed local days, named 'Holiday'\n"
            "  import-ics   holidays from an iCalendar (.ics) file of at most %d KiB:\n"
            "               all-day events, yearly RRULEs expanded from this year through this\n"
            "               year + N (--years, 1 .. %d, default %d). Dates the calendar\n"
            "               already has are skipped, so importing a file twice adds nothing.\n"
            "               Prints what was added and skipped and why each event that could\n"
            "               not be read was left out; exits 1 when nothing could be read.\n"
            "\n"
            "A calendar holds at most %d holidays and %d intervals a day.\n",
            CALENDAR_NAME_MAX, CALENDAR_ICS_MAX_BYTES / 1024, CALENDAR_ICS_YEARS_MAX,
            CALENDAR_ICS_YEARS_DEFAULT, CALENDAR_MAX_HOLIDAYS, CALENDAR_MAX_INTERVALS);
}

static void print_calendar(const struct calendar_record *c)
{
    printf("%lld\t%s\t%s\t%lld\t%s\n", (long long)c->id, c->name, c->zone,
           (long long)c->holidays_count, c->hours);
}

static int list(struct cli_ctx *cli, struct store *st, struct acc_err *err)
{
    struct calendar_record *items;
    int64_t after = 0;
    bool more = true;
    int n, rc = 0;

    printf("ID\tNAME\tZONE\tHOLIDAYS\tHOURS\n");
    while (!rc && more) {
        rc = calendar_record_list(st, after, 200, cli->arena, &items, &n, &more, err);
        for (int i = 0; !rc && i < n; i++) {
            print_calendar(&items[i]);
            after = items[i].id;
        }
    }
    return rc;
}

/* "HH:MM" of seconds after a day's 00:00, with 24:00 for a close at midnight. */
static void print_hhmm(int32_t secs, bool is_close)
{
    if (is_close && secs == 86400)
        printf("24:00");
    else
        printf("%02d:%02d", (int)(secs % 86400 / 3600), (int)(secs % 3600 / 60));
}

static int show(struct cli_ctx *cli, struct store *st, const char *which, struct acc_err *err)
{
    struct calendar_holiday *items;
    struct calendar_record c;
    const char *after = NULL;
    bool more = true;
    int n, rc;

    rc = calendar_record_find(st, which, cli->arena, &c, err);
    if (rc)
        return rc;
    printf("id\t%lld\nname\t%s\nzone\t%s\nhours\t%s\n", (long long)c.id, c.name, c.zone, c.hours);
    for (int d = 0; d < 7; d++) {
        printf("  %s\t", day_names[d]);
        if (!c.week.day[d].n)
            printf("closed");
        for (int i = 0; i < c.week.day[d].n; i++) {
            const struct calendar_interval *iv = &c.week.day[d].iv[i];

            printf("%s", i ? ", " : "");
            print_hhmm(iv->open_secs, false);
            printf("-");
            print_hhmm(iv->close_secs, true);
            if (iv->close_secs > 86400 && iv->close_secs - iv->open_secs < 86400)
                printf(" (next day)");
        }
        printf("\n");
    }
    printf("holidays\t%lld\n", (long long)c.holidays_count);
    while (!rc && more) {
        rc = calendar_holiday_list(st, c.id, after, 200, cli->arena, &items, &n, &more, err);
        for (int i = 0; !rc && i < n; i++) {
            printf("  %s\t%s\t%s\n", items[i].date, items[i].name, items[i].source);
            after = items[i].date;
        }
    }
    return rc;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

static int add(struct cli_ctx *cli, struct store *st, const struct org_actor *sys, const char *name,
               const char *zone, const char *hours, const char *holidays, struct acc_err *err)
{
    struct calendar_zones *zones;
    struct calendar_input in = {.has_name = true, .has_zone = true, .has_week = true};
    struct calendar_record c;
    int32_t *days = acc_arena_alloc(cli->arena, CALENDAR_MAX_HOLIDAYS * sizeof(*days));
    size_t n = 0;
    int rc;

    in.name = name;
    in.zone = zone;
    rc = calendar_week_parse(hours, &in.week, err);
    if (!rc && holidays)
        rc = calendar_holidays_parse(holidays, days, CALENDAR_MAX_HOLIDAYS, &n, err);
    if (rc)
        return rc;
    qsort(days, n, sizeof(*days), cmp_i32);
    zones = calendar_zones_new();
    rc = store_begin(st, true, err);
    if (!rc)
        rc = calendar_record_create(st, sys, zones, &in, cli->arena, &c, err);
    for (size_t i = 0; !rc && i < n; i++) {
        int y, m, d;

        if (i && days[i] == days[i - 1])
            continue;
        calendar_day_to_civil(days[i], &y, &m, &d);
        rc = calendar_holiday_add(st, sys, c.id,
                                  acc_arena_printf(cli->arena, "%04d-%02d-%02d", y, m, d),
                                  "Holiday", cli->arena, NULL, err);
    }
    if (!rc)
        rc = calendar_record_get(st, c.id, cli->arena, &c, err);
    if (!rc)
        rc = store_commit(st, err);
    else
        store_rollback(st);
    calendar_zones_free(zones);
    if (!rc)
        print_calendar(&c);
    return rc;
}

/* Reads at most CALENDAR_ICS_MAX_BYTES of path into the arena. */
static int read_file(struct cli_ctx *cli, const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (!f)
        return cli_error(CLI_FAIL, "calendar import-ics: cannot open '%s'", path);
    buf = acc_arena_alloc(cli->arena, CALENDAR_ICS_MAX_BYTES + 2);
    n = fread(buf, 1, CALENDAR_ICS_MAX_BYTES + 1, f);
    if (ferror(f)) {
        fclose(f);
        return cli_error(CLI_FAIL, "calendar import-ics: cannot read '%s'", path);
    }
    fclose(f);
    if (n > CALENDAR_ICS_MAX_BYTES)
        return cli_error(CLI_FAIL, "calendar import-ics: '%s' is larger than %d KiB", path,
                         CALENDAR_ICS_MAX_BYTES / 1024);
    *text = buf;
    *len = n;
    return CLI_OK;
}

static int import_ics(struct cli_ctx *cli, struct store *st, const struct org_actor *sys,
                      const char *which, const char *path, int years)
{
    struct calendar_import_result res;
    struct calendar_record c;
    struct acc_err err = {0};
    size_t len = 0;
    char *text = NULL;
    int rc;

    rc = read_file(cli, path, &text, &len);
    if (rc)
        return rc;
    rc = store_begin(st, true, &err);
    if (!rc)
        rc = calendar_record_find(st, which, cli->arena, &c, &err);
    if (!rc)
        rc = calendar_holiday_import(st, sys, c.id, text, len, years, cli->arena, &res, &err);
    if (!rc && res.added) {
        /* Open requests on this calendar follow the new holidays (SPEC 3). */
        struct calendar_zones *zones = calendar_zones_new();

        rc = request_calendar_changed(st, zones, c.id, acc_now(), NULL, &err);
        calendar_zones_free(zones);
    }
    if (!rc)
        rc = store_commit(st, &err);
    else
        store_rollback(st);
    if (rc)
        return cli_error(CLI_FAIL, "calendar import-ics: %s: %s", path, err.msg);
    printf("%s: added %lld, skipped %lld (already present)\n", c.name, (long long)res.added,
           (long long)res.skipped);
    for (size_t i = 0; i < res.n_errors; i++)
        printf("error: %s: %s\n", res.errors[i].event, res.errors[i].detail);
    if (res.added + res.skipped == 0)
        return cli_error(CLI_FAIL, "calendar import-ics: nothing could be read from '%s'", path);
    return CLI_OK;
}

int cmd_calendar_store(struct cli_ctx *cli, int argc, char **argv)
{
    const char *name = NULL, *zone = NULL, *hours = NULL, *holidays = NULL, *years_arg = NULL;
    const char *pos[2];
    bool want_help = false;
    const struct cli_opt opts[] = {
        {"name", true, &name, NULL},       {"zone", true, &zone, NULL},
        {"hours", true, &hours, NULL},     {"holidays", true, &holidays, NULL},
        {"years", true, &years_arg, NULL}, {"help", false, NULL, &want_help},
    };
    const char *sub = argv[0];
    int64_t years = CALENDAR_ICS_YEARS_DEFAULT;
    struct acc_err err = {0};
    struct org_actor sys;
    struct store *st;
    int npos, rc, want;

    rc = cli_parse(argc, argv, 1, opts, ACC_ARRAY_LEN(opts), pos, 2, &npos);
    if (rc)
        return rc;
    if (want_help) {
        help(stdout);
        return CLI_OK;
    }
    want = strcmp(sub, "show") == 0 ? 1 : strcmp(sub, "import-ics") == 0 ? 2 : 0;
    if (npos != want)
        return cli_error(CLI_USAGE, "calendar %s takes %s (try 'accord calendar %s --help')", sub,
                         want == 0   ? "no arguments"
                         : want == 1 ? "a calendar id or name"
                                     : "a calendar id or name and a file",
                         sub);
    if (strcmp(sub, "add") == 0 && (!name || !zone || !hours))
        return cli_error(CLI_USAGE, "calendar add needs --name, --zone and --hours");
    if (strcmp(sub, "add") != 0 && (name || zone || hours || holidays))
        return cli_error(CLI_USAGE, "calendar %s takes no --name, --zone, --hours or --holidays",
                         sub);
    if (years_arg && strcmp(sub, "import-ics") != 0)
        return cli_error(CLI_USAGE, "only calendar import-ics takes --years");
    if (years_arg &&
        (!acc_parse_i64(years_arg, &years) || years < 1 || years > CALENDAR_ICS_YEARS_MAX))
        return cli_error(CLI_USAGE, "calendar import-ics: --years takes 1 .. %d",
                         CALENDAR_ICS_YEARS_MAX);
    rc = cli_open_store(cli, false, &st);
    if (rc)
        return rc;
    sys = org_actor_system(acc_arena_printf(cli->arena, "cli: calendar %s", sub));
    if (strcmp(sub, "import-ics") == 0) {
        rc = import_ics(cli, st, &sys, pos[0], pos[1], (int)years);
        store_close(st);
        return rc;
    }
    if (strcmp(sub, "list") == 0)
        rc = list(cli, st, &err);
    else if (strcmp(sub, "show") == 0)
        rc = show(cli, st, pos[0], &err);
    else
        rc = add(cli, st, &sys, name, zone, hours, holidays, &err);
    store_close(st);
    return rc ? cli_fail_err(&err) : CLI_OK;
}
