/* SPDX-License-Identifier: MIT */
/*
 * Signature profiles, canonicalization (libxml2's C14N), digests and the SM2
 * and RSA primitives (OpenSSL 3 EVP) shared by signing and verification.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/c14n.h>
#include <libxml/xmlIO.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include "sig/sigcore.h"
#include "sig/sm2verify.h"

/* ceb-spec §6.1 (202205 fixed values and the SHA-256 variant of 2018). */
static const struct cg_sigprofile defaults[CG_PROFILE_COUNT] = {
	[CG_PROFILE_RSA_SHA1] = { "rsa-sha1", CG_KEY_RSA, "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
				  "http://www.w3.org/2000/09/xmldsig#sha1", "sha1" },
	[CG_PROFILE_RSA_SHA256] = { "rsa-sha256", CG_KEY_RSA,
				    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
				    "http://www.w3.org/2001/04/xmlenc#sha256", "sha256" },
	[CG_PROFILE_SM2_SM3] = { "sm2-sm3", CG_KEY_SM2,
				 "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3",
				 "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3", "sm3" },
};

/* URIs seen in the field for the same algorithms (ceb-spec §6.4, §12 #13). */
static const struct {
	const char *uri;
	const char *digest;
} digest_aliases[] = {
	{ "http://www.w3.org/2000/09/xmldsig#sha1", "sha1" },
	{ "http://www.w3.org/2001/04/xmlenc#sha256", "sha256" },
	{ "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3", "sm3" },
	{ "http://www.w3.org/2000/09/xmldsig#sm3", "sm3" },
};
static const struct {
	const char *uri;
	int profile;
} sig_aliases[] = {
	{ "http://www.w3.org/2000/09/xmldsig#sm2-sm3", CG_PROFILE_SM2_SM3 },
};

/* A URI that is empty or does not fit would change the profile silently. */
static bool
set_uri(char *dst, size_t size, const char *v)
{
	if (*v == '\0' || strlen(v) >= size)
		return false;
	memcpy(dst, v, strlen(v) + 1);
	return true;
}

/*
 * One stripped line of a URI file: "[profile]" makes @p cur that profile, and
 * "signature = URI" or "digest = URI" sets its URI. False for anything else:
 * an unknown section or a misspelt key would silently keep the default.
 */
static bool
uri_line(struct cg_sigprofile out[CG_PROFILE_COUNT], int *cur, char *s)
{
	char *eq = strchr(s, '=');
	int i;

	if (*s == '[') {
		*cur = -1;
		for (i = 0; i < CG_PROFILE_COUNT; i++) {
			if (strlen(s) == strlen(out[i].name) + 2 &&
			    strncmp(s + 1, out[i].name, strlen(out[i].name)) == 0)
				*cur = i;
		}
		return *cur >= 0;
	}
	if (*cur < 0 || eq == NULL)
		return false;
	*eq = '\0';
	if (strcmp(cg__strip(s), "signature") == 0)
		return set_uri(out[*cur].sig_uri, sizeof(out[*cur].sig_uri), cg__strip(eq + 1));
	if (strcmp(cg__strip(s), "digest") == 0)
		return set_uri(out[*cur].digest_uri, sizeof(out[*cur].digest_uri), cg__strip(eq + 1));
	return false;
}

/* "[sm2-sm3]" sections with "signature = URI" and "digest = URI" lines. */
cg_rc
cg__profiles_load(struct cg_sigprofile out[CG_PROFILE_COUNT], cg_ctx *ctx, const char *uri_file)
{
	char line[512];
	FILE *fp;
	int cur = -1, lineno = 0;

	memcpy(out, defaults, sizeof(defaults));
	if (uri_file == NULL)
		return CG_OK;
	fp = fopen(uri_file, "r");
	if (fp == NULL)
		return cg__fail(ctx, CG_EIO, "cannot open %s", uri_file);
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *s = cg__strip(line);

		lineno++;
		if (*s == '\0' || *s == '#' || uri_line(out, &cur, s))
			continue;
		(void)fclose(fp);
		return cg__fail(ctx, CG_EPARSE,
				"%s:%d: expected [rsa-sha1], [rsa-sha256] or [sm2-sm3], then "
				"signature = URI or digest = URI (1 to 127 characters)", uri_file, lineno);
	}
	(void)fclose(fp);
	return CG_OK;
}

