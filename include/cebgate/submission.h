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

/** What cg_service_submit() returns and its answer (the callee's to cg_free()). */
typedef void (*cg_submit_done)(void *arg, cg_rc rc, char *json);

/**
 * cg_service_submit() for a server whose threads must not wait for the group
 * commit: the checks run in the calling thread, then an accepted message is
 * handed to the committer's writer thread (cg_committer_run) and this returns
 * at once. @p done is called exactly once with what cg_service_submit() would
 * have returned: in the calling thread before this returns (a refusal, a
 * batch, no writer thread), or in the writer thread once the message's group
 * committed. @p ctx, @p who and @p body must stay valid until then, and the
 * caller must not use @p ctx meanwhile.
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
