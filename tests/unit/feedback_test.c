/* feedback_test.c: feedback in the store: the edit window, who rates whom, who sees the rater. */
#include "base/acc.h"
#include "base/log.h"
#include "calendar/calendar_db.h"
#include "contract/contract.h"
#include "feedback/feedback.h"
#include "request/request.h"
#include "store/store.h"
#include "org_fixture.h"
#include "t.h"

#define M   MEASURE_MILLI
#define ALL "00:00-24:00"
#define T0  INT64_C(1790812800) /* 2026-10-01T00:00:00Z, a Thursday */

static struct calendar_zones *zones;
static struct store *st;
static struct acc_arena *arena;
static int64_t fin, sales, it, contract_id;
static int64_t fin_head, fin_point, sales_member, sales_other, it_member, admin;

static struct org_actor actor_of(int64_t person)
{
    struct org_person p;
    struct acc_err err;

    T_EQ_INT(org_person_get(st, person, arena, &p, &err), ACC_OK);
    return fx_actor(person, p.department.id, p.role);
}

static void setup(void)
{
    struct org_actor sys = org_actor_system("test");
    struct calendar_input ci = {
        .has_name = true, .has_zone = true, .has_week = true, .name = "24x7", .zone = "UTC"};
    struct contract_expectation e[] = {{MEASURE_PROVIDER, measure_find("quality"), 4 * M, M, ""}};
    struct contract_service_input si = {0};
    struct contract_service s = {0};
    struct contract_create_input in = {0};
    struct org_department_input din = {0};
    struct org_department d;
    struct calendar_record cal;
    struct contract_version v;
    struct contract c = {0};
    struct acc_err err = {0};

    arena = acc_arena_new();
    T_EQ_INT(store_open(":memory:", &st, &err), ACC_OK);
    T_EQ_INT(store_migrate(st, NULL, &err), ACC_OK);
    fin = fx_department(st, arena, "Finance");
    sales = fx_department(st, arena, "Sales");
    it = fx_department(st, arena, "IT");
    fin_head = fx_person(st, arena, "Fin Head", "fin.head@example.org", fin, ORG_ROLE_HEAD);
    fin_point =
        fx_person(st, arena, "Fin Point", "fin.point@example.org", fin, ORG_ROLE_POINT_PERSON);
    sales_member =
        fx_person(st, arena, "Sales Member", "s.member@example.org", sales, ORG_ROLE_MEMBER);
    sales_other =
        fx_person(st, arena, "Sales Other", "s.other@example.org", sales, ORG_ROLE_MEMBER);
    it_member = fx_person(st, arena, "IT Member", "it.member@example.org", it, ORG_ROLE_MEMBER);
    admin = fx_person(st, arena, "Fin Admin", "fin.admin@example.org", fin, ORG_ROLE_ADMIN);
    din.has_head = din.has_point_person = true;
    din.head_id = fin_head;
    din.point_person_id = fin_point;
    T_EQ_INT(org_department_update(st, &sys, fin, &din, arena, &d, &err), ACC_OK);
    T_EQ_INT(
        calendar_week_parse(ALL "," ALL "," ALL "," ALL "," ALL "," ALL "," ALL, &ci.week, &err),
        ACC_OK);
    T_EQ_INT(calendar_record_create(st, &sys, zones, &ci, arena, &cal, &err), ACC_OK);
    si.has_name = si.has_provider = si.has_point_person = true;
    si.name = "Credit check";
    si.provider_id = fin;
    si.point_person_id = fin_point;
    T_EQ_INT(contract_service_create(st, &sys, &si, arena, &s, &err), ACC_OK);
    in.service_id = s.id;
    in.consumer_department_id = sales;
    in.terms.has_calendar = in.terms.has_response = in.terms.has_resolution = true;
    in.terms.has_expectations[0] = true;
    in.terms.terms.calendar.id = cal.id;
    in.terms.terms.response_minutes = 60;
    in.terms.terms.resolution_minutes = 480;
    in.terms.terms.expectations = e;
    in.terms.terms.n_expectations = 1;
    T_EQ_INT(contract_create(st, &sys, &in, arena, &c, &err), ACC_OK);
    T_EQ_INT(contract_version_act(st, &sys, c.id, 1, CONTRACT_ACTIVATE, 0, arena, &v, &err),
             ACC_OK);
    contract_id = c.id;
}

