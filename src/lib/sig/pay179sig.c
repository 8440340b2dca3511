/* SPDX-License-Identifier: MIT */
/*
 * The 179 payExInfoStr's signature (include/cebgate/pay179.h, ceb-spec §8.3).
 * The signing string is built from the texts of the head and the lists as
 * they stand in the payExInfoStr, never from a re-serialisation: a JSON
 * writer of another platform formats numbers its own way, and customs checks
 * the bytes that were sent.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "cebgate/pay179.h"
#include "sig/sigcore.h"

const char *
cg_pay179_form_name(cg_pay179_form form)
{
	return form == CG_PAY179_PLAIN ? "plain" : "quoted";
}

cg_rc
cg_pay179_form_parse(const char *name, cg_pay179_form *out)
{
	if (name != NULL && strcmp(name, "quoted") == 0)
		*out = CG_PAY179_QUOTED;
	else if (name != NULL && strcmp(name, "plain") == 0)
		*out = CG_PAY179_PLAIN;
	else
		return CG_EINVAL;
	return CG_OK;
}

/* ---- the raw text of a first-level value ------------------------------------------- */

static size_t
skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* Past the string that starts at s[i] ('"'); len when it does not end. */
static size_t
skip_string(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return len;
}

/* Past the value that starts at s[i]: nesting counted, strings skipped whole. */
static size_t
skip_value(const char *s, size_t len, size_t i)
{
	size_t depth = 0;

	while (i < len) {
		char c = s[i];

		if (c == '"') {
			i = skip_string(s, len, i);
		} else if (c == '{' || c == '[') {
			depth++;
			i++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return i;
			depth--;
			i++;
		} else if (c == ',' && depth == 0) {
			return i;
		} else {
			i++;
		}
		if (depth == 0 && i < len && (s[i - 1] == '"' || s[i - 1] == '}' || s[i - 1] == ']'))
			return i;
	}
	return i;
}

/* The text of first-level member @p key's value (the object was parsed already). */
static bool
member_text(const char *s, size_t len, const char *key, const char **v, size_t *vlen)
{
	size_t i = skip_ws(s, len, 0), klen = strlen(key);

	if (i >= len || s[i] != '{')
		return false;
	i++;
	while (i < len) {
		size_t k0, k1, v0;

		i = skip_ws(s, len, i);
		if (i >= len || s[i] != '"')
			return false;
		k0 = i + 1;
		i = skip_string(s, len, i);
		k1 = i - 1;
		i = skip_ws(s, len, i);
		if (i >= len || s[i] != ':')
			return false;
		v0 = skip_ws(s, len, i + 1);
		i = skip_value(s, len, v0);
		if (k1 - k0 == klen && memcmp(s + k0, key, klen) == 0) {
			size_t end = i;

			while (end > v0 && (s[end - 1] == ' ' || s[end - 1] == '\n' ||
					    s[end - 1] == '\r' || s[end - 1] == '\t'))
				end--;
			*v = s + v0;
			*vlen = end - v0;
			return true;
		}
		i = skip_ws(s, len, i);
		if (i >= len || s[i] != ',')
			return false;
		i++;
	}
	return false;
}

/* ---- the signing string ------------------------------------------------------------- */

static cg_rc
put(cg_buf *b, const char *s)
{
	return cg_buf_append(b, s, strlen(s));
}

