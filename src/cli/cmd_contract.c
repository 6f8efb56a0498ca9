/* cmd_contract.c: `accord contract list|show|export`: contracts, both sides' terms, CSV. */
#include "base/acc.h"
#include "cli/cli.h"
#include "contract/contract.h"
#include "org/org.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: accord [--db PATH] contract list [--provider D] [--consumer D] [--service S]\n"
            "                          [--state STATE]\n"
            "       accord [--db PATH] contract show ID [--version N]\n"
            "       accord [--db PATH] contract export [--output FILE]\n\n"
            "Service contracts between departments. D is a department's id or name, S a\n"
            "service's id or name, STATE one of draft, proposed, agreed, active, superseded,\n"
            "retired. show prints the active version (else the latest) with both sides'\n"
            "expectations, the clocks, escalation, signatures and the terms in plain words.\n"
            "export writes every version's expectations as CSV (RFC 4180), one row each, to\n"
            "FILE or standard output.\n");
}

/* "Finance", or "Farid Haddad (Finance)" for a side that is one named person. */
static const char *side_label(const struct contract_side *s, struct acc_arena *arena)
{
    if (s->person.id)
        return acc_arena_printf(arena, "%s (%s)", s->person.name, s->department.name);
    return s->department.name;
}

static const char *num(int64_t milli, struct acc_arena *arena)
{
    char b[32];

    measure_milli_format(milli, b);
    return acc_arena_strdup(arena, b);
}

/* A target with its unit: "240 min", "95%", "4.5 of 5", "1.5x". */
static const char *target_text(const struct contract_expectation *e, struct acc_arena *arena)
{
    const char *n = num(e->target, arena);

    switch (e->measure->kind) {
    case MEASURE_MINUTES:
        return acc_arena_printf(arena, "%s min", n);
    case MEASURE_PERCENT:
        return acc_arena_printf(arena, "%s%%", n);
    case MEASURE_RATING:
        return acc_arena_printf(arena, "%s of 5", n);
    case MEASURE_RATIO:
    default:
        return acc_arena_printf(arena, "%sx", n);
    }
}

/* "480 business minutes (8 hours)": the clocks count business time on the calendar. */
static const char *minutes_text(int64_t minutes, struct acc_arena *arena)
{
    const char *text = acc_arena_printf(arena, "%lld business minute%s", (long long)minutes,
                                        minutes == 1 ? "" : "s");

    if (minutes >= 60 && minutes % 60 == 0)
        text = acc_arena_printf(arena, "%s (%lld hour%s)", text, (long long)(minutes / 60),
                                minutes == 60 ? "" : "s");
    return text;
}

static const char *when(int64_t t, struct acc_arena *arena)
{
    char b[21];

    if (!t)
        return "-";
    acc_time_format(t, b);
    return acc_arena_strdup(arena, b);
}

/* Resolves a --provider / --consumer department. */
static int department(struct store *st, const char *opt, const char *id_or_name, int64_t *out,
                      struct acc_arena *arena, struct acc_err *err)
{
    struct org_department d;
    int rc;

    if (!id_or_name)
        return ACC_OK;
    rc = org_department_find(st, id_or_name, arena, &d, err);
    if (rc == ACC_ENOTFOUND)
        return acc_fail(err, ACC_EINVAL, "", "--%s: no department '%s'", opt, id_or_name);
    if (!rc)
        *out = d.id;
    return rc;
}

/* ---- list ---- */

static int list(struct cli_ctx *cli, struct store *st, const struct org_actor *sys,
                struct contract_filter *f, struct acc_err *err)
{
    struct contract *items;
    bool more = true;
    int n, rc = 0;

