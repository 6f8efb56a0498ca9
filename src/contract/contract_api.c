/* contract_api.c: HTTP handlers for /api/v1/contracts, their versions, and escalation policies. */
#include "base/acc.h"
#include "contract/contract_api.h"
#include "jx/jx.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const clock_names[] = {"response", "resolution"};
static const char *const reassign_names[] = {NULL, "deputy", "provider_head"};
static const struct {
    unsigned bit;
    const char *name;
} notify_names[] = {
    {CONTRACT_NOTIFY_POINT_PERSON, "point_person"},
    {CONTRACT_NOTIFY_DEPUTY, "deputy"},
    {CONTRACT_NOTIFY_PROVIDER_HEAD, "provider_head"},
    {CONTRACT_NOTIFY_CONSUMER_HEAD, "consumer_head"},
};

/* ---- JSON forms ---- */

static json_t *side_json(const struct contract_side *s)
{
    return json_pack("{s:o,s:o}", "department", jx_ref(s->department.id, s->department.name),
                     "person", jx_ref(s->person.id, s->person.name));
}

json_t *contract_to_json(const struct contract *c)
{
    json_t *versions = json_array();

    for (int i = 0; i < c->n_versions; i++)
        json_array_append_new(versions,
                              json_pack("{s:i,s:s}", "number", c->versions[i].number, "state",
                                        contract_state_name(c->versions[i].state)));
    return json_pack("{s:I,s:o,s:o,s:o,s:b,s:s,s:o,s:i,s:o,s:o,s:o}", "id", (json_int_t)c->id,
                     "service", jx_ref(c->service.id, c->service.name), "provider",
                     side_json(&c->provider), "consumer", side_json(&c->consumer), "formal",
                     c->formal, "state", contract_state_name(c->state), "active_version",
                     c->active_version ? json_integer(c->active_version) : json_null(),
                     "latest_version", c->latest_version, "versions", versions, "created_at",
                     jx_time(c->created_at), "updated_at", jx_time(c->updated_at));
}

static json_t *levels_json(const struct contract_level *levels, int n)
{
    json_t *arr = json_array();

    for (int i = 0; i < n; i++) {
        const struct contract_level *l = &levels[i];
        json_t *notify = json_array(), *people = json_array();

        for (size_t k = 0; k < ACC_ARRAY_LEN(notify_names); k++)
            if (l->notify & notify_names[k].bit)
                json_array_append_new(notify, json_string(notify_names[k].name));
        for (int p = 0; p < l->n_people; p++)
            json_array_append_new(people, jx_ref(l->people[p].id, l->people[p].name));
        json_array_append_new(arr, json_pack("{s:i,s:s,s:i,s:o,s:o,s:b,s:o}", "level", i + 1,
                                             "clock", clock_names[l->clock], "percent", l->percent,
                                             "notify", notify, "people", people, "raise_priority",
                                             l->raise_priority, "reassign",
                                             jx_str_or_null(reassign_names[l->reassign])));
    }
    return arr;
}

json_t *contract_policy_to_json(const struct contract_policy *p)
{
    return json_pack("{s:I,s:s,s:o,s:o,s:o,s:o}", "id", (json_int_t)p->id, "name", p->name,
                     "department", jx_ref(p->department.id, p->department.name), "levels",
                     levels_json(p->levels, p->n_levels), "created_at", jx_time(p->created_at),
                     "updated_at", jx_time(p->updated_at));
}

static json_t *expectations_json(const struct contract_terms *t, enum measure_side side)
{
    json_t *arr = json_array();

    for (int i = 0; i < t->n_expectations; i++) {
        const struct contract_expectation *e = &t->expectations[i];

        if (e->side != side)
            continue;
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:s,s:b,s:o,s:o,s:s}", "measure", e->measure->name, "group",
                           measure_group_name(e->measure->group), "unit",
                           measure_kind_name(e->measure->kind), "higher_is_better",
                           e->measure->higher_is_better, "target", jx_milli_json(e->target),
                           "weight", jx_milli_json(e->weight), "note", e->note ? e->note : ""));
    }
    return arr;
}

static json_t *signature_json(const struct contract_version *v, enum measure_side side)
{
    for (int i = 0; i < v->n_signatures; i++)
        if (v->signatures[i].side == side)
            return json_pack("{s:o,s:o}", "person",
                             jx_ref(v->signatures[i].person.id, v->signatures[i].person.name),
                             "signed_at", jx_time(v->signatures[i].signed_at));
    return json_null();
}

