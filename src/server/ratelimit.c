/* SPDX-License-Identifier: MIT */
/* Counts per key over the last minute (failed logins per account and address, uploads per account). */
#include "config.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include "daemon.h"

unsigned long
srv_limit_key(const char *kind, const char *v)
{
	unsigned long h = 5381;

	for (; *kind != '\0'; kind++)
		h = h * 33 + (unsigned char)*kind;
	for (; v != NULL && *v != '\0'; v++)
		h = h * 33 + (unsigned char)*v;
	return h | 1;
}

int
srv_window_hit(struct srv_limit_slot *slot, unsigned long key, long long now_ms, int add, int max)
{
	int i, recent = 0;

	if (max > SRV_LIMIT_EVENTS)
		max = SRV_LIMIT_EVENTS;
	/* Another key in this slot: its events are not ours (it is forgotten). */
	if (slot->key != key) {
		memset(slot, 0, sizeof(*slot));
		slot->key = key;
	}
	for (; add > 0; add--) {
		slot->at[slot->next] = now_ms;
		slot->next = (slot->next + 1) % SRV_LIMIT_EVENTS;
	}
	for (i = 0; i < SRV_LIMIT_EVENTS; i++)
		recent += slot->at[i] != 0 && now_ms - slot->at[i] < SRV_LIMIT_WINDOW_MS;
	return recent >= max;
}

int
srv_minute_limit(struct srv *s, unsigned long key, int add, int max)
{
	struct timespec ts;
	long long now;
	int blocked;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	/* +1: a time of 0 marks an empty entry. */
	now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + 1;
	pthread_mutex_lock(&s->limit_lock);
	blocked = srv_window_hit(&s->limits[key % SRV_LIMIT_SLOTS], key, now, add, max);
	pthread_mutex_unlock(&s->limit_lock);
	return blocked;
}

const char *
srv_client_ip(struct MHD_Connection *c, char *buf, size_t size)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	buf[0] = '\0';
	if (ci != NULL && ci->client_addr != NULL && ci->client_addr->sa_family == AF_INET)
		(void)inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, buf,
				(socklen_t)size);
	return buf;
}
