/* SPDX-License-Identifier: MIT */
/*
 * SQLite storage of the single window: opening with safe settings, versioned
 * migrations, and the registry of enterprises, certificates, users and
 * tokens. Statements are constants in this file, bound with sqlite3_bind_*.
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
#include <sqlite3.h>
#include "window/store.h"
#include "sig/sigcore.h"
#include "window/store_internal.h"

/* Each migration runs once, in order, inside one transaction; never edit one that shipped. */
static const char *const migrations[] = {
	/* 1: the registry */
	"CREATE TABLE enterprise("
	" id INTEGER PRIMARY KEY, cop_code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
	" roles TEXT NOT NULL, dxp_id TEXT, created INTEGER NOT NULL);"
	"CREATE TABLE certificate("
	" id INTEGER PRIMARY KEY, enterprise_id INTEGER NOT NULL REFERENCES enterprise(id),"
	" serial TEXT NOT NULL, der BLOB NOT NULL, not_after INTEGER NOT NULL,"
	" created INTEGER NOT NULL, UNIQUE(enterprise_id, serial));"
	"CREATE TABLE user("
	" id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" role TEXT NOT NULL CHECK(role IN ('officer','admin','merchant','logistics')),"
	" enterprise_id INTEGER REFERENCES enterprise(id), pw_hash TEXT NOT NULL,"
	" created INTEGER NOT NULL,"
	" CHECK((role IN ('merchant','logistics')) = (enterprise_id IS NOT NULL)));"
	"CREATE TABLE token("
	" id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE,"
	" enterprise_id INTEGER REFERENCES enterprise(id), user_id INTEGER REFERENCES user(id),"
	" created INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0,"
	" CHECK((enterprise_id IS NULL) <> (user_id IS NULL)));",
	/* 2: one submission and one feedback */
	"CREATE TABLE message("
	" id INTEGER PRIMARY KEY, guid TEXT NOT NULL UNIQUE, msg_type TEXT NOT NULL,"
	" sender_id INTEGER NOT NULL REFERENCES enterprise(id), sha256 BLOB NOT NULL,"
	" xml BLOB NOT NULL, result TEXT NOT NULL, received INTEGER NOT NULL);"
	"CREATE TABLE document("
	" id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL REFERENCES message(id),"
	" kind INTEGER NOT NULL, key1 TEXT NOT NULL, key2 TEXT NOT NULL, app_type TEXT NOT NULL,"
	" state TEXT NOT NULL, sender_id INTEGER NOT NULL REFERENCES enterprise(id),"
	" updated INTEGER NOT NULL, UNIQUE(kind, key1, key2));"
	"CREATE TABLE receipt("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" enterprise_id INTEGER NOT NULL REFERENCES enterprise(id),"
	" document_id INTEGER REFERENCES document(id), msg_type TEXT NOT NULL,"
	" return_status TEXT NOT NULL, xml BLOB NOT NULL, created INTEGER NOT NULL);"
	"CREATE INDEX receipt_by_enterprise ON receipt(enterprise_id, id);",
	/* 3: clearance: matching, quota, review queue, audit trail */
	"ALTER TABLE document ADD COLUMN data TEXT NOT NULL DEFAULT '{}';"
	"ALTER TABLE document ADD COLUMN order_key TEXT;"
	"ALTER TABLE document ADD COLUMN waybill_key TEXT;"
	"ALTER TABLE document ADD COLUMN reason TEXT;"
	"ALTER TABLE document ADD COLUMN created INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX document_by_order ON document(kind, order_key);"
	"CREATE INDEX document_by_waybill ON document(kind, waybill_key);"
	"CREATE INDEX document_by_state ON document(kind, state);"
	"CREATE TABLE quota(buyer BLOB NOT NULL, year INTEGER NOT NULL, used INTEGER NOT NULL,"
	" PRIMARY KEY(buyer, year));"
	"CREATE TABLE review("
	" document_id INTEGER PRIMARY KEY REFERENCES document(id), reason TEXT NOT NULL,"
	" priority INTEGER NOT NULL, state TEXT NOT NULL, claimed_by INTEGER REFERENCES user(id),"
	" lease_until INTEGER, decision TEXT, decision_reason TEXT, decided_by INTEGER,"
	" decided_at INTEGER, created INTEGER NOT NULL);"
	"CREATE INDEX review_queue ON review(state, priority, created);"
	"CREATE TABLE audit("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,"
	" document_id INTEGER, detail TEXT NOT NULL, prev BLOB NOT NULL, hash BLOB NOT NULL);"
	"CREATE TRIGGER audit_append_only_u BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
	"CREATE TRIGGER audit_append_only_d BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
	/* 4: merchant uploads and custodial signing keys */
	"CREATE TABLE upload("
	" id INTEGER PRIMARY KEY, enterprise_id INTEGER NOT NULL REFERENCES enterprise(id),"
	" actor TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,"
	" path TEXT NOT NULL, state TEXT NOT NULL, records INTEGER NOT NULL DEFAULT 0,"
	" valid INTEGER NOT NULL DEFAULT 0, invalid INTEGER NOT NULL DEFAULT 0,"
	" findings TEXT NOT NULL DEFAULT '[]', changes TEXT NOT NULL DEFAULT '[]',"
	" created INTEGER NOT NULL);"
	"CREATE INDEX upload_by_enterprise ON upload(enterprise_id, id);"
	"CREATE TABLE upload_item("
	" upload_id INTEGER NOT NULL REFERENCES upload(id), seq INTEGER NOT NULL,"
	" name TEXT NOT NULL, xml BLOB NOT NULL, signed BLOB, result TEXT,"
	" PRIMARY KEY(upload_id, seq));"
	"CREATE TABLE custody("
	" enterprise_id INTEGER PRIMARY KEY REFERENCES enterprise(id), key_spec TEXT NOT NULL,"
	" cert_path TEXT NOT NULL, serial TEXT NOT NULL, created INTEGER NOT NULL);"
	"CREATE TABLE upload_profile("
	" enterprise_id INTEGER NOT NULL REFERENCES enterprise(id), name TEXT NOT NULL,"
	" text TEXT NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY(enterprise_id, name));",
};

