/* SPDX-License-Identifier: MIT */
/* The declarant's outbox: states, retries, dead letters, receipts matched by business keys. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include "cebgate/outbox.h"

struct fx {
	char dir[64];
	char db[128];
	cg_ctx *ctx;
	cg_outbox *ob;
};

static char *
slurp(const char *rel, size_t *len)
{
	char path[4096];
	FILE *fp;
	char *buf = malloc(1 << 20);

	(void)snprintf(path, sizeof(path), "%s/samples/xml/unsigned/%s", CG_ABS_SRCDIR, rel);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 20) - 1, fp);
	buf[*len] = '\0';
	fclose(fp);
	return buf;
}

/* The sample with its text @p from replaced by @p to (same length or not). */
static char *
variant(const char *rel, const char *from, const char *to, size_t *len)
{
	char *s = slurp(rel, len), *p = strstr(s, from), *out;

	assert_non_null(p);
	out = malloc(*len + strlen(to) + 1);
	assert_non_null(out);
	memcpy(out, s, (size_t)(p - s));
	memcpy(out + (p - s), to, strlen(to));
	memcpy(out + (p - s) + strlen(to), p + strlen(from), strlen(p + strlen(from)) + 1);
	*len = strlen(out);
	free(s);
	return out;
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/cg-outbox-XXXXXX");
	if (mkdtemp(fx->dir) == NULL || cg_ctx_new(&fx->ctx) != CG_OK)
		return -1;
	snprintf(fx->db, sizeof(fx->db), "%s/o.db", fx->dir);
	if (cg_outbox_open(&fx->ob, fx->ctx, fx->db) != CG_OK)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	cg_outbox_close(fx->ob);
	cg_ctx_free(fx->ctx);
	unlink(fx->db);
	(void)snprintf(fx->db, sizeof(fx->db), "%s/o.db-wal", fx->dir);
	unlink(fx->db);
	(void)snprintf(fx->db, sizeof(fx->db), "%s/o.db-shm", fx->dir);
	unlink(fx->db);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static void
add_sample(struct fx *fx, const char *rel, int expect_added)
{
	size_t len;
	char *x = slurp(rel, &len);
	int added = -1;

	assert_int_equal(cg_outbox_add(fx->ob, fx->ctx, rel, x, len, NULL, &added), CG_OK);
	assert_int_equal(added, expect_added);
	free(x);
}

static void
receipt(struct fx *fx, const char *xml, size_t len, int matched, int dups)
{
	int m = -1, d = -1;

	assert_int_equal(cg_outbox_receipt(fx->ob, fx->ctx, xml, len, &m, &d), CG_OK);
	assert_int_equal(m, matched);
	assert_int_equal(d, dups);
}

static void
test_add_once(void **state)
{
	struct fx *fx = *state;
	cg_outbox_counts c;
	size_t len;
	char *other = variant("CEB311-order.xml", "309FF3B5-9896-4379-93C3-706DB153EEF5",
			      "309FF3B5-9896-4379-93C3-706DB153EE99", &len);
	int added = -1;

	add_sample(fx, "CEB311-order.xml", 1);
	add_sample(fx, "CEB311-order.xml", 0); /* the same guid */
	/* Another guid for the same order (a second run re-signing the same input): not added. */
	assert_int_equal(cg_outbox_add(fx->ob, fx->ctx, "again", other, len, NULL, &added), CG_OK);
	assert_int_equal(added, 0);
	assert_int_equal(cg_outbox_counts_get(fx->ob, fx->ctx, &c), CG_OK);
	assert_int_equal(c.signed_, 1);
	assert_int_equal(c.docs, 1);
	/* A receipt is not a declaration. */
	free(other);
	other = slurp("CEB312-order-receipt.xml", &len);
	assert_int_equal(cg_outbox_add(fx->ob, fx->ctx, "r", other, len, NULL, &added), CG_EPARSE);
	free(other);
}

static void
test_claim_lease_answer(void **state)
{
	struct fx *fx = *state;
	cg_outbox_item it[4];
	cg_outbox_counts c;
	size_t n = 0;
	int any = -1;

	add_sample(fx, "CEB311-order.xml", 1);
	add_sample(fx, "CEB411-payment.xml", 1);
	assert_int_equal(cg_outbox_any(fx->ob, fx->ctx, "signed", &any), CG_OK);
	assert_int_equal(any, 1);
	assert_int_equal(cg_outbox_claim(fx->ob, fx->ctx, 1000, 60000, it, 4, &n), CG_OK);
	assert_int_equal(n, 2);
	assert_int_equal(cg_outbox_any(fx->ob, fx->ctx, "signed", &any), CG_OK);
	assert_int_equal(any, 0);
	assert_string_equal(it[0].type, "CEB311Message");
	assert_non_null(strstr(it[0].xml, "SO202411110000123456"));
	/* Leased: nobody gets them again before the lease runs out... */
	cg_outbox_item_dispose(&it[0]);
	cg_outbox_item_dispose(&it[1]);
	assert_int_equal(cg_outbox_claim(fx->ob, fx->ctx, 2000, 60000, it, 4, &n), CG_OK);
	assert_int_equal(n, 0);
	/* ... unless a new run recovers after a crash: the same bytes go again. */
	assert_int_equal(cg_outbox_recover(fx->ob, fx->ctx), CG_OK);
	assert_int_equal(cg_outbox_claim(fx->ob, fx->ctx, 2000, 60000, it, 4, &n), CG_OK);
	assert_int_equal(n, 2);
	assert_int_equal(cg_outbox_answer(fx->ob, fx->ctx, it[0].id, "accepted", "120", "{}"), CG_OK);
	assert_int_equal(cg_outbox_answer(fx->ob, fx->ctx, it[1].id, "rejected", "-401009", "{}"),
			 CG_OK);
	assert_int_equal(cg_outbox_counts_get(fx->ob, fx->ctx, &c), CG_OK);
	assert_int_equal(c.acknowledged, 1);
	assert_int_equal(c.rejected, 1);
	assert_int_equal(c.docs_final, 1);
	assert_int_equal(c.docs_refused, 1);
	cg_outbox_item_dispose(&it[0]);
	cg_outbox_item_dispose(&it[1]);
}

static void
test_backoff(void **state)
{
	(void)state;
	assert_int_equal(cg_outbox_backoff_ms(1, 100, 10000, 1.0), 100);
	assert_int_equal(cg_outbox_backoff_ms(1, 100, 10000, 0.0), 50);
	assert_int_equal(cg_outbox_backoff_ms(3, 100, 10000, 1.0), 400);
	assert_int_equal(cg_outbox_backoff_ms(30, 100, 10000, 1.0), 10000);
	assert_int_equal(cg_outbox_backoff_ms(30, 100, 10000, 0.0), 5000);
}

static void
test_retry_dead_release(void **state)
{
	struct fx *fx = *state;
	cg_outbox_item it[1];
	cg_outbox_counts c;
	long long wait = 0, n = 0;
	size_t got = 0;
	int dead = -1;

	add_sample(fx, "CEB311-order.xml", 1);
	assert_int_equal(cg_outbox_claim(fx->ob, fx->ctx, 0, 60000, it, 1, &got), CG_OK);
	assert_int_equal(cg_outbox_retry(fx->ob, fx->ctx, it[0].id, 0, 3, 100, 1000, "boom", &dead),
			 CG_OK);
	assert_int_equal(dead, 0);
	assert_int_equal(cg_outbox_next_due(fx->ob, fx->ctx, 0, &wait), CG_OK);
	assert_true(wait >= 50 && wait <= 100);
	cg_outbox_item_dispose(&it[0]);
	/* Not due before its time, due after it. */
	assert_int_equal(cg_outbox_claim(fx->ob, fx->ctx, 10, 60000, it, 1, &got), CG_OK);
	assert_int_equal(got, 0);
	assert_int_equal(cg_outbox_claim(fx->ob, fx->ctx, 1000, 60000, it, 1, &got), CG_OK);
	assert_int_equal(got, 1);
	assert_int_equal(it[0].attempts, 1);
	assert_int_equal(cg_outbox_retry(fx->ob, fx->ctx, it[0].id, 1000, 3, 100, 1000, "boom", &dead),
			 CG_OK);
	cg_outbox_item_dispose(&it[0]);
	assert_int_equal(cg_outbox_claim(fx->ob, fx->ctx, 9000, 60000, it, 1, &got), CG_OK);
	assert_int_equal(cg_outbox_retry(fx->ob, fx->ctx, it[0].id, 9000, 3, 100, 1000, "boom", &dead),
			 CG_OK);
	assert_int_equal(dead, 1); /* the third send was the last */
	cg_outbox_item_dispose(&it[0]);
	assert_int_equal(cg_outbox_claim(fx->ob, fx->ctx, 99999999, 60000, it, 1, &got), CG_OK);
	assert_int_equal(got, 0);
	assert_int_equal(cg_outbox_next_due(fx->ob, fx->ctx, 0, &wait), CG_OK);
	assert_int_equal(wait, -1);
	assert_int_equal(cg_outbox_counts_get(fx->ob, fx->ctx, &c), CG_OK);
	assert_int_equal(c.dead, 1);
	assert_int_equal(cg_outbox_release_dead(fx->ob, fx->ctx, &n), CG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(cg_outbox_claim(fx->ob, fx->ctx, 0, 60000, it, 1, &got), CG_OK);
	assert_int_equal(got, 1);
	assert_int_equal(it[0].attempts, 0);
	/* A 4xx is never retried. */
	assert_int_equal(cg_outbox_give_up(fx->ob, fx->ctx, it[0].id, "HTTP 401"), CG_OK);
	assert_int_equal(cg_outbox_counts_get(fx->ob, fx->ctx, &c), CG_OK);
	assert_int_equal(c.dead, 1);
	cg_outbox_item_dispose(&it[0]);
}

static void
test_rank(void **state)
{
	int f, g;

	(void)state;
	assert_true(cg_receipt_rank(311, "120", &f) > 0 && f == 1);
	assert_true(cg_receipt_rank(621, "120", &f) > 0 && f == 0);
	assert_true(cg_receipt_rank(621, "399", &f) > 0 && f == 0);
	assert_true(cg_receipt_rank(621, "800", &f) > cg_receipt_rank(621, "100", &f) && f == 1);
	assert_true(cg_receipt_rank(621, "-621018", &f) > 0 && f == 1);
	assert_true(cg_receipt_rank(621, "899", &f) > cg_receipt_rank(621, "800", &f));
	/* Exports (ceb-export-spec.md §2.7, §4): an order ends at 120, an inventory at 899. */
	assert_true(cg_receipt_rank(303, "120", &f) > 0 && f == 1);
	assert_true(cg_receipt_rank(505, "399", &f) > 0 && f == 1);
	assert_true(cg_receipt_rank(603, "399", &f) > 0 && f == 0);
	assert_true(cg_receipt_rank(603, "800", &f) > 0 && f == 0);
	assert_true(cg_receipt_rank(603, "899", &f) > cg_receipt_rank(603, "800", &g));
	assert_true(f == 1 && g == 0);
	assert_true(cg_receipt_rank(607, "399", &f) > 0 && f == 1);
	assert_true(cg_receipt_rank(213, "120", &f) > 0 && f == 0);
	assert_true(cg_receipt_rank(213, "800", &f) > 0 && f == 1);
	/* A return handed over (505) or suspended (600) goes on: 800 or 100 ends it (§4). */
	assert_true(cg_receipt_rank(213, "505", &f) > cg_receipt_rank(213, "120", &g) && f == 0);
	assert_true(cg_receipt_rank(213, "600", &f) > 0 && f == 0);
	assert_true(cg_receipt_rank(213, "800", &f) > cg_receipt_rank(213, "505", &g) && f == 1);
	assert_true(cg_receipt_rank(213, "100", &f) > 0 && f == 1);
	/* A master/house list ends at 399 or the PDF's 120; its 800 and 500 are informational. */
	assert_true(cg_receipt_rank(607, "120", &f) > 0 && f == 1);
	assert_int_equal(cg_receipt_rank(607, "800", &f), 0);
	assert_int_equal(f, 0);
	assert_int_equal(cg_receipt_rank(607, "500", &f), 0);
	/* No 501-599 or 700 in the export lists: informational, not an end. */
	assert_int_equal(cg_receipt_rank(603, "501", &f), 0);
	assert_int_equal(f, 0);
	assert_true(cg_receipt_rank(621, "501", &f) > 0 && f == 1);
	assert_int_equal(cg_receipt_rank(621, "23", &f), 0); /* unknown: informational */
	assert_int_equal(f, 0);
	assert_true(cg_receipt_rank(621, "DXP1001", &f) > 0 && f == 1);
}

static void
ack_all(struct fx *fx)
{
	cg_outbox_item it[4];
	size_t n = 0, i;

	assert_int_equal(cg_outbox_claim(fx->ob, fx->ctx, 0, 60000, it, 4, &n), CG_OK);
	for (i = 0; i < n; i++) {
		assert_int_equal(cg_outbox_answer(fx->ob, fx->ctx, it[i].id, "accepted", NULL, "{}"),
				 CG_OK);
		cg_outbox_item_dispose(&it[i]);
	}
}

static void
test_receipts_any_order(void **state)
{
	struct fx *fx = *state;
	cg_outbox_counts c;
	size_t l1, l2, l3;
	char *declaring = slurp("CEB622-inventory-receipt-declaring.xml", &l1);
	char *released = slurp("CEB622-inventory-receipt-released.xml", &l2);
	char *order = slurp("CEB312-order-receipt.xml", &l3);
	char *json = NULL;

	add_sample(fx, "CEB311-order.xml", 1);
	add_sample(fx, "CEB621-inventory.xml", 1);
	ack_all(fx);
	/* The release arrives first, then the older "declaring", then the release again. */
	receipt(fx, released, l2, 1, 0);
	receipt(fx, declaring, l1, 1, 0);
	receipt(fx, released, l2, 0, 1);
	receipt(fx, order, l3, 1, 0);
	assert_int_equal(cg_outbox_counts_get(fx->ob, fx->ctx, &c), CG_OK);
	assert_int_equal(c.final, 2);
	assert_int_equal(c.docs_final, 2);
	assert_int_equal(c.docs_refused, 0);
	assert_int_equal(cg_outbox_status_json(fx->ob, fx->ctx, "QH20241111000001", &json), CG_OK);
	assert_non_null(strstr(json, "\"returnStatus\": \"800\""));
	cg_free(json);
	/* By order number: the order and the inventory that refers to it. */
	assert_int_equal(cg_outbox_status_json(fx->ob, fx->ctx, "SO202411110000123456", &json), CG_OK);
	assert_non_null(strstr(json, "CEB311Message"));
	assert_non_null(strstr(json, "CEB621Message"));
	cg_free(json);
	assert_int_equal(cg_outbox_status_json(fx->ob, fx->ctx, "nothing", &json), CG_ENOTFOUND);
	free(declaring);
	free(released);
	free(order);
}

/*
 * An export return's receipts (ceb-export-spec.md §4): handed over (505) and
 * suspended (600) are on the way, not its end; the 800 that follows still
 * moves the declarant's state and ends the return.
 */
static void
test_export_return_receipts(void **state)
{
	static const char *const sample = "../export/CEB214Message.xml";
	static const char *const status = "<ceb:returnStatus>800<";
	struct fx *fx = *state;
	cg_outbox_counts c;
	size_t l1, l2, l3;
	char *handed = variant(sample, status, "<ceb:returnStatus>505<", &l1);
	char *suspended = variant(sample, status, "<ceb:returnStatus>600<", &l2);
	char *released = slurp(sample, &l3);
	char *json = NULL;

	add_sample(fx, "../export/CEB213Message.xml", 1);
	ack_all(fx);
	receipt(fx, handed, l1, 1, 0);
	assert_int_equal(cg_outbox_counts_get(fx->ob, fx->ctx, &c), CG_OK);
	assert_int_equal(c.final, 0);
	assert_int_equal(c.docs_final, 0);
	assert_int_equal(cg_outbox_status_json(fx->ob, fx->ctx, "ER2024121000000001", &json), CG_OK);
	assert_non_null(strstr(json, "\"returnStatus\": \"505\""));
	cg_free(json);
	receipt(fx, suspended, l2, 1, 0);
	assert_int_equal(cg_outbox_status_json(fx->ob, fx->ctx, "ER2024121000000001", &json), CG_OK);
	assert_non_null(strstr(json, "\"returnStatus\": \"600\""));
	cg_free(json);
	receipt(fx, released, l3, 1, 0);
	assert_int_equal(cg_outbox_counts_get(fx->ob, fx->ctx, &c), CG_OK);
	assert_int_equal(c.final, 1);
	assert_int_equal(c.docs_final, 1);
	assert_int_equal(cg_outbox_status_json(fx->ob, fx->ctx, "ER2024121000000001", &json), CG_OK);
	assert_non_null(strstr(json, "\"returnStatus\": \"800\""));
	cg_free(json);
	free(handed);
	free(suspended);
	free(released);
}

static void
test_receipt_keys_not_guid(void **state)
{
	struct fx *fx = *state;
	size_t len;
	/* Same receipt guid, another order number: it is not ours. */
	char *other = variant("CEB312-order-receipt.xml", "SO202411110000123456",
			      "SO202411110000999999", &len);
	char *bad = NULL;
	int m, d;

	add_sample(fx, "CEB311-order.xml", 1);
	ack_all(fx);
	receipt(fx, other, len, 0, 0);
	free(other);
	bad = slurp("CEB312-order-receipt-rejected.xml", &len);
	receipt(fx, bad, len, 1, 0);
	free(bad);
	assert_int_equal(cg_outbox_receipt(fx->ob, fx->ctx, "<x", 2, &m, &d), CG_EPARSE);
	bad = slurp("CEB311-order.xml", &len);
	assert_int_equal(cg_outbox_receipt(fx->ob, fx->ctx, bad, len, &m, &d), CG_EPARSE);
	free(bad);
}

static void
test_cursor_and_reopen(void **state)
{
	struct fx *fx = *state;
	long long v = -1;

	assert_int_equal(cg_outbox_cursor(fx->ob, fx->ctx, "http://x", &v), CG_OK);
	assert_int_equal(v, 0);
	assert_int_equal(cg_outbox_set_cursor(fx->ob, fx->ctx, "http://x", 42), CG_OK);
	cg_outbox_close(fx->ob);
	assert_int_equal(cg_outbox_open(&fx->ob, fx->ctx, fx->db), CG_OK);
	assert_int_equal(cg_outbox_schema_version(fx->ob), 1);
	assert_int_equal(cg_outbox_cursor(fx->ob, fx->ctx, "http://x", &v), CG_OK);
	assert_int_equal(v, 42);
}

static void
test_batch_rolls_back_one(void **state)
{
	struct fx *fx = *state;
	cg_outbox_counts c;
	int added;

	assert_int_equal(cg_outbox_begin(fx->ob, fx->ctx), CG_OK);
	add_sample(fx, "CEB311-order.xml", 1);
	assert_int_equal(cg_outbox_add(fx->ob, fx->ctx, "x", "<broken", 7, NULL, &added), CG_EPARSE);
	add_sample(fx, "CEB511-waybill.xml", 1);
	assert_int_equal(cg_outbox_commit(fx->ob, fx->ctx), CG_OK);
	assert_int_equal(cg_outbox_counts_get(fx->ob, fx->ctx, &c), CG_OK);
	assert_int_equal(c.signed_, 2);
}

static void
test_dxprep_refuses_transmission(void **state)
{
	static const char rep[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		"<DxpRep xmlns=\"http://www.chinaport.gov.cn/dxp\" ver=\"1.0\">"
		"<RecevierId>DXPENT0000999901</RecevierId><Response><ResponseCode>1001</ResponseCode>"
		"<ResponseInfo>bad signature</ResponseInfo><NoticeTime>2026-11-28</NoticeTime>"
		"<OriHead><CopMsgId>COP-1</CopMsgId><SenderId>DXPENT0000999901</SenderId></OriHead>"
		"</Response></DxpRep>";
	struct fx *fx = *state;
	cg_outbox_counts c;
	size_t len;
	char *x = slurp("CEB311-order.xml", &len);
	int added = 0;

	assert_int_equal(cg_outbox_add(fx->ob, fx->ctx, "o", x, len, "COP-1", &added), CG_OK);
	free(x);
	ack_all(fx);
	receipt(fx, rep, sizeof(rep) - 1, 1, 0);
	receipt(fx, rep, sizeof(rep) - 1, 0, 1);
	assert_int_equal(cg_outbox_counts_get(fx->ob, fx->ctx, &c), CG_OK);
	assert_int_equal(c.rejected, 1);
	assert_int_equal(c.docs_refused, 1);
}

/* The summary result of one declSeqNo in cg_outbox_list_json()'s summaryResults. */
static json_t *
summary_result(struct fx *fx, const char *decl, size_t *count)
{
	char *text = NULL;
	json_t *root, *r, *found = NULL;
	size_t i;

	assert_int_equal(cg_outbox_list_json(fx->ob, fx->ctx, 0, &text), CG_OK);
	root = json_loads(text, 0, NULL);
	cg_free(text);
	assert_non_null(root);
	*count = json_array_size(json_object_get(root, "summaryResults"));
	json_array_foreach(json_object_get(root, "summaryResults"), i, r)
	{
		if (strcmp(json_string_value(json_object_get(r, "declSeqNo")), decl) == 0)
			found = json_incref(r);
	}
	json_decref(root);
	assert_non_null(found);
	return found;
}

/* CEB792 is an upsert by declSeqNo (ceb-export-spec §3.12): a later result fills and changes, never adds. */
static void
test_summary_result_upsert(void **state)
{
	struct fx *fx = *state;
	size_t len, n = 0;
	char *first = slurp("../export/CEB792Message.xml", &len);
	char *later = variant("../export/CEB792Message.xml", "<ceb:decState>1</ceb:decState>",
			      "<ceb:decState>3</ceb:decState>", &len);
	char *other = variant("../export/CEB792Message.xml", "H20241205000000123", "H20241205000000124", &len);
	json_t *r;

	receipt(fx, first, strlen(first), 1, 0);
	r = summary_result(fx, "H20241205000000123", &n);
	assert_int_equal(n, 1);
	assert_string_equal(json_string_value(json_object_get(r, "decState")), "1");
	assert_int_equal(json_integer_value(json_object_get(r, "rows")), 3);
	json_decref(r);
	receipt(fx, later, strlen(later), 1, 0);
	receipt(fx, later, strlen(later), 0, 1);
	receipt(fx, other, strlen(other), 1, 0);
	r = summary_result(fx, "H20241205000000123", &n);
	assert_int_equal(n, 2);
	assert_string_equal(json_string_value(json_object_get(r, "decState")), "3");
	assert_string_equal(json_string_value(json_object_get(r, "entryId")), "290120241000004567");
	assert_string_equal(json_string_value(json_object_get(r, "sumNo")), "S20241205000000078");
	assert_int_equal(json_integer_value(json_object_get(r, "results")), 2);
	json_decref(r);
	free(first);
	free(later);
	free(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_lease_answer, setup, teardown),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test_setup_teardown(test_retry_dead_release, setup, teardown),
		cmocka_unit_test(test_rank),
		cmocka_unit_test_setup_teardown(test_receipts_any_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_return_receipts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipt_keys_not_guid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor_and_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_rolls_back_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dxprep_refuses_transmission, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary_result_upsert, setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (cg_global_init() != CG_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
