/* SPDX-License-Identifier: MIT */
/*
 * Sending the outbox and fetching receipts over one of two channels:
 *
 * - "http": the single window's API (cebgated or anything that speaks it).
 *   libcurl's multi interface keeps several requests in flight over reused
 *   connections; each request carries a batch of signed declarations as
 *   {"messages": [...]} and gets one result per declaration. Network errors
 *   and 5xx answers are retried with exponential backoff and jitter, 4xx
 *   answers never; after the retry cap a declaration goes to the dead letter.
 * - "dir:PATH": the folder contract of the e-port's transfer clients. Each
 *   declaration is wrapped in a DxpMsg and written atomically (temporary
 *   name, then rename) into PATH/outbox/; receipts are read from PATH/inbox/
 *   and moved to PATH/archive/, or to PATH/error/ with a report beside them.
 */
#ifndef CG_SUBMIT_H
#define CG_SUBMIT_H

#include "cebgate/common.h"
#include "cebgate/outbox.h"

CG_BEGIN_DECLS

typedef struct {
	unsigned version;             /* CG_SUBMIT_OPTIONS_VERSION */
	const char *channel;          /* "http" (default, with server) or "dir:PATH" */
	const char *server;           /* base URL of the API, e.g. https://sw.example:8443 */
	const char *token;            /* bearer token of the enterprise */
	const char *ca_file;          /* trust anchors for HTTPS; NULL: the system's */
	const char *client_cert;      /* PEM client certificate for TLS, or NULL */
	const char *client_key;       /* its key, or NULL */
	long connect_timeout_ms;      /* per connection attempt */
	long timeout_ms;              /* per whole request */
	int parallel;                 /* requests in flight at most */
	int batch;                    /* declarations per request at most (1-1000) */
	int max_attempts;             /* sends before a declaration is dead */
	long long backoff_base_ms;    /* first retry delay */
	long long backoff_cap_ms;     /* longest retry delay */
	const char *sender_id;        /* dir: DxpMsg SenderId; NULL: BaseTransfer dxpId */
} cg_submit_options;

#define CG_SUBMIT_OPTIONS_VERSION 1
#define CG_SUBMIT_OPTIONS_INIT                                                              \
	{ CG_SUBMIT_OPTIONS_VERSION, "http", NULL, NULL, NULL, NULL, NULL, 10000, 60000, 4, 50, \
	  8, 500, 60000, NULL }

/** What a submitter did since it was made. */
typedef struct {
	long long requests;  /* HTTP requests completed, or files written */
	long long acknowledged, rejected; /* answers recorded */
	long long retried;   /* sends that failed and will be retried */
	long long dead;      /* declarations that went to the dead letter */
	long long refused_docs; /* documents the service refused inside accepted messages */
} cg_submit_stats;

typedef struct cg_submitter cg_submitter;

/**
 * @param ob the outbox to send from; borrowed, must outlive the submitter
 * @return CG_OK, CG_EINVAL (bad options), CG_EIO (dir: the folders cannot be made)
 */
CG_API cg_rc cg_submitter_new(cg_submitter **out, cg_ctx *ctx, cg_outbox *ob,
			      const cg_submit_options *o) CG_WARN_UNUSED;
CG_API void cg_submitter_free(cg_submitter *s);

/**
 * Start sends of due declarations (up to the parallel limit), wait up to
 * @p wait_ms for transfers to progress and record every answer in the outbox.
 * @param[out] in_flight requests still under way
 */
CG_API cg_rc cg_submitter_run(cg_submitter *s, cg_ctx *ctx, int wait_ms,
			      int *in_flight) CG_WARN_UNUSED;
CG_API cg_submit_stats cg_submitter_stats(const cg_submitter *s);

/** What one cg_receipts_fetch() brought. */
typedef struct {
	int received; /* receipts read */
	int matched;  /* return elements matched to declarations */
	int dups;     /* seen before, ignored */
	int unreadable; /* dir: files moved to error/ */
} cg_fetch_stats;

/**
 * Fetch new receipts into the outbox. http: one long-poll of the receipt feed
 * after the saved cursor (waiting up to @p wait_s seconds for one), the
 * receipts and the new cursor committed together. dir: every complete file of
 * PATH/inbox/.
 */
CG_API cg_rc cg_receipts_fetch(cg_outbox *ob, cg_ctx *ctx, const cg_submit_options *o, int wait_s,
			       cg_fetch_stats *st) CG_WARN_UNUSED;

CG_END_DECLS
#endif
