/* SPDX-License-Identifier: MIT */
/* cebgated's route table and the router around it (routes.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "answer.h"
#include "routes.h"

/* No login, but the thread's service (login, logout, public results): printed as public. */
#define SRV_NOLOGIN (1u << 15)

/*
 * Every row has its description in src/server/openapi.json under the same
 * pattern and method (lower case), served as GET /api/v1/openapi.json;
 * tests/e2e/openapi.sh fails for a row without one (docs/cebgated.md, "The API").
 */
static const struct srv_route routes[] = {
	/* Submission in, feedback out. */
	{ "POST", "/api/v1/submissions", SRV_ENTERPRISE, srv_submit, NULL },
	{ "GET", "/api/v1/receipts", SRV_ANYONE, srv_receipts, NULL },
	/* Declarants' and logistics companies' status. */
	{ "GET", "/api/v1/declarations", SRV_ANYONE, srv_declarations, NULL },
	{ "GET", "/api/v1/logistics/{code}/{no}", SRV_ANYONE, srv_waybill, NULL },
	{ "POST", "/api/v1/logistics/query", SRV_ANYONE, srv_waybills, NULL },
	/* The officers' queue and desk. */
	{ "GET", "/api/v1/review", SRV_OFFICERS, srv_review_queue, NULL },
	{ "POST", "/api/v1/review/{id}/claim", SRV_OFFICERS, srv_review_claim, NULL },
	{ "POST", "/api/v1/review/{id}/decide", SRV_OFFICERS, srv_review_decide, NULL },
	{ "GET", "/api/v1/declarations/{id}", SRV_OFFICERS, srv_declaration, NULL },
	{ "POST", "/api/v1/declarations/{id}/reveal", SRV_OFFICERS, srv_reveal, NULL },
	{ "GET", "/api/v1/dashboard", SRV_OFFICERS, srv_dashboard, NULL },
	/* Export summaries: what they generated, and the later facts officers record (a 792 each). */
	{ "GET", "/api/v1/summaries", SRV_OFFICERS, srv_summaries, NULL },
	{ "POST", "/api/v1/summary-declarations/{decl}", SRV_ROLE(CG_ROLE_OFFICER), srv_summary_record, NULL },
	{ "GET", "/api/v1/public/inspections", SRV_NOLOGIN, srv_public_inspections, NULL },
	/* The 179 payment-data interface: asked by an officer, uploaded by the platform (signed). */
	{ "POST", "/api/v1/declarations/{id}/pay179", SRV_OFFICERS, srv_pay179_request, NULL },
	{ "POST", "/ceb2grab/grab/realTimeDataUpload", SRV_NOLOGIN, srv_pay179_upload, NULL },
	{ "POST", "/api/v1/enterprises/{code}/pay179", SRV_ADMINS, srv_pay179_url, NULL },
	/* Electronic tax bills: an enterprise's monthly statement. */
	{ "GET", "/api/v1/enterprises/{code}/tax-bills", SRV_ANYONE, srv_tax_bills, NULL },
	{ "GET", "/api/v1/enterprises/{code}/tax-bills.csv", SRV_ANYONE, srv_tax_bills, "csv" },
	/* Merchants' uploads. */
	{ "POST", "/api/v1/uploads", SRV_STAFF, srv_upload_post, NULL },
	{ "GET", "/api/v1/uploads", SRV_STAFF, srv_uploads_list, NULL },
	{ "GET", "/api/v1/uploads/{id}", SRV_STAFF, srv_upload_get, NULL },
	{ "GET", "/api/v1/uploads/{id}/findings.csv", SRV_STAFF, srv_upload_findings, NULL },
	{ "GET", "/api/v1/uploads/{id}/documents/{seq}", SRV_STAFF, srv_upload_document, NULL },
	{ "POST", "/api/v1/uploads/{id}/submit", SRV_STAFF, srv_upload_submit, NULL },
	{ "POST", "/api/v1/profiles/{name}", SRV_STAFF, srv_profile_save, NULL },
	/* The registry. */
	{ "GET", "/api/v1/enterprises", SRV_ADMINS, srv_registry_list, "enterprises" },
	{ "POST", "/api/v1/enterprises", SRV_ADMINS, srv_registry_add, "enterprises" },
	{ "POST", "/api/v1/enterprises/{code}/certificates", SRV_ADMINS, srv_certificate_add, NULL },
	{ "POST", "/api/v1/enterprises/{code}/custody", SRV_ADMINS | SRV_ROLE(CG_ROLE_ENTERPRISE) |
		  SRV_ROLE(CG_ROLE_MERCHANT), srv_custody_import, NULL },
	{ "GET", "/api/v1/users", SRV_ADMINS, srv_registry_list, "users" },
	{ "POST", "/api/v1/users", SRV_ADMINS, srv_registry_add, "users" },
	{ "POST", "/api/v1/tokens", SRV_ADMINS, srv_registry_add, "tokens" },
	/* Taking access back: list, revoke, disable and enable (admins; audited). */
	{ "GET", "/api/v1/tokens", SRV_ADMINS, srv_registry_list, "tokens" },
	{ "DELETE", "/api/v1/tokens/{token}", SRV_ADMINS, srv_token_revoke, NULL },
	{ "PATCH", "/api/v1/users/{name}", SRV_ADMINS, srv_registry_set, "users" },
	{ "PATCH", "/api/v1/enterprises/{code}", SRV_ADMINS, srv_registry_set, "enterprises" },
	{ "GET", "/api/v1/certificates", SRV_ADMINS, srv_registry_list, "certificates" },
	{ "DELETE", "/api/v1/enterprises/{code}/certificates/{serial}", SRV_ADMINS,
	  srv_certificate_revoke, NULL },
	/* A certificate as registered: the enterprise's own (its token), or any (admins). */
	{ "GET", "/api/v1/enterprises/{code}/certificates/{serial}", SRV_ADMINS | SRV_ENTERPRISE,
	  srv_certificate_get, NULL },
	/* Pushed receipts: endpoints (admins and the enterprise's token), deliveries and re-sending (staff too). */
	{ "GET", "/api/v1/webhooks", SRV_ADMINS | SRV_STAFF, srv_webhooks_list, NULL },
	{ "POST", "/api/v1/webhooks", SRV_ADMINS | SRV_ENTERPRISE, srv_webhook_add, NULL },
	{ "DELETE", "/api/v1/webhooks/{id}", SRV_ADMINS | SRV_ENTERPRISE, srv_webhook_remove, NULL },
	{ "GET", "/api/v1/webhooks/{id}/deliveries", SRV_ADMINS | SRV_STAFF, srv_webhook_deliveries, NULL },
	{ "POST", "/api/v1/webhooks/{id}/resend", SRV_ADMINS | SRV_STAFF, srv_webhook_resend, NULL },
	/* The code tables: what is in force, and a reload without a restart. */
	{ "GET", "/api/v1/codes", SRV_ANYONE, srv_codes, NULL },
	{ "POST", "/api/v1/admin/codes/reload", SRV_ADMINS, srv_codes_reload_route, NULL },
	/* One login for every role, and the browser session. */
	{ "POST", "/api/v1/login", SRV_NOLOGIN, srv_login, NULL },
	{ "POST", "/api/v1/logout", SRV_NOLOGIN, srv_logout, NULL },
	{ "GET", "/api/v1/session", SRV_ANYONE, srv_session, NULL },
	/* No login: no personal data. */
	{ "GET", "/api/v1/explain/{code}", SRV_PUBLIC, srv_explain, NULL },
	{ "GET", "/api/v1/openapi.json", SRV_PUBLIC, srv_openapi, NULL },
	{ "GET", "/healthz", SRV_PUBLIC, srv_healthz, NULL },
	{ "GET", "/readyz", SRV_NOLOGIN, srv_readyz, NULL },
	{ "GET", "/metrics", SRV_PUBLIC, srv_metrics, NULL },
	/* The pages of web/: a fixed list, so no request path ever reaches the file system. */
	{ "GET", "/", SRV_PUBLIC, srv_page, "index.html" },
	{ "GET", "/index.html", SRV_PUBLIC, srv_page, "index.html" },
	{ "GET", "/queue.html", SRV_PUBLIC, srv_page, "queue.html" },
	{ "GET", "/declaration.html", SRV_PUBLIC, srv_page, "declaration.html" },
	{ "GET", "/logistics.html", SRV_PUBLIC, srv_page, "logistics.html" },
	{ "GET", "/dashboard.html", SRV_PUBLIC, srv_page, "dashboard.html" },
	{ "GET", "/public.html", SRV_PUBLIC, srv_page, "public.html" },
	{ "GET", "/upload.html", SRV_PUBLIC, srv_page, "upload.html" },
	{ "GET", "/status.html", SRV_PUBLIC, srv_page, "status.html" },
	{ "GET", "/summaries.html", SRV_PUBLIC, srv_page, "summaries.html" },
	{ "GET", "/app.css", SRV_PUBLIC, srv_page, "app.css" },
	{ "GET", "/app.js", SRV_PUBLIC, srv_page, "app.js" },
	{ "GET", "/charts.js", SRV_PUBLIC, srv_page, "charts.js" },
	{ "GET", "/login.js", SRV_PUBLIC, srv_page, "login.js" },
	{ "GET", "/queue.js", SRV_PUBLIC, srv_page, "queue.js" },
	{ "GET", "/declaration.js", SRV_PUBLIC, srv_page, "declaration.js" },
	{ "GET", "/logistics.js", SRV_PUBLIC, srv_page, "logistics.js" },
	{ "GET", "/dashboard.js", SRV_PUBLIC, srv_page, "dashboard.js" },
	{ "GET", "/public.js", SRV_PUBLIC, srv_page, "public.js" },
	{ "GET", "/merchant.js", SRV_PUBLIC, srv_page, "merchant.js" },
	{ "GET", "/upload.js", SRV_PUBLIC, srv_page, "upload.js" },
	{ "GET", "/status.js", SRV_PUBLIC, srv_page, "status.js" },
	{ "GET", "/summaries.js", SRV_PUBLIC, srv_page, "summaries.js" },
	{ "GET", "/favicon.svg", SRV_PUBLIC, srv_page, "favicon.svg" },
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))
_Static_assert(NROUTES <= SRV_MAX_ROUTES, "raise SRV_MAX_ROUTES: /metrics counts each route");