    printf("ID\tSERVICE\tPROVIDER\tCONSUMER\tKIND\tSTATE\tACTIVE VERSION\n");
    f->limit = 200;
    while (!rc && more) {
        rc = contract_list(st, sys, f, cli->arena, &items, &n, &more, err);
        for (int i = 0; !rc && i < n; i++) {
            const struct contract *c = &items[i];

            printf("%lld\t%s\t%s\t%s\t%s\t%s\t", (long long)c->id, c->service.name,
                   side_label(&c->provider, cli->arena), side_label(&c->consumer, cli->arena),
                   c->formal ? "formal" : "informal", contract_state_name(c->state));
            if (c->active_version)
                printf("%d\n", c->active_version);
            else
                printf("-\n");
            f->after_id = c->id;
        }
    }
    return rc;
}

/* ---- show ---- */

static void print_expectations(const struct contract_version *v, enum measure_side side,
                               const char *title, struct acc_arena *arena)
{
    const struct contract_terms *t = &v->terms;
    int shown = 0;

    printf("\n%s\n", title);
    for (int i = 0; i < t->n_expectations; i++) {
        const struct contract_expectation *e = &t->expectations[i];

        if (e->side != side)
            continue;
        if (!shown++)
            printf("  %-16s %-13s %-10s %-7s %s\n", "MEASURE", "GROUP", "TARGET", "WEIGHT", "NOTE");
        printf("  %-16s %-13s %-10s %-7s %s\n", e->measure->name,
               measure_group_name(e->measure->group), target_text(e, arena), num(e->weight, arena),
               e->note && *e->note ? e->note : "-");
    }
    if (!shown)
        printf("  (none)\n");
}

static void print_levels(const struct contract_version *v, struct acc_arena *arena)
{
    static const char *const roles[] = {"point person", "deputy", "provider head", "consumer head"};

    if (!v->n_levels) {
        printf("  (no levels)\n");
        return;
    }
    for (int i = 0; i < v->n_levels; i++) {
        const struct contract_level *l = &v->levels[i];
        struct acc_buf b;

        acc_buf_init(&b);
        for (size_t r = 0; r < ACC_ARRAY_LEN(roles); r++)
            if (l->notify & (1u << r))
                acc_buf_addf(&b, "%s%s", b.len ? ", " : "", roles[r]);
        for (int p = 0; p < l->n_people; p++)
            acc_buf_addf(&b, "%s%s", b.len ? ", " : "", l->people[p].name);
        printf("  %d. at %d%% of the %s target: notify %s", i + 1, l->percent,
               l->clock == CONTRACT_RESPONSE ? "response" : "resolution", b.len ? b.buf : "-");
        if (l->raise_priority)
            printf("; raise the priority");
        if (l->reassign == CONTRACT_REASSIGN_DEPUTY)
            printf("; reassign to the deputy");
        else if (l->reassign == CONTRACT_REASSIGN_PROVIDER_HEAD)
            printf("; reassign to the provider's head");
        printf("\n");
        acc_buf_release(&b);
    }
    (void)arena;
}

static void print_contract(const struct contract *c, const struct contract_version *v,
                           struct acc_arena *arena)
{
    const struct contract_terms *t = &v->terms;
    const char *provider = side_label(&c->provider, arena);
    const char *consumer = side_label(&c->consumer, arena);
    const char **text;
    int n;

