/* SPDX-License-Identifier: MIT */
/*
 * The single window's domain, below the HTTP layer of cebgated: one
 * submission in (authenticated, signature verified against the sender's
 * registered certificates, validated, stored idempotently by guid, business
 * keys by appType), one feedback out (receipts with a cursor).
 * A cg_service holds one database connection and one validator: one per thread.
 */
#ifndef CG_SERVICE_H
#define CG_SERVICE_H

#include "cebgate/common.h"
#include "cebgate/store.h"
#include "cebgate/codes.h"

CG_BEGIN_DECLS

typedef struct cg_service cg_service;

/** @param datadir NULL for cg_datadir() */
CG_API cg_rc cg_service_new(cg_service **out, cg_ctx *ctx, const char *db_path,
			    const char *datadir) CG_WARN_UNUSED;
CG_API void cg_service_free(cg_service *svc);

/** Clearance and review settings (docs/cebgated.md); CG_SERVICE_OPTIONS_INIT has the defaults. */
typedef struct {
	unsigned version;
	long long match_timeout;  /* seconds an inventory waits for order, payment and waybill */
	int random_per_mille;     /* 双随机: share of otherwise released inventories held, 0-1000 */
	long long value_threshold;/* CNY; an inventory worth this or more is held (0: off) */
	const char *watch_hs;     /* comma-separated HS codes or prefixes that are held */
	int near_quota_percent;   /* a buyer at this share of the annual limit is held (0: off) */
	int new_enterprise_days;  /* enterprises registered more recently are held (0: off) */
	long long lease_seconds;  /* how long an officer's claim lasts */
} cg_service_options;

#define CG_SERVICE_OPTIONS_VERSION 1
#define CG_SERVICE_OPTIONS_INIT { CG_SERVICE_OPTIONS_VERSION, 3600, 0, 0, "", 90, 0, 300 }

/** Apply @p o (copied). */
/*
 * Group commit: services (one per thread) that share a committer write
 * accepted messages together, one transaction and one fsync per group, and
 * answer each only after its group committed. Free it after its services.
 */
typedef struct cg_committer cg_committer;
CG_API cg_rc cg_committer_new(cg_committer **out) CG_WARN_UNUSED;
CG_API void cg_committer_free(cg_committer *c);
/* Groups committed and messages written in them so far. */
CG_API void cg_committer_stats(cg_committer *c, unsigned long *groups, unsigned long *messages);
CG_API void cg_service_set_committer(cg_service *svc, cg_committer *c);

CG_API cg_rc cg_service_configure(cg_service *svc, cg_ctx *ctx,
				  const cg_service_options *o) CG_WARN_UNUSED;

/**
 * Refuse inventories that waited longer than the match timeout; each gets a
 * 622 receipt (100) naming what was missing or differed. @p rejected: how many.
 */
CG_API cg_rc cg_service_sweep(cg_service *svc, cg_ctx *ctx, int *rejected) CG_WARN_UNUSED;

/**
 * One login for every role: check the password and issue a bearer token for
 * the user (free with cg_free()). CG_ENOTFOUND for a wrong user or password.
 */
CG_API cg_rc cg_service_login(cg_service *svc, cg_ctx *ctx, const char *user, const char *password,
			      cg_principal *who, char **token) CG_WARN_UNUSED;

/** Gauges for /metrics: inventories queued for review, waiting for documents, oldest queued (s). */
CG_API cg_rc cg_service_gauges(cg_service *svc, cg_ctx *ctx, long long *queued, long long *waiting,
			       long long *oldest_age) CG_WARN_UNUSED;

/** Who holds the bearer token; CG_ENOTFOUND when nobody. */
CG_API cg_rc cg_service_auth(cg_service *svc, cg_ctx *ctx, const char *token,
			     cg_principal *out) CG_WARN_UNUSED;

