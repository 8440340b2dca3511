/* SPDX-License-Identifier: MIT */
/*
 * /metrics in the Prometheus text format (version 0.0.4): every family with
 * its # HELP and # TYPE; answers by route and status class, submitted
 * messages by type and outcome, review gauges, group commits, the
 * request-duration histogram, the code tables and the build.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "answer.h"
#include "conns.h"
#include "daemon.h"
#include "routes.h"

/* Upper bounds (ms) of the request-duration histogram's buckets; +Inf follows. */
static const long latency_bounds[SRV_LATENCY_BUCKETS] = { 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000 };
#define LATENCY_BUCKETS SRV_LATENCY_BUCKETS

void
srv_observe_latency(struct srv *s, long ms)
{
	size_t b = 0;

	while (b < LATENCY_BUCKETS && ms > latency_bounds[b])
		b++;
	atomic_fetch_add(&s->latency[b], 1);
	atomic_fetch_add(&s->latency_ms_sum, (unsigned long)(ms > 0 ? ms : 0));
}

void
srv_observe_request(struct srv *s, int route, unsigned status)
{
	size_t row = route >= 0 && (size_t)route < srv_route_count() ? (size_t)route : SRV_MAX_ROUTES;

	if (status >= 100 && status < 600)
		atomic_fetch_add(&s->answers[row][status / 100 - 1], 1);
}

/* A label value of [A-Za-z0-9_] only, or "other": nothing to escape, a bounded set. */
static const char *
label_word(const char *v, size_t max)
{
	size_t n = v != NULL ? strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") : 0;

	return n > 0 && n < max && v[n] == '\0' ? v : "other";
}

void
srv_observe_message(struct srv *s, const char *type, const char *outcome)
{
	size_t i;

	type = label_word(type, sizeof(s->messages[0].type));
	outcome = label_word(outcome, sizeof(s->messages[0].outcome));
	pthread_mutex_lock(&s->messages_lock);
	for (i = 0; i < SRV_MESSAGE_KINDS && s->messages[i].type[0] != '\0'; i++) {
		if (strcmp(s->messages[i].type, type) == 0 && strcmp(s->messages[i].outcome, outcome) == 0)
			break;
	}
	if (i < SRV_MESSAGE_KINDS) {
		if (s->messages[i].type[0] == '\0') {
			(void)snprintf(s->messages[i].type, sizeof(s->messages[i].type), "%s", type);
			(void)snprintf(s->messages[i].outcome, sizeof(s->messages[i].outcome), "%s", outcome);
		}
		s->messages[i].n++;
	}
	pthread_mutex_unlock(&s->messages_lock);
}

/* # HELP and # TYPE of a family. */
static void
family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
answers(FILE *out, struct srv *s)
{
	size_t row, k;

	family(out, "cebgate_http_requests_total", "counter",
	       "Requests answered, by route (the route table's pattern) and status class.");
	for (row = 0; row <= SRV_MAX_ROUTES; row++) {
		const struct srv_route *r = row < SRV_MAX_ROUTES ? srv_route_at(row) : NULL;

		if (r == NULL && row < SRV_MAX_ROUTES)
			continue;
		for (k = 0; k < 5; k++) {
			unsigned long n = atomic_load(&s->answers[row][k]);

			if (n > 0)
				fprintf(out,
					"cebgate_http_requests_total{method=\"%s\",route=\"%s\",status_class=\"%zuxx\"} %lu\n",
					r != NULL ? r->method : "", r != NULL ? r->pattern : "none", k + 1, n);
		}
	}
	family(out, "cebgate_requests_aborted_total", "counter",
	       "Requests that ended before their answer was sent whole (timeout, closed by the client).");
	fprintf(out, "cebgate_requests_aborted_total %lu\n", atomic_load(&s->errors));
}

static void
messages(FILE *out, struct srv *s)
{
	size_t i;

	family(out, "cebgate_submissions_total", "counter", "Submission requests (POST /api/v1/submissions).");
	fprintf(out, "cebgate_submissions_total %lu\n", atomic_load(&s->submissions));
	family(out, "cebgate_submissions_accepted_total", "counter", "Submission requests accepted whole.");
	fprintf(out, "cebgate_submissions_accepted_total %lu\n", atomic_load(&s->accepted));
	family(out, "cebgate_messages_total", "counter",
	       "Submitted messages by message type and outcome (the status of each result).");
	pthread_mutex_lock(&s->messages_lock);
	for (i = 0; i < SRV_MESSAGE_KINDS && s->messages[i].type[0] != '\0'; i++)
		fprintf(out, "cebgate_messages_total{type=\"%s\",outcome=\"%s\"} %lu\n", s->messages[i].type,
			s->messages[i].outcome, s->messages[i].n);
	pthread_mutex_unlock(&s->messages_lock);
	family(out, "cebgate_receipts_served_total", "counter", "Receipts handed to enterprises.");
	fprintf(out, "cebgate_receipts_served_total %lu\n", atomic_load(&s->receipts_served));
}

