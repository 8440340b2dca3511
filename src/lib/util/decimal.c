/* SPDX-License-Identifier: MIT */
/* Exact decimals, calendar dates and resident ID numbers. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "util/decimal.h"

/* N19,5 has at most 19 digits: an integer part beyond that is not a CEB amount. */
#define MAX_INT_DIGITS 19

static const char *
skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

static bool
parse(const char *s, cg_dec *out, bool round, bool *rounded)
{
	cg_dec v = 0;
	int frac = 0, digits = 0, intdigits = 0, neg = 0, roundup = 0, extra = 0;
	bool dropped = false;

	s = skip_ws(s);
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; isdigit((unsigned char)*s); s++, digits++) {
		v = v * 10 + (*s - '0');
		intdigits += v != 0; /* leading zeros do not count */
		if (intdigits > MAX_INT_DIGITS)
			return false;
	}
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s); s++, digits++) {
			if (frac < 5) {
				v = v * 10 + (*s - '0');
				frac++;
			} else if (!round) {
				return false;
			} else {
				if (extra++ == 0)
					roundup = *s >= '5';
				dropped = dropped || *s != '0';
			}
		}
	}
	s = skip_ws(s);
	if (digits == 0 || *s != '\0')
		return false;
	for (; frac < 5; frac++)
		v *= 10;
	v += roundup;
	*out = neg ? -v : v;
	if (rounded != NULL)
		*rounded = dropped;
	return true;
}

bool
cg__dec_parse(const char *s, cg_dec *out)
{
	return parse(s, out, false, NULL);
}

bool
cg__dec_parse_round(const char *s, cg_dec *out, bool *rounded)
{
	return parse(s, out, true, rounded);
}

void
cg__dec_format(cg_dec v, char *buf, size_t size)
{
	char digits[64];
	unsigned long long ip, fp;
	int n, keep = 5;
	cg_dec a = cg__dec_abs(v);

	/* The integer part of any accepted value (< 10^19) fits in 64 bits. */
	ip = (unsigned long long)(a / CG_DEC_ONE);
	fp = (unsigned long long)(a % CG_DEC_ONE);
	(void)snprintf(digits, sizeof(digits), "%05llu", fp);
	while (keep > 2 && digits[keep - 1] == '0')
		keep--;
	digits[keep] = '\0';
	n = snprintf(buf, size, "%s%llu.%s", v < 0 ? "-" : "", ip, digits);
	if (n < 0 && size > 0)
		buf[0] = '\0';
}

cg_dec
cg__dec_abs(cg_dec v)
{
	return v < 0 ? -v : v;
}

cg_dec
cg__dec_round(cg_dec v, int digits)
{
	cg_dec unit = 1, a = cg__dec_abs(v), r;
	int i;

	for (i = digits; i < 5; i++)
		unit *= 10;
	r = (a + unit / 2) / unit * unit;
	return v < 0 ? -r : r;
}

bool
cg__dec_mul(cg_dec a, cg_dec b, cg_dec *out)
{
	cg_dec p, ap, r;

	if (__builtin_mul_overflow(a, b, &p))
		return false;
	ap = cg__dec_abs(p);
	r = (ap + CG_DEC_ONE / 2) / CG_DEC_ONE;
	*out = p < 0 ? -r : r;
	return true;
}

static int
num(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static int
days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

bool
cg__datetime_valid(const char *s)
{
	size_t i, n = strlen(s);
	int y, m, d;

	if (n != 8 && n != 14 && n != 17)
		return false;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
	}
	y = num(s, 4);
	m = num(s + 4, 2);
	d = num(s + 6, 2);
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return false;
	if (n >= 14 && (num(s + 8, 2) > 23 || num(s + 10, 2) > 59 || num(s + 12, 2) > 59))
		return false;
	return true;
}

char
cg__idno_check_char(const char *s17)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char map[] = "10X98765432";
	int i, sum = 0;

	for (i = 0; i < 17; i++)
		sum += (s17[i] - '0') * w[i];
	return map[sum % 11];
}

static bool
fail(struct cg_why *why, const char *zh, const char *en)
{
	(void)snprintf(why->zh, sizeof(why->zh), "%s", zh);
	(void)snprintf(why->en, sizeof(why->en), "%s", en);
	return false;
}

static bool
birth_in_future(const char *date8)
{
	char today[16];
	time_t now = time(NULL) + 8 * 3600; /* the date in China (UTC+8) */
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL)
		return false;
	if (strftime(today, sizeof(today), "%Y%m%d", &tm) == 0)
		return false;
	return strncmp(date8, today, 8) > 0;
}

bool
cg__idno_valid(const char *s, struct cg_why *why)
{
	char date[9];
	int i;

	if (strlen(s) != 18)
		return fail(why, "身份证号码应为18位", "an ID number has 18 characters");
	for (i = 0; i < 17; i++) {
		if (!isdigit((unsigned char)s[i]))
			return fail(why, "前17位必须为数字", "the first 17 characters must be digits");
	}
	memcpy(date, s + 6, 8);
	date[8] = '\0';
	if (!cg__datetime_valid(date))
		return fail(why, "出生日期（第7-14位）不存在",
			    "the birth date (characters 7-14) does not exist");
	if (birth_in_future(date))
		return fail(why, "出生日期晚于今天", "the birth date is in the future");
	if (s[17] != cg__idno_check_char(s)) {
		(void)snprintf(why->zh, sizeof(why->zh), "校验位为%c，应为%c", s[17],
			       cg__idno_check_char(s));
		(void)snprintf(why->en, sizeof(why->en), "check character is %c, expected %c", s[17],
			       cg__idno_check_char(s));
		return false;
	}
	return true;
}
