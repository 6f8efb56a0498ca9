/* notify_outbox.c: the outbox: events fanned out into deliveries, claims with a lease, outcomes. */
#include "base/acc.h"
#include "base/jw.h"
#include "base/log.h"
#include "audit/audit.h"
#include "notify/notify_int.h"
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- fan-out ---- */

/* An active webhook and the types it wants, read once per fan-out. */
struct hook {
    int64_t id;
    const char *url;
    const char *type; /* one row per type: the same id repeats */
};

static int load_hooks(struct store *st, struct acc_arena *arena, struct hook **out, int *n,
                      struct acc_err *err)
{
    struct store_stmt *stmt = NULL;
    struct hook *h = NULL;
    int count = 0, cap = 0, rc;
    bool row;

    rc = store_exec(st,
                    "SELECT w.id, w.url, e.event_type FROM webhook w JOIN webhook_event e ON "
                    "e.webhook_id = w.id WHERE w.active = 1 ORDER BY w.id",
                    NULL, 0, &stmt, err);
    while (!rc && !(rc = store_step(stmt, &row, err)) && row) {
        if (count == cap) {
            struct hook *bigger;

            cap = cap ? cap * 2 : 16;
            bigger = acc_arena_alloc(arena, (size_t)cap * sizeof(*bigger));
            if (count)
                memcpy(bigger, h, (size_t)count * sizeof(*h));
            h = bigger;
        }
        h[count].id = store_col_int(stmt, 0);
        h[count].url = store_col_dup(stmt, 1, arena);
        h[count].type = store_col_dup(stmt, 2, arena);
        count++;
    }
    store_finish(stmt);
    if (!rc) {
        *out = h;
        *n = count;
    }
    return rc;
}

static int read_event(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                      struct acc_err *err)
{
    struct notify_event *ev = item;

    (void)err;
    ev->id = store_col_int(stmt, 0);
    ev->type = store_col_dup(stmt, 1, arena);
    ev->entity = store_col_dup(stmt, 2, arena);
    ev->entity_id = store_col_int(stmt, 3);
    ev->recipients = store_col_dup(stmt, 4, arena);
    ev->payload = store_col_dup(stmt, 5, arena);
    ev->detail = store_col_dup(stmt, 6, arena);
    ev->actor_id = store_col_int(stmt, 7);
    ev->actor_name = store_col_dup(stmt, 8, arena);
    ev->created_at = store_col_int(stmt, 9);
    return ACC_OK;
}

/* The destinations held back (notify_hold) and until when, read once per fan-out. */
struct holds {
    int n;
    int64_t email_until;
    int64_t hook[64], hook_until[64];
};

static int load_holds(struct store *st, int64_t now, struct holds *h, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(now)};
    struct store_stmt *stmt = NULL;
    bool row;
    int rc;

    memset(h, 0, sizeof(*h));
    rc = store_exec(st, "SELECT destination, until_at FROM notify_hold WHERE until_at > ?", args, 1,
                    &stmt, err);
    while (!rc && !(rc = store_step(stmt, &row, err)) && row) {
        const char *d = store_col_text(stmt, 0);
        int64_t id;

        if (strcmp(d, "email") == 0)
            h->email_until = store_col_int(stmt, 1);
        else if (strncmp(d, "webhook:", 8) == 0 && acc_parse_i64(d + 8, &id) &&
                 h->n < (int)ACC_ARRAY_LEN(h->hook)) {
            h->hook[h->n] = id;
            h->hook_until[h->n++] = store_col_int(stmt, 1);
        }
    }
    store_finish(stmt);
    return rc;
}

/* When a new delivery to channel and target is due: now, or when its destination's hold ends. */
static int64_t due_at(const struct holds *h, enum notify_channel ch, int64_t target, int64_t now)
{
    int64_t at = ch == NOTIFY_EMAIL ? h->email_until : 0;

    for (int i = 0; ch == NOTIFY_WEBHOOK && i < h->n; i++)
        if (h->hook[i] == target)
            at = h->hook_until[i];
    return at > now ? at : now;
}

