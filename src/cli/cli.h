/* SPDX-License-Identifier: MIT */
/* The cebgate command: shared helpers of the subcommands. */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stddef.h>
#include "cebgate/cebgate.h"
#include "cebgate/outbox.h"
#include "cebgate/pool.h"
#include "cebgate/submit.h"

/* Exit codes: 0 ok, 1 invalid input or failed verification, 2 usage or I/O. */
#define CLI_OK 0
#define CLI_INVALID 1
#define CLI_USAGE 2

void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Read a whole file ("-" = stdin) of at most @p max bytes (max + 1 read when larger).
 * Returns -1 with errno set when it cannot be read.
 */
int cli_read_file(const char *path, size_t max, char **out, size_t *len);
/* Says on stderr why @p path cannot be read (@p err: errno); returns that reason, malloc'd. */
char *cli_unreadable(const char *path, int err);

/*
 * The workers of -j N (1 to 256): @p arg as given, or NULL for every
 * processor online. -1 when @p arg is not such a number.
 */
int cli_jobs(const char *arg);

int cmd_validate(int argc, char **argv);
int cmd_normalize(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_dxp(int argc, char **argv);
int cmd_admin(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_receipts(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_codes(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
/* cebgate admin webhook ... (cmd_webhook.c); @p after, @p from as given, or NULL. */
struct cg_registry;
int cli_admin_webhook(struct cg_registry *reg, cg_ctx *ctx, int as_json, const char *after, const char *from,
		      int argc, char **argv);
int cmd_pay179(int argc, char **argv);

/* Exit status when declarations are still pending or dead (sysexits EX_TEMPFAIL). */
#define CLI_PENDING 75

/* Long-only options shared by submit and receipts (values above any character). */
enum {
	CLI_OPT_SERVER = 256, CLI_OPT_CHANNEL, CLI_OPT_TOKEN_FILE, CLI_OPT_OUTBOX, CLI_OPT_CACERT,
	CLI_OPT_TLS_CERT, CLI_OPT_TLS_KEY, CLI_OPT_SENDER, CLI_OPT_PARALLEL, CLI_OPT_BATCH,
	CLI_OPT_ATTEMPTS, CLI_OPT_BACKOFF, CLI_OPT_BACKOFF_MAX, CLI_OPT_CONNECT_TIMEOUT,
	CLI_OPT_TIMEOUT, CLI_OPT_LAST
};

#define CLI_CHANNEL_LONGOPTS                                                                  \
	{ "server", required_argument, NULL, CLI_OPT_SERVER },                                \
	{ "channel", required_argument, NULL, CLI_OPT_CHANNEL },                              \
	{ "token-file", required_argument, NULL, CLI_OPT_TOKEN_FILE },                        \
	{ "outbox", required_argument, NULL, CLI_OPT_OUTBOX },                                \
	{ "cacert", required_argument, NULL, CLI_OPT_CACERT },                                \
	{ "tls-cert", required_argument, NULL, CLI_OPT_TLS_CERT },                            \
	{ "tls-key", required_argument, NULL, CLI_OPT_TLS_KEY },                              \
	{ "sender-id", required_argument, NULL, CLI_OPT_SENDER },                             \
	{ "parallel", required_argument, NULL, CLI_OPT_PARALLEL },                            \
	{ "batch", required_argument, NULL, CLI_OPT_BATCH },                                  \
	{ "max-attempts", required_argument, NULL, CLI_OPT_ATTEMPTS },                        \
	{ "backoff-ms", required_argument, NULL, CLI_OPT_BACKOFF },                           \
	{ "backoff-max-ms", required_argument, NULL, CLI_OPT_BACKOFF_MAX },                   \
	{ "connect-timeout-ms", required_argument, NULL, CLI_OPT_CONNECT_TIMEOUT },           \
	{ "timeout-ms", required_argument, NULL, CLI_OPT_TIMEOUT }

struct cli_channel {
	cg_submit_options o;
	const char *outbox;
	const char *token_file;
	char token[512];
};

void cli_channel_init(struct cli_channel *c);
/* 1 when @p opt was a channel option (applied), 0 when not one, -1 when its value is bad. */
int cli_channel_option(struct cli_channel *c, int opt, const char *arg);
/* Read the token; check that the channel has what it needs. 0 or -1 (reported). */
int cli_channel_ready(struct cli_channel *c);
/* One HTTP call with a bearer token; *resp (free()) holds the body. 0, or -1 when no answer. */
int cli_api(const char *method, const char *url, const char *token, const char *body, char **resp,
	    long *code);
/* The demo's second half: cebgated, enterprises, submissions, the officer, receipts. */
int cli_demo_pipeline(const char *samples, const char *out);
/* Run a subcommand in-process with a NULL-terminated argv. */
int cli_run(int (*cmd)(int, char **), char **argv);

/* Print the receipts' outcome per declaration (text) from the outbox. */
int cli_print_documents(cg_outbox *ob, cg_ctx *ctx, int only_open);

/* Passphrase from a file's first line or an environment variable (never argv). */
int cli_passphrase(const char *file, const char *env, char *buf, size_t size);

#endif
