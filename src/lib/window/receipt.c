/* SPDX-License-Identifier: MIT */
/* The receipt that answers a declaration (receipt.h), built from the declaration's head. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <uuid/uuid.h>
#include "ceb/writer.h"
#include "window/receipt.h"

void
cg__now17(char *out, size_t size)
{
	struct timespec ts;
	struct tm tm;
	time_t t;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	t = ts.tv_sec + 8 * 3600; /* China Standard Time */
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, size, "%Y%m%d%H%M%S", &tm) == 0)
		(void)snprintf(out, size, "19700101000000");
	(void)snprintf(out + strlen(out), size - strlen(out), "%03ld", ts.tv_nsec / 1000000);
}

/* The receipt of one document: the receipt type's fields taken from the declaration head. */
cg_rc
cg__receipt_build(const struct cg_msgdef *def, const struct cg_group *h, long long doc_id,
		  const char *status, const char *info, cg_buf *out)
{
	const struct cg_msgdef *rd = cg__msgdef_by_type(def->type + 1);
	struct cg_msg *r = NULL;
	struct cg_decl *d;
	char guid[40], when[32], preno[32];
	uuid_t u;
	size_t i;
	cg_rc rc;

	if (rd == NULL)
		return CG_EINTERNAL;
	rc = cg__msg_new(&r, rd);
	if (rc == CG_OK)
		rc = cg__msg_add_doc(r, &d);
	if (rc != CG_OK) {
		cg__msg_free(r);
		return rc;
	}
	uuid_generate_random(u);
	uuid_unparse_upper(u, guid);
	cg__now17(when, sizeof(when));
	/* A pre-entry number of the single window: B (or T for returns) + date + serial. */
	(void)snprintf(preno, sizeof(preno), "%c%.8s%09lld", def->type == 625 ? 'T' : 'B', when,
		       doc_id % 1000000000LL);
	for (i = 0; i < rd->head->nf && rc == CG_OK; i++) {
		const char *name = rd->head->f[i].name, *v = cg__group_get(h, name);

		if (strcmp(name, "guid") == 0)
			v = guid;
		else if (strcmp(name, "returnStatus") == 0)
			v = status;
		else if (strcmp(name, "returnTime") == 0)
			v = when;
		else if (strcmp(name, "returnInfo") == 0)
			v = info;
		else if (strcmp(name, "preNo") == 0 && (v == NULL || *v == '\0'))
			v = preno;
		else if (strcmp(name, "copNo") == 0 && (v == NULL || *v == '\0') &&
			 (rd->head->f[i].flags & CG_F_REQ))
			v = cg__group_get(h, "orderNo");
		/* maxlen counts characters, as the standard does: 30 Chinese ones fit in 60. */
		if (v != NULL && rd->head->f[i].maxlen != 0 &&
		    cg__utf8_len(v) > rd->head->f[i].maxlen && strcmp(name, "returnInfo") != 0)
			continue; /* an over-long key cannot be echoed */
		/*
		 * An export receipt's required field with no value yet (604 invtNo
		 * before conclusion, 508 billNo of an arrival without one) is sent
		 * empty, as the standard allows (ceb-export-spec §6.8), not left out.
		 */
		if ((v == NULL || *v == '\0') && rd->export_family && (rd->head->f[i].flags & CG_F_REQ) &&
		    rd->head->f[i].minlen == 0 && rd->head->f[i].kind == CG_K_CODE)
			rc = cg__group_set(&d->head, (int)i, "", 0, 0);
		else if (v != NULL && *v != '\0')
			rc = cg__group_set(&d->head, (int)i, v, 0, 0);
	}
	r->guid = cg__strdup(guid);
	r->version = cg__strdup("1.0");
	if (rc == CG_OK && (r->guid == NULL || r->version == NULL))
		rc = CG_ENOMEM;
	if (rc == CG_OK)
		rc = cg__msg_to_xml(r, out);
	cg__msg_free(r);
	return rc;
}