/* A request raised by sales_member at T0 + at, resolved an hour later. */
static int64_t resolved_request(int64_t at)
{
    struct org_actor who = actor_of(sales_member), prov = actor_of(fin_point);
    struct request_input in = {contract_id, "Credit check", "details", NULL, NULL};
    struct request r = {0};
    struct acc_err err = {0};

    T_EQ_INT(request_create(st, zones, &who, &in, T0 + at, arena, &r, &err), ACC_OK);
    T_EQ_INT(request_move(st, zones, &prov, r.id, REQUEST_RESOLVED, NULL, REQUEST_WAIT_OTHER,
                          T0 + at + 3600, arena, &r, &err),
             ACC_OK);
    return r.id;
}

static struct feedback_input rating(enum score_rating r, int v)
{
    struct feedback_input in = {0};

    in.has_rating[r] = true;
    in.ratings[r] = v;
    return in;
}

/* Editable for FEEDBACK_EDIT_DAYS days: at the last second still, one second later 409. */
static void test_edit_window(void)
{
    struct org_actor who = actor_of(sales_member);
    struct feedback_input in = rating(SCORE_QUALITY, 4), up = rating(SCORE_QUALITY, 2);
    struct feedback f, g;
    struct acc_err err = {0};
    int64_t id = resolved_request(0), given = T0 + 7200;

    T_EQ_INT(feedback_give(st, &who, id, &in, given, arena, &f, &err), ACC_OK);
    T_EQ_INT(f.given_at, given);
    T_EQ_INT(f.editable_until, given + 14 * 86400);
    T_OK(f.editable && f.mine);
    T_EQ_INT(feedback_update(st, &who, f.id, &up, given + FEEDBACK_EDIT_SECS, arena, &g, &err),
             ACC_OK);
    T_EQ_INT(g.ratings[SCORE_QUALITY], 2);
    T_EQ_INT(g.given_at, given); /* an edit never moves the feedback to another period */
    T_EQ_INT(g.updated_at, given + FEEDBACK_EDIT_SECS);
    T_EQ_INT(feedback_update(st, &who, f.id, &in, given + FEEDBACK_EDIT_SECS + 1, arena, &g, &err),
             ACC_ECONFLICT);
    T_EQ_INT(feedback_get(st, &who, f.id, given + FEEDBACK_EDIT_SECS + 1, arena, &g, &err), ACC_OK);
    T_OK(!g.editable);
    T_EQ_INT(g.ratings[SCORE_QUALITY], 2);
}

/* Audit rows of feedback id that name no actor and hold neither a rater nor their name. */
static int64_t audit_rows_without_rater(int64_t id)
{
    struct store_arg a[] = {SA_INT(id)};
    struct acc_err err = {0};
    int64_t c = -1;

    T_EQ_INT(
        store_query_int(st,
                        "SELECT COUNT(*) FROM audit WHERE entity = 'feedback' AND entity_id = ? "
                        "AND actor_id IS NULL AND after_json NOT LIKE '%rater%' "
                        "AND after_json NOT LIKE '%Sales Member%'",
                        a, 1, &c, &err),
        ACC_OK);
    return c;
}

/*
 * Who sees the rater of unsigned feedback: the rater alone. Not the rated side's head or
 * point person, not a colleague of the rater, not an administrator of the rated side. A
 * third department sees nothing.
 */
