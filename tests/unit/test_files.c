/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "test_files.h"

char *
test_read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (fp == NULL)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

int
test_remove_dir(const char *dir)
{
	char cmd[4200];

	/* Our own mkdtemp() names: no quote in them. */
	if (strchr(dir, '\'') != NULL || snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) >= (int)sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

bool
test_on_pg(void)
{
	const char *v = getenv("CG_TEST_DB");

	return v != NULL && strcmp(v, "pg") == 0;
}

#define PG_URI "postgresql:///"

void
test_db_new(char *out, size_t size, const char *dir, const char *name)
{
	static unsigned seq;
	char cmd[200];

	if (!test_on_pg()) {
		assert_true(snprintf(out, size, "%s/%s.db", dir, name) < (int)size);
		return;
	}
	assert_true(snprintf(out, size, PG_URI "cg_%s_%ld_%u", name, (long)getpid(), ++seq) < (int)size);
	assert_true(snprintf(cmd, sizeof(cmd), "createdb '%s'", out + strlen(PG_URI)) < (int)sizeof(cmd));
	assert_int_equal(system(cmd), 0);
}

int
test_db_drop(const char *where)
{
	char cmd[200];

	if (strncmp(where, PG_URI, strlen(PG_URI)) != 0)
		return 0;
	if (snprintf(cmd, sizeof(cmd), "dropdb '%s'", where + strlen(PG_URI)) >= (int)sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}
