/* SPDX-License-Identifier: MIT */
/*
 * The 179 payment-data interface on customs' side (ceb-spec §8) and the
 * electronic tax bills' monthly statement (CEB816/818).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include "answer.h"
#include "routes.h"

/* POST /api/v1/declarations/{id}/pay179: an officer asks the platform for the payment data. */
enum MHD_Result
srv_pay179_request(struct srv_call *call)
{
	long long id = srv_param_id(call, "id");
	char *json = NULL;
	cg_rc rc;

	if (id <= 0)
		return srv_reply_error(call->c, MHD_HTTP_NOT_FOUND, "no such inventory");
	rc = cg_service_pay179_request(call->svc, call->ctx, &call->who, id, &json);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* POST /api/v1/enterprises/{code}/pay179: {"url": "..."}, where the platform answers platDataOpen. */
enum MHD_Result
srv_pay179_url(struct srv_call *call)
{
	json_t *body = srv_parse_json_body(call->r->body, call->r->len);
	char *json = NULL;
	cg_rc rc;

	if (!json_is_string(json_object_get(body, "url"))) {
		json_decref(body);
		return srv_reply_error(call->c, MHD_HTTP_BAD_REQUEST, "the body is {\"url\": \"http(s)://...\"}");
	}
	rc = cg_service_pay179_url(call->svc, call->ctx, &call->who, srv_param(&call->params, "code"),
				   json_string_value(json_object_get(body, "url")), &json);
	json_decref(body);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/*
 * The value of form field @p name in an application/x-www-form-urlencoded
 * body, decoded ('+' is a space, %XX a byte); NULL when absent. Free it.
 */
static char *
form_value(const char *body, size_t len, const char *name, size_t *out_len)
{
	size_t nlen = strlen(name), i = 0;

	while (i < len) {
		size_t end = i;
		char *v;

		while (end < len && body[end] != '&')
			end++;
		if (end - i > nlen && memcmp(body + i, name, nlen) == 0 && body[i + nlen] == '=') {
			size_t k, vlen = end - i - nlen - 1;

			v = malloc(vlen + 1);
			if (v == NULL)
				return NULL;
			memcpy(v, body + i + nlen + 1, vlen);
			v[vlen] = '\0';
			for (k = 0; k < vlen; k++)
				v[k] = v[k] == '+' ? ' ' : v[k];
			*out_len = MHD_http_unescape(v);
			return v;
		}
		i = end + 1;
	}
	return NULL;
}

/*
 * POST /ceb2grab/grab/realTimeDataUpload: a platform's upload, form field
 * payExInfoStr. No login: the platform is known by the certificate it signs
 * with. The answer is the protocol's JSON whatever the outcome.
 */
enum MHD_Result
srv_pay179_upload(struct srv_call *call)
{
	size_t len = 0;
	char *payex = form_value(call->r->body, call->r->len, "payExInfoStr", &len), *json = NULL;
	cg_rc rc;

	if (payex == NULL)
		return srv_reply_error(call->c, MHD_HTTP_BAD_REQUEST,
				       "the body is a form (application/x-www-form-urlencoded) with payExInfoStr");
	rc = cg_service_pay179_upload(call->svc, call->ctx, payex, len, &json);
	free(payex);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* GET /api/v1/enterprises/{code}/tax-bills?month=YYYYMM and .../tax-bills.csv?month=YYYYMM. */
enum MHD_Result
srv_tax_bills(struct srv_call *call)
{
	int csv = call->route->arg != NULL && strcmp(call->route->arg, "csv") == 0;
	char *out = NULL;
	size_t len = 0;
	cg_rc rc = cg_service_tax_bills(call->svc, call->ctx, &call->who, srv_param(&call->params, "code"),
					srv_query(call, "month"), csv, &out, &len);

	if (!csv)
		return srv_call_answer(call, rc, MHD_HTTP_OK, out);
	return srv_answer(call->c, call->ctx, rc, MHD_HTTP_OK, out, len, "text/csv; charset=utf-8",
			  call->route->pattern);
}
