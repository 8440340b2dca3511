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
 * GET /api/v1/logistics/CODE/NO: the key list [{"logisticsCode", "logisticsNo"}]
 * written to @p keys; -1 when @p rest is not CODE/NO or the list does not fit.
 */
int srv_logistics_path_keys(const char *rest, char *keys, size_t size);

#endif
