/* SPDX-License-Identifier: MIT */
/*
 * The declarant's setup checks behind `cebgate doctor` (docs/cli.md): the
 * key and its certificate, the identity that will be written (KeyName,
 * copCode, DXP id), the code tables in use, the single window (TLS, token,
 * the certificate registered there, the clock), the outbox and the folders
 * of a dir: channel. Each problem has a finding code (CG4001-CG4022,
 * docs/findings.md) and says in Chinese and English what to do.
 */
#ifndef CG_DOCTOR_H
#define CG_DOCTOR_H

#include "cebgate/common.h"

CG_BEGIN_DECLS

/** What to check; NULL leaves a part out (it is reported as skipped). */
typedef struct {
	unsigned version;       /* CG_DOCTOR_OPTIONS_VERSION */
	const char *key;        /* as cg_sign_options: a file or a pkcs11: URI */
	const char *cert;       /* NULL when the key's PKCS#12 file or token holds it */
	const char *passphrase;
	const char *profile;    /* "rsa-sha1", "rsa-sha256", "sm2-sm3"; NULL: from the key */
	const char *cop_code;   /* NULL: the token's enterprise, when the server says */
	const char *dxp_id;     /* the DXP SenderId, or NULL */
	const char *server;     /* the single window's API */
	const char *token;
	const char *ca_file, *client_cert, *client_key; /* TLS, as cg_submit_options */
	const char *channel;    /* "http" or "dir:PATH" */
	const char *outbox;     /* the outbox file; a missing file is not an error */
	long timeout_ms;        /* each request to the server */
	int warn_days;          /* a certificate expiring sooner is a warning */
	long max_skew;          /* seconds the clock may differ from the server's */
} cg_doctor_options;

#define CG_DOCTOR_OPTIONS_VERSION 1
#define CG_DOCTOR_OPTIONS_INIT                                                                \
	{ CG_DOCTOR_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
	  NULL, NULL, NULL, 10000, 30, 120 }

/**
 * Run every check. *@p json (free with cg_free()) is one document:
 * {"ok", "problems", "warnings", "keyName", "profile", "copCode", "checks":
 * [{"check", "status": "ok"|"warning"|"problem"|"skipped", "code", "zh",
 * "en", "fixZh", "fixEn", ...}]}; @p problems counts the checks that failed.
 * @return CG_OK when the checks ran (whatever they found), CG_ENOMEM
 */
CG_API cg_rc cg_doctor_run(cg_ctx *ctx, const cg_doctor_options *o, char **json,
			   int *problems) CG_WARN_UNUSED;

/**
 * Whether @p code is a transmitting enterprise's code: 10 customs registration
 * characters (digits and capital letters), or an 18-character unified social
 * credit code with its check character (GB 32100-2015).
 */
CG_API int cg_cop_code_valid(const char *code);
/** Whether @p id is a DXP user number: "DXP" and capital letters or digits, 16 in all. */
CG_API int cg_dxp_id_valid(const char *id);

CG_END_DECLS
#endif
