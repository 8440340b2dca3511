/* SPDX-License-Identifier: MIT */
/*
 * One submission (一次提交申报) and one feedback (统一办理反馈): see
 * include/cebgate/submission.h. Every accepted or refused document gets a
 * receipt of its type (312, 412, 512, 514, 622, 624, 626, 712) with the
 * returnStatus values of ceb-spec §5; everything of one message is written
 * in one transaction, so a crash leaves it either whole or absent.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <uuid/uuid.h>
#include <openssl/crypto.h>
#include "cebgate/explain.h"
#include "cebgate/report.h"
#include "cebgate/submission.h"
#include "cebgate/sig.h"
#include "cebgate/validate.h"
#include "ceb/model.h"
#include "ceb/schema.h"
#include "window/service_internal.h"
#include "sig/sigcheck.h"
#include "window/store_internal.h"
#include "ceb/writer.h"
#include "util/xml.h"

/*
 * Error returnStatus per declaration type (ceb-spec §5.3): a new document
 * whose key exists, a change or delete of an unknown one, failed validation,
 * failed signature. The 513, 625 and 711 choices are UNCONFIRMED (§5.3 gives
 * only ranges or several candidates).
 */
static const struct errcodes {
	int type;
	const char *exists, *missing, *invalid, *signature;
} errcodes[] = {
	{ 311, "-301010", "-301009", "-301008", "-301008" },
	{ 411, "-401007", "-401006", "-401009", "-401009" },
	{ 511, "-504015", "-504014", "-504011", "-504011" },
	{ 513, "-505003", "-505005", "-505002", "-505002" },
	{ 621, "-621004", "-621011", "-621001", "-621029" },
	{ 623, "-623009", "-623002", "-623001", "-623029" },
	{ 625, "-625022", "-625209", "-625001", "-625005" },
	{ 711, "-800003", "-800001", "-800001", "-800001" },
	/*
	 * The export family has no list of its own (ceb-export-spec §4): -T001 is
	 * the unofficial "business key already exists" of the export simulator
	 * (T the receipt type); the other three follow it. docs/export.md.
	 */
	{ 303, "-304001", "-304002", "-304003", "-304004" },
	{ 403, "-404001", "-404002", "-404003", "-404004" },
	{ 505, "-506001", "-506002", "-506003", "-506004" },
	{ 507, "-508001", "-508002", "-508003", "-508004" },
	{ 509, "-510001", "-510002", "-510003", "-510004" },
	{ 603, "-604001", "-604002", "-604003", "-604004" },
	{ 605, "-606001", "-606002", "-606003", "-606004" },
	{ 607, "-608001", "-608002", "-608003", "-608004" },
	{ 213, "-214001", "-214002", "-214003", "-214004" },
	{ 215, "-216001", "-216002", "-216003", "-216004" },
	{ 701, "-702001", "-702002", "-702003", "-702004" },
};

static const struct errcodes *
codes_for(int type)
{
	size_t i;

	for (i = 0; i < sizeof(errcodes) / sizeof(errcodes[0]); i++) {
		if (errcodes[i].type == type)
			return &errcodes[i];
	}
	return NULL;
}

/*
 * Registered certificates stay decoded: decoding per message costs 3-4x (design.md);
 * an SM2 key also keeps its table (sm2verify.c), which makes each check ~3x cheaper.
 */
static struct cg_cached_cert *
registered_cert(cg_service *svc, cg_ctx *ctx, long long eid, const char *serial)
{
	struct cg_cached_cert *c;
	unsigned char *der = NULL;
	const unsigned char *p;
	size_t len = 0, i;
	X509 *x;

	for (i = 0; i < CG_CERT_CACHE; i++) {
		if (svc->certs[i].cert != NULL && svc->certs[i].eid == eid &&
		    strcmp(svc->certs[i].serial, serial) == 0)
			return &svc->certs[i];
	}
	if (cg__store_cert(svc->st, ctx, eid, serial, &der, &len) != CG_OK)
		return NULL;
	p = der;
	x = d2i_X509(NULL, &p, (long)len);
	free(der);
	if (x == NULL)
		return NULL;
	c = &svc->certs[svc->next_cert++ % CG_CERT_CACHE];
	X509_free(c->cert);
	cg__sm2key_free(c->sm2);
	c->cert = x;
	c->sm2 = cg__key_type(X509_get0_pubkey(x)) == CG_KEY_SM2
			 ? cg__sm2key_new(X509_get0_pubkey(x), 1) : NULL;
	c->eid = eid;
	(void)snprintf(c->serial, sizeof(c->serial), "%s", serial);
	return c;
}

static char *
keyname_of(xmlDocPtr doc)
{
	xmlNodePtr n, root = xmlDocGetRootElement(doc);

	for (n = cg__xml_first_elem(root); n != NULL; n = cg__xml_next_elem(n)) {
		if (cg__xml_is(n, CG_NS_DS, "Signature")) {
			xmlNodePtr ki, k;

			for (ki = cg__xml_first_elem(n); ki != NULL; ki = cg__xml_next_elem(ki)) {
				if (!cg__xml_is(ki, CG_NS_DS, "KeyInfo"))
					continue;
				for (k = cg__xml_first_elem(ki); k != NULL; k = cg__xml_next_elem(k)) {
					if (cg__xml_is(k, CG_NS_DS, "KeyName")) {
						xmlChar *t = xmlNodeGetContent(k);
						char *s = t != NULL ? cg__strdup((const char *)t) : NULL;

						xmlFree(t);
						return s;
					}
				}
			}
		}
	}
	return NULL;
}

/* One message being processed: what the answer and the transaction need. */
struct job {
	int batch; /* inside a batch's transaction: a savepoint per message */
	cg_service *svc;
	cg_store *st; /* the connection that writes: the service's, or a group writer's */
	cg_ctx *ctx;
	const cg_principal *who;
	const char *xml;
	size_t len;
	cg_findings *f;
	xmlDocPtr doc;
	struct cg_msg *m;
	char guid[64];
	char type[40];
	unsigned char sha[32];
	json_t *result;
	/* Each document's stored form (doc_json), made by the checking thread, not the writer: or NULL. */
	struct doc_form {
		char *text;
		json_t *obj;
	} *forms;
	cg_rc outcome; /* of this message: CG_OK, or the code of its refusal */
	/* Handed to the committer's writer thread (cg_service_submit_start): set before the hand-off. */
	bool *queued;
};

