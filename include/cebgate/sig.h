/* SPDX-License-Identifier: MIT */
/*
 * Signing and verifying CEB declarations (XMLDSig, enveloped, inclusive C14N
 * 1.0, ceb-spec.md §6), and the DxpMsg envelope (§7.1).
 */
#ifndef CG_SIG_H
#define CG_SIG_H

#include <time.h>
#include "cebgate/common.h"
#include "cebgate/finding.h"
#include "cebgate/validate.h"

CG_BEGIN_DECLS

/** Options of a signer; strings are copied by cg_signer_new(). */
typedef struct {
	unsigned version;       /* CG_SIGN_OPTIONS_VERSION */
	const char *key;        /* PEM/PKCS#8 (maybe encrypted) or PKCS#12 file, or a pkcs11: URI */
	const char *cert;       /* PEM or DER certificate; NULL when the PKCS#12 file holds it */
	const char *passphrase; /* of the key file or PIN of the token; NULL when none */
	const char *profile;    /* "rsa-sha1", "rsa-sha256", "sm2-sm3"; NULL: from the key type */
	int sm2_der;            /* SM2 SignatureValue as DER instead of raw r||s (64 bytes) */
	const char *uris;       /* optional file overriding the algorithm URIs of the profiles */
	int self_check;         /* verify each output's structure and digest before it leaves (1) */
} cg_sign_options;

#define CG_SIGN_OPTIONS_VERSION 1
#define CG_SIGN_OPTIONS_INIT { CG_SIGN_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, NULL, 1 }

/** A loaded key, certificate and profile, reused for every message it signs. */
typedef struct cg_signer cg_signer;

/**
 * @param[out] out new signer; free with cg_signer_free()
 * @return CG_OK, CG_EIO (file), CG_ESIG (key, certificate or profile unusable), CG_EINVAL
 */
CG_API cg_rc cg_signer_new(cg_signer **out, cg_ctx *ctx, const cg_sign_options *opts) CG_WARN_UNUSED;
CG_API void cg_signer_free(cg_signer *s);
/**
 * A signer for another thread, with its own copy of @p s's key and
 * certificate (nothing is read again). A signer is used by one thread at a
 * time: fork one per worker (cebgate/pool.h).
 * @return CG_OK, CG_ENOMEM, CG_EUNAVAIL (a token's key, which only one thread may use)
 */
CG_API cg_rc cg_signer_fork(cg_signer **out, cg_ctx *ctx, const cg_signer *s) CG_WARN_UNUSED;
/** Whether cg_signer_fork() can copy @p s's key (not a token's). */
CG_API int cg_signer_forkable(const cg_signer *s);
/** Name of the profile in use ("sm2-sm3" ...). */
CG_API const char *cg_signer_profile(const cg_signer *s);
/** KeyName written into signatures: the certificate serial, zero-padded lowercase hex. */
CG_API const char *cg_signer_keyname(const cg_signer *s);

/**
 * Sign one CEB declaration held in memory. The document is parsed with the
 * safe parser and must not be signed already.
 * @param[out] out signed XML (UTF-8), free with cg_free(); @p outlen its length
 * @return CG_OK, CG_EPARSE (not a well-formed CEB message), CG_ESIG, CG_ENOMEM
 */
CG_API cg_rc cg_sign_buffer(cg_signer *s, cg_ctx *ctx, const char *xml, size_t len, char **out,
			    size_t *outlen) CG_WARN_UNUSED;

/** Options of a verifier. */
typedef struct {
	unsigned version;         /* CG_VERIFY_OPTIONS_VERSION */
	const char *ca_file;      /* trust anchors (PEM); NULL: the chain is not checked */
	const char *pinned_cert;  /* the only certificate accepted (PEM or DER), or NULL */
	const char *pinned_serial;/* the only serial accepted (hex), or NULL */
	time_t now;               /* validity is judged at this time; 0: the clock */
	const char *uris;         /* the same URI file as the signer's, or NULL */
} cg_verify_options;

#define CG_VERIFY_OPTIONS_VERSION 1
#define CG_VERIFY_OPTIONS_INIT { CG_VERIFY_OPTIONS_VERSION, NULL, NULL, NULL, 0, NULL }

typedef struct cg_verifier cg_verifier;

/** One step of a verification, for `cebgate verify --explain`. */
typedef struct {
	const char *name;   /* static, e.g. "digest" */
	int ok;
	char detail[256];
} cg_verify_step;

