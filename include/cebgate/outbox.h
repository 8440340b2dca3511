/* SPDX-License-Identifier: MIT */
/*
 * The declarant's outbox: a local SQLite database holding every signed
 * declaration, its submission state and the receipts that came back for its
 * documents. Every state change is a committed transaction, so a crash at any
 * point leaves each declaration in a state the next run continues from; the
 * signed bytes are stored once and resent unchanged, so the service recognises
 * a resend (same guid, same bytes) as the same submission.
 *
 * Declaration states: "signed" (waiting to be sent), "submitted" (sent or being
 * sent, no answer recorded yet), "acknowledged" (the service accepted it),
 * "rejected" (the service refused it, or it conflicts with an earlier one),
 * "dead" (gave up after the retry cap or on a client error; cg_outbox_release_dead()
 * puts it back), "final" (acknowledged and every document has a final receipt).
 *
 * A cg_outbox is one connection: use it from one thread.
 */
#ifndef CG_OUTBOX_H
#define CG_OUTBOX_H

#include "cebgate/common.h"

CG_BEGIN_DECLS

typedef struct cg_outbox cg_outbox;

/**
 * Open (creating and migrating when needed) the outbox at @p path.
 * @param[out] out new outbox; close with cg_outbox_close()
 * @return CG_OK, CG_EDB (with SQLite's message in @p ctx)
 */
CG_API cg_rc cg_outbox_open(cg_outbox **out, cg_ctx *ctx, const char *path) CG_WARN_UNUSED;
CG_API void cg_outbox_close(cg_outbox *ob);
/** Schema version after migrations. */
CG_API int cg_outbox_schema_version(const cg_outbox *ob);

/** Group several additions in one transaction (one fsync for all of them). */
CG_API cg_rc cg_outbox_begin(cg_outbox *ob, cg_ctx *ctx) CG_WARN_UNUSED;
CG_API cg_rc cg_outbox_commit(cg_outbox *ob, cg_ctx *ctx) CG_WARN_UNUSED;
/** Abandon the transaction of cg_outbox_begin(): none of its changes stay. */
CG_API void cg_outbox_rollback(cg_outbox *ob);

/**
 * Add one signed declaration (state "signed"). Its guid, type and the business
 * keys of its documents are read from @p xml (safe parser). A declaration
 * whose guid, or one of whose documents (type, business key, appType), is in
 * the outbox already is not added again: running the same input twice submits
 * nothing twice.
 * @param copmsgid  the DxpMsg CopMsgId it travels under; NULL: the message guid
 * @param[out] added 1 when added, 0 when already there
 * @return CG_OK, CG_EPARSE (not a CEB declaration), CG_EDB
 */
CG_API cg_rc cg_outbox_add(cg_outbox *ob, cg_ctx *ctx, const char *source, const char *xml,
			   size_t len, const char *copmsgid, int *added) CG_WARN_UNUSED;

/**
 * Whether cg_outbox_add() would skip @p xml (signed or not yet): its guid, or
 * one of its documents' keys with its appType, is in the outbox already.
 * @return CG_OK, CG_EPARSE (not a CEB declaration), CG_EDB
 */
CG_API cg_rc cg_outbox_known(cg_outbox *ob, cg_ctx *ctx, const char *xml, size_t len,
			     int *known) CG_WARN_UNUSED;

/** One declaration handed out for sending. */
typedef struct {
	long long id;
	char guid[40];
	char type[24];     /* root element, e.g. "CEB311Message" */
	char copmsgid[64]; /* "" when none */
	char *xml;         /* the signed bytes, owned by the item */
	size_t len;
	int attempts;      /* sends before this one */
} cg_outbox_item;

/**
 * Claim up to @p max declarations that are due (state signed, or submitted
 * with their retry time reached), oldest first, and mark them "submitted"
 * with a lease of @p lease_ms: nobody claims them again before the lease ends
 * or an answer is recorded. @p items must hold @p max entries.
 */
CG_API cg_rc cg_outbox_claim(cg_outbox *ob, cg_ctx *ctx, long long now_ms, long long lease_ms,
			     cg_outbox_item *items, size_t max, size_t *n) CG_WARN_UNUSED;
/** Free what cg_outbox_claim() put into @p item. */
CG_API void cg_outbox_item_dispose(cg_outbox_item *item);
/** Forget the leases of a previous run (after a crash): its sends are due again. */
CG_API cg_rc cg_outbox_recover(cg_outbox *ob, cg_ctx *ctx) CG_WARN_UNUSED;

/**
 * Record the service's answer to one declaration: "accepted" or "duplicate"
 * (acknowledged), "rejected" or "conflict" (rejected, every document final).
 * @p return_status is the answer's returnStatus or NULL, @p detail the
 * answer (JSON text) kept for `cebgate status`.
 */
