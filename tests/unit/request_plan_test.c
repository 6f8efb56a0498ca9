/* request_plan_test.c: every list and count of requests runs on an index (SQLite's plans). */
#include "base/acc.h"
#include "base/log.h"
#include "request/request.h"
#include "request/request_int.h"
#include "store/store.h"
#include "t.h"

/*
 * SQLite plans without statistics (accord never runs ANALYZE), so a plan depends on the schema
 * and the query alone: an empty database plans as one of 250,000 requests does. Each case
 * below is a list or a count the API serves; its plan must not read the request table in
 * full ("SCAN r" or "SCAN request" without an index), and must use the index named. A queue
 * (sorted by due instant) must come in order from its index, without a sort. A search must read
 * the full-text index request_search only with its words (a MATCH), and a list of one (newest
 * first) must come in that order from it.
 */

static struct store *st;
static bool verbose;

/* QUEUE: a list in due order served without sorting; SEARCH: a list by id from the words' index
 * without sorting. */
enum { LIST, COUNT, QUEUE, SEARCH };

/* A filter where 0 means "not given" throughout (status + 1, open 1 / closed 2, ...). */
struct spec {
    int status, open, breached; /* REQUEST_* + 1; 1 open, 2 closed; 1 breached, 2 not */
    int64_t provider_id, consumer_id, service_id, contract_id, assignee_id;
    int64_t due_before, raised_from, raised_to;
    bool due, next; /* sorted by due instant (and open); the page after a cursor */
    const char *q;  /* a search */
};

struct plan_case {
    const char *name;
    struct org_actor who;
    struct spec f;
    int kind;
    const char *want; /* a word every plan of the case has: the driving index */
};

#define ADMIN                                                                                      \
    {                                                                                              \
        0, 0, ORG_ROLE_ADMIN, "test", false                                                        \
    }
#define HEAD                                                                                       \
    {                                                                                              \
        2, 1, ORG_ROLE_HEAD, "test", false                                                         \
    } /* of the provider, department 1 */
#define MEMBER                                                                                     \
    {                                                                                              \
        11, 2, ORG_ROLE_MEMBER, "test", false                                                      \
    } /* of the consumer, department 2 */
#define ADMIN_IN                                                                                   \
    {                                                                                              \
        1, 2, ORG_ROLE_ADMIN, "test", false                                                        \
    } /* an administrator who belongs to department 2: its consumer side */
#define NOW 1780000000
#define F(...)                                                                                     \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }
#define DUE      .due = true, .open = 1
#define NEXT     .next = true
#define S(x)     (REQUEST_##x + 1)
#define PK       "USING INTEGER PRIMARY KEY"
#define COVERING "USING COVERING INDEX"
#define Q        .q = "credit e-mail chec"
#define FTS      "SCAN rs VIRTUAL TABLE"

