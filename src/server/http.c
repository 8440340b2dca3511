/* SPDX-License-Identifier: MIT */
/*
 * cebgated's HTTP layer (libmicrohttpd, thread pool with epoll): every limit
 * of security.md set, bodies counted and capped per request, one route table,
 * one log line per request. Handlers decode the request, call one cg_service
 * function and map the answer; the domain lives in libcebgate.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <gnutls/gnutls.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <jansson.h>
#include <microhttpd.h>
#include "cebgate/cebgate.h"
#include "cebgate/desk.h"
#include "cebgate/explain.h"
#include "cebgate/service.h"
#include "deadline.h"
#include "request.h"
#include "server.h"

/* Upper bounds (ms) of the request-duration histogram's buckets; +Inf follows. */
static const long latency_bounds[] = { 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000 };
#define LATENCY_BUCKETS (sizeof(latency_bounds) / sizeof(latency_bounds[0]))

/* Failed logins per account and per address in the current minute (a small fixed table). */
#define LOGIN_SLOTS 512
#define LOGIN_MAX_FAILURES 5
/* Uploads per account and minute. */
#define UPLOADS_PER_MINUTE 20

struct login_slot {
	unsigned long key;
	long minute;
	int failures;
};

struct srv {
	const struct srv_config *cfg;
	pthread_mutex_t login_lock;
	struct login_slot logins[LOGIN_SLOTS];
	char *tls_cert, *tls_key, *tls_ca;
	char *custody_pass; /* read once from custody-pass-file; NULL: custodial signing off */
	volatile sig_atomic_t *stop;
	pthread_key_t svc_key; /* each pool thread's own cg_service (connection + validator) */
	cg_committer *committer; /* shared by the pool threads' services (group commit), or NULL */
	atomic_ulong requests, submissions, accepted, receipts_served, errors;
	atomic_ulong latency[LATENCY_BUCKETS + 1], latency_ms_sum; /* per bucket, not cumulative */
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
	long long deadline_ms; /* a long-poll's end; 0 until it first waits */
	unsigned long seen;    /* `changes` before its last look at the data */
	struct MHD_Connection *conn;
	struct req *next_parked;
};

static long long
now_ms(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* The first look of a long-poll fixes its deadline; later looks keep it. */
static void
poll_start(struct srv *s, struct req *r, long long wait)
{
	if (r->deadline_ms == 0)
		r->deadline_ms = now_ms() + wait * 1000;
	r->seen = atomic_load(&s->changes);
}

/*
 * Suspend a long-poll that has nothing to answer yet; it is looked at again
 * after the next write or at its deadline. 0 when it must answer now instead.
 */
static int
park(struct srv *s, struct MHD_Connection *c, struct req *r)
{
	int ok;

	if (now_ms() >= r->deadline_ms)
		return 0;
	pthread_mutex_lock(&s->park_lock);
	ok = !s->closing && !*s->stop;
	if (ok) {
		MHD_suspend_connection(c);
		r->conn = c;
		r->next_parked = s->parked;
		s->parked = r;
		s->nparked++;
	}
	pthread_mutex_unlock(&s->park_lock);
	return ok;
}

/* Resume the parked requests that something was written for, or whose time is up (all when closing). */
static void
unpark(struct srv *s, int all)
{
	long long now = now_ms();
	unsigned long changes = atomic_load(&s->changes);
	struct req **pp, *r;

	pthread_mutex_lock(&s->park_lock);
	s->closing |= all;
	for (pp = &s->parked; (r = *pp) != NULL;) {
		if (all || r->seen != changes || now >= r->deadline_ms) {
			*pp = r->next_parked;
			r->next_parked = NULL;
			s->nparked--;
			MHD_resume_connection(r->conn);
		} else {
			pp = &r->next_parked;
		}
	}
	pthread_mutex_unlock(&s->park_lock);
}

/* After a write: parked long-polls may have an answer now. */
static void
changed(struct srv *s)
{
	pthread_mutex_lock(&s->park_lock);
	atomic_fetch_add(&s->changes, 1);
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->park_lock);
}

/* With --tls-client-ca, a client must present a certificate that chains to those CAs. */
static int
client_cert_ok(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	gnutls_session_t session;
	unsigned status = 1, n = 0;

	if (ci == NULL || ci->tls_session == NULL)
		return 0;
	session = (gnutls_session_t)ci->tls_session;
	if (gnutls_certificate_get_peers(session, &n) == NULL || n == 0)
		return 0;
	return gnutls_certificate_verify_peers2(session, &status) == 0 && status == 0;
}

static void
svc_destroy(void *p)
{
	cg_service_free(p);
}

static cg_rc
configure(const struct srv_config *cfg, cg_service *svc, cg_ctx *ctx)
{
	cg_service_options o = CG_SERVICE_OPTIONS_INIT;

	o.match_timeout = cfg->match_timeout;
	o.random_per_mille = cfg->random_rate;
	o.value_threshold = cfg->value_threshold;
	o.watch_hs = cfg->watch_hs;
	o.near_quota_percent = cfg->near_quota;
	o.new_enterprise_days = cfg->new_enterprise_days;
	o.lease_seconds = cfg->lease;
	return cg_service_configure(svc, ctx, &o);
}

/* The calling thread's service, made on first use. */
static cg_service *
thread_service(struct srv *s)
{
	cg_service *svc = pthread_getspecific(s->svc_key);
	cg_ctx *ctx = NULL;

	if (svc != NULL)
		return svc;
	if (cg_ctx_new(&ctx) != CG_OK)
		return NULL;
	if (cg_service_new(&svc, ctx, s->cfg->db, NULL) != CG_OK || configure(s->cfg, svc, ctx) != CG_OK) {
		fprintf(stderr, "level=error msg=\"cannot open the service: %s\"\n", cg_ctx_errmsg(ctx));
		cg_service_free(svc);
		svc = NULL;
	} else if (pthread_setspecific(s->svc_key, svc) != 0) {
		cg_service_free(svc);
		svc = NULL;
	} else {
		cg_service_set_committer(svc, s->committer);
		if (s->custody_pass != NULL &&
		    cg_service_set_custody(svc, NULL, s->cfg->custody_dir, s->custody_pass) != CG_OK)
			fprintf(stderr, "level=error msg=\"custody settings: out of memory\"\n");
	}
	cg_ctx_free(ctx);
	return svc;
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned status, const char *type, const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
								 MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ok;

	if (r == NULL)
		return MHD_NO;
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type) != MHD_YES ||
	    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") != MHD_YES ||
	    MHD_add_response_header(r, "Cache-Control", "no-store") != MHD_YES) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result
reply_json(struct MHD_Connection *c, unsigned status, const char *json)
{
	return reply(c, status, "application/json; charset=utf-8", json, strlen(json));
}

