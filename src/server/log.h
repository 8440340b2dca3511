/* SPDX-License-Identifier: MIT */
/*
 * cebgated's log on stderr: one line per event, JSON objects or key=value
 * text (log-format), from a least level up (log-level). Each request gets
 * an access line (who, what, status, bytes, time) under a request id that
 * its answer carries as X-Request-Id; libmicrohttpd's own warnings come
 * through here too. No bodies, query strings, tokens or passwords.
 */
#ifndef SRV_LOG_H
#define SRV_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum srv_level { SRV_DEBUG, SRV_INFO, SRV_WARN, SRV_ERROR };

/* Before any thread starts: JSON (1) or text (0) lines, and the least level written. */
void srv_log_setup(int json, enum srv_level least);
/* "debug", "info", "warn", "error" -> 0 and *out; -1 for another word. */
int srv_level_parse(const char *word, enum srv_level *out);

/* One event: @p msg, then key and value strings, NULL-ended. */
void srv_log(enum srv_level level, const char *msg, ...);
/* libmicrohttpd's MHD_OPTION_EXTERNAL_LOGGER: one warn line per message. */
void srv_log_mhd(void *cls, const char *fmt, va_list ap);

#define SRV_REQUEST_ID_MAX 64

/* What the access line of one request says, filled in as the request goes. */
struct srv_reqlog {
	char id[SRV_REQUEST_ID_MAX + 1];
	char client[64];
	char who[160];    /* user name or enterprise code, "" when anonymous */
	char method[16];
	char path[256];   /* without the query string */
	size_t bytes;     /* of the answer's body */
};

/*
 * A request's id: @p offered (a client's X-Request-Id) when @p trusted and it
 * is 1 to 64 characters of [A-Za-z0-9._:-]; else a fresh random one.
 */
void srv_request_id(char *id, const char *offered, int trusted);
/* The request the calling thread works on (its answer gets X-Request-Id); NULL to leave it. */
void srv_reqlog_enter(struct srv_reqlog *l);
struct srv_reqlog *srv_reqlog_current(void);
/* The access line: @p status, @p ms of the request's life. */
void srv_log_access(const struct srv_reqlog *l, unsigned status, long ms);

#endif
