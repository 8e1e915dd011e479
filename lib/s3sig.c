/* s3sig.c: AWS Signature Version 4 for S3 requests (header and query) */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "s3sig.h"

#include "banned.h"

/*
 * SigV4 in four steps: a canonical request (method, path, query, signed
 * headers, payload hash), its SHA-256 in a "string to sign" with the date
 * and credential scope, a signing key derived from the secret by HMAC
 * over date, region, service and "aws4_request", and the HMAC of the
 * string to sign with that key.
 */

#define SCOPE_MAX 128

static const char hexdigits[] = "0123456789abcdef";

static void
to_hex(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hexdigits[p[i] >> 4];
		out[2 * i + 1] = hexdigits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void
reg_s3_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(p, n, md);
	to_hex(md, sizeof(md), out);
}

static void
hmac_sha256(const void *key, size_t keylen, const void *msg, size_t len,
	    unsigned char out[32])
{
	size_t outlen = 0;

	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, keylen, msg, len,
		      out, 32, &outlen) == NULL ||
	    outlen != 32)
		abort(); /* OpenSSL without HMAC-SHA256 is unusable */
}

void
reg_s3_amz_date(time_t t, char out[REG_S3_DATE_LEN + 1])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(out, REG_S3_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm) !=
	    REG_S3_DATE_LEN)
		abort();
}

int
reg_s3_uri_encode(struct reg_buf *b, const char *s, bool keep_slash)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			     (c >= '0' && c <= '9') || c == '-' || c == '.' ||
			     c == '_' || c == '~' || (keep_slash && c == '/');

		if (plain) {
			if (reg_buf_add(b, p, 1) == -1)
				return -1;
		} else if (reg_buf_addf(b, "%%%02X", c) == -1) {
			return -1;
		}
	}
	return 0;
}

/* "<date>/<region>/s3/aws4_request" */
static int
scope_of(const struct reg_s3_cred *c, const char *amz_date, char *out,
	 size_t outsz)
{
	int n = snprintf(out, outsz, "%.8s/%s/s3/aws4_request", amz_date,
			 c->region);

	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* The hex signature of a canonical request. */
static int
signature_of(const struct reg_s3_cred *c, const char *amz_date,
	     const char *scope, const struct reg_buf *canonical, char sig[65])
{
	unsigned char k1[32], k2[32], k3[32], k4[32], mac[32];
	char creq_hash[65];
	struct reg_buf key, sts;
	int rc = -1;

	reg_s3_sha256_hex(canonical->data, canonical->len, creq_hash);
	reg_buf_init(&sts, 1024);
	reg_buf_init(&key, 1024);
	if (reg_buf_addf(&sts, "AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, scope,
			 creq_hash) == -1 ||
	    reg_buf_addf(&key, "AWS4%s", c->secret_key) == -1)
		goto out;
	hmac_sha256(key.data, key.len, amz_date, 8, k1);
	hmac_sha256(k1, sizeof(k1), c->region, strlen(c->region), k2);
	hmac_sha256(k2, sizeof(k2), "s3", 2, k3);
	hmac_sha256(k3, sizeof(k3), "aws4_request", 12, k4);
	hmac_sha256(k4, sizeof(k4), sts.data, sts.len, mac);
	to_hex(mac, sizeof(mac), sig);
	rc = 0;
out:
	OPENSSL_cleanse(key.data, key.len);
	OPENSSL_cleanse(k4, sizeof(k4));
	reg_buf_release(&key);
	reg_buf_release(&sts);
	return rc;
}

int
reg_s3_sign(const struct reg_s3_cred *c, const char *amz_date,
	    const char *method, const char *uri, const char *query,
	    const struct reg_s3_header *h, size_t nh, const char *payload_hash,
	    struct reg_buf *out)
{
	struct reg_buf creq, signed_names;
	char scope[SCOPE_MAX], sig[65];
	size_t i;
	int rc = -1;

	if (scope_of(c, amz_date, scope, sizeof(scope)) == -1)
		return -1;
	reg_buf_init(&creq, 64 * 1024);
	reg_buf_init(&signed_names, 4096);
	if (reg_buf_addf(&creq, "%s\n%s\n%s\n", method, uri, query) == -1)
		goto out;
	for (i = 0; i < nh; i++) {
		if (reg_buf_addf(&creq, "%s:%s\n", h[i].name, h[i].value) ==
			    -1 ||
		    reg_buf_addf(&signed_names, "%s%s", i ? ";" : "",
				 h[i].name) == -1)
			goto out;
	}
	if (reg_buf_addf(&creq, "\n%s\n%s", signed_names.data, payload_hash) ==
		    -1 ||
	    signature_of(c, amz_date, scope, &creq, sig) == -1)
		goto out;
	rc = reg_buf_addf(out,
			  "AWS4-HMAC-SHA256 Credential=%s/%s,SignedHeaders=%s,"
			  "Signature=%s",
			  c->access_key, scope, signed_names.data, sig);
out:
	reg_buf_release(&creq);
	reg_buf_release(&signed_names);
	return rc;
}

int
reg_s3_presign(const struct reg_s3_cred *c, const char *amz_date,
	       const char *method, const char *uri, const char *host,
	       unsigned long expires, struct reg_buf *query_out)
{
	struct reg_buf creq, cred;
	char scope[SCOPE_MAX], sig[65];
	size_t start = query_out->len;
	int rc = -1;

	if (scope_of(c, amz_date, scope, sizeof(scope)) == -1)
		return -1;
	reg_buf_init(&creq, 64 * 1024);
	reg_buf_init(&cred, 1024);
	/* The parameters are already in canonical (sorted) order. */
	if (reg_buf_addf(&cred, "%s/%s", c->access_key, scope) == -1 ||
	    reg_buf_adds(
		    query_out,
		    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=") ==
		    -1 ||
	    reg_s3_uri_encode(query_out, cred.data, false) == -1 ||
	    reg_buf_addf(query_out,
			 "&X-Amz-Date=%s&X-Amz-Expires=%lu"
			 "&X-Amz-SignedHeaders=host",
			 amz_date, expires) == -1)
		goto out;
	if (reg_buf_addf(&creq, "%s\n%s\n%s\nhost:%s\n\nhost\nUNSIGNED-PAYLOAD",
			 method, uri, query_out->data + start, host) == -1 ||
	    signature_of(c, amz_date, scope, &creq, sig) == -1)
		goto out;
	rc = reg_buf_addf(query_out, "&X-Amz-Signature=%s", sig);
out:
	reg_buf_release(&creq);
	reg_buf_release(&cred);
	return rc;
}
