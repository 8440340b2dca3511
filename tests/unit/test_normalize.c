/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of value normalization, the CSV reader, mapping profiles, and the
 * normalizer on whole inputs: nothing a merchant wrote may vanish unreported.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "cebgate/normalize.h"
#include "codes.h"
#include "csv.h"
#include "normvalue.h"
#include "profile.h"

static struct cg_codes *codes;
static cg_ctx *ctx;

static int
setup(void **state)
{
	(void)state;
	if (getenv("top_srcdir") != NULL)
		setenv("CEBGATE_DATADIR", getenv("top_srcdir"), 1);
	if (cg_ctx_new(&ctx) != CG_OK)
		return -1;
	return cg__codes_load(&codes, ctx, cg_datadir()) == CG_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	cg__codes_free(codes);
	cg_ctx_free(ctx);
	return 0;
}

#define FIELD(kind, table) { "f", "字段", CG_K_##kind, 0, CG_T_##table, 0, 60, NULL }

/* Normalize @p in as @p fd; check the outcome and, when changed or same, the value. */
static void
expect(const struct cg_fdef *fd, const char *in, enum cg_norm want, const char *out)
{
	char buf[CG_NORM_MAX];
	const char *why = NULL;
	enum cg_norm got;

	snprintf(buf, sizeof(buf), "%s", in);
	got = cg__norm_value(codes, fd, buf, sizeof(buf), &why);
	if (got != want)
		fail_msg("\"%s\": outcome %d, expected %d", in, got, want);
	if (out != NULL)
		assert_string_equal(buf, out);
	if (got == CG_NORM_CHANGED)
		assert_true(why != NULL && why[0] != '\0');
}

static void
test_trim_and_fullwidth(void **state)
{
	struct cg_fdef code = FIELD(CODE, NONE), text = FIELD(TEXT, NONE);

	(void)state;
	expect(&code, "  AB12 ", CG_NORM_CHANGED, "AB12");
	expect(&code, "ＡＢ１２", CG_NORM_CHANGED, "AB12");
	expect(&code, "\xE3\x80\x80" "4403960XA1\xC2\xA0", CG_NORM_CHANGED, "4403960XA1");
	expect(&code, "SO123", CG_NORM_SAME, "SO123");
	/* Free text keeps full-width characters: they are part of Chinese names. */
	expect(&text, "示例（深圳）有限公司", CG_NORM_SAME, "示例（深圳）有限公司");
	expect(&text, " 李晓明 ", CG_NORM_CHANGED, "李晓明");
}

static void
test_dates(void **state)
{
	struct cg_fdef dt = FIELD(DT14, NONE), d8 = FIELD(D8, NONE), t17 = FIELD(T17, NONE);

	(void)state;
	expect(&dt, "2026-11-28 10:00:00", CG_NORM_CHANGED, "20261128100000");
	expect(&dt, "2026/11/28T10:05", CG_NORM_CHANGED, "20261128100500");
	expect(&dt, "20261128100000", CG_NORM_SAME, "20261128100000");
	expect(&dt, "２０２６-１１-２８ １０:００:００", CG_NORM_CHANGED, "20261128100000");
	/* A date alone is not a timestamp: no time of day is invented. */
	expect(&dt, "2026-11-28", CG_NORM_BADDATE, NULL);
	expect(&dt, "2026-02-30 10:00:00", CG_NORM_BADDATE, NULL);
	expect(&dt, "2026-11-28 24:00:00", CG_NORM_BADDATE, NULL);
	expect(&dt, "yesterday", CG_NORM_BADDATE, NULL);
	expect(&d8, "2026-11-28", CG_NORM_CHANGED, "20261128");
	expect(&d8, "20261128100000", CG_NORM_CHANGED, "20261128");
	expect(&d8, "20260230", CG_NORM_BADDATE, NULL);
	expect(&t17, "2026-11-28 10:00:00.123", CG_NORM_CHANGED, "20261128100000123");
}

static void
test_numbers(void **state)
{
	struct cg_fdef dec = FIELD(DEC, NONE), in = FIELD(INT, NONE);

	(void)state;
	expect(&dec, "198.00", CG_NORM_SAME, "198.00");
	expect(&dec, "1,234.50", CG_NORM_CHANGED, "1234.50");
	expect(&dec, "1.1234567", CG_NORM_CHANGED, "1.12346");
	expect(&dec, "+5", CG_NORM_CHANGED, "5.00");
	expect(&dec, "１９８.００", CG_NORM_CHANGED, "198.00");
	expect(&dec, "12,5x", CG_NORM_BADNUM, NULL);
	expect(&dec, "1,23", CG_NORM_BADNUM, NULL);
	expect(&dec, "1e3", CG_NORM_BADNUM, NULL);
	expect(&dec, "NaN", CG_NORM_BADNUM, NULL);
	expect(&dec, "0x10", CG_NORM_BADNUM, NULL);
	expect(&in, "2", CG_NORM_SAME, "2");
	expect(&in, "2.0", CG_NORM_CHANGED, "2");
	expect(&in, "2.5", CG_NORM_BADNUM, NULL);
}

