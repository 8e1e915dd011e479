/* test_digest.c: table tests for digests and saved hash states */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

/* The .c itself, to forge saved states with a valid checksum. */
#include "../../lib/digest.c" /* NOLINT(bugprone-suspicious-include) */

#define H16 "0123456789abcdef"
#define H63 H16 H16 H16 "0123456789abcde"
#define H64 H16 H16 H16 H16
#define H65 H64 "0"
#define H127 H64 H63
#define H128 H64 H64

/* FIPS 180-2 test messages. */
#define MSG448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define MSG896                                                                 \
	"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"             \
	"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"

#define ABC256                                                                 \
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define ABC512                                                                 \
	"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"     \
	"2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
#define MILLION256                                                             \
	"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
#define MILLION512                                                             \
	"e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"     \
	"de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"

static void
test_parse(void)
{
	static const struct {
		int line;
		const char *s;
		size_t len; /* 0: strlen(s) */
		int rc;
		enum reg_digest_alg alg;
	} rows[] = {
		{ __LINE__, "sha256:" H64, 0, 0, REG_DIGEST_SHA256 },
		{ __LINE__, "sha256:" ABC256, 0, 0, REG_DIGEST_SHA256 },
		{ __LINE__, "sha512:" H128, 0, 0, REG_DIGEST_SHA512 },
		{ __LINE__, "sha512:" ABC512, 0, 0, REG_DIGEST_SHA512 },
		/* Wrong lengths. */
		{ __LINE__, "sha256:" H63, 0, -1, 0 },
		{ __LINE__, "sha256:" H65, 0, -1, 0 },
		{ __LINE__, "sha256:" H128, 0, -1, 0 },
		{ __LINE__, "sha256:", 0, -1, 0 },
		{ __LINE__, "sha512:" H64, 0, -1, 0 },
		{ __LINE__, "sha512:" H127, 0, -1, 0 },
		{ __LINE__, "sha512:" H128 "0", 0, -1, 0 },
		{ __LINE__, "sha256:" H64, 70, -1, 0 },
		/* Case and alphabet. */
		{ __LINE__, "sha256:0123456789ABCDEF" H16 H16 H16, 0, -1, 0 },
		{ __LINE__, "sha256:" H63 "F", 0, -1, 0 },
		{ __LINE__, "SHA256:" H64, 0, -1, 0 },
		{ __LINE__, "Sha256:" H64, 0, -1, 0 },
		{ __LINE__, "sha256:" H63 "g", 0, -1, 0 },
		{ __LINE__, "sha256:" H63 ":", 0, -1, 0 },
		{ __LINE__, "sha256:" H63 "/", 0, -1, 0 },
		{ __LINE__, "sha256:" H63 " ", 0, -1, 0 },
		{ __LINE__, "sha256:" H63 "\n", 0, -1, 0 },
		{ __LINE__, "sha256: " H63, 0, -1, 0 },
		{ __LINE__, " sha256:" H64, 0, -1, 0 },
		{ __LINE__, "sha256:" H64 "\n", 0, -1, 0 },
		{ __LINE__, "sha256:" H64 "\r\n", 0, -1, 0 },
		/* Embedded NUL bytes. */
		{ __LINE__, "sha256:" H64 "\0", 72, -1, 0 },
		{ __LINE__, "sha256:" H63 "\0", 71, -1, 0 },
		{ __LINE__, "sha256\0" H64, 71, -1, 0 },
		{ __LINE__, "\0sha256:" H64, 72, -1, 0 },
		/* Algorithms. */
		{ __LINE__, "md5:0123456789abcdef0123456789abcdef", 0, -1, 0 },
		{ __LINE__, "sha1:0123456789abcdef0123456789abcdef01234567", 0,
		  -1, 0 },
		{ __LINE__, "sha384:" H64 H16 H16, 0, -1, 0 },
		{ __LINE__, "sha224:" H16 H16 H16 "01234567", 0, -1, 0 },
		{ __LINE__, "blake3:" H64, 0, -1, 0 },
		{ __LINE__, "sha256+b64u:" H64, 0, -1, 0 },
		{ __LINE__, "sha25:" H64, 0, -1, 0 },
		{ __LINE__, "sha2566:" H64, 0, -1, 0 },
		{ __LINE__, ":" H64, 0, -1, 0 },
		{ __LINE__, H64, 0, -1, 0 },
		{ __LINE__, "sha256" H64, 0, -1, 0 },
		{ __LINE__, "sha256::" H63, 0, -1, 0 },
		{ __LINE__, "sha256", 0, -1, 0 },
		{ __LINE__, ":", 0, -1, 0 },
		{ __LINE__, "", 0, -1, 0 },
		{ __LINE__, "sha256:" H64, 7, -1, 0 },
		{ __LINE__, "sha256:" H64, 6, -1, 0 },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_digest d;
		struct reg_err err;
		size_t len = rows[i].len ? rows[i].len : strlen(rows[i].s);

		T_ROW(rows[i].line);
		memset(&d, 0x5a, sizeof(d));
		reg_err_clear(&err);
		T_EQ_INT(reg_digest_parse(&d, rows[i].s, len, &err),
			 rows[i].rc);
		T_EQ_INT(reg_digest_is_valid(rows[i].s, len), rows[i].rc == 0);
		if (rows[i].rc == 0) {
			T_EQ_INT(d.alg, rows[i].alg);
			T_EQ_STR(d.str, rows[i].s);
			T_EQ_STR(d.hex, rows[i].s + 7);
			T_EQ_INT(strlen(d.hex), reg_digest_hex_len(d.alg));
			T_EQ_INT(err.code, REG_E_NONE);
		} else {
			struct reg_digest untouched;

			memset(&untouched, 0x5a, sizeof(untouched));
			T_ASSERT(d.alg == untouched.alg);
			T_ASSERT(memcmp(d.hex, untouched.hex, sizeof(d.hex)) ==
				 0);
			T_ASSERT(memcmp(d.str, untouched.str, sizeof(d.str)) ==
				 0);
			T_EQ_INT(err.code, REG_E_DIGEST_INVALID);
			T_ASSERT(err.detail[0] != '\0');
		}
	}
	T_ROW(__LINE__);
	T_ASSERT(!reg_digest_is_valid(NULL, 0));
	T_ASSERT(!reg_digest_is_valid(NULL, 71));
}