json_t *contract_version_to_json(const struct contract *c, const struct contract_version *v,
                                 struct acc_arena *arena)
{
    const struct contract_terms *t = &v->terms;
    json_t *priorities = json_array(), *terms = json_array(), *o;
    const char **text;
    int n_text;

    for (int i = 0; i < t->n_priorities; i++)
        json_array_append_new(priorities,
                              json_pack("{s:s,s:o,s:b}", "name", t->priorities[i].name, "factor",
                                        jx_milli_json(t->priorities[i].factor), "default",
                                        t->priorities[i].is_default));
    text = contract_terms_text(c, v, arena, &n_text);
    for (int i = 0; i < n_text; i++)
        json_array_append_new(terms, json_string(text[i]));
    o = json_pack(
        "{s:I,s:i,s:s,s:o,s:b,s:s,s:o,s:I,s:I,s:o,s:{s:o,s:o,s:o},s:i,s:s,s:s}", "contract_id",
        (json_int_t)v->contract_id, "number", v->number, "state", contract_state_name(v->state),
        "based_on", v->based_on ? json_integer(v->based_on) : json_null(), "formal", c->formal,
        "summary", t->summary ? t->summary : "", "calendar",
        jx_ref(t->calendar.id, t->calendar.name), "response_minutes",
        (json_int_t)t->response_minutes, "resolution_minutes", (json_int_t)t->resolution_minutes,
        "priorities", priorities, "weights", "task", jx_milli_json(t->weights[MEASURE_TASK]),
        "relationship", jx_milli_json(t->weights[MEASURE_RELATIONSHIP]), "learning",
        jx_milli_json(t->weights[MEASURE_LEARNING]), "min_n", t->min_n, "review_cadence",
        t->review_cadence, "measure_period", t->measure_period);
    json_object_set_new(o, "expectations",
                        json_pack("{s:o,s:o}", "provider", expectations_json(t, MEASURE_PROVIDER),
                                  "consumer", expectations_json(t, MEASURE_CONSUMER)));
    json_object_set_new(o, "escalation_policy", jx_ref(t->policy.id, t->policy.name));
    json_object_set_new(o, "escalation",
                        json_pack("{s:s,s:o,s:b,s:o}", "source", v->escalation_source, "policy",
                                  jx_ref(v->escalation_policy.id, v->escalation_policy.name),
                                  "frozen", v->escalation_frozen, "levels",
                                  levels_json(v->levels, v->n_levels)));
    json_object_set_new(o, "signatures",
                        json_pack("{s:o,s:o}", "provider", signature_json(v, MEASURE_PROVIDER),
                                  "consumer", signature_json(v, MEASURE_CONSUMER)));
    json_object_set_new(o, "terms", terms);
    json_object_set_new(o, "created_by", jx_ref(v->created_by.id, v->created_by.name));
    json_object_set_new(o, "created_at", jx_time(v->created_at));
    json_object_set_new(o, "updated_at", jx_time(v->updated_at));
    json_object_set_new(o, "proposed_by", jx_ref(v->proposed_by.id, v->proposed_by.name));
    json_object_set_new(o, "proposed_at", jx_time(v->proposed_at));
    json_object_set_new(o, "agreed_at", jx_time(v->agreed_at));
    json_object_set_new(o, "activated_by", jx_ref(v->activated_by.id, v->activated_by.name));
    json_object_set_new(o, "activated_at", jx_time(v->activated_at));
    json_object_set_new(o, "superseded_at", jx_time(v->superseded_at));
    json_object_set_new(o, "retired_by", jx_ref(v->retired_by.id, v->retired_by.name));
    json_object_set_new(o, "retired_at", jx_time(v->retired_at));
    return o;
}

/* ---- reading terms ---- */

static int read_expectations(json_t *arr, enum measure_side side, struct contract_terms *t,
                             struct acc_arena *arena, struct acc_err *err)
{
    const char *sname = measure_side_name(side);
    char at[48];
    size_t i;
    json_t *item;

