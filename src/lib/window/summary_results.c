/* SPDX-License-Identifier: MIT */
/*
 * The officer's side of the summary declaration after the fact (ceb-export-spec
 * §2.9, §3.12): the summary applications (CEB701) with what became of them and
 * the customs declarations each generated, and the later facts of one such
 * declaration recorded by an officer (decTmpNo, decPreNo, entryId, decState).
 * Recording answers the declarant with a later CEB792 for that declSeqNo, its
 * list empty as the standard allows, in the same transaction as the facts and
 * the audit row; the same facts again change nothing and send nothing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>
#include <jansson.h>
#include "cebgate/review.h"
#include "ceb/model.h"
#include "ceb/writer.h"
#include "window/clearance.h"
#include "window/receipt.h"
#include "window/service_internal.h"
#include "window/store_internal.h"

/* Applications listed, newest first. */
#define LIST_MAX 200

/*
 * decState: customs' value list is not published (ceb-export-spec §3.12, §8;
 * UNCONFIRMED, docs/export.md). The values an officer may record, in one
 * table; "1" is what the service sends when it generates a declaration
 * (export_summary.c).
 */
static const struct {
	const char *code, *zh, *en;
} dec_states[] = {
	{ "1", "汇总生成，待申报", "generated, not declared yet" },
	{ "2", "报关单已申报", "declared" },
	{ "3", "海关已接受申报", "accepted by customs (entryId assigned)" },
	{ "4", "已放行", "released" },
	{ "5", "已结关", "closed" },
	{ "9", "退单", "returned to the declarant" },
};

/* The numbers of a declaration, in the order of the 792's head and of the statements' columns. */
static const char *const numbers[3] = { "decTmpNo", "decPreNo", "entryId" };

enum { U_APPS, U_DECLS, U_INVTS, U_LAST702, U_DECL_LOCK, U_SET };

static const char *const sql[] = {
	[U_APPS] = "SELECT d.id, d.state, d.data, d.created, s.id, s.sum_no FROM document d"
		   " LEFT JOIN export_summary s ON s.document_id = d.id"
		   " WHERE d.kind = 701 ORDER BY d.id DESC LIMIT $1",
	[U_DECLS] = "SELECT id, decl_seq_no, gross_weight, net_weight, dec_state, dec_tmp_no, dec_pre_no,"
		    " entry_id, lines, created, updated FROM export_summary_decl WHERE summary_id = $1"
		    " ORDER BY id",
	[U_INVTS] = "SELECT d.invt_no FROM export_summary_invt i JOIN document d ON d.id = i.document_id"
		    " WHERE i.decl_id = $1 ORDER BY d.id",
	[U_LAST702] = "SELECT return_status FROM receipt WHERE document_id = $1"
		      " AND msg_type = 'CEB702Message' ORDER BY id DESC LIMIT 1",
	[U_DECL_LOCK] = "SELECT x.id, x.gross_weight, x.net_weight, x.dec_state, x.dec_tmp_no, x.dec_pre_no,"
			" x.entry_id, s.sum_no, s.document_id, s.enterprise_id, d.data"
			" FROM export_summary_decl x JOIN export_summary s ON s.id = x.summary_id"
			" JOIN document d ON d.id = s.document_id WHERE x.decl_seq_no = $1",
	[U_SET] = "UPDATE export_summary_decl SET dec_tmp_no = $2, dec_pre_no = $3, entry_id = $4,"
		  " dec_state = $5, updated = $6 WHERE id = $1",
};
/* Two officers recording at once on two nodes: the second waits and then sees the first's facts. */
static const char *const pg_sql[sizeof(sql) / sizeof(sql[0])] = {
	[U_DECL_LOCK] = "SELECT x.id, x.gross_weight, x.net_weight, x.dec_state, x.dec_tmp_no, x.dec_pre_no,"
			" x.entry_id, s.sum_no, s.document_id, s.enterprise_id, d.data"
			" FROM export_summary_decl x JOIN export_summary s ON s.id = x.summary_id"
			" JOIN document d ON d.id = s.document_id WHERE x.decl_seq_no = $1 FOR UPDATE OF x",
};
CG_DB_MODULE_PG(sumres_sql, "summary results", sql, pg_sql);

