/* SPDX-License-Identifier: MIT */
/*
 * cebgated's configuration: defaults, then the config file (--config, lines
 * of "key = value"), then flags. Every key is documented in docs/cebgated.md.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cebgate/common.h"
#include "log.h"
#include "server.h"
#include "help.h"

enum { K_DB, K_BIND, K_PORT, K_PORT_FILE, K_THREADS, K_MAX_BODY, K_CONN_LIMIT, K_PER_IP, K_TIMEOUT,
       K_MAX_WAIT, K_MATCH_TIMEOUT, K_RANDOM_RATE, K_VALUE_THRESHOLD, K_WATCH_HS, K_NEAR_QUOTA,
       K_NEW_DAYS, K_LEASE, K_TLS_CERT, K_TLS_KEY, K_TLS_CLIENT_CA, K_GROUP_COMMIT, K_UPLOAD_DIR,
       K_MAX_UPLOAD, K_CUSTODY_DIR, K_CUSTODY_PASS, K_MAX_RECORDS, K_REQ_TIMEOUT, K_LOG_FORMAT,
       K_LOG_LEVEL, K_TRUST_REQUEST_ID, K_TAX_RETURN_DAYS, K_PAY179_VALUE, K_PAY179_RATE,
       K_HEADER_TIMEOUT, K_RESERVED, K_KNOWN_IP, K_TRUSTED_PROXY,
       K_STATE_DIR, K_WEBHOOK_CA, K_WEBHOOK_TIMEOUT, K_WEBHOOK_ATTEMPTS, K_WEBHOOK_BACKOFF,
       K_WEBHOOK_BACKOFF_MAX, K_EXPORT_PAYMENT, K_EXPORT_ARRIVAL, K_SUM_ANY_MONTH, K_SUM_EXCLUDE_A,
       K_SUM_GSEQNO_ROWS, K_RETURN_DAYS };

static const struct {
	const char *name;
	int key;
} keys[] = {
	{ "db", K_DB },
	{ "bind", K_BIND },
	{ "port", K_PORT },
	{ "port-file", K_PORT_FILE },
	{ "threads", K_THREADS },
	{ "max-body", K_MAX_BODY },
	{ "connection-limit", K_CONN_LIMIT },
	{ "per-ip-limit", K_PER_IP },
	{ "known-ip-limit", K_KNOWN_IP },
	{ "reserved-connections", K_RESERVED },
	{ "trusted-proxy", K_TRUSTED_PROXY },
	{ "header-timeout", K_HEADER_TIMEOUT },
	{ "timeout", K_TIMEOUT },
	{ "request-timeout", K_REQ_TIMEOUT },
	{ "max-wait", K_MAX_WAIT },
	{ "match-timeout", K_MATCH_TIMEOUT },
	{ "random-rate", K_RANDOM_RATE },
	{ "value-threshold", K_VALUE_THRESHOLD },
	{ "watch-hs", K_WATCH_HS },
	{ "near-quota", K_NEAR_QUOTA },
	{ "new-enterprise-days", K_NEW_DAYS },
	{ "lease", K_LEASE },
	{ "tls-cert", K_TLS_CERT },
	{ "tls-key", K_TLS_KEY },
	{ "tls-client-ca", K_TLS_CLIENT_CA },
	{ "group-commit", K_GROUP_COMMIT },
	{ "upload-dir", K_UPLOAD_DIR },
	{ "max-upload", K_MAX_UPLOAD },
	{ "custody-dir", K_CUSTODY_DIR },
	{ "custody-pass-file", K_CUSTODY_PASS },
	{ "max-upload-records", K_MAX_RECORDS },
	{ "state-dir", K_STATE_DIR },
	{ "log-format", K_LOG_FORMAT },
	{ "log-level", K_LOG_LEVEL },
	{ "trust-request-id", K_TRUST_REQUEST_ID },
	{ "webhook-ca", K_WEBHOOK_CA },
	{ "webhook-timeout-ms", K_WEBHOOK_TIMEOUT },
	{ "webhook-attempts", K_WEBHOOK_ATTEMPTS },
	{ "webhook-backoff-ms", K_WEBHOOK_BACKOFF },
	{ "webhook-backoff-max-ms", K_WEBHOOK_BACKOFF_MAX },
	{ "tax-return-days", K_TAX_RETURN_DAYS },
	{ "pay179-value", K_PAY179_VALUE },
	{ "pay179-rate", K_PAY179_RATE },
	{ "export-payment-required", K_EXPORT_PAYMENT },
	{ "export-arrival-required", K_EXPORT_ARRIVAL },
	{ "export-summary-any-month", K_SUM_ANY_MONTH },
	{ "export-summary-exclude-a", K_SUM_EXCLUDE_A },
	{ "export-summary-gseqno-rows", K_SUM_GSEQNO_ROWS },
	{ "export-return-days", K_RETURN_DAYS },
};

static int
number(const char *v, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (*v == '\0' || *end != '\0' || n > max)
		return -1;
	*out = n;
	return 0;
}

static int
log_format(struct srv_config *c, const char *v)
{
	if (strcmp(v, "json") != 0 && strcmp(v, "text") != 0)
		return -1;
	c->log_json = strcmp(v, "json") == 0;
	return 0;
}

static int
set(struct srv_config *c, int key, const char *v)
{
	unsigned long n = 0;
	enum srv_level level;

	switch (key) {
	case K_DB: c->db = v; return 0;
	case K_BIND: c->bind = v; return 0;
	case K_PORT_FILE: c->port_file = v; return 0;
	case K_PORT: if (number(v, 65535, &n)) return -1; c->port = (unsigned)n; return 0;
	case K_THREADS: if (number(v, 256, &n) || n == 0) return -1; c->threads = (unsigned)n; return 0;
	case K_MAX_BODY: if (number(v, 256ul << 20, &n) || n < 1024) return -1; c->max_body = n; return 0;
	case K_CONN_LIMIT: if (number(v, 100000, &n) || n == 0) return -1; c->conn_limit = (unsigned)n; return 0;
	case K_PER_IP: if (number(v, 100000, &n)) return -1; c->per_ip_limit = (unsigned)n; return 0;
	case K_KNOWN_IP: if (number(v, 100000, &n)) return -1; c->known_ip_limit = (unsigned)n; return 0;
	case K_RESERVED: if (number(v, 100000, &n)) return -1; c->reserved = (int)n; return 0;
	case K_TRUSTED_PROXY: return srv_proxies_parse(v, &c->proxies);
	case K_HEADER_TIMEOUT: if (number(v, 3600, &n) || n == 0) return -1; c->header_timeout = (unsigned)n; return 0;
	case K_TIMEOUT: if (number(v, 3600, &n) || n == 0) return -1; c->timeout = (unsigned)n; return 0;
	case K_REQ_TIMEOUT: if (number(v, 3600, &n)) return -1; c->request_timeout = (unsigned)n; return 0;
	case K_MAX_WAIT: if (number(v, 300, &n)) return -1; c->max_wait = (unsigned)n; return 0;
	case K_MATCH_TIMEOUT: if (number(v, 30L * 86400, &n)) return -1; c->match_timeout = (long long)n; return 0;
	case K_RANDOM_RATE: if (number(v, 1000, &n)) return -1; c->random_rate = (int)n; return 0;
	case K_VALUE_THRESHOLD: if (number(v, 100000000, &n)) return -1; c->value_threshold = (long long)n; return 0;
	case K_WATCH_HS: c->watch_hs = v; return strlen(v) < 500 ? 0 : -1;
	case K_NEAR_QUOTA: if (number(v, 100, &n)) return -1; c->near_quota = (int)n; return 0;
	case K_NEW_DAYS: if (number(v, 3650, &n)) return -1; c->new_enterprise_days = (int)n; return 0;
	case K_LEASE: if (number(v, 86400, &n) || n == 0) return -1; c->lease = (long long)n; return 0;
	case K_TLS_CERT: c->tls_cert = v; return 0;
	case K_TLS_KEY: c->tls_key = v; return 0;
	case K_TLS_CLIENT_CA: c->tls_client_ca = v; return 0;
	case K_GROUP_COMMIT: if (number(v, 1, &n)) return -1; c->group_commit = (int)n; return 0;
	case K_UPLOAD_DIR: c->upload_dir = v; return 0;
	case K_MAX_UPLOAD: if (number(v, 4ul << 30, &n) || n < 1024) return -1; c->max_upload = n; return 0;
	case K_CUSTODY_DIR: c->custody_dir = v; return 0;
	case K_CUSTODY_PASS: c->custody_pass_file = v; return 0;
	case K_STATE_DIR: c->state_dir = v; return 0;
	case K_MAX_RECORDS: if (number(v, 10000000, &n) || n == 0) return -1; c->max_records = n; return 0;
	case K_LOG_FORMAT: return log_format(c, v);
	case K_LOG_LEVEL: return srv_level_parse(v, &level) == 0 ? (c->log_level = (int)level, 0) : -1;
	case K_TRUST_REQUEST_ID: if (number(v, 1, &n)) return -1; c->trust_request_id = (int)n; return 0;
	case K_WEBHOOK_CA: c->webhook_ca = v; return 0;
	case K_WEBHOOK_TIMEOUT: if (number(v, 600000, &n) || n < 100) return -1; c->webhook_timeout_ms = (long)n; return 0;
	case K_WEBHOOK_ATTEMPTS: if (number(v, 1000, &n) || n == 0) return -1; c->webhook_attempts = (int)n; return 0;
	case K_WEBHOOK_BACKOFF: if (number(v, 86400000, &n) || n == 0) return -1; c->webhook_backoff_ms = (long long)n; return 0;
	case K_WEBHOOK_BACKOFF_MAX: if (number(v, 86400000, &n) || n == 0) return -1; c->webhook_backoff_max_ms = (long long)n; return 0;
	case K_TAX_RETURN_DAYS: if (number(v, 365, &n)) return -1; c->tax_return_days = (int)n; return 0;
	case K_PAY179_VALUE: if (number(v, 100000000, &n)) return -1; c->pay179_value = (long long)n; return 0;
	case K_PAY179_RATE: if (number(v, 1000, &n)) return -1; c->pay179_rate = (int)n; return 0;
	case K_EXPORT_PAYMENT: if (number(v, 1, &n)) return -1; c->export_payment_required = (int)n; return 0;
	case K_EXPORT_ARRIVAL: if (number(v, 1, &n)) return -1; c->export_arrival_required = (int)n; return 0;
	case K_SUM_ANY_MONTH: if (number(v, 1, &n)) return -1; c->summary_any_month = (int)n; return 0;
	case K_SUM_EXCLUDE_A: if (number(v, 1, &n)) return -1; c->summary_exclude_a = (int)n; return 0;
	case K_SUM_GSEQNO_ROWS: if (number(v, 1, &n)) return -1; c->summary_gseqno_rows = (int)n; return 0;
	case K_RETURN_DAYS: if (number(v, 3650, &n)) return -1; c->export_return_days = (int)n; return 0;
	default: return -1;
	}
}

static int
key_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].name, name) == 0)
			return keys[i].key;
	}
	return -1;
}

const char *
srv_config_nearest(const char *word)
{
	const char *names[sizeof(keys) / sizeof(keys[0])];
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		names[i] = keys[i].name;
	return cg_nearest_word(word, names, sizeof(names) / sizeof(names[0]));
}

static void
unknown_key(const char *path, int lineno, const char *name)
{
	const char *near = srv_config_nearest(name);

	if (near != NULL)
		fprintf(stderr, "%s:%d: unknown key \"%s\" (did you mean \"%s\"?)\n", path, lineno, name, near);
	else
		fprintf(stderr, "%s:%d: unknown key \"%s\"\n", path, lineno, name);
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	*e = '\0';
	return s;
}

static int
load_file(struct srv_config *c, const char *path)
{
	char line[1024];
	FILE *fp = fopen(path, "r");
	int lineno = 0;

	if (fp == NULL) {
		fprintf(stderr, "cebgated: cannot open %s\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *s = trim(line), *eq = strchr(s, '='), *name;
		int key;

		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		if (eq == NULL) {
			fprintf(stderr, "%s:%d: expected \"key = value\"\n", path, lineno);
			goto bad;
		}
		*eq = '\0';
		name = trim(s);
		key = key_of(name);
		if (key < 0) {
			unknown_key(path, lineno, name);
			goto bad;
		}
		if (c->nowned == (int)(sizeof(c->owned) / sizeof(c->owned[0])) ||
		    (c->owned[c->nowned] = strdup(trim(eq + 1))) == NULL) {
			fprintf(stderr, "%s:%d: too many settings\n", path, lineno);
			goto bad;
		}
		if (set(c, key, c->owned[c->nowned++]) != 0) {
			fprintf(stderr, "%s:%d: bad value for \"%s\": \"%s\"\n", path, lineno, name,
				c->owned[c->nowned - 1]);
			goto bad;
		}
	}
	fclose(fp);
	return 0;
bad:
	fclose(fp);
	return -1;
}

/* "PATH" + "SUFFIX", owned by the configuration. */
static const char *
beside(struct srv_config *c, const char *path, const char *suffix)
{
	size_t n = strlen(path) + strlen(suffix) + 1;
	char *s;

	if (c->nowned == (int)(sizeof(c->owned) / sizeof(c->owned[0])) || (s = malloc(n)) == NULL)
		return NULL;
	(void)snprintf(s, n, "%s%s", path, suffix);
	c->owned[c->nowned++] = s;
	return s;
}

