/* SPDX-License-Identifier: MIT */
/*
 * Verification of one signed CEB message. Shape first, cryptography last:
 * exactly one Signature, in its place, one Reference URI="", the enveloped
 * transform (plus at most inclusive C14N), known algorithms only, no Object,
 * Manifest or RetrievalMethod, KeyInfo only KeyName + one certificate, no
 * comments anywhere. Then the certificate (serial = KeyName, validity, trust,
 * pinning), then the digest of the canonical document, then the signature
 * value over the canonical SignedInfo (OpenSSL EVP: RSA PKCS#1 v1.5 or SM2). When something fails the
 * finding says why, in Chinese and English, as precisely as we can tell.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/parser.h>
#include <openssl/err.h>
#include "ceb/finding_codes.h"
#include "ceb/model.h"
#include "sig/sigcheck.h"
#include "util/xml.h"

/* Export declaration roots (ceb-spec §1.2): their Signature precedes ExtendMessage. */
static const char *const export_roots[] = { "CEB303Message", "CEB403Message", "CEB505Message",
					    "CEB507Message", "CEB509Message", "CEB603Message",
					    "CEB605Message", "CEB607Message", "CEB213Message",
					    "CEB215Message", "CEB701Message" };

bool
cg__sig_is_export(xmlNodePtr root)
{
	size_t i;

	for (i = 0; i < sizeof(export_roots) / sizeof(export_roots[0]); i++) {
		if (xmlStrEqual(root->name, BAD_CAST export_roots[i]))
			return true;
	}
	return false;
}

size_t
cg__sig_count(xmlNodePtr n)
{
	size_t count = 0;
	xmlNodePtr c;

	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return 0;
	count += cg__xml_is(n, CG_NS_DS, "Signature");
	for (c = n->children; c != NULL; c = c->next)
		count += cg__sig_count(c);
	return count;
}

struct run {
	const struct cg_sigcheck *c;
	cg_ctx *ctx;
	xmlDocPtr doc;
	const char *source;
	cg_findings *f;
	cg_verify_result *res;
	xmlNodePtr sig, si, ref, keyinfo;
	int profile;
	const char *digest;
	X509 *cert;
	int errors;
	const unsigned char *own_digest; /* the signer's, of this very tree: compared, not computed */
	unsigned own_digest_len;
};

static void
step(struct run *r, const char *name, int ok, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
step(struct run *r, const char *name, int ok, const char *fmt, ...)
{
	cg_verify_step *s;
	va_list ap;

	if (r->res->nsteps >= CG_VERIFY_MAX_STEPS)
		return;
	s = &r->res->steps[r->res->nsteps++];
	s->name = name;
	s->ok = ok;
	va_start(ap, fmt);
	(void)vsnprintf(s->detail, sizeof(s->detail), fmt, ap);
	va_end(ap);
}

static cg_rc
fail(struct run *r, const char *code, xmlNodePtr at, const char *zh, const char *en)
{
	char *path = at != NULL ? cg__xml_path(at) : NULL;
	cg_severity sev = CG_SEV_OF(code);
	cg_rc rc;

	if (sev == CG_SEV_ERROR)
		r->errors++;
	rc = cg__finding_addf(r->f, code, sev, r->source, path != NULL ? path : "",
			      at != NULL ? (unsigned long)xmlGetLineNo(at) : 0, 0, zh, en);
	free(path);
	return rc;
}

static xmlNodePtr
only_child(xmlNodePtr parent, const char *name, int *count)
{
	xmlNodePtr n, hit = NULL;

	*count = 0;
	for (n = cg__xml_first_elem(parent); n != NULL; n = cg__xml_next_elem(n)) {
		if (cg__xml_is(n, CG_NS_DS, name)) {
			(*count)++;
			hit = hit != NULL ? hit : n;
		}
	}
	return hit;
}

/* Element children other than the allowed ds: names, or text that is not blank. */
static xmlNodePtr
stray(xmlNodePtr parent, const char *const *allowed, size_t n)
{
	xmlNodePtr c;
	size_t i;

	for (c = parent->children; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE && !xmlIsBlankNode(c))
			return c->parent;
		if (c->type != XML_ELEMENT_NODE)
			continue;
		for (i = 0; i < n; i++) {
			if (cg__xml_is(c, CG_NS_DS, allowed[i]))
				break;
		}
		if (i == n)
			return c;
	}
	return NULL;
}

static xmlChar *
attr(xmlNodePtr n, const char *name)
{
	return n != NULL ? xmlGetNoNsProp(n, BAD_CAST name) : NULL;
}

static bool
has_comment(xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type == XML_COMMENT_NODE)
			return true;
		if (n->type == XML_ELEMENT_NODE && has_comment(n->children))
			return true;
	}
	return false;
}