    printf("contract:     %lld\n", (long long)c->id);
    printf("service:      %s\n", c->service.name);
    printf("provider:     %s\n", provider);
    printf("consumer:     %s\n", consumer);
    printf("kind:         %s\n", c->formal ? "formal (both sides sign)" : "informal");
    printf("state:        %s", contract_state_name(c->state));
    if (c->active_version)
        printf(" (active version %d)", c->active_version);
    printf("\nversions:    ");
    for (int i = 0; i < c->n_versions; i++)
        printf(" %d %s%s", c->versions[i].number, contract_state_name(c->versions[i].state),
               i + 1 < c->n_versions ? "," : "");
    printf("\n\nversion %d: %s", v->number, contract_state_name(v->state));
    if (v->based_on)
        printf(" (based on version %d)", v->based_on);
    printf("\n");
    if (t->summary && *t->summary)
        printf("summary:      %s\n", t->summary);
    printf("calendar:     %s\n", t->calendar.name ? t->calendar.name : "-");
    printf("response:     %s\n", minutes_text(t->response_minutes, arena));
    printf("resolution:   %s\n", minutes_text(t->resolution_minutes, arena));
    printf("priorities:  ");
    if (!t->n_priorities)
        printf(" -");
    for (int i = 0; i < t->n_priorities; i++)
        printf(" %s x%s%s%s", t->priorities[i].name, num(t->priorities[i].factor, arena),
               t->priorities[i].is_default ? " (default)" : "", i + 1 < t->n_priorities ? "," : "");
    printf("\nweights:      task %s, relationship %s, learning %s\n",
           num(t->weights[MEASURE_TASK], arena), num(t->weights[MEASURE_RELATIONSHIP], arena),
           num(t->weights[MEASURE_LEARNING], arena));
    printf("minimum n:    %d\n", t->min_n);
    printf("review:       %s, measured per %s\n", t->review_cadence ? t->review_cadence : "-",
           t->measure_period ? t->measure_period : "-");

    print_expectations(
        v, MEASURE_PROVIDER,
        acc_arena_printf(arena, "What %s expects of %s (provider side):", consumer, provider),
        arena);
    print_expectations(
        v, MEASURE_CONSUMER,
        acc_arena_printf(arena, "What %s needs of %s (consumer side):", provider, consumer), arena);

    printf("\nescalation:   ");
    if (v->escalation_policy.id)
        printf("policy '%s' (%s%s)\n", v->escalation_policy.name,
               v->escalation_source && strcmp(v->escalation_source, "department") == 0
                   ? "the provider department's default"
                   : "named by the contract",
               v->escalation_frozen ? ", frozen with the terms" : "");
    else if (v->n_levels)
        printf("levels frozen with the terms\n");
    else
        printf("none\n");
    print_levels(v, arena);

    printf("\nsignatures:\n");
    if (!c->formal)
        printf("  (informal: no sign-off)\n");
    else if (!v->n_signatures)
        printf("  (none yet)\n");
    for (int i = 0; i < v->n_signatures; i++)
        printf("  %-8s %s at %s\n", measure_side_name(v->signatures[i].side),
               v->signatures[i].person.name, when(v->signatures[i].signed_at, arena));
    printf("history:\n");
    printf("  created    %s%s%s\n", when(v->created_at, arena), v->created_by.name ? " by " : "",
           v->created_by.name ? v->created_by.name : "");
    if (v->proposed_at)
        printf("  proposed   %s%s%s\n", when(v->proposed_at, arena),
               v->proposed_by.name ? " by " : "", v->proposed_by.name ? v->proposed_by.name : "");
    if (v->agreed_at)
        printf("  agreed     %s\n", when(v->agreed_at, arena));
    if (v->activated_at)
        printf("  activated  %s%s%s\n", when(v->activated_at, arena),
               v->activated_by.name ? " by " : "",
               v->activated_by.name ? v->activated_by.name : "");
    if (v->superseded_at)
        printf("  superseded %s\n", when(v->superseded_at, arena));
    if (v->retired_at)
        printf("  retired    %s%s%s\n", when(v->retired_at, arena),
               v->retired_by.name ? " by " : "", v->retired_by.name ? v->retired_by.name : "");

    printf("\nterms:\n");
    text = contract_terms_text(c, v, arena, &n);
    for (int i = 0; i < n; i++)
        printf("  %s\n", text[i]);
}

