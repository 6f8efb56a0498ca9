/* notify_smtp.c: e-mails: RFC 5322 messages with RFC 2047 headers, and sending them over SMTP. */
#include "base/acc.h"
#include "notify/notify_curl.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* ---- message text ---- */

/*
 * Bytes of UTF-8 per encoded word: 30 bytes are 40 characters of base64, a 52-character
 * word, so that "Subject: " and one word stay within RFC 2047's 76-character lines.
 */
#define WORD_BYTES 30

static bool plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

/* Appends value as RFC 2047 "B" encoded words, split at UTF-8 boundaries, folded with CRLF SP. */
static void encoded_words(struct acc_buf *b, const char *value)
{
    size_t len = strlen(value), i = 0;
    bool first = true;

    while (i < len) {
        size_t n = len - i < WORD_BYTES ? len - i : WORD_BYTES;
        char b64[sodium_base64_ENCODED_LEN(WORD_BYTES, sodium_base64_VARIANT_ORIGINAL)];

        /* Never split a character: back up over continuation bytes. */
        while (n > 1 && i + n < len && ((unsigned char)value[i + n] & 0xc0) == 0x80)
            n--;
        sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)value + i, n,
                          sodium_base64_VARIANT_ORIGINAL);
        acc_buf_addf(b, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", b64);
        first = false;
        i += n;
    }
}

void notify_mail_header(struct acc_buf *b, const char *name, const char *value)
{
    size_t col = strlen(name) + 2;

    acc_buf_addf(b, "%s: ", name);
    if (!plain_ascii(value) || strstr(value, "=?")) {
        encoded_words(b, value);
    } else {
        /* Fold long ASCII values at spaces (RFC 5322 2.2.3), lines kept to 78 characters. */
        const char *p = value;

        while (*p) {
            size_t word = strcspn(p + 1, " ") + 1;

            if (col + word > 78 && *p == ' ' && col > strlen(name) + 2) {
                acc_buf_adds(b, "\r\n");
                col = 0;
            }
            acc_buf_add(b, p, word);
            col += word;
            p += word;
        }
    }
    acc_buf_adds(b, "\r\n");
}

/* RFC 5322 atext and spaces: a display name that needs neither quotes nor encoding. */
static bool atext_phrase(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr(" !#$%&'*+-/=?^_`{|}~", *s)))
            return false;
    return true;
}

void notify_mail_mailbox(struct acc_buf *b, const char *display, const char *address)
{
    if (display && *display) {
        if (!plain_ascii(display) || strstr(display, "=?")) {
            encoded_words(b, display);
        } else if (atext_phrase(display)) {
            acc_buf_adds(b, display);
        } else {
            acc_buf_adds(b, "\"");
            for (const char *p = display; *p; p++) {
                if (*p == '"' || *p == '\\')
                    acc_buf_adds(b, "\\");
                acc_buf_add(b, p, 1);
            }
            acc_buf_adds(b, "\"");
        }
        acc_buf_adds(b, " ");
    }
    acc_buf_addf(b, "<%s>", address);
}

void notify_mail_qp(struct acc_buf *b, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)text;

    while (*p) {
        size_t col = 0;

        /* One input line, without its LF (or CRLF). */
        while (*p && *p != '\n' && !(*p == '\r' && p[1] == '\n')) {
            bool last = !p[1] || p[1] == '\n' || (p[1] == '\r' && p[2] == '\n');
            bool lit = (*p >= 33 && *p <= 126 && *p != '=') || ((*p == ' ' || *p == '\t') && !last);
            size_t w = lit ? 1 : 3;

            /* A soft break keeps each line to 76 characters, "=" included. */
            if (col + w > 75) {
                acc_buf_adds(b, "=\r\n");
                col = 0;
            }
            if (lit) {
                acc_buf_add(b, (const char *)p, 1);
            } else {
                char e[3] = {'=', hex[*p >> 4], hex[*p & 15]};

                acc_buf_add(b, e, 3);
            }
            col += w;
            p++;
        }
        acc_buf_adds(b, "\r\n");
        if (*p == '\r')
            p++;
        if (*p == '\n')
            p++;
    }
}

