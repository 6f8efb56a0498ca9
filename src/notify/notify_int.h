/* notify_int.h: what the files of the notify module share: events, deliveries, rendering, sending.
 */
#ifndef ACCORD_NOTIFY_NOTIFY_INT_H
#define ACCORD_NOTIFY_NOTIFY_INT_H

#include "notify/notify.h"
#include "store/store.h"

#define NOTIFY_UID_LEN   37           /* a UUID's 36 characters and the NUL */
#define NOTIFY_SIG_LEN   (7 + 64 + 1) /* "sha256=", the hex HMAC-SHA256, the NUL */
#define NOTIFY_REPLY_MAX 300          /* bytes of a receiver's reply body kept for last_error */

/* Makes libsodium ready (once per process). */
void notify_sodium(void);
/* A new random event id from libsodium, as a version 4 UUID ("9b2c…-4…"). */
void notify_uid(char out[NOTIFY_UID_LEN]);

/*
 * The delay before the next attempt of a delivery that has failed attempts times (1 or
 * more): retry_first_secs doubled attempts - 1 times, at most retry_max_secs, then jittered
 * into its upper half by rnd (a libsodium random number): [d - d/2, d], at least 1 second.
 */
int64_t notify_backoff_secs(const struct notify_config *c, int attempts, uint32_t rnd);

/* Copies at most max bytes of text into the arena, cut at a UTF-8 boundary, with invalid
 * bytes and control characters but tab and newline replaced by '?'. */
char *notify_clean_text(const char *text, size_t len, size_t max, struct acc_arena *arena);

/* ---------------------------------------------------------------------- events */

/* An event row as the fan-out reads it. */
struct notify_event {
    int64_t id;
    const char *type;
    const char *entity;
    int64_t entity_id;
    const char *recipients; /* JSON array of person ids */
    const char *payload;    /* JSON object: the entity's fields */
    const char *detail;     /* JSON object: what happened */
    int64_t actor_id;       /* 0: accord itself */
    const char *actor_name; /* NULL with actor_id 0 */
    int64_t created_at;
    char uid[NOTIFY_UID_LEN];
};

/* The link to the entity in the web UI: base_url + "/#/requests/42", in the arena. */
const char *notify_entity_url(const char *base_url, const char *entity, int64_t entity_id,
                              struct acc_arena *arena);

/*
 * What an e-mail says about a request event, read from its payload and detail: the only JSON
 * this module reads (notify_render.c). Absent strings are NULL, absent numbers 0.
 */
struct notify_view {
    const char *title, *status, *priority, *service, *provider, *consumer;
    int64_t requester_id, assignee_id;
    const char *response_due_at, *resolution_due_at; /* RFC 3339 */
    const char *description;                         /* raised */
    const char *body;                                /* comment */
    const char *from, *reason;                       /* status moves */
    bool missing_information;
    int level, percent; /* escalated */
    const char *clock;
    bool manual;
};
int notify_view_read(const struct notify_event *ev, struct acc_arena *arena,
                     struct notify_view *out, struct acc_err *err);

/* ---------------------------------------------------------------------- e-mail text */

/* The person an e-mail goes to. */
struct notify_person {
    int64_t id;
    const char *name;
    const char *email;
};

/*
 * The whole RFC 5322 message of ev for to: CRLF lines, headers with RFC 2047 encoded words
 * where they are not ASCII, a quoted-printable UTF-8 body with the link to the item, and a
 * Message-ID. A request's first e-mail (request.raised) is the thread's root,
 * <accord.request.ID@domain>; every other names it in In-Reply-To and References. In the
 * arena.
 */
const char *notify_mail_render(const struct notify_config *cfg, const struct notify_event *ev,
                               const struct notify_view *v, const struct notify_person *to,
                               struct acc_arena *arena);
/* "Name: value" + CRLF, value as RFC 2047 encoded words when not plain ASCII, folded. */
void notify_mail_header(struct acc_buf *b, const char *name, const char *value);
/* A mailbox: display name (quoted or encoded as needed) and <address>. */
void notify_mail_mailbox(struct acc_buf *b, const char *display, const char *address);
/* text (LF or CRLF lines) as quoted-printable with CRLF line ends, lines at most 76 bytes. */
void notify_mail_qp(struct acc_buf *b, const char *text);
/* t as an RFC 5322 date: "Tue, 21 May 2024 09:00:00 +0000". */
void notify_mail_date(int64_t t, char out[40]);
/* The domain of an address ("example.org"), or "localhost". */
const char *notify_mail_domain(const char *address);

/* ---------------------------------------------------------------------- webhooks */

/*
 * The JSON body of ev for webhooks: {"id","type","occurred_at","entity":{"type","url",...
 * the payload's fields},"actor":{"id","name"}|null,"detail":{...}}. In the arena.
 */