static const struct plan_case cases[] = {
    /* Administrators: everything, each filter alone, and the queues. */
    {"admin list", ADMIN, F(), LIST, PK},
    {"admin list, next page", ADMIN, F(NEXT), LIST, PK},
    {"admin count", ADMIN, F(), COUNT, COVERING},
    {"admin queue of all departments", ADMIN, F(DUE), QUEUE, "request_open"},
    {"admin queue of all departments, next page", ADMIN, F(DUE, NEXT), QUEUE, "request_open"},
    {"admin queue of a department", ADMIN, F(DUE, .provider_id = 1), QUEUE,
     "request_provider_open"},
    {"admin list status", ADMIN, F(.status = S(IN_PROGRESS)), LIST, "request_status"},
    {"admin count status", ADMIN, F(.status = S(IN_PROGRESS)), COUNT, "request_status"},
    {"admin list status closed", ADMIN, F(.status = S(CLOSED)), LIST, "request_status"},
    {"admin list open", ADMIN, F(.open = 1), LIST, "request_status"},
    {"admin count open", ADMIN, F(.open = 1), COUNT, "request_status"},
    {"admin list closed", ADMIN, F(.open = 2), LIST, "request_status"},
    {"admin count closed", ADMIN, F(.open = 2), COUNT, "request_status"},
    {"admin list provider", ADMIN, F(.provider_id = 1), LIST, "request_provider_id"},
    {"admin count provider", ADMIN, F(.provider_id = 1), COUNT, "request_provider_id"},
    {"admin list consumer", ADMIN, F(.consumer_id = 2), LIST, "request_consumer "},
    {"admin count consumer", ADMIN, F(.consumer_id = 2), COUNT, "request_consumer "},
    {"admin list service", ADMIN, F(.service_id = 3), LIST, "request_service"},
    {"admin count service", ADMIN, F(.service_id = 3), COUNT, "request_service"},
    {"admin list contract", ADMIN, F(.contract_id = 4), LIST, "request_contract"},
    {"admin count contract", ADMIN, F(.contract_id = 4), COUNT, "request_contract"},
    {"admin list assignee", ADMIN, F(.assignee_id = 5), LIST, "request_assignee_id"},
    {"admin count assignee", ADMIN, F(.assignee_id = 5), COUNT, "request_assignee_id"},
    {"admin list breached", ADMIN, F(.breached = 1), LIST, "request_breach"},
    {"admin count breached", ADMIN, F(.breached = 1), COUNT, "request_breach"},
    {"admin list not breached", ADMIN, F(.breached = 2), LIST, PK},
    {"admin count not breached", ADMIN, F(.breached = 2), COUNT, "request_breach"},
    {"admin list assignee open", ADMIN, F(.assignee_id = 5, .open = 1), LIST,
     "request_assignee_open"},
    {"admin count assignee open", ADMIN, F(.assignee_id = 5, .open = 1), COUNT,
     "request_assignee_open"},
    {"admin assignee by due", ADMIN, F(DUE, .assignee_id = 5), QUEUE, "request_assignee_open"},
    {"admin list due before", ADMIN, F(.due_before = NOW), LIST, PK},
    {"admin count due before", ADMIN, F(.due_before = NOW), COUNT, COVERING},
    {"admin list raised from", ADMIN, F(.raised_from = NOW - 86400), LIST, "request_created"},
    {"admin list raised between", ADMIN, F(.raised_from = NOW - 86400, .raised_to = NOW), LIST,
     "request_created"},
    {"admin count raised between", ADMIN, F(.raised_from = NOW - 86400, .raised_to = NOW), COUNT,
     "request_created"},
    {"admin list raised to", ADMIN, F(.raised_to = NOW), LIST, "request_created"},
    /* A provider's head: the queue with the UI's filters, and their department's lists. */
    {"head queue", HEAD, F(DUE, .provider_id = 1), QUEUE, "request_provider_open"},
    {"head queue, next page", HEAD, F(DUE, .provider_id = 1, NEXT), QUEUE, "request_provider_open"},
    {"head queue count", HEAD, F(.open = 1, .provider_id = 1), COUNT, "request_provider"},
    {"head queue, status", HEAD, F(DUE, .provider_id = 1, .status = S(WAITING)), QUEUE,
     "request_provider "},
    {"head queue, status, next page", HEAD, F(DUE, .provider_id = 1, .status = S(WAITING), NEXT),
     QUEUE, "request_provider "},
    {"head queue, service", HEAD, F(DUE, .provider_id = 1, .service_id = 3), QUEUE,
     "request_provider_open"},
    {"head queue, assignee", HEAD, F(DUE, .provider_id = 1, .assignee_id = 5), QUEUE,
     "request_provider_open"},
    {"head queue, breached", HEAD, F(DUE, .provider_id = 1, .breached = 1), QUEUE,
     "request_provider_open"},
    {"head queue, not breached", HEAD, F(DUE, .provider_id = 1, .breached = 2), QUEUE,
     "request_provider_open"},
    {"head queue, every filter", HEAD,
     F(DUE, .provider_id = 1, .service_id = 3, .assignee_id = 5, .breached = 1, .due_before = NOW),
     QUEUE, "request_provider_open"},
    {"head queue by id", HEAD, F(.open = 1, .provider_id = 1), LIST, "request_provider"},
    {"head queue count, service", HEAD, F(.open = 1, .provider_id = 1, .service_id = 3), COUNT,
     "request_provider "},
    {"head list", HEAD, F(), LIST, "request_provider_id"},
    {"head list, next page", HEAD, F(NEXT), LIST, "request_provider_id"},
    {"head count", HEAD, F(), COUNT, "request_provider_id"},
    {"head list provider", HEAD, F(.provider_id = 1), LIST, "request_provider_id"},
    {"head list provider closed", HEAD, F(.provider_id = 1, .open = 2), LIST,
     "request_provider_id"},
    {"head count provider closed", HEAD, F(.provider_id = 1, .open = 2), COUNT,
     "request_provider "},
    {"head list of another provider", HEAD, F(.provider_id = 3), LIST, "request_provider_id"},
    {"head list status", HEAD, F(.status = S(IN_PROGRESS)), LIST, "request_provider"},
    {"head count status", HEAD, F(.status = S(IN_PROGRESS)), COUNT, "request_provider"},
    {"head list open", HEAD, F(.open = 1), LIST, "request_provider_open"},
    {"head sorted by due", HEAD, F(DUE), LIST, "request_provider_open"},
    {"head list service", HEAD, F(.service_id = 3), LIST, "request_service"},
    {"head list open, contract", HEAD, F(.open = 1, .contract_id = 4), LIST,
     "request_provider_open"},
    {"admin list open, contract", ADMIN, F(.open = 1, .contract_id = 4), LIST, "request_status"},
    {"head list contract", HEAD, F(.contract_id = 4), LIST, "request_contract"},
    {"head list assignee", HEAD, F(.assignee_id = 5), LIST, "request_assignee_id"},
    {"head list breached", HEAD, F(.breached = 1), LIST, "request_provider_id"},
    {"head count breached", HEAD, F(.breached = 1), COUNT, "request_provider_id"},
    {"head list due before", HEAD, F(.due_before = NOW), LIST, "request_provider_id"},
    {"head list raised between", HEAD, F(.raised_from = NOW - 86400, .raised_to = NOW), LIST,
     "request_created"},
    {"head count raised between", HEAD, F(.raised_from = NOW - 86400, .raised_to = NOW), COUNT,
     "request_created"},
    {"head list raised before", HEAD, F(.raised_to = NOW), LIST, "request_provider_id"},
    /* A consumer's member: "my requests" with the UI's filters. */
    {"member my requests", MEMBER, F(.consumer_id = 2, .open = 1), LIST, "request_consumer_open"},
    {"member my requests count", MEMBER, F(.consumer_id = 2, .open = 1), COUNT,
     "request_consumer_open"},
    {"member my requests, status", MEMBER, F(.consumer_id = 2, .status = S(RESOLVED)), LIST,
     "request_consumer_open"},
    {"member my requests, closed", MEMBER, F(.consumer_id = 2, .status = S(CLOSED)), LIST,
     "request_consumer "},
    {"member my requests, all", MEMBER, F(.consumer_id = 2), LIST, "request_consumer "},
    {"member my requests, all, next page", MEMBER, F(.consumer_id = 2, NEXT), LIST,
     "request_consumer "},
    {"member my requests, service", MEMBER, F(.consumer_id = 2, .open = 1, .service_id = 3), LIST,
     "request_consumer_open"},
    {"member my requests, all, service", MEMBER, F(.consumer_id = 2, .service_id = 3), LIST,
     "request_service"},
    {"member my requests, breached", MEMBER, F(.consumer_id = 2, .open = 1, .breached = 1), LIST,
     "request_consumer_open"},
    {"member my requests by due", MEMBER, F(DUE, .consumer_id = 2), QUEUE, "request_consumer_open"},
    {"member list", MEMBER, F(), LIST, "request_consumer "},
    {"member count", MEMBER, F(), COUNT, "request_consumer "},
    {"member list open", MEMBER, F(.open = 1), LIST, "request_consumer_open"},
    {"member sorted by due", MEMBER, F(DUE), QUEUE, "request_consumer_open"},
    {"member sorted by due, next page", MEMBER, F(DUE, NEXT), QUEUE, "request_consumer_open"},
    {"member list of a provider", MEMBER, F(.provider_id = 1), LIST, "request_provider_id"},
    /* Searches: the words' index drives, newest first, whatever else is asked... */
    {"admin search", ADMIN, F(Q), SEARCH, FTS},
    {"admin search, next page", ADMIN, F(Q, NEXT), SEARCH, FTS},
    {"admin search count", ADMIN, F(Q), COUNT, FTS},
    {"admin search, status", ADMIN, F(Q, .status = S(IN_PROGRESS)), SEARCH, FTS},
    {"admin search count, status", ADMIN, F(Q, .status = S(IN_PROGRESS)), COUNT, FTS},
    {"admin search, open", ADMIN, F(Q, .open = 1), SEARCH, FTS},
    {"admin search count, open", ADMIN, F(Q, .open = 1), COUNT, FTS},
    {"admin search, closed", ADMIN, F(Q, .open = 2), SEARCH, FTS},
    {"admin search, provider", ADMIN, F(Q, .provider_id = 1), SEARCH, FTS},
    {"admin search, consumer", ADMIN, F(Q, .consumer_id = 2), SEARCH, FTS},
    {"admin search, service", ADMIN, F(Q, .service_id = 3), SEARCH, FTS},
    {"admin search, contract", ADMIN, F(Q, .contract_id = 4), SEARCH, FTS},
    {"admin search, assignee", ADMIN, F(Q, .assignee_id = 5), SEARCH, FTS},
    {"admin search count, assignee", ADMIN, F(Q, .assignee_id = 5), COUNT, FTS},
    {"admin search, breached", ADMIN, F(Q, .breached = 1), SEARCH, FTS},
    {"admin search count, not breached", ADMIN, F(Q, .breached = 2), COUNT, FTS},
    {"admin search, due before", ADMIN, F(Q, .due_before = NOW), SEARCH, FTS},
    {"admin search, raised between", ADMIN, F(Q, .raised_from = NOW - 86400, .raised_to = NOW),
     SEARCH, FTS},
    {"admin search, every filter", ADMIN,
     F(Q, .status = S(OPEN), .provider_id = 1, .consumer_id = 2, .service_id = 3, .contract_id = 4,
       .assignee_id = 5, .breached = 1, .due_before = NOW, .raised_from = NOW - 86400,
       .raised_to = NOW, NEXT),
     SEARCH, FTS},
    {"admin of a consumer department, search", ADMIN_IN, F(Q), SEARCH, FTS},
    {"admin of a consumer department, search count", ADMIN_IN, F(Q), COUNT, FTS},
    {"head search", HEAD, F(Q), SEARCH, FTS},
    {"head search, next page", HEAD, F(Q, NEXT), SEARCH, FTS},
    {"head search count", HEAD, F(Q), COUNT, FTS},
    {"head search, open", HEAD, F(Q, .open = 1), SEARCH, FTS},
    {"head search, provider", HEAD, F(Q, .provider_id = 1), SEARCH, FTS},
    {"head search, another provider", HEAD, F(Q, .provider_id = 3), SEARCH, FTS},
    {"member search", MEMBER, F(Q), SEARCH, FTS},
    {"member search count", MEMBER, F(Q), COUNT, FTS},
    {"member my requests, search", MEMBER, F(Q, .consumer_id = 2, .open = 1), SEARCH, FTS},
    {"member my requests, all, search", MEMBER, F(Q, .consumer_id = 2), SEARCH, FTS},
    {"member my requests count, search", MEMBER, F(Q, .consumer_id = 2, .open = 1), COUNT, FTS},
    {"member search, a provider", MEMBER, F(Q, .provider_id = 1), SEARCH, FTS},
    /* ...but a queue in due order comes from its index, the words checked on each row. */
    {"head queue, search", HEAD, F(DUE, .provider_id = 1, Q), QUEUE, "request_provider_open"},
    {"head queue, search, next page", HEAD, F(DUE, .provider_id = 1, Q, NEXT), QUEUE,
     "request_provider_open"},
    {"member sorted by due, search", MEMBER, F(DUE, Q), QUEUE, "request_consumer_open"},
    {"member sorted by due, search, every filter, next page", MEMBER,
     F(DUE, Q, NEXT, .status = S(OPEN), .service_id = 3, .contract_id = 4, .assignee_id = 5,
       .breached = 2, .due_before = NOW, .raised_from = NOW - 86400, .raised_to = NOW),
     QUEUE, "request_provider "},
    {"admin queue of all departments, search", ADMIN, F(DUE, Q), QUEUE, "request_open"},
};

