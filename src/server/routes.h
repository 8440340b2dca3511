/* SPDX-License-Identifier: MIT */
/*
 * cebgated's route table (router.c): {method, path pattern, who may call it,
 * handler} for the API and the pages alike. The router finds the route,
 * answers 404/405, checks the CSRF token of a cookie session, authenticates
 * and checks the caller's role (401, 403); a handler then decodes the
 * request, makes one library call and answers. The same table prints the
 * route list (cebgated --routes).
 */
#ifndef SRV_ROUTES_H
#define SRV_ROUTES_H

#include <stdio.h>
#include <microhttpd.h>
#include "cebgate/window.h"
#include "daemon.h"
#include "request.h"

/* Who may call a route: a bit per role, or nobody in particular. */
#define SRV_ROLE(r) (1u << (r))
#define SRV_PUBLIC 0u /* no login; the route's handler sees no principal */
#define SRV_OFFICERS (SRV_ROLE(CG_ROLE_OFFICER) | SRV_ROLE(CG_ROLE_ADMIN))
#define SRV_ADMINS SRV_ROLE(CG_ROLE_ADMIN)
#define SRV_ENTERPRISE SRV_ROLE(CG_ROLE_ENTERPRISE)
/* An enterprise's token or its staff (merchant and logistics users). */
#define SRV_STAFF (SRV_ROLE(CG_ROLE_ENTERPRISE) | SRV_ROLE(CG_ROLE_MERCHANT) | SRV_ROLE(CG_ROLE_LOGISTICS))
#define SRV_ANYONE (SRV_OFFICERS | SRV_STAFF)

/* One request, as a handler sees it. */
struct srv_call {
	struct srv *s;
	struct MHD_Connection *c;
	struct req *r;
	const char *url, *method;
	cg_service *svc;         /* the thread's service: never NULL for a route with roles */
	cg_principal who;        /* the caller, for a route with roles */
	cg_ctx *ctx;             /* for the one library call */
	struct srv_params params; /* the named segments of the path */
	const struct srv_route *route;
};

typedef enum MHD_Result (*srv_handler)(struct srv_call *call);

struct srv_route {
	const char *method;  /* "GET" also answers HEAD */
	const char *pattern; /* segments, "{name}" for a named one */
	unsigned roles;      /* SRV_PUBLIC or SRV_ROLE() bits */
	srv_handler handler;
	const char *arg;     /* what the handler needs beyond the path (a page's file) */
};

/* The route of @p method and @p path, its named segments in @p params; NULL when none. */
const struct srv_route *srv_route_find(const char *method, const char *path, struct srv_params *params,
				       int *path_known);
/* The rows of the table, by index (NULL past the end): what /metrics labels. */
size_t srv_route_count(void);
const struct srv_route *srv_route_at(size_t i);
/* Whether a caller of @p role may use @p route. */
int srv_route_allows(const struct srv_route *route, cg_role role);
/* Whether @p route needs no login. */
int srv_route_is_public(const struct srv_route *route);
/* One line per route: method, path pattern, roles ("public" or a comma-separated list). */
int srv_routes_print(FILE *out);
/* Serve one request that has arrived whole. */
enum MHD_Result srv_route_dispatch(struct srv *s, struct MHD_Connection *c, const char *url,
				   const char *method, struct req *r);

/* The answer of the call's one library call (json consumed), with @p ok on success. */
enum MHD_Result srv_call_answer(struct srv_call *call, cg_rc rc, unsigned ok, char *json);
/* A query value, or NULL. */
const char *srv_query(const struct srv_call *call, const char *name);
/* A query value as a whole number (srv_parse_number()). */
long long srv_query_number(const struct srv_call *call, const char *name, long long dflt, long long max);
/* The named segment @p name as a positive id, 0 when it is not one. */
long long srv_param_id(const struct srv_call *call, const char *name);

/* Handlers, one file per resource. */
/* routes_submissions.c */
enum MHD_Result srv_submit(struct srv_call *call);
/* A submission queued for the pipeline, its connection resumed: its answer. */
enum MHD_Result srv_submit_answer(struct srv_call *call);
/* routes_receipts.c */
enum MHD_Result srv_receipts(struct srv_call *call);
/* routes_review.c */
enum MHD_Result srv_review_queue(struct srv_call *call);
enum MHD_Result srv_review_claim(struct srv_call *call);
enum MHD_Result srv_review_decide(struct srv_call *call);
enum MHD_Result srv_declaration(struct srv_call *call);
enum MHD_Result srv_reveal(struct srv_call *call);
enum MHD_Result srv_dashboard(struct srv_call *call);
enum MHD_Result srv_public_inspections(struct srv_call *call);
enum MHD_Result srv_summaries(struct srv_call *call);
enum MHD_Result srv_summary_record(struct srv_call *call);
/* routes_logistics.c */
enum MHD_Result srv_declarations(struct srv_call *call);
enum MHD_Result srv_waybill(struct srv_call *call);
enum MHD_Result srv_waybills(struct srv_call *call);
/* routes_uploads.c */
enum MHD_Result srv_upload_post(struct srv_call *call);
enum MHD_Result srv_uploads_list(struct srv_call *call);
enum MHD_Result srv_upload_get(struct srv_call *call);
enum MHD_Result srv_upload_findings(struct srv_call *call);
enum MHD_Result srv_upload_document(struct srv_call *call);
enum MHD_Result srv_upload_submit(struct srv_call *call);
enum MHD_Result srv_profile_save(struct srv_call *call);
/* routes_registry.c */
enum MHD_Result srv_registry_list(struct srv_call *call);
enum MHD_Result srv_registry_add(struct srv_call *call);
enum MHD_Result srv_certificate_add(struct srv_call *call);
enum MHD_Result srv_custody_import(struct srv_call *call);
enum MHD_Result srv_token_revoke(struct srv_call *call);
enum MHD_Result srv_registry_set(struct srv_call *call);
enum MHD_Result srv_certificate_revoke(struct srv_call *call);
enum MHD_Result srv_certificate_get(struct srv_call *call);
/* routes_webhooks.c */
enum MHD_Result srv_webhooks_list(struct srv_call *call);
enum MHD_Result srv_webhook_add(struct srv_call *call);
enum MHD_Result srv_webhook_remove(struct srv_call *call);
enum MHD_Result srv_webhook_resend(struct srv_call *call);
enum MHD_Result srv_webhook_deliveries(struct srv_call *call);
/* routes_session.c */
enum MHD_Result srv_login(struct srv_call *call);
enum MHD_Result srv_logout(struct srv_call *call);
enum MHD_Result srv_session(struct srv_call *call);
/* routes_pages.c */
enum MHD_Result srv_page(struct srv_call *call);
enum MHD_Result srv_healthz(struct srv_call *call);
enum MHD_Result srv_readyz(struct srv_call *call);
enum MHD_Result srv_explain(struct srv_call *call);
enum MHD_Result srv_metrics(struct srv_call *call);
/* openapi.c */
enum MHD_Result srv_openapi(struct srv_call *call);
/* routes_pay179.c */
enum MHD_Result srv_pay179_request(struct srv_call *call);
enum MHD_Result srv_pay179_url(struct srv_call *call);
enum MHD_Result srv_pay179_upload(struct srv_call *call);
enum MHD_Result srv_tax_bills(struct srv_call *call);
/* routes_codes.c */
enum MHD_Result srv_codes(struct srv_call *call);
enum MHD_Result srv_codes_reload_route(struct srv_call *call);

#endif