static cg_rc
build(cg_ctx *ctx, const char *payex, size_t len, json_t *root, cg_pay179_form form, cg_buf *b)
{
	json_t *sid = json_object_get(root, "sessionID"), *st = json_object_get(root, "serviceTime");
	const char *head = NULL, *lists = NULL, *stime = NULL;
	size_t hlen = 0, llen = 0, slen = 0;
	bool q = form == CG_PAY179_QUOTED;
	cg_rc rc;

	if (!json_is_string(sid) || json_string_length(sid) == 0)
		return cg__fail(ctx, CG_EINVAL, "payExInfoStr: sessionID must be a non-empty string");
	if (!json_is_object(json_object_get(root, "payExchangeInfoHead")) ||
	    !member_text(payex, len, "payExchangeInfoHead", &head, &hlen))
		return cg__fail(ctx, CG_EINVAL, "payExInfoStr: payExchangeInfoHead must be an object");
	if (!(json_is_array(json_object_get(root, "payExchangeInfoLists")) &&
	      member_text(payex, len, "payExchangeInfoLists", &lists, &llen)) &&
	    !(json_is_array(json_object_get(root, "payExchangeInfoList")) &&
	      member_text(payex, len, "payExchangeInfoList", &lists, &llen)))
		return cg__fail(ctx, CG_EINVAL, "payExInfoStr: payExchangeInfoLists must be an array");
	if (json_is_string(st)) {
		stime = json_string_value(st);
		slen = json_string_length(st);
	} else if (!json_is_integer(st) || !member_text(payex, len, "serviceTime", &stime, &slen)) {
		return cg__fail(ctx, CG_EINVAL, "payExInfoStr: serviceTime must be epoch milliseconds");
	}
	rc = put(b, "\"sessionID\":\"");
	rc = rc == CG_OK ? cg_buf_append(b, json_string_value(sid), json_string_length(sid)) : rc;
	rc = rc == CG_OK ? put(b, q ? "\"||\"payExchangeInfoHead\":\"" : "\"||\"payExchangeInfoHead\":") : rc;
	rc = rc == CG_OK ? cg_buf_append(b, head, hlen) : rc;
	rc = rc == CG_OK ? put(b, q ? "\"||\"payExchangeInfoLists\":\"" : "||\"payExchangeInfoList\":") : rc;
	rc = rc == CG_OK ? cg_buf_append(b, lists, llen) : rc;
	rc = rc == CG_OK ? put(b, q ? "\"||\"serviceTime\":\"" : "||\"serviceTime\":") : rc;
	rc = rc == CG_OK ? cg_buf_append(b, stime, slen) : rc;
	rc = rc == CG_OK && q ? put(b, "\"") : rc;
	return rc;
}

static cg_rc
parse(cg_ctx *ctx, const char *payex, size_t len, json_t **root)
{
	json_error_t err;

	*root = NULL;
	if (len > CG_PAY179_MAX)
		return cg__fail(ctx, CG_ETOOBIG, "payExInfoStr: more than %d bytes", CG_PAY179_MAX);
	*root = json_loadb(payex, len, JSON_REJECT_DUPLICATES, &err);
	if (*root == NULL || !json_is_object(*root)) {
		json_decref(*root);
		*root = NULL;
		return cg__fail(ctx, CG_EINVAL, "payExInfoStr is not a JSON object: %s", err.text);
	}
	return CG_OK;
}

cg_rc
cg_pay179_signing_string(cg_ctx *ctx, const char *payex, size_t len, cg_pay179_form form, char **out)
{
	cg_buf b = CG_BUF_INIT(2 * CG_PAY179_MAX);
	json_t *root = NULL;
	cg_rc rc = parse(ctx, payex, len, &root);

	*out = NULL;
	if (rc == CG_OK)
		rc = build(ctx, payex, len, root, form, &b);
	if (rc == CG_OK)
		rc = cg_buf_putc(&b, '\0');
	json_decref(root);
	if (rc != CG_OK) {
		cg_buf_dispose(&b);
		return rc;
	}
	*out = (char *)b.ptr;
	return CG_OK;
}

/* ---- signing and verifying ---------------------------------------------------------- */

struct cg_pay179_signer {
	EVP_PKEY *key;
	X509 *cert;
	const EVP_MD *md; /* RSA; SM2 always SM3 */
	int sm2;
	cg_pay179_form form;
	char certno[80];
};

void
cg_pay179_signer_free(cg_pay179_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	free(s);
}

const char *
cg_pay179_signer_certno(const cg_pay179_signer *s)
{
	return s->certno;
}

