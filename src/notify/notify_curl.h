/* notify_curl.h: libcurl as the senders of notify/ reach it: loaded with dlopen(), not linked.
 */
#ifndef ACCORD_NOTIFY_NOTIFY_CURL_H
#define ACCORD_NOTIFY_NOTIFY_CURL_H

/* The functions are called through pointers: curl.h's type-checking macros would shadow them. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "notify/notify_int.h"

/* Every libcurl function notify/ calls, reached as notify_curl.<name>. */
#define LIBCURL_FUNCS(X)                                                                           \
    X(curl_global_init)                                                                            \
    X(curl_easy_init)                                                                              \
    X(curl_easy_setopt)                                                                            \
    X(curl_easy_getinfo)                                                                           \
    X(curl_easy_cleanup)                                                                           \
    X(curl_easy_strerror)                                                                          \
    X(curl_slist_append)                                                                           \
    X(curl_slist_free_all)                                                                         \
    X(curl_multi_init)                                                                             \
    X(curl_multi_setopt)                                                                           \
    X(curl_multi_add_handle)                                                                       \
    X(curl_multi_remove_handle)                                                                    \
    X(curl_multi_perform)                                                                          \
    X(curl_multi_poll)                                                                             \
    X(curl_multi_info_read)                                                                        \
    X(curl_multi_cleanup)

#define LIBCURL_POINTER(name) __typeof__(&name) name;
struct notify_libcurl {
    LIBCURL_FUNCS(LIBCURL_POINTER)
};
#undef LIBCURL_POINTER

/* Filled once by notify_sender_new(); read-only afterwards. */
extern struct notify_libcurl notify_curl;

/* One transfer in flight: its handle, its delivery, and what libcurl reads or writes. */
struct notify_xfer {
    CURL *easy;
    struct notify_delivery *d;
    struct curl_slist *list; /* e-mail: the recipient; webhook: the headers */
    size_t len, off;         /* e-mail: the message's length, and how much libcurl has read */
    struct acc_buf reply;    /* webhook: the first NOTIFY_REPLY_MAX bytes of the answer */
    char errbuf[CURL_ERROR_SIZE];
};

/* Sets up x->easy to send x->d's message to cfg's SMTP server. ACC_EBUG when libcurl refuses. */
int notify_smtp_prepare(struct notify_xfer *x, const struct notify_config *cfg);
/* Sets x->d's outcome from the transfer's end: 5xx mailbox refusals (550-554) are permanent. */
void notify_smtp_result(struct notify_xfer *x, CURLcode rc);

/* Sets up x->easy to POST x->d's body to its endpoint, signed at now. */
int notify_webhook_prepare(struct notify_xfer *x, const struct notify_config *cfg, int64_t now);
/* Sets x->d's outcome: only a 2xx answer is a delivery; the receiver's body goes to the error. */
void notify_webhook_result(struct notify_xfer *x, CURLcode rc);

/* Options shared by both: timeouts, no signals, the error buffer. */
int notify_xfer_common(struct notify_xfer *x, const struct notify_config *cfg);

#endif
