/* SPDX-License-Identifier: MIT */
/*
 * The audit trail: append-only, hash-chained, in several chains so that
 * writers on several nodes do not wait for one another (docs/postgresql.md,
 * "Several nodes"). Each record hashes the one before it in its chain: a
 * changed or removed record breaks its chain. A record goes to a chain its
 * transaction holds to its commit: on PostgreSQL the first of chains 1..64
 * that no other transaction holds (an advisory lock, tried, never waited
 * for while one is free); on SQLite, one writer at a time, chain 1.
 * Chain 0 is the single chain written before chains existed, followed by
 * the anchors: records whose detail names the head (id and hash) of every
 * chain at that moment, so that the chains are tied to one another and a
 * record removed before an anchor shows even at the end of a chain.
 * cg__audit_verify() checks all of it, end to end.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <openssl/evp.h>
#include "window/clearance.h"

/* Chains 1..CHAINS take the records; 0 the records before them, then the anchors. */
#define CHAINS 64
/* An anchor at most this often from the sweep (seconds), and only when a head moved. */
#define ANCHOR_EVERY 60
/* Records read per statement when verifying. */
#define PAGE 1000

enum { A_CHAIN, A_CHAIN_WAIT, A_LAST, A_ADD, A_ANCHOR_LOCK, A_HEAD, A_MAX_CHAIN, A_LAST_ANCHOR,
       A_PAGE, A_AT };

static const char *const sql[] = {
	/* One writer at a time on SQLite: one chain, nothing to lock. */
	[A_CHAIN] = "SELECT 1",
	[A_CHAIN_WAIT] = "SELECT CAST($1 AS INTEGER)",
	[A_LAST] = "SELECT hash FROM audit WHERE chain = $1 ORDER BY id DESC LIMIT 1",
	[A_ADD] = "INSERT INTO audit(at, actor, action, document_id, detail, prev, hash, chain)"
		  " VALUES($1, $2, $3, $4, $5, $6, $7, $8)",
	[A_ANCHOR_LOCK] = "SELECT 0",
	[A_HEAD] = "SELECT id, hash FROM audit WHERE chain = $1 ORDER BY id DESC LIMIT 1",
	[A_MAX_CHAIN] = "SELECT max(chain) FROM audit",
	[A_LAST_ANCHOR] = "SELECT at, detail FROM audit WHERE chain = 0 AND action = 'anchor'"
			  " AND actor = 'system' ORDER BY id DESC LIMIT 1",
	[A_PAGE] = "SELECT id, at, actor, action, document_id, detail, prev, hash FROM audit"
		   " WHERE chain = $1 AND id > $2 ORDER BY id LIMIT $3",
	[A_AT] = "SELECT hash FROM audit WHERE chain = $1 AND id = $2",
};
/*
 * PostgreSQL: the first chain no other transaction holds, tried in order
 * (the scan stops at the first lock taken; 0 when all are held); when all
 * are, a wait for one; the anchor chain taken by one writer at a time.
 */
static const char *const pg_sql[sizeof(sql) / sizeof(sql[0])] = {
	[A_CHAIN] = "SELECT coalesce((SELECT k FROM generate_series(1, 64) AS k"
		    " WHERE pg_try_advisory_xact_lock(1130, k) LIMIT 1), 0)",
	[A_CHAIN_WAIT] = "SELECT pg_advisory_xact_lock(1130, CAST($1 AS INTEGER)), CAST($1 AS INTEGER)",
	[A_ANCHOR_LOCK] = "SELECT pg_advisory_xact_lock(1130, 0)",
};
CG_DB_MODULE_PG(audit_sql, "audit", sql, pg_sql);

static cg_db_stmt *
q(cg_store *st, int id)
{
	return cg_db_prepared(cg__store_db(st), &audit_sql, id);
}

static cg_rc
dbfail(cg_store *st, cg_ctx *ctx, const char *what)
{
	return cg__fail(ctx, CG_EDB, "%s: %s", what, cg_db_errmsg(cg__store_db(st)));
}

/* A record's hash: the previous one's, then its fields (the format of the first chain, kept). */
static bool
record_hash(const unsigned char prev[32], long long at, long long doc_id, const char *actor,
	    const char *action, const char *detail, unsigned char out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned len = 0;
	char head[64];
	bool ok;

	(void)snprintf(head, sizeof(head), "%lld|%lld|", at, doc_id);
	ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(md, prev, 32) == 1 && EVP_DigestUpdate(md, head, strlen(head)) == 1 &&
	     EVP_DigestUpdate(md, actor, strlen(actor) + 1) == 1 &&
	     EVP_DigestUpdate(md, action, strlen(action) + 1) == 1 &&
	     EVP_DigestUpdate(md, detail, strlen(detail)) == 1 && EVP_DigestFinal_ex(md, out, &len) == 1;
	EVP_MD_CTX_free(md);
	return ok && len == 32;
}

