/* SPDX-License-Identifier: MIT */
/*
 * Access that can be taken back: list and revoke tokens, disable and enable
 * users and enterprises, list and revoke registered certificates. The same
 * functions serve the admin API (cg_service_*, registry.c) and the operator's
 * `cebgate admin` (cg_registry_*); each change and its audit record commit
 * together. The checks that honour these states are in the token query
 * (store_accounts.c) and the signature check (submission.c), so a change
 * holds from the next request on.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cebgate/registry.h"
#include "window/service_internal.h"

enum {
	A_TOKENS,
	A_TOKEN_BY_ID,
	A_TOKEN_BY_PREFIX,
	A_TOKEN_REVOKE,
	A_USER_SET,
	A_ENTERPRISE_SET,
	A_CERTS,
	A_CERT_FIND,
	A_CERT_REVOKE,
	A_COUNT
};

/* Column names are the JSON keys (cg_db_rows_json); "user" is quoted: reserved in PostgreSQL. */
static const char *const sql[A_COUNT] = {
	[A_TOKENS] = "SELECT t.id, t.prefix, e.cop_code AS enterprise, u.name AS \"user\", t.created,"
		     " t.expires, t.last_used AS \"lastUsed\", CASE WHEN t.revoked <> 0 THEN 'revoked'"
		     " WHEN t.expires IS NOT NULL AND t.expires <= $1 THEN 'expired'"
		     " ELSE 'active' END AS state"
		     " FROM token t LEFT JOIN enterprise e ON e.id = t.enterprise_id"
		     " LEFT JOIN \"user\" u ON u.id = t.user_id ORDER BY t.id LIMIT 10000",
	[A_TOKEN_BY_ID] = "SELECT id, prefix FROM token WHERE id = $1",
	/* Two rows are enough to know a prefix is ambiguous. */
	[A_TOKEN_BY_PREFIX] = "SELECT id, prefix FROM token WHERE substr(prefix, 1, $2) = $1"
			      " ORDER BY id LIMIT 2",
	[A_TOKEN_REVOKE] = "UPDATE token SET revoked = 1 WHERE id = $1",
	[A_USER_SET] = "UPDATE \"user\" SET disabled = $2 WHERE name = $1",
	[A_ENTERPRISE_SET] = "UPDATE enterprise SET disabled = $2 WHERE cop_code = $1",
	[A_CERTS] = "SELECT e.cop_code AS enterprise, c.serial, c.not_after AS \"notAfter\","
		    " c.created AS registered, c.revoked FROM certificate c"
		    " JOIN enterprise e ON e.id = c.enterprise_id ORDER BY e.cop_code, c.id LIMIT 10000",
	[A_CERT_FIND] = "SELECT c.id, c.revoked FROM certificate c JOIN enterprise e"
			" ON e.id = c.enterprise_id WHERE e.cop_code = $1 AND c.serial = $2",
	[A_CERT_REVOKE] = "UPDATE certificate SET revoked = $2 WHERE id = $1",
};
CG_DB_MODULE(access_sql, "access", sql);

static cg_db_stmt *
q(cg_store *st, int id)
{
	return cg_db_prepared(cg__store_db(st), &access_sql, id);
}

static cg_rc
dbfail(cg_store *st, cg_ctx *ctx, const char *what)
{
	return cg_db_fail(cg__store_db(st), ctx, what);
}

cg_rc
cg__access_list(cg_store *st, cg_ctx *ctx, const char *what, json_t **rows)
{
	cg_db_stmt *s;

	*rows = NULL;
	if (strcmp(what, "tokens") == 0) {
		s = q(st, A_TOKENS);
		if (s == NULL || cg_db_bind_int64(s, 1, (long long)time(NULL)) != CG_OK)
			return dbfail(st, ctx, "tokens");
	} else if (strcmp(what, "certificates") == 0) {
		s = q(st, A_CERTS);
		if (s == NULL)
			return dbfail(st, ctx, "certificates");
	} else {
		return CG_ENOTFOUND;
	}
	*rows = cg_db_rows_json(s, 0, 0);
	return *rows != NULL ? CG_OK : dbfail(st, ctx, what);
}

/* The change, its audit record, then commit; anything else is rolled back. */
static cg_rc
finish(cg_store *st, cg_ctx *ctx, cg_rc rc, const char *actor, const char *action, const char *detail)
{
	if (rc == CG_OK)
		rc = cg__audit(st, ctx, actor, action, 0, detail);
	if (rc == CG_OK)
		rc = cg_db_commit(cg__store_db(st), ctx);
	if (rc != CG_OK)
		cg_db_rollback(cg__store_db(st));
	return rc;
}

static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

