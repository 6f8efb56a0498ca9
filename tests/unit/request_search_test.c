/*
 * request_search_test.c: full-text search of requests, on SQLite and, when ACCORD_TEST_PG is
 * set, on PostgreSQL: the words each side finds (a consumer never by an internal note), the
 * index kept current by the migration's triggers and filled by its backfill, safe queries.
 */
#include "base/acc.h"
#include "base/embed.h"
#include "base/log.h"
#include "request/request.h"
#include "request/request_int.h"
#include "store/store.h"
#include "t.h"

#define NOW 1780000000

static struct store *st;
static const char *const test_dsn = ":memory:";

static bool is_pg(void)
{
    return strcmp(store_backend(st), "pgsql") == 0;
}

/* What a person types becomes a query of quoted words, on each backend, or a clear 400. */
static void test_search_words(void)
{
    static const struct {
        const char *q, *backend;
        bool notes;
        const char *want; /* the query text, or the error message's start */
    } words[] = {
        {"credit", "sqlite", true, "\"credit\"*"},
        {"Credit check ", "sqlite", true, "\"Credit\" \"check\""},
        {"e-mail \"4711\" OR NOT ab", "sqlite", true,
         "\"e-mail\" \"\"\"4711\"\"\" \"OR\" \"NOT\" \"ab\""},
        {"  ledger  *  (x) Müll", "sqlite", false,
         "{title comments} : (\"ledger\" \"(x)\" \"Müll\"*)"},
        {"credit e-mail", "pgsql", true, "'credit' & ('e-mail':* | 'e' <-> 'mail':*)"},
        {"it's a\\b (led)", "pgsql", false,
         "('it''s':AB | 'it':AB <-> 's':AB) & ('a\\\\b':AB | 'a':AB <-> 'b':AB) & '(led)':*AB"},
        {"", "sqlite", true, "q has no word"},
        {" - ** ", "pgsql", true, "q has no word"},
        {"1 2 3 4 5 6 7 8 9 10 11", "sqlite", true, "q has more than 10 words"},
        {"\xff\xfe", "sqlite", true, "q is not valid UTF-8"},
    };
    char long_q[REQUEST_SEARCH_MAX + 2];

    for (size_t i = 0; i < ACC_ARRAY_LEN(words); i++) {
        struct acc_err err = {0};
        struct acc_buf out;
        int rc;

        acc_buf_init(&out);
        acc_buf_adds(&out, "");
        rc = request_search_query(words[i].backend, words[i].q, words[i].notes, &out, &err);
        if (strncmp(words[i].want, "q ", 2) == 0) {
            T_EQ_INT(rc, ACC_EINVAL);
            T_EQ_STR(err.field, "/query/q");
            T_OK(strncmp(err.msg, words[i].want, strlen(words[i].want)) == 0);
        } else {
            T_EQ_INT(rc, ACC_OK);
            T_EQ_STR(out.buf, words[i].want);
        }
        acc_buf_release(&out);
    }
    memset(long_q, 'a', sizeof(long_q) - 1);
    long_q[sizeof(long_q) - 1] = '\0';
    {
        struct acc_err err = {0};
        struct acc_buf out;

        acc_buf_init(&out);
        T_EQ_INT(request_search_query("sqlite", long_q, true, &out, &err), ACC_EINVAL);
        T_EQ_STR(err.field, "/query/q");
        acc_buf_release(&out);
    }
}

/*
 * Three departments P (1), C (2) and T (3); request 1 from C to P, request 2 inside P (raised
 * by P2, so its consumer), request 3 from C to P, closed and retitled; comments and internal
 * notes on the first two.
 */
