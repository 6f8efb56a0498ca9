/* notify.c: event types, the enqueue hook, webhook endpoints and people's choices of e-mail. */
#include "base/acc.h"
#include "base/jw.h"
#include "base/log.h"
#include "audit/audit.h"
#include "notify/notify_int.h"
#include "store/store.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* Who gets what (docs/notifications.md says the same). Internal notes never notify. */
static const struct notify_type types[] = {
    {"request.raised", "a request was raised",
     "its assignee: the contract's named provider person, else the service's point person or "
     "deputy, else the provider's point person",
     true},
    {"request.assigned", "a request was assigned or reassigned", "the new assignee", true},
    {"request.comment", "a public comment was written on a request",
     "the other side: the assignee for the consumer's comments, the requester for the "
     "provider's",
     true},
    {"request.waiting_on_consumer", "the provider waits on the consumer", "the requester", true},
    {"request.resolved", "the provider resolved a request", "the requester", true},
    {"request.reopened", "the consumer reopened a request", "the assignee", true},
    {"request.escalated", "an escalation level fired, on its clock or by hand",
     "the level's recipients as the contract's escalation policy names them: point person, "
     "deputy, provider head, consumer head, named people",
     false},
};

const struct notify_type *notify_types(size_t *n)
{
    *n = ACC_ARRAY_LEN(types);
    return types;
}

const struct notify_type *notify_type_find(const char *name)
{
    for (size_t i = 0; name && i < ACC_ARRAY_LEN(types); i++)
        if (strcmp(types[i].name, name) == 0)
            return &types[i];
    return NULL;
}

static const char *const channel_names[NOTIFY_CHANNELS] = {"event", "email", "webhook"};

const char *notify_channel_name(enum notify_channel c)
{
    return channel_names[c];
}

int notify_channel_parse(const char *s, enum notify_channel *out)
{
    for (int i = 0; s && i < NOTIFY_CHANNELS; i++)
        if (strcmp(channel_names[i], s) == 0) {
            *out = (enum notify_channel)i;
            return ACC_OK;
        }
    return ACC_EINVAL;
}

/* ---- small shared helpers ---- */

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;

static void sodium_start(void)
{
    if (sodium_init() < 0)
        ACC_BUG("libsodium failed to initialise");
}

void notify_sodium(void)
{
    pthread_once(&sodium_once, sodium_start);
}

void notify_uid(char out[NOTIFY_UID_LEN])
{
    unsigned char r[16];
    char hex[33];

    notify_sodium();
    randombytes_buf(r, sizeof(r));
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40); /* version 4 */
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80); /* the RFC 4122 variant */
    sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
    snprintf(out, NOTIFY_UID_LEN, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
             hex + 20);
}

int64_t notify_backoff_secs(const struct notify_config *c, int attempts, uint32_t rnd)
{
    int64_t d = c->retry_first_secs, half;

    for (int i = 1; i < attempts && d < c->retry_max_secs; i++)
        d *= 2;
    if (d > c->retry_max_secs)
        d = c->retry_max_secs;
    half = d / 2;
    d = d - half + (int64_t)(rnd % (uint32_t)(half + 1));
    return d < 1 ? 1 : d;
}

