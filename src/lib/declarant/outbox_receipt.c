/* SPDX-License-Identifier: MIT */
/*
 * Receipts into the outbox: reading a CEB receipt (or a DxpMsg carrying one,
 * or a DxpRep), matching each return element to its declaration's document by
 * the business keys of ceb-spec §3 (never by the receipt's own guid), and the
 * receipt state machine of §5.1.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <libxml/tree.h>
#include "ceb/model.h"
#include "declarant/outbox_internal.h"
#include "sig/sigcore.h"
#include "util/xml.h"

/*
 * Types whose 120 ("stored by customs") and 399 are their normal successful
 * end: the import order, payment, waybill and its status, and the export
 * order, receipt of payment, waybill and master/house list (ceb-export-spec.md
 * §4: the PDF ends a 608 at 120, the XSD at 399).
 */
static bool
ends_at_stored(int kind)
{
	return kind == 311 || kind == 411 || kind == 511 || kind == 513 || kind == 303 ||
	       kind == 403 || kind == 505 || kind == 607;
}

/*
 * Declarations that go on after customs concluded them (399): an inventory
 * waits for its release (import) or for release and departure (export, §2.7),
 * an export return for its release (800).
 */
static bool
goes_on_after_399(int kind)
{
	return kind == 621 || kind == 603 || kind == 213;
}

/* The export family's declarations (ceb-export-spec.md §1). */
static bool
is_export(int kind)
{
	return kind == 303 || kind == 403 || kind == 505 || kind == 507 || kind == 509 ||
	       kind == 603 || kind == 605 || kind == 607 || kind == 213 || kind == 215 || kind == 701;
}

/*
 * The export receipts' own codes (ceb-export-spec.md §4), where they differ
 * from the import meaning: a return (214) handed over (505) or suspended
 * (600) is still under way, only 800 or 100 ends it; a master/house list's
 * 608 800 and 500 are informational (the 399, or the PDF's 120, ended it).
 * Export receipts list no 501-599 or 700: another positive code is
 * informational, as §4 asks. Returns 1 with *rank and *final set when @p v is
 * decided here.
 */
static int
export_rank(int kind, long v, int *rank, int *final)
{
	*final = 0;
	if (kind == 213 && (v == 505 || v == 600)) {
		*rank = v == 505 ? 55 : 60;
		return 1;
	}
	if (kind == 607 && (v == 500 || v == 800)) {
		*rank = 0;
		return 1;
	}
	if (v == 700 || (v >= 501 && v <= 599)) {
		*rank = 0;
		return 1;
	}
	return 0;
}

int
cg_receipt_rank(int kind, const char *status, int *final)
{
	char *end = NULL;
	int rank;
	long v;

	*final = 0;
	if (status == NULL || *status == '\0')
		return 0;
	errno = 0;
	v = strtol(status, &end, 10);
	if (errno != 0 || *end != '\0') {
		/* Not a number: a transport error (DxpRep) or the service's refusal. */
		*final = 1;
		return 100;
	}
	if (v < 0) {
		*final = 1;
		return 100;
	}
	if (is_export(kind) && export_rank(kind, v, &rank, final))
		return rank;
	switch (v) {
	case 100:
		*final = 1;
		return 200;
	case 120:
		*final = ends_at_stored(kind);
		return *final ? 300 : 20;
	case 300:
		return 30;
	case 399:
		*final = !goes_on_after_399(kind);
		return *final ? 350 : 40;
	case 500:
		return 50;
	case 700:
		*final = 1;
		return 450;
	case 800:
		/* An export inventory released still has to leave the country: 899 ends it. */
		*final = kind != 603;
		return 500;
	case 899:
		*final = 1;
		return 600;
	default:
		break;
	}
	if (v >= 501 && v <= 599) {
		*final = 1;
		return 400;
	}
	/* 1-4 are early states; any other positive code is informational (§5.1). */
	return v >= 1 && v <= 4 ? (int)v : 0;
}

