/* SPDX-License-Identifier: MIT */
/*
 * The code tables: each shipped table's size and known rows (against the
 * reference tables they come from), editions picked by date, the findings that
 * name them, the positive list partial and complete, and the import.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "test_files.h"
#include "cebgate/cebgate.h"
#include "cebgate/codes.h"
#include "ceb/codes.h"
#include "ceb/rules.h" /* cg__tax_rate_readable */

#define P621L "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryList"

struct fixture {
	cg_ctx *ctx;
	struct cg_codes *codes;   /* the shipped tables */
	char tmp[64];             /* a codes directory with the test editions */
	struct cg_codes *fixture; /* the tables of tmp */
	cg_validator *shipped;    /* validators over each */
	cg_validator *edited;
};

static struct fixture *fx;

static const char *
srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s != NULL && *s != '\0' ? s : CG_ABS_SRCDIR;
}

static const char *const tables[] = { "country", "currency", "unit", "transport", "wrap",
				      "customs", "idtype", "trademode", "port", "domport" };

static int
link_to(const char *target, const char *dir, const char *name)
{
	char path[8192];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);

	return n > 0 && (size_t)n < sizeof(path) ? symlink(target, path) : -1;
}

/*
 * A codes directory of the shipped tables plus the test fixtures: the "2025"
 * tariff beside the real 2026 one, and a "complete" positive list.
 */
static int
make_fixture_dir(char *tmp)
{
	char a[2048], b[2048];
	size_t i;

	if (mkdtemp(tmp) == NULL)
		return -1;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		(void)snprintf(a, sizeof(a), "%s/schemas/codes/%s", srcdir(), tables[i]);
		if (link_to(a, tmp, tables[i]) != 0)
			return -1;
	}
	(void)snprintf(a, sizeof(a), "%s/hs", tmp);
	(void)snprintf(b, sizeof(b), "%s/positive", tmp);
	if (mkdir(a, 0700) != 0 || mkdir(b, 0700) != 0)
		return -1;
	(void)snprintf(b, sizeof(b), "%s/schemas/codes/hs/2026.tsv", srcdir());
	if (link_to(b, a, "2026.tsv") != 0)
		return -1;
	(void)snprintf(b, sizeof(b), "%s/tests/data/codes/hs/2025.tsv", srcdir());
	if (link_to(b, a, "2025.tsv") != 0)
		return -1;
	(void)snprintf(a, sizeof(a), "%s/positive", tmp);
	(void)snprintf(b, sizeof(b), "%s/tests/data/codes/positive/2022.tsv", srcdir());
	return link_to(b, a, "2022.tsv");
}

static int
group_setup(void **state)
{
	static struct fixture f;

	(void)snprintf(f.tmp, sizeof(f.tmp), "%s", "/tmp/cg-codes.XXXXXX");
	if (setenv("CEBGATE_DATADIR", srcdir(), 1) != 0 || unsetenv("CEBGATE_CODES_DIR") != 0 ||
	    cg_global_init() != CG_OK || cg_ctx_new(&f.ctx) != CG_OK || make_fixture_dir(f.tmp) != 0)
		return -1;
	if (cg__codes_load(&f.codes, f.ctx, srcdir()) != CG_OK ||
	    cg_validator_new(&f.shipped, f.ctx, NULL, CG_VALIDATE_UNSIGNED) != CG_OK) {
		fprintf(stderr, "# shipped tables: %s\n", cg_ctx_errmsg(f.ctx));
		return -1;
	}
	/* The fixture directory through the environment, as an operator would point to it. */
	if (setenv("CEBGATE_CODES_DIR", f.tmp, 1) != 0 ||
	    cg_validator_new(&f.edited, f.ctx, NULL, CG_VALIDATE_UNSIGNED) != CG_OK ||
	    cg__codes_load(&f.fixture, f.ctx, srcdir()) != CG_OK || unsetenv("CEBGATE_CODES_DIR") != 0) {
		fprintf(stderr, "# fixture tables: %s\n", cg_ctx_errmsg(f.ctx));
		return -1;
	}
	fx = &f;
	*state = &f;
	return 0;
}

