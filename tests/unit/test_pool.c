/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of src/lib/util/pool.c: results come back in input order even
 * when later jobs finish first, one worker runs on the caller's thread, a
 * failure stops the pool and every job is either done or discarded once.
 * No timing: job 0 waits (on a condition) until the others have finished.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cebgate/pool.h"

#define NJOBS 64

struct job {
	int id;
	pthread_t ran_on;
	int worker; /* which worker's state ran it */
};

struct run {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	int finished;     /* jobs 1.. that finished */
	int hold_first;   /* job 0 waits until this many others have finished */
	int order[NJOBS]; /* ids in the order done saw them */
	int ndone, ndiscarded, fail_at, nworkers;
	size_t depth;     /* the ring, 0: the default */
	pthread_t caller;
	int off_caller;   /* jobs that ran on another thread */
};

static cg_rc
worker_new(void *payload, cg_ctx *ctx, void **state)
{
	struct run *r = payload;
	int *id = malloc(sizeof(*id));

	(void)ctx;
	if (id == NULL)
		return CG_ENOMEM;
	*id = r->nworkers++;
	*state = id;
	return CG_OK;
}

static void
worker_free(void *payload, void *state)
{
	(void)payload;
	free(state);
}

static struct run *the_run;

static cg_rc
work(void *state, cg_ctx *ctx, void *job)
{
	struct job *j = job;
	struct run *r = the_run;

	(void)ctx;
	j->ran_on = pthread_self();
	j->worker = *(int *)state;
	pthread_mutex_lock(&r->lock);
	if (j->id == 0) {
		while (r->finished < r->hold_first)
			pthread_cond_wait(&r->cv, &r->lock);
	} else {
		r->finished++;
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->lock);
	return j->id % 7 == 3 ? CG_ESIG : CG_OK;
}

static cg_rc
done(void *payload, void *job, cg_rc rc, const char *errmsg)
{
	struct run *r = payload;
	struct job *j = job;

	(void)errmsg;
	assert_int_equal(rc, j->id % 7 == 3 ? CG_ESIG : CG_OK);
	/* done runs on the caller's thread, whoever did the work. */
	assert_true(pthread_equal(pthread_self(), r->caller));
	r->off_caller += !pthread_equal(j->ran_on, r->caller);
	r->order[r->ndone++] = j->id;
	free(j);
	return r->fail_at >= 0 && r->ndone - 1 == r->fail_at ? CG_EIO : CG_OK;
}

static void
discard(void *payload, void *job)
{
	struct run *r = payload;

	r->ndiscarded++;
	free(job);
}

static cg_rc
run_pool(struct run *r, int workers, int njobs)
{
	cg_pool_options o = CG_POOL_OPTIONS_INIT;
	cg_pool *p = NULL;
	cg_ctx *ctx = NULL;
	cg_rc rc, put = CG_OK;
	int i;

	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->caller = pthread_self();
	the_run = r;
	o.workers = workers;
	o.depth = r->depth;
	o.payload = r;
	o.worker_new = worker_new;
	o.worker_free = worker_free;
	o.work = work;
	o.done = done;
	o.discard = discard;
	assert_int_equal(cg_ctx_new(&ctx), CG_OK);
	assert_int_equal(cg_pool_new(&p, ctx, &o), CG_OK);
	assert_int_equal(r->nworkers, workers);
	for (i = 0; i < njobs && put == CG_OK; i++) {
		struct job *j = calloc(1, sizeof(*j));

		assert_non_null(j);
		j->id = i;
		put = cg_pool_put(p, j);
	}
	rc = put == CG_OK ? cg_pool_flush(p) : put;
	cg_pool_free(p);
	cg_ctx_free(ctx);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->lock);
	return rc;
}

/* Job 0 finishes last (after 3 others), yet done sees 0, 1, 2, ... */
static void
test_pool_input_order(void **state)
{
	struct run r = { .fail_at = -1, .hold_first = 3 };
	int i;

	(void)state;
	assert_int_equal(run_pool(&r, 4, NJOBS), CG_OK);
	assert_int_equal(r.ndone, NJOBS);
	assert_int_equal(r.ndiscarded, 0);
	for (i = 0; i < NJOBS; i++)
		assert_int_equal(r.order[i], i);
	assert_int_equal(r.off_caller, NJOBS); /* every job ran on a worker thread */
}

/*
 * A ring smaller than the jobs: the caller sleeps while it is full and wakes
 * when the oldest job and half the ring are done (a lost wake-up hangs here).
 */
static void
test_pool_small_ring(void **state)
{
	static const size_t depth[] = { 4, 5, 8 };
	size_t k;
	int workers, i;

	(void)state;
	for (k = 0; k < sizeof(depth) / sizeof(depth[0]); k++) {
		for (workers = 2; workers <= 3; workers++) {
			struct run r = { .fail_at = -1, .hold_first = 2, .depth = depth[k] };

			assert_int_equal(run_pool(&r, workers, NJOBS), CG_OK);
			assert_int_equal(r.ndone, NJOBS);
			assert_int_equal(r.ndiscarded, 0);
			for (i = 0; i < NJOBS; i++)
				assert_int_equal(r.order[i], i);
		}
	}
}

/* One worker: no thread, each job done before put returns (what -j 1 is). */
static void
test_pool_one_worker_inline(void **state)
{
	struct run r = { .fail_at = -1, .hold_first = 0 };
	int i;

	(void)state;
	assert_int_equal(run_pool(&r, 1, 10), CG_OK);
	assert_int_equal(r.ndone, 10);
	assert_int_equal(r.off_caller, 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(r.order[i], i);
}

/* done fails at job 5: nothing after it reaches done; each job is done or discarded, once. */
static void
test_pool_stop_discards(void **state)
{
	int workers;

	(void)state;
	for (workers = 1; workers <= 3; workers++) {
		struct run r = { .fail_at = 5, .hold_first = 0 };
		int i;

		assert_int_equal(run_pool(&r, workers, NJOBS), CG_EIO);
		assert_int_equal(r.ndone, 6);
		for (i = 0; i < 6; i++)
			assert_int_equal(r.order[i], i);
		/* put returned the failure for the job it was given: that job was discarded too */
		assert_in_range(r.ndone + r.ndiscarded, 6, NJOBS);
		if (workers == 1)
			assert_int_equal(r.ndiscarded, 0);
	}
}

static void
test_pool_bad_options(void **state)
{
	cg_pool_options o = CG_POOL_OPTIONS_INIT;
	cg_pool *p = (cg_pool *)&o;
	cg_ctx *ctx = NULL;

	(void)state;
	assert_int_equal(cg_ctx_new(&ctx), CG_OK);
	o.work = work;
	o.done = done;
	o.workers = 0;
	assert_int_equal(cg_pool_new(&p, ctx, &o), CG_EINVAL);
	assert_null(p);
	o.workers = 257;
	assert_int_equal(cg_pool_new(&p, ctx, &o), CG_EINVAL);
	assert_true(cg_pool_cpus() >= 1);
	cg_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_input_order),
		cmocka_unit_test(test_pool_small_ring),
		cmocka_unit_test(test_pool_one_worker_inline),
		cmocka_unit_test(test_pool_stop_discards),
		cmocka_unit_test(test_pool_bad_options),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
