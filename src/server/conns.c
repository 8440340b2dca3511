/* SPDX-License-Identifier: MIT */
/* cebgated's connections: deadlines, limits and who gives way (conns.h). */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include "conns.h"

enum phase {
	IDLE,      /* no request under way: waiting for headers, or kept alive after an answer */
	RECEIVING, /* headers in, body arriving */
	BUSY,      /* received (or exempt): being handled, answered or parked */
};

struct conn {
	int fd;
	struct sockaddr_storage sock; /* to recognise the socket before shutting it down */
	socklen_t sock_len;
	struct srv_addr peer;         /* the socket's peer */
	struct srv_addr addr;         /* whom the limits count it for (a proxied request: its client) */
	int proxy;                    /* the peer is a trusted proxy */
	int known;                    /* from a known address (or a proxy): may use the reserve */
	int counted;                  /* 0 once refused, dropped or cut: it is on its way out */
	enum phase phase;
	long long since_ms;           /* accept, or the previous answer */
	unsigned long long since;     /* the same as an order: the oldest has the lowest */
	struct conn *prev, *next;
};

#define KNOWN_SLOTS 1024

struct srv_conns {
	pthread_mutex_t lock;
	struct srv_conn_limits lim;
	struct conn *head;
	unsigned open, unknown; /* counted connections, and of them from unknown addresses */
	unsigned long refused, dropped, cut;
	unsigned long long order; /* accepts and answers so far */
	struct {
		struct srv_addr addr;
		long long until_ms;
	} known[KNOWN_SLOTS]; /* addresses that authenticated recently; a collision forgets one */
};

