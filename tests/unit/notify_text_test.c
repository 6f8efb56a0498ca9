/* notify_text_test.c: notifications without a database: back-off, signatures, mail text, config. */
#include "base/acc.h"
#include "base/log.h"
#include "notify/notify_int.h"
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct acc_arena *arena;

/* T_EQ_STR for texts longer than its message holds: prints both on a difference. */
#define SAME(got, want)                                                                            \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        T_OK(g_ &&strcmp(g_, w_) == 0);                                                            \
        if (!g_ || strcmp(g_, w_) != 0)                                                            \
            fprintf(stderr, "    got:  %s\n    want: %s\n", g_ ? g_ : "(null)", w_);               \
    } while (0)

/* The defaults with first 10 s and max 3600 s: attempt n waits in [d - d/2, d], d = 10 * 2^(n-1).
 */
static void test_backoff_doubles_with_jitter_and_cap(void)
{
    struct notify_config c;
    int64_t want[] = {10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600, 3600};

    notify_config_init(&c);
    for (int a = 1; a <= (int)ACC_ARRAY_LEN(want); a++) {
        int64_t d = want[a - 1];

        /* rnd 0 gives the low end, a huge one modulo the range anything up to the high end. */
        T_EQ_INT(notify_backoff_secs(&c, a, 0), d - d / 2);
        T_EQ_INT(notify_backoff_secs(&c, a, (uint32_t)(d / 2)), d);
        for (uint32_t r = 0; r < 2000; r += 37) {
            int64_t got = notify_backoff_secs(&c, a, r * 2654435761u);

            T_OK(got >= d - d / 2 && got <= d);
        }
    }
    /* Far past the cap the delay stays capped (no overflow after many doublings). */
    T_OK(notify_backoff_secs(&c, 90, 12345) <= 3600);
    T_OK(notify_backoff_secs(&c, 90, 12345) >= 1800);
    /* A first delay of 1 s never jitters below a second. */
    c.retry_first_secs = 1;
    c.retry_max_secs = 2;
    T_EQ_INT(notify_backoff_secs(&c, 1, 0), 1);
    T_EQ_INT(notify_backoff_secs(&c, 1, 1), 1);
    T_EQ_INT(notify_backoff_secs(&c, 2, 1), 2);
    T_EQ_INT(notify_backoff_secs(&c, 5, 0), 1);
    notify_config_release(&c);
}

/* Checked against Python's hmac: hmac.new(secret, b"1716282000." + body, sha256).hexdigest(). */
static void test_signature(void)
{
    const char *body = "{\"id\":\"x\"}";
    char sig[NOTIFY_SIG_LEN];

    notify_webhook_sign("whsec_test_secret_0123456789", "1716282000", body, strlen(body), sig);
    T_EQ_STR(sig, "sha256=40a303db8ed1ec516906bbb6fba6b8f48e7768cc365f7962883e90751a5e046b");
    T_OK(notify_webhook_verify("whsec_test_secret_0123456789", "1716282000", body, strlen(body),
                               sig));
    /* Another timestamp, body or secret, or a cut signature, does not verify. */
    T_OK(!notify_webhook_verify("whsec_test_secret_0123456789", "1716282001", body, strlen(body),
                                sig));
    T_OK(!notify_webhook_verify("whsec_test_secret_0123456789", "1716282000", "{\"id\":\"y\"}",
                                strlen(body), sig));
    T_OK(!notify_webhook_verify("whsec_test_secret_012345678X", "1716282000", body, strlen(body),
                                sig));
    sig[NOTIFY_SIG_LEN - 2] = '\0';
    T_OK(!notify_webhook_verify("whsec_test_secret_0123456789", "1716282000", body, strlen(body),
                                sig));
    T_OK(!notify_webhook_verify("whsec_test_secret_0123456789", "1716282000", body, strlen(body),
                                NULL));
}

static const char *header(const char *name, const char *value)
{
    struct acc_buf b;
    const char *out;

    acc_buf_init(&b);
    notify_mail_header(&b, name, value);
    out = acc_arena_strdup(arena, b.buf);
    acc_buf_release(&b);
    return out;
}

