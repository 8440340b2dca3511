/* SPDX-License-Identifier: MIT */
/*
 * cebgate submit: ingest -> normalize -> validate -> sign -> outbox -> submit
 * -> track. Every valid record is signed once and recorded in the outbox
 * before anything is sent; sending runs alongside reading, so a stream of any
 * length is submitted as it comes, in bounded memory.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "cli.h"
#include "help.h"

#define READ_MAX (16u * 1024u * 1024u + 1u)
/* Records per outbox transaction: one fsync for all of them. */
#define ADD_BATCH 64

static volatile sig_atomic_t stop;

/* The first SIGINT/SIGTERM stops reading and lets what is under way finish; a second one ends that too. */
static void
on_signal(int sig)
{
	(void)sig;
	stop = stop < 2 ? stop + 1 : 2;
}

struct run {
	cg_ctx *ctx;
	cg_outbox *ob;
	cg_signer *signer;
	cg_pool *pool;       /* signs on -j N threads; the outbox is written here, in order */
	int jobs;
	cg_normalizer *norm;
	cg_validator *dxpv;  /* for DxpMsg inputs, made when one is met */
	cg_submitter *sub;
	cg_findings *f;
	const char *source;
	cg_from from;
	unsigned long records, invalid, added, known;
	long long refused_before; /* documents already refused when the run began */
	int open_tx;         /* additions in the open outbox transaction */
	int reported;        /* the failure was reported already */
	int tty;
	time_t last;
	struct timespec t0;
};

static double
elapsed(const struct run *r)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - r->t0.tv_sec) + (double)(t.tv_nsec - r->t0.tv_nsec) / 1e9;
}

/* Counts, rate and ETA on stderr when it is a terminal, once a second. */
static void
progress(struct run *r, bool force)
{
	cg_outbox_counts c;
	double secs, rate;
	long long done, pending;

	if (!r->tty || (!force && time(NULL) == r->last) ||
	    cg_outbox_counts_get(r->ob, r->ctx, &c) != CG_OK)
		return;
	r->last = time(NULL);
	secs = elapsed(r);
	done = c.acknowledged + c.final + c.rejected;
	pending = c.signed_ + c.submitted;
	rate = secs > 0 ? (double)done / secs : 0;
	fprintf(stderr,
		"\rsubmit: %lu read, %lu invalid, %lld acknowledged, %lld rejected, %lld pending, "
		"%lld dead, %.0f/s, ETA %.0fs   ",
		r->records + r->invalid, r->invalid, c.acknowledged + c.final, c.rejected, pending, c.dead, rate,
		rate > 0 ? (double)pending / rate : 0.0);
}

static cg_rc
commit_adds(struct run *r)
{
	if (r->open_tx == 0)
		return CG_OK;
	r->open_tx = 0;
	return cg_outbox_commit(r->ob, r->ctx);
}

/* Let the submitter move: start what is due, collect answers, never wait. */
static cg_rc
pump(struct run *r)
{
	int in_flight = 0;
	cg_rc rc = commit_adds(r);

	if (rc == CG_OK)
		rc = cg_submitter_run(r->sub, r->ctx, 0, &in_flight);
	progress(r, false);
	return rc;
}

/* A record to sign, from the source it came from; signed on a worker. */
struct signjob {
	char *xml, *source, *name;
	size_t len;
	char *out;
	size_t outlen;
};

static void
job_free(void *payload, void *job)
{
	struct signjob *j = job;

	(void)payload;
	free(j->xml);
	free(j->source);
	free(j->name);
	cg_free(j->out);
	free(j);
}

static cg_rc
sign_work(void *state, cg_ctx *ctx, void *job)
{
	struct signjob *j = job;

	return cg_sign_buffer(state, ctx, j->xml, j->len, &j->out, &j->outlen);
}

