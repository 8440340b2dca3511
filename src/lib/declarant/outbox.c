/* SPDX-License-Identifier: MIT */
/*
 * The declarant's outbox (include/cebgate/outbox.h): SQLite in WAL mode with
 * versioned migrations, prepared statements only, and one transaction per
 * state change, so a crash never leaves a declaration between two states.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/rand.h>
#include "cebgate/outbox.h"
#include "ceb/model.h"
#include "declarant/outbox_internal.h"
#include "sig/sigcore.h"
#include "util/xml.h"

/* Each migration runs once, in order, inside one transaction; never edit one that shipped. */
static const char *const migrations[] = {
	"CREATE TABLE decl("
	" id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE, msg_type TEXT NOT NULL,"
	" source TEXT NOT NULL, sha256 BLOB NOT NULL, xml BLOB NOT NULL, copmsgid TEXT,"
	" state TEXT NOT NULL CHECK(state IN"
	"  ('signed','submitted','acknowledged','rejected','dead','final')),"
	" attempts INTEGER NOT NULL DEFAULT 0, next_try INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT, answer TEXT, created INTEGER NOT NULL, updated INTEGER NOT NULL);"
	"CREATE INDEX decl_due ON decl(state, next_try, id);"
	"CREATE INDEX decl_by_copmsgid ON decl(copmsgid);"
	"CREATE TABLE doc("
	" id INTEGER PRIMARY KEY, decl_id INTEGER NOT NULL REFERENCES decl(id),"
	" kind INTEGER NOT NULL, key1 TEXT NOT NULL, key2 TEXT NOT NULL, app_type TEXT NOT NULL,"
	" order_no TEXT, logistics_no TEXT, return_status TEXT, rank INTEGER NOT NULL DEFAULT 0,"
	" final INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL,"
	" UNIQUE(kind, key1, key2, app_type));"
	"CREATE INDEX doc_by_key2 ON doc(kind, key2);"
	"CREATE INDEX doc_by_order ON doc(order_no);"
	"CREATE INDEX doc_by_waybill ON doc(logistics_no);"
	"CREATE INDEX doc_by_decl ON doc(decl_id);"
	"CREATE TABLE receipt("
	" id INTEGER PRIMARY KEY, doc_id INTEGER REFERENCES doc(id),"
	" decl_id INTEGER REFERENCES decl(id), msg_type TEXT NOT NULL,"
	" return_status TEXT NOT NULL, return_time TEXT, info TEXT, digest BLOB NOT NULL,"
	" idx INTEGER NOT NULL, received INTEGER NOT NULL, UNIQUE(digest, idx));"
	"CREATE INDEX receipt_by_decl ON receipt(decl_id);"
	"CREATE TABLE event("
	" id INTEGER PRIMARY KEY, decl_id INTEGER NOT NULL REFERENCES decl(id),"
	" at INTEGER NOT NULL, what TEXT NOT NULL);"
	"CREATE INDEX event_by_decl ON event(decl_id);"
	"CREATE TABLE cursor(name TEXT PRIMARY KEY, value INTEGER NOT NULL);",
};

CG_DB_SCHEMA(outbox_schema, "outbox", migrations);

