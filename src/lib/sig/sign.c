/* SPDX-License-Identifier: MIT */
/*
 * cg_sign_*: enveloped XMLDSig over the whole CEB message (ceb-spec §6.3).
 * A UTF-8 import message keeps its own bytes: libxml2 canonicalizes it straight
 * into the digest, OpenSSL's EVP signs SignedInfo, and the Signature is
 * inserted before the root's end tag. Messages that must be re-serialized
 * (other encodings, export messages with ExtendMessage) are signed in the
 * tree: RSA by xmlsec1, SM2-SM3 (which xmlsec1 1.2.37 lacks) and token RSA
 * keys by EVP. RSA PKCS#1 v1.5 is deterministic, so both ways give the same
 * value (test_sign_spliced_equals_tree in tests/unit/test_sig.c compares them).
 * KeyInfo (KeyName = serial, X509Certificate) is added after signing: it is
 * outside the signed scope.
 * The key and its contexts are loaded once and reused for every message.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/evp.h>
#include "cebgate/sig.h"
#include "ceb/model.h"
#include "sig/sigcore.h"
#include "sig/sigcheck.h"
#include "sig/signkey.h"
#include "util/xml.h"

struct cg_signer {
	struct cg_sigprofile profiles[CG_PROFILE_COUNT];
	const struct cg_sigprofile *p;
	EVP_PKEY *pkey;
	struct cg_signkey *ready; /* the key set up once for EVP_PKEY_sign; NULL: per message */
	X509 *cert;
	xmlSecKeyPtr xkey; /* RSA: the same key, wrapped once for xmlsec */
	char keyname[80];
	char *cert_b64;
	int sm2_der;
	int self_check;
	bool token;        /* the key lives in a PKCS#11 token: one thread signs */
	cg_findings *scratch;
	xmlParserCtxtPtr keep; /* parses the outputs; a fork makes its own in its thread */
	cg_buf signed_info; /* the canonical SignedInfo last signed by EVP; empty for xmlsec */
	char *tmpl;         /* the serialized Signature with placeholder values, made once */
	size_t tmpl_len;
};

static cg_rc
pick_profile(cg_signer *s, cg_ctx *ctx, const char *name)
{
	int type = cg__key_type(s->pkey), i;

	if (type < 0)
		return cg__fail(ctx, CG_ESIG, "the key is neither RSA nor SM2");
	if (name == NULL) {
		/* RSA certificates keep the generic profile of §6.1; SM2 ones the 202205 one. */
		s->p = &s->profiles[type == CG_KEY_SM2 ? CG_PROFILE_SM2_SM3 : CG_PROFILE_RSA_SHA1];
		return CG_OK;
	}
	for (i = 0; i < CG_PROFILE_COUNT; i++) {
		if (strcmp(name, s->profiles[i].name) == 0)
			s->p = &s->profiles[i];
	}
	if (s->p == NULL)
		return cg__fail(ctx, CG_EINVAL, "unknown profile %s (rsa-sha1, rsa-sha256, sm2-sm3)",
				name);
	if ((int)s->p->key != type)
		return cg__fail(ctx, CG_ESIG, "profile %s does not fit a%s key", name,
				type == CG_KEY_SM2 ? "n SM2" : "n RSA");
	return CG_OK;
}

static cg_rc
prepare_cert(cg_signer *s, cg_ctx *ctx)
{
	unsigned char *der = NULL;
	int len;

	if (EVP_PKEY_eq(X509_get0_pubkey(s->cert), s->pkey) != 1)
		return cg__fail(ctx, CG_ESIG, "the certificate does not belong to the key");
	cg__cert_serial_hex(s->cert, s->keyname, sizeof(s->keyname));
	len = i2d_X509(s->cert, &der);
	if (len <= 0)
		return cg__fail(ctx, CG_ESIG, "cannot encode the certificate");
	s->cert_b64 = cg__base64(der, (size_t)len);
	OPENSSL_free(der);
	return s->cert_b64 != NULL ? CG_OK : CG_ENOMEM;
}

/*
 * xmlsec1 1.2.37 on OpenSSL 3 takes an RSA key for private only when it can
 * read the private exponent, which a PKCS#11 token never gives out: keys held
 * by an engine are signed through EVP directly, like SM2.
 */
static bool
use_xmlsec(const cg_signer *s)
{
	BIGNUM *d = NULL;
	bool exportable;

	if (s->p->key != CG_KEY_RSA)
		return false;
	/* A token's key does not give out its private exponent. */
	exportable = EVP_PKEY_get_bn_param(s->pkey, "d", &d) == 1;
	BN_clear_free(d);
	ERR_clear_error();
	return exportable;
}

static cg_rc
prepare_xmlsec_key(cg_signer *s, cg_ctx *ctx)
{
	xmlSecKeyDataPtr data;

	if (!use_xmlsec(s))
		return CG_OK;
	s->xkey = xmlSecKeyCreate();
	if (s->xkey == NULL || EVP_PKEY_up_ref(s->pkey) != 1)
		return cg__fail(ctx, CG_ENOMEM, "xmlsec key");
	data = xmlSecOpenSSLEvpKeyAdopt(s->pkey);
	if (data == NULL) {
		EVP_PKEY_free(s->pkey); /* the reference taken above */
		return cg__fail(ctx, CG_ESIG, "xmlsec cannot use the key");
	}
	if (xmlSecKeySetValue(s->xkey, data) < 0) {
		xmlSecKeyDataDestroy(data);
		return cg__fail(ctx, CG_ESIG, "xmlsec cannot use the key");
	}
	return CG_OK;
}

