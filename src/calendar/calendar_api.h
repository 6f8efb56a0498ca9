/* calendar_api.h: HTTP handlers and JSON forms of stored calendars and their holidays. */
#ifndef ACCORD_CALENDAR_CALENDAR_API_H
#define ACCORD_CALENDAR_CALENDAR_API_H

#include "calendar/calendar_db.h"
#include "http/http.h"

/* JSON forms; new references. */
json_t *calendar_record_to_json(const struct calendar_record *c);
json_t *calendar_holiday_to_json(const struct calendar_holiday *h);
/* [[{"open":"HH:MM","close":"HH:MM"},...], ... 7 days, Monday first]. */
json_t *calendar_week_to_json(const struct calendar_week *week);

http_handler_fn calendar_api_list, calendar_api_get, calendar_api_create, calendar_api_update,
    calendar_api_delete, calendar_api_holiday_list, calendar_api_holiday_add,
    calendar_api_holiday_delete, calendar_api_holiday_import, calendar_api_due;

#endif
