/* SPDX-License-Identifier: MIT */
/*
 * The registry in the store: enterprises, their certificates, users with
 * scrypt password hashes, login, and API tokens (kept as SHA-256 hashes).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include "window/store.h"
#include "sig/sigcore.h"
#include "window/store_internal.h"

enum {
	Q_ADD_ENTERPRISE,
	Q_ENTERPRISE_ID,
	Q_ADD_CERT,
	Q_ADD_USER,
	Q_USER_BY_NAME,
	Q_ADD_TOKEN,
	Q_TOKEN,
	Q_TOKEN_USED,
	Q_GENERATION,
	A_COUNT
};

static const char *const sql[A_COUNT] = {
	[Q_ADD_ENTERPRISE] = "INSERT INTO enterprise(cop_code, name, roles, dxp_id, created)"
			     " VALUES($1, $2, $3, $4, $5)",
	[Q_ENTERPRISE_ID] = "SELECT id, name FROM enterprise WHERE cop_code = $1",
	[Q_ADD_CERT] = "INSERT INTO certificate(enterprise_id, serial, der, not_after, created)"
		       " VALUES($1, $2, $3, $4, $5)",
	[Q_ADD_USER] = "INSERT INTO \"user\"(name, role, enterprise_id, pw_hash, created)"
		       " VALUES($1, $2, $3, $4, $5)",
	[Q_USER_BY_NAME] = "SELECT u.id, u.role, u.pw_hash, u.enterprise_id, e.cop_code,"
			   " u.disabled + coalesce(e.disabled, 0)"
			   " FROM \"user\" u LEFT JOIN enterprise e ON e.id = u.enterprise_id"
			   " WHERE u.name = $1",
	[Q_ADD_TOKEN] = "INSERT INTO token(hash, enterprise_id, user_id, created, prefix, expires)"
			" VALUES($1, $2, $3, $4, $5, $6)",
	[Q_TOKEN] = "SELECT t.enterprise_id, t.user_id, u.role, u.name, e.cop_code, e.name,"
		    " u.enterprise_id, ue.cop_code, t.id, t.last_used, t.created, t.expires"
		    " FROM token t LEFT JOIN \"user\" u ON u.id = t.user_id"
		    " LEFT JOIN enterprise e ON e.id = t.enterprise_id"
		    " LEFT JOIN enterprise ue ON ue.id = u.enterprise_id"
		    /* Revoked, expired, or its user's or enterprise's access taken back: unknown alike. */
		    " WHERE t.hash = $1 AND t.revoked = 0 AND (t.expires IS NULL OR t.expires > $2)"
		    " AND coalesce(u.disabled, 0) = 0 AND coalesce(e.disabled, 0) = 0"
		    " AND coalesce(ue.disabled, 0) = 0",
	/* The condition again, so that nodes racing for one token write it once. */
	[Q_TOKEN_USED] = "UPDATE token SET last_used = $2 WHERE id = $1"
			 " AND (last_used IS NULL OR last_used <= $3)",
	/* Bumped by every change of a token, user or enterprise (migration 14's triggers). */
	[Q_GENERATION] = "SELECT n FROM access_generation WHERE id = 1",
};

CG_DB_MODULE(accounts_sql, "accounts", sql);

static cg_db_stmt *
stmt(cg_store *st, int q)
{
	return cg_db_prepared(cg__store_db(st), &accounts_sql, q);
}

static cg_rc
db_fail(cg_store *st, cg_ctx *ctx, const char *what)
{
	return cg_db_fail(cg__store_db(st), ctx, what);
}

/* Insert: "exists already" (CG_EEXIST) for a taken key, "not allowed" for another constraint. */
static cg_rc
step_done(cg_store *st, cg_ctx *ctx, cg_db_stmt *s, const char *what)
{
	return cg_db_run(cg__store_db(st), ctx, s, what);
}

