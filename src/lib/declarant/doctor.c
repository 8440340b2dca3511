/* SPDX-License-Identifier: MIT */
/*
 * The declarant's setup checks (doctor.h): each check adds one entry to the
 * report, with its finding code and what to do when it fails. The key and
 * certificate are read as the signer reads them (sig/keys.c), the KeyName is
 * the one the signer writes, the outbox and the code tables are opened as
 * `cebgate submit` opens them, and the server is asked through its API.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/x509.h>
#include "cebgate/codes.h"
#include "cebgate/doctor.h"
#include "cebgate/outbox.h"
#include "ceb/finding_codes.h"
#include "sig/sigcore.h"

/* Bytes of a server answer read at most. */
#define ANSWER_MAX (1024 * 1024)

struct doctor {
	const cg_doctor_options *o;
	json_t *checks;
	int problems, warnings;
	X509 *cert;
	char keyname[80];
	const char *profile;
	char cop_code[32];
	int server_ok; /* the token was accepted: the later server checks can run */
};

/* One check's entry: @p code NULL for a passing one; @p extra (consumed) adds fields. */
static void
add(struct doctor *d, const char *check, const char *code, const char *zh, const char *en,
    const char *fix_zh, const char *fix_en, json_t *extra)
{
	const struct cg_code_info *info = code != NULL ? cg__code_info(code) : NULL;
	const char *status = "ok";
	json_t *e;

	if (info != NULL) {
		status = info->severity == CG_SEV_ERROR ? "problem" : "warning";
		if (info->severity == CG_SEV_ERROR)
			d->problems++;
		else
			d->warnings++;
	} else if (code != NULL) {
		status = "skipped";
	}
	e = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s?, s:s?}", "check", check, "status", status, "code",
		      info != NULL ? code : NULL, "zh", zh, "en", en, "fixZh", fix_zh, "fixEn", fix_en);
	if (e != NULL && extra != NULL)
		(void)json_object_update(e, extra);
	json_decref(extra);
	if (e != NULL)
		(void)json_array_append_new(d->checks, e);
}

static void
skip(struct doctor *d, const char *check, const char *zh, const char *en)
{
	add(d, check, "skip", zh, en, NULL, NULL, NULL);
}

/* ---- identity ------------------------------------------------------------------- */

int
cg_cop_code_valid(const char *code)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int weights[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
	size_t n = code != NULL ? strlen(code) : 0, i;
	int sum = 0;

	if (n == 10) {
		for (i = 0; i < n; i++) {
			if (!((code[i] >= '0' && code[i] <= '9') || (code[i] >= 'A' && code[i] <= 'Z')))
				return 0;
		}
		return 1;
	}
	if (n != 18)
		return 0;
	for (i = 0; i < 18; i++) {
		const char *p = code[i] != '\0' ? strchr(alphabet, code[i]) : NULL;

		if (p == NULL)
			return 0;
		if (i < 17)
			sum += (int)(p - alphabet) * weights[i];
		else
			return (31 - sum % 31) % 31 == (int)(p - alphabet);
	}
	return 0;
}

int
cg_dxp_id_valid(const char *id)
{
	size_t i;

	if (id == NULL || strlen(id) != 16 || strncmp(id, "DXP", 3) != 0)
		return 0;
	for (i = 3; i < 16; i++) {
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'A' && id[i] <= 'Z')))
			return 0;
	}
	return 1;
}

static void
check_identity(struct doctor *d)
{
	const cg_doctor_options *o = d->o;

	if (d->cop_code[0] == '\0')
		skip(d, "copCode", "未给出copCode（--cop-code），服务器也未告知", "no copCode given (--cop-code) and none from the server");
	else if (!cg_cop_code_valid(d->cop_code))
		add(d, "copCode", "CG4008", "传输企业代码格式不正确", "the copCode has not the form of an enterprise code",
		    "使用海关登记的10位企业代码或18位统一社会信用代码（大写）",
		    "use the 10-character customs registration code or the 18-character unified social credit code, in capitals",
		    json_pack("{s:s}", "copCode", d->cop_code));
	else
		add(d, "copCode", NULL, "传输企业代码格式正确", "the copCode has the form of an enterprise code", NULL, NULL,
		    json_pack("{s:s}", "copCode", d->cop_code));
	if (o->dxp_id == NULL)
		skip(d, "dxpId", "未给出DXP编号（--sender-id）", "no DXP id given (--sender-id)");
	else if (!cg_dxp_id_valid(o->dxp_id))
		add(d, "dxpId", "CG4009", "DXP编号格式不正确", "the DXP id has not the form of a DXP user number",
		    "使用中国电子口岸数据中心分配的16位编号，如DXPENT0000012345",
		    "use the 16-character number the China E-Port data centre issued, e.g. DXPENT0000012345",
		    json_pack("{s:s}", "dxpId", o->dxp_id));
	else
		add(d, "dxpId", NULL, "DXP编号格式正确", "the DXP id has the form of a DXP user number", NULL, NULL,
		    json_pack("{s:s}", "dxpId", o->dxp_id));
}

