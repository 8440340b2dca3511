/* SPDX-License-Identifier: MIT */
/*
 * The service layer's clearance, review and status (cg_service_submit,
 * cg_service_review_*, cg_service_sweep, cg_service_logistics,
 * cg_service_declarations) on a real database: the four documents of
 * ceb-spec §13 out of order, the inventory held, claimed under a lease that
 * expires, decided; a lone inventory refused at the match timeout; the
 * receipts each enterprise gets, and only its own; the sweep reading only
 * what is due under a backlog. The tests run in order on one single window.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cebgate/registry.h"
#include "window_fixture.h"
#include "db/db.h"
#include "window/service_internal.h"
#include "window/store_internal.h"

#define V "samples/xml/unsigned/"

static long long held_id;
static char *order_xml; /* the order as accepted: SM2 signatures differ at each signing */

static const char *
status_of(json_t *answer)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(answer, "results"), 0),
						 "status"));
}

static char *
submit_ok(struct wfx *fx, const cg_principal *who, const char *k, const char *file)
{
	char *xml = wfx_signed_sample(fx, k, file, NULL);
	json_t *a = NULL;

	assert_int_equal(wfx_submit(fx, who, xml, &a), CG_OK);
	assert_string_equal(status_of(a), "accepted");
	json_decref(a);
	return xml;
}

/* An inventory waits for its order, payment and waybill; the fourth completes the match. */
static void
test_match_out_of_order_then_held(void **state)
{
	struct wfx *fx = *state;
	cg_service_options o = CG_SERVICE_OPTIONS_INIT;
	char st[128];

	o.value_threshold = 500; /* §13's inventory is worth 526 CNY */
	wfx_configure(fx, &o);
	cg_free(submit_ok(fx, &fx->d4, "D4", V "CEB621-inventory.xml"));
	order_xml = submit_ok(fx, &fx->a1, "A1", V "CEB311-order.xml");
	wfx_statuses(fx, &fx->d4, "CEB622Message", st, sizeof(st));
	assert_string_equal(st, "2");
	cg_free(submit_ok(fx, &fx->d4, "D4", V "CEB511-waybill.xml"));
	cg_free(submit_ok(fx, &fx->c3, "C3", V "CEB411-payment.xml"));
	wfx_statuses(fx, &fx->d4, "CEB622Message", st, sizeof(st));
	assert_string_equal(st, "2 120 300");
	/* The order's sender gets its CEB312, none of the inventory's receipts. */
	wfx_statuses(fx, &fx->a1, "CEB622Message", st, sizeof(st));
	assert_string_equal(st, "");
	wfx_statuses(fx, &fx->a1, "CEB312Message", st, sizeof(st));
	assert_string_equal(st, "120");
}

/* The same message again is a duplicate with no second receipt; other bytes, a conflict. */
static void
test_duplicate_and_conflict(void **state)
{
	struct wfx *fx = *state;
	char *xml = order_xml;
	char *other = wfx_signed_sample(fx, "A1", V "CEB311-order.xml",
					"<ceb:buyerRegNo>U88120031<", "<ceb:buyerRegNo>U88120032<", NULL);
	json_t *a = NULL;
	char st[64];

	assert_int_equal(wfx_submit(fx, &fx->a1, xml, &a), CG_OK);
	assert_string_equal(status_of(a), "duplicate");
	json_decref(a);
	wfx_statuses(fx, &fx->a1, "CEB312Message", st, sizeof(st));
	assert_string_equal(st, "120");
	assert_int_equal(wfx_submit(fx, &fx->a1, other, &a), CG_ECONFLICT);
	assert_string_equal(status_of(a), "conflict");
	json_decref(a);
	/* A1's order sent by another enterprise: not its signature. */
	assert_int_equal(wfx_submit(fx, &fx->c3, xml, &a), CG_ESIG);
	json_decref(a);
	/* A1's order signed with C3's key: not A1's signature, and not C3's order. */
	cg_free(other);
	other = wfx_signed_sample(fx, "C3", V "CEB311-order.xml", NULL);
	assert_int_equal(wfx_submit(fx, &fx->a1, other, &a), CG_ESIG);
	assert_string_equal(status_of(a), "rejected");
	json_decref(a);
	assert_int_equal(wfx_submit(fx, &fx->c3, other, &a), CG_ESIG);
	json_decref(a);
	assert_int_equal(wfx_submit(fx, &fx->olga, xml, &a), CG_EPERM);
	assert_null(a);
	/* The one refusal of A1's message came back to A1 as a negative receipt. */
	wfx_statuses(fx, &fx->a1, "CEB312Message", st, sizeof(st));
	assert_string_equal(st, "120 -301008");
	cg_free(xml);
	cg_free(other);
}