/* In input order, on this thread: the outbox gets each signed record, ADD_BATCH per transaction. */
static cg_rc
record_signed(void *payload, void *job, cg_rc rc, const char *errmsg)
{
	struct run *r = payload;
	struct signjob *j = job;
	int added = 0;

	if (rc != CG_OK) {
		cli_err("%s (%s): not signed: %s", j->source, j->name, errmsg);
		job_free(NULL, j);
		if (rc == CG_ENOMEM) {
			r->reported = 1;
			return rc;
		}
		r->records--; /* counted as invalid instead */
		r->invalid++;
		return CG_OK;
	}
	if (r->open_tx == 0)
		rc = cg_outbox_begin(r->ob, r->ctx);
	if (rc == CG_OK) {
		r->open_tx++;
		/* The message guid doubles as the DxpMsg CopMsgId: stable across resends. */
		rc = cg_outbox_add(r->ob, r->ctx, j->source, j->out, j->outlen, NULL, &added);
	}
	job_free(NULL, j);
	r->added += added;
	r->known += rc == CG_OK && !added;
	if (rc == CG_OK && r->open_tx >= ADD_BATCH)
		rc = pump(r);
	return rc;
}

static cg_rc
signer_new(void *payload, cg_ctx *ctx, void **state)
{
	struct run *r = payload;

	if (r->jobs == 1) {
		*state = r->signer;
		return CG_OK;
	}
	return cg_signer_fork((cg_signer **)state, ctx, r->signer);
}

static void
signer_free(void *payload, void *state)
{
	struct run *r = payload;

	if (state != r->signer)
		cg_signer_free(state);
}

/* One canonical, valid message from the normalizer: sign it once (on a worker) and record it. */
static cg_rc
emit(void *payload, const char *name, const char *xml, size_t len)
{
	struct run *r = payload;
	struct signjob *j;
	int added = 0;
	cg_rc rc;

	r->records++;
	if (stop) {
		r->reported = 1; /* interrupted: the summary says what was done */
		return CG_EIO;
	}
	/* A record the outbox holds already (a second run, a resume) is not signed again. */
	rc = cg_outbox_known(r->ob, r->ctx, xml, len, &added);
	if (rc != CG_OK || added) {
		r->known += rc == CG_OK;
		return rc;
	}
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return CG_ENOMEM;
	j->xml = malloc(len + 1);
	j->source = strdup(r->source != NULL ? r->source : "-");
	j->name = strdup(name != NULL ? name : "");
	if (j->xml == NULL || j->source == NULL || j->name == NULL) {
		job_free(NULL, j);
		return CG_ENOMEM;
	}
	memcpy(j->xml, xml, len);
	j->xml[len] = '\0';
	j->len = len;
	return cg_pool_put(r->pool, j);
}

/* Every record handed to the workers is in the outbox (its transaction maybe still open). */
static cg_rc
signed_all(struct run *r)
{
	return r->pool != NULL ? cg_pool_flush(r->pool) : CG_OK;
}

static bool
is_dxp(const char *data, size_t len)
{
	return memmem(data, len < 512 ? len : 512, "DxpMsg", 6) != NULL;
}

/* A DxpMsg input: the declaration inside it is what goes through the pipeline. */
static cg_rc
ingest_dxp(struct run *r, const char *path, const char *data, size_t len)
{
	cg_dxp_message m = { 0 };
	FILE *fp;
	cg_rc rc = CG_OK;

	if (r->dxpv == NULL)
		rc = cg_validator_new(&r->dxpv, r->ctx, NULL, CG_VALIDATE_UNSIGNED);
	if (rc == CG_OK)
		rc = cg_dxp_unwrap(r->dxpv, r->ctx, data, len, path, r->f, &m);
	if (rc == CG_OK && m.data == NULL) {
		r->invalid++;
		return CG_OK;
	}
	fp = rc == CG_OK ? fmemopen(m.data, m.data_len, "rb") : NULL;
	if (rc == CG_OK && fp == NULL)
		rc = CG_ENOMEM;
	if (rc == CG_OK) {
		rc = cg_normalize_stream(r->norm, r->ctx, fp, path, CG_FROM_XML, r->f);
		(void)fclose(fp);
	}
	cg_dxp_message_dispose(&m);
	return rc;
}

