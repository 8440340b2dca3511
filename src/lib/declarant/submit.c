/* SPDX-License-Identifier: MIT */
/*
 * The submitter (include/cebgate/submit.h): the outbox's due declarations go
 * out over the http channel (libcurl multi, batches, retries) or the dir
 * channel (DxpMsg files in the transfer client's outbox folder).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <jansson.h>
#include "cebgate/sig.h"
#include "cebgate/submit.h"
#include "declarant/outbox_internal.h"
#include "declarant/submit_internal.h"

/* Largest answer accepted from the service: 1000 results with their findings. */
#define ANSWER_MAX (64u * 1024u * 1024u)

struct req {
	CURL *h;
	cg_outbox_item *items;
	size_t n;
	char *body;
	cg_buf resp;
	char err[CURL_ERROR_SIZE];
	bool busy;
};

struct cg_submitter {
	cg_outbox *ob;
	cg_submit_options o;
	bool dir;
	char path[3072];
	char url[2048];
	char auth[1024];
	CURLM *multi;
	struct curl_slist *hdrs;
	struct req *reqs;
	int nreq;
	cg_submit_stats stats;
};

size_t
cg__http_collect(char *data, size_t size, size_t nmemb, void *payload)
{
	cg_buf *b = payload;
	size_t n;

	if (!cg__size_mul(&n, size, nmemb) || cg_buf_append(b, data, n) != CG_OK)
		return 0; /* too big: libcurl fails the transfer */
	return n;
}

/* Timeouts, TLS and error buffer of every request, so that nothing blocks for ever. */
cg_rc
cg__http_setup(CURL *h, cg_ctx *ctx, const cg_submit_options *o, char *errbuf)
{
	bool ok = true;

	ok = ok && curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok = ok && curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
	ok = ok && curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms) == CURLE_OK;
	ok = ok && curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK;
	ok = ok && curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L) == CURLE_OK;
	ok = ok && curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cg__http_collect) == CURLE_OK;
	if (o->ca_file != NULL)
		ok = ok && curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file) == CURLE_OK;
	if (o->client_cert != NULL)
		ok = ok && curl_easy_setopt(h, CURLOPT_SSLCERT, o->client_cert) == CURLE_OK;
	if (o->client_key != NULL)
		ok = ok && curl_easy_setopt(h, CURLOPT_SSLKEY, o->client_key) == CURLE_OK;
	errbuf[0] = '\0';
	return ok ? CG_OK : cg__fail(ctx, CG_EINVAL, "libcurl refused an option (too old?)");
}

static cg_rc
http_init(cg_submitter *s, cg_ctx *ctx)
{
	int i;

	if (s->o.server == NULL || s->o.token == NULL)
		return cg__fail(ctx, CG_EINVAL, "the http channel needs a server URL and a token");
	if (snprintf(s->url, sizeof(s->url), "%s/api/v1/submissions", s->o.server) >=
		    (int)sizeof(s->url) ||
	    snprintf(s->auth, sizeof(s->auth), "Authorization: Bearer %s", s->o.token) >=
		    (int)sizeof(s->auth))
		return cg__fail(ctx, CG_EINVAL, "server URL or token too long");
	s->hdrs = curl_slist_append(NULL, s->auth);
	if (s->hdrs != NULL)
		s->hdrs = curl_slist_append(s->hdrs, "Content-Type: application/json");
	s->multi = curl_multi_init();
	s->nreq = s->o.parallel;
	s->reqs = calloc((size_t)s->nreq, sizeof(*s->reqs));
	if (s->hdrs == NULL || s->multi == NULL || s->reqs == NULL)
		return CG_ENOMEM;
	/* One connection per request slot, kept open between requests. */
	if (curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)s->nreq) != CURLM_OK)
		return cg__fail(ctx, CG_EINVAL, "libcurl multi refused an option");
	for (i = 0; i < s->nreq; i++) {
		s->reqs[i].items = calloc((size_t)s->o.batch, sizeof(cg_outbox_item));
		s->reqs[i].h = curl_easy_init();
		s->reqs[i].resp = (cg_buf)CG_BUF_INIT(ANSWER_MAX);
		if (s->reqs[i].items == NULL || s->reqs[i].h == NULL)
			return CG_ENOMEM;
	}
	return CG_OK;
}

