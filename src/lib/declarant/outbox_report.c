/* SPDX-License-Identifier: MIT */
/* What the outbox knows, as JSON: every document's state, and one declaration's history. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "declarant/outbox_internal.h"

static const char *
col(cg_db_stmt *s, int i)
{
	const char *t = cg_db_column_text(s, i);

	return t != NULL ? (const char *)t : "";
}

static char *
json_out(json_t *root)
{
	char *text = root != NULL ? cg__json_text(root, JSON_INDENT(2)) : NULL;

	json_decref(root);
	return text;
}

/*
 * Receipts that describe one thing over several messages, folded into one
 * object per @p key (in received order): the first message's fields are kept
 * (@p later_wins false) or each later one replaces them (true); @p status_key
 * is the latest status; @p count_key, when given, counts the messages.
 */
static json_t *
fold_by_key(cg_outbox *ob, int stmt, const char *key, bool later_wins, const char *status_key,
	    const char *count_key)
{
	cg_db_stmt *s = cg__ob_stmt(ob, stmt);
	json_t *by_no = json_object(), *arr = json_array(), *v;
	const char *k;

	while (s != NULL && by_no != NULL && cg_db_step(s) == CG_DB_ROW) {
		json_t *info = json_loads(col(s, 1), 0, NULL);
		const char *no = json_string_value(json_object_get(info, key));
		json_t *one;

		if (no == NULL) {
			json_decref(info);
			continue;
		}
		one = json_object_get(by_no, no);
		if (one == NULL) {
			(void)json_object_set_new(by_no, no, info);
			one = info;
		} else {
			(void)(later_wins ? json_object_update(one, info) : json_object_update_missing(one, info));
			json_decref(info);
		}
		(void)json_object_set_new(one, status_key, json_string(col(s, 0)));
		if (count_key != NULL)
			(void)json_object_set_new(one, count_key,
						  json_integer(json_integer_value(json_object_get(one, count_key)) + 1));
	}
	if (s != NULL)
		cg_db_reset(s);
	json_object_foreach(by_no, k, v)
		(void)json_array_append(arr, v);
	json_decref(by_no);
	return arr;
}

/* The electronic tax bills (CEB816, then CEB818 changes): the CEB816's figures, the latest status. */
static json_t *
tax_bills(cg_outbox *ob)
{
	return fold_by_key(ob, OB_TAXBILLS, "taxNo", false, "status", NULL);
}

/*
 * The summary results (CEB792), one per declSeqNo (ceb-export-spec §3.12: an
 * upsert): what a later result says replaces what an earlier one said, what
 * it leaves out (its empty list) stays, decState is the latest.
 */
static json_t *
summary_results(cg_outbox *ob)
{
	return fold_by_key(ob, OB_SUMRESULTS, "declSeqNo", true, "decState", "results");
}

cg_rc
cg_outbox_list_json(cg_outbox *ob, cg_ctx *ctx, int only_open, char **json)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_LIST);
	json_t *arr = json_array();
	int r = CG_EDB;

	*json = NULL;
	if (arr == NULL)
		return CG_ENOMEM;
	if (s != NULL && cg_db_bind_int64(s, 1, only_open) == CG_OK) {
		while ((r = cg_db_step(s)) == CG_DB_ROW) {
			json_t *o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:b, s:s}", "type",
					      cg_db_column_int(s, 0), "key1", col(s, 1), "key2",
					      col(s, 2), "state", col(s, 3), "returnStatus", col(s, 4),
					      "final", cg_db_column_int(s, 5), "guid", col(s, 6));

			if (o == NULL || json_array_append_new(arr, o) != 0) {
				r = CG_ENOMEM;
				break;
			}
		}
		cg_db_reset(s);
	}
	if (r != CG_DB_DONE) {
		json_decref(arr);
		return r == CG_ENOMEM ? CG_ENOMEM : cg__ob_fail(ob, ctx, "list");
	}
	*json = json_out(json_pack("{s:o, s:o, s:o}", "documents", arr, "taxBills", tax_bills(ob),
				   "summaryResults", summary_results(ob)));
	return *json != NULL ? CG_OK : CG_ENOMEM;
}

