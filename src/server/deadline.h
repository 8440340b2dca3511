/* SPDX-License-Identifier: MIT */
/*
 * cebgated: a deadline for receiving each request. libmicrohttpd's timeout
 * counts inactivity, and every byte resets it: a client that sends one byte a
 * second keeps its connection, and with the per-IP limit a handful of such
 * clients lock an address out. Every connection is tracked from its accept
 * (or its previous answer); one whose request has not fully arrived when the
 * deadline passes is shut down. A request being answered (or a long-poll
 * waiting) is not subject to it.
 */
#ifndef SRV_DEADLINE_H
#define SRV_DEADLINE_H

#include <microhttpd.h>

struct srv_deadlines;

/* @p seconds to receive a request, headers and body (0: no deadline). NULL when out of memory. */
struct srv_deadlines *srv_deadlines_new(unsigned seconds);
void srv_deadlines_free(struct srv_deadlines *d);

/* MHD_OPTION_NOTIFY_CONNECTION callback (cls: the srv_deadlines). */
void srv_deadlines_notify(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code);

/* The request of @p c has fully arrived (the access handler's last call). */
void srv_deadlines_received(struct srv_deadlines *d, struct MHD_Connection *c);

/* The request of @p c was answered: the next one's deadline starts now. */
void srv_deadlines_answered(struct srv_deadlines *d, struct MHD_Connection *c);

/* Shut down every connection past its deadline; how many. Called from the main loop. */
unsigned srv_deadlines_sweep(struct srv_deadlines *d);

#endif
