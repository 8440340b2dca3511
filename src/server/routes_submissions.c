/* SPDX-License-Identifier: MIT */
/* POST /api/v1/submissions: one declaration, a DxpMsg, or a JSON batch of them. */
#include "config.h"

#include <string.h>
#include "answer.h"
#include "routes.h"

static void
count(struct srv *s, cg_rc rc)
{
	atomic_fetch_add(&s->submissions, 1);
	atomic_fetch_add(&s->accepted, rc == CG_OK);
}

/*
 * Checked by a worker and committed by the group commit's writer while the
 * connection waits suspended (pipeline.c); here only when there is no
 * pipeline or the service is stopping.
 */
enum MHD_Result
srv_submit(struct srv_call *call)
{
	const char *type = MHD_lookup_connection_value(call->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	char *json = NULL;
	cg_rc rc;

	if (call->r->len == 0)
		return srv_reply_error(call->c, MHD_HTTP_BAD_REQUEST, "empty body");
	if (srv_submission_queue(call->s, call->c, call->r, &call->who, srv_is_json_type(type)) == 0)
		return MHD_YES;
	rc = cg_service_submit(call->svc, call->ctx, &call->who, call->r->body, call->r->len,
			       srv_is_json_type(type), &json);
	count(call->s, rc);
	srv_observe_submission(call->s, json);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

enum MHD_Result
srv_submit_answer(struct srv_call *call)
{
	cg_ctx *ctx;
	char *json;
	int no_service;
	cg_rc rc;

	if (!srv_submission_done(call->r, &ctx, &rc, &json, &no_service))
		return MHD_YES; /* not resumed yet: nothing to send */
	if (no_service)
		return srv_reply_outage(call->c);
	count(call->s, rc); /* its messages were counted from its outcome (pipeline.c) */
	return srv_answer(call->c, ctx, rc, MHD_HTTP_OK, json, json != NULL ? strlen(json) : 0, SRV_JSON,
			  "/api/v1/submissions");
}
