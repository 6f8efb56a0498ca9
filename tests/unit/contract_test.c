/* contract_test.c: contract states, who may do what, term checks, and versions in the store. */
#include "base/acc.h"
#include "base/log.h"
#include "calendar/calendar_db.h"
#include "contract/contract.h"
#include "jx/jx.h"
#include "org/org.h"
#include "store/store.h"
#include "org_fixture.h"
#include "t.h"

#define M MEASURE_MILLI

/* ---- the state machine ---- */

static void test_next_state_table(void)
{
    enum { NO = -1 };
    static const struct {
        enum contract_state from;
        enum contract_action action;
        bool formal;
        int signed_before;
        int want; /* a state, or NO for ACC_ECONFLICT */
    } cases[] = {
        {CONTRACT_DRAFT, CONTRACT_EDIT, true, 0, CONTRACT_DRAFT},
        {CONTRACT_PROPOSED, CONTRACT_EDIT, true, 0, NO},
        {CONTRACT_ACTIVE, CONTRACT_EDIT, false, 0, NO},
        {CONTRACT_DRAFT, CONTRACT_PROPOSE, true, 0, CONTRACT_PROPOSED},
        {CONTRACT_DRAFT, CONTRACT_PROPOSE, false, 0, NO},
        {CONTRACT_PROPOSED, CONTRACT_PROPOSE, true, 0, NO},
        {CONTRACT_PROPOSED, CONTRACT_SIGN, true, 0, CONTRACT_PROPOSED},
        {CONTRACT_PROPOSED, CONTRACT_SIGN, true, 1, CONTRACT_AGREED},
        {CONTRACT_DRAFT, CONTRACT_SIGN, true, 0, NO},
        {CONTRACT_AGREED, CONTRACT_SIGN, true, 2, NO},
        {CONTRACT_DRAFT, CONTRACT_SIGN, false, 0, NO},
        {CONTRACT_AGREED, CONTRACT_ACTIVATE, true, 2, CONTRACT_ACTIVE},
        {CONTRACT_PROPOSED, CONTRACT_ACTIVATE, true, 1, NO},
        {CONTRACT_DRAFT, CONTRACT_ACTIVATE, true, 0, NO},
        {CONTRACT_DRAFT, CONTRACT_ACTIVATE, false, 0, CONTRACT_ACTIVE},
        {CONTRACT_ACTIVE, CONTRACT_ACTIVATE, false, 0, NO},
        {CONTRACT_ACTIVE, CONTRACT_RETIRE, true, 2, CONTRACT_RETIRED},
        {CONTRACT_DRAFT, CONTRACT_RETIRE, true, 0, CONTRACT_RETIRED},
        {CONTRACT_PROPOSED, CONTRACT_RETIRE, true, 1, CONTRACT_RETIRED},
        {CONTRACT_SUPERSEDED, CONTRACT_RETIRE, true, 2, NO},
        {CONTRACT_RETIRED, CONTRACT_RETIRE, false, 0, NO},
        {CONTRACT_SUPERSEDED, CONTRACT_ACTIVATE, true, 2, NO},
    };

    for (size_t i = 0; i < ACC_ARRAY_LEN(cases); i++) {
        enum contract_state to = CONTRACT_DRAFT;
        struct acc_err err = {0};
        int failed_before = t_cur_failed;
        int rc = contract_next_state(cases[i].from, cases[i].action, cases[i].formal,
                                     cases[i].signed_before, &to, &err);

        if (cases[i].want == NO) {
            T_EQ_INT(rc, ACC_ECONFLICT);
            T_OK(err.msg[0] != '\0');
        } else {
            T_EQ_INT(rc, ACC_OK);
            T_EQ_STR(contract_state_name(to),
                     contract_state_name((enum contract_state)cases[i].want));
        }
        if (t_cur_failed != failed_before)
            fprintf(stderr, "    case %zu: %s %s (%s)\n", i, contract_action_name(cases[i].action),
                    contract_state_name(cases[i].from), cases[i].formal ? "formal" : "informal");
    }
}

static void test_state_names_round_trip(void)
{
    for (int s = CONTRACT_DRAFT; s <= CONTRACT_RETIRED; s++) {
        enum contract_state back;

        T_EQ_INT(contract_state_parse(contract_state_name((enum contract_state)s), &back), ACC_OK);
        T_EQ_INT(back, s);
    }
    {
        enum contract_state back;

        T_EQ_INT(contract_state_parse("signed", &back), ACC_EINVAL);
        T_EQ_INT(contract_state_parse(NULL, &back), ACC_EINVAL);
    }
}

