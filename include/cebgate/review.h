/* SPDX-License-Identifier: MIT */
/*
 * The officers' review queue and desk: held inventories claimed and decided
 * (audited), the officer's view of a declaration, revealing masked personal
 * data (audited), the dashboard series and the public results of random
 * inspections (双随机、一公开). Officers and admins only (CG_EPERM for
 * anyone else) unless said otherwise.
 */
#ifndef CG_REVIEW_H
#define CG_REVIEW_H

#include "cebgate/service.h"

CG_BEGIN_DECLS

/**
 * The review queue, oldest first within priority (highest first).
 * @p state: "queued" (default), "claimed" or "decided"; @p reason filters on a
 * risk reason ("value", "random" ...), @p enterprise on the e-commerce
 * enterprise or declarant, @p trade_mode on 1210/9610; NULL for all.
 */
CG_API cg_rc cg_service_review_list(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				    const char *state, const char *reason, const char *enterprise,
				    const char *trade_mode, char **json) CG_WARN_UNUSED;

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
 * tradeMode, orderNo}], "count", "byReason": {reason: n}, "now"}.
 */
CG_API cg_rc cg_service_review_query(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				     const cg_review_filter *f, char **json) CG_WARN_UNUSED;

/**
 * Claim a held inventory for cg_service_options.lease_seconds. Two officers
 * never hold the same one: CG_ECONFLICT while another's lease runs.
 */
CG_API cg_rc cg_service_review_claim(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				     long long doc_id, char **json) CG_WARN_UNUSED;

/**
 * Decide a claimed inventory: "release" (399, 800), "inspect" (500),
 * "return" (100) or "detain" (501), with a mandatory reason (CG_EINVAL
 * without); audited. CG_ECONFLICT when the caller holds no claim on it.
 */
CG_API cg_rc cg_service_review_decide(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				      long long doc_id, const char *decision, const char *reason,
				      char **json) CG_WARN_UNUSED;

/** An inventory with its order, payment and waybill, review state and audit trail. */
CG_API cg_rc cg_service_declaration(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				    long long doc_id, char **json) CG_WARN_UNUSED;

/**
 * The unmasked ID numbers and telephone numbers of an inventory and its order,
 * payment and waybill, {"inventory": {field: value}, ...}. Every reveal is a
 * row of the audit trail naming the officer (a user: tokens of enterprises never).
 */
CG_API cg_rc cg_service_reveal(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
			       long long doc_id, char **json) CG_WARN_UNUSED;

/**
 * The export summary applications (CEB701), newest first, with their last 702
 * status, sumNo and the customs declarations each generated (declSeqNo,
 * weights, rows, inventories, decState, decTmpNo, decPreNo, entryId), and the
 * accepted decState values: {"applications": [...], "decStates": [{code, zh, en}], "now"}.
 */
CG_API cg_rc cg_service_summaries(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				  char **json) CG_WARN_UNUSED;

/**
 * Record the later facts of the customs declaration @p decl_seq_no generated
 * by a summary: its decTmpNo, decPreNo and entryId (18 letters or digits each;
 * NULL or "" keeps what is recorded) and its decState (one of the accepted
 * values). Officers only (users, not admins). A change is stored, audited and
 * answered to the declarant by a later CEB792 for that declSeqNo (its list
 * empty); the same facts again change nothing ("changed": false). A number
 * recorded already is never replaced by another (CG_ECONFLICT); CG_ENOTFOUND
 * for an unknown declSeqNo, CG_EINVAL for a value out of its range.
 */
CG_API cg_rc cg_service_summary_record(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				       const char *decl_seq_no, const char *dec_tmp_no,
				       const char *dec_pre_no, const char *entry_id,
				       const char *dec_state, char **json) CG_WARN_UNUSED;

/**
 * Dashboard series of the last @p hours (1-168, CG_EINVAL else): declarations
 * per hour by outcome, queue depth and oldest item per hour, review times, top
 * hold and rejection reasons, per-enterprise match-failure rates.
 */
CG_API cg_rc cg_service_dashboard(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				  int hours, char **json) CG_WARN_UNUSED;

/**
 * Public results of random inspections per enterprise and month: selected,
 * inspected, found in order, found irregular. No personal data; no login.
 */
CG_API cg_rc cg_service_public_inspections(cg_service *svc, cg_ctx *ctx, char **json) CG_WARN_UNUSED;

/*
 * The 179 payment-data interface (ceb-spec §8, docs/pay179.md), customs' side.
 * cg_service_pay179_request: an officer asks the platform of inventory
 * @p doc_id for its raw payment data (sent at once; audited); *json has the
 * inventory's requests: {"pay179": [{sessionID, orderNo, ebpCode, state, reason, ...}]}.
 */
CG_API cg_rc cg_service_pay179_request(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				       long long doc_id, char **json) CG_WARN_UNUSED;
/**
 * A platform's upload (realTimeDataUp): the payExInfoStr @p payex is checked
 * (its session, the certificate the platform registered, the signature, the
 * payment facts against the declared 411 and 311) and the result stored.
 * CG_OK with the protocol's answer in *json: {"code": "10000", "message": ...}
 * when it is good, else a 2xxxx code and the findings (CG31xx) in message.
 */
CG_API cg_rc cg_service_pay179_upload(cg_service *svc, cg_ctx *ctx, const char *payex, size_t len,
				      char **json) CG_WARN_UNUSED;
/** Send the queued 179 requests (the sweep does it); @p sent: how many were settled. */
CG_API cg_rc cg_service_pay179_dispatch(cg_service *svc, cg_ctx *ctx, int *sent) CG_WARN_UNUSED;
/** Admins: the URL where platform @p cop_code answers platDataOpen (audited). */
CG_API cg_rc cg_service_pay179_url(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				   const char *cop_code, const char *url, char **json) CG_WARN_UNUSED;
CG_END_DECLS
#endif