/* Errors never carry internal detail (paths, SQL): a fixed text per status. */
static enum MHD_Result
reply_error(struct MHD_Connection *c, unsigned status, const char *what)
{
	char buf[256];

	(void)snprintf(buf, sizeof(buf), "{\"error\": \"%s\"}\n", what);
	return reply_json(c, status, buf);
}

/* A bearer token, else a browser's session cookie (web.c checks its CSRF token first). */
static int
authenticate(struct srv *s, struct MHD_Connection *c, cg_service *svc, cg_principal *who)
{
	(void)s;
	return srv_web_principal(c, svc, who);
}

/* Who calls, and a context for the service; 0 when the request is answered already (401, 500). */
static int
route_begin(struct srv *s, struct MHD_Connection *c, cg_service *svc, cg_principal *who, cg_ctx **ctx,
	    enum MHD_Result *early)
{
	if (!authenticate(s, c, svc, who)) {
		*early = reply_error(c, MHD_HTTP_UNAUTHORIZED, "a valid bearer token is required");
		return 0;
	}
	if (cg_ctx_new(ctx) != CG_OK) {
		*early = reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
		return 0;
	}
	return 1;
}

static enum MHD_Result
route_submissions(struct srv *s, struct MHD_Connection *c, struct req *r, cg_service *svc)
{
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	cg_principal who;
	cg_ctx *ctx = NULL;
	char *json = NULL;
	int http = 500;
	enum MHD_Result ok;
	cg_rc rc;

	if (!authenticate(s, c, svc, &who))
		return reply_error(c, MHD_HTTP_UNAUTHORIZED, "a valid bearer token is required");
	if (r->len == 0)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "empty body");
	if (cg_ctx_new(&ctx) != CG_OK)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	rc = cg_service_submit(svc, ctx, &who, r->body, r->len,
			       srv_is_json_type(type), &json, &http);
	atomic_fetch_add(&s->submissions, 1);
	if (rc == CG_OK) {
		atomic_fetch_add(&s->accepted, http == 200);
		ok = reply_json(c, (unsigned)http, json);
	} else if (rc == CG_EINVAL) {
		ok = reply_error(c, MHD_HTTP_BAD_REQUEST, "malformed batch");
	} else {
		fprintf(stderr, "level=error route=submissions rc=%s msg=\"%s\"\n", cg_strerror(rc),
			cg_ctx_errmsg(ctx));
		ok = reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	}
	cg_free(json);
	cg_ctx_free(ctx);
	return ok;
}

static long long
query_number(struct MHD_Connection *c, const char *name, long long dflt, long long max)
{
	return srv_parse_number(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name), dflt, max);
}

/* Receipts after a cursor; with wait=S the request waits (parked) up to S seconds for one. */
static enum MHD_Result
route_receipts(struct srv *s, struct MHD_Connection *c, struct req *r, cg_service *svc)
{
	long long after = query_number(c, "after", 0, INT64_MAX);
	long long wait = query_number(c, "wait", 0, s->cfg->max_wait);
	long long limit = query_number(c, "limit", 100, 1000);
	cg_principal who;
	cg_ctx *ctx = NULL;
	char *json = NULL;
	int count = 0;
	enum MHD_Result ok;
	cg_rc rc;

	if (!authenticate(s, c, svc, &who))
		return reply_error(c, MHD_HTTP_UNAUTHORIZED, "a valid bearer token is required");
	if (after < 0 || wait < 0 || limit <= 0)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "after, wait and limit are whole numbers");
	if (cg_ctx_new(&ctx) != CG_OK)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	poll_start(s, r, wait);
	rc = cg_service_receipts(svc, ctx, &who, after, (int)limit, &json, &count);
	if (rc == CG_OK && count == 0 && park(s, c, r)) {
		cg_free(json);
		cg_ctx_free(ctx);
		return MHD_YES;
	}
	atomic_fetch_add(&s->receipts_served, (unsigned long)count);
	ok = rc == CG_OK ? reply_json(c, MHD_HTTP_OK, json)
			 : reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	cg_free(json);
	cg_ctx_free(ctx);
	return ok;
}

/* Map a service answer (or failure) to the response. */
static enum MHD_Result
answer(struct MHD_Connection *c, cg_ctx *ctx, cg_rc rc, int http, char *json, const char *route)
{
	enum MHD_Result ok;

	if (rc == CG_OK && json != NULL) {
		ok = reply_json(c, (unsigned)http, json);
	} else {
		fprintf(stderr, "level=error route=%s rc=%s msg=\"%s\"\n", route, cg_strerror(rc),
			cg_ctx_errmsg(ctx));
		ok = reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	}
	cg_free(json);
	cg_ctx_free(ctx);
	return ok;
}

/* /api/v1/review[/ID/claim|/ID/decide] */
static enum MHD_Result
route_review(struct srv *s, struct MHD_Connection *c, const char *rest, const char *method,
	     struct req *r, cg_service *svc)
{
	cg_principal who;
	cg_ctx *ctx = NULL;
	enum MHD_Result early;
	char *json = NULL;
	const char *end;
	long long id;
	int http = 500;
	cg_rc rc;

	if (!route_begin(s, c, svc, &who, &ctx, &early))
		return early;
	if (*rest == '\0' && strcmp(method, "GET") == 0) {
		cg_review_filter f = {
			MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "state"),
			MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "reason"),
			MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "enterprise"),
			MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "tradeMode"),
			query_number(c, "minAge", 0, INT64_MAX),
		};

		rc = cg_service_review_query(svc, ctx, &who, &f, &json, &http);
		return answer(c, ctx, rc, http, json, "review");
	}
	id = *rest == '/' ? srv_parse_id(rest + 1, &end) : 0;
	if (id <= 0 || strcmp(method, "POST") != 0) {
		cg_ctx_free(ctx);
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
	}
	if (strcmp(end, "/claim") == 0) {
		rc = cg_service_review_claim(svc, ctx, &who, id, &json, &http);
	} else if (strcmp(end, "/decide") == 0) {
		json_t *b = srv_parse_json_body(r->body, r->len);

		rc = cg_service_review_decide(svc, ctx, &who, id,
					      json_string_value(json_object_get(b, "decision")),
					      json_string_value(json_object_get(b, "reason")), &json, &http);
		json_decref(b);
	} else {
		cg_ctx_free(ctx);
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
	}
	return answer(c, ctx, rc, http, json, "review");
}

static enum MHD_Result
route_declaration(struct srv *s, struct MHD_Connection *c, const char *rest, cg_service *svc)
{
	cg_principal who;
	cg_ctx *ctx = NULL;
	char *json = NULL;
	const char *end;
	long long id = srv_parse_id(rest, &end);
	int http = 500;
	cg_rc rc;

	if (!authenticate(s, c, svc, &who))
		return reply_error(c, MHD_HTTP_UNAUTHORIZED, "a valid bearer token is required");
	if (id <= 0 || *end != '\0')
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
	if (cg_ctx_new(&ctx) != CG_OK)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	/* The call first: arguments are evaluated in no set order. */
	rc = cg_service_declaration(svc, ctx, &who, id, &json, &http);
	return answer(c, ctx, rc, http, json, "declaration");
}