/*
 * The key set up once for the signatures EVP makes (signkey.c). A token's key
 * keeps EVP_DigestSign per message; so does any key signkey.c does not take.
 */
static void
prepare_signkey(cg_signer *s)
{
	if (!s->token)
		s->ready = cg__signkey_new(s->pkey, cg__md_by_name(s->p->digest));
}

cg_rc
cg_signer_new(cg_signer **out, cg_ctx *ctx, const cg_sign_options *o)
{
	cg_signer *s = calloc(1, sizeof(*s));
	cg_rc rc;

	*out = NULL;
	if (s == NULL)
		return CG_ENOMEM;
	s->sm2_der = o->sm2_der;
	s->self_check = o->self_check;
	s->token = o->key != NULL && strncmp(o->key, "pkcs11:", 7) == 0;
	rc = o->key == NULL ? cg__fail(ctx, CG_EINVAL, "no key given") : CG_OK;
	if (rc == CG_OK)
		rc = cg__profiles_load(s->profiles, ctx, o->uris);
	/* A certificate given separately is not looked for in the token or PKCS#12. */
	if (rc == CG_OK)
		rc = cg__load_key(&s->pkey, ctx, o->key, o->passphrase,
				  o->cert == NULL ? &s->cert : NULL);
	if (rc == CG_OK && o->cert != NULL) {
		X509_free(s->cert);
		s->cert = NULL;
		rc = cg__load_cert(&s->cert, ctx, o->cert);
	}
	if (rc == CG_OK && s->cert == NULL)
		rc = cg__fail(ctx, CG_EINVAL, "no certificate: give one with the key (--cert)");
	if (rc == CG_OK)
		rc = pick_profile(s, ctx, o->profile);
	if (rc == CG_OK)
		rc = prepare_cert(s, ctx);
	if (rc == CG_OK)
		rc = prepare_xmlsec_key(s, ctx);
	if (rc == CG_OK)
		rc = cg_findings_new(&s->scratch);
	if (rc == CG_OK)
		prepare_signkey(s);
	if (rc != CG_OK) {
		cg_signer_free(s);
		return rc;
	}
	*out = s;
	return CG_OK;
}

/*
 * Each fork has its own copy of the key (no RSA blinding or provider cache
 * shared between threads), of the certificate and of its scratch buffers;
 * nothing is read from disk again.
 */
cg_rc
cg_signer_fork(cg_signer **out, cg_ctx *ctx, const cg_signer *s)
{
	cg_signer *n;
	cg_rc rc = CG_OK;

	*out = NULL;
	if (s->token)
		return cg__fail(ctx, CG_EUNAVAIL, "a key held by a token signs on one thread only");
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return CG_ENOMEM;
	memcpy(n->profiles, s->profiles, sizeof(n->profiles));
	n->p = &n->profiles[s->p - s->profiles];
	memcpy(n->keyname, s->keyname, sizeof(n->keyname));
	n->sm2_der = s->sm2_der;
	n->self_check = s->self_check;
	n->pkey = EVP_PKEY_dup(s->pkey);
	n->cert = X509_dup(s->cert);
	n->cert_b64 = cg__strdup(s->cert_b64);
	if (n->pkey == NULL || n->cert == NULL || n->cert_b64 == NULL)
		rc = cg__fail(ctx, CG_ENOMEM, "cannot copy the key for another thread");
	if (rc == CG_OK)
		rc = prepare_xmlsec_key(n, ctx);
	if (rc == CG_OK)
		rc = cg_findings_new(&n->scratch);
	if (rc == CG_OK)
		prepare_signkey(n);
	ERR_clear_error();
	if (rc != CG_OK) {
		cg_signer_free(n);
		return rc;
	}
	*out = n;
	return CG_OK;
}

int
cg_signer_forkable(const cg_signer *s)
{
	return !s->token;
}

void
cg_signer_free(cg_signer *s)
{
	if (s == NULL)
		return;
	if (s->xkey != NULL)
		xmlSecKeyDestroy(s->xkey);
	cg__signkey_free(s->ready);
	EVP_PKEY_free(s->pkey);
	X509_free(s->cert);
	free(s->cert_b64);
	cg_findings_free(s->scratch);
	if (s->keep != NULL)
		xmlFreeParserCtxt(s->keep);
	cg_buf_dispose(&s->signed_info);
	free(s->tmpl);
	free(s);
}

const char *
cg_signer_profile(const cg_signer *s)
{
	return s->p->name;
}

const char *
cg_signer_keyname(const cg_signer *s)
{
	return s->keyname;
}

static xmlNodePtr
ds_child(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *alg)
{
	xmlNodePtr n = xmlNewChild(parent, ns, BAD_CAST name, NULL);

	if (n != NULL && alg != NULL && xmlNewProp(n, BAD_CAST "Algorithm", BAD_CAST alg) == NULL)
		return NULL;
	return n;
}