static void test_header_encoding(void)
{
    struct acc_buf b;
    const char *h;

    /* Plain ASCII stays as it is. */
    T_EQ_STR(header("Subject", "[accord #42] New request: Laptop"),
             "Subject: [accord #42] New request: Laptop\r\n");
    /* Anything else is one or more RFC 2047 B words (Python: base64 of the UTF-8). */
    T_EQ_STR(header("Subject", "[accord #42] Zoë"),
             "Subject: =?UTF-8?B?W2FjY29yZCAjNDJdIFpvw6s=?=\r\n");
    /* Text that looks like an encoded word is encoded too, so that it reads back as typed. */
    T_OK(strncmp(header("Subject", "=?x?"), "Subject: =?UTF-8?B?", 19) == 0);
    /* A long value: folded into words of at most 30 bytes, never splitting a character, and
     * every line within RFC 2047's 76 characters. */
    h = header("Subject", "Überweisung für Zoë – Zugang zum Rechnungsarchiv und zur Kostenstelle "
                          "4711 für das ganze Jahr");
    for (const char *line = h; *line;) {
        const char *end = strstr(line, "\r\n");

        T_OK(end != NULL);
        if (!end)
            break;
        T_OK(end - line <= 76);
        line = end + 2;
        if (*line)
            T_OK(*line == ' ');
    }
    T_OK(strstr(h, "?=\r\n =?UTF-8?B?") != NULL);
    /* Long ASCII folds at spaces, lines within 78. */
    h = header("Subject", "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff "
                          "gggggggggg hhhhhhhhhh");
    T_EQ_STR(h, "Subject: aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee ffffffffff\r\n "
                "gggggggggg hhhhhhhhhh\r\n");
    /* Mailboxes: atext as is, specials quoted, others encoded. */
    acc_buf_init(&b);
    notify_mail_mailbox(&b, "Ivan Petrov", "ivan@example.org");
    acc_buf_adds(&b, "|");
    notify_mail_mailbox(&b, "O'Brien, Sean \"Jr\"", "sean@example.org");
    acc_buf_adds(&b, "|");
    notify_mail_mailbox(&b, "Zoë", "zoe@example.org");
    acc_buf_adds(&b, "|");
    notify_mail_mailbox(&b, NULL, "a@example.org");
    T_EQ_STR(b.buf, "Ivan Petrov <ivan@example.org>|\"O'Brien, Sean \\\"Jr\\\"\" "
                    "<sean@example.org>|=?UTF-8?B?Wm/Dqw==?= <zoe@example.org>|<a@example.org>");
    acc_buf_release(&b);
}

