/* SPDX-License-Identifier: MIT */
/*
 * Electronic tax bills (电子税单), ceb-spec §3.9, §5.2, §10.1: a released
 * inventory gets its CEB816 with the taxes recomputed per line from the code
 * tables (tax.c), against the guarantee of its assureCode enterprise. The
 * bill's status then moves by CEB818: voided (3) when the goods come back by
 * a return (CEB625) within the return period, deducted from the guarantee
 * (2, summarised for payment) once that period is over.
 *
 * UNCONFIRMED choices: the return period is counted from the release (30 days
 * by default, §10.4); the lines carry the figures at 5 decimals as computed,
 * the head each tax's sum rounded half-up to 0.01; the bill number is the
 * district, the release date (UTC+8) and the inventory's id.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>
#include "ceb/rules.h"
#include "ceb/writer.h"
#include "cebgate/status.h"
#include "util/csv.h"
#include "window/receipt.h"
#include "window/service_internal.h"
#include "window/taxbill.h"

/* An inventory has at most 99 goods lines (ceb-spec §3.5). */
#define MAX_LINES 99

enum { T_ADD, T_BY_DOC, T_BY_INVT, T_SET, T_DUE, T_ANY_DUE, T_ENT, T_DOC_DATA, T_ONE, T_MONTH };

#define BILL_COLUMNS                                                                              \
	"SELECT b.id, b.tax_no AS \"taxNo\", b.invt_no AS \"invtNo\", b.status,"                   \
	" b.assure_code AS \"assureCode\", b.ebc_code AS \"ebcCode\","                              \
	" b.customs_tax AS \"customsTax\", b.vat AS \"valueAddedTax\","                             \
	" b.consumption_tax AS \"consumptionTax\", b.basis, b.lines, b.month, b.issued,"             \
	" b.released, b.updated, b.document_id, b.enterprise_id FROM tax_bill b"
/* A statement lists at most this many bills (a month of one enterprise). */
#define STATEMENT_MAX 20000

static const char *const sql[] = {
	[T_ADD] = "INSERT INTO tax_bill(tax_no, document_id, enterprise_id, invt_no, assure_code,"
		  " ebc_code, customs_tax, vat, consumption_tax, status, basis, lines, month, issued,"
		  " released, updated) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
		  " $14, $15, $16)",
	[T_BY_DOC] = "SELECT id FROM tax_bill WHERE document_id = $1",
	[T_BY_INVT] = "SELECT id FROM tax_bill WHERE invt_no = $1 ORDER BY id DESC LIMIT 1",
	[T_SET] = "UPDATE tax_bill SET status = $2, updated = $3 WHERE id = $1",
	/* Past the return period, by index (tax_bill_due); then whether any is, unsorted. */
	[T_DUE] = "SELECT id FROM tax_bill WHERE status = '1' AND released < $1 ORDER BY id LIMIT 500",
	[T_ANY_DUE] = "SELECT id FROM tax_bill WHERE status = '1' AND released < $1 LIMIT 1",
	[T_ENT] = "SELECT id FROM enterprise WHERE cop_code = $1",
	[T_DOC_DATA] = "SELECT data FROM document WHERE id = $1",
	[T_ONE] = BILL_COLUMNS " WHERE b.id = $1",
	[T_MONTH] = BILL_COLUMNS " JOIN enterprise e ON e.id = b.enterprise_id WHERE b.month = $1"
		    " AND (b.assure_code = $2 OR b.ebc_code = $2 OR e.cop_code = $2) ORDER BY b.id LIMIT $3",
};
CG_DB_MODULE(taxbill_sql, "taxbill", sql);

static cg_db_stmt *
q(cg_store *st, int id)
{
	return cg_db_prepared(cg__store_db(st), &taxbill_sql, id);
}

static cg_rc
dbfail(cg_store *st, cg_ctx *ctx, const char *what)
{
	return cg__fail(ctx, CG_EDB, "%s: %s", what, cg_db_errmsg(cg__store_db(st)));
}

