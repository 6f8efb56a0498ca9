/* cmd_calendar.c: `accord calendar due`, one case or a batch of oracle-format lines. */
#include "base/acc.h"
#include "calendar/calendar.h"
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define OUT_FLUSH_AT   (64 * 1024)
#define ADD_MAX_DIGITS 7

static const char calendar_help[] =
    "usage: accord calendar <command> [options]\n"
    "\n"
    "Business calendars: an IANA time zone, weekly opening hours and holidays.\n"
    "\n"
    "commands:\n"
    "  due     compute due instants (start + business minutes); works without a database\n"
    "\n"
    "Run 'accord calendar <command> --help' for a command's options.\n";

static const char due_help[] =
    "usage: accord calendar due --tz ZONE --hours HOURS [--holidays DATES] --start LOCAL\n"
    "                           --add MINUTES [--offset]\n"
    "       accord calendar due --batch [--offset] < cases\n"
    "\n"
    "Prints the due instant: the earliest instant at which MINUTES business minutes have\n"
    "elapsed from START, counting from the next opening when START is outside business\n"
    "hours. A due instant on a closing time is that closing time; 0 minutes gives START if\n"
    "it is inside business hours, else the next opening. Daylight saving is exact: a wall\n"
    "time in a gap moves later by the gap, one in an overlap means its first occurrence.\n"
    "\n"
    "options:\n"
    "  --tz ZONE          IANA time zone, e.g. Europe/Berlin\n"
    "  --hours HOURS      seven entries Monday to Sunday, each '-' (closed) or intervals\n"
    "                     HH:MM-HH:MM joined by '+': 09:00-12:00+13:00-17:00,...,-,-\n"
    "                     (an end at or before its start is on the next day; 00:00-24:00\n"
    "                     is a whole day)\n"
    "  --holidays DATES   YYYY-MM-DD,... whole local days closed, or '-' (default)\n"
    "  --start LOCAL      YYYY-MM-DDTHH:MM, local wall time in ZONE\n"
    "  --add MINUTES      business minutes, 0 .. 9999999\n"
    "  --offset           append the UTC offset: 2024-11-03T01:30-05:00\n"
    "  --batch            read case lines on stdin, print one answer a line:\n"
    "                     TZ=<zone> HOURS=<hours> HOLIDAYS=<dates|-> START=<local> ADD=<min>\n"
    "                     blank and '#' lines print nothing; a bad line prints\n"
    "                     'ERROR: <what is wrong>' and the batch goes on\n"
    "\n"
    "Answers are YYYY-MM-DDTHH:MM local to ZONE (HH:MM:SS if not on a whole minute), or\n"
    "NONE when the calendar has no opening hours.\n";

/* The five inputs of one case, as text. */
struct due_case {
    const char *tz, *hours, *holidays, *start, *add;
};

/*
 * Answers one case into out ("YYYY-MM-DDTHH:MM[...]" or "NONE"). Returns 0, or ACC_EINVAL
 * with a message in *err for bad input.
 */
static int answer(struct calendar_zones *zones, const struct due_case *dc, bool with_offset,
                  char out[32], struct acc_err *err)
{
    const struct calendar_tz *tz;
    struct calendar cal;
    int64_t local, start_at, minutes = 0, due_at;
    size_t len = strlen(dc->add);
    int rc;

    if ((rc = calendar_zones_get(zones, dc->tz, &tz, err)) != 0)
        return rc;
    if (calendar_local_parse(dc->start, &local) != 0 || strlen(dc->start) != 16)
        return acc_fail(err, ACC_EINVAL, "/start", "bad START '%.40s' (want YYYY-MM-DDTHH:MM)",
                        dc->start);
    if (len == 0 || len > ADD_MAX_DIGITS || strspn(dc->add, "0123456789") != len)
        return acc_fail(err, ACC_EINVAL, "/minutes", "bad ADD '%.40s' (want 0..9999999 minutes)",
                        dc->add);
    for (size_t i = 0; i < len; i++)
        minutes = minutes * 10 + (dc->add[i] - '0');
    if ((rc = calendar_parse(&cal, tz, dc->hours, dc->holidays, err)) != 0)
        return rc;
    start_at = calendar_tz_to_utc(tz, local);
    rc = calendar_due(&cal, start_at, minutes * 60, &due_at, err);
    calendar_release(&cal);
    if (rc == ACC_ENOTFOUND) {
        snprintf(out, 32, "NONE");
        return 0;
    }
    if (rc)
        return rc;
    calendar_local_format(tz, due_at, with_offset, out);
    return 0;
}

/* Splits one case line into dc; the line is modified in place. */
static int parse_line(char *line, struct due_case *dc, struct acc_err *err)
{
    static const char *const keys[5] = {"TZ", "HOURS", "HOLIDAYS", "START", "ADD"};
    const char **slot[5] = {&dc->tz, &dc->hours, &dc->holidays, &dc->start, &dc->add};
    char *p = line;

    memset(dc, 0, sizeof(*dc));
    for (;;) {
        char *tok, *eq;
        int k;

        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        tok = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = '\0';
        if (!(eq = strchr(tok, '=')))
            return acc_fail(err, ACC_EINVAL, "", "bad field '%.60s' (want KEY=VALUE)", tok);
        *eq = '\0';
        for (k = 0; k < 5 && strcmp(tok, keys[k]) != 0; k++)
            ;
        if (k == 5)
            return acc_fail(err, ACC_EINVAL, "", "unknown field '%.40s'", tok);
        if (*slot[k])
            return acc_fail(err, ACC_EINVAL, "", "field %s given twice", keys[k]);
        *slot[k] = eq + 1;
    }
    for (int k = 0; k < 5; k++)
        if (!*slot[k])
            return acc_fail(err, ACC_EINVAL, "", "missing %s=", keys[k]);
    return 0;
}

