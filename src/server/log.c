/* SPDX-License-Identifier: MIT */
/* cebgated's log (log.h): JSON lines through jansson, or key=value text. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <jansson.h>
#include <openssl/rand.h>
#include "cebgate/common.h"
#include "log.h"

/* Set once by srv_log_setup() before the threads start; read-only afterwards. */
static int log_json = 1;
static enum srv_level log_least = SRV_INFO;
static _Thread_local struct srv_reqlog *current;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void
srv_log_setup(int json, enum srv_level least)
{
	log_json = json;
	log_least = least;
}

int
srv_level_parse(const char *word, enum srv_level *out)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(word, level_names[i]) == 0) {
			*out = (enum srv_level)i;
			return 0;
		}
	}
	return -1;
}

/* A text value as it is when it is one plain word, else quoted with \" and \\ escaped. */
static void
put_text_value(FILE *out, const char *v)
{
	const char *p;

	if (*v != '\0' && strcspn(v, " \t\"\\=") == strlen(v)) {
		fputs(v, out);
		return;
	}
	fputc('"', out);
	for (p = v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', out);
		fputc((unsigned char)*p < 0x20 ? ' ' : *p, out);
	}
	fputc('"', out);
}

/* A JSON string of @p v, which need not be valid UTF-8 (a name from the database). */
static json_t *
text(const char *v)
{
	json_t *s = json_string(v);

	return s != NULL ? s : json_string("?");
}

