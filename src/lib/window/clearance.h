/* SPDX-License-Identifier: MIT */
/* Clearance (clearance.c): matching, tax, quota, risk and the audit trail, below the submission path. */
#ifndef CG_CLEARANCE_H
#define CG_CLEARANCE_H

#include <jansson.h>
#include "ceb/codes.h"
#include "window/export_summary.h"
#include "window/store_internal.h"

/* Risk and matching settings of cebgated (docs/cebgated.md). */
struct cg_clearance_cfg {
	long long match_timeout;     /* seconds an inventory waits for its documents */
	int random_per_mille;        /* 双随机: share of released inventories held at random */
	long long value_threshold;   /* CNY at scale 10^5: at or above it, held */
	char watch_hs[512];          /* comma-separated HS codes (or prefixes) that are held */
	int near_quota_percent;      /* buyer's annual use at or above this share: held */
	int new_enterprise_days;     /* enterprises registered more recently: held */
	long long lease_seconds;     /* an officer's claim on a held inventory */
	long long tax_return_days;   /* a return within this many days of release voids the tax bill */
	long long pay179_value;      /* CNY at scale 10^5: at or above it, 179 payment data is asked (0: off) */
	int pay179_per_mille;        /* share of matched inventories whose 179 payment data is asked */
	bool export_payment_required; /* a 9610/1210 export inventory waits for its receipt of payment (403) */
	bool export_arrival_required; /* an export inventory is released at its arrival (507), not at conclusion */
	struct cg_expsum_cfg expsum; /* the export summary declaration and returns */
};

/* Append @p what to the reasons in @p buf, separated by "；" (receipts and the review queue). */
void cg__reason_add(char *buf, size_t size, const char *what);

/*
 * 双随机: true for about @p per_mille in 1000 calls, false when it is 0 or
 * less; without randomness true, so a document is held rather than let
 * through unseen. Shared by the import and export risk rules.
 */
bool cg__random_pick(int per_mille);

/*
 * After a document of kind 311/411/511 was written, try the four-document
 * match of every inventory waiting for it; a matched inventory gets its tax,
 * quota, risk decision and receipts (622) in the same transaction.
 */
cg_rc cg__clearance_after(cg_store *st, cg_ctx *ctx, const struct cg_codes *codes,
			  const struct cg_clearance_cfg *cfg, int kind, const char *order_key,
			  const char *waybill_key, long long doc_id);

/* What an inventory meets: its order, payment and waybill (each NULL if none), and what differs. */
struct cg_inv_match {
	json_t *order, *pay, *bill;
	char why[600]; /* empty: the four match */
};

/*
 * A new inventory's match, decided before its row is written, so that the
 * row is stored once in the state it ends in ("waiting" with @p m->why as its
 * reason, or "declared" to be cleared by cg__clearance_matched). Its match
 * keys are locked first (cg__clearance_lock_keys). @p inv is its stored form.
 */
cg_rc cg__clearance_prematch(cg_store *st, cg_ctx *ctx, const char *order_key,
			     const char *waybill_key, json_t *inv, struct cg_inv_match *m);
/* The rest for an inventory stored as "declared" with id @p id: tax, quota, risk, receipts. */
cg_rc cg__clearance_matched(cg_store *st, cg_ctx *ctx, const struct cg_codes *codes,
			    const struct cg_clearance_cfg *cfg, long long id, long long sender,
			    json_t *inv, const struct cg_inv_match *m);
void cg__clearance_match_dispose(struct cg_inv_match *m);

/*
 * The match keys of an inventory (either may be NULL), locked until the
 * transaction ends (PostgreSQL; SQLite has one writer): the lower hash first,
 * in one round trip.
 */
cg_rc cg__clearance_lock_keys(cg_store *st, cg_ctx *ctx, const char *a, const char *b);

/*
 * The export match keys @p keys (@p n of them; NULL and empty ones are
 * skipped, repeated ones locked once), locked until the transaction ends, in
 * one order whatever theirs: byte order, so that two transactions never wait
 * for each other in a cycle (unless two keys share a 32-bit hash: then
 * PostgreSQL finds the deadlock and the group commit tries again).
 */
cg_rc cg__export_lock_keys(cg_store *st, cg_ctx *ctx, const char **keys, size_t n);

/*
 * The customs side of exports (clearance_export.c, ceb-export-spec §2.7):
 * after an export document of kind 303/403/505/603/605/607/507/509 was
 * written with its first receipt (2), its further receipts and the moves of
 * the inventories it concerns, in the same transaction. Other kinds: nothing.
 */
cg_rc cg__export_after(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, int kind,
		       long long doc_id);

/*
 * An officer's decision on an export inventory under review: "release"
 * concludes it (399, invtNo, then its arrival and departure if they came
 * first), "return" rejects it (100); other decisions are CG_EINVAL. *state
 * and *status say what it became.
 */
cg_rc cg__export_decide(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, long long doc_id,
			const char *decision, const char *info, const char *actor, const char **state,
			const char **status);

/*
 * The ids (at most @p max) statement @p s lists with @p cutoff bound as its
 * $1: what a match-timeout sweep looks at. -1 when the statement cannot run.
 */
int cg__waiting_ids(cg_db_stmt *s, long long cutoff, long long *ids, int max);

/* Reject inventories that waited longer than cfg->match_timeout (receipt 100, naming why). */
cg_rc cg__clearance_sweep(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg,
			  long long now, int *rejected);
/* Whether cg__clearance_sweep() has an inventory to reject (read outside a transaction). */
bool cg__clearance_sweep_due(cg_store *st, const struct cg_clearance_cfg *cfg, long long now);

/* The same for export inventories still 'declared' (604 100, naming what was missing). */
bool cg__export_sweep_due(cg_store *st, const struct cg_clearance_cfg *cfg, long long now);
cg_rc cg__export_sweep(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, long long now,
		       int *rejected);

/* Set an inventory's state and reason (and keep its data) by id; a release issues its tax bill. */
cg_rc cg__clearance_decide(cg_store *st, cg_ctx *ctx, const struct cg_codes *codes, long long doc_id,
			   const char *state, const char *status, const char *info, const char *actor);

/*
 * Ask the platform for the 179 payment data of inventory @p doc_id (pay179.c):
 * a request is queued for the sweep to send, by @p actor ("system" for the risk rule).
 */
cg_rc cg__pay179_queue(cg_store *st, cg_ctx *ctx, long long doc_id, const char *actor, const char *why);

/* Append to the hash-chained audit trail (audit.c): in the open transaction, or one of its own. */
cg_rc cg__audit(cg_store *st, cg_ctx *ctx, const char *actor, const char *action,
		long long doc_id, const char *detail);
/*
 * An anchor: the head of every chain, appended to the anchor chain, when a
 * head moved since the last one and (unless @p now) that one is older than
 * a minute. *wrote says whether one was written.
 */
cg_rc cg__audit_anchor(cg_store *st, cg_ctx *ctx, bool now, bool *wrote);
/*
 * Check the whole trail: every chain's links and hashes, every anchor's
 * heads. *json is the report {ok, records, chains, anchors, broken?};
 * CG_ECONFLICT when something is broken (the report says what first).
 */
cg_rc cg__audit_verify(cg_store *st, cg_ctx *ctx, char **json);

#endif
