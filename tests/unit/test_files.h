/* SPDX-License-Identifier: MIT */
/* Files the unit tests read whole, and their temporary directories (include after <cmocka.h>). */
#ifndef CG_TEST_FILES_H
#define CG_TEST_FILES_H

#include <stddef.h>

/* The whole file, NUL-terminated (free with free()); its length in *len when @p len is not NULL.
 * A file that cannot be read fails the test. */
char *test_read_file(const char *path, size_t *len);

/* Remove the temporary directory @p dir and all it holds: 0, or -1 when that failed. */
int test_remove_dir(const char *dir);

#endif
