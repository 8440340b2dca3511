/* SPDX-License-Identifier: MIT */
/*
 * The field tables of model.h against the XSDs of schemas/: for every message
 * type a document with every field filled (text at its full length in Chinese
 * characters) is schema-valid; one character more than a field's maximum, or
 * a required field left out, is not; an optional field left out still is.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libxml/parser.h>
#include "ceb/model.h"
#include "ceb/schema.h"
#include "ceb/writer.h"
#include "util/xml.h"

static struct cg_schemas *schemas;
static cg_ctx *ctx;
static xmlDocPtr sigdoc;

static const char signature[] =
	"<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>"
	"<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>"
	"<ds:SignatureMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#rsa-sha1\"/>"
	"<ds:Reference URI=\"\"><ds:DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"/>"
	"<ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo>"
	"<ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>";

static int
setup(void **state)
{
	(void)state;
	if (getenv("top_srcdir") != NULL)
		setenv("CEBGATE_DATADIR", getenv("top_srcdir"), 1);
	if (cg_global_init() != CG_OK || cg_ctx_new(&ctx) != CG_OK)
		return -1;
	if (cg__schemas_load(&schemas, ctx, cg_datadir()) != CG_OK)
		return -1;
	sigdoc = xmlReadMemory(signature, (int)sizeof(signature) - 1, "s.xml", NULL, XML_PARSE_NONET);
	return sigdoc != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	xmlFreeDoc(sigdoc);
	cg__schemas_free(schemas);
	cg_ctx_free(ctx);
	cg_global_shutdown();
	return 0;
}

static const char *
table_value(unsigned char t)
{
	switch (t) {
	case CG_T_COUNTRY:
	case CG_T_CURRENCY:
		return "142";
	case CG_T_UNIT:
		return "011";
	case CG_T_TRANSPORT:
		return "4";
	case CG_T_WRAP:
		return "2";
	case CG_T_CUSTOMS:
		return "5349";
	case CG_T_IDTYPE:
		return "1";
	case CG_T_TRADEMODE:
		return "1210";
	default:
		return NULL;
	}
}

/* A valid value for @p fd; with @p extra, one character longer than allowed. */
static void
value_for(const struct cg_fdef *fd, char *buf, size_t size, int extra)
{
	const char *fixed = fd->dflt != NULL ? fd->dflt : table_value(fd->table);
	size_t i, n;

	buf[0] = '\0';
	switch (fd->kind) {
	case CG_K_DEC:
		snprintf(buf, size, "1.5");
		return;
	case CG_K_INT:
		snprintf(buf, size, "1");
		return;
	case CG_K_DT14:
		snprintf(buf, size, "20261128100000");
		return;
	case CG_K_D8:
		snprintf(buf, size, "20261128");
		return;
	case CG_K_T17:
		snprintf(buf, size, "20261128100000000");
		return;
	case CG_K_IDNO:
		snprintf(buf, size, "330106199003071236");
		return;
	default:
		break;
	}
	if (fixed != NULL && !extra) {
		snprintf(buf, size, "%s", fixed);
		return;
	}
	n = fd->maxlen != 0 ? fd->maxlen : (fd->minlen != 0 ? fd->minlen : 8);
	n += (size_t)extra;
	for (i = 0; i < n; i++) {
		/* Text in Chinese: lengths are characters, not bytes. Codes in ASCII. */
		const char *c = fd->kind == CG_K_TEXT ? "文" : "A";

		strncat(buf, c, size - strlen(buf) - 1);
	}
}

static void
fill(struct cg_group *g)
{
	char buf[16384];
	size_t i;

	for (i = 0; i < g->def->nf; i++) {
		value_for(&g->def->f[i], buf, sizeof(buf), 0);
		assert_int_equal(cg__group_set(g, (int)i, buf, 0, 0), CG_OK);
	}
}

static struct cg_msg *
full_message(const struct cg_msgdef *def)
{
	struct cg_msg *m;
	struct cg_decl *d;
	struct cg_group *line;

	assert_int_equal(cg__msg_new(&m, def), CG_OK);
	m->guid = strdup("ABCDEFGH-ABCD-ABCD-ABCD-ABCDEFGHIJKL");
	m->version = strdup("1.0");
	assert_int_equal(cg__msg_add_doc(m, &d), CG_OK);
	fill(&d->head);
	if (def->list != NULL) {
		assert_int_equal(cg__decl_add_line(d, def, &line), CG_OK);
		fill(line);
	}
	if (def->declaration) {
		assert_int_equal(cg__group_init(&m->transfer, &cg__basetransfer), CG_OK);
		fill(&m->transfer);
	}
	return m;
}

