/* SPDX-License-Identifier: MIT */
/*
 * The single window's domain, below the HTTP layer of cebgated. A cg_service
 * holds one database connection and one validator: one per thread. Its
 * operations are declared by part: session.h (who calls), submission.h (one
 * submission in, one feedback out), review.h (the officers' queue and desk),
 * status.h (declarants' and logistics' status), upload.h (merchants' files),
 * registry.h (enterprises, users, tokens, certificates, custodial keys).
 *
 * Every operation answers in cg_rc codes, never in protocol statuses: CG_OK
 * with the answer in *json; a refusal with its reason in cg_ctx_errmsg()
 * (CG_EINVAL bad input, CG_EPERM not the caller's to do, CG_ENOTFOUND no such
 * thing or another's, CG_EEXIST taken, CG_ECONFLICT the state forbids it,
 * CG_EUNAVAIL not configured, CG_EAUTH wrong credentials); other codes are
 * faults. *json (free with cg_free()) is NULL after a refusal unless the
 * function says it also answers then.
 */
#ifndef CG_SERVICE_H
#define CG_SERVICE_H

#include "cebgate/common.h"
#include "cebgate/principal.h"
#include "cebgate/codes.h"

CG_BEGIN_DECLS

typedef struct cg_service cg_service;

/** @param datadir NULL for cg_datadir() */
CG_API cg_rc cg_service_new(cg_service **out, cg_ctx *ctx, const char *db_path,
			    const char *datadir) CG_WARN_UNUSED;
CG_API void cg_service_free(cg_service *svc);

/** Clearance and review settings (docs/cebgated.md); CG_SERVICE_OPTIONS_INIT has the defaults. */
typedef struct {
	unsigned version;
	long long match_timeout;  /* seconds an inventory waits for order, payment and waybill */
	int random_per_mille;     /* 双随机: share of otherwise released inventories held, 0-1000 */
	long long value_threshold;/* CNY; an inventory worth this or more is held (0: off) */
	const char *watch_hs;     /* comma-separated HS codes or prefixes that are held */
	int near_quota_percent;   /* a buyer at this share of the annual limit is held (0: off) */
	int new_enterprise_days;  /* enterprises registered more recently are held (0: off) */
	long long lease_seconds;  /* how long an officer's claim lasts */
	int tax_return_days;      /* a return within this many days of release voids the tax bill;
				     after it the bill is deducted from the guarantee */
	long long pay179_value;   /* CNY; the 179 payment data of an inventory worth this or more is asked (0: off) */
	int pay179_per_mille;     /* share of matched inventories whose 179 payment data is asked, 0-1000 */
	int export_payment_required; /* 1: a 9610/1210 export inventory waits for its receipt of payment (CEB403) */
	int export_arrival_required; /* 1: an export inventory is released at its arrival (CEB507); 0: at conclusion */
	/* Export summary declaration and returns (docs/export.md, "Summary declaration"): */
	int export_summary_any_month; /* 1: any closed inventory; 0: closed in an earlier month only */
	int export_summary_exclude_a; /* 1: a listed inventory of statisticsFlag A is left out; 0: refused */
	int export_summary_gseqno_rows; /* 1: gseqno numbers the rows; 0: the declaration items */
	int export_return_days;   /* a return (CEB213) within this many days of the release */
} cg_service_options;

#define CG_SERVICE_OPTIONS_VERSION 1
#define CG_SERVICE_OPTIONS_INIT { CG_SERVICE_OPTIONS_VERSION, 3600, 0, 0, "", 90, 0, 300, 30, 0, 0, 0, 1, 0, 0, 0, 365 }

/** Apply @p o (copied). */
CG_API cg_rc cg_service_configure(cg_service *svc, cg_ctx *ctx,
				  const cg_service_options *o) CG_WARN_UNUSED;

/*
 * Group commit: services (one per thread) that share a committer write
 * accepted messages together, one transaction and one fsync per group, and
 * answer each only after its group committed. Free it after its services.
 */
