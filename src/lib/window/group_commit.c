/* SPDX-License-Identifier: MIT */
/*
 * Group commit. Every accepted message must be durable before it is answered
 * (synchronous=FULL), and on this class of disk an fsync costs about as much
 * CPU and time as all the checks of a message. Threads that have finished
 * their checks queue their writes here; whichever finds no writer running
 * becomes the writer, takes everything queued, and runs it in one
 * transaction on its own connection: one savepoint per message (a failure
 * undoes that message only: its writes stand or fall together, so on
 * PostgreSQL they need no savepoint each), one COMMIT, one fsync. The
 * others wait for that commit, then answer. Nothing is answered before its
 * commit; a crash loses only unanswered messages, each of them whole.
 *
 * A server may give the writing to a thread of its own (cg_committer_run):
 * then nobody waits for a commit while holding a thread. Checked messages
 * are queued with a callback (cg__commit_queue) that the writer calls once
 * their group committed, and the queue grows while the writer syncs: the
 * group is everything that arrived during the previous commit.
 *
 * On PostgreSQL other nodes' groups run at the same time and take row and
 * advisory locks of their own (a buyer's ledger row, a match key): two
 * groups could each hold what the other waits for. So only the first
 * message of a group, which holds nothing yet, waits for a lock as long as
 * the session allows; the others give up after a moment (cg_db_short_waits)
 * and go back to the head of the queue, to be the first of a later group.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include "window/service_internal.h"

/* Messages in one transaction at most: bounds the write lock's hold time. */
#define GROUP_MAX 128
/* Times a message may go back to the queue after a lock it could not wait for. */
#define RETRY_MAX 50

struct entry {
	cg_rc (*write)(void *arg, cg_service *writer);
	void (*finish)(void *arg, cg_rc rc); /* a queued entry's (heap, freed after); NULL: a waiting thread's */
	void *arg;
	cg_ctx *ctx; /* the waiting thread's, for the error message */
	cg_rc rc;
	int done;
	int again; /* gave up a lock wait: back to the queue, not answered */
	int tries;
	struct entry *next;
};

struct cg_committer {
	pthread_mutex_t lock;
	pthread_cond_t done;
	pthread_cond_t work; /* the writer thread's: something was queued, or stop */
	struct entry *head, **tail;
	int writing;
	int runner;   /* a thread runs cg_committer_run(): it alone writes */
	int stopping; /* cg_committer_stop(): the writer thread ends once the queue is empty */
	unsigned long groups, messages; /* for tests and benchmarks */
};

cg_rc
cg_committer_new(cg_committer **out)
{
	cg_committer *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (c == NULL)
		return CG_ENOMEM;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return CG_ENOMEM;
	}
	if (pthread_cond_init(&c->done, NULL) != 0) {
		pthread_mutex_destroy(&c->lock);
		free(c);
		return CG_ENOMEM;
	}
	if (pthread_cond_init(&c->work, NULL) != 0) {
		pthread_cond_destroy(&c->done);
		pthread_mutex_destroy(&c->lock);
		free(c);
		return CG_ENOMEM;
	}
	c->tail = &c->head;
	*out = c;
	return CG_OK;
}