/* The ExtendMessage an export message's Signature goes before (ceb-spec §6.2), or NULL. */
static xmlNodePtr
export_extend(xmlNodePtr root)
{
	xmlNodePtr n;

	if (!cg__sig_is_export(root))
		return NULL;
	for (n = cg__xml_first_elem(root); n != NULL; n = cg__xml_next_elem(n)) {
		if (cg__xml_is(n, CG_NS_CEB, "ExtendMessage"))
			return n;
	}
	return NULL;
}

/* The Signature element without KeyInfo, values empty; placed per ceb-spec §6.2. */
static xmlNodePtr
build_signature(const cg_signer *s, xmlNodePtr root)
{
	xmlNodePtr sig = xmlNewNode(NULL, BAD_CAST "Signature"), si, ref, tr, ext;
	xmlNsPtr ns = sig != NULL ? xmlNewNs(sig, BAD_CAST CG_NS_DS, BAD_CAST "ds") : NULL;

	if (ns == NULL)
		goto fail;
	xmlSetNs(sig, ns);
	si = ds_child(sig, ns, "SignedInfo", NULL);
	if (si == NULL || ds_child(si, ns, "CanonicalizationMethod", CG_URI_C14N) == NULL ||
	    ds_child(si, ns, "SignatureMethod", s->p->sig_uri) == NULL)
		goto fail;
	ref = ds_child(si, ns, "Reference", NULL);
	if (ref == NULL || xmlNewProp(ref, BAD_CAST "URI", BAD_CAST "") == NULL)
		goto fail;
	tr = ds_child(ref, ns, "Transforms", NULL);
	if (tr == NULL || ds_child(tr, ns, "Transform", CG_URI_ENVELOPED) == NULL ||
	    ds_child(ref, ns, "DigestMethod", s->p->digest_uri) == NULL ||
	    ds_child(ref, ns, "DigestValue", NULL) == NULL ||
	    ds_child(sig, ns, "SignatureValue", NULL) == NULL)
		goto fail;
	/* Import declarations: the last child. Export ones: before ExtendMessage. */
	ext = export_extend(root);
	return ext != NULL ? xmlAddPrevSibling(ext, sig) : xmlAddChild(root, sig);
fail:
	xmlFreeNode(sig);
	return NULL;
}

static cg_rc
add_keyinfo(const cg_signer *s, xmlNodePtr sig)
{
	xmlNsPtr ns = sig->ns;
	xmlNodePtr ki = xmlNewChild(sig, ns, BAD_CAST "KeyInfo", NULL), x5;

	if (ki == NULL || xmlNewChild(ki, ns, BAD_CAST "KeyName", BAD_CAST s->keyname) == NULL)
		return CG_ENOMEM;
	x5 = xmlNewChild(ki, ns, BAD_CAST "X509Data", NULL);
	if (x5 == NULL ||
	    xmlNewChild(x5, ns, BAD_CAST "X509Certificate", BAD_CAST s->cert_b64) == NULL)
		return CG_ENOMEM;
	return CG_OK;
}

static cg_rc
sign_rsa(cg_signer *s, cg_ctx *ctx, xmlNodePtr sig)
{
	xmlSecDSigCtx d;
	int r;

	if (xmlSecDSigCtxInitialize(&d, NULL) < 0)
		return cg__fail(ctx, CG_ESIG, "xmlsec context");
	/* Lend the key instead of duplicating it per message (a measured 45% cost). */
	d.signKey = s->xkey;
	r = xmlSecDSigCtxSign(&d, sig);
	d.signKey = NULL;
	xmlSecDSigCtxFinalize(&d);
	return r < 0 ? cg__fail(ctx, CG_ESIG, "xmlsec could not sign") : CG_OK;
}

static xmlNodePtr
find_ds(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n;

	for (n = cg__xml_first_elem(parent); n != NULL; n = cg__xml_next_elem(n)) {
		if (cg__xml_is(n, CG_NS_DS, name))
			return n;
	}
	return NULL;
}

static cg_rc
set_base64(xmlNodePtr n, const unsigned char *data, size_t len)
{
	char *b64 = cg__base64(data, len);

	if (b64 == NULL)
		return CG_ENOMEM;
	xmlNodeSetContent(n, BAD_CAST b64);
	free(b64);
	return CG_OK;
}

static cg_rc
rsa_sign(EVP_PKEY *pkey, const EVP_MD *md, const void *data, size_t len, unsigned char *sig,
	 size_t *siglen)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	int ok = mctx != NULL && EVP_DigestSignInit(mctx, NULL, md, NULL, pkey) == 1 &&
		 EVP_DigestSign(mctx, sig, siglen, data, len) == 1;

	EVP_MD_CTX_free(mctx);
	return ok ? CG_OK : CG_ESIG;
}

/* The signature value over the canonical SignedInfo @p c, by EVP. */
static cg_rc
sign_value(cg_signer *s, const cg_buf *c, unsigned char *value, size_t *vlen)
{
	if (s->ready != NULL)
		return cg__signkey_sign(s->ready, c->ptr, c->len, s->sm2_der, value, vlen);
	return s->p->key == CG_KEY_SM2
		       ? cg__sm2_sign(s->pkey, c->ptr, c->len, s->sm2_der, value, vlen)
		       : rsa_sign(s->pkey, cg__md_by_name(s->p->digest), c->ptr, c->len, value, vlen);
}