struct rcpt {
	cg_outbox *ob;
	cg_ctx *ctx;
	unsigned char digest[32];
	int matched, dups;
};

/* Record the receipt; *fresh is false when this one was seen before. */
static cg_rc
record(struct rcpt *r, long long doc_id, long long decl_id, const char *type, const char *status,
       const char *time, const char *info, int idx, bool *fresh)
{
	cg_db_stmt *s = cg__ob_stmt(r->ob, OB_RCPT_ADD);
	cg_rc rc;

	if (s == NULL ||
	    (doc_id != 0 ? cg_db_bind_int64(s, 1, doc_id) : cg_db_bind_null(s, 1)) != CG_OK ||
	    (decl_id != 0 ? cg_db_bind_int64(s, 2, decl_id) : cg_db_bind_null(s, 2)) != CG_OK ||
	    cg_db_bind_text(s, 3, type) != CG_OK ||
	    cg_db_bind_text(s, 4, status) != CG_OK ||
	    cg_db_bind_text(s, 5, time) != CG_OK ||
	    cg_db_bind_text(s, 6, info) != CG_OK ||
	    cg_db_bind_blob(s, 7, r->digest, 32) != CG_OK ||
	    cg_db_bind_int64(s, 8, idx) != CG_OK ||
	    cg_db_bind_int64(s, 9, cg__ob_now()) != CG_OK)
		return cg__ob_fail(r->ob, r->ctx, "receipt");
	rc = cg__ob_done(r->ob, r->ctx, s, "receipt");
	*fresh = rc == CG_OK && cg_db_changes(cg__ob_db(r->ob)) > 0;
	if (rc == CG_OK && !*fresh)
		r->dups++;
	return rc;
}

struct match {
	long long doc, decl;
	int rank, final;
};

static cg_rc
find_doc(struct rcpt *r, int kind, const char *k1, const char *k2, struct match *m)
{
	cg_db_stmt *s = cg__ob_stmt(r->ob, OB_DOC_MATCH);
	int res;

	memset(m, 0, sizeof(*m));
	if (s == NULL || cg_db_bind_int64(s, 1, kind) != CG_OK ||
	    cg_db_bind_text(s, 2, k1) != CG_OK ||
	    cg_db_bind_text(s, 3, k2) != CG_OK)
		return cg__ob_fail(r->ob, r->ctx, "match");
	res = cg_db_step(s);
	if (res == CG_DB_ROW) {
		m->doc = cg_db_column_int64(s, 0);
		m->decl = cg_db_column_int64(s, 1);
		m->rank = cg_db_column_int(s, 2);
		m->final = cg_db_column_int(s, 3);
	}
	cg_db_reset(s);
	return res == CG_DB_ROW || res == CG_DB_DONE ? CG_OK : cg__ob_fail(r->ob, r->ctx, "match");
}

static cg_rc
set_doc(struct rcpt *r, long long doc, const char *status, int rank, int final)
{
	cg_db_stmt *s = cg__ob_stmt(r->ob, OB_DOC_SET);

	if (s == NULL || cg_db_bind_int64(s, 1, doc) != CG_OK ||
	    cg_db_bind_text(s, 2, status) != CG_OK ||
	    cg_db_bind_int64(s, 3, rank) != CG_OK || cg_db_bind_int64(s, 4, final) != CG_OK ||
	    cg_db_bind_int64(s, 5, cg__ob_now()) != CG_OK)
		return cg__ob_fail(r->ob, r->ctx, "doc state");
	return cg__ob_done(r->ob, r->ctx, s, "doc state");
}

/* A final state beats any other; between two of one kind the higher rank wins. */
static bool
more_significant(int rank, int final, const struct match *cur)
{
	if (final != cur->final)
		return final > cur->final;
	return rank > cur->rank;
}