static bool
valid_code(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0, i;

	if (n == 0 || n > 18)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
			return false;
	}
	return true;
}

/* Every role of the comma-separated list is one of the five of design.md. */
static bool
valid_roles(const char *roles)
{
	static const char *const known[] = { "ebp", "ebc", "pay", "logistics", "agent" };
	const char *p = roles;

	if (roles == NULL || *roles == '\0')
		return false;
	while (*p != '\0') {
		size_t len = strcspn(p, ","), i;
		bool ok = false;

		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			ok = ok || (strlen(known[i]) == len && strncmp(p, known[i], len) == 0);
		if (!ok)
			return false;
		p += len;
		if (*p == ',')
			p++;
	}
	return true;
}

cg_rc
cg_store_add_enterprise(cg_store *st, cg_ctx *ctx, const char *cop_code, const char *name,
			const char *roles, const char *dxp_id)
{
	cg_db_stmt *s;

	if (!valid_code(cop_code) || name == NULL || *name == '\0' || strpbrk(name, "\r\n\t") != NULL ||
	    !valid_roles(roles) || (dxp_id != NULL && strlen(dxp_id) > 16))
		return cg__fail(ctx, CG_EINVAL, "an enterprise needs a copCode of 1-18 letters and "
						"digits, a name, roles among ebp,ebc,pay,logistics,agent "
						"and a DXP id of at most 16 characters");
	s = stmt(st, Q_ADD_ENTERPRISE);
	if (s == NULL || cg_db_bind_text(s, 1, cop_code) != CG_OK ||
	    cg_db_bind_text(s, 2, name) != CG_OK ||
	    cg_db_bind_text(s, 3, roles) != CG_OK ||
	    (dxp_id != NULL && cg_db_bind_text(s, 4, dxp_id) != CG_OK) ||
	    cg_db_bind_int64(s, 5, (long long)time(NULL)) != CG_OK)
		return db_fail(st, ctx, "add enterprise");
	return step_done(st, ctx, s, "add enterprise");
}

cg_rc
cg__store_enterprise(cg_store *st, cg_ctx *ctx, const char *cop_code, long long *id)
{
	cg_db_stmt *s = stmt(st, Q_ENTERPRISE_ID);
	int r;

	if (s == NULL || cg_db_bind_text(s, 1, cop_code) != CG_OK)
		return db_fail(st, ctx, "find enterprise");
	r = cg_db_step(s);
	if (r == CG_DB_ROW) {
		*id = cg_db_column_int64(s, 0);
		/*
		 * Every statement is reset as soon as it is read: an active one keeps its
		 * connection's implicit transaction open, so later writes would not commit.
		 */
		cg_db_reset(s);
		return CG_OK;
	}
	cg_db_reset(s);
	return r == CG_DB_DONE ? cg__fail(ctx, CG_ENOTFOUND, "no enterprise %s", cop_code)
				: db_fail(st, ctx, "find enterprise");
}

cg_rc
cg_store_add_certificate(cg_store *st, cg_ctx *ctx, const char *cop_code, const char *cert_path)
{
	X509 *cert = NULL;
	long long eid;
	cg_rc rc = cg__store_enterprise(st, ctx, cop_code, &eid);

	if (rc == CG_OK)
		rc = cg__load_cert(&cert, ctx, cert_path);
	if (rc == CG_OK)
		rc = cg__store_add_cert(st, ctx, eid, cert);
	X509_free(cert);
	return rc;
}

