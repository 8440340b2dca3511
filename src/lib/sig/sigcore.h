/* SPDX-License-Identifier: MIT */
/* Shared by signing and verification: profiles, keys, canonical forms, digests. */
#ifndef CG_SIGCORE_H
#define CG_SIGCORE_H

#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "util/internal.h"

#define CG_URI_C14N "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
#define CG_URI_C14N_COMMENTS "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
#define CG_URI_ENVELOPED "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

enum cg_keytype { CG_KEY_RSA, CG_KEY_SM2 };

/* One signature profile (ceb-spec §6.1, §6.4). URIs can be overridden by a file. */
struct cg_sigprofile {
	const char *name;
	enum cg_keytype key;
	char sig_uri[128];
	char digest_uri[128];
	const char *digest; /* "sha1", "sha256", "sm3" */
};

enum { CG_PROFILE_RSA_SHA1, CG_PROFILE_RSA_SHA256, CG_PROFILE_SM2_SM3, CG_PROFILE_COUNT };

/* The profiles with their default URIs, then the overrides of @p uri_file (may be NULL). */
cg_rc cg__profiles_load(struct cg_sigprofile out[CG_PROFILE_COUNT], cg_ctx *ctx, const char *uri_file);

/* Digest by name, or NULL. */
const EVP_MD *cg__md_by_name(const char *name);
/*
 * Digest name ("sha1"/"sha256"/"sm3") for a DigestMethod URI: the profiles'
 * own URIs (@p p may be NULL), then the known variants.
 */
const char *cg__digest_for_uri(const struct cg_sigprofile *p, const char *uri);
/* Profile index for a SignatureMethod URI (accepting the known variants), or -1. */
int cg__profile_for_uri(const struct cg_sigprofile *p, const char *uri);
/* Profile whose built-in SignatureMethod URI is @p uri, or -1 (to explain an override). */
int cg__profile_default_for_uri(const char *uri);

/* Inclusive C14N 1.0 of the document without the subtree @p exclude (enveloped transform). */
cg_rc cg__c14n_document(xmlDocPtr doc, xmlNodePtr exclude, int with_comments, int exclusive,
			cg_buf *out);
/* Inclusive C14N 1.0 of the subtree @p apex in the context of its document. */
cg_rc cg__c14n_subtree(xmlDocPtr doc, xmlNodePtr apex, cg_buf *out);

/*
 * Digest of the inclusive C14N 1.0 of the document without @p exclude (may be
 * NULL), canonicalized straight into the hash; returns its length or 0.
 */
unsigned cg__c14n_digest(xmlDocPtr doc, xmlNodePtr exclude, const EVP_MD *md, unsigned char *out);
/* The same, and when @p sha256 is not NULL the SHA-256 of the same bytes into it (32 bytes). */
unsigned cg__c14n_digests(xmlDocPtr doc, xmlNodePtr exclude, const EVP_MD *md, unsigned char *out,
			  unsigned char *sha256);
/* Digest @p len bytes with @p md into @p out (at most EVP_MAX_MD_SIZE); returns length or 0. */
unsigned cg__digest(const EVP_MD *md, const void *data, size_t len, unsigned char *out);
/* Base64 without line breaks; returns a malloc'd string or NULL. */
char *cg__base64(const unsigned char *data, size_t len);

/* Key and certificate loading (keys.c). */
cg_rc cg__load_key(EVP_PKEY **out, cg_ctx *ctx, const char *spec, const char *pass, X509 **cert_out);
cg_rc cg__load_cert(X509 **out, cg_ctx *ctx, const char *path);
/* The same from memory (at most 64 KiB). */
cg_rc cg__parse_cert(X509 **out, cg_ctx *ctx, const void *buf, size_t len, const char *what);
/* Serial as zero-padded lowercase hex (whole bytes), as the UKey writes KeyName. */
void cg__cert_serial_hex(const X509 *cert, char *out, size_t size);
/* RSA or SM2 by the key's type; -1 when neither. */
int cg__key_type(const EVP_PKEY *pkey);

/*
 * Certificates met in messages, kept decoded: in OpenSSL 3 a d2i_X509 costs
 * more than an RSA verification and takes the provider store's locks, which
 * threads verifying side by side contend for. Looked up by their DER bytes,
 * so only the very same certificate is reused. Shared by threads (keys.c).
 */
struct cg_certcache;
struct cg_certcache *cg__certcache_new(void);
void cg__certcache_free(struct cg_certcache *c);
/*
 * The certificate whose DER is exactly @p der (no byte after it): a reference
 * of the caller's (X509_free), decoded once per cache; NULL when @p der is not
 * one whole DER certificate. @p c may be NULL (decoded every time).
 */
X509 *cg__certcache_get(struct cg_certcache *c, const unsigned char *der, size_t len);

/* SM2 signature over @p data with SM3 and the default user id; raw r||s unless @p der. */
cg_rc cg__sm2_sign(EVP_PKEY *pkey, const void *data, size_t len, int der, unsigned char *sig,
		   size_t *siglen);
/* An SM2 signature @p dsig in DER into @p sig: DER as it is, or raw r||s (64 bytes) unless @p der. */
cg_rc cg__sm2_sig_out(const unsigned char *dsig, size_t dlen, int der, unsigned char *sig,
		      size_t *siglen);
/*
 * 1 valid, 0 invalid, -1 error; @p sig raw (64 bytes) or DER. With the default id
 * through sm2verify.c when the key allows (same answers, fewer instructions).
 */
int cg__sm2_verify(EVP_PKEY *pkey, const void *data, size_t len, const unsigned char *sig,
		   size_t siglen, int use_default_id);
/* The same through OpenSSL's EVP SM2 alone: the reference sm2verify.c is checked against. */
int cg__sm2_verify_evp(EVP_PKEY *pkey, const void *data, size_t len, const unsigned char *sig,
		       size_t siglen, int use_default_id);
/* RSA PKCS#1 v1.5 over @p data with @p md: 1 valid, 0 invalid. */
int cg__rsa_verify(EVP_PKEY *pkey, const EVP_MD *md, const void *data, size_t len,
		   const unsigned char *sig, size_t siglen);

/* The default SM2 user id of GM/T 0009 (ceb-spec §6.3: UNCONFIRMED for customs). */
#define CG_SM2_ID "1234567812345678"

/*
 * cg_pay179_verify with a decoded certificate (pay179sig.c): the registered
 * ones stay decoded in the service.
 */
#include "cebgate/pay179.h"
cg_rc cg__pay179_verify_x509(cg_ctx *ctx, const char *payex, size_t len, X509 *cert,
			     cg_pay179_form *form);

#endif
