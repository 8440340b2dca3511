/* SPDX-License-Identifier: MIT */
/*
 * SM2-SM3 signature check (GB/T 32918.2 §7.1) on OpenSSL's BN_ and EC_ primitives.
 *
 * OpenSSL 3.0 has no SM2-specific arithmetic on x86-64: its EVP check computes
 * s·G + t·P in one generic wNAF pass, 256 doublings long. Here s·G uses a table
 * of the generator built once per process and, for a key built "with table",
 * t·P a table of the key built once per key; OpenSSL applies such a table by
 * wNAF splitting, about 8 doublings instead of 256 (BENCHMARKS.md: "SM2
 * verification"). A key without its own table still gains the generator's.
 *
 * EC_GROUP_precompute_mult() and EC_POINT_get_Jprojective_coordinates_GFp() are
 * deprecated in OpenSSL 3.0 with no replacement (no EVP call keeps a table per
 * key) yet present in every 3.x: they are used here, in this file only.
 *
 * The answers are OpenSSL's own for the same key, data and value: the checks
 * and their order follow the standard as OpenSSL implements it, and
 * bench/sm2_crosscheck compares both on random valid and broken signatures.
 * DER values and keys that are not plain SM2-curve keys go to EVP.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include "sig/sigcore.h"
#include "sig/sm2verify.h"

#define FIELD 32 /* bytes of a coordinate, a scalar or a digest */
/* Z's constant part: ENTL, the user ID, a, b and the generator (GB/T 32918.2 §5.5). */
#define PREFIX (2 + sizeof(CG_SM2_ID) - 1 + 4 * FIELD)

struct cg_sm2key {
	EVP_PKEY *pkey;         /* for what goes to EVP */
	EC_POINT *point;        /* the key, on the shared curve */
	EC_GROUP *own;          /* the curve with the key as its generator, tabled; or NULL */
	unsigned char z[FIELD]; /* Z of the key with the default user ID */
};

/* Built once, read-only after: the curve with the generator's table, SM3, Z's prefix. */
static struct {
	EC_GROUP *curve;
	EVP_MD *sm3;
	unsigned char prefix[PREFIX];
	int ready;
} shared;
static CRYPTO_ONCE shared_once = CRYPTO_ONCE_STATIC_INIT;

static int
prefix_of(const EC_GROUP *g, unsigned char *out, BN_CTX *bn)
{
	BIGNUM *a, *b, *x, *y;
	int ok;

	BN_CTX_start(bn);
	a = BN_CTX_get(bn);
	b = BN_CTX_get(bn);
	x = BN_CTX_get(bn);
	y = BN_CTX_get(bn);
	out[0] = (unsigned char)((sizeof(CG_SM2_ID) - 1) * 8 >> 8);
	out[1] = (unsigned char)((sizeof(CG_SM2_ID) - 1) * 8 & 0xff);
	memcpy(out + 2, CG_SM2_ID, sizeof(CG_SM2_ID) - 1);
	out += 2 + sizeof(CG_SM2_ID) - 1;
	ok = y != NULL && EC_GROUP_get_curve(g, NULL, a, b, bn) == 1 &&
	     EC_POINT_get_affine_coordinates(g, EC_GROUP_get0_generator(g), x, y, bn) == 1 &&
	     BN_bn2binpad(a, out, FIELD) == FIELD && BN_bn2binpad(b, out + FIELD, FIELD) == FIELD &&
	     BN_bn2binpad(x, out + 2 * FIELD, FIELD) == FIELD &&
	     BN_bn2binpad(y, out + 3 * FIELD, FIELD) == FIELD;
	BN_CTX_end(bn);
	return ok;
}

static void
shared_init(void)
{
	BN_CTX *bn = BN_CTX_new();
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_sm2);
	EVP_MD *md = EVP_MD_fetch(NULL, "SM3", NULL);

	if (bn != NULL && g != NULL && md != NULL && EC_GROUP_precompute_mult(g, bn) == 1 &&
	    prefix_of(g, shared.prefix, bn)) {
		shared.curve = g;
		shared.sm3 = md;
		shared.ready = 1;
	} else {
		EC_GROUP_free(g);
		EVP_MD_free(md);
	}
	BN_CTX_free(bn);
	ERR_clear_error();
}