    snprintf(at, sizeof(at), "/expectations/%s", sname);
    if (!json_is_array(arr))
        return acc_fail(err, ACC_EINVAL, at, "expectations.%s must be an array", sname);
    if (json_array_size(arr) > CONTRACT_EXPECTATIONS_MAX)
        return acc_fail(err, ACC_EINVAL, at, "a side has at most %d expectations",
                        CONTRACT_EXPECTATIONS_MAX);
    json_array_foreach(arr, i, item)
    {
        struct contract_expectation *e = &t->expectations[t->n_expectations];
        const char *measure = NULL;
        bool has_weight = false;
        const struct jx_field fields[] = {
            {"measure", JX_STR, true, 64, &measure, NULL},
            {"target", JX_MILLI, true, 0, &e->target, NULL},
            {"weight", JX_MILLI, false, 0, &e->weight, &has_weight},
            {"note", JX_STR, false, CONTRACT_NOTE_MAX, &e->note, NULL},
        };
        int rc;

        snprintf(at, sizeof(at), "/expectations/%s/%zu", sname, i);
        e->note = "";
        rc = jx_read_at(item, at, fields, ACC_ARRAY_LEN(fields), arena, err);
        if (rc)
            return rc;
        e->side = side;
        e->measure = measure_find(measure);
        if (!e->measure || !(e->measure->sides & side)) {
            snprintf(at + strlen(at), sizeof(at) - strlen(at), "/measure");
            return acc_fail(err, ACC_EINVAL, at,
                            "'%s' is not a measure of the %s side (see /api/v1/measures)", measure,
                            sname);
        }
        if (!has_weight)
            e->weight = MEASURE_MILLI;
        t->n_expectations++;
    }
    return ACC_OK;
}

static int read_priorities(json_t *arr, struct contract_terms *t, struct acc_arena *arena,
                           struct acc_err *err)
{
    size_t i;
    json_t *item;

    if (!json_is_array(arr))
        return acc_fail(err, ACC_EINVAL, "/priorities", "priorities must be an array");
    if (json_array_size(arr) > CONTRACT_PRIORITIES_MAX)
        return acc_fail(err, ACC_EINVAL, "/priorities", "at most %d priorities",
                        CONTRACT_PRIORITIES_MAX);
    t->priorities = acc_arena_alloc(arena, sizeof(*t->priorities) * CONTRACT_PRIORITIES_MAX);
    json_array_foreach(arr, i, item)
    {
        struct contract_priority *p = &t->priorities[i];
        const struct jx_field fields[] = {
            {"name", JX_STR, true, ORG_NAME_MAX, &p->name, NULL},
            {"factor", JX_MILLI, true, 0, &p->factor, NULL},
            {"default", JX_BOOL, false, 0, &p->is_default, NULL},
        };
        char at[48];
        int rc;

        snprintf(at, sizeof(at), "/priorities/%zu", i);
        rc = jx_read_at(item, at, fields, ACC_ARRAY_LEN(fields), arena, err);
        if (rc)
            return rc;
    }
    t->n_priorities = (int)json_array_size(arr);
    return ACC_OK;
}

/*
 * Reads the terms' fields of obj into in (fields absent stay unset). extra lists further
 * fields the caller reads itself (contract creation).
 */