static cg_rc
set_status(struct job *j, const char *status, cg_rc outcome, const char *why)
{
	if (json_object_set_new(j->result, "status", json_string(status)) != 0 ||
	    (why != NULL && json_object_set_new(j->result, "reason", json_string(why)) != 0))
		return CG_ENOMEM;
	j->outcome = outcome;
	return CG_OK;
}

static cg_rc
add_findings(struct job *j)
{
	json_t *arr = json_array();
	size_t i;

	if (arr == NULL)
		return CG_ENOMEM;
	for (i = 0; i < cg_findings_count(j->f); i++) {
		char *s = cg_finding_json(cg_findings_get(j->f, i));
		json_t *o = s != NULL ? json_loads(s, 0, NULL) : NULL;

		cg_free(s);
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return CG_ENOMEM;
		}
	}
	return json_object_set_new(j->result, "findings", arr) == 0 ? CG_OK : CG_ENOMEM;
}

struct decision {
	long long existing;
	const char *status; /* returnStatus of the receipt */
	char info[256];
	bool accept;
};

/*
 * A refusal's returnInfo: the code's meaning from the catalogue that cebgate
 * explain shows; the export codes, which it does not list, say it themselves.
 */
static void
refusal_info(const struct errcodes *ec, bool export_family, const char *status, const char *guid,
	     char *out, size_t size)
{
	cg_explanation ex;

	if (export_family && strcmp(status, ec->exists) == 0)
		(void)snprintf(out, size, "业务主键已存在，不能重复新增 a document with this key exists already[%s]", guid);
	else if (export_family && strcmp(status, ec->missing) == 0)
		(void)snprintf(out, size, "没有可变更或删除的原单据，或其状态不允许 no document with this key that may "
			       "still be changed or deleted[%s]", guid);
	else {
		(void)cg_explain(status, &ex);
		(void)snprintf(out, size, "%s %s[%s]", ex.zh, ex.en, guid);
	}
}

/*
 * An export inventory may be changed or deleted only while customs has not
 * judged it (ceb-export-spec §2.7, UNCONFIRMED); the other documents while not deleted.
 */
static bool
changeable(int type, const char *state)
{
	return type == 603 ? strcmp(state, "declared") == 0 : strcmp(state, "deleted") != 0;
}

static void
decide(struct job *j, size_t doc, struct decision *dd)
{
	const struct cg_group *h = &j->m->docs[doc].head;
	const struct errcodes *ec = codes_for(j->m->def->type);
	const char *k1 = cg__group_get(h, j->m->def->key[0]), *k2 = cg__group_get(h, j->m->def->key[1]);
	const char *app = cg__group_get(h, "appType");
	bool ex = j->m->def->export_family;
	/* The first answer: 2 (accepted by the e-port) for exports, what follows comes from clearance. */
	const char *ok_status = ex || j->m->def->type == 621 ? "2" : "120";
	char state[32] = "";
	cg_rc rc;

	memset(dd, 0, sizeof(*dd));
	rc = cg__store_document_find(j->st, j->ctx, j->m->def->type, k1 != NULL ? k1 : "",
				     k2 != NULL ? k2 : "", &dd->existing, state, sizeof(state));
	if (rc != CG_OK)
		dd->existing = 0;
	if (app == NULL || strcmp(app, "1") == 0) {
		dd->accept = dd->existing == 0 || strcmp(state, "deleted") == 0;
		dd->status = dd->accept ? ok_status : ec->exists;
	} else {
		dd->accept = dd->existing != 0 && changeable(j->m->def->type, state);
		dd->status = dd->accept ? ok_status : ec->missing;
	}
	if (dd->accept)
		(void)snprintf(dd->info, sizeof(dd->info), "%s[%s]",
			       app == NULL || strcmp(app, "1") == 0 ? "新增申报成功"
			       : strcmp(app, "3") == 0		  ? "删除申报成功"
								  : "变更申报成功",
			       j->guid);
	else
		refusal_info(ec, ex, dd->status, j->guid, dd->info, sizeof(dd->info));
}

/*
 * A group's values as members of @p o; @p size grows by what they take as
 * JSON without escapes. The names come from the field tables (ASCII), so
 * jansson need not check them; the values, from the message, it does.
 */
static void
put_fields(json_t *o, const struct cg_group *g, size_t *size)
{
	size_t i;

	for (i = 0; o != NULL && i < g->def->nf; i++) {
		if (g->val[i] != NULL &&
		    json_object_set_new_nocheck(o, g->def->f[i].name, json_string(g->val[i])) == 0)
			*size += strlen(g->def->f[i].name) + strlen(g->val[i]) + 6; /* "k":"v", */
	}
}

/*
 * @p o's compact text, dumped straight into a buffer of the size it takes
 * without escapes: json_dumps would grow its own from 16 bytes, then copy it.
 * A value with characters to escape makes the text longer: dumped again at
 * the size jansson gives.
 */
static char *
dump_sized(const json_t *o, size_t guess)
{
	char *s = malloc(guess + 1), *t;
	size_t n = s != NULL ? json_dumpb(o, s, guess, JSON_COMPACT) : 0;

	if (n > guess) {
		t = realloc(s, n + 1);
		if (t == NULL || json_dumpb(o, t, n, JSON_COMPACT) != n) {
			free(t != NULL ? t : s);
			return NULL;
		}
		s = t;
	}
	if (n == 0) {
		free(s);
		return NULL;
	}
	s[n] = '\0';
	return s;
}

