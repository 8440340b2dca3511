/* SPDX-License-Identifier: MIT */
/* Tests of the public validation API (validate.h, report.h) over samples and mutations of them. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "test_files.h"
#include <jansson.h>
#include "cebgate/cebgate.h"
#include "ceb/schema.h" /* cg__schemas_compilations */
#include "ceb/rules.h"  /* cg__tax_lines */
#include "util/xml.h"

#define ORDER "unsigned/CEB311-order.xml"
#define PAYMENT "unsigned/CEB411-payment.xml"
#define WAYBILL "unsigned/CEB511-waybill.xml"
#define STATUS "unsigned/CEB513-status.xml"
#define INVENTORY "unsigned/CEB621-inventory.xml"
#define INVENTORY_9610 "unsigned/CEB621-inventory-9610.xml"
#define CANCEL "unsigned/CEB623-cancel.xml"
#define RETURN "unsigned/CEB625-return.xml"
#define DELIVERY "unsigned/CEB711-delivery.xml"
#define TAXBILL "unsigned/CEB816-taxbill.xml"
#define TAXBILL_STATUS "unsigned/CEB818-taxbill-status.xml"

#define P311 "/ceb:CEB311Message/ceb:Order/ceb:OrderHead/ceb:"
#define P411 "/ceb:CEB411Message/ceb:Payment/ceb:PaymentHead/ceb:"
#define P511 "/ceb:CEB511Message/ceb:Logistics/ceb:LogisticsHead/ceb:"
#define P621 "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryHead/ceb:"

struct fixture {
	cg_ctx *ctx;
	cg_validator *v;      /* CG_VALIDATE_UNSIGNED: the samples carry no signature */
	cg_validator *strict; /* flags 0 */
};

static struct fixture *fx;

static const char *
srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s != NULL && *s != '\0' ? s : CG_ABS_SRCDIR;
}

static int
group_setup(void **state)
{
	static struct fixture f;

	if (setenv("CEBGATE_DATADIR", srcdir(), 1) != 0 || cg_global_init() != CG_OK ||
	    cg_ctx_new(&f.ctx) != CG_OK)
		return -1;
	if (cg_validator_new(&f.v, f.ctx, NULL, CG_VALIDATE_UNSIGNED) != CG_OK ||
	    cg_validator_new(&f.strict, f.ctx, NULL, 0) != CG_OK) {
		fprintf(stderr, "# cg_validator_new: %s\n", cg_ctx_errmsg(f.ctx));
		return -1;
	}
	fx = &f;
	*state = &f;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	cg_validator_free(fx->v);
	cg_validator_free(fx->strict);
	cg_ctx_free(fx->ctx);
	cg_global_shutdown();
	return 0;
}

/* ---- helpers ------------------------------------------------------------------------ */

static char *
sample(const char *rel)
{
	char path[4096];

	(void)snprintf(path, sizeof(path), "%s/samples/xml/%s", srcdir(), rel);
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
	strcpy(out + head + tlen, at + flen);
	free(doc);
	return out;
}

/* Remove from the first @p from (inclusive) through the next @p until (inclusive). */
static char *
cut(char *doc, const char *from, const char *until)
{
	char *a = strstr(doc, from), *b;

	if (a == NULL)
		fail_msg("cut start \"%s\" not found", from);
	b = strstr(a, until);
	if (b == NULL)
		fail_msg("cut end \"%s\" not found", until);
	memmove(a, b + strlen(until), strlen(b + strlen(until)) + 1);
	return doc;
}

/* Validate one document; rc must be CG_OK whatever the document holds. */
static int
validate_in(cg_validator *v, const char *doc, const char *name, cg_findings *f)
{
	int valid = -1;

	assert_int_equal(cg_validate_buffer(v, fx->ctx, doc, strlen(doc), name, f, &valid), CG_OK);
	assert_true(valid == 0 || valid == 1);
	return valid;
}

static void
finish(cg_validator *v, cg_findings *f)
{
	assert_int_equal(cg_validate_finish(v, fx->ctx, f), CG_OK);
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

static void
dump(const cg_findings *f)
{
	size_t i;

	for (i = 0; i < cg_findings_count(f); i++) {
		const cg_finding *x = cg_findings_get(f, i);

		fprintf(stderr, "#   %s %s %s line %lu: %s\n", x->code,
		        cg_severity_name(x->severity), x->xpath, x->line, x->message_en);
	}
}

/* Every error and warning has code @p code (info findings are ignored). */
static void
assert_only(const cg_findings *f, const char *code)
{
	size_t i;

	for (i = 0; i < cg_findings_count(f); i++) {
		const cg_finding *x = cg_findings_get(f, i);

		/* The shipped positive list is partial: CG1008 warns on most real codes. */
		if (x->severity == CG_SEV_WARNING && strcmp(x->code, "CG1008") == 0)
			continue;
		if (x->severity != CG_SEV_INFO && strcmp(x->code, code) != 0) {
			dump(f);
			fail_msg("unexpected %s next to %s", x->code, code);
		}
	}
}

/*
 * Validate @p doc alone (then finish, so that no state is left behind) and
 * expect it invalid with a finding @p code of severity error at @p xpath (NULL:
 * any). Returns the findings for further checks; free with cg_findings_free.
 */
static cg_findings *
expect_rule(char *doc, const char *code, const char *xpath, bool only)
{
	cg_findings *f = NULL;
	const cg_finding *x;
	int valid;

	assert_int_equal(cg_findings_new(&f), CG_OK);
	valid = validate_in(fx->v, doc, "mutated.xml", f);
	finish(fx->v, f);
	free(doc);
	x = find_code(f, code);
	if (x == NULL || valid != 0) {
		dump(f);
		fail_msg("expected %s (valid=%d)", code, valid);
	}
	assert_int_equal(x->severity, CG_SEV_ERROR);
	assert_string_equal(x->source, "mutated.xml");
	assert_true(x->line > 0);
	assert_true(x->message_en[0] != '\0');
	assert_true(x->message_zh[0] != '\0');
	if (xpath != NULL)
		assert_string_equal(x->xpath, xpath);
	if (only)
		assert_only(f, code);
	return f;
}

#define EXPECT_RULE(doc, code, xpath) cg_findings_free(expect_rule((doc), (code), (xpath), true))

/* Valid alone, with no error and no warning. */
static void
expect_clean(char *doc)
{
	cg_findings *f = NULL;
	int valid;

	assert_int_equal(cg_findings_new(&f), CG_OK);
	valid = validate_in(fx->v, doc, "doc.xml", f);
	finish(fx->v, f);
	free(doc);
	if (valid != 1 || cg_findings_count_sev(f, CG_SEV_ERROR) != 0 ||
	    cg_findings_count_sev(f, CG_SEV_WARNING) != 0) {
		dump(f);
		fail_msg("expected a clean document");
	}
	cg_findings_free(f);
}

static bool
needs_signature(const char *type)
{
	return strcmp(type, "CEB621Message") == 0 || strcmp(type, "CEB623Message") == 0 ||
	       strcmp(type, "CEB625Message") == 0 || strcmp(type, "CEB711Message") == 0;
}

/* Sorted *.xml names of samples/xml/<sub>; free each and the array. */
static size_t
list_xml(const char *sub, char ***out)
{
	char path[4096];
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i, j;

	(void)snprintf(path, sizeof(path), "%s/samples/xml/%s", srcdir(), sub);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 4, ".xml") != 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		assert_non_null(names);
		names[n] = strdup(e->d_name);
		assert_non_null(names[n++]);
	}
	closedir(d);
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	}
	*out = names;
	return n;
}

