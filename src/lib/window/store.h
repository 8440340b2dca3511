/* SPDX-License-Identifier: MIT */
/*
 * The single window's storage: SQLite in WAL mode with versioned migrations,
 * prepared statements only, explicit transactions (BEGIN IMMEDIATE) and
 * synchronous=FULL, because an answer or a receipt means the data is durable.
 * A cg_store is one connection: use one per thread. Library-internal: programs
 * reach the registry through cebgate/registry.h.
 */
#ifndef CG_STORE_H
#define CG_STORE_H

#include "cebgate/common.h"
#include "cebgate/principal.h"

typedef struct cg_store cg_store;

/**
 * Open (creating and migrating when needed) the database at @p path.
 * @param[out] out new store; close with cg_store_close()
 * @return CG_OK, CG_EDB (with sqlite's message in the context)
 */
cg_rc cg_store_open(cg_store **out, cg_ctx *ctx, const char *path) CG_WARN_UNUSED;
void cg_store_close(cg_store *st);
/** Schema version after migrations. */
int cg_store_schema_version(cg_store *st);
/* CG_OK when the database answers and holds the schema this code writes; CG_EUNAVAIL otherwise. */
cg_rc cg_store_ready(cg_store *st, cg_ctx *ctx);
/** "ok" or the first problem reported by PRAGMA integrity_check; free with cg_free(). */
char *cg_store_integrity(cg_store *st);

/**
 * Register an enterprise. @p roles is a comma-separated subset of
 * ebp, ebc, pay, logistics, agent. CG_EINVAL on a bad code or role, CG_EDB
 * (message "exists") when the copCode is registered already.
 */
cg_rc cg_store_add_enterprise(cg_store *st, cg_ctx *ctx, const char *cop_code,
				     const char *name, const char *roles, const char *dxp_id) CG_WARN_UNUSED;
/** Register a signing certificate (PEM or DER file) for an enterprise. */
cg_rc cg_store_add_certificate(cg_store *st, cg_ctx *ctx, const char *cop_code,
				      const char *cert_path) CG_WARN_UNUSED;
/**
 * Add a user. @p role: "officer", "admin", "merchant" or "logistics" (the last
 * two belong to the enterprise @p cop_code). The password is kept as a scrypt
 * hash only.
 */
cg_rc cg_store_add_user(cg_store *st, cg_ctx *ctx, const char *name, const char *role,
			       const char *cop_code, const char *password) CG_WARN_UNUSED;
/** Check a password; CG_ENOTFOUND for an unknown user or a wrong password alike. */
cg_rc cg_store_login(cg_store *st, cg_ctx *ctx, const char *name, const char *password,
			    cg_principal *out) CG_WARN_UNUSED;
/**
 * Issue an API token for an enterprise (@p cop_code) or a user (@p user).
 * Only its SHA-256 is stored. @param[out] token free with cg_free()
 */
cg_rc cg_store_new_token(cg_store *st, cg_ctx *ctx, const char *cop_code, const char *user,
				char **token) CG_WARN_UNUSED;
/** Who holds @p token; CG_ENOTFOUND when it is unknown or revoked. */
cg_rc cg_store_auth_token(cg_store *st, cg_ctx *ctx, const char *token,
				 cg_principal *out) CG_WARN_UNUSED;

#endif
