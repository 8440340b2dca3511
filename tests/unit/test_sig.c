/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the signature core (sigcore.c, keys.c, sigcheck.c) and the public signing
 * API (sig.h): digests, SM2, serials, profiles and URIs, canonical forms (ceb-spec §6.3),
 * and sign/verify round trips in memory with keys made here with OpenSSL's EVP API.
 * Tests marked "Regression test" guard fixes of defects found in review (the comment
 * above each says what went wrong).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include "cebgate/cebgate.h"
#include "cebgate/sig.h"
#include "sig/sigcheck.h"
#include "sig/sigcore.h"
#include "sig/signkey.h"
#include "util/xml.h"

#define NS_CEB "http://www.chinaport.gov.cn/ceb"
#define NS_XSI "http://www.w3.org/2001/XMLSchema-instance"

struct identity {
	EVP_PKEY *pkey;
	X509 *cert;
	char key[160];  /* PKCS#8 PEM */
	char cert_path[160];
};

struct fixture {
	char tmpdir[64];
	cg_ctx *ctx;
	struct identity rsa, sm2, rsa_other;
	char *inventory; /* samples/xml/unsigned/CEB621-inventory.xml */
	size_t inventory_len;
	char *order;
	size_t order_len;
};

static struct fixture *fx;

#define assert_prefix(s, prefix) assert_int_equal(strncmp((s), (prefix), strlen(prefix)), 0)

static const char *
srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s != NULL && *s != '\0' ? s : CG_ABS_SRCDIR;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
		fclose(fp);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	if (buf != NULL) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

static char *
read_sample(const char *name, size_t *len)
{
	char path[1024];

	(void)snprintf(path, sizeof(path), "%s/samples/xml/unsigned/%s", srcdir(), name);
	return read_file(path, len);
}

/* Sign a certificate the way the China E-Port CA does for SM2 (SM3, default user id). */
static int
sign_x509(X509 *x, EVP_PKEY *signer, int sm2)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(signer, NULL);
	int ok = 0;

	if (mctx != NULL && pctx != NULL &&
	    (!sm2 || EVP_PKEY_CTX_set1_id(pctx, CG_SM2_ID, strlen(CG_SM2_ID)) > 0)) {
		EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
		ok = EVP_DigestSignInit(mctx, NULL, sm2 ? EVP_sm3() : EVP_sha256(), NULL, signer) == 1 &&
		     X509_sign_ctx(x, mctx) > 0;
	}
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_CTX_free(pctx);
	return ok;
}

/* A self-signed certificate for @p pkey with serial @p serial_hex, valid from now+nb to now+na seconds. */
static X509 *
make_cert(EVP_PKEY *pkey, const char *serial_hex, long nb, long na, const char *cn)
{
	X509 *x = X509_new();
	BIGNUM *bn = NULL;
	X509_NAME *name;
	int sm2 = cg__key_type(pkey) == CG_KEY_SM2;

	if (x == NULL || BN_hex2bn(&bn, serial_hex) == 0 || X509_set_version(x, 2) != 1 ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    X509_gmtime_adj(X509_getm_notBefore(x), nb) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), na) == NULL || X509_set_pubkey(x, pkey) != 1)
		goto fail;
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
				       0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 || !sign_x509(x, pkey, sm2))
		goto fail;
	BN_free(bn);
	return x;
fail:
	BN_free(bn);
	X509_free(x);
	return NULL;
}

static int
write_pem(const char *path, EVP_PKEY *pkey, X509 *x, const EVP_CIPHER *enc, const char *pass)
{
	FILE *fp = fopen(path, "w");
	int ok;

	if (fp == NULL)
		return 0;
	ok = pkey != NULL ? PEM_write_PKCS8PrivateKey(fp, pkey, enc, NULL, 0, NULL, (void *)pass) == 1
			  : PEM_write_X509(fp, x) == 1;
	return fclose(fp) == 0 && ok;
}

static int
make_identity(struct identity *id, const char *dir, const char *name, int sm2, const char *serial)
{
	id->pkey = sm2 ? EVP_PKEY_Q_keygen(NULL, NULL, "SM2")
		       : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (id->pkey == NULL)
		return 0;
	id->cert = make_cert(id->pkey, serial, -3600, 365L * 86400, name);
	(void)snprintf(id->key, sizeof(id->key), "%s/%s.key", dir, name);
	(void)snprintf(id->cert_path, sizeof(id->cert_path), "%s/%s.crt", dir, name);
	return id->cert != NULL && write_pem(id->key, id->pkey, NULL, NULL, NULL) &&
	       write_pem(id->cert_path, NULL, id->cert, NULL, NULL);
}

static void
drop_identity(struct identity *id)
{
	EVP_PKEY_free(id->pkey);
	X509_free(id->cert);
}

static int
group_setup(void **state)
{
	static struct fixture f;

	if (setenv("CEBGATE_DATADIR", srcdir(), 1) != 0 || cg_global_init() != CG_OK ||
	    cg_ctx_new(&f.ctx) != CG_OK)
		return -1;
	strcpy(f.tmpdir, "/tmp/cg-test-sig.XXXXXX");
	if (mkdtemp(f.tmpdir) == NULL)
		return -1;
	if (!make_identity(&f.rsa, f.tmpdir, "rsa", 0, "01691FE9") ||
	    !make_identity(&f.sm2, f.tmpdir, "sm2", 1, "3000000000CDE6F") ||
	    !make_identity(&f.rsa_other, f.tmpdir, "rsa-other", 0, "01691FE9"))
		return -1;
	f.inventory = read_sample("CEB621-inventory.xml", &f.inventory_len);
	f.order = read_sample("CEB311-order.xml", &f.order_len);
	if (f.inventory == NULL || f.order == NULL)
		return -1;
	fx = &f;
	*state = &f;
	return 0;
}

static int
group_teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	drop_identity(&f->rsa);
	drop_identity(&f->sm2);
	drop_identity(&f->rsa_other);
	free(f->inventory);
	free(f->order);
	cg_ctx_free(f->ctx);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->tmpdir);
	if (system(cmd) != 0)
		return -1;
	cg_global_shutdown();
	return 0;
}

static void
hex(const unsigned char *d, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", d[i]);
	out[2 * n] = '\0';
}

static void
assert_digest(const EVP_MD *md, const char *data, size_t len, const char *want)
{
	unsigned char out[EVP_MAX_MD_SIZE];
	char h[2 * EVP_MAX_MD_SIZE + 1];
	unsigned n = cg__digest(md, data, len, out);

	assert_int_equal(n, strlen(want) / 2);
	hex(out, n, h);
	assert_string_equal(h, want);
}

/* ------------------------------------------------------------------ digests */

