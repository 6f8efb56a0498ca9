/* api_test.c: in-process router tests: the case files of tests/api/cases, and C checks. */
#include "base/acc.h"
#include "base/log.h"
#include "auth/auth.h"
#include "calendar/calendar_db.h"
#include "contract/contract.h"
#include "http/http.h"
#include "http/http_int.h"
#include "org/org.h"
#include "store/store.h"

#include "t.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#define CASE_HEADERS 16 /* key/value pairs a case may send */

static char db_path[64];
static struct store_pool *pool;
static struct auth_limiter *limiter;
static struct http_app *app;
static json_t *vars; /* ${name} values for case files: ids, tokens, saved reply fields */

/* Who a case acts as: "as" names a bearer token (token:NAME) or the admin's cookie session. */
static const struct {
    const char *as;
    const char *email; /* local part of the person's demo address */
} principals[] = {
    {"admin", "admin"},
    {"head", "fiona.clarke"},
    {"point", "ivan.petrov"},
    {"member", "sara.lindqvist"},
    {"revoked", "sean.obrien"},
    /*
     * For the contract visibility matrix (contract 1: Finance provides, Sales consumes, IT
     * is a third department); "head" is the provider's head, "member" a consumer member,
     * "point" the third department's point person.
     */
    {"cons_head", "samuel.reed"},      /* Sales head */
    {"third_head", "ingrid.larsen"},   /* IT head */
    {"prov_point", "farid.haddad"},    /* Finance point person, the Credit check's too */
    {"cons_point", "sofia.marques"},   /* Sales point person */
    {"prov_member", "felix.grant"},    /* Finance member */
    {"third_member", "imran.qureshi"}, /* IT member */
};

/* ---- small helpers ---- */

static void set_var(const char *name, const char *value)
{
    json_object_set_new(vars, name, json_string(value));
}

static void set_var_int(const char *name, int64_t v)
{
    char b[24];

    snprintf(b, sizeof(b), "%lld", (long long)v);
    set_var(name, b);
}

static const char *var(const char *name)
{
    return json_string_value(json_object_get(vars, name));
}

/* A malloc'd printf. */
static char *strf(const char *fmt, ...) ACC_PRINTF(1, 2);
static char *strf(const char *fmt, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    s = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static void reply_free(struct http_test_reply *r)
{
    free(r->body);
    free(r->headers);
    r->body = r->headers = NULL;
}

/* Copies the value of response header key into out; false when it is absent. */
static bool reply_header(const struct http_test_reply *r, const char *key, char *out, size_t n)
{
    size_t klen = strlen(key);

    for (const char *line = r->headers; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);

        if (len > klen + 1 && strncasecmp(line, key, klen) == 0 && line[klen] == ':') {
            const char *v = line + klen + 1;
            size_t vlen = len - klen - 1;

            while (vlen && *v == ' ')
                v++, vlen--;
            snprintf(out, n, "%.*s", (int)vlen, v);
            return true;
        }
        line = end ? end + 1 : line + len;
    }
    return false;
}

/* Resolves an RFC 6901 JSON pointer; a borrowed reference or NULL. */
static json_t *jptr(json_t *root, const char *ptr)
{
    json_t *cur = root;
    char tok[256];

    if (!*ptr)
        return root;
    while (cur && *ptr == '/') {
        size_t n = 0;

        ptr++;
        while (*ptr && *ptr != '/' && n < sizeof(tok) - 1) {
            if (ptr[0] == '~' && ptr[1] == '1')
                tok[n++] = '/', ptr += 2;
            else if (ptr[0] == '~' && ptr[1] == '0')
                tok[n++] = '~', ptr += 2;
            else
                tok[n++] = *ptr++;
        }
        tok[n] = '\0';
        if (json_is_object(cur)) {
            cur = json_object_get(cur, tok);
        } else if (json_is_array(cur)) {
            char *end;
            long i = strtol(tok, &end, 10);

            cur = (*tok && !*end && i >= 0) ? json_array_get(cur, (size_t)i) : NULL;
        } else {
            cur = NULL;
        }
    }
    return *ptr ? NULL : cur;
}

/* The rows of every table a request may change, one string per table. */
static const struct {
    const char *table;
    const char *sql;
    int ncols;
} digest_queries[] = {
    {"department",
     "SELECT id, name, name_key, active, head_id, point_person_id, deputy_id, created_at, "
     "updated_at FROM department ORDER BY id",
     9},
    {"person",
     "SELECT id, email, name, department_id, role, active, password_hash, created_at, updated_at "
     "FROM person ORDER BY id",
     9},
    /* last_used_at is left out: any call with a bearer token may record its use. */
    {"api_token",
     "SELECT id, person_id, label, token_hash, created_at, expires_at, revoked_at FROM api_token "
     "ORDER BY id",
     7},
    {"session", "SELECT id, person_id, token_hash, created_at, expires_at FROM session ORDER BY id",
     5},
    {"calendar",
     "SELECT id, name, name_key, zone, hours, created_at, updated_at FROM calendar ORDER BY id", 7},
    {"calendar_holiday",
     "SELECT id, calendar_id, day, name, source, uid, created_at FROM calendar_holiday ORDER BY id",
     7},
    {"revision", "SELECT name, value FROM revision ORDER BY name", 2},
    {"audit",
     "SELECT id, at, actor_id, action, entity, entity_id, before_json, after_json FROM audit "
     "ORDER BY id",
     8},
    {"service",
     "SELECT id, provider_id, name, name_key, description, process, outcome, outcome_series_id, "
     "point_person_id, deputy_id, active, created_at, updated_at FROM service ORDER BY id",
     13},
    {"escalation_policy",
     "SELECT id, name, name_key, department_id, created_at, updated_at FROM escalation_policy "
     "ORDER BY id",
     6},
    {"department_escalation",
     "SELECT department_id, policy_id FROM department_escalation ORDER BY department_id", 2},
    {"escalation_level",
     "SELECT id, policy_id, version_id, position, clock, percent, notify, raise_priority, "
     "reassign FROM escalation_level ORDER BY id",
     9},
    {"escalation_level_person",
     "SELECT level_id, person_id FROM escalation_level_person ORDER BY level_id, person_id", 2},
    {"contract",
     "SELECT id, service_id, provider_department_id, provider_person_id, consumer_department_id, "
     "consumer_person_id, parties_key, formal, created_by, created_at, updated_at FROM contract "
     "ORDER BY id",
     11},
    {"contract_version",
     "SELECT id, contract_id, number, state, based_on, summary, calendar_id, "
     "escalation_policy_id, escalation_frozen, frozen_policy_id, response_minutes, "
     "resolution_minutes, weight_task, weight_relationship, weight_learning, min_n, "
     "review_cadence, measure_period, created_by, created_at, updated_at, proposed_by, "
     "proposed_at, agreed_at, activated_by, activated_at, superseded_at, retired_by, retired_at "
     "FROM contract_version ORDER BY id",
     29},
    {"contract_expectation",
     "SELECT version_id, side, position, measure, target, weight, note FROM "
     "contract_expectation ORDER BY version_id, side, position",
     7},
    {"contract_priority",
     "SELECT version_id, position, name, factor, is_default FROM contract_priority ORDER BY "
     "version_id, position",
     5},
    {"contract_signature",
     "SELECT version_id, side, person_id, signed_at FROM contract_signature ORDER BY "
     "version_id, side",
     4},
    /* Requests: no column changes on a read (no sweeper runs in this test). */
    {"request",
     "SELECT id, contract_id, version_id, service_id, provider_department_id, "
     "consumer_department_id, title, description, priority, priority_factor, external_ref, "
     "requester_id, assignee_id, status, created_at, updated_at, response_target_secs, "
     "response_due_at, responded_at, response_met, resolution_target_secs, resolution_due_at, "
     "paused_secs, paused_since, resolved_at, resolution_secs, resolution_met, closed_at, "
     "reopen_count, missing_info_count, next_fire_at, imported FROM request ORDER BY id",
     32},
    {"request_comment",
     "SELECT id, request_id, author_id, internal, body, created_at FROM request_comment ORDER BY "
     "id",
     6},
    {"request_event",
     "SELECT id, request_id, at, actor_id, kind, detail FROM request_event ORDER BY id", 6},
    {"request_escalation",
     "SELECT request_id, clock, level, due_at, fired_at, manual FROM request_escalation ORDER BY "
     "request_id, clock, level",
     6},
    {"outbox",
     "SELECT id, event_type, entity, entity_id, recipients, payload, created_at, state, "
     "available_at, attempts, lease_until, last_error FROM outbox ORDER BY id",
     12},
    {"feedback",
     "SELECT id, request_id, side, rater_id, quality, responsiveness, courtesy, empathy, "
     "confidentiality, clarity, not_right, comment, signed, given_at, updated_at, editable_until "
     "FROM feedback ORDER BY id",
     16},
    {"webhook",
     "SELECT id, url, secret, description, active, created_by, created_at, updated_at FROM "
     "webhook ORDER BY id",
     8},
    {"webhook_event", "SELECT webhook_id, event_type FROM webhook_event ORDER BY 1, 2", 2},
    {"notify_pref",
     "SELECT person_id, event_type, email, updated_at FROM notify_pref ORDER BY 1, 2", 4},
};
#define NDIGEST ACC_ARRAY_LEN(digest_queries)

/* Fills out[i] with a malloc'd dump of table i; the caller frees them. */
static void db_digest(char *out[NDIGEST])
{
    struct store *st = store_pool_lease(pool);
    struct acc_err err = {0};

    for (size_t i = 0; i < NDIGEST; i++) {
        struct store_stmt *stmt;
        struct acc_buf b;
        bool row;

        acc_buf_init(&b);
        if (store_exec(st, digest_queries[i].sql, NULL, 0, &stmt, &err)) {
            acc_buf_addf(&b, "error: %s", err.msg);
        } else {
            while (!store_step(stmt, &row, &err) && row) {
                for (int c = 0; c < digest_queries[i].ncols; c++) {
                    const char *v = store_col_null(stmt, c) ? "\\N" : store_col_text(stmt, c);

                    acc_buf_addf(&b, "%s\x1f", v ? v : "");
                }
                acc_buf_adds(&b, "\x1e");
            }
            store_finish(stmt);
        }
        out[i] = acc_buf_detach(&b, NULL);
    }
    store_pool_return(pool, st);
}

