/* auth.h: passwords (Argon2id), sessions with CSRF tokens, personal API tokens, sign-in limits. */
#ifndef ACCORD_AUTH_AUTH_H
#define ACCORD_AUTH_AUTH_H

#include "org/org.h"

struct store;

#define AUTH_PASSWORD_MIN   8
#define AUTH_PASSWORD_MAX   1024
#define AUTH_HASH_MAX       128 /* room for an Argon2id string */
#define AUTH_SESSION_SECS   (12 * 3600)
#define AUTH_LABEL_MAX      80
#define AUTH_TOKEN_DAYS_MAX 3650
#define AUTH_SECRET_LEN     47 /* "acc_" + 43 base64url characters */
#define AUTH_COOKIE_NAME    "accord_session"

/* Who made a request, once a session cookie or a bearer token was checked. */
struct auth_principal {
    struct org_actor actor;         /* person, department, role; via is set by the caller */
    int64_t session_id;             /* 0 unless signed in with the cookie */
    int64_t token_id;               /* 0 unless signed in with a bearer token */
    char csrf[AUTH_SECRET_LEN + 1]; /* the session's CSRF token, "" for bearer tokens */
    bool touch_due;                 /* the token's last use should be recorded */
};

/*
 * Hashes a password with Argon2id into out. ACC_EINVAL (field "/password") when it is
 * shorter than AUTH_PASSWORD_MIN or longer than AUTH_PASSWORD_MAX bytes.
 */
int auth_password_hash(const char *password, char out[AUTH_HASH_MAX], struct acc_err *err);
bool auth_password_verify(const char *hash, const char *password);

/*
 * Sign-in rate limits, per account and per client address, kept in memory. The
 * limiter is owned by whoever made it (the server) and is thread-safe.
 */
struct auth_limiter;
struct auth_limiter *auth_limiter_new(void);
void auth_limiter_free(struct auth_limiter *lim);

struct auth_signin {
    char token[AUTH_SECRET_LEN + 1]; /* the session cookie's value */
    char csrf[AUTH_SECRET_LEN + 1];
    int64_t expires_at;
    int64_t session_id;
    int64_t person_id;
};

/*
 * Checks e-mail and password and opens a session. Failures never say whether the
 * account exists: ACC_EAUTH "wrong e-mail or password", or ACC_ELIMIT with
 * err->retry_after_secs when the account or the address tried too often.
 */
int auth_signin(struct store *st, struct auth_limiter *lim, const char *email, const char *password,
                const char *client_addr, struct auth_signin *out, struct acc_err *err);

/* Checks a session cookie value: ACC_EAUTH when unknown, expired or the person inactive. */
int auth_session_check(struct store *st, const char *token, struct auth_principal *out,
                       struct acc_err *err);
/* True when header equals the session's CSRF token (constant time). */
bool auth_csrf_ok(const struct auth_principal *p, const char *header);
/* Ends the session (sign-out); audited. */
int auth_session_end(struct store *st, const struct auth_principal *p, struct acc_err *err);

/* Checks a bearer token: ACC_EAUTH when unknown, revoked, expired or the person inactive. */
int auth_token_check(struct store *st, const char *token, struct auth_principal *out,
                     struct acc_err *err);

/* Records now as the token's last use (outside any transaction); failures are logged. */
void auth_token_touch(struct store *st, int64_t token_id);

struct auth_token {
    int64_t id;
    int64_t person_id;
    const char *label;
    int64_t created_at;
    int64_t expires_at; /* 0: never */
    int64_t last_used_at;
    int64_t revoked_at;
};

/*
 * Creates a token for person_id (who must be that person or an administrator);
 * expires_days 0 means no expiry. secret gets the token, which is stored only hashed
 * and cannot be shown again. Audited.
 */
int auth_token_create(struct store *st, const struct org_actor *who, int64_t person_id,
                      const char *label, int expires_days, struct acc_arena *arena,
                      struct auth_token *out, char secret[AUTH_SECRET_LEN + 1],
                      struct acc_err *err);
/* Lists person_id's tokens (everyone's when person_id is 0) that are not revoked, by id. */
int auth_token_list(struct store *st, int64_t person_id, int64_t after_id, int limit,
                    struct acc_arena *arena, struct auth_token **items, int *n, bool *more,
                    struct acc_err *err);
/* Revokes a token of who's (any token for an administrator). Audited. */
int auth_token_revoke(struct store *st, const struct org_actor *who, int64_t id,
                      struct acc_err *err);

#endif