void
cg__sm2_prepare(void)
{
	(void)CRYPTO_THREAD_run_once(&shared_once, shared_init);
}

/* Z = SM3(prefix || xA || yA) from the key's uncompressed encoding @p enc (65 bytes). */
static int
z_of(const unsigned char *enc, unsigned char *z)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int ok = m != NULL && EVP_DigestInit_ex(m, shared.sm3, NULL) == 1 &&
		 EVP_DigestUpdate(m, shared.prefix, sizeof(shared.prefix)) == 1 &&
		 EVP_DigestUpdate(m, enc + 1, 2 * FIELD) == 1 && EVP_DigestFinal_ex(m, z, NULL) == 1;

	EVP_MD_CTX_free(m);
	return ok;
}

/* The curve with @p point as its generator and that generator's table. */
static EC_GROUP *
own_group(const EC_POINT *point, BN_CTX *bn)
{
	EC_GROUP *g = EC_GROUP_dup(shared.curve);

	if (g == NULL || EC_GROUP_set_generator(g, point, EC_GROUP_get0_order(shared.curve),
						EC_GROUP_get0_cofactor(shared.curve)) != 1 ||
	    EC_GROUP_precompute_mult(g, bn) != 1) {
		EC_GROUP_free(g);
		return NULL;
	}
	return g;
}

/*
 * The point of an SM2-typed key on the named SM2 curve, its encoding (compressed or
 * not) decoded into @p point; 0 for anything else, which EVP answers.
 */
static int
plain_sm2(EVP_PKEY *pkey, EC_POINT *point, BN_CTX *bn)
{
	unsigned char enc[2 * FIELD + 1];
	char group[16];
	size_t glen = 0, n = 0;

	/* oct2point refuses a point off the curve; the cofactor is 1. */
	return EVP_PKEY_is_a(pkey, "SM2") &&
	       EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					      &glen) == 1 && strcmp(group, "SM2") == 0 &&
	       EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, enc,
					       sizeof(enc), &n) == 1 &&
	       EC_POINT_oct2point(shared.curve, point, enc, n, bn) == 1 &&
	       !EC_POINT_is_at_infinity(shared.curve, point);
}

struct cg_sm2key *
cg__sm2key_new(EVP_PKEY *pkey, int table)
{
	unsigned char enc[2 * FIELD + 1];
	struct cg_sm2key *k = NULL;
	BN_CTX *bn = NULL;
	int ok = 0;

	if (CRYPTO_THREAD_run_once(&shared_once, shared_init) != 1 || !shared.ready ||
	    !EVP_PKEY_is_a(pkey, "SM2"))
		goto out;
	bn = BN_CTX_new();
	k = calloc(1, sizeof(*k));
	if (bn == NULL || k == NULL || (k->point = EC_POINT_new(shared.curve)) == NULL ||
	    !plain_sm2(pkey, k->point, bn) ||
	    EC_POINT_point2oct(shared.curve, k->point, POINT_CONVERSION_UNCOMPRESSED, enc,
			       sizeof(enc), bn) != sizeof(enc) ||
	    !z_of(enc, k->z) || EVP_PKEY_up_ref(pkey) != 1)
		goto out;
	k->pkey = pkey;
	if (table && (k->own = own_group(k->point, bn)) == NULL)
		goto out;
	ok = 1;
out:
	BN_CTX_free(bn);
	ERR_clear_error();
	if (!ok) {
		cg__sm2key_free(k);
		return NULL;
	}
	return k;
}

void
cg__sm2key_free(struct cg_sm2key *k)
{
	if (k == NULL)
		return;
	EC_GROUP_free(k->own);
	EC_POINT_free(k->point);
	EVP_PKEY_free(k->pkey);
	free(k);
}

const unsigned char *
cg__sm2key_z(const struct cg_sm2key *k)
{
	return k->z;
}

