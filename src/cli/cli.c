/* cli.c: the command table, global options, option parsing and shared CLI helpers. */
#include "base/acc.h"
#include "base/log.h"
#include "cli/cli.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static const struct {
    const char *name;
    cli_cmd_fn *fn;
    const char *summary;
} commands[] = {
    {"serve", cmd_serve, "serve the web UI and the API"},
    {"init", cmd_init, "create a new, empty organisation with an administrator"},
    {"demo", cmd_demo, "create the demo organisation"},
    {"migrate", cmd_migrate, "apply pending database migrations"},
    {"check", cmd_check, "check the database's integrity"},
    {"department", cmd_department, "list, show, add, change or deactivate departments"},
    {"user", cmd_user, "add, list, change, deactivate people; set passwords"},
    {"token", cmd_token, "create, list and revoke personal API tokens"},
    {"calendar", cmd_calendar,
     "business calendars: list, show, add, import holidays; due instants"},
    {"service", cmd_service, "the service catalogue: list, show and add services"},
    {"contract", cmd_contract, "service contracts: list, show both sides' terms, export CSV"},
    {"import", cmd_import, "import request history from another tool (CSV)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: accord [--db PATH] COMMAND [ARGS]\n"
               "       accord --version | --help\n\n"
               "Runs an organisation's internal service delivery.\n\n"
               "Global options:\n"
               "  --db PATH    the database: a SQLite file (default: $ACCORD_DB, else\n"
               "               ./accord.db), or a postgresql:// URL with a PGSQL=1 build\n\n"
               "Commands:\n");
    for (size_t i = 0; i < ACC_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-11s  %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'accord COMMAND --help' for a command's options; 'man accord' for all.\n");
}

int cli_error(int status, const char *fmt, ...)
{
    va_list ap;

    fputs("accord: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return status;
}

bool cli_is_help(const char *arg)
{
    return arg && (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0);
}

int cli_fail_err(const struct acc_err *err)
{
    return cli_error(err->code == ACC_EINVAL ? CLI_USAGE : CLI_FAIL, "%s", err->msg);
}

int cli_parse(int argc, char **argv, int first, const struct cli_opt *opts, size_t nopts,
              const char **pos, int maxpos, int *npos)
{
    *npos = 0;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        const struct cli_opt *o = NULL;
        const char *eq;
        size_t len;

        if (strncmp(a, "--", 2) != 0 || !a[2]) {
            if (*npos == maxpos)
                return cli_error(CLI_USAGE, "unexpected argument '%s'", a);
            pos[(*npos)++] = a;
            continue;
        }
        eq = strchr(a, '=');
        len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        for (size_t k = 0; k < nopts; k++)
            if (strlen(opts[k].name) == len && strncmp(opts[k].name, a + 2, len) == 0)
                o = &opts[k];
        if (!o)
            return cli_error(CLI_USAGE, "unknown option '%.*s'", (int)len + 2, a);
        if (!o->takes_value) {
            if (eq)
                return cli_error(CLI_USAGE, "option '--%s' takes no value", o->name);
            *o->flag = true;
        } else if (eq) {
            *o->value = eq + 1;
        } else if (i + 1 < argc) {
            *o->value = argv[++i];
        } else {
            return cli_error(CLI_USAGE, "option '--%s' needs a value", o->name);
        }
    }
    return CLI_OK;
}

int cli_open_store(struct cli_ctx *cli, bool create, struct store **out)
{
    struct acc_err err = {0};
    struct store *st;
    struct stat sb;
    int rc;

    if (!create && !strstr(cli->db_path, "://") && strcmp(cli->db_path, ":memory:") != 0 &&
        stat(cli->db_path, &sb) != 0)
        return cli_error(CLI_FAIL,
                         "database '%s' does not exist: create it with 'accord init' or "
                         "'accord demo', or name another with --db",
                         cli->db_label);
    rc = store_open(cli->db_path, &st, &err);
    if (!rc) {
        rc = store_migrate(st, NULL, &err);
        if (rc)
            store_close(st);
    }
    if (rc)
        return cli_error(CLI_FAIL, "%s", err.msg);
    *out = st;
    return CLI_OK;
}

int cli_read_password(char *buf, size_t size)
{
    size_t n;

    if (!fgets(buf, (int)size, stdin))
        return cli_error(CLI_USAGE, "no password on standard input");
    n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    if (!n)
        return cli_error(CLI_USAGE, "the password on standard input is empty");
    return CLI_OK;
}

int cli_dispatch(int argc, char **argv)
{
    struct cli_ctx cli = {0};
    int i = 1, rc;

    cli.db_path = getenv("ACCORD_DB");
    if (!cli.db_path || !*cli.db_path)
        cli.db_path = "accord.db";
    while (i < argc && strncmp(argv[i], "--", 2) == 0) {
        if (strcmp(argv[i], "--version") == 0) {
            printf("accord %s\n", ACC_VERSION);
            return CLI_OK;
        } else if (cli_is_help(argv[i])) {
            usage(stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            cli.db_path = argv[i + 1];
            i += 2;
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            cli.db_path = argv[i] + 5;
            i++;
        } else {
            usage(stderr);
            return cli_error(CLI_USAGE, "unknown global option '%s'", argv[i]);
        }
    }
    if (i == argc) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[i], "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    /* Only the server logs; commands speak through their output and exit status. */
    if (strcmp(argv[i], "serve") != 0)
        acc_log_set_level(ACC_LOG_ERROR);
    for (size_t k = 0; k < ACC_ARRAY_LEN(commands); k++) {
        if (strcmp(argv[i], commands[k].name) == 0) {
            cli.arena = acc_arena_new();
            cli.db_label = store_dsn_display(cli.db_path, cli.arena);
            rc = commands[k].fn(&cli, argc - i, argv + i);
            acc_arena_free(cli.arena);
            return rc;
        }
    }
    usage(stderr);
    return cli_error(CLI_USAGE, "unknown command '%s'", argv[i]);
}
