/* SPDX-License-Identifier: MIT */
/*
 * One login for every role, and the browser sessions of the web pages: a
 * user's login token in an HttpOnly, SameSite=Strict cookie, with a CSRF
 * token on every state-changing request that rides on it. A bearer token
 * (API clients) always wins over the cookie.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <microhttpd.h>
#include "cebgate/window.h"
#include "answer.h"
#include "request.h"
#include "routes.h"
#include "server.h"

#define COOKIE "cg_session"
/* A browser session lasts one working day (cookie and server alike), then a new login. */
#define SESSION_SECONDS (12 * 3600)

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

/* The login answer: the token in the body for API clients, and as the session cookie for the pages. */
static enum MHD_Result
login_reply(struct MHD_Connection *c, const cg_principal *who, const char *token, int tls)
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
	ok = out != NULL ? srv_reply(c, MHD_HTTP_OK, SRV_JSON, out, strlen(out), extra)
			 : srv_reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	free(out);
	json_decref(b);
	return ok;
}

/* Failed logins per account and per address in the current minute. */
#define LOGIN_MAX_FAILURES 5

/* POST /api/v1/login {"user", "password"}: a bearer token and a session; failures rate-limited. */
enum MHD_Result
srv_login(struct srv_call *call)
{
	json_t *b = srv_parse_json_body(call->r->body, call->r->len);
	const char *user = json_string_value(json_object_get(b, "user"));
	const char *pass = json_string_value(json_object_get(b, "password"));
	unsigned long kuser = srv_limit_key("u:", user), kip;
	char ip[64], *token = NULL;
	enum MHD_Result ok;
	cg_rc rc;

	kip = srv_limit_key("ip:", srv_client_ip(call->c, ip, sizeof(ip)));
	if (user == NULL || pass == NULL)
		ok = srv_reply_error(call->c, MHD_HTTP_BAD_REQUEST, "user and password are required");
	else if (srv_minute_limit(call->s, kuser, 0, LOGIN_MAX_FAILURES) ||
		 srv_minute_limit(call->s, kip, 0, LOGIN_MAX_FAILURES))
		ok = srv_reply_error(call->c, MHD_HTTP_TOO_MANY_REQUESTS, "too many failed logins: wait a minute");
	else {
		rc = cg_service_login(call->svc, call->ctx, user, pass, &call->who, &token);
		if (rc == CG_OK)
			srv_note_authenticated(call->s, call->c);
		if (rc == CG_EAUTH) {
			(void)srv_minute_limit(call->s, kuser, 1, LOGIN_MAX_FAILURES);
			(void)srv_minute_limit(call->s, kip, 1, LOGIN_MAX_FAILURES);
		}
		ok = rc == CG_OK ? login_reply(call->c, &call->who, token, call->s->cfg->tls_cert != NULL)
				 : srv_call_answer(call, rc, MHD_HTTP_OK, NULL);
		cg_free(token);
	}
	json_decref(b);
	return ok;
}

/* GET /api/v1/session: who the page is, and the CSRF token of a cookie session. */
enum MHD_Result
srv_session(struct srv_call *call)
{
	char csrf[65] = "";
	json_t *b;
	char *out;
	enum MHD_Result ok;

	if (bearer(call->c) == NULL && session(call->c) != NULL)
		cg_service_csrf(session(call->c), csrf);
	b = json_pack("{s:s, s:s, s:s, s:s?}", "user", call->who.name, "role", cg_role_name(call->who.role),
		      "enterprise", call->who.cop_code, "csrf", csrf[0] != '\0' ? csrf : NULL);
	out = b != NULL ? json_dumps(b, JSON_COMPACT) : NULL;
	ok = out != NULL ? srv_reply_json(call->c, MHD_HTTP_OK, out)
			 : srv_reply_error(call->c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	free(out);
	json_decref(b);
	return ok;
}

/* POST /api/v1/logout: the session's token is revoked and the cookie cleared. */
enum MHD_Result
srv_logout(struct srv_call *call)
{
	const char *token = bearer(call->c) != NULL ? bearer(call->c) : session(call->c);
	const char *extra[] = { MHD_HTTP_HEADER_SET_COOKIE,
				call->s->cfg->tls_cert != NULL
					? COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure"
					: COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict",
				NULL };
	cg_rc rc = cg_service_logout(call->svc, call->ctx, token);

	if (rc != CG_OK)
		return srv_call_answer(call, rc, MHD_HTTP_OK, NULL);
	return srv_reply(call->c, MHD_HTTP_OK, SRV_JSON, "{\"ok\": true}\n", strlen("{\"ok\": true}\n"), extra);
}
