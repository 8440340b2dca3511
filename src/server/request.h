/* SPDX-License-Identifier: MIT */
/*
 * cebgated: decoding what a client sends (query values, path segments, JSON
 * bodies), apart from libmicrohttpd so that it can be tested and fuzzed
 * without a socket (fuzz/fuzz_http.c). Every input here is hostile.
 */
#ifndef SRV_REQUEST_H
#define SRV_REQUEST_H

#include <stddef.h>
#include <jansson.h>

/*
 * A query value as a whole decimal number: @p dflt when absent or empty,
 * capped at @p max, -1 when it is not a whole non-negative number.
 */
long long srv_parse_number(const char *v, long long dflt, long long max);

/* A positive decimal id at the start of @p s; *end after it. 0 when there is none. */
long long srv_parse_id(const char *s, const char **end);

/* True for a Content-Type that announces a JSON batch. */
int srv_is_json_type(const char *content_type);

/* A JSON request body (duplicate keys refused); NULL when empty or not JSON. */
json_t *srv_parse_json_body(const char *body, size_t len);

/*
 * The waybill list of POST /api/v1/logistics/query ({"waybills": [...]} or a
 * bare array) as compact JSON text (free()), or NULL when there is none.
 */
char *srv_logistics_query_keys(const json_t *body);

/*
 * GET /api/v1/logistics/{code}/{no}: the key list [{"logisticsCode", "logisticsNo"}]
 * written to @p keys; -1 when it does not fit.
 */
int srv_logistics_keys(const char *code, const char *no, char *keys, size_t size);

#define SRV_MAX_PARAMS 4
#define SRV_MAX_SEGMENT 128

/* The named segments of a path that matched a pattern, in the pattern's order. */
struct srv_params {
	int n;
	const char *name[SRV_MAX_PARAMS]; /* into the pattern, ending at '}' */
	size_t name_len[SRV_MAX_PARAMS];
	char value[SRV_MAX_PARAMS][SRV_MAX_SEGMENT];
};

/*
 * Whether @p path matches @p pattern segment by segment: a literal segment
 * exactly, "{name}" any one non-empty segment of at most SRV_MAX_SEGMENT - 1
 * bytes, kept in @p out. 1 on a match, 0 otherwise (@p out then undefined).
 */
int srv_path_match(const char *pattern, const char *path, struct srv_params *out);

/* The value of the named segment @p name, or NULL. */
const char *srv_param(const struct srv_params *p, const char *name);

#endif