/*
 * DigestValue of @p doc without @p exclude (the Signature when it is in @p
 * doc), then SignedInfo canonicalized in the Signature's own document and
 * signed by OpenSSL: SM2-SM3, RSA keys held by a token, and every message
 * signed in its own bytes (sign_spliced).
 */
static cg_rc
sign_evp(cg_signer *s, cg_ctx *ctx, xmlDocPtr doc, xmlNodePtr exclude, xmlNodePtr sig)
{
	xmlNodePtr si = find_ds(sig, "SignedInfo"), ref = find_ds(si, "Reference");
	unsigned char value[1024], md[EVP_MAX_MD_SIZE];
	unsigned mdlen = cg__c14n_digest(doc, exclude, cg__md_by_name(s->p->digest), md);
	size_t vlen = sizeof(value);
	cg_buf *c = &s->signed_info;
	cg_rc rc = mdlen > 0 ? CG_OK : CG_ESIG;

	if (s->p->key == CG_KEY_RSA && (size_t)EVP_PKEY_get_size(s->pkey) > sizeof(value))
		return cg__fail(ctx, CG_ESIG, "RSA key too large");
	if (rc == CG_OK)
		rc = set_base64(find_ds(ref, "DigestValue"), md, mdlen);
	if (rc == CG_OK)
		rc = cg__c14n_subtree(sig->doc, si, c);
	if (rc == CG_OK)
		rc = sign_value(s, c, value, &vlen);
	if (rc == CG_OK)
		rc = set_base64(find_ds(sig, "SignatureValue"), value, vlen);
	return rc == CG_OK ? CG_OK : cg__fail(ctx, rc, "%s signing failed", s->p->name);
}

/*
 * Receipts (CEB312, 412, ..., 900) carry no ds:Signature in the standard: a
 * signed one fails its XSD (CG0100). Refuse rather than write an invalid file.
 * Roots outside the import family (the export messages) are left to their own rules.
 */
static cg_rc
refuse_receipt(cg_ctx *ctx, xmlDocPtr *doc, xmlNodePtr root)
{
	const struct cg_msgdef *def = cg__msgdef_by_root((const char *)root->name);

	if (def == NULL || def->declaration)
		return CG_OK;
	xmlFreeDoc(*doc);
	*doc = NULL;
	return cg__fail(ctx, CG_EINVAL,
			"CG0201 %s is a receipt: the standard does not sign this message type "
			"(标准不对此类报文签名)", def->root);
}

static cg_rc
parse_input(cg_signer *s, cg_ctx *ctx, const char *xml, size_t len, xmlDocPtr *doc)
{
	xmlNodePtr root;
	cg_rc rc;

	cg_findings_clear(s->scratch);
	rc = cg__xml_parse(doc, ctx, xml, len, "input", s->scratch);
	if (rc == CG_EPARSE)
		return cg__fail(ctx, CG_EPARSE, "%s", cg_findings_get(s->scratch, 0)->message_en);
	if (rc != CG_OK)
		return rc;
	root = xmlDocGetRootElement(*doc);
	if (root->ns == NULL || !xmlStrEqual(root->ns->href, BAD_CAST CG_NS_CEB)) {
		xmlFreeDoc(*doc);
		return cg__fail(ctx, CG_EPARSE, "not a CEB message (namespace %s)", CG_NS_CEB);
	}
	if (cg__sig_count(root) != 0) {
		xmlFreeDoc(*doc);
		return cg__fail(ctx, CG_ESIG, "the message is signed already");
	}
	return refuse_receipt(ctx, doc, root);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Where the Signature goes in the input's own bytes: the offset of the root's
 * end tag, or 0 when the message has to be re-serialized instead (an encoding
 * other than UTF-8, an export message with ExtendMessage, anything after the
 * root but white space). The parse has proved the input well-formed, so the
 * last "</" is the root's end tag when only white space follows its '>'.
 */
static size_t
end_tag_offset(xmlDocPtr doc, const char *xml, size_t len)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	const char *enc = (const char *)doc->encoding, *name;
	size_t end = len, at, nlen, plen;

	if (enc != NULL && xmlStrcasecmp(BAD_CAST enc, BAD_CAST "UTF-8") != 0 &&
	    xmlStrcasecmp(BAD_CAST enc, BAD_CAST "US-ASCII") != 0 &&
	    xmlStrcasecmp(BAD_CAST enc, BAD_CAST "ASCII") != 0)
		return 0;
	if (export_extend(root) != NULL)
		return 0;
	while (end > 0 && is_space(xml[end - 1]))
		end--;
	if (end < 4 || xml[end - 1] != '>')
		return 0;
	for (at = end - 2; at > 0 && !(xml[at - 1] == '<' && xml[at] == '/'); at--)
		;
	if (at == 0)
		return 0;
	name = xml + at + 1;
	nlen = end - 1 - (size_t)(name - xml);
	while (nlen > 0 && is_space(name[nlen - 1]))
		nlen--;
	plen = root->ns != NULL && root->ns->prefix != NULL ? strlen((const char *)root->ns->prefix) : 0;
	if (plen > 0 && (nlen <= plen || memcmp(name, root->ns->prefix, plen) != 0 ||
			 name[plen] != ':'))
		return 0;
	if (plen > 0) {
		name += plen + 1;
		nlen -= plen + 1;
	}
	if (nlen != strlen((const char *)root->name) || memcmp(name, root->name, nlen) != 0)
		return 0;
	return at - 1;
}