static int64_t db_count(const char *sql)
{
    struct store *st = store_pool_lease(pool);
    struct acc_err err = {0};
    int64_t n = -1;

    if (store_query_int(st, sql, NULL, 0, &n, &err))
        n = -1;
    store_pool_return(pool, st);
    return n;
}

/* ---- the demo organisation, tokens and a cookie session ---- */

/*
 * Names every demo department, person and calendar: ${dept:NAME}, ${person:LOCAL-PART}
 * and ${calendar:NAME}.
 */
static int demo_vars(struct store *st, struct acc_arena *arena, struct acc_err *err)
{
    struct org_person_filter f = {.active = -1, .limit = 200};
    struct org_department *depts;
    struct calendar_record *cals;
    struct org_person *people;
    int n, rc;
    bool more;

    rc = calendar_record_list(st, 0, 200, arena, &cals, &n, &more, err);
    for (int i = 0; !rc && i < n; i++)
        set_var_int(acc_arena_printf(arena, "calendar:%s", cals[i].name), cals[i].id);
    if (!rc)
        rc = org_department_list(st, 0, 200, arena, &depts, &n, &more, err);
    for (int i = 0; !rc && i < n; i++)
        set_var_int(acc_arena_printf(arena, "dept:%s", depts[i].name), depts[i].id);
    if (!rc)
        rc = org_person_list(st, &f, arena, &people, &n, &more, err);
    for (int i = 0; !rc && i < n; i++)
        set_var_int(acc_arena_printf(arena, "person:%.*s", (int)strcspn(people[i].email, "@"),
                                     people[i].email),
                    people[i].id);
    return rc;
}

/* The organisation of `accord demo`, and a bearer token per principal ("revoked" is revoked). */
static int demo_build(struct store *st, struct acc_arena *arena, struct acc_err *err)
{
    struct org_actor sys = org_actor_system("cli: demo");
    char hash[AUTH_HASH_MAX];
    int rc;

    rc = auth_password_hash(ORG_DEMO_PASSWORD, hash, err);
    if (!rc)
        rc = store_begin(st, true, err);
    if (!rc)
        rc = org_demo_populate(st, &sys, hash, arena, err);
    if (!rc)
        rc = calendar_demo_populate(st, &sys, arena, err);
    if (!rc)
        rc = contract_demo_populate(st, &sys, arena, err);
    if (!rc)
        rc = demo_vars(st, arena, err);
    for (size_t i = 0; !rc && i < ACC_ARRAY_LEN(principals); i++) {
        const char *pid = var(acc_arena_printf(arena, "person:%s", principals[i].email));
        char secret[AUTH_SECRET_LEN + 1];
        struct auth_token t;

        if (!pid) {
            rc = acc_fail(err, ACC_EBUG, "", "no demo person '%s'", principals[i].email);
            break;
        }
        rc = auth_token_create(st, &sys, atoll(pid),
                               acc_arena_printf(arena, "api-test %s", principals[i].as), 0, arena,
                               &t, secret, err);
        if (!rc) {
            set_var(acc_arena_printf(arena, "token:%s", principals[i].as), secret);
            set_var_int(acc_arena_printf(arena, "token_id:%s", principals[i].as), t.id);
        }
        if (!rc && strcmp(principals[i].as, "revoked") == 0)
            rc = auth_token_revoke(st, &sys, t.id, err);
    }
    if (!rc)
        rc = store_commit(st, err);
    if (rc)
        store_rollback(st);
    return rc;
}

/* Signs in over the API and keeps the session's cookie value and CSRF token as variables. */
static int sign_in(const char *email, const char *cookie_var, const char *csrf_var)
{
    const char *const hdrs[] = {"Content-Type", "application/json", NULL};
    char *body = NULL, cookie[256];
    struct http_test_reply r;
    json_t *doc;
    int ok = 0;

    body = strf("{\"email\":\"%s\",\"password\":\"%s\"}", email, ORG_DEMO_PASSWORD);
    http_test_call(app, "POST", "/api/v1/session", body, hdrs, &r);
    free(body);
    doc = json_loads(r.body, 0, NULL);
    if (r.status == 201 && doc && reply_header(&r, "Set-Cookie", cookie, sizeof(cookie)) &&
        strncmp(cookie, AUTH_COOKIE_NAME "=", strlen(AUTH_COOKIE_NAME) + 1) == 0) {
        cookie[strcspn(cookie, ";")] = '\0';
        set_var(cookie_var, cookie + strlen(AUTH_COOKIE_NAME) + 1);
        set_var(csrf_var, json_string_value(json_object_get(doc, "csrf_token")));
        ok = var(csrf_var) != NULL;
    } else {
        fprintf(stderr, "sign-in of %s failed: %d %s\n", email, r.status, r.body);
    }
    json_decref(doc);
    reply_free(&r);
    return ok;
}

static int setup(void)
{
    struct acc_arena *arena = acc_arena_new();
    struct http_app_config cfg = {0};
    struct acc_err err = {0};
    struct store *st;
    int fd, rc;

    acc_log_set_quiet(true);
    vars = json_object();
    /* A file, not ":memory:": each connection of a pool to ":memory:" is its own database. */
    snprintf(db_path, sizeof(db_path), "/tmp/accord-api-test-XXXXXX");
    fd = mkstemp(db_path);
    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    close(fd);
    rc = store_pool_new(db_path, 1, &pool, &err);
    if (!rc) {
        st = store_pool_lease(pool);
        rc = store_migrate(st, NULL, &err);
        if (!rc)
            rc = demo_build(st, arena, &err);
        store_pool_return(pool, st);
    }
    acc_arena_free(arena);
    if (rc) {
        fprintf(stderr, "setup: %s (field '%s')\n", err.msg, err.field);
        return 1;
    }
    limiter = auth_limiter_new();
    cfg.pool = pool;
    cfg.limiter = limiter;
    app = http_app_new(&cfg);
    return sign_in(ORG_DEMO_ADMIN_EMAIL, "cookie", "csrf") ? 0 : 1;
}

static void teardown(void)
{
    char p[96];

    http_app_free(app);
    auth_limiter_free(limiter);
    store_pool_free(pool);
    json_decref(vars);
    unlink(db_path);
    snprintf(p, sizeof(p), "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", db_path);
    unlink(p);
}

/*
 * ---- case files ----
 *
 * tests/api/cases/NNN-name.json, run in name order against one database, so a case may
 * build on earlier ones. Keys:
 *   name             what the case shows
 *   as               anon (default), admin, head, point, member, revoked, cons_head,
 *                    third_head, prov_point, cons_point, prov_member, third_member (bearer
 *                    tokens: see principals[]), admin_cookie, admin_cookie_csrf (the admin's
 *                    session cookie)
 *   method, path     the request; ${var} is replaced in path, bodies, headers, expectations
 *   body | raw_body | raw_body_fill
 *                    JSON to send, text to send as is, or a {"name":"aaa…"} of N bytes
 *   headers          {"Name": "value"}, added to (or replacing) the principal's
 *   status           the expected HTTP status
 *   expect           a JSON subset of the reply: objects by key, arrays by position;
 *                    "$any", "$string", "$int", "$absent" match kinds of value
 *   expect_count     {"/pointer": n}: array lengths
 *   expect_headers   {"Name": "exact" | "prefix*" | "$any" | "$absent"}
 *   expect_contains  substrings of a non-JSON body
 *   save             {"var": "/pointer"}: keep a reply value as ${var}
 *   unchanged        true: no table may change (compared row by row before and after)
 * Variables from the set-up: ${dept:NAME}, ${person:LOCAL-PART} (of the demo e-mail),
 * ${calendar:NAME}, ${token:AS}, ${token_id:AS}, ${cookie}, ${csrf}. Every error reply is
 * also checked to be an RFC 9457 problem whose status and request_id match the reply.
 */

static const char *cur_file;
static json_t *cur_case;

static void case_fail(const char *fmt, ...) ACC_PRINTF(1, 2);
static void case_fail(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    t_report(cur_file, 0, msg);
}

/* Replaces each ${name} with its variable: a malloc'd string, or NULL for an unknown name. */
static char *subst(const char *s)
{
    struct acc_buf b;

    acc_buf_init(&b);
    while (*s) {
        const char *open = strstr(s, "${"), *close;

        if (!open) {
            acc_buf_adds(&b, s);
            break;
        }
        close = strchr(open, '}');
        if (!close) {
            acc_buf_adds(&b, s);
            break;
        }
        acc_buf_add(&b, s, (size_t)(open - s));
        {
            char *name = xstrndup(open + 2, (size_t)(close - open - 2));
            const char *v = var(name);

            if (!v) {
                case_fail("unknown variable ${%s}", name);
                free(name);
                acc_buf_release(&b);
                return NULL;
            }
            acc_buf_adds(&b, v);
            free(name);
        }
        s = close + 1;
    }
    return acc_buf_detach(&b, NULL);
}

/*
 * A deep copy of v with ${name} replaced in every string; a string that is exactly one
 * ${name} whose value is an integer becomes that integer (ids in bodies and expectations).
 */
static json_t *subst_json(json_t *v)
{
    if (json_is_string(v)) {
        char *s = subst(json_string_value(v));
        const char *src = json_string_value(v);
        json_t *out;
        int64_t n;

        if (!s)
            return json_string("${?}");
        if (src[0] == '$' && src[1] == '{' && strchr(src, '}') == src + strlen(src) - 1 &&
            acc_parse_i64(s, &n))
            out = json_integer(n);
        else
            out = json_string(s);
        free(s);
        return out;
    }
    if (json_is_object(v)) {
        json_t *out = json_object(), *item;
        const char *key;

        json_object_foreach(v, key, item) json_object_set_new(out, key, subst_json(item));
        return out;
    }
    if (json_is_array(v)) {
        json_t *out = json_array(), *item;
        size_t i;

        json_array_foreach(v, i, item) json_array_append_new(out, subst_json(item));
        return out;
    }
    return json_deep_copy(v);
}

/*
 * Checks that got contains want: objects key by key, arrays by position, scalars equal.
 * Strings "$any", "$string", "$int" and "$absent" match any present value, any string, any
 * integer, and a missing value. Reports each difference with its JSON pointer.
 */
