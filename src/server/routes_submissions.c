/* SPDX-License-Identifier: MIT */
/* POST /api/v1/submissions: one declaration, a DxpMsg, or a JSON batch of them. */
#include "config.h"

#include "answer.h"
#include "routes.h"

enum MHD_Result
srv_submit(struct srv_call *call)
{
	const char *type = MHD_lookup_connection_value(call->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	char *json = NULL;
	cg_rc rc;

	if (call->r->len == 0)
		return srv_reply_error(call->c, MHD_HTTP_BAD_REQUEST, "empty body");
	rc = cg_service_submit(call->svc, call->ctx, &call->who, call->r->body, call->r->len,
			       srv_is_json_type(type), &json);
	atomic_fetch_add(&call->s->submissions, 1);
	atomic_fetch_add(&call->s->accepted, rc == CG_OK);
	srv_observe_submission(call->s, json);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}
