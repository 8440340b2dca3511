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

int
srv_codes_reload(cg_service *svc, const cg_principal *who, char **json, int *http)
{
	cg_ctx *ctx = NULL;
	cg_rc rc;

	*json = NULL;
	*http = 500;
	if (cg_ctx_new(&ctx) != CG_OK)
		return -1;
	pthread_mutex_lock(&held_lock);
	rc = cg_service_codes_reload(svc, ctx, who, &held, json, http);
	/* Counted under the lock: /metrics never shows the new tables with the old count. */
	if (rc == CG_OK && *http == 200)
		atomic_fetch_add(&reloads, 1);
	else if (rc == CG_OK && *http == 422)
		atomic_fetch_add(&reload_failures, 1);
	pthread_mutex_unlock(&held_lock);
	if (rc == CG_OK && *http == 200) {
		fprintf(stderr, "level=info msg=\"code tables reloaded\" by=%s\n",
			who != NULL ? who->name : "SIGHUP");
	} else if (rc == CG_OK && *http == 422) {
		fprintf(stderr, "level=error msg=\"code tables not reloaded, old tables kept\"\n");
	} else if (rc != CG_OK) {
		fprintf(stderr, "level=error msg=\"code table reload: %s\"\n", cg_ctx_errmsg(ctx));
	}
	cg_ctx_free(ctx);
	return rc == CG_OK ? 0 : -1;
}

char *
srv_codes_json(void)
{
	char *json = NULL;

	pthread_mutex_lock(&held_lock);
	if (held != NULL && cg_service_codes_json(held, &json) != CG_OK)
		json = NULL;
	pthread_mutex_unlock(&held_lock);
	return json;
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
	n = put(buf, size, n, "# TYPE cebgate_code_table_rows gauge\n");
	for (i = 0; held != NULL && i < cg_codes_edition_count(held); i++) {
		const struct cg_edition *e = cg_codes_edition(held, i);

		n = put(buf, size, n, "cebgate_code_table_rows{table=\"%s\",edition=\"%s\"} %zu\n",
			e->table, e->edition, e->rows);
	}
	pthread_mutex_unlock(&held_lock);
	return put(buf, size, n,
		   "# TYPE cebgate_code_reloads_total counter\ncebgate_code_reloads_total %lu\n"
		   "# TYPE cebgate_code_reload_failures_total counter\n"
		   "cebgate_code_reload_failures_total %lu\n",
		   atomic_load(&reloads), atomic_load(&reload_failures));
}
