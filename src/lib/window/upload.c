/* SPDX-License-Identifier: MIT */
/*
 * Merchant uploads: a spreadsheet export (CSV in UTF-8 or GB18030), NDJSON or
 * CEB XML, spooled to disk by the HTTP layer and kept with its SHA-256 for
 * the audit trail, then normalized and validated by the same normalizer as
 * `cebgate normalize` (one document in memory at a time). The canonical
 * documents, the findings (CSV line and column) and the changes made are
 * stored. Every record, valid or not, counts against the cap; the work is
 * committed in short transactions (a few hundred records or a fraction of a
 * second), so the write lock is never held long and the merchant's page shows
 * the progress; the findings and changes kept are the first KEEP_MAX, the
 * rest counted, so one upload's memory does not grow with its file. A refused
 * upload (over the cap, unreadable, or its client gone) keeps its record of
 * refusal and nothing else. Only the uploading enterprise ever sees an upload.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <jansson.h>
#include "cebgate/normalize.h"
#include "cebgate/report.h"
#include "cebgate/submission.h"
#include "cebgate/upload.h"
#include "normalize/profile.h"
#include "util/csv.h"
#include "window/service_internal.h"

/* Documents (and submission results) listed in an answer: the first ones; all are counted. */
#define SHOW_MAX 1000
#define TEXT_OF_(n) #n
#define TEXT_OF(n) TEXT_OF_(n)

/* This file's statements, cached on the store's connection (db.h). */
enum { U_ADD, U_PROGRESS, U_DONE, U_ITEM, U_GET, U_ITEMS, U_ITEM_XML, U_ITEM_RESULT, U_NEXT,
       U_SIGNED, U_ENTERPRISE, U_PROFILE_GET, U_PROFILE_PUT, U_LIST, U_PROFILES, U_OWN, U_PURGE };

static const char *const sql[] = {
	[U_ADD] = "INSERT INTO upload(enterprise_id, actor, name, sha256, size, path, state, created)"
		       " VALUES($1, $2, $3, $4, $5, $6, 'processing', $7)",
	[U_PROGRESS] = "UPDATE upload SET records = $2, valid = $3, invalid = $4 WHERE id = $1",
	[U_DONE] = "UPDATE upload SET state = $2, records = $3, valid = $4, invalid = $5,"
			" findings = $6, changes = $7 WHERE id = $1",
	[U_ITEM] = "INSERT INTO upload_item(upload_id, seq, name, xml) VALUES($1, $2, $3, $4)",
	[U_GET] = "SELECT name, sha256, size, state, records, valid, invalid, findings, changes,"
		       " created, actor FROM upload WHERE id = $1 AND enterprise_id = $2",
	[U_ITEMS] = "SELECT seq, name, result FROM upload_item WHERE upload_id = $1 ORDER BY seq"
			  " LIMIT " TEXT_OF(SHOW_MAX),
	[U_ITEM_XML] = "SELECT xml FROM upload_item WHERE upload_id = $1 AND seq = $2",
	[U_ITEM_RESULT] = "UPDATE upload_item SET result = $3 WHERE upload_id = $1 AND seq = $2",
	[U_NEXT] = "SELECT seq, name, xml, signed FROM upload_item"
			" WHERE upload_id = $1 AND seq > $2 AND result IS NULL ORDER BY seq LIMIT 1",
	[U_SIGNED] = "UPDATE upload_item SET signed = $3 WHERE upload_id = $1 AND seq = $2",
	[U_ENTERPRISE] = "SELECT cop_code, name, coalesce(dxp_id, '') FROM enterprise WHERE id = $1",
	[U_PROFILE_GET] = "SELECT text FROM upload_profile WHERE enterprise_id = $1 AND name = $2",
	[U_PROFILE_PUT] = "INSERT INTO upload_profile(enterprise_id, name, text, updated)"
			       " VALUES($1, $2, $3, $4) ON CONFLICT(enterprise_id, name) DO UPDATE SET"
			       " text = excluded.text, updated = excluded.updated",
	/* Column names are the JSON keys (cg_db_rows_json). */
	[U_LIST] = "SELECT id, name, state, records, valid, invalid, created, actor AS \"by\","
		   " (SELECT count(*) FROM upload_item i WHERE i.upload_id = u.id AND i.result IS NOT NULL)"
		   " AS submitted FROM upload u WHERE enterprise_id = $1 ORDER BY id DESC LIMIT 50",
	[U_PROFILES] = "SELECT name, updated FROM upload_profile WHERE enterprise_id = $1 ORDER BY name",
	[U_OWN] = "SELECT state, findings FROM upload WHERE id = $1 AND enterprise_id = $2",
	[U_PURGE] = "DELETE FROM upload_item WHERE upload_id = $1",
};
CG_DB_MODULE(upload_sql, "upload", sql);

/* Findings and changes kept per upload (all are counted). */
#define KEEP_MAX 10000
/*
 * The documents of this many records, or of this many milliseconds of work,
 * or this many bytes, are written in one short transaction: the write lock is
 * taken for the inserts only, never while the file is read and validated.
 */
#define BATCH_RECORDS 250
#define BATCH_MS 250
#define BATCH_BYTES (4u * 1024 * 1024)

/* A valid document waiting for its batch's transaction. */
struct staged {
	char *name, *xml;
	size_t len;
};

static cg_db_stmt *
q(cg_store *st, int id)
{
	return cg_db_prepared(cg__store_db(st), &upload_sql, id);
}

static cg_rc
dbfail(cg_store *st, cg_ctx *ctx, const char *what)
{
	return cg__fail(ctx, CG_EDB, "%s: %s", what, cg_db_errmsg(cg__store_db(st)));
}


/* An enterprise's token or one of its users (merchant, logistics staff). */
static int
of_enterprise(const cg_principal *who)
{
	return who->enterprise_id != 0 &&
	       (who->role == CG_ROLE_ENTERPRISE || who->role == CG_ROLE_MERCHANT ||
		who->role == CG_ROLE_LOGISTICS);
}