static void subset(json_t *want, json_t *got, const char *path)
{
    char *g = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    const char *w = json_string_value(want);

    if (w && strcmp(w, "$absent") == 0) {
        if (got)
            case_fail("%s: want no value, got %.300s", path, g);
    } else if (!got) {
        case_fail("%s: missing", path[0] ? path : "body");
    } else if (w && strcmp(w, "$any") == 0) {
        /* present is enough */
    } else if (w && strcmp(w, "$string") == 0) {
        if (!json_is_string(got))
            case_fail("%s: want a string, got %.300s", path, g);
    } else if (w && strcmp(w, "$int") == 0) {
        if (!json_is_integer(got))
            case_fail("%s: want an integer, got %.300s", path, g);
    } else if (json_is_object(want)) {
        const char *key;
        json_t *item;

        if (!json_is_object(got)) {
            case_fail("%s: want an object, got %.300s", path, g);
        } else {
            json_object_foreach(want, key, item)
            {
                char *sub = strf("%s/%s", path, key);

                subset(item, json_object_get(got, key), sub);
                free(sub);
            }
        }
    } else if (json_is_array(want)) {
        json_t *item;
        size_t i;

        if (!json_is_array(got)) {
            case_fail("%s: want an array, got %.300s", path, g);
        } else {
            json_array_foreach(want, i, item)
            {
                char *sub = strf("%s/%zu", path, i);

                subset(item, json_array_get(got, i), sub);
                free(sub);
            }
        }
    } else if (!json_equal(want, got)) {
        char *ws = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY);

        case_fail("%s: want %s, got %.300s", path[0] ? path : "body", ws, g);
        free(ws);
    }
    free(g);
}

static void check_headers(const struct http_test_reply *r, json_t *want)
{
    const char *key;
    json_t *item;

    json_object_foreach(want, key, item)
    {
        const char *w = json_string_value(item);
        char got[1024], *ws;
        bool have = reply_header(r, key, got, sizeof(got));

        if (!w) {
            case_fail("expect_headers/%s must be a string", key);
            continue;
        }
        if (strcmp(w, "$absent") == 0) {
            if (have)
                case_fail("header %s: want none, got '%s'", key, got);
            continue;
        }
        if (!have) {
            case_fail("header %s: missing", key);
            continue;
        }
        if (strcmp(w, "$any") == 0)
            continue;
        ws = subst(w);
        if (!ws)
            continue;
        if (ws[0] && ws[strlen(ws) - 1] == '*' ? strncmp(got, ws, strlen(ws) - 1) != 0
                                               : strcmp(got, ws) != 0)
            case_fail("header %s: want '%s', got '%s'", key, ws, got);
        free(ws);
    }
}

/* Every problem reply: the RFC 9457 members, its status, and the request id of the header. */
static void check_problem(const struct http_test_reply *r, json_t *doc)
{
    char type[128] = "", rid[64] = "";

    reply_header(r, "Content-Type", type, sizeof(type));
    if (strcmp(type, "application/problem+json") != 0)
        case_fail("status %d with Content-Type '%s', want application/problem+json", r->status,
                  type);
    if (!json_is_object(doc)) {
        case_fail("status %d without a JSON problem body: %.200s", r->status, r->body);
        return;
    }
    if (!json_is_string(json_object_get(doc, "type")) ||
        strncmp(json_string_value(json_object_get(doc, "type")), "urn:accord:problem:", 19) != 0)
        case_fail("problem without a urn:accord:problem: type: %.200s", r->body);
    if (!json_is_string(json_object_get(doc, "title")))
        case_fail("problem without a title: %.200s", r->body);
    if (!json_is_string(json_object_get(doc, "detail")) ||
        !*json_string_value(json_object_get(doc, "detail")))
        case_fail("problem without a detail: %.200s", r->body);
    if (json_integer_value(json_object_get(doc, "status")) != r->status)
        case_fail("problem status differs from the HTTP status %d: %.200s", r->status, r->body);
    if (json_object_get(doc, "field") &&
        (!json_is_string(json_object_get(doc, "field")) ||
         json_string_value(json_object_get(doc, "field"))[0] != '/'))
        case_fail("problem field is not a JSON pointer: %.200s", r->body);
    if (!reply_header(r, "X-Request-Id", rid, sizeof(rid)) ||
        !json_is_string(json_object_get(doc, "request_id")) ||
        strcmp(rid, json_string_value(json_object_get(doc, "request_id"))) != 0)
        case_fail("problem request_id differs from X-Request-Id '%s': %.200s", rid, r->body);
}

/* Builds the request body of a case: "body" (any JSON), "raw_body", or "raw_body_fill" bytes. */
static char *case_body(json_t *c, bool *ok)
{
    json_t *body = json_object_get(c, "body");
    json_t *raw = json_object_get(c, "raw_body");
    json_t *fill = json_object_get(c, "raw_body_fill");

    *ok = true;
    if (body) {
        json_t *b = subst_json(body);
        char *s = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);

        json_decref(b);
        return s;
    }
    if (raw) {
        char *s = json_is_string(raw) ? subst(json_string_value(raw)) : NULL;

        *ok = s != NULL;
        return s;
    }
    if (fill) {
        /* {"name":"aaa…"}: a well-formed object of the given total size. */
        json_int_t n = json_integer_value(fill);
        char *s;

        if (n < 12) {
            *ok = false;
            return NULL;
        }
        s = xmalloc((size_t)n + 1);
        memset(s, 'a', (size_t)n);
        memcpy(s, "{\"name\":\"", 9);
        memcpy(s + n - 2, "\"}", 2);
        s[n] = '\0';
        return s;
    }
    return NULL;
}

/* A misspelt key would silently check nothing. */
static void check_case_keys(json_t *c)
{
    static const char *const known[] = {"name",
                                        "as",
                                        "method",
                                        "path",
                                        "headers",
                                        "body",
                                        "raw_body",
                                        "raw_body_fill",
                                        "status",
                                        "expect",
                                        "expect_count",
                                        "expect_headers",
                                        "expect_contains",
                                        "save",
                                        "unchanged"};
    const char *key;
    json_t *item;

    json_object_foreach(c, key, item)
    {
        size_t i = 0;

        while (i < ACC_ARRAY_LEN(known) && strcmp(known[i], key) != 0)
            i++;
        if (i == ACC_ARRAY_LEN(known))
            case_fail("unknown case key '%s'", key);
    }
}

static void run_case(void)
{
    json_t *c = cur_case, *doc = NULL, *expect, *h;
    const char *method = json_string_value(json_object_get(c, "method"));
    const char *path = json_string_value(json_object_get(c, "path"));
    const char *as = json_string_value(json_object_get(c, "as"));
    const char *hv[2 * CASE_HEADERS + 1];
    char *owned[CASE_HEADERS], *target = NULL, *body = NULL, *before[NDIGEST];
    struct http_test_reply r = {0};
    bool unchanged = json_is_true(json_object_get(c, "unchanged")), body_ok;
    int nh = 0, nowned = 0;

    check_case_keys(c);
    if (!method || !path || !json_is_integer(json_object_get(c, "status"))) {
        case_fail("a case needs method, path and status");
        return;
    }
    if (!as)
        as = "anon";
    target = subst(path);
    body = case_body(c, &body_ok);
    if (!target || !body_ok) {
        case_fail("bad path or body");
        goto out;
    }
    /* Credentials first; "headers" may add to them or replace them. */
    if (strcmp(as, "admin_cookie") == 0 || strcmp(as, "admin_cookie_csrf") == 0) {
        hv[nh++] = "Cookie";
        hv[nh++] = owned[nowned++] = subst(AUTH_COOKIE_NAME "=${cookie}");
        if (strcmp(as, "admin_cookie_csrf") == 0) {
            hv[nh++] = "X-CSRF-Token";
            hv[nh++] = var("csrf");
        }
    } else if (strcmp(as, "anon") != 0) {
        char name[64];

        snprintf(name, sizeof(name), "Bearer ${token:%s}", as);
        hv[nh++] = "Authorization";
        hv[nh++] = owned[nowned++] = subst(name);
        if (!hv[nh - 1]) {
            case_fail("unknown principal '%s'", as);
            goto out;
        }
    }
    h = json_object_get(c, "headers");
    if (h) {
        const char *key;
        json_t *item;

        json_object_foreach(h, key, item)
        {
            int at = nh;

            if (nowned == CASE_HEADERS || nh >= 2 * CASE_HEADERS - 2 || !json_is_string(item)) {
                case_fail("bad headers");
                goto out;
            }
            for (int i = 0; i < nh; i += 2)
                if (strcasecmp(hv[i], key) == 0)
                    at = i;
            hv[at] = key;
            hv[at + 1] = owned[nowned++] = subst(json_string_value(item));
            if (!hv[at + 1])
                goto out;
            if (at == nh)
                nh += 2;
        }
    }
    hv[nh] = NULL;

    if (unchanged)
        db_digest(before);
    http_test_call(app, method, target, body, hv, &r);
    if (unchanged) {
        char *after[NDIGEST];

        db_digest(after);
        for (size_t i = 0; i < NDIGEST; i++) {
            if (strcmp(before[i], after[i]) != 0)
                case_fail("table %s changed, but the case must change nothing",
                          digest_queries[i].table);
            free(before[i]);
            free(after[i]);
        }
    }

    if (r.status != json_integer_value(json_object_get(c, "status")))
        case_fail("%s %s: status %d, want %d; body: %.400s", method, target, r.status,
                  (int)json_integer_value(json_object_get(c, "status")), r.body);
    doc = r.body && *r.body ? json_loads(r.body, JSON_DECODE_ANY, NULL) : NULL;
    if (r.status >= 400)
        check_problem(&r, doc);
    expect = json_object_get(c, "expect");
    if (expect) {
        json_t *want = subst_json(expect);

        if (!doc)
            case_fail("the reply is not JSON: %.300s", r.body);
        else
            subset(want, doc, "");
        json_decref(want);
    }
    if (json_object_get(c, "expect_count")) {
        const char *key;
        json_t *item;

        json_object_foreach(json_object_get(c, "expect_count"), key, item)
        {
            json_t *arr = doc ? jptr(doc, key) : NULL;

            if (!json_is_array(arr))
                case_fail("%s: want an array", key);
            else if (json_array_size(arr) != (size_t)json_integer_value(item))
                case_fail("%s: %zu items, want %lld", key, json_array_size(arr),
                          (long long)json_integer_value(item));
        }
    }
    if (json_object_get(c, "expect_headers"))
        check_headers(&r, json_object_get(c, "expect_headers"));
    if (json_object_get(c, "expect_contains")) {
        json_t *item;
        size_t i;

        json_array_foreach(json_object_get(c, "expect_contains"), i, item)
        {
            if (!json_is_string(item))
                case_fail("expect_contains/%zu must be a string", i);
            else if (!strstr(r.body, json_string_value(item)))
                case_fail("the body lacks '%s'", json_string_value(item));
        }
    }
    /* "save": {"name": "/pointer"} keeps reply values for later cases. */
    if (json_object_get(c, "save")) {
        const char *key;
        json_t *item;

        json_object_foreach(json_object_get(c, "save"), key, item)
        {
            json_t *v = doc && json_is_string(item) ? jptr(doc, json_string_value(item)) : NULL;

            if (json_is_string(v))
                set_var(key, json_string_value(v));
            else if (json_is_integer(v))
                set_var_int(key, json_integer_value(v));
            else
                case_fail("save %s: no string or integer at %s", key,
                          json_is_string(item) ? json_string_value(item) : "(not a pointer)");
        }
    }
out:
    json_decref(doc);
    reply_free(&r);
    for (int i = 0; i < nowned; i++)
        free(owned[i]);
    free(target);
    free(body);
}

