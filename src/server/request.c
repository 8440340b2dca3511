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
srv_logistics_path_keys(const char *rest, char *keys, size_t size)
{
	const char *slash = strchr(rest, '/');
	json_t *one;
	char *txt;
	int ok;

	if (slash == NULL || slash == rest || strchr(slash + 1, '/') != NULL)
		return -1;
	one = json_pack("[{s:s%, s:s}]", "logisticsCode", rest, (size_t)(slash - rest), "logisticsNo",
			slash + 1);
	txt = one != NULL ? json_dumps(one, JSON_COMPACT) : NULL;
	ok = txt != NULL && strlen(txt) < size;
	if (ok)
		memcpy(keys, txt, strlen(txt) + 1);
	free(txt);
	json_decref(one);
	return ok ? 0 : -1;
}
