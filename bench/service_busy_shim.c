/* SPDX-License-Identifier: MIT */
/*
 * A benchmark-only experiment, not a fix: LD_PRELOAD this into cebgated to
 * replace SQLite's default busy handler (installed by sqlite3_busy_timeout),
 * which sleeps 1, 2, 5, 10, 15, 20, 25 ... ms between attempts to take the
 * write lock, with one that retries every 20 us up to the same timeout. It
 * shows how much throughput and tail latency the sleeping handler costs when
 * several pool threads write at once (bench/service_ingest.sh, "busy-shim" runs).
 *
 *   cc -shared -fPIC -O2 -o service_busy_shim.so bench/service_busy_shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sqlite3.h>
#include <stdint.h>
#include <time.h>

static int
spin_handler(void *arg, int count)
{
	struct timespec ts = { 0, 20 * 1000 };

	/* arg holds the timeout in ms: give up after as long as SQLite's handler would. */
	if ((intptr_t)count * 20 >= (intptr_t)arg * 1000)
		return 0;
	nanosleep(&ts, NULL);
	return 1;
}

int
sqlite3_busy_timeout(sqlite3 *db, int ms)
{
	if (ms <= 0)
		return sqlite3_busy_handler(db, NULL, NULL);
	return sqlite3_busy_handler(db, spin_handler, (void *)(intptr_t)ms);
}
