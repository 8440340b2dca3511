/* SPDX-License-Identifier: MIT */
/* Common definitions of libcebgate: return codes, the per-call context, global init. */
#ifndef CG_COMMON_H
#define CG_COMMON_H

#include <stddef.h>

#ifdef __cplusplus
#define CG_BEGIN_DECLS extern "C" {
#define CG_END_DECLS }
#else
#define CG_BEGIN_DECLS
#define CG_END_DECLS
#endif

#if defined(__GNUC__)
#define CG_API __attribute__((visibility("default")))
#define CG_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define CG_API
#define CG_WARN_UNUSED
#endif

CG_BEGIN_DECLS

/** Return codes. Append only: never renumber or reuse a value. */
typedef enum {
	CG_OK = 0,
	CG_ENOMEM,
	CG_EINVAL,
	CG_EPARSE,
	CG_ESCHEMA,
	CG_ESIG,
	CG_ENOTFOUND,
	CG_EDB,
	CG_ENET,
	CG_EIO,
	CG_ETOOBIG,
	CG_EINTERNAL, /* a bug */
	CG_EEXIST,     /* a unique key (copCode, user name, serial) is taken already */
	CG_EPERM,      /* the caller's role or enterprise may not do this */
	CG_ECONFLICT,  /* the current state forbids it (a lease held, a guid with other content) */
	CG_EUNAVAIL,   /* the feature is not configured on this service */
	CG_EINCOMPLETE,/* the input could not be read to the end; the answer says where */
	CG_EAUTH       /* wrong user, password or token */
} cg_rc;

typedef enum { CG_LOG_DEBUG, CG_LOG_INFO, CG_LOG_WARN, CG_LOG_ERROR } cg_log_level;

/** Logger callback; the library never prints by itself. */
typedef void (*cg_log_fn)(void *payload, cg_log_level lvl, const char *msg);

/**
 * Per-call context: holds the message of the last failure and the logger.
 * Not shared between threads: give each thread (or request) its own.
 */
typedef struct cg_ctx cg_ctx;

/** @param[out] out new context; free with cg_ctx_free(). @return CG_OK or CG_ENOMEM */
CG_API cg_rc cg_ctx_new(cg_ctx **out) CG_WARN_UNUSED;
/** Release @p ctx; NULL is ignored. */
CG_API void cg_ctx_free(cg_ctx *ctx);
/** Install a logger; NULL means silence. */
CG_API void cg_ctx_set_logger(cg_ctx *ctx, cg_log_fn fn, void *payload);
/** Detail of the last failure reported in @p ctx (borrowed, never NULL). */
CG_API const char *cg_ctx_errmsg(const cg_ctx *ctx);
/** Static text for a return code. */
CG_API const char *cg_strerror(cg_rc rc);

/**
 * One-time process initialisation (libxml2 parser, safe entity loader, catalogs
 * off, OpenSSL). Call from main() before any thread starts.
 */
CG_API cg_rc cg_global_init(void) CG_WARN_UNUSED;
/** Undo cg_global_init(). */
CG_API void cg_global_shutdown(void);

/** Free memory that the library handed to the caller as char *. NULL is ignored. */
CG_API void cg_free(void *p);

/**
 * The word of @p words (@p n of them) nearest to @p word by edit distance
 * (Levenshtein), when it is close enough to be a typo of it; else NULL.
 * What "did you mean" suggestions are made of.
 */
CG_API const char *cg_nearest_word(const char *word, const char *const *words, size_t n);

/** Characters of an ISO 8601 timestamp with offset ("2026-12-06T12:25:03+08:00") and its NUL. */
#define CG_TIME_ISO_SIZE 32
/**
 * Unix time @p t as ISO 8601 in the process's local offset (TZ), seconds
 * precision: the one form of every timestamp cebgate shows. @p buf holds
 * CG_TIME_ISO_SIZE bytes; "" when @p t cannot be shown. Returns @p buf.
 */
CG_API const char *cg_time_iso8601(long long t, char *buf);

/**
 * Directory holding the schemas, code tables and web pages: $CEBGATE_DATADIR
 * if set and not empty, else the configured $(pkgdatadir) (never the build or
 * source tree: a build tree's programs are run with CEBGATE_DATADIR set).
 * Borrowed static string.
 */
CG_API const char *cg_datadir(void);

CG_END_DECLS
#endif