static void
free_list(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* ---- samples ------------------------------------------------------------------------ */

/* Warnings that only say a code is not among the few lines of the partial positive list. */
static size_t
partial_list_warnings(const cg_findings *f)
{
	size_t i, n = 0;

	for (i = 0; i < cg_findings_count(f); i++) {
		const cg_finding *x = cg_findings_get(f, i);

		n += x->severity == CG_SEV_WARNING && strcmp(x->code, "CG1008") == 0 &&
		     strstr(x->message_en, "partial") != NULL;
	}
	return n;
}

static void
test_valid_samples(void **state)
{
	char **names, rel[512];
	size_t n, i;

	(void)state;
	n = list_xml("unsigned", &names);
	assert_true(n >= 20);
	for (i = 0; i < n; i++) {
		cg_findings *f = NULL;
		char *doc, want_type[32];
		const char *type;
		int valid;

		(void)snprintf(rel, sizeof(rel), "unsigned/%s", names[i]);
		doc = sample(rel);
		assert_int_equal(cg_findings_new(&f), CG_OK);

		valid = validate_in(fx->v, doc, names[i], f);
		finish(fx->v, f);
		if (valid != 1 || cg_findings_count_sev(f, CG_SEV_ERROR) != 0 ||
		    cg_findings_count_sev(f, CG_SEV_WARNING) != partial_list_warnings(f)) {
			dump(f);
			fail_msg("%s: not clean with CG_VALIDATE_UNSIGNED", names[i]);
		}
		/* The detected type is the one the file name promises. */
		type = cg_validator_last_type(fx->v);
		(void)snprintf(want_type, sizeof(want_type), "%.6sMessage", names[i]);
		assert_string_equal(type, want_type);

		/* Without the flag, exactly the signed types miss their signature. */
		cg_findings_clear(f);
		valid = validate_in(fx->strict, doc, names[i], f);
		finish(fx->strict, f);
		if (needs_signature(want_type)) {
			const cg_finding *x = find_code(f, "CG0200");

			assert_int_equal(valid, 0);
			assert_non_null(x);
			assert_int_equal(x->severity, CG_SEV_ERROR);
			assert_only(f, "CG0200");
			assert_int_equal(cg_findings_count(f), 1 + partial_list_warnings(f));
		} else {
			if (valid != 1 || cg_findings_count(f) != partial_list_warnings(f)) {
				dump(f);
				fail_msg("%s: not clean without CG_VALIDATE_UNSIGNED", names[i]);
			}
		}
		cg_findings_free(f);
		free(doc);
	}
	free_list(names, n);
}

/* The valid samples are consistent with each other: no cross-document finding either. */
static void
test_valid_samples_together(void **state)
{
	cg_findings *f = NULL;
	char **names, rel[512];
	size_t n, i;

	(void)state;
	assert_int_equal(cg_findings_new(&f), CG_OK);
	n = list_xml("unsigned", &names);
	for (i = 0; i < n; i++) {
		char *doc;

		(void)snprintf(rel, sizeof(rel), "unsigned/%s", names[i]);
		doc = sample(rel);
		assert_int_equal(validate_in(fx->v, doc, names[i], f), 1);
		free(doc);
	}
	finish(fx->v, f);
	if (cg_findings_count_sev(f, CG_SEV_ERROR) != 0) {
		dump(f);
		fail_msg("cross-document errors between the valid samples");
	}
	free_list(names, n);
	cg_findings_free(f);
}

static void
test_invalid_samples(void **state)
{
	char path[4096], *tsv, *line, *save = NULL;
	char **names;
	size_t n, i, rows = 0;
	bool *seen;

	(void)state;
	n = list_xml("invalid", &names);
	seen = calloc(n, sizeof(*seen));
	assert_non_null(seen);
	(void)snprintf(path, sizeof(path), "%s/samples/xml/invalid/EXPECTED.tsv", srcdir());
	tsv = test_read_file(path, NULL);
	for (line = strtok_r(tsv, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *file, *code, *rest, rel[512], *doc;
		cg_findings *f = NULL;
		const cg_finding *x;
		int valid;

		if (line[0] == '#' || line[0] == '\0')
			continue;
		file = line;
		code = strchr(file, '\t');
		assert_non_null(code);
		*code++ = '\0';
		rest = strchr(code, '\t');
		if (rest != NULL)
			*rest = '\0';
		for (i = 0; i < n; i++) {
			if (strcmp(names[i], file) == 0)
				seen[i] = true;
		}
		(void)snprintf(rel, sizeof(rel), "invalid/%s", file);
		doc = sample(rel);
		assert_int_equal(cg_findings_new(&f), CG_OK);
		valid = validate_in(fx->v, doc, file, f);
		finish(fx->v, f);
		x = find_code(f, code);
		if (valid != 0 || x == NULL) {
			dump(f);
			fail_msg("%s: expected %s, valid=%d", file, code, valid);
		}
		assert_int_equal(x->severity, CG_SEV_ERROR);
		assert_string_equal(x->source, file);
		assert_true(x->message_en[0] != '\0' && x->message_zh[0] != '\0');
		/* Business-rule and XSD findings name the field. */
		if (strncmp(code, "CG1", 3) == 0 || strcmp(code, "CG0100") == 0) {
			assert_true(strncmp(x->xpath, "/ceb:CEB", 8) == 0);
			assert_true(x->line > 0);
		}
		cg_findings_free(f);
		free(doc);
		rows++;
	}
	/* Every invalid sample has its row. */
	for (i = 0; i < n; i++) {
		if (!seen[i])
			fail_msg("%s has no row in EXPECTED.tsv", names[i]);
	}
	assert_int_equal(rows, n);
	free(seen);
	free(tsv);
	free_list(names, n);
}

/*
 * Each cross-document set of samples/xml/crossdoc: every file valid on its
 * own, and together exactly one error, the set's code on the set's file.
 */
static void
check_cross_set(const char *set, const char *file, const char *code)
{
	char sub[512], rel[1024], **names;
	cg_findings *f = NULL;
	const cg_finding *x;
	size_t n, i;

	(void)snprintf(sub, sizeof(sub), "crossdoc/%s", set);
	n = list_xml(sub, &names);
	assert_true(n >= 2);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	for (i = 0; i < n; i++) {
		char *doc;

		(void)snprintf(rel, sizeof(rel), "%s/%s", sub, names[i]);
		doc = sample(rel);
		if (validate_in(fx->v, doc, names[i], f) != 1) {
			dump(f);
			fail_msg("%s: not valid alone", rel);
		}
		free(doc);
	}
	finish(fx->v, f);
	x = find_code(f, code);
	if (x == NULL || cg_findings_count_sev(f, CG_SEV_ERROR) != 1) {
		dump(f);
		fail_msg("crossdoc/%s: expected %s alone", set, code);
	}
	assert_string_equal(x->source, file);
	assert_true(strncmp(x->xpath, "/ceb:CEB", 8) == 0);
	free_list(names, n);
	cg_findings_free(f);
}

static void
test_crossdoc_samples(void **state)
{
	char path[4096], *tsv, *line, *save = NULL;
	size_t rows = 0;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/samples/xml/crossdoc/EXPECTED.tsv", srcdir());
	tsv = test_read_file(path, NULL);
	for (line = strtok_r(tsv, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *set = line, *file, *code, *rest;

		if (line[0] == '#' || line[0] == '\0')
			continue;
		file = strchr(set, '\t');
		assert_non_null(file);
		*file++ = '\0';
		code = strchr(file, '\t');
		assert_non_null(code);
		*code++ = '\0';
		rest = strchr(code, '\t');
		if (rest != NULL)
			*rest = '\0';
		check_cross_set(set, file, code);
		rows++;
	}
	/* CG1007 and CG1101-CG1104 each have a set. */
	assert_true(rows >= 5);
	free(tsv);
}

/* ---- one mutation per rule ---------------------------------------------------------- */

static void
test_rule_cg1001_paid_identity(void **state)
{
	cg_findings *f;
	const cg_finding *x;

	(void)state;
	f = expect_rule(subst(sample(ORDER), ">573.87<", ">573.88<"), "CG1001", P311 "acturalPaid",
	                true);
	x = find_code(f, "CG1001");
	/* The finding points at the source line of acturalPaid and gives both figures. */
	assert_int_equal(x->line, 19);
	assert_int_equal(x->column, 0);
	assert_non_null(strstr(x->message_en, "573.88"));
	assert_non_null(strstr(x->message_en, "573.87"));
	assert_non_null(strstr(x->message_zh, "573.87"));
	cg_findings_free(f);
	/* The identity includes the discount: 5.00 off balances 5.00 more paid elsewhere. */
	expect_clean(subst(subst(sample(ORDER), "<ceb:discount>0<", "<ceb:discount>5.00<"),
	                   ">573.87<", ">568.87<"));
}

static void
test_rule_cg1002_line_product(void **state)
{
	(void)state;
	EXPECT_RULE(subst(sample(ORDER), ">198.00<", ">199.00<"), "CG1002",
	            "/ceb:CEB311Message/ceb:Order/ceb:OrderList[1]/ceb:totalPrice");
	/* Within one fen (198.005 x 2 = 396.01) is accepted, beyond it is not. */
	expect_clean(subst(sample(ORDER), ">198.00<", ">198.005<"));
	EXPECT_RULE(subst(sample(ORDER), ">198.00<", ">198.006<"), "CG1002", NULL);
	/* The inventory has the same rule. */
	EXPECT_RULE(
	        subst(sample(INVENTORY), ">120.00</ceb:totalPrice>", ">121.00</ceb:totalPrice>"),
	        "CG1002", "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryList[2]/ceb:totalPrice");
}

static void
test_rule_cg1003_goods_value(void **state)
{
	(void)state;
	EXPECT_RULE(subst(subst(sample(ORDER), ">516.00<", ">526.00<"), ">573.87<", ">583.87<"),
	            "CG1003", P311 "goodsValue");
}

static void
test_rule_cg1004_idno(void **state)
{
	(void)state;
	EXPECT_RULE(subst(sample(ORDER), "330106199003071236", "330106199003071235"), "CG1004",
	            P311 "buyerIdNumber");
	/* 17 characters; an impossible birth date with a correct check character. */
	EXPECT_RULE(subst(sample(ORDER), "330106199003071236", "33010619900307123"), "CG1004",
	            P311 "buyerIdNumber");
	EXPECT_RULE(subst(sample(ORDER), "330106199003071236", "330106202302301235"), "CG1004",
	            P311 "buyerIdNumber");
	/* A valid ID number ending in X is accepted. */
	expect_clean(subst(sample(PAYMENT), "330106199003071236", "11010519800101122X"));
	EXPECT_RULE(subst(sample(PAYMENT), "330106199003071236", "330106199003071237"), "CG1004",
	            P411 "payerIdNumber");
}

static void
test_rule_cg1005_idtype(void **state)
{
	(void)state;
	EXPECT_RULE(subst(sample(ORDER), "<ceb:buyerIdType>1<", "<ceb:buyerIdType>2<"), "CG1005",
	            P311 "buyerIdType");
	EXPECT_RULE(subst(sample(PAYMENT), "<ceb:payerIdType>1<", "<ceb:payerIdType>2<"), "CG1005",
	            P411 "payerIdType");
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:buyerIdType>1<", "<ceb:buyerIdType>2<"),
	            "CG1005", P621 "buyerIdType");
	/* Cancellation and return requests name the buyer too (rules_cancel). */
	EXPECT_RULE(subst(sample(CANCEL), "<ceb:buyerIdType>1<", "<ceb:buyerIdType>2<"), "CG1005",
	            "/ceb:CEB623Message/ceb:InvtCancel/ceb:buyerIdType");
	EXPECT_RULE(subst(sample(RETURN), "<ceb:buyerIdType>1<", "<ceb:buyerIdType>2<"), "CG1005",
	            "/ceb:CEB625Message/ceb:InvtRefund/ceb:InvtRefundHead/ceb:buyerIdType");
}

static void
test_rule_cg1006_single_limit(void **state)
{
	cg_findings *f;

	(void)state;
	/* 26 x 198.00 = 5148.00 + 120.00 + freight 10.00: over 5000 with two lines. */
	f = expect_rule(subst(subst(sample(INVENTORY), "<ceb:qty>2<", "<ceb:qty>26<"), ">396.00<",
	                      ">5148.00<"),
	                "CG1006", NULL, true);
	assert_null(find_code(f, "CG1019"));
	cg_findings_free(f);
	/* Exactly 5000.00 is within the limit: 4870.00 + 120.00 + 10.00. */
	expect_clean(subst(subst(subst(sample(INVENTORY), "<ceb:qty>2<", "<ceb:qty>1<"), ">198.00<",
	                         ">4870.00<"),
	                   ">396.00<", ">4870.00<"));
}

static void
test_rule_cg1019_single_item(void **state)
{
	cg_findings *f = NULL;
	const cg_finding *x;
	char *doc = sample(INVENTORY);

	(void)state;
	/* One line, qty 1, 6000.00: a warning only, the document stays valid. */
	doc = cut(doc, "<ceb:InventoryList>\n      <ceb:gnum>2<", "</ceb:InventoryList>\n");
	doc = subst(subst(subst(doc, "<ceb:qty>2<", "<ceb:qty>1<"), ">198.00<", ">6000.00<"),
	            ">396.00<", ">6000.00<");
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(validate_in(fx->v, doc, "single.xml", f), 1);
	finish(fx->v, f);
	free(doc);
	x = find_code(f, "CG1019");
	assert_non_null(x);
	assert_int_equal(x->severity, CG_SEV_WARNING);
	assert_null(find_code(f, "CG1006"));
	assert_int_equal(cg_findings_count_sev(f, CG_SEV_ERROR), 0);
	cg_findings_free(f);
}

static void
test_rule_cg1008_hs_list(void **state)
{
	(void)state;
	cg_findings *f = NULL;
	const cg_finding *x;
	char *doc;

	/* Not in the tariff in force (the 2026 tariff split 1901101000): an error. */
	EXPECT_RULE(subst(sample(INVENTORY), ">1901101010<", ">1901101000<"), "CG1025",
	            "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryList[1]/ceb:gcode");
	/* In the tariff, not on the shipped (partial) positive list: a warning saying so. */
	doc = subst(sample(INVENTORY), ">3304990099<", ">3304990091<");
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(validate_in(fx->v, doc, "partial.xml", f), 1);
	finish(fx->v, f);
	free(doc);
	x = find_code(f, "CG1008");
	assert_non_null(x);
	assert_int_equal(x->severity, CG_SEV_WARNING);
	assert_string_equal(x->xpath, "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryList[2]/ceb:gcode");
	assert_non_null(strstr(x->message_en, "partial"));
	cg_findings_free(f);
}

static void
test_rule_cg1009_placeholder(void **state)
{
	(void)state;
	EXPECT_RULE(subst(sample(ORDER), "<ceb:buyerName>李晓明<", "<ceb:buyerName>test<"),
	            "CG1009", P311 "buyerName");
	EXPECT_RULE(subst(sample(ORDER), "<ceb:consignee>李晓明<", "<ceb:consignee>无<"), "CG1009",
	            P311 "consignee");
	EXPECT_RULE(subst(sample(ORDER), "<ceb:consignee>李晓明<", "<ceb:consignee> N/A <"),
	            "CG1009", P311 "consignee");
	/* A blank required value is a placeholder too (an empty one is refused by the XSD). */
	EXPECT_RULE(subst(sample(ORDER), "<ceb:buyerName>李晓明<", "<ceb:buyerName>  <"), "CG1009",
	            P311 "buyerName");
	EXPECT_RULE(subst(sample(WAYBILL), "<ceb:consignee>李晓明<", "<ceb:consignee>/<"), "CG1009",
	            P511 "consignee");
	/* "none" in any case. */
	EXPECT_RULE(subst(sample(ORDER), "<ceb:buyerName>李晓明<", "<ceb:buyerName>None<"),
	            "CG1009", P311 "buyerName");
}

static void
test_rule_cg1010_gnum(void **state)
{
	(void)state;
	EXPECT_RULE(subst(sample(ORDER), "<ceb:gnum>2<", "<ceb:gnum>3<"), "CG1010",
	            "/ceb:CEB311Message/ceb:Order/ceb:OrderList[2]/ceb:gnum");
	/* gnum 0 is also not positive (CG1017). */
	cg_findings_free(expect_rule(subst(sample(INVENTORY), "<ceb:gnum>1<", "<ceb:gnum>0<"),
	                             "CG1010", NULL, false));
	/* The warehouse-entry list is numbered the same way. */
	EXPECT_RULE(subst(sample(DELIVERY), "<ceb:gnum>1<", "<ceb:gnum>2<"), "CG1010",
	            "/ceb:CEB711Message/ceb:Delivery/ceb:DeliveryList/ceb:gnum");
}

static void
test_rule_cg1011_qty2(void **state)
{
	cg_findings *f;

	(void)state;
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:unit1>035</ceb:unit1>",
	                  "<ceb:unit1>035</ceb:unit1><ceb:qty2>1.8</ceb:qty2>"),
	            "CG1011", NULL);
	/* Both present but qty2 zero. */
	f = expect_rule(
	        subst(sample(INVENTORY), "<ceb:unit1>035</ceb:unit1>",
	              "<ceb:unit1>035</ceb:unit1><ceb:qty2>0</ceb:qty2><ceb:unit2>035</ceb:unit2>"),
	        "CG1011", NULL, false);
	cg_findings_free(f);
	/* unit2 without qty2 (9610 sample: line 1 has both). */
	EXPECT_RULE(subst(sample(INVENTORY_9610), "<ceb:qty2>2.6</ceb:qty2>", ""), "CG1011", NULL);
}

