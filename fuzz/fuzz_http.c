/* SPDX-License-Identifier: MIT */
/*
 * What cebgated's handlers decode from a request, without a socket: query
 * numbers, path ids and waybill paths, JSON bodies (login, review decision,
 * logistics query), and submission bodies (one XML message or DxpMsg, or a
 * JSON batch) through cg_service_submit on a private database. The first byte
 * picks the handler. With CG_FUZZ_ID set, the enterprise of the samples is
 * registered with the identity that signed the seeds, so that mutated seeds
 * reach storage, matching and receipts.
 */
#include "config.h"

#include <unistd.h>
#include "fuzz.h"
#include "cebgate/window.h"
#include "request.h"

static char dir[4096], db[4200];
static cg_ctx *ctx;
static cg_service *svc;
static cg_principal ent, officer;

static void
remove_db(void)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char path[4300];
	size_t i;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		(void)snprintf(path, sizeof(path), "%s%s", db, ext[i]);
		(void)unlink(path);
	}
	(void)rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR"), *id = getenv("CG_FUZZ_ID");
	char cert[4096], *token = NULL;
	cg_registry *reg = NULL;

	(void)argc;
	(void)argv;
	fuzz_global_init();
	FUZZ_REQUIRE(cg_ctx_new(&ctx) == CG_OK);
	(void)snprintf(dir, sizeof(dir), "%s/cg-fuzz-http.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	FUZZ_REQUIRE(mkdtemp(dir) != NULL);
	(void)snprintf(db, sizeof(db), "%s/s.db", dir);
	atexit(remove_db);
	FUZZ_REQUIRE(cg_registry_open(&reg, ctx, db) == CG_OK);
	FUZZ_REQUIRE(cg_registry_add_enterprise(reg, ctx, "4403960XA1", "fuzz platform", "ebp,ebc",
					     "DXPENT0000999901") == CG_OK);
	FUZZ_REQUIRE(cg_registry_add_enterprise(reg, ctx, "4403961XB2", "fuzz logistics",
					     "logistics,pay", "DXPENT0000999902") == CG_OK);
	if (id != NULL && *id != '\0') {
		(void)snprintf(cert, sizeof(cert), "%s/sm2.crt", id);
		FUZZ_REQUIRE(cg_registry_add_certificate(reg, ctx, "4403960XA1", cert) == CG_OK);
	}
	FUZZ_REQUIRE(cg_registry_add_user(reg, ctx, "officer1", "officer", NULL, "fuzz-officer-pw") == CG_OK);
	cg_registry_close(reg);
	FUZZ_REQUIRE(cg_service_new(&svc, ctx, db, NULL) == CG_OK);
	FUZZ_REQUIRE(cg_registry_open(&reg, ctx, db) == CG_OK);
	FUZZ_REQUIRE(cg_registry_new_token(reg, ctx, "4403960XA1", NULL, &token) == CG_OK);
	FUZZ_REQUIRE(cg_service_auth(svc, ctx, token, &ent) == CG_OK);
	cg_free(token);
	token = NULL;
	FUZZ_REQUIRE(cg_registry_new_token(reg, ctx, NULL, "officer1", &token) == CG_OK);
	FUZZ_REQUIRE(cg_service_auth(svc, ctx, token, &officer) == CG_OK);
	cg_free(token);
	cg_registry_close(reg);
	return 0;
}

/* Query values separated by '&', as the receipts and logistics routes read them. */
static void
query(const char *s)
{
	char *copy = strdup(s), *save = NULL, *v;
	long long after = 0, wait = 0, limit = 100;
	char *json = NULL;
	int count = 0;

	FUZZ_REQUIRE(copy != NULL);
	v = strtok_r(copy, "&", &save);
	after = srv_parse_number(v, 0, INT64_MAX);
	v = v != NULL ? strtok_r(NULL, "&", &save) : NULL;
	wait = srv_parse_number(v, 0, 30);
	v = v != NULL ? strtok_r(NULL, "&", &save) : NULL;
	limit = srv_parse_number(v, 100, 1000);
	FUZZ_REQUIRE(after >= -1 && wait >= -1 && wait <= 30 && limit >= -1 && limit <= 1000);
	if (after >= 0 && limit > 0 &&
	    cg_service_receipts(svc, ctx, &ent, after, (int)limit, &json, &count) == CG_OK)
		FUZZ_REQUIRE(count >= 0 && count <= limit && json != NULL);
	cg_free(json);
	free(copy);
}