/* A strong validator of a waybill's answer. */
static void
logistics_etag(const char *json, char *etag, size_t size)
{
	unsigned long h = 5381;
	const char *p;

	for (p = json; *p != '\0'; p++)
		h = h * 33 + (unsigned char)*p;
	(void)snprintf(etag, size, "\"%lx\"", h);
}

/* GET /api/v1/logistics/CODE/NO (ETag, If-None-Match) or POST /api/v1/logistics/query. */
static enum MHD_Result
route_logistics(struct srv *s, struct MHD_Connection *c, const char *rest, const char *method,
		struct req *r, cg_service *svc)
{
	cg_principal who;
	cg_ctx *ctx = NULL;
	enum MHD_Result early;
	char *json = NULL, keys[512], etag[48];
	int http = 500;
	cg_rc rc;

	if (!route_begin(s, c, svc, &who, &ctx, &early))
		return early;
	if (strcmp(rest, "query") == 0 && strcmp(method, "POST") == 0) {
		json_t *b = srv_parse_json_body(r->body, r->len);
		char *txt = srv_logistics_query_keys(b);

		rc = cg_service_logistics(svc, ctx, &who, txt != NULL ? txt : "", &json, &http);
		free(txt);
		json_decref(b);
		return answer(c, ctx, rc, http, json, "logistics");
	}
	if (strcmp(method, "GET") != 0 || srv_logistics_path_keys(rest, keys, sizeof(keys)) != 0) {
		cg_ctx_free(ctx);
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
	}
	{
		/* Long-poll: with If-None-Match and wait=S, answer when the state changes (or at S). */
		const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
		long long wait = query_number(c, "wait", 0, s->cfg->max_wait);

		poll_start(s, r, wait < 0 ? 0 : wait);
		rc = cg_service_logistics(svc, ctx, &who, keys, &json, &http);
		if (rc == CG_OK && http == 200) {
			logistics_etag(json, etag, sizeof(etag));
			if (inm != NULL && strcmp(inm, etag) == 0 && park(s, c, r)) {
				cg_free(json);
				cg_ctx_free(ctx);
				return MHD_YES;
			}
		}
	}
	if (rc == CG_OK && http == 200) {
		const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
		struct MHD_Response *resp;
		enum MHD_Result ok;

		if (inm != NULL && strcmp(inm, etag) == 0) {
			resp = MHD_create_response_from_buffer(0, (void *)(uintptr_t)"", MHD_RESPMEM_PERSISTENT);
			ok = resp != NULL && MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag) == MHD_YES
				     ? MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, resp)
				     : MHD_NO;
		} else {
			resp = MHD_create_response_from_buffer(strlen(json), json, MHD_RESPMEM_MUST_COPY);
			ok = resp != NULL &&
					     MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag) == MHD_YES &&
					     MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
								     "application/json; charset=utf-8") == MHD_YES
				     ? MHD_queue_response(c, MHD_HTTP_OK, resp)
				     : MHD_NO;
		}
		if (resp != NULL)
			MHD_destroy_response(resp);
		cg_free(json);
		cg_ctx_free(ctx);
		return ok;
	}
	return answer(c, ctx, rc, http, json, "logistics");
}

static unsigned long hash_key(const char *kind, const char *v);
static int minute_limit(struct srv *s, unsigned long key, int add, int max);

/* Spool an upload's body to a private file in the upload directory; -1 when it cannot. */
static int
spool_open(struct srv *s, struct req *r)
{
	if (snprintf(r->spool, sizeof(r->spool), "%s/.spool-XXXXXX", s->cfg->upload_dir) >=
	    (int)sizeof(r->spool)) {
		r->spool[0] = '\0';
		return -1;
	}
	r->spool_fd = mkostemp(r->spool, O_CLOEXEC);
	if (r->spool_fd < 0) {
		r->spool[0] = '\0';
		return -1;
	}
	r->sha = EVP_MD_CTX_new();
	return r->sha != NULL && EVP_DigestInit_ex(r->sha, EVP_sha256(), NULL) == 1 ? 0 : -1;
}

/* Append a chunk to the spool file and the hash; past max-upload the upload is refused (413). */
static void
spool_chunk(struct srv *s, struct req *r, const char *data, size_t n)
{
	if (r->too_big || r->spool_fd < 0)
		return;
	if (r->spooled + n > s->cfg->max_upload) {
		r->too_big = 1;
		return;
	}
	r->spooled += n;
	if (EVP_DigestUpdate(r->sha, data, n) != 1)
		r->spool_fd = -1;
	while (n > 0 && r->spool_fd >= 0) {
		ssize_t w = write(r->spool_fd, data, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			(void)close(r->spool_fd);
			r->spool_fd = -1; /* the route answers 503 */
			break;
		}
		data += w;
		n -= (size_t)w;
	}
}

static void
spool_discard(struct req *r)
{
	if (r->spool_fd >= 0)
		(void)close(r->spool_fd);
	r->spool_fd = -1;
	if (r->spool[0] != '\0')
		(void)unlink(r->spool);
	r->spool[0] = '\0';
	EVP_MD_CTX_free(r->sha);
	r->sha = NULL;
}

