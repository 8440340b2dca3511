/* SPDX-License-Identifier: MIT */
/*
 * The summary declaration (CEB701 -> 702 -> 792) and export returns (CEB213
 * -> 214, CEB215 -> 216) on the customs side (src/lib/window/export_summary.c,
 * export_return.c): first the rules and the grouping as pure functions, each
 * rule on its own; then, on a real database, inventories seeded through the
 * store in the states the acceptance side gives them (the export seam:
 * document kind 603, data {"h", "l"}, state 'closed' ...), judged and answered
 * in the receipts feed. The store tests run in order on one single window.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "window_fixture.h"
#include "window/export_summary.h"
#include "window/service_internal.h"

#define DAY 86400LL

static const struct cg_expsum_cfg month_cfg = CG_EXPSUM_CFG_INIT;

/* An inventory's data: head values then lines "gnum:gcode:country:currency:itemName:qty". */
static json_t *
inventory(const char *invt, const char *ebc, const char *owner, const char *country, const char *flag,
	  const char *gross, const char *lines)
{
	json_t *o = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}, s:[]}", "h",
			      "invtNo", invt, "ebcCode", ebc, "ebpCode", "3301960XP1", "ownerCode", owner,
			      "country", country, "trafMode", "5", "portCode", "2901", "customsCode", "2901",
			      "statisticsFlag", flag, "grossWeight", gross, "netWeight", "1.00",
			      "logisticsNo", "EXL-1", "tradeMode", "9610", "l");
	char buf[400], *save = NULL, *tok;

	(void)snprintf(buf, sizeof(buf), "%s", lines);
	for (tok = strtok_r(buf, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		char *f[6] = { NULL }, *p = tok;
		int i;

		for (i = 0; i < 6; i++) {
			f[i] = p;
			p = strchr(p, ':');
			if (p != NULL)
				*p++ = '\0';
			else
				break;
		}
		assert_non_null(f[5]);
		json_array_append_new(json_object_get(o, "l"),
				      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "gnum",
						f[0], "gcode", f[1], "country", f[2], "currency", f[3], "itemName",
						f[4], "gname", "商品", "gmodel", "型号", "qty", f[5], "qty1", f[5],
						"unit", "007", "unit1", "035", "itemNo", "SKU"));
	}
	return o;
}

/* ---- grouping ---------------------------------------------------------------------- */

static void
test_group_by_head(void **state)
{
	json_t *inv[5] = {
		inventory("I1", "E1", "M1", "303", "B", "1.35", "1:6912001000:303:142:mug:2"),
		inventory("I2", "E1", "M2", "303", "B", "1.25", "1:6912001000:303:142:mug:1"),
		inventory("I3", "E1", "M1", "502", "B", "2.00", "1:6912001000:502:142:mug:1"),
		inventory("I4", "E1", "M1", "303", "B", "0.40", "1:6214100000:303:142:scarf:1"),
		inventory("I5", "E1", "M1", "303", "B", "1.00", "1:6912001000:303:142:mug:1"),
	};
	struct cg_sum_result r;
	char g[32];
	size_t i;

	(void)state;
	/* summaryFlag 1: the producer does not separate; the country of arrival does. */
	assert_int_equal(cg__summary_group(&r, inv, 5, "1", "1", CG_SUM_GSEQNO_ITEM), CG_OK);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.of[0], 0);
	assert_int_equal(r.of[1], 0);
	assert_int_equal(r.of[2], 1);
	assert_int_equal(r.decls[0].ninvt, 4);
	cg__dec_format(r.decls[0].gross, g, sizeof(g));
	assert_string_equal(g, "4.00"); /* 1.35 + 1.25 + 0.40 + 1.00 */
	cg__summary_result_dispose(&r);
	/* summaryFlag 2: by producer/seller too. */
	assert_int_equal(cg__summary_group(&r, inv, 5, "2", "1", CG_SUM_GSEQNO_ITEM), CG_OK);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.of[1], 1);
	assert_int_equal(r.of[4], 0);
	cg__summary_result_dispose(&r);
	/* Transport mode and exit port separate declarations too. */
	json_object_set_new(json_object_get(inv[4], "h"), "trafMode", json_string("4"));
	json_object_set_new(json_object_get(inv[3], "h"), "portCode", json_string("2902"));
	assert_int_equal(cg__summary_group(&r, inv, 5, "1", "1", CG_SUM_GSEQNO_ITEM), CG_OK);
	assert_int_equal(r.n, 4);
	cg__summary_result_dispose(&r);
	for (i = 0; i < 5; i++)
		json_decref(inv[i]);
}