static void test_quoted_printable(void)
{
    struct acc_buf b;
    char line[200];

    acc_buf_init(&b);
    notify_mail_qp(&b, "Grüße = 1 \nend \t\n\nlast");
    T_EQ_STR(b.buf, "Gr=C3=BC=C3=9Fe =3D 1=20\r\nend =09\r\n\r\nlast\r\n");
    acc_buf_reset(&b);
    /* A long line gets soft breaks; no line is longer than 76, no escape is split. */
    memset(line, 'a', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    line[73] = '=';
    notify_mail_qp(&b, line);
    /* 73 a's and "=3D" would make 76 with the soft break's "=": the escape starts a new line. */
    T_OK(strspn(b.buf, "a") == 73);
    T_OK(strncmp(b.buf + 73, "=\r\n=3Daa", 8) == 0);
    for (const char *p = b.buf; *p;) {
        const char *end = strstr(p, "\r\n");

        T_OK(end && end - p <= 76);
        p = end ? end + 2 : p + strlen(p);
    }
    acc_buf_release(&b);
}

static void test_mail_date_and_domain(void)
{
    char d[40];

    notify_mail_date(1716282000, d); /* 2024-05-21T09:00:00Z, a Tuesday */
    T_EQ_STR(d, "Tue, 21 May 2024 09:00:00 +0000");
    T_EQ_STR(notify_mail_domain("accord@mail.example.org"), "mail.example.org");
    T_EQ_STR(notify_mail_domain(NULL), "localhost");
    T_EQ_STR(notify_mail_domain("nobody"), "localhost");
}

static void test_url_check(void)
{
    struct acc_err err;
    const char *good[] = {"http://127.0.0.1:8080/hook", "https://hooks.example.org",
                          "HTTPS://Example.org/a?b=c", "http://[::1]:9000/x"};
    const char *bad[] = {"",
                         "ftp://example.org/",
                         "javascript:alert(1)",
                         "https://",
                         "https://user:pw@example.org/",
                         "https://example.org/a b",
                         "https://example.org:0/",
                         "https://example.org:70000/",
                         "https://example.org:/",
                         "https://example.org/#frag",
                         "http://[::1/x",
                         "https://exämple.org/"};

    for (size_t i = 0; i < ACC_ARRAY_LEN(good); i++)
        T_EQ_INT(notify_url_check(good[i], "/url", &err), ACC_OK);
    for (size_t i = 0; i < ACC_ARRAY_LEN(bad); i++) {
        acc_err_clear(&err);
        T_EQ_INT(notify_url_check(bad[i], "/url", &err), ACC_EINVAL);
        T_EQ_STR(err.field, "/url");
    }
}

static void test_clean_text(void)
{
    const char bytes[] = "ok\x01\xff\xc3\xa9\n\ttail";

    T_EQ_STR(notify_clean_text(bytes, strlen(bytes), 100, arena), "ok??\xc3\xa9\n\ttail");
    /* Cut at a character boundary: "é" does not fit in 3 bytes after "ok". */
    T_EQ_STR(notify_clean_text("ok\xc3\xa9", 4, 3, arena), "ok");
}

/* Writes text to a temporary file; its path in the arena. */
static const char *temp_file(const char *text)
{
    char *path = acc_arena_strdup(arena, "/tmp/accord-notify-conf-XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");

    fputs(text, f);
    fclose(f);
    return path;
}

static void test_config(void)
{
    struct notify_config c;
    struct acc_err err = {0};
    const char *path;

    notify_config_init(&c);
    T_EQ_INT(c.attempts, NOTIFY_ATTEMPTS_DEFAULT);
    T_OK(c.smtp_host == NULL);
    path = temp_file("# accord\n\nbase_url = https://accord.example.org/\nsmtp_host = "
                     "mail.example.org\nsmtp_tls = tls\nsmtp_user = accord\nsmtp_password = \" p "
                     "# w \"\nsmtp_from = accord@example.org\nsmtp_from_name = Zoë's accord\n"
                     "attempts = 5\n");
    T_EQ_INT(notify_config_load(&c, path, &err), ACC_OK);
    T_EQ_STR(c.base_url, "https://accord.example.org");
    T_EQ_STR(c.smtp_host, "mail.example.org");
    T_EQ_INT(c.smtp_tls, NOTIFY_TLS_IMPLICIT);
    T_EQ_STR(c.smtp_password, " p # w ");
    T_EQ_STR(c.smtp_from_name, "Zoë's accord");
    T_EQ_INT(c.attempts, 5);
    T_EQ_INT(notify_config_check(&c, &err), ACC_OK);
    unlink(path);

    /* Errors name the line and the key, never the value. */
    path = temp_file("smtp_port = 99999\n");
    T_EQ_INT(notify_config_load(&c, path, &err), ACC_EINVAL);
    T_OK(strstr(err.msg, ":1: smtp_port must be") != NULL);
    unlink(path);
    path = temp_file("\nsmtp_password\n");
    T_EQ_INT(notify_config_load(&c, path, &err), ACC_EINVAL);
    T_OK(strstr(err.msg, ":2: want key = value") != NULL);
    unlink(path);
    path = temp_file("smtp_pasword = hunter2-secret\n");
    T_EQ_INT(notify_config_load(&c, path, &err), ACC_EINVAL);
    T_OK(strstr(err.msg, "unknown key 'smtp_pasword'") != NULL);
    T_OK(strstr(err.msg, "hunter2") == NULL);
    unlink(path);
    T_EQ_INT(notify_config_load(&c, "/nonexistent/notify.conf", &err), ACC_ENOTFOUND);
    T_EQ_INT(notify_config_set(&c, "smtp_from", "accord <a@b.org>", &err), ACC_EINVAL);
    T_EQ_INT(notify_config_set(&c, "smtp_tls", "ssl", &err), ACC_EINVAL);
    T_EQ_INT(notify_config_set(&c, "base_url", "ftp://x.org", &err), ACC_EINVAL);
    T_EQ_INT(notify_config_set(&c, "base_url", "https://x.org/?a=1", &err), ACC_EINVAL);
    T_EQ_INT(notify_config_set(&c, "smtp_host", "mail.example.org/x", &err), ACC_EINVAL);
    T_EQ_INT(notify_config_set(&c, "attempts", "0", &err), ACC_EINVAL);

    /* The whole: a user needs a password, a host a sender, a lease must outlast a timeout. */
    T_EQ_INT(notify_config_set(&c, "timeout_secs", "30", &err), ACC_OK);
    T_EQ_INT(notify_config_set(&c, "lease_secs", "31", &err), ACC_OK);
    T_EQ_INT(notify_config_check(&c, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/lease_secs");
    T_EQ_INT(notify_config_set(&c, "lease_secs", "40", &err), ACC_OK);
    T_EQ_INT(notify_config_check(&c, &err), ACC_OK);
    free(c.smtp_password);
    c.smtp_password = NULL;
    T_EQ_INT(notify_config_check(&c, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/smtp_password");
    free(c.smtp_user);
    c.smtp_user = NULL;
    free(c.smtp_from);
    c.smtp_from = NULL;
    T_EQ_INT(notify_config_check(&c, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/smtp_from");
    notify_config_release(&c);
}

/* A request comment's e-mail and webhook body, as the fan-out renders them. */
static void test_render(void)
{
    struct notify_config c;
    struct notify_event ev = {
        .id = 7,
        .type = "request.comment",
        .entity = "request",
        .entity_id = 42,
        .recipients = "[5]",
        .payload = "{\"id\":42,\"title\":\"Zugang für Zoë\",\"status\":\"in_progress\","
                   "\"priority\":null,\"service\":\"Access\",\"provider\":\"IT\",\"consumer\":"
                   "\"Sales\",\"requester_id\":5,\"assignee_id\":9,\"response_due_at\":null,"
                   "\"resolution_due_at\":\"2024-05-21T17:00:00Z\"}",
        .detail = "{\"comment_id\":3,\"body\":\"Done = ready.\"}",
        .actor_id = 9,
        .actor_name = "Ivan Petrov",
        .created_at = 1716282000,
        .uid = "0f0e0d0c-0b0a-4908-8706-050403020100",
    };
    struct notify_person to = {5, "Sara Lindqvist", "sara@example.org"};
    struct notify_view v;
    struct acc_err err = {0};
    const char *msg, *body;

    notify_config_init(&c);
    T_EQ_INT(notify_config_set(&c, "base_url", "https://accord.example.org", &err), ACC_OK);
    T_EQ_INT(notify_config_set(&c, "smtp_from", "accord@example.org", &err), ACC_OK);
    T_EQ_INT(notify_view_read(&ev, arena, &v, &err), ACC_OK);
    T_EQ_STR(v.title, "Zugang für Zoë");
    T_EQ_STR(v.body, "Done = ready.");
    T_EQ_INT(v.assignee_id, 9);
    msg = notify_mail_render(&c, &ev, &v, &to, arena);
    T_OK(strstr(msg, "\r\nTo: Sara Lindqvist <sara@example.org>\r\n") != NULL);
    T_OK(strstr(msg, "\r\nFrom: accord <accord@example.org>\r\n") != NULL);
    T_OK(strstr(msg, "Date: Tue, 21 May 2024 09:00:00 +0000\r\n") == msg);
    T_OK(strstr(msg, "\r\nMessage-ID: <accord.0f0e0d0c-0b0a-4908-8706-050403020100.5@example.org>"
                     "\r\nIn-Reply-To: <accord.request.42@example.org>\r\nReferences: "
                     "<accord.request.42@example.org>\r\n") != NULL);
    T_OK(strstr(msg, "\r\nSubject: =?UTF-8?B?") != NULL);
    T_OK(strstr(msg, "Content-Type: text/plain; charset=UTF-8\r\n") != NULL);
    T_OK(strstr(msg, "\r\n\r\nIvan Petrov commented on request #42 \"Zugang f=C3=BCr Zo=C3=AB\"") !=
         NULL);
    T_OK(strstr(msg, "\r\nDone =3D ready.\r\n") != NULL);
    T_OK(strstr(msg, "\r\nhttps://accord.example.org/#/requests/42\r\n") != NULL);
    T_OK(strstr(msg, "because you raised this request") != NULL);
    /* The raised e-mail is the thread's root, and answers nothing. */
    ev.type = "request.raised";
    msg = notify_mail_render(&c, &ev, &v, &to, arena);
    T_OK(strstr(msg, "\r\nMessage-ID: <accord.request.42@example.org>\r\n") != NULL);
    T_OK(strstr(msg, "In-Reply-To") == NULL);

    ev.type = "request.comment";
    body = notify_webhook_body(&ev, c.base_url, arena);
    SAME(body, "{\"id\":\"0f0e0d0c-0b0a-4908-8706-050403020100\",\"type\":\"request.comment\","
               "\"occurred_at\":\"2024-05-21T09:00:00Z\",\"entity\":{\"type\":\"request\",\"url\":"
               "\"https://accord.example.org/#/requests/42\",\"id\":42,\"title\":\"Zugang für "
               "Zoë\",\"status\":\"in_progress\",\"priority\":null,\"service\":\"Access\","
               "\"provider\":\"IT\",\"consumer\":\"Sales\",\"requester_id\":5,\"assignee_id\":9,"
               "\"response_due_at\":null,\"resolution_due_at\":\"2024-05-21T17:00:00Z\"},\"actor\":"
               "{\"id\":9,\"name\":\"Ivan Petrov\"},\"detail\":{\"comment_id\":3,\"body\":\"Done = "
               "ready.\"}}");
    /* accord itself acting, with an empty payload: actor null, the entity keeps its id. */
    ev.actor_id = 0;
    ev.actor_name = NULL;
    ev.payload = "{}";
    ev.detail = NULL;
    body = notify_webhook_body(&ev, c.base_url, arena);
    T_OK(strstr(body, "\"entity\":{\"type\":\"request\",\"url\":\"https://accord.example.org/#/"
                      "requests/42\",\"id\":42},\"actor\":null,\"detail\":{}}") != NULL);
    /* A payload that is no JSON object cannot be read for an e-mail. */
    ev.payload = "[1]";
    T_EQ_INT(notify_view_read(&ev, arena, &v, &err), ACC_EBUG);
    notify_config_release(&c);
}

static void test_uid(void)
{
    char a[NOTIFY_UID_LEN], b[NOTIFY_UID_LEN];

    notify_uid(a);
    notify_uid(b);
    T_EQ_INT(strlen(a), 36);
    T_OK(strcmp(a, b) != 0);
    T_OK(a[8] == '-' && a[13] == '-' && a[14] == '4' && a[18] == '-' && a[23] == '-');
    T_OK(strchr("89ab", a[19]) != NULL);
}

int main(void)
{
    acc_log_set_quiet(true);
    arena = acc_arena_new();
    T_RUN(test_backoff_doubles_with_jitter_and_cap);
    T_RUN(test_signature);
    T_RUN(test_header_encoding);
    T_RUN(test_quoted_printable);
    T_RUN(test_mail_date_and_domain);
    T_RUN(test_url_check);
    T_RUN(test_clean_text);
    T_RUN(test_config);
    T_RUN(test_render);
    T_RUN(test_uid);
    acc_arena_free(arena);
    return t_done();
}
