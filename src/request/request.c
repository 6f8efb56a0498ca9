/* request.c: stored requests: raising, moves, assignment, the conversation and the timeline. */
#include "base/acc.h"
#include "base/jw.h"
#include "audit/audit.h"
#include "calendar/calendar_db.h"
#include "request/request_int.h"
#include "store/store.h"

#include <stdio.h>

/* ---- reading ---- */

#define REQUEST_SELECT_COLS                                                                        \
    "SELECT r.id, r.contract_id, r.version_id, v.number, r.service_id, s.name, "                   \
    "r.provider_department_id, pd.name, r.consumer_department_id, cd.name, r.title, "              \
    "r.description, r.priority, r.priority_factor, r.external_ref, r.requester_id, rq.name, "      \
    "r.assignee_id, a.name, r.status, r.created_at, r.updated_at, r.response_target_secs, "        \
    "r.response_due_at, r.responded_at, r.response_met, r.resolution_target_secs, "                \
    "r.resolution_due_at, r.paused_secs, r.paused_since, r.resolved_at, r.resolution_secs, "       \
    "r.resolution_met, r.closed_at, r.reopen_count, r.missing_info_count, r.next_fire_at, "        \
    "r.imported, v.calendar_id, (SELECT c.name FROM calendar c WHERE c.id = v.calendar_id), "      \
    "(SELECT c.zone FROM calendar c WHERE c.id = v.calendar_id)"
#define REQUEST_FROM                                                                               \
    " FROM request r JOIN contract_version v ON v.id = r.version_id "                              \
    "JOIN service s ON s.id = r.service_id "                                                       \
    "JOIN department pd ON pd.id = r.provider_department_id "                                      \
    "JOIN department cd ON cd.id = r.consumer_department_id "                                      \
    "JOIN person rq ON rq.id = r.requester_id LEFT JOIN person a ON a.id = r.assignee_id"
#define REQUEST_SELECT REQUEST_SELECT_COLS REQUEST_FROM " "

static int met_col(struct store_stmt *stmt, int col)
{
    return store_col_null(stmt, col) ? -1 : (int)store_col_int(stmt, col);
}

static int read_request(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                        struct acc_err *err)
{
    struct request *r = item;
    struct request_clocks *c = &r->clocks;

    (void)err;
    r->id = store_col_int(stmt, 0);
    r->contract_id = store_col_int(stmt, 1);
    r->version_id = store_col_int(stmt, 2);
    r->version_number = (int)store_col_int(stmt, 3);
    r->service.id = store_col_int(stmt, 4);
    r->service.name = store_col_dup(stmt, 5, arena);
    r->provider.id = store_col_int(stmt, 6);
    r->provider.name = store_col_dup(stmt, 7, arena);
    r->consumer.id = store_col_int(stmt, 8);
    r->consumer.name = store_col_dup(stmt, 9, arena);
    r->title = store_col_dup(stmt, 10, arena);
    r->description = store_col_dup(stmt, 11, arena);
    r->priority = store_col_dup(stmt, 12, arena);
    r->priority_factor = store_col_int(stmt, 13);
    r->external_ref = store_col_dup(stmt, 14, arena);
    r->requester.id = store_col_int(stmt, 15);
    r->requester.name = store_col_dup(stmt, 16, arena);
    r->assignee.id = store_col_int(stmt, 17);
    r->assignee.name = store_col_dup(stmt, 18, arena);
    request_status_parse(store_col_text(stmt, 19), &r->status);
    r->created_at = store_col_int(stmt, 20);
    r->updated_at = store_col_int(stmt, 21);
    c->created_at = r->created_at;
    c->response_target_secs = store_col_int(stmt, 22);
    c->response_due_at = store_col_int(stmt, 23);
    c->responded_at = store_col_int(stmt, 24);
    c->response_met = met_col(stmt, 25);
    c->resolution_target_secs = store_col_int(stmt, 26);
    c->resolution_due_at = store_col_int(stmt, 27);
    c->paused_secs = store_col_int(stmt, 28);
    c->paused_since = store_col_int(stmt, 29);
    c->resolved_at = store_col_int(stmt, 30);
    c->resolution_secs = store_col_int(stmt, 31);
    c->resolution_met = met_col(stmt, 32);
    r->closed_at = store_col_int(stmt, 33);
    r->reopen_count = (int)store_col_int(stmt, 34);
    r->missing_info_count = (int)store_col_int(stmt, 35);
    r->next_fire_at = store_col_int(stmt, 36);
    r->imported = store_col_int(stmt, 37) != 0;
    r->calendar_id = store_col_int(stmt, 38);
    r->calendar_name = store_col_dup(stmt, 39, arena);
    r->calendar_zone = store_col_dup(stmt, 40, arena);
    return ACC_OK;
}

/* Reads request id whatever who may see. */
int request_load(struct store *st, int64_t id, struct acc_arena *arena, struct request *out,
                 struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(id)};
    struct store_stmt *stmt = NULL;
    bool row = false;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = store_exec(st, REQUEST_SELECT "WHERE r.id = ?", args, 1, &stmt, err);
    if (!rc)
        rc = store_step(stmt, &row, err);
    if (!rc && !row)
        rc = acc_fail(err, ACC_ENOTFOUND, "", "request %lld does not exist", (long long)id);
    if (!rc)
        rc = read_request(stmt, out, arena, err);
    store_finish(stmt);
    return rc;
}

int request_get(struct store *st, const struct org_actor *who, int64_t id, struct acc_arena *arena,
                struct request *out, struct acc_err *err)
{
    int rc = request_load(st, id, arena, out, err);

    /* A third department learns nothing, not even that the request exists. */
    if (!rc && !request_may_see(out, who))
        rc = acc_fail(err, ACC_ENOTFOUND, "", "request %lld does not exist", (long long)id);
    return rc;
}

/* ---- lists and counts ---- */

/*
 * Lists and counts are built from the filters given, so that SQLite (which has no statistics
 * here: accord never runs ANALYZE) and PostgreSQL can plan each onto an index. One filter
 * drives: its index gives the rows, the others are checked on them. A term that must not
 * drive is written so that no index can serve it (+col for integers, col || '' for text),
 * and so is the order when the driving index does not give it, so that SQLite sorts the
 * driving index's rows instead of walking the whole table in order. A member's lists are the
 * union of two halves, the requests their department provides and those it consumes (minus
 * those it also provides), each on its own index. A search (f->q) drives each half with the
 * full-text index instead, newest first, unless the list is in due order: then the search is
 * checked on the rows the queue's index gives. docs/operating.md shows the plans.
 */

