/* SPDX-License-Identifier: MIT */
/*
 * The officer's desk of the single window, below the web pages of cebgated:
 * the filtered review queue, revealing masked personal data (audited), the
 * dashboard series, the public results of random inspections (双随机、一公开)
 * and browser sessions. Same threading rule as cg_service: one per thread.
 */
#ifndef CG_DESK_H
#define CG_DESK_H

#include "cebgate/service.h"

CG_BEGIN_DECLS

/** Filters of the review queue; NULL (or 0) means "any". */
typedef struct {
	const char *state;      /* "queued" (default), "claimed" or "decided" */
	const char *reason;     /* a risk reason: "value", "random", ... */
	const char *enterprise; /* e-commerce enterprise or declarant code */
	const char *trade_mode; /* "1210", "9610", ... */
	long long min_age;      /* seconds the item has waited at least */
} cg_review_filter;

/**
 * The review queue (cg_service_review_list() with an age filter):
 * {"items": [{id, reason, priority, state, created, age, leaseUntil, claimedBy, copNo, ebcCode,
 * tradeMode, orderNo}], "count", "byReason": {reason: n}, "now"}. Officers and admins only.
 */
CG_API cg_rc cg_service_review_query(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				     const cg_review_filter *f, char **json, int *http) CG_WARN_UNUSED;

/**
 * The unmasked ID numbers and telephone numbers of an inventory and its order,
 * payment and waybill, {"inventory": {field: value}, ...}. Every reveal is a
 * row of the audit trail naming the officer. Officers and admins only.
 */
CG_API cg_rc cg_service_reveal(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
			       long long doc_id, char **json, int *http) CG_WARN_UNUSED;

/**
 * Dashboard series of the last @p hours (1-168): declarations per hour by
 * outcome, queue depth and oldest item per hour, review times, top hold and
 * rejection reasons, per-enterprise match-failure rates. Officers and admins.
 */
CG_API cg_rc cg_service_dashboard(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				  int hours, char **json, int *http) CG_WARN_UNUSED;

/**
 * Public results of random inspections per enterprise and month: selected,
 * inspected, found in order, found irregular. No personal data; no login.
 */
CG_API cg_rc cg_service_public_inspections(cg_service *svc, cg_ctx *ctx, char **json) CG_WARN_UNUSED;

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
