/* SPDX-License-Identifier: MIT */
/*
 * N raw signatures of 600 bytes (a SignedInfo's size), a new EVP context each,
 * as openssl speed's EVP path does: run under callgrind with N = 0 and N = 200,
 * the difference / 200 is the instructions of one raw signature (BENCHMARKS.md,
 * "Signing and verifying on every core").
 *   cc -O2 -o /tmp/raw_sign_count bench/raw_sign_count.c -lcrypto
 *   valgrind --tool=callgrind /tmp/raw_sign_count KEY.pem N
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
	unsigned char data[600], sig[512];
	FILE *fp = argc == 3 ? fopen(argv[1], "r") : NULL;
	EVP_PKEY *k = fp != NULL ? PEM_read_PrivateKey(fp, NULL, NULL, NULL) : NULL;
	int n = argc == 3 ? atoi(argv[2]) : 0, sm2, i;

	if (k == NULL) {
		fprintf(stderr, "usage: raw_sign_count KEY.pem N\n");
		return 2;
	}
	fclose(fp);
	sm2 = EVP_PKEY_is_a(k, "SM2");
	memset(data, 'a', sizeof(data));
	for (i = 0; i < n; i++) {
		EVP_MD_CTX *m = EVP_MD_CTX_new();
		EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(k, NULL);
		size_t sl = sizeof(sig);

		if (sm2) {
			EVP_PKEY_CTX_set1_id(pc, "1234567812345678", 16);
			EVP_MD_CTX_set_pkey_ctx(m, pc);
		}
		if (EVP_DigestSignInit(m, NULL, sm2 ? EVP_sm3() : EVP_sha256(), NULL, k) != 1 ||
		    EVP_DigestSign(m, sig, &sl, data, sizeof(data)) != 1)
			return 1;
		EVP_MD_CTX_free(m);
		EVP_PKEY_CTX_free(pc);
	}
	EVP_PKEY_free(k);
	return 0;
}
