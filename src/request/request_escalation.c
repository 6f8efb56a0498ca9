/* request_escalation.c: binding a request to its terms, escalation levels, the sweep. */
#include "base/acc.h"
#include "base/jw.h"
#include "base/log.h"
#include "calendar/calendar_db.h"
#include "request/request_int.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const clock_names[] = {"response", "resolution"};

int request_bind(struct store *st, struct calendar_zones *zones, const struct contract *c,
                 int number, struct acc_arena *arena, struct request_binding *out,
                 struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(c->service.id), SA_INT(c->provider.department.id),
                               SA_INT(c->consumer.department.id)};
    struct store_stmt *stmt = NULL;
    bool row = false;
    int rc;

    memset(out, 0, sizeof(*out));
    out->contract = *c;
    rc = contract_version_binding(st, c, number, arena, &out->version, err);
    /* Who a request goes to and who hears of its escalations, in one read. */
    if (!rc)
        rc = store_exec(st,
                        "SELECT s.point_person_id, s.deputy_id, pd.point_person_id, pd.head_id, "
                        "cd.head_id FROM service s, department pd, department cd WHERE s.id = ? "
                        "AND pd.id = ? AND cd.id = ?",
                        args, ACC_ARRAY_LEN(args), &stmt, err);
    if (!rc)
        rc = store_step(stmt, &row, err);
    if (!rc && !row)
        rc = acc_fail(err, ACC_ENOTFOUND, "",
                      "the service or a department of contract %lld is gone", (long long)c->id);
    if (!rc) {
        out->service_point = store_col_int(stmt, 0);
        out->service_deputy = store_col_int(stmt, 1);
        out->provider_point = store_col_int(stmt, 2);
        out->provider_head = store_col_int(stmt, 3);
        out->consumer_head = store_col_int(stmt, 4);
    }
    store_finish(stmt);
    if (!rc)
        rc = calendar_record_load(st, out->version.terms.calendar.id, zones, arena, &out->cal, err);
    return rc;
}

int request_bind_for(struct store *st, struct calendar_zones *zones, const struct request *r,
                     struct acc_arena *arena, struct request_binding *out, struct acc_err *err)
{
    struct org_actor sys = org_actor_system("request");
    struct contract c;
    int rc = contract_get(st, &sys, r->contract_id, arena, &c, err);

    return rc ? rc : request_bind(st, zones, &c, r->version_number, arena, out, err);
}

/* Which levels of r have fired: fired[i] for level i + 1. */
static int load_fired(struct store *st, const struct request *r, int n, bool *fired,
                      struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(r->id)};
    struct store_stmt *stmt = NULL;
    bool row;
    int rc;

    memset(fired, 0, sizeof(*fired) * (size_t)n);
    if (!r->id)
        return ACC_OK;
    rc = store_exec(st, "SELECT level FROM request_escalation WHERE request_id = ?", args, 1, &stmt,
                    err);
    while (!rc && !(rc = store_step(stmt, &row, err)) && row) {
        int64_t level = store_col_int(stmt, 0);

        if (level >= 1 && level <= n)
            fired[level - 1] = true;
    }
    store_finish(stmt);
    return rc;
}

/* When automatic closing is due for r (0: not resolved). */
static int autoclose_due(const struct request_binding *b, const struct request *r, int64_t *out,
                         struct acc_err *err)
{
    *out = 0;
    if (r->status != REQUEST_RESOLVED || !r->clocks.resolved_at)
        return ACC_OK;
    return request_autoclose_at(&b->cal, r->clocks.resolved_at, out, err);
}

int request_next_fire(struct store *st, const struct request_binding *b, struct request *r,
                      struct acc_err *err)
{
    bool fired[CONTRACT_LEVELS_MAX];
    int64_t next = 0, at;
    int rc;

    rc = load_fired(st, r, b->version.n_levels, fired, err);
    for (int i = 0; !rc && i < b->version.n_levels; i++) {
        const struct contract_level *l = &b->version.levels[i];

        if (fired[i] || r->status == REQUEST_CLOSED)
            continue;
        rc = request_level_due(&b->cal, &r->clocks, l->clock, l->percent, &at, err);
        if (!rc && at && (!next || at < next))
            next = at;
    }
    if (!rc)
        rc = autoclose_due(b, r, &at, err);
    if (!rc && at && (!next || at < next))
        next = at;
    if (!rc)
        r->next_fire_at = next;
    return rc;
}