static json_t *
queue(struct wfx *fx, const cg_principal *who, const char *state, cg_rc want)
{
	cg_review_filter f = { state, NULL, NULL, NULL, 0 };
	char *json = NULL;

	assert_int_equal(cg_service_review_query(fx->svc, fx->ctx, who, &f, &json), want);
	return json != NULL ? wfx_json(json) : NULL;
}

/* One officer holds the claim; the other is refused until the lease has expired. */
static void
test_claim_lease(void **state)
{
	struct wfx *fx = *state;
	json_t *q = queue(fx, &fx->olga, NULL, CG_OK);
	char *json = NULL;

	assert_null(queue(fx, &fx->mia, NULL, CG_EPERM));
	assert_int_equal(json_integer_value(json_object_get(q, "count")), 1);
	held_id = json_integer_value(json_object_get(json_array_get(json_object_get(q, "items"), 0),
						     "id"));
	json_decref(q);
	assert_true(held_id > 0);
	assert_int_equal(cg_service_review_claim(fx->svc, fx->ctx, &fx->d4, held_id, &json), CG_EPERM);
	assert_int_equal(cg_service_review_claim(fx->svc, fx->ctx, &fx->olga, held_id, &json), CG_OK);
	cg_free(json);
	json = NULL;
	assert_int_equal(cg_service_review_claim(fx->svc, fx->ctx, &fx->oscar, held_id, &json),
			 CG_ECONFLICT);
	assert_null(json);
	assert_int_equal(cg_service_review_decide(fx->svc, fx->ctx, &fx->oscar, held_id, "release",
						  "ok", &json), CG_ECONFLICT);
	/* Olga's lease runs out (moved to the past: the state a wait would leave). */
	wfx_sql(fx, "UPDATE review SET lease_until = lease_until - 86400");
	q = queue(fx, &fx->oscar, "queued", CG_OK);
	assert_int_equal(json_integer_value(json_object_get(q, "count")), 1);
	json_decref(q);
	assert_int_equal(cg_service_review_claim(fx->svc, fx->ctx, &fx->oscar, held_id, &json), CG_OK);
	cg_free(json);
	json = NULL;
	assert_int_equal(cg_service_review_decide(fx->svc, fx->ctx, &fx->olga, held_id, "release",
						  "ok", &json), CG_ECONFLICT);
}

/* A decision needs a known decision and a reason; it is audited and answered with its receipts. */
static void
test_decide(void **state)
{
	struct wfx *fx = *state;
	char *json = NULL;
	char st[128];
	json_t *d;

	assert_int_equal(cg_service_review_decide(fx->svc, fx->ctx, &fx->oscar, held_id, "release",
						  " ", &json), CG_EINVAL);
	assert_int_equal(cg_service_review_decide(fx->svc, fx->ctx, &fx->oscar, held_id, "approve",
						  "x", &json), CG_EINVAL);
	assert_int_equal(cg_service_review_decide(fx->svc, fx->ctx, &fx->oscar, held_id, "release",
						  "documents in order", &json), CG_OK);
	cg_free(json);
	json = NULL;
	wfx_statuses(fx, &fx->d4, "CEB622Message", st, sizeof(st));
	assert_string_equal(st, "2 120 300 399 800");
	/* Decided once: a second decision finds no claim to decide under. */
	assert_int_equal(cg_service_review_decide(fx->svc, fx->ctx, &fx->oscar, held_id, "detain",
						  "again", &json), CG_ECONFLICT);
	assert_int_equal(cg_service_declaration(fx->svc, fx->ctx, &fx->olga, held_id, &json), CG_OK);
	d = wfx_json(json);
	assert_string_equal(json_string_value(json_object_get(d, "state")), "released");
	json_decref(d);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM audit WHERE actor = 'oscar'"
					 " AND detail LIKE '%documents in order%'"), 1);
}