static cg_rc
ingest_file(struct run *r, const char *path)
{
	cg_normalize_stats before = cg_normalizer_stats(r->norm);
	cg_from from = r->from;
	cg_rc rc = CG_OK;
	char *data = NULL;
	size_t len = 0;

	r->source = path;
	if (strcmp(path, "-") == 0 && from == CG_FROM_AUTO)
		from = CG_FROM_NDJSON;
	if (strcmp(path, "-") != 0 && (from == CG_FROM_AUTO || from == CG_FROM_XML) &&
	    strstr(path, ".csv") == NULL && strstr(path, "json") == NULL) {
		if (cli_read_file(path, READ_MAX, &data, &len) != 0) {
			cli_err("cannot read %s", path);
			r->reported = 1;
			return CG_EIO;
		}
		if (is_dxp(data, len))
			rc = ingest_dxp(r, path, data, len);
		else
			rc = cg_normalize_file(r->norm, r->ctx, path, CG_FROM_XML, r->f);
		free(data);
	} else {
		rc = cg_normalize_file(r->norm, r->ctx, path, from, r->f);
	}
	r->invalid += cg_normalizer_stats(r->norm).rejected - before.rejected;
	return rc;
}

static bool
wanted(const char *name)
{
	static const char *const ext[] = { ".xml", ".csv", ".ndjson", ".jsonl" };
	size_t l = strlen(name), i;

	if (name[0] == '.')
		return false;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t e = strlen(ext[i]);

		if (l > e && strcmp(name + l - e, ext[i]) == 0)
			return true;
	}
	return false;
}

static cg_rc
ingest_path(struct run *r, const char *in)
{
	struct dirent **list = NULL;
	struct stat st;
	char path[4096];
	int n, i;
	cg_rc rc = CG_OK;

	if (strcmp(in, "-") == 0 || stat(in, &st) != 0 || !S_ISDIR(st.st_mode))
		return ingest_file(r, in);
	n = scandir(in, &list, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (rc == CG_OK && wanted(list[i]->d_name) &&
		    snprintf(path, sizeof(path), "%s/%s", in, list[i]->d_name) < (int)sizeof(path))
			rc = ingest_file(r, path);
		free(list[i]);
	}
	free(list);
	return rc;
}

/* Anything left to send? Two index probes, however large the outbox. */
static cg_rc
pending(struct run *r, bool *yes)
{
	int a = 0, b = 0;
	cg_rc rc = cg_outbox_any(r->ob, r->ctx, "signed", &a);

	if (rc == CG_OK && !a)
		rc = cg_outbox_any(r->ob, r->ctx, "submitted", &b);
	*yes = a || b;
	return rc;
}

/* Send until nothing is due or under way (retries wait out their backoff). */
static cg_rc
drain(struct run *r)
{
	int in_flight = 0;
	bool more = true;
	cg_rc rc = commit_adds(r);

	while (rc == CG_OK && stop < 2) {
		rc = cg_submitter_run(r->sub, r->ctx, 200, &in_flight);
		if (rc == CG_OK && in_flight == 0)
			rc = pending(r, &more);
		progress(r, false);
		if (rc == CG_OK && in_flight == 0 && !more)
			break;
	}
	return rc;
}

/* Receipts: one look (wait 0), or until every acknowledged declaration is final. */
static cg_rc
track(struct run *r, const cg_submit_options *o, bool wait_final)
{
	cg_fetch_stats fs;
	int open = 0;
	cg_rc rc;

	rc = cg_outbox_any(r->ob, r->ctx, "acknowledged", &open);
	fs.received = 0;
	do {
		/* Long-poll only while something still waits and the feed has nothing new. */
		rc = cg_receipts_fetch(r->ob, r->ctx, o, wait_final && open && fs.received == 0 ? 5 : 0,
				       &fs);
		if (rc == CG_OK)
			rc = cg_outbox_any(r->ob, r->ctx, "acknowledged", &open);
		progress(r, false);
		if (rc == CG_OK && wait_final && fs.received == 0 && open && o->channel != NULL &&
		    strncmp(o->channel, "dir:", 4) == 0) {
			struct timespec nap = { 0, 200 * 1000 * 1000 };

			(void)nanosleep(&nap, NULL); /* the transfer client has not answered yet */
		}
	} while (rc == CG_OK && !stop && (fs.received > 0 || (wait_final && open)));
	return rc;
}

struct names {
	char **v;
	size_t n, cap;
};

static int
remember(struct names *s, const char *name)
{
	char **p;

	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 16 : s->cap * 2;
		p = realloc(s->v, s->cap * sizeof(*p));
		if (p == NULL)
			return -1;
		s->v = p;
	}
	s->v[s->n] = strdup(name);
	return s->v[s->n++] != NULL ? 0 : -1;
}

