/* cmd_migrate.c: `accord migrate` and `accord check`. */
#include "base/acc.h"
#include "cli/cli.h"
#include "store/store.h"

#include <stdio.h>
#include <sys/stat.h>

int cmd_migrate(struct cli_ctx *cli, int argc, char **argv)
{
    struct acc_err err = {0};
    struct store *st = NULL;
    int applied = 0, version = 0, rc;

    if (argc > 1) {
        if (cli_is_help(argv[1])) {
            printf("usage: accord [--db PATH] migrate\n\n"
                   "Applies pending schema migrations, each in its own transaction. A database\n"
                   "written by a newer accord is refused.\n");
            return CLI_OK;
        }
        return cli_error(CLI_USAGE, "migrate takes no arguments");
    }
    rc = store_open(cli->db_path, &st, &err);
    if (!rc)
        rc = store_migrate(st, &applied, &err);
    if (!rc)
        rc = store_schema_version(st, &version, &err);
    store_close(st);
    if (rc)
        return cli_error(CLI_FAIL, "%s", err.msg);
    printf("%s: schema version %d (%d migration%s applied)\n", cli->db_label, version, applied,
           applied == 1 ? "" : "s");
    return CLI_OK;
}

int cmd_check(struct cli_ctx *cli, int argc, char **argv)
{
    struct acc_err err = {0};
    struct store *st = NULL;
    int version = 0, rc;
    struct stat sb;

    if (argc > 1) {
        if (cli_is_help(argv[1])) {
            printf("usage: accord [--db PATH] check\n\n"
                   "Checks the database: SQLite's integrity and foreign-key checks and the schema\n"
                   "version. Exits 1 when a problem is found.\n");
            return CLI_OK;
        }
        return cli_error(CLI_USAGE, "check takes no arguments");
    }
    if (!strstr(cli->db_path, "://") && stat(cli->db_path, &sb) != 0)
        return cli_error(CLI_FAIL, "check failed: database '%s' does not exist", cli->db_label);
    rc = store_open(cli->db_path, &st, &err);
    if (!rc)
        rc = store_schema_version(st, &version, &err);
    if (!rc && version > store_schema_latest())
        rc = acc_fail(&err, ACC_ECONFLICT, "",
                      "schema version %d is newer than this accord knows (%d): upgrade accord",
                      version, store_schema_latest());
    else if (!rc && version != store_schema_latest())
        rc = acc_fail(&err, ACC_ECONFLICT, "",
                      "schema version %d, expected %d: run 'accord migrate'", version,
                      store_schema_latest());
    if (!rc)
        rc = store_check(st, &err);
    store_close(st);
    if (rc)
        return cli_error(CLI_FAIL, "check failed: %s", err.msg);
    printf("%s: ok (schema version %d)\n", cli->db_label, version);
    return CLI_OK;
}
