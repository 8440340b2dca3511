/* SPDX-License-Identifier: MIT */
/*
 * Export returns (退货), ceb-export-spec §2.8, §3.9-3.10: a CEB213 names a
 * closed export inventory (gone abroad, summarised or not) of the same
 * platform and consignor, within a year of its release; each of its lines is
 * a line of the original (gnum) with the same codes, names and units, and no
 * more than was exported less what earlier returns took. Customs answers 214
 * 120 then 800 (or 100 naming why). When the parcels come back the site
 * operator's tally (CEB215) is matched to the return by the return waybill
 * (logisticsCode + logisticsNo), the bill and the inventory: 216 399.
 *
 * Partial returns: each return keeps its quantities (export_return_line), so
 * a later return may take only what is left; the inventory becomes 'returned'
 * once tallied returns have brought back every line's whole quantity, and
 * keeps its state ('closed' or 'summarized') until then.
 *
 * Several nodes: the inventory's row is read FOR UPDATE on PostgreSQL, so two
 * returns of one inventory are judged one after the other, the second seeing
 * what the first took; a tally moves its return from 'approved' only once (a
 * conditional update).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "window/clearance.h"
#include "window/export_summary.h"

#define INFO_MAX 1000

enum { R_OF_DOC, R_RELEASED, R_TAKEN, R_ADD, R_LINE_ADD, R_BY_WAYBILL, R_TALLY };

static const char *const sql[] = {
	[R_OF_DOC] = "SELECT id FROM export_return WHERE document_id = $1 OR tally_id = $1",
	/* The release: the inventory's first 604 800 (export_return's one-year rule). */
	[R_RELEASED] = "SELECT min(created) FROM receipt WHERE document_id = $1"
		       " AND msg_type = 'CEB604Message' AND return_status = '800'",
	[R_TAKEN] = "SELECT l.gnum, l.qty, l.qty1, l.qty2 FROM export_return_line l"
		    " JOIN export_return r ON r.id = l.return_id"
		    " WHERE r.inventory_id = $1 AND r.state IN ('approved', 'tallied') AND ($2 = 0 OR r.state = 'tallied')",
	[R_ADD] = "INSERT INTO export_return(document_id, inventory_id, invt_no, logistics_code,"
		  " logistics_no, bill_no, state, created, updated) VALUES($1, $2, $3, $4, $5, $6, 'approved', $7, $7)",
	[R_LINE_ADD] = "INSERT INTO export_return_line(return_id, seq, gnum, qty, qty1, qty2)"
		       " VALUES($1, $2, $3, $4, $5, $6)",
	[R_BY_WAYBILL] = "SELECT id, inventory_id, state, bill_no, invt_no FROM export_return"
			 " WHERE logistics_code = $1 AND logistics_no = $2 ORDER BY id",
	[R_TALLY] = "UPDATE export_return SET state = 'tallied', tally_id = $2, updated = $3"
		    " WHERE id = $1 AND state = 'approved'",
};
static const char *const pg_sql[sizeof(sql) / sizeof(sql[0])] = {
	[R_TAKEN] = "SELECT l.gnum, l.qty, l.qty1, l.qty2 FROM export_return_line l"
		    " JOIN export_return r ON r.id = l.return_id"
		    " WHERE r.inventory_id = $1 AND r.state IN ('approved', 'tallied')"
		    " AND (CAST($2 AS BIGINT) = 0 OR r.state = 'tallied')",
	[R_BY_WAYBILL] = "SELECT id, inventory_id, state, bill_no, invt_no FROM export_return"
			 " WHERE logistics_code = $1 AND logistics_no = $2 ORDER BY id FOR UPDATE",
};
CG_DB_MODULE_PG(expret_sql, "export return", sql, pg_sql);

static cg_db_stmt *
q(cg_store *st, int id)
{
	return cg_db_prepared(cg__store_db(st), &expret_sql, id);
}

static cg_rc
dbfail(cg_store *st, cg_ctx *ctx, const char *what)
{
	return cg__fail(ctx, CG_EDB, "%s: %s", what, cg_db_errmsg(cg__store_db(st)));
}

static const char *
str(json_t *o, const char *field)
{
	return json_string_value(json_object_get(o, field));
}