static struct request_filter filter_of(const struct spec *s)
{
    struct request_filter f = {
        .status = s->status - 1,
        .open = s->open == 1   ? 1
                : s->open == 2 ? 0
                               : -1,
        .provider_id = s->provider_id,
        .consumer_id = s->consumer_id,
        .service_id = s->service_id,
        .contract_id = s->contract_id,
        .assignee_id = s->assignee_id,
        .breached = s->breached == 1   ? 1
                    : s->breached == 2 ? 0
                                       : -1,
        .due_before = s->due_before,
        .raised_from = s->raised_from,
        .raised_to = s->raised_to,
        .now = NOW,
        .sort = s->due ? REQUEST_SORT_DUE : REQUEST_SORT_ID,
        .after_id = s->next ? 4242 : 0,
        .after_due = s->next ? NOW : 0,
        .limit = 50,
        .q = s->q,
    };

    return f;
}

/* Runs EXPLAIN QUERY PLAN on q: the steps' details, indented by depth, into out. */
static int explain(const struct request_query *q, struct acc_buf *out, struct acc_err *err)
{
    struct acc_buf sql;
    struct store_stmt *stmt = NULL;
    int64_t ids[64], depth[64];
    int n = 0, rc;
    bool row = false;

    acc_buf_init(&sql);
    acc_buf_addf(&sql, "EXPLAIN QUERY PLAN %s", q->sql.buf);
    rc = store_exec(st, sql.buf, q->args, q->n, &stmt, err);
    while (!rc && !(rc = store_step(stmt, &row, err)) && row) {
        int64_t id = store_col_int(stmt, 0), parent = store_col_int(stmt, 1), d = 0;

        for (int i = 0; i < n; i++)
            if (ids[i] == parent)
                d = depth[i] + 1;
        if (n < 64) {
            ids[n] = id;
            depth[n++] = d;
        }
        acc_buf_addf(out, "%*s%s\n", (int)(2 * d), "", store_col_text(stmt, 3));
    }
    store_finish(stmt);
    acc_buf_release(&sql);
    return rc;
}