const EVP_MD *
cg__md_by_name(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "sha1") == 0)
		return EVP_sha1();
	if (strcmp(name, "sha256") == 0)
		return EVP_sha256();
	if (strcmp(name, "sm3") == 0)
		return EVP_sm3();
	return NULL;
}

const char *
cg__digest_for_uri(const struct cg_sigprofile *p, const char *uri)
{
	size_t i;

	/* The URIs of the loaded profiles (maybe from a --uris file) come first. */
	for (i = 0; uri != NULL && p != NULL && i < CG_PROFILE_COUNT; i++) {
		if (strcmp(uri, p[i].digest_uri) == 0)
			return p[i].digest;
	}
	for (i = 0; uri != NULL && i < sizeof(digest_aliases) / sizeof(digest_aliases[0]); i++) {
		if (strcmp(uri, digest_aliases[i].uri) == 0)
			return digest_aliases[i].digest;
	}
	return NULL;
}

int
cg__profile_for_uri(const struct cg_sigprofile *p, const char *uri)
{
	size_t i;

	if (uri == NULL)
		return -1;
	for (i = 0; i < CG_PROFILE_COUNT; i++) {
		if (strcmp(uri, p[i].sig_uri) == 0)
			return (int)i;
	}
	for (i = 0; i < sizeof(sig_aliases) / sizeof(sig_aliases[0]); i++) {
		if (strcmp(uri, sig_aliases[i].uri) == 0)
			return sig_aliases[i].profile;
	}
	return -1;
}

int
cg__profile_default_for_uri(const char *uri)
{
	int i;

	for (i = 0; uri != NULL && i < CG_PROFILE_COUNT; i++) {
		if (strcmp(uri, defaults[i].sig_uri) == 0)
			return i;
	}
	return -1;
}

static int
buf_write(void *ctx, const char *data, int len)
{
	return cg_buf_append(ctx, data, (size_t)len) == CG_OK ? len : -1;
}

static int
buf_close(void *ctx)
{
	(void)ctx;
	return 0;
}

struct visibility {
	xmlNodePtr node;
	int inside; /* 1: only inside node is visible; 0: everything but node */
};

static int
is_within(xmlNodePtr n, xmlNodePtr parent, xmlNodePtr apex)
{
	/* Attributes and namespace nodes belong to their parent element. */
	if (n != NULL && (n->type == XML_NAMESPACE_DECL || n->type == XML_ATTRIBUTE_NODE))
		n = parent;
	for (; n != NULL; n = n->parent) {
		if (n == apex)
			return 1;
		if (n->type == XML_DOCUMENT_NODE)
			break;
	}
	return 0;
}

static int
visible(void *user, xmlNodePtr node, xmlNodePtr parent)
{
	const struct visibility *v = user;
	int in = is_within(node, parent, v->node);

	return v->inside ? in : !in;
}

/*
 * libxml2's C14N walks the whole tree whatever is visible, and asks the
 * visibility callback about every node, namespace and attribute. So while a
 * canonical form is made, what cannot show in it leaves the walk: the excluded
 * subtree (the enveloped Signature) is unlinked and no callback is needed; for
 * a subtree (SignedInfo), the siblings of it and of each of its ancestors are
 * unlinked, so that only its ancestors remain outside it. Only the links of
 * the neighbours change, never the moved nodes' own, and all are put back as
 * they were: nothing is copied, merged or freed, and the output is the same
 * (ancestors keep their namespaces and xml: attributes, which is all that the
 * visible part inherits from outside).
 */
#define PRUNE_LEVELS 16

