/* SPDX-License-Identifier: MIT */
/* Options shared by submit and receipts: the outbox, the channel, the server, the token, TLS. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

void
cli_channel_init(struct cli_channel *c)
{
	cg_submit_options init = CG_SUBMIT_OPTIONS_INIT;

	memset(c, 0, sizeof(*c));
	c->o = init;
	c->outbox = getenv("CEBGATE_OUTBOX") != NULL ? getenv("CEBGATE_OUTBOX") : "cebgate-outbox.db";
}

static int
positive(const char *s, long *out)
{
	char *end = NULL;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v <= 0)
		return -1;
	*out = v;
	return 0;
}

int
cli_channel_option(struct cli_channel *c, int opt, const char *arg)
{
	long v = 0;

	switch (opt) {
	case CLI_OPT_SERVER: c->o.server = arg; return 1;
	case CLI_OPT_CHANNEL: c->o.channel = arg; return 1;
	case CLI_OPT_TOKEN_FILE: c->token_file = arg; return 1;
	case CLI_OPT_OUTBOX: c->outbox = arg; return 1;
	case CLI_OPT_CACERT: c->o.ca_file = arg; return 1;
	case CLI_OPT_TLS_CERT: c->o.client_cert = arg; return 1;
	case CLI_OPT_TLS_KEY: c->o.client_key = arg; return 1;
	case CLI_OPT_SENDER: c->o.sender_id = arg; return 1;
	default: break;
	}
	if (opt < CLI_OPT_PARALLEL || opt >= CLI_OPT_LAST)
		return 0;
	if (arg == NULL || positive(arg, &v) != 0)
		return -1;
	switch (opt) {
	case CLI_OPT_PARALLEL: c->o.parallel = (int)v; return 1;
	case CLI_OPT_BATCH: c->o.batch = (int)v; return 1;
	case CLI_OPT_ATTEMPTS: c->o.max_attempts = (int)v; return 1;
	case CLI_OPT_BACKOFF: c->o.backoff_base_ms = v; return 1;
	case CLI_OPT_BACKOFF_MAX: c->o.backoff_cap_ms = v; return 1;
	case CLI_OPT_CONNECT_TIMEOUT: c->o.connect_timeout_ms = v; return 1;
	case CLI_OPT_TIMEOUT: c->o.timeout_ms = v; return 1;
	default: return 0;
	}
}

/* The token comes from a file's first line or $CEBGATE_TOKEN, never from argv. */
int
cli_channel_ready(struct cli_channel *c)
{
	const char *env = getenv("CEBGATE_TOKEN");
	bool dir = c->o.channel != NULL && strncmp(c->o.channel, "dir:", 4) == 0;

	if (c->token_file != NULL) {
		if (cli_passphrase(c->token_file, NULL, c->token, sizeof(c->token)) != 0) {
			cli_err("cannot read the token from %s", c->token_file);
			return -1;
		}
	} else if (env != NULL && snprintf(c->token, sizeof(c->token), "%s", env) >= (int)sizeof(c->token)) {
		cli_err("$CEBGATE_TOKEN is too long");
		return -1;
	}
	c->o.token = c->token[0] != '\0' ? c->token : NULL;
	if (!dir && (c->o.server == NULL || c->o.token == NULL)) {
		cli_err("the http channel needs --server URL and a token (--token-file F or $CEBGATE_TOKEN)");
		return -1;
	}
	return 0;
}
