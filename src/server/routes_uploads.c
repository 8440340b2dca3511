/* SPDX-License-Identifier: MIT */
/*
 * Merchants' uploads: POST a file (spooled to disk as it arrives), GET the
 * list, one upload, its findings as CSV or one canonical document, POST
 * /submit, and the enterprise's mapping profiles.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "answer.h"
#include "routes.h"

/* Uploads per account and minute. */
#define UPLOADS_PER_MINUTE 20

static enum MHD_Result
no_such(struct srv_call *call)
{
	return srv_reply_error(call->c, MHD_HTTP_NOT_FOUND, "no such resource");
}

/*
 * An upload is read, normalized and staged in a thread of its own while its
 * connection waits suspended: a pool thread serves many connections, and a
 * file of a minute would make every one of them wait that minute. At most
 * SRV_UPLOADS_AT_ONCE such threads exist (the upload slots).
 */
struct srv_upload_job {
	struct srv *s;
	struct MHD_Connection *c;
	cg_principal who;
	cg_upload u;
	char hex[65], path[4200];
	cg_ctx *ctx; /* the worker's: the refusal's message */
	cg_rc rc;
	char *json;
	int no_service; /* the thread could not open the database */
	int done;
};

/* The client left, or the service is stopping: the upload stops as abandoned. */
static int
job_gone(void *arg)
{
	struct srv_upload_job *j = arg;

	return *j->s->stop || srv_client_gone(j->c);
}

static void *
upload_work(void *arg)
{
	struct srv_upload_job *j = arg;
	struct srv *s = j->s;
	cg_service *svc = srv_thread_service(s);

	if (svc != NULL)
		j->rc = cg_service_upload(svc, j->ctx, &j->who, &j->u, &j->json);
	else
		j->no_service = 1;
	pthread_mutex_lock(&s->park_lock);
	j->done = 1;
	s->uploads_running--;
	MHD_resume_connection(j->c);
	pthread_mutex_unlock(&s->park_lock);
	srv_changed(s); /* wakes srv_uploads_drain() */
	return NULL;
}

