/* SPDX-License-Identifier: MIT */
/* The DxpMsg terminal-node envelope (ceb-spec §7.1): wrap and unwrap. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libxml/xmlwriter.h>
#include <uuid/uuid.h>
#include "cebgate/sig.h"
#include "ceb/model.h"
#include "ceb/schema.h"
#include "sig/sigcheck.h"
#include "sig/sigcore.h"
#include "util/xml.h"

#define RECEIVER_IMPORT "DXPEDCCEB0000002"
#define RECEIVER_EXPORT "DXPEDCCEB0000003"

static void
now_datetime(char *out, size_t size)
{
	time_t t = time(NULL) + 8 * 3600; /* China Standard Time */
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		(void)snprintf(out, size, "1970-01-01T00:00:00");
}

static int
write_envelope(xmlTextWriterPtr w, const char *id, const char *sender, const char *receiver,
	       const char *when, const char *type, const char *data)
{
	char file[512];

	(void)snprintf(file, sizeof(file), "%s_%s.xml", type, id);
	if (xmlTextWriterSetIndent(w, 1) < 0 || xmlTextWriterSetIndentString(w, BAD_CAST "  ") < 0 ||
	    xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElementNS(w, BAD_CAST "dxp", BAD_CAST "DxpMsg", BAD_CAST CG_NS_DXP) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "ver", BAD_CAST "1.0") < 0 ||
	    xmlTextWriterStartElementNS(w, BAD_CAST "dxp", BAD_CAST "TransInfo", NULL) < 0 ||
	    xmlTextWriterWriteElementNS(w, BAD_CAST "dxp", BAD_CAST "CopMsgId", NULL, BAD_CAST id) < 0 ||
	    xmlTextWriterWriteElementNS(w, BAD_CAST "dxp", BAD_CAST "SenderId", NULL, BAD_CAST sender) < 0 ||
	    xmlTextWriterStartElementNS(w, BAD_CAST "dxp", BAD_CAST "ReceiverIds", NULL) < 0 ||
	    xmlTextWriterWriteElementNS(w, BAD_CAST "dxp", BAD_CAST "ReceiverId", NULL, BAD_CAST receiver) < 0 ||
	    xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterWriteElementNS(w, BAD_CAST "dxp", BAD_CAST "CreatTime", NULL, BAD_CAST when) < 0 ||
	    xmlTextWriterWriteElementNS(w, BAD_CAST "dxp", BAD_CAST "MsgType", NULL, BAD_CAST type) < 0 ||
	    xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterWriteElementNS(w, BAD_CAST "dxp", BAD_CAST "Data", NULL, BAD_CAST data) < 0 ||
	    xmlTextWriterStartElementNS(w, BAD_CAST "dxp", BAD_CAST "AddInfo", NULL) < 0 ||
	    xmlTextWriterWriteElementNS(w, BAD_CAST "dxp", BAD_CAST "FileName", NULL, BAD_CAST file) < 0 ||
	    xmlTextWriterEndElement(w) < 0 || xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterEndDocument(w) < 0)
		return -1;
	return 0;
}

/* What the envelope needs to know of the message it carries. */
struct carried {
	char type[64];
	const char *receiver; /* the customs receiver of a declaration, or NULL */
	bool needs_signature; /* a declaration that must be signed, and is not */
};

/* The root of a CEB message, checked with the safe parser. */
static cg_rc
message_type(cg_ctx *ctx, const char *xml, size_t len, struct carried *m)
{
	const struct cg_msgdef *def;
	cg_findings *f = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	cg_rc rc = cg_findings_new(&f);

	memset(m, 0, sizeof(*m));
	if (rc == CG_OK)
		rc = cg__xml_parse(&doc, ctx, xml, len, "message", f);
	if (rc == CG_EPARSE)
		rc = cg__fail(ctx, CG_EPARSE, "%s", cg_findings_get(f, 0)->message_en);
	if (rc == CG_OK) {
		root = xmlDocGetRootElement(doc);
		if (root->ns == NULL || !xmlStrEqual(root->ns->href, BAD_CAST CG_NS_CEB)) {
			rc = cg__fail(ctx, CG_EPARSE, "not a CEB message");
		} else {
			(void)snprintf(m->type, sizeof(m->type), "%s", (const char *)root->name);
			def = cg__msgdef_by_root(m->type);
			/* Receipts travel to the enterprise's own DXP id, unsigned. */
			if (cg__sig_is_export(root))
				m->receiver = RECEIVER_EXPORT;
			else if (def != NULL && def->declaration)
				m->receiver = RECEIVER_IMPORT;
			m->needs_signature = def != NULL && def->sig_required && cg__sig_count(root) == 0;
		}
	}
	xmlFreeDoc(doc);
	cg_findings_free(f);
	return rc;
}

