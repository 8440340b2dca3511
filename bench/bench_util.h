/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by bench/validate_bench.c and bench/sign_bench.c: a clock in seconds and
 * reading a whole sample file. Benchmarks only, never linked into cebgate.
 */
#ifndef CEBGATE_BENCH_UTIL_H
#define CEBGATE_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
clock_s(clockid_t id)
{
	struct timespec ts;

	(void)clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
read_file(const char *path, char **out, size_t *outlen)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (fp == NULL)
		return -1;
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0)
		goto fail;
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, fp) != (size_t)n)
		goto fail;
	buf[n] = '\0';
	(void)fclose(fp);
	*out = buf;
	*outlen = (size_t)n;
	return 0;
fail:
	free(buf);
	(void)fclose(fp);
	return -1;
}

#endif
