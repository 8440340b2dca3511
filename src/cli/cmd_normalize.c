/* SPDX-License-Identifier: MIT */
/* cebgate normalize [--from csv|ndjson|xml] [--type T] [--map F] FILE... [-o DIR] */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "help.h"

/* A file this run wrote, and the input it came from (to name both when two collide). */
struct written {
	char *name;
	const char *source;
};

struct out {
	const char *dir;    /* NULL: documents go to stdout */
	const char *source; /* the input being read */
	struct written *files;
	size_t nfiles, cap;
	unsigned long dups; /* messages identical to one this run wrote already */
	FILE *log;          /* the change log (TSV) */
	unsigned long changes;
	int tty;
	time_t last;
	cg_normalizer *n;
};

/* True when the file at @p path holds exactly @p xml. */
static bool
same_content(const char *path, const char *xml, size_t len)
{
	FILE *fp = fopen(path, "rb");
	char buf[4096];
	size_t off = 0, got;
	bool same = fp != NULL;

	while (same && (got = fread(buf, 1, sizeof(buf), fp)) > 0) {
		same = off + got <= len && memcmp(buf, xml + off, got) == 0;
		off += got;
	}
	if (fp != NULL)
		(void)fclose(fp);
	return same && off == len;
}

static const struct written *
written_by_run(const struct out *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nfiles; i++) {
		if (strcmp(o->files[i].name, name) == 0)
			return &o->files[i];
	}
	return NULL;
}

static cg_rc
remember(struct out *o, const char *name)
{
	if (o->nfiles == o->cap) {
		size_t cap = o->cap != 0 ? o->cap * 2 : 64;
		struct written *w = realloc(o->files, cap * sizeof(*w));

		if (w == NULL)
			return CG_ENOMEM;
		o->files = w;
		o->cap = cap;
	}
	o->files[o->nfiles].name = strdup(name);
	if (o->files[o->nfiles].name == NULL)
		return CG_ENOMEM;
	o->files[o->nfiles++].source = o->source;
	return CG_OK;
}

/* "CEB311-X.xml", 3 -> "CEB311-X-3.xml". */
static int
variant(char *out, size_t size, const char *name, unsigned k)
{
	const char *dot = strrchr(name, '.');
	int stem = dot != NULL ? (int)(dot - name) : (int)strlen(name);

	if (k == 1)
		return snprintf(out, size, "%s", name) >= (int)size ? -1 : 0;
	return snprintf(out, size, "%.*s-%u%s", stem, name, k, dot != NULL ? dot : "") >= (int)size
		       ? -1
		       : 0;
}

/*
 * Move the finished temporary file to DIR/name without ever replacing another
 * message: two inputs sharing an order number get NAME.xml and NAME-2.xml (and
 * both inputs are named on stderr). A message identical to one this run wrote
 * is the same message and is not written twice; a file left by an earlier run
 * with the same content is the same message too.
 */
static cg_rc
place(struct out *o, const char *tmp, const char *name, const char *xml, size_t len)
{
	char cand[512], final[4096];
	const struct written *w;
	unsigned k;

	for (k = 1; k < 1000; k++) {
		if (variant(cand, sizeof(cand), name, k) != 0 ||
		    snprintf(final, sizeof(final), "%s/%s", o->dir, cand) >= (int)sizeof(final))
			return CG_EINVAL;
		w = written_by_run(o, cand);
		if (w != NULL && same_content(final, xml, len)) {
			o->dups++;
			(void)unlink(tmp);
			return CG_OK;
		}
		if (w != NULL)
			continue; /* another message of this run has the name */
		if (access(final, F_OK) != 0 && link(tmp, final) != 0) {
			if (errno == EEXIST)
				continue; /* created meanwhile: try the next name */
			(void)unlink(tmp);
			return CG_EIO;
		}
		if (!same_content(final, xml, len))
			continue; /* another message from an earlier run */
		(void)unlink(tmp);
		if (k > 1)
			cli_err("%s: a different message from %s has the name %s already: written as %s",
				o->source, written_by_run(o, name) != NULL ? written_by_run(o, name)->source
									  : "an earlier run",
				name, cand);
		return remember(o, cand);
	}
	(void)unlink(tmp);
	return CG_EIO;
}

/* Write to DIR/name through a temporary name, so readers never see half a file. */
static cg_rc
emit(void *payload, const char *name, const char *xml, size_t len)
{
	struct out *o = payload;
	char tmp[4096];
	FILE *fp;
	int ok;

	if (o->tty && time(NULL) != o->last) {
		cg_normalize_stats s = cg_normalizer_stats(o->n);

		o->last = time(NULL);
		fprintf(stderr, "\rnormalize: %lu documents, %lu written, %lu rejected", s.records,
			s.written + 1, s.rejected);
	}
	if (o->dir == NULL)
		return fwrite(xml, 1, len, stdout) == len ? CG_OK : CG_EIO;
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", o->dir, name) >= (int)sizeof(tmp))
		return CG_EINVAL;
	fp = fopen(tmp, "wb");
	if (fp == NULL)
		return CG_EIO;
	ok = fwrite(xml, 1, len, fp) == len;
	ok = fclose(fp) == 0 && ok;
	if (!ok) {
		(void)unlink(tmp);
		return CG_EIO;
	}
	return place(o, tmp, name, xml, len);
}

/* TSV cells never contain tabs or newlines. */
static void
cell(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, fp);
}

static void
on_change(void *payload, const cg_change *c)
{
	struct out *o = payload;

	if (o->log == NULL)
		return;
	o->changes++;
	cell(o->log, c->source);
	fprintf(o->log, "\t%lu\t%lu\t", c->line, c->column);
	cell(o->log, c->xpath);
	fputc('\t', o->log);
	cell(o->log, c->before);
	fputc('\t', o->log);
	cell(o->log, c->after);
	fputc('\t', o->log);
	cell(o->log, c->why);
	fputc('\n', o->log);
}

