/* cmd_service.c: `accord service list|show|add`: the service catalogue. */
#include "base/acc.h"
#include "cli/cli.h"
#include "contract/contract.h"
#include "org/org.h"
#include "store/store.h"

#include <stdio.h>

static void help(FILE *f)
{
    fprintf(f, "usage: accord [--db PATH] service list [--provider D] [--retired | --all]\n"
               "       accord [--db PATH] service show S\n"
               "       accord [--db PATH] service add --provider D --name N --point-person P\n"
               "                          [--deputy P] [--description TEXT] [--process TEXT]\n"
               "                          [--outcome TEXT]\n\n"
               "The service catalogue: what each department offers other departments.\n"
               "D is a department's id or name, S a service's id or name, P a person's id or\n"
               "e-mail. list shows services on offer; --retired only retired ones, --all both.\n"
               "The point person and deputy must be active people of the provider department.\n");
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static void print_row(const struct contract_service *s)
{
    printf("%lld\t%s\t%s\t%s\t%s\t%s\t%lld\n", (long long)s->id, s->name, s->provider.name,
           or_dash(s->point_person.name), or_dash(s->deputy.name), s->active ? "active" : "retired",
           (long long)s->active_contracts);
}

static void print_service(const struct contract_service *s)
{
    char created[21], updated[21];

    acc_time_format(s->created_at, created);
    acc_time_format(s->updated_at, updated);
    printf("id:               %lld\n"
           "name:             %s\n"
           "provider:         %s (%lld)\n"
           "point person:     %s\n"
           "deputy:           %s\n"
           "state:            %s\n"
           "active contracts: %lld\n"
           "description:      %s\n"
           "process:          %s\n"
           "outcome:          %s\n"
           "created:          %s\n"
           "updated:          %s\n",
           (long long)s->id, s->name, s->provider.name, (long long)s->provider.id,
           or_dash(s->point_person.name), or_dash(s->deputy.name), s->active ? "active" : "retired",
           (long long)s->active_contracts, or_dash(s->description), or_dash(s->process),
           or_dash(s->outcome), created, updated);
}

/* Resolves --point-person / --deputy: a person's id or e-mail. */
static int person(struct store *st, const char *opt, const char *id_or_email, int64_t *out,
                  struct acc_arena *arena, struct acc_err *err)
{
    struct org_person p;
    int64_t id;
    int rc;

    if (acc_parse_i64(id_or_email, &id))
        rc = org_person_get(st, id, arena, &p, err);
    else if (strchr(id_or_email, '@'))
        rc = org_person_get_by_email(st, id_or_email, arena, &p, err);
    else
        return acc_fail(err, ACC_EINVAL, "", "--%s takes a person's id or e-mail, not '%s'", opt,
                        id_or_email);
    if (rc == ACC_ENOTFOUND || rc == ACC_EINVAL)
        return acc_fail(err, ACC_EINVAL, "", "--%s: no person '%s'", opt, id_or_email);
    if (!rc)
        *out = p.id;
    return rc;
}

/* Resolves --provider: a department's id or name. */
static int department(struct store *st, const char *id_or_name, int64_t *out,
                      struct acc_arena *arena, struct acc_err *err)
{
    struct org_department d;
    int rc;

    rc = org_department_find(st, id_or_name, arena, &d, err);
    if (rc == ACC_ENOTFOUND)
        return acc_fail(err, ACC_EINVAL, "", "--provider: no department '%s'", id_or_name);
    if (!rc)
        *out = d.id;
    return rc;
}

/* Names the option a module error is about: "/point_person_id" is --point-person. */
static void name_option(struct acc_err *err)
{
    static const struct {
        const char *field, *opt;
    } map[] = {{"/name", "name"},
               {"/provider_id", "provider"},
               {"/point_person_id", "point-person"},
               {"/deputy_id", "deputy"},
               {"/description", "description"},
               {"/process", "process"},
               {"/outcome", "outcome"}};
    char msg[sizeof(err->msg)];

    for (size_t i = 0; i < ACC_ARRAY_LEN(map); i++) {
        if (strcmp(err->field, map[i].field) == 0) {
            snprintf(msg, sizeof(msg), "--%s: %.140s", map[i].opt, err->msg);
            memcpy(err->msg, msg, sizeof(msg));
            return;
        }
    }
}

static int list(struct cli_ctx *cli, struct store *st, const char *provider, int active,
                struct acc_err *err)
{
    struct contract_service_filter f = {.active = active, .limit = 200};
    struct contract_service *items;
    bool more = true;
    int n, rc = 0;

    if (provider)
        rc = department(st, provider, &f.provider_id, cli->arena, err);
    if (!rc)
        printf("ID\tNAME\tPROVIDER\tPOINT PERSON\tDEPUTY\tSTATE\tACTIVE CONTRACTS\n");
    while (!rc && more) {
        rc = contract_service_list(st, &f, cli->arena, &items, &n, &more, err);
        for (int i = 0; !rc && i < n; i++) {
            print_row(&items[i]);
            f.after_id = items[i].id;
        }
    }
    return rc;
}

static int add(struct cli_ctx *cli, struct store *st, struct contract_service_input *in,
               const char *provider, const char *point, const char *deputy, struct acc_err *err)
{
    struct org_actor sys = org_actor_system("cli: service add");
    struct contract_service s;
    int rc;

    in->has_provider = in->has_point_person = true;
    in->has_deputy = deputy != NULL;
    rc = store_begin(st, true, err);
    if (rc)
        return rc;
    rc = department(st, provider, &in->provider_id, cli->arena, err);
    if (!rc)
        rc = person(st, "point-person", point, &in->point_person_id, cli->arena, err);
    if (!rc && deputy)
        rc = person(st, "deputy", deputy, &in->deputy_id, cli->arena, err);
    if (!rc) {
        rc = contract_service_create(st, &sys, in, cli->arena, &s, err);
        if (rc)
            name_option(err);
    }
    if (!rc)
        rc = store_commit(st, err);
    if (rc) {
        store_rollback(st);
        return rc;
    }
    print_row(&s);
    return ACC_OK;
}

int cmd_service(struct cli_ctx *cli, int argc, char **argv)
{
    const char *provider = NULL, *name = NULL, *point = NULL, *deputy = NULL, *description = NULL,
               *process = NULL, *outcome = NULL, *pos[1];
    bool want_help = false, retired = false, all = false;
    const struct cli_opt opts[] = {
        {"provider", true, &provider, NULL},
        {"name", true, &name, NULL},
        {"point-person", true, &point, NULL},
        {"deputy", true, &deputy, NULL},
        {"description", true, &description, NULL},
        {"process", true, &process, NULL},
        {"outcome", true, &outcome, NULL},
        {"retired", false, NULL, &retired},
        {"all", false, NULL, &all},
        {"help", false, NULL, &want_help},
    };
    struct contract_service_input in = {0};
    struct contract_service s;
    struct acc_err err = {0};
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
    if (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 && strcmp(sub, "add") != 0)
        return cli_error(CLI_USAGE, "unknown service command '%s' (list, show or add)", sub);
    if (strcmp(sub, "show") == 0 && npos != 1)
        return cli_error(CLI_USAGE, "service show needs a service id or name");
    if (strcmp(sub, "show") != 0 && npos)
        return cli_error(CLI_USAGE, "unexpected argument '%s'", pos[0]);
    if (strcmp(sub, "add") != 0 && (name || point || deputy || description || process || outcome))
        return cli_error(CLI_USAGE,
                         "service %s takes no --name, --point-person, --deputy, "
                         "--description, --process or --outcome",
                         sub);
    if (strcmp(sub, "list") != 0 && (retired || all))
        return cli_error(CLI_USAGE, "--retired and --all are options of service list");
    if (strcmp(sub, "show") == 0 && provider)
        return cli_error(CLI_USAGE, "service show takes no --provider");
    if (retired && all)
        return cli_error(CLI_USAGE, "give --retired or --all, not both");
    if (strcmp(sub, "add") == 0 && (!provider || !name || !point))
        return cli_error(CLI_USAGE, "service add needs --provider, --name and --point-person");
    rc = cli_open_store(cli, false, &st);
    if (rc)
        return rc;
    if (strcmp(sub, "list") == 0) {
        rc = list(cli, st, provider, all ? -1 : !retired, &err);
    } else if (strcmp(sub, "show") == 0) {
        rc = contract_service_find(st, pos[0], cli->arena, &s, &err);
        if (!rc)
            print_service(&s);
    } else {
        in.has_name = true;
        in.name = name;
        in.has_description = description != NULL;
        in.description = description;
        in.has_process = process != NULL;
        in.process = process;
        in.has_outcome = outcome != NULL;
        in.outcome = outcome;
        rc = add(cli, st, &in, provider, point, deputy, &err);
    }
    store_close(st);
    return rc ? cli_fail_err(&err) : CLI_OK;
}