static const char *
waybill_state(struct wfx *fx, const cg_principal *who)
{
	static char state[64];
	const char *keys = "[{\"logisticsCode\":\"4403980XD4\",\"logisticsNo\":\"EX2024111100012345\"}]";
	char *json = NULL;
	json_t *o;

	assert_int_equal(cg_service_logistics(fx->svc, fx->ctx, who, keys, &json), CG_OK);
	o = wfx_json(json);
	snprintf(state, sizeof(state), "%s", json_string_value(json_object_get(
		json_array_get(json_object_get(o, "waybills"), 0), "state")));
	json_decref(o);
	return state;
}

/* The waybill's state is its logistics company's (and the officers') to read, no one else's. */
static void
test_status(void **state)
{
	struct wfx *fx = *state;
	cg_declaration_query q = { NULL, 311, NULL, 0, 0, false };
	char *json = NULL;
	json_t *o, *out;

	assert_string_equal(waybill_state(fx, &fx->d4), "released");
	assert_string_equal(waybill_state(fx, &fx->olga), "released");
	assert_string_equal(waybill_state(fx, &fx->a1), "unknown");
	assert_int_equal(cg_service_logistics(fx->svc, fx->ctx, &fx->d4, "[]", &json), CG_EINVAL);
	assert_int_equal(cg_service_declarations(fx->svc, fx->ctx, &fx->mia, &q, &json), CG_OK);
	o = wfx_json(json);
	assert_int_equal(json_array_size(json_object_get(o, "declarations")), 1);
	/* The order's outcome is its inventory's: released. */
	out = json_object_get(json_array_get(json_object_get(o, "declarations"), 0), "outcome");
	assert_string_equal(json_string_value(json_object_get(out, "state")), "released");
	assert_true(json_is_string(json_object_get(out, "at")));
	json_decref(o);
	/* Nothing released needs the merchant's action. */
	q.needs_action = true;
	json = NULL;
	assert_int_equal(cg_service_declarations(fx->svc, fx->ctx, &fx->mia, &q, &json), CG_OK);
	o = wfx_json(json);
	assert_int_equal(json_array_size(json_object_get(o, "declarations")), 0);
	json_decref(o);
	q.needs_action = false;
	json = NULL;
	assert_int_equal(cg_service_declarations(fx->svc, fx->ctx, &fx->max, &q, &json), CG_OK);
	o = wfx_json(json);
	assert_int_equal(json_array_size(json_object_get(o, "declarations")), 0);
	json_decref(o);
}

/* Each row's writes after its insert, counted by triggers of the test's own. */
static void
count_rewrites(struct wfx *fx)
{
	wfx_sql_ddl(fx, "CREATE TABLE t_rewrite(what TEXT NOT NULL);"
		    "CREATE TRIGGER t_msg AFTER UPDATE ON message BEGIN"
		    " INSERT INTO t_rewrite VALUES('message'); END;"
		    "CREATE TRIGGER t_doc AFTER UPDATE ON document BEGIN"
		    " INSERT INTO t_rewrite VALUES('document'); END;");
}

/*
 * An accepted message's row is inserted once, with the answer its sender
 * got; a document's row once with its data and match keys; an inventory
 * that waits is matched before its row is written, so the row is inserted
 * waiting, with its reason, and never updated.
 */
