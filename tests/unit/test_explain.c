/* SPDX-License-Identifier: MIT */
/* The code catalogue: every code the service issues is explained, unknown ones say what they are. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "cebgate/explain.h"
#include "cebgate/outbox.h"

static void
test_service_codes_known(void **state)
{
	/* The returnStatus values cebgated writes into its receipts (service.c, clearance.c, review.c). */
	static const char *const codes[] = {
		"2", "100", "120", "300", "399", "500", "501", "800", "-1", "-301008", "-301009",
		"-301010", "-401006", "-401007", "-401009", "-504011", "-504014", "-504015", "-505002",
		"-505003", "-505005", "-621001", "-621004", "-621005", "-621011", "-621018", "-621029",
		"-623001", "-623002", "-623009", "-623029", "-625001", "-625005", "-625022", "-625209",
		"-800001", "-800003",
	};
	cg_explanation e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_int_equal(cg_explain(codes[i], &e), CG_OK);
		assert_true(strlen(e.zh) > 0 && strlen(e.en) > 0);
		assert_true(strlen(e.todo_zh) > 0 && strlen(e.todo_en) > 0);
	}
}

static void
test_kinds(void **state)
{
	cg_explanation e;
	int final;

	(void)state;
	assert_int_equal(cg_explain("DXP1001", &e), CG_OK);
	assert_string_equal(e.kind, "transport error");
	assert_int_equal(cg_explain("1001", &e), CG_OK);
	assert_string_equal(e.code, "1001");
	assert_int_equal(cg_explain("CG1004", &e), CG_OK);
	assert_string_equal(e.kind, "finding");
	assert_int_equal(cg_explain("800", &e), CG_OK);
	assert_int_equal(e.final, 1);
	assert_int_equal(cg_explain("300", &e), CG_OK);
	assert_int_equal(e.final, 0);
	/* Unknown codes still say what kind of code they are, as the state machine treats them. */
	assert_int_equal(cg_explain("23", &e), CG_ENOTFOUND);
	assert_string_equal(e.kind, "returnStatus");
	assert_int_equal(e.final, 0);
	(void)cg_receipt_rank(621, "23", &final);
	assert_int_equal(final, e.final);
	assert_int_equal(cg_explain("-777777", &e), CG_ENOTFOUND);
	assert_int_equal(e.final, 1);
	/* A receipt refused by sign: the advice is not to sign it, not to correct a field. */
	assert_int_equal(cg_explain("CG0201", &e), CG_OK);
	assert_string_equal(e.kind, "finding");
	assert_non_null(strstr(e.en, "does not sign this message type"));
	assert_non_null(strstr(e.todo_en, "do not sign or submit a receipt"));
	assert_int_equal(cg_explain("CG3010", &e), CG_OK);
	assert_non_null(strstr(e.todo_en, "when it is missing"));
	assert_int_equal(cg_explain("CG9999", &e), CG_ENOTFOUND);
	assert_int_equal(cg_explain("hello", &e), CG_ENOTFOUND);
	assert_string_equal(e.kind, "unknown");
}

/* The catalogue and the receipt state machine agree on what ends an inventory. */
static void
test_final_agrees_with_state_machine(void **state)
{
	static const char *const codes[] = { "100", "300", "500", "501", "700", "800", "899", "-621018" };
	cg_explanation e;
	size_t i;
	int final;

	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_int_equal(cg_explain(codes[i], &e), CG_OK);
		(void)cg_receipt_rank(621, codes[i], &final);
		assert_int_equal(final, e.final);
	}
}

/*
 * An export declaration's receipt (ceb-export-spec.md §4): its own meaning of a code, and the
 * same finality as the declarant's state machine gives the declaration it answers.
 */
static void
test_export_receipts(void **state)
{
	static const struct {
		int kind;
		const char *code;
	} pairs[] = {
		{ 603, "120" }, { 603, "300" }, { 603, "399" }, { 603, "500" }, { 603, "800" },
		{ 603, "899" }, { 303, "120" }, { 303, "399" }, { 403, "120" }, { 505, "399" },
		{ 507, "399" }, { 509, "399" }, { 605, "399" }, { 213, "120" }, { 213, "300" },
		{ 213, "800" }, { 215, "399" }, { 701, "399" }, { 603, "100" }, { 603, "-621018" },
		{ 213, "500" }, { 213, "505" }, { 213, "600" }, { 607, "120" }, { 607, "399" },
		{ 607, "800" },
	};
	cg_explanation e, imp;
	char receipt[32];
	size_t i;
	int final;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		(void)snprintf(receipt, sizeof(receipt), "CEB%03dMessage", pairs[i].kind + 1);
		assert_int_equal(cg_explain_receipt(receipt, pairs[i].code, &e), CG_OK);
		(void)cg_receipt_rank(pairs[i].kind, pairs[i].code, &final);
		if (final != e.final)
			fail_msg("%s %s: final %d, the state machine says %d", receipt, pairs[i].code,
				 e.final, final);
	}
	/* Concluded is not the end of an export inventory: it must arrive and leave. */
	assert_int_equal(cg_explain_receipt("604", "399", &e), CG_OK);
	assert_int_equal(e.final, 0);
	assert_non_null(strstr(e.en, "invtNo"));
	assert_non_null(strstr(e.todo_en, "CEB507"));
	assert_int_equal(cg_explain_receipt("CEB702Message", "399", &e), CG_OK);
	assert_non_null(strstr(e.en, "CEB792"));
	/* Import receipts, no receipt or a malformed one: the shared catalogue. */
	assert_int_equal(cg_explain("399", &imp), CG_OK);
	assert_int_equal(cg_explain_receipt("CEB622Message", "399", &e), CG_OK);
	assert_string_equal(e.en, imp.en);
	assert_int_equal(cg_explain_receipt(NULL, "399", &e), CG_OK);
	assert_string_equal(e.en, imp.en);
	assert_int_equal(cg_explain_receipt("CEB604Msg", "399", &e), CG_OK);
	assert_string_equal(e.en, imp.en);
	assert_int_equal(cg_explain_receipt("6044", "399", &e), CG_OK);
	assert_string_equal(e.en, imp.en);
	/* Findings and unknown codes are looked up as before. */
	assert_int_equal(cg_explain_receipt("604", "CG1304", &e), CG_OK);
	assert_string_equal(e.kind, "finding");
	assert_int_equal(cg_explain_receipt("604", "23", &e), CG_ENOTFOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_service_codes_known),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_final_agrees_with_state_machine),
		cmocka_unit_test(test_export_receipts),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
