/* request_import_test.c: request history import: CSV, every validation error, replay as live. */
#include "base/acc.h"
#include "base/log.h"
#include "calendar/calendar_db.h"
#include "contract/contract.h"
#include "request/request.h"
#include "request/request_import.h"
#include "request/request_int.h"
#include "store/store.h"
#include "t.h"

#define DAY  86400
#define HOUR 3600
#define MIN  60

static struct store *st;
static struct acc_arena *arena;
static struct calendar_zones *zones;
static int64_t now;      /* the imports' now */
static int64_t t0;       /* a whole hour thirty days before now: lives start around it */
static int64_t c_credit; /* Credit check: Finance for Sales, Head office hours, 2 versions */
static int64_t c_laptop; /* Laptop request: IT for Sales, 24x7, 60 and 2880 minutes */
static int64_t c_access; /* Access request: IT for Customer Service, 24x7, 30 and 480 minutes */
static int64_t c_brief;  /* Campaign brief: Marketing for Production */

#define HEADER                                                                                     \
    "contract,external_id,title,requester,created,first_response,waiting,resolved,reopened,"       \
    "closed,comments\n"
#define SARA  "sara.lindqvist@example.org" /* Sales member */
#define SEAN  "sean.obrien@example.org"    /* Sales member */
#define IVAN  "ivan.petrov@example.org"    /* IT point person */
#define CHIDI "chidi.okafor@example.org"   /* Customer Service member */
#define FARID "farid.haddad@example.org"   /* Finance point person */
#define IMRAN "imran.qureshi@example.org"  /* IT member */

/* An RFC 3339 instant in the arena. */
static const char *ts(int64_t t)
{
    char b[21];

    acc_time_format(t, b);
    return acc_arena_strdup(arena, b);
}

static int64_t count(const char *sql)
{
    struct acc_err err = {0};
    int64_t n = -1;

    T_EQ_INT(store_query_int(st, sql, NULL, 0, &n, &err), ACC_OK);
    return n;
}

static int64_t person(const char *email)
{
    struct org_person p = {0};
    struct acc_err err = {0};

    T_EQ_INT(org_person_get_by_email(st, email, arena, &p, &err), ACC_OK);
    return p.id;
}

static int64_t contract_of(const char *service, const char *consumer)
{
    struct org_actor sys = org_actor_system("test");
    struct contract_filter f = {.state = -1, .limit = 50};
    struct contract *items;
    struct acc_err err = {0};
    bool more;
    int n = 0;

    T_EQ_INT(contract_list(st, &sys, &f, arena, &items, &n, &more, &err), ACC_OK);
    for (int i = 0; i < n; i++)
        if (strcmp(items[i].service.name, service) == 0 &&
            strcmp(items[i].consumer.department.name, consumer) == 0)
            return items[i].id;
    T_OK(!"no such demo contract");
    return 0;
}

static void setup(void)
{
    struct org_actor sys = org_actor_system("test");
    struct acc_err err = {0};

    arena = acc_arena_new();
    zones = calendar_zones_new();
    T_EQ_INT(store_open(":memory:", &st, &err), ACC_OK);
    T_EQ_INT(store_migrate(st, NULL, &err), ACC_OK);
    T_EQ_INT(store_begin(st, true, &err), ACC_OK);
    T_EQ_INT(org_demo_populate(st, &sys, "not-a-hash", arena, &err), ACC_OK);
    T_EQ_INT(calendar_demo_populate(st, &sys, arena, &err), ACC_OK);
    T_EQ_INT(contract_demo_populate(st, &sys, arena, &err), ACC_OK);
    now = acc_now();
    T_EQ_INT(contract_demo_backdate(st, now - 365 * DAY, now - 21 * DAY, &err), ACC_OK);
    T_EQ_INT(store_commit(st, &err), ACC_OK);
    t0 = (now - 30 * DAY) / HOUR * HOUR;
    c_credit = contract_of("Credit check", "Sales");
    c_laptop = contract_of("Laptop request", "Sales");
    c_access = contract_of("Access request", "Customer Service");
    c_brief = contract_of("Campaign brief", "Production");
}

/* Imports csv in a transaction of its own; a failed check when the store fails. */
static struct request_import_result import_opts(const char *csv, bool skip_bad, bool dry_run)
{
    struct org_actor sys = org_actor_system("test import");
    struct request_import_options opt = {skip_bad, dry_run, &sys, now, NULL, NULL};
    struct request_import_result res = {0};
    struct acc_err err = {0};

    T_EQ_INT(store_begin(st, true, &err), ACC_OK);
    T_EQ_INT(request_import(st, zones, csv, strlen(csv), &opt, arena, &res, &err), ACC_OK);
    T_EQ_INT(store_commit(st, &err), ACC_OK);
    return res;
}

static struct request_import_result import(const char *csv)
{
    return import_opts(csv, false, false);
}

/* The request of external reference ext, read whatever anyone may see. */
static struct request by_ref(const char *ext)
{
    struct store_arg args[] = {SA_TEXT(ext)};
    struct request r = {0};
    struct acc_err err = {0};
    int64_t id = 0;