/* A PostgreSQL database (db.h's cg_db_is_uri: the programs see only the public headers). */
static bool
is_uri(const char *db)
{
	return strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0;
}

/*
 * Uploads and custodial keys: in DIR/files and DIR/custody of --state-dir,
 * else beside a SQLite database; a PostgreSQL database has no "beside".
 */
static int
file_dirs(struct srv_config *c)
{
	const char *base = c->state_dir != NULL ? c->state_dir : c->db;
	const char *files = c->state_dir != NULL ? "/files" : ".files";
	const char *custody = c->state_dir != NULL ? "/custody" : ".custody";

	if (c->state_dir == NULL && is_uri(c->db) && (c->upload_dir == NULL || c->custody_dir == NULL)) {
		fprintf(stderr, "cebgated: a PostgreSQL database needs --state-dir DIR (or --upload-dir"
				" and --custody-dir) for uploads and custodial keys\n");
		return -1;
	}
	if ((c->upload_dir == NULL && (c->upload_dir = beside(c, base, files)) == NULL) ||
	    (c->custody_dir == NULL && (c->custody_dir = beside(c, base, custody)) == NULL))
		return -1;
	return 0;
}

static void
usage(FILE *out)
{
	(void)help_print("cebgated", out);
}

/* The long name of option @p val. */
static const char *
flag_name(const struct option *opts, int val)
{
	for (; opts->name != NULL; opts++) {
		if (opts->val == val)
			return opts->name;
	}
	return "?";
}

