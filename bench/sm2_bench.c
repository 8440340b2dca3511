/* SPDX-License-Identifier: MIT */
/*
 * sm2_bench: SM2-SM3 verifications by OpenSSL's EVP SM2 and by sm2verify.c, timed in
 * one interleaved run (bench/sm2_bench.sh adds instruction counts and openssl speed).
 *
 *   sm2_bench run SECONDS        batches of each way in turn; verifications per second
 *                                and per CPU second of each, and the ratios to EVP
 *   sm2_bench count WAY N        N verifications of one way (for callgrind)
 *
 * Ways: evp (cg__sm2_verify_evp: what cebgate did before), plain (cg__sm2_verify:
 * the generator's table, any key), table (cg__sm2key_verify with the key's own
 * table: registered and pinned certificates).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include "sig/sigcore.h"
#include "sig/sm2verify.h"

#define MSGS 8
#define MSG_LEN 700 /* about a canonical SignedInfo */
#define BATCH 25

enum way { EVP, PLAIN, TABLE, WAYS };
static const char *const way_names[WAYS] = { "evp", "plain", "table" };

static struct {
	EVP_PKEY *pkey;
	struct cg_sm2key *table;
	unsigned char msg[MSGS][MSG_LEN];
	unsigned char sig[MSGS][64];
} fx;

static int
setup(void)
{
	size_t i, j, slen;

	fx.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
	if (fx.pkey == NULL || (fx.table = cg__sm2key_new(fx.pkey, 1)) == NULL)
		return 0;
	for (i = 0; i < MSGS; i++) {
		for (j = 0; j < MSG_LEN; j++)
			fx.msg[i][j] = (unsigned char)('A' + (i * 7 + j * 13) % 26);
		slen = 64;
		if (cg__sm2_sign(fx.pkey, fx.msg[i], MSG_LEN, 0, fx.sig[i], &slen) != CG_OK)
			return 0;
	}
	return 1;
}

/* One verification of message @p i; 1 when it verified. */
static int
verify(enum way w, size_t i)
{
	i %= MSGS;
	if (w == EVP)
		return cg__sm2_verify_evp(fx.pkey, fx.msg[i], MSG_LEN, fx.sig[i], 64, 1) == 1;
	if (w == PLAIN)
		return cg__sm2_verify(fx.pkey, fx.msg[i], MSG_LEN, fx.sig[i], 64, 1) == 1;
	return cg__sm2key_verify(fx.table, fx.msg[i], MSG_LEN, fx.sig[i], 64) == 1;
}

static double
now(clockid_t c)
{
	struct timespec ts;

	(void)clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
run(double seconds)
{
	double wall[WAYS] = { 0 }, cpu[WAYS] = { 0 }, start = now(CLOCK_MONOTONIC);
	unsigned long n[WAYS] = { 0 }, bad = 0, round;
	int w, k;

	for (round = 0; now(CLOCK_MONOTONIC) - start < seconds; round++) {
		for (k = 0; k < WAYS; k++) {
			double w0, c0;
			size_t i;

			w = (int)((round + (unsigned long)k) % WAYS); /* each way first in turn */
			w0 = now(CLOCK_MONOTONIC);
			c0 = now(CLOCK_PROCESS_CPUTIME_ID);
			for (i = 0; i < BATCH; i++)
				bad += (unsigned long)!verify((enum way)w, i);
			cpu[w] += now(CLOCK_PROCESS_CPUTIME_ID) - c0;
			wall[w] += now(CLOCK_MONOTONIC) - w0;
			n[w] += BATCH;
		}
	}
	printf("%-6s %10s %10s %12s %14s %10s\n", "way", "verified", "CPU s", "per second",
	       "per CPU second", "x EVP/CPU");
	for (w = 0; w < WAYS; w++)
		printf("%-6s %10lu %10.2f %12.0f %14.0f %10.2f\n", way_names[w], n[w], cpu[w],
		       (double)n[w] / wall[w], (double)n[w] / cpu[w],
		       ((double)n[w] / cpu[w]) / ((double)n[EVP] / cpu[EVP]));
	if (bad != 0)
		printf("sm2_bench: %lu verifications failed\n", bad);
	return bad == 0;
}

int
main(int argc, char **argv)
{
	int w;
	unsigned long i, count, bad = 0;

	if (argc < 3 || !setup()) {
		fprintf(stderr, "usage: sm2_bench run SECONDS | sm2_bench count evp|plain|table N\n");
		return 2;
	}
	if (strcmp(argv[1], "run") == 0)
		return run(atof(argv[2])) ? 0 : 1;
	for (w = 0; w < WAYS && strcmp(argv[2], way_names[w]) != 0; w++)
		;
	if (strcmp(argv[1], "count") != 0 || w == WAYS || argc < 4)
		return 2;
	count = strtoul(argv[3], NULL, 10);
	for (i = 0; i < count; i++)
		bad += (unsigned long)!verify((enum way)w, i);
	return bad == 0 ? 0 : 1;
}
