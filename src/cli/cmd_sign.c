/* SPDX-License-Identifier: MIT */
/*
 * cebgate sign --key KEY [--cert CERT] [--profile P] [--pass-file F | --pass-env VAR]
 *              [--sm2-der] [--uris F] [--no-self-check] [--dxp --sender-id ID] IN... [-o OUT]
 * The key is loaded once for all inputs. A passphrase never comes from argv.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "help.h"

#define READ_MAX (16u * 1024u * 1024u + 1u)

struct signrun {
	cg_signer *s;
	cg_ctx *ctx;
	cg_pool *pool;
	int jobs;
	const char *out;  /* file or directory, NULL = stdout */
	int out_is_dir;
	const char *sender;
	int failed;
};

/* One input: read, signed and written by a worker; reported in input order. */
struct signjob {
	char *in;
	char *dest;         /* output file, NULL: stdout (written in order by done) */
	const char *sender; /* --dxp: the envelope's SenderId, else NULL */
	char *out;          /* the signed message, kept for stdout */
	size_t outlen;
	enum { SJ_OK, SJ_UNREADABLE, SJ_REFUSED, SJ_UNWRITABLE } what;
};

static void
usage(FILE *out)
{
	(void)help_print("cebgate sign", out);
}

/* A passphrase comes from a file (first line) or an environment variable. */
int
cli_passphrase(const char *file, const char *env, char *buf, size_t size)
{
	FILE *fp;
	size_t n;

	buf[0] = '\0';
	if (env != NULL) {
		const char *v = getenv(env);

		if (v == NULL)
			return -1;
		if (snprintf(buf, size, "%s", v) >= (int)size)
			return -1;
		return 0;
	}
	if (file == NULL)
		return 0;
	fp = fopen(file, "r");
	if (fp == NULL || fgets(buf, (int)size, fp) == NULL) {
		if (fp != NULL)
			fclose(fp);
		return -1;
	}
	fclose(fp);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return 0;
}

/*
 * @p path replaced whole: written under a temporary name beside it, then
 * renamed over it, so no reader sees half a message. With open/write rather
 * than stdio: no FILE, buffer and fstat per message.
 */
/* This process's id, for temporary names: taken once (glibc asks the kernel each time). */
static long run_pid;

static int
write_out(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	size_t off = 0;
	ssize_t n;
	int fd, ok;

	if (path == NULL)
		return fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -1;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, run_pid) >= (int)sizeof(tmp))
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	ok = off == len;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void
job_free(struct signjob *j)
{
	free(j->in);
	free(j->dest);
	cg_free(j->out);
	free(j);
}

/* On a worker: read, sign and maybe wrap; the output is written in input order. */
static cg_rc
sign_work(void *state, cg_ctx *ctx, void *job)
{
	struct signjob *j = job;
	char *data = NULL, *signed_xml = NULL, *env = NULL;
	size_t len = 0, slen = 0, elen = 0;
	cg_rc rc;

	if (cli_read_file(j->in, READ_MAX, &data, &len) != 0) {
		j->what = SJ_UNREADABLE;
		return CG_EIO;
	}
	rc = cg_sign_buffer(state, ctx, data, len, &signed_xml, &slen);
	free(data);
	if (rc == CG_OK && j->sender != NULL) {
		cg_dxp_options d = { NULL, j->sender, NULL, NULL };

		rc = cg_dxp_wrap(ctx, signed_xml, slen, &d, &env, &elen);
		cg_free(signed_xml);
		signed_xml = env;
		slen = elen;
	}
	if (rc != CG_OK) {
		j->what = SJ_REFUSED;
		cg_free(signed_xml);
		return rc;
	}
	/*
	 * Written by sign_done() on the calling thread, not here: files created
	 * in one directory by two threads at once contend for the directory's
	 * lock in the kernel, which spins (16 % of -j 2's samples for SM2).
	 */
	j->out = signed_xml;
	j->outlen = slen;
	return CG_OK;
}

/* In input order: what -j 1 would have said and written, and whether to go on. */
static cg_rc
sign_done(void *payload, void *job, cg_rc rc, const char *errmsg)
{
	struct signrun *r = payload;
	struct signjob *j = job;
	cg_rc next = CG_OK;

	switch (j->what) {
	case SJ_UNREADABLE:
		cli_err("cannot read %s", j->in);
		next = CG_EIO;
		break;
	case SJ_REFUSED:
		cli_err("%s: %s: %s", j->in, cg_strerror(rc), errmsg);
		r->failed++;
		next = rc == CG_ENOMEM ? rc : CG_OK;
		break;
	case SJ_UNWRITABLE:
		cli_err("cannot write %s", j->dest);
		next = CG_EIO;
		break;
	case SJ_OK:
		if (write_out(j->dest, j->out, j->outlen) != 0) {
			if (j->dest != NULL)
				cli_err("cannot write %s", j->dest);
			else
				cli_err("cannot write stdout");
			next = CG_EIO;
		}
		break;
	}
	job_free(j);
	return next;
}

static void
sign_discard(void *payload, void *job)
{
	(void)payload;
	job_free(job);
}

static cg_rc
signer_new(void *payload, cg_ctx *ctx, void **state)
{
	struct signrun *r = payload;

	if (r->jobs == 1) {
		*state = r->s;
		return CG_OK;
	}
	return cg_signer_fork((cg_signer **)state, ctx, r->s);
}

static void
signer_free(void *payload, void *state)
{
	struct signrun *r = payload;

	if (state != r->s)
		cg_signer_free(state);
}

