/* contract_demo.c: the demo catalogue: the seed articles' interfaces as services and contracts. */
#include "base/acc.h"
#include "calendar/calendar_db.h"
#include "contract/contract.h"
#include "store/store.h"

#define M MEASURE_MILLI

/* Builds who acting as the demo person of e-mail local part name. */
static int demo_actor(struct store *st, const char *name, struct acc_arena *arena,
                      struct org_actor *out, struct acc_err *err)
{
    struct org_person p;
    int rc = org_person_get_by_email(st, acc_arena_printf(arena, "%s@example.org", name), arena, &p,
                                     err);

    if (!rc) {
        out->person_id = p.id;
        out->department_id = p.department.id;
        out->role = p.role;
        out->via = "cli: demo";
    }
    return rc;
}

static int64_t dept_id(struct store *st, const char *name, struct acc_arena *arena,
                       struct acc_err *err)
{
    struct org_department d;

    return org_department_find(st, name, arena, &d, err) ? 0 : d.id;
}

static int64_t calendar_id(struct store *st, const char *name, struct acc_arena *arena,
                           struct acc_err *err)
{
    struct calendar_record c;

    return calendar_record_find(st, name, arena, &c, err) ? 0 : c.id;
}

struct demo_service {
    const char *provider;
    const char *name;
    const char *description;
    const char *process;
    const char *outcome;
    const char *point_person; /* e-mail local parts */
    const char *deputy;
};

static const struct demo_service services[] = {
    {"Finance", "Credit check",
     "Checks a new customer's credit before Sales confirms the first order.", "Order to cash",
     "New customers can order without waiting", "farid.haddad", "freya.nilsen"},
    {"HR", "New-hire onboarding",
     "Contract, payroll, equipment request and induction for a new colleague.", "Hire to retire",
     "New staff serve customers from their first week", "hugo.lambert", "helen.park"},
    {"IT", "Laptop request", "A laptop set up with the standard software, ready to use.",
     "Employee enablement", "Staff can serve customers without waiting for tools", "ivan.petrov",
     "isabel.santos"},
    {"IT", "Access request", "Access to a business application, a shared drive or a mailbox.",
     "Employee enablement", "Staff can answer customers with the information they need",
     "ivan.petrov", "isabel.santos"},
    {"Storage & Transportation", "Delivery scheduling",
     "A delivery slot booked for a customer order and confirmed to Customer Service.",
     "Order fulfilment", "Customers receive deliveries on the promised day", "tara.singh",
     "tobias.meyer"},
    {"Marketing", "Campaign brief",
     "A brief of a coming campaign: products, volumes and dates, so that Production can plan.",
     "Demand planning", "Products the campaign promises are in stock when customers ask",
     "marco.bianchi", "miriam.levy"},
};

static int demo_services(struct store *st, const struct org_actor *who, struct acc_arena *arena,
                         int64_t ids[], struct acc_err *err)
{
    int rc = ACC_OK;

    for (size_t i = 0; !rc && i < ACC_ARRAY_LEN(services); i++) {
        const struct demo_service *d = &services[i];
        struct org_actor point, deputy;
        struct contract_service s;
        struct contract_service_input in = {
            .has_name = true,
            .has_description = true,
            .has_process = true,
            .has_outcome = true,
            .has_provider = true,
            .has_point_person = true,
            .has_deputy = true,
            .name = d->name,
            .description = d->description,
            .process = d->process,
            .outcome = d->outcome,
        };

        in.provider_id = dept_id(st, d->provider, arena, err);
        rc = demo_actor(st, d->point_person, arena, &point, err);
        if (!rc)
            rc = demo_actor(st, d->deputy, arena, &deputy, err);
        in.point_person_id = point.person_id;
        in.deputy_id = deputy.person_id;
        if (!rc)
            rc = contract_service_create(st, who, &in, arena, &s, err);
        ids[i] = s.id;
    }
    return rc;
}

