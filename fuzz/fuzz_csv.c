/* SPDX-License-Identifier: MIT */
/*
 * The CSV reader (src/lib/util/csv.c) on its own: every row of the input, with the
 * encoding fixed or detected as chosen by the first byte.
 */
#include "config.h"

#include "fuzz.h"
#include "util/csv.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_global_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const encodings[] = { NULL, "utf-8", "gb18030" };
	struct cg_csv *csv = NULL;
	FILE *fp;
	char **cells;
	size_t ncells, i, total = 0;
	unsigned long line;
	cg_rc rc;

	if (size < 1)
		return 0;
	fp = fmemopen((void *)(uintptr_t)(data + 1), size - 1 > 0 ? size - 1 : 1, "rb");
	FUZZ_REQUIRE(fp != NULL);
	if (size == 1)
		(void)fgetc(fp); /* fmemopen needs a size of at least 1: read it past */
	if (cg__csv_open(&csv, fp, encodings[data[0] % 3]) == CG_OK) {
		while ((rc = cg__csv_next(csv, &cells, &ncells, &line)) != CG_ENOTFOUND) {
			if (rc != CG_OK && rc != CG_EPARSE && rc != CG_ETOOBIG)
				break;
			/* Touch every cell: an unterminated or dangling one shows under ASan. */
			for (i = 0; rc == CG_OK && i < ncells; i++)
				total += strlen(cells[i]);
		}
		cg__csv_close(csv);
	}
	fclose(fp);
	return total == (size_t)-1;
}