/* One return element of a business receipt (312, 412, 512, 514, 622 ...). */
static cg_rc
apply_return(struct rcpt *r, const struct cg_msgdef *def, const struct cg_group *h, int idx)
{
	const struct cg_msgdef *kd = cg__msgdef_by_type(def->type - 1);
	const char *status = cg__group_get(h, "returnStatus");
	const char *k1 = NULL, *k2 = NULL;
	struct match m = { 0 };
	bool fresh = false;
	int rank, final;
	cg_rc rc = CG_OK;

	if (kd != NULL && kd->declaration) {
		k1 = cg__group_get(h, kd->key[0]);
		k2 = cg__group_get(h, kd->key[1]);
	}
	if (status == NULL)
		status = "";
	if (k2 != NULL)
		rc = find_doc(r, kd->type, k1, k2, &m);
	if (rc == CG_OK)
		rc = record(r, m.doc, m.decl, def->root, status, cg__group_get(h, "returnTime"),
			    cg__group_get(h, "returnInfo"), idx, &fresh);
	if (rc != CG_OK || !fresh || m.doc == 0)
		return rc;
	r->matched++;
	rank = cg_receipt_rank(kd->type, status, &final);
	if (more_significant(rank, final, &m))
		rc = set_doc(r, m.doc, status, rank, final);
	return rc == CG_OK ? cg__ob_maybe_final(r->ob, r->ctx, m.decl) : rc;
}

/*
 * An electronic tax bill (CEB816) or its status change (CEB818), ceb-spec
 * §3.9: kept by its taxNo (the bill names the inventory by invtNo, which the
 * outbox's declarations do not carry); info holds the bill's figures as JSON.
 */
static cg_rc
apply_taxbill(struct rcpt *r, const struct cg_msgdef *def, const struct cg_group *h, int idx)
{
	static const char *const fields[] = { "taxNo", "invtNo", "customsTax", "valueAddedTax",
					      "consumptionTax", "assureCode" };
	json_t *o = json_object();
	char *info;
	bool fresh = false;
	size_t i;
	cg_rc rc;

	for (i = 0; o != NULL && i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *v = cg__group_get(h, fields[i]);

		if (v != NULL)
			(void)json_object_set_new(o, fields[i], json_string(v));
	}
	info = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if (info == NULL)
		return CG_ENOMEM;
	rc = record(r, 0, 0, def->root, cg__group_get(h, "status") != NULL ? cg__group_get(h, "status") : "",
		    cg__group_get(h, "returnTime"), info, idx, &fresh);
	free(info);
	r->matched += rc == CG_OK && fresh;
	return rc;
}

/*
 * A summary result (CEB792, ceb-export-spec §3.12): one per generated customs
 * declaration, kept by its declSeqNo; later results for the same declSeqNo
 * fill decTmpNo, decPreNo and entryId and change decState, their list empty
 * (the report reads them as one upsert: outbox_report.c). info holds the
 * head's figures as JSON, the row count only when the result has rows.
 */
static cg_rc
apply_summary_result(struct rcpt *r, const struct cg_msgdef *def, const struct cg_decl *doc, int idx)
{
	static const char *const fields[] = { "sumNo", "declSeqNo", "decTmpNo", "decPreNo", "entryId",
					      "ebcCode", "grossWeight", "netWeight", "opDate" };
	const struct cg_group *h = &doc->head;
	json_t *o = json_object();
	char *info;
	bool fresh = false;
	size_t i;
	cg_rc rc;

	for (i = 0; o != NULL && i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *v = cg__group_get(h, fields[i]);

		if (v != NULL && v[0] != '\0')
			(void)json_object_set_new(o, fields[i], json_string(v));
	}
	if (o != NULL && doc->nlines > 0)
		(void)json_object_set_new(o, "rows", json_integer((json_int_t)doc->nlines));
	info = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if (info == NULL)
		return CG_ENOMEM;
	rc = record(r, 0, 0, def->root, cg__group_get(h, "decState") != NULL ? cg__group_get(h, "decState") : "",
		    cg__group_get(h, "opDate"), info, idx, &fresh);
	free(info);
	r->matched += rc == CG_OK && fresh;
	return rc;
}

