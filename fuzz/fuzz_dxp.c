/* SPDX-License-Identifier: MIT */
/*
 * The DxpMsg unwrapper (dxp.c): safe parse, dxp.xsd, base64 Data, MsgType
 * against the inner root; the unwrapped message then goes through the
 * validator like a direct submission would.
 */
#include "config.h"

#include "fuzz.h"

static cg_ctx *ctx;
static cg_findings *findings;
static cg_validator *validator;

static size_t
len0(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_global_init();
	FUZZ_REQUIRE(cg_ctx_new(&ctx) == CG_OK);
	FUZZ_REQUIRE(cg_findings_new(&findings) == CG_OK);
	FUZZ_REQUIRE(cg_validator_new(&validator, ctx, NULL, CG_VALIDATE_UNSIGNED) == CG_OK);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cg_dxp_message m;
	int valid = 0;

	memset(&m, 0, sizeof(m));
	if (cg_dxp_unwrap(validator, ctx, (const char *)data, size, "fuzz", findings, &m) == CG_OK &&
	    m.data != NULL) {
		/* Every field present is a C string (ASan sees an unterminated one). */
		FUZZ_REQUIRE(len0(m.copmsgid) + len0(m.sender_id) + len0(m.receiver_id) +
				     len0(m.msg_type) < (size_t)-1);
		FUZZ_IGNORE(cg_validate_buffer(validator, ctx, m.data, m.data_len, "fuzz-inner", findings,
					 &valid));
		FUZZ_IGNORE(cg_validate_finish(validator, ctx, findings));
	}
	cg_dxp_message_dispose(&m);
	cg_findings_clear(findings);
	return 0;
}