/* The work on one upload: where documents go and what is counted. */
struct work {
	cg_store *st;
	cg_ctx *ctx;
	const cg_principal *who;
	const cg_upload *u;
	cg_normalizer *n;
	cg_findings *f;          /* findings since the last record: moved to `findings` */
	long long id;
	long long seq;
	unsigned long max_records;
	cg_buf findings, changes; /* the first KEEP_MAX of each, as JSON objects joined by commas */
	unsigned long nfindings, nchanges; /* all of them, kept or not */
	unsigned long batch;     /* records since the last commit */
	struct timespec batch_start;
	struct staged *staged;   /* the batch's valid documents, not written yet */
	size_t nstaged, staged_cap, staged_bytes;
	bool gone;               /* the client closed the connection */
};

static cg_rc
progress(struct work *w)
{
	cg_normalize_stats s = cg_normalizer_stats(w->n);
	cg_db_stmt *st = q(w->st, U_PROGRESS);

	if (st == NULL || cg_db_bind_int64(st, 1, w->id) != CG_OK ||
	    cg_db_bind_int64(st, 2, (long long)s.records) != CG_OK ||
	    cg_db_bind_int64(st, 3, (long long)s.written) != CG_OK ||
	    cg_db_bind_int64(st, 4, (long long)s.rejected) != CG_OK ||
	    cg_db_step(st) != CG_DB_DONE)
		return dbfail(w->st, w->ctx, "upload progress");
	return CG_OK;
}

/* Append one JSON object's text to a kept list; past KEEP_MAX only counted. */
static cg_rc
keep(cg_buf *list, unsigned long *count, char *text)
{
	cg_rc rc = CG_OK;

	if (text == NULL)
		return CG_ENOMEM;
	if ((*count)++ < KEEP_MAX) {
		if (list->len > 0)
			rc = cg_buf_putc(list, ',');
		if (rc == CG_OK)
			rc = cg_buf_append(list, text, strlen(text));
	}
	free(text);
	return rc;
}

/* The findings of the records read so far move to the kept list; the findings list is emptied. */
static cg_rc
drain(struct work *w)
{
	size_t i, n = cg_findings_count(w->f);
	cg_rc rc = CG_OK;

	for (i = 0; i < n && rc == CG_OK; i++) {
		if (w->nfindings >= KEEP_MAX) {
			w->nfindings += n - i;
			break;
		}
		rc = keep(&w->findings, &w->nfindings, cg_finding_json(cg_findings_get(w->f, i)));
	}
	cg_findings_clear(w->f);
	return rc;
}

static long
ms_since(const struct timespec *t)
{
	struct timespec now;

	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

static void
unstage(struct work *w)
{
	while (w->nstaged > 0) {
		struct staged *d = &w->staged[--w->nstaged];

		free(d->name);
		free(d->xml);
	}
	w->staged_bytes = 0;
}

/* The batch's documents, in a transaction the caller holds. */
static cg_rc
write_staged(struct work *w)
{
	size_t i;
	cg_rc rc = CG_OK;

	for (i = 0; i < w->nstaged && rc == CG_OK; i++) {
		cg_db_stmt *s = q(w->st, U_ITEM);

		if (s == NULL || cg_db_bind_int64(s, 1, w->id) != CG_OK ||
		    cg_db_bind_int64(s, 2, ++w->seq) != CG_OK ||
		    cg_db_bind_text(s, 3, w->staged[i].name) != CG_OK ||
		    cg_db_bind_blob(s, 4, w->staged[i].xml, (int)w->staged[i].len) != CG_OK ||
		    cg_db_step(s) != CG_DB_DONE)
			rc = dbfail(w->st, w->ctx, "upload document");
	}
	unstage(w);
	return rc;
}

/* Write the batch with the counts so far (the merchant's page shows them) in one short transaction. */
static cg_rc
commit_batch(struct work *w)
{
	cg_rc rc = cg_db_begin(cg__store_db(w->st), w->ctx);

	if (rc == CG_OK)
		rc = write_staged(w);
	if (rc == CG_OK)
		rc = progress(w);
	if (rc == CG_OK)
		rc = cg_db_commit(cg__store_db(w->st), w->ctx);
	else
		cg_db_rollback(cg__store_db(w->st));
	w->batch = 0;
	(void)clock_gettime(CLOCK_MONOTONIC, &w->batch_start);
	return rc;
}

/*
 * After each record, valid or not: counted against the cap, its findings
 * moved to the kept list; at the end of a batch, whether the client is still
 * there, then the batch is written.
 */
static cg_rc
record(void *payload, const cg_normalize_stats *s)
{
	struct work *w = payload;
	cg_rc rc = drain(w);

	if (rc != CG_OK)
		return rc;
	if (s->records > w->max_records)
		return cg__fail(w->ctx, CG_ETOOBIG, "more than %lu records (valid or not) in one upload",
				w->max_records);
	if (++w->batch < BATCH_RECORDS && w->staged_bytes < BATCH_BYTES &&
	    ms_since(&w->batch_start) < BATCH_MS)
		return CG_OK;
	if (w->u->gone != NULL && w->u->gone(w->u->gone_arg)) {
		w->gone = true;
		return cg__fail(w->ctx, CG_EINCOMPLETE, "the client closed the connection");
	}
	return commit_batch(w);
}

/* Each valid canonical document waits for its batch; it is kept only if the upload is not refused. */
static cg_rc
emit(void *payload, const char *name, const char *xml, size_t len)
{
	struct work *w = payload;
	struct staged *d;

	if (cg__grow((void **)&w->staged, &w->staged_cap, w->nstaged + 1, sizeof(*w->staged)) != CG_OK)
		return CG_ENOMEM;
	d = &w->staged[w->nstaged];
	d->name = cg__strdup(name);
	d->xml = malloc(len > 0 ? len : 1);
	d->len = len;
	if (d->name == NULL || d->xml == NULL) {
		free(d->name);
		free(d->xml);
		return CG_ENOMEM;
	}
	memcpy(d->xml, xml, len);
	w->nstaged++;
	w->staged_bytes += len;
	return CG_OK;
}

static void
change(void *payload, const cg_change *c)
{
	struct work *w = payload;
	json_t *o;

	if (w->nchanges >= KEEP_MAX) {
		w->nchanges++;
		return;
	}
	o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "line", (json_int_t)c->line, "column",
		      (json_int_t)c->column, "field", c->xpath != NULL ? c->xpath : "", "before",
		      c->before != NULL ? c->before : "", "after", c->after != NULL ? c->after : "",
		      "why", c->why != NULL ? c->why : "");
	(void)keep(&w->changes, &w->nchanges, o != NULL ? json_dumps(o, JSON_COMPACT) : NULL);
	json_decref(o);
}

