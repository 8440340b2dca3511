/* SPDX-License-Identifier: MIT */
/*
 * Merchants' uploads: POST a file (spooled to disk as it arrives), GET the
 * list, one upload, its findings as CSV or one canonical document, POST
 * /submit, and the enterprise's mapping profiles.
 */
#include "config.h"

#include <string.h>
#include "answer.h"
#include "routes.h"

/* Uploads per account and minute. */
#define UPLOADS_PER_MINUTE 20

static enum MHD_Result
no_such(struct srv_call *call)
{
	return srv_reply_error(call->c, MHD_HTTP_NOT_FOUND, "no such resource");
}

/* POST /api/v1/uploads?name=F[&from=csv|ndjson|xml][&type=T][&encoding=E][&profile=P] */
enum MHD_Result
srv_upload_post(struct srv_call *call)
{
	cg_upload u = { 0 };
	const char *name = srv_query(call, "name");
	long long type = srv_query_number(call, "type", 311, 999);
	char hex[65], path[4200], *json = NULL;
	cg_rc rc;

	if (srv_minute_limit(call->s, srv_limit_key("upload:", call->who.name), 1, UPLOADS_PER_MINUTE))
		return srv_reply_error(call->c, MHD_HTTP_TOO_MANY_REQUESTS, "too many uploads: wait a minute");
	if (call->r->spooled == 0)
		return srv_reply_error(call->c, MHD_HTTP_BAD_REQUEST, "empty upload");
	if (srv_spool_keep(call->s, call->r, hex, path, sizeof(path)) != 0)
		return srv_reply_error(call->c, MHD_HTTP_SERVICE_UNAVAILABLE, "cannot keep the upload");
	u.path = path;
	u.name = name != NULL && *name != '\0' && strlen(name) <= 200 ? name : "upload";
	u.sha256 = hex;
	u.size = call->r->spooled;
	u.from = srv_query(call, "from");
	u.type = type == 411 || type == 511 || type == 621 ? (int)type : 311;
	u.encoding = srv_query(call, "encoding");
	u.profile = srv_query(call, "profile");
	u.max_records = call->s->cfg->max_records;
	u.gone = srv_client_gone;
	u.gone_arg = call->c;
	rc = cg_service_upload(call->svc, call->ctx, &call->who, &u, &json);
	return srv_call_answer(call, rc, MHD_HTTP_CREATED, json);
}

/* GET /api/v1/uploads: the newest uploads and the saved profiles. */
enum MHD_Result
srv_uploads_list(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_uploads_list(call->svc, call->ctx, &call->who, &json);

	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* GET /api/v1/uploads/{id}: state, counts, findings, documents. */
enum MHD_Result
srv_upload_get(struct srv_call *call)
{
	long long id = srv_param_id(call, "id");
	char *json = NULL;
	cg_rc rc;

	if (id <= 0)
		return no_such(call);
	rc = cg_service_upload_get(call->svc, call->ctx, &call->who, id, &json);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* GET /api/v1/uploads/{id}/findings.csv */
enum MHD_Result
srv_upload_findings(struct srv_call *call)
{
	long long id = srv_param_id(call, "id");
	char *csv = NULL;
	size_t len = 0;
	cg_rc rc;

	if (id <= 0)
		return no_such(call);
	rc = cg_service_upload_findings_csv(call->svc, call->ctx, &call->who, id, &csv, &len);
	return srv_answer(call->c, call->ctx, rc, MHD_HTTP_OK, csv, len, "text/csv; charset=utf-8",
			  call->route->pattern);
}

/* GET /api/v1/uploads/{id}/documents/{seq}: one canonical document. */
enum MHD_Result
srv_upload_document(struct srv_call *call)
{
	long long id = srv_param_id(call, "id"), seq = srv_param_id(call, "seq");
	char *xml = NULL;
	size_t len = 0;
	cg_rc rc;

	if (id <= 0 || seq <= 0)
		return no_such(call);
	rc = cg_service_upload_document(call->svc, call->ctx, &call->who, id, seq, &xml, &len);
	return srv_answer(call->c, call->ctx, rc, MHD_HTTP_OK, xml, len, "application/xml; charset=utf-8",
			  call->route->pattern);
}

/* POST /api/v1/uploads/{id}/submit: sign with the custodial key and submit the valid documents. */
enum MHD_Result
srv_upload_submit(struct srv_call *call)
{
	long long id = srv_param_id(call, "id");
	char *json = NULL;
	cg_rc rc;

	if (id <= 0)
		return no_such(call);
	rc = cg_service_upload_submit(call->svc, call->ctx, &call->who, id, &json);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* POST /api/v1/profiles/{name}: save the enterprise's mapping profile (the body). */
enum MHD_Result
srv_profile_save(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_profile_save(call->svc, call->ctx, &call->who, srv_param(&call->params, "name"),
					   call->r->body != NULL ? call->r->body : "", call->r->len, &json);

	return srv_call_answer(call, rc, MHD_HTTP_CREATED, json);
}
