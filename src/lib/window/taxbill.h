/* SPDX-License-Identifier: MIT */
/*
 * Electronic tax bills (taxbill.c): the CEB816 issued when an inventory is
 * released and the CEB818 status changes that follow it (ceb-spec §3.9, §5.2).
 */
#ifndef CG_TAXBILL_H
#define CG_TAXBILL_H

#include <jansson.h>
#include "ceb/codes.h"
#include "window/clearance.h"
#include "window/store_internal.h"

/* Tax-bill status (§5.2): generated, summarised for payment (deducted), voided. */
#define CG_TAXBILL_ISSUED "1"
#define CG_TAXBILL_DEDUCTED "2"
#define CG_TAXBILL_CANCELLED "3"

/*
 * Issue the CEB816 of the released inventory @p doc_id (its stored JSON
 * @p data, its declarant @p sender): the taxes recomputed per line from the
 * code tables, a receipt for the declarant and for the assureCode enterprise
 * when it is another registered one. A bill that exists already is kept.
 */
cg_rc cg__taxbill_issue(cg_store *st, cg_ctx *ctx, const struct cg_codes *codes, long long doc_id,
			long long sender, json_t *data);

/*
 * A return (CEB625, document @p doc_id) of an inventory whose bill is still
 * issued, within cfg->tax_return_days of the release: the bill is voided (818, 3).
 */
cg_rc cg__taxbill_return(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg,
			 long long doc_id);

/* Bills issued more than cfg->tax_return_days ago are deducted from the guarantee (818, 2). */
cg_rc cg__taxbill_sweep(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg,
			long long now, int *settled);
/* Whether cg__taxbill_sweep() has a bill to deduct (read outside a transaction). */
bool cg__taxbill_sweep_due(cg_store *st, const struct cg_clearance_cfg *cfg, long long now);

/* A bill's row (T_ONE's columns) as the API shows it: lines as an array, the status in words. */
json_t *cg__taxbill_row(json_t *row);

/* The bill of inventory @p doc_id as JSON in *@p out (NULL when it has none). */
cg_rc cg__taxbill_of(cg_store *st, cg_ctx *ctx, long long doc_id, json_t **out);

#endif