/* Inserts one delivery of ev, due at now. */
static int add_delivery(struct store *st, const struct notify_event *ev, enum notify_channel ch,
                        int64_t target, const char *address, const char *payload, int64_t now,
                        struct acc_err *err)
{
    char recipients[32];
    struct store_arg args[] = {SA_TEXT(ev->type),     SA_TEXT(ev->entity),
                               SA_INT(ev->entity_id), SA_TEXT(recipients),
                               SA_TEXT(payload),      SA_INT(ev->created_at),
                               SA_INT(now),           SA_TEXT(notify_channel_name(ch)),
                               SA_ID(ev->actor_id),   SA_INT(ev->id),
                               SA_TEXT(ev->uid),      SA_INT(target),
                               SA_TEXT(address)};

    snprintf(recipients, sizeof(recipients), ch == NOTIFY_EMAIL ? "[%lld]" : "[]",
             (long long)target);
    return store_exec(st,
                      "INSERT INTO outbox (event_type, entity, entity_id, recipients, payload, "
                      "created_at, available_at, channel, actor_id, event_id, event_uid, "
                      "target_id, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      args, ACC_ARRAY_LEN(args), NULL, err);
}

/* Whether person wants e-mails of type: no row, or a row that says so. */
static int wants(struct store *st, int64_t person, const struct notify_type *type, bool *out,
                 struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(person), SA_TEXT(type->name)};
    int64_t email = 1;
    int rc;

    if (!type->optional) {
        *out = true;
        return ACC_OK;
    }
    rc = store_query_int(st, "SELECT email FROM notify_pref WHERE person_id = ? AND event_type = ?",
                         args, 2, &email, err);
    if (rc == ACC_ENOTFOUND)
        rc = ACC_OK, email = 1;
    if (!rc)
        *out = email != 0;
    return rc;
}

/* The e-mails of ev: one per recipient who is active, is not who acted, and wants it. */
static int fan_out_email(struct store *st, const struct notify_config *cfg,
                         const struct notify_event *ev, const struct notify_view *v,
                         const struct holds *holds, int64_t now, struct acc_arena *arena,
                         struct acc_err *err)
{
    const struct notify_type *type = notify_type_find(ev->type);
    const char *p = ev->recipients;
    int64_t done[64];
    int ndone = 0, rc = ACC_OK;

    while (!rc && p && *p) {
        struct notify_person to = {0};
        struct store_stmt *stmt = NULL;
        char *end;
        long long id = strtoll(p, &end, 10);
        bool row = false, seen = false, want = false;

        if (end == p) {
            p++;
            continue;
        }
        p = end;
        for (int i = 0; i < ndone; i++)
            seen = seen || done[i] == id;
        if (id <= 0 || id == ev->actor_id || seen || ndone == (int)ACC_ARRAY_LEN(done))
            continue;
        done[ndone++] = id;
        {
            struct store_arg args[] = {SA_INT(id)};

            rc = store_exec(st, "SELECT name, email FROM person WHERE id = ? AND active = 1", args,
                            1, &stmt, err);
        }
        if (!rc)
            rc = store_step(stmt, &row, err);
        if (!rc && row) {
            to.id = id;
            to.name = store_col_dup(stmt, 0, arena);
            to.email = store_col_dup(stmt, 1, arena);
        }
        store_finish(stmt);
        if (!rc && row)
            rc = type ? wants(st, id, type, &want, err) : ACC_OK;
        if (!rc && row && want)
            rc = add_delivery(st, ev, NOTIFY_EMAIL, id, to.email,
                              notify_mail_render(cfg, ev, v, &to, arena),
                              due_at(holds, NOTIFY_EMAIL, id, now), err);
    }
    return rc;
}