static void populate(void)
{
    static const char *const setup[] = {
        "INSERT INTO department (name, name_key, created_at, updated_at) VALUES ('P', 'p', 0, 0), "
        "('C', 'c', 0, 0), ('T', 't', 0, 0)",
        "INSERT INTO person (email, name, department_id, role, created_at, updated_at) VALUES "
        "('p@x', 'P', 1, 'member', 0, 0), ('c@x', 'C', 2, 'member', 0, 0), "
        "('t@x', 'T', 3, 'member', 0, 0), ('p2@x', 'P2', 1, 'member', 0, 0)",
        "INSERT INTO calendar (name, name_key, zone, hours, created_at, updated_at) VALUES "
        "('UTC', 'utc', 'UTC', '', 0, 0)",
        "INSERT INTO service (provider_id, name, name_key, description, process, outcome, "
        "point_person_id, created_at, updated_at) VALUES (1, 'S', 's', '', '', '', 1, 0, 0)",
        "INSERT INTO contract (service_id, provider_department_id, consumer_department_id, "
        "parties_key, formal, created_at, updated_at) VALUES (1, 1, 2, 'a', 0, 0, 0), "
        "(1, 1, 1, 'b', 0, 0, 0)",
        "INSERT INTO contract_version (contract_id, number, state, summary, calendar_id, "
        "response_minutes, resolution_minutes, weight_task, weight_relationship, "
        "weight_learning, min_n, review_cadence, measure_period, created_at, updated_at) VALUES "
        "(1, 1, 'active', '', 1, 60, 60, 1, 1, 1, 1, 'quarterly', 'month', 0, 0), "
        "(2, 1, 'active', '', 1, 60, 60, 1, 1, 1, 1, 'quarterly', 'month', 0, 0)",
        /* 1: between the departments; 2: inside P, raised by P2 (the consumer); 3: closed. */
        "INSERT INTO request (contract_id, version_id, service_id, provider_department_id, "
        "consumer_department_id, title, description, priority_factor, requester_id, status, "
        "created_at, updated_at, response_target_secs, response_due_at, "
        "resolution_target_secs, resolution_due_at) VALUES "
        "(1, 1, 1, 1, 2, 'Credit check for Müller', '', 1000, 2, 'open', 0, 0, 0, 0, 0, 0), "
        "(2, 2, 1, 1, 1, 'Laptop for P2', '', 1000, 4, 'open', 0, 0, 0, 0, 0, 0), "
        "(1, 1, 1, 1, 2, 'Credit limit', '', 1000, 2, 'closed', 0, 0, 0, 0, 0, 0)",
        "INSERT INTO request_comment (request_id, author_id, internal, body, created_at) VALUES "
        "(1, 2, 0, 'Customer number 4711', 0), (1, 1, 1, 'Check the ledger first', 0), "
        "(2, 1, 1, 'ledger of laptops', 0), "
        "(2, 4, 0, 'an e-mail to IT, cc fiona.clarke@example.org', 0)",
        "UPDATE request SET title = 'Credit limit raised' WHERE id = 3",
    };
    struct acc_err err = {0};

    for (size_t i = 0; i < ACC_ARRAY_LEN(setup); i++)
        if (store_script(st, setup[i], &err))
            t_report(__FILE__, __LINE__, err.msg);
}

