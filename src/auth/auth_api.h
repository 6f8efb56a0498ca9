/* auth_api.h: HTTP handlers for sign-in, the signed-in person and personal API tokens. */
#ifndef ACCORD_AUTH_AUTH_API_H
#define ACCORD_AUTH_AUTH_API_H

#include "http/http.h"

http_handler_fn auth_api_signin, auth_api_signout, auth_api_me, auth_api_token_list,
    auth_api_token_create, auth_api_token_revoke;

#endif