/*
 * The message's bytes stay as they came, with the Signature inserted before
 * the root's end tag: nothing the digest covers is re-serialized. The
 * Signature is built and canonicalized in a document of its own whose root is
 * a childless copy of the message's root, so SignedInfo sees the same
 * namespaces and xml: attributes in scope as it will in the message.
 */
static cg_rc
sign_spliced(cg_signer *s, cg_ctx *ctx, xmlDocPtr doc, const char *xml, size_t len, size_t at,
	     char **out, size_t *outlen)
{
	xmlDocPtr shell = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = shell != NULL ? xmlDocCopyNode(xmlDocGetRootElement(doc), shell, 2) : NULL;
	xmlNodePtr sig = NULL;
	xmlBufferPtr b = xmlBufferCreate();
	cg_rc rc = CG_OK;
	size_t blen;

	if (root == NULL || b == NULL)
		rc = cg__fail(ctx, CG_ENOMEM, "out of memory");
	if (rc == CG_OK) {
		xmlDocSetRootElement(shell, root);
		sig = build_signature(s, root);
		if (sig == NULL)
			rc = cg__fail(ctx, CG_ENOMEM, "out of memory");
	}
	if (rc == CG_OK)
		rc = sign_evp(s, ctx, doc, NULL, sig);
	if (rc == CG_OK)
		rc = add_keyinfo(s, sig);
	if (rc == CG_OK && xmlNodeDump(b, shell, sig, 0, 0) < 0)
		rc = cg__fail(ctx, CG_ENOMEM, "cannot serialize the Signature");
	if (rc == CG_OK) {
		blen = (size_t)xmlBufferLength(b);
		*out = malloc(len + blen + 1);
		if (*out == NULL)
			rc = cg__fail(ctx, CG_ENOMEM, "out of memory");
	}
	if (rc == CG_OK) {
		memcpy(*out, xml, at);
		memcpy(*out + at, xmlBufferContent(b), blen);
		memcpy(*out + at + blen, xml + at, len - at);
		(*out)[len + blen] = '\0';
		*outlen = len + blen;
	}
	xmlBufferFree(b);
	xmlFreeDoc(shell);
	return rc;
}

/* Base64 length of @p n bytes. */
static size_t
b64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

/* @p n's text becomes @p len '*': a placeholder of the final value's length. */
static cg_rc
set_placeholder(xmlNodePtr n, size_t len)
{
	char buf[1400];

	if (n == NULL || len >= sizeof(buf))
		return CG_ESIG;
	memset(buf, '*', len);
	buf[len] = '\0';
	xmlNodeSetContent(n, BAD_CAST buf);
	return CG_OK;
}

/* The first run of exactly @p len '*' in [@p p, @p end): '*' is in no base64, URI or KeyName. */
static char *
find_placeholder(char *p, const char *end, size_t len)
{
	size_t k;

	while (p < end) {
		if (*p != '*') {
			p++;
			continue;
		}
		for (k = 0; p + k < end && p[k] == '*'; k++)
			;
		if (k == len)
			return p;
		p += k;
	}
	return NULL;
}

/*
 * The base64 of @p raw replaces @p n's text, which is the placeholder of @p len
 * characters at @p at in the output: the tree and the bytes stay one.
 */
static cg_rc
fill_value(char *at, xmlNodePtr n, const unsigned char *raw, size_t rawlen, size_t len)
{
	char *b64 = cg__base64(raw, rawlen);

	if (b64 == NULL || strlen(b64) != len || n == NULL) {
		free(b64);
		return CG_ESIG;
	}
	memcpy(at, b64, len);
	xmlNodeSetContent(n, BAD_CAST b64);
	free(b64);
	return CG_OK;
}

/*
 * The same for a value whose base64 may be shorter than its placeholder: an
 * SM2 value in DER is 70 to 72 bytes (96 characters) most of the time and
 * shorter when r or s has a leading zero byte (about one in 256). SignatureValue
 * is outside SignedInfo and outside the document's digest, so its text may
 * change length after both were computed: the bytes after it move. The value
 * is never signed again to fit: that would bias the nonces.
 */
static cg_rc
fill_value_any(char **out, size_t *outlen, size_t at, xmlNodePtr n, const unsigned char *raw,
	       size_t rawlen, size_t len)
{
	size_t b64len = b64_len(rawlen);
	char *p = *out;

	if (b64len == len)
		return fill_value(*out + at, n, raw, rawlen, len);
	if (b64len > len) {
		p = realloc(*out, *outlen - len + b64len + 1);
		if (p == NULL)
			return CG_ENOMEM;
		*out = p;
	}
	memmove(p + at + b64len, p + at + len, *outlen - at - len + 1);
	*outlen = *outlen - len + b64len;
	return fill_value(p + at, n, raw, rawlen, b64len);
}

