/* notify_outbox_test.c: the outbox on a real SQLite file: fan-out, claims with a lease, outcomes.
 */
#include "base/acc.h"
#include "base/log.h"
#include "notify/notify_int.h"
#include "store/store.h"
#include "org_fixture.h"
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define T0 1700000000LL /* every instant below counts from here */

static char path[64];
static struct store *st, *st2; /* two connections to one file: two workers */
static struct acc_arena *arena;
static struct notify_config cfg;
static int64_t sales, it, sara, sam, ivan, gone, admin;
static struct org_actor admin_actor;

/* A query's integer answer (-1 on error). */
static int64_t num(const char *fmt, ...) ACC_PRINTF(1, 2);
static int64_t num(const char *fmt, ...)
{
    char sql[512];
    struct acc_err err;
    int64_t v = -1;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    if (store_query_int(st, sql, NULL, 0, &v, &err))
        v = -1;
    return v;
}

/* The rows of a query as "a,b;c,d;" (NULL as "-"), n columns. */
static const char *rows(int n, const char *fmt, ...) ACC_PRINTF(2, 3);
static const char *rows(int n, const char *fmt, ...)
{
    char sql[512];
    struct acc_err err;
    struct store_stmt *stmt = NULL;
    struct acc_buf b;
    const char *out;
    va_list ap;
    bool row;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    acc_buf_init(&b);
    if (!store_exec(st, sql, NULL, 0, &stmt, &err))
        while (!store_step(stmt, &row, &err) && row) {
            for (int i = 0; i < n; i++)
                acc_buf_addf(&b, "%s%s", i ? "," : "",
                             store_col_null(stmt, i) ? "-" : store_col_text(stmt, i));
            acc_buf_adds(&b, ";");
        }
    store_finish(stmt);
    out = acc_arena_strdup(arena, b.buf);
    acc_buf_release(&b);
    return out;
}

static void exec(const char *sql)
{
    struct acc_err err;

    T_EQ_INT(store_exec(st, sql, NULL, 0, NULL, &err), ACC_OK);
}

/* An active webhook wanting types (a NULL-terminated list); its id. */
static int64_t hook(const char *url, bool active, ...)
{
    const char *types[8];
    struct notify_webhook_input in = {
        .url = url, .has_url = true, .active = active, .has_active = true, .has_types = true};
    struct notify_webhook w = {0};
    struct acc_err err = {0};
    const char *secret = NULL;
    va_list ap;

    va_start(ap, active);
    while (in.n_types < 8 && (types[in.n_types] = va_arg(ap, const char *)))
        in.n_types++;
    va_end(ap);
    in.event_types = types;
    T_EQ_INT(notify_webhook_create(st, &admin_actor, &in, T0, arena, &w, &secret, &err), ACC_OK);
    T_OK(secret && strncmp(secret, "whsec_", 6) == 0 && strlen(secret) == 70);
    return w.id;
}

static void setup(void)
{
    struct acc_err err = {0};
    int fd;

    snprintf(path, sizeof(path), "/tmp/accord-notify-test-XXXXXX");
    fd = mkstemp(path);
    close(fd);
    unlink(path);
    T_EQ_INT(store_open(path, &st, &err), ACC_OK);
    T_EQ_INT(store_migrate(st, NULL, &err), ACC_OK);
    T_EQ_INT(store_open(path, &st2, &err), ACC_OK);
    sales = fx_department(st, arena, "Sales");
    it = fx_department(st, arena, "IT");
    admin = fx_person(st, arena, "Alex Admin", "admin@example.org", it, ORG_ROLE_ADMIN);
    sara = fx_person(st, arena, "Sara Lindqvist", "sara@example.org", sales, ORG_ROLE_MEMBER);
    sam = fx_person(st, arena, "Samuel Reed", "sam@example.org", sales, ORG_ROLE_HEAD);
    ivan = fx_person(st, arena, "Ivan Petrov", "ivan@example.org", it, ORG_ROLE_POINT_PERSON);
    gone = fx_person(st, arena, "Gone Away", "gone@example.org", it, ORG_ROLE_MEMBER);
    {
        char sql[80];

        snprintf(sql, sizeof(sql), "UPDATE person SET active = 0 WHERE id = %lld", (long long)gone);
        exec(sql);
    }
    admin_actor = fx_actor(admin, it, ORG_ROLE_ADMIN);
    notify_config_init(&cfg);
    T_EQ_INT(notify_config_set(&cfg, "base_url", "https://accord.test", &err), ACC_OK);
    T_EQ_INT(notify_config_set(&cfg, "smtp_host", "127.0.0.1", &err), ACC_OK);
    T_EQ_INT(notify_config_set(&cfg, "smtp_from", "accord@example.org", &err), ACC_OK);
    T_EQ_INT(notify_config_set(&cfg, "attempts", "3", &err), ACC_OK);
}