/* PRAGMA user_version takes no parameter: one constant per migration. */
static const char *const set_version[] = { "PRAGMA user_version = 1", "PRAGMA user_version = 2",
					   "PRAGMA user_version = 3", "PRAGMA user_version = 4" };
_Static_assert(sizeof(set_version) / sizeof(set_version[0]) ==
		       sizeof(migrations) / sizeof(migrations[0]),
	       "one user_version statement per migration");

enum {
	Q_ADD_ENTERPRISE,
	Q_ENTERPRISE_ID,
	Q_ADD_CERT,
	Q_ADD_USER,
	Q_USER_BY_NAME,
	Q_ADD_TOKEN,
	Q_TOKEN,
	Q_CERT,
	Q_MSG_FIND,
	Q_MSG_ADD,
	Q_DOC_FIND,
	Q_DOC_ADD,
	Q_DOC_UPDATE,
	Q_RCPT_ADD,
	Q_RCPT_LIST,
	Q_ENT_DXP,
	Q_MSG_RESULT,
	Q_COUNT
};

static const char *const sql[Q_COUNT] = {
	[Q_ADD_ENTERPRISE] = "INSERT INTO enterprise(cop_code, name, roles, dxp_id, created)"
			     " VALUES(?1, ?2, ?3, ?4, ?5)",
	[Q_ENTERPRISE_ID] = "SELECT id, name FROM enterprise WHERE cop_code = ?1",
	[Q_ADD_CERT] = "INSERT INTO certificate(enterprise_id, serial, der, not_after, created)"
		       " VALUES(?1, ?2, ?3, ?4, ?5)",
	[Q_ADD_USER] = "INSERT INTO user(name, role, enterprise_id, pw_hash, created)"
		       " VALUES(?1, ?2, ?3, ?4, ?5)",
	[Q_USER_BY_NAME] = "SELECT u.id, u.role, u.pw_hash, u.enterprise_id, e.cop_code"
			   " FROM user u LEFT JOIN enterprise e ON e.id = u.enterprise_id"
			   " WHERE u.name = ?1",
	[Q_ADD_TOKEN] = "INSERT INTO token(hash, enterprise_id, user_id, created) VALUES(?1, ?2, ?3, ?4)",
	[Q_TOKEN] = "SELECT t.enterprise_id, t.user_id, u.role, u.name, e.cop_code, e.name,"
		    " u.enterprise_id, ue.cop_code"
		    " FROM token t LEFT JOIN user u ON u.id = t.user_id"
		    " LEFT JOIN enterprise e ON e.id = t.enterprise_id"
		    " LEFT JOIN enterprise ue ON ue.id = u.enterprise_id"
		    " WHERE t.hash = ?1 AND t.revoked = 0",
	[Q_CERT] = "SELECT der FROM certificate WHERE enterprise_id = ?1 AND serial = ?2",
	[Q_MSG_FIND] = "SELECT sha256, result FROM message WHERE guid = ?1",
	[Q_MSG_ADD] = "INSERT INTO message(guid, msg_type, sender_id, sha256, xml, result, received)"
		      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[Q_DOC_FIND] = "SELECT id, state, sender_id FROM document WHERE kind = ?1 AND key1 = ?2 AND key2 = ?3",
	[Q_DOC_ADD] = "INSERT INTO document(message_id, kind, key1, key2, app_type, state, sender_id,"
		      " updated) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[Q_DOC_UPDATE] = "UPDATE document SET message_id = ?2, app_type = ?3, state = ?4, updated = ?5"
			 " WHERE id = ?1",
	[Q_RCPT_ADD] = "INSERT INTO receipt(enterprise_id, document_id, msg_type, return_status, xml,"
		       " created) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[Q_RCPT_LIST] = "SELECT id, msg_type, return_status, xml, created FROM receipt"
			" WHERE enterprise_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
	[Q_ENT_DXP] = "SELECT dxp_id FROM enterprise WHERE id = ?1",
	[Q_MSG_RESULT] = "UPDATE message SET result = ?2 WHERE id = ?1",
};

