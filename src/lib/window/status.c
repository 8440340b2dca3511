/* SPDX-License-Identifier: MIT */
/*
 * The declarant's status list: an enterprise's declarations with their
 * current state and the receipts issued for them (the unified feedback),
 * filtered by kind and state, searched by order, waybill or inventory number.
 * An enterprise (its token or its staff) sees what it sent; officers and
 * admins see all.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cebgate/status.h"
#include "window/service_internal.h"
#include "window/taxbill.h"

/* This file's statements, cached on the store's connection (db.h). */
enum { S_LIST };

/*
 * What happened to each declaration: the newest inventory of the row's order
 * (orders, payments) or waybill (waybills), and the officer's decision on it.
 * An inventory is itself the outcome. Its columns are moved under "outcome".
 * Export documents lead to the export inventory (603) the same way: its order
 * and waybill by their keys, its receipt of payment by ebcCode|orderNo
 * (link_key, docs/export.md).
 */
#define OUTCOME_COLUMNS                                                                      \
	", i.id AS o_id, i.state AS o_state, coalesce(rv.decision_reason, i.reason) AS o_reason," \
	" coalesce(rv.decided_at, i.updated) AS o_at, rv.decision AS o_decision"
#define OUTCOME_JOIN                                                                         \
	" LEFT JOIN document i ON i.id = CASE WHEN d.kind IN (621, 603) THEN d.id"            \
	" WHEN d.kind IN (311, 411, 511) THEN"                                                \
	"   (SELECT max(x.id) FROM document x WHERE x.kind = 621 AND x.state <> 'deleted' AND" \
	"   ((d.kind IN (311, 411) AND x.order_key = d.order_key)"                            \
	"    OR (d.kind = 511 AND x.waybill_key = d.waybill_key)))"                            \
	" WHEN d.kind IN (303, 403, 505) THEN"                                                \
	"   (SELECT max(x.id) FROM document x WHERE x.kind = 603 AND x.state <> 'deleted' AND" \
	"   ((d.kind = 303 AND x.order_key = d.order_key)"                                    \
	"    OR (d.kind = 403 AND x.link_key = d.order_key)"                                  \
	"    OR (d.kind = 505 AND x.waybill_key = d.waybill_key))) END"                        \
	" LEFT JOIN review rv ON rv.document_id = i.id AND rv.state = 'decided'"
/*
 * The states that wait on the declarant, of the row or of its outcome:
 * refused (rejected: an inventory, or a 605, 701, 213 or 215 answered 100),
 * an import inventory returned by an officer or detained.
 * No other export state does (docs/export.md): 'returned' is goods come back,
 * 'declared' waits for others' documents, 'review' for an officer,
 * 'concluded', 'released' and 'closed' for the goods, and 'cancelled' and
 * 'summarized' are ends.
 */
#define NEEDS_ACTION_IF                                                                      \
	" (d.state IN ('rejected', 'detained') OR (d.state = 'returned' AND d.kind = 621)"     \
	"  OR i.state IN ('rejected', 'detained') OR (i.state = 'returned' AND i.kind = 621))"
#define NEEDS_ACTION_COLUMN ", CASE WHEN" NEEDS_ACTION_IF " THEN 1 ELSE 0 END AS \"needsAction\""
#define NEEDS_ACTION " AND ($7 = 0 OR" NEEDS_ACTION_IF ")"

static const char *const sql[] = {
	[S_LIST] =
		/* Column names are the JSON keys (group_concat, instr are SQLite's: PostgreSQL's variant below). */
		"SELECT d.id, d.kind, d.key1, d.key2, d.state, d.reason, d.app_type AS \"appType\","
		" d.updated, (SELECT group_concat(r.return_status, ',') FROM"
		"   (SELECT return_status FROM receipt WHERE document_id = d.id ORDER BY id) r)"
		" AS receipts" OUTCOME_COLUMNS NEEDS_ACTION_COLUMN " FROM document d" OUTCOME_JOIN
		" WHERE ($1 = 0 OR d.sender_id = $1)"
		" AND ($2 IS NULL OR d.key2 = $2 OR d.invt_no = $2"
		"      OR substr(d.order_key, instr(d.order_key, '|') + 1) = $2"
		"      OR substr(d.waybill_key, instr(d.waybill_key, '|') + 1) = $2)"
		" AND ($3 = 0 OR d.kind = $3) AND ($4 IS NULL OR d.state = $4)"
		" AND d.id < $5" NEEDS_ACTION " ORDER BY d.id DESC LIMIT $6",
};
static const char *const pg_sql[sizeof(sql) / sizeof(sql[0])] = {
	[S_LIST] = "SELECT d.id, d.kind, d.key1, d.key2, d.state, d.reason, d.app_type AS \"appType\","
		   " d.updated, (SELECT string_agg(r.return_status, ',' ORDER BY r.id) FROM receipt r"
		   "   WHERE r.document_id = d.id) AS receipts" OUTCOME_COLUMNS NEEDS_ACTION_COLUMN " FROM document d"
		   OUTCOME_JOIN " WHERE ($1 = 0 OR d.sender_id = $1)"
		   " AND (CAST($2 AS TEXT) IS NULL OR d.key2 = $2 OR d.invt_no = $2"
		   "      OR substr(d.order_key, strpos(d.order_key, '|') + 1) = $2"
		   "      OR substr(d.waybill_key, strpos(d.waybill_key, '|') + 1) = $2)"
		   " AND ($3 = 0 OR d.kind = $3) AND (CAST($4 AS TEXT) IS NULL OR d.state = $4)"
		   " AND d.id < $5" NEEDS_ACTION " ORDER BY d.id DESC LIMIT $6",
};
CG_DB_MODULE_PG(status_sql, "status", sql, pg_sql);