int notify_outbox_fan_out(struct store *st, const struct notify_config *cfg, int64_t now, int limit,
                          int *n, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(now), SA_INT(limit + 1)};
    struct acc_arena *arena = acc_arena_new();
    struct store_stmt *stmt = NULL;
    struct notify_event *events = NULL;
    struct hook *hooks = NULL;
    struct holds holds;
    int64_t any = 0;
    int count = 0, nhooks = 0, rc;
    bool more;

    /* A read first: no write transaction (each counts a data revision) when nothing is due. */
    rc = store_query_int(st,
                         "SELECT 1 FROM outbox WHERE channel = 'event' AND state = 'pending' AND "
                         "available_at <= ? LIMIT 1",
                         args, 1, &any, err);
    if (rc == ACC_ENOTFOUND) {
        *n = 0;
        rc = ACC_OK;
        goto out;
    }
    if (!rc)
        rc = store_begin(st, true, err);
    if (rc)
        goto out;
    rc = store_exec(st,
                    "SELECT o.id, o.event_type, o.entity, o.entity_id, o.recipients, o.payload, "
                    "o.detail, o.actor_id, p.name, o.created_at FROM outbox o LEFT JOIN person p "
                    "ON p.id = o.actor_id WHERE o.channel = 'event' AND o.state = 'pending' AND "
                    "o.available_at <= ? ORDER BY o.available_at, o.id LIMIT ?",
                    args, 2, &stmt, err);
    if (!rc)
        rc = store_collect(stmt, sizeof(struct notify_event), limit, read_event, arena,
                           (void **)&events, &count, &more, err);
    if (!rc && count)
        rc = load_hooks(st, arena, &hooks, &nhooks, err);
    if (!rc && count)
        rc = load_holds(st, now, &holds, err);
    for (int i = 0; !rc && i < count; i++) {
        struct notify_event *ev = &events[i];
        struct acc_err why = {0};
        struct notify_view v;
        int64_t last = 0;

        notify_uid(ev->uid);
        /* An event whose payload cannot be read is parked with the reason; the others go on. */
        if (cfg->smtp_host && notify_view_read(ev, arena, &v, &why)) {
            struct store_arg f[] = {SA_TEXT(why.msg), SA_INT(now), SA_INT(ev->id)};

            rc = store_exec(st,
                            "UPDATE outbox SET state = 'failed', last_error = ?, available_at = ? "
                            "WHERE id = ? AND state = 'pending'",
                            f, 3, NULL, err);
            continue;
        }
        for (int k = 0; !rc && k < nhooks; k++) {
            if (hooks[k].id == last ||
                (strcmp(hooks[k].type, "*") != 0 && strcmp(hooks[k].type, ev->type) != 0))
                continue;
            last = hooks[k].id;
            rc = add_delivery(st, ev, NOTIFY_WEBHOOK, hooks[k].id, hooks[k].url,
                              notify_webhook_body(ev, cfg->base_url, arena),
                              due_at(&holds, NOTIFY_WEBHOOK, hooks[k].id, now), err);
        }
        if (!rc && cfg->smtp_host)
            rc = fan_out_email(st, cfg, ev, &v, &holds, now, arena, err);
        if (!rc) {
            struct store_arg d[] = {SA_TEXT(ev->uid), SA_INT(now), SA_INT(ev->id)};

            rc = store_exec(st,
                            "UPDATE outbox SET state = 'done', event_uid = ?, sent_at = ? WHERE "
                            "id = ? AND state = 'pending'",
                            d, 3, NULL, err);
            /* Another process fanned it out first: all of this batch is theirs to keep. */
            if (!rc && store_changes(st) != 1)
                rc = acc_fail(err, ACC_ECONFLICT, "", "outbox event %lld was fanned out meanwhile",
                              (long long)ev->id);
        }
    }
    if (!rc)
        rc = store_commit(st, err);
    else
        store_rollback(st);
    if (!rc)
        *n = count;
out:
    acc_arena_free(arena);
    return rc;
}

/* ---- claims and outcomes ---- */

static int read_claim(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                      struct acc_err *err)
{
    struct notify_delivery *d = item;

    (void)err;
    d->id = store_col_int(stmt, 0);
    d->event_type = store_col_dup(stmt, 1, arena);
    d->event_uid = store_col_dup(stmt, 2, arena);
    d->target_id = store_col_int(stmt, 3);
    d->address = store_col_dup(stmt, 4, arena);
    d->payload = store_col_dup(stmt, 5, arena);
    d->attempts = (int)store_col_int(stmt, 6);
    return ACC_OK;
}

/* Fills the URL and secret of webhook deliveries from their endpoints as they are now. */
static int endpoints(struct store *st, struct notify_delivery *d, int n, struct acc_arena *arena,
                     struct acc_err *err)
{
    int rc = ACC_OK;

