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
#include "ceb/codes.h"
#include "util/csv.h"
#include "normalize/normvalue.h"
#include "normalize/profile.h"

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
	/* More than 5 decimals as written, even zeros: the CEB form has at most 5. */
	expect(&dec, "10.000000", CG_NORM_CHANGED, "10.00");
	expect(&dec, "10.00000", CG_NORM_SAME, "10.00000");
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

/* ---- the normalizer on whole inputs ---------------------------------------- */

struct run {
	int emitted;
	cg_buf log;  /* one "xpath|before|after|why" line per change */
	char *xml;   /* the last message emitted */
	cg_findings *f;
	cg_normalize_stats stats;
};

static cg_rc
on_emit(void *payload, const char *name, const char *xml, size_t len)
{
	struct run *r = payload;

	(void)name;
	r->emitted++;
	free(r->xml);
	r->xml = strndup(xml, len);
	return CG_OK;
}

static void
on_change(void *payload, const cg_change *c)
{
	struct run *r = payload;
	char line[8192];

	snprintf(line, sizeof(line), "%lu:%lu|%s|%s|%s|%s\n", c->line, c->column, c->xpath,
		 c->before, c->after, c->why);
	assert_int_equal(cg_buf_append(&r->log, line, strlen(line)), CG_OK);
}

static char *
src_path(const char *rel)
{
	const char *top = getenv("top_srcdir") != NULL ? getenv("top_srcdir") : ".";
	size_t size = strlen(top) + strlen(rel) + 2;
	char *p = malloc(size);

	assert_non_null(p);
	snprintf(p, size, "%s/%s", top, rel);
	return p;
}

static char *
slurp(const char *rel)
{
	char *path = src_path(rel);
	FILE *fp = fopen(path, "rb");
	char *text = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(fp);
	assert_non_null(text);
	n = fread(text, 1, (1 << 20) - 1, fp);
	text[n] = '\0';
	fclose(fp);
	free(path);
	return text;
}

/* A new string: @p s with @p cut bytes at @p at replaced by @p to; @p s is freed. */
static char *
splice(char *s, const char *at, size_t cut, const char *to)
{
	size_t pre = (size_t)(at - s), rest = strlen(at + cut) + 1;
	char *out = malloc(pre + strlen(to) + rest);

	assert_non_null(out);
	memcpy(out, s, pre);
	memcpy(out + pre, to, strlen(to));
	memcpy(out + pre + strlen(to), at + cut, rest);
	free(s);
	return out;
}

/* @p s with its first @p from replaced by @p to (which must be there). */
static char *
subst(char *s, const char *from, const char *to)
{
	char *at = strstr(s, from);

	if (at == NULL)
		fail_msg("\"%s\" not in the input", from);
	return splice(s, at, strlen(from), to);
}

/* Normalize @p len bytes of @p text as @p from; the findings stay in r->f. */
static void
run(struct run *r, const char *text, size_t len, cg_from from, const char *profile)
{
	cg_normalize_options o = CG_NORMALIZE_OPTIONS_INIT;
	cg_normalizer *n;
	FILE *fp = fmemopen((void *)(uintptr_t)text, len, "r");

	memset(r, 0, sizeof(*r));
	r->log.max = 16u << 20;
	o.now = "20261128100000";
	o.profile = profile;
	o.emit = on_emit;
	o.change = on_change;
	o.payload = r;
	assert_non_null(fp);
	assert_int_equal(cg_findings_new(&r->f), CG_OK);
	assert_int_equal(cg_normalizer_new(&n, ctx, NULL, &o), CG_OK);
	assert_int_equal(cg_normalize_stream(n, ctx, fp, "input", from, r->f), CG_OK);
	assert_int_equal(cg_buf_append(&r->log, "", 1), CG_OK);
	r->stats = cg_normalizer_stats(n);
	cg_normalizer_free(n);
	fclose(fp);
}

static void
run_dispose(struct run *r)
{
	cg_findings_free(r->f);
	cg_buf_dispose(&r->log);
	free(r->xml);
}

/* The number of findings @p code (at @p line, and column when not 0; line 0 = any). */
static size_t
count(const struct run *r, const char *code, unsigned long line, unsigned long col)
{
	size_t i, n = 0;

	for (i = 0; i < cg_findings_count(r->f); i++) {
		const cg_finding *x = cg_findings_get(r->f, i);

		n += strcmp(x->code, code) == 0 && (line == 0 || x->line == line) &&
		     (col == 0 || x->column == col);
	}
	return n;
}

