/* SPDX-License-Identifier: MIT */
/* cg_verifier_*: the public face of the verification core (sigcheck.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <openssl/pem.h>
#include "cebgate/sig.h"
#include "sig/sigcheck.h"
#include "util/xml.h"

struct cg_verifier {
	struct cg_sigprofile profiles[CG_PROFILE_COUNT];
	X509 *pinned;
	struct cg_sm2key *pinned_sm2; /* the pinned SM2 key with its table (NULL: RSA, or EVP) */
	struct cg_sm2cache *sm2cache; /* SM2 keys met in messages: shared by the threads */
	struct cg_certcache *certs;   /* certificates met in messages, decoded: shared too */
	char *pinned_serial;
	X509_STORE *store;
	time_t now;
};

cg_rc
cg_verifier_new(cg_verifier **out, cg_ctx *ctx, const cg_verify_options *o)
{
	cg_verifier *v = calloc(1, sizeof(*v));
	cg_rc rc;

	*out = NULL;
	if (v == NULL)
		return CG_ENOMEM;
	v->now = o->now;
	rc = cg__profiles_load(v->profiles, ctx, o->uris);
	if (rc == CG_OK && o->pinned_cert != NULL)
		rc = cg__load_cert(&v->pinned, ctx, o->pinned_cert);
	/* Every message is checked against this one key: its table pays off from the third. */
	if (rc == CG_OK && v->pinned != NULL && cg__key_type(X509_get0_pubkey(v->pinned)) == CG_KEY_SM2)
		v->pinned_sm2 = cg__sm2key_new(X509_get0_pubkey(v->pinned), 1);
	if (rc == CG_OK && (v->sm2cache = cg__sm2cache_new()) == NULL)
		rc = CG_ENOMEM;
	if (rc == CG_OK && (v->certs = cg__certcache_new()) == NULL)
		rc = CG_ENOMEM;
	if (rc == CG_OK && o->pinned_serial != NULL &&
	    (v->pinned_serial = cg__strdup(o->pinned_serial)) == NULL)
		rc = CG_ENOMEM;
	if (rc == CG_OK && o->ca_file != NULL) {
		v->store = X509_STORE_new();
		if (v->store == NULL || X509_STORE_load_file(v->store, o->ca_file) != 1)
			rc = cg__fail(ctx, CG_EIO, "cannot load trust anchors from %s", o->ca_file);
	}
	if (rc != CG_OK) {
		cg_verifier_free(v);
		return rc;
	}
	*out = v;
	return CG_OK;
}

void
cg_verifier_free(cg_verifier *v)
{
	if (v == NULL)
		return;
	cg__sm2key_free(v->pinned_sm2);
	cg__sm2cache_free(v->sm2cache);
	cg__certcache_free(v->certs);
	X509_free(v->pinned);
	X509_STORE_free(v->store);
	free(v->pinned_serial);
	free(v);
}

/*
 * A DxpMsg carries the signed message base64-encoded in Data: the Data of an
 * envelope whose children are those of ceb-spec §7.1:
 * TransInfo and Data once each, AddInfo and ds:Signature at most once.
 * Anything else, a second Data above all, is refused: what is verified must
 * be the one message the envelope carries.
 */
static cg_rc
dxp_data(xmlDocPtr doc, unsigned char **raw, size_t *len)
{
	static const char *const once[] = { "TransInfo", "Data", "AddInfo" };
	int seen[4] = { 0, 0, 0, 0 };
	xmlNodePtr n, data = NULL;
	xmlChar *b64;
	size_t i;
	cg_rc rc;

	for (n = cg__xml_first_elem(xmlDocGetRootElement(doc)); n != NULL; n = cg__xml_next_elem(n)) {
		for (i = 0; i < 3 && !cg__xml_is(n, CG_NS_DXP, once[i]); i++)
			;
		if (i == 3 && !cg__xml_is(n, CG_NS_DS, "Signature"))
			return CG_EPARSE;
		if (++seen[i] > 1)
			return CG_EPARSE;
		if (i == 1)
			data = n;
	}
	if (data == NULL || seen[0] != 1)
		return CG_EPARSE;
	b64 = xmlNodeGetContent(data);
	rc = b64 != NULL ? cg__base64_decode(raw, len, (const char *)b64) : CG_ENOMEM;
	xmlFree(b64);
	return rc;
}

static cg_rc verify_bytes(cg_verifier *v, cg_ctx *ctx, const char *xml, size_t len,
			  const char *source, cg_findings *f, cg_verify_result *res, int depth,
			  const char *expect_type);