/**
 * One submission: a CEB declaration or a DxpMsg (XML body), or a batch as
 * JSON {"messages": ["<xml>", ...]}. Each message is processed on its own and
 * answered in @p json (free with cg_free()): {"results": [{"guid", "type",
 * "status": accepted|duplicate|conflict|rejected, "returnStatus", "findings":
 * [...same objects as cebgate validate --json...]}], "accepted": n, ...}.
 * @p http is the status for the whole answer (a single message's own status).
 * @return CG_OK when answered; other codes for server faults (500)
 */
CG_API cg_rc cg_service_submit(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
			       const char *body, size_t len, int is_json, char **json,
			       int *http) CG_WARN_UNUSED;

/**
 * The caller's receipts after @p after, oldest first, at most @p limit:
 * {"receipts": [{"cursor", "type", "returnStatus", "created", "xml"}], "next": N}.
 * @p count tells how many were returned (for long-polling).
 */
CG_API cg_rc cg_service_receipts(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				 long long after, int limit, char **json, int *count) CG_WARN_UNUSED;

/**
 * The officers' review queue, oldest first within priority (highest first).
 * @p state: "queued" (default), "claimed" or "decided"; @p reason filters on a
 * risk reason ("value", "random" ...), @p enterprise on the e-commerce
 * enterprise or declarant, @p trade_mode on 1210/9610; NULL for all.
 * Officers and admins only.
 */
CG_API cg_rc cg_service_review_list(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				    const char *state, const char *reason, const char *enterprise,
				    const char *trade_mode, char **json, int *http) CG_WARN_UNUSED;
/**
 * Claim a held inventory for cg_service_options.lease_seconds. Two officers
 * never hold the same one: 409 while another's lease runs.
 */
CG_API cg_rc cg_service_review_claim(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				     long long doc_id, char **json, int *http) CG_WARN_UNUSED;
/**
 * Decide a claimed inventory: "release" (399, 800), "inspect" (500),
 * "return" (100) or "detain" (501), with a mandatory reason; audited.
 */
CG_API cg_rc cg_service_review_decide(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				      long long doc_id, const char *decision, const char *reason,
				      char **json, int *http) CG_WARN_UNUSED;
/** An inventory with its order, payment and waybill, review state and audit trail. */
CG_API cg_rc cg_service_declaration(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				    long long doc_id, char **json, int *http) CG_WARN_UNUSED;
/**
 * Clearance state of waybills: @p keys is a JSON array of
 * {"logisticsCode", "logisticsNo"} (at most 1000). Only the logistics company
 * of a waybill (and officers) may read it; others' waybills read "unknown".
 */
CG_API cg_rc cg_service_logistics(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				  const char *keys_json, char **json, int *http) CG_WARN_UNUSED;

/*
 * The registry, for admins (403 for anyone else). @p what is "enterprises" or
 * "users" to list, and also "tokens" to add: enterprises {copCode, name,
 * roles, dxpId}, users {name, role, password, enterprise}, tokens
 * {enterprise} or {user} (the token is in the answer, once). 201 when
 * registered, 400 bad input, 404 unknown enterprise, 409 taken; audited.
 */
CG_API cg_rc cg_service_registry_list(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				      const char *what, char **json, int *http) CG_WARN_UNUSED;
CG_API cg_rc cg_service_registry_add(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				     const char *what, const char *body, size_t len, char **json,
				     int *http) CG_WARN_UNUSED;
/* Register a signing certificate (PEM or DER, at most 64 KiB) for enterprise @p cop_code. */
CG_API cg_rc cg_service_certificate_add(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
					const char *cop_code, const char *cert, size_t len,
					char **json, int *http) CG_WARN_UNUSED;

/* What a declarant's status list shows (GET /api/v1/declarations). */
typedef struct {
	const char *search; /* orderNo, logisticsNo or copNo; NULL: all */
	int kind;           /* 311, 411, 511, 513, 621...; 0: all */
	const char *state;  /* e.g. "released"; NULL: all */
	long long before;   /* page: ids below this; 0: from the newest */
	int limit;          /* 1-500, 100 by default */
} cg_declaration_query;

/* The caller's enterprise's declarations (all for officers), newest first, with their receipts. */
CG_API cg_rc cg_service_declarations(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				     const cg_declaration_query *q, char **json, int *http) CG_WARN_UNUSED;