    if (store_query_int(st, "SELECT id FROM request WHERE external_ref = ?", args, 1, &id, &err))
        id = 0;
    if (id)
        T_EQ_INT(request_load(st, id, arena, &r, &err), ACC_OK);
    return r;
}

/* ---- CSV ---- */

static void test_csv_quoting_and_line_ends(void)
{
    /* A byte order mark, CRLF, the columns in another order and case, quoted commas, doubled
     * quotes and line breaks inside fields, a blank line, no line end at the very end. */
    const char *csv = acc_arena_printf(
        arena,
        "\xef\xbb\xbf"
        "Title,CONTRACT,external_id,requester,created,description\r\n"
        "\"Credit check, urgent: \"\"Nordwind\"\"\",%lld,Q-1,%s,%s,\"two\r\nlines\"\r\n"
        "\r\n"
        "plain,%lld,Q-2,%s,%s,",
        (long long)c_laptop, SARA, ts(t0), (long long)c_laptop, SEAN, ts(t0 + HOUR));
    struct request_import_result res;
    struct request r;

    res = import(csv);
    T_EQ_INT(res.refused, 0);
    T_EQ_INT(res.rows, 2);
    T_EQ_INT(res.added, 2);
    r = by_ref("Q-1");
    T_EQ_STR(r.title, "Credit check, urgent: \"Nordwind\"");
    T_EQ_STR(r.description, "two\r\nlines");
    T_OK(r.imported);
    r = by_ref("Q-2");
    T_EQ_STR(r.title, "plain");
    T_EQ_STR(r.description, "");
}

/* One bad file: refused, with the first bad row at line and column, its detail containing sub. */
static void expect_refused(const char *csv, int line, const char *column, const char *sub)
{
    int64_t before = count("SELECT COUNT(*) FROM request");
    struct request_import_result res = import(csv);

    T_OK(res.refused);
    T_OK(!res.stored);
    T_OK(res.n_bad_rows >= 1);
    if (res.n_bad_rows < 1)
        return;
    T_EQ_INT(res.bad_rows[0].line, line);
    T_EQ_STR(res.bad_rows[0].column, column);
    if (!strstr(res.bad_rows[0].detail, sub)) {
        char m[400];

        snprintf(m, sizeof(m), "detail '%s' lacks '%s'", res.bad_rows[0].detail, sub);
        t_report(__FILE__, __LINE__, m);
    }
    T_EQ_INT(count("SELECT COUNT(*) FROM request"), before);
}

static void test_csv_errors(void)
{
    const char *row =
        acc_arena_printf(arena, "%lld,E-1,T,%s,%s,,,,,,\n", (long long)c_laptop, SARA, ts(t0));

    expect_refused("", 1, "", "empty");
    expect_refused("contract,external_id,title,requester\n", 1, "created", "lacks");
    expect_refused("contract,external_id,title,requester,created,colour\n", 1, "",
                   "unknown column 'colour'");
    expect_refused("contract,external_id,title,requester,created,title\n", 1, "title", "twice");
    /* A quoted field that never ends: reported at the line its record begins. */
    expect_refused(acc_arena_printf(arena, HEADER "%s%lld,E-2,\"T,%s,%s\n", row,
                                    (long long)c_laptop, SARA, ts(t0)),
                   3, "title", "does not end");
    expect_refused(acc_arena_printf(arena, HEADER "%lld,E-3,T \"x\",%s,%s,,,,,,\n",
                                    (long long)c_laptop, SARA, ts(t0)),
                   2, "title", "quote inside");
    expect_refused(acc_arena_printf(arena, HEADER "%lld,E-4,\"T\"x,%s,%s,,,,,,\n",
                                    (long long)c_laptop, SARA, ts(t0)),
                   2, "title", "follows the closing quote");
    /* A record of another width is one bad row; lines count the breaks inside fields. */
    expect_refused(acc_arena_printf(arena,
                                    HEADER "%lld,E-5,\"multi\nline\ntitle\",%s,%s,,,,,,\n"
                                           "%lld,E-6,T,%s\n",
                                    (long long)c_laptop, SARA, ts(t0), (long long)c_laptop, SARA),
                   5, "", "4 fields, and the header has 11");
    expect_refused(HEADER "1,E-7,T,x,\xff\xfe,,,,,,\n", 2, "created", "UTF-8");
    {
        struct request_import_result res = import(HEADER);

        T_OK(!res.refused);
        T_EQ_INT(res.rows, 0);
    }
}

/* ---- each validation error ---- */

