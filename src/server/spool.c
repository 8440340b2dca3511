/* SPDX-License-Identifier: MIT */
/* The upload spool: an upload's body goes to a private file as it arrives, hashed on the way. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "daemon.h"

/* mkostemp()'s template: it replaces the six X by the file's own random name. */
#define SPOOL_TEMPLATE "/.spool-XXXXXX"

/* Spool an upload's body to a private file in the upload directory; -1 when it cannot. */
int
srv_spool_open(struct srv *s, struct req *r)
{
	/* Allocated here, not in every request: only uploads are spooled. */
	size_t n = strlen(s->cfg->upload_dir) + sizeof(SPOOL_TEMPLATE);

	if (n > 4096 || (r->spool = malloc(n)) == NULL)
		return -1;
	(void)snprintf(r->spool, n, "%s" SPOOL_TEMPLATE, s->cfg->upload_dir);
	r->spool_fd = mkostemp(r->spool, O_CLOEXEC);
	if (r->spool_fd < 0) {
		free(r->spool);
		r->spool = NULL;
		return -1;
	}
	r->sha = EVP_MD_CTX_new();
	return r->sha != NULL && EVP_DigestInit_ex(r->sha, EVP_sha256(), NULL) == 1 ? 0 : -1;
}

/* Append a chunk to the spool file and the hash; past max-upload the upload is refused (413). */
void
srv_spool_chunk(struct srv *s, struct req *r, const char *data, size_t n)
{
	if (r->too_big || r->spool_fd < 0)
		return;
	if (r->spooled + n > s->cfg->max_upload) {
		r->too_big = 1;
		return;
	}
	r->spooled += n;
	if (EVP_DigestUpdate(r->sha, data, n) != 1)
		r->spool_fd = -1;
	while (n > 0 && r->spool_fd >= 0) {
		ssize_t w = write(r->spool_fd, data, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			(void)close(r->spool_fd);
			r->spool_fd = -1; /* the route answers 503 */
			break;
		}
		data += w;
		n -= (size_t)w;
	}
}

void
srv_spool_discard(struct req *r)
{
	if (r->spool_fd >= 0)
		(void)close(r->spool_fd);
	r->spool_fd = -1;
	if (r->spool != NULL)
		(void)unlink(r->spool);
	free(r->spool);
	r->spool = NULL;
	EVP_MD_CTX_free(r->sha);
	r->sha = NULL;
}

/* Keep the spooled upload as DIR/SHA256 (the audit trail's copy); its hash in @p hex. */
int
srv_spool_keep(struct srv *s, struct req *r, char *hex, char *path, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0, i;

	if (r->spool_fd < 0 || EVP_DigestFinal_ex(r->sha, md, &n) != 1 || n != 32 ||
	    fsync(r->spool_fd) != 0)
		return -1;
	for (i = 0; i < n; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", md[i]);
	if (snprintf(path, size, "%s/%s", s->cfg->upload_dir, hex) >= (int)size ||
	    rename(r->spool, path) != 0)
		return -1;
	free(r->spool); /* kept: nothing to remove at the end */
	r->spool = NULL;
	return 0;
}

/*
 * At most SRV_UPLOADS_AT_ONCE uploads in all and SRV_UPLOADS_PER_ACCOUNT per
 * enterprise, from their first byte to their answer.
 */
int
srv_upload_slot_take(struct srv *s, struct req *r, long long enterprise_id)
{
	int i, all = 0, mine = -1, free_slot = -1, ok;

	pthread_mutex_lock(&s->limit_lock);
	for (i = 0; i < SRV_UPLOADS_AT_ONCE; i++) {
		all += s->uploading[i].n;
		if (s->uploading[i].enterprise_id == enterprise_id)
			mine = i;
		else if (s->uploading[i].n == 0 && free_slot < 0)
			free_slot = i;
	}
	if (mine < 0)
		mine = free_slot;
	ok = all < SRV_UPLOADS_AT_ONCE && mine >= 0 && s->uploading[mine].n < SRV_UPLOADS_PER_ACCOUNT;
	if (ok) {
		s->uploading[mine].enterprise_id = enterprise_id;
		s->uploading[mine].n++;
		r->upload_slot = enterprise_id;
	}
	pthread_mutex_unlock(&s->limit_lock);
	return ok;
}

void
srv_upload_slot_give(struct srv *s, struct req *r)
{
	int i;

	if (r->upload_slot == 0)
		return;
	pthread_mutex_lock(&s->limit_lock);
	for (i = 0; i < SRV_UPLOADS_AT_ONCE; i++) {
		if (s->uploading[i].enterprise_id == r->upload_slot && s->uploading[i].n > 0) {
			if (--s->uploading[i].n == 0)
				s->uploading[i].enterprise_id = 0;
			break;
		}
	}
	pthread_mutex_unlock(&s->limit_lock);
	r->upload_slot = 0;
}

/*
 * The client closed its side: its socket reads as hung up, or as readable
 * with nothing to read. libmicrohttpd tells of a closed connection only once
 * the handler returns, which is too late for work done inside it.
 */
int
srv_client_gone(void *connection)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct pollfd p;
	char b;

	if (ci == NULL)
		return 0;
	p.fd = ci->connect_fd;
	p.events = POLLIN | POLLRDHUP;
	p.revents = 0;
	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (p.revents & (POLLHUP | POLLERR | POLLRDHUP))
		return 1;
	return recv(p.fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}
