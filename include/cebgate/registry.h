/* SPDX-License-Identifier: MIT */
/*
 * The registry of the single window: enterprises, their signing certificates
 * and custodial keys, users and API tokens. Through a cg_service for the API
 * (admins only, audited), or through a cg_registry opened on the database
 * file for the operator's command line (`cebgate admin`).
 */
#ifndef CG_REGISTRY_H
#define CG_REGISTRY_H

#include "cebgate/service.h"

CG_BEGIN_DECLS

/*
 * @p what is "enterprises" or "users" to list, and also "tokens" to add:
 * enterprises {copCode, name, roles, dxpId}, users {name, role, password,
 * enterprise}, tokens {enterprise} or {user} (the token is in the answer,
 * once). CG_EPERM for anyone but an admin, CG_ENOTFOUND for an unknown @p what
 * or enterprise, CG_EINVAL for bad input, CG_EEXIST when taken; audited.
 */
CG_API cg_rc cg_service_registry_list(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				      const char *what, char **json) CG_WARN_UNUSED;
CG_API cg_rc cg_service_registry_add(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				     const char *what, const char *body, size_t len,
				     char **json) CG_WARN_UNUSED;
/* Register a signing certificate (PEM or DER, at most 64 KiB) for enterprise @p cop_code. */
CG_API cg_rc cg_service_certificate_add(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
					const char *cop_code, const char *cert, size_t len,
					char **json) CG_WARN_UNUSED;
/*
 * Hand over an enterprise's signing key: JSON {"certificate", "key",
 * "passphrase"} (a PEM key, re-encrypted at once) or {"certificate",
 * "pkcs11": URI}. The enterprise itself or an admin; audited. CG_EUNAVAIL
 * when custodial signing is not configured (cg_service_set_custody()).
 */
CG_API cg_rc cg_service_custody_import(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				       const char *cop_code, const char *body, size_t len,
				       char **json) CG_WARN_UNUSED;

/** The registry of a database file, for the operator; one connection, one thread. */
typedef struct cg_registry cg_registry;

/**
 * Open (creating and migrating when needed) the database at @p path.
 * @param[out] out close with cg_registry_close(); @return CG_OK, CG_ENOMEM, CG_EDB
 */
CG_API cg_rc cg_registry_open(cg_registry **out, cg_ctx *ctx, const char *path) CG_WARN_UNUSED;
/** Release @p reg; NULL is ignored. */
CG_API void cg_registry_close(cg_registry *reg);
/**
 * Register an enterprise. @p roles is a comma-separated subset of ebp, ebc,
 * pay, logistics, agent. CG_EINVAL on a bad code or role, CG_EEXIST when the
 * copCode is registered already.
 */
CG_API cg_rc cg_registry_add_enterprise(cg_registry *reg, cg_ctx *ctx, const char *cop_code,
					const char *name, const char *roles,
					const char *dxp_id) CG_WARN_UNUSED;
/** Register a signing certificate (PEM or DER file) for an enterprise. */
CG_API cg_rc cg_registry_add_certificate(cg_registry *reg, cg_ctx *ctx, const char *cop_code,
					 const char *cert_path) CG_WARN_UNUSED;
/**
 * Add a user. @p role: "officer", "admin", "merchant" or "logistics" (the last
 * two belong to the enterprise @p cop_code). The password is kept as a scrypt
 * hash only.
 */
CG_API cg_rc cg_registry_add_user(cg_registry *reg, cg_ctx *ctx, const char *name, const char *role,
				  const char *cop_code, const char *password) CG_WARN_UNUSED;
/**
 * Issue an API token for an enterprise (@p cop_code) or a user (@p user).
 * Only its SHA-256 is stored. @param[out] token free with cg_free()
 */
CG_API cg_rc cg_registry_new_token(cg_registry *reg, cg_ctx *ctx, const char *cop_code,
				   const char *user, char **token) CG_WARN_UNUSED;

CG_END_DECLS
#endif