/* SQLite-only here: INSERT OR IGNORE (PostgreSQL: ON CONFLICT DO NOTHING) and GLOB. */
static const char *const sql[OB_Q_COUNT] = {
	[OB_DECL_ADD] = "INSERT INTO decl(guid, msg_type, source, sha256, xml, copmsgid, state,"
			" created, updated) VALUES($1, $2, $3, $4, $5, $6, 'signed', $7, $7)",
	[OB_DECL_BY_GUID] = "SELECT id FROM decl WHERE guid = $1",
	[OB_DOC_EXISTS] = "SELECT 1 FROM doc WHERE kind = $1 AND key1 = $2 AND key2 = $3"
			  " AND app_type = $4",
	[OB_DOC_ADD] = "INSERT INTO doc(decl_id, kind, key1, key2, app_type, order_no, logistics_no,"
		       " updated) VALUES($1, $2, $3, $4, $5, $6, $7, $8)",
	[OB_EVENT] = "INSERT INTO event(decl_id, at, what) VALUES($1, $2, $3)",
	/* One state at a time: the index gives the order, nothing is sorted however long the queue. */
	[OB_DUE] = "SELECT id, guid, msg_type, coalesce(copmsgid, ''), xml, attempts FROM decl"
		   " WHERE state = $3 AND next_try <= $1 ORDER BY next_try, id LIMIT $2",
	[OB_LEASE] = "UPDATE decl SET state = 'submitted', next_try = $2, updated = $3 WHERE id = $1",
	[OB_RECOVER] = "UPDATE decl SET next_try = 0 WHERE state = 'submitted'",
	[OB_ANSWER] = "UPDATE decl SET state = $2, answer = $3, last_error = NULL, updated = $4"
		      " WHERE id = $1 AND (state IN ('signed', 'submitted', 'dead')"
		      "  OR ($2 = 'rejected' AND state = 'acknowledged'))",
	[OB_DOCS_REFUSED] = "UPDATE doc SET final = 1, rank = 100, return_status = $2, updated = $3"
			    " WHERE decl_id = $1 AND final = 0",
	[OB_DECL_FINAL] = "UPDATE decl SET state = 'final', updated = $2 WHERE id = $1"
			  " AND state = 'acknowledged'"
			  " AND NOT EXISTS(SELECT 1 FROM doc WHERE decl_id = $1 AND final = 0)",
	[OB_ATTEMPTS] = "SELECT attempts FROM decl WHERE id = $1",
	[OB_RETRY] = "UPDATE decl SET state = $2, attempts = $3, next_try = $4, last_error = $5,"
		     " updated = $6 WHERE id = $1 AND state = 'submitted'",
	[OB_RELEASE] = "UPDATE decl SET state = 'signed', attempts = 0, next_try = 0, updated = $1"
		       " WHERE state = 'dead'",
	[OB_NEXT_DUE] = "SELECT min(next_try) FROM decl WHERE state IN ('signed', 'submitted')",
	[OB_COUNTS] = "SELECT state, count(*) FROM decl GROUP BY state",
	[OB_ANY] = "SELECT EXISTS(SELECT 1 FROM decl WHERE state = $1)",
	[OB_DOC_COUNTS] = "SELECT count(*), coalesce(sum(final), 0),"
			  " coalesce(sum(final AND (return_status NOT GLOB '[0-9]*'"
			  "  OR return_status = '100')), 0) FROM doc",
	[OB_CURSOR] = "SELECT value FROM cursor WHERE name = $1",
	[OB_SET_CURSOR] = "INSERT INTO cursor(name, value) VALUES($1, $2)"
			  " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
	[OB_RCPT_ADD] = "INSERT OR IGNORE INTO receipt(doc_id, decl_id, msg_type, return_status,"
			" return_time, info, digest, idx, received) VALUES($1, $2, $3, $4, $5, $6, $7,"
			" $8, $9)",
	[OB_DOC_MATCH] = "SELECT d.id, d.decl_id, d.rank, d.final FROM doc d JOIN decl c"
			 " ON c.id = d.decl_id WHERE d.kind = $1 AND d.key2 = $3"
			 /* A message the service refused has no receipts: those are another's. */
			 " AND c.state IN ('submitted', 'acknowledged', 'final')"
			 " AND ($2 IS NULL OR d.key1 = $2) ORDER BY d.id DESC LIMIT 1",
	[OB_DOC_SET] = "UPDATE doc SET return_status = $2, rank = $3, final = $4, updated = $5"
		       " WHERE id = $1",
	[OB_DECL_BY_COPMSGID] = "SELECT id FROM decl WHERE copmsgid = $1 ORDER BY id DESC LIMIT 1",
	[OB_LIST] = "SELECT d.kind, d.key1, d.key2, c.state, coalesce(d.return_status, ''),"
		    " d.final, c.guid FROM doc d JOIN decl c ON c.id = d.decl_id"
		    " WHERE $1 = 0 OR d.final = 0 ORDER BY d.id",
	[OB_FIND] = "SELECT DISTINCT decl_id FROM doc WHERE key2 = $1 OR order_no = $1"
		    " OR logistics_no = $1 ORDER BY decl_id",
	[OB_DECL_GET] = "SELECT guid, msg_type, state, attempts, coalesce(last_error, ''),"
			" coalesce(answer, ''), source FROM decl WHERE id = $1",
	[OB_DOCS_OF] = "SELECT kind, key1, key2, app_type, coalesce(return_status, ''), final"
		       " FROM doc WHERE decl_id = $1 ORDER BY id",
	[OB_EVENTS_OF] = "SELECT at, what FROM event WHERE decl_id = $1 ORDER BY id",
	[OB_RCPTS_OF] = "SELECT msg_type, return_status, coalesce(return_time, ''),"
			" coalesce(info, ''), received FROM receipt WHERE decl_id = $1 ORDER BY id",
	[OB_TAXBILLS] = "SELECT return_status, coalesce(info, '') FROM receipt"
			" WHERE msg_type IN ('CEB816Message', 'CEB818Message') ORDER BY id",
	[OB_SUMRESULTS] = "SELECT return_status, coalesce(info, '') FROM receipt"
			  " WHERE msg_type = 'CEB792Message' ORDER BY id",
};

