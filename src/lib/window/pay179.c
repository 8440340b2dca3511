/* SPDX-License-Identifier: MIT */
/*
 * The customs side of the 179 payment-data interface (ceb-spec §8): an
 * inventory's raw payment data is asked of its platform (risk rule or an
 * officer), the platform's upload is verified against the certificate it
 * registered and its payment facts against the declared payment (411) and
 * order (311). Each step is in the audit trail; the result sits beside the
 * four documents on the desk.
 *
 * A request is queued in the clearance transaction and sent after it (the
 * sweep, or at once for an officer's request): no network call ever holds
 * the database's write lock.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <curl/curl.h>
#include <uuid/uuid.h>
#include "cebgate/pay179.h"
#include "cebgate/review.h"
#include "window/service_internal.h"

/* A platform's answer to openReq is small; anything longer is not one. */
#define ANSWER_MAX 4096
#define URL_MAX 512

enum { P_ADD, P_DOC, P_QUEUED, P_SET, P_BY_SESSION, P_LIST, P_CERT, P_DOC_BY_ORDER, P_SET_URL, P_CLAIM };

static const char *const sql[] = {
	[P_ADD] = "INSERT INTO pay179(session_id, document_id, order_no, ebp_code, state, reason, actor,"
		  " requested) VALUES($1, $2, $3, $4, 'queued', $5, $6, $7)",
	[P_DOC] = "SELECT data, kind FROM document WHERE id = $1",
	[P_QUEUED] = "SELECT p.id, p.session_id, p.order_no, p.ebp_code, e.pay179_url, p.document_id"
		     " FROM pay179 p LEFT JOIN enterprise e ON e.cop_code = p.ebp_code"
		     " WHERE p.state = 'queued' ORDER BY p.id LIMIT 20",
	[P_SET] = "UPDATE pay179 SET state = $2, reason = $3, answered = $4, data = $5 WHERE id = $1",
	[P_BY_SESSION] = "SELECT p.id, p.document_id, p.order_no, p.ebp_code, p.state, e.id"
			 " FROM pay179 p LEFT JOIN enterprise e ON e.cop_code = p.ebp_code"
			 " WHERE p.session_id = $1",
	[P_LIST] = "SELECT session_id AS \"sessionID\", order_no AS \"orderNo\", ebp_code AS \"ebpCode\","
		   " state, reason, actor, requested, answered, data FROM pay179 WHERE document_id = $1"
		   " ORDER BY id",
	[P_CERT] = "SELECT der, revoked FROM certificate WHERE enterprise_id = $1 AND serial = $2",
	[P_DOC_BY_ORDER] = "SELECT data FROM document WHERE kind = $1 AND order_key = $2"
			   " AND state <> 'deleted' ORDER BY id DESC LIMIT 1",
	[P_SET_URL] = "UPDATE enterprise SET pay179_url = $2 WHERE cop_code = $1",
	/* One sender per request, however many nodes sweep the same database. */
	[P_CLAIM] = "UPDATE pay179 SET state = 'sending' WHERE id = $1 AND state = 'queued'",
};
CG_DB_MODULE(pay179_sql, "pay179", sql);

static cg_db_stmt *
q(cg_store *st, int id)
{
	return cg_db_prepared(cg__store_db(st), &pay179_sql, id);
}

static cg_rc
dbfail(cg_store *st, cg_ctx *ctx, const char *what)
{
	return cg__fail(ctx, CG_EDB, "%s: %s", what, cg_db_errmsg(cg__store_db(st)));
}

static long long
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
hv(json_t *doc, const char *field)
{
	return json_string_value(json_object_get(json_object_get(doc, "h"), field));
}

/* A document's stored JSON and kind by id; NULL when there is none. */
static json_t *
doc_data(cg_store *st, long long id, int *kind)
{
	cg_db_stmt *s = q(st, P_DOC);
	json_t *j = NULL;

	*kind = 0;
	if (s != NULL && cg_db_bind_int64(s, 1, id) == CG_OK && cg_db_step(s) == CG_DB_ROW) {
		j = json_loads(cg_db_column_text(s, 0), 0, NULL);
		*kind = cg_db_column_int(s, 1);
	}
	if (s != NULL)
		cg_db_reset(s);
	return j;
}

