/* SPDX-License-Identifier: MIT */
/*
 * The ordered worker pool (include/cebgate/pool.h). Jobs sit in a ring of
 * depth slots numbered by three counters: give <= take <= put. Workers take
 * slot `take`, run it unlocked and mark it finished; the caller hands slot
 * `give` to done once it is finished, so results leave in input order
 * whichever worker ends first. Only the caller puts and gives, so a slot is
 * reused only after done has had it.
 * The caller sleeps only when the ring is full, and then until the oldest job
 * is finished and at most half the ring is left to do: one wake-up per half
 * ring, not one per job, so the lock and the futex stay out of the workers' way.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cebgate/pool.h"
#include "util/internal.h"

#define WORKERS_MAX 256

struct slot {
	void *job;
	cg_rc rc;
	bool finished;
	char errmsg[CG_ERRMSG_MAX];
};

struct worker {
	cg_pool *p;
	cg_ctx *ctx;
	void *state;
	pthread_t thread;
	bool running;
};

struct cg_pool {
	cg_pool_options o;
	struct worker *w;
	int nw;
	struct slot *slots;
	size_t depth;
	size_t give, take, put;
	size_t unfinished; /* jobs put and not yet finished */
	size_t low;        /* the caller waits until unfinished <= low (and give's job finished) */
	bool waiting;      /* the caller sleeps on done_cv */
	bool quit;     /* workers take no more jobs */
	cg_rc failed;  /* what done returned when it stopped the pool */
	pthread_mutex_t lock;
	pthread_cond_t work_cv; /* a job was put, or quit */
	pthread_cond_t done_cv; /* a job finished */
};

int
cg_pool_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > WORKERS_MAX ? WORKERS_MAX : (int)n;
}

static void
run_job(cg_pool *p, struct worker *w, struct slot *s)
{
	w->ctx->errmsg[0] = '\0';
	s->rc = p->o.work(w->state, w->ctx, s->job);
	memcpy(s->errmsg, w->ctx->errmsg, sizeof(s->errmsg));
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	cg_pool *p = w->p;
	struct slot *s;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->take == p->put && !p->quit)
			pthread_cond_wait(&p->work_cv, &p->lock);
		if (p->quit)
			break;
		s = &p->slots[p->take++ % p->depth];
		pthread_mutex_unlock(&p->lock);
		run_job(p, w, s);
		pthread_mutex_lock(&p->lock);
		s->finished = true;
		p->unfinished--;
		if (p->waiting && p->unfinished <= p->low && p->slots[p->give % p->depth].finished)
			pthread_cond_signal(&p->done_cv);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static cg_rc
make_workers(cg_pool *p, cg_ctx *ctx)
{
	int i;
	cg_rc rc;

	for (i = 0; i < p->nw; i++) {
		struct worker *w = &p->w[i];

		w->p = p;
		rc = cg_ctx_new(&w->ctx);
		if (rc == CG_OK && p->o.worker_new != NULL)
			rc = p->o.worker_new(p->o.payload, w->ctx, &w->state);
		if (rc != CG_OK)
			return w->ctx != NULL ? cg__fail(ctx, rc, "%s", w->ctx->errmsg) : rc;
	}
	/* One worker: every job runs on the caller's thread, as without a pool. */
	for (i = 0; p->nw > 1 && i < p->nw; i++) {
		if (pthread_create(&p->w[i].thread, NULL, worker_main, &p->w[i]) != 0)
			return cg__fail(ctx, CG_ENOMEM, "cannot start worker thread %d", i + 1);
		p->w[i].running = true;
	}
	return CG_OK;
}