/* The people level l notifies for r, into out (at most 4 + CONTRACT_LEVEL_PEOPLE_MAX). */
static int recipients(const struct request_binding *b, const struct contract_level *l, int64_t *out)
{
    int n = 0;

    if (l->notify & CONTRACT_NOTIFY_POINT_PERSON)
        out[n++] = b->service_point;
    if (l->notify & CONTRACT_NOTIFY_DEPUTY)
        out[n++] = b->service_deputy;
    if (l->notify & CONTRACT_NOTIFY_PROVIDER_HEAD)
        out[n++] = b->provider_head;
    if (l->notify & CONTRACT_NOTIFY_CONSUMER_HEAD)
        out[n++] = b->consumer_head;
    for (int i = 0; i < l->n_people; i++)
        out[n++] = l->people[i].id;
    return n;
}

/* Moves r to the next more urgent priority (the largest factor below its own), if any. */
static int raise_priority(const struct request_binding *b, struct request *r, int64_t now,
                          int64_t actor_id, struct store *st, struct acc_arena *arena,
                          struct acc_err *err)
{
    const struct contract_terms *t = &b->version.terms;
    const struct contract_priority *best = NULL;
    const char *from = r->priority;
    struct acc_jw w;
    int rc;

    for (int i = 0; i < t->n_priorities; i++)
        if (t->priorities[i].factor < r->priority_factor &&
            (!best || t->priorities[i].factor > best->factor))
            best = &t->priorities[i];
    if (!best)
        return ACC_OK;
    r->priority = best->name;
    r->priority_factor = best->factor;
    r->clocks.response_target_secs = request_target_secs(t->response_minutes, best->factor);
    r->clocks.resolution_target_secs = request_target_secs(t->resolution_minutes, best->factor);
    rc = request_clocks_recompute(&b->cal, &r->clocks, err);
    if (rc)
        return rc;
    acc_jw_begin(&w);
    acc_jw_str(&w, "from", from);
    acc_jw_str(&w, "to", best->name);
    acc_jw_int(&w, "response_due_at", r->clocks.response_due_at);
    acc_jw_int(&w, "resolution_due_at", r->clocks.resolution_due_at);
    return request_event_add(st, r->id, now, actor_id, "priority", acc_jw_end(&w, arena), err);
}

/* Fires level index i (0-based) of r at now, due since due_at. */
static int fire_level(struct store *st, const struct org_actor *who,
                      const struct request_binding *b, struct request *r, int i, int64_t due_at,
                      int64_t now, bool manual, struct acc_arena *arena, struct acc_err *err)
{
    const struct contract_level *l = &b->version.levels[i];
    int64_t people[4 + CONTRACT_LEVEL_PEOPLE_MAX], actor_id = who->person_id;
    struct store_arg args[] = {SA_INT(r->id), SA_TEXT(clock_names[l->clock]),
                               SA_INT(i + 1), SA_INT(due_at),
                               SA_INT(now),   SA_INT(manual)};
    struct acc_jw w;
    int rc;

    rc = store_exec(st,
                    "INSERT INTO request_escalation (request_id, clock, level, due_at, fired_at, "
                    "manual) VALUES (?, ?, ?, ?, ?, ?)",
                    args, ACC_ARRAY_LEN(args), NULL, err);
    if (rc)
        return rc;
    acc_jw_begin(&w);
    acc_jw_int(&w, "level", i + 1);
    acc_jw_str(&w, "clock", clock_names[l->clock]);
    acc_jw_int(&w, "percent", l->percent);
    acc_jw_int(&w, "due_at", due_at);
    acc_jw_bool(&w, "manual", manual);
    rc = request_event_add(st, r->id, now, actor_id, "escalated", acc_jw_end(&w, arena), err);
    if (!rc) {
        char due[21];

        acc_time_format(due_at, due);
        acc_jw_begin(&w);
        acc_jw_int(&w, "level", i + 1);
        acc_jw_str(&w, "clock", clock_names[l->clock]);
        acc_jw_int(&w, "percent", l->percent);
        acc_jw_str(&w, "due_at", due);
        acc_jw_bool(&w, "manual", manual);
        rc = request_outbox_add_detail(st, who, "request.escalated", r, people,
                                       recipients(b, l, people), acc_jw_end(&w, arena), now, arena,
                                       err);
    }
    if (!rc && l->raise_priority)
        rc = raise_priority(b, r, now, actor_id, st, arena, err);
    if (!rc && l->reassign) {
        int64_t to = l->reassign == CONTRACT_REASSIGN_DEPUTY ? b->service_deputy : b->provider_head;

        if (to && to != r->assignee.id) {
            acc_jw_begin(&w);
            acc_jw_id(&w, "from", r->assignee.id);
            acc_jw_int(&w, "assignee_id", to);
            r->assignee.id = to;
            rc =
                request_event_add(st, r->id, now, actor_id, "assigned", acc_jw_end(&w, arena), err);
        }
    }
    return rc;
}

