/* audit_api.h: the HTTP handler for reading the audit log. */
#ifndef ACCORD_AUDIT_AUDIT_API_H
#define ACCORD_AUDIT_AUDIT_API_H

#include "http/http.h"

http_handler_fn audit_api_list;

#endif
