/* SPDX-License-Identifier: MIT */
/*
 * cebgated and the code tables: the set it holds (the one every pool thread's
 * validator shares), reloaded on SIGHUP or POST /api/v1/admin/codes/reload,
 * and reported in /metrics and to the desk.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cebgate/codes.h"
#include "cebgate/service.h"
#include "log.h"
#include "server.h"

volatile sig_atomic_t srv_codes_reload_requested;

static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static cg_codes *held; /* keeps the newest set shared while validators take it up */
static atomic_ulong reloads, reload_failures;

int
srv_codes_open(void)
{
	cg_ctx *ctx = NULL;
	int rc = -1;

	if (cg_ctx_new(&ctx) != CG_OK)
		return -1;
	if (cg_codes_open(&held, ctx, NULL) == CG_OK)
		rc = 0;
	else
		fprintf(stderr, "cebgated: cannot load the code tables: %s\n", cg_ctx_errmsg(ctx));
	cg_ctx_free(ctx);
	return rc;
}

void
srv_codes_close(void)
{
	pthread_mutex_lock(&held_lock);
	cg_codes_close(held);
	held = NULL;
	pthread_mutex_unlock(&held_lock);
}

cg_rc
srv_codes_reload(cg_service *svc, cg_ctx *ctx, const cg_principal *who, char **json)
{
	cg_rc rc;

	pthread_mutex_lock(&held_lock);
	rc = cg_service_codes_reload(svc, ctx, who, &held, json);
	/* Counted under the lock: /metrics never shows the new tables with the old count. */
	if (rc == CG_OK)
		atomic_fetch_add(&reloads, 1);
	else if (rc == CG_EINCOMPLETE)
		atomic_fetch_add(&reload_failures, 1);
	pthread_mutex_unlock(&held_lock);
	if (rc == CG_OK)
		srv_log(SRV_INFO, "code tables reloaded", "by", who != NULL ? who->name : "SIGHUP", NULL);
	else if (rc == CG_EINCOMPLETE)
		srv_log(SRV_ERROR, "code tables not reloaded, old tables kept", NULL);
	else if (rc != CG_EPERM)
		srv_log(SRV_ERROR, "code table reload failed", "reason", cg_ctx_errmsg(ctx), NULL);
	return rc;
}

cg_rc
srv_codes_json(char **json)
{
	cg_rc rc = CG_ENOTFOUND;

	*json = NULL;
	pthread_mutex_lock(&held_lock);
	if (held != NULL)
		rc = cg_service_codes_json(held, json);
	pthread_mutex_unlock(&held_lock);
	return rc;
}

static size_t
put(char *buf, size_t size, size_t n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static size_t
put(char *buf, size_t size, size_t n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (n >= size)
		return n;
	va_start(ap, fmt);
	w = vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	return w > 0 ? n + (size_t)w : n;
}

size_t
srv_codes_metrics(char *buf, size_t size, size_t n)
{
	size_t i;

	n = put(buf, size, n,
		"# HELP cebgate_code_table_info Each code-table edition loaded (always 1).\n"
		"# TYPE cebgate_code_table_info gauge\n");
	pthread_mutex_lock(&held_lock);
	for (i = 0; held != NULL && i < cg_codes_edition_count(held); i++) {
		const struct cg_edition *e = cg_codes_edition(held, i);

		n = put(buf, size, n,
			"cebgate_code_table_info{table=\"%s\",edition=\"%s\",effective=\"%s\","
			"complete=\"%d\",in_force=\"%d\"} 1\n",
			e->table, e->edition, e->effective, e->complete ? 1 : 0,
			cg_codes_in_force(held, e->table, NULL) == e ? 1 : 0);
	}
	n = put(buf, size, n, "# HELP cebgate_code_table_rows Rows of each code-table edition.\n"
		"# TYPE cebgate_code_table_rows gauge\n");
	for (i = 0; held != NULL && i < cg_codes_edition_count(held); i++) {
		const struct cg_edition *e = cg_codes_edition(held, i);

		n = put(buf, size, n, "cebgate_code_table_rows{table=\"%s\",edition=\"%s\"} %zu\n",
			e->table, e->edition, e->rows);
	}
	pthread_mutex_unlock(&held_lock);
	return put(buf, size, n,
		   "# HELP cebgate_code_reloads_total Reloads of the code tables that took effect.\n"
		   "# TYPE cebgate_code_reloads_total counter\ncebgate_code_reloads_total %lu\n"
		   "# HELP cebgate_code_reload_failures_total Reloads refused, the old tables kept.\n"
		   "# TYPE cebgate_code_reload_failures_total counter\n"
		   "cebgate_code_reload_failures_total %lu\n",
		   atomic_load(&reloads), atomic_load(&reload_failures));
}