static long long
mono_ms(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

struct srv_conns *
srv_conns_new(const struct srv_conn_limits *l)
{
	struct srv_conns *d = calloc(1, sizeof(*d));

	if (d == NULL || pthread_mutex_init(&d->lock, NULL) != 0) {
		free(d);
		return NULL;
	}
	d->lim = *l;
	return d;
}

void
srv_conns_free(struct srv_conns *d)
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

static size_t
known_slot(const struct srv_addr *a)
{
	unsigned long h = 5381;
	size_t i;

	for (i = 0; i < sizeof(a->b); i++)
		h = h * 33 + a->b[i];
	return (size_t)(h % KNOWN_SLOTS);
}

/* Under the lock. */
static int
is_known(const struct srv_conns *d, const struct srv_addr *a, long long now)
{
	size_t i = known_slot(a);

	return d->known[i].until_ms > now && srv_addr_equal(&d->known[i].addr, a);
}

/* The socket is still the connection's: the same peer (a closed descriptor may be reused). */
static int
same_socket(const struct conn *c)
{
	struct sockaddr_storage now;
	socklen_t len = sizeof(now);

	return c->sock_len != 0 && getpeername(c->fd, (struct sockaddr *)&now, &len) == 0 &&
	       len == c->sock_len && memcmp(&now, &c->sock, len) == 0;
}

/*
 * Stop counting @p c and shut its socket down (not closed: libmicrohttpd sees
 * the end of the stream in its own thread and cleans up as usual). Under the lock.
 */
static void
let_go(struct srv_conns *d, struct conn *c)
{
	if (!c->counted)
		return;
	c->counted = 0;
	d->open--;
	if (!c->known)
		d->unknown--;
	if (same_socket(c))
		(void)shutdown(c->fd, SHUT_RDWR);
}

/* Connections the limits count for @p a (a proxy's own idle connections are not limited). Under the lock. */
static unsigned
count_for(const struct srv_conns *d, const struct srv_addr *a, const struct conn *except)
{
	const struct conn *c;
	unsigned n = 0;

	for (c = d->head; c != NULL; c = c->next) {
		if (c != except && c->counted && !(c->proxy && srv_addr_equal(&c->addr, &c->peer)) &&
		    srv_addr_equal(&c->addr, a))
			n++;
	}
	return n;
}

enum which { SAME_ADDRESS, UNKNOWN_ONLY, ANYONE };

/*
 * Drop the oldest idle connection that the limit at hand counts, an unknown
 * address's before a known one's; copies its address into @p victim. 0 when
 * there was none. Under the lock.
 */
static int
drop_idle(struct srv_conns *d, const struct conn *for_c, enum which w, struct srv_addr *victim)
{
	struct conn *c, *best = NULL;

	for (c = d->head; c != NULL; c = c->next) {
		if (c == for_c || !c->counted || c->phase != IDLE)
			continue;
		if ((w == SAME_ADDRESS && !srv_addr_equal(&c->addr, &for_c->addr)) || (w == UNKNOWN_ONLY && c->known))
			continue;
		if (best == NULL || (best->known && !c->known) ||
		    (best->known == c->known && c->since < best->since))
			best = c;
	}
	if (best == NULL)
		return 0;
	*victim = best->addr;
	let_go(d, best);
	d->dropped++;
	return 1;
}

struct verdict {
	const char *refused; /* the limit that refused it, or NULL */
	const char *limit;   /* the limit for which a connection was dropped, or NULL */
	struct srv_addr victim;
};

/* Room for @p c, by dropping an idle connection when a limit is reached. Under the lock. */
static void
admit(struct srv_conns *d, const struct conn *c, struct verdict *v)
{
	unsigned per = c->known ? d->lim.per_known_ip : d->lim.per_ip;
	unsigned shared = d->lim.total - d->lim.reserved;

	memset(v, 0, sizeof(*v));
	if (!c->proxy && per > 0 && count_for(d, &c->addr, c) >= per) {
		v->limit = "address";
		if (!drop_idle(d, c, SAME_ADDRESS, &v->victim)) {
			v->refused = v->limit;
			return;
		}
	}
	if (!c->known && d->unknown >= shared) {
		v->limit = "unknown";
		if (!drop_idle(d, c, UNKNOWN_ONLY, &v->victim)) {
			v->refused = v->limit;
			return;
		}
	}
	if (d->open >= d->lim.total) {
		v->limit = "total";
		if (!drop_idle(d, c, ANYONE, &v->victim))
			v->refused = v->limit;
	}
}

static void
log_verdict(const struct verdict *v, const struct srv_addr *who)
{
	char a[64], b[64];

	if (v->refused != NULL)
		fprintf(stderr, "level=warn msg=\"connection refused\" addr=%s limit=%s\n",
			srv_addr_text(who, a, sizeof(a)), v->refused);
	else if (v->limit != NULL)
		fprintf(stderr, "level=info msg=\"idle connection dropped\" addr=%s for=%s limit=%s\n",
			srv_addr_text(&v->victim, a, sizeof(a)), srv_addr_text(who, b, sizeof(b)), v->limit);
}

static void
started(struct srv_conns *d, struct MHD_Connection *mc, void **socket_context)
{
	const union MHD_ConnectionInfo *fd = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
	const union MHD_ConnectionInfo *ca = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct conn *c = calloc(1, sizeof(*c));
	struct verdict v;

	if (c == NULL || fd == NULL) {
		free(c);
		return; /* untracked: the inactivity timeout still applies */
	}
	c->fd = fd->connect_fd;
	c->sock_len = sizeof(c->sock);
	if (getpeername(c->fd, (struct sockaddr *)&c->sock, &c->sock_len) != 0)
		c->sock_len = 0;
	(void)srv_addr_of(ca != NULL ? ca->client_addr : NULL, &c->peer);
	c->addr = c->peer;
	c->proxy = srv_proxy_trusted(&c->peer);
	c->phase = IDLE;
	c->since_ms = mono_ms();
	pthread_mutex_lock(&d->lock);
	c->known = c->proxy || is_known(d, &c->addr, c->since_ms);
	c->since = ++d->order;
	admit(d, c, &v);
	if (v.refused == NULL) {
		c->counted = 1;
		d->open++;
		if (!c->known)
			d->unknown++;
	} else {
		d->refused++;
	}
	/* Tracked even when refused, so that its close finds it. */
	c->next = d->head;
	if (d->head != NULL)
		d->head->prev = c;
	d->head = c;
	pthread_mutex_unlock(&d->lock);
	*socket_context = c;
	if (v.refused != NULL)
		(void)shutdown(c->fd, SHUT_RDWR); /* at once: a refused client learns it now */
	log_verdict(&v, &c->peer);
}

static void
closed(struct srv_conns *d, struct conn *c)
{
	pthread_mutex_lock(&d->lock);
	if (c->counted) {
		d->open--;
		if (!c->known)
			d->unknown--;
	}
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		d->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&d->lock);
	free(c);
}

void
srv_conns_notify(void *cls, struct MHD_Connection *mc, void **socket_context,
		 enum MHD_ConnectionNotificationCode code)
{
	struct srv_conns *d = cls;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		started(d, mc, socket_context);
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context != NULL) {
		closed(d, *socket_context);
		*socket_context = NULL;
	}
}

