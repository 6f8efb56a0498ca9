/* contract_api.h: HTTP handlers and JSON forms of contracts, versions and escalation policies. */
#ifndef ACCORD_CONTRACT_CONTRACT_API_H
#define ACCORD_CONTRACT_CONTRACT_API_H

#include "contract/contract.h"
#include "http/http.h"

/* JSON forms; new references. Text lives in the arena. */
json_t *contract_to_json(const struct contract *c);
json_t *contract_version_to_json(const struct contract *c, const struct contract_version *v,
                                 struct acc_arena *arena);
json_t *contract_policy_to_json(const struct contract_policy *p);

/* /api/v1/contracts and its versions. */
http_handler_fn contract_api_list, contract_api_create, contract_api_get, contract_api_version_list,
    contract_api_version_new, contract_api_version_get, contract_api_version_update,
    contract_api_version_propose, contract_api_version_sign, contract_api_version_activate,
    contract_api_version_retire;

/* /api/v1/escalation-policies and /api/v1/departments/{id}/escalation-policy. */
http_handler_fn contract_api_policy_list, contract_api_policy_create, contract_api_policy_get,
    contract_api_policy_update, contract_api_policy_delete, contract_api_department_policy_get,
    contract_api_department_policy_put;

/* GET /api/v1/measures: the measures an expectation may name, per side. */
http_handler_fn contract_api_measures;

#endif
