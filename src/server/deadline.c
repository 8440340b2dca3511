/* SPDX-License-Identifier: MIT */
/* cebgated: a deadline for receiving each request (deadline.h). */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include "deadline.h"

struct conn {
	int fd;
	struct sockaddr_storage peer; /* to recognise the socket before shutting it down */
	socklen_t peer_len;
	long long since_ms;           /* accept, or the previous answer */
	int receiving;                /* a request may be arriving (not yet fully received) */
	struct conn *prev, *next;
};

struct srv_deadlines {
	pthread_mutex_t lock;
	long long limit_ms;
	struct conn *head;
};

static long long
mono_ms(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

struct srv_deadlines *
srv_deadlines_new(unsigned seconds)
{
	struct srv_deadlines *d = calloc(1, sizeof(*d));

	if (d == NULL || pthread_mutex_init(&d->lock, NULL) != 0) {
		free(d);
		return NULL;
	}
	d->limit_ms = seconds * 1000LL;
	return d;
}

void
srv_deadlines_free(struct srv_deadlines *d)
{
	struct conn *c, *next;

	if (d == NULL)
		return;
	for (c = d->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	pthread_mutex_destroy(&d->lock);
	free(d);
}

void
srv_deadlines_notify(void *cls, struct MHD_Connection *mc, void **socket_context,
		     enum MHD_ConnectionNotificationCode code)
{
	struct srv_deadlines *d = cls;
	struct conn *c = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);

		c = calloc(1, sizeof(*c));
		if (c == NULL || ci == NULL) {
			free(c);
			return; /* untracked: the inactivity timeout still applies */
		}
		c->fd = ci->connect_fd;
		c->peer_len = sizeof(c->peer);
		if (getpeername(c->fd, (struct sockaddr *)&c->peer, &c->peer_len) != 0)
			c->peer_len = 0;
		c->since_ms = mono_ms();
		c->receiving = 1;
		pthread_mutex_lock(&d->lock);
		c->next = d->head;
		if (d->head != NULL)
			d->head->prev = c;
		d->head = c;
		pthread_mutex_unlock(&d->lock);
		*socket_context = c;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && c != NULL) {
		pthread_mutex_lock(&d->lock);
		if (c->prev != NULL)
			c->prev->next = c->next;
		else
			d->head = c->next;
		if (c->next != NULL)
			c->next->prev = c->prev;
		pthread_mutex_unlock(&d->lock);
		free(c);
		*socket_context = NULL;
	}
}

static struct conn *
conn_of(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

void
srv_deadlines_received(struct srv_deadlines *d, struct MHD_Connection *mc)
{
	struct conn *c = conn_of(mc);

	if (c == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	c->receiving = 0;
	pthread_mutex_unlock(&d->lock);
}

void
srv_deadlines_answered(struct srv_deadlines *d, struct MHD_Connection *mc)
{
	struct conn *c = conn_of(mc);

	if (c == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	c->receiving = 1;
	c->since_ms = mono_ms();
	pthread_mutex_unlock(&d->lock);
}

/* The socket is still the connection's: the same peer (a closed descriptor may be reused). */
static int
same_peer(const struct conn *c)
{
	struct sockaddr_storage now;
	socklen_t len = sizeof(now);

	return c->peer_len != 0 && getpeername(c->fd, (struct sockaddr *)&now, &len) == 0 &&
	       len == c->peer_len && memcmp(&now, &c->peer, len) == 0;
}

unsigned
srv_deadlines_sweep(struct srv_deadlines *d)
{
	long long now = mono_ms();
	unsigned n = 0;
	struct conn *c;

	if (d == NULL || d->limit_ms == 0)
		return 0;
	pthread_mutex_lock(&d->lock);
	for (c = d->head; c != NULL; c = c->next) {
		/*
		 * Shut down, not closed: libmicrohttpd sees the end of the stream
		 * in its own thread and cleans the connection up as usual.
		 */
		if (c->receiving && now - c->since_ms > d->limit_ms && same_peer(c) &&
		    shutdown(c->fd, SHUT_RDWR) == 0) {
			c->receiving = 0; /* once */
			n++;
		}
	}
	pthread_mutex_unlock(&d->lock);
	return n;
}