static void
test_rows_written_once(void **state)
{
	struct wfx *fx = *state;
	char *xml = wfx_signed_sample(fx, "D4", V "CEB621-inventory.xml",
				      "SO202411110000123456", "SO202411118888888888",
				      "EX2024111100012345", "EX2024111188888888",
				      "QH20241111000001", "QH20241111888888",
				      "6A5BAB8E-3E9E-4FBD-83D0-D91DC81E0784",
				      "6A5BAB8E-3E9E-4FBD-83D0-D91DC81E0788", NULL);
	json_t *a = NULL;

	count_rewrites(fx);
	assert_int_equal(wfx_submit(fx, &fx->d4, xml, &a), CG_OK);
	assert_string_equal(status_of(a), "accepted");
	json_decref(a);
	cg_free(xml);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM t_rewrite"), 0);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM message WHERE guid ="
					 " '6A5BAB8E-3E9E-4FBD-83D0-D91DC81E0788'"
					 " AND json_extract(result, '$.status') = 'accepted'"
					 " AND json_extract(result, '$.type') = 'CEB621Message'"
					 " AND json_extract(result, '$.documents[0].returnStatus') = '2'"
					 " AND json_extract(result, '$.documents[0].accepted') = 1"
					 " AND json_extract(result, '$.documents[0].key2') = 'QH20241111888888'"),
			 1);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM document WHERE kind = 621"
					 " AND key2 = 'QH20241111888888' AND state = 'waiting'"
					 " AND order_key = '4403960XA1|SO202411118888888888'"
					 " AND waybill_key = '4403980XD4|EX2024111188888888'"
					 " AND json_extract(data, '$.h.copNo') = 'QH20241111888888'"
					 " AND json_extract(data, '$.l[0].gnum') IS NOT NULL"
					 " AND created > 0 AND reason LIKE '%order missing%'"),
			 1);
	wfx_sql_ddl(fx, "DELETE FROM t_rewrite");
}

/*
 * The answer of a message is stored before its documents are written: when
 * writing one changes the decision on the next (two orders of one key), the
 * stored answer is the one the sender got all the same.
 */
static void
test_stored_answer_follows_the_documents(void **state)
{
	struct wfx *fx = *state;
	char *xml = wfx_signed_sample(fx, "A1", V "CEB311-order-two-orders.xml", "SO202411110000123502",
				      "SO202411110000123501", NULL);
	json_t *a = NULL, *docs;

	assert_int_equal(wfx_submit(fx, &fx->a1, xml, &a), CG_OK);
	cg_free(xml);
	docs = json_object_get(json_array_get(json_object_get(a, "results"), 0), "documents");
	assert_int_equal(json_array_size(docs), 2);
	assert_true(json_is_true(json_object_get(json_array_get(docs, 0), "accepted")));
	assert_true(json_is_false(json_object_get(json_array_get(docs, 1), "accepted")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(docs, 1), "returnStatus")),
			    "-301010");
	json_decref(a);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM message WHERE guid ="
					 " '6CAE479C-11F0-5C93-91CE-98159BCF6595'"
					 " AND json_extract(result, '$.documents[0].accepted') = 1"
					 " AND json_extract(result, '$.documents[1].accepted') = 0"
					 " AND json_extract(result, '$.documents[1].returnStatus') = '-301010'"),
			 1);
	/* Written twice: the first answer, then the one the second document changed. */
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM t_rewrite WHERE what = 'message'"), 1);
	wfx_sql_ddl(fx, "DROP TRIGGER t_msg; DROP TRIGGER t_doc; DROP TABLE t_rewrite");
}

