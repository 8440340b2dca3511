/* SPDX-License-Identifier: MIT */
/*
 * Storage of the single window: the schema and its migrations, opening, and
 * the messages, documents and receipts of the submissions (cg_service_*).
 * The registry of enterprises, users and tokens is store_accounts.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "window/store.h"
#include "window/store_internal.h"

/*
 * Each migration runs once, in order, inside one transaction; never edit one
 * that shipped. SQLite's types (INTEGER PRIMARY KEY, BLOB, AUTOINCREMENT) and
 * its trigger syntax are SQLite-only: PostgreSQL has its own steps below.
 */
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
	/*
	 * 5: access that can be taken back: a token's visible prefix and expiry,
	 * disabled users and enterprises, revoked certificates (the time, NULL in force).
	 */
	"ALTER TABLE token ADD COLUMN prefix TEXT;"
	"ALTER TABLE token ADD COLUMN expires INTEGER;"
	"ALTER TABLE user ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE enterprise ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE certificate ADD COLUMN revoked INTEGER;"
	"CREATE INDEX token_by_prefix ON token(prefix);",
	/* 6: when a token was last used (to the minute: written at most once a minute). */
	"ALTER TABLE token ADD COLUMN last_used INTEGER;",
	/*
	 * 7: pushed receipts: each endpoint follows its enterprise's receipt feed
	 * from feed_pos (the cursor of the last receipt it acknowledged);
	 * next_at and lease_until are milliseconds; the attempts of each delivery.
	 */
	"CREATE TABLE webhook("
	" id INTEGER PRIMARY KEY, enterprise_id INTEGER NOT NULL REFERENCES enterprise(id),"
	" url TEXT NOT NULL, secret TEXT NOT NULL, feed_pos INTEGER NOT NULL,"
	" state TEXT NOT NULL CHECK(state IN ('active','dead','removed')),"
	" attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL DEFAULT 0,"
	" lease_until INTEGER NOT NULL DEFAULT 0, delivered INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT, created INTEGER NOT NULL);"
	"CREATE INDEX webhook_due ON webhook(state, next_at);"
	"CREATE TABLE webhook_delivery("
	" id INTEGER PRIMARY KEY, webhook_id INTEGER NOT NULL REFERENCES webhook(id),"
	" receipt_id INTEGER NOT NULL, attempt INTEGER NOT NULL, at INTEGER NOT NULL,"
	" status INTEGER NOT NULL, outcome TEXT NOT NULL, error TEXT);"
	"CREATE INDEX webhook_delivery_by_hook ON webhook_delivery(webhook_id, id);",
	/*
	 * 8: electronic tax bills (CEB816/818, taxbill.c) and the 179 payment-data
	 * requests (pay179.c), with the URL each platform registered for them.
	 */
	"CREATE TABLE tax_bill("
	" id INTEGER PRIMARY KEY, tax_no TEXT NOT NULL UNIQUE,"
	" document_id INTEGER NOT NULL UNIQUE REFERENCES document(id),"
	" enterprise_id INTEGER NOT NULL REFERENCES enterprise(id), invt_no TEXT NOT NULL,"
	" assure_code TEXT NOT NULL, ebc_code TEXT NOT NULL, customs_tax TEXT NOT NULL,"
	" vat TEXT NOT NULL, consumption_tax TEXT NOT NULL, status TEXT NOT NULL,"
	" basis TEXT NOT NULL, lines TEXT NOT NULL, month TEXT NOT NULL, issued INTEGER NOT NULL,"
	" released INTEGER NOT NULL, updated INTEGER NOT NULL);"
	"CREATE INDEX tax_bill_by_invt ON tax_bill(invt_no);"
	"CREATE INDEX tax_bill_by_month ON tax_bill(month, id);"
	"CREATE TABLE pay179("
	" id INTEGER PRIMARY KEY, session_id TEXT NOT NULL UNIQUE,"
	" document_id INTEGER NOT NULL REFERENCES document(id), order_no TEXT NOT NULL,"
	" ebp_code TEXT NOT NULL, state TEXT NOT NULL, reason TEXT, actor TEXT NOT NULL,"
	" requested INTEGER NOT NULL, answered INTEGER, data TEXT);"
	"CREATE INDEX pay179_by_document ON pay179(document_id, id);"
	"CREATE INDEX pay179_by_state ON pay179(state, id);"
	"ALTER TABLE enterprise ADD COLUMN pay179_url TEXT;",
	/*
	 * 9: several writers at once (docs/postgresql.md, "Several nodes"): each
	 * enterprise's receipt feed numbered in commit order (seq, the cursor; the
	 * receipts before this step keep their id as it), and the audit trail in
	 * several chains (chain 0: the one before this step, then the anchors).
	 */
	"ALTER TABLE receipt ADD COLUMN seq INTEGER;"
	"UPDATE receipt SET seq = id;"
	"CREATE UNIQUE INDEX receipt_feed ON receipt(enterprise_id, seq);"
	"CREATE INDEX receipt_unnumbered ON receipt(id) WHERE seq IS NULL;"
	"CREATE TABLE feed(enterprise_id INTEGER PRIMARY KEY REFERENCES enterprise(id),"
	" last INTEGER NOT NULL);"
	"INSERT INTO feed(enterprise_id, last) SELECT enterprise_id, max(id) FROM receipt"
	" GROUP BY enterprise_id;"
	"ALTER TABLE audit ADD COLUMN chain INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX audit_by_chain ON audit(chain, id);",
	/*
	 * 10: the customs side of exports (docs/export.md): an export inventory's
	 * customs number (invt_no) and its receipt-of-payment key (link_key,
	 * ebcCode|orderNo), and what happened to a parcel (a waybill key) on a
	 * master/house list (607), an arrival (507) or a departure (509), kept
	 * even when its inventory is not there yet or not concluded.
	 */
	"ALTER TABLE document ADD COLUMN invt_no TEXT;"
	"ALTER TABLE document ADD COLUMN link_key TEXT;"
	"CREATE INDEX document_by_invt ON document(kind, invt_no);"
	"CREATE INDEX document_by_link ON document(kind, link_key);"
	"CREATE TABLE parcel_event(id INTEGER PRIMARY KEY, waybill_key TEXT NOT NULL,"
	" kind INTEGER NOT NULL, document_id INTEGER NOT NULL REFERENCES document(id),"
	" created INTEGER NOT NULL);"
	"CREATE INDEX parcel_event_by_key ON parcel_event(waybill_key, kind);",
	/*
	 * 11: the summary declaration of exports (export_summary.c): each
	 * application accepted, its generated declarations, and each inventory
	 * summarised, once only (its primary key); export returns and their
	 * quantities (export_return.c).
	 */
	"CREATE TABLE export_summary("
	" id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL UNIQUE REFERENCES document(id),"
	" enterprise_id INTEGER NOT NULL REFERENCES enterprise(id), sum_no TEXT NOT NULL UNIQUE,"
	" ebc_code TEXT NOT NULL, declarations INTEGER NOT NULL, created INTEGER NOT NULL);"
	"CREATE TABLE export_summary_decl("
	" id INTEGER PRIMARY KEY, summary_id INTEGER NOT NULL REFERENCES export_summary(id),"
	" decl_seq_no TEXT UNIQUE, gross_weight TEXT NOT NULL, net_weight TEXT NOT NULL,"
	" dec_state TEXT NOT NULL, entry_id TEXT, lines INTEGER NOT NULL, created INTEGER NOT NULL);"
	"CREATE INDEX export_summary_decl_by_summary ON export_summary_decl(summary_id);"
	"CREATE TABLE export_summary_invt("
	" document_id INTEGER PRIMARY KEY REFERENCES document(id),"
	" summary_id INTEGER NOT NULL REFERENCES export_summary(id),"
	" decl_id INTEGER NOT NULL REFERENCES export_summary_decl(id));"
	"CREATE TABLE export_return("
	" id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL UNIQUE REFERENCES document(id),"
	" inventory_id INTEGER NOT NULL REFERENCES document(id), invt_no TEXT NOT NULL,"
	" logistics_code TEXT NOT NULL, logistics_no TEXT NOT NULL, bill_no TEXT NOT NULL,"
	" state TEXT NOT NULL CHECK(state IN ('approved','tallied')),"
	" tally_id INTEGER REFERENCES document(id), created INTEGER NOT NULL, updated INTEGER NOT NULL);"
	"CREATE INDEX export_return_by_waybill ON export_return(logistics_code, logistics_no);"
	"CREATE INDEX export_return_by_inventory ON export_return(inventory_id);"
	"CREATE INDEX export_return_by_tally ON export_return(tally_id);"
	"CREATE TABLE export_return_line("
	" return_id INTEGER NOT NULL REFERENCES export_return(id), seq INTEGER NOT NULL,"
	" gnum INTEGER NOT NULL, qty TEXT NOT NULL, qty1 TEXT NOT NULL, qty2 TEXT NOT NULL,"
	" PRIMARY KEY(return_id, seq));",
	/*
	 * 12: the later facts of a customs declaration generated by a summary
	 * (summary_results.c): its e-port numbers, and when an officer last
	 * recorded them (entry_id and dec_state are step 11's).
	 */
	"ALTER TABLE export_summary_decl ADD COLUMN dec_tmp_no TEXT;"
	"ALTER TABLE export_summary_decl ADD COLUMN dec_pre_no TEXT;"
	"ALTER TABLE export_summary_decl ADD COLUMN updated INTEGER;",
	/*
	 * 13: what the once-a-second sweep looks for, found by index: the
	 * inventories past their match timeout (document by kind, state and
	 * created, which serves every use of the (kind, state) index it
	 * replaces) and the tax bills past their return period.
	 */
	"CREATE INDEX document_due ON document(kind, state, created);"
	"DROP INDEX document_by_state;"
	"CREATE INDEX tax_bill_due ON tax_bill(status, released);",
	/*
	 * 14: the access generation, one number bumped by every change of a
	 * token, user or enterprise (any process, any node), so the token check
	 * may remember who holds a token while the number stays (store_accounts.c).
	 * A token's last use moving forward is the check's own write, and not a
	 * change of who holds it.
	 */
	"CREATE TABLE access_generation(id INTEGER PRIMARY KEY CHECK(id = 1), n INTEGER NOT NULL);"
	"INSERT INTO access_generation(id, n) VALUES(1, 0);"
	"CREATE TRIGGER access_token_u AFTER UPDATE OF hash, enterprise_id, user_id, created, revoked,"
	" expires, prefix ON token BEGIN UPDATE access_generation SET n = n + 1 WHERE id = 1; END;"
	"CREATE TRIGGER access_token_used AFTER UPDATE OF last_used ON token"
	" WHEN NEW.last_used IS NULL OR NEW.last_used < OLD.last_used"
	" BEGIN UPDATE access_generation SET n = n + 1 WHERE id = 1; END;"
	"CREATE TRIGGER access_token_d AFTER DELETE ON token"
	" BEGIN UPDATE access_generation SET n = n + 1 WHERE id = 1; END;"
	"CREATE TRIGGER access_user_u AFTER UPDATE ON user"
	" BEGIN UPDATE access_generation SET n = n + 1 WHERE id = 1; END;"
	"CREATE TRIGGER access_user_d AFTER DELETE ON user"
	" BEGIN UPDATE access_generation SET n = n + 1 WHERE id = 1; END;"
	"CREATE TRIGGER access_enterprise_u AFTER UPDATE ON enterprise"
	" BEGIN UPDATE access_generation SET n = n + 1 WHERE id = 1; END;"
	"CREATE TRIGGER access_enterprise_d AFTER DELETE ON enterprise"
	" BEGIN UPDATE access_generation SET n = n + 1 WHERE id = 1; END;",
};