static int
sign_one(struct signrun *r, const char *in)
{
	struct signjob *j = calloc(1, sizeof(*j));
	const char *base = strrchr(in, '/');
	char target[4096];

	if (j == NULL || (j->in = strdup(in)) == NULL) {
		free(j);
		return -1;
	}
	if (r->out_is_dir) {
		(void)snprintf(target, sizeof(target), "%s/%s", r->out,
			       base != NULL ? base + 1 : (strcmp(in, "-") == 0 ? "stdin.xml" : in));
		j->dest = strdup(target);
	} else if (r->out != NULL) {
		j->dest = strdup(r->out);
	}
	if (r->out != NULL && j->dest == NULL) {
		job_free(j);
		return -1;
	}
	j->sender = r->sender;
	return cg_pool_put(r->pool, j) == CG_OK ? 0 : -1;
}
static int
sign_path(struct signrun *r, const char *in)
{
	struct stat st;
	struct dirent **list = NULL;
	char path[4096];
	int n, i, rc = 0;

	if (strcmp(in, "-") == 0 || stat(in, &st) != 0 || !S_ISDIR(st.st_mode))
		return sign_one(r, in);
	n = scandir(in, &list, NULL, alphasort);
	for (i = 0; i < n; i++) {
		size_t l = strlen(list[i]->d_name);

		if (rc == 0 && l > 4 && strcmp(list[i]->d_name + l - 4, ".xml") == 0 &&
		    snprintf(path, sizeof(path), "%s/%s", in, list[i]->d_name) < (int)sizeof(path))
			rc = sign_one(r, path);
		free(list[i]);
	}
	free(list);
	return rc;
}

int
cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },       { "cert", required_argument, NULL, 'c' },
		{ "profile", required_argument, NULL, 'p' },   { "pass-file", required_argument, NULL, 'P' },
		{ "pass-env", required_argument, NULL, 'E' },  { "sm2-der", no_argument, NULL, 'D' },
		{ "uris", required_argument, NULL, 'U' },      { "dxp", no_argument, NULL, 'x' },
		{ "sender-id", required_argument, NULL, 'S' }, { "help", no_argument, NULL, 'h' },
		{ "no-self-check", no_argument, NULL, 'N' }, { "jobs", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	cg_sign_options so = CG_SIGN_OPTIONS_INIT;
	struct signrun r = { 0 };
	cg_pool_options po = CG_POOL_OPTIONS_INIT;
	const char *pass_file = NULL, *pass_env = NULL, *jobs = NULL;
	char pass[1024];
	int c, dxp = 0, i, status = CLI_USAGE;
	struct stat st;

	while ((c = getopt_long(argc, argv, "k:c:p:P:E:DU:xS:o:hNj:", opts, NULL)) != -1) {
		switch (c) {
		case 'k': so.key = optarg; break;
		case 'c': so.cert = optarg; break;
		case 'p': so.profile = optarg; break;
		case 'P': pass_file = optarg; break;
		case 'E': pass_env = optarg; break;
		case 'D': so.sm2_der = 1; break;
		case 'U': so.uris = optarg; break;
		case 'x': dxp = 1; break;
		case 'N': so.self_check = 0; break;
		case 'S': r.sender = optarg; break;
		case 'o': r.out = optarg; break;
		case 'j': jobs = optarg; break;
		case 'h': usage(stdout); return CLI_OK;
		default: usage(stderr); return CLI_USAGE;
		}
	}
	r.jobs = cli_jobs(jobs);
	run_pid = (long)getpid();
	if (so.key == NULL || optind >= argc || (dxp && r.sender == NULL) || r.jobs < 0) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!dxp)
		r.sender = NULL;
	if (cli_passphrase(pass_file, pass_env, pass, sizeof(pass)) != 0) {
		cli_err("cannot read the passphrase from %s", pass_env != NULL ? pass_env : pass_file);
		return CLI_USAGE;
	}
	so.passphrase = pass[0] != '\0' ? pass : NULL;
	/* Several inputs, or a directory of them, go into a directory. */
	r.out_is_dir = r.out != NULL && ((stat(r.out, &st) == 0 && S_ISDIR(st.st_mode)) ||
					 argc - optind > 1 ||
					 (stat(argv[optind], &st) == 0 && S_ISDIR(st.st_mode)));
	if (r.out_is_dir && mkdir(r.out, 0777) != 0 && errno != EEXIST) {
		cli_err("cannot create %s", r.out);
		return CLI_USAGE;
	}
	if (cg_ctx_new(&r.ctx) != CG_OK)
		return CLI_USAGE;
	if (cg_signer_new(&r.s, r.ctx, &so) != CG_OK) {
		cli_err("%s", cg_ctx_errmsg(r.ctx));
		goto out;
	}
	/* A token's key signs on one thread. */
	if (r.jobs > 1 && !cg_signer_forkable(r.s))
		r.jobs = 1;
	po.workers = r.jobs;
	po.payload = &r;
	po.worker_new = signer_new;
	po.worker_free = signer_free;
	po.work = sign_work;
	po.done = sign_done;
	po.discard = sign_discard;
	if (cg_pool_new(&r.pool, r.ctx, &po) != CG_OK) {
		cli_err("%s", cg_ctx_errmsg(r.ctx));
		goto out;
	}
	for (i = optind; i < argc; i++) {
		if (sign_path(&r, argv[i]) != 0)
			goto out;
	}
	if (cg_pool_flush(r.pool) != CG_OK)
		goto out;
	status = r.failed > 0 ? CLI_INVALID : CLI_OK;
out:
	cg_pool_free(r.pool);
	memset(pass, 0, sizeof(pass));
	cg_signer_free(r.s);
	cg_ctx_free(r.ctx);
	return status;
}
