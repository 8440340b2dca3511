/* SPDX-License-Identifier: MIT */
/*
 * Electronic tax bills (CEB816/818) in the service layer on a real database:
 * an officer's release issues the bill, for the declarant and the guarantor;
 * a return after the period leaves the bill as it is; the sweep deducts a
 * bill from the guarantee once the return period is over and never before; the
 * statement's totals and its access. The figures per line are
 * test_validate's (tax.c); the return within the period is
 * tests/e2e/service_taxbill.sh's. The tests run in order on one single window.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "window_fixture.h"

#define V "samples/xml/unsigned/"

static char invt_no[32];

static void
submit(struct wfx *fx, const cg_principal *who, const char *k, const char *file)
{
	char *xml = wfx_signed_sample(fx, k, file, NULL);
	json_t *a = NULL;

	assert_int_equal(wfx_submit(fx, who, xml, &a), CG_OK);
	json_decref(a);
	cg_free(xml);
}

/* The bill's status, from the database. */
static long long
bill_status(struct wfx *fx)
{
	return wfx_sql_int(fx, "SELECT CAST(status AS INTEGER) FROM tax_bill");
}

/* Held by the value rule, released by an officer: the release issues the bill. */
static void
test_officer_release_issues_bill(void **state)
{
	struct wfx *fx = *state;
	cg_service_options o = CG_SERVICE_OPTIONS_INIT;
	char st[128], *json = NULL;
	long long id;
	json_t *d;

	o.value_threshold = 500;
	wfx_configure(fx, &o);
	submit(fx, &fx->a1, "A1", V "CEB311-order.xml");
	submit(fx, &fx->c3, "C3", V "CEB411-payment.xml");
	submit(fx, &fx->d4, "D4", V "CEB511-waybill.xml");
	submit(fx, &fx->d4, "D4", V "CEB621-inventory.xml");
	wfx_statuses(fx, &fx->d4, "CEB622Message", st, sizeof(st));
	assert_string_equal(st, "2 120 300");
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM tax_bill"), 0); /* held: no bill yet */
	id = wfx_sql_int(fx, "SELECT id FROM document WHERE kind = 621");
	assert_int_equal(cg_service_review_claim(fx->svc, fx->ctx, &fx->olga, id, &json), CG_OK);
	cg_free(json);
	assert_int_equal(cg_service_review_decide(fx->svc, fx->ctx, &fx->olga, id, "release", "in order", &json),
			 CG_OK);
	cg_free(json);
	wfx_statuses(fx, &fx->d4, "CEB816Message", st, sizeof(st));
	assert_string_equal(st, "1");
	/* The guarantor (assureCode 4403960XB2) is told too; the platform is not. */
	wfx_statuses(fx, &fx->b2, "CEB816Message", st, sizeof(st));
	assert_string_equal(st, "1");
	wfx_statuses(fx, &fx->a1, "CEB816Message", st, sizeof(st));
	assert_string_equal(st, "");
	assert_int_equal(cg_service_declaration(fx->svc, fx->ctx, &fx->olga, id, &json), CG_OK);
	d = wfx_json(json);
	assert_string_equal(json_string_value(json_object_get(json_object_get(d, "taxBill"), "valueAddedTax")),
			    "47.87");
	(void)snprintf(invt_no, sizeof(invt_no), "%s",
		       json_string_value(json_object_get(json_object_get(d, "taxBill"), "invtNo")));
	json_decref(d);
	assert_int_equal(bill_status(fx), 1);
}

/* A return after the period: the bill stands, the trail says why. */
static void
test_return_after_period_keeps_bill(void **state)
{
	struct wfx *fx = *state;
	char *xml = wfx_signed_sample(fx, "D4", V "CEB625-return.xml", "53492024I000123456", invt_no, NULL);
	json_t *a = NULL;
	char st[64];
	int rejected = 0;

	/* Within the period the sweep leaves the bill alone. */
	assert_int_equal(cg_service_sweep(fx->svc, fx->ctx, &rejected), CG_OK);
	assert_int_equal(bill_status(fx), 1);
	wfx_sql(fx, "UPDATE tax_bill SET released = released - 31 * 86400");
	assert_int_equal(wfx_submit(fx, &fx->d4, xml, &a), CG_OK);
	json_decref(a);
	cg_free(xml);
	assert_int_equal(bill_status(fx), 1);
	wfx_statuses(fx, &fx->d4, "CEB818Message", st, sizeof(st));
	assert_string_equal(st, "");
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM audit WHERE action = 'tax-bill'"
					 " AND detail LIKE '%return after the return period%'"),
			 1);
}

/* Once the return period is over, the sweep deducts the bill from the guarantee (818, 2). */
static void
test_sweep_deducts_after_period(void **state)
{
	struct wfx *fx = *state;
	char st[64];
	int rejected = 0;

	assert_int_equal(cg_service_sweep(fx->svc, fx->ctx, &rejected), CG_OK);
	assert_int_equal(bill_status(fx), 2);
	wfx_statuses(fx, &fx->d4, "CEB818Message", st, sizeof(st));
	assert_string_equal(st, "2");
	wfx_statuses(fx, &fx->b2, "CEB818Message", st, sizeof(st));
	assert_string_equal(st, "2");
	/* Once: a deducted bill is not deducted again. */
	assert_int_equal(cg_service_sweep(fx->svc, fx->ctx, &rejected), CG_OK);
	wfx_statuses(fx, &fx->d4, "CEB818Message", st, sizeof(st));
	assert_string_equal(st, "2");
}

/* The guarantor's statement: its bill and totals; another enterprise's is refused. */
static void
test_statement(void **state)
{
	struct wfx *fx = *state;
	char month[8], *out = NULL;
	size_t len = 0;
	json_t *j;
	long long m = wfx_sql_int(fx, "SELECT CAST(month AS INTEGER) FROM tax_bill");

	(void)snprintf(month, sizeof(month), "%lld", m);
	assert_int_equal(cg_service_tax_bills(fx->svc, fx->ctx, &fx->b2, "4403960XB2", month, 0, &out, &len),
			 CG_OK);
	j = wfx_json(out);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "totals"), "valueAddedTax")),
			    "47.87");
	json_decref(j);
	assert_int_equal(cg_service_tax_bills(fx->svc, fx->ctx, &fx->a1, "4403960XB2", month, 0, &out, &len),
			 CG_EPERM);
	assert_int_equal(cg_service_tax_bills(fx->svc, fx->ctx, &fx->b2, "4403960XB2", "202613", 0, &out, &len),
			 CG_EINVAL);
	assert_int_equal(cg_service_tax_bills(fx->svc, fx->ctx, &fx->olga, "4403960XB2", month, 1, &out, &len),
			 CG_OK);
	assert_non_null(strstr(out, "\"taxNo\",\"invtNo\",\"status\""));
	assert_non_null(strstr(out, invt_no));
	cg_free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_officer_release_issues_bill),
		cmocka_unit_test(test_return_after_period_keeps_bill),
		cmocka_unit_test(test_sweep_deducts_after_period),
		cmocka_unit_test(test_statement),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (cg_global_init() != CG_OK)
		return 1;
	return cmocka_run_group_tests_name("taxbill", tests, wfx_setup, wfx_teardown) != 0;
}