/* An inventory whose documents never come is refused at the match timeout (100). */
static void
test_sweep(void **state)
{
	struct wfx *fx = *state;
	char *xml = wfx_signed_sample(fx, "D4", V "CEB621-inventory.xml",
				      "SO202411110000123456", "SO202411119999999999",
				      "EX2024111100012345", "EX2024111199999999",
				      "QH20241111000001", "QH20241111999999",
				      "6A5BAB8E-3E9E-4FBD-83D0-D91DC81E0784",
				      "6A5BAB8E-3E9E-4FBD-83D0-D91DC81E0799", NULL);
	json_t *a = NULL;
	char st[128];
	int rejected = -1;
	void *lock;

	assert_int_equal(wfx_submit(fx, &fx->d4, xml, &a), CG_OK);
	json_decref(a);
	cg_free(xml);
	assert_int_equal(cg_service_sweep(fx->svc, fx->ctx, &rejected), CG_OK);
	assert_int_equal(rejected, 0); /* not waited long enough yet */
	/* Nothing due: the sweep needs no write lock (the group commit's writer would wait for it). */
	lock = wfx_lock(fx);
	rejected = -1;
	assert_int_equal(cg_service_sweep(fx->svc, fx->ctx, &rejected), CG_OK);
	assert_int_equal(rejected, 0);
	wfx_unlock(lock);
	wfx_sql(fx, "UPDATE document SET created = created - 7200 WHERE kind = 621"
		    " AND state IN ('declared', 'waiting')");
	assert_int_equal(cg_service_sweep(fx->svc, fx->ctx, &rejected), CG_OK);
	assert_int_equal(rejected, 1);
	wfx_statuses(fx, &fx->d4, "CEB622Message", st, sizeof(st));
	assert_string_equal(st, "2 120 300 399 800 2 100");
	/* Its receipt says what it waited for (its reason, kept with its state). */
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM receipt WHERE return_status = '100'"
					 " AND CAST(xml AS TEXT) LIKE '%not matched in time: 缺少订单 order missing%'"),
			 1);
	assert_int_equal(cg_service_sweep(fx->svc, fx->ctx, &rejected), CG_OK);
	assert_int_equal(rejected, 0); /* refused once */
}

/*
 * The feed: each enterprise's receipts numbered 1, 2, 3... in the order their
 * transactions committed (seq, the cursor), none left unnumbered, and a
 * reader resuming after a cursor gets exactly the ones after it.
 */
static void
test_feed_positions(void **state)
{
	struct wfx *fx = *state;
	char *json = NULL;
	json_t *page, *r;
	long long n, next;
	size_t i;

	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM receipt WHERE seq IS NULL"), 0);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM receipt r WHERE seq <> (SELECT count(*)"
					 " FROM receipt o WHERE o.enterprise_id = r.enterprise_id AND o.id <= r.id)"),
			 0);
	n = wfx_sql_int(fx, "SELECT count(*) FROM receipt r JOIN enterprise e ON e.id = r.enterprise_id"
			    " WHERE e.cop_code = '4403980XD4'");
	assert_true(n >= 7);
	assert_int_equal(wfx_sql_int(fx, "SELECT f.last FROM feed f JOIN enterprise e ON e.id = f.enterprise_id"
					 " WHERE e.cop_code = '4403980XD4'"), n);
	assert_int_equal(cg_service_receipts(fx->svc, fx->ctx, &fx->d4, 2, 3, &json, &(int){ 0 }), CG_OK);
	page = wfx_json(json);
	json_array_foreach(json_object_get(page, "receipts"), i, r)
		assert_int_equal(json_integer_value(json_object_get(r, "cursor")), 3 + (long long)i);
	next = json_integer_value(json_object_get(page, "next"));
	assert_int_equal(next, 5);
	json_decref(page);
}