/*
 * Custodial signing (docs/cebgated.md): where the keys handed over are kept,
 * and the passphrase they are kept under (also the PIN of a PKCS#11 token).
 */
CG_API cg_rc cg_service_set_custody(cg_service *svc, cg_ctx *ctx, const char *dir,
				    const char *passphrase) CG_WARN_UNUSED;
/*
 * Hand over an enterprise's signing key: JSON {"certificate", "key",
 * "passphrase"} (a PEM key, re-encrypted at once) or {"certificate",
 * "pkcs11": URI}. The enterprise itself or an admin; 201, audited.
 */
CG_API cg_rc cg_service_custody_import(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				       const char *cop_code, const char *body, size_t len, char **json,
				       int *http) CG_WARN_UNUSED;

/* A merchant's upload, spooled to @p path by the caller (kept for the audit trail). */
typedef struct {
	const char *path;
	const char *name;        /* the merchant's file name: shown, never opened */
	const char *sha256;      /* hex of the raw bytes */
	unsigned long long size;
	const char *from;        /* "csv", "ndjson", "xml", or NULL: by the name's extension */
	int type;                /* message type of CSV/NDJSON rows (311 by default) */
	const char *encoding;    /* CSV: "utf-8", "gb18030" or NULL to detect */
	unsigned long max_records; /* 0: 100,000 */
	const char *profile;     /* name of a mapping profile the enterprise saved, or NULL */
} cg_upload;

/*
 * Normalize and validate an upload (an enterprise's token or its staff):
 * 201 with the upload (id, counts, findings with CSV line and column,
 * changes, documents), 422 when the file could not be read to the end.
 */
CG_API cg_rc cg_service_upload(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
			       const cg_upload *u, char **json, int *http) CG_WARN_UNUSED;
/* The upload as JSON (also while it is being worked on: the counts so far); 404 for others'. */
CG_API cg_rc cg_service_upload_get(cg_service *svc, cg_ctx *ctx, const cg_principal *who, long long id,
				   char **json, int *http) CG_WARN_UNUSED;
/* The enterprise's newest 50 uploads (with the counts so far) and its saved profile names. */
CG_API cg_rc cg_service_uploads_list(cg_service *svc, cg_ctx *ctx, const cg_principal *who, char **json,
				     int *http) CG_WARN_UNUSED;
/* One canonical document of an upload (@p seq from 1). */
CG_API cg_rc cg_service_upload_document(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
					long long id, long long seq, char **xml, size_t *len,
					int *http) CG_WARN_UNUSED;
/* Save (or replace) an enterprise's mapping profile (docs/normalize profiles), at most 64 KiB. */
CG_API cg_rc cg_service_profile_save(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				     const char *name, const char *text, size_t len, char **json,
				     int *http) CG_WARN_UNUSED;
/* The upload's findings as CSV (UTF-8 with BOM, formula-safe cells); free with cg_free(). */
CG_API cg_rc cg_service_upload_findings_csv(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
					    long long id, char **csv, size_t *len, int *http) CG_WARN_UNUSED;
/*
 * Sign the upload's valid documents with the enterprise's custodial key
 * (each signature audited, the signed bytes kept first) and submit them
 * through the one submission path; documents already submitted are skipped.
 */
CG_API cg_rc cg_service_upload_submit(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				      long long id, char **json, int *http) CG_WARN_UNUSED;

/** The code-table editions in force today: {"editions": [{table, edition, effective, complete, rows}]}. */
CG_API cg_rc cg_service_codes_json(const struct cg_codes *c, char **json) CG_WARN_UNUSED;
/**
 * Reload the code tables into *@p held (cg_codes_reload): admin only (403), or
 * @p who NULL for a reload on SIGHUP. Audited whether it works or not; a failed
 * reload (422, the reason in "error") keeps the old tables. 200 with the editions.
 */
CG_API cg_rc cg_service_codes_reload(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				     struct cg_codes **held, char **json, int *http) CG_WARN_UNUSED;

CG_END_DECLS
#endif