static void
test_rule_cg1012_bonded(void **state)
{
	(void)state;
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:emsNo>T5349W000001</ceb:emsNo>", ""), "CG1012",
	            P621 "emsNo");
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:areaCode>4403960XF6</ceb:areaCode>", ""),
	            "CG1012", P621 "areaCode");
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:areaName>示例保税仓储（深圳）有限公司</ceb:areaName>",
	                  ""),
	            "CG1012", P621 "areaName");
	/* A placeholder is not a value. */
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:emsNo>T5349W000001<", "<ceb:emsNo>/<"), "CG1012",
	            P621 "emsNo");
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:itemRecordNo>10087<", "<ceb:itemRecordNo>无<"),
	            "CG1012",
	            "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryList[2]/ceb:itemRecordNo");
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:itemRecordNo>10087</ceb:itemRecordNo>", ""),
	            "CG1012",
	            "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryList[2]/ceb:itemRecordNo");
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:country>142<", "<ceb:country>601<"), "CG1012",
	            P621 "country");
}

static void
test_rule_cg1013_direct(void **state)
{
	(void)state;
	EXPECT_RULE(subst(sample(INVENTORY_9610), "<ceb:billNo>000-12345675</ceb:billNo>", ""),
	            "CG1013", P621 "billNo");
	/* Blank counts as absent. */
	EXPECT_RULE(subst(sample(INVENTORY_9610), "<ceb:trafNo>ZZ8801<", "<ceb:trafNo> <"),
	            "CG1013", P621 "trafNo");
	EXPECT_RULE(
	        subst(sample(INVENTORY_9610), "<ceb:voyageNo>ZZ8801-20261126</ceb:voyageNo>", ""),
	        "CG1013", P621 "voyageNo");
	/* A placeholder is not a value. */
	EXPECT_RULE(subst(sample(INVENTORY_9610), "<ceb:billNo>000-12345675<", "<ceb:billNo>无<"),
	            "CG1013", P621 "billNo");
}

static void
test_rule_cg1014_code_tables(void **state)
{
	cg_findings *f = NULL;
	const cg_finding *x;
	char *doc;

	(void)state;
	EXPECT_RULE(subst(sample(ORDER), "<ceb:country>601<", "<ceb:country>998<"), "CG1014",
	            "/ceb:CEB311Message/ceb:Order/ceb:OrderList[1]/ceb:country");
	EXPECT_RULE(subst(sample(ORDER), "<ceb:unit>122<", "<ceb:unit>999<"), "CG1014",
	            "/ceb:CEB311Message/ceb:Order/ceb:OrderList[1]/ceb:unit");
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:wrapType>2<", "<ceb:wrapType>Z<"), "CG1014",
	            P621 "wrapType");
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:trafMode>4<", "<ceb:trafMode>Q<"), "CG1014",
	            P621 "trafMode");
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:tradeMode>1210<", "<ceb:tradeMode>1211<"),
	            "CG1014", P621 "tradeMode");
	/* Export trade modes are in the trademode table, but an import inventory allows 9610 and 1210. */
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:tradeMode>1210<", "<ceb:tradeMode>9710<"),
	            "CG1014", P621 "tradeMode");
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:tradeMode>1210<", "<ceb:tradeMode>9810<"),
	            "CG1014", P621 "tradeMode");
	/* The customs-district table is only a sample: an unknown district is a warning. */
	doc = subst(sample(INVENTORY), "<ceb:customsCode>5349<", "<ceb:customsCode>0099<");
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(validate_in(fx->v, doc, "customs.xml", f), 1);
	finish(fx->v, f);
	free(doc);
	x = find_code(f, "CG1014");
	assert_non_null(x);
	assert_int_equal(x->severity, CG_SEV_WARNING);
	assert_string_equal(x->xpath, P621 "customsCode");
	assert_int_equal(cg_findings_count_sev(f, CG_SEV_ERROR), 0);
	cg_findings_free(f);
}

static void
test_rule_cg1015_dates(void **state)
{
	(void)state;
	EXPECT_RULE(subst(sample(ORDER), ">20241111000512<", ">20240230000512<"), "CG1015",
	            P311 "appTime");
	EXPECT_RULE(subst(sample(ORDER), ">20241111000512<", ">20241111240000<"), "CG1015",
	            P311 "appTime");
	EXPECT_RULE(subst(sample(PAYMENT), ">20241111000540<", ">20230229000540<"), "CG1015",
	            P411 "payTime");
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:declTime>20241111<", "<ceb:declTime>20241131<"),
	            "CG1015", P621 "declTime");
	/* 29 February of a leap year exists. */
	expect_clean(subst(sample(ORDER), ">20241111000512<", ">20240229235959<"));
}

static void
test_rule_cg1016_packno(void **state)
{
	(void)state;
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:packNo>1<", "<ceb:packNo>2<"), "CG1016",
	            P621 "packNo");
	EXPECT_RULE(subst(sample(WAYBILL), "<ceb:packNo>1<", "<ceb:packNo>2<"), "CG1016",
	            P511 "packNo");
}

/* Net weight within gross weight; equal is allowed (goods with no packing). */
static void
test_rule_cg1027_net_over_gross(void **state)
{
	char *doc;
	cg_findings *f = NULL;

	(void)state;
	doc = subst(subst(sample(INVENTORY), "<ceb:grossWeight>2.35<", "<ceb:grossWeight>0.5<"),
		    "<ceb:netWeight>1.85<", "<ceb:netWeight>9.5<");
	EXPECT_RULE(doc, "CG1027", P621 "netWeight");
	doc = subst(sample(INVENTORY), "<ceb:netWeight>1.85<", "<ceb:netWeight>2.35<");
	assert_int_equal(cg_findings_new(&f), CG_OK);
	(void)validate_in(fx->v, doc, "equal.xml", f);
	finish(fx->v, f);
	free(doc);
	assert_null(find_code(f, "CG1027"));
	cg_findings_free(f);
}

static void
test_rule_cg1017_positive(void **state)
{
	cg_findings *f;

	(void)state;
	f = expect_rule(
	        subst(subst(sample(INVENTORY), ">120.00</ceb:price>", ">-120.00</ceb:price>"),
	              ">120.00</ceb:totalPrice>", ">-120.00</ceb:totalPrice>"),
	        "CG1017", "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryList[2]/ceb:price", true);
	cg_findings_free(f);
	EXPECT_RULE(subst(sample(WAYBILL), "<ceb:weight>2.35<", "<ceb:weight>0<"), "CG1017",
	            P511 "weight");
}

