/* SPDX-License-Identifier: MIT */
/* Library-internal parts of the store. */
#ifndef CG_STORE_INTERNAL_H
#define CG_STORE_INTERNAL_H

#include "cebgate/store.h"
#include "internal.h"

/* Id of the enterprise @p cop_code; CG_ENOTFOUND when not registered. */
cg_rc cg__store_enterprise(cg_store *st, cg_ctx *ctx, const char *cop_code, long long *id);

#endif
