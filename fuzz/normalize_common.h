/* SPDX-License-Identifier: MIT */
/*
 * The normalizer as the CLI runs it (cg_normalize_file), for fuzz_normalize
 * and fuzz_ndjson: the input goes to a file in a private temporary directory
 * (the normalizer streams from a file) and is read back record by record.
 */
#ifndef CG_FUZZ_NORMALIZE_H
#define CG_FUZZ_NORMALIZE_H

#include <unistd.h>
#include "fuzz.h"

static char fuzz_dir[4096];
static char fuzz_file[4200];
static cg_ctx *fuzz_ctx;
static cg_findings *fuzz_findings;
/* [type 311/411/511/621][no profile, default.profile] */
static cg_normalizer *fuzz_norm[4][2];

static cg_rc
fuzz_emit(void *payload, const char *name, const char *xml, size_t len)
{
	size_t *bytes = payload;

	*bytes += strlen(name) + len + (len > 0 ? (unsigned char)xml[len - 1] : 0);
	return CG_OK;
}

static void
fuzz_change(void *payload, const cg_change *c)
{
	size_t *bytes = payload;

	*bytes += strlen(c->source) + strlen(c->xpath) + strlen(c->before) + strlen(c->after) +
		  strlen(c->why);
}

static size_t fuzz_bytes;

static void
fuzz_rmdir(void)
{
	(void)unlink(fuzz_file);
	(void)rmdir(fuzz_dir);
}

static void
fuzz_normalize_init(void)
{
	const char *tmp = getenv("TMPDIR");

	fuzz_global_init();
	(void)snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/cg-fuzz-norm.XXXXXX",
		       tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	FUZZ_REQUIRE(mkdtemp(fuzz_dir) != NULL);
	(void)snprintf(fuzz_file, sizeof(fuzz_file), "%s/input", fuzz_dir);
	atexit(fuzz_rmdir);
	FUZZ_REQUIRE(cg_ctx_new(&fuzz_ctx) == CG_OK);
	FUZZ_REQUIRE(cg_findings_new(&fuzz_findings) == CG_OK);
}

static cg_normalizer *
fuzz_normalizer(unsigned type_index, unsigned with_profile)
{
	static const int types[] = { 311, 411, 511, 621 };
	cg_normalize_options o = CG_NORMALIZE_OPTIONS_INIT;
	cg_normalizer **n = &fuzz_norm[type_index % 4][with_profile % 2];

	if (*n != NULL)
		return *n;
	o.type = types[type_index % 4];
	o.profile = with_profile % 2 ? CG_ABS_SRCDIR "/samples/merchant/default.profile" : NULL;
	o.now = "20241111000512";
	o.emit = fuzz_emit;
	o.change = fuzz_change;
	o.payload = &fuzz_bytes;
	FUZZ_REQUIRE(cg_normalizer_new(n, fuzz_ctx, NULL, &o) == CG_OK);
	return *n;
}

/* Normalize @p data as @p from with the normalizer chosen by @p sel. */
static void
fuzz_normalize_run(const uint8_t *data, size_t size, cg_from from, unsigned sel)
{
	FILE *fp = fopen(fuzz_file, "wb");

	FUZZ_REQUIRE(fp != NULL);
	FUZZ_REQUIRE(size == 0 || fwrite(data, 1, size, fp) == size);
	FUZZ_REQUIRE(fclose(fp) == 0);
	FUZZ_IGNORE(cg_normalize_file(fuzz_normalizer(sel, sel >> 2), fuzz_ctx, fuzz_file, from,
				fuzz_findings));
	cg_findings_clear(fuzz_findings);
}

#endif