cg_rc
cg_pay179_signer_new(cg_pay179_signer **out, cg_ctx *ctx, const char *key, const char *pass,
		     const char *cert, const char *digest, cg_pay179_form form)
{
	cg_pay179_signer *s = calloc(1, sizeof(*s));
	X509 *from_key = NULL;
	cg_rc rc = s != NULL ? CG_OK : CG_ENOMEM;

	*out = NULL;
	if (rc == CG_OK)
		rc = cg__load_key(&s->key, ctx, key, pass, &from_key);
	if (rc == CG_OK && cert != NULL)
		rc = cg__load_cert(&s->cert, ctx, cert);
	if (rc == CG_OK && s->cert == NULL) {
		s->cert = from_key;
		from_key = NULL;
	}
	X509_free(from_key);
	if (rc == CG_OK && s->cert == NULL)
		rc = cg__fail(ctx, CG_EINVAL, "the registered certificate is needed (--cert)");
	if (rc == CG_OK && X509_check_private_key(s->cert, s->key) != 1)
		rc = cg__fail(ctx, CG_ESIG, "the key is not the certificate's: customs could not verify its signatures");
	if (rc == CG_OK && (X509_cmp_current_time(X509_get0_notBefore(s->cert)) > 0 ||
			    X509_cmp_current_time(X509_get0_notAfter(s->cert)) < 0))
		rc = cg__fail(ctx, CG_ESIG, "the certificate is not valid now (see its notBefore and notAfter)");
	if (rc == CG_OK) {
		s->sm2 = cg__key_type(s->key) == CG_KEY_SM2;
		s->md = digest != NULL && strcmp(digest, "sha1") == 0 ? EVP_sha1() : EVP_sha256();
		if (digest != NULL && strcmp(digest, "sha1") != 0 && strcmp(digest, "sha256") != 0)
			rc = cg__fail(ctx, CG_EINVAL, "digest is sha256 or sha1");
		if (cg__key_type(s->key) < 0)
			rc = cg__fail(ctx, CG_EINVAL, "the key is neither RSA nor SM2");
		s->form = form;
		cg__cert_serial_hex(s->cert, s->certno, sizeof(s->certno));
	}
	if (rc == CG_OK && s->certno[0] == '\0')
		rc = cg__fail(ctx, CG_EINVAL, "the certificate has no serial: certNo would be empty");
	if (rc != CG_OK) {
		cg_pay179_signer_free(s);
		return rc;
	}
	*out = s;
	return CG_OK;
}

static cg_rc
sign_bytes(cg_pay179_signer *s, cg_ctx *ctx, const char *data, size_t len, char **b64)
{
	unsigned char sig[1024];
	size_t slen = sizeof(sig);
	EVP_MD_CTX *m;
	int ok;

	*b64 = NULL;
	if (s->sm2) {
		cg_rc rc = cg__sm2_sign(s->key, data, len, 0, sig, &slen);

		if (rc != CG_OK)
			return rc;
	} else {
		m = EVP_MD_CTX_new();
		ok = m != NULL && EVP_DigestSignInit(m, NULL, s->md, NULL, s->key) == 1 &&
		     EVP_DigestSign(m, sig, &slen, (const unsigned char *)data, len) == 1;
		EVP_MD_CTX_free(m);
		if (!ok)
			return cg__fail(ctx, CG_ESIG, "signing failed");
	}
	*b64 = cg__base64(sig, slen);
	return *b64 != NULL ? CG_OK : CG_ENOMEM;
}

/* 1 when @p sig verifies over @p data with @p key (RSA: SHA-256 or SHA-1; SM2: SM3). */
static int
verify_bytes(EVP_PKEY *key, const char *data, size_t len, const unsigned char *sig, size_t slen)
{
	if (cg__key_type(key) == CG_KEY_SM2)
		return cg__sm2_verify(key, data, len, sig, slen, 1) == 1;
	return cg__rsa_verify(key, EVP_sha256(), data, len, sig, slen) == 1 ||
	       cg__rsa_verify(key, EVP_sha1(), data, len, sig, slen) == 1;
}

static cg_rc
verify_x509(cg_ctx *ctx, const char *payex, size_t len, X509 *cert, cg_pay179_form *form)
{
	json_t *root = NULL, *certno, *sv;
	unsigned char *sig = NULL;
	size_t slen = 0;
	EVP_PKEY *key = X509_get0_pubkey(cert);
	cg_pay179_form f;
	cg_rc rc = parse(ctx, payex, len, &root);

	if (rc != CG_OK)
		return rc;
	certno = json_object_get(root, "certNo");
	sv = json_object_get(root, "signValue");
	if (!json_is_string(certno) || json_string_length(certno) == 0 || !json_is_string(sv) ||
	    json_string_length(sv) == 0)
		rc = cg__fail(ctx, CG_EINVAL, "certNo/signValue must not be empty (certNo and signValue are required)");
	if (rc == CG_OK && cg__base64_decode(&sig, &slen, json_string_value(sv)) != CG_OK)
		rc = cg__fail(ctx, CG_ESIG, "signValue is not base64");
	if (rc == CG_OK && key == NULL)
		rc = cg__fail(ctx, CG_ESIG, "the certificate's key cannot be read");
	for (f = CG_PAY179_QUOTED; rc == CG_OK && f <= CG_PAY179_PLAIN; f++) {
		cg_buf b = CG_BUF_INIT(2 * CG_PAY179_MAX);
		int ok;

		rc = build(ctx, payex, len, root, f, &b);
		ok = rc == CG_OK && verify_bytes(key, (const char *)b.ptr, b.len, sig, slen);
		cg_buf_dispose(&b);
		if (ok) {
			*form = f;
			break;
		}
		if (rc == CG_OK && f == CG_PAY179_PLAIN)
			rc = cg__fail(ctx, CG_ESIG,
				      "the signature does not verify with certificate %s over the signing string "
				      "of either form (quoted or plain, ceb-spec §8.3): the data was changed after "
				      "signing, or signed with another key",
				      json_string_value(certno));
	}
	free(sig);
	json_decref(root);
	return rc;
}

