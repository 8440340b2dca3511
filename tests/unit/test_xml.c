/* SPDX-License-Identifier: MIT */
/* Unit tests of src/lib/util/xml.c: the safe parser of untrusted XML and the tree helpers. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "test_files.h"
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include "util/xml.h"

#define CEB_NS "xmlns:ceb=\"" CG_NS_CEB "\""
#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* A small CEB-shaped document: one Order with two OrderList siblings. */
static const char small_doc[] = DECL "<ceb:CEB311Message " CEB_NS " guid=\"G\" version=\"1.0\">\n"
                                     "<ceb:Order>\n"
                                     "<ceb:OrderHead><ceb:orderNo>SO1</ceb:orderNo><ceb:note>a "
                                     "&amp; b</ceb:note></ceb:OrderHead>\n"
                                     "<!-- a comment between elements is harmless -->\n"
                                     "<ceb:OrderList><ceb:gnum>1</ceb:gnum></ceb:OrderList>\n"
                                     "<ceb:OrderList><ceb:gnum>2</ceb:gnum></ceb:OrderList>\n"
                                     "</ceb:Order>\n"
                                     "</ceb:CEB311Message>\n";

struct fixture {
	char tmpdir[64];
	char secret[128]; /* a file outside any schema directory, holding the marker */
	char marker[64];
};

static const char *
srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s != NULL && *s != '\0' ? s : CG_ABS_SRCDIR;
}

static int
group_setup(void **state)
{
	static struct fixture fx;
	FILE *fp;

	if (setenv("CEBGATE_DATADIR", srcdir(), 1) != 0 || cg_global_init() != CG_OK)
		return -1;
	strcpy(fx.tmpdir, "/tmp/cg-test-xml.XXXXXX");
	if (mkdtemp(fx.tmpdir) == NULL)
		return -1;
	(void)snprintf(fx.marker, sizeof(fx.marker), "CGSECRET%ldMARKER", (long)getpid());
	(void)snprintf(fx.secret, sizeof(fx.secret), "%s/secret.txt", fx.tmpdir);
	fp = fopen(fx.secret, "w");
	if (fp == NULL)
		return -1;
	fprintf(fp, "%s\n", fx.marker);
	fclose(fp);
	*state = &fx;
	return 0;
}

static int
group_teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->tmpdir);
	if (system(cmd) != 0)
		return -1;
	cg_global_shutdown();
	return 0;
}

struct result {
	cg_rc rc;
	char code[8]; /* "OK" or the code of the one finding */
	unsigned long line;
	char xpath[64];
	char msg_en[512];
	char msg_zh[512];
	xmlDocPtr doc; /* kept when the caller asks for it */
};

/* When set, parse_ex() parses through this kept context (cg__xml_parse_keep) instead of a new one. */
static xmlParserCtxtPtr *kept;

/*
 * Parse @p len bytes. The contract of cg__xml_parse: CG_OK with a document and no
 * finding, or CG_EPARSE with no document and exactly one error finding.
 */
static struct result
parse_ex(const char *data, size_t len, bool keep)
{
	struct result r;
	cg_findings *f = NULL;
	cg_ctx *ctx = NULL;
	xmlDocPtr doc = (xmlDocPtr)(uintptr_t)1;

	memset(&r, 0, sizeof(r));
	assert_int_equal(cg_ctx_new(&ctx), CG_OK);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	r.rc = kept != NULL ? cg__xml_parse_keep(&doc, kept, ctx, data, len, "test.xml", f)
			    : cg__xml_parse(&doc, ctx, data, len, "test.xml", f);
	if (r.rc == CG_OK) {
		assert_non_null(doc);
		assert_int_equal(cg_findings_count(f), 0);
		strcpy(r.code, "OK");
		if (keep)
			r.doc = doc;
		else
			xmlFreeDoc(doc);
	} else {
		const cg_finding *x;

		assert_int_equal(r.rc, CG_EPARSE);
		assert_null(doc);
		assert_int_equal(cg_findings_count(f), 1);
		x = cg_findings_get(f, 0);
		assert_int_equal(x->severity, CG_SEV_ERROR);
		assert_string_equal(x->source, "test.xml");
		assert_true(x->message_en[0] != '\0');
		assert_true(x->message_zh[0] != '\0');
		(void)snprintf(r.code, sizeof(r.code), "%s", x->code);
		(void)snprintf(r.xpath, sizeof(r.xpath), "%s", x->xpath);
		(void)snprintf(r.msg_en, sizeof(r.msg_en), "%s", x->message_en);
		(void)snprintf(r.msg_zh, sizeof(r.msg_zh), "%s", x->message_zh);
		r.line = x->line;
	}
	cg_findings_free(f);
	cg_ctx_free(ctx);
	return r;
}

static const char *
parse_code(const char *data, size_t len)
{
	static struct result r;

	r = parse_ex(data, len, false);
	return r.code;
}

#define PARSE_STR(s) parse_code((s), strlen(s))

