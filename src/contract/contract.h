/* contract.h: the service catalogue, escalation policies, and two-sided, versioned contracts. */
#ifndef ACCORD_CONTRACT_CONTRACT_H
#define ACCORD_CONTRACT_CONTRACT_H

#include "measure/measure.h"
#include "org/org.h"

struct store;

/* Limits on input, stated once and enforced by the contract module. */
#define CONTRACT_NAME_MAX         120  /* bytes of a service's or policy's name */
#define CONTRACT_TEXT_MAX         2000 /* bytes of a description, process, outcome, summary */
#define CONTRACT_NOTE_MAX         500  /* bytes of an expectation's note */
#define CONTRACT_EXPECTATIONS_MAX 16   /* per side of a version */
#define CONTRACT_PRIORITIES_MAX   5
#define CONTRACT_LEVELS_MAX       10 /* escalation levels of a policy */
#define CONTRACT_LEVEL_PEOPLE_MAX 10 /* named people of one level */
#define CONTRACT_PERCENT_MAX      1000
#define CONTRACT_MINUTES_MAX      5256000 /* ten years of business minutes */
#define CONTRACT_WEIGHT_MAX       (1000 * MEASURE_MILLI)
#define CONTRACT_MIN_N_MAX        1000
#define CONTRACT_FACTOR_MIN       (MEASURE_MILLI / 100) /* priorities scale by 0.01 .. 100 */
#define CONTRACT_FACTOR_MAX       (100 * MEASURE_MILLI)

/* ------------------------------------------------------------------------------ services */

struct contract_service {
    int64_t id;
    const char *name;
    const char *description;
    const char *process; /* the business process it serves */
    const char *outcome; /* the external-customer outcome it ultimately serves */
    struct org_ref provider;
    struct org_ref point_person;
    struct org_ref deputy; /* id 0: none */
    bool active;
    int64_t active_contracts;
    int64_t created_at;
    int64_t updated_at;
};

struct contract_service_input {
    bool has_name, has_description, has_process, has_outcome, has_provider, has_point_person,
        has_deputy, has_active;
    const char *name;
    const char *description;
    const char *process;
    const char *outcome;
    int64_t provider_id;
    int64_t point_person_id;
    int64_t deputy_id; /* 0 clears */
    bool active;       /* false retires; refused while the service has active contracts */
};

struct contract_service_filter {
    int64_t provider_id; /* 0: any */
    int active;          /* -1 any, 0 retired, 1 active */
    int64_t after_id;
    int limit;
};

/*
 * Services. Administrators and the head of the provider department create and update
 * them; the point person and deputy must be active people of the provider department and
 * differ. Names are unique per provider regardless of case (ACC_ECONFLICT, "/name").
 * Retiring one with active contracts is ACC_ECONFLICT. Every employee reads them.
 * Results live in the arena. Codes: ACC_OK, ACC_EINVAL (with field), ACC_EPERM,
 * ACC_ENOTFOUND, ACC_ECONFLICT, ACC_ESTORE.
 */
int contract_service_create(struct store *st, const struct org_actor *who,
                            const struct contract_service_input *in, struct acc_arena *arena,
                            struct contract_service *out, struct acc_err *err);
int contract_service_update(struct store *st, const struct org_actor *who, int64_t id,
                            const struct contract_service_input *in, struct acc_arena *arena,
                            struct contract_service *out, struct acc_err *err);
int contract_service_get(struct store *st, int64_t id, struct acc_arena *arena,
                         struct contract_service *out, struct acc_err *err);
/* Finds a service by id (digits) or by name (ACC_ECONFLICT when two providers share it). */
int contract_service_find(struct store *st, const char *id_or_name, struct acc_arena *arena,
                          struct contract_service *out, struct acc_err *err);
int contract_service_list(struct store *st, const struct contract_service_filter *f,
                          struct acc_arena *arena, struct contract_service **items, int *n,
                          bool *more, struct acc_err *err);

/* -------------------------------------------------------------------- escalation policies */

enum contract_clock { CONTRACT_RESPONSE = 0, CONTRACT_RESOLUTION };

/* Whom a level notifies, as a bit set (stored as it is). */
enum {
    CONTRACT_NOTIFY_POINT_PERSON = 1,
    CONTRACT_NOTIFY_DEPUTY = 2,
    CONTRACT_NOTIFY_PROVIDER_HEAD = 4,
    CONTRACT_NOTIFY_CONSUMER_HEAD = 8,
    CONTRACT_NOTIFY_ALL = 15
};