struct pruned {
	xmlNodePtr node; /* the node kept at this level (or the one cut out) */
	xmlNodePtr children, last, prev, next; /* its parent's and its own links, as they were */
};

struct prune {
	struct pruned lv[PRUNE_LEVELS];
	int n;
	int cut; /* lv[0] is a node cut out of the tree, not a node kept */
};

/* @p n out of its parent's list; its own links still say where it was. */
static void
prune_cut(struct prune *p, xmlNodePtr n)
{
	xmlNodePtr parent = n->parent;

	p->n = 0;
	p->cut = 1;
	if (parent == NULL)
		return;
	p->lv[p->n++].node = n;
	if (n->prev != NULL)
		n->prev->next = n->next;
	else
		parent->children = n->next;
	if (n->next != NULL)
		n->next->prev = n->prev;
	else
		parent->last = n->prev;
}

/* @p apex and each of its ancestors made the only child of its parent. */
static void
prune_keep(struct prune *p, xmlNodePtr apex)
{
	xmlNodePtr a;

	p->n = 0;
	p->cut = 0;
	for (a = apex; a != NULL && a->parent != NULL && p->n < PRUNE_LEVELS; a = a->parent) {
		struct pruned *l = &p->lv[p->n++];

		*l = (struct pruned){ a, a->parent->children, a->parent->last, a->prev, a->next };
		a->parent->children = a->parent->last = a;
		a->prev = a->next = NULL;
	}
}

static void
prune_undo(struct prune *p)
{
	xmlNodePtr n;

	if (p->cut && p->n == 1) {
		n = p->lv[0].node;
		if (n->prev != NULL)
			n->prev->next = n;
		else
			n->parent->children = n;
		if (n->next != NULL)
			n->next->prev = n;
		else
			n->parent->last = n;
		return;
	}
	while (!p->cut && p->n > 0) {
		const struct pruned *l = &p->lv[--p->n];

		n = l->node;
		n->parent->children = l->children;
		n->parent->last = l->last;
		n->prev = l->prev;
		n->next = l->next;
	}
}

/* C14N of @p doc as @p vis says (NULL: all of it) into @p ob, which it closes. */
static int
c14n_to(xmlDocPtr doc, const struct visibility *vis, int mode, int with_comments,
	xmlOutputBufferPtr ob)
{
	struct prune p = { .n = 0 };
	int r, closed;

	if (vis != NULL && vis->inside)
		prune_keep(&p, vis->node);
	else if (vis != NULL)
		prune_cut(&p, vis->node);
	/* Everything left in the walk is visible when the excluded node is out of it. */
	r = xmlC14NExecute(doc, vis != NULL && (vis->inside || p.n == 0) ? visible : NULL,
			   (void *)vis, mode, NULL, with_comments, ob);
	prune_undo(&p);
	closed = xmlOutputBufferClose(ob);
	return r < 0 || closed < 0 ? -1 : 0;
}

static cg_rc
c14n(xmlDocPtr doc, struct visibility *vis, int mode, int with_comments, cg_buf *out)
{
	xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(buf_write, buf_close, out, NULL);

	if (ob == NULL)
		return CG_ENOMEM;
	return c14n_to(doc, vis, mode, with_comments, ob) == 0 ? CG_OK : CG_ESIG;
}

cg_rc
cg__c14n_document(xmlDocPtr doc, xmlNodePtr exclude, int with_comments, int exclusive,
		  cg_buf *out)
{
	struct visibility vis = { exclude, 0 };

	return c14n(doc, exclude != NULL ? &vis : NULL,
		    exclusive ? XML_C14N_EXCLUSIVE_1_0 : XML_C14N_1_0, with_comments, out);
}

cg_rc
cg__c14n_subtree(xmlDocPtr doc, xmlNodePtr apex, cg_buf *out)
{
	struct visibility vis = { apex, 1 };

	return c14n(doc, &vis, XML_C14N_1_0, 0, out);
}

/* The digests being computed, both fed by one canonicalization. */
struct digests {
	EVP_MD_CTX *md, *sha256;
};

