/* score_api.h: HTTP handlers for the definitions of measures, scores and the index. */
#ifndef ACCORD_SCORE_SCORE_API_H
#define ACCORD_SCORE_SCORE_API_H

#include "http/http.h"

/* GET /api/v1/definitions: every measure's formula, unit, direction and default target. */
http_handler_fn score_api_definitions;

#endif
