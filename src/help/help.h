/* SPDX-License-Identifier: MIT */
/*
 * The --help texts of cebgate and cebgated, generated at build time from the
 * manual pages' source (docs/man/NAME.SECTION.txt by scripts/manpage) into pages.c, so a
 * command's help and its manual page cannot differ.
 */
#ifndef HELP_H
#define HELP_H

#include <stddef.h>
#include <stdio.h>

struct help_page {
	const char *key;     /* "cebgate validate", "cebgated" */
	const char *summary; /* the page's one-line summary */
	const char *text;    /* what --help prints */
};

extern const struct help_page help_pages[];
extern const size_t help_pages_count;

/* The page of @p key, or NULL. */
const struct help_page *help_find(const char *key);
/*
 * Print @p key's help on @p out (stdout when asked for, stderr after a usage
 * error). Returns 0, or -1 when no page has that key (a command without its
 * page: said on stderr).
 */
int help_print(const char *key, FILE *out);

#endif