/* ---- who may ---- */

/* Finance (1) provides to Sales (2); IT (3) is a third department. Person 10 is the point
 * person of the service. */
static struct contract sample_contract(void)
{
    struct contract c = {0};

    c.id = 1;
    c.service_point_person_id = 10;
    c.provider.department.id = 1;
    c.consumer.department.id = 2;
    c.formal = true;
    return c;
}

static void test_visibility_matrix(void)
{
    static const struct {
        int64_t dept;
        enum org_role role;
        bool sees_draft;
    } who[] = {
        {0, ORG_ROLE_ADMIN, true},   {1, ORG_ROLE_HEAD, true},  {1, ORG_ROLE_POINT_PERSON, true},
        {1, ORG_ROLE_MEMBER, true},  {2, ORG_ROLE_HEAD, true},  {2, ORG_ROLE_POINT_PERSON, true},
        {2, ORG_ROLE_MEMBER, true},  {3, ORG_ROLE_HEAD, false}, {3, ORG_ROLE_POINT_PERSON, false},
        {3, ORG_ROLE_MEMBER, false},
    };
    struct contract c = sample_contract();

    for (size_t i = 0; i < ACC_ARRAY_LEN(who); i++) {
        struct org_actor a = fx_actor(100 + (int64_t)i, who[i].dept, who[i].role);

        for (int s = CONTRACT_DRAFT; s <= CONTRACT_RETIRED; s++) {
            bool public_state = s == CONTRACT_ACTIVE || s == CONTRACT_SUPERSEDED;
            bool sees =
                contract_may_see(&c, &a, contract_version_public((enum contract_state)s, 0));

            if (sees != (public_state || who[i].sees_draft)) {
                char m[160];

                snprintf(m, sizeof(m), "role %s of department %lld, %s version: sees %d",
                         org_role_name(who[i].role), (long long)who[i].dept,
                         contract_state_name((enum contract_state)s), sees);
                t_report(__FILE__, __LINE__, m);
            }
        }
    }
}

/* Terms once in force stay public when retired; a withdrawn proposal never was. */
static void test_public_versions(void)
{
    T_OK(contract_version_public(CONTRACT_ACTIVE, 100));
    T_OK(contract_version_public(CONTRACT_SUPERSEDED, 100));
    T_OK(contract_version_public(CONTRACT_RETIRED, 100));
    T_OK(!contract_version_public(CONTRACT_RETIRED, 0));
    T_OK(!contract_version_public(CONTRACT_AGREED, 0));
    T_OK(!contract_version_public(CONTRACT_DRAFT, 0));
}

static void test_who_signs_and_manages(void)
{
    struct contract c = sample_contract();
    struct org_actor prov_head = fx_actor(1, 1, ORG_ROLE_HEAD),
                     point = fx_actor(10, 1, ORG_ROLE_POINT_PERSON);
    struct org_actor prov_member = fx_actor(11, 1, ORG_ROLE_MEMBER),
                     cons_head = fx_actor(2, 2, ORG_ROLE_HEAD);
    struct org_actor cons_point = fx_actor(20, 2, ORG_ROLE_POINT_PERSON),
                     admin = fx_actor(99, 0, ORG_ROLE_ADMIN);
    struct org_actor third_head = fx_actor(3, 3, ORG_ROLE_HEAD);
    struct acc_err err;

    T_EQ_INT(contract_signing_sides(&c, &prov_head), MEASURE_PROVIDER);
    T_EQ_INT(contract_signing_sides(&c, &point), MEASURE_PROVIDER);
    T_EQ_INT(contract_signing_sides(&c, &prov_member), 0);
    T_EQ_INT(contract_signing_sides(&c, &cons_head), MEASURE_CONSUMER);
    T_EQ_INT(contract_signing_sides(&c, &cons_point), 0);
    T_EQ_INT(contract_signing_sides(&c, &admin), 0); /* administrators do not sign for a side */
    T_EQ_INT(contract_signing_sides(&c, &third_head), 0);

    T_EQ_INT(contract_may_manage(&c, &admin, &err), ACC_OK);
    T_EQ_INT(contract_may_manage(&c, &prov_head, &err), ACC_OK);
    T_EQ_INT(contract_may_manage(&c, &point, &err), ACC_OK);
    T_EQ_INT(contract_may_manage(&c, &cons_head, &err), ACC_OK);
    T_EQ_INT(contract_may_manage(&c, &prov_member, &err), ACC_EPERM);
    T_EQ_INT(contract_may_manage(&c, &cons_point, &err), ACC_EPERM);
    T_EQ_INT(contract_may_manage(&c, &third_head, &err), ACC_EPERM);

    /* Named people sign for their side, even when both sit in one department. */
    c.consumer.department.id = 1;
    c.provider.person.id = 11;
    c.consumer.person.id = 12;
    T_EQ_INT(contract_signing_sides(&c, &prov_member), MEASURE_PROVIDER);
    {
        struct org_actor named = fx_actor(12, 1, ORG_ROLE_MEMBER);

        T_EQ_INT(contract_signing_sides(&c, &named), MEASURE_CONSUMER);
    }
    /* The head of a department on both sides may sign for either. */
    T_EQ_INT(contract_signing_sides(&c, &prov_head), MEASURE_PROVIDER | MEASURE_CONSUMER);
}

