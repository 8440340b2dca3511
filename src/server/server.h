/* SPDX-License-Identifier: MIT */
/* cebgated: configuration and the HTTP front of cg_service. */
#ifndef SRV_SERVER_H
#define SRV_SERVER_H

#include <signal.h>
#include <stddef.h>
#include <microhttpd.h>
#include "cebgate/window.h"
#include "peer.h"

struct srv_config {
	const char *db;
	const char *bind;
	unsigned port;
	const char *port_file;
	unsigned threads;
	size_t max_body;          /* bytes of one request body */
	unsigned conn_limit;
	int reserved;             /* connections kept for known addresses (-1: a quarter of conn_limit) */
	unsigned per_ip_limit;    /* connections of an address where nobody logged in recently */
	unsigned known_ip_limit;  /* connections of an address where someone did */
	struct srv_proxies proxies; /* trusted-proxy: X-Forwarded-For is read from these only */
	unsigned header_timeout;  /* seconds to send a request's headers (also keep-alive idle) */
	unsigned timeout;         /* seconds of inactivity once the headers are in */
	unsigned request_timeout; /* seconds to receive a whole request (headers and body) */
	unsigned max_wait;        /* longest receipts long-poll, seconds */
	long long match_timeout;  /* clearance: seconds an inventory waits for its documents */
	int random_rate;          /* clearance: per mille held at random (双随机) */
	long long value_threshold;/* clearance: CNY at or above which an inventory is held */
	const char *watch_hs;     /* clearance: comma-separated HS codes or prefixes held */
	int near_quota;           /* clearance: percent of the annual limit that holds a buyer */
	int new_enterprise_days;  /* clearance: enterprises younger than this are held */
	long long lease;          /* review: seconds an officer's claim lasts */
	int tax_return_days;      /* tax bills: a return within this many days of release voids the bill */
	long long pay179_value;   /* 179: CNY at or above which the payment data is asked (0: off) */
	int pay179_rate;          /* 179: per mille of matched inventories whose payment data is asked */
	int export_payment_required; /* exports: a 9610/1210 inventory waits for its CEB403 */
	int export_arrival_required; /* exports: released at the CEB507 arrival (1) or at conclusion (0) */
	const char *tls_cert;     /* PEM certificate (chain) for HTTPS, or NULL for HTTP */
	const char *tls_key;      /* its PEM private key */
	const char *tls_client_ca;/* PEM CAs: every client must present a certificate they issued */
	int group_commit;         /* accepted messages of all threads share transactions (1) */
	const char *state_dir;    /* the node's files when the database is not a file (docs/postgresql.md) */
	const char *upload_dir;   /* merchants' raw uploads, kept by SHA-256 (default DB.files) */
	unsigned long max_upload; /* bytes of one upload */
	unsigned long max_records;/* documents of one upload */
	const char *custody_dir;  /* custodial signing keys (default DB.custody) */
	const char *custody_pass_file; /* their passphrase; custodial signing is off without it */
	int log_json;             /* log-format: json (1) or text (0) */
	int log_level;            /* log-level: enum srv_level (log.h) */
	int trust_request_id;     /* take a client's X-Request-Id (behind a trusted proxy) */
	int check_only;           /* --check-config: read the configuration, then exit */
	const char *webhook_ca;   /* PEM trust anchors for webhook endpoints (default: the system's) */
	long webhook_timeout_ms;  /* one delivery, connection included */
	int webhook_attempts;     /* failed attempts on one receipt before an endpoint is dead */
	long long webhook_backoff_ms, webhook_backoff_max_ms; /* first and longest retry delay */
	char *owned[48];          /* values read from the config file */
	int nowned;
};

/*
 * Defaults, then the config file, then flags; 0 ok, -1 with a message on
 * stderr, 1 when answered already (--help, --version: exit 0).
 */
int srv_config_load(struct srv_config *c, int argc, char **argv);
/* The known key nearest to @p word by edit distance, or NULL when none is close. */
const char *srv_config_nearest(const char *word);

void srv_config_dispose(struct srv_config *c);

/* Whether --db names an SQLite file (not a PostgreSQL connection string) (dblock.c). */
int srv_db_is_file(const char *db);
/*
 * Take the exclusive lock of an SQLite database (DB.lock) for the life of the
 * process: the descriptor that holds it, or -1 after saying why on stderr
 * (naming the pid of the cebgated that holds it).
 */
int srv_db_lock(const char *db);

/* Serve until *stop is set; 0 after a clean shutdown. */
int srv_run(const struct srv_config *c, volatile sig_atomic_t *stop);

/* Who sent the request: bearer token, else the session cookie. 1 when known (routes_session.c). */
int srv_web_principal(struct MHD_Connection *c, struct cg_service *svc, cg_principal *who);
/* 0 when a state-changing request rides on the session cookie without its CSRF token. */
int srv_web_csrf_ok(struct MHD_Connection *c, const char *url, const char *method);

/*
 * The code tables (codes.c): cebgated holds the newest set, reloads it on
 * SIGHUP (main sets srv_codes_reload_requested) or the admin route, and reports it.
 */
extern volatile sig_atomic_t srv_codes_reload_requested;
int srv_codes_open(void);
void srv_codes_close(void);
/* Reload (who NULL: on SIGHUP) as cg_service_codes_reload() answers it. */
cg_rc srv_codes_reload(cg_service *svc, cg_ctx *ctx, const cg_principal *who, char **json);
/* {"editions": [...]} of the tables in force (cg_free()). */
cg_rc srv_codes_json(char **json);
/* Append the code-table gauges to @p buf (holding @p n bytes); the new length. */
size_t srv_codes_metrics(char *buf, size_t size, size_t n);

#endif
