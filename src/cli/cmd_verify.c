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

struct verifyrun {
	cg_verifier *v;
	char **inputs;
	cg_report_file *files;
	cg_findings *f;
	size_t nread;
	int exp, json, io;
};

/* One input, verified by a worker into findings of its own; reported in input order. */
struct verifyjob {
	const char *path;  /* borrowed from the inputs */
	int unreadable;    /* errno of the read, 0 when it was read */
	cg_findings *f;
	cg_verify_result res;
};

static void
job_free(void *payload, void *job)
{
	struct verifyjob *j = job;

	(void)payload;
	cg_findings_free(j->f);
	free(j);
}

static cg_rc
verifier_of(void *payload, cg_ctx *ctx, void **state)
{
	(void)ctx;
	*state = ((struct verifyrun *)payload)->v;
	return CG_OK;
}

/* On a worker: read and verify; the verifier is shared (cg_verify_buffer() leaves it as it is). */
static cg_rc
verify_work(void *state, cg_ctx *ctx, void *job)
{
	struct verifyjob *j = job;
	char *data = NULL;
	size_t len = 0;
	cg_rc rc;

	errno = 0;
	if (cli_read_file(j->path, READ_MAX, &data, &len) != 0) {
		j->unreadable = errno != 0 ? errno : EIO;
		return CG_OK;
	}
	rc = cg_verify_buffer(state, ctx, data, len, j->path, j->f, &j->res);
	free(data);
	return rc;
}

/* In input order: the report's entry, the findings, the explanation, as -j 1 gives them. */
static cg_rc
verify_done(void *payload, void *job, cg_rc rc, const char *errmsg)
{
	struct verifyrun *r = payload;
	struct verifyjob *j = job;
	cg_report_file *file = &r->files[r->nread++];

	file->file = j->path;
	file->type = "";
	file->error = NULL;
	/* An unreadable file is an I/O error: in the report with why, never as "valid". */
	if (j->unreadable != 0) {
		file->error = cli_unreadable(j->path, j->unreadable);
		r->io = 1;
		/* out of memory: no report that could read as valid */
		rc = file->error != NULL ? CG_OK : CG_ENOMEM;
	} else if (rc != CG_OK) {
		cli_err("%s: %s", j->path, errmsg);
	} else {
		rc = cg_findings_move(r->f, j->f);
		if (rc == CG_OK && r->exp && !r->json)
			explain(j->path, &j->res);
	}
	job_free(NULL, j);
	return rc;
}

static cg_rc
verify_all(struct verifyrun *r, cg_ctx *ctx, size_t ninputs, int jobs)
{
	cg_pool_options po = CG_POOL_OPTIONS_INIT;
	cg_pool *pool = NULL;
	size_t k;
	cg_rc rc;

	po.workers = jobs;
	po.payload = r;
	po.worker_new = verifier_of;
	po.work = verify_work;
	po.done = verify_done;
	po.discard = job_free;
	rc = cg_pool_new(&pool, ctx, &po);
	for (k = 0; rc == CG_OK && k < ninputs; k++) {
		struct verifyjob *j = calloc(1, sizeof(*j));

		if (j == NULL || cg_findings_new(&j->f) != CG_OK) {
			free(j);
			rc = CG_ENOMEM;
			break;
		}
		j->path = r->inputs[k];
		rc = cg_pool_put(pool, j);
	}
	if (rc == CG_OK)
		rc = cg_pool_flush(pool);
	cg_pool_free(pool);
	return rc;
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "explain", no_argument, NULL, 'e' },	    { "json", no_argument, NULL, 256 },
		{ "ca", required_argument, NULL, 'c' },	    { "pin-cert", required_argument, NULL, 'p' },
		{ "pin-serial", required_argument, NULL, 's' }, { "uris", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },	    { "jobs", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	cg_verify_options vo = CG_VERIFY_OPTIONS_INIT;
	struct verifyrun r = { 0 };
	cg_ctx *ctx = NULL;
	const char *jobs_arg = NULL;
	size_t ninputs = 0, k;
	int c, status = CLI_USAGE, jobs;

	while ((c = getopt_long(argc, argv, "ej:c:p:s:U:h", opts, NULL)) != -1) {
		switch (c) {
		case 'e': r.exp = 1; break;
		case 256: r.json = 1; break; /* long only: -j is the number of workers */
		case 'j': jobs_arg = optarg; break;
		case 'c': vo.ca_file = optarg; break;
		case 'p': vo.pinned_cert = optarg; break;
		case 's': vo.pinned_serial = optarg; break;
		case 'U': vo.uris = optarg; break;
		case 'h': usage(stdout); return CLI_OK;
		default: usage(stderr); return CLI_USAGE;
		}
	}
	jobs = cli_jobs(jobs_arg);
	if (optind >= argc || jobs < 0) {
		usage(stderr);
		return CLI_USAGE;
	}
	r.inputs = expand(argc - optind, argv + optind, &ninputs);
	r.files = calloc(ninputs + 1, sizeof(*r.files));
	if (r.inputs == NULL || r.files == NULL || cg_ctx_new(&ctx) != CG_OK ||
	    cg_findings_new(&r.f) != CG_OK)
		goto out;
	if (cg_verifier_new(&r.v, ctx, &vo) != CG_OK) {
		cli_err("%s", cg_ctx_errmsg(ctx));
		goto out;
	}
	if (verify_all(&r, ctx, ninputs, jobs) != CG_OK)
		goto out;
	if (r.json) {
		char *s = cg_report_json(r.files, r.nread, r.f);

		if (s != NULL)
			puts(s);
		cg_free(s);
	} else if (cg_report_text(stdout, r.files, r.nread, r.f, 0) != CG_OK) {
		goto out;
	}
	status = r.io ? CLI_USAGE : cg_findings_count_sev(r.f, CG_SEV_ERROR) > 0 ? CLI_INVALID : CLI_OK;
out:
	for (k = 0; r.files != NULL && k < r.nread; k++)
		free((char *)r.files[k].error);
	for (k = 0; r.inputs != NULL && k < ninputs; k++)
		free(r.inputs[k]);
	free(r.inputs);
	cg_verifier_free(r.v);
	cg_findings_free(r.f);
	cg_ctx_free(ctx);
	free(r.files);
	return status;
}