/* Rows a list query returns before its sort keys: the columns of REQUEST_SELECT. */
#define REQUEST_COLS 41

/* The five statuses of a request not closed, for indexes that have the status. */
#define STATUS_NOT_CLOSED "('open', 'in_progress', 'waiting_on_consumer', 'resolved', 'reopened')"

/* One half of the access rule: department equalities (0: none). */
struct arm {
    int64_t provider, consumer;
    int64_t not_provider; /* the consumer half of a member's list: provider <> this */
};

/* The filter that drives a query (drive_of() says which), and the indexes it may use. */
enum drive {
    DRIVE_ASSIGNEE, /* request_assignee_id, or request_assignee_open */
    DRIVE_CONTRACT, /* request_contract (contract_id, id) */
    DRIVE_SERVICE,  /* request_service (service_id, id) */
    DRIVE_PROVIDER, /* request_provider_id, request_provider_open, or request_provider */
    DRIVE_CONSUMER, /* request_consumer, or request_consumer_open */
    DRIVE_STATUS,   /* request_status (status, id) */
    DRIVE_OPEN,     /* request_status for the five statuses, or request_open */
    DRIVE_RAISED,   /* request_created (created_at, id) */
    DRIVE_BREACH,   /* request_breach (id, breach_at) of the requests with a breach_at */
    DRIVE_ID,       /* the primary key (and a covering index for a count) */
    DRIVE_SEARCH    /* the full-text index request_search, newest first */
};

struct plan {
    const struct request_filter *f;
    const char *status; /* the status a row must have (the filter's, or closed), or NULL */
    int open;           /* -1 any, 1 not closed, 0 closed */
    bool count, due;
    const struct org_actor *who;
};

static void q_term(struct request_query *q, const char *term)
{
    acc_buf_adds(&q->sql, q->where ? " AND " : " WHERE ");
    acc_buf_adds(&q->sql, term);
    q->where = true;
}

static void q_arg(struct request_query *q, struct store_arg a)
{
    if (q->n == (int)ACC_ARRAY_LEN(q->args))
        ACC_BUG("too many arguments in a request list query");
    q->args[q->n++] = a;
}

/* A term with one integer argument: plain may drive, else it is only checked. */
static void q_int(struct request_query *q, bool plain, const char *col, const char *op, int64_t v)
{
    char term[96];

    snprintf(term, sizeof(term), "%sr.%s %s ?", plain ? "" : "+", col, op);
    q_term(q, term);
    q_arg(q, SA_INT(v));
}

static enum drive drive_of(const struct plan *p, const struct arm *a)
{
    const struct request_filter *f = p->f;

    /* The words are the sharpest filter there is, and their index gives the newest first. */
    if (f->q && !p->due)
        return DRIVE_SEARCH;
    /* The queues: a department's requests not closed come in due order from its index. */
    if (p->due && a->provider)
        return DRIVE_PROVIDER;
    if (p->due && a->consumer)
        return DRIVE_CONSUMER;
    if (f->assignee_id)
        return DRIVE_ASSIGNEE;
    /* Requests not closed are the work at hand, a few of all: their indexes come first. */
    if (p->open == 1 && a->provider)
        return DRIVE_PROVIDER;
    if (p->open == 1 && a->consumer)
        return DRIVE_CONSUMER;
    if (p->open == 1)
        return f->status >= 0 ? DRIVE_STATUS : DRIVE_OPEN;
    /* Then what grows with history: a window of raising instants, a contract, a service, a
     * department (most requests are closed: status = 'closed' and breached select little). */
    if (f->raised_from)
        return DRIVE_RAISED;
    if (f->contract_id)
        return DRIVE_CONTRACT;
    if (f->service_id)
        return DRIVE_SERVICE;
    if (a->provider)
        return DRIVE_PROVIDER;
    if (a->consumer)
        return DRIVE_CONSUMER;
    if (f->raised_to)
        return DRIVE_RAISED;
    if (p->status)
        return DRIVE_STATUS;
    if (f->breached == 1)
        return DRIVE_BREACH;
    return DRIVE_ID;
}

/* Whether the driving index gives the rows in the list's order (else they are sorted). */
static bool drive_ordered(const struct plan *p, enum drive d)
{
    if (p->due)
        return d == DRIVE_ASSIGNEE || d == DRIVE_PROVIDER || d == DRIVE_CONSUMER || d == DRIVE_OPEN;
    switch (d) {
    case DRIVE_ASSIGNEE:
    case DRIVE_PROVIDER:
    case DRIVE_CONSUMER:
        return p->open != 1; /* else the partial index, in due order */
    case DRIVE_CONTRACT:
    case DRIVE_SERVICE:
    case DRIVE_STATUS:
    case DRIVE_BREACH:
    case DRIVE_ID:
    case DRIVE_SEARCH:
        return true;
    default:
        return false;
    }
}

/*
 * Whether who reads the requests of arm a as their consumer, who never sees internal notes
 * (request_side_of()): 0 never, 1 always, -1 it depends on the request (search_where() asks).
 */
static int consumer_side(const struct org_actor *who, const struct arm *a)
{
    int64_t d = who->department_id;

    if (!who->person_id || !d || (a->consumer && a->consumer != d))
        return 0;
    if (a->consumer == d && ((a->provider && a->provider != d) || a->not_provider == d))
        return 1;
    return -1;
}

/*
 * Appends the search of one arm: with its index driving (d is DRIVE_SEARCH) or checked on each
 * row. The notes count where who is on the provider side: a request they consume must have
 * the words in its title or comments.
 */
static void search_where(struct request_query *q, const struct plan *p, const struct arm *a,
                         enum drive d)
{
    int side = consumer_side(p->who, a);
    char term[512];

    q_term(q, d == DRIVE_SEARCH ? q->search->match : q->search->check);
    q_arg(q, SA_TEXT(side == 1 ? q->search_public.buf : q->search_all.buf));
    if (side >= 0)
        return;
    snprintf(term, sizeof(term),
             "(NOT (+r.consumer_department_id = ? AND (+r.provider_department_id <> ? OR "
             "+r.requester_id = ?)) OR %s)",
             q->search->check);
    q_term(q, term);
    q_arg(q, SA_INT(p->who->department_id));
    q_arg(q, SA_INT(p->who->department_id));
    q_arg(q, SA_INT(p->who->person_id));
    q_arg(q, SA_TEXT(q->search_public.buf));
}

/* Whether the status equality may drive (with the driving column, on an index that has it). */
static bool status_plain(const struct plan *p, enum drive d)
{
    if (d == DRIVE_STATUS)
        return true;
    /* request_provider (provider_department_id, status, resolution_due_at); a list of closed
     * requests by id walks request_provider_id instead: most of a department's are closed. */
    return d == DRIVE_PROVIDER && (p->count || p->due || p->open == 1);
}