/* e = SM3(Z || M) as a number. */
static int
digest_of(const struct cg_sm2key *k, const void *data, size_t len, BIGNUM *e)
{
	unsigned char d[FIELD];
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int ok = m != NULL && EVP_DigestInit_ex(m, shared.sm3, NULL) == 1 &&
		 EVP_DigestUpdate(m, k->z, sizeof(k->z)) == 1 && EVP_DigestUpdate(m, data, len) == 1 &&
		 EVP_DigestFinal_ex(m, d, NULL) == 1 && BN_bin2bn(d, FIELD, e) != NULL;

	EVP_MD_CTX_free(m);
	return ok;
}

/* R = s·G + t·P, each product from its table when the key has one. */
static int
sum_of(const struct cg_sm2key *k, const BIGNUM *s, const BIGNUM *t, EC_POINT *R, BN_CTX *bn)
{
	const EC_GROUP *g = shared.curve;
	const BIGNUM *zero;
	EC_POINT *tp;
	int ok;

	if (k->own == NULL)
		return EC_POINT_mul(g, R, s, k->point, t, bn) == 1;
	/*
	 * A generator alone would take OpenSSL's constant-time ladder, which ignores
	 * the table: a second term with a zero factor keeps it on the tabled path.
	 */
	BN_CTX_start(bn);
	zero = BN_CTX_get(bn);
	tp = EC_POINT_new(g);
	ok = zero != NULL && tp != NULL && EC_POINT_mul(g, R, s, k->point, zero, bn) == 1 &&
	     EC_POINT_mul(k->own, tp, t, k->point, zero, bn) == 1 &&
	     EC_POINT_add(g, R, R, tp, bn) == 1;
	EC_POINT_free(tp);
	BN_CTX_end(bn);
	return ok;
}

/*
 * Whether (e + x(R)) mod n = r. With R = (X:Y:Z) Jacobian, x(R) = X/Z² mod p must be
 * r - e mod n or that plus n (p < 2n): compared as X = c·Z², with no inversion.
 */
static int
x_matches(const EC_POINT *R, const BIGNUM *r, const BIGNUM *e, BN_CTX *bn)
{
	const EC_GROUP *g = shared.curve;
	const BIGNUM *n = EC_GROUP_get0_order(g), *p = EC_GROUP_get0_field(g);
	BIGNUM *X, *Z, *z2, *c, *cz;
	int i, same = 0;

	BN_CTX_start(bn);
	X = BN_CTX_get(bn);
	Z = BN_CTX_get(bn);
	z2 = BN_CTX_get(bn);
	c = BN_CTX_get(bn);
	cz = BN_CTX_get(bn);
	if (cz == NULL || EC_POINT_get_Jprojective_coordinates_GFp(g, R, X, NULL, Z, bn) != 1 ||
	    BN_is_zero(Z) || BN_mod_sqr(z2, Z, p, bn) != 1 || BN_mod_sub(c, r, e, n, bn) != 1)
		goto out;
	for (i = 0; i < 2 && !same && BN_cmp(c, p) < 0; i++) {
		if (BN_mod_mul(cz, c, z2, p, bn) != 1)
			goto out;
		same = BN_cmp(cz, X) == 0;
		if (BN_add(c, c, n) != 1)
			goto out;
	}
out:
	BN_CTX_end(bn);
	return same;
}

