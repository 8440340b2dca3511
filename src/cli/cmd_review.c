/* SPDX-License-Identifier: MIT */
/*
 * cebgate review list|claim|show|decide: the officers' review queue from a
 * terminal, through the same HTTP API as the web page. The token comes from
 * --token-file or $CEBGATE_TOKEN, never from the command line (argv is
 * visible to every user of the machine).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <jansson.h>
#include "cli.h"
#include "help.h"

#define MAX_ANSWER (16 * 1024 * 1024)

struct opts {
	const char *url, *token_file, *state, *reason, *enterprise, *trade_mode, *min_age;
	const char *decision, *why;
	int json;
};

struct answer {
	char *buf;
	size_t len;
	int too_big;
};

static void
usage(FILE *out)
{
	(void)help_print("cebgate review", out);
}

static size_t
collect(char *data, size_t size, size_t n, void *payload)
{
	struct answer *a = payload;
	size_t add = size * n;
	char *p;

	if (a->len + add > MAX_ANSWER) {
		a->too_big = 1;
		return 0;
	}
	p = realloc(a->buf, a->len + add + 1);
	if (p == NULL)
		return 0;
	memcpy(p + a->len, data, add);
	a->buf = p;
	a->len += add;
	a->buf[a->len] = '\0';
	return add;
}

static int
read_token(const char *file, char *buf, size_t size)
{
	const char *env = getenv("CEBGATE_TOKEN");

	buf[0] = '\0';
	if (file != NULL) {
		FILE *fp = fopen(file, "r");

		if (fp == NULL || fgets(buf, (int)size, fp) == NULL) {
			if (fp != NULL)
				fclose(fp);
			return -1;
		}
		fclose(fp);
		buf[strcspn(buf, "\r\n")] = '\0';
	} else if (env != NULL) {
		(void)snprintf(buf, size, "%s", env);
	}
	return buf[0] != '\0' && strlen(buf) < size - 1 ? 0 : -1;
}

/* One request; the parsed JSON answer in *out (NULL when none), the HTTP status returned (-1: no answer). */
static long
call(const struct opts *o, const char *token, const char *method, const char *path, const char *body,
     json_t **out)
{
	char url[2048], auth[300];
	struct answer a = { NULL, 0, 0 };
	struct curl_slist *h = NULL;
	CURL *curl = curl_easy_init();
	long status = -1;

	*out = NULL;
	if (curl == NULL || snprintf(url, sizeof(url), "%s%s", o->url, path) >= (int)sizeof(url) ||
	    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token) >= (int)sizeof(auth)) {
		curl_easy_cleanup(curl);
		return -1;
	}
	h = curl_slist_append(h, auth);
	if (body != NULL)
		h = curl_slist_append(h, "Content-Type: application/json");
	if (h != NULL && curl_easy_setopt(curl, CURLOPT_URL, url) == CURLE_OK &&
	    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
	    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method) == CURLE_OK &&
	    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h) == CURLE_OK &&
	    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body != NULL ? body : "") == CURLE_OK &&
	    (strcmp(method, "GET") != 0 || curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L) == CURLE_OK) &&
	    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect) == CURLE_OK &&
	    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a) == CURLE_OK &&
	    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L) == CURLE_OK &&
	    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L) == CURLE_OK &&
	    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) == CURLE_OK && curl_easy_perform(curl) == CURLE_OK)
		(void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	else
		cli_err("cannot reach %s%s", o->url, a.too_big ? " (answer too large)" : "");
	if (status > 0 && a.buf != NULL)
		*out = json_loadb(a.buf, a.len, 0, NULL);
	free(a.buf);
	curl_slist_free_all(h);
	curl_easy_cleanup(curl);
	return status;
}

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static void
print_list(json_t *r)
{
	json_t *it;
	size_t i;

	printf("%-8s %-4s %-24s %-12s %-22s %-6s %-8s %s\n", "ID", "PRI", "REASON", "ENTERPRISE", "ORDER",
	       "MODE", "AGE(s)", "CLAIMED BY");
	json_array_foreach(json_object_get(r, "items"), i, it)
	{
		printf("%-8lld %-4lld %-24s %-12s %-22s %-6s %-8lld %s\n",
		       (long long)json_integer_value(json_object_get(it, "id")),
		       (long long)json_integer_value(json_object_get(it, "priority")), str(it, "reason"),
		       str(it, "ebcCode"), str(it, "orderNo"), str(it, "tradeMode"),
		       (long long)json_integer_value(json_object_get(it, "age")), str(it, "claimedBy"));
	}
	printf("%lld item(s)\n", (long long)json_integer_value(json_object_get(r, "count")));
}

