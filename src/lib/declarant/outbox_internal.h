/* SPDX-License-Identifier: MIT */
/* Library-internal parts of the outbox, shared by outbox.c, outbox_receipt.c and outbox_report.c. */
#ifndef CG_OUTBOX_INTERNAL_H
#define CG_OUTBOX_INTERNAL_H

#include "cebgate/outbox.h"
#include "db/db.h"
#include "util/internal.h"

/* The outbox's statements; their text is in outbox.c. */
enum {
	OB_DECL_ADD,
	OB_DECL_BY_GUID,
	OB_DOC_EXISTS,
	OB_DOC_ADD,
	OB_EVENT,
	OB_DUE,
	OB_LEASE,
	OB_RECOVER,
	OB_ANSWER,
	OB_DOCS_REFUSED,
	OB_DECL_FINAL,
	OB_ATTEMPTS,
	OB_RETRY,
	OB_RELEASE,
	OB_NEXT_DUE,
	OB_COUNTS,
	OB_ANY,
	OB_DOC_COUNTS,
	OB_CURSOR,
	OB_SET_CURSOR,
	OB_RCPT_ADD,
	OB_DOC_MATCH,
	OB_DOC_SET,
	OB_DECL_BY_COPMSGID,
	OB_LIST,
	OB_FIND,
	OB_DECL_GET,
	OB_DOCS_OF,
	OB_EVENTS_OF,
	OB_RCPTS_OF,
	OB_TAXBILLS,
	OB_SUMRESULTS,
	OB_Q_COUNT
};

/* Milliseconds since the epoch. */
long long cg__ob_now(void);
/* Statement @p q, prepared once, reset, bindings cleared; NULL on failure. */
cg_db_stmt *cg__ob_stmt(cg_outbox *ob, int q);
cg_rc cg__ob_fail(cg_outbox *ob, cg_ctx *ctx, const char *what);
/* Step a write statement to its end and reset it. */
cg_rc cg__ob_done(cg_outbox *ob, cg_ctx *ctx, cg_db_stmt *s, const char *what);
/* The outbox's connection. */
cg_db *cg__ob_db(cg_outbox *ob);
/* Start a change: a transaction, or a savepoint inside a change or a cg_outbox_begin() batch. */
cg_rc cg__ob_begin(cg_outbox *ob, cg_ctx *ctx);
/* Commit when @p rc is CG_OK, else roll back; returns @p rc or the commit's failure. */
cg_rc cg__ob_end(cg_outbox *ob, cg_ctx *ctx, cg_rc rc);
cg_rc cg__ob_event(cg_outbox *ob, cg_ctx *ctx, long long decl_id, const char *what);
cg_rc cg__ob_maybe_final(cg_outbox *ob, cg_ctx *ctx, long long decl_id);

#endif
