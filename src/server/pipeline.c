/* SPDX-License-Identifier: MIT */
/*
 * The submission pipeline. A pool thread of libmicrohttpd only reads a
 * submission and suspends its connection; one worker per core checks it
 * (parse, XSD, rules, signature), and one writer thread commits accepted
 * messages in groups, the queue growing while it syncs (cg_committer_run).
 * The connection is resumed once the answer is known, and the pool thread
 * that owns it sends it. So every core checks messages whichever pool thread
 * a keep-alive connection is pinned to, and no thread waits for an fsync
 * with a request in hand: a group is everything that arrived meanwhile.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "daemon.h"

/* Workers at most, whatever the number of cores. */
#define WORKERS_MAX 64

struct srv_submission {
	struct srv *s;
	struct MHD_Connection *c;
	cg_principal who;
	const char *body; /* the request's: it lives as long as the suspended connection */
	size_t len;
	int is_json;
	cg_ctx *ctx;  /* the library call's: its refusal's message */
	cg_submit_result *res; /* handed over by the library, until the pool thread takes it */
	cg_rc rc;
	char *json;
	int no_service; /* the worker could not open the database */
	int done;
	int taken; /* take() ran: rc and json are the answer's */
	struct srv_submission *next;
};

/*
 * The library's callback, mostly in the writer thread (a committed group):
 * it only resumes the connection. The pool thread that owns it then counts
 * the outcome, makes the answer's text and frees the message
 * (srv_submission_done): none of that is on the one serial thread. (Handing
 * the resume to a worker as well was tried: the answer then waited for the
 * worker's current check, the clients sent less during each commit, and the
 * groups halved, 3.3 messages instead of 6-7, with more bytes written.)
 */
static void
submitted(void *arg, cg_submit_result *res)
{
	struct srv_submission *sub = arg;
	struct srv *s = sub->s;

	sub->res = res;
	pthread_mutex_lock(&s->park_lock);
	sub->done = 1;
	MHD_resume_connection(sub->c);
	pthread_mutex_unlock(&s->park_lock);
	/* sub is the connection's again (it may be freed at once). */
}

/* The outcome counted, made into the answer's text (or freed), its receipts announced. */
static void
take(struct srv_submission *sub)
{
	sub->taken = 1;
	if (sub->res == NULL) {
		sub->rc = sub->no_service ? CG_EUNAVAIL : CG_ENOMEM; /* no outcome: no answer */
		return;
	}
	srv_observe_result(sub->s, sub->res);
	sub->rc = cg_submit_result_take(sub->res, &sub->json);
	sub->res = NULL;
	srv_changed(sub->s); /* new receipts for the long-polls */
}

static void *
worker_main(void *arg)
{
	struct srv *s = arg;

	(void)pthread_setname_np(pthread_self(), "cg-check");
	/* The thread's service (store, schemas, profiles) now, not in the first request's time. */
	(void)srv_thread_service(s);
	pthread_mutex_lock(&s->work_lock);
	for (;;) {
		struct srv_submission *sub = s->work_head;
		cg_service *svc;

		if (sub == NULL) {
			if (s->work_stop)
				break;
			pthread_cond_wait(&s->work_cond, &s->work_lock);
			continue;
		}
		s->work_head = sub->next;
		if (s->work_head == NULL)
			s->work_tail = &s->work_head;
		pthread_mutex_unlock(&s->work_lock);
		svc = srv_thread_service(s);
		if (svc == NULL) {
			sub->no_service = 1;
			submitted(sub, NULL);
		} else {
			cg_service_submit_start(svc, sub->ctx, &sub->who, sub->body, sub->len, sub->is_json,
						submitted, sub);
		}
		pthread_mutex_lock(&s->work_lock);
	}
	pthread_mutex_unlock(&s->work_lock);
	return NULL;
}

/* The group commit's writer: the committer's only writer while it runs. */
static void *
writer_main(void *arg)
{
	struct srv *s = arg;
	cg_service *svc;

	(void)pthread_setname_np(pthread_self(), "cg-writer");
	svc = srv_thread_service(s);
	/* Without it (no database), the workers' threads write their own groups, as before. */
	if (svc == NULL || cg_committer_run(s->committer, svc) != CG_OK)
		srv_log(SRV_ERROR, "the group commit's writer thread did not start", NULL);
	return NULL;
}

