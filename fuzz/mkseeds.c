/* SPDX-License-Identifier: MIT */
/*
 * Seed maker for the fuzz corpora (run by scripts/fuzz, not a fuzz target):
 *   mkseeds IDDIR OUTDIR FILE...
 * makes a throwaway SM2 identity in IDDIR (sm2.key, sm2.crt) unless it is
 * there, then signs every FILE it can and writes OUTDIR/signed-NAME and the
 * same message in a DxpMsg, OUTDIR/dxp-NAME. Files that cannot be signed
 * (receipts, invalid samples) are skipped.
 */
#include "config.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cebgate/cebgate.h"

static int
read_all(const char *path, char **out, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL || fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		if (fp != NULL)
			fclose(fp);
		return -1;
	}
	fclose(fp);
	buf[n] = '\0';
	*out = buf;
	*len = (size_t)n;
	return 0;
}

static int
write_all(const char *dir, const char *prefix, const char *name, const char *data, size_t len)
{
	char path[4096];
	FILE *fp;
	int ok;

	(void)snprintf(path, sizeof(path), "%s/%s%s", dir, prefix, name);
	fp = fopen(path, "wb");
	if (fp == NULL)
		return -1;
	ok = fwrite(data, 1, len, fp) == len;
	return fclose(fp) == 0 && ok ? 0 : -1;
}

int
main(int argc, char **argv)
{
	cg_sign_options so = CG_SIGN_OPTIONS_INIT;
	cg_dxp_options dxo = { NULL, "DXPENT0000999901", NULL, "2024-11-11T00:05:12" };
	char key[4096], cert[4096];
	struct stat sb;
	cg_signer *signer = NULL;
	cg_ctx *ctx = NULL;
	int i, made = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: mkseeds IDDIR OUTDIR FILE...\n");
		return 2;
	}
	dxo.copmsgid = "00000000-0000-4000-8000-000000000001";
	(void)snprintf(key, sizeof(key), "%s/sm2.key", argv[1]);
	(void)snprintf(cert, sizeof(cert), "%s/sm2.crt", argv[1]);
	if (cg_global_init() != CG_OK || cg_ctx_new(&ctx) != CG_OK)
		return 1;
	if (stat(cert, &sb) != 0 &&
	    cg_make_demo_identity(ctx, 1, "cebgate fuzz seeds", 0x3000000000CDE6FULL, 3650, key, cert) != CG_OK) {
		fprintf(stderr, "mkseeds: %s\n", cg_ctx_errmsg(ctx));
		return 1;
	}
	so.key = key;
	so.cert = cert;
	if (cg_signer_new(&signer, ctx, &so) != CG_OK) {
		fprintf(stderr, "mkseeds: %s\n", cg_ctx_errmsg(ctx));
		return 1;
	}
	for (i = 3; i < argc; i++) {
		char *in = NULL, *sig = NULL, *env = NULL, *name;
		size_t inlen = 0, siglen = 0, envlen = 0;

		if (read_all(argv[i], &in, &inlen) != 0)
			continue;
		name = basename(argv[i]);
		if (cg_sign_buffer(signer, ctx, in, inlen, &sig, &siglen) == CG_OK) {
			made += write_all(argv[2], "signed-", name, sig, siglen) == 0;
			if (cg_dxp_wrap(ctx, sig, siglen, &dxo, &env, &envlen) == CG_OK)
				made += write_all(argv[2], "dxp-", name, env, envlen) == 0;
		}
		cg_free(sig);
		cg_free(env);
		free(in);
	}
	printf("mkseeds: %d seed(s) written to %s\n", made, argv[2]);
	cg_signer_free(signer);
	cg_ctx_free(ctx);
	cg_global_shutdown();
	return made > 0 ? 0 : 1;
}
