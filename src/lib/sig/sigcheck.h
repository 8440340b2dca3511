/* SPDX-License-Identifier: MIT */
/* The verification core, shared by cg_verify_buffer() and the signer's self-check. */
#ifndef CG_SIGCHECK_H
#define CG_SIGCHECK_H

#include <libxml/tree.h>
#include "cebgate/sig.h"
#include "sig/sigcore.h"
#include "sig/sm2verify.h"

/* Number of ds:Signature elements anywhere under @p root (root included). */
size_t cg__sig_count(xmlNodePtr root);
/* True for the roots of export declarations, whose Signature precedes ExtendMessage. */
bool cg__sig_is_export(xmlNodePtr root);

/* The ds:Signature among @p root's children, or NULL. */
xmlNodePtr cg__sig_root_signature(xmlNodePtr root);
/* The digest @p name ("sha1", "sha256", "sm3") of @p c into @p md; its length, 0 on failure. */
unsigned cg__sig_digest_of(const char *name, const cg_buf *c, unsigned char *md);

/* What the digest diagnosis (sigdiag.c) looks at. */
struct cg_sigdiag {
	xmlDocPtr doc;
	xmlNodePtr sig;               /* the message's ds:Signature */
	const char *raw;              /* the bytes parsed, or NULL */
	size_t rawlen;
	const char *digest;           /* the DigestMethod's name */
	const char *canonical_sha256; /* hex, for the message when nothing matches */
};

/*
 * Why DigestValue (@p claimed) is not the digest of @p canon: the first of the
 * usual mistakes that explains it, or "changed after signing", in @p zh / @p en.
 */
void cg__sig_diagnose_digest(const struct cg_sigdiag *d, const cg_buf *canon,
			     const unsigned char *claimed, size_t clen, char *zh, char *en,
			     size_t size);

/* Everything one verification needs besides the document. */
struct cg_sigcheck {
	const struct cg_sigprofile *profiles;
	X509 *expected;         /* the certificate must be exactly this one, or NULL */
	const char *pinned_serial;
	X509_STORE *store;      /* trust anchors, or NULL */
	time_t now;
	int crypto;             /* 0: structure and digest only (the SM2 self-check) */
	const char *raw;        /* the bytes parsed, to explain a digest made without C14N; may be NULL */
	size_t rawlen;
	const struct cg_sm2key *sm2key; /* @p expected's SM2 key with its table, or NULL */
	struct cg_sm2cache *sm2cache;   /* the SM2 keys met so far, or NULL */
	struct cg_certcache *certs;     /* the certificates met so far, or NULL */
	/*
	 * 1: the result is not shown (the service, the signer's self-check): what
	 * only it holds is left out: the subject, and the canonical SHA-256 unless
	 * the digest differs (its finding quotes it).
	 */
	int quiet;
};

/*
 * Verify the signed CEB message @p doc. Findings go to @p f under @p source,
 * steps and facts to @p res (which the caller has zeroed).
 */
cg_rc cg__sig_verify_doc(const struct cg_sigcheck *c, cg_ctx *ctx, xmlDocPtr doc,
			 const char *source, cg_findings *f, cg_verify_result *res);

/*
 * cg__sig_verify_doc() of a tree the signer parsed from its own output, whose
 * canonical digest it computed from that tree: @p digest is compared with
 * DigestValue instead of computed again. Findings under "signed".
 */
cg_rc cg__sig_check_own(const struct cg_sigcheck *c, cg_ctx *ctx, xmlDocPtr doc,
			const unsigned char *digest, unsigned digest_len, cg_findings *f,
			cg_verify_result *res);

/*
 * Re-read a freshly signed message and verify it against the signer's
 * certificate; with @p signed_info (may be NULL), also that SignedInfo's
 * canonical form in the message is exactly the @p silen bytes that were signed.
 */
cg_rc cg__sig_self_check(cg_ctx *ctx, const char *xml, size_t len,
			 const struct cg_sigprofile *profiles, X509 *cert, int crypto,
			 const char *signed_info, size_t silen);

#endif
