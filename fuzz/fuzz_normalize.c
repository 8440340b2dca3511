/* SPDX-License-Identifier: MIT */
/*
 * The normalizer (src/lib/normalize/normalize.c, normvalue.c, profile mapping) on
 * merchant CSV and loose XML: the first byte picks the format, the message
 * type (311/411/511/621) and whether the default column profile is used.
 */
#include "config.h"

#include "normalize_common.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_normalize_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_normalize_run(data + 1, size - 1, (data[0] & 0x80) ? CG_FROM_XML : CG_FROM_CSV,
			   data[0] & 0x07);
	return 0;
}