static void
remove_tree(const char *tmp)
{
	char path[4096];
	size_t i;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", tmp, tables[i]);
		(void)unlink(path);
	}
	(void)snprintf(path, sizeof(path), "%s/hs/2025.tsv", tmp);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/hs/2026.tsv", tmp);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/positive/2022.tsv", tmp);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/hs", tmp);
	(void)rmdir(path);
	(void)snprintf(path, sizeof(path), "%s/positive", tmp);
	(void)rmdir(path);
	(void)rmdir(tmp);
}

static int
group_teardown(void **state)
{
	(void)state;
	cg_validator_free(fx->shipped);
	cg_validator_free(fx->edited);
	cg__codes_free(fx->codes);
	cg__codes_free(fx->fixture);
	remove_tree(fx->tmp);
	cg_ctx_free(fx->ctx);
	cg_global_shutdown();
	return 0;
}

/* ---- helpers ------------------------------------------------------------------------ */

static char *
inventory(void)
{
	char path[4096];

	(void)snprintf(path, sizeof(path), "%s/samples/xml/unsigned/CEB621-inventory.xml", srcdir());
	return test_read_file(path, NULL);
}

/* Replace the first occurrence of @p from in @p doc (which is freed) by @p to. */
static char *
subst(char *doc, const char *from, const char *to)
{
	char *at = strstr(doc, from), *out;
	size_t head, flen = strlen(from), tlen = strlen(to);

	if (at == NULL)
		fail_msg("mutation target \"%s\" not found", from);
	head = (size_t)(at - doc);
	out = malloc(strlen(doc) - flen + tlen + 1);
	assert_non_null(out);
	memcpy(out, doc, head);
	memcpy(out + head, to, tlen);
	memcpy(out + head + tlen, at + flen, strlen(at + flen) + 1);
	free(doc);
	return out;
}

/* The sample inventory declared on @p date8 with its first gcode replaced by @p gcode. */
static char *
dated(const char *date8, const char *gcode)
{
	char decl[64], code[64];

	(void)snprintf(decl, sizeof(decl), "<ceb:declTime>%s<", date8);
	(void)snprintf(code, sizeof(code), ">%s<", gcode);
	return subst(subst(inventory(), "<ceb:declTime>20241111<", decl), ">1901101010<", code);
}

static cg_findings *
check(cg_validator *v, char *doc, int *valid)
{
	cg_findings *f = NULL;

	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(cg_validate_buffer(v, fx->ctx, doc, strlen(doc), "t.xml", f, valid), CG_OK);
	assert_int_equal(cg_validate_finish(v, fx->ctx, f), CG_OK);
	free(doc);
	return f;
}

static const cg_finding *
find_code(const cg_findings *f, const char *code)
{
	size_t i;

	for (i = 0; i < cg_findings_count(f); i++) {
		if (strcmp(cg_findings_get(f, i)->code, code) == 0)
			return cg_findings_get(f, i);
	}
	return NULL;
}

static size_t
rows(const struct cg_codes *c, enum cg_table t)
{
	const struct cg_edition *e = cg__codes_edition_at(c, t, NULL, NULL);

	assert_non_null(e);
	return e->rows;
}

/* The value of column @p col in @p code's row of table @p t, in force today. */
static const char *
cell(enum cg_table t, const char *code, const char *col)
{
	const char *names[16], *vals[16];
	size_t n = cg__codes_row(fx->codes, t, code, NULL, NULL, names, vals, 16), i;

	for (i = 0; i < n; i++) {
		if (strcmp(names[i], col) == 0)
			return vals[i];
	}
	return NULL;
}

/* ---- the shipped tables against their sources --------------------------------------- */

