/* SPDX-License-Identifier: MIT */
/*
 * Who holds a token, as the token check last found it (store_accounts.c):
 * a fixed table per connection, a slot per token hash, emptied whenever the
 * access generation (migration 14: bumped by every change of a token, user
 * or enterprise, by any process or node) is not the one its entries were
 * found under. So a revocation or a disabling made anywhere holds from the
 * next request on, while a token that nothing changed costs no look-up.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "window/store_internal.h"

struct slot {
	unsigned char hash[32];
	bool used;
	struct cg_token_seen seen;
};

struct cg_token_cache {
	long long generation;
	size_t count;
	/* SHA-256 fetched once: EVP_sha256() is fetched again from the provider on every use. */
	EVP_MD *sha256;
	EVP_MD_CTX *md;
	struct slot slots[CG_TOKEN_CACHE_SLOTS];
};

struct cg_token_cache *
cg__token_cache_new(void)
{
	struct cg_token_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->generation = -1;
	c->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	c->md = EVP_MD_CTX_new();
	if (c->sha256 == NULL || c->md == NULL) {
		cg__token_cache_free(c);
		return NULL;
	}
	return c;
}

void
cg__token_cache_free(struct cg_token_cache *c)
{
	if (c == NULL)
		return;
	EVP_MD_CTX_free(c->md);
	EVP_MD_free(c->sha256);
	/* The principals are not secrets, but the hashes stand for tokens. */
	memset(c, 0, sizeof(*c));
	free(c);
}

int
cg__token_cache_hash(struct cg_token_cache *c, const char *token, size_t len, unsigned char out[32])
{
	unsigned n = 0;

	return EVP_DigestInit_ex2(c->md, c->sha256, NULL) == 1 && EVP_DigestUpdate(c->md, token, len) == 1 &&
	       EVP_DigestFinal_ex(c->md, out, &n) == 1 && n == 32;
}

void
cg__token_cache_generation(struct cg_token_cache *c, long long generation)
{
	if (c->generation == generation)
		return;
	memset(c->slots, 0, sizeof(c->slots));
	c->count = 0;
	c->generation = generation;
}

/* The slot of a hash: its first bytes, which SHA-256 spreads evenly. */
static struct slot *
slot_of(struct cg_token_cache *c, const unsigned char hash[32])
{
	unsigned long k = (unsigned long)hash[0] | (unsigned long)hash[1] << 8 | (unsigned long)hash[2] << 16;

	return &c->slots[k % CG_TOKEN_CACHE_SLOTS];
}

struct cg_token_seen *
cg__token_cache_find(struct cg_token_cache *c, const unsigned char hash[32])
{
	struct slot *s = slot_of(c, hash);

	return s->used && memcmp(s->hash, hash, 32) == 0 ? &s->seen : NULL;
}

void
cg__token_cache_put(struct cg_token_cache *c, const unsigned char hash[32], const struct cg_token_seen *seen)
{
	struct slot *s = slot_of(c, hash);

	/* One token per slot: another token's entry there is replaced, so the table never grows. */
	if (!s->used)
		c->count++;
	memcpy(s->hash, hash, 32);
	s->seen = *seen;
	s->used = true;
}

void
cg__token_cache_drop(struct cg_token_cache *c, const unsigned char hash[32])
{
	struct slot *s = slot_of(c, hash);

	if (!s->used || memcmp(s->hash, hash, 32) != 0)
		return;
	memset(s, 0, sizeof(*s));
	c->count--;
}

size_t
cg__token_cache_count(const struct cg_token_cache *c)
{
	return c != NULL ? c->count : 0;
}