/* ---- key and certificate -------------------------------------------------------- */

static bool
load_pair(struct doctor *d, cg_ctx *ctx, EVP_PKEY **pkey)
{
	const cg_doctor_options *o = d->o;
	X509 *inner = NULL;

	if (cg__load_key(pkey, ctx, o->key, o->passphrase, o->cert == NULL ? &inner : NULL) != CG_OK) {
		add(d, "key", "CG4001", "签名私钥无法读取", "the signing key cannot be read",
		    "检查私钥文件路径、格式（PEM、PKCS#8、PKCS#12）和口令（--pass-file）",
		    "check the key's path, its format (PEM, PKCS#8, PKCS#12) and its passphrase (--pass-file)",
		    json_pack("{s:s}", "detail", cg_ctx_errmsg(ctx)));
		return false;
	}
	d->cert = inner;
	if (o->cert != NULL && cg__load_cert(&d->cert, ctx, o->cert) != CG_OK) {
		add(d, "certificate", "CG4002", "证书无法读取", "the certificate cannot be read",
		    "给出签名证书文件（PEM或DER，--cert）", "give the signing certificate's file (PEM or DER, --cert)",
		    json_pack("{s:s}", "detail", cg_ctx_errmsg(ctx)));
		return false;
	}
	if (d->cert == NULL) {
		add(d, "certificate", "CG4002", "没有证书", "no certificate", "用--cert给出签名证书",
		    "give the signing certificate with --cert", NULL);
		return false;
	}
	if (EVP_PKEY_eq(X509_get0_pubkey(d->cert), *pkey) != 1) {
		add(d, "key", "CG4003", "私钥与证书不匹配", "the key does not belong to the certificate",
		    "使用与该证书配对的私钥（同一介质导出），或换用私钥对应的证书",
		    "use the key issued with this certificate, or the certificate of this key", NULL);
		return false;
	}
	add(d, "key", NULL, "私钥与证书匹配", "the key belongs to the certificate", NULL, NULL, NULL);
	return true;
}

static void
check_validity(struct doctor *d)
{
	int days = 0, secs = 0;
	const ASN1_TIME *nb = X509_get0_notBefore(d->cert), *na = X509_get0_notAfter(d->cert);
	char until[64] = "";
	BIO *b = BIO_new(BIO_s_mem());

	if (b != NULL && ASN1_TIME_print(b, na) == 1)
		(void)BIO_read(b, until, (int)sizeof(until) - 1);
	BIO_free(b);
	if (X509_cmp_current_time(nb) >= 0)
		add(d, "validity", "CG4004", "证书尚未生效", "the certificate is not valid yet",
		    "检查本机时钟；或等到证书生效日", "check this machine's clock, or wait for the certificate's start",
		    NULL);
	else if (X509_cmp_current_time(na) <= 0)
		add(d, "validity", "CG4005", "证书已过期", "the certificate has expired",
		    "向中国电子口岸申请新证书，并在单一窗口登记（cebgate admin cert add）",
		    "get a new certificate from the China E-Port and register it at the single window (cebgate admin cert add)",
		    json_pack("{s:s}", "notAfter", until));
	else if (ASN1_TIME_diff(&days, &secs, NULL, na) == 1 && days < d->o->warn_days)
		add(d, "validity", "CG4006", "证书即将过期", "the certificate expires soon",
		    "及早更换证书并在单一窗口登记新证书", "renew the certificate and register the new one in time",
		    json_pack("{s:s, s:i}", "notAfter", until, "daysLeft", days));
	else
		add(d, "validity", NULL, "证书在有效期内", "the certificate is valid now", NULL, NULL,
		    json_pack("{s:s, s:i}", "notAfter", until, "daysLeft", days));
}

