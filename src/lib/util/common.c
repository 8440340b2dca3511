/* SPDX-License-Identifier: MIT */
/* Context, error reporting, process-wide initialisation and the data directory. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/catalog.h>
#include <openssl/crypto.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/io.h>
#include "util/internal.h"
#include "util/xml.h"

cg_rc
cg_ctx_new(cg_ctx **out)
{
	cg_ctx *ctx = calloc(1, sizeof(*ctx));

	*out = NULL;
	if (ctx == NULL)
		return CG_ENOMEM;
	*out = ctx;
	return CG_OK;
}

void
cg_ctx_free(cg_ctx *ctx)
{
	free(ctx);
}

void
cg_ctx_set_logger(cg_ctx *ctx, cg_log_fn fn, void *payload)
{
	ctx->log = fn;
	ctx->log_payload = payload;
}

const char *
cg_ctx_errmsg(const cg_ctx *ctx)
{
	return ctx != NULL ? ctx->errmsg : "";
}

static const char *const rc_text[] = {
	[CG_OK] = "success",
	[CG_ENOMEM] = "out of memory",
	[CG_EINVAL] = "invalid argument or input",
	[CG_EPARSE] = "malformed input",
	[CG_ESCHEMA] = "schema violation",
	[CG_ESIG] = "signature error",
	[CG_ENOTFOUND] = "not found",
	[CG_EDB] = "database error",
	[CG_ENET] = "network error",
	[CG_EIO] = "I/O error",
	[CG_ETOOBIG] = "input too large",
	[CG_EINTERNAL] = "internal error",
	[CG_EEXIST] = "exists already",
	[CG_EPERM] = "not permitted",
	[CG_ECONFLICT] = "conflicts with the current state",
	[CG_EUNAVAIL] = "not available on this service",
	[CG_EINCOMPLETE] = "input not read to the end",
	[CG_EAUTH] = "not authenticated",
};

const char *
cg_strerror(cg_rc rc)
{
	if ((unsigned)rc >= sizeof(rc_text) / sizeof(rc_text[0]))
		return "unknown error";
	return rc_text[rc];
}

cg_rc
cg__fail(cg_ctx *ctx, cg_rc rc, const char *fmt, ...)
{
	va_list ap;

	if (ctx == NULL)
		return rc;
	va_start(ap, fmt);
	/* Truncation of a diagnostic is acceptable; the code is what callers act on. */
	(void)vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	va_end(ap);
	return rc;
}

void
cg__log(cg_ctx *ctx, cg_log_level lvl, const char *fmt, ...)
{
	char msg[CG_ERRMSG_MAX];
	va_list ap;

	if (ctx == NULL || ctx->log == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log(ctx->log_payload, lvl, msg);
}

void
cg_free(void *p)
{
	free(p);
}

static void
quiet_xmlsec(const char *file, int line, const char *func, const char *obj, const char *subj,
	     int reason, const char *msg)
{
	(void)file;
	(void)line;
	(void)func;
	(void)obj;
	(void)subj;
	(void)reason;
	(void)msg;
}

cg_rc
cg_global_init(void)
{
	xmlInitParser();
	/* No catalog lookups: a catalog could map a public id to any file. */
	xmlCatalogSetDefaults(XML_CATA_ALLOW_NONE);
	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1)
		return CG_EINTERNAL;
	if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(NULL) < 0 ||
	    xmlSecCryptoInit() < 0)
		return CG_EINTERNAL;
	/* The library never prints: xmlsec's failures reach callers as return codes. */
	xmlSecErrorsSetCallback(quiet_xmlsec);
	/* xmlsec registers network I/O for reference URIs: we allow only URI="". */
	xmlSecIOCleanupCallbacks();
	/* xmlSecInit() replaced the entity loader: ours must be the one in force. */
	cg__xml_install_loader();
	/* libcurl's own set-up is not thread-safe: here, before any thread. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return CG_EINTERNAL;
	return CG_OK;
}

void
cg_global_shutdown(void)
{
	curl_global_cleanup();
	xmlSecCryptoShutdown();
	xmlSecCryptoAppShutdown();
	xmlSecShutdown();
	xmlCleanupParser();
}

static bool
dir_has_schemas(const char *dir)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/schemas/ceb-import.xsd", dir);

	return n > 0 && (size_t)n < sizeof(path) && access(path, R_OK) == 0;
}

/*
 * A program that runs from the build tree (its executable lives under
 * abs_top_builddir) uses the schemas of the source tree, so that tests and
 * developers never pick up a stale installed copy.
 */
static bool
running_uninstalled(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t blen = strlen(CG_ABS_BUILDDIR);

	if (n <= 0)
		return false;
	exe[n] = '\0';
	return strncmp(exe, CG_ABS_BUILDDIR, blen) == 0 && exe[blen] == '/';
}

const char *
cg_datadir(void)
{
	const char *env = getenv("CEBGATE_DATADIR");

	if (env != NULL && *env != '\0')
		return env;
	if (running_uninstalled() && dir_has_schemas(CG_ABS_SRCDIR))
		return CG_ABS_SRCDIR;
	if (dir_has_schemas(CG_PKGDATADIR))
		return CG_PKGDATADIR;
	return CG_ABS_SRCDIR;
}
