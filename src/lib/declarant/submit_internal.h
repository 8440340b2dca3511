/* SPDX-License-Identifier: MIT */
/* Library-internal parts of the channels: shared libcurl set-up, the dir channel. */
#ifndef CG_SUBMIT_INTERNAL_H
#define CG_SUBMIT_INTERNAL_H

#include <curl/curl.h>
#include "cebgate/submit.h"
#include "util/internal.h"

/* libcurl write callback appending to the cg_buf in @p payload (bounded by its max). */
size_t cg__http_collect(char *data, size_t size, size_t nmemb, void *payload);
/* Timeouts, protocols, TLS files and the error buffer (CURL_ERROR_SIZE) of a request. */
cg_rc cg__http_setup(CURL *h, cg_ctx *ctx, const cg_submit_options *o, char *errbuf);

/* Make PATH/outbox, inbox, archive and error; @p path receives PATH. */
cg_rc cg__dir_init(cg_ctx *ctx, const char *dir, char *path, size_t size);
/* Write the due declarations into PATH/outbox as DxpMsg files. */
cg_rc cg__dir_send(cg_outbox *ob, cg_ctx *ctx, const char *path, const cg_submit_options *o,
		   int wait_ms, cg_submit_stats *st);
/* Read every complete file of PATH/inbox into the outbox. */
cg_rc cg__dir_fetch(cg_outbox *ob, cg_ctx *ctx, const char *path, cg_fetch_stats *st);

#endif