/* Keep the spooled upload as DIR/SHA256 (the audit trail's copy); its hash in @p hex. */
static int
spool_keep(struct srv *s, struct req *r, char *hex, char *path, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0, i;

	if (r->spool_fd < 0 || EVP_DigestFinal_ex(r->sha, md, &n) != 1 || n != 32 ||
	    fsync(r->spool_fd) != 0)
		return -1;
	for (i = 0; i < n; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", md[i]);
	if (snprintf(path, size, "%s/%s", s->cfg->upload_dir, hex) >= (int)size ||
	    rename(r->spool, path) != 0)
		return -1;
	r->spool[0] = '\0'; /* kept: nothing to remove at the end */
	return 0;
}

static enum MHD_Result
reply_owned(struct MHD_Connection *c, cg_ctx *ctx, cg_rc rc, int http, char *body, size_t len,
	    const char *type)
{
	enum MHD_Result ok;

	if (rc != CG_OK || body == NULL) {
		fprintf(stderr, "level=error route=uploads rc=%s msg=\"%s\"\n", cg_strerror(rc), cg_ctx_errmsg(ctx));
		ok = reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	} else {
		ok = reply(c, (unsigned)http, http == 200 ? type : "application/json; charset=utf-8", body, len);
	}
	cg_free(body);
	cg_ctx_free(ctx);
	return ok;
}

/* POST /api/v1/uploads?name=F[&from=csv|ndjson|xml][&type=T][&encoding=E] (the spooled body). */
static enum MHD_Result
upload_post(struct srv *s, struct MHD_Connection *c, struct req *r, cg_service *svc,
	    const cg_principal *who, cg_ctx *ctx)
{
	cg_upload u = { 0 };
	const char *name = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "name");
	long long type = query_number(c, "type", 311, 999);
	char hex[65], path[4200];
	char *json = NULL;
	int http = 500;
	cg_rc rc;

	if (minute_limit(s, hash_key("upload:", who->name), 1, UPLOADS_PER_MINUTE)) {
		cg_ctx_free(ctx);
		return reply_error(c, MHD_HTTP_TOO_MANY_REQUESTS, "too many uploads: wait a minute");
	}
	if (r->spooled == 0 || spool_keep(s, r, hex, path, sizeof(path)) != 0) {
		cg_ctx_free(ctx);
		return r->spooled == 0 ? reply_error(c, MHD_HTTP_BAD_REQUEST, "empty upload")
				       : reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "cannot keep the upload");
	}
	u.path = path;
	u.name = name != NULL && *name != '\0' && strlen(name) <= 200 ? name : "upload";
	u.sha256 = hex;
	u.size = r->spooled;
	u.from = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
	u.type = type == 411 || type == 511 || type == 621 ? (int)type : 311;
	u.encoding = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "encoding");
	u.profile = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "profile");
	u.max_records = s->cfg->max_records;
	rc = cg_service_upload(svc, ctx, who, &u, &json, &http);
	return answer(c, ctx, rc, http, json, "uploads");
}

/* GET /api/v1/explain/CODE: the catalogue's meaning of a code and what to do (no login: no personal data). */
static enum MHD_Result
route_explain(struct MHD_Connection *c, const char *code)
{
	cg_explanation x;
	json_t *o;
	char *json;
	enum MHD_Result ok;

	if (strlen(code) > 32 || cg_explain(code, &x) != CG_OK)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no such code");
	o = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:b}", "code", x.code, "kind", x.kind, "zh", x.zh,
		      "en", x.en, "todo_zh", x.todo_zh, "todo_en", x.todo_en, "final", x.final);
	json = o != NULL ? json_dumps(o, JSON_INDENT(2)) : NULL;
	json_decref(o);
	ok = json != NULL ? reply_json(c, MHD_HTTP_OK, json)
			  : reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	free(json);
	return ok;
}

/* GET /api/v1/declarations?q=&kind=&state=&before=&limit=: the declarant's status list. */
static enum MHD_Result
route_declarations(struct srv *s, struct MHD_Connection *c, cg_service *svc)
{
	cg_declaration_query qy = { 0 };
	cg_principal who;
	cg_ctx *ctx = NULL;
	char *json = NULL;
	int http = 500;
	cg_rc rc;

	if (!authenticate(s, c, svc, &who))
		return reply_error(c, MHD_HTTP_UNAUTHORIZED, "a valid bearer token is required");
	qy.search = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
	qy.state = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "state");
	qy.kind = (int)query_number(c, "kind", 0, 999);
	qy.before = query_number(c, "before", 0, INT64_MAX);
	qy.limit = (int)query_number(c, "limit", 100, 500);
	if (qy.kind < 0 || qy.before < 0 || qy.limit <= 0)
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "kind, before and limit are whole numbers");
	if (cg_ctx_new(&ctx) != CG_OK)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	rc = cg_service_declarations(svc, ctx, &who, &qy, &json, &http);
	return answer(c, ctx, rc, http, json, "declarations");
}

/* POST /api/v1/profiles/NAME: save the enterprise's mapping profile (the body). */
static enum MHD_Result
route_profile(struct srv *s, struct MHD_Connection *c, const char *name, struct req *r, cg_service *svc)
{
	cg_principal who;
	cg_ctx *ctx = NULL;
	enum MHD_Result early;
	char *json = NULL;
	int http = 500;
	cg_rc rc;

	if (!route_begin(s, c, svc, &who, &ctx, &early))
		return early;
	rc = cg_service_profile_save(svc, ctx, &who, name, r->body != NULL ? r->body : "", r->len, &json, &http);
	return answer(c, ctx, rc, http, json, "profiles");
}

/*
 * /api/v1/uploads: POST (a file), GET /ID (state, counts, findings, documents),
 * GET /ID/findings.csv, GET /ID/documents/SEQ (canonical XML), POST /ID/submit.
 */
static enum MHD_Result
route_uploads(struct srv *s, struct MHD_Connection *c, const char *rest, const char *method,
	      struct req *r, cg_service *svc)
{
	cg_principal who;
	cg_ctx *ctx = NULL;
	enum MHD_Result early;
	char *out = NULL, tail[32];
	const char *end = rest, *after;
	long long id, seq = 0;
	size_t len = 0;
	int http = 500;
	cg_rc rc;

	if (!route_begin(s, c, svc, &who, &ctx, &early))
		return early;
	if (*rest == '\0' && strcmp(method, "POST") == 0)
		return upload_post(s, c, r, svc, &who, ctx);
	if (*rest == '\0' && strcmp(method, "GET") == 0) {
		rc = cg_service_uploads_list(svc, ctx, &who, &out, &http);
		return answer(c, ctx, rc, http, out, "uploads");
	}
	id = rest[0] == '/' ? srv_parse_id(rest + 1, &end) : 0;
	if (id <= 0 || strlen(end) >= sizeof(tail) ||
	    (strncmp(end, "/documents/", 11) == 0 && (seq = srv_parse_id(end + 11, &after)) <= 0)) {
		cg_ctx_free(ctx);
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
	}
	(void)snprintf(tail, sizeof(tail), "%s", end);
	if (tail[0] == '\0' && strcmp(method, "GET") == 0) {
		rc = cg_service_upload_get(svc, ctx, &who, id, &out, &http);
		return answer(c, ctx, rc, http, out, "uploads");
	}
	if (strcmp(tail, "/submit") == 0 && strcmp(method, "POST") == 0) {
		rc = cg_service_upload_submit(svc, ctx, &who, id, &out, &http);
		return answer(c, ctx, rc, http, out, "uploads");
	}
	if (strcmp(tail, "/findings.csv") == 0 && strcmp(method, "GET") == 0) {
		rc = cg_service_upload_findings_csv(svc, ctx, &who, id, &out, &len, &http);
		return reply_owned(c, ctx, rc, http, out, len, "text/csv; charset=utf-8");
	}
	if (seq > 0 && strcmp(method, "GET") == 0) {
		char *xml = NULL;

		rc = cg_service_upload_document(svc, ctx, &who, id, seq, &xml, &len, &http);
		if (rc == CG_OK && http != 200) {
			cg_free(xml);
			cg_ctx_free(ctx);
			return reply_error(c, (unsigned)http, "no such document");
		}
		return reply_owned(c, ctx, rc, http, xml, len, "application/xml; charset=utf-8");
	}
	cg_ctx_free(ctx);
	return reply_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
}

