/* SPDX-License-Identifier: MIT */
/*
 * Custodial signing keys. An enterprise that opts in hands cebgated its
 * signing key once: a key file, re-encrypted at once under the service's
 * custody passphrase (PKCS#8, AES-256) in the custody directory, or a
 * PKCS#11 URI of a token whose PIN is that passphrase. The key is never
 * shown again; every signature made with it is in the audit trail.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "cebgate/registry.h"
#include "window/service_internal.h"
#include "sig/sigcore.h"

/* This file's statements, cached on the store's connection (db.h). */
enum { K_GET, K_PUT };

static const char *const sql[] = {
	[K_GET] = "SELECT key_spec, cert_path, serial FROM custody WHERE enterprise_id = $1",
	[K_PUT] = "INSERT INTO custody(enterprise_id, key_spec, cert_path, serial, created)"
		       " VALUES($1, $2, $3, $4, $5) ON CONFLICT(enterprise_id) DO UPDATE SET"
		       " key_spec = excluded.key_spec, cert_path = excluded.cert_path,"
		       " serial = excluded.serial, created = excluded.created",
};
CG_DB_MODULE(custody_sql, "custody", sql);

static cg_db_stmt *
q(cg_store *st, int id)
{
	return cg_db_prepared(cg__store_db(st), &custody_sql, id);
}


cg_rc
cg__custody_signer(cg_service *svc, cg_ctx *ctx, long long eid, cg_signer **out, char *serial,
		   size_t size)
{
	cg_store *st = cg__service_store(svc);
	cg_db_stmt *s = q(st, K_GET);
	cg_sign_options o = CG_SIGN_OPTIONS_INIT;
	const char *dir, *pass;
	char *key = NULL, *cert = NULL;
	cg_rc rc;

	*out = NULL;
	cg__service_custody(svc, &dir, &pass);
	if (s == NULL || cg_db_bind_int64(s, 1, eid) != CG_OK)
		return cg__fail(ctx, CG_EDB, "custody: %s", cg_db_errmsg(cg__store_db(st)));
	if (cg_db_step(s) != CG_DB_ROW) {
		cg_db_reset(s);
		return cg__fail(ctx, CG_ENOTFOUND, "this enterprise has no custodial key");
	}
	key = cg__strdup(cg_db_column_text(s, 0));
	cert = cg__strdup(cg_db_column_text(s, 1));
	(void)snprintf(serial, size, "%s", cg_db_column_text(s, 2));
	cg_db_reset(s);
	o.key = key;
	o.cert = cert;
	o.passphrase = pass;
	rc = key != NULL && cert != NULL ? cg_signer_new(out, ctx, &o) : CG_ENOMEM;
	free(key);
	free(cert);
	return rc;
}

/* Write @p data to @p path readable by the service alone, whole or not at all. */
static cg_rc
write_private(cg_ctx *ctx, const char *path, const void *data, size_t len)
{
	char tmp[4096];
	int fd, ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return cg__fail(ctx, CG_EINVAL, "custody path too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		char why[128];

		return cg__fail(ctx, CG_EIO, "custody: %s: %s", tmp,
				strerror_r(errno, why, sizeof(why)));
	}
	ok = write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		(void)unlink(tmp);
		return cg__fail(ctx, CG_EIO, "custody: cannot write %s", path);
	}
	return CG_OK;
}

/* PEM of @p key encrypted (PKCS#8, AES-256-CBC) under @p pass. */
static cg_rc
encrypted_pem(EVP_PKEY *key, const char *pass, char **out, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;

	*out = NULL;
	if (b == NULL || PEM_write_bio_PKCS8PrivateKey(b, key, EVP_aes_256_cbc(), NULL, 0, NULL,
						       (void *)(uintptr_t)pass) != 1) {
		BIO_free(b);
		return CG_ESIG;
	}
	n = BIO_get_mem_data(b, &p);
	*out = n > 0 ? malloc((size_t)n) : NULL;
	if (*out != NULL) {
		memcpy(*out, p, (size_t)n);
		*len = (size_t)n;
	}
	BIO_free(b);
	return *out != NULL ? CG_OK : CG_ENOMEM;
}

