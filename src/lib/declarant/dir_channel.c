/* SPDX-License-Identifier: MIT */
/*
 * The dir channel: the folder contract of the e-port's transfer clients.
 * PATH/outbox/ receives one DxpMsg per declaration, written under a hidden
 * temporary name and renamed, so the client never picks up half a file;
 * PATH/inbox/ holds the receipts the client received, read only once they
 * have their final name (no leading dot, no .tmp or .part suffix), then moved
 * to PATH/archive/ or, when unreadable, to PATH/error/ with a report beside.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cebgate/sig.h"
#include "ceb/model.h"
#include "declarant/outbox_internal.h"
#include "declarant/submit_internal.h"
#include "util/xml.h"

#define INBOX_MAX_FILES 10000

static const char *const subdirs[] = { "outbox", "inbox", "archive", "error" };

cg_rc
cg__dir_init(cg_ctx *ctx, const char *dir, char *path, size_t size)
{
	char sub[4096];
	size_t i;

	if (*dir == '\0' || snprintf(path, size, "%s", dir) >= (int)size)
		return cg__fail(ctx, CG_EINVAL, "dir channel: bad path");
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return cg__fail(ctx, CG_EIO, "cannot make %s", path);
	for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		if (snprintf(sub, sizeof(sub), "%s/%s", path, subdirs[i]) >= (int)sizeof(sub) ||
		    (mkdir(sub, 0755) != 0 && errno != EEXIST))
			return cg__fail(ctx, CG_EIO, "cannot make %s/%s", path, subdirs[i]);
	}
	return CG_OK;
}

/* Names come from our own outbox, but a file name is still only [A-Za-z0-9_-]. */
static bool
safe_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return false;
	}
	return true;
}

/* Write, flush to disk, then rename: the file appears whole or not at all. */
static cg_rc
write_atomic(cg_ctx *ctx, const char *dir, const char *name, const char *data, size_t len)
{
	char tmp[4096], final[4096];
	ssize_t w = 0;
	size_t off = 0;
	int fd, ok;

	if (snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= (int)sizeof(tmp) ||
	    snprintf(final, sizeof(final), "%s/%s", dir, name) >= (int)sizeof(final))
		return cg__fail(ctx, CG_EINVAL, "path too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return cg__fail(ctx, CG_EIO, "cannot write %s", tmp);
	while (off < len && (w = write(fd, data + off, len - off)) > 0)
		off += (size_t)w;
	ok = off == len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, final) != 0) {
		(void)unlink(tmp);
		return cg__fail(ctx, CG_EIO, "cannot write %s", final);
	}
	return CG_OK;
}

/* The DxpMsg SenderId: configured, or the declaration's BaseTransfer dxpId. */
static cg_rc
sender_of(cg_ctx *ctx, const cg_outbox_item *it, const char *configured, char *out, size_t size)
{
	cg_findings *f = NULL;
	xmlDocPtr doc = NULL;
	struct cg_msg *m = NULL;
	const char *v = NULL;
	cg_rc rc;

	if (configured != NULL)
		return snprintf(out, size, "%s", configured) < (int)size ? CG_OK : CG_EINVAL;
	rc = cg_findings_new(&f);
	if (rc == CG_OK)
		rc = cg__xml_parse(&doc, ctx, it->xml, it->len, it->guid, f);
	if (rc == CG_OK)
		rc = cg__msg_from_xml(&m, ctx, doc, false);
	if (rc == CG_OK && m->transfer.def != NULL)
		v = cg__group_get(&m->transfer, "dxpId");
	if (rc == CG_OK && (v == NULL || snprintf(out, size, "%s", v) >= (int)size))
		rc = cg__fail(ctx, CG_EINVAL, "%s: no BaseTransfer dxpId for the DxpMsg SenderId",
			      it->guid);
	cg__msg_free(m);
	xmlFreeDoc(doc);
	cg_findings_free(f);
	return rc;
}