/* An event about request 42 at T0 + at for people, by actor. */
static void event(const char *type, int64_t actor, int64_t at, const int64_t *people, int n)
{
    struct acc_err err = {0};

    T_EQ_INT(notify_enqueue(st, type, "request", 42, people, n, actor,
                            "{\"id\":42,\"title\":\"Laptop\",\"status\":\"open\"}",
                            "{\"body\":\"hello\"}", T0 + at, &err),
             ACC_OK);
}

static void test_enqueue_checks_type(void)
{
    struct acc_err err = {0};

    T_EQ_INT(notify_enqueue(st, "request.deleted", "request", 1, NULL, 0, 0, NULL, NULL, T0, &err),
             ACC_EINVAL);
    T_EQ_INT(num("SELECT COUNT(*) FROM outbox"), 0);
}

/*
 * One comment fans out into one POST per active webhook that wants it and one e-mail per
 * active recipient who wants it, but not to who acted; all of them share the event's id.
 */
static void test_fan_out(void)
{
    int64_t people[] = {sara, sam, ivan, 0, sara, gone};
    int64_t h_comment, h_all, h_raised, h_off, ev;
    struct notify_pref off = {notify_type_find("request.comment"), false};
    struct org_actor sam_actor = fx_actor(sam, sales, ORG_ROLE_HEAD);
    struct acc_err err = {0};
    int n = -1;

    h_comment = hook("https://a.example.org/", true, "request.comment", NULL);
    h_all = hook("https://b.example.org/", true, "*", "request.comment", NULL);
    h_raised = hook("https://c.example.org/", true, "request.raised", NULL);
    h_off = hook("https://d.example.org/", false, "*", NULL);
    T_EQ_INT(notify_prefs_set(st, &sam_actor, &off, 1, T0, arena, &err), ACC_OK);

    event("request.comment", ivan, 0, people, ACC_ARRAY_LEN(people));
    ev = num("SELECT MAX(id) FROM outbox");
    T_EQ_STR(
        rows(3, "SELECT recipients, actor_id, channel FROM outbox WHERE id = %lld", (long long)ev),
        acc_arena_printf(arena, "[%lld,%lld,%lld,%lld],%lld,event;", (long long)sara,
                         (long long)sam, (long long)ivan, (long long)gone, (long long)ivan));
    /* Not due before its instant. */
    T_EQ_INT(notify_outbox_fan_out(st, &cfg, T0 - 1, 100, &n, &err), ACC_OK);
    T_EQ_INT(n, 0);
    T_EQ_INT(notify_outbox_fan_out(st, &cfg, T0, 100, &n, &err), ACC_OK);
    T_EQ_INT(n, 1);
    T_EQ_STR(rows(2, "SELECT state, length(event_uid) FROM outbox WHERE id = %lld", (long long)ev),
             "done,36;");
    T_EQ_STR(rows(4,
                  "SELECT channel, target_id, address, state FROM outbox WHERE event_id = %lld "
                  "ORDER BY channel, target_id",
                  (long long)ev),
             acc_arena_printf(arena,
                              "email,%lld,sara@example.org,pending;webhook,%lld,https://"
                              "a.example.org/,pending;webhook,%lld,https://b.example.org/,pending;",
                              (long long)sara, (long long)h_comment, (long long)h_all));
    T_EQ_INT(num("SELECT COUNT(DISTINCT event_uid) FROM outbox WHERE event_id = %lld OR id = %lld",
                 (long long)ev, (long long)ev),
             1);
    T_EQ_INT(num("SELECT COUNT(*) FROM outbox WHERE target_id IN (%lld, %lld)", (long long)h_raised,
                 (long long)h_off),
             0);
    /* The e-mail is the whole message; the POST the JSON event. */
    T_OK(strstr(rows(1, "SELECT payload FROM outbox WHERE event_id = %lld AND channel = 'email'",
                     (long long)ev),
                "To: Sara Lindqvist <sara@example.org>\r\n") != NULL);
    T_OK(strncmp(rows(1,
                      "SELECT payload FROM outbox WHERE event_id = %lld AND target_id = %lld AND "
                      "channel = 'webhook'",
                      (long long)ev, (long long)h_all),
                 "{\"id\":\"", 7) == 0);
    /* Done once: fanning out again finds nothing. */
    T_EQ_INT(notify_outbox_fan_out(st, &cfg, T0 + 5, 100, &n, &err), ACC_OK);
    T_EQ_INT(n, 0);

    /* Escalations reach their recipients even with an old "off" stored for them. */
    exec("INSERT INTO notify_pref (person_id, event_type, email, updated_at) SELECT id, "
         "'request.escalated', 0, 0 FROM person WHERE email = 'sam@example.org'");
    event("request.escalated", 0, 1, (int64_t[]){sam}, 1);
    ev = num("SELECT MAX(id) FROM outbox");
    T_EQ_INT(notify_outbox_fan_out(st, &cfg, T0 + 1, 100, &n, &err), ACC_OK);
    T_EQ_STR(rows(2,
                  "SELECT channel, target_id FROM outbox WHERE event_id = %lld ORDER BY channel, "
                  "target_id",
                  (long long)ev),
             acc_arena_printf(arena, "email,%lld;webhook,%lld;", (long long)sam, (long long)h_all));

    /* Without an SMTP server no e-mail is queued; webhooks go on. */
    free(cfg.smtp_host);
    cfg.smtp_host = NULL;
    event("request.comment", ivan, 2, (int64_t[]){sara}, 1);
    ev = num("SELECT MAX(id) FROM outbox");
    T_EQ_INT(notify_outbox_fan_out(st, &cfg, T0 + 2, 100, &n, &err), ACC_OK);
    T_EQ_INT(num("SELECT COUNT(*) FROM outbox WHERE event_id = %lld AND channel = 'email'",
                 (long long)ev),
             0);
    T_EQ_INT(num("SELECT COUNT(*) FROM outbox WHERE event_id = %lld AND channel = 'webhook'",
                 (long long)ev),
             2);
    cfg.smtp_host = xstrdup("127.0.0.1");

    /* An event whose payload cannot be read is parked with the reason; the rest go on. */
    exec("INSERT INTO outbox (event_type, entity, entity_id, recipients, payload, created_at, "
         "available_at) VALUES ('request.comment', 'request', 43, '[]', 'not json', 1700000003, "
         "1700000003)");
    ev = num("SELECT MAX(id) FROM outbox");
    event("request.resolved", ivan, 3, (int64_t[]){sara}, 1);
    T_EQ_INT(notify_outbox_fan_out(st, &cfg, T0 + 3, 100, &n, &err), ACC_OK);
    T_EQ_STR(rows(1, "SELECT state FROM outbox WHERE id = %lld", (long long)ev), "failed;");
    T_OK(strstr(rows(1, "SELECT last_error FROM outbox WHERE id = %lld", (long long)ev),
                "not a JSON object") != NULL);
    T_EQ_INT(num("SELECT COUNT(*) FROM outbox WHERE event_id = %lld + 1", (long long)ev), 2);
    /* Leave the deliveries of this test out of the next ones. */
    exec("UPDATE outbox SET state = 'done' WHERE state = 'pending'");
    exec("DELETE FROM webhook_event");
    exec("DELETE FROM webhook");
}