CG_DB_MODULE(outbox_sql, "outbox", sql);

struct cg_outbox {
	cg_db *db;
};

long long
cg__ob_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

cg_db *
cg__ob_db(cg_outbox *ob)
{
	return ob->db;
}

cg_db_stmt *
cg__ob_stmt(cg_outbox *ob, int q)
{
	return cg_db_prepared(ob->db, &outbox_sql, q);
}

cg_rc
cg__ob_fail(cg_outbox *ob, cg_ctx *ctx, const char *what)
{
	return cg__fail(ctx, CG_EDB, "outbox: %s: %s", what, cg_db_errmsg(ob->db));
}

/* Step a write statement to its end and reset it, so that it holds no lock. */
cg_rc
cg__ob_done(cg_outbox *ob, cg_ctx *ctx, cg_db_stmt *s, const char *what)
{
	int r = s != NULL ? cg_db_step(s) : CG_EDB;

	if (s != NULL)
		cg_db_reset(s);
	return r == CG_DB_DONE ? CG_OK : cg__ob_fail(ob, ctx, what);
}

/*
 * A change is one transaction; inside another change or a cg_outbox_begin()
 * batch it is a savepoint, so that a failed change never leaves half of
 * itself in the batch.
 */
cg_rc
cg__ob_begin(cg_outbox *ob, cg_ctx *ctx)
{
	return cg_db_change_begin(ob->db, ctx);
}

/* Finish a single change: commit it, or roll it back on failure. */
cg_rc
cg__ob_end(cg_outbox *ob, cg_ctx *ctx, cg_rc rc)
{
	return cg_db_change_end(ob->db, ctx, rc);
}

cg_rc
cg_outbox_open(cg_outbox **out, cg_ctx *ctx, const char *path)
{
	cg_outbox *ob = calloc(1, sizeof(*ob));
	cg_rc rc;

	*out = NULL;
	if (ob == NULL)
		return CG_ENOMEM;
	/*
	 * Durable (synchronous=FULL): a declaration recorded as signed or answered
	 * must survive power loss, or a restart could sign the same record again
	 * under a new guid.
	 */
	rc = cg_db_open(&ob->db, ctx, path, &outbox_schema, CG_DB_WAIT_SLEEP);
	if (rc != CG_OK) {
		free(ob);
		return rc;
	}
	*out = ob;
	return CG_OK;
}

void
cg_outbox_close(cg_outbox *ob)
{
	if (ob == NULL)
		return;
	cg_db_close(ob->db);
	free(ob);
}

int
cg_outbox_schema_version(const cg_outbox *ob)
{
	return cg_db_schema_version(ob->db);
}

cg_rc
cg_outbox_begin(cg_outbox *ob, cg_ctx *ctx)
{
	if (cg_db_depth(ob->db) > 0)
		return cg__fail(ctx, CG_EINVAL, "outbox: a transaction is open already");
	return cg_db_begin(ob->db, ctx);
}

cg_rc
cg_outbox_commit(cg_outbox *ob, cg_ctx *ctx)
{
	if (cg_db_depth(ob->db) == 0)
		return CG_OK;
	return cg_db_commit(ob->db, ctx);
}

void
cg_outbox_rollback(cg_outbox *ob)
{
	if (cg_db_depth(ob->db) > 0)
		cg_db_rollback(ob->db);
}


cg_rc
cg__ob_event(cg_outbox *ob, cg_ctx *ctx, long long decl_id, const char *what)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_EVENT);

	if (s == NULL || cg_db_bind_int64(s, 1, decl_id) != CG_OK ||
	    cg_db_bind_int64(s, 2, cg__ob_now()) != CG_OK ||
	    cg_db_bind_text(s, 3, what) != CG_OK)
		return cg__ob_fail(ob, ctx, "event");
	return cg__ob_done(ob, ctx, s, "event");
}