/* The gseqno of each row of the only declaration, space-separated. */
static void
gseqnos(json_t **inv, size_t n, const char *item_name_flag, int mode, char *out, size_t size)
{
	struct cg_sum_result r;
	size_t i;

	out[0] = '\0';
	assert_int_equal(cg__summary_group(&r, inv, n, "1", item_name_flag, mode), CG_OK);
	assert_int_equal(r.n, 1);
	for (i = 0; i < r.decls[0].nrows; i++)
		(void)snprintf(out + strlen(out), size - strlen(out), "%s%d", i ? " " : "", r.decls[0].rows[i].gseqno);
	cg__summary_result_dispose(&r);
}

static void
test_group_items(void **state)
{
	json_t *inv[2] = {
		/* mug to 303, scarf, mug to 502 (final destination), mug in USD, another mug name */
		inventory("I1", "E1", "M1", "303", "B", "1", "1:6912001000:303:142:mug:1 2:6214100000:303:142:scarf:1"
							     " 3:6912001000:502:142:mug:1 4:6912001000:303:502:mug:1"),
		inventory("I2", "E1", "M1", "303", "B", "1", "1:6912001000:303:142:mug:1 2:6912001000:303:142:cup:1"),
	};
	char out[64];

	(void)state;
	gseqnos(inv, 2, "1", CG_SUM_GSEQNO_ITEM, out, sizeof(out));
	/* gcode, line country, currency and (itemNameFlag 1) itemName make an item. */
	assert_string_equal(out, "1 2 3 4 1 5");
	gseqnos(inv, 2, "0", CG_SUM_GSEQNO_ITEM, out, sizeof(out));
	assert_string_equal(out, "1 2 3 4 1 1"); /* without itemNameFlag, "cup" joins "mug" */
	gseqnos(inv, 2, "1", CG_SUM_GSEQNO_ROW, out, sizeof(out));
	assert_string_equal(out, "1 2 3 4 5 6");
	json_decref(inv[0]);
	json_decref(inv[1]);
}

/* ---- eligibility ------------------------------------------------------------------- */

static void
test_summary_rules(void **state)
{
	long long now = (long long)time(NULL);
	struct cg_sum_app app = { "E1", "2901", false, 0, 0, now };
	json_t *d = inventory("I1", "E1", "M1", "303", "B", "1", "1:6912001000:303:142:mug:1");
	struct cg_sum_invt inv = { 1, "closed", now - 40 * DAY, d };
	struct cg_expsum_cfg any = month_cfg;

	(void)state;
	any.period = CG_SUM_PERIOD_ANY;
	assert_null(cg__summary_check(&app, &inv, &month_cfg));
	assert_string_equal(cg__summary_check(&app, NULL, &month_cfg), "CG1351");
	app.ebc_code = "E2";
	assert_string_equal(cg__summary_check(&app, &inv, &month_cfg), "CG1352");
	app.ebc_code = "E1";
	app.customs = "2902";
	assert_string_equal(cg__summary_check(&app, &inv, &month_cfg), "CG1357");
	app.customs = "2901";
	inv.state = "released";
	assert_string_equal(cg__summary_check(&app, &inv, &month_cfg), "CG1354");
	inv.state = "summarized";
	assert_string_equal(cg__summary_check(&app, &inv, &month_cfg), "CG1355");
	inv.state = "closed";
	inv.closed = now; /* this month: next month's summary */
	assert_string_equal(cg__summary_check(&app, &inv, &month_cfg), "CG1356");
	assert_null(cg__summary_check(&app, &inv, &any));
	json_object_set_new(json_object_get(d, "h"), "statisticsFlag", json_string("A"));
	assert_string_equal(cg__summary_check(&app, &inv, &any), "CG1353");
	json_decref(d);
}

