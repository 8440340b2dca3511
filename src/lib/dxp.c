/* SPDX-License-Identifier: MIT */
/* The DxpMsg terminal-node envelope (ceb-spec §7.1): wrap and unwrap. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libxml/xmlwriter.h>
#include <uuid/uuid.h>
#include "cebgate/sig.h"
#include "model.h"
#include "schema.h"
#include "sigcheck.h"
#include "sigcore.h"
#include "xml.h"

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

/* The root name of a CEB message, checked with the safe parser. */
static cg_rc
message_type(cg_ctx *ctx, const char *xml, size_t len, char *type, size_t size, bool *export)
{
	cg_findings *f = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	cg_rc rc = cg_findings_new(&f);

	if (rc == CG_OK)
		rc = cg__xml_parse(&doc, ctx, xml, len, "message", f);
	if (rc == CG_EPARSE)
		rc = cg__fail(ctx, CG_EPARSE, "%s", cg_findings_get(f, 0)->message_en);
	if (rc == CG_OK) {
		root = xmlDocGetRootElement(doc);
		if (root->ns == NULL || !xmlStrEqual(root->ns->href, BAD_CAST CG_NS_CEB))
			rc = cg__fail(ctx, CG_EPARSE, "not a CEB message");
		else {
			(void)snprintf(type, size, "%s", (const char *)root->name);
			*export = cg__sig_is_export(root);
		}
	}
	xmlFreeDoc(doc);
	cg_findings_free(f);
	return rc;
}

cg_rc
cg_dxp_wrap(cg_ctx *ctx, const char *xml, size_t len, const cg_dxp_options *o, char **out,
	    size_t *outlen)
{
	char type[64], when[32], id[40];
	xmlBufferPtr buf = NULL;
	xmlTextWriterPtr w = NULL;
	bool export = false;
	char *data = NULL;
	uuid_t u;
	cg_rc rc;

	*out = NULL;
	if (o->sender_id == NULL || strlen(o->sender_id) == 0 || strlen(o->sender_id) > 16)
		return cg__fail(ctx, CG_EINVAL, "SenderId must be 1 to 16 characters (a DXP id)");
	rc = message_type(ctx, xml, len, type, sizeof(type), &export);
	if (rc != CG_OK)
		return rc;
	uuid_generate_random(u);
	uuid_unparse_upper(u, id);
	now_datetime(when, sizeof(when));
	data = cg__base64((const unsigned char *)xml, len);
	buf = xmlBufferCreate();
	w = buf != NULL ? xmlNewTextWriterMemory(buf, 0) : NULL;
	if (data == NULL || w == NULL ||
	    write_envelope(w, o->copmsgid != NULL ? o->copmsgid : id, o->sender_id,
			   o->receiver_id != NULL ? o->receiver_id
						  : export ? RECEIVER_EXPORT : RECEIVER_IMPORT,
			   o->creat_time != NULL ? o->creat_time : when, type, data) < 0)
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

static char *
child_text(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n;

	for (n = cg__xml_first_elem(parent); n != NULL; n = cg__xml_next_elem(n)) {
		if (cg__xml_is(n, CG_NS_DXP, name)) {
			xmlChar *t = xmlNodeGetContent(n);
			char *copy = t != NULL ? cg__strdup((const char *)t) : NULL;

			xmlFree(t);
			return copy;
		}
	}
	return NULL;
}

static cg_rc
read_fields(xmlNodePtr root, cg_dxp_message *out)
{
	xmlNodePtr ti = NULL, n;

	for (n = cg__xml_first_elem(root); n != NULL && ti == NULL; n = cg__xml_next_elem(n)) {
		if (cg__xml_is(n, CG_NS_DXP, "TransInfo"))
			ti = n;
	}
	if (ti == NULL)
		return CG_EPARSE;
	out->copmsgid = child_text(ti, "CopMsgId");
	out->sender_id = child_text(ti, "SenderId");
	out->msg_type = child_text(ti, "MsgType");
	for (n = cg__xml_first_elem(ti); n != NULL; n = cg__xml_next_elem(n)) {
		if (cg__xml_is(n, CG_NS_DXP, "ReceiverIds"))
			out->receiver_id = child_text(n, "ReceiverId");
	}
	return CG_OK;
}

void
cg_dxp_message_dispose(cg_dxp_message *m)
{
	free(m->copmsgid);
	free(m->sender_id);
	free(m->receiver_id);
	free(m->msg_type);
	free(m->data);
	memset(m, 0, sizeof(*m));
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
	char *b64 = NULL, type[64];
	bool export;
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
	rc = message_type(ctx, out->data, out->data_len, type, sizeof(type), &export);
	if (rc == CG_EPARSE)
		rc = refuse(f, source, "Data中不是CEB报文", "Data does not hold a CEB message");
	else if (rc == CG_OK && (out->msg_type == NULL || strcmp(type, out->msg_type) != 0))
		rc = refuse(f, source, "MsgType与Data中的报文类型不符",
			    "MsgType differs from the message in Data");
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
