/* SPDX-License-Identifier: MIT */
/*
 * The registry of the single window: enterprises, their signing certificates
 * and custodial keys, users and API tokens. Through a cg_service for the API
 * (admins only, audited), or through a cg_registry opened on the database
 * file for the operator's command line (`cebgate admin`).
 */
#ifndef CG_REGISTRY_H
#define CG_REGISTRY_H

#include <stdbool.h>
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

/*
 * Taking access back (admins only, audited; the next request already sees it).
 * Revoke the token named by @p which: its id, or the start (4 characters or
 * more) of the prefix the lists show; a prefix that names several tokens is
 * refused (CG_EINVAL). A revoked, expired or disabled token is refused like an
 * unknown one.
 */
CG_API cg_rc cg_service_token_revoke(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				     const char *which, char **json) CG_WARN_UNUSED;
/*
 * Disable or enable a user (@p what "users", @p key the name) or an enterprise
 * ("enterprises", its copCode): @p body is {"disabled": true|false}. A disabled
 * user's sessions and tokens, and a disabled enterprise's tokens and staff, stop at once.
 */
CG_API cg_rc cg_service_registry_set(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				     const char *what, const char *key, const char *body, size_t len,
				     char **json) CG_WARN_UNUSED;
/*
 * Revoke enterprise @p cop_code's certificate @p serial (hexadecimal): its later
 * signatures are refused (CG3018); what was accepted before stays as it is.
 */
CG_API cg_rc cg_service_certificate_revoke(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
					   const char *cop_code, const char *serial,
					   char **json) CG_WARN_UNUSED;
/*
 * Enterprise @p cop_code's certificate @p serial (hexadecimal, as KeyName):
 * {serial, enterprise, notAfter, registered, state: "registered"|"revoked"}.
 * An admin, or the enterprise itself (CG_EPERM otherwise); CG_ENOTFOUND when
 * it is not registered.
 */
CG_API cg_rc cg_service_certificate_get(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
					const char *cop_code, const char *serial,
					char **json) CG_WARN_UNUSED;
/*
 * A token's expiry as Unix time: "2027-06-30" (00:00 China Standard Time,
 * +08:00, of that day) or "2027-06-30T18:00:00+08:00" ("Z" or an offset required).
 * CG_EINVAL for anything else.
 */
CG_API cg_rc cg_parse_expiry(const char *text, long long *out) CG_WARN_UNUSED;

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
/** The same, valid until @p expires (Unix time, in the future; 0: until revoked). */
CG_API cg_rc cg_registry_new_token_until(cg_registry *reg, cg_ctx *ctx, const char *cop_code,
					 const char *user, long long expires,
					 char **token) CG_WARN_UNUSED;
/** Who the audit trail names for this registry's changes (default "operator"). */
CG_API void cg_registry_set_actor(cg_registry *reg, const char *actor);
/**
 * The list @p what: "enterprises", "users", "tokens" (id, prefix, owner,
 * created, expires, state: never the secret) or "certificates", as the JSON
 * document of the admin API ({what: [...], "count": N}).
 */
CG_API cg_rc cg_registry_list(cg_registry *reg, cg_ctx *ctx, const char *what,
			      char **json) CG_WARN_UNUSED;
/** As cg_service_token_revoke(), audited as this registry's actor. */
CG_API cg_rc cg_registry_revoke_token(cg_registry *reg, cg_ctx *ctx, const char *which,
				      char **json) CG_WARN_UNUSED;
/** Disable or enable a user ("users", name) or an enterprise ("enterprises", copCode). */
CG_API cg_rc cg_registry_set_disabled(cg_registry *reg, cg_ctx *ctx, const char *what,
				      const char *key, bool disabled, char **json) CG_WARN_UNUSED;
/** As cg_service_certificate_revoke(). */
CG_API cg_rc cg_registry_revoke_certificate(cg_registry *reg, cg_ctx *ctx, const char *cop_code,
					    const char *serial, char **json) CG_WARN_UNUSED;
/**
 * Check the audit trail end to end: in every chain each record is linked to
 * the one before it and hashes to what it says; every anchor names records
 * that are there, unchanged. @p json: {ok, records, chains, anchors,
 * broken (the first fault, when one)}. CG_ECONFLICT when broken (with the
 * report); other codes when the database could not be read.
 */
CG_API cg_rc cg_registry_audit_verify(cg_registry *reg, cg_ctx *ctx, char **json) CG_WARN_UNUSED;
/**
 * Tie the audit chains together now (an anchor naming each chain's last
 * record; cebgated writes one each minute the trail grew). @p json:
 * {anchored: false when nothing was written since the last anchor}.
 */
CG_API cg_rc cg_registry_audit_anchor(cg_registry *reg, cg_ctx *ctx, char **json) CG_WARN_UNUSED;

CG_END_DECLS
#endif
