/* contract_service_test.c: services: who may change them, validation, names, retiring, audit. */
#include "base/acc.h"
#include "base/log.h"
#include "audit/audit.h"
#include "contract/contract.h"
#include "org/org.h"
#include "store/store.h"
#include "org_fixture.h"
#include "t.h"

static struct store *st;
static struct acc_arena *arena;
static struct org_actor sys;
static int64_t fin, sales, closed, fin_head, fin_point, fin_member, fin_gone, sales_head,
    sales_member;

static int64_t count(const char *sql)
{
    struct acc_err err;
    int64_t n = -1;

    store_query_int(st, sql, NULL, 0, &n, &err);
    return n;
}

/* Input for a valid Finance service named name. */
static struct contract_service_input finance_input(const char *name)
{
    struct contract_service_input in = {.has_name = true,
                                        .has_provider = true,
                                        .has_point_person = true,
                                        .name = name,
                                        .provider_id = fin,
                                        .point_person_id = fin_point};

    return in;
}

static int64_t add_service(const char *name)
{
    struct contract_service_input in = finance_input(name);
    struct contract_service s = {0};
    struct acc_err err;

    T_EQ_INT(contract_service_create(st, &sys, &in, arena, &s, &err), ACC_OK);
    return s.id;
}

static void setup(void)
{
    struct org_department_input off = {.has_active = true, .active = false};
    struct org_person_input gone = {.has_active = true, .active = false};
    struct org_department d;
    struct org_person p;
    struct acc_err err;

    store_open(":memory:", &st, &err);
    store_migrate(st, NULL, &err);
    arena = acc_arena_new();
    sys = org_actor_system("test");
    fin = fx_department(st, arena, "Finance");
    sales = fx_department(st, arena, "Sales");
    closed = fx_department(st, arena, "Closed");
    fin_head = fx_person(st, arena, "Fiona", "fiona@example.org", fin, ORG_ROLE_HEAD);
    fin_point = fx_person(st, arena, "Farid", "farid@example.org", fin, ORG_ROLE_POINT_PERSON);
    fin_member = fx_person(st, arena, "Felix", "felix@example.org", fin, ORG_ROLE_MEMBER);
    fin_gone = fx_person(st, arena, "Frank", "frank@example.org", fin, ORG_ROLE_MEMBER);
    sales_head = fx_person(st, arena, "Samuel", "samuel@example.org", sales, ORG_ROLE_HEAD);
    sales_member = fx_person(st, arena, "Sara", "sara@example.org", sales, ORG_ROLE_MEMBER);
    T_EQ_INT(org_person_update(st, &sys, fin_gone, &gone, arena, &p, &err), ACC_OK);
    T_EQ_INT(org_department_update(st, &sys, closed, &off, arena, &d, &err), ACC_OK);
}

static void test_create_defaults_and_get(void)
{
    struct contract_service_input in = finance_input("Credit checks");
    struct contract_service s, g;
    struct acc_err err;

    in.has_deputy = true;
    in.deputy_id = fin_member;
    in.has_process = true;
    in.process = "Sales: quote to order";
    T_EQ_INT(contract_service_create(st, &sys, &in, arena, &s, &err), ACC_OK);
    T_OK(s.id > 0);
    T_EQ_STR(s.name, "Credit checks");
    T_EQ_STR(s.description, "");
    T_EQ_STR(s.process, "Sales: quote to order");
    T_EQ_STR(s.outcome, "");
    T_EQ_INT(s.provider.id, fin);
    T_EQ_STR(s.provider.name, "Finance");
    T_EQ_STR(s.point_person.name, "Farid");
    T_EQ_STR(s.deputy.name, "Felix");
    T_OK(s.active);
    T_EQ_INT(s.active_contracts, 0);
    T_OK(s.created_at > 0 && s.updated_at == s.created_at);
    T_EQ_INT(contract_service_get(st, s.id, arena, &g, &err), ACC_OK);
    T_EQ_STR(g.name, "Credit checks");
    T_EQ_INT(g.deputy.id, fin_member);
    T_EQ_INT(contract_service_get(st, 999999, arena, &g, &err), ACC_ENOTFOUND);
    T_EQ_STR(err.msg, "service '999999' does not exist");
}

