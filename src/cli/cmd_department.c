/* cmd_department.c: `accord department list|show|add|set|deactivate|activate`. */
#include "base/acc.h"
#include "cli/cli.h"
#include "org/org.h"
#include "store/store.h"

#include <stdio.h>

static void help(FILE *f)
{
    fprintf(f, "usage: accord [--db PATH] department list\n"
               "       accord [--db PATH] department show D\n"
               "       accord [--db PATH] department add --name N\n"
               "       accord [--db PATH] department set D [--name N] [--head EMAIL]\n"
               "                          [--point-person EMAIL] [--deputy EMAIL]\n"
               "       accord [--db PATH] department deactivate D\n"
               "       accord [--db PATH] department activate D\n\n"
               "D is a department's id or name. EMAIL may be 'none' to clear the post.\n");
}

static void print_department(const struct org_department *d)
{
    printf("%lld\t%s\t%s\t%s\t%s\t%s\t%lld\n", (long long)d->id, d->name,
           d->active ? "active" : "inactive", d->head.name ? d->head.name : "-",
           d->point_person.name ? d->point_person.name : "-", d->deputy.name ? d->deputy.name : "-",
           (long long)d->member_count);
}

/* Resolves an --head/--point-person/--deputy e-mail ("none" clears) to a person id. */
static int officer(struct store *st, const char *email, bool *has, int64_t *id,
                   struct acc_arena *arena, struct acc_err *err)
{
    struct org_person p;
    int rc;

    if (!email)
        return ACC_OK;
    *has = true;
    if (strcmp(email, "none") == 0) {
        *id = 0;
        return ACC_OK;
    }
    rc = org_person_get_by_email(st, email, arena, &p, err);
    if (!rc)
        *id = p.id;
    return rc;
}

static int list(struct cli_ctx *cli, struct store *st, struct acc_err *err)
{
    struct org_department *items;
    int64_t after = 0;
    bool more = true;
    int n, rc = 0;

    printf("ID\tNAME\tSTATE\tHEAD\tPOINT PERSON\tDEPUTY\tMEMBERS\n");
    while (!rc && more) {
        rc = org_department_list(st, after, 200, cli->arena, &items, &n, &more, err);
        for (int i = 0; !rc && i < n; i++) {
            print_department(&items[i]);
            after = items[i].id;
        }
    }
    return rc;
}

int cmd_department(struct cli_ctx *cli, int argc, char **argv)
{
    const char *name = NULL, *head = NULL, *point = NULL, *deputy = NULL, *pos[1];
    bool want_help = false;
    const struct cli_opt opts[] = {
        {"name", true, &name, NULL},          {"head", true, &head, NULL},
        {"point-person", true, &point, NULL}, {"deputy", true, &deputy, NULL},
        {"help", false, NULL, &want_help},
    };
    struct org_department_input in = {0};
    struct org_department d;
    struct acc_err err = {0};
    struct org_actor sys;
    const char *sub;
    struct store *st;
    int npos, rc;

    if (argc < 2 || cli_is_help(argv[1])) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    sub = argv[1];
    rc = cli_parse(argc, argv, 2, opts, ACC_ARRAY_LEN(opts), pos, 1, &npos);
    if (rc)
        return rc;
    if (want_help) {
        help(stdout);
        return CLI_OK;
    }
    if (strcmp(sub, "list") != 0 && strcmp(sub, "add") != 0 && npos != 1)
        return cli_error(CLI_USAGE, "department %s needs a department id or name", sub);
    if (strcmp(sub, "add") == 0 && !name)
        return cli_error(CLI_USAGE, "department add needs --name");
    if (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 && strcmp(sub, "add") != 0 &&
        strcmp(sub, "set") != 0 && strcmp(sub, "deactivate") != 0 && strcmp(sub, "activate") != 0)
        return cli_error(CLI_USAGE, "unknown department command '%s'", sub);
    rc = cli_open_store(cli, false, &st);
    if (rc)
        return rc;
    sys = org_actor_system(acc_arena_printf(cli->arena, "cli: department %s", sub));
    if (strcmp(sub, "list") == 0) {
        rc = list(cli, st, &err);
    } else if (strcmp(sub, "show") == 0) {
        rc = org_department_find(st, pos[0], cli->arena, &d, &err);
        if (!rc)
            print_department(&d);
    } else {
        in.has_name = name != NULL;
        in.name = name;
        if (strcmp(sub, "deactivate") == 0 || strcmp(sub, "activate") == 0) {
            in.has_active = true;
            in.active = strcmp(sub, "activate") == 0;
        }
        rc = store_begin(st, true, &err);
        if (!rc)
            rc = officer(st, head, &in.has_head, &in.head_id, cli->arena, &err);
        if (!rc)
            rc = officer(st, point, &in.has_point_person, &in.point_person_id, cli->arena, &err);
        if (!rc)
            rc = officer(st, deputy, &in.has_deputy, &in.deputy_id, cli->arena, &err);
        if (!rc && strcmp(sub, "add") == 0) {
            rc = org_department_create(st, &sys, &in, cli->arena, &d, &err);
        } else if (!rc) {
            rc = org_department_find(st, pos[0], cli->arena, &d, &err);
            if (!rc)
                rc = org_department_update(st, &sys, d.id, &in, cli->arena, &d, &err);
        }
        if (!rc)
            rc = store_commit(st, &err);
        if (!rc)
            print_department(&d);
    }
    store_close(st);
    return rc ? cli_fail_err(&err) : CLI_OK;
}