/*
 * The same schema on PostgreSQL, step for step (docs/postgresql.md): ids
 * from identities, bytea for blobs, bigint for every integer, "user" quoted,
 * the audit trail append-only through a trigger function (TRUNCATE too).
 */
#define PG_ID "id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
static const char *const pg_migrations[] = {
	/* 1: the registry */
	"CREATE TABLE enterprise(" PG_ID ", cop_code text NOT NULL UNIQUE, name text NOT NULL,"
	" roles text NOT NULL, dxp_id text, created bigint NOT NULL);"
	"CREATE TABLE certificate(" PG_ID ","
	" enterprise_id bigint NOT NULL REFERENCES enterprise(id), serial text NOT NULL,"
	" der bytea NOT NULL, not_after bigint NOT NULL, created bigint NOT NULL,"
	" UNIQUE(enterprise_id, serial));"
	"CREATE TABLE \"user\"(" PG_ID ", name text NOT NULL UNIQUE,"
	" role text NOT NULL CHECK(role IN ('officer','admin','merchant','logistics')),"
	" enterprise_id bigint REFERENCES enterprise(id), pw_hash text NOT NULL,"
	" created bigint NOT NULL,"
	" CHECK((role IN ('merchant','logistics')) = (enterprise_id IS NOT NULL)));"
	"CREATE TABLE token(" PG_ID ", hash bytea NOT NULL UNIQUE,"
	" enterprise_id bigint REFERENCES enterprise(id), user_id bigint REFERENCES \"user\"(id),"
	" created bigint NOT NULL, revoked bigint NOT NULL DEFAULT 0,"
	" CHECK((enterprise_id IS NULL) <> (user_id IS NULL)));",
	/* 2: one submission and one feedback */
	"CREATE TABLE message(" PG_ID ", guid text NOT NULL UNIQUE, msg_type text NOT NULL,"
	" sender_id bigint NOT NULL REFERENCES enterprise(id), sha256 bytea NOT NULL,"
	" xml bytea NOT NULL, result text NOT NULL, received bigint NOT NULL);"
	"CREATE TABLE document(" PG_ID ", message_id bigint NOT NULL REFERENCES message(id),"
	" kind bigint NOT NULL, key1 text NOT NULL, key2 text NOT NULL, app_type text NOT NULL,"
	" state text NOT NULL, sender_id bigint NOT NULL REFERENCES enterprise(id),"
	" updated bigint NOT NULL, UNIQUE(kind, key1, key2));"
	"CREATE TABLE receipt(" PG_ID ","
	" enterprise_id bigint NOT NULL REFERENCES enterprise(id),"
	" document_id bigint REFERENCES document(id), msg_type text NOT NULL,"
	" return_status text NOT NULL, xml bytea NOT NULL, created bigint NOT NULL);"
	"CREATE INDEX receipt_by_enterprise ON receipt(enterprise_id, id);",
	/* 3: clearance: matching, quota, review queue, audit trail */
	"ALTER TABLE document ADD COLUMN data text NOT NULL DEFAULT '{}';"
	"ALTER TABLE document ADD COLUMN order_key text;"
	"ALTER TABLE document ADD COLUMN waybill_key text;"
	"ALTER TABLE document ADD COLUMN reason text;"
	"ALTER TABLE document ADD COLUMN created bigint NOT NULL DEFAULT 0;"
	"CREATE INDEX document_by_order ON document(kind, order_key);"
	"CREATE INDEX document_by_waybill ON document(kind, waybill_key);"
	"CREATE INDEX document_by_state ON document(kind, state);"
	"CREATE TABLE quota(buyer bytea NOT NULL, year bigint NOT NULL, used bigint NOT NULL,"
	" PRIMARY KEY(buyer, year));"
	"CREATE TABLE review("
	" document_id bigint PRIMARY KEY REFERENCES document(id), reason text NOT NULL,"
	" priority bigint NOT NULL, state text NOT NULL, claimed_by bigint REFERENCES \"user\"(id),"
	" lease_until bigint, decision text, decision_reason text, decided_by bigint,"
	" decided_at bigint, created bigint NOT NULL);"
	"CREATE INDEX review_queue ON review(state, priority, created);"
	"CREATE TABLE audit(" PG_ID ", at bigint NOT NULL, actor text NOT NULL,"
	" action text NOT NULL, document_id bigint, detail text NOT NULL, prev bytea NOT NULL,"
	" hash bytea NOT NULL);"
	"CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS"
	" 'BEGIN RAISE EXCEPTION ''the audit trail is append-only''; END';"
	"CREATE TRIGGER audit_append_only_ud BEFORE UPDATE OR DELETE ON audit"
	" FOR EACH ROW EXECUTE FUNCTION audit_append_only();"
	"CREATE TRIGGER audit_append_only_t BEFORE TRUNCATE ON audit"
	" FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();",
	/* 4: merchant uploads and custodial signing keys */
	"CREATE TABLE upload(" PG_ID ", enterprise_id bigint NOT NULL REFERENCES enterprise(id),"
	" actor text NOT NULL, name text NOT NULL, sha256 text NOT NULL, size bigint NOT NULL,"
	" path text NOT NULL, state text NOT NULL, records bigint NOT NULL DEFAULT 0,"
	" valid bigint NOT NULL DEFAULT 0, invalid bigint NOT NULL DEFAULT 0,"
	" findings text NOT NULL DEFAULT '[]', changes text NOT NULL DEFAULT '[]',"
	" created bigint NOT NULL);"
	"CREATE INDEX upload_by_enterprise ON upload(enterprise_id, id);"
	"CREATE TABLE upload_item("
	" upload_id bigint NOT NULL REFERENCES upload(id), seq bigint NOT NULL,"
	" name text NOT NULL, xml bytea NOT NULL, signed bytea, result text,"
	" PRIMARY KEY(upload_id, seq));"
	"CREATE TABLE custody("
	" enterprise_id bigint PRIMARY KEY REFERENCES enterprise(id), key_spec text NOT NULL,"
	" cert_path text NOT NULL, serial text NOT NULL, created bigint NOT NULL);"
	"CREATE TABLE upload_profile("
	" enterprise_id bigint NOT NULL REFERENCES enterprise(id), name text NOT NULL,"
	" text text NOT NULL, updated bigint NOT NULL, PRIMARY KEY(enterprise_id, name));",
	/* 5: access that can be taken back */
	"ALTER TABLE token ADD COLUMN prefix text;"
	"ALTER TABLE token ADD COLUMN expires bigint;"
	"ALTER TABLE \"user\" ADD COLUMN disabled bigint NOT NULL DEFAULT 0;"
	"ALTER TABLE enterprise ADD COLUMN disabled bigint NOT NULL DEFAULT 0;"
	"ALTER TABLE certificate ADD COLUMN revoked bigint;"
	"CREATE INDEX token_by_prefix ON token(prefix);",
	/* 6: when a token was last used */
	"ALTER TABLE token ADD COLUMN last_used bigint;",
	/* 7: pushed receipts */
	"CREATE TABLE webhook(" PG_ID ", enterprise_id bigint NOT NULL REFERENCES enterprise(id),"
	" url text NOT NULL, secret text NOT NULL, feed_pos bigint NOT NULL,"
	" state text NOT NULL CHECK(state IN ('active','dead','removed')),"
	" attempts bigint NOT NULL DEFAULT 0, next_at bigint NOT NULL DEFAULT 0,"
	" lease_until bigint NOT NULL DEFAULT 0, delivered bigint NOT NULL DEFAULT 0,"
	" last_error text, created bigint NOT NULL);"
	"CREATE INDEX webhook_due ON webhook(state, next_at);"
	"CREATE TABLE webhook_delivery(" PG_ID ", webhook_id bigint NOT NULL REFERENCES webhook(id),"
	" receipt_id bigint NOT NULL, attempt bigint NOT NULL, at bigint NOT NULL,"
	" status bigint NOT NULL, outcome text NOT NULL, error text);"
	"CREATE INDEX webhook_delivery_by_hook ON webhook_delivery(webhook_id, id);",
	/* 8: electronic tax bills and the 179 payment-data requests */
	"CREATE TABLE tax_bill(" PG_ID ", tax_no text NOT NULL UNIQUE,"
	" document_id bigint NOT NULL UNIQUE REFERENCES document(id),"
	" enterprise_id bigint NOT NULL REFERENCES enterprise(id), invt_no text NOT NULL,"
	" assure_code text NOT NULL, ebc_code text NOT NULL, customs_tax text NOT NULL,"
	" vat text NOT NULL, consumption_tax text NOT NULL, status text NOT NULL,"
	" basis text NOT NULL, lines text NOT NULL, month text NOT NULL, issued bigint NOT NULL,"
	" released bigint NOT NULL, updated bigint NOT NULL);"
	"CREATE INDEX tax_bill_by_invt ON tax_bill(invt_no);"
	"CREATE INDEX tax_bill_by_month ON tax_bill(month, id);"
	"CREATE TABLE pay179(" PG_ID ", session_id text NOT NULL UNIQUE,"
	" document_id bigint NOT NULL REFERENCES document(id), order_no text NOT NULL,"
	" ebp_code text NOT NULL, state text NOT NULL, reason text, actor text NOT NULL,"
	" requested bigint NOT NULL, answered bigint, data text);"
	"CREATE INDEX pay179_by_document ON pay179(document_id, id);"
	"CREATE INDEX pay179_by_state ON pay179(state, id);"
	"ALTER TABLE enterprise ADD COLUMN pay179_url text;",
	/* 9: several writers at once */
	"ALTER TABLE receipt ADD COLUMN seq bigint;"
	"UPDATE receipt SET seq = id;"
	"CREATE UNIQUE INDEX receipt_feed ON receipt(enterprise_id, seq);"
	"CREATE INDEX receipt_unnumbered ON receipt(id) WHERE seq IS NULL;"
	"CREATE TABLE feed(enterprise_id bigint PRIMARY KEY REFERENCES enterprise(id),"
	" last bigint NOT NULL);"
	"INSERT INTO feed(enterprise_id, last) SELECT enterprise_id, max(id) FROM receipt"
	" GROUP BY enterprise_id;"
	"ALTER TABLE audit ADD COLUMN chain bigint NOT NULL DEFAULT 0;"
	"CREATE INDEX audit_by_chain ON audit(chain, id);",
	/* 10: the customs side of exports */
	"ALTER TABLE document ADD COLUMN invt_no text;"
	"ALTER TABLE document ADD COLUMN link_key text;"
	"CREATE INDEX document_by_invt ON document(kind, invt_no);"
	"CREATE INDEX document_by_link ON document(kind, link_key);"
	"CREATE TABLE parcel_event(" PG_ID ", waybill_key text NOT NULL,"
	" kind bigint NOT NULL, document_id bigint NOT NULL REFERENCES document(id),"
	" created bigint NOT NULL);"
	"CREATE INDEX parcel_event_by_key ON parcel_event(waybill_key, kind);",
	/* 11: the summary declaration and returns of exports */
	"CREATE TABLE export_summary(" PG_ID ","
	" document_id bigint NOT NULL UNIQUE REFERENCES document(id),"
	" enterprise_id bigint NOT NULL REFERENCES enterprise(id), sum_no text NOT NULL UNIQUE,"
	" ebc_code text NOT NULL, declarations bigint NOT NULL, created bigint NOT NULL);"
	"CREATE TABLE export_summary_decl(" PG_ID ","
	" summary_id bigint NOT NULL REFERENCES export_summary(id),"
	" decl_seq_no text UNIQUE, gross_weight text NOT NULL, net_weight text NOT NULL,"
	" dec_state text NOT NULL, entry_id text, lines bigint NOT NULL, created bigint NOT NULL);"
	"CREATE INDEX export_summary_decl_by_summary ON export_summary_decl(summary_id);"
	"CREATE TABLE export_summary_invt("
	" document_id bigint PRIMARY KEY REFERENCES document(id),"
	" summary_id bigint NOT NULL REFERENCES export_summary(id),"
	" decl_id bigint NOT NULL REFERENCES export_summary_decl(id));"
	"CREATE TABLE export_return(" PG_ID ","
	" document_id bigint NOT NULL UNIQUE REFERENCES document(id),"
	" inventory_id bigint NOT NULL REFERENCES document(id), invt_no text NOT NULL,"
	" logistics_code text NOT NULL, logistics_no text NOT NULL, bill_no text NOT NULL,"
	" state text NOT NULL CHECK(state IN ('approved','tallied')),"
	" tally_id bigint REFERENCES document(id), created bigint NOT NULL, updated bigint NOT NULL);"
	"CREATE INDEX export_return_by_waybill ON export_return(logistics_code, logistics_no);"
	"CREATE INDEX export_return_by_inventory ON export_return(inventory_id);"
	"CREATE INDEX export_return_by_tally ON export_return(tally_id);"
	"CREATE TABLE export_return_line("
	" return_id bigint NOT NULL REFERENCES export_return(id), seq bigint NOT NULL,"
	" gnum bigint NOT NULL, qty text NOT NULL, qty1 text NOT NULL, qty2 text NOT NULL,"
	" PRIMARY KEY(return_id, seq));",
	/* 12: the later facts of a summary's customs declaration */
	"ALTER TABLE export_summary_decl ADD COLUMN dec_tmp_no text;"
	"ALTER TABLE export_summary_decl ADD COLUMN dec_pre_no text;"
	"ALTER TABLE export_summary_decl ADD COLUMN updated bigint;",
	/* 13: the sweep's inventories and tax bills due, by index */
	"CREATE INDEX document_due ON document(kind, state, created);"
	"DROP INDEX document_by_state;"
	"CREATE INDEX tax_bill_due ON tax_bill(status, released);",
	/* 14: the access generation (a statement's changes bump it once) */
	"CREATE TABLE access_generation(id bigint PRIMARY KEY CHECK(id = 1), n bigint NOT NULL);"
	"INSERT INTO access_generation(id, n) VALUES(1, 0);"
	"CREATE FUNCTION access_changed() RETURNS trigger LANGUAGE plpgsql AS"
	" 'BEGIN UPDATE access_generation SET n = n + 1 WHERE id = 1; RETURN NULL; END';"
	"CREATE TRIGGER access_token_u AFTER UPDATE OF hash, enterprise_id, user_id, created, revoked,"
	" expires, prefix OR DELETE OR TRUNCATE ON token FOR EACH STATEMENT EXECUTE FUNCTION access_changed();"
	"CREATE TRIGGER access_token_used AFTER UPDATE OF last_used ON token FOR EACH ROW"
	" WHEN (NEW.last_used IS NULL OR NEW.last_used < OLD.last_used)"
	" EXECUTE FUNCTION access_changed();"
	"CREATE TRIGGER access_user_u AFTER UPDATE OR DELETE OR TRUNCATE ON \"user\""
	" FOR EACH STATEMENT EXECUTE FUNCTION access_changed();"
	"CREATE TRIGGER access_enterprise_u AFTER UPDATE OR DELETE OR TRUNCATE ON enterprise"
	" FOR EACH STATEMENT EXECUTE FUNCTION access_changed();",
};
#undef PG_ID
CG_DB_SCHEMA_PG(store_schema, "database", migrations, pg_migrations);