/* Appends the WHERE of one arm, and the keyset of a page. */
static void arm_where(struct request_query *q, const struct plan *p, const struct arm *a,
                      enum drive d, bool ordered)
{
    const struct request_filter *f = p->f;

    q->where = false;
    if (a->provider)
        q_int(q, d == DRIVE_PROVIDER, "provider_department_id", "=", a->provider);
    if (a->consumer)
        q_int(q, d == DRIVE_CONSUMER, "consumer_department_id", "=", a->consumer);
    if (a->not_provider)
        q_int(q, false, "provider_department_id", "<>", a->not_provider);
    if (f->assignee_id)
        q_int(q, d == DRIVE_ASSIGNEE, "assignee_id", "=", f->assignee_id);
    if (f->contract_id)
        q_int(q, d == DRIVE_CONTRACT, "contract_id", "=", f->contract_id);
    if (f->service_id)
        q_int(q, d == DRIVE_SERVICE, "service_id", "=", f->service_id);
    if (p->status) {
        q_term(q, status_plain(p, d) ? "r.status = ?" : "r.status || '' = ?");
        q_arg(q, SA_TEXT(p->status));
    }
    /* Word for word the condition of the partial indexes, so that SQLite may use them (not
     * when the search drives). */
    if (p->open == 1)
        q_term(q, d == DRIVE_SEARCH ? "r.status || '' <> 'closed'" : "r.status <> 'closed'");
    if (p->open == 1 && !p->status &&
        ((d == DRIVE_OPEN && !p->due) || (d == DRIVE_PROVIDER && p->count)))
        q_term(q, "r.status IN " STATUS_NOT_CLOSED);
    if (f->raised_from)
        q_int(q, d == DRIVE_RAISED, "created_at", ">=", f->raised_from);
    if (f->raised_to)
        q_int(q, d == DRIVE_RAISED, "created_at", "<", f->raised_to);
    if (f->due_before)
        q_int(q, d == DRIVE_PROVIDER || d == DRIVE_CONSUMER || d == DRIVE_OPEN || d == DRIVE_ID,
              "resolution_due_at", "<", f->due_before);
    if (f->breached == 1)
        q_int(q, d == DRIVE_BREACH, "breach_at", "<", f->now);
    if (f->breached == 0) {
        q_term(q, "(+r.breach_at IS NULL OR +r.breach_at >= ?)");
        q_arg(q, SA_INT(f->now));
    }
    if (f->q)
        search_where(q, p, a, d);
    if (p->count)
        return;
    if (d == DRIVE_SEARCH) {
        char term[64];

        snprintf(term, sizeof(term), "%s < ?", q->search->key);
        q_term(q, term);
        q_arg(q, SA_INT(f->after_id ? f->after_id : INT64_MAX));
    } else if (!p->due) {
        q_int(q, ordered, "id", ">", f->after_id);
    } else if (f->after_id && ordered) {
        q_term(q, "(r.resolution_due_at, r.id) > (?, ?)");
        q_arg(q, SA_INT(f->after_due));
        q_arg(q, SA_INT(f->after_id));
    } else if (f->after_id) {
        q_term(q, "(+r.resolution_due_at > ? OR (+r.resolution_due_at = ? AND +r.id > ?))");
        q_arg(q, SA_INT(f->after_due));
        q_arg(q, SA_INT(f->after_due));
        q_arg(q, SA_INT(f->after_id));
    }
}

static void arm_query(struct request_query *q, const struct plan *p, const struct arm *a)
{
    enum drive d = drive_of(p, a);
    bool ordered = drive_ordered(p, d);

    if (p->count) {
        acc_buf_adds(&q->sql, "SELECT COUNT(*) FROM request r");
    } else if (d == DRIVE_SEARCH) {
        acc_buf_addf(&q->sql, "%s, %s%s", REQUEST_SELECT_COLS, q->search->key, REQUEST_FROM);
    } else {
        /* The sort keys close the row; the ORDER BY names them by position. */
        acc_buf_adds(&q->sql, REQUEST_SELECT_COLS);
        if (p->due)
            acc_buf_adds(&q->sql,
                         ordered ? ", r.resolution_due_at, r.id" : ", +r.resolution_due_at, +r.id");
        else
            acc_buf_adds(&q->sql, ordered ? ", r.id" : ", +r.id");
        acc_buf_adds(&q->sql, REQUEST_FROM);
    }
    if (d == DRIVE_SEARCH)
        acc_buf_adds(&q->sql, q->search->join);
    arm_where(q, p, a, d, ordered);
}

