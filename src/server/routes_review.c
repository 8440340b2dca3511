/* SPDX-License-Identifier: MIT */
/* The officers' review queue and desk: queue, claim, decide, the declaration, reveal, dashboard. */
#include "config.h"

#include <stdint.h>
#include "answer.h"
#include "routes.h"

/* GET /api/v1/review?state=&reason=&enterprise=&tradeMode=&minAge= */
enum MHD_Result
srv_review_queue(struct srv_call *call)
{
	cg_review_filter f = {
		srv_query(call, "state"),      srv_query(call, "reason"),
		srv_query(call, "enterprise"), srv_query(call, "tradeMode"),
		srv_query_number(call, "minAge", 0, INT64_MAX),
	};
	char *json = NULL;
	cg_rc rc = cg_service_review_query(call->svc, call->ctx, &call->who, &f, &json);

	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

static enum MHD_Result
no_such(struct srv_call *call)
{
	return srv_reply_error(call->c, MHD_HTTP_NOT_FOUND, "no such resource");
}

/* POST /api/v1/review/{id}/claim */
enum MHD_Result
srv_review_claim(struct srv_call *call)
{
	long long id = srv_param_id(call, "id");
	char *json = NULL;
	cg_rc rc;

	if (id <= 0)
		return no_such(call);
	rc = cg_service_review_claim(call->svc, call->ctx, &call->who, id, &json);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* POST /api/v1/review/{id}/decide {"decision", "reason"} */
enum MHD_Result
srv_review_decide(struct srv_call *call)
{
	long long id = srv_param_id(call, "id");
	json_t *b;
	char *json = NULL;
	cg_rc rc;

	if (id <= 0)
		return no_such(call);
	b = srv_parse_json_body(call->r->body, call->r->len);
	rc = cg_service_review_decide(call->svc, call->ctx, &call->who, id,
				      json_string_value(json_object_get(b, "decision")),
				      json_string_value(json_object_get(b, "reason")), &json);
	json_decref(b);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* GET /api/v1/declarations/{id}: the inventory with its documents, review state and audit trail. */
enum MHD_Result
srv_declaration(struct srv_call *call)
{
	long long id = srv_param_id(call, "id");
	char *json = NULL;
	cg_rc rc;

	if (id <= 0)
		return no_such(call);
	rc = cg_service_declaration(call->svc, call->ctx, &call->who, id, &json);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* POST /api/v1/declarations/{id}/reveal: the unmasked personal numbers, audited. */
enum MHD_Result
srv_reveal(struct srv_call *call)
{
	long long id = srv_param_id(call, "id");
	char *json = NULL;
	cg_rc rc;

	if (id <= 0)
		return no_such(call);
	rc = cg_service_reveal(call->svc, call->ctx, &call->who, id, &json);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* GET /api/v1/dashboard?hours=H (1-168, 24 by default) */
enum MHD_Result
srv_dashboard(struct srv_call *call)
{
	long long hours = srv_query_number(call, "hours", 24, INT64_MAX);
	char *json = NULL;
	cg_rc rc;

	rc = cg_service_dashboard(call->svc, call->ctx, &call->who, hours < 0 || hours > 168 ? 0 : (int)hours,
				  &json);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* GET /api/v1/public/inspections: the public results of random inspections (双随机、一公开). */
enum MHD_Result
srv_public_inspections(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_public_inspections(call->svc, call->ctx, &json);

	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* GET /api/v1/summaries: the export summary applications and the declarations they generated. */
enum MHD_Result
srv_summaries(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_summaries(call->svc, call->ctx, &call->who, &json);

	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* POST /api/v1/summary-declarations/{decl} {"decTmpNo", "decPreNo", "entryId", "decState"} */
enum MHD_Result
srv_summary_record(struct srv_call *call)
{
	const char *decl = srv_param(&call->params, "decl");
	json_t *b = srv_parse_json_body(call->r->body, call->r->len);
	char *json = NULL;
	cg_rc rc;

	rc = cg_service_summary_record(call->svc, call->ctx, &call->who, decl,
				       json_string_value(json_object_get(b, "decTmpNo")),
				       json_string_value(json_object_get(b, "decPreNo")),
				       json_string_value(json_object_get(b, "entryId")),
				       json_string_value(json_object_get(b, "decState")), &json);
	json_decref(b);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}