    for (int i = 0; !rc && i < n; i++) {
        struct store_arg args[] = {SA_INT(d[i].target_id)};
        struct store_stmt *stmt = NULL;
        bool row = false;

        for (int j = 0; j < i; j++)
            if (d[j].target_id == d[i].target_id) {
                d[i].url = d[j].url;
                d[i].secret = d[j].secret;
                row = true;
                break;
            }
        if (row)
            continue;
        rc = store_exec(st, "SELECT url, secret FROM webhook WHERE id = ?", args, 1, &stmt, err);
        if (!rc)
            rc = store_step(stmt, &row, err);
        if (!rc && row) {
            d[i].url = store_col_dup(stmt, 0, arena);
            d[i].secret = store_col_dup(stmt, 1, arena);
        }
        store_finish(stmt);
    }
    return rc;
}

/* Claims up to limit due deliveries of channel inside the caller's transaction. */
static int claim_channel(struct store *st, enum notify_channel channel, const char *token,
                         int64_t now, int lease_secs, int limit, struct acc_arena *arena,
                         struct notify_delivery **items, int *n, struct acc_err *err)
{
    int64_t until = now + lease_secs;
    struct store_arg args[] = {
        SA_TEXT(token), SA_INT(until), SA_INT(until), SA_TEXT(notify_channel_name(channel)),
        SA_INT(now),    SA_INT(limit), SA_INT(now),   SA_INT(now)};
    struct store_stmt *stmt = NULL;
    struct notify_delivery *d = NULL;
    int count = 0, rc;
    bool more;

    /*
     * Portable: the subquery picks the due rows by the index, the least tried first among
     * those due at one instant (a destination's backlog held back together is worked through,
     * not its first rows again and again); the outer conditions are tested again on each row
     * as it is updated, so that two workers racing on PostgreSQL never both take one (the
     * second sees the first's lease). The claimed rows leave the due range (available_at =
     * lease_until) until their lease runs out.
     */
    rc = store_exec(st,
                    "UPDATE outbox SET leased_by = ?, lease_until = ?, available_at = ?, "
                    "attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox WHERE channel = ? "
                    "AND state = 'pending' AND available_at <= ? ORDER BY available_at, attempts, "
                    "id LIMIT ?) AND state = 'pending' AND available_at <= ? AND (lease_until IS "
                    "NULL OR lease_until <= ?) RETURNING id, event_type, event_uid, target_id, "
                    "address, payload, attempts",
                    args, ACC_ARRAY_LEN(args), &stmt, err);
    if (!rc)
        rc = store_collect(stmt, sizeof(*d), limit, read_claim, arena, (void **)&d, &count, &more,
                           err);
    for (int i = 0; i < count; i++)
        d[i].channel = channel;
    if (!rc && channel == NOTIFY_WEBHOOK)
        rc = endpoints(st, d, count, arena, err);
    if (!rc) {
        *items = d;
        *n = count;
    }
    return rc;
}

int notify_outbox_claim(struct store *st, unsigned channels, const char *token, int64_t now,
                        int lease_secs, int limit, struct acc_arena *arena,
                        struct notify_delivery **items, int *n, struct acc_err *err)
{
    struct notify_delivery *all = NULL, *part[NOTIFY_CHANNELS] = {0};
    int count[NOTIFY_CHANNELS] = {0}, total = 0, rc = ACC_OK;
    unsigned due = 0;

