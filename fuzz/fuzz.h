/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer targets of cebgate (fuzz/README.md): one-time
 * library setup, and aborting on a setup failure (a target that cannot set
 * itself up must not report a clean run).
 */
#ifndef CG_FUZZ_H
#define CG_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cebgate/cebgate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_REQUIRE(cond)                                                              \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "fuzz setup failed: %s (%s:%d)\n", #cond, __FILE__, \
				__LINE__);                                              \
			abort();                                                        \
		}                                                                       \
	} while (0)

/* Any outcome is fine for a fuzz input: only memory errors and aborts count. */
#define FUZZ_IGNORE(call)                   \
	do {                                \
		cg_rc fuzz_ignored_ = (call); \
		(void)fuzz_ignored_;         \
	} while (0)

/* The library once per process; schemas from the source tree unless CEBGATE_DATADIR is set. */
static inline void
fuzz_global_init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	(void)setenv("CEBGATE_DATADIR", CG_ABS_SRCDIR, 0);
	FUZZ_REQUIRE(cg_global_init() == CG_OK);
}

/* A NUL-terminated copy of the input (free()). */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_REQUIRE(s != NULL);
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