/* The first integer column of a statement's one row, or @p none. */
static long long
one_int(cg_db_stmt *s, long long none)
{
	long long v = none;

	if (s != NULL && cg_db_step(s) == CG_DB_ROW && !cg_db_column_is_null(s, 0))
		v = cg_db_column_int64(s, cg_db_column_count(s) - 1);
	if (s != NULL)
		cg_db_reset(s);
	return v;
}

/*
 * The chain this record goes to, held to the commit. Asked again for each
 * record: a chain taken under a savepoint that was rolled back is free
 * again, and the one held is found first when it is still ours.
 */
static cg_rc
chain_of(cg_store *st, cg_ctx *ctx, int *chain)
{
	long long k = one_int(q(st, A_CHAIN), -1);
	cg_db_stmt *s;

	if (k == 0) {
		/* Every chain is held: wait for one, a different one from one transaction to the next. */
		s = q(st, A_CHAIN_WAIT);
		if (s == NULL || cg_db_bind_int64(s, 1, 1 + (long long)(cg_db_txn(cg__store_db(st)) % CHAINS)) != CG_OK)
			return dbfail(st, ctx, "audit chain");
		k = one_int(s, -1);
	}
	if (k < 1 || k > CHAINS)
		return dbfail(st, ctx, "audit chain");
	*chain = (int)k;
	return CG_OK;
}

/* Append a record to @p chain, linked to its last one. */
static cg_rc
append(cg_store *st, cg_ctx *ctx, int chain, const char *actor, const char *action, long long doc_id,
       const char *detail)
{
	unsigned char prev[32] = { 0 }, hash[32];
	long long at = (long long)time(NULL);
	cg_db_stmt *s = q(st, A_LAST);

	if (s == NULL || cg_db_bind_int64(s, 1, chain) != CG_OK)
		return dbfail(st, ctx, "audit");
	if (cg_db_step(s) == CG_DB_ROW && cg_db_column_bytes(s, 0) == 32)
		memcpy(prev, cg_db_column_blob(s, 0), 32);
	cg_db_reset(s);
	if (!record_hash(prev, at, doc_id, actor, action, detail, hash))
		return cg__fail(ctx, CG_EINTERNAL, "audit hash");
	s = q(st, A_ADD);
	if (s == NULL || cg_db_bind_int64(s, 1, at) != CG_OK ||
	    cg_db_bind_text(s, 2, actor) != CG_OK ||
	    cg_db_bind_text(s, 3, action) != CG_OK ||
	    (doc_id != 0 && cg_db_bind_int64(s, 4, doc_id) != CG_OK) ||
	    cg_db_bind_text(s, 5, detail) != CG_OK ||
	    cg_db_bind_blob(s, 6, prev, 32) != CG_OK ||
	    cg_db_bind_blob(s, 7, hash, 32) != CG_OK ||
	    cg_db_bind_int64(s, 8, chain) != CG_OK || cg_db_step(s) != CG_DB_DONE)
		return dbfail(st, ctx, "audit");
	return CG_OK;
}

