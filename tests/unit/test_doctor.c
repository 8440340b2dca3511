/* SPDX-License-Identifier: MIT */
/* The identity formats cebgate doctor checks, and the webhook signature (a known HMAC). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "cebgate/doctor.h"
#include "cebgate/webhook.h"

/* Customs codes of 10 capitals or digits; credit codes of 18 with their GB 32100 check character. */
static void
test_cop_code(void **state)
{
	(void)state;
	assert_true(cg_cop_code_valid("4403960XA1"));
	assert_true(cg_cop_code_valid("91350100M000100Y43"));
	assert_false(cg_cop_code_valid("91350100M000100Y44")); /* wrong check character */
	assert_false(cg_cop_code_valid("91350100M000100I43")); /* I is not in the alphabet */
	assert_false(cg_cop_code_valid("4403960xa1"));
	assert_false(cg_cop_code_valid("4403-96"));
	assert_false(cg_cop_code_valid(""));
	assert_false(cg_cop_code_valid(NULL));
}

static void
test_dxp_id(void **state)
{
	(void)state;
	assert_true(cg_dxp_id_valid("DXPENT0000999901"));
	assert_false(cg_dxp_id_valid("DXPENT000099990"));   /* 15 */
	assert_false(cg_dxp_id_valid("ENT0000999901XYZ"));  /* not DXP */
	assert_false(cg_dxp_id_valid("DXPent0000999901"));
	assert_false(cg_dxp_id_valid(NULL));
}

/* HMAC-SHA256 of "TIMESTAMP.BODY" under the whole secret (Python's hmac gives the same). */
static void
test_signature(void **state)
{
	char sig[72];

	(void)state;
	assert_int_equal(cg_webhook_signature("whsec_test", 1765050000, "{\"a\":1}", 7, sig), CG_OK);
	assert_string_equal(sig, "v1=fda3c6a7923364167d99dd3ea3f30ca34baf98ad871940b676e6b6e2c02a9da2");
	assert_int_equal(cg_webhook_signature("whsec_test", 1765050001, "{\"a\":1}", 7, sig), CG_OK);
	assert_string_not_equal(sig, "v1=fda3c6a7923364167d99dd3ea3f30ca34baf98ad871940b676e6b6e2c02a9da2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cop_code),
		cmocka_unit_test(test_dxp_id),
		cmocka_unit_test(test_signature),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