static void flush_out(struct acc_buf *out)
{
    if (out->len)
        fwrite(out->buf, 1, out->len, stdout);
    acc_buf_reset(out);
}

static int run_batch(struct calendar_zones *zones, bool with_offset)
{
    struct acc_buf out;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    bool interactive = isatty(STDIN_FILENO);

    acc_buf_init(&out);
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        struct due_case dc;
        struct acc_err err;
        char ans[32];
        char *s = line;

        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' ||
                           line[len - 1] == '\t'))
            line[--len] = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '#')
            continue;
        acc_err_clear(&err);
        if (parse_line(s, &dc, &err) == 0 && answer(zones, &dc, with_offset, ans, &err) == 0) {
            acc_buf_adds(&out, ans);
            acc_buf_adds(&out, "\n");
        } else {
            acc_buf_addf(&out, "ERROR: %s\n", err.msg);
        }
        if (out.len >= OUT_FLUSH_AT || interactive) {
            flush_out(&out);
            if (interactive)
                fflush(stdout);
        }
    }
    flush_out(&out);
    acc_buf_release(&out);
    free(line);
    if (fflush(stdout) != 0 || ferror(stdin))
        return cli_error(CLI_FAIL, "calendar due: input or output failed");
    return CLI_OK;
}

/* "--name value" or "--name=value": true and *val set when argv[*i] is option name. */
static bool opt_value(int argc, char **argv, int *i, const char *name, const char **val,
                      bool *missing)
{
    size_t n = strlen(name);

    if (strncmp(argv[*i], name, n) != 0)
        return false;
    if (argv[*i][n] == '=') {
        *val = argv[*i] + n + 1;
        return true;
    }
    if (argv[*i][n] != '\0')
        return false;
    if (*i + 1 >= argc) {
        *missing = true;
        return true;
    }
    *val = argv[++*i];
    return true;
}

static int cmd_due(int argc, char **argv)
{
    static const char *const names[5] = {"--tz", "--hours", "--holidays", "--start", "--add"};
    struct due_case dc = {NULL, NULL, "-", NULL, NULL};
    const char **slot[5] = {&dc.tz, &dc.hours, &dc.holidays, &dc.start, &dc.add};
    bool batch = false, with_offset = false, given = false;
    struct calendar_zones *zones;
    struct acc_err err;
    char ans[32];
    int rc;

    for (int i = 1; i < argc; i++) {
        bool missing = false, known = false;

        if (cli_is_help(argv[i])) {
            fputs(due_help, stdout);
            return CLI_OK;
        }
        if (strcmp(argv[i], "--batch") == 0) {
            batch = true;
            continue;
        }
        if (strcmp(argv[i], "--offset") == 0) {
            with_offset = true;
            continue;
        }
        for (int k = 0; k < 5 && !known; k++) {
            if (opt_value(argc, argv, &i, names[k], slot[k], &missing)) {
                known = true;
                given = true;
                if (missing)
                    return cli_error(CLI_USAGE, "calendar due: %s needs a value", names[k]);
            }
        }
        if (!known)
            return cli_error(CLI_USAGE,
                             "calendar due: unknown argument '%s' (try 'accord calendar due "
                             "--help')",
                             argv[i]);
    }
    if (batch && given)
        return cli_error(CLI_USAGE, "calendar due: --batch reads its cases from stdin and takes "
                                    "no --tz, --hours, --holidays, --start or --add");
    zones = calendar_zones_new();
    if (batch) {
        rc = run_batch(zones, with_offset);
        calendar_zones_free(zones);
        return rc;
    }
    for (int k = 0; k < 5; k++) {
        if (!*slot[k]) {
            calendar_zones_free(zones);
            return cli_error(CLI_USAGE, "calendar due: %s is required (or use --batch)", names[k]);
        }
    }
    acc_err_clear(&err);
    rc = answer(zones, &dc, with_offset, ans, &err);
    calendar_zones_free(zones);
    if (rc)
        return cli_error(CLI_USAGE, "calendar due: %s", err.msg);
    if (strcmp(ans, "NONE") == 0)
        return cli_error(CLI_FAIL, "calendar due: no due instant: the calendar has no opening "
                                   "hours");
    printf("%s\n", ans);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}

int cmd_calendar(struct cli_ctx *cli, int argc, char **argv)
{
    if (argc < 2)
        return cli_error(CLI_USAGE, "calendar: missing command (try 'accord calendar --help')");
    if (cli_is_help(argv[1])) {
        fputs(calendar_help, stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "due") == 0)
        return cmd_due(argc - 1, argv + 1);
    return cli_error(CLI_USAGE,
                     "calendar: unknown calendar command '%s' (try 'accord calendar --help')",
                     argv[1]);
}