cg_rc
cg__pay179_queue(cg_store *st, cg_ctx *ctx, long long doc_id, const char *actor, const char *why)
{
	cg_db_stmt *s;
	json_t *inv;
	char sid[40], detail[300];
	uuid_t u;
	int kind;
	cg_rc rc;

	inv = doc_data(st, doc_id, &kind);
	if (inv == NULL || kind != 621) {
		json_decref(inv);
		return cg__fail(ctx, CG_ENOTFOUND, "no inventory %lld", doc_id);
	}
	uuid_generate_random(u);
	uuid_unparse_lower(u, sid);
	s = q(st, P_ADD);
	if (s == NULL || cg_db_bind_text(s, 1, sid) != CG_OK || cg_db_bind_int64(s, 2, doc_id) != CG_OK ||
	    cg_db_bind_text(s, 3, hv(inv, "orderNo") != NULL ? hv(inv, "orderNo") : "") != CG_OK ||
	    cg_db_bind_text(s, 4, hv(inv, "ebpCode") != NULL ? hv(inv, "ebpCode") : "") != CG_OK ||
	    cg_db_bind_text(s, 5, why) != CG_OK || cg_db_bind_text(s, 6, actor) != CG_OK ||
	    cg_db_bind_int64(s, 7, (long long)time(NULL)) != CG_OK)
		rc = dbfail(st, ctx, "179 request");
	else
		rc = cg_db_run(cg__store_db(st), ctx, s, "179 request");
	(void)snprintf(detail, sizeof(detail), "179支付数据调取 payment data asked of %.18s for order %.60s (%s), session %s",
		       hv(inv, "ebpCode") != NULL ? hv(inv, "ebpCode") : "",
		       hv(inv, "orderNo") != NULL ? hv(inv, "orderNo") : "", why, sid);
	json_decref(inv);
	return rc == CG_OK ? cg__audit(st, ctx, actor, "pay179-request", doc_id, detail) : rc;
}

/* Record the outcome of a request (its own small transaction) and audit it. */
static cg_rc
settle(cg_store *st, cg_ctx *ctx, long long id, long long doc_id, const char *state, const char *reason,
       const char *data)
{
	cg_db_stmt *s;
	char detail[1200], action[32];
	cg_rc rc = cg_db_change_begin(cg__store_db(st), ctx);

	if (rc != CG_OK)
		return rc;
	s = q(st, P_SET);
	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK || cg_db_bind_text(s, 2, state) != CG_OK ||
	    cg_db_bind_text(s, 3, reason) != CG_OK || cg_db_bind_int64(s, 4, (long long)time(NULL)) != CG_OK ||
	    cg_db_bind_text(s, 5, data) != CG_OK)
		rc = dbfail(st, ctx, "179 result");
	else
		rc = cg_db_run(cg__store_db(st), ctx, s, "179 result");
	(void)snprintf(detail, sizeof(detail), "179 %s%s%.1000s", state, reason != NULL ? ": " : "",
		       reason != NULL ? reason : "");
	(void)snprintf(action, sizeof(action), "pay179-%s", state);
	if (rc == CG_OK)
		rc = cg__audit(st, ctx, "system", action, doc_id, detail);
	return cg_db_change_end(cg__store_db(st), ctx, rc);
}

/* ---- asking the platform (platDataOpen) --------------------------------------------- */

struct answer {
	char buf[ANSWER_MAX];
	size_t len;
	int over;
};

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t len = size * n;

	if (a->len + len >= sizeof(a->buf)) {
		a->over = 1;
		return 0;
	}
	memcpy(a->buf + a->len, p, len);
	a->len += len;
	a->buf[a->len] = '\0';
	return len;
}

