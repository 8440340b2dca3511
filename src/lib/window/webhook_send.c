/* SPDX-License-Identifier: MIT */
/*
 * Pushed receipts, the delivery side (webhook.h): one thread's worker that
 * POSTs each endpoint's next receipt with libcurl's multi interface. Every
 * endpoint has at most one transfer in flight, under a lease in the database;
 * what an endpoint acknowledged (2xx) moves its position in the same
 * transaction as the delivery's record, so a crash repeats only deliveries
 * that were not acknowledged yet. A slow or failing endpoint holds its own
 * transfer and nothing else.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include "cebgate/webhook.h"
#include "window/service_internal.h"

#define MAX_PARALLEL 256
/* Bytes of an endpoint's answer read at most (its body is not used). */
#define ANSWER_MAX 16384
/* A lease outlives the transfer by this much (the database's own time). */
#define LEASE_MARGIN_MS 5000
/* Attempts kept per endpoint. */
#define KEEP_DELIVERIES 1000

enum { D_DUE, D_CLAIM, D_POS, D_ACK, D_RETRY, D_LOG, D_PRUNE, D_FREE_LEASES, D_RELEASE };

static const char *const sql[] = {
	[D_DUE] = "SELECT w.id, w.enterprise_id AS eid, w.url, w.secret, e.cop_code AS code"
		  " FROM webhook w JOIN enterprise e ON e.id = w.enterprise_id"
		  " WHERE w.state = 'active' AND e.disabled = 0 AND w.next_at <= $1 AND w.lease_until <= $1"
		  " AND EXISTS (SELECT 1 FROM receipt r WHERE r.enterprise_id = w.enterprise_id"
		  " AND r.seq > w.feed_pos) ORDER BY w.next_at, w.id LIMIT $2",
	/* The lease is taken only if nobody holds it: several nodes may look at once. */
	[D_CLAIM] = "UPDATE webhook SET lease_until = $2 WHERE id = $1 AND state = 'active'"
		    " AND lease_until <= $3",
	[D_POS] = "SELECT feed_pos, attempts FROM webhook WHERE id = $1",
	/* Only from the position the delivery was made at: a re-send in between wins. */
	[D_ACK] = "UPDATE webhook SET feed_pos = $2, attempts = 0, next_at = 0, lease_until = 0,"
		  " delivered = delivered + 1, last_error = NULL WHERE id = $1 AND feed_pos = $3",
	[D_RETRY] = "UPDATE webhook SET attempts = $2, next_at = $3, lease_until = 0, last_error = $4,"
		    " state = $5 WHERE id = $1 AND feed_pos = $6 AND state = 'active'",
	[D_LOG] = "INSERT INTO webhook_delivery(webhook_id, receipt_id, attempt, at, status, outcome,"
		  " error) VALUES($1, $2, $3, $4, $5, $6, $7)",
	[D_PRUNE] = "DELETE FROM webhook_delivery WHERE webhook_id = $1 AND id < (SELECT id FROM"
		    " webhook_delivery WHERE webhook_id = $1 ORDER BY id DESC LIMIT 1 OFFSET 999)",
	/* One node only (a SQLite file is locked by one cebgated): the leases of a crashed run. */
	[D_FREE_LEASES] = "UPDATE webhook SET lease_until = 0 WHERE lease_until > 0",
	[D_RELEASE] = "UPDATE webhook SET lease_until = 0 WHERE id = $1",
};
CG_DB_MODULE(send_sql, "webhook_send", sql);

/* One delivery in flight. */
struct job {
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	size_t got;
	long long hook, cursor, prev;
	int attempts;
	char err[CURL_ERROR_SIZE];
};

/* Jobs stay in their slot while libcurl holds pointers into them; a slot is free when easy is NULL. */
struct cg_deliverer {
	cg_store *st;
	CURLM *multi;
	cg_deliverer_options o;
	char *ca_file;
	struct job jobs[MAX_PARALLEL];
	int njobs;
	/* A wake-up is on its way and the round it starts has not looked yet: later wakes add nothing. */
	atomic_bool woken;
};