/*
 * The Signature with its values as placeholders of @p dlen and @p vlen
 * characters, serialized. Its bytes depend on the signer alone (profile,
 * KeyName, certificate; the ds namespace is declared on Signature itself), so
 * they are made once, in a document whose root is a childless copy of @p doc's.
 */
static cg_rc
make_template(cg_signer *s, xmlDocPtr doc, size_t dlen, size_t vlen)
{
	xmlDocPtr shell = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = shell != NULL ? xmlDocCopyNode(xmlDocGetRootElement(doc), shell, 2) : NULL;
	xmlNodePtr sig = NULL;
	xmlBufferPtr b = xmlBufferCreate();
	cg_rc rc = root != NULL && b != NULL ? CG_OK : CG_ENOMEM;

	if (rc == CG_OK) {
		xmlDocSetRootElement(shell, root);
		sig = build_signature(s, root);
		rc = sig != NULL ? CG_OK : CG_ENOMEM;
	}
	if (rc == CG_OK)
		rc = set_placeholder(find_ds(find_ds(find_ds(sig, "SignedInfo"), "Reference"),
					     "DigestValue"), dlen);
	if (rc == CG_OK)
		rc = set_placeholder(find_ds(sig, "SignatureValue"), vlen);
	if (rc == CG_OK)
		rc = add_keyinfo(s, sig);
	if (rc == CG_OK && xmlNodeDump(b, shell, sig, 0, 0) < 0)
		rc = CG_ENOMEM;
	if (rc == CG_OK) {
		s->tmpl_len = (size_t)xmlBufferLength(b);
		s->tmpl = cg__strndup((const char *)xmlBufferContent(b), s->tmpl_len);
		rc = s->tmpl != NULL ? CG_OK : CG_ENOMEM;
	}
	xmlBufferFree(b);
	xmlFreeDoc(shell);
	return rc;
}

/* The Signature, values as placeholders, spliced into the message's bytes at @p at. */
static cg_rc
splice_template(cg_signer *s, cg_ctx *ctx, xmlDocPtr doc, const char *xml, size_t len, size_t at,
		size_t dlen, size_t vlen, char **out, size_t *outlen, size_t *siglen)
{
	cg_rc rc = s->tmpl != NULL ? CG_OK : make_template(s, doc, dlen, vlen);

	if (rc == CG_OK) {
		*siglen = s->tmpl_len;
		*out = malloc(len + *siglen + 1);
		rc = *out != NULL ? CG_OK : CG_ENOMEM;
	}
	if (rc == CG_OK) {
		memcpy(*out, xml, at);
		memcpy(*out + at, s->tmpl, *siglen);
		memcpy(*out + at + *siglen, xml + at, len - at);
		(*out)[len + *siglen] = '\0';
		*outlen = len + *siglen;
	}
	return rc == CG_OK ? rc : cg__fail(ctx, rc, "cannot build the Signature");
}

/* The signed tree checked as re-reading it would (shape, certificate, KeyName, DigestValue). */
static cg_rc
check_own(cg_signer *s, cg_ctx *ctx, xmlDocPtr odoc, const char *xml, size_t len,
	  const unsigned char *md, unsigned mdlen)
{
	struct cg_sigcheck c = { .profiles = s->profiles, .expected = s->cert, .raw = xml,
				 .rawlen = len };
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_rc rc = res != NULL ? CG_OK : CG_ENOMEM;

	cg_findings_clear(s->scratch);
	if (rc == CG_OK)
		rc = cg__sig_check_own(&c, ctx, odoc, md, mdlen, s->scratch, res);
	if (rc == CG_OK && cg_findings_count_sev(s->scratch, CG_SEV_ERROR) > 0)
		rc = cg__fail(ctx, CG_ESIG, "self-check of the signed message failed: %s",
			      cg_findings_get(s->scratch, 0)->message_en);
	free(res);
	return rc;
}

/* Length of the SignatureValue placeholder: RSA's size, 64 bytes raw SM2, at most 72 in DER. */
static size_t
value_b64_len(const cg_signer *s)
{
	if (s->p->key == CG_KEY_RSA)
		return b64_len((size_t)EVP_PKEY_get_size(s->pkey));
	return b64_len(s->sm2_der ? 72 : 64);
}

/* The output with its placeholders, parsed: what sign_spliced_checked works on. */
struct spliced {
	char *out;
	size_t outlen;
	size_t dpos, vpos;  /* offsets of the DigestValue and SignatureValue placeholders */
	size_t dlen, vlen;
	xmlDocPtr odoc;
};

static void
spliced_dispose(struct spliced *o)
{
	free(o->out);
	xmlFreeDoc(o->odoc);
	memset(o, 0, sizeof(*o));
}

/*
 * The template spliced into the message's bytes at @p at and that output
 * parsed. CG_EPARSE, with nothing reported, when it does not parse.
 */