void notify_mail_date(int64_t t, char out[40])
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

const char *notify_mail_domain(const char *address)
{
    const char *at = address ? strrchr(address, '@') : NULL;

    return at && at[1] ? at + 1 : "localhost";
}

/* "2024-05-21T17:00:00Z" as "2024-05-21 17:00 UTC"; NULL stays NULL. */
static const char *when(const char *rfc3339, struct acc_arena *arena)
{
    if (!rfc3339 || strlen(rfc3339) < 16)
        return rfc3339;
    return acc_arena_printf(arena, "%.10s %.5s UTC", rfc3339, rfc3339 + 11);
}

/* A status name for people: "in_progress" -> "in progress". */
static const char *words(const char *s, struct acc_arena *arena)
{
    char *w;

    if (!s)
        return NULL;
    w = acc_arena_strdup(arena, s);
    for (char *p = w; *p; p++)
        if (*p == '_')
            *p = ' ';
    return w;
}

/* What an e-mail of ev says in its subject, before the title. */
static const char *subject_of(const char *type, const struct notify_view *v,
                              struct acc_arena *arena)
{
    if (strcmp(type, "request.raised") == 0)
        return "New request";
    if (strcmp(type, "request.assigned") == 0)
        return "Assigned to you";
    if (strcmp(type, "request.comment") == 0)
        return "New comment";
    if (strcmp(type, "request.waiting_on_consumer") == 0)
        return "Waiting on you";
    if (strcmp(type, "request.resolved") == 0)
        return "Resolved";
    if (strcmp(type, "request.reopened") == 0)
        return "Reopened";
    if (strcmp(type, "request.escalated") == 0)
        return acc_arena_printf(arena, "Escalation level %d", v->level);
    return type;
}

/* The opening paragraph: who did what. */
static void opening(struct acc_buf *t, const struct notify_event *ev, const struct notify_view *v)
{
    const char *who = ev->actor_name ? ev->actor_name : "accord";
    long long id = (long long)ev->entity_id;

    if (strcmp(ev->type, "request.raised") == 0) {
        acc_buf_addf(t, "%s (%s) raised request #%lld for %s:\n\n  %s\n", who,
                     v->consumer ? v->consumer : "?", id, v->provider ? v->provider : "?",
                     v->title ? v->title : "");
        if (v->description && *v->description)
            acc_buf_addf(t, "\n%s\n", v->description);
    } else if (strcmp(ev->type, "request.assigned") == 0) {
        acc_buf_addf(t, "%s assigned request #%lld to you:\n\n  %s\n", who, id,
                     v->title ? v->title : "");
    } else if (strcmp(ev->type, "request.comment") == 0) {
        acc_buf_addf(t, "%s commented on request #%lld \"%s\":\n\n%s\n", who, id,
                     v->title ? v->title : "", v->body ? v->body : "");
    } else if (strcmp(ev->type, "request.waiting_on_consumer") == 0) {
        acc_buf_addf(t, "%s (%s) waits on you to go on with request #%lld \"%s\"%s.\n", who,
                     v->provider ? v->provider : "?", id, v->title ? v->title : "",
                     v->missing_information ? ": information is missing" : "");
        if (v->reason && *v->reason)
            acc_buf_addf(t, "\n%s\n", v->reason);
    } else if (strcmp(ev->type, "request.resolved") == 0) {
        acc_buf_addf(t,
                     "%s (%s) resolved request #%lld \"%s\". Accept the result, or reopen the "
                     "request if it is not right.\n",
                     who, v->provider ? v->provider : "?", id, v->title ? v->title : "");
        if (v->reason && *v->reason)
            acc_buf_addf(t, "\n%s\n", v->reason);
    } else if (strcmp(ev->type, "request.reopened") == 0) {
        acc_buf_addf(t, "%s reopened request #%lld \"%s\".\n", who, id, v->title ? v->title : "");
        if (v->reason && *v->reason)
            acc_buf_addf(t, "\n%s\n", v->reason);
    } else if (strcmp(ev->type, "request.escalated") == 0) {
        if (v->manual)
            acc_buf_addf(t, "%s escalated request #%lld \"%s\" by hand to level %d.\n", who, id,
                         v->title ? v->title : "", v->level);
        else
            acc_buf_addf(t,
                         "Escalation level %d fired on request #%lld \"%s\": %d %% of its %s "
                         "target has passed.\n",
                         v->level, id, v->title ? v->title : "", v->percent,
                         v->clock ? v->clock : "");
    } else {
        acc_buf_addf(t, "%s: %s %lld.\n", ev->type, ev->entity, id);
    }
}

