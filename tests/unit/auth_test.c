/* auth_test.c: passwords, sign-in and its limits, sessions and CSRF, API tokens. */
#include "base/acc.h"
#include "base/log.h"
#include "auth/auth.h"
#include "store/store.h"
#include "t.h"

static struct store *st;
static struct acc_arena *arena;
static struct auth_limiter *lim;
static int64_t alice, bob;

static int64_t add_person(const char *email, enum org_role role, const char *hash)
{
    struct org_actor sys = org_actor_system("test");
    struct org_person_input in = {.has_name = true,
                                  .has_email = true,
                                  .has_role = true,
                                  .name = email,
                                  .email = email,
                                  .role = role,
                                  .password_hash = hash};
    struct org_person p = {0};
    struct acc_err err;

    T_EQ_INT(org_person_create(st, &sys, &in, arena, &p, &err), ACC_OK);
    return p.id;
}

static void setup(void)
{
    char hash[AUTH_HASH_MAX];
    struct acc_err err;

    store_open(":memory:", &st, &err);
    store_migrate(st, NULL, &err);
    arena = acc_arena_new();
    lim = auth_limiter_new();
    T_EQ_INT(auth_password_hash("correct horse", hash, &err), ACC_OK);
    alice = add_person("alice@example.org", ORG_ROLE_ADMIN, hash);
    bob = add_person("bob@example.org", ORG_ROLE_ADMIN, hash);
}

