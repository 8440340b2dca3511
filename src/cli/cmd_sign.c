/* SPDX-License-Identifier: MIT */
/*
 * cebgate sign --key KEY [--cert CERT] [--profile P] [--pass-file F | --pass-env VAR]
 *              [--sm2-der] [--uris F] [--no-self-check] [--dxp --sender-id ID] IN... [-o OUT]
 * The key is loaded once for all inputs. A passphrase never comes from argv.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
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
	const char *out;  /* file or directory, NULL = stdout */
	int out_is_dir;
	const char *sender;
	int failed;
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

static int
write_out(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	FILE *fp;
	int ok;

	if (path == NULL)
		return fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -1;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return -1;
	fp = fopen(tmp, "wb");
	if (fp == NULL)
		return -1;
	ok = fwrite(data, 1, len, fp) == len;
	ok = fclose(fp) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
sign_one(struct signrun *r, const char *in)
{
	char *data = NULL, *signed_xml = NULL, *env = NULL, target[4096];
	const char *base = strrchr(in, '/'), *dest = r->out;
	size_t len = 0, slen = 0, elen = 0;
	cg_rc rc;

	if (cli_read_file(in, READ_MAX, &data, &len) != 0) {
		cli_err("cannot read %s", in);
		return -1;
	}
	rc = cg_sign_buffer(r->s, r->ctx, data, len, &signed_xml, &slen);
	if (rc == CG_OK && r->sender != NULL) {
		cg_dxp_options d = { NULL, r->sender, NULL, NULL };

		rc = cg_dxp_wrap(r->ctx, signed_xml, slen, &d, &env, &elen);
	}
	free(data);
	if (rc != CG_OK) {
		cli_err("%s: %s: %s", in, cg_strerror(rc), cg_ctx_errmsg(r->ctx));
		cg_free(signed_xml);
		r->failed++;
		return rc == CG_ENOMEM ? -1 : 0;
	}
	if (r->out_is_dir) {
		(void)snprintf(target, sizeof(target), "%s/%s", r->out,
			       base != NULL ? base + 1 : (strcmp(in, "-") == 0 ? "stdin.xml" : in));
		dest = target;
	}
	if (write_out(dest, env != NULL ? env : signed_xml, env != NULL ? elen : slen) != 0) {
		cli_err("cannot write %s", dest != NULL ? dest : "stdout");
		cg_free(signed_xml);
		cg_free(env);
		return -1;
	}
	cg_free(signed_xml);
	cg_free(env);
	return 0;
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
		{ "no-self-check", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 }
	};
	cg_sign_options so = CG_SIGN_OPTIONS_INIT;
	struct signrun r = { 0 };
	const char *pass_file = NULL, *pass_env = NULL;
	char pass[1024];
	int c, dxp = 0, i, status = CLI_USAGE;
	struct stat st;

	while ((c = getopt_long(argc, argv, "k:c:p:P:E:DU:xS:o:hN", opts, NULL)) != -1) {
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
		case 'h': usage(stdout); return CLI_OK;
		default: usage(stderr); return CLI_USAGE;
		}
	}
	if (so.key == NULL || optind >= argc || (dxp && r.sender == NULL)) {
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
	for (i = optind; i < argc; i++) {
		if (sign_path(&r, argv[i]) != 0)
			goto out;
	}
	status = r.failed > 0 ? CLI_INVALID : CLI_OK;
out:
	memset(pass, 0, sizeof(pass));
	cg_signer_free(r.s);
	cg_ctx_free(r.ctx);
	return status;
}
