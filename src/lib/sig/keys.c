/* SPDX-License-Identifier: MIT */
/*
 * Loading signing keys and certificates: PEM and PKCS#8 (encrypted too),
 * PKCS#12, DER, and PKCS#11 tokens through OpenSSL's pkcs11 engine (libp11),
 * so that HSMs and USB tokens sign without the key ever leaving them.
 */
/* The engine API is deprecated in OpenSSL 3 but is what reaches PKCS#11 on Debian 12. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include "cebgate/sig.h"
#include "sig/sigcore.h"

#define MAX_KEY_FILE (1024 * 1024)

/* The first error of the queue is the cause; later ones are its consequences. */
static const char *
ossl_err(char *buf, size_t size)
{
	unsigned long e = ERR_peek_error();

	if (e == 0)
		(void)snprintf(buf, size, "no detail");
	else
		ERR_error_string_n(e, buf, size);
	ERR_clear_error();
	return buf;
}

static int
pass_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pass = u;
	size_t n;

	(void)rwflag;
	if (pass == NULL || size <= 0)
		return 0;
	n = strlen(pass);
	if (n > (size_t)size)
		n = (size_t)size;
	memcpy(buf, pass, n);
	return (int)n;
}

static BIO *
read_file(cg_ctx *ctx, const char *path, cg_rc *rc)
{
	BIO *in = BIO_new_file(path, "rb"), *mem;
	char chunk[8192];
	int n;
	long total = 0;

	*rc = CG_OK;
	if (in == NULL) {
		*rc = cg__fail(ctx, CG_EIO, "cannot open %s", path);
		return NULL;
	}
	mem = BIO_new(BIO_s_mem());
	/* BIO_reset() must rewind, not empty, the buffer: each format is tried in turn. */
	if (mem != NULL)
		BIO_set_flags(mem, BIO_FLAGS_NONCLEAR_RST);
	while (mem != NULL && (n = BIO_read(in, chunk, sizeof(chunk))) > 0) {
		total += n;
		if (total > MAX_KEY_FILE || BIO_write(mem, chunk, n) != n) {
			BIO_free(mem);
			mem = NULL;
		}
	}
	BIO_free(in);
	if (mem == NULL)
		*rc = cg__fail(ctx, CG_EIO, "cannot read %s", path);
	return mem;
}

static cg_rc
load_pkcs12(EVP_PKEY **out, X509 **cert, cg_ctx *ctx, BIO *mem, const char *path, const char *pass)
{
	PKCS12 *p12 = d2i_PKCS12_bio(mem, NULL);
	STACK_OF(X509) *ca = NULL;
	char err[256];
	int ok;

	if (p12 == NULL)
		return CG_ENOTFOUND;
	ok = PKCS12_parse(p12, pass != NULL ? pass : "", out, cert, &ca);
	PKCS12_free(p12);
	sk_X509_pop_free(ca, X509_free);
	if (ok != 1)
		return cg__fail(ctx, CG_ESIG, "%s: PKCS#12 refused (wrong passphrase?): %s", path,
				ossl_err(err, sizeof(err)));
	return CG_OK;
}

/* A "pin-value" attribute anywhere in the URI's path or query (RFC 7512). */
static bool
uri_has_pin(const char *uri)
{
	const char *p;

	for (p = strstr(uri, "pin-value"); p != NULL; p = strstr(p + 1, "pin-value")) {
		if (p > uri && strchr(":;?&", p[-1]) != NULL)
			return true;
	}
	return false;
}

