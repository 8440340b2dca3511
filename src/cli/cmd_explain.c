/* SPDX-License-Identifier: MIT */
/* cebgate explain CODE...: what a returnStatus, error or finding code means, and what to do. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cebgate/explain.h"
#include "cli.h"
#include "help.h"

/* One code: printed, or (@p all not NULL) added to the JSON array printed at the end. */
static int
show(const char *code, json_t *all)
{
	cg_explanation e;
	cg_rc rc = cg_explain(code, &e);

	if (all != NULL) {
		(void)json_array_append_new(all, json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:b}", "code",
							   e.code, "kind", e.kind, "known", rc == CG_OK, "zh",
							   e.zh, "en", e.en, "todo_zh", e.todo_zh, "todo_en",
							   e.todo_en, "final", e.final));
	} else {
		printf("%s (%s%s)%s\n  %s\n  %s\n  处理: %s\n  to do: %s\n", e.code, e.kind,
		       rc == CG_OK ? "" : ", not in the catalogue", e.final ? ", final" : "", e.zh,
		       e.en, e.todo_zh, e.todo_en);
	}
	return rc == CG_OK ? 0 : 1;
}

int
cmd_explain(int argc, char **argv)
{
	bool json = false;
	json_t *all;
	int i, unknown = 0, codes = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--help") == 0 || argv[i][0] == '\0') {
			break;
		} else {
			codes++;
		}
	}
	if (codes == 0 || i < argc) {
		(void)help_print("cebgate explain", i < argc && strcmp(argv[i], "--help") == 0 ? stdout : stderr);
		return i < argc && strcmp(argv[i], "--help") == 0 ? CLI_OK : CLI_USAGE;
	}
	all = json ? json_array() : NULL;
	if (json && all == NULL)
		return CLI_USAGE;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") != 0)
			unknown += show(argv[i], all);
	}
	/* --json: exactly one document, whatever the number of codes. */
	if (all != NULL) {
		char *text = json_array_size(all) == (size_t)codes ? json_dumps(all, JSON_COMPACT) : NULL;

		json_decref(all);
		if (text == NULL || puts(text) < 0) {
			free(text);
			cli_err("out of memory");
			return CLI_USAGE;
		}
		free(text);
	}
	return unknown > 0 ? CLI_INVALID : CLI_OK;
}
