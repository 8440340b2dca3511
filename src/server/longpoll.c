/* SPDX-License-Identifier: MIT */
/*
 * Long-polls (receipts, waybill status) wait suspended, outside the pool
 * threads; a write wakes the main loop, which resumes those that may have an
 * answer now, or whose time is up.
 */
#include "config.h"

#include <pthread.h>
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

/* After a write: parked long-polls may have an answer now. */
void
srv_changed(struct srv *s)
{
	pthread_mutex_lock(&s->park_lock);
	atomic_fetch_add(&s->changes, 1);
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->park_lock);
	/* New receipts may be due for delivery. */
	if (s->deliverer != NULL)
		cg_deliverer_wake(s->deliverer);
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
