/* SPDX-License-Identifier: MIT */
/*
 * GET /api/v1/openapi.json: the OpenAPI 3.1 description of cebgated, built
 * from the route table. Each route's own words (summary, parameters, body,
 * responses and their schemas) are in src/server/openapi.json under the
 * route's pattern and method, compiled into the program; what the table
 * already knows is added here and never written twice: the path parameters
 * of the pattern, who may call (x-roles, security) and the 401/403 of a
 * route behind a login. A route without its description is still listed,
 * marked x-undescribed, so tests/e2e/openapi.sh names it.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "answer.h"
#include "routes.h"

/* The descriptions, as written in src/server/openapi.json (generated openapi_text.c). */
extern const unsigned char srv_openapi_source[];
extern const size_t srv_openapi_source_len;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char *document; /* built once: the route table and the descriptions never change */

/* "get" of "GET": OpenAPI's operations are named in lower case. */
static void
lower(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < size; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

/* Whether @p op declares the path parameter @p name itself (with its own words). */
static int
declares(json_t *op, const char *name)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(op, "parameters"), i, p) {
		const char *n = json_string_value(json_object_get(p, "name"));
		const char *in = json_string_value(json_object_get(p, "in"));

		if (n != NULL && in != NULL && strcmp(n, name) == 0 && strcmp(in, "path") == 0)
			return 1;
	}
	return 0;
}

/* Every {name} of @p pattern as a required path parameter, unless the description has it. */
static void
add_path_parameters(json_t *op, const char *pattern)
{
	const char *p = pattern, *open, *close;
	char name[64];

	while ((open = strchr(p, '{')) != NULL && (close = strchr(open, '}')) != NULL) {
		p = close + 1;
		if ((size_t)(close - open - 1) >= sizeof(name))
			continue;
		memcpy(name, open + 1, (size_t)(close - open - 1));
		name[close - open - 1] = '\0';
		if (declares(op, name))
			continue;
		if (json_object_get(op, "parameters") == NULL)
			json_object_set_new(op, "parameters", json_array());
		json_array_append_new(json_object_get(op, "parameters"),
				      json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in", "path",
						"required", 1, "schema", "type", "string"));
	}
}

/* Who may call: x-roles, security, and the refusals of a route behind a login. */
static void
add_access(json_t *op, const struct srv_route *route)
{
	static const cg_role order[] = { CG_ROLE_ENTERPRISE, CG_ROLE_MERCHANT, CG_ROLE_LOGISTICS,
					 CG_ROLE_OFFICER, CG_ROLE_ADMIN };
	json_t *roles = json_array(), *responses;
	size_t i;

	if (srv_route_is_public(route)) {
		json_array_append_new(roles, json_string("public"));
		json_object_set_new(op, "x-roles", roles);
		json_object_set_new(op, "security", json_array());
		return;
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (srv_route_allows(route, order[i]))
			json_array_append_new(roles, json_string(cg_role_name(order[i])));
	}
	json_object_set_new(op, "x-roles", roles);
	json_object_set_new(op, "security", json_pack("[{s:[]}, {s:[]}]", "bearerToken", "sessionCookie"));
	responses = json_object_get(op, "responses");
	if (!json_is_object(responses)) {
		responses = json_object();
		json_object_set_new(op, "responses", responses);
	}
	if (json_object_get(responses, "401") == NULL)
		json_object_set_new(responses, "401", json_pack("{s:s}", "$ref", "#/components/responses/Unauthorized"));
	if (json_object_get(responses, "403") == NULL)
		json_object_set_new(responses, "403", json_pack("{s:s}", "$ref", "#/components/responses/Forbidden"));
}

/* The operation of @p route: its description (a copy) with what the table knows added. */
static json_t *
operation(json_t *described, const struct srv_route *route)
{
	char method[16];
	json_t *op;

	lower(route->method, method, sizeof(method));
	op = json_deep_copy(json_object_get(json_object_get(described, route->pattern), method));
	if (!json_is_object(op)) {
		json_decref(op);
		op = json_pack("{s:s, s:b}", "summary", "", "x-undescribed", 1);
	}
	add_path_parameters(op, route->pattern);
	add_access(op, route);
	return op;
}

/* The whole document: the source's head and components, paths from the route table. */
static json_t *
build(void)
{
	json_error_t err;
	json_t *doc = json_loadb((const char *)srv_openapi_source, srv_openapi_source_len, 0, &err);
	json_t *described, *paths = json_object();
	size_t i;

	if (doc == NULL) {
		json_decref(paths);
		return NULL;
	}
	described = json_incref(json_object_get(doc, "paths"));
	for (i = 0; i < srv_route_count(); i++) {
		const struct srv_route *route = srv_route_at(i);
		char method[16];

		if (json_object_get(paths, route->pattern) == NULL)
			json_object_set_new(paths, route->pattern, json_object());
		lower(route->method, method, sizeof(method));
		json_object_set_new(json_object_get(paths, route->pattern), method, operation(described, route));
	}
	json_decref(described);
	json_object_set_new(doc, "paths", paths);
	json_object_set_new(json_object_get(doc, "info"), "version", json_string(PACKAGE_VERSION));
	return doc;
}

static void
build_once(void)
{
	json_t *doc = build();

	document = doc != NULL ? json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
}

enum MHD_Result
srv_openapi(struct srv_call *call)
{
	(void)pthread_once(&once, build_once);
	if (document == NULL)
		return srv_reply_error(call->c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	return srv_reply(call->c, MHD_HTTP_OK, SRV_JSON, document, strlen(document), NULL);
}
