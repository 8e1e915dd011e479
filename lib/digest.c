/* digest.c: content digests (sha256, sha512) and resumable hashing */
/* SPDX-License-Identifier: MIT */
#include "config.h"

/*
 * EVP offers no way to export a digest's state, and uploads need one: any
 * worker must be able to continue hashing an upload where another stopped,
 * without re-reading the data.  The low-level SHA256_CTX and SHA512_CTX
 * are plain structs we can save and load, but OpenSSL 3 marks their
 * functions deprecated, hence this define before any OpenSSL header.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "buf.h"
#include "digest.h"
#include "err.h"

#include "banned.h"

/*
 * The saved state is always REG_HASH_STATE_MAX bytes, integers in little
 * endian:
 *
 *	  0  8  magic "berthash"
 *	  8  1  format version (1)
 *	  9  1  algorithm (enum reg_digest_alg)
 *	 10  2  size of the context that follows
 *	 12  4  zero
 *	 16  8  total bytes fed
 *	 24  -  the SHA256_CTX or SHA512_CTX as it is in memory, zero-padded
 *	        to STATE_SUM
 *	240 16  the first 16 bytes of SHA-256 over bytes 0..239
 *
 * The raw context is only meaningful to the same build on the same
 * machine, which is what an upload needs.  The checksum rejects torn or
 * foreign files; the context is then checked against the total length.
 */
#define STATE_VERSION 1
#define STATE_CTX 24
#define STATE_SUM (REG_HASH_STATE_MAX - STATE_SUMLEN)
#define STATE_SUMLEN 16

static const unsigned char state_magic[8] = { 'b', 'e', 'r', 't',
					      'h', 'a', 's', 'h' };

_Static_assert(STATE_CTX + sizeof(SHA512_CTX) <= STATE_SUM,
	       "SHA512_CTX does not fit in a saved hash state");
_Static_assert(sizeof(SHA256_CTX) <= sizeof(SHA512_CTX),
	       "SHA256_CTX larger than SHA512_CTX");

struct reg_hash {
	enum reg_digest_alg alg;
	bool finished;
	uint64_t total;
	union {
		SHA256_CTX sha256;
		SHA512_CTX sha512;
	} ctx;
};

/* A bad alg or a misuse of a hash is a bug in the caller: stop here. */
_Noreturn static void
bug(const char *what)
{
	(void)fprintf(stderr, "berth: digest: %s\n", what);
	abort();
}

const char *
reg_digest_alg_name(enum reg_digest_alg alg)
{
	switch (alg) {
	case REG_DIGEST_SHA256:
		return "sha256";
	case REG_DIGEST_SHA512:
		return "sha512";
	}
	bug("unknown algorithm");
}

size_t
reg_digest_hex_len(enum reg_digest_alg alg)
{
	switch (alg) {
	case REG_DIGEST_SHA256:
		return (size_t)2 * SHA256_DIGEST_LENGTH;
	case REG_DIGEST_SHA512:
		return (size_t)2 * SHA512_DIGEST_LENGTH;
	}
	bug("unknown algorithm");
}

static bool
is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* The algorithm named by <p,len> (up to the ':'); -1 if unknown. */
static int
parse_alg(const char *p, size_t len, enum reg_digest_alg *alg)
{
	static const enum reg_digest_alg algs[] = {
		REG_DIGEST_SHA256,
		REG_DIGEST_SHA512,
	};
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		const char *name = reg_digest_alg_name(algs[i]);

		if (strlen(name) == len && memcmp(p, name, len) == 0) {
			*alg = algs[i];
			return 0;
		}
	}
	return -1;
}

/* Fill d from a hex string already known to be valid for alg. */
static void
fill(struct reg_digest *d, enum reg_digest_alg alg, const char *hex)
{
	size_t n = reg_digest_hex_len(alg);
	int rc;

	d->alg = alg;
	memcpy(d->hex, hex, n);
	d->hex[n] = '\0';
	rc = snprintf(d->str, sizeof(d->str), "%s:%s", reg_digest_alg_name(alg),
		      d->hex);
	if (rc < 0 || (size_t)rc >= sizeof(d->str))
		bug("digest string does not fit");
}

/*
 * Fail parsing.  Returning -1 here rather than reg_err_set's result lets
 * the static analyzer see that a failed parse never leaves *d in use.
 */
