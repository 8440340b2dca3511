/* SPDX-License-Identifier: MIT */
/* Timestamps as text: ISO 8601 with the local offset, the form of the API, the pages and the logs. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "util/internal.h"

const char *
cg_time_iso8601(long long t, char *buf)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char zone[8];
	size_t n;

	buf[0] = '\0';
	if ((long long)tt != t || localtime_r(&tt, &tm) == NULL)
		return buf;
	n = strftime(buf, CG_TIME_ISO_SIZE, "%Y-%m-%dT%H:%M:%S", &tm);
	/* strftime's %z is "+0800": ISO 8601's extended form wants "+08:00". */
	if (n == 0 || strftime(zone, sizeof(zone), "%z", &tm) != 5) {
		buf[0] = '\0';
		return buf;
	}
	(void)snprintf(buf + n, CG_TIME_ISO_SIZE - n, "%.3s:%.2s", zone, zone + 3);
	return buf;
}

/* Members that hold a moment (Unix seconds in the database), by their JSON name in every answer. */
static const char *const moment_keys[] = { "created", "registered", "notAfter", "at", "leaseUntil",
					   "decidedAt", "now", "hour", "generated", "updated", "expires",
					   "revoked", "lastUsed" };

static int
is_moment_key(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(moment_keys) / sizeof(moment_keys[0]); i++) {
		if (strcmp(key, moment_keys[i]) == 0)
			return 1;
	}
	return 0;
}

void
cg__json_times(json_t *v)
{
	char when[CG_TIME_ISO_SIZE];
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			cg__json_times(m);
		return;
	}
	json_object_foreach(v, key, m) {
		if (json_is_integer(m) && is_moment_key(key)) {
			if (cg_time_iso8601((long long)json_integer_value(m), when)[0] != '\0')
				(void)json_object_set_new(v, key, json_string(when));
		} else {
			cg__json_times(m);
		}
	}
}
