/* SPDX-License-Identifier: MIT */
/*
 * Wake-up hints between the nodes on one PostgreSQL database (db.h,
 * cg_db_hint_*): a long-poll parked on one node must learn that another node
 * wrote. One connection of its own per node LISTENs on one channel; a local
 * write pokes the hint, and its thread sends one NOTIFY for every pokes that
 * came meanwhile. The payload is empty: a hint says "look again", never what
 * changed, so a lost one costs a delay, never a wrong answer (the caller
 * also looks again while the connection is down and once it is back).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libpq-fe.h>
#include "db/db.h"

/* Waits between attempts to connect again, doubled from the first to the last (ms). */
#define HINT_RETRY_FIRST_MS 100
#define HINT_RETRY_LAST_MS 5000
/* At most one NOTIFY per this many ms: a busy node sends few, each costs the server a commit. */
#define HINT_SPACING_MS 5

struct cg_db_hint {
	char *uri;
	PGconn *h;	    /* NULL while down */
	int pipe[2];	    /* pokes from any thread: one byte each, drained together */
	long long retry_at; /* ms: next attempt to connect */
	long long retry_wait;
	long long sent_at;  /* ms: the last NOTIFY */
	int pending;	    /* pokes not yet sent */
};

static long long
now_ms(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static int
command(PGconn *h, const char *constant_sql)
{
	PGresult *r = PQexec(h, constant_sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	PQclear(r);
	return ok;
}

/* Connect and LISTEN; a hint lost in a crash matters to nobody, so its commit need not wait for the disk. */
static int
hint_connect(cg_db_hint *n)
{
	static const char *const keys[] = { "connect_timeout", "dbname", NULL };
	const char *values[] = { "5", n->uri, NULL };
	int first = getenv("PGCONNECT_TIMEOUT") != NULL ? 1 : 0;

	n->h = PQconnectdbParams(keys + first, values + first, 1);
	if (PQstatus(n->h) == CONNECTION_OK && command(n->h, "SET synchronous_commit = off") &&
	    command(n->h, "LISTEN cebgate"))
		return 0;
	PQfinish(n->h);
	n->h = NULL;
	return -1;
}

cg_rc
cg_db_hint_open(cg_db_hint **out, cg_ctx *ctx, const char *where)
{
	cg_db_hint *n;

	*out = NULL;
	if (!cg_db_is_uri(where))
		return CG_OK; /* one SQLite file has one node: its own writes are all there is */
	n = calloc(1, sizeof(*n));
	if (n == NULL || (n->uri = cg__strdup(where)) == NULL || pipe(n->pipe) != 0) {
		if (n != NULL)
			free(n->uri);
		free(n);
		return cg__fail(ctx, CG_ENOMEM, "wake-up hints: out of memory or descriptors");
	}
	(void)fcntl(n->pipe[0], F_SETFL, O_NONBLOCK);
	(void)fcntl(n->pipe[1], F_SETFL, O_NONBLOCK);
	(void)fcntl(n->pipe[0], F_SETFD, FD_CLOEXEC);
	(void)fcntl(n->pipe[1], F_SETFD, FD_CLOEXEC);
	n->retry_wait = HINT_RETRY_FIRST_MS;
	/* Down at start is no failure: cg_db_hint_wait() connects when it can. */
	(void)hint_connect(n);
	*out = n;
	return CG_OK;
}

void
cg_db_hint_close(cg_db_hint *n)
{
	if (n == NULL)
		return;
	PQfinish(n->h);
	close(n->pipe[0]);
	close(n->pipe[1]);
	free(n->uri);
	free(n);
}

void
cg_db_hint_poke(cg_db_hint *n)
{
	if (n != NULL)
		(void)!write(n->pipe[1], "", 1); /* a full pipe holds pokes enough */
}

static void
drain(cg_db_hint *n)
{
	char buf[256];

	while (read(n->pipe[0], buf, sizeof(buf)) > 0)
		n->pending = 1;
}

/* Notifications from other nodes (our own come back too: not counted). 1 when any, -1 when the connection broke. */
static int
received(cg_db_hint *n)
{
	PGnotify *m;
	int other = 0, self = PQbackendPID(n->h);

	if (PQconsumeInput(n->h) == 0)
		return -1;
	while ((m = PQnotifies(n->h)) != NULL) {
		other |= m->be_pid != self;
		PQfreemem(m);
	}
	return other;
}

static int
lost(cg_db_hint *n)
{
	PQfinish(n->h);
	n->h = NULL;
	n->retry_at = now_ms() + n->retry_wait;
	return -1;
}

/* Down: try to connect when the wait is over, else sleep out @p ms or the wait. -1 either way. */
static int
reconnect(cg_db_hint *n, int ms)
{
	long long now = now_ms();
	struct pollfd p = { n->pipe[0], POLLIN, 0 };

	if (now >= n->retry_at) {
		if (hint_connect(n) == 0) {
			n->retry_wait = HINT_RETRY_FIRST_MS;
			return -1; /* back: what was sent meanwhile is lost, look again */
		}
		n->retry_at = now + n->retry_wait;
		n->retry_wait = n->retry_wait * 2 > HINT_RETRY_LAST_MS ? HINT_RETRY_LAST_MS : n->retry_wait * 2;
	}
	if (n->retry_at - now < ms)
		ms = (int)(n->retry_at - now);
	(void)poll(&p, 1, ms > 0 ? ms : 0);
	drain(n); /* pokes while down: the other nodes look again on their own */
	n->pending = 0;
	return -1;
}

int
cg_db_hint_wait(cg_db_hint *n, int ms)
{
	struct pollfd p[2];
	int got, np;
	long long now;

	if (n->h == NULL)
		return reconnect(n, ms);
	now = now_ms();
	/* A poke is sent at once, or when the spacing allows; meanwhile only the server is listened to. */
	if (n->pending && now - n->sent_at >= HINT_SPACING_MS) {
		n->pending = 0;
		n->sent_at = now;
		if (!command(n->h, "NOTIFY cebgate"))
			return lost(n);
		ms = 0;
	} else if (n->pending) {
		ms = (int)(HINT_SPACING_MS - (now - n->sent_at));
	}
	p[0] = (struct pollfd){ PQsocket(n->h), POLLIN, 0 };
	p[1] = (struct pollfd){ n->pipe[0], POLLIN, 0 };
	np = n->pending ? 1 : 2;
	if (poll(p, (nfds_t)np, ms) < 0 && errno != EINTR)
		return lost(n);
	if (np == 2 && (p[1].revents & POLLIN) != 0)
		drain(n);
	got = received(n);
	return got < 0 ? lost(n) : got;
}