/*
 * The registry (admins): GET|POST /api/v1/enterprises, POST
 * /api/v1/enterprises/CODE/certificates, GET|POST /api/v1/users, POST /api/v1/tokens.
 */
static enum MHD_Result
route_registry(struct srv *s, struct MHD_Connection *c, const char *what, const char *method,
	       struct req *r, cg_service *svc)
{
	const char *slash = strchr(what, '/');
	char kind[16];
	cg_principal who;
	cg_ctx *ctx = NULL;
	char *json = NULL;
	int http = 500;
	cg_rc rc;

	if (!authenticate(s, c, svc, &who))
		return reply_error(c, MHD_HTTP_UNAUTHORIZED, "a valid bearer token is required");
	(void)snprintf(kind, sizeof(kind), "%.*s", slash != NULL ? (int)(slash - what) : 15, what);
	if (slash != NULL && (strcmp(kind, "enterprises") != 0 || strchr(slash + 1, '/') == NULL ||
			      (strcmp(strchr(slash + 1, '/'), "/certificates") != 0 &&
			       strcmp(strchr(slash + 1, '/'), "/custody") != 0)))
		return reply_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET or POST");
	if (cg_ctx_new(&ctx) != CG_OK)
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	if (slash != NULL && strcmp(method, "POST") == 0) {
		char code[32];

		(void)snprintf(code, sizeof(code), "%.*s", (int)(strchr(slash + 1, '/') - slash - 1),
			       slash + 1);
		if (strcmp(strchr(slash + 1, '/'), "/custody") == 0) {
			rc = cg_service_custody_import(svc, ctx, &who, code, r->body, r->len, &json, &http);
			/* The key and its passphrase were in this body. */
			if (r->body != NULL)
				OPENSSL_cleanse(r->body, r->len);
		} else {
			rc = cg_service_certificate_add(svc, ctx, &who, code, r->body, r->len, &json, &http);
		}
	} else if (slash == NULL && strcmp(method, "GET") == 0) {
		rc = cg_service_registry_list(svc, ctx, &who, kind, &json, &http);
	} else if (slash == NULL) {
		rc = cg_service_registry_add(svc, ctx, &who, kind, r->body, r->len, &json, &http);
	} else {
		cg_ctx_free(ctx);
		return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
	}
	return answer(c, ctx, rc, http, json, "registry");
}

static unsigned long
hash_key(const char *kind, const char *v)
{
	unsigned long h = 5381;

	for (; *kind != '\0'; kind++)
		h = h * 33 + (unsigned char)*kind;
	for (; v != NULL && *v != '\0'; v++)
		h = h * 33 + (unsigned char)*v;
	return h | 1;
}

/* Count a failure (fail != 0) or ask whether the key is blocked this minute. */
static int
login_limit(struct srv *s, unsigned long key, int fail)
{
	return minute_limit(s, key, fail, LOGIN_MAX_FAILURES);
}

/* Add @p add to the key's count of this minute; whether it reached @p max. */
static int
minute_limit(struct srv *s, unsigned long key, int add, int max)
{
	long minute = (long)(time(NULL) / 60);
	struct login_slot *slot = &s->logins[key % LOGIN_SLOTS];
	int blocked;

	pthread_mutex_lock(&s->login_lock);
	if (slot->key != key || slot->minute != minute) {
		slot->key = key;
		slot->minute = minute;
		slot->failures = 0;
	}
	slot->failures += add;
	blocked = slot->failures >= max;
	pthread_mutex_unlock(&s->login_lock);
	return blocked;
}

static const char *
client_ip(struct MHD_Connection *c, char *buf, size_t size)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	buf[0] = '\0';
	if (ci != NULL && ci->client_addr != NULL && ci->client_addr->sa_family == AF_INET)
		(void)inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, buf,
				(socklen_t)size);
	return buf;
}

/* One login for every role: a password in, a bearer token out; failures rate-limited. */
static enum MHD_Result
route_login(struct srv *s, struct MHD_Connection *c, struct req *r, cg_service *svc)
{
	json_t *b = srv_parse_json_body(r->body, r->len);
	const char *user = json_string_value(json_object_get(b, "user"));
	const char *pass = json_string_value(json_object_get(b, "password"));
	unsigned long kuser = hash_key("u:", user), kip;
	cg_principal who;
	cg_ctx *ctx = NULL;
	char ip[64], *token = NULL;
	enum MHD_Result ok;

	kip = hash_key("ip:", client_ip(c, ip, sizeof(ip)));
	if (user == NULL || pass == NULL) {
		json_decref(b);
		return reply_error(c, MHD_HTTP_BAD_REQUEST, "user and password are required");
	}
	if (login_limit(s, kuser, 0) || login_limit(s, kip, 0)) {
		json_decref(b);
		return reply_error(c, MHD_HTTP_TOO_MANY_REQUESTS, "too many failed logins: wait a minute");
	}
	if (cg_ctx_new(&ctx) != CG_OK) {
		json_decref(b);
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	}
	if (cg_service_login(svc, ctx, user, pass, &who, &token) != CG_OK) {
		(void)login_limit(s, kuser, 1);
		(void)login_limit(s, kip, 1);
		json_decref(b);
		cg_ctx_free(ctx);
		return reply_error(c, MHD_HTTP_UNAUTHORIZED, "wrong user or password");
	}
	json_decref(b);
	/* The token in the body for API clients, and as the session cookie for the web pages. */
	ok = srv_web_login_reply(c, &who, token, s->cfg->tls_cert != NULL);
	cg_free(token);
	cg_ctx_free(ctx);
	return ok;
}

