/* SPDX-License-Identifier: MIT */
/*
 * cebgate demo: the README's main job. Normalizes the bundled merchant files
 * (CSV in UTF-8 and GB18030, NDJSON, a merchant profile, a file with bad rows)
 * and validates the results together with the bundled CEB samples, printing
 * the report. Later milestones widen it to the whole pipeline.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static int
run(int (*cmd)(int, char **), char **argv)
{
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	optind = 0; /* GNU getopt: start afresh for each subcommand */
	return cmd(argc, argv);
}

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
	argv[i++] = (char *)"--profile";
	argv[i++] = prof;
	argv[i++] = (char *)"--log";
	argv[i++] = logpath;
	argv[i++] = (char *)"-o";
	argv[i++] = (char *)out;
	argv[i++] = in;
	argv[i] = NULL;
	printf("$ cebgate normalize --profile %s %s -o OUT\n", profile, file);
	fflush(stdout);
	return run(cmd_normalize, argv);
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

	(void)argc;
	(void)argv;
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
	(void)snprintf(valid, sizeof(valid), "%s/xml/valid", samples);
	vargs[0] = (char *)"validate";
	vargs[1] = (char *)"--unsigned";
	vargs[2] = (char *)"--quiet";
	vargs[3] = out;
	vargs[4] = valid;
	vargs[5] = NULL;
	rc = run(cmd_validate, vargs);
	if (rc != CLI_OK) {
		cli_err("the normalized and bundled messages should all be valid (exit %d)", rc);
		failures++;
	}
	heading("3. Validate the bundled defective messages: each is refused with its finding");
	(void)snprintf(invalid, sizeof(invalid), "%s/xml/invalid", samples);
	vargs[3] = invalid;
	vargs[4] = NULL;
	rc = run(cmd_validate, vargs);
	if (rc != CLI_INVALID) {
		cli_err("the defective samples should be refused (exit %d)", rc);
		failures++;
	}
	heading("Summary");
	printf("canonical messages and change logs (normalize-log) are in %s\n", out);
	printf("%s\n", failures == 0 ? "demo finished: every step behaved as expected"
				     : "demo FAILED: see the errors above");
	return failures == 0 ? CLI_OK : CLI_INVALID;
}
