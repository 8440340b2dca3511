/* SPDX-License-Identifier: MIT */
/*
 * sign_bench: single-thread throughput of cg_sign_buffer() and cg_verify_buffer()
 * for the profiles rsa-sha1, rsa-sha256 (same RSA key) and sm2-sm3, on the bundled
 * CEB621 inventory and CEB311 order, plus the raw algorithm through OpenSSL's EVP
 * in the same process.
 *
 *   sign_bench [-n N] [-p PROFILE] [-s FILE] [-m WHAT] RSA_KEY RSA_CERT SM2_KEY SM2_CERT
 *
 *   -n N        N iterations per measurement (default: calibrated to about 3 s each)
 *   -p PROFILE  only this profile (rsa-sha1, rsa-sha256, sm2-sm3)
 *   -s FILE     only this sample (CEB621-inventory.xml, CEB311-order.xml)
 *   -m WHAT     only these measurements, comma-separated: sign (self-check on, the
 *               default of cg_sign_options), nocheck (self-check off), verify, floor, raw
 *
 * -n with -p/-s/-m gives a fixed run of one measurement to profile (perf record, or
 * valgrind --tool=callgrind): bench/sign_bench.sh --profile does that.
 * Set CEBGATE_DATADIR to the source tree: the samples are read from
 * $CEBGATE_DATADIR/samples/xml/unsigned/.
 *
 * Per message:
 *   sign      cg_sign_buffer() with the default options (self_check = 1) + cg_free()
 *   nocheck   the same with self_check = 0
 *   verify    cg_verify_buffer() of that profile's signed output, with a verifier
 *             pinned to the signer's certificate (the registered one), must be valid;
 *             then cg_findings_clear()
 *   floor     what any signer built on a libxml2 tree pays at least, without cebgate:
 *             xmlReadMemory(XML_PARSE_NONET), inclusive C14N 1.0 of the whole document
 *             (xmlC14NExecute, no visibility callback: the Signature is not in it yet),
 *             digest, EVP_DigestSign of a canonical SignedInfo of the real shape and
 *             size (~690 bytes with its in-scope namespace declarations),
 *             xmlDocDumpMemoryEnc of the document, xmlFreeDoc. No Signature element is
 *             built and nothing is checked.
 *   raw       EVP_DigestSign / EVP_DigestVerify of a 1,024-byte buffer with a new
 *             EVP_MD_CTX per operation (SM2: SM3 and the default id 1234567812345678,
 *             as cg_sign_buffer does it); no XML at all
 * One signer per profile and self-check setting and one verifier are created before the
 * loops (the cost of the loaded key is not in the figures). Rates are per second of the
 * process's CPU time, which is what `openssl speed` divides by (without -elapsed); the
 * wall-clock rate is printed next to it, and a line is flagged when the two differ by
 * more than 10% (the machine was busy with something else).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/opensslv.h>
#include <libxml/parser.h>
#include <libxml/c14n.h>
#include <libxml/xmlIO.h>
#include "cebgate/cebgate.h"
#include "bench_util.h"

#define TARGET_SECONDS 3.0
#define CALIBRATE_SECONDS 0.3
#define WARMUP 50
#define RAW_BYTES 1024
#define SM2_ID "1234567812345678"

enum { M_SIGN = 1, M_NOCHECK = 2, M_VERIFY = 4, M_FLOOR = 8, M_RAW = 16, M_ALL = 31 };

struct profile {
	const char *name;
	int sm2;
	const EVP_MD *(*md)(void);
	const char *sig_uri;
	const char *digest_uri;
};

/* A growing buffer for the canonical bytes of the floor measurement. */
struct obuf {
	unsigned char *p;
	size_t n, cap;
};

struct sample {
	const char *file;
	char *data;
	size_t len;
};

/* What one iteration needs. */
struct bench {
	const struct profile *p;
	const struct sample *s;
	cg_ctx *ctx;
	cg_signer *signer;
	cg_verifier *verifier;
	cg_findings *f;
	cg_verify_result *res;
	const char *signed_xml; /* for verify */
	size_t signed_len;
	EVP_PKEY *priv;         /* raw and floor */
	EVP_PKEY *pub;          /* raw: the certificate's public key */
	struct obuf c14n;       /* floor */
	unsigned char raw[RAW_BYTES];
	unsigned char sig[512];
	size_t siglen;
	const char *err;
};

typedef int (*step_fn)(struct bench *b);

static int
step_sign(struct bench *b)
{
	char *out = NULL;
	size_t outlen = 0;

	if (cg_sign_buffer(b->signer, b->ctx, b->s->data, b->s->len, &out, &outlen) != CG_OK ||
	    out == NULL || outlen == 0) {
		b->err = cg_ctx_errmsg(b->ctx);
		return -1;
	}
	cg_free(out);
	return 0;
}