static void
check_profile(struct doctor *d)
{
	int type = cg__key_type(X509_get0_pubkey(d->cert));
	const char *want = d->o->profile;
	bool fits;

	if (type < 0) {
		add(d, "profile", "CG4007", "证书算法既不是RSA也不是SM2", "the certificate's key is neither RSA nor SM2",
		    "使用中国电子口岸签发的RSA或SM2证书", "use an RSA or SM2 certificate from the China E-Port", NULL);
		return;
	}
	d->profile = want != NULL ? want : type == CG_KEY_SM2 ? "sm2-sm3" : "rsa-sha1";
	fits = type == CG_KEY_SM2 ? strcmp(d->profile, "sm2-sm3") == 0
				  : strcmp(d->profile, "rsa-sha1") == 0 || strcmp(d->profile, "rsa-sha256") == 0;
	if (!fits)
		add(d, "profile", "CG4007", "证书算法与签名方案不符", "the certificate's algorithm does not fit the profile",
		    type == CG_KEY_SM2 ? "SM2证书使用sm2-sm3方案" : "RSA证书使用rsa-sha1或rsa-sha256方案",
		    type == CG_KEY_SM2 ? "an SM2 certificate signs with the sm2-sm3 profile"
				       : "an RSA certificate signs with rsa-sha1 or rsa-sha256",
		    json_pack("{s:s, s:s}", "profile", d->profile, "algorithm", type == CG_KEY_SM2 ? "SM2" : "RSA"));
	else
		add(d, "profile", NULL, "签名方案与证书算法相符", "the profile fits the certificate's algorithm", NULL, NULL,
		    json_pack("{s:s, s:s}", "profile", d->profile, "algorithm", type == CG_KEY_SM2 ? "SM2" : "RSA"));
	cg__cert_serial_hex(d->cert, d->keyname, sizeof(d->keyname));
	add(d, "keyName", NULL, "签名中写入的KeyName（证书序列号）", "the KeyName signatures will carry (the certificate serial)",
	    NULL, NULL, json_pack("{s:s}", "keyName", d->keyname));
}

/* ---- code tables ---------------------------------------------------------------- */

static void
check_codes(struct doctor *d, cg_ctx *ctx)
{
	cg_codes *c = NULL;
	json_t *used = json_object();
	size_t i;
	int missing = 0;

	if (used == NULL || cg_codes_open(&c, ctx, NULL) != CG_OK) {
		json_decref(used);
		add(d, "codes", "CG4010", "代码表无法读取", "the code tables cannot be read",
		    "重新安装cebgate，或检查$CEBGATE_DATADIR", "reinstall cebgate or check $CEBGATE_DATADIR", NULL);
		return;
	}
	for (i = 0; i < cg_codes_edition_count(c); i++) {
		const struct cg_edition *e = cg_codes_edition(c, i), *now = cg_codes_in_force(c, e->table, NULL);

		if (now == NULL)
			missing++;
		else
			(void)json_object_set_new(used, e->table, json_string(now->edition));
	}
	cg_codes_close(c);
	if (missing > 0)
		add(d, "codes", "CG4010", "有代码表今天没有生效的版本", "a code table has no edition in force today",
		    "导入现行版本（cebgate codes import）", "import the edition in force (cebgate codes import)",
		    json_pack("{s:o}", "editions", used));
	else
		add(d, "codes", NULL, "使用中的代码表版本", "the code-table editions in use", NULL, NULL,
		    json_pack("{s:o}", "editions", used));
}

/* ---- the single window ---------------------------------------------------------- */

struct answer {
	char *body;
	size_t n;
	time_t date; /* the Date header, or -1 */
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t len = size * n;
	char *q;

	if (a->n + len > ANSWER_MAX || (q = realloc(a->body, a->n + len + 1)) == NULL)
		return 0;
	memcpy(q + a->n, p, len);
	a->body = q;
	a->n += len;
	a->body[a->n] = '\0';
	return len;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t len = size * n;
	char line[128];

