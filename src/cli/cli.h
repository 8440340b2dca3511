/* SPDX-License-Identifier: MIT */
/* The cebgate command: shared helpers of the subcommands. */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>
#include "cebgate/cebgate.h"

/* Exit codes: 0 ok, 1 invalid input or failed verification, 2 usage or I/O. */
#define CLI_OK 0
#define CLI_INVALID 1
#define CLI_USAGE 2

void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read a whole file ("-" = stdin) of at most @p max bytes (max + 1 read when larger). */
int cli_read_file(const char *path, size_t max, char **out, size_t *len);

int cmd_validate(int argc, char **argv);
int cmd_normalize(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_dxp(int argc, char **argv);
int cmd_admin(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_review(int argc, char **argv);

/* Passphrase from a file's first line or an environment variable (never argv). */
int cli_passphrase(const char *file, const char *env, char *buf, size_t size);

#endif
