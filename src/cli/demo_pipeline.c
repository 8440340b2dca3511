/* SPDX-License-Identifier: MIT */
/*
 * The second half of cebgate demo, the declarants' day: a cebgated on a
 * temporary SQLite database, the demo enterprises registered with generated
 * keys and certificates, every declarant submitting its files through its
 * own outbox (some records fail), the officer's queue and a decision, the
 * receipts followed until every declaration is final, the waybills'
 * logistics status; then the export day (a 9610 and a 9710 export from
 * order to departure, and the 9610 one's summary declaration); then the
 * service stopped.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "cebgate/registry.h"
#include "cli.h"

#define PATHMAX 4096

/* The demo's enterprises: the §13 scenario (1210), a direct-purchase one (9610), the export day's. */
static const struct ent {
	const char *tag, *code, *name, *roles, *dxp;
	unsigned long long serial;
} ents[] = {
	{ "platform", "4403960XA1", "示例跨境购平台（深圳）有限公司", "ebp,ebc", "DXPENT0000999901", 0x3000000000CDE6FULL },
	{ "payment", "4403960XC3", "示例支付（深圳）有限公司", "pay", "DXPENT0000999903", 0x3000000000CDE70ULL },
	{ "logistics", "4403980XD4", "示例供应链（深圳）有限公司", "logistics,agent", "DXPENT0000999904", 0x3000000000CDE71ULL },
	{ "hz-shop", "3301960XH1", "示例直购商城（杭州）有限公司", "ebp,ebc", "DXPENT0000999905", 0x3000000000CDE72ULL },
	{ "hz-express", "3301980XH4", "示例国际快递（杭州）有限公司", "logistics,agent", "DXPENT0000999906", 0x3000000000CDE73ULL },
	/* The export day (ceb-export-spec.md §6): platform, carrier, supervised site, customs broker. */
	{ "x-platform", "3301960XP1", "示例出海购平台（杭州）有限公司", "ebp", "DXPENT0000999911", 0x3000000000CDE74ULL },
	{ "x-express", "3301980XL4", "示例国际速递（杭州）有限公司", "logistics", "DXPENT0000999914", 0x3000000000CDE75ULL },
	{ "x-site", "3301980XS6", "示例跨境电商监管中心运营（杭州）有限公司", "logistics", "DXPENT0000999916", 0x3000000000CDE76ULL },
	{ "x-broker", "3301980XB5", "示例报关服务（杭州）有限公司", "agent", "DXPENT0000999915", 0x3000000000CDE77ULL },
};
#define NENTS (sizeof(ents) / sizeof(ents[0]))

struct demo {
	const char *samples, *out;
	char url[64];
	char officer[256];
	pid_t pid;
	int failures;
};

static void
heading(const char *text)
{
	printf("\n== %s\n", text);
	fflush(stdout);
}

static void
path(char *buf, const struct demo *d, const char *a, const char *b)
{
	(void)snprintf(buf, PATHMAX, "%s/%s%s", d->out, a, b);
}

static int
write_text(const char *file, const char *text)
{
	FILE *fp = fopen(file, "w");
	int ok = fp != NULL && fputs(text, fp) >= 0;

	return fp != NULL && fclose(fp) == 0 && ok ? 0 : -1;
}

static cg_rc
copy_token(const struct demo *d, const char *from, const char *to)
{
	char a[PATHMAX], b[PATHMAX], *data = NULL;
	size_t len = 0;
	cg_rc rc;

	path(a, d, from, ".token");
	path(b, d, to, ".token");
	if (cli_read_file(a, 4096, &data, &len) != 0)
		return CG_EIO;
	rc = write_text(b, data) == 0 ? CG_OK : CG_EIO;
	free(data);
	return rc;
}