/*
 * The token named by @p which: its id (digits only), else the start of its
 * prefix, which must name exactly one token.
 */
static cg_rc
find_token(cg_store *st, cg_ctx *ctx, const char *which, long long *id, char *prefix, size_t size)
{
	bool by_id = all_digits(which) && strlen(which) <= 18;
	size_t len = strlen(which);
	cg_db_stmt *s = q(st, by_id ? A_TOKEN_BY_ID : A_TOKEN_BY_PREFIX);
	int r;

	if (!by_id && (len < 4 || len > CG_TOKEN_PREFIX))
		return cg__fail(ctx, CG_EINVAL, "name a token by its id or by 4 to %d characters of its prefix",
				CG_TOKEN_PREFIX);
	if (s == NULL)
		return dbfail(st, ctx, "token");
	if (by_id ? cg_db_bind_int64(s, 1, strtoll(which, NULL, 10)) != CG_OK
		  : cg_db_bind_text(s, 1, which) != CG_OK || cg_db_bind_int64(s, 2, (long long)len) != CG_OK)
		return dbfail(st, ctx, "token");
	r = cg_db_step(s);
	if (r != CG_DB_ROW) {
		cg_db_reset(s);
		return r == CG_DB_DONE ? cg__fail(ctx, CG_ENOTFOUND, "no token %s", which)
				       : dbfail(st, ctx, "token");
	}
	*id = cg_db_column_int64(s, 0);
	(void)snprintf(prefix, size, "%s", cg_db_column_is_null(s, 1) ? "" : cg_db_column_text(s, 1));
	r = cg_db_step(s);
	cg_db_reset(s);
	if (r == CG_DB_ROW)
		return cg__fail(ctx, CG_EINVAL, "the prefix %s names more than one token: give more characters "
				"or the id", which);
	return CG_OK;
}

cg_rc
cg__access_revoke_token(cg_store *st, cg_ctx *ctx, const char *actor, const char *which, char **json)
{
	char prefix[CG_TOKEN_PREFIX + 1] = "", detail[80]; /* empty when no token is found */
	long long id = 0;
	cg_db_stmt *s;
	cg_rc rc;

	*json = NULL;
	rc = cg_db_begin(cg__store_db(st), ctx);
	if (rc != CG_OK)
		return rc;
	rc = find_token(st, ctx, which, &id, prefix, sizeof(prefix));
	if (rc == CG_OK) {
		s = q(st, A_TOKEN_REVOKE);
		rc = s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK ? dbfail(st, ctx, "revoke token")
								       : cg_db_run(cg__store_db(st), ctx, s, "revoke token");
	}
	(void)snprintf(detail, sizeof(detail), "token %lld%s%s", id, prefix[0] != '\0' ? " prefix " : "",
		       prefix);
	rc = finish(st, ctx, rc, actor, "revoke token", detail);
	if (rc != CG_OK)
		return rc;
	return cg__json_answer(json_pack("{s:I, s:s?, s:s}", "id", (json_int_t)id, "prefix",
					 prefix[0] != '\0' ? prefix : NULL, "state", "revoked"),
			       json);
}

cg_rc
cg__access_set_disabled(cg_store *st, cg_ctx *ctx, const char *actor, const char *what,
			const char *key, bool disabled, char **json)
{
	bool user = strcmp(what, "users") == 0;
	cg_db_stmt *s;
	char action[40], detail[120];
	cg_rc rc;

	*json = NULL;
	if (!user && strcmp(what, "enterprises") != 0)
		return cg__fail(ctx, CG_ENOTFOUND, "no such resource");
	if (key == NULL || *key == '\0' || strlen(key) > 64)
		return cg__fail(ctx, CG_EINVAL, "name the %s", user ? "user" : "enterprise");
	rc = cg_db_begin(cg__store_db(st), ctx);
	if (rc != CG_OK)
		return rc;
	s = q(st, user ? A_USER_SET : A_ENTERPRISE_SET);
	if (s == NULL || cg_db_bind_text(s, 1, key) != CG_OK || cg_db_bind_int64(s, 2, disabled) != CG_OK)
		rc = dbfail(st, ctx, what);
	else
		rc = cg_db_run(cg__store_db(st), ctx, s, what);
	if (rc == CG_OK && cg_db_changes(cg__store_db(st)) == 0)
		rc = cg__fail(ctx, CG_ENOTFOUND, "no %s %s", user ? "user" : "enterprise", key);
	(void)snprintf(action, sizeof(action), "%s %s", disabled ? "disable" : "enable",
		       user ? "user" : "enterprise");
	(void)snprintf(detail, sizeof(detail), "%s", key);
	rc = finish(st, ctx, rc, actor, action, detail);
	if (rc != CG_OK)
		return rc;
	return cg__json_answer(json_pack("{s:s, s:b}", user ? "name" : "copCode", key, "disabled", disabled),
			       json);
}