int request_query_build(const struct org_actor *who, const struct request_filter *f, bool count,
                        const char *backend, struct request_query *q, struct acc_err *err)
{
    struct plan p = {f, NULL, f->open, count, !count && f->sort == REQUEST_SORT_DUE, who};
    struct arm arms[2] = {{f->provider_id, f->consumer_id, 0}, {0, 0, 0}};
    int narms = 1;

    memset(q, 0, sizeof(*q));
    acc_buf_init(&q->sql);
    acc_buf_init(&q->search_all);
    acc_buf_init(&q->search_public);
    q->none = true;
    if (f->q) {
        int rc;

        q->search = request_search_sql(backend);
        if (!q->search)
            return acc_fail(err, ACC_EBUG, "/query/q", "the %s store has no full-text search",
                            backend);
        rc = request_search_query(backend, f->q, true, &q->search_all, err);
        if (!rc)
            rc = request_search_query(backend, f->q, false, &q->search_public, err);
        if (rc)
            return rc;
    }
    if (f->status >= 0) {
        int open = f->status != REQUEST_CLOSED;

        if (f->open >= 0 && f->open != open)
            return ACC_OK; /* closed and not closed: nothing */
        p.open = open;
        p.status = request_status_name((enum request_status)f->status);
    } else if (f->open == 0) {
        p.status = request_status_name(REQUEST_CLOSED);
    }
    if (p.due && p.open != 1)
        return acc_fail(err, ACC_EINVAL, "/query/sort",
                        "requests sorted by due instant are those not closed: add open=true or "
                        "a status other than closed");
    /* SPEC 4: administrators see all; others what their department provides or consumes. */
    if (who->role != ORG_ROLE_ADMIN) {
        int64_t d = who->department_id;

        if (!d || (f->provider_id && f->provider_id != d && f->consumer_id && f->consumer_id != d))
            return ACC_OK;
        if (f->provider_id && f->provider_id != d && !f->consumer_id) {
            arms[0].consumer = d;
        } else if (f->consumer_id && f->consumer_id != d && !f->provider_id) {
            arms[0].provider = d;
        } else if (!f->provider_id && !f->consumer_id) {
            arms[0].provider = d;
            arms[1] = (struct arm){0, d, d};
            narms = 2;
        }
    }
    q->none = false;
    if (count && narms == 1 && f->breached == 0 && drive_of(&p, &arms[0]) == DRIVE_ID) {
        /* Not breached, and nothing to drive: all of them less those breached, each counted
         * on an index (breach_at is NULL for most requests, and those are in no index). */
        struct request_filter any = *f, breached = *f;
        struct plan pa = p, pb = p;

        any.breached = -1;
        breached.breached = 1;
        pa.f = &any;
        pb.f = &breached;
        acc_buf_adds(&q->sql, "SELECT (");
        arm_query(q, &pa, &arms[0]);
        acc_buf_adds(&q->sql, ") - (");
        arm_query(q, &pb, &arms[0]);
        acc_buf_adds(&q->sql, ")");
        return ACC_OK;
    }
    if (count && narms == 2)
        acc_buf_adds(&q->sql, "SELECT (");
    for (int i = 0; i < narms; i++) {
        if (i)
            acc_buf_adds(&q->sql, count ? ") + (" : " UNION ALL ");
        arm_query(q, &p, &arms[i]);
    }
    if (count && narms == 2)
        acc_buf_adds(&q->sql, ")");
    if (!count) {
        if (p.due)
            acc_buf_addf(&q->sql, " ORDER BY %d, %d LIMIT ?", REQUEST_COLS + 1, REQUEST_COLS + 2);
        else if (f->q)
            acc_buf_addf(&q->sql, " ORDER BY %d DESC LIMIT ?", REQUEST_COLS + 1);
        else
            acc_buf_addf(&q->sql, " ORDER BY %d LIMIT ?", REQUEST_COLS + 1);
        q_arg(q, SA_INT(f->limit + 1));
    }
    return ACC_OK;
}

void request_query_release(struct request_query *q)
{
    acc_buf_release(&q->sql);
    acc_buf_release(&q->search_all);
    acc_buf_release(&q->search_public);
}

int request_list(struct store *st, const struct org_actor *who, const struct request_filter *f,
                 struct acc_arena *arena, struct request **items, int *n, bool *more,
                 struct acc_err *err)
{
    struct store_stmt *stmt = NULL;
    struct request_query q;
    struct request *list = NULL;
    int count = 0, rc;
    bool extra = false;

    rc = request_query_build(who, f, false, store_backend(st), &q, err);
    if (!rc && !q.none)
        rc = store_exec(st, q.sql.buf, q.args, q.n, &stmt, err);
    if (!rc && !q.none)
        rc = store_collect(stmt, sizeof(*list), f->limit, read_request, arena, (void **)&list,
                           &count, &extra, err);
    request_query_release(&q);
    if (!rc) {
        *items = list;
        *n = count;
        *more = extra;
    }
    return rc;
}

int request_count(struct store *st, const struct org_actor *who, const struct request_filter *f,
                  int64_t *out, struct acc_err *err)
{
    struct request_query q;
    int64_t count = 0;
    int rc;

    rc = request_query_build(who, f, true, store_backend(st), &q, err);
    if (!rc && !q.none)
        rc = store_query_int(st, q.sql.buf, q.args, q.n, &count, err);
    request_query_release(&q);
    if (!rc)
        *out = count;
    return rc;
}

/* ---- writing ---- */

int request_event_add(struct store *st, int64_t request_id, int64_t at, int64_t actor_id,
                      const char *kind, const char *detail_json, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(request_id), SA_INT(at), SA_ID(actor_id), SA_TEXT(kind),
                               SA_TEXT(detail_json ? detail_json : "{}")};

    return store_exec(st,
                      "INSERT INTO request_event (request_id, at, actor_id, kind, detail) VALUES "
                      "(?, ?, ?, ?, ?)",
                      args, ACC_ARRAY_LEN(args), NULL, err);
}

/* Told of every outbox row written (the notification worker wakes); set at start-up. */
static request_outbox_hook_fn *outbox_hook;
static void *outbox_hook_arg;

void request_outbox_hook_set(request_outbox_hook_fn *fn, void *arg)
{
    __atomic_store_n(&outbox_hook_arg, arg, __ATOMIC_RELAXED);
    __atomic_store_n(&outbox_hook, fn, __ATOMIC_RELEASE);
}

/* An instant for a payload: RFC 3339, or null for 0. */
static void jw_instant(struct acc_jw *w, const char *key, int64_t at)
{
    char b[21];

    if (!at) {
        acc_jw_str(w, key, NULL);
        return;
    }
    acc_time_format(at, b);
    acc_jw_str(w, key, b);
}

int request_outbox_add(struct store *st, const struct org_actor *who, const char *type,
                       const struct request *r, const int64_t *people, int n, int64_t now,
                       struct acc_arena *arena, struct acc_err *err)
{
    return request_outbox_add_detail(st, who, type, r, people, n, NULL, now, arena, err);
}

int request_outbox_add_detail(struct store *st, const struct org_actor *who, const char *type,
                              const struct request *r, const int64_t *people, int n,
                              const char *detail_json, int64_t now, struct acc_arena *arena,
                              struct acc_err *err)
{
    request_outbox_hook_fn *hook;
    struct acc_buf list;
    struct acc_jw w;
    int kept = 0, rc;

    if (who->replay)
        return ACC_OK;
    acc_buf_init(&list);
    acc_buf_adds(&list, "[");
    for (int i = 0; i < n; i++) {
        bool seen = people[i] == 0;

        for (int j = 0; j < i && !seen; j++)
            seen = people[j] == people[i];
        if (!seen)
            acc_buf_addf(&list, "%s%lld", kept++ ? "," : "", (long long)people[i]);
    }
    acc_buf_adds(&list, "]");
    /* The request as it stands: webhooks get these fields as their entity. */
    acc_jw_begin(&w);
    acc_jw_int(&w, "id", r->id);
    acc_jw_str(&w, "title", r->title);
    acc_jw_str(&w, "status", request_status_name(r->status));
    acc_jw_str(&w, "priority", r->priority);
    acc_jw_str(&w, "service", r->service.name);
    acc_jw_str(&w, "provider", r->provider.name);
    acc_jw_str(&w, "consumer", r->consumer.name);
    acc_jw_id(&w, "requester_id", r->requester.id);
    acc_jw_id(&w, "assignee_id", r->assignee.id);
    jw_instant(&w, "response_due_at", r->clocks.response_due_at);
    jw_instant(&w, "resolution_due_at", r->clocks.resolution_due_at);
    {
        /* Always written, recipients or not: webhooks want every event. */
        struct store_arg args[] = {SA_TEXT(type),         SA_INT(r->id),
                                   SA_TEXT(list.buf),     SA_TEXT(acc_jw_end(&w, arena)),
                                   SA_ID(who->person_id), SA_TEXT(detail_json ? detail_json : "{}"),
                                   SA_INT(now),           SA_INT(now)};

        rc = store_exec(st,
                        "INSERT INTO outbox (event_type, entity, entity_id, recipients, payload, "
                        "actor_id, detail, created_at, available_at) VALUES (?, 'request', ?, ?, "
                        "?, ?, ?, ?, ?)",
                        args, ACC_ARRAY_LEN(args), NULL, err);
    }
    acc_buf_release(&list);
    hook = __atomic_load_n(&outbox_hook, __ATOMIC_ACQUIRE);
    if (!rc && hook)
        hook(__atomic_load_n(&outbox_hook_arg, __ATOMIC_RELAXED));
    return rc;
}