/* An export Signature must precede ExtendMessage (ceb-spec §6.2). */
static bool
extend_before(xmlNodePtr root, xmlNodePtr sig)
{
	xmlNodePtr c;

	for (c = cg__xml_first_elem(root); c != NULL && c != sig; c = cg__xml_next_elem(c)) {
		if (cg__xml_is(c, CG_NS_CEB, "ExtendMessage"))
			return true;
	}
	return false;
}

xmlNodePtr
cg__sig_root_signature(xmlNodePtr root)
{
	xmlNodePtr c;

	for (c = cg__xml_first_elem(root); c != NULL; c = cg__xml_next_elem(c)) {
		if (cg__xml_is(c, CG_NS_DS, "Signature"))
			return c;
	}
	return NULL;
}

static cg_rc
check_presence(struct run *r, xmlNodePtr root)
{
	size_t n = cg__sig_count(root);
	xmlNodePtr next;

	if (n == 0) {
		step(r, "signature", 0, "no ds:Signature");
		return fail(r, "CG3001", root, NULL, NULL);
	}
	if (n > 1) {
		step(r, "signature", 0, "%zu ds:Signature elements", n);
		return fail(r, "CG3002", root, NULL, NULL);
	}
	r->sig = cg__sig_root_signature(root);
	next = r->sig != NULL ? cg__xml_next_elem(r->sig) : NULL;
	if (r->sig == NULL || (next != NULL && !(cg__sig_is_export(root) &&
						 cg__xml_is(next, CG_NS_CEB, "ExtendMessage") &&
						 cg__xml_next_elem(next) == NULL)) ||
	    (cg__sig_is_export(root) && extend_before(root, r->sig))) {
		step(r, "placement", 0, "ds:Signature is not where the standard puts it");
		return fail(r, "CG3003", r->sig != NULL ? r->sig : root,
			    "签名应为根元素的最后一个子元素（出口报文在ExtendMessage之前）",
			    "the Signature must be the root's last child (export: before ExtendMessage)");
	}
	step(r, "placement", 1, "one ds:Signature, %s", cg__sig_is_export(root)
						       ? "before ExtendMessage (export)"
						       : "last child of the root (import)");
	return CG_OK;
}

static cg_rc
check_signed_info(struct run *r)
{
	static const char *const si_allowed[] = { "CanonicalizationMethod", "SignatureMethod",
						  "Reference" };
	static const char *const ref_allowed[] = { "Transforms", "DigestMethod", "DigestValue" };
	xmlNodePtr cm, sm, bad;
	xmlChar *a;
	int n;

	bad = stray(r->si, si_allowed, 3);
	if (bad != NULL)
		return fail(r, "CG3007", bad, "SignedInfo含有多余内容", "unexpected content in SignedInfo");
	r->ref = only_child(r->si, "Reference", &n);
	if (n != 1) {
		step(r, "reference", 0, "%d References", n);
		return fail(r, "CG3004", r->si, "必须恰好有一个Reference", "exactly one Reference is allowed");
	}
	a = attr(r->ref, "URI");
	if (a == NULL || a[0] != '\0') {
		step(r, "reference", 0, "Reference URI=\"%s\"", a != NULL ? (const char *)a : "(absent)");
		xmlFree(a);
		return fail(r, "CG3004", r->ref, "Reference的URI必须为空（整个报文）",
			    "Reference URI must be \"\" (the whole message)");
	}
	xmlFree(a);
	bad = stray(r->ref, ref_allowed, 3);
	if (bad != NULL)
		return fail(r, "CG3007", bad, "Reference含有多余内容", "unexpected content in Reference");
	cm = only_child(r->si, "CanonicalizationMethod", &n);
	a = attr(cm, "Algorithm");
	if (n != 1 || a == NULL || strcmp((const char *)a, CG_URI_C14N) != 0 ||
	    cg__xml_first_elem(cm) != NULL) {
		step(r, "c14n", 0, "CanonicalizationMethod %s", a != NULL ? (const char *)a : "(absent)");
		xmlFree(a);
		return fail(r, "CG3006", cm != NULL ? cm : r->si,
			    "规范化方法必须为C14N 1.0（不含注释）",
			    "CanonicalizationMethod must be inclusive C14N 1.0 without comments");
	}
	xmlFree(a);
	sm = only_child(r->si, "SignatureMethod", &n);
	a = attr(sm, "Algorithm");
	r->profile = n == 1 ? cg__profile_for_uri(r->c->profiles, (const char *)a) : -1;
	if (r->profile < 0 && cg__profile_default_for_uri((const char *)a) >= 0) {
		const struct cg_sigprofile *p = &r->c->profiles[cg__profile_default_for_uri((const char *)a)];
		char zh[400], en[400];

		step(r, "algorithm", 0, "SignatureMethod %s: the URI file gives %s %s instead", a, p->name,
		     p->sig_uri);
		(void)snprintf(en, sizeof(en), "SignatureMethod %.128s is the built-in URI of %s, which the "
			       "URI file replaces with %.128s", (const char *)a, p->name, p->sig_uri);
		(void)snprintf(zh, sizeof(zh), "SignatureMethod %.128s为%s的内置URI，已被URI文件替换为%.128s",
			       (const char *)a, p->name, p->sig_uri);
		xmlFree(a);
		return fail(r, "CG3006", sm, zh, en);
	}
	if (r->profile < 0 || cg__xml_first_elem(sm) != NULL) {
		step(r, "algorithm", 0, "SignatureMethod %s", a != NULL ? (const char *)a : "(absent)");
		xmlFree(a);
		return fail(r, "CG3006", sm != NULL ? sm : r->si,
			    "签名算法未知或不允许（如HMAC）", "unknown or forbidden signature algorithm (e.g. HMAC)");
	}
	xmlFree(a);
	(void)snprintf(r->res->profile, sizeof(r->res->profile), "%s", r->c->profiles[r->profile].name);
	return CG_OK;
}