cg_rc
cg__store_add_cert(cg_store *st, cg_ctx *ctx, long long eid, X509 *cert)
{
	unsigned char *der = NULL;
	char serial[80];
	time_t not_after = 0;
	struct tm tm;
	int len;
	cg_db_stmt *s;
	cg_rc rc;

	cg__cert_serial_hex(cert, serial, sizeof(serial));
	if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1)
		not_after = timegm(&tm);
	len = i2d_X509(cert, &der);
	s = stmt(st, Q_ADD_CERT);
	if (len <= 0 || s == NULL || cg_db_bind_int64(s, 1, eid) != CG_OK ||
	    cg_db_bind_text(s, 2, serial) != CG_OK ||
	    cg_db_bind_blob(s, 3, der, len) != CG_OK ||
	    cg_db_bind_int64(s, 4, (long long)not_after) != CG_OK ||
	    cg_db_bind_int64(s, 5, (long long)time(NULL)) != CG_OK)
		rc = db_fail(st, ctx, "add certificate");
	else
		rc = step_done(st, ctx, s, "add certificate");
	OPENSSL_free(der);
	return rc;
}

/* scrypt (N=2^14, r=8, p=1): "scrypt$N$r$p$SALT$HASH", base64 parts. */
#define SCRYPT_N 16384
#define SCRYPT_R 8
#define SCRYPT_P 1

static cg_rc
hash_password(const char *password, const unsigned char *salt, size_t saltlen, unsigned char *out,
	      size_t outlen, uint64_t n, uint64_t r, uint64_t p)
{
	return EVP_PBE_scrypt(password, strlen(password), salt, saltlen, n, r, p, 64u * 1024 * 1024,
			      out, outlen) == 1
		       ? CG_OK
		       : CG_EINTERNAL;
}

static char *
make_pw_hash(const char *password)
{
	unsigned char salt[16], h[32];
	char *s64 = NULL, *h64 = NULL, *out = NULL;
	size_t need;

	if (RAND_bytes(salt, sizeof(salt)) != 1 ||
	    hash_password(password, salt, sizeof(salt), h, sizeof(h), SCRYPT_N, SCRYPT_R, SCRYPT_P) !=
		    CG_OK)
		return NULL;
	s64 = cg__base64(salt, sizeof(salt));
	h64 = cg__base64(h, sizeof(h));
	need = 64 + (s64 != NULL ? strlen(s64) : 0) + (h64 != NULL ? strlen(h64) : 0);
	if (s64 != NULL && h64 != NULL && (out = malloc(need)) != NULL)
		(void)snprintf(out, need, "scrypt$%d$%d$%d$%s$%s", SCRYPT_N, SCRYPT_R, SCRYPT_P, s64, h64);
	free(s64);
	free(h64);
	return out;
}

static bool
check_pw_hash(const char *stored, const char *password)
{
	unsigned long long n, r, p;
	char salt64[64], hash64[96];
	unsigned char *salt = NULL, *want = NULL, got[64];
	size_t saltlen = 0, wantlen = 0;
	bool ok = false;

	if (sscanf(stored, "scrypt$%llu$%llu$%llu$%63[^$]$%95s", &n, &r, &p, salt64, hash64) != 5 ||
	    n > (1u << 20) || r > 16 || p > 4)
		return false;
	if (cg__base64_decode(&salt, &saltlen, salt64) == CG_OK &&
	    cg__base64_decode(&want, &wantlen, hash64) == CG_OK && wantlen <= sizeof(got) &&
	    hash_password(password, salt, saltlen, got, wantlen, n, r, p) == CG_OK)
		ok = CRYPTO_memcmp(got, want, wantlen) == 0;
	free(salt);
	free(want);
	return ok;
}

static cg_role role_of(const char *s);

