/* SPDX-License-Identifier: MIT */
/* Canonical CEB XML out of a record. */
#ifndef CG_WRITER_H
#define CG_WRITER_H

#include "ceb/model.h"

/* Append the message as canonical XML to @p out. */
cg_rc cg__msg_to_xml(const struct cg_msg *m, cg_buf *out);

#endif