/* True when the document's key and appType are in the outbox already. */
static cg_rc
doc_exists(cg_outbox *ob, cg_ctx *ctx, int kind, const char *k1, const char *k2, const char *app,
	   bool *yes)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_DOC_EXISTS);
	int r;

	if (s == NULL || cg_db_bind_int64(s, 1, kind) != CG_OK ||
	    cg_db_bind_text(s, 2, k1) != CG_OK ||
	    cg_db_bind_text(s, 3, k2) != CG_OK ||
	    cg_db_bind_text(s, 4, app) != CG_OK)
		return cg__ob_fail(ob, ctx, "doc lookup");
	r = cg_db_step(s);
	cg_db_reset(s);
	if (r != CG_DB_ROW && r != CG_DB_DONE)
		return cg__ob_fail(ob, ctx, "doc lookup");
	*yes = r == CG_DB_ROW;
	return CG_OK;
}

static const char *
val_or(const struct cg_group *g, const char *name, const char *dflt)
{
	const char *v = name != NULL ? cg__group_get(g, name) : NULL;

	return v != NULL ? v : dflt;
}

static cg_rc
add_docs(cg_outbox *ob, cg_ctx *ctx, const struct cg_msg *m, long long decl_id)
{
	const struct cg_msgdef *def = m->def;
	size_t i;

	for (i = 0; i < m->ndocs; i++) {
		const struct cg_group *h = &m->docs[i].head;
		const char *order = val_or(h, "orderNo", NULL);
		cg_db_stmt *s = cg__ob_stmt(ob, OB_DOC_ADD);
		cg_rc rc;

		if (s == NULL || cg_db_bind_int64(s, 1, decl_id) != CG_OK ||
		    cg_db_bind_int64(s, 2, def->type) != CG_OK ||
		    cg_db_bind_text(s, 3, val_or(h, def->key[0], "")) != CG_OK ||
		    cg_db_bind_text(s, 4, val_or(h, def->key[1], "")) != CG_OK ||
		    cg_db_bind_text(s, 5, val_or(h, "appType", "1")) != CG_OK ||
		    cg_db_bind_text(s, 6, def->type != 311 ? order : NULL) !=
			    CG_OK ||
		    cg_db_bind_text(s, 7, def->type != 511 && def->type != 513
						    ? val_or(h, "logisticsNo", NULL) : NULL) != CG_OK ||
		    cg_db_bind_int64(s, 8, cg__ob_now()) != CG_OK)
			return cg__ob_fail(ob, ctx, "doc");
		rc = cg__ob_done(ob, ctx, s, "doc");
		if (rc != CG_OK)
			return rc;
	}
	return CG_OK;
}

/* Already there: the same guid, or a document with the same key and appType. */
static cg_rc
already_there(cg_outbox *ob, cg_ctx *ctx, const struct cg_msg *m, bool *yes)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_DECL_BY_GUID);
	size_t i;
	int r;
	cg_rc rc = CG_OK;

	if (s == NULL || cg_db_bind_text(s, 1, m->guid) != CG_OK)
		return cg__ob_fail(ob, ctx, "guid lookup");
	r = cg_db_step(s);
	cg_db_reset(s);
	*yes = r == CG_DB_ROW;
	for (i = 0; i < m->ndocs && !*yes && rc == CG_OK; i++) {
		const struct cg_group *h = &m->docs[i].head;

		rc = doc_exists(ob, ctx, m->def->type, val_or(h, m->def->key[0], ""),
				val_or(h, m->def->key[1], ""), val_or(h, "appType", "1"), yes);
	}
	return rc;
}

static cg_rc
insert_decl(cg_outbox *ob, cg_ctx *ctx, const struct cg_msg *m, const char *source,
	    const char *xml, size_t len, const char *copmsgid, long long *id)
{
	unsigned char sha[EVP_MAX_MD_SIZE];
	cg_db_stmt *s = cg__ob_stmt(ob, OB_DECL_ADD);
	cg_rc rc;

	(void)cg__digest(EVP_sha256(), xml, len, sha);
	if (s == NULL || cg_db_bind_text(s, 1, m->guid) != CG_OK ||
	    cg_db_bind_text(s, 2, m->def->root) != CG_OK ||
	    cg_db_bind_text(s, 3, source) != CG_OK ||
	    cg_db_bind_blob(s, 4, sha, 32) != CG_OK ||
	    cg_db_bind_blob(s, 5, xml, len) != CG_OK ||
	    /* Without an envelope id of its own, the message guid is its CopMsgId. */
	    cg_db_bind_text(s, 6, copmsgid != NULL ? copmsgid : m->guid) != CG_OK ||
	    cg_db_bind_int64(s, 7, cg__ob_now()) != CG_OK)
		return cg__ob_fail(ob, ctx, "add");
	rc = cg__ob_done(ob, ctx, s, "add");
	*id = cg_db_last_id(ob->db);
	return rc;
}