static char *
read_sample(const char *rel, size_t *len)
{
	char path[4096];

	(void)snprintf(path, sizeof(path), "%s/samples/xml/%s", srcdir(), rel);
	return test_read_file(path, len);
}

/* Convert UTF-8 text to @p to with iconv; free the result. */
static char *
convert(const char *to, const char *utf8, size_t *outlen)
{
	iconv_t cd = iconv_open(to, "UTF-8");
	size_t inleft = strlen(utf8), cap = inleft * 4 + 16, outleft = cap;
	char *out = malloc(cap), *in = (char *)utf8, *o = out;

	assert_true(cd != (iconv_t)-1);
	assert_non_null(out);
	assert_true(iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1);
	iconv_close(cd);
	*outlen = cap - outleft;
	return out;
}

/* Text of the first element named @p name (any namespace), or NULL; free with xmlFree. */
static xmlChar *
find_text(xmlNodePtr n, const char *name)
{
	for (; n != NULL; n = n->next) {
		xmlChar *t;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrEqual(n->name, BAD_CAST name))
			return xmlNodeGetContent(n);
		t = find_text(n->children, name);
		if (t != NULL)
			return t;
	}
	return NULL;
}

static void
test_xml_wellformed_ok(void **state)
{
	struct result r;
	xmlChar *t;
	char *buf;
	size_t len;

	(void)state;
	r = parse_ex(small_doc, strlen(small_doc), true);
	assert_string_equal(r.code, "OK");
	t = find_text(xmlDocGetRootElement(r.doc), "note");
	assert_string_equal((const char *)t, "a & b");
	xmlFree(t);
	xmlFreeDoc(r.doc);

	buf = read_sample("unsigned/CEB311-order.xml", &len);
	assert_string_equal(parse_code(buf, len), "OK");
	free(buf);
	/* A document that is not a CEB message still parses: the type check comes later. */
	assert_string_equal(PARSE_STR("<a/>"), "OK");
}

static void
test_xml_not_wellformed(void **state)
{
	struct result r;
	const char *doc = "<a>\n<b>\n</c></a>";

	(void)state;
	r = parse_ex(doc, strlen(doc), false);
	assert_string_equal(r.code, "CG0001");
	assert_int_equal(r.line, 3);
	assert_string_equal(PARSE_STR(""), "CG0001");
	assert_string_equal(PARSE_STR("   \n"), "CG0001");
	assert_string_equal(PARSE_STR("just text"), "CG0001");
	assert_string_equal(PARSE_STR("<a>"), "CG0001");
	assert_string_equal(PARSE_STR("<a x='1' x='2'/>"), "CG0001");
	/* Namespace errors are not fatal in libxml2: the parser must still refuse them. */
	assert_string_equal(PARSE_STR("<ceb:a/>"), "CG0001");
	assert_string_equal(PARSE_STR("<a xmlns:p='urn:x'><p:b q:c='1'/></a>"), "CG0001");
}

static void
test_xml_two_roots(void **state)
{
	(void)state;
	assert_string_equal(PARSE_STR("<a/><b/>"), "CG0001");
	assert_string_equal(PARSE_STR(DECL "<a/>\n" DECL "<a/>"), "CG0001");
}

static void
test_xml_doctype_internal_entity(void **state)
{
	struct result r;
	const char *doc = DECL "<!DOCTYPE a [<!ENTITY e \"expanded-entity-text\">]>\n"
	                       "<a>&e;</a>";

	(void)state;
	r = parse_ex(doc, strlen(doc), false);
	assert_string_equal(r.code, "CG0002");
	assert_null(strstr(r.msg_en, "expanded-entity-text"));
	/* Even a DOCTYPE that declares nothing is refused. */
	assert_string_equal(PARSE_STR("<!DOCTYPE a><a/>"), "CG0002");
	assert_string_equal(PARSE_STR("<!DOCTYPE a []><a/>"), "CG0002");
	/* Default attributes come from an ATTLIST: refused with the DOCTYPE. */
	assert_string_equal(PARSE_STR("<!DOCTYPE a [<!ATTLIST a x CDATA 'injected'>]><a/>"),
	                    "CG0002");
}

/* The marker of the secret file must appear in no field of the finding. */
static void
expect_refused_without_leak(const struct fixture *fx, const char *doc)
{
	struct result r = parse_ex(doc, strlen(doc), false);

	assert_string_equal(r.code, "CG0002");
	assert_null(strstr(r.msg_en, fx->marker));
	assert_null(strstr(r.msg_zh, fx->marker));
	assert_null(strstr(r.xpath, fx->marker));
	assert_null(strstr(r.msg_en, "root:"));
}