static void test_who_may_create(void)
{
    struct org_actor member = fx_actor(fin_member, fin, ORG_ROLE_MEMBER);
    struct org_actor point = fx_actor(fin_point, fin, ORG_ROLE_POINT_PERSON);
    struct org_actor head = fx_actor(fin_head, fin, ORG_ROLE_HEAD);
    struct org_actor other_head = fx_actor(sales_head, sales, ORG_ROLE_HEAD);
    struct contract_service_input in = finance_input("Payroll questions");
    int64_t audits = count("SELECT COUNT(*) FROM audit WHERE entity = 'service'");
    struct contract_service s;
    struct acc_err err;

    T_EQ_INT(contract_service_create(st, &member, &in, arena, &s, &err), ACC_EPERM);
    T_EQ_INT(contract_service_create(st, &point, &in, arena, &s, &err), ACC_EPERM);
    T_EQ_INT(contract_service_create(st, &other_head, &in, arena, &s, &err), ACC_EPERM);
    T_EQ_STR(err.field, "/provider_id");
    T_EQ_INT(count("SELECT COUNT(*) FROM audit WHERE entity = 'service'"), audits);
    T_EQ_INT(contract_service_create(st, &head, &in, arena, &s, &err), ACC_OK);
    T_EQ_INT(s.provider.id, fin);
}