/*
 * A DigestMethod other than the profile's still verifies (UKey signers pair
 * SM2 with SHA-1, ceb-spec §6.3 S9), but the 202205 rules would refuse it.
 */
static cg_rc
check_digest_method(struct run *r)
{
	const char *want = r->c->profiles[r->profile].digest;
	char zh[200], en[200];

	if (strcmp(r->digest, want) == 0)
		return CG_OK;
	(void)snprintf(en, sizeof(en), "DigestMethod %s with the %s profile, whose digest is %s",
		       r->digest, r->res->profile, want);
	(void)snprintf(zh, sizeof(zh), "签名方案%s的摘要算法应为%s，此处DigestMethod为%s", r->res->profile,
		       want, r->digest);
	return fail(r, "CG3017", r->ref, zh, en);
}

static cg_rc
check_transforms(struct run *r)
{
	xmlNodePtr tr, t, dm;
	xmlChar *a;
	int n, count = 0, ok = 1;

	tr = only_child(r->ref, "Transforms", &n);
	for (t = tr != NULL ? cg__xml_first_elem(tr) : NULL; t != NULL; t = cg__xml_next_elem(t)) {
		a = attr(t, "Algorithm");
		count++;
		if (!cg__xml_is(t, CG_NS_DS, "Transform") || a == NULL || cg__xml_first_elem(t) != NULL ||
		    (count == 1 && strcmp((const char *)a, CG_URI_ENVELOPED) != 0) ||
		    (count == 2 && strcmp((const char *)a, CG_URI_C14N) != 0) || count > 2)
			ok = 0;
		xmlFree(a);
	}
	if (n != 1 || count == 0 || !ok) {
		step(r, "transforms", 0, "not enveloped-signature (+ C14N)");
		return fail(r, "CG3005", tr != NULL ? tr : r->ref,
			    "变换只能是enveloped-signature（可再加C14N）",
			    "transforms must be enveloped-signature, optionally followed by C14N");
	}
	dm = only_child(r->ref, "DigestMethod", &n);
	a = attr(dm, "Algorithm");
	r->digest = n == 1 ? cg__digest_for_uri(r->c->profiles, (const char *)a) : NULL;
	if (r->digest == NULL) {
		step(r, "digest method", 0, "%s", a != NULL ? (const char *)a : "(absent)");
		xmlFree(a);
		return fail(r, "CG3006", dm != NULL ? dm : r->ref, "摘要算法未知", "unknown digest algorithm");
	}
	xmlFree(a);
	(void)snprintf(r->res->digest_method, sizeof(r->res->digest_method), "%s", r->digest);
	step(r, "references", 1, "one Reference URI=\"\", enveloped transform, %s %s",
	     r->res->profile, r->digest);
	return CG_OK;
}

