/* feedback_api.h: HTTP handlers for feedback: /api/v1/feedback and a request's feedback. */
#ifndef ACCORD_FEEDBACK_FEEDBACK_API_H
#define ACCORD_FEEDBACK_FEEDBACK_API_H

#include "http/http.h"

/* POST and GET /api/v1/requests/{id}/feedback; GET /api/v1/feedback; GET, PATCH .../{id}. */
http_handler_fn feedback_api_give, feedback_api_of_request, feedback_api_list, feedback_api_get,
    feedback_api_update;

#endif
