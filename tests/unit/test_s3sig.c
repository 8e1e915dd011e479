/* test_s3sig.c: SigV4 signing against the examples in AWS's S3 docs */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "../../lib/s3sig.h"
#include "t.h"

static const struct reg_s3_cred example = {
	"AKIAIOSFODNN7EXAMPLE",
	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	"us-east-1",
};

static void
test_get_object(void)
{
	/* "Example: GET Object" (header-based authentication). */
	const struct reg_s3_header h[] = {
		{ "host", "examplebucket.s3.amazonaws.com" },
		{ "range", "bytes=0-9" },
		{ "x-amz-content-sha256", REG_S3_EMPTY_SHA256 },
		{ "x-amz-date", "20130524T000000Z" },
	};
	struct reg_buf out;

	reg_buf_init(&out, 1024);
	T_EQ_INT(reg_s3_sign(&example, "20130524T000000Z", "GET", "/test.txt",
			     "", h, 4, REG_S3_EMPTY_SHA256, &out),
		 0);
	T_EQ_STR(out.data,
		 "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
		 "us-east-1/s3/aws4_request,SignedHeaders=host;range;"
		 "x-amz-content-sha256;x-amz-date,Signature="
		 "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bd"
		 "b41");
	reg_buf_release(&out);
}

static void
test_put_object(void)
{
	/* "Example: PUT Object": a '$' in the key, a signed storage class. */
	const char *payload = "Welcome to Amazon S3.";
	char hash[65];
	struct reg_buf uri, out;
	const struct reg_s3_header h[] = {
		{ "date", "Fri, 24 May 2013 00:00:00 GMT" },
		{ "host", "examplebucket.s3.amazonaws.com" },
		{ "x-amz-content-sha256", NULL },
		{ "x-amz-date", "20130524T000000Z" },
		{ "x-amz-storage-class", "REDUCED_REDUNDANCY" },
	};
	struct reg_s3_header hh[5];

	memcpy(hh, h, sizeof(h));
	reg_s3_sha256_hex(payload, strlen(payload), hash);
	T_EQ_STR(hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b"
		       "803f8b072");
	hh[2].value = hash;
	reg_buf_init(&uri, 1024);
	reg_buf_init(&out, 1024);
	T_EQ_INT(reg_s3_uri_encode(&uri, "/test$file.text", true), 0);
	T_EQ_STR(uri.data, "/test%24file.text");
	T_EQ_INT(reg_s3_sign(&example, "20130524T000000Z", "PUT", uri.data, "",
			     hh, 5, hash, &out),
		 0);
	T_ASSERT(strstr(out.data, "Signature=98ad721746da40c64f1a55b78f14c238d"
				  "841ea1380cd77a1b5971af0ece108bd") != NULL);
	reg_buf_release(&uri);
	reg_buf_release(&out);
}

static void
test_presign(void)
{
	/* "Example: Presigned URL" (query-string authentication). */
	struct reg_buf q;

	reg_buf_init(&q, 4096);
	T_EQ_INT(reg_s3_presign(&example, "20130524T000000Z", "GET",
				"/test.txt", "examplebucket.s3.amazonaws.com",
				86400, &q),
		 0);
	T_EQ_STR(q.data,
		 "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
		 "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_"
		 "request"
		 "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400"
		 "&X-Amz-SignedHeaders=host&X-Amz-Signature="
		 "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d"
		 "404");
	reg_buf_release(&q);
}

static void
test_encode(void)
{
	struct reg_buf b;

	reg_buf_init(&b, 1024);
	T_EQ_INT(reg_s3_uri_encode(&b, "a/b:c+d e~_.-", false), 0);
	T_EQ_STR(b.data, "a%2Fb%3Ac%2Bd%20e~_.-");
	reg_buf_reset(&b);
	T_EQ_INT(reg_s3_uri_encode(&b, "/x/\xc3\xa9", true), 0);
	T_EQ_STR(b.data, "/x/%C3%A9");
	reg_buf_release(&b);
	/* A full buffer is an error, never a shorter string. */
	reg_buf_init(&b, 4);
	T_EQ_INT(reg_s3_uri_encode(&b, "::::", false), -1);
	reg_buf_release(&b);
}

static void
test_date(void)
{
	char d[REG_S3_DATE_LEN + 1];

	reg_s3_amz_date(1369353600, d);
	T_EQ_STR(d, "20130524T000000Z");
}

int
main(void)
{
	T_RUN(test_get_object, "SigV4 header signature of AWS's GET example");
	T_RUN(test_put_object, "SigV4 PUT example: payload hash, '$' key");
	T_RUN(test_presign, "presigned URL of AWS's example");
	T_RUN(test_encode, "URI encoding");
	T_RUN(test_date, "x-amz-date");
	return T_DONE();
}
