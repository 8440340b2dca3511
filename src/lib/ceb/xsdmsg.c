/* SPDX-License-Identifier: MIT */
/* Chinese sentences for the frequent libxml2 schema errors (the English detail stays as it is). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlerror.h>
#include "ceb/schema.h"

/* Values are quoted in the sentence; a longer one is cut (on a character boundary). */
#define VALUE_MAX 64

/*
 * One form per error. @c match, when set, must occur in libxml2's message (one
 * code covers both "not expected" and "missing child"). Placeholders: %E the
 * element or attribute ("元素orderNo"), %V its value, %1 %2 the error's two
 * facts (length and limit, value and facet), %X the expected elements, %T the
 * kind of value the type wants.
 */
struct form {
	int code;
	const char *match;
	const char *zh;
};

static const struct form forms[] = {
	{ XML_SCHEMAV_ELEMENT_CONTENT, "not expected", "%E不应出现在此处%X" },
	{ XML_SCHEMAV_ELEMENT_CONTENT, "Missing child", "%E缺少子元素%X" },
	/* An empty value: a required field left blank, or an optional one written empty. */
	{ XML_SCHEMAV_CVC_LENGTH_VALID, "length of '0'", "%E为空，应为%2个字符（必填项须填写，没有值的可选项应省略）" },
	{ XML_SCHEMAV_CVC_MINLENGTH_VALID, "length of '0'", "%E为空，应至少有%2个字符（必填项须填写，没有值的可选项应省略）" },
	{ XML_SCHEMAV_CVC_LENGTH_VALID, NULL, "%E的值“%V”长度为%1，应为%2" },
	{ XML_SCHEMAV_CVC_MINLENGTH_VALID, NULL, "%E的值“%V”长度为%1，短于最小长度%2" },
	{ XML_SCHEMAV_CVC_MAXLENGTH_VALID, NULL, "%E的值“%V”长度为%1，超过最大长度%2" },
	{ XML_SCHEMAV_CVC_MININCLUSIVE_VALID, NULL, "%E的值“%1”小于最小值%2" },
	{ XML_SCHEMAV_CVC_MAXINCLUSIVE_VALID, NULL, "%E的值“%1”大于最大值%2" },
	{ XML_SCHEMAV_CVC_MINEXCLUSIVE_VALID, NULL, "%E的值“%1”必须大于%2" },
	{ XML_SCHEMAV_CVC_MAXEXCLUSIVE_VALID, NULL, "%E的值“%1”必须小于%2" },
	{ XML_SCHEMAV_CVC_TOTALDIGITS_VALID, NULL, "%E的值“%1”的位数超过%2位" },
	{ XML_SCHEMAV_CVC_FRACTIONDIGITS_VALID, NULL, "%E的值“%1”的小数位数超过%2位" },
	{ XML_SCHEMAV_CVC_PATTERN_VALID, NULL, "%E的值“%1”不符合格式“%2”" },
	{ XML_SCHEMAV_CVC_ENUMERATION_VALID, NULL, "%E的值“%1”不是允许的值（%2）" },
	{ XML_SCHEMAV_CVC_ELT_5_2_2_2_1, NULL, "%E的值“%1”与固定值“%2”不符" },
	{ XML_SCHEMAV_CVC_ELT_5_2_2_2_2, NULL, "%E的值“%1”与固定值“%2”不符" },
	{ XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_1, NULL, "%E的值“%1”不是有效的%T" },
	{ XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_2, NULL, "%E的值“%1”不是有效的%T" },
	{ XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_3, NULL, "%E的值“%1”不是有效的%T" },
	{ XML_SCHEMAV_CVC_TYPE_3_1_2, NULL, "%E不能含有子元素" },
	{ XML_SCHEMAV_CVC_COMPLEX_TYPE_3_2_1, NULL, "%E不允许有属性%1" },
	{ XML_SCHEMAV_CVC_COMPLEX_TYPE_3_2_2, NULL, "%E不允许有属性%1" },
	{ XML_SCHEMAV_CVC_COMPLEX_TYPE_4, NULL, "%E缺少必需的属性%1" },
	{ XML_SCHEMAV_CVC_ELT_1, NULL, "%E不是已知的报文根元素" },
};

static const struct form *
form_for(const xmlError *e)
{
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if (forms[i].code == e->code &&
		    (forms[i].match == NULL || (e->message != NULL && strstr(e->message, forms[i].match))))
			return &forms[i];
	}
	return NULL;
}

static bool
is_length(int code)
{
	return code == XML_SCHEMAV_CVC_LENGTH_VALID || code == XML_SCHEMAV_CVC_MINLENGTH_VALID ||
	       code == XML_SCHEMAV_CVC_MAXLENGTH_VALID;
}