static bool
same(const char *a, const char *b)
{
	return (a == NULL || *a == '\0') ? (b == NULL || *b == '\0') : (b != NULL && strcmp(a, b) == 0);
}

static cg_dec
dec(json_t *o, const char *field)
{
	cg_dec v = 0;

	return str(o, field) != NULL && cg__dec_parse(str(o, field), &v) ? v : 0;
}

/* ---- the rules of a return line, pure ------------------------------------------------ */

const char *
cg__return_check_line(json_t *orig, json_t *line, const cg_dec taken[3])
{
	static const char *const equal[] = { "gcode", "gname", "gmodel", "unit", "unit1", "unit2" };
	static const char *const qty[] = { "qty", "qty1", "qty2" };
	size_t i;

	if (orig == NULL)
		return "CG1365";
	for (i = 0; i < sizeof(equal) / sizeof(equal[0]); i++) {
		if (!same(str(orig, equal[i]), str(line, equal[i])))
			return "CG1365";
	}
	for (i = 0; i < 3; i++) {
		if (dec(line, qty[i]) + taken[i] > dec(orig, qty[i]))
			return "CG1366";
	}
	return NULL;
}

/* ---- the 213 -------------------------------------------------------------------------- */

/* The original line of @p gnum, or NULL; its index in *at. */
static json_t *
orig_line(json_t *inv, const char *gnum, size_t *at)
{
	json_t *lines = json_object_get(inv, "l"), *l;
	size_t i;

	json_array_foreach(lines, i, l) {
		if (gnum != NULL && same(str(l, "gnum"), gnum)) {
			*at = i;
			return l;
		}
	}
	return NULL;
}

/* What earlier returns took (only tallied ones when @p tallied), per original line: taken[line][3]. */
static cg_rc
taken_of(cg_store *st, cg_ctx *ctx, long long invt_id, json_t *inv, bool tallied, cg_dec (*taken)[3])
{
	cg_db_stmt *s = q(st, R_TAKEN);
	int r;

	if (s == NULL || cg_db_bind_int64(s, 1, invt_id) != CG_OK || cg_db_bind_int64(s, 2, tallied) != CG_OK)
		return dbfail(st, ctx, "earlier returns");
	while ((r = cg_db_step(s)) == CG_DB_ROW) {
		char gnum[24];
		size_t at = 0, i;

		(void)snprintf(gnum, sizeof(gnum), "%lld", cg_db_column_int64(s, 0));
		if (orig_line(inv, gnum, &at) == NULL)
			continue;
		for (i = 0; i < 3; i++) {
			cg_dec v = 0;

			if (cg__dec_parse(cg_db_column_text(s, (int)i + 1), &v))
				taken[at][i] += v;
		}
	}
	cg_db_reset(s);
	return r == CG_DB_DONE ? CG_OK : dbfail(st, ctx, "earlier returns");
}

/* When the inventory was released (its first 604 800), or @p fallback when none is kept. */
static cg_rc
released_at(cg_store *st, cg_ctx *ctx, long long invt_id, long long fallback, long long *at)
{
	cg_db_stmt *s = q(st, R_RELEASED);

	*at = fallback;
	if (s == NULL || cg_db_bind_int64(s, 1, invt_id) != CG_OK || cg_db_step(s) != CG_DB_ROW)
		return dbfail(st, ctx, "release time");
	if (!cg_db_column_is_null(s, 0))
		*at = cg_db_column_int64(s, 0);
	cg_db_reset(s);
	return CG_OK;
}