/* Enterprises, their certificates and API tokens, and one officer, in the service's registry. */
static int
register_all(struct demo *d, cg_ctx *ctx)
{
	char db[PATHMAX], key[PATHMAX], crt[PATHMAX], tok[PATHMAX];
	cg_registry *reg = NULL;
	char *token = NULL;
	size_t i;
	cg_rc rc;

	path(db, d, "sw.db", "");
	rc = cg_registry_open(&reg, ctx, db);
	for (i = 0; i < NENTS && rc == CG_OK; i++) {
		path(key, d, ents[i].tag, ".key");
		path(crt, d, ents[i].tag, ".crt");
		path(tok, d, ents[i].tag, ".token");
		rc = cg_registry_add_enterprise(reg, ctx, ents[i].code, ents[i].name, ents[i].roles, ents[i].dxp);
		if (rc == CG_OK)
			rc = cg_make_demo_identity(ctx, 1, ents[i].name, ents[i].serial, 30, key, crt);
		if (rc == CG_OK)
			rc = cg_registry_add_certificate(reg, ctx, ents[i].code, crt);
		if (rc == CG_OK)
			rc = cg_registry_new_token(reg, ctx, ents[i].code, NULL, &token);
		if (rc == CG_OK && write_text(tok, token) != 0)
			rc = CG_EIO;
		cg_free(token);
		token = NULL;
		printf("registered %-10s %s %s (SM2 certificate, API token)\n", ents[i].tag, ents[i].code,
		       ents[i].name);
	}
	/* A key of the platform's that was never registered: its messages are refused. */
	path(key, d, "unregistered", ".key");
	path(crt, d, "unregistered", ".crt");
	if (rc == CG_OK)
		rc = cg_make_demo_identity(ctx, 1, ents[0].name, 0x3000000000ABCDEULL, 30, key, crt);
	if (rc == CG_OK)
		rc = copy_token(d, "platform", "unregistered");
	if (rc == CG_OK)
		rc = cg_registry_add_user(reg, ctx, "olga", "officer", NULL, "demo-officer-password");
	if (rc == CG_OK)
		rc = cg_registry_new_token(reg, ctx, NULL, "olga", &token);
	if (rc == CG_OK)
		(void)snprintf(d->officer, sizeof(d->officer), "%s", token);
	cg_free(token);
	cg_registry_close(reg);
	if (rc != CG_OK)
		cli_err("registration failed: %s", cg_ctx_errmsg(ctx));
	return rc == CG_OK ? 0 : -1;
}