static void
test_xml_external_entity(void **state)
{
	const struct fixture *fx = *state;
	char doc[1024];

	(void)snprintf(doc, sizeof(doc),
	               DECL "<!DOCTYPE a [<!ENTITY xxe SYSTEM \"file://%s\">]>\n<a>&xxe;</a>",
	               fx->secret);
	expect_refused_without_leak(fx, doc);
	(void)snprintf(doc, sizeof(doc),
	               DECL "<!DOCTYPE a [<!ENTITY xxe SYSTEM \"%s\">]>\n<a>&xxe;</a>", fx->secret);
	expect_refused_without_leak(fx, doc);
	expect_refused_without_leak(
	        fx,
	        DECL "<!DOCTYPE a [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<a>&xxe;</a>");
	/* The entity in an attribute value. */
	(void)snprintf(doc, sizeof(doc),
	               DECL "<!DOCTYPE a [<!ENTITY xxe SYSTEM \"file://%s\">]>\n<a b=\"&xxe;\"/>",
	               fx->secret);
	expect_refused_without_leak(fx, doc);
}

static void
test_xml_external_dtd(void **state)
{
	const struct fixture *fx = *state;
	char doc[1024];

	(void)snprintf(doc, sizeof(doc), DECL "<!DOCTYPE a SYSTEM \"file://%s\">\n<a/>",
	               fx->secret);
	expect_refused_without_leak(fx, doc);
	expect_refused_without_leak(
	        fx, DECL "<!DOCTYPE a PUBLIC \"-//X//Y\" \"http://127.0.0.1:1/x.dtd\">\n<a/>");
}

static void
test_xml_parameter_entity(void **state)
{
	const struct fixture *fx = *state;
	char doc[1024];

	(void)snprintf(doc, sizeof(doc),
	               DECL "<!DOCTYPE a [<!ENTITY %% p SYSTEM \"file://%s\"> %%p;]>\n<a/>",
	               fx->secret);
	expect_refused_without_leak(fx, doc);
	expect_refused_without_leak(
	        fx, DECL "<!DOCTYPE a [<!ENTITY % p \"<!ENTITY q 'x'>\"> %p;]>\n<a>&q;</a>");
}

static void
test_xml_billion_laughs(void **state)
{
	char *buf;
	size_t len;

	(void)state;
	buf = read_sample("invalid/CEB311-billion-laughs.xml", &len);
	assert_string_equal(parse_code(buf, len), "CG0002");
	free(buf);
	/* The quadratic-blowup variant: one large entity used many times. */
	{
		size_t n = 50000, i;
		char *doc = malloc(n * 4 + 256), *p = doc;

		assert_non_null(doc);
		p += sprintf(p, "<!DOCTYPE a [<!ENTITY x \"");
		for (i = 0; i < n / 10; i++)
			*p++ = 'x';
		p += sprintf(p, "\">]><a>");
		for (i = 0; i < n / 10; i++)
			p += sprintf(p, "&x;");
		p += sprintf(p, "</a>");
		assert_string_equal(parse_code(doc, (size_t)(p - doc)), "CG0002");
		free(doc);
	}
}

/* An entity reference without any DOCTYPE: undeclared, refused. */
static void
test_xml_undeclared_entity(void **state)
{
	(void)state;
	assert_string_equal(PARSE_STR("<a>&xxe;</a>"), "CG0002");
}

static void
test_xml_deep_nesting(void **state)
{
	const size_t depth = 10000;
	char *doc = malloc(depth * 7 + 1), *p = doc;
	struct result r;
	size_t i;

	(void)state;
	assert_non_null(doc);
	for (i = 0; i < depth; i++)
		p += sprintf(p, "<a>");
	for (i = 0; i < depth; i++)
		p += sprintf(p, "</a>");
	r = parse_ex(doc, (size_t)(p - doc), false);
	free(doc);
	assert_int_equal(r.rc, CG_EPARSE);
	assert_string_equal(r.code, "CG0003");
}

/* Nesting well within the limit is fine (the CEB messages are 4-5 levels deep). */
static void
test_xml_moderate_nesting_ok(void **state)
{
	const size_t depth = 100;
	char doc[1024], *p = doc;
	size_t i;

	(void)state;
	for (i = 0; i < depth; i++)
		p += sprintf(p, "<a>");
	for (i = 0; i < depth; i++)
		p += sprintf(p, "</a>");
	assert_string_equal(parse_code(doc, (size_t)(p - doc)), "OK");
}

static void
test_xml_size_limit(void **state)
{
	size_t len = 17u * 1024u * 1024u;
	char *buf = malloc(len);
	struct result r;

	(void)state;
	assert_non_null(buf);
	/* Not XML at all: CG0003 rather than CG0001 shows the size is checked before parsing. */
	memset(buf, 0x01, len);
	r = parse_ex(buf, len, false);
	assert_string_equal(r.code, "CG0003");
	/* A reader stops past the limit, so the length it passes is not the input's size. */
	assert_non_null(strstr(r.msg_en, "more than 16777216 bytes"));
	assert_null(strstr(r.msg_en, "17825792"));
	assert_non_null(strstr(r.msg_zh, "超过16777216字节"));
	/* One byte over the limit is refused the same way. */
	r = parse_ex(buf, CG_XML_MAX_BYTES + 1, false);
	assert_string_equal(r.code, "CG0003");
	/*
	 * Exactly at the limit the document is parsed. It is made of 1 KiB elements:
	 * libxml2's own 10 MB limits on one lookahead or text node must not trigger.
	 */
	{
		size_t off = 0, chunk = 1024;

		off += (size_t)sprintf(buf, "<a>");
		while (off + chunk + 4 <= CG_XML_MAX_BYTES) {
			memcpy(buf + off, "<b>", 3);
			memset(buf + off + 3, 'x', chunk - 7);
			memcpy(buf + off + chunk - 4, "</b>", 4);
			off += chunk;
		}
		memset(buf + off, ' ', CG_XML_MAX_BYTES - 4 - off);
		memcpy(buf + CG_XML_MAX_BYTES - 4, "</a>", 4);
		assert_string_equal(parse_code(buf, CG_XML_MAX_BYTES), "OK");
	}
	free(buf);
}