/* The lines of the return against the original: refusals added to @p why. */
static cg_rc
check_lines(cg_store *st, cg_ctx *ctx, const struct cg_expsum_doc *inv, json_t *ret, char *why, size_t size)
{
	json_t *lines = json_object_get(ret, "l"), *l;
	size_t n = json_array_size(json_object_get(inv->data, "l")), i, k;
	cg_dec(*taken)[3] = calloc(n + 1, sizeof(*taken));
	cg_rc rc = taken != NULL ? taken_of(st, ctx, inv->id, inv->data, false, taken) : CG_ENOMEM;

	json_array_foreach(lines, i, l) {
		size_t at = n;
		json_t *o = orig_line(inv->data, str(l, "gnum"), &at);
		const char *code;
		char subject[40];

		if (rc != CG_OK)
			break;
		code = cg__return_check_line(o, l, taken[at]);
		(void)snprintf(subject, sizeof(subject), "gnum %s", str(l, "gnum") != NULL ? str(l, "gnum") : "");
		if (code != NULL)
			cg__expsum_add_reason(why, size, code, subject, NULL);
		/* A gnum twice in one return: the second takes what the first left. */
		for (k = 0; o != NULL && k < 3; k++)
			taken[at][k] += dec(l, k == 0 ? "qty" : k == 1 ? "qty1" : "qty2");
	}
	free(taken);
	return rc;
}

static cg_rc
judge_return(cg_store *st, cg_ctx *ctx, const struct cg_expsum_cfg *cfg, json_t *ret,
	     struct cg_expsum_doc *inv, char *why, size_t size)
{
	const char *no = cg__expsum_h(ret, "invtNo");
	long long id = 0, released = 0;
	cg_rc rc = cg__expsum_find_invt(st, ctx, no != NULL ? no : "", &id);

	if (rc != CG_OK)
		return rc;
	if (id == 0) {
		cg__expsum_add_reason(why, size, "CG1362", no, NULL);
		return CG_OK;
	}
	rc = cg__expsum_load(st, ctx, id, true, inv);
	if (rc != CG_OK)
		return rc;
	if (strcmp(inv->state, "closed") != 0 && strcmp(inv->state, "summarized") != 0) {
		cg__expsum_add_reason(why, size, "CG1363", no, inv->state);
		return CG_OK;
	}
	if (!same(cg__expsum_h(ret, "ebpCode"), cg__expsum_h(inv->data, "ebpCode")) ||
	    !same(cg__expsum_h(ret, "ebcCode"), cg__expsum_h(inv->data, "ebcCode")))
		cg__expsum_add_reason(why, size, "CG1364", no, NULL);
	rc = released_at(st, ctx, id, inv->created, &released);
	if (rc == CG_OK && (long long)time(NULL) - released > cfg->return_days * 86400LL)
		cg__expsum_add_reason(why, size, "CG1367", no, NULL);
	return rc == CG_OK ? check_lines(st, ctx, inv, ret, why, size) : rc;
}

static cg_rc
bind_text(cg_db_stmt *s, int i, json_t *o, const char *field)
{
	const char *v = str(o, field);

	return cg_db_bind_text(s, i, v != NULL ? v : "");
}

/* The accepted return and its quantities, which later returns of the inventory count. */
static cg_rc
record_return(cg_store *st, cg_ctx *ctx, const struct cg_expsum_doc *doc, long long invt_id)
{
	json_t *h = json_object_get(doc->data, "h"), *l;
	cg_db_stmt *s = q(st, R_ADD);
	long long rid = 0;
	size_t i;
	cg_rc rc = CG_OK;

	if (s == NULL || cg_db_bind_int64(s, 1, doc->id) != CG_OK || cg_db_bind_int64(s, 2, invt_id) != CG_OK ||
	    bind_text(s, 3, h, "invtNo") != CG_OK || bind_text(s, 4, h, "logisticsCode") != CG_OK ||
	    bind_text(s, 5, h, "logisticsNo") != CG_OK || bind_text(s, 6, h, "billNo") != CG_OK ||
	    cg_db_bind_int64(s, 7, (long long)time(NULL)) != CG_OK || cg_db_step(s) != CG_DB_DONE)
		return dbfail(st, ctx, "export return");
	rid = cg_db_last_id(cg__store_db(st));
	json_array_foreach(json_object_get(doc->data, "l"), i, l) {
		const char *q2 = str(l, "qty2");

		s = q(st, R_LINE_ADD);
		if (s == NULL || cg_db_bind_int64(s, 1, rid) != CG_OK ||
		    cg_db_bind_int64(s, 2, (long long)i + 1) != CG_OK ||
		    cg_db_bind_int64(s, 3, strtoll(str(l, "gnum") != NULL ? str(l, "gnum") : "0", NULL, 10)) != CG_OK ||
		    bind_text(s, 4, l, "qty") != CG_OK || bind_text(s, 5, l, "qty1") != CG_OK ||
		    cg_db_bind_text(s, 6, q2 != NULL ? q2 : "0") != CG_OK || cg_db_step(s) != CG_DB_DONE)
			rc = dbfail(st, ctx, "export return line");
		if (rc != CG_OK)
			break;
	}
	return rc;
}

