/* SPDX-License-Identifier: MIT */
/* The single window of the service-layer unit tests (window_fixture.h). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "test_files.h"
#include <sqlite3.h>
#include "cebgate/sig.h"
#include "window_fixture.h"

static const struct {
	const char *k, *code, *roles, *dxp;
	unsigned long long serial;
} enterprises[] = {
	{ "A1", "4403960XA1", "ebp,ebc", "DXPENT0000999901", 0x30000000A1ULL },
	{ "C3", "4403960XC3", "pay", "DXPENT0000999903", 0x30000000C3ULL },
	{ "D4", "4403980XD4", "logistics,agent", "DXPENT0000999904", 0x30000000D4ULL },
	{ "B2", "4403960XB2", "ebc", "DXPENT0000999902", 0x30000000B2ULL },
};

static const struct {
	const char *name, *role, *code;
} users[] = {
	{ "olga", "officer", NULL }, { "oscar", "officer", NULL }, { "ada", "admin", NULL },
	{ "mia", "merchant", "4403960XA1" }, { "max", "merchant", "4403960XB2" },
	{ "leo", "logistics", "4403980XD4" },
};

static void
path_of(struct wfx *fx, const char *k, const char *ext, char *out, size_t size)
{
	assert_true(snprintf(out, size, "%s/%s.%s", fx->dir, k, ext) < (int)size);
}

/* The principal a fresh token of an enterprise (CODE) or a user (NAME) stands for. */
static void
principal(struct wfx *fx, cg_registry *reg, const char *code, const char *name, cg_principal *out)
{
	char *token = NULL;

	assert_int_equal(cg_registry_new_token(reg, fx->ctx, code, name, &token), CG_OK);
	assert_int_equal(cg_service_auth(fx->svc, fx->ctx, token, out), CG_OK);
	cg_free(token);
}

static void
registry(struct wfx *fx)
{
	cg_registry *reg = NULL;
	char key[160], crt[160];
	size_t i;

	assert_int_equal(cg_registry_open(&reg, fx->ctx, fx->db), CG_OK);
	for (i = 0; i < sizeof(enterprises) / sizeof(enterprises[0]); i++) {
		path_of(fx, enterprises[i].k, "key", key, sizeof(key));
		path_of(fx, enterprises[i].k, "crt", crt, sizeof(crt));
		assert_int_equal(cg_registry_add_enterprise(reg, fx->ctx, enterprises[i].code,
							    enterprises[i].k, enterprises[i].roles,
							    enterprises[i].dxp), CG_OK);
		assert_int_equal(cg_make_demo_identity(fx->ctx, 1, enterprises[i].k,
						       enterprises[i].serial, 2, key, crt), CG_OK);
		assert_int_equal(cg_registry_add_certificate(reg, fx->ctx, enterprises[i].code, crt),
				 CG_OK);
	}
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		assert_int_equal(cg_registry_add_user(reg, fx->ctx, users[i].name, users[i].role,
						      users[i].code, "password123"), CG_OK);
	assert_int_equal(cg_service_new(&fx->svc, fx->ctx, fx->db, NULL), CG_OK);
	principal(fx, reg, "4403960XA1", NULL, &fx->a1);
	principal(fx, reg, "4403960XC3", NULL, &fx->c3);
	principal(fx, reg, "4403980XD4", NULL, &fx->d4);
	principal(fx, reg, "4403960XB2", NULL, &fx->b2);
	principal(fx, reg, NULL, "olga", &fx->olga);
	principal(fx, reg, NULL, "oscar", &fx->oscar);
	principal(fx, reg, NULL, "ada", &fx->ada);
	principal(fx, reg, NULL, "mia", &fx->mia);
	principal(fx, reg, NULL, "max", &fx->max);
	principal(fx, reg, NULL, "leo", &fx->leo);
	cg_registry_close(reg);
}

int
wfx_setup(void **state)
{
	struct wfx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/cg-window-XXXXXX");
	if (mkdtemp(fx->dir) == NULL || cg_ctx_new(&fx->ctx) != CG_OK)
		return -1;
	snprintf(fx->db, sizeof(fx->db), "%s/w.db", fx->dir);
	registry(fx);
	*state = fx;
	return 0;
}

int
wfx_teardown(void **state)
{
	struct wfx *fx = *state;
	cg_service_free(fx->svc);
	cg_ctx_free(fx->ctx);
	if (test_remove_dir(fx->dir) != 0)
		return -1;
	free(fx);
	return 0;
}

void
wfx_configure(struct wfx *fx, const cg_service_options *o)
{
	assert_int_equal(cg_service_configure(fx->svc, fx->ctx, o), CG_OK);
}

