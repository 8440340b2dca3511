/* SPDX-License-Identifier: MIT */
/*
 * cebgate demo: the README's main job. Normalizes the bundled merchant files
 * (CSV in UTF-8 and GB18030, NDJSON, a merchant profile, a file with bad rows)
 * and validates the results together with the bundled CEB samples, printing
 * the report; signs and verifies; then runs the declarants' whole pipeline
 * against a cebgated of its own (demo_pipeline.c).
 */
#include "config.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "help.h"

static void
heading(const char *text)
{
	printf("\n== %s\n", text);
	fflush(stdout);
}

static int
normalize_step(const char *samples, const char *out, const char *file, const char *profile,
	       const char *log)
{
	char in[8192], prof[8192], logpath[8192];
	char *argv[12];
	int i = 0;

	(void)snprintf(in, sizeof(in), "%s/merchant/%s", samples, file);
	(void)snprintf(prof, sizeof(prof), "%s/merchant/%s", samples, profile);
	(void)snprintf(logpath, sizeof(logpath), "%s/%s", out, log);
	argv[i++] = (char *)"normalize";
	argv[i++] = (char *)"--map";
	argv[i++] = prof;
	argv[i++] = (char *)"--log";
	argv[i++] = logpath;
	argv[i++] = (char *)"-o";
	argv[i++] = (char *)out;
	argv[i++] = in;
	argv[i] = NULL;
	printf("$ cebgate normalize --map %s %s -o OUT\n", profile, file);
	fflush(stdout);
	return cli_run(cmd_normalize, argv);
}

static int
expect(const char *what, int got, int want)
{
	if (got == want)
		return 0;
	cli_err("%s: exit %d, expected %d", what, got, want);
	return 1;
}

/* Make a tampered copy of @p in: the first totalPrice gains one yuan. */
static int
tamper(const char *in, const char *outpath)
{
	char *data = NULL, *p;
	size_t len;
	FILE *fp;
	int ok;

	if (cli_read_file(in, 16u * 1024u * 1024u, &data, &len) != 0)
		return -1;
	p = strstr(data, "<ceb:totalPrice>");
	if (p != NULL)
		p[strlen("<ceb:totalPrice>")] = p[strlen("<ceb:totalPrice>")] == '9' ? '8' : '9';
	fp = fopen(outpath, "wb");
	ok = fp != NULL && fwrite(data, 1, len, fp) == len;
	ok = fp != NULL && fclose(fp) == 0 && ok;
	free(data);
	return ok && p != NULL ? 0 : -1;
}

/* Sign the normalized orders with a throwaway SM2 certificate, verify, wrap, tamper. */
static int
sign_steps(const char *out)
{
	char key[8192], cert[8192], signed_dir[8192], dxp_dir[8192], one[16384], bad[16384];
	char *args[16];
	cg_ctx *ctx = NULL;
	int failures = 0;
	struct dirent *e;
	DIR *d;

	(void)snprintf(key, sizeof(key), "%s/demo-sm2.key", out);
	(void)snprintf(cert, sizeof(cert), "%s/demo-sm2.crt", out);
	(void)snprintf(signed_dir, sizeof(signed_dir), "%s/signed", out);
	(void)snprintf(dxp_dir, sizeof(dxp_dir), "%s/dxp", out);
	heading("4. Sign the orders (SM2-SM3, the 202205 profile) with a throwaway certificate");
	if (cg_ctx_new(&ctx) != CG_OK ||
	    cg_make_demo_identity(ctx, 1, "示例跨境购平台 demo", 0x3000000000CDE6FULL, 30, key,
				  cert) != CG_OK) {
		cli_err("cannot make a demo certificate: %s", cg_ctx_errmsg(ctx));
		cg_ctx_free(ctx);
		return 1;
	}
	cg_ctx_free(ctx);
	printf("$ cebgate sign --key demo-sm2.key --cert demo-sm2.crt OUT -o OUT/signed\n");
	fflush(stdout);
	args[0] = (char *)"sign";
	args[1] = (char *)"--key";
	args[2] = key;
	args[3] = (char *)"--cert";
	args[4] = cert;
	args[5] = (char *)out;
	args[6] = (char *)"-o";
	args[7] = signed_dir;
	args[8] = NULL;
	failures += expect("sign", cli_run(cmd_sign, args), CLI_OK);
	heading("5. Verify the signatures, and validate the signed orders without --unsigned");
	args[0] = (char *)"verify";
	args[1] = signed_dir; /* a directory is read file by file below */
	d = opendir(signed_dir);
	one[0] = '\0';
	while (d != NULL && (e = readdir(d)) != NULL && one[0] == '\0') {
		if (strstr(e->d_name, ".xml") != NULL)
			(void)snprintf(one, sizeof(one), "%s/%s", signed_dir, e->d_name);
	}
	if (d != NULL)
		closedir(d);
	args[1] = (char *)"--explain";
	args[2] = one;
	args[3] = NULL;
	failures += expect("verify --explain", cli_run(cmd_verify, args), CLI_OK);
	args[1] = signed_dir;
	args[2] = NULL;
	failures += expect("verify", cli_run(cmd_verify, args), CLI_OK);
	args[0] = (char *)"validate";
	args[1] = (char *)"--quiet";
	args[2] = signed_dir;
	args[3] = NULL;
	failures += expect("validate signed", cli_run(cmd_validate, args), CLI_OK);
	heading("6. Wrap a signed order in a DxpMsg envelope and verify through the envelope");
	args[0] = (char *)"sign";
	args[1] = (char *)"--key";
	args[2] = key;
	args[3] = (char *)"--cert";
	args[4] = cert;
	args[5] = (char *)"--dxp";
	args[6] = (char *)"--sender-id";
	args[7] = (char *)"DXPENT0000999901";
	args[8] = (char *)out;
	args[9] = (char *)"-o";
	args[10] = dxp_dir;
	args[11] = NULL;
	failures += expect("sign --dxp", cli_run(cmd_sign, args), CLI_OK);
	args[0] = (char *)"verify";
	args[1] = dxp_dir;
	args[2] = NULL;
	failures += expect("verify envelopes", cli_run(cmd_verify, args), CLI_OK);
	heading("7. A signed order changed after signing is refused, and verify --explain says why");
	(void)snprintf(bad, sizeof(bad), "%s/tampered.xml", out);
	if (one[0] == '\0' || tamper(one, bad) != 0) {
		cli_err("cannot make the tampered copy");
		return failures + 1;
	}
	args[0] = (char *)"verify";
	args[1] = (char *)"--explain";
	args[2] = bad;
	args[3] = NULL;
	failures += expect("verify tampered", cli_run(cmd_verify, args), CLI_INVALID);
	return failures;
}