size_t
srv_route_count(void)
{
	return NROUTES;
}

const struct srv_route *
srv_route_at(size_t i)
{
	return i < NROUTES ? &routes[i] : NULL;
}

static int
method_matches(const char *route, const char *method)
{
	return strcmp(route, method) == 0 || (strcmp(route, "GET") == 0 && strcmp(method, "HEAD") == 0);
}

const struct srv_route *
srv_route_find(const char *method, const char *path, struct srv_params *params, int *path_known)
{
	size_t i;

	*path_known = 0;
	for (i = 0; i < NROUTES; i++) {
		if (!srv_path_match(routes[i].pattern, path, params))
			continue;
		*path_known = 1;
		if (method_matches(routes[i].method, method))
			return &routes[i];
	}
	return NULL;
}

int
srv_route_allows(const struct srv_route *route, cg_role role)
{
	return (route->roles & ~SRV_NOLOGIN) == SRV_PUBLIC || (route->roles & SRV_ROLE(role)) != 0;
}

int
srv_route_is_public(const struct srv_route *route)
{
	return (route->roles & ~SRV_NOLOGIN) == SRV_PUBLIC;
}

/* "public", or the roles that may call @p roles' route, comma-separated. */
static void
roles_text(unsigned roles, char *out, size_t size)
{
	static const cg_role order[] = { CG_ROLE_ENTERPRISE, CG_ROLE_MERCHANT, CG_ROLE_LOGISTICS,
					 CG_ROLE_OFFICER, CG_ROLE_ADMIN };
	size_t i, n = 0;

	out[0] = '\0';
	if ((roles & ~SRV_NOLOGIN) == SRV_PUBLIC) {
		(void)snprintf(out, size, "public");
		return;
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]) && n < size; i++) {
		if (roles & SRV_ROLE(order[i]))
			n += (size_t)snprintf(out + n, size - n, "%s%s", n > 0 ? "," : "",
					      cg_role_name(order[i]));
	}
}

