/* SPDX-License-Identifier: MIT */
/*
 * The XML entry point and everything behind it, for every message type: safe
 * parse (cg__xml_parse), XSD, business rules, and the cross-document rules
 * over the documents seen so far (reset every few inputs).
 */
#include "config.h"

#include "fuzz.h"
#include "util/xml.h"

static cg_validator *validator;
static cg_ctx *ctx;
static cg_findings *findings;

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
	static unsigned count;
	xmlDocPtr doc = NULL;
	int valid = 0;

	/* The parser alone, then the whole validation. */
	if (cg__xml_parse(&doc, ctx, (const char *)data, size, "fuzz", findings) == CG_OK)
		xmlFreeDoc(doc);
	cg_findings_clear(findings);
	FUZZ_IGNORE(cg_validate_buffer(validator, ctx, (const char *)data, size, "fuzz", findings, &valid));
	if (++count % 4 == 0)
		FUZZ_IGNORE(cg_validate_finish(validator, ctx, findings));
	cg_findings_clear(findings);
	return 0;
}