CG_API cg_rc cg_outbox_answer(cg_outbox *ob, cg_ctx *ctx, long long id, const char *status,
			      const char *return_status, const char *detail) CG_WARN_UNUSED;

/**
 * A send failed for a reason worth retrying (network error, 5xx): due again
 * after cg_outbox_backoff_ms(); after @p max_attempts sends it goes "dead".
 * @param[out] dead 1 when it went dead
 */
CG_API cg_rc cg_outbox_retry(cg_outbox *ob, cg_ctx *ctx, long long id, long long now_ms,
			     int max_attempts, long long base_ms, long long cap_ms,
			     const char *error, int *dead) CG_WARN_UNUSED;
/** A send failed for a reason retrying cannot cure (4xx): "dead" at once. */
CG_API cg_rc cg_outbox_give_up(cg_outbox *ob, cg_ctx *ctx, long long id,
			       const char *error) CG_WARN_UNUSED;
/** Put every dead declaration back to "signed" with no attempts. @p n: how many. */
CG_API cg_rc cg_outbox_release_dead(cg_outbox *ob, cg_ctx *ctx, long long *n) CG_WARN_UNUSED;

/**
 * Delay before send number @p attempt + 1: exponential from @p base_ms,
 * capped at @p cap_ms, with jitter: uniformly in [d/2, d] for @p random in [0, 1].
 */
CG_API long long cg_outbox_backoff_ms(int attempt, long long base_ms, long long cap_ms,
				      double random);

/** Milliseconds until the next retry is due (0: something is due now, -1: nothing waits). */
CG_API cg_rc cg_outbox_next_due(cg_outbox *ob, cg_ctx *ctx, long long now_ms,
				long long *wait_ms) CG_WARN_UNUSED;

/** Declarations per state, and documents still without a final receipt. */
typedef struct {
	long long signed_, submitted, acknowledged, rejected, dead, final;
	long long docs, docs_final, docs_refused; /* refused: final with a negative or 100 status */
} cg_outbox_counts;

CG_API cg_rc cg_outbox_counts_get(cg_outbox *ob, cg_ctx *ctx, cg_outbox_counts *c) CG_WARN_UNUSED;
/**
 * Whether any declaration is in @p state ("signed", "acknowledged" ...): one
 * index probe, where cg_outbox_counts_get() reads the whole outbox.
 */
CG_API cg_rc cg_outbox_any(cg_outbox *ob, cg_ctx *ctx, const char *state, int *yes) CG_WARN_UNUSED;

/**
 * Apply one receipt: a CEB receipt message (312, 412, 512, 514, 622, 624, 626,
 * 712; each of its return elements on its own), a CEB900 format receipt
 * (matched by oriCopMsgId), a DxpMsg carrying one, or a DxpRep transport error
 * (matched by the CopMsgId of its OriHead). Documents are matched by the
 * business keys of the standard, never by the receipt's guid; a receipt seen
 * before is ignored; the most significant state is kept (cg_receipt_rank()).
 * @param[out] matched return elements matched to a declaration
 * @param[out] dups    return elements seen before
 * @return CG_OK, CG_EPARSE when the receipt cannot be read, CG_EDB
 */
CG_API cg_rc cg_outbox_receipt(cg_outbox *ob, cg_ctx *ctx, const char *xml, size_t len,
			       int *matched, int *dups) CG_WARN_UNUSED;

/**
 * The receipt state machine of ceb-spec §5.1 for a document of declaration
 * type @p kind (311, 621 ...): a rank (higher is more significant) and
 * whether @p status is final for that type. Any order of arrival gives the
 * same end state: a final state beats any non-final one, and between two of
 * the same kind the higher rank wins.
 */
CG_API int cg_receipt_rank(int kind, const char *status, int *final);

/** A named cursor (the service's receipt feed), 0 when never set. */
CG_API cg_rc cg_outbox_cursor(cg_outbox *ob, cg_ctx *ctx, const char *name,
			      long long *value) CG_WARN_UNUSED;
CG_API cg_rc cg_outbox_set_cursor(cg_outbox *ob, cg_ctx *ctx, const char *name,
				  long long value) CG_WARN_UNUSED;

/**
 * Every document as JSON {"documents": [{"type", "key1", "key2", "state",
 * "returnStatus", "final", "guid"}]} (free with cg_free()); @p only_open
 * leaves out the final ones.
 */
CG_API cg_rc cg_outbox_list_json(cg_outbox *ob, cg_ctx *ctx, int only_open,
				 char **json) CG_WARN_UNUSED;
/**
 * History of the declarations whose document has business key, order number,
 * waybill number or copNo @p key: {"declarations": [{"guid", "type", "state",
 * "documents": [...], "events": [...], "receipts": [...]}]}. CG_ENOTFOUND when none.
 */
CG_API cg_rc cg_outbox_status_json(cg_outbox *ob, cg_ctx *ctx, const char *key,
				   char **json) CG_WARN_UNUSED;

CG_END_DECLS
#endif
