/* SPDX-License-Identifier: MIT */
/* Status for declarants and logistics companies: the declarations list and waybills' clearance. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "answer.h"
#include "routes.h"

/* GET /api/v1/declarations?q=&kind=&state=&before=&limit=: the declarant's status list. */
enum MHD_Result
srv_declarations(struct srv_call *call)
{
	cg_declaration_query qy = { 0 };
	char *json = NULL;
	cg_rc rc;

	qy.search = srv_query(call, "q");
	qy.state = srv_query(call, "state");
	qy.kind = (int)srv_query_number(call, "kind", 0, 999);
	qy.before = srv_query_number(call, "before", 0, INT64_MAX);
	qy.limit = (int)srv_query_number(call, "limit", 100, 500);
	qy.needs_action = srv_query_number(call, "action", 0, 1) == 1;
	if (qy.kind < 0 || qy.before < 0 || qy.limit <= 0)
		return srv_reply_error(call->c, MHD_HTTP_BAD_REQUEST, "kind, before and limit are whole numbers");
	rc = cg_service_declarations(call->svc, call->ctx, &call->who, &qy, &json);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* POST /api/v1/logistics/query {"waybills": [{logisticsCode, logisticsNo}, ...]} or a bare list. */
enum MHD_Result
srv_waybills(struct srv_call *call)
{
	json_t *b = srv_parse_json_body(call->r->body, call->r->len);
	char *keys = srv_logistics_query_keys(b), *json = NULL;
	cg_rc rc = cg_service_logistics(call->svc, call->ctx, &call->who, keys != NULL ? keys : "", &json);

	free(keys);
	json_decref(b);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* A strong validator of a waybill's answer. */
static void
waybill_etag(const char *json, char *etag, size_t size)
{
	unsigned long h = 5381;
	const char *p;

	for (p = json; *p != '\0'; p++)
		h = h * 33 + (unsigned char)*p;
	(void)snprintf(etag, size, "\"%lx\"", h);
}

/*
 * GET /api/v1/logistics/{code}/{no}, with ETag: If-None-Match and wait=S
 * make it a long-poll that answers when the state changes (or after S s).
 */
enum MHD_Result
srv_waybill(struct srv_call *call)
{
	const char *inm = MHD_lookup_connection_value(call->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	long long wait = srv_query_number(call, "wait", 0, call->s->cfg->max_wait);
	char keys[512], etag[48], *json = NULL;
	const char *extra[] = { MHD_HTTP_HEADER_ETAG, etag, NULL };
	enum MHD_Result ok;
	cg_rc rc;

	if (srv_logistics_keys(srv_param(&call->params, "code"), srv_param(&call->params, "no"), keys,
			       sizeof(keys)) != 0)
		return srv_reply_error(call->c, MHD_HTTP_NOT_FOUND, "no such resource");
	srv_poll_start(call->s, call->r, wait < 0 ? 0 : wait);
	rc = cg_service_logistics(call->svc, call->ctx, &call->who, keys, &json);
	if (rc != CG_OK)
		return srv_call_answer(call, rc, MHD_HTTP_OK, json);
	waybill_etag(json, etag, sizeof(etag));
	if (inm != NULL && strcmp(inm, etag) == 0) {
		if (srv_park(call->s, call->c, call->r)) {
			cg_free(json);
			return MHD_YES;
		}
		ok = srv_reply(call->c, MHD_HTTP_NOT_MODIFIED, SRV_JSON, "", 0, extra);
	} else {
		ok = srv_reply(call->c, MHD_HTTP_OK, SRV_JSON, json, strlen(json), extra);
	}
	cg_free(json);
	return ok;
}
