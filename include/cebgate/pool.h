/* SPDX-License-Identifier: MIT */
/*
 * An ordered worker pool: jobs run on N threads, their results come back on
 * the caller's thread in the order the jobs were put, so what a program
 * prints and records is the same whatever N. `cebgate sign`, `verify` and
 * `submit -j N` use it.
 */
#ifndef CG_POOL_H
#define CG_POOL_H

#include <stddef.h>
#include "cebgate/common.h"

CG_BEGIN_DECLS

typedef struct {
	unsigned version; /* CG_POOL_OPTIONS_VERSION */
	int workers;      /* threads (1-256); 1 runs every job on the caller's thread, no thread */
	size_t depth;     /* jobs put but not yet handed back, at most; 0: 16 per worker */
	void *payload;    /* given to worker_new and done */
	/*
	 * The state of one worker (a signer of its own, say), made on the
	 * caller's thread before any job runs; @p ctx is the worker's context.
	 * NULL: workers have no state.
	 */
	cg_rc (*worker_new)(void *payload, cg_ctx *ctx, void **state);
	void (*worker_free)(void *payload, void *state);
	/* On a worker thread: do @p job. Its return and the worker context's message go to done. */
	cg_rc (*work)(void *state, cg_ctx *ctx, void *job);
	/*
	 * On the caller's thread, once per job, in the order the jobs were put.
	 * A return other than CG_OK stops the pool: later jobs are discarded.
	 */
	cg_rc (*done)(void *payload, void *job, cg_rc rc, const char *errmsg);
	/* Jobs put but never handed to done (after a stop), on the caller's thread; may be NULL. */
	void (*discard)(void *payload, void *job);
} cg_pool_options;

#define CG_POOL_OPTIONS_VERSION 1
#define CG_POOL_OPTIONS_INIT { CG_POOL_OPTIONS_VERSION, 1, 0, NULL, NULL, NULL, NULL, NULL, NULL }

typedef struct cg_pool cg_pool;

/** The processors online (sysconf), at least 1: the default number of workers. */
CG_API int cg_pool_cpus(void);

/**
 * Make the workers and start their threads.
 * @return CG_OK, CG_EINVAL (options), CG_ENOMEM, or what worker_new returned
 */
CG_API cg_rc cg_pool_new(cg_pool **out, cg_ctx *ctx, const cg_pool_options *o) CG_WARN_UNUSED;

/**
 * Queue @p job. Jobs already finished are handed to done first; when the pool
 * holds depth jobs, waits for the oldest and until half of them are done.
 * The pool owns @p job until done or discard has it.
 * @return CG_OK, or the first failure done returned (the pool has stopped:
 *         @p job was discarded)
 */
CG_API cg_rc cg_pool_put(cg_pool *p, void *job) CG_WARN_UNUSED;

/** Wait for every job put so far and hand each to done; the first failure of done, or CG_OK. */
CG_API cg_rc cg_pool_flush(cg_pool *p) CG_WARN_UNUSED;

/** Stop the threads (after the jobs under way), discard what was not handed back, free. */
CG_API void cg_pool_free(cg_pool *p);

CG_END_DECLS
#endif