/* POST openReq to the platform; *state "requested" or "failed" with why. */
static void
ask(const char *url, const char *sid, const char *order_no, char *state, size_t ssize, char *why,
    size_t wsize)
{
	CURL *h = curl_easy_init();
	json_t *req = json_pack("{s:s, s:s, s:I}", "orderNo", order_no, "sessionID", sid, "serviceTime",
				(json_int_t)now_ms());
	char *text = req != NULL ? json_dumps(req, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	char *esc = h != NULL && text != NULL ? curl_easy_escape(h, text, 0) : NULL;
	char errbuf[CURL_ERROR_SIZE] = "", *form = NULL;
	struct answer a = { "", 0, 0 };
	long status = 0;
	json_t *ans = NULL;
	CURLcode cc = CURLE_OUT_OF_MEMORY;
	size_t flen;

	(void)snprintf(state, ssize, "failed");
	if (esc != NULL) {
		flen = strlen("openReq=") + strlen(esc) + 1;
		form = malloc(flen);
	}
	if (form != NULL) {
		(void)snprintf(form, flen, "openReq=%s", esc);
		(void)curl_easy_setopt(h, CURLOPT_URL, url);
		(void)curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
		(void)curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		(void)curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		(void)curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
		(void)curl_easy_setopt(h, CURLOPT_TIMEOUT, 15L);
		(void)curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
		(void)curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
		(void)curl_easy_setopt(h, CURLOPT_WRITEDATA, &a);
		cc = curl_easy_perform(h);
		(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	}
	if (cc != CURLE_OK) {
		(void)snprintf(why, wsize, "CG3112 平台数据接口无法访问 the platform's 179 URL did not answer: %s",
			       a.over ? "answer too long" : errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
	} else {
		ans = json_loadb(a.buf, a.len, 0, NULL);
		if (status == 200 && json_is_string(json_object_get(ans, "code")) &&
		    strcmp(json_string_value(json_object_get(ans, "code")), "10000") == 0) {
			(void)snprintf(state, ssize, "requested");
			why[0] = '\0';
		} else {
			const char *m = json_string_value(json_object_get(ans, "message"));

			(void)snprintf(why, wsize, "CG3113 平台拒绝调取 the platform refused the request (HTTP %ld, code %s): %.400s",
				       status, json_string_value(json_object_get(ans, "code")) != NULL
						       ? json_string_value(json_object_get(ans, "code"))
						       : "none",
				       m != NULL ? m : "no message");
		}
	}
	json_decref(ans);
	json_decref(req);
	free(text);
	free(form);
	curl_free(esc);
	curl_easy_cleanup(h);
}

cg_rc
cg_service_pay179_dispatch(cg_service *svc, cg_ctx *ctx, int *sent)
{
	struct item {
		long long id, doc;
		char sid[40], order[64], url[URL_MAX];
		int has_url;
	} items[20];
	cg_store *st = cg__service_store(svc);
	cg_db_stmt *s = q(st, P_QUEUED);
	int n = 0, i;
	cg_rc rc = CG_OK;

	*sent = 0;
	if (s == NULL)
		return dbfail(st, ctx, "179 queue");
	while (n < 20 && cg_db_step(s) == CG_DB_ROW) {
		struct item *it = &items[n++];
		const char *url = cg_db_column_text(s, 4);

		it->id = cg_db_column_int64(s, 0);
		(void)snprintf(it->sid, sizeof(it->sid), "%s", cg_db_column_text(s, 1));
		(void)snprintf(it->order, sizeof(it->order), "%s", cg_db_column_text(s, 2));
		it->has_url = url != NULL && *url != '\0';
		(void)snprintf(it->url, sizeof(it->url), "%s", it->has_url ? url : "");
		it->doc = cg_db_column_int64(s, 5);
	}
	cg_db_reset(s);
	for (i = 0; i < n && rc == CG_OK; i++) {
		char state[16], why[600];
		bool mine = false;

		s = q(st, P_CLAIM);
		if (s == NULL || cg_db_bind_int64(s, 1, items[i].id) != CG_OK)
			return dbfail(st, ctx, "179 queue");
		rc = cg_db_run(cg__store_db(st), ctx, s, "179 queue");
		mine = rc == CG_OK && cg_db_changes(cg__store_db(st)) == 1;
		if (rc != CG_OK || !mine)
			continue;
		if (!items[i].has_url) {
			(void)snprintf(state, sizeof(state), "failed");
			(void)snprintf(why, sizeof(why),
				       "CG3111 平台未登记数据调取地址 the platform registered no 179 URL");
		} else {
			ask(items[i].url, items[i].sid, items[i].order, state, sizeof(state), why, sizeof(why));
		}
		rc = settle(st, ctx, items[i].id, items[i].doc, state, why[0] != '\0' ? why : NULL, NULL);
		*sent += rc == CG_OK;
	}
	return rc;
}

cg_rc
cg_service_pay179_request(cg_service *svc, cg_ctx *ctx, const cg_principal *who, long long doc_id,
			  char **json)
{
	cg_store *st = cg__service_store(svc);
	json_t *rows = NULL;
	int sent = 0;
	cg_rc rc;

	*json = NULL;
	if (!cg__officer(who))
		return cg__fail(ctx, CG_EPERM, "179 requests are for officers");
	rc = cg_db_change_begin(cg__store_db(st), ctx);
	if (rc == CG_OK)
		rc = cg_db_change_end(cg__store_db(st), ctx,
				      cg__pay179_queue(st, ctx, doc_id, who->name, "officer's request"));
	if (rc == CG_OK)
		rc = cg_service_pay179_dispatch(svc, ctx, &sent);
	if (rc == CG_OK)
		rc = cg__pay179_of(st, ctx, doc_id, &rows);
	if (rc == CG_OK)
		rc = cg__json_answer(json_pack("{s:o}", "pay179", rows), json);
	else
		json_decref(rows);
	return rc;
}

cg_rc
cg__pay179_of(cg_store *st, cg_ctx *ctx, long long doc_id, json_t **out)
{
	cg_db_stmt *s = q(st, P_LIST);
	json_t *rows, *r;
	size_t i;

	*out = NULL;
	if (s == NULL || cg_db_bind_int64(s, 1, doc_id) != CG_OK)
		return dbfail(st, ctx, "179 results");
	rows = cg_db_rows_json(s, CG_DB_JSON_OMIT_NULL, 100);
	if (rows == NULL)
		return CG_ENOMEM;
	json_array_foreach(rows, i, r)
	{
		json_t *d = json_loads(json_string_value(json_object_get(r, "data")), 0, NULL);

		if (d != NULL)
			(void)json_object_set_new(r, "data", d);
	}
	*out = rows;
	return CG_OK;
}

cg_rc
cg_service_pay179_url(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *cop_code,
		      const char *url, char **json)
{
	cg_store *st = cg__service_store(svc);
	cg_db_stmt *s;
	char detail[700];
	cg_rc rc;

	*json = NULL;
	if (who->role != CG_ROLE_ADMIN)
		return cg__fail(ctx, CG_EPERM, "platforms' 179 URLs are registered by admins");
	if (url == NULL || strlen(url) >= URL_MAX ||
	    (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
	    strpbrk(url, " \t\r\n\"'<>") != NULL)
		return cg__fail(ctx, CG_EINVAL, "url is an http:// or https:// URL of at most %d bytes", URL_MAX - 1);
	rc = cg_db_change_begin(cg__store_db(st), ctx);
	if (rc != CG_OK)
		return rc;
	s = q(st, P_SET_URL);
	if (s == NULL || cg_db_bind_text(s, 1, cop_code) != CG_OK || cg_db_bind_text(s, 2, url) != CG_OK)
		rc = dbfail(st, ctx, "179 URL");
	else
		rc = cg_db_run(cg__store_db(st), ctx, s, "179 URL");
	if (rc == CG_OK && cg_db_changes(cg__store_db(st)) == 0)
		rc = cg__fail(ctx, CG_ENOTFOUND, "no enterprise %s", cop_code);
	(void)snprintf(detail, sizeof(detail), "179 URL of %.18s: %s", cop_code, url);
	if (rc == CG_OK)
		rc = cg__audit(st, ctx, who->name, "pay179-url", 0, detail);
	rc = cg_db_change_end(cg__store_db(st), ctx, rc);
	return rc == CG_OK ? cg__json_answer(json_pack("{s:s, s:s}", "copCode", cop_code, "pay179Url", url), json)
			   : rc;
}

/* ---- the upload (realTimeDataUp) ---------------------------------------------------- */

/* What an upload is checked against, and what the checks found. */
struct upload {
	cg_service *svc;
	cg_ctx *ctx;
	const char *text;
	size_t len;
	json_t *root, *head;
	long long id, doc, platform;
	char order_no[64], ebp[32], state[16];
	char why[1500];
	json_t *facts;
};

static void
finding(struct upload *u, const char *code, const char *zh, const char *en)
{
	size_t n = strlen(u->why);

	(void)snprintf(u->why + n, sizeof(u->why) - n, "%s%s %s %s", n != 0 ? "; " : "", code, zh, en);
}

/* The head's required fields of §8.2 and their lengths. */
static void
check_head(struct upload *u)
{
	static const struct {
		const char *name;
		size_t max;
	} req[] = { { "guid", 36 },	      { "initalRequest", 8000 }, { "initalResponse", 8000 },
		    { "ebpCode", 18 },	      { "payCode", 18 },	 { "payTransactionId", 60 },
		    { "currency", 4 },	      { "verDept", 1 },		 { "tradingTime", 14 } };
	size_t i;

	for (i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
		json_t *v = json_object_get(u->head, req[i].name);
		char en[200];

		if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 4 * req[i].max) {
			(void)snprintf(en, sizeof(en), "payExchangeInfoHead.%s is missing, empty or longer than %zu",
				       req[i].name, req[i].max);
			finding(u, "CG3114", "支付原始数据字段缺失", en);
		}
	}
	if (!json_is_number(json_object_get(u->head, "totalAmount")))
		finding(u, "CG3114", "支付原始数据字段缺失", "payExchangeInfoHead.totalAmount must be a number");
}

/* The order is among the lists' orders (§8.2: all orders of the original request). */
static bool
has_order(struct upload *u)
{
	json_t *lists = json_object_get(u->root, "payExchangeInfoLists"), *l;
	size_t i;

	if (lists == NULL)
		lists = json_object_get(u->root, "payExchangeInfoList");
	json_array_foreach(lists, i, l)
	{
		const char *o = json_string_value(json_object_get(l, "orderNo"));

		if (o != NULL && strcmp(o, u->order_no) == 0)
			return true;
	}
	return false;
}

static bool
same_amount(json_t *num, const char *declared)
{
	char txt[64];
	cg_dec a, b;

	if (declared == NULL || !json_is_number(num))
		return false;
	(void)snprintf(txt, sizeof(txt), "%.5f", json_number_value(num));
	return cg__dec_parse(txt, &a) && cg__dec_parse(declared, &b) && a == b;
}

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The newest live document of @p kind for the order key ebpCode|orderNo, or NULL. */
static json_t *
declared(cg_store *st, int kind, const char *key)
{
	cg_db_stmt *s = q(st, P_DOC_BY_ORDER);
	json_t *j = NULL;

	if (s != NULL && cg_db_bind_int64(s, 1, kind) == CG_OK && cg_db_bind_text(s, 2, key) == CG_OK &&
	    cg_db_step(s) == CG_DB_ROW)
		j = json_loads(cg_db_column_text(s, 0), 0, NULL);
	if (s != NULL)
		cg_db_reset(s);
	return j;
}

/* The payment facts against the declared payment (411) and order (311), §4 and §8.2. */
static void
check_facts(struct upload *u)
{
	cg_store *st = cg__service_store(u->svc);
	char key[128];
	json_t *pay, *order, *total = json_object_get(u->head, "totalAmount");

	if (!same(json_string_value(json_object_get(u->head, "ebpCode")), u->ebp))
		finding(u, "CG3106", "电商平台代码与申报不符", "payExchangeInfoHead.ebpCode is not the declared platform");
	if (!has_order(u))
		finding(u, "CG3107", "上传数据不含所调取的订单",
			"payExchangeInfoLists does not include the order that was asked for");
	(void)snprintf(key, sizeof(key), "%s|%s", u->ebp, u->order_no);
	pay = declared(st, 411, key);
	order = declared(st, 311, key);
	if (pay == NULL || order == NULL) {
		finding(u, "CG3108", "未找到申报的支付单或订单", "no declared payment (411) or order (311) for the order");
	} else {
		if (!same(json_string_value(json_object_get(u->head, "payCode")), hv(pay, "payCode")) ||
		    !same(json_string_value(json_object_get(u->head, "payTransactionId")), hv(pay, "payTransactionId")))
			finding(u, "CG3109", "支付企业或交易流水号与支付单不符",
				"payCode or payTransactionId differs from the declared payment: not the payer's payment");
		if (!same_amount(total, hv(pay, "amountPaid")) || !same_amount(total, hv(order, "acturalPaid")))
			finding(u, "CG3110", "交易金额与支付单、订单实付金额不符",
				"totalAmount differs from the payment's amountPaid or the order's acturalPaid");
	}
	u->facts = json_pack("{s:s?, s:s?, s:O?, s:s?, s:s?, s:s?}", "payCode",
			     json_string_value(json_object_get(u->head, "payCode")), "payTransactionId",
			     json_string_value(json_object_get(u->head, "payTransactionId")), "totalAmount", total,
			     "declaredAmountPaid", pay != NULL ? hv(pay, "amountPaid") : NULL, "payerName",
			     pay != NULL ? hv(pay, "payerName") : NULL, "tradingTime",
			     json_string_value(json_object_get(u->head, "tradingTime")));
	json_decref(pay);
	json_decref(order);
}

/* The request the upload answers, by its sessionID. */
static bool
find_request(struct upload *u)
{
	cg_db_stmt *s = q(cg__service_store(u->svc), P_BY_SESSION);
	const char *sid = json_string_value(json_object_get(u->root, "sessionID"));
	bool found = false;

	if (s != NULL && sid != NULL && cg_db_bind_text(s, 1, sid) == CG_OK && cg_db_step(s) == CG_DB_ROW) {
		u->id = cg_db_column_int64(s, 0);
		u->doc = cg_db_column_int64(s, 1);
		(void)snprintf(u->order_no, sizeof(u->order_no), "%s", cg_db_column_text(s, 2));
		(void)snprintf(u->ebp, sizeof(u->ebp), "%s", cg_db_column_text(s, 3));
		(void)snprintf(u->state, sizeof(u->state), "%s", cg_db_column_text(s, 4));
		u->platform = cg_db_column_is_null(s, 5) ? 0 : cg_db_column_int64(s, 5);
		found = true;
	}
	if (s != NULL)
		cg_db_reset(s);
	return found;
}

/* The platform's registered certificate named by certNo; NULL (with a finding) if none. */
static X509 *
registered(struct upload *u, const char *certno)
{
	cg_db_stmt *s = q(cg__service_store(u->svc), P_CERT);
	char serial[80];
	X509 *x = NULL;
	size_t i;
	bool revoked = false;

	for (i = 0; certno[i] != '\0' && i + 1 < sizeof(serial); i++)
		serial[i] = (char)((certno[i] >= 'A' && certno[i] <= 'F') ? certno[i] + 32 : certno[i]);
	serial[i] = '\0';
	if (s != NULL && cg_db_bind_int64(s, 1, u->platform) == CG_OK && cg_db_bind_text(s, 2, serial) == CG_OK &&
	    cg_db_step(s) == CG_DB_ROW) {
		const unsigned char *p = cg_db_column_blob(s, 0);

		revoked = !cg_db_column_is_null(s, 1);
		x = d2i_X509(NULL, &p, (long)cg_db_column_bytes(s, 0));
	}
	if (s != NULL)
		cg_db_reset(s);
	if (x != NULL && !revoked)
		return x;
	X509_free(x);
	finding(u, "CG3102", revoked ? "证书已被吊销" : "证书未在单一窗口登记",
		revoked ? "the certificate named by certNo was revoked"
			: "the certificate named by certNo is not one the platform registered");
	return NULL;
}

/* Signature and facts; u->why empty when the upload is good. */
static void
check(struct upload *u)
{
	json_t *cn = json_object_get(u->root, "certNo"), *sv = json_object_get(u->root, "signValue");
	cg_pay179_form form = CG_PAY179_QUOTED;
	X509 *x;

	if (!json_is_string(cn) || json_string_length(cn) == 0 || !json_is_string(sv) ||
	    json_string_length(sv) == 0) {
		finding(u, "CG3101", "certNo/signValue不能为空", "certNo/signValue must not be empty");
		return;
	}
	x = registered(u, json_string_value(cn));
	if (x == NULL)
		return;
	if (cg__pay179_verify_x509(u->ctx, u->text, u->len, x, &form) != CG_OK)
		finding(u, "CG3103", "签名验证失败", cg_ctx_errmsg(u->ctx));
	X509_free(x);
	if (u->why[0] != '\0')
		return;
	check_head(u);
	if (u->why[0] == '\0')
		check_facts(u);
	if (u->facts != NULL) {
		(void)json_object_set_new(u->facts, "certNo", json_string(json_string_value(cn)));
		(void)json_object_set_new(u->facts, "signForm", json_string(cg_pay179_form_name(form)));
	}
}

static cg_rc
protocol_answer(const char *code, const char *message, char **json)
{
	return cg__json_answer(json_pack("{s:s, s:s, s:i, s:I}", "code", code, "message", message, "total", 0,
					 "serviceTime", (json_int_t)now_ms()),
			       json);
}

cg_rc
cg_service_pay179_upload(cg_service *svc, cg_ctx *ctx, const char *payex, size_t len, char **json)
{
	struct upload u;
	json_error_t err;
	char *facts = NULL;
	cg_rc rc;

	*json = NULL;
	memset(&u, 0, sizeof(u));
	u.svc = svc;
	u.ctx = ctx;
	u.text = payex;
	u.len = len;
	if (len > CG_PAY179_MAX)
		return protocol_answer("20001", "CG3114 payExInfoStr is too long", json);
	u.root = json_loadb(payex, len, JSON_REJECT_DUPLICATES, &err);
	u.head = json_object_get(u.root, "payExchangeInfoHead");
	if (!json_is_object(u.root) || !json_is_object(u.head)) {
		json_decref(u.root);
		return protocol_answer("20001", "CG3114 payExInfoStr is not a JSON object with a payExchangeInfoHead", json);
	}
	if (!find_request(&u)) {
		json_decref(u.root);
		return protocol_answer("20002", "CG3104 海关未发起该会话 no request of customs has this sessionID", json);
	}
	if (strcmp(u.state, "verified") == 0) {
		json_decref(u.root);
		return protocol_answer("20003", "CG3105 该会话已上传并核验 this session's data was uploaded and verified already",
				       json);
	}
	check(&u);
	facts = u.facts != NULL ? json_dumps(u.facts, JSON_COMPACT) : NULL;
	rc = settle(cg__service_store(svc), ctx, u.id, u.doc, u.why[0] == '\0' ? "verified" : "refused",
		    u.why[0] == '\0' ? NULL : u.why, facts);
	free(facts);
	json_decref(u.facts);
	json_decref(u.root);
	if (rc != CG_OK)
		return rc;
	return u.why[0] == '\0' ? protocol_answer("10000", "上传成功", json) : protocol_answer("20000", u.why, json);
}