static int show(struct cli_ctx *cli, struct store *st, const struct org_actor *sys,
                const char *id_text, const char *version, struct acc_err *err)
{
    struct contract_version v;
    struct contract c;
    int64_t id, number = 0;
    int rc;

    if (!acc_parse_i64(id_text, &id) || id <= 0)
        return acc_fail(err, ACC_EINVAL, "", "'%s' is not a contract id", id_text);
    if (version && (!acc_parse_i64(version, &number) || number <= 0 || number > INT32_MAX))
        return acc_fail(err, ACC_EINVAL, "", "--version takes a version number, not '%s'", version);
    rc = contract_get(st, sys, id, cli->arena, &c, err);
    if (rc)
        return rc;
    if (!number)
        number = c.active_version ? c.active_version : c.latest_version;
    rc = contract_version_get(st, sys, id, (int)number, cli->arena, &v, err);
    if (!rc)
        print_contract(&c, &v, cli->arena);
    return rc;
}

/* ---- export ---- */

/* One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF. */
static void csv_field(FILE *out, const char *s, bool last)
{
    if (!s)
        s = "";
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', out);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                fputc('"', out);
            fputc(*p, out);
        }
        fputc('"', out);
    } else {
        fputs(s, out);
    }
    fputs(last ? "\r\n" : ",", out);
}

static const char *const csv_columns[] = {"contract_id",
                                          "service",
                                          "provider",
                                          "consumer",
                                          "formal",
                                          "version",
                                          "state",
                                          "side",
                                          "measure",
                                          "group",
                                          "target",
                                          "weight",
                                          "note",
                                          "calendar",
                                          "response_minutes",
                                          "resolution_minutes"};

static void csv_row(FILE *out, const char *const *fields)
{
    for (size_t i = 0; i < ACC_ARRAY_LEN(csv_columns); i++)
        csv_field(out, fields[i], i + 1 == ACC_ARRAY_LEN(csv_columns));
}

static int export_contract(FILE *out, struct store *st, const struct org_actor *sys,
                           const struct contract *c, struct acc_arena *arena, struct acc_err *err)
{
    struct contract_version *versions;
    int n, rc;

    rc = contract_version_list(st, sys, c->id, arena, &versions, &n, err);
    for (int i = 0; !rc && i < n; i++) {
        const struct contract_version *v = &versions[i];
        const struct contract_terms *t = &v->terms;

        for (int k = 0; k < t->n_expectations; k++) {
            const struct contract_expectation *e = &t->expectations[k];
            const char *fields[ACC_ARRAY_LEN(csv_columns)] = {
                acc_arena_printf(arena, "%lld", (long long)c->id),
                c->service.name,
                side_label(&c->provider, arena),
                side_label(&c->consumer, arena),
                c->formal ? "true" : "false",
                acc_arena_printf(arena, "%d", v->number),
                contract_state_name(v->state),
                measure_side_name(e->side),
                e->measure->name,
                measure_group_name(e->measure->group),
                num(e->target, arena),
                num(e->weight, arena),
                e->note,
                t->calendar.name,
                acc_arena_printf(arena, "%lld", (long long)t->response_minutes),
                acc_arena_printf(arena, "%lld", (long long)t->resolution_minutes)};

            csv_row(out, fields);
        }
    }
    return rc;
}

static int export_all(FILE *out, struct store *st, const struct org_actor *sys,
                      struct acc_arena *arena, struct acc_err *err)
{
    struct contract_filter f = {.state = -1, .limit = 200};
    struct contract *items;
    bool more = true;
    int n, rc = 0;

    csv_row(out, csv_columns);
    while (!rc && more) {
        rc = contract_list(st, sys, &f, arena, &items, &n, &more, err);
        for (int i = 0; !rc && i < n; i++) {
            rc = export_contract(out, st, sys, &items[i], arena, err);
            f.after_id = items[i].id;
        }
    }
    return rc;
}

/* Writes the CSV to path through a temporary file, so a failed export leaves no half file. */
static int export_file(const char *path, struct store *st, const struct org_actor *sys,
                       struct acc_arena *arena, struct acc_err *err)
{
    const char *tmp = acc_arena_printf(arena, "%s.tmp", path);
    FILE *out = fopen(tmp, "wb");
    int rc;

