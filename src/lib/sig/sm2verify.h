/* SPDX-License-Identifier: MIT */
/*
 * SM2-SM3 signature check on OpenSSL's EC primitives with precomputed tables
 * (sm2verify.c): the same answers as OpenSSL's EVP SM2 with the default user ID,
 * in fewer instructions. Everything unusual goes to EVP (cg__sm2_verify_evp).
 */
#ifndef CG_SM2VERIFY_H
#define CG_SM2VERIFY_H

#include <stddef.h>
#include <openssl/evp.h>

/* One public key ready to verify: the decoded point, its Z value and maybe a table. */
struct cg_sm2key;

/*
 * The verifier of @p pkey (an SM2 key on the SM2 curve, else NULL: use EVP). With
 * @p table, a table of multiples of the key is built once (about 80 KiB and the
 * cost of two verifications) so that each check needs no doubling chain: for
 * keys that verify many messages, e.g. registered or pinned certificates.
 * The result is read-only: one may serve several threads at once.
 */
struct cg_sm2key *cg__sm2key_new(EVP_PKEY *pkey, int table);
/*
 * The tables every key shares (the curve's generator's), made once per process
 * on the first call of this or cg__sm2key_new: a service calls it when it opens,
 * so that its first message does not wait for them.
 */
void cg__sm2_prepare(void);
void cg__sm2key_free(struct cg_sm2key *k);
/* Z of the key with the default user id (32 bytes, GB/T 32918.2 §5.5): what signing hashes first. */
const unsigned char *cg__sm2key_z(const struct cg_sm2key *k);

/*
 * As cg__sm2_verify(pkey, ..., use_default_id = 1): 1 when @p sig (raw r||s, or
 * DER) is a valid SM2 signature over @p data, 0 when not, -1 on an error.
 */
int cg__sm2key_verify(const struct cg_sm2key *k, const void *data, size_t len,
		      const unsigned char *sig, size_t siglen);

/*
 * The keys a verifier met (at most 8, never evicted), each given its table at
 * its second message: a directory signed by one UKey pays for one table. Safe
 * to share between threads; NULL from _new only when out of memory.
 */
struct cg_sm2cache;

struct cg_sm2cache *cg__sm2cache_new(void);
void cg__sm2cache_free(struct cg_sm2cache *c);
/* @p pkey's tabled verifier (owned by @p c) once met before, else NULL: use cg__sm2_verify. */
const struct cg_sm2key *cg__sm2cache_get(struct cg_sm2cache *c, EVP_PKEY *pkey);

#endif