typedef struct cg_committer cg_committer;
CG_API cg_rc cg_committer_new(cg_committer **out) CG_WARN_UNUSED;
CG_API void cg_committer_free(cg_committer *c);
/* Groups committed and messages written in them so far. */
CG_API void cg_committer_stats(cg_committer *c, unsigned long *groups, unsigned long *messages);
CG_API void cg_service_set_committer(cg_service *svc, cg_committer *c);
/*
 * Make the calling thread the committer's only writer, on @p svc's
 * connection, until cg_committer_stop() and an empty queue: services then
 * hand their checked messages over (cg_service_submit_start) instead of
 * waiting for the commit. CG_EEXIST when another thread runs it already.
 */
CG_API cg_rc cg_committer_run(cg_committer *c, cg_service *svc) CG_WARN_UNUSED;
/* cg_committer_run() returns once everything queued is written. */
CG_API void cg_committer_stop(cg_committer *c);

/*
 * Custodial signing (docs/cebgated.md): where the keys handed over are kept,
 * and the passphrase they are kept under (also the PIN of a PKCS#11 token).
 */
CG_API cg_rc cg_service_set_custody(cg_service *svc, cg_ctx *ctx, const char *dir,
				    const char *passphrase) CG_WARN_UNUSED;

/**
 * Refuse inventories that waited longer than the match timeout; each gets a
 * receipt (622, or 604 for an export inventory) with status 100 naming what
 * was missing or differed. @p rejected: how many.
 */
CG_API cg_rc cg_service_sweep(cg_service *svc, cg_ctx *ctx, int *rejected) CG_WARN_UNUSED;

/**
 * Gauges for /metrics: inventories queued for review, import and export
 * inventories waiting for their documents, the oldest queued one's age (s).
 */
CG_API cg_rc cg_service_gauges(cg_service *svc, cg_ctx *ctx, long long *queued, long long *waiting,
			       long long *waiting_export, long long *oldest_age) CG_WARN_UNUSED;

/**
 * Readiness (/readyz): the database answers a query now and its schema is the
 * one this cebgate writes. CG_EUNAVAIL (with the reason) otherwise.
 */
CG_API cg_rc cg_service_ready(cg_service *svc, cg_ctx *ctx) CG_WARN_UNUSED;

/**
 * Failures so far, in this process, because the database server could not
 * be reached (a PostgreSQL restarting or failing over; never on SQLite).
 * cebgated compares it before and after a request: a request that failed
 * while it grew is answered 503 with Retry-After, for the client to send again.
 */
CG_API unsigned long cg_service_outages(void);

/**
 * Round trips to the PostgreSQL server so far, in this process (0 on
 * SQLite): each wait for the server's answer to a statement or to a
 * pipeline of them. /metrics shows it; per message it is what a write
 * costs in network waits.
 */
CG_API unsigned long cg_service_db_round_trips(void);

/**
 * Wake-up hints between several cebgated on one PostgreSQL database: a write
 * on one node wakes the long-polls parked on the others (LISTEN/NOTIFY on a
 * connection of the hint's own, an empty payload). *out is NULL for a SQLite
 * file: one node, nothing to hint. cg_hint_poke() after a local write (any
 * thread); one thread calls cg_hint_wait(): 1 when another node wrote, 0
 * when nothing came within @p ms, -1 when hints may have been missed (the
 * database was unreachable, or is back): look again as after a write.
 */
typedef struct cg_hint cg_hint;
CG_API cg_rc cg_hint_open(cg_hint **out, cg_ctx *ctx, const char *db) CG_WARN_UNUSED;
CG_API void cg_hint_poke(cg_hint *h);
CG_API int cg_hint_wait(cg_hint *h, int ms);
CG_API void cg_hint_free(cg_hint *h);

/** The code-table editions in force today: {"editions": [{table, edition, effective, complete, rows}]}. */
CG_API cg_rc cg_service_codes_json(const cg_codes *c, char **json) CG_WARN_UNUSED;
/**
 * Reload the code tables into *@p held (cg_codes_reload): an admin only
 * (CG_EPERM), or @p who NULL for a reload on SIGHUP. Audited whether it works
 * or not. CG_OK with {"reloaded": true, "editions": [...]}; CG_EINCOMPLETE when
 * the new tables could not be loaded: the old ones stay, and *json also answers
 * then ({"reloaded": false, "error": why}).
 */
CG_API cg_rc cg_service_codes_reload(cg_service *svc, cg_ctx *ctx, const cg_principal *who,
				     cg_codes **held, char **json) CG_WARN_UNUSED;

CG_END_DECLS
#endif