static int json_file(const struct dirent *e)
{
    size_t n = strlen(e->d_name);

    return n > 5 && strcmp(e->d_name + n - 5, ".json") == 0;
}

/* Runs every case file of dir in name order; each counts as one test. */
static void run_cases(const char *dir)
{
    struct dirent **list;
    int n = scandir(dir, &list, json_file, alphasort);

    if (n <= 0) {
        t_cur_name = dir;
        t_report(__FILE__, __LINE__, "no case files");
        t_failed++;
        return;
    }
    for (int i = 0; i < n; i++) {
        char path[512], name[300];
        json_error_t je;

        snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
        snprintf(name, sizeof(name), "%.*s", (int)strlen(list[i]->d_name) - 5, list[i]->d_name);
        cur_file = path;
        cur_case = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
        if (!json_is_object(cur_case)) {
            t_cur_name = name;
            fprintf(stderr, "  FAIL %s: not a JSON object: %s line %d\n", path, je.text, je.line);
            t_failed++;
        } else {
            t_run(name, run_case);
        }
        json_decref(cur_case);
        cur_case = NULL;
        free(list[i]);
    }
    free(list);
}

/* ---- what case files can't express ---- */

/* A GET as the administrator; the caller frees the reply. */
static void admin_get(const char *target, struct http_test_reply *r)
{
    char *auth = NULL;

    auth = strf("Bearer %s", var("token:admin"));
    {
        const char *const hdrs[] = {"Authorization", auth, NULL};

        http_test_call(app, "GET", target, NULL, hdrs, r);
    }
    free(auth);
}

static const struct route *route_for(const char *method, const char *pattern)
{
    for (size_t i = 0; i < http_nroutes; i++)
        if (strcasecmp(http_routes[i].method, method) == 0 &&
            strcmp(http_routes[i].pattern, pattern) == 0)
            return &http_routes[i];
    return NULL;
}

/* Reports every "$ref" of v that does not resolve inside doc. */
static void check_refs(json_t *doc, json_t *v)
{
    const char *key;
    json_t *item;
    size_t i;

    if (json_is_object(v)) {
        json_object_foreach(v, key, item)
        {
            if (strcmp(key, "$ref") == 0 && json_is_string(item)) {
                const char *ref = json_string_value(item);

                if (ref[0] != '#' || !jptr(doc, ref + 1)) {
                    char msg[300];

                    snprintf(msg, sizeof(msg), "openapi.json: $ref '%s' does not resolve", ref);
                    t_report(__FILE__, __LINE__, msg);
                }
            } else {
                check_refs(doc, item);
            }
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, item) check_refs(doc, item);
    }
}

/* The served document names every route of the table, and nothing else. */
static void test_openapi_matches_routes(void)
{
    static const char *const methods[] = {"get",     "put",  "post",  "delete",
                                          "options", "head", "patch", "trace"};
    struct http_test_reply r;
    json_t *doc, *paths, *item;
    const char *key;
    char msg[300];

    admin_get("/api/v1/openapi.json", &r);
    T_EQ_INT(r.status, 200);
    doc = json_loads(r.body, 0, NULL);
    reply_free(&r);
    T_OK(json_is_object(doc));
    if (!doc)
        return;
    T_OK(strncmp(json_string_value(json_object_get(doc, "openapi"))
                     ? json_string_value(json_object_get(doc, "openapi"))
                     : "",
                 "3.1.", 4) == 0);
    paths = json_object_get(doc, "paths");
    T_OK(json_is_object(paths));

    for (size_t i = 0; i < http_nroutes; i++) {
        const struct route *rt = &http_routes[i];
        char lower[16];
        json_t *op;
        size_t n;

        for (n = 0; rt->method[n] && n < sizeof(lower) - 1; n++)
            lower[n] = (char)(rt->method[n] | 32);
        lower[n] = '\0';
        op = json_object_get(json_object_get(paths, rt->pattern), lower);
        if (!json_is_object(op)) {
            snprintf(msg, sizeof(msg), "route %s %s is missing from openapi.json", rt->method,
                     rt->pattern);
            t_report(__FILE__, __LINE__, msg);
            continue;
        }
        if (!json_is_string(json_object_get(op, "summary")) ||
            strlen(json_string_value(json_object_get(op, "summary"))) < 10) {
            snprintf(msg, sizeof(msg), "%s %s has no useful summary", rt->method, rt->pattern);
            t_report(__FILE__, __LINE__, msg);
        }
        item = json_object_get(op, "security");
        if ((rt->flags & (ROUTE_AUTH | ROUTE_ADMIN)) == 0 &&
            !(json_is_array(item) && json_array_size(item) == 0)) {
            snprintf(msg, sizeof(msg), "public route %s %s needs \"security\": []", rt->method,
                     rt->pattern);
            t_report(__FILE__, __LINE__, msg);
        }
        if ((rt->flags & (ROUTE_AUTH | ROUTE_ADMIN)) &&
            !json_object_get(json_object_get(op, "responses"), "401")) {
            snprintf(msg, sizeof(msg), "%s %s needs authentication but lists no 401", rt->method,
                     rt->pattern);
            t_report(__FILE__, __LINE__, msg);
        }
        if ((rt->flags & ROUTE_ADMIN) &&
            !json_object_get(json_object_get(op, "responses"), "403")) {
            snprintf(msg, sizeof(msg), "%s %s is for administrators but lists no 403", rt->method,
                     rt->pattern);
            t_report(__FILE__, __LINE__, msg);
        }
    }

    json_object_foreach(paths, key, item)
    {
        for (size_t m = 0; m < ACC_ARRAY_LEN(methods); m++) {
            if (json_object_get(item, methods[m]) && !route_for(methods[m], key)) {
                snprintf(msg, sizeof(msg), "openapi.json names %s %s, which is not a route",
                         methods[m], key);
                t_report(__FILE__, __LINE__, msg);
            }
        }
    }
    check_refs(doc, doc);
    json_decref(doc);
}

/* GET / carries a content-hash ETag; sending it back answers 304 without a body. */
static void test_static_etag(void)
{
    const char *const stale[] = {"If-None-Match", "\"0123\"", NULL};
    char etag[128] = "", etag2[128] = "", type[128] = "";
    struct http_test_reply r;

    http_test_call(app, "GET", "/", NULL, NULL, &r);
    T_EQ_INT(r.status, 200);
    T_OK(reply_header(&r, "ETag", etag, sizeof(etag)));
    T_OK(reply_header(&r, "Content-Type", type, sizeof(type)));
    T_OK(strncmp(type, "text/html", 9) == 0);
    T_OK(strstr(r.body, "<html") != NULL);
    T_OK(etag[0] == '"' && strlen(etag) > 10);
    reply_free(&r);
    {
        const char *const fresh[] = {"If-None-Match", etag, NULL};

        http_test_call(app, "GET", "/", NULL, fresh, &r);
        T_EQ_INT(r.status, 304);
        T_EQ_STR(r.body, "");
        T_OK(reply_header(&r, "ETag", etag2, sizeof(etag2)));
        T_EQ_STR(etag2, etag);
        reply_free(&r);
    }
    http_test_call(app, "GET", "/", NULL, stale, &r);
    T_EQ_INT(r.status, 200);
    reply_free(&r);
    /* Another file has another hash. */
    http_test_call(app, "GET", "/signin", NULL, NULL, &r);
    T_EQ_INT(r.status, 200);
    T_OK(reply_header(&r, "ETag", etag2, sizeof(etag2)));
    T_OK(strcmp(etag2, etag) != 0);
    reply_free(&r);
    /* Paths that climb out of the web root are not served. */
    http_test_call(app, "GET", "/../Makefile", NULL, NULL, &r);
    T_EQ_INT(r.status, 404);
    reply_free(&r);
}

/* HEAD answers like GET: same status and headers (the server drops the body). */
static void test_head(void)
{
    char *auth = NULL, a[256], b[256];
    struct http_test_reply g, h;

    http_test_call(app, "GET", "/healthz", NULL, NULL, &g);
    http_test_call(app, "HEAD", "/healthz", NULL, NULL, &h);
    T_EQ_INT(h.status, 200);
    T_EQ_INT(h.status, g.status);
    T_OK(reply_header(&h, "Content-Type", a, sizeof(a)));
    T_OK(reply_header(&g, "Content-Type", b, sizeof(b)));
    T_EQ_STR(a, b);
    reply_free(&g);
    reply_free(&h);

    http_test_call(app, "GET", "/", NULL, NULL, &g);
    http_test_call(app, "HEAD", "/", NULL, NULL, &h);
    T_EQ_INT(h.status, 200);
    T_OK(reply_header(&h, "ETag", a, sizeof(a)));
    T_OK(reply_header(&g, "ETag", b, sizeof(b)));
    T_EQ_STR(a, b);
    reply_free(&g);
    reply_free(&h);

    auth = strf("Bearer %s", var("token:member"));
    {
        const char *const hdrs[] = {"Authorization", auth, NULL};

        http_test_call(app, "HEAD", "/api/v1/me", NULL, hdrs, &h);
        T_EQ_INT(h.status, 200);
        reply_free(&h);
        /* HEAD of an administrators' route is refused like GET. */
        http_test_call(app, "HEAD", "/api/v1/audit", NULL, hdrs, &h);
        T_EQ_INT(h.status, 403);
        reply_free(&h);
    }
    free(auth);
    http_test_call(app, "HEAD", "/api/v1/me", NULL, NULL, &h);
    T_EQ_INT(h.status, 401);
    reply_free(&h);
    /* A path without GET has no HEAD either. */
    http_test_call(app, "HEAD", "/api/v1/session", NULL, NULL, &h);
    T_EQ_INT(h.status, 405);
    T_OK(reply_header(&h, "Allow", a, sizeof(a)));
    T_EQ_STR(a, "POST, DELETE");
    reply_free(&h);
}