cg_rc
cg__pay179_verify_x509(cg_ctx *ctx, const char *payex, size_t len, X509 *cert, cg_pay179_form *form)
{
	return verify_x509(ctx, payex, len, cert, form);
}

cg_rc
cg_pay179_verify(cg_ctx *ctx, const char *payex, size_t len, const void *cert, size_t cert_len,
		 cg_pay179_form *form)
{
	X509 *x = NULL;
	cg_rc rc = cg__parse_cert(&x, ctx, cert, cert_len, "certificate");

	if (rc == CG_OK)
		rc = verify_x509(ctx, payex, len, x, form);
	X509_free(x);
	return rc;
}

cg_rc
cg_pay179_sign(cg_pay179_signer *s, cg_ctx *ctx, const char *payex, size_t len, char **out)
{
	cg_buf b = CG_BUF_INIT(2 * CG_PAY179_MAX), o = CG_BUF_INIT(3 * CG_PAY179_MAX);
	json_t *root = NULL;
	char *b64 = NULL;
	cg_pay179_form got = CG_PAY179_QUOTED;
	size_t end;
	cg_rc rc = parse(ctx, payex, len, &root);

	*out = NULL;
	if (rc == CG_OK && (json_object_get(root, "certNo") != NULL || json_object_get(root, "signValue") != NULL))
		rc = cg__fail(ctx, CG_EINVAL, "payExInfoStr is signed already");
	if (rc == CG_OK)
		rc = build(ctx, payex, len, root, s->form, &b);
	if (rc == CG_OK)
		rc = sign_bytes(s, ctx, (const char *)b.ptr, b.len, &b64);
	/* certNo and signValue go last, the object's text kept as it was before them. */
	end = len;
	while (rc == CG_OK && end > 0 && payex[end - 1] != '}')
		end--;
	if (rc == CG_OK) {
		json_t *cn = json_string(s->certno), *sv = json_string(b64);
		char *cns = json_dumps(cn, JSON_ENCODE_ANY), *svs = json_dumps(sv, JSON_ENCODE_ANY);

		rc = cns != NULL && svs != NULL && end > 0 ? cg_buf_append(&o, payex, end - 1) : CG_ENOMEM;
		rc = rc == CG_OK ? put(&o, ",\"certNo\":") : rc;
		rc = rc == CG_OK ? put(&o, cns) : rc;
		rc = rc == CG_OK ? put(&o, ",\"signValue\":") : rc;
		rc = rc == CG_OK ? put(&o, svs) : rc;
		rc = rc == CG_OK ? put(&o, "}") : rc;
		rc = rc == CG_OK ? cg_buf_putc(&o, '\0') : rc;
		free(cns);
		free(svs);
		json_decref(cn);
		json_decref(sv);
	}
	/* The self-check: what leaves verifies with the registered certificate. */
	if (rc == CG_OK)
		rc = verify_x509(ctx, (const char *)o.ptr, o.len - 1, s->cert, &got);
	if (rc == CG_OK && got != s->form)
		rc = cg__fail(ctx, CG_ESIG, "self-check: the signature verifies only in the other form");
	free(b64);
	cg_buf_dispose(&b);
	json_decref(root);
	if (rc != CG_OK) {
		cg_buf_dispose(&o);
		return rc;
	}
	*out = (char *)o.ptr;
	return CG_OK;
}