/* Writes the columns of r that change after creation. */
int request_save(struct store *st, const struct request *r, struct acc_err *err)
{
    const struct request_clocks *c = &r->clocks;
    struct store_arg args[] = {
        SA_TEXT(request_status_name(r->status)),
        SA_ID(r->assignee.id),
        SA_TEXT(r->priority),
        SA_INT(r->priority_factor),
        SA_INT(r->updated_at),
        SA_INT(c->response_target_secs),
        SA_INT(c->response_due_at),
        SA_ID(c->responded_at),
        c->response_met < 0 ? SA_NULL : SA_INT(c->response_met),
        SA_INT(c->resolution_target_secs),
        SA_INT(c->resolution_due_at),
        SA_INT(c->paused_secs),
        SA_ID(c->paused_since),
        SA_ID(c->resolved_at),
        c->resolved_at ? SA_INT(c->resolution_secs) : SA_NULL,
        c->resolution_met < 0 ? SA_NULL : SA_INT(c->resolution_met),
        SA_ID(r->closed_at),
        SA_INT(r->reopen_count),
        SA_INT(r->missing_info_count),
        SA_ID(r->next_fire_at),
        SA_ID(request_breach_at(c)),
        SA_INT(r->id),
    };

    return store_exec(st,
                      "UPDATE request SET status = ?, assignee_id = ?, priority = ?, "
                      "priority_factor = ?, updated_at = ?, response_target_secs = ?, "
                      "response_due_at = ?, responded_at = ?, response_met = ?, "
                      "resolution_target_secs = ?, resolution_due_at = ?, paused_secs = ?, "
                      "paused_since = ?, resolved_at = ?, resolution_secs = ?, "
                      "resolution_met = ?, closed_at = ?, reopen_count = ?, "
                      "missing_info_count = ?, next_fire_at = ?, breach_at = ? WHERE id = ?",
                      args, ACC_ARRAY_LEN(args), NULL, err);
}

static const char *request_snapshot(const struct request *r, struct acc_arena *arena)
{
    struct acc_jw w;

    acc_jw_begin(&w);
    acc_jw_int(&w, "id", r->id);
    acc_jw_int(&w, "contract_id", r->contract_id);
    acc_jw_int(&w, "version_id", r->version_id);
    acc_jw_str(&w, "title", r->title);
    acc_jw_str(&w, "status", request_status_name(r->status));
    acc_jw_id(&w, "assignee_id", r->assignee.id);
    acc_jw_str(&w, "priority", r->priority);
    acc_jw_int(&w, "response_due_at", r->clocks.response_due_at);
    acc_jw_int(&w, "resolution_due_at", r->clocks.resolution_due_at);
    return acc_jw_end(&w, arena);
}

int request_audit(struct store *st, const struct org_actor *who, const struct request *before,
                  const struct request *after, struct acc_arena *arena, struct acc_err *err)
{
    return audit_append(st, who->person_id, who->via, "request", after->id,
                        before ? request_snapshot(before, arena) : NULL,
                        request_snapshot(after, arena), err);
}

/* ---- raising ---- */

/* Who a new request goes to: the service's point person, its deputy, the department's. */
static int64_t first_active(struct store *st, const int64_t *ids, int n, struct acc_arena *arena)
{
    for (int i = 0; i < n; i++) {
        struct org_person p;
        struct acc_err e;

        if (ids[i] && !org_person_get(st, ids[i], arena, &p, &e) && p.active)
            return ids[i];
    }
    return 0;
}

static int input_check(const struct request_input *in, struct acc_err *err)
{
    int rc = ACC_OK;

    if (!in->title || !*in->title)
        return acc_fail(err, ACC_EINVAL, "/title", "title is required");
    rc = acc_text_check(in->title, REQUEST_TITLE_MAX, "/title", err);
    if (!rc)
        rc = acc_text_check(in->description, REQUEST_TEXT_MAX, "/description", err);
    if (!rc)
        rc = acc_text_check(in->external_ref, REQUEST_EXTERNAL_MAX, "/external_ref", err);
    if (!rc && in->external_ref && !*in->external_ref)
        rc = acc_fail(err, ACC_EINVAL, "/external_ref", "external_ref must not be empty");
    return rc;
}

/* Picks the priority: the named one, or the default; none when the contract has none. */
static int pick_priority(const struct contract_terms *t, const char *name,
                         const struct contract_priority **out, struct acc_err *err)
{
    *out = NULL;
    if (!t->n_priorities) {
        if (name)
            return acc_fail(err, ACC_EINVAL, "/priority", "this contract has no priorities");
        return ACC_OK;
    }
    for (int i = 0; i < t->n_priorities; i++)
        if (name ? strcmp(t->priorities[i].name, name) == 0 : t->priorities[i].is_default)
            *out = &t->priorities[i];
    if (!*out)
        return acc_fail(err, ACC_EINVAL, "/priority", "priority '%s' is not one of the contract's",
                        name);
    return ACC_OK;
}

/* Minutes of a target scaled by a priority's factor (milli), in seconds, rounded up. */
int64_t request_target_secs(int64_t minutes, int64_t factor)
{
    return (minutes * 60 * factor + MEASURE_MILLI - 1) / MEASURE_MILLI;
}

int request_create(struct store *st, struct calendar_zones *zones, const struct org_actor *who,
                   const struct request_input *in, int64_t now, struct acc_arena *arena,
                   struct request *out, struct acc_err *err)
{
    return request_create_at(st, zones, who, in, 0, now, arena, out, err);
}

