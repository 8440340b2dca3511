/* SPDX-License-Identifier: MIT */
/*
 * cebgate admin --db FILE webhook add|list|remove|resend|deliveries: the
 * operator's side of pushed receipts (docs/webhooks.md). Enterprises use the
 * API with their token for the same.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cebgate/webhook.h"
#include "cli.h"
#include "help.h"

/* A whole number of at least @p min, or -1. */
static long long
cursor_arg(const char *s, long long min)
{
	char *end = NULL;
	long long v;

	if (s == NULL)
		return -1;
	v = strtoll(s, &end, 10);
	return end != s && *end == '\0' && v >= min ? v : -1;
}

static const char *
str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL ? v : "-";
}

static void
print_hooks(json_t *doc)
{
	json_t *rows = json_object_get(doc, "webhooks");
	size_t i;

	printf("id     enterprise         state    position pending attempts url\n");
	for (i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i);

		printf("%-6lld %-18s %-8s %8lld %7lld %8lld %s%s%s\n",
		       (long long)json_integer_value(json_object_get(r, "id")), str(r, "enterprise"), str(r, "state"),
		       (long long)json_integer_value(json_object_get(r, "position")),
		       (long long)json_integer_value(json_object_get(r, "pending")),
		       (long long)json_integer_value(json_object_get(r, "attempts")), str(r, "url"),
		       json_is_string(json_object_get(r, "lastError")) ? "  last error: " : "",
		       json_is_string(json_object_get(r, "lastError")) ? str(r, "lastError") : "");
	}
}

static void
print_deliveries(json_t *doc)
{
	json_t *rows = json_object_get(doc, "deliveries");
	size_t i;

	printf("cursor  attempt at                        status outcome    error\n");
	for (i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i);

		printf("%-7lld %-7lld %-25s %-6lld %-10s %s\n",
		       (long long)json_integer_value(json_object_get(r, "cursor")),
		       (long long)json_integer_value(json_object_get(r, "attempt")), str(r, "at"),
		       (long long)json_integer_value(json_object_get(r, "status")), str(r, "outcome"), str(r, "error"));
	}
}

/* The answer for people, or as the API's JSON document. */
static void
show(const char *verb, char *doc, int as_json)
{
	json_t *o = as_json ? NULL : json_loads(doc, 0, NULL);

	if (as_json || o == NULL)
		printf("%s\n", doc);
	else if (strcmp(verb, "list") == 0)
		print_hooks(o);
	else if (strcmp(verb, "deliveries") == 0)
		print_deliveries(o);
	else if (strcmp(verb, "add") == 0)
		/* The secret is shown this once: the endpoint verifies signatures with it. */
		printf("webhook %lld registered\nsecret %s\n", (long long)json_integer_value(json_object_get(o, "id")),
		       str(o, "secret"));
	else
		printf("webhook %lld %s from cursor %lld\n", (long long)json_integer_value(json_object_get(o, "id")),
		       strcmp(verb, "remove") == 0 ? "removed" : "active again",
		       (long long)json_integer_value(json_object_get(o, "position")) + 1);
	json_decref(o);
	cg_free(doc);
}

int
cli_admin_webhook(struct cg_registry *reg, cg_ctx *ctx, int as_json, const char *after, const char *from,
		  int argc, char **argv)
{
	const char *verb = argv[1];
	long long id = argc >= 3 ? cursor_arg(argv[2], 1) : -1;
	char *doc = NULL;
	cg_rc rc;

	if ((after != NULL && cursor_arg(after, 0) < 0) || (from != NULL && cursor_arg(from, 1) < 0)) {
		cli_err("--after and --from are receipt cursors (whole numbers)");
		return CLI_USAGE;
	}
	if (argc == 4 && strcmp(verb, "add") == 0)
		rc = cg_registry_webhook_add(reg, ctx, argv[2], argv[3], after != NULL ? cursor_arg(after, 0) : -1,
					     &doc);
	else if (argc == 2 && strcmp(verb, "list") == 0)
		rc = cg_registry_webhook_list(reg, ctx, &doc);
	else if (argc == 3 && id > 0 && strcmp(verb, "remove") == 0)
		rc = cg_registry_webhook_remove(reg, ctx, id, &doc);
	else if (argc == 3 && id > 0 && strcmp(verb, "resend") == 0)
		rc = cg_registry_webhook_resend(reg, ctx, id, from != NULL ? cursor_arg(from, 1) : 0, &doc);
	else if (argc == 3 && id > 0 && strcmp(verb, "deliveries") == 0)
		rc = cg_registry_webhook_deliveries(reg, ctx, id, 100, &doc);
	else {
		(void)help_print("cebgate admin", stderr);
		return CLI_USAGE;
	}
	if (rc != CG_OK) {
		cli_err("%s", cg_ctx_errmsg(ctx)[0] != '\0' ? cg_ctx_errmsg(ctx) : cg_strerror(rc));
		return rc == CG_EINVAL || rc == CG_ENOTFOUND || rc == CG_ECONFLICT ? CLI_INVALID : CLI_USAGE;
	}
	show(verb, doc, as_json);
	return CLI_OK;
}