static void
test_row_counts(void **state)
{
	(void)state;
	/* /work/shared/data (see scripts/codes-from-reference): rows of each reference table. */
	assert_int_equal(rows(fx->codes, CG_T_CUSTOMS), 1161 + 1); /* + 4025 from ceb-spec §9.7 */
	assert_int_equal(rows(fx->codes, CG_T_HS), 12030);
	assert_int_equal(rows(fx->codes, CG_T_UNIT), 123);
	assert_int_equal(rows(fx->codes, CG_T_COUNTRY), 242);
	assert_int_equal(rows(fx->codes, CG_T_PORT), 4270);
	assert_int_equal(rows(fx->codes, CG_T_DOMPORT), 1313);
	assert_int_equal(rows(fx->codes, CG_T_TRADEMODE), 102 + 2); /* + 9710, 9810 (spec) */
	assert_int_equal(rows(fx->codes, CG_T_CURRENCY), 23);       /* ceb-spec §9.2 */
	assert_int_equal(rows(fx->codes, CG_T_POSITIVE), 2);
	assert_int_equal(rows(fx->codes, CG_T_TRANSPORT), 15);
	assert_int_equal(rows(fx->codes, CG_T_WRAP), 7);
	assert_int_equal(rows(fx->codes, CG_T_IDTYPE), 2);
}

static void
test_editions_named(void **state)
{
	const struct cg_edition *hs = cg__codes_edition_at(fx->codes, CG_T_HS, NULL, NULL);
	const struct cg_edition *pos = cg__codes_edition_at(fx->codes, CG_T_POSITIVE, NULL, NULL);
	const struct cg_edition *cus = cg__codes_edition_at(fx->codes, CG_T_CUSTOMS, NULL, NULL);

	(void)state;
	assert_string_equal(hs->edition, "2026");
	assert_string_equal(hs->effective, "2026-01-01");
	assert_true(hs->complete);
	assert_non_null(strstr(hs->source, "hscode-data"));
	assert_string_equal(pos->edition, "2022");
	assert_false(pos->complete);
	assert_non_null(strstr(pos->source, "ceb-spec.md"));
	assert_false(cus->complete);
	assert_string_equal(cus->effective, "2018-12-25");
}

static void
test_customs_rows(void **state)
{
	(void)state;
	assert_string_equal(cell(CG_T_CUSTOMS, "4600", "zh"), "郑州关区");
	assert_string_equal(cell(CG_T_CUSTOMS, "4604", "zh"), "郑州机办");
	assert_string_equal(cell(CG_T_CUSTOMS, "4606", "zh"), "郑铁东办");
	assert_string_equal(cell(CG_T_CUSTOMS, "4612", "zh"), "郑州新郑综合保税区");
	assert_string_equal(cell(CG_T_CUSTOMS, "5349", "short"), "前海港区");
	assert_true(cg__codes_has(fx->codes, CG_T_CUSTOMS, "0000"));
	assert_false(cg__codes_has(fx->codes, CG_T_CUSTOMS, "0099"));
}

static void
test_tariff_rows(void **state)
{
	const struct cg_hs *a = cg__codes_hs(fx->codes, "1901101010");
	const struct cg_hs *b = cg__codes_hs(fx->codes, "1901101090");
	const struct cg_hs *wine = cg__codes_hs(fx->codes, "2204210000");
	const struct cg_hs *petrol = cg__codes_hs(fx->codes, "2710121000");

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->unit1, "035");
	assert_string_equal(b->unit1, "035");
	assert_string_equal(a->unit2, "");
	assert_true(a->vat == CG_DEC_ONE * 13 / 100);
	assert_true(b->vat == CG_DEC_ONE * 13 / 100);
	assert_true(a->ct_plain && a->ct == 0);
	assert_string_equal(a->supervision, "7AB");
	assert_string_equal(b->provisional, "5%");
	/* The 2026 tariff splits the old 1901101000. */
	assert_null(cg__codes_hs(fx->codes, "1901101000"));
	/* Wine: a second unit and an ad-valorem consumption tax of 10 %. */
	assert_non_null(wine);
	assert_string_equal(wine->unit1, "095");
	assert_string_equal(wine->unit2, "035");
	assert_true(wine->ct_plain && wine->ct == CG_DEC_ONE / 10);
	/* Petrol: consumption tax per litre, kept as written and not mistaken for a rate. */
	assert_non_null(petrol);
	assert_false(petrol->ct_plain);
	assert_non_null(strstr(petrol->ct_text, "元/升"));
	assert_true(petrol->ct == 0);
}