/* The stored form of a document for matching: {"h": {head}, "l": [lines]}; @p obj keeps it. */
static char *
doc_json(const struct cg_decl *d, json_t **obj)
{
	json_t *o = json_object(), *h = json_object(), *l = json_array();
	size_t k, size = 16; /* {"h":{},"l":[]} */
	char *s = NULL;

	*obj = NULL;
	if (o == NULL || h == NULL || l == NULL)
		goto out;
	put_fields(h, &d->head, &size);
	for (k = 0; k < d->nlines; k++) {
		json_t *line = json_object();

		put_fields(line, &d->lines[k], &size);
		size += 3; /* {}, */
		(void)json_array_append_new(l, line);
	}
	if (json_object_set(o, "h", h) == 0 && json_object_set(o, "l", l) == 0)
		s = dump_sized(o, size);
	if (s != NULL)
		*obj = json_incref(o);
out:
	json_decref(h);
	json_decref(l);
	json_decref(o);
	return s;
}

/* Every document's stored form, while the message is still in its checking thread. */
static cg_rc
make_forms(struct job *j)
{
	size_t d;

	j->forms = calloc(j->m->ndocs, sizeof(*j->forms));
	if (j->forms == NULL && j->m->ndocs > 0)
		return CG_ENOMEM;
	for (d = 0; d < j->m->ndocs; d++) {
		j->forms[d].text = doc_json(&j->m->docs[d], &j->forms[d].obj);
		if (j->forms[d].text == NULL)
			return CG_ENOMEM;
	}
	return CG_OK;
}

static void
free_forms(struct job *j)
{
	size_t d;

	for (d = 0; j->forms != NULL && d < j->m->ndocs; d++) {
		free(j->forms[d].text);
		json_decref(j->forms[d].obj);
	}
	free(j->forms);
	j->forms = NULL;
}

/* What a document's row holds besides its key and state: its stored form and match keys. */
struct doc_content {
	char *data;
	json_t *obj; /* the form as an object, for the match (cg__clearance_prematch) */
	char ok[160], wk[160];
};

static cg_rc
doc_content(struct job *j, size_t di, struct doc_content *c)
{
	const struct cg_group *h = &j->m->docs[di].head;
	const char *ebp = cg__group_get(h, "ebpCode"), *ord = cg__group_get(h, "orderNo");
	const char *lc = cg__group_get(h, "logisticsCode"), *ln = cg__group_get(h, "logisticsNo");
	int type = j->m->def->type;

	if (j->forms != NULL && j->forms[di].text != NULL) {
		/* Made by the checking thread: taken over (a retried group makes it anew, below). */
		c->data = j->forms[di].text;
		c->obj = j->forms[di].obj;
		j->forms[di].text = NULL;
		j->forms[di].obj = NULL;
	} else {
		c->data = doc_json(&j->m->docs[di], &c->obj);
	}
	c->ok[0] = c->wk[0] = '\0';
	/*
	 * Orders, payments and inventories meet on ebpCode + orderNo; waybills on
	 * their own key. An export receipt of payment is found by ebcCode +
	 * orderNo (ceb-export-spec §2.6): that is its order_key.
	 */
	if (type == 403)
		ebp = cg__group_get(h, "ebcCode");
	if ((type == 311 || type == 411 || type == 621 || type == 303 || type == 403 || type == 603) &&
	    ebp != NULL && ord != NULL)
		(void)snprintf(c->ok, sizeof(c->ok), "%s|%s", ebp, ord);
	if ((type == 511 || type == 621 || type == 505 || type == 603) && lc != NULL && ln != NULL)
		(void)snprintf(c->wk, sizeof(c->wk), "%s|%s", lc, ln);
	return c->data != NULL ? CG_OK : CG_ENOMEM;
}

static void
doc_content_dispose(struct doc_content *c)
{
	free(c->data);
	json_decref(c->obj);
	c->data = NULL;
	c->obj = NULL;
}

/* A cancellation (appType 3): stored as deleted, matched with nothing. */
static bool
deleting(struct job *j, size_t di)
{
	const char *app = cg__group_get(&j->m->docs[di].head, "appType");

	return app != NULL && strcmp(app, "3") == 0;
}

/* The document's row, written once with its content; an inventory @p waiting_for something waits. */
static cg_rc
put_doc(struct job *j, const struct decision *dd, long long message_id, size_t di,
	const struct doc_content *c, const char *waiting_for, long long *doc_id)
{
	const struct cg_group *h = &j->m->docs[di].head;
	const char *k1 = cg__group_get(h, j->m->def->key[0]), *k2 = cg__group_get(h, j->m->def->key[1]);
	const char *app = cg__group_get(h, "appType");
	struct cg_store_doc row = { k1 != NULL ? k1 : "", k2 != NULL ? k2 : "", app != NULL ? app : "1",
				    deleting(j, di) ? "deleted" : waiting_for != NULL ? "waiting" : "declared",
				    c->data, c->ok, c->wk, waiting_for };

	return cg__store_document_put(j->st, j->ctx, dd->existing, message_id, j->m->def->type, &row,
				      j->who->enterprise_id, doc_id);
}

/* A document's entry in the answer: its key and the decision on it. */
static json_t *
doc_answer(struct job *j, size_t di, const struct decision *dd)
{
	const struct cg_group *h = &j->m->docs[di].head;

	return json_pack("{s:s?, s:s?, s:s, s:b}", "key1", cg__group_get(h, j->m->def->key[0]), "key2",
			 cg__group_get(h, j->m->def->key[1]), "returnStatus", dd->status, "accepted",
			 dd->accept);
}

static bool
same_decision(const struct decision *a, const struct decision *b)
{
	return a->accept == b->accept && a->existing == b->existing && strcmp(a->status, b->status) == 0;
}

/*
 * Each document's decision before anything is written, so that the message
 * row is inserted once, with its answer. The first document's holds: nothing
 * of this message is written before it. A later one is decided again when its
 * turn comes (write_docs: an earlier document of the message may have changed
 * what it finds), and the stored answer updated if that changed it.
 */
static cg_rc
predecide(struct job *j, struct decision *dd, json_t *docs)
{
	size_t d;

	for (d = 0; d < j->m->ndocs; d++) {
		decide(j, d, &dd[d]);
		if (json_array_append_new(docs, doc_answer(j, d, &dd[d])) != 0)
			return CG_ENOMEM;
	}
	return CG_OK;
}