enum {
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
	Q_CERT_REVOKED,
	Q_FEED_PENDING,
	Q_FEED_TAKE,
	Q_FEED_NUMBER,
	Q_COUNT
};

static const char *const sql[Q_COUNT] = {
	[Q_CERT] = "SELECT der FROM certificate WHERE enterprise_id = $1 AND serial = $2",
	[Q_MSG_FIND] = "SELECT sha256, result FROM message WHERE guid = $1",
	/* A known guid inserts nothing (and raises no error): cg__store_message_add answers CG_EEXIST. */
	[Q_MSG_ADD] = "INSERT INTO message(guid, msg_type, sender_id, sha256, xml, result, received)"
		      " VALUES($1, $2, $3, $4, $5, $6, $7) ON CONFLICT(guid) DO NOTHING",
	[Q_DOC_FIND] = "SELECT id, state, sender_id FROM document WHERE kind = $1 AND key1 = $2 AND key2 = $3",
	/* A document is written once with its content: its data and keys are not a second write. */
	[Q_DOC_ADD] = "INSERT INTO document(message_id, kind, key1, key2, app_type, state, sender_id,"
		      " updated, data, order_key, waybill_key, created, reason)"
		      " VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $8, $12)",
	[Q_DOC_UPDATE] = "UPDATE document SET message_id = $2, app_type = $3, state = $4, updated = $5,"
			 " data = $6, order_key = $7, waybill_key = $8, reason = COALESCE($9, reason),"
			 " created = CASE created WHEN 0 THEN $5 ELSE created END WHERE id = $1",
	[Q_RCPT_ADD] = "INSERT INTO receipt(enterprise_id, document_id, msg_type, return_status, xml,"
		       " created) VALUES($1, $2, $3, $4, $5, $6)",
	/* The cursor is the feed position: numbered in commit order, so none is ever passed over. */
	[Q_RCPT_LIST] = "SELECT seq, msg_type, return_status, xml, created FROM receipt"
			" WHERE enterprise_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
	[Q_ENT_DXP] = "SELECT dxp_id FROM enterprise WHERE id = $1",
	[Q_MSG_RESULT] = "UPDATE message SET result = $2 WHERE id = $1",
	[Q_CERT_REVOKED] = "SELECT revoked FROM certificate WHERE enterprise_id = $1 AND serial = $2",
	/* This transaction's receipts (others' unnumbered ones are not committed, so not seen). */
	[Q_FEED_PENDING] = "SELECT enterprise_id, count(*) FROM receipt WHERE seq IS NULL"
			   " GROUP BY enterprise_id ORDER BY enterprise_id",
	/* The enterprise's feed row stays locked to the commit: the next writer numbers after it. */
	[Q_FEED_TAKE] = "INSERT INTO feed(enterprise_id, last) VALUES($1, $2)"
			" ON CONFLICT(enterprise_id) DO UPDATE SET last = feed.last + excluded.last"
			" RETURNING last",
	[Q_FEED_NUMBER] = "UPDATE receipt SET seq = $2 + x.n FROM (SELECT id, row_number() OVER (ORDER BY id) AS n"
			  " FROM receipt WHERE enterprise_id = $1 AND seq IS NULL) AS x WHERE receipt.id = x.id",
};