cg_rc
cg_submitter_new(cg_submitter **out, cg_ctx *ctx, cg_outbox *ob, const cg_submit_options *o)
{
	cg_submitter *s;
	cg_rc rc;

	*out = NULL;
	if (o->parallel < 1 || o->parallel > 64 || o->batch < 1 || o->batch > 1000 ||
	    o->max_attempts < 1)
		return cg__fail(ctx, CG_EINVAL, "parallel 1-64, batch 1-1000, max attempts >= 1");
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return CG_ENOMEM;
	s->ob = ob;
	s->o = *o;
	s->dir = o->channel != NULL && strncmp(o->channel, "dir:", 4) == 0;
	if (o->channel != NULL && !s->dir && strcmp(o->channel, "http") != 0)
		rc = cg__fail(ctx, CG_EINVAL, "unknown channel %s (http or dir:PATH)", o->channel);
	else if (s->dir)
		rc = cg__dir_init(ctx, o->channel + 4, s->path, sizeof(s->path));
	else
		rc = http_init(s, ctx);
	if (rc != CG_OK) {
		cg_submitter_free(s);
		return rc;
	}
	*out = s;
	return CG_OK;
}

static void
req_clear(struct req *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		cg_outbox_item_dispose(&r->items[i]);
	r->n = 0;
	free(r->body);
	r->body = NULL;
	r->resp.len = 0;
	r->busy = false;
}

void
cg_submitter_free(cg_submitter *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; s->reqs != NULL && i < s->nreq; i++) {
		if (s->reqs[i].busy)
			(void)curl_multi_remove_handle(s->multi, s->reqs[i].h);
		req_clear(&s->reqs[i]);
		curl_easy_cleanup(s->reqs[i].h);
		cg_buf_dispose(&s->reqs[i].resp);
		free(s->reqs[i].items);
	}
	free(s->reqs);
	if (s->multi != NULL)
		(void)curl_multi_cleanup(s->multi);
	curl_slist_free_all(s->hdrs);
	free(s);
}

cg_submit_stats
cg_submitter_stats(const cg_submitter *s)
{
	return s->stats;
}