/* Why to gets this e-mail, for the footer. */
static const char *why(const struct notify_event *ev, const struct notify_view *v,
                       const struct notify_person *to)
{
    if (strcmp(ev->type, "request.escalated") == 0)
        return "the escalation policy of this request's contract names you";
    if (to->id == v->requester_id)
        return "you raised this request";
    if (to->id == v->assignee_id)
        return "you are this request's assignee";
    return "you take part in this request";
}

const char *notify_mail_render(const struct notify_config *cfg, const struct notify_event *ev,
                               const struct notify_view *v, const struct notify_person *to,
                               struct acc_arena *arena)
{
    const char *domain = notify_mail_domain(cfg->smtp_from);
    const char *url = notify_entity_url(cfg->base_url, ev->entity, ev->entity_id, arena);
    const struct notify_type *type = notify_type_find(ev->type);
    char date[40], *root, *msgid;
    struct acc_buf h, t;
    const char *out;

    root = acc_arena_printf(arena, "<accord.%s.%lld@%s>", ev->entity, (long long)ev->entity_id,
                            domain);
    /* A request's first e-mail is its thread's root; the others answer it. */
    if (strcmp(ev->type, "request.raised") == 0)
        msgid = root;
    else
        msgid = acc_arena_printf(arena, "<accord.%s.%lld@%s>", ev->uid, (long long)to->id, domain);
    notify_mail_date(ev->created_at, date);

    acc_buf_init(&t);
    opening(&t, ev, v);
    acc_buf_adds(&t, "\n");
    if (v->service)
        acc_buf_addf(&t, "Service:     %s (%s for %s)\n", v->service,
                     v->provider ? v->provider : "?", v->consumer ? v->consumer : "?");
    if (v->status)
        acc_buf_addf(&t, "Status:      %s\n", words(v->status, arena));
    if (v->priority)
        acc_buf_addf(&t, "Priority:    %s\n", v->priority);
    if (v->resolution_due_at && v->status && strcmp(v->status, "resolved") != 0 &&
        strcmp(v->status, "closed") != 0)
        acc_buf_addf(&t, "Resolve by:  %s\n", when(v->resolution_due_at, arena));
    acc_buf_addf(&t, "\nOpen it in accord:\n%s\n\n-- \nYou get this e-mail because %s.\n", url,
                 why(ev, v, to));
    if (type && !type->optional)
        acc_buf_adds(&t, "Escalations cannot be turned off.\n");
    else
        acc_buf_addf(&t, "Choose which e-mails accord sends you: %s/#/notifications\n",
                     cfg->base_url);

    acc_buf_init(&h);
    acc_buf_addf(&h, "Date: %s\r\n", date);
    acc_buf_adds(&h, "From: ");
    notify_mail_mailbox(&h, cfg->smtp_from_name, cfg->smtp_from);
    acc_buf_adds(&h, "\r\nTo: ");
    notify_mail_mailbox(&h, to->name, to->email);
    acc_buf_adds(&h, "\r\n");
    notify_mail_header(&h, "Subject",
                       acc_arena_printf(arena, "[accord #%lld] %s: %s", (long long)ev->entity_id,
                                        subject_of(ev->type, v, arena), v->title ? v->title : ""));
    acc_buf_addf(&h, "Message-ID: %s\r\n", msgid);
    if (msgid != root)
        acc_buf_addf(&h, "In-Reply-To: %s\r\nReferences: %s\r\n", root, root);
    acc_buf_adds(&h, "MIME-Version: 1.0\r\n"
                     "Content-Type: text/plain; charset=UTF-8\r\n"
                     "Content-Transfer-Encoding: quoted-printable\r\n"
                     "Auto-Submitted: auto-generated\r\n");
    acc_buf_addf(&h, "X-Accord-Event: %s\r\nX-Accord-Event-Id: %s\r\n\r\n", ev->type, ev->uid);
    notify_mail_qp(&h, t.buf);
    out = acc_arena_strdup(arena, h.buf);
    acc_buf_release(&h);
    acc_buf_release(&t);
    return out;
}