static void
test_sm3_kat(void **state)
{
	char block[65];
	int i;

	(void)state;
	/* GB/T 32905-2016 appendix A, examples 1 and 2. */
	assert_digest(EVP_sm3(), "abc", 3,
		      "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
	for (i = 0; i < 16; i++)
		memcpy(block + 4 * i, "abcd", 4);
	assert_digest(EVP_sm3(), block, 64,
		      "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
	assert_ptr_equal(cg__md_by_name("sm3"), EVP_sm3());
}

static void
test_sha_kat(void **state)
{
	(void)state;
	assert_digest(EVP_sha1(), "abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
	assert_digest(EVP_sha256(), "abc", 3,
		      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_digest(EVP_sha256(), "", 0,
		      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_digest(cg__md_by_name("sha1"),
		      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		      "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	assert_ptr_equal(cg__md_by_name("sha256"), EVP_sha256());
	assert_null(cg__md_by_name("md5"));
	assert_null(cg__md_by_name(NULL));
}

static void
test_base64(void **state)
{
	char *s;
	unsigned char *raw = NULL;
	size_t len = 0;

	(void)state;
	s = cg__base64((const unsigned char *)"abc", 3);
	assert_string_equal(s, "YWJj");
	free(s);
	s = cg__base64((const unsigned char *)"ab", 2);
	assert_string_equal(s, "YWI=");
	free(s);
	s = cg__base64((const unsigned char *)"", 0);
	assert_string_equal(s, "");
	free(s);
	/* Java-style line ends inside the value are tolerated (security.md). */
	assert_int_equal(cg__base64_decode(&raw, &len, "YW\r\nJj\n"), CG_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(raw, "abc", 3);
	free(raw);
	assert_int_equal(cg__base64_decode(&raw, &len, "YWI="), CG_OK);
	assert_int_equal(len, 2);
	free(raw);
	assert_int_not_equal(cg__base64_decode(&raw, &len, "YWJ"), CG_OK);
	assert_int_not_equal(cg__base64_decode(&raw, &len, ""), CG_OK);
}

/* ------------------------------------------------------------------ profiles and URIs */

static void
test_digest_for_uri(void **state)
{
	(void)state;
	assert_string_equal(cg__digest_for_uri(NULL, "http://www.w3.org/2000/09/xmldsig#sha1"), "sha1");
	assert_string_equal(cg__digest_for_uri(NULL, "http://www.w3.org/2001/04/xmlenc#sha256"), "sha256");
	assert_string_equal(cg__digest_for_uri(NULL, "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"), "sm3");
	/* The S9 variant (ceb-spec §6.4). */
	assert_string_equal(cg__digest_for_uri(NULL, "http://www.w3.org/2000/09/xmldsig#sm3"), "sm3");
	assert_null(cg__digest_for_uri(NULL, "http://www.w3.org/2001/04/xmldsig-more#md5"));
	assert_null(cg__digest_for_uri(NULL, "http://www.w3.org/2000/09/xmldsig#SHA1"));
	assert_null(cg__digest_for_uri(NULL, ""));
	assert_null(cg__digest_for_uri(NULL, NULL));
}

static void
test_profile_for_uri(void **state)
{
	struct cg_sigprofile p[CG_PROFILE_COUNT];

	(void)state;
	assert_int_equal(cg__profiles_load(p, fx->ctx, NULL), CG_OK);
	assert_string_equal(p[CG_PROFILE_SM2_SM3].name, "sm2-sm3");
	assert_string_equal(p[CG_PROFILE_SM2_SM3].sig_uri,
			    "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3");
	assert_string_equal(p[CG_PROFILE_SM2_SM3].digest_uri,
			    "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3");
	assert_string_equal(p[CG_PROFILE_RSA_SHA1].sig_uri, "http://www.w3.org/2000/09/xmldsig#rsa-sha1");
	assert_string_equal(p[CG_PROFILE_RSA_SHA1].digest_uri, "http://www.w3.org/2000/09/xmldsig#sha1");
	assert_int_equal(p[CG_PROFILE_RSA_SHA1].key, CG_KEY_RSA);
	assert_int_equal(p[CG_PROFILE_SM2_SM3].key, CG_KEY_SM2);
	assert_int_equal(cg__profile_for_uri(p, "http://www.w3.org/2000/09/xmldsig#rsa-sha1"),
			 CG_PROFILE_RSA_SHA1);
	assert_int_equal(cg__profile_for_uri(p, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"),
			 CG_PROFILE_RSA_SHA256);
	assert_int_equal(cg__profile_for_uri(p, "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"),
			 CG_PROFILE_SM2_SM3);
	/* The w3.org alias the UKey SDK (S9) writes. */
	assert_int_equal(cg__profile_for_uri(p, "http://www.w3.org/2000/09/xmldsig#sm2-sm3"),
			 CG_PROFILE_SM2_SM3);
	assert_int_equal(cg__profile_for_uri(p, "http://www.w3.org/2000/09/xmldsig#hmac-sha1"), -1);
	assert_int_equal(cg__profile_for_uri(p, "http://www.w3.org/2000/09/xmldsig#dsa-sha1"), -1);
	assert_int_equal(cg__profile_for_uri(p, ""), -1);
	assert_int_equal(cg__profile_for_uri(p, NULL), -1);
}

static void
write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void
test_profiles_load_override(void **state)
{
	struct cg_sigprofile p[CG_PROFILE_COUNT];
	char path[256];

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/uris.conf", fx->tmpdir);
	write_text(path, "# URIs agreed in joint testing\n"
			 "\n"
			 "[sm2-sm3]\n"
			 "  signature = http://www.w3.org/2000/09/xmldsig#sm2-sm3  \n"
			 "digest=http://www.w3.org/2000/09/xmldsig#sm3\r\n"
			 "[rsa-sha256]\n"
			 "digest = urn:example:sha256\n");
	assert_int_equal(cg__profiles_load(p, fx->ctx, path), CG_OK);
	assert_string_equal(p[CG_PROFILE_SM2_SM3].sig_uri, "http://www.w3.org/2000/09/xmldsig#sm2-sm3");
	assert_string_equal(p[CG_PROFILE_SM2_SM3].digest_uri, "http://www.w3.org/2000/09/xmldsig#sm3");
	assert_string_equal(p[CG_PROFILE_RSA_SHA256].digest_uri, "urn:example:sha256");
	/* Untouched: the defaults. */
	assert_string_equal(p[CG_PROFILE_RSA_SHA256].sig_uri,
			    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
	assert_string_equal(p[CG_PROFILE_RSA_SHA1].sig_uri, "http://www.w3.org/2000/09/xmldsig#rsa-sha1");
	assert_int_equal(cg__profile_for_uri(p, "http://www.w3.org/2000/09/xmldsig#sm2-sm3"),
			 CG_PROFILE_SM2_SM3);
	/* The replaced default URI of the profile is no longer its name. */
	assert_int_equal(cg__profile_for_uri(p, "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"), -1);

	write_text(path, "signature = urn:x\n");
	assert_int_equal(cg__profiles_load(p, fx->ctx, path), CG_EPARSE);
	write_text(path, "[no-such-profile]\nsignature = urn:x\n");
	assert_int_equal(cg__profiles_load(p, fx->ctx, path), CG_EPARSE);
	write_text(path, "[rsa-sha1]\njust text\n");
	assert_int_equal(cg__profiles_load(p, fx->ctx, path), CG_EPARSE);
	/* A misspelt key, an empty URI, one too long, and the last line without its newline. */
	write_text(path, "[sm2-sm3]\ndigets = urn:x\n");
	assert_int_equal(cg__profiles_load(p, fx->ctx, path), CG_EPARSE);
	write_text(path, "[sm2-sm3]\nsignature =\n");
	assert_int_equal(cg__profiles_load(p, fx->ctx, path), CG_EPARSE);
	write_text(path, "[sm2-sm3]\nsignature = urn:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
	assert_int_equal(cg__profiles_load(p, fx->ctx, path), CG_EPARSE);
	write_text(path, "[sm2-sm3]\nsignature = urn:x\n[nosuch]");
	assert_int_equal(cg__profiles_load(p, fx->ctx, path), CG_EPARSE);
	write_text(path, "[sm2-sm3]\nsignature = urn:x");
	assert_int_equal(cg__profiles_load(p, fx->ctx, path), CG_OK);
	assert_string_equal(p[CG_PROFILE_SM2_SM3].sig_uri, "urn:x");
	assert_int_equal(cg__profile_default_for_uri("http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"),
			 CG_PROFILE_SM2_SM3);
	assert_int_equal(cg__profile_default_for_uri("urn:x"), -1);
	(void)snprintf(path, sizeof(path), "%s/does-not-exist.conf", fx->tmpdir);
	assert_int_equal(cg__profiles_load(p, fx->ctx, path), CG_EIO);
}

static void
test_key_type(void **state)
{
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	(void)state;
	assert_non_null(ec);
	assert_int_equal(cg__key_type(fx->rsa.pkey), CG_KEY_RSA);
	assert_int_equal(cg__key_type(fx->sm2.pkey), CG_KEY_SM2);
	assert_int_equal(cg__key_type(ec), -1);
	EVP_PKEY_free(ec);
}

/* ------------------------------------------------------------------ SM2 and RSA primitives */

static const char msg[] = "<ds:SignedInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"></ds:SignedInfo>";

static void
test_sm2_raw_round_trip(void **state)
{
	unsigned char sig[160];
	size_t len = sizeof(sig);

	(void)state;
	assert_int_equal(cg__sm2_sign(fx->sm2.pkey, msg, strlen(msg), 0, sig, &len), CG_OK);
	assert_int_equal(len, 64);
	assert_int_equal(cg__sm2_verify(fx->sm2.pkey, msg, strlen(msg), sig, len, 1), 1);
	/* Tampered data, tampered signature. */
	assert_int_equal(cg__sm2_verify(fx->sm2.pkey, msg, strlen(msg) - 1, sig, len, 1), 0);
	sig[10] ^= 0x01;
	assert_int_equal(cg__sm2_verify(fx->sm2.pkey, msg, strlen(msg), sig, len, 1), 0);
}

static void
test_sm2_der_round_trip(void **state)
{
	unsigned char sig[160];
	size_t len = sizeof(sig);

	(void)state;
	assert_int_equal(cg__sm2_sign(fx->sm2.pkey, msg, strlen(msg), 1, sig, &len), CG_OK);
	assert_int_equal(sig[0], 0x30);
	assert_in_range(len, 68, 72);
	assert_int_equal(sig[1], len - 2);
	assert_int_equal(cg__sm2_verify(fx->sm2.pkey, msg, strlen(msg), sig, len, 1), 1);
	assert_int_equal(cg__sm2_verify(fx->sm2.pkey, "x", 1, sig, len, 1), 0);
	/* A trailing byte after the DER makes it non-canonical: refused. */
	sig[len] = 0;
	assert_int_not_equal(cg__sm2_verify(fx->sm2.pkey, msg, strlen(msg), sig, len + 1, 1), 1);
	/* 64 bytes of nothing: not a valid r||s. */
	memset(sig, 0, 64);
	assert_int_not_equal(cg__sm2_verify(fx->sm2.pkey, msg, strlen(msg), sig, 64, 1), 1);
	/* Neither 64 bytes nor DER. */
	memset(sig, 0x5a, 50);
	assert_int_not_equal(cg__sm2_verify(fx->sm2.pkey, msg, strlen(msg), sig, 50, 1), 1);
}

static void
test_sm2_user_id(void **state)
{
	unsigned char sig[160];
	size_t len = sizeof(sig);
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();

	(void)state;
	/* Signed with the default id 1234567812345678: verifying without it (OpenSSL 3 then uses
	 * an empty id for Z) fails. */
	assert_int_equal(cg__sm2_sign(fx->sm2.pkey, msg, strlen(msg), 0, sig, &len), CG_OK);
	assert_int_equal(cg__sm2_verify(fx->sm2.pkey, msg, strlen(msg), sig, len, 0), 0);
	/* Signed without an id: verifies only with use_default_id = 0 (the verifier's diagnosis). */
	len = sizeof(sig);
	assert_non_null(mctx);
	assert_int_equal(EVP_DigestSignInit(mctx, NULL, EVP_sm3(), NULL, fx->sm2.pkey), 1);
	assert_int_equal(EVP_DigestSign(mctx, sig, &len, (const unsigned char *)msg, strlen(msg)), 1);
	EVP_MD_CTX_free(mctx);
	assert_int_equal(cg__sm2_verify(fx->sm2.pkey, msg, strlen(msg), sig, len, 1), 0);
	assert_int_equal(cg__sm2_verify(fx->sm2.pkey, msg, strlen(msg), sig, len, 0), 1);
}

static void
test_sm2_other_key(void **state)
{
	EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
	unsigned char sig[160];
	size_t len = sizeof(sig);

	(void)state;
	assert_non_null(other);
	assert_int_equal(cg__sm2_sign(other, msg, strlen(msg), 0, sig, &len), CG_OK);
	assert_int_equal(cg__sm2_verify(fx->sm2.pkey, msg, strlen(msg), sig, len, 1), 0);
	assert_int_equal(cg__sm2_verify(other, msg, strlen(msg), sig, len, 1), 1);
	EVP_PKEY_free(other);
}

static void
test_rsa_verify(void **state)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	unsigned char sig[512];
	size_t len = sizeof(sig);

	(void)state;
	assert_int_equal(EVP_DigestSignInit(mctx, NULL, EVP_sha1(), NULL, fx->rsa.pkey), 1);
	assert_int_equal(EVP_DigestSign(mctx, sig, &len, (const unsigned char *)msg, strlen(msg)), 1);
	EVP_MD_CTX_free(mctx);
	assert_int_equal(len, 256);
	assert_int_equal(cg__rsa_verify(fx->rsa.pkey, EVP_sha1(), msg, strlen(msg), sig, len), 1);
	assert_int_equal(cg__rsa_verify(fx->rsa.pkey, EVP_sha256(), msg, strlen(msg), sig, len), 0);
	assert_int_equal(cg__rsa_verify(fx->rsa_other.pkey, EVP_sha1(), msg, strlen(msg), sig, len), 0);
	sig[0] ^= 0x80;
	assert_int_equal(cg__rsa_verify(fx->rsa.pkey, EVP_sha1(), msg, strlen(msg), sig, len), 0);
}

/* ------------------------------------------------------------------ serials */

static void
serial_of(const char *serial_hex, char *out, size_t size)
{
	X509 *x = make_cert(fx->rsa.pkey, serial_hex, 0, 86400, "serial");

	assert_non_null(x);
	cg__cert_serial_hex(x, out, size);
	X509_free(x);
}

static void
test_cert_serial_hex(void **state)
{
	char s[80];

	(void)state;
	/* The two serials observed in the field (ceb-spec §6.3 item 5). */
	serial_of("01691FE9", s, sizeof(s));
	assert_string_equal(s, "01691fe9");
	serial_of("3000000000CDE6F", s, sizeof(s));
	assert_string_equal(s, "03000000000cde6f");
	serial_of("5", s, sizeof(s));
	assert_string_equal(s, "05");
	/* 0x80: DER stores 00 80 (a sign byte), but the number itself is one whole byte. The spec
	 * asks for the serial "zero-padded to whole bytes", which is 80 (openssl x509 -serial and
	 * Java BigInteger agree); the sign byte is an encoding detail, not part of the number. */
	serial_of("80", s, sizeof(s));
	assert_string_equal(s, "80");
	serial_of("FF00", s, sizeof(s));
	assert_string_equal(s, "ff00");
	/* 20 octets, the most RFC 5280 allows. */
	serial_of("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", s, sizeof(s));
	assert_string_equal(s, "7fffffffffffffffffffffffffffffffffffffff");
	/* A buffer too small never overflows and holds whole bytes only. */
	serial_of("3000000000CDE6F", s, 6);
	assert_string_equal(s, "0300");
}

/*
 * Regression test: serial 0 gives an empty string, so the signer writes an empty KeyName (which
 * the spec makes mandatory) and the verifier then accepts the empty KeyName as the serial.
 * "Zero-padded to whole bytes" gives "00". (RFC 5280 wants positive serials, but OpenSSL
 * issues and parses serial 0.)
 */
static void
test_cert_serial_zero(void **state)
{
	char s[80];

	(void)state;
	serial_of("0", s, sizeof(s));
	assert_string_equal(s, "00");
}

/* ------------------------------------------------------------------ canonical forms */

static xmlDocPtr
parse(const char *xml, size_t len)
{
	cg_findings *f = NULL;
	xmlDocPtr doc = NULL;

	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(cg__xml_parse(&doc, fx->ctx, xml, len, "test", f), CG_OK);
	cg_findings_free(f);
	return doc;
}

static xmlNodePtr
find(xmlNodePtr n, const char *ns, const char *name)
{
	xmlNodePtr c, hit;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (cg__xml_is(n, ns, name))
			return n;
		for (c = n->children; c != NULL; c = c->next) {
			hit = find(c, ns, name);
			if (hit != NULL)
				return hit;
		}
	}
	return NULL;
}

static cg_signer *
signer(const struct identity *id, const char *profile, int der, const char *uris)
{
	cg_sign_options o = CG_SIGN_OPTIONS_INIT;
	cg_signer *s = NULL;

	o.key = id->key;
	o.cert = id->cert_path;
	o.profile = profile;
	o.sm2_der = der;
	o.uris = uris;
	assert_int_equal(cg_signer_new(&s, fx->ctx, &o), CG_OK);
	return s;
}

static char *
sign(cg_signer *s, const char *xml, size_t len, size_t *outlen)
{
	char *out = NULL;
	cg_rc rc = cg_sign_buffer(s, fx->ctx, xml, len, &out, outlen);

	if (rc != CG_OK)
		print_error("cg_sign_buffer: %s: %s\n", cg_strerror(rc), cg_ctx_errmsg(fx->ctx));
	assert_int_equal(rc, CG_OK);
	assert_non_null(out);
	return out;
}

/* The canonical SignedInfo of a signed message, in the context of its document. */
static char *
signed_info_c14n(const char *xml, size_t len)
{
	xmlDocPtr doc = parse(xml, len);
	xmlNodePtr si = find(xmlDocGetRootElement(doc), CG_NS_DS, "SignedInfo");
	cg_buf b = CG_BUF_INIT(0);

	assert_non_null(si);
	assert_int_equal(cg__c14n_subtree(doc, si, &b), CG_OK);
	assert_int_equal(cg_buf_cstr(&b), CG_OK);
	xmlFreeDoc(doc);
	return cg_buf_detach(&b);
}

static void
test_c14n_signedinfo_in_context(void **state)
{
	cg_signer *s = signer(&fx->sm2, NULL, 0, NULL);
	size_t len = 0;
	char *out = sign(s, fx->inventory, fx->inventory_len, &len);
	char *c = signed_info_c14n(out, len);

	(void)state;
	/* ceb-spec §6.3 item 3: every in-scope namespace lands on the apex, sorted by prefix. */
	assert_prefix(c, "<ds:SignedInfo xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\" "
			 "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" "
			 "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">");
	/* Empty elements as start + end tag; nothing of the document outside SignedInfo. */
	assert_non_null(strstr(c, "<ds:CanonicalizationMethod Algorithm=\"" CG_URI_C14N
				  "\"></ds:CanonicalizationMethod>"));
	assert_null(strstr(c, "/>"));
	assert_null(strstr(c, "ceb:Inventory"));
	assert_null(strstr(c, "SignatureValue"));
	assert_true(strlen(c) > strlen("</ds:SignedInfo>"));
	assert_string_equal(c + strlen(c) - strlen("</ds:SignedInfo>"), "</ds:SignedInfo>");
	/* These are exactly the bytes the SM2 SignatureValue signs. */
	{
		char *b64 = strstr(out, "<ds:SignatureValue>"), *end;
		unsigned char *value = NULL;
		size_t vlen = 0;

		assert_non_null(b64);
		b64 += strlen("<ds:SignatureValue>");
		end = strchr(b64, '<');
		*end = '\0';
		assert_int_equal(cg__base64_decode(&value, &vlen, b64), CG_OK);
		*end = '<';
		assert_int_equal(vlen, 64);
		assert_int_equal(cg__sm2_verify(fx->sm2.pkey, c, strlen(c), value, vlen, 1), 1);
		assert_int_equal(cg__sm2_verify(fx->sm2.pkey, c, strlen(c) - 1, value, vlen, 1), 0);
		free(value);
	}
	free(c);
	cg_free(out);
	cg_signer_free(s);
}

static void
test_c14n_signedinfo_namespaces_from_document(void **state)
{
	static const char only_ceb[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<ceb:CEB311Message xmlns:ceb=\"" NS_CEB "\" guid=\"g\" version=\"1.0\">"
		"<ceb:Order><ceb:OrderHead><ceb:orderNo>1</ceb:orderNo></ceb:OrderHead></ceb:Order>"
		"</ceb:CEB311Message>\n";
	static const char default_ns[] =
		"<CEB311Message xmlns=\"" NS_CEB "\" xmlns:xsi=\"" NS_XSI "\" guid=\"g\" version=\"1.0\">"
		"<Order><OrderHead><orderNo>1</orderNo></OrderHead></Order></CEB311Message>";
	cg_signer *s = signer(&fx->sm2, NULL, 0, NULL);
	cg_verifier *v = NULL;
	cg_verify_options vo = CG_VERIFY_OPTIONS_INIT;
	cg_verify_result res;
	cg_findings *f = NULL;
	size_t len = 0;
	char *out, *c;

	(void)state;
	assert_int_equal(cg_verifier_new(&v, fx->ctx, &vo), CG_OK);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	/* Computed from the real document, not hard-coded (S8 and S9 hard-code ceb, ds, xsi). */
	out = sign(s, only_ceb, strlen(only_ceb), &len);
	c = signed_info_c14n(out, len);
	assert_prefix(c, "<ds:SignedInfo xmlns:ceb=\"" NS_CEB "\" xmlns:ds=\"" CG_NS_DS "\">");
	assert_int_equal(cg_verify_buffer(v, fx->ctx, out, len, "only-ceb", f, &res), CG_OK);
	assert_true(res.valid);
	free(c);
	cg_free(out);
	/* A default namespace on the root is in scope of SignedInfo too. */
	out = sign(s, default_ns, strlen(default_ns), &len);
	c = signed_info_c14n(out, len);
	assert_prefix(c, "<ds:SignedInfo xmlns=\"" NS_CEB "\" xmlns:ds=\"" CG_NS_DS "\" xmlns:xsi=\"" NS_XSI "\">");
	assert_int_equal(cg_verify_buffer(v, fx->ctx, out, len, "default-ns", f, &res), CG_OK);
	assert_true(res.valid);
	assert_int_equal(cg_findings_count(f), 0);
	free(c);
	cg_free(out);
	cg_findings_free(f);
	cg_verifier_free(v);
	cg_signer_free(s);
}

static void
c14n_of(const char *xml, size_t len, int comments, int exclusive, cg_buf *b)
{
	xmlDocPtr doc = parse(xml, len);

	assert_int_equal(cg__c14n_document(doc, NULL, comments, exclusive, b), CG_OK);
	xmlFreeDoc(doc);
}

static void
test_c14n_document_without_signature(void **state)
{
	cg_signer *s = signer(&fx->rsa, "rsa-sha256", 0, NULL);
	size_t len = 0;
	char *out = sign(s, fx->inventory, fx->inventory_len, &len);
	xmlDocPtr doc = parse(out, len);
	xmlNodePtr sig = find(xmlDocGetRootElement(doc), CG_NS_DS, "Signature");
	cg_buf enveloped = CG_BUF_INIT(0), unsigned_c14n = CG_BUF_INIT(0), whole = CG_BUF_INIT(0);
	unsigned char md[EVP_MAX_MD_SIZE];
	xmlChar *dv;
	char *b64;

	(void)state;
	assert_non_null(sig);
	assert_int_equal(cg__c14n_document(doc, sig, 0, 0, &enveloped), CG_OK);
	c14n_of(fx->inventory, fx->inventory_len, 0, 0, &unsigned_c14n);
	/* The enveloped transform: the signed document without its Signature is the unsigned one. */
	assert_int_equal(enveloped.len, unsigned_c14n.len);
	assert_memory_equal(enveloped.ptr, unsigned_c14n.ptr, enveloped.len);
	/* C14N facts of ceb-spec §6.3 item 2: no XML declaration, LF, UTF-8, namespaces first. */
	assert_int_equal(cg_buf_cstr(&enveloped), CG_OK);
	assert_prefix(enveloped.ptr, "<ceb:CEB621Message xmlns:ceb=\"" NS_CEB "\" xmlns:xsi=\"" NS_XSI "\" guid=");
	assert_null(memchr(enveloped.ptr, '\r', enveloped.len));
	/* And its SHA-256 is the DigestValue the signer wrote. */
	dv = xmlNodeGetContent(find(sig, CG_NS_DS, "DigestValue"));
	b64 = cg__base64(md, cg__digest(EVP_sha256(), enveloped.ptr, enveloped.len, md));
	assert_string_equal((const char *)dv, b64);
	/* Without the exclusion the Signature is in the canonical form. */
	assert_int_equal(cg__c14n_document(doc, NULL, 0, 0, &whole), CG_OK);
	assert_true(whole.len > enveloped.len);
	assert_int_equal(cg_buf_cstr(&whole), CG_OK);
	assert_non_null(strstr(whole.ptr, "<ds:Signature xmlns:ds="));
	free(b64);
	xmlFree(dv);
	cg_buf_dispose(&enveloped);
	cg_buf_dispose(&unsigned_c14n);
	cg_buf_dispose(&whole);
	xmlFreeDoc(doc);
	cg_free(out);
	cg_signer_free(s);
}

static void
test_c14n_comments_and_exclusive(void **state)
{
	static const char doc[] = "<?xml version=\"1.0\"?>\r\n"
				  "<ceb:CEB311Message xmlns:ceb=\"" NS_CEB "\" xmlns:xsi=\"" NS_XSI "\" b='2' a=\"1\">"
				  "<!-- c --><ceb:x/>\r\n</ceb:CEB311Message>";
	cg_buf b = CG_BUF_INIT(0);

	(void)state;
	c14n_of(doc, strlen(doc), 0, 0, &b);
	assert_int_equal(cg_buf_cstr(&b), CG_OK);
	assert_string_equal(b.ptr, "<ceb:CEB311Message xmlns:ceb=\"" NS_CEB "\" xmlns:xsi=\"" NS_XSI
				   "\" a=\"1\" b=\"2\"><ceb:x></ceb:x>\n</ceb:CEB311Message>");
	b.len = 0;
	c14n_of(doc, strlen(doc), 1, 0, &b);
	assert_int_equal(cg_buf_cstr(&b), CG_OK);
	assert_non_null(strstr(b.ptr, "<!-- c -->"));
	/* Exclusive C14N drops the unused xsi declaration: a different digest. */
	b.len = 0;
	c14n_of(doc, strlen(doc), 0, 1, &b);
	assert_int_equal(cg_buf_cstr(&b), CG_OK);
	assert_null(strstr(b.ptr, "xmlns:xsi"));
	cg_buf_dispose(&b);
}

/* ------------------------------------------------------------------ the public API */

static cg_verifier *
verifier(const char *ca, const char *pin_cert, const char *pin_serial, time_t now)
{
	cg_verify_options vo = CG_VERIFY_OPTIONS_INIT;
	cg_verifier *v = NULL;

	vo.ca_file = ca;
	vo.pinned_cert = pin_cert;
	vo.pinned_serial = pin_serial;
	vo.now = now;
	assert_int_equal(cg_verifier_new(&v, fx->ctx, &vo), CG_OK);
	return v;
}

/* Verify; return the code of the first finding ("" when there is none). */
static const char *
verify_code(cg_verifier *v, const char *xml, size_t len, cg_findings *f, cg_verify_result *res)
{
	cg_findings_clear(f);
	assert_int_equal(cg_verify_buffer(v, fx->ctx, xml, len, "mem", f, res), CG_OK);
	return cg_findings_count(f) > 0 ? cg_findings_get(f, 0)->code : "";
}

static const cg_verify_step *
step_named(const cg_verify_result *res, const char *name)
{
	size_t i;

	for (i = 0; i < res->nsteps; i++) {
		if (strcmp(res->steps[i].name, name) == 0)
			return &res->steps[i];
	}
	return NULL;
}

static void
round_trip(const struct identity *id, const char *profile, int der, const char *want_profile,
	   const char *want_digest, const char *want_serial, size_t want_digest_b64)
{
	cg_signer *s = signer(id, profile, der, NULL);
	cg_verifier *v = verifier(NULL, NULL, NULL, 0);
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_findings *f = NULL;
	size_t len = 0, i;
	char *out;

	assert_non_null(res);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_string_equal(cg_signer_profile(s), want_profile);
	assert_string_equal(cg_signer_keyname(s), want_serial);
	out = sign(s, fx->inventory, fx->inventory_len, &len);
	assert_string_equal(verify_code(v, out, len, f, res), "");
	assert_true(res->valid);
	assert_string_equal(res->profile, want_profile);
	assert_string_equal(res->digest_method, want_digest);
	assert_string_equal(res->serial, want_serial);
	assert_string_equal(res->keyname, want_serial);
	assert_non_null(strstr(res->subject, "CN="));
	assert_true(res->not_before[0] != '\0' && res->not_after[0] != '\0');
	assert_string_equal(res->digest_claimed, res->digest_computed);
	assert_int_equal(strlen(res->digest_claimed), want_digest_b64);
	assert_int_equal(strlen(res->canonical_sha256), 64);
	assert_true(res->nsteps >= 6);
	for (i = 0; i < res->nsteps; i++) {
		assert_non_null(res->steps[i].name);
		assert_true(res->steps[i].ok);
		assert_true(res->steps[i].detail[0] != '\0');
	}
	assert_non_null(step_named(res, "placement"));
	assert_non_null(step_named(res, "digest"));
	assert_non_null(step_named(res, "signature value"));
	assert_non_null(step_named(res, "key name"));
	/* The same bytes with one value changed: CG3014 and the result says both digests. */
	{
		char *p = strstr(out, "<ceb:freight>10.00<");

		assert_non_null(p);
		p[strlen("<ceb:freight>1")] = '9';
		assert_string_equal(verify_code(v, out, len, f, res), "CG3014");
		assert_false(res->valid);
		assert_string_not_equal(res->digest_claimed, res->digest_computed);
		assert_non_null(strstr(cg_findings_get(f, 0)->message_en, "changed after signing"));
		assert_false(step_named(res, "digest")->ok);
		assert_null(step_named(res, "signature value"));
	}
	cg_free(out);
	cg_findings_free(f);
	free(res);
	cg_verifier_free(v);
	cg_signer_free(s);
}

static void
test_api_round_trip_rsa_sha1(void **state)
{
	(void)state;
	round_trip(&fx->rsa, NULL, 0, "rsa-sha1", "sha1", "01691fe9", 28);
}

static void
test_api_round_trip_rsa_sha256(void **state)
{
	(void)state;
	round_trip(&fx->rsa, "rsa-sha256", 0, "rsa-sha256", "sha256", "01691fe9", 44);
}

static void
test_api_round_trip_sm2(void **state)
{
	(void)state;
	round_trip(&fx->sm2, NULL, 0, "sm2-sm3", "sm3", "03000000000cde6f", 44);
	round_trip(&fx->sm2, "sm2-sm3", 1, "sm2-sm3", "sm3", "03000000000cde6f", 44);
}

/* One signer, one key load, 100 messages. The key file is gone after cg_signer_new(). */
static void
signer_reuse(int sm2)
{
	struct identity copy = sm2 ? fx->sm2 : fx->rsa;
	char cmd[512], *first = NULL;
	cg_signer *s;
	cg_verifier *v = verifier(NULL, copy.cert_path, NULL, 0);
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_findings *f = NULL;
	size_t len, first_len = 0;
	int i, differ = 0;

	assert_non_null(res);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	(void)snprintf(copy.key, sizeof(copy.key), "%s/reuse-%d.key", fx->tmpdir, sm2);
	(void)snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", sm2 ? fx->sm2.key : fx->rsa.key, copy.key);
	assert_int_equal(system(cmd), 0);
	s = signer(&copy, NULL, 0, NULL);
	assert_int_equal(unlink(copy.key), 0);
	for (i = 0; i < 100; i++) {
		const char *xml = i % 2 ? fx->order : fx->inventory;
		char *out = sign(s, xml, i % 2 ? fx->order_len : fx->inventory_len, &len);

		assert_string_equal(verify_code(v, out, len, f, res), "");
		assert_true(res->valid);
		if (i == 0) {
			first = out;
			first_len = len;
			continue;
		}
		if (i % 2 == 0)
			differ += len != first_len || memcmp(out, first, len) != 0;
		cg_free(out);
	}
	/* RSA PKCS#1 v1.5 is deterministic: the same key gives the same bytes every time. SM2
	 * uses a fresh k per signature: every value differs. */
	assert_int_equal(differ, sm2 ? 49 : 0);
	cg_free(first);
	cg_findings_free(f);
	free(res);
	cg_verifier_free(v);
	cg_signer_free(s);
}

static void
test_api_signer_reuse_rsa(void **state)
{
	(void)state;
	signer_reuse(0);
}

static void
test_api_signer_reuse_sm2(void **state)
{
	(void)state;
	signer_reuse(1);
}

/*
 * A fork signs with its own copy of the key after the original is gone: the
 * same RSA value (deterministic) and a valid SM2 one; a token's key is not forked.
 */
static void
fork_signs(int sm2)
{
	cg_signer *s = signer(sm2 ? &fx->sm2 : &fx->rsa, sm2 ? NULL : "rsa-sha256", 0, NULL), *k = NULL;
	cg_verifier *v = verifier(NULL, sm2 ? fx->sm2.cert_path : fx->rsa.cert_path, NULL, 0);
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_findings *f = NULL;
	size_t len = 0, klen = 0;
	char *a, *b;

	assert_non_null(res);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_true(cg_signer_forkable(s));
	assert_int_equal(cg_signer_fork(&k, fx->ctx, s), CG_OK);
	a = sign(s, fx->order, fx->order_len, &len);
	cg_signer_free(s);
	b = sign(k, fx->order, fx->order_len, &klen);
	assert_string_equal(cg_signer_profile(k), sm2 ? "sm2-sm3" : "rsa-sha256");
	assert_string_equal(verify_code(v, b, klen, f, res), "");
	assert_true(res->valid);
	if (!sm2) {
		assert_int_equal(len, klen);
		assert_memory_equal(a, b, len);
	}
	free(a);
	free(b);
	cg_signer_free(k);
	cg_verifier_free(v);
	cg_findings_free(f);
	free(res);
}

static void
test_api_signer_fork(void **state)
{
	(void)state;
	fork_signs(0);
	fork_signs(1);
}

/* Every valid declaration sample (BOM, GB18030, default namespace) signs and verifies; receipts are refused. */
static void
test_api_all_samples(void **state)
{
	char dir[1024], path[1300];
	struct dirent **list = NULL;
	cg_signer *rsa = signer(&fx->rsa, "rsa-sha256", 0, NULL), *sm2 = signer(&fx->sm2, NULL, 1, NULL);
	cg_verifier *v = verifier(NULL, NULL, NULL, 0);
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_findings *f = NULL;
	int n, i, done = 0, receipts = 0;

	(void)state;
	assert_non_null(res);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	(void)snprintf(dir, sizeof(dir), "%s/samples/xml/unsigned", srcdir());
	n = scandir(dir, &list, NULL, alphasort);
	assert_true(n > 10);
	for (i = 0; i < n; i++) {
		size_t len = 0, slen = 0;
		char *xml, *out;

		if (strstr(list[i]->d_name, ".xml") == NULL) {
			free(list[i]);
			continue;
		}
		(void)snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		xml = read_file(path, &len);
		assert_non_null(xml);
		out = NULL;
		if (cg_sign_buffer(i % 2 ? rsa : sm2, fx->ctx, xml, len, &out, &slen) != CG_OK) {
			/* The standard signs no receipt: refused with CG0201, nothing written. */
			if (strncmp(cg_ctx_errmsg(fx->ctx), "CG0201 ", 7) != 0 || out != NULL)
				fail_msg("%s: %s", list[i]->d_name, cg_ctx_errmsg(fx->ctx));
			receipts++;
			free(xml);
			free(list[i]);
			continue;
		}
		if (strcmp(verify_code(v, out, slen, f, res), "") != 0)
			fail_msg("%s: %s", list[i]->d_name, cg_findings_get(f, 0)->message_en);
		assert_true(res->valid);
		done++;
		cg_free(out);
		free(xml);
		free(list[i]);
	}
	free(list);
	assert_true(done > 10);
	assert_true(receipts > 5);
	cg_findings_free(f);
	free(res);
	cg_verifier_free(v);
	cg_signer_free(rsa);
	cg_signer_free(sm2);
}

/* @p xml with every @p from replaced by @p to (a fresh string). */
static char *
replaced(const char *xml, const char *from, const char *to, size_t *len)
{
	cg_buf b = CG_BUF_INIT(0);
	const char *p = xml, *hit;

	while ((hit = strstr(p, from)) != NULL) {
		assert_int_equal(cg_buf_append(&b, p, (size_t)(hit - p)), CG_OK);
		assert_int_equal(cg_buf_append(&b, to, strlen(to)), CG_OK);
		p = hit + strlen(from);
	}
	assert_int_equal(cg_buf_append(&b, p, strlen(p)), CG_OK);
	assert_int_equal(cg_buf_cstr(&b), CG_OK);
	*len = b.len;
	return cg_buf_detach(&b);
}

/* The text of the first @p tag ("<ds:DigestValue>") of @p xml without line breaks, copied. */
static char *
text_of(const char *xml, const char *tag)
{
	const char *p = strstr(xml, tag);
	char *t, *o;

	assert_non_null(p);
	p += strlen(tag);
	t = o = malloc(strlen(p) + 1);
	assert_non_null(t);
	for (; *p != '<' && *p != '\0'; p++) {
		if (*p != '\n' && *p != '\r')
			*o++ = *p;
	}
	*o = '\0';
	return t;
}

/*
 * The key set up once (signkey.c) gives what EVP_DigestSign gives: the same RSA
 * value (PKCS#1 v1.5 is deterministic), and SM2 values, raw and DER, that
 * OpenSSL's own EVP verification accepts over the data and refuses over other data.
 */
static void
test_signkey(void **state)
{
	static const char data[] = "<ds:SignedInfo>a message's canonical SignedInfo</ds:SignedInfo>";
	unsigned char want[512], got[512];
	size_t wlen = sizeof(want), glen = sizeof(got);
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	struct cg_signkey *k = cg__signkey_new(fx->rsa.pkey, EVP_sha256());
	int der, i;

	(void)state;
	assert_non_null(k);
	assert_int_equal(EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, fx->rsa.pkey), 1);
	assert_int_equal(EVP_DigestSign(m, want, &wlen, (const unsigned char *)data, sizeof(data)), 1);
	EVP_MD_CTX_free(m);
	/* Twice: the context initialised once signs again. */
	for (i = 0; i < 2; i++) {
		glen = sizeof(got);
		assert_int_equal(cg__signkey_sign(k, data, sizeof(data), 0, got, &glen), CG_OK);
		assert_int_equal(glen, wlen);
		assert_memory_equal(got, want, wlen);
	}
	cg__signkey_free(k);
	/* SM2 asks for SM3: with SHA-256 there is no set-up, the caller signs the old way. */
	assert_null(cg__signkey_new(fx->sm2.pkey, EVP_sha256()));
	k = cg__signkey_new(fx->sm2.pkey, EVP_sm3());
	assert_non_null(k);
	for (der = 0; der < 2; der++) {
		glen = sizeof(got);
		assert_int_equal(cg__signkey_sign(k, data, sizeof(data), der, got, &glen), CG_OK);
		if (der)
			assert_true(glen >= 8 && glen <= 72 && got[0] == 0x30);
		else
			assert_int_equal(glen, 64);
		assert_int_equal(cg__sm2_verify_evp(fx->sm2.pkey, data, sizeof(data), got, glen, 1), 1);
		assert_int_equal(cg__sm2_verify_evp(fx->sm2.pkey, data, sizeof(data) - 1, got, glen, 1), 0);
	}
	cg__signkey_free(k);
}

/* The SignatureValue of @p xml decoded: its length in bytes. */
static size_t
value_len(const char *xml)
{
	char *t = text_of(xml, "<ds:SignatureValue>");
	unsigned char raw[256];
	size_t n = strlen(t), pad = n > 0 && t[n - 1] == '=' ? 1 + (n > 1 && t[n - 2] == '=') : 0;
	int r;

	assert_true(n <= 4 * sizeof(raw) / 3);
	r = EVP_DecodeBlock(raw, (const unsigned char *)t, (int)n);
	free(t);
	assert_true(r >= 0);
	return (size_t)r - pad;
}

/*
 * SM2 values in DER have no fixed length, yet take the way that parses the
 * output once: 70, 71 and 72 bytes fill the 96-character placeholder, and a
 * value with a leading zero byte in r or s (69 bytes or fewer, about one
 * signature in 500) is shorter than it, so the bytes after it move. Each
 * length is signed until met (never forced: nonces stay OpenSSL's) and each
 * output verified by the verifier, which checks DER values through OpenSSL's
 * EVP; the message bytes before the Signature are the input's.
 */
static void
test_sign_sm2_der_lengths(void **state)
{
	cg_signer *s = signer(&fx->sm2, "sm2-sm3", 1, NULL);
	cg_verifier *v = verifier(NULL, NULL, NULL, 0);
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_findings *f = NULL;
	const char *end = strstr(fx->order, "</ceb:CEB311Message>");
	size_t at = (size_t)(end - fx->order);
	int seen[4] = { 0 }, tries; /* <= 69, 70, 71, 72 */

	(void)state;
	assert_non_null(res);
	assert_non_null(end);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	for (tries = 0; tries < 10000 && !(seen[0] && seen[1] && seen[2] && seen[3]); tries++) {
		size_t len = 0, vl;
		char *out = sign(s, fx->order, fx->order_len, &len);
		int slot;

		vl = value_len(out);
		assert_true(vl >= 8 && vl <= 72);
		slot = vl <= 69 ? 0 : (int)vl - 69;
		if (!seen[slot]) {
			seen[slot] = 1;
			assert_string_equal(verify_code(v, out, len, f, res), "");
			assert_true(res->valid);
			assert_memory_equal(out, fx->order, at);
			assert_string_equal(out + len - (fx->order_len - at), end);
			assert_int_equal(strlen(out), len);
		}
		cg_free(out);
	}
	assert_true(seen[0] && seen[1] && seen[2] && seen[3]);
	cg_findings_free(f);
	free(res);
	cg_verifier_free(v);
	cg_signer_free(s);
}

/*
 * Once a signer has its template, a message is signed without parsing the
 * input: only the output is parsed, and anything unusual falls back to the way
 * that parses the input first. Both ways must give the same bytes (RSA is
 * deterministic) or the same error: each input is signed by a fresh signer
 * (its first message parses the input) and by one that signed before.
 */
static void
test_sign_unparsed_as_parsed(void **state)
{
	static const char *const tails[][2] = {
		{ "</ceb:CEB621Message>", "</ceb:CEB621Message>\n<!-- </ceb:CEB621Message> -->\n" },
		{ "</ceb:CEB621Message>", "</ceb:CEB621Message>\n<?pi </ceb:CEB621Message>?>" },
		{ "</ceb:CEB621Message>", "</ceb:CEB621Message >\r\n\t " },
		{ "<ceb:buyerName>", "<ceb:buyerName>Signature " },
		{ "</ceb:CEB621Message>", "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/>"
					  "</ceb:CEB621Message>" },
		{ "</ceb:CEB621Message>", "</ceb:CEB621>" },
		{ "</ceb:CEB621Message>", "<x></ceb:CEB621Message>" },
		{ "</ceb:CEB621Message>", "" },
		{ "xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\"", "xmlns:ceb=\"urn:other\"" },
		{ "CEB621Message", "CEB622Message" },
	};
	cg_signer *warm = signer(&fx->rsa, "rsa-sha256", 0, NULL);
	cg_verifier *v = verifier(NULL, NULL, NULL, 0);
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_findings *f = NULL;
	size_t i, len = 0;
	char *first;

	(void)state;
	assert_non_null(res);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	first = sign(warm, fx->order, fx->order_len, &len);
	cg_free(first);
	for (i = 0; i <= sizeof(tails) / sizeof(tails[0]); i++) {
		cg_signer *cold = signer(&fx->rsa, "rsa-sha256", 0, NULL);
		size_t xlen = fx->inventory_len, clen = 0, wlen = 0;
		char *xml = i == 0 ? NULL : replaced(fx->inventory, tails[i - 1][0], tails[i - 1][1], &xlen);
		const char *in = xml != NULL ? xml : fx->inventory;
		char *cout = NULL, *wout = NULL, cerr[512];
		cg_rc crc = cg_sign_buffer(cold, fx->ctx, in, xlen, &cout, &clen), wrc;

		(void)snprintf(cerr, sizeof(cerr), "%s", crc == CG_OK ? "" : cg_ctx_errmsg(fx->ctx));
		wrc = cg_sign_buffer(warm, fx->ctx, in, xlen, &wout, &wlen);
		if (wrc != crc)
			fail_msg("input %zu: %d then %d (%s)", i, crc, wrc, cerr);
		if (crc == CG_OK) {
			assert_int_equal(wlen, clen);
			assert_memory_equal(wout, cout, clen);
			assert_string_equal(verify_code(v, wout, wlen, f, res), "");
		} else {
			assert_null(wout);
			assert_string_equal(cg_ctx_errmsg(fx->ctx), cerr);
		}
		cg_free(cout);
		cg_free(wout);
		free(xml);
		cg_signer_free(cold);
	}
	cg_findings_free(f);
	free(res);
	cg_verifier_free(v);
	cg_signer_free(warm);
}

/*
 * A UTF-8 import message is signed in its own bytes: the output is the input
 * with the Signature inserted before the root's end tag, and it verifies.
 * Each variant would fail if the Signature were put elsewhere or SignedInfo
 * canonicalized without the root's namespaces and xml: attributes.
 */
static void
test_sign_keeps_message_bytes(void **state)
{
	cg_signer *rsa = signer(&fx->rsa, "rsa-sha256", 0, NULL), *sm2 = signer(&fx->sm2, NULL, 0, NULL);
	cg_verifier *v = verifier(NULL, NULL, NULL, 0);
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_findings *f = NULL;
	size_t len[5], i;
	char *in[5], *tmp;

	(void)state;
	assert_non_null(res);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	in[0] = replaced(fx->inventory, "\n", "\n", &len[0]);
	/* The default namespace instead of the ceb: prefix. */
	tmp = replaced(fx->inventory, "xmlns:ceb=", "xmlns=", &len[1]);
	in[1] = replaced(tmp, "ceb:", "", &len[1]);
	free(tmp);
	in[2] = replaced(fx->inventory, "\n", "\r\n", &len[2]);
	/* Inherited by SignedInfo's canonical form (C14N 1.0 §2.4). */
	in[3] = replaced(fx->inventory, " version=\"1.0\" xmlns:ceb=",
			 " version=\"1.0\" xml:lang=\"zh-CN\" xmlns:ceb=", &len[3]);
	assert_int_equal(len[3], fx->inventory_len + strlen(" xml:lang=\"zh-CN\""));
	tmp = replaced(fx->inventory, "</ceb:CEB621Message>", "</ceb:CEB621Message  >", &len[4]);
	in[4] = replaced(tmp, "</ceb:CEB621Message  >\n", "</ceb:CEB621Message  >\n\t \n", &len[4]);
	free(tmp);
	for (i = 0; i < 10; i++) {
		size_t k = i / 2, olen = 0, at, end;
		char *out = sign(i % 2 ? rsa : sm2, in[k], len[k], &olen), *sig, *close;

		sig = strstr(out, "<ds:Signature ");
		close = strstr(out, "</ds:Signature>");
		assert_non_null(sig);
		assert_non_null(close);
		at = (size_t)(sig - out);
		end = (size_t)(close - out) + strlen("</ds:Signature>");
		assert_int_equal(olen, len[k] + end - at);
		assert_memory_equal(out, in[k], at);
		assert_memory_equal(out + end, in[k] + at, len[k] - at);
		assert_true(strncmp(in[k] + at, "</", 2) == 0);
		if (strcmp(verify_code(v, out, olen, f, res), "") != 0)
			fail_msg("variant %zu: %s", k, cg_findings_get(f, 0)->message_en);
		assert_true(res->valid);
		cg_free(out);
	}
	/* Control: the xml:lang variant does not verify once the attribute is gone. */
	{
		size_t olen = 0, blen = 0;
		char *out = sign(rsa, in[3], len[3], &olen);
		char *bad = replaced(out, " xml:lang=\"zh-CN\"", "", &blen);

		assert_string_equal(verify_code(v, bad, blen, f, res), "CG3014");
		free(bad);
		cg_free(out);
	}
	for (i = 0; i < 5; i++)
		free(in[i]);
	cg_findings_free(f);
	free(res);
	cg_verifier_free(v);
	cg_signer_free(rsa);
	cg_signer_free(sm2);
}

/*
 * The self-check compares SignedInfo canonicalized in the signed message with
 * the bytes that were signed: a SignedInfo signed in another namespace context
 * (one without the root's xsi declaration here) is caught.
 */
static void
test_self_check_signed_info(void **state)
{
	cg_signer *s = signer(&fx->sm2, NULL, 0, NULL);
	size_t len = 0, blen = 0;
	char *out = sign(s, fx->inventory, fx->inventory_len, &len);
	char *c = signed_info_c14n(out, len);
	char *other = replaced(c, " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"", "", &blen);

	struct cg_sigprofile p[CG_PROFILE_COUNT];

	(void)state;
	assert_int_equal(cg__profiles_load(p, fx->ctx, NULL), CG_OK);
	assert_true(blen < strlen(c));
	assert_int_equal(cg__sig_self_check(fx->ctx, out, len, p, fx->sm2.cert, 0, c, strlen(c)), CG_OK);
	assert_int_equal(cg__sig_self_check(fx->ctx, out, len, p, fx->sm2.cert, 0, other, blen), CG_ESIG);
	assert_non_null(strstr(cg_ctx_errmsg(fx->ctx), "not what was signed"));
	free(other);
	free(c);
	cg_free(out);
	cg_signer_free(s);
}

/* @p xml (UTF-8) transcoded to GB18030 with its declaration saying so. */
static char *
as_gb18030(const char *xml, size_t len, size_t *outlen)
{
	size_t dlen = 0, left, room = len * 2 + 16;
	char *decl = replaced(xml, "encoding=\"UTF-8\"", "encoding=\"GB18030\"", &dlen);
	char *out = malloc(room), *src = decl, *dst = out;
	iconv_t cd = iconv_open("GB18030", "UTF-8");

	assert_non_null(out);
	assert_true(cd != (iconv_t)-1);
	left = dlen;
	assert_true(iconv(cd, &src, &left, &dst, &room) != (size_t)-1);
	iconv_close(cd);
	*outlen = (size_t)(dst - out);
	free(decl);
	return out;
}

/*
 * Signed in its own bytes (EVP) or re-serialized in the tree (xmlsec1 for an
 * RSA key, from a GB18030 copy of the same message): the same canonical
 * document, so the same DigestValue, and for RSA PKCS#1 v1.5 the same value.
 */
static void
test_sign_spliced_equals_tree(void **state)
{
	cg_signer *rsa = signer(&fx->rsa, "rsa-sha256", 0, NULL), *sm2 = signer(&fx->sm2, NULL, 0, NULL);
	cg_verifier *v = verifier(NULL, NULL, NULL, 0);
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_findings *f = NULL;
	size_t glen = 0, a = 0, b = 0;
	char *gb = as_gb18030(fx->inventory, fx->inventory_len, &glen);
	char *spliced = sign(rsa, fx->inventory, fx->inventory_len, &a), *tree = sign(rsa, gb, glen, &b);
	char *d1 = text_of(spliced, "<ds:DigestValue>"), *d2 = text_of(tree, "<ds:DigestValue>");
	char *v1 = text_of(spliced, "<ds:SignatureValue>"), *v2 = text_of(tree, "<ds:SignatureValue>");

	(void)state;
	assert_non_null(res);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_memory_not_equal(gb, fx->inventory, 60);
	/* The tree's output is UTF-8 again; the spliced one kept the input's bytes. */
	assert_null(strstr(tree, "GB18030"));
	assert_memory_equal(spliced, fx->inventory, 200);
	assert_string_equal(d1, d2);
	assert_string_equal(v1, v2);
	assert_string_equal(verify_code(v, tree, b, f, res), "");
	assert_string_equal(verify_code(v, gb, glen, f, res), "CG3001");
	free(d1);
	free(d2);
	free(v1);
	free(v2);
	cg_free(spliced);
	cg_free(tree);
	spliced = sign(sm2, fx->inventory, fx->inventory_len, &a);
	tree = sign(sm2, gb, glen, &b);
	d1 = text_of(spliced, "<ds:DigestValue>");
	d2 = text_of(tree, "<ds:DigestValue>");
	assert_string_equal(d1, d2);
	assert_string_equal(verify_code(v, tree, b, f, res), "");
	assert_string_equal(verify_code(v, spliced, a, f, res), "");
	free(d1);
	free(d2);
	cg_free(spliced);
	cg_free(tree);
	free(gb);
	cg_findings_free(f);
	free(res);
	cg_verifier_free(v);
	cg_signer_free(rsa);
	cg_signer_free(sm2);
}

static void
test_api_validity_and_trust(void **state)
{
	cg_signer *s = signer(&fx->sm2, NULL, 0, NULL);
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_findings *f = NULL;
	cg_verifier *v;
	size_t len = 0;
	char *out = sign(s, fx->order, fx->order_len, &len);
	time_t now = time(NULL);

	(void)state;
	assert_non_null(res);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	/* Judged at a chosen time: after notAfter, before notBefore. */
	v = verifier(NULL, NULL, NULL, now + 400L * 86400);
	assert_string_equal(verify_code(v, out, len, f, res), "CG3011");
	assert_false(res->valid);
	assert_false(step_named(res, "validity")->ok);
	cg_verifier_free(v);
	v = verifier(NULL, NULL, NULL, now - 2L * 86400);
	assert_string_equal(verify_code(v, out, len, f, res), "CG3011");
	cg_verifier_free(v);
	v = verifier(NULL, NULL, NULL, now + 300L * 86400);
	assert_string_equal(verify_code(v, out, len, f, res), "");
	cg_verifier_free(v);
	/* A self-signed certificate is its own trust anchor; another one is not. */
	v = verifier(fx->sm2.cert_path, NULL, NULL, 0);
	assert_string_equal(verify_code(v, out, len, f, res), "");
	assert_true(step_named(res, "trust")->ok);
	cg_verifier_free(v);
	v = verifier(fx->rsa.cert_path, NULL, NULL, 0);
	assert_string_equal(verify_code(v, out, len, f, res), "CG3012");
	cg_verifier_free(v);
	/* Pinning by serial (case-insensitive hex) and by certificate. */
	v = verifier(NULL, NULL, "03000000000CDE6F", 0);
	assert_string_equal(verify_code(v, out, len, f, res), "");
	cg_verifier_free(v);
	v = verifier(NULL, NULL, "01691fe9", 0);
	assert_string_equal(verify_code(v, out, len, f, res), "CG3013");
	cg_verifier_free(v);
	v = verifier(NULL, fx->sm2.cert_path, NULL, 0);
	assert_string_equal(verify_code(v, out, len, f, res), "");
	cg_verifier_free(v);
	v = verifier(NULL, fx->rsa.cert_path, NULL, 0);
	assert_string_equal(verify_code(v, out, len, f, res), "CG3013");
	cg_verifier_free(v);
	cg_free(out);
	cg_findings_free(f);
	free(res);
	cg_signer_free(s);
}

/* The inventory signed by fx->rsa with the SignatureValue of fx->rsa_other (same serial). */
static char *
swapped_value(size_t *len)
{
	cg_signer *a = signer(&fx->rsa, NULL, 0, NULL), *b = signer(&fx->rsa_other, NULL, 0, NULL);
	size_t lb = 0;
	char *sa = sign(a, fx->inventory, fx->inventory_len, len);
	char *sb = sign(b, fx->inventory, fx->inventory_len, &lb);
	char *va = strstr(sa, "<ds:SignatureValue>"), *vb = strstr(sb, "<ds:SignatureValue>");

	assert_string_equal(cg_signer_keyname(a), cg_signer_keyname(b));
	/* Same SignedInfo (same document and profile), same length of value: swap the values. */
	assert_non_null(va);
	assert_non_null(vb);
	assert_int_equal(strstr(va, "</ds:SignatureValue>") - va, strstr(vb, "</ds:SignatureValue>") - vb);
	memcpy(va, vb, (size_t)(strstr(vb, "</ds:SignatureValue>") - vb));
	cg_free(sb);
	cg_signer_free(a);
	cg_signer_free(b);
	return sa;
}

static void
test_api_other_key_same_serial(void **state)
{
	cg_verifier *v = verifier(NULL, NULL, NULL, 0);
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_findings *f = NULL;
	size_t len = 0;
	char *doc = swapped_value(&len);

	(void)state;
	assert_non_null(res);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_string_equal(verify_code(v, doc, len, f, res), "CG3015");
	assert_false(res->valid);
	assert_false(step_named(res, "signature value")->ok);
	assert_true(step_named(res, "digest")->ok);
	cg_free(doc);
	cg_findings_free(f);
	free(res);
	cg_verifier_free(v);
}

/*
 * Regression test: common.h promises "the library never prints by itself", but a bad RSA signature
 * makes xmlsec1's default error callback write
 * "func=xmlSecOpenSSLEvpSignatureVerify:...:data do not match:..." to stderr (cg_global_init()
 * does not install an xmlSecErrorsSetCallback()). Seen on every `cebgate verify` of such a file.
 */
static void
test_library_prints_xmlsec_errors(void **state)
{
	cg_verifier *v = verifier(NULL, NULL, NULL, 0);
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_findings *f = NULL;
	size_t len = 0, n = 0;
	char *doc = swapped_value(&len), path[256], *printed, first[200];
	int saved, fd;

	(void)state;
	assert_non_null(res);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	(void)snprintf(path, sizeof(path), "%s/stderr.txt", fx->tmpdir);
	fflush(stderr);
	saved = dup(2);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	close(fd);
	assert_int_equal(cg_verify_buffer(v, fx->ctx, doc, len, "mem", f, res), CG_OK);
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	assert_int_equal(cg_findings_count(f), 1);
	assert_string_equal(cg_findings_get(f, 0)->code, "CG3015");
	printed = read_file(path, &n);
	assert_non_null(printed);
	(void)snprintf(first, sizeof(first), "%s", printed);
	free(printed);
	cg_free(doc);
	cg_findings_free(f);
	free(res);
	cg_verifier_free(v);
	if (n != 0)
		fail_msg("the library wrote %zu bytes to stderr: %s", n, first);
}

static void
test_api_shape_before_crypto(void **state)
{
	cg_verifier *v = verifier(NULL, NULL, NULL, 0);
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_findings *f = NULL;
	cg_signer *s = signer(&fx->rsa, NULL, 0, NULL);
	size_t len = 0;
	char *out = sign(s, fx->order, fx->order_len, &len), *p;

	(void)state;
	assert_non_null(res);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_string_equal(verify_code(v, fx->order, fx->order_len, f, res), "CG3001");
	assert_false(res->valid);
	/* Counted in the tree, no crypto run: the steps stop at the structure. */
	p = strstr(out, "<ds:KeyInfo>");
	assert_non_null(p);
	memcpy(p, "<ds:Object >", strlen("<ds:Object >"));
	p = strstr(out, "</ds:KeyInfo>");
	memcpy(p, "</ds:Object >", strlen("</ds:Object >"));
	assert_string_equal(verify_code(v, out, len, f, res), "CG3007");
	assert_null(step_named(res, "digest"));
	assert_null(step_named(res, "signature value"));
	assert_string_equal(res->digest_computed, "");
	/* Not XML at all, not a CEB message. */
	assert_string_equal(verify_code(v, "<a", 2, f, res), "CG0001");
	assert_string_equal(verify_code(v, "<a/>", 4, f, res), "CG0005");
	cg_free(out);
	cg_findings_free(f);
	free(res);
	cg_verifier_free(v);
	cg_signer_free(s);
}

static void
test_api_signer_refuses(void **state)
{
	cg_sign_options o = CG_SIGN_OPTIONS_INIT;
	cg_signer *s = NULL;
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *eccert = ec != NULL ? make_cert(ec, "0A", -60, 86400, "ec") : NULL;
	char eckey[256], eccrt[256], *out = NULL, *signed_xml;
	size_t len = 0;

	(void)state;
	assert_non_null(eccert);
	(void)snprintf(eckey, sizeof(eckey), "%s/ec.key", fx->tmpdir);
	(void)snprintf(eccrt, sizeof(eccrt), "%s/ec.crt", fx->tmpdir);
	assert_true(write_pem(eckey, ec, NULL, NULL, NULL) && write_pem(eccrt, NULL, eccert, NULL, NULL));
	/* No key; a profile that does not fit; an unknown profile; a P-256 key; a foreign cert. */
	assert_int_equal(cg_signer_new(&s, fx->ctx, &o), CG_EINVAL);
	assert_null(s);
	o.key = fx->rsa.key;
	o.cert = fx->rsa.cert_path;
	o.profile = "sm2-sm3";
	assert_int_equal(cg_signer_new(&s, fx->ctx, &o), CG_ESIG);
	assert_non_null(strstr(cg_ctx_errmsg(fx->ctx), "sm2-sm3"));
	o.profile = "rsa-md5";
	assert_int_equal(cg_signer_new(&s, fx->ctx, &o), CG_EINVAL);
	o.profile = NULL;
	o.key = eckey;
	o.cert = eccrt;
	assert_int_equal(cg_signer_new(&s, fx->ctx, &o), CG_ESIG);
	o.key = fx->rsa.key;
	o.cert = fx->rsa_other.cert_path;
	assert_int_equal(cg_signer_new(&s, fx->ctx, &o), CG_ESIG);
	o.key = fx->rsa.key;
	o.cert = NULL;
	assert_int_not_equal(cg_signer_new(&s, fx->ctx, &o), CG_OK);
	o.cert = "/nonexistent/cert.pem";
	assert_int_equal(cg_signer_new(&s, fx->ctx, &o), CG_EIO);
	assert_null(s);
	/* Inputs: signed already, not CEB, not XML. */
	s = signer(&fx->sm2, NULL, 0, NULL);
	signed_xml = sign(s, fx->order, fx->order_len, &len);
	assert_int_equal(cg_sign_buffer(s, fx->ctx, signed_xml, len, &out, &len), CG_ESIG);
	assert_null(out);
	assert_int_equal(cg_sign_buffer(s, fx->ctx, "<a xmlns=\"urn:x\"/>", strlen("<a xmlns=\"urn:x\"/>"),
				       &out, &len),
			 CG_EPARSE);
	assert_int_equal(cg_sign_buffer(s, fx->ctx, "<ceb:a", 6, &out, &len), CG_EPARSE);
	assert_null(out);
	cg_free(signed_xml);
	cg_signer_free(s);
	EVP_PKEY_free(ec);
	X509_free(eccert);
}

static void
test_api_encrypted_key(void **state)
{
	cg_sign_options o = CG_SIGN_OPTIONS_INIT;
	cg_signer *s = NULL;
	char path[256];

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/sm2-enc.key", fx->tmpdir);
	assert_true(write_pem(path, fx->sm2.pkey, NULL, EVP_aes_256_cbc(), "pin-1234"));
	o.key = path;
	o.cert = fx->sm2.cert_path;
	o.passphrase = "pin-1234";
	assert_int_equal(cg_signer_new(&s, fx->ctx, &o), CG_OK);
	assert_string_equal(cg_signer_profile(s), "sm2-sm3");
	cg_signer_free(s);
	s = NULL;
	o.passphrase = "pin-9999";
	assert_int_equal(cg_signer_new(&s, fx->ctx, &o), CG_ESIG);
	assert_null(s);
	assert_non_null(strstr(cg_ctx_errmsg(fx->ctx), "passphrase"));
	o.passphrase = NULL;
	assert_int_equal(cg_signer_new(&s, fx->ctx, &o), CG_ESIG);
	assert_null(s);
}

static void
test_api_uris_alias(void **state)
{
	char path[256];
	cg_signer *s;
	cg_verifier *v = verifier(NULL, NULL, NULL, 0);
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_findings *f = NULL;
	size_t len = 0;
	char *out;

	(void)state;
	assert_non_null(res);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	(void)snprintf(path, sizeof(path), "%s/w3-sm2.conf", fx->tmpdir);
	write_text(path, "[sm2-sm3]\nsignature = http://www.w3.org/2000/09/xmldsig#sm2-sm3\n"
			 "digest = http://www.w3.org/2000/09/xmldsig#sm3\n");
	s = signer(&fx->sm2, NULL, 0, path);
	out = sign(s, fx->order, fx->order_len, &len);
	assert_non_null(strstr(out, "Algorithm=\"http://www.w3.org/2000/09/xmldsig#sm2-sm3\""));
	assert_non_null(strstr(out, "Algorithm=\"http://www.w3.org/2000/09/xmldsig#sm3\""));
	/* A verifier with the default URIs knows these aliases. */
	assert_string_equal(verify_code(v, out, len, f, res), "");
	assert_string_equal(res->profile, "sm2-sm3");
	assert_string_equal(res->digest_method, "sm3");
	cg_free(out);
	cg_signer_free(s);
	cg_findings_free(f);
	free(res);
	cg_verifier_free(v);
}

/*
 * Regression test: a URI file (cg_sign_options.uris, `cebgate sign --uris`) that gives a profile a
 * digest URI outside the four built-in aliases cannot be used: cg__digest_for_uri() looks only
 * at the static alias table, never at the loaded profiles, so the signer's self-check (and a
 * verifier with the same file) refuses its own DigestMethod as "unknown digest algorithm".
 * Reproducer: printf '[sm2-sm3]\nsignature = urn:example:sm2-sm3\ndigest = urn:example:sm3\n'
 * > u.conf; cebgate sign --uris u.conf --key sm2.key --cert sm2.crt CEB621.xml -> exit 1.
 */
static void
test_uris_custom_digest(void **state)
{
	char path[256], *out = NULL;
	cg_sign_options o = CG_SIGN_OPTIONS_INIT;
	cg_signer *s = NULL;
	size_t len = 0;
	cg_rc rc;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/custom.conf", fx->tmpdir);
	write_text(path, "[sm2-sm3]\nsignature = urn:example:sm2-sm3\ndigest = urn:example:sm3\n");
	o.key = fx->sm2.key;
	o.cert = fx->sm2.cert_path;
	o.uris = path;
	assert_int_equal(cg_signer_new(&s, fx->ctx, &o), CG_OK);
	rc = cg_sign_buffer(s, fx->ctx, fx->order, fx->order_len, &out, &len);
	cg_signer_free(s);
	if (rc != CG_OK)
		fail_msg("signing with a custom digest URI from the URI file: %s", cg_ctx_errmsg(fx->ctx));
	assert_non_null(strstr(out, "urn:example:sm3"));
	cg_free(out);
}

/*
 * Regression test: keys.c reads the file into a read-write memory BIO and rewinds it with
 * BIO_reset() before each fallback; on such a BIO BIO_reset() discards the data (unless
 * BIO_FLAGS_NONCLEAR_RST is set), so the DER certificate, DER PKCS#8 and PKCS#12 fallbacks
 * always read an empty BIO ("asn1 encoding routines::not enough data").
 */
static void
test_load_cert_der(void **state)
{
	char path[256];
	unsigned char *der = NULL;
	int n = i2d_X509(fx->rsa.cert, &der);
	FILE *fp;
	X509 *x = NULL;
	cg_rc rc;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/rsa.der", fx->tmpdir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(der, 1, (size_t)n, fp), (size_t)n);
	assert_int_equal(fclose(fp), 0);
	OPENSSL_free(der);
	rc = cg__load_cert(&x, fx->ctx, path);
	if (rc != CG_OK)
		fail_msg("DER certificate refused: %s", cg_ctx_errmsg(fx->ctx));
	assert_int_equal(X509_cmp(x, fx->rsa.cert), 0);
	X509_free(x);
}

static void
test_load_pkcs12(void **state)
{
	char path[256];
	PKCS12 *p12 = PKCS12_create("p12-pass", "unit", fx->sm2.pkey, fx->sm2.cert, NULL, 0, 0, 0, 0, 0);
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;
	FILE *fp;
	cg_rc rc;

	(void)state;
	assert_non_null(p12);
	(void)snprintf(path, sizeof(path), "%s/sm2.p12", fx->tmpdir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(i2d_PKCS12_fp(fp, p12), 1);
	assert_int_equal(fclose(fp), 0);
	PKCS12_free(p12);
	rc = cg__load_key(&pkey, fx->ctx, path, "p12-pass", &cert);
	if (rc != CG_OK)
		fail_msg("PKCS#12 refused: %s", cg_ctx_errmsg(fx->ctx));
	assert_non_null(cert);
	assert_int_equal(EVP_PKEY_eq(pkey, fx->sm2.pkey), 1);
	EVP_PKEY_free(pkey);
	X509_free(cert);
}

static void
test_api_dxp(void **state)
{
	cg_signer *s = signer(&fx->sm2, NULL, 0, NULL);
	cg_verifier *v = verifier(NULL, NULL, NULL, 0);
	cg_validator *val = NULL;
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_findings *f = NULL;
	cg_dxp_options d = { "COPMSG-1", "DXPENT0000999904", NULL, "2024-11-11T00:05:13" };
	cg_dxp_message m;
	size_t len = 0, elen = 0;
	char *out = sign(s, fx->inventory, fx->inventory_len, &len), *env = NULL;

	(void)state;
	assert_non_null(res);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_int_equal(cg_validator_new(&val, fx->ctx, NULL, 0), CG_OK);
	assert_int_equal(cg_dxp_wrap(fx->ctx, out, len, &d, &env, &elen), CG_OK);
	assert_non_null(strstr(env, "<dxp:CopMsgId>COPMSG-1</dxp:CopMsgId>"));
	assert_non_null(strstr(env, "<dxp:ReceiverId>DXPEDCCEB0000002</dxp:ReceiverId>"));
	assert_non_null(strstr(env, "<dxp:CreatTime>2024-11-11T00:05:13</dxp:CreatTime>"));
	assert_non_null(strstr(env, "<dxp:MsgType>CEB621Message</dxp:MsgType>"));
	assert_non_null(strstr(env, "<dxp:FileName>CEB621Message_COPMSG-1.xml</dxp:FileName>"));
	assert_string_equal(verify_code(v, env, elen, f, res), "");
	assert_true(res->valid);
	assert_int_equal(cg_dxp_unwrap(val, fx->ctx, env, elen, "env", f, &m), CG_OK);
	assert_non_null(m.data);
	assert_int_equal(m.data_len, len);
	assert_memory_equal(m.data, out, len);
	assert_string_equal(m.msg_type, "CEB621Message");
	assert_string_equal(m.sender_id, "DXPENT0000999904");
	cg_dxp_message_dispose(&m);
	cg_free(env);
	env = NULL;
	/* A SenderId longer than 16 characters is refused. */
	d.sender_id = "DXPENT00009999040";
	assert_int_equal(cg_dxp_wrap(fx->ctx, out, len, &d, &env, &elen), CG_EINVAL);
	assert_null(env);
	cg_free(out);
	cg_validator_free(val);
	cg_findings_free(f);
	free(res);
	cg_verifier_free(v);
	cg_signer_free(s);
}

/* DER of @p x, malloc'd, with @p extra zero bytes after it. */
static unsigned char *
der_of(X509 *x, size_t extra, size_t *len)
{
	unsigned char *p = NULL, *der;
	int n = i2d_X509(x, &p);

	assert_true(n > 0);
	der = calloc(1, (size_t)n + extra);
	assert_non_null(der);
	memcpy(der, p, (size_t)n);
	OPENSSL_free(p);
	*len = (size_t)n + extra;
	return der;
}

/*
 * The verifier's certificate cache: the same DER gives the same decoded
 * certificate, other bytes never do (another key under the same serial, a
 * byte after the DER, one byte short), and past its size it still answers right.
 */
static void
test_certcache(void **state)
{
	struct fixture *f = *state;
	struct cg_certcache *c = cg__certcache_new();
	size_t alen, blen, tlen, i;
	unsigned char *a = der_of(f->rsa.cert, 0, &alen), *b = der_of(f->rsa_other.cert, 0, &blen);
	unsigned char *trail = der_of(f->rsa.cert, 1, &tlen);
	X509 *a1, *a2, *b1, *fresh;

	assert_non_null(c);
	a1 = cg__certcache_get(c, a, alen);
	a2 = cg__certcache_get(c, a, alen);
	assert_non_null(a1);
	assert_ptr_equal(a1, a2); /* decoded once */
	assert_int_equal(X509_cmp(a1, f->rsa.cert), 0);
	b1 = cg__certcache_get(c, b, blen);
	assert_non_null(b1);
	assert_ptr_not_equal(b1, a1);
	assert_int_equal(X509_cmp(b1, f->rsa_other.cert), 0);
	assert_null(cg__certcache_get(c, trail, tlen));
	assert_null(cg__certcache_get(c, a, alen - 1));
	fresh = cg__certcache_get(NULL, a, alen);
	assert_non_null(fresh);
	assert_ptr_not_equal(fresh, a1);
	X509_free(fresh);
	/* More certificates than it keeps: each lookup still gives its own. */
	for (i = 0; i < 40; i++) {
		char serial[16];
		X509 *x, *got;
		unsigned char *d;
		size_t dlen;

		(void)snprintf(serial, sizeof(serial), "%zX", 0x100 + i);
		x = make_cert(f->rsa.pkey, serial, -3600, 86400, "cache");
		assert_non_null(x);
		d = der_of(x, 0, &dlen);
		got = cg__certcache_get(c, d, dlen);
		assert_non_null(got);
		assert_int_equal(X509_cmp(got, x), 0);
		X509_free(got);
		X509_free(x);
		free(d);
	}
	a2 = cg__certcache_get(c, a, alen);
	assert_non_null(a2);
	assert_int_equal(X509_cmp(a2, f->rsa.cert), 0);
	X509_free(a2);
	X509_free(a1); /* the first two lookups' references */
	X509_free(a1);
	X509_free(b1);
	cg__certcache_free(c);
	free(a);
	free(b);
	free(trail);
}

static void
test_sig_count_and_export(void **state)
{
	static const char doc[] =
		"<ceb:CEB303Message xmlns:ceb=\"" NS_CEB "\" xmlns:ds=\"" CG_NS_DS "\">"
		"<ceb:Order><ds:Signature/></ceb:Order><ds:Object><ds:Signature/></ds:Object>"
		"<ds:Signature/><Signature/></ceb:CEB303Message>";
	xmlDocPtr d = parse(doc, strlen(doc)), d2;

	(void)state;
	/* Anywhere in the tree, only in the ds namespace. */
	assert_int_equal(cg__sig_count(xmlDocGetRootElement(d)), 3);
	assert_true(cg__sig_is_export(xmlDocGetRootElement(d)));
	d2 = parse(fx->inventory, fx->inventory_len);
	assert_false(cg__sig_is_export(xmlDocGetRootElement(d2)));
	assert_int_equal(cg__sig_count(xmlDocGetRootElement(d2)), 0);
	xmlFreeDoc(d);
	xmlFreeDoc(d2);
}

/* ---- the 179 payExInfoStr (ceb-spec §8.3) -------------------------------------------- */

/* Written as another platform might: spaces, a trailing zero, an escaped quote, a "]}" in a string. */
#define PAYEX                                                                                      \
	"{\"sessionID\":\"s-1\", \"payExchangeInfoHead\":{\"guid\":\"G\",\"totalAmount\":573.870,"   \
	"\"note\":\"a\\\"b\"},\"payExchangeInfoLists\":[{\"orderNo\":\"SO1\",\"goodsInfo\":"          \
	"[{\"gname\":\"x]}\"}]}] ,\"serviceTime\":1731286060000}"
#define HEAD "{\"guid\":\"G\",\"totalAmount\":573.870,\"note\":\"a\\\"b\"}"
#define LISTS "[{\"orderNo\":\"SO1\",\"goodsInfo\":[{\"gname\":\"x]}\"}]}]"

/* Both forms of the signing string, built from the payExInfoStr's own texts byte for byte. */
static void
test_pay179_signing_string(void **state)
{
	char *s = NULL;

	(void)state;
	assert_int_equal(cg_pay179_signing_string(fx->ctx, PAYEX, strlen(PAYEX), CG_PAY179_QUOTED, &s), CG_OK);
	assert_string_equal(s, "\"sessionID\":\"s-1\"||\"payExchangeInfoHead\":\"" HEAD
			       "\"||\"payExchangeInfoLists\":\"" LISTS "\"||\"serviceTime\":\"1731286060000\"");
	cg_free(s);
	assert_int_equal(cg_pay179_signing_string(fx->ctx, PAYEX, strlen(PAYEX), CG_PAY179_PLAIN, &s), CG_OK);
	assert_string_equal(s, "\"sessionID\":\"s-1\"||\"payExchangeInfoHead\":" HEAD
			       "||\"payExchangeInfoList\":" LISTS "||\"serviceTime\":1731286060000");
	cg_free(s);
	assert_int_equal(cg_pay179_signing_string(fx->ctx, "{\"sessionID\":\"s\"}", 17, CG_PAY179_QUOTED, &s),
			 CG_EINVAL);
	assert_non_null(strstr(cg_ctx_errmsg(fx->ctx), "payExchangeInfoHead"));
}

static char *
replace1(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
	char *out = malloc(n);

	assert_non_null(p);
	assert_non_null(out);
	(void)snprintf(out, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return out;
}

/* Signed (RSA and SM2, both forms), verified; tampered, another certificate, no signValue refused. */
static void
test_pay179_sign_verify(void **state)
{
	struct identity *ids[2] = { &fx->rsa, &fx->sm2 };
	cg_pay179_signer *sg = NULL;
	cg_pay179_form form;
	size_t clen = 0, olen = 0, i;
	char *cert, *other = read_file(fx->rsa_other.cert_path, &olen), *out = NULL, *bad;

	(void)state;
	for (i = 0; i < 2; i++) {
		cert = read_file(ids[i]->cert_path, &clen);
		assert_int_equal(cg_pay179_signer_new(&sg, fx->ctx, ids[i]->key, NULL, ids[i]->cert_path, NULL,
						      i == 0 ? CG_PAY179_QUOTED : CG_PAY179_PLAIN),
				 CG_OK);
		assert_int_equal(cg_pay179_sign(sg, fx->ctx, PAYEX, strlen(PAYEX), &out), CG_OK);
		/* The head is sent as it was written, trailing zero included. */
		assert_non_null(strstr(out, HEAD));
		assert_non_null(strstr(out, cg_pay179_signer_certno(sg)));
		assert_int_equal(cg_pay179_verify(fx->ctx, out, strlen(out), cert, clen, &form), CG_OK);
		assert_int_equal(form, i == 0 ? CG_PAY179_QUOTED : CG_PAY179_PLAIN);
		bad = replace1(out, "573.870", "573.880");
		assert_int_equal(cg_pay179_verify(fx->ctx, bad, strlen(bad), cert, clen, &form), CG_ESIG);
		assert_non_null(strstr(cg_ctx_errmsg(fx->ctx), "does not verify"));
		free(bad);
		if (i == 0)
			assert_int_equal(cg_pay179_verify(fx->ctx, out, strlen(out), other, olen, &form), CG_ESIG);
		bad = replace1(out, "\"signValue\":\"", "\"signValue\":\"\",\"x\":\"");
		assert_int_equal(cg_pay179_verify(fx->ctx, bad, strlen(bad), cert, clen, &form), CG_EINVAL);
		assert_non_null(strstr(cg_ctx_errmsg(fx->ctx), "certNo/signValue must not be empty"));
		free(bad);
		/* Signed already: not signed twice. */
		bad = NULL;
		assert_int_equal(cg_pay179_sign(sg, fx->ctx, out, strlen(out), &bad), CG_EINVAL);
		cg_free(out);
		cg_pay179_signer_free(sg);
		free(cert);
	}
	free(other);
	/* The key must be the certificate's: customs could not verify otherwise. */
	assert_int_equal(cg_pay179_signer_new(&sg, fx->ctx, fx->rsa.key, NULL, fx->rsa_other.cert_path, NULL,
					      CG_PAY179_QUOTED),
			 CG_ESIG);
	assert_null(sg);
}

/* The canonical form of the node set @p expr selects, by libxml2 alone (no callback, nothing set aside). */
static char *
c14n_xpath(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr xc = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o;
	xmlChar *out = NULL;
	char *s;

	assert_non_null(xc);
	assert_int_equal(xmlXPathRegisterNs(xc, BAD_CAST "ds", BAD_CAST CG_NS_DS), 0);
	o = xmlXPathEvalExpression(BAD_CAST expr, xc);
	assert_non_null(o);
	assert_true(xmlC14NDocDumpMemory(doc, o->nodesetval, XML_C14N_1_0, NULL, 0, &out) >= 0);
	s = strdup((const char *)out);
	assert_non_null(s);
	xmlFree(out);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(xc);
	return s;
}

static char *
dump_tree(xmlDocPtr doc)
{
	xmlChar *out = NULL;
	int n = 0;
	char *s;

	xmlDocDumpMemory(doc, &out, &n);
	assert_true(n > 0);
	s = strdup((const char *)out);
	xmlFree(out);
	return s;
}

/*
 * The canonical forms made with parts of the tree set aside (the enveloped
 * Signature unlinked; SignedInfo's outside siblings) are the ones libxml2
 * gives for the XPath node sets of the XML-Signature recommendation, the
 * digests streamed from them are those of these bytes, and the tree is as
 * before. The documents: a signed inventory, and one with xml: attributes on
 * ancestors (inherited by the SignedInfo subset), namespaces declared below
 * the root, text beside the Signature and an element after it.
 */
static void
test_c14n_pruned_equals_xpath_subset(void **state)
{
	static const char odd[] =
		"<?xml version=\"1.0\"?>\n"
		"<r:Root xmlns:r=\"urn:r\" xml:lang=\"zh\" b=\"2\" a=\"1\"><r:A xml:space=\"preserve\"> x "
		"<r:B xmlns:p=\"urn:p\" p:c=\"3\">y &amp; z</r:B></r:A>\n <ds:Signature xmlns:ds=\""
		CG_NS_DS "\" xml:base=\"http://example.com/\">\n<ds:SignedInfo xmlns:q=\"urn:q\">"
		"<ds:Reference URI=\"\"/>\t</ds:SignedInfo><ds:SignatureValue>v</ds:SignatureValue>"
		"</ds:Signature>\n<r:C/></r:Root>\n";
	cg_signer *s = signer(&fx->sm2, NULL, 0, NULL);
	size_t len = 0, k;
	char *signed_inv = sign(s, fx->inventory, fx->inventory_len, &len);
	const char *docs[2] = { signed_inv, odd };
	size_t lens[2] = { len, strlen(odd) };

	(void)state;
	for (k = 0; k < 2; k++) {
		xmlDocPtr doc = parse(docs[k], lens[k]);
		xmlNodePtr sig = find(xmlDocGetRootElement(doc), CG_NS_DS, "Signature");
		xmlNodePtr si = find(xmlDocGetRootElement(doc), CG_NS_DS, "SignedInfo");
		char *before = dump_tree(doc), *after, *want_si, *want_doc;
		unsigned char md[EVP_MAX_MD_SIZE], sha[32], want[EVP_MAX_MD_SIZE];
		cg_buf b = CG_BUF_INIT(0);

		assert_non_null(sig);
		assert_non_null(si);
		want_si = c14n_xpath(doc, "(//. | //@* | //namespace::*)[ancestor-or-self::ds:SignedInfo]");
		want_doc = c14n_xpath(doc, "(//. | //@* | //namespace::*)[not(ancestor-or-self::ds:Signature)]");
		assert_int_equal(cg__c14n_subtree(doc, si, &b), CG_OK);
		assert_int_equal(cg_buf_cstr(&b), CG_OK);
		assert_string_equal(b.ptr, want_si);
		b.len = 0;
		assert_int_equal(cg__c14n_document(doc, sig, 0, 0, &b), CG_OK);
		assert_int_equal(cg_buf_cstr(&b), CG_OK);
		assert_string_equal(b.ptr, want_doc);
		/* Streamed into SM3 and SHA-256 at once: the digests of those very bytes. */
		assert_int_equal(cg__c14n_digests(doc, sig, EVP_sm3(), md, sha), 32);
		assert_int_equal(cg__digest(EVP_sm3(), want_doc, strlen(want_doc), want), 32);
		assert_memory_equal(md, want, 32);
		assert_int_equal(cg__digest(EVP_sha256(), want_doc, strlen(want_doc), want), 32);
		assert_memory_equal(sha, want, 32);
		assert_int_equal(cg__c14n_digests(doc, sig, EVP_sha1(), md, NULL), 20);
		assert_int_equal(cg__digest(EVP_sha1(), want_doc, strlen(want_doc), want), 20);
		assert_memory_equal(md, want, 20);
		/* A SHA-256 digest is its own canonical SHA-256. */
		memset(sha, 0, sizeof(sha));
		assert_int_equal(cg__c14n_digests(doc, sig, EVP_sha256(), md, sha), 32);
		assert_int_equal(cg__digest(EVP_sha256(), want_doc, strlen(want_doc), want), 32);
		assert_memory_equal(md, want, 32);
		assert_memory_equal(sha, want, 32);
		after = dump_tree(doc);
		assert_string_equal(after, before);
		cg_buf_dispose(&b);
		free(before);
		free(after);
		free(want_si);
		free(want_doc);
		xmlFreeDoc(doc);
	}
	cg_free(signed_inv);
	cg_signer_free(s);
}

/*
 * One change to an SM2-signed message (the SM3 digest streamed from C14N):
 * refused inside what is digested or signed, accepted where C14N or the
 * enveloped transform leaves it out; interop_xmlsec.sh compares the same
 * changes with xmlsec1's verdict on RSA.
 */
static void
test_sm2_digest_one_change(void **state)
{
	static const struct {
		const char *from, *to, *code;
	} changes[] = {
		{ "<ceb:appStatus>2<", "<ceb:appStatus>3<", "CG3014" },
		{ "guid=\"6A5BAB8E-3E9E-4FBD-83D0-D91DC81E0784\" version=\"1.0\"",
		  "guid=\"6A5BAB8E-3E9E-4FBD-83D0-D91DC81E0784\" version=\"1.1\"", "CG3014" },
		{ "</ceb:guid>", "</ceb:guid> ", "CG3014" },
		{ "\"/><ds:SignatureMethod", "\"/> <ds:SignatureMethod", "CG3015" },
		{ "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<?xml version='1.0' encoding='UTF-8'?>", "" },
		{ "<ceb:InventoryHead>", "<ceb:InventoryHead >", "" },
		{ "</ds:SignedInfo><ds:SignatureValue>", "</ds:SignedInfo>\n<ds:SignatureValue>", "" },
	};
	cg_signer *s = signer(&fx->sm2, NULL, 0, NULL);
	cg_verifier *v = verifier(NULL, NULL, NULL, 0);
	cg_verify_result *res = calloc(1, sizeof(*res));
	cg_findings *f = NULL;
	size_t len = 0, vlen = 0, i;
	char *out = sign(s, fx->inventory, fx->inventory_len, &len), *var;

	(void)state;
	assert_non_null(res);
	assert_int_equal(cg_findings_new(&f), CG_OK);
	assert_string_equal(verify_code(v, out, len, f, res), "");
	for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		assert_non_null(strstr(out, changes[i].from));
		var = replaced(out, changes[i].from, changes[i].to, &vlen);
		if (strcmp(verify_code(v, var, vlen, f, res), changes[i].code) != 0)
			fail_msg("%s -> %s: %s, expected \"%s\"", changes[i].from, changes[i].to,
				 cg_findings_count(f) > 0 ? cg_findings_get(f, 0)->code : "valid",
				 changes[i].code);
		assert_int_equal(res->valid, changes[i].code[0] == '\0');
		/* The digest shown is computed either way; its canonical SHA-256 with it. */
		assert_int_equal(strlen(res->canonical_sha256), 64);
		assert_int_equal(strcmp(res->digest_computed, res->digest_claimed) == 0,
				 strcmp(changes[i].code, "CG3014") != 0);
		free(var);
	}
	cg_findings_free(f);
	free(res);
	cg_free(out);
	cg_verifier_free(v);
	cg_signer_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sm3_kat),
		cmocka_unit_test(test_sha_kat),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_pay179_signing_string),
		cmocka_unit_test(test_pay179_sign_verify),
		cmocka_unit_test(test_digest_for_uri),
		cmocka_unit_test(test_profile_for_uri),
		cmocka_unit_test(test_profiles_load_override),
		cmocka_unit_test(test_key_type),
		cmocka_unit_test(test_sm2_raw_round_trip),
		cmocka_unit_test(test_sm2_der_round_trip),
		cmocka_unit_test(test_sm2_user_id),
		cmocka_unit_test(test_sm2_other_key),
		cmocka_unit_test(test_rsa_verify),
		cmocka_unit_test(test_cert_serial_hex),
		cmocka_unit_test(test_cert_serial_zero),
		cmocka_unit_test(test_c14n_signedinfo_in_context),
		cmocka_unit_test(test_c14n_signedinfo_namespaces_from_document),
		cmocka_unit_test(test_c14n_document_without_signature),
		cmocka_unit_test(test_c14n_comments_and_exclusive),
		cmocka_unit_test(test_api_round_trip_rsa_sha1),
		cmocka_unit_test(test_api_round_trip_rsa_sha256),
		cmocka_unit_test(test_api_round_trip_sm2),
		cmocka_unit_test(test_api_signer_reuse_rsa),
		cmocka_unit_test(test_api_signer_reuse_sm2),
		cmocka_unit_test(test_api_signer_fork),
		cmocka_unit_test(test_api_all_samples),
		cmocka_unit_test(test_sign_keeps_message_bytes),
		cmocka_unit_test(test_sign_spliced_equals_tree),
		cmocka_unit_test(test_self_check_signed_info),
		cmocka_unit_test(test_api_validity_and_trust),
		cmocka_unit_test(test_api_other_key_same_serial),
		cmocka_unit_test(test_library_prints_xmlsec_errors),
		cmocka_unit_test(test_api_shape_before_crypto),
		cmocka_unit_test(test_api_signer_refuses),
		cmocka_unit_test(test_api_encrypted_key),
		cmocka_unit_test(test_api_uris_alias),
		cmocka_unit_test(test_uris_custom_digest),
		cmocka_unit_test(test_load_cert_der),
		cmocka_unit_test(test_load_pkcs12),
		cmocka_unit_test(test_api_dxp),
		cmocka_unit_test(test_sig_count_and_export),
		cmocka_unit_test(test_certcache),
		cmocka_unit_test(test_signkey),
		cmocka_unit_test(test_sign_sm2_der_lengths),
		cmocka_unit_test(test_sign_unparsed_as_parsed),
		cmocka_unit_test(test_c14n_pruned_equals_xpath_subset),
		cmocka_unit_test(test_sm2_digest_one_change),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("sig", tests, group_setup, group_teardown);
}
