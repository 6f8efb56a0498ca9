/* notify_webhook.c: webhook deliveries: the JSON event, its HMAC-SHA256 signature, the POST. */
#include "base/acc.h"
#include "base/jw.h"
#include "notify/notify_curl.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

const char *notify_webhook_body(const struct notify_event *ev, const char *base_url,
                                struct acc_arena *arena)
{
    const char *payload = ev->payload ? ev->payload : "{}";
    struct acc_jw entity, actor, w;
    struct acc_buf e;
    char at[21];
    const char *out;

    /* The entity: its type and link, then the payload's own fields (a JSON object). */
    acc_jw_begin(&entity);
    acc_jw_str(&entity, "type", ev->entity);
    acc_jw_str(&entity, "url", notify_entity_url(base_url, ev->entity, ev->entity_id, arena));
    acc_buf_init(&e);
    acc_buf_adds(&e, acc_jw_end(&entity, arena));
    while (*payload == ' ')
        payload++;
    if (payload[0] == '{' && strcmp(payload, "{}") != 0) {
        e.len--; /* the '}' */
        acc_buf_adds(&e, ",");
        acc_buf_adds(&e, payload + 1);
    } else {
        e.buf[e.len - 1] = '\0';
        e.len--;
        acc_buf_addf(&e, ",\"id\":%lld}", (long long)ev->entity_id);
    }
    acc_time_format(ev->created_at, at);
    acc_jw_begin(&w);
    acc_jw_str(&w, "id", ev->uid);
    acc_jw_str(&w, "type", ev->type);
    acc_jw_str(&w, "occurred_at", at);
    acc_jw_raw(&w, "entity", e.buf);
    if (ev->actor_id) {
        acc_jw_begin(&actor);
        acc_jw_int(&actor, "id", ev->actor_id);
        acc_jw_str(&actor, "name", ev->actor_name);
        acc_jw_raw(&w, "actor", acc_jw_end(&actor, arena));
    } else {
        acc_jw_raw(&w, "actor", NULL);
    }
    acc_jw_raw(&w, "detail", ev->detail ? ev->detail : "{}");
    out = acc_jw_end(&w, arena);
    acc_buf_release(&e);
    return out;
}

void notify_webhook_sign(const char *secret, const char *timestamp, const char *body, size_t len,
                         char out[NOTIFY_SIG_LEN])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;

    notify_sodium();
    crypto_auth_hmacsha256_init(&state, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&state, (const unsigned char *)timestamp, strlen(timestamp));
    crypto_auth_hmacsha256_update(&state, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&state, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&state, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, NOTIFY_SIG_LEN - 7, mac, sizeof(mac));
    sodium_memzero(&state, sizeof(state));
}

bool notify_webhook_verify(const char *secret, const char *timestamp, const char *body, size_t len,
                           const char *signature)
{
    char want[NOTIFY_SIG_LEN];

    if (!signature || strlen(signature) != NOTIFY_SIG_LEN - 1)
        return false;
    notify_webhook_sign(secret, timestamp, body, len, want);
    return sodium_memcmp(want, signature, NOTIFY_SIG_LEN - 1) == 0;
}

/* ---- sending ---- */

/* Keeps the first NOTIFY_REPLY_MAX bytes of the answer, for the error; takes all of it. */
static size_t keep_reply(char *data, size_t size, size_t nitems, void *arg)
{
    struct notify_xfer *x = arg;
    size_t n = size * nitems;

    if (x->reply.len < NOTIFY_REPLY_MAX)
        acc_buf_add(&x->reply, data,
                    n < NOTIFY_REPLY_MAX - x->reply.len ? n : NOTIFY_REPLY_MAX - x->reply.len);
    return n;
}

/* Adds "Name: value" to the header list; false when libcurl is out of memory. */
static bool header(struct notify_xfer *x, const char *name, const char *value)
{
    char line[256];
    struct curl_slist *l;

    snprintf(line, sizeof(line), "%s: %s", name, value);
    l = notify_curl.curl_slist_append(x->list, line);
    if (l)
        x->list = l;
    return l != NULL;
}

int notify_webhook_prepare(struct notify_xfer *x, const struct notify_config *cfg, int64_t now)
{
    const struct notify_delivery *d = x->d;
    size_t len = strlen(d->payload);
    char ts[24], sig[NOTIFY_SIG_LEN], delivery[24];
    CURL *e = x->easy;
    CURLcode rc = CURLE_OK;

    (void)cfg;
    snprintf(ts, sizeof(ts), "%lld", (long long)now);
    snprintf(delivery, sizeof(delivery), "%lld", (long long)d->id);
    notify_webhook_sign(d->secret, ts, d->payload, len, sig);
    if (!header(x, "Content-Type", "application/json") ||
        !header(x, "User-Agent", "accord/" ACC_VERSION) ||
        !header(x, "X-Accord-Event", d->event_type) ||
        !header(x, "X-Accord-Event-Id", d->event_uid ? d->event_uid : "") ||
        !header(x, "X-Accord-Delivery", delivery) || !header(x, "X-Accord-Timestamp", ts) ||
        !header(x, "X-Accord-Signature", sig) || !header(x, "Expect", ""))
        return ACC_EBUG;
    sodium_memzero(sig, sizeof(sig));
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_URL, d->url);
    /* Only http(s), and no redirects: a 3xx answer is not a delivery. */
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_POST, 1L);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_POSTFIELDS, d->payload);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->list);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, keep_reply);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)x);
    return rc == CURLE_OK ? ACC_OK : ACC_EBUG;
}

void notify_webhook_result(struct notify_xfer *x, CURLcode rc)
{
    struct notify_delivery *d = x->d;
    long code = 0;

    if (rc != CURLE_OK) {
        d->outcome = NOTIFY_RETRY;
        d->unreachable = true; /* no answer: refused, timed out, TLS, name unknown */
        snprintf(d->error, sizeof(d->error), "%s",
                 x->errbuf[0] ? x->errbuf : notify_curl.curl_easy_strerror(rc));
        return;
    }
    notify_curl.curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 200 && code < 300) {
        d->outcome = NOTIFY_SENT;
        return;
    }
    /* Any other answer is tried again; the receiver's words, cut short, say why. */
    d->outcome = NOTIFY_RETRY;
    snprintf(d->error, sizeof(d->error), "HTTP %ld: %.*s", code, (int)x->reply.len, x->reply.buf);
}