/* The cookie session end to end: sign in, read, write with and without CSRF, sign out. */
static void test_cookie_session(void)
{
    char *cookie = NULL, set_cookie[256];
    const char *csrf;
    struct http_test_reply r;
    json_t *doc;

    if (!sign_in("hannah.weber@example.org", "hr_cookie", "hr_csrf")) {
        T_OK(!"sign-in as hannah.weber failed");
        return;
    }
    csrf = var("hr_csrf");
    cookie = strf(AUTH_COOKIE_NAME "=%s", var("hr_cookie"));
    {
        const char *const read[] = {"Cookie", cookie, NULL};
        const char *const no_csrf[] = {"Cookie", cookie, NULL};
        const char *const bad_csrf[] = {"Cookie", cookie, "X-CSRF-Token", "csr_wrong", NULL};
        const char *const good[] = {"Cookie", cookie, "X-CSRF-Token", csrf, NULL};
        char *body = NULL;

        http_test_call(app, "GET", "/api/v1/me", NULL, read, &r);
        T_EQ_INT(r.status, 200);
        doc = json_loads(r.body, 0, NULL);
        T_EQ_STR(json_string_value(json_object_get(doc, "auth")), "session");
        T_EQ_STR(json_string_value(json_object_get(doc, "csrf_token")), csrf);
        T_EQ_STR(json_string_value(json_object_get(json_object_get(doc, "person"), "email")),
                 "hannah.weber@example.org");
        json_decref(doc);
        reply_free(&r);

        body = strf("{\"name\":\"HR Temp\",\"email\":\"hr.temp@example.org\","
                    "\"department_id\":%s,\"role\":\"member\"}",
                    var("dept:HR"));
        http_test_call(app, "POST", "/api/v1/people", body, no_csrf, &r);
        T_EQ_INT(r.status, 403);
        reply_free(&r);
        http_test_call(app, "POST", "/api/v1/people", body, bad_csrf, &r);
        T_EQ_INT(r.status, 403);
        reply_free(&r);
        http_test_call(app, "POST", "/api/v1/people", body, good, &r);
        T_EQ_INT(r.status, 201);
        reply_free(&r);
        free(body);

        http_test_call(app, "DELETE", "/api/v1/session", NULL, no_csrf, &r);
        T_EQ_INT(r.status, 403);
        reply_free(&r);
        http_test_call(app, "DELETE", "/api/v1/session", NULL, good, &r);
        T_EQ_INT(r.status, 204);
        T_OK(reply_header(&r, "Set-Cookie", set_cookie, sizeof(set_cookie)));
        T_OK(strstr(set_cookie, "Max-Age=0") != NULL);
        reply_free(&r);
        http_test_call(app, "GET", "/api/v1/me", NULL, read, &r);
        T_EQ_INT(r.status, 401);
        reply_free(&r);
    }
    free(cookie);
}

/* The sign-in cookie's attributes. */
static void test_cookie_attributes(void)
{
    const char *const hdrs[] = {"Content-Type", "application/json", NULL};
    struct http_test_reply r;
    char c[256];

    http_test_call(app, "POST", "/api/v1/session",
                   "{\"email\":\"HOLLY.EVANS@example.org\",\"password\":\"" ORG_DEMO_PASSWORD "\"}",
                   hdrs, &r);
    T_EQ_INT(r.status, 201);
    T_OK(reply_header(&r, "Set-Cookie", c, sizeof(c)));
    T_OK(strncmp(c, AUTH_COOKIE_NAME "=acc_", strlen(AUTH_COOKIE_NAME) + 5) == 0);
    T_OK(strstr(c, "; HttpOnly") != NULL);
    T_OK(strstr(c, "; SameSite=Strict") != NULL);
    T_OK(strstr(c, "; Path=/") != NULL);
    T_OK(strstr(c, "; Max-Age=43200") != NULL);
    T_OK(strstr(c, "Secure") == NULL); /* not configured behind HTTPS here */
    reply_free(&r);
}

/* Walking every page of people gives each person exactly once, in id order. */
static void test_pagination_walk(void)
{
    int64_t total = db_count("SELECT COUNT(*) FROM person"), seen = 0, last = 0;
    char *target = xstrdup("/api/v1/people?limit=7");
    int pages = 0;

    while (target && pages < 100) {
        struct http_test_reply r;
        json_t *doc, *items, *item, *next;
        size_t i;

        admin_get(target, &r);
        free(target);
        target = NULL;
        T_EQ_INT(r.status, 200);
        doc = json_loads(r.body, 0, NULL);
        reply_free(&r);
        items = json_object_get(doc, "items");
        T_OK(json_is_array(items) && json_array_size(items) <= 7);
        json_array_foreach(items, i, item)
        {
            int64_t id = json_integer_value(json_object_get(item, "id"));

            T_OK(id > last);
            last = id;
            seen++;
        }
        next = json_object_get(doc, "next_cursor");
        if (json_is_string(next)) {
            T_EQ_INT(json_array_size(items), 7);
            target = strf("/api/v1/people?limit=7&cursor=%s", json_string_value(next));
        } else {
            T_OK(json_is_null(next));
        }
        json_decref(doc);
        pages++;
    }
    free(target);
    T_OK(total > 49);
    T_EQ_INT(seen, total);
    T_EQ_INT(pages, (total + 6) / 7);
}

/* The audit cursor runs from the newest entry down, without repeats. */
static void test_audit_pages(void)
{
    struct http_test_reply r;
    json_t *a, *b;
    int64_t a_last, b_first;
    char *target = NULL;

    admin_get("/api/v1/audit?limit=4", &r);
    T_EQ_INT(r.status, 200);
    a = json_loads(r.body, 0, NULL);
    reply_free(&r);
    T_EQ_INT(json_array_size(json_object_get(a, "items")), 4);
    T_OK(json_is_string(json_object_get(a, "next_cursor")));
    target = strf("/api/v1/audit?limit=4&cursor=%s",
                  json_is_string(json_object_get(a, "next_cursor"))
                      ? json_string_value(json_object_get(a, "next_cursor"))
                      : "");
    admin_get(target, &r);
    free(target);
    T_EQ_INT(r.status, 200);
    b = json_loads(r.body, 0, NULL);
    reply_free(&r);
    a_last = json_integer_value(json_object_get(jptr(a, "/items/3"), "id"));
    b_first = json_integer_value(json_object_get(jptr(b, "/items/0"), "id"));
    T_OK(json_integer_value(json_object_get(jptr(a, "/items/0"), "id")) > a_last);
    T_OK(b_first < a_last && b_first > 0);
    json_decref(a);
    json_decref(b);
}

/* Every reply carries a request id, different for each exchange. */
static void test_request_id(void)
{
    struct http_test_reply r1, r2;
    char a[64] = "", b[64] = "";

    http_test_call(app, "GET", "/healthz", NULL, NULL, &r1);
    http_test_call(app, "GET", "/healthz", NULL, NULL, &r2);
    T_OK(reply_header(&r1, "X-Request-Id", a, sizeof(a)));
    T_OK(reply_header(&r2, "X-Request-Id", b, sizeof(b)));
    T_EQ_INT(strlen(a), 16);
    T_OK(strcmp(a, b) != 0);
    reply_free(&r1);
    reply_free(&r2);
}

/*
 * The reply cache never answers a key with another key's body: a reply made at an older
 * revision (a slow reader) that lands in a ring slot last filled at a newer revision.
 */
static void test_cache_keeps_bodies_apart(void)
{
    struct reply_cache c;
    char key[32], body[32], *got = NULL;
    size_t len = 0;

    http_cache_init(&c);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        snprintf(key, sizeof(key), "/k%d", i);
        snprintf(body, sizeof(body), "{\"k\":%d}", i);
        http_cache_put(&c, key, 6, body, strlen(body));
    }
    http_cache_put(&c, "/late", 5, "{\"late\":1}", 10);
    /* A miss is right too; another key's body is not. */
    if (http_cache_get(&c, "/late", 6, &got, &len)) {
        T_EQ_STR(got, "{\"late\":1}");
        free(got);
    }
    if (http_cache_get(&c, "/late", 5, &got, &len)) {
        T_EQ_STR(got, "{\"late\":1}");
        free(got);
    }
    http_cache_release(&c);
}

/* A change is visible at once to a read that was cached before it. */
static void test_cache_follows_changes(void)
{
    char *auth = strf("Bearer %s", var("token:admin"));
    char *path = strf("/api/v1/departments/%s", var("dept:HR")), *target, *before;
    const char *const hdrs[] = {"Authorization", auth, NULL};
    struct http_test_reply r;
    json_t *doc;

    http_test_call(app, "GET", path, NULL, hdrs, &r);
    T_EQ_INT(r.status, 200);
    before = r.body;
    free(r.headers);
    http_test_call(app, "GET", path, NULL, hdrs, &r);
    T_EQ_STR(r.body, before); /* the same reply, now from the cache */
    reply_free(&r);
    http_test_call(app, "PATCH", path, "{\"name\":\"Human Resources\"}", hdrs, &r);
    T_EQ_INT(r.status, 200);
    reply_free(&r);
    http_test_call(app, "GET", path, NULL, hdrs, &r);
    doc = json_loads(r.body, 0, NULL);
    T_EQ_STR(json_string_value(json_object_get(doc, "name")), "Human Resources");
    json_decref(doc);
    reply_free(&r);
    /* The person list names departments too. */
    target = strf("/api/v1/people?department=%s&limit=1", var("dept:HR"));
    http_test_call(app, "GET", target, NULL, hdrs, &r);
    doc = json_loads(r.body, 0, NULL);
    T_EQ_STR(json_string_value(jptr(doc, "/items/0/department/name")), "Human Resources");
    json_decref(doc);
    reply_free(&r);
    free(before);
    free(target);
    free(path);
    free(auth);
}