static void
forget(struct names *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* The invalid records' findings, in the form of cebgate validate. */
static int
report_text(FILE *out, const struct names *inputs, const cg_findings *f)
{
	cg_report_file *files;
	size_t i;
	int rc;

	if (cg_findings_count(f) == 0)
		return 0;
	files = calloc(inputs->n + 1, sizeof(*files));
	if (files == NULL)
		return -1;
	for (i = 0; i < inputs->n; i++) {
		files[i].file = inputs->v[i];
		files[i].type = "";
	}
	rc = cg_report_text(out, files, inputs->n, f, 1) == CG_OK ? 0 : -1;
	free(files);
	return rc;
}

static json_t *
report_json(const struct names *inputs, const cg_findings *f)
{
	cg_report_file *files = calloc(inputs->n + 1, sizeof(*files));
	json_t *j = NULL;
	char *text;
	size_t i;

	if (files == NULL)
		return NULL;
	for (i = 0; i < inputs->n; i++) {
		files[i].file = inputs->v[i];
		files[i].type = "";
	}
	text = cg_report_json(files, inputs->n, f);
	if (text != NULL)
		j = json_loads(text, 0, NULL);
	cg_free(text);
	free(files);
	return j;
}

static int
summary(struct run *r, const struct names *inputs, bool json, int *status)
{
	cg_submit_stats ss = cg_submitter_stats(r->sub);
	cg_outbox_counts c;
	long long pending;

	if (cg_outbox_counts_get(r->ob, r->ctx, &c) != CG_OK)
		return -1;
	pending = c.signed_ + c.submitted;
	*status = pending + c.dead > 0 ? CLI_PENDING
		  : r->invalid > 0 || ss.rejected > 0 || ss.refused_docs > 0 ||
		    c.docs_refused > r->refused_before
		  ? CLI_INVALID : CLI_OK;
	if (r->tty)
		fputc('\n', stderr);
	if (json) {
		json_t *o = json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I}, s:I, s:I, s:f, s:o?}",
			"read", (json_int_t)(r->records + r->invalid), "invalid", (json_int_t)r->invalid, "added",
			(json_int_t)r->added, "already", (json_int_t)r->known, "accepted",
			(json_int_t)(c.acknowledged + c.final), "rejected", (json_int_t)c.rejected,
			"rejected_now", (json_int_t)(ss.rejected + ss.refused_docs), "pending", (json_int_t)pending, "dead",
			(json_int_t)c.dead, "documents", "total", (json_int_t)c.docs, "final",
			(json_int_t)c.docs_final, "refused", (json_int_t)c.docs_refused, "requests",
			(json_int_t)ss.requests, "retried", (json_int_t)ss.retried, "seconds",
			elapsed(r), "report", report_json(inputs, r->f));
		char *text = o != NULL ? json_dumps(o, JSON_INDENT(2)) : NULL;

		json_decref(o);
		if (text == NULL || puts(text) < 0) {
			free(text);
			return -1;
		}
		free(text);
		return 0;
	}
	if (report_text(stderr, inputs, r->f) != 0)
		return -1;
	printf("submit: %lu record(s) read, %lu invalid, %lu signed into the outbox, %lu there already\n",
	       r->records + r->invalid, r->invalid, r->added, r->known);
	printf("outbox: %lld accepted, %lld rejected, %lld pending, %lld dead; documents: %lld of "
	       "%lld final (%lld refused)\n",
	       c.acknowledged + c.final, c.rejected, pending, c.dead, c.docs_final, c.docs,
	       c.docs_refused);
	if (c.dead > 0)
		printf("dead letters: see 'cebgate status', then 'cebgate submit --retry-dead'\n");
	return 0;
}

/* ---- --follow DIR: the spool directory ------------------------------------------ */

static int
spool_dirs(const char *dir)
{
	char p[4096];

	if (snprintf(p, sizeof(p), "%s/done", dir) >= (int)sizeof(p) ||
	    (mkdir(p, 0755) != 0 && errno != EEXIST))
		return -1;
	if (snprintf(p, sizeof(p), "%s/failed", dir) >= (int)sizeof(p) ||
	    (mkdir(p, 0755) != 0 && errno != EEXIST))
		return -1;
	return 0;
}