static void test_row_errors(void)
{
    const struct {
        const char *title, *requester, *created; /* created NULL: a good instant */
        const char *column, *sub;
    } cases[] = {
        {"T", "nobody@example.org", NULL, "requester", "no person"},
        {"T", IMRAN, NULL, "requester", "not on the consumer side"},
        {"T", SARA, "2026-13-01T00:00:00Z", "created", "not an RFC 3339 instant"},
        {"T", SARA, "yesterday", "created", "not an RFC 3339 instant"},
        {"", SARA, NULL, "title", "empty"},
    };

    for (size_t i = 0; i < ACC_ARRAY_LEN(cases); i++)
        expect_refused(acc_arena_printf(arena, HEADER "%lld,R-%zu,%s,%s,%s,,,,,,\n",
                                        (long long)c_laptop, i, cases[i].title, cases[i].requester,
                                        cases[i].created ? cases[i].created : ts(t0)),
                       2, cases[i].column, cases[i].sub);
    /* The others, written out. */
    expect_refused(acc_arena_printf(arena, HEADER "999,R-10,T,%s,%s,,,,,,\n", SARA, ts(t0)), 2,
                   "contract", "no contract 999");
    expect_refused(acc_arena_printf(arena, HEADER "abc,R-11,T,%s,%s,,,,,,\n", SARA, ts(t0)), 2,
                   "contract", "not a contract id");
    expect_refused(
        acc_arena_printf(arena, HEADER "%lld, ,T,%s,%s,,,,,,\n", (long long)c_laptop, SARA, ts(t0)),
        2, "external_id", "empty");
    /* Before the first version came in force: no terms to raise it under. */
    expect_refused(acc_arena_printf(arena, HEADER "%lld,R-12,T,%s,%s,,,,,,\n", (long long)c_laptop,
                                    SARA, ts(now - 400 * DAY)),
                   2, "created", "no version in force");
    expect_refused(acc_arena_printf(arena, HEADER "%lld,R-13,T,%s,%s,,,,,,\n", (long long)c_laptop,
                                    SARA, ts(now + DAY)),
                   2, "created", "in the future");
    expect_refused(acc_arena_printf(arena, HEADER "%lld,R-14,T,%s,%s,%s,,,,,\n",
                                    (long long)c_laptop, SARA, ts(t0), ts(t0 - HOUR)),
                   2, "first_response", "before the request was created");
    /* Out of order: a first response after the provider already moved it to waiting. */
    expect_refused(acc_arena_printf(arena, HEADER "%lld,R-15,T,%s,%s,%s,%s/%s,,,,\n",
                                    (long long)c_laptop, SARA, ts(t0), ts(t0 + 3 * HOUR),
                                    ts(t0 + HOUR), ts(t0 + 2 * HOUR)),
                   2, "first_response", "after the provider answered");
    expect_refused(acc_arena_printf(arena, HEADER "%lld,R-16,T,%s,%s,,,,%s,,\n",
                                    (long long)c_laptop, SARA, ts(t0), ts(t0 + HOUR)),
                   2, "reopened", "must follow a resolution");
    expect_refused(acc_arena_printf(arena, HEADER "%lld,R-17,T,%s,%s,,,,,%s,\n",
                                    (long long)c_laptop, SARA, ts(t0), ts(t0 + HOUR)),
                   2, "closed", "must follow a resolution");
    expect_refused(acc_arena_printf(arena, HEADER "%lld,R-18,T,%s,%s,,,%s;%s,,,\n",
                                    (long long)c_laptop, SARA, ts(t0), ts(t0 + HOUR),
                                    ts(t0 + 2 * HOUR)),
                   2, "resolved", "a reopening must come first");
    expect_refused(acc_arena_printf(arena, HEADER "%lld,R-19,T,%s,%s,,%s/%s,%s,,,\n",
                                    (long long)c_laptop, SARA, ts(t0), ts(t0 + HOUR),
                                    ts(t0 + 3 * HOUR), ts(t0 + 2 * HOUR)),
                   2, "resolved", "the wait must end first");
    expect_refused(acc_arena_printf(arena, HEADER "%lld,R-20,T,%s,%s,,%s/%s,,,,\n",
                                    (long long)c_laptop, SARA, ts(t0), ts(t0 + 2 * HOUR),
                                    ts(t0 + HOUR)),
                   2, "waiting", "ends before it starts");
    expect_refused(acc_arena_printf(arena, HEADER "%lld,R-21,T,%s,%s,,%s/;%s/%s,,,,\n",
                                    (long long)c_laptop, SARA, ts(t0), ts(t0 + HOUR),
                                    ts(t0 + 2 * HOUR), ts(t0 + 3 * HOUR)),
                   2, "waiting", "only the last one may still be running");
    expect_refused(acc_arena_printf(arena, HEADER "%lld,R-22,T,%s,%s,,%s,,,,\n",
                                    (long long)c_laptop, SARA, ts(t0), ts(t0 + HOUR)),
                   2, "waiting", "not START/END");
    expect_refused(acc_arena_printf(arena, HEADER "%lld,R-23,T,%s,%s,,,,,,\"%s " FARID " hi\"\n",
                                    (long long)c_laptop, SARA, ts(t0), ts(t0 + HOUR)),
                   2, "comments", "on neither side");
    expect_refused(acc_arena_printf(arena,
                                    HEADER "%lld,R-24,T,%s,%s,,,,,,\"internal:%s " SEAN " hi\"\n",
                                    (long long)c_laptop, SARA, ts(t0), ts(t0 + HOUR)),
                   2, "comments", "internal notes are the provider's");
    expect_refused(acc_arena_printf(arena, HEADER "%lld,R-25,T,%s,%s,,,,,,\"%s " IVAN "\"\n",
                                    (long long)c_laptop, SARA, ts(t0), ts(t0 + HOUR)),
                   2, "comments", "is not '[internal:]INSTANT E-MAIL TEXT'");
    /* A priority the contract lacks: found by request_create_at() during the replay. */
    expect_refused(acc_arena_printf(arena,
                                    "contract,external_id,title,requester,created,priority\n"
                                    "%lld,R-26,T,%s,%s,urgent\n",
                                    (long long)c_laptop, SARA, ts(t0)),
                   2, "priority", "no priorities");
    /* The same external id twice in one file: the second is bad, and so nothing is stored. */
    expect_refused(
        acc_arena_printf(arena, HEADER "%lld,R-27,T,%s,%s,,,,,,\n%lld,R-27,U,%s,%s,,,,,,\n",
                         (long long)c_laptop, SARA, ts(t0), (long long)c_laptop, SEAN, ts(t0)),
        3, "external_id", "on line 2 already");
}

