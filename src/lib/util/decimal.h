/* SPDX-License-Identifier: MIT */
/* Exact decimal arithmetic for N19,5 amounts, dates and ID numbers. */
#ifndef CG_DEC_H
#define CG_DEC_H

#include <stdbool.h>
#include <stddef.h>

/* A decimal scaled by 10^5 (five fraction digits, ceb-spec §2 item 7). */
__extension__ typedef __int128 cg_dec;
#define CG_DEC_ONE ((cg_dec)100000)

/*
 * Parse an xs:decimal lexical form (optional sign, at most 19 integer digits,
 * optional point and up to 5 fraction digits; surrounding whitespace as XSD
 * collapses it).
 * Returns false for anything else: exponents, NaN, hex, separators.
 */
bool cg__dec_parse(const char *s, cg_dec *out);
/* Like cg__dec_parse but any number of fraction digits, rounded half-up to 5;
 * @p rounded tells whether digits were dropped. */
bool cg__dec_parse_round(const char *s, cg_dec *out, bool *rounded);
/* Format with at least 2 and at most 5 fraction digits. */
void cg__dec_format(cg_dec v, char *buf, size_t size);
/* a * b for two scaled values, rounded half-up to scale 5; false on overflow. */
bool cg__dec_mul(cg_dec a, cg_dec b, cg_dec *out);
/* Round half-up (away from zero) to @p digits fraction digits (0-5). */
cg_dec cg__dec_round(cg_dec v, int digits);
cg_dec cg__dec_abs(cg_dec v);

/* Calendar check of YYYYMMDD[hhmmss[SSS]] (8, 14 or 17 digits). */
bool cg__datetime_valid(const char *s);
/* Why a check failed, in Chinese and English. */
struct cg_why {
	char zh[96];
	char en[96];
};

/*
 * Resident ID number check (GB 11643, ISO 7064 MOD 11-2), ceb-spec §10.5.
 * On failure @p why says what is wrong.
 */
bool cg__idno_valid(const char *s, struct cg_why *why);
/* Check character for the first 17 digits of @p s ('0'-'9' or 'X'). */
char cg__idno_check_char(const char *s17);

#endif