static void
test_unit_country_trademode_rows(void **state)
{
	(void)state;
	assert_string_equal(cell(CG_T_UNIT, "011", "zh"), "件");
	assert_string_equal(cell(CG_T_UNIT, "035", "zh"), "千克");
	assert_string_equal(cell(CG_T_UNIT, "122", "zh"), "罐");
	assert_string_equal(cell(CG_T_UNIT, "142", "zh"), "瓶");
	/* The normalizer's mappings still work: names, ISO codes, aliases. */
	assert_string_equal(cg__codes_map(fx->codes, CG_T_UNIT, "千克"), "035");
	assert_string_equal(cg__codes_map(fx->codes, CG_T_COUNTRY, "CN"), "142");
	assert_string_equal(cg__codes_map(fx->codes, CG_T_COUNTRY, "usa"), "502");
	assert_string_equal(cg__codes_map(fx->codes, CG_T_COUNTRY, "中国香港"), "110");
	assert_string_equal(cg__codes_map(fx->codes, CG_T_CURRENCY, "CNY"), "142");
	assert_string_equal(cell(CG_T_COUNTRY, "142", "zh"), "中国");
	/* Import inventories accept 9610 and 1210; 9710 and 9810 are export modes. */
	assert_true(cg__codes_import(fx->codes, CG_T_TRADEMODE, "1210"));
	assert_true(cg__codes_import(fx->codes, CG_T_TRADEMODE, "9610"));
	assert_true(cg__codes_has(fx->codes, CG_T_TRADEMODE, "9710"));
	assert_false(cg__codes_import(fx->codes, CG_T_TRADEMODE, "9710"));
	assert_false(cg__codes_import(fx->codes, CG_T_TRADEMODE, "9810"));
	assert_false(cg__codes_import(fx->codes, CG_T_TRADEMODE, "0110"));
	assert_string_equal(cell(CG_T_DOMPORT, "410001", "zh"), "郑州");
	assert_string_equal(cell(CG_T_PORT, "ABW000", "zh"), "阿鲁巴");
}

/*
 * Every rate of the shipped tariff is in a form the tax computation reads:
 * only the blanks the source has (consumption tax of 2402200000 and 2402900001,
 * VAT and consumption tax and duty of 5201000080) are left, and those say so (CG1026).
 */
static void
test_tariff_rates_readable(void **state)
{
	size_t n, i, blank = 0;
	const char *const *codes = cg__codes_codes(fx->codes, CG_T_HS, 0, &n);

	(void)state;
	assert_int_equal(n, 12030);
	for (i = 0; i < n; i++) {
		const struct cg_hs *hs = cg__codes_hs(fx->codes, codes[i]);
		const char *forms[] = { hs->vat_text, hs->ct_text, hs->mfn, hs->provisional };
		size_t k;

		for (k = 0; k < 4; k++) {
			if (forms[k][0] == '\0') {
				blank += k != 3;
				continue;
			}
			if (!cg__tax_rate_readable(forms[k]))
				fail_msg("%s: rate \"%s\" not read", codes[i], forms[k]);
		}
	}
	assert_int_equal(blank, 2 + 3);
	/* The forms themselves, and what is not one. */
	assert_true(cg__tax_rate_readable("20%+0.912元/升"));
	assert_true(cg__tax_rate_readable("完税价不高于7.5元/千克：20%，完税价高于7.5元/千克：0%+1.5元/千克。"));
	assert_false(cg__tax_rate_readable("5"));
	assert_false(cg__tax_rate_readable("13%%"));
	assert_false(cg__tax_rate_readable("完税价大于等于10000元：15%，完税价小于9000元：0。"));
	assert_false(cg__tax_rate_readable("从量"));
}

/* ---- editions by date --------------------------------------------------------------- */