struct cg_store {
	sqlite3 *db;
	sqlite3_stmt *stmt[Q_COUNT];
	sqlite3_stmt *extra[CG_STORE_EXTRA];
	int version;
};

sqlite3_stmt *
cg__store_stmt(cg_store *st, int slot, const char *constant_sql)
{
	if (slot < 0 || slot >= CG_STORE_EXTRA)
		return NULL;
	if (st->extra[slot] == NULL &&
	    sqlite3_prepare_v3(st->db, constant_sql, -1, SQLITE_PREPARE_PERSISTENT, &st->extra[slot],
			       NULL) != SQLITE_OK)
		return NULL;
	sqlite3_reset(st->extra[slot]);
	sqlite3_clear_bindings(st->extra[slot]);
	return st->extra[slot];
}

const char *
cg__store_errmsg(cg_store *st)
{
	return sqlite3_errmsg(st->db);
}

long long
cg__store_last_id(cg_store *st)
{
	return sqlite3_last_insert_rowid(st->db);
}

static cg_rc
db_fail(cg_store *st, cg_ctx *ctx, const char *what)
{
	return cg__fail(ctx, CG_EDB, "%s: %s", what, sqlite3_errmsg(st->db));
}

/* The prepared statement @p q, reset and with its bindings cleared. */
static sqlite3_stmt *
stmt(cg_store *st, int q)
{
	if (st->stmt[q] == NULL &&
	    sqlite3_prepare_v3(st->db, sql[q], -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[q], NULL) !=
		    SQLITE_OK)
		return NULL;
	sqlite3_reset(st->stmt[q]);
	sqlite3_clear_bindings(st->stmt[q]);
	return st->stmt[q];
}