static void test_who_may_update(void)
{
    struct org_actor member = fx_actor(fin_member, fin, ORG_ROLE_MEMBER);
    struct org_actor point = fx_actor(fin_point, fin, ORG_ROLE_POINT_PERSON);
    struct org_actor head = fx_actor(fin_head, fin, ORG_ROLE_HEAD);
    struct org_actor other_head = fx_actor(sales_head, sales, ORG_ROLE_HEAD);
    struct contract_service_input in = {.has_description = true, .description = "Checks credit"};
    struct contract_service_input move = {.has_provider = true,
                                          .provider_id = sales,
                                          .has_point_person = true,
                                          .point_person_id = sales_member};
    int64_t id = add_service("Invoice disputes");
    struct contract_service s;
    struct acc_err err;

    T_EQ_INT(contract_service_update(st, &member, id, &in, arena, &s, &err), ACC_EPERM);
    T_EQ_INT(contract_service_update(st, &point, id, &in, arena, &s, &err), ACC_EPERM);
    T_EQ_INT(contract_service_update(st, &other_head, id, &in, arena, &s, &err), ACC_EPERM);
    T_EQ_INT(contract_service_update(st, &head, id, &in, arena, &s, &err), ACC_OK);
    T_EQ_STR(s.description, "Checks credit");
    /* A head may not move a service away, not even to a department they could serve. */
    T_EQ_INT(contract_service_update(st, &head, id, &move, arena, &s, &err), ACC_EPERM);
    T_EQ_STR(err.field, "/provider_id");
    /* Naming the own provider again is no move. */
    move.provider_id = fin;
    move.point_person_id = fin_point;
    T_EQ_INT(contract_service_update(st, &head, id, &move, arena, &s, &err), ACC_OK);
    /* An administrator moves it, with a point person of the new provider. */
    move.provider_id = sales;
    move.has_point_person = false;
    T_EQ_INT(contract_service_update(st, &sys, id, &move, arena, &s, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/point_person_id");
    move.has_point_person = true;
    move.point_person_id = sales_member;
    T_EQ_INT(contract_service_update(st, &sys, id, &move, arena, &s, &err), ACC_OK);
    T_EQ_STR(s.provider.name, "Sales");
    T_EQ_INT(contract_service_update(st, &head, id, &in, arena, &s, &err), ACC_EPERM);
    T_EQ_INT(contract_service_update(st, &sys, 999999, &in, arena, &s, &err), ACC_ENOTFOUND);
}

/* Creates a service from in and expects code at field. */
static void refused(struct contract_service_input in, int code, const char *field)
{
    struct contract_service s;
    struct acc_err err = {0};

    T_EQ_INT(contract_service_create(st, &sys, &in, arena, &s, &err), code);
    T_EQ_STR(err.field, field);
}

static void test_validation_fields(void)
{
    struct contract_service_input in = finance_input("Budgets");
    char long_name[CONTRACT_NAME_MAX + 2], long_text[CONTRACT_TEXT_MAX + 2];
    int64_t before = count("SELECT COUNT(*) FROM service");

    memset(long_name, 'n', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    memset(long_text, 't', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';

    in.has_name = false;
    refused(in, ACC_EINVAL, "/name");
    in = finance_input("Budgets");
    in.has_provider = false;
    refused(in, ACC_EINVAL, "/provider_id");
    in = finance_input("Budgets");
    in.has_point_person = false;
    refused(in, ACC_EINVAL, "/point_person_id");

    refused(finance_input(""), ACC_EINVAL, "/name");
    refused(finance_input(" Budgets"), ACC_EINVAL, "/name");
    refused(finance_input(long_name), ACC_EINVAL, "/name");
    refused(finance_input("Bud\xff"), ACC_EINVAL, "/name");

    in = finance_input("Budgets");
    in.has_description = true;
    in.description = long_text;
    refused(in, ACC_EINVAL, "/description");
    in.description = "caf\xc3";
    refused(in, ACC_EINVAL, "/description");
    in = finance_input("Budgets");
    in.has_process = true;
    in.process = long_text;
    refused(in, ACC_EINVAL, "/process");
    in = finance_input("Budgets");
    in.has_outcome = true;
    in.outcome = "\xed\xa0\x80"; /* a surrogate */
    refused(in, ACC_EINVAL, "/outcome");
    /* Exactly the limit is fine. */
    long_text[CONTRACT_TEXT_MAX] = '\0';
    in.outcome = long_text;
    in.name = "Budgets at the limit";
    {
        struct contract_service s;
        struct acc_err err;

        T_EQ_INT(contract_service_create(st, &sys, &in, arena, &s, &err), ACC_OK);
        before++;
    }

    in = finance_input("Budgets");
    in.provider_id = 999999;
    refused(in, ACC_EINVAL, "/provider_id");
    in.provider_id = 0;
    refused(in, ACC_EINVAL, "/provider_id");
    in.provider_id = closed;
    refused(in, ACC_EINVAL, "/provider_id");

    in = finance_input("Budgets");
    in.point_person_id = sales_member;
    refused(in, ACC_EINVAL, "/point_person_id");
    in.point_person_id = fin_gone;
    refused(in, ACC_EINVAL, "/point_person_id");
    in.point_person_id = 999999;
    refused(in, ACC_EINVAL, "/point_person_id");
    in.point_person_id = 0;
    refused(in, ACC_EINVAL, "/point_person_id");

    in = finance_input("Budgets");
    in.has_deputy = true;
    in.deputy_id = fin_point;
    refused(in, ACC_EINVAL, "/deputy_id");
    in.deputy_id = sales_head;
    refused(in, ACC_EINVAL, "/deputy_id");
    in.deputy_id = fin_gone;
    refused(in, ACC_EINVAL, "/deputy_id");
    T_EQ_INT(count("SELECT COUNT(*) FROM service"), before);
}

static void test_update_validation(void)
{
    int64_t id = add_service("Cash forecasts");
    struct contract_service_input in = {.has_point_person = true, .point_person_id = 0};
    struct contract_service s;
    struct acc_err err;

    T_EQ_INT(contract_service_update(st, &sys, id, &in, arena, &s, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/point_person_id");
    in.point_person_id = sales_member;
    T_EQ_INT(contract_service_update(st, &sys, id, &in, arena, &s, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/point_person_id");
    in = (struct contract_service_input){.has_deputy = true, .deputy_id = fin_point};
    T_EQ_INT(contract_service_update(st, &sys, id, &in, arena, &s, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/deputy_id");
    in = (struct contract_service_input){.has_name = true, .name = ""};
    T_EQ_INT(contract_service_update(st, &sys, id, &in, arena, &s, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/name");
    in = (struct contract_service_input){.has_provider = true, .provider_id = closed};
    T_EQ_INT(contract_service_update(st, &sys, id, &in, arena, &s, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/provider_id");
    /* Set and clear the deputy. */
    in = (struct contract_service_input){.has_deputy = true, .deputy_id = fin_member};
    T_EQ_INT(contract_service_update(st, &sys, id, &in, arena, &s, &err), ACC_OK);
    T_EQ_INT(s.deputy.id, fin_member);
    in.deputy_id = 0;
    T_EQ_INT(contract_service_update(st, &sys, id, &in, arena, &s, &err), ACC_OK);
    T_EQ_INT(s.deputy.id, 0);
    T_OK(s.deputy.name == NULL);
}

static void test_names_unique_per_provider(void)
{
    struct contract_service_input in = finance_input("LEDGER EXTRACTS");
    struct contract_service s, f;
    int64_t id = add_service("Ledger extracts");
    struct acc_err err;

    T_EQ_INT(contract_service_create(st, &sys, &in, arena, &s, &err), ACC_ECONFLICT);
    T_EQ_STR(err.field, "/name");
    T_EQ_STR(err.msg, "'Finance' already offers a service named 'LEDGER EXTRACTS'");
    /* Renaming onto it is refused too; renaming to itself in other case is fine. */
    {
        int64_t other = add_service("Ledger questions");
        struct contract_service_input ren = {.has_name = true, .name = "ledger extracts"};

        T_EQ_INT(contract_service_update(st, &sys, other, &ren, arena, &s, &err), ACC_ECONFLICT);
        T_EQ_STR(err.field, "/name");
        T_EQ_INT(contract_service_update(st, &sys, id, &ren, arena, &s, &err), ACC_OK);
        T_EQ_STR(s.name, "ledger extracts");
    }
    /* Another provider may use the name. */
    in.provider_id = sales;
    in.point_person_id = sales_member;
    T_EQ_INT(contract_service_create(st, &sys, &in, arena, &s, &err), ACC_OK);

    /* Finding by that name is then ambiguous; by id it is not. */
    T_EQ_INT(contract_service_find(st, "Ledger Extracts", arena, &f, &err), ACC_ECONFLICT);
    T_OK(strstr(err.msg, "give its id") != NULL);
    T_EQ_INT(
        contract_service_find(st, acc_arena_printf(arena, "%lld", (long long)id), arena, &f, &err),
        ACC_OK);
    T_EQ_INT(f.id, id);
    T_EQ_INT(contract_service_find(st, "ledger QUESTIONS", arena, &f, &err), ACC_OK);
    T_EQ_STR(f.name, "Ledger questions");
    T_EQ_INT(contract_service_find(st, "No such service", arena, &f, &err), ACC_ENOTFOUND);
}

/* A contract of service with one version in state (rows written directly, as a fixture). */
static void add_contract(int64_t service, const char *state)
{
    static int n;
    const char *cal_name = acc_arena_printf(arena, "cal%d", ++n);
    struct store_arg cal[] = {SA_TEXT(cal_name), SA_TEXT(cal_name)};
    struct acc_err err;
    int64_t cal_id, contract_id, version_id;

    T_EQ_INT(store_query_int(st,
                             "INSERT INTO calendar (name, name_key, zone, hours, created_at, "
                             "updated_at) VALUES (?, ?, 'UTC', '-,-,-,-,-,-,-', 0, 0) "
                             "RETURNING id",
                             cal, 2, &cal_id, &err),
             ACC_OK);
    {
        struct store_arg args[] = {SA_INT(service), SA_INT(fin), SA_INT(sales),
                                   SA_TEXT(acc_arena_printf(arena, "d%d", n))};

        T_EQ_INT(store_query_int(st,
                                 "INSERT INTO contract (service_id, provider_department_id, "
                                 "consumer_department_id, parties_key, formal, created_at, "
                                 "updated_at) VALUES (?, ?, ?, ?, 1, 0, 0) RETURNING id",
                                 args, 4, &contract_id, &err),
                 ACC_OK);
    }
    {
        struct store_arg args[] = {SA_INT(contract_id), SA_TEXT(state), SA_INT(cal_id)};

        T_EQ_INT(store_query_int(st,
                                 "INSERT INTO contract_version (contract_id, number, state, "
                                 "summary, calendar_id, response_minutes, resolution_minutes, "
                                 "weight_task, weight_relationship, weight_learning, min_n, "
                                 "review_cadence, measure_period, created_at, updated_at) VALUES "
                                 "(?, 1, ?, '', ?, 60, 480, 500, 500, 0, 5, 'quarterly', "
                                 "'month', 0, 0) RETURNING id",
                                 args, 3, &version_id, &err),
                 ACC_OK);
    }
}

static void test_retire_refused_while_contracts_active(void)
{
    struct contract_service_input retire = {.has_active = true, .active = false};
    struct contract_service_input revive = {.has_active = true, .active = true};
    int64_t id = add_service("Credit limits");
    struct contract_service s;
    struct acc_err err;

    add_contract(id, "draft");
    add_contract(id, "active");
    T_EQ_INT(contract_service_get(st, id, arena, &s, &err), ACC_OK);
    T_EQ_INT(s.active_contracts, 1);
    T_EQ_INT(contract_service_update(st, &sys, id, &retire, arena, &s, &err), ACC_ECONFLICT);
    T_EQ_STR(err.field, "/active");
    T_EQ_STR(err.msg,
             "service 'Credit limits' has 1 active contract: retire its active version first");
    add_contract(id, "active");
    T_EQ_INT(contract_service_get(st, id, arena, &s, &err), ACC_OK);
    T_EQ_INT(s.active_contracts, 2);
    T_EQ_INT(contract_service_update(st, &sys, id, &retire, arena, &s, &err), ACC_ECONFLICT);
    T_EQ_STR(err.msg,
             "service 'Credit limits' has 2 active contracts: retire their active versions first");
    /* Other changes go on while contracts are active. */
    {
        struct contract_service_input desc = {.has_description = true, .description = "Limits"};

        T_EQ_INT(contract_service_update(st, &sys, id, &desc, arena, &s, &err), ACC_OK);
    }
    {
        struct store_arg args[] = {SA_INT(id)};

        T_EQ_INT(store_exec(st,
                            "UPDATE contract_version SET state = 'superseded' WHERE contract_id "
                            "IN (SELECT id FROM contract WHERE service_id = ?)",
                            args, 1, NULL, &err),
                 ACC_OK);
    }
    T_EQ_INT(contract_service_update(st, &sys, id, &retire, arena, &s, &err), ACC_OK);
    T_OK(!s.active);
    T_EQ_INT(s.active_contracts, 0);
    T_EQ_INT(contract_service_update(st, &sys, id, &revive, arena, &s, &err), ACC_OK);
    T_OK(s.active);
}

static void test_revive_needs_active_provider(void)
{
    struct contract_service_input retire = {.has_active = true, .active = false};
    struct contract_service_input revive = {.has_active = true, .active = true};
    struct org_department_input off = {.has_active = true, .active = false};
    struct org_department_input on = {.has_active = true, .active = true};
    int64_t dept = fx_department(st, arena, "Seasonal"), person, id;
    struct contract_service_input in = {
        .has_name = true, .has_provider = true, .has_point_person = true, .name = "Stock counts"};
    struct org_department d;
    struct contract_service s;
    struct acc_err err;

    person = fx_person(st, arena, "Sigrid", "sigrid@example.org", dept, ORG_ROLE_MEMBER);
    in.provider_id = dept;
    in.point_person_id = person;
    T_EQ_INT(contract_service_create(st, &sys, &in, arena, &s, &err), ACC_OK);
    id = s.id;
    T_EQ_INT(contract_service_update(st, &sys, id, &retire, arena, &s, &err), ACC_OK);
    T_EQ_INT(org_department_update(st, &sys, dept, &off, arena, &d, &err), ACC_OK);
    /* A service of an inactive department may still be described, but not offered again. */
    in = (struct contract_service_input){.has_description = true, .description = "Yearly"};
    T_EQ_INT(contract_service_update(st, &sys, id, &in, arena, &s, &err), ACC_OK);
    T_EQ_INT(contract_service_update(st, &sys, id, &revive, arena, &s, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/provider_id");
    T_EQ_INT(org_department_update(st, &sys, dept, &on, arena, &d, &err), ACC_OK);
    T_EQ_INT(contract_service_update(st, &sys, id, &revive, arena, &s, &err), ACC_OK);
}

static void test_audit(void)
{
    struct org_actor head = fx_actor(fin_head, fin, ORG_ROLE_HEAD);
    struct contract_service_input in = finance_input("Audit trail");
    struct contract_service_input same = {.has_name = true, .name = "Audit trail"};
    struct contract_service_input bad = {.has_deputy = true, .deputy_id = fin_point};
    struct audit_filter f = {.entity = "service", .limit = 10};
    struct audit_entry *rows;
    struct contract_service s;
    struct acc_err err;
    bool more;
    int n;

    T_EQ_INT(contract_service_create(st, &head, &in, arena, &s, &err), ACC_OK);
    f.entity_id = s.id;
    T_EQ_INT(audit_list(st, &f, arena, &rows, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, 1);
    T_EQ_INT(rows[0].actor_id, fin_head);
    T_EQ_STR(rows[0].entity, "service");
    T_OK(rows[0].before_json == NULL);
    T_OK(strstr(rows[0].after_json, "\"name\":\"Audit trail\"") != NULL);
    T_OK(strstr(rows[0].after_json, "\"deputy_id\":null") != NULL);

    in = (struct contract_service_input){.has_deputy = true, .deputy_id = fin_member};
    T_EQ_INT(contract_service_update(st, &head, s.id, &in, arena, &s, &err), ACC_OK);
    /* No change and a refused change write nothing. */
    T_EQ_INT(contract_service_update(st, &head, s.id, &same, arena, &s, &err), ACC_OK);
    T_EQ_INT(contract_service_update(st, &head, s.id, &bad, arena, &s, &err), ACC_EINVAL);
    T_EQ_INT(audit_list(st, &f, arena, &rows, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, 2);
    T_OK(strstr(rows[0].before_json, "\"deputy_id\":null") != NULL);
    T_OK(strstr(rows[0].after_json,
                acc_arena_printf(arena, "\"deputy_id\":%lld", (long long)fin_member)) != NULL);
    T_EQ_STR(rows[0].action, "test");
}

static void test_list_filters_and_pages(void)
{
    struct contract_service_filter f = {.provider_id = sales, .active = -1, .limit = 200};
    struct contract_service_input retire = {.has_active = true, .active = false};
    struct contract_service_input in = {.has_name = true,
                                        .has_provider = true,
                                        .has_point_person = true,
                                        .provider_id = sales,
                                        .point_person_id = sales_member};
    struct contract_service *items, s;
    int64_t ids[3], seen = 0, total;
    struct acc_err err;
    bool more;
    int n;

    T_EQ_INT(contract_service_list(st, &f, arena, &items, &n, &more, &err), ACC_OK);
    total = n;
    for (int i = 0; i < 3; i++) {
        in.name = acc_arena_printf(arena, "Sales service %d", i);
        T_EQ_INT(contract_service_create(st, &sys, &in, arena, &s, &err), ACC_OK);
        ids[i] = s.id;
    }
    T_EQ_INT(contract_service_update(st, &sys, ids[1], &retire, arena, &s, &err), ACC_OK);
    T_EQ_INT(contract_service_list(st, &f, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, total + 3);
    T_OK(!more);
    for (int i = 0; i < n; i++)
        T_EQ_INT(items[i].provider.id, sales);
    f.active = 0;
    T_EQ_INT(contract_service_list(st, &f, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, 1);
    T_EQ_INT(items[0].id, ids[1]);
    f.active = 1;
    T_EQ_INT(contract_service_list(st, &f, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, total + 2);
    /* Pages of one, by id, without repeats. */
    f.active = -1;
    f.limit = 1;
    f.after_id = 0;
    do {
        T_EQ_INT(contract_service_list(st, &f, arena, &items, &n, &more, &err), ACC_OK);
        T_OK(n <= 1);
        if (n) {
            T_OK(items[0].id > f.after_id);
            f.after_id = items[0].id;
            seen++;
        }
    } while (more && seen < 100);
    T_EQ_INT(seen, total + 3);
    /* Any provider. */
    f = (struct contract_service_filter){.active = -1, .limit = 200};
    T_EQ_INT(contract_service_list(st, &f, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, count("SELECT COUNT(*) FROM service"));
}

int main(void)
{
    acc_log_set_quiet(true);
    setup();
    T_RUN(test_create_defaults_and_get);
    T_RUN(test_who_may_create);
    T_RUN(test_who_may_update);
    T_RUN(test_validation_fields);
    T_RUN(test_update_validation);
    T_RUN(test_names_unique_per_provider);
    T_RUN(test_retire_refused_while_contracts_active);
    T_RUN(test_revive_needs_active_provider);
    T_RUN(test_audit);
    T_RUN(test_list_filters_and_pages);
    store_close(st);
    acc_arena_free(arena);
    return t_done();
}
