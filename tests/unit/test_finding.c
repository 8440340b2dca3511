/* SPDX-License-Identifier: MIT */
/* The findings catalogue matches docs/findings.md, and the findings list behaves. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ceb/finding_codes.h"
#include "util/internal.h"

/* Every code documented for users has a catalogue entry with both messages. */
static void
test_documented_codes_exist(void **state)
{
	char path[4096], line[1024];
	FILE *fp;
	int n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/docs/findings.md", getenv("top_srcdir"));
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		char code[8];
		const struct cg_code_info *info;

		if (strncmp(line, "| CG", 4) != 0)
			continue;
		memcpy(code, line + 2, 6);
		code[6] = '\0';
		info = cg__code_info(code);
		if (info == NULL)
			fail_msg("%s is documented but not in the catalogue", code);
		assert_true(info->zh[0] != '\0' && info->en[0] != '\0');
		/* The documented severity is the catalogue's. */
		assert_non_null(strstr(line, cg_severity_name(info->severity)));
		n++;
	}
	fclose(fp);
	assert_true(n > 50);
}

static void
test_list(void **state)
{
	cg_findings *f;

	(void)state;
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(cg__finding_addf(f, "CG1001", CG_SEV_ERROR, "a.xml", "/x", 3, 0, "细节", "detail"), CG_OK);
	assert_int_equal(cg__finding_addf(f, "CG1019", CG_SEV_WARNING, "a.xml", "/y", 4, 0, NULL, NULL), CG_OK);
	assert_int_equal(cg_findings_count(f), 2);
	assert_int_equal(cg_findings_count_sev(f, CG_SEV_ERROR), 1);
	assert_string_equal(cg_findings_get(f, 0)->code, "CG1001");
	assert_non_null(strstr(cg_findings_get(f, 0)->message_en, ": detail"));
	assert_non_null(strstr(cg_findings_get(f, 0)->message_zh, "细节"));
	assert_null(cg_findings_get(f, 2));
	cg_findings_clear(f);
	assert_int_equal(cg_findings_count(f), 0);
	cg_findings_free(f);
}

/* What a worker found joins the run's list in order, and the worker's list is left empty. */
static void
test_move(void **state)
{
	cg_findings *dst, *src;

	(void)state;
	assert_int_equal(cg_findings_new(&dst), CG_OK);
	assert_int_equal(cg_findings_new(&src), CG_OK);
	assert_int_equal(cg_findings_move(dst, src), CG_OK);
	assert_int_equal(cg_findings_count(dst), 0);
	assert_int_equal(cg__finding_addf(dst, "CG1001", CG_SEV_ERROR, "a.xml", "/x", 1, 0, NULL, NULL), CG_OK);
	assert_int_equal(cg__finding_addf(src, "CG1019", CG_SEV_WARNING, "b.xml", "/y", 2, 0, NULL, NULL), CG_OK);
	assert_int_equal(cg__finding_addf(src, "CG3014", CG_SEV_ERROR, "b.xml", "/z", 3, 0, NULL, NULL), CG_OK);
	assert_int_equal(cg_findings_move(dst, src), CG_OK);
	assert_int_equal(cg_findings_count(src), 0);
	assert_int_equal(cg_findings_count(dst), 3);
	assert_string_equal(cg_findings_get(dst, 1)->code, "CG1019");
	assert_string_equal(cg_findings_get(dst, 2)->source, "b.xml");
	assert_string_equal(cg_findings_get(dst, 2)->code, "CG3014");
	/* src can be used again, and freeing it leaves dst's strings alone */
	assert_int_equal(cg__finding_addf(src, "CG1001", CG_SEV_ERROR, "c.xml", "/x", 4, 0, NULL, NULL), CG_OK);
	cg_findings_free(src);
	assert_string_equal(cg_findings_get(dst, 1)->xpath, "/y");
	cg_findings_free(dst);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_documented_codes_exist),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_move),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