/* Whether this return (or tally) document was answered before: a change or a repeat. */
static cg_rc
answered(cg_store *st, cg_ctx *ctx, long long doc_id, bool *yes)
{
	cg_db_stmt *s = q(st, R_OF_DOC);
	int r;

	*yes = false;
	if (s == NULL || cg_db_bind_int64(s, 1, doc_id) != CG_OK)
		return dbfail(st, ctx, "export return");
	r = cg_db_step(s);
	cg_db_reset(s);
	*yes = r == CG_DB_ROW;
	return r == CG_DB_ROW || r == CG_DB_DONE ? CG_OK : dbfail(st, ctx, "export return");
}

cg_rc
cg__expsum_return_213(cg_store *st, cg_ctx *ctx, const struct cg_expsum_cfg *cfg, long long doc_id)
{
	struct cg_expsum_doc doc, inv;
	char why[INFO_MAX * 3 + 1] = "";
	bool yes = false;
	cg_rc rc = cg__expsum_load(st, ctx, doc_id, false, &doc);

	memset(&inv, 0, sizeof(inv));
	if (rc == CG_OK)
		rc = answered(st, ctx, doc_id, &yes);
	if (rc == CG_OK && yes)
		cg__expsum_add_reason(why, sizeof(why), "CG1361", NULL, NULL);
	else if (rc == CG_OK && strcmp(doc.state, "deleted") != 0)
		rc = judge_return(st, ctx, cfg, doc.data, &inv, why, sizeof(why));
	else
		goto out;
	if (rc == CG_OK && why[0] != '\0')
		rc = cg__expsum_receipt(st, ctx, 213, doc.data, doc.id, doc.sender, "100", why, NULL);
	else if (rc == CG_OK) {
		rc = record_return(st, ctx, &doc, inv.id);
		if (rc == CG_OK)
			rc = cg__expsum_receipt(st, ctx, 213, doc.data, doc.id, doc.sender, "120",
						"海关入库 stored", NULL);
		if (rc == CG_OK)
			rc = cg__expsum_receipt(st, ctx, 213, doc.data, doc.id, doc.sender, "800",
						"退货申请通过 return accepted: the goods may come back", NULL);
	}
	if (rc == CG_OK)
		rc = cg__audit(st, ctx, "system", why[0] != '\0' ? "return refused" : "return", doc.id,
			       why[0] != '\0' ? why : "214 800");
out:
	json_decref(doc.data);
	json_decref(inv.data);
	return rc;
}

/* ---- the 215 -------------------------------------------------------------------------- */

/* The approved (or tallied) return this tally names: *rid 0 when none; *state its state. */
static cg_rc
find_return(cg_store *st, cg_ctx *ctx, json_t *t, long long *rid, long long *invt_id, char *state, size_t size)
{
	cg_db_stmt *s = q(st, R_BY_WAYBILL);
	const char *no = cg__expsum_h(t, "invtNo");
	int r;

	*rid = 0;
	if (s == NULL || cg_db_bind_text(s, 1, cg__expsum_h(t, "logisticsCode")) != CG_OK ||
	    cg_db_bind_text(s, 2, cg__expsum_h(t, "logisticsNo")) != CG_OK)
		return dbfail(st, ctx, "return tally");
	while ((r = cg_db_step(s)) == CG_DB_ROW) {
		if (!same(cg_db_column_text(s, 3), cg__expsum_h(t, "billNo")) ||
		    (no != NULL && *no != '\0' && !same(cg_db_column_text(s, 4), no)))
			continue;
		/* The first one still waiting, else the last one tallied. */
		if (*rid != 0 && strcmp(state, "approved") == 0)
			continue;
		*rid = cg_db_column_int64(s, 0);
		*invt_id = cg_db_column_int64(s, 1);
		(void)snprintf(state, size, "%s", cg_db_column_text(s, 2));
	}
	cg_db_reset(s);
	return r == CG_DB_DONE ? CG_OK : dbfail(st, ctx, "return tally");
}