static void
gauges(FILE *out, struct srv *s)
{
	cg_service *svc = srv_thread_service(s);
	long long queued = -1, waiting = -1, waiting_x = -1, oldest = -1;
	cg_ctx *ctx = NULL;
	long parked, submitting;

	if (svc != NULL && cg_ctx_new(&ctx) == CG_OK &&
	    cg_service_gauges(svc, ctx, &queued, &waiting, &waiting_x, &oldest) != CG_OK)
		queued = waiting = waiting_x = oldest = -1;
	cg_ctx_free(ctx);
	pthread_mutex_lock(&s->park_lock);
	parked = s->nparked;
	submitting = s->submissions_waiting;
	pthread_mutex_unlock(&s->park_lock);
	family(out, "cebgate_review_queue_depth", "gauge", "Inventories queued for an officer (-1: unknown).");
	fprintf(out, "cebgate_review_queue_depth %lld\n", queued);
	family(out, "cebgate_inventories_waiting", "gauge",
	       "Inventories waiting for their documents, import (621) or export (603) (-1: unknown).");
	fprintf(out, "cebgate_inventories_waiting{family=\"import\"} %lld\n", waiting);
	fprintf(out, "cebgate_inventories_waiting{family=\"export\"} %lld\n", waiting_x);
	family(out, "cebgate_review_oldest_seconds", "gauge", "Age of the oldest queued inventory (-1: unknown).");
	fprintf(out, "cebgate_review_oldest_seconds %lld\n", oldest);
	family(out, "cebgate_long_polls_waiting", "gauge", "Receipt long-polls waiting for news.");
	fprintf(out, "cebgate_long_polls_waiting %ld\n", parked);
	family(out, "cebgate_submissions_waiting", "gauge",
	       "Submissions being checked or waiting for their group commit, not yet answered.");
	fprintf(out, "cebgate_submissions_waiting %ld\n", submitting);
	family(out, "cebgate_db_round_trips_total", "counter",
	       "Waits for the PostgreSQL server's answer (0 on SQLite).");
	fprintf(out, "cebgate_db_round_trips_total %lu\n", cg_service_db_round_trips());
	if (s->committer != NULL) {
		unsigned long groups, messages;

		cg_committer_stats(s->committer, &groups, &messages);
		family(out, "cebgate_commit_groups_total", "counter", "Transactions of the group commit.");
		fprintf(out, "cebgate_commit_groups_total %lu\n", groups);
		family(out, "cebgate_commit_messages_total", "counter", "Messages written by the group commit.");
		fprintf(out, "cebgate_commit_messages_total %lu\n", messages);
	}
}

/* Prometheus histogram: cumulative buckets in seconds, then sum and count. */
static void
histogram(FILE *out, struct srv *s)
{
	unsigned long cumulative = 0;
	size_t b;

	family(out, "cebgate_request_duration_seconds", "histogram", "Time from a request's arrival to its end.");
	for (b = 0; b < LATENCY_BUCKETS; b++) {
		cumulative += atomic_load(&s->latency[b]);
		fprintf(out, "cebgate_request_duration_seconds_bucket{le=\"%g\"} %lu\n", latency_bounds[b] / 1000.0,
			cumulative);
	}
	cumulative += atomic_load(&s->latency[LATENCY_BUCKETS]);
	fprintf(out,
		"cebgate_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n"
		"cebgate_request_duration_seconds_sum %.3f\n"
		"cebgate_request_duration_seconds_count %lu\n",
		cumulative, atomic_load(&s->latency_ms_sum) / 1000.0, cumulative);
}

enum MHD_Result
srv_metrics_reply(struct srv *s, struct MHD_Connection *c)
{
	char *body = NULL, codes[8192];
	size_t len = 0;
	FILE *out = open_memstream(&body, &len);
	enum MHD_Result q;

	if (out == NULL)
		return srv_reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	family(out, "cebgate_build_info", "gauge", "The running cebgated's version (always 1).");
	fprintf(out, "cebgate_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
	answers(out, s);
	messages(out, s);
	gauges(out, s);
	histogram(out, s);
	codes[0] = '\0';
	(void)srv_codes_metrics(codes, sizeof(codes), 0);
	fputs(codes, out);
	codes[0] = '\0';
	(void)srv_conns_metrics(s->conns, codes, sizeof(codes), 0);
	fputs(codes, out);
	if (fclose(out) != 0 || body == NULL) {
		free(body);
		return srv_reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error");
	}
	q = srv_reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", body, len, NULL);
	free(body);
	return q;
}

void
srv_observe_submission(struct srv *s, const char *answer)
{
	json_t *o = answer != NULL ? json_loads(answer, 0, NULL) : NULL;
	json_t *results = json_object_get(o, "results"), *one;
	size_t i;

	if (json_is_array(results)) {
		json_array_foreach(results, i, one)
			srv_observe_message(s, json_string_value(json_object_get(one, "type")),
					    json_string_value(json_object_get(one, "status")));
	} else if (json_is_object(o)) {
		srv_observe_message(s, json_string_value(json_object_get(o, "type")),
				    json_string_value(json_object_get(o, "status")));
	}
	json_decref(o);
}

void
srv_observe_result(struct srv *s, const cg_submit_result *res)
{
	size_t i, n = cg_submit_result_count(res);

	for (i = 0; i < n; i++) {
		const char *type, *status;

		cg_submit_result_message(res, i, &type, &status);
		srv_observe_message(s, type, status);
	}
}
