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
#include "log.h"
#include "server.h"

/* Upper bounds (ms) of the request-duration histogram's buckets; +Inf follows. */
#define SRV_LATENCY_BUCKETS 10
/* Rows of the route table that /metrics counts apart (router.c checks it holds them all). */
#define SRV_MAX_ROUTES 96
/* Message type and outcome pairs counted apart in /metrics; later ones are not. */
#define SRV_MESSAGE_KINDS 64
/* Counted keys (failed logins, uploads) over the last minute: a small fixed table. */
#define SRV_LIMIT_SLOTS 512
/* Events a slot remembers: the highest limit that can be asked of it. */
#define SRV_LIMIT_EVENTS 32
#define SRV_LIMIT_WINDOW_MS 60000

/* A sliding window: the times (ms, monotonic) of a key's latest events, a ring. */
struct srv_limit_slot {
	unsigned long key;
	long long at[SRV_LIMIT_EVENTS];
	int next;
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
	/* Answers per route (the last row: no route) and status class 1xx..5xx. */
	atomic_ulong answers[SRV_MAX_ROUTES + 1][5];
	/* Submitted messages per type and outcome: a small table filled as they come. */
	pthread_mutex_t messages_lock;
	struct srv_message_count {
		char type[32];
		char outcome[16];
		unsigned long n;
	} messages[SRV_MESSAGE_KINDS];
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
	/* Writes on the other nodes of a PostgreSQL database (hint_main in longpoll.c); NULL on SQLite. */
	cg_hint *hint;
	pthread_t hint_thread;
	atomic_int hints_done; /* the thread ends (set by srv_hints_stop) */
	struct srv_conns *conns; /* every connection: its deadlines and the limits (conns.c) */
	struct srv_upload_slot uploading[SRV_UPLOADS_AT_ONCE]; /* under limit_lock (spool.c) */
	/* Uploads worked on in threads of their own (routes_uploads.c), under park_lock. */
	int uploads_running;
	/*
	 * The submission pipeline (pipeline.c): queued submissions, the workers
	 * that check them, the group commit's writer thread. Submissions whose
	 * connection is suspended, until their request completes: under park_lock.
	 */
	pthread_mutex_t work_lock;
	pthread_cond_t work_cond;
	struct srv_submission *work_head, **work_tail;
	pthread_t *workers, writer;
	unsigned nworkers;
	int work_stop, pipeline;
	long submissions_waiting;
	/* Pushed receipts: the delivery thread and its worker (deliver.c). */
	cg_deliverer *deliverer;
	pthread_t deliver_thread;
	atomic_int deliver_stop;
};