static cg_rc
load_pkcs11(EVP_PKEY **out, X509 **cert_out, cg_ctx *ctx, const char *uri, const char *pin)
{
	const char *module = getenv("CEBGATE_PKCS11_MODULE");
	ENGINE *e;
	char err[256];
	struct {
		const char *id;
		X509 *cert;
	} params = { uri, NULL };

	/* A PIN in the URI would be on the command line, in logs and in the custody table. */
	if (uri_has_pin(uri))
		return cg__fail(ctx, CG_EINVAL, "the PKCS#11 URI carries pin-value: give the PIN from a "
						"file or an environment variable instead");
	ENGINE_load_builtin_engines();
	e = ENGINE_by_id("pkcs11");
	if (e == NULL)
		return cg__fail(ctx, CG_ESIG, "PKCS#11 needs the OpenSSL pkcs11 engine "
					      "(Debian package libengine-pkcs11-openssl): %s",
				ossl_err(err, sizeof(err)));
	if ((module != NULL && !ENGINE_ctrl_cmd_string(e, "MODULE_PATH", module, 0)) ||
	    (pin != NULL && !ENGINE_ctrl_cmd_string(e, "PIN", pin, 0)) || !ENGINE_init(e)) {
		ENGINE_free(e);
		return cg__fail(ctx, CG_ESIG, "PKCS#11 module cannot be used: %s",
				ossl_err(err, sizeof(err)));
	}
	*out = ENGINE_load_private_key(e, uri, NULL, NULL);
	if (*out != NULL && cert_out != NULL &&
	    ENGINE_ctrl_cmd(e, "LOAD_CERT_CTRL", 0, &params, NULL, 0) == 1)
		*cert_out = params.cert;
	/* The key holds its own reference to the engine. */
	ENGINE_finish(e);
	ENGINE_free(e);
	if (*out == NULL)
		return cg__fail(ctx, CG_ESIG, "no private key at %s: %s", uri, ossl_err(err, sizeof(err)));
	return CG_OK;
}

cg_rc
cg__load_key(EVP_PKEY **out, cg_ctx *ctx, const char *spec, const char *pass, X509 **cert_out)
{
	char err[256];
	BIO *mem;
	cg_rc rc;

	*out = NULL;
	if (strncmp(spec, "pkcs11:", 7) == 0)
		return load_pkcs11(out, cert_out, ctx, spec, pass);
	mem = read_file(ctx, spec, &rc);
	if (mem == NULL)
		return rc;
	/* PEM covers traditional and PKCS#8 keys, encrypted or not. */
	*out = PEM_read_bio_PrivateKey(mem, NULL, pass_cb, (void *)(uintptr_t)pass);
	if (*out == NULL) {
		(void)BIO_reset(mem);
		*out = d2i_PKCS8PrivateKey_bio(mem, NULL, pass_cb, (void *)(uintptr_t)pass);
	}
	if (*out == NULL) {
		(void)BIO_reset(mem);
		rc = load_pkcs12(out, cert_out, ctx, mem, spec, pass);
		BIO_free(mem);
		if (rc == CG_ENOTFOUND)
			return cg__fail(ctx, CG_ESIG, "%s: not a PEM, PKCS#8 or PKCS#12 key, or wrong "
						      "passphrase: %s",
					spec, ossl_err(err, sizeof(err)));
		return rc;
	}
	BIO_free(mem);
	ERR_clear_error();
	return CG_OK;
}

/* One certificate, PEM or DER, from a memory BIO; @p what names it in errors. */
static cg_rc
cert_from_bio(X509 **out, cg_ctx *ctx, BIO *mem, const char *what)
{
	char err[256];

	*out = PEM_read_bio_X509(mem, NULL, NULL, NULL);
	if (*out == NULL) {
		(void)BIO_reset(mem);
		*out = d2i_X509_bio(mem, NULL);
	}
	if (*out == NULL)
		return cg__fail(ctx, CG_ESIG, "%s: not a PEM or DER certificate: %s", what,
				ossl_err(err, sizeof(err)));
	ERR_clear_error();
	return CG_OK;
}

cg_rc
cg__load_cert(X509 **out, cg_ctx *ctx, const char *path)
{
	BIO *mem;
	cg_rc rc;

	mem = read_file(ctx, path, &rc);
	if (mem == NULL)
		return rc;
	rc = cert_from_bio(out, ctx, mem, path);
	BIO_free(mem);
	return rc;
}