static cg_from
from_of(const cg_upload *u)
{
	const char *f = u->from, *dot = strrchr(u->name != NULL ? u->name : "", '.');

	if (f == NULL && dot != NULL)
		f = dot + 1;
	if (f == NULL)
		return CG_FROM_AUTO;
	if (strcasecmp(f, "csv") == 0)
		return CG_FROM_CSV;
	if (strcasecmp(f, "ndjson") == 0 || strcasecmp(f, "jsonl") == 0)
		return CG_FROM_NDJSON;
	if (strcasecmp(f, "xml") == 0)
		return CG_FROM_XML;
	return CG_FROM_AUTO;
}

static cg_rc
purge(struct work *w)
{
	cg_db_stmt *s = q(w->st, U_PURGE);

	if (s == NULL || cg_db_bind_int64(s, 1, w->id) != CG_OK || cg_db_step(s) != CG_DB_DONE)
		return dbfail(w->st, w->ctx, "upload documents");
	w->seq = 0;
	return CG_OK;
}

/*
 * A kept list as a JSON array; when some were not kept, a last entry says how
 * many (for findings a CG0003 finding, so the findings CSV shows it too).
 */
static char *
list_text(const cg_buf *kept, unsigned long all, bool findings)
{
	cg_buf b = CG_BUF_INIT(0);
	char zh[160], en[160], *more = NULL;
	cg_findings *f = NULL;
	cg_rc rc;

	(void)snprintf(zh, sizeof(zh), "另有%lu条未保存（只保存前%d条）", all - KEEP_MAX, KEEP_MAX);
	(void)snprintf(en, sizeof(en), "%lu more not kept (the first %d are)", all - KEEP_MAX, KEEP_MAX);
	if (all > KEEP_MAX && findings) {
		if (cg_findings_new(&f) == CG_OK &&
		    cg__finding_addf(f, "CG0003", CG_SEV_ERROR, "", "", 0, 0, zh, en) == CG_OK)
			more = cg_finding_json(cg_findings_get(f, 0));
		cg_findings_free(f);
	} else if (all > KEEP_MAX) {
		json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "line", (json_int_t)0, "column",
				      (json_int_t)0, "field", "", "before", "", "after", "", "why", en);

		more = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
	}
	rc = cg_buf_putc(&b, '[');
	if (rc == CG_OK && kept->len > 0)
		rc = cg_buf_append(&b, kept->ptr, kept->len);
	if (rc == CG_OK && all > KEEP_MAX)
		rc = more == NULL ? CG_ENOMEM : cg_buf_append(&b, kept->len > 0 ? "," : "", kept->len > 0);
	if (rc == CG_OK && more != NULL)
		rc = cg_buf_append(&b, more, strlen(more));
	if (rc == CG_OK)
		rc = cg_buf_putc(&b, ']');
	if (rc == CG_OK)
		rc = cg_buf_cstr(&b);
	free(more);
	if (rc != CG_OK) {
		cg_buf_dispose(&b);
		return NULL;
	}
	return cg_buf_detach(&b);
}

static cg_rc
finish(struct work *w, const char *state)
{
	cg_normalize_stats s = w->n != NULL ? cg_normalizer_stats(w->n) : (cg_normalize_stats){ 0, 0, 0 };
	char *ftxt = list_text(&w->findings, w->nfindings, true);
	char *ctxt = list_text(&w->changes, w->nchanges, false);
	cg_db_stmt *st = q(w->st, U_DONE);
	cg_rc rc = CG_OK;

	/* A refused upload's documents were staged only: none stays. */
	if (strcmp(state, "ready") != 0)
		rc = purge(w);
	if (rc == CG_OK && (ftxt == NULL || ctxt == NULL))
		rc = CG_ENOMEM;
	else if (rc == CG_OK && (st == NULL || cg_db_bind_int64(st, 1, w->id) != CG_OK ||
		 cg_db_bind_text(st, 2, state) != CG_OK ||
		 cg_db_bind_int64(st, 3, (long long)s.records) != CG_OK ||
		 cg_db_bind_int64(st, 4, (long long)s.written) != CG_OK ||
		 cg_db_bind_int64(st, 5, (long long)s.rejected) != CG_OK ||
		 cg_db_bind_text(st, 6, ftxt) != CG_OK ||
		 cg_db_bind_text(st, 7, ctxt) != CG_OK ||
		 cg_db_step(st) != CG_DB_DONE))
		rc = dbfail(w->st, w->ctx, "upload result");
	free(ftxt);
	free(ctxt);
	return rc;
}