/* The audit trail verifies end to end with an anchor; a record changed behind its back does not. */
static void
test_audit_verify(void **state)
{
	struct wfx *fx = *state;
	cg_registry *reg = NULL;
	char *json = NULL;
	json_t *v;

	assert_int_equal(cg_registry_open(&reg, fx->ctx, fx->db), CG_OK);
	assert_int_equal(cg_registry_audit_anchor(reg, fx->ctx, &json), CG_OK);
	v = wfx_json(json);
	assert_true(json_is_true(json_object_get(v, "anchored")));
	json_decref(v);
	assert_int_equal(cg_registry_audit_anchor(reg, fx->ctx, &json), CG_OK);
	v = wfx_json(json);
	assert_true(json_is_false(json_object_get(v, "anchored"))); /* nothing new since */
	json_decref(v);
	assert_int_equal(cg_registry_audit_verify(reg, fx->ctx, &json), CG_OK);
	v = wfx_json(json);
	assert_true(json_is_true(json_object_get(v, "ok")));
	/* This one and the sweep's (the first sweep of test_sweep anchored the trail). */
	assert_int_equal(json_integer_value(json_object_get(v, "anchors")), 2);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM audit WHERE chain = 0 AND action = 'anchor'"), 2);
	assert_int_equal(json_integer_value(json_object_get(v, "records")),
			 wfx_sql_int(fx, "SELECT count(*) FROM audit"));
	json_decref(v);
	/* The trigger out of the way, as someone with the file could. */
	wfx_sql_ddl(fx, "DROP TRIGGER audit_append_only_u; UPDATE audit SET detail = 'nothing happened'"
		    " WHERE id = (SELECT min(id) FROM audit WHERE chain = 1)");
	assert_int_equal(cg_registry_audit_verify(reg, fx->ctx, &json), CG_ECONFLICT);
	v = wfx_json(json);
	assert_true(json_is_false(json_object_get(v, "ok")));
	assert_non_null(strstr(json_string_value(json_object_get(v, "broken")), "its hash does not match"));
	json_decref(v);
	cg_registry_close(reg);
}

/* Copies of the newest import inventory, not due: BACKLOG imports, as many exports and tax bills. */
#define BACKLOG 3000
#define CLONE(KIND, STATE)                                                                           \
	"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"             \
	" INSERT INTO document(message_id, kind, key1, key2, app_type, state, sender_id, updated,"   \
	" data, order_key, waybill_key, created)"                                                    \
	" SELECT message_id, " KIND ", 'backlog-' || i, key2, app_type, '" STATE "', sender_id,"     \
	" updated, data, 'backlog-' || i, 'backlog-' || i, created FROM document, n"                \
	" WHERE id = (SELECT max(id) FROM document WHERE kind = 621)"

/* The steps the sweep's database connection takes for one sweep. */
static unsigned long long
sweep_steps(struct wfx *fx, int *rejected)
{
	cg_db *db = cg__store_db(cg__service_store(fx->svc));
	unsigned long long before = cg_db_vm_steps(db);

	assert_int_equal(cg_service_sweep(fx->svc, fx->ctx, rejected), CG_OK);
	return cg_db_vm_steps(db) - before;
}

/*
 * A backlog of inventories waiting for their documents and of tax bills in
 * their return period: a sweep with nothing due reads none of it (the due
 * checks find the earliest by index), and one inventory past its timeout,
 * the last of thousands by id, is refused.
 */
