/* s3sig.h: AWS Signature Version 4 for S3 requests (header and query) */
/* SPDX-License-Identifier: MIT */
#ifndef BERTH_S3SIG_H
#define BERTH_S3SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"

/* "20130524T000000Z" */
#define REG_S3_DATE_LEN 16
/* Hex SHA-256 of the empty string: the payload hash of a body-less request. */
#define REG_S3_EMPTY_SHA256                                                    \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct reg_s3_cred {
	const char *access_key;
	const char *secret_key;
	const char *region;
};

/* A request header to sign: name in lowercase, value trimmed. */
struct reg_s3_header {
	const char *name;
	const char *value;
};

/* The x-amz-date form of t (UTC). */
void reg_s3_amz_date(time_t t, char out[REG_S3_DATE_LEN + 1]);

/*
 * Append s percent-encoded as SigV4 wants it: unreserved characters
 * (A-Z a-z 0-9 - . _ ~) kept, '/' kept when keep_slash, everything else
 * %XX in uppercase.  -1 if b is full.
 */
int reg_s3_uri_encode(struct reg_buf *b, const char *s, bool keep_slash);

/* Lowercase hex SHA-256 of <p,n> into out (65 bytes). */
void reg_s3_sha256_hex(const void *p, size_t n, char out[65]);

/*
 * The Authorization header value of a request.  uri is the encoded path,
 * query the canonical query string ("" for none: names and values
 * encoded, sorted by name), h the headers to sign sorted by name (they
 * must include host, x-amz-content-sha256 and x-amz-date, the latter
 * equal to amz_date), payload_hash the hex SHA-256 of the body or
 * "UNSIGNED-PAYLOAD".  -1 if out is full.
 */
int reg_s3_sign(const struct reg_s3_cred *c, const char *amz_date,
		const char *method, const char *uri, const char *query,
		const struct reg_s3_header *h, size_t nh,
		const char *payload_hash, struct reg_buf *out);

/*
 * A presigned URL's query string for method on uri at host (the Host
 * header's value), valid for expires seconds from amz_date: the X-Amz-*
 * parameters in canonical order, ending with X-Amz-Signature.  Only the
 * host header is signed; the payload is UNSIGNED-PAYLOAD.
 */
int reg_s3_presign(const struct reg_s3_cred *c, const char *amz_date,
		   const char *method, const char *uri, const char *host,
		   unsigned long expires, struct reg_buf *query_out);

#endif