static void
print_time(const char *label, json_t *secs)
{
	time_t t = (time_t)json_integer_value(secs);
	struct tm tm;
	char buf[32];

	/* cebgated sends moments as ISO 8601 with the server's offset. */
	if (json_is_string(secs)) {
		printf("%s%s\n", label, json_string_value(secs));
		return;
	}
	if (!json_is_integer(secs) || gmtime_r(&t, &tm) == NULL)
		return;
	(void)strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
	printf("%s%s\n", label, buf);
}

static void
print_show(json_t *r)
{
	json_t *rv = json_object_get(r, "review"), *x, *tax = json_object_get(r, "tax");
	size_t i;

	printf("inventory %lld  state %s  copNo %s\n", (long long)json_integer_value(json_object_get(r, "id")),
	       str(r, "state"), str(json_object_get(json_object_get(r, "inventory"), "h"), "copNo"));
	if (json_is_object(rv)) {
		printf("review: %s (priority %lld), held for %s\n", str(rv, "state"),
		       (long long)json_integer_value(json_object_get(rv, "priority")), str(rv, "reason"));
		if (*str(rv, "claimedBy") != '\0')
			printf("claimed by %s\n", str(rv, "claimedBy"));
		print_time("lease until ", json_object_get(rv, "leaseUntil"));
		json_array_foreach(json_object_get(rv, "rules"), i, x)
			printf("rule: %s — %s / %s\n", str(x, "code"), str(x, "zh"), str(x, "en"));
	}
	json_array_foreach(json_object_get(r, "comparison"), i, x)
	{
		const char *k;
		json_t *v;

		if (!json_is_true(json_object_get(x, "differs")))
			continue;
		printf("differs: %s:", str(x, "field"));
		json_object_foreach(json_object_get(x, "values"), k, v)
			printf(" %s=%s", k, json_string_value(v));
		printf("\n");
	}
	printf("tax recomputed %s, declared %s; buyer's quota %s used of %s\n", str(tax, "recomputed"),
	       str(tax, "declared"), str(json_object_get(tax, "quota"), "used"),
	       str(json_object_get(tax, "quota"), "limit"));
	json_array_foreach(json_object_get(r, "receipts"), i, x)
		printf("receipt %s\n", str(x, "returnStatus"));
	json_array_foreach(json_object_get(r, "audit"), i, x)
		printf("audit: %s %s %s\n", str(x, "actor"), str(x, "action"), str(x, "detail"));
}

static long long
parse_id(const char *s)
{
	char *end;
	long long id;

	errno = 0;
	id = s != NULL ? strtoll(s, &end, 10) : 0;
	return s != NULL && errno == 0 && *end == '\0' && id > 0 ? id : 0;
}

/* The path of the list request, its filters URL-encoded. */
static int
list_path(const struct opts *o, char *path, size_t size)
{
	const char *keys[] = { "state", "reason", "enterprise", "tradeMode", "minAge" };
	const char *vals[] = { o->state, o->reason, o->enterprise, o->trade_mode, o->min_age };
	size_t i, n;
	CURL *curl = curl_easy_init();

	if (curl == NULL)
		return -1;
	n = (size_t)snprintf(path, size, "/api/v1/review");
	for (i = 0; i < 5 && n < size; i++) {
		char *e;

		if (vals[i] == NULL)
			continue;
		e = curl_easy_escape(curl, vals[i], 0);
		if (e == NULL)
			break;
		n += (size_t)snprintf(path + n, size - n, "%c%s=%s", strchr(path, '?') ? '&' : '?', keys[i], e);
		curl_free(e);
	}
	curl_easy_cleanup(curl);
	return i == 5 && n < size ? 0 : -1;
}

