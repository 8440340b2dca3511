/* SPDX-License-Identifier: MIT */
/*
 * validate_bench: single-thread throughput of cg_validate_buffer() against a
 * libxml2 parse-only baseline, on the bundled CEB311 order and CEB621 inventory.
 *
 *   validate_bench [N]
 *
 * N iterations per measurement; without N (or with 0) each measurement is
 * calibrated to last about 3 s. Set CEBGATE_DATADIR to the source tree: the
 * samples are read from $CEBGATE_DATADIR/samples/xml/unsigned/.
 *
 * Per message the baseline does xmlReadMemory(XML_PARSE_NONET) + xmlFreeDoc().
 * The cebgate figure is what `cebgate validate` does per file: cg_validate_buffer()
 * (safe parse, XSD, business rules) + cg_validate_finish() + clearing the findings.
 * MB is 10^6 bytes.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <libxml/parser.h>
#include "cebgate/cebgate.h"
#include "bench_util.h"

#define TARGET_SECONDS 3.0
#define CALIBRATE_SECONDS 0.3
#define WARMUP 200

struct sample {
	const char *file;     /* under samples/xml/unsigned/ */
	unsigned flags;       /* CG_VALIDATE_* */
	char *data;
	size_t len;
	double parse_rate;    /* messages/s */
	double validate_rate;
};

struct bench {
	struct sample *s;
	cg_validator *v;
	cg_ctx *ctx;
	cg_findings *f;
	int failed;
};

typedef int (*step_fn)(struct bench *b);

/* Baseline: what any libxml2-based gateway pays at least. */
static int
step_parse(struct bench *b)
{
	xmlDocPtr doc = xmlReadMemory(b->s->data, (int)b->s->len, "input.xml", NULL,
				      XML_PARSE_NONET);

	if (doc == NULL)
		return -1;
	xmlFreeDoc(doc);
	return 0;
}

static int
step_validate(struct bench *b)
{
	int valid = 0;

	if (cg_validate_buffer(b->v, b->ctx, b->s->data, b->s->len, b->s->file, b->f,
			       &valid) != CG_OK ||
	    cg_validate_finish(b->v, b->ctx, b->f) != CG_OK || !valid ||
	    cg_findings_count_sev(b->f, CG_SEV_ERROR) != 0)
		return -1;
	cg_findings_clear(b->f);
	return 0;
}

/* Run @p fn @p n times; returns the elapsed seconds, or a negative value on failure. */
static double
run(struct bench *b, step_fn fn, unsigned long n)
{
	double t0 = clock_s(CLOCK_MONOTONIC);
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (fn(b) != 0)
			return -1.0;
	}
	return clock_s(CLOCK_MONOTONIC) - t0;
}

/* Messages per second of @p fn, over @p n iterations or calibrated to ~3 s when n is 0. */
static double
measure(struct bench *b, const char *what, step_fn fn, unsigned long n)
{
	double secs, rate;

	if (run(b, fn, WARMUP) < 0)
		goto fail;
	if (n == 0) {
		unsigned long probe = 0;
		double t0 = clock_s(CLOCK_MONOTONIC);

		do {
			if (run(b, fn, 100) < 0)
				goto fail;
			probe += 100;
		} while (clock_s(CLOCK_MONOTONIC) - t0 < CALIBRATE_SECONDS);
		n = (unsigned long)((double)probe / (clock_s(CLOCK_MONOTONIC) - t0) * TARGET_SECONDS) + 1;
	}
	secs = run(b, fn, n);
	if (secs < 0)
		goto fail;
	rate = (double)n / secs;
	printf("%-24s %-18s %9lu %7.3f %11.0f %8.1f %8.2f\n", b->s->file, what, n, secs, rate,
	       rate * (double)b->s->len / 1e6, 1e6 / rate);
	return rate;
fail:
	fprintf(stderr, "validate_bench: %s: %s failed\n", b->s->file, what);
	if (cg_findings_count(b->f) > 0) {
		const cg_finding *x = cg_findings_get(b->f, 0);

		fprintf(stderr, "  first finding: %s %s %s\n", x->code, x->xpath,
			x->message_en != NULL ? x->message_en : "");
	} else {
		fprintf(stderr, "  %s\n", cg_ctx_errmsg(b->ctx));
	}
	b->failed = 1;
	return 0.0;
}

int
main(int argc, char **argv)
{
	struct sample samples[] = {
		{ "CEB311-order.xml", 0, NULL, 0, 0.0, 0.0 },
		{ "CEB621-inventory.xml", CG_VALIDATE_UNSIGNED, NULL, 0, 0.0, 0.0 },
	};
	const size_t nsamples = sizeof(samples) / sizeof(samples[0]);
	struct bench b = { NULL, NULL, NULL, NULL, 0 };
	unsigned long n = 0;
	struct rusage ru;
	const char *datadir;
	char path[4096];
	size_t i;
	int status = 1;

	if (argc > 2 || (argc == 2 && (argv[1][0] < '0' || argv[1][0] > '9'))) {
		fprintf(stderr, "usage: validate_bench [N]  (N iterations; default: about %.0f s "
				"per measurement)\n", TARGET_SECONDS);
		return 2;
	}
	if (argc == 2)
		n = strtoul(argv[1], NULL, 10);
	if (cg_global_init() != CG_OK) {
		fprintf(stderr, "validate_bench: cg_global_init failed\n");
		return 1;
	}
	datadir = cg_datadir();
	if (cg_ctx_new(&b.ctx) != CG_OK || cg_findings_new(&b.f) != CG_OK)
		goto out;
	printf("datadir %s, libxml2 %s, %s\n", datadir, xmlParserVersion,
	       n == 0 ? "about 3 s per measurement" : "fixed iteration count");
	printf("%-24s %-18s %9s %7s %11s %8s %8s\n", "file", "what", "n", "seconds", "msgs/s",
	       "MB/s", "us/msg");
	for (i = 0; i < nsamples; i++) {
		struct sample *s = &samples[i];

		if (snprintf(path, sizeof(path), "%s/samples/xml/unsigned/%s", datadir, s->file) >=
			    (int)sizeof(path) ||
		    read_file(path, &s->data, &s->len) != 0) {
			fprintf(stderr, "validate_bench: cannot read %s\n", path);
			goto out;
		}
		if (cg_validator_new(&b.v, b.ctx, datadir, s->flags) != CG_OK) {
			fprintf(stderr, "validate_bench: validator: %s\n", cg_ctx_errmsg(b.ctx));
			goto out;
		}
		b.s = s;
		s->parse_rate = measure(&b, "libxml2 parse", step_parse, n);
		s->validate_rate = measure(&b, s->flags & CG_VALIDATE_UNSIGNED
						       ? "cebgate --unsigned" : "cebgate validate",
					   step_validate, n);
		cg_validator_free(b.v);
		b.v = NULL;
	}
	if (b.failed)
		goto out;
	printf("\n%-24s %8s %11s %11s %8s\n", "file", "bytes", "parse/s", "validate/s", "ratio");
	for (i = 0; i < nsamples; i++)
		printf("%-24s %8zu %11.0f %11.0f %8.3f\n", samples[i].file, samples[i].len,
		       samples[i].parse_rate, samples[i].validate_rate,
		       samples[i].validate_rate / samples[i].parse_rate);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		printf("peak RSS %ld KiB\n", ru.ru_maxrss);
	status = 0;
out:
	for (i = 0; i < nsamples; i++)
		free(samples[i].data);
	cg_validator_free(b.v);
	cg_findings_free(b.f);
	cg_ctx_free(b.ctx);
	cg_global_shutdown();
	return status;
}