static void
test_return_line_rules(void **state)
{
	json_t *orig = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "gnum", "2", "gcode",
				 "6214100000", "gname", "方巾", "gmodel", "90", "qty", "3", "qty1", "3", "unit",
				 "015", "unit1", "015", "qty2", "0.15", "unit2", "035");
	json_t *line = json_deep_copy(orig);
	cg_dec none[3] = { 0, 0, 0 }, took[3] = { 2 * CG_DEC_ONE, 0, 0 };
	static const char *const fields[] = { "gcode", "gname", "gmodel", "unit", "unit1", "unit2" };
	size_t i;

	(void)state;
	assert_null(cg__return_check_line(orig, line, none)); /* all of it */
	assert_string_equal(cg__return_check_line(NULL, line, none), "CG1365");
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		json_t *x = json_deep_copy(line);

		json_object_set_new(x, fields[i], json_string("999"));
		assert_string_equal(cg__return_check_line(orig, x, none), "CG1365");
		json_decref(x);
	}
	json_object_set_new(line, "qty", json_string("3.00001"));
	assert_string_equal(cg__return_check_line(orig, line, none), "CG1366");
	json_object_set_new(line, "qty", json_string("1"));
	assert_null(cg__return_check_line(orig, line, took)); /* 1 + 2 earlier = 3 */
	json_object_set_new(line, "qty", json_string("1.5"));
	assert_string_equal(cg__return_check_line(orig, line, took), "CG1366");
	json_object_set_new(line, "qty", json_string("1"));
	json_object_set_new(line, "qty1", json_string("4"));
	assert_string_equal(cg__return_check_line(orig, line, none), "CG1366");
	json_object_set_new(line, "qty1", json_string("1"));
	json_object_set_new(line, "qty2", json_string("0.2"));
	assert_string_equal(cg__return_check_line(orig, line, none), "CG1366");
	json_decref(orig);
	json_decref(line);
}

/* ---- on a database --------------------------------------------------------------------- */

enum { T_DATA };
static const char *const tsql[] = {
	[T_DATA] = "UPDATE document SET data = $2, updated = $3, created = $3,"
		   " invt_no = json_extract($2, '$.h.invtNo') WHERE id = $1",
};
CG_DB_MODULE(test_sql, "test", tsql);

static int seq;

/* A document as the acceptance side stores it: kind, state, data, `updated` @p when. */
static long long
seed(struct wfx *fx, int kind, const char *state, json_t *data, long long when)
{
	cg_store *st = cg__service_store(fx->svc);
	unsigned char sha[32] = { 0 };
	char guid[40], key[40];
	struct cg_store_message m = { guid, "test", fx->d4.enterprise_id, sha, "<x/>", 4, "{}" };
	long long mid = 0, id = 0;
	char *text = json_dumps(data, JSON_COMPACT);
	struct cg_store_doc doc = { "3301980XB5", key, "1", state, NULL, NULL, NULL, NULL };
	cg_db_stmt *s;

	seq++;
	(void)snprintf(guid, sizeof(guid), "00000000-0000-0000-0000-%012d", seq);
	(void)snprintf(key, sizeof(key), "K%d", seq);
	assert_int_equal(cg__store_message_add(st, fx->ctx, &m, &mid), CG_OK);
	assert_int_equal(cg__store_document_put(st, fx->ctx, 0, mid, kind, &doc, fx->d4.enterprise_id, &id),
			 CG_OK);
	s = cg_db_prepared(cg__store_db(st), &test_sql, T_DATA);
	assert_non_null(s);
	assert_int_equal(cg_db_bind_int64(s, 1, id), CG_OK);
	assert_int_equal(cg_db_bind_text(s, 2, text), CG_OK);
	assert_int_equal(cg_db_bind_int64(s, 3, when), CG_OK);
	assert_int_equal(cg_db_step(s), CG_DB_DONE);
	free(text);
	json_decref(data);
	return id;
}

/* Judge document @p id in a transaction, as the acceptance does. */
static void
after(struct wfx *fx, const struct cg_expsum_cfg *cfg, int kind, long long id)
{
	cg_store *st = cg__service_store(fx->svc);

	assert_int_equal(cg_db_begin(cg__store_db(st), fx->ctx), CG_OK);
	assert_int_equal(cg__expsum_after(st, fx->ctx, cfg, kind, id), CG_OK);
	assert_int_equal(cg_db_commit(cg__store_db(st), fx->ctx), CG_OK);
}

struct last {
	const char *type;
	char status[16];
	char *xml;
	int count;
};