static cg_rc
write_docs(struct job *j, long long message_id, struct decision *pre, json_t *docs, bool *changed)
{
	/* An import inventory is matched before its row is written (cg__clearance_prematch). */
	bool inventory = j->m->def->type == 621 && !j->m->def->export_family;
	size_t d;
	cg_rc rc = CG_OK;

	for (d = 0; d < j->m->ndocs && rc == CG_OK; d++) {
		const struct cg_group *h = &j->m->docs[d].head;
		struct decision dd = pre[d];
		struct doc_content c = { NULL, NULL, "", "" };
		struct cg_inv_match im = { NULL, NULL, NULL, "" };
		bool match = inventory && !deleting(j, d);
		const char *waits = NULL;
		cg_buf xml = CG_BUF_INIT(0);
		long long doc_id = 0;

		if (d > 0)
			decide(j, d, &dd);
		if (dd.accept)
			rc = doc_content(j, d, &c);
		if (rc == CG_OK && dd.accept && match) {
			rc = cg__clearance_prematch(j->st, j->ctx, c.ok[0] != '\0' ? c.ok : NULL,
						    c.wk[0] != '\0' ? c.wk : NULL, c.obj, &im);
			waits = im.why[0] != '\0' ? im.why : NULL;
		}
		if (rc == CG_OK && dd.accept)
			rc = put_doc(j, &dd, message_id, d, &c, waits, &doc_id);
		if (rc == CG_EEXIST && dd.existing == 0) {
			/*
			 * Another node stored the same business key since it was looked for:
			 * its commit is visible now, so decide again, as if it had come first.
			 */
			decide(j, d, &dd);
			rc = dd.accept ? put_doc(j, &dd, message_id, d, &c, waits, &doc_id) : CG_OK;
		}
		if (rc == CG_OK && !same_decision(&dd, &pre[d])) {
			*changed = true;
			if (json_array_set_new(docs, d, doc_answer(j, d, &dd)) != 0)
				rc = CG_ENOMEM;
		}
		if (rc == CG_OK)
			rc = cg__receipt_build(j->m->def, h, doc_id != 0 ? doc_id : dd.existing,
					       dd.status, dd.info, &xml);
		if (rc == CG_OK && dd.accept) {
			/* The document's own receipt first, then whatever it completes. */
			rc = cg__store_receipt_add(j->st, j->ctx, j->who->enterprise_id, doc_id,
						   cg__msgdef_by_type(j->m->def->type + 1)->root,
						   dd.status, xml.ptr, xml.len);
			if (rc == CG_OK && j->m->def->export_family)
				rc = cg__export_after(j->st, j->ctx, &j->svc->cfg, j->m->def->type, doc_id);
			else if (rc == CG_OK && match)
				rc = cg__clearance_matched(j->st, j->ctx, cg__validator_codes(j->svc->v),
							   &j->svc->cfg, doc_id, j->who->enterprise_id, c.obj,
							   &im);
			else if (rc == CG_OK && !inventory)
				rc = cg__clearance_after(j->st, j->ctx, cg__validator_codes(j->svc->v),
							 &j->svc->cfg, j->m->def->type,
							 c.ok[0] != '\0' ? c.ok : NULL,
							 c.wk[0] != '\0' ? c.wk : NULL, doc_id);
			xml.len = 0; /* written */
		}
		if (rc == CG_OK && xml.len > 0)
			rc = cg__store_receipt_add(j->st, j->ctx, j->who->enterprise_id, doc_id,
						   cg__msgdef_by_type(j->m->def->type + 1)->root,
						   dd.status, xml.ptr, xml.len);
		cg_buf_dispose(&xml);
		cg__clearance_match_dispose(&im);
		doc_content_dispose(&c);
	}
	return rc;
}

/* The same guid again: the same answer for the same bytes, a conflict otherwise. */
static cg_rc
check_resubmission(struct job *j, bool *done)
{
	unsigned char sha[32];
	char *stored = NULL;
	cg_rc rc = cg__store_message_find(j->st, j->ctx, j->guid, sha, &stored);

	*done = false;
	if (rc == CG_ENOTFOUND)
		return CG_OK;
	if (rc != CG_OK)
		return rc;
	*done = true;
	if (memcmp(sha, j->sha, 32) == 0) {
		json_t *prev = json_loads(stored, 0, NULL);

		free(stored);
		if (prev == NULL)
			return CG_ENOMEM;
		json_decref(j->result);
		j->result = prev;
		return set_status(j, "duplicate", CG_OK, "already accepted: the answer is repeated");
	}
	free(stored);
	return set_status(j, "conflict", CG_ECONFLICT, "this guid was submitted with different content");
}

/*
 * A message is written whole or not at all: its own transaction, or inside a
 * batch a savepoint of the batch's one transaction (one commit, one fsync, for
 * all of them: that is how the store keeps up with thousands per second).
 */
static cg_rc
msg_begin(struct job *j)
{
	cg_db *db = cg__store_db(j->st);

	return j->batch ? cg_db_savepoint_whole(db, j->ctx) : cg_db_begin(db, j->ctx);
}

static cg_rc
msg_end(struct job *j, cg_rc rc)
{
	cg_db *db = cg__store_db(j->st);

	if (rc == CG_OK)
		return j->batch ? cg_db_release(db, j->ctx) : cg_db_commit(db, j->ctx);
	if (j->batch)
		cg_db_rollback_to(db);
	else
		cg_db_rollback(db);
	return rc;
}