static cg_rc
exec(cg_store *st, cg_ctx *ctx, const char *constant_sql)
{
	char *err = NULL;

	if (sqlite3_exec(st->db, constant_sql, NULL, NULL, &err) != SQLITE_OK) {
		cg_rc rc = cg__fail(ctx, CG_EDB, "%s", err != NULL ? err : sqlite3_errmsg(st->db));

		sqlite3_free(err);
		return rc;
	}
	return CG_OK;
}

static int
user_version(cg_store *st)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static cg_rc
migrate(cg_store *st, cg_ctx *ctx)
{
	int n = (int)(sizeof(migrations) / sizeof(migrations[0])), v;
	cg_rc rc = CG_OK;

	for (v = user_version(st); v >= 0 && v < n && rc == CG_OK; v++) {
		rc = exec(st, ctx, "BEGIN IMMEDIATE");
		if (rc != CG_OK)
			return rc;
		rc = exec(st, ctx, migrations[v]);
		if (rc == CG_OK)
			rc = exec(st, ctx, set_version[v]);
		if (rc == CG_OK)
			rc = exec(st, ctx, "COMMIT");
		else
			(void)exec(st, NULL, "ROLLBACK");
	}
	st->version = user_version(st);
	if (rc == CG_OK && st->version > n)
		rc = cg__fail(ctx, CG_EDB, "database schema %d is newer than this cebgate (%d)",
			      st->version, n);
	return rc;
}

/*
 * Waiting for another connection's write: SQLite's own handler sleeps 1, 2,
 * 5 ... ms, far longer than our transactions last (measured: +55% throughput
 * with short retries). Retry every 20 us at first, then every ms, ~10 s in all.
 */
static int
on_busy(void *payload, int count)
{
	struct timespec nap = { 0, count < 200 ? 20 * 1000 : 1000 * 1000 };

	(void)payload;
	if (count >= 200 + 10000)
		return 0;
	(void)nanosleep(&nap, NULL);
	return 1;
}

