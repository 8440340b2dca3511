/* SPDX-License-Identifier: MIT */
/* The service handle (service.c), shared by the parts of the window built on it. */
#ifndef CG_SERVICE_INTERNAL_H
#define CG_SERVICE_INTERNAL_H

#include "cebgate/service.h"
#include "cebgate/sig.h"
#include "cebgate/validate.h"
#include <jansson.h>
#include <openssl/x509.h>
#include "ceb/codes.h"
#include "ceb/model.h"
#include "sig/sigcore.h"
#include "sig/sm2verify.h"
#include "window/clearance.h"
#include "window/receipt.h"
#include "window/store_internal.h"

#define CG_CERT_CACHE 16

struct cg_cached_cert {
	long long eid;
	char serial[80];
	X509 *cert;
	struct cg_sm2key *sm2; /* its SM2 key with the key's table, or NULL (RSA, or EVP) */
};

struct cg_service {
	cg_store *st;
	cg_validator *v;
	struct cg_clearance_cfg cfg;
	struct cg_sigprofile profiles[CG_PROFILE_COUNT];
	struct cg_cached_cert certs[CG_CERT_CACHE];
	unsigned next_cert;
	cg_committer *committer; /* shared with the other threads' services, or NULL */
	char *custody_dir, *custody_pass; /* custodial keys: where, and their passphrase (or PIN) */
	struct _xmlParserCtxt *xml_keep; /* this thread's parser context for submissions (cg__xml_parse_keep) */
};

cg_store *cg__service_store(struct cg_service *svc);
const struct cg_clearance_cfg *cg__service_cfg(struct cg_service *svc);
/* Where custodial keys live and their passphrase; NULL when not configured. */
void cg__service_custody(struct cg_service *svc, const char **dir, const char **passphrase);
/* A signer with enterprise @p eid's custodial key (CG_ENOTFOUND when it has none). */
cg_rc cg__custody_signer(struct cg_service *svc, cg_ctx *ctx, long long eid, cg_signer **out,
			 char *serial, size_t size);

/*
 * Run @p write inside a group transaction (group_commit.c): returns once the group
 * is committed (CG_OK: durable) or failed. @p svc is the calling thread's own
 * service, used when it becomes the group's writer. @p write gets the
 * writer's service: its connection, code tables and settings are the ones
 * to use (another thread's may be in use meanwhile).
 */
cg_rc cg__commit_grouped(cg_committer *c, cg_service *svc, cg_ctx *ctx,
			 cg_rc (*write)(void *arg, cg_service *writer), void *arg);
/*
 * Queue @p write for the committer's writer thread and return at once;
 * @p finish(arg, rc) is called once, in that thread, after the group's
 * commit (CG_OK: durable) or its failure. CG_EUNAVAIL (nothing queued) when
 * no thread runs cg_committer_run().
 */
cg_rc cg__commit_queue(cg_committer *c, cg_ctx *ctx, cg_rc (*write)(void *arg, cg_service *writer),
		       void (*finish)(void *arg, cg_rc rc), void *arg);
/* Whether a writer thread runs and takes queued messages. */
int cg__committer_running(cg_committer *c);

/* @p o (consumed) as the JSON text of an answer in *json. */
cg_rc cg__json_answer(json_t *o, char **json);

/*
 * Access that can be taken back (access.c), for the API and the operator alike.
 * Each change commits with its audit record by @p actor; *json is the changed
 * resource. cg__access_list: @p what "tokens" or "certificates", as JSON rows.
 */
cg_rc cg__access_list(cg_store *st, cg_ctx *ctx, const char *what, json_t **rows);
/* @p which: the token's id, or the start (4 characters or more) of its prefix; one token only. */
cg_rc cg__access_revoke_token(cg_store *st, cg_ctx *ctx, const char *actor, const char *which,
			      char **json);
/* @p what: "users" (@p key the name) or "enterprises" (@p key the copCode). */
cg_rc cg__access_set_disabled(cg_store *st, cg_ctx *ctx, const char *actor, const char *what,
			      const char *key, bool disabled, char **json);
cg_rc cg__access_revoke_cert(cg_store *st, cg_ctx *ctx, const char *actor, const char *cop_code,
			     const char *serial, char **json);

/* The operator's registry (registry.c): its store and the actor its changes are audited as. */
struct cg_registry;
cg_store *cg__registry_store(struct cg_registry *reg);
const char *cg__registry_actor(const struct cg_registry *reg);
/* The 179 requests of inventory @p doc_id and their results, as a JSON array (pay179.c). */
cg_rc cg__pay179_of(cg_store *st, cg_ctx *ctx, long long doc_id, json_t **out);

/* Officers and admins: the only ones who see the queue and the declarations. */
bool cg__officer(const cg_principal *who);

#endif
