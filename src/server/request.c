/* SPDX-License-Identifier: MIT */
/* cebgated: decoding query values, path segments and JSON bodies (request.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "request.h"

long long
srv_parse_number(const char *v, long long dflt, long long max)
{
	char *end;
	long long n;

	if (v == NULL || *v == '\0')
		return dflt;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0)
		return -1;
	return n > max ? max : n;
}

long long
srv_parse_id(const char *s, const char **end)
{
	char *e;
	long long n;

	*end = s;
	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	n = strtoll(s, &e, 10);
	if (errno != 0 || n <= 0)
		return 0;
	*end = e;
	return n;
}

int
srv_is_json_type(const char *content_type)
{
	return content_type != NULL && strncmp(content_type, "application/json", 16) == 0;
}

json_t *
srv_parse_json_body(const char *body, size_t len)
{
	if (body == NULL || len == 0)
		return NULL;
	return json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
}

char *
srv_logistics_query_keys(const json_t *body)
{
	const json_t *list = json_is_array(body) ? body : json_object_get(body, "waybills");

	return list != NULL ? json_dumps(list, JSON_COMPACT) : NULL;
}

int
srv_logistics_keys(const char *code, const char *no, char *keys, size_t size)
{
	json_t *one = json_pack("[{s:s, s:s}]", "logisticsCode", code, "logisticsNo", no);
	char *txt = one != NULL ? json_dumps(one, JSON_COMPACT) : NULL;
	int ok = txt != NULL && strlen(txt) < size;

	if (ok)
		memcpy(keys, txt, strlen(txt) + 1);
	free(txt);
	json_decref(one);
	return ok ? 0 : -1;
}

/* Length of the segment at @p s (up to the next '/' or the end). */
static size_t
segment(const char *s)
{
	return strcspn(s, "/");
}

/* Match one "{name}" segment of the pattern against @p len bytes of the path. */
static int
capture(struct srv_params *out, const char *pat, size_t plen, const char *v, size_t len)
{
	if (len == 0 || len >= SRV_MAX_SEGMENT || out->n == SRV_MAX_PARAMS)
		return 0;
	out->name[out->n] = pat + 1;
	out->name_len[out->n] = plen - 2;
	memcpy(out->value[out->n], v, len);
	out->value[out->n][len] = '\0';
	out->n++;
	return 1;
}

int
srv_path_match(const char *pattern, const char *path, struct srv_params *out)
{
	out->n = 0;
	if (*pattern != '/' || *path != '/')
		return 0;
	while (*pattern == '/' && *path == '/') {
		size_t plen = segment(++pattern), len = segment(++path);
		int named = plen >= 2 && pattern[0] == '{' && pattern[plen - 1] == '}';

		if (named ? !capture(out, pattern, plen, path, len)
			  : plen != len || memcmp(pattern, path, len) != 0)
			return 0;
		pattern += plen;
		path += len;
	}
	return *pattern == '\0' && *path == '\0';
}

const char *
srv_param(const struct srv_params *p, const char *name)
{
	size_t n = strlen(name);
	int i;

	for (i = 0; i < p->n; i++) {
		if (p->name_len[i] == n && memcmp(p->name[i], name, n) == 0)
			return p->value[i];
	}
	return NULL;
}
