/* SPDX-License-Identifier: MIT */
/* What the officer's desk (desk.c) reads of the review queue (review.c). */
#ifndef CG_DESK_INTERNAL_H
#define CG_DESK_INTERNAL_H

#include <jansson.h>
#include "window/store_internal.h"

/*
 * An inventory with its order, payment, waybill, receipts and audit trail, as
 * stored (unmasked); NULL when there is no such inventory. Caller decrefs.
 */
json_t *cg__review_view(cg_store *st, long long doc_id);

#endif