/* Whether version v was in force at instant at: activated, and not yet superseded or retired. */
static bool in_force_at(const struct contract_version *v, int64_t at)
{
    return v->activated_at && v->activated_at <= at &&
           !(v->superseded_at && at >= v->superseded_at) && !(v->retired_at && at >= v->retired_at);
}

int request_create_at(struct store *st, struct calendar_zones *zones, const struct org_actor *who,
                      const struct request_input *in, int version, int64_t now,
                      struct acc_arena *arena, struct request *out, struct acc_err *err)
{
    const struct contract_priority *prio = NULL;
    struct request_binding b;
    struct request r = {0};
    struct contract c;
    int rc;

    rc = input_check(in, err);
    if (!rc)
        rc = contract_get(st, who, in->contract_id, arena, &c, err);
    if (rc == ACC_ENOTFOUND)
        return acc_fail(err, ACC_EINVAL, "/contract_id", "contract %lld does not exist",
                        (long long)in->contract_id);
    if (rc)
        return rc;
    if (!version && !c.active_version)
        return acc_fail(err, ACC_ECONFLICT, "/contract_id",
                        "contract %lld has no active version: requests are raised under "
                        "terms in force",
                        (long long)c.id);
    if (!who->person_id || who->department_id != c.consumer.department.id ||
        (c.consumer.person.id && who->person_id != c.consumer.person.id))
        return acc_fail(err, ACC_EPERM, "", "requests under this contract are raised by %s",
                        c.consumer.person.id ? c.consumer.person.name : c.consumer.department.name);
    rc = request_bind(st, zones, &c, version ? version : c.active_version, arena, &b, err);
    if (!rc && version && !in_force_at(&b.version, now))
        rc = acc_fail(err, ACC_ECONFLICT, "/version",
                      "version %d of contract %lld was not in force at that instant", version,
                      (long long)c.id);
    if (rc) {
        calendar_release(&b.cal);
        return rc;
    }
    rc = pick_priority(&b.version.terms, in->priority, &prio, err);
    r.contract_id = c.id;
    r.version_id = b.version.id;
    r.version_number = b.version.number;
    r.service = c.service;
    r.provider = c.provider.department;
    r.consumer = c.consumer.department;
    r.title = in->title;
    r.description = in->description ? in->description : "";
    r.priority = prio ? prio->name : NULL;
    r.priority_factor = prio ? prio->factor : MEASURE_MILLI;
    r.external_ref = in->external_ref;
    r.requester.id = who->person_id;
    r.status = REQUEST_OPEN;
    r.created_at = r.updated_at = now;
    {
        int64_t candidates[] = {c.provider.person.id, b.service_point, b.service_deputy,
                                b.provider_point};

        r.assignee.id = first_active(st, candidates, ACC_ARRAY_LEN(candidates), arena);
    }
    if (!rc)
        rc = request_clocks_start(
            &b.cal, now, request_target_secs(b.version.terms.response_minutes, r.priority_factor),
            request_target_secs(b.version.terms.resolution_minutes, r.priority_factor), &r.clocks,
            err);
    if (!rc)
        rc = request_next_fire(st, &b, &r, err);
    if (!rc) {
        const struct request_clocks *k = &r.clocks;
        struct store_arg args[] = {SA_INT(r.contract_id),
                                   SA_INT(r.version_id),
                                   SA_INT(r.service.id),
                                   SA_INT(r.provider.id),
                                   SA_INT(r.consumer.id),
                                   SA_TEXT(r.title),
                                   SA_TEXT(r.description),
                                   SA_TEXT(r.priority),
                                   SA_INT(r.priority_factor),
                                   SA_TEXT(r.external_ref),
                                   SA_INT(r.requester.id),
                                   SA_ID(r.assignee.id),
                                   SA_INT(now),
                                   SA_INT(now),
                                   SA_INT(k->response_target_secs),
                                   SA_INT(k->response_due_at),
                                   SA_INT(k->resolution_target_secs),
                                   SA_INT(k->resolution_due_at),
                                   SA_ID(r.next_fire_at),
                                   SA_ID(request_breach_at(k))};

        rc = store_query_int(
            st,
            "INSERT INTO request (contract_id, version_id, service_id, provider_department_id, "
            "consumer_department_id, title, description, priority, priority_factor, "
            "external_ref, requester_id, assignee_id, status, created_at, updated_at, "
            "response_target_secs, response_due_at, resolution_target_secs, resolution_due_at, "
            "next_fire_at, breach_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, "
            "?, ?, ?, ?, ?) RETURNING id",
            args, ACC_ARRAY_LEN(args), &r.id, err);
        if (rc == ACC_ECONFLICT)
            rc = acc_fail(err, ACC_ECONFLICT, "/external_ref",
                          "contract %lld has a request with external reference '%s' already",
                          (long long)c.id, in->external_ref);
    }
    if (!rc) {
        struct acc_jw w;

        acc_jw_begin(&w);
        acc_jw_int(&w, "version", r.version_number);
        acc_jw_str(&w, "priority", r.priority);
        acc_jw_int(&w, "response_due_at", r.clocks.response_due_at);
        acc_jw_int(&w, "resolution_due_at", r.clocks.resolution_due_at);
        rc =
            request_event_add(st, r.id, now, who->person_id, "created", acc_jw_end(&w, arena), err);
    }
    if (!rc && r.assignee.id) {
        struct acc_jw w;

        acc_jw_begin(&w);
        acc_jw_int(&w, "assignee_id", r.assignee.id);
        rc = request_event_add(st, r.id, now, 0, "assigned", acc_jw_end(&w, arena), err);
    }
    if (!rc) {
        struct acc_jw w;

        acc_jw_begin(&w);
        acc_jw_str(&w, "description", r.description);
        acc_jw_str(&w, "external_ref", r.external_ref);
        rc = request_outbox_add_detail(st, who, "request.raised", &r, &r.assignee.id, 1,
                                       acc_jw_end(&w, arena), now, arena, err);
    }
    if (!rc)
        rc = request_load(st, r.id, arena, out, err);
    if (!rc)
        rc = request_audit(st, who, NULL, out, arena, err);
    calendar_release(&b.cal);
    return rc;
}

/* ---- moving ---- */

int request_move(struct store *st, struct calendar_zones *zones, const struct org_actor *who,
                 int64_t id, enum request_status to, const char *reason,
                 enum request_wait_reason wait_reason, int64_t now, struct acc_arena *arena,
                 struct request *out, struct acc_err *err)
{
    struct request before, r;
    struct request_binding b;
    enum request_side side;
    int rc;

