/* SPDX-License-Identifier: MIT */
/*
 * The options weighed for the SM2 check (BENCHMARKS.md, "SM2 verification"), each
 * on the same key, message and signature, outside cebgate so that each stands alone:
 *
 *   0 evp       OpenSSL's EVP SM2 as cebgate called it (a context per check, DER value)
 *   1 ec        s·G + t·P with EC_POINT_mul, no table (what EVP computes inside)
 *   2 ec-g      the same with the generator's table (EC_GROUP_precompute_mult)
 *   3 ec-gp     s·G and t·P apart, each from its table (the generator's, the key's)
 *   4 gcrypt    libgcrypt's SM2 (gcry_pk_verify, flags sm2), e = SM3(Z || M) given
 *   5 botan     Botan 2's SM2 through its C interface, one verify operation per key
 *               (Botan keeps its tables in the operation), message and ID given
 *
 * Build and count (the difference of two runs is the cost of 200 checks):
 *   cc -O2 -o /tmp/sm2_options bench/sm2_options.c $(pkg-config --cflags --libs botan-2) \
 *      -lcrypto -lgcrypt
 *   for m in 0 1 2 3 4 5; do for n in 1 201; do
 *     valgrind --tool=callgrind --callgrind-out-file=/dev/null /tmp/sm2_options $m $n; done; done
 * Each run prints how many checks verified: all must (the last is broken when a 3rd
 * argument is given, and must not).
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1 /* EC_GROUP_precompute_mult: see sm2verify.c */
#include <botan/ffi.h>
#include <gcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#define ID "1234567812345678"
#define MSG_LEN 700

static struct {
	EVP_PKEY *pkey;
	unsigned char pub[65], msg[MSG_LEN], sig[64], z[32];
	EC_GROUP *g, *gp; /* the curve; the curve with the key as generator */
	EC_POINT *p;
	EVP_MD *sm3;
	gcry_sexp_t gkey;
	botan_pubkey_t bkey;
	botan_pk_op_verify_t bop;
} fx;

static int
check_evp(void)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(fx.pkey, NULL);
	ECDSA_SIG *es = ECDSA_SIG_new();
	unsigned char *der = NULL;
	int dl, r;

	ECDSA_SIG_set0(es, BN_bin2bn(fx.sig, 32, NULL), BN_bin2bn(fx.sig + 32, 32, NULL));
	dl = i2d_ECDSA_SIG(es, &der);
	EVP_PKEY_CTX_set1_id(c, ID, strlen(ID));
	EVP_MD_CTX_set_pkey_ctx(m, c);
	EVP_DigestVerifyInit(m, NULL, EVP_sm3(), NULL, fx.pkey);
	r = EVP_DigestVerify(m, der, (size_t)dl, fx.msg, sizeof(fx.msg));
	EVP_MD_CTX_free(m);
	EVP_PKEY_CTX_free(c);
	ECDSA_SIG_free(es);
	OPENSSL_free(der);
	return r == 1;
}

static void
digest(unsigned char *e)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();

	EVP_DigestInit_ex(m, fx.sm3, NULL);
	EVP_DigestUpdate(m, fx.z, sizeof(fx.z));
	EVP_DigestUpdate(m, fx.msg, sizeof(fx.msg));
	EVP_DigestFinal_ex(m, e, NULL);
	EVP_MD_CTX_free(m);
}

static int
check_ec(int apart, BN_CTX *bn)
{
	const BIGNUM *n = EC_GROUP_get0_order(fx.g);
	unsigned char d[32];
	BIGNUM *r, *s, *t, *x, *e, *zero;
	EC_POINT *a = EC_POINT_new(fx.g), *b = EC_POINT_new(fx.g);
	int ok = 0;

	digest(d);
	BN_CTX_start(bn);
	r = BN_CTX_get(bn);
	s = BN_CTX_get(bn);
	t = BN_CTX_get(bn);
	x = BN_CTX_get(bn);
	e = BN_CTX_get(bn);
	zero = BN_CTX_get(bn);
	BN_bin2bn(fx.sig, 32, r);
	BN_bin2bn(fx.sig + 32, 32, s);
	BN_bin2bn(d, 32, e);
	if (BN_is_zero(r) || BN_cmp(r, n) >= 0 || BN_is_zero(s) || BN_cmp(s, n) >= 0 ||
	    !BN_mod_add_quick(t, r, s, n) || BN_is_zero(t))
		goto out;
	if (!apart) {
		EC_POINT_mul(fx.g, a, s, fx.p, t, bn);
	} else {
		/* a zero second term keeps OpenSSL off its ladder, on the tabled path */
		EC_POINT_mul(fx.g, a, s, fx.p, zero, bn);
		EC_POINT_mul(fx.gp, b, t, fx.p, zero, bn);
		EC_POINT_add(fx.g, a, a, b, bn);
	}
	if (EC_POINT_get_affine_coordinates(fx.g, a, x, NULL, bn) == 1 &&
	    BN_mod_add(x, x, e, n, bn) == 1)
		ok = BN_cmp(x, r) == 0;
out:
	EC_POINT_free(a);
	EC_POINT_free(b);
	BN_CTX_end(bn);
	return ok;
}