enum contract_reassign {
    CONTRACT_REASSIGN_NONE = 0,
    CONTRACT_REASSIGN_DEPUTY,
    CONTRACT_REASSIGN_PROVIDER_HEAD
};

struct contract_level {
    enum contract_clock clock;
    int percent; /* of the clock's business-time target, 1 .. CONTRACT_PERCENT_MAX */
    unsigned notify;
    struct org_ref *people; /* named people notified besides the roles */
    int n_people;
    bool raise_priority;
    enum contract_reassign reassign;
};

struct contract_policy {
    int64_t id;
    const char *name;
    struct org_ref department; /* its owner; id 0: the organisation's */
    struct contract_level *levels;
    int n_levels;
    int64_t created_at;
    int64_t updated_at;
};

struct contract_policy_input {
    bool has_name, has_department, has_levels;
    const char *name;
    int64_t department_id;
    struct contract_level *levels; /* people[i].id are read; names ignored */
    int n_levels;
};

/*
 * Policies. Administrators manage all; a head manages the policies their department owns.
 * A policy has 1 .. CONTRACT_LEVELS_MAX levels, ordered: within one clock the percentages
 * rise strictly. Each level notifies at least one role or person; named people are active.
 * Deleting a policy still in use (a department default or a draft) is ACC_ECONFLICT;
 * versions whose terms froze keep their own copy of the levels.
 */
int contract_policy_create(struct store *st, const struct org_actor *who,
                           const struct contract_policy_input *in, struct acc_arena *arena,
                           struct contract_policy *out, struct acc_err *err);
int contract_policy_update(struct store *st, const struct org_actor *who, int64_t id,
                           const struct contract_policy_input *in, struct acc_arena *arena,
                           struct contract_policy *out, struct acc_err *err);
int contract_policy_delete(struct store *st, const struct org_actor *who, int64_t id,
                           struct acc_arena *arena, struct acc_err *err);
int contract_policy_get(struct store *st, int64_t id, struct acc_arena *arena,
                        struct contract_policy *out, struct acc_err *err);
int contract_policy_list(struct store *st, int64_t after_id, int limit, struct acc_arena *arena,
                         struct contract_policy **items, int *n, bool *more, struct acc_err *err);
/* A department's default policy: *out->id is 0 when it has none. */
int contract_policy_default_get(struct store *st, int64_t department_id, struct acc_arena *arena,
                                struct contract_policy *out, struct acc_err *err);
/*
 * Sets (policy_id > 0) or clears (0) a department's default. Administrators, or the
 * department's head; the policy must be the organisation's or the department's own.
 */
int contract_policy_default_set(struct store *st, const struct org_actor *who,
                                int64_t department_id, int64_t policy_id, struct acc_arena *arena,
                                struct contract_policy *out, struct acc_err *err);

/* ----------------------------------------------------------------------------- contracts */

enum contract_state {
    CONTRACT_DRAFT = 0,
    CONTRACT_PROPOSED,
    CONTRACT_AGREED,
    CONTRACT_ACTIVE,
    CONTRACT_SUPERSEDED,
    CONTRACT_RETIRED
};
const char *contract_state_name(enum contract_state s);
int contract_state_parse(const char *s, enum contract_state *out);

/* One side of a contract: a department, or a named person of it. */
struct contract_side {
    struct org_ref department;
    struct org_ref person; /* id 0: the department as a whole */
};

struct contract_version_brief {
    int number;
    enum contract_state state;
    int64_t activated_at; /* 0: never in force */
};

struct contract {
    int64_t id;
    struct org_ref service;
    int64_t service_point_person_id;
    struct contract_side provider;
    struct contract_side consumer;
    bool formal;
    /* active when a version is, else the latest version's state */
    enum contract_state state;
    int active_version; /* 0: none */
    int latest_version;
    struct contract_version_brief *versions; /* visible ones, oldest first */
    int n_versions;
    int64_t created_at;
    int64_t updated_at;
};

struct contract_expectation {
    enum measure_side side;
    const struct measure_def *measure;
    int64_t target; /* milli */
    int64_t weight; /* milli, inside its group */
    const char *note;
};

struct contract_priority {
    const char *name;
    int64_t factor; /* milli: both clock targets are multiplied by it */
    bool is_default;
};

