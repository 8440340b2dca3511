/* SPDX-License-Identifier: MIT */
/*
 * cebgate receipts: pull the service's receipt feed (or the dir channel's
 * inbox) into the outbox and show where each declaration stands;
 * cebgate status KEY: one declaration's history.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "cli.h"
#include "help.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *
meaning(const char *status, int kind)
{
	int final = 0;

	if (*status == '\0')
		return "waiting for a receipt";
	(void)cg_receipt_rank(kind, status, &final);
	if (status[0] == '-' || strcmp(status, "100") == 0 || strncmp(status, "DXP", 3) == 0 ||
	    strcmp(status, "conflict") == 0 || strcmp(status, "rejected") == 0)
		return "refused (final)";
	return final ? "final" : "in progress";
}

/* The electronic tax bills (CEB816/818) by taxNo, with their status (ceb-spec §5.2). */
static void
print_tax_bills(json_t *bills)
{
	static const char *const words[] = { "", "issued", "deducted (summarised)", "cancelled" };
	json_t *b;
	size_t i;

	if (json_array_size(bills) == 0)
		return;
	printf("\n%-24s %-20s %-12s %-12s %-12s %s\n", "tax bill", "inventory", "duty", "VAT",
	       "consumption", "status");
	json_array_foreach(bills, i, b)
	{
		const char *st = json_string_value(json_object_get(b, "status"));
		int n = st != NULL && st[0] >= '1' && st[0] <= '3' && st[1] == '\0' ? st[0] - '0' : 0;
		const char *f[5] = { "taxNo", "invtNo", "customsTax", "valueAddedTax", "consumptionTax" };
		const char *v[5];
		size_t k;

		for (k = 0; k < 5; k++) {
			v[k] = json_string_value(json_object_get(b, f[k]));
			v[k] = v[k] != NULL ? v[k] : "-";
		}
		printf("%-24s %-20s %-12s %-12s %-12s %s %s\n", v[0], v[1], v[2], v[3], v[4],
		       st != NULL ? st : "-", words[n]);
	}
}

/* The export summary results (CEB792) by declSeqNo, later results merged in (ceb-export-spec §3.12). */
static void
print_summary_results(json_t *results)
{
	json_t *r;
	size_t i;

	if (json_array_size(results) == 0)
		return;
	printf("\n%-20s %-20s %-20s %-20s %-20s %s\n", "summary declaration", "sumNo", "decTmpNo", "decPreNo",
	       "entryId", "decState");
	json_array_foreach(results, i, r)
	{
		const char *f[6] = { "declSeqNo", "sumNo", "decTmpNo", "decPreNo", "entryId", "decState" };
		const char *v[6];
		size_t k;

		for (k = 0; k < 6; k++) {
			v[k] = json_string_value(json_object_get(r, f[k]));
			v[k] = v[k] != NULL && v[k][0] != '\0' ? v[k] : "-";
		}
		printf("%-20s %-20s %-20s %-20s %-20s %s\n", v[0], v[1], v[2], v[3], v[4], v[5]);
	}
}

int
cli_print_documents(cg_outbox *ob, cg_ctx *ctx, int only_open)
{
	json_t *root, *docs;
	char *text = NULL;
	size_t i;

	if (cg_outbox_list_json(ob, ctx, only_open, &text) != CG_OK)
		return -1;
	root = json_loads(text, 0, NULL);
	cg_free(text);
	docs = json_object_get(root, "documents");
	printf("%-6s %-20s %-24s %-13s %-9s %s\n", "type", "enterprise", "number", "declaration",
	       "status", "meaning");
	for (i = 0; i < json_array_size(docs); i++) {
		json_t *d = json_array_get(docs, i);
		const char *rs = json_string_value(json_object_get(d, "returnStatus"));
		int kind = (int)json_integer_value(json_object_get(d, "type"));

		printf("CEB%-3d %-20s %-24s %-13s %-9s %s\n", kind,
		       json_string_value(json_object_get(d, "key1")),
		       json_string_value(json_object_get(d, "key2")),
		       json_string_value(json_object_get(d, "state")), rs[0] != '\0' ? rs : "-",
		       meaning(rs, kind));
	}
	print_tax_bills(json_object_get(root, "taxBills"));
	print_summary_results(json_object_get(root, "summaryResults"));
	json_decref(root);
	return 0;
}

