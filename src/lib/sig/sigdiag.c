/* SPDX-License-Identifier: MIT */
/*
 * Why a digest did not match: the bytes a signer may have digested by mistake
 * (exclusive C14N, the template left in, indentation or spaces changed, CRLF,
 * GB18030, no C14N at all), each tried in turn so that `cebgate verify
 * --explain` can name the likely cause.
 */
#include "config.h"

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <libxml/tree.h>
#include "sig/sigcheck.h"
#include "util/xml.h"

/* The first ds:@p a child of @p n, then its first ds:@p b child when @p b is given. */
static xmlNodePtr
descend(xmlNodePtr n, const char *a, const char *b)
{
	const char *names[2] = { a, b };
	xmlNodePtr c = n;
	int i;

	for (i = 0; i < 2 && c != NULL && names[i] != NULL; i++) {
		for (c = cg__xml_first_elem(c); c != NULL; c = cg__xml_next_elem(c)) {
			if (cg__xml_is(c, CG_NS_DS, names[i]))
				break;
		}
	}
	return c;
}

/*
 * Without @p trim: drop the white-space-only text between elements (the
 * document as signed before someone indented it). With @p trim: strip the
 * spaces around each value instead (spaces added to values after signing).
 */
static void
strip_space(xmlNodePtr n, bool trim)
{
	xmlNodePtr c = n->children, next;

	for (; c != NULL; c = next) {
		next = c->next;
		if (c->type == XML_ELEMENT_NODE) {
			strip_space(c, trim);
		} else if (xmlIsBlankNode(c)) {
			if (!trim) {
				xmlUnlinkNode(c);
				xmlFreeNode(c);
			}
		} else if (c->type == XML_TEXT_NODE && trim) {
			const xmlChar *t = c->content;
			int len = xmlStrlen(t);
			xmlChar *v;

			while (len > 0 && strchr(" \t\r\n", t[len - 1]) != NULL)
				len--;
			while (len > 0 && strchr(" \t\r\n", *t) != NULL) {
				t++;
				len--;
			}
			v = xmlStrndup(t, len);
			if (v != NULL) {
				xmlNodeSetContent(c, v);
				xmlFree(v);
			}
		}
	}
}

/* @p in (UTF-8) converted to GB18030; false when it has no GB18030 form. */
static bool
to_gb18030(const cg_buf *in, cg_buf *out)
{
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	size_t left = in->len, room = in->len * 2 + 4, size = room;
	char *src = in->ptr, *tmp = malloc(size), *dst = tmp;
	bool ok = cd != (iconv_t)-1 && tmp != NULL;

	ok = ok && (left == 0 || iconv(cd, &src, &left, &dst, &room) != (size_t)-1);
	ok = ok && cg_buf_append(out, tmp, size - room) == CG_OK;
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	free(tmp);
	return ok;
}

/*
 * The input's bytes with the Signature element's bytes cut out: what a signer
 * digests when it skips C14N and later inserts the Signature into the text.
 */
static bool
raw_without_signature(const struct cg_sigdiag *d, cg_buf *out)
{
	const char *raw = d->raw, *start, *end;
	char open[64], close[64];
	const xmlChar *prefix = d->sig->ns != NULL ? d->sig->ns->prefix : NULL;

	if (raw == NULL || memchr(raw, '\0', d->rawlen) != NULL)
		return false;
	(void)snprintf(open, sizeof(open), "<%s%sSignature", prefix != NULL ? (const char *)prefix : "",
		       prefix != NULL ? ":" : "");
	(void)snprintf(close, sizeof(close), "</%s%sSignature>",
		       prefix != NULL ? (const char *)prefix : "", prefix != NULL ? ":" : "");
	start = memmem(raw, d->rawlen, open, strlen(open));
	end = start != NULL ? memmem(start, d->rawlen - (size_t)(start - raw), close,
					  strlen(close))
			    : NULL;
	if (end == NULL)
		return false;
	end += strlen(close);
	return cg_buf_append(out, raw, (size_t)(start - raw)) == CG_OK &&
	       cg_buf_append(out, end, d->rawlen - (size_t)(end - raw)) == CG_OK;
}

enum guess { G_EXCLUSIVE, G_TEMPLATE, G_INDENT, G_TRIM, G_CRLF, G_GB18030, G_RAW, G_COUNT };

