/* SPDX-License-Identifier: MIT */
/* Rules across documents validated together: order, payment, waybill, inventory (§4), and exports. */
#ifndef CG_CROSSDOC_H
#define CG_CROSSDOC_H

#include "ceb/codes.h"
#include "ceb/model.h"

struct cg_crossdoc;

cg_rc cg__crossdoc_new(struct cg_crossdoc **out, const struct cg_codes *codes);
void cg__crossdoc_free(struct cg_crossdoc *x);
/* Remember what the cross-document rules need of the documents of @p m. */
cg_rc cg__crossdoc_add(struct cg_crossdoc *x, const struct cg_msg *m, const char *source);
/* Compare everything remembered; findings point at the document at fault. */
cg_rc cg__crossdoc_check(struct cg_crossdoc *x, const struct cg_codes *codes, cg_findings *f);
void cg__crossdoc_reset(struct cg_crossdoc *x);

/* True when nothing has been added since the last reset. */
bool cg__crossdoc_empty(const struct cg_crossdoc *x);
/* The tables inventories added from now on are taxed with (a reload between batches). */
void cg__crossdoc_set_codes(struct cg_crossdoc *x, const struct cg_codes *codes);

/* Helpers of both families: copy @p src unless NULL (false: out of memory); two present, equal values. */
bool cg__crossdoc_dup(char **dst, const char *src);
bool cg__crossdoc_same(const char *a, const char *b);

/* The export family's share (crossdoc_export.c), held inside struct cg_crossdoc. */
struct cg_crossdoc_export;
cg_rc cg__crossdoc_export_new(struct cg_crossdoc_export **out);
void cg__crossdoc_export_free(struct cg_crossdoc_export *x);
cg_rc cg__crossdoc_export_add(struct cg_crossdoc_export *x, const struct cg_msg *m, const char *source);
cg_rc cg__crossdoc_export_check(struct cg_crossdoc_export *x, cg_findings *f);
void cg__crossdoc_export_reset(struct cg_crossdoc_export *x);
bool cg__crossdoc_export_empty(const struct cg_crossdoc_export *x);

#endif
