/* SPDX-License-Identifier: MIT */
/* Pushed receipts: an enterprise's endpoints and their deliveries (webhook.h, docs/webhooks.md). */
#include "config.h"

#include "answer.h"
#include "routes.h"

/* GET /api/v1/webhooks */
enum MHD_Result
srv_webhooks_list(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_webhook_list(call->svc, call->ctx, &call->who, &json);

	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* POST /api/v1/webhooks: {"url", "enterprise" (admins), "after"}; the secret is in the answer, once. */
enum MHD_Result
srv_webhook_add(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_webhook_add(call->svc, call->ctx, &call->who, call->r->body, call->r->len, &json);

	return srv_call_answer(call, rc, MHD_HTTP_CREATED, json);
}

/* DELETE /api/v1/webhooks/{id} */
enum MHD_Result
srv_webhook_remove(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_webhook_remove(call->svc, call->ctx, &call->who, srv_param_id(call, "id"), &json);

	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* POST /api/v1/webhooks/{id}/resend: {"from": cursor} optional. */
enum MHD_Result
srv_webhook_resend(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_webhook_resend(call->svc, call->ctx, &call->who, srv_param_id(call, "id"),
					     call->r->body, call->r->len, &json);

	if (rc == CG_OK && call->s->deliverer != NULL)
		cg_deliverer_wake(call->s->deliverer);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* GET /api/v1/webhooks/{id}/deliveries?limit=N */
enum MHD_Result
srv_webhook_deliveries(struct srv_call *call)
{
	long long limit = srv_query_number(call, "limit", 100, 1000);
	char *json = NULL;
	cg_rc rc;

	if (limit <= 0)
		return srv_reply_error(call->c, MHD_HTTP_BAD_REQUEST, "limit is a whole number from 1 to 1000");
	rc = cg_service_webhook_deliveries(call->svc, call->ctx, &call->who, srv_param_id(call, "id"), (int)limit,
					   &json);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}