/* The length of the UTF-8 sequence at s (at most n bytes), or 0 when it is not valid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

char *notify_clean_text(const char *text, size_t len, size_t max, struct acc_arena *arena)
{
    const unsigned char *s = (const unsigned char *)text;
    char *out = acc_arena_alloc(arena, max + 1);
    size_t i = 0, o = 0;

    while (i < len) {
        size_t n = utf8_len(s + i, len - i);

        if (o + (n ? n : 1) > max)
            break;
        if (!n || (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n') || s[i] == 0x7f) {
            out[o++] = '?';
            i += n ? n : 1;
            continue;
        }
        memcpy(out + o, s + i, n);
        o += n;
        i += n;
    }
    out[o] = '\0';
    return out;
}

int notify_url_check(const char *url, const char *field, struct acc_err *err)
{
    const char *host, *end, *at, *colon;
    size_t len = url ? strlen(url) : 0;

    if (!len)
        return acc_fail(err, ACC_EINVAL, field, "%s must not be empty", field + 1);
    if (len > NOTIFY_URL_MAX)
        return acc_fail(err, ACC_EINVAL, field, "%s is longer than %d bytes", field + 1,
                        NOTIFY_URL_MAX);
    if (strncasecmp(url, "http://", 7) == 0)
        host = url + 7;
    else if (strncasecmp(url, "https://", 8) == 0)
        host = url + 8;
    else
        return acc_fail(err, ACC_EINVAL, field, "%s must be an http:// or https:// URL", field + 1);
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return acc_fail(err, ACC_EINVAL, field,
                            "%s must not hold spaces, control or non-ASCII characters "
                            "(percent-encode them)",
                            field + 1);
    end = host + strcspn(host, "/?#");
    at = memchr(host, '@', (size_t)(end - host));
    if (at)
        return acc_fail(err, ACC_EINVAL, field,
                        "%s must not hold credentials: receivers check the signature instead",
                        field + 1);
    if (strchr(url, '#'))
        return acc_fail(err, ACC_EINVAL, field, "%s must not have a #fragment", field + 1);
    colon = NULL;
    if (host < end && *host == '[') {
        const char *close = memchr(host, ']', (size_t)(end - host));

        if (!close || close == host + 1)
            return acc_fail(err, ACC_EINVAL, field, "%s has a malformed IPv6 host", field + 1);
        if (close + 1 < end)
            colon = close + 1;
        if (colon && *colon != ':')
            return acc_fail(err, ACC_EINVAL, field, "%s has a malformed host", field + 1);
    } else {
        colon = memchr(host, ':', (size_t)(end - host));
        if (colon == host || host == end)
            return acc_fail(err, ACC_EINVAL, field, "%s has no host", field + 1);
    }
    if (colon) {
        long port = 0;
        const char *p = colon + 1;

        if (p == end)
            return acc_fail(err, ACC_EINVAL, field, "%s has an empty port", field + 1);
        for (; p < end; p++) {
            if (*p < '0' || *p > '9' || port > 65535)
                return acc_fail(err, ACC_EINVAL, field, "%s has a bad port", field + 1);
            port = port * 10 + (*p - '0');
        }
        if (port < 1 || port > 65535)
            return acc_fail(err, ACC_EINVAL, field, "%s has a bad port", field + 1);
    }
    return ACC_OK;
}

const char *notify_entity_url(const char *base_url, const char *entity, int64_t entity_id,
                              struct acc_arena *arena)
{
    /* The web UI's routes are plural nouns: #/requests/42. */
    return acc_arena_printf(arena, "%s/#/%ss/%lld", base_url, entity, (long long)entity_id);
}

/* "[1,2,3]" of people[0..n) without 0s and repeats; *kept gets how many. */
static void people_json(struct acc_buf *b, const int64_t *people, int n)
{
    int kept = 0;

    acc_buf_adds(b, "[");
    for (int i = 0; i < n; i++) {
        bool seen = people[i] == 0;

        for (int j = 0; j < i && !seen; j++)
            seen = people[j] == people[i];
        if (!seen)
            acc_buf_addf(b, "%s%lld", kept++ ? "," : "", (long long)people[i]);
    }
    acc_buf_adds(b, "]");
}

int notify_enqueue(struct store *st, const char *type, const char *entity, int64_t entity_id,
                   const int64_t *people, int n, int64_t actor_id, const char *payload,
                   const char *detail, int64_t now, struct acc_err *err)
{
    struct acc_buf list;
    int rc;

    if (!notify_type_find(type))
        return acc_fail(err, ACC_EINVAL, "/type", "'%s' is not a notification type", type);
    acc_buf_init(&list);
    people_json(&list, people, n);
    {
        struct store_arg args[] = {SA_TEXT(type),
                                   SA_TEXT(entity),
                                   SA_INT(entity_id),
                                   SA_TEXT(list.buf),
                                   SA_TEXT(payload ? payload : "{}"),
                                   SA_ID(actor_id),
                                   SA_TEXT(detail ? detail : "{}"),
                                   SA_INT(now),
                                   SA_INT(now)};

        rc = store_exec(st,
                        "INSERT INTO outbox (event_type, entity, entity_id, recipients, payload, "
                        "actor_id, detail, created_at, available_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
                        "?, ?)",
                        args, ACC_ARRAY_LEN(args), NULL, err);
    }
    acc_buf_release(&list);
    if (!rc)
        notify_poke();
    return rc;
}