static void
test_edition_by_date(void **state)
{
	struct cg_edition_use use = { 0 };
	char phrase[256];

	(void)state;
	assert_non_null(cg__codes_hs_at(fx->fixture, "1901101000", "20250601120000", &use));
	assert_string_equal(use.ed->edition, "2025");
	assert_false(use.before_oldest);
	assert_null(cg__codes_hs_at(fx->fixture, "1901101000", "20260101000000", &use));
	assert_string_equal(use.ed->edition, "2026");
	assert_null(cg__codes_hs_at(fx->fixture, "1901101090", "2025-12-31", &use));
	assert_string_equal(use.ed->edition, "2025");
	/* Before every edition: the oldest, and the phrase says so. */
	assert_non_null(cg__codes_hs_at(fx->fixture, "1901101000", "20240101", &use));
	assert_string_equal(use.ed->edition, "2025");
	assert_true(use.before_oldest);
	cg__edition_phrase(&use, false, phrase, sizeof(phrase));
	assert_non_null(strstr(phrase, "edition 2025, in force since 2025-01-01"));
	assert_non_null(strstr(phrase, "oldest"));
	cg__edition_phrase(&use, true, phrase, sizeof(phrase));
	assert_non_null(strstr(phrase, "最早版本"));
	/* The shipped set has only 2026. */
	assert_int_equal(cg__codes_edition_count(fx->codes, CG_T_HS), 1);
	assert_int_equal(cg__codes_edition_count(fx->fixture, CG_T_HS), 2);
}

static void
test_edition_findings(void **state)
{
	cg_findings *f;
	const cg_finding *x;
	int valid;

	(void)state;
	/* 2025-dated with 1901101000: in the 2025 tariff, accepted. */
	f = check(fx->edited, dated("20250601", "1901101000"), &valid);
	assert_int_equal(valid, 1);
	assert_null(find_code(f, "CG1025"));
	cg_findings_free(f);
	/* 2026-dated with the same code: refused, naming the 2026 tariff. */
	f = check(fx->edited, dated("20260601", "1901101000"), &valid);
	assert_int_equal(valid, 0);
	x = find_code(f, "CG1025");
	assert_non_null(x);
	assert_int_equal(x->severity, CG_SEV_ERROR);
	assert_string_equal(x->xpath, P621L "[1]/ceb:gcode");
	assert_non_null(strstr(x->message_en, "2026 tariff (edition 2026, in force since 2026-01-01)"));
	assert_non_null(strstr(x->message_zh, "2026"));
	cg_findings_free(f);
	/* 2025-dated with a code the 2026 tariff created: refused, naming 2025. */
	f = check(fx->edited, dated("20250601", "1901101090"), &valid);
	assert_int_equal(valid, 0);
	x = find_code(f, "CG1025");
	assert_non_null(x);
	assert_non_null(strstr(x->message_en, "edition 2025, in force since 2025-01-01"));
	cg_findings_free(f);
	/* The shipped tables: 1901101000 is not a 2026 code, whatever the date (oldest used). */
	f = check(fx->shipped, dated("20241111", "1901101000"), &valid);
	assert_int_equal(valid, 0);
	x = find_code(f, "CG1025");
	assert_non_null(x);
	assert_non_null(strstr(x->message_en, "precedes every installed edition"));
	cg_findings_free(f);
}

/* ---- the positive list: partial warns, complete refuses ----------------------------- */

static void
test_positive_partial_and_complete(void **state)
{
	cg_findings *f;
	const cg_finding *x;
	int valid;

	(void)state;
	/* 1901109000 (unit 035) is in the tariff but on neither list. */
	f = check(fx->shipped, dated("20260601", "1901109000"), &valid);
	x = find_code(f, "CG1008");
	assert_non_null(x);
	assert_int_equal(x->severity, CG_SEV_WARNING);
	assert_int_equal(valid, 1);
	assert_non_null(strstr(x->message_en, "partial"));
	assert_non_null(strstr(x->message_en, "edition 2022"));
	assert_non_null(strstr(x->message_zh, "不完整"));
	cg_findings_free(f);
	f = check(fx->edited, dated("20260601", "1901109000"), &valid);
	x = find_code(f, "CG1008");
	assert_non_null(x);
	assert_int_equal(x->severity, CG_SEV_ERROR);
	assert_int_equal(valid, 0);
	assert_null(strstr(x->message_en, "partial"));
	cg_findings_free(f);
	/* The 8-digit line 19011010 of the complete list covers 1901101090. */
	f = check(fx->edited, dated("20260601", "1901101090"), &valid);
	assert_null(find_code(f, "CG1008"));
	assert_int_equal(valid, 1);
	cg_findings_free(f);
	assert_non_null(cg__codes_positive_at(fx->fixture, "1901101010", NULL, NULL));
	assert_null(cg__codes_positive_at(fx->fixture, "1901109000", NULL, NULL));
}