/* PostgreSQL: the new row's id comes back with the insert (no round trip for lastval()). */
static const char *const pg_sql[Q_COUNT] = {
	[Q_MSG_ADD] = "INSERT INTO message(guid, msg_type, sender_id, sha256, xml, result, received)"
		      " VALUES($1, $2, $3, $4, $5, $6, $7) ON CONFLICT(guid) DO NOTHING RETURNING id",
	[Q_DOC_ADD] = "INSERT INTO document(message_id, kind, key1, key2, app_type, state, sender_id,"
		      " updated, data, order_key, waybill_key, created, reason)"
		      " VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $8, $12) RETURNING id",
};

CG_DB_MODULE_PG(store_sql, "store", sql, pg_sql);

struct cg_store {
	cg_db *db;
	struct cg_token_cache *tokens; /* who holds a token (token_cache.c), made on first use */
};

struct cg_token_cache *
cg__store_tokens(cg_store *st)
{
	if (st->tokens == NULL)
		st->tokens = cg__token_cache_new();
	return st->tokens;
}

cg_db *
cg__store_db(cg_store *st)
{
	return st->db;
}


static cg_db_stmt *
stmt(cg_store *st, int q)
{
	return cg_db_prepared(st->db, &store_sql, q);
}

static cg_rc
db_fail(cg_store *st, cg_ctx *ctx, const char *what)
{
	return cg_db_fail(st->db, ctx, what);
}