    rc = request_get(st, who, id, arena, &before, err);
    if (rc)
        return rc;
    side = who->person_id ? request_side_of(&before, who) : REQUEST_SYSTEM;
    rc = request_move_check(before.status, to, side, err);
    /*
     * Levels due before this instant fire first (a stopped clock fires nothing later); that
     * may close the request automatically, so the move is checked again on what it left.
     */
    if (!rc)
        rc = request_catch_up_first(st, zones, who, &before, now, arena, err);
    if (!rc)
        rc = request_move_check(before.status, to, side, err);
    if (!rc && (to == REQUEST_WAITING || to == REQUEST_REOPENED) && (!reason || !*reason))
        rc = acc_fail(err, ACC_EINVAL, "/reason", "moving to %s needs a reason",
                      request_status_name(to));
    if (!rc)
        rc = acc_text_check(reason, REQUEST_REASON_MAX, "/reason", err);
    if (!rc)
        rc = request_bind_for(st, zones, &before, arena, &b, err);
    if (rc)
        return rc;
    r = before;
    if (side == REQUEST_PROVIDER)
        request_clocks_respond(&r.clocks, now);
    switch (to) {
    case REQUEST_WAITING:
        request_clocks_pause(&r.clocks, now);
        if (wait_reason == REQUEST_WAIT_MISSING_INFO)
            r.missing_info_count++;
        break;
    case REQUEST_IN_PROGRESS:
        rc = request_clocks_resume(&b.cal, &r.clocks, now, err);
        break;
    case REQUEST_RESOLVED:
        rc = request_clocks_resolve(&b.cal, &r.clocks, now, err);
        break;
    case REQUEST_REOPENED:
        r.reopen_count++;
        rc = request_clocks_resume(&b.cal, &r.clocks, now, err);
        break;
    case REQUEST_CLOSED:
        r.closed_at = now;
        break;
    case REQUEST_OPEN:
        break;
    }
    r.status = to;
    r.updated_at = now;
    if (!rc)
        rc = request_next_fire(st, &b, &r, err);
    if (!rc)
        rc = request_save(st, &r, err);
    if (!rc) {
        struct acc_jw w;

        acc_jw_begin(&w);
        acc_jw_str(&w, "from", request_status_name(before.status));
        acc_jw_str(&w, "to", request_status_name(to));
        acc_jw_str(&w, "reason", reason);
        if (to == REQUEST_WAITING)
            acc_jw_bool(&w, "missing_information", wait_reason == REQUEST_WAIT_MISSING_INFO);
        if (r.clocks.resolution_due_at != before.clocks.resolution_due_at)
            acc_jw_int(&w, "resolution_due_at", r.clocks.resolution_due_at);
        rc = request_event_add(st, r.id, now, who->person_id, "status", acc_jw_end(&w, arena), err);
    }
    /* The moves that need the other side: the consumer's turn, or the provider's again. */
    if (!rc && (to == REQUEST_WAITING || to == REQUEST_RESOLVED || to == REQUEST_REOPENED)) {
        struct acc_jw w;

        acc_jw_begin(&w);
        acc_jw_str(&w, "from", request_status_name(before.status));
        acc_jw_str(&w, "reason", reason);
        if (to == REQUEST_WAITING)
            acc_jw_bool(&w, "missing_information", wait_reason == REQUEST_WAIT_MISSING_INFO);
        rc =
            request_outbox_add_detail(st, who,
                                      to == REQUEST_WAITING    ? "request.waiting_on_consumer"
                                      : to == REQUEST_RESOLVED ? "request.resolved"
                                                               : "request.reopened",
                                      &r, to == REQUEST_REOPENED ? &r.assignee.id : &r.requester.id,
                                      1, acc_jw_end(&w, arena), now, arena, err);
    }
    if (!rc)
        rc = request_load(st, id, arena, out, err);
    if (!rc)
        rc = request_audit(st, who, &before, out, arena, err);
    calendar_release(&b.cal);
    return rc;
}

int request_assign(struct store *st, const struct org_actor *who, int64_t id, int64_t assignee_id,
                   int64_t now, struct acc_arena *arena, struct request *out, struct acc_err *err)
{
    struct request before, r;
    struct org_person p;
    int rc;

    rc = request_get(st, who, id, arena, &before, err);
    if (rc)
        return rc;
    if (!(who->role == ORG_ROLE_ADMIN ||
          (who->department_id == before.provider.id &&
           (who->role == ORG_ROLE_HEAD || who->role == ORG_ROLE_POINT_PERSON))))
        return acc_fail(err, ACC_EPERM, "",
                        "the provider's head or a point person of it reassigns requests");
    rc = org_person_get(st, assignee_id, arena, &p, err);
    if (rc == ACC_ENOTFOUND || (!rc && (!p.active || p.department.id != before.provider.id)))
        return acc_fail(err, ACC_EINVAL, "/assignee_id",
                        "the assignee must be an active person of %s", before.provider.name);
    if (rc)
        return rc;
    if (before.status == REQUEST_CLOSED)
        return acc_fail(err, ACC_ECONFLICT, "", "request %lld is closed", (long long)id);
    r = before;
    r.assignee.id = assignee_id;
    r.updated_at = now;
    rc = request_save(st, &r, err);
    if (!rc) {
        struct acc_jw w;

        acc_jw_begin(&w);
        acc_jw_id(&w, "from", before.assignee.id);
        acc_jw_int(&w, "assignee_id", assignee_id);
        rc = request_event_add(st, id, now, who->person_id, "assigned", acc_jw_end(&w, arena), err);
    }
    if (!rc) {
        struct acc_jw w;

        acc_jw_begin(&w);
        acc_jw_id(&w, "from_assignee_id", before.assignee.id);
        rc = request_outbox_add_detail(st, who, "request.assigned", &r, &assignee_id, 1,
                                       acc_jw_end(&w, arena), now, arena, err);
    }
    if (!rc)
        rc = request_load(st, id, arena, out, err);
    if (!rc)
        rc = request_audit(st, who, &before, out, arena, err);
    return rc;
}

/* ---- the conversation ---- */

#define COMMENT_SELECT                                                                             \
    "SELECT c.id, c.request_id, c.author_id, p.name, c.internal, c.body, c.created_at FROM "       \
    "request_comment c LEFT JOIN person p ON p.id = c.author_id "

static int read_comment(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                        struct acc_err *err)
{
    struct request_comment *c = item;

    (void)err;
    c->id = store_col_int(stmt, 0);
    c->request_id = store_col_int(stmt, 1);
    c->author.id = store_col_int(stmt, 2);
    c->author.name = store_col_dup(stmt, 3, arena);
    c->internal = store_col_int(stmt, 4) != 0;
    c->body = store_col_dup(stmt, 5, arena);
    c->created_at = store_col_int(stmt, 6);
    return ACC_OK;
}