/* A district the 2018 table lacks is a warning that says the table is partial. */
static void
test_partial_table_warns(void **state)
{
	cg_findings *f;
	const cg_finding *x;
	int valid;

	(void)state;
	f = check(fx->shipped,
		  subst(inventory(), "<ceb:customsCode>5349<", "<ceb:customsCode>0099<"), &valid);
	x = find_code(f, "CG1014");
	assert_non_null(x);
	assert_int_equal(x->severity, CG_SEV_WARNING);
	assert_non_null(strstr(x->message_en, "partial"));
	assert_non_null(strstr(x->message_en, "edition 2018"));
	assert_int_equal(valid, 1);
	cg_findings_free(f);
	/* 4606 (郑铁东办), unknown to the old sample table, is accepted. */
	f = check(fx->shipped, subst(inventory(), "<ceb:customsCode>5349<", "<ceb:customsCode>4606<"),
		  &valid);
	assert_null(find_code(f, "CG1014"));
	cg_findings_free(f);
}

/* Expect @p doc to give CG1014 of severity @p sev at @p xpath, whose message holds @p text. */
static void
expect_table(char *doc, cg_severity sev, const char *xpath, const char *text)
{
	int valid;
	cg_findings *f = check(fx->shipped, doc, &valid);
	const cg_finding *x = find_code(f, "CG1014");

	assert_non_null(x);
	assert_int_equal(x->severity, sev);
	assert_int_equal(valid, sev == CG_SEV_ERROR ? 0 : 1);
	assert_string_equal(x->xpath, xpath);
	if (strstr(x->message_en, text) == NULL)
		fail_msg("\"%s\" not in \"%s\"", text, x->message_en);
	cg_findings_free(f);
}

/* A code the shipped real tables hold is accepted in a message (no CG1014). */
static void
expect_accepted(char *doc)
{
	int valid;
	cg_findings *f = check(fx->shipped, doc, &valid);

	assert_null(find_code(f, "CG1014"));
	assert_int_equal(valid, 1);
	cg_findings_free(f);
}

#define P621H "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryHead/ceb:"

/*
 * Each coded field of an inventory against its real table: districts for the
 * customs and port codes, countries, currencies, units and trade modes.
 */
static void
test_real_tables_in_messages(void **state)
{
	(void)state;
	/* The port of entry 4612 (郑州新郑综合保税区) and the district 4606 (郑铁东办). */
	expect_accepted(subst(subst(inventory(), "<ceb:customsCode>5349<", "<ceb:customsCode>4606<"),
			      "<ceb:portCode>5349<", "<ceb:portCode>4612<"));
	expect_table(subst(inventory(), "<ceb:portCode>5349<", "<ceb:portCode>0099<"),
		     CG_SEV_WARNING, P621H "portCode", "not in the customs table (edition 2018");
	/* Countries: 344 (俄罗斯联邦) is one, 998 none. */
	expect_accepted(subst(inventory(), "<ceb:country>116<", "<ceb:country>344<"));
	expect_table(subst(inventory(), "<ceb:country>116<", "<ceb:country>998<"), CG_SEV_ERROR,
		     P621L "[2]/ceb:country", "not in the country table (edition 2018");
	/* Currencies: the import schemas fix 142 (CG0100); the partial table only warns besides. */
	{
		int valid;
		cg_findings *f = check(fx->shipped,
				       subst(inventory(), "<ceb:currency>142<", "<ceb:currency>999<"),
				       &valid);
		const cg_finding *x = find_code(f, "CG1014");

		assert_int_equal(valid, 0);
		assert_non_null(find_code(f, "CG0100"));
		assert_non_null(x);
		assert_int_equal(x->severity, CG_SEV_WARNING);
		assert_non_null(strstr(x->message_en, "currency table (edition 2018"));
		cg_findings_free(f);
	}
	/* Units: 140 (盒) is one, 024 is none of JGS-20. */
	expect_accepted(subst(inventory(), "<ceb:unit>142<", "<ceb:unit>140<"));
	expect_table(subst(inventory(), "<ceb:unit>142<", "<ceb:unit>024<"), CG_SEV_ERROR,
		     P621L "[2]/ceb:unit", "not in the unit table (edition 2018");
	/* Trade modes: 9610 is one; 1239 (保税电商A) is known but no import mode of the standard. */
	expect_table(subst(inventory(), "<ceb:tradeMode>1210<", "<ceb:tradeMode>1239<"),
		     CG_SEV_ERROR, P621H "tradeMode",
		     "1239 (保税电商A) is a code of the trademode table, but not one of cross-border "
		     "e-commerce import");
	expect_table(subst(inventory(), "<ceb:tradeMode>1210<", "<ceb:tradeMode>9710<"),
		     CG_SEV_ERROR, P621H "tradeMode", "9710 is an export code");
	expect_table(subst(inventory(), "<ceb:tradeMode>1210<", "<ceb:tradeMode>1299<"),
		     CG_SEV_ERROR, P621H "tradeMode", "not in the trademode table");
}