static char *
read_path(const char *path, size_t *len)
{
	FILE *fp;
	char *buf;
	long n;

	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

char *
wfx_read(const char *file, size_t *len)
{
	char path[1024];

	assert_true(snprintf(path, sizeof(path), "%s/%s", CG_ABS_SRCDIR, file) < (int)sizeof(path));
	return read_path(path, len);
}

char *
wfx_file(struct wfx *fx, const char *name)
{
	char path[256];

	assert_true(snprintf(path, sizeof(path), "%s/%s", fx->dir, name) < (int)sizeof(path));
	return read_path(path, NULL);
}

char *
wfx_sign(struct wfx *fx, const char *k, const char *xml)
{
	cg_sign_options o = CG_SIGN_OPTIONS_INIT;
	cg_signer *s = NULL;
	char key[160], crt[160];
	char *out = NULL;
	size_t len = 0;

	path_of(fx, k, "key", key, sizeof(key));
	path_of(fx, k, "crt", crt, sizeof(crt));
	o.key = key;
	o.cert = crt;
	assert_int_equal(cg_signer_new(&s, fx->ctx, &o), CG_OK);
	assert_int_equal(cg_sign_buffer(s, fx->ctx, xml, strlen(xml), &out, &len), CG_OK);
	cg_signer_free(s);
	return out;
}

char *
wfx_replace(const char *xml, const char *from, const char *to)
{
	size_t nf = strlen(from), nt = strlen(to), n = 0;
	const char *p;
	char *out, *w;

	for (p = strstr(xml, from); p != NULL; p = strstr(p + nf, from))
		n++;
	assert_true(n > 0); /* a change that changes nothing is a broken test */
	out = malloc(strlen(xml) + n * nt + 1);
	assert_non_null(out);
	for (w = out, p = xml; (xml = strstr(p, from)) != NULL; p = xml + nf) {
		memcpy(w, p, (size_t)(xml - p));
		w += xml - p;
		memcpy(w, to, nt);
		w += nt;
	}
	memcpy(w, p, strlen(p) + 1);
	return out;
}

char *
wfx_signed_sample(struct wfx *fx, const char *k, const char *file, ...)
{
	char *xml = wfx_read(file, NULL), *next, *signed_xml;
	const char *from, *to;
	va_list ap;

	va_start(ap, file);
	while ((from = va_arg(ap, const char *)) != NULL) {
		to = va_arg(ap, const char *);
		next = wfx_replace(xml, from, to);
		free(xml);
		xml = next;
	}
	va_end(ap);
	signed_xml = wfx_sign(fx, k, xml);
	free(xml);
	return signed_xml;
}

json_t *
wfx_json(char *text)
{
	json_t *o;

	assert_non_null(text);
	o = json_loads(text, 0, NULL);
	assert_non_null(o);
	cg_free(text);
	return o;
}

cg_rc
wfx_submit(struct wfx *fx, const cg_principal *who, const char *xml, json_t **out)
{
	char *json = NULL;
	cg_rc rc = cg_service_submit(fx->svc, fx->ctx, who, xml, strlen(xml), 0, &json);

	*out = json != NULL ? wfx_json(json) : NULL;
	return rc;
}

void
wfx_statuses(struct wfx *fx, const cg_principal *who, const char *type, char *out, size_t size)
{
	char *json = NULL;
	json_t *o, *r;
	size_t i, at = 0;
	int count = 0;

	assert_int_equal(cg_service_receipts(fx->svc, fx->ctx, who, 0, 1000, &json, &count), CG_OK);
	o = wfx_json(json);
	out[0] = '\0';
	json_array_foreach(json_object_get(o, "receipts"), i, r) {
		if (strcmp(json_string_value(json_object_get(r, "type")), type) != 0)
			continue;
		at += (size_t)snprintf(out + at, size - at, "%s%s", at > 0 ? " " : "",
				       json_string_value(json_object_get(r, "returnStatus")));
		assert_true(at < size);
	}
	json_decref(o);
}

/* @p sql on a connection of its own; with @p must_change, it must change a row. */
static void
exec_sql(struct wfx *fx, const char *sql, int must_change)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	if (must_change)
		assert_int_equal(sqlite3_changes(db) > 0, 1);
	sqlite3_close(db);
}

void
wfx_sql(struct wfx *fx, const char *sql)
{
	exec_sql(fx, sql, 1);
}

void *
wfx_lock(struct wfx *fx)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	return db;
}

void
wfx_unlock(void *lock)
{
	assert_int_equal(sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(lock);
}

void
wfx_sql_ddl(struct wfx *fx, const char *sql)
{
	exec_sql(fx, sql, 0);
}

long long
wfx_sql_int(struct wfx *fx, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v;

	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}
