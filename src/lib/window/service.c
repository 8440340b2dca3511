/* SPDX-License-Identifier: MIT */
/*
 * The service handle (include/cebgate/service.h): one database connection,
 * one validator and the settings of one thread of cebgated, and who calls it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <openssl/crypto.h>
#include "cebgate/session.h"
#include "cebgate/review.h"
#include "sig/sm2verify.h"
#include "window/service_internal.h"
#include "window/taxbill.h"

cg_rc
cg_service_set_custody(cg_service *svc, cg_ctx *ctx, const char *dir, const char *passphrase)
{
	free(svc->custody_dir);
	free(svc->custody_pass);
	svc->custody_dir = dir != NULL ? cg__strdup(dir) : NULL;
	svc->custody_pass = passphrase != NULL ? cg__strdup(passphrase) : NULL;
	if ((dir != NULL && svc->custody_dir == NULL) || (passphrase != NULL && svc->custody_pass == NULL))
		return cg__fail(ctx, CG_ENOMEM, "custody settings");
	return CG_OK;
}

void
cg__service_custody(cg_service *svc, const char **dir, const char **passphrase)
{
	*dir = svc->custody_dir;
	*passphrase = svc->custody_pass;
}

cg_rc
cg__json_answer(json_t *o, char **json)
{
	/* Moments are ISO 8601 in every answer; the database keeps Unix seconds. */
	cg__json_times(o);
	*json = cg__json_text(o, JSON_INDENT(2));
	json_decref(o);
	return *json != NULL ? CG_OK : CG_ENOMEM;
}

void
cg_service_set_committer(cg_service *svc, cg_committer *c)
{
	svc->committer = c;
}

cg_rc
cg_service_new(cg_service **out, cg_ctx *ctx, const char *db_path, const char *datadir)
{
	cg_service *svc = calloc(1, sizeof(*svc));
	cg_rc rc;

	*out = NULL;
	if (svc == NULL)
		return CG_ENOMEM;
	/* SM2 is the profile of most messages: its shared tables before the first one. */
	cg__sm2_prepare();
	rc = cg_store_open(&svc->st, ctx, db_path);
	if (rc == CG_OK)
		rc = cg_validator_new(&svc->v, ctx, datadir, 0);
	if (rc == CG_OK)
		rc = cg__profiles_load(svc->profiles, ctx, NULL);
	if (rc == CG_OK) {
		cg_service_options o = CG_SERVICE_OPTIONS_INIT;

		rc = cg_service_configure(svc, ctx, &o);
	}
	if (rc != CG_OK) {
		cg_service_free(svc);
		return rc;
	}
	*out = svc;
	return CG_OK;
}

void
cg_service_free(cg_service *svc)
{
	size_t i;

	if (svc == NULL)
		return;
	for (i = 0; i < CG_CERT_CACHE; i++) {
		X509_free(svc->certs[i].cert);
		cg__sm2key_free(svc->certs[i].sm2);
	}
	if (svc->custody_pass != NULL)
		OPENSSL_cleanse(svc->custody_pass, strlen(svc->custody_pass));
	free(svc->custody_pass);
	free(svc->custody_dir);
	xmlFreeParserCtxt(svc->xml_keep);
	cg_validator_free(svc->v);
	cg_store_close(svc->st);
	free(svc);
}

cg_store *
cg__service_store(cg_service *svc)
{
	return svc->st;
}

const struct cg_clearance_cfg *
cg__service_cfg(cg_service *svc)
{
	return &svc->cfg;
}

cg_rc
cg_service_configure(cg_service *svc, cg_ctx *ctx, const cg_service_options *o)
{
	struct cg_clearance_cfg *c = &svc->cfg;

	if (o->random_per_mille < 0 || o->random_per_mille > 1000 || o->near_quota_percent < 0 ||
	    o->near_quota_percent > 100 || o->value_threshold < 0 || o->match_timeout < 0 ||
	    o->lease_seconds <= 0 || o->tax_return_days < 0 || o->pay179_value < 0 ||
	    o->pay179_per_mille < 0 || o->pay179_per_mille > 1000 || o->export_return_days < 0 ||
	    (o->watch_hs != NULL && strlen(o->watch_hs) >= sizeof(c->watch_hs)))
		return cg__fail(ctx, CG_EINVAL, "clearance settings out of range");
	c->match_timeout = o->match_timeout;
	c->random_per_mille = o->random_per_mille;
	c->value_threshold = o->value_threshold * 100000LL;
	(void)snprintf(c->watch_hs, sizeof(c->watch_hs), "%s", o->watch_hs != NULL ? o->watch_hs : "");
	c->near_quota_percent = o->near_quota_percent;
	c->new_enterprise_days = o->new_enterprise_days;
	c->lease_seconds = o->lease_seconds;
	c->tax_return_days = o->tax_return_days;
	c->pay179_value = o->pay179_value * 100000LL;
	c->pay179_per_mille = o->pay179_per_mille;
	c->export_payment_required = o->export_payment_required != 0;
	c->export_arrival_required = o->export_arrival_required != 0;
	c->expsum.period = o->export_summary_any_month ? CG_SUM_PERIOD_ANY : CG_SUM_PERIOD_MONTH;
	c->expsum.flag_a = o->export_summary_exclude_a ? CG_SUM_A_EXCLUDE : CG_SUM_A_REFUSE;
	c->expsum.gseqno = o->export_summary_gseqno_rows ? CG_SUM_GSEQNO_ROW : CG_SUM_GSEQNO_ITEM;
	c->expsum.return_days = o->export_return_days;
	return CG_OK;
}