/* The o_ columns of the row, moved into {"outcome": {id, state, reason, at, decision}} (null: none). */
static bool
nest_outcome(json_t *o)
{
	static const char *const cols[] = { "o_id", "o_state", "o_reason", "o_at", "o_decision" };
	static const char *const keys[] = { "id", "state", "reason", "at", "decision" };
	json_t *out = json_object();
	size_t i;

	if (out == NULL)
		return false;
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		json_t *v = json_object_get(o, cols[i]);

		if (v != NULL && !json_is_null(v))
			(void)json_object_set(out, keys[i], v);
		(void)json_object_del(o, cols[i]);
	}
	if (json_object_size(out) == 0) {
		json_decref(out);
		out = json_null();
	}
	return json_object_set_new(o, "outcome", out) == 0;
}

/* The row, its receipts' statuses ("100,399") as an array, its outcome nested, needsAction true or false. */
static json_t *
row_json(cg_db_stmt *s)
{
	const char *rs = cg_db_column_text(s, 8);
	json_t *o = cg_db_row_json(s, 0), *receipts = json_array();
	char *copy = rs != NULL ? strdup(rs) : NULL, *tok, *save = NULL;

	for (tok = copy != NULL ? strtok_r(copy, ",", &save) : NULL; tok != NULL && receipts != NULL;
	     tok = strtok_r(NULL, ",", &save))
		(void)json_array_append_new(receipts, json_string(tok));
	free(copy);
	if (o == NULL || receipts == NULL || json_object_set_new(o, "receipts", receipts) != 0 ||
	    json_object_set_new(o, "needsAction",
				json_boolean(json_integer_value(json_object_get(o, "needsAction")) != 0)) != 0 ||
	    !nest_outcome(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * A released inventory's row carries its electronic tax bill (taxBill), and so
 * does the row of an order or waybill whose outcome is that inventory.
 */
static cg_rc
with_tax_bills(cg_store *st, cg_ctx *ctx, json_t *arr)
{
	json_t *o;
	size_t i;
	cg_rc rc = CG_OK;

	json_array_foreach(arr, i, o)
	{
		json_t *bill = NULL, *out = json_object_get(o, "outcome");
		long long doc;

		if (json_integer_value(json_object_get(o, "kind")) == 621)
			doc = json_integer_value(json_object_get(o, "id"));
		else if (json_is_object(out) && json_integer_value(json_object_get(out, "id")) > 0)
			doc = json_integer_value(json_object_get(out, "id"));
		else
			continue;
		rc = cg__taxbill_of(st, ctx, doc, &bill);
		if (rc != CG_OK)
			break;
		if (bill != NULL)
			(void)json_object_set_new(o, "taxBill", bill);
	}
	return rc;
}

cg_rc
cg_service_declarations(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
			const cg_declaration_query *qy, char **json)
{
	cg_store *st = cg__service_store(svc);
	cg_db_stmt *s = cg_db_prepared(cg__store_db(st), &status_sql, S_LIST);
	int all = who->role == CG_ROLE_OFFICER || who->role == CG_ROLE_ADMIN;
	json_t *arr = json_array(), *o;
	long long last = 0;
	int r;

	*json = NULL;
	if (arr == NULL)
		return CG_ENOMEM;
	if (!all && who->enterprise_id == 0) {
		json_decref(arr);
		return cg__fail(ctx, CG_EPERM, "no enterprise to show declarations of");
	}
	if (s == NULL || cg_db_bind_int64(s, 1, all ? 0 : who->enterprise_id) != CG_OK ||
	    (qy->search != NULL && cg_db_bind_text(s, 2, qy->search) != CG_OK) ||
	    cg_db_bind_int64(s, 3, qy->kind) != CG_OK ||
	    (qy->state != NULL && cg_db_bind_text(s, 4, qy->state) != CG_OK) ||
	    cg_db_bind_int64(s, 5, qy->before > 0 ? qy->before : INT64_MAX) != CG_OK ||
	    cg_db_bind_int64(s, 6, qy->limit > 0 && qy->limit <= 500 ? qy->limit : 100) != CG_OK ||
	    cg_db_bind_int64(s, 7, qy->needs_action ? 1 : 0) != CG_OK) {
		json_decref(arr);
		return cg__fail(ctx, CG_EDB, "declarations: %s", cg_db_errmsg(cg__store_db(st)));
	}
	while ((r = cg_db_step(s)) == CG_DB_ROW) {
		last = cg_db_column_int64(s, 0);
		if (json_array_append_new(arr, row_json(s)) != 0) {
			r = CG_ENOMEM;
			break;
		}
	}
	cg_db_reset(s);
	if (r != CG_DB_DONE) {
		json_decref(arr);
		return cg__fail(ctx, CG_EDB, "declarations: %s", cg_db_errmsg(cg__store_db(st)));
	}
	if (with_tax_bills(st, ctx, arr) != CG_OK) {
		json_decref(arr);
		return CG_EDB;
	}
	/* "before" pages backwards: the next page starts below the last id shown. */
	o = json_pack("{s:o, s:I}", "declarations", arr, "before", (json_int_t)last);
	cg__json_times(o);
	*json = cg__json_text(o, JSON_INDENT(2));
	json_decref(o);
	return *json != NULL ? CG_OK : CG_ENOMEM;
}