    if (!out)
        return acc_fail(err, ACC_ESTORE, "", "cannot write '%s': %s", path, strerror(errno));
    rc = export_all(out, st, sys, arena, err);
    if (ferror(out) && !rc)
        rc = acc_fail(err, ACC_ESTORE, "", "cannot write '%s': %s", tmp, strerror(errno));
    if (fclose(out) != 0 && !rc)
        rc = acc_fail(err, ACC_ESTORE, "", "cannot write '%s': %s", tmp, strerror(errno));
    if (!rc && rename(tmp, path) != 0)
        rc = acc_fail(err, ACC_ESTORE, "", "cannot write '%s': %s", path, strerror(errno));
    if (rc)
        remove(tmp);
    return rc;
}

int cmd_contract(struct cli_ctx *cli, int argc, char **argv)
{
    const char *provider = NULL, *consumer = NULL, *service = NULL, *state = NULL, *version = NULL,
               *output = NULL, *pos[1];
    bool want_help = false;
    const struct cli_opt opts[] = {
        {"provider", true, &provider, NULL}, {"consumer", true, &consumer, NULL},
        {"service", true, &service, NULL},   {"state", true, &state, NULL},
        {"version", true, &version, NULL},   {"output", true, &output, NULL},
        {"help", false, NULL, &want_help},
    };
    struct org_actor sys;
    struct acc_err err = {0};
    struct contract_filter f = {.state = -1};
    const char *sub;
    struct store *st;
    int npos, rc;
    bool is_list, is_show, is_export;

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
    is_list = strcmp(sub, "list") == 0;
    is_show = strcmp(sub, "show") == 0;
    is_export = strcmp(sub, "export") == 0;
    if (!is_list && !is_show && !is_export)
        return cli_error(CLI_USAGE, "unknown contract command '%s' (list, show or export)", sub);
    if (is_show && npos != 1)
        return cli_error(CLI_USAGE, "contract show needs a contract id");
    if (!is_show && npos)
        return cli_error(CLI_USAGE, "unexpected argument '%s'", pos[0]);
    if (!is_list && (provider || consumer || service || state))
        return cli_error(CLI_USAGE,
                         "--provider, --consumer, --service and --state are options of contract "
                         "list");
    if (!is_show && version)
        return cli_error(CLI_USAGE, "--version is an option of contract show");
    if (!is_export && output)
        return cli_error(CLI_USAGE, "--output is an option of contract export");
    if (state) {
        enum contract_state s;

        if (contract_state_parse(state, &s))
            return cli_error(CLI_USAGE,
                             "--state must be one of draft, proposed, agreed, active, "
                             "superseded, retired, not '%s'",
                             state);
        f.state = (int)s;
    }
    rc = cli_open_store(cli, false, &st);
    if (rc)
        return rc;
    sys = org_actor_system(acc_arena_printf(cli->arena, "cli: contract %s", sub));
    if (is_list) {
        rc = department(st, "provider", provider, &f.provider_id, cli->arena, &err);
        if (!rc)
            rc = department(st, "consumer", consumer, &f.consumer_id, cli->arena, &err);
        if (!rc && service) {
            struct contract_service s;

            rc = contract_service_find(st, service, cli->arena, &s, &err);
            if (rc == ACC_ENOTFOUND)
                rc = acc_fail(&err, ACC_EINVAL, "", "--service: no service '%s'", service);
            if (!rc)
                f.service_id = s.id;
        }
        if (!rc)
            rc = list(cli, st, &sys, &f, &err);
    } else if (is_show) {
        rc = show(cli, st, &sys, pos[0], version, &err);
    } else if (output) {
        rc = export_file(output, st, &sys, cli->arena, &err);
    } else {
        rc = export_all(stdout, st, &sys, cli->arena, &err);
        if (!rc && fflush(stdout) != 0)
            rc = acc_fail(&err, ACC_ESTORE, "", "cannot write the export: %s", strerror(errno));
    }
    store_close(st);
    return rc ? cli_fail_err(&err) : CLI_OK;
}
