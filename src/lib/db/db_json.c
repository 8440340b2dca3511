/* SPDX-License-Identifier: MIT */
/*
 * Result rows as JSON: one object per row, keyed by the column names (write
 * `AS "camelCase"` in the SQL), values by the column types.
 */
#include "config.h"

#include "db/db.h"

static json_t *
value_json(cg_db_stmt *s, int i)
{
	switch (cg_db_column_type(s, i)) {
	case CG_DB_INT:
		return json_integer((json_int_t)cg_db_column_int64(s, i));
	case CG_DB_REAL:
		return json_real(cg_db_column_double(s, i));
	case CG_DB_TEXT:
		return json_string(cg_db_column_text(s, i));
	case CG_DB_BLOB:
		/* Blobs the API shows are stored XML; json_stringn refuses bytes that are not UTF-8. */
		return json_stringn((const char *)cg_db_column_blob(s, i), cg_db_column_bytes(s, i));
	default:
		return json_null();
	}
}

json_t *
cg_db_row_json(cg_db_stmt *s, unsigned flags)
{
	json_t *o = json_object();
	int n = cg_db_column_count(s), i;

	for (i = 0; i < n && o != NULL; i++) {
		json_t *v;

		if ((flags & CG_DB_JSON_OMIT_NULL) && cg_db_column_type(s, i) == CG_DB_NULL)
			continue;
		v = value_json(s, i);
		if (v == NULL || json_object_set_new(o, cg_db_column_name(s, i), v) != 0) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

json_t *
cg_db_rows_json(cg_db_stmt *s, unsigned flags, size_t max)
{
	json_t *arr = json_array();
	int r = CG_DB_DONE;

	while (arr != NULL && (max == 0 || json_array_size(arr) < max) &&
	       (r = cg_db_step(s)) == CG_DB_ROW) {
		json_t *o = cg_db_row_json(s, flags);

		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	cg_db_reset(s);
	if (r != CG_DB_ROW && r != CG_DB_DONE) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}