/* The match timeouts (imports and exports) and the tax bills due, in one transaction. */
static cg_rc
sweep_due(cg_service *svc, cg_ctx *ctx, long long now, int *rejected)
{
	int settled = 0, exports = 0;
	cg_rc rc = cg_db_begin(cg__store_db(svc->st), ctx);

	if (rc != CG_OK)
		return rc;
	rc = cg__clearance_sweep(svc->st, ctx, &svc->cfg, now, rejected);
	if (rc == CG_OK)
		rc = cg__export_sweep(svc->st, ctx, &svc->cfg, now, &exports);
	*rejected += exports;
	if (rc == CG_OK)
		rc = cg__taxbill_sweep(svc->st, ctx, &svc->cfg, now, &settled);
	if (rc == CG_OK)
		return cg_db_commit(cg__store_db(svc->st), ctx);
	cg_db_rollback(cg__store_db(svc->st));
	return rc;
}

cg_rc
cg_service_sweep(cg_service *svc, cg_ctx *ctx, int *rejected)
{
	int settled = 0;
	long long now = (long long)time(NULL);
	cg_rc rc = CG_OK;
	bool anchored;

	*rejected = 0;
	/*
	 * Looked for first without the write lock, which the group commit's
	 * writer would wait for: most seconds nothing is due.
	 */
	if (cg__clearance_sweep_due(svc->st, &svc->cfg, now) || cg__export_sweep_due(svc->st, &svc->cfg, now) ||
	    cg__taxbill_sweep_due(svc->st, &svc->cfg, now))
		rc = sweep_due(svc, ctx, now, rejected);
	/* Now and then the audit chains' heads, tied together (audit.c). */
	if (rc == CG_OK)
		rc = cg__audit_anchor(svc->st, ctx, false, &anchored);
	/* The queued 179 requests go out after the commit: no network call under the write lock. */
	return rc == CG_OK ? cg_service_pay179_dispatch(svc, ctx, &settled) : rc;
}

cg_rc
cg_service_login(cg_service *svc, cg_ctx *ctx, const char *user, const char *password,
		 cg_principal *who, char **token)
{
	cg_rc rc = cg_store_login(svc->st, ctx, user, password, who);

	*token = NULL;
	if (rc == CG_ENOTFOUND)
		return cg__fail(ctx, CG_EAUTH, "wrong user or password");
	return rc == CG_OK ? cg_store_new_token(svc->st, ctx, NULL, user, 0, token) : rc;
}

cg_rc
cg_service_auth(cg_service *svc, cg_ctx *ctx, const char *token, cg_principal *out)
{
	return cg_store_auth_token(svc->st, ctx, token, out);
}

bool
cg__officer(const cg_principal *who)
{
	return who->role == CG_ROLE_OFFICER || who->role == CG_ROLE_ADMIN;
}

const char *
cg_role_name(cg_role role)
{
	static const char *const names[] = { "", "enterprise", "officer", "admin", "merchant", "logistics" };

	return (unsigned)role < sizeof(names) / sizeof(names[0]) ? names[role] : "";
}

cg_rc
cg_service_ready(cg_service *svc, cg_ctx *ctx)
{
	return cg_store_ready(cg__service_store(svc), ctx);
}

unsigned long
cg_service_outages(void)
{
	return cg_db_outages();
}

unsigned long
cg_service_db_round_trips(void)
{
	return cg_db_round_trips();
}

/* The public hint is the database layer's (one PostgreSQL connection, or nothing). */
cg_rc
cg_hint_open(cg_hint **out, cg_ctx *ctx, const char *db)
{
	return cg_db_hint_open((cg_db_hint **)out, ctx, db);
}

void
cg_hint_poke(cg_hint *h)
{
	cg_db_hint_poke((cg_db_hint *)h);
}

int
cg_hint_wait(cg_hint *h, int ms)
{
	return cg_db_hint_wait((cg_db_hint *)h, ms);
}

void
cg_hint_free(cg_hint *h)
{
	cg_db_hint_close((cg_db_hint *)h);
}
