/* SPDX-License-Identifier: MIT */
/*
 * cebgated's life: files and keys read at start, libmicrohttpd started with
 * every limit of security.md (thread pool with epoll; the connection limits
 * and deadlines of conns.c), each pool thread's own
 * service, the main loop (parked long-polls, request deadlines, the match
 * timeout sweep) and a clean stop.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <openssl/crypto.h>
#include "daemon.h"
#include "conns.h"
#include "server.h"

static int serve(struct srv *sp, const struct srv_config *cfg, volatile sig_atomic_t *stop);

static void
svc_destroy(void *p)
{
	cg_service_free(p);
}

static cg_rc
configure(const struct srv_config *cfg, cg_service *svc, cg_ctx *ctx)
{
	cg_service_options o = CG_SERVICE_OPTIONS_INIT;

	o.match_timeout = cfg->match_timeout;
	o.random_per_mille = cfg->random_rate;
	o.value_threshold = cfg->value_threshold;
	o.watch_hs = cfg->watch_hs;
	o.near_quota_percent = cfg->near_quota;
	o.new_enterprise_days = cfg->new_enterprise_days;
	o.lease_seconds = cfg->lease;
	o.tax_return_days = cfg->tax_return_days;
	o.pay179_value = cfg->pay179_value;
	o.pay179_per_mille = cfg->pay179_rate;
	o.export_payment_required = cfg->export_payment_required;
	o.export_arrival_required = cfg->export_arrival_required;
	o.export_summary_any_month = cfg->summary_any_month;
	o.export_summary_exclude_a = cfg->summary_exclude_a;
	o.export_summary_gseqno_rows = cfg->summary_gseqno_rows;
	o.export_return_days = cfg->export_return_days;
	return cg_service_configure(svc, ctx, &o);
}

/* The calling thread's service, made on first use. */
cg_service *
srv_thread_service(struct srv *s)
{
	cg_service *svc = pthread_getspecific(s->svc_key);
	cg_ctx *ctx = NULL;

	if (svc != NULL)
		return svc;
	if (cg_ctx_new(&ctx) != CG_OK)
		return NULL;
	if (cg_service_new(&svc, ctx, s->cfg->db, NULL) != CG_OK || configure(s->cfg, svc, ctx) != CG_OK) {
		srv_log(SRV_ERROR, "cannot open the service", "reason", cg_ctx_errmsg(ctx), NULL);
		cg_service_free(svc);
		svc = NULL;
	} else if (pthread_setspecific(s->svc_key, svc) != 0) {
		cg_service_free(svc);
		svc = NULL;
	} else {
		cg_service_set_committer(svc, s->committer);
		if (s->custody_pass != NULL &&
		    cg_service_set_custody(svc, NULL, s->cfg->custody_dir, s->custody_pass) != CG_OK)
			srv_log(SRV_ERROR, "custody settings: out of memory", NULL);
	}
	cg_ctx_free(ctx);
	return svc;
}

static void
on_log(void *cls, const char *fmt, va_list ap)
{
	srv_log_mhd(cls, fmt, ap);
}

static int
write_port_file(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *fp;
	int ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	fp = fopen(tmp, "w");
	if (fp == NULL)
		return -1;
	ok = fprintf(fp, "%u\n", port) > 0;
	ok = fclose(fp) == 0 && ok;
	/* Readers poll for the file: it appears complete or not at all. */
	return ok && rename(tmp, path) == 0 ? 0 : -1;
}

/* A PEM file into a NUL-terminated string (at most 1 MiB). */
static int
read_pem(const char *path, char **out)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t n;

	*out = NULL;
	if (fp == NULL)
		return -1;
	buf = calloc(1, 1024 * 1024 + 1);
	n = buf != NULL ? fread(buf, 1, 1024 * 1024, fp) : 0;
	fclose(fp);
	if (buf == NULL || n == 0 || n == 1024 * 1024) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

/* A private directory (created when absent). */
static int
private_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return -1;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

