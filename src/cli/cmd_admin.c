/* SPDX-License-Identifier: MIT */
/*
 * cebgate admin --db FILE enterprise add|list|disable|enable ...
 * cebgate admin --db FILE cert add|list|revoke ...
 * cebgate admin --db FILE user add|list|disable|enable ...
 * cebgate admin --db FILE token new|list|revoke ...
 * The operator's registry on the database file; every change that takes
 * access back is in the audit trail under "operator:LOGIN".
 */
#include "config.h"

#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "cebgate/registry.h"
#include "cli.h"
#include "help.h"

static void
usage(FILE *out)
{
	(void)help_print("cebgate admin", out);
}

struct admin_args {
	const char *db, *enterprise, *user, *pass_file, *pass_env, *expires, *after, *from;
	int json;
};

/* "tokens" and "token" alike: the singular. */
static void
noun(char *out, size_t size, const char *word)
{
	size_t n = strlen(word);

	(void)snprintf(out, size, "%s", word);
	if (n > 1 && n < size && out[n - 1] == 's')
		out[n - 1] = '\0';
}

/* A time of the registry as the answer gives it (ISO 8601 with offset); "-" for none. */
static const char *
when(json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "-";
}

static const char *
text(json_t *row, const char *key)
{
	const char *v = json_string_value(json_object_get(row, key));

	return v != NULL ? v : "-";
}

/* One line per row, the columns of @p what, for people; --json gives the API's document. */
static void
print_rows(const char *what, json_t *rows)
{
	size_t i;

	for (i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i);

		if (strcmp(what, "tokens") == 0)
			printf("%-6lld %-8s %-24s %-25s %-25s %-25s %s\n",
			       (long long)json_integer_value(json_object_get(r, "id")), text(r, "prefix"),
			       json_is_string(json_object_get(r, "enterprise")) ? text(r, "enterprise")
										 : text(r, "user"),
			       when(json_object_get(r, "created")), when(json_object_get(r, "expires")),
			       when(json_object_get(r, "lastUsed")), text(r, "state"));
		else if (strcmp(what, "users") == 0)
			printf("%-24s %-10s %-18s %s\n", text(r, "name"), text(r, "role"), text(r, "enterprise"),
			       json_is_true(json_object_get(r, "disabled")) ? "disabled" : "active");
		else if (strcmp(what, "enterprises") == 0)
			printf("%-18s %-24s %-7s %s\n", text(r, "copCode"), text(r, "roles"),
			       json_is_true(json_object_get(r, "disabled")) ? "disabled" : "active",
			       text(r, "name"));
		else
			printf("%-18s %-34s %-25s %s\n", text(r, "enterprise"), text(r, "serial"),
			       when(json_object_get(r, "notAfter")),
			       json_is_string(json_object_get(r, "revoked")) ? when(json_object_get(r, "revoked"))
									    : "in force");
	}
}

static const char *
list_header(const char *what)
{
	if (strcmp(what, "tokens") == 0)
		return "id     prefix   owner                    created                   expires                   "
		       "last used                 state";
	if (strcmp(what, "users") == 0)
		return "name                     role       enterprise         state";
	if (strcmp(what, "enterprises") == 0)
		return "copCode            roles                    state   name";
	return "enterprise         serial                             notAfter                  revoked";
}

static cg_rc
list(cg_registry *reg, cg_ctx *ctx, const char *what, int as_json)
{
	char *doc = NULL;
	json_t *o;
	cg_rc rc = cg_registry_list(reg, ctx, what, &doc);

	if (rc != CG_OK)
		return rc;
	if (as_json) {
		/* Exactly one document: the admin API's answer. */
		fputs(doc, stdout);
		if (doc[0] != '\0' && doc[strlen(doc) - 1] != '\n')
			putchar('\n');
	} else if ((o = json_loads(doc, 0, NULL)) != NULL) {
		printf("%s\n", list_header(what));
		print_rows(what, json_object_get(o, what));
		json_decref(o);
	}
	cg_free(doc);
	return CG_OK;
}

/* A change's answer: one line for people, the JSON document with --json. */
static void
changed(char *doc, int as_json, const char *line)
{
	if (as_json)
		printf("%s\n", doc);
	else
		printf("%s\n", line);
	cg_free(doc);
}

