/* SPDX-License-Identifier: MIT */
/* cebgate explain CODE...: what a returnStatus, error or finding code means, and what to do. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cebgate/explain.h"
#include "cli.h"

static int
show(const char *code, bool json)
{
	cg_explanation e;
	cg_rc rc = cg_explain(code, &e);

	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:b}", "code", e.code, "kind",
				      e.kind, "known", rc == CG_OK, "zh", e.zh, "en", e.en, "todo_zh",
				      e.todo_zh, "todo_en", e.todo_en, "final", e.final);
		char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

		if (text != NULL)
			puts(text);
		free(text);
		json_decref(o);
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
		fprintf(i < argc && strcmp(argv[i], "--help") == 0 ? stdout : stderr,
			"usage: cebgate explain [--json] CODE...\n"
			"  CODE: a receipt returnStatus (120, 800), a business error (-621018), a transport\n"
			"  error of the exchange platform (0002, DXP1001) or a cebgate finding (CG1004)\n"
			"exit status: 0 every code known, 1 some not in the catalogue, 2 usage\n");
		return i < argc && strcmp(argv[i], "--help") == 0 ? CLI_OK : CLI_USAGE;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") != 0)
			unknown += show(argv[i], json);
	}
	return unknown > 0 ? CLI_INVALID : CLI_OK;
}