int
srv_config_load(struct srv_config *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, K_DB },
		{ "bind", required_argument, NULL, K_BIND },
		{ "port", required_argument, NULL, K_PORT },
		{ "port-file", required_argument, NULL, K_PORT_FILE },
		{ "threads", required_argument, NULL, K_THREADS },
		{ "max-body", required_argument, NULL, K_MAX_BODY },
		{ "connection-limit", required_argument, NULL, K_CONN_LIMIT },
		{ "per-ip-limit", required_argument, NULL, K_PER_IP },
		{ "known-ip-limit", required_argument, NULL, K_KNOWN_IP },
		{ "reserved-connections", required_argument, NULL, K_RESERVED },
		{ "trusted-proxy", required_argument, NULL, K_TRUSTED_PROXY },
		{ "header-timeout", required_argument, NULL, K_HEADER_TIMEOUT },
		{ "timeout", required_argument, NULL, K_TIMEOUT },
		{ "request-timeout", required_argument, NULL, K_REQ_TIMEOUT },
		{ "max-wait", required_argument, NULL, K_MAX_WAIT },
		{ "match-timeout", required_argument, NULL, K_MATCH_TIMEOUT },
		{ "random-rate", required_argument, NULL, K_RANDOM_RATE },
		{ "value-threshold", required_argument, NULL, K_VALUE_THRESHOLD },
		{ "watch-hs", required_argument, NULL, K_WATCH_HS },
		{ "near-quota", required_argument, NULL, K_NEAR_QUOTA },
		{ "new-enterprise-days", required_argument, NULL, K_NEW_DAYS },
		{ "lease", required_argument, NULL, K_LEASE },
		{ "tls-cert", required_argument, NULL, K_TLS_CERT },
		{ "tls-key", required_argument, NULL, K_TLS_KEY },
		{ "tls-client-ca", required_argument, NULL, K_TLS_CLIENT_CA },
		{ "group-commit", required_argument, NULL, K_GROUP_COMMIT },
		{ "upload-dir", required_argument, NULL, K_UPLOAD_DIR },
		{ "max-upload", required_argument, NULL, K_MAX_UPLOAD },
		{ "custody-dir", required_argument, NULL, K_CUSTODY_DIR },
		{ "custody-pass-file", required_argument, NULL, K_CUSTODY_PASS },
		{ "max-upload-records", required_argument, NULL, K_MAX_RECORDS },
		{ "state-dir", required_argument, NULL, K_STATE_DIR },
		{ "log-format", required_argument, NULL, K_LOG_FORMAT },
		{ "log-level", required_argument, NULL, K_LOG_LEVEL },
		{ "trust-request-id", required_argument, NULL, K_TRUST_REQUEST_ID },
		{ "webhook-ca", required_argument, NULL, K_WEBHOOK_CA },
		{ "webhook-timeout-ms", required_argument, NULL, K_WEBHOOK_TIMEOUT },
		{ "webhook-attempts", required_argument, NULL, K_WEBHOOK_ATTEMPTS },
		{ "webhook-backoff-ms", required_argument, NULL, K_WEBHOOK_BACKOFF },
		{ "webhook-backoff-max-ms", required_argument, NULL, K_WEBHOOK_BACKOFF_MAX },
		{ "tax-return-days", required_argument, NULL, K_TAX_RETURN_DAYS },
		{ "pay179-value", required_argument, NULL, K_PAY179_VALUE },
		{ "pay179-rate", required_argument, NULL, K_PAY179_RATE },
		{ "export-payment-required", required_argument, NULL, K_EXPORT_PAYMENT },
		{ "export-arrival-required", required_argument, NULL, K_EXPORT_ARRIVAL },
		{ "export-summary-any-month", required_argument, NULL, K_SUM_ANY_MONTH },
		{ "export-summary-exclude-a", required_argument, NULL, K_SUM_EXCLUDE_A },
		{ "export-summary-gseqno-rows", required_argument, NULL, K_SUM_GSEQNO_ROWS },
		{ "export-return-days", required_argument, NULL, K_RETURN_DAYS },
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int o, i;

	memset(c, 0, sizeof(*c));
	c->bind = "127.0.0.1";
	c->port = 8080;
	c->threads = 4;
	c->max_body = 16u << 20;
	c->conn_limit = 512;
	c->reserved = -1;
	c->per_ip_limit = 64;
	c->known_ip_limit = 256;
	c->header_timeout = 10;
	c->timeout = 30;
	c->request_timeout = 60;
	c->max_wait = 30;
	c->match_timeout = 3600;
	c->watch_hs = "";
	c->near_quota = 90;
	c->lease = 300;
	c->tax_return_days = 30;
	c->export_arrival_required = 1;
	c->export_return_days = 365;
	c->group_commit = 1;
	c->max_upload = 256ul << 20;
	c->max_records = 100000;
	c->log_json = 1;
	c->log_level = SRV_INFO;
	c->webhook_timeout_ms = 10000;
	c->webhook_attempts = 12;
	c->webhook_backoff_ms = 1000;
	c->webhook_backoff_max_ms = 3600000;
	/* --help and --version answer whatever else is wrong. */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 1;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("cebgated %s\n", PACKAGE_VERSION);
			return 1;
		}
	}
	/* The file first, whatever its position among the flags: flags override it. */
	for (i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && load_file(c, argv[i + 1]) != 0)
			return -1;
	}
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'c')
			continue;
		if (o == 'k') {
			c->check_only = 1;
			continue;
		}
		if (o == '?') {
			usage(stderr);
			return -1;
		}
		if (set(c, o, optarg) != 0) {
			fprintf(stderr, "cebgated: bad value for --%s: \"%s\"\n", flag_name(opts, o), optarg);
			return -1;
		}
	}
	if (c->db == NULL) {
		fprintf(stderr, "cebgated: no database: give --db FILE|URI or \"db = FILE|URI\" in the config file\n");
		return -1;
	}
	if (optind != argc || (c->tls_cert == NULL) != (c->tls_key == NULL) ||
	    (c->tls_client_ca != NULL && c->tls_cert == NULL)) {
		usage(stderr);
		return -1;
	}
	if (c->reserved < 0)
		c->reserved = (int)(c->conn_limit / 4);
	if ((unsigned)c->reserved >= c->conn_limit) {
		fprintf(stderr, "cebgated: reserved-connections must be below connection-limit\n");
		return -1;
	}
	return file_dirs(c);
}

void
srv_config_dispose(struct srv_config *c)
{
	int i;

	for (i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	c->nowned = 0;
}