/* Parse a declaration we are about to keep: its guid, type and documents. */
static cg_rc
read_decl(cg_ctx *ctx, const char *source, const char *xml, size_t len, xmlDocPtr *doc,
	  struct cg_msg **m)
{
	cg_findings *f = NULL;
	cg_rc rc = cg_findings_new(&f);

	*doc = NULL;
	*m = NULL;
	if (rc == CG_OK)
		rc = cg__xml_parse(doc, ctx, xml, len, source, f);
	if (rc == CG_OK)
		rc = cg__msg_from_xml(m, ctx, *doc, false);
	if (rc == CG_OK && (!(*m)->def->declaration || (*m)->guid == NULL || (*m)->ndocs == 0))
		rc = cg__fail(ctx, CG_EPARSE, "%s: not a CEB declaration with a guid", source);
	else if (rc == CG_EINVAL)
		rc = cg__fail(ctx, CG_EPARSE, "%s: %s", source, cg_ctx_errmsg(ctx));
	cg_findings_free(f);
	return rc;
}

cg_rc
cg_outbox_known(cg_outbox *ob, cg_ctx *ctx, const char *xml, size_t len, int *known)
{
	xmlDocPtr doc = NULL;
	struct cg_msg *m = NULL;
	bool yes = false;
	cg_rc rc = read_decl(ctx, "declaration", xml, len, &doc, &m);

	if (rc == CG_OK)
		rc = already_there(ob, ctx, m, &yes);
	*known = rc == CG_OK && yes;
	cg__msg_free(m);
	xmlFreeDoc(doc);
	return rc;
}

cg_rc
cg_outbox_add(cg_outbox *ob, cg_ctx *ctx, const char *source, const char *xml, size_t len,
	      const char *copmsgid, int *added)
{
	xmlDocPtr doc = NULL;
	struct cg_msg *m = NULL;
	long long id = 0;
	bool dup = false;
	cg_rc rc;

	*added = 0;
	rc = read_decl(ctx, source, xml, len, &doc, &m);
	if (rc == CG_OK)
		rc = cg__ob_begin(ob, ctx);
	if (rc == CG_OK) {
		rc = already_there(ob, ctx, m, &dup);
		if (rc == CG_OK && !dup)
			rc = insert_decl(ob, ctx, m, source, xml, len, copmsgid, &id);
		if (rc == CG_OK && !dup)
			rc = add_docs(ob, ctx, m, id);
		if (rc == CG_OK && !dup)
			rc = cg__ob_event(ob, ctx, id, "validated and signed");
		rc = cg__ob_end(ob, ctx, rc);
	}
	*added = rc == CG_OK && !dup;
	cg__msg_free(m);
	xmlFreeDoc(doc);
	return rc;
}

void
cg_outbox_item_dispose(cg_outbox_item *item)
{
	if (item == NULL)
		return;
	free(item->xml);
	item->xml = NULL;
	item->len = 0;
}

static cg_rc
read_item(cg_db_stmt *s, cg_outbox_item *it)
{
	const void *x = cg_db_column_blob(s, 4);
	size_t len = cg_db_column_bytes(s, 4);

	memset(it, 0, sizeof(*it));
	it->id = cg_db_column_int64(s, 0);
	(void)snprintf(it->guid, sizeof(it->guid), "%s", cg_db_column_text(s, 1));
	(void)snprintf(it->type, sizeof(it->type), "%s", cg_db_column_text(s, 2));
	(void)snprintf(it->copmsgid, sizeof(it->copmsgid), "%s",
		       cg_db_column_text(s, 3));
	it->attempts = cg_db_column_int(s, 5);
	it->xml = malloc(len + 1);
	if (it->xml == NULL)
		return CG_ENOMEM;
	if (len > 0)
		memcpy(it->xml, x, len);
	it->xml[len] = '\0';
	it->len = len;
	return CG_OK;
}

