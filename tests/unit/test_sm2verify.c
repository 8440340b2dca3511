/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the SM2 check on OpenSSL's EC primitives (sig/sm2verify.c): the
 * cross-check of bench/sm2_cases.c on about 2,000 values (bench/sm2_crosscheck runs
 * it on a million), the keys it must leave to EVP, and a verifier's cache of keys.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include "sig/sigcore.h"
#include "sig/sm2verify.h"
#include "sm2_cases.h"

/* sm2verify.c and EVP agree on valid values and on every kind of broken one. */
static void
crosscheck_agrees_with_evp(void **state)
{
	struct sm2_tally t;
	int k;

	(void)state;
	assert_true(sm2_crosscheck(2000, 20261207, &t, stderr));
	assert_true(t.checked >= 2000);
	assert_int_equal(t.disagree, 0);
	assert_int_equal(t.no_fast, 0);
	/* The generator works: valid values verify, broken ones do not. */
	assert_true(t.expect_valid > 300);
	assert_int_equal(t.valid_refused, 0);
	assert_int_equal(t.invalid_accepted, 0);
	for (k = 0; k < SM2_KINDS; k++)
		assert_true(t.kind[k] > 0);
}

/* Keys that are not SM2 are declined, and cg__sm2_verify still answers through EVP. */
static void
other_keys_go_to_evp(void **state)
{
	EVP_PKEY *p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *sm2 = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
	struct cg_sm2key *k = NULL;
	unsigned char msg[] = "signed info", sig[64];
	size_t slen = sizeof(sig);

	(void)state;
	assert_non_null(p256);
	assert_non_null(sm2);
	assert_null(cg__sm2key_new(p256, 0));
	assert_null(cg__sm2key_new(p256, 1));
	k = cg__sm2key_new(sm2, 1);
	assert_non_null(k);
	assert_int_equal(cg__sm2_sign(sm2, msg, sizeof(msg), 0, sig, &slen), CG_OK);
	assert_int_equal(cg__sm2key_verify(k, msg, sizeof(msg), sig, slen), 1);
	assert_int_equal(cg__sm2_verify(sm2, msg, sizeof(msg), sig, slen, 1), 1);
	/* Without the default ID (the signature hint's question) only EVP answers: not valid. */
	assert_int_equal(cg__sm2_verify(sm2, msg, sizeof(msg), sig, slen, 0), 0);
	/* A P-256 key is no SM2 key: EVP refuses, as before. */
	assert_true(cg__sm2_verify(p256, msg, sizeof(msg), sig, slen, 1) != 1);
	cg__sm2key_free(k);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(sm2);
}

/* A verifier's cache tables a key at its second message, keeps it, and follows 8 keys at most. */
static void
cache_tables_keys_met_twice(void **state)
{
	struct cg_sm2cache *c = cg__sm2cache_new();
	EVP_PKEY *keys[9], *p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	const struct cg_sm2key *k;
	unsigned char msg[] = "signed info", sig[64];
	size_t slen = sizeof(sig), i;

	(void)state;
	assert_non_null(c);
	for (i = 0; i < 9; i++) {
		keys[i] = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
		assert_non_null(keys[i]);
	}
	assert_null(cg__sm2cache_get(c, keys[0]));
	k = cg__sm2cache_get(c, keys[0]);
	assert_non_null(k);
	assert_ptr_equal(cg__sm2cache_get(c, keys[0]), k);
	assert_int_equal(cg__sm2_sign(keys[0], msg, sizeof(msg), 0, sig, &slen), CG_OK);
	assert_int_equal(cg__sm2key_verify(k, msg, sizeof(msg), sig, slen), 1);
	msg[0] ^= 1;
	assert_int_equal(cg__sm2key_verify(k, msg, sizeof(msg), sig, slen), 0);
	/* Seven more keys fill the cache; the ninth is never tabled. */
	for (i = 1; i < 9; i++) {
		assert_null(cg__sm2cache_get(c, keys[i]));
		if (i < 8)
			assert_non_null(cg__sm2cache_get(c, keys[i]));
		else
			assert_null(cg__sm2cache_get(c, keys[i]));
	}
	assert_null(cg__sm2cache_get(c, p256));
	assert_null(cg__sm2cache_get(c, p256));
	assert_null(cg__sm2cache_get(NULL, keys[0]));
	cg__sm2cache_free(c);
	for (i = 0; i < 9; i++)
		EVP_PKEY_free(keys[i]);
	EVP_PKEY_free(p256);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crosscheck_agrees_with_evp),
		cmocka_unit_test(other_keys_go_to_evp),
		cmocka_unit_test(cache_tables_keys_met_twice),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("sm2verify", tests, NULL, NULL);
}