	if (len > 5 && len < sizeof(line) && strncasecmp(p, "Date:", 5) == 0) {
		memcpy(line, p + 5, len - 5);
		line[len - 5] = '\0';
		a->date = curl_getdate(line, NULL);
	}
	return len;
}

/* GET @p path of the server with the token: the curl result, *status and the answer. */
static CURLcode
get(const cg_doctor_options *o, const char *path, long *status, struct answer *a, char *err)
{
	char url[2048], auth[600];
	struct curl_slist *h = NULL;
	CURL *e = curl_easy_init();
	CURLcode rc = CURLE_OUT_OF_MEMORY;

	*status = 0;
	a->date = -1;
	err[0] = '\0';
	if (e == NULL || snprintf(url, sizeof(url), "%s%s", o->server, path) >= (int)sizeof(url) ||
	    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", o->token != NULL ? o->token : "") >=
		    (int)sizeof(auth) ||
	    (h = curl_slist_append(NULL, auth)) == NULL)
		goto out;
	if (curl_easy_setopt(e, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, a) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HEADERDATA, a) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, err) != CURLE_OK ||
	    (o->ca_file != NULL && curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file) != CURLE_OK) ||
	    (o->client_cert != NULL && curl_easy_setopt(e, CURLOPT_SSLCERT, o->client_cert) != CURLE_OK) ||
	    (o->client_key != NULL && curl_easy_setopt(e, CURLOPT_SSLKEY, o->client_key) != CURLE_OK))
		goto out;
	rc = curl_easy_perform(e);
	if (rc == CURLE_OK)
		(void)curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
	if (err[0] == '\0')
		(void)snprintf(err, CURL_ERROR_SIZE, "%s", curl_easy_strerror(rc));
out:
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	return rc;
}

static void
check_clock(struct doctor *d, time_t server)
{
	long long skew = (long long)time(NULL) - (long long)server;

	if (server < 0)
		skip(d, "clock", "服务器回答中没有Date", "the server's answer has no Date");
	else if (skew > d->o->max_skew || -skew > d->o->max_skew)
		add(d, "clock", "CG4016", "本机时钟与服务器相差过大", "this machine's clock differs from the server's",
		    "用NTP同步本机时钟（报文时间与证书有效期都以时钟为准）",
		    "synchronise the clock with NTP (message times and certificate validity depend on it)",
		    json_pack("{s:I}", "skewSeconds", (json_int_t)skew));
	else
		add(d, "clock", NULL, "本机时钟与服务器一致", "the clock agrees with the server's", NULL, NULL,
		    json_pack("{s:I}", "skewSeconds", (json_int_t)skew));
}

/* The session: who the token is. */
static void
check_token(struct doctor *d, long status, const char *body)
{
	json_t *s = status == 200 ? json_loads(body != NULL ? body : "", 0, NULL) : NULL;
	const char *role = json_string_value(json_object_get(s, "role"));
	const char *ent = json_string_value(json_object_get(s, "enterprise"));

	if (role == NULL || strcmp(role, "enterprise") != 0) {
		add(d, "token", "CG4013", "令牌被拒绝或不是企业令牌", "the token is refused or is not an enterprise's token",
		    "向单一窗口管理员申请企业的API令牌（cebgate admin token new --enterprise），放入--token-file",
		    "ask the single window's operator for the enterprise's API token (cebgate admin token new"
		    " --enterprise) and give it with --token-file",
		    json_pack("{s:i}", "httpStatus", (int)status));
	} else if (d->cop_code[0] != '\0' && ent != NULL && strcmp(ent, d->cop_code) != 0) {
		add(d, "token", "CG4021", "令牌属于另一家企业", "the token belongs to another enterprise",
		    "使用本企业（copCode）的令牌", "use the token of the enterprise named by copCode",
		    json_pack("{s:s}", "tokenEnterprise", ent));
	} else {
		if (d->cop_code[0] == '\0' && ent != NULL)
			(void)snprintf(d->cop_code, sizeof(d->cop_code), "%s", ent);
		add(d, "token", NULL, "令牌被接受", "the token is accepted", NULL, NULL,
		    json_pack("{s:s?}", "enterprise", ent));
		d->server_ok = 1;
	}
	json_decref(s);
}