static cg_rc
add_row(cg_store *st, cg_ctx *ctx, const cg_principal *who, const cg_upload *u, long long *id)
{
	cg_db_stmt *s = q(st, U_ADD);

	if (s == NULL || cg_db_bind_int64(s, 1, who->enterprise_id) != CG_OK ||
	    cg_db_bind_text(s, 2, who->name) != CG_OK ||
	    cg_db_bind_text(s, 3, u->name) != CG_OK ||
	    cg_db_bind_text(s, 4, u->sha256) != CG_OK ||
	    cg_db_bind_int64(s, 5, (long long)u->size) != CG_OK ||
	    cg_db_bind_text(s, 6, u->path) != CG_OK ||
	    cg_db_bind_int64(s, 7, (long long)time(NULL)) != CG_OK ||
	    cg_db_step(s) != CG_DB_DONE)
		return dbfail(st, ctx, "upload");
	*id = cg_db_last_id(cg__store_db(st));
	return CG_OK;
}

/*
 * The mapping profile of this upload, as a file beside it: first the
 * enterprise's own BaseTransfer (a merchant cannot send as someone else; the
 * first value of a key wins), then the merchant's saved profile if one was named.
 */
static cg_rc
write_profile(cg_store *st, cg_ctx *ctx, const cg_principal *who, const cg_upload *u, char *path,
	      size_t size)
{
	cg_db_stmt *s = q(st, U_ENTERPRISE);
	char *slash;
	FILE *fp;
	int fd, ok;

	if (snprintf(path, size, "%s", u->path) >= (int)size || (slash = strrchr(path, '/')) == NULL ||
	    (size_t)(slash - path) + sizeof("/.profile-XXXXXX") > size)
		return cg__fail(ctx, CG_EINVAL, "upload path too long");
	memcpy(slash, "/.profile-XXXXXX", sizeof("/.profile-XXXXXX"));
	if (s == NULL || cg_db_bind_int64(s, 1, who->enterprise_id) != CG_OK ||
	    cg_db_step(s) != CG_DB_ROW) {
		if (s != NULL)
			cg_db_reset(s);
		return dbfail(st, ctx, "enterprise");
	}
	fd = mkstemp(path);
	fp = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (fp == NULL) {
		cg_db_reset(s);
		if (fd >= 0)
			(void)close(fd);
		path[0] = '\0';
		return cg__fail(ctx, CG_EIO, "cannot write the upload's profile");
	}
	/* Registry values never hold a newline (copCode is letters and digits; name one line). */
	ok = fprintf(fp, "[defaults]\ncopCode = %s\ncopName = %s\ndxpId = %s\n",
		     cg_db_column_text(s, 0), cg_db_column_text(s, 1),
		     cg_db_column_text(s, 2)) > 0;
	cg_db_reset(s);
	if (ok && u->profile != NULL) {
		s = q(st, U_PROFILE_GET);
		if (s == NULL || cg_db_bind_int64(s, 1, who->enterprise_id) != CG_OK ||
		    cg_db_bind_text(s, 2, u->profile) != CG_OK || cg_db_step(s) != CG_DB_ROW)
			ok = -1;
		else
			ok = fprintf(fp, "\n%s\n", cg_db_column_text(s, 0)) > 0;
		if (s != NULL)
			cg_db_reset(s);
	}
	ok = fclose(fp) == 0 && ok > 0 ? 1 : ok == -1 ? -1 : 0;
	if (ok == 1)
		return CG_OK;
	(void)unlink(path);
	path[0] = '\0';
	return ok == -1 ? cg__fail(ctx, CG_ENOTFOUND, "no saved profile named %s", u->profile)
			: cg__fail(ctx, CG_EIO, "cannot write the upload's profile");
}

/* Largest signed CEB XML whose own bytes are kept for submission (the service's body cap). */
#define SIGNED_MAX (16u * 1024 * 1024)

/*
 * A CEB XML file the merchant signed: its own bytes are what goes out (the
 * canonical form would break the signature), so the service verifies the
 * merchant's signature as for any submission and no custodial key is needed.
 * Kept as the signed form of the upload's one document.
 */
static cg_rc
keep_own_signature(struct work *w, const cg_upload *u)
{
	cg_db_stmt *s;
	char *raw;
	size_t n;
	FILE *fp;
	cg_rc rc = CG_OK;

	if (from_of(u) != CG_FROM_XML || u->size == 0 || u->size > SIGNED_MAX || w->seq != 1)
		return CG_OK;
	fp = fopen(u->path, "rb");
	raw = fp != NULL ? malloc((size_t)u->size + 1) : NULL;
	n = raw != NULL ? fread(raw, 1, (size_t)u->size, fp) : 0;
	if (fp != NULL)
		(void)fclose(fp);
	if (raw == NULL || n != u->size) {
		free(raw);
		return cg__fail(w->ctx, CG_EIO, "cannot read the upload again");
	}
	raw[n] = '\0';
	/* Only a document carrying an XMLDSig signature; the service checks it like any other. */
	if (memmem(raw, n, "http://www.w3.org/2000/09/xmldsig#", 34) != NULL) {
		s = q(w->st, U_SIGNED);
		if (s == NULL || cg_db_bind_int64(s, 1, w->id) != CG_OK ||
		    cg_db_bind_int64(s, 2, 1) != CG_OK ||
		    cg_db_bind_blob(s, 3, raw, (int)n) != CG_OK || cg_db_step(s) != CG_DB_DONE)
			rc = dbfail(w->st, w->ctx, "signed document");
	}
	free(raw);
	return rc;
}

/* How a run that stopped is kept: CG_OK with the upload's state, or a fault to report. */
static cg_rc
outcome(struct work *w, cg_rc rc, const char **state)
{
	*state = rc == CG_OK ? "ready" : "failed";
	if (rc == CG_EINCOMPLETE && w->gone) {
		*state = "abandoned";
		return CG_OK;
	}
	/* A file that cannot be read as its format, or too big, is an answer, not a failure. */
	if (rc == CG_EPARSE || rc == CG_ETOOBIG || rc == CG_EINVAL || rc == CG_ESCHEMA) {
		rc = cg__finding_addf(w->f, rc == CG_ETOOBIG ? "CG0003" : "CG0001", CG_SEV_ERROR,
				      w->u->name, "", 0, 0, "文件无法处理", cg_ctx_errmsg(w->ctx));
		return rc == CG_OK ? drain(w) : rc;
	}
	return rc;
}