/* ---- webhooks ---- */

#define WEBHOOK_SELECT                                                                             \
    "SELECT w.id, w.url, w.description, w.active, w.created_by, p.name, w.created_at, "            \
    "w.updated_at FROM webhook w LEFT JOIN person p ON p.id = w.created_by "

static int admin_only(const struct org_actor *who, struct acc_err *err)
{
    if (who->person_id && who->role != ORG_ROLE_ADMIN)
        return acc_fail(err, ACC_EPERM, "", "only administrators manage notifications");
    return ACC_OK;
}

static int read_webhook(struct store_stmt *stmt, void *item, struct acc_arena *arena,
                        struct acc_err *err)
{
    struct notify_webhook *w = item;

    (void)err;
    w->id = store_col_int(stmt, 0);
    w->url = store_col_dup(stmt, 1, arena);
    w->description = store_col_dup(stmt, 2, arena);
    w->active = store_col_int(stmt, 3) != 0;
    w->created_by.id = store_col_int(stmt, 4);
    w->created_by.name = store_col_dup(stmt, 5, arena);
    w->created_at = store_col_int(stmt, 6);
    w->updated_at = store_col_int(stmt, 7);
    return ACC_OK;
}

/* Reads w's event types, sorted. */
static int load_types(struct store *st, struct notify_webhook *w, struct acc_arena *arena,
                      struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(w->id)};
    struct store_stmt *stmt = NULL;
    size_t cap = ACC_ARRAY_LEN(types) + 1;
    bool row;
    int rc;

    w->event_types = acc_arena_alloc(arena, cap * sizeof(*w->event_types));
    w->n_types = 0;
    rc = store_exec(st,
                    "SELECT event_type FROM webhook_event WHERE webhook_id = ? ORDER BY event_type",
                    args, 1, &stmt, err);
    while (!rc && !(rc = store_step(stmt, &row, err)) && row)
        if ((size_t)w->n_types < cap)
            w->event_types[w->n_types++] = store_col_dup(stmt, 0, arena);
    store_finish(stmt);
    return rc;
}

int notify_webhook_get(struct store *st, int64_t id, struct acc_arena *arena,
                       struct notify_webhook *out, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(id)};
    struct store_stmt *stmt = NULL;
    struct notify_webhook w = {0};
    bool row = false;
    int rc;

    rc = store_exec(st, WEBHOOK_SELECT "WHERE w.id = ?", args, 1, &stmt, err);
    if (!rc)
        rc = store_step(stmt, &row, err);
    if (!rc && row)
        rc = read_webhook(stmt, &w, arena, err);
    store_finish(stmt);
    if (!rc && !row)
        rc = acc_fail(err, ACC_ENOTFOUND, "", "webhook %lld does not exist", (long long)id);
    if (!rc)
        rc = load_types(st, &w, arena, err);
    if (!rc)
        *out = w;
    return rc;
}

int notify_webhook_list(struct store *st, int64_t after_id, int limit, struct acc_arena *arena,
                        struct notify_webhook **items, int *n, bool *more, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(after_id), SA_INT(limit + 1)};
    struct store_stmt *stmt = NULL;
    void *list = NULL;
    int count = 0, rc;
    bool extra = false;

    rc = store_exec(st, WEBHOOK_SELECT "WHERE w.id > ? ORDER BY w.id LIMIT ?", args, 2, &stmt, err);
    if (!rc)
        rc = store_collect(stmt, sizeof(struct notify_webhook), limit, read_webhook, arena, &list,
                           &count, &extra, err);
    for (int i = 0; !rc && i < count; i++)
        rc = load_types(st, &((struct notify_webhook *)list)[i], arena, err);
    if (!rc) {
        *items = list;
        *n = count;
        *more = extra;
    }
    return rc;
}

/* The audit snapshot of w: every field but the secret, which no log may hold. */
static const char *webhook_snapshot(const struct notify_webhook *w, bool secret_changed,
                                    struct acc_arena *arena)
{
    struct acc_buf arr;
    struct acc_jw jw;
    const char *out;