static cg_rc
decl_by_copmsgid(struct rcpt *r, const char *copmsgid, long long *id)
{
	cg_db_stmt *s = cg__ob_stmt(r->ob, OB_DECL_BY_COPMSGID);
	int res;

	*id = 0;
	if (copmsgid == NULL || *copmsgid == '\0')
		return CG_OK;
	if (s == NULL || cg_db_bind_text(s, 1, copmsgid) != CG_OK)
		return cg__ob_fail(r->ob, r->ctx, "copmsgid");
	res = cg_db_step(s);
	if (res == CG_DB_ROW)
		*id = cg_db_column_int64(s, 0);
	cg_db_reset(s);
	return res == CG_DB_ROW || res == CG_DB_DONE ? CG_OK
						       : cg__ob_fail(r->ob, r->ctx, "copmsgid");
}

/*
 * A refusal of the whole transmission (CEB900 with a negative status, or a
 * DxpRep error), correlated by the CopMsgId it was sent under: every document
 * of that declaration ends refused.
 */
static cg_rc
apply_transmission(struct rcpt *r, const char *type, const char *copmsgid, const char *status,
		   const char *info, int idx)
{
	long long decl = 0;
	bool fresh = false;
	int final;
	cg_rc rc = decl_by_copmsgid(r, copmsgid, &decl);

	if (rc == CG_OK)
		rc = record(r, 0, decl, type, status, NULL, info, idx, &fresh);
	if (rc != CG_OK || !fresh || decl == 0)
		return rc;
	r->matched++;
	(void)cg_receipt_rank(0, status, &final);
	if (!final)
		return CG_OK;
	rc = cg_outbox_answer(r->ob, r->ctx, decl, "rejected", status, info);
	return rc;
}

static char *
child_text(xmlNodePtr parent, const char *ns, const char *name)
{
	xmlNodePtr n;

	if (parent == NULL)
		return NULL;
	for (n = cg__xml_first_elem(parent); n != NULL; n = cg__xml_next_elem(n)) {
		if (cg__xml_is(n, ns, name))
			return (char *)xmlNodeGetContent(n);
	}
	return NULL;
}

static xmlNodePtr
child(xmlNodePtr parent, const char *ns, const char *name)
{
	xmlNodePtr n;

	if (parent == NULL)
		return NULL;
	for (n = cg__xml_first_elem(parent); n != NULL; n = cg__xml_next_elem(n)) {
		if (cg__xml_is(n, ns, name))
			return n;
	}
	return NULL;
}

/* DxpRep (ceb-spec §7.3): each Response names the transmission in its OriHead. */
static cg_rc
apply_dxprep(struct rcpt *r, xmlNodePtr root)
{
	xmlNodePtr n;
	int idx = 0;
	cg_rc rc = CG_OK;

	for (n = cg__xml_first_elem(root); n != NULL && rc == CG_OK; n = cg__xml_next_elem(n)) {
		char *code, *info, *cop, status[32];
		xmlNodePtr ori;

		if (!cg__xml_is(n, CG_NS_DXP, "Response"))
			continue;
		code = child_text(n, CG_NS_DXP, "ResponseCode");
		info = child_text(n, CG_NS_DXP, "ResponseInfo");
		ori = child(n, CG_NS_DXP, "OriHead");
		/* OriHead has the TransInfo fields, directly or inside a TransInfo. */
		if (child(ori, CG_NS_DXP, "TransInfo") != NULL)
			ori = child(ori, CG_NS_DXP, "TransInfo");
		cop = child_text(ori, CG_NS_DXP, "CopMsgId");
		(void)snprintf(status, sizeof(status), "DXP%s", code != NULL ? code : "");
		rc = apply_transmission(r, "DxpRep", cop, status, info, idx++);
		xmlFree(code);
		xmlFree(info);
		xmlFree(cop);
	}
	return rc;
}

static cg_rc apply_doc(struct rcpt *r, xmlDocPtr doc, int depth);

