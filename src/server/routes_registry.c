/* SPDX-License-Identifier: MIT */
/* The registry (admins): enterprises, users, tokens, certificates and custodial keys. */
#include "config.h"

#include <openssl/crypto.h>
#include "answer.h"
#include "routes.h"

/* GET /api/v1/enterprises, /users, /tokens, /certificates (the route's arg names which). */
enum MHD_Result
srv_registry_list(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_registry_list(call->svc, call->ctx, &call->who, call->route->arg, &json);

	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* POST /api/v1/enterprises, /api/v1/users, /api/v1/tokens */
enum MHD_Result
srv_registry_add(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_registry_add(call->svc, call->ctx, &call->who, call->route->arg, call->r->body,
					   call->r->len, &json);

	return srv_call_answer(call, rc, MHD_HTTP_CREATED, json);
}

/* POST /api/v1/enterprises/{code}/certificates: a PEM or DER certificate in the body. */
enum MHD_Result
srv_certificate_add(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_certificate_add(call->svc, call->ctx, &call->who, srv_param(&call->params, "code"),
					      call->r->body, call->r->len, &json);

	return srv_call_answer(call, rc, MHD_HTTP_CREATED, json);
}

/* DELETE /api/v1/tokens/{token}: a token's id, or the start of its prefix. */
enum MHD_Result
srv_token_revoke(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_token_revoke(call->svc, call->ctx, &call->who, srv_param(&call->params, "token"),
					   &json);

	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* PATCH /api/v1/users/{name}, /api/v1/enterprises/{code}: {"disabled": true|false}. */
enum MHD_Result
srv_registry_set(struct srv_call *call)
{
	const char *what = call->route->arg;
	char *json = NULL;
	cg_rc rc = cg_service_registry_set(call->svc, call->ctx, &call->who, what,
					   srv_param(&call->params, what[0] == 'u' ? "name" : "code"),
					   call->r->body, call->r->len, &json);

	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* DELETE /api/v1/enterprises/{code}/certificates/{serial}: later signatures refused. */
enum MHD_Result
srv_certificate_revoke(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_certificate_revoke(call->svc, call->ctx, &call->who, srv_param(&call->params, "code"),
						 srv_param(&call->params, "serial"), &json);

	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* POST /api/v1/enterprises/{code}/custody: the enterprise's signing key handed over. */
enum MHD_Result
srv_custody_import(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_custody_import(call->svc, call->ctx, &call->who, srv_param(&call->params, "code"),
					     call->r->body, call->r->len, &json);

	/* The key and its passphrase were in this body. */
	if (call->r->body != NULL)
		OPENSSL_cleanse(call->r->body, call->r->len);
	return srv_call_answer(call, rc, MHD_HTTP_CREATED, json);
}

/* GET /api/v1/enterprises/{code}/certificates/{serial}: whether it is registered and in force. */
enum MHD_Result
srv_certificate_get(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_certificate_get(call->svc, call->ctx, &call->who, srv_param(&call->params, "code"),
					      srv_param(&call->params, "serial"), &json);

	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}
