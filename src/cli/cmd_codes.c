/* SPDX-License-Identifier: MIT */
/* cebgate codes list|show|import|diff: the code tables and their editions. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cebgate/codes.h"
#include "cli.h"
#include "help.h"

#define MAX_CELLS 16

static int
usage(bool help)
{
	(void)help_print("cebgate codes", help ? stdout : stderr);
	return help ? CLI_OK : CLI_USAGE;
}

static const char *
codes_dir(char *buf, size_t size)
{
	const char *env = getenv("CEBGATE_CODES_DIR");

	if (env != NULL && *env != '\0')
		return env;
	(void)snprintf(buf, size, "%s/schemas/codes", cg_datadir());
	return buf;
}

static cg_codes *
open_codes(cg_ctx *ctx)
{
	cg_codes *c = NULL;

	if (cg_codes_open(&c, ctx, NULL) != CG_OK) {
		cli_err("cannot load the code tables: %s", cg_ctx_errmsg(ctx));
		return NULL;
	}
	return c;
}

static void
put_json(json_t *o)
{
	char *text = o != NULL ? json_dumps(o, JSON_INDENT(2)) : NULL;

	if (text != NULL)
		puts(text);
	free(text);
	json_decref(o);
}

static int
do_list(cg_ctx *ctx, bool json)
{
	cg_codes *c = open_codes(ctx);
	json_t *arr = json ? json_array() : NULL;
	size_t i;

	if (c == NULL)
		return CLI_USAGE;
	if (!json)
		printf("%-10s %-8s %-10s %7s  %-8s %s\n", "table", "edition", "effective", "rows",
		       "complete", "in force today");
	for (i = 0; i < cg_codes_edition_count(c); i++) {
		const struct cg_edition *e = cg_codes_edition(c, i);
		bool now = cg_codes_in_force(c, e->table, NULL) == e;

		if (json)
			json_array_append_new(
				arr, json_pack("{s:s, s:s, s:s, s:I, s:b, s:b, s:s}", "table", e->table,
					       "edition", e->edition, "effective", e->effective, "rows",
					       (json_int_t)e->rows, "complete", e->complete,
					       "in_force", now, "source", e->source));
		else
			printf("%-10s %-8s %-10s %7zu  %-8s %s\n", e->table, e->edition,
			       e->effective[0] != '\0' ? e->effective : "-", e->rows,
			       e->complete ? "yes" : "no", now ? "yes" : "");
	}
	if (json)
		put_json(json_pack("{s:o}", "editions", arr));
	cg_codes_close(c);
	return CLI_OK;
}

/* "035 千克" for a unit cell of the tariff. */
static void
unit_name(const cg_codes *c, const char *code, const char *date, char *buf, size_t size)
{
	const char *names[MAX_CELLS], *vals[MAX_CELLS];
	size_t n = code[0] != '\0' ? cg_codes_show(c, "unit", code, date, NULL, names, vals,
						    MAX_CELLS)
				   : 0;

	(void)snprintf(buf, size, "%s%s%s", code, n > 1 ? " " : "", n > 1 ? vals[1] : "");
}

static int
do_show(cg_ctx *ctx, const char *table, const char *code, const char *date, bool json)
{
	cg_codes *c = open_codes(ctx);
	const char *names[MAX_CELLS], *vals[MAX_CELLS];
	const struct cg_edition *ed = NULL;
	char unit[96];
	size_t n, i;
	json_t *row;

	if (c == NULL)
		return CLI_USAGE;
	if (cg_codes_in_force(c, table, date) == NULL) {
		cli_err("no table \"%s\" (see cebgate codes list)", table);
		cg_codes_close(c);
		return CLI_USAGE;
	}
	n = cg_codes_show(c, table, code, date, &ed, names, vals, MAX_CELLS);
	if (n == 0) {
		ed = cg_codes_in_force(c, table, date);
		fprintf(stderr, "%s %s: not in the %s table (edition %s%s%s)\n", table, code, table,
			ed->edition, ed->effective[0] != '\0' ? ", in force since " : "",
			ed->effective);
		cg_codes_close(c);
		return CLI_INVALID;
	}
	row = json ? json_object() : NULL;
	if (!json)
		printf("%s %s (edition %s%s%s%s)\n", table, code, ed->edition,
		       ed->effective[0] != '\0' ? ", in force since " : "", ed->effective,
		       ed->complete ? "" : "; table known to be partial");
	for (i = 0; i < n; i++) {
		const char *v = vals[i];

		if (strcmp(table, "hs") == 0 &&
		    (strcmp(names[i], "unit1") == 0 || strcmp(names[i], "unit2") == 0)) {
			unit_name(c, vals[i], date, unit, sizeof(unit));
			v = unit;
		}
		if (json)
			json_object_set_new(row, names[i], json_string(v));
		else
			printf("  %-12s %s\n", names[i], v);
	}
	if (json)
		put_json(json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "table", table, "code", code,
				   "edition", ed->edition, "effective", ed->effective, "complete",
				   ed->complete, "row", row));
	cg_codes_close(c);
	return CLI_OK;
}