static int read_terms(json_t *obj, struct contract_terms_input *in, const struct jx_field *extra,
                      size_t n_extra, struct acc_arena *arena, struct acc_err *err)
{
    struct contract_terms *t = &in->terms;
    json_t *weights = NULL, *expectations = NULL, *priorities = NULL;
    int64_t min_n = 0;
    struct jx_field fields[24] = {
        {"summary", JX_STR, false, CONTRACT_TEXT_MAX, &t->summary, &in->has_summary},
        {"calendar_id", JX_ID, false, 0, &t->calendar.id, &in->has_calendar},
        {"escalation_policy_id", JX_ID, false, 0, &t->policy.id, &in->has_policy},
        {"response_minutes", JX_INT, false, 0, &t->response_minutes, &in->has_response},
        {"resolution_minutes", JX_INT, false, 0, &t->resolution_minutes, &in->has_resolution},
        {"weights", JX_ANY, false, 0, &weights, &in->has_weights},
        {"min_n", JX_INT, false, 0, &min_n, &in->has_min_n},
        {"review_cadence", JX_STR, false, 32, &t->review_cadence, &in->has_review_cadence},
        {"measure_period", JX_STR, false, 32, &t->measure_period, &in->has_measure_period},
        {"expectations", JX_ANY, false, 0, &expectations, NULL},
        {"priorities", JX_ANY, false, 0, &priorities, &in->has_priorities},
    };
    size_t n = 11;
    int rc;

    memset(in, 0, sizeof(*in));
    for (size_t i = 0; i < n_extra && n < ACC_ARRAY_LEN(fields); i++)
        fields[n++] = extra[i];
    rc = jx_read(obj, fields, n, arena, err);
    if (rc)
        return rc;
    if (in->has_calendar && !t->calendar.id)
        return acc_fail(err, ACC_EINVAL, "/calendar_id", "a contract needs a calendar");
    if (in->has_min_n) {
        if (min_n < 1 || min_n > CONTRACT_MIN_N_MAX)
            return acc_fail(err, ACC_EINVAL, "/min_n", "min_n must be 1 to %d", CONTRACT_MIN_N_MAX);
        t->min_n = (int)min_n;
    }
    if (weights) {
        const struct jx_field wf[] = {
            {"task", JX_MILLI, true, 0, &t->weights[MEASURE_TASK], NULL},
            {"relationship", JX_MILLI, true, 0, &t->weights[MEASURE_RELATIONSHIP], NULL},
            {"learning", JX_MILLI, true, 0, &t->weights[MEASURE_LEARNING], NULL},
        };

        rc = jx_read_at(weights, "/weights", wf, ACC_ARRAY_LEN(wf), arena, err);
        if (rc)
            return rc;
    }
    if (expectations) {
        json_t *prov, *cons;
        const struct jx_field ef[] = {
            {"provider", JX_ANY, false, 0, &prov, &in->has_expectations[0]},
            {"consumer", JX_ANY, false, 0, &cons, &in->has_expectations[1]},
        };

        rc = jx_read_at(expectations, "/expectations", ef, ACC_ARRAY_LEN(ef), arena, err);
        if (rc)
            return rc;
        t->expectations =
            acc_arena_alloc(arena, sizeof(*t->expectations) * 2 * CONTRACT_EXPECTATIONS_MAX);
        if (in->has_expectations[0])
            rc = read_expectations(prov, MEASURE_PROVIDER, t, arena, err);
        if (!rc && in->has_expectations[1])
            rc = read_expectations(cons, MEASURE_CONSUMER, t, arena, err);
        if (rc)
            return rc;
    }
    if (priorities)
        rc = read_priorities(priorities, t, arena, err);
    return rc;
}

/* ---- contracts ---- */

static int read_state(struct http_ctx *ctx, int *out)
{
    const char *s = http_query(ctx, "state");
    enum contract_state st;

    *out = -1;
    if (!s)
        return ACC_OK;
    if (contract_state_parse(s, &st))
        return acc_fail(&ctx->err, ACC_EINVAL, "/query/state",
                        "state must be draft, proposed, agreed, active, superseded or retired");
    *out = (int)st;
    return ACC_OK;
}

/* What the caller may do with the contract, by the rules of contract_rules.c. */
static json_t *may_json(const struct contract *c, const struct org_actor *who)
{
    unsigned sides = contract_signing_sides(c, who);
    json_t *sign = json_array();

    if (sides & MEASURE_PROVIDER)
        json_array_append_new(sign, json_string("provider"));
    if (sides & MEASURE_CONSUMER)
        json_array_append_new(sign, json_string("consumer"));
    return json_pack("{s:b,s:o}", "manage", contract_may_manage(c, who, NULL) == ACC_OK, "sign",
                     sign);
}

/* The contract with its current version (the active one, else the latest visible one). */
static int contract_full_json(struct http_ctx *ctx, const struct contract *c, json_t **out)
{
    struct contract_version v;
    int number = c->active_version ? c->active_version : c->latest_version;
    int rc;

    rc = contract_version_of(ctx->store, &ctx->principal.actor, c, number, ctx->arena, &v,
                             &ctx->err);
    if (rc)
        return rc;
    *out = contract_to_json(c);
    json_object_set_new(*out, "current", contract_version_to_json(c, &v, ctx->arena));
    json_object_set_new(*out, "may", may_json(c, &ctx->principal.actor));
    return ACC_OK;
}

int contract_api_list(struct http_ctx *ctx)
{
    struct contract_filter f = {0};
    const char *expand = http_query(ctx, "expand");
    struct contract *items;
    struct http_page page;
    json_t *arr;
    bool more;
    int n, rc;

    if (http_page_read(ctx, &page) || http_query_id(ctx, "provider", &f.provider_id) ||
        http_query_id(ctx, "consumer", &f.consumer_id) ||
        http_query_id(ctx, "service", &f.service_id) || read_state(ctx, &f.state))
        return http_reply_err(ctx);
    if (expand && strcmp(expand, "current") != 0)
        return http_reply_fail(ctx, ACC_EINVAL, "/query/expand", "expand takes only 'current'");
    f.after_id = page.after_id;
    f.limit = page.limit;
    if (contract_list(ctx->store, &ctx->principal.actor, &f, ctx->arena, &items, &n, &more,
                      &ctx->err))
        return http_reply_err(ctx);
    arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o;

        if (expand) {
            rc = contract_full_json(ctx, &items[i], &o);
            if (rc) {
                json_decref(arr);
                return http_reply_err(ctx);
            }
        } else {
            o = contract_to_json(&items[i]);
        }
        json_array_append_new(arr, o);
    }
    return http_reply_json(ctx, 200, http_page_json(arr, more, n ? items[n - 1].id : 0));
}