/*
 * Run an insert whose taken key the caller answers (another node stored it
 * meanwhile), so it undoes itself alone; *id: the new row's, from RETURNING
 * where the statement has it (PostgreSQL), else the connection's last insert.
 */
static int
insert_alone(cg_store *st, cg_db_stmt *s, long long *id)
{
	int r = cg_db_step_alone(s);

	if (r == CG_DB_ROW) {
		*id = cg_db_column_int64(s, 0);
		cg_db_reset(s);
		return CG_DB_DONE;
	}
	if (r == CG_DB_DONE)
		*id = cg_db_last_id(st->db);
	return r;
}

/*
 * The feed positions of the transaction's receipts, just before its commit:
 * each enterprise's counter row is taken (and locked to the commit) in
 * enterprise order, so two transactions never wait for each other in a
 * cycle, and the positions of one enterprise are handed out in the order
 * their transactions commit: a reader that sees position n has seen every
 * one below it (docs/postgresql.md, "Several nodes").
 */
static cg_rc
number_receipts(cg_db *db, cg_ctx *ctx, void *arg)
{
	cg_store *st = arg;
	cg_db_stmt *s = stmt(st, Q_FEED_PENDING);
	long long eid[64], n[64];
	int k = 0, i, r;
	cg_rc rc = CG_OK;

	(void)db;
	if (s == NULL)
		return db_fail(st, ctx, "receipt feed");
	do {
		/* By 64 enterprises at a time: the ones numbered drop out of the next read. */
		k = 0;
		while (k < 64 && (r = cg_db_step(s)) == CG_DB_ROW) {
			eid[k] = cg_db_column_int64(s, 0);
			n[k++] = cg_db_column_int64(s, 1);
		}
		cg_db_reset(s);
		for (i = 0; i < k && rc == CG_OK; i++) {
			cg_db_stmt *t = stmt(st, Q_FEED_TAKE), *u;
			long long last;

			if (t == NULL || cg_db_bind_int64(t, 1, eid[i]) != CG_OK ||
			    cg_db_bind_int64(t, 2, n[i]) != CG_OK || cg_db_step(t) != CG_DB_ROW)
				return db_fail(st, ctx, "receipt feed");
			last = cg_db_column_int64(t, 0);
			cg_db_reset(t);
			u = stmt(st, Q_FEED_NUMBER);
			if (u == NULL || cg_db_bind_int64(u, 1, eid[i]) != CG_OK ||
			    cg_db_bind_int64(u, 2, last - n[i]) != CG_OK || cg_db_step(u) != CG_DB_DONE)
				return db_fail(st, ctx, "receipt feed");
		}
	} while (k == 64 && rc == CG_OK);
	return rc;
}