/* The body {"messages": [...]} of a batch, built with jansson (it escapes). */
static char *
batch_body(const struct req *r)
{
	json_t *arr = json_array(), *root;
	size_t i;
	char *text;

	for (i = 0; arr != NULL && i < r->n; i++) {
		if (json_array_append_new(arr, json_stringn(r->items[i].xml, r->items[i].len)) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	root = arr != NULL ? json_pack("{s:o}", "messages", arr) : NULL;
	text = root != NULL ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	return text;
}

static cg_rc
start(cg_submitter *s, cg_ctx *ctx, struct req *r, bool *started)
{
	cg_rc rc;
	bool ok;

	*started = false;
	/* The lease outlives the request's own timeout: no second send while one is under way. */
	rc = cg_outbox_claim(s->ob, ctx, cg__ob_now(), s->o.timeout_ms + 60000, r->items,
			     (size_t)s->o.batch, &r->n);
	if (rc != CG_OK || r->n == 0)
		return rc;
	r->body = batch_body(r);
	if (r->body == NULL) {
		req_clear(r);
		return CG_ENOMEM;
	}
	curl_easy_reset(r->h);
	rc = cg__http_setup(r->h, ctx, &s->o, r->err);
	ok = rc == CG_OK && curl_easy_setopt(r->h, CURLOPT_URL, s->url) == CURLE_OK &&
	     curl_easy_setopt(r->h, CURLOPT_HTTPHEADER, s->hdrs) == CURLE_OK &&
	     curl_easy_setopt(r->h, CURLOPT_POSTFIELDS, r->body) == CURLE_OK &&
	     curl_easy_setopt(r->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(r->body)) ==
		     CURLE_OK &&
	     curl_easy_setopt(r->h, CURLOPT_TIMEOUT_MS, s->o.timeout_ms) == CURLE_OK &&
	     curl_easy_setopt(r->h, CURLOPT_WRITEDATA, &r->resp) == CURLE_OK &&
	     curl_easy_setopt(r->h, CURLOPT_PRIVATE, r) == CURLE_OK &&
	     curl_multi_add_handle(s->multi, r->h) == CURLM_OK;
	if (!ok) {
		req_clear(r);
		return rc != CG_OK ? rc : cg__fail(ctx, CG_EINVAL, "cannot set up the request");
	}
	r->busy = true;
	*started = true;
	return CG_OK;
}

/* Every declaration of a failed request: retried, or dead after the cap. */
static cg_rc
retry_all(cg_submitter *s, cg_ctx *ctx, struct req *r, const char *why)
{
	size_t i;
	cg_rc rc = CG_OK;

	for (i = 0; i < r->n && rc == CG_OK; i++) {
		int dead = 0;

		rc = cg_outbox_retry(s->ob, ctx, r->items[i].id, cg__ob_now(), s->o.max_attempts,
				     s->o.backoff_base_ms, s->o.backoff_cap_ms, why, &dead);
		s->stats.retried += !dead;
		s->stats.dead += dead;
	}
	return rc;
}

static cg_rc
give_up_all(cg_submitter *s, cg_ctx *ctx, struct req *r, const char *why)
{
	size_t i;
	cg_rc rc = CG_OK;

	for (i = 0; i < r->n && rc == CG_OK; i++)
		rc = cg_outbox_give_up(s->ob, ctx, r->items[i].id, why);
	s->stats.dead += (long long)r->n;
	return rc;
}

/* One result of a batch answer, recorded for its declaration. */
static cg_rc
record_result(cg_submitter *s, cg_ctx *ctx, const cg_outbox_item *it, json_t *res)
{
	const char *status = json_string_value(json_object_get(res, "status"));
	const char *rs = json_string_value(json_object_get(res, "returnStatus"));
	char *detail = json_dumps(res, JSON_COMPACT);
	cg_rc rc;

	if (status == NULL)
		status = "rejected";
	if (strcmp(status, "conflict") == 0 && rs == NULL)
		rs = "conflict";
	rc = detail != NULL ? cg_outbox_answer(s->ob, ctx, it->id, status, rs, detail) : CG_ENOMEM;
	if (strcmp(status, "accepted") == 0 || strcmp(status, "duplicate") == 0) {
		json_t *docs = json_object_get(res, "documents");
		size_t k;

		s->stats.acknowledged++;
		for (k = 0; k < json_array_size(docs); k++)
			s->stats.refused_docs += json_is_false(json_object_get(json_array_get(docs, k), "accepted"));
	}
	else {
		s->stats.rejected++;
	}
	free(detail);
	return rc;
}

static cg_rc
record_answer(cg_submitter *s, cg_ctx *ctx, struct req *r)
{
	json_t *root = json_loadb(r->resp.ptr != NULL ? r->resp.ptr : "", r->resp.len, 0, NULL);
	json_t *results = json_object_get(root, "results");
	size_t i;
	cg_rc rc;

	if (!json_is_array(results) || json_array_size(results) != r->n) {
		json_decref(root);
		return retry_all(s, ctx, r, "the answer did not have one result per declaration");
	}
	/* One transaction for the whole answer: one fsync instead of one per declaration. */
	rc = cg_outbox_begin(s->ob, ctx);
	for (i = 0; i < r->n && rc == CG_OK; i++)
		rc = record_result(s, ctx, &r->items[i], json_array_get(results, i));
	if (rc == CG_OK)
		rc = cg_outbox_commit(s->ob, ctx);
	else
		cg_outbox_rollback(s->ob);
	json_decref(root);
	return rc;
}

static void
error_text(const struct req *r, long code, char *out, size_t size)
{
	json_t *root = json_loadb(r->resp.ptr != NULL ? r->resp.ptr : "", r->resp.len, 0, NULL);
	const char *e = json_string_value(json_object_get(root, "error"));

	(void)snprintf(out, size, "HTTP %ld%s%.200s", code, e != NULL ? ": " : "",
		       e != NULL ? e : "");
	json_decref(root);
}

static cg_rc
finish(cg_submitter *s, cg_ctx *ctx, struct req *r, CURLcode res)
{
	char why[300];
	long code = 0;
	cg_rc rc;

	(void)curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &code);
	(void)curl_multi_remove_handle(s->multi, r->h);
	s->stats.requests++;
	if (res != CURLE_OK) {
		(void)snprintf(why, sizeof(why), "%s", r->err[0] != '\0' ? r->err
									  : curl_easy_strerror(res));
		rc = retry_all(s, ctx, r, why);
	} else if (code >= 500) {
		error_text(r, code, why, sizeof(why));
		rc = retry_all(s, ctx, r, why);
	} else if (code == 200) {
		rc = record_answer(s, ctx, r);
	} else {
		/* A client error is not cured by sending the same request again. */
		error_text(r, code, why, sizeof(why));
		rc = give_up_all(s, ctx, r, why);
	}
	req_clear(r);
	return rc;
}

static cg_rc
fill(cg_submitter *s, cg_ctx *ctx, int *in_flight)
{
	int i;
	cg_rc rc = CG_OK;

	*in_flight = 0;
	for (i = 0; i < s->nreq && rc == CG_OK; i++) {
		bool started = s->reqs[i].busy;

		if (!started)
			rc = start(s, ctx, &s->reqs[i], &started);
		*in_flight += started;
		if (!started)
			break; /* nothing more is due */
	}
	for (; i < s->nreq; i++)
		*in_flight += s->reqs[i].busy;
	return rc;
}

static cg_rc
completions(cg_submitter *s, cg_ctx *ctx)
{
	CURLMsg *m;
	int left;
	cg_rc rc = CG_OK;

	while (rc == CG_OK && (m = curl_multi_info_read(s->multi, &left)) != NULL) {
		struct req *r = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		(void)curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		if (r != NULL)
			rc = finish(s, ctx, r, m->data.result);
	}
	return rc;
}

/* Nothing in flight: sleep until the next retry is due, at most @p wait_ms. */
static cg_rc
idle(cg_submitter *s, cg_ctx *ctx, int wait_ms)
{
	long long due = -1;
	cg_rc rc = cg_outbox_next_due(s->ob, ctx, cg__ob_now(), &due);
	struct timespec ts;

	if (rc != CG_OK || due < 0 || wait_ms <= 0)
		return rc;
	if (due > wait_ms)
		due = wait_ms;
	ts.tv_sec = (time_t)(due / 1000);
	ts.tv_nsec = (long)(due % 1000) * 1000000L;
	(void)nanosleep(&ts, NULL);
	return CG_OK;
}

static cg_rc
http_run(cg_submitter *s, cg_ctx *ctx, int wait_ms, int *in_flight)
{
	int running = 0;
	cg_rc rc = fill(s, ctx, in_flight);

	if (rc != CG_OK)
		return rc;
	if (*in_flight == 0)
		return idle(s, ctx, wait_ms);
	if (curl_multi_perform(s->multi, &running) != CURLM_OK ||
	    curl_multi_poll(s->multi, NULL, 0, wait_ms, NULL) != CURLM_OK ||
	    curl_multi_perform(s->multi, &running) != CURLM_OK)
		return cg__fail(ctx, CG_ENET, "libcurl multi failed");
	rc = completions(s, ctx);
	if (rc == CG_OK)
		rc = fill(s, ctx, in_flight);
	return rc;
}

cg_rc
cg_submitter_run(cg_submitter *s, cg_ctx *ctx, int wait_ms, int *in_flight)
{
	*in_flight = 0;
	if (s->dir)
		return cg__dir_send(s->ob, ctx, s->path, &s->o, wait_ms, &s->stats);
	return http_run(s, ctx, wait_ms, in_flight);
}