/* A step that reads the request table without an index: "SCAN r" or "SCAN request". */
static bool full_scan(const char *plan)
{
    for (const char *line = plan; *line; line = strchr(line, '\n') + 1) {
        const char *step = line + strspn(line, " ");
        size_t len = strcspn(step, "\n");

        if ((strncmp(step, "SCAN r", 6) == 0 && (step[6] == ' ' || step[6] == '\n')) ||
            strncmp(step, "SCAN request", 12) == 0) {
            char text[256];

            snprintf(text, sizeof(text), "%.*s", (int)len, step);
            if (!strstr(text, "USING INDEX") && !strstr(text, "USING COVERING INDEX") &&
                !strstr(text, "USING INTEGER PRIMARY KEY"))
                return true;
        }
        if (!strchr(line, '\n'))
            break;
    }
    return false;
}

/* A step that reads the full-text index without words: FTS5 names a MATCH "M" in its plan. */
static bool fts_unmatched(const char *plan)
{
    for (const char *v = strstr(plan, "VIRTUAL TABLE INDEX"); v;
         v = strstr(v + 1, "VIRTUAL TABLE INDEX")) {
        const char *colon = strchr(v, ':'), *end = strchr(v, '\n');

        if (!colon || (end && colon > end) || !strchr("M=<>", colon[1]) ||
            !memchr(colon, 'M', end ? (size_t)(end - colon) : strlen(colon)))
            return true;
    }
    return false;
}