static char *
tag_with_attrs(size_t n, const char *value)
{
	char *doc = malloc(n * (32 + strlen(value)) + 32), *p = doc;
	size_t i;

	assert_non_null(doc);
	p += sprintf(p, "<a");
	for (i = 0; i < n; i++)
		p += sprintf(p, " a%zu=\"%s\"", i, value);
	sprintf(p, "/>");
	return doc;
}

static void
test_xml_attribute_limit(void **state)
{
	char *doc;

	(void)state;
	doc = tag_with_attrs(100, "1");
	assert_string_equal(PARSE_STR(doc), "CG0003");
	free(doc);
	doc = tag_with_attrs(CG_XML_MAX_ATTRS + 1, "1");
	assert_string_equal(PARSE_STR(doc), "CG0003");
	free(doc);
	doc = tag_with_attrs(CG_XML_MAX_ATTRS, "1");
	assert_string_equal(PARSE_STR(doc), "OK");
	free(doc);
	/* '=' and '>' inside quoted values neither add attributes nor end the tag. */
	doc = tag_with_attrs(CG_XML_MAX_ATTRS, "x=y=z");
	assert_string_equal(PARSE_STR(doc), "OK");
	free(doc);
	doc = tag_with_attrs(CG_XML_MAX_ATTRS + 1, "&gt;'>'");
	assert_string_equal(PARSE_STR(doc), "CG0003");
	free(doc);
}

static void
test_xml_invalid_utf8(void **state)
{
	(void)state;
	assert_string_equal(PARSE_STR("<a>\xC3\x28</a>"), "CG0004");
	assert_string_equal(PARSE_STR(DECL "<a>\xff\xfe</a>"), "CG0004");
	assert_string_equal(PARSE_STR(DECL "<a>\xC0\xAF</a>"), "CG0004");     /* overlong '/' */
	assert_string_equal(PARSE_STR(DECL "<a>\xED\xA0\x80</a>"), "CG0004"); /* surrogate */
	assert_string_equal(PARSE_STR(DECL "<a>\xE6\x9D</a>"), "CG0004");     /* truncated */
	/* GB18030 bytes under a UTF-8 declaration contradict it. */
	assert_string_equal(PARSE_STR(DECL "<a>\xc0\xee\xcf\xfe\xc3\xf7</a>"), "CG0004");
}

static void
test_xml_encoding_not_allowed(void **state)
{
	(void)state;
	assert_string_equal(PARSE_STR("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>"),
	                    "CG0004");
	assert_string_equal(PARSE_STR("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xe9</a>"),
	                    "CG0004");
	assert_string_equal(PARSE_STR("<?xml version=\"1.0\" encoding=\"windows-1252\"?><a/>"),
	                    "CG0004");
	/* UTF-7 could smuggle markup past byte-level checks. */
	assert_string_equal(PARSE_STR("<?xml version=\"1.0\" encoding=\"UTF-7\"?><a/>"), "CG0004");
	assert_string_equal(PARSE_STR("<?xml version=\"1.0\" encoding=\"no-such-enc\"?><a/>"),
	                    "CG0004");
	/* UTF-16 declared over single-byte (UTF-8) content contradicts the bytes. */
	assert_string_equal(PARSE_STR("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>"), "CG0004");
}

static void
test_xml_encoding_names_case_insensitive(void **state)
{
	(void)state;
	assert_string_equal(PARSE_STR("<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>"), "OK");
	assert_string_equal(PARSE_STR("<?xml version=\"1.0\" encoding=\"gbk\"?><a/>"), "OK");
	assert_string_equal(PARSE_STR("<?xml version=\"1.0\" encoding=\"US-ASCII\"?><a/>"), "OK");
}

/*
 * Encodings outside the allowed set are refused by name before parsing: UTF-7
 * and EBCDIC would otherwise surface as a misleading syntax error (CG0001).
 */