static void
test_alg(void)
{
	T_EQ_STR(reg_digest_alg_name(REG_DIGEST_SHA256), "sha256");
	T_EQ_STR(reg_digest_alg_name(REG_DIGEST_SHA512), "sha512");
	T_EQ_INT(reg_digest_hex_len(REG_DIGEST_SHA256), 64);
	T_EQ_INT(reg_digest_hex_len(REG_DIGEST_SHA512), 128);
	T_ASSERT(REG_DIGEST_STR_MAX == strlen("sha512:" H128) + 1);
}

static void
test_equal(void)
{
	static const struct {
		int line;
		const char *a, *b;
		bool want;
	} rows[] = {
		{ __LINE__, "sha256:" H64, "sha256:" H64, true },
		{ __LINE__, "sha256:" ABC256, "sha256:" ABC256, true },
		{ __LINE__, "sha512:" H128, "sha512:" H128, true },
		{ __LINE__, "sha256:" H64, "sha256:" H63 "e", false },
		{ __LINE__, "sha256:" H64, "sha256:1" H63, false },
		{ __LINE__, "sha256:" H64, "sha256:" ABC256, false },
		{ __LINE__, "sha512:" H128, "sha512:" H127 "e", false },
		{ __LINE__, "sha256:" H64, "sha512:" H128, false },
		{ __LINE__, "sha512:" H128, "sha256:" H64, false },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_digest a, b;
		struct reg_err err;

		T_ROW(rows[i].line);
		if (reg_digest_parse(&a, rows[i].a, strlen(rows[i].a), &err) ==
			    -1 ||
		    reg_digest_parse(&b, rows[i].b, strlen(rows[i].b), &err) ==
			    -1) {
			T_FAIL_AT("row does not parse: %s", err.detail);
			continue;
		}
		T_EQ_INT(reg_digest_equal(&a, &b), rows[i].want);
		T_EQ_INT(reg_digest_equal(&b, &a), rows[i].want);
		T_ASSERT(reg_digest_equal(&a, &a));
	}
}