static cg_rc
lease(cg_outbox *ob, cg_ctx *ctx, long long id, long long until, long long now)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_LEASE);

	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK ||
	    cg_db_bind_int64(s, 2, until) != CG_OK || cg_db_bind_int64(s, 3, now) != CG_OK)
		return cg__ob_fail(ob, ctx, "lease");
	return cg__ob_done(ob, ctx, s, "lease");
}

/* Read up to @p max due declarations in @p state into @p items. */
static cg_rc
due(cg_outbox *ob, cg_ctx *ctx, const char *state, long long now_ms, cg_outbox_item *items,
    size_t max, size_t *got)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_DUE);
	int r = CG_DB_DONE;
	cg_rc rc = CG_OK;

	if (s == NULL || cg_db_bind_int64(s, 1, now_ms) != CG_OK ||
	    cg_db_bind_int64(s, 2, (long long)max) != CG_OK ||
	    cg_db_bind_text(s, 3, state) != CG_OK)
		return cg__ob_fail(ob, ctx, "due");
	while (rc == CG_OK && *got < max && (r = cg_db_step(s)) == CG_DB_ROW)
		rc = read_item(s, &items[(*got)++]);
	cg_db_reset(s);
	if (rc == CG_OK && r != CG_DB_ROW && r != CG_DB_DONE)
		rc = cg__ob_fail(ob, ctx, "due");
	return rc;
}

cg_rc
cg_outbox_claim(cg_outbox *ob, cg_ctx *ctx, long long now_ms, long long lease_ms,
		cg_outbox_item *items, size_t max, size_t *n)
{
	size_t i, got = 0;
	cg_rc rc = cg__ob_begin(ob, ctx);

	*n = 0;
	if (rc != CG_OK)
		return rc;
	/* Retries that are due first (they are the oldest), then new declarations. */
	rc = due(ob, ctx, "submitted", now_ms, items, max, &got);
	if (rc == CG_OK && got < max)
		rc = due(ob, ctx, "signed", now_ms, items + got, max - got, &got);
	for (i = 0; i < got && rc == CG_OK; i++)
		rc = lease(ob, ctx, items[i].id, now_ms + lease_ms, now_ms);
	rc = cg__ob_end(ob, ctx, rc);
	if (rc != CG_OK) {
		for (i = 0; i < got; i++)
			cg_outbox_item_dispose(&items[i]);
		return rc;
	}
	*n = got;
	return CG_OK;
}

cg_rc
cg_outbox_any(cg_outbox *ob, cg_ctx *ctx, const char *state, int *yes)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_ANY);
	int r;

	*yes = 0;
	if (s == NULL || cg_db_bind_text(s, 1, state) != CG_OK)
		return cg__ob_fail(ob, ctx, "any");
	r = cg_db_step(s);
	if (r == CG_DB_ROW)
		*yes = cg_db_column_int(s, 0);
	cg_db_reset(s);
	return r == CG_DB_ROW ? CG_OK : cg__ob_fail(ob, ctx, "any");
}

cg_rc
cg_outbox_recover(cg_outbox *ob, cg_ctx *ctx)
{
	return cg__ob_done(ob, ctx, cg__ob_stmt(ob, OB_RECOVER), "recover");
}

/* Acknowledged, and every document final: the declaration is final. */
cg_rc
cg__ob_maybe_final(cg_outbox *ob, cg_ctx *ctx, long long decl_id)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_DECL_FINAL);

	if (s == NULL || cg_db_bind_int64(s, 1, decl_id) != CG_OK ||
	    cg_db_bind_int64(s, 2, cg__ob_now()) != CG_OK)
		return cg__ob_fail(ob, ctx, "final");
	return cg__ob_done(ob, ctx, s, "final");
}

static cg_rc
refuse_docs(cg_outbox *ob, cg_ctx *ctx, long long id, const char *status)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_DOCS_REFUSED);

	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK ||
	    cg_db_bind_text(s, 2, status) != CG_OK ||
	    cg_db_bind_int64(s, 3, cg__ob_now()) != CG_OK)
		return cg__ob_fail(ob, ctx, "refuse");
	return cg__ob_done(ob, ctx, s, "refuse");
}