/*
 * A fault (not a refusal) stopped the work after some batches were
 * committed: the upload is marked failed and its staged documents removed,
 * so nothing half-made stays behind.
 */
static void
abandon(struct work *w)
{
	cg_db_stmt *s;

	if (cg_db_begin(cg__store_db(w->st), w->ctx) != CG_OK)
		return;
	s = q(w->st, U_DONE);
	if (purge(w) == CG_OK && s != NULL && cg_db_bind_int64(s, 1, w->id) == CG_OK &&
	    cg_db_bind_text(s, 2, "failed") == CG_OK && cg_db_bind_int64(s, 3, 0) == CG_OK &&
	    cg_db_bind_int64(s, 4, 0) == CG_OK && cg_db_bind_int64(s, 5, 0) == CG_OK &&
	    cg_db_bind_text(s, 6, "[]") == CG_OK && cg_db_bind_text(s, 7, "[]") == CG_OK &&
	    cg_db_step(s) == CG_DB_DONE && cg_db_commit(cg__store_db(w->st), w->ctx) == CG_OK)
		return;
	cg_db_rollback(cg__store_db(w->st));
}

/* The end of the work in one transaction: the last documents or, for a refusal, none at all. */
static cg_rc
conclude(struct work *w, const char *state)
{
	bool ready = strcmp(state, "ready") == 0;
	cg_rc rc;

	if (!ready)
		unstage(w);
	rc = cg_db_begin(cg__store_db(w->st), w->ctx);
	if (rc != CG_OK)
		return rc;
	if (ready)
		rc = write_staged(w);
	if (rc == CG_OK && ready)
		rc = keep_own_signature(w, w->u);
	if (rc == CG_OK)
		rc = finish(w, state);
	if (rc == CG_OK)
		return cg_db_commit(cg__store_db(w->st), w->ctx);
	cg_db_rollback(cg__store_db(w->st));
	return rc;
}

/* Normalize and validate the spooled file; the documents and counts are written in batches. */
static cg_rc
work_on(struct work *w, const char **state)
{
	cg_normalize_options o = CG_NORMALIZE_OPTIONS_INIT;
	const cg_upload *u = w->u;
	char profile[4200];
	cg_rc rc;

	o.type = u->type != 0 ? u->type : 311;
	o.encoding = u->encoding;
	o.emit = emit;
	o.change = change;
	o.record = record;
	o.payload = w;
	o.profile = profile;
	rc = write_profile(w->st, w->ctx, w->who, u, profile, sizeof(profile));
	if (rc == CG_OK) {
		rc = cg_normalizer_new(&w->n, w->ctx, NULL, &o);
		(void)unlink(profile); /* read by now */
	}
	if (rc != CG_OK)
		return rc;
	(void)clock_gettime(CLOCK_MONOTONIC, &w->batch_start);
	rc = cg_normalize_file(w->n, w->ctx, u->path, from_of(u), w->f);
	rc = outcome(w, rc, state);
	if (rc == CG_OK)
		rc = drain(w);
	if (rc == CG_OK)
		rc = conclude(w, *state);
	if (rc != CG_OK)
		abandon(w);
	return rc;
}

static int
profile_exists(cg_store *st, const cg_principal *who, const char *name)
{
	cg_db_stmt *s = q(st, U_PROFILE_GET);
	int found = s != NULL && cg_db_bind_int64(s, 1, who->enterprise_id) == CG_OK &&
		    cg_db_bind_text(s, 2, name) == CG_OK &&
		    cg_db_step(s) == CG_DB_ROW;

	if (s != NULL)
		cg_db_reset(s);
	return found;
}

cg_rc
cg_service_upload(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const cg_upload *u,
		  char **json)
{
	struct work w = { .st = cg__service_store(svc), .ctx = ctx, .who = who, .u = u,
			  .findings = CG_BUF_INIT(0), .changes = CG_BUF_INIT(0) };
	const char *state = "failed";
	cg_normalize_stats s = { 0, 0, 0 };
	cg_rc rc;

	*json = NULL;
	if (!of_enterprise(who))
		return cg__fail(ctx, CG_EPERM, "only an enterprise or its staff may upload declarations");
	if (u->profile != NULL && !profile_exists(w.st, who, u->profile))
		return cg__fail(ctx, CG_EINVAL, "no saved mapping profile has that name");
	w.max_records = u->max_records != 0 ? u->max_records : 100000;
	rc = cg_findings_new(&w.f);
	if (rc == CG_OK)
		rc = add_row(w.st, ctx, who, u, &w.id);
	if (rc == CG_OK)
		rc = work_on(&w, &state);
	if (w.n != NULL)
		s = cg_normalizer_stats(w.n);
	cg_normalizer_free(w.n);
	cg_findings_free(w.f);
	unstage(&w);
	free(w.staged);
	cg_buf_dispose(&w.findings);
	cg_buf_dispose(&w.changes);
	if (rc != CG_OK)
		return rc;
	rc = cg_service_upload_get(svc, ctx, who, w.id, json);
	if (rc == CG_OK && strcmp(state, "ready") != 0)
		return cg__fail(ctx, CG_EINCOMPLETE, "the file could not be read to the end: see its findings");
	/* Outcome "refused": not one document of the file was kept. */
	if (rc == CG_OK && s.written == 0)
		return cg__fail(ctx, CG_EINCOMPLETE, "no document of the file is valid: see its findings");
	return rc;
}

/* accepted: every record valid; partial: some; refused: none, or the file was not read through. */
static const char *
outcome_of(const char *state, long long valid, long long invalid)
{
	if (strcmp(state, "processing") == 0)
		return "processing";
	if (strcmp(state, "ready") != 0 || valid == 0)
		return "refused";
	return invalid == 0 ? "accepted" : "partial";
}