cg_rc
cg_store_open(cg_store **out, cg_ctx *ctx, const char *path)
{
	cg_store *st = calloc(1, sizeof(*st));
	cg_rc rc = CG_OK;

	*out = NULL;
	if (st == NULL)
		return CG_ENOMEM;
	if (sqlite3_open_v2(path, &st->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		rc = cg__fail(ctx, CG_EDB, "cannot open %s: %s", path,
			      st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(st->db, 1);
	(void)sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	(void)sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_busy_handler(st->db, on_busy, NULL);
	/* WAL for concurrent readers; FULL so that a commit survives power loss. */
	rc = exec(st, ctx, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			   " PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF;");
	if (rc == CG_OK)
		rc = migrate(st, ctx);
out:
	if (rc != CG_OK) {
		cg_store_close(st);
		return rc;
	}
	*out = st;
	return CG_OK;
}

void
cg_store_close(cg_store *st)
{
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	for (i = 0; i < CG_STORE_EXTRA; i++)
		sqlite3_finalize(st->extra[i]);
	sqlite3_close(st->db);
	free(st);
}

int
cg_store_schema_version(cg_store *st)
{
	return st->version;
}

char *
cg_store_integrity(cg_store *st)
{
	sqlite3_stmt *s = NULL;
	char *r = NULL;

	if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		r = cg__strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return r;
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

static cg_rc
step_done(cg_store *st, cg_ctx *ctx, sqlite3_stmt *s, const char *what)
{
	int r = sqlite3_step(s);

	if (r == SQLITE_DONE)
		return CG_OK;
	if (sqlite3_extended_errcode(st->db) == SQLITE_CONSTRAINT_UNIQUE ||
	    sqlite3_extended_errcode(st->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
		return cg__fail(ctx, CG_EEXIST, "%s: exists already", what);
	if ((r & 0xff) == SQLITE_CONSTRAINT)
		return cg__fail(ctx, CG_EDB, "%s: not allowed", what);
	return db_fail(st, ctx, what);
}

cg_rc
cg_store_add_enterprise(cg_store *st, cg_ctx *ctx, const char *cop_code, const char *name,
			const char *roles, const char *dxp_id)
{
	sqlite3_stmt *s;

	if (!valid_code(cop_code) || name == NULL || *name == '\0' || strpbrk(name, "\r\n\t") != NULL ||
	    !valid_roles(roles) || (dxp_id != NULL && strlen(dxp_id) > 16))
		return cg__fail(ctx, CG_EINVAL, "an enterprise needs a copCode of 1-18 letters and "
						"digits, a name, roles among ebp,ebc,pay,logistics,agent "
						"and a DXP id of at most 16 characters");
	s = stmt(st, Q_ADD_ENTERPRISE);
	if (s == NULL || sqlite3_bind_text(s, 1, cop_code, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 3, roles, -1, SQLITE_STATIC) != SQLITE_OK ||
	    (dxp_id != NULL && sqlite3_bind_text(s, 4, dxp_id, -1, SQLITE_STATIC) != SQLITE_OK) ||
	    sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL)) != SQLITE_OK)
		return db_fail(st, ctx, "add enterprise");
	return step_done(st, ctx, s, "add enterprise");
}

cg_rc
cg__store_enterprise(cg_store *st, cg_ctx *ctx, const char *cop_code, long long *id)
{
	sqlite3_stmt *s = stmt(st, Q_ENTERPRISE_ID);
	int r;

	if (s == NULL || sqlite3_bind_text(s, 1, cop_code, -1, SQLITE_STATIC) != SQLITE_OK)
		return db_fail(st, ctx, "find enterprise");
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		/*
		 * Every statement is reset as soon as it is read: an active one keeps its
		 * connection's implicit transaction open, so later writes would not commit.
		 */
		sqlite3_reset(s);
		return CG_OK;
	}
	sqlite3_reset(s);
	return r == SQLITE_DONE ? cg__fail(ctx, CG_ENOTFOUND, "no enterprise %s", cop_code)
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
	sqlite3_stmt *s;
	cg_rc rc;

	cg__cert_serial_hex(cert, serial, sizeof(serial));
	if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1)
		not_after = timegm(&tm);
	len = i2d_X509(cert, &der);
	s = stmt(st, Q_ADD_CERT);
	if (len <= 0 || s == NULL || sqlite3_bind_int64(s, 1, eid) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, serial, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_blob(s, 3, der, len, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, (sqlite3_int64)not_after) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL)) != SQLITE_OK)
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
	sqlite3_stmt *s;
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
	if (s == NULL || sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, role, -1, SQLITE_STATIC) != SQLITE_OK ||
	    (eid != 0 && sqlite3_bind_int64(s, 3, eid) != SQLITE_OK) ||
	    sqlite3_bind_text(s, 4, h, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL)) != SQLITE_OK)
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
copy(char *dst, size_t size, const unsigned char *src)
{
	(void)snprintf(dst, size, "%s", src != NULL ? (const char *)src : "");
}

cg_rc
cg_store_login(cg_store *st, cg_ctx *ctx, const char *name, const char *password,
	       cg_principal *out)
{
	sqlite3_stmt *s = stmt(st, Q_USER_BY_NAME);
	int r;

	memset(out, 0, sizeof(*out));
	if (s == NULL || sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC) != SQLITE_OK)
		return db_fail(st, ctx, "login");
	r = sqlite3_step(s);
	if (r != SQLITE_ROW) {
		/* Same work for an unknown user, so timing does not tell which names exist. */
		(void)check_pw_hash("scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA", password);
		return r == SQLITE_DONE ? cg__fail(ctx, CG_ENOTFOUND, "wrong user or password")
					: db_fail(st, ctx, "login");
	}
	if (!check_pw_hash((const char *)sqlite3_column_text(s, 2), password)) {
		sqlite3_reset(s);
		return cg__fail(ctx, CG_ENOTFOUND, "wrong user or password");
	}
	out->user_id = sqlite3_column_int64(s, 0);
	out->role = role_of((const char *)sqlite3_column_text(s, 1));
	out->enterprise_id = sqlite3_column_int64(s, 3);
	copy(out->cop_code, sizeof(out->cop_code), sqlite3_column_text(s, 4));
	copy(out->name, sizeof(out->name), (const unsigned char *)name);
	sqlite3_reset(s);
	return CG_OK;
}

