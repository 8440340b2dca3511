/* SPDX-License-Identifier: MIT */
/*
 * The signature verifier (verify.c, sigcheck.c, sigcore.c): shape checks,
 * certificate, digest and value, on signed messages and DxpMsg envelopes.
 * With CG_FUZZ_ID set (scripts/fuzz sets it to the identity that signed the
 * seeds), a second verifier pins that certificate, so that mutated seeds reach
 * the cryptographic steps under both configurations.
 */
#include "config.h"

#include "fuzz.h"

static cg_ctx *ctx;
static cg_findings *findings;
static cg_verifier *plain, *pinned;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	cg_verify_options o = CG_VERIFY_OPTIONS_INIT;
	const char *id = getenv("CG_FUZZ_ID");
	char cert[4096];

	(void)argc;
	(void)argv;
	fuzz_global_init();
	FUZZ_REQUIRE(cg_ctx_new(&ctx) == CG_OK);
	FUZZ_REQUIRE(cg_findings_new(&findings) == CG_OK);
	o.now = 0; /* the clock: the seed identity is valid for ten years from its making */
	FUZZ_REQUIRE(cg_verifier_new(&plain, ctx, &o) == CG_OK);
	if (id != NULL && *id != '\0') {
		(void)snprintf(cert, sizeof(cert), "%s/sm2.crt", id);
		o.pinned_cert = cert;
		FUZZ_REQUIRE(cg_verifier_new(&pinned, ctx, &o) == CG_OK);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cg_verify_result res;

	memset(&res, 0, sizeof(res));
	FUZZ_IGNORE(cg_verify_buffer(plain, ctx, (const char *)data, size, "fuzz", findings, &res));
	cg_findings_clear(findings);
	if (pinned != NULL) {
		memset(&res, 0, sizeof(res));
		FUZZ_IGNORE(cg_verify_buffer(pinned, ctx, (const char *)data, size, "fuzz", findings, &res));
		cg_findings_clear(findings);
	}
	return 0;
}
