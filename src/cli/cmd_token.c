/* cmd_token.c: `accord token create|list|revoke`: personal API tokens. */
#include "base/acc.h"
#include "auth/auth.h"
#include "cli/cli.h"
#include "org/org.h"
#include "store/store.h"

#include <stdio.h>

static void help(FILE *f)
{
    fprintf(f, "usage: accord [--db PATH] token create --email E [--label L] [--expires DAYS]\n"
               "       accord [--db PATH] token list [--email E]\n"
               "       accord [--db PATH] token revoke ID\n\n"
               "create prints only the token on standard output: it is stored hashed and cannot\n"
               "be shown again. Use it as 'Authorization: Bearer <token>'. --expires 0 (the\n"
               "default) means it never expires. list shows the tokens that are not revoked,\n"
               "everyone's unless --email names a person.\n");
}

static int token_create(struct cli_ctx *cli, struct store *st, const char *email, const char *label,
                        const char *expires, struct acc_err *err)
{
    struct org_actor sys = org_actor_system("cli: token create");
    char secret[AUTH_SECRET_LEN + 1];
    struct org_person p;
    struct auth_token t;
    int64_t days = 0;
    int rc;

    if (expires && (!acc_parse_i64(expires, &days) || days < 0 || days > AUTH_TOKEN_DAYS_MAX))
        return acc_fail(err, ACC_EINVAL, "", "--expires must be a number of days from 0 to %d",
                        AUTH_TOKEN_DAYS_MAX);
    rc = org_person_get_by_email(st, email, cli->arena, &p, err);
    if (!rc && !p.active)
        rc = acc_fail(err, ACC_ECONFLICT, "", "'%s' is inactive", email);
    if (!rc)
        rc = store_begin(st, true, err);
    if (!rc)
        rc = auth_token_create(st, &sys, p.id, label, (int)days, cli->arena, &t, secret, err);
    if (!rc)
        rc = store_commit(st, err);
    if (!rc)
        printf("%s\n", secret);
    return rc;
}

static int token_list(struct cli_ctx *cli, struct store *st, const char *email, struct acc_err *err)
{
    struct auth_token *items;
    struct org_person p = {0};
    int64_t after = 0;
    bool more = true;
    int n, rc = ACC_OK;

    if (email)
        rc = org_person_get_by_email(st, email, cli->arena, &p, err);
    if (!rc)
        printf("ID\tPERSON\tLABEL\tCREATED\tEXPIRES\tLAST USED\n");
    while (!rc && more) {
        rc = auth_token_list(st, p.id, after, 200, cli->arena, &items, &n, &more, err);
        for (int i = 0; !rc && i < n; i++) {
            char c[21], e[21] = "never", u[21] = "never";

            acc_time_format(items[i].created_at, c);
            if (items[i].expires_at)
                acc_time_format(items[i].expires_at, e);
            if (items[i].last_used_at)
                acc_time_format(items[i].last_used_at, u);
            printf("%lld\t%lld\t%s\t%s\t%s\t%s\n", (long long)items[i].id,
                   (long long)items[i].person_id, items[i].label, c, e, u);
            after = items[i].id;
        }
    }
    return rc;
}

int cmd_token(struct cli_ctx *cli, int argc, char **argv)
{
    const char *email = NULL, *label = "cli", *expires = NULL, *pos[1];
    bool want_help = false;
    const struct cli_opt opts[] = {
        {"email", true, &email, NULL},
        {"label", true, &label, NULL},
        {"expires", true, &expires, NULL},
        {"help", false, NULL, &want_help},
    };
    struct org_actor sys = org_actor_system("cli: token revoke");
    struct acc_err err = {0};
    struct store *st;
    int64_t id;
    int npos, rc;

    if (argc < 2 || cli_is_help(argv[1])) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    rc = cli_parse(argc, argv, 2, opts, ACC_ARRAY_LEN(opts), pos, 1, &npos);
    if (rc)
        return rc;
    if (want_help) {
        help(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "revoke") == 0) {
        if (npos != 1 || !acc_parse_i64(pos[0], &id) || id <= 0)
            return cli_error(CLI_USAGE, "token revoke needs the token's ID");
    } else if (strcmp(argv[1], "create") == 0 || strcmp(argv[1], "list") == 0) {
        if (!email && strcmp(argv[1], "create") == 0)
            return cli_error(CLI_USAGE, "token create needs --email");
        if (npos)
            return cli_error(CLI_USAGE, "unexpected argument '%s'", pos[0]);
    } else {
        return cli_error(CLI_USAGE, "unknown token command '%s' (create, list, revoke)", argv[1]);
    }
    rc = cli_open_store(cli, false, &st);
    if (rc)
        return rc;
    if (strcmp(argv[1], "create") == 0) {
        rc = token_create(cli, st, email, label, expires, &err);
    } else if (strcmp(argv[1], "list") == 0) {
        rc = token_list(cli, st, email, &err);
    } else {
        rc = store_begin(st, true, &err);
        if (!rc)
            rc = auth_token_revoke(st, &sys, id, &err);
        if (!rc)
            rc = store_commit(st, &err);
        if (!rc)
            printf("revoked token %lld\n", (long long)id);
    }
    store_close(st);
    return rc ? cli_fail_err(&err) : CLI_OK;
}
