/* auth.c: Argon2id passwords, hashed session and API tokens, CSRF tokens, sign-in rate limits. */
#include "base/acc.h"
#include "base/jw.h"
#include "base/log.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "store/store.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

/* Sign-in limits: failures allowed per window, per account and per client address. */
#define LIMIT_WINDOW_SECS  900
#define LIMIT_ACCOUNT_FAIL 5
#define LIMIT_ADDR_FAIL    20
#define LIMIT_SLOTS        4096

#define HASH_HEX_LEN (crypto_generichash_BYTES * 2)

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;

static void sodium_start(void)
{
    if (sodium_init() < 0)
        ACC_BUG("libsodium failed to initialise");
}

static void ensure_sodium(void)
{
    pthread_once(&sodium_once, sodium_start);
}

int auth_password_hash(const char *password, char out[AUTH_HASH_MAX], struct acc_err *err)
{
    size_t len = password ? strlen(password) : 0;

    ensure_sodium();
    if (len < AUTH_PASSWORD_MIN)
        return acc_fail(err, ACC_EINVAL, "/password", "password must be at least %d characters",
                        AUTH_PASSWORD_MIN);
    if (len > AUTH_PASSWORD_MAX)
        return acc_fail(err, ACC_EINVAL, "/password", "password must be at most %d bytes",
                        AUTH_PASSWORD_MAX);
    _Static_assert(crypto_pwhash_STRBYTES <= AUTH_HASH_MAX, "hash buffer too small");
    if (crypto_pwhash_str_alg(out, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13))
        return acc_fail(err, ACC_ESTORE, "", "out of memory hashing the password");
    return ACC_OK;
}

