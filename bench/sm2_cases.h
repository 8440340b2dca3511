/* SPDX-License-Identifier: MIT */
/*
 * The SM2 cross-check (sm2_cases.c): random keys, messages and signatures, valid
 * and broken, each checked by sm2verify.c and by OpenSSL's EVP SM2, which must
 * agree every time. Run long by bench/sm2_crosscheck, short by tests/unit/test_sm2verify.
 */
#ifndef CG_BENCH_SM2_CASES_H
#define CG_BENCH_SM2_CASES_H

#include <stdint.h>
#include <stdio.h>

enum sm2_kind {
	SM2_VALID,     /* as signed */
	SM2_R_BIT,     /* one bit of r flipped */
	SM2_S_BIT,     /* one bit of s flipped */
	SM2_MSG_BIT,   /* one bit of the message flipped */
	SM2_KEY_BIT,   /* one bit of the public key flipped (a point still on the curve) */
	SM2_OTHER_KEY, /* another key's verifier */
	SM2_R_ZERO,
	SM2_S_ZERO,
	SM2_R_N,       /* r = n, the group order */
	SM2_S_N,
	SM2_R_BIG,     /* n < r < 2^256 */
	SM2_S_BIG,
	SM2_T_ZERO,    /* s = n - r: r + s = 0 mod n */
	SM2_SWAP,      /* s||r */
	SM2_DER,       /* the valid value as DER */
	SM2_DER_TRAIL, /* DER with one byte after it */
	SM2_KINDS
};

struct sm2_tally {
	unsigned long checked;           /* values checked by both sides */
	unsigned long disagree;          /* answers that differ: must be 0 */
	unsigned long expect_valid;      /* SM2_VALID and SM2_DER cases */
	unsigned long valid_refused;     /* of those, refused by EVP: must be 0 */
	unsigned long invalid_accepted;  /* broken values EVP accepted: must be 0 */
	unsigned long no_fast;           /* SM2 keys sm2verify.c declined: must be 0 */
	unsigned long keys;              /* keys generated */
	unsigned long kind[SM2_KINDS];   /* checked per kind */
	unsigned long accepted[SM2_KINDS];
};

/* Check at least @p count values; @p seed drives messages and mutations. 0 on a setup error. */
int sm2_crosscheck(unsigned long count, uint64_t seed, struct sm2_tally *t, FILE *log);

/* The kind's name, for reports. */
const char *sm2_kind_name(enum sm2_kind k);

#endif