/* ---- import ------------------------------------------------------------------------- */

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void
test_import(void **state)
{
	char dir[] = "/tmp/cg-import.XXXXXX", in[256], out[256], sub[256];
	struct cg_codes_import_opts o = { "positive", "2023", "2023-03-01", true, "test", NULL };
	struct cg_edition_use use = { 0 };
	size_t n = 0;
	char *text;

	(void)state;
	assert_non_null(mkdtemp(dir));
	o.outdir = dir;
	(void)snprintf(in, sizeof(in), "%s/list.csv", dir);
	(void)snprintf(out, sizeof(out), "%s/positive/2023.tsv", dir);
	(void)snprintf(sub, sizeof(sub), "%s/positive", dir);
	/* The published layout: 序号, 税则号列 (8 or 10 digits, dotted or not), 商品描述, 监管要求. */
	write_file(in, "\xEF\xBB\xBF序号,税则号列,商品描述,监管要求\n"
		       "1,0101.2100,改良种用马,\n"
		       "2,1901101090,\"配方奶粉,零售包装\",限个人自用\n");
	assert_int_equal(cg_codes_import(fx->ctx, in, &o, &n), CG_OK);
	assert_int_equal(n, 2);
	text = test_read_file(out, NULL);
	assert_non_null(strstr(text, "# edition: 2023\n# effective: 2023-03-01\n# complete: yes\n"));
	assert_non_null(strstr(text, "#columns:code\tzh\tnote\n01012100\t改良种用马\t\n"));
	assert_non_null(strstr(text, "1901101090\t配方奶粉,零售包装\t限个人自用\n"));
	free(text);
	assert_int_equal(cg__codes_check_file(fx->ctx, CG_T_POSITIVE, out, "2023", &n), CG_OK);
	assert_int_equal(n, 2);
	/* A 7-digit line is refused with its line; the installed edition stays as it was. */
	write_file(in, "序号,税则号列,商品描述\n1,01012100,马\n2,0101210,马\n");
	assert_int_not_equal(cg_codes_import(fx->ctx, in, &o, &n), CG_OK);
	assert_non_null(strstr(cg_ctx_errmsg(fx->ctx), "line 3"));
	text = test_read_file(out, NULL);
	assert_non_null(strstr(text, "1901101090"));
	free(text);
	/* A short row, a duplicate code and a missing code column are refused too. */
	write_file(in, "税则号列,商品描述\n01012100\n");
	assert_int_not_equal(cg_codes_import(fx->ctx, in, &o, &n), CG_OK);
	assert_non_null(strstr(cg_ctx_errmsg(fx->ctx), "line 2"));
	write_file(in, "税则号列,商品描述\n01012100,a\n01012100,b\n");
	assert_int_not_equal(cg_codes_import(fx->ctx, in, &o, &n), CG_OK);
	assert_non_null(strstr(cg_ctx_errmsg(fx->ctx), "twice"));
	write_file(in, "商品描述\na\n");
	assert_int_not_equal(cg_codes_import(fx->ctx, in, &o, &n), CG_OK);
	/* GB18030: 税则号列 in GB18030 bytes is still the code column. */
	write_file(in, "\xCB\xB0\xD4\xF2\xBA\xC5\xC1\xD0\t\xC9\xCC\xC6\xB7\xC3\xE8\xCA\xF6\n"
		       "19011010\t\xC4\xCC\xB7\xDB\n");
	o.edition = "2024";
	o.effective = "2024-01-01";
	assert_int_equal(cg_codes_import(fx->ctx, in, &o, &n), CG_OK);
	(void)snprintf(out, sizeof(out), "%s/positive/2024.tsv", dir);
	text = test_read_file(out, NULL);
	assert_non_null(strstr(text, "19011010\t奶粉\n"));
	assert_non_null(strstr(text, "GB18030"));
	free(text);
	/* Bad options. */
	o.effective = "2024-02-30";
	assert_int_equal(cg_codes_import(fx->ctx, in, &o, &n), CG_EINVAL);
	o.effective = "2024-01-01";
	o.edition = "../x";
	assert_int_equal(cg_codes_import(fx->ctx, in, &o, &n), CG_EINVAL);
	(void)use;
	(void)unlink(in);
	(void)unlink(out);
	(void)snprintf(out, sizeof(out), "%s/positive/2023.tsv", dir);
	(void)unlink(out);
	(void)rmdir(sub);
	(void)rmdir(dir);
}