static cg_db_stmt *
q(cg_store *st, int id)
{
	return cg_db_prepared(cg__store_db(st), &sumres_sql, id);
}

static const char *
text_or_empty(cg_db_stmt *s, int col)
{
	const char *t = cg_db_column_is_null(s, col) ? NULL : cg_db_column_text(s, col);

	return t != NULL ? t : "";
}

static const char *
head(json_t *data, const char *field)
{
	return json_string_value(json_object_get(json_object_get(data, "h"), field));
}

/* ---- the list ------------------------------------------------------------------------ */

static json_t *
invts_of(cg_store *st, long long decl_id)
{
	cg_db_stmt *s = q(st, U_INVTS);
	json_t *arr = json_array();

	if (s == NULL || arr == NULL || cg_db_bind_int64(s, 1, decl_id) != CG_OK) {
		json_decref(arr);
		return NULL;
	}
	while (cg_db_step(s) == CG_DB_ROW)
		(void)json_array_append_new(arr, json_string(text_or_empty(s, 0)));
	cg_db_reset(s);
	return arr;
}

/* The declarations of summary @p sum_id; read whole before their inventories (one statement at a time). */
static json_t *
decls_of(cg_store *st, long long sum_id)
{
	cg_db_stmt *s = q(st, U_DECLS);
	json_t *arr = json_array(), *d;
	size_t i;

	if (s == NULL || arr == NULL || cg_db_bind_int64(s, 1, sum_id) != CG_OK) {
		json_decref(arr);
		return NULL;
	}
	while (cg_db_step(s) == CG_DB_ROW) {
		d = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "id",
			      (json_int_t)cg_db_column_int64(s, 0), "declSeqNo", text_or_empty(s, 1),
			      "grossWeight", text_or_empty(s, 2), "netWeight", text_or_empty(s, 3),
			      "decState", text_or_empty(s, 4), "decTmpNo", text_or_empty(s, 5), "decPreNo",
			      text_or_empty(s, 6), "entryId", text_or_empty(s, 7), "rows",
			      (json_int_t)cg_db_column_int64(s, 8), "created",
			      (json_int_t)cg_db_column_int64(s, 9), "updated",
			      (json_int_t)(cg_db_column_is_null(s, 10) ? cg_db_column_int64(s, 9)
								   : cg_db_column_int64(s, 10)));
		(void)json_array_append_new(arr, d);
	}
	cg_db_reset(s);
	json_array_foreach(arr, i, d)
	{
		json_t *inv = invts_of(st, json_integer_value(json_object_get(d, "id")));

		(void)json_object_set_new(d, "inventories", inv != NULL ? inv : json_array());
		(void)json_object_del(d, "id");
	}
	return arr;
}

static const char *
last_702(cg_store *st, long long doc_id, char *buf, size_t size)
{
	cg_db_stmt *s = q(st, U_LAST702);

	buf[0] = '\0';
	if (s != NULL && cg_db_bind_int64(s, 1, doc_id) == CG_OK && cg_db_step(s) == CG_DB_ROW)
		(void)snprintf(buf, size, "%s", text_or_empty(s, 0));
	if (s != NULL)
		cg_db_reset(s);
	return buf;
}

static json_t *
state_table(void)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < sizeof(dec_states) / sizeof(dec_states[0]); i++)
		(void)json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "code", dec_states[i].code, "zh",
							   dec_states[i].zh, "en", dec_states[i].en));
	return arr;
}