/* TransInfo/MsgType of an envelope, or NULL. */
static char *
dxp_msgtype(xmlDocPtr doc)
{
	xmlNodePtr ti, n;

	for (ti = cg__xml_first_elem(xmlDocGetRootElement(doc)); ti != NULL; ti = cg__xml_next_elem(ti)) {
		if (!cg__xml_is(ti, CG_NS_DXP, "TransInfo"))
			continue;
		for (n = cg__xml_first_elem(ti); n != NULL; n = cg__xml_next_elem(n)) {
			if (cg__xml_is(n, CG_NS_DXP, "MsgType")) {
				xmlChar *t = xmlNodeGetContent(n);
				char *s = t != NULL ? cg__strdup((const char *)t) : NULL;

				xmlFree(t);
				return s;
			}
		}
	}
	return NULL;
}

static cg_rc
verify_doc(cg_verifier *v, cg_ctx *ctx, xmlDocPtr doc, const char *xml, size_t len,
	   const char *source, cg_findings *f, cg_verify_result *res, int depth,
	   const char *expect_type)
{
	struct cg_sigcheck c = { v->profiles, v->pinned, v->pinned_serial, v->store, v->now, 1,
				 xml, len, v->pinned_sm2, v->sm2cache, v->certs, 0 };
	xmlNodePtr root = xmlDocGetRootElement(doc);
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	char inner[1024];
	cg_rc rc;

	if (cg__xml_is(root, CG_NS_DXP, "DxpMsg") && depth == 0) {
		rc = dxp_data(doc, &raw, &rawlen);
		if (rc != CG_OK)
			return rc == CG_ENOMEM ? rc
					       : cg__finding_addf(f, "CG0100", CG_SEV_ERROR, source,
								  "/dxp:DxpMsg/dxp:Data", 0, 0,
								  "信封须恰有一个TransInfo和一个base64的Data",
								  "the envelope needs one TransInfo and one base64 Data, nothing more");
		(void)snprintf(inner, sizeof(inner), "%s#Data", source);
		{
			char *type = dxp_msgtype(doc);

			rc = verify_bytes(v, ctx, (const char *)raw, rawlen, inner, f, res, depth + 1,
					  type != NULL ? type : "");
			free(type);
		}
		free(raw);
		return rc;
	}
	/* The envelope names the message it carries: they must agree. */
	if (expect_type != NULL && !xmlStrEqual(root->name, BAD_CAST expect_type))
		return cg__finding_addf(f, "CG0100", CG_SEV_ERROR, source, "", 1, 0,
					"DxpMsg的MsgType与Data中的报文类型不符",
					"the DxpMsg MsgType differs from the message in Data");
	if (root->ns == NULL || !xmlStrEqual(root->ns->href, BAD_CAST CG_NS_CEB))
		return cg__finding_addf(f, "CG0005", CG_SEV_ERROR, source, "", 1, 0,
					"不是CEB报文或DxpMsg", "not a CEB message or DxpMsg");
	return cg__sig_verify_doc(&c, ctx, doc, source, f, res);
}

static cg_rc
verify_bytes(cg_verifier *v, cg_ctx *ctx, const char *xml, size_t len, const char *source,
	     cg_findings *f, cg_verify_result *res, int depth, const char *expect_type)
{
	xmlDocPtr doc = NULL;
	/* The document is freed below, in this thread: the context's kept parser serves. */
	cg_rc rc = cg__xml_parse_keep(&doc, &ctx->xml_keep, ctx, xml, len, source, f);

	if (rc == CG_EPARSE)
		return CG_OK; /* the finding says why */
	if (rc != CG_OK)
		return rc;
	rc = verify_doc(v, ctx, doc, xml, len, source, f, res, depth, expect_type);
	xmlFreeDoc(doc);
	return rc;
}

cg_rc
cg_verify_buffer(cg_verifier *v, cg_ctx *ctx, const char *xml, size_t len, const char *source,
		 cg_findings *f, cg_verify_result *res)
{
	size_t before = cg_findings_count_sev(f, CG_SEV_ERROR);
	cg_rc rc;

	memset(res, 0, sizeof(*res));
	rc = verify_bytes(v, ctx, xml, len, source, f, res, 0, NULL);
	res->valid = rc == CG_OK && res->valid && cg_findings_count_sev(f, CG_SEV_ERROR) == before;
	return rc;
}