    /* Reads first: no write transaction (each counts a data revision) when nothing is due. */
    for (int c = NOTIFY_EMAIL; !rc && c < NOTIFY_CHANNELS; c++) {
        struct store_arg args[] = {SA_TEXT(notify_channel_name((enum notify_channel)c)),
                                   SA_INT(now)};
        int64_t any = 0;

        if (!(channels & NOTIFY_BIT(c)))
            continue;
        rc = store_query_int(st,
                             "SELECT 1 FROM outbox WHERE channel = ? AND state = 'pending' AND "
                             "available_at <= ? LIMIT 1",
                             args, 2, &any, err);
        if (!rc)
            due |= NOTIFY_BIT(c);
        else if (rc == ACC_ENOTFOUND)
            rc = ACC_OK;
    }
    if (rc)
        return rc;
    if (!due) {
        *items = acc_arena_alloc(arena, sizeof(**items));
        *n = 0;
        return ACC_OK;
    }
    channels = due;
    rc = store_begin(st, true, err);
    for (int c = NOTIFY_EMAIL; !rc && c < NOTIFY_CHANNELS; c++)
        if (channels & NOTIFY_BIT(c))
            rc = claim_channel(st, (enum notify_channel)c, token, now, lease_secs, limit, arena,
                               &part[c], &count[c], err);
    if (!rc)
        rc = store_commit(st, err);
    else
        store_rollback(st);
    if (rc)
        return rc;
    for (int c = 0; c < NOTIFY_CHANNELS; c++)
        total += count[c];
    all = acc_arena_alloc(arena, (size_t)(total ? total : 1) * sizeof(*all));
    total = 0;
    for (int c = 0; c < NOTIFY_CHANNELS; c++) {
        if (count[c])
            memcpy(all + total, part[c], (size_t)count[c] * sizeof(*all));
        total += count[c];
    }
    *items = all;
    *n = total;
    return ACC_OK;
}

/* Whether deliveries i and j go to one destination: one endpoint, or the SMTP server. */
static bool same_destination(const struct notify_delivery *i, const struct notify_delivery *j)
{
    return i->channel == j->channel &&
           (i->channel != NOTIFY_WEBHOOK || i->target_id == j->target_id);
}

/* The name of d's destination in notify_hold: "webhook:ID", or "email" (the SMTP server). */
static void destination(const struct notify_delivery *d, char out[40])
{
    if (d->channel == NOTIFY_WEBHOOK)
        snprintf(out, 40, "webhook:%lld", (long long)d->target_id);
    else
        snprintf(out, 40, "email");
}

/*
 * For each destination that did not answer (on the first of its rows: hold[i]), until when its
 * deliveries wait: the destination's own back-off, by the rounds it has failed in a row
 * (*rounds[i]), and no sooner than the earliest retry of its rows. The rows that failed come
 * due after the ones they hold back, so that the next batch to a destination still down is
 * other rows, not the same ones again: an outage costs each delivery one attempt per round of
 * the backlog, and rounds grow apart like one delivery's retries.
 */
static int plan_holds(struct store *st, const struct notify_config *cfg,
                      const struct notify_delivery *d, int n, int64_t now, int64_t *next,
                      int64_t *hold, int *rounds, struct acc_err *err)
{
    int rc = ACC_OK;

    for (int i = 0; !rc && i < n; i++) {
        bool first = true;
        int64_t at = 0, r = 0;
        char dest[40];

        hold[i] = 0;
        if (!next[i] || !d[i].unreachable)
            continue;
        for (int j = 0; j < n; j++)
            if (next[j] && d[j].unreachable && same_destination(&d[i], &d[j])) {
                first = first && j >= i;
                if (!at || next[j] < at)
                    at = next[j];
            }
        if (!first)
            continue;
        destination(&d[i], dest);
        {
            struct store_arg args[] = {SA_TEXT(dest)};

            rc = store_query_int(st, "SELECT rounds FROM notify_hold WHERE destination = ?", args,
                                 1, &r, err);
            if (rc == ACC_ENOTFOUND)
                rc = ACC_OK, r = 0;
        }
        rounds[i] = (int)r + 1;
        r = now + notify_backoff_secs(cfg, rounds[i], randombytes_random());
        hold[i] = r > at ? r : at;
        for (int j = 0; j < n; j++)
            if (next[j] && d[j].unreachable && same_destination(&d[i], &d[j]) && next[j] <= hold[i])
                next[j] = hold[i] + 1;
    }
    return rc;
}

/* Records that d's destination waits until until, after rounds failed rounds (0: not held). */
static int set_hold(struct store *st, const struct notify_delivery *d, int64_t until, int rounds,
                    struct acc_err *err)
{
    char dest[40];
    struct store_arg del[] = {SA_TEXT(dest)};
    struct store_arg ins[] = {SA_TEXT(dest), SA_INT(until), SA_INT(rounds)};
    int rc;

    destination(d, dest);
    rc = store_exec(st, "DELETE FROM notify_hold WHERE destination = ?", del, 1, NULL, err);
    if (!rc && until)
        rc = store_exec(st,
                        "INSERT INTO notify_hold (destination, until_at, rounds) VALUES (?, ?, ?)",
                        ins, 3, NULL, err);
    return rc;
}

