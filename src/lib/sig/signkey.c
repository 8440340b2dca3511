/* SPDX-License-Identifier: MIT */
/*
 * A signing key made ready once. In OpenSSL 3.0 every EVP_DigestSignInit
 * fetches the digest and the signature implementation again (name map
 * look-ups under the provider store's locks) and, for SM2, computes Z = SM3 of
 * the user id, the curve and the public key. A signer signs thousands of
 * messages with one key, so here the digest is fetched once, the key's
 * EVP_PKEY_CTX is initialised for signing once (RSA: PKCS#1 v1.5 padding and
 * the digest of DigestInfo), Z is computed once (sm2verify.c), and each
 * message costs its digest and EVP_PKEY_sign of it: for RSA the same value as
 * EVP_DigestSign (deterministic), for SM2 the same scheme, e = SM3(Z || M)
 * signed with a fresh nonce by OpenSSL (GB/T 32918.2 §6.1).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include "sig/sigcore.h"
#include "sig/signkey.h"
#include "sig/sm2verify.h"

struct cg_signkey {
	EVP_PKEY_CTX *pctx;     /* initialised for EVP_PKEY_sign */
	EVP_MD_CTX *mctx;       /* reused for each message's digest */
	EVP_MD *md;             /* fetched once */
	struct cg_sm2key *sm2;  /* SM2: the key's Z; NULL for RSA */
};

void
cg__signkey_free(struct cg_signkey *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_CTX_free(k->pctx);
	EVP_MD_CTX_free(k->mctx);
	EVP_MD_free(k->md);
	cg__sm2key_free(k->sm2);
	free(k);
}

static int
ready_rsa(struct cg_signkey *k)
{
	return EVP_PKEY_CTX_set_rsa_padding(k->pctx, RSA_PKCS1_PADDING) > 0 &&
	       EVP_PKEY_CTX_set_signature_md(k->pctx, k->md) > 0;
}

struct cg_signkey *
cg__signkey_new(EVP_PKEY *pkey, const EVP_MD *md)
{
	struct cg_signkey *k = calloc(1, sizeof(*k));
	int type = cg__key_type(pkey), ok = 0;

	if (k == NULL || md == NULL || type < 0)
		goto out;
	k->md = EVP_MD_fetch(NULL, EVP_MD_get0_name(md), NULL);
	k->mctx = EVP_MD_CTX_new();
	k->pctx = EVP_PKEY_CTX_new(pkey, NULL);
	if (k->md == NULL || k->mctx == NULL || k->pctx == NULL || EVP_PKEY_sign_init(k->pctx) != 1)
		goto out;
	if (type == CG_KEY_SM2) {
		/* SM2 signs SM3 only; an EC-typed SM2 key has no Z here: the old way. */
		k->sm2 = EVP_MD_is_a(k->md, "SM3") ? cg__sm2key_new(pkey, 0) : NULL;
		ok = k->sm2 != NULL;
	} else {
		ok = ready_rsa(k);
	}
out:
	ERR_clear_error();
	if (!ok) {
		cg__signkey_free(k);
		return NULL;
	}
	return k;
}

/* The message's digest (SM2: of Z || M) into @p out; its length or 0. */
static unsigned
message_digest(struct cg_signkey *k, const void *data, size_t len, unsigned char *out)
{
	unsigned n = 0;

	if (EVP_DigestInit_ex(k->mctx, k->md, NULL) != 1 ||
	    (k->sm2 != NULL && EVP_DigestUpdate(k->mctx, cg__sm2key_z(k->sm2), 32) != 1) ||
	    EVP_DigestUpdate(k->mctx, data, len) != 1 || EVP_DigestFinal_ex(k->mctx, out, &n) != 1)
		return 0;
	return n;
}

cg_rc
cg__signkey_sign(struct cg_signkey *k, const void *data, size_t len, int der,
		 unsigned char *sig, size_t *siglen)
{
	unsigned char md[EVP_MAX_MD_SIZE], dsig[160];
	unsigned mdlen = message_digest(k, data, len, md);
	size_t dlen = sizeof(dsig);
	cg_rc rc = CG_ESIG;

	if (mdlen == 0)
		goto out;
	if (k->sm2 == NULL) {
		rc = EVP_PKEY_sign(k->pctx, sig, siglen, md, mdlen) == 1 ? CG_OK : CG_ESIG;
		goto out;
	}
	if (EVP_PKEY_sign(k->pctx, dsig, &dlen, md, mdlen) == 1)
		rc = cg__sm2_sig_out(dsig, dlen, der, sig, siglen);
out:
	if (rc != CG_OK)
		ERR_clear_error();
	return rc;
}