cg_rc
cg__parse_cert(X509 **out, cg_ctx *ctx, const void *buf, size_t len, const char *what)
{
	BIO *mem;
	cg_rc rc;

	*out = NULL;
	if (len == 0 || len > 64 * 1024)
		return cg__fail(ctx, CG_EINVAL, "%s: a certificate is 1 byte to 64 KiB", what);
	mem = BIO_new_mem_buf(buf, (int)len);
	if (mem == NULL)
		return CG_ENOMEM;
	rc = cert_from_bio(out, ctx, mem, what);
	BIO_free(mem);
	return rc;
}

void
cg__cert_serial_hex(const X509 *cert, char *out, size_t size)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	unsigned char bytes[64];
	int n, i;
	size_t pos = 0;

	out[0] = '\0';
	if (bn == NULL)
		return;
	n = BN_num_bytes(bn);
	if (n == 0) {
		/* Serial 0 (forbidden by RFC 5280, but seen): one zero byte. */
		(void)snprintf(out, size, "00");
	} else if (n <= (int)sizeof(bytes) && BN_bn2bin(bn, bytes) == n) {
		/* Whole bytes, lowercase: 0x3000000000CDE6F gives 03000000000cde6f. */
		for (i = 0; i < n && pos + 3 <= size; i++, pos += 2)
			(void)snprintf(out + pos, size - pos, "%02x", bytes[i]);
	}
	BN_free(bn);
}

int
cg__key_type(const EVP_PKEY *pkey)
{
	if (EVP_PKEY_is_a(pkey, "SM2"))
		return CG_KEY_SM2;
	if (EVP_PKEY_is_a(pkey, "EC")) {
		char group[64];
		size_t len = 0;

		/* OpenSSL 3.0 may type an SM2-curve key as EC. */
		if (EVP_PKEY_get_utf8_string_param(pkey, "group", group, sizeof(group), &len) == 1 &&
		    strcmp(group, "SM2") == 0)
			return CG_KEY_SM2;
		return -1;
	}
	if (EVP_PKEY_is_a(pkey, "RSA"))
		return CG_KEY_RSA;
	return -1;
}

static cg_rc
sign_cert(X509 *x, EVP_PKEY *pkey, int sm2)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(pkey, NULL);
	int ok = 0;

	if (mctx != NULL && pctx != NULL &&
	    (!sm2 || EVP_PKEY_CTX_set1_id(pctx, CG_SM2_ID, strlen(CG_SM2_ID)) > 0)) {
		EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
		ok = EVP_DigestSignInit(mctx, NULL, sm2 ? EVP_sm3() : EVP_sha256(), NULL, pkey) == 1 &&
		     X509_sign_ctx(x, mctx) > 0;
	}
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_CTX_free(pctx);
	return ok ? CG_OK : CG_ESIG;
}

static cg_rc
write_pem(const char *path, EVP_PKEY *pkey, X509 *x)
{
	FILE *fp = fopen(path, "w");
	int ok;

	if (fp == NULL)
		return CG_EIO;
	if (pkey != NULL)
		(void)fchmod(fileno(fp), 0600);
	ok = pkey != NULL ? PEM_write_PKCS8PrivateKey(fp, pkey, NULL, NULL, 0, NULL, NULL) == 1
			  : PEM_write_X509(fp, x) == 1;
	ok = fclose(fp) == 0 && ok;
	return ok ? CG_OK : CG_EIO;
}