static enum MHD_Result
route_metrics(struct srv *s, struct MHD_Connection *c)
{
	cg_service *svc = thread_service(s);
	long long queued = -1, waiting = -1, oldest = -1;
	cg_ctx *ctx = NULL;
	char buf[16384];
	size_t n, b;
	unsigned long cumulative = 0;
	long parked;

	if (svc != NULL && cg_ctx_new(&ctx) == CG_OK &&
	    cg_service_gauges(svc, ctx, &queued, &waiting, &oldest) != CG_OK)
		queued = waiting = oldest = -1;
	cg_ctx_free(ctx);
	pthread_mutex_lock(&s->park_lock);
	parked = s->nparked;
	pthread_mutex_unlock(&s->park_lock);
	(void)snprintf(buf, sizeof(buf),
		       "# TYPE cebgate_requests_total counter\ncebgate_requests_total %lu\n"
		       "# TYPE cebgate_submissions_total counter\ncebgate_submissions_total %lu\n"
		       "# TYPE cebgate_submissions_accepted_total counter\n"
		       "cebgate_submissions_accepted_total %lu\n"
		       "# TYPE cebgate_receipts_served_total counter\ncebgate_receipts_served_total %lu\n"
		       "# TYPE cebgate_errors_total counter\ncebgate_errors_total %lu\n",
		       atomic_load(&s->requests), atomic_load(&s->submissions),
		       atomic_load(&s->accepted), atomic_load(&s->receipts_served),
		       atomic_load(&s->errors));
	n = strlen(buf);
	(void)snprintf(buf + n, sizeof(buf) - n,
		       "# TYPE cebgate_review_queue_depth gauge\ncebgate_review_queue_depth %lld\n"
		       "# TYPE cebgate_inventories_waiting gauge\ncebgate_inventories_waiting %lld\n"
		       "# TYPE cebgate_review_oldest_seconds gauge\ncebgate_review_oldest_seconds %lld\n"
		       "# TYPE cebgate_long_polls_waiting gauge\ncebgate_long_polls_waiting %ld\n",
		       queued, waiting, oldest, parked);
	if (s->committer != NULL) {
		unsigned long groups, messages;

		cg_committer_stats(s->committer, &groups, &messages);
		n = strlen(buf);
		(void)snprintf(buf + n, sizeof(buf) - n,
			       "# TYPE cebgate_commit_groups_total counter\ncebgate_commit_groups_total %lu\n"
			       "# TYPE cebgate_commit_messages_total counter\n"
			       "cebgate_commit_messages_total %lu\n",
			       groups, messages);
	}
	/* Prometheus histogram: cumulative buckets in seconds, then sum and count. */
	n = strlen(buf);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			      "# TYPE cebgate_request_duration_seconds histogram\n");
	for (b = 0; b <= LATENCY_BUCKETS && n < sizeof(buf); b++) {
		cumulative += atomic_load(&s->latency[b]);
		if (b < LATENCY_BUCKETS)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      "cebgate_request_duration_seconds_bucket{le=\"%g\"} %lu\n",
					      latency_bounds[b] / 1000.0, cumulative);
		else
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      "cebgate_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n"
					      "cebgate_request_duration_seconds_sum %.3f\n"
					      "cebgate_request_duration_seconds_count %lu\n",
					      cumulative, atomic_load(&s->latency_ms_sum) / 1000.0, cumulative);
	}
	n = srv_codes_metrics(buf, sizeof(buf), strlen(buf));
	return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4", buf, strlen(buf));
}

/* GET /api/v1/codes (any signed-in user) and POST /api/v1/admin/codes/reload (codes.c). */
static enum MHD_Result
route_codes(struct srv *s, struct MHD_Connection *c, const char *url, const char *method,
	    cg_service *svc)
{
	bool reload = strcmp(url, "/api/v1/admin/codes/reload") == 0;
	cg_principal who;
	char *json = NULL;
	int http = 500;
	enum MHD_Result ok;

	if (!authenticate(s, c, svc, &who))
		return reply_error(c, MHD_HTTP_UNAUTHORIZED, "a valid bearer token is required");
	if (strcmp(method, reload ? "POST" : "GET") != 0)
		return reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, reload ? "use POST" : "use GET");
	if (!reload) {
		json = srv_codes_json();
		http = MHD_HTTP_OK;
	} else if (srv_codes_reload(svc, &who, &json, &http) != 0) {
		json = NULL;
	}
	ok = json != NULL ? reply_json(c, (unsigned)http, json)
			  : reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	cg_free(json);
	return ok;
}

static enum MHD_Result
dispatch(struct srv *s, struct MHD_Connection *c, const char *url, const char *method,
	 struct req *r)
{
	cg_service *svc;
	enum MHD_Result web;

	if (r->no_client_cert)
		return reply_error(c, MHD_HTTP_FORBIDDEN, "a client certificate from a trusted CA is required");
	if (r->too_big)
		return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "body too large");
	if (strcmp(url, "/healthz") == 0 && strcmp(method, "GET") == 0)
		return reply(c, MHD_HTTP_OK, "text/plain", "ok\n", 3);
	/* The officer desk's pages, and no state change on a session cookie without its CSRF token. */
	if (srv_web_static(c, url, method, &web))
		return web;
	if (!srv_web_csrf_ok(c, url, method))
		return reply_error(c, MHD_HTTP_FORBIDDEN, "the session's CSRF token is missing or wrong");
	if (strncmp(url, "/api/v1/explain/", 16) == 0 && strcmp(method, "GET") == 0)
		return route_explain(c, url + 16);
	svc = thread_service(s);
	if (strcmp(url, "/metrics") == 0 && strcmp(method, "GET") == 0)
		return route_metrics(s, c);
	if (svc == NULL)
		return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "service unavailable");
	if (srv_web_route(c, url, method, svc, s->cfg->tls_cert != NULL, &web))
		return web;
	if (strcmp(url, "/api/v1/login") == 0)
		return strcmp(method, "POST") == 0 ? route_login(s, c, r, svc)
						   : reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
	if (strcmp(url, "/api/v1/submissions") == 0)
		return strcmp(method, "POST") == 0 ? route_submissions(s, c, r, svc)
						   : reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
	if (strcmp(url, "/api/v1/receipts") == 0)
		return strcmp(method, "GET") == 0 ? route_receipts(s, c, r, svc)
						  : reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
	if (strncmp(url, "/api/v1/review", 14) == 0 && (url[14] == '\0' || url[14] == '/'))
		return route_review(s, c, url + 14, method, r, svc);
	if (strcmp(url, "/api/v1/declarations") == 0 && strcmp(method, "GET") == 0)
		return route_declarations(s, c, svc);
	if (strncmp(url, "/api/v1/declarations/", 21) == 0 && strcmp(method, "GET") == 0)
		return route_declaration(s, c, url + 21, svc);
	if (strncmp(url, "/api/v1/logistics/", 18) == 0)
		return route_logistics(s, c, url + 18, method, r, svc);
	if (strncmp(url, "/api/v1/profiles/", 17) == 0)
		return strcmp(method, "POST") == 0 ? route_profile(s, c, url + 17, r, svc)
						   : reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
	if (strcmp(url, "/api/v1/uploads") == 0 || strncmp(url, "/api/v1/uploads/", 16) == 0)
		return route_uploads(s, c, url + 15, method, r, svc);
	if (strcmp(url, "/api/v1/codes") == 0 || strcmp(url, "/api/v1/admin/codes/reload") == 0)
		return route_codes(s, c, url, method, svc);
	if (strcmp(url, "/api/v1/enterprises") == 0 || strncmp(url, "/api/v1/enterprises/", 20) == 0 ||
	    strcmp(url, "/api/v1/users") == 0 || strcmp(url, "/api/v1/tokens") == 0)
		return route_registry(s, c, url + 8, method, r, svc);
	return reply_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
}