static void test_password_hash(void)
{
    char hash[AUTH_HASH_MAX], big[AUTH_PASSWORD_MAX + 2];
    struct acc_err err;

    T_EQ_INT(auth_password_hash("correct horse", hash, &err), ACC_OK);
    T_OK(strncmp(hash, "$argon2id$", 10) == 0);
    T_OK(auth_password_verify(hash, "correct horse"));
    T_OK(!auth_password_verify(hash, "correct horsE"));
    T_OK(!auth_password_verify(NULL, "x"));
    T_EQ_INT(auth_password_hash("short", hash, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/password");
    memset(big, 'p', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    T_EQ_INT(auth_password_hash(big, hash, &err), ACC_EINVAL);
}

static void test_signin_session_csrf(void)
{
    struct auth_principal p;
    struct auth_signin s;
    struct acc_err err;

    T_EQ_INT(auth_signin(st, lim, "alice@example.org", "correct horse", "10.0.0.1", &s, &err),
             ACC_OK);
    T_EQ_INT(s.person_id, alice);
    T_EQ_INT((int)strlen(s.token), AUTH_SECRET_LEN);
    T_OK(s.expires_at > acc_now());
    T_EQ_INT(auth_session_check(st, s.token, &p, &err), ACC_OK);
    T_EQ_INT(p.actor.person_id, alice);
    T_EQ_INT(p.actor.role, ORG_ROLE_ADMIN);
    T_OK(auth_csrf_ok(&p, s.csrf));
    T_OK(!auth_csrf_ok(&p, "csr_wrong"));
    T_OK(!auth_csrf_ok(&p, NULL));
    /* The session secret is stored only hashed. */
    {
        struct store_arg args[] = {SA_TEXT(s.token)};
        int64_t n = -1;

        store_query_int(st, "SELECT COUNT(*) FROM session WHERE token_hash = ?", args, 1, &n, &err);
        T_EQ_INT(n, 0);
    }
    p.actor.via = "test";
    T_EQ_INT(store_begin(st, true, &err), ACC_OK);
    T_EQ_INT(auth_session_end(st, &p, &err), ACC_OK);
    T_EQ_INT(store_commit(st, &err), ACC_OK);
    T_EQ_INT(auth_session_check(st, s.token, &p, &err), ACC_EAUTH);
    T_EQ_INT(auth_session_check(st, "garbage", &p, &err), ACC_EAUTH);
}

static void test_signin_failures_look_alike_and_limit(void)
{
    struct auth_signin s;
    struct acc_err e1, e2;

    T_EQ_INT(auth_signin(st, lim, "nobody@example.org", "correct horse", "10.0.0.2", &s, &e1),
             ACC_EAUTH);
    T_EQ_INT(auth_signin(st, lim, "bob@example.org", "wrong horse", "10.0.0.2", &s, &e2),
             ACC_EAUTH);
    T_EQ_STR(e1.msg, e2.msg);
    for (int i = 0; i < 4; i++)
        auth_signin(st, lim, "bob@example.org", "wrong horse", "10.0.0.3", &s, &e2);
    /* Five failures: even the right password is refused for now. */
    T_EQ_INT(auth_signin(st, lim, "bob@example.org", "correct horse", "10.0.0.4", &s, &e2),
             ACC_ELIMIT);
    T_OK(e2.retry_after_secs > 0 && e2.retry_after_secs <= 900);
    /* Other accounts from other addresses are not affected. */
    T_EQ_INT(auth_signin(st, lim, "alice@example.org", "correct horse", "10.0.0.5", &s, &e2),
             ACC_OK);
}

static void test_limit_per_address(void)
{
    struct auth_signin s;
    struct acc_err err;
    char email[64];

    for (int i = 0; i < 20; i++) {
        snprintf(email, sizeof(email), "u%d@example.org", i);
        auth_signin(st, lim, email, "whatever-pw", "192.0.2.9", &s, &err);
    }
    T_EQ_INT(auth_signin(st, lim, "alice@example.org", "correct horse", "192.0.2.9", &s, &err),
             ACC_ELIMIT);
}

static void test_tokens(void)
{
    struct org_actor as_alice = {alice, 0, ORG_ROLE_ADMIN, "test", false};
    struct org_actor as_member = {bob, 0, ORG_ROLE_MEMBER, "test", false};
    char secret[AUTH_SECRET_LEN + 1], other[AUTH_SECRET_LEN + 1];
    struct auth_principal p;
    struct auth_token t, t2, *items;
    struct acc_err err;
    bool more;
    int n;

    T_EQ_INT(store_begin(st, true, &err), ACC_OK);
    T_EQ_INT(auth_token_create(st, &as_alice, alice, "laptop", 0, arena, &t, secret, &err), ACC_OK);
    T_EQ_INT(auth_token_create(st, &as_alice, alice, "ci", 30, arena, &t2, other, &err), ACC_OK);
    T_EQ_INT(auth_token_create(st, &as_member, alice, "x", 0, arena, &t2, other, &err), ACC_EPERM);
    T_EQ_INT(auth_token_create(st, &as_alice, alice, "", 0, arena, &t2, other, &err), ACC_EINVAL);
    T_EQ_INT(auth_token_create(st, &as_alice, alice, "x", -1, arena, &t2, other, &err), ACC_EINVAL);
    T_EQ_INT(store_commit(st, &err), ACC_OK);
    T_OK(strncmp(secret, "acc_", 4) == 0);
    T_OK(strcmp(secret, other) != 0);
    T_EQ_INT(t.expires_at, 0);
    T_EQ_INT(auth_token_check(st, secret, &p, &err), ACC_OK);
    T_EQ_INT(p.actor.person_id, alice);
    T_EQ_INT(p.token_id, t.id);
    T_EQ_STR(p.csrf, "");
    T_EQ_INT(auth_token_list(st, alice, 0, 10, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, 2);
    T_OK(items[1].expires_at > acc_now() + 29 * 86400);
    /* Someone else's token looks like no token at all. */
    T_EQ_INT(auth_token_revoke(st, &as_member, t.id, &err), ACC_ENOTFOUND);
    T_EQ_INT(store_begin(st, true, &err), ACC_OK);
    T_EQ_INT(auth_token_revoke(st, &as_alice, t.id, &err), ACC_OK);
    T_EQ_INT(store_commit(st, &err), ACC_OK);
    T_EQ_INT(auth_token_revoke(st, &as_alice, t.id, &err), ACC_ECONFLICT);
    T_EQ_INT(auth_token_check(st, secret, &p, &err), ACC_EAUTH);
    T_EQ_INT(auth_token_list(st, alice, 0, 10, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, 1);
}

static void test_inactive_person_locked_out(void)
{
    struct org_actor sys = org_actor_system("test");
    struct org_actor as_bob = {bob, 0, ORG_ROLE_ADMIN, "test", false};
    struct org_person_input off = {.has_active = true, .active = false};
    char secret[AUTH_SECRET_LEN + 1];
    struct auth_principal p;
    struct auth_token t;
    struct org_person person;
    struct acc_err err;

    T_EQ_INT(auth_token_create(st, &as_bob, bob, "bob", 0, arena, &t, secret, &err), ACC_OK);
    T_EQ_INT(auth_token_check(st, secret, &p, &err), ACC_OK);
    T_EQ_INT(org_person_update(st, &sys, bob, &off, arena, &person, &err), ACC_OK);
    T_EQ_INT(auth_token_check(st, secret, &p, &err), ACC_EAUTH);
}

static void test_new_password_ends_sessions(void)
{
    struct org_actor sys = org_actor_system("test");
    struct org_person_input in = {0};
    char hash[AUTH_HASH_MAX];
    struct auth_principal p;
    struct org_person person;
    struct auth_signin s;
    struct acc_err err;
    int64_t carol;

    T_EQ_INT(auth_password_hash("first password", hash, &err), ACC_OK);
    carol = add_person("carol@example.org", ORG_ROLE_ADMIN, hash);
    T_EQ_INT(auth_signin(st, lim, "carol@example.org", "first password", "10.1.1.1", &s, &err),
             ACC_OK);
    T_EQ_INT(auth_session_check(st, s.token, &p, &err), ACC_OK);
    T_EQ_INT(auth_password_hash("second password", hash, &err), ACC_OK);
    in.password_hash = hash;
    T_EQ_INT(org_person_update(st, &sys, carol, &in, arena, &person, &err), ACC_OK);
    T_EQ_INT(auth_session_check(st, s.token, &p, &err), ACC_EAUTH);
    T_EQ_INT(auth_signin(st, lim, "carol@example.org", "second password", "10.1.1.1", &s, &err),
             ACC_OK);
}

int main(void)
{
    acc_log_set_quiet(true);
    setup();
    T_RUN(test_password_hash);
    T_RUN(test_signin_session_csrf);
    T_RUN(test_signin_failures_look_alike_and_limit);
    T_RUN(test_limit_per_address);
    T_RUN(test_tokens);
    T_RUN(test_inactive_person_locked_out);
    T_RUN(test_new_password_ends_sessions);
    auth_limiter_free(lim);
    acc_arena_free(arena);
    store_close(st);
    return t_done();
}
