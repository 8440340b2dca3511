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

/* Statement slots 136-143 of cg__store_stmt() belong to this file. */
enum { S_LIST = 136 };

static const char *const sql[] = {
	[S_LIST - 136] =
		"SELECT d.id, d.kind, d.key1, d.key2, d.state, d.reason, d.app_type, d.updated,"
		" (SELECT group_concat(r.return_status, ',') FROM"
		"   (SELECT return_status FROM receipt WHERE document_id = d.id ORDER BY id) r)"
		" FROM document d"
		" WHERE (?1 = 0 OR d.sender_id = ?1)"
		" AND (?2 IS NULL OR d.key2 = ?2"
		"      OR substr(d.order_key, instr(d.order_key, '|') + 1) = ?2"
		"      OR substr(d.waybill_key, instr(d.waybill_key, '|') + 1) = ?2)"
		" AND (?3 = 0 OR d.kind = ?3) AND (?4 IS NULL OR d.state = ?4)"
		" AND d.id < ?5 ORDER BY d.id DESC LIMIT ?6",
};

static const char *
text(sqlite3_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s, col);
}

static json_t *
row_json(sqlite3_stmt *s)
{
	const char *rs = text(s, 8);
	json_t *receipts = json_array();
	char *copy = rs != NULL ? strdup(rs) : NULL, *tok, *save = NULL;

	for (tok = copy != NULL ? strtok_r(copy, ",", &save) : NULL; tok != NULL && receipts != NULL;
	     tok = strtok_r(NULL, ",", &save))
		(void)json_array_append_new(receipts, json_string(tok));
	free(copy);
	return json_pack("{s:I, s:i, s:s, s:s, s:s, s:s?, s:s, s:I, s:o}", "id",
			 (json_int_t)sqlite3_column_int64(s, 0), "kind", sqlite3_column_int(s, 1), "key1",
			 text(s, 2), "key2", text(s, 3), "state", text(s, 4), "reason", text(s, 5), "appType",
			 text(s, 6), "updated", (json_int_t)sqlite3_column_int64(s, 7), "receipts", receipts);
}

cg_rc
cg_service_declarations(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
			const cg_declaration_query *qy, char **json)
{
	cg_store *st = cg__service_store(svc);
	sqlite3_stmt *s = cg__store_stmt(st, S_LIST, sql[0]);
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
	if (s == NULL || sqlite3_bind_int64(s, 1, all ? 0 : who->enterprise_id) != SQLITE_OK ||
	    (qy->search != NULL && sqlite3_bind_text(s, 2, qy->search, -1, SQLITE_STATIC) != SQLITE_OK) ||
	    sqlite3_bind_int(s, 3, qy->kind) != SQLITE_OK ||
	    (qy->state != NULL && sqlite3_bind_text(s, 4, qy->state, -1, SQLITE_STATIC) != SQLITE_OK) ||
	    sqlite3_bind_int64(s, 5, qy->before > 0 ? qy->before : INT64_MAX) != SQLITE_OK ||
	    sqlite3_bind_int(s, 6, qy->limit > 0 && qy->limit <= 500 ? qy->limit : 100) != SQLITE_OK) {
		json_decref(arr);
		return cg__fail(ctx, CG_EDB, "declarations: %s", cg__store_errmsg(st));
	}
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		last = sqlite3_column_int64(s, 0);
		if (json_array_append_new(arr, row_json(s)) != 0) {
			r = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(s);
	if (r != SQLITE_DONE) {
		json_decref(arr);
		return cg__fail(ctx, CG_EDB, "declarations: %s", cg__store_errmsg(st));
	}
	/* "before" pages backwards: the next page starts below the last id shown. */
	o = json_pack("{s:o, s:I}", "declarations", arr, "before", (json_int_t)last);
	*json = cg__json_text(o, JSON_INDENT(2));
	json_decref(o);
	return *json != NULL ? CG_OK : CG_ENOMEM;
}