/* Move a processed file to done/ or failed/, its report beside it. */
static int
spool_finish(struct run *r, const char *dir, const char *name, const char *path, bool failed,
	     unsigned long recs, unsigned long bad)
{
	char to[4096], rep[4200];
	struct names one = { 0 };
	FILE *fp;
	int ok;

	if (snprintf(to, sizeof(to), "%s/%s/%s", dir, failed ? "failed" : "done", name) >=
		    (int)sizeof(to) ||
	    snprintf(rep, sizeof(rep), "%s.report.txt", to) >= (int)sizeof(rep))
		return -1;
	fp = fopen(rep, "w");
	if (fp == NULL || remember(&one, path) != 0) {
		if (fp != NULL)
			fclose(fp);
		forget(&one);
		return -1;
	}
	fprintf(fp, "%s: %lu record(s), %lu invalid\n", name, recs, bad);
	ok = report_text(fp, &one, r->f) == 0;
	ok = fclose(fp) == 0 && ok;
	forget(&one);
	return ok && rename(path, to) == 0 ? 0 : -1;
}

static cg_rc
spool_one(struct run *r, const char *dir, const char *name)
{
	unsigned long recs = r->records, bad = r->invalid;
	char path[4096];
	cg_rc rc;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return CG_EINVAL;
	cg_findings_clear(r->f);
	bool cut;
	cg_rc flushed;

	rc = ingest_file(r, path);
	flushed = signed_all(r);
	if (rc == CG_OK)
		rc = flushed;
	cut = rc != CG_OK && stop;
	if (rc == CG_OK || cut)
		rc = commit_adds(r); /* recorded before the file leaves the spool */
	if (rc == CG_OK && cut)
		return CG_OK; /* interrupted inside the file: it stays for the next run */
	if (rc != CG_OK && rc != CG_EIO)
		return rc;
	if (spool_finish(r, dir, name, path, rc != CG_OK || r->invalid > bad, r->records - recs,
			 r->invalid - bad) != 0) {
		cli_err("cannot move %s out of the spool", path);
		return CG_EIO;
	}
	r->reported = 0;
	return CG_OK;
}

/* Files present at start are taken too; a name starting with '.' is still being written. */
static cg_rc
spool_scan(struct run *r, const char *dir)
{
	struct dirent **list = NULL;
	int n, i;
	cg_rc rc = CG_OK;

	n = scandir(dir, &list, NULL, alphasort);
	for (i = 0; i < n; i++) {
		struct stat st;
		char p[4096];

		if (rc == CG_OK && !stop && wanted(list[i]->d_name) &&
		    snprintf(p, sizeof(p), "%s/%s", dir, list[i]->d_name) < (int)sizeof(p) &&
		    lstat(p, &st) == 0 && S_ISREG(st.st_mode))
			rc = spool_one(r, dir, list[i]->d_name);
		if (rc == CG_OK)
			rc = pump(r);
		free(list[i]);
	}
	free(list);
	return n < 0 ? CG_EIO : rc;
}

static cg_rc
follow(struct run *r, const char *dir)
{
	cg_rc rc = CG_OK;
	int in_flight = 0;

	if (spool_dirs(dir) != 0) {
		cli_err("cannot make %s/done and %s/failed", dir, dir);
		r->reported = 1;
		return CG_EIO;
	}
	while (rc == CG_OK && !stop) {
		rc = spool_scan(r, dir);
		if (rc == CG_OK)
			rc = cg_submitter_run(r->sub, r->ctx, 250, &in_flight);
		if (rc == CG_OK && in_flight == 0) {
			struct timespec nap = { 0, 100 * 1000 * 1000 };

			(void)nanosleep(&nap, NULL);
		}
	}
	return rc;
}

/* ---- the command ---------------------------------------------------------------- */

static void
usage(FILE *out)
{
	(void)help_print("cebgate submit", out);
}

struct args {
	cg_sign_options so;
	cg_normalize_options no;
	struct cli_channel ch;
	const char *pass_file, *pass_env, *follow, *jobs;
	cg_from from;
	bool json, wait_final, resume, retry_dead;
};