/* cebgated next to this cebgate: the build tree's src/server, or the same bin directory. */
static int
find_daemon(char *out, size_t size)
{
	char exe[PATHMAX - 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (getenv("CEBGATED") != NULL)
		return snprintf(out, size, "%s", getenv("CEBGATED")) < (int)size ? 0 : -1;
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	/* The build tree, where libtool may run us from src/cli/.libs. */
	if (snprintf(out, size, "%s/../server/cebgated", exe) < (int)size && access(out, X_OK) == 0)
		return 0;
	if (snprintf(out, size, "%s/../../server/cebgated", exe) < (int)size && access(out, X_OK) == 0)
		return 0;
	return snprintf(out, size, "%s/cebgated", exe) < (int)size && access(out, X_OK) == 0 ? 0 : -1;
}

static int
start_daemon(struct demo *d)
{
	char bin[PATHMAX], db[PATHMAX], port[PATHMAX], log[PATHMAX], buf[32] = "";
	int i;
	FILE *fp;

	if (find_daemon(bin, sizeof(bin)) != 0) {
		cli_err("cebgated not found next to cebgate (set $CEBGATED)");
		return -1;
	}
	path(db, d, "sw.db", "");
	path(port, d, "cebgated.port", "");
	path(log, d, "cebgated.log", "");
	fflush(stdout);
	d->pid = fork();
	if (d->pid == 0) {
		/*
		 * §13's inventory is worth 526 CNY: a threshold of 500 holds it for the
		 * officer. The export day applies for the summary of an inventory closed
		 * today: the period rule (CG1356) would wait for next month.
		 */
		char *argv[] = { bin, (char *)"--db", db, (char *)"--port", (char *)"0",
				 (char *)"--port-file", port, (char *)"--threads", (char *)"2",
				 (char *)"--value-threshold", (char *)"500",
				 (char *)"--export-summary-any-month", (char *)"1", NULL };

		if (freopen(log, "a", stderr) == NULL)
			_exit(127);
		execv(bin, argv);
		_exit(127);
	}
	if (d->pid < 0)
		return -1;
	for (i = 0; i < 200 && buf[0] == '\0'; i++) {
		struct timespec nap = { 0, 50 * 1000 * 1000 };

		(void)nanosleep(&nap, NULL);
		fp = fopen(port, "r");
		if (fp != NULL && fgets(buf, sizeof(buf), fp) == NULL)
			buf[0] = '\0';
		if (fp != NULL)
			fclose(fp);
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		cli_err("cebgated did not start (see %s)", log);
		return -1;
	}
	(void)snprintf(d->url, sizeof(d->url), "http://127.0.0.1:%s", buf);
	printf("cebgated listening on %s (database %s)\n", d->url, db);
	return 0;
}

static int
stop_daemon(struct demo *d)
{
	int status = 0;

	if (d->pid <= 0)
		return 0;
	(void)kill(d->pid, SIGTERM);
	if (waitpid(d->pid, &status, 0) != d->pid)
		return -1;
	d->pid = 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static const struct ent *
ent(const char *tag)
{
	size_t i;

	for (i = 0; i < NENTS; i++) {
		if (strcmp(ents[i].tag, tag) == 0)
			return &ents[i];
	}
	return &ents[0]; /* "unregistered": the platform's key nobody registered */
}

/* cebgate submit for one declarant, its own outbox; @p files are under samples/. */
static void
submit_mapped(struct demo *d, const char *tag, const char *outbox, const char *profile,
	      const char *type, const char *const *files, int expect)
{
	char key[PATHMAX], crt[PATHMAX], tok[PATHMAX], ob[PATHMAX], map[PATHMAX], in[8][PATHMAX];
	char *argv[32];
	int i = 0, k, rc;

	path(key, d, tag, ".key");
	path(crt, d, tag, ".crt");
	path(tok, d, tag, ".token");
	path(ob, d, outbox, ".outbox.db");
	(void)snprintf(map, sizeof(map), "%s/%s", d->samples, profile);
	argv[i++] = (char *)"submit";
	argv[i++] = (char *)"--server";
	argv[i++] = d->url;
	argv[i++] = (char *)"--token-file";
	argv[i++] = tok;
	argv[i++] = (char *)"--key";
	argv[i++] = key;
	argv[i++] = (char *)"--cert";
	argv[i++] = crt;
	argv[i++] = (char *)"--outbox";
	argv[i++] = ob;
	argv[i++] = (char *)"--map";
	argv[i++] = map;
	argv[i++] = (char *)"--type";
	argv[i++] = (char *)type;
	printf("\n$ cebgate submit --server %s --token-file %s.token --key %s.key --outbox %s.outbox.db",
	       d->url, tag, tag, outbox);
	if (strcmp(type, "311") != 0)
		printf(" --type %s --map %s", type, profile);
	for (k = 0; files[k] != NULL && k < 8; k++) {
		if (files[k][0] == '/')
			(void)snprintf(in[k], PATHMAX, "%s", files[k]);
		else
			(void)snprintf(in[k], PATHMAX, "%s/%s", d->samples, files[k]);
		argv[i++] = in[k];
		printf(" %s", files[k]);
	}
	argv[i] = NULL;
	printf("    # %s, %s\n", ent(tag)->code, strcmp(tag, "unregistered") == 0 ? "unregistered key" : ent(tag)->name);
	fflush(stdout);
	rc = cli_run(cmd_submit, argv);
	fflush(stdout);
	if (rc != expect) {
		cli_err("submit for %s: exit %d, expected %d", tag, rc, expect);
		d->failures++;
	}
}

/* The import day's files: CSV and NDJSON rows mapped by merchant/default.profile. */
static void
submit(struct demo *d, const char *tag, const char *outbox, const char *const *files, int expect)
{
	submit_mapped(d, tag, outbox, "merchant/default.profile", "311", files, expect);
}

static void
submit_all(struct demo *d)
{
	static const char *const platform[] = { "merchant/orders-en.csv", "merchant/orders-bad.csv",
						"merchant/orders.ndjson", "xml/unsigned/CEB311-order.xml", NULL };
	static const char *const payment[] = { "xml/unsigned/CEB411-payment.xml",
					       "xml/unsigned/CEB411-payment-9610.xml", NULL };
	static const char *const logistics[] = { "xml/unsigned/CEB511-waybill.xml",
						 "xml/unsigned/CEB621-inventory.xml", NULL };
	static const char *const shop[] = { "xml/unsigned/CEB311-order-9610.xml", NULL };
	static const char *const express[] = { "xml/unsigned/CEB511-waybill-9610.xml",
					       "xml/unsigned/CEB621-inventory-9610.xml", NULL };
	static const char *const again[] = { "merchant/orders-zh.csv", NULL };

	heading("9. Each declarant submits its files: normalize, validate, sign, outbox, submit (一次提交)");
	printf("(orders-bad.csv holds records that fail validation: they are reported, the rest go on)\n");
	submit(d, "platform", "platform", platform, CLI_INVALID);
	submit(d, "payment", "payment", payment, CLI_OK);
	submit(d, "logistics", "logistics", logistics, CLI_OK);
	submit(d, "hz-shop", "hz-shop", shop, CLI_OK);
	submit(d, "hz-express", "hz-express", express, CLI_OK);
	printf("\n(a new workstation of the platform signs with a certificate nobody registered:\n"
	       " the single window refuses every message, the signature is not the enterprise's)\n");
	submit(d, "unregistered", "workstation", again, CLI_INVALID);
}

static json_t *
api(struct demo *d, const char *method, const char *route, const char *token, const char *body)
{
	char url[512], *resp = NULL;
	json_t *j = NULL;
	long code = 0;

	(void)snprintf(url, sizeof(url), "%s%s", d->url, route);
	if (cli_api(method, url, token, body, &resp, &code) == 0 && code == 200)
		j = json_loads(resp, 0, NULL);
	if (j == NULL) {
		cli_err("%s %s: HTTP %ld", method, route, code);
		d->failures++;
	}
	free(resp);
	return j;
}

/* The officer's queue, then a decision on every held inventory: the first released, the rest returned. */
static void
officer(struct demo *d, const char *title)
{
	json_t *q, *items, *r;
	size_t i;

	heading(title);
	q = api(d, "GET", "/api/v1/review", d->officer, NULL);
	items = json_object_get(q, "items");
	printf("%zu inventory(ies) held for review:\n", json_array_size(items));
	for (i = 0; i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i);
		long long id = (long long)json_integer_value(json_object_get(it, "id"));
		const char *decision = i == 0 ? "release" : "return";
		char route[128], body[256];

		printf("  #%lld copNo %s order %s trade mode %s, held because: %s\n", id,
		       json_string_value(json_object_get(it, "copNo")),
		       json_string_value(json_object_get(it, "orderNo")),
		       json_string_value(json_object_get(it, "tradeMode")),
		       json_string_value(json_object_get(it, "reason")));
		(void)snprintf(route, sizeof(route), "/api/v1/review/%lld/claim", id);
		json_decref(api(d, "POST", route, d->officer, NULL));
		(void)snprintf(route, sizeof(route), "/api/v1/review/%lld/decide", id);
		(void)snprintf(body, sizeof(body), "{\"decision\": \"%s\", \"reason\": \"%s\"}", decision,
			       i == 0 ? "documents checked, value declared correctly"
				      : "invoice does not support the declared value");
		r = api(d, "POST", route, d->officer, body);
		printf("  officer olga: %s #%lld -> %s (%s)\n", decision, id,
		       json_string_value(json_object_get(r, "state")),
		       json_string_value(json_object_get(r, "returnStatus")));
		json_decref(r);
	}
	json_decref(q);
}

static void
receipts(struct demo *d, const char *tag, const char *outbox)
{
	char tok[PATHMAX], ob[PATHMAX];
	char *argv[12];
	int rc;

	path(tok, d, tag, ".token");
	path(ob, d, outbox, ".outbox.db");
	argv[0] = (char *)"receipts";
	argv[1] = (char *)"--wait-final";
	argv[2] = (char *)"--server";
	argv[3] = d->url;
	argv[4] = (char *)"--token-file";
	argv[5] = tok;
	argv[6] = (char *)"--outbox";
	argv[7] = ob;
	argv[8] = (char *)"--wait";
	argv[9] = (char *)"5";
	argv[10] = NULL;
	printf("\n$ cebgate receipts --wait-final --outbox %s.outbox.db\n", outbox);
	fflush(stdout);
	rc = cli_run(cmd_receipts, argv);
	fflush(stdout);
	if (rc != CLI_OK) {
		cli_err("receipts for %s: exit %d", outbox, rc);
		d->failures++;
	}
}

static void
summary_counts(struct demo *d, const char *outbox, cg_outbox_counts *sum)
{
	char ob[PATHMAX];
	cg_outbox *o = NULL;
	cg_ctx *ctx = NULL;
	cg_outbox_counts c;

	path(ob, d, outbox, ".outbox.db");
	if (cg_ctx_new(&ctx) == CG_OK && cg_outbox_open(&o, ctx, ob) == CG_OK &&
	    cg_outbox_counts_get(o, ctx, &c) == CG_OK) {
		sum->final += c.final;
		sum->rejected += c.rejected;
		sum->acknowledged += c.acknowledged;
		sum->signed_ += c.signed_ + c.submitted + c.dead;
		sum->docs += c.docs;
		sum->docs_final += c.docs_final;
		sum->docs_refused += c.docs_refused;
	} else {
		d->failures++;
	}
	cg_outbox_close(o);
	cg_ctx_free(ctx);
}

static void
logistics(struct demo *d, const char *tag, const char *code, const char *no)
{
	char tok[PATHMAX], route[256], token[512] = "";
	FILE *fp;
	json_t *r;

	path(tok, d, tag, ".token");
	fp = fopen(tok, "r");
	if (fp != NULL && fgets(token, sizeof(token), fp) == NULL)
		token[0] = '\0';
	if (fp != NULL)
		fclose(fp);
	(void)snprintf(route, sizeof(route), "/api/v1/logistics/%s/%s", code, no);
	r = api(d, "GET", route, token, NULL);
	printf("  waybill %s %s: %s\n", code, no,
	       json_string_value(json_object_get(json_array_get(json_object_get(r, "waybills"), 0),
						 "state")));
	json_decref(r);
}

/*
 * The export day (ceb-export-spec.md §2.2, §2.4, §6): a 9610 retail export
 * and a 9710 B2B direct export from order to departure. The platform sends
 * both orders, the carrier both waybills, the broker both inventories (the
 * 9710 one, worth more than the threshold, is held for the officer), then the
 * master/house list, the arrival at the supervised site and the departure
 * release and close them (800, 899).
 */
static const char *const x_orders[] = { "merchant/export/orders.ndjson", NULL };
static const char *const x_waybills[] = { "merchant/export/waybills.csv", NULL };
static const char *const x_inventories[] = { "xml/export/CEB603Message.xml",
					     "merchant/export/inventory-9710.csv", NULL };
static const char *const x_list[] = { "xml/export/CEB607Message.xml", NULL };
static const char *const x_arrival[] = { "xml/export/CEB507Message.xml", NULL };
static const char *const x_departure[] = { "xml/export/CEB509Message.xml", NULL };

/* The API token of demo enterprise @p tag, into @p token. */
static void
read_token(const struct demo *d, const char *tag, char *token, size_t size)
{
	char tok[PATHMAX];
	FILE *fp;

	path(tok, d, tag, ".token");
	token[0] = '\0';
	fp = fopen(tok, "r");
	if (fp != NULL && fgets(token, (int)size, fp) == NULL)
		token[0] = '\0';
	if (fp != NULL)
		fclose(fp);
	token[strcspn(token, "\r\n")] = '\0';
}

/* The state of export inventory @p copNo in the service, as its declarant reads it: @p want. */
static void
export_inventory(struct demo *d, const char *copno, const char *want)
{
	char route[160], token[512];
	json_t *r, *decl;
	const char *state;

	read_token(d, "x-broker", token, sizeof(token));
	(void)snprintf(route, sizeof(route), "/api/v1/declarations?kind=603&q=%s", copno);
	r = api(d, "GET", route, token, NULL);
	decl = json_array_get(json_object_get(r, "declarations"), 0);
	state = json_string_value(json_object_get(decl, "state"));
	printf("  export inventory %s: %s\n", copno, state != NULL ? state : "(none)");
	if (state == NULL || strcmp(state, want) != 0)
		d->failures++;
	json_decref(r);
}

static void
export_day(struct demo *d)
{
	static const struct { const char *tag, *outbox; } obs[] = {
		{ "x-platform", "x-platform" }, { "x-express", "x-express" }, { "x-site", "x-site" },
		{ "x-broker", "x-broker" },
	};
	cg_outbox_counts sum;
	size_t i;

	heading("13. The export day (跨境电商出口): a 9610 retail export and a 9710 B2B direct export");
	printf("(orders from the platform, waybills from the carrier, inventories from the customs broker;\n"
	       " each declaration is signed with the Signature before ExtendMessage and sent to DXPEDCCEB0000003)\n");
	submit_mapped(d, "x-platform", "x-platform", "merchant/export/platform.profile", "303", x_orders,
		      CLI_OK);
	submit_mapped(d, "x-express", "x-express", "merchant/export/logistics.profile", "505", x_waybills,
		      CLI_OK);
	submit_mapped(d, "x-broker", "x-broker", "merchant/export/declarant.profile", "603",
		      x_inventories, CLI_OK);
	officer(d, "14. The officer's queue: the 9710 export inventory is held (value over the threshold)");
	heading("15. Master/house list, arrival at the supervised site (运抵) and departure (离境)");
	submit(d, "x-express", "x-express", x_list, CLI_OK);
	submit(d, "x-site", "x-site", x_arrival, CLI_OK);
	submit(d, "x-express", "x-express", x_departure, CLI_OK);
	heading("16. Follow the export receipts until every declaration is final (899: closed, departed)");
	for (i = 0; i < sizeof(obs) / sizeof(obs[0]); i++)
		receipts(d, obs[i].tag, obs[i].outbox);
	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < sizeof(obs) / sizeof(obs[0]); i++)
		summary_counts(d, obs[i].outbox, &sum);
	export_inventory(d, "EI2024111800000001", "closed");
	export_inventory(d, "EI2024111900000001", "closed");
	logistics(d, "x-express", "3301980XL4", "EXL2024111800000012");
	logistics(d, "x-express", "3301980XL4", "EXL2024111800000013");
	printf("export declarations: %lld final, %lld refused, %lld still open;"
	       " every document with its final receipt: %s\n",
	       sum.final, sum.rejected, sum.acknowledged + sum.signed_,
	       sum.docs_final == sum.docs ? "yes" : "NO");
	if (sum.docs_final != sum.docs || sum.acknowledged + sum.signed_ != 0 || sum.rejected != 0)
		d->failures++;
}