static void
test_rule_cg1018_legal_unit(void **state)
{
	cg_findings *f;
	const cg_finding *x;

	(void)state;
	/* A bottle where the tariff's first legal unit is the kilogram: the unit is named. */
	f = expect_rule(subst(sample(INVENTORY), "<ceb:qty1>0.05</ceb:qty1>\n      <ceb:unit1>035<",
	                      "<ceb:qty1>1</ceb:qty1>\n      <ceb:unit1>142<"),
	                "CG1018", "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryList[2]/ceb:unit1", true);
	x = find_code(f, "CG1018");
	assert_non_null(strstr(x->message_en, "unit1 is 142 (瓶); the first legal unit of gcode "
	                                      "3304990099 in the 2026 tariff is 035 (千克)"));
	assert_non_null(strstr(x->message_zh, "第一法定计量单位为 035（千克）"));
	cg_findings_free(f);
	/* Litres for infant formula (first legal unit kg) are refused too. */
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:qty1>1.8</ceb:qty1>\n      <ceb:unit1>035<",
	                  "<ceb:qty1>1.8</ceb:qty1>\n      <ceb:unit1>095<"),
	            "CG1018", "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryList[1]/ceb:unit1");
}

/* qty2/unit2 exactly when the tariff gives the code a second legal unit. */
static void
test_rule_cg1018_second_unit(void **state)
{
	(void)state;
	/* 3304990099 has the second unit 011 (件): leaving it out is refused. */
	EXPECT_RULE(subst(sample(INVENTORY),
	                  "\n      <ceb:qty2>1</ceb:qty2>\n      <ceb:unit2>011</ceb:unit2>", ""),
	            "CG1018", "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryList[2]/ceb:unit1");
	/* 1901101010 has none: declaring one is refused. */
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:unit1>035</ceb:unit1>\n      <ceb:price>198.00<",
	                  "<ceb:unit1>035</ceb:unit1>\n      <ceb:qty2>2</ceb:qty2>\n"
	                  "      <ceb:unit2>122</ceb:unit2>\n      <ceb:price>198.00<"),
	            "CG1018", "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryList[1]/ceb:unit2");
	/* The right second unit but a wrong one: the unit is named. */
	EXPECT_RULE(subst(sample(INVENTORY), "<ceb:unit2>011<", "<ceb:unit2>035<"), "CG1018",
	            "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryList[2]/ceb:unit2");
}

static void
test_rule_cg1020_logistics_status(void **state)
{
	(void)state;
	EXPECT_RULE(subst(sample(STATUS), "<ceb:logisticsStatus>S<", "<ceb:logisticsStatus>R<"),
	            "CG1020", "/ceb:CEB513Message/ceb:LogisticsStatus/ceb:logisticsStatus");
}

/* A receipt sample with its returnStatus @p from replaced by @p to. */
static char *
receipt(const char *rel, const char *from, const char *to)
{
	char a[64], b[64];

	(void)snprintf(a, sizeof(a), "<returnStatus>%s<", from);
	(void)snprintf(b, sizeof(b), "<returnStatus>%s<", to);
	return subst(sample(rel), a, b);
}

/* Valid, with a CG1022 warning on returnStatus. */
static void
expect_unlisted_state(char *doc)
{
	cg_findings *f = NULL;
	const cg_finding *x;

	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(validate_in(fx->v, doc, "receipt.xml", f), 1);
	finish(fx->v, f);
	free(doc);
	x = find_code(f, "CG1022");
	if (x == NULL)
		dump(f);
	assert_non_null(x);
	assert_int_equal(x->severity, CG_SEV_WARNING);
	assert_non_null(strstr(x->xpath, "/ceb:returnStatus"));
	assert_only(f, "CG1022");
	cg_findings_free(f);
}

static void
test_rule_cg1021_return_status(void **state)
{
	static const struct {
		const char *rel, *status, *xpath;
	} rcpt[] = {
		{ "unsigned/CEB312-order-receipt.xml", "120", "/ceb:CEB312Message/ceb:OrderReturn/" },
		{ "unsigned/CEB412-payment-receipt.xml", "120",
		  "/ceb:CEB412Message/ceb:PaymentReturn/" },
		{ "unsigned/CEB512-waybill-receipt.xml", "120",
		  "/ceb:CEB512Message/ceb:LogisticsReturn/" },
		{ "unsigned/CEB514-status-receipt.xml", "399",
		  "/ceb:CEB514Message/ceb:LogisticsStatusReturn/" },
		{ "unsigned/CEB622-inventory-receipt-released.xml", "800",
		  "/ceb:CEB622Message/ceb:InventoryReturn/" },
		{ "unsigned/CEB624-cancel-receipt.xml", "399",
		  "/ceb:CEB624Message/ceb:InvtCancelReturn/" },
		{ "unsigned/CEB626-return-receipt.xml", "120",
		  "/ceb:CEB626Message/ceb:InvtRefundReturn/" },
		{ "unsigned/CEB712-delivery-receipt.xml", "120",
		  "/ceb:CEB712Message/ceb:DeliveryReturn/" },
		{ "unsigned/CEB900-format-error.xml", "-1", "/ceb:CEB900Message/ceb:MessageReturn/" },
	};
	char xpath[160];
	size_t i;

	(void)state;
	/* Every receipt type: a word, zero, a leading zero or a sign alone is no status. */
	for (i = 0; i < sizeof(rcpt) / sizeof(rcpt[0]); i++) {
		(void)snprintf(xpath, sizeof(xpath), "%sceb:returnStatus", rcpt[i].xpath);
		EXPECT_RULE(receipt(rcpt[i].rel, rcpt[i].status, "OK"), "CG1021", xpath);
	}
	EXPECT_RULE(receipt(rcpt[0].rel, "120", "0"), "CG1021", NULL);
	EXPECT_RULE(receipt(rcpt[0].rel, "120", "0120"), "CG1021", NULL);
	EXPECT_RULE(receipt(rcpt[0].rel, "120", "-"), "CG1021", NULL);
	EXPECT_RULE(receipt(rcpt[0].rel, "120", "+120"), "CG1021", NULL);
	/* Any negative number is an error code (§5.3), whatever the type. */
	expect_clean(receipt(rcpt[0].rel, "120", "-301008"));
	expect_clean(receipt(rcpt[4].rel, "800", "-621005"));
	expect_clean(receipt(rcpt[8].rel, "-1", "-2"));
	/* §5.1 per type: 300 and 800 are inventory states only, 1 not an order state. */
	expect_clean(receipt(rcpt[4].rel, "800", "300"));
	expect_clean(receipt(rcpt[4].rel, "800", "1"));
	expect_clean(receipt(rcpt[5].rel, "399", "1"));
	expect_clean(receipt(rcpt[7].rel, "120", "399"));
	/* §12 #9: 514 takes both 120 (PDF) and 399 (XSD); 312 takes 399 (XSD). */
	expect_clean(receipt(rcpt[3].rel, "399", "120"));
	expect_clean(receipt(rcpt[0].rel, "120", "399"));
	expect_unlisted_state(receipt(rcpt[0].rel, "120", "800"));
	expect_unlisted_state(receipt(rcpt[0].rel, "120", "1"));
	expect_unlisted_state(receipt(rcpt[5].rel, "399", "300"));
	expect_unlisted_state(receipt(rcpt[6].rel, "120", "800"));
	/* The placeholder states of the official samples (§5.1). */
	expect_unlisted_state(receipt(rcpt[4].rel, "800", "18"));
	/* §3.10 gives CEB900 no list of positive states. */
	expect_clean(receipt(rcpt[8].rel, "-1", "23"));
}

static void
test_rule_cg1023_taxbill_status(void **state)
{
	(void)state;
	EXPECT_RULE(subst(sample(TAXBILL), "<status>1<", "<status>9<"), "CG1023",
	            "/ceb:CEB816Message/ceb:Tax/ceb:TaxHeadRd/ceb:status");
	EXPECT_RULE(subst(sample(TAXBILL_STATUS), "<status>2<", "<status>0<"), "CG1023",
	            "/ceb:CEB818Message/ceb:Tax/ceb:TaxHeadStatus/ceb:status");
	expect_clean(subst(sample(TAXBILL), "<status>1<", "<status>3<"));
	expect_clean(subst(sample(TAXBILL_STATUS), "<status>2<", "<status>1<"));
	expect_clean(subst(sample(TAXBILL_STATUS), "<status>2<", "<status>3<"));
}

static void
test_cg0200_signature(void **state)
{
	cg_findings *f = NULL;
	const cg_finding *x;
	char *doc = sample(INVENTORY);

	(void)state;
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(validate_in(fx->strict, doc, "inv.xml", f), 0);
	finish(fx->strict, f);
	x = find_code(f, "CG0200");
	assert_non_null(x);
	assert_int_equal(x->severity, CG_SEV_ERROR);
	assert_string_equal(x->source, "inv.xml");
	assert_true(x->message_en[0] != '\0' && x->message_zh[0] != '\0');
	/* The signature belongs to the root: the finding points there. */
	assert_string_equal(x->xpath, "/ceb:CEB621Message");
	assert_int_equal(x->line, 2);
	assert_int_equal(cg_findings_count(f), 1);

	cg_findings_clear(f);
	assert_int_equal(validate_in(fx->v, doc, "inv.xml", f), 1);
	finish(fx->v, f);
	x = find_code(f, "CG0200");
	assert_non_null(x);
	assert_int_equal(x->severity, CG_SEV_INFO);
	assert_int_equal(cg_findings_count(f), 1);

	/* A CEB311 needs no signature: nothing is reported in either mode. */
	free(doc);
	doc = sample(ORDER);
	cg_findings_clear(f);
	assert_int_equal(validate_in(fx->strict, doc, "order.xml", f), 1);
	finish(fx->strict, f);
	assert_int_equal(cg_findings_count(f), 0);
	free(doc);
	cg_findings_free(f);
}

/* Document-level failures go through the same API: rc CG_OK, valid 0, one finding. */
static void
test_document_level_codes(void **state)
{
	cg_findings *f = NULL;
	static const struct {
		const char *doc, *code;
	} cases[] = {
		{ "<a>", "CG0001" },
		{ "", "CG0001" },
		{ "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", "CG0002" },
		{ "<ceb:CEB999Message xmlns:ceb='http://www.chinaport.gov.cn/ceb'/>", "CG0005" },
		{ "<CEB311Message xmlns='urn:not-ceb'/>", "CG0005" },
		{ "<?xml version='1.0' encoding='ISO-8859-1'?><a/>", "CG0004" },
	};
	size_t i;

	(void)state;
	assert_int_equal(cg_findings_new(&f), CG_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int valid = -1;

		cg_findings_clear(f);
		assert_int_equal(cg_validate_buffer(fx->v, fx->ctx, cases[i].doc,
		                                    strlen(cases[i].doc), "x.xml", f, &valid),
		                 CG_OK);
		assert_int_equal(valid, 0);
		if (find_code(f, cases[i].code) == NULL) {
			dump(f);
			fail_msg("case %zu: expected %s", i, cases[i].code);
		}
		assert_string_equal(cg_validator_last_type(fx->v), "");
	}
	/* The validator is still usable afterwards. */
	cg_findings_clear(f);
	{
		char *doc = sample(ORDER);

		assert_int_equal(validate_in(fx->v, doc, "order.xml", f), 1);
		free(doc);
	}
	finish(fx->v, f);
	cg_findings_free(f);
}