static void test_rater_hidden(void)
{
    struct org_actor who = actor_of(sales_member);
    struct feedback_input in = rating(SCORE_COURTESY, 2);
    const int64_t readers[] = {fin_head, fin_point, sales_other, admin};
    struct feedback f, g, *items;
    struct feedback_filter filt = {0};
    struct acc_err err = {0};
    int64_t id = resolved_request(86400);
    bool more;
    int n;

    in.has_comment = true;
    in.comment = "Curt on the phone.";
    T_EQ_INT(feedback_give(st, &who, id, &in, T0 + 90000, arena, &f, &err), ACC_OK);
    T_EQ_INT(f.rater.id, sales_member);
    for (size_t i = 0; i < ACC_ARRAY_LEN(readers); i++) {
        struct org_actor r = actor_of(readers[i]);

        T_EQ_INT(feedback_get(st, &r, f.id, T0 + 90000, arena, &g, &err), ACC_OK);
        T_EQ_INT(g.rater.id, 0);
        T_OK(g.rater.name == NULL);
        T_OK(!g.mine);
        T_EQ_STR(g.comment, "Curt on the phone.");
        T_EQ_INT(feedback_of_request(st, &r, id, T0 + 90000, arena, &items, &n, &err), ACC_OK);
        T_EQ_INT(n, 1);
        T_EQ_INT(items[0].rater.id, 0);
        filt.limit = 50;
        T_EQ_INT(feedback_list(st, &r, &filt, T0 + 90000, arena, &items, &n, &more, &err), ACC_OK);
        for (int k = 0; k < n; k++)
            T_OK(items[k].rater.id == 0 || items[k].is_signed);
    }
    {
        struct org_actor third = actor_of(it_member);

        T_EQ_INT(feedback_get(st, &third, f.id, T0 + 90000, arena, &g, &err), ACC_ENOTFOUND);
        T_EQ_INT(feedback_list(st, &third, &filt, T0 + 90000, arena, &items, &n, &more, &err),
                 ACC_OK);
        T_EQ_INT(n, 0);
    }
    /* The audit row names no actor and carries no rater. */
    T_EQ_INT(audit_rows_without_rater(f.id), 1);
}

/* An administrator of the provider department rates the consumer as a provider person. */
static void test_sides(void)
{
    struct org_actor adm = actor_of(admin), prov = actor_of(fin_point);
    struct feedback_input in = rating(SCORE_CLARITY, 5), bad = rating(SCORE_EMPATHY, 4);
    struct feedback f;
    struct acc_err err = {0};
    int64_t id = resolved_request(2 * 86400);

    T_EQ_INT(feedback_give(st, &prov, id, &bad, T0 + 2 * 86400 + 7200, arena, &f, &err),
             ACC_EINVAL);
    T_EQ_STR(err.field, "/empathy");
    T_EQ_INT(feedback_give(st, &adm, id, &in, T0 + 2 * 86400 + 7200, arena, &f, &err), ACC_OK);
    T_OK(f.side == MEASURE_CONSUMER);
    T_EQ_INT(feedback_give(st, &prov, id, &in, T0 + 2 * 86400 + 7300, arena, &f, &err),
             ACC_ECONFLICT);
    T_OK(feedback_rates(MEASURE_PROVIDER, SCORE_QUALITY));
    T_OK(!feedback_rates(MEASURE_PROVIDER, SCORE_CLARITY));
    T_OK(feedback_rates(MEASURE_CONSUMER, SCORE_CLARITY));
    T_OK(!feedback_rates(MEASURE_CONSUMER, SCORE_CONFIDENTIALITY));
    T_EQ_INT(feedback_request_due(st, NULL, T0, &err), ACC_OK);
}

int main(void)
{
    acc_log_set_quiet(true);
    zones = calendar_zones_new();
    setup();
    T_RUN(test_edit_window);
    T_RUN(test_rater_hidden);
    T_RUN(test_sides);
    store_close(st);
    acc_arena_free(arena);
    calendar_zones_free(zones);
    return t_done();
}
