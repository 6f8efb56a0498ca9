/* request_api.h: HTTP handlers and the JSON form of requests. */
#ifndef ACCORD_REQUEST_REQUEST_API_H
#define ACCORD_REQUEST_REQUEST_API_H

#include "http/http.h"
#include "request/request.h"

/*
 * Writes the JSON form of r for who as the value of key (NULL: an array item, or the whole
 * text): clocks with their due instants in UTC and, with cal (may be NULL), as local time and
 * as business minutes remaining at now; the bound calendar; what who may do now ("may",
 * request_may_of()). Written straight into text: a queue page holds up to 200 of them.
 */
struct acc_jw;
void request_json_write(struct acc_jw *w, const char *key, const struct request *r,
                        const struct org_actor *who, const struct calendar *cal, int64_t now);

/* /api/v1/requests and its sub-resources. */
http_handler_fn request_api_list, request_api_count, request_api_create, request_api_get,
    request_api_update, request_api_transition, request_api_escalate, request_api_comment_list,
    request_api_comment_add, request_api_event_list;

#endif
