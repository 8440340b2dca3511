/* SPDX-License-Identifier: MIT */
/*
 * The service layer's merchant uploads and custodial signing
 * (cg_service_upload*, cg_service_custody_import, cg_service_profile_save)
 * on a real database: a CSV export with good and bad rows read into
 * findings and canonical documents, another enterprise's merchant shown
 * nothing, the key handed over once and kept encrypted, the good orders
 * signed and submitted once (receipts and audit rows), the record limit.
 * The tests run in order on one single window.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include "window_fixture.h"

static long long upload_id;

/* The upload of the sample merchant FILE, spooled as the server does; *out its answer. */
static cg_rc
upload(struct wfx *fx, const cg_principal *who, const char *file, const char *profile,
       unsigned long max_records, json_t **out)
{
	cg_upload u = { NULL, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, NULL, NULL };
	unsigned char md[EVP_MAX_MD_SIZE];
	char path[256], hex[2 * EVP_MAX_MD_SIZE + 1], *json = NULL;
	static int n;
	unsigned int mdlen = 0, i;
	size_t len;
	char *raw = wfx_read(file, &len);
	FILE *fp;
	cg_rc rc;

	snprintf(path, sizeof(path), "%s/spool-%d", fx->dir, ++n);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(raw, 1, len, fp), len);
	fclose(fp);
	assert_int_equal(EVP_Digest(raw, len, md, &mdlen, EVP_sha256(), NULL), 1);
	for (i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	u.path = path;
	u.name = strrchr(file, '/') + 1;
	u.sha256 = hex;
	u.size = len;
	u.type = 311; /* not defaulted by the library (upload.h says 311 by default) */
	u.profile = profile;
	u.max_records = max_records;
	rc = cg_service_upload(fx->svc, fx->ctx, who, &u, &json);
	*out = json != NULL ? wfx_json(json) : NULL;
	free(raw);
	return rc;
}

static long long
num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* Four good orders, seven findings at their CSV lines; the merchant's enterprise everywhere. */
static void
test_upload_findings(void **state)
{
	struct wfx *fx = *state;
	json_t *u = NULL, *f;
	size_t i;
	int line3 = 0;

	assert_int_equal(upload(fx, &fx->mia, "samples/merchant/orders-bad.csv", NULL, 0, &u), CG_OK);
	/* 10 orders and the ragged row of an eleventh (line 9): a record too, rejected. */
	assert_int_equal(num(u, "records"), 11);
	assert_int_equal(num(u, "valid"), 4);
	assert_int_equal(num(u, "invalid"), 7);
	assert_string_equal(json_string_value(json_object_get(u, "outcome")), "partial");
	json_array_foreach(json_object_get(u, "findings"), i, f) {
		if (num(f, "line") == 3 &&
		    strcmp(json_string_value(json_object_get(f, "code")), "CG2001") == 0)
			line3 = 1;
	}
	assert_true(line3);
	upload_id = num(u, "id");
	json_decref(u);
	assert_true(upload_id > 0);
}

/* Another enterprise's merchant finds nothing; an officer cannot upload; a bad profile is named. */
static void
test_upload_who(void **state)
{
	struct wfx *fx = *state;
	char *json = NULL, *xml = NULL;
	size_t len = 0;
	json_t *u = NULL;

	assert_int_equal(cg_service_upload_get(fx->svc, fx->ctx, &fx->max, upload_id, &json),
			 CG_ENOTFOUND);
	assert_int_equal(cg_service_upload_document(fx->svc, fx->ctx, &fx->max, upload_id, 1, &xml,
						    &len), CG_ENOTFOUND);
	assert_int_equal(upload(fx, &fx->olga, "samples/merchant/orders-bad.csv", NULL, 0, &u),
			 CG_EPERM);
	assert_int_equal(upload(fx, &fx->mia, "samples/merchant/orders-en.csv", "nosuch", 0, &u),
			 CG_EINVAL);
	assert_int_equal(cg_service_upload_document(fx->svc, fx->ctx, &fx->mia, upload_id, 1, &xml,
						    &len), CG_OK);
	assert_non_null(strstr(xml, "<ceb:ebpCode>4403960XA1</ceb:ebpCode>"));
	cg_free(xml);
	xml = NULL;
	assert_int_equal(cg_service_upload_document(fx->svc, fx->ctx, &fx->mia, upload_id, 99, &xml,
						    &len), CG_ENOTFOUND);
}

/* The findings as CSV: a header row, one row per finding, no cell a spreadsheet would run. */
static void
test_findings_csv(void **state)
{
	struct wfx *fx = *state;
	char *csv = NULL, *p;
	size_t len = 0;
	int rows = 0;

	assert_int_equal(cg_service_upload_findings_csv(fx->svc, fx->ctx, &fx->mia, upload_id, &csv,
							&len), CG_OK);
	assert_memory_equal(csv, "\xEF\xBB\xBF", 3);
	assert_true(strncmp(csv + 3, "line,", 5) == 0 || strncmp(csv + 3, "\"line\",", 7) == 0);
	for (p = csv; (p = strchr(p, '\n')) != NULL; p++) {
		rows++;
		assert_true(p[1] != '=' && p[1] != '+' && p[1] != '-' && p[1] != '@');
		assert_null(strstr(p, ",="));
	}
	assert_true(rows >= 7); /* the header and at least one row per bad record */
	cg_free(csv);
}