static long long
now_ms(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_REALTIME, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static cg_db_stmt *
q(cg_deliverer *d, int id)
{
	return cg_db_prepared(cg__store_db(d->st), &send_sql, id);
}

cg_rc
cg_webhook_signature(const char *secret, long long ts, const char *body, size_t len, char out[72])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0, i;
	char prefix[24];
	int n = snprintf(prefix, sizeof(prefix), "%lld.", ts);
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *c = m != NULL ? EVP_MAC_CTX_new(m) : NULL;
	OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
				OSSL_PARAM_construct_end() };
	size_t outl = 0;
	int ok = c != NULL && n > 0 &&
		 EVP_MAC_init(c, (const unsigned char *)secret, strlen(secret), params) == 1 &&
		 EVP_MAC_update(c, (const unsigned char *)prefix, (size_t)n) == 1 &&
		 EVP_MAC_update(c, (const unsigned char *)body, len) == 1 &&
		 EVP_MAC_final(c, mac, &outl, sizeof(mac)) == 1 && outl == 32;

	EVP_MAC_CTX_free(c);
	EVP_MAC_free(m);
	if (!ok)
		return CG_EINTERNAL;
	maclen = (unsigned)outl;
	memcpy(out, "v1=", 3);
	for (i = 0; i < maclen; i++)
		(void)snprintf(out + 3 + 2 * i, 3, "%02x", mac[i]);
	return CG_OK;
}

/* Delay before attempt @p attempts + 1: exponential, capped, uniformly in [d/2, d]. */
static long long
backoff(const cg_deliverer *d, int attempts)
{
	long long delay = d->o.backoff_ms;
	unsigned int r = 0;
	int i;

	for (i = 1; i < attempts && delay < d->o.backoff_max_ms; i++)
		delay *= 2;
	if (delay > d->o.backoff_max_ms)
		delay = d->o.backoff_max_ms;
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = 0;
	return delay / 2 + (long long)((double)(delay - delay / 2) * ((double)r / 4294967295.0));
}

cg_rc
cg_deliverer_new(cg_deliverer **out, cg_ctx *ctx, const char *db, const cg_deliverer_options *o)
{
	cg_deliverer *d = calloc(1, sizeof(*d));
	cg_db_stmt *s;
	cg_rc rc;

	*out = NULL;
	if (d == NULL)
		return CG_ENOMEM;
	d->o = *o;
	if (d->o.parallel <= 0 || d->o.parallel > MAX_PARALLEL)
		d->o.parallel = MAX_PARALLEL;
	if (d->o.max_attempts <= 0)
		d->o.max_attempts = 1;
	d->ca_file = o->ca_file != NULL ? cg__strdup(o->ca_file) : NULL;
	d->o.ca_file = NULL;
	d->multi = curl_multi_init();
	rc = d->multi == NULL || (o->ca_file != NULL && d->ca_file == NULL) ? CG_ENOMEM : CG_OK;
	if (rc == CG_OK)
		rc = cg_store_open(&d->st, ctx, db);
	if (rc == CG_OK && cg_db_backend_of(cg__store_db(d->st)) == CG_DB_SQLITE) {
		s = q(d, D_FREE_LEASES);
		rc = s != NULL ? cg_db_run(cg__store_db(d->st), ctx, s, "webhook leases") : CG_EDB;
	}
	if (rc != CG_OK) {
		cg_deliverer_free(d);
		return rc;
	}
	*out = d;
	return CG_OK;
}

static void
job_dispose(cg_deliverer *d, struct job *j)
{
	if (j->easy != NULL) {
		(void)curl_multi_remove_handle(d->multi, j->easy);
		curl_easy_cleanup(j->easy);
	}
	curl_slist_free_all(j->headers);
	free(j->body);
	memset(j, 0, sizeof(*j));
}

void
cg_deliverer_free(cg_deliverer *d)
{
	int i;

	if (d == NULL)
		return;
	for (i = 0; i < MAX_PARALLEL; i++) {
		cg_db_stmt *s = d->st != NULL && d->jobs[i].easy != NULL ? q(d, D_RELEASE) : NULL;

		/* Due again at once, here or on another node. */
		if (s != NULL && cg_db_bind_int64(s, 1, d->jobs[i].hook) == CG_OK)
			(void)cg_db_run(cg__store_db(d->st), NULL, s, "webhook lease");
		job_dispose(d, &d->jobs[i]);
	}
	if (d->multi != NULL)
		(void)curl_multi_cleanup(d->multi);
	cg_store_close(d->st);
	free(d->ca_file);
	free(d);
}

/*
 * Every committed submission wakes the deliverer; one wake-up per round is
 * enough, since the round looks at the database after taking it (a system
 * call and a database read per message otherwise, most with nothing due).
 */