static int reply_contract(struct http_ctx *ctx, int status, const struct contract *c)
{
    json_t *o;

    if (contract_full_json(ctx, c, &o))
        return http_reply_err(ctx);
    if (status == 201)
        http_header_add(ctx, "Location",
                        acc_arena_printf(ctx->arena, "/api/v1/contracts/%lld", (long long)c->id));
    return http_reply_json(ctx, status, o);
}

int contract_api_get(struct http_ctx *ctx)
{
    struct contract c;
    int64_t id;

    if (http_param_id(ctx, 0, &id) ||
        contract_get(ctx->store, &ctx->principal.actor, id, ctx->arena, &c, &ctx->err))
        return http_reply_err(ctx);
    return reply_contract(ctx, 200, &c);
}

int contract_api_create(struct http_ctx *ctx)
{
    struct contract_create_input in = {0};
    bool formal_set = false;
    const struct jx_field extra[] = {
        {"service_id", JX_ID, true, 0, &in.service_id, NULL},
        {"provider_person_id", JX_ID, false, 0, &in.provider_person_id, NULL},
        {"consumer_department_id", JX_ID, false, 0, &in.consumer_department_id, NULL},
        {"consumer_person_id", JX_ID, false, 0, &in.consumer_person_id, NULL},
        {"formal", JX_BOOL, false, 0, &in.formal, &formal_set},
    };
    struct contract c;
    json_t *obj;
    int rc;

    rc = http_body_object(ctx, &obj);
    if (rc)
        return http_reply_err(ctx);
    rc = read_terms(obj, &in.terms, extra, ACC_ARRAY_LEN(extra), ctx->arena, &ctx->err);
    json_decref(obj);
    if (!formal_set)
        in.formal = true;
    if (!rc && !in.service_id)
        rc = acc_fail(&ctx->err, ACC_EINVAL, "/service_id", "service_id is required");
    if (rc || contract_create(ctx->store, &ctx->principal.actor, &in, ctx->arena, &c, &ctx->err))
        return http_reply_err(ctx);
    return reply_contract(ctx, 201, &c);
}

/* ---- versions ---- */

static int version_params(struct http_ctx *ctx, int64_t *contract_id, int *number)
{
    int64_t n;
    int rc = http_param_id(ctx, 0, contract_id);

    if (!rc)
        rc = http_param_id(ctx, 1, &n);
    if (!rc && n > 100000)
        rc = acc_fail(&ctx->err, ACC_ENOTFOUND, "", "no such version");
    if (!rc)
        *number = (int)n;
    return rc;
}

static int reply_version(struct http_ctx *ctx, int status, const struct contract_version *v)
{
    struct contract c;

    if (contract_get(ctx->store, &ctx->principal.actor, v->contract_id, ctx->arena, &c, &ctx->err))
        return http_reply_err(ctx);
    if (status == 201)
        http_header_add(ctx, "Location",
                        acc_arena_printf(ctx->arena, "/api/v1/contracts/%lld/versions/%d",
                                         (long long)v->contract_id, v->number));
    return http_reply_json(ctx, status, contract_version_to_json(&c, v, ctx->arena));
}

int contract_api_version_list(struct http_ctx *ctx)
{
    struct contract_version *items;
    struct contract c;
    json_t *arr;
    int64_t id;
    int n;

    if (http_param_id(ctx, 0, &id) ||
        contract_get(ctx->store, &ctx->principal.actor, id, ctx->arena, &c, &ctx->err) ||
        contract_version_list(ctx->store, &ctx->principal.actor, id, ctx->arena, &items, &n,
                              &ctx->err))
        return http_reply_err(ctx);
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, contract_version_to_json(&c, &items[i], ctx->arena));
    return http_reply_json(ctx, 200, http_page_json(arr, false, 0));
}

int contract_api_version_get(struct http_ctx *ctx)
{
    struct contract_version v;
    int64_t id;
    int number;

    if (version_params(ctx, &id, &number) ||
        contract_version_get(ctx->store, &ctx->principal.actor, id, number, ctx->arena, &v,
                             &ctx->err))
        return http_reply_err(ctx);
    return reply_version(ctx, 200, &v);
}