static cg_rc
check_shape(struct run *r)
{
	static const char *const sig_allowed[] = { "SignedInfo", "SignatureValue", "KeyInfo" };
	static const char *const ki_allowed[] = { "KeyName", "X509Data" };
	xmlNodePtr bad, x5;
	int n, m;
	cg_rc rc;

	bad = stray(r->sig, sig_allowed, 3);
	if (bad != NULL) {
		step(r, "shape", 0, "unexpected %s in Signature", (const char *)bad->name);
		return fail(r, "CG3007", bad, "签名中含有不允许的内容（Object、Manifest等）",
			    "content not allowed in the Signature (Object, Manifest ...)");
	}
	r->si = only_child(r->sig, "SignedInfo", &n);
	(void)only_child(r->sig, "SignatureValue", &m);
	if (n != 1 || m != 1)
		return fail(r, "CG3007", r->sig, "签名结构不完整", "incomplete Signature");
	rc = check_signed_info(r);
	if (rc != CG_OK || r->errors > 0)
		return rc;
	rc = check_transforms(r);
	if (rc != CG_OK || r->errors > 0)
		return rc;
	r->keyinfo = only_child(r->sig, "KeyInfo", &n);
	if (n != 1)
		return fail(r, "CG3009", r->sig, "缺少KeyInfo（证书）", "no KeyInfo with the certificate");
	bad = stray(r->keyinfo, ki_allowed, 2);
	x5 = only_child(r->keyinfo, "X509Data", &n);
	(void)only_child(r->keyinfo, "KeyName", &m);
	if (bad == NULL && x5 != NULL) {
		static const char *const x5_allowed[] = { "X509Certificate" };
		int k;

		bad = stray(x5, x5_allowed, 1);
		(void)only_child(x5, "X509Certificate", &k);
		if (k != 1)
			bad = x5;
	}
	if (bad == NULL && n == 1 && m == 0) {
		/* What the JDK's signer writes: KeyInfo with the certificate only. */
		step(r, "key info", 0, "KeyName missing: it must hold the certificate serial in hex");
		return fail(r, "CG3010", r->keyinfo,
			    "KeyInfo缺少KeyName：KeyName必须填写签名证书的序列号（十六进制，如01691fe9）",
			    "KeyInfo has no KeyName: the standard requires one holding the signing "
			    "certificate's serial number in hexadecimal (e.g. 01691fe9)");
	}
	if (bad != NULL || n != 1 || m != 1) {
		step(r, "key info", 0, "KeyInfo must hold one KeyName and one X509Certificate");
		return fail(r, "CG3007", bad != NULL ? bad : r->keyinfo,
			    "KeyInfo只能含一个KeyName和一个X509Certificate",
			    "KeyInfo may hold only one KeyName and one X509Certificate");
	}
	if (has_comment(r->doc->children)) {
		step(r, "comments", 0, "a comment is outside the signed scope");
		return fail(r, "CG3008", xmlDocGetRootElement(r->doc), NULL, NULL);
	}
	step(r, "shape", 1, "no Object, Manifest, RetrievalMethod, KeyValue or comments");
	return CG_OK;
}

static xmlChar *
text_of(xmlNodePtr parent, const char *name)
{
	int n;
	xmlNodePtr e = only_child(parent, name, &n);

	return e != NULL ? xmlNodeGetContent(e) : NULL;
}

static cg_rc
decode_cert(struct run *r)
{
	xmlNodePtr x5 = only_child(r->keyinfo, "X509Data", &(int){ 0 });
	xmlChar *b64 = text_of(x5, "X509Certificate");
	unsigned char *der = NULL;
	size_t len = 0;

	if (b64 == NULL || cg__base64_decode(&der, &len, (const char *)b64) != CG_OK || len > LONG_MAX) {
		xmlFree(b64);
		step(r, "certificate", 0, "X509Certificate is not base64");
		return fail(r, "CG3009", x5, NULL, NULL);
	}
	xmlFree(b64);
	/*
	 * A registered (pinned) certificate is compared byte for byte and never
	 * decoded again: decoding costs more than the signature check (design.md).
	 */
	if (r->c->expected != NULL) {
		unsigned char *want = NULL;
		int wlen = i2d_X509(r->c->expected, &want);
		bool same = wlen == (int)len && memcmp(want, der, len) == 0;

		OPENSSL_free(want);
		if (!same) {
			free(der);
			step(r, "pinning", 0, "the certificate is not the registered one");
			return fail(r, "CG3013", x5, NULL, NULL);
		}
		if (X509_up_ref(r->c->expected) == 1)
			r->cert = r->c->expected;
	} else {
		/* Whole DER only: bytes after the certificate would ride along unsigned. */
		r->cert = cg__certcache_get(r->c->certs, der, len);
	}
	free(der);
	ERR_clear_error();
	if (r->cert == NULL) {
		step(r, "certificate", 0, "X509Certificate is not a DER certificate");
		return fail(r, "CG3009", x5, NULL, NULL);
	}
	return CG_OK;
}

