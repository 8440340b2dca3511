/* SPDX-License-Identifier: MIT */
/* Unit tests of src/lib/util/decimal.c: exact decimals, calendar dates, resident ID numbers. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "util/decimal.h"

/*
 * cmocka compares integers as unsigned long long: a cg_dec is __int128, so
 * compare through its decimal text, which also shows both values on failure.
 */
static void
dec_text(cg_dec v, char *buf, size_t size)
{
	char tmp[64];
	unsigned __int128 a = v < 0 ? (unsigned __int128)-v : (unsigned __int128)v;
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + (int)(a % 10));
		a /= 10;
	} while (a != 0 && n < sizeof(tmp));
	i = 0;
	if (v < 0 && i + 1 < size)
		buf[i++] = '-';
	while (n > 0 && i + 1 < size)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
}

#define assert_dec_equal(got, want)                                                                \
	do {                                                                                       \
		char g_[64], w_[64];                                                               \
		dec_text((got), g_, sizeof(g_));                                                   \
		dec_text((want), w_, sizeof(w_));                                                  \
		assert_string_equal(g_, w_);                                                       \
	} while (0)

/* Parse @p s and expect the scaled value @p want (units of 10^-5). */
static void
expect_parse(const char *s, cg_dec want)
{
	cg_dec v = 12345;

	if (!cg__dec_parse(s, &v))
		fail_msg("cg__dec_parse rejected \"%s\"", s);
	assert_dec_equal(v, want);
}

static void
expect_reject(const char *s)
{
	cg_dec v = 0;

	if (cg__dec_parse(s, &v))
		fail_msg("cg__dec_parse accepted \"%s\"", s);
}

static void
test_dec_parse_accepts(void **state)
{
	(void)state;
	expect_parse("516.00", (cg_dec)51600000);
	expect_parse("0", 0);
	expect_parse("-1.5", (cg_dec)-150000);
	expect_parse(" 12 ", (cg_dec)1200000);
	expect_parse("\t\r\n12\n", (cg_dec)1200000); /* XSD whitespace collapse */
	expect_parse("1.12345", (cg_dec)112345);
	expect_parse("0.00001", 1);
	expect_parse("-0.00001", -1);
	expect_parse("+7", (cg_dec)700000);
	expect_parse("-0", 0);
	expect_parse("007.50", (cg_dec)750000);
	expect_parse(".5", (cg_dec)50000); /* xs:decimal allows either side of the point empty */
	expect_parse("5.", (cg_dec)500000);
	/* The largest N19,5 value: 14 integer digits and 5 fraction digits. */
	expect_parse("99999999999999.99999", (cg_dec)9999999999999999999ULL);
}

