/* SPDX-License-Identifier: MIT */
/*
 * cebgated's connections: who holds them, how long each may take, and who
 * gives way when the server is full.
 *
 * libmicrohttpd's own limits shut everyone out once a crowd holds them (at
 * the total limit it stops accepting; new clients wait in the backlog for
 * minutes), and its timeout counts inactivity, which a client that drips a
 * byte a second never reaches. Here every connection is tracked from its
 * accept:
 *
 *  - deadlines: the request's headers must be in within `header-timeout`
 *    of the accept or of the previous answer (an idle keep-alive connection
 *    goes then too), its body within `request-timeout`; a connection past its
 *    deadline is shut down by the main loop's sweep;
 *  - limits: per address (`per-ip-limit`, or `known-ip-limit` for an address
 *    where someone logged in within the last hour), and in total
 *    (`connection-limit`), of which `reserved-connections` are kept for known
 *    addresses and trusted proxies;
 *  - at a limit, the oldest idle connection (no request under way: waiting
 *    for headers, or kept alive after an answer) that the limit counts is
 *    dropped for the new one, from an unknown address before a known one;
 *    only when every counted connection has a request under way is the new
 *    connection refused, at once (closed, not left in the backlog).
 *
 * A request under way (its body arriving, being handled, a long-poll) is
 * never dropped for a newcomer.
 */
#ifndef SRV_CONNS_H
#define SRV_CONNS_H

#include <stddef.h>
#include <microhttpd.h>
#include "peer.h"

struct srv_conns;

struct srv_conn_limits {
	unsigned total;        /* connection-limit */
	unsigned reserved;     /* of them, for known addresses and trusted proxies */
	unsigned per_ip;       /* per unknown address (0: none) */
	unsigned per_known_ip; /* per address that logged in recently (0: none) */
	unsigned header_s;     /* header-timeout: seconds to send the headers */
	unsigned request_s;    /* request-timeout: seconds to send the whole request (0: none) */
	unsigned idle_s;       /* timeout: inactivity once the headers are in */
};

/* How long an address counts as known after a successful authentication. */
#define SRV_KNOWN_SECONDS 3600

/* NULL when out of memory. */
struct srv_conns *srv_conns_new(const struct srv_conn_limits *l);
void srv_conns_free(struct srv_conns *d);

/* MHD_OPTION_NOTIFY_CONNECTION callback (cls: the srv_conns): admits, drops or refuses. */
void srv_conns_notify(void *cls, struct MHD_Connection *c, void **socket_context,
		      enum MHD_ConnectionNotificationCode code);

/*
 * The headers of a request on @p c are in (the access handler's first call):
 * the inactivity timeout replaces the header timeout, and a request through a
 * trusted proxy counts for @p client. 0, or -1 when @p client is over its
 * limit (answer 429).
 */
int srv_conns_request(struct srv_conns *d, struct MHD_Connection *c, const struct srv_addr *client);

/* The request of @p c has fully arrived, or needs no deadline (an authenticated upload). */
void srv_conns_received(struct srv_conns *d, struct MHD_Connection *c);

/* The request of @p c was answered: the connection is idle, the next request's deadline starts now. */
void srv_conns_answered(struct srv_conns *d, struct MHD_Connection *c);

/* A request on @p c authenticated: its client's address is known for an hour. */
void srv_conns_authenticated(struct srv_conns *d, struct MHD_Connection *c, const struct srv_addr *client);

/* Shut down every connection past its deadline; how many. Called from the main loop. */
unsigned srv_conns_sweep(struct srv_conns *d);

/* Append the connection gauges and counters to @p buf (holding @p n bytes); the new length. */
size_t srv_conns_metrics(struct srv_conns *d, char *buf, size_t size, size_t n);

#endif