    acc_buf_init(&arr);
    acc_buf_adds(&arr, "[");
    for (int i = 0; i < w->n_types; i++) {
        acc_buf_adds(&arr, i ? ",\"" : "\"");
        acc_json_escape(&arr, w->event_types[i]);
        acc_buf_adds(&arr, "\"");
    }
    acc_buf_adds(&arr, "]");
    acc_jw_begin(&jw);
    acc_jw_int(&jw, "id", w->id);
    acc_jw_str(&jw, "url", w->url);
    acc_jw_str(&jw, "description", w->description);
    acc_jw_bool(&jw, "active", w->active);
    acc_jw_raw(&jw, "event_types", arr.buf);
    if (secret_changed)
        acc_jw_bool(&jw, "secret_changed", true);
    out = acc_jw_end(&jw, arena);
    acc_buf_release(&arr);
    return out;
}

/* Checks the fields of in that are given (all of them with create). */
static int webhook_check(const struct notify_webhook_input *in, bool create, struct acc_err *err)
{
    int rc = ACC_OK;

    if (create && !in->has_url)
        return acc_fail(err, ACC_EINVAL, "/url", "url is required");
    if (create && !in->has_types)
        return acc_fail(err, ACC_EINVAL, "/event_types", "event_types is required");
    if (in->has_url)
        rc = notify_url_check(in->url, "/url", err);
    if (!rc && in->has_description)
        rc = acc_text_check(in->description, NOTIFY_DESCRIPTION_MAX, "/description", err);
    if (!rc && in->has_types) {
        if (in->n_types < 1)
            return acc_fail(err, ACC_EINVAL, "/event_types",
                            "event_types must name at least one type (or \"*\" for all)");
        for (int i = 0; i < in->n_types; i++) {
            char field[32];

            snprintf(field, sizeof(field), "/event_types/%d", i);
            if (strcmp(in->event_types[i], "*") != 0 && !notify_type_find(in->event_types[i]))
                return acc_fail(err, ACC_EINVAL, field,
                                "'%.60s' is not a notification type (see "
                                "/api/v1/notification-types)",
                                in->event_types[i]);
        }
    }
    if (!rc && in->has_secret && in->secret) {
        size_t len = strlen(in->secret);

        if (len < NOTIFY_SECRET_MIN || len > NOTIFY_SECRET_MAX)
            return acc_fail(err, ACC_EINVAL, "/secret",
                            "secret must be %d to %d characters long (or left out, and made)",
                            NOTIFY_SECRET_MIN, NOTIFY_SECRET_MAX);
        for (const char *p = in->secret; *p; p++)
            if (*p < 0x21 || *p > 0x7e)
                return acc_fail(err, ACC_EINVAL, "/secret",
                                "secret must be printable ASCII without spaces");
    }
    return rc;
}

/* Replaces the event types of webhook id by in's, each once. */
static int save_types(struct store *st, int64_t id, const struct notify_webhook_input *in,
                      struct acc_err *err)
{
    struct store_arg del[] = {SA_INT(id)};
    int rc;

    rc = store_exec(st, "DELETE FROM webhook_event WHERE webhook_id = ?", del, 1, NULL, err);
    for (int i = 0; !rc && i < in->n_types; i++) {
        struct store_arg args[] = {SA_INT(id), SA_TEXT(in->event_types[i])};
        bool seen = false;

        for (int j = 0; j < i && !seen; j++)
            seen = strcmp(in->event_types[j], in->event_types[i]) == 0;
        if (!seen)
            rc = store_exec(st, "INSERT INTO webhook_event (webhook_id, event_type) VALUES (?, ?)",
                            args, 2, NULL, err);
    }
    return rc;
}

/* A secret for an endpoint created without one: 32 random bytes from libsodium, in hex. */
static const char *make_secret(struct acc_arena *arena)
{
    unsigned char raw[32];
    char hex[65];

    notify_sodium();
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    return acc_arena_printf(arena, "whsec_%s", hex);
}