/* A malformed table refuses to load and says where. */
static void
test_malformed_table(void **state)
{
	char dir[] = "/tmp/cg-bad.XXXXXX", path[256];
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/2027.tsv", dir);
	write_file(path, "# edition: 2027\n# effective: 2027-01-01\n#columns:code\tzh\tunit1\tunit2\t"
			 "vat\tct\n1901101090\t奶粉\t035\t\t13%\t0%\n1901101010\t奶粉\t035\n");
	assert_int_equal(cg__codes_check_file(fx->ctx, CG_T_HS, path, "2027", &n), CG_EPARSE);
	assert_non_null(strstr(cg_ctx_errmsg(fx->ctx), ":5: 3 cells"));
	write_file(path, "# edition: 2026\n# effective: 2027-01-01\n#columns:code\tzh\n");
	assert_int_equal(cg__codes_check_file(fx->ctx, CG_T_UNIT, path, "2027", &n), CG_EPARSE);
	write_file(path, "# effective: 2027-13-01\n#columns:code\tzh\n001\ta\n");
	assert_int_equal(cg__codes_check_file(fx->ctx, CG_T_UNIT, path, "2027", &n), CG_EPARSE);
	(void)unlink(path);
	(void)rmdir(dir);
}

/* A reload makes the new set the shared one; holders of the old keep it until they let go. */
static void
test_reload_shares(void **state)
{
	struct cg_codes *a = NULL, *b = NULL, *held = NULL;

	(void)state;
	assert_int_equal(cg__codes_load(&a, fx->ctx, srcdir()), CG_OK);
	assert_true(a == fx->codes); /* loaded once, shared */
	assert_false(cg__codes_stale(a));
	assert_int_equal(cg__codes_reload(&held, fx->ctx, srcdir()), CG_OK);
	assert_true(held != a);
	assert_true(cg__codes_stale(a));
	assert_int_equal(cg__codes_load(&b, fx->ctx, srcdir()), CG_OK);
	assert_true(b == held);
	/* The old set still answers. */
	assert_non_null(cg__codes_hs(a, "1901101090"));
	assert_true(cg__codes_renew(&a));
	assert_true(a == held);
	cg__codes_free(a);
	cg__codes_free(b);
	cg__codes_free(held);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_counts),
		cmocka_unit_test(test_editions_named),
		cmocka_unit_test(test_customs_rows),
		cmocka_unit_test(test_tariff_rows),
		cmocka_unit_test(test_tariff_rates_readable),
		cmocka_unit_test(test_unit_country_trademode_rows),
		cmocka_unit_test(test_edition_by_date),
		cmocka_unit_test(test_edition_findings),
		cmocka_unit_test(test_positive_partial_and_complete),
		cmocka_unit_test(test_partial_table_warns),
		cmocka_unit_test(test_real_tables_in_messages),
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_malformed_table),
		cmocka_unit_test(test_reload_shares),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