cg_rc
cg_service_summaries(cg_service *svc, cg_ctx *ctx, const cg_principal *who, char **json)
{
	static const char *const copied[] = { "copNo", "customsCode", "ebcCode", "ebcName", "agentCode",
					      "agentName", "declAgentCode", "declAgentName", "summaryFlag",
					      "itemNameFlag" };
	cg_store *st = cg__service_store(svc);
	cg_db_stmt *s = q(st, U_APPS);
	json_t *apps = json_array(), *a;
	size_t i, k;

	if (!cg__officer(who))
		return cg__fail(ctx, CG_EPERM, "summary results are shown to officers");
	if (s == NULL || apps == NULL || cg_db_bind_int64(s, 1, LIST_MAX) != CG_OK) {
		json_decref(apps);
		return cg__fail(ctx, CG_EDB, "summaries: %s", cg_db_errmsg(cg__store_db(st)));
	}
	while (cg_db_step(s) == CG_DB_ROW) {
		json_t *data = json_loads(text_or_empty(s, 2), 0, NULL);

		a = json_pack("{s:I, s:s, s:I, s:s?, s:I}", "id", (json_int_t)cg_db_column_int64(s, 0), "state",
			      text_or_empty(s, 1), "created", (json_int_t)cg_db_column_int64(s, 3), "sumNo",
			      cg_db_column_is_null(s, 5) ? NULL : cg_db_column_text(s, 5), "summary",
			      (json_int_t)(cg_db_column_is_null(s, 4) ? 0 : cg_db_column_int64(s, 4)));
		for (k = 0; a != NULL && k < sizeof(copied) / sizeof(copied[0]); k++) {
			const char *v = head(data, copied[k]);

			(void)json_object_set_new(a, copied[k], json_string(v != NULL ? v : ""));
		}
		json_decref(data);
		(void)json_array_append_new(apps, a);
	}
	cg_db_reset(s);
	json_array_foreach(apps, i, a)
	{
		long long sum_id = json_integer_value(json_object_get(a, "summary"));
		char st702[32];
		json_t *decls = sum_id != 0 ? decls_of(st, sum_id) : json_array();

		(void)json_object_set_new(a, "declarations", decls != NULL ? decls : json_array());
		(void)json_object_set_new(a, "returnStatus",
					  json_string(last_702(st, json_integer_value(json_object_get(a, "id")),
							       st702, sizeof(st702))));
		(void)json_object_del(a, "summary");
	}
	return cg__json_answer(json_pack("{s:o, s:o, s:I}", "applications", apps, "decStates", state_table(),
					  "now", (json_int_t)time(NULL)),
			       json);
}

/* ---- recording the later facts -------------------------------------------------------- */

struct decl_row {
	long long id, app_id, eid;
	char gross[48], net[48], state[8], sum_no[24];
	char num[3][24]; /* decTmpNo, decPreNo, entryId; "" when not known */
	json_t *app;     /* the 701's data */
};

static bool
state_known(const char *v)
{
	size_t i;

	for (i = 0; v != NULL && i < sizeof(dec_states) / sizeof(dec_states[0]); i++) {
		if (strcmp(dec_states[i].code, v) == 0)
			return true;
	}
	return false;
}