/* Every line back, by tallied returns: the inventory is 'returned'. */
static cg_rc
maybe_returned(cg_store *st, cg_ctx *ctx, long long invt_id)
{
	struct cg_expsum_doc inv;
	json_t *l;
	size_t n, i;
	cg_dec(*taken)[3] = NULL;
	bool all = true, moved = false;
	cg_rc rc = cg__expsum_load(st, ctx, invt_id, true, &inv);

	n = json_array_size(json_object_get(inv.data, "l"));
	taken = rc == CG_OK ? calloc(n + 1, sizeof(*taken)) : NULL;
	if (rc == CG_OK)
		rc = taken != NULL ? taken_of(st, ctx, invt_id, inv.data, true, taken) : CG_ENOMEM;
	json_array_foreach(json_object_get(inv.data, "l"), i, l) {
		if (rc == CG_OK && taken[i][0] < dec(l, "qty"))
			all = false;
	}
	if (rc == CG_OK && all && n > 0) {
		rc = cg__expsum_set_state(st, ctx, invt_id, "closed", "returned", &moved);
		if (rc == CG_OK && !moved)
			rc = cg__expsum_set_state(st, ctx, invt_id, "summarized", "returned", &moved);
		if (rc == CG_OK && moved)
			rc = cg__audit(st, ctx, "system", "returned", invt_id, "全部退货 every line came back");
	}
	free(taken);
	json_decref(inv.data);
	return rc;
}

cg_rc
cg__expsum_tally_215(cg_store *st, cg_ctx *ctx, long long doc_id)
{
	struct cg_expsum_doc doc;
	char why[INFO_MAX * 3 + 1] = "", state[24] = "";
	long long rid = 0, invt_id = 0;
	bool yes = false;
	cg_db_stmt *s;
	cg_rc rc = cg__expsum_load(st, ctx, doc_id, false, &doc);

	if (rc == CG_OK)
		rc = answered(st, ctx, doc_id, &yes);
	if (rc != CG_OK || (!yes && strcmp(doc.state, "deleted") == 0))
		goto out;
	if (yes)
		cg__expsum_add_reason(why, sizeof(why), "CG1361", NULL, NULL);
	else
		rc = find_return(st, ctx, doc.data, &rid, &invt_id, state, sizeof(state));
	if (rc == CG_OK && !yes && rid == 0)
		cg__expsum_add_reason(why, sizeof(why), "CG1368", cg__expsum_h(doc.data, "logisticsNo"), NULL);
	else if (rc == CG_OK && !yes && strcmp(state, "approved") != 0)
		cg__expsum_add_reason(why, sizeof(why), "CG1369", cg__expsum_h(doc.data, "logisticsNo"), NULL);
	if (rc == CG_OK && why[0] == '\0') {
		s = q(st, R_TALLY);
		if (s == NULL || cg_db_bind_int64(s, 1, rid) != CG_OK || cg_db_bind_int64(s, 2, doc.id) != CG_OK ||
		    cg_db_bind_int64(s, 3, (long long)time(NULL)) != CG_OK || cg_db_step(s) != CG_DB_DONE)
			rc = dbfail(st, ctx, "return tally");
		else if (cg_db_changes(cg__store_db(st)) != 1)
			cg__expsum_add_reason(why, sizeof(why), "CG1369", cg__expsum_h(doc.data, "logisticsNo"), NULL);
	}
	if (rc == CG_OK && why[0] == '\0')
		rc = maybe_returned(st, ctx, invt_id);
	if (rc == CG_OK)
		rc = cg__expsum_receipt(st, ctx, 215, doc.data, doc.id, doc.sender, why[0] != '\0' ? "100" : "399",
					why[0] != '\0' ? why : "理货完成 tallied: the returned goods are back", NULL);
	if (rc == CG_OK)
		rc = cg__audit(st, ctx, "system", why[0] != '\0' ? "tally refused" : "tally", doc.id,
			       why[0] != '\0' ? why : "216 399");
out:
	json_decref(doc.data);
	return rc;
}