/* The organisation's standard escalation, and IT's own, faster one. */
static int demo_policies(struct store *st, const struct org_actor *who, struct acc_arena *arena,
                         struct acc_err *err)
{
    struct contract_level standard[] = {
        {CONTRACT_RESPONSE, 100, CONTRACT_NOTIFY_POINT_PERSON | CONTRACT_NOTIFY_DEPUTY, NULL, 0,
         false, CONTRACT_REASSIGN_NONE},
        {CONTRACT_RESOLUTION, 75, CONTRACT_NOTIFY_POINT_PERSON, NULL, 0, false,
         CONTRACT_REASSIGN_NONE},
        {CONTRACT_RESOLUTION, 100, CONTRACT_NOTIFY_PROVIDER_HEAD | CONTRACT_NOTIFY_CONSUMER_HEAD,
         NULL, 0, false, CONTRACT_REASSIGN_NONE},
        {CONTRACT_RESOLUTION, 150, CONTRACT_NOTIFY_PROVIDER_HEAD, NULL, 0, true,
         CONTRACT_REASSIGN_DEPUTY},
    };
    struct contract_level it[] = {
        {CONTRACT_RESPONSE, 50, CONTRACT_NOTIFY_POINT_PERSON, NULL, 0, false,
         CONTRACT_REASSIGN_NONE},
        {CONTRACT_RESPONSE, 100, CONTRACT_NOTIFY_DEPUTY, NULL, 0, false, CONTRACT_REASSIGN_DEPUTY},
        {CONTRACT_RESOLUTION, 100, CONTRACT_NOTIFY_PROVIDER_HEAD | CONTRACT_NOTIFY_CONSUMER_HEAD,
         NULL, 0, true, CONTRACT_REASSIGN_NONE},
    };
    struct contract_policy_input std_in = {
        true, false, true, "Standard escalation", 0, standard, ACC_ARRAY_LEN(standard)};
    struct contract_policy_input it_in = {
        true, true, true, "IT escalation", 0, it, ACC_ARRAY_LEN(it)};
    static const char *const std_users[] = {"Finance", "HR", "Storage & Transportation"};
    struct contract_policy p, q;
    int rc;

    it_in.department_id = dept_id(st, "IT", arena, err);
    rc = contract_policy_create(st, who, &std_in, arena, &p, err);
    if (!rc)
        rc = contract_policy_create(st, who, &it_in, arena, &q, err);
    for (size_t i = 0; !rc && i < ACC_ARRAY_LEN(std_users); i++)
        rc = contract_policy_default_set(st, who, dept_id(st, std_users[i], arena, err), p.id,
                                         arena, &p, err);
    if (!rc)
        rc = contract_policy_default_set(st, who, it_in.department_id, q.id, arena, &q, err);
    return rc;
}

/* One demo contract: its sides, its first terms, and how far it has come. */
struct demo_contract {
    int service; /* index into services */
    const char *consumer;
    bool formal;
    const char *calendar;
    int64_t response, resolution;
    const struct contract_expectation *expectations;
    int n_expectations;
    const char *summary;
    enum contract_state reach; /* draft, proposed (provider signed), active */
};

static int run(struct store *st, const struct org_actor *who, int64_t cid, int number,
               enum contract_action action, enum measure_side side, struct acc_arena *arena,
               struct acc_err *err)
{
    struct contract_version v;

    return contract_version_act(st, who, cid, number, action, side, arena, &v, err);
}

/* Takes version number of contract cid from draft to reach, with the right people. */
static int demo_walk(struct store *st, int64_t cid, int number, const struct demo_contract *d,
                     struct acc_arena *arena, struct acc_err *err)
{
    struct org_actor provider, consumer;
    struct org_department cd;
    int rc;

    rc = demo_actor(st, services[d->service].point_person, arena, &provider, err);
    if (!rc)
        rc = org_department_find(st, d->consumer, arena, &cd, err);
    consumer = (struct org_actor){cd.head.id, cd.id, ORG_ROLE_HEAD, "cli: demo", false};
    if (rc || d->reach == CONTRACT_DRAFT)
        return rc;
    if (!d->formal)
        return run(st, &provider, cid, number, CONTRACT_ACTIVATE, 0, arena, err);
    rc = run(st, &provider, cid, number, CONTRACT_PROPOSE, 0, arena, err);
    if (!rc)
        rc = run(st, &provider, cid, number, CONTRACT_SIGN, MEASURE_PROVIDER, arena, err);
    if (!rc && d->reach == CONTRACT_ACTIVE)
        rc = run(st, &consumer, cid, number, CONTRACT_SIGN, MEASURE_CONSUMER, arena, err);
    if (!rc && d->reach == CONTRACT_ACTIVE)
        rc = run(st, &provider, cid, number, CONTRACT_ACTIVATE, 0, arena, err);
    return rc;
}