void
cg_deliverer_wake(cg_deliverer *d)
{
	if (!atomic_exchange(&d->woken, true))
		(void)curl_multi_wakeup(d->multi);
}

/* The answer's body is read and dropped, up to ANSWER_MAX bytes (then the transfer fails). */
static size_t
on_answer(char *p, size_t size, size_t n, void *arg)
{
	struct job *j = arg;

	(void)p;
	j->got += size * n;
	return j->got <= ANSWER_MAX ? size * n : 0;
}

struct next_receipt {
	json_t *item;
	long long cursor;
};

static cg_rc
take_receipt(void *payload, long long cursor, const char *type, const char *status, const char *xml,
	     size_t len, long long created)
{
	struct next_receipt *n = payload;

	/* The pull feed's shape (GET /api/v1/receipts), one receipt. */
	n->item = json_pack("{s:I, s:s, s:s, s:I, s:s%}", "cursor", (json_int_t)cursor, "type", type,
			    "returnStatus", status, "created", (json_int_t)created, "xml", xml, len);
	n->cursor = cursor;
	return n->item != NULL ? CG_OK : CG_ENOMEM;
}

/* The delivery's headers: the signature over "TIMESTAMP.BODY". */
static cg_rc
headers(struct job *j, const char *secret)
{
	char sig[72], line[128];
	long long ts = (long long)time(NULL);
	struct curl_slist *h = NULL, *t;
	const char *lines[2] = { "Content-Type: application/json", "User-Agent: cebgate-webhook/1" };
	int i;

	if (cg_webhook_signature(secret, ts, j->body, strlen(j->body), sig) != CG_OK)
		return CG_EINTERNAL;
	for (i = 0; i < 5; i++) {
		if (i == 2)
			(void)snprintf(line, sizeof(line), "Cebgate-Timestamp: %lld", ts);
		else if (i == 3)
			(void)snprintf(line, sizeof(line), "Cebgate-Signature: %s", sig);
		else if (i == 4)
			(void)snprintf(line, sizeof(line), "Cebgate-Delivery: %lld.%lld", j->hook, j->cursor);
		t = curl_slist_append(h, i < 2 ? lines[i] : line);
		if (t == NULL) {
			curl_slist_free_all(h);
			return CG_ENOMEM;
		}
		h = t;
	}
	j->headers = h;
	return CG_OK;
}

static bool
easy_setup(cg_deliverer *d, struct job *j, const char *url)
{
	CURL *e = curl_easy_init();

	j->easy = e;
	return e != NULL && curl_easy_setopt(e, CURLOPT_URL, url) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https") == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, d->o.connect_timeout_ms) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, d->o.timeout_ms) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_POSTFIELDS, j->body) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(j->body)) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->headers) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_answer) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_WRITEDATA, j) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->err) == CURLE_OK &&
	       curl_easy_setopt(e, CURLOPT_PRIVATE, j) == CURLE_OK &&
	       (d->ca_file == NULL || curl_easy_setopt(e, CURLOPT_CAINFO, d->ca_file) == CURLE_OK) &&
	       curl_multi_add_handle(d->multi, e) == CURLM_OK;
}

/* Claim endpoint @p row's lease and read its position: 0 when another has it. */
static cg_rc
claim(cg_deliverer *d, cg_ctx *ctx, long long hook, long long now, struct job *j)
{
	cg_db *db = cg__store_db(d->st);
	cg_db_stmt *s = q(d, D_CLAIM);
	int r;
	cg_rc rc;

	if (s == NULL || cg_db_bind_int64(s, 1, hook) != CG_OK ||
	    cg_db_bind_int64(s, 2, now + d->o.timeout_ms + d->o.connect_timeout_ms + LEASE_MARGIN_MS) != CG_OK ||
	    cg_db_bind_int64(s, 3, now) != CG_OK)
		return cg_db_fail(db, ctx, "webhook lease");
	rc = cg_db_run(db, ctx, s, "webhook lease");
	if (rc != CG_OK || cg_db_changes(db) != 1)
		return rc != CG_OK ? rc : CG_ENOTFOUND;
	s = q(d, D_POS);
	if (s == NULL || cg_db_bind_int64(s, 1, hook) != CG_OK)
		return cg_db_fail(db, ctx, "webhook");
	r = cg_db_step(s);
	if (r == CG_DB_ROW) {
		j->prev = cg_db_column_int64(s, 0);
		j->attempts = cg_db_column_int(s, 1);
	}
	cg_db_reset(s);
	return r == CG_DB_ROW ? CG_OK : cg_db_fail(db, ctx, "webhook");
}

