/* SPDX-License-Identifier: MIT */
/*
 * The NDJSON reader of the normalizer: one JSON object per line (duplicate
 * keys refused, nesting, any value types), mapped to a CEB message. The first
 * byte picks the message type.
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
	fuzz_normalize_run(data + 1, size - 1, CG_FROM_NDJSON, data[0] & 0x03);
	return 0;
}
