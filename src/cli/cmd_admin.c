/* SPDX-License-Identifier: MIT */
/*
 * cebgate admin --db FILE enterprise add COPCODE NAME ROLES [DXPID]
 * cebgate admin --db FILE cert add COPCODE CERT
 * cebgate admin --db FILE user add NAME ROLE [--enterprise COPCODE] (--pass-file F | --pass-env V)
 * cebgate admin --db FILE token new (--enterprise COPCODE | --user NAME)
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cebgate/registry.h"
#include "cli.h"

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: cebgate admin --db FILE|URI enterprise add COPCODE NAME ROLES [DXPID]\n"
		"       cebgate admin --db FILE cert add COPCODE CERT.pem\n"
		"       cebgate admin --db FILE user add NAME officer|admin|merchant|logistics\n"
		"                     [--enterprise COPCODE] (--pass-file F | --pass-env VAR)\n"
		"       cebgate admin --db FILE token new (--enterprise COPCODE | --user NAME)\n"
		"  ROLES: comma-separated among ebp, ebc, pay, logistics, agent\n"
		"  the token is printed once on stdout; only its hash is stored\n");
}

struct admin_args {
	const char *db, *enterprise, *user, *pass_file, *pass_env;
};

static int
run_admin(cg_registry *reg, cg_ctx *ctx, const struct admin_args *a, int argc, char **argv)
{
	char pass[1024], *token = NULL;
	cg_rc rc;

	if (argc >= 4 && strcmp(argv[0], "enterprise") == 0 && strcmp(argv[1], "add") == 0)
		rc = cg_registry_add_enterprise(reg, ctx, argv[2], argv[3], argc > 4 ? argv[4] : "",
					     argc > 5 ? argv[5] : NULL);
	else if (argc == 4 && strcmp(argv[0], "cert") == 0 && strcmp(argv[1], "add") == 0)
		rc = cg_registry_add_certificate(reg, ctx, argv[2], argv[3]);
	else if (argc == 4 && strcmp(argv[0], "user") == 0 && strcmp(argv[1], "add") == 0) {
		if (cli_passphrase(a->pass_file, a->pass_env, pass, sizeof(pass)) != 0 || pass[0] == '\0') {
			cli_err("the password comes from --pass-file or --pass-env");
			return CLI_USAGE;
		}
		rc = cg_registry_add_user(reg, ctx, argv[2], argv[3], a->enterprise, pass);
		memset(pass, 0, sizeof(pass));
	} else if (argc == 2 && strcmp(argv[0], "token") == 0 && strcmp(argv[1], "new") == 0) {
		rc = cg_registry_new_token(reg, ctx, a->enterprise, a->user, &token);
		if (rc == CG_OK)
			printf("%s\n", token);
		cg_free(token);
	} else {
		usage(stderr);
		return CLI_USAGE;
	}
	if (rc != CG_OK) {
		cli_err("%s", cg_ctx_errmsg(ctx));
		return rc == CG_EINVAL || rc == CG_ENOTFOUND || rc == CG_EEXIST ? CLI_INVALID : CLI_USAGE;
	}
	return CLI_OK;
}

int
cmd_admin(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },	       { "enterprise", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },      { "pass-file", required_argument, NULL, 'P' },
		{ "pass-env", required_argument, NULL, 'E' },  { "help", no_argument, NULL, 'h' },
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
	else
		status = run_admin(reg, ctx, &a, argc - optind, argv + optind);
	cg_registry_close(reg);
	cg_ctx_free(ctx);
	return status;
}
