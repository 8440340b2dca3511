/* SPDX-License-Identifier: MIT */
/* The code tables: the editions in force, and the admins' reload (codes.c holds the set). */
#include "config.h"

#include "answer.h"
#include "routes.h"
#include "server.h"

/* GET /api/v1/codes */
enum MHD_Result
srv_codes(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = srv_codes_json(&json);

	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* POST /api/v1/admin/codes/reload: 200 with the editions, 422 when the old tables stay. */
enum MHD_Result
srv_codes_reload_route(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = srv_codes_reload(call->svc, call->ctx, &call->who, &json);

	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}