/* As live, a resolved request closes itself five business days (24x7: 120 hours) on. */
static void test_closed_itself(void)
{
    struct request r;

    /* Nothing follows that close but the file's own, late, closing: the same fact. */
    T_EQ_INT(
        import(acc_arena_printf(arena, HEADER "%lld,A-1,T,%s,%s,%s,,%s,,%s,\n", (long long)c_laptop,
                                SARA, ts(t0), ts(t0 + 10 * MIN), ts(t0 + HOUR), ts(t0 + 7 * DAY)))
            .added,
        1);
    r = by_ref("A-1");
    T_EQ_STR(request_status_name(r.status), "closed");
    T_EQ_INT(r.closed_at, t0 + HOUR + 120 * HOUR);
    T_EQ_INT(count(acc_arena_printf(arena,
                                    "SELECT COUNT(*) FROM request_event WHERE request_id = %lld "
                                    "AND kind = 'status' AND actor_id IS NULL AND at = %lld",
                                    (long long)r.id, (long long)(t0 + 121 * HOUR))),
             1);
    /* A reopening or a comment after it cannot be. */
    expect_refused(acc_arena_printf(arena, HEADER "%lld,A-2,T,%s,%s,,,%s;%s,%s,,\n",
                                    (long long)c_laptop, SARA, ts(t0), ts(t0 + HOUR),
                                    ts(t0 + 8 * DAY), ts(t0 + 7 * DAY)),
                   2, "reopened", "closed itself at");
    expect_refused(acc_arena_printf(arena, HEADER "%lld,A-3,T,%s,%s,,,%s,,,\"%s %s thanks\"\n",
                                    (long long)c_laptop, SARA, ts(t0), ts(t0 + HOUR),
                                    ts(t0 + 6 * DAY), SARA),
                   2, "comments", "closed itself at");
    /* Just before it, a reopening is fine. */
    T_EQ_INT(
        import(acc_arena_printf(arena, HEADER "%lld,A-4,T,%s,%s,,,%s,%s,,\n", (long long)c_laptop,
                                SARA, ts(t0), ts(t0 + HOUR), ts(t0 + 121 * HOUR - 1)))
            .added,
        1);
    T_EQ_INT(by_ref("A-4").reopen_count, 1);
}

static void test_skip_bad_and_dry_run(void)
{
    const char *csv = acc_arena_printf(arena,
                                       HEADER "%lld,S-1,T,%s,%s,,,,,,\n"
                                              "%lld,S-2,T,nobody@example.org,%s,,,,,,\n"
                                              "%lld,S-3,T,%s,%s,,,,,,\n",
                                       (long long)c_laptop, SARA, ts(t0), (long long)c_laptop,
                                       ts(t0), (long long)c_laptop, SEAN, ts(t0));
    int64_t before = count("SELECT COUNT(*) FROM request");
    struct request_import_result res;

    res = import(csv);
    T_OK(res.refused);
    T_EQ_INT(res.bad, 1);
    T_EQ_INT(count("SELECT COUNT(*) FROM request"), before);
    res = import_opts(csv, true, true);
    T_OK(!res.refused);
    T_OK(!res.stored);
    T_EQ_INT(res.added, 2);
    T_EQ_INT(count("SELECT COUNT(*) FROM request"), before);
    res = import_opts(csv, true, false);
    T_OK(res.stored);
    T_EQ_INT(res.added, 2);
    T_EQ_INT(res.bad, 1);
    T_EQ_INT(res.bad_rows[0].line, 3);
    T_EQ_STR(res.bad_rows[0].column, "requester");
    T_EQ_INT(count("SELECT COUNT(*) FROM request"), before + 2);
    T_OK(by_ref("S-3").id != 0);
    T_OK(by_ref("S-2").id == 0);
}

