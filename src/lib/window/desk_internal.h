/* SPDX-License-Identifier: MIT */
/* Shared by the review queue (review.c) and the officer's desk (desk.c). */
#ifndef CG_DESK_INTERNAL_H
#define CG_DESK_INTERNAL_H

#include <jansson.h>
#include "window/store_internal.h"

/* Officers and admins: the only ones who see the queue and the declarations. */
bool cg__officer(const cg_principal *who);

/*
 * An inventory with its order, payment, waybill, receipts and audit trail, as
 * stored (unmasked); NULL when there is no such inventory. Caller decrefs.
 */
json_t *cg__review_view(cg_store *st, long long doc_id);

/*
 * The officer's view of @p view: the four documents compared field by field,
 * the rule hits, the review lease, the tax and the buyer's quota; ID numbers
 * and telephone numbers masked.
 */
cg_rc cg__desk_decorate(cg_store *st, cg_ctx *ctx, json_t *view, long long doc_id);

#endif