static void
test_xml_encoding_refused_before_parsing(void **state)
{
	static const char utf32[] = "\xff\xfe\0\0<\0\0\0a\0\0\0/\0\0\0>\0\0\0";

	(void)state;
	assert_string_equal(PARSE_STR("<?xml version=\"1.0\" encoding=\"UTF-7\"?><a>+ADw-b/+AD4-</a>"),
			    "CG0004");
	assert_string_equal(PARSE_STR("<?xml version=\"1.0\" encoding=\"IBM037\"?><a/>"), "CG0004");
	assert_string_equal(PARSE_STR("\xef\xbb\xbf<?xml version='1.0' encoding = 'x-unknown'?><a/>"), "CG0004");
	assert_string_equal(parse_code(utf32, sizeof(utf32) - 1), "CG0004");
	/* Only the declaration counts, not the word elsewhere. */
	assert_string_equal(PARSE_STR("<?xml version=\"1.0\"?><a encoding=\"UTF-7\"/>"), "OK");
}

static const char name_utf8[] = "\xe6\x9d\x8e\xe6\x99\x93\xe6\x98\x8e"; /* 李晓明 */

static void
expect_name_in_tree(const char *data, size_t len)
{
	struct result r = parse_ex(data, len, true);
	xmlChar *t;

	assert_string_equal(r.code, "OK");
	t = find_text(xmlDocGetRootElement(r.doc), "buyerName");
	assert_non_null(t);
	assert_string_equal((const char *)t, name_utf8);
	xmlFree(t);
	xmlFreeDoc(r.doc);
}

static void
test_xml_utf16_bom(void **state)
{
	char text[256], *le, *be, *buf;
	size_t lelen, belen;

	(void)state;
	(void)snprintf(text, sizeof(text),
	               "<?xml version=\"1.0\" encoding=\"UTF-16\"?><ceb:CEB311Message " CEB_NS
	               "><ceb:buyerName>%s</ceb:buyerName></ceb:CEB311Message>",
	               name_utf8);
	le = convert("UTF-16LE", text, &lelen);
	buf = malloc(lelen + 2);
	assert_non_null(buf);
	memcpy(buf, "\xff\xfe", 2);
	memcpy(buf + 2, le, lelen);
	expect_name_in_tree(buf, lelen + 2);
	free(buf);
	free(le);

	be = convert("UTF-16BE", text, &belen);
	buf = malloc(belen + 2);
	assert_non_null(buf);
	memcpy(buf, "\xfe\xff", 2);
	memcpy(buf + 2, be, belen);
	expect_name_in_tree(buf, belen + 2);
	free(buf);
	free(be);
}

static void
test_xml_utf8_bom(void **state)
{
	char doc[256];
	char *buf;
	size_t len;

	(void)state;
	(void)snprintf(doc, sizeof(doc),
	               "\xef\xbb\xbf" DECL "<ceb:CEB311Message " CEB_NS
	               "><ceb:buyerName>%s</ceb:buyerName></ceb:CEB311Message>",
	               name_utf8);
	expect_name_in_tree(doc, strlen(doc));
	buf = read_sample("unsigned/CEB311-order-default-ns-bom.xml", &len);
	assert_int_equal((unsigned char)buf[0], 0xef);
	assert_string_equal(parse_code(buf, len), "OK");
	free(buf);
}

static void
test_xml_gb18030(void **state)
{
#define GB_BODY                                                                                    \
	"?><ceb:CEB311Message " CEB_NS "><ceb:buyerName>\xc0\xee\xcf\xfe\xc3\xf7</ceb:buyerName>"  \
	"</ceb:CEB311Message>"
	const char doc[] = "<?xml version=\"1.0\" encoding=\"GB18030\"" GB_BODY;
	const char gbk[] = "<?xml version=\"1.0\" encoding=\"GBK\"" GB_BODY;
	struct result r;
	xmlChar *t;
	char *buf;
	size_t len;

	(void)state;
	expect_name_in_tree(doc, strlen(doc));
	/* The same bytes declared GBK decode to the same text. */
	expect_name_in_tree(gbk, strlen(gbk));

	buf = read_sample("unsigned/CEB311-order-gb18030.xml", &len);
	r = parse_ex(buf, len, true);
	free(buf);
	assert_string_equal(r.code, "OK");
	t = find_text(xmlDocGetRootElement(r.doc), "buyerName");
	/* 阿依古丽·买买提 with U+00B7 MIDDLE DOT, in UTF-8. */
	assert_string_equal((const char *)t, "\xe9\x98\xbf\xe4\xbe\x9d\xe5\x8f\xa4\xe4\xb8\xbd"
	                                     "\xc2\xb7\xe4\xb9\xb0\xe4\xb9\xb0\xe6\x8f\x90");
	xmlFree(t);
	xmlFreeDoc(r.doc);
}

static void
test_xml_processing_instruction(void **state)
{
	struct result r;
	const char *doc = "<ceb:CEB311Message " CEB_NS ">\n<ceb:Order>\n<?evil run?>\n"
	                  "</ceb:Order></ceb:CEB311Message>";

	(void)state;
	r = parse_ex(doc, strlen(doc), false);
	assert_string_equal(r.code, "CG0002");
	assert_int_equal(r.line, 3);
	assert_string_equal(PARSE_STR("<a><b>x<?pi?>y</b></a>"), "CG0002");
	/* Before the root too (a stylesheet PI). */
	assert_string_equal(PARSE_STR("<?xml-stylesheet href='http://127.0.0.1:1/x.xsl'?><a/>"),
	                    "CG0002");
}

