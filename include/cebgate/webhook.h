/* SPDX-License-Identifier: MIT */
/*
 * Pushed receipts (docs/webhooks.md): an enterprise's HTTPS endpoints, each
 * following the enterprise's receipt feed from its own position. Every receipt
 * is POSTed to each endpoint in feed order, signed with HMAC-SHA256 under the
 * endpoint's secret (shown once, at registration), at least once: the position
 * moves only when the endpoint answered 2xx. Failures are retried with
 * exponential backoff and jitter; after the cap of attempts the endpoint is
 * "dead" until it is re-sent (cg_service_webhook_resend()).
 *
 * Who may do what: admins everything (naming the enterprise); an enterprise's
 * API token registers and removes its own endpoints; the enterprise's staff
 * (its token, merchant and logistics users) see them and their deliveries and
 * re-send. Every change is audited. Answers and refusals as in service.h.
 */
#ifndef CG_WEBHOOK_H
#define CG_WEBHOOK_H

#include "cebgate/service.h"
#include "cebgate/registry.h"

CG_BEGIN_DECLS

/* Endpoints an enterprise may have at once. */
#define CG_WEBHOOKS_PER_ENTERPRISE 5

/**
 * Register an endpoint: @p body {"url": "https://...", "enterprise": copCode
 * (admins only), "after": cursor}. Deliveries start after receipt @p after
 * (0: the whole feed; absent: receipts to come only). The answer holds
 * "secret", this once.
 */
CG_API cg_rc cg_service_webhook_add(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				    const char *body, size_t len, char **json) CG_WARN_UNUSED;
/** {"webhooks": [{id, enterprise, url, state, position, pending, attempts, ...}]}: the caller's. */
CG_API cg_rc cg_service_webhook_list(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				     char **json) CG_WARN_UNUSED;
/** Remove endpoint @p id: nothing more is sent to it; its deliveries stay visible to admins. */
CG_API cg_rc cg_service_webhook_remove(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				       long long id, char **json) CG_WARN_UNUSED;
/**
 * Re-send: a dead endpoint becomes active again with no attempts counted;
 * @p body {"from": cursor} (optional) also starts again at that receipt.
 */
CG_API cg_rc cg_service_webhook_resend(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				       long long id, const char *body, size_t len,
				       char **json) CG_WARN_UNUSED;
/** The last @p limit attempts of endpoint @p id, newest first: {"deliveries": [...]}. */
CG_API cg_rc cg_service_webhook_deliveries(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
					   long long id, int limit, char **json) CG_WARN_UNUSED;

/* The same for the operator (`cebgate admin webhook`), audited as the registry's actor. */
/** @p after: as "after" above, -1 for receipts to come only. */
CG_API cg_rc cg_registry_webhook_add(cg_registry *reg, cg_ctx *ctx, const char *cop_code,
				     const char *url, long long after, char **json) CG_WARN_UNUSED;
CG_API cg_rc cg_registry_webhook_list(cg_registry *reg, cg_ctx *ctx, char **json) CG_WARN_UNUSED;
CG_API cg_rc cg_registry_webhook_remove(cg_registry *reg, cg_ctx *ctx, long long id,
					char **json) CG_WARN_UNUSED;
/** @p from: the cursor to start again at, 0 to keep the position. */
CG_API cg_rc cg_registry_webhook_resend(cg_registry *reg, cg_ctx *ctx, long long id, long long from,
					char **json) CG_WARN_UNUSED;
CG_API cg_rc cg_registry_webhook_deliveries(cg_registry *reg, cg_ctx *ctx, long long id, int limit,
					    char **json) CG_WARN_UNUSED;

/** How deliveries are made; CG_DELIVERER_OPTIONS_INIT has the defaults (docs/webhooks.md). */
typedef struct {
	unsigned version;
	const char *ca_file;      /* trust anchors for the endpoints (NULL: the system's) */
	long connect_timeout_ms;  /* to connect */
	long timeout_ms;          /* a whole delivery */
	int max_attempts;         /* failed attempts on one receipt before the endpoint is dead */
	long long backoff_ms;     /* first retry delay; doubled each time, with jitter */
	long long backoff_max_ms; /* longest retry delay */
	int parallel;             /* endpoints delivered to at once */
} cg_deliverer_options;

#define CG_DELIVERER_OPTIONS_VERSION 1
#define CG_DELIVERER_OPTIONS_INIT { CG_DELIVERER_OPTIONS_VERSION, NULL, 5000, 10000, 12, 1000, 3600000, 32 }

/*
 * The delivery worker: one database connection and one libcurl multi handle,
 * used by one thread. Each endpoint has at most one delivery in flight (its
 * order), under a lease in the database so that several nodes never deliver
 * to the same endpoint at once; a slow endpoint holds only its own transfer.
 */
typedef struct cg_deliverer cg_deliverer;
CG_API cg_rc cg_deliverer_new(cg_deliverer **out, cg_ctx *ctx, const char *db,
			      const cg_deliverer_options *o) CG_WARN_UNUSED;
/** Stop: transfers under way are dropped (their receipts are delivered again later). */
CG_API void cg_deliverer_free(cg_deliverer *d);
/**
 * One round: start the deliveries that are due, wait at most @p wait_ms for
 * transfers or a wake-up, record what finished. @p in_flight: transfers now.
 */
CG_API cg_rc cg_deliverer_run(cg_deliverer *d, cg_ctx *ctx, long wait_ms, int *in_flight) CG_WARN_UNUSED;
/** From any thread: end the current wait of cg_deliverer_run() (new receipts). */
CG_API void cg_deliverer_wake(cg_deliverer *d);
/**
 * The signature header's value for @p body sent at Unix time @p ts:
 * "v1=" and the hex HMAC-SHA256 under @p secret of "TS.BODY".
 */
CG_API cg_rc cg_webhook_signature(const char *secret, long long ts, const char *body, size_t len,
				  char out[72]) CG_WARN_UNUSED;

CG_END_DECLS
#endif
