/* SPDX-License-Identifier: MIT */
/* Shared by the submission path (service.c) and clearance (clearance.c). */
#ifndef CG_SERVICE_INTERNAL_H
#define CG_SERVICE_INTERNAL_H

#include "cebgate/service.h"
#include "cebgate/sig.h"
#include <jansson.h>
#include "ceb/codes.h"
#include "ceb/model.h"
#include "window/store_internal.h"

/* YYYYMMDDhhmmssSSS in China Standard Time, the receipts' returnTime. */
void cg__now17(char *out, size_t size);

/* A receipt of the type that answers @p def, its fields taken from the head @p h. */
cg_rc cg__receipt_build(const struct cg_msgdef *def, const struct cg_group *h, long long doc_id,
			const char *status, const char *info, cg_buf *out);

/* Risk and matching settings of cebgated (docs/cebgated.md). */
struct cg_clearance_cfg {
	long long match_timeout;     /* seconds an inventory waits for its documents */
	int random_per_mille;        /* 双随机: share of released inventories held at random */
	long long value_threshold;   /* CNY at scale 10^5: at or above it, held */
	char watch_hs[512];          /* comma-separated HS codes (or prefixes) that are held */
	int near_quota_percent;      /* buyer's annual use at or above this share: held */
	int new_enterprise_days;     /* enterprises registered more recently: held */
	long long lease_seconds;     /* an officer's claim on a held inventory */
};

/*
 * After a document of kind 311/411/511/621 was written, try the four-document
 * match of every inventory it concerns; a matched inventory gets its tax,
 * quota, risk decision and receipts (622) in the same transaction.
 */
cg_rc cg__clearance_after(cg_store *st, cg_ctx *ctx, const struct cg_codes *codes,
			  const struct cg_clearance_cfg *cfg, int kind, const char *order_key,
			  const char *waybill_key, long long doc_id);

/* Reject inventories that waited longer than cfg->match_timeout (receipt 100, naming why). */
cg_rc cg__clearance_sweep(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg,
			  long long now, int *rejected);

struct cg_service;
cg_store *cg__service_store(struct cg_service *svc);
const struct cg_clearance_cfg *cg__service_cfg(struct cg_service *svc);
/* Where custodial keys live and their passphrase; NULL when not configured. */
void cg__service_custody(struct cg_service *svc, const char **dir, const char **passphrase);
/* A signer with enterprise @p eid's custodial key (CG_ENOTFOUND when it has none). */
cg_rc cg__custody_signer(struct cg_service *svc, cg_ctx *ctx, long long eid, cg_signer **out,
			 char *serial, size_t size);

/* Set an inventory's state and reason (and keep its data) by id. */
cg_rc cg__clearance_decide(cg_store *st, cg_ctx *ctx, long long doc_id, const char *state,
			   const char *status, const char *info, const char *actor);

/*
 * Run @p write inside a group transaction (group_commit.c): returns once the group
 * is committed (CG_OK: durable) or failed. @p st is the calling thread's own
 * connection, used when it becomes the group's writer.
 */
cg_rc cg__commit_grouped(cg_committer *c, cg_store *st, cg_ctx *ctx,
			 cg_rc (*write)(void *arg, cg_store *st), void *arg);

/* @p o (consumed) as the JSON text of an answer in *json. */
cg_rc cg__json_answer(json_t *o, char **json);
/* {"error": msg} in *json, and *http = code. */
cg_rc cg__json_refusal(char **json, int *http, int code, const char *msg);

/* Append to the hash-chained audit trail. */
cg_rc cg__audit(cg_store *st, cg_ctx *ctx, const char *actor, const char *action,
		long long doc_id, const char *detail);

#endif