int notify_outbox_finish(struct store *st, const struct notify_config *cfg, const char *token,
                         const struct notify_delivery *d, int n, int64_t now,
                         struct notify_counts *counts, struct acc_err *err)
{
    struct acc_arena *arena = acc_arena_new();
    size_t size = (size_t)(n ? n : 1);
    int64_t *next = acc_arena_alloc(arena, size * sizeof(*next));
    int64_t *hold = acc_arena_alloc(arena, size * sizeof(*hold));
    int *rounds = acc_arena_alloc(arena, size * sizeof(*rounds));
    bool *park = acc_arena_alloc(arena, size * sizeof(*park));
    struct notify_counts c = {0};
    int rc;

    for (int i = 0; i < n; i++) {
        park[i] = d[i].outcome == NOTIFY_PERMANENT ||
                  (d[i].outcome == NOTIFY_RETRY && d[i].attempts >= cfg->attempts);
        next[i] = d[i].outcome == NOTIFY_RETRY && !park[i]
                      ? now + notify_backoff_secs(cfg, d[i].attempts, randombytes_random())
                      : 0;
    }
    rc = store_begin(st, true, err);
    if (!rc)
        rc = plan_holds(st, cfg, d, n, now, next, hold, rounds, err);
    for (int i = 0; !rc && i < n; i++) {
        const char *why =
            notify_clean_text(d[i].error, strlen(d[i].error), NOTIFY_ERROR_MAX, arena);
        int ch = d[i].channel;

        if (d[i].outcome == NOTIFY_SENT) {
            struct store_arg args[] = {SA_INT(now), SA_INT(now), SA_INT(d[i].id), SA_TEXT(token)};

            rc = store_exec(st,
                            "UPDATE outbox SET state = 'done', sent_at = ?, available_at = ?, "
                            "lease_until = NULL, leased_by = NULL WHERE id = ? AND leased_by = ?",
                            args, 4, NULL, err);
            if (!rc && store_changes(st))
                c.sent[ch]++;
        } else if (park[i]) {
            struct store_arg args[] = {SA_TEXT(why), SA_INT(now), SA_INT(d[i].id), SA_TEXT(token)};

            rc = store_exec(st,
                            "UPDATE outbox SET state = 'failed', last_error = ?, available_at = ?, "
                            "lease_until = NULL, leased_by = NULL WHERE id = ? AND leased_by = ?",
                            args, 4, NULL, err);
            if (!rc && store_changes(st)) {
                c.failed[ch]++;
                acc_log(ACC_LOG_WARN, "notification parked as failed", "outbox_id",
                        acc_log_int(d[i].id), "channel", notify_channel_name(d[i].channel),
                        "event_type", d[i].event_type, "target_id", acc_log_int(d[i].target_id),
                        "attempts", acc_log_int(d[i].attempts), "error", why, NULL);
            }
        } else if (d[i].outcome == NOTIFY_RETRY) {
            struct store_arg args[] = {SA_TEXT(why), SA_INT(next[i]), SA_INT(d[i].id),
                                       SA_TEXT(token)};

            rc = store_exec(st,
                            "UPDATE outbox SET last_error = ?, available_at = ?, lease_until = "
                            "NULL, leased_by = NULL WHERE id = ? AND leased_by = ?",
                            args, 4, NULL, err);
            if (!rc && store_changes(st))
                c.retried[ch]++;
        } else {
            struct store_arg args[] = {SA_INT(now), SA_INT(d[i].id), SA_TEXT(token)};

            rc = store_exec(st,
                            "UPDATE outbox SET available_at = ?, attempts = attempts - 1, "
                            "lease_until = NULL, leased_by = NULL WHERE id = ? AND leased_by = ?",
                            args, 3, NULL, err);
        }
    }
    /* A destination that answered is held back no longer (its hold may not have run out). */
    for (int i = 0; !rc && i < n; i++) {
        bool first = d[i].outcome == NOTIFY_SENT;

        for (int j = 0; first && j < i; j++)
            first = !(d[j].outcome == NOTIFY_SENT && same_destination(&d[i], &d[j]));
        if (first)
            rc = set_hold(st, &d[i], 0, 0, err);
    }
    /* A destination that did not answer: its other due deliveries wait with the first. */
    for (int i = 0; !rc && i < n; i++) {
        if (!hold[i])
            continue;
        rc = set_hold(st, &d[i], hold[i], rounds[i], err);
        if (rc)
            break;
        if (d[i].channel == NOTIFY_WEBHOOK) {
            struct store_arg args[] = {SA_INT(hold[i]), SA_INT(hold[i]), SA_INT(d[i].target_id)};

            rc = store_exec(st,
                            "UPDATE outbox SET available_at = ? WHERE channel = 'webhook' AND "
                            "state = 'pending' AND available_at < ? AND leased_by IS NULL AND "
                            "target_id = ?",
                            args, 3, NULL, err);
        } else {
            struct store_arg args[] = {SA_INT(hold[i]), SA_INT(hold[i])};

            rc = store_exec(st,
                            "UPDATE outbox SET available_at = ? WHERE channel = 'email' AND state "
                            "= 'pending' AND available_at < ? AND leased_by IS NULL",
                            args, 2, NULL, err);
        }
    }
    if (!rc)
        rc = store_commit(st, err);
    else
        store_rollback(st);
    if (!rc)
        *counts = c;
    acc_arena_free(arena);
    return rc;
}

