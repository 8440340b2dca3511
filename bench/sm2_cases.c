/* SPDX-License-Identifier: MIT */
/*
 * The SM2 cross-check: every signed message is checked as signed and broken in each
 * of the ways of enum sm2_kind, by OpenSSL's EVP SM2 (cg__sm2_verify_evp, the
 * reference) and by sm2verify.c, in turn with the key's table, without it, and
 * through cg__sm2_verify (what callers use). Keys are fresh every KEY_USES messages.
 */
#include "config.h"

#include "sm2_cases.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include "sig/sigcore.h"
#include "sig/sm2verify.h"

#define KEY_USES 64 /* messages signed by one key */
#define MAX_MSG 512

static const char *const names[SM2_KINDS] = {
	"valid", "r bit", "s bit", "message bit", "key bit", "other key", "r = 0", "s = 0",
	"r = n", "s = n", "r > n", "s > n", "r + s = n", "s||r", "DER", "DER + byte",
};

/* Per message, in this order: valid three times (one per verifier), then each break. */
static const enum sm2_kind plan[] = {
	SM2_VALID, SM2_VALID, SM2_VALID, SM2_R_BIT, SM2_S_BIT, SM2_MSG_BIT, SM2_KEY_BIT,
	SM2_OTHER_KEY, SM2_R_ZERO, SM2_S_ZERO, SM2_R_N, SM2_S_N, SM2_R_BIG, SM2_S_BIG,
	SM2_T_ZERO, SM2_SWAP, SM2_DER, SM2_DER_TRAIL,
};
#define PLAN (sizeof(plan) / sizeof(plan[0]))

const char *
sm2_kind_name(enum sm2_kind k)
{
	return k < SM2_KINDS ? names[k] : "?";
}

/* splitmix64: reproducible messages and mutations for one seed. */
static uint64_t
next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A key and its two verifiers: with the key's table and without. */
struct key {
	EVP_PKEY *pkey;
	struct cg_sm2key *table, *plain;
};

static void
key_dispose(struct key *k)
{
	cg__sm2key_free(k->table);
	cg__sm2key_free(k->plain);
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof(*k));
}

/* Verifiers for @p pkey (consumed); 0 when sm2verify.c declines the key. */
static int
key_set(struct key *k, EVP_PKEY *pkey, int table)
{
	k->pkey = pkey;
	k->plain = cg__sm2key_new(pkey, 0);
	k->table = table ? cg__sm2key_new(pkey, 1) : NULL;
	return k->plain != NULL && (!table || k->table != NULL);
}

/* An SM2 public key from a compressed point, or NULL when it is not on the curve. */
static EVP_PKEY *
key_from_point(const unsigned char *enc, size_t len)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *p = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
	EVP_PKEY *k = NULL;

	if (b != NULL && c != NULL &&
	    OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0) == 1 &&
	    OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, enc, len) == 1 &&
	    (p = OSSL_PARAM_BLD_to_param(b)) != NULL && EVP_PKEY_fromdata_init(c) == 1 &&
	    EVP_PKEY_fromdata(c, &k, EVP_PKEY_PUBLIC_KEY, p) != 1)
		k = NULL;
	OSSL_PARAM_free(p);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(c);
	ERR_clear_error();
	return k;
}

/*
 * @p pk with one bit of x flipped (the first flip that stays on the curve), or
 * with y's sign flipped (-P) when eight flips in a row fall off it.
 */
static EVP_PKEY *
key_flipped(EVP_PKEY *pk, uint64_t *seed)
{
	unsigned char enc[65], c[33];
	size_t n = 0;
	EVP_PKEY *k = NULL;
	int i;

	if (EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, enc, sizeof(enc),
					    &n) != 1 || n != 65)
		return NULL;
	c[0] = (unsigned char)(0x02 | (enc[64] & 1));
	memcpy(c + 1, enc + 1, 32);
	for (i = 0; i < 8 && k == NULL; i++) {
		unsigned bit = (unsigned)(next(seed) % 256);

		c[1 + bit / 8] ^= (unsigned char)(1u << (bit % 8));
		k = key_from_point(c, sizeof(c));
		c[1 + bit / 8] ^= (unsigned char)(1u << (bit % 8));
	}
	if (k == NULL) {
		c[0] ^= 1;
		k = key_from_point(c, sizeof(c));
	}
	return k;
}