int
srv_routes_print(FILE *out)
{
	char roles[128];
	size_t i;

	for (i = 0; i < NROUTES; i++) {
		roles_text(routes[i].roles, roles, sizeof(roles));
		if (fprintf(out, "%s %s %s\n", routes[i].method, routes[i].pattern, roles) < 0)
			return -1;
	}
	return fflush(out) == 0 ? 0 : -1;
}

/* Who calls, and whether the route is open to them; 0 when answered already (401, 403, 503). */
static int
admit(struct srv_call *call, enum MHD_Result *early)
{
	char roles[128], msg[160];

	if (call->route->roles == SRV_PUBLIC)
		return 1;
	call->svc = srv_thread_service(call->s);
	if (call->svc == NULL) {
		*early = srv_reply_outage(call->c);
		return 0;
	}
	if (call->route->roles == SRV_NOLOGIN)
		return 1;
	if (!srv_web_principal(call->c, call->svc, &call->who)) {
		/* The token could not be looked up: that says nothing about it. */
		*early = srv_outage_seen() ? srv_reply_outage(call->c)
					   : srv_reply_error(call->c, MHD_HTTP_UNAUTHORIZED,
							     "a valid bearer token is required");
		return 0;
	}
	/* The access line names the caller: the user, or the enterprise of a token. */
	(void)snprintf(call->r->log.who, sizeof(call->r->log.who), "%s",
		       call->who.user_id != 0 || call->who.cop_code[0] == '\0' ? call->who.name
									     : call->who.cop_code);
	srv_note_authenticated(call->s, call->c);
	if (srv_route_allows(call->route, call->who.role))
		return 1;
	roles_text(call->route->roles, roles, sizeof(roles));
	(void)snprintf(msg, sizeof(msg), "this is open to: %s", roles);
	*early = srv_reply_error(call->c, MHD_HTTP_FORBIDDEN, msg);
	return 0;
}