static cg_rc
splice_and_parse(cg_signer *s, cg_ctx *ctx, xmlDocPtr doc, const char *xml, size_t len,
		 size_t at, struct spliced *o)
{
	const EVP_MD *md = cg__md_by_name(s->p->digest);
	size_t siglen = 0;
	char *dpos, *vpos;
	cg_rc rc;

	o->dlen = b64_len((size_t)EVP_MD_get_size(md));
	o->vlen = value_b64_len(s);
	rc = splice_template(s, ctx, doc, xml, len, at, o->dlen, o->vlen, &o->out, &o->outlen,
			     &siglen);
	if (rc != CG_OK)
		return rc;
	dpos = find_placeholder(o->out + at, o->out + at + siglen, o->dlen);
	vpos = dpos != NULL ? find_placeholder(dpos + o->dlen, o->out + at + siglen, o->vlen) : NULL;
	if (vpos == NULL)
		return cg__fail(ctx, CG_ESIG, "%s signing failed (no placeholder)", s->p->name);
	o->dpos = (size_t)(dpos - o->out);
	o->vpos = (size_t)(vpos - o->out);
	cg_findings_clear(s->scratch);
	return cg__xml_parse_keep(&o->odoc, &s->keep, ctx, o->out, o->outlen, "signed", s->scratch);
}

/*
 * Digest, SignedInfo and value computed from the parsed output's tree, the
 * values put in place of the placeholders (in the bytes and in the tree), and
 * the tree checked as re-reading the output would check it.
 */
static cg_rc
sign_parsed(cg_signer *s, cg_ctx *ctx, struct spliced *o)
{
	const EVP_MD *md = cg__md_by_name(s->p->digest);
	unsigned char value[1024], digest[EVP_MAX_MD_SIZE];
	size_t vraw = sizeof(value);
	xmlNodePtr osig = cg__sig_root_signature(xmlDocGetRootElement(o->odoc));
	xmlNodePtr osi = find_ds(osig, "SignedInfo");
	/* The enveloped transform's digest: the Signature is taken out of the walk (sigcore.c). */
	unsigned mdlen = osi != NULL ? cg__c14n_digest(o->odoc, osig, md, digest) : 0;
	cg_rc rc = mdlen > 0 ? CG_OK : CG_ESIG;

	if (rc == CG_OK)
		rc = fill_value(o->out + o->dpos, find_ds(find_ds(osi, "Reference"), "DigestValue"),
				digest, mdlen, o->dlen);
	if (rc == CG_OK)
		rc = cg__c14n_subtree(o->odoc, osi, &s->signed_info);
	if (rc == CG_OK)
		rc = sign_value(s, &s->signed_info, value, &vraw);
	if (rc == CG_OK)
		rc = fill_value_any(&o->out, &o->outlen, o->vpos, find_ds(osig, "SignatureValue"),
				    value, vraw, o->vlen);
	if (rc != CG_OK && rc != CG_ENOMEM)
		rc = cg__fail(ctx, CG_ESIG, "%s signing failed (the signed message is not as built)",
			      s->p->name);
	if (rc == CG_OK)
		rc = check_own(s, ctx, o->odoc, o->out, o->outlen, digest, mdlen);
	return rc;
}

/*
 * The parsed output @p o signed (when @p rc, the splice's, is CG_OK) and its
 * bytes handed to the caller; @p o is disposed of either way. Both ways of
 * splicing (the input parsed or not) end here.
 */
static cg_rc
sign_handed_out(cg_signer *s, cg_ctx *ctx, struct spliced *o, cg_rc rc, char **out, size_t *outlen)
{
	if (rc == CG_OK && s->p->key == CG_KEY_RSA && (size_t)EVP_PKEY_get_size(s->pkey) > 1024)
		rc = cg__fail(ctx, CG_ESIG, "RSA key too large"); /* sign_parsed's value buffer */
	if (rc == CG_OK)
		rc = sign_parsed(s, ctx, o);
	if (rc == CG_OK) {
		*out = o->out;
		*outlen = o->outlen;
		o->out = NULL;
	}
	spliced_dispose(o);
	return rc;
}

/*
 * Signing with the self-check, in the message's own bytes: the Signature goes
 * in with its two values as placeholders, and that output is parsed once. The
 * digest and the canonical SignedInfo are computed from the tree of the very
 * bytes that leave, the values then replace the placeholders (the tree is the
 * one the bytes give), and the tree is checked as re-reading the output would
 * check it. The same guarantees as signing then re-reading, with one parse and
 * one C14N of the message fewer.
 */
static cg_rc
sign_spliced_checked(cg_signer *s, cg_ctx *ctx, xmlDocPtr doc, const char *xml, size_t len,
		     size_t at, char **out, size_t *outlen)
{
	struct spliced o = { 0 };
	cg_rc rc = splice_and_parse(s, ctx, doc, xml, len, at, &o);

	if (rc == CG_EPARSE)
		rc = cg__fail(ctx, CG_ESIG, "%s signing failed (the signed message does not parse again)",
			      s->p->name);
	return sign_handed_out(s, ctx, &o, rc, out, outlen);
}

/*
 * Where the root's end tag starts in @p xml judged by the bytes alone: the last
 * "</" before the final '>' (white space after it only), or 0. Whether it is
 * the root's end tag is told by the parse of the output (fits_unparsed).
 */