/* @p tag's receipts feed (GET /api/v1/receipts), or NULL. */
static json_t *
feed(struct demo *d, const char *tag)
{
	char token[512];

	read_token(d, tag, token, sizeof(token));
	return api(d, "GET", "/api/v1/receipts?after=0&limit=1000", token, NULL);
}

/* The newest receipt of @p type (and @p status, unless NULL) in @p f whose XML names @p key, or NULL. */
static json_t *
find_receipt(json_t *f, const char *type, const char *status, const char *key)
{
	json_t *r, *found = NULL;
	size_t i;

	json_array_foreach(json_object_get(f, "receipts"), i, r)
	{
		const char *t = json_string_value(json_object_get(r, "type"));
		const char *st = json_string_value(json_object_get(r, "returnStatus"));
		const char *x = json_string_value(json_object_get(r, "xml"));

		if (t != NULL && x != NULL && strcmp(t, type) == 0 && strstr(x, key) != NULL &&
		    (status == NULL || (st != NULL && strcmp(st, status) == 0)))
			found = r;
	}
	return found;
}

/* The text of the first element @p name of receipt @p r's XML, into @p out ("" if absent). */
static void
receipt_value(json_t *r, const char *name, char *out, size_t size)
{
	const char *x = json_string_value(json_object_get(r, "xml")), *p, *e;
	char open[64];

	out[0] = '\0';
	(void)snprintf(open, sizeof(open), "<ceb:%s>", name);
	p = x != NULL ? strstr(x, open) : NULL;
	e = p != NULL ? strchr(p + strlen(open), '<') : NULL;
	if (e != NULL && (size_t)(e - p - strlen(open)) < size)
		(void)snprintf(out, size, "%.*s", (int)(e - p - strlen(open)), p + strlen(open));
}

