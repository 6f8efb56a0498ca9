/* cmd_init.c: `accord init` (an empty organisation) and `accord demo` (the demo organisation). */
#include "base/acc.h"
#include "auth/auth.h"
#include "calendar/calendar_db.h"
#include "contract/contract.h"
#include "cli/cli.h"
#include "org/org.h"
#include "request/request_import.h"
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>

/* True when the database already holds people. */
static int has_people(struct store *st, bool *out, struct acc_err *err)
{
    int64_t n = 0;
    int rc = store_query_int(st, "SELECT COUNT(*) FROM person", NULL, 0, &n, err);

    if (!rc)
        *out = n > 0;
    return rc;
}

static int create_admin(struct store *st, const struct org_actor *sys, const char *email,
                        const char *name, const char *hash, struct acc_arena *arena,
                        struct acc_err *err)
{
    struct org_person_input in = {.has_name = true,
                                  .has_email = true,
                                  .has_role = true,
                                  .name = name,
                                  .email = email,
                                  .role = ORG_ROLE_ADMIN,
                                  .password_hash = hash};
    struct org_person p;

    return org_person_create(st, sys, &in, arena, &p, err);
}

int cmd_init(struct cli_ctx *cli, int argc, char **argv)
{
    const char *email = "admin@localhost.localdomain";
    bool from_stdin = false, want_help = false, exists;
    const struct cli_opt opts[] = {
        {"admin-email", true, &email, NULL},
        {"password-stdin", false, NULL, &from_stdin},
        {"help", false, NULL, &want_help},
    };
    struct org_actor sys = org_actor_system("cli: init");
    char password[AUTH_PASSWORD_MAX + 2], hash[AUTH_HASH_MAX];
    struct acc_err err = {0};
    struct store *st;
    int npos, rc;

    rc = cli_parse(argc, argv, 1, opts, ACC_ARRAY_LEN(opts), NULL, 0, &npos);
    if (rc)
        return rc;
    if (want_help) {
        printf("usage: accord [--db PATH] init [--admin-email E] [--password-stdin]\n\n"
               "Creates a new, empty organisation with one administrator. Without\n"
               "--password-stdin a random password is generated and printed once.\n");
        return CLI_OK;
    }
    if (from_stdin) {
        rc = cli_read_password(password, sizeof(password));
        if (rc)
            return rc;
    } else {
        unsigned char raw[12];

        randombytes_buf(raw, sizeof(raw));
        sodium_bin2base64(password, sizeof(password), raw, sizeof(raw),
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    }
    if (auth_password_hash(password, hash, &err))
        return cli_fail_err(&err);
    rc = cli_open_store(cli, true, &st);
    if (rc)
        return rc;
    rc = has_people(st, &exists, &err);
    if (!rc && exists)
        rc = acc_fail(&err, ACC_ECONFLICT, "", "'%s' already holds an organisation", cli->db_label);
    if (!rc)
        rc = store_begin(st, true, &err);
    if (!rc)
        rc = create_admin(st, &sys, email, "Administrator", hash, cli->arena, &err);
    if (!rc)
        rc = store_commit(st, &err);
    store_close(st);
    if (rc)
        return cli_fail_err(&err);
    printf("created %s with administrator %s\n", cli->db_label, email);
    if (!from_stdin)
        printf("password (shown once): %s\n", password);
    return CLI_OK;
}

static void print_demo_signin(const char *db)
{
    printf("Demo organisation in %s. Sign in at http://127.0.0.1:8080/signin with:\n"
           "  administrator      %s\n"
           "  head of Finance    fiona.clarke@example.org\n"
           "  point person, IT   ivan.petrov@example.org\n"
           "  member of Sales    sara.lindqvist@example.org\n"
           "  password (all)     %s\n",
           db, ORG_DEMO_ADMIN_EMAIL, ORG_DEMO_PASSWORD);
}

int cmd_demo(struct cli_ctx *cli, int argc, char **argv)
{
    bool want_help = false, show = false, exists;
    const struct cli_opt opts[] = {
        {"show", false, NULL, &show},
        {"help", false, NULL, &want_help},
    };
    struct org_actor sys = org_actor_system("cli: demo");
    struct calendar_zones *zones = NULL;
    char hash[AUTH_HASH_MAX];
    struct acc_err err = {0};
    int64_t requests = 0;
    struct store *st;
    int npos, rc;

    rc = cli_parse(argc, argv, 1, opts, ACC_ARRAY_LEN(opts), NULL, 0, &npos);
    if (rc)
        return rc;
    if (want_help) {
        printf("usage: accord [--db PATH] demo [--show]\n\n"
               "Creates the demo organisation: the departments of the seed articles (Finance,\n"
               "Sales, Customer Service, HR, IT, Production, Marketing, Storage &\n"
               "Transportation), each with a head, a point person, a deputy and members, and an\n"
               "administrator; calendars, services and contracts; and a few hundred requests of\n"
               "the past six weeks, imported as `accord import requests` would (their clocks,\n"
               "breaches and escalations as if they had been live). Refuses a database that\n"
               "already holds an organisation.\n"
               "  --show   only print the demo sign-in details\n");
        return CLI_OK;
    }
    if (show) {
        print_demo_signin(cli->db_label);
        return CLI_OK;
    }
    /* Every demo person has the same password, so one Argon2id run serves them all. */
    if (auth_password_hash(ORG_DEMO_PASSWORD, hash, &err))
        return cli_fail_err(&err);
    rc = cli_open_store(cli, true, &st);
    if (rc)
        return rc;
    rc = has_people(st, &exists, &err);
    if (!rc && exists)
        rc = acc_fail(&err, ACC_ECONFLICT, "",
                      "'%s' already holds an organisation; use another --db for the demo",
                      cli->db_label);
    if (!rc)
        rc = store_begin(st, true, &err);
    if (!rc)
        rc = org_demo_populate(st, &sys, hash, cli->arena, &err);
    if (!rc)
        rc = calendar_demo_populate(st, &sys, cli->arena, &err);
    if (!rc)
        rc = contract_demo_populate(st, &sys, cli->arena, &err);
    if (!rc) {
        zones = calendar_zones_new();
        rc = request_demo_populate(st, zones, acc_now(), cli->arena, &requests, &err);
    }
    if (!rc)
        rc = store_commit(st, &err);
    calendar_zones_free(zones);
    store_close(st);
    if (rc)
        return cli_fail_err(&err);
    print_demo_signin(cli->db_label);
    printf("  requests           %lld of the past six weeks\n", (long long)requests);
    return CLI_OK;
}