int request_escalate(struct store *st, struct calendar_zones *zones, const struct org_actor *who,
                     int64_t id, int64_t now, struct acc_arena *arena, struct request *out,
                     struct acc_err *err)
{
    bool fired[CONTRACT_LEVELS_MAX];
    struct request_binding b;
    struct request before, r;
    int rc, next = -1;

    rc = request_get(st, who, id, arena, &before, err);
    if (!rc && request_side_of(&before, who) != REQUEST_CONSUMER)
        rc = acc_fail(err, ACC_EPERM, "", "the consumer side escalates by hand");
    if (!rc)
        rc = request_catch_up_first(st, zones, who, &before, now, arena, err);
    if (rc)
        return rc;
    if (before.status == REQUEST_RESOLVED || before.status == REQUEST_CLOSED)
        return acc_fail(err, ACC_ECONFLICT, "", "request %lld is %s: nothing to escalate",
                        (long long)id, request_status_name(before.status));
    rc = request_bind_for(st, zones, &before, arena, &b, err);
    if (rc)
        return rc;
    r = before;
    rc = load_fired(st, &r, b.version.n_levels, fired, err);
    for (int i = 0; !rc && i < b.version.n_levels && next < 0; i++) {
        const struct contract_level *l = &b.version.levels[i];

        /* The next level whose clock still runs. */
        if (!fired[i] && !(l->clock == CONTRACT_RESPONSE && r.clocks.responded_at))
            next = i;
    }
    if (!rc && next < 0)
        rc = acc_fail(err, ACC_ECONFLICT, "", "every escalation level of request %lld has fired",
                      (long long)id);
    if (!rc)
        rc = fire_level(st, who, &b, &r, next, now, now, true, arena, err);
    r.updated_at = now;
    if (!rc)
        rc = request_next_fire(st, &b, &r, err);
    if (!rc)
        rc = request_save(st, &r, err);
    if (!rc)
        rc = request_load(st, id, arena, out, err);
    if (!rc)
        rc = request_audit(st, who, &before, out, arena, err);
    calendar_release(&b.cal);
    return rc;
}

/*
 * request_catch_up(), with strict: only what came due before now fires. A change made at
 * the very instant a level or the automatic close is due comes first (an answer at the due
 * instant is in time, and stops the clock before its 100 % level).
 */