int
srv_pipeline_start(struct srv *s)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned i, n = cores < 1 ? 1 : cores > WORKERS_MAX ? WORKERS_MAX : (unsigned)cores;

	s->work_tail = &s->work_head;
	if (s->committer == NULL)
		return 0; /* --group-commit 0: each pool thread checks and writes its own */
	if (pthread_mutex_init(&s->work_lock, NULL) != 0)
		return -1;
	if (pthread_cond_init(&s->work_cond, NULL) != 0) {
		pthread_mutex_destroy(&s->work_lock);
		return -1;
	}
	s->workers = calloc(n, sizeof(*s->workers));
	if (s->workers == NULL || pthread_create(&s->writer, NULL, writer_main, s) != 0) {
		free(s->workers);
		s->workers = NULL;
		pthread_cond_destroy(&s->work_cond);
		pthread_mutex_destroy(&s->work_lock);
		return -1;
	}
	s->pipeline = 1;
	for (i = 0; i < n && pthread_create(&s->workers[i], NULL, worker_main, s) == 0; i++)
		s->nworkers++;
	return 0;
}

/* After libmicrohttpd stopped: nothing is queued any more (srv_submissions_drain). */
void
srv_pipeline_stop(struct srv *s)
{
	unsigned i;

	if (!s->pipeline)
		return;
	pthread_mutex_lock(&s->work_lock);
	s->work_stop = 1;
	pthread_cond_broadcast(&s->work_cond);
	pthread_mutex_unlock(&s->work_lock);
	for (i = 0; i < s->nworkers; i++)
		(void)pthread_join(s->workers[i], NULL);
	cg_committer_stop(s->committer);
	(void)pthread_join(s->writer, NULL);
	free(s->workers);
	s->workers = NULL;
	s->nworkers = 0;
	s->pipeline = 0;
	pthread_cond_destroy(&s->work_cond);
	pthread_mutex_destroy(&s->work_lock);
}

void
srv_submissions_drain(struct srv *s)
{
	for (;;) {
		long n;

		pthread_mutex_lock(&s->park_lock);
		s->closing = 1;
		n = s->submissions_waiting;
		pthread_mutex_unlock(&s->park_lock);
		if (n == 0)
			return;
		srv_wait_for_change(s, 100);
	}
}

int
srv_submission_queue(struct srv *s, struct MHD_Connection *c, struct req *r, const cg_principal *who,
		     int is_json)
{
	struct srv_submission *sub;
	int ok;

	if (!s->pipeline || s->nworkers == 0)
		return -1;
	sub = calloc(1, sizeof(*sub));
	if (sub == NULL || cg_ctx_new(&sub->ctx) != CG_OK) {
		free(sub);
		return -1;
	}
	sub->s = s;
	sub->c = c;
	sub->who = *who;
	sub->body = r->body;
	sub->len = r->len;
	sub->is_json = is_json;
	/* Suspended before a worker can resume it; none once stopping (answered here instead). */
	pthread_mutex_lock(&s->park_lock);
	ok = !s->closing && !*s->stop;
	if (ok) {
		MHD_suspend_connection(c);
		s->submissions_waiting++;
	}
	pthread_mutex_unlock(&s->park_lock);
	if (!ok) {
		cg_ctx_free(sub->ctx);
		free(sub);
		return -1;
	}
	r->sub = sub;
	pthread_mutex_lock(&s->work_lock);
	*s->work_tail = sub;
	s->work_tail = &sub->next;
	pthread_cond_signal(&s->work_cond);
	pthread_mutex_unlock(&s->work_lock);
	return 0;
}

int
srv_submission_done(const struct req *r, cg_ctx **ctx, cg_rc *rc, char **json, int *no_service)
{
	struct srv_submission *sub = r->sub;

	if (sub == NULL || !sub->done)
		return 0;
	if (!sub->taken)
		take(sub);
	*ctx = sub->ctx;
	*rc = sub->rc;
	*json = sub->json;
	sub->json = NULL; /* the answer's now */
	*no_service = sub->no_service;
	return 1;
}

void
srv_submission_free(struct srv *s, struct req *r)
{
	int closing;

	if (r->sub == NULL)
		return;

	if (r->sub->done && !r->sub->taken) /* never answered (the client left): counted and freed */
		take(r->sub);
	cg_free(r->sub->json);
	cg_ctx_free(r->sub->ctx);
	free(r->sub);
	r->sub = NULL;
	pthread_mutex_lock(&s->park_lock);
	s->submissions_waiting--;
	closing = s->closing;
	pthread_mutex_unlock(&s->park_lock);
	if (closing)
		srv_changed(s); /* wakes srv_submissions_drain(); otherwise nothing was written here */
}