/* ---- terms ---- */

static struct contract_expectation exp_of(enum measure_side side, const char *measure,
                                          int64_t target, int64_t weight)
{
    struct contract_expectation e = {side, measure_find(measure), target, weight, ""};

    return e;
}

static struct contract_terms valid_terms(struct contract_expectation *e, int n)
{
    struct contract_terms t = {0};

    t.summary = "";
    t.calendar.id = 1;
    t.response_minutes = 120;
    t.resolution_minutes = 480;
    t.weights[MEASURE_TASK] = M / 2;
    t.weights[MEASURE_RELATIONSHIP] = M / 2;
    t.min_n = 5;
    t.review_cadence = "quarterly";
    t.measure_period = "month";
    t.expectations = e;
    t.n_expectations = n;
    return t;
}

static void test_terms_valid(void)
{
    struct contract_expectation e[] = {
        exp_of(MEASURE_PROVIDER, "speed", 480 * M, M),
        exp_of(MEASURE_PROVIDER, "reliability", 90 * M, M),
        exp_of(MEASURE_PROVIDER, "consistency", 2 * M, M),
        exp_of(MEASURE_PROVIDER, "courtesy", 4 * M, M),
        exp_of(MEASURE_PROVIDER, "learning", 80 * M, 0), /* learning weighs 0 by default */
        exp_of(MEASURE_CONSUMER, "completeness", 95 * M, M),
        exp_of(MEASURE_CONSUMER, "clarity", 4500, M),
    };
    struct contract_priority p[] = {{"urgent", 250, false}, {"normal", M, true}};
    struct contract_terms t = valid_terms(e, ACC_ARRAY_LEN(e));
    struct acc_err err = {0};

    t.priorities = p;
    t.n_priorities = 2;
    e[4].weight = M;
    T_EQ_INT(contract_terms_check(&t, &err), ACC_OK);
    T_EQ_INT(contract_terms_complete(&t, &err), ACC_OK);
    t.n_expectations = 0;
    T_EQ_INT(contract_terms_check(&t, &err), ACC_OK);
    T_EQ_INT(contract_terms_complete(&t, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/expectations");
}

/* Each row breaks one rule of valid terms and names the field that must be reported. */
static void test_terms_rejected(void)
{
    enum {
        WRONG_SIDE,
        DUP,
        RATING_LOW,
        RATING_HIGH,
        PERCENT_HIGH,
        MINUTES_NEG,
        RATIO_LOW,
        WEIGHT_NEG,
        GROUP_ZERO,
        SIDE_GROUPS_ZERO,
        GROUP_WEIGHT_NEG,
        RESPONSE_NEG,
        RESOLUTION_BIG,
        MIN_N_ZERO,
        CADENCE,
        PERIOD,
        PRIO_TWO_DEFAULTS,
        PRIO_NO_DEFAULT,
        PRIO_DUP,
        PRIO_FACTOR,
        NOTE_LONG,
        NCASES
    };
    static const char *const fields[NCASES] = {
        [WRONG_SIDE] = "/expectations/consumer/1/measure",
        [DUP] = "/expectations/provider/1",
        [RATING_LOW] = "/expectations/provider/0/target",
        [RATING_HIGH] = "/expectations/provider/0/target",
        [PERCENT_HIGH] = "/expectations/provider/1/target",
        [MINUTES_NEG] = "/expectations/provider/1/target",
        [RATIO_LOW] = "/expectations/provider/1/target",
        [WEIGHT_NEG] = "/expectations/provider/0/weight",
        [GROUP_ZERO] = "/expectations/provider",
        [SIDE_GROUPS_ZERO] = "/weights",
        [GROUP_WEIGHT_NEG] = "/weights/relationship",
        [RESPONSE_NEG] = "/response_minutes",
        [RESOLUTION_BIG] = "/resolution_minutes",
        [MIN_N_ZERO] = "/min_n",
        [CADENCE] = "/review_cadence",
        [PERIOD] = "/measure_period",
        [PRIO_TWO_DEFAULTS] = "/priorities",
        [PRIO_NO_DEFAULT] = "/priorities",
        [PRIO_DUP] = "/priorities/1/name",
        [PRIO_FACTOR] = "/priorities/0/factor",
        [NOTE_LONG] = "/expectations/consumer/0/note",
    };
    static char long_note[CONTRACT_NOTE_MAX + 2];

    memset(long_note, 'x', sizeof(long_note) - 1);
    for (int k = 0; k < NCASES; k++) {
        struct contract_expectation e[4] = {
            exp_of(MEASURE_PROVIDER, "quality", 4 * M, M),
            exp_of(MEASURE_PROVIDER, "reliability", 90 * M, M),
            exp_of(MEASURE_CONSUMER, "completeness", 95 * M, M),
            exp_of(MEASURE_CONSUMER, "clarity", 4 * M, M),
        };
        struct contract_priority p[2] = {{"urgent", 250, false}, {"normal", M, true}};
        struct contract_terms t = valid_terms(e, 4);
        struct acc_err err = {0};
        int rc;

        t.priorities = p;
        t.n_priorities = 2;
        switch (k) {
        case WRONG_SIDE:
            e[3].measure = measure_find("empathy");
            break;
        case DUP:
            e[1].measure = measure_find("quality");
            break;
        case RATING_LOW:
            e[0].target = 999;
            break;
        case RATING_HIGH:
            e[0].target = 5001;
            break;
        case PERCENT_HIGH:
            e[1].target = 100001;
            break;
        case MINUTES_NEG:
            e[1] = exp_of(MEASURE_PROVIDER, "speed", -1, M);
            break;
        case RATIO_LOW:
            e[1] = exp_of(MEASURE_PROVIDER, "consistency", 999, M);
            break;
        case WEIGHT_NEG:
            e[0].weight = -1;
            break;
        case GROUP_ZERO:
            e[0].weight = e[1].weight = 0;
            break;
        case SIDE_GROUPS_ZERO:
            t.weights[MEASURE_TASK] = 0;
            t.weights[MEASURE_RELATIONSHIP] = 0;
            break;
        case GROUP_WEIGHT_NEG:
            t.weights[MEASURE_RELATIONSHIP] = -1;
            break;
        case RESPONSE_NEG:
            t.response_minutes = -1;
            break;
        case RESOLUTION_BIG:
            t.resolution_minutes = CONTRACT_MINUTES_MAX + 1;
            break;
        case MIN_N_ZERO:
            t.min_n = 0;
            break;
        case CADENCE:
            t.review_cadence = "weekly";
            break;
        case PERIOD:
            t.measure_period = "year";
            break;
        case PRIO_TWO_DEFAULTS:
            p[0].is_default = true;
            break;
        case PRIO_NO_DEFAULT:
            p[1].is_default = false;
            break;
        case PRIO_DUP:
            p[1].name = "urgent";
            break;
        case PRIO_FACTOR:
            p[0].factor = 5;
            break;
        case NOTE_LONG:
            e[2].note = long_note;
            break;
        }
        rc = contract_terms_check(&t, &err);
        if (rc != ACC_EINVAL || strcmp(err.field, fields[k]) != 0) {
            char m[200];

            snprintf(m, sizeof(m), "case %d: rc %d field \"%s\", want 400 at \"%s\"", k, rc,
                     err.field, fields[k]);
            t_report(__FILE__, __LINE__, m);
        }
    }
}

static void test_measures_catalogue(void)
{
    static const char *const provider[] = {
        "speed",          "reliability", "accuracy", "consistency",     "quality",
        "responsiveness", "courtesy",    "empathy",  "confidentiality", "learning"};
    static const char *const consumer[] = {"completeness", "courtesy", "responsiveness", "clarity",
                                           "learning"};
    size_t n;

    measure_all(&n);
    T_EQ_INT(n, 12);
    for (size_t i = 0; i < ACC_ARRAY_LEN(provider); i++)
        T_OK(measure_find(provider[i]) && (measure_find(provider[i])->sides & MEASURE_PROVIDER));
    for (size_t i = 0; i < ACC_ARRAY_LEN(consumer); i++)
        T_OK(measure_find(consumer[i]) && (measure_find(consumer[i])->sides & MEASURE_CONSUMER));
    T_OK(!(measure_find("empathy")->sides & MEASURE_CONSUMER));
    T_OK(!(measure_find("completeness")->sides & MEASURE_PROVIDER));
    T_EQ_INT(measure_find("completeness")->group, MEASURE_TASK);
    T_EQ_INT(measure_find("clarity")->group, MEASURE_RELATIONSHIP);
    T_OK(!measure_find("speed")->higher_is_better);
    T_OK(!measure_find("consistency")->higher_is_better);
    T_OK(measure_find("quality")->higher_is_better);
    T_OK(measure_find("nope") == NULL);
}

static void test_milli(void)
{
    static const struct {
        const char *json;
        int rc;
        int64_t milli;
        const char *text;
    } cases[] = {
        {"4", ACC_OK, 4000, "4"},          {"4.5", ACC_OK, 4500, "4.5"},
        {"0.125", ACC_OK, 125, "0.125"},   {"0.1", ACC_OK, 100, "0.1"},
        {"-2.25", ACC_OK, -2250, "-2.25"}, {"95.5", ACC_OK, 95500, "95.5"},
        {"4.2501", ACC_EINVAL, 0, NULL},   {"1e13", ACC_EINVAL, 0, NULL},
        {"\"4\"", ACC_EINVAL, 0, NULL},
    };

    for (size_t i = 0; i < ACC_ARRAY_LEN(cases); i++) {
        json_t *v = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
        struct acc_err err = {0};
        int64_t out = 0;

        T_EQ_INT(jx_milli(v, "/target", &out, &err), cases[i].rc);
        if (cases[i].rc == ACC_OK) {
            char b[32];

            T_EQ_INT(out, cases[i].milli);
            measure_milli_format(out, b);
            T_EQ_STR(b, cases[i].text);
        } else {
            T_EQ_STR(err.field, "/target");
        }
        json_decref(v);
    }
}

/* ---- versions in the store ---- */

static struct store *st;
static struct acc_arena *arena;
static int64_t fin, sales, it, cal, fin_head, fin_point, sales_head, it_head, service_id;

static void setup(void)
{
    struct org_actor sys = org_actor_system("test");
    struct calendar_input ci = {.has_name = true,
                                .has_zone = true,
                                .has_week = true,
                                .name = "Office",
                                .zone = "Europe/London"};
    struct calendar_zones *zones = calendar_zones_new();
    struct contract_service_input si = {0};
    struct contract_service s;
    struct calendar_record c;
    struct acc_err err;

    arena = acc_arena_new();
    T_EQ_INT(store_open(":memory:", &st, &err), ACC_OK);
    T_EQ_INT(store_migrate(st, NULL, &err), ACC_OK);
    fin = fx_department(st, arena, "Finance");
    sales = fx_department(st, arena, "Sales");
    it = fx_department(st, arena, "IT");
    fin_head = fx_person(st, arena, "fin.head", "fin.head@example.org", fin, ORG_ROLE_HEAD);
    fin_point =
        fx_person(st, arena, "fin.point", "fin.point@example.org", fin, ORG_ROLE_POINT_PERSON);
    sales_head = fx_person(st, arena, "sales.head", "sales.head@example.org", sales, ORG_ROLE_HEAD);
    it_head = fx_person(st, arena, "it.head", "it.head@example.org", it, ORG_ROLE_HEAD);
    T_EQ_INT(calendar_week_parse("09:00-17:00,09:00-17:00,09:00-17:00,09:00-17:00,09:00-17:00,-,-",
                                 &ci.week, &err),
             ACC_OK);
    T_EQ_INT(calendar_record_create(st, &sys, zones, &ci, arena, &c, &err), ACC_OK);
    cal = c.id;
    si.has_name = si.has_provider = si.has_point_person = true;
    si.name = "Credit check";
    si.provider_id = fin;
    si.point_person_id = fin_point;
    T_EQ_INT(contract_service_create(st, &sys, &si, arena, &s, &err), ACC_OK);
    service_id = s.id;
    calendar_zones_free(zones);
}

static int64_t count(const char *sql)
{
    struct acc_err err;
    int64_t n = -1;

    store_query_int(st, sql, NULL, 0, &n, &err);
    return n;
}

/* Draft -> proposed -> signed by both -> active; a second version supersedes the first. */
static void test_formal_walk_and_supersede(void)
{
    struct org_actor head = fx_actor(fin_head, fin, ORG_ROLE_HEAD);
    struct org_actor point = fx_actor(fin_point, fin, ORG_ROLE_POINT_PERSON);
    struct org_actor consumer = fx_actor(sales_head, sales, ORG_ROLE_HEAD);
    struct org_actor third = fx_actor(it_head, it, ORG_ROLE_HEAD);
    struct contract_expectation e[] = {exp_of(MEASURE_PROVIDER, "quality", 4 * M, M)};
    struct contract_create_input in = {0};
    struct contract_version v;
    struct contract c;
    struct acc_err err;

    in.service_id = service_id;
    in.consumer_department_id = sales;
    in.formal = true;
    in.terms.has_calendar = in.terms.has_response = in.terms.has_resolution = true;
    in.terms.has_expectations[0] = true;
    in.terms.terms.calendar.id = cal;
    in.terms.terms.response_minutes = 60;
    in.terms.terms.resolution_minutes = 240;
    in.terms.terms.expectations = e;
    in.terms.terms.n_expectations = 1;
    T_EQ_INT(contract_create(st, &third, &in, arena, &c, &err), ACC_EPERM);
    T_EQ_INT(contract_create(st, &head, &in, arena, &c, &err), ACC_OK);
    T_EQ_INT(c.state, CONTRACT_DRAFT);
    T_EQ_INT(contract_create(st, &head, &in, arena, &c, &err), ACC_ECONFLICT);

    /* The third department does not see the draft at all. */
    {
        struct contract hidden;

        T_EQ_INT(contract_get(st, &third, c.id, arena, &hidden, &err), ACC_ENOTFOUND);
    }
    T_EQ_INT(contract_version_act(st, &consumer, c.id, 1, CONTRACT_SIGN, 0, arena, &v, &err),
             ACC_ECONFLICT);
    T_EQ_INT(contract_version_act(st, &point, c.id, 1, CONTRACT_PROPOSE, 0, arena, &v, &err),
             ACC_OK);
    T_EQ_INT(v.state, CONTRACT_PROPOSED);
    T_OK(v.escalation_frozen);
    {
        struct contract_terms_input up = {0};

        up.has_response = true;
        up.terms.response_minutes = 30;
        T_EQ_INT(contract_version_update(st, &head, c.id, 1, &up, arena, &v, &err), ACC_ECONFLICT);
    }
    T_EQ_INT(contract_version_act(st, &point, c.id, 1, CONTRACT_SIGN, 0, arena, &v, &err), ACC_OK);
    T_EQ_INT(contract_version_act(st, &head, c.id, 1, CONTRACT_SIGN, 0, arena, &v, &err),
             ACC_ECONFLICT); /* the provider side has signed */
    T_EQ_INT(contract_version_act(st, &point, c.id, 1, CONTRACT_ACTIVATE, 0, arena, &v, &err),
             ACC_ECONFLICT); /* not agreed yet */
    T_EQ_INT(contract_version_act(st, &consumer, c.id, 1, CONTRACT_SIGN, 0, arena, &v, &err),
             ACC_OK);
    T_EQ_INT(v.state, CONTRACT_AGREED);
    T_EQ_INT(v.n_signatures, 2);
    T_OK(v.agreed_at > 0);
    T_EQ_INT(contract_version_act(st, &consumer, c.id, 1, CONTRACT_ACTIVATE, 0, arena, &v, &err),
             ACC_OK);
    T_EQ_INT(v.state, CONTRACT_ACTIVE);

    /* Version 2 from 1, prefilled; 1 stays active until 2 is. */
    T_EQ_INT(contract_version_new(st, &head, c.id, 0, arena, &v, &err), ACC_OK);
    T_EQ_INT(v.number, 2);
    T_EQ_INT(v.based_on, 1);
    T_EQ_INT(v.terms.n_expectations, 1);
    T_EQ_INT(v.terms.resolution_minutes, 240);
    T_EQ_INT(contract_version_new(st, &head, c.id, 0, arena, &v, &err), ACC_ECONFLICT);
    T_EQ_INT(contract_version_act(st, &head, c.id, 2, CONTRACT_PROPOSE, 0, arena, &v, &err),
             ACC_OK);
    T_EQ_INT(contract_version_act(st, &head, c.id, 2, CONTRACT_SIGN, 0, arena, &v, &err), ACC_OK);
    T_EQ_INT(contract_version_act(st, &consumer, c.id, 2, CONTRACT_SIGN, 0, arena, &v, &err),
             ACC_OK);
    T_EQ_INT(contract_version_act(st, &head, c.id, 2, CONTRACT_ACTIVATE, 0, arena, &v, &err),
             ACC_OK);
    T_EQ_INT(count("SELECT COUNT(*) FROM contract_version WHERE state = 'active'"), 1);
    T_EQ_INT(contract_version_get(st, &third, c.id, 1, arena, &v, &err), ACC_OK);
    T_EQ_INT(v.state, CONTRACT_SUPERSEDED);
    T_OK(v.superseded_at > 0);

    /* The database refuses a second active version whatever the code does. */
    T_EQ_INT(store_exec(st, "UPDATE contract_version SET state = 'active' WHERE number = 1", NULL,
                        0, NULL, &err),
             ACC_ECONFLICT);
    /* Every step was audited. */
    T_OK(count("SELECT COUNT(*) FROM audit WHERE entity = 'contract_version'") >= 10);
}

/* Informal contracts skip sign-off; their drafts activate directly. */
static void test_informal_walk(void)
{
    struct org_actor point = fx_actor(fin_point, fin, ORG_ROLE_POINT_PERSON);
    struct contract_expectation e[] = {exp_of(MEASURE_CONSUMER, "clarity", 4 * M, M)};
    struct contract_create_input in = {0};
    struct contract_version v;
    struct contract c;
    struct acc_err err;

    in.service_id = service_id;
    in.consumer_department_id = it;
    in.formal = false;
    in.terms.has_calendar = in.terms.has_response = in.terms.has_resolution = true;
    in.terms.has_expectations[1] = true;
    in.terms.terms.calendar.id = cal;
    in.terms.terms.response_minutes = 60;
    in.terms.terms.resolution_minutes = 240;
    in.terms.terms.expectations = e;
    in.terms.terms.n_expectations = 1;
    T_EQ_INT(contract_create(st, &point, &in, arena, &c, &err), ACC_OK);
    T_EQ_INT(contract_version_act(st, &point, c.id, 1, CONTRACT_PROPOSE, 0, arena, &v, &err),
             ACC_ECONFLICT);
    T_EQ_INT(contract_version_act(st, &point, c.id, 1, CONTRACT_ACTIVATE, 0, arena, &v, &err),
             ACC_OK);
    T_EQ_INT(v.state, CONTRACT_ACTIVE);
    T_EQ_INT(v.n_signatures, 0);
    T_EQ_INT(contract_version_act(st, &point, c.id, 1, CONTRACT_RETIRE, 0, arena, &v, &err),
             ACC_OK);
    T_EQ_INT(v.state, CONTRACT_RETIRED);
    T_EQ_INT(contract_version_act(st, &point, c.id, 1, CONTRACT_RETIRE, 0, arena, &v, &err),
             ACC_ECONFLICT);
}

int main(void)
{
    acc_log_set_quiet(true);
    T_RUN(test_next_state_table);
    T_RUN(test_state_names_round_trip);
    T_RUN(test_visibility_matrix);
    T_RUN(test_public_versions);
    T_RUN(test_who_signs_and_manages);
    T_RUN(test_terms_valid);
    T_RUN(test_terms_rejected);
    T_RUN(test_measures_catalogue);
    T_RUN(test_milli);
    setup();
    T_RUN(test_formal_walk_and_supersede);
    T_RUN(test_informal_walk);
    store_close(st);
    acc_arena_free(arena);
    return t_done();
}
