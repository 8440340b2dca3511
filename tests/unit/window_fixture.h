/* SPDX-License-Identifier: MIT */
/*
 * A single window for the service-layer unit tests: a database in a
 * temporary directory with the enterprises of ceb-spec §13 (A1 platform and
 * e-commerce, C3 payment, D4 logistics and declarant, each with an SM2 key
 * and its registered certificate), B2 (another e-commerce enterprise), and
 * the users olga and oscar (officers), ada (admin), mia (merchant of A1), max
 * (merchant of B2) and leo (logistics, of D4), each as a principal.
 */
#ifndef CG_TEST_WINDOW_FIXTURE_H
#define CG_TEST_WINDOW_FIXTURE_H

#include <jansson.h>
#include "cebgate/window.h"

struct wfx {
	char dir[64];
	char db[128];
	cg_ctx *ctx;
	cg_service *svc;
	cg_principal a1, c3, d4, b2;  /* enterprises, through their API tokens */
	cg_principal olga, oscar, ada, mia, max, leo;
};

/* cmocka group setup and teardown; *state is a struct wfx. */
int wfx_setup(void **state);
int wfx_teardown(void **state);
/* Apply options (the defaults of CG_SERVICE_OPTIONS_INIT changed by the caller). */
void wfx_configure(struct wfx *fx, const cg_service_options *o);

/* FILE of the source tree (e.g. "samples/xml/unsigned/CEB311-order.xml"); free with free(). */
char *wfx_read(const char *file, size_t *len);
/* The file NAME of the fixture's directory (e.g. "A1.key", "A1.crt"); free with free(). */
char *wfx_file(struct wfx *fx, const char *name);
/* XML signed with enterprise K's key ("A1", "C3", "D4", "B2"); free with cg_free(). */
char *wfx_sign(struct wfx *fx, const char *k, const char *xml);
/* XML with every occurrence of FROM replaced by TO; free with free(). */
char *wfx_replace(const char *xml, const char *from, const char *to);
/* The sample FILE, changed (FROM, TO pairs, NULL-terminated) and signed by K. */
char *wfx_signed_sample(struct wfx *fx, const char *k, const char *file, ...);

/* Submit XML as WHO; the answer parsed in *out (json_decref() it; NULL when none). */
cg_rc wfx_submit(struct wfx *fx, const cg_principal *who, const char *xml, json_t **out);
/* The returnStatus of WHO's receipts of TYPE ("CEB622Message"), space-separated. */
void wfx_statuses(struct wfx *fx, const cg_principal *who, const char *type, char *out,
		  size_t size);
/* A JSON answer parsed; fails the test when it is not JSON. The text is freed. */
json_t *wfx_json(char *text);
/* Run one SQL statement on the database (state the service cannot be told to make). */
void wfx_sql(struct wfx *fx, const char *sql);
/* The same for SQL that may change no row (a schema of the test's own). */
void wfx_sql_ddl(struct wfx *fx, const char *sql);
/* The first column of the first row of a query, as an integer. */
long long wfx_sql_int(struct wfx *fx, const char *sql);
/* Another connection takes the database's write lock (BEGIN IMMEDIATE) and holds it until wfx_unlock(). */
void *wfx_lock(struct wfx *fx);
void wfx_unlock(void *lock);

#endif