/* How many times @p what stands in receipt @p r's XML. */
static int
receipt_count(json_t *r, const char *what)
{
	const char *p = json_string_value(json_object_get(r, "xml"));
	int n = 0;

	while (p != NULL && (p = strstr(p, what)) != NULL) {
		n++;
		p += strlen(what);
	}
	return n;
}

/* The summary application of the demo: the consignor's 9610 inventory, by its invtNo (NDJSON rows of CEB701). */
static int
write_application(struct demo *d, const char *file, const char *invt)
{
	const char *broker = ent("x-broker")->name;
	json_t *app = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[{s:s}]}",
				"customsCode", "2901", "copNo", "ES2024120500000001", "agentCode",
				ent("x-broker")->code, "agentName", broker, "ebcCode", "3301960XE2",
				"ebcName", "示例跨境出口贸易（杭州）有限公司", "declAgentCode",
				ent("x-broker")->code, "declAgentName", broker, "summaryFlag", "1",
				"itemNameFlag", "1", "msgCount", "1", "msgSeqNo", "1", "items", "invtNo", invt);
	int rc = app != NULL ? json_dump_file(app, file, JSON_COMPACT) : -1;

	json_decref(app);
	if (rc != 0) {
		cli_err("cannot write %s", file);
		d->failures++;
	}
	return rc;
}