/* n webhook deliveries due at T0 + 10 to a new endpoint, the only one; its id. */
static int64_t deliveries(int n)
{
    int64_t h;
    int got = 0;
    struct acc_err err = {0};

    exec("DELETE FROM webhook_event");
    exec("DELETE FROM webhook");
    h = hook("https://receiver.example.org/", true, "*", NULL);
    for (int i = 0; i < n; i++)
        event("request.raised", sara, 10, (int64_t[]){ivan}, 1);
    free(cfg.smtp_host);
    cfg.smtp_host = NULL;
    T_EQ_INT(notify_outbox_fan_out(st, &cfg, T0 + 10, 100, &got, &err), ACC_OK);
    T_EQ_INT(got, n);
    cfg.smtp_host = xstrdup("127.0.0.1");
    return h;
}

/*
 * Two workers on two connections: each claims different rows; a claimed row is nobody
 * else's until its lease runs out, and then another worker takes it; the first worker's late
 * outcome is ignored (at-least-once: the event id lets the receiver drop the repeat).
 */
static void test_claim_lease(void)
{
    struct notify_delivery *a, *b, *c;
    struct notify_counts counts;
    struct acc_err err = {0};
    int na = -1, nb = -1, nc = -1;
    int64_t h = deliveries(5);

    T_EQ_INT(notify_outbox_claim(st, NOTIFY_BIT(NOTIFY_WEBHOOK), "A.1", T0 + 10, 60, 2, arena, &a,
                                 &na, &err),
             ACC_OK);
    T_EQ_INT(na, 2);
    T_EQ_INT(a[0].attempts, 1);
    T_EQ_STR(a[0].url, "https://receiver.example.org/");
    T_OK(a[0].secret && strlen(a[0].secret) == 70);
    T_EQ_INT(a[0].target_id, h);
    T_OK(a[0].event_uid && strlen(a[0].event_uid) == 36);
    /* E-mails are another channel: none here. */
    T_EQ_INT(notify_outbox_claim(st2, NOTIFY_BIT(NOTIFY_EMAIL), "B.1", T0 + 10, 60, 10, arena, &b,
                                 &nb, &err),
             ACC_OK);
    T_EQ_INT(nb, 0);
    /* The other worker gets the other three, never A's. */
    T_EQ_INT(notify_outbox_claim(st2, NOTIFY_BIT(NOTIFY_WEBHOOK), "B.1", T0 + 10, 60, 10, arena, &b,
                                 &nb, &err),
             ACC_OK);
    T_EQ_INT(nb, 3);
    for (int i = 0; i < nb; i++)
        T_OK(b[i].id != a[0].id && b[i].id != a[1].id);
    T_EQ_INT(num("SELECT COUNT(*) FROM outbox WHERE leased_by = 'A.1' AND lease_until = %lld AND "
                 "available_at = %lld",
                 T0 + 70, T0 + 70),
             2);
    /* While the leases hold, nothing is due. */
    T_EQ_INT(notify_outbox_claim(st2, NOTIFY_BIT(NOTIFY_WEBHOOK), "B.2", T0 + 69, 60, 10, arena, &c,
                                 &nc, &err),
             ACC_OK);
    T_EQ_INT(nc, 0);
    {
        int64_t next = 0;

        T_EQ_INT(notify_outbox_next_due(st, &next, &err), ACC_OK);
        T_EQ_INT(next, T0 + 70);
    }
    /* B records its three as sent. */
    for (int i = 0; i < nb; i++)
        b[i].outcome = NOTIFY_SENT;
    T_EQ_INT(notify_outbox_finish(st2, &cfg, "B.1", b, nb, T0 + 11, &counts, &err), ACC_OK);
    T_EQ_INT(counts.sent[NOTIFY_WEBHOOK], 3);
    /* A was killed: when its lease has run out, B takes its rows and sends them again. */
    T_EQ_INT(notify_outbox_claim(st2, NOTIFY_BIT(NOTIFY_WEBHOOK), "B.3", T0 + 70, 60, 10, arena, &c,
                                 &nc, &err),
             ACC_OK);
    T_EQ_INT(nc, 2);
    T_EQ_INT(c[0].attempts, 2);
    T_OK((c[0].id == a[0].id && c[1].id == a[1].id) || (c[0].id == a[1].id && c[1].id == a[0].id));
    T_OK(strcmp(c[0].event_uid, a[0].event_uid) == 0 ||
         strcmp(c[0].event_uid, a[1].event_uid) == 0);
    /* A comes back late: its outcome no longer counts. */
    a[0].outcome = a[1].outcome = NOTIFY_SENT;
    T_EQ_INT(notify_outbox_finish(st, &cfg, "A.1", a, na, T0 + 71, &counts, &err), ACC_OK);
    T_EQ_INT(counts.sent[NOTIFY_WEBHOOK], 0);
    T_EQ_INT(num("SELECT COUNT(*) FROM outbox WHERE leased_by = 'B.3'"), 2);
    c[0].outcome = c[1].outcome = NOTIFY_SENT;
    T_EQ_INT(notify_outbox_finish(st2, &cfg, "B.3", c, nc, T0 + 72, &counts, &err), ACC_OK);
    T_EQ_INT(counts.sent[NOTIFY_WEBHOOK], 2);
    T_EQ_INT(num("SELECT COUNT(*) FROM outbox WHERE state = 'pending'"), 0);
    T_EQ_INT(
        num("SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND state = 'done' AND "
            "leased_by IS NULL AND lease_until IS NULL AND sent_at IS NOT NULL AND target_id = "
            "%lld",
            (long long)h),
        5);
}

