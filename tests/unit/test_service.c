/* SPDX-License-Identifier: MIT */
/* Unit tests of src/lib/window/service.c: the receipts the single window builds. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "window/service_internal.h"

/* The receipt (CEB312) of an order head holding @p order_no; free with free(). */
static char *
receipt_of(const char *order_no)
{
	const struct cg_msgdef *def = cg__msgdef_by_type(311);
	cg_buf xml = CG_BUF_INIT(0);
	struct cg_group g;

	assert_non_null(def);
	assert_int_equal(cg__group_init(&g, def->head), CG_OK);
	assert_int_equal(cg__group_set(&g, cg__edef_find(def->head, "orderNo"), order_no, 0, 0),
	                 CG_OK);
	assert_int_equal(cg__group_set(&g, cg__edef_find(def->head, "ebpCode"), "4403960XA1", 0, 0),
	                 CG_OK);
	assert_int_equal(cg__group_set(&g, cg__edef_find(def->head, "ebcCode"), "4403960XB2", 0, 0),
	                 CG_OK);
	assert_int_equal(cg__receipt_build(def, &g, 1, "2", "ok", &xml), CG_OK);
	assert_int_equal(cg_buf_cstr(&xml), CG_OK);
	cg__group_dispose(&g);
	return cg_buf_detach(&xml);
}

/*
 * orderNo is C..60 in characters: 30 Chinese characters (90 bytes) are echoed in
 * the receipt; 61 characters are not (an over-long key cannot be echoed).
 */
static void
test_receipt_key_length_in_characters(void **state)
{
	char no[3 * 61 + 1] = "";
	char *xml;
	int i;

	(void)state;
	for (i = 0; i < 30; i++)
		strcat(no, "单");
	xml = receipt_of(no);
	assert_non_null(strstr(xml, no));
	free(xml);
	for (i = 30; i < 61; i++)
		strcat(no, "单");
	xml = receipt_of(no);
	assert_null(strstr(xml, "<ceb:orderNo>"));
	free(xml);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_receipt_key_length_in_characters),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (cg_global_init() != CG_OK)
		return 1;
	return cmocka_run_group_tests_name("service", tests, NULL, NULL) != 0 ? 1 : 0;
}