/* The key of the request: a PEM key (with its passphrase) that matches the certificate. */
static cg_rc
key_from_request(cg_ctx *ctx, const char *pem, const char *pass, X509 *cert, EVP_PKEY **out)
{
	BIO *b = BIO_new_mem_buf(pem, (int)strlen(pem));

	*out = b != NULL ? PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)(uintptr_t)(pass != NULL ? pass : ""))
			 : NULL;
	BIO_free(b);
	if (*out == NULL)
		return cg__fail(ctx, CG_EINVAL, "the key is not a PEM private key, or its passphrase is wrong");
	if (X509_check_private_key(cert, *out) != 1) {
		EVP_PKEY_free(*out);
		*out = NULL;
		return cg__fail(ctx, CG_EINVAL, "the key does not belong to the certificate");
	}
	return CG_OK;
}

struct import {
	const char *cop_code;
	long long eid;
	X509 *cert;
	char serial[80];
	char key_spec[4096];
	char cert_path[4096];
};

/* Keep the key (re-encrypted) and the certificate in the custody directory. */
static cg_rc
keep_files(cg_ctx *ctx, struct import *im, const char *dir, const char *pass, EVP_PKEY *key)
{
	unsigned char *der = NULL;
	char *pem = NULL;
	size_t len = 0;
	int n;
	cg_rc rc = CG_OK;

	if (snprintf(im->cert_path, sizeof(im->cert_path), "%s/%s-%s.crt", dir, im->cop_code,
		     im->serial) >= (int)sizeof(im->cert_path))
		return cg__fail(ctx, CG_EINVAL, "custody path too long");
	if (key != NULL) {
		(void)snprintf(im->key_spec, sizeof(im->key_spec), "%s/%s-%s.key", dir, im->cop_code,
			       im->serial);
		rc = encrypted_pem(key, pass, &pem, &len);
		if (rc == CG_OK)
			rc = write_private(ctx, im->key_spec, pem, len);
		if (pem != NULL)
			OPENSSL_cleanse(pem, len);
		free(pem);
	}
	n = rc == CG_OK ? i2d_X509(im->cert, &der) : 0;
	if (rc == CG_OK)
		rc = n > 0 ? write_private(ctx, im->cert_path, der, (size_t)n) : CG_ESIG;
	OPENSSL_free(der);
	return rc;
}

/* The custody row, the certificate registered, the audit row: one transaction. */
static cg_rc
record(cg_store *st, cg_ctx *ctx, const cg_principal *who, struct import *im)
{
	cg_db_stmt *s;
	char detail[200];
	cg_rc rc = cg_db_begin(cg__store_db(st), ctx);

	if (rc != CG_OK)
		return rc;
	rc = cg__store_add_cert(st, ctx, im->eid, im->cert);
	if (rc == CG_EEXIST)
		rc = CG_OK; /* registered before: signatures with it were already accepted */
	s = q(st, K_PUT);
	if (rc == CG_OK && (s == NULL || cg_db_bind_int64(s, 1, im->eid) != CG_OK ||
			    cg_db_bind_text(s, 2, im->key_spec) != CG_OK ||
			    cg_db_bind_text(s, 3, im->cert_path) != CG_OK ||
			    cg_db_bind_text(s, 4, im->serial) != CG_OK ||
			    cg_db_bind_int64(s, 5, (long long)time(NULL)) != CG_OK ||
			    cg_db_step(s) != CG_DB_DONE))
		rc = cg__fail(ctx, CG_EDB, "custody: %s", cg_db_errmsg(cg__store_db(st)));
	(void)snprintf(detail, sizeof(detail), "%s serial %s (%s)", im->cop_code, im->serial,
		       strncmp(im->key_spec, "pkcs11:", 7) == 0 ? "PKCS#11 token" : "encrypted key file");
	if (rc == CG_OK)
		rc = cg__audit(st, ctx, who->name, "custodial key", 0, detail);
	if (rc == CG_OK)
		return cg_db_commit(cg__store_db(st), ctx);
	cg_db_rollback(cg__store_db(st));
	return rc;
}