static void
test_xml_comment_in_value(void **state)
{
	struct result r;
	const char *doc = "<ceb:CEB311Message " CEB_NS ">\n<ceb:orderNo>SO<!-- x -->1</ceb:orderNo>"
	                  "</ceb:CEB311Message>";

	(void)state;
	r = parse_ex(doc, strlen(doc), false);
	assert_string_equal(r.code, "CG0002");
	assert_int_equal(r.line, 2);
	assert_string_equal(PARSE_STR("<a><b><!-- only a comment --></b></a>"), "CG0002");
	/* Between elements, before and after the root: allowed. */
	assert_string_equal(PARSE_STR("<!-- c --><a><!-- c --><b>1</b><!-- c --></a><!-- c -->"),
	                    "OK");
	/* CDATA does not hide markup and is allowed in a value. */
	assert_string_equal(PARSE_STR("<a><b><![CDATA[<x/> & y]]></b></a>"), "OK");
}

static void
test_xml_xinclude(void **state)
{
	const struct fixture *fx = *state;
	char doc[1024];

	(void)snprintf(doc, sizeof(doc),
	               "<a xmlns:xi=\"http://www.w3.org/2001/XInclude\"><b>"
	               "<xi:include href=\"file://%s\" parse=\"text\"/></b></a>",
	               fx->secret);
	expect_refused_without_leak(fx, doc);
	(void)snprintf(
	        doc, sizeof(doc),
	        "<a><xi:include xmlns:xi=\"http://www.w3.org/2003/XInclude\" href=\"%s\"/></a>",
	        fx->secret);
	expect_refused_without_leak(fx, doc);
	/* As the root element. */
	assert_string_equal(PARSE_STR("<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
	                              "href=\"/etc/passwd\" parse=\"text\"/>"),
	                    "CG0002");
	/* A fallback child does not make it acceptable either. */
	assert_string_equal(PARSE_STR("<a xmlns:xi=\"http://www.w3.org/2001/XInclude\"><x>"
	                              "<xi:include href=\"x\"><xi:fallback>f</xi:fallback>"
	                              "</xi:include></x></a>"),
	                    "CG0002");
}

static void
test_xml_nul_byte(void **state)
{
	static const char doc[] = "<a><b>x\0y</b></a>";
	static const char head[] = "\0<a/>";
	static const char attr[] = "<a b='x\0'/>";
	struct result r;

	(void)state;
	r = parse_ex(doc, sizeof(doc) - 1, false);
	assert_int_equal(r.rc, CG_EPARSE);
	assert_true(strcmp(r.code, "CG0001") == 0 || strcmp(r.code, "CG0004") == 0);
	r = parse_ex(head, sizeof(head) - 1, false);
	assert_int_equal(r.rc, CG_EPARSE);
	r = parse_ex(attr, sizeof(attr) - 1, false);
	assert_int_equal(r.rc, CG_EPARSE);
}

/*
 * libxml2 takes a NUL byte for the end of the input, so "<a/>\0<b>garbage"
 * would be judged on its first part only: NUL bytes outside UTF-16 are refused.
 */
static void
test_xml_nul_after_root(void **state)
{
	static const char tail[] = "<a/>\0";
	static const char junk[] = "<a/>\0<b>not even well-formed &";
	static const char two[] = DECL "<a/>\0" DECL "<a/>";

	(void)state;
	assert_string_not_equal(parse_code(junk, sizeof(junk) - 1), "OK");
	assert_string_not_equal(parse_code(two, sizeof(two) - 1), "OK");
	assert_string_not_equal(parse_code(tail, sizeof(tail) - 1), "OK");
}

