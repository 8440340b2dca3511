/* SPDX-License-Identifier: MIT */
/*
 * Merchants' uploads: a CSV, NDJSON or loose XML file normalized and
 * validated into canonical documents, kept with its findings, then signed
 * with the enterprise's custodial key and submitted. An enterprise's token or
 * its staff only (CG_EPERM for anyone else); another enterprise's upload is
 * CG_ENOTFOUND, as absent as one that never was.
 */
#ifndef CG_UPLOAD_H
#define CG_UPLOAD_H

#include "cebgate/service.h"

CG_BEGIN_DECLS

/* A merchant's upload, spooled to @p path by the caller (kept for the audit trail). */
typedef struct {
	const char *path;
	const char *name;        /* the merchant's file name: shown, never opened */
	const char *sha256;      /* hex of the raw bytes */
	unsigned long long size;
	const char *from;        /* "csv", "ndjson", "xml", or NULL: by the name's extension */
	int type;                /* message type of CSV/NDJSON rows (311 by default; exports too) */
	const char *encoding;    /* CSV: "utf-8", "gb18030" or NULL to detect */
	unsigned long max_records; /* 0: 100,000 */
	const char *profile;     /* name of a mapping profile the enterprise saved, or NULL */
	/*
	 * Asked between batches of records: non-zero when whoever sent the file
	 * is gone (the connection closed), and the work stops; may be NULL.
	 */
	int (*gone)(void *arg);
	void *gone_arg;
} cg_upload;

/**
 * Normalize and validate an upload: the upload (id, counts, findings with CSV
 * line and column, changes, documents, and its "outcome": "accepted" when
 * every record is valid, "partial" when some are) in @p json. CG_EINCOMPLETE,
 * with the upload in @p json all the same (outcome "refused"), when no record
 * is valid or the file could not be read to the end (over max_records,
 * unreadable, the client gone): a refused upload keeps no document.
 * CG_EINVAL for an unknown profile.
 */
CG_API cg_rc cg_service_upload(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
			       const cg_upload *u, char **json) CG_WARN_UNUSED;
/* The upload as JSON (also while it is being worked on: the counts so far). */
CG_API cg_rc cg_service_upload_get(cg_service *svc, cg_ctx *ctx, const cg_principal *who, long long id,
				   char **json) CG_WARN_UNUSED;
/* The enterprise's newest 50 uploads (with the counts so far) and its saved profile names. */
CG_API cg_rc cg_service_uploads_list(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				     char **json) CG_WARN_UNUSED;
/* One canonical document of an upload (@p seq from 1); CG_ENOTFOUND when there is no such one. */
CG_API cg_rc cg_service_upload_document(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
					long long id, long long seq, char **xml, size_t *len) CG_WARN_UNUSED;
/* Save (or replace) an enterprise's mapping profile (docs/normalize profiles), at most 64 KiB. */
CG_API cg_rc cg_service_profile_save(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				     const char *name, const char *text, size_t len,
				     char **json) CG_WARN_UNUSED;
/* The upload's findings as CSV (UTF-8 with BOM, formula-safe cells); free with cg_free(). */
CG_API cg_rc cg_service_upload_findings_csv(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
					    long long id, char **csv, size_t *len) CG_WARN_UNUSED;
/*
 * Sign the upload's valid documents with the enterprise's custodial key
 * (each signature audited, the signed bytes kept first) and submit them
 * through the one submission path; documents already submitted are skipped.
 * CG_ECONFLICT when the upload was not read to the end, or when no document
 * could go because the enterprise has no custodial key.
 */
CG_API cg_rc cg_service_upload_submit(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				      long long id, char **json) CG_WARN_UNUSED;

CG_END_DECLS
#endif
