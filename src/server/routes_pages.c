/* SPDX-License-Identifier: MIT */
/*
 * What needs no login: the pages of web/ (each one a route of the table, so
 * no request path ever reaches the file system), /healthz, /metrics and the
 * explain catalogue.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cebgate/explain.h"
#include "answer.h"
#include "routes.h"

#define MAX_ASSET (1024 * 1024)

/* No inline script or style, nothing from elsewhere, never inside a frame. */
#define CSP                                                                                          \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"            \
	" connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/* A page or asset of web/ under the data directory, read whole (they are small). */
static char *
read_asset(const char *file, size_t *len)
{
	char path[4096];
	FILE *fp;
	char *buf;

	if (snprintf(path, sizeof(path), "%s/web/%s", cg_datadir(), file) >= (int)sizeof(path))
		return NULL;
	fp = fopen(path, "rb");
	if (fp == NULL)
		return NULL;
	buf = malloc(MAX_ASSET + 1);
	*len = buf != NULL ? fread(buf, 1, MAX_ASSET + 1, fp) : 0;
	if (ferror(fp) || *len > MAX_ASSET) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

/* The content type of a page by its file's extension. */
static const char *
page_type(const char *file)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
	};
	const char *dot = strrchr(file, '.');
	size_t i;

	for (i = 0; dot != NULL && i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	}
	return "application/octet-stream";
}

/* GET (or HEAD) of a page; the route's arg is its file under web/. */
enum MHD_Result
srv_page(struct srv_call *call)
{
	static const char *const headers[] = { "Content-Security-Policy", CSP, "X-Frame-Options", "DENY",
					       "Referrer-Policy", "no-referrer", NULL };
	size_t len = 0;
	char *body = read_asset(call->route->arg, &len);
	enum MHD_Result ok;

	if (body == NULL)
		return srv_reply_error(call->c, MHD_HTTP_NOT_FOUND, "page not installed");
	ok = srv_reply(call->c, MHD_HTTP_OK, page_type(call->route->arg), body, len, headers);
	free(body);
	return ok;
}

enum MHD_Result
srv_healthz(struct srv_call *call)
{
	/* Alive: the process answers; /readyz says whether it can serve. */
	return srv_reply(call->c, MHD_HTTP_OK, "text/plain", "ok\n", 3, NULL);
}

/* GET /readyz: 200 once the database answers and holds the current schema, else 503 and why. */
enum MHD_Result
srv_readyz(struct srv_call *call)
{
	if (cg_service_ready(call->svc, call->ctx) != CG_OK)
		return srv_reply_error(call->c, MHD_HTTP_SERVICE_UNAVAILABLE, cg_ctx_errmsg(call->ctx));
	return srv_reply_json(call->c, MHD_HTTP_OK, "{\"status\": \"ready\"}\n");
}

enum MHD_Result
srv_metrics(struct srv_call *call)
{
	return srv_metrics_reply(call->s, call->c);
}

/*
 * GET /api/v1/explain/{code}[?receipt=CEB604Message]: the catalogue's meaning
 * of a code and what to do; with the receipt it came in, the export family's
 * own meaning of a returnStatus.
 */
enum MHD_Result
srv_explain(struct srv_call *call)
{
	const char *code = srv_param(&call->params, "code");
	const char *receipt = srv_query(call, "receipt");
	cg_explanation x;
	json_t *o;
	char *json;
	enum MHD_Result ok;

	if (strlen(code) > 32 || (receipt != NULL && strlen(receipt) > 32) ||
	    cg_explain_receipt(receipt, code, &x) != CG_OK)
		return srv_reply_error(call->c, MHD_HTTP_NOT_FOUND, "no such code");
	o = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:b}", "code", x.code, "kind", x.kind, "zh", x.zh,
		      "en", x.en, "todo_zh", x.todo_zh, "todo_en", x.todo_en, "final", x.final);
	json = o != NULL ? json_dumps(o, JSON_INDENT(2)) : NULL;
	json_decref(o);
	ok = json != NULL ? srv_reply_json(call->c, MHD_HTTP_OK, json)
			  : srv_reply_error(call->c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	free(json);
	return ok;
}
