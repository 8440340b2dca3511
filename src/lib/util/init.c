/* SPDX-License-Identifier: MIT */
/*
 * Process-wide initialisation of the libraries cebgate stands on (libxml2,
 * OpenSSL, xmlsec, libcurl), with the safe settings of docs/security.md.
 */
#include "config.h"

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
