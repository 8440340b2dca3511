/* SPDX-License-Identifier: MIT */
/*
 * The receipt feed: one long-poll of the service's receipts after the saved
 * cursor, applied to the outbox together with the new cursor in one
 * transaction, so a crash neither loses a receipt nor applies one twice.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <curl/curl.h>
#include <jansson.h>
#include "cebgate/submit.h"
#include "declarant/submit_internal.h"

#define FEED_MAX (64u * 1024u * 1024u)
#define FEED_LIMIT 500

static cg_rc
get(cg_ctx *ctx, const cg_submit_options *o, long long after, int wait_s, cg_buf *out)
{
	char url[2300], auth[1100], err[CURL_ERROR_SIZE];
	struct curl_slist *hdrs = NULL;
	CURL *h = curl_easy_init();
	long code = 0;
	CURLcode res = CURLE_FAILED_INIT;
	cg_rc rc = h != NULL ? cg__http_setup(h, ctx, o, err) : CG_ENOMEM;

	if (rc == CG_OK &&
	    (snprintf(url, sizeof(url), "%s/api/v1/receipts?after=%lld&wait=%d&limit=%d", o->server,
		      after, wait_s, FEED_LIMIT) >= (int)sizeof(url) ||
	     snprintf(auth, sizeof(auth), "Authorization: Bearer %s", o->token) >= (int)sizeof(auth)))
		rc = cg__fail(ctx, CG_EINVAL, "server URL or token too long");
	if (rc == CG_OK && (hdrs = curl_slist_append(NULL, auth)) == NULL)
		rc = CG_ENOMEM;
	if (rc == CG_OK &&
	    (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
	     curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK ||
	     curl_easy_setopt(h, CURLOPT_WRITEDATA, out) != CURLE_OK ||
	     curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->timeout_ms + (long)wait_s * 1000L) !=
		     CURLE_OK))
		rc = cg__fail(ctx, CG_EINVAL, "cannot set up the request");
	if (rc == CG_OK)
		res = curl_easy_perform(h);
	if (rc == CG_OK && res != CURLE_OK)
		rc = cg__fail(ctx, CG_ENET, "%s: %s", o->server,
			      err[0] != '\0' ? err : curl_easy_strerror(res));
	if (rc == CG_OK && curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK &&
	    code != 200)
		rc = cg__fail(ctx, code >= 500 ? CG_ENET : CG_EINVAL, "%s: HTTP %ld", o->server, code);
	curl_slist_free_all(hdrs);
	if (h != NULL)
		curl_easy_cleanup(h);
	return rc;
}

static cg_rc
apply(cg_outbox *ob, cg_ctx *ctx, json_t *arr, cg_fetch_stats *st)
{
	size_t i;
	cg_rc rc = CG_OK;

	for (i = 0; i < json_array_size(arr) && rc == CG_OK; i++) {
		json_t *x = json_object_get(json_array_get(arr, i), "xml");
		int m = 0, d = 0;

		if (!json_is_string(x)) {
			st->unreadable++;
			continue;
		}
		rc = cg_outbox_receipt(ob, ctx, json_string_value(x), json_string_length(x), &m, &d);
		st->received++;
		if (rc == CG_EPARSE) {
			st->unreadable++;
			rc = CG_OK; /* kept nowhere: it names no declaration we could match */
		}
		st->matched += m;
		st->dups += d;
	}
	return rc;
}

static cg_rc
http_fetch(cg_outbox *ob, cg_ctx *ctx, const cg_submit_options *o, int wait_s, cg_fetch_stats *st)
{
	cg_buf body = CG_BUF_INIT(FEED_MAX);
	json_t *root = NULL, *next;
	long long after = 0;
	cg_rc rc;

	if (o->server == NULL || o->token == NULL)
		return cg__fail(ctx, CG_EINVAL, "the http channel needs a server URL and a token");
	rc = cg_outbox_cursor(ob, ctx, o->server, &after);
	if (rc == CG_OK)
		rc = get(ctx, o, after, wait_s, &body);
	if (rc == CG_OK)
		root = json_loadb(body.ptr != NULL ? body.ptr : "", body.len, 0, NULL);
	next = json_object_get(root, "next");
	if (rc == CG_OK && (!json_is_integer(next) || !json_is_array(json_object_get(root, "receipts"))))
		rc = cg__fail(ctx, CG_EPARSE, "%s: the receipt feed answered something else", o->server);
	if (rc == CG_OK)
		rc = cg_outbox_begin(ob, ctx);
	if (rc == CG_OK) {
		rc = apply(ob, ctx, json_object_get(root, "receipts"), st);
		if (rc == CG_OK)
			rc = cg_outbox_set_cursor(ob, ctx, o->server, json_integer_value(next));
		if (rc == CG_OK)
			rc = cg_outbox_commit(ob, ctx);
		else
			cg_outbox_rollback(ob);
	}
	json_decref(root);
	cg_buf_dispose(&body);
	return rc;
}

cg_rc
cg_receipts_fetch(cg_outbox *ob, cg_ctx *ctx, const cg_submit_options *o, int wait_s,
		  cg_fetch_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (o->channel != NULL && strncmp(o->channel, "dir:", 4) == 0) {
		char path[3072];
		cg_rc rc = cg__dir_init(ctx, o->channel + 4, path, sizeof(path));

		return rc == CG_OK ? cg__dir_fetch(ob, ctx, path, st) : rc;
	}
	return http_fetch(ob, ctx, o, wait_s, st);
}