static const char *
head(json_t *data, const char *field)
{
	const char *v = json_string_value(json_object_get(json_object_get(data, "h"), field));

	return v != NULL ? v : "";
}

/* The bill's status in words, for people (§5.2). */
static const char *
status_words(const char *status)
{
	if (strcmp(status, CG_TAXBILL_ISSUED) == 0)
		return "已生成 issued";
	if (strcmp(status, CG_TAXBILL_DEDUCTED) == 0)
		return "已汇总（担保扣减） deducted from the guarantee";
	if (strcmp(status, CG_TAXBILL_CANCELLED) == 0)
		return "作废 cancelled";
	return "";
}

/* Rebuild the stored inventory as a record for tax.c (the fields it knows). */
static cg_rc
as_decl(json_t *data, struct cg_msg **out)
{
	const struct cg_msgdef *def = cg__msgdef_by_type(621);
	struct cg_decl *decl = NULL;
	struct cg_group *line;
	json_t *o, *v;
	const char *k;
	size_t i;
	cg_rc rc = cg__msg_new(out, def);

	if (rc == CG_OK)
		rc = cg__msg_add_doc(*out, &decl);
	json_object_foreach(json_object_get(data, "h"), k, v)
	{
		if (rc == CG_OK && json_is_string(v) && cg__edef_find(def->head, k) >= 0)
			rc = cg__group_set(&decl->head, cg__edef_find(def->head, k), json_string_value(v), 0, 0);
	}
	json_array_foreach(json_object_get(data, "l"), i, o)
	{
		if (rc == CG_OK)
			rc = cg__decl_add_line(decl, def, &line);
		json_object_foreach(o, k, v)
		{
			if (rc == CG_OK && json_is_string(v) && cg__edef_find(def->list, k) >= 0)
				rc = cg__group_set(line, cg__edef_find(def->list, k), json_string_value(v), 0, 0);
		}
	}
	return rc;
}

static cg_rc
set(struct cg_group *g, const char *field, const char *v)
{
	int idx = cg__edef_find(g->def, field);

	return idx < 0 || v == NULL || *v == '\0' ? CG_OK : cg__group_set(g, idx, v, 0, 0);
}

static cg_rc
set_dec(struct cg_group *g, const char *field, cg_dec v)
{
	char txt[64];

	cg__dec_format(v, txt, sizeof(txt));
	return set(g, field, txt);
}

/* The three taxes of the bill's head: each one's sum over the lines, to 0.01. */
struct totals {
	cg_dec duty, vat, ct;
};