static int catch_up(struct store *st, struct calendar_zones *zones, int64_t id, int64_t now,
                    bool replay, bool strict, struct acc_arena *arena, struct acc_err *err)
{
    struct org_actor sys = org_actor_system(replay ? "import" : "sweeper");
    int64_t last = strict ? now - 1 : now; /* the latest instant that is due */
    bool fired[CONTRACT_LEVELS_MAX];
    struct request_binding b;
    struct request before, r;
    int64_t close_at = 0;
    int rc;

    sys.replay = replay;
    rc = request_load(st, id, arena, &before, err);
    if (!rc)
        rc = request_bind_for(st, zones, &before, arena, &b, err);
    if (rc)
        return rc;
    r = before;
    rc = load_fired(st, &r, b.version.n_levels, fired, err);
    for (;;) {
        int64_t best_at = 0, at;
        int best = -1;

        for (int i = 0; !rc && i < b.version.n_levels; i++) {
            const struct contract_level *l = &b.version.levels[i];

            if (fired[i] || r.status == REQUEST_CLOSED)
                continue;
            rc = request_level_due(&b.cal, &r.clocks, l->clock, l->percent, &at, err);
            if (!rc && at && at <= last && (best < 0 || at < best_at)) {
                best = i;
                best_at = at;
            }
        }
        if (rc || best < 0)
            break;
        rc = fire_level(st, &sys, &b, &r, best, best_at, now, false, arena, err);
        fired[best] = true;
    }
    if (!rc)
        rc = autoclose_due(&b, &r, &close_at, err);
    if (!rc && close_at && close_at <= last) {
        struct acc_jw w;

        r.status = REQUEST_CLOSED;
        r.closed_at = close_at; /* when it closed, though recorded later after a downtime */
        acc_jw_begin(&w);
        acc_jw_str(&w, "from", "resolved");
        acc_jw_str(&w, "to", "closed");
        acc_jw_str(&w, "reason", "closed automatically after the consumer did not answer");
        acc_jw_int(&w, "due_at", close_at);
        rc = request_event_add(st, r.id, now, 0, "status", acc_jw_end(&w, arena), err);
    }
    if (!rc)
        rc = request_next_fire(st, &b, &r, err);
    if (!rc && memcmp(&r.clocks, &before.clocks, sizeof(r.clocks)) == 0 &&
        r.status == before.status && r.assignee.id == before.assignee.id &&
        r.priority_factor == before.priority_factor && r.next_fire_at == before.next_fire_at) {
        calendar_release(&b.cal);
        return ACC_OK; /* nothing was due: nothing to write */
    }
    r.updated_at = now;
    if (!rc)
        rc = request_save(st, &r, err);
    if (!rc && (r.status != before.status || r.assignee.id != before.assignee.id ||
                r.priority_factor != before.priority_factor))
        rc = request_audit(st, &sys, &before, &r, arena, err);
    calendar_release(&b.cal);
    return rc;
}

int request_catch_up(struct store *st, struct calendar_zones *zones, int64_t id, int64_t now,
                     bool replay, struct acc_arena *arena, struct acc_err *err)
{
    return catch_up(st, zones, id, now, replay, false, arena, err);
}

int request_catch_up_first(struct store *st, struct calendar_zones *zones,
                           const struct org_actor *who, struct request *r, int64_t now,
                           struct acc_arena *arena, struct acc_err *err)
{
    int rc;

    if (!r->next_fire_at || r->next_fire_at >= now)
        return ACC_OK;
    rc = catch_up(st, zones, r->id, now, who->replay, true, arena, err);
    return rc ? rc : request_load(st, r->id, arena, r, err);
}