static int
parse(struct args *a, int argc, char **argv)
{
	enum { O_PROFILE = CLI_OPT_LAST + 1, O_PASS_FILE, O_PASS_ENV, O_MAP, O_TYPE, O_FROM, O_JSON,
	       O_WAIT, O_RESUME, O_RETRY_DEAD, O_FOLLOW };
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' }, { "cert", required_argument, NULL, 'c' },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "pass-file", required_argument, NULL, O_PASS_FILE },
		{ "pass-env", required_argument, NULL, O_PASS_ENV },
		{ "map", required_argument, NULL, O_MAP }, { "type", required_argument, NULL, O_TYPE },
		{ "from", required_argument, NULL, O_FROM }, { "json", no_argument, NULL, O_JSON },
		{ "wait-final", no_argument, NULL, O_WAIT }, { "resume", no_argument, NULL, O_RESUME },
		{ "retry-dead", no_argument, NULL, O_RETRY_DEAD },
		{ "follow", required_argument, NULL, O_FOLLOW }, { "help", no_argument, NULL, 'h' },
		{ "jobs", required_argument, NULL, 'j' },
		CLI_CHANNEL_LONGOPTS, { NULL, 0, NULL, 0 }
	};
	int c, used;

	while ((c = getopt_long(argc, argv, "k:c:hj:", opts, NULL)) != -1) {
		used = cli_channel_option(&a->ch, c, optarg);
		if (used < 0)
			return -1;
		if (used > 0)
			continue;
		switch (c) {
		case 'k': a->so.key = optarg; break;
		case 'c': a->so.cert = optarg; break;
		case O_PROFILE: a->so.profile = optarg; break;
		case O_PASS_FILE: a->pass_file = optarg; break;
		case O_PASS_ENV: a->pass_env = optarg; break;
		case O_MAP: a->no.profile = optarg; break;
		case O_TYPE: a->no.type = (int)strtol(optarg, NULL, 10); break;
		case O_FROM:
			a->from = strcmp(optarg, "csv") == 0 ? CG_FROM_CSV
				  : strcmp(optarg, "ndjson") == 0 ? CG_FROM_NDJSON
				  : strcmp(optarg, "xml") == 0 ? CG_FROM_XML : (cg_from)-1;
			if ((int)a->from < 0)
				return -1;
			break;
		case O_JSON: a->json = true; break;
		case O_WAIT: a->wait_final = true; break;
		case O_RESUME: a->resume = true; break;
		case O_RETRY_DEAD: a->retry_dead = true; break;
		case O_FOLLOW: a->follow = optarg; break;
		case 'j': a->jobs = optarg; break;
		case 'h': usage(stdout); exit(CLI_OK);
		default: return -1;
		}
	}
	/* Only the outbox's own work (resume, retry-dead) needs neither inputs nor a key. */
	if (optind >= argc && a->follow == NULL && !a->resume && !a->retry_dead)
		return -1;
	if ((optind < argc || a->follow != NULL) && a->so.key == NULL)
		return -1;
	return cli_jobs(a->jobs) < 0 ? -1 : 0;
}

/* The signing workers: -j N, every processor by default, one for a token's key. */
static cg_rc
make_pool(struct run *r, const struct args *a)
{
	cg_pool_options po = CG_POOL_OPTIONS_INIT;

	r->jobs = cg_signer_forkable(r->signer) ? cli_jobs(a->jobs) : 1;
	po.workers = r->jobs;
	po.payload = r;
	po.worker_new = signer_new;
	po.worker_free = signer_free;
	po.work = sign_work;
	po.done = record_signed;
	po.discard = job_free;
	return cg_pool_new(&r->pool, r->ctx, &po);
}

static cg_rc
setup(struct run *r, struct args *a, const char *pass)
{
	cg_rc rc = cg_ctx_new(&r->ctx);

	if (rc == CG_OK)
		rc = cg_findings_new(&r->f);
	if (rc == CG_OK)
		rc = cg_outbox_open(&r->ob, r->ctx, a->ch.outbox);
	if (rc == CG_OK)
		rc = cg_submitter_new(&r->sub, r->ctx, r->ob, &a->ch.o);
	if (rc != CG_OK || a->so.key == NULL)
		return rc;
	a->so.passphrase = pass[0] != '\0' ? pass : NULL;
	rc = cg_signer_new(&r->signer, r->ctx, &a->so);
	if (rc == CG_OK)
		rc = make_pool(r, a);
	a->no.emit = emit;
	a->no.payload = r;
	a->no.now = getenv("CEBGATE_NOW");
	if (rc == CG_OK)
		rc = cg_normalizer_new(&r->norm, r->ctx, NULL, &a->no);
	return rc;
}