int request_comment_add(struct store *st, struct calendar_zones *zones, const struct org_actor *who,
                        int64_t id, const char *body, bool internal, int64_t now,
                        struct acc_arena *arena, struct request_comment *out, struct acc_err *err)
{
    struct request before, r;
    enum request_side side;
    int rc;

    rc = request_get(st, who, id, arena, &before, err);
    if (rc)
        return rc;
    side = request_side_of(&before, who);
    if (!body || !*body)
        return acc_fail(err, ACC_EINVAL, "/body", "body must not be empty");
    rc = acc_text_check(body, REQUEST_TEXT_MAX, "/body", err);
    if (rc)
        return rc;
    if (internal && side != REQUEST_PROVIDER)
        return acc_fail(err, ACC_EPERM, "/internal", "internal notes are the provider's");
    if (before.status == REQUEST_CLOSED)
        return acc_fail(err, ACC_ECONFLICT, "", "request %lld is closed", (long long)id);
    rc = request_catch_up_first(st, zones, who, &before, now, arena, err);
    if (!rc && before.status == REQUEST_CLOSED)
        rc = acc_fail(err, ACC_ECONFLICT, "", "request %lld is closed", (long long)id);
    if (rc)
        return rc;
    {
        struct store_arg args[] = {SA_INT(id), SA_INT(who->person_id), SA_INT(internal),
                                   SA_TEXT(body), SA_INT(now)};
        int64_t cid = 0;

        rc = store_query_int(st,
                             "INSERT INTO request_comment (request_id, author_id, internal, "
                             "body, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                             args, ACC_ARRAY_LEN(args), &cid, err);
        if (!rc) {
            struct acc_jw w;

            acc_jw_begin(&w);
            acc_jw_int(&w, "comment_id", cid);
            rc = request_event_add(st, id, now, who->person_id, internal ? "note" : "comment",
                                   acc_jw_end(&w, arena), err);
        }
        out->id = cid;
    }
    r = before;
    /* The provider's first public word answers the request: the response clock stops. */
    if (!rc && !internal && side == REQUEST_PROVIDER && !before.clocks.responded_at) {
        struct request_binding b;

        rc = request_bind_for(st, zones, &before, arena, &b, err);
        if (!rc) {
            request_clocks_respond(&r.clocks, now);
            r.updated_at = now;
            rc = request_next_fire(st, &b, &r, err);
            calendar_release(&b.cal);
        }
        if (!rc)
            rc = request_save(st, &r, err);
    }
    if (!rc && !internal) {
        int64_t to = side == REQUEST_CONSUMER ? r.assignee.id : r.requester.id;
        struct acc_jw w;

        acc_jw_begin(&w);
        acc_jw_int(&w, "comment_id", out->id);
        acc_jw_str(&w, "body", body);
        rc = request_outbox_add_detail(st, who, "request.comment", &r, &to, 1,
                                       acc_jw_end(&w, arena), now, arena, err);
    }
    if (!rc) {
        struct acc_jw w;

        acc_jw_begin(&w);
        acc_jw_int(&w, "id", out->id);
        acc_jw_int(&w, "request_id", id);
        acc_jw_bool(&w, "internal", internal);
        rc = audit_append(st, who->person_id, who->via, "request_comment", out->id, NULL,
                          acc_jw_end(&w, arena), err);
    }
    if (!rc) {
        struct store_arg args[] = {SA_INT(out->id)};
        struct store_stmt *stmt = NULL;
        bool row = false;

        rc = store_exec(st, COMMENT_SELECT "WHERE c.id = ?", args, 1, &stmt, err);
        if (!rc)
            rc = store_step(stmt, &row, err);
        if (!rc && row)
            rc = read_comment(stmt, out, arena, err);
        store_finish(stmt);
    }
    return rc;
}

int request_comment_list(struct store *st, const struct org_actor *who, int64_t id,
                         int64_t after_id, int limit, struct acc_arena *arena,
                         struct request_comment **items, int *n, bool *more, struct acc_err *err)
{
    struct request r;
    struct store_stmt *stmt = NULL;
    int rc = request_get(st, who, id, arena, &r, err);

    if (!rc) {
        struct store_arg args[] = {SA_INT(id), SA_INT(request_side_of(&r, who) == REQUEST_PROVIDER),
                                   SA_INT(after_id), SA_INT(limit + 1)};

        rc = store_exec(st,
                        COMMENT_SELECT "WHERE c.request_id = ? AND (c.internal = 0 OR ? = 1) "
                                       "AND c.id > ? ORDER BY c.id LIMIT ?",
                        args, ACC_ARRAY_LEN(args), &stmt, err);
    }
    if (!rc)
        rc = store_collect(stmt, sizeof(**items), limit, read_comment, arena, (void **)items, n,
                           more, err);
    return rc;
}

/* ---- the timeline ---- */

static int read_event(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                      struct acc_err *err)
{
    struct request_event *e = item;

    (void)err;
    e->id = store_col_int(stmt, 0);
    e->at = store_col_int(stmt, 1);
    e->actor.id = store_col_int(stmt, 2);
    e->actor.name = store_col_dup(stmt, 3, arena);
    e->kind = store_col_dup(stmt, 4, arena);
    e->detail_json = store_col_dup(stmt, 5, arena);
    return ACC_OK;
}

int request_event_list(struct store *st, const struct org_actor *who, int64_t id, int64_t after_id,
                       int limit, struct acc_arena *arena, struct request_event **items, int *n,
                       bool *more, struct acc_err *err)
{
    struct request r;
    struct store_stmt *stmt = NULL;
    int rc = request_get(st, who, id, arena, &r, err);

    if (!rc) {
        /* Internal notes are the provider's: their events are too. */
        struct store_arg args[] = {SA_INT(id), SA_INT(request_side_of(&r, who) == REQUEST_PROVIDER),
                                   SA_INT(after_id), SA_INT(limit + 1)};

        rc = store_exec(st,
                        "SELECT e.id, e.at, e.actor_id, p.name, e.kind, e.detail FROM "
                        "request_event e LEFT JOIN person p ON p.id = e.actor_id WHERE "
                        "e.request_id = ? AND (e.kind <> 'note' OR ? = 1) AND e.id > ? ORDER BY "
                        "e.id LIMIT ?",
                        args, ACC_ARRAY_LEN(args), &stmt, err);
    }
    if (!rc)
        rc = store_collect(stmt, sizeof(**items), limit, read_event, arena, (void **)items, n, more,
                           err);
    return rc;
}
