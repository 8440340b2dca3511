/* SPDX-License-Identifier: MIT */
/*
 * A signing key made ready once (signkey.c): what OpenSSL 3 sets up per
 * EVP_DigestSignInit (fetching the digest and the signature implementation,
 * SM2's Z) is done when the signer is made, so each message costs its digest
 * and the key operation only. One per thread: the contexts are not shared.
 */
#ifndef CG_SIGNKEY_H
#define CG_SIGNKEY_H

#include <stddef.h>
#include <openssl/evp.h>
#include "util/internal.h"

struct cg_signkey;

/*
 * @p pkey (RSA, or SM2 on the SM2 curve) ready to sign with @p md (RSA:
 * PKCS#1 v1.5; SM2: SM3 and the default user id), or NULL when OpenSSL cannot
 * set it up so (e.g. an SM2 key typed EC): sign the old way. Not for a token's
 * key, whose method is the engine's. Holds its own references to @p pkey.
 */
struct cg_signkey *cg__signkey_new(EVP_PKEY *pkey, const EVP_MD *md);
void cg__signkey_free(struct cg_signkey *k);

/*
 * The signature over @p data into @p sig (room for *@p siglen bytes; set to
 * the length written): RSA as EVP_DigestSign gives it; SM2 raw r||s (64
 * bytes), or DER when @p der.
 */
cg_rc cg__signkey_sign(struct cg_signkey *k, const void *data, size_t len, int der,
		       unsigned char *sig, size_t *siglen);

#endif
