/* SPDX-License-Identifier: MIT */
/* GET /api/v1/receipts: the caller's receipts after a cursor, long-polled with wait=S. */
#include "config.h"

#include <stdint.h>
#include "answer.h"
#include "routes.h"

enum MHD_Result
srv_receipts(struct srv_call *call)
{
	long long after = srv_query_number(call, "after", 0, INT64_MAX);
	long long wait = srv_query_number(call, "wait", 0, call->s->cfg->max_wait);
	long long limit = srv_query_number(call, "limit", 100, 1000);
	char *json = NULL;
	int count = 0;
	cg_rc rc;

	if (after < 0 || wait < 0 || limit <= 0)
		return srv_reply_error(call->c, MHD_HTTP_BAD_REQUEST, "after, wait and limit are whole numbers");
	srv_poll_start(call->s, call->r, wait);
	rc = cg_service_receipts(call->svc, call->ctx, &call->who, after, (int)limit, &json, &count);
	/* Nothing yet: the request waits parked (no pool thread) until a write or its deadline. */
	if (rc == CG_OK && count == 0 && srv_park(call->s, call->c, call->r)) {
		cg_free(json);
		return MHD_YES;
	}
	atomic_fetch_add(&call->s->receipts_served, (unsigned long)count);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}