/* The words found by each actor: lists (newest first, or in due order) and counts. */
static void test_search_finds(void)
{
    static const struct {
        struct org_actor who;
        const char *q;
        int64_t consumer; /* a filter */
        bool due;         /* in due order (open) */
        const char *want; /* the ids found, newest first, then the count */
        bool lite;        /* SQLite only: PostgreSQL's 'simple' keeps diacritics */
    } runs[] = {
        {{1, 1, ORG_ROLE_MEMBER, "test", false}, "ledger", 0, false, "2,1;2", false},
        {{1, 1, ORG_ROLE_MEMBER, "test", false}, "ledg", 0, false, "2,1;2", false},
        {{1, 1, ORG_ROLE_MEMBER, "test", false}, "ledger", 0, true, "1,2;2", false},
        {{4, 1, ORG_ROLE_MEMBER, "test", false}, "ledger", 0, false, "1;1", false},
        {{4, 1, ORG_ROLE_MEMBER, "test", false}, "ledger", 0, true, "1;1", false},
        {{4, 1, ORG_ROLE_MEMBER, "test", false}, "e-mail", 1, false, "2;1", false},
        {{2, 2, ORG_ROLE_MEMBER, "test", false}, "ledger", 0, false, ";0", false},
        {{2, 2, ORG_ROLE_MEMBER, "test", false}, "ledger", 2, true, ";0", false},
        {{2, 2, ORG_ROLE_MEMBER, "test", false}, "credit", 0, false, "3,1;2", false},
        {{2, 2, ORG_ROLE_MEMBER, "test", false}, "Müller 4711", 2, false, "1;1", false},
        {{2, 2, ORG_ROLE_MEMBER, "test", false}, "muller", 2, false, "1;1", true},
        {{2, 2, ORG_ROLE_MEMBER, "test", false}, "number customer", 0, false, "1;1", false},
        {{2, 2, ORG_ROLE_MEMBER, "test", false}, "customer credit 47", 0, false, ";0", false},
        {{2, 2, ORG_ROLE_MEMBER, "test", false}, "customer credit 47 ", 0, false, ";0", false},
        {{2, 2, ORG_ROLE_MEMBER, "test", false}, "customer credit 471", 0, false, "1;1", false},
        {{2, 2, ORG_ROLE_MEMBER, "test", false}, "credit-check", 0, false, "1;1", false},
        {{2, 2, ORG_ROLE_MEMBER, "test", false}, "check-credit", 0, false, ";0", false},
        {{1, 1, ORG_ROLE_MEMBER, "test", false},
         "fiona.clarke@example.org",
         0,
         false,
         "2;1",
         false},
        /* PostgreSQL's parser keeps an address whole: a part of it is no word there. */
        {{1, 1, ORG_ROLE_MEMBER, "test", false}, "Fiona.Clarke@EXAMPLE", 0, false, "2;1", true},
        {{2, 2, ORG_ROLE_MEMBER, "test", false}, "RAISED", 0, false, "3;1", false},
        {{3, 3, ORG_ROLE_MEMBER, "test", false}, "credit", 0, false, ";0", false},
        {{0, 0, ORG_ROLE_ADMIN, "test", false}, "ledger", 0, false, "2,1;2", false},
        {{5, 2, ORG_ROLE_ADMIN, "test", false}, "ledger", 0, false, "2;1", false},
        {{5, 2, ORG_ROLE_ADMIN, "test", false}, "ledger", 0, true, "2;1", false},
    };
    struct acc_err err = {0};

    for (size_t i = 0; i < ACC_ARRAY_LEN(runs); i++) {
        struct request_filter f = {.status = -1,
                                   .open = runs[i].due ? 1 : -1,
                                   .breached = -1,
                                   .consumer_id = runs[i].consumer,
                                   .now = NOW,
                                   .limit = 10,
                                   .q = runs[i].q};
        struct acc_arena *arena = acc_arena_new();
        struct request *items = NULL;
        struct acc_buf got;
        int64_t count = -1;
        bool more = false;
        int n = 0;

        if (runs[i].lite && is_pg()) {
            acc_arena_free(arena);
            continue;
        }
        f.sort = runs[i].due ? REQUEST_SORT_DUE : REQUEST_SORT_ID;
        acc_buf_init(&got);
        acc_buf_adds(&got, "");
        T_EQ_INT(request_list(st, &runs[i].who, &f, arena, &items, &n, &more, &err), ACC_OK);
        for (int k = 0; k < n; k++)
            acc_buf_addf(&got, "%s%lld", k ? "," : "", (long long)items[k].id);
        f.sort = REQUEST_SORT_ID;
        T_EQ_INT(request_count(st, &runs[i].who, &f, &count, &err), ACC_OK);
        acc_buf_addf(&got, ";%lld", (long long)count);
        if (strcmp(got.buf, runs[i].want) != 0) {
            char what[200];

            snprintf(what, sizeof(what), "case %zu, person %lld, q '%s': got %s, want %s", i,
                     (long long)runs[i].who.person_id, runs[i].q, got.buf, runs[i].want);
            t_report(__FILE__, __LINE__, what);
        }
        acc_buf_release(&got);
        acc_arena_free(arena);
    }
}

/* Pages of one result follow each other newest first, by cursor, and end. */
static void test_search_pages(void)
{
    struct org_actor who = {1, 1, ORG_ROLE_MEMBER, "test", false};
    struct request_filter f = {
        .status = -1, .open = -1, .breached = -1, .now = NOW, .limit = 1, .q = "credit"};
    int64_t want[] = {3, 1};
    struct acc_err err = {0};

    for (size_t page = 0; page < ACC_ARRAY_LEN(want); page++) {
        struct acc_arena *arena = acc_arena_new();
        struct request *items = NULL;
        bool more = false;
        int n = 0;

        T_EQ_INT(request_list(st, &who, &f, arena, &items, &n, &more, &err), ACC_OK);
        T_EQ_INT(n, 1);
        if (n == 1) {
            T_EQ_INT(items[0].id, want[page]);
            f.after_id = items[0].id;
        }
        T_EQ_INT(more, page + 1 < ACC_ARRAY_LEN(want));
        acc_arena_free(arena);
    }
}