static void
asn1_time(const ASN1_TIME *t, char *out, size_t size)
{
	struct tm tm;

	out[0] = '\0';
	if (ASN1_TIME_to_tm(t, &tm) == 1)
		(void)strftime(out, size, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static cg_rc
check_keyname(struct run *r)
{
	xmlChar *kn = text_of(r->keyinfo, "KeyName");
	const char *k = kn != NULL ? (const char *)kn : "";
	const char *serial = r->res->serial, *stripped = serial;
	char en[200], zh[200];
	cg_rc rc = CG_OK;

	(void)snprintf(r->res->keyname, sizeof(r->res->keyname), "%s", k);
	while (*stripped == '0' && stripped[1] != '\0')
		stripped++;
	if (strcasecmp(k, serial) == 0) {
		step(r, "key name", 1, "KeyName %s = certificate serial", k);
	} else if (strcasecmp(k, stripped) == 0) {
		step(r, "key name", 1, "KeyName %s = serial without padding (the UKey writes %s)", k, serial);
		(void)snprintf(en, sizeof(en), "KeyName %s, padded form %s", k, serial);
		(void)snprintf(zh, sizeof(zh), "KeyName为%s，补零形式为%s", k, serial);
		rc = fail(r, "CG3016", r->keyinfo, zh, en);
	} else {
		step(r, "key name", 0, "KeyName %s, certificate serial %s", k, serial);
		(void)snprintf(en, sizeof(en), "KeyName %.60s, certificate serial %s", k, serial);
		(void)snprintf(zh, sizeof(zh), "KeyName为%.60s，证书序列号为%s", k, serial);
		rc = fail(r, "CG3010", r->keyinfo, zh, en);
	}
	xmlFree(kn);
	return rc;
}

static cg_rc
check_validity(struct run *r)
{
	time_t now = r->c->now != 0 ? r->c->now : time(NULL);
	char en[200], zh[200];

	if (X509_cmp_time(X509_get0_notBefore(r->cert), &now) > 0) {
		step(r, "validity", 0, "valid %s to %s: not yet valid", r->res->not_before,
		     r->res->not_after);
		(void)snprintf(en, sizeof(en), "the certificate is not yet valid: valid from %s to %s "
			       "(or this machine's clock is behind)", r->res->not_before, r->res->not_after);
		(void)snprintf(zh, sizeof(zh), "证书尚未生效：有效期 %s 至 %s（或本机时钟偏慢）",
			       r->res->not_before, r->res->not_after);
		return fail(r, "CG3011", r->keyinfo, zh, en);
	}
	if (X509_cmp_time(X509_get0_notAfter(r->cert), &now) < 0) {
		step(r, "validity", 0, "valid %s to %s: expired", r->res->not_before, r->res->not_after);
		(void)snprintf(en, sizeof(en), "the certificate expired: valid from %s to %s",
			       r->res->not_before, r->res->not_after);
		(void)snprintf(zh, sizeof(zh), "证书已过期：有效期 %s 至 %s", r->res->not_before,
			       r->res->not_after);
		return fail(r, "CG3011", r->keyinfo, zh, en);
	}
	step(r, "validity", 1, "valid %s to %s", r->res->not_before, r->res->not_after);
	return CG_OK;
}

static cg_rc
check_trust(struct run *r)
{
	X509_STORE_CTX *sc;
	int ok;

	if (r->c->store == NULL)
		return CG_OK;
	sc = X509_STORE_CTX_new();
	if (sc == NULL || X509_STORE_CTX_init(sc, r->c->store, r->cert, NULL) != 1) {
		X509_STORE_CTX_free(sc);
		return CG_ENOMEM;
	}
	if (r->c->now != 0)
		X509_STORE_CTX_set_time(sc, 0, r->c->now);
	ok = X509_verify_cert(sc) == 1;
	step(r, "trust", ok, "%s", ok ? "chains to a trusted CA"
				      : X509_verify_cert_error_string(X509_STORE_CTX_get_error(sc)));
	if (!ok) {
		const char *why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(sc));

		X509_STORE_CTX_free(sc);
		ERR_clear_error();
		return fail(r, "CG3012", r->keyinfo, why, why);
	}
	X509_STORE_CTX_free(sc);
	return CG_OK;
}

/* RFC 2253 form with UTF-8 kept as is: Chinese names stay readable. */
static void
subject_utf8(X509 *cert, char *out, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;

	out[0] = '\0';
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, X509_get_subject_name(cert), 0,
			       XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		n = BIO_read(b, out, (int)size - 1);
	out[n > 0 ? n : 0] = '\0';
	BIO_free(b);
}

static cg_rc
check_certificate(struct run *r)
{
	int type;
	cg_rc rc = decode_cert(r);

	if (rc != CG_OK || r->cert == NULL)
		return rc;
	cg__cert_serial_hex(r->cert, r->res->serial, sizeof(r->res->serial));
	if (!r->c->quiet)
		subject_utf8(r->cert, r->res->subject, sizeof(r->res->subject));
	asn1_time(X509_get0_notBefore(r->cert), r->res->not_before, sizeof(r->res->not_before));
	asn1_time(X509_get0_notAfter(r->cert), r->res->not_after, sizeof(r->res->not_after));
	if (r->c->pinned_serial != NULL && strcasecmp(r->c->pinned_serial, r->res->serial) != 0) {
		step(r, "pinning", 0, "serial %s is not the pinned %s", r->res->serial, r->c->pinned_serial);
		return fail(r, "CG3013", r->keyinfo, NULL, NULL);
	}
	type = cg__key_type(X509_get0_pubkey(r->cert));
	if (type != (int)r->c->profiles[r->profile].key) {
		step(r, "key type", 0, "a%s certificate with the %s algorithm",
		     type == CG_KEY_SM2 ? "n SM2" : type == CG_KEY_RSA ? "n RSA" : " non-RSA, non-SM2",
		     r->res->profile);
		return fail(r, "CG3006", r->si, "证书密钥类型与签名算法不符",
			    "the certificate's key type does not fit the signature algorithm");
	}
	rc = check_keyname(r);
	if (rc == CG_OK)
		rc = check_validity(r);
	if (rc == CG_OK)
		rc = check_trust(r);
	return rc;
}

unsigned
cg__sig_digest_of(const char *name, const cg_buf *c, unsigned char *md)
{
	return cg__digest(cg__md_by_name(name), c->ptr != NULL ? c->ptr : "", c->len, md);
}

static void
hex(const unsigned char *d, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/*
 * The digest of the canonical document, canonicalized straight into the hash
 * (with its SHA-256 in the same pass when the result shows it). The canonical
 * bytes themselves are made only when the digest differs, to say why.
 */
static cg_rc
compute_digest(struct run *r, unsigned char *md, unsigned *mdlen)
{
	unsigned char sha[32];
	bool show = !r->c->quiet;
	char *b64;

	*mdlen = cg__c14n_digests(r->doc, r->sig, cg__md_by_name(r->digest), md, show ? sha : NULL);
	if (*mdlen == 0)
		return CG_ESIG;
	if (show)
		hex(sha, 32, r->res->canonical_sha256);
	b64 = cg__base64(md, *mdlen);
	if (b64 != NULL)
		(void)snprintf(r->res->digest_computed, sizeof(r->res->digest_computed), "%s", b64);
	free(b64);
	return CG_OK;
}

/* The finding of a DigestValue that is not the digest: what the usual mistakes explain. */
static cg_rc
digest_differs(struct run *r, const unsigned char *claimed, size_t clen)
{
	cg_buf canon = CG_BUF_INIT(0);
	unsigned char sha[EVP_MAX_MD_SIZE];
	char zh[400], en[400];
	cg_rc rc = CG_OK;

	if (r->own_digest != NULL) {
		(void)snprintf(en, sizeof(en), "DigestValue is not the digest just computed");
		(void)snprintf(zh, sizeof(zh), "DigestValue与刚计算的摘要不符");
	} else {
		struct cg_sigdiag d = { r->doc, r->sig, r->c->raw, r->c->rawlen, r->digest,
					 r->res->canonical_sha256 };

		rc = cg__c14n_document(r->doc, r->sig, 0, 0, &canon);
		if (rc == CG_OK && r->res->canonical_sha256[0] == '\0' &&
		    cg__sig_digest_of("sha256", &canon, sha) == 32)
			hex(sha, 32, r->res->canonical_sha256);
		if (rc == CG_OK)
			cg__sig_diagnose_digest(&d, &canon, claimed != NULL ? claimed : (const unsigned char *)"",
						clen, zh, en, sizeof(zh));
	}
	if (rc == CG_OK) {
		step(r, "digest", 0, "%s", en);
		rc = fail(r, "CG3014", r->ref, zh, en);
	}
	cg_buf_dispose(&canon);
	return rc;
}

static cg_rc
check_digest(struct run *r)
{
	unsigned char md[EVP_MAX_MD_SIZE], *claimed = NULL;
	xmlChar *dv = text_of(r->ref, "DigestValue");
	unsigned mdlen = 0;
	size_t clen = 0;
	cg_rc rc = CG_OK;

	if (r->own_digest != NULL) {
		mdlen = r->own_digest_len;
		memcpy(md, r->own_digest, mdlen);
	} else {
		rc = compute_digest(r, md, &mdlen);
	}
	(void)snprintf(r->res->digest_claimed, sizeof(r->res->digest_claimed), "%s",
		       dv != NULL ? (const char *)dv : "");
	if (rc == CG_OK && (dv == NULL || cg__base64_decode(&claimed, &clen, (const char *)dv) != CG_OK ||
			    clen != mdlen || memcmp(claimed, md, mdlen) != 0))
		rc = digest_differs(r, claimed, clen);
	else if (rc == CG_OK)
		step(r, "digest", 1, "%s of the canonical document matches DigestValue", r->digest);
	free(claimed);
	xmlFree(dv);
	return rc;
}

/* @p v (64 bytes) with r and s swapped, or each of them byte-reversed. */
static void
sm2_rearranged(const unsigned char *v, int swap, unsigned char *out)
{
	int i;

	for (i = 0; i < 32; i++) {
		out[i] = swap ? v[32 + i] : v[31 - i];
		out[32 + i] = swap ? v[i] : v[63 - i];
	}
}

/* Why an SM2 value does not verify, when its encoding says more than "another key". */
static void
sm2_value_hint(EVP_PKEY *pk, const cg_buf *si, const unsigned char *v, size_t n, const char **zh,
	       const char **en)
{
	unsigned char alt[64];
	const unsigned char *p = v;
	ECDSA_SIG *der = n > 64 && v[0] == 0x30 ? d2i_ECDSA_SIG(NULL, &p, (long)n) : NULL;
	size_t used = (size_t)(p - v);

	ECDSA_SIG_free(der);
	if (n == 64) {
		sm2_rearranged(v, 1, alt);
		if (cg__sm2_verify(pk, si->ptr, si->len, alt, 64, 1) == 1) {
			*en = "the SM2 value has r and s in the wrong order (s||r instead of r||s)";
			*zh = "SM2签名值中r与s顺序颠倒（应为r||s）";
			return;
		}
		sm2_rearranged(v, 0, alt);
		if (cg__sm2_verify(pk, si->ptr, si->len, alt, 64, 1) == 1) {
			*en = "the SM2 value has r and s little-endian; raw r||s is big-endian";
			*zh = "SM2签名值的r、s为小端字节序；r||s应为大端";
			return;
		}
	} else if (der != NULL && used < n) {
		*en = "the SM2 value is DER with bytes after its end: give the DER value alone, or raw r||s";
		*zh = "SM2签名值为DER编码但其后有多余字节：应只含DER值，或使用r||s";
		return;
	} else if (der == NULL) {
		*en = "an SM2 value is 64 bytes raw r||s (or DER): this one is neither";
		*zh = "SM2签名值应为64字节r||s（或DER编码），此值两者皆非";
		return;
	}
	if (cg__sm2_verify(pk, si->ptr, si->len, v, n, 0) == 1) {
		*en = "the SM2 value verifies only without the default user ID 1234567812345678";
		*zh = "SM2签名仅在不使用默认用户标识1234567812345678时可验证";
	}
}

/* The SM2 check, with the key's table when the certificate is pinned or was met before. */
static int
sm2_check(const struct run *r, const cg_buf *si, const unsigned char *value, size_t vlen)
{
	EVP_PKEY *pk = X509_get0_pubkey(r->cert);
	const struct cg_sm2key *k = r->c->sm2key != NULL && r->cert == r->c->expected
					    ? r->c->sm2key
					    : cg__sm2cache_get(r->c->sm2cache, pk);

	return k != NULL ? cg__sm2key_verify(k, si->ptr, si->len, value, vlen)
			 : cg__sm2_verify(pk, si->ptr, si->len, value, vlen, 1);
}

static cg_rc
check_value(struct run *r)
{
	const struct cg_sigprofile *p = &r->c->profiles[r->profile];
	xmlChar *sv = text_of(r->sig, "SignatureValue");
	unsigned char *value = NULL;
	size_t vlen = 0;
	cg_buf si = CG_BUF_INIT(0);
	int ok = 0;
	cg_rc rc = CG_OK;

	if (!r->c->crypto) {
		xmlFree(sv);
		return CG_OK;
	}
	if (sv == NULL || cg__base64_decode(&value, &vlen, (const char *)sv) != CG_OK) {
		xmlFree(sv);
		step(r, "signature value", 0, "SignatureValue is not base64");
		return fail(r, "CG3015", r->sig, "SignatureValue不是base64", "SignatureValue is not base64");
	}
	xmlFree(sv);
	/*
	 * The value is checked over the canonical SignedInfo computed here, for
	 * every profile: one code path, and the digest was already checked above.
	 */
	rc = cg__c14n_subtree(r->doc, r->si, &si);
	if (rc == CG_OK && p->key == CG_KEY_RSA)
		ok = cg__rsa_verify(X509_get0_pubkey(r->cert), cg__md_by_name(p->digest), si.ptr, si.len,
				    value, vlen) == 1;
	else if (rc == CG_OK)
		ok = sm2_check(r, &si, value, vlen) == 1;
	if (rc == CG_OK && ok) {
		step(r, "signature value", 1, "%s signature verifies with the certificate's key%s",
		     p->name, p->key == CG_KEY_SM2 ? (vlen == 64 ? " (raw r||s)"
						   : " (DER): UKeys write raw r||s; whether customs "
						     "takes DER is unconfirmed")
				 : "");
	} else if (rc == CG_OK) {
		const char *en = "the signature does not verify: signed by another key, or SignedInfo changed";
		const char *zh = "签名值验证失败：由其他密钥签名，或SignedInfo被修改";

		if (p->key == CG_KEY_SM2)
			sm2_value_hint(X509_get0_pubkey(r->cert), &si, value, vlen, &zh, &en);
		step(r, "signature value", 0, "%s", en);
		rc = fail(r, "CG3015", r->sig, zh, en);
	}
	free(value);
	cg_buf_dispose(&si);
	return rc;
}

static cg_rc verify_run(struct run *r);

cg_rc
cg__sig_verify_doc(const struct cg_sigcheck *c, cg_ctx *ctx, xmlDocPtr doc, const char *source,
		   cg_findings *f, cg_verify_result *res)
{
	struct run r = { c, ctx, doc, source, f, res, NULL, NULL, NULL, NULL, -1, NULL, NULL, 0, NULL, 0 };

	return verify_run(&r);
}

cg_rc
cg__sig_check_own(const struct cg_sigcheck *c, cg_ctx *ctx, xmlDocPtr doc, const unsigned char *digest,
		  unsigned digest_len, cg_findings *f, cg_verify_result *res)
{
	struct run r = { c, ctx, doc, "signed", f, res, NULL, NULL, NULL, NULL, -1, NULL, NULL, 0,
			 digest, digest_len };

	return verify_run(&r);
}

static cg_rc
verify_run(struct run *r)
{
	cg_rc rc = check_presence(r, xmlDocGetRootElement(r->doc));
	int shaped;

	if (rc == CG_OK && r->errors == 0)
		rc = check_shape(r);
	shaped = r->errors == 0;
	if (rc == CG_OK && shaped)
		rc = check_certificate(r);
	/*
	 * The digest is computed even when the certificate was refused, so that
	 * --explain shows it; the signature value only when all else holds.
	 */
	if (rc == CG_OK && shaped)
		rc = check_digest(r);
	if (rc == CG_OK && r->errors == 0)
		rc = check_value(r);
	if (rc == CG_OK && r->errors == 0)
		rc = check_digest_method(r);
	r->res->valid = rc == CG_OK && r->errors == 0;
	X509_free(r->cert);
	return rc;
}

/* Whether SignedInfo canonicalized in @p doc is exactly @p want (what was signed). */
static bool
same_signed_info(xmlDocPtr doc, const char *want, size_t len)
{
	xmlNodePtr sig = cg__sig_root_signature(xmlDocGetRootElement(doc));
	int count;
	xmlNodePtr si = sig != NULL ? only_child(sig, "SignedInfo", &count) : NULL;
	cg_buf c = CG_BUF_INIT(0);
	bool same = si != NULL && cg__c14n_subtree(doc, si, &c) == CG_OK && c.len == len &&
		    memcmp(c.ptr, want, len) == 0;

	cg_buf_dispose(&c);
	return same;
}

cg_rc
cg__sig_self_check(cg_ctx *ctx, const char *xml, size_t len, const struct cg_sigprofile *profiles,
		   X509 *cert, int crypto, const char *signed_info, size_t silen)
{
	struct cg_sigcheck c = { profiles, cert, NULL, NULL, 0, crypto, xml, len, NULL, NULL, NULL, 1 };
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_findings *f = NULL;
	xmlDocPtr doc = NULL;
	cg_rc rc = res != NULL ? cg_findings_new(&f) : CG_ENOMEM;

	if (rc == CG_OK)
		rc = cg__xml_parse(&doc, ctx, xml, len, "signed", f);
	if (rc == CG_OK)
		rc = cg__sig_verify_doc(&c, ctx, doc, "signed", f, res);
	if (rc == CG_OK && cg_findings_count_sev(f, CG_SEV_ERROR) > 0)
		rc = cg__fail(ctx, CG_ESIG, "self-check of the signed message failed: %s",
			      cg_findings_get(f, 0)->message_en);
	else if (rc == CG_EPARSE)
		rc = cg__fail(ctx, CG_ESIG, "the signed message does not parse again");
	/* A SignedInfo canonicalized in another context than the message's would not verify. */
	else if (rc == CG_OK && signed_info != NULL && !same_signed_info(doc, signed_info, silen))
		rc = cg__fail(ctx, CG_ESIG, "self-check: SignedInfo in the signed message is not what "
					    "was signed");
	xmlFreeDoc(doc);
	cg_findings_free(f);
	free(res);
	return rc;
}
