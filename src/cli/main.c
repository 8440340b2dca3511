/* SPDX-License-Identifier: MIT */
/* cebgate: git-style front end over libcebgate. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "help.h"

/* A command's help and its line in `cebgate --help` come from its manual page (docs/man/). */
struct command {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "validate", cmd_validate },
	{ "normalize", cmd_normalize },
	{ "sign", cmd_sign },
	{ "verify", cmd_verify },
	{ "dxp", cmd_dxp },
	{ "keygen", cmd_keygen },
	{ "admin", cmd_admin },
	{ "submit", cmd_submit },
	{ "receipts", cmd_receipts },
	{ "status", cmd_status },
	{ "codes", cmd_codes },
	{ "doctor", cmd_doctor },
	{ "explain", cmd_explain },
	{ "demo", cmd_demo },
	{ "review", cmd_review },
	{ "pay179", cmd_pay179 },
};

void
cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("cebgate: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* @p fp read into a growing buffer, at most @p max + 1 bytes (one over says "too large"). */
static int
read_stream(FILE *fp, size_t max, char **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = NULL;

	for (;;) {
		char *p;
		size_t got, want;

		if (n + 1 >= cap || buf == NULL) {
			cap = buf == NULL ? cap : cap * 2;
			p = realloc(buf, cap);
			if (p == NULL)
				break;
			buf = p;
		}
		want = cap - n - 1 < max + 1 - n ? cap - n - 1 : max + 1 - n;
		got = fread(buf + n, 1, want, fp);
		n += got;
		if (got == 0 || n > max)
			break;
	}
	if (buf == NULL || ferror(fp)) {
		int err = buf == NULL ? ENOMEM : errno; /* kept for the caller's message */

		free(buf);
		errno = err;
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/*
 * A regular file no larger than @p max in one read of its size plus one byte
 * (fewer bytes back is its end; all of them, it grew: read on as a stream).
 * No stdio and no 64 KiB buffer per file: `sign` and `verify` read thousands.
 */
static int
read_regular(int fd, size_t size, char **out, size_t *len)
{
	char *buf = malloc(size + 2);
	ssize_t got;

	if (buf == NULL) {
		errno = ENOMEM;
		return -1;
	}
	do
		got = read(fd, buf, size + 1);
	while (got < 0 && errno == EINTR);
	if (got < 0 || (size_t)got > size) {
		int err = got < 0 ? errno : 0;

		free(buf);
		errno = err;
		return got < 0 ? -1 : 1;
	}
	buf[got] = '\0';
	*out = buf;
	*len = (size_t)got;
	return 0;
}

int
cli_read_file(const char *path, size_t max, char **out, size_t *len)
{
	struct stat st;
	FILE *fp;
	int fd, rc;

	*out = NULL;
	if (strcmp(path, "-") == 0)
		return read_stream(stdin, max, out, len);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uintmax_t)st.st_size <= max) {
		rc = read_regular(fd, (size_t)st.st_size, out, len);
		if (rc <= 0) {
			int err = errno;

			close(fd);
			errno = err;
			return rc;
		}
		if (lseek(fd, 0, SEEK_SET) != 0) {
			close(fd);
			return -1;
		}
	}
	fp = fdopen(fd, "rb");
	if (fp == NULL) {
		close(fd);
		return -1;
	}
	rc = read_stream(fp, max, out, len);
	fd = errno;
	fclose(fp);
	errno = fd;
	return rc;
}

int
cli_jobs(const char *arg)
{
	char *end;
	long n;

	if (arg == NULL)
		return cg_pool_cpus();
	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || n < 1 || n > 256)
		return -1;
	return (int)n;
}

char *
cli_unreadable(const char *path, int err)
{
	char buf[128];
	/* GNU strerror_r (AC_USE_SYSTEM_EXTENSIONS): the text may not be in buf. */
	const char *why = err != 0 ? strerror_r(err, buf, sizeof(buf)) : "cannot be read";

	cli_err("cannot read %s: %s", path, why);
	return strdup(why);
}

/* Runs a subcommand from inside another (the demo), as if it had been typed. */
int
cli_run(int (*cmd)(int, char **), char **argv)
{
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	optind = 0; /* GNU getopt: start afresh for each subcommand */
	return cmd(argc, argv);
}

/* -h or --help among a command's arguments (before "--"): its help is wanted, whatever else is there. */
static int
wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

static const struct command *
find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	}
	return NULL;
}

/* The command's help (each answers a lone "--help" with its usage on stdout, exit 0). */
static int
help(const struct command *cmd)
{
	char *argv[] = { (char *)cmd->name, (char *)"--help", NULL };

	return cli_run(cmd->run, argv);
}

static void
unknown(const char *name)
{
	const char *names[sizeof(commands) / sizeof(commands[0])];
	const char *near;
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		names[i] = commands[i].name;
	near = cg_nearest_word(name, names, sizeof(names) / sizeof(names[0]));
	if (near != NULL)
		cli_err("unknown command '%s' (did you mean %s?)", name, near);
	else
		cli_err("unknown command '%s'", name);
}

static void
usage(FILE *out)
{
	(void)help_print("cebgate", out);
}

int
main(int argc, char **argv)
{
	const struct command *cmd;
	int rc = CLI_USAGE;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    (strcmp(argv[1], "help") == 0 && argc == 2)) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("cebgate %s\n", PACKAGE_VERSION);
		return CLI_OK;
	}
	if (cg_global_init() != CG_OK) {
		cli_err("initialisation failed");
		return CLI_USAGE;
	}
	/* cebgate help COMMAND */
	if (strcmp(argv[1], "help") == 0) {
		cmd = find(argv[2]);
		if (cmd != NULL && argc == 3)
			rc = help(cmd);
		else if (cmd == NULL)
			unknown(argv[2]);
		else
			usage(stderr);
	} else if ((cmd = find(argv[1])) == NULL) {
		unknown(argv[1]);
		fprintf(stderr, "'cebgate --help' lists the commands.\n");
	} else if (wants_help(argc - 1, argv + 1)) {
		rc = help(cmd);
	} else {
		rc = cmd->run(argc - 1, argv + 1);
	}
	cg_global_shutdown();
	return rc;
}