/* ---- cross-document rules ---------------------------------------------------------- */

/*
 * Validate the documents together (each must be valid alone), run the
 * cross-document rules and return their findings only.
 */
static cg_findings *
cross(const char *name1, char *doc1, const char *name2, char *doc2)
{
	cg_findings *f = NULL;

	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(validate_in(fx->v, doc1, name1, f), 1);
	assert_int_equal(validate_in(fx->v, doc2, name2, f), 1);
	free(doc1);
	free(doc2);
	/* Only info findings (CG0200 on unsigned inventories) so far. */
	assert_int_equal(cg_findings_count_sev(f, CG_SEV_ERROR), 0);
	cg_findings_clear(f);
	finish(fx->v, f);
	return f;
}

static void
expect_cross(cg_findings *f, const char *code, const char *source, const char *xpath)
{
	const cg_finding *x = find_code(f, code);

	if (x == NULL) {
		dump(f);
		fail_msg("expected %s", code);
	}
	assert_int_equal(x->severity, CG_SEV_ERROR);
	assert_string_equal(x->source, source);
	assert_string_equal(x->xpath, xpath);
	assert_true(x->line > 0);
	assert_true(x->message_en[0] != '\0' && x->message_zh[0] != '\0');
	assert_only(f, code);
	cg_findings_free(f);
}

static void
test_cross_consistent(void **state)
{
	cg_findings *f;

	(void)state;
	f = cross("order.xml", sample(ORDER), "payment.xml", sample(PAYMENT));
	assert_int_equal(cg_findings_count(f), 0);
	cg_findings_free(f);
	f = cross("order.xml", sample(ORDER), "waybill.xml", sample(WAYBILL));
	assert_int_equal(cg_findings_count(f), 0);
	cg_findings_free(f);
	f = cross("order.xml", sample(ORDER), "inventory.xml", sample(INVENTORY));
	assert_int_equal(cg_findings_count(f), 0);
	cg_findings_free(f);
	/* Equal decimals written differently are equal. */
	f = cross("order.xml", sample(ORDER), "payment.xml",
	          subst(sample(PAYMENT), ">573.87<", ">573.870<"));
	assert_int_equal(cg_findings_count(f), 0);
	cg_findings_free(f);
}

static void
test_cross_cg1101_amount(void **state)
{
	(void)state;
	expect_cross(cross("order.xml", sample(ORDER), "payment.xml",
	                   subst(sample(PAYMENT), ">573.87<", ">570.00<")),
	             "CG1101", "payment.xml", P411 "amountPaid");
	/* The order of the documents does not matter. */
	expect_cross(cross("payment.xml", subst(sample(PAYMENT), ">573.87<", ">570.00<"),
	                   "order.xml", sample(ORDER)),
	             "CG1101", "payment.xml", P411 "amountPaid");
}

static void
test_cross_cg1102_payer(void **state)
{
	(void)state;
	expect_cross(
	        cross("order.xml", sample(ORDER), "payment.xml",
	              subst(sample(PAYMENT), "<ceb:payerName>李晓明<", "<ceb:payerName>王小明<")),
	        "CG1102", "payment.xml", P411 "payerName");
	expect_cross(cross("order.xml", sample(ORDER), "payment.xml",
	                   subst(sample(PAYMENT), "330106199003071236", "11010519800101122X")),
	             "CG1102", "payment.xml", P411 "payerIdNumber");
}

static void
test_cross_cg1103_consignee(void **state)
{
	(void)state;
	expect_cross(
	        cross("order.xml", sample(ORDER), "waybill.xml",
	              subst(sample(WAYBILL), "<ceb:consignee>李晓明<", "<ceb:consignee>王小明<")),
	        "CG1103", "waybill.xml", P511 "consignee");
	expect_cross(cross("order.xml", sample(ORDER), "waybill.xml",
	                   subst(sample(WAYBILL), "<ceb:consigneeTelephone>13800138000<",
	                         "<ceb:consigneeTelephone>13800138001<")),
	             "CG1103", "waybill.xml", P511 "consigneeTelephone");
	expect_cross(cross("order.xml", sample(ORDER), "waybill.xml",
	                   subst(sample(WAYBILL), "示例路88号", "示例路89号")),
	             "CG1103", "waybill.xml", P511 "consigneeAddress");
}

static void
test_cross_cg1104_lines(void **state)
{
	(void)state;
	expect_cross(cross("order.xml", sample(ORDER), "inventory.xml",
	                   subst(sample(INVENTORY), "<ceb:gname>示例牌保湿面霜50毫升<",
	                         "<ceb:gname>示例牌美白面霜50毫升<")),
	             "CG1104", "inventory.xml", P621 "gname");
}

static void
test_cross_cg1007_tax(void **state)
{
	(void)state;
	/* taxTotal off by 1.00, acturalPaid moved with it so that CG1001 holds. */
	expect_cross(
	        cross("order.xml",
	              subst(subst(sample(ORDER), ">47.87<", ">48.87<"), ">573.87<", ">574.87<"),
	              "inventory.xml", sample(INVENTORY)),
	        "CG1007", "order.xml", P311 "taxTotal");
	/* Within one fen of the recomputed 47.87 is accepted. */
	{
		cg_findings *f = cross(
		        "order.xml",
		        subst(subst(sample(ORDER), ">47.87<", ">47.88<"), ">573.87<", ">573.88<"),
		        "inventory.xml", sample(INVENTORY));

		assert_int_equal(cg_findings_count(f), 0);
		cg_findings_free(f);
	}
}

/* ---- the tax recomputed from the tariff in force ------------------------------------ */

/*
 * Validate @p order and @p inv together and return every finding (the
 * documents' own and the cross-document ones).
 */
static cg_findings *
pair(char *order, char *inv)
{
	cg_findings *f = NULL;

	assert_int_equal(cg_findings_new(&f), CG_OK);
	(void)validate_in(fx->v, order, "order.xml", f);
	(void)validate_in(fx->v, inv, "inventory.xml", f);
	free(order);
	free(inv);
	finish(fx->v, f);
	return f;
}

/* The sample order with taxTotal 0.00 (acturalPaid 526.00 kept consistent). */
static char *
order_untaxed(void)
{
	return subst(subst(sample(ORDER), ">47.87<", ">0.00<"), ">573.87<", ">526.00<");
}

/*
 * The sample inventory whose second line (120.00 of 516.00, freight 10.00, so
 * a dutiable value of 122.32558) is rewritten as gcode @p gcode declared with
 * the legal quantities @p legal.
 */
static char *
inv_line2(const char *gcode, const char *legal)
{
	char *inv = subst(sample(INVENTORY), ">3304990099<", gcode);

	return subst(inv,
	             "<ceb:qty1>0.05</ceb:qty1>\n      <ceb:unit1>035</ceb:unit1>\n"
	             "      <ceb:qty2>1</ceb:qty2>\n      <ceb:unit2>011</ceb:unit2>",
	             legal);
}

/* The tax cebgate recomputes for @p inv: CG1007 against an order that declares 0.00. */
static void
expect_recomputed(char *inv, const char *figure)
{
	cg_findings *f = pair(order_untaxed(), inv);
	const cg_finding *x = find_code(f, "CG1007");
	char want[96];

	(void)snprintf(want, sizeof(want), "recomputed from the inventory %s ", figure);
	if (x == NULL || strstr(x->message_en, want) == NULL || find_code(f, "CG1026") != NULL) {
		dump(f);
		fail_msg("expected the tax recomputed as %s", figure);
	}
	assert_non_null(strstr(x->message_en, "at 70 %"));
	assert_only(f, "CG1007");
	cg_findings_free(f);
}

/*
 * Retail rates with the code's consumption tax, as the 2026 tariff writes it.
 * The formula line (403.67442 at 13 % x 70 %) gives 36.73 of each figure.
 */
static void
test_tax_consumption(void **state)
{
	(void)state;
	/* The cream at 2446.51 CNY/kg: under the 10,000 CNY/kg threshold, no consumption tax. */
	expect_recomputed(sample(INVENTORY), "47.87");
	/* At 0.01 kg, 12,232.56 CNY/kg: 15 % on the composite basis, 122.33/0.85 x 28 % x 70 %. */
	expect_recomputed(subst(sample(INVENTORY), "<ceb:qty1>0.05<", "<ceb:qty1>0.01<"), "64.94");
	/* Sparkling wine 2204210000: 10 % ad valorem. */
	expect_recomputed(inv_line2(">2204210000<",
	                            "<ceb:qty1>0.75</ceb:qty1>\n      <ceb:unit1>095</ceb:unit1>\n"
	                            "      <ceb:qty2>1.2</ceb:qty2>\n      <ceb:unit2>035</ceb:unit2>"),
	                  "58.62");
	/* Beer 2203000000: over 2.64 CNY/l, 0.253 CNY per litre of qty1 (0.5 l). */
	expect_recomputed(inv_line2(">2203000000<",
	                            "<ceb:qty1>0.5</ceb:qty1>\n      <ceb:unit1>095</ceb:unit1>\n"
	                            "      <ceb:qty2>0.5</ceb:qty2>\n      <ceb:unit2>035</ceb:unit2>"),
	                  "47.97");
	/* Whisky 2208300000: 20 % + 0.912 CNY/l, compound (0.7 l). */
	expect_recomputed(inv_line2(">2208300000<",
	                            "<ceb:qty1>0.7</ceb:qty1>\n      <ceb:unit1>095</ceb:unit1>\n"
	                            "      <ceb:qty2>1.1</ceb:qty2>\n      <ceb:unit2>035</ceb:unit2>"),
	                  "72.69");
	/* Petrol 2710121000: 1.52 CNY/l on the second legal quantity (10 l; the first is kg). */
	expect_recomputed(inv_line2(">2710121000<",
	                            "<ceb:qty1>7.5</ceb:qty1>\n      <ceb:unit1>035</ceb:unit1>\n"
	                            "      <ceb:qty2>10</ceb:qty2>\n      <ceb:unit2>095</ceb:unit2>"),
	                  "59.89");
}

