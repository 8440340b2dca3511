/* SPDX-License-Identifier: MIT */
/*
 * cebgated's officer desk on the web: the pages of web/ (a fixed allow-list,
 * so no request path ever reaches the file system), browser sessions in an
 * HttpOnly, SameSite=Strict cookie with a CSRF token on every state-changing
 * request, and the routes the pages need beyond the review API (session,
 * logout, reveal, dashboard, public random-inspection results).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <microhttpd.h>
#include "cebgate/cebgate.h"
#include "cebgate/window.h"
#include "answer.h"
#include "request.h"
#include "server.h"

#define COOKIE "cg_session"
#define MAX_ASSET (1024 * 1024)
/* A browser session lasts one working day (cookie and server alike), then a new login. */
#define SESSION_SECONDS (12 * 3600)


/* No inline script or style, nothing from elsewhere, never inside a frame. */
#define CSP                                                                                          \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"            \
	" connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

static const struct asset {
	const char *url, *file, *type;
} assets[] = {
	{ "/", "index.html", "text/html; charset=utf-8" },
	{ "/index.html", "index.html", "text/html; charset=utf-8" },
	{ "/queue.html", "queue.html", "text/html; charset=utf-8" },
	{ "/declaration.html", "declaration.html", "text/html; charset=utf-8" },
	{ "/logistics.html", "logistics.html", "text/html; charset=utf-8" },
	{ "/dashboard.html", "dashboard.html", "text/html; charset=utf-8" },
	{ "/public.html", "public.html", "text/html; charset=utf-8" },
	{ "/app.css", "app.css", "text/css; charset=utf-8" },
	{ "/app.js", "app.js", "text/javascript; charset=utf-8" },
	{ "/charts.js", "charts.js", "text/javascript; charset=utf-8" },
	{ "/login.js", "login.js", "text/javascript; charset=utf-8" },
	{ "/queue.js", "queue.js", "text/javascript; charset=utf-8" },
	{ "/declaration.js", "declaration.js", "text/javascript; charset=utf-8" },
	{ "/logistics.js", "logistics.js", "text/javascript; charset=utf-8" },
	{ "/dashboard.js", "dashboard.js", "text/javascript; charset=utf-8" },
	{ "/public.js", "public.js", "text/javascript; charset=utf-8" },
	{ "/favicon.svg", "favicon.svg", "image/svg+xml" },
	{ "/upload.html", "upload.html", "text/html; charset=utf-8" },
	{ "/status.html", "status.html", "text/html; charset=utf-8" },
	{ "/merchant.js", "merchant.js", "text/javascript; charset=utf-8" },
	{ "/upload.js", "upload.js", "text/javascript; charset=utf-8" },
	{ "/status.js", "status.js", "text/javascript; charset=utf-8" },
};

/* A response with the headers every answer of this file carries, plus @p extra (name, value pairs). */
static enum MHD_Result
respond(struct MHD_Connection *c, unsigned status, const char *type, const char *body, size_t len,
	const char *const *extra)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
								 MHD_RESPMEM_MUST_COPY);
	int ok;
	enum MHD_Result q;

	if (r == NULL)
		return MHD_NO;
	ok = MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type) == MHD_YES &&
	     MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") == MHD_YES &&
	     MHD_add_response_header(r, "Content-Security-Policy", CSP) == MHD_YES &&
	     MHD_add_response_header(r, "X-Frame-Options", "DENY") == MHD_YES &&
	     MHD_add_response_header(r, "Referrer-Policy", "no-referrer") == MHD_YES &&
	     MHD_add_response_header(r, "Cache-Control", "no-store") == MHD_YES;
	for (; ok && extra != NULL && extra[0] != NULL; extra += 2)
		ok = MHD_add_response_header(r, extra[0], extra[1]) == MHD_YES;
	q = ok ? MHD_queue_response(c, status, r) : MHD_NO;
	MHD_destroy_response(r);
	return q;
}

static enum MHD_Result
json_reply(struct MHD_Connection *c, unsigned status, const char *json, const char *const *extra)
{
	return respond(c, status, "application/json; charset=utf-8", json, strlen(json), extra);
}

static enum MHD_Result
fail(struct MHD_Connection *c, unsigned status, const char *what)
{
	char buf[256];

	(void)snprintf(buf, sizeof(buf), "{\"error\": \"%s\"}\n", what);
	return json_reply(c, status, buf, NULL);
}

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

