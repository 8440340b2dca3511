/* SPDX-License-Identifier: MIT */
/* A small JSON-over-HTTP call to the single window's API, for the demo's officer and logistics steps. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include "cli.h"

#define API_MAX (4u * 1024u * 1024u)

struct body {
	char *p;
	size_t n;
};

static size_t
collect(char *data, size_t size, size_t nmemb, void *payload)
{
	struct body *b = payload;
	size_t n = size * nmemb;
	char *p;

	if (nmemb != 0 && n / nmemb != size)
		return 0;
	if (b->n + n + 1 > API_MAX || (p = realloc(b->p, b->n + n + 1)) == NULL)
		return 0;
	memcpy(p + b->n, data, n);
	b->p = p;
	b->n += n;
	b->p[b->n] = '\0';
	return n;
}

int
cli_api(const char *method, const char *url, const char *token, const char *body, char **resp,
	long *code)
{
	struct body b = { NULL, 0 };
	struct curl_slist *h = NULL;
	char auth[1024];
	CURL *c = curl_easy_init();
	int ok;

	*resp = NULL;
	*code = 0;
	if (c == NULL || snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token) >= (int)sizeof(auth))
		ok = 0;
	else
		ok = (h = curl_slist_append(NULL, auth)) != NULL;
	ok = ok && curl_easy_setopt(c, CURLOPT_URL, url) == CURLE_OK &&
	     curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method) == CURLE_OK &&
	     curl_easy_setopt(c, CURLOPT_HTTPHEADER, h) == CURLE_OK &&
	     curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	     curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L) == CURLE_OK &&
	     curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 60000L) == CURLE_OK &&
	     curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect) == CURLE_OK &&
	     curl_easy_setopt(c, CURLOPT_WRITEDATA, &b) == CURLE_OK &&
	     (body == NULL || curl_easy_setopt(c, CURLOPT_POSTFIELDS, body) == CURLE_OK) &&
	     curl_easy_perform(c) == CURLE_OK &&
	     curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, code) == CURLE_OK;
	curl_slist_free_all(h);
	if (c != NULL)
		curl_easy_cleanup(c);
	if (!ok) {
		free(b.p);
		return -1;
	}
	*resp = b.p != NULL ? b.p : strdup("");
	return *resp != NULL ? 0 : -1;
}