static json_t *
items_json(cg_store *st, long long id)
{
	cg_db_stmt *s = q(st, U_ITEMS);
	json_t *arr = json_array();

	if (s == NULL || arr == NULL || cg_db_bind_int64(s, 1, id) != CG_OK) {
		json_decref(arr);
		return NULL;
	}
	while (cg_db_step(s) == CG_DB_ROW) {
		const char *res = cg_db_column_text(s, 2);
		json_t *o = json_pack("{s:I, s:s, s:o}", "seq", (json_int_t)cg_db_column_int64(s, 0),
				      "name", cg_db_column_text(s, 1), "result",
				      res != NULL ? json_loads((const char *)res, 0, NULL) : json_null());

		if (o == NULL || json_array_append_new(arr, o) != 0) {
			cg_db_reset(s);
			json_decref(arr);
			return NULL;
		}
	}
	cg_db_reset(s);
	return arr;
}

/*
 * Whether upload @p id is the caller's, with its state (and its findings'
 * JSON text when @p findings is not NULL; free it); otherwise the refusal is
 * in ctx (CG_EPERM not an enterprise's, CG_ENOTFOUND no such upload or another's).
 */
static cg_rc
own_upload(cg_store *st, cg_ctx *ctx, const cg_principal *who, long long id, char *state,
	   size_t size, char **findings)
{
	cg_db_stmt *s = q(st, U_OWN);
	int r;

	state[0] = '\0';
	if (findings != NULL)
		*findings = NULL;
	if (!of_enterprise(who))
		return cg__fail(ctx, CG_EPERM, "only an enterprise or its staff may read its uploads");
	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK ||
	    cg_db_bind_int64(s, 2, who->enterprise_id) != CG_OK)
		return dbfail(st, ctx, "upload");
	r = cg_db_step(s);
	if (r == CG_DB_ROW) {
		(void)snprintf(state, size, "%s", cg_db_column_text(s, 0));
		if (findings != NULL && (*findings = cg__strdup(cg_db_column_text(s, 1))) == NULL)
			r = CG_ENOMEM;
	}
	cg_db_reset(s);
	if (r == CG_DB_DONE)
		return cg__fail(ctx, CG_ENOTFOUND, "no such upload");
	return r == CG_DB_ROW ? CG_OK : dbfail(st, ctx, "upload");
}

cg_rc
cg_service_upload_get(cg_service *svc, cg_ctx *ctx, const cg_principal *who, long long id,
		      char **json)
{
	cg_store *st = cg__service_store(svc);
	cg_db_stmt *s = q(st, U_GET);
	json_t *o, *items;

	*json = NULL;
	if (!of_enterprise(who))
		return cg__fail(ctx, CG_EPERM, "only an enterprise or its staff may read its uploads");
	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK ||
	    cg_db_bind_int64(s, 2, who->enterprise_id) != CG_OK)
		return dbfail(st, ctx, "upload");
	if (cg_db_step(s) != CG_DB_ROW) {
		cg_db_reset(s);
		/* Another enterprise's upload is as absent as one that never was. */
		return cg__fail(ctx, CG_ENOTFOUND, "no such upload");
	}
	o = json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:I, s:o, s:o, s:I, s:s}", "id", (json_int_t)id,
		      "name", cg_db_column_text(s, 0), "sha256",
		      cg_db_column_text(s, 1), "size", (json_int_t)cg_db_column_int64(s, 2),
		      "state", cg_db_column_text(s, 3), "outcome",
		      outcome_of(cg_db_column_text(s, 3), cg_db_column_int64(s, 5), cg_db_column_int64(s, 6)),
		      "records",
		      (json_int_t)cg_db_column_int64(s, 4), "valid", (json_int_t)cg_db_column_int64(s, 5),
		      "invalid", (json_int_t)cg_db_column_int64(s, 6), "findings",
		      json_loads(cg_db_column_text(s, 7), 0, NULL), "changes",
		      json_loads(cg_db_column_text(s, 8), 0, NULL), "created",
		      (json_int_t)cg_db_column_int64(s, 9), "by", cg_db_column_text(s, 10));
	cg_db_reset(s);
	items = o != NULL ? items_json(st, id) : NULL;
	if (items == NULL || json_object_set_new(o, "documents", items) != 0) {
		json_decref(o);
		return CG_ENOMEM;
	}
	return cg__json_answer(o, json);
}

cg_rc
cg_service_upload_document(cg_service *svc, cg_ctx *ctx, const cg_principal *who, long long id,
			   long long seq, char **xml, size_t *len)
{
	cg_store *st = cg__service_store(svc);
	char state[16];
	cg_db_stmt *s;
	cg_rc rc;

	*xml = NULL;
	*len = 0;
	rc = own_upload(st, ctx, who, id, state, sizeof(state), NULL);
	if (rc != CG_OK)
		return rc;
	s = q(st, U_ITEM_XML);
	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK ||
	    cg_db_bind_int64(s, 2, seq) != CG_OK)
		return dbfail(st, ctx, "upload document");
	if (cg_db_step(s) != CG_DB_ROW) {
		cg_db_reset(s);
		return cg__fail(ctx, CG_ENOTFOUND, "no such document");
	}
	*len = cg_db_column_bytes(s, 0);
	*xml = malloc(*len + 1);
	if (*xml != NULL) {
		memcpy(*xml, cg_db_column_blob(s, 0), *len);
		(*xml)[*len] = '\0';
	}
	cg_db_reset(s);
	return *xml != NULL ? CG_OK : CG_ENOMEM;
}

static cg_rc
upload_set_result(cg_store *st, cg_ctx *ctx, long long id, long long seq, const char *result)
{
	cg_db_stmt *s = q(st, U_ITEM_RESULT);

	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK ||
	    cg_db_bind_int64(s, 2, seq) != CG_OK ||
	    cg_db_bind_text(s, 3, result) != CG_OK || cg_db_step(s) != CG_DB_DONE)
		return dbfail(st, ctx, "upload result");
	return CG_OK;
}