cg_rc
cg_make_demo_identity(cg_ctx *ctx, int sm2, const char *common_name, unsigned long long serial,
		      int days, const char *key_path, const char *cert_path)
{
	EVP_PKEY *pkey = sm2 ? EVP_PKEY_Q_keygen(NULL, NULL, "SM2")
			     : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	X509 *x = X509_new();
	X509_NAME *name;
	cg_rc rc = CG_ESIG;

	if (pkey == NULL || x == NULL || X509_set_version(x, 2) != 1 ||
	    ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400) == NULL ||
	    X509_set_pubkey(x, pkey) != 1)
		goto out;
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)common_name,
				       -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
				       (const unsigned char *)"cebgate demo (not for declaring)", -1,
				       -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1)
		goto out;
	rc = sign_cert(x, pkey, sm2);
	if (rc == CG_OK)
		rc = write_pem(key_path, pkey, NULL);
	if (rc == CG_OK)
		rc = write_pem(cert_path, NULL, x);
out:
	EVP_PKEY_free(pkey);
	X509_free(x);
	ERR_clear_error();
	return rc == CG_OK ? CG_OK : cg__fail(ctx, rc, "cannot make the demo identity");
}

#define CERTS_KEPT 32 /* certificates a cache keeps; then the oldest makes room */

struct cg_certcache {
	CRYPTO_RWLOCK *lock;
	size_t n, next;
	struct kept {
		unsigned char *der;
		size_t len;
		X509 *cert;
	} kept[CERTS_KEPT];
};

struct cg_certcache *
cg__certcache_new(void)
{
	struct cg_certcache *c = calloc(1, sizeof(*c));

	if (c != NULL && (c->lock = CRYPTO_THREAD_lock_new()) == NULL) {
		free(c);
		c = NULL;
	}
	return c;
}

void
cg__certcache_free(struct cg_certcache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->kept[i].der);
		X509_free(c->kept[i].cert);
	}
	CRYPTO_THREAD_lock_free(c->lock);
	free(c);
}

/* A new reference to the kept certificate of @p der, or NULL. Called locked. */
static X509 *
kept_cert(struct cg_certcache *c, const unsigned char *der, size_t len)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->kept[i].len == len && memcmp(c->kept[i].der, der, len) == 0)
			return X509_up_ref(c->kept[i].cert) == 1 ? c->kept[i].cert : NULL;
	}
	return NULL;
}

/* Keep @p cert (decoded from @p der) unless another thread did meanwhile. Called locked. */
static void
keep_cert(struct cg_certcache *c, const unsigned char *der, size_t len, X509 *cert)
{
	struct kept *k;
	unsigned char *copy;
	X509 *other = kept_cert(c, der, len);

	if (other != NULL) {
		X509_free(other);
		return;
	}
	copy = malloc(len);
	if (copy == NULL || X509_up_ref(cert) != 1) {
		free(copy);
		return;
	}
	memcpy(copy, der, len);
	k = &c->kept[c->n < CERTS_KEPT ? c->n++ : c->next];
	if (k->cert != NULL) {
		/* Threads using the certificate hold references of their own. */
		free(k->der);
		X509_free(k->cert);
		c->next = (c->next + 1) % CERTS_KEPT;
	}
	k->der = copy;
	k->len = len;
	k->cert = cert;
}

X509 *
cg__certcache_get(struct cg_certcache *c, const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509 *cert = NULL;

	if (len == 0 || len > LONG_MAX)
		return NULL;
	if (c != NULL && CRYPTO_THREAD_read_lock(c->lock) == 1) {
		cert = kept_cert(c, der, len);
		CRYPTO_THREAD_unlock(c->lock);
		if (cert != NULL)
			return cert;
	}
	/* Decoded outside the lock: the other threads go on meanwhile. */
	cert = d2i_X509(NULL, &p, (long)len);
	/* Bytes after the certificate would ride along unsigned: refuse them. */
	if (cert != NULL && p != der + len) {
		X509_free(cert);
		cert = NULL;
	}
	ERR_clear_error();
	if (cert != NULL && c != NULL && CRYPTO_THREAD_write_lock(c->lock) == 1) {
		keep_cert(c, der, len, cert);
		CRYPTO_THREAD_unlock(c->lock);
	}
	return cert;
}