/* Failures back off with jitter, are parked after the last attempt or at once when refused. */
static void test_outcomes(void)
{
    struct notify_delivery *d;
    struct notify_counts counts;
    struct acc_err err = {0};
    int64_t at, next = 0, backlog = 0;
    int n = -1;
    char long_error[NOTIFY_ERROR_MAX + 1];

    deliveries(4);
    T_EQ_INT(notify_outbox_backlog(st, &backlog, &err), ACC_OK);
    T_EQ_INT(backlog, 4);
    T_EQ_INT(notify_outbox_claim(st, NOTIFY_BIT(NOTIFY_WEBHOOK), "W.1", T0 + 10, 60, 10, arena, &d,
                                 &n, &err),
             ACC_OK);
    T_EQ_INT(n, 4);
    memset(long_error, 'e', sizeof(long_error) - 1);
    long_error[sizeof(long_error) - 1] = '\0';
    memcpy(long_error, "HTTP 500: \x01", 11);
    d[0].outcome = NOTIFY_RETRY;
    snprintf(d[0].error, sizeof(d[0].error), "%s", long_error);
    d[1].outcome = NOTIFY_PERMANENT;
    snprintf(d[1].error, sizeof(d[1].error), "smtp: refused (server reply 550)");
    d[2].outcome = NOTIFY_RELEASED;
    d[3].outcome = NOTIFY_SENT;
    T_EQ_INT(notify_outbox_finish(st, &cfg, "W.1", d, n, T0 + 20, &counts, &err), ACC_OK);
    T_EQ_INT(counts.retried[NOTIFY_WEBHOOK], 1);
    T_EQ_INT(counts.failed[NOTIFY_WEBHOOK], 1);
    T_EQ_INT(counts.sent[NOTIFY_WEBHOOK], 1);
    /* The retry: pending after 10 s jittered into [5, 10], its error cleaned and kept. */
    at = num("SELECT available_at FROM outbox WHERE id = %lld", (long long)d[0].id);
    T_OK(at >= T0 + 25 && at <= T0 + 30);
    T_EQ_STR(rows(3, "SELECT state, attempts, leased_by FROM outbox WHERE id = %lld",
                  (long long)d[0].id),
             "pending,1,-;");
    T_EQ_INT(num("SELECT length(last_error) FROM outbox WHERE id = %lld", (long long)d[0].id),
             NOTIFY_ERROR_MAX);
    T_OK(strncmp(rows(1, "SELECT last_error FROM outbox WHERE id = %lld", (long long)d[0].id),
                 "HTTP 500: ?eee", 14) == 0);
    /* Refused: parked at once. Released: due again now, the attempt not counted. */
    T_EQ_STR(rows(3, "SELECT state, attempts, last_error FROM outbox WHERE id = %lld",
                  (long long)d[1].id),
             "failed,1,smtp: refused (server reply 550);");
    T_EQ_STR(rows(3, "SELECT state, attempts, available_at FROM outbox WHERE id = %lld",
                  (long long)d[2].id),
             acc_arena_printf(arena, "pending,0,%lld;", T0 + 20));
    T_EQ_INT(notify_outbox_next_due(st, &next, &err), ACC_OK);
    T_EQ_INT(next, T0 + 20);

    /* With 3 attempts, the third failure parks it; the second backs off 20 s [10, 20]. */
    T_EQ_INT(notify_outbox_claim(st, NOTIFY_BIT(NOTIFY_WEBHOOK), "W.2", T0 + 30, 60, 10, arena, &d,
                                 &n, &err),
             ACC_OK);
    T_EQ_INT(n, 2);
    for (int i = 0; i < n; i++) {
        d[i].outcome = NOTIFY_RETRY;
        snprintf(d[i].error, sizeof(d[i].error), "connection refused");
    }
    T_EQ_INT(notify_outbox_finish(st, &cfg, "W.2", d, n, T0 + 30, &counts, &err), ACC_OK);
    T_EQ_INT(counts.retried[NOTIFY_WEBHOOK], 2);
    for (int round = 0; round < 2; round++) {
        T_EQ_INT(notify_outbox_claim(st, NOTIFY_BIT(NOTIFY_WEBHOOK), "W.3", T0 + 200 + round * 100,
                                     60, 10, arena, &d, &n, &err),
                 ACC_OK);
        T_EQ_INT(n, round == 0 ? 2 : 1);
        for (int i = 0; i < n; i++) {
            d[i].outcome = NOTIFY_RETRY;
            snprintf(d[i].error, sizeof(d[i].error), "connection refused");
            if (round == 0 && d[i].attempts == 2) {
                at = T0 + 200;
                T_EQ_INT(notify_outbox_finish(st, &cfg, "W.3", &d[i], 1, at, &counts, &err),
                         ACC_OK);
                T_EQ_INT(counts.retried[NOTIFY_WEBHOOK], 1);
                at = num("SELECT available_at FROM outbox WHERE id = %lld", (long long)d[i].id);
                T_OK(at >= T0 + 210 && at <= T0 + 220);
            } else {
                T_EQ_INT(notify_outbox_finish(st, &cfg, "W.3", &d[i], 1, T0 + 200, &counts, &err),
                         ACC_OK);
                T_EQ_INT(counts.failed[NOTIFY_WEBHOOK], 1);
                T_EQ_INT(d[i].attempts, 3);
            }
        }
    }
    T_EQ_INT(num("SELECT COUNT(*) FROM outbox WHERE state = 'failed' AND channel = 'webhook'"), 3);
    T_EQ_INT(num("SELECT COUNT(*) FROM outbox WHERE state = 'pending'"), 0);
}