static int
step_verify(struct bench *b)
{
	if (cg_verify_buffer(b->verifier, b->ctx, b->signed_xml, b->signed_len, b->s->file, b->f,
			     b->res) != CG_OK) {
		b->err = cg_ctx_errmsg(b->ctx);
		return -1;
	}
	if (!b->res->valid || cg_findings_count_sev(b->f, CG_SEV_ERROR) != 0) {
		const cg_finding *x = cg_findings_get(b->f, 0);

		b->err = x != NULL && x->message_en != NULL ? x->message_en : "not valid";
		return -1;
	}
	cg_findings_clear(b->f);
	return 0;
}

/* A new EVP context per operation, as a library signing one message at a time does. */
static EVP_MD_CTX *
raw_ctx(struct bench *b, int sign)
{
	EVP_PKEY *key = sign ? b->priv : b->pub;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	int ok;

	if (m == NULL)
		return NULL;
	if (b->p->sm2) {
		pc = EVP_PKEY_CTX_new(key, NULL);
		if (pc == NULL || EVP_PKEY_CTX_set1_id(pc, SM2_ID, strlen(SM2_ID)) <= 0) {
			EVP_PKEY_CTX_free(pc);
			EVP_MD_CTX_free(m);
			return NULL;
		}
		EVP_MD_CTX_set_pkey_ctx(m, pc);
	}
	ok = sign ? EVP_DigestSignInit(m, NULL, b->p->md(), NULL, key)
		  : EVP_DigestVerifyInit(m, NULL, b->p->md(), NULL, key);
	if (ok != 1) {
		EVP_MD_CTX_free(m);
		EVP_PKEY_CTX_free(pc);
		return NULL;
	}
	return m;
}

static void
raw_ctx_free(struct bench *b, EVP_MD_CTX *m)
{
	EVP_PKEY_CTX *pc = b->p->sm2 && m != NULL ? EVP_MD_CTX_get_pkey_ctx(m) : NULL;

	EVP_MD_CTX_free(m);
	EVP_PKEY_CTX_free(pc); /* set with EVP_MD_CTX_set_pkey_ctx(): ours to free */
}

static int
step_raw_sign(struct bench *b)
{
	EVP_MD_CTX *m = raw_ctx(b, 1);
	size_t len = sizeof(b->sig);
	int ok = m != NULL && EVP_DigestSign(m, b->sig, &len, b->raw, sizeof(b->raw)) == 1;

	raw_ctx_free(b, m);
	if (!ok) {
		b->err = "EVP_DigestSign failed";
		return -1;
	}
	b->siglen = len;
	return 0;
}

static int
step_raw_verify(struct bench *b)
{
	EVP_MD_CTX *m = raw_ctx(b, 0);
	int ok = m != NULL && EVP_DigestVerify(m, b->sig, b->siglen, b->raw, sizeof(b->raw)) == 1;

	raw_ctx_free(b, m);
	if (!ok) {
		b->err = "EVP_DigestVerify failed";
		return -1;
	}
	return 0;
}

static int
obuf_write(void *ctx, const char *data, int len)
{
	struct obuf *o = ctx;

	if (o->n + (size_t)len > o->cap) {
		size_t cap = (o->n + (size_t)len) * 2;
		unsigned char *p = realloc(o->p, cap);

		if (p == NULL)
			return -1;
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->n, data, (size_t)len);
	o->n += (size_t)len;
	return len;
}