cg_rc
cg_store_new_token(cg_store *st, cg_ctx *ctx, const char *cop_code, const char *user,
		   char **token)
{
	unsigned char raw[32], h[32];

	long long eid = 0, uid = 0;
	sqlite3_stmt *s;
	char *t, *p;
	cg_rc rc = CG_OK;

	*token = NULL;
	if ((cop_code == NULL) == (user == NULL))
		return cg__fail(ctx, CG_EINVAL, "a token is for an enterprise or for a user");
	if (cop_code != NULL)
		rc = cg__store_enterprise(st, ctx, cop_code, &eid);
	else {
		s = stmt(st, Q_USER_BY_NAME);
		if (s == NULL || sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC) != SQLITE_OK ||
		    sqlite3_step(s) != SQLITE_ROW)
			rc = cg__fail(ctx, CG_ENOTFOUND, "no user %s", user);
		else
			uid = sqlite3_column_int64(s, 0);
		if (s != NULL)
			sqlite3_reset(s);
	}
	if (rc != CG_OK)
		return rc;
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return cg__fail(ctx, CG_EINTERNAL, "no randomness");
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
	if (s == NULL || sqlite3_bind_blob(s, 1, h, sizeof(h), SQLITE_STATIC) != SQLITE_OK ||
	    (eid != 0 && sqlite3_bind_int64(s, 2, eid) != SQLITE_OK) ||
	    (uid != 0 && sqlite3_bind_int64(s, 3, uid) != SQLITE_OK) ||
	    sqlite3_bind_int64(s, 4, (sqlite3_int64)time(NULL)) != SQLITE_OK)
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

cg_rc
cg_store_auth_token(cg_store *st, cg_ctx *ctx, const char *token, cg_principal *out)
{
	unsigned char h[32];
	sqlite3_stmt *s;
	int r;

	memset(out, 0, sizeof(*out));
	if (token == NULL || strlen(token) > 128 || cg__digest(EVP_sha256(), token, strlen(token), h) != 32)
		return cg__fail(ctx, CG_ENOTFOUND, "unknown token");
	s = stmt(st, Q_TOKEN);
	if (s == NULL || sqlite3_bind_blob(s, 1, h, sizeof(h), SQLITE_STATIC) != SQLITE_OK)
		return db_fail(st, ctx, "token");
	r = sqlite3_step(s);
	if (r != SQLITE_ROW)
		return r == SQLITE_DONE ? cg__fail(ctx, CG_ENOTFOUND, "unknown token")
					: db_fail(st, ctx, "token");
	if (sqlite3_column_type(s, 0) != SQLITE_NULL) {
		out->role = CG_ROLE_ENTERPRISE;
		out->enterprise_id = sqlite3_column_int64(s, 0);
		copy(out->cop_code, sizeof(out->cop_code), sqlite3_column_text(s, 4));
		copy(out->name, sizeof(out->name), sqlite3_column_text(s, 5));
	} else {
		out->user_id = sqlite3_column_int64(s, 1);
		out->role = role_of((const char *)sqlite3_column_text(s, 2));
		copy(out->name, sizeof(out->name), sqlite3_column_text(s, 3));
		out->enterprise_id = sqlite3_column_int64(s, 6);
		copy(out->cop_code, sizeof(out->cop_code), sqlite3_column_text(s, 7));
	}
	sqlite3_reset(s);
	return CG_OK;
}

/* ---- submissions and receipts (used by cg_service_*) ------------------------------ */

cg_rc
cg__store_tx(cg_store *st, cg_ctx *ctx, int what)
{
	static const char *const verbs[] = { "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK", "SAVEPOINT msg",
					     "RELEASE msg", "ROLLBACK TO msg; RELEASE msg" };

	return exec(st, ctx, verbs[what]);
}

