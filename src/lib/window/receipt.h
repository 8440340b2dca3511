/* SPDX-License-Identifier: MIT */
/* Receipts (receipt.c): what answers a declaration, shared by submission and clearance. */
#ifndef CG_RECEIPT_H
#define CG_RECEIPT_H

#include <stddef.h>
#include "ceb/model.h"
#include "util/internal.h"

/* YYYYMMDDhhmmssSSS in China Standard Time, the receipts' returnTime. */
void cg__now17(char *out, size_t size);

/* A receipt of the type that answers @p def, its fields taken from the head @p h. */
cg_rc cg__receipt_build(const struct cg_msgdef *def, const struct cg_group *h, long long doc_id,
			const char *status, const char *info, cg_buf *out);

#endif
