/* cli.h: the command table and what every command receives. */
#ifndef ACCORD_CLI_CLI_H
#define ACCORD_CLI_CLI_H

/* Exit statuses: 0 success, 1 failure of the operation, 2 usage error. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* What the global options chose; owned by cli_dispatch for the whole run. */
struct cli_ctx {
    const char *db_path;     /* --db, ACCORD_DB, or "accord.db" */
    const char *db_label;    /* db_path fit to print: without a URL's password */
    struct acc_arena *arena; /* freed when the command returns */
};

/* A command: argv[0] is the command's own name; returns an exit status. */
typedef int cli_cmd_fn(struct cli_ctx *cli, int argc, char **argv);

/* Parses global options and runs the command; returns the process exit status. */
int cli_dispatch(int argc, char **argv);

/* Prints "accord: " + message to stderr and returns status. */
int cli_error(int status, const char *fmt, ...) ACC_PRINTF(2, 3);

/* True when arg is -h or --help. */
bool cli_is_help(const char *arg);

/* One option of a command: --name VALUE (or --name=VALUE), or a flag without a value. */
struct cli_opt {
    const char *name; /* without the dashes */
    bool takes_value;
    const char **value; /* set when takes_value */
    bool *flag;         /* set when !takes_value */
};

/*
 * Parses argv[first..] against opts. Positional arguments are collected into pos (at
 * most maxpos). Prints a clear error and returns CLI_USAGE on an unknown option, a
 * missing value or too many positionals; CLI_OK otherwise.
 */
int cli_parse(int argc, char **argv, int first, const struct cli_opt *opts, size_t nopts,
              const char **pos, int maxpos, int *npos);

struct store;
/*
 * Opens the database and applies pending migrations; prints the error and returns
 * CLI_FAIL. A SQLite file that does not exist is refused unless create is true (init,
 * demo, migrate), so that a mistyped --db never makes an empty database.
 */
int cli_open_store(struct cli_ctx *cli, bool create, struct store **out);
/* Reads one line (a password) from stdin without its newline; CLI_USAGE when empty. */
int cli_read_password(char *buf, size_t size);
/* Prints err as "accord: <msg>" and returns the exit status for its code. */
int cli_fail_err(const struct acc_err *err);

cli_cmd_fn cmd_serve, cmd_init, cmd_demo, cmd_migrate, cmd_check, cmd_user, cmd_token,
    cmd_department, cmd_calendar;
/* `accord calendar list|show|add|import-ics` (argv[0] is the subcommand). */
cli_cmd_fn cmd_calendar_store;
/* `accord service list|show|add` and `accord contract list|show|export`. */
cli_cmd_fn cmd_service, cmd_contract;
/* `accord import requests FILE.csv`. */
cli_cmd_fn cmd_import;

#endif