cg_rc
cg__store_cert(cg_store *st, cg_ctx *ctx, long long eid, const char *serial, unsigned char **der,
	       size_t *len)
{
	sqlite3_stmt *s = stmt(st, Q_CERT);
	int r;

	*der = NULL;
	if (s == NULL || sqlite3_bind_int64(s, 1, eid) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, serial, -1, SQLITE_STATIC) != SQLITE_OK)
		return db_fail(st, ctx, "certificate");
	r = sqlite3_step(s);
	if (r != SQLITE_ROW)
		return r == SQLITE_DONE ? cg__fail(ctx, CG_ENOTFOUND, "no certificate %s", serial)
					: db_fail(st, ctx, "certificate");
	*len = (size_t)sqlite3_column_bytes(s, 0);
	*der = malloc(*len + 1);
	if (*der == NULL)
		return CG_ENOMEM;
	memcpy(*der, sqlite3_column_blob(s, 0), *len);
	sqlite3_reset(s);
	return CG_OK;
}

cg_rc
cg__store_enterprise_dxp(cg_store *st, cg_ctx *ctx, long long eid, char *out, size_t size)
{
	sqlite3_stmt *s = stmt(st, Q_ENT_DXP);

	out[0] = '\0';
	if (s == NULL || sqlite3_bind_int64(s, 1, eid) != SQLITE_OK)
		return db_fail(st, ctx, "enterprise");
	if (sqlite3_step(s) == SQLITE_ROW)
		copy(out, size, sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return CG_OK;
}

cg_rc
cg__store_message_find(cg_store *st, cg_ctx *ctx, const char *guid, unsigned char sha[32],
		       char **result)
{
	sqlite3_stmt *s = stmt(st, Q_MSG_FIND);
	int r;

	*result = NULL;
	if (s == NULL || sqlite3_bind_text(s, 1, guid, -1, SQLITE_STATIC) != SQLITE_OK)
		return db_fail(st, ctx, "find message");
	r = sqlite3_step(s);
	if (r == SQLITE_DONE)
		return CG_ENOTFOUND;
	if (r != SQLITE_ROW || sqlite3_column_bytes(s, 0) != 32)
		return db_fail(st, ctx, "find message");
	memcpy(sha, sqlite3_column_blob(s, 0), 32);
	*result = cg__strdup((const char *)sqlite3_column_text(s, 1));
	sqlite3_reset(s);
	return *result != NULL ? CG_OK : CG_ENOMEM;
}

cg_rc
cg__store_message_add(cg_store *st, cg_ctx *ctx, const struct cg_store_message *m, long long *id)
{
	sqlite3_stmt *s = stmt(st, Q_MSG_ADD);

	if (s == NULL || sqlite3_bind_text(s, 1, m->guid, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, m->type, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, m->sender) != SQLITE_OK ||
	    sqlite3_bind_blob(s, 4, m->sha256, 32, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_blob64(s, 5, m->xml, m->len, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 6, m->result, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 7, (sqlite3_int64)time(NULL)) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE)
		return db_fail(st, ctx, "store message");
	*id = sqlite3_last_insert_rowid(st->db);
	return CG_OK;
}

cg_rc
cg__store_document_find(cg_store *st, cg_ctx *ctx, int kind, const char *k1, const char *k2,
			long long *id, char *state, size_t size)
{
	sqlite3_stmt *s = stmt(st, Q_DOC_FIND);
	int r;

	if (s == NULL || sqlite3_bind_int(s, 1, kind) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, k1, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 3, k2, -1, SQLITE_STATIC) != SQLITE_OK)
		return db_fail(st, ctx, "find document");
	r = sqlite3_step(s);
	if (r == SQLITE_DONE)
		return CG_ENOTFOUND;
	if (r != SQLITE_ROW)
		return db_fail(st, ctx, "find document");
	*id = sqlite3_column_int64(s, 0);
	copy(state, size, sqlite3_column_text(s, 1));
	sqlite3_reset(s);
	return CG_OK;
}

cg_rc
cg__store_document_put(cg_store *st, cg_ctx *ctx, long long existing, long long message_id,
		       int kind, const char *k1, const char *k2, const char *app_type,
		       const char *state, long long sender, long long *id)
{
	sqlite3_stmt *s = stmt(st, existing != 0 ? Q_DOC_UPDATE : Q_DOC_ADD);
	sqlite3_int64 now = (sqlite3_int64)time(NULL);
	int ok;

	if (s == NULL)
		return db_fail(st, ctx, "store document");
	if (existing != 0)
		ok = sqlite3_bind_int64(s, 1, existing) == SQLITE_OK &&
		     sqlite3_bind_int64(s, 2, message_id) == SQLITE_OK &&
		     sqlite3_bind_text(s, 3, app_type, -1, SQLITE_STATIC) == SQLITE_OK &&
		     sqlite3_bind_text(s, 4, state, -1, SQLITE_STATIC) == SQLITE_OK &&
		     sqlite3_bind_int64(s, 5, now) == SQLITE_OK;
	else
		ok = sqlite3_bind_int64(s, 1, message_id) == SQLITE_OK &&
		     sqlite3_bind_int(s, 2, kind) == SQLITE_OK &&
		     sqlite3_bind_text(s, 3, k1, -1, SQLITE_STATIC) == SQLITE_OK &&
		     sqlite3_bind_text(s, 4, k2, -1, SQLITE_STATIC) == SQLITE_OK &&
		     sqlite3_bind_text(s, 5, app_type, -1, SQLITE_STATIC) == SQLITE_OK &&
		     sqlite3_bind_text(s, 6, state, -1, SQLITE_STATIC) == SQLITE_OK &&
		     sqlite3_bind_int64(s, 7, sender) == SQLITE_OK &&
		     sqlite3_bind_int64(s, 8, now) == SQLITE_OK;
	if (!ok || sqlite3_step(s) != SQLITE_DONE)
		return db_fail(st, ctx, "store document");
	*id = existing != 0 ? existing : sqlite3_last_insert_rowid(st->db);
	return CG_OK;
}

cg_rc
cg__store_receipt_add(cg_store *st, cg_ctx *ctx, long long eid, long long doc_id, const char *type,
		      const char *status, const char *xml, size_t len)
{
	sqlite3_stmt *s = stmt(st, Q_RCPT_ADD);

	if (s == NULL || sqlite3_bind_int64(s, 1, eid) != SQLITE_OK ||
	    (doc_id != 0 && sqlite3_bind_int64(s, 2, doc_id) != SQLITE_OK) ||
	    sqlite3_bind_text(s, 3, type, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 4, status, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_blob64(s, 5, xml, len, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, (sqlite3_int64)time(NULL)) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE)
		return db_fail(st, ctx, "store receipt");
	return CG_OK;
}

cg_rc
cg__store_receipts(cg_store *st, cg_ctx *ctx, long long eid, long long after, int limit,
		   cg_receipt_fn fn, void *payload)
{
	sqlite3_stmt *s = stmt(st, Q_RCPT_LIST);
	int r;
	cg_rc rc = CG_OK;

	if (s == NULL || sqlite3_bind_int64(s, 1, eid) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, after) != SQLITE_OK || sqlite3_bind_int(s, 3, limit) != SQLITE_OK)
		return db_fail(st, ctx, "receipts");
	while (rc == CG_OK && (r = sqlite3_step(s)) == SQLITE_ROW)
		rc = fn(payload, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
			(const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_blob(s, 3),
			(size_t)sqlite3_column_bytes(s, 3), sqlite3_column_int64(s, 4));
	sqlite3_reset(s);
	return rc;
}

cg_rc
cg__store_message_result(cg_store *st, cg_ctx *ctx, long long id, const char *result)
{
	sqlite3_stmt *s = stmt(st, Q_MSG_RESULT);

	if (s == NULL || sqlite3_bind_int64(s, 1, id) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, result, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE)
		return db_fail(st, ctx, "store answer");
	return CG_OK;
}