static int
check_gcrypt(void)
{
	unsigned char e[32];
	gcry_sexp_t d = NULL, s = NULL;
	int ok;

	digest(e);
	gcry_sexp_build(&d, NULL, "(data (flags sm2) (hash sm3 %b))", 32, e);
	gcry_sexp_build(&s, NULL, "(sig-val (sm2 (r %b)(s %b)))", 32, fx.sig, 32, fx.sig + 32);
	ok = gcry_pk_verify(s, d, fx.gkey) == 0;
	gcry_sexp_release(d);
	gcry_sexp_release(s);
	return ok;
}

static int
check_botan(void)
{
	if (botan_pk_op_verify_update(fx.bop, fx.msg, sizeof(fx.msg)) != 0)
		return 0;
	return botan_pk_op_verify_finish(fx.bop, fx.sig, sizeof(fx.sig)) == 0;
}

static void
botan_key(void)
{
	botan_mp_t x, y;

	botan_mp_init(&x);
	botan_mp_init(&y);
	botan_mp_from_bin(x, fx.pub + 1, 32);
	botan_mp_from_bin(y, fx.pub + 33, 32);
	botan_pubkey_load_sm2(&fx.bkey, x, y, "sm2p256v1");
	botan_pk_op_verify_create(&fx.bop, fx.bkey, ID ",SM3", 0);
	botan_mp_destroy(x);
	botan_mp_destroy(y);
}

static void
sign(void)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(fx.pkey, NULL);
	unsigned char der[80];
	const unsigned char *p = der;
	size_t dl = sizeof(der);
	ECDSA_SIG *es;

	EVP_PKEY_CTX_set1_id(c, ID, strlen(ID));
	EVP_MD_CTX_set_pkey_ctx(m, c);
	EVP_DigestSignInit(m, NULL, EVP_sm3(), NULL, fx.pkey);
	EVP_DigestSign(m, der, &dl, fx.msg, sizeof(fx.msg));
	es = d2i_ECDSA_SIG(NULL, &p, (long)dl);
	BN_bn2binpad(ECDSA_SIG_get0_r(es), fx.sig, 32);
	BN_bn2binpad(ECDSA_SIG_get0_s(es), fx.sig + 32, 32);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(m);
	EVP_PKEY_CTX_free(c);
}

/* Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) */
static void
z_value(BN_CTX *bn)
{
	unsigned char buf[2 + 16 + 6 * 32];
	BIGNUM *a = BN_new(), *b = BN_new(), *x = BN_new(), *y = BN_new();

	EC_GROUP_get_curve(fx.g, NULL, a, b, bn);
	EC_POINT_get_affine_coordinates(fx.g, EC_GROUP_get0_generator(fx.g), x, y, bn);
	buf[0] = 0;
	buf[1] = 128;
	memcpy(buf + 2, ID, 16);
	BN_bn2binpad(a, buf + 18, 32);
	BN_bn2binpad(b, buf + 50, 32);
	BN_bn2binpad(x, buf + 82, 32);
	BN_bn2binpad(y, buf + 114, 32);
	memcpy(buf + 146, fx.pub + 1, 64);
	EVP_Digest(buf, sizeof(buf), fx.z, NULL, fx.sm3, NULL);
	BN_free(a);
	BN_free(b);
	BN_free(x);
	BN_free(y);
}

int
main(int argc, char **argv)
{
	int mode = argc > 2 ? atoi(argv[1]) : -1, n = argc > 2 ? atoi(argv[2]) : 0, i, good = 0;
	BN_CTX *bn = BN_CTX_new();
	size_t pl = 0;

	if (mode < 0 || mode > 5) {
		fprintf(stderr, "usage: sm2_options 0|1|2|3|4|5 N [break-last]\n");
		return 2;
	}
	fx.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
	EVP_PKEY_get_octet_string_param(fx.pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, fx.pub,
					sizeof(fx.pub), &pl);
	for (i = 0; i < MSG_LEN; i++)
		fx.msg[i] = (unsigned char)('A' + i % 26);
	sign();
	fx.sm3 = EVP_MD_fetch(NULL, "SM3", NULL);
	fx.g = EC_GROUP_new_by_curve_name(NID_sm2);
	fx.p = EC_POINT_new(fx.g);
	EC_POINT_oct2point(fx.g, fx.p, fx.pub, sizeof(fx.pub), bn);
	z_value(bn);
	if (mode >= 2 && mode <= 3)
		EC_GROUP_precompute_mult(fx.g, bn);
	if (mode == 3) {
		fx.gp = EC_GROUP_dup(fx.g);
		EC_GROUP_set_generator(fx.gp, fx.p, EC_GROUP_get0_order(fx.g),
				       EC_GROUP_get0_cofactor(fx.g));
		EC_GROUP_precompute_mult(fx.gp, bn);
	}
	if (mode == 4) {
		gcry_check_version(NULL);
		gcry_sexp_build(&fx.gkey, NULL, "(public-key (ecc (curve sm2p256v1) (q %b)))", 65,
				fx.pub);
	}
	if (mode == 5)
		botan_key();
	for (i = 0; i < n; i++) {
		if (i == n - 1 && argc > 3)
			fx.sig[5] ^= 1;
		good += mode == 0   ? check_evp()
			: mode == 4 ? check_gcrypt()
			: mode == 5 ? check_botan()
				    : check_ec(mode == 3, bn);
	}
	printf("mode %d: %d of %d verified\n", mode, good, n);
	return 0;
}
