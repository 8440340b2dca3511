/* SPDX-License-Identifier: MIT */
/* Counts per key and minute (failed logins per account and address, uploads per account). */
#include "config.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <time.h>
#include "conns.h"
#include "daemon.h"
#include "peer.h"

unsigned long
srv_limit_key(const char *kind, const char *v)
{
	unsigned long h = 5381;

	for (; *kind != '\0'; kind++)
		h = h * 33 + (unsigned char)*kind;
	for (; v != NULL && *v != '\0'; v++)
		h = h * 33 + (unsigned char)*v;
	/* Never 0 (an empty slot); not `h | 1`, which gave 10.0.0.2 and 10.0.0.3 one count. */
	return h != 0 ? h : 1;
}

/* Add @p add to the key's count of this minute; whether it reached @p max. */
int
srv_minute_limit(struct srv *s, unsigned long key, int add, int max)
{
	long minute = (long)(time(NULL) / 60);
	struct srv_limit_slot *slot = &s->limits[key % SRV_LIMIT_SLOTS];
	int blocked;

	pthread_mutex_lock(&s->limit_lock);
	if (slot->key != key || slot->minute != minute) {
		slot->key = key;
		slot->minute = minute;
		slot->count = 0;
	}
	slot->count += add;
	blocked = slot->count >= max;
	pthread_mutex_unlock(&s->limit_lock);
	return blocked;
}

const char *
srv_client_ip(struct MHD_Connection *c, char *buf, size_t size)
{
	struct srv_addr a;

	srv_request_client(c, &a);
	return srv_addr_text(&a, buf, size);
}

void
srv_note_authenticated(struct srv *s, struct MHD_Connection *c)
{
	struct srv_addr a;

	srv_request_client(c, &a);
	srv_conns_authenticated(s->conns, c, &a);
}