int notify_outbox_next_due(struct store *st, int64_t *at, struct acc_err *err)
{
    int64_t v = 0;
    int rc = store_query_int(st,
                             "SELECT COALESCE(MIN(available_at), 0) FROM outbox WHERE state = "
                             "'pending'",
                             NULL, 0, &v, err);

    if (!rc)
        *at = v;
    return rc;
}

int notify_outbox_backlog(struct store *st, int64_t *n, struct acc_err *err)
{
    return store_query_int(st, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'", NULL, 0, n,
                           err);
}

/* ---- administrators' view ---- */

#define ROW_SELECT                                                                                 \
    "SELECT id, channel, event_type, entity, entity_id, event_id, event_uid, target_id, "          \
    "address, recipients, state, attempts, available_at, last_error, created_at, sent_at "         \
    "FROM outbox "

static int read_row(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                    struct acc_err *err)
{
    struct notify_row *r = item;
    enum notify_channel ch = NOTIFY_EVENT;

    (void)err;
    r->id = store_col_int(stmt, 0);
    notify_channel_parse(store_col_text(stmt, 1), &ch);
    r->channel = ch;
    r->event_type = store_col_dup(stmt, 2, arena);
    r->entity = store_col_dup(stmt, 3, arena);
    r->entity_id = store_col_int(stmt, 4);
    r->event_id = store_col_int(stmt, 5);
    r->event_uid = store_col_dup(stmt, 6, arena);
    r->target_id = store_col_int(stmt, 7);
    r->address = store_col_dup(stmt, 8, arena);
    r->recipients = store_col_dup(stmt, 9, arena);
    r->state = store_col_dup(stmt, 10, arena);
    r->attempts = (int)store_col_int(stmt, 11);
    r->available_at = store_col_int(stmt, 12);
    r->last_error = store_col_dup(stmt, 13, arena);
    r->created_at = store_col_int(stmt, 14);
    r->sent_at = store_col_int(stmt, 15);
    return ACC_OK;
}

static int admin_only(const struct org_actor *who, struct acc_err *err)
{
    if (who->person_id && who->role != ORG_ROLE_ADMIN)
        return acc_fail(err, ACC_EPERM, "", "only administrators see the outbox");
    return ACC_OK;
}

int notify_outbox_list(struct store *st, const struct org_actor *who, const struct notify_filter *f,
                       struct acc_arena *arena, struct notify_row **items, int *n, bool *more,
                       struct acc_err *err)
{
    struct store_arg args[4];
    struct store_stmt *stmt = NULL;
    struct acc_buf sql;
    void *list = NULL;
    int na = 0, count = 0, rc;
    bool extra = false;