cg_rc
cg_store_add_user(cg_store *st, cg_ctx *ctx, const char *name, const char *role,
		  const char *cop_code, const char *password)
{
	bool needs_ent = role != NULL && (strcmp(role, "merchant") == 0 || strcmp(role, "logistics") == 0);
	long long eid = 0;
	char *h;
	cg_db_stmt *s;
	cg_rc rc = CG_OK;

	if (name == NULL || *name == '\0' || strlen(name) > 64 || password == NULL ||
	    strlen(password) < 8 || strlen(password) > 1024 || role_of(role) == CG_ROLE_NONE ||
	    (needs_ent && cop_code == NULL))
		return cg__fail(ctx, CG_EINVAL, "a user needs a name, a role (officer, admin, merchant, "
						"logistics), a password of 8 to 1024 characters and, for "
						"merchants and logistics staff, an enterprise");
	if (needs_ent)
		rc = cg__store_enterprise(st, ctx, cop_code, &eid);
	if (rc != CG_OK)
		return rc;
	h = make_pw_hash(password);
	if (h == NULL)
		return cg__fail(ctx, CG_EINTERNAL, "cannot hash the password");
	s = stmt(st, Q_ADD_USER);
	if (s == NULL || cg_db_bind_text(s, 1, name) != CG_OK ||
	    cg_db_bind_text(s, 2, role) != CG_OK ||
	    (eid != 0 && cg_db_bind_int64(s, 3, eid) != CG_OK) ||
	    cg_db_bind_text(s, 4, h) != CG_OK ||
	    cg_db_bind_int64(s, 5, (long long)time(NULL)) != CG_OK)
		rc = db_fail(st, ctx, "add user");
	else
		rc = step_done(st, ctx, s, "add user");
	free(h);
	return rc;
}

static cg_role
role_of(const char *s)
{
	if (s == NULL)
		return CG_ROLE_NONE;
	if (strcmp(s, "officer") == 0)
		return CG_ROLE_OFFICER;
	if (strcmp(s, "admin") == 0)
		return CG_ROLE_ADMIN;
	if (strcmp(s, "merchant") == 0)
		return CG_ROLE_MERCHANT;
	if (strcmp(s, "logistics") == 0)
		return CG_ROLE_LOGISTICS;
	return CG_ROLE_NONE;
}

static void
copy(char *dst, size_t size, const char *src)
{
	(void)snprintf(dst, size, "%s", src != NULL ? src : "");
}

cg_rc
cg_store_login(cg_store *st, cg_ctx *ctx, const char *name, const char *password,
	       cg_principal *out)
{
	cg_db_stmt *s = stmt(st, Q_USER_BY_NAME);
	int r;

	memset(out, 0, sizeof(*out));
	if (s == NULL || cg_db_bind_text(s, 1, name) != CG_OK)
		return db_fail(st, ctx, "login");
	r = cg_db_step(s);
	if (r != CG_DB_ROW) {
		/* Same work for an unknown user, so timing does not tell which names exist. */
		(void)check_pw_hash("scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA", password);
		return r == CG_DB_DONE ? cg__fail(ctx, CG_ENOTFOUND, "wrong user or password")
					: db_fail(st, ctx, "login");
	}
	/* A disabled account is refused after the same work and with the same words. */
	if (!check_pw_hash(cg_db_column_text(s, 2), password) || cg_db_column_int64(s, 5) != 0) {
		cg_db_reset(s);
		return cg__fail(ctx, CG_ENOTFOUND, "wrong user or password");
	}
	out->user_id = cg_db_column_int64(s, 0);
	out->role = role_of(cg_db_column_text(s, 1));
	out->enterprise_id = cg_db_column_int64(s, 3);
	copy(out->cop_code, sizeof(out->cop_code), cg_db_column_text(s, 4));
	copy(out->name, sizeof(out->name), name);
	cg_db_reset(s);
	return CG_OK;
}