static void
check_reach(struct doctor *d)
{
	const cg_doctor_options *o = d->o;
	struct answer a = { NULL, 0, -1 };
	char err[CURL_ERROR_SIZE];
	long status = 0;
	CURLcode rc = get(o, "/api/v1/session", &status, &a, err);

	if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_SSL_CACERT_BADFILE) {
		add(d, "server", "CG4012", "服务器的TLS证书验证失败", "the server's TLS certificate does not verify",
		    "用--cacert给出签发服务器证书的CA；核对服务器地址", "give the CA of the server's certificate with"
		    " --cacert; check the server's address", json_pack("{s:s}", "detail", err));
	} else if (rc != CURLE_OK) {
		add(d, "server", "CG4011", "无法连接单一窗口服务", "the single window cannot be reached",
		    "检查--server地址、网络和防火墙", "check the --server address, the network and the firewall",
		    json_pack("{s:s}", "detail", err));
	} else {
		if (strncmp(o->server, "https://", 8) != 0)
			add(d, "server", "CG4022", "未使用TLS连接服务器", "the server is reached without TLS",
			    "使用https://地址", "use the https:// address", NULL);
		else
			add(d, "server", NULL, "通过TLS连接到服务器", "the server answers over TLS", NULL, NULL, NULL);
		check_token(d, status, a.body);
		check_clock(d, a.date);
	}
	free(a.body);
}

static void
check_registered(struct doctor *d)
{
	struct answer a = { NULL, 0, -1 };
	char path[256], err[CURL_ERROR_SIZE];
	long status = 0;
	json_t *c;

	if (!d->server_ok || d->keyname[0] == '\0' || d->cop_code[0] == '\0') {
		skip(d, "registered", "未能核对证书登记", "the certificate's registration could not be checked");
		return;
	}
	(void)snprintf(path, sizeof(path), "/api/v1/enterprises/%s/certificates/%s", d->cop_code, d->keyname);
	if (get(d->o, path, &status, &a, err) != CURLE_OK || (status != 200 && status != 404)) {
		add(d, "registered", "CG4011", "无法向服务器核对证书登记", "the server did not say whether the certificate is registered",
		    "稍后再试", "try again later", json_pack("{s:i}", "httpStatus", (int)status));
	} else if (status == 404) {
		add(d, "registered", "CG4014", "证书未在单一窗口为本企业登记", "the certificate is not registered for this enterprise",
		    "请管理员登记该证书（cebgate admin cert add COPCODE CERT）", "have the operator register it"
		    " (cebgate admin cert add COPCODE CERT)", json_pack("{s:s, s:s}", "copCode", d->cop_code, "serial", d->keyname));
	} else {
		c = json_loads(a.body != NULL ? a.body : "", 0, NULL);
		if (c != NULL && strcmp(json_string_value(json_object_get(c, "state")) != NULL
					       ? json_string_value(json_object_get(c, "state")) : "", "revoked") == 0)
			add(d, "registered", "CG4015", "证书已被单一窗口吊销", "the certificate was revoked at the single window",
			    "换用新证书并登记", "sign with a new certificate and have it registered",
			    json_pack("{s:s}", "serial", d->keyname));
		else
			add(d, "registered", NULL, "证书已为本企业登记", "the certificate is registered for this enterprise",
			    NULL, NULL, json_pack("{s:s}", "serial", d->keyname));
		json_decref(c);
	}
	free(a.body);
}

/* ---- the outbox and the folders ------------------------------------------------- */

static void
check_outbox(struct doctor *d, cg_ctx *ctx)
{
	cg_outbox *ob = NULL;
	cg_outbox_counts c;
	struct stat st;

	if (d->o->outbox == NULL || (stat(d->o->outbox, &st) != 0 && errno == ENOENT)) {
		skip(d, "outbox", "还没有发件箱（第一次提交时创建）", "no outbox yet (the first submit makes it)");
		return;
	}
	if (cg_outbox_open(&ob, ctx, d->o->outbox) != CG_OK || cg_outbox_counts_get(ob, ctx, &c) != CG_OK) {
		add(d, "outbox", "CG4017", "发件箱无法读取", "the outbox cannot be read",
		    "检查文件权限与磁盘；不要删除-wal文件", "check the file's permissions and the disk; never delete its -wal file",
		    json_pack("{s:s, s:s}", "outbox", d->o->outbox, "detail", cg_ctx_errmsg(ctx)));
	} else if (c.dead > 0) {
		add(d, "outbox", "CG4018", "发件箱中有放弃发送的申报", "the outbox holds declarations it gave up on",
		    "查明原因后用cebgate submit --retry-dead重发", "find out why, then send them again with cebgate submit --retry-dead",
		    json_pack("{s:I, s:I}", "pending", (json_int_t)(c.signed_ + c.submitted), "dead", (json_int_t)c.dead));
	} else {
		add(d, "outbox", NULL, "发件箱可读", "the outbox is readable", NULL, NULL,
		    json_pack("{s:I, s:I}", "pending", (json_int_t)(c.signed_ + c.submitted), "dead", (json_int_t)c.dead));
	}
	cg_outbox_close(ob);
}