cg_rc
cg_store_open(cg_store **out, cg_ctx *ctx, const char *path)
{
	cg_store *st = calloc(1, sizeof(*st));
	cg_rc rc;

	*out = NULL;
	if (st == NULL)
		return CG_ENOMEM;
	/* Spin on a busy database: the service's transactions are short. */
	rc = cg_db_open(&st->db, ctx, path, &store_schema, CG_DB_WAIT_SPIN);
	if (rc != CG_OK) {
		free(st);
		return rc;
	}
	cg_db_on_commit(st->db, number_receipts, st);
	*out = st;
	return CG_OK;
}

void
cg_store_close(cg_store *st)
{
	if (st == NULL)
		return;
	cg_db_close(st->db);
	cg__token_cache_free(st->tokens);
	free(st);
}

int
cg_store_schema_version(cg_store *st)
{
	return cg_db_schema_version(st->db);
}

cg_rc
cg_store_ready(cg_store *st, cg_ctx *ctx)
{
	int live = cg_db_live_version(st->db), want = cg_db_schema_target(&store_schema);

	if (live < 0)
		return cg__fail(ctx, CG_EUNAVAIL, "the database does not answer");
	if (live != want)
		return cg__fail(ctx, CG_EUNAVAIL, "database schema %d, this cebgate writes %d", live, want);
	return CG_OK;
}