int
cmd_demo(int argc, char **argv)
{
	static const struct {
		const char *file, *profile, *log;
		int expect;
	} steps[] = {
		{ "orders-en.csv", "default.profile", "log-en.tsv", CLI_OK },
		{ "orders-zh.csv", "default.profile", "log-zh.tsv", CLI_OK },
		{ "orders-gb18030.csv", "default.profile", "log-gb18030.tsv", CLI_OK },
		{ "orders.ndjson", "default.profile", "log-ndjson.tsv", CLI_OK },
		{ "orders-profile.csv", "shopx.profile", "log-shopx.tsv", CLI_OK },
		{ "orders-bad.csv", "default.profile", "log-bad.tsv", CLI_INVALID },
	};
	char samples[4096], out[4096], valid[8192], invalid[8192];
	const char *tmp = getenv("TMPDIR");
	char *vargs[8];
	size_t i;
	int rc, failures = 0;

	if (argc > 1) {
		bool help = strcmp(argv[1], "--help") == 0;

		(void)help_print("cebgate demo", help ? stdout : stderr);
		return help ? CLI_OK : CLI_USAGE;
	}
	(void)snprintf(samples, sizeof(samples), "%s/samples", cg_datadir());
	(void)snprintf(out, sizeof(out), "%s/cebgate-demo-XXXXXX",
		       tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (access(samples, R_OK) != 0 || mkdtemp(out) == NULL) {
		cli_err("samples not found under %s", cg_datadir());
		return CLI_USAGE;
	}
	printf("cebgate demo: samples from %s, output in %s\n", samples, out);
	heading("1. Normalize merchant files into canonical CEB311 orders (统一数据标准)");
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		rc = normalize_step(samples, out, steps[i].file, steps[i].profile, steps[i].log);
		if (rc != steps[i].expect) {
			cli_err("%s: exit %d, expected %d", steps[i].file, rc, steps[i].expect);
			failures++;
		}
	}
	heading("2. Validate what was written, and the bundled CEB messages (--unsigned: before signing)");
	(void)snprintf(valid, sizeof(valid), "%s/xml/unsigned", samples);
	vargs[0] = (char *)"validate";
	vargs[1] = (char *)"--unsigned";
	vargs[2] = (char *)"--quiet";
	vargs[3] = out;
	vargs[4] = valid;
	vargs[5] = NULL;
	rc = cli_run(cmd_validate, vargs);
	if (rc != CLI_OK) {
		cli_err("the normalized and bundled messages should all be valid (exit %d)", rc);
		failures++;
	}
	heading("3. Validate the bundled defective messages: each is refused with its finding");
	(void)snprintf(invalid, sizeof(invalid), "%s/xml/invalid", samples);
	vargs[3] = invalid;
	vargs[4] = NULL;
	rc = cli_run(cmd_validate, vargs);
	if (rc != CLI_INVALID) {
		cli_err("the defective samples should be refused (exit %d)", rc);
		failures++;
	}
	failures += sign_steps(out);
	failures += cli_demo_pipeline(samples, out);
	heading("Summary");
	printf("canonical messages and change logs (normalize-log) are in %s\n", out);
	printf("%s\n", failures == 0 ? "demo finished: every step behaved as expected"
				     : "demo FAILED: see the errors above");
	return failures == 0 ? CLI_OK : CLI_INVALID;
}