static void
usage(FILE *out)
{
	(void)help_print("cebgate receipts", out);
}

static int
show(cg_outbox *ob, cg_ctx *ctx, bool json)
{
	char *text = NULL;

	if (!json)
		return cli_print_documents(ob, ctx, 0);
	if (cg_outbox_list_json(ob, ctx, 0, &text) != CG_OK)
		return -1;
	puts(text);
	cg_free(text);
	return 0;
}

static cg_rc
pull(cg_outbox *ob, cg_ctx *ctx, const cg_submit_options *o, bool follow, bool wait_final,
     int wait_s, bool quiet)
{
	cg_fetch_stats fs;
	bool more = false;
	int open = 0;
	cg_rc rc;

	rc = cg_outbox_any(ob, ctx, "acknowledged", &open);
	while (rc == CG_OK) {
		/* Long-poll only while something is still waiting for its receipts. */
		bool waiting = follow || (wait_final && open);

		rc = cg_receipts_fetch(ob, ctx, o, waiting && !more ? wait_s : 0, &fs);
		more = rc == CG_OK && fs.received > 0; /* the feed gives a page at a time */
		if (rc == CG_OK)
			rc = cg_outbox_any(ob, ctx, "acknowledged", &open);
		if (rc == CG_OK && !quiet && fs.received > 0)
			fprintf(stderr, "receipts: %d new, %d matched, %d seen before, %d unreadable\n",
				fs.received, fs.matched, fs.dups, fs.unreadable);
		if (rc == CG_OK && fs.received == 0 && o->channel != NULL &&
		    strncmp(o->channel, "dir:", 4) == 0 && (follow || wait_final)) {
			struct timespec nap = { 0, 200 * 1000 * 1000 };

			(void)nanosleep(&nap, NULL); /* a folder cannot be long-polled */
		}
		if (stop || !(more || follow || (wait_final && open)))
			break;
	}
	return rc;
}

int
cmd_receipts(int argc, char **argv)
{
	enum { O_FOLLOW = CLI_OPT_LAST + 1, O_WAIT_FINAL, O_JSON, O_WAIT };
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, O_FOLLOW }, { "wait-final", no_argument, NULL, O_WAIT_FINAL },
		{ "json", no_argument, NULL, O_JSON }, { "wait", required_argument, NULL, O_WAIT },
		{ "help", no_argument, NULL, 'h' }, CLI_CHANNEL_LONGOPTS, { NULL, 0, NULL, 0 }
	};
	struct cli_channel ch;
	bool follow = false, wait_final = false, json = false;
	int c, wait_s = 20, status = CLI_USAGE;
	cg_outbox *ob = NULL;
	cg_ctx *ctx = NULL;
	cg_outbox_counts cnt;
	struct sigaction sa;

	cli_channel_init(&ch);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int used = cli_channel_option(&ch, c, optarg);

		if (used > 0)
			continue;
		if (used == 0 && c == O_FOLLOW)
			follow = true;
		else if (used == 0 && c == O_WAIT_FINAL)
			wait_final = true;
		else if (used == 0 && c == O_JSON)
			json = true;
		else if (used == 0 && c == O_WAIT)
			wait_s = (int)strtol(optarg, NULL, 10);
		else if (used == 0 && c == 'h') {
			usage(stdout);
			return CLI_OK;
		} else {
			usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind != argc || wait_s < 0 || wait_s > 300 || cli_channel_ready(&ch) != 0) {
		usage(stderr);
		return CLI_USAGE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	stop = 0;
	if (cg_ctx_new(&ctx) != CG_OK || cg_outbox_open(&ob, ctx, ch.outbox) != CG_OK ||
	    pull(ob, ctx, &ch.o, follow, wait_final, wait_s, json) != CG_OK ||
	    cg_outbox_counts_get(ob, ctx, &cnt) != CG_OK) {
		cli_err("%s", ctx != NULL ? cg_ctx_errmsg(ctx) : "out of memory");
		goto out;
	}
	if (show(ob, ctx, json) != 0)
		goto out;
	status = cnt.acknowledged + cnt.signed_ + cnt.submitted + cnt.dead > 0 ? CLI_PENDING : CLI_OK;
out:
	cg_outbox_close(ob);
	cg_ctx_free(ctx);
	return status;
}

