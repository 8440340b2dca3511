/* SPDX-License-Identifier: MIT */
/*
 * What the normalizer (normalize.c) shares with its readers: read_csv.c,
 * read_ndjson.c and read_xml.c turn a merchant file into documents of the
 * record model; normalize.c completes, checks, logs and writes each one.
 */
#ifndef CG_NORMALIZE_INTERNAL_H
#define CG_NORMALIZE_INTERNAL_H

#include <stdint.h>
#include <stdio.h>
#include "cebgate/normalize.h"
#include "cebgate/validate.h"
#include "ceb/codes.h"
#include "ceb/model.h"
#include "normalize/profile.h"

#define KEYS_WARNED 64

/* Unknown NDJSON keys already reported in the current file (CG2009 once per name). */
struct keyset {
	char *k[KEYS_WARNED];
	size_t n;
};

struct binding {
	int head, line, transfer; /* field index in each element, -1 when absent */
	char *name;               /* the header as written, for findings and the log */
	bool unknown;             /* no field: values dropped and logged (CG2009) */
};

struct seen {                     /* keys of the documents already read (contiguity) */
	uint64_t *h;
	size_t cap, n;
};

struct cg_normalizer {
	cg_validator *v;
	struct cg_codes *codes;
	struct cg_profile profile;
	cg_normalize_options opts;
	const struct cg_msgdef *def;
	cg_findings *scratch;
	cg_normalize_stats stats;
	struct seen seen;
	struct seen repeats; /* guids and business keys of the file's documents (CG2011) */
	struct keyset warned;
	char now[16];
};

/* One document being assembled from rows. */
struct pending {
	struct cg_msg *m;
	char *key;
	bool bad;
	unsigned long line;
	const char *source;
	size_t cur; /* document being completed */
};

void cg__norm_keyset_clear(struct keyset *w);
/* The field whose value groups rows into one document (orderNo, payTransactionId ...). */
const char *cg__norm_doc_key_field(const struct cg_msgdef *def);
/* A value dropped because its column or key has no field: one log row. */
void cg__norm_log_dropped(cg_normalizer *n, const char *source, unsigned long line,
			  unsigned long col, const char *name, const char *before);
/* Everything a finished document needs before it may leave (normalize.c's file comment). */
cg_rc cg__norm_finish(cg_normalizer *n, cg_ctx *ctx, struct pending *p, cg_findings *f);
/* A row or line that could not be read at all: a record, rejected, told to the caller. */
cg_rc cg__norm_unreadable(cg_normalizer *n);
/* Index of field @p name (XML name, Chinese or English header) in element @p e, or -1. */
int cg__norm_find_field(const struct cg_edef *e, const char *name);
/* A column or key that has no field: told once per file (CG2009). */
cg_rc cg__norm_report_unknown(const cg_normalizer *n, cg_findings *f, const char *source,
			      unsigned long line, unsigned long col, const char *name);
/* A new document keyed @p key, refused when that key was seen before in the input. */
cg_rc cg__norm_start_doc(cg_normalizer *n, struct pending *p, const char *key,
			 unsigned long line, const char *source, cg_findings *f);

/* The readers: each file's records, one document at a time. */
cg_rc cg__norm_read_csv(cg_normalizer *n, cg_ctx *ctx, FILE *fp, const char *source,
			cg_findings *f);
cg_rc cg__norm_read_ndjson(cg_normalizer *n, cg_ctx *ctx, FILE *fp, const char *source,
			   cg_findings *f);
cg_rc cg__norm_read_xml(cg_normalizer *n, cg_ctx *ctx, FILE *fp, const char *source,
			cg_findings *f);

#endif