static int
md_write(void *ctx, const char *data, int len)
{
	const struct digests *d = ctx;

	if (EVP_DigestUpdate(d->md, data, (size_t)len) != 1 ||
	    (d->sha256 != NULL && EVP_DigestUpdate(d->sha256, data, (size_t)len) != 1))
		return -1;
	return len;
}

unsigned
cg__c14n_digests(xmlDocPtr doc, xmlNodePtr exclude, const EVP_MD *md, unsigned char *out,
		 unsigned char *sha256)
{
	struct visibility vis = { exclude, 0 };
	/* A SHA-256 digest is its own SHA-256: one hash, copied. */
	int also = sha256 != NULL && EVP_MD_get_type(md) != NID_sha256;
	struct digests d = { EVP_MD_CTX_new(), also ? EVP_MD_CTX_new() : NULL };
	xmlOutputBufferPtr ob = NULL;
	unsigned n = 0, m = 0;

	if (d.md == NULL || EVP_DigestInit_ex(d.md, md, NULL) != 1 ||
	    (also && (d.sha256 == NULL || EVP_DigestInit_ex(d.sha256, EVP_sha256(), NULL) != 1)))
		goto out;
	ob = xmlOutputBufferCreateIO(md_write, buf_close, &d, NULL);
	if (ob == NULL)
		goto out;
	if (c14n_to(doc, exclude != NULL ? &vis : NULL, XML_C14N_1_0, 0, ob) != 0 ||
	    EVP_DigestFinal_ex(d.md, out, &n) != 1 ||
	    (also && (EVP_DigestFinal_ex(d.sha256, sha256, &m) != 1 || m != 32)))
		n = 0;
	else if (sha256 != NULL && !also)
		memcpy(sha256, out, 32);
out:
	EVP_MD_CTX_free(d.md);
	EVP_MD_CTX_free(d.sha256);
	return n;
}

unsigned
cg__c14n_digest(xmlDocPtr doc, xmlNodePtr exclude, const EVP_MD *md, unsigned char *out)
{
	return cg__c14n_digests(doc, exclude, md, out, NULL);
}

unsigned
cg__digest(const EVP_MD *md, const void *data, size_t len, unsigned char *out)
{
	unsigned n = 0;

	if (EVP_Digest(data, len, out, &n, md, NULL) != 1)
		return 0;
	return n;
}

char *
cg__base64(const unsigned char *data, size_t len)
{
	size_t need = (len + 2) / 3 * 4 + 1;
	char *s;

	if (len > INT32_MAX / 2)
		return NULL;
	s = malloc(need);
	if (s == NULL)
		return NULL;
	(void)EVP_EncodeBlock((unsigned char *)s, data, (int)len);
	return s;
}

static EVP_MD_CTX *
sm2_ctx(EVP_PKEY *pkey, int sign, int use_id)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(pkey, NULL);
	int ok;

	if (mctx == NULL || pctx == NULL)
		goto fail;
	if (use_id && EVP_PKEY_CTX_set1_id(pctx, CG_SM2_ID, strlen(CG_SM2_ID)) <= 0)
		goto fail;
	EVP_MD_CTX_set_pkey_ctx(mctx, pctx);
	ok = sign ? EVP_DigestSignInit(mctx, NULL, EVP_sm3(), NULL, pkey)
		  : EVP_DigestVerifyInit(mctx, NULL, EVP_sm3(), NULL, pkey);
	if (ok != 1) {
		EVP_MD_CTX_free(mctx);
		EVP_PKEY_CTX_free(pctx);
		return NULL;
	}
	return mctx; /* owns nothing of pctx: freed by the caller below */
fail:
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_CTX_free(pctx);
	return NULL;
}

static void
sm2_ctx_free(EVP_MD_CTX *mctx)
{
	EVP_PKEY_CTX *pctx;

	if (mctx == NULL)
		return;
	/* EVP_MD_CTX_set_pkey_ctx() leaves the PKEY_CTX to the application. */
	pctx = EVP_MD_CTX_get_pkey_ctx(mctx);
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_CTX_free(pctx);
}