cg_rc
cg_outbox_answer(cg_outbox *ob, cg_ctx *ctx, long long id, const char *status,
		 const char *return_status, const char *detail)
{
	bool ok = strcmp(status, "accepted") == 0 || strcmp(status, "duplicate") == 0;
	cg_db_stmt *s;
	char what[160];
	cg_rc rc = cg__ob_begin(ob, ctx);

	if (rc != CG_OK)
		return rc;
	s = cg__ob_stmt(ob, OB_ANSWER);
	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK ||
	    cg_db_bind_text(s, 2, ok ? "acknowledged" : "rejected") != CG_OK ||
	    cg_db_bind_text(s, 3, detail) != CG_OK ||
	    cg_db_bind_int64(s, 4, cg__ob_now()) != CG_OK)
		rc = cg__ob_fail(ob, ctx, "answer");
	else
		rc = cg__ob_done(ob, ctx, s, "answer");
	if (rc == CG_OK && !ok)
		rc = refuse_docs(ob, ctx, id, return_status != NULL ? return_status : status);
	(void)snprintf(what, sizeof(what), "answered %s%s%s", status,
		       return_status != NULL ? " " : "", return_status != NULL ? return_status : "");
	if (rc == CG_OK)
		rc = cg__ob_event(ob, ctx, id, what);
	if (rc == CG_OK && ok)
		rc = cg__ob_maybe_final(ob, ctx, id);
	return cg__ob_end(ob, ctx, rc);
}

long long
cg_outbox_backoff_ms(int attempt, long long base_ms, long long cap_ms, double random)
{
	long long d = base_ms > 0 ? base_ms : 1;
	int i;

	for (i = 1; i < attempt && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	if (random < 0)
		random = 0;
	if (random > 1)
		random = 1;
	/* Jitter spreads the retries of many clients that failed at the same moment. */
	return d / 2 + (long long)((double)(d - d / 2) * random);
}

static cg_rc
attempts_of(cg_outbox *ob, cg_ctx *ctx, long long id, int *attempts)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_ATTEMPTS);
	int r;

	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK)
		return cg__ob_fail(ob, ctx, "attempts");
	r = cg_db_step(s);
	*attempts = r == CG_DB_ROW ? cg_db_column_int(s, 0) : 0;
	cg_db_reset(s);
	return r == CG_DB_ROW ? CG_OK : cg__fail(ctx, CG_ENOTFOUND, "outbox: no declaration %lld", id);
}

static cg_rc
set_retry(cg_outbox *ob, cg_ctx *ctx, long long id, const char *state, int attempts,
	  long long next, const char *error)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_RETRY);

	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK ||
	    cg_db_bind_text(s, 2, state) != CG_OK ||
	    cg_db_bind_int64(s, 3, attempts) != CG_OK ||
	    cg_db_bind_int64(s, 4, next) != CG_OK ||
	    cg_db_bind_text(s, 5, error) != CG_OK ||
	    cg_db_bind_int64(s, 6, cg__ob_now()) != CG_OK)
		return cg__ob_fail(ob, ctx, "retry");
	return cg__ob_done(ob, ctx, s, "retry");
}

static double
jitter(void)
{
	unsigned char b[4];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return 0.5;
	return (double)((unsigned)b[0] << 24 | (unsigned)b[1] << 16 | (unsigned)b[2] << 8 | b[3]) /
	       4294967295.0;
}

cg_rc
cg_outbox_retry(cg_outbox *ob, cg_ctx *ctx, long long id, long long now_ms, int max_attempts,
		long long base_ms, long long cap_ms, const char *error, int *dead)
{
	char what[400];
	int attempts = 0;
	cg_rc rc = cg__ob_begin(ob, ctx);

	*dead = 0;
	if (rc != CG_OK)
		return rc;
	rc = attempts_of(ob, ctx, id, &attempts);
	attempts++;
	*dead = attempts >= max_attempts;
	if (rc == CG_OK)
		rc = set_retry(ob, ctx, id, *dead ? "dead" : "submitted", attempts,
			       now_ms + cg_outbox_backoff_ms(attempts, base_ms, cap_ms, jitter()), error);
	(void)snprintf(what, sizeof(what), "send %d failed: %s%s", attempts, error,
		       *dead ? " (dead letter)" : "");
	if (rc == CG_OK)
		rc = cg__ob_event(ob, ctx, id, what);
	return cg__ob_end(ob, ctx, rc);
}