/* Start the delivery of endpoint @p row's next receipt. */
static cg_rc
start(cg_deliverer *d, cg_ctx *ctx, json_t *row, long long now)
{
	struct job *j = d->jobs;
	struct next_receipt n = { NULL, 0 };
	json_t *doc;
	cg_rc rc;

	while (j->easy != NULL)
		j++; /* a free slot: njobs < parallel <= MAX_PARALLEL */
	memset(j, 0, sizeof(*j));
	j->hook = json_integer_value(json_object_get(row, "id"));
	rc = claim(d, ctx, j->hook, now, j);
	if (rc == CG_OK)
		rc = cg__store_receipts(d->st, ctx, json_integer_value(json_object_get(row, "eid")), j->prev, 1,
					take_receipt, &n);
	if (rc != CG_OK || n.item == NULL) {
		json_decref(n.item);
		return rc == CG_ENOTFOUND ? CG_OK : rc;
	}
	j->cursor = n.cursor;
	doc = json_pack("{s:I, s:s, s:o}", "webhook", (json_int_t)j->hook, "enterprise",
			json_string_value(json_object_get(row, "code")), "receipt", n.item);
	if (doc != NULL)
		cg__json_times(doc);
	j->body = doc != NULL ? cg__json_text(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	rc = j->body == NULL ? CG_ENOMEM : headers(j, json_string_value(json_object_get(row, "secret")));
	if (rc == CG_OK && !easy_setup(d, j, json_string_value(json_object_get(row, "url"))))
		rc = cg__fail(ctx, CG_ENOMEM, "cannot start a delivery");
	if (rc != CG_OK) {
		job_dispose(d, j); /* the lease runs out and the delivery is due again */
		return rc;
	}
	d->njobs++;
	return CG_OK;
}

static bool
in_flight(const cg_deliverer *d, long long hook)
{
	int i;

	for (i = 0; i < MAX_PARALLEL; i++) {
		if (d->jobs[i].easy != NULL && d->jobs[i].hook == hook)
			return true;
	}
	return false;
}

/* Start what is due, up to the parallel limit. */
static cg_rc
start_due(cg_deliverer *d, cg_ctx *ctx)
{
	long long now = now_ms();
	cg_db_stmt *s = q(d, D_DUE);
	json_t *rows;
	size_t i;
	cg_rc rc = CG_OK;

	if (d->njobs >= d->o.parallel)
		return CG_OK;
	if (s == NULL || cg_db_bind_int64(s, 1, now) != CG_OK ||
	    cg_db_bind_int64(s, 2, d->o.parallel - d->njobs) != CG_OK)
		return cg_db_fail(cg__store_db(d->st), ctx, "webhooks due");
	/* Read every row first: no other statement runs inside this one's steps. */
	rows = cg_db_rows_json(s, 0, 0);
	if (rows == NULL)
		return cg_db_fail(cg__store_db(d->st), ctx, "webhooks due");
	for (i = 0; rc == CG_OK && i < json_array_size(rows) && d->njobs < d->o.parallel; i++) {
		json_t *row = json_array_get(rows, i);

		if (!in_flight(d, json_integer_value(json_object_get(row, "id"))))
			rc = start(d, ctx, row, now);
	}
	json_decref(rows);
	return rc;
}

/* The attempt's record, and the endpoint's position or retry time, in one transaction. */
static cg_rc
record(cg_deliverer *d, cg_ctx *ctx, struct job *j, long status, bool ok, const char *outcome,
       const char *error)
{
	cg_db *db = cg__store_db(d->st);
	bool dead = !ok && j->attempts + 1 >= d->o.max_attempts;
	cg_db_stmt *s;
	cg_rc rc = cg_db_begin(db, ctx);

	if (rc != CG_OK)
		return rc;
	s = q(d, ok ? D_ACK : D_RETRY);
	if (s == NULL)
		rc = cg_db_fail(db, ctx, "webhook");
	else if (ok)
		rc = cg_db_bind_int64(s, 1, j->hook) == CG_OK && cg_db_bind_int64(s, 2, j->cursor) == CG_OK &&
				     cg_db_bind_int64(s, 3, j->prev) == CG_OK
			     ? cg_db_run(db, ctx, s, "webhook")
			     : cg_db_fail(db, ctx, "webhook");
	else
		rc = cg_db_bind_int64(s, 1, j->hook) == CG_OK && cg_db_bind_int64(s, 2, j->attempts + 1) == CG_OK &&
				     cg_db_bind_int64(s, 3, now_ms() + backoff(d, j->attempts + 1)) == CG_OK &&
				     cg_db_bind_text(s, 4, error) == CG_OK &&
				     cg_db_bind_text(s, 5, dead ? "dead" : "active") == CG_OK &&
				     cg_db_bind_int64(s, 6, j->prev) == CG_OK
			     ? cg_db_run(db, ctx, s, "webhook")
			     : cg_db_fail(db, ctx, "webhook");
	s = rc == CG_OK ? q(d, D_LOG) : NULL;
	if (rc == CG_OK)
		rc = s != NULL && cg_db_bind_int64(s, 1, j->hook) == CG_OK &&
				     cg_db_bind_int64(s, 2, j->cursor) == CG_OK &&
				     cg_db_bind_int64(s, 3, j->attempts + 1) == CG_OK &&
				     cg_db_bind_int64(s, 4, (long long)time(NULL)) == CG_OK &&
				     cg_db_bind_int64(s, 5, status) == CG_OK &&
				     cg_db_bind_text(s, 6, dead ? "dead" : outcome) == CG_OK &&
				     cg_db_bind_text(s, 7, error) == CG_OK
			     ? cg_db_run(db, ctx, s, "webhook delivery")
			     : cg_db_fail(db, ctx, "webhook delivery");
	s = rc == CG_OK ? q(d, D_PRUNE) : NULL;
	if (rc == CG_OK)
		rc = s != NULL && cg_db_bind_int64(s, 1, j->hook) == CG_OK ? cg_db_run(db, ctx, s, "webhook prune")
									  : cg_db_fail(db, ctx, "webhook prune");
	return cg_db_change_end(db, ctx, rc);
}

/* A transfer ended: 2xx is an acknowledgement, anything else a failure. */
static cg_rc
finish(cg_deliverer *d, cg_ctx *ctx, CURL *e, CURLcode res)
{
	struct job *j = NULL;
	long status = 0;
	char error[CURL_ERROR_SIZE + 16];
	const char *outcome = "failed";
	bool ok;
	cg_rc rc;

	if (curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&j) != CURLE_OK || j == NULL)
		return CG_EINTERNAL;
	(void)curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	error[0] = '\0';
	ok = res == CURLE_OK && status >= 200 && status < 300;
	if (ok)
		outcome = "delivered";
	else if (res == CURLE_OPERATION_TIMEDOUT)
		outcome = "timeout";
	if (res != CURLE_OK)
		(void)snprintf(error, sizeof(error), "%s", j->err[0] != '\0' ? j->err : curl_easy_strerror(res));
	else if (!ok)
		(void)snprintf(error, sizeof(error), "HTTP %ld", status);
	rc = record(d, ctx, j, res == CURLE_OK ? status : 0, ok, outcome, error[0] != '\0' ? error : NULL);
	job_dispose(d, j);
	d->njobs--;
	return rc;
}

cg_rc
cg_deliverer_run(cg_deliverer *d, cg_ctx *ctx, long wait_ms, int *in_flight_out)
{
	int running = 0, left = 0, finished = 0;
	CURLMsg *m;
	cg_rc rc, rc2;

	/* Before the look: a wake from now on is for something this look may miss. */
	atomic_store(&d->woken, false);
	rc = start_due(d, ctx);

	if (curl_multi_perform(d->multi, &running) != CURLM_OK)
		return cg__fail(ctx, CG_EINTERNAL, "libcurl multi");
	while ((m = curl_multi_info_read(d->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		rc2 = finish(d, ctx, m->easy_handle, m->data.result);
		finished++;
		if (rc == CG_OK)
			rc = rc2;
	}
	/* An endpoint that just acknowledged may have its next receipt due at once: no wait then. */
	if (finished == 0 &&
	    curl_multi_poll(d->multi, NULL, 0, (int)(wait_ms > 0 ? wait_ms : 0), NULL) != CURLM_OK)
		return cg__fail(ctx, CG_EINTERNAL, "libcurl multi poll");
	if (in_flight_out != NULL)
		*in_flight_out = d->njobs;
	return rc;
}