/* A digest of what an import writes: counts and sums over the tables. */
static const char *digest(void)
{
    return acc_arena_printf(arena, "%lld/%lld/%lld/%lld/%lld/%lld/%lld",
                            (long long)count("SELECT COUNT(*) FROM request"),
                            (long long)count("SELECT COUNT(*) FROM request_event"),
                            (long long)count("SELECT COUNT(*) FROM request_comment"),
                            (long long)count("SELECT COUNT(*) FROM request_escalation"),
                            (long long)count("SELECT COUNT(*) FROM audit"),
                            (long long)count("SELECT COUNT(*) FROM outbox"),
                            (long long)count("SELECT COALESCE(SUM(updated_at), 0) FROM request"));
}

static void test_idempotent(void)
{
    const char *csv = acc_arena_printf(
        arena, HEADER "%lld,I-1,T,%s,%s,%s,missing:%s/%s,%s,,%s,\"%s " IVAN " on it\"\n",
        (long long)c_laptop, SARA, ts(t0), ts(t0 + 10 * MIN), ts(t0 + HOUR), ts(t0 + 2 * HOUR),
        ts(t0 + 5 * HOUR), ts(t0 + 6 * HOUR), ts(t0 + 10 * MIN));
    struct request_import_result res = import(csv);
    const char *after_first;

    T_EQ_INT(res.added, 1);
    after_first = digest();
    res = import(csv);
    T_EQ_INT(res.added, 0);
    T_EQ_INT(res.existing, 1);
    T_OK(!res.refused);
    T_EQ_STR(digest(), after_first);
}

/* ---- the replay: exact figures on a 24x7 calendar ---- */

static void test_laptop_life(void)
{
    /* Late response (90 min of 60), a 3-hour wait for missing information, resolved after
     * 52 hours (48 + 3 paused: 1 hour late), accepted an hour later. */
    const char *csv = acc_arena_printf(
        arena,
        HEADER "%lld,L-1,Laptop for Simone,%s,%s,%s,missing:%s/%s,%s,,%s,\"%s " IVAN
               " Which keyboard layout?\ninternal:%s " IVAN " chase\\nthem\"\n",
        (long long)c_laptop, SARA, ts(t0), ts(t0 + 90 * MIN), ts(t0 + 2 * HOUR), ts(t0 + 5 * HOUR),
        ts(t0 + 52 * HOUR), ts(t0 + 53 * HOUR), ts(t0 + 2 * HOUR), ts(t0 + 3 * HOUR));
    struct request_import_result res = import(csv);
    struct store_arg args[1];
    struct store_stmt *stmt = NULL;
    struct acc_err err = {0};
    struct request r;
    const struct {
        const char *clock;
        int level;
        int64_t due;
    } want[] = {{"response", 1, t0 + 30 * MIN},
                {"response", 2, t0 + 60 * MIN},
                {"resolution", 3, t0 + 51 * HOUR}};
    bool row;
    int n = 0;

    T_EQ_INT(res.added, 1);
    r = by_ref("L-1");
    T_EQ_STR(request_status_name(r.status), "closed");
    T_EQ_INT(r.clocks.response_due_at, t0 + HOUR);
    T_EQ_INT(r.clocks.responded_at, t0 + 90 * MIN);
    T_EQ_INT(r.clocks.response_met, 0);
    T_EQ_INT(r.clocks.paused_secs, 3 * HOUR);
    T_EQ_INT(r.clocks.resolution_due_at, t0 + 51 * HOUR);
    T_EQ_INT(r.clocks.resolved_at, t0 + 52 * HOUR);
    T_EQ_INT(r.clocks.resolution_secs, 49 * HOUR);
    T_EQ_INT(r.clocks.resolution_met, 0);
    T_EQ_INT(r.closed_at, t0 + 53 * HOUR);
    T_EQ_INT(r.missing_info_count, 1);
    T_EQ_INT(r.next_fire_at, 0);
    /* The response level 2 of IT's policy gives the request to the service's deputy. */
    T_EQ_INT(r.assignee.id, person("isabel.santos@example.org"));
    /* Each level fired at the instant it was due, as a punctual sweeper would have. */
    args[0] = SA_INT(r.id);
    T_EQ_INT(store_exec(st,
                        "SELECT clock, level, due_at, fired_at, manual FROM request_escalation "
                        "WHERE request_id = ? ORDER BY due_at",
                        args, 1, &stmt, &err),
             ACC_OK);
    while (!store_step(stmt, &row, &err) && row && n < (int)ACC_ARRAY_LEN(want)) {
        T_EQ_STR(store_col_text(stmt, 0), want[n].clock);
        T_EQ_INT(store_col_int(stmt, 1), want[n].level);
        T_EQ_INT(store_col_int(stmt, 2), want[n].due);
        T_EQ_INT(store_col_int(stmt, 3), want[n].due);
        T_EQ_INT(store_col_int(stmt, 4), 0);
        n++;
    }
    store_finish(stmt);
    T_EQ_INT(n, 3);
    /* The deputy resolved it: the provider's moves follow the assignee. */
    T_EQ_INT(count(acc_arena_printf(arena,
                                    "SELECT actor_id FROM request_event WHERE request_id = %lld "
                                    "AND kind = 'status' AND detail LIKE '%%\"to\":\"resolved\"%%'",
                                    (long long)r.id)),
             person("isabel.santos@example.org"));
    T_EQ_INT(count(acc_arena_printf(arena,
                                    "SELECT COUNT(*) FROM request_event WHERE request_id = %lld "
                                    "AND kind = 'imported' AND at = %lld",
                                    (long long)r.id, (long long)now)),
             1);
    T_EQ_INT(count(acc_arena_printf(arena,
                                    "SELECT COUNT(*) FROM request_comment WHERE request_id = "
                                    "%lld AND internal = 1 AND body = 'chase' || char(10) || "
                                    "'them'",
                                    (long long)r.id)),
             1);
    T_EQ_INT(count("SELECT COUNT(*) FROM outbox"), 0);
}