char *
cg_store_integrity(cg_store *st)
{
	return cg_db_integrity(st->db);
}

static void
copy(char *dst, size_t size, const char *src)
{
	(void)snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* ---- submissions and receipts (used by cg_service_*) ------------------------------ */

cg_rc
cg__store_cert(cg_store *st, cg_ctx *ctx, long long eid, const char *serial, unsigned char **der,
	       size_t *len)
{
	cg_db_stmt *s = stmt(st, Q_CERT);
	int r;

	*der = NULL;
	if (s == NULL || cg_db_bind_int64(s, 1, eid) != CG_OK ||
	    cg_db_bind_text(s, 2, serial) != CG_OK)
		return db_fail(st, ctx, "certificate");
	r = cg_db_step(s);
	if (r != CG_DB_ROW)
		return r == CG_DB_DONE ? cg__fail(ctx, CG_ENOTFOUND, "no certificate %s", serial)
					: db_fail(st, ctx, "certificate");
	*len = cg_db_column_bytes(s, 0);
	*der = malloc(*len + 1);
	if (*der == NULL)
		return CG_ENOMEM;
	memcpy(*der, cg_db_column_blob(s, 0), *len);
	cg_db_reset(s);
	return CG_OK;
}

cg_rc
cg__store_cert_revoked(cg_store *st, cg_ctx *ctx, long long eid, const char *serial, long long *revoked)
{
	cg_db_stmt *s = stmt(st, Q_CERT_REVOKED);
	int r;

	*revoked = 0;
	if (s == NULL || cg_db_bind_int64(s, 1, eid) != CG_OK || cg_db_bind_text(s, 2, serial) != CG_OK)
		return db_fail(st, ctx, "certificate");
	r = cg_db_step(s);
	if (r == CG_DB_ROW && !cg_db_column_is_null(s, 0))
		*revoked = cg_db_column_int64(s, 0);
	cg_db_reset(s);
	if (r != CG_DB_ROW)
		return r == CG_DB_DONE ? cg__fail(ctx, CG_ENOTFOUND, "no certificate %s", serial)
				       : db_fail(st, ctx, "certificate");
	return CG_OK;
}

cg_rc
cg__store_enterprise_dxp(cg_store *st, cg_ctx *ctx, long long eid, char *out, size_t size)
{
	cg_db_stmt *s = stmt(st, Q_ENT_DXP);

	out[0] = '\0';
	if (s == NULL || cg_db_bind_int64(s, 1, eid) != CG_OK)
		return db_fail(st, ctx, "enterprise");
	if (cg_db_step(s) == CG_DB_ROW)
		copy(out, size, cg_db_column_text(s, 0));
	cg_db_reset(s);
	return CG_OK;
}

cg_rc
cg__store_message_find(cg_store *st, cg_ctx *ctx, const char *guid, unsigned char sha[32],
		       char **result)
{
	cg_db_stmt *s = stmt(st, Q_MSG_FIND);
	int r;

	*result = NULL;
	if (s == NULL || cg_db_bind_text(s, 1, guid) != CG_OK)
		return db_fail(st, ctx, "find message");
	r = cg_db_step(s);
	if (r == CG_DB_DONE)
		return CG_ENOTFOUND;
	if (r != CG_DB_ROW || cg_db_column_bytes(s, 0) != 32)
		return db_fail(st, ctx, "find message");
	memcpy(sha, cg_db_column_blob(s, 0), 32);
	*result = cg__strdup(cg_db_column_text(s, 1));
	cg_db_reset(s);
	return *result != NULL ? CG_OK : CG_ENOMEM;
}

cg_rc
cg__store_message_add(cg_store *st, cg_ctx *ctx, const struct cg_store_message *m, long long *id)
{
	cg_db_stmt *s = stmt(st, Q_MSG_ADD);
	int r;

	if (s == NULL || cg_db_bind_text(s, 1, m->guid) != CG_OK ||
	    cg_db_bind_text(s, 2, m->type) != CG_OK ||
	    cg_db_bind_int64(s, 3, m->sender) != CG_OK ||
	    cg_db_bind_blob(s, 4, m->sha256, 32) != CG_OK ||
	    cg_db_bind_blob(s, 5, m->xml, m->len) != CG_OK ||
	    cg_db_bind_text(s, 6, m->result) != CG_OK ||
	    cg_db_bind_int64(s, 7, (long long)time(NULL)) != CG_OK)
		return db_fail(st, ctx, "store message");
	/* Not guarded: a known guid is no failure here, just no row (no savepoint, no server error). */
	r = cg_db_step(s);
	if (r == CG_DB_ROW) {
		*id = cg_db_column_int64(s, 0);
		cg_db_reset(s);
		return CG_OK;
	}
	if (r != CG_DB_DONE)
		return db_fail(st, ctx, "store message");
	/* The guid is known: a resubmission, or another node stored it meanwhile. */
	if (cg_db_changes(st->db) == 0)
		return cg__fail(ctx, CG_EEXIST, "message %s: already stored", m->guid);
	*id = cg_db_last_id(st->db);
	return CG_OK;
}

cg_rc
cg__store_document_find(cg_store *st, cg_ctx *ctx, int kind, const char *k1, const char *k2,
			long long *id, char *state, size_t size)
{
	cg_db_stmt *s = stmt(st, Q_DOC_FIND);
	int r;

	if (s == NULL || cg_db_bind_int64(s, 1, kind) != CG_OK ||
	    cg_db_bind_text(s, 2, k1) != CG_OK ||
	    cg_db_bind_text(s, 3, k2) != CG_OK)
		return db_fail(st, ctx, "find document");
	r = cg_db_step(s);
	if (r == CG_DB_DONE)
		return CG_ENOTFOUND;
	if (r != CG_DB_ROW)
		return db_fail(st, ctx, "find document");
	*id = cg_db_column_int64(s, 0);
	copy(state, size, cg_db_column_text(s, 1));
	cg_db_reset(s);
	return CG_OK;
}

/* A key is bound only when there is one: none is NULL, not "" (the match looks keys up). */
static int
bind_key(cg_db_stmt *s, int i, const char *key)
{
	return key == NULL || key[0] == '\0' || cg_db_bind_text(s, i, key) == CG_OK;
}

cg_rc
cg__store_document_put(cg_store *st, cg_ctx *ctx, long long existing, long long message_id,
		       int kind, const struct cg_store_doc *d, long long sender, long long *id)
{
	cg_db_stmt *s = stmt(st, existing != 0 ? Q_DOC_UPDATE : Q_DOC_ADD);
	long long now = (long long)time(NULL);
	const char *data = d->data != NULL ? d->data : "{}";
	int ok, r;

	if (s == NULL)
		return db_fail(st, ctx, "store document");
	if (existing != 0)
		ok = cg_db_bind_int64(s, 1, existing) == CG_OK &&
		     cg_db_bind_int64(s, 2, message_id) == CG_OK &&
		     cg_db_bind_text(s, 3, d->app_type) == CG_OK &&
		     cg_db_bind_text(s, 4, d->state) == CG_OK &&
		     cg_db_bind_int64(s, 5, now) == CG_OK &&
		     cg_db_bind_text(s, 6, data) == CG_OK &&
		     bind_key(s, 7, d->order_key) && bind_key(s, 8, d->waybill_key) &&
		     (d->reason == NULL || cg_db_bind_text(s, 9, d->reason) == CG_OK);
	else
		ok = cg_db_bind_int64(s, 1, message_id) == CG_OK &&
		     cg_db_bind_int64(s, 2, kind) == CG_OK &&
		     cg_db_bind_text(s, 3, d->key1) == CG_OK &&
		     cg_db_bind_text(s, 4, d->key2) == CG_OK &&
		     cg_db_bind_text(s, 5, d->app_type) == CG_OK &&
		     cg_db_bind_text(s, 6, d->state) == CG_OK &&
		     cg_db_bind_int64(s, 7, sender) == CG_OK &&
		     cg_db_bind_int64(s, 8, now) == CG_OK &&
		     cg_db_bind_text(s, 9, data) == CG_OK &&
		     bind_key(s, 10, d->order_key) && bind_key(s, 11, d->waybill_key) &&
		     (d->reason == NULL || cg_db_bind_text(s, 12, d->reason) == CG_OK);
	if (!ok)
		return db_fail(st, ctx, "store document");
	r = existing != 0 ? cg_db_step(s) : insert_alone(st, s, id);
	/* Another writer took this business key since it was looked for (another node). */
	if (r == CG_EEXIST)
		return cg__fail(ctx, CG_EEXIST, "document %s %s: stored meanwhile", d->key1, d->key2);
	if (r != CG_DB_DONE)
		return db_fail(st, ctx, "store document");
	if (existing != 0)
		*id = existing;
	return CG_OK;
}

cg_rc
cg__store_receipt_add(cg_store *st, cg_ctx *ctx, long long eid, long long doc_id, const char *type,
		      const char *status, const char *xml, size_t len)
{
	cg_db_stmt *s = stmt(st, Q_RCPT_ADD);

	if (s == NULL || cg_db_bind_int64(s, 1, eid) != CG_OK ||
	    (doc_id != 0 && cg_db_bind_int64(s, 2, doc_id) != CG_OK) ||
	    cg_db_bind_text(s, 3, type) != CG_OK ||
	    cg_db_bind_text(s, 4, status) != CG_OK ||
	    cg_db_bind_blob(s, 5, xml, len) != CG_OK ||
	    cg_db_bind_int64(s, 6, (long long)time(NULL)) != CG_OK ||
	    cg_db_step(s) != CG_DB_DONE)
		return db_fail(st, ctx, "store receipt");
	return CG_OK;
}

cg_rc
cg__store_receipts(cg_store *st, cg_ctx *ctx, long long eid, long long after, int limit,
		   cg_receipt_fn fn, void *payload)
{
	cg_db_stmt *s = stmt(st, Q_RCPT_LIST);
	int r;
	cg_rc rc = CG_OK;

	if (s == NULL || cg_db_bind_int64(s, 1, eid) != CG_OK ||
	    cg_db_bind_int64(s, 2, after) != CG_OK || cg_db_bind_int64(s, 3, limit) != CG_OK)
		return db_fail(st, ctx, "receipts");
	while (rc == CG_OK && (r = cg_db_step(s)) == CG_DB_ROW)
		rc = fn(payload, cg_db_column_int64(s, 0), cg_db_column_text(s, 1),
			cg_db_column_text(s, 2), (const char *)cg_db_column_blob(s, 3),
			cg_db_column_bytes(s, 3), cg_db_column_int64(s, 4));
	cg_db_reset(s);
	return rc;
}

cg_rc
cg__store_message_result(cg_store *st, cg_ctx *ctx, long long id, const char *result)
{
	cg_db_stmt *s = stmt(st, Q_MSG_RESULT);

	if (s == NULL || cg_db_bind_int64(s, 1, id) != CG_OK ||
	    cg_db_bind_text(s, 2, result) != CG_OK ||
	    cg_db_step(s) != CG_DB_DONE)
		return db_fail(st, ctx, "store answer");
	return CG_OK;
}