static void
test_dec_parse_rejects(void **state)
{
	static const char *const bad[] = { "1e3",  "1E3",  "NaN",      "nan",   "Infinity",
		                           "inf",  "0x10", "1,000",    "1 000", "",
		                           " ",    ".",    "-",        "+",     "+-1",
		                           "-+1",  "--1",  "1.123456", "1.2.3", "1-",
		                           "１２", "12a",  "a12",      "1.5 x", "0.000000" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_reject(bad[i]);
	/* 1e309 written out: far past any N19,5 value, refused rather than wrapped. */
	{
		char big[400];

		big[0] = '1';
		memset(big + 1, '0', 309);
		big[310] = '\0';
		expect_reject(big);
	}
}

/* A failed parse must not leave a half-built value in *out. */
static void
test_dec_parse_failure_keeps_out(void **state)
{
	cg_dec v = 4242;

	(void)state;
	assert_false(cg__dec_parse("12x", &v));
	assert_false(cg__dec_parse("1.123456", &v));
	assert_dec_equal(v, 4242);
}

static void
test_dec_parse_round(void **state)
{
	cg_dec v = 0;
	bool rounded = false;

	(void)state;
	assert_true(cg__dec_parse_round("1.123455", &v, &rounded));
	assert_dec_equal(v, 112346);
	assert_true(rounded);

	assert_true(cg__dec_parse_round("1.0000009", &v, &rounded));
	assert_dec_equal(v, CG_DEC_ONE);
	assert_true(rounded);

	assert_true(cg__dec_parse_round("1.123454999", &v, &rounded));
	assert_dec_equal(v, 112345);
	assert_true(rounded);

	/* Half-up means away from zero for negative values too. */
	assert_true(cg__dec_parse_round("-1.123455", &v, &rounded));
	assert_dec_equal(v, -112346);

	/* A carry through every fraction digit into the integer part. */
	assert_true(cg__dec_parse_round("1.999995", &v, &rounded));
	assert_dec_equal(v, 2 * CG_DEC_ONE);

	/* Only zeros dropped: the value is exact and rounded says so. */
	assert_true(cg__dec_parse_round("2.50000000", &v, &rounded));
	assert_dec_equal(v, 250000);
	assert_false(rounded);

	assert_true(cg__dec_parse_round("3.25", &v, &rounded));
	assert_dec_equal(v, 325000);
	assert_false(rounded);

	/* rounded may be NULL. */
	assert_true(cg__dec_parse_round("0.000005", &v, NULL));
	assert_dec_equal(v, 1);

	assert_false(cg__dec_parse_round("1e3", &v, &rounded));
	assert_false(cg__dec_parse_round("NaN", &v, &rounded));
	assert_false(cg__dec_parse_round("", &v, &rounded));
	assert_false(cg__dec_parse_round(".", &v, &rounded));
}

static void
expect_format(cg_dec v, const char *want)
{
	char buf[64];

	memset(buf, 'Z', sizeof(buf));
	cg__dec_format(v, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
test_dec_format(void **state)
{
	char small[4];

	(void)state;
	expect_format((cg_dec)51600000, "516.00");
	expect_format(0, "0.00");
	expect_format((cg_dec)-150000, "-1.50");
	expect_format((cg_dec)-50000, "-0.50"); /* the sign survives a zero integer part */
	expect_format(1, "0.00001");
	expect_format((cg_dec)112345, "1.12345");
	expect_format((cg_dec)112300, "1.123");
	expect_format((cg_dec)110000, "1.10");
	expect_format((cg_dec)9999999999999999999ULL, "99999999999999.99999");
	/* Truncated, still NUL-terminated, never past the buffer. */
	cg__dec_format((cg_dec)51600000, small, sizeof(small));
	assert_string_equal(small, "516");
}

/* parse(format(x)) == x over a spread of values. */
static void
test_dec_format_parse_roundtrip(void **state)
{
	static const char *const in[] = { "0",
		                          "1",
		                          "-1",
		                          "0.1",
		                          "0.00001",
		                          "-0.00001",
		                          "47.87",
		                          "573.87",
		                          "12345678901234.5",
		                          "-99999999999999.99999" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		cg_dec a, b;
		char buf[64];

		assert_true(cg__dec_parse(in[i], &a));
		cg__dec_format(a, buf, sizeof(buf));
		assert_true(cg__dec_parse(buf, &b));
		assert_dec_equal(b, a);
	}
}

/*
 * Integer parts beyond N19,5 are refused; up to 19 digits they print back
 * unchanged (an earlier parser accepted 10^20 and printed it wrapped).
 */
static void
test_dec_huge_integer_part(void **state)
{
	static const char *const in[] = { "100000000000000000000", "18446744073709551616",
		                          "999999999999999999999999", "9999999999999999999" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		cg_dec v;
		char buf[64], want[64];

		if (!cg__dec_parse(in[i], &v)) {
			assert_true(strlen(in[i]) > 19); /* refused only beyond 19 digits */
			continue;
		}
		cg__dec_format(v, buf, sizeof(buf));
		(void)snprintf(want, sizeof(want), "%s.00", in[i]);
		assert_string_equal(buf, want);
	}
}

static void
expect_mul(const char *a, const char *b, const char *want)
{
	cg_dec x, y, w;

	assert_true(cg__dec_parse(a, &x));
	assert_true(cg__dec_parse(b, &y));
	assert_true(cg__dec_parse(want, &w));
	cg_dec p;

	assert_true(cg__dec_mul(x, y, &p));
	assert_dec_equal(p, w);
	assert_true(cg__dec_mul(y, x, &p));
	assert_dec_equal(p, w);
}

static void
test_dec_mul(void **state)
{
	(void)state;
	expect_mul("198.00", "2", "396.00");
	expect_mul("120.00", "1", "120.00");
	expect_mul("0.1", "0.1", "0.01");
	expect_mul("0", "12345.6789", "0");
	expect_mul("-1.5", "2", "-3");
	expect_mul("-1.5", "-2", "3");
	expect_mul("1.00001", "1.00001", "1.00002"); /* 1.0000200001 */
	expect_mul("0.00001", "0.5", "0.00001");     /* 0.000005: half rounds up */
	expect_mul("-0.00001", "0.5", "-0.00001");   /* ... and away from zero */
	expect_mul("0.00001", "0.49999", "0");       /* 0.0000049999 */
	expect_mul("33.33333", "3", "99.99999");
	/* The largest N19,5 values still multiply exactly (no overflow in range). */
	expect_mul("99999999999999.99999", "1", "99999999999999.99999");
	expect_mul("9999999.99999", "9999999.99999", "99999999999800"); /* ...800.0000000001 */
}

static void
expect_round(const char *in, int digits, const char *want)
{
	cg_dec v, w;

	assert_true(cg__dec_parse(in, &v));
	assert_true(cg__dec_parse(want, &w));
	assert_dec_equal(cg__dec_round(v, digits), w);
}

static void
test_dec_round(void **state)
{
	(void)state;
	expect_round("47.875", 2, "47.88");
	expect_round("47.87499", 2, "47.87");
	expect_round("-47.875", 2, "-47.88");
	expect_round("-47.87499", 2, "-47.87");
	expect_round("2.5", 0, "3");
	expect_round("-2.5", 0, "-3");
	expect_round("2.49999", 0, "2");
	expect_round("0.99995", 4, "1");
	expect_round("1.23456", 5, "1.23456");
	expect_round("0", 2, "0");
	expect_round("0.004", 2, "0");
	expect_round("0.005", 2, "0.01");
}

static void
test_dec_abs(void **state)
{
	(void)state;
	assert_dec_equal(cg__dec_abs(-5), 5);
	assert_dec_equal(cg__dec_abs(5), 5);
	assert_dec_equal(cg__dec_abs(0), 0);
}

static void
test_datetime_valid(void **state)
{
	static const char *const good[] = {
		"20240229",          "20261128",          "19000101",         "20001231",
		"20000229",          "20261128235959",    "20261128000000",   "20240229120000",
		"20261128235959999", "20261128000000000", "20240229235959000"
	};
	static const char *const bad[] = {
		"20260230",           "20230229",
		"19000229",           "21000229",
		"20261301",           "20260001",
		"20260100",           "20260431",
		"20261128240000",     "20261128236000",
		"20261128235960",     "20261128240000000",
		"20260230120000000",  "20261128235960000",
		"18991231",           "2026112",
		"202611281",          "2026112823595",
		"202611282359599",    "2026112823595999",
		"202611282359599999", "",
		"2026-11-28",         "2026112a",
		"20261128 00000",     "２０２６１１２８",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!cg__datetime_valid(good[i]))
			fail_msg("cg__datetime_valid rejected %s", good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (cg__datetime_valid(bad[i]))
			fail_msg("cg__datetime_valid accepted \"%s\"", bad[i]);
	}
}

static void
test_idno_check_char(void **state)
{
	(void)state;
	assert_int_equal(cg__idno_check_char("33010619900307123"), '6');
	assert_int_equal(cg__idno_check_char("11010519800101122"), 'X');
	assert_int_equal(cg__idno_check_char("33010620240229123"), '0');
	/* Only the first 17 characters count. */
	assert_int_equal(cg__idno_check_char("330106199003071239"), '6');
}

static void
expect_idno(const char *s, bool want, const char *why_part)
{
	struct cg_why why;

	strcpy(why.en, "untouched");
	strcpy(why.zh, "untouched");
	if (cg__idno_valid(s, &why) != want)
		fail_msg("cg__idno_valid(\"%s\") should be %s (%s)", s, want ? "true" : "false",
		         why.en);
	if (!want && strstr(why.en, why_part) == NULL)
		fail_msg("reason for \"%s\" is \"%s\", expected it to mention \"%s\"", s, why.en,
		         why_part);
	if (!want && (strcmp(why.zh, "untouched") == 0 || why.zh[0] == '\0'))
		fail_msg("no Chinese reason for \"%s\"", s);
}

static void
test_idno_valid(void **state)
{
	char future[64];
	time_t now = time(NULL);
	struct tm tm;

	(void)state;
	expect_idno("330106199003071236", true, NULL);
	expect_idno("11010519800101122X", true, NULL);
	expect_idno("330106202402291230", true, NULL); /* 29 February of a leap year */

	expect_idno("330106199003071235", false, "check character is 5, expected 6");
	/*
	 * decimal.h documents the check character as '0'-'9' or 'X' (GB 11643 prints
	 * an upper-case X): a lower-case x is not that character and is refused;
	 * normalizing it is the job of the input side, not of the check.
	 */
	expect_idno("11010519800101122x", false, "check character is x, expected X");
	expect_idno("33010619900307123", false, "18 characters");
	expect_idno("3301061990030712366", false, "18 characters");
	expect_idno("", false, "18 characters");
	expect_idno("3301061990030712A6", false, "digits");
	expect_idno("A30106199003071236", false, "digits");
	expect_idno("33010619900307123X", false, "check character");
	/* Full-width digits are several bytes each: never 18 ASCII digits. */
	expect_idno("３３０１０６１９９００３０７１２３６", false, "18 characters");
	/* Impossible birth dates, each with a correct check character. */
	expect_idno("330106202302301235", false, "birth date");
	expect_idno("330106202302291233", false, "birth date");
	expect_idno("33010619901307123X", false, "birth date");
	/* 2099-12-31 is in the future for the life of this code. */
	expect_idno("33010620991231123X", false, "future");

	/* Tomorrow (UTC), with its right check character, is in the future too. */
	now += 2 * 24 * 3600;
	assert_non_null(gmtime_r(&now, &tm));
	assert_int_equal(strftime(future, sizeof(future), "330106%Y%m%d123", &tm), 17);
	future[17] = cg__idno_check_char(future);
	future[18] = '\0';
	expect_idno(future, false, "future");
}

/* Reasons are NUL-terminated within their buffers. */
static void
test_idno_why_terminated(void **state)
{
	struct cg_why why;

	(void)state;
	memset(&why, 'Z', sizeof(why));
	assert_false(cg__idno_valid("1", &why));
	assert_true(strlen(why.en) < sizeof(why.en));
	assert_true(strlen(why.zh) < sizeof(why.zh));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dec_parse_accepts),
		cmocka_unit_test(test_dec_parse_rejects),
		cmocka_unit_test(test_dec_parse_failure_keeps_out),
		cmocka_unit_test(test_dec_parse_round),
		cmocka_unit_test(test_dec_format),
		cmocka_unit_test(test_dec_format_parse_roundtrip),
		cmocka_unit_test(test_dec_huge_integer_part),
		cmocka_unit_test(test_dec_mul),
		cmocka_unit_test(test_dec_round),
		cmocka_unit_test(test_dec_abs),
		cmocka_unit_test(test_datetime_valid),
		cmocka_unit_test(test_idno_check_char),
		cmocka_unit_test(test_idno_valid),
		cmocka_unit_test(test_idno_why_terminated),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("dec", tests, NULL, NULL);
}