static cg_rc
import(cg_service *svc, cg_ctx *ctx, const cg_principal *who, struct import *im, json_t *b,
       char **json)
{
	const char *dir, *pass, *pem = json_string_value(json_object_get(b, "key"));
	const char *uri = json_string_value(json_object_get(b, "pkcs11"));
	const char *cert = json_string_value(json_object_get(b, "certificate"));
	cg_signer *probe = NULL;
	EVP_PKEY *key = NULL;
	cg_rc rc;

	cg__service_custody(svc, &dir, &pass);
	if (dir == NULL || pass == NULL)
		return cg__fail(ctx, CG_EUNAVAIL, "custodial signing is not configured on this service");
	if (cert == NULL || (pem == NULL) == (uri == NULL) || (uri != NULL && strncmp(uri, "pkcs11:", 7) != 0))
		return cg__fail(ctx, CG_EINVAL, "send {\"certificate\", \"key\", \"passphrase\"} or "
					       "{\"certificate\", \"pkcs11\": \"pkcs11:...\"}");
	rc = cg__parse_cert(&im->cert, ctx, cert, strlen(cert), "certificate");
	if (rc == CG_OK && pem != NULL)
		rc = key_from_request(ctx, pem, json_string_value(json_object_get(b, "passphrase")), im->cert,
				      &key);
	if (rc == CG_OK && uri != NULL && strlen(uri) >= sizeof(im->key_spec))
		rc = cg__fail(ctx, CG_EINVAL, "the PKCS#11 URI is too long");
	if (rc != CG_OK)
		return CG_EINVAL; /* the message is in ctx already */
	cg__cert_serial_hex(im->cert, im->serial, sizeof(im->serial));
	if (uri != NULL)
		(void)snprintf(im->key_spec, sizeof(im->key_spec), "%s", uri);
	rc = keep_files(ctx, im, dir, pass, key);
	EVP_PKEY_free(key);
	if (rc == CG_OK) {
		/* Prove the kept key signs before anything relies on it. */
		cg_sign_options o = CG_SIGN_OPTIONS_INIT;

		o.key = im->key_spec;
		o.cert = im->cert_path;
		o.passphrase = pass;
		rc = cg_signer_new(&probe, ctx, &o);
		if (rc != CG_OK)
			return CG_EINVAL; /* the message is in ctx already */
	}
	if (rc == CG_OK)
		rc = record(cg__service_store(svc), ctx, who, im);
	if (rc == CG_OK)
		rc = cg__json_answer(json_pack("{s:s, s:s, s:s}", "copCode", im->cop_code, "serial", im->serial,
					       "profile", cg_signer_profile(probe)),
				     json);
	cg_signer_free(probe);
	return rc;
}

cg_rc
cg_service_custody_import(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *cop_code,
			  const char *body, size_t len, char **json)
{
	struct import im = { cop_code, 0, NULL, "", "", "" };
	json_t *b;
	cg_rc rc;

	*json = NULL;
	/* An admin, or the enterprise itself (its token or its merchant staff). */
	if (who->role != CG_ROLE_ADMIN &&
	    !(who->enterprise_id != 0 && strcmp(who->cop_code, cop_code) == 0 &&
	      (who->role == CG_ROLE_ENTERPRISE || who->role == CG_ROLE_MERCHANT)))
		return cg__fail(ctx, CG_EPERM, "only the enterprise itself or an admin may hand over its key");
	rc = cg__store_enterprise(cg__service_store(svc), ctx, cop_code, &im.eid);
	if (rc == CG_ENOTFOUND)
		return cg__fail(ctx, CG_ENOTFOUND, "no such enterprise");
	if (rc != CG_OK)
		return rc;
	b = json_loadb(body != NULL ? body : "", len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(b))
		rc = cg__fail(ctx, CG_EINVAL, "the body is one JSON object");
	else
		rc = import(svc, ctx, who, &im, b, json);
	/* The key text and its passphrase do not outlive the request in our memory. */
	if (b != NULL) {
		json_t *k = json_object_get(b, "key"), *p = json_object_get(b, "passphrase");

		if (json_is_string(k))
			OPENSSL_cleanse((void *)(uintptr_t)json_string_value(k), json_string_length(k));
		if (json_is_string(p))
			OPENSSL_cleanse((void *)(uintptr_t)json_string_value(p), json_string_length(p));
	}
	json_decref(b);
	X509_free(im.cert);
	return rc;
}