static void
usage(FILE *out)
{
	(void)help_print("cebgate normalize", out);
}

static cg_from
parse_from(const char *s)
{
	if (strcmp(s, "csv") == 0)
		return CG_FROM_CSV;
	if (strcmp(s, "ndjson") == 0)
		return CG_FROM_NDJSON;
	if (strcmp(s, "xml") == 0)
		return CG_FROM_XML;
	return (cg_from)-1;
}

static int
report(int argc, char **argv, int first, cg_findings *f, int json)
{
	cg_report_file *files = calloc((size_t)(argc - first), sizeof(*files));
	int i, rc = 0;

	if (files == NULL)
		return -1;
	for (i = first; i < argc; i++) {
		files[i - first].file = argv[i];
		files[i - first].type = "";
	}
	if (json) {
		char *s = cg_report_json(files, (size_t)(argc - first), f);

		rc = s != NULL && puts(s) >= 0 ? 0 : -1;
		cg_free(s);
	} else {
		/* Files with only warnings (a dropped column) are listed too, not just counted. */
		rc = cg_report_text(stderr, files, (size_t)(argc - first), f,
				    cg_findings_count_sev(f, CG_SEV_WARNING) == 0) == CG_OK
			     ? 0
			     : -1;
	}
	free(files);
	return rc;
}

int
cmd_normalize(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' }, { "type", required_argument, NULL, 't' },
		{ "map", required_argument, NULL, 'm' }, { "encoding", required_argument, NULL, 'e' },
		/* The old name of --map, kept for one release (--profile is the signing profile elsewhere). */
		{ "profile", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' }, { "log", required_argument, NULL, 'l' },
		{ "now", required_argument, NULL, 'n' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	cg_normalize_options nopts = CG_NORMALIZE_OPTIONS_INIT;
	struct out o = { 0 };
	cg_findings *f = NULL;
	cg_ctx *ctx = NULL;
	cg_from from = CG_FROM_AUTO;
	const char *logpath = NULL;
	char logbuf[4096];
	int c, json = 0, status = CLI_USAGE, i;

	nopts.now = getenv("CEBGATE_NOW");
	while ((c = getopt_long(argc, argv, "o:f:t:m:e:jl:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.dir = optarg;
			break;
		case 'f':
			from = parse_from(optarg);
			break;
		case 't':
			nopts.type = (int)strtol(optarg, NULL, 10);
			break;
		case 'm':
			nopts.profile = optarg;
			break;
		case 'e':
			nopts.encoding = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'l':
			logpath = optarg;
			break;
		case 'n':
			nopts.now = optarg;
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		default:
			usage(stderr);
			return CLI_USAGE;
		}
	}
	if (json && o.dir == NULL) {
		cli_err("--json needs -o DIR: the documents are written there, the JSON report to stdout");
		return CLI_USAGE;
	}
	if (optind >= argc || (int)from < 0) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (o.dir != NULL && mkdir(o.dir, 0777) != 0 && errno != EEXIST) {
		cli_err("cannot create %s", o.dir);
		return CLI_USAGE;
	}
	if (logpath == NULL && o.dir != NULL &&
	    snprintf(logbuf, sizeof(logbuf), "%s/normalize-log.tsv", o.dir) < (int)sizeof(logbuf))
		logpath = logbuf;
	o.log = logpath != NULL ? fopen(logpath, "w") : stderr;
	if (o.log == NULL) {
		cli_err("cannot write %s", logpath);
		return CLI_USAGE;
	}
	fputs("source\tline\tcolumn\txpath\tbefore\tafter\twhy\n", o.log);
	o.tty = isatty(STDERR_FILENO);
	nopts.emit = emit;
	nopts.change = on_change;
	nopts.payload = &o;
	if (cg_ctx_new(&ctx) != CG_OK || cg_findings_new(&f) != CG_OK)
		goto out;
	if (cg_normalizer_new(&o.n, ctx, NULL, &nopts) != CG_OK) {
		cli_err("%s", cg_ctx_errmsg(ctx));
		goto out;
	}
	for (i = optind; i < argc; i++) {
		o.source = argv[i];
		if (cg_normalize_file(o.n, ctx, argv[i], from, f) != CG_OK) {
			cli_err("%s", cg_ctx_errmsg(ctx));
			goto out;
		}
	}
	if (o.tty)
		fputc('\n', stderr);
	if (report(argc, argv, optind, f, json) != 0)
		goto out;
	{
		cg_normalize_stats s = cg_normalizer_stats(o.n);

		/* With -o the count is of the files on disk, never of what was produced. */
		fprintf(stderr, "normalize: %lu document(s) read, %lu message(s) written, %lu rejected, "
				"%lu change(s) logged",
			s.records, o.dir != NULL ? (unsigned long)o.nfiles : s.written, s.rejected,
			o.changes);
		if (o.dups > 0)
			fprintf(stderr, ", %lu identical to one written already", o.dups);
		fputc('\n', stderr);
		status = s.rejected > 0 || cg_findings_count_sev(f, CG_SEV_ERROR) > 0 ? CLI_INVALID
										       : CLI_OK;
	}
out:
	if (o.log != NULL && o.log != stderr && fclose(o.log) != 0)
		status = CLI_USAGE;
	cg_normalizer_free(o.n);
	for (i = 0; i < (int)o.nfiles; i++)
		free(o.files[i].name);
	free(o.files);
	cg_findings_free(f);
	cg_ctx_free(ctx);
	return status;
}
