/* SPDX-License-Identifier: MIT */
/*
 * A plain libxml2 + xmlsec1 pipeline over a directory, for the side-by-side
 * table of BENCHMARKS.md (bench/side_by_side.sh): what a straightforward
 * signer or verifier built on these two libraries does, with the key loaded
 * once and nothing else of cebgate.
 *
 *   xmlsec_pipeline sign KEY CERT OUTDIR FILE...   rsa-sha256, enveloped, URI="",
 *                                                 inclusive C14N, KeyName + X509Data
 *   xmlsec_pipeline verify CERT FILE...            the one ds:Signature of each FILE
 *
 * Per file: xmlReadFile, the Signature template (sign) or the Signature found
 * (verify), xmlSecDSigCtxSign/Verify with a copy of the key, xmlSaveFile (sign).
 * Prints "files N ok M cpu_s S" (user + system CPU of the process) on stdout;
 * exit 0 when every file signed or verified.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/templates.h>
#include <xmlsec/crypto.h>
#include <openssl/bn.h>
#include <openssl/pem.h>

static double
cpu_seconds(void)
{
	struct rusage u;

	getrusage(RUSAGE_SELF, &u);
	return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
	       (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

/* KeyName: the certificate's serial in lowercase hex, whole bytes (ceb-spec §6.3). */
static int
serial_name(const char *cert, char *out, size_t size)
{
	FILE *fp = fopen(cert, "r");
	X509 *x = fp != NULL ? PEM_read_X509(fp, NULL, NULL, NULL) : NULL;
	BIGNUM *bn = x != NULL ? ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL) : NULL;
	char *h = bn != NULL ? BN_bn2hex(bn) : NULL;
	size_t i, n = h != NULL ? strlen(h) : 0;
	int ok = h != NULL && n + 2 < size;

	if (ok) {
		snprintf(out, size, "%s%s", n % 2 ? "0" : "", h);
		for (i = 0; out[i] != '\0'; i++)
			out[i] = (char)(out[i] >= 'A' && out[i] <= 'F' ? out[i] - 'A' + 'a' : out[i]);
	}
	OPENSSL_free(h);
	BN_free(bn);
	X509_free(x);
	if (fp != NULL)
		fclose(fp);
	return ok;
}

static int
sign_one(xmlSecKeyPtr key, const char *in, const char *outdir)
{
	xmlDocPtr doc = xmlReadFile(in, NULL, XML_PARSE_NONET);
	xmlNodePtr sig, ref, ki;
	xmlSecDSigCtxPtr d = NULL;
	char out[4096];
	const char *base = strrchr(in, '/');
	int ok = 0;

	if (doc == NULL || xmlDocGetRootElement(doc) == NULL)
		goto out;
	sig = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformInclC14NId,
					      xmlSecTransformRsaSha256Id, NULL, BAD_CAST "ds");
	if (sig == NULL)
		goto out;
	xmlAddChild(xmlDocGetRootElement(doc), sig);
	ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, NULL, BAD_CAST "", NULL);
	if (ref == NULL || xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) == NULL)
		goto out;
	ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
	if (ki == NULL || xmlSecTmplKeyInfoAddKeyName(ki, NULL) == NULL ||
	    xmlSecTmplKeyInfoAddX509Data(ki) == NULL)
		goto out;
	d = xmlSecDSigCtxCreate(NULL);
	if (d == NULL || (d->signKey = xmlSecKeyDuplicate(key)) == NULL ||
	    xmlSecDSigCtxSign(d, sig) < 0)
		goto out;
	snprintf(out, sizeof(out), "%s/%s", outdir, base != NULL ? base + 1 : in);
	ok = xmlSaveFile(out, doc) > 0;
out:
	if (d != NULL)
		xmlSecDSigCtxDestroy(d);
	xmlFreeDoc(doc);
	return ok;
}

static int
verify_one(xmlSecKeyPtr key, const char *in)
{
	xmlDocPtr doc = xmlReadFile(in, NULL, XML_PARSE_NONET);
	xmlNodePtr sig;
	xmlSecDSigCtxPtr d = NULL;
	int ok = 0;

	if (doc == NULL)
		goto out;
	sig = xmlSecFindNode(xmlDocGetRootElement(doc), xmlSecNodeSignature, xmlSecDSigNs);
	d = sig != NULL ? xmlSecDSigCtxCreate(NULL) : NULL;
	if (d == NULL || (d->signKey = xmlSecKeyDuplicate(key)) == NULL ||
	    xmlSecDSigCtxVerify(d, sig) < 0)
		goto out;
	ok = d->status == xmlSecDSigStatusSucceeded;
out:
	if (d != NULL)
		xmlSecDSigCtxDestroy(d);
	xmlFreeDoc(doc);
	return ok;
}

int
main(int argc, char **argv)
{
	int sign = argc >= 5 && strcmp(argv[1], "sign") == 0;
	int verify = argc >= 4 && strcmp(argv[1], "verify") == 0;
	xmlSecKeyPtr key = NULL;
	char name[80];
	int i, first, n = 0, ok = 0;
	double t0;

	if (!sign && !verify) {
		fprintf(stderr, "usage: xmlsec_pipeline sign KEY CERT OUTDIR FILE...\n"
				"       xmlsec_pipeline verify CERT FILE...\n");
		return 2;
	}
	t0 = cpu_seconds();
	xmlInitParser();
	if (xmlSecInit() < 0 || xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0)
		return 2;
	if (sign) {
		key = xmlSecCryptoAppKeyLoad(argv[2], xmlSecKeyDataFormatPem, NULL, NULL, NULL);
		if (key == NULL ||
		    xmlSecCryptoAppKeyCertLoad(key, argv[3], xmlSecKeyDataFormatPem) < 0 ||
		    !serial_name(argv[3], name, sizeof(name)) ||
		    xmlSecKeySetName(key, BAD_CAST name) < 0)
			return 2;
		first = 5;
	} else {
		key = xmlSecCryptoAppKeyLoad(argv[2], xmlSecKeyDataFormatCertPem, NULL, NULL, NULL);
		if (key == NULL)
			return 2;
		first = 3;
	}
	for (i = first; i < argc; i++, n++)
		ok += sign ? sign_one(key, argv[i], argv[4]) : verify_one(key, argv[i]);
	xmlSecKeyDestroy(key);
	xmlSecCryptoShutdown();
	xmlSecCryptoAppShutdown();
	xmlSecShutdown();
	xmlCleanupParser();
	printf("files %d ok %d cpu_s %.3f\n", n, ok, cpu_seconds() - t0);
	return ok == n ? 0 : 1;
}