static void
test_codes(void **state)
{
	struct cg_fdef unit = FIELD(CODE, UNIT), country = FIELD(CODE, COUNTRY);
	struct cg_fdef cur = FIELD(CODE, CURRENCY), id = FIELD(IDNO, NONE);

	(void)state;
	expect(&unit, "件", CG_NORM_CHANGED, "011");
	expect(&unit, "千克", CG_NORM_CHANGED, "035");
	expect(&unit, "KG", CG_NORM_CHANGED, "035");
	expect(&unit, "035", CG_NORM_SAME, "035");
	expect(&unit, "筐子", CG_NORM_UNMAPPED, NULL);
	expect(&country, "US", CG_NORM_CHANGED, "502");
	expect(&country, "jpn", CG_NORM_CHANGED, "116");
	expect(&country, "日本", CG_NORM_CHANGED, "116");
	expect(&country, "ZZ", CG_NORM_UNMAPPED, NULL);
	expect(&cur, "CNY", CG_NORM_CHANGED, "142");
	expect(&cur, "USD", CG_NORM_CHANGED, "502");
	expect(&id, "33010619900307123x", CG_NORM_CHANGED, "33010619900307123X");
	assert_true(cg__codes_has(codes, CG_T_COUNTRY, "142"));
	assert_false(cg__codes_has(codes, CG_T_COUNTRY, "998"));
	assert_non_null(cg__codes_hs(codes, "1901101010"));
	assert_null(cg__codes_hs(codes, "0000000000"));
}

static FILE *
mem(const char *text)
{
	return fmemopen((void *)(uintptr_t)text, strlen(text), "r");
}

static void
test_csv_rows(void **state)
{
	FILE *fp = mem("\xEF\xBB\xBF" "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n\n2,\"two\nlines\",3\n4,5\n");
	struct cg_csv *c;
	char **cells;
	size_t n;
	unsigned long line;

	(void)state;
	assert_int_equal(cg__csv_open(&c, fp, NULL), CG_OK);
	assert_int_equal(cg__csv_next(c, &cells, &n, &line), CG_OK);
	assert_int_equal(n, 3);
	assert_string_equal(cells[0], "a"); /* the BOM is not part of the first header */
	assert_int_equal(line, 1);
	assert_int_equal(cg__csv_next(c, &cells, &n, &line), CG_OK);
	assert_string_equal(cells[1], "x, y");
	assert_string_equal(cells[2], "say \"hi\"");
	assert_int_equal(line, 2);
	assert_int_equal(cg__csv_next(c, &cells, &n, &line), CG_OK);
	assert_string_equal(cells[1], "two\nlines");
	assert_int_equal(line, 4); /* the blank line 3 is skipped, the count is not */
	assert_int_equal(cg__csv_next(c, &cells, &n, &line), CG_OK);
	assert_int_equal(n, 2);
	assert_int_equal(line, 6);
	assert_int_equal(cg__csv_next(c, &cells, &n, &line), CG_ENOTFOUND);
	cg__csv_close(c);
	fclose(fp);
}

static void
test_csv_gb18030_and_errors(void **state)
{
	/* "订单" in GB18030 is B6 A9 B5 A5. */
	FILE *fp = mem("\xB6\xA9\xB5\xA5,x\n\"open,1\n");
	struct cg_csv *c;
	char **cells;
	size_t n;
	unsigned long line;

	(void)state;
	assert_int_equal(cg__csv_open(&c, fp, NULL), CG_OK);
	assert_int_equal(cg__csv_next(c, &cells, &n, &line), CG_OK);
	assert_string_equal(cells[0], "订单");
	assert_int_equal(cg__csv_next(c, &cells, &n, &line), CG_EPARSE);
	cg__csv_close(c);
	fclose(fp);
}

static void
test_profile(void **state)
{
	char path[] = "/tmp/cg-profile-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");
	struct cg_profile p;

	(void)state;
	fputs("# comment\n[columns]\nOrder ID = orderNo\n[defaults]\ncopCode = 4403960XA1\n", fp);
	fclose(fp);
	assert_int_equal(cg__profile_load(&p, ctx, path), CG_OK);
	assert_string_equal(cg__profile_column(&p, "Order ID"), "orderNo");
	assert_null(cg__profile_column(&p, "orderNo"));
	assert_string_equal(cg__profile_default(&p, "copCode"), "4403960XA1");
	assert_false(cg__profile_ignored(&p, "Gift Message"));
	cg__profile_dispose(&p);
	fp = fopen(path, "w");
	fputs("[ignore]\nGift Message\n[columns]\nOrder ID = orderNo\n", fp);
	fclose(fp);
	assert_int_equal(cg__profile_load(&p, ctx, path), CG_OK);
	assert_true(cg__profile_ignored(&p, "Gift Message"));
	assert_false(cg__profile_ignored(&p, "Order ID"));
	assert_string_equal(cg__profile_column(&p, "Order ID"), "orderNo");
	cg__profile_dispose(&p);
	fp = fopen(path, "w");
	fputs("no section = here\n", fp);
	fclose(fp);
	assert_int_equal(cg__profile_load(&p, ctx, path), CG_EPARSE);
	assert_non_null(strstr(cg_ctx_errmsg(ctx), ":1:"));
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trim_and_fullwidth), cmocka_unit_test(test_dates),
		cmocka_unit_test(test_numbers),		   cmocka_unit_test(test_codes),
		cmocka_unit_test(test_csv_rows),	   cmocka_unit_test(test_csv_gb18030_and_errors),
		cmocka_unit_test(test_profile),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