/* ---- the replay equals the life played live ---- */

enum step_kind { FIRST, COMMENT, WAIT, MISSING, ANSWER, RESOLVE, REOPEN, CLOSE };

struct step {
    enum step_kind kind;
    int64_t at; /* from the life's start */
};

struct life {
    const char *ref;
    int64_t *contract;
    const char *requester;
    const char *provider; /* who writes the provider's comments */
    int64_t start;        /* from t0 */
    struct step steps[10];
    int n;
};

/* The CSV row of a life. */
static const char *life_csv(const struct life *l)
{
    struct acc_buf first, waiting, resolved, reopened, closed, comments;
    int64_t s = t0 + l->start;
    char *out;

    acc_buf_init(&first);
    acc_buf_init(&waiting);
    acc_buf_init(&resolved);
    acc_buf_init(&reopened);
    acc_buf_init(&closed);
    acc_buf_init(&comments);
    for (int i = 0; i < l->n; i++) {
        const char *at = ts(s + l->steps[i].at);

        switch (l->steps[i].kind) {
        case FIRST:
            acc_buf_adds(&first, at);
            break;
        case COMMENT:
            acc_buf_addf(&comments, "%s%s %s provider words", comments.len ? "\n" : "", at,
                         l->provider);
            break;
        case WAIT:
        case MISSING:
            acc_buf_addf(&waiting, "%s%s%s/", waiting.len ? ";" : "",
                         l->steps[i].kind == MISSING ? "missing:" : "", at);
            break;
        case ANSWER:
            acc_buf_adds(&waiting, at);
            break;
        case RESOLVE:
            acc_buf_addf(&resolved, "%s%s", resolved.len ? ";" : "", at);
            break;
        case REOPEN:
            acc_buf_addf(&reopened, "%s%s", reopened.len ? ";" : "", at);
            break;
        case CLOSE:
            acc_buf_adds(&closed, at);
            break;
        }
    }
    out = acc_arena_printf(arena, "%lld,%s,Life %s,%s,%s,%s,%s,%s,%s,%s,\"%s\"\n",
                           (long long)*l->contract, l->ref, l->ref, l->requester, ts(s), first.buf,
                           waiting.buf, resolved.buf, reopened.buf, closed.buf, comments.buf);
    acc_buf_release(&first);
    acc_buf_release(&waiting);
    acc_buf_release(&resolved);
    acc_buf_release(&reopened);
    acc_buf_release(&closed);
    acc_buf_release(&comments);
    return out;
}

static struct org_actor actor(int64_t id)
{
    struct org_person p = {0};
    struct acc_err err = {0};
    struct org_actor a = {0};

    T_EQ_INT(org_person_get(st, id, arena, &p, &err), ACC_OK);
    a.person_id = p.id;
    a.department_id = p.department.id;
    a.role = p.role;
    a.via = "test live";
    return a;
}

/* What a punctual sweeper does for one request: everything due up to t, when it was due. */
static void live_catch_up(int64_t id, int64_t t)
{
    struct acc_err err = {0};
    struct request r;

    for (int guard = 0; guard < 30; guard++) {
        T_EQ_INT(request_load(st, id, arena, &r, &err), ACC_OK);
        if (!r.next_fire_at || r.next_fire_at > t)
            return;
        T_EQ_INT(request_catch_up(st, zones, id, r.next_fire_at, false, arena, &err), ACC_OK);
    }
    T_OK(!"the catch-up does not settle");
}