/*
 * ---- contract visibility (SPEC 4) ----
 *
 * (administrator, head, point person, member) x (provider side, consumer side, third
 * department), for drafts, proposals and withdrawn versions next to an active one. Contract
 * 1: Finance provides Credit check to Sales, IT is the third department; its version 2 is
 * active. The test starts version 3 of it and a brand-new Finance-to-Sales contract whose
 * only version is a draft, asks every question as every principal, then proposes both and
 * asks again, then withdraws (retires) both and asks once more. A failure names its cell.
 */

struct vis_who {
    const char *as;   /* the principal */
    const char *role; /* what they are to contract 1 */
    bool side;        /* an administrator or a person of either side */
};

static const struct vis_who vis_people[] = {
    {"admin", "administrator", true},
    {"head", "provider head", true},
    {"prov_point", "provider point person", true},
    {"prov_member", "provider member", true},
    {"cons_head", "consumer head", true},
    {"cons_point", "consumer point person", true},
    {"member", "consumer member", true},
    {"third_head", "third-department head", false},
    {"point", "third-department point person", false},
    {"third_member", "third-department member", false},
};

static void vis_fail(const struct vis_who *w, const char *question, const char *fmt, ...)
    ACC_PRINTF(3, 4);
static void vis_fail(const struct vis_who *w, const char *question, const char *fmt, ...)
{
    char msg[1024], what[640];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(msg, sizeof(msg), "cell [%s (%s) x %s]: %s", w->as, w->role, question, what);
    t_report(__FILE__, __LINE__, msg);
}

/* A request as principal as: the status, and the reply's JSON in *doc (NULL if none). */
static int api_call(const char *as, const char *method, const char *target, const char *body,
                    json_t **doc)
{
    char name[64], *auth;
    struct http_test_reply r;
    int status;

    snprintf(name, sizeof(name), "token:%s", as);
    auth = strf("Bearer %s", var(name) ? var(name) : "");
    {
        const char *const hdrs[] = {"Authorization", auth, NULL};

        http_test_call(app, method, target, body, hdrs, &r);
    }
    status = r.status;
    *doc = r.body && *r.body ? json_loads(r.body, 0, NULL) : NULL;
    reply_free(&r);
    free(auth);
    return status;
}

/*
 * Asks question (a GET of target) as w and checks the status: want_side for the sides and
 * administrators, want_third for the third department. The reply's JSON when it is 200.
 */