cg_rc
cg_pool_new(cg_pool **out, cg_ctx *ctx, const cg_pool_options *o)
{
	cg_pool *p;
	cg_rc rc;

	*out = NULL;
	if (o->workers < 1 || o->workers > WORKERS_MAX || o->work == NULL || o->done == NULL)
		return cg__fail(ctx, CG_EINVAL, "a pool needs 1 to %d workers, work and done",
				WORKERS_MAX);
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return CG_ENOMEM;
	p->o = *o;
	p->nw = o->workers;
	p->depth = o->depth > 0 ? o->depth : 16 * (size_t)o->workers;
	p->w = calloc((size_t)p->nw, sizeof(*p->w));
	p->slots = calloc(p->depth, sizeof(*p->slots));
	if (p->w == NULL || p->slots == NULL) {
		free(p->w);
		free(p->slots);
		free(p);
		return CG_ENOMEM;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work_cv, NULL);
	pthread_cond_init(&p->done_cv, NULL);
	rc = make_workers(p, ctx);
	if (rc != CG_OK) {
		cg_pool_free(p);
		return rc;
	}
	*out = p;
	return CG_OK;
}

/* Hand finished jobs to done in order until at most @p keep are held. Called unlocked. */
static cg_rc
give_back(cg_pool *p, size_t keep)
{
	struct slot *s;
	cg_rc rc;

	pthread_mutex_lock(&p->lock);
	while (p->give < p->put && p->failed == CG_OK) {
		s = &p->slots[p->give % p->depth];
		if (!s->finished) {
			if (p->put - p->give <= keep)
				break;
			/* Full: sleep until half the ring is done; flushing: until this one is. */
			p->low = keep > 0 ? p->depth / 2 : p->put - p->give;
			p->waiting = true;
			while (!s->finished || p->unfinished > p->low)
				pthread_cond_wait(&p->done_cv, &p->lock);
			p->waiting = false;
			continue;
		}
		p->give++;
		/* The slot stays as it is: only this thread puts into it again. */
		pthread_mutex_unlock(&p->lock);
		rc = p->o.done(p->o.payload, s->job, s->rc, s->errmsg);
		s->job = NULL;
		pthread_mutex_lock(&p->lock);
		if (rc != CG_OK) {
			p->failed = rc;
			p->quit = true;
			pthread_cond_broadcast(&p->work_cv);
		}
	}
	rc = p->failed;
	pthread_mutex_unlock(&p->lock);
	return rc;
}

cg_rc
cg_pool_put(cg_pool *p, void *job)
{
	struct slot *s;
	cg_rc rc;

	if (p->nw == 1 && p->failed == CG_OK) {
		s = &p->slots[0];
		s->job = job;
		run_job(p, &p->w[0], s);
		rc = p->o.done(p->o.payload, job, s->rc, s->errmsg);
		s->job = NULL;
		p->failed = rc;
		return rc;
	}
	rc = p->nw == 1 ? p->failed : give_back(p, p->depth - 1);
	if (rc != CG_OK) {
		if (p->o.discard != NULL)
			p->o.discard(p->o.payload, job);
		return rc;
	}
	pthread_mutex_lock(&p->lock);
	s = &p->slots[p->put % p->depth];
	s->job = job;
	s->finished = false;
	p->put++;
	p->unfinished++;
	pthread_cond_signal(&p->work_cv);
	pthread_mutex_unlock(&p->lock);
	return CG_OK;
}

cg_rc
cg_pool_flush(cg_pool *p)
{
	return p->nw == 1 ? p->failed : give_back(p, 0);
}

void
cg_pool_free(cg_pool *p)
{
	int i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->quit = true;
	pthread_cond_broadcast(&p->work_cv);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nw; i++) {
		if (p->w[i].running)
			pthread_join(p->w[i].thread, NULL);
	}
	/* The threads are gone: what was never given back is discarded here. */
	for (; p->give < p->put; p->give++) {
		struct slot *s = &p->slots[p->give % p->depth];

		if (p->o.discard != NULL && s->job != NULL)
			p->o.discard(p->o.payload, s->job);
	}
	for (i = 0; i < p->nw; i++) {
		if (p->w[i].state != NULL && p->o.worker_free != NULL)
			p->o.worker_free(p->o.payload, p->w[i].state);
		cg_ctx_free(p->w[i].ctx);
	}
	pthread_cond_destroy(&p->done_cv);
	pthread_cond_destroy(&p->work_cv);
	pthread_mutex_destroy(&p->lock);
	free(p->slots);
	free(p->w);
	free(p);
}
