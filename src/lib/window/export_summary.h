/* SPDX-License-Identifier: MIT */
/*
 * The customs side of the summary declaration (汇总申报, CEB701 -> 702 -> 792,
 * export_summary.c) and of export returns (CEB213 -> 214, CEB215 -> 216,
 * export_return.c), after the acceptance of the declaration (submission).
 * The checks and the grouping are pure functions over the stored documents'
 * JSON ({"h": {head}, "l": [lines]}), so that tests reach them without a
 * database.
 */
#ifndef CG_EXPORT_SUMMARY_H
#define CG_EXPORT_SUMMARY_H

#include <stdbool.h>
#include <jansson.h>
#include "util/decimal.h"
#include "window/store_internal.h"

/* Which inventories a summary may take: the period rule of ceb-export-spec §2.9. */
enum cg_sum_period {
	CG_SUM_PERIOD_MONTH, /* closed in an earlier calendar month (China time) than the application */
	CG_SUM_PERIOD_ANY    /* any closed inventory */
};
/* A listed inventory of simplified declaration (statisticsFlag A): UNCONFIRMED (§8). */
enum cg_sum_flag_a { CG_SUM_A_REFUSE, CG_SUM_A_EXCLUDE };
/* What gseqno numbers: the declaration item a line went into, or the row (UNCONFIRMED, §6.9). */
enum cg_sum_gseqno { CG_SUM_GSEQNO_ITEM, CG_SUM_GSEQNO_ROW };

/* Settings of the export summary and returns (docs/export.md), part of cg_clearance_cfg. */
struct cg_expsum_cfg {
	int period;	   /* enum cg_sum_period */
	int flag_a;	   /* enum cg_sum_flag_a */
	int gseqno;	   /* enum cg_sum_gseqno */
	int return_days;   /* a return (CEB213) within this many days of the release */
};
#define CG_EXPSUM_CFG_INIT { CG_SUM_PERIOD_MONTH, CG_SUM_A_REFUSE, CG_SUM_GSEQNO_ITEM, 365 }

/* What a summary application asks for (its head). */
struct cg_sum_app {
	const char *ebc_code;	 /* the consignor */
	const char *customs;	 /* the customs office */
	bool window;		 /* startTime/endTime given: the list is ignored */
	long long start, end;	 /* the window, Unix time */
	long long now;		 /* when it is judged */
};

/* A candidate inventory as stored (borrowed). */
struct cg_sum_invt {
	long long id;
	const char *state;
	long long closed; /* `updated`: when it reached its state */
	json_t *data;
};

/*
 * Why @p inv may not be summarised for @p app: a finding code (CG1352...
 * CG1356) or NULL when it may. @p inv NULL: not found (CG1351).
 */
const char *cg__summary_check(const struct cg_sum_app *app, const struct cg_sum_invt *inv,
			      const struct cg_expsum_cfg *cfg);
/* The short Chinese and English reason for a finding code of this family. */
const char *cg__expsum_reason(const char *code);

/* One row of a summary result: an inventory line and its gseqno (borrowed strings). */
struct cg_sum_row {
	const char *invt_no, *logistics_no, *gcode;
	long long gnum;
	int gseqno;
};

/* One generated customs declaration: a combination of the head criteria (§2.9). */
struct cg_sum_decl {
	char *key;	 /* ebcCode|trafMode|ownerCode|country|portCode */
	char **items;	 /* the item keys, in the order of their number (1...) */
	size_t nitems;
	struct cg_sum_row *rows;
	size_t nrows;
	cg_dec gross, net;
	size_t ninvt;
};

struct cg_sum_result {
	struct cg_sum_decl *decls;
	size_t n;
	size_t *of; /* the declaration of each inventory given, by its index */
};

/*
 * Group @p n inventories (their data) into declarations: one per ebcCode,
 * trafMode, ownerCode (summaryFlag 2 only), country and portCode; inside one,
 * one item per line country, gcode and currency (and itemName when
 * itemNameFlag is 1); weights summed. Strings are borrowed from the data.
 */
cg_rc cg__summary_group(struct cg_sum_result *out, json_t *const *invts, size_t n,
			const char *summary_flag, const char *item_name_flag, int gseqno_mode);
void cg__summary_result_dispose(struct cg_sum_result *r);

/*
 * A return line against the original inventory's line @p orig (NULL: no
 * line of that gnum) and what earlier returns took of it (@p taken: qty,
 * qty1, qty2): NULL when it may be returned, else the code (CG1365, CG1366).
 */
const char *cg__return_check_line(json_t *orig, json_t *line, const cg_dec taken[3]);

/*
 * After an export declaration was accepted (its first receipt written), in
 * the same transaction: a summary application (701) is judged and answered
 * (702 399 and its 792 results, or 702 100), a return (213) checked (214 120
 * then 800, or 100), a return tally (215) matched to its return (216 399 or
 * 100). Other kinds: nothing.
 */
cg_rc cg__expsum_after(cg_store *st, cg_ctx *ctx, const struct cg_expsum_cfg *cfg, int kind,
		       long long doc_id);

/* Internal to export_summary.c and export_return.c. */
cg_rc cg__expsum_receipt(cg_store *st, cg_ctx *ctx, int kind, json_t *data, long long doc_id,
			 long long eid, const char *status, const char *info, const char *sum_no);
void cg__expsum_add_reason(char *buf, size_t size, const char *code, const char *subject,
			   const char *detail);
/* Look up an export inventory by invtNo: *id 0 when none. */
cg_rc cg__expsum_find_invt(cg_store *st, cg_ctx *ctx, const char *invt_no, long long *id);
/* Load (and lock, PostgreSQL) a document by id: state, data, updated, sender, created. */
struct cg_expsum_doc {
	long long id, updated, sender, created;
	int kind;
	char state[24];
	json_t *data;
};
cg_rc cg__expsum_load(cg_store *st, cg_ctx *ctx, long long id, bool lock, struct cg_expsum_doc *d);
/* Set a document's state when it is still @p from (NULL: any): *done says whether it moved. */
cg_rc cg__expsum_set_state(cg_store *st, cg_ctx *ctx, long long id, const char *from,
			   const char *to, bool *done);
const char *cg__expsum_h(json_t *data, const char *field);
cg_rc cg__expsum_return_213(cg_store *st, cg_ctx *ctx, const struct cg_expsum_cfg *cfg,
			    long long doc_id);
cg_rc cg__expsum_tally_215(cg_store *st, cg_ctx *ctx, long long doc_id);

#endif
