/* SPDX-License-Identifier: MIT */
/* cebgated's answers (answer.h): the code-to-status table and the replies. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "answer.h"
#include "cebgate/service.h"
#include "log.h"

/* The one mapping of library codes to HTTP statuses; a code missing here is a fault (500). */
static const unsigned statuses[] = {
	[CG_EINVAL] = MHD_HTTP_BAD_REQUEST,
	[CG_EPARSE] = MHD_HTTP_BAD_REQUEST,
	[CG_ESCHEMA] = MHD_HTTP_BAD_REQUEST,
	[CG_ESIG] = MHD_HTTP_UNPROCESSABLE_CONTENT,
	[CG_ENOTFOUND] = MHD_HTTP_NOT_FOUND,
	[CG_ETOOBIG] = MHD_HTTP_CONTENT_TOO_LARGE,
	[CG_EEXIST] = MHD_HTTP_CONFLICT,
	[CG_EPERM] = MHD_HTTP_FORBIDDEN,
	[CG_ECONFLICT] = MHD_HTTP_CONFLICT,
	[CG_EUNAVAIL] = MHD_HTTP_SERVICE_UNAVAILABLE,
	[CG_EINCOMPLETE] = MHD_HTTP_UNPROCESSABLE_CONTENT,
	[CG_EAUTH] = MHD_HTTP_UNAUTHORIZED,
};

unsigned
srv_status(cg_rc rc, unsigned ok)
{
	if (rc == CG_OK)
		return ok;
	if ((unsigned)rc >= sizeof(statuses) / sizeof(statuses[0]) || statuses[rc] == 0)
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	return statuses[rc];
}

enum MHD_Result
srv_reply(struct MHD_Connection *c, unsigned status, const char *type, const char *body, size_t len,
	  const char *const *extra)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
								 MHD_RESPMEM_MUST_COPY);
	struct srv_reqlog *l = srv_reqlog_current();
	int ok;
	enum MHD_Result q;

	if (r == NULL)
		return MHD_NO;
	if (l != NULL)
		l->bytes = len;
	ok = (l == NULL || MHD_add_response_header(r, "X-Request-Id", l->id) == MHD_YES) &&
	     MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type) == MHD_YES &&
	     MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") == MHD_YES &&
	     MHD_add_response_header(r, "Cache-Control", "no-store") == MHD_YES;
	for (; ok && extra != NULL && extra[0] != NULL; extra += 2)
		ok = MHD_add_response_header(r, extra[0], extra[1]) == MHD_YES;
	q = ok ? MHD_queue_response(c, status, r) : MHD_NO;
	MHD_destroy_response(r);
	return q;
}

enum MHD_Result
srv_reply_json(struct MHD_Connection *c, unsigned status, const char *json)
{
	return srv_reply(c, status, SRV_JSON, json, strlen(json), NULL);
}

/* Limits count per minute: a client told to come back after one is never refused for the same count. */
#define SRV_RETRY_AFTER_S 60

enum MHD_Result
srv_reply_error(struct MHD_Connection *c, unsigned status, const char *what)
{
	return srv_reply_retry(c, status, what, status == MHD_HTTP_TOO_MANY_REQUESTS ? SRV_RETRY_AFTER_S : 0);
}

enum MHD_Result
srv_reply_retry(struct MHD_Connection *c, unsigned status, const char *what, unsigned seconds)
{
	json_t *o = json_pack("{s:s}", "error", what);
	char *text = o != NULL ? json_dumps(o, JSON_INDENT(2)) : NULL;
	char after[16];
	const char *extra[] = { "Retry-After", after, NULL };
	enum MHD_Result ok;

	json_decref(o);
	if (text == NULL)
		return srv_reply_json(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "{\"error\": \"internal error\"}\n");
	(void)snprintf(after, sizeof(after), "%u", seconds);
	ok = srv_reply(c, status, SRV_JSON, text, strlen(text), seconds > 0 ? extra : NULL);
	free(text);
	return ok;
}

/* Seconds a client waits before sending again: the first reconnect attempts come sooner. */
#define SRV_OUTAGE_RETRY_S 2

static _Thread_local unsigned long outage_mark;

void
srv_outage_mark(unsigned long at_arrival)
{
	outage_mark = at_arrival;
}

int
srv_outage_seen(void)
{
	return cg_service_outages() != outage_mark;
}

enum MHD_Result
srv_reply_outage(struct MHD_Connection *c)
{
	return srv_reply_retry(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			       "the database cannot be reached now: send the request again later",
			       SRV_OUTAGE_RETRY_S);
}

enum MHD_Result
srv_answer(struct MHD_Connection *c, cg_ctx *ctx, cg_rc rc, unsigned ok, char *body, size_t len,
	   const char *type, const char *route)
{
	unsigned status = srv_status(rc, ok);
	enum MHD_Result q;

	if (status == MHD_HTTP_INTERNAL_SERVER_ERROR && srv_outage_seen()) {
		srv_log(SRV_WARN, "database unreachable", "route", route, "reason", cg_ctx_errmsg(ctx), NULL);
		q = srv_reply_outage(c);
	} else if (status == MHD_HTTP_INTERNAL_SERVER_ERROR || (rc == CG_OK && body == NULL)) {
		srv_log(SRV_ERROR, cg_ctx_errmsg(ctx), "route", route, "rc", cg_strerror(rc), NULL);
		q = srv_reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	} else if (body != NULL) {
		/* A refusal with an answer (a submission's result, an unreadable upload) is JSON. */
		q = srv_reply(c, status, rc == CG_OK ? type : SRV_JSON, body, len, NULL);
	} else {
		q = srv_reply_error(c, status, cg_ctx_errmsg(ctx));
	}
	cg_free(body);
	return q;
}