static cg_rc
keep_last(void *payload, long long cursor, const char *type, const char *status, const char *xml, size_t len,
	  long long created)
{
	struct last *l = payload;

	(void)cursor;
	(void)created;
	if (strcmp(type, l->type) != 0)
		return CG_OK;
	l->count++;
	(void)snprintf(l->status, sizeof(l->status), "%s", status);
	free(l->xml);
	l->xml = strndup(xml, len);
	return CG_OK;
}

/* The declarant's last receipt of @p type (its xml freed by the caller) and how many there are. */
static struct last
last_receipt(struct wfx *fx, const char *type)
{
	struct last l = { type, "", NULL, 0 };

	assert_int_equal(cg__store_receipts(cg__service_store(fx->svc), fx->ctx, fx->d4.enterprise_id, 0, 100000,
					    keep_last, &l),
			 CG_OK);
	return l;
}

/* The status of the declarant's last receipt of @p type, and how many there are. */
static int
last_status(struct wfx *fx, const char *type, char *status, size_t size)
{
	struct last l = last_receipt(fx, type);

	(void)snprintf(status, size, "%s", l.status);
	free(l.xml);
	return l.count;
}

static long long
state_is(struct wfx *fx, long long id, const char *state)
{
	char sql[160];

	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM document WHERE id = %lld AND state = '%s'", id, state);
	return wfx_sql_int(fx, sql);
}

static json_t *
application(const char *ebc, const char *list)
{
	json_t *o = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}, s:[]}", "h",
			      "guid", "4AA15F14-5301-47EF-AB99-8C7FE58B7146", "appType", "1", "customsCode", "2901",
			      "copNo", "ES1", "agentCode", "3301980XB5", "agentName", "示例报关", "ebcCode", ebc,
			      "ebcName", "示例出口", "declAgentCode", "3301980XB5", "declAgentName", "示例报关",
			      "summaryFlag", "1", "itemNameFlag", "1", "msgCount", "1", "l");
	char buf[200], *save = NULL, *tok;

	(void)snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save))
		json_array_append_new(json_object_get(o, "l"), json_pack("{s:s}", "invtNo", tok));
	return o;
}

static long long inv_a, inv_b, inv_c;

/* Two closed inventories to two countries: one 702 399 and a 792 of two declarations. */
static void
test_summary_accepted(void **state)
{
	struct wfx *fx = *state;
	long long old = (long long)time(NULL) - 40 * DAY, app;
	struct last l;

	inv_a = seed(fx, 603, "closed", inventory("29012024E000000001", "3301960XE2", "M1", "303", "B", "1.35",
						  "1:6912001000:303:142:mug:2 2:6214100000:303:142:scarf:1"), old);
	inv_b = seed(fx, 603, "closed", inventory("29012024E000000002", "3301960XE2", "M1", "502", "B", "1.25",
						  "1:6912001000:502:142:mug:1"), old);
	inv_c = seed(fx, 603, "released", inventory("29012024E000000003", "3301960XE2", "M1", "303", "B", "1",
						    "1:6912001000:303:142:mug:1"), old);
	app = seed(fx, 701, "declared", application("3301960XE2", "29012024E000000001 29012024E000000002"), old);
	after(fx, &month_cfg, 701, app);
	l = last_receipt(fx, "CEB702Message");
	assert_string_equal(l.status, "399");
	assert_non_null(strstr(l.xml, "<ceb:sumNo>S"));
	free(l.xml);
	l = last_receipt(fx, "CEB792Message");
	assert_int_equal(l.count, 1);
	/* Two SummaryResults: 303 and 502 are two countries of arrival. */
	assert_non_null(strstr(strstr(l.xml, "<ceb:declSeqNo>H") + 1, "<ceb:declSeqNo>H"));
	assert_non_null(strstr(l.xml, "<ceb:gseqno>2</ceb:gseqno>"));
	free(l.xml);
	assert_int_equal(state_is(fx, inv_a, "summarized"), 1);
	assert_int_equal(state_is(fx, inv_b, "summarized"), 1);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM export_summary_decl"), 2);
}

