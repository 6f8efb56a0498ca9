/* notify_curl.c: libcurl loaded on first use, and many deliveries sent at once on one multi handle.
 */
#include "base/acc.h"
#include "base/log.h"
#include "notify/notify_curl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * libcurl is loaded when the first delivery is sent, not linked: with OpenSSL behind it,
 * linking would cost every command (`accord calendar due` among them) time at start. The
 * OpenSSL flavour is Debian's libcurl4; the GnuTLS one does as well.
 */
static const char *const sonames[] = {"libcurl.so.4", "libcurl-gnutls.so.4"};

struct notify_libcurl notify_curl;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static char curl_error[200]; /* why loading failed; "" once loaded */

static void curl_load(void)
{
    void *lib = NULL;

    for (size_t i = 0; !lib && i < ACC_ARRAY_LEN(sonames); i++)
        lib = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(curl_error, sizeof(curl_error), "%s", dlerror());
        return;
    }
#define LIBCURL_RESOLVE(name)                                                                      \
    if (!curl_error[0]) {                                                                          \
        void *fn = dlsym(lib, #name);                                                              \
        if (fn)                                                                                    \
            memcpy(&notify_curl.name, &fn, sizeof(fn));                                            \
        else                                                                                       \
            snprintf(curl_error, sizeof(curl_error), "libcurl lacks %s", #name);                   \
    }
    LIBCURL_FUNCS(LIBCURL_RESOLVE)
#undef LIBCURL_RESOLVE
    if (!curl_error[0] && notify_curl.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        snprintf(curl_error, sizeof(curl_error), "curl_global_init failed");
}

struct notify_sender {
    const struct notify_config *cfg;
    CURLM *multi; /* kept between batches: its connections are reused */
};

int notify_sender_new(const struct notify_config *cfg, struct notify_sender **out,
                      struct acc_err *err)
{
    struct notify_sender *s;

    pthread_once(&curl_once, curl_load);
    if (curl_error[0])
        return acc_fail(err, ACC_EBUG, "",
                        "sending notifications needs libcurl (libcurl.so.4), which could not be "
                        "loaded: %s",
                        curl_error);
    s = xcalloc(1, sizeof(*s));
    s->cfg = cfg;
    s->multi = notify_curl.curl_multi_init();
    if (!s->multi) {
        free(s);
        return acc_fail(err, ACC_EBUG, "", "curl_multi_init failed");
    }
    notify_curl.curl_multi_setopt(s->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)cfg->parallel);
    notify_curl.curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)cfg->parallel);
    *out = s;
    return ACC_OK;
}

void notify_sender_free(struct notify_sender *s)
{
    if (!s)
        return;
    notify_curl.curl_multi_cleanup(s->multi);
    free(s);
}

int notify_xfer_common(struct notify_xfer *x, const struct notify_config *cfg)
{
    CURL *e = x->easy;
    CURLcode rc = CURLE_OK;

    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)cfg->timeout_secs * 1000L);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                                          (long)cfg->timeout_secs * 1000L);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
    if (!rc)
        rc = notify_curl.curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)x);
    return rc == CURLE_OK ? ACC_OK : ACC_EBUG;
}

static void fail(struct notify_delivery *d, enum notify_outcome o, const char *fmt, ...)
    ACC_PRINTF(3, 4);
static void fail(struct notify_delivery *d, enum notify_outcome o, const char *fmt, ...)
{
    va_list ap;

    d->outcome = o;
    va_start(ap, fmt);
    vsnprintf(d->error, sizeof(d->error), fmt, ap);
    va_end(ap);
}

/* Ends x: its handle leaves the multi and is freed. */
static void xfer_end(struct notify_sender *s, struct notify_xfer *x)
{
    if (!x->easy)
        return;
    notify_curl.curl_multi_remove_handle(s->multi, x->easy);
    notify_curl.curl_easy_cleanup(x->easy);
    notify_curl.curl_slist_free_all(x->list);
    acc_buf_release(&x->reply);
    x->easy = NULL;
    x->list = NULL;
}

void notify_sender_run(struct notify_sender *s, struct notify_delivery *d, int n,
                       int64_t deadline_ns, const bool *stop)
{
    struct notify_xfer *x = xcalloc((size_t)(n ? n : 1), sizeof(*x));
    int64_t now = acc_now();
    int active = 0;

    for (int i = 0; i < n; i++) {
        int rc;

        x[i].d = &d[i];
        d[i].outcome = NOTIFY_SENT;
        d[i].unreachable = false;
        d[i].error[0] = '\0';
        acc_buf_init(&x[i].reply);
        if (d[i].channel == NOTIFY_WEBHOOK && !d[i].url) {
            fail(&d[i], NOTIFY_PERMANENT, "webhook %lld no longer exists",
                 (long long)d[i].target_id);
            continue;
        }
        x[i].easy = notify_curl.curl_easy_init();
        rc = x[i].easy ? notify_xfer_common(&x[i], s->cfg) : ACC_EBUG;
        if (!rc)
            rc = d[i].channel == NOTIFY_EMAIL ? notify_smtp_prepare(&x[i], s->cfg)
                                              : notify_webhook_prepare(&x[i], s->cfg, now);
        if (!rc && notify_curl.curl_multi_add_handle(s->multi, x[i].easy) != CURLM_OK)
            rc = ACC_EBUG;
        if (rc) {
            fail(&d[i], NOTIFY_RETRY, "libcurl refused to set up the transfer");
            xfer_end(s, &x[i]);
            continue;
        }
        active++;
    }
    while (active > 0) {
        int running = 0, left;
        CURLMsg *m;

        notify_curl.curl_multi_perform(s->multi, &running);
        while ((m = notify_curl.curl_multi_info_read(s->multi, &left))) {
            struct notify_xfer *t = NULL;

            if (m->msg != CURLMSG_DONE)
                continue;
            notify_curl.curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
            if (!t)
                continue;
            if (t->d->channel == NOTIFY_EMAIL)
                notify_smtp_result(t, m->data.result);
            else
                notify_webhook_result(t, m->data.result);
            xfer_end(s, t);
            active--;
        }
        if (active <= 0)
            break;
        if (__atomic_load_n(stop, __ATOMIC_SEQ_CST) || acc_mono_ns() >= deadline_ns) {
            bool stopping = __atomic_load_n(stop, __ATOMIC_SEQ_CST);

            /* Stopping: not tried, due again at once. Past the lease: a failed attempt. */
            for (int i = 0; i < n; i++)
                if (x[i].easy) {
                    if (stopping)
                        fail(&d[i], NOTIFY_RELEASED, "the server stopped during the delivery");
                    else
                        fail(&d[i], NOTIFY_RETRY, "no answer before the lease ran out");
                    xfer_end(s, &x[i]);
                }
            break;
        }
        notify_curl.curl_multi_poll(s->multi, NULL, 0, 100, NULL);
    }
    for (int i = 0; i < n; i++)
        xfer_end(s, &x[i]);
    free(x);
}