/* An optional JSON body: none (or an empty one) reads as {}. */
static int optional_body(struct http_ctx *ctx, json_t **out)
{
    if (!ctx->body_len) {
        *out = json_object();
        return ACC_OK;
    }
    return http_body_object(ctx, out);
}

int contract_api_version_new(struct http_ctx *ctx)
{
    struct contract_version v;
    int64_t id, from = 0;
    const struct jx_field fields[] = {{"from", JX_ID, false, 0, &from, NULL}};
    json_t *obj;
    int rc;

    if (http_param_id(ctx, 0, &id) || optional_body(ctx, &obj))
        return http_reply_err(ctx);
    rc = jx_read(obj, fields, 1, ctx->arena, &ctx->err);
    json_decref(obj);
    if (!rc && from > 100000)
        rc = acc_fail(&ctx->err, ACC_EINVAL, "/from", "contract %lld has no version %lld",
                      (long long)id, (long long)from);
    if (rc || contract_version_new(ctx->store, &ctx->principal.actor, id, (int)from, ctx->arena, &v,
                                   &ctx->err))
        return http_reply_err(ctx);
    return reply_version(ctx, 201, &v);
}

int contract_api_version_update(struct http_ctx *ctx)
{
    struct contract_terms_input in;
    struct contract_version v;
    int64_t id;
    int number, rc;
    json_t *obj;

    if (version_params(ctx, &id, &number) || http_body_object(ctx, &obj))
        return http_reply_err(ctx);
    rc = read_terms(obj, &in, NULL, 0, ctx->arena, &ctx->err);
    json_decref(obj);
    if (rc || contract_version_update(ctx->store, &ctx->principal.actor, id, number, &in,
                                      ctx->arena, &v, &ctx->err))
        return http_reply_err(ctx);
    return reply_version(ctx, 200, &v);
}

static int act(struct http_ctx *ctx, enum contract_action action)
{
    enum measure_side side = 0;
    struct contract_version v;
    const char *side_name = NULL;
    const struct jx_field fields[] = {{"side", JX_STR, false, 16, &side_name, NULL}};
    int64_t id;
    int number, rc;
    json_t *obj;

    if (version_params(ctx, &id, &number) || optional_body(ctx, &obj))
        return http_reply_err(ctx);
    rc = jx_read(obj, fields, action == CONTRACT_SIGN ? 1 : 0, ctx->arena, &ctx->err);
    json_decref(obj);
    if (!rc && side_name)
        rc = measure_side_parse(side_name, "/side", &side, &ctx->err);
    if (rc || contract_version_act(ctx->store, &ctx->principal.actor, id, number, action, side,
                                   ctx->arena, &v, &ctx->err))
        return http_reply_err(ctx);
    return reply_version(ctx, 200, &v);
}

int contract_api_version_propose(struct http_ctx *ctx)
{
    return act(ctx, CONTRACT_PROPOSE);
}

int contract_api_version_sign(struct http_ctx *ctx)
{
    return act(ctx, CONTRACT_SIGN);
}

int contract_api_version_activate(struct http_ctx *ctx)
{
    return act(ctx, CONTRACT_ACTIVATE);
}

int contract_api_version_retire(struct http_ctx *ctx)
{
    return act(ctx, CONTRACT_RETIRE);
}

/* ---- escalation policies ---- */

static int read_level(json_t *item, size_t i, struct contract_level *l, struct acc_arena *arena,
                      struct acc_err *err)
{
    const char *clock = NULL, *reassign = NULL;
    json_t *notify = NULL, *people = NULL, *v;
    int64_t percent = 0;
    bool has_reassign = false;
    const struct jx_field fields[] = {
        {"clock", JX_STR, true, 16, &clock, NULL},
        {"percent", JX_INT, true, 0, &percent, NULL},
        {"notify", JX_ANY, false, 0, &notify, NULL},
        {"people", JX_ANY, false, 0, &people, NULL},
        {"raise_priority", JX_BOOL, false, 0, &l->raise_priority, NULL},
        {"reassign", JX_ANY, false, 0, &v, &has_reassign},
    };
    char at[48];
    size_t k;
    int rc;

