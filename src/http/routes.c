/* routes.c: the one route table: method, pattern, handler, who may call it, whether it writes. */
#include "base/acc.h"
#include "audit/audit_api.h"
#include "auth/auth_api.h"
#include "calendar/calendar_api.h"
#include "contract/contract_api.h"
#include "contract/contract_service_api.h"
#include "feedback/feedback_api.h"
#include "http/http_int.h"
#include "notify/notify_api.h"
#include "org/org_api.h"
#include "request/request_api.h"
#include "request/request_import_api.h"
#include "score/score_api.h"

#define AUTH_W (ROUTE_AUTH | ROUTE_WRITE)
/* Writes that may move a request's next escalation instant wake the sweeper when committed. */
#define AUTH_W_SWEEP (AUTH_W | ROUTE_WAKES_SWEEPER)
/*
 * Request lists and counts (queues are polled by everyone of a department), kept per person
 * and second against the database's data revision.
 */
#define AUTH_SNAP (ROUTE_AUTH | ROUTE_CACHED_DATA)
/*
 * Writes that run alone rather than in the group commit's batch: hashing a password takes
 * ~70 ms, and a calendar change recomputes every open request on it; either would hold up
 * the writes batched with it.
 */
#define AUTH_W_SOLO (AUTH_W | ROUTE_SOLO)