/* A rate that cannot be applied: the tax is said to be unchecked, with the reason. */
static void
test_tax_unchecked(void **state)
{
	cg_findings *f;
	const cg_finding *x;

	(void)state;
	/* Cigarettes 2402200000: the tariff gives no consumption tax (a compound rate by price). */
	f = pair(order_untaxed(),
	         inv_line2(">2402200000<",
	                   "<ceb:qty1>0.02</ceb:qty1>\n      <ceb:unit1>035</ceb:unit1>\n"
	                   "      <ceb:qty2>0.02</ceb:qty2>\n      <ceb:unit2>143</ceb:unit2>"));
	x = find_code(f, "CG1026");
	if (x == NULL)
		dump(f);
	assert_non_null(x);
	assert_int_equal(x->severity, CG_SEV_INFO);
	assert_string_equal(x->xpath, P311 "taxTotal");
	assert_non_null(strstr(x->message_en, "not checked: line 2 (gcode 2402200000)"));
	assert_non_null(strstr(x->message_en, "no consumption tax"));
	assert_non_null(strstr(x->message_zh, "未核对代扣税款"));
	/* Neither a pass nor a false error on the tax. */
	assert_null(find_code(f, "CG1007"));
	cg_findings_free(f);
	/* Beer declared without litres: the amount per litre has no quantity to apply to. */
	f = pair(order_untaxed(),
	         inv_line2(">2203000000<",
	                   "<ceb:qty1>0.5</ceb:qty1>\n      <ceb:unit1>035</ceb:unit1>\n"
	                   "      <ceb:qty2>0.5</ceb:qty2>\n      <ceb:unit2>035</ceb:unit2>"));
	assert_non_null(find_code(f, "CG1018"));
	x = find_code(f, "CG1026");
	if (x == NULL)
		dump(f);
	assert_non_null(x);
	assert_non_null(strstr(x->message_en, "per 升 (095)"));
	assert_null(find_code(f, "CG1007"));
	cg_findings_free(f);
}

/*
 * One item of 6000.00 (+ freight 10.00): over the limit, so taxed in full at
 * the goods rates, duty included (§10.2), and checked (CG1024 is retired).
 */
static void
test_tax_full_over_limit(void **state)
{
	char *order = sample(ORDER), *inv = sample(INVENTORY);
	cg_findings *f;
	const cg_finding *x;

	(void)state;
	order = cut(order, "<ceb:OrderList>\n      <ceb:gnum>2<", "</ceb:OrderList>\n");
	inv = cut(inv, "<ceb:InventoryList>\n      <ceb:gnum>2<", "</ceb:InventoryList>\n");
	/* Infant formula: provisional duty 0 % (not the MFN 15 %), VAT 13 % in full: 781.30. */
	order = subst(subst(subst(subst(subst(order, "<ceb:qty>2<", "<ceb:qty>1<"), ">198.00<",
	                                ">6000.00<"),
	                          ">396.00<", ">6000.00<"),
	                    ">516.00<", ">6000.00<"),
	              ">47.87<", ">781.30<");
	order = subst(order, ">573.87<", ">6791.30<");
	inv = subst(subst(subst(inv, "<ceb:qty>2<", "<ceb:qty>1<"), ">198.00<", ">6000.00<"),
	            ">396.00<", ">6000.00<");
	f = cross("order.xml", strdup(order), "inventory.xml", strdup(inv));
	if (cg_findings_count(f) != 0)
		dump(f);
	assert_int_equal(cg_findings_count(f), 0);
	cg_findings_free(f);
	/* The 70 % figure (546.91) is refused against the full-rate one. */
	order = subst(subst(order, ">781.30<", ">546.91<"), ">6791.30<", ">6556.91<");
	f = cross("order.xml", order, "inventory.xml", inv);
	x = find_code(f, "CG1007");
	if (x == NULL)
		dump(f);
	assert_non_null(x);
	assert_non_null(strstr(x->message_en, "taxTotal 546.91, recomputed from the inventory 781.30 "
	                                      "at the goods rates in full"));
	assert_non_null(strstr(x->message_en, "6010.00"));
	assert_non_null(strstr(x->message_zh, "全额"));
	assert_null(find_code(f, "CG1024"));
	cg_findings_free(f);
}

/*
 * The cream alone at 6000.00: MFN duty 1 %, consumption tax 15 % (120,200 CNY/kg),
 * VAT 13 %, all in full: 60.10 + 1071.19 + 928.37 = 2059.66.
 */
static void
test_tax_full_consumption(void **state)
{
	char *order = sample(ORDER), *inv = sample(INVENTORY);
	cg_findings *f;
	const cg_finding *x;

	(void)state;
	order = cut(order, "<ceb:OrderList>\n      <ceb:gnum>1<", "</ceb:OrderList>\n");
	inv = cut(inv, "<ceb:InventoryList>\n      <ceb:gnum>1<", "</ceb:InventoryList>\n");
	order = subst(subst(order, "<ceb:gnum>2<", "<ceb:gnum>1<"), ">120.00<", ">6000.00<");
	order = subst(subst(subst(order, ">120.00<", ">6000.00<"), ">516.00<", ">6000.00<"),
	              ">47.87<", ">0.00<");
	order = subst(order, ">573.87<", ">6010.00<");
	inv = subst(subst(inv, "<ceb:gnum>2<", "<ceb:gnum>1<"), ">120.00<", ">6000.00<");
	inv = subst(inv, ">120.00<", ">6000.00<");
	f = pair(order, inv);
	x = find_code(f, "CG1007");
	if (x == NULL)
		dump(f);
	assert_non_null(x);
	assert_non_null(strstr(x->message_en, "recomputed from the inventory 2059.66 at the goods rates"));
	assert_null(find_code(f, "CG1026"));
	cg_findings_free(f);
}

/* ---- the tax bill's lines (CEB816 TaxListRd): each tax as levied ----------------- */

/* cg__tax_lines over the inventory @p inv (freed), for a tax bill. */
static void
bill_lines(char *inv, struct cg_tax *t, struct cg_tax_line *lines)
{
	cg_findings *f = NULL;
	xmlDocPtr doc = NULL;
	struct cg_msg *m = NULL;

	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(cg__xml_parse(&doc, fx->ctx, inv, strlen(inv), "inventory.xml", f), CG_OK);
	assert_int_equal(cg__msg_from_xml(&m, fx->ctx, doc, false), CG_OK);
	cg__tax_lines(cg__validator_codes(fx->v), &m->docs[0], t, lines);
	cg__msg_free(m);
	xmlFreeDoc(doc);
	cg_findings_free(f);
	free(inv);
}

static void
expect_line(const struct cg_tax_line *l, const char *value, const char *duty, const char *vat,
	    const char *ct)
{
	char v[64], d[64], va[64], c[64];

	cg__dec_format(l->value, v, sizeof(v));
	cg__dec_format(l->duty, d, sizeof(d));
	cg__dec_format(l->vat, va, sizeof(va));
	cg__dec_format(l->ct, c, sizeof(c));
	assert_string_equal(v, value);
	assert_string_equal(d, duty);
	assert_string_equal(va, vat);
	assert_string_equal(c, ct);
}

/*
 * Within the limit: no duty, VAT (and consumption tax) at 70 % of the goods
 * rate, per line on its dutiable value (freight shared in proportion):
 * 403.67441 x 13 % = 52.47767, levied 36.73436 (not 52.47767).
 */
static void
test_bill_lines_percent_retail(void **state)
{
	struct cg_tax t;
	struct cg_tax_line l[2];

	(void)state;
	bill_lines(sample(INVENTORY), &t, l);
	assert_int_equal(t.basis, CG_TAX_RETAIL);
	expect_line(&l[0], "403.67441", "0.00", "36.73436", "0.00");
	expect_line(&l[1], "122.32558", "0.00", "11.13163", "0.00");
}

/*
 * A per-unit consumption tax (beer, 0.253 CNY per litre of qty1, 0.5 l: 0.1265)
 * and a compound one (whisky, 20 % + 0.912 CNY/l, 0.7 l: (V + 0.6384) / 0.8 x
 * 20 % + 0.6384 = 31.37939), each with VAT on the value plus the consumption
 * tax, both at 70 %.
 */
static void
test_bill_lines_per_unit_and_compound(void **state)
{
	struct cg_tax t;
	struct cg_tax_line l[2];

	(void)state;
	bill_lines(inv_line2(">2203000000<", "<ceb:qty1>0.5</ceb:qty1>\n      <ceb:unit1>095</ceb:unit1>\n"
					     "      <ceb:qty2>0.5</ceb:qty2>\n      <ceb:unit2>035</ceb:unit2>"),
		   &t, l);
	assert_int_equal(t.basis, CG_TAX_RETAIL);
	expect_line(&l[1], "122.32558", "0.00", "11.14313", "0.08855");
	bill_lines(inv_line2(">2208300000<", "<ceb:qty1>0.7</ceb:qty1>\n      <ceb:unit1>095</ceb:unit1>\n"
					     "      <ceb:qty2>1.1</ceb:qty2>\n      <ceb:unit2>035</ceb:unit2>"),
		   &t, l);
	expect_line(&l[1], "122.32558", "0.00", "13.98715", "21.96557");
	/* The first line is the same formula milk whatever the second. */
	expect_line(&l[0], "403.67441", "0.00", "36.73436", "0.00");
}

/*
 * One item over the single-transaction limit (the cream alone at 6000.00):
 * the goods rates in full, duty included: MFN 1 % = 60.10, consumption tax
 * 15 % on the composite basis = 1071.19411, VAT 13 % = 928.36823.
 */
static void
test_bill_lines_over_limit_item(void **state)
{
	char *inv = sample(INVENTORY);
	struct cg_tax t;
	struct cg_tax_line l[1];

	(void)state;
	inv = cut(inv, "<ceb:InventoryList>\n      <ceb:gnum>1<", "</ceb:InventoryList>\n");
	inv = subst(subst(inv, "<ceb:gnum>2<", "<ceb:gnum>1<"), ">120.00<", ">6000.00<");
	inv = subst(inv, ">120.00<", ">6000.00<");
	bill_lines(inv, &t, l);
	assert_int_equal(t.basis, CG_TAX_FULL);
	expect_line(&l[0], "6010.00", "60.10", "928.36823", "1071.19411");
}

/* Documents of different orders are never compared; finish forgets the set. */
static void
test_cross_unrelated_and_reset(void **state)
{
	cg_findings *f;

	(void)state;
	f = cross("order.xml", sample(ORDER), "payment.xml",
	          subst(subst(sample(PAYMENT), ">573.87<", ">1.00<"), "SO202411110000123456",
	                "SO999"));
	assert_int_equal(cg_findings_count(f), 0);
	cg_findings_free(f);
	/* The order of the previous batch is gone: a lone mismatching payment is fine. */
	assert_int_equal(cg_findings_new(&f), CG_OK);
	{
		char *doc = subst(sample(PAYMENT), ">573.87<", ">1.00<");

		assert_int_equal(validate_in(fx->v, doc, "payment.xml", f), 1);
		free(doc);
	}
	finish(fx->v, f);
	assert_int_equal(cg_findings_count(f), 0);
	cg_findings_free(f);
}

/* ---- DxpMsg envelopes --------------------------------------------------------------------- */