/* The Content-Length a client announced (0 when none or unreadable). */
static unsigned long long
declared_length(struct MHD_Connection *c)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	long long n = srv_parse_number(v, 0, INT64_MAX);

	return n > 0 ? (unsigned long long)n : 0;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	   const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct srv *s = cls;
	struct req *r = *con_cls;

	(void)version;
	if (r == NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return MHD_NO;
		(void)clock_gettime(CLOCK_MONOTONIC, &r->start);
		r->no_client_cert = s->tls_ca != NULL && !client_cert_ok(c);
		r->spool_fd = -1;
		*con_cls = r;
		/* Uploads stream to disk; only an authenticated sender's bytes are written. */
		if (strcmp(url, "/api/v1/uploads") == 0 && strcmp(method, "POST") == 0 && !r->no_client_cert) {
			cg_service *svc = thread_service(s);
			cg_principal who;

			if (svc != NULL && authenticate(s, c, svc, &who) && spool_open(s, r) != 0)
				spool_discard(r);
			/*
			 * A big file may take longer than request-timeout to arrive; an
			 * authenticated upload is exempt, while inactivity (timeout) still ends it.
			 */
			if (r->sha != NULL)
				srv_deadlines_received(s->deadlines, c);
		}
		/* A body announced over the cap (max-upload for a spooled upload) is refused before a byte is read. */
		if (declared_length(c) > (r->sha != NULL ? s->cfg->max_upload : s->cfg->max_body)) {
			r->too_big = 1;
			return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "body too large");
		}
		return MHD_YES;
	}
	if (*upload_size != 0 && r->sha != NULL) {
		spool_chunk(s, r, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		/* MHD limits neither body size nor total time: count and cap here. */
		if (!r->too_big && r->len + *upload_size > s->cfg->max_body) {
			r->too_big = 1;
			free(r->body);
			r->body = NULL;
			r->len = r->cap = 0;
		}
		if (!r->too_big) {
			if (r->len + *upload_size + 1 > r->cap) {
				size_t ncap = (r->len + *upload_size + 1) * 2;
				char *p = realloc(r->body, ncap > s->cfg->max_body + 1 ? s->cfg->max_body + 1 : ncap);

				if (p == NULL)
					return MHD_NO;
				r->body = p;
				r->cap = ncap > s->cfg->max_body + 1 ? s->cfg->max_body + 1 : ncap;
			}
			memcpy(r->body + r->len, upload, *upload_size);
			r->len += *upload_size;
			r->body[r->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	srv_deadlines_received(s->deadlines, c);
	if (r->deadline_ms == 0)
		atomic_fetch_add(&s->requests, 1);
	{
		enum MHD_Result ok = dispatch(s, c, url, method, r);

		if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
			changed(s);
		return ok;
	}
}

static void
observe_latency(struct srv *s, long ms)
{
	size_t b = 0;

	while (b < LATENCY_BUCKETS && ms > latency_bounds[b])
		b++;
	atomic_fetch_add(&s->latency[b], 1);
	atomic_fetch_add(&s->latency_ms_sum, (unsigned long)(ms > 0 ? ms : 0));
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;
	struct srv *s = cls;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
	struct timespec end;
	long ms;

	if (r == NULL)
		return;
	srv_deadlines_answered(s->deadlines, c);
	(void)clock_gettime(CLOCK_MONOTONIC, &end);
	ms = (end.tv_sec - r->start.tv_sec) * 1000 + (end.tv_nsec - r->start.tv_nsec) / 1000000;
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
		atomic_fetch_add(&s->errors, 1);
	observe_latency(s, ms);
	/* One line per request; no bodies, tokens or personal data. */
	fprintf(stderr, "level=info status=%u bytes=%zu ms=%ld end=%d\n",
		ci != NULL ? ci->http_status : 0, r->len, ms, (int)toe);
	spool_discard(r);
	free(r->body);
	free(r);
	*con_cls = NULL;
}

static void
on_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("level=warn mhd=\"", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\"\n", stderr);
}

static int
write_port_file(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *fp;
	int ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	fp = fopen(tmp, "w");
	if (fp == NULL)
		return -1;
	ok = fprintf(fp, "%u\n", port) > 0;
	ok = fclose(fp) == 0 && ok;
	/* Readers poll for the file: it appears complete or not at all. */
	return ok && rename(tmp, path) == 0 ? 0 : -1;
}

static int serve(struct srv *sp, const struct srv_config *cfg, volatile sig_atomic_t *stop);

/* Sleep until a write signals or `ms` pass (the stop flag is read at least that often). */
static void
wait_for_change(struct srv *s, long ms)
{
	struct timespec until;

	(void)clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += ms * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&s->park_lock);
	(void)pthread_cond_timedwait(&s->wake, &s->park_lock, &until);
	pthread_mutex_unlock(&s->park_lock);
}

/* A PEM file into a NUL-terminated string (at most 1 MiB). */
static int
read_pem(const char *path, char **out)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t n;

	*out = NULL;
	if (fp == NULL)
		return -1;
	buf = calloc(1, 1024 * 1024 + 1);
	n = buf != NULL ? fread(buf, 1, 1024 * 1024, fp) : 0;
	fclose(fp);
	if (buf == NULL || n == 0 || n == 1024 * 1024) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

/* A private directory (created when absent). */
static int
private_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return -1;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

/* The upload and custody directories, and the custody passphrase (first line of its file). */
static int
prepare_files(struct srv *sp, const struct srv_config *cfg)
{
	char *pass = NULL;

	if (private_dir(cfg->upload_dir) != 0 || private_dir(cfg->custody_dir) != 0) {
		fprintf(stderr, "cebgated: cannot use %s or %s: %s\n", cfg->upload_dir, cfg->custody_dir,
			strerror(errno));
		return -1;
	}
	if (cfg->custody_pass_file == NULL)
		return 0;
	if (read_pem(cfg->custody_pass_file, &pass) != 0) {
		fprintf(stderr, "cebgated: cannot read %s\n", cfg->custody_pass_file);
		return -1;
	}
	pass[strcspn(pass, "\r\n")] = '\0';
	if (strlen(pass) < 8) {
		fprintf(stderr, "cebgated: the custody passphrase needs at least 8 characters\n");
		OPENSSL_cleanse(pass, strlen(pass));
		free(pass);
		return -1;
	}
	sp->custody_pass = pass;
	return 0;
}

int
srv_run(const struct srv_config *cfg, volatile sig_atomic_t *stop)
{
	struct srv *sp = calloc(1, sizeof(*sp)); /* large (the login table): on the heap */
	int rc;

	pthread_condattr_t ca;

	if (sp == NULL || pthread_mutex_init(&sp->login_lock, NULL) != 0) {
		free(sp);
		return -1;
	}
	/* The main loop waits on `wake` with a monotonic deadline. */
	if (pthread_mutex_init(&sp->park_lock, NULL) != 0 || pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 || pthread_cond_init(&sp->wake, &ca) != 0) {
		pthread_mutex_destroy(&sp->login_lock);
		free(sp);
		return -1;
	}
	pthread_condattr_destroy(&ca);
	sp->deadlines = srv_deadlines_new(cfg->request_timeout);
	if (sp->deadlines == NULL || (cfg->group_commit && cg_committer_new(&sp->committer) != CG_OK) ||
	    prepare_files(sp, cfg) != 0)
		rc = -1;
	else
		rc = serve(sp, cfg, stop);
	srv_deadlines_free(sp->deadlines);
	if (sp->custody_pass != NULL)
		OPENSSL_cleanse(sp->custody_pass, strlen(sp->custody_pass));
	free(sp->custody_pass);
	cg_committer_free(sp->committer); /* after the pool threads and their services are gone */
	pthread_cond_destroy(&sp->wake);
	pthread_mutex_destroy(&sp->park_lock);
	pthread_mutex_destroy(&sp->login_lock);
	if (sp->tls_key != NULL)
		memset(sp->tls_key, 0, strlen(sp->tls_key));
	free(sp->tls_cert);
	free(sp->tls_key);
	free(sp->tls_ca);
	free(sp);
	return rc;
}

static int
serve(struct srv *sp, const struct srv_config *cfg, volatile sig_atomic_t *stop)
{
	struct sockaddr_in addr;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	cg_service *probe = NULL;
	cg_ctx *ctx = NULL;
	char *tls_cert = NULL, *tls_key = NULL;
	long long next_sweep = now_ms() + 1000;

	sp->cfg = cfg;
	sp->stop = stop;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)cfg->port);
	if (inet_pton(AF_INET, cfg->bind, &addr.sin_addr) != 1) {
		fprintf(stderr, "cebgated: bad bind address %s\n", cfg->bind);
		return -1;
	}
	/*
	 * Open (and migrate) the database before serving, so errors show at start;
	 * this main-thread service then runs the periodic sweep of unmatched inventories.
	 */
	if (cg_ctx_new(&ctx) != CG_OK || cg_service_new(&probe, ctx, cfg->db, NULL) != CG_OK ||
	    configure(cfg, probe, ctx) != CG_OK) {
		fprintf(stderr, "cebgated: %s\n", ctx != NULL ? cg_ctx_errmsg(ctx) : "out of memory");
		cg_service_free(probe);
		cg_ctx_free(ctx);
		return -1;
	}
	if (srv_codes_open() != 0 || pthread_key_create(&sp->svc_key, svc_destroy) != 0) {
		srv_codes_close();
		cg_service_free(probe);
		cg_ctx_free(ctx);
		return -1;
	}
	if (cfg->tls_cert != NULL && (read_pem(cfg->tls_cert, &tls_cert) != 0 ||
				      read_pem(cfg->tls_key, &tls_key) != 0 ||
				      (cfg->tls_client_ca != NULL && read_pem(cfg->tls_client_ca, &sp->tls_ca) != 0))) {
		fprintf(stderr, "cebgated: cannot read the TLS certificate or key\n");
		d = NULL;
	} else {
		/* TLS (libmicrohttpd's) only when a certificate is configured. */
		struct MHD_OptionItem tls[] = {
			{ MHD_OPTION_HTTPS_MEM_CERT, 0, tls_cert },
			{ MHD_OPTION_HTTPS_MEM_KEY, 0, tls_key },
			{ sp->tls_ca != NULL ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0, sp->tls_ca },
			{ MHD_OPTION_END, 0, NULL },
		};

		d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
					     MHD_ALLOW_SUSPEND_RESUME |
					     (tls_cert != NULL ? MHD_USE_TLS : 0),
				     0, NULL, NULL, on_request, sp,
				     MHD_OPTION_EXTERNAL_LOGGER, on_log, sp,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				     MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
				     MHD_OPTION_CONNECTION_LIMIT, cfg->conn_limit,
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_limit,
				     MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
				     MHD_OPTION_LISTEN_BACKLOG_SIZE, 64u,
				     MHD_OPTION_STRICT_FOR_CLIENT, 1,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, sp,
				     MHD_OPTION_NOTIFY_CONNECTION, srv_deadlines_notify, sp->deadlines,
				     MHD_OPTION_ARRAY, tls_cert != NULL ? tls : tls + 3,
				     MHD_OPTION_END);
	}
	/* MHD keeps pointers to these: they live as long as the daemon (freed by srv_run). */
	sp->tls_cert = tls_cert;
	sp->tls_key = tls_key;
	if (d == NULL) {
		fprintf(stderr, "cebgated: cannot listen on %s:%u\n", cfg->bind, cfg->port);
		pthread_key_delete(sp->svc_key);
		srv_codes_close();
		cg_service_free(probe);
		cg_ctx_free(ctx);
		return -1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "level=info msg=\"listening\" addr=%s port=%u\n", cfg->bind,
		info != NULL ? info->port : cfg->port);
	if (cfg->port_file != NULL && (info == NULL || write_port_file(cfg->port_file, info->port) != 0)) {
		fprintf(stderr, "cebgated: cannot write %s\n", cfg->port_file);
		MHD_stop_daemon(d);
		pthread_key_delete(sp->svc_key);
		srv_codes_close();
		cg_service_free(probe);
		cg_ctx_free(ctx);
		return -1;
	}
	while (!*stop) {
		int rejected = 0;
		unsigned cut;

		wait_for_change(sp, 100);
		unpark(sp, 0);
		if (srv_codes_reload_requested) {
			char *json = NULL;
			int http;

			srv_codes_reload_requested = 0;
			(void)srv_codes_reload(probe, NULL, &json, &http);
			cg_free(json);
		}
		cut = srv_deadlines_sweep(sp->deadlines);
		if (cut > 0)
			fprintf(stderr, "level=warn msg=\"request not received in time\" closed=%u\n", cut);
		if (now_ms() < next_sweep)
			continue;
		/* Every second: refuse inventories that waited past the match timeout. */
		next_sweep = now_ms() + 1000;
		if (cg_service_sweep(probe, ctx, &rejected) != CG_OK) {
			fprintf(stderr, "level=error msg=\"sweep: %s\"\n", cg_ctx_errmsg(ctx));
		} else if (rejected > 0) {
			fprintf(stderr, "level=info msg=\"match timeout\" rejected=%d\n", rejected);
			changed(sp);
		}
	}
	/*
	 * In-flight requests finish; every write is a committed transaction or
	 * nothing. Parked long-polls answer with what they have (MHD must not be
	 * stopped with connections suspended).
	 */
	fprintf(stderr, "level=info msg=\"stopping\"\n");
	unpark(sp, 1);
	wait_for_change(sp, 100);
	MHD_stop_daemon(d);
	pthread_key_delete(sp->svc_key);
	srv_codes_close();
	cg_service_free(probe);
	cg_ctx_free(ctx);
	return 0;
}