/* Append @p s, at most VALUE_MAX bytes of it, never splitting a UTF-8 character. */
static cg_rc
put_cut(cg_buf *b, const char *s)
{
	char cut[VALUE_MAX + 1];

	cg__utf8_excerpt(cut, sizeof(cut), s);
	if (cg_buf_append(b, cut, strlen(cut)) != CG_OK)
		return CG_ENOMEM;
	return strlen(s) > VALUE_MAX ? cg_buf_append(b, "…", strlen("…")) : CG_OK;
}

/* A name from the message without its namespace: "{http://...}freight" -> "freight". */
static cg_rc
put_names(cg_buf *b, const char *p, const char *end)
{
	cg_rc rc = CG_OK;

	while (p < end && rc == CG_OK) {
		if (*p == '{') {
			const char *close = memchr(p, '}', (size_t)(end - p));

			p = close != NULL ? close + 1 : end;
		} else if (*p == ',') {
			rc = cg_buf_append(b, "、", strlen("、"));
			p += *(p + 1) == ' ' ? 2 : 1;
		} else {
			rc = cg_buf_append(b, p++, 1);
		}
	}
	return rc;
}

/* "Expected is ( a, b )" or "Expected is one of ( a, b )" as "（应为：a、b）". */
static cg_rc
put_expected(cg_buf *b, const char *msg)
{
	const char *p = msg != NULL ? strstr(msg, "Expected is") : NULL;
	const char *open = p != NULL ? strchr(p, '(') : NULL;
	const char *close = open != NULL ? strchr(open, ')') : NULL;

	if (close == NULL)
		return CG_OK;
	for (open++; open < close && *open == ' '; open++)
		;
	while (close > open && close[-1] == ' ')
		close--;
	if (cg_buf_append(b, "（应为：", strlen("（应为：")) != CG_OK ||
	    put_names(b, open, close) != CG_OK)
		return CG_ENOMEM;
	return cg_buf_append(b, "）", strlen("）"));
}

/* The kind of value named by "... of the atomic type 'xs:decimal'." */
static const char *
type_word(const char *msg)
{
	const char *t = msg != NULL ? strstr(msg, "type '") : NULL;

	if (t == NULL)
		return "值";
	t += 6;
	if (strstr(t, "ecimal") != NULL)
		return "数字";
	if (strstr(t, "int") != NULL || strstr(t, "long") != NULL || strstr(t, "short") != NULL)
		return "整数";
	if (strstr(t, "ate") != NULL || strstr(t, "ime") != NULL)
		return "日期或时间";
	return "值";
}

/* %E: "元素orderNo" or "属性guid". */
static cg_rc
put_node(cg_buf *b, const xmlNode *n)
{
	const char *what = n->type == XML_ATTRIBUTE_NODE ? "属性" : "元素";

	if (cg_buf_append(b, what, strlen(what)) != CG_OK)
		return CG_ENOMEM;
	return cg_buf_append(b, (const char *)n->name, strlen((const char *)n->name));
}

static cg_rc
put_value(cg_buf *b, xmlNode *n)
{
	xmlChar *v = xmlNodeGetContent(n);
	cg_rc rc;

	if (v == NULL)
		return CG_OK;
	rc = put_cut(b, (const char *)v);
	xmlFree(v);
	return rc;
}

static cg_rc
expand(cg_buf *b, const char *t, const xmlError *e)
{
	xmlNode *n = e->node;
	/* For an attribute, libxml2 puts the value first and shifts the two lengths. */
	bool shift = n->type == XML_ATTRIBUTE_NODE && is_length(e->code);
	const char *one = shift ? e->str2 : e->str1, *two = shift ? e->str3 : e->str2;
	cg_rc rc = CG_OK;

	for (; *t != '\0' && rc == CG_OK; t++) {
		if (*t != '%' || t[1] == '\0') {
			rc = cg_buf_append(b, t, 1);
			continue;
		}
		switch (*++t) {
		case 'E':
			rc = put_node(b, n);
			break;
		case 'V':
			rc = put_value(b, n);
			break;
		case '1':
			rc = put_cut(b, one != NULL ? one : "");
			break;
		case '2':
			rc = put_cut(b, two != NULL ? two : "");
			break;
		case 'X':
			rc = put_expected(b, e->message);
			break;
		default: /* 'T' */
			rc = put_cut(b, type_word(e->message));
		}
	}
	return rc;
}

char *
cg__xsd_message_zh(const xmlError *e)
{
	const struct form *fm = form_for(e);
	cg_buf b = CG_BUF_INIT(1024);

	if (fm == NULL || e->node == NULL || ((const xmlNode *)e->node)->name == NULL)
		return NULL;
	if (expand(&b, fm->zh, e) != CG_OK || cg_buf_cstr(&b) != CG_OK) {
		cg_buf_dispose(&b);
		return NULL;
	}
	return cg_buf_detach(&b);
}