/* Start the upload's thread with its connection suspended; -1 when it cannot (worked on here instead). */
static int
upload_start(struct srv_call *call, struct srv_upload_job *j)
{
	struct srv *s = call->s;
	pthread_attr_t attr;
	pthread_t t;
	int ok;

	if (cg_ctx_new(&j->ctx) != CG_OK || pthread_attr_init(&attr) != 0)
		return -1;
	(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_mutex_lock(&s->park_lock);
	ok = !s->closing && !*s->stop;
	if (ok) {
		MHD_suspend_connection(call->c);
		s->uploads_running++;
		if (pthread_create(&t, &attr, upload_work, j) != 0) {
			s->uploads_running--;
			MHD_resume_connection(call->c);
			ok = 0;
		}
	}
	pthread_mutex_unlock(&s->park_lock);
	pthread_attr_destroy(&attr);
	return ok ? 0 : -1;
}

void
srv_upload_job_free(struct req *r)
{
	if (r->job == NULL)
		return;
	cg_free(r->job->json);
	cg_ctx_free(r->job->ctx);
	free(r->job);
	r->job = NULL;
}

void
srv_uploads_drain(struct srv *s)
{
	for (;;) {
		int n;

		pthread_mutex_lock(&s->park_lock);
		s->closing = 1;
		n = s->uploads_running;
		pthread_mutex_unlock(&s->park_lock);
		if (n == 0)
			return;
		srv_wait_for_change(s, 100);
	}
}

/* The upload's answer, once its thread is done (the connection was resumed for it). */
static enum MHD_Result
upload_answer(struct srv_call *call)
{
	struct srv_upload_job *j = call->r->job;
	char *json = j->json;

	if (j->no_service)
		return srv_reply_outage(call->c);
	j->json = NULL; /* srv_answer frees it */
	return srv_answer(call->c, j->ctx, j->rc, MHD_HTTP_CREATED, json, json != NULL ? strlen(json) : 0,
			  SRV_JSON, call->route->pattern);
}

/* POST /api/v1/uploads?name=F[&from=csv|ndjson|xml][&type=T][&encoding=E][&profile=P] */
enum MHD_Result
srv_upload_post(struct srv_call *call)
{
	const char *name = srv_query(call, "name");
	long long type = srv_query_number(call, "type", 311, 999);
	struct srv_upload_job *j;
	char *json = NULL;
	cg_rc rc;

	if (call->r->job != NULL)
		return call->r->job->done ? upload_answer(call) : MHD_YES;
	if (srv_minute_limit(call->s, srv_limit_key("upload:", call->who.name), 1, UPLOADS_PER_MINUTE))
		return srv_reply_error(call->c, MHD_HTTP_TOO_MANY_REQUESTS, "too many uploads: wait a minute");
	if (call->r->spooled == 0)
		return srv_reply_error(call->c, MHD_HTTP_BAD_REQUEST, "empty upload");
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return srv_reply_error(call->c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	call->r->job = j;
	if (srv_spool_keep(call->s, call->r, j->hex, j->path, sizeof(j->path)) != 0)
		return srv_reply_error(call->c, MHD_HTTP_SERVICE_UNAVAILABLE, "cannot keep the upload");
	j->s = call->s;
	j->c = call->c;
	j->who = call->who;
	/* The query's values live as long as the connection's request: the worker may read them. */
	j->u.path = j->path;
	j->u.name = name != NULL && *name != '\0' && strlen(name) <= 200 ? name : "upload";
	j->u.sha256 = j->hex;
	j->u.size = call->r->spooled;
	j->u.from = srv_query(call, "from");
	j->u.type = type == 411 || type == 511 || type == 621 ? (int)type : 311;
	j->u.encoding = srv_query(call, "encoding");
	j->u.profile = srv_query(call, "profile");
	j->u.max_records = call->s->cfg->max_records;
	j->u.gone = job_gone;
	j->u.gone_arg = j;
	if (upload_start(call, j) == 0)
		return MHD_YES;
	/* No thread: worked on here, as before; answered as the worker's would be. */
	j->u.gone = srv_client_gone;
	j->u.gone_arg = call->c;
	rc = cg_service_upload(call->svc, call->ctx, &call->who, &j->u, &json);
	return srv_call_answer(call, rc, MHD_HTTP_CREATED, json);
}

/* GET /api/v1/uploads: the newest uploads and the saved profiles. */
enum MHD_Result
srv_uploads_list(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_uploads_list(call->svc, call->ctx, &call->who, &json);

	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* GET /api/v1/uploads/{id}: state, counts, findings, documents. */
enum MHD_Result
srv_upload_get(struct srv_call *call)
{
	long long id = srv_param_id(call, "id");
	char *json = NULL;
	cg_rc rc;

	if (id <= 0)
		return no_such(call);
	rc = cg_service_upload_get(call->svc, call->ctx, &call->who, id, &json);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* GET /api/v1/uploads/{id}/findings.csv */
enum MHD_Result
srv_upload_findings(struct srv_call *call)
{
	long long id = srv_param_id(call, "id");
	char *csv = NULL;
	size_t len = 0;
	cg_rc rc;

	if (id <= 0)
		return no_such(call);
	rc = cg_service_upload_findings_csv(call->svc, call->ctx, &call->who, id, &csv, &len);
	return srv_answer(call->c, call->ctx, rc, MHD_HTTP_OK, csv, len, "text/csv; charset=utf-8",
			  call->route->pattern);
}

/* GET /api/v1/uploads/{id}/documents/{seq}: one canonical document. */
enum MHD_Result
srv_upload_document(struct srv_call *call)
{
	long long id = srv_param_id(call, "id"), seq = srv_param_id(call, "seq");
	char *xml = NULL;
	size_t len = 0;
	cg_rc rc;

	if (id <= 0 || seq <= 0)
		return no_such(call);
	rc = cg_service_upload_document(call->svc, call->ctx, &call->who, id, seq, &xml, &len);
	return srv_answer(call->c, call->ctx, rc, MHD_HTTP_OK, xml, len, "application/xml; charset=utf-8",
			  call->route->pattern);
}

/* POST /api/v1/uploads/{id}/submit: sign with the custodial key and submit the valid documents. */
enum MHD_Result
srv_upload_submit(struct srv_call *call)
{
	long long id = srv_param_id(call, "id");
	char *json = NULL;
	cg_rc rc;

	if (id <= 0)
		return no_such(call);
	rc = cg_service_upload_submit(call->svc, call->ctx, &call->who, id, &json);
	return srv_call_answer(call, rc, MHD_HTTP_OK, json);
}

/* POST /api/v1/profiles/{name}: save the enterprise's mapping profile (the body). */
enum MHD_Result
srv_profile_save(struct srv_call *call)
{
	char *json = NULL;
	cg_rc rc = cg_service_profile_save(call->svc, call->ctx, &call->who, srv_param(&call->params, "name"),
					   call->r->body != NULL ? call->r->body : "", call->r->len, &json);

	return srv_call_answer(call, rc, MHD_HTTP_CREATED, json);
}