static cg_rc
send_one(cg_outbox *ob, cg_ctx *ctx, const char *path, const cg_submit_options *o,
	 const cg_outbox_item *it, cg_submit_stats *st)
{
	const char *cop = it->copmsgid[0] != '\0' ? it->copmsgid : it->guid;
	cg_dxp_options d = { cop, NULL, NULL, NULL };
	char sender[64], name[160], outdir[4096], detail[300];
	char *env = NULL;
	size_t elen = 0;
	cg_rc rc = sender_of(ctx, it, o->sender_id, sender, sizeof(sender));

	d.sender_id = sender;
	if (rc == CG_OK && (!safe_name(cop) || !safe_name(it->type)))
		rc = cg__fail(ctx, CG_EINVAL, "%s: CopMsgId not usable in a file name", it->guid);
	if (rc == CG_OK)
		rc = cg_dxp_wrap(ctx, it->xml, it->len, &d, &env, &elen);
	(void)snprintf(name, sizeof(name), "%s_%s.xml", it->type, cop);
	(void)snprintf(outdir, sizeof(outdir), "%s/outbox", path);
	if (rc == CG_OK)
		rc = write_atomic(ctx, outdir, name, env, elen);
	cg_free(env);
	st->requests++;
	if (rc == CG_EIO) {
		int dead = 0;

		rc = cg_outbox_retry(ob, ctx, it->id, cg__ob_now(), o->max_attempts, o->backoff_base_ms,
				     o->backoff_cap_ms, cg_ctx_errmsg(ctx), &dead);
		st->retried += !dead;
		st->dead += dead;
		return rc;
	}
	if (rc != CG_OK) {
		st->dead++;
		return cg_outbox_give_up(ob, ctx, it->id, cg_ctx_errmsg(ctx));
	}
	/* Handed to the transfer client: the answer comes as receipts in the inbox. */
	(void)snprintf(detail, sizeof(detail), "{\"channel\": \"dir\", \"file\": \"%s\"}", name);
	st->acknowledged++;
	return cg_outbox_answer(ob, ctx, it->id, "accepted", NULL, detail);
}

cg_rc
cg__dir_send(cg_outbox *ob, cg_ctx *ctx, const char *path, const cg_submit_options *o, int wait_ms,
	     cg_submit_stats *st)
{
	cg_outbox_item *items = calloc((size_t)o->batch, sizeof(*items));
	size_t n = 0, i;
	cg_rc rc;

	(void)wait_ms;
	if (items == NULL)
		return CG_ENOMEM;
	rc = cg_outbox_claim(ob, ctx, cg__ob_now(), 3600 * 1000, items, (size_t)o->batch, &n);
	/* Each file is on disk before its answer is recorded; the answers share one commit. */
	if (rc == CG_OK && n > 0)
		rc = cg_outbox_begin(ob, ctx);
	for (i = 0; i < n; i++) {
		if (rc == CG_OK)
			rc = send_one(ob, ctx, path, o, &items[i], st);
		cg_outbox_item_dispose(&items[i]);
	}
	if (rc == CG_OK && n > 0)
		rc = cg_outbox_commit(ob, ctx);
	else if (n > 0)
		cg_outbox_rollback(ob);
	free(items);
	return rc;
}

/* A receipt file the transfer client has finished writing. */
static bool
complete_name(const char *n)
{
	size_t l = strlen(n);

	if (n[0] == '.')
		return false;
	return !(l > 4 && strcmp(n + l - 4, ".tmp") == 0) && !(l > 5 && strcmp(n + l - 5, ".part") == 0);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static cg_rc
read_bounded(cg_ctx *ctx, const char *file, cg_buf *out)
{
	char chunk[65536];
	struct stat st;
	ssize_t got;
	cg_rc rc = CG_OK;
	int fd = open(file, O_RDONLY | O_NOFOLLOW);

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			(void)close(fd);
		return cg__fail(ctx, CG_EPARSE, "not a regular file");
	}
	while (rc == CG_OK && (got = read(fd, chunk, sizeof(chunk))) > 0)
		rc = cg_buf_append(out, chunk, (size_t)got);
	(void)close(fd);
	if (rc == CG_ETOOBIG)
		return cg__fail(ctx, CG_EPARSE, "larger than %u bytes", CG_XML_MAX_BYTES);
	return rc;
}