static json_t *vis_get(const struct vis_who *w, const char *question, const char *target,
                       int want_side, int want_third)
{
    int want = w->side ? want_side : want_third;
    json_t *doc = NULL;
    int status = api_call(w->as, "GET", target, NULL, &doc);

    if (status != want) {
        char *s = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

        vis_fail(w, question, "GET %s: status %d, want %d: %.200s", target, status, want,
                 s ? s : "");
        free(s);
    }
    if (status != 200 || !doc) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* Checks that array arr has (want) or lacks an object whose key is value. */
static void vis_lists(const struct vis_who *w, const char *question, json_t *arr, const char *key,
                      int64_t value, bool want)
{
    bool found = false;
    json_t *item;
    size_t i;

    if (!json_is_array(arr)) {
        vis_fail(w, question, "no array in the reply");
        return;
    }
    json_array_foreach(arr, i, item)
    {
        if (json_integer_value(json_object_get(item, key)) == value)
            found = true;
    }
    if (found != want)
        vis_fail(w, question, "%s %s=%lld, want it %s", found ? "lists" : "does not list", key,
                 (long long)value, want ? "listed" : "left out");
}

static void vis_str(const struct vis_who *w, const char *question, json_t *doc, const char *ptr,
                    const char *want)
{
    const char *got = json_string_value(jptr(doc, ptr));

    if (!got || strcmp(got, want) != 0)
        vis_fail(w, question, "%s is '%s', want '%s'", ptr, got ? got : "(none)", want);
}

static void vis_int(const struct vis_who *w, const char *question, json_t *doc, const char *ptr,
                    int64_t want)
{
    json_t *got = jptr(doc, ptr);

    if (!json_is_integer(got) || json_integer_value(got) != want)
        vis_fail(w, question, "%s is %lld, want %lld", ptr, (long long)json_integer_value(got),
                 (long long)want);
}

/*
 * Every question as every principal, while contract 1's version n and contract fresh's
 * only version are both in state (draft, proposed or retired); contract 1's version 2 is
 * active throughout, contract 8 (HR to Marketing) is proposed.
 */
static void vis_round(const char *state, int n, int64_t fresh)
{
    for (size_t i = 0; i < ACC_ARRAY_LEN(vis_people); i++) {
        const struct vis_who *w = &vis_people[i];
        char *q, *target;
        json_t *doc;

        /* Contract 1's new version, its active version, the contract and its versions. */
        q = strf("contract 1 version %d (%s)", n, state);
        target = strf("/api/v1/contracts/1/versions/%d", n);
        doc = vis_get(w, q, target, 200, 404);
        if (doc)
            vis_str(w, q, doc, "/state", state);
        json_decref(doc);
        free(target);
        free(q);

        q = strf("contract 1 version 2 (active, while version %d is %s)", n, state);
        doc = vis_get(w, q, "/api/v1/contracts/1/versions/2", 200, 200);
        if (doc)
            vis_str(w, q, doc, "/state", "active");
        json_decref(doc);
        free(q);

        q = strf("contract 1 (version %d %s)", n, state);
        doc = vis_get(w, q, "/api/v1/contracts/1", 200, 200);
        if (doc) {
            vis_lists(w, q, json_object_get(doc, "versions"), "number", n, w->side);
            vis_lists(w, q, json_object_get(doc, "versions"), "number", 2, true);
            vis_int(w, q, doc, "/active_version", 2);
            vis_int(w, q, doc, "/latest_version", w->side ? n : 2);
            vis_int(w, q, doc, "/current/number", 2);
            vis_str(w, q, doc, "/state", "active");
        }
        json_decref(doc);
        free(q);

        q = strf("contract 1's versions (version %d %s)", n, state);
        doc = vis_get(w, q, "/api/v1/contracts/1/versions", 200, 200);
        if (doc) {
            vis_lists(w, q, json_object_get(doc, "items"), "number", n, w->side);
            vis_lists(w, q, json_object_get(doc, "items"), "number", 2, true);
        }
        json_decref(doc);
        free(q);

        /* The lists. */
        q = strf("contracts with state=%s", state);
        target = strf("/api/v1/contracts?state=%s&limit=200", state);
        doc = vis_get(w, q, target, 200, 200);
        if (doc) {
            vis_lists(w, q, json_object_get(doc, "items"), "id", 1, w->side);
            vis_lists(w, q, json_object_get(doc, "items"), "id", fresh, w->side);
        }
        json_decref(doc);
        free(target);
        free(q);

        q = strf("contracts with state=active (while the new ones are %s)", state);
        doc = vis_get(w, q, "/api/v1/contracts?state=active&limit=200", 200, 200);
        if (doc) {
            vis_lists(w, q, json_object_get(doc, "items"), "id", 1, true);
            vis_lists(w, q, json_object_get(doc, "items"), "id", fresh, false);
        }
        json_decref(doc);
        free(q);

        q = strf("all contracts (the new one %s)", state);
        doc = vis_get(w, q, "/api/v1/contracts?limit=200", 200, 200);
        if (doc) {
            vis_lists(w, q, json_object_get(doc, "items"), "id", 1, true);
            vis_lists(w, q, json_object_get(doc, "items"), "id", fresh, w->side);
        }
        json_decref(doc);
        free(q);

        /* The brand-new contract, which has no other version. */
        q = strf("new contract %lld (%s)", (long long)fresh, state);
        target = strf("/api/v1/contracts/%lld", (long long)fresh);
        doc = vis_get(w, q, target, 200, 404);
        if (doc) {
            vis_str(w, q, doc, "/state", state);
            vis_str(w, q, doc, "/current/state", state);
        }
        json_decref(doc);
        free(target);
        free(q);

        q = strf("new contract %lld version 1 (%s)", (long long)fresh, state);
        target = strf("/api/v1/contracts/%lld/versions/1", (long long)fresh);
        json_decref(vis_get(w, q, target, 200, 404));
        free(target);
        free(q);

        q = strf("new contract %lld's versions (%s)", (long long)fresh, state);
        target = strf("/api/v1/contracts/%lld/versions", (long long)fresh);
        json_decref(vis_get(w, q, target, 200, 404));
        free(target);
        free(q);

        /* A proposal between two other departments: only administrators see it. */
        q = strf("contract 8 (proposed by HR to Marketing)");
        {
            json_t *d = NULL;
            int want = strcmp(w->as, "admin") == 0 ? 200 : 404;
            int status = api_call(w->as, "GET", "/api/v1/contracts/8", NULL, &d);

            if (status != want)
                vis_fail(w, q, "status %d, want %d", status, want);
            json_decref(d);
        }
        free(q);
    }
}

/* A write as the provider's head that must succeed; its JSON, or NULL after a failure. */
static json_t *vis_setup(const char *as, const char *method, const char *target, const char *body,
                         int want)
{
    json_t *doc = NULL;
    int status = api_call(as, method, target, body, &doc);

    if (status != want) {
        char *s = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        char msg[640];

        snprintf(msg, sizeof(msg), "set-up %s %s as %s: status %d, want %d: %.300s", method, target,
                 as, status, want, s ? s : "");
        t_report(__FILE__, __LINE__, msg);
        free(s);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static void test_contract_visibility(void)
{
    json_t *doc;
    int64_t service, fresh;
    int n;
    char *body, *target;

    /* Version 3 of contract 1, started by the provider's head from the active version. */
    doc = vis_setup("head", "POST", "/api/v1/contracts/1/versions", "{}", 201);
    if (!doc)
        return;
    n = (int)json_integer_value(json_object_get(doc, "number"));
    T_EQ_INT(n, 3);
    T_EQ_STR(json_string_value(json_object_get(doc, "state")), "draft");
    json_decref(doc);

    /* A brand-new contract between the same departments about another service. */
    body = strf("{\"name\":\"Cash forecast\",\"provider_id\":%s,\"point_person_id\":%s}",
                var("dept:Finance"), var("person:farid.haddad"));
    doc = vis_setup("admin", "POST", "/api/v1/services", body, 201);
    free(body);
    if (!doc)
        return;
    service = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    body = strf("{\"service_id\":%lld,\"consumer_department_id\":%s,\"calendar_id\":%s,"
                "\"response_minutes\":60,\"resolution_minutes\":480}",
                (long long)service, var("dept:Sales"), var("calendar:Head office"));
    doc = vis_setup("head", "POST", "/api/v1/contracts", body, 201);
    free(body);
    if (!doc)
        return;
    fresh = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);

    vis_round("draft", n, fresh);

    /* Both proposed: still only the two sides see them. */
    target = strf("/api/v1/contracts/%lld/versions/1", (long long)fresh);
    json_decref(vis_setup("head", "PATCH", target,
                          "{\"expectations\":{\"provider\":[{\"measure\":\"quality\","
                          "\"target\":4}]}}",
                          200));
    free(target);
    target = strf("/api/v1/contracts/%lld/versions/1/propose", (long long)fresh);
    json_decref(vis_setup("head", "POST", target, NULL, 200));
    free(target);
    target = strf("/api/v1/contracts/1/versions/%d/propose", n);
    json_decref(vis_setup("head", "POST", target, NULL, 200));
    free(target);

    vis_round("proposed", n, fresh);

    /* Both withdrawn: a version that was never active stays with the two sides. */
    target = strf("/api/v1/contracts/%lld/versions/1/retire", (long long)fresh);
    json_decref(vis_setup("head", "POST", target, NULL, 200));
    free(target);
    target = strf("/api/v1/contracts/1/versions/%d/retire", n);
    json_decref(vis_setup("head", "POST", target, NULL, 200));
    free(target);

    vis_round("retired", n, fresh);
}

/*
 * ---- request access (SPEC 4) ----
 *
 * Every request route as (member, point person, head) x (consumer department, provider
 * department, third department), and as an administrator. A request is raised under
 * contract 1 (Finance provides Credit check to Sales; IT is the third department), with a
 * public comment by the consumer and an internal note by the provider; a second one is
 * resolved at once. Third parties get 404 on the request, its comments, events,
 * transitions, escalation and PATCH, and never find it in a list or a count, with or
 * without filters; the sides and administrators see it; internal notes (and their "note"
 * events) are the provider side's. Writes that must fail must change nothing. A failure
 * names its cell.
 */

enum rq_side { RQ_ADMIN, RQ_PROVIDER, RQ_CONSUMER, RQ_THIRD };

struct rq_who {
    const char *as;   /* the principal */
    const char *role; /* what they are to contract 1 */
    enum rq_side side;
    bool manager; /* the head or a point person: may reassign within the provider */
};

static const struct rq_who rq_people[] = {
    {"admin", "administrator", RQ_ADMIN, true},
    {"prov_member", "provider member", RQ_PROVIDER, false},
    {"prov_point", "provider point person", RQ_PROVIDER, true},
    {"head", "provider head", RQ_PROVIDER, true},
    {"member", "consumer member", RQ_CONSUMER, false},
    {"cons_point", "consumer point person", RQ_CONSUMER, true},
    {"cons_head", "consumer head", RQ_CONSUMER, true},
    {"third_member", "third-department member", RQ_THIRD, false},
    {"point", "third-department point person", RQ_THIRD, true},
    {"third_head", "third-department head", RQ_THIRD, true},
};

static void rq_fail(const struct rq_who *w, const char *route, const char *fmt, ...)
    ACC_PRINTF(3, 4);
static void rq_fail(const struct rq_who *w, const char *route, const char *fmt, ...)
{
    char msg[1024], what[700];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(msg, sizeof(msg), "cell [%s (%s) x %s]: %s", w->as, w->role, route, what);
    t_report(__FILE__, __LINE__, msg);
}

/*
 * Calls method target as w (anonymously when w is NULL) and checks the status; with
 * unchanged, that no table changed. The reply's JSON when the status is the one wanted
 * and below 300, else NULL.
 */
static json_t *rq_call(const struct rq_who *w, const char *route, const char *method,
                       const char *target, const char *body, int want, bool unchanged)
{
    static const struct rq_who anon = {"anon", "no credentials", RQ_THIRD, false};
    char *before[NDIGEST];
    json_t *doc = NULL;
    int status;

    if (unchanged)
        db_digest(before);
    if (w) {
        status = api_call(w->as, method, target, body, &doc);
    } else {
        struct http_test_reply r;

        w = &anon;
        http_test_call(app, method, target, body, NULL, &r);
        status = r.status;
        reply_free(&r);
    }
    if (unchanged) {
        char *after[NDIGEST];

        db_digest(after);
        for (size_t i = 0; i < NDIGEST; i++) {
            if (strcmp(before[i], after[i]) != 0)
                rq_fail(w, route, "%s %s changed table %s", method, target,
                        digest_queries[i].table);
            free(before[i]);
            free(after[i]);
        }
    }
    if (status != want) {
        char *s = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

        rq_fail(w, route, "%s %s: status %d, want %d: %.300s", method, target, status, want,
                s ? s : "");
        free(s);
    }
    if (status != want || status >= 300 || !doc) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* How many items of arr have key (a string) equal to value, or (value NULL) key true. */
static int rq_count_items(json_t *arr, const char *key, const char *value)
{
    json_t *item;
    size_t i;
    int n = 0;

    json_array_foreach(arr, i, item)
    {
        json_t *v = json_object_get(item, key);

        if (value ? json_is_string(v) && strcmp(json_string_value(v), value) == 0 : json_is_true(v))
            n++;
    }
    return n;
}

/* A request raised, commented on and (optionally) resolved for the matrix; its id or 0. */
static int64_t rq_setup_request(const char *title, bool resolve)
{
    char *body = strf("{\"contract_id\":1,\"title\":\"%s\"}", title), *target;
    json_t *doc = vis_setup("member", "POST", "/api/v1/requests", body, 201);
    int64_t id = doc ? json_integer_value(json_object_get(doc, "id")) : 0;

    free(body);
    json_decref(doc);
    if (!id)
        return 0;
    target = strf("/api/v1/requests/%lld/comments", (long long)id);
    json_decref(vis_setup("member", "POST", target, "{\"body\":\"Customer number 4711\"}", 201));
    json_decref(vis_setup("prov_point", "POST", target,
                          "{\"body\":\"Check the ledger first\",\"internal\":true}", 201));
    free(target);
    if (resolve) {
        target = strf("/api/v1/requests/%lld/transitions", (long long)id);
        json_decref(vis_setup("prov_point", "POST", target, "{\"to\":\"resolved\"}", 200));
        free(target);
    }
    return id;
}

/* The list filters asked with and without: each must keep request id from third parties. */
static const char *const rq_filters[] = {
    "",
    "contract=1",
    "consumer=${dept:Sales}",
    "provider=${dept:Finance}",
    "provider=${dept:Finance}&consumer=${dept:Sales}",
    "status=open",
    "open=true",
    "service=${rq:service}",
    "assignee=${person:farid.haddad}",
    "breached=false",
    "raised_from=2000-01-01T00:00:00Z&raised_to=2100-01-01T00:00:00Z",
    "due_before=2100-01-01T00:00:00Z",
    /* Searches: words of the title, of a public comment, a prefix, with filters, the queue. */
    "q=access+matrix",
    "q=customer+4711",
    "q=matr",
    "q=access&provider=${dept:Finance}&consumer=${dept:Sales}",
    "q=matrix&open=true&contract=1",
    "q=matrix&open=true&provider=${dept:Finance}&sort=resolution_due",
    "q=matrix&open=true&sort=resolution_due",
};

/*
 * The words of the internal note on request id: found (in lists, counts, queues) by the provider
 * side and administrators, never by the consumer side or a third department.
 */
static void rq_note_search(const struct rq_who *w, int64_t id)
{
    static const char *const paths[] = {
        "q=ledger",
        "q=ledger&consumer=${dept:Sales}",
        "q=the+ledg",
        "q=ledger&open=true&sort=resolution_due",
    };
    bool notes = w->side == RQ_ADMIN || w->side == RQ_PROVIDER;

    for (size_t p = 0; p < ACC_ARRAY_LEN(paths); p++) {
        char *filter = subst(paths[p]);
        char *route = strf("GET /requests?%s (words of an internal note)", filter);
        char *list = strf("/api/v1/requests?limit=200&%s", filter);
        char *count = strf("/api/v1/requests/count?%s", filter);
        json_t *doc = rq_call(w, route, "GET", list, NULL, 200, false);
        json_t *item;
        bool found = false;
        size_t i;

        json_array_foreach(json_object_get(doc, "items"), i, item)
        {
            if (json_integer_value(json_object_get(item, "id")) == id)
                found = true;
        }
        if (doc && found != notes)
            rq_fail(w, route, "%s request %lld", found ? "finds" : "does not find", (long long)id);
        json_decref(doc);
        /* Only the requests of the access matrix have the word. */
        doc = rq_call(w, route, "GET", count, NULL, 200, false);
        if (doc && (json_integer_value(json_object_get(doc, "count")) > 0) != notes)
            rq_fail(w, route, "counts %lld",
                    (long long)json_integer_value(json_object_get(doc, "count")));
        json_decref(doc);
        free(count);
        free(list);
        free(route);
        free(filter);
    }
}

static void rq_lists(const struct rq_who *w, int64_t id)
{
    bool sees = w->side != RQ_THIRD;

    for (size_t f = 0; f < ACC_ARRAY_LEN(rq_filters); f++) {
        char *filter = subst(rq_filters[f]);
        char *route = strf("GET /requests?%s", filter ? filter : "?");
        char *list =
            strf("/api/v1/requests?limit=200%s%s", *rq_filters[f] ? "&" : "", filter ? filter : "");
        char *count =
            strf("/api/v1/requests/count%s%s", *rq_filters[f] ? "?" : "", filter ? filter : "");
        json_t *doc = rq_call(w, route, "GET", list, NULL, 200, false);
        json_t *items = json_object_get(doc, "items"), *item;
        int64_t listed = -1;
        bool found = false;
        size_t i;

        if (doc && !json_is_array(items))
            rq_fail(w, route, "no items");
        json_array_foreach(items, i, item)
        {
            int64_t prov = json_integer_value(jptr(item, "/provider/id"));
            int64_t cons = json_integer_value(jptr(item, "/consumer/id"));
            int64_t it = atoll(var("dept:IT"));

            if (json_integer_value(json_object_get(item, "id")) == id)
                found = true;
            /* A third department (IT) sees nothing but IT's requests. */
            if (!sees && prov != it && cons != it)
                rq_fail(w, route, "lists request %lld between two other departments",
                        (long long)json_integer_value(json_object_get(item, "id")));
        }
        if (doc) {
            listed = (int64_t)json_array_size(items);
            if (found != sees)
                rq_fail(w, route, "%s request %lld", found ? "lists" : "does not list",
                        (long long)id);
            if (json_is_string(json_object_get(doc, "next_cursor")))
                rq_fail(w, route, "more than one page: the check would be partial");
        }
        json_decref(doc);
        free(route);
        route = strf("GET /requests/count?%s", filter ? filter : "?");
        doc = rq_call(w, route, "GET", count, NULL, 200, false);
        if (doc && listed >= 0 && json_integer_value(json_object_get(doc, "count")) != listed)
            rq_fail(w, route, "count %lld, but the list has %lld",
                    (long long)json_integer_value(json_object_get(doc, "count")),
                    (long long)listed);
        json_decref(doc);
        free(count);
        free(list);
        free(route);
        free(filter);
    }
}

/* The reads of one cell while the request has one comment and one internal note. */
static void rq_reads(const struct rq_who *w, int64_t id)
{
    bool sees = w->side != RQ_THIRD, notes = w->side == RQ_ADMIN || w->side == RQ_PROVIDER;
    char *target = strf("/api/v1/requests/%lld", (long long)id);
    char *comments = strf("%s/comments", target), *events = strf("%s/events", target);
    json_t *doc;

    doc = rq_call(w, "GET /requests/{id}", "GET", target, NULL, sees ? 200 : 404, false);
    if (doc && json_integer_value(json_object_get(doc, "id")) != id)
        rq_fail(w, "GET /requests/{id}", "another request");
    json_decref(doc);

    doc = rq_call(w, "GET /requests/{id}/comments", "GET", comments, NULL, sees ? 200 : 404, false);
    if (doc) {
        json_t *items = json_object_get(doc, "items");

        if (json_array_size(items) != (notes ? 2u : 1u))
            rq_fail(w, "GET /requests/{id}/comments", "%zu comments, want %d",
                    json_array_size(items), notes ? 2 : 1);
        if (rq_count_items(items, "internal", NULL) != (notes ? 1 : 0))
            rq_fail(w, "GET /requests/{id}/comments", "%s the internal note",
                    notes ? "does not see" : "sees");
    }
    json_decref(doc);

    doc = rq_call(w, "GET /requests/{id}/events", "GET", events, NULL, sees ? 200 : 404, false);
    if (doc) {
        json_t *items = json_object_get(doc, "items");

        if (rq_count_items(items, "kind", "note") != (notes ? 1 : 0))
            rq_fail(w, "GET /requests/{id}/events", "%s the note's event",
                    notes ? "does not see" : "sees");
        if (rq_count_items(items, "kind", "comment") != 1)
            rq_fail(w, "GET /requests/{id}/events", "the public comment's event is missing");
    }
    json_decref(doc);
    free(events);
    free(comments);
    free(target);
}

/* The writes of one cell that must fail, and change nothing. */
static void rq_failed_writes(const struct rq_who *w, int64_t id, int64_t resolved)
{
    bool third = w->side == RQ_THIRD;
    char *target = strf("/api/v1/requests/%lld", (long long)id);
    char *moves = strf("%s/transitions", target), *escalate = strf("%s/escalate", target);
    char *comments = strf("%s/comments", target);
    char *escalate2 = strf("/api/v1/requests/%lld/escalate", (long long)resolved);
    char *patch = strf("{\"assignee_id\":%s}", var("person:sara.lindqvist"));
    int want;

    /* open -> closed is no move at all: 409 for whoever may see the request. */
    json_decref(rq_call(w, "POST /requests/{id}/transitions", "POST", moves, "{\"to\":\"closed\"}",
                        third ? 404 : 409, true));
    /* The provider side may not move it to where the consumer does. */
    if (third || w->side == RQ_CONSUMER)
        json_decref(rq_call(w, "POST /requests/{id}/transitions", "POST", moves,
                            "{\"to\":\"in_progress\"}", third ? 404 : 403, true));
    /* Escalation: by the consumer alone, and not once resolved. */
    if (third)
        json_decref(rq_call(w, "POST /requests/{id}/escalate", "POST", escalate, NULL, 404, true));
    want = third ? 404 : w->side == RQ_CONSUMER ? 409 : 403;
    json_decref(
        rq_call(w, "POST /requests/{id}/escalate (resolved)", "POST", escalate2, NULL, want, true));
    /* Reassigning to someone outside the provider: the provider's managers get as far as 400. */
    want = third                                  ? 404
           : w->side == RQ_ADMIN                  ? 400
           : w->side == RQ_PROVIDER && w->manager ? 400
                                                  : 403;
    json_decref(rq_call(w, "PATCH /requests/{id}", "PATCH", target, patch, want, true));
    /* Comments: a third party is 404 whatever it writes; internal notes are the provider's. */
    if (third)
        json_decref(rq_call(w, "POST /requests/{id}/comments", "POST", comments,
                            "{\"body\":\"hello\"}", 404, true));
    if (third || w->side == RQ_CONSUMER)
        json_decref(rq_call(w, "POST /requests/{id}/comments (internal)", "POST", comments,
                            "{\"body\":\"psst\",\"internal\":true}", third ? 404 : 403, true));
    free(patch);
    free(escalate2);
    free(comments);
    free(escalate);
    free(moves);
    free(target);
}

/* Every route without credentials: 401, nothing changed. */
static void rq_anonymous(int64_t id)
{
    static const struct {
        const char *method, *route, *body;
    } routes[] = {
        {"GET", "/api/v1/requests", NULL},
        {"POST", "/api/v1/requests", "{\"contract_id\":1,\"title\":\"x\"}"},
        {"GET", "/api/v1/requests/count", NULL},
        {"GET", "/api/v1/requests/%lld", NULL},
        {"PATCH", "/api/v1/requests/%lld", "{\"assignee_id\":1}"},
        {"POST", "/api/v1/requests/%lld/transitions", "{\"to\":\"closed\"}"},
        {"POST", "/api/v1/requests/%lld/escalate", NULL},
        {"GET", "/api/v1/requests/%lld/comments", NULL},
        {"POST", "/api/v1/requests/%lld/comments", "{\"body\":\"x\"}"},
        {"GET", "/api/v1/requests/%lld/events", NULL},
    };

    for (size_t i = 0; i < ACC_ARRAY_LEN(routes); i++) {
        char *target = strf(routes[i].route, (long long)id);
        char *route = strf("%s %s", routes[i].method, routes[i].route);

        json_decref(rq_call(NULL, route, routes[i].method, target, routes[i].body, 401, true));
        free(route);
        free(target);
    }
}

static void test_request_access(void)
{
    int64_t id = rq_setup_request("Access matrix", false);
    int64_t resolved = rq_setup_request("Access matrix, resolved", true);
    json_t *doc;

    if (!id || !resolved)
        return;
    {
        char *target = strf("/api/v1/requests/%lld", (long long)id);

        doc = vis_setup("member", "GET", target, NULL, 200);
        set_var_int("rq:service", json_integer_value(jptr(doc, "/service/id")));
        json_decref(doc);
        free(target);
    }

    for (size_t i = 0; i < ACC_ARRAY_LEN(rq_people); i++) {
        rq_reads(&rq_people[i], id);
        rq_lists(&rq_people[i], id);
        rq_note_search(&rq_people[i], id);
        rq_failed_writes(&rq_people[i], id, resolved);
    }
    rq_anonymous(id);

    /* Every side writes what it may; the third department still sees nothing of it. */
    for (size_t i = 0; i < ACC_ARRAY_LEN(rq_people); i++) {
        const struct rq_who *w = &rq_people[i];
        char *target = strf("/api/v1/requests/%lld/comments", (long long)id);
        char *body = strf("{\"body\":\"from %s\",\"internal\":%s}", w->as,
                          w->side == RQ_CONSUMER ? "false" : "true");

        if (w->side != RQ_THIRD)
            json_decref(
                rq_call(w, "POST /requests/{id}/comments", "POST", target, body, 201, false));
        free(body);
        free(target);
    }
    for (size_t i = 0; i < ACC_ARRAY_LEN(rq_people); i++) {
        const struct rq_who *w = &rq_people[i];
        char *target = strf("/api/v1/requests/%lld/comments?limit=100", (long long)id);
        bool notes = w->side == RQ_ADMIN || w->side == RQ_PROVIDER;

        /* 1 + 3 public comments; 1 + 4 internal notes (3 provider people and the admin). */
        doc = rq_call(w, "GET /requests/{id}/comments (after the writes)", "GET", target, NULL,
                      w->side == RQ_THIRD ? 404 : 200, false);
        if (doc && json_array_size(json_object_get(doc, "items")) != (notes ? 9u : 4u))
            rq_fail(w, "GET /requests/{id}/comments (after the writes)", "%zu comments, want %d",
                    json_array_size(json_object_get(doc, "items")), notes ? 9 : 4);
        if (doc && !notes && rq_count_items(json_object_get(doc, "items"), "internal", NULL))
            rq_fail(w, "GET /requests/{id}/comments (after the writes)", "sees internal notes");
        json_decref(doc);
        free(target);
        if (w->side == RQ_THIRD)
            rq_lists(w, id);
    }
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tests/api/cases";

    if (setup()) {
        fprintf(stderr, "api_test: setup failed\n");
        teardown();
        printf("0 passed, 1 failed\n");
        return 1;
    }
    run_cases(dir);
    T_RUN(test_request_access);
    T_RUN(test_contract_visibility);
    T_RUN(test_openapi_matches_routes);
    T_RUN(test_static_etag);
    T_RUN(test_head);
    T_RUN(test_cookie_session);
    T_RUN(test_cookie_attributes);
    T_RUN(test_pagination_walk);
    T_RUN(test_audit_pages);
    T_RUN(test_request_id);
    T_RUN(test_cache_follows_changes);
    T_RUN(test_cache_keeps_bodies_apart);
    teardown();
    return t_done();
}
