/* SPDX-License-Identifier: MIT */
/* cebgated's view of the code tables: the editions in force, and an audited reload. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "cebgate/codes.h"
#include "cebgate/service.h"
#include "window/service_internal.h"
#include "window/store_internal.h"
#include "window/clearance.h"
#include "db/db.h"

/* The editions in force today, table by table, as a JSON array. */
static json_t *
in_force(const cg_codes *c)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < cg_codes_edition_count(c); i++) {
		const struct cg_edition *e = cg_codes_edition(c, i);

		if (cg_codes_in_force(c, e->table, NULL) != e)
			continue;
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b, s:I}", "table", e->table,
						     "edition", e->edition, "effective", e->effective,
						     "complete", e->complete, "rows",
						     (json_int_t)e->rows));
	}
	return arr;
}

cg_rc
cg_service_codes_json(const cg_codes *c, char **json)
{
	return cg__json_answer(json_pack("{s:o}", "editions", in_force(c)), json);
}

/* "hs 2026, customs 2018 ...": what the audit trail records of a set. */
static void
summary(const cg_codes *c, char *buf, size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < cg_codes_edition_count(c); i++) {
		const struct cg_edition *e = cg_codes_edition(c, i);
		int n;

		if (cg_codes_in_force(c, e->table, NULL) != e)
			continue;
		n = snprintf(buf + used, size - used, "%s%s %s", used > 0 ? ", " : "", e->table,
			     e->edition);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
}

/* One committed row of the audit trail. */
static cg_rc
audit(cg_service *svc, cg_ctx *ctx, const char *actor, const char *detail)
{
	cg_db *db = cg__store_db(cg__service_store(svc));
	cg_rc rc = cg_db_change_begin(db, ctx);

	if (rc != CG_OK)
		return rc;
	rc = cg__audit(cg__service_store(svc), ctx, actor, "reload code tables", 0, detail);
	return cg_db_change_end(db, ctx, rc);
}

cg_rc
cg_service_codes_reload(cg_service *svc, cg_ctx *ctx, const cg_principal *who, cg_codes **held,
			char **json)
{
	const char *actor = who != NULL ? who->name : "SIGHUP";
	char detail[1024];
	cg_rc rc;

	*json = NULL;
	if (who != NULL && who->role != CG_ROLE_ADMIN)
		return cg__fail(ctx, CG_EPERM, "only an admin may reload the code tables");
	if (cg_codes_reload(held, ctx, NULL) != CG_OK) {
		/* The old tables stay; say why, and keep a trace of the attempt. */
		(void)snprintf(detail, sizeof(detail), "failed, old tables kept: %s", cg_ctx_errmsg(ctx));
		(void)audit(svc, ctx, actor, detail);
		rc = cg__json_answer(json_pack("{s:s, s:b}", "error", detail, "reloaded", 0), json);
		return rc != CG_OK ? rc : cg__fail(ctx, CG_EINCOMPLETE, "%s", detail);
	}
	summary(*held, detail, sizeof(detail));
	rc = audit(svc, ctx, actor, detail);
	if (rc != CG_OK)
		return rc;
	return cg__json_answer(json_pack("{s:b, s:o}", "reloaded", 1, "editions", in_force(*held)),
			       json);
}
