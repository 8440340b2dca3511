/* SPDX-License-Identifier: MIT */
/*
 * cebgate dxp wrap --sender-id ID [--receiver-id R] [--copmsgid X] [--creat-time T] IN [-o OUT]
 * cebgate dxp unwrap IN [-o OUT]
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "help.h"

#define READ_MAX (16u * 1024u * 1024u + 1u)

static void
usage(FILE *out)
{
	(void)help_print("cebgate dxp", out);
}

static int
emit(const char *path, const char *data, size_t len)
{
	FILE *fp = path != NULL ? fopen(path, "wb") : stdout;
	int ok;

	if (fp == NULL)
		return -1;
	ok = fwrite(data, 1, len, fp) == len;
	if (fp != stdout)
		ok = fclose(fp) == 0 && ok;
	return ok ? 0 : -1;
}

static int
unwrap(cg_ctx *ctx, const char *in, const char *data, size_t len, const char *out)
{
	cg_validator *v = NULL;
	cg_findings *f = NULL;
	cg_dxp_message m;
	cg_report_file file = { in, "DxpMsg", NULL };
	int status = CLI_USAGE;

	if (cg_findings_new(&f) != CG_OK || cg_validator_new(&v, ctx, NULL, 0) != CG_OK)
		goto out;
	if (cg_dxp_unwrap(v, ctx, data, len, in, f, &m) != CG_OK)
		goto out;
	if (m.data == NULL) {
		(void)cg_report_text(stderr, &file, 1, f, 0);
		status = CLI_INVALID;
		goto out;
	}
	fprintf(stderr, "CopMsgId %s\nSenderId %s\nReceiverId %s\nCreatTime %s\nMsgType %s\n",
		m.copmsgid, m.sender_id, m.receiver_id != NULL ? m.receiver_id : "",
		m.creat_time != NULL ? m.creat_time : "", m.msg_type);
	status = emit(out, m.data, m.data_len) == 0 ? CLI_OK : CLI_USAGE;
	cg_dxp_message_dispose(&m);
out:
	if (status == CLI_USAGE && cg_ctx_errmsg(ctx)[0] != '\0')
		cli_err("%s", cg_ctx_errmsg(ctx));
	cg_validator_free(v);
	cg_findings_free(f);
	return status;
}

int
cmd_dxp(int argc, char **argv)
{
	static const struct option opts[] = { { "sender-id", required_argument, NULL, 's' },
					      { "receiver-id", required_argument, NULL, 'r' },
					      { "copmsgid", required_argument, NULL, 'c' },
					      { "creat-time", required_argument, NULL, 't' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	cg_dxp_options d = { NULL, NULL, NULL, NULL };
	const char *out = NULL, *verb;
	char *data = NULL, *env = NULL;
	size_t len = 0, elen = 0;
	cg_ctx *ctx = NULL;
	int c, status = CLI_USAGE;
	cg_rc rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	verb = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "s:r:c:t:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': d.sender_id = optarg; break;
		case 'r': d.receiver_id = optarg; break;
		case 'c': d.copmsgid = optarg; break;
		case 't': d.creat_time = optarg; break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return CLI_OK;
		default: usage(stderr); return CLI_USAGE;
		}
	}
	if (optind != argc - 1 || (strcmp(verb, "wrap") != 0 && strcmp(verb, "unwrap") != 0) ||
	    (strcmp(verb, "wrap") == 0 && d.sender_id == NULL)) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (cli_read_file(argv[optind], READ_MAX, &data, &len) != 0) {
		cli_err("cannot read %s", argv[optind]);
		return CLI_USAGE;
	}
	if (cg_ctx_new(&ctx) != CG_OK)
		goto out;
	if (strcmp(verb, "unwrap") == 0) {
		status = unwrap(ctx, argv[optind], data, len, out);
	} else if ((rc = cg_dxp_wrap(ctx, data, len, &d, &env, &elen)) != CG_OK) {
		cli_err("%s", cg_ctx_errmsg(ctx));
		/* A field given wrongly is a usage error; a message that cannot go, an invalid input. */
		status = rc == CG_EINVAL ? CLI_USAGE : CLI_INVALID;
	} else {
		status = emit(out, env, elen) == 0 ? CLI_OK : CLI_USAGE;
	}
out:
	cg_free(env);
	free(data);
	cg_ctx_free(ctx);
	return status;
}