/* 1 when valid, 0 when not, -1 on an error: the raw r||s of @p sig. */
static int
check_raw(const struct cg_sm2key *k, const void *data, size_t len, const unsigned char *sig,
	  BN_CTX *bn)
{
	const BIGNUM *n = EC_GROUP_get0_order(shared.curve);
	BIGNUM *r, *s, *t, *e;
	EC_POINT *R = EC_POINT_new(shared.curve);
	int rc = -1;

	BN_CTX_start(bn);
	r = BN_CTX_get(bn);
	s = BN_CTX_get(bn);
	t = BN_CTX_get(bn);
	e = BN_CTX_get(bn);
	if (R == NULL || e == NULL || BN_bin2bn(sig, FIELD, r) == NULL ||
	    BN_bin2bn(sig + FIELD, FIELD, s) == NULL)
		goto out;
	/* r, s in [1, n-1]; t = (r + s) mod n not 0. */
	rc = 0;
	if (BN_is_zero(r) || BN_is_zero(s) || BN_cmp(r, n) >= 0 || BN_cmp(s, n) >= 0)
		goto out;
	rc = -1;
	if (BN_mod_add_quick(t, r, s, n) != 1)
		goto out;
	rc = 0;
	if (BN_is_zero(t))
		goto out;
	rc = -1;
	if (!digest_of(k, data, len, e) || !sum_of(k, s, t, R, bn))
		goto out;
	rc = x_matches(R, r, e, bn);
out:
	EC_POINT_free(R);
	BN_CTX_end(bn);
	return rc;
}

int
cg__sm2key_verify(const struct cg_sm2key *k, const void *data, size_t len,
		  const unsigned char *sig, size_t siglen)
{
	BN_CTX *bn;
	int rc;

	if (siglen != 2 * FIELD)
		return cg__sm2_verify_evp(k->pkey, data, len, sig, siglen, 1);
	bn = BN_CTX_new();
	rc = bn != NULL ? check_raw(k, data, len, sig, bn) : -1;
	BN_CTX_free(bn);
	ERR_clear_error();
	return rc;
}

#define SEEN 8 /* keys a cache follows */

struct cg_sm2cache {
	CRYPTO_RWLOCK *lock;
	size_t n;
	struct seen {
		unsigned char enc[2 * FIELD + 1]; /* the key's encoding, as met */
		size_t len;
		unsigned hits;
		struct cg_sm2key *key; /* with its table, from the second message on */
	} seen[SEEN];
};

struct cg_sm2cache *
cg__sm2cache_new(void)
{
	struct cg_sm2cache *c = calloc(1, sizeof(*c));

	if (c != NULL && (c->lock = CRYPTO_THREAD_lock_new()) == NULL) {
		free(c);
		c = NULL;
	}
	return c;
}

void
cg__sm2cache_free(struct cg_sm2cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		cg__sm2key_free(c->seen[i].key);
	CRYPTO_THREAD_lock_free(c->lock);
	free(c);
}

/* The entry of @p enc, added when there is room; NULL when the cache is full. */
static struct seen *
seen_of(struct cg_sm2cache *c, const unsigned char *enc, size_t len)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->seen[i].len == len && memcmp(c->seen[i].enc, enc, len) == 0)
			return &c->seen[i];
	}
	if (c->n == SEEN)
		return NULL;
	memcpy(c->seen[c->n].enc, enc, len);
	c->seen[c->n].len = len;
	return &c->seen[c->n++];
}

const struct cg_sm2key *
cg__sm2cache_get(struct cg_sm2cache *c, EVP_PKEY *pkey)
{
	unsigned char enc[2 * FIELD + 1];
	size_t len = 0;
	struct seen *s;
	struct cg_sm2key *k = NULL;
	int build = 0;

	if (c == NULL || !EVP_PKEY_is_a(pkey, "SM2") ||
	    EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, enc, sizeof(enc),
					    &len) != 1 || CRYPTO_THREAD_write_lock(c->lock) != 1) {
		ERR_clear_error();
		return NULL;
	}
	s = seen_of(c, enc, len);
	if (s != NULL) {
		k = s->key;
		build = k == NULL && ++s->hits == 2; /* one thread builds, once */
	}
	CRYPTO_THREAD_unlock(c->lock);
	if (!build)
		return k;
	/* Built outside the lock: the other threads go on without the table meanwhile. */
	k = cg__sm2key_new(pkey, 1);
	if (k != NULL && CRYPTO_THREAD_write_lock(c->lock) == 1) {
		s->key = k;
		CRYPTO_THREAD_unlock(c->lock);
	} else {
		cg__sm2key_free(k);
		k = NULL;
	}
	return k;
}
