/* SPDX-License-Identifier: MIT */
/* Timestamps as text: ISO 8601 with the local offset, the form of the API, the pages and the logs. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
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