/* Whether @p path is a folder (writable or not). */
static bool
check_folder(struct doctor *d, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		add(d, "folders", "CG4019", "目录通道的文件夹不存在", "a folder of the dir: channel is missing",
		    "创建该文件夹，或核对传输客户端配置的目录", "create it, or check the folders the transfer client uses",
		    json_pack("{s:s}", "folder", path));
		return false;
	}
	if (access(path, W_OK | X_OK) != 0)
		add(d, "folders", "CG4020", "目录通道的文件夹不可写", "a folder of the dir: channel is not writable",
		    "给运行cebgate的用户写权限", "let the user running cebgate write there", json_pack("{s:s}", "folder", path));
	else
		add(d, "folders", NULL, "文件夹存在且可写", "the folder is there and writable", NULL, NULL,
		    json_pack("{s:s}", "folder", path));
	return true;
}

static void
check_folders(struct doctor *d)
{
	static const char *const subs[] = { "", "/outbox", "/inbox", "/archive", "/error" };
	char path[4096];
	size_t i;

	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		(void)snprintf(path, sizeof(path), "%s%s", d->o->channel + 4, subs[i]);
		/* No use looking inside a folder that is not there. */
		if (!check_folder(d, path) && i == 0)
			return;
	}
}

/* ---- the report ------------------------------------------------------------------ */

static void
check_key_and_cert(struct doctor *d, cg_ctx *ctx)
{
	EVP_PKEY *pkey = NULL;

	if (d->o->key == NULL) {
		skip(d, "key", "未给出私钥（--key）", "no key given (--key)");
		return;
	}
	if (load_pair(d, ctx, &pkey)) {
		check_validity(d);
		check_profile(d);
	}
	EVP_PKEY_free(pkey);
}

cg_rc
cg_doctor_run(cg_ctx *ctx, const cg_doctor_options *o, char **json, int *problems)
{
	struct doctor d;
	bool dir = o->channel != NULL && strncmp(o->channel, "dir:", 4) == 0;
	json_t *root;

	memset(&d, 0, sizeof(d));
	d.o = o;
	*json = NULL;
	*problems = 0;
	d.checks = json_array();
	if (d.checks == NULL)
		return CG_ENOMEM;
	if (o->cop_code != NULL)
		(void)snprintf(d.cop_code, sizeof(d.cop_code), "%s", o->cop_code);
	check_key_and_cert(&d, ctx);
	check_codes(&d, ctx);
	if (o->server != NULL && !dir)
		check_reach(&d);
	else
		skip(&d, "server", dir ? "目录通道不连接服务器" : "未给出服务器（--server）",
		     dir ? "a dir: channel does not talk to the server" : "no server given (--server)");
	check_registered(&d);
	check_identity(&d);
	check_outbox(&d, ctx);
	if (dir)
		check_folders(&d);
	X509_free(d.cert);
	root = json_pack("{s:b, s:i, s:i, s:s?, s:s?, s:s?, s:o}", "ok", d.problems == 0, "problems", d.problems,
			 "warnings", d.warnings, "keyName", d.keyname[0] != '\0' ? d.keyname : NULL, "profile",
			 d.profile, "copCode", d.cop_code[0] != '\0' ? d.cop_code : NULL, "checks", d.checks);
	*problems = d.problems;
	*json = root != NULL ? cg__json_text(root, JSON_INDENT(2)) : NULL;
	json_decref(root);
	return *json != NULL ? CG_OK : CG_ENOMEM;
}
