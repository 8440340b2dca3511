/* SPDX-License-Identifier: MIT */
/* cebgated: client addresses and trusted proxies (peer.h). */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include "peer.h"

static const struct srv_proxies *trusted;

int
srv_addr_of(const struct sockaddr *sa, struct srv_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa != NULL && sa->sa_family == AF_INET) {
		out->family = AF_INET;
		memcpy(out->b, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return 0;
	}
	if (sa != NULL && sa->sa_family == AF_INET6) {
		out->family = AF_INET6;
		memcpy(out->b, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return 0;
	}
	return -1;
}

int
srv_addr_parse(const char *text, size_t n, struct srv_addr *out)
{
	char buf[INET6_ADDRSTRLEN];

	memset(out, 0, sizeof(*out));
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, out->b) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, out->b) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return -1;
}

int
srv_addr_equal(const struct srv_addr *a, const struct srv_addr *b)
{
	return a->family == b->family && memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

const char *
srv_addr_text(const struct srv_addr *a, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (a->family != 0 && inet_ntop(a->family, a->b, buf, (socklen_t)size) == NULL)
		buf[0] = '\0';
	return buf;
}

/* The bytes of [s, e) without spaces or tabs around them. */
static void
strip(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

int
srv_proxies_parse(const char *list, struct srv_proxies *out)
{
	const char *s = list;

	memset(out, 0, sizeof(*out));
	while (*s != '\0') {
		const char *e = strchr(s, ','), *next;

		if (e == NULL)
			e = s + strlen(s);
		next = *e == ',' ? e + 1 : e;
		strip(&s, &e);
		if (out->n == SRV_MAX_PROXIES || srv_addr_parse(s, (size_t)(e - s), &out->addr[out->n]) != 0)
			return -1;
		out->n++;
		s = next;
	}
	return 0;
}

void
srv_proxies_use(const struct srv_proxies *p)
{
	trusted = p != NULL && p->n > 0 ? p : NULL;
}

int
srv_proxy_trusted(const struct srv_addr *a)
{
	int i;

	for (i = 0; trusted != NULL && i < trusted->n; i++) {
		if (srv_addr_equal(&trusted->addr[i], a))
			return 1;
	}
	return 0;
}

/*
 * Each proxy appends the address it was connected from: read from the right,
 * the first address that is not one of ours is the client (anything to its
 * left was written by the client itself and proves nothing). When every
 * address is a trusted proxy, the left-most is the client.
 */
int
srv_forwarded_client(const char *xff, struct srv_addr *out)
{
	const char *end = xff + strlen(xff);
	int found = 0;

	while (end > xff) {
		const char *s = end, *e = end;
		struct srv_addr a;

		while (s > xff && s[-1] != ',')
			s--;
		end = s > xff ? s - 1 : xff;
		strip(&s, &e);
		if (srv_addr_parse(s, (size_t)(e - s), &a) != 0)
			return found ? 0 : -1; /* a proxy of ours wrote a valid address; this is not one */
		*out = a;
		found = 1;
		if (!srv_proxy_trusted(&a))
			return 0;
	}
	return found ? 0 : -1;
}

/* X-Forwarded-For may come as several headers (HAProxy adds one): one list, in order, its tail kept. */
struct xff_buf {
	char text[2048];
	size_t n;
};

static enum MHD_Result
xff_append(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct xff_buf *x = cls;
	size_t len = value != NULL ? strlen(value) : 0;

	(void)kind;
	if (key == NULL || strcasecmp(key, "X-Forwarded-For") != 0 || len == 0)
		return MHD_YES;
	if (len + 2 > sizeof(x->text)) {
		value += len - (sizeof(x->text) - 2);
		len = sizeof(x->text) - 2;
	}
	if (x->n + len + 2 > sizeof(x->text))
		x->n = 0; /* the right-most addresses are the ones that count */
	if (x->n > 0)
		x->text[x->n++] = ',';
	memcpy(x->text + x->n, value, len);
	x->n += len;
	x->text[x->n] = '\0';
	return MHD_YES;
}

void
srv_request_client(struct MHD_Connection *c, struct srv_addr *out)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct srv_addr fwd;
	struct xff_buf x;

	if (ci == NULL || srv_addr_of(ci->client_addr, out) != 0)
		memset(out, 0, sizeof(*out));
	if (out->family == 0 || !srv_proxy_trusted(out))
		return;
	x.n = 0;
	x.text[0] = '\0';
	(void)MHD_get_connection_values(c, MHD_HEADER_KIND, xff_append, &x);
	if (x.n > 0 && srv_forwarded_client(x.text, &fwd) == 0)
		*out = fwd;
}