cg_rc
cg_store_new_token(cg_store *st, cg_ctx *ctx, const char *cop_code, const char *user,
		   long long expires, char **token)
{
	unsigned char raw[32], h[32];

	long long eid = 0, uid = 0;
	cg_db_stmt *s;
	char *t, *p;
	cg_rc rc = CG_OK;

	*token = NULL;
	if ((cop_code == NULL) == (user == NULL))
		return cg__fail(ctx, CG_EINVAL, "a token is for an enterprise or for a user");
	if (expires != 0 && expires <= (long long)time(NULL))
		return cg__fail(ctx, CG_EINVAL, "a token's expiry date must be in the future");
	if (cop_code != NULL)
		rc = cg__store_enterprise(st, ctx, cop_code, &eid);
	else {
		s = stmt(st, Q_USER_BY_NAME);
		if (s == NULL || cg_db_bind_text(s, 1, user) != CG_OK ||
		    cg_db_step(s) != CG_DB_ROW)
			rc = cg__fail(ctx, CG_ENOTFOUND, "no user %s", user);
		else
			uid = cg_db_column_int64(s, 0);
		if (s != NULL)
			cg_db_reset(s);
	}
	if (rc != CG_OK)
		return rc;
	/*
	 * Its first characters are the prefix an operator types after `cebgate admin
	 * token revoke`: a leading '-' (1 token in 64) would read as an option there,
	 * so such a draw is drawn again.
	 */
	do {
		if (RAND_bytes(raw, sizeof(raw)) != 1)
			return cg__fail(ctx, CG_EINTERNAL, "no randomness");
	} while (raw[0] >> 2 == 62); /* '+' in base64, '-' below */
	t = cg__base64(raw, sizeof(raw));
	if (t == NULL)
		return CG_ENOMEM;
	/* URL-safe alphabet without padding: tokens travel in headers and URLs. */
	for (p = t; *p != '\0'; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	t[strcspn(t, "=")] = '\0';
	if (cg__digest(EVP_sha256(), t, strlen(t), h) != 32) {
		free(t);
		return CG_EINTERNAL;
	}
	s = stmt(st, Q_ADD_TOKEN);
	if (s == NULL || cg_db_bind_blob(s, 1, h, sizeof(h)) != CG_OK ||
	    (eid != 0 && cg_db_bind_int64(s, 2, eid) != CG_OK) ||
	    (uid != 0 && cg_db_bind_int64(s, 3, uid) != CG_OK) ||
	    cg_db_bind_int64(s, 4, (long long)time(NULL)) != CG_OK ||
	    cg_db_bind_textn(s, 5, t, CG_TOKEN_PREFIX) != CG_OK ||
	    (expires != 0 && cg_db_bind_int64(s, 6, expires) != CG_OK))
		rc = db_fail(st, ctx, "add token");
	else
		rc = step_done(st, ctx, s, "add token");
	if (rc != CG_OK) {
		free(t);
		return rc;
	}
	*token = t;
	return CG_OK;
}

/* A token's last use is kept to the minute: one write a minute per token, not one per request. */
#define TOKEN_USE_GRAIN 60

/* Best effort: a busy database must not refuse the request it authenticates. */
static void
note_use(cg_store *st, long long id, long long now)
{
	cg_db_stmt *s = stmt(st, Q_TOKEN_USED);

	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK || cg_db_bind_int64(s, 2, now) != CG_OK ||
	    cg_db_bind_int64(s, 3, now - TOKEN_USE_GRAIN) != CG_OK) {
		if (s != NULL)
			cg_db_reset(s);
		return;
	}
	(void)cg_db_step(s);
	cg_db_reset(s);
}

/* The access generation now: read before the token, so an entry is never newer than its number. */
static cg_rc
generation(cg_store *st, cg_ctx *ctx, long long *out)
{
	cg_db_stmt *s = stmt(st, Q_GENERATION);
	int r;

	if (s == NULL)
		return db_fail(st, ctx, "token");
	r = cg_db_step(s);
	*out = r == CG_DB_ROW ? cg_db_column_int64(s, 0) : 0;
	cg_db_reset(s);
	return r == CG_DB_ROW ? CG_OK : db_fail(st, ctx, "token");
}

