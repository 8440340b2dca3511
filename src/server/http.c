/* SPDX-License-Identifier: MIT */
/*
 * cebgated's HTTP layer over libmicrohttpd: a request's body counted and
 * capped as it arrives (an upload spooled to disk instead), then handed to
 * the route table (router.c); one log line per request.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include "answer.h"
#include "daemon.h"
#include "conns.h"
#include "log.h"
#include "request.h"
#include "routes.h"

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

#define SRV_UPLOADS_BUSY "{\"error\": \"too many uploads at once: retry later\"}\n"

/* The Content-Length a client announced (0 when none or unreadable). */
static unsigned long long
declared_length(struct MHD_Connection *c)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	long long n = srv_parse_number(v, 0, INT64_MAX);

	return n > 0 ? (unsigned long long)n : 0;
}

int
srv_peer_trusted(struct srv *s, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct srv_addr peer;

	if (s->cfg->trust_request_id)
		return 1;
	/* A trusted proxy names the request as it names the client. */
	return ci != NULL && srv_addr_of(ci->client_addr, &peer) == 0 && srv_proxy_trusted(&peer);
}

/* @p src into @p dst (of @p size bytes), control and non-ASCII bytes as '?': a log field. */
static void
copy_printable(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i] != '\0'; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || (unsigned char)src[i] >= 0x7f ? '?' : src[i];
	dst[i] = '\0';
}

/* The access line's fields known on arrival; the id the answer will carry. */
static void
request_arrived(struct srv *s, struct MHD_Connection *c, struct req *r, const char *url, const char *method)
{
	const char *offered = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");

	srv_request_id(r->log.id, offered, srv_peer_trusted(s, c));
	(void)srv_client_ip(c, r->log.client, sizeof(r->log.client));
	copy_printable(r->log.method, sizeof(r->log.method), method);
	/* MHD hands the path without its query string: nothing of a query reaches the log. */
	copy_printable(r->log.path, sizeof(r->log.path), url);
	r->route = -1;
}

static enum MHD_Result on_request(struct srv *s, struct req *r, struct MHD_Connection *c, const char *url,
				  const char *method, const char *upload, size_t *upload_size);

enum MHD_Result
srv_on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	   const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct srv *s = cls;
	struct req *r = *con_cls;
	enum MHD_Result q;

	(void)version;
	if (r == NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return MHD_NO;
		(void)clock_gettime(CLOCK_MONOTONIC, &r->start);
		request_arrived(s, c, r, url, method);
		*con_cls = r;
	}
	/* Whatever answers this request in this thread names its id. */
	srv_reqlog_enter(&r->log);
	q = on_request(s, r, c, url, method, upload, upload_size);
	srv_reqlog_enter(NULL);
	return q;
}

static enum MHD_Result
on_request(struct srv *s, struct req *r, struct MHD_Connection *c, const char *url, const char *method,
	   const char *upload, size_t *upload_size)
{
	if (!r->started) {
		r->started = 1;
		r->no_client_cert = s->tls_ca != NULL && !client_cert_ok(c);
		r->spool_fd = -1;
		r->outages = cg_service_outages();
		srv_request_client(c, &r->client);
		/* Through a trusted proxy, the forwarded client's own limit. */
		if (srv_conns_request(s->conns, c, &r->client) != 0) {
			r->answered = 1;
			return srv_reply_retry(c, MHD_HTTP_TOO_MANY_REQUESTS,
					       "too many connections from this address", 1);
		}
		/* Uploads stream to disk; only an authenticated sender's bytes are written. */
		if (strcmp(url, "/api/v1/uploads") == 0 && strcmp(method, "POST") == 0 && !r->no_client_cert) {
			cg_service *svc = srv_thread_service(s);
			cg_principal who;

			if (svc != NULL && srv_web_principal(c, svc, &who)) {
				srv_note_authenticated(s, c);
				if (who.enterprise_id != 0 && !srv_upload_slot_take(s, r, who.enterprise_id)) {
					static const char *const retry[] = { "Retry-After", "10", NULL };

					r->too_big = 1; /* nothing of the body is kept */
					return srv_reply(c, MHD_HTTP_TOO_MANY_REQUESTS, SRV_JSON,
							 SRV_UPLOADS_BUSY, sizeof(SRV_UPLOADS_BUSY) - 1, retry);
				}
				if (srv_spool_open(s, r) != 0)
					srv_spool_discard(r);
			}
			/*
			 * A big file may take longer than request-timeout to arrive; an
			 * authenticated upload is exempt, while inactivity (timeout) still ends it.
			 */
			if (r->sha != NULL)
				srv_conns_received(s->conns, c);
		}
		/* A body announced over the cap (max-upload for a spooled upload) is refused before a byte is read. */
		if (declared_length(c) > (r->sha != NULL ? s->cfg->max_upload : s->cfg->max_body)) {
			r->too_big = 1;
			return srv_reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "body too large");
		}
		return MHD_YES;
	}
	if (r->answered) { /* nothing of the request is read any more */
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size != 0 && r->sha != NULL) {
		srv_spool_chunk(s, r, upload, *upload_size);
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
	srv_conns_received(s->conns, c);
	if (r->deadline_ms == 0 && r->sub == NULL)
		atomic_fetch_add(&s->requests, 1);
	{
		enum MHD_Result ok = srv_route_dispatch(s, c, url, method, r);

		/* A queued submission signals once, when its group has committed (pipeline.c). */
		if (r->sub == NULL && strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
		    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
			srv_changed(s);
		return ok;
	}
}

void
srv_on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;
	struct srv *s = cls;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
	struct timespec end;
	long ms;

	if (r == NULL)
		return;
	srv_conns_answered(s->conns, c);
	(void)clock_gettime(CLOCK_MONOTONIC, &end);
	ms = (end.tv_sec - r->start.tv_sec) * 1000 + (end.tv_nsec - r->start.tv_nsec) / 1000000;
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
		atomic_fetch_add(&s->errors, 1);
	srv_observe_latency(s, ms);
	srv_observe_request(s, r->route, ci != NULL ? ci->http_status : 0);
	/* One line per request; no bodies, tokens or personal data. */
	srv_log_access(&r->log, ci != NULL ? ci->http_status : 0, ms);
	srv_spool_discard(r);
	srv_upload_slot_give(s, r);
	srv_upload_job_free(r);
	srv_submission_free(s, r);
	free(r->body);
	free(r);
	*con_cls = NULL;
}