/* The terms of a version: what is proposed, signed and measured. */
struct contract_terms {
    const char *summary;
    struct org_ref calendar;
    struct org_ref policy; /* id 0: the provider department's default */
    int64_t response_minutes;
    int64_t resolution_minutes;
    int64_t weights[MEASURE_GROUPS]; /* milli, by enum measure_group */
    int min_n;
    const char *review_cadence;                /* monthly, quarterly, semiannual, annual */
    const char *measure_period;                /* month, quarter */
    struct contract_expectation *expectations; /* provider side first, each in its order */
    int n_expectations;
    struct contract_priority *priorities;
    int n_priorities;
};

/* An edit of a draft's terms: only fields whose has_ flag is set change; lists replace. */
struct contract_terms_input {
    bool has_summary, has_calendar, has_policy, has_response, has_resolution, has_weights,
        has_min_n, has_review_cadence, has_measure_period, has_expectations[2], has_priorities;
    struct contract_terms terms; /* calendar.id and policy.id are read; names ignored */
};

struct contract_signature {
    enum measure_side side;
    struct org_ref person;
    int64_t signed_at;
};

struct contract_version {
    int64_t id;
    int64_t contract_id;
    int number;
    enum contract_state state;
    int based_on; /* 0: none */
    struct contract_terms terms;
    /* The escalation in force: its source is "contract", "department" or "none". */
    const char *escalation_source;
    struct org_ref escalation_policy;
    bool escalation_frozen; /* levels copied when the terms froze */
    struct contract_level *levels;
    int n_levels;
    struct contract_signature signatures[2];
    int n_signatures;
    struct org_ref created_by, proposed_by, activated_by, retired_by;
    int64_t created_at, updated_at, proposed_at, agreed_at, activated_at, superseded_at, retired_at;
};

/* A new contract and its first draft version. */
struct contract_create_input {
    int64_t service_id;
    int64_t provider_person_id;     /* 0: the provider department */
    int64_t consumer_department_id; /* 0: the consumer person's department */
    int64_t consumer_person_id;     /* 0: the consumer department */
    bool formal;
    struct contract_terms_input terms; /* calendar, both clock targets are required */
};

struct contract_filter {
    int64_t provider_id; /* department; 0: any */
    int64_t consumer_id;
    int64_t service_id;
    int state; /* -1: any; else contracts with a visible version in that state */
    int64_t after_id;
    int limit;
};

/*
 * Contracts. Who may do what (contract_rules.c):
 * - read: versions that are or were in force (and contracts that have one) every
 *   employee; other versions only the two sides' departments and administrators. Anything the
 *   actor may not see is ACC_ENOTFOUND, never ACC_EPERM.
 * - create, edit a draft, propose, start a new version, activate, retire: administrators,
 *   the provider's head, the service's point person, the consumer's head, and a side's
 *   named person.
 * - sign: the provider side by its head, the service's point person or its named person;
 *   the consumer side by its head or its named person. side 0 picks the one side the
 *   actor may sign for (ACC_EINVAL "/side" when both).
 * States: draft -> proposed -> agreed -> active -> superseded | retired for formal
 * contracts; draft -> active for informal ones; any version not yet active may be retired
 * (withdrawn). A contract has at most one version in draft, proposed or agreed at a time
 * and at most one active. Wrong states are ACC_ECONFLICT. Every change is audited.
 */
int contract_create(struct store *st, const struct org_actor *who,
                    const struct contract_create_input *in, struct acc_arena *arena,
                    struct contract *out, struct acc_err *err);
int contract_get(struct store *st, const struct org_actor *who, int64_t id, struct acc_arena *arena,
                 struct contract *out, struct acc_err *err);
int contract_list(struct store *st, const struct org_actor *who, const struct contract_filter *f,
                  struct acc_arena *arena, struct contract **items, int *n, bool *more,
                  struct acc_err *err);

int contract_version_get(struct store *st, const struct org_actor *who, int64_t contract_id,
                         int number, struct acc_arena *arena, struct contract_version *out,
                         struct acc_err *err);
/*
 * The terms a request binds to (priorities and escalation levels, not expectations or
 * signatures) of version number of c, whoever may see it.
 */
int contract_version_binding(struct store *st, const struct contract *c, int number,
                             struct acc_arena *arena, struct contract_version *out,
                             struct acc_err *err);
