/* notify_api.h: HTTP handlers of notifications: types, my choices, webhooks, the outbox. */
#ifndef ACCORD_NOTIFY_NOTIFY_API_H
#define ACCORD_NOTIFY_NOTIFY_API_H

#include "http/http.h"
#include "notify/notify.h"

/*
 * GET /api/v1/notification-types; GET and PUT /api/v1/me/notifications; /api/v1/webhooks and
 * /api/v1/webhooks/{id} (administrators); GET /api/v1/outbox, GET /api/v1/outbox/{id} and
 * POST /api/v1/outbox/{id}/retry (administrators).
 */
http_handler_fn notify_api_types, notify_api_prefs_get, notify_api_prefs_put,
    notify_api_webhook_list, notify_api_webhook_create, notify_api_webhook_get,
    notify_api_webhook_update, notify_api_webhook_delete, notify_api_outbox_list,
    notify_api_outbox_get, notify_api_outbox_retry;

#endif
