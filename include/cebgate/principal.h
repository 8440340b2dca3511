/* SPDX-License-Identifier: MIT */
/* Who calls the single window: the roles and the principal every request of cebgated acts as. */
#ifndef CG_PRINCIPAL_H
#define CG_PRINCIPAL_H

#include "cebgate/common.h"

CG_BEGIN_DECLS

/** Who a request is: an enterprise (through a token) or a user. Append only. */
typedef enum { CG_ROLE_NONE, CG_ROLE_ENTERPRISE, CG_ROLE_OFFICER, CG_ROLE_ADMIN, CG_ROLE_MERCHANT,
	       CG_ROLE_LOGISTICS } cg_role;

typedef struct {
	cg_role role;
	long long user_id;       /* 0 for a token of an enterprise */
	long long enterprise_id; /* 0 for officers and admins */
	char cop_code[32];       /* of the enterprise, "" when none */
	char name[128];          /* user name or enterprise name */
} cg_principal;

/** The role's name as the API shows it ("enterprise", "officer" ...); "" for CG_ROLE_NONE. */
CG_API const char *cg_role_name(cg_role role);

CG_END_DECLS
#endif