static const cg_finding *
find(const struct run *r, const char *code)
{
	size_t i;

	for (i = 0; i < cg_findings_count(r->f); i++) {
		if (strcmp(cg_findings_get(r->f, i)->code, code) == 0)
			return cg_findings_get(r->f, i);
	}
	fail_msg("no %s", code);
	return NULL;
}

static size_t
occurrences(const char *hay, const char *needle)
{
	size_t n = 0;

	for (hay = strstr(hay, needle); hay != NULL; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

#define ORDER_XML "samples/xml/unsigned/CEB311-order.xml"

static void
test_xml_control(void **state)
{
	char *xml = slurp(ORDER_XML);
	struct run r;

	(void)state;
	run(&r, xml, strlen(xml), CG_FROM_XML, NULL);
	assert_int_equal(r.emitted, 1);
	assert_int_equal(cg_findings_count_sev(r.f, CG_SEV_ERROR), 0);
	run_dispose(&r);
	free(xml);
}

/* An element the message has no place for is an error naming it and its line, not dropped. */
static void
test_xml_unknown_element_is_an_error(void **state)
{
	char *xml = slurp(ORDER_XML);
	const cg_finding *x;
	struct run r;

	(void)state;
	xml = subst(xml, "      <ceb:freight>",
		    "      <ceb:extraField>gift</ceb:extraField>\n      <ceb:freight>");
	xml = subst(xml, "<ceb:consigneeDistrict>330106</ceb:consigneeDistrict>",
		    "<ceb:consigneeDitrict>330106</ceb:consigneeDitrict>");
	run(&r, xml, strlen(xml), CG_FROM_XML, NULL);
	assert_int_equal(r.emitted, 0);
	assert_int_equal(r.stats.rejected, 1);
	assert_int_equal(count(&r, "CG2008", 0, 0), 2);
	x = find(&r, "CG2008");
	assert_string_equal(x->xpath, "/ceb:CEB311Message/ceb:Order/ceb:OrderHead/ceb:extraField");
	assert_int_equal(x->line, 16);
	assert_non_null(strstr(x->message_en, "\"gift\""));
	assert_int_equal(count(&r, "CG2008", 33, 0), 1); /* consigneeDitrict, one line lower */
	run_dispose(&r);
	free(xml);
}

/* Repeated elements, attributes, stray text and elements inside a value are all reported. */
static void
test_xml_other_strays(void **state)
{
	char *xml = slurp(ORDER_XML);
	struct run r;

	(void)state;
	xml = subst(xml, "<ceb:orderNo>SO202411110000123456</ceb:orderNo>",
		    "<ceb:orderNo>SO202411110000123456</ceb:orderNo>"
		    "<ceb:orderNo>SO2</ceb:orderNo>");
	xml = subst(xml, "<ceb:buyerName>", "<ceb:buyerName vip=\"yes\">");
	xml = subst(xml, "<ceb:OrderList>", "<ceb:OrderList>loose text");
	xml = subst(xml, "<ceb:itemName>", "<ceb:itemName><ceb:b>new</ceb:b>");
	run(&r, xml, strlen(xml), CG_FROM_XML, NULL);
	assert_int_equal(r.emitted, 0);
	assert_int_equal(count(&r, "CG2008", 0, 0), 4);
	assert_non_null(strstr(find(&r, "CG2008")->message_en, "repeated"));
	run_dispose(&r);
	free(xml);
}

/* A repaired namespace is a change in the log: the root, before and after. */
static void
test_xml_namespace_repair_logged(void **state)
{
	char *xml = slurp(ORDER_XML), *bare, *wrong;
	struct run r;

	(void)state;
	wrong = subst(strdup(xml), "xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\"",
		      "xmlns:ceb=\"http://www.chinaport.gov.cn/CEB/\"");
	run(&r, wrong, strlen(wrong), CG_FROM_XML, NULL);
	assert_int_equal(r.emitted, 1);
	assert_non_null(strstr(r.log.ptr, "2:0|/*:CEB311Message|http://www.chinaport.gov.cn/CEB/|"
					  "http://www.chinaport.gov.cn/ceb|"));
	/* The children inherit the repair: one row, not one per element. */
	assert_int_equal(occurrences(r.log.ptr, "|namespace replaced"), 1);
	run_dispose(&r);
	bare = subst(strdup(xml), " xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\"", "");
	while (strstr(bare, "ceb:") != NULL)
		bare = subst(bare, "ceb:", "");
	run(&r, bare, strlen(bare), CG_FROM_XML, NULL);
	assert_int_equal(r.emitted, 1);
	assert_non_null(strstr(r.log.ptr, "2:0|/CEB311Message||http://www.chinaport.gov.cn/ceb|"));
	run_dispose(&r);
	free(bare);
	free(wrong);
	free(xml);
}

/* Generated guids are logged, and every document of a message gets its own. */
static void
test_generated_guids_logged(void **state)
{
	char *xml = slurp("samples/xml/unsigned/CEB311-order-two-orders.xml");
	const char *g;
	char guid[37];
	struct run r;

	(void)state;
	while (strstr(xml, "<ceb:guid>") != NULL) {
		char *at = strstr(xml, "<ceb:guid>"), *end = strstr(at, "</ceb:guid>");

		memmove(at, end + strlen("</ceb:guid>"), strlen(end + strlen("</ceb:guid>")) + 1);
	}
	xml = subst(xml, " guid=\"6CAE479C-11F0-5C93-91CE-98159BCF6595\"", "");
	run(&r, xml, strlen(xml), CG_FROM_XML, NULL);
	assert_int_equal(r.emitted, 1);
	g = strstr(r.log.ptr, "/ceb:Order[1]/ceb:OrderHead/ceb:guid||");
	assert_non_null(g);
	memcpy(guid, g + strlen("/ceb:Order[1]/ceb:OrderHead/ceb:guid||"), 36);
	guid[36] = '\0';
	assert_non_null(strstr(r.xml, guid));
	assert_non_null(strstr(r.log.ptr, "/ceb:Order[2]/ceb:OrderHead/ceb:guid||"));
	assert_non_null(strstr(r.log.ptr, "/ceb:CEB311Message/@guid||"));
	assert_int_equal(occurrences(r.xml, "<ceb:guid>"), 2);
	run_dispose(&r);
	free(xml);
}

/* Currency is fixed to 142: USD is refused as written, never converted. */
static void
test_foreign_currency_refused(void **state)
{
	char *xml = slurp(ORDER_XML);
	struct run r;

	(void)state;
	xml = subst(xml, "<ceb:currency>142</ceb:currency>", "<ceb:currency>USD</ceb:currency>");
	run(&r, xml, strlen(xml), CG_FROM_XML, NULL);
	assert_int_equal(r.emitted, 0);
	assert_int_equal(count(&r, "CG2001", 20, 0), 1);
	assert_non_null(strstr(find(&r, "CG2001")->message_en, "\"USD\""));
	run_dispose(&r);
	free(xml);
}

#define ORDERS_CSV "samples/merchant/orders-en.csv"

/* orders-en.csv with one more column, @p name, holding @p value on every row. */
static char *
csv_with_column(const char *name, const char *value)
{
	char *in = slurp(ORDERS_CSV), *p, *nl;
	cg_buf out = CG_BUF_INIT(1 << 20);
	const char *cell = name;

	for (p = in; (nl = strchr(p, '\n')) != NULL; p = nl + 1, cell = value) {
		assert_int_equal(cg_buf_append(&out, p, (size_t)(nl - p)), CG_OK);
		assert_int_equal(cg_buf_append(&out, ",", 1), CG_OK);
		assert_int_equal(cg_buf_append(&out, cell, strlen(cell)), CG_OK);
		assert_int_equal(cg_buf_append(&out, "\n", 1), CG_OK);
	}
	assert_int_equal(cg_buf_cstr(&out), CG_OK);
	free(in);
	return cg_buf_detach(&out);
}

static char *
write_profile(const char *extra)
{
	char *base = slurp("samples/merchant/default.profile");
	char *path = strdup("/tmp/cg-test-profile-XXXXXX");
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");

	fputs(base, fp);
	fputs(extra, fp);
	fclose(fp);
	free(base);
	return path;
}

/* A column with no field is told once per file and every dropped value is logged. */
static void
test_csv_unknown_column_warned_and_logged(void **state)
{
	char *csv = csv_with_column("giftMessage", "Happy birthday");
	char *profile = src_path("samples/merchant/default.profile");
	char *ignoring = write_profile("[ignore]\ngiftMessage\n");
	struct run r;

	(void)state;
	run(&r, csv, strlen(csv), CG_FROM_CSV, profile);
	assert_int_equal(r.emitted, 6);
	assert_int_equal(count(&r, "CG2009", 1, 34), 1);
	assert_int_equal(cg_findings_count(r.f), 1);
	assert_int_equal(find(&r, "CG2009")->severity, CG_SEV_WARNING);
	assert_non_null(strstr(find(&r, "CG2009")->message_en, "giftMessage"));
	assert_int_equal(occurrences(r.log.ptr, "|Happy birthday||giftMessage"), 10); /* 10 rows */
	assert_non_null(strstr(r.log.ptr, "\n3:34||Happy birthday||"));
	run_dispose(&r);
	/* Listed under [ignore]: dropped on purpose, no finding, no log row. */
	run(&r, csv, strlen(csv), CG_FROM_CSV, ignoring);
	assert_int_equal(r.emitted, 6);
	assert_int_equal(cg_findings_count(r.f), 0);
	assert_null(strstr(r.log.ptr, "Happy birthday"));
	run_dispose(&r);
	unlink(ignoring);
	free(ignoring);
	free(profile);
	free(csv);
}

/* @p s with @p from replaced by @p to on line @p line (1-based) only. */
static char *
subst_on_line(char *s, int line, const char *from, const char *to)
{
	char *start = s, *at;

	while (--line > 0)
		start = strchr(start, '\n') + 1;
	at = strstr(start, from);
	if (at == NULL || (strchr(start, '\n') != NULL && at > strchr(start, '\n')))
		fail_msg("\"%s\" not on that line", from);
	return splice(s, at, strlen(from), to);
}

/* A later row of one order with another head value is an error at that row and column. */
static void
test_csv_conflicting_head_values(void **state)
{
	char *csv = slurp(ORDERS_CSV);
	char *profile = src_path("samples/merchant/default.profile");
	struct run r;

	(void)state;
	/* buyerName (column 12) of order ...0102 differs on its second row, line 4. */
	csv = subst_on_line(csv, 4, "U55100233,吴芳,", "U55100233,王五,");
	run(&r, csv, strlen(csv), CG_FROM_CSV, profile);
	assert_int_equal(count(&r, "CG2010", 4, 12), 1);
	assert_int_equal(count(&r, "CG2010", 0, 0), 1);
	assert_non_null(
		strstr(find(&r, "CG2010")->message_en, "\"王五\" here, \"吴芳\" on line 3"));
	assert_int_equal(r.emitted, 5);
	assert_int_equal(r.stats.rejected, 1);
	run_dispose(&r);
	free(profile);
	free(csv);
}

/* A formula cell (CG2007) is reported at its CSV line and column and at the field's XPath. */
static void
test_csv_formula_cell_path(void **state)
{
	char *csv = slurp(ORDERS_CSV);
	char *profile = src_path("samples/merchant/default.profile");
	const cg_finding *x;
	struct run r;

	(void)state;
	csv = subst_on_line(csv, 4, "U55100233,吴芳,", "U55100233,=HYPERLINK(1),");
	run(&r, csv, strlen(csv), CG_FROM_CSV, profile);
	assert_int_equal(count(&r, "CG2007", 4, 12), 1);
	x = find(&r, "CG2007");
	assert_non_null(x);
	assert_non_null(strstr(x->xpath, "/ceb:buyerName"));
	run_dispose(&r);
	free(profile);
	free(csv);
}

/* Values that normalize alike (" 10" and "10.00", full-width digits) are no conflict. */
static void
test_csv_equal_head_values_agree(void **state)
{
	char *csv = slurp(ORDERS_CSV);
	char *profile = src_path("samples/merchant/default.profile");
	struct run r;

	(void)state;
	/* Line 4 repeats the head of order ...0102 (line 3). */
	csv = subst_on_line(csv, 4, ",10.00,", ", 10,");
	csv = subst_on_line(csv, 4, "吴芳,13808080102,1,", "吴芳,１３８０８０８０１０２,1,");
	run(&r, csv, strlen(csv), CG_FROM_CSV, profile);
	assert_int_equal(count(&r, "CG2010", 0, 0), 0);
	assert_int_equal(cg_findings_count_sev(r.f, CG_SEV_ERROR), 0);
	assert_int_equal(r.emitted, 6);
	run_dispose(&r);
	free(profile);
	free(csv);
}

/* A line over the limit is refused and skipped; the records after it are normalized. */
static void
test_ndjson_long_line_skipped(void **state)
{
	char *nd = slurp("samples/merchant/orders.ndjson");
	char *profile = src_path("samples/merchant/default.profile");
	size_t big = 1024 * 1024 + 100, first = (size_t)(strchr(nd, '\n') - nd) + 1;
	char *text = malloc(big + first + 16);
	struct run r;

	(void)state;
	assert_non_null(text);
	memcpy(text, "{\"note\":\"", 9);
	memset(text + 9, 'x', big);
	memcpy(text + 9 + big, "\"}\n", 3);
	memcpy(text + 12 + big, nd, first);
	run(&r, text, 12 + big + first, CG_FROM_NDJSON, profile);
	assert_int_equal(count(&r, "CG2004", 1, 0), 1);
	assert_non_null(strstr(find(&r, "CG2004")->message_en, "longer than 1048576 bytes"));
	assert_int_equal(r.emitted, 1);
	assert_int_equal(r.stats.records, 1);
	run_dispose(&r);
	free(text);
	free(profile);
	free(nd);
}

/* Line @p n (1-based) of @p text, without its newline; free() it. */
static char *
line_of(const char *text, int n)
{
	while (--n > 0)
		text = strchr(text, '\n') + 1;
	return strndup(text, (size_t)(strchr(text, '\n') - text));
}

/* Unknown keys: one warning per name and file, one log row per value; trailing data is an error. */
static void
test_ndjson_unknown_keys(void **state)
{
	char *nd = slurp("samples/merchant/orders.ndjson");
	char *profile = src_path("samples/merchant/default.profile");
	char *l1 = line_of(nd, 1), *l2 = line_of(nd, 2), *l3 = line_of(nd, 3);
	size_t size = strlen(nd) + 128;
	char *text = malloc(size);
	struct run r;

	(void)state;
	assert_non_null(text);
	snprintf(text, size, "{\"giftWrap\":true,%s\n{\"giftWrap\":false,%s\n%s {\"orderNo\":\"x\"}\n",
		 l1 + 1, l2 + 1, l3);
	run(&r, text, strlen(text), CG_FROM_NDJSON, profile);
	assert_int_equal(count(&r, "CG2009", 1, 0), 1);
	assert_int_equal(count(&r, "CG2009", 0, 0), 1);
	assert_non_null(strstr(r.log.ptr, "1:0||true||giftWrap"));
	assert_non_null(strstr(r.log.ptr, "2:0||false||giftWrap"));
	assert_int_equal(count(&r, "CG2004", 3, 0), 1);
	assert_int_equal(r.emitted, 2);
	run_dispose(&r);
	free(text);
	free(l1);
	free(l2);
	free(l3);
	free(profile);
	free(nd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trim_and_fullwidth), cmocka_unit_test(test_dates),
		cmocka_unit_test(test_numbers),		   cmocka_unit_test(test_codes),
		cmocka_unit_test(test_csv_rows),	   cmocka_unit_test(test_csv_gb18030_and_errors),
		cmocka_unit_test(test_profile),
		cmocka_unit_test(test_xml_control),
		cmocka_unit_test(test_xml_unknown_element_is_an_error),
		cmocka_unit_test(test_xml_other_strays),
		cmocka_unit_test(test_xml_namespace_repair_logged),
		cmocka_unit_test(test_generated_guids_logged),
		cmocka_unit_test(test_foreign_currency_refused),
		cmocka_unit_test(test_csv_unknown_column_warned_and_logged),
		cmocka_unit_test(test_csv_conflicting_head_values),
		cmocka_unit_test(test_csv_formula_cell_path),
		cmocka_unit_test(test_csv_equal_head_values_agree),
		cmocka_unit_test(test_ndjson_long_line_skipped),
		cmocka_unit_test(test_ndjson_unknown_keys),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