int
srv_web_static(struct MHD_Connection *c, const char *url, const char *method, enum MHD_Result *out)
{
	size_t i, len = 0;
	char *body;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return 0;
	for (i = 0; i < sizeof(assets) / sizeof(assets[0]); i++) {
		if (strcmp(url, assets[i].url) == 0)
			break;
	}
	if (i == sizeof(assets) / sizeof(assets[0]))
		return 0;
	body = read_asset(assets[i].file, &len);
	if (body == NULL) {
		*out = fail(c, MHD_HTTP_NOT_FOUND, "page not installed");
		return 1;
	}
	*out = respond(c, MHD_HTTP_OK, assets[i].type, body, len, NULL);
	free(body);
	return 1;
}

/* ---- sessions ------------------------------------------------------------------------ */

static const char *
bearer(struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);

	return h != NULL && strncmp(h, "Bearer ", 7) == 0 ? h + 7 : NULL;
}

static const char *
session(struct MHD_Connection *c)
{
	const char *v = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);

	return v != NULL && *v != '\0' && strlen(v) <= 128 ? v : NULL;
}

int
srv_web_principal(struct MHD_Connection *c, cg_service *svc, cg_principal *who)
{
	const char *token = bearer(c);
	cg_ctx *ctx = NULL;
	int ok;

	if (cg_ctx_new(&ctx) != CG_OK)
		return 0;
	/* An API client's bearer token wins; a browser has only its cookie, for a working day. */
	if (token != NULL)
		ok = cg_service_auth(svc, ctx, token, who) == CG_OK;
	else
		ok = session(c) != NULL &&
		     cg_service_session(svc, ctx, session(c), SESSION_SECONDS, who) == CG_OK;
	cg_ctx_free(ctx);
	return ok;
}