static cg_rc
new_token(cg_registry *reg, cg_ctx *ctx, const struct admin_args *a)
{
	long long until = 0;
	char *token = NULL;
	cg_rc rc;

	if (a->expires != NULL && cg_parse_expiry(a->expires, &until) != CG_OK) {
		cli_err("--expires is a date (2027-06-30) or a time with its offset (2027-06-30T18:00:00+08:00)");
		return CG_EINVAL;
	}
	rc = cg_registry_new_token_until(reg, ctx, a->enterprise, a->user, until, &token);
	if (rc == CG_OK)
		printf("%s\n", token);
	cg_free(token);
	return rc;
}

/* list, disable, enable, revoke: taking access back. */
static int
run_access(cg_registry *reg, cg_ctx *ctx, const struct admin_args *a, const char *what, int argc,
	   char **argv, cg_rc *rc)
{
	char *doc = NULL, line[200];

	if (argc == 2 && strcmp(argv[1], "list") == 0 &&
	    (strcmp(what, "cert") == 0 || strcmp(what, "user") == 0 || strcmp(what, "token") == 0 ||
	     strcmp(what, "enterprise") == 0)) {
		*rc = list(reg, ctx, strcmp(what, "cert") == 0 ? "certificates" : strcmp(what, "user") == 0 ? "users"
				     : strcmp(what, "token") == 0 ? "tokens" : "enterprises", a->json);
	} else if (argc == 3 && (strcmp(what, "user") == 0 || strcmp(what, "enterprise") == 0) &&
		   (strcmp(argv[1], "disable") == 0 || strcmp(argv[1], "enable") == 0)) {
		int off = strcmp(argv[1], "disable") == 0;

		*rc = cg_registry_set_disabled(reg, ctx, strcmp(what, "user") == 0 ? "users" : "enterprises",
					       argv[2], off, &doc);
		(void)snprintf(line, sizeof(line), "%s %s %s", what, argv[2], off ? "disabled" : "enabled");
	} else if (argc == 3 && strcmp(what, "token") == 0 && strcmp(argv[1], "revoke") == 0) {
		*rc = cg_registry_revoke_token(reg, ctx, argv[2], &doc);
		(void)snprintf(line, sizeof(line), "token %s revoked", argv[2]);
	} else if (argc == 4 && strcmp(what, "cert") == 0 && strcmp(argv[1], "revoke") == 0) {
		*rc = cg_registry_revoke_certificate(reg, ctx, argv[2], argv[3], &doc);
		(void)snprintf(line, sizeof(line), "certificate %s of %s revoked", argv[3], argv[2]);
	} else {
		return 0;
	}
	if (doc != NULL)
		changed(doc, a->json, line);
	return 1;
}

/* audit verify, audit anchor: the report, or one line for people. */
static int
run_audit(cg_registry *reg, cg_ctx *ctx, const struct admin_args *a, const char *verb)
{
	char *doc = NULL;
	json_t *r;
	cg_rc rc = strcmp(verb, "verify") == 0 ? cg_registry_audit_verify(reg, ctx, &doc)
					       : cg_registry_audit_anchor(reg, ctx, &doc);

	if (doc == NULL) {
		cli_err("%s", cg_ctx_errmsg(ctx)[0] != '\0' ? cg_ctx_errmsg(ctx) : cg_strerror(rc));
		return CLI_USAGE;
	}
	r = json_loads(doc, 0, NULL);
	if (a->json)
		printf("%s\n", doc);
	else if (strcmp(verb, "anchor") == 0)
		printf("%s\n", json_is_true(json_object_get(r, "anchored")) ? "anchor written"
									: "no record since the last anchor");
	else if (rc == CG_OK)
		printf("audit trail ok: %lld records in %lld chains, %lld anchors\n",
		       (long long)json_integer_value(json_object_get(r, "records")),
		       (long long)json_integer_value(json_object_get(r, "chains")),
		       (long long)json_integer_value(json_object_get(r, "anchors")));
	if (rc != CG_OK)
		cli_err("audit trail broken: %s", json_string_value(json_object_get(r, "broken")) != NULL
							  ? json_string_value(json_object_get(r, "broken"))
							  : "?");
	json_decref(r);
	cg_free(doc);
	return rc == CG_OK ? CLI_OK : CLI_INVALID;
}

