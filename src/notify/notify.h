/* notify.h: notifications: event types and who gets them, webhooks, people's choices, the worker.
 */
#ifndef ACCORD_NOTIFY_NOTIFY_H
#define ACCORD_NOTIFY_NOTIFY_H

#include "org/org.h"

struct store;

/* Limits on input, stated once and enforced by the notify module. */
#define NOTIFY_URL_MAX         2000 /* bytes of a webhook URL */
#define NOTIFY_SECRET_MIN      24   /* bytes of a webhook secret */
#define NOTIFY_SECRET_MAX      200
#define NOTIFY_DESCRIPTION_MAX 500
#define NOTIFY_WEBHOOKS_MAX    50  /* endpoints per organisation */
#define NOTIFY_ERROR_MAX       500 /* bytes of an outbox row's last error (a body is cut to fit) */

/* ---------------------------------------------------------------------- event types */

/*
 * A kind of event that notifies: its name ("request.raised"), what happened, who gets the
 * e-mail, and whether a person may turn that e-mail off (escalations cannot be).
 */
struct notify_type {
    const char *name;
    const char *summary;
    const char *recipients;
    bool optional;
};

/* Every type, in the order they are shown; *n gets their number. Static, never freed. */
const struct notify_type *notify_types(size_t *n);
/* The type named name, or NULL. */
const struct notify_type *notify_type_find(const char *name);

/*
 * The hook of later modules (reviews due, surveys): queues an event of type about entity
 * entity_id for people[0..n) (0s and repeats left out) inside the caller's transaction, so
 * that it commits with the change. payload and detail are JSON objects (NULL: {}): the
 * entity's fields and what happened. actor_id 0 is accord itself. Pokes the worker. Returns
 * ACC_OK, ACC_EINVAL for a type notify_type_find() does not know, or ACC_ESTORE.
 */
int notify_enqueue(struct store *st, const char *type, const char *entity, int64_t entity_id,
                   const int64_t *people, int n, int64_t actor_id, const char *payload,
                   const char *detail, int64_t now, struct acc_err *err);

/* Wakes the running worker (none: a no-op); never waits for it. */
void notify_poke(void);

/* ---------------------------------------------------------------------- configuration */

enum notify_tls {
    NOTIFY_TLS_STARTTLS = 0, /* smtp:// upgraded with STARTTLS, which must succeed */
    NOTIFY_TLS_IMPLICIT,     /* smtps:// */
    NOTIFY_TLS_NONE          /* plain smtp://, for a relay on the same host */
};

/*
 * How notifications are sent: `accord serve --notify-config FILE` (key = value lines, keys
 * named as the fields) and --base-url. Strings are malloc'd and owned by the struct.
 */
struct notify_config {
    char *base_url;  /* the web UI, for links: "https://accord.example.org" (no final '/') */
    char *smtp_host; /* NULL: e-mail is off, and none is queued */
    int smtp_port;   /* 0: 587 with STARTTLS, 465 with implicit TLS, 25 without */
    enum notify_tls smtp_tls;
    char *smtp_user; /* NULL: no authentication */
    char *smtp_password;
    char *smtp_from;      /* envelope sender and From address */
    char *smtp_from_name; /* From display name */
    char *smtp_ca_file;   /* NULL: the system's certificate authorities */
    int attempts;         /* a delivery is tried at most this often, then parked as failed */
    int retry_first_secs; /* delay after the first failure; doubled each time, then jittered */
    int retry_max_secs;   /* the longest delay */
    int timeout_secs;     /* one SMTP or HTTP exchange */
    int lease_secs;       /* how long a claim holds a delivery; then another may send it */
    int batch;            /* deliveries claimed at once */
    int parallel;         /* transfers at once */
    int poll_secs;        /* the outbox is read at least this often (other processes' writes) */
};

#define NOTIFY_ATTEMPTS_DEFAULT    16
#define NOTIFY_RETRY_FIRST_DEFAULT 10
#define NOTIFY_RETRY_MAX_DEFAULT   3600

/* Fills c with the defaults: no e-mail, base URL http://127.0.0.1:8080. */
void notify_config_init(struct notify_config *c);
void notify_config_release(struct notify_config *c);
/* Sets one key (ACC_EINVAL naming the key for an unknown key or a bad value). */
int notify_config_set(struct notify_config *c, const char *key, const char *value,
                      struct acc_err *err);
/*
 * Reads a file of `key = value` lines (# comments, blank lines); ACC_EINVAL with the line
 * number, or ACC_ENOTFOUND when it cannot be read. Values are never logged.
 */
int notify_config_load(struct notify_config *c, const char *path, struct acc_err *err);
/* Checks the whole: an SMTP host needs a sender, a user needs a password, and so on. */
int notify_config_check(const struct notify_config *c, struct acc_err *err);

/* ---------------------------------------------------------------------- webhooks */

struct notify_webhook {
    int64_t id;
    const char *url;
    const char *description;
    bool active;
    const char **event_types; /* sorted names, or "*" for every type */
    int n_types;
    struct org_ref created_by;
    int64_t created_at;
    int64_t updated_at;
};

/* Input of create (every field) and update (the has_ ones). */
struct notify_webhook_input {
    const char *url;
    bool has_url;
    const char *secret; /* create: NULL makes one */
    bool has_secret;
    const char *description;
    bool has_description;
    bool active;
    bool has_active;
    const char *const *event_types; /* the JSON array /event_types, in order */
    int n_types;
    bool has_types;
};

/*
 * Registers an endpoint (administrators only, ACC_EPERM otherwise). The URL must be http or
 * https without credentials, each type known (or "*"), the secret NOTIFY_SECRET_MIN to
 * NOTIFY_SECRET_MAX printable ASCII characters; ACC_EINVAL at the field otherwise. *secret
 * gets the secret (made with libsodium when none was given), in the arena: the only time it
 * is handed out. Audited without the secret.
 */