void
cg_committer_free(cg_committer *c)
{
	if (c == NULL)
		return;
	pthread_cond_destroy(&c->work);
	pthread_cond_destroy(&c->done);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void
cg_committer_stats(cg_committer *c, unsigned long *groups, unsigned long *messages)
{
	pthread_mutex_lock(&c->lock);
	*groups = c->groups;
	*messages = c->messages;
	pthread_mutex_unlock(&c->lock);
}

/* Take up to GROUP_MAX queued entries, oldest first. */
static struct entry *
take(cg_committer *c, size_t *n)
{
	struct entry *first = c->head, *e = first;

	*n = 0;
	while (e != NULL && *n < GROUP_MAX - 1) {
		e = e->next;
		(*n)++;
	}
	if (e == NULL) {
		c->head = NULL;
		c->tail = &c->head;
	} else {
		(*n)++;
		c->head = e->next;
		if (c->head == NULL)
			c->tail = &c->head;
		e->next = NULL;
	}
	return first;
}

static void
fail_all(struct entry *group, cg_rc rc, cg_ctx *ctx)
{
	struct entry *e;

	for (e = group; e != NULL; e = e->next) {
		if (e->rc == CG_OK) {
			e->rc = rc;
			if (e->ctx != ctx)
				(void)cg__fail(e->ctx, rc, "group commit: %s", cg_ctx_errmsg(ctx));
		}
	}
}

/* One transaction for the group; each entry's rc says whether its write is durable. */
static void
write_group(struct entry *group, cg_service *w, cg_ctx *ctx)
{
	cg_store *st = w->st;
	struct entry *e;
	cg_rc rc = cg_db_begin(cg__store_db(st), ctx);

	if (rc != CG_OK) {
		fail_all(group, rc, ctx);
		return;
	}
	for (e = group; e != NULL; e = e->next) {
		if (e != group)
			e->rc = cg_db_short_waits(cg__store_db(st), e->ctx);
		if (e->rc == CG_OK)
			e->rc = cg_db_savepoint_whole(cg__store_db(st), e->ctx);
		if (e->rc == CG_OK)
			e->rc = e->write(e->arg, w);
		if (e->rc == CG_OK) {
			e->rc = cg_db_release(cg__store_db(st), e->ctx);
		} else {
			e->again = cg_db_busy(cg__store_db(st)) && e->tries < RETRY_MAX;
			cg_db_rollback_to(cg__store_db(st));
		}
	}
	rc = cg_db_commit(cg__store_db(st), ctx);
	if (rc != CG_OK) {
		cg_db_rollback(cg__store_db(st));
		for (e = group; e != NULL; e = e->next)
			e->again = 0;
		fail_all(group, rc, ctx);
	}
}

/*
 * The group is written: each entry is done (its thread answers once the lock
 * is free; a queued entry goes to *finished, for its callback), or, when it
 * gave up a lock wait, back at the head of the queue.
 */
static void
settle(cg_committer *c, struct entry *group, struct entry **finished)
{
	struct entry *e, *next, *first = NULL, **tail = &first;

	for (e = group; e != NULL; e = next) {
		next = e->next; /* e may be gone once done is seen */
		if (!e->again && e->finish != NULL) {
			e->next = *finished;
			*finished = e;
			continue;
		}
		if (!e->again) {
			e->done = 1;
			continue;
		}
		e->again = 0;
		e->tries++;
		e->rc = CG_OK;
		*tail = e;
		tail = &e->next;
	}
	if (first == NULL)
		return;
	*tail = c->head;
	if (c->head == NULL)
		c->tail = tail;
	c->head = first;
}

/* Queued entries whose group committed (or failed): their callbacks, outside the lock. */
static void
finish_all(struct entry *finished)
{
	while (finished != NULL) {
		struct entry *e = finished;

		finished = e->next;
		e->finish(e->arg, e->rc);
		free(e);
	}
}

/* Write one group from the queue (the lock held on entry and on return). */
static void
write_one_group(cg_committer *c, cg_service *w, cg_ctx *ctx)
{
	struct entry *group, *finished = NULL;
	size_t n;

	c->writing = 1;
	group = take(c, &n);
	pthread_mutex_unlock(&c->lock);
	write_group(group, w, ctx);
	pthread_mutex_lock(&c->lock);
	settle(c, group, &finished);
	c->groups++;
	c->messages += n;
	c->writing = 0;
	pthread_cond_broadcast(&c->done);
	if (finished != NULL) {
		pthread_mutex_unlock(&c->lock);
		finish_all(finished);
		pthread_mutex_lock(&c->lock);
	}
}

static void
enqueue(cg_committer *c, struct entry *e)
{
	*c->tail = e;
	c->tail = &e->next;
	if (c->runner)
		pthread_cond_signal(&c->work);
}

cg_rc
cg__commit_grouped(cg_committer *c, cg_service *svc, cg_ctx *ctx,
		   cg_rc (*write)(void *arg, cg_service *writer), void *arg)
{
	struct entry me = { write, NULL, arg, ctx, CG_OK, 0, 0, 0, NULL };

	pthread_mutex_lock(&c->lock);
	enqueue(c, &me);
	while (!me.done) {
		if (c->writing || c->runner) {
			pthread_cond_wait(&c->done, &c->lock);
			continue;
		}
		/* No writer: this thread writes whatever is queued, its own entry among it. */
		write_one_group(c, svc, ctx);
	}
	pthread_mutex_unlock(&c->lock);
	return me.rc;
}

int
cg__committer_running(cg_committer *c)
{
	int r;

	pthread_mutex_lock(&c->lock);
	r = c->runner && !c->stopping;
	pthread_mutex_unlock(&c->lock);
	return r;
}

cg_rc
cg__commit_queue(cg_committer *c, cg_ctx *ctx, cg_rc (*write)(void *arg, cg_service *writer),
		 void (*finish)(void *arg, cg_rc rc), void *arg)
{
	struct entry *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return CG_ENOMEM;
	*e = (struct entry){ write, finish, arg, ctx, CG_OK, 0, 0, 0, NULL };
	pthread_mutex_lock(&c->lock);
	if (!c->runner) {
		pthread_mutex_unlock(&c->lock);
		free(e);
		return CG_EUNAVAIL;
	}
	enqueue(c, e);
	pthread_mutex_unlock(&c->lock);
	return CG_OK;
}

cg_rc
cg_committer_run(cg_committer *c, cg_service *svc)
{
	cg_ctx *ctx = NULL;

	if (cg_ctx_new(&ctx) != CG_OK)
		return CG_ENOMEM;
	pthread_mutex_lock(&c->lock);
	if (c->runner) {
		pthread_mutex_unlock(&c->lock);
		cg_ctx_free(ctx);
		return CG_EEXIST;
	}
	c->runner = 1;
#ifdef __GLIBC__
	(void)pthread_setname_np(pthread_self(), "cg-writer");
#endif
	/*
	 * This connection writes every group: no temporary files, and the WAL's
	 * checkpoints on a thread apart (cg_db_writer_mode). Without it the
	 * groups are still written, checkpointed by SQLite in this thread.
	 */
	(void)cg_db_writer_mode(cg__store_db(svc->st), ctx, true);
	/* A waiting thread's own writing may be under way: the first group waits for it. */
	for (;;) {
		if (c->writing || (c->head == NULL && !c->stopping)) {
			pthread_cond_wait(c->writing ? &c->done : &c->work, &c->lock);
			continue;
		}
		if (c->head == NULL)
			break; /* stopping, and nothing is left */
		write_one_group(c, svc, ctx);
	}
	c->runner = 0;
	c->stopping = 0;
	pthread_mutex_unlock(&c->lock);
	cg_db_writer_mode_end(cg__store_db(svc->st)); /* its thread joined before anyone else writes here */
	pthread_mutex_lock(&c->lock);
	/* Threads waiting for a writer write for themselves again. */
	pthread_cond_broadcast(&c->done);
	pthread_mutex_unlock(&c->lock);
	cg_ctx_free(ctx);
	return CG_OK;
}

void
cg_committer_stop(cg_committer *c)
{
	pthread_mutex_lock(&c->lock);
	c->stopping = 1;
	pthread_cond_broadcast(&c->work);
	pthread_mutex_unlock(&c->lock);
}
