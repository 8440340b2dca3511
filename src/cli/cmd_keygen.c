/* SPDX-License-Identifier: MIT */
/*
 * cebgate keygen (--sm2 | --rsa) --key KEY --cert CERT [--cn NAME] [--serial HEX] [--days N]
 * A self-signed identity for demonstrations and tests; real declarations are
 * signed with certificates of the China E-Port CA.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "help.h"

static void
usage(FILE *out)
{
	(void)help_print("cebgate keygen", out);
}

int
cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sm2", no_argument, NULL, 's' },	  { "rsa", no_argument, NULL, 'r' },
		{ "key", required_argument, NULL, 'k' },  { "cert", required_argument, NULL, 'c' },
		{ "cn", required_argument, NULL, 'n' },	  { "serial", required_argument, NULL, 'S' },
		{ "days", required_argument, NULL, 'd' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *key = NULL, *cert = NULL, *cn = "cebgate test";
	unsigned long long serial = 0x01;
	long days = 30;
	int c, kind = -1, status = CLI_USAGE;
	cg_ctx *ctx = NULL;
	char *end;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': kind = 1; break;
		case 'r': kind = 0; break;
		case 'k': key = optarg; break;
		case 'c': cert = optarg; break;
		case 'n': cn = optarg; break;
		case 'S':
			serial = strtoull(optarg, &end, 16);
			if (*optarg == '\0' || *end != '\0') {
				usage(stderr);
				return CLI_USAGE;
			}
			break;
		case 'd':
			days = strtol(optarg, &end, 10);
			if (*end != '\0' || days < 1 || days > 3650) {
				usage(stderr);
				return CLI_USAGE;
			}
			break;
		case 'h': usage(stdout); return CLI_OK;
		default: usage(stderr); return CLI_USAGE;
		}
	}
	if (kind < 0 || key == NULL || cert == NULL || optind != argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (cg_ctx_new(&ctx) != CG_OK)
		return CLI_USAGE;
	if (cg_make_demo_identity(ctx, kind, cn, serial, (int)days, key, cert) != CG_OK)
		cli_err("%s", cg_ctx_errmsg(ctx));
	else
		status = CLI_OK;
	cg_ctx_free(ctx);
	return status;
}
