/* SPDX-License-Identifier: MIT */
/* cebgate verify [--explain] [--json] [--ca F] [--pin-cert F] [--pin-serial HEX] FILE... */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "help.h"

#define READ_MAX (16u * 1024u * 1024u + 1u)

static void
usage(FILE *out)
{
	(void)help_print("cebgate verify", out);
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

/* The inputs, with each directory replaced by its *.xml files in name order. */
static char **
expand(int argc, char **argv, size_t *n)
{
	char **list = NULL, **p;
	size_t cap = 0;
	struct stat st;
	int i, k, m;

	*n = 0;
	for (i = 0; i < argc; i++) {
		struct dirent **ents = NULL;

		m = strcmp(argv[i], "-") != 0 && stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)
			    ? scandir(argv[i], &ents, NULL, alphasort)
			    : -1;
		for (k = m < 0 ? -1 : 0; k < (m < 0 ? 0 : m); k++) {
			char *path;
			size_t l;

			if (k >= 0) {
				l = strlen(ents[k]->d_name);
				if (l < 5 || strcmp(ents[k]->d_name + l - 4, ".xml") != 0) {
					free(ents[k]);
					continue;
				}
				size_t size = strlen(argv[i]) + l + 2;

				path = malloc(size);
				if (path != NULL)
					snprintf(path, size, "%s/%s", argv[i], ents[k]->d_name);
				free(ents[k]);
			} else {
				path = strdup(argv[i]);
			}
			if (*n == cap) {
				cap = cap != 0 ? cap * 2 : 16;
				p = realloc(list, cap * sizeof(*list));
				if (p == NULL)
					return NULL;
				list = p;
			}
			if (path == NULL)
				return NULL;
			list[(*n)++] = path;
		}
		free(ents);
	}
	return list;
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
	char **inputs = NULL;
	size_t ninputs = 0, nread = 0, k;
	int c, exp = 0, json = 0, status = CLI_USAGE, io = 0;

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
	inputs = expand(argc - optind, argv + optind, &ninputs);
	files = calloc(ninputs + 1, sizeof(*files));
	if (inputs == NULL || files == NULL || cg_ctx_new(&ctx) != CG_OK || cg_findings_new(&f) != CG_OK)
		goto out;
	if (cg_verifier_new(&v, ctx, &vo) != CG_OK) {
		cli_err("%s", cg_ctx_errmsg(ctx));
		goto out;
	}
	for (k = 0; k < ninputs; k++) {
		char *data = NULL;
		size_t len = 0;

		files[nread].file = inputs[k];
		files[nread].type = "";
		files[nread].error = NULL;
		/* An unreadable file is an I/O error: in the report with why, never as "valid". */
		errno = 0;
		if (cli_read_file(inputs[k], READ_MAX, &data, &len) != 0) {
			files[nread].error = cli_unreadable(inputs[k], errno);
			if (files[nread++].error == NULL)
				goto out; /* out of memory: no report that could read as valid */
			io = 1;
			continue;
		}
		nread++;
		if (cg_verify_buffer(v, ctx, data, len, inputs[k], f, res) != CG_OK) {
			cli_err("%s: %s", inputs[k], cg_ctx_errmsg(ctx));
			free(data);
			goto out;
		}
		free(data);
		if (exp && !json)
			explain(inputs[k], res);
	}
	if (json) {
		char *s = cg_report_json(files, nread, f);

		if (s != NULL)
			puts(s);
		cg_free(s);
	} else if (cg_report_text(stdout, files, nread, f, 0) != CG_OK) {
		goto out;
	}
	status = io ? CLI_USAGE : cg_findings_count_sev(f, CG_SEV_ERROR) > 0 ? CLI_INVALID : CLI_OK;
out:
	for (k = 0; files != NULL && k < nread; k++)
		free((char *)files[k].error);
	for (k = 0; inputs != NULL && k < ninputs; k++)
		free(inputs[k]);
	free(inputs);
	cg_verifier_free(v);
	cg_findings_free(f);
	cg_ctx_free(ctx);
	free(files);
	free(res);
	return status;
}