static struct conn *
conn_of(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

int
srv_conns_request(struct srv_conns *d, struct MHD_Connection *mc, const struct srv_addr *client)
{
	struct conn *c = conn_of(mc);
	int over = 0;

	/* Headers in: the short header timeout gives way to the inactivity timeout. */
	(void)MHD_set_connection_option(mc, MHD_CONNECTION_OPTION_TIMEOUT, d->lim.idle_s);
	if (c == NULL)
		return 0;
	pthread_mutex_lock(&d->lock);
	if (c->phase == IDLE)
		c->phase = RECEIVING;
	if (c->proxy && client->family != 0 && !srv_addr_equal(client, &c->peer)) {
		long long now = mono_ms();
		unsigned per = is_known(d, client, now) ? d->lim.per_known_ip : d->lim.per_ip;

		if (per > 0 && count_for(d, client, c) >= per)
			over = 1;
		else
			c->addr = *client;
	}
	pthread_mutex_unlock(&d->lock);
	return over ? -1 : 0;
}

void
srv_conns_received(struct srv_conns *d, struct MHD_Connection *mc)
{
	struct conn *c = conn_of(mc);

	if (c == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	c->phase = BUSY;
	pthread_mutex_unlock(&d->lock);
}

void
srv_conns_answered(struct srv_conns *d, struct MHD_Connection *mc)
{
	struct conn *c = conn_of(mc);

	if (c == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	c->phase = IDLE;
	c->addr = c->peer; /* a proxy's next request may be another client's */
	c->since_ms = mono_ms();
	c->since = ++d->order;
	pthread_mutex_unlock(&d->lock);
}

void
srv_conns_authenticated(struct srv_conns *d, struct MHD_Connection *mc, const struct srv_addr *client)
{
	struct conn *c = conn_of(mc);
	size_t i = known_slot(client);

	if (client->family == 0)
		return;
	pthread_mutex_lock(&d->lock);
	d->known[i].addr = *client;
	d->known[i].until_ms = mono_ms() + SRV_KNOWN_SECONDS * 1000LL;
	if (c != NULL && c->counted && !c->known) {
		c->known = 1;
		d->unknown--;
	}
	pthread_mutex_unlock(&d->lock);
}

unsigned
srv_conns_sweep(struct srv_conns *d)
{
	long long now = mono_ms();
	unsigned n = 0;
	struct conn *c;

	if (d == NULL)
		return 0;
	pthread_mutex_lock(&d->lock);
	for (c = d->head; c != NULL; c = c->next) {
		long long limit = c->phase == IDLE ? d->lim.header_s * 1000LL : d->lim.request_s * 1000LL;

		if (c->counted && c->phase != BUSY && limit > 0 && now - c->since_ms > limit) {
			let_go(d, c);
			d->cut++;
			n++;
		}
	}
	pthread_mutex_unlock(&d->lock);
	return n;
}

size_t
srv_conns_metrics(struct srv_conns *d, char *buf, size_t size, size_t n)
{
	unsigned open, unknown;
	unsigned long refused, dropped, cut;
	int w;

	pthread_mutex_lock(&d->lock);
	open = d->open;
	unknown = d->unknown;
	refused = d->refused;
	dropped = d->dropped;
	cut = d->cut;
	pthread_mutex_unlock(&d->lock);
	if (n >= size)
		return n;
	w = snprintf(buf + n, size - n,
		     "# HELP cebgate_connections_open Connections the limits count.\n"
		     "# TYPE cebgate_connections_open gauge\ncebgate_connections_open %u\n"
		     "# HELP cebgate_connections_unknown Of them, from addresses without a recent login.\n"
		     "# TYPE cebgate_connections_unknown gauge\ncebgate_connections_unknown %u\n"
		     "# HELP cebgate_connections_refused_total Connections closed at once at a limit.\n"
		     "# TYPE cebgate_connections_refused_total counter\ncebgate_connections_refused_total %lu\n"
		     "# HELP cebgate_connections_dropped_total Idle connections closed for a newcomer.\n"
		     "# TYPE cebgate_connections_dropped_total counter\ncebgate_connections_dropped_total %lu\n"
		     "# HELP cebgate_connections_cut_total Connections past header-timeout or request-timeout.\n"
		     "# TYPE cebgate_connections_cut_total counter\ncebgate_connections_cut_total %lu\n",
		     open, unknown, refused, dropped, cut);
	return w > 0 && (size_t)w < size - n ? n + (size_t)w : n;
}