/* Summarised already, not departed, unknown: refused whole, naming each; nothing moves. */
static void
test_summary_refused(void **state)
{
	struct wfx *fx = *state;
	long long old = (long long)time(NULL) - 40 * DAY, app, d;
	char st[16];
	struct last l;

	d = seed(fx, 603, "closed", inventory("29012024E000000004", "3301960XE2", "M1", "303", "B", "1",
					      "1:6912001000:303:142:mug:1"), old);
	app = seed(fx, 701, "declared",
		   application("3301960XE2", "29012024E000000001 29012024E000000003 29012024E000000009 "
					     "29012024E000000004"), old);
	after(fx, &month_cfg, 701, app);
	l = last_receipt(fx, "CEB702Message");
	assert_string_equal(l.status, "100");
	assert_non_null(strstr(l.xml, "CG1355 29012024E000000001"));
	assert_non_null(strstr(l.xml, "CG1354 29012024E000000003"));
	assert_non_null(strstr(l.xml, "CG1351 29012024E000000009"));
	assert_null(strstr(l.xml, "29012024E000000004"));
	free(l.xml);
	assert_int_equal(state_is(fx, d, "closed"), 1);
	assert_int_equal(state_is(fx, inv_c, "released"), 1);
	assert_int_equal(last_status(fx, "CEB792Message", st, sizeof(st)), 1);
}

/* A listed statisticsFlag A: refused, or left out when the switch says so. */
static void
test_summary_flag_a(void **state)
{
	struct wfx *fx = *state;
	long long old = (long long)time(NULL) - 40 * DAY, app, a;
	struct cg_expsum_cfg exclude = month_cfg;
	struct last l;

	exclude.flag_a = CG_SUM_A_EXCLUDE;
	a = seed(fx, 603, "closed", inventory("29012024E000000005", "3301960XE2", "M1", "303", "A", "1",
					      "1:6912001000:303:142:mug:1"), old);
	app = seed(fx, 701, "declared", application("3301960XE2", "29012024E000000005 29012024E000000004"), old);
	after(fx, &month_cfg, 701, app);
	l = last_receipt(fx, "CEB702Message");
	assert_string_equal(l.status, "100");
	assert_non_null(strstr(l.xml, "CG1353 29012024E000000005"));
	free(l.xml);
	app = seed(fx, 701, "declared", application("3301960XE2", "29012024E000000005 29012024E000000004"), old);
	after(fx, &exclude, 701, app);
	l = last_receipt(fx, "CEB702Message");
	assert_string_equal(l.status, "399");
	assert_non_null(strstr(l.xml, "CG1353 29012024E000000005"));
	free(l.xml);
	assert_int_equal(state_is(fx, a, "closed"), 1);
}

/*
 * Another application took an inventory between this one's reading and its
 * writing (another node): the unique key refuses it, and nothing of this one
 * stays.
 */
static void
test_summary_taken_meanwhile(void **state)
{
	struct wfx *fx = *state;
	long long old = (long long)time(NULL) - 40 * DAY, app, d, before;
	char sql[200];
	struct last l;

	d = seed(fx, 603, "closed", inventory("29012024E000000006", "3301960XE2", "M1", "303", "B", "1",
					      "1:6912001000:303:142:mug:1"), old);
	(void)snprintf(sql, sizeof(sql),
		       "INSERT INTO export_summary_invt(document_id, summary_id, decl_id)"
		       " SELECT %lld, min(id), min(id) FROM export_summary", d);
	wfx_sql(fx, sql);
	before = wfx_sql_int(fx, "SELECT count(*) FROM export_summary");
	app = seed(fx, 701, "declared", application("3301960XE2", "29012024E000000006"), old);
	after(fx, &month_cfg, 701, app);
	l = last_receipt(fx, "CEB702Message");
	assert_string_equal(l.status, "100");
	assert_non_null(strstr(l.xml, "CG1355"));
	free(l.xml);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM export_summary"), before);
	assert_int_equal(state_is(fx, d, "closed"), 1);
	/* As the other application's commit leaves it. */
	(void)snprintf(sql, sizeof(sql), "UPDATE document SET state = 'summarized' WHERE id = %lld", d);
	wfx_sql(fx, sql);
}

