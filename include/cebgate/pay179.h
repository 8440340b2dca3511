/* SPDX-License-Identifier: MIT */
/*
 * The 179 real-time payment-data interface (ceb-spec §8): the payExInfoStr a
 * platform uploads, the string its signature covers and the signature itself.
 * The platform signs (cebgate pay179 serve); customs verifies (cebgated).
 */
#ifndef CG_PAY179_H
#define CG_PAY179_H

#include <stddef.h>
#include "cebgate/common.h"

CG_BEGIN_DECLS

/*
 * The two forms of the signing string §8.3 gives. QUOTED is what the
 * implementations in production sign: each first-level item as
 * "name":"value", the JSON of the head and the lists embedded unescaped, the
 * plural key payExchangeInfoLists and serviceTime quoted. PLAIN is the
 * attachment's sample: the JSON unquoted, the key payExchangeInfoList,
 * serviceTime bare. Items are joined with "||".
 */
typedef enum { CG_PAY179_QUOTED = 0, CG_PAY179_PLAIN = 1 } cg_pay179_form;

/** "quoted" or "plain". */
CG_API const char *cg_pay179_form_name(cg_pay179_form form);
/** CG_EINVAL for another name. */
CG_API cg_rc cg_pay179_form_parse(const char *name, cg_pay179_form *out) CG_WARN_UNUSED;

/** Longest payExInfoStr accepted (the raw request and response are C..8000 each). */
#define CG_PAY179_MAX (256 * 1024)

/**
 * The string the signature of @p payex (a payExInfoStr, at most CG_PAY179_MAX
 * bytes) covers in @p form, built from the texts of its own head and lists,
 * byte for byte. *@p out is freed with cg_free(). CG_EINVAL (with the reason)
 * when a first-level item is missing or of the wrong type.
 */
CG_API cg_rc cg_pay179_signing_string(cg_ctx *ctx, const char *payex, size_t len,
				      cg_pay179_form form, char **out) CG_WARN_UNUSED;

typedef struct cg_pay179_signer cg_pay179_signer;

/**
 * A signer with the platform's registered key and certificate (@p key: a PEM,
 * PKCS#8 or PKCS#12 file or a pkcs11: URI, @p pass its passphrase or NULL).
 * RSA keys sign with @p digest "sha256" (default) or "sha1"; SM2 keys with SM3.
 * Refused (CG_ESIG) when the key is not the certificate's or the certificate
 * is not valid now.
 */
CG_API cg_rc cg_pay179_signer_new(cg_pay179_signer **out, cg_ctx *ctx, const char *key,
				  const char *pass, const char *cert, const char *digest,
				  cg_pay179_form form) CG_WARN_UNUSED;
CG_API void cg_pay179_signer_free(cg_pay179_signer *s);
/** The certNo the signer writes: the certificate's serial, zero-padded lower-case hex. */
CG_API const char *cg_pay179_signer_certno(const cg_pay179_signer *s);

/**
 * Sign @p payex (sessionID, payExchangeInfoHead, payExchangeInfoLists,
 * serviceTime): *@p out is the same JSON with certNo and signValue added.
 * The result is verified against the signer's own certificate before it is
 * returned, so a certNo or signValue that is empty, or a signature that does
 * not cover the string, never leaves.
 */
CG_API cg_rc cg_pay179_sign(cg_pay179_signer *s, cg_ctx *ctx, const char *payex, size_t len,
			    char **out) CG_WARN_UNUSED;

/**
 * Verify a signed payExInfoStr against the certificate @p cert (DER or PEM,
 * @p cert_len bytes): CG_OK with the form that matched in *@p form (either may
 * be), CG_EINVAL when certNo or signValue is missing or empty, CG_ESIG when
 * neither form verifies; cg_ctx_errmsg() says which.
 */
CG_API cg_rc cg_pay179_verify(cg_ctx *ctx, const char *payex, size_t len, const void *cert,
			      size_t cert_len, cg_pay179_form *form) CG_WARN_UNUSED;

CG_END_DECLS

#endif
