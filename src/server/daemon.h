/* SPDX-License-Identifier: MIT */
/*
 * cebgated's shared state: the daemon (struct srv) and one request in flight
 * (struct req), with the parts that work on them, each in a file of its own:
 * long-polls (longpoll.c), rate limits (ratelimit.c), metrics (metrics.c),
 * the upload spool (spool.c) and the daemon's life (daemon.c).
 */
#ifndef SRV_DAEMON_H
#define SRV_DAEMON_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <openssl/evp.h>
#include <microhttpd.h>
#include "cebgate/window.h"
#include "server.h"

/* Upper bounds (ms) of the request-duration histogram's buckets; +Inf follows. */
#define SRV_LATENCY_BUCKETS 10
/* Counted keys (failed logins, uploads) per minute: a small fixed table. */
#define SRV_LIMIT_SLOTS 512

struct srv_limit_slot {
	unsigned long key;
	long minute;
	int count;
};

/*
 * Uploads received or worked on at once, in all and per enterprise: one
 * merchant's files cannot take the database and the cores from everyone else.
 */
#define SRV_UPLOADS_AT_ONCE 4
#define SRV_UPLOADS_PER_ACCOUNT 2

struct srv_upload_slot {
	long long enterprise_id; /* 0: free */
	int n;
};

struct srv {
	const struct srv_config *cfg;
	pthread_mutex_t limit_lock;
	struct srv_limit_slot limits[SRV_LIMIT_SLOTS];
	char *tls_cert, *tls_key, *tls_ca;
	char *custody_pass; /* read once from custody-pass-file; NULL: custodial signing off */
	volatile sig_atomic_t *stop;
	pthread_key_t svc_key; /* each pool thread's own cg_service (connection + validator) */
	cg_committer *committer; /* shared by the pool threads' services (group commit), or NULL */
	atomic_ulong requests, submissions, accepted, receipts_served, errors;
	atomic_ulong latency[SRV_LATENCY_BUCKETS + 1], latency_ms_sum; /* per bucket, not cumulative */
	/*
	 * Long-polls wait suspended, not in a pool thread: a few pollers must not
	 * stall every other request. Writes bump `changes` and signal `wake`; the
	 * main loop resumes the parked requests that may now have an answer.
	 */
	pthread_mutex_t park_lock;
	pthread_cond_t wake;
	struct req *parked;
	long nparked;
	int closing;
	atomic_ulong changes;
	struct srv_deadlines *deadlines; /* the time a request may take to arrive */
	struct srv_upload_slot uploading[SRV_UPLOADS_AT_ONCE]; /* under limit_lock (spool.c) */
};

struct req {
	int no_client_cert;
	char *body;
	size_t len;
	size_t cap;
	int too_big;
	struct timespec start;
	/* An upload is written to a spool file as it arrives, hashed on the way. */
	int spool_fd;          /* -1 when the body is not spooled */
	char spool[4096];
	EVP_MD_CTX *sha;
	unsigned long long spooled;
	long long upload_slot;  /* the enterprise whose upload slot this request holds, or 0 */
	long long deadline_ms; /* a long-poll's end; 0 until it first waits */
	unsigned long seen;    /* `changes` before its last look at the data */
	struct MHD_Connection *conn;
	struct req *next_parked;
};

/* The calling thread's service, made on first use; NULL when the database cannot be opened. */
cg_service *srv_thread_service(struct srv *s);

/* Long-polls (longpoll.c). */
long long srv_now_ms(void);
/* The first look of a long-poll fixes its deadline; later looks keep it. */
void srv_poll_start(struct srv *s, struct req *r, long long wait);
/* Suspend a long-poll with nothing to answer yet; 0 when it must answer now instead. */
int srv_park(struct srv *s, struct MHD_Connection *c, struct req *r);
/* Resume the parked requests that something was written for, or whose time is up (all when closing). */
void srv_unpark(struct srv *s, int all);
/* After a write: parked long-polls may have an answer now. */
void srv_changed(struct srv *s);
/* Sleep until a write signals or @p ms pass. */
void srv_wait_for_change(struct srv *s, long ms);

/* Rate limits per minute (ratelimit.c). */
unsigned long srv_limit_key(const char *kind, const char *v);
/* Add @p add to the key's count of this minute; whether it reached @p max. */
int srv_minute_limit(struct srv *s, unsigned long key, int add, int max);
/* The client's IPv4 address as text ("" when another kind). */
const char *srv_client_ip(struct MHD_Connection *c, char *buf, size_t size);

/* Metrics (metrics.c). */
void srv_observe_latency(struct srv *s, long ms);
/* The Prometheus text of every counter, gauge and the latency histogram. */
enum MHD_Result srv_metrics_reply(struct srv *s, struct MHD_Connection *c);

/* The upload spool (spool.c). */
int srv_spool_open(struct srv *s, struct req *r);
void srv_spool_chunk(struct srv *s, struct req *r, const char *data, size_t n);
void srv_spool_discard(struct req *r);
/* Keep the spooled upload as DIR/SHA256 (the audit trail's copy); its hash in @p hex. */
int srv_spool_keep(struct srv *s, struct req *r, char *hex, char *path, size_t size);
/* Take an upload slot for the enterprise (held until the request ends); 0 when all are taken. */
int srv_upload_slot_take(struct srv *s, struct req *r, long long enterprise_id);
void srv_upload_slot_give(struct srv *s, struct req *r);
/* Whether the client of a connection closed it (asked while its upload is worked on). */
int srv_client_gone(void *connection);

/* The request handler and completion callback of libmicrohttpd (http.c). */
enum MHD_Result srv_on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *upload, size_t *upload_size,
			       void **con_cls);
void srv_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe);

#endif
