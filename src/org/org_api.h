/* org_api.h: HTTP handlers and JSON forms of departments and people. */
#ifndef ACCORD_ORG_ORG_API_H
#define ACCORD_ORG_ORG_API_H

#include "http/http.h"
#include "org/org.h"

/* JSON forms; new references. */
json_t *org_department_to_json(const struct org_department *d);
json_t *org_person_to_json(const struct org_person *p);

http_handler_fn org_api_department_list, org_api_department_get, org_api_department_create,
    org_api_department_update, org_api_person_list, org_api_person_get, org_api_person_create,
    org_api_person_update;

#endif