/* The writes of an accepted message: its row, its documents and their receipts. */
static cg_rc
write_message(struct job *j)
{
	struct cg_store_message sm;
	json_t *docs = json_array();
	struct decision *pre = NULL;
	char *result = NULL;
	long long mid = 0;
	bool done, changed = false;
	cg_rc rc;

	if (docs == NULL)
		return CG_ENOMEM;
	/*
	 * The message row is inserted once, with its answer: the documents are
	 * decided first. Updating it after would rewrite its XML (the answer
	 * follows it in the row), so only an answer that changed meanwhile is.
	 * A guid already stored makes the insert write nothing (ON CONFLICT DO
	 * NOTHING), and nothing of the message was written before it: no
	 * look-up of the guid first.
	 */
	pre = calloc(j->m->ndocs > 0 ? j->m->ndocs : 1, sizeof(*pre));
	rc = pre != NULL ? set_status(j, "accepted", CG_OK, NULL) : CG_ENOMEM;
	if (rc == CG_OK)
		rc = predecide(j, pre, docs);
	if (rc == CG_OK && json_object_set(j->result, "documents", docs) != 0)
		rc = CG_ENOMEM;
	if (rc == CG_OK && (result = json_dumps(j->result, JSON_COMPACT)) == NULL)
		rc = CG_ENOMEM;
	sm = (struct cg_store_message){ j->guid, j->type, j->who->enterprise_id, j->sha, j->xml,
					j->len, result };
	if (rc == CG_OK)
		rc = cg__store_message_add(j->st, j->ctx, &sm, &mid);
	free(result);
	result = NULL;
	if (rc == CG_EEXIST) {
		/*
		 * The guid is known (resubmitted, or committed by another node meanwhile):
		 * the stored answer for the same bytes, a conflict otherwise. Only an
		 * authentic message gets here, and inside the write transaction, so two
		 * racing copies of one message see each other.
		 */
		json_decref(docs);
		free(pre);
		json_object_del(j->result, "documents"); /* as the answer was before any was decided */
		rc = check_resubmission(j, &done);
		return rc == CG_OK && !done ? cg__fail(j->ctx, CG_EDB, "message %s: not found again", j->guid) : rc;
	}
	if (rc == CG_OK)
		rc = write_docs(j, mid, pre, docs, &changed);
	if (rc == CG_OK && changed) {
		result = json_dumps(j->result, JSON_COMPACT);
		rc = result != NULL ? cg__store_message_result(j->st, j->ctx, mid, result) : CG_ENOMEM;
	}
	free(result);
	free(pre);
	json_decref(docs);
	return rc;
}

/* In a group: the writer's connection, code tables and settings (the sender's thread may be busy with them). */
static cg_rc
write_grouped(void *arg, cg_service *writer)
{
	struct job *j = arg;
	cg_service *own = j->svc;
	cg_rc rc;

	j->svc = writer;
	j->st = writer->st;
	rc = write_message(j);
	j->svc = own;
	j->st = own->st;
	return rc;
}

static void finish_queued(void *arg, cg_rc rc);

/*
 * Everything checks out: store it whole, in its own transaction or a group's.
 * A job of cg_service_submit_start() is handed to the writer thread: from
 * then on it is that thread's, and nothing here may touch it.
 */
static cg_rc
commit_message(struct job *j)
{
	cg_rc rc;

	if (j->queued != NULL && j->svc->committer != NULL) {
		bool *queued = j->queued;

		/*
		 * The parsed tree is not written (j->m holds copies): freed here, by the
		 * thread that allocated it, not by the serial writer.
		 */
		xmlFreeDoc(j->doc);
		j->doc = NULL;
		*queued = true;
		rc = cg__commit_queue(j->svc->committer, j->ctx, write_grouped, finish_queued, j);
		if (rc == CG_OK)
			return CG_OK;
		*queued = false; /* no writer thread (any more): written here, as below */
	}
	if (j->svc->committer != NULL) {
		return cg__commit_grouped(j->svc->committer, j->svc, j->ctx, write_grouped, j);
	}
	rc = msg_begin(j);
	return rc == CG_OK ? msg_end(j, write_message(j)) : rc;
}

/* CG3018: the certificate was revoked by the single window's operator on that day (UTC+8). */
static cg_rc
revoked_finding(cg_findings *f, long long when)
{
	time_t t = (time_t)(when + 8 * 3600);
	char day[16] = "", zh[160], en[160];
	struct tm tm;

	if (gmtime_r(&t, &tm) != NULL)
		(void)strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	(void)snprintf(zh, sizeof(zh), "签名证书已于%s被吊销，之后的签名不予接受", day);
	(void)snprintf(en, sizeof(en), "the signing certificate was revoked on %s: signatures made with "
		       "it are no longer accepted", day);
	return cg__finding_addf(f, "CG3018", CG_SEV_ERROR, "message", "", 0, 0, zh, en);
}

static cg_rc
verify_signature(struct job *j, bool *ok)
{
	/* The result is not shown: no SHA-256 of the canonical document unless the digest differs. */
	struct cg_sigcheck c = { j->svc->profiles, NULL, NULL, NULL, 0, 1, NULL, 0, NULL, NULL, NULL, 1 };
	struct cg_cached_cert *cached = NULL;
	cg_verify_result *res = calloc(1, sizeof(*res));
	char *serial = keyname_of(j->doc);
	long long revoked = 0;
	cg_rc rc = CG_OK;

	*ok = false;
	if (res == NULL) {
		free(serial);
		return CG_ENOMEM;
	}
	/* Looked up on every message, the cache notwithstanding: a revocation holds at once. */
	if (serial != NULL && cg__store_cert_revoked(j->svc->st, j->ctx, j->who->enterprise_id, serial,
						     &revoked) == CG_OK && revoked != 0) {
		rc = revoked_finding(j->f, revoked);
		free(serial);
		free(res);
		return rc;
	}
	if (serial != NULL)
		cached = registered_cert(j->svc, j->ctx, j->who->enterprise_id, serial);
	if (cached != NULL) {
		c.expected = cached->cert;
		c.sm2key = cached->sm2;
	}
	if (c.expected == NULL)
		rc = cg__finding_addf(j->f, serial == NULL ? "CG3001" : "CG3013", CG_SEV_ERROR, "message",
				      "", 0, 0, "未找到该企业登记的签名证书",
				      "no certificate registered for this enterprise has this serial");
	else
		rc = cg__sig_verify_doc(&c, j->ctx, j->doc, "message", j->f, res);
	*ok = rc == CG_OK && cg_findings_count_sev(j->f, CG_SEV_ERROR) == 0;
	free(serial);
	free(res);
	return rc;
}