#define CG_VERIFY_MAX_STEPS 24

/** What a verification found; filled by cg_verify_buffer(). */
typedef struct {
	int valid;
	char profile[16];       /* rsa-sha1, rsa-sha256, sm2-sm3, or "" */
	char keyname[80];
	char serial[80];        /* of the certificate, zero-padded lowercase hex */
	char subject[256];
	char not_before[32];
	char not_after[32];
	char digest_method[16]; /* sha1, sha256, sm3 */
	char digest_claimed[96];  /* DigestValue as found (base64) */
	char digest_computed[96]; /* of the canonical document, same algorithm (base64) */
	char canonical_sha256[72];/* hex SHA-256 of the canonical bytes, to compare with others */
	cg_verify_step steps[CG_VERIFY_MAX_STEPS];
	size_t nsteps;
} cg_verify_result;

/*
 * A verifier is not changed by cg_verify_buffer(): several threads may verify
 * with one verifier at once, each with its own context, findings and result.
 */
CG_API cg_rc cg_verifier_new(cg_verifier **out, cg_ctx *ctx, const cg_verify_options *opts) CG_WARN_UNUSED;
CG_API void cg_verifier_free(cg_verifier *v);

/**
 * Verify a signed CEB message or a DxpMsg carrying one. Every problem is a
 * finding (CG3001-CG3016, docs/findings.md) under @p source; @p res says what
 * was checked. Structure is checked before any cryptography.
 * @return CG_OK when the document was examined (valid or not), else an error
 */
CG_API cg_rc cg_verify_buffer(cg_verifier *v, cg_ctx *ctx, const char *xml, size_t len,
			      const char *source, cg_findings *f, cg_verify_result *res) CG_WARN_UNUSED;

/** Transport envelope fields (ceb-spec §7.1). */
typedef struct {
	const char *copmsgid;  /* NULL: a new UUID */
	const char *sender_id; /* the enterprise's DXP id (at most 16 characters) */
	const char *receiver_id; /* NULL: by message type, DXPEDCCEB0000002 for import */
	const char *creat_time;  /* xs:dateTime; NULL: now (China time) */
} cg_dxp_options;

/**
 * Wrap a signed CEB message into a DxpMsg: TransInfo, base64 Data, and
 * AddInfo/FileName. A declaration that must be signed and is not, a
 * declaration addressed to another receiver than customs', and fields over
 * their lengths (ceb-spec §7.1) are refused with CG_EINVAL.
 * @param[out] out the envelope, free with cg_free()
 */
CG_API cg_rc cg_dxp_wrap(cg_ctx *ctx, const char *xml, size_t len, const cg_dxp_options *o,
			 char **out, size_t *outlen) CG_WARN_UNUSED;

/** Fields of an unwrapped envelope (strings owned by the caller: cg_free each). */
typedef struct {
	char *copmsgid;
	char *sender_id;
	char *receiver_id;
	char *msg_type;
	char *creat_time;
	char *data;       /* the decoded business message */
	size_t data_len;
} cg_dxp_message;

/**
 * Unwrap a DxpMsg: safe parse, dxp.xsd (the validator's compiled schema),
 * base64 Data, MsgType equal to the inner root, a declaration addressed to
 * customs' receiver for its direction. Problems are findings under
 * @p source; CG_OK with @p out->data NULL when the envelope was refused.
 */
CG_API cg_rc cg_dxp_unwrap(cg_validator *v, cg_ctx *ctx, const char *xml, size_t len,
			   const char *source, cg_findings *f, cg_dxp_message *out) CG_WARN_UNUSED;
CG_API void cg_dxp_message_dispose(cg_dxp_message *m);

/**
 * Make a self-signed key pair and certificate for demonstrations and tests
 * (never for declaring: real certificates come from the China E-Port CA).
 * @param sm2     1 for an SM2 key (SM3 certificate signature), 0 for RSA 2048
 * @param serial  certificate serial number
 * Writes the unencrypted PKCS#8 key to @p key_path (mode 0600) and the PEM
 * certificate to @p cert_path.
 */
CG_API cg_rc cg_make_demo_identity(cg_ctx *ctx, int sm2, const char *common_name,
				   unsigned long long serial, int days, const char *key_path,
				   const char *cert_path) CG_WARN_UNUSED;

CG_END_DECLS
#endif
