/* SPDX-License-Identifier: MIT */
/*
 * A small HTTP/1.1 load generator for cebgated: C clients (threads), each on
 * its own keep-alive connection, POST the files of a list in list order (each
 * client takes the next unsent one), and the answers are counted by HTTP
 * status and by the first "status" of the JSON answer (accepted, duplicate,
 * conflict, rejected). Bodies are read into memory before the clock starts.
 *
 *   service_load -p PORT -c CLIENTS [-b BATCH] [-H HOST] [-u PATH] [-t CONTENT-TYPE] [-w SECONDS] [-r RATE] LIST
 *
 * LIST: one "TOKEN FILE" per line (the bearer token of the sending enterprise).
 * -b: BATCH consecutive files of one token per request, as a JSON batch
 *     {"messages": ["<xml>", ...]} (default 1: the file itself as the body).
 * -w: wait this long between requests of one client (0: closed loop, the default).
 * -r: open loop at a fixed rate: request i is due RATE/s after the start times
 *     i, and its latency counts from when it was due (a request that waits
 *     for a free client counts that wait too), so that a server falling behind
 *     shows in the latency instead of slowing the load down. CLIENTS must be
 *     enough for the rate (the output says how late the sending got).
 * SERVICE_LOAD_TRACE=FILE: each request's number, due time (ms, -r) and latency (ms) in FILE.
 * Prints one line of key=value figures: requests, messages, seconds, rate
 * (messages/s), latency percentiles of a request in ms, counts per HTTP status
 * and per answer status (every "status" of a batch's results).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct item {
	char *head; /* request line and headers */
	size_t head_len;
	char *body;
	size_t body_len;
};

static struct item *items;
static size_t nitems;
static atomic_size_t next_item;
static double *lat_ms;
static int *http_status;
static int (*answers)[5]; /* per request: accepted, duplicate, conflict, rejected, other */
static size_t *nmsgs;
static const char *const names[] = { "accepted", "duplicate", "conflict", "rejected" };
static struct sockaddr_in addr;
static double pause_s;
static double rate_per_s; /* -r: requests due at a fixed rate (0: closed loop) */
static double start_s;
static double late_max_s; /* -r: how much later than due the latest request was sent */
static pthread_mutex_t late_lock = PTHREAD_MUTEX_INITIALIZER;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
connect_one(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Count the "status" values of an answer (one per message). */
static void
count_statuses(const char *p, int *out)
{
	while ((p = strstr(p, "\"status\"")) != NULL) {
		const char *v = p + 8;
		size_t k;

		while (*v == ' ' || *v == ':')
			v++;
		p = v;
		if (*v++ != '"')
			continue;
		for (k = 0; k < 4; k++) {
			size_t l = strlen(names[k]);

			if (strncmp(v, names[k], l) == 0 && v[l] == '"')
				break;
		}
		out[k]++;
	}
}

/* Read one response; its status, its answers and whether the server closes. */
static int
read_response(int fd, char **buf, size_t *cap, int *status, int *ans, int *closes)
{
	size_t len = 0, need = 0, hdr = 0;
	char *p;

	for (;;) {
		ssize_t r;

		if (len + 65536 + 1 > *cap) {
			*cap = (len + 65536 + 1) * 2;
			*buf = realloc(*buf, *cap);
			if (*buf == NULL)
				return -1;
		}
		r = recv(fd, *buf + len, *cap - len - 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		len += (size_t)r;
		(*buf)[len] = '\0';
		if (hdr == 0 && (p = strstr(*buf, "\r\n\r\n")) != NULL) {
			char *cl, *cc;

			hdr = (size_t)(p - *buf) + 4;
			*status = atoi(*buf + 9);
			cl = strcasestr(*buf, "\r\ncontent-length:");
			if (cl == NULL || cl > p)
				return -1; /* cebgated always sends one */
			need = hdr + strtoul(cl + 17, NULL, 10);
			cc = strcasestr(*buf, "\r\nconnection: close");
			*closes = cc != NULL && cc < p;
		}
		if (hdr != 0 && len >= need)
			break;
	}
	memset(ans, 0, 5 * sizeof(*ans));
	count_statuses(*buf + hdr, ans);
	return 0;
}

static void *
client(void *arg)
{
	char *buf = NULL;
	size_t cap = 0, i;
	int fd = -1;

	(void)arg;
	while ((i = atomic_fetch_add(&next_item, 1)) < nitems) {
		int tries, status = 0, closes = 0;
		double t0 = now_s();

		if (rate_per_s > 0) {
			double due = start_s + (double)i / rate_per_s;

			if (due > t0) {
				double w = due - t0;
				struct timespec ts = { (time_t)w, (long)((w - (double)(time_t)w) * 1e9) };

				nanosleep(&ts, NULL);
			} else {
				pthread_mutex_lock(&late_lock);
				if (t0 - due > late_max_s)
					late_max_s = t0 - due;
				pthread_mutex_unlock(&late_lock);
			}
			t0 = due;
		}

		for (tries = 0; tries < 2; tries++) {
			if (fd < 0 && (fd = connect_one()) < 0)
				break;
			if (send_all(fd, items[i].head, items[i].head_len) == 0 &&
			    send_all(fd, items[i].body, items[i].body_len) == 0 &&
			    read_response(fd, &buf, &cap, &status, answers[i], &closes) == 0)
				break;
			close(fd); /* a keep-alive connection closed by the server: once more */
			fd = -1;
			status = 0;
		}
		lat_ms[i] = (now_s() - t0) * 1000.0;
		http_status[i] = status;
		if (closes && fd >= 0) {
			close(fd);
			fd = -1;
		}
		if (pause_s > 0) {
			struct timespec ts = { (time_t)pause_s, (long)((pause_s - (double)(time_t)pause_s) * 1e9) };

			nanosleep(&ts, NULL);
		}
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *p;
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
		if (fp != NULL)
			fclose(fp);
		return NULL;
	}
	p = malloc((size_t)n + 1);
	if (p != NULL && fread(p, 1, (size_t)n, fp) != (size_t)n) {
		free(p);
		p = NULL;
	}
	fclose(fp);
	*len = (size_t)n;
	return p;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const double *sorted, size_t n, double p)
{
	size_t k = (size_t)(p * (double)(n - 1) + 0.5);

	return n == 0 ? 0 : sorted[k < n ? k : n - 1];
}

/* Append @p src as a JSON string (quoted, escaped) to *dst. */
static void
json_append(char **dst, size_t *len, size_t *cap, const char *src, size_t n)
{
	size_t i;

	if (*len + n * 6 + 8 > *cap) {
		*cap = (*len + n * 6 + 8) * 2;
		*dst = realloc(*dst, *cap);
		if (*dst == NULL)
			exit(2);
	}
	(*dst)[(*len)++] = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '"' || c == '\\') {
			(*dst)[(*len)++] = '\\';
			(*dst)[(*len)++] = (char)c;
		} else if (c < 0x20) {
			*len += (size_t)snprintf(*dst + *len, 7, "\\u%04x", c);
		} else {
			(*dst)[(*len)++] = (char)c;
		}
	}
	(*dst)[(*len)++] = '"';
}

