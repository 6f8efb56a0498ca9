/* request_demo.c: the demo's request history: generated as CSV, imported like any other. */
#include "base/acc.h"
#include "calendar/calendar_db.h"
#include "request/request_import.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

#define DEMO_DAYS       42 /* the history covers the six weeks before now */
#define DEMO_V2_DAYS    21 /* a contract's second version came in force three weeks ago */
#define DEMO_FIRST_DAYS 365
#define DEMO_SEED       0x5eed0ac0de2026ull
#define DEMO_CONTRACTS  32 /* active contracts the generator looks at */
#define DEMO_PEOPLE     16 /* consumer people a contract's requests come from */
#define DEMO_VERSIONS   8
#define DAY             86400
#define HOUR            3600

/* splitmix64: a small generator with its state in the caller's hands (no rand()). */
struct prng {
    uint64_t s;
};

static uint64_t next_u64(struct prng *p)
{
    uint64_t z = (p->s += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double unit(struct prng *p)
{
    return (double)(next_u64(p) >> 11) / 9007199254740992.0;
}

static double between(struct prng *p, double lo, double hi)
{
    return lo + (hi - lo) * unit(p);
}

static bool chance(struct prng *p, double probability)
{
    return unit(p) < probability;
}

static const char *pick(struct prng *p, const char *const *list, size_t n)
{
    return list[next_u64(p) % n];
}

#define PICK(p, list) pick((p), (list), ACC_ARRAY_LEN(list))

/* ---- what the demo's services are asked for, and what people write ---- */

static const char *const customers[] = {
    "Nordwind Logistik GmbH", "Alvarez & Hijos S.L.",    "Baltic Timber AB",
    "Castell Foods Ltd",      "Dunmore Engineering",     "Eriksen Marine A/S",
    "Fonteyn Retail B.V.",    "Greystone Builders",      "Hallberg Apotek",
    "Isola Ceramiche S.p.A.", "Jansen Bouwmaterialen",   "Kowalczyk Meble",
    "Lumen Lighting Ltd",     "Moreau Viticulture SARL", "Northgate Clinics",
    "Oakridge Hotels",        "Petrescu Agro SRL",       "Quayside Cafés",
    "Rossi Tessuti S.r.l.",   "Svensson Cykel AB",       "Tallinn Print OÜ",
    "Ueda Trading Co.",       "Vasquez Distribuidora",   "Whitfield Schools Trust"};
static const char *const newcomers[] = {
    "Anna Keller", "Ben Okoro",    "Carla Mendes", "David Brandt", "Elif Aydin",
    "Finn Larsen", "Grace Murphy", "Hiro Tanaka",  "Ines Duarte",  "Jonas Weber",
    "Kira Novak",  "Luca Ferraro", "Maja Berg",    "Nils Ahlgren", "Olga Petrenko",
    "Pablo Ruiz",  "Rania Haddad", "Sven Olsen",   "Tamara Ilic",  "Uma Krishnan"};
static const char *const apps[] = {"the CRM",
                                   "the order portal",
                                   "the returns tool",
                                   "the shared drive 'Customer Cases'",
                                   "the support@ mailbox",
                                   "the knowledge base",
                                   "the telephony console",
                                   "the invoicing archive",
                                   "the loyalty back office"};
static const char *const cities[] = {"Hamburg", "Lyon",   "Gdańsk", "Rotterdam", "Milan",
                                     "Leeds",   "Aarhus", "Porto",  "Graz",      "Bilbao"};
static const char *const roles[] = {"analyst", "account manager", "service agent", "engineer",
                                    "planner", "warehouse lead",  "designer"};
static const char *const products[] = {"the spring garden range",  "the new espresso line",
                                       "the kids' winter jackets", "the eco cleaning bundle",
                                       "the summer grill sets",    "the back-to-school packs"};

/* One service's requests: how many, their titles, and the conversation around them. */
struct profile {
    const char *service; /* as contract_demo.c names it */
    const char *prefix;  /* of external ids */
    int count;           /* requests over the demo's weeks (per contract) */
    int kind;            /* which title template */
    const char *const *ack;
    const char *const *ask;
    const char *const *answer;
    const char *const *done;
    const char *const *note;
};

static const char *const ack_generic[] = {"Thanks, we have it and are on it.",
                                          "Received; we will come back to you shortly.",
                                          "Picked up, working on it now.", NULL};
static const char *const ask_credit[] = {
    "Could you send the customer's company registration number?",
    "We need the expected order volume for the first year before we can score this.",
    "The VAT number does not match the company name: which one is right?", NULL};
static const char *const answer_generic[] = {
    "Here it is, sorry for the delay.", "Attached what you asked for.",
    "Done, see the details in the form now.", "Answered in the shared folder.", NULL};
static const char *const done_credit[] = {
    "Approved with a credit limit of 50,000 EUR and 30 days' terms.",
    "Approved, limit 20,000 EUR; prepayment for anything above.",
    "Declined for now: two unpaid judgements last year. Prepayment only.", NULL};
static const char *const note_credit[] = {"Credit bureau is slow today, chased them.",
                                          "Second opinion asked from Fiona.", NULL};
static const char *const ask_onboarding[] = {
    "We still need the signed offer letter before payroll can set anything up.",
    "Which start date is confirmed? The form and the offer differ.",
    "Please tell us the cost centre for the new colleague.", NULL};
static const char *const done_onboarding[] = {
    "Contract signed, payroll set up, induction booked for the first Monday.",
    "All set: badge, payroll and the welcome day are ready.", NULL};
static const char *const note_onboarding[] = {"Waiting on the signed contract from the candidate.",
                                              "Induction room double-booked, moved to B2.", NULL};
static const char *const ask_access[] = {"Which role in the application does the colleague need?",
                                         "Can you confirm the manager approves this access?",
                                         "Read-only or read-write? The form says both.", NULL};
static const char *const done_access[] = {"Access granted; the colleague can sign in now.",
                                          "Done. Password reset link sent to the colleague.",
                                          "Added to the group; it takes effect at next sign-in.",
                                          NULL};
static const char *const ask_laptop[] = {"Which keyboard layout, and which office?",
                                         "Standard 14-inch, or does the role need the 16-inch?",
                                         "Who collects it: the colleague or the manager?", NULL};
static const char *const done_laptop[] = {"Laptop imaged and ready for pick-up at the IT desk.",
                                          "Shipped to the branch with the courier, arriving today.",
                                          NULL};
static const char *const note_it[] = {"Licence pool was empty, bought two more seats.",
                                      "Vendor shipment delayed by a day.", NULL};
static const char *const ask_delivery[] = {
    "The delivery address has no postcode: can you complete it?",
    "Who is the contact on site for the driver?",
    "The order weighs over 2 t: does the site have a forklift?", NULL};
static const char *const done_delivery[] = {
    "Slot booked for Tuesday 08:00-10:00, confirmed with the carrier.",
    "Booked for Thursday morning; the driver calls ahead.",
    "Slot confirmed, tracking link sent to the customer.", NULL};
static const char *const note_delivery[] = {"Carrier short of drivers this week.",
                                            "Combined with another drop in the same area.", NULL};
static const char *const ask_brief[] = {"Which volumes per product do you expect in week one?",
                                        "Is the launch date final? Production needs four weeks.",
                                        NULL};
static const char *const done_brief[] = {"Planned: production slots reserved for the campaign.",
                                         "Volumes confirmed with the plant; stock will be ready.",
                                         NULL};
static const char *const note_brief[] = {"Line 2 maintenance overlaps, checking alternatives.",
                                         NULL};

static const struct profile profiles[] = {
    {"Credit check", "FIN-CR", 70, 0, ack_generic, ask_credit, answer_generic, done_credit,
     note_credit},
    {"New-hire onboarding", "HR-ON", 7, 1, ack_generic, ask_onboarding, answer_generic,
     done_onboarding, note_onboarding},
    {"Laptop request", "IT-LP", 45, 2, ack_generic, ask_laptop, answer_generic, done_laptop,
     note_it},
    {"Access request", "IT-AC", 80, 3, ack_generic, ask_access, answer_generic, done_access,
     note_it},
    {"Delivery scheduling", "ST-DS", 60, 4, ack_generic, ask_delivery, answer_generic,
     done_delivery, note_delivery},
    {"Campaign brief", "MK-CB", 15, 5, ack_generic, ask_brief, answer_generic, done_brief,
     note_brief},
};

/* One line of a NULL-terminated list. */
static const char *say(struct prng *p, const char *const *list)
{
    size_t n = 0;

    while (list[n])
        n++;
    return list[next_u64(p) % n];
}

static const char *title_of(struct prng *p, const struct profile *pf, struct acc_arena *arena)
{
    switch (pf->kind) {
    case 0:
        return acc_arena_printf(arena, "Credit check for %s (first order %d,000 EUR)",
                                PICK(p, customers), 5 + (int)(next_u64(p) % 60));
    case 1:
        return acc_arena_printf(arena, "Onboarding: %s, %s", PICK(p, newcomers), PICK(p, roles));
    case 2:
        return chance(p, 0.3)
                   ? acc_arena_printf(arena, "Replacement laptop for %s: broken screen",
                                      PICK(p, newcomers))
                   : acc_arena_printf(arena, "Laptop for new sales rep %s", PICK(p, newcomers));
    case 3:
        return acc_arena_printf(arena, "Access to %s for %s", PICK(p, apps), PICK(p, newcomers));
    case 4:
        return acc_arena_printf(arena, "Delivery slot for order SO-%05d (%s)",
                                10000 + (int)(next_u64(p) % 90000), PICK(p, cities));
    default:
        return acc_arena_printf(arena, "Campaign brief: %s", PICK(p, products));
    }
}

/* ---- the lives ---- */

/* A version of a contract: when it was in force and what it promised. */
struct demo_version {
    int64_t from, to;
    int64_t response_secs, resolution_secs;
    struct calendar cal;
};

struct demo_contract {
    int64_t id;
    const struct profile *pf;
    const char *provider_email; /* the service's point person: the provider's voice */
    const char *people[DEMO_PEOPLE];
    int n_people;
    struct demo_version v[DEMO_VERSIONS];
    int n_versions;
};

/* The instant secs business seconds after from on cal (from itself when the engine fails). */
static int64_t later(const struct calendar *cal, int64_t from, int64_t secs)
{
    struct acc_err e;
    int64_t at = from;

    if (calendar_due(cal, from, secs, &at, &e))
        at = from + secs;
    return at;
}

struct comment {
    int64_t at;
    bool internal;
    const char *author;
    const char *text;
};

/* Appends s to b as one RFC 4180 field: quoted, quotes doubled. */
static void csv_field(struct acc_buf *b, const char *s, bool last)
{
    acc_buf_adds(b, "\"");
    for (; *s; s++) {
        if (*s == '"')
            acc_buf_adds(b, "\"");
        acc_buf_add(b, s, 1);
    }
    acc_buf_adds(b, last ? "\"\r\n" : "\",");
}

static void csv_time(struct acc_buf *b, int64_t t)
{
    char s[21];

    acc_time_format(t, s);
    acc_buf_adds(b, s);
}

static int by_instant(const void *a, const void *b)
{
    const struct comment *x = a, *y = b;

    return x->at < y->at ? -1 : x->at > y->at;
}

/*
 * One request's life in business time on its version's calendar: a response after a share
 * of the response target (late now and then), waits on the consumer (some for missing
 * information), a resolution after a share of the resolution target (late for one in
 * three, very late for one in ten, so that escalation levels fire), now and then a
 * reopening, and an acceptance, or none (it then closes itself). What lies after now is
 * left out: those requests are still open.
 */
static void demo_life(struct prng *p, const struct demo_contract *dc, int seq, int64_t now,
                      struct acc_buf *b, struct acc_arena *arena)
{
    const struct profile *pf = dc->pf;
    const struct demo_version *v = NULL;
    const char *requester = dc->people[next_u64(p) % (uint64_t)dc->n_people];
    struct comment comments[12];
    int nc = 0, n_waits = chance(p, 0.3) ? (chance(p, 0.25) ? 2 : 1) : 0;
    int64_t created, first, resolved = 0, reopened = 0, resolved2 = 0, closed = 0;
    int64_t wait_at[2][2] = {{0, 0}, {0, 0}};
    bool missing[2] = {false, false};
    double r_share, d_share;
    int64_t pause_total = 0, r_secs, d_secs;
    struct acc_buf waits;

    /* Raised at a business instant of the last weeks, under the version then in force. */
    created = now - (int64_t)between(p, 2 * HOUR, DEMO_DAYS * DAY);
    for (int i = 0; i < dc->n_versions; i++)
        if (dc->v[i].from <= created && (!dc->v[i].to || created < dc->v[i].to))
            v = &dc->v[i];
    if (!v)
        return;
    created = later(&v->cal, created, (int64_t)between(p, 0, 3 * HOUR));
    if (created > now - HOUR)
        return;
    r_share = chance(p, 0.15) ? between(p, 1.05, 2.0) : between(p, 0.05, 0.9);
    d_share = chance(p, 0.1)    ? between(p, 1.55, 2.5)
              : chance(p, 0.25) ? between(p, 1.0, 1.45)
                                : between(p, 0.2, 0.95);
    r_secs = (int64_t)(r_share * (double)v->response_secs);
    d_secs = (int64_t)(d_share * (double)v->resolution_secs);
    if (d_secs <= r_secs)
        d_secs = r_secs + 30 * 60;
    first = later(&v->cal, created, r_secs);
    comments[nc++] = (struct comment){first, false, dc->provider_email, say(p, pf->ack)};
    for (int w = 0; w < n_waits; w++) {
        /* Waits come after the response, before the resolution, one after the other. */
        int64_t span = (d_secs - r_secs) / n_waits;

        missing[w] = chance(p, 0.6);
        int64_t at = r_secs + span * w + (int64_t)(between(p, 0.1, 0.8) * (double)span);
        int64_t len = (int64_t)between(p, 0.5 * HOUR, missing[w] ? 24 * HOUR : 8 * HOUR);

        wait_at[w][0] = later(&v->cal, created, at + pause_total);
        wait_at[w][1] = later(&v->cal, created, at + pause_total + len);
        pause_total += len;
        comments[nc++] =
            (struct comment){wait_at[w][0], false, dc->provider_email, say(p, pf->ask)};
        comments[nc++] = (struct comment){wait_at[w][1], false, requester, say(p, pf->answer)};
    }
    if (chance(p, 0.4))
        comments[nc++] =
            (struct comment){later(&v->cal, created, (r_secs + d_secs) / 2 + pause_total), true,
                             dc->provider_email, say(p, pf->note)};
    resolved = later(&v->cal, created, d_secs + pause_total);
    comments[nc++] = (struct comment){resolved, false, dc->provider_email, say(p, pf->done)};
    if (chance(p, 0.08)) {
        reopened = later(&v->cal, resolved, (int64_t)between(p, HOUR, 16 * HOUR));
        comments[nc++] = (struct comment){reopened, false, requester,
                                          "Reopening: this is not what we asked for, see above."};
        resolved2 = later(&v->cal, reopened, (int64_t)between(p, HOUR, 8 * HOUR));
        comments[nc++] = (struct comment){resolved2, false, dc->provider_email,
                                          "Sorry about that; corrected now."};
    }
    if (chance(p, 0.65))
        closed = later(&v->cal, resolved2 ? resolved2 : resolved,
                       (int64_t)between(p, 0.5 * HOUR, 24 * HOUR));

    /* Nothing of the future: a life cut at now is a request still open. */
    if (first > now)
        first = 0;
    if (resolved > now)
        resolved = 0;
    if (!resolved || reopened > now)
        reopened = resolved2 = 0;
    if (resolved2 > now)
        resolved2 = 0;
    if ((reopened && !resolved2) || !resolved || closed > now)
        closed = 0;
    acc_buf_init(&waits);
    for (int w = 0; w < n_waits && wait_at[w][0] <= now; w++) {
        if (w)
            acc_buf_adds(&waits, ";");
        if (missing[w])
            acc_buf_adds(&waits, "missing:");
        csv_time(&waits, wait_at[w][0]);
        acc_buf_adds(&waits, "/");
        if (wait_at[w][1] <= now)
            csv_time(&waits, wait_at[w][1]);
        else
            resolved = reopened = resolved2 = closed = 0; /* still waiting */
    }

    acc_buf_addf(b, "%lld,", (long long)dc->id);
    csv_field(b, acc_arena_printf(arena, "%s-%04d", pf->prefix, seq), false);
    csv_field(b, title_of(p, pf, arena), false);
    csv_field(b, requester, false);
    csv_time(b, created);
    acc_buf_adds(b, ",");
    if (first)
        csv_time(b, first);
    acc_buf_adds(b, ",");
    csv_field(b, waits.buf, false);
    if (resolved)
        csv_time(b, resolved);
    if (resolved2) {
        acc_buf_adds(b, ";");
        csv_time(b, resolved2);
    }
    acc_buf_adds(b, ",");
    if (reopened)
        csv_time(b, reopened);
    acc_buf_adds(b, ",");
    if (closed)
        csv_time(b, closed);
    acc_buf_adds(b, ",");
    acc_buf_release(&waits);
    {
        struct acc_buf text;
        int64_t last = closed ? closed : now;

        acc_buf_init(&text);
        qsort(comments, (size_t)nc, sizeof(comments[0]), by_instant);
        for (int i = 0; i < nc; i++) {
            if (comments[i].at > now || comments[i].at > last || comments[i].at < created)
                continue;
            /* The provider speaks once it has answered; nothing is said past a still-open wait. */
            if (!first && comments[i].author == dc->provider_email)
                continue;
            if (text.len)
                acc_buf_adds(&text, "\n");
            if (comments[i].internal)
                acc_buf_adds(&text, "internal:");
            csv_time(&text, comments[i].at);
            acc_buf_addf(&text, " %s %s", comments[i].author, comments[i].text);
        }
        csv_field(b, text.buf, true);
        acc_buf_release(&text);
    }
}

/* Finds the demo's active contracts, their people, versions and calendars. */
static int demo_contracts(struct store *st, struct calendar_zones *zones, struct acc_arena *arena,
                          struct demo_contract *out, int *n, struct acc_err *err)
{
    struct org_actor sys = org_actor_system("cli: demo");
    struct contract_filter f = {.state = -1, .limit = DEMO_CONTRACTS};
    struct contract *items;
    bool more;
    int count = 0, rc;

    rc = contract_list(st, &sys, &f, arena, &items, n, &more, err);
    for (int i = 0; !rc && i < *n; i++) {
        struct demo_contract *dc = &out[count];
        struct org_person_filter pf = {
            .department_id = items[i].consumer.department.id, .active = 1, .limit = DEMO_PEOPLE};
        struct contract_version *versions;
        struct contract_service s;
        struct org_person *people, point;
        int nv = 0, np = 0;
        bool more_people;

        memset(dc, 0, sizeof(*dc));
        if (!items[i].active_version)
            continue;
        for (size_t k = 0; k < ACC_ARRAY_LEN(profiles); k++)
            if (strcmp(profiles[k].service, items[i].service.name) == 0)
                dc->pf = &profiles[k];
        if (!dc->pf)
            continue;
        dc->id = items[i].id;
        rc = contract_service_get(st, items[i].service.id, arena, &s, err);
        if (!rc)
            rc = org_person_get(st, s.point_person.id, arena, &point, err);
        if (!rc)
            rc = org_person_list(st, &pf, arena, &people, &np, &more_people, err);
        if (!rc)
            rc = contract_version_list(st, &sys, items[i].id, arena, &versions, &nv, err);
        if (rc)
            break;
        dc->provider_email = point.email;
        for (int k = 0; k < np; k++)
            if (!items[i].consumer.person.id || people[k].id == items[i].consumer.person.id)
                dc->people[dc->n_people++] = people[k].email;
        for (int k = 0; !rc && k < nv && dc->n_versions < DEMO_VERSIONS; k++) {
            struct demo_version *v = &dc->v[dc->n_versions];

            if (!versions[k].activated_at)
                continue;
            v->from = versions[k].activated_at;
            v->to = versions[k].superseded_at ? versions[k].superseded_at : versions[k].retired_at;
            v->response_secs = versions[k].terms.response_minutes * 60;
            v->resolution_secs = versions[k].terms.resolution_minutes * 60;
            rc =
                calendar_record_load(st, versions[k].terms.calendar.id, zones, arena, &v->cal, err);
            if (!rc)
                dc->n_versions++;
        }
        if (!rc && dc->n_people && dc->n_versions)
            count++;
    }
    if (!rc)
        *n = count;
    return rc;
}

int request_demo_csv(struct store *st, struct calendar_zones *zones, int64_t now,
                     struct acc_arena *arena, char **out, size_t *len, struct acc_err *err)
{
    struct demo_contract *list = acc_arena_alloc(arena, sizeof(*list) * DEMO_CONTRACTS);
    struct prng p = {DEMO_SEED};
    int seq[ACC_ARRAY_LEN(profiles)] = {0};
    struct acc_buf b;
    int n = 0, rc;

    rc = demo_contracts(st, zones, arena, list, &n, err);
    if (rc)
        return rc;
    acc_buf_init(&b);
    acc_buf_adds(&b, "contract,external_id,title,requester,created,first_response,waiting,"
                     "resolved,reopened,closed,comments\r\n");
    for (int i = 0; i < n; i++) {
        size_t k = (size_t)(list[i].pf - profiles);

        for (int j = 0; j < list[i].pf->count; j++)
            demo_life(&p, &list[i], 1000 + ++seq[k], now, &b, arena);
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < list[i].n_versions; k++)
            calendar_release(&list[i].v[k].cal);
    *out = acc_buf_detach(&b, len);
    return ACC_OK;
}

int request_demo_populate(struct store *st, struct calendar_zones *zones, int64_t now,
                          struct acc_arena *arena, int64_t *added, struct acc_err *err)
{
    struct org_actor sys = org_actor_system("cli: demo");
    struct request_import_options opt = {false, false, &sys, now, NULL, NULL};
    struct request_import_result res = {0};
    size_t len = 0;
    char *csv = NULL;
    int rc;

    rc = contract_demo_backdate(st, now - DEMO_FIRST_DAYS * DAY, now - DEMO_V2_DAYS * DAY, err);
    if (!rc)
        rc = request_demo_csv(st, zones, now, arena, &csv, &len, err);
    if (!rc)
        rc = request_import(st, zones, csv, len, &opt, arena, &res, err);
    free(csv);
    if (!rc && res.refused)
        rc = acc_fail(err, ACC_EBUG, "", "the demo history does not import: %.120s",
                      request_import_bad_text(&res.bad_rows[0], arena));
    if (!rc)
        *added = res.added;
    return rc;
}