static int
run_admin(cg_registry *reg, cg_ctx *ctx, const struct admin_args *a, int argc, char **argv)
{
	char pass[1024], what[16];
	cg_rc rc;

	noun(what, sizeof(what), argv[0]);
	if (argc == 2 && strcmp(what, "audit") == 0 &&
	    (strcmp(argv[1], "verify") == 0 || strcmp(argv[1], "anchor") == 0))
		return run_audit(reg, ctx, a, argv[1]);
	if (argc >= 4 && strcmp(what, "enterprise") == 0 && strcmp(argv[1], "add") == 0)
		rc = cg_registry_add_enterprise(reg, ctx, argv[2], argv[3], argc > 4 ? argv[4] : "",
					     argc > 5 ? argv[5] : NULL);
	else if (argc == 4 && strcmp(what, "cert") == 0 && strcmp(argv[1], "add") == 0)
		rc = cg_registry_add_certificate(reg, ctx, argv[2], argv[3]);
	else if (argc == 4 && strcmp(what, "user") == 0 && strcmp(argv[1], "add") == 0) {
		if (cli_passphrase(a->pass_file, a->pass_env, pass, sizeof(pass)) != 0 || pass[0] == '\0') {
			cli_err("the password comes from --pass-file or --pass-env");
			return CLI_USAGE;
		}
		rc = cg_registry_add_user(reg, ctx, argv[2], argv[3], a->enterprise, pass);
		memset(pass, 0, sizeof(pass));
	} else if (argc == 2 && strcmp(what, "token") == 0 && strcmp(argv[1], "new") == 0) {
		rc = new_token(reg, ctx, a);
	} else if (argc >= 2 && strcmp(what, "webhook") == 0) {
		return cli_admin_webhook(reg, ctx, a->json, a->after, a->from, argc, argv);
	} else if (argc >= 2 && run_access(reg, ctx, a, what, argc, argv, &rc)) {
		/* done */
	} else {
		usage(stderr);
		return CLI_USAGE;
	}
	if (rc != CG_OK) {
		cli_err("%s", cg_ctx_errmsg(ctx)[0] != '\0' ? cg_ctx_errmsg(ctx) : cg_strerror(rc));
		return rc == CG_EINVAL || rc == CG_ENOTFOUND || rc == CG_EEXIST ? CLI_INVALID : CLI_USAGE;
	}
	return CLI_OK;
}

/* The audit trail names the operator by login: "operator:NAME". */
static void
set_actor(cg_registry *reg)
{
	struct passwd *pw = getpwuid(geteuid());
	char actor[80];

	(void)snprintf(actor, sizeof(actor), "operator:%s", pw != NULL ? pw->pw_name : "unknown");
	cg_registry_set_actor(reg, actor);
}

int
cmd_admin(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },	       { "enterprise", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },      { "pass-file", required_argument, NULL, 'P' },
		{ "pass-env", required_argument, NULL, 'E' },  { "help", no_argument, NULL, 'h' },
		{ "expires", required_argument, NULL, 'x' },   { "json", no_argument, NULL, 'j' },
		{ "after", required_argument, NULL, 'A' },     { "from", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 }
	};
	struct admin_args a = { 0 };
	cg_registry *reg = NULL;
	cg_ctx *ctx = NULL;
	int c, status = CLI_USAGE;

	/* GNU getopt permutes: options may come before or after the verb. */
	while ((c = getopt_long(argc, argv, "d:e:u:P:E:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a.db = optarg; break;
		case 'e': a.enterprise = optarg; break;
		case 'u': a.user = optarg; break;
		case 'P': a.pass_file = optarg; break;
		case 'E': a.pass_env = optarg; break;
		case 'x': a.expires = optarg; break;
		case 'j': a.json = 1; break;
		case 'A': a.after = optarg; break;
		case 'F': a.from = optarg; break;
		case 'h': usage(stdout); return CLI_OK;
		default: usage(stderr); return CLI_USAGE;
		}
	}
	if (a.db == NULL || optind >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (cg_ctx_new(&ctx) != CG_OK)
		return CLI_USAGE;
	if (cg_registry_open(&reg, ctx, a.db) != CG_OK)
		cli_err("%s", cg_ctx_errmsg(ctx));
	else {
		set_actor(reg);
		status = run_admin(reg, ctx, &a, argc - optind, argv + optind);
	}
	cg_registry_close(reg);
	cg_ctx_free(ctx);
	return status;
}
