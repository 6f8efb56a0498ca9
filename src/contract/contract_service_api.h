/* contract_service_api.h: HTTP handlers and the JSON form of the service catalogue. */
#ifndef ACCORD_CONTRACT_CONTRACT_SERVICE_API_H
#define ACCORD_CONTRACT_CONTRACT_SERVICE_API_H

#include "contract/contract.h"
#include "http/http.h"

/* The JSON form of a service; a new reference. */
json_t *contract_service_to_json(const struct contract_service *s);

/* GET and POST /api/v1/services, GET and PATCH /api/v1/services/{id}. */
http_handler_fn contract_api_service_list, contract_api_service_create, contract_api_service_get,
    contract_api_service_update;

#endif