cg_rc
cg__audit(cg_store *st, cg_ctx *ctx, const char *actor, const char *action, long long doc_id,
	  const char *detail)
{
	cg_db *db = cg__store_db(st);
	/* Its own transaction when there is none: the chain is held until the record commits. */
	bool own = cg_db_depth(db) == 0;
	cg_rc rc = own ? cg_db_begin(db, ctx) : CG_OK;
	int chain = 0;

	if (rc != CG_OK)
		return rc;
	rc = chain_of(st, ctx, &chain);
	if (rc == CG_OK)
		rc = append(st, ctx, chain, actor, action, doc_id, detail);
	if (!own)
		return rc;
	if (rc == CG_OK)
		return cg_db_commit(db, ctx);
	cg_db_rollback(db);
	return rc;
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* "chain:id:hash" of every chain's last record, separated by spaces, into @p out. */
static cg_rc
heads(cg_store *st, cg_ctx *ctx, cg_buf *out)
{
	long long max = one_int(q(st, A_MAX_CHAIN), 0);
	long long c;
	cg_rc rc = CG_OK;

	for (c = 1; c <= max && c <= CHAINS && rc == CG_OK; c++) {
		cg_db_stmt *s = q(st, A_HEAD);
		char item[128], h[65];

		if (s == NULL || cg_db_bind_int64(s, 1, c) != CG_OK)
			return dbfail(st, ctx, "audit heads");
		if (cg_db_step(s) == CG_DB_ROW && cg_db_column_bytes(s, 1) == 32) {
			hex(cg_db_column_blob(s, 1), 32, h);
			(void)snprintf(item, sizeof(item), "%s%lld:%lld:%s", out->len > 0 ? " " : "", c,
				       cg_db_column_int64(s, 0), h);
			rc = cg_buf_append(out, item, strlen(item));
		}
		cg_db_reset(s);
	}
	return rc;
}

/*
 * Whether an anchor may be due, read outside a transaction: the sweep asks
 * every second, and the write lock it would take makes the group commit's
 * writer wait. Not due: the last anchor is recent, or nothing was recorded.
 */
static bool
anchor_due(cg_store *st)
{
	cg_db_stmt *s = q(st, A_LAST_ANCHOR);
	long long at = -1;

	if (s != NULL && cg_db_step(s) == CG_DB_ROW)
		at = cg_db_column_int64(s, 0);
	if (s != NULL)
		cg_db_reset(s);
	if (at >= 0)
		return (long long)time(NULL) - at >= ANCHOR_EVERY;
	return one_int(q(st, A_MAX_CHAIN), 0) > 0;
}

cg_rc
cg__audit_anchor(cg_store *st, cg_ctx *ctx, bool now, bool *wrote)
{
	cg_db *db = cg__store_db(st);
	cg_buf h = CG_BUF_INIT(0);
	long long last_at = 0;
	char *last = NULL;
	cg_db_stmt *s;
	cg_rc rc;

	*wrote = false;
	if (!now && cg_db_depth(db) == 0 && !anchor_due(st))
		return CG_OK;
	rc = cg_db_change_begin(db, ctx);
	if (rc != CG_OK)
		return rc;
	/* One anchor writer at a time (the other nodes' sweeps wait here, then find it done). */
	if (one_int(q(st, A_ANCHOR_LOCK), -1) < 0)
		rc = dbfail(st, ctx, "audit anchor");
	s = rc == CG_OK ? q(st, A_LAST_ANCHOR) : NULL;
	if (s != NULL && cg_db_step(s) == CG_DB_ROW) {
		last_at = cg_db_column_int64(s, 0);
		last = cg__strdup(cg_db_column_text(s, 1));
	}
	if (s != NULL)
		cg_db_reset(s);
	if (rc == CG_OK)
		rc = heads(st, ctx, &h);
	if (rc == CG_OK && h.len > 0 && (last == NULL || strcmp(last, h.ptr) != 0) &&
	    (now || (long long)time(NULL) - last_at >= ANCHOR_EVERY)) {
		rc = append(st, ctx, 0, "system", "anchor", 0, h.ptr);
		*wrote = rc == CG_OK;
	}
	free(last);
	cg_buf_dispose(&h);
	return cg_db_change_end(db, ctx, rc);
}

/* What verification found, for the report. */
struct verdict {
	long long records, anchors, chains;
	long long anchored[CHAINS + 1]; /* the last anchor's head id of each chain */
	char broken[300];
};

/* The first fault found is the one reported. */
static void broken(struct verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
broken(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	if (v->broken[0] != '\0')
		return;
	va_start(ap, fmt);
	(void)vsnprintf(v->broken, sizeof(v->broken), fmt, ap);
	va_end(ap);
}

/* An anchor's heads: each names a record of its chain with that hash, none older than the previous anchor's. */
static cg_rc
check_anchor(cg_store *st, cg_ctx *ctx, long long id, const char *detail, struct verdict *v)
{
	const char *p = detail;

	v->anchors++;
	while (*p != '\0') {
		long long c = 0, rid = 0;
		char h[65] = "", got[65] = "";
		int used = 0;
		cg_db_stmt *s;

		if (sscanf(p, "%lld:%lld:%64[0-9a-f]%n", &c, &rid, h, &used) != 3 || c < 1 || c > CHAINS) {
			broken(v, "anchor %lld: unreadable (%lld)", id, c);
			return CG_OK;
		}
		s = q(st, A_AT);
		if (s == NULL || cg_db_bind_int64(s, 1, c) != CG_OK || cg_db_bind_int64(s, 2, rid) != CG_OK)
			return dbfail(st, ctx, "audit verify");
		if (cg_db_step(s) == CG_DB_ROW && cg_db_column_bytes(s, 0) == 32)
			hex(cg_db_column_blob(s, 0), 32, got);
		cg_db_reset(s);
		if (strcmp(got, h) != 0)
			broken(v, "anchor %lld: the head it names in chain %lld is missing or altered", id, c);
		if (rid < v->anchored[c])
			broken(v, "anchor %lld: chain %lld went back", id, c);
		v->anchored[c] = rid;
		p += used;
		p += strspn(p, " ");
	}
	return CG_OK;
}

/* One chain from its first record: each links to the one before and hashes to what it says. */
static cg_rc
check_chain(cg_store *st, cg_ctx *ctx, long long chain, struct verdict *v)
{
	unsigned char prev[32] = { 0 }, hash[32];
	long long after = 0;
	int n;

	do {
		cg_db_stmt *s = q(st, A_PAGE);

		if (s == NULL || cg_db_bind_int64(s, 1, chain) != CG_OK ||
		    cg_db_bind_int64(s, 2, after) != CG_OK || cg_db_bind_int64(s, 3, PAGE) != CG_OK)
			return dbfail(st, ctx, "audit verify");
		n = 0;
		while (cg_db_step(s) == CG_DB_ROW) {
			long long id = cg_db_column_int64(s, 0);
			const char *actor = cg_db_column_text(s, 2), *action = cg_db_column_text(s, 3);
			const char *detail = cg_db_column_text(s, 5);

			n++;
			v->records++;
			after = id;
			if (cg_db_column_bytes(s, 6) != 32 || memcmp(cg_db_column_blob(s, 6), prev, 32) != 0)
				broken(v, "record %lld: not linked to the record before it in chain %lld", id, chain);
			if (!record_hash(prev, cg_db_column_int64(s, 1), cg_db_column_int64(s, 4),
					 actor != NULL ? actor : "", action != NULL ? action : "",
					 detail != NULL ? detail : "", hash) ||
			    cg_db_column_bytes(s, 7) != 32 || memcmp(cg_db_column_blob(s, 7), hash, 32) != 0)
				broken(v, "record %lld: its hash does not match its content (chain %lld)", id, chain);
			if (cg_db_column_bytes(s, 7) == 32)
				memcpy(prev, cg_db_column_blob(s, 7), 32);
			if (chain == 0 && actor != NULL && action != NULL && strcmp(actor, "system") == 0 &&
			    strcmp(action, "anchor") == 0) {
				char *d = cg__strdup(detail != NULL ? detail : "");
				cg_rc rc;

				cg_db_reset(s);
				if (d == NULL)
					return CG_ENOMEM;
				rc = check_anchor(st, ctx, id, d, v);
				free(d);
				if (rc != CG_OK)
					return rc;
				n = PAGE; /* the page was cut short: read on from this record */
				break;
			}
		}
		cg_db_reset(s);
	} while (n == PAGE);
	return CG_OK;
}

cg_rc
cg__audit_verify(cg_store *st, cg_ctx *ctx, char **json)
{
	struct verdict v;
	long long max = one_int(q(st, A_MAX_CHAIN), 0), c;
	json_t *report;
	cg_rc rc = CG_OK;

	*json = NULL;
	memset(&v, 0, sizeof(v));
	if (max > CHAINS)
		broken(&v, "chain %lld is out of range (at most %lld)", max, (long long)CHAINS);
	for (c = 0; c <= max && c <= CHAINS && rc == CG_OK; c++) {
		long long before = v.records;

		rc = check_chain(st, ctx, c, &v);
		v.chains += v.records > before;
	}
	if (rc != CG_OK)
		return rc;
	report = json_pack("{s:b, s:I, s:I, s:I, s:s?}", "ok", v.broken[0] == '\0', "records",
			   (json_int_t)v.records, "chains", (json_int_t)v.chains, "anchors",
			   (json_int_t)v.anchors, "broken", v.broken[0] != '\0' ? v.broken : NULL);
	*json = report != NULL ? cg__json_text(report, JSON_INDENT(2)) : NULL;
	json_decref(report);
	if (*json == NULL)
		return CG_ENOMEM;
	return v.broken[0] == '\0' ? CG_OK : cg__fail(ctx, CG_ECONFLICT, "audit trail broken: %s", v.broken);
}