/* The same for a contract the caller has just read with contract_get() as the same actor. */
int contract_version_of(struct store *st, const struct org_actor *who, const struct contract *c,
                        int number, struct acc_arena *arena, struct contract_version *out,
                        struct acc_err *err);
/* The versions the actor may see, oldest first. */
int contract_version_list(struct store *st, const struct org_actor *who, int64_t contract_id,
                          struct acc_arena *arena, struct contract_version **items, int *n,
                          struct acc_err *err);
/* Starts a draft prefilled from version from (0: the latest visible one). */
int contract_version_new(struct store *st, const struct org_actor *who, int64_t contract_id,
                         int from, struct acc_arena *arena, struct contract_version *out,
                         struct acc_err *err);
int contract_version_update(struct store *st, const struct org_actor *who, int64_t contract_id,
                            int number, const struct contract_terms_input *in,
                            struct acc_arena *arena, struct contract_version *out,
                            struct acc_err *err);

enum contract_action {
    CONTRACT_PROPOSE = 0,
    CONTRACT_SIGN,
    CONTRACT_ACTIVATE,
    CONTRACT_RETIRE,
    CONTRACT_EDIT
};
const char *contract_action_name(enum contract_action a);

/* Runs propose, sign, activate or retire on a version; side is for sign (0: inferred). */
int contract_version_act(struct store *st, const struct org_actor *who, int64_t contract_id,
                         int number, enum contract_action action, enum measure_side side,
                         struct acc_arena *arena, struct contract_version *out,
                         struct acc_err *err);

/*
 * The pure rules (contract_rules.c), for the functions above and for tests.
 * contract_next_state: the state a version in from moves to on action, or ACC_ECONFLICT
 * with a message that says what would be allowed. For sign, signed_before is the number of
 * signatures before this one (a version becomes agreed with the second).
 */
int contract_next_state(enum contract_state from, enum contract_action action, bool formal,
                        int signed_before, enum contract_state *to, struct acc_err *err);
/*
 * Whether a version is public: it is or was in force (active, superseded, or retired after
 * being active, which activated_at tells). Terms that were ever in force are transparent.
 */
bool contract_version_public(enum contract_state state, int64_t activated_at);
/* Whether who may see a version of contract c that is public or not. */
bool contract_may_see(const struct contract *c, const struct org_actor *who, bool public_version);
/* Whether who may create, edit, propose, activate or retire versions of c (ACC_EPERM). */
int contract_may_manage(const struct contract *c, const struct org_actor *who, struct acc_err *err);
/* The sides who may sign for, as a bit set of enum measure_side. */
unsigned contract_signing_sides(const struct contract *c, const struct org_actor *who);
/*
 * Checks terms for consistency: the measure of each expectation belongs to its side,
 * appears once per side, its target is in range and its weight in 0 .. CONTRACT_WEIGHT_MAX;
 * every group with an expectation has a positive weight and measure weights not all zero;
 * clock targets 0 .. CONTRACT_MINUTES_MAX; priorities named once with one default.
 * ACC_EINVAL with the field (e.g. "/expectations/provider/2/target").
 */
int contract_terms_check(const struct contract_terms *t, struct acc_err *err);
/* Checks what a version needs before it is proposed or activated: an expectation. */
int contract_terms_complete(const struct contract_terms *t, struct acc_err *err);

/*
 * The terms in plain language, one sentence each ("Finance answers credit checks within
 * 4 business hours."): an arena array of *n strings.
 */
const char **contract_terms_text(const struct contract *c, const struct contract_version *v,
                                 struct acc_arena *arena, int *n);

/*
 * Creates the demo catalogue inside the caller's transaction, after the organisation and
 * calendars: services of the seed articles' interfaces and contracts in every state.
 */
int contract_demo_populate(struct store *st, const struct org_actor *who, struct acc_arena *arena,
                           struct acc_err *err);

/*
 * Gives the demo contracts a past, for the demo's request history: the first version that
 * came in force of each contract is moved back to come in force at first_at, a later one at
 * later_at (superseding the one before then), each with its other instants (created,
 * proposed, agreed, signatures) moved by as much. Inside the caller's transaction, right
 * after contract_demo_populate(); the audit log keeps the instants things really happened.
 */
int contract_demo_backdate(struct store *st, int64_t first_at, int64_t later_at,
                           struct acc_err *err);

#endif