bool auth_password_verify(const char *hash, const char *password)
{
    ensure_sodium();
    return hash && password && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* A random secret: prefix + base64url of 32 random bytes. */
static void new_secret(char out[AUTH_SECRET_LEN + 1])
{
    unsigned char raw[32];

    ensure_sodium();
    randombytes_buf(raw, sizeof(raw));
    memcpy(out, "acc_", 4);
    sodium_bin2base64(out + 4, AUTH_SECRET_LEN + 1 - 4, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Secrets are stored as the hex BLAKE2b hash: a check costs microseconds, not an Argon2 run. */
static void secret_hash(const char *secret, char out[HASH_HEX_LEN + 1])
{
    unsigned char h[crypto_generichash_BYTES];

    crypto_generichash(h, sizeof(h), (const unsigned char *)secret, strlen(secret), NULL, 0);
    sodium_bin2hex(out, HASH_HEX_LEN + 1, h, sizeof(h));
}

/* The CSRF token is derived from the session secret, so it needs no storage of its own. */
static void csrf_for(const char *session_secret, char out[AUTH_SECRET_LEN + 1])
{
    unsigned char h[32];

    crypto_generichash(h, sizeof(h), (const unsigned char *)"accord-csrf", 11,
                       (const unsigned char *)session_secret, strlen(session_secret));
    memcpy(out, "csr_", 4);
    sodium_bin2base64(out + 4, AUTH_SECRET_LEN + 1 - 4, h, sizeof(h),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static bool secret_shape_ok(const char *s)
{
    return s && strlen(s) == AUTH_SECRET_LEN && strncmp(s, "acc_", 4) == 0;
}

/* ---- rate limits ---- */

struct limit_slot {
    char key[300]; /* "a:" + e-mail or "c:" + address; "" when free */
    int64_t window_start;
    int failures;
};

struct auth_limiter {
    pthread_mutex_t mu;
    struct limit_slot *slots;
    char dummy_hash[AUTH_HASH_MAX]; /* verified against when the account does not exist */
};

struct auth_limiter *auth_limiter_new(void)
{
    struct auth_limiter *lim = xcalloc(1, sizeof(*lim));
    struct acc_err err;

    pthread_mutex_init(&lim->mu, NULL);
    lim->slots = xcalloc(LIMIT_SLOTS, sizeof(*lim->slots));
    if (auth_password_hash("no-such-account-password", lim->dummy_hash, &err))
        ACC_BUG("cannot hash the dummy password");
    return lim;
}

void auth_limiter_free(struct auth_limiter *lim)
{
    if (!lim)
        return;
    pthread_mutex_destroy(&lim->mu);
    free(lim->slots);
    free(lim);
}

/* Open addressing over a fixed table; a full table reuses the slot with the oldest window. */
static struct limit_slot *limit_slot(struct auth_limiter *lim, const char *key, int64_t now)
{
    uint64_t h = 1469598103934665603ULL;
    struct limit_slot *oldest = NULL;

    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    for (int i = 0; i < 16; i++) {
        struct limit_slot *s = &lim->slots[(h + (uint64_t)i) % LIMIT_SLOTS];

        if (strcmp(s->key, key) == 0)
            return s;
        if (!s->key[0] || now - s->window_start >= LIMIT_WINDOW_SECS) {
            oldest = s;
            break;
        }
        if (!oldest || s->window_start < oldest->window_start)
            oldest = s;
    }
    snprintf(oldest->key, sizeof(oldest->key), "%s", key);
    oldest->window_start = now;
    oldest->failures = 0;
    return oldest;
}

/* Seconds to wait when key is over its limit, else 0. */
static int limit_wait(struct auth_limiter *lim, const char *key, int max, int64_t now)
{
    struct limit_slot *s = limit_slot(lim, key, now);

    if (now - s->window_start >= LIMIT_WINDOW_SECS) {
        s->window_start = now;
        s->failures = 0;
    }
    if (s->failures < max)
        return 0;
    return (int)(s->window_start + LIMIT_WINDOW_SECS - now);
}

static void limit_fail(struct auth_limiter *lim, const char *key, int64_t now)
{
    limit_slot(lim, key, now)->failures++;
}

static void limit_keys(const char *email, const char *addr, char akey[300], char ckey[300])
{
    snprintf(akey, 300, "a:%s", email);
    snprintf(ckey, 300, "c:%s", addr ? addr : "-");
}

/* ---- sessions ---- */

static int open_session(struct store *st, int64_t person_id, struct auth_signin *out,
                        struct acc_err *err)
{
    char hash[HASH_HEX_LEN + 1];
    int64_t now = acc_now();
    int rc;

    new_secret(out->token);
    csrf_for(out->token, out->csrf);
    secret_hash(out->token, hash);
    out->expires_at = now + AUTH_SESSION_SECS;
    out->person_id = person_id;
    {
        struct store_arg args[] = {SA_INT(person_id), SA_TEXT(hash), SA_INT(now),
                                   SA_INT(out->expires_at)};

        rc = store_query_int(st,
                             "INSERT INTO session (person_id, token_hash, created_at, expires_at) "
                             "VALUES (?, ?, ?, ?) RETURNING id",
                             args, 4, &out->session_id, err);
    }
    if (!rc)
        rc = audit_append(st, person_id, "POST /api/v1/session", "session", out->session_id, NULL,
                          NULL, err);
    /* Expired sessions of this person are of no use to anyone. */
    if (!rc) {
        struct store_arg args[] = {SA_INT(person_id), SA_INT(now)};

        rc = store_exec(st, "DELETE FROM session WHERE person_id = ? AND expires_at < ?", args, 2,
                        NULL, err);
    }
    return rc;
}

int auth_signin(struct store *st, struct auth_limiter *lim, const char *email, const char *password,
                const char *client_addr, struct auth_signin *out, struct acc_err *err)
{
    char akey[300], ckey[300], *hash = NULL;
    int64_t now = acc_now(), person_id = 0;
    bool active = false, ok;
    int wait, rc;

    limit_keys(email ? email : "", client_addr, akey, ckey);
    pthread_mutex_lock(&lim->mu);
    wait = limit_wait(lim, akey, LIMIT_ACCOUNT_FAIL, now);
    if (!wait)
        wait = limit_wait(lim, ckey, LIMIT_ADDR_FAIL, now);
    pthread_mutex_unlock(&lim->mu);
    if (wait) {
        rc = acc_fail(err, ACC_ELIMIT, "", "too many failed sign-ins; try again in %d seconds",
                      wait);
        err->retry_after_secs = wait;
        return rc;
    }
    if (email && password && strlen(email) <= ORG_EMAIL_MAX) {
        struct store_arg args[] = {SA_TEXT(email)};
        struct store_stmt *stmt;
        bool row;

        rc = store_exec(st, "SELECT id, active, password_hash FROM person WHERE email = ?", args, 1,
                        &stmt, err);
        if (rc)
            return rc;
        rc = store_step(stmt, &row, err);
        if (!rc && row && !store_col_null(stmt, 2)) {
            person_id = store_col_int(stmt, 0);
            active = store_col_int(stmt, 1) != 0;
            hash = xstrdup(store_col_text(stmt, 2));
        }
        store_finish(stmt);
        if (rc) {
            free(hash);
            return rc;
        }
    }
    /* Verify against a dummy hash when there is no account, so timing tells nothing. */
    ok = auth_password_verify(hash ? hash : lim->dummy_hash, password ? password : "") && hash &&
         active;
    free(hash);
    if (!ok) {
        pthread_mutex_lock(&lim->mu);
        limit_fail(lim, akey, now);
        limit_fail(lim, ckey, now);
        pthread_mutex_unlock(&lim->mu);
        return acc_fail(err, ACC_EAUTH, "", "wrong e-mail or password");
    }
    /* The write lock is taken only now, after the slow password check. */
    rc = store_begin(st, true, err);
    if (!rc)
        rc = open_session(st, person_id, out, err);
    if (!rc)
        rc = store_commit(st, err);
    if (rc)
        store_rollback(st);
    return rc;
}

/* Reads the principal behind a hashed secret; query returns person, dept, role, key id. */
static int principal_from(struct store *st, const char *sql, const char *secret,
                          struct auth_principal *out, int64_t *key_id, int64_t *extra,
                          struct acc_err *err)
{
    char hash[HASH_HEX_LEN + 1];
    struct store_arg args[2];
    struct store_stmt *stmt;
    bool row;
    int rc;

    secret_hash(secret, hash);
    args[0] = SA_TEXT(hash);
    args[1] = SA_INT(acc_now());
    rc = store_exec(st, sql, args, 2, &stmt, err);
    if (rc)
        return rc;
    rc = store_step(stmt, &row, err);
    if (!rc && !row)
        rc = acc_fail(err, ACC_EAUTH, "", "the session or token is not valid; sign in again");
    if (!rc) {
        memset(out, 0, sizeof(*out));
        out->actor.person_id = store_col_int(stmt, 0);
        out->actor.department_id = store_col_int(stmt, 1);
        if (org_role_parse(store_col_text(stmt, 2), &out->actor.role, NULL))
            ACC_BUG("role outside the CHECK constraint");
        *key_id = store_col_int(stmt, 3);
        if (extra)
            *extra = store_col_int(stmt, 4);
    }
    store_finish(stmt);
    return rc;
}

int auth_session_check(struct store *st, const char *token, struct auth_principal *out,
                       struct acc_err *err)
{
    int64_t id;
    int rc;

    if (!secret_shape_ok(token))
        return acc_fail(err, ACC_EAUTH, "", "the session is not valid; sign in again");
    rc = principal_from(st,
                        "SELECT p.id, p.department_id, p.role, s.id FROM session s JOIN person p "
                        "ON p.id = s.person_id WHERE s.token_hash = ? AND s.expires_at > ? AND "
                        "p.active = 1",
                        token, out, &id, NULL, err);
    if (rc)
        return rc;
    out->session_id = id;
    csrf_for(token, out->csrf);
    return ACC_OK;
}

bool auth_csrf_ok(const struct auth_principal *p, const char *header)
{
    size_t n = strlen(p->csrf);

    return n && header && strlen(header) == n && sodium_memcmp(p->csrf, header, n) == 0;
}

int auth_session_end(struct store *st, const struct auth_principal *p, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(p->session_id)};
    int rc;

    if (!p->session_id)
        return acc_fail(err, ACC_EINVAL, "", "this request is not signed in with a session");
    rc = store_exec(st, "DELETE FROM session WHERE id = ?", args, 1, NULL, err);
    if (!rc)
        rc = audit_append(st, p->actor.person_id, p->actor.via, "session", p->session_id, NULL,
                          NULL, err);
    return rc;
}

/* ---- API tokens ---- */

int auth_token_check(struct store *st, const char *token, struct auth_principal *out,
                     struct acc_err *err)
{
    int64_t id, last_used;
    int rc;

    if (!secret_shape_ok(token))
        return acc_fail(err, ACC_EAUTH, "", "the token is not valid");
    rc = principal_from(st,
                        "SELECT p.id, p.department_id, p.role, t.id, t.last_used_at FROM "
                        "api_token t JOIN person p ON p.id = t.person_id WHERE t.token_hash = ? "
                        "AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) "
                        "AND p.active = 1",
                        token, out, &id, &last_used, err);
    if (rc)
        return rc;
    out->token_id = id;
    /* Use is recorded at most once a minute, after the request: reads stay reads. */
    out->touch_due = acc_now() - last_used >= 60;
    return ACC_OK;
}

void auth_token_touch(struct store *st, int64_t token_id)
{
    struct store_arg args[] = {SA_INT(acc_now()), SA_INT(token_id)};
    struct acc_err err;

    if (store_exec(st, "UPDATE api_token SET last_used_at = ? WHERE id = ?", args, 2, NULL, &err))
        acc_log(ACC_LOG_WARN, "could not record token use", "detail", err.msg, NULL);
}

#define TOKEN_SELECT                                                                               \
    "SELECT id, person_id, label, created_at, expires_at, last_used_at, revoked_at FROM "          \
    "api_token "

static int read_token(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                      struct acc_err *err)
{
    struct auth_token *t = item;

    t->id = store_col_int(stmt, 0);
    t->person_id = store_col_int(stmt, 1);
    t->label = store_col_dup(stmt, 2, arena);
    t->created_at = store_col_int(stmt, 3);
    t->expires_at = store_col_int(stmt, 4);
    t->last_used_at = store_col_int(stmt, 5);
    t->revoked_at = store_col_int(stmt, 6);
    return ACC_OK;
}

static const char *token_snapshot(const struct auth_token *t, struct acc_arena *arena)
{
    struct acc_jw w;

    acc_jw_begin(&w);
    acc_jw_int(&w, "id", t->id);
    acc_jw_int(&w, "person_id", t->person_id);
    acc_jw_str(&w, "label", t->label);
    acc_jw_id(&w, "expires_at", t->expires_at);
    acc_jw_id(&w, "revoked_at", t->revoked_at);
    return acc_jw_end(&w, arena);
}

static int token_get(struct store *st, int64_t id, struct acc_arena *arena, struct auth_token *out,
                     struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(id)};
    struct store_stmt *stmt;
    bool row;
    int rc;

    rc = store_exec(st, TOKEN_SELECT "WHERE id = ?", args, 1, &stmt, err);
    if (rc)
        return rc;
    rc = store_step(stmt, &row, err);
    if (!rc && !row)
        rc = acc_fail(err, ACC_ENOTFOUND, "", "token %lld does not exist", (long long)id);
    if (!rc)
        read_token(stmt, out, arena, err);
    store_finish(stmt);
    return rc;
}

int auth_token_create(struct store *st, const struct org_actor *who, int64_t person_id,
                      const char *label, int expires_days, struct acc_arena *arena,
                      struct auth_token *out, char secret[AUTH_SECRET_LEN + 1], struct acc_err *err)
{
    char hash[HASH_HEX_LEN + 1];
    int64_t now = acc_now(), id;
    int rc;

    if (who->role != ORG_ROLE_ADMIN && who->person_id != person_id)
        return acc_fail(err, ACC_EPERM, "", "you may create tokens only for yourself");
    rc = org_name_check(label, "/label", err);
    if (!rc && strlen(label) > AUTH_LABEL_MAX)
        rc = acc_fail(err, ACC_EINVAL, "/label", "label is longer than %d bytes", AUTH_LABEL_MAX);
    if (!rc && (expires_days < 0 || expires_days > AUTH_TOKEN_DAYS_MAX))
        rc = acc_fail(err, ACC_EINVAL, "/expires_days",
                      "expires_days must be between 0 (never) and %d", AUTH_TOKEN_DAYS_MAX);
    if (rc)
        return rc;
    new_secret(secret);
    secret_hash(secret, hash);
    {
        struct store_arg args[] = {SA_INT(person_id), SA_TEXT(label), SA_TEXT(hash), SA_INT(now),
                                   expires_days ? SA_INT(now + (int64_t)expires_days * 86400)
                                                : SA_NULL};

        rc = store_query_int(st,
                             "INSERT INTO api_token (person_id, label, token_hash, created_at, "
                             "expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                             args, 5, &id, err);
    }
    if (rc == ACC_ECONFLICT)
        return acc_fail(err, ACC_EINVAL, "/person_id", "person %lld does not exist",
                        (long long)person_id);
    if (!rc)
        rc = token_get(st, id, arena, out, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "token", id, NULL,
                          token_snapshot(out, arena), err);
    return rc;
}

int auth_token_list(struct store *st, int64_t person_id, int64_t after_id, int limit,
                    struct acc_arena *arena, struct auth_token **items, int *n, bool *more,
                    struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(person_id), SA_INT(person_id), SA_INT(after_id),
                               SA_INT(limit + 1)};
    struct store_stmt *stmt;
    void *rows;
    int rc;

    rc = store_exec(st,
                    TOKEN_SELECT "WHERE (? = 0 OR person_id = ?) AND revoked_at IS NULL AND id > ? "
                                 "ORDER BY id LIMIT ?",
                    args, 4, &stmt, err);
    if (rc)
        return rc;
    rc = store_collect(stmt, sizeof(**items), limit, read_token, arena, &rows, n, more, err);
    if (!rc)
        *items = rows;
    return rc;
}

int auth_token_revoke(struct store *st, const struct org_actor *who, int64_t id,
                      struct acc_err *err)
{
    struct acc_arena *arena = acc_arena_new();
    struct auth_token before, after;
    int rc;

    rc = token_get(st, id, arena, &before, err);
    if (!rc && who->role != ORG_ROLE_ADMIN && before.person_id != who->person_id)
        rc = acc_fail(err, ACC_ENOTFOUND, "", "token %lld does not exist", (long long)id);
    if (!rc && before.revoked_at)
        rc = acc_fail(err, ACC_ECONFLICT, "", "token %lld is already revoked", (long long)id);
    if (!rc) {
        struct store_arg args[] = {SA_INT(acc_now()), SA_INT(id)};

        rc = store_exec(st, "UPDATE api_token SET revoked_at = ? WHERE id = ?", args, 2, NULL, err);
    }
    if (!rc)
        rc = token_get(st, id, arena, &after, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "token", id, token_snapshot(&before, arena),
                          token_snapshot(&after, arena), err);
    acc_arena_free(arena);
    return rc;
}