/* Number of XSD violations of @p m (with a stand-in signature where one is required). */
static size_t
violations(const struct cg_msg *m)
{
	cg_buf xml = CG_BUF_INIT(0);
	cg_findings *f;
	xmlDocPtr doc;
	size_t nerr = 0;

	assert_int_equal(cg__msg_to_xml(m, &xml), CG_OK);
	doc = xmlReadMemory(xml.ptr, (int)xml.len, "m.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	if (m->def->declaration) {
		xmlNodePtr s = xmlDocCopyNode(xmlDocGetRootElement(sigdoc), doc, 1);

		xmlAddChild(xmlDocGetRootElement(doc), s);
	}
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(cg__schemas_validate(schemas, ctx, doc, false, "m", f, &nerr), CG_OK);
	if (nerr != 0 && getenv("CG_TEST_VERBOSE") != NULL)
		fprintf(stderr, "%s: %s\n", m->def->root, cg_findings_get(f, 0)->message_en);
	cg_findings_free(f);
	xmlFreeDoc(doc);
	cg_buf_dispose(&xml);
	return nerr;
}

static void
check_group(struct cg_msg *m, struct cg_group *g)
{
	char buf[16384], name[128];
	size_t i;

	for (i = 0; i < g->def->nf; i++) {
		const struct cg_fdef *fd = &g->def->f[i];
		char *saved = g->val[i] != NULL ? strdup(g->val[i]) : NULL;

		snprintf(name, sizeof(name), "%s/%s/%s", m->def->root, g->def->name, fd->name);
		/* Required fields may not be left out; optional ones may. */
		assert_int_equal(cg__group_set(g, (int)i, NULL, 0, 0), CG_OK);
		if ((fd->flags & CG_F_REQ) != 0 && violations(m) == 0)
			fail_msg("%s is required in model.h but the XSD accepts its absence", name);
		if ((fd->flags & CG_F_REQ) == 0 && violations(m) != 0)
			fail_msg("%s is optional in model.h but the XSD requires it", name);
		/* One character past the maximum is refused. */
		if ((fd->kind == CG_K_TEXT || fd->kind == CG_K_CODE) && fd->maxlen != 0) {
			value_for(fd, buf, sizeof(buf), 1);
			assert_int_equal(cg__group_set(g, (int)i, buf, 0, 0), CG_OK);
			if (violations(m) == 0)
				fail_msg("%s: %u+1 characters accepted by the XSD", name, fd->maxlen);
		}
		assert_int_equal(cg__group_set(g, (int)i, saved, 0, 0), CG_OK);
		free(saved);
	}
}

static void
check_family(const struct cg_msgdef *const *defs)
{
	size_t k;

	for (k = 0; defs[k] != NULL; k++) {
		struct cg_msg *m = full_message(defs[k]);

		if (violations(m) != 0)
			fail_msg("a full %s from model.h is not schema-valid", defs[k]->root);
		check_group(m, &m->docs[0].head);
		if (m->docs[0].nlines > 0)
			check_group(m, &m->docs[0].lines[0]);
		if (m->transfer.def != NULL)
			check_group(m, &m->transfer);
		cg__msg_free(m);
	}
}

static void
test_tables_match_xsd(void **state)
{
	(void)state;
	check_family(cg__msgdefs);
}

/* The export tables (msgdef_export.c) against schemas/ceb-export.xsd, field by field. */
static void
test_export_tables_match_xsd(void **state)
{
	size_t k;

	(void)state;
	check_family(cg__export_msgdefs);
	for (k = 0; cg__export_msgdefs[k] != NULL; k++)
		assert_true(cg__export_msgdefs[k]->export_family);
	for (k = 0; cg__msgdefs[k] != NULL; k++)
		assert_false(cg__msgdefs[k]->export_family);
}

static void
test_lookup(void **state)
{
	(void)state;
	assert_non_null(cg__msgdef_by_root("CEB621Message"));
	assert_int_equal(cg__msgdef_by_type(311)->type, 311);
	assert_null(cg__msgdef_by_root("CEB999Message"));
	assert_null(cg__msgdef_by_type(302));
	assert_true(cg__msgdef_by_type(303)->export_family);
	assert_string_equal(cg__msgdef_by_root("CEB792Message")->head->name, "SummaryResultHead");
	assert_false(cg__msgdef_by_type(792)->declaration);
	assert_true(cg__msgdef_by_type(621)->sig_required);
	assert_false(cg__msgdef_by_type(311)->sig_required);
	assert_int_equal(cg__edef_find(cg__msgdef_by_type(311)->head, "acturalPaid"), 14);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_tables_match_xsd),
		cmocka_unit_test(test_export_tables_match_xsd),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