/* Bad words are a 400 at /query/q, from the list and the count alike, whatever else. */
static void test_search_refused(void)
{
    struct org_actor who = {1, 1, ORG_ROLE_MEMBER, "test", false};
    struct request_filter f = {
        .status = REQUEST_CLOSED, .open = 1, .breached = -1, .now = NOW, .limit = 1, .q = " ?! "};
    struct acc_arena *arena = acc_arena_new();
    struct request *items = NULL;
    struct acc_err err = {0};
    int64_t count = 0;
    bool more = false;
    int n = 0;

    T_EQ_INT(request_list(st, &who, &f, arena, &items, &n, &more, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/query/q");
    T_EQ_INT(request_count(st, &who, &f, &count, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/query/q");
    acc_arena_free(arena);
}

/* What migration 0006 made, dropped; then its file run again on the requests there are. */
static void test_backfill(void)
{
    static const char *const lite_drop =
        "DROP TRIGGER request_search_insert; DROP TRIGGER request_search_retitle_old; "
        "DROP TRIGGER request_search_retitle_new; DROP TRIGGER request_search_delete; "
        "DROP TRIGGER request_search_comment_old; DROP TRIGGER request_search_comment_new; "
        "DROP TRIGGER request_search_recomment_old; DROP TRIGGER request_search_recomment_new; "
        "DROP TRIGGER request_search_uncomment_old; DROP TRIGGER request_search_uncomment_new; "
        "DROP TABLE request_search; DROP VIEW request_search_text";
    static const char *const pg_drop =
        "DROP TABLE request_search; DROP FUNCTION request_search_request() CASCADE; "
        "DROP FUNCTION request_search_comment() CASCADE; DROP FUNCTION request_search_doc(BIGINT)";
    struct acc_arena *arena = acc_arena_new();
    struct acc_err err = {0};
    char name[64];
    bool found = false;

    snprintf(name, sizeof(name), "0006_request_search.%s.sql", store_backend(st));
    T_EQ_INT(store_script(st, is_pg() ? pg_drop : lite_drop, &err), ACC_OK);
    for (size_t i = 0; i < acc_sql_count; i++) {
        if (strcmp(acc_sql_files[i].name, name) != 0)
            continue;
        found = true;
        if (store_script(
                st,
                acc_arena_strndup(arena, (const char *)acc_sql_files[i].data, acc_sql_files[i].len),
                &err))
            t_report(__FILE__, __LINE__, err.msg);
    }
    T_OK(found);
    acc_arena_free(arena);
    /* The same words are found as before, and the index follows changes from now on. */
    test_search_finds();
    test_search_pages();
}

/* FTS5's own check that the index holds exactly the words of request_search_text. */
static void test_index_matches_text(void)
{
    struct acc_err err = {0};

    if (store_script(st, "INSERT INTO request_search (request_search) VALUES ('integrity-check')",
                     &err))
        t_report(__FILE__, __LINE__, err.msg);
}

/* Opens dsn with the schema of this accord: a new :memory: database, or a schema of its own. */
static bool open_db(const char *dsn)
{
    struct acc_err err = {0};

    if (store_open(dsn, &st, &err)) {
        fprintf(stderr, "cannot open the database: %s\n", err.msg);
        return false;
    }
    /* Its own schema on PostgreSQL, so that other suites' tables stay as they are. */
    if (is_pg() && store_script(st,
                                "DROP SCHEMA IF EXISTS accord_search_test CASCADE; CREATE SCHEMA "
                                "accord_search_test; SET search_path TO accord_search_test",
                                &err)) {
        fprintf(stderr, "cannot make a schema: %s\n", err.msg);
        return false;
    }
    if (store_migrate(st, NULL, &err)) {
        fprintf(stderr, "cannot migrate: %s\n", err.msg);
        return false;
    }
    return true;
}

static void run_on(const char *dsn)
{
    static const struct {
        const char *name;
        void (*fn)(void);
        bool lite;
    } tests[] = {
        {"populate (the triggers index what is written)", populate, false},
        {"test_search_finds", test_search_finds, false},
        {"test_search_pages", test_search_pages, false},
        {"test_search_refused", test_search_refused, false},
        {"test_index_matches_text", test_index_matches_text, true},
        {"test_backfill", test_backfill, false},
        {"test_index_matches_text (after the backfill)", test_index_matches_text, true},
    };
    char name[96];

    if (!open_db(dsn)) {
        t_failed++;
        store_close(st);
        return;
    }
    for (size_t i = 0; i < ACC_ARRAY_LEN(tests); i++) {
        if (tests[i].lite && is_pg())
            continue;
        snprintf(name, sizeof(name), "%s: %s", store_backend(st), tests[i].name);
        t_run(name, tests[i].fn);
    }
    if (is_pg()) {
        struct acc_err err = {0};

        store_script(st, "DROP SCHEMA accord_search_test CASCADE", &err);
    }
    store_close(st);
}

int main(void)
{
    const char *pg = getenv("ACCORD_TEST_PG");

    acc_log_set_quiet(true);
    T_RUN(test_search_words);
    run_on(test_dsn);
    if (!pg || !*pg) {
        printf("postgresql: skipped (ACCORD_TEST_PG not set)\n");
    } else {
#ifdef ACC_WITH_PGSQL
        run_on(pg);
#else
        printf("postgresql: skipped (this build has no PostgreSQL; build with PGSQL=1)\n");
#endif
    }
    return t_done();
}