static char *
base64(const char *in)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(in), i, o = 0;
	char *out = malloc(n / 3 * 4 + 8);

	assert_non_null(out);
	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)(unsigned char)in[i] << 16 |
		             (unsigned)(unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];

		out[o++] = al[v >> 18 & 63];
		out[o++] = al[v >> 12 & 63];
		out[o++] = al[v >> 6 & 63];
		out[o++] = al[v & 63];
	}
	if (i < n) {
		unsigned v = (unsigned)(unsigned char)in[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)(unsigned char)in[i + 1] << 8;
		out[o++] = al[v >> 18 & 63];
		out[o++] = al[v >> 12 & 63];
		out[o++] = i + 1 < n ? al[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

/* Wrap @p inner (freed) in a DxpMsg. */
static char *
dxp(char *inner)
{
	static const char head[] =
	        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<dxp:DxpMsg ver=\"1.0\" xmlns:dxp=\"http://www.chinaport.gov.cn/dxp\">"
	        "<dxp:TransInfo><dxp:CopMsgId>1</dxp:CopMsgId><dxp:SenderId>DXPENT0000999901</"
	        "dxp:SenderId>"
	        "<dxp:ReceiverIds><dxp:ReceiverId>DXPEDCCEB0000002</dxp:ReceiverId></"
	        "dxp:ReceiverIds>"
	        "<dxp:CreatTime>2024-11-11T00:05:12</dxp:CreatTime><dxp:MsgType>CEB311Message</"
	        "dxp:MsgType>"
	        "</dxp:TransInfo><dxp:Data>\n";
	static const char tail[] = "\n</dxp:Data></dxp:DxpMsg>\n";
	char *b64 = base64(inner), *out = malloc(sizeof(head) + strlen(b64) + sizeof(tail));

	assert_non_null(out);
	strcpy(out, head);
	strcat(out, b64);
	strcat(out, tail);
	free(b64);
	free(inner);
	return out;
}

static void
test_dxp_envelope(void **state)
{
	cg_findings *f = NULL;
	const cg_finding *x;
	char *doc;

	(void)state;
	assert_int_equal(cg_findings_new(&f), CG_OK);
	/* A valid order inside: valid. */
	doc = dxp(sample(ORDER));
	assert_int_equal(validate_in(fx->v, doc, "env.xml", f), 1);
	finish(fx->v, f);
	free(doc);
	assert_int_equal(cg_findings_count(f), 0);

	/* A rule broken inside: reported under FILE#Data. */
	doc = dxp(subst(sample(ORDER), ">573.87<", ">573.88<"));
	assert_int_equal(validate_in(fx->v, doc, "env.xml", f), 0);
	finish(fx->v, f);
	free(doc);
	x = find_code(f, "CG1001");
	assert_non_null(x);
	assert_string_equal(x->source, "env.xml#Data");
	assert_string_equal(x->xpath, P311 "acturalPaid");

	/* An entity attack hidden in the base64 Data is refused like any other. */
	cg_findings_clear(f);
	doc = dxp(strdup("<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>"));
	assert_int_equal(validate_in(fx->v, doc, "env.xml", f), 0);
	finish(fx->v, f);
	free(doc);
	x = find_code(f, "CG0002");
	assert_non_null(x);
	assert_string_equal(x->source, "env.xml#Data");

	/* An envelope inside an envelope is not unwrapped again. */
	cg_findings_clear(f);
	doc = dxp(dxp(sample(ORDER)));
	assert_int_equal(validate_in(fx->v, doc, "env.xml", f), 0);
	finish(fx->v, f);
	free(doc);
	assert_non_null(find_code(f, "CG0005"));

	/* Data that is not base64. */
	cg_findings_clear(f);
	doc = subst(dxp(sample(ORDER)), "<dxp:Data>\n", "<dxp:Data>\n!!!!");
	assert_int_equal(validate_in(fx->v, doc, "env.xml", f), 0);
	finish(fx->v, f);
	free(doc);
	assert_non_null(find_code(f, "CG0100"));
	cg_findings_free(f);
}

/*
 * An XSD violation of @p doc: CG0100 at @p xpath whose Chinese message is @p zh
 * (after the code's title) and whose English still carries libxml2's detail @p en.
 */
static void
expect_xsd_zh(char *doc, const char *xpath, const char *zh, const char *en)
{
	cg_findings *f = expect_rule(doc, "CG0100", xpath, false);
	const cg_finding *x = find_code(f, "CG0100");
	char want[512];

	(void)snprintf(want, sizeof(want), "报文不符合XSD: %s", zh);
	assert_string_equal(x->message_zh, want);
	assert_non_null(strstr(x->message_en, en));
	cg_findings_free(f);
}

/* The frequent XSD errors read as Chinese sentences naming the element and the value. */
static void
test_xsd_messages_zh(void **state)
{
	(void)state;
	expect_xsd_zh(subst(sample(ORDER), "<ceb:freight>10.00</ceb:freight>", ""),
	              P311 "discount", "元素discount不应出现在此处（应为：freight）",
	              "This element is not expected");
	expect_xsd_zh(subst(sample(ORDER), "<ceb:orderNo>SO202411110000123456<",
	                    "<ceb:orderNo>SO202411110000123456789012345678901234567890123456789012345678<"),
	              P311 "orderNo",
	              "元素orderNo的值“SO202411110000123456789012345678901234567890123456789012345678”"
	              "长度为62，超过最大长度60",
	              "exceeds the allowed maximum length");
	expect_xsd_zh(subst(sample(ORDER), "<ceb:appType>1<", "<ceb:appType>7<"), P311 "appType",
	              "元素appType的值“7”不是允许的值（'1', '2', '3'）", "[facet 'enumeration']");
	expect_xsd_zh(subst(sample(ORDER), ">20241111000512<", ">2024-11-11<"), P311 "appTime",
	              "元素appTime的值“2024-11-11”不符合格式“[0-9]{14}”", "[facet 'pattern']");
	expect_xsd_zh(subst(sample(ORDER), "<ceb:currency>142<", "<ceb:currency>143<"),
	              P311 "currency", "元素currency的值“143”与固定值“142”不符",
	              "fixed value constraint");
	expect_xsd_zh(subst(sample(ORDER), "<ceb:goodsValue>516.00<", "<ceb:goodsValue>abc<"),
	              P311 "goodsValue", "元素goodsValue的值“abc”不是有效的数字",
	              "is not a valid value");
	expect_xsd_zh(subst(sample(ORDER), "<ceb:guid>309FF3B5-9896-4379-93C3-706DB153EEF5<",
	                    "<ceb:guid>x<"),
	              P311 "guid", "元素guid的值“x”长度为1，应为36", "[facet 'length']");
	expect_xsd_zh(subst(sample(ORDER), "version=\"1.0\" xmlns", "version=\"1.0\" foo=\"x\" xmlns"),
	              "/ceb:CEB311Message", "元素CEB311Message不允许有属性foo", "is not allowed");
}

/* A long value is cut on a character boundary: the sentence stays valid UTF-8. */
static void
test_xsd_message_zh_long_value(void **state)
{
	char value[3 * 61 + 1] = "";
	char from[] = "<ceb:orderNo>SO202411110000123456<", to[sizeof(value) + 16];
	cg_findings *f;
	const cg_finding *x;
	int i;

	(void)state;
	for (i = 0; i < 61; i++)
		strcat(value, "订");
	(void)snprintf(to, sizeof(to), "<ceb:orderNo>%s<", value);
	f = expect_rule(subst(sample(ORDER), from, to), "CG0100", P311 "orderNo", false);
	x = find_code(f, "CG0100");
	/* 21 characters of 3 bytes fit in 64 bytes, then the ellipsis. */
	assert_non_null(strstr(x->message_zh, "的值“订订订订订订订订订订订订订订订订订订订订订…”长度为61，超过最大长度60"));
	cg_findings_free(f);
}

/*
 * The XSDs are compiled once per process and data directory: another validator
 * (naming the directory through another path) and a normalizer (which has a
 * validator of its own, like every upload of the service) share the fixture's.
 */
static void
test_schemas_compiled_once(void **state)
{
	cg_normalize_options o = CG_NORMALIZE_OPTIONS_INIT;
	cg_normalizer *n = NULL;
	cg_validator *v = NULL;
	cg_findings *f = NULL;
	char dir[4096], *doc = sample(ORDER);
	unsigned long before = cg__schemas_compilations();

	(void)state;
	assert_true(before >= 1); /* the fixture's validators hold a compiled set */
	(void)snprintf(dir, sizeof(dir), "%s/.", srcdir());
	assert_int_equal(cg_validator_new(&v, fx->ctx, dir, 0), CG_OK);
	assert_int_equal(cg_normalizer_new(&n, fx->ctx, NULL, &o), CG_OK);
	assert_int_equal(cg__schemas_compilations(), before);
	/* Each still validates on its own contexts. */
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(validate_in(v, doc, "order.xml", f), 1);
	assert_int_equal(validate_in(fx->strict, doc, "order.xml", f), 1);
	finish(v, f);
	finish(fx->strict, f);
	cg_normalizer_free(n);
	cg_validator_free(v);
	cg_findings_free(f);
	free(doc);
}

/* ---- report ------------------------------------------------------------------------- */

static json_int_t
get_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_non_null(v);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void
test_report_json(void **state)
{
	cg_findings *f = NULL;
	cg_report_file files[3] = { { "order.xml", "CEB311Message", NULL },
		                    { "bad.xml", "CEB311Message", NULL },
		                    { "inv.xml", "CEB621Message", NULL } };
	char *order = sample(ORDER), *bad, *inv = sample(INVENTORY), *text;
	json_t *root, *arr, *sum, *file, *fl, *x;
	json_error_t err;
	size_t i;

	(void)state;
	bad = subst(subst(sample(ORDER), ">573.87<", ">573.88<"), "<ceb:country>601<",
	            "<ceb:country>998<");
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(validate_in(fx->v, order, "order.xml", f), 1);
	assert_int_equal(validate_in(fx->v, bad, "bad.xml", f), 0);
	assert_int_equal(validate_in(fx->v, inv, "inv.xml", f), 1);
	/* A warning for the summary: an unknown customs district in the inventory. */
	free(inv);
	inv = subst(sample(INVENTORY), "<ceb:customsCode>5349<", "<ceb:customsCode>0099<");
	cg_findings_clear(f);
	finish(fx->v, f);
	assert_int_equal(validate_in(fx->v, order, "order.xml", f), 1);
	assert_int_equal(validate_in(fx->v, bad, "bad.xml", f), 0);
	assert_int_equal(validate_in(fx->v, inv, "inv.xml", f), 1);
	finish(fx->v, f);

	text = cg_report_json(files, 3, f);
	assert_non_null(text);
	root = json_loads(text, 0, &err);
	if (root == NULL)
		fail_msg("report is not JSON: %s", err.text);
	sum = json_object_get(root, "summary");
	assert_non_null(sum);
	assert_int_equal(get_int(sum, "files"), 3);
	assert_int_equal(get_int(sum, "valid"), 2);
	assert_int_equal(get_int(sum, "invalid"), 1);
	assert_int_equal(get_int(sum, "errors"), 2);
	assert_int_equal(get_int(sum, "warnings"), 1);
	arr = json_object_get(root, "files");
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), 3);

	file = json_array_get(arr, 1);
	assert_string_equal(json_string_value(json_object_get(file, "file")), "bad.xml");
	assert_string_equal(json_string_value(json_object_get(file, "type")), "CEB311Message");
	assert_true(json_is_false(json_object_get(file, "valid")));
	fl = json_object_get(file, "findings");
	assert_int_equal(json_array_size(fl), 2);
	json_array_foreach(fl, i, x)
	{
		const char *code = json_string_value(json_object_get(x, "code"));

		assert_non_null(code);
		assert_true(strcmp(code, "CG1001") == 0 || strcmp(code, "CG1014") == 0);
		assert_string_equal(json_string_value(json_object_get(x, "severity")), "error");
		assert_string_equal(json_string_value(json_object_get(x, "source")), "bad.xml");
		assert_true(strncmp(json_string_value(json_object_get(x, "xpath")),
		                    "/ceb:CEB311Message/", 19) == 0);
		assert_true(get_int(x, "line") > 0);
		assert_int_equal(get_int(x, "column"), 0);
		assert_true(strlen(json_string_value(json_object_get(x, "message_en"))) > 0);
		assert_true(strlen(json_string_value(json_object_get(x, "message_zh"))) > 0);
	}
	file = json_array_get(arr, 0);
	assert_true(json_is_true(json_object_get(file, "valid")));
	assert_int_equal(json_array_size(json_object_get(file, "findings")), 0);
	file = json_array_get(arr, 2);
	assert_true(json_is_true(json_object_get(file, "valid")));
	/* CG0200 info and CG1014 warning. */
	assert_int_equal(json_array_size(json_object_get(file, "findings")), 2);

	json_decref(root);
	cg_free(text);

	/* One finding on its own. */
	text = cg_finding_json(find_code(f, "CG1001"));
	assert_non_null(text);
	root = json_loads(text, 0, &err);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "code")), "CG1001");
	assert_string_equal(json_string_value(json_object_get(root, "xpath")), P311 "acturalPaid");
	assert_int_equal(get_int(root, "line"), 19);
	json_decref(root);
	cg_free(text);

	/* An empty report is still a report. */
	cg_findings_clear(f);
	text = cg_report_json(NULL, 0, f);
	assert_non_null(text);
	root = json_loads(text, 0, &err);
	assert_non_null(root);
	assert_int_equal(get_int(json_object_get(root, "summary"), "files"), 0);
	json_decref(root);
	cg_free(text);

	free(order);
	free(bad);
	free(inv);
	cg_findings_free(f);
}