/* Rows of @p q for declaration @p id, each turned into an object by @p row. */
static cg_rc
rows(cg_outbox *ob, cg_ctx *ctx, int q, long long id, json_t *(*row)(cg_db_stmt *), json_t **out)
{
	cg_db_stmt *s = cg__ob_stmt(ob, q);
	json_t *arr = json_array();
	int r = CG_EDB;

	*out = NULL;
	if (arr == NULL)
		return CG_ENOMEM;
	if (s != NULL && cg_db_bind_int64(s, 1, id) == CG_OK) {
		while ((r = cg_db_step(s)) == CG_DB_ROW) {
			json_t *o = row(s);

			if (o == NULL || json_array_append_new(arr, o) != 0) {
				r = CG_ENOMEM;
				break;
			}
		}
		cg_db_reset(s);
	}
	if (r != CG_DB_DONE) {
		json_decref(arr);
		return r == CG_ENOMEM ? CG_ENOMEM : cg__ob_fail(ob, ctx, "history");
	}
	*out = arr;
	return CG_OK;
}

static json_t *
doc_row(cg_db_stmt *s)
{
	return json_pack("{s:i, s:s, s:s, s:s, s:s, s:b}", "type", cg_db_column_int(s, 0), "key1",
			 col(s, 1), "key2", col(s, 2), "appType", col(s, 3), "returnStatus",
			 col(s, 4), "final", cg_db_column_int(s, 5));
}

static json_t *
event_row(cg_db_stmt *s)
{
	return json_pack("{s:I, s:s}", "at", (json_int_t)cg_db_column_int64(s, 0), "what",
			 col(s, 1));
}

static json_t *
receipt_row(cg_db_stmt *s)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I}", "type", col(s, 0), "returnStatus", col(s, 1),
			 "returnTime", col(s, 2), "returnInfo", col(s, 3), "received",
			 (json_int_t)cg_db_column_int64(s, 4));
}

static cg_rc
one_decl(cg_outbox *ob, cg_ctx *ctx, long long id, json_t **out)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_DECL_GET);
	json_t *o = NULL, *docs = NULL, *events = NULL, *rcpts = NULL;
	cg_rc rc = CG_OK;

	*out = NULL;
	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK || cg_db_step(s) != CG_DB_ROW)
		rc = cg__ob_fail(ob, ctx, "declaration");
	else
		o = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "guid", col(s, 0), "type",
			      col(s, 1), "state", col(s, 2), "failedSends", cg_db_column_int(s, 3),
			      "lastError", col(s, 4), "answer", col(s, 5), "source", col(s, 6));
	if (s != NULL)
		cg_db_reset(s);
	if (rc == CG_OK && o == NULL)
		rc = CG_ENOMEM;
	if (rc == CG_OK)
		rc = rows(ob, ctx, OB_DOCS_OF, id, doc_row, &docs);
	if (rc == CG_OK)
		rc = rows(ob, ctx, OB_EVENTS_OF, id, event_row, &events);
	if (rc == CG_OK)
		rc = rows(ob, ctx, OB_RCPTS_OF, id, receipt_row, &rcpts);
	if (rc == CG_OK && (json_object_set_new(o, "documents", docs) != 0 ||
			    json_object_set_new(o, "events", events) != 0 ||
			    json_object_set_new(o, "receipts", rcpts) != 0))
		rc = CG_ENOMEM;
	if (rc != CG_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return CG_OK;
}

static cg_rc
find_decls(cg_outbox *ob, cg_ctx *ctx, const char *key, long long *ids, size_t max, size_t *n)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_FIND);
	int r = CG_EDB;

	*n = 0;
	if (s != NULL && cg_db_bind_text(s, 1, key) == CG_OK) {
		while ((r = cg_db_step(s)) == CG_DB_ROW && *n < max)
			ids[(*n)++] = cg_db_column_int64(s, 0);
		cg_db_reset(s);
	}
	return r == CG_DB_DONE || r == CG_DB_ROW ? CG_OK : cg__ob_fail(ob, ctx, "find");
}

cg_rc
cg_outbox_status_json(cg_outbox *ob, cg_ctx *ctx, const char *key, char **json)
{
	long long ids[64];
	json_t *arr = json_array();
	size_t i, n = 0;
	cg_rc rc = arr != NULL ? find_decls(ob, ctx, key, ids, 64, &n) : CG_ENOMEM;

	*json = NULL;
	for (i = 0; i < n && rc == CG_OK; i++) {
		json_t *o = NULL;

		rc = one_decl(ob, ctx, ids[i], &o);
		if (rc == CG_OK && json_array_append_new(arr, o) != 0)
			rc = CG_ENOMEM;
	}
	if (rc == CG_OK && n == 0)
		rc = cg__fail(ctx, CG_ENOTFOUND, "no declaration in the outbox has the key %s", key);
	if (rc != CG_OK) {
		json_decref(arr);
		return rc;
	}
	*json = json_out(json_pack("{s:s, s:o}", "key", key, "declarations", arr));
	return *json != NULL ? CG_OK : CG_ENOMEM;
}