/* A window picks the consignor's eligible inventories only; this month's wait (month rule). */
static void
test_summary_window(void **state)
{
	struct wfx *fx = *state;
	long long now = (long long)time(NULL), old = now - 40 * DAY, app, mine, other, recent;
	json_t *w = application("3301960XE2", "29012024E000000001");
	char from[16], to[16];
	time_t t;
	struct tm tm;
	struct last l;

	mine = seed(fx, 603, "closed", inventory("29012024E000000007", "3301960XE2", "M1", "303", "B", "1",
						 "1:6912001000:303:142:mug:1"), old + 60);
	other = seed(fx, 603, "closed", inventory("29012024E000000008", "3301960XZZ", "M1", "303", "B", "1",
						  "1:6912001000:303:142:mug:1"), old + 60);
	recent = seed(fx, 603, "closed", inventory("29012024E000000010", "3301960XE2", "M1", "303", "B", "1",
						   "1:6912001000:303:142:mug:1"), now);
	t = (time_t)(old + 8 * 3600);
	gmtime_r(&t, &tm);
	strftime(from, sizeof(from), "%Y%m%d%H%M%S", &tm);
	t = (time_t)(now + 3600 + 8 * 3600);
	gmtime_r(&t, &tm);
	strftime(to, sizeof(to), "%Y%m%d%H%M%S", &tm);
	json_object_set_new(json_object_get(w, "h"), "startTime", json_string(from));
	json_object_set_new(json_object_get(w, "h"), "endTime", json_string(to));
	app = seed(fx, 701, "declared", w, old);
	after(fx, &month_cfg, 701, app);
	l = last_receipt(fx, "CEB702Message");
	assert_string_equal(l.status, "399");
	free(l.xml);
	assert_int_equal(state_is(fx, mine, "summarized"), 1);
	assert_int_equal(state_is(fx, other, "closed"), 1);
	assert_int_equal(state_is(fx, recent, "closed"), 1);
	/* The earlier ones of the window (E...04, the A one) are taken or left as before. */
	assert_int_equal(state_is(fx, inv_c, "released"), 1);
}

static json_t *
return_request(const char *invt, const char *ebc, const char *waybill, const char *lines)
{
	json_t *o = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}, s:[]}", "h", "invtNo", invt,
			      "ebpCode", "3301960XP1", "ebcCode", ebc, "logisticsCode", "3301980XL4", "logisticsNo",
			      waybill, "billNo", "BILL1", "agentCode", "3301980XB5", "coElNo", waybill, "appType", "1",
			      "l");
	char buf[200], *save = NULL, *tok;

	(void)snprintf(buf, sizeof(buf), "%s", lines);
	for (tok = strtok_r(buf, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		char gnum[8], gcode[16], qty[16];

		assert_int_equal(sscanf(tok, "%7[^:]:%15[^:]:%15s", gnum, gcode, qty), 3);
		json_array_append_new(json_object_get(o, "l"),
				      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "gnum", gnum, "gcode",
						gcode, "gname", "商品", "gmodel", "型号", "qty", qty, "qty1", qty,
						"unit", "007", "unit1", "035"));
	}
	return o;
}

static json_t *
tally(const char *waybill, const char *bill)
{
	return json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:[]}", "h", "operatorCode", "3301980XS6",
			 "logisticsCode", "3301980XL4", "logisticsNo", waybill, "billNo", bill, "coElNo", waybill,
			 "appType", "1", "l");
}

/* Part of a line back, then more than is left refused, then the rest: 'returned' after the tallies. */
static void
test_return_partial(void **state)
{
	struct wfx *fx = *state;
	long long old = (long long)time(NULL) - 40 * DAY, inv, r;
	char st[16];
	struct last l;

	inv = seed(fx, 603, "summarized", inventory("29012024E000000011", "3301960XE2", "M1", "303", "B", "1",
						    "1:6912001000:303:142:mug:2"), old);
	r = seed(fx, 213, "declared", return_request("29012024E000000011", "3301960XE2", "RW1", "1:6912001000:1"), old);
	after(fx, &month_cfg, 213, r);
	l = last_receipt(fx, "CEB214Message");
	assert_string_equal(l.status, "800");
	free(l.xml);
	r = seed(fx, 213, "declared", return_request("29012024E000000011", "3301960XE2", "RW2", "1:6912001000:1.5"), old);
	after(fx, &month_cfg, 213, r);
	l = last_receipt(fx, "CEB214Message");
	assert_string_equal(l.status, "100");
	assert_non_null(strstr(l.xml, "CG1366 gnum 1"));
	free(l.xml);
	r = seed(fx, 215, "declared", tally("RW1", "BILL1"), old);
	after(fx, &month_cfg, 215, r);
	l = last_receipt(fx, "CEB216Message");
	assert_string_equal(l.status, "399");
	free(l.xml);
	assert_int_equal(state_is(fx, inv, "summarized"), 1); /* half of it is still abroad */
	r = seed(fx, 213, "declared", return_request("29012024E000000011", "3301960XE2", "RW3", "1:6912001000:1"), old);
	after(fx, &month_cfg, 213, r);
	(void)last_status(fx, "CEB214Message", st, sizeof(st));
	assert_string_equal(st, "800");
	assert_int_equal(state_is(fx, inv, "summarized"), 1); /* approved, not back yet */
	r = seed(fx, 215, "declared", tally("RW3", "BILL1"), old);
	after(fx, &month_cfg, 215, r);
	assert_int_equal(state_is(fx, inv, "returned"), 1);
	/* The same waybill tallied twice, and a waybill no return names. */
	r = seed(fx, 215, "declared", tally("RW3", "BILL1"), old);
	after(fx, &month_cfg, 215, r);
	l = last_receipt(fx, "CEB216Message");
	assert_string_equal(l.status, "100");
	assert_non_null(strstr(l.xml, "CG1369"));
	free(l.xml);
	r = seed(fx, 215, "declared", tally("RW1", "OTHERBILL"), old);
	after(fx, &month_cfg, 215, r);
	l = last_receipt(fx, "CEB216Message");
	assert_non_null(strstr(l.xml, "CG1368"));
	free(l.xml);
}

