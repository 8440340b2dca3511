/* SPDX-License-Identifier: MIT */
/* cebgate verify [--explain] [--json] [--ca F] [--pin-cert F] [--pin-serial HEX] FILE... */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#define READ_MAX (16u * 1024u * 1024u + 1u)

static void
usage(FILE *out)
{
	fprintf(out, "usage: cebgate verify [--explain] [--json] [--ca FILE] [--pin-cert FILE]\n"
		     "                      [--pin-serial HEX] [--uris FILE] FILE|- ...\n"
		     "  --explain  what was checked and, on failure, the likely cause (中文/English)\n"
		     "exit status: 0 all valid, 1 some invalid, 2 usage or I/O error\n");
}

static void
explain(const char *file, const cg_verify_result *res)
{
	size_t i;

	printf("%s:\n", file);
	if (res->profile[0] != '\0')
		printf("  profile            %s (digest %s)\n", res->profile, res->digest_method);
	if (res->serial[0] != '\0') {
		printf("  certificate        serial %s, KeyName %s\n", res->serial, res->keyname);
		printf("                     %s\n", res->subject);
		printf("                     valid %s to %s\n", res->not_before, res->not_after);
	}
	if (res->digest_claimed[0] != '\0' || res->digest_computed[0] != '\0') {
		printf("  DigestValue        %s\n", res->digest_claimed);
		printf("  computed digest    %s\n", res->digest_computed);
		printf("  canonical SHA-256  %s\n", res->canonical_sha256);
	}
	for (i = 0; i < res->nsteps; i++)
		printf("  [%s] %-16s %s\n", res->steps[i].ok ? "ok" : "FAIL", res->steps[i].name,
		       res->steps[i].detail);
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "explain", no_argument, NULL, 'e' },	    { "json", no_argument, NULL, 'j' },
		{ "ca", required_argument, NULL, 'c' },	    { "pin-cert", required_argument, NULL, 'p' },
		{ "pin-serial", required_argument, NULL, 's' }, { "uris", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },	    { NULL, 0, NULL, 0 }
	};
	cg_verify_options vo = CG_VERIFY_OPTIONS_INIT;
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_report_file *files = NULL;
	cg_verifier *v = NULL;
	cg_findings *f = NULL;
	cg_ctx *ctx = NULL;
	int c, exp = 0, json = 0, status = CLI_USAGE, i, io = 0;

	while ((c = getopt_long(argc, argv, "ejc:p:s:U:h", opts, NULL)) != -1) {
		switch (c) {
		case 'e': exp = 1; break;
		case 'j': json = 1; break;
		case 'c': vo.ca_file = optarg; break;
		case 'p': vo.pinned_cert = optarg; break;
		case 's': vo.pinned_serial = optarg; break;
		case 'U': vo.uris = optarg; break;
		case 'h': usage(stdout); free(res); return CLI_OK;
		default: usage(stderr); free(res); return CLI_USAGE;
		}
	}
	if (optind >= argc || res == NULL) {
		usage(stderr);
		free(res);
		return CLI_USAGE;
	}
	files = calloc((size_t)(argc - optind), sizeof(*files));
	if (files == NULL || cg_ctx_new(&ctx) != CG_OK || cg_findings_new(&f) != CG_OK)
		goto out;
	if (cg_verifier_new(&v, ctx, &vo) != CG_OK) {
		cli_err("%s", cg_ctx_errmsg(ctx));
		goto out;
	}
	for (i = optind; i < argc; i++) {
		char *data = NULL;
		size_t len = 0;

		files[i - optind].file = argv[i];
		files[i - optind].type = "";
		if (cli_read_file(argv[i], READ_MAX, &data, &len) != 0) {
			cli_err("cannot read %s", argv[i]);
			io = 1;
			continue;
		}
		if (cg_verify_buffer(v, ctx, data, len, argv[i], f, res) != CG_OK) {
			cli_err("%s: %s", argv[i], cg_ctx_errmsg(ctx));
			free(data);
			goto out;
		}
		free(data);
		if (exp && !json)
			explain(argv[i], res);
	}
	if (json) {
		char *s = cg_report_json(files, (size_t)(argc - optind), f);

		if (s != NULL)
			puts(s);
		cg_free(s);
	} else if (cg_report_text(stdout, files, (size_t)(argc - optind), f, 0) != CG_OK) {
		goto out;
	}
	status = io ? CLI_USAGE : cg_findings_count_sev(f, CG_SEV_ERROR) > 0 ? CLI_INVALID : CLI_OK;
out:
	cg_verifier_free(v);
	cg_findings_free(f);
	cg_ctx_free(ctx);
	free(files);
	free(res);
	return status;
}