/* The CEB816 of a bill: head (TaxHeadRd) from the inventory, a TaxListRd per line. */
static cg_rc
build_816(json_t *data, const char *tax_no, const struct totals *t, const struct cg_tax_line *lines,
	  size_t n, cg_buf *out)
{
	const struct cg_msgdef *def = cg__msgdef_by_type(816);
	struct cg_msg *m = NULL;
	struct cg_decl *d = NULL;
	struct cg_group *g;
	char guid[40], when[32], gnum[16];
	uuid_t u;
	size_t i;
	cg_rc rc = cg__msg_new(&m, def);

	if (rc == CG_OK)
		rc = cg__msg_add_doc(m, &d);
	uuid_generate_random(u);
	uuid_unparse_upper(u, guid);
	cg__now17(when, sizeof(when));
	if (rc == CG_OK) {
		g = &d->head;
		rc = set(g, "guid", guid);
		rc = rc == CG_OK ? set(g, "returnTime", when) : rc;
		rc = rc == CG_OK ? set(g, "invtNo", head(data, "invtNo")) : rc;
		rc = rc == CG_OK ? set(g, "taxNo", tax_no) : rc;
		rc = rc == CG_OK ? set_dec(g, "customsTax", t->duty) : rc;
		rc = rc == CG_OK ? set_dec(g, "valueAddedTax", t->vat) : rc;
		rc = rc == CG_OK ? set_dec(g, "consumptionTax", t->ct) : rc;
		rc = rc == CG_OK ? set(g, "status", CG_TAXBILL_ISSUED) : rc;
		rc = rc == CG_OK ? set(g, "assureCode", head(data, "assureCode")) : rc;
		rc = rc == CG_OK ? set(g, "ebcCode", head(data, "ebcCode")) : rc;
		rc = rc == CG_OK ? set(g, "logisticsCode", head(data, "logisticsCode")) : rc;
		rc = rc == CG_OK ? set(g, "agentCode", head(data, "agentCode")) : rc;
		rc = rc == CG_OK ? set(g, "customsCode", head(data, "customsCode")) : rc;
	}
	for (i = 0; rc == CG_OK && i < n; i++) {
		json_t *l = json_array_get(json_object_get(data, "l"), i);

		rc = cg__decl_add_line(d, def, &g);
		(void)snprintf(gnum, sizeof(gnum), "%zu", i + 1);
		rc = rc == CG_OK ? set(g, "gnum", json_string_value(json_object_get(l, "gnum")) != NULL
						   ? json_string_value(json_object_get(l, "gnum"))
						   : gnum)
				 : rc;
		rc = rc == CG_OK ? set(g, "gcode", json_string_value(json_object_get(l, "gcode"))) : rc;
		rc = rc == CG_OK ? set_dec(g, "taxPrice", lines[i].value) : rc;
		rc = rc == CG_OK ? set_dec(g, "customsTax", lines[i].duty) : rc;
		rc = rc == CG_OK ? set_dec(g, "valueAddedTax", lines[i].vat) : rc;
		rc = rc == CG_OK ? set_dec(g, "consumptionTax", lines[i].ct) : rc;
	}
	if (rc == CG_OK) {
		m->guid = cg__strdup(guid);
		m->version = cg__strdup("1.0");
		rc = m->guid != NULL && m->version != NULL ? cg__msg_to_xml(m, out) : CG_ENOMEM;
	}
	cg__msg_free(m);
	return rc;
}

/* The CEB818 of a status change. */
static cg_rc
build_818(const char *invt_no, const char *tax_no, const char *status, const char *assure, cg_buf *out)
{
	const struct cg_msgdef *def = cg__msgdef_by_type(818);
	struct cg_msg *m = NULL;
	struct cg_decl *d = NULL;
	char guid[40], when[32];
	uuid_t u;
	cg_rc rc = cg__msg_new(&m, def);

	if (rc == CG_OK)
		rc = cg__msg_add_doc(m, &d);
	uuid_generate_random(u);
	uuid_unparse_upper(u, guid);
	cg__now17(when, sizeof(when));
	rc = rc == CG_OK ? set(&d->head, "guid", guid) : rc;
	rc = rc == CG_OK ? set(&d->head, "returnTime", when) : rc;
	rc = rc == CG_OK ? set(&d->head, "invtNo", invt_no) : rc;
	rc = rc == CG_OK ? set(&d->head, "taxNo", tax_no) : rc;
	rc = rc == CG_OK ? set(&d->head, "status", status) : rc;
	rc = rc == CG_OK ? set(&d->head, "assureCode", assure) : rc;
	if (rc == CG_OK) {
		m->guid = cg__strdup(guid);
		m->version = cg__strdup("1.0");
		rc = m->guid != NULL && m->version != NULL ? cg__msg_to_xml(m, out) : CG_ENOMEM;
	}
	cg__msg_free(m);
	return rc;
}

/* The registered enterprise of @p code, 0 when there is none. */
static long long
enterprise_of(cg_store *st, const char *code)
{
	cg_db_stmt *s = q(st, T_ENT);
	long long id = 0;

	if (s != NULL && code[0] != '\0' && cg_db_bind_text(s, 1, code) == CG_OK &&
	    cg_db_step(s) == CG_DB_ROW)
		id = cg_db_column_int64(s, 0);
	if (s != NULL)
		cg_db_reset(s);
	return id;
}