/* Names with quotes, backslashes and control characters stay valid JSON. */
static void
test_report_json_escaping(void **state)
{
	cg_findings *f = NULL;
	const char *name = "we\"ird\\name\n\t%s%n.xml";
	cg_report_file file = { name, "", NULL };
	json_error_t err;
	json_t *root;
	char *text;

	(void)state;
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(validate_in(fx->v, "<a>", name, f), 0);
	finish(fx->v, f);
	text = cg_report_json(&file, 1, f);
	assert_non_null(text);
	root = json_loads(text, 0, &err);
	if (root == NULL)
		fail_msg("report is not JSON: %s", err.text);
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(json_object_get(root, "files"), 0), "file")),
	                    name);
	assert_int_equal(get_int(json_object_get(root, "summary"), "invalid"), 1);
	json_decref(root);
	cg_free(text);
	cg_findings_free(f);
}

static void
test_report_text(void **state)
{
	cg_findings *f = NULL;
	cg_report_file files[2] = { { "order.xml", "CEB311Message", NULL },
		                    { "bad.xml", "CEB311Message", NULL } };
	char *order = sample(ORDER), *bad = subst(sample(ORDER), ">573.87<", ">573.88<");
	char buf[8192];
	FILE *out;
	size_t n;

	(void)state;
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(validate_in(fx->v, order, "order.xml", f), 1);
	assert_int_equal(validate_in(fx->v, bad, "bad.xml", f), 0);
	finish(fx->v, f);

	out = tmpfile();
	assert_non_null(out);
	assert_int_equal(cg_report_text(out, files, 2, f, 0), CG_OK);
	rewind(out);
	n = fread(buf, 1, sizeof(buf) - 1, out);
	buf[n] = '\0';
	fclose(out);
	assert_non_null(strstr(buf, "order.xml: valid (CEB311Message)"));
	assert_non_null(strstr(buf, "bad.xml: INVALID (CEB311Message)"));
	assert_non_null(strstr(buf, "error CG1001 line 19 " P311 "acturalPaid"));
	assert_non_null(strstr(buf, "2 file(s): 1 valid, 1 invalid; 1 error(s), 0 warning(s)"));

	/* quiet lists only the invalid files. */
	out = tmpfile();
	assert_non_null(out);
	assert_int_equal(cg_report_text(out, files, 2, f, 1), CG_OK);
	rewind(out);
	n = fread(buf, 1, sizeof(buf) - 1, out);
	buf[n] = '\0';
	fclose(out);
	assert_null(strstr(buf, "order.xml"));
	assert_non_null(strstr(buf, "bad.xml: INVALID"));

	free(order);
	free(bad);
	cg_findings_free(f);
}

/* An input that could not be read is in both reports, with why, and counted apart. */
static void
test_report_unreadable(void **state)
{
	cg_findings *f = NULL;
	cg_report_file files[2] = { { "order.xml", "CEB311Message", NULL },
		                    { "gone.xml", "", "No such file or directory" } };
	char *order = sample(ORDER), *text, buf[4096];
	json_t *root, *file, *sum;
	FILE *out;
	size_t n;

	(void)state;
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(validate_in(fx->v, order, "order.xml", f), 1);
	finish(fx->v, f);
	text = cg_report_json(files, 2, f);
	assert_non_null(text);
	root = json_loads(text, 0, NULL);
	assert_non_null(root);
	file = json_array_get(json_object_get(root, "files"), 1);
	assert_string_equal(json_string_value(json_object_get(file, "file")), "gone.xml");
	assert_true(json_is_false(json_object_get(file, "valid")));
	assert_string_equal(json_string_value(json_object_get(file, "error")),
	                    "No such file or directory");
	assert_null(json_object_get(json_array_get(json_object_get(root, "files"), 0), "error"));
	sum = json_object_get(root, "summary");
	assert_int_equal(get_int(sum, "files"), 2);
	assert_int_equal(get_int(sum, "valid"), 1);
	assert_int_equal(get_int(sum, "invalid"), 0);
	assert_int_equal(get_int(sum, "unreadable"), 1);
	json_decref(root);
	cg_free(text);

	/* Even a quiet text report names it: it is not a valid file. */
	out = tmpfile();
	assert_non_null(out);
	assert_int_equal(cg_report_text(out, files, 2, f, 1), CG_OK);
	rewind(out);
	n = fread(buf, 1, sizeof(buf) - 1, out);
	buf[n] = '\0';
	fclose(out);
	assert_non_null(strstr(buf, "gone.xml: UNREADABLE (No such file or directory)"));
	assert_non_null(strstr(buf, "2 file(s): 1 valid, 0 invalid, 1 unreadable;"));

	free(order);
	cg_findings_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_samples),
		cmocka_unit_test(test_valid_samples_together),
		cmocka_unit_test(test_invalid_samples),
		cmocka_unit_test(test_crossdoc_samples),
		cmocka_unit_test(test_rule_cg1001_paid_identity),
		cmocka_unit_test(test_rule_cg1002_line_product),
		cmocka_unit_test(test_rule_cg1003_goods_value),
		cmocka_unit_test(test_rule_cg1004_idno),
		cmocka_unit_test(test_rule_cg1005_idtype),
		cmocka_unit_test(test_rule_cg1006_single_limit),
		cmocka_unit_test(test_rule_cg1019_single_item),
		cmocka_unit_test(test_rule_cg1008_hs_list),
		cmocka_unit_test(test_rule_cg1009_placeholder),
		cmocka_unit_test(test_rule_cg1010_gnum),
		cmocka_unit_test(test_rule_cg1011_qty2),
		cmocka_unit_test(test_rule_cg1012_bonded),
		cmocka_unit_test(test_rule_cg1013_direct),
		cmocka_unit_test(test_rule_cg1014_code_tables),
		cmocka_unit_test(test_rule_cg1015_dates),
		cmocka_unit_test(test_rule_cg1016_packno),
		cmocka_unit_test(test_rule_cg1017_positive),
		cmocka_unit_test(test_rule_cg1018_legal_unit),
		cmocka_unit_test(test_rule_cg1018_second_unit),
		cmocka_unit_test(test_rule_cg1020_logistics_status),
		cmocka_unit_test(test_rule_cg1021_return_status),
		cmocka_unit_test(test_rule_cg1023_taxbill_status),
		cmocka_unit_test(test_rule_cg1027_net_over_gross),
		cmocka_unit_test(test_cg0200_signature),
		cmocka_unit_test(test_document_level_codes),
		cmocka_unit_test(test_cross_consistent),
		cmocka_unit_test(test_cross_cg1101_amount),
		cmocka_unit_test(test_cross_cg1102_payer),
		cmocka_unit_test(test_cross_cg1103_consignee),
		cmocka_unit_test(test_cross_cg1104_lines),
		cmocka_unit_test(test_cross_cg1007_tax),
		cmocka_unit_test(test_tax_consumption),
		cmocka_unit_test(test_tax_unchecked),
		cmocka_unit_test(test_tax_full_over_limit),
		cmocka_unit_test(test_tax_full_consumption),
		cmocka_unit_test(test_bill_lines_percent_retail),
		cmocka_unit_test(test_bill_lines_per_unit_and_compound),
		cmocka_unit_test(test_bill_lines_over_limit_item),
		cmocka_unit_test(test_cross_unrelated_and_reset),
		cmocka_unit_test(test_dxp_envelope),
		cmocka_unit_test(test_report_json),
		cmocka_unit_test(test_report_json_escaping),
		cmocka_unit_test(test_report_unreadable),
		cmocka_unit_test(test_xsd_messages_zh),
		cmocka_unit_test(test_xsd_message_zh_long_value),
		cmocka_unit_test(test_schemas_compiled_once),
		cmocka_unit_test(test_report_text),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("validate", tests, group_setup, group_teardown);
}