/*
 * The summary declaration (汇总申报, ceb-export-spec.md §2.9): the customs
 * broker reads the invtNo cebgated gave the 9610 inventory in its 604 399
 * receipt, lists it in a summary application (CEB701, NDJSON normalized,
 * signed and submitted like the other files), and reads back the 702 399
 * with its sumNo and the summary result (CEB792). The 9710 inventory is not
 * summarised (§2.4).
 */
static void
summary_day(struct demo *d)
{
	static const char *const copno = "EI2024111800000001", *const app_no = "ES2024120500000001";
	char invt[32], file[PATHMAX], sumno[32] = "", declno[32] = "";
	const char *files[] = { file, NULL };
	const char *status = NULL;
	json_t *f, *r;

	heading("17. The summary declaration (汇总申报): CEB701 -> CEB702 (sumNo) -> CEB792 (summary result)");
	printf("(this demo's cebgated runs with export-summary-any-month = 1: its inventory closed today, and the\n"
	       " period rule, CG1356, would refuse it until next month)\n");
	f = feed(d, "x-broker");
	receipt_value(find_receipt(f, "CEB604Message", "399", copno), "invtNo", invt, sizeof(invt));
	json_decref(f);
	if (invt[0] == '\0') {
		cli_err("no receipt of %s with its invtNo", copno);
		d->failures++;
		return;
	}
	printf("the 9610 inventory %s was concluded as invtNo %s (its CEB604 399 receipt)\n", copno, invt);
	path(file, d, "summary-application", ".ndjson");
	if (write_application(d, file, invt) != 0)
		return;
	submit_mapped(d, "x-broker", "x-broker", "merchant/export/declarant.profile", "701", files, CLI_OK);
	receipts(d, "x-broker", "x-broker");
	f = feed(d, "x-broker");
	r = find_receipt(f, "CEB702Message", NULL, app_no);
	status = json_string_value(json_object_get(r, "returnStatus"));
	receipt_value(r, "sumNo", sumno, sizeof(sumno));
	printf("  summary application %s: CEB702 %s, sumNo %s\n", app_no, status != NULL ? status : "(none)",
	       sumno[0] != '\0' ? sumno : "(none)");
	r = sumno[0] != '\0' ? find_receipt(f, "CEB792Message", NULL, sumno) : NULL;
	receipt_value(r, "declSeqNo", declno, sizeof(declno));
	if (r != NULL)
		printf("  summary result (CEB792) for %s: declaration %s, %d row(s) of inventory %s\n", sumno,
		       declno, receipt_count(r, "<ceb:SummaryResultList>"), invt);
	else
		printf("  summary result (CEB792): none\n");
	if (status == NULL || strcmp(status, "399") != 0 || r == NULL || declno[0] == '\0')
		d->failures++;
	json_decref(f);
	export_inventory(d, copno, "summarized");
}

