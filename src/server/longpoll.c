/* SPDX-License-Identifier: MIT */
/*
 * Long-polls (receipts, waybill status) wait suspended, outside the pool
 * threads; a write wakes the main loop, which resumes those that may have an
 * answer now, or whose time is up. On PostgreSQL a write on another node
 * wakes them too, through a wake-up hint (LISTEN/NOTIFY, hint_main).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include "daemon.h"

long long
srv_now_ms(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* The first look of a long-poll fixes its deadline; later looks keep it. */
void
srv_poll_start(struct srv *s, struct req *r, long long wait)
{
	if (r->deadline_ms == 0)
		r->deadline_ms = srv_now_ms() + wait * 1000;
	r->seen = atomic_load(&s->changes);
}

/*
 * Suspend a long-poll that has nothing to answer yet; it is looked at again
 * after the next write or at its deadline. 0 when it must answer now instead.
 */
int
srv_park(struct srv *s, struct MHD_Connection *c, struct req *r)
{
	int ok;

	if (srv_now_ms() >= r->deadline_ms)
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
void
srv_unpark(struct srv *s, int all)
{
	long long now = srv_now_ms();
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

/* Parked long-polls may have an answer now. */
static void
wake(struct srv *s)
{
	pthread_mutex_lock(&s->park_lock);
	atomic_fetch_add(&s->changes, 1);
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->park_lock);
	/* New receipts may be due for delivery. */
	if (s->deliverer != NULL)
		cg_deliverer_wake(s->deliverer);
}

/* After a write here: the long-polls parked here, and through the hint those on the other nodes. */
void
srv_changed(struct srv *s)
{
	wake(s);
	cg_hint_poke(s->hint);
}

/*
 * The hints' thread. A hint is only "look again": parked polls re-read the
 * database. Hints may be missed while the connection is down (then every
 * wait says so, and the polls look again) and, whatever the cause, every
 * HINT_RECHECK_MS the polls look again anyway.
 */
#define HINT_WAIT_MS 200
#define HINT_RECHECK_MS 60000

static void *
hint_main(void *arg)
{
	struct srv *s = arg;
	long long recheck = srv_now_ms() + HINT_RECHECK_MS;

	while (!*s->stop && !atomic_load(&s->hints_done)) {
		int got = cg_hint_wait(s->hint, HINT_WAIT_MS);

		if (got != 0 || srv_now_ms() >= recheck) {
			recheck = srv_now_ms() + HINT_RECHECK_MS;
			wake(s);
		}
	}
	return NULL;
}

int
srv_hints_start(struct srv *s)
{
	cg_ctx *ctx = NULL;
	int rc = 0;

	if (cg_ctx_new(&ctx) != CG_OK || cg_hint_open(&s->hint, ctx, s->cfg->db) != CG_OK) {
		fprintf(stderr, "cebgated: %s\n", ctx != NULL ? cg_ctx_errmsg(ctx) : "out of memory");
		rc = -1;
	} else if (s->hint != NULL && pthread_create(&s->hint_thread, NULL, hint_main, s) != 0) {
		fprintf(stderr, "cebgated: cannot start the thread of wake-up hints\n");
		cg_hint_free(s->hint);
		s->hint = NULL;
		rc = -1;
	}
	cg_ctx_free(ctx);
	return rc;
}

/* The thread ends within HINT_WAIT_MS. */
void
srv_hints_stop(struct srv *s)
{
	if (s->hint == NULL)
		return;
	atomic_store(&s->hints_done, 1);
	(void)pthread_join(s->hint_thread, NULL);
	cg_hint_free(s->hint);
	s->hint = NULL;
}

/* Sleep until a write signals or `ms` pass (the stop flag is read at least that often). */
void
srv_wait_for_change(struct srv *s, long ms)
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