static const struct {
	int line;
	enum reg_digest_alg alg;
	const char *msg;
	const char *hex;
} vectors[] = {
	{ __LINE__, REG_DIGEST_SHA256, "",
	  "e3b0c44298fc1c149afbf4c8996fb924"
	  "27ae41e4649b934ca495991b7852b855" },
	{ __LINE__, REG_DIGEST_SHA256, "abc", ABC256 },
	{ __LINE__, REG_DIGEST_SHA256, MSG448,
	  "248d6a61d20638b8e5c026930c3e6039"
	  "a33ce45964ff2167f6ecedd419db06c1" },
	{ __LINE__, REG_DIGEST_SHA256, MSG896,
	  "cf5b16a778af8380036ce59e7b049237"
	  "0b249b11e8f07a51afac45037afee9d1" },
	{ __LINE__, REG_DIGEST_SHA512, "",
	  "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
	  "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
	{ __LINE__, REG_DIGEST_SHA512, "abc", ABC512 },
	{ __LINE__, REG_DIGEST_SHA512, MSG448,
	  "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
	  "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445" },
	{ __LINE__, REG_DIGEST_SHA512, MSG896,
	  "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
	  "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909" },
};

static void
test_vectors(void)
{
	size_t i, j;

	for (i = 0; i < T_NITEMS(vectors); i++) {
		const char *msg = vectors[i].msg;
		size_t len = strlen(msg);
		struct reg_digest d;
		struct reg_hash *h;

		T_ROW(vectors[i].line);
		reg_digest_of(&d, vectors[i].alg, msg, len);
		T_EQ_INT(d.alg, vectors[i].alg);
		T_EQ_STR(d.hex, vectors[i].hex);
		T_ASSERT(strncmp(d.str, reg_digest_alg_name(d.alg), 6) == 0);
		T_EQ_STR(d.str + 7, vectors[i].hex);

		/* The same, a byte at a time. */
		h = reg_hash_new(vectors[i].alg);
		for (j = 0; j < len; j++)
			reg_hash_update(h, msg + j, 1);
		reg_hash_update(h, NULL, 0);
		T_EQ_INT(reg_hash_length(h), len);
		reg_hash_final(h, &d);
		reg_hash_free(h);
		T_EQ_STR(d.hex, vectors[i].hex);
	}
}

/* Save h and load the copy, as if the next chunk came to another worker. */
static struct reg_hash *
reload(struct reg_hash *h)
{
	unsigned char state[REG_HASH_STATE_MAX];
	struct reg_hash *copy;
	struct reg_err err;
	size_t n;

	n = reg_hash_save(h, state, sizeof(state));
	T_EQ_INT(n, REG_HASH_STATE_MAX);
	reg_hash_free(h);
	reg_err_clear(&err);
	copy = reg_hash_load(state, n, &err);
	T_ASSERT(copy != NULL);
	if (copy == NULL) {
		fprintf(stderr, "# load: %s\n", err.detail);
		exit(1);
	}
	return copy;
}

static void
test_split(void)
{
	size_t i, cut;

	/* "abc" in two halves with a save and load between them. */
	for (i = 0; i < T_NITEMS(vectors); i++) {
		const char *msg = vectors[i].msg;
		size_t len = strlen(msg);

		T_ROW(vectors[i].line);
		for (cut = 0; cut <= len; cut++) {
			struct reg_hash *h = reg_hash_new(vectors[i].alg);
			struct reg_digest d;

			reg_hash_update(h, msg, cut);
			h = reload(h);
			T_EQ_INT(reg_hash_length(h), cut);
			reg_hash_update(h, msg + cut, len - cut);
			h = reload(h);
			T_EQ_INT(reg_hash_length(h), len);
			reg_hash_final(h, &d);
			reg_hash_free(h);
			T_EQ_STR(d.hex, vectors[i].hex);
		}
	}
}

/* A million 'a' in uneven chunks, saved and loaded after every chunk. */
static void
test_million(void)
{
	static const struct {
		int line;
		enum reg_digest_alg alg;
		const char *hex;
	} rows[] = {
		{ __LINE__, REG_DIGEST_SHA256, MILLION256 },
		{ __LINE__, REG_DIGEST_SHA512, MILLION512 },
	};
	static const size_t chunks[] = { 1,   63,  64,	 65,  127,
					 128, 129, 4096, 7919 };
	static char a[8192];
	size_t i, k, done;

	memset(a, 'a', sizeof(a));
	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_hash *h = reg_hash_new(rows[i].alg);
		struct reg_digest d;

		T_ROW(rows[i].line);
		for (done = 0, k = 0; done < 1000000; k++) {
			size_t n = chunks[k % T_NITEMS(chunks)];

			if (n > 1000000 - done)
				n = 1000000 - done;
			reg_hash_update(h, a, n);
			done += n;
			h = reload(h);
			T_EQ_INT(reg_hash_length(h), done);
		}
		reg_hash_final(h, &d);
		reg_hash_free(h);
		T_EQ_STR(d.hex, rows[i].hex);
	}
}

