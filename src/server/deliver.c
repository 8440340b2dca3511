/* SPDX-License-Identifier: MIT */
/*
 * Pushed receipts: cebgated's delivery thread (cg_deliverer, webhook.h). It
 * has its own database connection and never holds a lock a request needs;
 * writes of receipts wake it (srv_changed), and it looks on its own twice a
 * second for receipts written by other nodes and for retries that came due.
 */
#include "config.h"

#include <stdlib.h>
#include "daemon.h"

static void *
deliver_main(void *arg)
{
	struct srv *s = arg;
	cg_ctx *ctx = NULL;
	int in_flight = 0;

	if (cg_ctx_new(&ctx) != CG_OK)
		return NULL;
	while (!atomic_load(&s->deliver_stop)) {
		if (cg_deliverer_run(s->deliverer, ctx, 500, &in_flight) != CG_OK)
			srv_log(SRV_ERROR, "webhook delivery", "reason", cg_ctx_errmsg(ctx), NULL);
	}
	cg_ctx_free(ctx);
	return NULL;
}

int
srv_deliver_start(struct srv *s)
{
	cg_deliverer_options o = CG_DELIVERER_OPTIONS_INIT;
	cg_ctx *ctx = NULL;
	cg_rc rc;

	o.ca_file = s->cfg->webhook_ca;
	o.timeout_ms = s->cfg->webhook_timeout_ms;
	o.connect_timeout_ms = s->cfg->webhook_timeout_ms < o.connect_timeout_ms ? s->cfg->webhook_timeout_ms
										 : o.connect_timeout_ms;
	o.max_attempts = s->cfg->webhook_attempts;
	o.backoff_ms = s->cfg->webhook_backoff_ms;
	o.backoff_max_ms = s->cfg->webhook_backoff_max_ms;
	if (cg_ctx_new(&ctx) != CG_OK)
		return -1;
	rc = cg_deliverer_new(&s->deliverer, ctx, s->cfg->db, &o);
	if (rc != CG_OK)
		srv_log(SRV_ERROR, "cannot start webhook deliveries", "reason", cg_ctx_errmsg(ctx), NULL);
	cg_ctx_free(ctx);
	if (rc != CG_OK)
		return -1;
	atomic_store(&s->deliver_stop, 0);
	if (pthread_create(&s->deliver_thread, NULL, deliver_main, s) != 0) {
		cg_deliverer_free(s->deliverer);
		s->deliverer = NULL;
		return -1;
	}
	return 0;
}

void
srv_deliver_stop(struct srv *s)
{
	if (s->deliverer == NULL)
		return;
	atomic_store(&s->deliver_stop, 1);
	cg_deliverer_wake(s->deliverer);
	(void)pthread_join(s->deliver_thread, NULL);
	cg_deliverer_free(s->deliverer);
	s->deliverer = NULL;
}
