/* SPDX-License-Identifier: MIT */
/*
 * One login for every role: passwords in, bearer tokens out, and the browser
 * sessions of the web pages (a user's login token in a cookie, with a CSRF
 * token derived from it).
 */
#ifndef CG_SESSION_H
#define CG_SESSION_H

#include "cebgate/service.h"

CG_BEGIN_DECLS

/**
 * Check the password and issue a bearer token for the user (free with
 * cg_free()). CG_EAUTH for a wrong user or password alike.
 */
CG_API cg_rc cg_service_login(cg_service *svc, cg_ctx *ctx, const char *user, const char *password,
			      cg_principal *who, char **token) CG_WARN_UNUSED;

/** Who holds the bearer token; CG_ENOTFOUND when nobody. */
CG_API cg_rc cg_service_auth(cg_service *svc, cg_ctx *ctx, const char *token,
			     cg_principal *out) CG_WARN_UNUSED;

/**
 * Who holds the browser session @p token: like cg_service_auth(), but only a
 * user's login token not older than @p max_age seconds; CG_ENOTFOUND else.
 */
CG_API cg_rc cg_service_session(cg_service *svc, cg_ctx *ctx, const char *token, long long max_age,
				cg_principal *out) CG_WARN_UNUSED;

/** Revoke a user's login token (a browser session's logout); unknown tokens are ignored. */
CG_API cg_rc cg_service_logout(cg_service *svc, cg_ctx *ctx, const char *token) CG_WARN_UNUSED;

/**
 * The CSRF token of a browser session: derived from its (secret) session
 * token, so only a page that was told it can send it. @p out: 65 bytes.
 */
CG_API void cg_service_csrf(const char *token, char out[65]);

CG_END_DECLS
#endif