static void test_plans(void)
{
    for (size_t i = 0; i < ACC_ARRAY_LEN(cases); i++) {
        const struct plan_case *c = &cases[i];
        struct request_query q;
        struct acc_err err = {0};
        struct request_filter f = filter_of(&c->f);
        struct acc_buf plan;
        char what[160];

        acc_buf_init(&plan);
        T_EQ_INT(request_query_build(&c->who, &f, c->kind == COUNT, "sqlite", &q, &err), ACC_OK);
        T_OK(!q.none);
        if (!q.none)
            T_EQ_INT(explain(&q, &plan, &err), ACC_OK);
        if (verbose)
            fprintf(stderr, "-- %s\n%s\n%s\n", c->name, q.sql.buf, plan.buf);
        snprintf(what, sizeof(what), "%s: no full scan of request", c->name);
        if (full_scan(plan.buf))
            t_report(__FILE__, __LINE__, what);
        snprintf(what, sizeof(what), "%s: uses %s", c->name, c->want);
        if (!strstr(plan.buf, c->want))
            t_report(__FILE__, __LINE__, what);
        snprintf(what, sizeof(what), "%s: comes in order without a sort", c->name);
        if ((c->kind == QUEUE || c->kind == SEARCH) && strstr(plan.buf, "TEMP B-TREE"))
            t_report(__FILE__, __LINE__, what);
        snprintf(what, sizeof(what), "%s: reads the words' index with its words", c->name);
        if (c->f.q ? !strstr(plan.buf, "VIRTUAL TABLE INDEX") || fts_unmatched(plan.buf)
                   : strstr(plan.buf, "VIRTUAL TABLE") != NULL)
            t_report(__FILE__, __LINE__, what);
        request_query_release(&q);
        acc_buf_release(&plan);
    }
}