/* The hand-over body of a certificate and a key. */
static char *
custody_body(struct wfx *fx, const char *crt_file, const char *key_file)
{
	char *crt = wfx_file(fx, crt_file), *key = wfx_file(fx, key_file), *text;
	json_t *body = json_pack("{s:s, s:s}", "certificate", crt, "key", key);

	text = json_dumps(body, 0);
	assert_non_null(text);
	json_decref(body);
	free(crt);
	free(key);
	return text;
}

static cg_rc
hand_over(struct wfx *fx, const cg_principal *who, const char *body, json_t **out)
{
	char *json = NULL;
	cg_rc rc = cg_service_custody_import(fx->svc, fx->ctx, who, "4403960XA1", body, strlen(body),
					     &json);

	*out = json != NULL ? wfx_json(json) : NULL;
	return rc;
}

/* No custodial key: nothing can go; the key is handed over by its enterprise only. */
static void
test_custody(void **state)
{
	struct wfx *fx = *state;
	char *good = custody_body(fx, "A1.crt", "A1.key"), *bad = custody_body(fx, "C3.crt", "A1.key");
	char *json = NULL, dir[128], cmd[512];
	json_t *a = NULL;

	assert_int_equal(cg_service_upload_submit(fx->svc, fx->ctx, &fx->mia, upload_id, &json),
			 CG_ECONFLICT);
	assert_int_equal(hand_over(fx, &fx->mia, good, &a), CG_EUNAVAIL);
	snprintf(dir, sizeof(dir), "%s/custody", fx->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(cg_service_set_custody(fx->svc, fx->ctx, dir, "custody passphrase 1"), CG_OK);
	assert_int_equal(hand_over(fx, &fx->max, good, &a), CG_EPERM);
	assert_int_equal(hand_over(fx, &fx->olga, good, &a), CG_EPERM);
	assert_int_equal(hand_over(fx, &fx->mia, bad, &a), CG_EINVAL);
	assert_int_equal(hand_over(fx, &fx->mia, good, &a), CG_OK);
	assert_string_equal(json_string_value(json_object_get(a, "profile")), "sm2-sm3");
	assert_null(json_object_get(a, "key"));
	json_decref(a);
	/* Kept encrypted under the passphrase, the only key file there. */
	snprintf(cmd, sizeof(cmd), "test \"$(grep -l 'ENCRYPTED PRIVATE KEY' '%s'/*.key | wc -l)\" = 1",
		 dir);
	assert_int_equal(system(cmd), 0);
	free(good);
	free(bad);
}

/* The good orders are signed and submitted once, each signature audited, each receipt there. */
static void
test_submit_once(void **state)
{
	struct wfx *fx = *state;
	char *json = NULL;
	char st[128];
	json_t *a;

	assert_int_equal(cg_service_upload_submit(fx->svc, fx->ctx, &fx->max, upload_id, &json),
			 CG_ENOTFOUND);
	assert_int_equal(cg_service_upload_submit(fx->svc, fx->ctx, &fx->mia, upload_id, &json), CG_OK);
	a = wfx_json(json);
	assert_int_equal(num(a, "submitted"), 4);
	assert_int_equal(num(a, "accepted"), 4);
	json_decref(a);
	json = NULL;
	wfx_statuses(fx, &fx->a1, "CEB312Message", st, sizeof(st));
	assert_string_equal(st, "120 120 120 120");
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM audit WHERE action = "
					 "'custodial signature' AND actor = 'mia'"), 4);
	assert_int_equal(cg_service_upload_submit(fx->svc, fx->ctx, &fx->mia, upload_id, &json), CG_OK);
	a = wfx_json(json);
	assert_int_equal(num(a, "submitted"), 0);
	json_decref(a);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM message"), 4);
	wfx_statuses(fx, &fx->a1, "CEB312Message", st, sizeof(st));
	assert_string_equal(st, "120 120 120 120");
}

/* Past the record limit the upload stops: kept as failed, with a CG0003 finding. */
static void
test_record_limit(void **state)
{
	struct wfx *fx = *state;
	json_t *u = NULL, *f;
	char *json = NULL;

	assert_int_equal(upload(fx, &fx->mia, "samples/merchant/orders-bad.csv", NULL, 3, &u),
			 CG_EINCOMPLETE);
	assert_non_null(u);
	assert_string_equal(json_string_value(json_object_get(u, "state")), "failed");
	f = json_object_get(u, "findings");
	assert_string_equal(json_string_value(json_object_get(json_array_get(f, json_array_size(f) - 1),
							      "code")), "CG0003");
	assert_int_equal(cg_service_upload_submit(fx->svc, fx->ctx, &fx->mia, num(u, "id"), &json),
			 CG_ECONFLICT);
	json_decref(u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upload_findings),
		cmocka_unit_test(test_upload_who),
		cmocka_unit_test(test_findings_csv),
		cmocka_unit_test(test_custody),
		cmocka_unit_test(test_submit_once),
		cmocka_unit_test(test_record_limit),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (cg_global_init() != CG_OK)
		return 1;
	return cmocka_run_group_tests_name("upload", tests, wfx_setup, wfx_teardown) != 0;
}