static void
print_history(json_t *root)
{
	json_t *decls = json_object_get(root, "declarations");
	size_t i, k;

	for (i = 0; i < json_array_size(decls); i++) {
		json_t *d = json_array_get(decls, i), *a;

		printf("%s %s: %s (%lld failed send(s))%s%s\n", json_string_value(json_object_get(d, "type")),
		       json_string_value(json_object_get(d, "guid")),
		       json_string_value(json_object_get(d, "state")),
		       (long long)json_integer_value(json_object_get(d, "failedSends")),
		       *json_string_value(json_object_get(d, "lastError")) != '\0' ? ", last error: " : "",
		       json_string_value(json_object_get(d, "lastError")));
		a = json_object_get(d, "documents");
		for (k = 0; k < json_array_size(a); k++) {
			json_t *x = json_array_get(a, k);

			printf("  document %s %s appType %s: %s\n",
			       json_string_value(json_object_get(x, "key1")),
			       json_string_value(json_object_get(x, "key2")),
			       json_string_value(json_object_get(x, "appType")),
			       *json_string_value(json_object_get(x, "returnStatus")) != '\0'
				       ? json_string_value(json_object_get(x, "returnStatus"))
				       : "no receipt yet");
		}
		a = json_object_get(d, "events");
		for (k = 0; k < json_array_size(a); k++) {
			json_t *x = json_array_get(a, k);
			time_t t = (time_t)(json_integer_value(json_object_get(x, "at")) / 1000);
			struct tm tm;
			char when[32] = "";

			if (gmtime_r(&t, &tm) != NULL)
				(void)strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%SZ", &tm);
			printf("  %s  %s\n", when, json_string_value(json_object_get(x, "what")));
		}
		a = json_object_get(d, "receipts");
		for (k = 0; k < json_array_size(a); k++) {
			json_t *x = json_array_get(a, k);

			printf("  receipt %s %s %s %s\n", json_string_value(json_object_get(x, "type")),
			       json_string_value(json_object_get(x, "returnStatus")),
			       json_string_value(json_object_get(x, "returnTime")),
			       json_string_value(json_object_get(x, "returnInfo")));
		}
	}
}

static int
status_usage(FILE *out)
{
	(void)help_print("cebgate status", out);
	return out == stdout ? CLI_OK : CLI_USAGE;
}

int
cmd_status(int argc, char **argv)
{
	const char *outbox = getenv("CEBGATE_OUTBOX") != NULL ? getenv("CEBGATE_OUTBOX")
							       : "cebgate-outbox.db";
	bool json = false;
	cg_outbox *ob = NULL;
	cg_ctx *ctx = NULL;
	char *text = NULL;
	json_t *root;
	int i, status = CLI_USAGE;
	const char *key = NULL;
	cg_rc rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0)
			return status_usage(stdout);
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--outbox") == 0 && i + 1 < argc)
			outbox = argv[++i];
		else if (argv[i][0] != '-' && key == NULL)
			key = argv[i];
		else
			key = NULL, i = argc;
	}
	if (key == NULL)
		return status_usage(stderr);
	/* Asking must not create an empty outbox where none was. */
	if (access(outbox, F_OK) != 0) {
		cli_err("no outbox at %s: nothing was submitted from here (give --outbox DB or set CEBGATE_OUTBOX)",
			outbox);
		return CLI_USAGE;
	}
	if (cg_ctx_new(&ctx) != CG_OK || cg_outbox_open(&ob, ctx, outbox) != CG_OK) {
		cli_err("%s", ctx != NULL ? cg_ctx_errmsg(ctx) : "out of memory");
		goto out;
	}
	rc = cg_outbox_status_json(ob, ctx, key, &text);
	if (rc == CG_ENOTFOUND) {
		cli_err("%s", cg_ctx_errmsg(ctx));
		status = CLI_INVALID;
		goto out;
	}
	if (rc != CG_OK) {
		cli_err("%s", cg_ctx_errmsg(ctx));
		goto out;
	}
	root = json ? NULL : json_loads(text, 0, NULL);
	if (json)
		puts(text);
	else
		print_history(root);
	json_decref(root);
	status = CLI_OK;
out:
	cg_free(text);
	cg_outbox_close(ob);
	cg_ctx_free(ctx);
	return status;
}