/* A CEB900 format receipt for a message that could not be read as a declaration. */
static cg_rc
format_receipt(struct job *j, const char *info)
{
	const struct cg_msgdef *def = cg__msgdef_by_type(900);
	struct cg_msg *r = NULL;
	struct cg_decl *d;
	cg_buf xml = CG_BUF_INIT(0);
	char guid[40], when[32];
	const char *vals[7];
	uuid_t u;
	size_t i;
	cg_rc rc = cg__msg_new(&r, def);

	if (rc == CG_OK)
		rc = cg__msg_add_doc(r, &d);
	uuid_generate_random(u);
	uuid_unparse_upper(u, guid);
	cg__now17(when, sizeof(when));
	/* guid, returnStatus, returnInfo, returnTime, oriCopMsgId, oriMessageType, oriBizMessage */
	vals[0] = guid;
	vals[1] = "-1";
	vals[2] = info;
	vals[3] = when;
	vals[4] = "";
	vals[5] = j->type[0] != '\0' ? j->type : "Unknown";
	vals[6] = "";
	for (i = 0; i < 7 && rc == CG_OK; i++)
		rc = cg__group_set(&d->head, (int)i, vals[i], 0, 0);
	if (rc == CG_OK && ((r->guid = cg__strdup(guid)) == NULL || (r->version = cg__strdup("1.0")) == NULL))
		rc = CG_ENOMEM;
	if (rc == CG_OK)
		rc = cg__msg_to_xml(r, &xml);
	if (rc == CG_OK)
		rc = cg__store_receipt_add(j->st, j->ctx, j->who->enterprise_id, 0, def->root, "-1",
					   xml.ptr, xml.len);
	cg_buf_dispose(&xml);
	cg__msg_free(r);
	return rc;
}

/*
 * A refused message with more documents than this gets one receipt for all
 * of them: a hostile body of 5,000 orders must not store 5,000 receipts.
 */
#define REFUSAL_RECEIPTS_MAX 10

/*
 * Refused documents are answered like accepted ones: a receipt of their type,
 * negative, one per document up to REFUSAL_RECEIPTS_MAX; past that, one
 * receipt (of the first document) whose returnInfo counts them all.
 */
static cg_rc
rejection_receipts(struct job *j, const char *rs, const char *why)
{
	char info[300];
	size_t d, n;
	cg_rc rc = msg_begin(j);

	if (rc != CG_OK)
		return rc;
	(void)snprintf(info, sizeof(info), "%s[%s]", why, j->guid[0] != '\0' ? j->guid : "-");
	n = j->m != NULL ? j->m->ndocs : 0;
	if (n > REFUSAL_RECEIPTS_MAX) {
		char all[64];

		(void)snprintf(all, sizeof(all), " (all %zu documents of the message)", n);
		/* The guid in brackets stays last: it is what a reader of the receipt matches on. */
		(void)snprintf(info, sizeof(info), "%s%s[%s]", why, all, j->guid[0] != '\0' ? j->guid : "-");
		n = 1;
	}
	if (j->m == NULL || rs == NULL) {
		rc = format_receipt(j, info);
	} else {
		for (d = 0; d < n && rc == CG_OK; d++) {
			cg_buf xml = CG_BUF_INIT(0);

			rc = cg__receipt_build(j->m->def, &j->m->docs[d].head, 0, rs, info, &xml);
			if (rc == CG_OK)
				rc = cg__store_receipt_add(j->st, j->ctx, j->who->enterprise_id, 0,
							   cg__msgdef_by_type(j->m->def->type + 1)->root, rs,
							   xml.ptr, xml.len);
			cg_buf_dispose(&xml);
		}
	}
	return msg_end(j, rc);
}

static cg_rc
reject(struct job *j, const char *status, cg_rc outcome)
{
	const struct errcodes *ec = j->m != NULL ? codes_for(j->m->def->type) : NULL;
	const char *rs = ec == NULL ? NULL : outcome == CG_ESIG ? ec->signature : ec->invalid;
	cg_rc rc = set_status(j, "rejected", outcome, status);

	if (rc == CG_OK && rs != NULL && json_object_set_new(j->result, "returnStatus", json_string(rs)) != 0)
		rc = CG_ENOMEM;
	/* Only an enterprise whose message was at least read gets a receipt of the refusal. */
	if (rc == CG_OK && j->who->enterprise_id != 0)
		rc = rejection_receipts(j, rs, status);
	return rc == CG_OK ? add_findings(j) : rc;
}

static cg_rc
process(struct job *j)
{
	const char *copcode;
	bool ok;
	cg_rc rc;

	rc = cg__xml_parse_keep(&j->doc, &j->svc->xml_keep, j->ctx, j->xml, j->len, "message", j->f);
	if (rc == CG_EPARSE)
		return reject(j, "not a well-formed, safe XML document", CG_EINVAL);
	if (rc != CG_OK)
		return rc;
	rc = cg__validate_doc(j->svc->v, j->ctx, j->doc, "message", j->f, &j->m);
	if (rc != CG_OK)
		return rc;
	if (j->m == NULL || !j->m->def->declaration)
		return reject(j, "not a declaration", CG_EINVAL);
	(void)snprintf(j->guid, sizeof(j->guid), "%s", j->m->guid != NULL ? j->m->guid : "");
	(void)snprintf(j->type, sizeof(j->type), "%s", j->m->def->root);
	if (json_object_set_new(j->result, "guid", json_string(j->guid)) != 0 ||
	    json_object_set_new(j->result, "type", json_string(j->type)) != 0)
		return CG_ENOMEM;
	if (cg_findings_count_sev(j->f, CG_SEV_ERROR) > 0)
		return reject(j, "the message is not valid", CG_EINVAL);
	rc = verify_signature(j, &ok);
	if (rc != CG_OK)
		return rc;
	if (!ok)
		return reject(j, "the signature is not that of the sending enterprise", CG_ESIG);
	copcode = j->m->transfer.def != NULL ? cg__group_get(&j->m->transfer, "copCode") : NULL;
	if (copcode == NULL || strcmp(copcode, j->who->cop_code) != 0) {
		rc = cg__finding_addf(j->f, "CG3013", CG_SEV_ERROR, "message",
				      "/ceb:BaseTransfer/ceb:copCode", 0, 0, "传输企业与登录企业不符",
				      "BaseTransfer copCode is not the authenticated enterprise");
		return rc == CG_OK ? reject(j, "sender mismatch", CG_ESIG) : rc;
	}
	/*
	 * The writes need the model, not the tree: freed here, by the thread whose
	 * parser context's dictionary it shares, not by the writer thread.
	 */
	xmlFreeDoc(j->doc);
	j->doc = NULL;
	rc = j->queued != NULL ? make_forms(j) : CG_OK;
	return rc == CG_OK ? commit_message(j) : rc;
}