static void
put_bn(const BIGNUM *v, unsigned char *out)
{
	(void)BN_bn2binpad(v, out, 32);
}

/* r||s as DER into @p der (at least 80 bytes); its length, 0 on failure. */
static size_t
to_der(const unsigned char *raw, unsigned char *der)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, 32, NULL), *s = BN_bin2bn(raw + 32, 32, NULL);
	unsigned char *p = der;
	int n = 0;

	if (es != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(es, r, s) == 1) {
		r = s = NULL;
		n = i2d_ECDSA_SIG(es, &p);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return n > 0 ? (size_t)n : 0;
}

/* What one case checks: the key, the message and the value. */
struct one {
	const struct key *key;
	const unsigned char *msg;
	size_t len;
	unsigned char value[96];
	size_t vlen;
};

/* Value @p sig broken as @p kind into @p o (message and key set by the caller). */
static int
mutate(enum sm2_kind kind, const unsigned char *sig, const BIGNUM *n, struct one *o,
       uint64_t *seed)
{
	BIGNUM *v = BN_new(), *r = BN_bin2bn(sig, 32, NULL);
	unsigned bit = (unsigned)(next(seed) % 256);
	int ok = v != NULL && r != NULL;

	memcpy(o->value, sig, 64);
	o->vlen = 64;
	switch (kind) {
	case SM2_R_BIT:
		o->value[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		break;
	case SM2_S_BIT:
		o->value[32 + bit / 8] ^= (unsigned char)(1u << (bit % 8));
		break;
	case SM2_R_ZERO:
	case SM2_S_ZERO:
		memset(o->value + (kind == SM2_R_ZERO ? 0 : 32), 0, 32);
		break;
	case SM2_R_N:
	case SM2_S_N:
		put_bn(n, o->value + (kind == SM2_R_N ? 0 : 32));
		break;
	case SM2_R_BIG:
	case SM2_S_BIG:
		ok = ok && BN_set_word(v, (BN_ULONG)(next(seed) % 0xffffffffu) + 1) == 1 &&
		     BN_add(v, v, n) == 1;
		if (ok)
			put_bn(v, o->value + (kind == SM2_R_BIG ? 0 : 32));
		break;
	case SM2_T_ZERO:
		ok = ok && BN_sub(v, n, r) == 1;
		if (ok)
			put_bn(v, o->value + 32);
		break;
	case SM2_SWAP:
		memcpy(o->value, sig + 32, 32);
		memcpy(o->value + 32, sig, 32);
		break;
	case SM2_DER:
	case SM2_DER_TRAIL:
		o->vlen = to_der(sig, o->value);
		ok = ok && o->vlen > 0;
		if (ok && kind == SM2_DER_TRAIL)
			o->value[o->vlen++] = (unsigned char)next(seed);
		break;
	default:
		break;
	}
	BN_free(v);
	BN_free(r);
	return ok;
}

/* Both sides on @p o; @p way 0: the key's table, 1: without, 2: cg__sm2_verify. */
static void
judge(const struct one *o, enum sm2_kind kind, unsigned way, struct sm2_tally *t, FILE *log)
{
	int ref = cg__sm2_verify_evp(o->key->pkey, o->msg, o->len, o->value, o->vlen, 1) == 1;
	int got;

	if (way == 0 && o->key->table != NULL)
		got = cg__sm2key_verify(o->key->table, o->msg, o->len, o->value, o->vlen) == 1;
	else if (way == 2)
		got = cg__sm2_verify(o->key->pkey, o->msg, o->len, o->value, o->vlen, 1) == 1;
	else
		got = cg__sm2key_verify(o->key->plain, o->msg, o->len, o->value, o->vlen) == 1;
	t->checked++;
	t->kind[kind]++;
	t->accepted[kind] += (unsigned long)ref;
	if (kind == SM2_VALID || kind == SM2_DER) {
		t->expect_valid++;
		t->valid_refused += (unsigned long)!ref;
	} else {
		t->invalid_accepted += (unsigned long)ref;
	}
	if (ref != got) {
		t->disagree++;
		if (log != NULL)
			fprintf(log, "sm2_crosscheck: disagreement on '%s' (way %u): EVP %d, sm2verify %d\n",
				names[kind], way, ref, got);
	}
}

/* One message of @p key, signed once, checked in every way of the plan. */
static int
one_message(const struct key *key, const struct key *other, const BIGNUM *n, uint64_t *seed,
	    unsigned long round, struct sm2_tally *t, FILE *log)
{
	unsigned char msg[MAX_MSG + 1], bent[MAX_MSG + 1], sig[64];
	size_t len = (size_t)(next(seed) % (MAX_MSG + 1)), slen = sizeof(sig), i;
	struct key flipped = { NULL, NULL, NULL };
	int ok = 1;

	for (i = 0; i < len; i++)
		msg[i] = (unsigned char)next(seed);
	if (cg__sm2_sign(key->pkey, msg, len, 0, sig, &slen) != CG_OK || slen != 64)
		return 0;
	for (i = 0; i < PLAN && ok; i++) {
		enum sm2_kind kind = plan[i];
		unsigned way = (unsigned)((i + round) % 3);
		struct one o = { key, msg, len, { 0 }, 0 };

		ok = mutate(kind, sig, n, &o, seed);
		if (kind == SM2_MSG_BIT) {
			/* An empty message gains a byte instead. */
			memcpy(bent, msg, len);
			if (len == 0)
				bent[0] = (unsigned char)next(seed);
			else
				bent[next(seed) % len] ^= (unsigned char)(1u << (next(seed) % 8));
			o.msg = bent;
			o.len = len > 0 ? len : 1;
		} else if (kind == SM2_OTHER_KEY) {
			o.key = other;
		} else if (kind == SM2_KEY_BIT) {
			EVP_PKEY *fk = key_flipped(key->pkey, seed);

			if (fk == NULL || !key_set(&flipped, fk, way == 0)) {
				t->no_fast += fk != NULL;
				if (fk != NULL)
					key_dispose(&flipped);
				else
					ok = 0;
				continue;
			}
			o.key = &flipped;
		}
		if (ok)
			judge(&o, kind, way, t, log);
		if (kind == SM2_KEY_BIT)
			key_dispose(&flipped);
	}
	return ok;
}

static int
key_new(struct key *k, struct sm2_tally *t)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");

	memset(k, 0, sizeof(*k));
	if (pk == NULL)
		return 0;
	t->keys++;
	if (!key_set(k, pk, 1)) {
		t->no_fast++;
		key_dispose(k);
		return 0;
	}
	return 1;
}

int
sm2_crosscheck(unsigned long count, uint64_t seed, struct sm2_tally *t, FILE *log)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_sm2);
	const BIGNUM *n = g != NULL ? EC_GROUP_get0_order(g) : NULL;
	struct key a, b;
	unsigned long round = 0;
	int ok;

	memset(t, 0, sizeof(*t));
	ok = n != NULL && key_new(&a, t) && key_new(&b, t);
	while (ok && t->checked < count) {
		if (round > 0 && round % KEY_USES == 0) {
			key_dispose(&b);
			b = a;
			ok = key_new(&a, t);
		}
		ok = ok && one_message(&a, &b, n, &seed, round, t, log);
		round++;
	}
	key_dispose(&a);
	key_dispose(&b);
	EC_GROUP_free(g);
	return ok;
}