cg_rc
cg__access_revoke_cert(cg_store *st, cg_ctx *ctx, const char *actor, const char *cop_code,
		       const char *serial, char **json)
{
	char hex[80], detail[160];
	long long id = 0, revoked = 0, now = (long long)time(NULL);
	cg_db_stmt *s;
	size_t i;
	cg_rc rc;

	*json = NULL;
	if (cop_code == NULL || serial == NULL || strlen(serial) >= sizeof(hex) || *serial == '\0')
		return cg__fail(ctx, CG_EINVAL, "name the enterprise and the certificate's serial");
	/* Serials are kept in lower-case hexadecimal (cg__cert_serial_hex()). */
	for (i = 0; serial[i] != '\0'; i++)
		hex[i] = (char)tolower((unsigned char)serial[i]);
	hex[i] = '\0';
	rc = cg_db_begin(cg__store_db(st), ctx);
	if (rc != CG_OK)
		return rc;
	s = q(st, A_CERT_FIND);
	if (s == NULL || cg_db_bind_text(s, 1, cop_code) != CG_OK || cg_db_bind_text(s, 2, hex) != CG_OK) {
		rc = dbfail(st, ctx, "certificate");
	} else if (cg_db_step(s) != CG_DB_ROW) {
		rc = cg__fail(ctx, CG_ENOTFOUND, "no certificate %s registered for %s", hex, cop_code);
	} else {
		id = cg_db_column_int64(s, 0);
		revoked = cg_db_column_is_null(s, 1) ? 0 : cg_db_column_int64(s, 1);
	}
	if (s != NULL)
		cg_db_reset(s);
	/* Revoked already: the first time stays, and nothing new is audited. */
	if (rc == CG_OK && revoked != 0) {
		cg_db_rollback(cg__store_db(st));
	} else {
		if (rc == CG_OK) {
			s = q(st, A_CERT_REVOKE);
			rc = s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK || cg_db_bind_int64(s, 2, now) != CG_OK
				     ? dbfail(st, ctx, "revoke certificate")
				     : cg_db_run(cg__store_db(st), ctx, s, "revoke certificate");
		}
		(void)snprintf(detail, sizeof(detail), "%s serial %s", cop_code, hex);
		rc = finish(st, ctx, rc, actor, "revoke certificate", detail);
		if (rc != CG_OK)
			return rc;
		revoked = now;
	}
	return cg__json_answer(json_pack("{s:s, s:s, s:I}", "enterprise", cop_code, "serial", hex,
					 "revoked", (json_int_t)revoked),
			       json);
}

/* Unix time of a civil date and time in UTC; -1 when the fields are not a real moment. */
static long long
utc_seconds(int y, int mo, int d, int h, int mi, int sec)
{
	struct tm tm = { 0 };
	time_t t;

	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || sec < 0 || sec > 59)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* timegm() normalises 2027-02-30 to March: refuse a day the month does not have. */
	if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -1;
	return (long long)t;
}

/* @p s has the shape of @p pattern, where '9' stands for a digit. */
static bool
shaped(const char *s, const char *pattern)
{
	for (; *pattern != '\0'; s++, pattern++) {
		if (*pattern == '9' ? !isdigit((unsigned char)*s) : *s != *pattern)
			return false;
	}
	return true;
}

cg_rc
cg_parse_expiry(const char *text, long long *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 8, om = 0, n = -1;
	char sign = '+';
	long long t;

	*out = 0;
	if (text == NULL || strlen(text) > 40)
		return CG_EINVAL;
	if (!shaped(text, "9999-99-99") || sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return CG_EINVAL;
	text += n;
	if (*text != '\0') {
		/* A time needs its offset: a bare local time would depend on the machine's zone. */
		if (!shaped(text, "T99:99:99") || sscanf(text, "T%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3 || n != 9)
			return CG_EINVAL;
		text += n;
		if (strcmp(text, "Z") == 0) {
			oh = 0;
		} else if (*text == '\0' || !shaped(text + 1, "99:99") || sscanf(text, "%c%2d:%2d%n", &sign, &oh, &om, &n) != 3 || n != 6 ||
			   text[n] != '\0' || (sign != '+' && sign != '-') || oh > 14 || om > 59) {
			return CG_EINVAL;
		}
	}
	t = utc_seconds(y, mo, d, h, mi, sec);
	if (t < 0)
		return CG_EINVAL;
	*out = t - (sign == '-' ? -1 : 1) * (oh * 3600LL + om * 60LL);
	return CG_OK;
}