static void
test_sweep_backlog(void **state)
{
	struct wfx *fx = *state;
	char *xml = wfx_signed_sample(fx, "D4", V "CEB621-inventory.xml",
				      "SO202411110000123456", "SO202411117777777777",
				      "EX2024111100012345", "EX2024111177777777",
				      "QH20241111000001", "QH20241111777777",
				      "6A5BAB8E-3E9E-4FBD-83D0-D91DC81E0784",
				      "6A5BAB8E-3E9E-4FBD-83D0-D91DC81E0777", NULL);
	json_t *a = NULL;
	unsigned long long steps;
	long long last, waiting;
	int rejected = -1;

	assert_int_equal(wfx_submit(fx, &fx->d4, xml, &a), CG_OK);
	json_decref(a);
	cg_free(xml);
	wfx_sql(fx, CLONE("621", "waiting"));
	wfx_sql(fx, CLONE("603", "declared"));
	wfx_sql(fx, "INSERT INTO tax_bill(tax_no, document_id, enterprise_id, invt_no, assure_code, ebc_code,"
		    " customs_tax, vat, consumption_tax, status, basis, lines, month, issued, released, updated)"
		    " SELECT 'backlog-' || id, id, sender_id, 'backlog', 'a', 'e', '0', '0', '0', '1', 'b', '[]',"
		    " '2026-12', created, created, created FROM document WHERE key1 LIKE 'backlog-%' AND kind = 621");
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM document WHERE kind = 621 AND state = 'waiting'"
					 " AND key1 LIKE 'backlog-%'"), BACKLOG);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM tax_bill WHERE status = '1'"
					 " AND tax_no LIKE 'backlog-%'"), BACKLOG);
	/* The first sweep may anchor the audit trail; the second has nothing at all to do. */
	(void)sweep_steps(fx, &rejected);
	assert_int_equal(rejected, 0);
	rejected = -1;
	steps = sweep_steps(fx, &rejected);
	assert_int_equal(rejected, 0);
	/* Reading every row of one backlog takes several steps a row; an index probe a few dozen. */
	print_message("# a sweep with %d not due of each kind: %llu steps\n", BACKLOG, steps);
	assert_true(steps < BACKLOG / 4);
	/* The last of them by id, past its timeout: found, refused once, the others untouched. */
	last = wfx_sql_int(fx, "SELECT max(id) FROM document WHERE kind = 621");
	waiting = wfx_sql_int(fx, "SELECT count(*) FROM document WHERE kind = 621"
				  " AND state IN ('declared', 'waiting')");
	wfx_sql(fx, "UPDATE document SET created = created - 7200 WHERE id = (SELECT max(id) FROM document"
		    " WHERE kind = 621)");
	assert_int_equal(cg_service_sweep(fx->svc, fx->ctx, &rejected), CG_OK);
	assert_int_equal(rejected, 1);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM document WHERE kind = 621 AND state = 'rejected'"
					 " AND reason = 'timeout' AND key1 LIKE 'backlog-%'"), 1);
	assert_int_equal(wfx_sql_int(fx, "SELECT max(id) FROM document WHERE kind = 621 AND state = 'rejected'"
					 " AND reason = 'timeout'"), last);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM document WHERE kind = 621"
					 " AND state IN ('declared', 'waiting')"), waiting - 1);
	assert_int_equal(cg_service_sweep(fx->svc, fx->ctx, &rejected), CG_OK);
	assert_int_equal(rejected, 0);
}

/*
 * A document's stored form is dumped into a buffer sized for values without
 * escapes: a value with a quote and a backslash takes more, and is stored
 * whole all the same (and one without, beside it, as it was).
 */
static void
test_stored_form_escapes(void **state)
{
	struct wfx *fx = *state;
	char *xml = wfx_signed_sample(fx, "D4", V "CEB621-inventory.xml",
				      "SO202411110000123456", "SO202411116666666666",
				      "EX2024111100012345", "EX2024111166666666",
				      "QH20241111000001", "QH20241111666666",
				      "6A5BAB8E-3E9E-4FBD-83D0-D91DC81E0784",
				      "6A5BAB8E-3E9E-4FBD-83D0-D91DC81E0666",
				      "示例牌婴幼儿配方奶粉3段900克", "示例牌&quot;婴幼儿\\配方&quot;奶粉3段900克", NULL);
	json_t *a = NULL;

	assert_int_equal(wfx_submit(fx, &fx->d4, xml, &a), CG_OK);
	assert_string_equal(status_of(a), "accepted");
	json_decref(a);
	cg_free(xml);
	assert_int_equal(wfx_sql_int(fx, "SELECT count(*) FROM document WHERE kind = 621"
					 " AND key2 = 'QH20241111666666'"
					 " AND json_valid(data)"
					 " AND json_extract(data, '$.l[0].itemName') = '示例牌\"婴幼儿\\配方\"奶粉3段900克'"
					 " AND json_extract(data, '$.l[1].itemName') = '示例牌保湿面霜50毫升'"
					 " AND json_extract(data, '$.h.copNo') = 'QH20241111666666'"),
			 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_out_of_order_then_held),
		cmocka_unit_test(test_duplicate_and_conflict),
		cmocka_unit_test(test_claim_lease),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_feed_positions),
		cmocka_unit_test(test_audit_verify),
		cmocka_unit_test(test_rows_written_once),
		cmocka_unit_test(test_stored_answer_follows_the_documents),
		cmocka_unit_test(test_sweep_backlog),
		cmocka_unit_test(test_stored_form_escapes),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (cg_global_init() != CG_OK)
		return 1;
	return cmocka_run_group_tests_name("clearance", tests, wfx_setup, wfx_teardown) != 0;
}