/* Plays l live under the version the import bound, as a copy with external reference ext. */
static int64_t play_live(const struct life *l, int version, const char *ext)
{
    struct org_actor req = actor(person(l->requester));
    struct request_input in = {*l->contract, acc_arena_printf(arena, "Life %s", l->ref), "", NULL,
                               ext};
    int64_t s = t0 + l->start;
    struct request_comment c;
    struct acc_err err = {0};
    struct request r;

    T_EQ_INT(store_begin(st, true, &err), ACC_OK);
    T_EQ_INT(request_create_at(st, zones, &req, &in, version, s, arena, &r, &err), ACC_OK);
    for (int i = 0; i < l->n; i++) {
        int64_t at = s + l->steps[i].at;
        struct org_actor prov;

        live_catch_up(r.id, at);
        T_EQ_INT(request_load(st, r.id, arena, &r, &err), ACC_OK);
        prov = actor(r.assignee.id);
        switch (l->steps[i].kind) {
        case FIRST:
            T_EQ_INT(request_move(st, zones, &prov, r.id, REQUEST_IN_PROGRESS, NULL,
                                  REQUEST_WAIT_OTHER, at, arena, &r, &err),
                     ACC_OK);
            break;
        case COMMENT: {
            struct org_actor who = actor(person(l->provider));

            T_EQ_INT(request_comment_add(st, zones, &who, r.id, "provider words", false, at, arena,
                                         &c, &err),
                     ACC_OK);
            break;
        }
        case WAIT:
        case MISSING:
            T_EQ_INT(request_move(st, zones, &prov, r.id, REQUEST_WAITING, "live",
                                  l->steps[i].kind == MISSING ? REQUEST_WAIT_MISSING_INFO
                                                              : REQUEST_WAIT_OTHER,
                                  at, arena, &r, &err),
                     ACC_OK);
            break;
        case ANSWER:
            T_EQ_INT(request_move(st, zones, &req, r.id, REQUEST_IN_PROGRESS, NULL,
                                  REQUEST_WAIT_OTHER, at, arena, &r, &err),
                     ACC_OK);
            break;
        case RESOLVE:
            T_EQ_INT(request_move(st, zones, &prov, r.id, REQUEST_RESOLVED, NULL,
                                  REQUEST_WAIT_OTHER, at, arena, &r, &err),
                     ACC_OK);
            break;
        case REOPEN:
            T_EQ_INT(request_move(st, zones, &req, r.id, REQUEST_REOPENED, "live",
                                  REQUEST_WAIT_OTHER, at, arena, &r, &err),
                     ACC_OK);
            T_EQ_INT(request_move(st, zones, &prov, r.id, REQUEST_IN_PROGRESS, NULL,
                                  REQUEST_WAIT_OTHER, at, arena, &r, &err),
                     ACC_OK);
            break;
        case CLOSE:
            T_EQ_INT(request_move(st, zones, &req, r.id, REQUEST_CLOSED, NULL, REQUEST_WAIT_OTHER,
                                  at, arena, &r, &err),
                     ACC_OK);
            break;
        }
        if (err.code)
            fprintf(stderr, "    live step %d of %s: %s\n", i, l->ref, err.msg);
    }
    live_catch_up(r.id, now);
    T_EQ_INT(request_catch_up(st, zones, r.id, now, false, arena, &err), ACC_OK);
    T_EQ_INT(store_commit(st, &err), ACC_OK);
    return r.id;
}

/* The escalation rows of a request as text. */
static const char *escalations(int64_t id)
{
    struct store_arg args[] = {SA_INT(id)};
    struct store_stmt *stmt = NULL;
    struct acc_err err = {0};
    struct acc_buf b;
    const char *out;
    bool row;

    acc_buf_init(&b);
    T_EQ_INT(store_exec(st,
                        "SELECT clock, level, due_at, fired_at, manual FROM request_escalation "
                        "WHERE request_id = ? ORDER BY clock, level",
                        args, 1, &stmt, &err),
             ACC_OK);
    while (!store_step(stmt, &row, &err) && row)
        acc_buf_addf(&b, "%s/%lld/%lld/%lld/%lld ", store_col_text(stmt, 0),
                     (long long)store_col_int(stmt, 1), (long long)store_col_int(stmt, 2),
                     (long long)store_col_int(stmt, 3), (long long)store_col_int(stmt, 4));
    store_finish(stmt);
    out = acc_arena_strdup(arena, b.buf);
    acc_buf_release(&b);
    return out;
}

/* A request's state as text: everything the clocks and escalations decide. */
static const char *state(const struct request *r)
{
    const struct request_clocks *c = &r->clocks;

    return acc_arena_printf(
        arena,
        "v%lld %s assignee %lld prio %lld | resp due %lld at %lld met %d | res target %lld due "
        "%lld paused %lld since %lld resolved %lld secs %lld met %d | closed %lld reopen %d "
        "missing %d next %lld | %s",
        (long long)r->version_id, request_status_name(r->status), (long long)r->assignee.id,
        (long long)r->priority_factor, (long long)c->response_due_at, (long long)c->responded_at,
        c->response_met, (long long)c->resolution_target_secs, (long long)c->resolution_due_at,
        (long long)c->paused_secs, (long long)c->paused_since, (long long)c->resolved_at,
        (long long)c->resolution_secs, c->resolution_met, (long long)r->closed_at, r->reopen_count,
        r->missing_info_count, (long long)r->next_fire_at, escalations(r->id));
}