static size_t
tail_end_tag(const char *xml, size_t len)
{
	size_t end = len, at;

	while (end > 0 && is_space(xml[end - 1]))
		end--;
	if (end < 4 || xml[end - 1] != '>')
		return 0;
	for (at = end - 2; at > 0 && !(xml[at - 1] == '<' && xml[at] == '/'); at--)
		;
	return at > 0 ? at - 1 : 0;
}

/*
 * Whether the output parsed in @p o is what signing the parsed input would
 * have made at @p at: a UTF-8 CEB declaration, no ExtendMessage (export
 * messages are re-serialized), not a receipt, the root's own end tag at @p at
 * after the Signature. The input held no "Signature" at all, so the one
 * ds:Signature of the output is the template's, parsed as a child of the root:
 * the input is the output without that element, hence well-formed too.
 */
static bool
fits_unparsed(struct spliced *o, const char *xml, size_t len, size_t at)
{
	xmlNodePtr root = xmlDocGetRootElement(o->odoc);
	const struct cg_msgdef *def;

	if (root == NULL || root->ns == NULL || !xmlStrEqual(root->ns->href, BAD_CAST CG_NS_CEB) ||
	    cg__sig_count(root) != 1 || end_tag_offset(o->odoc, xml, len) != at)
		return false;
	def = cg__msgdef_by_root((const char *)root->name);
	return def != NULL && def->declaration;
}

/*
 * Signing without parsing the input (the common case, once the template is
 * made): the Signature is spliced where the root's end tag seems to be and only
 * the output is parsed. Anything unusual (no parse, "Signature" already in the
 * input, another encoding, an export or receipt message) returns false with
 * nothing reported, and the message takes the way that parses the input first,
 * with its error messages.
 */
static bool
sign_unparsed(cg_signer *s, cg_ctx *ctx, const char *xml, size_t len, char **out, size_t *outlen,
	      cg_rc *rc)
{
	size_t at = tail_end_tag(xml, len);
	struct spliced o = { 0 };

	if (s->tmpl == NULL || at == 0 || memmem(xml, len, "Signature", 9) != NULL)
		return false;
	*rc = splice_and_parse(s, ctx, NULL, xml, len, at, &o);
	if (*rc == CG_EPARSE || (*rc == CG_OK && !fits_unparsed(&o, xml, len, at))) {
		spliced_dispose(&o);
		return false;
	}
	*rc = sign_handed_out(s, ctx, &o, *rc, out, outlen);
	return true;
}

/* The whole tree re-serialized as UTF-8: other encodings, and export messages. */
static cg_rc
sign_tree(cg_signer *s, cg_ctx *ctx, xmlDocPtr doc, char **out, size_t *outlen)
{
	xmlNodePtr sig = build_signature(s, xmlDocGetRootElement(doc));
	xmlChar *mem = NULL;
	int size = 0;
	cg_rc rc = CG_OK;

	if (sig == NULL)
		rc = cg__fail(ctx, CG_ENOMEM, "out of memory");
	else if (s->xkey != NULL)
		rc = sign_rsa(s, ctx, sig);
	else
		rc = sign_evp(s, ctx, doc, sig, sig);
	if (rc == CG_OK)
		rc = add_keyinfo(s, sig);
	if (rc == CG_OK) {
		xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
		if (mem == NULL || size <= 0)
			rc = cg__fail(ctx, CG_ENOMEM, "cannot serialize the signed message");
	}
	if (rc == CG_OK) {
		*out = cg__strndup((const char *)mem, (size_t)size);
		*outlen = (size_t)size;
		if (*out == NULL)
			rc = CG_ENOMEM;
	}
	xmlFree(mem);
	return rc;
}

cg_rc
cg_sign_buffer(cg_signer *s, cg_ctx *ctx, const char *xml, size_t len, char **out,
	       size_t *outlen)
{
	xmlDocPtr doc = NULL;
	size_t at;
	cg_rc rc;

	*out = NULL;
	s->signed_info.len = 0;
	/* With the self-check, the check is part of signing: one parse, of the output. */
	if (s->self_check && sign_unparsed(s, ctx, xml, len, out, outlen, &rc))
		return rc;
	rc = parse_input(s, ctx, xml, len, &doc);
	if (rc != CG_OK)
		return rc;
	at = end_tag_offset(doc, xml, len);
	if (at > 0 && s->self_check) {
		rc = sign_spliced_checked(s, ctx, doc, xml, len, at, out, outlen);
		xmlFreeDoc(doc);
		return rc;
	}
	rc = at > 0 ? sign_spliced(s, ctx, doc, xml, len, at, out, outlen)
		    : sign_tree(s, ctx, doc, out, outlen);
	/*
	 * With the self-check, the output is re-read and checked (shape,
	 * certificate, digest, and SignedInfo canonicalized in the output equal to
	 * the bytes that were signed) before it leaves. The value is not verified
	 * again: for RSA OpenSSL already checks its CRT result with the public key.
	 */
	if (rc == CG_OK && s->self_check)
		rc = cg__sig_self_check(ctx, *out, *outlen, s->profiles, s->cert, 0,
					s->signed_info.len > 0 ? s->signed_info.ptr : NULL,
					s->signed_info.len);
	if (rc != CG_OK) {
		free(*out);
		*out = NULL;
	}
	xmlFreeDoc(doc);
	return rc;
}