/* One request from @p n files of one token: the file itself, or a JSON batch. */
static void
add_item(const char *host, int port, const char *path, const char *type, const char *token,
	 char **bodies, size_t *lens, size_t n, int batch)
{
	static size_t cap;
	struct item *it;
	size_t i, blen = 0, bcap = 0;

	if (nitems == cap) {
		cap = cap ? cap * 2 : 1024;
		items = realloc(items, cap * sizeof(*items));
		nmsgs = realloc(nmsgs, cap * sizeof(*nmsgs));
		if (items == NULL || nmsgs == NULL)
			exit(2);
	}
	it = &items[nitems];
	nmsgs[nitems] = n;
	if (batch <= 1) {
		it->body = bodies[0];
		it->body_len = lens[0];
	} else {
		it->body = NULL;
		for (i = 0; i < n; i++) {
			const char *pre = i == 0 ? "{\"messages\": [" : ", ";

			if (blen + 16 > bcap) {
				bcap = (blen + 16) * 2;
				it->body = realloc(it->body, bcap);
				if (it->body == NULL)
					exit(2);
			}
			memcpy(it->body + blen, pre, strlen(pre));
			blen += strlen(pre);
			json_append(&it->body, &blen, &bcap, bodies[i], lens[i]);
			free(bodies[i]);
		}
		memcpy(it->body + blen, "]}", 2);
		it->body_len = blen + 2;
		type = "application/json";
	}
	it->head_len = (size_t)asprintf(&it->head,
					"POST %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n"
					"Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
					path, host, port, token, type, it->body_len);
	nitems++;
}