static void
teardown(struct run *r)
{
	if (r->ob != NULL && r->open_tx > 0)
		cg_outbox_rollback(r->ob);
	cg_submitter_free(r->sub);
	cg_normalizer_free(r->norm);
	cg_validator_free(r->dxpv);
	cg_pool_free(r->pool); /* records never recorded are signed again next time */
	cg_signer_free(r->signer);
	cg_outbox_close(r->ob);
	cg_findings_free(r->f);
	cg_ctx_free(r->ctx);
}

/* A previous run's leases are void; dead letters go back when asked. */
static cg_rc
prepare(struct run *r, const struct args *a)
{
	cg_outbox_counts c;
	long long n = 0;
	cg_rc rc = cg_outbox_recover(r->ob, r->ctx);

	if (rc == CG_OK)
		rc = cg_outbox_counts_get(r->ob, r->ctx, &c);
	r->refused_before = rc == CG_OK ? c.docs_refused : 0;

	if (rc == CG_OK && a->retry_dead) {
		rc = cg_outbox_release_dead(r->ob, r->ctx, &n);
		if (rc == CG_OK && !a->json)
			printf("submit: %lld dead letter(s) back in the queue\n", n);
	}
	return rc;
}

static cg_rc
work(struct run *r, const struct args *a, int argc, char **argv, struct names *inputs)
{
	cg_rc rc = prepare(r, a), flushed;
	int i;

	for (i = optind; rc == CG_OK && i < argc && !stop; i++) {
		if (remember(inputs, argv[i]) != 0)
			return CG_ENOMEM;
		rc = ingest_path(r, argv[i]);
	}
	if (rc == CG_OK && a->follow != NULL)
		rc = follow(r, a->follow);
	/* What the workers signed goes into the outbox before anything else, even when stopped. */
	flushed = signed_all(r);
	if (rc == CG_OK)
		rc = flushed;
	if (rc == CG_OK || (rc == CG_EIO && stop))
		rc = drain(r);
	if (rc == CG_OK && !stop && track(r, &a->ch.o, a->wait_final) != CG_OK)
		/* Receipts can be fetched later (cebgate receipts): the submission stands. */
		cli_err("receipts not fetched: %s", cg_ctx_errmsg(r->ctx));
	return rc;
}

int
cmd_submit(int argc, char **argv)
{
	cg_sign_options so = CG_SIGN_OPTIONS_INIT;
	cg_normalize_options no = CG_NORMALIZE_OPTIONS_INIT;
	struct args a;
	struct run r = { 0 };
	struct names inputs = { 0 };
	struct sigaction sa;
	char pass[1024] = "";
	int status = CLI_USAGE;
	cg_rc rc;

	memset(&a, 0, sizeof(a));
	a.so = so;
	a.no = no;
	a.from = CG_FROM_AUTO;
	cli_channel_init(&a.ch);
	if (parse(&a, argc, argv) != 0) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (cli_channel_ready(&a.ch) != 0)
		return CLI_USAGE;
	if (cli_passphrase(a.pass_file, a.pass_env, pass, sizeof(pass)) != 0) {
		cli_err("cannot read the passphrase");
		return CLI_USAGE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	stop = 0;
	r.tty = isatty(STDERR_FILENO) && !a.json;
	r.from = a.from;
	(void)clock_gettime(CLOCK_MONOTONIC, &r.t0);
	rc = setup(&r, &a, pass);
	memset(pass, 0, sizeof(pass));
	if (rc == CG_OK)
		rc = work(&r, &a, argc, argv, &inputs);
	if (rc != CG_OK && !r.reported)
		cli_err("%s: %s", cg_strerror(rc), cg_ctx_errmsg(r.ctx));
	if (r.ob != NULL && r.sub != NULL && summary(&r, &inputs, a.json, &status) != 0)
		status = CLI_USAGE;
	if (rc != CG_OK && !(rc == CG_EIO && stop))
		status = CLI_USAGE;
	forget(&inputs);
	teardown(&r);
	return status;
}