/*
 * An endpoint that does not answer at all holds back its other due deliveries with the one
 * that failed (neither claimed nor counted as attempts); another endpoint's are untouched, and
 * an endpoint that answers (500) holds back nothing.
 */
static void test_unreachable_holds(void)
{
    struct notify_delivery *d;
    struct notify_counts counts;
    struct acc_err err = {0};
    int64_t h, at, other;
    int n = -1;

    exec("UPDATE outbox SET state = 'done' WHERE state = 'pending'");
    h = deliveries(3);
    exec("INSERT INTO outbox (event_type, entity, entity_id, recipients, payload, created_at, "
         "available_at, channel, event_id, event_uid, target_id, address) SELECT event_type, "
         "entity, entity_id, recipients, payload, created_at, available_at, channel, event_id, "
         "event_uid, 999, 'https://other.example.org/' FROM outbox WHERE id = (SELECT MAX(id) "
         "FROM outbox)");
    other = num("SELECT MAX(id) FROM outbox");
    T_EQ_INT(notify_outbox_claim(st, NOTIFY_BIT(NOTIFY_WEBHOOK), "H.1", T0 + 10, 60, 1, arena, &d,
                                 &n, &err),
             ACC_OK);
    T_EQ_INT(n, 1);
    T_EQ_INT(d[0].target_id, h);
    d[0].outcome = NOTIFY_RETRY;
    d[0].unreachable = true;
    snprintf(d[0].error, sizeof(d[0].error), "Couldn't connect to server");
    T_EQ_INT(notify_outbox_finish(st, &cfg, "H.1", d, 1, T0 + 20, &counts, &err), ACC_OK);
    /* The held ones wait until its back-off ends; it comes due a second after them. */
    at = num("SELECT available_at FROM outbox WHERE id = %lld", (long long)d[0].id) - 1;
    T_OK(at >= T0 + 25 && at <= T0 + 30);
    T_EQ_STR(rows(2,
                  "SELECT COUNT(*), SUM(attempts) FROM outbox WHERE target_id = %lld AND state = "
                  "'pending' AND available_at = %lld AND id <> %lld",
                  (long long)h, (long long)at, (long long)d[0].id),
             "2,0;");
    T_EQ_INT(num("SELECT available_at FROM outbox WHERE id = %lld", (long long)other), T0 + 10);
    /* The hold is recorded: an event fanned out meanwhile is due for it when the hold ends. */
    T_EQ_STR(rows(2, "SELECT destination, until_at - %lld FROM notify_hold", (long long)at),
             acc_arena_printf(arena, "webhook:%lld,0;", (long long)h));
    {
        int got = 0;

        free(cfg.smtp_host);
        cfg.smtp_host = NULL;
        event("request.raised", sara, 20, (int64_t[]){ivan}, 1);
        T_EQ_INT(notify_outbox_fan_out(st, &cfg, T0 + 20, 100, &got, &err), ACC_OK);
        T_EQ_INT(got, 1);
        cfg.smtp_host = xstrdup("127.0.0.1");
        T_EQ_INT(num("SELECT available_at FROM outbox WHERE id = (SELECT MAX(id) FROM outbox)"),
                 at);
        exec("UPDATE outbox SET state = 'done' WHERE id = (SELECT MAX(id) FROM outbox)");
    }
    /* So the next round to that endpoint takes the ones held back, not the one that failed. */
    T_EQ_INT(
        notify_outbox_claim(st, NOTIFY_BIT(NOTIFY_WEBHOOK), "H.2", at, 60, 10, arena, &d, &n, &err),
        ACC_OK);
    T_EQ_INT(n, 3); /* the two held back, and the other endpoint's */
    for (int i = 0; i < n; i++) {
        T_EQ_INT(d[i].attempts, 1);
        d[i].outcome = NOTIFY_SENT;
        /* The other endpoint answers 500: its row backs off alone, holding back nothing. */
        if (d[i].id == other) {
            d[i].outcome = NOTIFY_RETRY;
            snprintf(d[i].error, sizeof(d[i].error), "HTTP 500: down for maintenance");
        }
    }
    T_EQ_INT(notify_outbox_finish(st, &cfg, "H.2", d, n, at, &counts, &err), ACC_OK);
    T_EQ_INT(counts.sent[NOTIFY_WEBHOOK], 2);
    /* The endpoint answered: it is held back no longer. */
    T_EQ_INT(num("SELECT COUNT(*) FROM notify_hold"), 0);
    T_EQ_INT(counts.retried[NOTIFY_WEBHOOK], 1);
    T_EQ_INT(num("SELECT COUNT(*) FROM outbox WHERE target_id = %lld AND state = 'pending' AND "
                 "available_at = %lld",
                 (long long)h, (long long)at + 1),
             1);
    exec("UPDATE outbox SET state = 'done' WHERE state = 'pending'");
}