/* What cg_service_submit_start() hands over; the answer's text is made by cg_submit_result_take(). */
struct cg_submit_result {
	cg_rc rc;	     /* the call's, before a single message's refusal */
	cg_ctx *ctx;	     /* the caller's: the refusal's message */
	struct pending *p;   /* a single message, freed by take (this is its member), or NULL */
	json_t *results;     /* without p: each message's result, or NULL after a fault */
	int accepted, n;
	int batch;
	cg_rc outcome;	     /* a single message's: CG_OK, or the code of its refusal */
};

/* One message and what it holds until it is answered. */
struct pending {
	struct job j;
	cg_dxp_message env;
	cg_submit_done done; /* cg_service_submit_start()'s, or NULL */
	void *done_arg;
	struct cg_submit_result res;
};

/* A DxpMsg is unwrapped first; its SenderId must be the enterprise's DXP id. */
static cg_rc
check_one(struct pending *p)
{
	struct job *j = &p->j;
	char dxp[32];
	cg_rc rc = j->result != NULL ? cg_findings_new(&j->f) : CG_ENOMEM;

	if (rc == CG_OK && j->len > 7 && memmem(j->xml, j->len < 512 ? j->len : 512, "DxpMsg", 6) != NULL) {
		rc = cg_dxp_unwrap(j->svc->v, j->ctx, j->xml, j->len, "message", j->f, &p->env);
		if (rc == CG_OK && p->env.data == NULL)
			rc = reject(j, "the DxpMsg envelope is not valid", CG_EINVAL);
		else if (rc == CG_OK) {
			rc = cg__store_enterprise_dxp(j->svc->st, j->ctx, j->who->enterprise_id, dxp, sizeof(dxp));
			if (rc == CG_OK && dxp[0] != '\0' && strcmp(dxp, p->env.sender_id) != 0)
				rc = reject(j, "DxpMsg SenderId is not the enterprise's DXP id", CG_ESIG);
			else if (rc == CG_OK) {
				j->xml = p->env.data;
				j->len = p->env.data_len;
			}
		}
	}
	if (rc == CG_OK && !json_object_get(j->result, "status")) {
		(void)cg__digest(EVP_sha256(), j->xml, j->len, j->sha);
		rc = process(j);
	}
	return rc;
}

/* The message's answer (NULL after a fault) and outcome; what it held is freed. */
static void
settle_one(struct pending *p, cg_rc rc, json_t **out, cg_rc *outcome)
{
	*out = p->j.result;
	*outcome = p->j.outcome;
	xmlFreeDoc(p->j.doc);
	free_forms(&p->j);
	cg__msg_free(p->j.m);
	cg_findings_free(p->j.f);
	cg_dxp_message_dispose(&p->env);
	if (rc != CG_OK) {
		json_decref(p->j.result);
		*out = NULL;
	}
}

static void
pending_init(struct pending *p, cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *xml,
	     size_t len)
{
	memset(p, 0, sizeof(*p));
	p->j = (struct job){ 0, svc, svc->st, ctx, who, xml, len, NULL, NULL, NULL, "", "", { 0 },
			     json_object(), NULL, CG_OK, NULL };
}

static cg_rc
submit_one(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *xml, size_t len,
	   json_t **out, cg_rc *outcome)
{
	struct pending p;
	cg_rc rc;

	pending_init(&p, svc, ctx, who, xml, len);
	rc = check_one(&p);
	settle_one(&p, rc, out, outcome);
	return rc;
}

static cg_rc
answer(json_t *results, int accepted, int n, char **json)
{
	json_t *o = json_pack("{s:O, s:i, s:i}", "results", results, "accepted", accepted, "messages", n);

	*json = cg__json_text(o, JSON_INDENT(2));
	json_decref(o);
	return *json != NULL ? CG_OK : CG_ENOMEM;
}

/* Each message of the body, checked and written; the outcome in @p r, its text not made yet. */
static void
submit_all(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *body, size_t len,
	   int is_json, struct cg_submit_result *r)
{
	json_t *batch = NULL, *item, *msgs = NULL;
	size_t i;
	cg_rc rc = CG_OK;

	*r = (struct cg_submit_result){ CG_OK, ctx, NULL, json_array(), 0, 0, is_json, CG_OK };
	if (r->results == NULL) {
		r->rc = CG_ENOMEM;
		return;
	}
	if (who->role != CG_ROLE_ENTERPRISE) {
		r->rc = cg__fail(ctx, CG_EPERM, "only an enterprise's token may submit declarations");
		return;
	}
	if (is_json) {
		batch = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
		msgs = json_object_get(batch, "messages");
		if (!json_is_array(msgs) || json_array_size(msgs) == 0 || json_array_size(msgs) > 1000) {
			json_decref(batch);
			r->rc = cg__fail(ctx, CG_EINVAL, "a batch is {\"messages\": [\"<xml>\", ...]} with 1 to 1000 messages");
			return;
		}
	}
	/*
	 * Each message of a batch has its own transaction: holding one across the
	 * whole batch would keep the write lock while messages are still being
	 * parsed and verified (measured: other clients' p99 went from 2 ms to 0.6 s,
	 * and "database is locked" under load). Group commit with the checks done
	 * before the lock is the way to fewer fsyncs.
	 */
	for (i = 0; rc == CG_OK && i < (is_json ? json_array_size(msgs) : 1); i++) {
		const char *x = is_json ? json_string_value(json_array_get(msgs, i)) : body;
		size_t xl = is_json ? (x != NULL ? strlen(x) : 0) : len;
		cg_rc outcome = CG_EINVAL;

		item = NULL;
		if (x != NULL)
			rc = submit_one(svc, ctx, who, x, xl, &item, &outcome);
		else
			item = json_pack("{s:s, s:s}", "status", "rejected", "reason", "not a string");
		if (rc == CG_OK && (item == NULL || json_array_append_new(r->results, item) != 0))
			rc = CG_ENOMEM;
		r->n++;
		r->accepted += outcome == CG_OK;
		r->outcome = outcome;
	}
	json_decref(batch);
	r->rc = rc;
}