    rc = admin_only(who, err);
    if (!rc && f->state && strcmp(f->state, "pending") != 0 && strcmp(f->state, "done") != 0 &&
        strcmp(f->state, "failed") != 0)
        rc = acc_fail(err, ACC_EINVAL, "/query/state", "state must be pending, done or failed");
    if (rc)
        return rc;
    acc_buf_init(&sql);
    acc_buf_adds(&sql, ROW_SELECT "WHERE id > ?");
    args[na++] = SA_INT(f->after_id);
    if (f->state) {
        acc_buf_adds(&sql, " AND state = ?");
        args[na++] = SA_TEXT(f->state);
    }
    if (f->channel >= 0) {
        acc_buf_adds(&sql, " AND channel = ?");
        args[na++] = SA_TEXT(notify_channel_name((enum notify_channel)f->channel));
    }
    acc_buf_adds(&sql, " ORDER BY id LIMIT ?");
    args[na++] = SA_INT(f->limit + 1);
    rc = store_exec(st, sql.buf, args, na, &stmt, err);
    if (!rc)
        rc = store_collect(stmt, sizeof(struct notify_row), f->limit, read_row, arena, &list,
                           &count, &extra, err);
    acc_buf_release(&sql);
    if (!rc) {
        *items = list;
        *n = count;
        *more = extra;
    }
    return rc;
}

int notify_outbox_get(struct store *st, const struct org_actor *who, int64_t id,
                      struct acc_arena *arena, struct notify_row *out, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(id)};
    struct store_stmt *stmt = NULL;
    struct notify_row r = {0};
    bool row = false;
    int rc;

    rc = admin_only(who, err);
    if (!rc)
        rc = store_exec(st,
                        "SELECT id, channel, event_type, entity, entity_id, event_id, event_uid, "
                        "target_id, address, recipients, state, attempts, available_at, "
                        "last_error, created_at, sent_at, payload, detail FROM outbox WHERE id = ?",
                        args, 1, &stmt, err);
    if (!rc)
        rc = store_step(stmt, &row, err);
    if (!rc && row) {
        read_row(stmt, &r, arena, err);
        /* An event shows its payload and detail; a delivery what it sends. */
        if (r.channel == NOTIFY_EVENT) {
            struct acc_jw w;

            acc_jw_begin(&w);
            acc_jw_raw(&w, "payload", store_col_text(stmt, 16));
            acc_jw_raw(&w, "detail", store_col_null(stmt, 17) ? "{}" : store_col_text(stmt, 17));
            r.content = acc_jw_end(&w, arena);
        } else {
            r.content = store_col_dup(stmt, 16, arena);
        }
    }
    store_finish(stmt);
    if (!rc && !row)
        rc = acc_fail(err, ACC_ENOTFOUND, "", "outbox row %lld does not exist", (long long)id);
    if (!rc)
        *out = r;
    return rc;
}

int notify_outbox_retry(struct store *st, const struct org_actor *who, int64_t id, int64_t now,
                        struct acc_arena *arena, struct notify_row *out, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(now), SA_INT(id)};
    struct notify_row before, after;
    struct acc_jw b, a;
    int rc;

    rc = notify_outbox_get(st, who, id, arena, &before, err);
    if (!rc && strcmp(before.state, "failed") != 0)
        rc = acc_fail(err, ACC_ECONFLICT, "",
                      "outbox row %lld is %s: only failed rows are sent again by hand",
                      (long long)id, before.state);
    if (!rc)
        rc = store_exec(st,
                        "UPDATE outbox SET state = 'pending', attempts = 0, available_at = ?, "
                        "lease_until = NULL, leased_by = NULL WHERE id = ? AND state = 'failed'",
                        args, 2, NULL, err);
    if (!rc)
        rc = notify_outbox_get(st, who, id, arena, &after, err);
    if (rc)
        return rc;
    acc_jw_begin(&b);
    acc_jw_str(&b, "state", before.state);
    acc_jw_int(&b, "attempts", before.attempts);
    acc_jw_str(&b, "last_error", before.last_error);
    acc_jw_begin(&a);
    acc_jw_str(&a, "state", after.state);
    acc_jw_int(&a, "attempts", after.attempts);
    acc_jw_str(&a, "last_error", after.last_error);
    rc = audit_append(st, who->person_id, who->via, "outbox", id, acc_jw_end(&b, arena),
                      acc_jw_end(&a, arena), err);
    if (!rc) {
        notify_poke();
        *out = after;
    }
    return rc;
}
