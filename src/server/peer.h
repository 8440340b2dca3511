/* SPDX-License-Identifier: MIT */
/*
 * cebgated: who a client is. Behind a reverse proxy every connection comes
 * from the proxy's address; from the addresses listed in `trusted-proxy` only,
 * the client is taken from X-Forwarded-For (the right-most address that is not
 * itself a trusted proxy), and the connection limits, the failed-login limit
 * and the log use it. From any other peer the header is ignored: anyone can
 * send it.
 */
#ifndef SRV_PEER_H
#define SRV_PEER_H

#include <stddef.h>
#include <sys/socket.h>
#include <microhttpd.h>

/* An IPv4 or IPv6 address, comparable with srv_addr_equal(). */
struct srv_addr {
	int family; /* AF_INET, AF_INET6, or 0 when unknown */
	unsigned char b[16];
};

#define SRV_MAX_PROXIES 16

struct srv_proxies {
	struct srv_addr addr[SRV_MAX_PROXIES];
	int n;
};

/* The address of @p sa (0), or -1 for another family. */
int srv_addr_of(const struct sockaddr *sa, struct srv_addr *out);
/* The address written as @p n bytes of text (no port, no brackets); -1 when it is not one. */
int srv_addr_parse(const char *text, size_t n, struct srv_addr *out);
int srv_addr_equal(const struct srv_addr *a, const struct srv_addr *b);
/* The address as text ("" when unknown). */
const char *srv_addr_text(const struct srv_addr *a, char *buf, size_t size);

/* "ADDR,ADDR,..." (spaces allowed) into @p out; -1 when an item is not an address or too many. */
int srv_proxies_parse(const char *list, struct srv_proxies *out);
/*
 * The trusted proxies for the whole process: set once before the daemon
 * starts, read by every thread afterwards (no lock: never written again).
 */
void srv_proxies_use(const struct srv_proxies *p);
int srv_proxy_trusted(const struct srv_addr *a);

/* The client of a request on @p c: the peer, or the forwarded client when the peer is a trusted proxy. */
void srv_request_client(struct MHD_Connection *c, struct srv_addr *out);
/* The client from an X-Forwarded-For value, for @p peer (a trusted proxy): 0, or -1 when none fits. */
int srv_forwarded_client(const char *xff, struct srv_addr *out);

#endif
