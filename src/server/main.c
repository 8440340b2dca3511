/* SPDX-License-Identifier: MIT */
/* cebgated: the single-window service. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "cebgate/cebgate.h"
#include "log.h"
#include "routes.h"
#include "server.h"

/* The only work a signal does: ask main to stop, or to reload the code tables (style.md). */
static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		srv_codes_reload_requested = 1;
	else
		stop_requested = 1;
}

static int
checking(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--check-config") == 0)
			return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct srv_config cfg;
	struct sigaction sa;
	int rc;

	/* The route list, one per line: what the OpenAPI document and the tests are made from. */
	if (argc == 2 && strcmp(argv[1], "--routes") == 0)
		return srv_routes_print(stdout) == 0 ? 0 : 1;
	rc = srv_config_load(&cfg, argc, argv);
	if (rc != 0) {
		srv_config_dispose(&cfg);
		/* --check-config answers 1 for a configuration that would not start. */
		return rc > 0 ? 0 : checking(argc, argv) ? 1 : 2;
	}
	if (cfg.check_only) {
		printf("configuration ok\n");
		srv_config_dispose(&cfg);
		return 0;
	}
	srv_log_setup(cfg.log_json, (enum srv_level)cfg.log_level);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0 ||
	    sigaction(SIGHUP, &sa, NULL) != 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	if (cg_global_init() != CG_OK) {
		fprintf(stderr, "cebgated: initialisation failed\n");
		return 2;
	}
	rc = srv_run(&cfg, &stop_requested);
	cg_global_shutdown();
	srv_config_dispose(&cfg);
	return rc == 0 ? 0 : 1;
}
