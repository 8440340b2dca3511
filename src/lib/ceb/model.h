/* SPDX-License-Identifier: MIT */
/*
 * The CEB message model: one table per element of every message of the import
 * family (ceb-spec.md §2-§3) and of the export family (ceb-export-spec.md §3),
 * and the records that readers (XML, CSV, NDJSON) fill in.
 * The XSDs in schemas/ are the contract; these tables drive normalization, the
 * canonical writer and the business rules, and tests check them against the XSDs.
 */
#ifndef CG_MODEL_H
#define CG_MODEL_H

#include <libxml/tree.h>
#include "util/internal.h"

/* How a field's value is read, normalized and checked. */
enum cg_kind {
	CG_K_TEXT,  /* free text */
	CG_K_CODE,  /* codes and identifiers: ASCII after normalization */
	CG_K_DEC,   /* N19,5 decimal */
	CG_K_INT,   /* xs:int */
	CG_K_DT14,  /* YYYYMMDDhhmmss */
	CG_K_D8,    /* YYYYMMDD */
	CG_K_T17,   /* YYYYMMDDhhmmssSSS */
	CG_K_IDNO,  /* resident ID number (GB 11643) */
	CG_K_GUID,  /* 36-character system id */
	CG_K_PHONE, /* telephone number */
};

/* Code tables a field's value must come from. */
enum cg_table {
	CG_T_NONE,
	CG_T_COUNTRY,
	CG_T_CURRENCY,
	CG_T_UNIT,
	CG_T_TRANSPORT,
	CG_T_WRAP,
	CG_T_CUSTOMS,
	CG_T_IDTYPE,
	CG_T_TRADEMODE,
	CG_T_HS,       /* the tariff */
	CG_T_POSITIVE, /* the positive list */
	CG_T_PORT,     /* foreign ports */
	CG_T_DOMPORT,  /* domestic ports */
	CG_T_COUNT
};

#define CG_F_REQ 0x01   /* minOccurs 1 */
#define CG_F_REAL 0x02  /* a placeholder such as "无" is not a value here */
#define CG_F_POS 0x04   /* must be > 0 */
#define CG_F_NONNEG 0x08 /* must be >= 0 */

struct cg_fdef {
	const char *name; /* XML local name, also the English CSV/JSON column */
	const char *zh;   /* Chinese column name (ceb-spec §3 tables) */
	unsigned char kind;
	unsigned char flags;
	unsigned char table;
	unsigned short minlen, maxlen; /* characters; maxlen 0 = none */
	const char *dflt; /* spec default filled by normalize, or NULL */
};

struct cg_edef {
	const char *name; /* element name, e.g. "OrderHead" */
	const struct cg_fdef *f;
	size_t nf;
};

struct cg_msgdef {
	int type;                   /* 311 */
	const char *root;           /* "CEB311Message" */
	const char *doc;            /* "Order"; NULL when the head repeats directly under the root */
	const struct cg_edef *head; /* OrderHead, or the repeated element itself */
	const struct cg_edef *list; /* OrderList or NULL */
	unsigned maxdocs;           /* 0 = unbounded */
	unsigned maxlines;
	bool declaration;           /* has BaseTransfer and may carry a Signature */
	bool sig_required;
	const char *key[3];         /* business key fields in the head, NULL-terminated */
	bool export_family;         /* CEB2xx-7xx of the export family (ceb-export-spec.md) */
};

/* Every message type of the import family, NULL-terminated. */
extern const struct cg_msgdef *const cg__msgdefs[];
/* Every message type of the export family (msgdef_export.c), NULL-terminated. */
extern const struct cg_msgdef *const cg__export_msgdefs[];
extern const struct cg_edef cg__basetransfer;

const struct cg_msgdef *cg__msgdef_by_root(const char *root);
const struct cg_msgdef *cg__msgdef_by_type(int type);
/* Index of field @p name in @p e, or -1. */
int cg__edef_find(const struct cg_edef *e, const char *name);

/* One element instance with its leaf values (NULL = absent) and their positions. */
struct cg_group {
	const struct cg_edef *def;
	char **val;
	uint32_t *line;
	uint32_t *col;
	uint32_t elem_line;
};

/* One business document: Order, Payment, Inventory ... */
struct cg_decl {
	struct cg_group head;
	struct cg_group *lines;
	size_t nlines;
	size_t cap;
	uint32_t line;
};

struct cg_msg {
	const struct cg_msgdef *def;
	char *guid;
	char *version;
	struct cg_decl *docs;
	size_t ndocs;
	size_t cap;
	struct cg_group transfer; /* def NULL when absent */
	bool has_signature;
	bool from_csv;            /* positions are CSV line/column */
	bool ceb_prefix;          /* the source used the ceb: prefix */
};

cg_rc cg__group_init(struct cg_group *g, const struct cg_edef *def);
void cg__group_dispose(struct cg_group *g);
/* Value of field @p name, or NULL when absent or not in the element. */
const char *cg__group_get(const struct cg_group *g, const char *name);
/* Set field @p idx to a copy of @p v (NULL clears it). */
cg_rc cg__group_set(struct cg_group *g, int idx, const char *v, uint32_t line, uint32_t col);

cg_rc cg__msg_new(struct cg_msg **out, const struct cg_msgdef *def);
void cg__msg_free(struct cg_msg *m);
/* Append an empty document / line; the returned pointer lives until the next append. */
cg_rc cg__msg_add_doc(struct cg_msg *m, struct cg_decl **out);
cg_rc cg__decl_add_line(struct cg_decl *d, const struct cg_msgdef *def, struct cg_group **out);

/*
 * Read a parsed CEB document into a record (namespace-aware: ceb: prefix or
 * default namespace). Unknown elements are skipped: the XSD reports them.
 */
cg_rc cg__msg_from_xml(struct cg_msg **out, cg_ctx *ctx, xmlDocPtr doc, bool lenient);

/* XPath of a field (or of the element when @p field < 0) in the canonical form. */
char *cg__msg_path(const struct cg_msg *m, size_t doc, const struct cg_group *g, int field);

#endif
