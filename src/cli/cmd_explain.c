/* SPDX-License-Identifier: MIT */
/* cebgate explain CODE: what a returnStatus, error or finding code means, and what to do. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include "cli.h"

int
cmd_explain(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return CLI_USAGE;
}