static int
invalid(struct reg_err *err, const char *why)
{
	reg_err_set(err, REG_E_DIGEST_INVALID, "invalid digest: %s", why);
	return -1;
}

int
reg_digest_parse(struct reg_digest *d, const char *p, size_t len,
		 struct reg_err *err)
{
	enum reg_digest_alg alg;
	const char *colon, *hex;
	size_t i, n;

	if (p == NULL || (colon = memchr(p, ':', len)) == NULL)
		return invalid(err, "no algorithm");
	if (parse_alg(p, (size_t)(colon - p), &alg) == -1)
		return invalid(err, "unsupported algorithm");
	hex = colon + 1;
	n = len - (size_t)(hex - p);
	if (n != reg_digest_hex_len(alg))
		return invalid(err,
			       alg == REG_DIGEST_SHA256
				       ? "sha256 needs 64 hex characters"
				       : "sha512 needs 128 hex characters");
	for (i = 0; i < n; i++) {
		if (!is_lower_hex(hex[i]))
			return invalid(err, "not lowercase hex");
	}
	fill(d, alg, hex);
	return 0;
}

bool
reg_digest_is_valid(const char *p, size_t len)
{
	struct reg_digest d;
	struct reg_err err;

	return reg_digest_parse(&d, p, len, &err) == 0;
}

bool
reg_digest_equal(const struct reg_digest *a, const struct reg_digest *b)
{
	/* Which algorithm is no secret; the hex is compared in full. */
	if (a->alg != b->alg)
		return false;
	return CRYPTO_memcmp(a->hex, b->hex, reg_digest_hex_len(a->alg)) == 0;
}

static void
hash_init(struct reg_hash *h, enum reg_digest_alg alg)
{
	memset(h, 0, sizeof(*h));
	h->alg = alg;
	switch (alg) {
	case REG_DIGEST_SHA256:
		SHA256_Init(&h->ctx.sha256);
		return;
	case REG_DIGEST_SHA512:
		SHA512_Init(&h->ctx.sha512);
		return;
	}
	bug("unknown algorithm");
}

static void
hash_update(struct reg_hash *h, const void *p, size_t len)
{
	if (h->finished)
		bug("update after final");
	if (len == 0)
		return;
	if (__builtin_add_overflow(h->total, (uint64_t)len, &h->total))
		bug("hash length overflow");
	if (h->alg == REG_DIGEST_SHA256)
		SHA256_Update(&h->ctx.sha256, p, len);
	else
		SHA512_Update(&h->ctx.sha512, p, len);
}

static void
hash_final(struct reg_hash *h, struct reg_digest *d)
{
	static const char xdigits[] = "0123456789abcdef";
	unsigned char md[SHA512_DIGEST_LENGTH];
	char hex[2 * SHA512_DIGEST_LENGTH + 1];
	size_t i, n;

	if (h->finished)
		bug("final called twice");
	h->finished = true;
	if (h->alg == REG_DIGEST_SHA256) {
		SHA256_Final(md, &h->ctx.sha256);
		n = SHA256_DIGEST_LENGTH;
	} else {
		SHA512_Final(md, &h->ctx.sha512);
		n = SHA512_DIGEST_LENGTH;
	}
	for (i = 0; i < n; i++) {
		hex[2 * i] = xdigits[md[i] >> 4];
		hex[2 * i + 1] = xdigits[md[i] & 0xf];
	}
	hex[2 * n] = '\0';
	fill(d, h->alg, hex);
}

void
reg_digest_of(struct reg_digest *d, enum reg_digest_alg alg, const void *p,
	      size_t len)
{
	struct reg_hash h;

	hash_init(&h, alg);
	hash_update(&h, p, len);
	hash_final(&h, d);
}

struct reg_hash *
reg_hash_new(enum reg_digest_alg alg)
{
	struct reg_hash *h = reg_xmalloc(sizeof(*h));

	hash_init(h, alg);
	return h;
}

void
reg_hash_free(struct reg_hash *h)
{
	free(h);
}

void
reg_hash_update(struct reg_hash *h, const void *p, size_t len)
{
	hash_update(h, p, len);
}

void
reg_hash_final(struct reg_hash *h, struct reg_digest *d)
{
	hash_final(h, d);
}