/* One document of an upload on its way out: its canonical XML, and its signed form once made. */
struct pending {
	long long seq;
	char name[256];
	char *xml, *signed_xml;
	size_t len, signed_len;
};

static char *
blob_copy(cg_db_stmt *s, int col, size_t *len)
{
	const void *p = cg_db_column_blob(s, col);
	char *out;

	*len = cg_db_column_bytes(s, col);
	if (p == NULL)
		return NULL;
	out = malloc(*len + 1);
	if (out != NULL) {
		memcpy(out, p, *len);
		out[*len] = '\0';
	}
	return out;
}

/* The next document not yet submitted after @p after; 0 when none is left. */
static int
next_pending(cg_store *st, long long id, long long after, struct pending *p)
{
	cg_db_stmt *s = q(st, U_NEXT);
	int found = 0;

	memset(p, 0, sizeof(*p));
	if (s != NULL && cg_db_bind_int64(s, 1, id) == CG_OK &&
	    cg_db_bind_int64(s, 2, after) == CG_OK && cg_db_step(s) == CG_DB_ROW) {
		p->seq = cg_db_column_int64(s, 0);
		(void)snprintf(p->name, sizeof(p->name), "%s", cg_db_column_text(s, 1));
		p->xml = blob_copy(s, 2, &p->len);
		p->signed_xml = blob_copy(s, 3, &p->signed_len);
		found = p->xml != NULL ? 1 : -1;
	}
	if (s != NULL)
		cg_db_reset(s);
	return found;
}

/*
 * Sign with the custodial key and keep the signed bytes with the audit row,
 * before anything is sent: a resend after a crash sends the same bytes, which
 * the service recognises as the same submission.
 */
static cg_rc
sign_kept(cg_store *st, cg_ctx *ctx, cg_signer *sg, const cg_principal *who, long long id,
	  struct pending *p, const char *serial)
{
	cg_db_stmt *s;
	char detail[512];
	cg_rc rc = cg_sign_buffer(sg, ctx, p->xml, p->len, &p->signed_xml, &p->signed_len);

	if (rc == CG_OK)
		rc = cg_db_begin(cg__store_db(st), ctx);
	if (rc != CG_OK)
		return rc;
	s = q(st, U_SIGNED);
	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK ||
	    cg_db_bind_int64(s, 2, p->seq) != CG_OK ||
	    cg_db_bind_blob(s, 3, p->signed_xml, (int)p->signed_len) != CG_OK ||
	    cg_db_step(s) != CG_DB_DONE)
		rc = dbfail(st, ctx, "signed document");
	(void)snprintf(detail, sizeof(detail), "upload %lld document %lld (%s) signed for %s with key serial %s",
		       id, p->seq, p->name, who->cop_code, serial);
	if (rc == CG_OK)
		rc = cg__audit(st, ctx, who->name, "custodial signature", 0, detail);
	if (rc == CG_OK)
		return cg_db_commit(cg__store_db(st), ctx);
	cg_db_rollback(cg__store_db(st));
	return rc;
}

/* Submit the signed bytes through the one submission path; keep its per-message result. */
static cg_rc
submit_kept(cg_service *svc, cg_ctx *ctx, const cg_principal *ent, long long id, struct pending *p,
	    json_t *results, int *accepted)
{
	char *answer = NULL, *txt = NULL;
	json_t *a, *r;
	cg_rc rc = cg_service_submit(svc, ctx, ent, p->signed_xml, p->signed_len, 0, &answer);

	/* A refused document is a result like any other: only a fault stops the upload. */
	if (answer != NULL)
		rc = CG_OK;
	a = rc == CG_OK ? json_loads(answer, 0, NULL) : NULL;
	cg_free(answer);
	r = json_array_get(json_object_get(a, "results"), 0);
	if (rc == CG_OK && r == NULL)
		rc = CG_ENOMEM;
	if (rc == CG_OK) {
		(void)json_object_set_new(r, "seq", json_integer(p->seq));
		txt = json_dumps(r, JSON_COMPACT);
		rc = txt != NULL ? upload_set_result(cg__service_store(svc), ctx, id, p->seq, txt) : CG_ENOMEM;
	}
	if (rc == CG_OK) {
		const char *status = json_string_value(json_object_get(r, "status"));

		*accepted += status != NULL && strcmp(status, "accepted") == 0;
		if (json_array_size(results) < SHOW_MAX && json_array_append(results, r) != 0)
			rc = CG_ENOMEM;
	}
	free(txt);
	json_decref(a);
	return rc;
}

cg_rc
cg_service_upload_submit(cg_service *svc, cg_ctx *ctx, const cg_principal *who, long long id,
			 char **json)
{
	cg_store *st = cg__service_store(svc);
	cg_principal ent = *who;
	cg_signer *sg = NULL;
	json_t *results;
	struct pending p;
	char serial[80], state[16];
	long long last = 0;
	int found, accepted = 0, submitted = 0;
	cg_rc rc;

	*json = NULL;
	rc = own_upload(st, ctx, who, id, state, sizeof(state), NULL);
	if (rc != CG_OK)
		return rc;
	if (strcmp(state, "ready") != 0)
		return cg__fail(ctx, CG_ECONFLICT, "only an upload that was read to the end can be submitted");
	/* The documents go out as the enterprise's own submission. */
	ent.role = CG_ROLE_ENTERPRISE;
	results = json_array();
	rc = results != NULL ? CG_OK : CG_ENOMEM;
	while (rc == CG_OK && (found = next_pending(st, id, last, &p)) != 0) {
		if (found < 0)
			rc = CG_ENOMEM;
		/* The custodial key only when a document is not signed by the merchant already. */
		if (rc == CG_OK && p.signed_xml == NULL && sg == NULL &&
		    cg__custody_signer(svc, ctx, who->enterprise_id, &sg, serial, sizeof(serial)) != CG_OK) {
			free(p.xml);
			if (submitted > 0)
				break; /* the answer says how many went; the rest wait for a key */
			cg_signer_free(sg);
			json_decref(results);
			return cg__fail(ctx, CG_ECONFLICT, "this enterprise has no custodial signing key: sign "
							       "the declarations yourself, or hand over the key");
		}
		if (rc == CG_OK && p.signed_xml == NULL)
			rc = sign_kept(st, ctx, sg, who, id, &p, serial);
		if (rc == CG_OK)
			rc = submit_kept(svc, ctx, &ent, id, &p, results, &accepted);
		submitted += rc == CG_OK;
		last = p.seq;
		free(p.xml);
		free(p.signed_xml);
	}
	cg_signer_free(sg);
	if (rc == CG_OK) {
		/* The counts cover every document; the results listed are the first SHOW_MAX. */
		rc = cg__json_answer(json_pack("{s:I, s:i, s:i, s:O}", "upload", (json_int_t)id, "submitted",
					       submitted, "accepted", accepted, "results", results),
				     json);
	}
	json_decref(results);
	return rc;
}

