/* SPDX-License-Identifier: MIT */
/*
 * cebgate doctor: a declarant's setup checked before customs checks it
 * (cg_doctor_run(), doctor.h). Exit 0 when nothing is wrong, 1 with the
 * problems listed (warnings alone do not fail), 2 on a usage error.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cebgate/doctor.h"
#include "cli.h"
#include "help.h"

enum { O_KEY = CLI_OPT_LAST + 1, O_CERT, O_PROFILE, O_PASS_FILE, O_PASS_ENV, O_COP, O_JSON, O_WARN_DAYS,
       O_MAX_SKEW, O_HELP };

static void
usage(FILE *out)
{
	(void)help_print("cebgate doctor", out);
}

static const char *
s(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL ? v : "";
}

/* What each check found, for people: status, code, both languages, what to do. */
static void
print_text(json_t *doc)
{
	json_t *checks = json_object_get(doc, "checks"), *c;
	size_t i;

	json_array_foreach(checks, i, c) {
		const char *st = s(c, "status");
		char extra[256] = "";

		if (json_is_string(json_object_get(c, "keyName")))
			(void)snprintf(extra, sizeof(extra), ": %s", s(c, "keyName"));
		else if (json_is_integer(json_object_get(c, "daysLeft")))
			(void)snprintf(extra, sizeof(extra), ": until %s, %lld days left", s(c, "notAfter"),
				       (long long)json_integer_value(json_object_get(c, "daysLeft")));
		else if (json_is_string(json_object_get(c, "detail")))
			(void)snprintf(extra, sizeof(extra), ": %s", s(c, "detail"));
		else if (json_is_string(json_object_get(c, "folder")))
			(void)snprintf(extra, sizeof(extra), ": %s", s(c, "folder"));
		else if (json_is_integer(json_object_get(c, "pending")))
			(void)snprintf(extra, sizeof(extra), ": %lld pending, %lld dead",
				       (long long)json_integer_value(json_object_get(c, "pending")),
				       (long long)json_integer_value(json_object_get(c, "dead")));
		else if (json_is_integer(json_object_get(c, "skewSeconds")))
			(void)snprintf(extra, sizeof(extra), ": %+lld s",
				       (long long)json_integer_value(json_object_get(c, "skewSeconds")));
		printf("%-8s %-7s %-11s %s / %s%s\n", st, s(c, "code")[0] != '\0' ? s(c, "code") : "-",
		       s(c, "check"), s(c, "zh"), s(c, "en"), extra);
		if (json_is_string(json_object_get(c, "fixEn")))
			printf("%28s处理：%s\n%28sto do: %s\n", "", s(c, "fixZh"), "", s(c, "fixEn"));
		if (json_is_object(json_object_get(c, "editions"))) {
			const char *t;
			json_t *v;

			json_object_foreach(json_object_get(c, "editions"), t, v)
				printf("%28s%s %s\n", "", t, json_string_value(v));
		}
	}
	printf("%lld problem(s), %lld warning(s) / %lld个问题，%lld个警告\n",
	       (long long)json_integer_value(json_object_get(doc, "problems")),
	       (long long)json_integer_value(json_object_get(doc, "warnings")),
	       (long long)json_integer_value(json_object_get(doc, "problems")),
	       (long long)json_integer_value(json_object_get(doc, "warnings")));
}

static int
number(const char *arg, long *out)
{
	char *end = NULL;
	long v = strtol(arg, &end, 10);

	if (end == arg || *end != '\0' || v < 0)
		return -1;
	*out = v;
	return 0;
}

static int
parse(int argc, char **argv, struct cli_channel *ch, cg_doctor_options *o, const char **pass_file,
      const char **pass_env, int *as_json)
{
	static const struct option opts[] = {
		CLI_CHANNEL_LONGOPTS,
		{ "key", required_argument, NULL, O_KEY },
		{ "cert", required_argument, NULL, O_CERT },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "pass-file", required_argument, NULL, O_PASS_FILE },
		{ "pass-env", required_argument, NULL, O_PASS_ENV },
		{ "cop-code", required_argument, NULL, O_COP },
		{ "json", no_argument, NULL, O_JSON },
		{ "warn-days", required_argument, NULL, O_WARN_DAYS },
		{ "max-skew", required_argument, NULL, O_MAX_SKEW },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	long v = 0;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int r = cli_channel_option(ch, c, optarg);

		if (r == 1)
			continue;
		switch (c) {
		case O_KEY: o->key = optarg; break;
		case O_CERT: o->cert = optarg; break;
		case O_PROFILE: o->profile = optarg; break;
		case O_PASS_FILE: *pass_file = optarg; break;
		case O_PASS_ENV: *pass_env = optarg; break;
		case O_COP: o->cop_code = optarg; break;
		case O_JSON: *as_json = 1; break;
		case O_WARN_DAYS:
		case O_MAX_SKEW:
			if (number(optarg, &v) != 0)
				return -1;
			if (c == O_WARN_DAYS)
				o->warn_days = (int)v;
			else
				o->max_skew = v;
			break;
		case O_HELP: usage(stdout); return 1;
		default: return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

int
cmd_doctor(int argc, char **argv)
{
	cg_doctor_options o = CG_DOCTOR_OPTIONS_INIT;
	struct cli_channel ch;
	const char *pass_file = NULL, *pass_env = NULL;
	char pass[1024] = "", *doc = NULL;
	int as_json = 0, problems = 0, r;
	cg_ctx *ctx = NULL;
	json_t *j;

	cli_channel_init(&ch);
	r = parse(argc, argv, &ch, &o, &pass_file, &pass_env, &as_json);
	if (r != 0) {
		if (r < 0)
			usage(stderr);
		return r > 0 ? CLI_OK : CLI_USAGE;
	}
	if ((pass_file != NULL || pass_env != NULL) && cli_passphrase(pass_file, pass_env, pass, sizeof(pass)) != 0) {
		cli_err("cannot read the passphrase");
		return CLI_USAGE;
	}
	/* The token as submit reads it: a file's first line or $CEBGATE_TOKEN. */
	if (ch.token_file != NULL && cli_passphrase(ch.token_file, NULL, ch.token, sizeof(ch.token)) != 0) {
		cli_err("cannot read the token from %s", ch.token_file);
		return CLI_USAGE;
	}
	if (ch.token_file == NULL && getenv("CEBGATE_TOKEN") != NULL)
		(void)snprintf(ch.token, sizeof(ch.token), "%s", getenv("CEBGATE_TOKEN"));
	o.passphrase = pass[0] != '\0' ? pass : NULL;
	o.server = ch.o.server;
	o.token = ch.token[0] != '\0' ? ch.token : NULL;
	o.ca_file = ch.o.ca_file;
	o.client_cert = ch.o.client_cert;
	o.client_key = ch.o.client_key;
	o.channel = ch.o.channel;
	o.dxp_id = ch.o.sender_id;
	o.outbox = ch.outbox;
	if (cg_ctx_new(&ctx) != CG_OK || cg_doctor_run(ctx, &o, &doc, &problems) != CG_OK) {
		cli_err("out of memory");
		cg_ctx_free(ctx);
		return CLI_USAGE;
	}
	memset(pass, 0, sizeof(pass));
	if (as_json) {
		fputs(doc, stdout);
		putchar('\n');
	} else if ((j = json_loads(doc, 0, NULL)) != NULL) {
		print_text(j);
		json_decref(j);
	}
	cg_free(doc);
	cg_ctx_free(ctx);
	return problems > 0 ? CLI_INVALID : CLI_OK;
}