/* A DxpMsg carries the receipt base64-encoded in Data (ceb-spec §7.1). */
static cg_rc
apply_dxpmsg(struct rcpt *r, xmlNodePtr root, int depth)
{
	char *b64 = child_text(root, CG_NS_DXP, "Data");
	unsigned char *data = NULL;
	size_t len = 0;
	xmlDocPtr inner = NULL;
	cg_findings *f = NULL;
	cg_rc rc;

	if (b64 == NULL || depth > 0)
		rc = cg__fail(r->ctx, CG_EPARSE, "DxpMsg without a receipt in Data");
	else
		rc = cg__base64_decode(&data, &len, b64);
	if (rc == CG_OK)
		rc = cg_findings_new(&f);
	if (rc == CG_OK)
		rc = cg__xml_parse(&inner, r->ctx, (const char *)data, len, "Data", f);
	if (rc == CG_OK) {
		(void)cg__digest(EVP_sha256(), data, len, r->digest);
		rc = apply_doc(r, inner, depth + 1);
	}
	if (rc == CG_EINVAL)
		rc = cg__fail(r->ctx, CG_EPARSE, "DxpMsg Data is not a receipt");
	xmlFreeDoc(inner);
	cg_findings_free(f);
	free(data);
	xmlFree(b64);
	return rc;
}

static cg_rc
apply_doc(struct rcpt *r, xmlDocPtr doc, int depth)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	struct cg_msg *m = NULL;
	size_t i;
	cg_rc rc;

	if (cg__xml_is(root, CG_NS_DXP, "DxpMsg"))
		return apply_dxpmsg(r, root, depth);
	if (cg__xml_is(root, CG_NS_DXP, "DxpRep"))
		return apply_dxprep(r, root);
	rc = cg__msg_from_xml(&m, r->ctx, doc, false);
	if (rc == CG_OK && m->def->declaration)
		rc = cg__fail(r->ctx, CG_EPARSE, "%s is a declaration, not a receipt", m->def->root);
	for (i = 0; rc == CG_OK && i < m->ndocs; i++) {
		const struct cg_group *h = &m->docs[i].head;

		if (m->def->type == 816 || m->def->type == 818)
			rc = apply_taxbill(r, m->def, h, (int)i);
		else if (m->def->type == 792)
			rc = apply_summary_result(r, m->def, &m->docs[i], (int)i);
		else if (m->def->type == 900)
			rc = apply_transmission(r, m->def->root, cg__group_get(h, "oriCopMsgId"),
						cg__group_get(h, "returnStatus"),
						cg__group_get(h, "returnInfo"), (int)i);
		else
			rc = apply_return(r, m->def, h, (int)i);
	}
	cg__msg_free(m);
	return rc == CG_EINVAL ? cg__fail(r->ctx, CG_EPARSE, "%s", cg_ctx_errmsg(r->ctx)) : rc;
}

cg_rc
cg_outbox_receipt(cg_outbox *ob, cg_ctx *ctx, const char *xml, size_t len, int *matched, int *dups)
{
	struct rcpt r = { ob, ctx, { 0 }, 0, 0 };
	cg_findings *f = NULL;
	xmlDocPtr doc = NULL;
	cg_rc rc = cg_findings_new(&f);

	*matched = 0;
	*dups = 0;
	if (rc == CG_OK)
		rc = cg__xml_parse(&doc, ctx, xml, len, "receipt", f);
	if (rc == CG_EPARSE && cg_findings_count(f) > 0)
		rc = cg__fail(ctx, CG_EPARSE, "receipt: %s", cg_findings_get(f, 0)->message_en);
	(void)cg__digest(EVP_sha256(), xml, len, r.digest);
	if (rc == CG_OK)
		rc = cg__ob_begin(ob, ctx);
	if (rc == CG_OK)
		rc = cg__ob_end(ob, ctx, apply_doc(&r, doc, 0));
	*matched = r.matched;
	*dups = r.dups;
	xmlFreeDoc(doc);
	cg_findings_free(f);
	return rc;
}
