/* SPDX-License-Identifier: MIT */
/* /metrics: request counters, review gauges, group commits and the request-duration histogram. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include "answer.h"
#include "conns.h"
#include "daemon.h"

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

enum MHD_Result
srv_metrics_reply(struct srv *s, struct MHD_Connection *c)
{
	cg_service *svc = srv_thread_service(s);
	long long queued = -1, waiting = -1, oldest = -1;
	cg_ctx *ctx = NULL;
	char buf[16384];
	size_t n, b;
	unsigned long cumulative = 0;
	long parked;

	if (svc != NULL && cg_ctx_new(&ctx) == CG_OK &&
	    cg_service_gauges(svc, ctx, &queued, &waiting, &oldest) != CG_OK)
		queued = waiting = oldest = -1;
	cg_ctx_free(ctx);
	pthread_mutex_lock(&s->park_lock);
	parked = s->nparked;
	pthread_mutex_unlock(&s->park_lock);
	(void)snprintf(buf, sizeof(buf),
		       "# TYPE cebgate_requests_total counter\ncebgate_requests_total %lu\n"
		       "# TYPE cebgate_submissions_total counter\ncebgate_submissions_total %lu\n"
		       "# TYPE cebgate_submissions_accepted_total counter\n"
		       "cebgate_submissions_accepted_total %lu\n"
		       "# TYPE cebgate_receipts_served_total counter\ncebgate_receipts_served_total %lu\n"
		       "# TYPE cebgate_errors_total counter\ncebgate_errors_total %lu\n",
		       atomic_load(&s->requests), atomic_load(&s->submissions),
		       atomic_load(&s->accepted), atomic_load(&s->receipts_served),
		       atomic_load(&s->errors));
	n = strlen(buf);
	(void)snprintf(buf + n, sizeof(buf) - n,
		       "# TYPE cebgate_review_queue_depth gauge\ncebgate_review_queue_depth %lld\n"
		       "# TYPE cebgate_inventories_waiting gauge\ncebgate_inventories_waiting %lld\n"
		       "# TYPE cebgate_review_oldest_seconds gauge\ncebgate_review_oldest_seconds %lld\n"
		       "# TYPE cebgate_long_polls_waiting gauge\ncebgate_long_polls_waiting %ld\n",
		       queued, waiting, oldest, parked);
	if (s->committer != NULL) {
		unsigned long groups, messages;

		cg_committer_stats(s->committer, &groups, &messages);
		n = strlen(buf);
		(void)snprintf(buf + n, sizeof(buf) - n,
			       "# TYPE cebgate_commit_groups_total counter\ncebgate_commit_groups_total %lu\n"
			       "# TYPE cebgate_commit_messages_total counter\n"
			       "cebgate_commit_messages_total %lu\n",
			       groups, messages);
	}
	/* Prometheus histogram: cumulative buckets in seconds, then sum and count. */
	n = strlen(buf);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			      "# TYPE cebgate_request_duration_seconds histogram\n");
	for (b = 0; b <= LATENCY_BUCKETS && n < sizeof(buf); b++) {
		cumulative += atomic_load(&s->latency[b]);
		if (b < LATENCY_BUCKETS)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      "cebgate_request_duration_seconds_bucket{le=\"%g\"} %lu\n",
					      latency_bounds[b] / 1000.0, cumulative);
		else
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      "cebgate_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n"
					      "cebgate_request_duration_seconds_sum %.3f\n"
					      "cebgate_request_duration_seconds_count %lu\n",
					      cumulative, atomic_load(&s->latency_ms_sum) / 1000.0, cumulative);
	}
	n = srv_codes_metrics(buf, sizeof(buf), strlen(buf));
	n = srv_conns_metrics(s->conns, buf, sizeof(buf), n);
	return srv_reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4", buf, strlen(buf), NULL);
}