cg_rc
cg__sm2_sign(EVP_PKEY *pkey, const void *data, size_t len, int der, unsigned char *sig,
	     size_t *siglen)
{
	unsigned char dbuf[160];
	size_t dlen = sizeof(dbuf);
	EVP_MD_CTX *mctx = sm2_ctx(pkey, 1, 1);
	cg_rc rc = CG_ESIG;

	if (mctx == NULL || EVP_DigestSign(mctx, dbuf, &dlen, data, len) != 1)
		goto out;
	rc = cg__sm2_sig_out(dbuf, dlen, der, sig, siglen);
out:
	sm2_ctx_free(mctx);
	return rc;
}

cg_rc
cg__sm2_sig_out(const unsigned char *dsig, size_t dlen, int der, unsigned char *sig,
		size_t *siglen)
{
	const unsigned char *p = dsig;
	ECDSA_SIG *es;
	cg_rc rc = CG_ESIG;

	if (der) {
		if (dlen > *siglen)
			return CG_ESIG;
		memcpy(sig, dsig, dlen);
		*siglen = dlen;
		return CG_OK;
	}
	es = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
	if (es != NULL && *siglen >= 64 && BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32) == 32 &&
	    BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32) == 32) {
		*siglen = 64;
		rc = CG_OK;
	}
	ECDSA_SIG_free(es);
	return rc;
}

/* Raw r||s (64 bytes) to DER; DER input is passed through. */
static int
sm2_to_der(const unsigned char *sig, size_t siglen, unsigned char **der, int *derlen)
{
	ECDSA_SIG *es;
	BIGNUM *r, *s;

	if (siglen != 64) {
		*der = NULL;
		*derlen = -1;
		return 0;
	}
	es = ECDSA_SIG_new();
	r = BN_bin2bn(sig, 32, NULL);
	s = BN_bin2bn(sig + 32, 32, NULL);
	if (es == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
		ECDSA_SIG_free(es);
		BN_free(r);
		BN_free(s);
		return -1;
	}
	*der = NULL;
	*derlen = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	return *derlen > 0 ? 1 : -1;
}

int
cg__sm2_verify_evp(EVP_PKEY *pkey, const void *data, size_t len, const unsigned char *sig,
		   size_t siglen, int use_default_id)
{
	unsigned char *der = NULL;
	int derlen, conv = sm2_to_der(sig, siglen, &der, &derlen), r;
	EVP_MD_CTX *mctx;

	if (conv < 0)
		return -1;
	mctx = sm2_ctx(pkey, 0, use_default_id);
	if (mctx == NULL) {
		OPENSSL_free(der);
		return -1;
	}
	r = conv == 1 ? EVP_DigestVerify(mctx, der, (size_t)derlen, data, len)
		      : EVP_DigestVerify(mctx, sig, siglen, data, len);
	OPENSSL_free(der);
	sm2_ctx_free(mctx);
	ERR_clear_error();
	return r == 1 ? 1 : 0;
}

int
cg__sm2_verify(EVP_PKEY *pkey, const void *data, size_t len, const unsigned char *sig,
	       size_t siglen, int use_default_id)
{
	/* The generator's table serves every key; a key's own table only pays off when cached. */
	struct cg_sm2key *k = use_default_id ? cg__sm2key_new(pkey, 0) : NULL;
	int r;

	if (k == NULL)
		return cg__sm2_verify_evp(pkey, data, len, sig, siglen, use_default_id);
	r = cg__sm2key_verify(k, data, len, sig, siglen);
	cg__sm2key_free(k);
	return r;
}

int
cg__rsa_verify(EVP_PKEY *pkey, const EVP_MD *md, const void *data, size_t len,
	       const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	int r = 0;

	if (mctx != NULL && EVP_DigestVerifyInit(mctx, NULL, md, NULL, pkey) == 1)
		r = EVP_DigestVerify(mctx, sig, siglen, data, len) == 1;
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return r;
}
