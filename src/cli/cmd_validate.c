/* SPDX-License-Identifier: MIT */
/* cebgate validate [--json] [--unsigned] [--quiet] FILE|DIR|- ... */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "help.h"

/* Read one byte more than the parser accepts, so that it reports the size itself. */
#define READ_MAX (16u * 1024u * 1024u + 1u)

struct run {
	cg_validator *v;
	cg_ctx *ctx;
	cg_findings *f;
	cg_report_file *files;
	size_t nfiles;
	size_t cap;
	int io_error;
};

static int
add_file(struct run *r, const char *name, const char *type)
{
	cg_report_file *p;

	if (r->nfiles == r->cap) {
		size_t ncap = r->cap != 0 ? r->cap * 2 : 16;

		p = realloc(r->files, ncap * sizeof(*p));
		if (p == NULL)
			return -1;
		r->files = p;
		r->cap = ncap;
	}
	r->files[r->nfiles].file = strdup(name);
	r->files[r->nfiles].type = strdup(type);
	r->files[r->nfiles].error = NULL;
	if (r->files[r->nfiles].file == NULL || r->files[r->nfiles].type == NULL)
		return -1;
	r->nfiles++;
	return 0;
}

/* An input that cannot be read stays in the report, with why (exit status 2). */
static int
add_unreadable(struct run *r, const char *name, int err)
{
	char *why = cli_unreadable(name, err);

	r->io_error = 1;
	if (why == NULL || add_file(r, name, "") != 0) {
		free(why);
		return -1;
	}
	r->files[r->nfiles - 1].error = why;
	return 0;
}

static int
validate_one(struct run *r, const char *path)
{
	char *data = NULL;
	size_t len = 0;
	int valid;
	cg_rc rc;

	if (cli_read_file(path, READ_MAX, &data, &len) != 0)
		return add_unreadable(r, path, errno);
	rc = cg_validate_buffer(r->v, r->ctx, data, len, path, r->f, &valid);
	free(data);
	if (rc != CG_OK) {
		cli_err("%s: %s: %s", path, cg_strerror(rc), cg_ctx_errmsg(r->ctx));
		return -1;
	}
	return add_file(r, path, cg_validator_last_type(r->v));
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.xml of a directory, in name order so that reports are stable. */
static int
validate_dir(struct run *r, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i;
	int rc = 0;

	if (d == NULL)
		return add_unreadable(r, dir, errno);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name), size;
		char **p;

		if (l < 5 || strcmp(e->d_name + l - 4, ".xml") != 0)
			continue;
		p = realloc(names, (n + 1) * sizeof(*names));
		if (p == NULL)
			break;
		names = p;
		size = strlen(dir) + l + 2;
		names[n] = malloc(size);
		if (names[n] == NULL)
			break;
		snprintf(names[n++], size, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		if (rc == 0)
			rc = validate_one(r, names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}

static void
usage(FILE *out)
{
	(void)help_print("cebgate validate", out);
}

static int
report(struct run *r, int json, int quiet)
{
	if (json) {
		char *s = cg_report_json(r->files, r->nfiles, r->f);

		if (s == NULL)
			return -1;
		puts(s);
		cg_free(s);
		return 0;
	}
	return cg_report_text(stdout, r->files, r->nfiles, r->f, quiet) == CG_OK ? 0 : -1;
}

int
cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' },
					      { "unsigned", no_argument, NULL, 'u' },
					      { "quiet", no_argument, NULL, 'q' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	struct run r = { 0 };
	int c, json = 0, quiet = 0, status = CLI_USAGE, i;
	unsigned flags = 0;
	struct stat st;

	while ((c = getopt_long(argc, argv, "juqh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'u':
			flags |= CG_VALIDATE_UNSIGNED;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		default:
			usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (cg_ctx_new(&r.ctx) != CG_OK || cg_findings_new(&r.f) != CG_OK)
		goto out;
	if (cg_validator_new(&r.v, r.ctx, NULL, flags) != CG_OK) {
		cli_err("%s", cg_ctx_errmsg(r.ctx));
		goto out;
	}
	for (i = optind; i < argc; i++) {
		int rc = strcmp(argv[i], "-") != 0 && stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)
				 ? validate_dir(&r, argv[i])
				 : validate_one(&r, argv[i]);

		if (rc != 0)
			goto out;
	}
	if (cg_validate_finish(r.v, r.ctx, r.f) != CG_OK || report(&r, json, quiet) != 0)
		goto out;
	if (r.io_error)
		status = CLI_USAGE;
	else
		status = cg_findings_count_sev(r.f, CG_SEV_ERROR) > 0 ? CLI_INVALID : CLI_OK;
out:
	for (size_t k = 0; k < r.nfiles; k++) {
		free((char *)r.files[k].file);
		free((char *)r.files[k].type);
		free((char *)r.files[k].error);
	}
	free(r.files);
	cg_validator_free(r.v);
	cg_findings_free(r.f);
	cg_ctx_free(r.ctx);
	return status;
}