/* Only the bundled schema files are ever opened by libxml2's entity loader. */
static void
test_xml_loader_refuses_outside_schemas(void **state)
{
	const struct fixture *fx = *state;
	char dir[256], path[512], link[512], url[600];
	xmlParserCtxtPtr pctx = xmlNewParserCtxt();
	xmlParserInputPtr in;
	const char *old = getenv("CEBGATE_DATADIR");
	char *saved = old != NULL ? strdup(old) : NULL;
	FILE *fp;

	assert_non_null(pctx);
	/* A data directory of our own: schemas/ok.xsd inside, the rest outside. */
	(void)snprintf(dir, sizeof(dir), "%s/data", fx->tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	(void)snprintf(path, sizeof(path), "%s/schemas", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	(void)snprintf(path, sizeof(path), "%s/schemas-evil", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	(void)snprintf(path, sizeof(path), "%s/schemas/ok.xsd", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("<x/>", fp);
	fclose(fp);
	(void)snprintf(path, sizeof(path), "%s/schemas-evil/x.xsd", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("<x/>", fp);
	fclose(fp);
	(void)snprintf(path, sizeof(path), "%s/secret.xsd", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("<x/>", fp);
	fclose(fp);
	(void)snprintf(link, sizeof(link), "%s/schemas/link.xsd", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(setenv("CEBGATE_DATADIR", dir, 1), 0);

	(void)snprintf(url, sizeof(url), "%s/schemas/ok.xsd", dir);
	in = xmlLoadExternalEntity(url, NULL, pctx);
	assert_non_null(in);
	xmlFreeInputStream(in);
	(void)snprintf(url, sizeof(url), "file://%s/schemas/ok.xsd", dir);
	in = xmlLoadExternalEntity(url, NULL, pctx);
	assert_non_null(in);
	xmlFreeInputStream(in);

	assert_null(xmlLoadExternalEntity(fx->secret, NULL, pctx));
	(void)snprintf(url, sizeof(url), "file://%s", fx->secret);
	assert_null(xmlLoadExternalEntity(url, NULL, pctx));
	assert_null(xmlLoadExternalEntity("file:///etc/passwd", NULL, pctx));
	assert_null(xmlLoadExternalEntity("/etc/passwd", NULL, pctx));
	assert_null(xmlLoadExternalEntity("http://127.0.0.1:1/x.xsd", NULL, pctx));
	(void)snprintf(url, sizeof(url), "%s/schemas/../secret.xsd", dir);
	assert_null(xmlLoadExternalEntity(url, NULL, pctx));
	(void)snprintf(url, sizeof(url), "%s/schemas-evil/x.xsd", dir);
	assert_null(xmlLoadExternalEntity(url, NULL, pctx));
	assert_null(xmlLoadExternalEntity(link, NULL, pctx)); /* symlink leading out */
	(void)snprintf(url, sizeof(url), "%s/secret.txt", fx->tmpdir);
	assert_null(xmlLoadExternalEntity(url, NULL, pctx));

	if (saved != NULL)
		assert_int_equal(setenv("CEBGATE_DATADIR", saved, 1), 0);
	else
		unsetenv("CEBGATE_DATADIR");
	free(saved);
	xmlFreeParserCtxt(pctx);
}

static xmlNodePtr
child(xmlNodePtr n, const char *name, int nth)
{
	for (n = cg__xml_first_elem(n); n != NULL; n = cg__xml_next_elem(n)) {
		if (xmlStrEqual(n->name, BAD_CAST name) && --nth == 0)
			return n;
	}
	fail_msg("no element %s", name);
	return NULL;
}

static void
expect_path(const xmlNode *n, const char *want)
{
	char *p = cg__xml_path(n);

	assert_non_null(p);
	assert_string_equal(p, want);
	free(p);
}

static void
test_xml_path(void **state)
{
	struct result r;
	xmlNodePtr root, order;

	(void)state;
	r = parse_ex(small_doc, strlen(small_doc), true);
	assert_string_equal(r.code, "OK");
	root = xmlDocGetRootElement(r.doc);
	order = child(root, "Order", 1);
	expect_path(root, "/ceb:CEB311Message");
	expect_path(child(child(order, "OrderHead", 1), "orderNo", 1),
	            "/ceb:CEB311Message/ceb:Order/ceb:OrderHead/ceb:orderNo");
	expect_path(child(child(order, "OrderList", 1), "gnum", 1),
	            "/ceb:CEB311Message/ceb:Order/ceb:OrderList[1]/ceb:gnum");
	expect_path(child(child(order, "OrderList", 2), "gnum", 1),
	            "/ceb:CEB311Message/ceb:Order/ceb:OrderList[2]/ceb:gnum");
	xmlFreeDoc(r.doc);
}

/* The path uses the canonical prefixes whatever prefixes the document chose. */
static void
test_xml_path_prefixes(void **state)
{
	const char *doc =
	        "<CEB311Message xmlns=\"" CG_NS_CEB "\"><Order><OrderHead/></Order>"
	        "<Order><OrderHead/></Order>"
	        "<s:Signature xmlns:s=\"" CG_NS_DS "\"><s:SignedInfo/></s:Signature>"
	        "<d:x xmlns:d=\"" CG_NS_DXP "\"/><o:y xmlns:o=\"urn:other\"/><z xmlns=\"\"/>"
	        "</CEB311Message>";
	struct result r;
	xmlNodePtr root;

	(void)state;
	r = parse_ex(doc, strlen(doc), true);
	assert_string_equal(r.code, "OK");
	root = xmlDocGetRootElement(r.doc);
	assert_true(cg__xml_is(root, CG_NS_CEB, "CEB311Message"));
	assert_false(cg__xml_is(root, CG_NS_DXP, "CEB311Message"));
	assert_false(cg__xml_is(root, CG_NS_CEB, "CEB411Message"));
	assert_false(cg__xml_is(NULL, CG_NS_CEB, "CEB311Message"));
	expect_path(child(child(root, "Order", 2), "OrderHead", 1),
	            "/ceb:CEB311Message/ceb:Order[2]/ceb:OrderHead");
	expect_path(child(child(root, "Signature", 1), "SignedInfo", 1),
	            "/ceb:CEB311Message/ds:Signature/ds:SignedInfo");
	expect_path(child(root, "x", 1), "/ceb:CEB311Message/dxp:x");
	expect_path(child(root, "y", 1), "/ceb:CEB311Message/*:y");
	expect_path(child(root, "z", 1), "/ceb:CEB311Message/z");
	/* Helpers on leaves and NULL. */
	assert_null(cg__xml_first_elem(child(root, "z", 1)));
	assert_null(cg__xml_first_elem(NULL));
	assert_null(cg__xml_next_elem(NULL));
	assert_null(cg__xml_next_elem(child(root, "z", 1)));
	xmlFreeDoc(r.doc);
}

/*
 * One kept parser context through every safety test above, one after
 * another: refusals, encodings and trees as with a new context each time,
 * so nothing of one document carries over to the next.
 */
static void
test_xml_kept_context_same_verdicts(void **state)
{
	static void (*const tests[])(void **) = {
		test_xml_wellformed_ok, test_xml_doctype_internal_entity, test_xml_wellformed_ok,
		test_xml_not_wellformed, test_xml_external_entity, test_xml_utf16_bom,
		test_xml_billion_laughs, test_xml_gb18030, test_xml_attribute_limit,
		test_xml_invalid_utf8, test_xml_encoding_not_allowed, test_xml_utf8_bom,
		test_xml_processing_instruction, test_xml_comment_in_value, test_xml_xinclude,
		test_xml_nul_byte, test_xml_deep_nesting, test_xml_two_roots, test_xml_wellformed_ok,
	};
	xmlParserCtxtPtr pctx = NULL;
	size_t i;

	kept = &pctx;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		tests[i](state);
	kept = NULL;
	xmlFreeParserCtxt(pctx);
}

/* A kept context's dictionary of names is bounded: hostile names cannot grow it forever. */
static void
test_xml_kept_context_bounded(void **state)
{
	xmlParserCtxtPtr pctx = NULL;
	cg_findings *f = NULL;
	cg_ctx *ctx = NULL;
	char *doc = malloc(64 * 1024), *p;
	size_t i, k, largest = 0;

	(void)state;
	assert_non_null(doc);
	assert_int_equal(cg_ctx_new(&ctx), CG_OK);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	/* 40 documents of 1,000 element names each, none seen before. */
	for (k = 0; k < 40; k++) {
		xmlDocPtr d = NULL;

		p = doc + sprintf(doc, "<r>");
		for (i = 0; i < 1000; i++)
			p += sprintf(p, "<n%zu_%zu/>", k, i);
		sprintf(p, "</r>");
		assert_int_equal(cg__xml_parse_keep(&d, &pctx, ctx, doc, strlen(doc), "test.xml", f), CG_OK);
		assert_non_null(d);
		assert_non_null(pctx);
		xmlFreeDoc(d);
		if ((size_t)xmlDictSize(pctx->dict) > largest)
			largest = (size_t)xmlDictSize(pctx->dict);
	}
	assert_true(largest > 1000);
	assert_true(largest <= CG_XML_KEPT_DICT_MAX + 1100);
	xmlFreeParserCtxt(pctx);
	cg_findings_free(f);
	cg_ctx_free(ctx);
	free(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml_wellformed_ok),
		cmocka_unit_test(test_xml_not_wellformed),
		cmocka_unit_test(test_xml_two_roots),
		cmocka_unit_test(test_xml_doctype_internal_entity),
		cmocka_unit_test(test_xml_external_entity),
		cmocka_unit_test(test_xml_external_dtd),
		cmocka_unit_test(test_xml_parameter_entity),
		cmocka_unit_test(test_xml_billion_laughs),
		cmocka_unit_test(test_xml_undeclared_entity),
		cmocka_unit_test(test_xml_deep_nesting),
		cmocka_unit_test(test_xml_moderate_nesting_ok),
		cmocka_unit_test(test_xml_size_limit),
		cmocka_unit_test(test_xml_attribute_limit),
		cmocka_unit_test(test_xml_invalid_utf8),
		cmocka_unit_test(test_xml_encoding_not_allowed),
		cmocka_unit_test(test_xml_encoding_names_case_insensitive),
		cmocka_unit_test(test_xml_utf16_bom),
		cmocka_unit_test(test_xml_utf8_bom),
		cmocka_unit_test(test_xml_gb18030),
		cmocka_unit_test(test_xml_processing_instruction),
		cmocka_unit_test(test_xml_comment_in_value),
		cmocka_unit_test(test_xml_xinclude),
		cmocka_unit_test(test_xml_nul_byte),
		cmocka_unit_test(test_xml_nul_after_root),
		cmocka_unit_test(test_xml_loader_refuses_outside_schemas),
		cmocka_unit_test(test_xml_path),
		cmocka_unit_test(test_xml_encoding_refused_before_parsing),
		cmocka_unit_test(test_xml_path_prefixes),
		cmocka_unit_test(test_xml_kept_context_same_verdicts),
		cmocka_unit_test(test_xml_kept_context_bounded),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("xml", tests, group_setup, group_teardown);
}