int request_sweep(struct store *st, struct calendar_zones *zones, int64_t now, int limit, int *done,
                  int64_t *next, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(now), SA_INT(limit)};
    struct acc_arena *arena = acc_arena_new();
    int64_t *ids = acc_arena_alloc(arena, sizeof(*ids) * (size_t)limit);
    struct store_stmt *stmt = NULL;
    int n = 0, rc;
    bool row;

    rc = store_exec(st,
                    "SELECT id FROM request WHERE next_fire_at IS NOT NULL AND next_fire_at <= ? "
                    "ORDER BY next_fire_at LIMIT ?",
                    args, 2, &stmt, err);
    while (!rc && n < limit && !(rc = store_step(stmt, &row, err)) && row)
        ids[n++] = store_col_int(stmt, 0);
    store_finish(stmt);
    /*
     * A request whose catch-up fails is skipped, not the sweep: one bad request must neither
     * hold back the others nor come first again at the next sweep. Its work is undone to a
     * savepoint (on PostgreSQL a failed statement would abort the whole transaction), it is
     * logged, and its next_fire_at moves SWEEP_RETRY_SECS on. Only the retry moves: a level
     * fires with the instant it was due, recomputed from the clocks. *done counts it. If the
     * savepoint itself fails, the transaction is gone and the sweep fails.
     */
    for (int i = 0; !rc && i < n; i++) {
        enum { SWEEP_RETRY_SECS = 300 };
        struct store_arg defer[] = {SA_INT(now + SWEEP_RETRY_SECS), SA_INT(ids[i])};
        struct acc_err one = {0};

        rc = store_exec(st, "SAVEPOINT sweep_one", NULL, 0, NULL, err);
        if (rc)
            break;
        if (!request_catch_up(st, zones, ids[i], now, false, arena, &one)) {
            rc = store_exec(st, "RELEASE SAVEPOINT sweep_one", NULL, 0, NULL, err);
            continue;
        }
        acc_log(ACC_LOG_ERROR, "escalation sweep skipped a request", "request_id",
                acc_log_int(ids[i]), "code", acc_code_name(one.code), "detail", one.msg,
                "retry_in_secs", acc_log_int(SWEEP_RETRY_SECS), NULL);
        rc = store_exec(st, "ROLLBACK TO SAVEPOINT sweep_one", NULL, 0, NULL, err);
        if (!rc)
            rc = store_exec(st, "RELEASE SAVEPOINT sweep_one", NULL, 0, NULL, err);
        if (!rc)
            rc = store_exec(st, "UPDATE request SET next_fire_at = ? WHERE id = ?", defer, 2, NULL,
                            err);
    }
    if (!rc)
        rc = store_query_int(st,
                             "SELECT COALESCE(MIN(next_fire_at), 0) FROM request WHERE "
                             "next_fire_at IS NOT NULL",
                             NULL, 0, next, err);
    if (!rc)
        *done = n;
    acc_arena_free(arena);
    return rc;
}

int request_calendar_changed(struct store *st, struct calendar_zones *zones, int64_t calendar_id,
                             int64_t now, int64_t *changed, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(calendar_id)};
    struct acc_arena *arena = acc_arena_new();
    struct store_stmt *stmt = NULL;
    int64_t *ids = NULL, count = 0, moved = 0;
    size_t cap = 0;
    bool row;
    int rc;

    rc = store_exec(st,
                    "SELECT r.id FROM request r JOIN contract_version v ON v.id = r.version_id "
                    "WHERE v.calendar_id = ? AND r.status <> 'closed' ORDER BY r.id",
                    args, 1, &stmt, err);
    while (!rc && !(rc = store_step(stmt, &row, err)) && row) {
        if ((size_t)count == cap) {
            cap = cap ? cap * 2 : 64;
            ids = xrealloc(ids, cap * sizeof(*ids));
        }
        ids[count++] = store_col_int(stmt, 0);
    }
    store_finish(stmt);
    for (int64_t i = 0; !rc && i < count; i++) {
        struct request_binding b;
        struct request before, r;

        rc = request_load(st, ids[i], arena, &before, err);
        if (!rc)
            rc = request_bind_for(st, zones, &before, arena, &b, err);
        if (rc)
            break;
        r = before;
        rc = request_clocks_recompute(&b.cal, &r.clocks, err);
        if (!rc)
            rc = request_next_fire(st, &b, &r, err);
        if (!rc && r.next_fire_at != before.next_fire_at &&
            r.clocks.response_due_at == before.clocks.response_due_at &&
            r.clocks.resolution_due_at == before.clocks.resolution_due_at)
            rc = request_save(st, &r, err); /* only the automatic close moved */
        else if (!rc && (r.clocks.response_due_at != before.clocks.response_due_at ||
                         r.clocks.resolution_due_at != before.clocks.resolution_due_at)) {
            struct acc_jw w;

            r.updated_at = now;
            acc_jw_begin(&w);
            acc_jw_str(&w, "reason", "the calendar changed");
            acc_jw_int(&w, "response_due_at", r.clocks.response_due_at);
            acc_jw_int(&w, "resolution_due_at", r.clocks.resolution_due_at);
            rc = request_save(st, &r, err);
            if (!rc)
                rc = request_event_add(st, r.id, now, 0, "due_changed", acc_jw_end(&w, arena), err);
            moved++;
        }
        calendar_release(&b.cal);
    }
    free(ids);
    acc_arena_free(arena);
    if (!rc && changed)
        *changed = moved;
    return rc;
}