/*
 * A bill's receipt (816 or 818) for the declarant and for the guarantor when
 * it is another registered enterprise. Not tied to the inventory's document,
 * so the declaration's own receipt list (622) stays as it was.
 */
static cg_rc
deliver(cg_store *st, cg_ctx *ctx, long long sender, const char *assure, const char *type,
	const char *status, const cg_buf *xml)
{
	long long guarantor = enterprise_of(st, assure);
	cg_rc rc = cg__store_receipt_add(st, ctx, sender, 0, type, status, xml->ptr, xml->len);

	if (rc == CG_OK && guarantor != 0 && guarantor != sender)
		rc = cg__store_receipt_add(st, ctx, guarantor, 0, type, status, xml->ptr, xml->len);
	return rc;
}

static void
month_of(long long when, char *out, size_t size)
{
	time_t t = (time_t)when + 8 * 3600; /* China Standard Time */
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, size, "%Y%m", &tm) == 0)
		(void)snprintf(out, size, "197001");
}

/* The lines as JSON for the desk and the statement. */
static json_t *
lines_json(json_t *data, const struct cg_tax_line *lines, size_t n)
{
	json_t *a = json_array();
	char v[64], du[64], va[64], ct[64];
	size_t i;

	for (i = 0; a != NULL && i < n; i++) {
		json_t *l = json_array_get(json_object_get(data, "l"), i);

		cg__dec_format(lines[i].value, v, sizeof(v));
		cg__dec_format(lines[i].duty, du, sizeof(du));
		cg__dec_format(lines[i].vat, va, sizeof(va));
		cg__dec_format(lines[i].ct, ct, sizeof(ct));
		if (json_array_append_new(a, json_pack("{s:s?, s:s?, s:s, s:s, s:s, s:s}", "gnum",
						       json_string_value(json_object_get(l, "gnum")),
						       "gcode", json_string_value(json_object_get(l, "gcode")),
						       "taxPrice", v, "customsTax", du, "valueAddedTax", va,
						       "consumptionTax", ct)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static cg_rc
insert(cg_store *st, cg_ctx *ctx, long long doc_id, long long sender, json_t *data, const char *tax_no,
       const struct totals *t, const char *basis, const char *lines, long long now)
{
	cg_db_stmt *s = q(st, T_ADD);
	char du[64], va[64], ct[64], month[8];

	cg__dec_format(t->duty, du, sizeof(du));
	cg__dec_format(t->vat, va, sizeof(va));
	cg__dec_format(t->ct, ct, sizeof(ct));
	month_of(now, month, sizeof(month));
	if (s == NULL || cg_db_bind_text(s, 1, tax_no) != CG_OK ||
	    cg_db_bind_int64(s, 2, doc_id) != CG_OK || cg_db_bind_int64(s, 3, sender) != CG_OK ||
	    cg_db_bind_text(s, 4, head(data, "invtNo")) != CG_OK ||
	    cg_db_bind_text(s, 5, head(data, "assureCode")) != CG_OK ||
	    cg_db_bind_text(s, 6, head(data, "ebcCode")) != CG_OK ||
	    cg_db_bind_text(s, 7, du) != CG_OK || cg_db_bind_text(s, 8, va) != CG_OK ||
	    cg_db_bind_text(s, 9, ct) != CG_OK ||
	    cg_db_bind_text(s, 10, CG_TAXBILL_ISSUED) != CG_OK ||
	    cg_db_bind_text(s, 11, basis) != CG_OK || cg_db_bind_text(s, 12, lines) != CG_OK ||
	    cg_db_bind_text(s, 13, month) != CG_OK || cg_db_bind_int64(s, 14, now) != CG_OK ||
	    cg_db_bind_int64(s, 15, now) != CG_OK || cg_db_bind_int64(s, 16, now) != CG_OK)
		return dbfail(st, ctx, "tax bill");
	return cg_db_run(cg__store_db(st), ctx, s, "tax bill");
}

static bool
has_bill(cg_store *st, long long doc_id)
{
	cg_db_stmt *s = q(st, T_BY_DOC);
	bool found = false;

	if (s != NULL && cg_db_bind_int64(s, 1, doc_id) == CG_OK)
		found = cg_db_step(s) == CG_DB_ROW;
	if (s != NULL)
		cg_db_reset(s);
	return found;
}

cg_rc
cg__taxbill_issue(cg_store *st, cg_ctx *ctx, const struct cg_codes *codes, long long doc_id,
		  long long sender, json_t *data)
{
	struct cg_msg *m = NULL;
	struct cg_tax tax;
	struct cg_tax_line lines[MAX_LINES];
	struct totals t = { 0, 0, 0 };
	cg_buf xml = CG_BUF_INIT(0);
	char tax_no[64], when[32], info[600];
	json_t *lj = NULL;
	char *lt = NULL;
	long long now = (long long)time(NULL);
	size_t i, n;
	cg_rc rc;

	if (codes == NULL || has_bill(st, doc_id))
		return CG_OK;
	rc = as_decl(data, &m);
	n = rc == CG_OK ? m->docs[0].nlines : 0;
	if (rc == CG_OK && (n == 0 || n > MAX_LINES))
		rc = CG_EINVAL;
	if (rc == CG_OK) {
		memset(lines, 0, sizeof(lines));
		cg__tax_lines(codes, &m->docs[0], &tax, lines);
	}
	cg__msg_free(m);
	if (rc == CG_OK && tax.basis != CG_TAX_RETAIL && tax.basis != CG_TAX_FULL) {
		/* No figure (a rate cebgate cannot apply): no bill, and the trail says why. */
		(void)snprintf(info, sizeof(info), "电子税单未生成 no tax bill: %s",
			       tax.basis == CG_TAX_UNCHECKED ? tax.why_en : "the tax could not be recomputed");
		return cg__audit(st, ctx, "system", "tax-bill", doc_id, info);
	}
	if (rc != CG_OK)
		return rc == CG_EINVAL ? CG_OK : rc;
	for (i = 0; i < n; i++) {
		t.duty += lines[i].duty;
		t.vat += lines[i].vat;
		t.ct += lines[i].ct;
	}
	t.duty = cg__dec_round(t.duty, 2);
	t.vat = cg__dec_round(t.vat, 2);
	t.ct = cg__dec_round(t.ct, 2);
	cg__now17(when, sizeof(when));
	(void)snprintf(tax_no, sizeof(tax_no), "%.4s%.8s%010lld",
		       head(data, "customsCode")[0] != '\0' ? head(data, "customsCode") : "0000", when,
		       doc_id);
	lj = lines_json(data, lines, n);
	lt = lj != NULL ? json_dumps(lj, JSON_COMPACT) : NULL;
	rc = lt != NULL ? insert(st, ctx, doc_id, sender, data, tax_no, &t,
				 tax.basis == CG_TAX_FULL ? "full" : "retail", lt, now)
			: CG_ENOMEM;
	if (rc == CG_OK)
		rc = build_816(data, tax_no, &t, lines, n, &xml);
	if (rc == CG_OK)
		rc = deliver(st, ctx, sender, head(data, "assureCode"), "CEB816Message", CG_TAXBILL_ISSUED, &xml);
	if (rc == CG_OK) {
		char du[64], va[64], ct[64];

		cg__dec_format(t.duty, du, sizeof(du));
		cg__dec_format(t.vat, va, sizeof(va));
		cg__dec_format(t.ct, ct, sizeof(ct));
		(void)snprintf(info, sizeof(info),
			       "电子税单 tax bill %s issued: customsTax %s, valueAddedTax %s, consumptionTax %s (%s rates), assureCode %.64s",
			       tax_no, du, va, ct, tax.basis == CG_TAX_FULL ? "full" : "retail",
			       head(data, "assureCode"));
		rc = cg__audit(st, ctx, "system", "tax-bill", doc_id, info);
	}
	cg_buf_dispose(&xml);
	json_decref(lj);
	free(lt);
	return rc;
}

/* One bill, the fields a status change needs. */
struct bill {
	long long id, doc, sender, released;
	char tax_no[64], invt_no[32], status[4], assure[72];
};

static cg_rc
load(cg_store *st, cg_ctx *ctx, long long id, struct bill *b, json_t **row)
{
	cg_db_stmt *s = q(st, T_ONE);

	memset(b, 0, sizeof(*b));
	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK)
		return dbfail(st, ctx, "tax bill");
	if (cg_db_step(s) != CG_DB_ROW) {
		cg_db_reset(s);
		return CG_ENOTFOUND;
	}
	b->id = cg_db_column_int64(s, 0);
	(void)snprintf(b->tax_no, sizeof(b->tax_no), "%s", cg_db_column_text(s, 1));
	(void)snprintf(b->invt_no, sizeof(b->invt_no), "%s", cg_db_column_text(s, 2));
	(void)snprintf(b->status, sizeof(b->status), "%s", cg_db_column_text(s, 3));
	(void)snprintf(b->assure, sizeof(b->assure), "%s", cg_db_column_text(s, 4));
	b->released = cg_db_column_int64(s, 13);
	b->doc = cg_db_column_int64(s, 15);
	b->sender = cg_db_column_int64(s, 16);
	if (row != NULL)
		*row = cg_db_row_json(s, 0);
	cg_db_reset(s);
	return row == NULL || *row != NULL ? CG_OK : CG_ENOMEM;
}

/* Move a bill to @p status with its CEB818 and an audit record. */
static cg_rc
change(cg_store *st, cg_ctx *ctx, const struct bill *b, const char *status, const char *why)
{
	cg_db_stmt *s = q(st, T_SET);
	cg_buf xml = CG_BUF_INIT(0);
	char info[400];
	cg_rc rc;

	if (s == NULL || cg_db_bind_int64(s, 1, b->id) != CG_OK ||
	    cg_db_bind_text(s, 2, status) != CG_OK ||
	    cg_db_bind_int64(s, 3, (long long)time(NULL)) != CG_OK)
		return dbfail(st, ctx, "tax bill status");
	rc = cg_db_run(cg__store_db(st), ctx, s, "tax bill status");
	if (rc == CG_OK)
		rc = build_818(b->invt_no, b->tax_no, status, b->assure, &xml);
	if (rc == CG_OK)
		rc = deliver(st, ctx, b->sender, b->assure, "CEB818Message", status, &xml);
	cg_buf_dispose(&xml);
	(void)snprintf(info, sizeof(info), "电子税单 tax bill %s: %s (%s)", b->tax_no, status_words(status), why);
	return rc == CG_OK ? cg__audit(st, ctx, "system", "tax-bill", b->doc, info) : rc;
}

cg_rc
cg__taxbill_return(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, long long doc_id)
{
	cg_db_stmt *s = q(st, T_DOC_DATA);
	json_t *data = NULL;
	struct bill b;
	long long id = 0, now = (long long)time(NULL);
	cg_rc rc;

	if (s == NULL || cg_db_bind_int64(s, 1, doc_id) != CG_OK)
		return dbfail(st, ctx, "return");
	if (cg_db_step(s) == CG_DB_ROW)
		data = json_loads(cg_db_column_text(s, 0), 0, NULL);
	cg_db_reset(s);
	s = q(st, T_BY_INVT);
	if (s == NULL)
		rc = dbfail(st, ctx, "return");
	else if (data != NULL && cg_db_bind_text(s, 1, head(data, "invtNo")) == CG_OK &&
		 cg_db_step(s) == CG_DB_ROW)
		id = cg_db_column_int64(s, 0);
	if (s != NULL)
		cg_db_reset(s);
	json_decref(data);
	if (id == 0)
		return CG_OK; /* no bill: nothing to void */
	rc = load(st, ctx, id, &b, NULL);
	if (rc != CG_OK || strcmp(b.status, CG_TAXBILL_ISSUED) != 0)
		return rc;
	/* Within the period the goods come back untaxed; after it, the bill stands (§10.4). */
	if (now - b.released > cfg->tax_return_days * 86400LL)
		return cg__audit(st, ctx, "system", "tax-bill", b.doc,
				 "退货超过期限，电子税单不作废 return after the return period: the tax bill stands");
	return change(st, ctx, &b, CG_TAXBILL_CANCELLED, "return within the return period");
}

bool
cg__taxbill_sweep_due(cg_store *st, const struct cg_clearance_cfg *cfg, long long now)
{
	cg_db_stmt *s = q(st, T_ANY_DUE);
	bool due;

	if (s == NULL || cg_db_bind_int64(s, 1, now - cfg->tax_return_days * 86400LL) != CG_OK)
		return true; /* the sweep says what failed */
	due = cg_db_step(s) != CG_DB_DONE;
	cg_db_reset(s);
	return due;
}

cg_rc
cg__taxbill_sweep(cg_store *st, cg_ctx *ctx, const struct cg_clearance_cfg *cfg, long long now,
		  int *settled)
{
	cg_db_stmt *s = q(st, T_DUE);
	long long ids[500];
	int n = 0, i;
	cg_rc rc = CG_OK;

	*settled = 0;
	if (s == NULL || cg_db_bind_int64(s, 1, now - cfg->tax_return_days * 86400LL) != CG_OK)
		return dbfail(st, ctx, "tax bills due");
	while (n < 500 && cg_db_step(s) == CG_DB_ROW)
		ids[n++] = cg_db_column_int64(s, 0);
	cg_db_reset(s);
	for (i = 0; i < n && rc == CG_OK; i++) {
		struct bill b;

		rc = load(st, ctx, ids[i], &b, NULL);
		if (rc == CG_OK)
			rc = change(st, ctx, &b, CG_TAXBILL_DEDUCTED, "return period over");
		*settled += rc == CG_OK;
	}
	return rc;
}

json_t *
cg__taxbill_row(json_t *row)
{
	json_t *lines = json_loads(json_string_value(json_object_get(row, "lines")), 0, NULL);
	const char *status = json_string_value(json_object_get(row, "status"));

	(void)json_object_set_new(row, "lines", lines != NULL ? lines : json_array());
	(void)json_object_set_new(row, "statusText", json_string(status_words(status != NULL ? status : "")));
	(void)json_object_del(row, "id");
	(void)json_object_del(row, "document_id");
	(void)json_object_del(row, "enterprise_id");
	return row;
}

cg_rc
cg__taxbill_of(cg_store *st, cg_ctx *ctx, long long doc_id, json_t **out)
{
	cg_db_stmt *s = q(st, T_BY_DOC);
	long long id = 0;
	struct bill b;
	cg_rc rc;

	*out = NULL;
	if (s == NULL || cg_db_bind_int64(s, 1, doc_id) != CG_OK)
		return dbfail(st, ctx, "tax bill");
	if (cg_db_step(s) == CG_DB_ROW)
		id = cg_db_column_int64(s, 0);
	cg_db_reset(s);
	if (id == 0)
		return CG_OK;
	rc = load(st, ctx, id, &b, out);
	if (rc == CG_OK)
		*out = cg__taxbill_row(*out);
	return rc;
}

/* ---- the monthly statement ---------------------------------------------------------- */

static bool
month_ok(const char *m)
{
	return m != NULL && strlen(m) == 6 && strspn(m, "0123456789") == 6 &&
	       ((m[4] == '0' && m[5] >= '1') || (m[4] == '1' && m[5] <= '2'));
}

static void
add_dec(cg_dec *sum, json_t *row, const char *field)
{
	cg_dec v;

	if (json_string_value(json_object_get(row, field)) != NULL &&
	    cg__dec_parse(json_string_value(json_object_get(row, field)), &v))
		*sum += v;
}

static cg_rc
statement_csv(json_t *bills, char **out, size_t *len)
{
	static const char *const cols[] = { "taxNo", "invtNo", "status", "statusText", "assureCode", "ebcCode",
					    "customsTax", "valueAddedTax", "consumptionTax", "basis", "month" };
	enum { NCOLS = sizeof(cols) / sizeof(cols[0]) };
	cg_buf b = CG_BUF_INIT(0);
	json_t *r;
	size_t i, k;
	cg_rc rc = cg_buf_append(&b, "\xef\xbb\xbf", 3); /* UTF-8 with a BOM, for spreadsheets */

	for (k = 0; rc == CG_OK && k < NCOLS; k++)
		rc = cg__csv_cell(&b, cols[k], k == NCOLS - 1);
	json_array_foreach(bills, i, r)
	{
		for (k = 0; rc == CG_OK && k < NCOLS; k++) {
			const char *v = json_string_value(json_object_get(r, cols[k]));

			rc = cg__csv_cell(&b, v != NULL ? v : "", k == NCOLS - 1);
		}
	}
	if (rc == CG_OK)
		rc = cg_buf_putc(&b, '\0');
	if (rc != CG_OK) {
		cg_buf_dispose(&b);
		return rc;
	}
	*out = (char *)b.ptr;
	*len = b.len - 1;
	return CG_OK;
}

cg_rc
cg_service_tax_bills(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *cop_code,
		     const char *month, int csv, char **out, size_t *len)
{
	cg_store *st = cg__service_store(svc);
	cg_db_stmt *s;
	json_t *bills, *r;
	cg_dec duty = 0, vat = 0, ct = 0;
	char du[64], va[64], co[64];
	size_t i;
	cg_rc rc;

	*out = NULL;
	*len = 0;
	if (!cg__officer(who) && (who->enterprise_id == 0 || cop_code == NULL || strcmp(who->cop_code, cop_code) != 0))
		return cg__fail(ctx, CG_EPERM, "an enterprise sees its own tax bills only");
	if (!month_ok(month))
		return cg__fail(ctx, CG_EINVAL, "month is YYYYMM");
	s = q(st, T_MONTH);
	if (s == NULL || cg_db_bind_text(s, 1, month) != CG_OK || cg_db_bind_text(s, 2, cop_code) != CG_OK ||
	    cg_db_bind_int64(s, 3, STATEMENT_MAX) != CG_OK)
		return dbfail(st, ctx, "tax bills");
	bills = cg_db_rows_json(s, 0, STATEMENT_MAX);
	if (bills == NULL)
		return CG_ENOMEM;
	json_array_foreach(bills, i, r)
	{
		(void)cg__taxbill_row(r);
		/* A cancelled bill is listed but owes nothing. */
		if (strcmp(json_string_value(json_object_get(r, "status")), CG_TAXBILL_CANCELLED) != 0) {
			add_dec(&duty, r, "customsTax");
			add_dec(&vat, r, "valueAddedTax");
			add_dec(&ct, r, "consumptionTax");
		}
	}
	if (csv) {
		rc = statement_csv(bills, out, len);
		json_decref(bills);
		return rc;
	}
	cg__dec_format(duty, du, sizeof(du));
	cg__dec_format(vat, va, sizeof(va));
	cg__dec_format(ct, co, sizeof(co));
	rc = cg__json_answer(json_pack("{s:s, s:s, s:i, s:{s:s, s:s, s:s}, s:o}", "enterprise", cop_code, "month",
				       month, "count", (int)json_array_size(bills), "totals", "customsTax", du,
				       "valueAddedTax", va, "consumptionTax", co, "bills", bills),
			     out);
	if (rc == CG_OK)
		*len = strlen(*out);
	return rc;
}