static void test_replay_equals_live(void)
{
    static const struct life lives[] = {
        /* Head office hours from a Monday-ish start: late answer, two waits, late fix, accepted. */
        {"EQ-1",
         &c_credit,
         SARA,
         FARID,
         9 * HOUR,
         {{FIRST, 5 * HOUR},
          {MISSING, 6 * HOUR},
          {ANSWER, 26 * HOUR},
          {WAIT, 27 * HOUR},
          {ANSWER, 28 * HOUR},
          {RESOLVE, 4 * DAY},
          {CLOSE, 5 * DAY}},
         7},
        /* The credit check's version 2 (since 21 days ago): resolved, reopened, resolved, and
         * never accepted: it closes itself. */
        {"EQ-2",
         &c_credit,
         SEAN,
         FARID,
         14 * DAY,
         {{COMMENT, 30 * MIN}, {RESOLVE, 3 * HOUR}, {REOPEN, 20 * HOUR}, {RESOLVE, 2 * DAY}},
         4},
        /* 24x7, 30/480 minutes: never answered, still open now: every level fired by now. */
        {"EQ-3", &c_access, CHIDI, IVAN, 25 * DAY, {{0, 0}}, 0},
        /* Answered in time, waiting now for missing information. */
        {"EQ-4",
         &c_access,
         CHIDI,
         IVAN,
         29 * DAY + 20 * HOUR,
         {{FIRST, 10 * MIN}, {MISSING, 20 * MIN}},
         2},
        /* Marketing's brief: reopened twice, the last resolution accepted. */
        {"EQ-5",
         &c_brief,
         "petra.horvat@example.org",
         "marco.bianchi@example.org",
         2 * DAY,
         {{FIRST, 2 * HOUR},
          {RESOLVE, 3 * DAY},
          {REOPEN, 4 * DAY},
          {RESOLVE, 5 * DAY},
          {REOPEN, 6 * DAY},
          {RESOLVE, 9 * DAY},
          {CLOSE, 10 * DAY}},
         7},
    };
    struct acc_buf csv;
    struct request_import_result res;

    acc_buf_init(&csv);
    acc_buf_adds(&csv, HEADER);
    for (size_t i = 0; i < ACC_ARRAY_LEN(lives); i++)
        acc_buf_adds(&csv, life_csv(&lives[i]));
    res = import(csv.buf);
    acc_buf_release(&csv);
    T_EQ_INT(res.added, (int64_t)ACC_ARRAY_LEN(lives));
    if (res.n_bad_rows)
        fprintf(stderr, "    %s\n", request_import_bad_text(&res.bad_rows[0], arena));
    for (size_t i = 0; i < ACC_ARRAY_LEN(lives); i++) {
        struct request imported = by_ref(lives[i].ref), live;
        const char *ext = acc_arena_printf(arena, "%s-live", lives[i].ref);
        struct acc_err err = {0};
        const char *a, *b;

        if (!imported.id)
            continue;
        T_EQ_INT(request_load(st, play_live(&lives[i], imported.version_number, ext), arena, &live,
                              &err),
                 ACC_OK);
        a = state(&imported);
        b = state(&live);
        if (strcmp(a, b) != 0 || getenv("T_VERBOSE"))
            fprintf(stderr, "    %s imported: %s\n    %s live:     %s\n", lives[i].ref, a,
                    lives[i].ref, b);
        T_EQ_STR(a, b);
        T_OK(imported.imported && !live.imported);
    }
    /* History notifies nobody; the same life played live did. */
    T_EQ_INT(count("SELECT COUNT(*) FROM outbox o JOIN request r ON r.id = o.entity_id WHERE "
                   "r.imported = 1"),
             0);
    T_OK(count("SELECT COUNT(*) FROM outbox o JOIN request r ON r.id = o.entity_id WHERE "
               "r.imported = 0") > 0);
    /* The credit check's requests bound the version in force when each was raised. */
    T_EQ_INT(by_ref("EQ-1").version_number, 1);
    T_EQ_INT(by_ref("EQ-2").version_number, 2);
    T_EQ_STR(request_status_name(by_ref("EQ-2").status), "closed");
    T_EQ_STR(request_status_name(by_ref("EQ-4").status), "waiting_on_consumer");
}

/* The demo history imports whole, the same twice over from the same instant. */
static void test_demo_history(void)
{
    struct acc_err err = {0};
    char *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;

    T_EQ_INT(request_demo_csv(st, zones, now, arena, &a, &la, &err), ACC_OK);
    T_EQ_INT(request_demo_csv(st, zones, now, arena, &b, &lb, &err), ACC_OK);
    T_OK(a && b && la == lb && memcmp(a, b, la) == 0);
    if (a) {
        struct request_import_result res = import_opts(a, false, true);

        if (res.n_bad_rows)
            fprintf(stderr, "    %s\n", request_import_bad_text(&res.bad_rows[0], arena));
        T_OK(!res.refused);
        T_OK(res.added >= 200);
    }
    free(a);
    free(b);
}

int main(void)
{
    acc_log_set_quiet(true);
    setup();
    T_RUN(test_csv_quoting_and_line_ends);
    T_RUN(test_csv_errors);
    T_RUN(test_row_errors);
    T_RUN(test_closed_itself);
    T_RUN(test_skip_bad_and_dry_run);
    T_RUN(test_idempotent);
    T_RUN(test_laptop_life);
    T_RUN(test_replay_equals_live);
    T_RUN(test_demo_history);
    calendar_zones_free(zones);
    store_close(st);
    acc_arena_free(arena);
    return t_done();
}