/* The answer's text and the call's code (a single message's refusal is the call's); @p r is left to free. */
static cg_rc
result_text(struct cg_submit_result *r, char **json)
{
	cg_rc rc = r->rc;

	*json = NULL;
	if (rc == CG_OK && r->results != NULL)
		rc = answer(r->results, r->accepted, r->n, json);
	else if (rc == CG_OK)
		rc = CG_ENOMEM;
	if (rc != CG_OK || r->batch || r->outcome == CG_OK)
		return rc;
	(void)cg__fail(r->ctx, r->outcome, "the message was refused: the answer says why");
	return r->outcome;
}

/* The refusal of a single message is the call's answer: CG_OK only when it was accepted or repeated. */
cg_rc
cg_service_submit(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *body,
		  size_t len, int is_json, char **json)
{
	struct cg_submit_result r;
	cg_rc rc;

	submit_all(svc, ctx, who, body, len, is_json, &r);
	rc = result_text(&r, json);
	json_decref(r.results);
	return rc;
}

/* A single message's result, whichever thread asks: its job's own, not a copy. */
static json_t *
result_item(const cg_submit_result *r, size_t i)
{
	if (r->p != NULL)
		return r->rc == CG_OK && i == 0 ? r->p->j.result : NULL;
	return json_array_get(r->results, i);
}

size_t
cg_submit_result_count(const cg_submit_result *r)
{
	if (r == NULL)
		return 0;
	if (r->p != NULL)
		return r->rc == CG_OK;
	return r->rc == CG_OK ? json_array_size(r->results) : 0;
}

void
cg_submit_result_message(const cg_submit_result *r, size_t i, const char **type, const char **status)
{
	json_t *item = r != NULL ? result_item(r, i) : NULL;

	*type = json_string_value(json_object_get(item, "type"));
	*status = json_string_value(json_object_get(item, "status"));
}

cg_rc
cg_submit_result_take(cg_submit_result *r, char **json)
{
	struct pending *p;
	json_t *item = NULL;
	cg_rc rc;

	*json = NULL;
	if (r == NULL)
		return CG_ENOMEM;
	p = r->p;
	if (p != NULL) {
		/* A single message: what it held is freed here, not by the writer thread. */
		settle_one(p, r->rc, &item, &r->outcome);
		r->n = 1;
		r->accepted = r->outcome == CG_OK;
		r->results = r->rc == CG_OK ? json_array() : NULL;
		if (r->rc == CG_OK && (r->results == NULL || json_array_append_new(r->results, item) != 0)) {
			if (r->results == NULL)
				json_decref(item);
			r->rc = CG_ENOMEM;
		}
	}
	rc = result_text(r, json);
	json_decref(r->results);
	free(p != NULL ? (void *)p : (void *)r);
	return rc;
}

/* A single message's outcome, to the caller of cg_service_submit_start(); nothing is freed or made into text here. */
static void
hand_over(struct pending *p, cg_rc rc)
{
	p->res = (struct cg_submit_result){ rc, p->j.ctx, p, NULL, 0, 1, 0, CG_OK };
	p->done(p->done_arg, &p->res);
}

/* The writer thread: the message's group committed (or failed). */
static void
finish_queued(void *arg, cg_rc rc)
{
	hand_over(arg, rc); /* the job is the first member of its struct pending */
}

void
cg_service_submit_start(cg_service *svc, cg_ctx *ctx, const cg_principal *who, const char *body,
			size_t len, int is_json, cg_submit_done done, void *arg)
{
	struct pending *p = NULL;
	bool queued = false;
	cg_rc rc;

	/* A batch, a caller that may not submit, or no writer thread: all of it here. */
	if (is_json || who->role != CG_ROLE_ENTERPRISE || svc->committer == NULL ||
	    !cg__committer_running(svc->committer) || (p = malloc(sizeof(*p))) == NULL) {
		cg_submit_result *r = malloc(sizeof(*r));

		if (r != NULL)
			submit_all(svc, ctx, who, body, len, is_json, r);
		done(arg, r);
		return;
	}
	pending_init(p, svc, ctx, who, body, len);
	p->done = done;
	p->done_arg = arg;
	p->j.queued = &queued;
	rc = check_one(p);
	if (queued)
		return; /* p is the writer thread's now */
	hand_over(p, rc);
}

struct rcpt_out {
	json_t *arr;
	long long last;
};

static cg_rc
add_receipt(void *payload, long long cursor, const char *type, const char *status, const char *xml,
	    size_t len, long long created)
{
	struct rcpt_out *o = payload;
	json_t *r = json_pack("{s:I, s:s, s:s, s:I, s:s%}", "cursor", (json_int_t)cursor, "type", type,
			      "returnStatus", status, "created", (json_int_t)created, "xml", xml, len);

	o->last = cursor;
	return r != NULL && json_array_append_new(o->arr, r) == 0 ? CG_OK : CG_ENOMEM;
}

cg_rc
cg_service_receipts(cg_service *svc, cg_ctx *ctx, const cg_principal *who, long long after,
		    int limit, char **json, int *count)
{
	struct rcpt_out o = { json_array(), after };
	json_t *root;
	cg_rc rc;

	*json = NULL;
	*count = 0;
	if (o.arr == NULL)
		return CG_ENOMEM;
	/* Only an enterprise's own receipts: nobody reads another's feedback. */
	rc = who->enterprise_id != 0
		     ? cg__store_receipts(svc->st, ctx, who->enterprise_id, after, limit, add_receipt, &o)
		     : CG_OK;
	*count = (int)json_array_size(o.arr);
	root = rc == CG_OK ? json_pack("{s:O, s:I}", "receipts", o.arr, "next", (json_int_t)o.last) : NULL;
	json_decref(o.arr);
	if (rc != CG_OK)
		return rc;
	cg__json_times(root);
	*json = cg__json_text(root, JSON_INDENT(2));
	json_decref(root);
	return *json != NULL ? CG_OK : CG_ENOMEM;
}