int notify_webhook_create(struct store *st, const struct org_actor *who,
                          const struct notify_webhook_input *in, int64_t now,
                          struct acc_arena *arena, struct notify_webhook *out, const char **secret,
                          struct acc_err *err);
/* Changes the fields given; the same rules. ACC_ENOTFOUND for no such endpoint. */
int notify_webhook_update(struct store *st, const struct org_actor *who, int64_t id,
                          const struct notify_webhook_input *in, int64_t now,
                          struct acc_arena *arena, struct notify_webhook *out, struct acc_err *err);
/* Removes it; its deliveries not yet sent are parked as failed when next claimed. */
int notify_webhook_delete(struct store *st, const struct org_actor *who, int64_t id,
                          struct acc_arena *arena, struct acc_err *err);
int notify_webhook_get(struct store *st, int64_t id, struct acc_arena *arena,
                       struct notify_webhook *out, struct acc_err *err);
/* By id after after_id; *more says whether more follow. */
int notify_webhook_list(struct store *st, int64_t after_id, int limit, struct acc_arena *arena,
                        struct notify_webhook **items, int *n, bool *more, struct acc_err *err);

/* ---------------------------------------------------------------------- people's choices */

/* One type and whether the person gets its e-mail. */
struct notify_pref {
    const struct notify_type *type;
    bool email;
};

/* Every type for person_id, in notify_types() order: an arena array of *n. */
int notify_prefs_get(struct store *st, int64_t person_id, struct acc_arena *arena,
                     struct notify_pref **items, int *n, struct acc_err *err);
/*
 * Sets who's own choices for the types named in changes (the others stay). Turning off a
 * type that is not optional is ACC_EINVAL at /email/<type>, an unknown type too. Audited.
 */
int notify_prefs_set(struct store *st, const struct org_actor *who,
                     const struct notify_pref *changes, int n, int64_t now, struct acc_arena *arena,
                     struct acc_err *err);

/* ---------------------------------------------------------------------- the outbox */

enum notify_channel { NOTIFY_EVENT = 0, NOTIFY_EMAIL, NOTIFY_WEBHOOK };
#define NOTIFY_CHANNELS 3
const char *notify_channel_name(enum notify_channel c);
int notify_channel_parse(const char *s, enum notify_channel *out);

/* One outbox row as administrators see it. */
struct notify_row {
    int64_t id;
    enum notify_channel channel;
    const char *event_type;
    const char *entity;
    int64_t entity_id;
    int64_t event_id;       /* a delivery's event row; 0 for an event */
    const char *event_uid;  /* the id receivers see; NULL before the event is fanned out */
    int64_t target_id;      /* the person (e-mail) or webhook; 0 for an event */
    const char *address;    /* the e-mail address or URL; NULL for an event */
    const char *recipients; /* an event's person ids, a JSON array */
    const char *state;      /* "pending", "done", "failed" */
    int attempts;
    int64_t available_at; /* pending: when it is (or was) due next */
    const char *last_error;
    int64_t created_at;
    int64_t sent_at;
    const char *content; /* notify_outbox_get() only: the message, the body or the payload */
};

struct notify_filter {
    const char *state; /* NULL: any; else pending, done or failed (ACC_EINVAL at /query/state) */
    int channel;       /* -1: any */
    int64_t after_id;
    int limit;
};

/* Lists rows by id (administrators only). */
int notify_outbox_list(struct store *st, const struct org_actor *who, const struct notify_filter *f,
                       struct acc_arena *arena, struct notify_row **items, int *n, bool *more,
                       struct acc_err *err);
int notify_outbox_get(struct store *st, const struct org_actor *who, int64_t id,
                      struct acc_arena *arena, struct notify_row *out, struct acc_err *err);
/*
 * Sends a failed row again, by hand: pending now, its attempts back to 0, the last error
 * kept until the next attempt. ACC_ECONFLICT unless it is failed. Audited; pokes the worker.
 */
int notify_outbox_retry(struct store *st, const struct org_actor *who, int64_t id, int64_t now,
                        struct acc_arena *arena, struct notify_row *out, struct acc_err *err);

/* ---------------------------------------------------------------------- the worker */

/* What the worker of this process has done since it started, for /metrics. */
struct notify_stats {
    uint64_t sent[NOTIFY_CHANNELS];    /* deliveries done, by channel (events: fanned out) */
    uint64_t retried[NOTIFY_CHANNELS]; /* failed attempts that will be tried again */
    uint64_t failed[NOTIFY_CHANNELS];  /* deliveries parked as failed */
    uint64_t errors;                   /* worker cycles that failed on the database */
    int64_t backlog;                   /* pending rows (events and deliveries) as last counted */
    bool running;
    bool email; /* an SMTP server is configured */
};
/* Copies the counters (relaxed atomic reads). */
void notify_stats_get(struct notify_stats *out);

struct notify_worker;

/*
 * A stopped worker for the database dsn with a copy of cfg (notify_config_check()ed). Owned
 * by the caller, released with notify_worker_free().
 */
struct notify_worker *notify_worker_new(const char *dsn, const struct notify_config *cfg);
/*
 * Opens the worker's own connection and starts its thread, which blocks SIGINT and SIGTERM.
 * From then on the request module's outbox writes poke it. ACC_ESTORE when the database
 * cannot be opened, ACC_EBUG when the thread cannot start or one runs already.
 */
int notify_worker_start(struct notify_worker *w, struct acc_err *err);
/*
 * Stops the thread (deliveries in flight are released for the next start), joins it and
 * frees w. NULL is a no-op.
 */
void notify_worker_free(struct notify_worker *w);

#endif