static int
run(const struct opts *o, const char *token, int argc, char **argv)
{
	char path[1024], *body = NULL;
	long long id = argc > 1 ? parse_id(argv[1]) : 0;
	json_t *r = NULL;
	long status;
	int show_json = o->json;

	if (strcmp(argv[0], "list") == 0 && argc == 1) {
		if (list_path(o, path, sizeof(path)) != 0)
			return CLI_USAGE;
		status = call(o, token, "GET", path, NULL, &r);
	} else if (strcmp(argv[0], "claim") == 0 && argc == 2 && id > 0) {
		(void)snprintf(path, sizeof(path), "/api/v1/review/%lld/claim", id);
		status = call(o, token, "POST", path, NULL, &r);
		show_json = 1;
	} else if (strcmp(argv[0], "show") == 0 && argc == 2 && id > 0) {
		(void)snprintf(path, sizeof(path), "/api/v1/declarations/%lld", id);
		status = call(o, token, "GET", path, NULL, &r);
	} else if (strcmp(argv[0], "decide") == 0 && argc == 2 && id > 0 && o->decision != NULL &&
		   o->why != NULL) {
		json_t *b = json_pack("{s:s, s:s}", "decision", o->decision, "reason", o->why);

		body = b != NULL ? json_dumps(b, JSON_COMPACT) : NULL;
		json_decref(b);
		(void)snprintf(path, sizeof(path), "/api/v1/review/%lld/decide", id);
		status = body != NULL ? call(o, token, "POST", path, body, &r) : -1;
		free(body);
		show_json = 1;
	} else {
		usage(stderr);
		return CLI_USAGE;
	}
	if (status < 0) {
		json_decref(r);
		return CLI_USAGE;
	}
	if (status != 200) {
		cli_err("refused (%ld): %s", status, str(r, "error"));
		json_decref(r);
		return CLI_INVALID;
	}
	if (show_json) {
		char *txt = json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		printf("%s\n", txt != NULL ? txt : "{}");
		free(txt);
	} else if (strcmp(argv[0], "list") == 0) {
		print_list(r);
	} else {
		print_show(r);
	}
	json_decref(r);
	return CLI_OK;
}

int
cmd_review(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 'u' },	{ "token-file", required_argument, NULL, 't' },
		/* The old name of --server, kept for one release. */
		{ "url", required_argument, NULL, 'u' },
		{ "state", required_argument, NULL, 's' },	{ "reason", required_argument, NULL, 'r' },
		{ "enterprise", required_argument, NULL, 'e' }, { "trade-mode", required_argument, NULL, 'm' },
		{ "min-age", required_argument, NULL, 'a' },	{ "decision", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	char token[256];
	int c, rc;

	o.url = getenv("CEBGATE_URL") != NULL ? getenv("CEBGATE_URL") : "http://127.0.0.1:8080";
	/* --reason is the risk-reason filter of list and the decision's reason of decide. */
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'u': o.url = optarg; break;
		case 't': o.token_file = optarg; break;
		case 's': o.state = optarg; break;
		case 'r': o.reason = o.why = optarg; break;
		case 'e': o.enterprise = optarg; break;
		case 'm': o.trade_mode = optarg; break;
		case 'a': o.min_age = optarg; break;
		case 'd': o.decision = optarg; break;
		case 'j': o.json = 1; break;
		case 'h': usage(stdout); return CLI_OK;
		default: usage(stderr); return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (read_token(o.token_file, token, sizeof(token)) != 0) {
		cli_err("no token: use --token-file F or $CEBGATE_TOKEN");
		return CLI_USAGE;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return CLI_USAGE;
	rc = run(&o, token, argc - optind, argv + optind);
	curl_global_cleanup();
	memset(token, 0, sizeof(token));
	return rc;
}