struct req {
	int started;           /* its first call (headers in) is done */
	int no_client_cert;
	struct srv_addr client; /* the peer, or behind a trusted proxy the forwarded client */
	char *body;
	size_t len;
	size_t cap;
	int too_big;
	int answered; /* answered before its body (429 of the per-address limit) */
	struct timespec start;
	/* An upload is written to a spool file as it arrives, hashed on the way. */
	int spool_fd;          /* -1 when the body is not spooled */
	char *spool;           /* its path while it is to be removed at the end, else NULL */
	EVP_MD_CTX *sha;
	unsigned long long spooled;
	long long upload_slot;  /* the enterprise whose upload slot this request holds, or 0 */
	long long deadline_ms; /* a long-poll's end; 0 until it first waits */
	unsigned long seen;    /* `changes` before its last look at the data */
	struct MHD_Connection *conn;
	struct req *next_parked;
	struct srv_reqlog log;  /* its access line */
	int route;              /* index in the route table, -1 when none matched */
	struct srv_upload_job *job; /* an upload worked on off the pool thread, or NULL */
	struct srv_submission *sub; /* a submission checked off the pool thread, or NULL */
	unsigned long outages;  /* cg_service_outages() when it arrived (answer.h) */
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
/*
 * Hints from the other nodes on the same PostgreSQL database: a thread waits
 * for them and wakes the parked long-polls (nothing on SQLite). 0 when
 * started (or not needed), -1 after saying why on stderr.
 */
int srv_hints_start(struct srv *s);
void srv_hints_stop(struct srv *s);

/* Rate limits over the last minute (ratelimit.c). */
unsigned long srv_limit_key(const char *kind, const char *v);
/*
 * Add @p add events of the key at @p now_ms; whether the key had @p max
 * (at most SRV_LIMIT_EVENTS) in the 60 s up to @p now_ms. A sliding window:
 * no clock minute resets it.
 */
int srv_window_hit(struct srv_limit_slot *slot, unsigned long key, long long now_ms, int add, int max);
/* srv_window_hit() on the daemon's table, now. */
int srv_minute_limit(struct srv *s, unsigned long key, int add, int max);
/* The client's address as text (behind a trusted proxy, the forwarded one; "" when unknown). */
const char *srv_client_ip(struct MHD_Connection *c, char *buf, size_t size);
/* A request on @p c authenticated: its client may use the reserved connections for an hour. */
void srv_note_authenticated(struct srv *s, struct MHD_Connection *c);

/*
 * Whether the peer may name the request (X-Request-Id): a trusted proxy
 * (trusted-proxy), or any peer with the trust-request-id flag.
 */
int srv_peer_trusted(struct srv *s, struct MHD_Connection *c);

/* Metrics (metrics.c). */
void srv_observe_latency(struct srv *s, long ms);
/* A request answered on route @p route (-1: none) with @p status. */
void srv_observe_request(struct srv *s, int route, unsigned status);
/* Each message of a submission's answer (JSON text, NULL when none) by type and status. */
void srv_observe_submission(struct srv *s, const char *answer);
/* The same from a submission's outcome, before its text is made (the pipeline's). */
void srv_observe_result(struct srv *s, const cg_submit_result *res);
/* A submitted message of @p type ("CEB311Message") that ended as @p outcome ("accepted"). */
void srv_observe_message(struct srv *s, const char *type, const char *outcome);
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
/* Free what an upload's worker left for its answer (routes_uploads.c). */
void srv_upload_job_free(struct req *r);
/* Wait until no upload is worked on: before libmicrohttpd stops (its connections are suspended). */
void srv_uploads_drain(struct srv *s);
void srv_upload_slot_give(struct srv *s, struct req *r);
/* Whether the client of a connection closed it (asked while its upload is worked on). */
int srv_client_gone(void *connection);

/*
 * The submission pipeline (pipeline.c). Start the workers (one per core) and
 * the group commit's writer thread (none with --group-commit 0); 0, or -1.
 */
int srv_pipeline_start(struct srv *s);
/* Join them, once libmicrohttpd has stopped. */
void srv_pipeline_stop(struct srv *s);
/*
 * Queue a submission (its body is the request's) for a worker, its
 * connection suspended until the answer is known; -1 when it must be worked
 * on here (no pipeline, stopping, out of memory).
 */
int srv_submission_queue(struct srv *s, struct MHD_Connection *c, struct req *r, const cg_principal *who,
			 int is_json);
/*
 * A queued submission's answer, once known (1): its library context, code
 * and JSON (the caller's to free), or that the database could not be opened.
 */
int srv_submission_done(const struct req *r, cg_ctx **ctx, cg_rc *rc, char **json, int *no_service);
/* Its request completed: free it. */
void srv_submission_free(struct srv *s, struct req *r);
/* Refuse new suspensions; wait until every queued submission's request completed (answered). */
void srv_submissions_drain(struct srv *s);

/* Pushed receipts (deliver.c): start the delivery thread (0, or -1 logged); stop and join it. */
int srv_deliver_start(struct srv *s);
void srv_deliver_stop(struct srv *s);

/* The request handler and completion callback of libmicrohttpd (http.c). */
enum MHD_Result srv_on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *upload, size_t *upload_size,
			       void **con_cls);
void srv_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe);

#endif