static void
test_save_stable(void)
{
	static const enum reg_digest_alg algs[] = { REG_DIGEST_SHA256,
						    REG_DIGEST_SHA512 };
	size_t i;

	for (i = 0; i < T_NITEMS(algs); i++) {
		unsigned char s1[REG_HASH_STATE_MAX],
			s2[REG_HASH_STATE_MAX + 8];
		struct reg_hash *h = reg_hash_new(algs[i]), *g;
		struct reg_err err;

		T_ROW(__LINE__);
		reg_hash_update(h, "hello", 5);
		T_EQ_INT(reg_hash_save(h, s1, sizeof(s1)), REG_HASH_STATE_MAX);
		T_EQ_INT(reg_hash_save(h, s2, sizeof(s2)), REG_HASH_STATE_MAX);
		T_ASSERT(memcmp(s1, s2, REG_HASH_STATE_MAX) == 0);
		/* load(save(h)) saves to the same bytes. */
		g = reg_hash_load(s1, sizeof(s1), &err);
		T_ASSERT(g != NULL);
		if (g != NULL) {
			T_EQ_INT(reg_hash_save(g, s2, sizeof(s2)),
				 REG_HASH_STATE_MAX);
			T_ASSERT(memcmp(s1, s2, REG_HASH_STATE_MAX) == 0);
			reg_hash_free(g);
		}
		reg_hash_free(h);
	}
}

/* Any changed byte, any other length: rejected. */
static void
test_load_corrupt(void)
{
	static const enum reg_digest_alg algs[] = { REG_DIGEST_SHA256,
						    REG_DIGEST_SHA512 };
	static const unsigned char masks[] = { 0x01, 0x80, 0xff };
	unsigned char good[REG_HASH_STATE_MAX + 1], bad[REG_HASH_STATE_MAX];
	size_t a, i, m;

	for (a = 0; a < T_NITEMS(algs); a++) {
		struct reg_hash *h = reg_hash_new(algs[a]);
		struct reg_err err;

		T_ROW(__LINE__);
		reg_hash_update(h, MSG896, strlen(MSG896));
		reg_hash_save(h, good, sizeof(good));
		reg_hash_free(h);
		for (i = 0; i < REG_HASH_STATE_MAX; i++) {
			for (m = 0; m < T_NITEMS(masks); m++) {
				memcpy(bad, good, sizeof(bad));
				bad[i] ^= masks[m];
				reg_err_clear(&err);
				h = reg_hash_load(bad, sizeof(bad), &err);
				if (h != NULL) {
					T_FAIL_AT("byte %zu ^ %#x accepted", i,
						  (unsigned)masks[m]);
					reg_hash_free(h);
				}
				T_EQ_INT(err.code, REG_E_BLOB_UPLOAD_INVALID);
			}
		}
		/* Wrong lengths. */
		T_ASSERT(reg_hash_load(good, REG_HASH_STATE_MAX - 1, &err) ==
			 NULL);
		T_ASSERT(reg_hash_load(good, REG_HASH_STATE_MAX + 1, &err) ==
			 NULL);
		T_ASSERT(reg_hash_load(good, 0, &err) == NULL);
		T_ASSERT(reg_hash_load(NULL, REG_HASH_STATE_MAX, &err) == NULL);
		/* Nothing but zeros, or nothing but 0xff. */
		memset(bad, 0, sizeof(bad));
		T_ASSERT(reg_hash_load(bad, sizeof(bad), &err) == NULL);
		memset(bad, 0xff, sizeof(bad));
		T_ASSERT(reg_hash_load(bad, sizeof(bad), &err) == NULL);
		T_EQ_INT(err.code, REG_E_BLOB_UPLOAD_INVALID);
	}
}

