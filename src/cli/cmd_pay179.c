/* SPDX-License-Identifier: MIT */
/*
 * cebgate pay179: the platform's side of the 179 payment-data interface
 * (ceb-spec §8, docs/pay179.md).
 *   serve  answer customs' platDataOpen requests and upload the signed data
 *   sign   print the signed payExInfoStr of one order (and the string signed)
 *   check  verify a payExInfoStr against a certificate, say which form it signs
 * The raw payment records come from --orders: a JSON array of objects, one per
 * payment (docs/pay179.md lists the fields).
 */
#include "config.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <curl/curl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <uuid/uuid.h>
#include "cebgate/pay179.h"
#include "cli.h"
#include "help.h"

#define ORDERS_MAX (64u << 20) /* the records file */
#define REQUEST_MAX 16384      /* a platDataOpen request is a few hundred bytes */

static void
usage(FILE *out)
{
	(void)help_print("cebgate pay179", out);
}

struct opts {
	const char *key, *cert, *orders, *upload, *port_file, *bind, *digest, *pass_file, *pass_env;
	const char *order, *session;
	unsigned port;
	int verbose, show;
	cg_pay179_form form;
};

/* ---- the records and the payExInfoStr ----------------------------------------------- */

static json_t *
load_records(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	json_error_t err;
	json_t *j;

	if (cli_read_file(path, ORDERS_MAX, &text, &len) != 0)
		return NULL;
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	free(text);
	if (!json_is_array(j)) {
		cli_err("%s: not a JSON array of payment records (line %d: %s)", path, err.line, err.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The record whose orderNo (or one of its orderNos) is @p order; borrowed. */
static json_t *
find_record(json_t *records, const char *order)
{
	json_t *r, *o;
	size_t i, k;

	json_array_foreach(records, i, r)
	{
		const char *no = json_string_value(json_object_get(r, "orderNo"));

		if (no != NULL && strcmp(no, order) == 0)
			return r;
		json_array_foreach(json_object_get(r, "orderNos"), k, o)
		{
			if (json_string_value(o) != NULL && strcmp(json_string_value(o), order) == 0)
				return r;
		}
	}
	return NULL;
}

static json_t *
field(json_t *r, const char *name, const char *dflt)
{
	json_t *v = json_object_get(r, name);

	return v != NULL ? json_incref(v) : json_string(dflt);
}

/* One payExchangeInfoLists entry per order of the payment (§8.2: all of them). */
static json_t *
lists_of(json_t *r)
{
	json_t *lists = json_array(), *orders = json_object_get(r, "orderNos"), *o;
	size_t i;

	if (orders == NULL) {
		orders = json_array();
		(void)json_array_append(orders, json_object_get(r, "orderNo"));
	} else {
		json_incref(orders);
	}
	json_array_foreach(orders, i, o)
	{
		json_t *l = json_object();

		(void)json_object_set(l, "orderNo", o);
		(void)json_object_set_new(l, "goodsInfo", field(r, "goodsInfo", ""));
		(void)json_object_set_new(l, "recpAccount", field(r, "recpAccount", ""));
		(void)json_object_set_new(l, "recpCode", field(r, "recpCode", ""));
		(void)json_object_set_new(l, "recpName", field(r, "recpName", ""));
		(void)json_array_append_new(lists, l);
	}
	json_decref(orders);
	return lists;
}

/* The unsigned payExInfoStr of record @p r for @p session, fields in the order of §8.2. */
static char *
unsigned_payex(json_t *r, const char *session)
{
	static const char *const names[] = { "initalRequest", "initalResponse", "ebpCode", "payCode",
					     "payTransactionId", "totalAmount", "currency", "verDept",
					     "payType", "tradingTime", "note" };
	json_t *head = json_object(), *root = json_object();
	char guid[40], ms[32];
	struct timespec ts;
	uuid_t u;
	size_t i;
	char *text;

	uuid_generate_random(u);
	uuid_unparse_upper(u, guid);
	(void)json_object_set_new(head, "guid", json_string(guid));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		(void)json_object_set_new(head, names[i], field(r, names[i], ""));
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)snprintf(ms, sizeof(ms), "%lld", (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	(void)json_object_set_new(root, "sessionID", json_string(session));
	(void)json_object_set_new(root, "payExchangeInfoHead", head);
	(void)json_object_set_new(root, "payExchangeInfoLists", lists_of(r));
	/* A string, as S9 writes it; the signing string quotes it either way. */
	(void)json_object_set_new(root, "serviceTime", json_string(ms));
	/* 15 digits: an amount such as 573.87 is written as 573.87, not 573.87000000000001. */
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(root);
	return text;
}

static int
make_signer(const struct opts *o, cg_pay179_signer **out)
{
	char pass[1024];
	cg_ctx *ctx = NULL;
	int status = CLI_USAGE;

	if (cli_passphrase(o->pass_file, o->pass_env, pass, sizeof(pass)) != 0) {
		cli_err("cannot read the passphrase");
		return CLI_USAGE;
	}
	if (cg_ctx_new(&ctx) != CG_OK)
		return CLI_USAGE;
	if (cg_pay179_signer_new(out, ctx, o->key, pass[0] != '\0' ? pass : NULL, o->cert, o->digest, o->form) !=
	    CG_OK)
		cli_err("self-check: %s", cg_ctx_errmsg(ctx));
	else
		status = CLI_OK;
	cg_ctx_free(ctx);
	return status;
}

/* The signed payExInfoStr of @p order, or NULL (the reason printed). */
static char *
signed_payex(cg_pay179_signer *sg, cg_pay179_form form, json_t *records, const char *order,
	     const char *session, int show)
{
	json_t *r = find_record(records, order);
	char *text, *out = NULL, *str = NULL;
	cg_ctx *ctx = NULL;

	if (r == NULL) {
		cli_err("order %s: no payment record", order);
		return NULL;
	}
	text = unsigned_payex(r, session);
	if (text == NULL || cg_ctx_new(&ctx) != CG_OK) {
		free(text);
		return NULL;
	}
	if (cg_pay179_sign(sg, ctx, text, strlen(text), &out) != CG_OK)
		cli_err("order %s: %s", order, cg_ctx_errmsg(ctx));
	else if (show && cg_pay179_signing_string(ctx, out, strlen(out), form, &str) == CG_OK)
		fprintf(stderr, "signed string (%s): %s\n", cg_pay179_form_name(form), str);
	cg_free(str);
	cg_ctx_free(ctx);
	free(text);
	return out;
}

/* ---- serve -------------------------------------------------------------------------- */

struct server {
	const struct opts *o;
	json_t *records;
	cg_pay179_signer *sg;
	pthread_mutex_t lock; /* one signature at a time; the key may be a token */
};

/* One request: its body, and the upload it owes once answered. */
struct conn {
	char body[REQUEST_MAX];
	size_t len;
	int over;
	char order[128], session[128];
	int upload;
};

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	char *buf = arg;
	size_t len = strlen(buf), add = size * n;

	(void)p;
	if (len + add < 1024) {
		memcpy(buf + len, p, add);
		buf[len + add] = '\0';
	}
	return add;
}

/* Customs' answer to an upload, on one line: its code and message. */
static void
log_answer(const char *order, const char *session, const char *answer)
{
	json_t *j = json_loads(answer, 0, NULL);
	const char *code = json_string_value(json_object_get(j, "code"));
	const char *msg = json_string_value(json_object_get(j, "message"));

	fprintf(stderr, "order %s session %s uploaded: code %s %s\n", order, session, code != NULL ? code : "?",
		msg != NULL ? msg : answer);
	json_decref(j);
}

/* POST payExInfoStr to realTimeDataUp; log the answer. */
static void
upload(struct server *sv, const char *order, const char *session)
{
	char *payex, *esc = NULL, *form = NULL, answer[1024] = "", errbuf[CURL_ERROR_SIZE] = "";
	CURL *h;
	CURLcode cc = CURLE_OUT_OF_MEMORY;
	size_t n;

	pthread_mutex_lock(&sv->lock);
	payex = signed_payex(sv->sg, sv->o->form, sv->records, order, session, sv->o->verbose);
	pthread_mutex_unlock(&sv->lock);
	if (payex == NULL)
		return;
	h = curl_easy_init();
	esc = h != NULL ? curl_easy_escape(h, payex, 0) : NULL;
	n = esc != NULL ? strlen("payExInfoStr=") + strlen(esc) + 1 : 0;
	form = n != 0 ? malloc(n) : NULL;
	if (form != NULL) {
		(void)snprintf(form, n, "payExInfoStr=%s", esc);
		(void)curl_easy_setopt(h, CURLOPT_URL, sv->o->upload);
		(void)curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
		(void)curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		(void)curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
		(void)curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
		(void)curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
		(void)curl_easy_setopt(h, CURLOPT_WRITEDATA, answer);
		cc = curl_easy_perform(h);
	}
	if (cc != CURLE_OK)
		cli_err("order %s: upload failed: %s", order, errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
	else
		log_answer(order, session, answer);
	free(form);
	curl_free(esc);
	curl_easy_cleanup(h);
	free(payex);
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned status, const char *code, const char *message)
{
	struct timespec ts;
	json_t *j;
	char *text;
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	j = json_pack("{s:s, s:s, s:I}", "code", code, "message", message, "serviceTime",
		      (json_int_t)((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000));
	text = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (text == NULL)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(text);
		return MHD_NO;
	}
	(void)MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* openReq from the form body; quotes may come HTML-escaped as &quot; (§8.1). */
static json_t *
open_req(struct conn *cn)
{
	char *v = NULL, *p, *w;
	size_t i = 0;
	json_t *j = NULL;

	cn->body[cn->len] = '\0';
	while (i < cn->len) {
		size_t end = i + strcspn(cn->body + i, "&");

		if (strncmp(cn->body + i, "openReq=", 8) == 0) {
			cn->body[end] = '\0';
			v = cn->body + i + 8;
			break;
		}
		i = end + 1;
	}
	if (v == NULL)
		return NULL;
	for (p = v; *p != '\0'; p++)
		*p = *p == '+' ? ' ' : *p;
	(void)MHD_http_unescape(v);
	for (p = v, w = v; *p != '\0';) {
		if (strncmp(p, "&quot;", 6) == 0) {
			*w++ = '"';
			p += 6;
		} else {
			*w++ = *p++;
		}
	}
	*w = '\0';
	j = json_loads(v, JSON_REJECT_DUPLICATES, NULL);
	return j;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
	   const char *data, size_t *size, void **state)
{
	struct server *sv = cls;
	struct conn *cn = *state;
	json_t *req;
	const char *order, *session;
	char msg[300];

	(void)url;
	(void)version;
	if (cn == NULL) {
		cn = calloc(1, sizeof(*cn));
		*state = cn;
		return cn != NULL ? MHD_YES : MHD_NO;
	}
	if (strcmp(method, "POST") != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "20000", "POST platDataOpen with the form field openReq");
	if (*size != 0) {
		if (cn->len + *size >= sizeof(cn->body) - 1)
			cn->over = 1;
		else {
			memcpy(cn->body + cn->len, data, *size);
			cn->len += *size;
		}
		*size = 0;
		return MHD_YES;
	}
	if (cn->over)
		return reply(c, MHD_HTTP_CONTENT_TOO_LARGE, "20000", "openReq is a few hundred bytes");
	req = open_req(cn);
	order = json_string_value(json_object_get(req, "orderNo"));
	session = json_string_value(json_object_get(req, "sessionID"));
	if (order == NULL || session == NULL || strlen(order) >= sizeof(cn->order) ||
	    strlen(session) >= sizeof(cn->session) || *order == '\0' || *session == '\0') {
		json_decref(req);
		return reply(c, MHD_HTTP_OK, "20000", "openReq must be JSON with orderNo and sessionID");
	}
	if (find_record(sv->records, order) == NULL) {
		(void)snprintf(msg, sizeof(msg), "订单不存在 order %.100s not found", order);
		fprintf(stderr, "order %s session %s: no payment record\n", order, session);
		json_decref(req);
		return reply(c, MHD_HTTP_OK, "20000", msg);
	}
	(void)snprintf(cn->order, sizeof(cn->order), "%s", order);
	(void)snprintf(cn->session, sizeof(cn->session), "%s", session);
	cn->upload = 1;
	json_decref(req);
	return reply(c, MHD_HTTP_OK, "10000", "");
}

/* After the answer went out: the upload is asynchronous (§8.1 step 4). */
static void
on_done(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode toe)
{
	struct conn *cn = *state;

	(void)c;
	if (cn != NULL && cn->upload && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		upload(cls, cn->order, cn->session);
	free(cn);
	*state = NULL;
}

static int
write_port(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *fp;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	fp = fopen(tmp, "w");
	if (fp == NULL)
		return -1;
	fprintf(fp, "%u\n", port);
	if (fclose(fp) != 0)
		return -1;
	return rename(tmp, path);
}

static int
serve(const struct opts *o)
{
	struct server sv = { o, NULL, NULL, PTHREAD_MUTEX_INITIALIZER };
	struct sockaddr_in addr;
	struct MHD_Daemon *d = NULL;
	const union MHD_DaemonInfo *info;
	sigset_t set;
	int sig = 0, status;

	if (o->key == NULL || o->orders == NULL || o->upload == NULL) {
		usage(stderr);
		return CLI_USAGE;
	}
	sv.records = load_records(o->orders);
	if (sv.records == NULL)
		return CLI_USAGE;
	status = make_signer(o, &sv.sg);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)o->port);
	if (status == CLI_OK && inet_pton(AF_INET, o->bind, &addr.sin_addr) != 1) {
		cli_err("--bind %s: not an IPv4 address", o->bind);
		status = CLI_USAGE;
	}
	/* The signals are waited for below, never delivered to a worker thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	(void)pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (status == CLI_OK)
		d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL,
				     NULL, on_request, &sv, MHD_OPTION_SOCK_ADDR, &addr,
				     MHD_OPTION_NOTIFY_COMPLETED, on_done, &sv, MHD_OPTION_CONNECTION_TIMEOUT,
				     (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_END);
	if (status == CLI_OK && d == NULL) {
		cli_err("cannot listen on %s:%u", o->bind, o->port);
		status = CLI_USAGE;
	}
	info = d != NULL ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
	if (status == CLI_OK && o->port_file != NULL &&
	    (info == NULL || write_port(o->port_file, info->port) != 0)) {
		cli_err("cannot write %s", o->port_file);
		status = CLI_USAGE;
	}
	if (status == CLI_OK) {
		fprintf(stderr, "pay179: answering platDataOpen on %s:%u, certNo %s, signing string %s\n", o->bind,
			info != NULL ? info->port : o->port, cg_pay179_signer_certno(sv.sg),
			cg_pay179_form_name(o->form));
		(void)sigwait(&set, &sig);
	}
	if (d != NULL)
		MHD_stop_daemon(d);
	cg_pay179_signer_free(sv.sg);
	json_decref(sv.records);
	return status;
}

/* ---- sign and check ----------------------------------------------------------------- */

static int
sign_one(const struct opts *o)
{
	cg_pay179_signer *sg = NULL;
	json_t *records;
	char *out = NULL;
	int status;

	if (o->key == NULL || o->orders == NULL || o->order == NULL) {
		usage(stderr);
		return CLI_USAGE;
	}
	records = load_records(o->orders);
	if (records == NULL)
		return CLI_USAGE;
	status = make_signer(o, &sg);
	if (status == CLI_OK) {
		out = signed_payex(sg, o->form, records, o->order, o->session != NULL ? o->session : "cli", o->show);
		status = out != NULL ? CLI_OK : CLI_INVALID;
	}
	if (out != NULL)
		printf("%s\n", out);
	cg_free(out);
	cg_pay179_signer_free(sg);
	json_decref(records);
	return status;
}

static int
check(const struct opts *o, const char *file)
{
	char *payex = NULL, *cert = NULL, *str = NULL;
	size_t plen = 0, clen = 0;
	cg_pay179_form form = CG_PAY179_QUOTED;
	cg_ctx *ctx = NULL;
	int status = CLI_USAGE;

	if (o->cert == NULL || cli_read_file(file, CG_PAY179_MAX, &payex, &plen) != 0 ||
	    cli_read_file(o->cert, 65536, &cert, &clen) != 0 || cg_ctx_new(&ctx) != CG_OK) {
		if (o->cert == NULL)
			usage(stderr);
		free(payex);
		free(cert);
		return CLI_USAGE;
	}
	while (plen > 0 && (payex[plen - 1] == '\n' || payex[plen - 1] == '\r'))
		plen--;
	if (cg_pay179_verify(ctx, payex, plen, cert, clen, &form) != CG_OK) {
		printf("%s: not valid: %s\n", file, cg_ctx_errmsg(ctx));
		status = CLI_INVALID;
	} else {
		if (cg_pay179_signing_string(ctx, payex, plen, form, &str) == CG_OK)
			printf("%s: valid, signing string %s:\n%s\n", file, cg_pay179_form_name(form), str);
		status = CLI_OK;
	}
	cg_free(str);
	cg_ctx_free(ctx);
	free(payex);
	free(cert);
	return status;
}

int
cmd_pay179(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },      { "cert", required_argument, NULL, 'c' },
		{ "orders", required_argument, NULL, 'o' },   { "upload", required_argument, NULL, 'u' },
		{ "port", required_argument, NULL, 'p' },     { "port-file", required_argument, NULL, 'P' },
		{ "bind", required_argument, NULL, 'b' },     { "sign-form", required_argument, NULL, 'f' },
		{ "digest", required_argument, NULL, 'd' },   { "pass-file", required_argument, NULL, 'F' },
		{ "pass-env", required_argument, NULL, 'E' }, { "order", required_argument, NULL, 'O' },
		{ "session", required_argument, NULL, 's' },  { "show-string", no_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },	      { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	const char *sub;
	char *end;
	unsigned long port;
	int c;

	memset(&o, 0, sizeof(o));
	o.bind = "127.0.0.1";
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	sub = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': o.key = optarg; break;
		case 'c': o.cert = optarg; break;
		case 'o': o.orders = optarg; break;
		case 'u': o.upload = optarg; break;
		case 'P': o.port_file = optarg; break;
		case 'b': o.bind = optarg; break;
		case 'd': o.digest = optarg; break;
		case 'F': o.pass_file = optarg; break;
		case 'E': o.pass_env = optarg; break;
		case 'O': o.order = optarg; break;
		case 's': o.session = optarg; break;
		case 'S': o.show = 1; break;
		case 'v': o.verbose = 1; break;
		case 'p':
			port = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || port > 65535) {
				usage(stderr);
				return CLI_USAGE;
			}
			o.port = (unsigned)port;
			break;
		case 'f':
			if (cg_pay179_form_parse(optarg, &o.form) != CG_OK) {
				cli_err("--sign-form is quoted or plain");
				return CLI_USAGE;
			}
			break;
		case 'h': usage(stdout); return CLI_OK;
		default: usage(stderr); return CLI_USAGE;
		}
	}
	if (strcmp(sub, "serve") == 0 && optind == argc)
		return serve(&o);
	if (strcmp(sub, "sign") == 0 && optind == argc)
		return sign_one(&o);
	if (strcmp(sub, "check") == 0 && optind + 1 == argc)
		return check(&o, argv[optind]);
	usage(stderr);
	return CLI_USAGE;
}
