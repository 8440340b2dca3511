/* SPDX-License-Identifier: MIT */
/* Library-internal parts of the store. */
#ifndef CG_STORE_INTERNAL_H
#define CG_STORE_INTERNAL_H

#include <openssl/x509.h>
#include "window/store.h"
#include "db/db.h"
#include "util/internal.h"

/* The store's connection: each module keeps its statements in a cg_db_module of its own. */
cg_db *cg__store_db(cg_store *st);

/*
 * Who holds a token, remembered per connection while the access generation
 * stays the same (token_cache.c); a token's expiry is still checked against
 * the clock on every request. CG_TOKEN_CACHE_SLOTS bounds the entries.
 */
#define CG_TOKEN_CACHE_SLOTS 512
struct cg_token_seen {
	cg_principal who;
	long long id, created;
	long long expires;   /* 0: never */
	long long last_used; /* as written by this connection or read, 0: never */
};
struct cg_token_cache;
struct cg_token_cache *cg__token_cache_new(void);
void cg__token_cache_free(struct cg_token_cache *c);
/* Empties the cache unless its entries were found under @p generation. */
void cg__token_cache_generation(struct cg_token_cache *c, long long generation);
struct cg_token_seen *cg__token_cache_find(struct cg_token_cache *c, const unsigned char hash[32]);
void cg__token_cache_put(struct cg_token_cache *c, const unsigned char hash[32],
			 const struct cg_token_seen *seen);
void cg__token_cache_drop(struct cg_token_cache *c, const unsigned char hash[32]);
size_t cg__token_cache_count(const struct cg_token_cache *c);
/* SHA-256 of a token, as stored: 1, or 0 on failure. */
int cg__token_cache_hash(struct cg_token_cache *c, const char *token, size_t len, unsigned char out[32]);
/* The store's cache, made on first use (NULL when out of memory: every check reads the database). */
struct cg_token_cache *cg__store_tokens(cg_store *st);
/*
 * The token check at time @p now: who holds @p token and when the token was
 * issued (*created, may be NULL); CG_ENOTFOUND when unknown, revoked,
 * expired or its user's or enterprise's access is taken back.
 */
cg_rc cg__store_token_check(cg_store *st, cg_ctx *ctx, const char *token, long long now,
			    cg_principal *out, long long *created);

/* Id of the enterprise @p cop_code; CG_ENOTFOUND when not registered. */
cg_rc cg__store_enterprise(cg_store *st, cg_ctx *ctx, const char *cop_code, long long *id);
/* Register @p cert for enterprise @p eid; CG_EEXIST when its serial is registered already. */
cg_rc cg__store_add_cert(cg_store *st, cg_ctx *ctx, long long eid, X509 *cert);

/* DER of the certificate @p serial registered for enterprise @p eid (free with free()). */
cg_rc cg__store_cert(cg_store *st, cg_ctx *ctx, long long eid, const char *serial,
		     unsigned char **der, size_t *len);
/* CG_ENOTFOUND when not registered; else *revoked is when it was revoked, 0 while in force. */
cg_rc cg__store_cert_revoked(cg_store *st, cg_ctx *ctx, long long eid, const char *serial,
			     long long *revoked);
cg_rc cg__store_enterprise_dxp(cg_store *st, cg_ctx *ctx, long long eid, char *out, size_t size);

struct cg_store_message {
	const char *guid;
	const char *type;
	long long sender;
	const unsigned char *sha256;
	const char *xml;
	size_t len;
	const char *result; /* the answer given, repeated for a resubmission */
};

/* CG_ENOTFOUND when no message has this guid; else its hash and stored answer. */
cg_rc cg__store_message_find(cg_store *st, cg_ctx *ctx, const char *guid, unsigned char sha[32],
			     char **result);
/* The message's row, its id in *id; CG_EEXIST, with nothing written, when its guid is known. */
cg_rc cg__store_message_add(cg_store *st, cg_ctx *ctx, const struct cg_store_message *m,
			    long long *id);
/* Record the answer given for a message (repeated for a resubmission). */
cg_rc cg__store_message_result(cg_store *st, cg_ctx *ctx, long long id, const char *result);
/* CG_ENOTFOUND when no document has this business key. */
cg_rc cg__store_document_find(cg_store *st, cg_ctx *ctx, int kind, const char *k1, const char *k2,
			      long long *id, char *state, size_t size);
/* A document's row as written: its business key, state, stored form and match keys. */
struct cg_store_doc {
	const char *key1, *key2;
	const char *app_type;
	const char *state;
	const char *data;			/* {"h": {...}, "l": [...]}; NULL: "{}" */
	const char *order_key, *waybill_key; /* NULL or "": none */
	const char *reason;		     /* what a waiting inventory waits for; NULL: none (kept on update) */
};

/* Insert (existing 0) or update a document, whole: one write of its row. */
cg_rc cg__store_document_put(cg_store *st, cg_ctx *ctx, long long existing, long long message_id,
			     int kind, const struct cg_store_doc *d, long long sender, long long *id);
cg_rc cg__store_receipt_add(cg_store *st, cg_ctx *ctx, long long eid, long long doc_id,
			    const char *type, const char *status, const char *xml, size_t len);

typedef cg_rc (*cg_receipt_fn)(void *payload, long long cursor, const char *type,
			       const char *status, const char *xml, size_t len, long long created);
/* The receipts of enterprise @p eid after cursor @p after, in order, at most @p limit. */
cg_rc cg__store_receipts(cg_store *st, cg_ctx *ctx, long long eid, long long after, int limit,
			 cg_receipt_fn fn, void *payload);

#endif
