/* SPDX-License-Identifier: MIT */
/* Status for declarants and logistics companies: their declarations with receipts, waybills' clearance. */
#ifndef CG_STATUS_H
#define CG_STATUS_H

#include "cebgate/service.h"

CG_BEGIN_DECLS

/* What a declarant's status list shows (GET /api/v1/declarations). */
typedef struct {
	const char *search; /* orderNo, logisticsNo or copNo; NULL: all */
	int kind;           /* 311, 411, 511, 513, 621...; 0: all */
	const char *state;  /* e.g. "released"; NULL: all */
	long long before;   /* page: ids below this; 0: from the newest */
	int limit;          /* 1-500, 100 by default */
	bool needs_action;  /* only those refused, returned or detained (the row or its inventory) */
} cg_declaration_query;

/**
 * The caller's enterprise's declarations (all for officers), newest first,
 * with their receipts. CG_EPERM for a caller of no enterprise.
 */
CG_API cg_rc cg_service_declarations(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				     const cg_declaration_query *q, char **json) CG_WARN_UNUSED;

/**
 * Clearance state of waybills: @p keys_json is a JSON array of
 * {"logisticsCode", "logisticsNo"} (1 to 1000, CG_EINVAL else). Only the
 * logistics company of a waybill (and officers) may read it; others' waybills
 * read "unknown".
 */
CG_API cg_rc cg_service_logistics(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				  const char *keys_json, char **json) CG_WARN_UNUSED;

/**
 * The monthly statement of electronic tax bills (CEB816/818) of enterprise
 * @p cop_code: the bills it guarantees (assureCode), sells under (ebcCode) or
 * declared, issued in @p month (YYYYMM, UTC+8). Officers see any enterprise's,
 * an enterprise and its staff their own (CG_EPERM else). @p csv 0: *out is JSON
 * {"enterprise", "month", "count", "totals", "bills": [...]}; 1: CSV (UTF-8
 * with a BOM), one line per bill. *@p len is the length of *out.
 */
CG_API cg_rc cg_service_tax_bills(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				  const char *cop_code, const char *month, int csv, char **out,
				  size_t *len) CG_WARN_UNUSED;
CG_END_DECLS
#endif