    snprintf(at, sizeof(at), "/levels/%zu", i);
    rc = jx_read_at(item, at, fields, ACC_ARRAY_LEN(fields), arena, err);
    if (rc)
        return rc;
    snprintf(at, sizeof(at), "/levels/%zu/clock", i);
    if (strcmp(clock, "response") && strcmp(clock, "resolution"))
        return acc_fail(err, ACC_EINVAL, at, "clock must be response or resolution");
    l->clock = strcmp(clock, "resolution") == 0 ? CONTRACT_RESOLUTION : CONTRACT_RESPONSE;
    l->percent = percent < 0 || percent > CONTRACT_PERCENT_MAX ? -1 : (int)percent;
    snprintf(at, sizeof(at), "/levels/%zu/notify", i);
    if (notify && !json_is_array(notify))
        return acc_fail(err, ACC_EINVAL, at, "notify must be an array of roles");
    json_array_foreach(notify, k, v)
    {
        size_t r;

        for (r = 0; r < ACC_ARRAY_LEN(notify_names); r++)
            if (json_is_string(v) && strcmp(json_string_value(v), notify_names[r].name) == 0)
                break;
        if (r == ACC_ARRAY_LEN(notify_names))
            return acc_fail(err, ACC_EINVAL, at,
                            "notify takes point_person, deputy, provider_head, consumer_head");
        l->notify |= notify_names[r].bit;
    }
    snprintf(at, sizeof(at), "/levels/%zu/people", i);
    if (people && (!json_is_array(people) || json_array_size(people) > CONTRACT_LEVEL_PEOPLE_MAX))
        return acc_fail(err, ACC_EINVAL, at, "people must be an array of at most %d person ids",
                        CONTRACT_LEVEL_PEOPLE_MAX);
    l->people = acc_arena_alloc(arena, sizeof(*l->people) * CONTRACT_LEVEL_PEOPLE_MAX);
    json_array_foreach(people, k, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return acc_fail(err, ACC_EINVAL, at, "people must be person ids");
        l->people[l->n_people++].id = json_integer_value(v);
    }
    if (has_reassign) {
        json_t *r = json_object_get(item, "reassign");

        reassign = json_string_value(r);
        snprintf(at, sizeof(at), "/levels/%zu/reassign", i);
        if (!json_is_null(r) &&
            (!reassign || (strcmp(reassign, "deputy") && strcmp(reassign, "provider_head"))))
            return acc_fail(err, ACC_EINVAL, at, "reassign must be null, deputy or provider_head");
        l->reassign = !reassign                         ? CONTRACT_REASSIGN_NONE
                      : strcmp(reassign, "deputy") == 0 ? CONTRACT_REASSIGN_DEPUTY
                                                        : CONTRACT_REASSIGN_PROVIDER_HEAD;
    }
    return ACC_OK;
}

static int read_policy(struct http_ctx *ctx, struct contract_policy_input *in)
{
    json_t *obj, *levels = NULL, *item;
    const struct jx_field fields[] = {
        {"name", JX_STR, false, CONTRACT_NAME_MAX, &in->name, &in->has_name},
        {"department_id", JX_ID, false, 0, &in->department_id, &in->has_department},
        {"levels", JX_ANY, false, 0, &levels, &in->has_levels},
    };
    size_t i;
    int rc;

    memset(in, 0, sizeof(*in));
    rc = http_body_object(ctx, &obj);
    if (rc)
        return rc;
    rc = jx_read(obj, fields, ACC_ARRAY_LEN(fields), ctx->arena, &ctx->err);
    if (!rc && levels &&
        (!json_is_array(levels) || json_array_size(levels) > CONTRACT_LEVELS_MAX ||
         json_array_size(levels) == 0))
        rc = acc_fail(&ctx->err, ACC_EINVAL, "/levels", "levels must be an array of 1 to %d",
                      CONTRACT_LEVELS_MAX);
    if (!rc && levels) {
        in->levels = acc_arena_alloc(ctx->arena, sizeof(*in->levels) * CONTRACT_LEVELS_MAX);
        json_array_foreach(levels, i, item)
        {
            rc = read_level(item, i, &in->levels[i], ctx->arena, &ctx->err);
            if (rc)
                break;
        }
        in->n_levels = (int)json_array_size(levels);
    }
    json_decref(obj);
    return rc;
}

int contract_api_policy_list(struct http_ctx *ctx)
{
    struct contract_policy *items;
    struct http_page page;
    json_t *arr;
    bool more;
    int n;

    if (http_page_read(ctx, &page) ||
        contract_policy_list(ctx->store, page.after_id, page.limit, ctx->arena, &items, &n, &more,
                             &ctx->err))
        return http_reply_err(ctx);
    arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, contract_policy_to_json(&items[i]));
    return http_reply_json(ctx, 200, http_page_json(arr, more, n ? items[n - 1].id : 0));
}