/* xs:dateTime as the envelope writes it: 2024-11-11T00:05:13. */
static bool
is_creat_time(const char *t)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd' ? (t[i] < '0' || t[i] > '9') : t[i] != shape[i])
			return false;
	}
	return t[i] == '\0';
}

/* The caller's envelope fields, within ceb-spec §7.1's lengths. */
static cg_rc
check_options(cg_ctx *ctx, const cg_dxp_options *o)
{
	if (o->sender_id == NULL || strlen(o->sender_id) == 0 || strlen(o->sender_id) > 16)
		return cg__fail(ctx, CG_EINVAL, "SenderId must be 1 to 16 characters (a DXP id)");
	if (o->receiver_id != NULL && (strlen(o->receiver_id) == 0 || strlen(o->receiver_id) > 16))
		return cg__fail(ctx, CG_EINVAL, "ReceiverId must be 1 to 16 characters (a DXP id)");
	if (o->copmsgid != NULL &&
	    (xmlUTF8Strlen(BAD_CAST o->copmsgid) < 1 || xmlUTF8Strlen(BAD_CAST o->copmsgid) > 255))
		return cg__fail(ctx, CG_EINVAL, "CopMsgId must be 1 to 255 characters of UTF-8");
	if (o->creat_time != NULL && !is_creat_time(o->creat_time))
		return cg__fail(ctx, CG_EINVAL, "CreatTime must look like 2026-11-28T10:00:00");
	return CG_OK;
}