int
main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *path = "/api/v1/submissions", *type = "application/xml";
	int port = 0, clients = 4, batch = 1, o;
	char line[8192], token[256] = "", file[4096], prev[256] = "";
	char **bodies;
	size_t *lens, nb = 0, i, total = 0;
	pthread_t *th;
	FILE *list;
	double t0, t1, *sorted;
	int codes[600] = { 0 };
	size_t counts[5] = { 0 };

	while ((o = getopt(argc, argv, "H:p:c:b:u:t:w:r:")) != -1) {
		switch (o) {
		case 'H': host = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'c': clients = atoi(optarg); break;
		case 'b': batch = atoi(optarg); break;
		case 'u': path = optarg; break;
		case 't': type = optarg; break;
		case 'w': pause_s = atof(optarg); break;
		case 'r': rate_per_s = atof(optarg); break;
		default: goto usage;
		}
	}
	if (optind + 1 != argc || port <= 0 || clients <= 0 || batch <= 0 || batch > 1000)
		goto usage;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		goto usage;
	list = fopen(argv[optind], "r");
	bodies = calloc((size_t)batch, sizeof(*bodies));
	lens = calloc((size_t)batch, sizeof(*lens));
	if (list == NULL || bodies == NULL || lens == NULL) {
		perror(argv[optind]);
		return 2;
	}
	/* Consecutive files of one token make a batch. */
	while (fgets(line, sizeof(line), list) != NULL) {
		if (sscanf(line, "%255s %4095s", token, file) != 2)
			continue;
		if (nb > 0 && (nb == (size_t)batch || strcmp(token, prev) != 0)) {
			add_item(host, port, path, type, prev, bodies, lens, nb, batch);
			nb = 0;
		}
		(void)snprintf(prev, sizeof(prev), "%s", token);
		bodies[nb] = slurp(file, &lens[nb]);
		if (bodies[nb] == NULL) {
			perror(file);
			return 2;
		}
		nb++;
		total++;
	}
	if (nb > 0)
		add_item(host, port, path, type, prev, bodies, lens, nb, batch);
	fclose(list);
	lat_ms = calloc(nitems + 1, sizeof(*lat_ms));
	sorted = calloc(nitems + 1, sizeof(*sorted));
	http_status = calloc(nitems + 1, sizeof(*http_status));
	answers = calloc(nitems + 1, sizeof(*answers));
	th = calloc((size_t)clients, sizeof(*th));
	if (lat_ms == NULL || sorted == NULL || http_status == NULL || answers == NULL || th == NULL)
		return 2;
	t0 = start_s = now_s();
	for (o = 0; o < clients; o++)
		pthread_create(&th[o], NULL, client, NULL);
	for (o = 0; o < clients; o++)
		pthread_join(th[o], NULL);
	t1 = now_s();
	if (getenv("SERVICE_LOAD_TRACE") != NULL) {
		/* One line per request: its number, when it was due (ms after the start; -r only) and its latency. */
		FILE *tr = fopen(getenv("SERVICE_LOAD_TRACE"), "w");

		for (i = 0; tr != NULL && i < nitems; i++)
			fprintf(tr, "%zu %.3f %.3f\n", i, rate_per_s > 0 ? (double)i / rate_per_s * 1000.0 : 0.0,
				lat_ms[i]);
		if (tr != NULL)
			fclose(tr);
	}
	memcpy(sorted, lat_ms, nitems * sizeof(*sorted));
	qsort(sorted, nitems, sizeof(*sorted), cmp_double);
	for (i = 0; i < nitems; i++) {
		size_t k, seen = 0;

		codes[http_status[i] >= 0 && http_status[i] < 600 ? http_status[i] : 0]++;
		for (k = 0; k < 4; k++) {
			counts[k] += (size_t)answers[i][k];
			seen += (size_t)answers[i][k];
		}
		/* Messages without a recognised answer (a 500, a lost connection). */
		counts[4] += nmsgs[i] > seen ? nmsgs[i] - seen : 0;
	}
	printf("requests=%zu messages=%zu clients=%d batch=%d seconds=%.3f rate=%.1f p50_ms=%.2f p90_ms=%.2f "
	       "p99_ms=%.2f max_ms=%.2f",
	       nitems, total, clients, batch, t1 - t0, (double)total / (t1 - t0), pct(sorted, nitems, 0.50),
	       pct(sorted, nitems, 0.90), pct(sorted, nitems, 0.99), sorted[nitems ? nitems - 1 : 0]);
	for (o = 0; o < 600; o++) {
		if (codes[o] != 0)
			printf(" http_%03d=%d", o, codes[o]);
	}
	for (i = 0; i < 4; i++)
		printf(" %s=%zu", names[i], counts[i]);
	printf(" other=%zu", counts[4]);
	if (rate_per_s > 0)
		printf(" target_rate=%.1f late_max_ms=%.2f", rate_per_s, late_max_s * 1000.0);
	printf("\n");
	return 0;
usage:
	fprintf(stderr, "usage: service_load -p PORT [-c CLIENTS] [-b BATCH] [-H HOST] [-u PATH] [-t TYPE] [-w S] [-r RATE] LIST\n");
	return 2;
}