int notify_webhook_create(struct store *st, const struct org_actor *who,
                          const struct notify_webhook_input *in, int64_t now,
                          struct acc_arena *arena, struct notify_webhook *out, const char **secret,
                          struct acc_err *err)
{
    const char *s = in->has_secret && in->secret ? in->secret : NULL;
    int64_t count = 0, id = 0;
    struct notify_webhook w;
    int rc;

    rc = admin_only(who, err);
    if (!rc)
        rc = webhook_check(in, true, err);
    if (!rc)
        rc = store_query_int(st, "SELECT COUNT(*) FROM webhook", NULL, 0, &count, err);
    if (!rc && count >= NOTIFY_WEBHOOKS_MAX)
        rc = acc_fail(err, ACC_ECONFLICT, "",
                      "there are %d webhooks already, the most there may be", NOTIFY_WEBHOOKS_MAX);
    if (rc)
        return rc;
    if (!s)
        s = make_secret(arena);
    {
        struct store_arg args[] = {
            SA_TEXT(in->url),
            SA_TEXT(s),
            SA_TEXT(in->has_description && in->description ? in->description : ""),
            SA_INT(in->has_active ? in->active : true),
            SA_ID(who->person_id),
            SA_INT(now),
            SA_INT(now)};

        rc = store_query_int(st,
                             "INSERT INTO webhook (url, secret, description, active, created_by, "
                             "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             args, ACC_ARRAY_LEN(args), &id, err);
    }
    if (!rc)
        rc = save_types(st, id, in, err);
    if (!rc)
        rc = notify_webhook_get(st, id, arena, &w, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "webhook", id, NULL,
                          webhook_snapshot(&w, false, arena), err);
    if (!rc) {
        *out = w;
        *secret = acc_arena_strdup(arena, s);
    }
    return rc;
}

int notify_webhook_update(struct store *st, const struct org_actor *who, int64_t id,
                          const struct notify_webhook_input *in, int64_t now,
                          struct acc_arena *arena, struct notify_webhook *out, struct acc_err *err)
{
    struct notify_webhook before, w;
    int rc;

    rc = admin_only(who, err);
    if (!rc)
        rc = notify_webhook_get(st, id, arena, &before, err);
    if (!rc)
        rc = webhook_check(in, false, err);
    if (rc)
        return rc;
    {
        struct store_arg args[] = {
            SA_TEXT(in->has_url ? in->url : before.url),
            SA_TEXT(in->has_description ? (in->description ? in->description : "")
                                        : before.description),
            SA_INT(in->has_active ? in->active : before.active),
            SA_INT(now),
            SA_INT(id),
        };

        rc = store_exec(st,
                        "UPDATE webhook SET url = ?, description = ?, active = ?, updated_at = ? "
                        "WHERE id = ?",
                        args, ACC_ARRAY_LEN(args), NULL, err);
    }
    if (!rc && in->has_secret && in->secret) {
        struct store_arg args[] = {SA_TEXT(in->secret), SA_INT(id)};

        rc = store_exec(st, "UPDATE webhook SET secret = ? WHERE id = ?", args, 2, NULL, err);
    }
    if (!rc && in->has_types)
        rc = save_types(st, id, in, err);
    if (!rc)
        rc = notify_webhook_get(st, id, arena, &w, err);
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "webhook", id,
                          webhook_snapshot(&before, false, arena),
                          webhook_snapshot(&w, in->has_secret && in->secret, arena), err);
    if (!rc)
        *out = w;
    return rc;
}

int notify_webhook_delete(struct store *st, const struct org_actor *who, int64_t id,
                          struct acc_arena *arena, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(id)};
    struct notify_webhook before;
    int rc;

    rc = admin_only(who, err);
    if (!rc)
        rc = notify_webhook_get(st, id, arena, &before, err);
    if (!rc)
        rc = store_exec(st, "DELETE FROM webhook_event WHERE webhook_id = ?", args, 1, NULL, err);
    if (!rc)
        rc = store_exec(st, "DELETE FROM webhook WHERE id = ?", args, 1, NULL, err);
    if (!rc) {
        char dest[40];
        struct store_arg hold[] = {SA_TEXT(dest)};

        snprintf(dest, sizeof(dest), "webhook:%lld", (long long)id);
        rc = store_exec(st, "DELETE FROM notify_hold WHERE destination = ?", hold, 1, NULL, err);
    }
    if (!rc)
        rc = audit_append(st, who->person_id, who->via, "webhook", id,
                          webhook_snapshot(&before, false, arena), NULL, err);
    return rc;
}

