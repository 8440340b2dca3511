/* SPDX-License-Identifier: MIT */
/* Looking up the generated --help texts (help.h). */
#include "config.h"

#include <string.h>
#include "help.h"

const struct help_page *
help_find(const char *key)
{
	size_t i;

	for (i = 0; i < help_pages_count; i++) {
		if (strcmp(help_pages[i].key, key) == 0)
			return &help_pages[i];
	}
	return NULL;
}

int
help_print(const char *key, FILE *out)
{
	const struct help_page *p = help_find(key);

	if (p == NULL) {
		fprintf(stderr, "%s: no manual page gives its help (docs/man/)\n", key);
		return -1;
	}
	fputs(p->text, out);
	return 0;
}