/* The checks above read plans right: a query without a usable index is caught. */
static void test_full_scan_is_caught(void)
{
    struct request_query q = {.n = 0};
    struct acc_err err = {0};
    struct acc_buf plan;

    acc_buf_init(&plan);
    acc_buf_init(&q.sql);
    acc_buf_adds(&q.sql, "SELECT COUNT(*) FROM request r WHERE r.title = 'x'");
    T_EQ_INT(explain(&q, &plan, &err), ACC_OK);
    T_OK(full_scan(plan.buf));
    acc_buf_reset(&plan);
    acc_buf_reset(&q.sql);
    acc_buf_adds(&q.sql, "SELECT r.id FROM request r ORDER BY r.title");
    T_EQ_INT(explain(&q, &plan, &err), ACC_OK);
    T_OK(full_scan(plan.buf));
    T_OK(strstr(plan.buf, "TEMP B-TREE") != NULL);
    acc_buf_reset(&plan);
    acc_buf_reset(&q.sql);
    acc_buf_adds(&q.sql, "SELECT rowid FROM request_search ORDER BY rowid DESC");
    T_EQ_INT(explain(&q, &plan, &err), ACC_OK);
    T_OK(fts_unmatched(plan.buf));
    acc_buf_reset(&plan);
    acc_buf_reset(&q.sql);
    acc_buf_adds(&q.sql, "SELECT rowid FROM request_search WHERE request_search MATCH 'x'");
    T_EQ_INT(explain(&q, &plan, &err), ACC_OK);
    T_OK(!fts_unmatched(plan.buf));
    request_query_release(&q);
    acc_buf_release(&plan);
}

/* Filters that cannot match anything run no query; a due order needs requests not closed. */
static void test_no_query(void)
{
    struct org_actor head = HEAD, third = {20, 7, ORG_ROLE_HEAD, "test", false};
    struct spec s_both = {.provider_id = 3, .consumer_id = 4};
    struct spec s_clash = {.status = S(CLOSED), .open = 1};
    struct spec s_due_closed = {.due = true, .open = 2}, s_due_any = {.due = true};
    struct request_filter both = filter_of(&s_both), clash = filter_of(&s_clash);
    struct request_filter due_closed = filter_of(&s_due_closed), due_any = filter_of(&s_due_any);
    struct request_query q;
    struct acc_err err = {0};

    T_EQ_INT(request_query_build(&head, &both, false, "sqlite", &q, &err), ACC_OK);
    T_OK(q.none);
    request_query_release(&q);
    T_EQ_INT(request_query_build(&head, &clash, true, "sqlite", &q, &err), ACC_OK);
    T_OK(q.none);
    request_query_release(&q);
    third.department_id = 0;
    T_EQ_INT(request_query_build(&third, &due_any, true, "sqlite", &q, &err), ACC_OK);
    T_OK(q.none);
    request_query_release(&q);
    T_EQ_INT(request_query_build(&head, &due_closed, false, "sqlite", &q, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/query/sort");
    request_query_release(&q);
    T_EQ_INT(request_query_build(&head, &due_any, false, "sqlite", &q, &err), ACC_EINVAL);
    request_query_release(&q);
}

int main(void)
{
    struct acc_err err = {0};

    acc_log_set_quiet(true);
    verbose = getenv("T_VERBOSE") != NULL;
    if (store_open(":memory:", &st, &err) || store_migrate(st, NULL, &err)) {
        fprintf(stderr, "cannot set up the database: %s\n", err.msg);
        return 1;
    }
    T_RUN(test_plans);
    T_RUN(test_full_scan_is_caught);
    T_RUN(test_no_query);
    store_close(st);
    return t_done();
}