/* The upload and custody directories, and the custody passphrase (first line of its file). */
static int
prepare_files(struct srv *sp, const struct srv_config *cfg)
{
	char *pass = NULL;

	if ((cfg->state_dir != NULL && private_dir(cfg->state_dir) != 0) ||
	    private_dir(cfg->upload_dir) != 0 || private_dir(cfg->custody_dir) != 0) {
		char why[128];

		fprintf(stderr, "cebgated: cannot use %s or %s: %s\n", cfg->upload_dir, cfg->custody_dir,
			strerror_r(errno, why, sizeof(why)));
		return -1;
	}
	if (cfg->custody_pass_file == NULL)
		return 0;
	if (read_pem(cfg->custody_pass_file, &pass) != 0) {
		fprintf(stderr, "cebgated: cannot read %s\n", cfg->custody_pass_file);
		return -1;
	}
	pass[strcspn(pass, "\r\n")] = '\0';
	if (strlen(pass) < 8) {
		fprintf(stderr, "cebgated: the custody passphrase needs at least 8 characters\n");
		OPENSSL_cleanse(pass, strlen(pass));
		free(pass);
		return -1;
	}
	sp->custody_pass = pass;
	return 0;
}

static struct srv_conns *
new_conns(const struct srv_config *cfg)
{
	struct srv_conn_limits l;

	l.total = cfg->conn_limit;
	l.reserved = (unsigned)cfg->reserved;
	l.per_ip = cfg->per_ip_limit;
	l.per_known_ip = cfg->known_ip_limit;
	l.header_s = cfg->header_timeout;
	l.request_s = cfg->request_timeout;
	l.idle_s = cfg->timeout;
	srv_proxies_use(&cfg->proxies);
	return srv_conns_new(&l);
}

/*
 * Descriptors for every connection the limits allow, those on their way out,
 * the database and the files: the soft limit up to the hard one.
 */
static void
raise_fd_limit(unsigned want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		fprintf(stderr, "level=warn msg=\"cannot raise the descriptor limit\" want=%u\n", want);
}

int
srv_run(const struct srv_config *cfg, volatile sig_atomic_t *stop)
{
	struct srv *sp = calloc(1, sizeof(*sp)); /* large (the login table): on the heap */
	int rc;

	pthread_condattr_t ca;

	if (sp == NULL || pthread_mutex_init(&sp->limit_lock, NULL) != 0) {
		free(sp);
		return -1;
	}
	if (pthread_mutex_init(&sp->messages_lock, NULL) != 0) {
		pthread_mutex_destroy(&sp->limit_lock);
		free(sp);
		return -1;
	}
	/* The main loop waits on `wake` with a monotonic deadline. */
	if (pthread_mutex_init(&sp->park_lock, NULL) != 0 || pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 || pthread_cond_init(&sp->wake, &ca) != 0) {
		pthread_mutex_destroy(&sp->limit_lock);
		free(sp);
		return -1;
	}
	pthread_condattr_destroy(&ca);
	sp->conns = new_conns(cfg);
	if (sp->conns == NULL || (cfg->group_commit && cg_committer_new(&sp->committer) != CG_OK) ||
	    prepare_files(sp, cfg) != 0)
		rc = -1;
	else
		rc = serve(sp, cfg, stop);
	srv_conns_free(sp->conns);
	if (sp->custody_pass != NULL)
		OPENSSL_cleanse(sp->custody_pass, strlen(sp->custody_pass));
	free(sp->custody_pass);
	cg_committer_free(sp->committer); /* after the pool threads and their services are gone */
	pthread_cond_destroy(&sp->wake);
	pthread_mutex_destroy(&sp->park_lock);
	pthread_mutex_destroy(&sp->limit_lock);
	pthread_mutex_destroy(&sp->messages_lock);
	if (sp->tls_key != NULL)
		memset(sp->tls_key, 0, strlen(sp->tls_key));
	free(sp->tls_cert);
	free(sp->tls_key);
	free(sp->tls_ca);
	free(sp);
	return rc;
}