static int demo_contract(struct store *st, const struct org_actor *who, const int64_t service_ids[],
                         const struct demo_contract *d, struct acc_arena *arena, int64_t *cid,
                         struct acc_err *err)
{
    struct contract_create_input in = {0};
    struct contract c;
    int rc;

    in.service_id = service_ids[d->service];
    in.consumer_department_id = dept_id(st, d->consumer, arena, err);
    in.formal = d->formal;
    in.terms.has_calendar = in.terms.has_response = in.terms.has_resolution = true;
    in.terms.has_summary = true;
    in.terms.has_expectations[0] = in.terms.has_expectations[1] = true;
    in.terms.terms.summary = d->summary;
    in.terms.terms.calendar.id = calendar_id(st, d->calendar, arena, err);
    in.terms.terms.response_minutes = d->response;
    in.terms.terms.resolution_minutes = d->resolution;
    in.terms.terms.expectations = (struct contract_expectation *)d->expectations;
    in.terms.terms.n_expectations = d->n_expectations;
    rc = contract_create(st, who, &in, arena, &c, err);
    if (!rc)
        rc = demo_walk(st, c.id, 1, d, arena, err);
    *cid = rc ? 0 : c.id;
    return rc;
}

#define P MEASURE_PROVIDER
#define C MEASURE_CONSUMER

static const struct contract_expectation credit_v1[] = {
    {P, NULL, 960 * M, 1 * M, ""},
    {P, NULL, 90 * M, 1 * M, ""},
    {P, NULL, 95 * M, 1 * M, ""},
    {P, NULL, 4 * M, 1 * M, ""},
    {P, NULL, 4 * M, 1 * M, ""},
    {C, NULL, 95 * M, 1 * M,
     "Requests arrive with the customer's registration number and expected order volume."},
    {C, NULL, 4 * M, 1 * M, ""},
};
static const char *const credit_measures[] = {
    "speed", "reliability", "accuracy", "quality", "responsiveness", "completeness", "clarity"};

static const struct contract_expectation onboarding[] = {
    {P, NULL, 4800 * M, 1 * M, ""},
    {P, NULL, 90 * M, 2 * M, ""},
    {P, NULL, 4 * M, 1 * M, ""},
    {P, NULL, 4 * M, 1 * M, ""},
    {C, NULL, 90 * M, 1 * M, "The signed offer and start date reach HR ten working days ahead."},
};
static const char *const onboarding_measures[] = {"speed", "reliability", "quality", "empathy",
                                                  "completeness"};

static const struct contract_expectation it_support[] = {
    {P, NULL, 90 * M, 1 * M, ""},
    {P, NULL, 2 * M, 1 * M, ""},
    {P, NULL, 4 * M, 1 * M, ""},
    {P, NULL, 4 * M, 1 * M, ""},
    {C, NULL, 4 * M, 1 * M, "Say which application and which role the access is for."},
};
static const char *const it_measures[] = {"reliability", "consistency", "courtesy",
                                          "confidentiality", "clarity"};

static const struct contract_expectation delivery[] = {
    {P, NULL, 95 * M, 2 * M, "A slot confirmed is a slot kept."},
    {P, NULL, 95 * M, 1 * M, ""},
    {P, NULL, 4 * M, 1 * M, ""},
    {C, NULL, 95 * M, 1 * M, "Orders come with the delivery address and a contact on site."},
};
static const char *const delivery_measures[] = {"reliability", "accuracy", "responsiveness",
                                                "completeness"};

