/* SPDX-License-Identifier: MIT */
/*
 * One submission in (authenticated, signature verified against the sender's
 * registered certificates, validated, stored idempotently by guid, business
 * keys by appType), one feedback out (receipts with a cursor).
 */
#ifndef CG_SUBMISSION_H
#define CG_SUBMISSION_H

#include "cebgate/service.h"

CG_BEGIN_DECLS

/**
 * One submission: a CEB declaration or a DxpMsg (XML body), or a batch as
 * JSON {"messages": ["<xml>", ...]}. Each message is processed on its own and
 * answered in @p json (free with cg_free()): {"results": [{"guid", "type",
 * "status": accepted|duplicate|conflict|rejected, "returnStatus", "findings":
 * [...same objects as cebgate validate --json...]}], "accepted": n, ...}.
 * @return CG_OK for a batch, and for a single message accepted or repeated;
 * a single message's refusal, with the answer in @p json all the same:
 * CG_EINVAL (not well-formed, not a declaration, not valid), CG_ESIG
 * (signature, sender or DxpMsg sender not the enterprise's), CG_ECONFLICT
 * (its guid was submitted with other content). CG_EPERM when the caller is
 * not an enterprise, CG_EINVAL for a malformed batch (no answer); other codes
 * are faults.
 */
CG_API cg_rc cg_service_submit(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
			       const char *body, size_t len, int is_json, char **json) CG_WARN_UNUSED;

/**
 * The outcome of cg_service_submit_start(): what cg_service_submit() would
 * have returned, and the answer, made into text only by
 * cg_submit_result_take(). Each message's type and status can be read before
 * that, to count them without reading the text.
 */
typedef struct cg_submit_result cg_submit_result;

/**
 * Called once per cg_service_submit_start() with its outcome, which the
 * callee owns and must end with cg_submit_result_take() (in any thread).
 * @p res is NULL when memory ran out: answer as for CG_ENOMEM.
 */
typedef void (*cg_submit_done)(void *arg, cg_submit_result *res);

/** How many messages the answer holds (one for a single message; none after a fault). */
CG_API size_t cg_submit_result_count(const cg_submit_result *res);

/**
 * The "type" and "status" of the answer's message @p i (< cg_submit_result_count()),
 * as in its text; NULL for what it lacks (a message that could not be read has no
 * type). They live as long as @p res.
 */
CG_API void cg_submit_result_message(const cg_submit_result *res, size_t i, const char **type,
				     const char **status);

/**
 * What cg_service_submit() would have returned, with its answer in @p json
 * (free with cg_free(); NULL when there is none) and its refusal's message in
 * the @p ctx given to cg_service_submit_start(). Frees @p res and what is
 * left of the message: the writer thread leaves that to the caller.
 */
CG_API cg_rc cg_submit_result_take(cg_submit_result *res, char **json) CG_WARN_UNUSED;

/**
 * cg_service_submit() for a server whose threads must not wait for the group
 * commit: the checks run in the calling thread, then an accepted message is
 * handed to the committer's writer thread (cg_committer_run) and this returns
 * at once. @p done is called exactly once with the outcome: in the calling
 * thread before this returns (a refusal, a batch, no writer thread), or in
 * the writer thread once the message's group committed. The writer calls it
 * for each message of a group in turn, so it should only hand the outcome
 * over: the answer's text is made by cg_submit_result_take(), in the thread
 * that calls it. @p ctx, @p who and @p body must stay valid until then, and
 * the caller must not use @p ctx meanwhile.
 */
CG_API void cg_service_submit_start(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				    const char *body, size_t len, int is_json, cg_submit_done done,
				    void *arg);

/**
 * The caller's receipts after @p after, oldest first, at most @p limit:
 * {"receipts": [{"cursor", "type", "returnStatus", "created", "xml"}], "next": N}.
 * @p count tells how many were returned (for long-polling).
 */
CG_API cg_rc cg_service_receipts(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				 long long after, int limit, char **json, int *count) CG_WARN_UNUSED;

CG_END_DECLS
#endif
