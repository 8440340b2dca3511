/* SPDX-License-Identifier: MIT */
/*
 * Code tables (schemas/codes/TABLE/EDITION.tsv): countries, currencies, units,
 * the tariff, the positive list ... Several editions of a table may be installed;
 * a lookup names the date it is for and gets the edition in force then.
 */
#ifndef CG_CODES_H
#define CG_CODES_H

#include "util/internal.h"
#include "cebgate/codes.h"
#include "util/decimal.h"
#include "ceb/model.h"

struct cg_codes;

/* One line of the tariff (schemas/codes/hs/EDITION.tsv). */
struct cg_hs {
	const char *gcode;
	const char *name;
	const char *unit1;
	const char *unit2;  /* "" when the code has no second legal unit */
	cg_dec vat;         /* rates as decimals, 0.13 = 13%; 0 when vat_text is blank */
	cg_dec ct;          /* the ad-valorem consumption tax when ct_plain, else 0 */
	bool ct_plain;      /* ct_text is blank or a single percentage */
	const char *vat_text; /* as written: "13%" */
	const char *ct_text;  /* as written: "0%", "1.52元/升", "完税价大于等于10000元：15%，..." */
	const char *mfn;
	const char *provisional; /* "" when none */
	const char *general;
	const char *supervision; /* 监管条件 codes, e.g. "7AB" */
	const char *inspection;  /* 检验检疫类别 codes, e.g. "RS" */
};

/* One line of the positive list: an 8-digit line covers the 10-digit codes under it. */
struct cg_positive {
	const char *code;
	const char *name;
	const char *note;
};

/* Which edition answered a dated lookup. */
struct cg_edition_use {
	const struct cg_edition *ed; /* NULL when the table has no edition */
	bool before_oldest;          /* the date precedes every installed edition: the oldest was used */
};

/*
 * Load every table from the codes directory of data directory @p dir
 * ($CEBGATE_CODES_DIR when set, else @p dir/schemas/codes). The set is shared:
 * loading the same directory again returns the same set with one more
 * reference, until cg__codes_reload installs a newer one. cg__codes_free drops
 * one reference.
 */
cg_rc cg__codes_load(struct cg_codes **out, cg_ctx *ctx, const char *dir);
void cg__codes_free(struct cg_codes *c);
/* Load a codes directory itself (not shared, no environment); for import and diff. */
cg_rc cg__codes_load_dir(struct cg_codes **out, cg_ctx *ctx, const char *codesdir);
/* True when a newer set of @p c's directory has been installed by a reload. */
bool cg__codes_stale(const struct cg_codes *c);
/* Swap *@p io for the newer shared set when there is one (between messages). True if swapped. */
bool cg__codes_renew(struct cg_codes **io);
/*
 * Load the tables again and make them the shared set; *@p out gets a reference
 * to it. On failure the shared set is unchanged and @p ctx says why.
 */
cg_rc cg__codes_reload(struct cg_codes **out, cg_ctx *ctx, const char *dir);
/* Load one table file as edition @p edition of table @p t and drop it: does it load? */
cg_rc cg__codes_check_file(cg_ctx *ctx, enum cg_table t, const char *path, const char *edition,
			   size_t *rows);
/* An edition name that is also a safe file name (letters, digits, '-', '.', '_'). */
bool cg__codes_edition_name_ok(const char *s);

/* Edition of table @p t in force at @p date (YYYYMMDD[hhmmss] or YYYY-MM-DD; NULL = today). */
const struct cg_edition *cg__codes_edition_at(const struct cg_codes *c, enum cg_table t,
					      const char *date, bool *before_oldest);
/* Installed editions of table @p t, oldest first. */
size_t cg__codes_edition_count(const struct cg_codes *c, enum cg_table t);
const struct cg_edition *cg__codes_edition(const struct cg_codes *c, enum cg_table t, size_t i);

/* True when @p code is a code of table @p t in the edition in force at @p date. */
bool cg__codes_has_at(const struct cg_codes *c, enum cg_table t, const char *code,
		      const char *date, struct cg_edition_use *use);
/* Tariff line of a 10-digit code in the tariff in force at @p date, or NULL. */
const struct cg_hs *cg__codes_hs_at(const struct cg_codes *c, const char *gcode, const char *date,
				    struct cg_edition_use *use);
/* Positive-list line covering @p gcode (10-digit line, else its 8-digit line), or NULL. */
const struct cg_positive *cg__codes_positive_at(const struct cg_codes *c, const char *gcode,
						const char *date, struct cg_edition_use *use);
/*
 * The cells of @p code's row in the edition in force at @p date: @p names and
 * @p vals get up to @p max column names and values. 0 when the code is not there.
 */
size_t cg__codes_row(const struct cg_codes *c, enum cg_table t, const char *code,
		     const char *date, struct cg_edition_use *use, const char **names,
		     const char **vals, size_t max);
/* The same for edition @p i of table @p t. */
size_t cg__codes_row_in(const struct cg_codes *c, enum cg_table t, size_t i, const char *code,
			const char **names, const char **vals, size_t max);
/* Row codes of edition @p i of table @p t, sorted; *n gets their count. */
const char *const *cg__codes_codes(const struct cg_codes *c, enum cg_table t, size_t i, size_t *n);

/*
 * "edition 2026, in force since 2026-01-01" (en) or "2026版，自2026-01-01起施行" (zh), with
 * a note when the date preceded every edition; "" when @p use names no edition.
 */
void cg__edition_phrase(const struct cg_edition_use *use, bool zh, char *buf, size_t size);

/* The edition in force today (the callers that have no date). */
bool cg__codes_has(const struct cg_codes *c, enum cg_table t, const char *code);
/*
 * True when @p code may appear in an import message: the table has no
 * direction column, or the code's row has a direction holding I (trademode).
 */
bool cg__codes_import(const struct cg_codes *c, enum cg_table t, const char *code);
/*
 * Map what a merchant wrote (a code, a Chinese or English name, an ISO code or
 * an alias; ASCII case-insensitive) to the table's code. NULL when unknown.
 */
const char *cg__codes_map(const struct cg_codes *c, enum cg_table t, const char *value);
/* Tariff line of a 10-digit code in the tariff in force today, or NULL. */
const struct cg_hs *cg__codes_hs(const struct cg_codes *c, const char *gcode);
/* Name of table @p t ("country" ...) and the table of a name (CG_T_NONE when unknown). */
const char *cg__codes_table_name(enum cg_table t);
enum cg_table cg__codes_table_of(const char *name);

/* The declaration date of a document: declTime, else appTime, else NULL (today). */
const char *cg__codes_doc_date(const struct cg_decl *d);

#endif