cg_rc
cg_outbox_give_up(cg_outbox *ob, cg_ctx *ctx, long long id, const char *error)
{
	char what[400];
	int attempts = 0;
	cg_rc rc = cg__ob_begin(ob, ctx);

	if (rc != CG_OK)
		return rc;
	rc = attempts_of(ob, ctx, id, &attempts);
	if (rc == CG_OK)
		rc = set_retry(ob, ctx, id, "dead", attempts + 1, 0, error);
	(void)snprintf(what, sizeof(what), "send %d refused, not retried: %s (dead letter)",
		       attempts + 1, error);
	if (rc == CG_OK)
		rc = cg__ob_event(ob, ctx, id, what);
	return cg__ob_end(ob, ctx, rc);
}

cg_rc
cg_outbox_release_dead(cg_outbox *ob, cg_ctx *ctx, long long *n)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_RELEASE);
	cg_rc rc;

	*n = 0;
	if (s == NULL || cg_db_bind_int64(s, 1, cg__ob_now()) != CG_OK)
		return cg__ob_fail(ob, ctx, "release");
	rc = cg__ob_done(ob, ctx, s, "release");
	if (rc == CG_OK)
		*n = cg_db_changes(ob->db);
	return rc;
}

cg_rc
cg_outbox_next_due(cg_outbox *ob, cg_ctx *ctx, long long now_ms, long long *wait_ms)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_NEXT_DUE);
	int r;

	*wait_ms = -1;
	if (s == NULL)
		return cg__ob_fail(ob, ctx, "next due");
	r = cg_db_step(s);
	if (r == CG_DB_ROW && !cg_db_column_is_null(s, 0)) {
		long long t = cg_db_column_int64(s, 0);

		*wait_ms = t > now_ms ? t - now_ms : 0;
	}
	cg_db_reset(s);
	return r == CG_DB_ROW ? CG_OK : cg__ob_fail(ob, ctx, "next due");
}

static void
count_state(cg_outbox_counts *c, const char *state, long long n)
{
	static const struct {
		const char *name;
		size_t off;
	} map[] = {
		{ "signed", offsetof(cg_outbox_counts, signed_) },
		{ "submitted", offsetof(cg_outbox_counts, submitted) },
		{ "acknowledged", offsetof(cg_outbox_counts, acknowledged) },
		{ "rejected", offsetof(cg_outbox_counts, rejected) },
		{ "dead", offsetof(cg_outbox_counts, dead) },
		{ "final", offsetof(cg_outbox_counts, final) },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].name, state) == 0)
			*(long long *)(void *)((char *)c + map[i].off) = n;
	}
}

cg_rc
cg_outbox_counts_get(cg_outbox *ob, cg_ctx *ctx, cg_outbox_counts *c)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_COUNTS);
	int r;

	memset(c, 0, sizeof(*c));
	if (s == NULL)
		return cg__ob_fail(ob, ctx, "counts");
	while ((r = cg_db_step(s)) == CG_DB_ROW)
		count_state(c, cg_db_column_text(s, 0), cg_db_column_int64(s, 1));
	cg_db_reset(s);
	if (r != CG_DB_DONE)
		return cg__ob_fail(ob, ctx, "counts");
	s = cg__ob_stmt(ob, OB_DOC_COUNTS);
	if (s == NULL || cg_db_step(s) != CG_DB_ROW)
		return cg__ob_fail(ob, ctx, "counts");
	c->docs = cg_db_column_int64(s, 0);
	c->docs_final = cg_db_column_int64(s, 1);
	c->docs_refused = cg_db_column_int64(s, 2);
	cg_db_reset(s);
	return CG_OK;
}

cg_rc
cg_outbox_cursor(cg_outbox *ob, cg_ctx *ctx, const char *name, long long *value)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_CURSOR);
	int r;

	*value = 0;
	if (s == NULL || cg_db_bind_text(s, 1, name) != CG_OK)
		return cg__ob_fail(ob, ctx, "cursor");
	r = cg_db_step(s);
	if (r == CG_DB_ROW)
		*value = cg_db_column_int64(s, 0);
	cg_db_reset(s);
	return r == CG_DB_ROW || r == CG_DB_DONE ? CG_OK : cg__ob_fail(ob, ctx, "cursor");
}

cg_rc
cg_outbox_set_cursor(cg_outbox *ob, cg_ctx *ctx, const char *name, long long value)
{
	cg_db_stmt *s = cg__ob_stmt(ob, OB_SET_CURSOR);

	if (s == NULL || cg_db_bind_text(s, 1, name) != CG_OK ||
	    cg_db_bind_int64(s, 2, value) != CG_OK)
		return cg__ob_fail(ob, ctx, "cursor");
	return cg__ob_done(ob, ctx, s, "cursor");
}