static int
same_secret(const char *a, const char *b)
{
	size_t n = strlen(b), i;
	unsigned char d = 0;

	if (n == 0 || strlen(a) != n)
		return 0;
	for (i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

/* An Origin header, when the browser sends one, must name this server (host[:port]). */
static int
same_origin(struct MHD_Connection *c)
{
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	const char *p;

	if (origin == NULL)
		return 1;
	p = strstr(origin, "://");
	return host != NULL && p != NULL && strcmp(p + 3, host) == 0;
}

int
srv_web_csrf_ok(struct MHD_Connection *c, const char *url, const char *method)
{
	const char *token = session(c), *sent;
	char want[65];

	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return 1;
	if (!same_origin(c))
		return 0;
	/* Bearer requests carry no ambient credential; a login has no session yet. */
	if (bearer(c) != NULL || token == NULL || strcmp(url, "/api/v1/login") == 0)
		return 1;
	sent = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
	cg_service_csrf(token, want);
	return sent != NULL && same_secret(sent, want);
}

enum MHD_Result
srv_web_login_reply(struct MHD_Connection *c, const cg_principal *who, const char *token, int tls)
{
	char csrf[65], cookie[300];
	const char *extra[] = { MHD_HTTP_HEADER_SET_COOKIE, cookie, NULL };
	json_t *b;
	char *out;
	enum MHD_Result ok;

	cg_service_csrf(token, csrf);
	/* HttpOnly: page scripts never see the session; Strict: other sites never send it. */
	(void)snprintf(cookie, sizeof(cookie), COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
		       token, SESSION_SECONDS, tls ? "; Secure" : "");
	b = json_pack("{s:s, s:s, s:s, s:s, s:s}", "token", token, "role", cg_role_name(who->role),
		      "enterprise", who->cop_code, "user", who->name, "csrf", csrf);
	out = b != NULL ? json_dumps(b, JSON_COMPACT) : NULL;
	ok = out != NULL ? json_reply(c, MHD_HTTP_OK, out, extra)
			 : fail(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	free(out);
	json_decref(b);
	return ok;
}

/* GET /api/v1/session: who the page is, and the CSRF token of a cookie session. */
static enum MHD_Result
route_session(struct MHD_Connection *c, cg_service *svc)
{
	cg_principal who;
	char csrf[65] = "";
	json_t *b;
	char *out;
	enum MHD_Result ok;

	if (!srv_web_principal(c, svc, &who))
		return fail(c, MHD_HTTP_UNAUTHORIZED, "not logged in");
	if (bearer(c) == NULL && session(c) != NULL)
		cg_service_csrf(session(c), csrf);
	b = json_pack("{s:s, s:s, s:s, s:s?}", "user", who.name, "role", cg_role_name(who.role), "enterprise",
		      who.cop_code, "csrf", csrf[0] != '\0' ? csrf : NULL);
	out = b != NULL ? json_dumps(b, JSON_COMPACT) : NULL;
	ok = out != NULL ? json_reply(c, MHD_HTTP_OK, out, NULL)
			 : fail(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	free(out);
	json_decref(b);
	return ok;
}

/* POST /api/v1/logout: the session's token is revoked and the cookie cleared. */
static enum MHD_Result
route_logout(struct MHD_Connection *c, cg_service *svc, int tls)
{
	const char *token = bearer(c) != NULL ? bearer(c) : session(c);
	const char *extra[] = { MHD_HTTP_HEADER_SET_COOKIE,
				tls ? COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure"
				    : COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict",
				NULL };
	cg_ctx *ctx = NULL;
	cg_rc rc = CG_ENOMEM;

	if (cg_ctx_new(&ctx) == CG_OK)
		rc = cg_service_logout(svc, ctx, token);
	if (rc != CG_OK)
		fprintf(stderr, "level=error route=logout rc=%s\n", cg_strerror(rc));
	cg_ctx_free(ctx);
	return rc == CG_OK ? json_reply(c, MHD_HTTP_OK, "{\"ok\": true}\n", extra)
			   : fail(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
}

static enum MHD_Result
finish(struct MHD_Connection *c, cg_ctx *ctx, cg_rc rc, char *json, const char *route)
{
	enum MHD_Result ok = srv_answer(c, ctx, rc, MHD_HTTP_OK, json, json != NULL ? strlen(json) : 0,
					SRV_JSON, route);

	cg_ctx_free(ctx);
	return ok;
}

/* The routes that need a principal; @p what picks one. */
enum web_route { W_REVEAL, W_DASHBOARD };

static enum MHD_Result
route_officer(struct MHD_Connection *c, cg_service *svc, enum web_route what, long long id)
{
	cg_principal who;
	cg_ctx *ctx = NULL;
	char *json = NULL;
	long long hours = srv_parse_number(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "hours"), 24,
					   INT64_MAX);
	cg_rc rc;

	if (!srv_web_principal(c, svc, &who))
		return fail(c, MHD_HTTP_UNAUTHORIZED, "a valid bearer token or session is required");
	if (cg_ctx_new(&ctx) != CG_OK)
		return fail(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	if (what == W_REVEAL)
		rc = cg_service_reveal(svc, ctx, &who, id, &json);
	else
		rc = cg_service_dashboard(svc, ctx, &who, hours < 0 || hours > 168 ? 0 : (int)hours, &json);
	return finish(c, ctx, rc, json, what == W_REVEAL ? "reveal" : "dashboard");
}

/* POST /api/v1/declarations/ID/reveal */
static int
reveal_id(const char *url, long long *id)
{
	const char *end;

	if (strncmp(url, "/api/v1/declarations/", strlen("/api/v1/declarations/")) != 0)
		return 0;
	*id = srv_parse_id(url + strlen("/api/v1/declarations/"), &end);
	return *id > 0 && strcmp(end, "/reveal") == 0;
}

int
srv_web_route(struct MHD_Connection *c, const char *url, const char *method, cg_service *svc,
	      int tls, enum MHD_Result *out)
{
	long long id = 0;
	int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;

	if (strcmp(url, "/api/v1/session") == 0 && get)
		*out = route_session(c, svc);
	else if (strcmp(url, "/api/v1/logout") == 0 && post)
		*out = route_logout(c, svc, tls);
	else if (reveal_id(url, &id) && post)
		*out = route_officer(c, svc, W_REVEAL, id);
	else if (strcmp(url, "/api/v1/dashboard") == 0 && get)
		*out = route_officer(c, svc, W_DASHBOARD, 0);
	else if (strcmp(url, "/api/v1/public/inspections") == 0 && get) {
		cg_ctx *ctx = NULL;
		char *json = NULL;
		cg_rc rc;

		if (cg_ctx_new(&ctx) != CG_OK) {
			*out = fail(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
			return 1;
		}
		/* The call first: arguments are evaluated in no set order. */
		rc = cg_service_public_inspections(svc, ctx, &json);
		*out = finish(c, ctx, rc, json, "public");
	} else
		return 0;
	return 1;
}