static int
obuf_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* The floor: parse, C14N, digest, sign a SignedInfo, serialize; nothing else. */
static int
step_floor(struct bench *b)
{
	xmlDocPtr doc = xmlReadMemory(b->s->data, (int)b->s->len, "input.xml", NULL,
				      XML_PARSE_NONET);
	xmlOutputBufferPtr ob;
	unsigned char md[EVP_MAX_MD_SIZE], b64[4 * EVP_MAX_MD_SIZE / 3 + 8];
	char si[1024];
	unsigned mdlen = 0;
	xmlChar *mem = NULL;
	int r, size = 0, silen;
	EVP_MD_CTX *m;
	size_t len = sizeof(b->sig);

	if (doc == NULL)
		goto fail;
	b->c14n.n = 0;
	ob = xmlOutputBufferCreateIO(obuf_write, obuf_close, &b->c14n, NULL);
	r = ob != NULL ? xmlC14NExecute(doc, NULL, NULL, XML_C14N_1_0, NULL, 0, ob) : -1;
	if (ob == NULL || xmlOutputBufferClose(ob) < 0 || r < 0 ||
	    EVP_Digest(b->c14n.p, b->c14n.n, md, &mdlen, b->p->md(), NULL) != 1)
		goto fail;
	(void)EVP_EncodeBlock(b64, md, (int)mdlen);
	silen = snprintf(si, sizeof(si),
			 "<ds:SignedInfo xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\" "
			 "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" "
			 "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
			 "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/"
			 "REC-xml-c14n-20010315\"></ds:CanonicalizationMethod>"
			 "<ds:SignatureMethod Algorithm=\"%s\"></ds:SignatureMethod>"
			 "<ds:Reference URI=\"\"><ds:Transforms><ds:Transform Algorithm=\"http://"
			 "www.w3.org/2000/09/xmldsig#enveloped-signature\"></ds:Transform>"
			 "</ds:Transforms><ds:DigestMethod Algorithm=\"%s\"></ds:DigestMethod>"
			 "<ds:DigestValue>%s</ds:DigestValue></ds:Reference></ds:SignedInfo>",
			 b->p->sig_uri, b->p->digest_uri, (const char *)b64);
	m = raw_ctx(b, 1);
	r = m != NULL && silen > 0 && (size_t)silen < sizeof(si) &&
	    EVP_DigestSign(m, b->sig, &len, (const unsigned char *)si, (size_t)silen) == 1;
	raw_ctx_free(b, m);
	if (!r)
		goto fail;
	xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
	if (mem == NULL || size <= 0)
		goto fail;
	xmlFree(mem);
	xmlFreeDoc(doc);
	return 0;
fail:
	xmlFreeDoc(doc);
	b->err = "floor pipeline failed";
	return -1;
}

/* Run @p fn @p n times: 0 with the wall and CPU seconds, or -1 on failure. */
static int
run(struct bench *b, step_fn fn, unsigned long n, double *wall, double *cpu)
{
	double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (fn(b) != 0)
			return -1;
	}
	*wall = clock_s(CLOCK_MONOTONIC) - w0;
	*cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	return 0;
}

/* Operations per CPU second of @p fn; 0 on failure. */
static double
measure(struct bench *b, const char *file, const char *what, step_fn fn, unsigned long n)
{
	double wall, cpu, rate;

	if (run(b, fn, WARMUP, &wall, &cpu) != 0)
		goto fail;
	if (n == 0) {
		unsigned long probe = 0;
		double t0 = clock_s(CLOCK_MONOTONIC);

		do {
			if (run(b, fn, 20, &wall, &cpu) != 0)
				goto fail;
			probe += 20;
		} while (clock_s(CLOCK_MONOTONIC) - t0 < CALIBRATE_SECONDS);
		n = (unsigned long)((double)probe / (clock_s(CLOCK_MONOTONIC) - t0) *
				    TARGET_SECONDS) + 1;
	}
	if (run(b, fn, n, &wall, &cpu) != 0)
		goto fail;
	/* Per CPU second, as `openssl speed` counts (its default divisor is the CPU time). */
	rate = (double)n / cpu;
	printf("%-11s %-21s %-8s %8lu %7.3f %7.3f %10.1f %10.1f %9.1f%s\n", b->p->name, file, what, n,
	       wall, cpu, rate, (double)n / wall, 1e6 / rate,
	       cpu < 0.9 * wall ? "  (cpu < 90% of wall: other load?)" : "");
	fflush(stdout);
	return rate;
fail:
	fprintf(stderr, "sign_bench: %s %s %s failed: %s\n", b->p->name, file, what,
		b->err != NULL ? b->err : "?");
	return 0.0;
}

static EVP_PKEY *
load_key(const char *path)
{
	FILE *fp = fopen(path, "r");
	EVP_PKEY *k;

	if (fp == NULL)
		return NULL;
	k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	(void)fclose(fp);
	return k;
}

static EVP_PKEY *
load_cert_key(const char *path)
{
	FILE *fp = fopen(path, "r");
	X509 *x;
	EVP_PKEY *k;

	if (fp == NULL)
		return NULL;
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	(void)fclose(fp);
	k = x != NULL ? X509_get_pubkey(x) : NULL;
	X509_free(x);
	return k;
}

static int
new_signer(cg_signer **s, cg_ctx *ctx, const struct profile *p, const char *key,
	   const char *cert, int self_check)
{
	cg_sign_options o = CG_SIGN_OPTIONS_INIT;

	o.key = key;
	o.cert = cert;
	o.profile = p->name;
	o.self_check = self_check;
	if (cg_signer_new(s, ctx, &o) != CG_OK) {
		fprintf(stderr, "sign_bench: signer %s: %s\n", p->name, cg_ctx_errmsg(ctx));
		return -1;
	}
	return 0;
}