cg_rc
cg_service_upload_findings_csv(cg_service *svc, cg_ctx *ctx, const cg_principal *who, long long id,
			       char **csv, size_t *len)
{
	static const char *const cols[] = { "line", "column", "code", "severity", "xpath", "message_zh",
					    "message_en" };
	cg_buf b = CG_BUF_INIT(0);
	char *text = NULL, num[32], state[16];
	json_t *f;
	size_t i, k;
	cg_rc rc;

	*csv = NULL;
	*len = 0;
	rc = own_upload(cg__service_store(svc), ctx, who, id, state, sizeof(state), &text);
	if (rc != CG_OK)
		return rc;
	f = json_loads(text, 0, NULL);
	free(text);
	/* UTF-8 with a BOM: what spreadsheet programs need to read Chinese text right. */
	rc = f != NULL ? cg_buf_append(&b, "\xef\xbb\xbf", 3) : CG_ENOMEM;
	for (k = 0; rc == CG_OK && k < 7; k++)
		rc = cg__csv_cell(&b, cols[k], k == 6);
	for (i = 0; rc == CG_OK && i < json_array_size(f); i++) {
		json_t *x = json_array_get(f, i);

		for (k = 0; rc == CG_OK && k < 7; k++) {
			json_t *v = json_object_get(x, cols[k]);

			if (json_is_integer(v))
				(void)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			rc = cg__csv_cell(&b, json_is_integer(v) ? num : json_is_string(v) ? json_string_value(v) : "",
				      k == 6);
		}
	}
	json_decref(f);
	if (rc != CG_OK) {
		cg_buf_dispose(&b);
		return rc;
	}
	*len = b.len;
	*csv = cg_buf_detach(&b);
	return *csv != NULL ? CG_OK : CG_ENOMEM;
}

static int
profile_name_ok(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0, i;

	for (i = 0; i < n; i++) {
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || strchr("_.-", name[i]) != NULL))
			return 0;
	}
	return n > 0 && n <= 64;
}

cg_rc
cg_service_profile_save(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *name,
			const char *text, size_t len, char **json)
{
	cg_store *st = cg__service_store(svc);
	cg_db_stmt *s;

	*json = NULL;
	if (!of_enterprise(who))
		return cg__fail(ctx, CG_EPERM, "only an enterprise or its staff may save mapping profiles");
	if (!profile_name_ok(name))
		return cg__fail(ctx, CG_EINVAL, "a profile name is 1 to 64 letters, digits, '_', '.' or '-'");
	if (len > 64 * 1024 || memchr(text, '\0', len) != NULL)
		return cg__fail(ctx, CG_EINVAL, "a profile is text of at most 64 KiB");
	if (cg__profile_check(ctx, text, len) != CG_OK)
		return CG_EINVAL; /* the message is in ctx already */
	s = q(st, U_PROFILE_PUT);
	if (s == NULL || cg_db_bind_int64(s, 1, who->enterprise_id) != CG_OK ||
	    cg_db_bind_text(s, 2, name) != CG_OK ||
	    cg_db_bind_textn(s, 3, text, len) != CG_OK ||
	    cg_db_bind_int64(s, 4, (long long)time(NULL)) != CG_OK || cg_db_step(s) != CG_DB_DONE)
		return dbfail(st, ctx, "profile");
	return cg__json_answer(json_pack("{s:s}", "profile", name), json);
}

cg_rc
cg_service_uploads_list(cg_service *svc, cg_ctx *ctx, const cg_principal *who, char **json)
{
	cg_store *st = cg__service_store(svc);
	cg_db_stmt *s = q(st, U_LIST);
	json_t *ups = NULL, *profiles = json_array();
	int r = CG_EDB;

	*json = NULL;
	if (!of_enterprise(who)) {
		json_decref(profiles);
		return cg__fail(ctx, CG_EPERM, "only an enterprise or its staff has uploads");
	}
	/* The newest 50 uploads (those being worked on show their counts so far), and the saved profiles. */
	if (s != NULL && cg_db_bind_int64(s, 1, who->enterprise_id) == CG_OK &&
	    (ups = cg_db_rows_json(s, 0, 0)) != NULL)
		r = CG_DB_DONE;
	s = r == CG_DB_DONE ? q(st, U_PROFILES) : NULL;
	r = CG_EDB;
	if (s != NULL && profiles != NULL && cg_db_bind_int64(s, 1, who->enterprise_id) == CG_OK) {
		while ((r = cg_db_step(s)) == CG_DB_ROW)
			(void)json_array_append_new(profiles, json_string(cg_db_column_text(s, 0)));
		cg_db_reset(s);
	}
	if (r != CG_DB_DONE) {
		json_decref(ups);
		json_decref(profiles);
		return dbfail(st, ctx, "uploads");
	}
	return cg__json_answer(json_pack("{s:o, s:o}", "uploads", ups, "profiles", profiles), json);
}