static int
do_import(cg_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "edition", required_argument, NULL, 'e' }, { "effective", required_argument, NULL, 'd' },
		{ "complete", no_argument, NULL, 'c' },	     { "source", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },  { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cg_codes_import_opts o = { 0 };
	char dir[4096];
	size_t rows = 0;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'e': o.edition = optarg; break;
		case 'd': o.effective = optarg; break;
		case 'c': o.complete = true; break;
		case 's': o.source = optarg; break;
		case 'o': o.outdir = optarg; break;
		case 'h': return usage(true);
		default: return usage(false);
		}
	}
	if (argc - optind != 2 || o.edition == NULL || o.effective == NULL)
		return usage(false);
	o.table = argv[optind];
	if (o.outdir == NULL)
		o.outdir = codes_dir(dir, sizeof(dir));
	if (cg_codes_import(ctx, argv[optind + 1], &o, &rows) != CG_OK) {
		cli_err("%s: refused: %s", argv[optind + 1], cg_ctx_errmsg(ctx));
		return CLI_INVALID;
	}
	printf("%s/%s/%s.tsv: %zu rows, edition %s in force from %s%s\n", o.outdir, o.table,
	       o.edition, rows, o.edition, o.effective, o.complete ? ", complete" : ", partial");
	return CLI_OK;
}

/* Cells that differ between the two rows, as "col: a -> b; ..." (same column names only). */
static bool
row_changes(const cg_codes *c, const char *table, const char *a, const char *b,
	    const char *code, char *buf, size_t size)
{
	const char *na[MAX_CELLS], *va[MAX_CELLS], *nb[MAX_CELLS], *vb[MAX_CELLS];
	size_t n = cg_codes_show_edition(c, table, a, code, na, va, MAX_CELLS);
	size_t m = cg_codes_show_edition(c, table, b, code, nb, vb, MAX_CELLS);
	size_t i, k, used = 0;

	buf[0] = '\0';
	for (i = 1; i < n; i++) {
		for (k = 1; k < m; k++) {
			int w;

			if (strcmp(na[i], nb[k]) != 0 || strcmp(va[i], vb[k]) == 0)
				continue;
			w = snprintf(buf + used, size - used, "%s%s: %s -> %s", used > 0 ? "; " : "",
				     na[i], va[i], vb[k]);
			if (w > 0 && (size_t)w < size - used)
				used += (size_t)w;
		}
	}
	return used > 0;
}

static int
do_diff(cg_ctx *ctx, const char *table, const char *a, const char *b, bool json)
{
	cg_codes *c = open_codes(ctx);
	const char *const *ca, *const *cb;
	size_t na, nb, i = 0, k = 0, added = 0, removed = 0, changed = 0;
	json_t *add = json_array(), *rem = json_array(), *chg = json_array();
	char what[1024];

	if (c == NULL)
		return CLI_USAGE;
	ca = cg_codes_list(c, table, a, &na);
	cb = cg_codes_list(c, table, b, &nb);
	if (ca == NULL || cb == NULL) {
		cli_err("table %s has no edition %s (see cebgate codes list)", table,
			ca == NULL ? a : b);
		cg_codes_close(c);
		json_decref(add), json_decref(rem), json_decref(chg);
		return CLI_USAGE;
	}
	/* Both lists are sorted: walk them side by side. */
	while (i < na || k < nb) {
		int d = i == na ? 1 : k == nb ? -1 : strcmp(ca[i], cb[k]);

		if (d < 0) {
			removed++;
			if (json)
				json_array_append_new(rem, json_string(ca[i]));
			else
				printf("- %s\n", ca[i]);
			i++;
		} else if (d > 0) {
			added++;
			if (json)
				json_array_append_new(add, json_string(cb[k]));
			else
				printf("+ %s\n", cb[k]);
			k++;
		} else {
			if (row_changes(c, table, a, b, ca[i], what, sizeof(what))) {
				changed++;
				if (json)
					json_array_append_new(chg, json_pack("{s:s, s:s}", "code", ca[i],
									     "change", what));
				else
					printf("~ %s %s\n", ca[i], what);
			}
			i++, k++;
		}
	}
	if (json)
		put_json(json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "table", table, "from", a, "to",
				   b, "added", add, "removed", rem, "changed", chg));
	else
		printf("%s %s -> %s: %zu added, %zu removed, %zu changed\n", table, a, b, added,
		       removed, changed);
	if (!json)
		json_decref(add), json_decref(rem), json_decref(chg);
	cg_codes_close(c);
	return CLI_OK;
}

int
cmd_codes(int argc, char **argv)
{
	const char *date = NULL, *pos[4] = { NULL };
	bool json = false;
	size_t npos = 0;
	cg_ctx *ctx = NULL;
	int i, rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0)
		return usage(argc >= 2);
	if (strcmp(argv[1], "import") != 0) {
		for (i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--json") == 0)
				json = true;
			else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc)
				date = argv[++i];
			else if (strcmp(argv[i], "--help") == 0)
				return usage(true);
			else if (argv[i][0] == '-' || npos == 4)
				return usage(false);
			else
				pos[npos++] = argv[i];
		}
	}
	if (cg_ctx_new(&ctx) != CG_OK)
		return CLI_USAGE;
	if (strcmp(argv[1], "list") == 0 && npos == 0)
		rc = do_list(ctx, json);
	else if (strcmp(argv[1], "show") == 0 && npos == 2)
		rc = do_show(ctx, pos[0], pos[1], date, json);
	else if (strcmp(argv[1], "diff") == 0 && npos == 3)
		rc = do_diff(ctx, pos[0], pos[1], pos[2], json);
	else if (strcmp(argv[1], "import") == 0)
		rc = do_import(ctx, argc - 1, argv + 1);
	else
		rc = usage(false);
	cg_ctx_free(ctx);
	return rc;
}