enum field {
	F_NONE,
	F_MAGIC,
	F_VERSION,
	F_ALG,
	F_CTXSIZE,
	F_RESERVED,
	F_TOTAL,
	F_NUM,
	F_MDLEN,
	F_NL,
	F_NH,
	F_PAD,
};

static void
put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void
put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

/*
 * States with a valid checksum but fields that do not add up, as a bug or
 * another build could write them: the context checks must catch these.
 */
static void
test_load_forged(void)
{
	static const struct {
		int line;
		enum reg_digest_alg alg;
		enum field field;
		uint64_t value;
		bool ok;
	} rows[] = {
		/* Controls: the forging itself is right. */
		{ __LINE__, REG_DIGEST_SHA256, F_NONE, 0, true },
		{ __LINE__, REG_DIGEST_SHA512, F_NONE, 0, true },
		{ __LINE__, REG_DIGEST_SHA256, F_TOTAL, 100, true },
		{ __LINE__, REG_DIGEST_SHA256, F_NUM, 36, true },
		{ __LINE__, REG_DIGEST_SHA256, F_MDLEN, 32, true },
		{ __LINE__, REG_DIGEST_SHA512, F_MDLEN, 64, true },
		{ __LINE__, REG_DIGEST_SHA512, F_NUM, 100, true },

		{ __LINE__, REG_DIGEST_SHA256, F_MAGIC, 'B', false },
		{ __LINE__, REG_DIGEST_SHA256, F_VERSION, 0, false },
		{ __LINE__, REG_DIGEST_SHA256, F_VERSION, 2, false },
		{ __LINE__, REG_DIGEST_SHA256, F_ALG, REG_DIGEST_SHA512,
		  false },
		{ __LINE__, REG_DIGEST_SHA512, F_ALG, REG_DIGEST_SHA256,
		  false },
		{ __LINE__, REG_DIGEST_SHA256, F_ALG, 2, false },
		{ __LINE__, REG_DIGEST_SHA256, F_ALG, 255, false },
		{ __LINE__, REG_DIGEST_SHA256, F_CTXSIZE, 111, false },
		{ __LINE__, REG_DIGEST_SHA256, F_CTXSIZE, 216, false },
		{ __LINE__, REG_DIGEST_SHA512, F_CTXSIZE, 112, false },
		{ __LINE__, REG_DIGEST_SHA256, F_RESERVED, 1, false },
		{ __LINE__, REG_DIGEST_SHA256, F_TOTAL, 101, false },
		{ __LINE__, REG_DIGEST_SHA256, F_TOTAL, 99, false },
		{ __LINE__, REG_DIGEST_SHA256, F_TOTAL, 164, false },
		{ __LINE__, REG_DIGEST_SHA256, F_TOTAL,
		  100 + (UINT64_C(1) << 61), false },
		{ __LINE__, REG_DIGEST_SHA512, F_TOTAL, 228, false },
		{ __LINE__, REG_DIGEST_SHA512, F_TOTAL, 0, false },
		{ __LINE__, REG_DIGEST_SHA256, F_NUM, 64, false },
		{ __LINE__, REG_DIGEST_SHA256, F_NUM, 37, false },
		{ __LINE__, REG_DIGEST_SHA256, F_NUM, UINT32_MAX, false },
		{ __LINE__, REG_DIGEST_SHA512, F_NUM, 128, false },
		{ __LINE__, REG_DIGEST_SHA512, F_NUM, 99, false },
		{ __LINE__, REG_DIGEST_SHA256, F_MDLEN, 28, false },
		{ __LINE__, REG_DIGEST_SHA256, F_MDLEN, 0, false },
		{ __LINE__, REG_DIGEST_SHA512, F_MDLEN, 48, false },
		{ __LINE__, REG_DIGEST_SHA512, F_MDLEN, 32, false },
		{ __LINE__, REG_DIGEST_SHA256, F_NL, 0, false },
		{ __LINE__, REG_DIGEST_SHA256, F_NH, 1, false },
		{ __LINE__, REG_DIGEST_SHA512, F_NL, 0, false },
		{ __LINE__, REG_DIGEST_SHA512, F_NH, 1, false },
		{ __LINE__, REG_DIGEST_SHA256, F_PAD, 1, false },
	};
	unsigned char s[REG_HASH_STATE_MAX];
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		struct reg_hash *h = reg_hash_new(rows[i].alg);
		unsigned char *ctx = s + STATE_CTX;
		bool sha256 = rows[i].alg == REG_DIGEST_SHA256;
		uint32_t v32 = (uint32_t)rows[i].value;
		struct reg_err err;

		T_ROW(rows[i].line);
		/* 100 bytes: a partial block in both algorithms. */
		reg_hash_update(h, MSG896, 100);
		reg_hash_save(h, s, sizeof(s));
		reg_hash_free(h);
		switch (rows[i].field) {
		case F_NONE:
			break;
		case F_MAGIC:
			s[0] = (unsigned char)rows[i].value;
			break;
		case F_VERSION:
			s[8] = (unsigned char)rows[i].value;
			break;
		case F_ALG:
			s[9] = (unsigned char)rows[i].value;
			break;
		case F_CTXSIZE:
			put_le(s + 10, rows[i].value, 2);
			break;
		case F_RESERVED:
			s[12] = (unsigned char)rows[i].value;
			break;
		case F_TOTAL:
			put_le(s + 16, rows[i].value, 8);
			break;
		case F_NUM:
			put32(ctx + (sha256 ? offsetof(SHA256_CTX, num)
					    : offsetof(SHA512_CTX, num)),
			      v32);
			break;
		case F_MDLEN:
			put32(ctx + (sha256 ? offsetof(SHA256_CTX, md_len)
					    : offsetof(SHA512_CTX, md_len)),
			      v32);
			break;
		case F_NL:
			if (sha256)
				put32(ctx + offsetof(SHA256_CTX, Nl), v32);
			else
				put64(ctx + offsetof(SHA512_CTX, Nl),
				      rows[i].value);
			break;
		case F_NH:
			if (sha256)
				put32(ctx + offsetof(SHA256_CTX, Nh), v32);
			else
				put64(ctx + offsetof(SHA512_CTX, Nh),
				      rows[i].value);
			break;
		case F_PAD:
			s[STATE_SUM - 1] = (unsigned char)rows[i].value;
			break;
		}
		state_sum(s, s + STATE_SUM);
		reg_err_clear(&err);
		h = reg_hash_load(s, sizeof(s), &err);
		T_EQ_INT(h != NULL, rows[i].ok);
		if (h != NULL) {
			struct reg_digest d, want;

			T_EQ_INT(reg_hash_length(h), 100);
			reg_hash_update(h, &MSG896[100], strlen(MSG896) - 100);
			reg_hash_final(h, &d);
			reg_hash_free(h);
			reg_digest_of(&want, rows[i].alg, MSG896,
				      strlen(MSG896));
			T_ASSERT(reg_digest_equal(&d, &want));
		} else {
			T_EQ_INT(err.code, REG_E_BLOB_UPLOAD_INVALID);
		}
	}
}

int
main(void)
{
	T_RUN(test_parse, "reg_digest_parse and reg_digest_is_valid");
	T_RUN(test_alg, "algorithm names and lengths");
	T_RUN(test_equal, "reg_digest_equal");
	T_RUN(test_vectors, "FIPS 180-2 vectors, one-shot and incremental");
	T_RUN(test_split, "save and load at every split point");
	T_RUN(test_million, "a million 'a' with a reload after every chunk");
	T_RUN(test_save_stable, "saved states are deterministic");
	T_RUN(test_load_corrupt, "corrupt saved states are rejected");
	T_RUN(test_load_forged, "forged saved states are rejected");
	return T_DONE();
}