/* The refusals of a return, one at a time. */
static void
test_return_refused(void **state)
{
	struct wfx *fx = *state;
	long long now = (long long)time(NULL), old = now - 40 * DAY, inv, r;
	static const struct {
		const char *invt, *ebc, *lines, *code;
	} cases[] = {
		{ "29012024E000000099", "3301960XE2", "1:6912001000:1", "CG1362" },
		{ "29012024E000000003", "3301960XE2", "1:6912001000:1", "CG1363" }, /* released only */
		{ "29012024E000000012", "3301960XZZ", "1:6912001000:1", "CG1364" },
		{ "29012024E000000012", "3301960XE2", "7:6912001000:1", "CG1365" },
		{ "29012024E000000012", "3301960XE2", "1:6912009000:1", "CG1365" },
		{ "29012024E000000012", "3301960XE2", "1:6912001000:3", "CG1366" },
	};
	size_t i;
	char sql[200];
	struct last l;

	inv = seed(fx, 603, "closed", inventory("29012024E000000012", "3301960XE2", "M1", "303", "B", "1",
						"1:6912001000:303:142:mug:2"), old);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char waybill[16];

		(void)snprintf(waybill, sizeof(waybill), "RX%zu", i);
		r = seed(fx, 213, "declared", return_request(cases[i].invt, cases[i].ebc, waybill, cases[i].lines), old);
		after(fx, &month_cfg, 213, r);
		l = last_receipt(fx, "CEB214Message");
		assert_string_equal(l.status, "100");
		assert_non_null(strstr(l.xml, cases[i].code));
		free(l.xml);
	}
	/* Released more than a year ago (its 604 800), the goods come back too late. */
	(void)snprintf(sql, sizeof(sql),
		       "INSERT INTO receipt(enterprise_id, document_id, msg_type, return_status, xml, created, seq)"
		       " VALUES(1, %lld, 'CEB604Message', '800', 'x', %lld, 999999)", inv, now - 400 * DAY);
	wfx_sql(fx, sql);
	r = seed(fx, 213, "declared", return_request("29012024E000000012", "3301960XE2", "RY", "1:6912001000:1"), old);
	after(fx, &month_cfg, 213, r);
	l = last_receipt(fx, "CEB214Message");
	assert_non_null(strstr(l.xml, "CG1367"));
	free(l.xml);
	assert_int_equal(state_is(fx, inv, "closed"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_by_head),
		cmocka_unit_test(test_group_items),
		cmocka_unit_test(test_summary_rules),
		cmocka_unit_test(test_return_line_rules),
		cmocka_unit_test(test_summary_accepted),
		cmocka_unit_test(test_summary_refused),
		cmocka_unit_test(test_summary_flag_a),
		cmocka_unit_test(test_summary_taken_meanwhile),
		cmocka_unit_test(test_summary_window),
		cmocka_unit_test(test_return_partial),
		cmocka_unit_test(test_return_refused),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("export_summary", tests, wfx_setup, wfx_teardown) != 0;
}