/* decTmpNo, decPreNo and entryId are C18 (§3.12): 18 letters or digits. */
static bool
number_ok(const char *v)
{
	size_t i;

	if (strlen(v) != 18)
		return false;
	for (i = 0; i < 18; i++) {
		char c = v[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
			return false;
	}
	return true;
}

static cg_rc
load_decl(cg_store *st, cg_ctx *ctx, const char *decl_seq_no, struct decl_row *d)
{
	cg_db_stmt *s = q(st, U_DECL_LOCK);
	int r, k;

	memset(d, 0, sizeof(*d));
	if (s == NULL || cg_db_bind_text(s, 1, decl_seq_no) != CG_OK)
		return cg__fail(ctx, CG_EDB, "summary declaration: %s", cg_db_errmsg(cg__store_db(st)));
	r = cg_db_step(s);
	if (r == CG_DB_ROW) {
		d->id = cg_db_column_int64(s, 0);
		(void)snprintf(d->gross, sizeof(d->gross), "%s", text_or_empty(s, 1));
		(void)snprintf(d->net, sizeof(d->net), "%s", text_or_empty(s, 2));
		(void)snprintf(d->state, sizeof(d->state), "%s", text_or_empty(s, 3));
		for (k = 0; k < 3; k++)
			(void)snprintf(d->num[k], sizeof(d->num[k]), "%s", text_or_empty(s, 4 + k));
		(void)snprintf(d->sum_no, sizeof(d->sum_no), "%s", text_or_empty(s, 7));
		d->app_id = cg_db_column_int64(s, 8);
		d->eid = cg_db_column_int64(s, 9);
		d->app = json_loads(text_or_empty(s, 10), 0, NULL);
	}
	cg_db_reset(s);
	if (r == CG_DB_DONE)
		return cg__fail(ctx, CG_ENOTFOUND, "no summary declaration %s", decl_seq_no);
	if (r != CG_DB_ROW)
		return cg__fail(ctx, CG_EDB, "summary declaration: %s", cg_db_errmsg(cg__store_db(st)));
	return d->app != NULL ? CG_OK : CG_ENOMEM;
}

static cg_rc
set(struct cg_group *g, const char *name, const char *v)
{
	int i = cg__edef_find(g->def, name);

	return i < 0 ? CG_EINTERNAL : cg__group_set(g, i, v, 0, 0);
}

/* The later CEB792 of declaration @p d (its facts as they now stand), no list (§3.12). */
static cg_rc
later_792(const struct decl_row *d, const char *decl_seq_no, cg_buf *xml)
{
	static const char *const copied[] = { "customsCode", "agentCode", "agentName", "ebcCode",
					      "ebcName", "declAgentCode", "declAgentName" };
	struct cg_msg *m = NULL;
	struct cg_decl *doc = NULL;
	char guid[40], head_guid[40], when[32];
	uuid_t u;
	size_t i;
	cg_rc rc = cg__msg_new(&m, cg__msgdef_by_type(792));

	uuid_generate_random(u);
	uuid_unparse_upper(u, guid);
	uuid_generate_random(u);
	uuid_unparse_upper(u, head_guid);
	cg__now17(when, sizeof(when));
	if (rc == CG_OK && ((m->guid = cg__strdup(guid)) == NULL || (m->version = cg__strdup("1.0")) == NULL))
		rc = CG_ENOMEM;
	rc = rc == CG_OK ? cg__msg_add_doc(m, &doc) : rc;
	rc = rc == CG_OK ? set(&doc->head, "guid", head_guid) : rc;
	for (i = 0; i < sizeof(copied) / sizeof(copied[0]) && rc == CG_OK; i++)
		rc = set(&doc->head, copied[i], head(d->app, copied[i]));
	rc = rc == CG_OK ? set(&doc->head, "sumNo", d->sum_no) : rc;
	rc = rc == CG_OK ? set(&doc->head, "opDate", when) : rc;
	rc = rc == CG_OK ? set(&doc->head, "declSeqNo", decl_seq_no) : rc;
	for (i = 0; i < 3 && rc == CG_OK; i++)
		rc = d->num[i][0] != '\0' ? set(&doc->head, numbers[i], d->num[i]) : CG_OK;
	rc = rc == CG_OK ? set(&doc->head, "decState", d->state) : rc;
	rc = rc == CG_OK ? set(&doc->head, "grossWeight", d->gross) : rc;
	rc = rc == CG_OK ? set(&doc->head, "netWeight", d->net) : rc;
	rc = rc == CG_OK ? set(&doc->head, "msgCount", "1") : rc;
	rc = rc == CG_OK ? set(&doc->head, "msgSeqNo", "1") : rc;
	if (rc == CG_OK)
		rc = cg__msg_to_xml(m, xml);
	cg__msg_free(m);
	return rc;
}

static cg_rc
store_facts(cg_store *st, cg_ctx *ctx, const struct decl_row *d)
{
	cg_db_stmt *s = q(st, U_SET);
	int k;

	if (s == NULL || cg_db_bind_int64(s, 1, d->id) != CG_OK)
		return cg__fail(ctx, CG_EDB, "summary declaration: %s", cg_db_errmsg(cg__store_db(st)));
	for (k = 0; k < 3; k++) {
		if ((d->num[k][0] != '\0' ? cg_db_bind_text(s, 2 + k, d->num[k]) : cg_db_bind_null(s, 2 + k)) !=
		    CG_OK)
			return cg__fail(ctx, CG_EDB, "summary declaration: %s", cg_db_errmsg(cg__store_db(st)));
	}
	if (cg_db_bind_text(s, 5, d->state) != CG_OK || cg_db_bind_int64(s, 6, (long long)time(NULL)) != CG_OK ||
	    cg_db_step(s) != CG_DB_DONE)
		return cg__fail(ctx, CG_EDB, "summary declaration: %s", cg_db_errmsg(cg__store_db(st)));
	return CG_OK;
}

/*
 * The given facts over the stored ones: *changed when any differs. A number
 * customs gave once is never replaced by another (CG_ECONFLICT).
 */
static cg_rc
merge(cg_ctx *ctx, struct decl_row *d, const char *const given[3], const char *state, bool *changed)
{
	int k;

	*changed = false;
	for (k = 0; k < 3; k++) {
		if (given[k] == NULL || given[k][0] == '\0' || strcmp(given[k], d->num[k]) == 0)
			continue;
		if (d->num[k][0] != '\0')
			return cg__fail(ctx, CG_ECONFLICT, "%s is %s already", numbers[k], d->num[k]);
		(void)snprintf(d->num[k], sizeof(d->num[k]), "%s", given[k]);
		*changed = true;
	}
	if (strcmp(state, d->state) != 0) {
		(void)snprintf(d->state, sizeof(d->state), "%s", state);
		*changed = true;
	}
	return CG_OK;
}

/* Within the transaction: the facts, the later 792 to the declarant's feed, the audit row. */
static cg_rc
record(cg_store *st, cg_ctx *ctx, const cg_principal *who, const char *decl_seq_no,
       const char *const given[3], const char *state, struct decl_row *d, bool *changed)
{
	cg_buf xml = CG_BUF_INIT(0);
	char detail[300];
	cg_rc rc = load_decl(st, ctx, decl_seq_no, d);

	if (rc == CG_OK)
		rc = merge(ctx, d, given, state, changed);
	if (rc != CG_OK || !*changed)
		return rc;
	rc = store_facts(st, ctx, d);
	if (rc == CG_OK)
		rc = later_792(d, decl_seq_no, &xml);
	if (rc == CG_OK)
		rc = cg__store_receipt_add(st, ctx, d->eid, d->app_id, "CEB792Message", d->state, xml.ptr, xml.len);
	(void)snprintf(detail, sizeof(detail), "汇总结果 summary result %s: decTmpNo %s, decPreNo %s, entryId %s,"
		       " decState %s", decl_seq_no, d->num[0][0] ? d->num[0] : "-", d->num[1][0] ? d->num[1] : "-",
		       d->num[2][0] ? d->num[2] : "-", d->state);
	if (rc == CG_OK)
		rc = cg__audit(st, ctx, who->name, "summary result", d->app_id, detail);
	cg_buf_dispose(&xml);
	return rc;
}

cg_rc
cg_service_summary_record(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *decl_seq_no,
			  const char *dec_tmp_no, const char *dec_pre_no, const char *entry_id,
			  const char *dec_state, char **json)
{
	cg_store *st = cg__service_store(svc);
	const char *given[3] = { dec_tmp_no, dec_pre_no, entry_id };
	struct decl_row d;
	bool changed = false;
	int k;
	cg_rc rc;

	memset(&d, 0, sizeof(d));
	if (who->role != CG_ROLE_OFFICER || who->user_id == 0)
		return cg__fail(ctx, CG_EPERM, "the facts of a customs declaration are recorded by officers");
	if (decl_seq_no == NULL || strlen(decl_seq_no) > 18)
		return cg__fail(ctx, CG_ENOTFOUND, "no such summary declaration");
	if (!state_known(dec_state))
		return cg__fail(ctx, CG_EINVAL, "decState is one of the accepted values (GET /api/v1/summaries)");
	for (k = 0; k < 3; k++) {
		if (given[k] != NULL && given[k][0] != '\0' && !number_ok(given[k]))
			return cg__fail(ctx, CG_EINVAL, "%s is 18 letters or digits", numbers[k]);
	}
	rc = cg_db_begin(cg__store_db(st), ctx);
	if (rc != CG_OK)
		return rc;
	rc = record(st, ctx, who, decl_seq_no, given, dec_state, &d, &changed);
	if (rc == CG_OK && changed)
		rc = cg_db_commit(cg__store_db(st), ctx);
	else
		cg_db_rollback(cg__store_db(st));
	json_decref(d.app);
	if (rc != CG_OK)
		return rc;
	return cg__json_answer(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "declSeqNo", decl_seq_no, "sumNo",
					 d.sum_no, "decTmpNo", d.num[0], "decPreNo", d.num[1], "entryId",
					 d.num[2], "decState", d.state, "changed", changed),
			       json);
}
