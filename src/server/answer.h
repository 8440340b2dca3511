/* SPDX-License-Identifier: MIT */
/*
 * cebgated's answers: the one table that turns the library's codes into HTTP
 * statuses, and the replies every route sends (JSON, errors without internal
 * detail, the headers every answer carries).
 */
#ifndef SRV_ANSWER_H
#define SRV_ANSWER_H

#include <stddef.h>
#include <microhttpd.h>
#include "cebgate/common.h"

#define SRV_JSON "application/json; charset=utf-8"

/* The HTTP status of a library code (@p ok for CG_OK): 4xx for a refusal, 503 unavailable, else 500. */
unsigned srv_status(cg_rc rc, unsigned ok);

/* @p body as it is, with the headers every answer carries plus @p extra (name, value pairs, NULL-ended). */
enum MHD_Result srv_reply(struct MHD_Connection *c, unsigned status, const char *type, const char *body,
			  size_t len, const char *const *extra);
enum MHD_Result srv_reply_json(struct MHD_Connection *c, unsigned status, const char *json);
/* {"error": what}: what the client may know, never paths or SQL. */
enum MHD_Result srv_reply_error(struct MHD_Connection *c, unsigned status, const char *what);
/* The same with Retry-After: @p seconds (none when 0); srv_reply_error() gives 429 a minute. */
enum MHD_Result srv_reply_retry(struct MHD_Connection *c, unsigned status, const char *what, unsigned seconds);

/*
 * Database outages (cg_service_outages()): the count when the request
 * arrived, set for the calling thread before its route runs. A request that
 * failed while the count grew is answered 503 with Retry-After: it changed
 * nothing that will not answer `duplicate` when sent again.
 */
void srv_outage_mark(unsigned long at_arrival);
/* Whether the database could not be reached since the request arrived. */
int srv_outage_seen(void);
/* 503 with Retry-After: the database cannot be reached now. */
enum MHD_Result srv_reply_outage(struct MHD_Connection *c);

/*
 * The answer of one library call: @p body (consumed, cg_free()) with @p ok or
 * with the status of a refusal that carries an answer; a refusal without one
 * as {"error": the context's message}; a fault as a logged 500 that says no more,
 * or as 503 with Retry-After when the database could not be reached meanwhile.
 */
enum MHD_Result srv_answer(struct MHD_Connection *c, cg_ctx *ctx, cg_rc rc, unsigned ok, char *body,
			   size_t len, const char *type, const char *route);

#endif