static void
follow_and_summarise(struct demo *d)
{
	static const struct { const char *tag, *outbox; } obs[] = {
		{ "platform", "platform" }, { "payment", "payment" }, { "logistics", "logistics" },
		{ "hz-shop", "hz-shop" }, { "hz-express", "hz-express" }, { "unregistered", "workstation" },
	};
	cg_outbox_counts sum;
	size_t i;

	heading("11. Follow the receipts (统一办理反馈) until every declaration is final");
	for (i = 0; i < sizeof(obs) / sizeof(obs[0]); i++)
		receipts(d, obs[i].tag, obs[i].outbox);
	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < sizeof(obs) / sizeof(obs[0]); i++)
		summary_counts(d, obs[i].outbox, &sum);
	heading("12. Logistics status of the waybills (物流查询)");
	logistics(d, "logistics", "4403980XD4", "EX2024111100012345");
	logistics(d, "hz-express", "3301980XH4", "ZH2026112600000871");
	heading("Pipeline summary");
	printf("declarations: %lld final, %lld refused on submission, %lld still open\n", sum.final,
	       sum.rejected, sum.acknowledged + sum.signed_);
	printf("documents: %lld, every one with its final receipt: %s; %lld accepted, %lld refused\n",
	       sum.docs, sum.docs_final == sum.docs ? "yes" : "NO", sum.docs_final - sum.docs_refused,
	       sum.docs_refused);
	printf("(cebgate status NUMBER --outbox %s/platform.outbox.db shows one declaration's history;\n"
	       " cebgate explain CODE says what a receipt code means, e.g. cebgate explain -301008)\n",
	       d->out);
	if (sum.docs_final != sum.docs || sum.acknowledged + sum.signed_ != 0)
		d->failures++;
}

int
cli_demo_pipeline(const char *samples, const char *out)
{
	struct demo d = { samples, out, "", "", 0, 0 };
	cg_ctx *ctx = NULL;

	heading("8. Start the single window (cebgated) and register the demo enterprises");
	if (cg_ctx_new(&ctx) != CG_OK || register_all(&d, ctx) != 0 || start_daemon(&d) != 0) {
		cg_ctx_free(ctx);
		(void)stop_daemon(&d);
		return 1;
	}
	cg_ctx_free(ctx);
	submit_all(&d);
	officer(&d, "10. The officer's review queue (人工审核) and a decision");
	follow_and_summarise(&d);
	export_day(&d);
	summary_day(&d);
	heading("18. Stop the single window");
	if (stop_daemon(&d) != 0) {
		cli_err("cebgated did not stop cleanly");
		d.failures++;
	} else {
		printf("cebgated stopped (SIGTERM), every write committed\n");
	}
	return d.failures;
}