static cg_rc
move_to(cg_ctx *ctx, const char *path, const char *name, const char *sub, const char *report)
{
	char from[4096], to[4096];

	if (snprintf(from, sizeof(from), "%s/inbox/%s", path, name) >= (int)sizeof(from) ||
	    snprintf(to, sizeof(to), "%s/%s/%s", path, sub, name) >= (int)sizeof(to))
		return cg__fail(ctx, CG_EINVAL, "path too long");
	if (report != NULL) {
		char rname[300];
		cg_rc rc;

		(void)snprintf(rname, sizeof(rname), "%s.report.txt", name);
		(void)snprintf(to, sizeof(to), "%s/%s", path, sub);
		rc = write_atomic(ctx, to, rname, report, strlen(report));
		if (rc != CG_OK)
			return rc;
		(void)snprintf(to, sizeof(to), "%s/%s/%s", path, sub, name);
	}
	return rename(from, to) == 0 ? CG_OK : cg__fail(ctx, CG_EIO, "cannot move %s", from);
}

static cg_rc
fetch_one(cg_outbox *ob, cg_ctx *ctx, const char *path, const char *name, cg_fetch_stats *st)
{
	cg_buf data = CG_BUF_INIT(CG_XML_MAX_BYTES);
	char file[4096], report[1024];
	int m = 0, d = 0;
	cg_rc rc;

	if (snprintf(file, sizeof(file), "%s/inbox/%s", path, name) >= (int)sizeof(file))
		return cg__fail(ctx, CG_EINVAL, "path too long");
	rc = read_bounded(ctx, file, &data);
	if (rc == CG_OK)
		rc = cg_outbox_receipt(ob, ctx, data.ptr != NULL ? data.ptr : "", data.len, &m, &d);
	cg_buf_dispose(&data);
	st->received++;
	st->matched += m;
	st->dups += d;
	if (rc == CG_EPARSE) {
		st->unreadable++;
		(void)snprintf(report, sizeof(report),
			       "cebgate could not read this receipt: %s\n"
			       "cebgate 无法读取该回执：%s\n",
			       cg_ctx_errmsg(ctx), cg_ctx_errmsg(ctx));
		return move_to(ctx, path, name, "error", report);
	}
	return rc == CG_OK ? move_to(ctx, path, name, "archive", NULL) : rc;
}

static cg_rc
list_inbox(cg_ctx *ctx, const char *path, char ***names, size_t *n)
{
	char dir[4096];
	struct dirent *e;
	size_t cap = 0;
	DIR *d;

	*names = NULL;
	*n = 0;
	(void)snprintf(dir, sizeof(dir), "%s/inbox", path);
	d = opendir(dir);
	if (d == NULL)
		return cg__fail(ctx, CG_EIO, "cannot read %s", dir);
	while ((e = readdir(d)) != NULL && *n < INBOX_MAX_FILES) {
		char *copy;

		if (!complete_name(e->d_name))
			continue;
		copy = cg__strdup(e->d_name);
		if (copy == NULL || cg__grow((void **)names, &cap, *n + 1, sizeof(char *)) != CG_OK) {
			free(copy);
			break;
		}
		(*names)[(*n)++] = copy;
	}
	(void)closedir(d);
	if (*n > 0)
		qsort(*names, *n, sizeof(char *), by_name);
	return CG_OK;
}

cg_rc
cg__dir_fetch(cg_outbox *ob, cg_ctx *ctx, const char *path, cg_fetch_stats *st)
{
	char **names = NULL;
	size_t n = 0, i;
	cg_rc rc = list_inbox(ctx, path, &names, &n);

	for (i = 0; i < n; i++) {
		if (rc == CG_OK)
			rc = fetch_one(ob, ctx, path, names[i], st);
		free(names[i]);
	}
	free(names);
	return rc;
}