static const struct contract_expectation brief[] = {
    {P, NULL, 4 * M, 1 * M, "Briefs name products and volumes, not only the slogan."},
    {P, NULL, 4 * M, 1 * M, ""},
    {C, NULL, 4 * M, 1 * M, "Production says early when a volume cannot be made."},
};
static const char *const brief_measures[] = {"quality", "responsiveness", "responsiveness"};

/* Copies expectations into the arena with their measures resolved by name. */
static const struct contract_expectation *with_measures(const struct contract_expectation *e,
                                                        const char *const *names, int n,
                                                        struct acc_arena *arena)
{
    struct contract_expectation *out = acc_arena_alloc(arena, sizeof(*out) * (size_t)n);

    for (int i = 0; i < n; i++) {
        out[i] = e[i];
        out[i].measure = measure_find(names[i]);
    }
    return out;
}

int contract_demo_populate(struct store *st, const struct org_actor *who, struct acc_arena *arena,
                           struct acc_err *err)
{
    static const char *const onboarding_consumers[] = {
        "Finance",  "Sales", "Customer Service", "IT", "Production", "Storage & Transportation",
        "Marketing"};
    int64_t ids[ACC_ARRAY_LEN(services)], cid = 0;
    struct contract_version v2;
    int rc;

    rc = demo_services(st, who, arena, ids, err);
    if (!rc)
        rc = demo_policies(st, who, arena, err);
    if (!rc) {
        /* Credit checks: agreed a year ago at 2 days, then tightened to 1 day (version 2). */
        struct demo_contract d = {0,
                                  "Sales",
                                  true,
                                  "Head office",
                                  240,
                                  960,
                                  NULL,
                                  7,
                                  "Sales asks Finance to check a new customer's credit before "
                                  "the first order is confirmed.",
                                  CONTRACT_ACTIVE};
        struct contract_terms_input up = {0};

        d.expectations = with_measures(credit_v1, credit_measures, 7, arena);
        rc = demo_contract(st, who, ids, &d, arena, &cid, err);
        if (!rc) {
            struct org_actor fin;

            rc = demo_actor(st, "fiona.clarke", arena, &fin, err);
            if (!rc)
                rc = contract_version_new(st, &fin, cid, 1, arena, &v2, err);
            /* Version 2 halves the clocks and the speed target with them. */
            up.has_response = up.has_resolution = up.has_expectations[0] = true;
            up.terms.response_minutes = 120;
            up.terms.resolution_minutes = 480;
            up.terms.expectations =
                (struct contract_expectation *)with_measures(credit_v1, credit_measures, 5, arena);
            up.terms.expectations[0].target = 480 * M;
            up.terms.n_expectations = 5;
            if (!rc)
                rc = contract_version_update(st, &fin, cid, 2, &up, arena, &v2, err);
            if (!rc)
                rc = demo_walk(st, cid, 2, &d, arena, err);
        }
    }
    for (size_t i = 0; !rc && i < ACC_ARRAY_LEN(onboarding_consumers); i++) {
        /* Marketing's is proposed: HR signed, Marketing's head has not yet. */
        struct demo_contract d = {
            1,
            onboarding_consumers[i],
            true,
            "Head office",
            480,
            4800,
            with_measures(onboarding, onboarding_measures, 5, arena),
            5,
            "Every department hires through HR; HR has the new colleague ready on day one.",
            strcmp(onboarding_consumers[i], "Marketing") == 0 ? CONTRACT_PROPOSED
                                                              : CONTRACT_ACTIVE};

        rc = demo_contract(st, who, ids, &d, arena, &cid, err);
    }
    if (!rc) {
        struct demo_contract laptop = {2,
                                       "Sales",
                                       true,
                                       "IT 24x7",
                                       60,
                                       2880,
                                       with_measures(it_support, it_measures, 5, arena),
                                       5,
                                       "Sales staff get working laptops within two days.",
                                       CONTRACT_ACTIVE};

        rc = demo_contract(st, who, ids, &laptop, arena, &cid, err);
    }
    if (!rc) {
        struct demo_contract access = {3,
                                       "Customer Service",
                                       true,
                                       "IT 24x7",
                                       30,
                                       480,
                                       with_measures(it_support, it_measures, 5, arena),
                                       5,
                                       "Agents get the access they need to answer customers.",
                                       CONTRACT_ACTIVE};

        rc = demo_contract(st, who, ids, &access, arena, &cid, err);
    }
    if (!rc) {
        struct demo_contract slots = {4,
                                      "Customer Service",
                                      true,
                                      "Plant shifts",
                                      60,
                                      480,
                                      with_measures(delivery, delivery_measures, 4, arena),
                                      4,
                                      "Customer Service books delivery slots for customer orders.",
                                      CONTRACT_ACTIVE};

        rc = demo_contract(st, who, ids, &slots, arena, &cid, err);
    }
    if (!rc) {
        /* Informal: no sign-off, measured all the same. */
        struct demo_contract briefs = {5,
                                       "Production",
                                       false,
                                       "Head office",
                                       960,
                                       4800,
                                       NULL,
                                       3,
                                       "Marketing briefs Production before a campaign starts.",
                                       CONTRACT_ACTIVE};
        struct contract_expectation *e =
            (struct contract_expectation *)with_measures(brief, brief_measures, 3, arena);

        e[2].side = MEASURE_CONSUMER;
        briefs.expectations = e;
        rc = demo_contract(st, who, ids, &briefs, arena, &cid, err);
    }
    return rc;
}