/* ---- people's choices ---- */

int notify_prefs_get(struct store *st, int64_t person_id, struct acc_arena *arena,
                     struct notify_pref **items, int *n, struct acc_err *err)
{
    struct store_arg args[] = {SA_INT(person_id)};
    struct notify_pref *p = acc_arena_alloc(arena, ACC_ARRAY_LEN(types) * sizeof(*p));
    struct store_stmt *stmt = NULL;
    bool row;
    int rc;

    for (size_t i = 0; i < ACC_ARRAY_LEN(types); i++) {
        p[i].type = &types[i];
        p[i].email = true;
    }
    rc = store_exec(st, "SELECT event_type, email FROM notify_pref WHERE person_id = ?", args, 1,
                    &stmt, err);
    while (!rc && !(rc = store_step(stmt, &row, err)) && row) {
        const struct notify_type *t = notify_type_find(store_col_text(stmt, 0));

        /* A type that is no longer optional ignores an old "off". */
        if (t && t->optional)
            p[t - types].email = store_col_int(stmt, 1) != 0;
    }
    store_finish(stmt);
    if (!rc) {
        *items = p;
        *n = (int)ACC_ARRAY_LEN(types);
    }
    return rc;
}

/* The audit form of choices: {"email_off":["request.comment",…]}. */
static const char *prefs_snapshot(const struct notify_pref *p, int n, struct acc_arena *arena)
{
    struct acc_buf b;
    const char *out;
    int k = 0;

    acc_buf_init(&b);
    acc_buf_adds(&b, "{\"email_off\":[");
    for (int i = 0; i < n; i++)
        if (!p[i].email)
            acc_buf_addf(&b, "%s\"%s\"", k++ ? "," : "", p[i].type->name);
    acc_buf_adds(&b, "]}");
    out = acc_arena_strdup(arena, b.buf);
    acc_buf_release(&b);
    return out;
}

int notify_prefs_set(struct store *st, const struct org_actor *who,
                     const struct notify_pref *changes, int n, int64_t now, struct acc_arena *arena,
                     struct acc_err *err)
{
    struct notify_pref *before, *after;
    int nb, na, rc;

    if (!who->person_id)
        return acc_fail(err, ACC_EPERM, "", "choices of e-mail belong to a person");
    for (int i = 0; i < n; i++) {
        char field[80];

        snprintf(field, sizeof(field), "/email/%.60s", changes[i].type->name);
        if (!changes[i].type->optional && !changes[i].email)
            return acc_fail(err, ACC_EINVAL, field,
                            "%s e-mails cannot be turned off: escalations always reach their "
                            "recipients",
                            changes[i].type->name);
    }
    rc = notify_prefs_get(st, who->person_id, arena, &before, &nb, err);
    for (int i = 0; !rc && i < n; i++) {
        struct store_arg del[] = {SA_INT(who->person_id), SA_TEXT(changes[i].type->name)};
        struct store_arg ins[] = {SA_INT(who->person_id), SA_TEXT(changes[i].type->name),
                                  SA_INT(now)};

        rc = store_exec(st, "DELETE FROM notify_pref WHERE person_id = ? AND event_type = ?", del,
                        2, NULL, err);
        /* Only an "off" is kept: no row is the default, on. */
        if (!rc && !changes[i].email)
            rc = store_exec(st,
                            "INSERT INTO notify_pref (person_id, event_type, email, updated_at) "
                            "VALUES (?, ?, 0, ?)",
                            ins, 3, NULL, err);
    }
    if (!rc)
        rc = notify_prefs_get(st, who->person_id, arena, &after, &na, err);
    if (!rc && strcmp(prefs_snapshot(before, nb, arena), prefs_snapshot(after, na, arena)) != 0)
        rc = audit_append(st, who->person_id, who->via, "notify_pref", who->person_id,
                          prefs_snapshot(before, nb, arena), prefs_snapshot(after, na, arena), err);
    return rc;
}