/* The token's row with its user's and enterprise's, when all are in force at @p now. */
static cg_rc
token_row(cg_store *st, cg_ctx *ctx, const unsigned char h[32], long long now, struct cg_token_seen *t)
{
	cg_principal *out = &t->who;
	cg_db_stmt *s = stmt(st, Q_TOKEN);
	int r;

	memset(t, 0, sizeof(*t));
	if (s == NULL || cg_db_bind_blob(s, 1, h, 32) != CG_OK || cg_db_bind_int64(s, 2, now) != CG_OK)
		return db_fail(st, ctx, "token");
	r = cg_db_step(s);
	if (r != CG_DB_ROW)
		return r == CG_DB_DONE ? cg__fail(ctx, CG_ENOTFOUND, "unknown token")
					: db_fail(st, ctx, "token");
	t->id = cg_db_column_int64(s, 8);
	t->last_used = cg_db_column_is_null(s, 9) ? 0 : cg_db_column_int64(s, 9);
	t->created = cg_db_column_int64(s, 10);
	t->expires = cg_db_column_is_null(s, 11) ? 0 : cg_db_column_int64(s, 11);
	if (!cg_db_column_is_null(s, 0)) {
		out->role = CG_ROLE_ENTERPRISE;
		out->enterprise_id = cg_db_column_int64(s, 0);
		copy(out->cop_code, sizeof(out->cop_code), cg_db_column_text(s, 4));
		copy(out->name, sizeof(out->name), cg_db_column_text(s, 5));
	} else {
		out->user_id = cg_db_column_int64(s, 1);
		out->role = role_of(cg_db_column_text(s, 2));
		copy(out->name, sizeof(out->name), cg_db_column_text(s, 3));
		out->enterprise_id = cg_db_column_int64(s, 6);
		copy(out->cop_code, sizeof(out->cop_code), cg_db_column_text(s, 7));
	}
	cg_db_reset(s);
	return CG_OK;
}

/*
 * One statement per request while nothing changed: the access generation.
 * Who holds the token comes from the cache found under that generation, or
 * else from the database (then remembered); the expiry is the clock's.
 */
cg_rc
cg__store_token_check(cg_store *st, cg_ctx *ctx, const char *token, long long now, cg_principal *out,
		      long long *created)
{
	struct cg_token_cache *cache;
	struct cg_token_seen *seen, found;
	unsigned char h[32];
	long long gen;
	cg_rc rc;

	memset(out, 0, sizeof(*out));
	if (token == NULL || strlen(token) > 128)
		return cg__fail(ctx, CG_ENOTFOUND, "unknown token");
	cache = cg__store_tokens(st);
	if (cache != NULL ? !cg__token_cache_hash(cache, token, strlen(token), h)
			  : cg__digest(EVP_sha256(), token, strlen(token), h) != 32)
		return cg__fail(ctx, CG_ENOTFOUND, "unknown token");
	rc = generation(st, ctx, &gen);
	if (rc != CG_OK)
		return rc;
	if (cache != NULL)
		cg__token_cache_generation(cache, gen);
	seen = cache != NULL ? cg__token_cache_find(cache, h) : NULL;
	if (seen != NULL && seen->expires != 0 && seen->expires <= now) {
		cg__token_cache_drop(cache, h);
		return cg__fail(ctx, CG_ENOTFOUND, "unknown token");
	}
	if (seen == NULL) {
		rc = token_row(st, ctx, h, now, &found);
		if (rc != CG_OK)
			return rc;
		seen = &found;
	}
	if (seen->last_used <= now - TOKEN_USE_GRAIN) {
		note_use(st, seen->id, now);
		seen->last_used = now;
	}
	if (seen == &found && cache != NULL)
		cg__token_cache_put(cache, h, &found);
	*out = seen->who;
	if (created != NULL)
		*created = seen->created;
	return CG_OK;
}

cg_rc
cg_store_auth_token(cg_store *st, cg_ctx *ctx, const char *token, cg_principal *out)
{
	return cg__store_token_check(st, ctx, token, (long long)time(NULL), out, NULL);
}