const char *notify_webhook_body(const struct notify_event *ev, const char *base_url,
                                struct acc_arena *arena);
/* "sha256=" + hex HMAC-SHA256 with key secret of "<timestamp>.<body>". */
void notify_webhook_sign(const char *secret, const char *timestamp, const char *body, size_t len,
                         char out[NOTIFY_SIG_LEN]);
/* Whether signature is the one of timestamp and body (compared in constant time). */
bool notify_webhook_verify(const char *secret, const char *timestamp, const char *body, size_t len,
                           const char *signature);
/* Whether url is http(s) without credentials or spaces; else ACC_EINVAL at field. */
int notify_url_check(const char *url, const char *field, struct acc_err *err);

/* ---------------------------------------------------------------------- deliveries */

enum notify_outcome {
    NOTIFY_SENT = 0,
    NOTIFY_RETRY,     /* failed; tried again after a back-off, until the attempts run out */
    NOTIFY_PERMANENT, /* failed in a way another attempt cannot mend: parked at once */
    NOTIFY_RELEASED   /* not attempted (the worker stops): due again at once */
};

/* One claimed delivery, what the sender needs, and its outcome. */
struct notify_delivery {
    int64_t id;
    enum notify_channel channel;
    const char *event_type;
    const char *event_uid;
    int64_t target_id;
    const char *address; /* e-mail: the recipient */
    const char *payload; /* the message or the body */
    int attempts;        /* this one included */
    const char *url;     /* webhook: the endpoint as it is now; NULL when it was deleted */
    const char *secret;
    enum notify_outcome outcome;
    bool unreachable; /* with NOTIFY_RETRY: no answer at all (refused, timed out, TLS, login) */
    char error[NOTIFY_ERROR_MAX + 1];
};

/* What one notify_outbox_finish() changed, by channel. */
struct notify_counts {
    int64_t sent[NOTIFY_CHANNELS], retried[NOTIFY_CHANNELS], failed[NOTIFY_CHANNELS];
};

/*
 * In one write transaction: turns up to limit due event rows into their deliveries (one
 * e-mail per recipient who wants it when cfg has an SMTP host, one POST per active webhook
 * that wants the type) and marks them done; *n gets their number. Who acted gets no e-mail.
 */
int notify_outbox_fan_out(struct store *st, const struct notify_config *cfg, int64_t now, int limit,
                          int *n, struct acc_err *err);
#define NOTIFY_BIT(channel) (1u << (channel))
/*
 * Claims up to limit due deliveries of each channel in channels (NOTIFY_BIT()s) for token
 * until now + lease_secs, in one write transaction: their attempts count one more and they
 * leave the due range until the lease ends. Webhook rows get the endpoint's URL and secret as
 * they are now. *items is an arena array of *n.
 */
int notify_outbox_claim(struct store *st, unsigned channels, const char *token, int64_t now,
                        int lease_secs, int limit, struct acc_arena *arena,
                        struct notify_delivery **items, int *n, struct acc_err *err);
/*
 * Writes the outcomes of d[0..n) claimed by token, in one write transaction: done; due again
 * after notify_backoff_secs(); parked as failed once cfg->attempts are used or the outcome is
 * permanent; or released. A row whose lease another claim holds now is left alone. When a
 * destination did not answer at all (an endpoint, or the SMTP server), its other pending
 * deliveries due before the retry wait for it too, unclaimed and their attempts unchanged: a
 * receiver that is down costs one batch per back-off, not one attempt per row, and its backlog
 * comes due together when it is back. *counts gets what changed.
 */
int notify_outbox_finish(struct store *st, const struct notify_config *cfg, const char *token,
                         const struct notify_delivery *d, int n, int64_t now,
                         struct notify_counts *counts, struct acc_err *err);
/* The earliest available_at of a pending row (*at 0: none). */
int notify_outbox_next_due(struct store *st, int64_t *at, struct acc_err *err);
/* The number of pending rows. */
int notify_outbox_backlog(struct store *st, int64_t *n, struct acc_err *err);

/* ---------------------------------------------------------------------- sending */

struct notify_sender;

/*
 * A sender for cfg (borrowed): loads libcurl with dlopen() on first use, so that no other
 * command pays for it. ACC_EBUG when libcurl cannot be loaded.
 */
int notify_sender_new(const struct notify_config *cfg, struct notify_sender **out,
                      struct acc_err *err);
void notify_sender_free(struct notify_sender *s);
/*
 * Sends d[0..n) at once (at most cfg->parallel transfers, connections kept for the next
 * call) and fills each outcome and error. Transfers unfinished at deadline_ns (monotonic) fail;
 * when *stop turns true they are released.
 */
void notify_sender_run(struct notify_sender *s, struct notify_delivery *d, int n,
                       int64_t deadline_ns, const bool *stop);

#endif