uint64_t
reg_hash_length(const struct reg_hash *h)
{
	return h->total;
}

static void
put_le(unsigned char *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get_le(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The checksum over the first STATE_SUM bytes of a saved state. */
static void
state_sum(const unsigned char *state, unsigned char sum[STATE_SUMLEN])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(state, STATE_SUM, md);
	memcpy(sum, md, STATE_SUMLEN);
}

static size_t
ctx_size(enum reg_digest_alg alg)
{
	return alg == REG_DIGEST_SHA256 ? sizeof(SHA256_CTX)
					: sizeof(SHA512_CTX);
}

size_t
reg_hash_save(const struct reg_hash *h, unsigned char *out, size_t outsz)
{
	size_t n = ctx_size(h->alg);

	if (h->finished)
		bug("save after final");
	if (outsz < REG_HASH_STATE_MAX)
		bug("hash state buffer too small");
	memset(out, 0, REG_HASH_STATE_MAX);
	memcpy(out, state_magic, sizeof(state_magic));
	out[8] = STATE_VERSION;
	out[9] = (unsigned char)h->alg;
	put_le(out + 10, n, 2);
	put_le(out + 16, h->total, 8);
	memcpy(out + STATE_CTX, &h->ctx, n);
	state_sum(out, out + STATE_SUM);
	return REG_HASH_STATE_MAX;
}

/*
 * Check that a context agrees with the total length: OpenSSL keeps the
 * bit count in Nl/Nh and the bytes of the partial block in num.
 */
static bool
ctx_is_sane(const struct reg_hash *h)
{
	uint64_t t = h->total;

	if (h->alg == REG_DIGEST_SHA256) {
		const SHA256_CTX *c = &h->ctx.sha256;
		uint64_t bits = (uint64_t)c->Nh << 32 | c->Nl;

		return c->md_len == SHA256_DIGEST_LENGTH &&
		       c->num < SHA256_CBLOCK && c->num == t % SHA256_CBLOCK &&
		       bits == t << 3 && t >> 61 == 0;
	} else {
		const SHA512_CTX *c = &h->ctx.sha512;

		return c->md_len == SHA512_DIGEST_LENGTH &&
		       c->num < SHA512_CBLOCK && c->num == t % SHA512_CBLOCK &&
		       c->Nl == t << 3 && c->Nh == t >> 61;
	}
}

struct reg_hash *
reg_hash_load(const unsigned char *p, size_t len, struct reg_err *err)
{
	unsigned char sum[STATE_SUMLEN];
	struct reg_hash *h;
	size_t i, n;

	if (p == NULL || len != REG_HASH_STATE_MAX) {
		reg_err_set(err, REG_E_BLOB_UPLOAD_INVALID,
			    "hash state has the wrong size");
		return NULL;
	}
	state_sum(p, sum);
	if (memcmp(p, state_magic, sizeof(state_magic)) != 0 ||
	    p[8] != STATE_VERSION ||
	    CRYPTO_memcmp(sum, p + STATE_SUM, STATE_SUMLEN) != 0) {
		reg_err_set(err, REG_E_BLOB_UPLOAD_INVALID,
			    "hash state is corrupt or from another version");
		return NULL;
	}
	if (p[9] != REG_DIGEST_SHA256 && p[9] != REG_DIGEST_SHA512) {
		reg_err_set(err, REG_E_BLOB_UPLOAD_INVALID,
			    "hash state has an unknown algorithm");
		return NULL;
	}
	n = ctx_size((enum reg_digest_alg)p[9]);
	for (i = 12; i < 16; i++) {
		if (p[i] != 0)
			goto bad;
	}
	for (i = STATE_CTX + n; i < STATE_SUM; i++) {
		if (p[i] != 0)
			goto bad;
	}
	if (get_le(p + 10, 2) != n)
		goto bad;

	h = reg_xmalloc(sizeof(*h));
	memset(h, 0, sizeof(*h));
	h->alg = (enum reg_digest_alg)p[9];
	h->total = get_le(p + 16, 8);
	memcpy(&h->ctx, p + STATE_CTX, n);
	if (!ctx_is_sane(h)) {
		free(h);
		goto bad;
	}
	return h;
bad:
	reg_err_set(err, REG_E_BLOB_UPLOAD_INVALID,
		    "hash state does not match this build");
	return NULL;
}