const struct route http_routes[] = {
    {"GET", "/healthz", http_api_healthz, ROUTE_PUBLIC},
    {"GET", "/metrics", http_api_metrics, ROUTE_ADMIN},
    {"GET", "/api/v1/openapi.json", http_api_openapi, ROUTE_AUTH},

    {"POST", "/api/v1/session", auth_api_signin, ROUTE_PUBLIC | ROUTE_WRITE | ROUTE_OWN_TXN},
    {"DELETE", "/api/v1/session", auth_api_signout, AUTH_W},
    {"GET", "/api/v1/me", auth_api_me, ROUTE_AUTH},

    {"GET", "/api/v1/departments", org_api_department_list, ROUTE_AUTH | ROUTE_CACHED},
    {"POST", "/api/v1/departments", org_api_department_create, AUTH_W},
    {"GET", "/api/v1/departments/{id}", org_api_department_get, ROUTE_AUTH | ROUTE_CACHED},
    {"PATCH", "/api/v1/departments/{id}", org_api_department_update, AUTH_W},

    {"GET", "/api/v1/people", org_api_person_list, ROUTE_AUTH | ROUTE_CACHED},
    {"POST", "/api/v1/people", org_api_person_create, AUTH_W_SOLO},
    {"GET", "/api/v1/people/{id}", org_api_person_get, ROUTE_AUTH | ROUTE_CACHED},
    {"PATCH", "/api/v1/people/{id}", org_api_person_update, AUTH_W_SOLO},

    {"GET", "/api/v1/tokens", auth_api_token_list, ROUTE_AUTH},
    {"POST", "/api/v1/tokens", auth_api_token_create, AUTH_W},
    {"DELETE", "/api/v1/tokens/{id}", auth_api_token_revoke, AUTH_W},

    {"GET", "/api/v1/audit", audit_api_list, ROUTE_ADMIN},

    /*
     * Not ROUTE_CACHED: their replies depend on calendars, which the org revision ignores.
     * Changing hours or holidays moves the due instants of open requests on the calendar.
     */
    {"GET", "/api/v1/calendars", calendar_api_list, ROUTE_AUTH},
    {"POST", "/api/v1/calendars", calendar_api_create, AUTH_W},
    {"GET", "/api/v1/calendars/{id}", calendar_api_get, ROUTE_AUTH},
    {"PATCH", "/api/v1/calendars/{id}", calendar_api_update, AUTH_W_SWEEP | ROUTE_SOLO},
    {"DELETE", "/api/v1/calendars/{id}", calendar_api_delete, AUTH_W},
    {"GET", "/api/v1/calendars/{id}/holidays", calendar_api_holiday_list, ROUTE_AUTH},
    {"POST", "/api/v1/calendars/{id}/holidays", calendar_api_holiday_add,
     AUTH_W_SWEEP | ROUTE_SOLO},
    {"DELETE", "/api/v1/calendars/{id}/holidays/{hid}", calendar_api_holiday_delete,
     AUTH_W_SWEEP | ROUTE_SOLO},
    {"POST", "/api/v1/calendars/{id}/holidays/import", calendar_api_holiday_import,
     AUTH_W_SWEEP | ROUTE_SOLO},
    /* A what-if question: a POST for its body, but it changes nothing. */
    {"POST", "/api/v1/calendars/{id}/due", calendar_api_due, ROUTE_AUTH},

    /* The service catalogue. Not ROUTE_CACHED: services are not part of the org revision. */
    {"GET", "/api/v1/services", contract_api_service_list, ROUTE_AUTH},
    {"POST", "/api/v1/services", contract_api_service_create, AUTH_W},
    {"GET", "/api/v1/services/{id}", contract_api_service_get, ROUTE_AUTH},
    {"PATCH", "/api/v1/services/{id}", contract_api_service_update, AUTH_W},

    /* Contracts and their versions; visibility is decided per version by the contract module. */
    {"GET", "/api/v1/measures", contract_api_measures, ROUTE_AUTH},
    {"GET", "/api/v1/contracts", contract_api_list, ROUTE_AUTH},
    {"POST", "/api/v1/contracts", contract_api_create, AUTH_W},
    {"GET", "/api/v1/contracts/{id}", contract_api_get, ROUTE_AUTH},
    {"GET", "/api/v1/contracts/{id}/versions", contract_api_version_list, ROUTE_AUTH},
    {"POST", "/api/v1/contracts/{id}/versions", contract_api_version_new, AUTH_W},
    {"GET", "/api/v1/contracts/{id}/versions/{n}", contract_api_version_get, ROUTE_AUTH},
    {"PATCH", "/api/v1/contracts/{id}/versions/{n}", contract_api_version_update, AUTH_W},
    {"POST", "/api/v1/contracts/{id}/versions/{n}/propose", contract_api_version_propose, AUTH_W},
    {"POST", "/api/v1/contracts/{id}/versions/{n}/sign", contract_api_version_sign, AUTH_W},
    {"POST", "/api/v1/contracts/{id}/versions/{n}/activate", contract_api_version_activate, AUTH_W},
    {"POST", "/api/v1/contracts/{id}/versions/{n}/retire", contract_api_version_retire, AUTH_W},

    /* Escalation policies and departments' defaults. */
    {"GET", "/api/v1/escalation-policies", contract_api_policy_list, ROUTE_AUTH},
    {"POST", "/api/v1/escalation-policies", contract_api_policy_create, AUTH_W},
    {"GET", "/api/v1/escalation-policies/{id}", contract_api_policy_get, ROUTE_AUTH},
    {"PATCH", "/api/v1/escalation-policies/{id}", contract_api_policy_update, AUTH_W},
    {"DELETE", "/api/v1/escalation-policies/{id}", contract_api_policy_delete, AUTH_W},
    {"GET", "/api/v1/departments/{id}/escalation-policy", contract_api_department_policy_get,
     ROUTE_AUTH},
    {"PUT", "/api/v1/departments/{id}/escalation-policy", contract_api_department_policy_put,
     AUTH_W},

    /* Requests: access is decided per request by the request module (404 to third parties). */
    {"GET", "/api/v1/requests", request_api_list, AUTH_SNAP},
    {"POST", "/api/v1/requests", request_api_create, AUTH_W_SWEEP},
    {"GET", "/api/v1/requests/count", request_api_count, AUTH_SNAP},
    {"GET", "/api/v1/requests/{id}", request_api_get, ROUTE_AUTH},
    {"PATCH", "/api/v1/requests/{id}", request_api_update, AUTH_W_SWEEP},
    {"POST", "/api/v1/requests/{id}/transitions", request_api_transition, AUTH_W_SWEEP},
    {"POST", "/api/v1/requests/{id}/escalate", request_api_escalate, AUTH_W_SWEEP},
    {"GET", "/api/v1/requests/{id}/comments", request_api_comment_list, ROUTE_AUTH},
    {"POST", "/api/v1/requests/{id}/comments", request_api_comment_add, AUTH_W_SWEEP},
    {"GET", "/api/v1/requests/{id}/events", request_api_event_list, ROUTE_AUTH},

    /* Imports of history from other tools (administrators); the body is CSV, not JSON. */
    {"POST", "/api/v1/imports/requests", request_import_api_requests,
     ROUTE_ADMIN | ROUTE_WRITE | ROUTE_WAKES_SWEEPER | ROUTE_SOLO},

    /* Notifications: who gets what, my own e-mails, and (administrators) webhooks and the outbox.
     */
    {"GET", "/api/v1/notification-types", notify_api_types, ROUTE_AUTH},
    {"GET", "/api/v1/me/notifications", notify_api_prefs_get, ROUTE_AUTH},
    {"PUT", "/api/v1/me/notifications", notify_api_prefs_put, AUTH_W},
    {"GET", "/api/v1/webhooks", notify_api_webhook_list, ROUTE_ADMIN},
    {"POST", "/api/v1/webhooks", notify_api_webhook_create, ROUTE_ADMIN | ROUTE_WRITE},
    {"GET", "/api/v1/webhooks/{id}", notify_api_webhook_get, ROUTE_ADMIN},
    {"PATCH", "/api/v1/webhooks/{id}", notify_api_webhook_update, ROUTE_ADMIN | ROUTE_WRITE},
    {"DELETE", "/api/v1/webhooks/{id}", notify_api_webhook_delete, ROUTE_ADMIN | ROUTE_WRITE},
    {"GET", "/api/v1/outbox", notify_api_outbox_list, ROUTE_ADMIN},
    {"GET", "/api/v1/outbox/{id}", notify_api_outbox_get, ROUTE_ADMIN},
    {"POST", "/api/v1/outbox/{id}/retry", notify_api_outbox_retry, ROUTE_ADMIN | ROUTE_WRITE},

    /*
     * Feedback: who may see it follows the request (404 to third departments); the rater's
     * name is left out by the feedback module unless signed (SPEC 4).
     */
    {"GET", "/api/v1/feedback", feedback_api_list, ROUTE_AUTH},
    {"GET", "/api/v1/feedback/{id}", feedback_api_get, ROUTE_AUTH},
    {"PATCH", "/api/v1/feedback/{id}", feedback_api_update, AUTH_W},
    {"GET", "/api/v1/requests/{id}/feedback", feedback_api_of_request, ROUTE_AUTH},
    {"POST", "/api/v1/requests/{id}/feedback", feedback_api_give, AUTH_W},
    /* What every measure, score and the index mean (SPEC 6): fixed text of this build. */
    {"GET", "/api/v1/definitions", score_api_definitions, ROUTE_AUTH},
};

const size_t http_nroutes = ACC_ARRAY_LEN(http_routes);