static unsigned
parse_what(const char *s)
{
	unsigned m = 0;
	char *copy = strdup(s), *tok, *save = NULL;

	if (copy == NULL)
		return 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "sign") == 0)
			m |= M_SIGN;
		else if (strcmp(tok, "nocheck") == 0)
			m |= M_NOCHECK;
		else if (strcmp(tok, "verify") == 0)
			m |= M_VERIFY;
		else if (strcmp(tok, "floor") == 0)
			m |= M_FLOOR;
		else if (strcmp(tok, "raw") == 0)
			m |= M_RAW;
		else
			m |= 0x100;
	}
	free(copy);
	return m;
}

static void
usage(FILE *to)
{
	fprintf(to, "usage: sign_bench [-n N] [-p PROFILE] [-s FILE] [-m sign,nocheck,verify,floor,raw]\n"
		    "                  RSA_KEY RSA_CERT SM2_KEY SM2_CERT\n");
}

#define NPROFILES 3
#define NSAMPLES 2

int
main(int argc, char **argv)
{
	static const struct profile profiles[NPROFILES] = {
		{ "rsa-sha1", 0, EVP_sha1, "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
		  "http://www.w3.org/2000/09/xmldsig#sha1" },
		{ "rsa-sha256", 0, EVP_sha256, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
		  "http://www.w3.org/2001/04/xmlenc#sha256" },
		{ "sm2-sm3", 1, EVP_sm3, "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3",
		  "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3" },
	};
	struct sample samples[NSAMPLES] = {
		{ "CEB621-inventory.xml", NULL, 0 },
		{ "CEB311-order.xml", NULL, 0 },
	};
	/* rates[profile][sample][0 sign, 1 nocheck, 2 verify, 3 floor]; raw[profile][0 sign, 1 verify] */
	double rates[NPROFILES][NSAMPLES][4] = { { { 0 } } }, raw[NPROFILES][2] = { { 0 } };
	size_t signed_len[NPROFILES][NSAMPLES] = { { 0 } };
	const char *only_profile = NULL, *only_sample = NULL, *datadir;
	unsigned what = M_ALL;
	unsigned long n = 0;
	struct bench b;
	cg_verify_options vo = CG_VERIFY_OPTIONS_INIT;
	struct rusage ru;
	char path[4096];
	int opt, status = 1, failed = 0;
	size_t i, j;

	memset(&b, 0, sizeof(b));
	while ((opt = getopt(argc, argv, "n:p:s:m:h")) != -1) {
		switch (opt) {
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 'p': only_profile = optarg; break;
		case 's': only_sample = optarg; break;
		case 'm': what = parse_what(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 4 || what == 0 || what > M_ALL) {
		usage(stderr);
		return 2;
	}
	if (cg_global_init() != CG_OK) {
		fprintf(stderr, "sign_bench: cg_global_init failed\n");
		return 1;
	}
	datadir = cg_datadir();
	b.res = calloc(1, sizeof(*b.res));
	if (b.res == NULL || cg_ctx_new(&b.ctx) != CG_OK || cg_findings_new(&b.f) != CG_OK)
		goto out;
	for (i = 0; i < RAW_BYTES; i++)
		b.raw[i] = (unsigned char)(i * 131 + 7);
	for (j = 0; j < NSAMPLES; j++) {
		if (snprintf(path, sizeof(path), "%s/samples/xml/unsigned/%s", datadir,
			     samples[j].file) >= (int)sizeof(path) ||
		    read_file(path, &samples[j].data, &samples[j].len) != 0) {
			fprintf(stderr, "sign_bench: cannot read %s\n", path);
			goto out;
		}
	}
	printf("datadir %s, libxml2 %s, %s, %s\n", datadir, xmlParserVersion,
	       OpenSSL_version(OPENSSL_VERSION),
	       n == 0 ? "about 3 s per measurement" : "fixed iteration count");
	printf("%-11s %-21s %-8s %8s %7s %7s %10s %10s %9s\n", "profile", "file", "what", "n",
	       "wall s", "cpu s", "ops/cpu-s", "ops/wall-s", "cpu us/op");
	for (i = 0; i < NPROFILES; i++) {
		const struct profile *p = &profiles[i];
		const char *key = argv[optind + (p->sm2 ? 2 : 0)];
		const char *cert = argv[optind + (p->sm2 ? 3 : 1)];
		cg_signer *checked = NULL, *unchecked = NULL;

		if (only_profile != NULL && strcmp(only_profile, p->name) != 0)
			continue;
		b.p = p;
		b.priv = load_key(key);
		b.pub = load_cert_key(cert);
		if (b.priv == NULL || b.pub == NULL) {
			fprintf(stderr, "sign_bench: cannot load %s or %s\n", key, cert);
			goto out;
		}
		vo.pinned_cert = cert;
		if (new_signer(&checked, b.ctx, p, key, cert, 1) != 0 ||
		    new_signer(&unchecked, b.ctx, p, key, cert, 0) != 0 ||
		    cg_verifier_new(&b.verifier, b.ctx, &vo) != CG_OK) {
			if (b.verifier == NULL && checked != NULL && unchecked != NULL)
				fprintf(stderr, "sign_bench: verifier: %s\n", cg_ctx_errmsg(b.ctx));
			cg_signer_free(checked);
			cg_signer_free(unchecked);
			goto out;
		}
		for (j = 0; j < NSAMPLES; j++) {
			char *signed_xml = NULL;

			if (only_sample != NULL && strcmp(only_sample, samples[j].file) != 0)
				continue;
			b.s = &samples[j];
			b.err = NULL;
			if (what & M_SIGN) {
				b.signer = checked;
				rates[i][j][0] = measure(&b, b.s->file, "sign", step_sign, n);
			}
			if (what & M_NOCHECK) {
				b.signer = unchecked;
				rates[i][j][1] = measure(&b, b.s->file, "nocheck", step_sign, n);
			}
			if (what & M_VERIFY) {
				if (cg_sign_buffer(checked, b.ctx, b.s->data, b.s->len, &signed_xml,
						   &signed_len[i][j]) != CG_OK) {
					fprintf(stderr, "sign_bench: %s %s: %s\n", p->name, b.s->file,
						cg_ctx_errmsg(b.ctx));
					failed = 1;
					continue;
				}
				b.signed_xml = signed_xml;
				b.signed_len = signed_len[i][j];
				rates[i][j][2] = measure(&b, b.s->file, "verify", step_verify, n);
				cg_free(signed_xml);
				b.signed_xml = NULL;
			}
			if (what & M_FLOOR)
				rates[i][j][3] = measure(&b, b.s->file, "floor", step_floor, n);
			for (opt = 0; opt < 4; opt++) {
				if ((what & (1u << opt)) && rates[i][j][opt] == 0.0)
					failed = 1;
			}
		}
		cg_signer_free(checked);
		cg_signer_free(unchecked);
		cg_verifier_free(b.verifier);
		b.verifier = NULL;
		if (what & M_RAW) {
			b.err = NULL;
			raw[i][0] = measure(&b, "(1024 bytes, EVP)", "raw-sign", step_raw_sign, n);
			raw[i][1] = measure(&b, "(1024 bytes, EVP)", "raw-vrfy", step_raw_verify, n);
			if (raw[i][0] == 0.0 || raw[i][1] == 0.0)
				failed = 1;
		}
		EVP_PKEY_free(b.priv);
		EVP_PKEY_free(b.pub);
		b.priv = b.pub = NULL;
	}
	if (failed)
		goto out;
	/* One line per profile and sample: the figures sign_bench.sh joins with openssl speed. */
	printf("\n%-11s %-21s %6s %6s %10s %10s %10s %10s %10s %10s\n", "profile", "file", "bytes",
	       "signed", "sign/s", "nocheck/s", "verify/s", "floor/s", "evp-sign/s", "evp-vrfy/s");
	for (i = 0; i < NPROFILES; i++) {
		if (only_profile != NULL && strcmp(only_profile, profiles[i].name) != 0)
			continue;
		for (j = 0; j < NSAMPLES; j++) {
			if (only_sample != NULL && strcmp(only_sample, samples[j].file) != 0)
				continue;
			printf("%-11s %-21s %6zu %6zu %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f\n",
			       profiles[i].name, samples[j].file, samples[j].len, signed_len[i][j],
			       rates[i][j][0], rates[i][j][1], rates[i][j][2], rates[i][j][3],
			       raw[i][0], raw[i][1]);
		}
	}
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		printf("peak RSS %ld KiB\n", ru.ru_maxrss);
	status = 0;
out:
	for (j = 0; j < NSAMPLES; j++)
		free(samples[j].data);
	cg_verifier_free(b.verifier);
	EVP_PKEY_free(b.priv);
	EVP_PKEY_free(b.pub);
	free(b.c14n.p);
	cg_findings_free(b.f);
	cg_ctx_free(b.ctx);
	free(b.res);
	cg_global_shutdown();
	return status;
}
