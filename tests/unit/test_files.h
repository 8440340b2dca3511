/* SPDX-License-Identifier: MIT */
/* Files the unit tests read whole, and their temporary directories (include after <cmocka.h>). */
#ifndef CG_TEST_FILES_H
#define CG_TEST_FILES_H

#include <stdbool.h>
#include <stddef.h>

/* The whole file, NUL-terminated (free with free()); its length in *len when @p len is not NULL.
 * A file that cannot be read fails the test. */
char *test_read_file(const char *path, size_t *len);

/* Remove the temporary directory @p dir and all it holds: 0, or -1 when that failed. */
int test_remove_dir(const char *dir);

/* True when the tests run on PostgreSQL (CG_TEST_DB=pg, set by tests/pg_run). */
bool test_on_pg(void);

/*
 * A new database for a test, its location in @p out: the file NAME.db in @p
 * dir, or on PostgreSQL a new database of the cluster tests/pg_run started.
 * A database that cannot be made fails the test.
 */
void test_db_new(char *out, size_t size, const char *dir, const char *name);

/* Drop a database test_db_new() made on PostgreSQL (a file goes with its directory): 0, or -1. */
int test_db_drop(const char *where);

#endif