/* An administrator re-sends a parked row by hand; nobody else may, and only parked rows. */
static void test_retry_by_hand(void)
{
    struct org_actor member = fx_actor(sara, sales, ORG_ROLE_MEMBER);
    struct notify_filter f = {.state = "failed", .channel = NOTIFY_WEBHOOK, .limit = 50};
    struct notify_row *items, r;
    struct acc_err err = {0};
    int64_t id, audits = num("SELECT COUNT(*) FROM audit WHERE entity = 'outbox'");
    bool more;
    int n;

    T_EQ_INT(notify_outbox_list(st, &admin_actor, &f, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, 3);
    T_OK(!more);
    id = items[0].id;
    T_EQ_STR(items[0].state, "failed");
    T_OK(items[0].last_error != NULL);
    T_EQ_INT(notify_outbox_list(st, &member, &f, arena, &items, &n, &more, &err), ACC_EPERM);
    T_EQ_INT(notify_outbox_retry(st, &member, id, T0 + 500, arena, &r, &err), ACC_EPERM);
    T_EQ_INT(notify_outbox_retry(st, &admin_actor, id, T0 + 500, arena, &r, &err), ACC_OK);
    T_EQ_STR(r.state, "pending");
    T_EQ_INT(r.attempts, 0);
    T_EQ_INT(r.available_at, T0 + 500);
    T_OK(r.last_error != NULL);
    T_EQ_INT(notify_outbox_retry(st, &admin_actor, id, T0 + 501, arena, &r, &err), ACC_ECONFLICT);
    T_EQ_INT(notify_outbox_retry(st, &admin_actor, 999999, T0 + 501, arena, &r, &err),
             ACC_ENOTFOUND);
    T_EQ_INT(num("SELECT COUNT(*) FROM audit WHERE entity = 'outbox'"), audits + 1);
    f.state = "lost";
    T_EQ_INT(notify_outbox_list(st, &admin_actor, &f, arena, &items, &n, &more, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/query/state");
}

/* A delivery whose endpoint was removed has no URL when claimed: the sender parks it. */
static void test_deleted_endpoint(void)
{
    struct notify_delivery *d;
    struct acc_err err = {0};
    int64_t h;
    int n = -1;

    exec("UPDATE outbox SET state = 'done' WHERE state = 'pending'");
    h = deliveries(1);
    T_EQ_INT(notify_webhook_delete(st, &admin_actor, h, arena, &err), ACC_OK);
    T_EQ_INT(notify_outbox_claim(st, NOTIFY_BIT(NOTIFY_WEBHOOK), "D.1", T0 + 10, 60, 10, arena, &d,
                                 &n, &err),
             ACC_OK);
    T_EQ_INT(n, 1);
    T_OK(d[0].url == NULL && d[0].secret == NULL);
    T_EQ_INT(d[0].target_id, h);
}

static void test_prefs(void)
{
    struct org_actor me = fx_actor(ivan, it, ORG_ROLE_POINT_PERSON);
    struct notify_pref changes[2] = {{notify_type_find("request.assigned"), false},
                                     {notify_type_find("request.escalated"), false}};
    struct notify_pref *p;
    struct acc_err err = {0};
    int n;

    T_EQ_INT(notify_prefs_get(st, ivan, arena, &p, &n, &err), ACC_OK);
    T_EQ_INT(n, 7);
    for (int i = 0; i < n; i++)
        T_OK(p[i].email);
    /* Escalations cannot be turned off: nothing of the request changes. */
    T_EQ_INT(notify_prefs_set(st, &me, changes, 2, T0, arena, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/email/request.escalated");
    T_EQ_INT(num("SELECT COUNT(*) FROM notify_pref WHERE person_id = %lld", (long long)ivan), 0);
    T_EQ_INT(notify_prefs_set(st, &me, changes, 1, T0, arena, &err), ACC_OK);
    T_EQ_INT(notify_prefs_get(st, ivan, arena, &p, &n, &err), ACC_OK);
    T_OK(!p[1].email && p[0].email && p[2].email);
    T_EQ_INT(num("SELECT COUNT(*) FROM audit WHERE entity = 'notify_pref' AND entity_id = %lld",
                 (long long)ivan),
             1);
    /* The same again changes nothing and audits nothing. */
    T_EQ_INT(notify_prefs_set(st, &me, changes, 1, T0, arena, &err), ACC_OK);
    T_EQ_INT(num("SELECT COUNT(*) FROM audit WHERE entity = 'notify_pref' AND entity_id = %lld",
                 (long long)ivan),
             1);
    changes[0].email = true;
    T_EQ_INT(notify_prefs_set(st, &me, changes, 1, T0, arena, &err), ACC_OK);
    T_EQ_INT(num("SELECT COUNT(*) FROM notify_pref WHERE person_id = %lld", (long long)ivan), 0);
}

int main(void)
{
    acc_log_set_quiet(true);
    arena = acc_arena_new();
    setup();
    T_RUN(test_enqueue_checks_type);
    T_RUN(test_fan_out);
    T_RUN(test_claim_lease);
    T_RUN(test_outcomes);
    T_RUN(test_unreachable_holds);
    T_RUN(test_retry_by_hand);
    T_RUN(test_deleted_endpoint);
    T_RUN(test_prefs);
    store_close(st2);
    store_close(st);
    notify_config_release(&cfg);
    acc_arena_free(arena);
    unlink(path);
    {
        char p[80];

        snprintf(p, sizeof(p), "%s-wal", path);
        unlink(p);
        snprintf(p, sizeof(p), "%s-shm", path);
        unlink(p);
    }
    return t_done();
}
