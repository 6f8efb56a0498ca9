/* cmd_user.c: `accord user add|list|set|deactivate|passwd`. */
#include "base/acc.h"
#include "auth/auth.h"
#include "cli/cli.h"
#include "org/org.h"
#include "store/store.h"

#include <stdio.h>

static void help(FILE *f)
{
    fprintf(f, "usage: accord [--db PATH] user add --email E --name N --department D --role R\n"
               "                                   [--password-stdin]\n"
               "       accord [--db PATH] user list [--department D] [--all]\n"
               "       accord [--db PATH] user set --email E [--name N] [--new-email E2]\n"
               "                                   [--department D] [--role R]\n"
               "       accord [--db PATH] user deactivate --email E\n"
               "       accord [--db PATH] user activate --email E\n"
               "       accord [--db PATH] user passwd --email E --password-stdin\n\n"
               "D is a department's id or name; R is admin, head, point_person or member\n"
               "(an administrator may have --department none). People with history are\n"
               "deactivated, never deleted. 'list' shows active people unless --all.\n");
}

/* Resolves --department: a name or id, or "none" (0). */
static int department_id(struct store *st, const char *d, struct acc_arena *arena, int64_t *out,
                         struct acc_err *err)
{
    struct org_department dep;
    int rc;

    if (strcmp(d, "none") == 0) {
        *out = 0;
        return ACC_OK;
    }
    rc = org_department_find(st, d, arena, &dep, err);
    if (!rc)
        *out = dep.id;
    return rc;
}

/* Runs one person change in a transaction and prints the person. */
static int change(struct cli_ctx *cli, const char *via, const char *email,
                  struct org_person_input *in, const char *dept)
{
    struct org_actor sys = org_actor_system(via);
    struct acc_err err = {0};
    struct org_person p, before;
    struct store *st;
    int rc;

    rc = cli_open_store(cli, false, &st);
    if (rc)
        return rc;
    rc = store_begin(st, true, &err);
    if (!rc && dept) {
        in->has_department = true;
        rc = department_id(st, dept, cli->arena, &in->department_id, &err);
    }
    if (!rc && email)
        rc = org_person_get_by_email(st, email, cli->arena, &before, &err);
    if (!rc && email)
        rc = org_person_update(st, &sys, before.id, in, cli->arena, &p, &err);
    else if (!rc)
        rc = org_person_create(st, &sys, in, cli->arena, &p, &err);
    if (!rc)
        rc = store_commit(st, &err);
    store_close(st);
    if (rc)
        return cli_fail_err(&err);
    printf("%lld\t%s\t%s\t%s\t%s\t%s\n", (long long)p.id, p.email, p.name,
           p.department.name ? p.department.name : "-", org_role_name(p.role),
           p.active ? "active" : "inactive");
    return CLI_OK;
}

static int hash_from_stdin(struct org_person_input *in, struct acc_arena *arena)
{
    char password[AUTH_PASSWORD_MAX + 2];
    char *hash = acc_arena_alloc(arena, AUTH_HASH_MAX);
    struct acc_err err = {0};
    int rc = cli_read_password(password, sizeof(password));

    if (rc)
        return rc;
    if (auth_password_hash(password, hash, &err))
        return cli_fail_err(&err);
    in->password_hash = hash;
    return CLI_OK;
}

static int user_list(struct cli_ctx *cli, const char *dept, bool all)
{
    struct org_person_filter f = {.active = all ? -1 : 1, .limit = 200};
    struct acc_err err = {0};
    struct org_person *items;
    struct store *st;
    bool more = true;
    int n, rc;

    rc = cli_open_store(cli, false, &st);
    if (rc)
        return rc;
    if (dept)
        rc = department_id(st, dept, cli->arena, &f.department_id, &err);
    printf("ID\tEMAIL\tNAME\tDEPARTMENT\tROLE\tSTATE\n");
    while (!rc && more) {
        rc = org_person_list(st, &f, cli->arena, &items, &n, &more, &err);
        for (int i = 0; !rc && i < n; i++) {
            struct org_person *p = &items[i];

            printf("%lld\t%s\t%s\t%s\t%s\t%s\n", (long long)p->id, p->email, p->name,
                   p->department.name ? p->department.name : "-", org_role_name(p->role),
                   p->active ? "active" : "inactive");
            f.after_id = p->id;
        }
    }
    store_close(st);
    return rc ? cli_fail_err(&err) : CLI_OK;
}

int cmd_user(struct cli_ctx *cli, int argc, char **argv)
{
    const char *email = NULL, *name = NULL, *dept = NULL, *role = NULL, *new_email = NULL;
    bool from_stdin = false, all = false, want_help = false;
    const struct cli_opt opts[] = {
        {"email", true, &email, NULL},
        {"name", true, &name, NULL},
        {"department", true, &dept, NULL},
        {"role", true, &role, NULL},
        {"new-email", true, &new_email, NULL},
        {"password-stdin", false, NULL, &from_stdin},
        {"all", false, NULL, &all},
        {"help", false, NULL, &want_help},
    };
    struct org_person_input in = {0};
    struct acc_err err = {0};
    const char *sub;
    int npos, rc;

    if (argc < 2 || cli_is_help(argv[1])) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    sub = argv[1];
    rc = cli_parse(argc, argv, 2, opts, ACC_ARRAY_LEN(opts), NULL, 0, &npos);
    if (rc)
        return rc;
    if (want_help) {
        help(stdout);
        return CLI_OK;
    }
    if (role) {
        in.has_role = true;
        if (org_role_parse(role, &in.role, &err))
            return cli_fail_err(&err);
    }
    if (name) {
        in.has_name = true;
        in.name = name;
    }
    if (strcmp(sub, "list") == 0)
        return user_list(cli, dept, all);
    if (!email)
        return cli_error(CLI_USAGE, "user %s needs --email", sub);
    if (strcmp(sub, "add") == 0) {
        if (!name || !dept || !role)
            return cli_error(CLI_USAGE, "user add needs --email, --name, --department and --role");
        in.has_email = true;
        in.email = email;
        if (from_stdin && (rc = hash_from_stdin(&in, cli->arena)) != 0)
            return rc;
        return change(cli, "cli: user add", NULL, &in, dept);
    }
    if (strcmp(sub, "set") == 0) {
        if (new_email) {
            in.has_email = true;
            in.email = new_email;
        }
        if (!name && !new_email && !dept && !role)
            return cli_error(CLI_USAGE, "user set needs something to change");
        return change(cli, "cli: user set", email, &in, dept);
    }
    if (strcmp(sub, "deactivate") == 0 || strcmp(sub, "activate") == 0) {
        in.has_active = true;
        in.active = strcmp(sub, "activate") == 0;
        return change(cli, in.active ? "cli: user activate" : "cli: user deactivate", email, &in,
                      NULL);
    }
    if (strcmp(sub, "passwd") == 0) {
        if (!from_stdin)
            return cli_error(CLI_USAGE, "user passwd reads the password with --password-stdin");
        rc = hash_from_stdin(&in, cli->arena);
        return rc ? rc : change(cli, "cli: user passwd", email, &in, NULL);
    }
    return cli_error(CLI_USAGE,
                     "unknown user command '%s' (add, list, set, deactivate, "
                     "activate, passwd)",
                     sub);
}
