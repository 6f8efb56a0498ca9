/* request_import_api.h: the HTTP handler of request history imports. */
#ifndef ACCORD_REQUEST_REQUEST_IMPORT_API_H
#define ACCORD_REQUEST_REQUEST_IMPORT_API_H

#include "http/http.h"

/* POST /api/v1/imports/requests: the body is the CSV file (administrators). */
http_handler_fn request_import_api_requests;

#endif