cg_rc
cg_dxp_wrap(cg_ctx *ctx, const char *xml, size_t len, const cg_dxp_options *o, char **out,
	    size_t *outlen)
{
	char when[32], id[40];
	xmlBufferPtr buf = NULL;
	xmlTextWriterPtr w = NULL;
	struct carried m;
	char *data = NULL;
	uuid_t u;
	cg_rc rc = check_options(ctx, o);

	*out = NULL;
	if (rc == CG_OK)
		rc = message_type(ctx, xml, len, &m);
	if (rc != CG_OK)
		return rc;
	if (m.needs_signature)
		return cg__fail(ctx, CG_ESIG, "the %s is not signed: sign it first (cebgate sign --dxp)",
				m.type);
	if (m.receiver != NULL && o->receiver_id != NULL && strcmp(o->receiver_id, m.receiver) != 0)
		return cg__fail(ctx, CG_EINVAL, "customs receives a %s at %s, not %s", m.type, m.receiver,
				o->receiver_id);
	uuid_generate_random(u);
	uuid_unparse_upper(u, id);
	now_datetime(when, sizeof(when));
	data = cg__base64((const unsigned char *)xml, len);
	buf = xmlBufferCreate();
	w = buf != NULL ? xmlNewTextWriterMemory(buf, 0) : NULL;
	if (data == NULL || w == NULL ||
	    write_envelope(w, o->copmsgid != NULL ? o->copmsgid : id, o->sender_id,
			   o->receiver_id != NULL ? o->receiver_id
			   : m.receiver != NULL	  ? m.receiver
						  : RECEIVER_IMPORT,
			   o->creat_time != NULL ? o->creat_time : when, m.type, data) < 0)
		rc = cg__fail(ctx, CG_ENOMEM, "cannot write the envelope");
	xmlFreeTextWriter(w);
	if (rc == CG_OK) {
		*out = cg__strndup((const char *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
		*outlen = (size_t)xmlBufferLength(buf);
		if (*out == NULL)
			rc = CG_ENOMEM;
	}
	xmlBufferFree(buf);
	free(data);
	return rc;
}

/* The first child element of @p parent named @p name in the DXP namespace, or NULL. */
static xmlNodePtr
dxp_child(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n;

	for (n = cg__xml_first_elem(parent); n != NULL; n = cg__xml_next_elem(n)) {
		if (cg__xml_is(n, CG_NS_DXP, name))
			return n;
	}
	return NULL;
}

static char *
child_text(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n = dxp_child(parent, name);
	xmlChar *t = n != NULL ? xmlNodeGetContent(n) : NULL;
	char *copy = t != NULL ? cg__strdup((const char *)t) : NULL;

	xmlFree(t);
	return copy;
}

static cg_rc
read_fields(xmlNodePtr root, cg_dxp_message *out)
{
	xmlNodePtr ti = dxp_child(root, "TransInfo");

	if (ti == NULL)
		return CG_EPARSE;
	out->copmsgid = child_text(ti, "CopMsgId");
	out->sender_id = child_text(ti, "SenderId");
	out->creat_time = child_text(ti, "CreatTime");
	out->msg_type = child_text(ti, "MsgType");
	out->receiver_id = child_text(dxp_child(ti, "ReceiverIds"), "ReceiverId");
	return CG_OK;
}

void
cg_dxp_message_dispose(cg_dxp_message *m)
{
	free(m->copmsgid);
	free(m->sender_id);
	free(m->receiver_id);
	free(m->msg_type);
	free(m->creat_time);
	free(m->data);
	memset(m, 0, sizeof(*m));
}

/* Whether one of the envelope's ReceiverIds is @p receiver. */
static bool
addressed_to(xmlNodePtr root, const char *receiver)
{
	xmlNodePtr ids = dxp_child(dxp_child(root, "TransInfo"), "ReceiverIds"), n;
	bool hit = false;

	for (n = ids != NULL ? cg__xml_first_elem(ids) : NULL; n != NULL && !hit;
	     n = cg__xml_next_elem(n)) {
		xmlChar *t = xmlNodeGetContent(n);

		hit = t != NULL && strcmp((const char *)t, receiver) == 0;
		xmlFree(t);
	}
	return hit;
}

static cg_rc
refuse(cg_findings *f, const char *source, const char *zh, const char *en)
{
	return cg__finding_addf(f, "CG0100", CG_SEV_ERROR, source, "/dxp:DxpMsg", 0, 0, zh, en);
}

cg_rc
cg_dxp_unwrap(cg_validator *v, cg_ctx *ctx, const char *xml, size_t len, const char *source,
	      cg_findings *f, cg_dxp_message *out)
{
	size_t before = cg_findings_count_sev(f, CG_SEV_ERROR), nerr = 0;
	xmlDocPtr doc = NULL;
	char *b64 = NULL;
	struct carried m;
	cg_rc rc;

	memset(out, 0, sizeof(*out));
	rc = cg__xml_parse(&doc, ctx, xml, len, source, f);
	if (rc == CG_EPARSE)
		return CG_OK;
	if (rc != CG_OK)
		return rc;
	if (!cg__xml_is(xmlDocGetRootElement(doc), CG_NS_DXP, "DxpMsg"))
		rc = refuse(f, source, "不是DxpMsg", "not a DxpMsg");
	else
		rc = cg__schemas_validate(cg__validator_schemas(v), ctx, doc, true, source, f, &nerr);
	if (rc != CG_OK || nerr > 0 || cg_findings_count_sev(f, CG_SEV_ERROR) > before)
		goto out;
	rc = read_fields(xmlDocGetRootElement(doc), out);
	b64 = child_text(xmlDocGetRootElement(doc), "Data");
	if (rc != CG_OK || b64 == NULL ||
	    cg__base64_decode((unsigned char **)&out->data, &out->data_len, b64) != CG_OK) {
		rc = refuse(f, source, "Data不是有效的base64", "Data is not valid base64");
		goto out;
	}
	rc = message_type(ctx, out->data, out->data_len, &m);
	if (rc == CG_EPARSE)
		rc = refuse(f, source, "Data中不是CEB报文", "Data does not hold a CEB message");
	else if (rc == CG_OK && (out->msg_type == NULL || strcmp(m.type, out->msg_type) != 0))
		rc = refuse(f, source, "MsgType与Data中的报文类型不符",
			    "MsgType differs from the message in Data");
	else if (rc == CG_OK && m.receiver != NULL && !addressed_to(xmlDocGetRootElement(doc), m.receiver))
		rc = refuse(f, source, "申报报文的ReceiverId不是海关的接收方（进口DXPEDCCEB0000002，出口DXPEDCCEB0000003）",
			    "a declaration's ReceiverId is not customs' (import DXPEDCCEB0000002, export DXPEDCCEB0000003)");
out:
	free(b64);
	xmlFreeDoc(doc);
	if (cg_findings_count_sev(f, CG_SEV_ERROR) > before || rc != CG_OK) {
		cg_rc keep = rc;

		cg_dxp_message_dispose(out);
		return keep;
	}
	return CG_OK;
}