/* Paths against the route patterns with named segments, and the ids and waybill keys in them. */
static void
path(const char *s)
{
	static const char *const patterns[] = { "/api/v1/declarations/{id}", "/api/v1/review/{id}/claim",
						"/api/v1/logistics/{code}/{no}",
						"/api/v1/uploads/{id}/documents/{seq}" };
	struct srv_params p;
	const char *v, *end;
	char keys[512], small[16], *json = NULL;
	long long id;
	size_t i;

	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		if (!srv_path_match(patterns[i], s, &p))
			continue;
		FUZZ_REQUIRE(p.n >= 1 && p.n <= SRV_MAX_PARAMS);
		FUZZ_REQUIRE(strlen(p.value[0]) > 0 && strlen(p.value[0]) < SRV_MAX_SEGMENT &&
			     strchr(p.value[0], '/') == NULL);
		v = srv_param(&p, "id");
		id = v != NULL ? srv_parse_id(v, &end) : 0;
		FUZZ_REQUIRE(id >= 0);
		if (id > 0 && *end == '\0' && cg_service_declaration(svc, ctx, &officer, id, &json) == CG_OK)
			FUZZ_REQUIRE(json != NULL);
		cg_free(json);
		json = NULL;
		if (srv_param(&p, "code") == NULL)
			continue;
		(void)srv_logistics_keys(srv_param(&p, "code"), srv_param(&p, "no"), small, sizeof(small));
		if (srv_logistics_keys(srv_param(&p, "code"), srv_param(&p, "no"), keys, sizeof(keys)) == 0) {
			FUZZ_REQUIRE(strlen(keys) < sizeof(keys));
			if (cg_service_logistics(svc, ctx, &officer, keys, &json) == CG_OK)
				FUZZ_REQUIRE(json != NULL);
			cg_free(json);
			json = NULL;
		}
	}
}

/* A JSON body, as login, review decisions and the logistics query read it. */
static void
json_body(const char *body, size_t len)
{
	json_t *b = srv_parse_json_body(body, len);
	char *keys = srv_logistics_query_keys(b), *json = NULL;

	(void)json_string_value(json_object_get(b, "user"));
	(void)json_string_value(json_object_get(b, "password"));
	if (cg_service_logistics(svc, ctx, &officer, keys != NULL ? keys : "", &json) == CG_OK)
		FUZZ_REQUIRE(json != NULL);
	cg_free(json);
	json = NULL;
	/* A decision on an inventory nobody claimed: refused, whatever the body says. */
	FUZZ_REQUIRE(cg_service_review_decide(svc, ctx, &officer, 1,
					      json_string_value(json_object_get(b, "decision")),
					      json_string_value(json_object_get(b, "reason")), &json) != CG_OK);
	FUZZ_REQUIRE(json == NULL);
	cg_free(json);
	free(keys);
	json_decref(b);
}

static void
submit(const char *body, size_t len, int is_json)
{
	char *json = NULL;
	cg_rc rc;

	if (len == 0)
		return; /* answered 400 before the service is called */
	/* Accepted, or a single message refused: either way there is an answer. */
	rc = cg_service_submit(svc, ctx, &ent, body, len, is_json, &json);
	if (rc == CG_OK || rc == CG_ESIG || rc == CG_ECONFLICT)
		FUZZ_REQUIRE(json != NULL);
	cg_free(json);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	s = fuzz_cstr(data + 1, size - 1);
	switch (data[0] % 5) {
	case 0: query(s); break;
	case 1: path(s); break;
	case 2: json_body(s, size - 1); break;
	case 3: submit(s, size - 1, 0); break;
	default: submit(s, size - 1, 1); break;
	}
	free(s);
	return 0;
}