/* One line from an object of string, integer and real members, in their order. */
static void
emit(json_t *o)
{
	char *line = NULL;
	size_t len = 0;
	FILE *mem;
	const char *k;
	json_t *v;

	if (log_json) {
		line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	} else if ((mem = open_memstream(&line, &len)) != NULL) {
		json_object_foreach(o, k, v) {
			if (mem != NULL && ftell(mem) > 0)
				fputc(' ', mem);
			fprintf(mem, "%s=", k);
			if (json_is_string(v))
				put_text_value(mem, json_string_value(v));
			else if (json_is_integer(v))
				fprintf(mem, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			else
				fprintf(mem, "%.3f", json_number_value(v));
		}
		if (fclose(mem) != 0) {
			free(line);
			line = NULL;
		}
	}
	/* One write per line: lines of several threads do not interleave. */
	if (line != NULL)
		fprintf(stderr, "%s\n", line);
	free(line);
}

/* An object with time, level and msg, the first members of every line. */
static json_t *
event(enum srv_level level, const char *msg)
{
	char when[CG_TIME_ISO_SIZE];
	json_t *o = json_object();

	if (o == NULL || json_object_set_new(o, "time", text(cg_time_iso8601((long long)time(NULL), when))) != 0 ||
	    json_object_set_new(o, "level", text(level_names[level])) != 0 ||
	    json_object_set_new(o, "msg", text(msg)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

void
srv_log(enum srv_level level, const char *msg, ...)
{
	json_t *o;
	va_list ap;
	const char *k, *v;

	if (level < log_least || (o = event(level, msg)) == NULL)
		return;
	va_start(ap, msg);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		(void)json_object_set_new(o, k, text(v != NULL ? v : ""));
	}
	va_end(ap);
	emit(o);
	json_decref(o);
}

void
srv_log_mhd(void *cls, const char *fmt, va_list ap)
{
	char text[512];
	size_t i;

	(void)cls;
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	/* Its messages end in a newline and may hold more: one line each. */
	for (i = 0; text[i] != '\0'; i++) {
		if (text[i] == '\n' || text[i] == '\r')
			text[i] = ' ';
	}
	while (i > 0 && text[i - 1] == ' ')
		text[--i] = '\0';
	srv_log(SRV_WARN, text, "source", "libmicrohttpd", NULL);
}

static int
id_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '_' || ch == ':' || ch == '-';
}

/*
 * The bytes of a new request id, from OpenSSL's generator, drawn for 32 ids
 * at a time per thread: one call per request cost a lock and a getpid()
 * (the generator's fork check) in the HTTP threads.
 */
static void
random_id(unsigned char raw[8])
{
	static _Thread_local unsigned char pool[256];
	static _Thread_local size_t used = sizeof(pool);

	if (used == sizeof(pool)) {
		if (RAND_bytes(pool, sizeof(pool)) != 1)
			memset(pool, 0, sizeof(pool));
		used = 0;
	}
	memcpy(raw, pool + used, 8);
	/* Not kept once handed out. */
	memset(pool + used, 0, 8);
	used += 8;
}

void
srv_request_id(char *id, const char *offered, int trusted)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[8];
	size_t i, n = offered != NULL ? strlen(offered) : 0;

	if (trusted && n > 0 && n <= SRV_REQUEST_ID_MAX) {
		for (i = 0; i < n && id_char(offered[i]); i++)
			;
		if (i == n) {
			memcpy(id, offered, n + 1);
			return;
		}
	}
	random_id(raw);
	for (i = 0; i < sizeof(raw); i++) {
		id[2 * i] = hex[raw[i] >> 4];
		id[2 * i + 1] = hex[raw[i] & 15];
	}
	id[2 * sizeof(raw)] = '\0';
}

void
srv_reqlog_enter(struct srv_reqlog *l)
{
	current = l;
}

struct srv_reqlog *
srv_reqlog_current(void)
{
	return current;
}

/*
 * The access line's object, one per HTTP thread, made once and filled in
 * place for each request: no new object, members or output buffer per line
 * (jansson still checks and escapes every value and writes the line).
 */
struct access_line {
	json_t *o;
	json_t *time, *id, *client, *who, *method, *path, *status, *bytes, *ms;
	long long second; /* of the time member's text */
	char out[2048];
};

static pthread_key_t access_key;
static pthread_once_t access_once = PTHREAD_ONCE_INIT;
static _Thread_local struct access_line *access_mine;

static void
access_free(void *p)
{
	struct access_line *a = p;

	json_decref(a->o);
	free(a);
	access_mine = NULL;
}

static void
access_key_make(void)
{
	(void)pthread_key_create(&access_key, access_free);
}

/* The members in the order of the line, as event() and then these names give them. */
static struct access_line *
access_line(void)
{
	static const char *const names[] = { "id", "client", "who", "method", "path" };
	struct access_line *a = access_mine;
	size_t i;

	if (a != NULL)
		return a;
	if (pthread_once(&access_once, access_key_make) != 0 || (a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->o = event(SRV_INFO, "request");
	for (i = 0; a->o != NULL && i < sizeof(names) / sizeof(names[0]); i++) {
		if (json_object_set_new(a->o, names[i], json_string("")) != 0) {
			json_decref(a->o);
			a->o = NULL;
		}
	}
	if (a->o == NULL || json_object_set_new(a->o, "status", json_integer(0)) != 0 ||
	    json_object_set_new(a->o, "bytes", json_integer(0)) != 0 ||
	    json_object_set_new(a->o, "ms", json_integer(0)) != 0 ||
	    pthread_setspecific(access_key, a) != 0) {
		json_decref(a->o);
		free(a);
		return NULL;
	}
	a->time = json_object_get(a->o, "time");
	a->id = json_object_get(a->o, "id");
	a->client = json_object_get(a->o, "client");
	a->who = json_object_get(a->o, "who");
	a->method = json_object_get(a->o, "method");
	a->path = json_object_get(a->o, "path");
	a->status = json_object_get(a->o, "status");
	a->bytes = json_object_get(a->o, "bytes");
	a->ms = json_object_get(a->o, "ms");
	a->second = -1;
	access_mine = a;
	return a;
}

/* A member's text, set only when it changed; "?" for text that is not UTF-8, as text() gives. */
static int
put(json_t *member, const char *v)
{
	if (strcmp(json_string_value(member), v) == 0)
		return 0;
	return json_string_set(member, v) == 0 ? 0 : json_string_set(member, "?");
}

void
srv_log_access(const struct srv_reqlog *l, unsigned status, long ms)
{
	char when[CG_TIME_ISO_SIZE];
	long long now = (long long)time(NULL);
	struct access_line *a;
	size_t n;

	if (SRV_INFO < log_least || (a = access_line()) == NULL)
		return;
	if (now != a->second) {
		if (put(a->time, cg_time_iso8601(now, when)) != 0)
			return;
		a->second = now;
	}
	if (put(a->id, l->id) != 0 || put(a->client, l->client) != 0 || put(a->who, l->who) != 0 ||
	    put(a->method, l->method) != 0 || put(a->path, l->path) != 0 ||
	    json_integer_set(a->status, status) != 0 || json_integer_set(a->bytes, (json_int_t)l->bytes) != 0 ||
	    json_integer_set(a->ms, ms) != 0)
		return;
	if (!log_json) {
		emit(a->o);
		return;
	}
	n = json_dumpb(a->o, a->out, sizeof(a->out) - 1, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (n == 0 || n > sizeof(a->out) - 1) {
		emit(a->o); /* a line longer than the buffer (escaped text): the general way */
		return;
	}
	a->out[n] = '\n';
	/* One write per line: lines of several threads do not interleave. */
	(void)fwrite(a->out, 1, n + 1, stderr);
}