static int
serve(struct srv *sp, const struct srv_config *cfg, volatile sig_atomic_t *stop)
{
	struct sockaddr_in addr;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	cg_service *probe = NULL;
	cg_ctx *ctx = NULL;
	char *tls_cert = NULL, *tls_key = NULL, num[24];
	long long next_sweep = srv_now_ms() + 1000;
	/*
	 * conns.c enforces the limits; libmicrohttpd's own are only a backstop,
	 * above them by the connections refused, dropped or cut and not yet closed.
	 */
	unsigned backstop = cfg->conn_limit + cfg->conn_limit / 2 + 4 * cfg->threads;

	sp->cfg = cfg;
	sp->stop = stop;
	raise_fd_limit(backstop + 256);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)cfg->port);
	if (inet_pton(AF_INET, cfg->bind, &addr.sin_addr) != 1) {
		fprintf(stderr, "cebgated: bad bind address %s\n", cfg->bind);
		return -1;
	}
	/*
	 * Open (and migrate) the database before serving, so errors show at start;
	 * this main-thread service then runs the periodic sweep of unmatched inventories.
	 */
	if (cg_ctx_new(&ctx) != CG_OK || cg_service_new(&probe, ctx, cfg->db, NULL) != CG_OK ||
	    configure(cfg, probe, ctx) != CG_OK) {
		fprintf(stderr, "cebgated: %s\n", ctx != NULL ? cg_ctx_errmsg(ctx) : "out of memory");
		cg_service_free(probe);
		cg_ctx_free(ctx);
		return -1;
	}
	if (srv_codes_open() != 0 || pthread_key_create(&sp->svc_key, svc_destroy) != 0) {
		srv_codes_close();
		cg_service_free(probe);
		cg_ctx_free(ctx);
		return -1;
	}
	/*
	 * The workers and the writer before the first request: each opens its
	 * service as it starts (an HTTP thread on first use).
	 */
	if (srv_pipeline_start(sp) != 0) {
		fprintf(stderr, "cebgated: cannot start the submission workers\n");
		pthread_key_delete(sp->svc_key);
		srv_codes_close();
		cg_service_free(probe);
		cg_ctx_free(ctx);
		return -1;
	}
	if (cfg->tls_cert != NULL && (read_pem(cfg->tls_cert, &tls_cert) != 0 ||
				      read_pem(cfg->tls_key, &tls_key) != 0 ||
				      (cfg->tls_client_ca != NULL && read_pem(cfg->tls_client_ca, &sp->tls_ca) != 0))) {
		fprintf(stderr, "cebgated: cannot read the TLS certificate or key\n");
		d = NULL;
	} else {
		/* TLS (libmicrohttpd's) only when a certificate is configured. */
		struct MHD_OptionItem tls[] = {
			{ MHD_OPTION_HTTPS_MEM_CERT, 0, tls_cert },
			{ MHD_OPTION_HTTPS_MEM_KEY, 0, tls_key },
			{ sp->tls_ca != NULL ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0, sp->tls_ca },
			{ MHD_OPTION_END, 0, NULL },
		};

		d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
					     MHD_ALLOW_SUSPEND_RESUME |
					     (tls_cert != NULL ? MHD_USE_TLS : 0),
				     0, NULL, NULL, srv_on_request, sp,
				     MHD_OPTION_EXTERNAL_LOGGER, on_log, sp,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				     MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
				     MHD_OPTION_CONNECTION_LIMIT, backstop,
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT, 0u,
				     /* Until the headers are in; then `timeout` (srv_conns_request). */
				     MHD_OPTION_CONNECTION_TIMEOUT, cfg->header_timeout,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
				     MHD_OPTION_LISTEN_BACKLOG_SIZE, 64u,
				     MHD_OPTION_STRICT_FOR_CLIENT, 1,
				     MHD_OPTION_NOTIFY_COMPLETED, srv_on_completed, sp,
				     MHD_OPTION_NOTIFY_CONNECTION, srv_conns_notify, sp->conns,
				     MHD_OPTION_ARRAY, tls_cert != NULL ? tls : tls + 3,
				     MHD_OPTION_END);
	}
	/* MHD keeps pointers to these: they live as long as the daemon (freed by srv_run). */
	sp->tls_cert = tls_cert;
	sp->tls_key = tls_key;
	if (d == NULL) {
		fprintf(stderr, "cebgated: cannot listen on %s:%u\n", cfg->bind, cfg->port);
		srv_pipeline_stop(sp);
		pthread_key_delete(sp->svc_key);
		srv_codes_close();
		cg_service_free(probe);
		cg_ctx_free(ctx);
		return -1;
	}
	/* Listening for the other nodes' writes before anyone can park a long-poll. */
	if (srv_hints_start(sp) != 0) {
		MHD_stop_daemon(d);
		srv_pipeline_stop(sp);
		pthread_key_delete(sp->svc_key);
		srv_codes_close();
		cg_service_free(probe);
		cg_ctx_free(ctx);
		return -1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	(void)snprintf(num, sizeof(num), "%u", info != NULL ? info->port : cfg->port);
	srv_log(SRV_INFO, "listening", "addr", cfg->bind, "port", num, NULL);
	if (cfg->port_file != NULL && (info == NULL || write_port_file(cfg->port_file, info->port) != 0)) {
		fprintf(stderr, "cebgated: cannot write %s\n", cfg->port_file);
		MHD_stop_daemon(d);
		srv_hints_stop(sp);
		srv_pipeline_stop(sp);
		pthread_key_delete(sp->svc_key);
		srv_codes_close();
		cg_service_free(probe);
		cg_ctx_free(ctx);
		return -1;
	}
	if (srv_deliver_start(sp) != 0) {
		MHD_stop_daemon(d);
		srv_pipeline_stop(sp);
		pthread_key_delete(sp->svc_key);
		srv_codes_close();
		cg_service_free(probe);
		cg_ctx_free(ctx);
		return -1;
	}
	while (!*stop) {
		int rejected = 0;
		unsigned cut;

		srv_wait_for_change(sp, 100);
		srv_unpark(sp, 0);
		if (srv_codes_reload_requested) {
			char *json = NULL;

			srv_codes_reload_requested = 0;
			(void)srv_codes_reload(probe, ctx, NULL, &json);
			cg_free(json);
		}
		cut = srv_conns_sweep(sp->conns);
		if (cut > 0) {
			(void)snprintf(num, sizeof(num), "%u", cut);
			srv_log(SRV_WARN, "request not received in time", "closed", num, NULL);
		}
		if (srv_now_ms() < next_sweep)
			continue;
		/* Every second: refuse inventories that waited past the match timeout. */
		next_sweep = srv_now_ms() + 1000;
		if (cg_service_sweep(probe, ctx, &rejected) != CG_OK) {
			srv_log(SRV_ERROR, "sweep failed", "reason", cg_ctx_errmsg(ctx), NULL);
		} else if (rejected > 0) {
			(void)snprintf(num, sizeof(num), "%d", rejected);
			srv_log(SRV_INFO, "match timeout", "rejected", num, NULL);
			srv_changed(sp);
		}
	}
	/*
	 * In-flight requests finish; every write is a committed transaction or
	 * nothing. Parked long-polls answer with what they have (MHD must not be
	 * stopped with connections suspended).
	 */
	srv_log(SRV_INFO, "stopping", NULL);
	srv_submissions_drain(sp); /* every submission received is answered first */
	srv_uploads_drain(sp);
	srv_deliver_stop(sp);
	srv_unpark(sp, 1);
	srv_wait_for_change(sp, 100);
	MHD_stop_daemon(d);
	srv_pipeline_stop(sp); /* nothing is queued any more; the writer empties its queue */
	srv_hints_stop(sp); /* no pool thread pokes it any more */
	pthread_key_delete(sp->svc_key);
	srv_codes_close();
	cg_service_free(probe);
	cg_ctx_free(ctx);
	return 0;
}