/* ---- sending ---- */

static size_t read_message(char *buf, size_t size, size_t nitems, void *arg)
{
    struct notify_xfer *x = arg;
    size_t n = size * nitems, left = x->len - x->off;

    if (n > left)
        n = left;
    memcpy(buf, x->d->payload + x->off, n);
    x->off += n;
    return n;
}

int notify_smtp_prepare(struct notify_xfer *x, const struct notify_config *cfg)
{
    int port = cfg->smtp_port                         ? cfg->smtp_port
               : cfg->smtp_tls == NOTIFY_TLS_IMPLICIT ? 465
               : cfg->smtp_tls == NOTIFY_TLS_STARTTLS ? 587
                                                      : 25;
    bool v6 = strchr(cfg->smtp_host, ':') != NULL;
    char url[512], from[300], rcpt[300];
    CURL *e = x->easy;
    CURLcode rc = CURLE_OK;

    /* The path is the domain libcurl greets the server with (EHLO). */
    snprintf(url, sizeof(url), "%s://%s%s%s:%d/%s",
             cfg->smtp_tls == NOTIFY_TLS_IMPLICIT ? "smtps" : "smtp", v6 ? "[" : "", cfg->smtp_host,
             v6 ? "]" : "", port, notify_mail_domain(cfg->smtp_from));
    snprintf(from, sizeof(from), "<%s>", cfg->smtp_from);
    snprintf(rcpt, sizeof(rcpt), "<%s>", x->d->address);
    x->list = notify_curl.curl_slist_append(NULL, rcpt);
    x->len = strlen(x->d->payload);
    x->off = 0;
    if (!x->list)
        return ACC_EBUG;
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_URL, url);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_MAIL_FROM, from);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_MAIL_RCPT, x->list);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_READFUNCTION, read_message);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_READDATA, (void *)x);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)x->len);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(
            e, CURLOPT_USE_SSL,
            (long)(cfg->smtp_tls == NOTIFY_TLS_NONE ? CURLUSESSL_NONE : CURLUSESSL_ALL));
    if (!rc && cfg->smtp_user)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_USERNAME, cfg->smtp_user);
    if (!rc && cfg->smtp_password)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_PASSWORD, cfg->smtp_password);
    if (!rc && cfg->smtp_ca_file)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_CAINFO, cfg->smtp_ca_file);
    return rc == CURLE_OK ? ACC_OK : ACC_EBUG;
}

void notify_smtp_result(struct notify_xfer *x, CURLcode rc)
{
    struct notify_delivery *d = x->d;
    long code = 0;

    if (rc == CURLE_OK) {
        d->outcome = NOTIFY_SENT;
        return;
    }
    notify_curl.curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
    /* The server refused the mailbox or the message: another attempt would get the same. */
    d->outcome = code >= 550 && code <= 554 ? NOTIFY_PERMANENT : NOTIFY_RETRY;
    /* The server itself is out of reach (or refuses us): every e-mail waits, not just this. */
    d->unreachable = d->outcome == NOTIFY_RETRY &&
                     (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_CONNECT ||
                      rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_SSL_CONNECT_ERROR ||
                      rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_LOGIN_DENIED ||
                      rc == CURLE_USE_SSL_FAILED || code == 421);
    if (code)
        snprintf(d->error, sizeof(d->error), "smtp: %s (server reply %ld)",
                 x->errbuf[0] ? x->errbuf : notify_curl.curl_easy_strerror(rc), code);
    else
        snprintf(d->error, sizeof(d->error), "smtp: %s",
                 x->errbuf[0] ? x->errbuf : notify_curl.curl_easy_strerror(rc));
}
