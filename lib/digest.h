/* digest.h: content digests (sha256, sha512) and resumable hashing */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_DIGEST_H
#define BERTH_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum reg_digest_alg {
	REG_DIGEST_SHA256 = 0,
	REG_DIGEST_SHA512 = 1,
};

/* "sha512:" + 128 hex + NUL */
#define REG_DIGEST_STR_MAX (7 + 128 + 1)

/*
 * A parsed, validated digest.  hex is lowercase, exactly 64 (sha256) or
 * 128 (sha512) characters and NUL-terminated; str is "<alg>:<hex>".
 */
struct reg_digest {
	enum reg_digest_alg alg;
	char hex[129];
	char str[REG_DIGEST_STR_MAX];
};

/*
 * Parse "sha256:<64 lowercase hex>" or "sha512:<128 lowercase hex>" from
 * <p,len>.  Anything else (uppercase hex, other algorithms, wrong lengths,
 * stray bytes) fails with REG_E_DIGEST_INVALID, and *d is untouched.
 */
int reg_digest_parse(struct reg_digest *d, const char *p, size_t len,
		     struct reg_err *err);
/* True if <p,len> would parse. */
bool reg_digest_is_valid(const char *p, size_t len);
/* "sha256" or "sha512"; an alg outside the enum is a bug and aborts. */
const char *reg_digest_alg_name(enum reg_digest_alg alg);
/* Length of the hex part for alg: 64 or 128 (aborts as above). */
size_t reg_digest_hex_len(enum reg_digest_alg alg);
/* Compare two digests in constant time; true when equal. */
bool reg_digest_equal(const struct reg_digest *a, const struct reg_digest *b);

/* One-shot digest of a buffer. */
void reg_digest_of(struct reg_digest *d, enum reg_digest_alg alg, const void *p,
		   size_t len);

/*
 * A hash in progress whose state can be saved to bytes and restored in
 * another process, so that an upload's chunks can be hashed as they arrive
 * by any worker and the data is never re-read.  Uses OpenSSL's SHA-256 and
 * SHA-512 (which use the CPU's SHA instructions where available).
 */
struct reg_hash;

/* Size of a serialized state; always the same for a given build. */
#define REG_HASH_STATE_MAX 256

struct reg_hash *reg_hash_new(enum reg_digest_alg alg);
void reg_hash_free(struct reg_hash *h);
void reg_hash_update(struct reg_hash *h, const void *p, size_t len);
/*
 * Finish into *d; afterwards the hash can only be freed (update, final or
 * save abort, as misuse is a bug).
 */
void reg_hash_final(struct reg_hash *h, struct reg_digest *d);
/* Total bytes fed so far. */
uint64_t reg_hash_length(const struct reg_hash *h);
/*
 * Serialize into out (outsz >= REG_HASH_STATE_MAX, else abort); writes and
 * returns exactly REG_HASH_STATE_MAX bytes.  The format carries a magic, a
 * version, the algorithm, the total length and a checksum; the raw OpenSSL
 * context inside is only meaningful to the same build on the same machine.
 */
size_t reg_hash_save(const struct reg_hash *h, unsigned char *out,
		     size_t outsz);
/*
 * Restore a hash saved by reg_hash_save (len must be REG_HASH_STATE_MAX);
 * NULL (and err set to REG_E_BLOB_UPLOAD_INVALID) when the bytes are not
 * a valid state: wrong size, magic, version or checksum, or a context
 * that does not agree with the saved length.  Free with reg_hash_free.
 */
struct reg_hash *reg_hash_load(const unsigned char *p, size_t len,
			       struct reg_err *err);

#endif