/* Query keys that carry a secret: a URL ends up in histories, proxies' logs and Referer headers. */
static enum MHD_Result
secret_key(void *found, enum MHD_ValueKind kind, const char *key, const char *value)
{
	static const char *const names[] = { "password", "passwd", "pass", "pwd", "secret", "token",
					     "access_token", "api_key", "apikey", "passphrase" };
	size_t i;

	(void)kind;
	(void)value;
	for (i = 0; key != NULL && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(key, names[i]) == 0) {
			*(int *)found = 1;
			return MHD_NO;
		}
	}
	return MHD_YES;
}

static int
secret_in_query(struct MHD_Connection *c)
{
	int found = 0;

	(void)MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, secret_key, &found);
	return found;
}

enum MHD_Result
srv_route_dispatch(struct srv *s, struct MHD_Connection *c, const char *url, const char *method,
		   struct req *r)
{
	struct srv_call call;
	enum MHD_Result ok;
	int known;

	if (r->no_client_cert)
		return srv_reply_error(c, MHD_HTTP_FORBIDDEN, "a client certificate from a trusted CA is required");
	if (r->too_big)
		return srv_reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "body too large");
	/* Refused whatever the path, before anything else reads the request: the secret goes nowhere. */
	if (secret_in_query(c))
		return srv_reply_error(c, MHD_HTTP_BAD_REQUEST,
				       "credentials never go in a URL: log in with POST /api/v1/login "
				       "and send a token in the Authorization header");
	memset(&call, 0, sizeof(call));
	call.route = srv_route_find(method, url, &call.params, &known);
	r->route = call.route != NULL ? (int)(call.route - routes) : -1;
	/* No state change rides on a session cookie without its CSRF token. */
	if (!srv_web_csrf_ok(c, url, method))
		return srv_reply_error(c, MHD_HTTP_FORBIDDEN, "the session's CSRF token is missing or wrong");
	if (call.route == NULL)
		return known ? srv_reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed")
			     : srv_reply_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
	call.s = s;
	call.c = c;
	call.r = r;
	srv_outage_mark(r->outages);
	call.url = url;
	call.method = method;
	/* A submission resumed with its answer: sent as it is, without a second look at the token. */
	if (r->sub != NULL)
		return srv_submit_answer(&call);
	if (!admit(&call, &ok))
		return ok;
	if (cg_ctx_new(&call.ctx) != CG_OK)
		return srv_reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	ok = call.route->handler(&call);
	cg_ctx_free(call.ctx);
	return ok;
}

enum MHD_Result
srv_call_answer(struct srv_call *call, cg_rc rc, unsigned ok, char *json)
{
	return srv_answer(call->c, call->ctx, rc, ok, json, json != NULL ? strlen(json) : 0, SRV_JSON,
			  call->route->pattern);
}

const char *
srv_query(const struct srv_call *call, const char *name)
{
	return MHD_lookup_connection_value(call->c, MHD_GET_ARGUMENT_KIND, name);
}

long long
srv_query_number(const struct srv_call *call, const char *name, long long dflt, long long max)
{
	return srv_parse_number(srv_query(call, name), dflt, max);
}

long long
srv_param_id(const struct srv_call *call, const char *name)
{
	const char *v = srv_param(&call->params, name), *end;
	long long id = v != NULL ? srv_parse_id(v, &end) : 0;

	return id > 0 && *end == '\0' ? id : 0;
}