/* What a signer who made mistake @p g would have digested, into @p out. */
static bool
guessed_bytes(const struct cg_sigdiag *d, enum guess g, const cg_buf *canon, cg_buf *out)
{
	xmlDocPtr copy = NULL;
	xmlNodePtr sig;
	bool ok = false;
	size_t i;

	switch (g) {
	case G_EXCLUSIVE:
		return cg__c14n_document(d->doc, d->sig, 0, 1, out) == CG_OK;
	case G_TEMPLATE: /* the Signature left in, as it was before its values were filled */
	case G_INDENT:
	case G_TRIM:
		copy = xmlCopyDoc(d->doc, 1);
		sig = copy != NULL ? cg__sig_root_signature(xmlDocGetRootElement(copy)) : NULL;
		if (sig == NULL)
			break;
		if (g == G_TEMPLATE) {
			xmlNodePtr dv = descend(descend(sig, "SignedInfo", "Reference"), "DigestValue", NULL);
			xmlNodePtr sv = descend(sig, "SignatureValue", NULL);

			if (dv != NULL)
				xmlNodeSetContent(dv, BAD_CAST "");
			if (sv != NULL)
				xmlNodeSetContent(sv, BAD_CAST "");
		} else {
			strip_space(xmlDocGetRootElement(copy), g == G_TRIM);
		}
		ok = cg__c14n_document(copy, g == G_TEMPLATE ? NULL : sig, 0, 0, out) == CG_OK;
		break;
	case G_CRLF:
		for (i = 0, ok = true; ok && i < canon->len; i++)
			ok = (canon->ptr[i] != '\n' || cg_buf_append(out, "\r", 1) == CG_OK) &&
			     cg_buf_append(out, canon->ptr + i, 1) == CG_OK;
		break;
	case G_GB18030:
		ok = to_gb18030(canon, out);
		break;
	case G_RAW:
		ok = raw_without_signature(d, out);
		break;
	case G_COUNT:
		break;
	}
	xmlFreeDoc(copy);
	return ok;
}

static const char *const guess_en[G_COUNT] = {
	[G_EXCLUSIVE] = "the signer used exclusive C14N instead of inclusive C14N 1.0",
	[G_TEMPLATE] = "the signer digested the document with the Signature template in it (no enveloped transform)",
	[G_INDENT] = "the digest is that of the document without the white space between elements: its indentation or line breaks changed after signing",
	[G_TRIM] = "the digest is that of the document with the spaces around values removed: white space inside values changed after signing",
	[G_CRLF] = "the signer digested CRLF line ends; C14N turns every line end into LF",
	[G_GB18030] = "the digest is that of the canonical bytes in GB18030: the signer digested GB18030 instead of UTF-8, or the text was re-encoded after signing (UTF-8 read as GBK)",
	[G_RAW] = "the signer digested the file's bytes as they are, without C14N",
};
static const char *const guess_zh[G_COUNT] = {
	[G_EXCLUSIVE] = "签名方使用了排他规范化（Exclusive C14N），而非C14N 1.0",
	[G_TEMPLATE] = "签名方计算摘要时未去除签名节点（未做enveloped变换）",
	[G_INDENT] = "摘要与去掉元素间空白后的报文一致：签名后缩进或换行被修改",
	[G_TRIM] = "摘要与去掉值首尾空格后的报文一致：签名后值内的空白被修改",
	[G_CRLF] = "签名方按CRLF换行计算了摘要；C14N会把换行统一为LF",
	[G_GB18030] = "摘要与GB18030编码的规范化字节一致：签名方未按UTF-8计算摘要，或签名后文本被错误转码（UTF-8被当作GBK读取）",
	[G_RAW] = "签名方未做C14N规范化，直接对文件字节计算了摘要",
};

/* Why the digest differs: the usual mistakes, tried one by one. */
void
cg__sig_diagnose_digest(const struct cg_sigdiag *d, const cg_buf *canon, const unsigned char *claimed, size_t clen,
		char *zh, char *en, size_t size)
{
	static const char *const algs[] = { "sha1", "sha256", "sm3" };
	unsigned char md[EVP_MAX_MD_SIZE];
	cg_buf alt = CG_BUF_INIT(0);
	size_t i;

	for (i = 0; i < 3; i++) {
		if (strcmp(algs[i], d->digest) != 0 && cg__sig_digest_of(algs[i], canon, md) == clen &&
		    memcmp(md, claimed, clen) == 0) {
			(void)snprintf(en, size, "DigestValue is the %s of the document but DigestMethod says %s: wrong digest algorithm for the profile", algs[i], d->digest);
			(void)snprintf(zh, size, "DigestValue是报文的%s摘要，但DigestMethod为%s：摘要算法与签名方案不符", algs[i], d->digest);
			return;
		}
	}
	for (i = 0; i < G_COUNT; i++) {
		alt.len = 0;
		if (guessed_bytes(d, (enum guess)i, canon, &alt) && cg__sig_digest_of(d->digest, &alt, md) == clen &&
		    memcmp(md, claimed, clen) == 0) {
			(void)snprintf(en, size, "%s", guess_en[i]);
			(void)snprintf(zh, size, "%s", guess_zh[i]);
			cg_buf_dispose(&alt);
			return;
		}
	}
	cg_buf_dispose(&alt);
	(void)snprintf(en, size, "the document was changed after signing (a value, or white space or the encoding in a way not recognised); canonical SHA-256 %s", d->canonical_sha256);
	(void)snprintf(zh, size, "报文在签名后被修改（内容，或无法识别的空白、编码变化）；规范化后SHA-256为%s", d->canonical_sha256);
}