int contract_demo_backdate(struct store *st, int64_t first_at, int64_t later_at,
                           struct acc_err *err)
{
    struct store_stmt *stmt = NULL;
    struct {
        int64_t id, shift;
    } moves[64];
    int n = 0, rc;
    bool row;

    rc = store_exec(
        st,
        "SELECT v.id, v.activated_at, (SELECT COUNT(*) FROM contract_version w WHERE "
        "w.contract_id = v.contract_id AND w.activated_at IS NOT NULL AND w.number < "
        "v.number) FROM contract_version v WHERE v.activated_at IS NOT NULL ORDER BY v.id",
        NULL, 0, &stmt, err);
    while (!rc && !(rc = store_step(stmt, &row, err)) && row) {
        if (n == (int)ACC_ARRAY_LEN(moves)) {
            rc = acc_fail(err, ACC_EBUG, "", "more demo versions than %d", n);
            break;
        }
        moves[n].id = store_col_int(stmt, 0);
        moves[n].shift = store_col_int(stmt, 1) - (store_col_int(stmt, 2) ? later_at : first_at);
        n++;
    }
    store_finish(stmt);
    for (int i = 0; !rc && i < n; i++) {
        struct store_arg args[] = {SA_INT(moves[i].shift), SA_INT(moves[i].shift),
                                   SA_INT(moves[i].shift), SA_INT(moves[i].shift),
                                   SA_INT(moves[i].shift), SA_INT(moves[i].id)};

        rc = store_exec(st,
                        "UPDATE contract_version SET created_at = created_at - ?, updated_at = "
                        "updated_at - ?, proposed_at = proposed_at - ?, agreed_at = agreed_at - "
                        "?, activated_at = activated_at - ? WHERE id = ?",
                        args, ACC_ARRAY_LEN(args), NULL, err);
        if (!rc)
            rc = store_exec(st,
                            "UPDATE contract_signature SET signed_at = signed_at - ? WHERE "
                            "version_id = ?",
                            args + 4, 2, NULL, err);
    }
    /* A superseded version ends where its successor begins. */
    if (!rc)
        rc =
            store_exec(st,
                       "UPDATE contract_version SET superseded_at = (SELECT MIN(w.activated_at) "
                       "FROM contract_version w WHERE w.contract_id = contract_version.contract_id "
                       "AND w.number > contract_version.number AND w.activated_at IS NOT NULL) "
                       "WHERE superseded_at IS NOT NULL",
                       NULL, 0, NULL, err);
    if (!rc)
        rc = store_exec(st,
                        "UPDATE contract SET created_at = (SELECT MIN(v.created_at) FROM "
                        "contract_version v WHERE v.contract_id = contract.id) WHERE EXISTS "
                        "(SELECT 1 FROM contract_version v WHERE v.contract_id = contract.id AND "
                        "v.activated_at IS NOT NULL)",
                        NULL, 0, NULL, err);
    return rc;
}