int contract_api_policy_get(struct http_ctx *ctx)
{
    struct contract_policy p;
    int64_t id;

    if (http_param_id(ctx, 0, &id) ||
        contract_policy_get(ctx->store, id, ctx->arena, &p, &ctx->err))
        return http_reply_err(ctx);
    return http_reply_json(ctx, 200, contract_policy_to_json(&p));
}

int contract_api_policy_create(struct http_ctx *ctx)
{
    struct contract_policy_input in;
    struct contract_policy p;

    if (read_policy(ctx, &in) ||
        contract_policy_create(ctx->store, &ctx->principal.actor, &in, ctx->arena, &p, &ctx->err))
        return http_reply_err(ctx);
    http_header_add(
        ctx, "Location",
        acc_arena_printf(ctx->arena, "/api/v1/escalation-policies/%lld", (long long)p.id));
    return http_reply_json(ctx, 201, contract_policy_to_json(&p));
}

int contract_api_policy_update(struct http_ctx *ctx)
{
    struct contract_policy_input in;
    struct contract_policy p;
    int64_t id;

    if (http_param_id(ctx, 0, &id) || read_policy(ctx, &in) ||
        contract_policy_update(ctx->store, &ctx->principal.actor, id, &in, ctx->arena, &p,
                               &ctx->err))
        return http_reply_err(ctx);
    return http_reply_json(ctx, 200, contract_policy_to_json(&p));
}

int contract_api_policy_delete(struct http_ctx *ctx)
{
    int64_t id;

    if (http_param_id(ctx, 0, &id) ||
        contract_policy_delete(ctx->store, &ctx->principal.actor, id, ctx->arena, &ctx->err))
        return http_reply_err(ctx);
    return http_reply_empty(ctx, 204);
}

static int reply_department_policy(struct http_ctx *ctx, int64_t department_id,
                                   const struct contract_policy *p)
{
    return http_reply_json(ctx, 200,
                           json_pack("{s:I,s:o}", "department_id", (json_int_t)department_id,
                                     "policy", p->id ? contract_policy_to_json(p) : json_null()));
}

int contract_api_department_policy_get(struct http_ctx *ctx)
{
    struct org_department d;
    struct contract_policy p;
    int64_t id;

    if (http_param_id(ctx, 0, &id) ||
        org_department_get(ctx->store, id, ctx->arena, &d, &ctx->err) ||
        contract_policy_default_get(ctx->store, id, ctx->arena, &p, &ctx->err))
        return http_reply_err(ctx);
    return reply_department_policy(ctx, id, &p);
}

int contract_api_department_policy_put(struct http_ctx *ctx)
{
    struct contract_policy p;
    int64_t id, policy_id = 0;
    const struct jx_field fields[] = {{"policy_id", JX_ID, true, 0, &policy_id, NULL}};
    int rc;

    if (http_param_id(ctx, 0, &id))
        return http_reply_err(ctx);
    rc = http_body_fields(ctx, fields, 1);
    if (rc || contract_policy_default_set(ctx->store, &ctx->principal.actor, id, policy_id,
                                          ctx->arena, &p, &ctx->err))
        return http_reply_err(ctx);
    return reply_department_policy(ctx, id, &p);
}

/* ---- measures ---- */

int contract_api_measures(struct http_ctx *ctx)
{
    size_t n;
    const struct measure_def *all = measure_all(&n);
    json_t *arr = json_array();

    for (size_t i = 0; i < n; i++) {
        const struct measure_def *m = &all[i];
        json_t *sides = json_array();

        if (m->sides & MEASURE_PROVIDER)
            json_array_append_new(sides, json_string("provider"));
        if (m->sides & MEASURE_CONSUMER)
            json_array_append_new(sides, json_string("consumer"));
        json_array_append_new(
            arr,
            json_pack("{s:s,s:o,s:s,s:s,s:b,s:o,s:o,s:o}", "name", m->name, "sides", sides, "group",
                      measure_group_name(m->group), "unit", measure_kind_name(m->kind),
                      "higher_is_better", m->higher_is_better, "typical_target",
                      m->typical_target ? jx_milli_json(m->typical_target) : json_null(),
                      "provider_meaning", jx_str_or_null(m->provider_meaning), "consumer_meaning",
                      jx_str_or_null(m->consumer_meaning)));
    }
    return http_reply_json(ctx, 200, json_pack("{s:o}", "items", arr));
}
