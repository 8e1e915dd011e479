/* test_jwt.c: hostile unit tests for token signing and verification */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "t.h"

/* The .c itself, to forge tokens with its static signing helpers. */
#include "../../lib/jwt.c" /* NOLINT(bugprone-suspicious-include) */

#define ISS "berth-token"
#define AUD "registry"
#define NOW ((time_t)1700000000)
#define IA "\"iss\":\"berth-token\",\"aud\":\"registry\""
#define EXP "\"exp\":1700000300"
#define CLAIMS "{" IA "," EXP ",\"sub\":\"alice\"}"
#define HMAC_SECRET "0123456789abcdef0123456789abcdef-hmac"

/* RFC 7638 3.1 (the key of RFC 7517 A.1). */
#define RFC_N                                                                  \
	"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1R" \
	"K7"                                                                   \
	"aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yB" \
	"XArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnY" \
	"b9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu" \
	"0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
#define RFC_THUMBPRINT "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

#define T_HAS(detail, sub)                                                     \
	do {                                                                   \
		if (strstr((detail), (sub)) == NULL)                           \
			T_FAIL_AT("detail \"%s\" lacks \"%s\"", (detail),      \
				  (sub));                                      \
	} while (0)

/* Keys shared by the tests, made once at run time. */
static struct {
	EVP_PKEY *ed, *ec, *rsa, *ec2;
	/* The same keys as the signing helpers of jwt.c see them. */
	struct jwt_key ked, kec, krsa, kec2, khs;
	X509 *rsa_cert;
	struct reg_jwt_keyset *ks; /* ed, ec, rsa (cert) and "hs-key" */
} fx;

static EVP_PKEY *
gen(enum reg_jwt_alg alg)
{
	EVP_PKEY *pk = generate_key(alg, 2048);

	if (pk == NULL)
		bug("test key generation failed");
	return pk;
}

/* A jwt_key for pk (the reference is shared). */
static void
wrap_key(struct jwt_key *k, EVP_PKEY *pk)
{
	char why[WHY_MAX];

	if (!EVP_PKEY_up_ref(pk) ||
	    init_pubkey(k, pk, false, why, sizeof(why)) == -1)
		bug(why);
}

static char *
bio_string(BIO *bio)
{
	char *data;
	long len = BIO_get_mem_data(bio, &data);
	char *s = reg_xstrndup(data, (size_t)len);

	BIO_free(bio);
	return s;
}

static char *
pem_private(EVP_PKEY *pk)
{
	BIO *bio = BIO_new(BIO_s_mem());

	if (PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL) != 1)
		bug("PEM_write_bio_PrivateKey");
	return bio_string(bio);
}

static char *
pem_public(EVP_PKEY *pk)
{
	BIO *bio = BIO_new(BIO_s_mem());

	if (PEM_write_bio_PUBKEY(bio, pk) != 1)
		bug("PEM_write_bio_PUBKEY");
	return bio_string(bio);
}

static char *
pem_cert(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());

	if (PEM_write_bio_X509(bio, x) != 1)
		bug("PEM_write_bio_X509");
	return bio_string(bio);
}

/* The end of cat's arguments: a null pointer of the type va_arg reads. */
#define END ((const char *)NULL)

/* Concatenate strings, up to END, into a new one. */
static char *
cat(const char *first, ...)
{
	struct reg_buf b;
	va_list ap;
	const char *s;

	reg_buf_init(&b, 1 << 20);
	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *))
		(void)reg_buf_adds(&b, s);
	va_end(ap);
	return reg_buf_detach(&b, NULL);
}

/* The public JWK of pk with extra members ("" or ",\"kid\":..."). */
static char *
jwk_of(EVP_PKEY *pk, const char *extra)
{
	struct reg_buf b;
	enum reg_jwt_alg alg;
	char why[WHY_MAX];

	reg_buf_init(&b, 1 << 16);
	/* Even for keys refused by alg_of_pkey, such as small RSA ones. */
	if (alg_of_pkey(pk, &alg, why, sizeof(why)) == -1)
		alg = REG_JWT_RS256;
	if (reg_buf_adds(&b, "{") == -1 || add_jwk_members(&b, pk, alg) == -1 ||
	    reg_buf_adds(&b, extra) == -1 || reg_buf_adds(&b, "}") == -1)
		bug("jwk_of");
	return reg_buf_detach(&b, NULL);
}

/* base64url(hdr).base64url(payload).base64url(sig) */
static char *
forge_raw(const char *hdr, const char *payload, const unsigned char *sig,
	  size_t siglen)
{
	struct reg_buf b;

	reg_buf_init(&b, 1 << 20);
	(void)add_b64(&b, (const unsigned char *)hdr, strlen(hdr), true);
	(void)reg_buf_adds(&b, ".");
	(void)add_b64(&b, (const unsigned char *)payload, strlen(payload),
		      true);
	(void)reg_buf_adds(&b, ".");
	(void)add_b64(&b, sig, siglen, true);
	return reg_buf_detach(&b, NULL);
}

/* A token over hdr and payload, signed by k with k's own scheme. */
static char *
forge(const struct jwt_key *k, const char *hdr, const char *payload)
{
	struct reg_buf b;
	unsigned char sig[SIG_MAX];
	size_t n = 0;

	reg_buf_init(&b, 1 << 20);
	(void)add_b64(&b, (const unsigned char *)hdr, strlen(hdr), true);
	(void)reg_buf_adds(&b, ".");
	(void)add_b64(&b, (const unsigned char *)payload, strlen(payload),
		      true);
	if (sign_msg(k, (const unsigned char *)b.data, b.len, sig, &n) == -1)
		bug("sign_msg");
	(void)reg_buf_adds(&b, ".");
	(void)add_b64(&b, sig, n, true);
	return reg_buf_detach(&b, NULL);
}

/* {"alg":alg,"kid":kid} */
static const char *
hdr_kid(char *buf, size_t size, const char *alg, const char *kid)
{
	if (snprintf(buf, size, "{\"alg\":\"%s\",\"kid\":\"%s\"}", alg, kid) <
	    0)
		bug("snprintf");
	return buf;
}

static struct reg_jwt_opts
opts_at(time_t now, unsigned leeway)
{
	struct reg_jwt_opts o = { REG_JWT_ALGS_ALL, ISS, AUD, now, leeway, 0 };

	return o;
}

/* Verify tok; on failure check the code and that t was left empty. */
static int
verify_tok(const struct reg_jwt_keyset *ks, const char *tok,
	   const struct reg_jwt_opts *o, struct reg_jwt *t, struct reg_err *err)
{
	int rc;

	reg_jwt_init(t);
	reg_err_clear(err);
	rc = reg_jwt_verify(ks, tok, strlen(tok), o, t, err);
	if (rc == -1) {
		T_EQ_INT(err->code, REG_E_UNAUTHORIZED);
		T_ASSERT(t->iss == NULL && t->access == NULL &&
			 t->naccess == 0);
	}
	return rc;
}

/* Expect tok to fail with a detail containing sub (at case line). */
static void
expect_fail(int line, const struct reg_jwt_keyset *ks, const char *tok,
	    const struct reg_jwt_opts *o, const char *sub)
{
	struct reg_jwt t;
	struct reg_err err;

	T_ROW(line);
	T_EQ_INT(verify_tok(ks, tok, o, &t, &err), -1);
	T_HAS(err.detail, sub);
	reg_jwt_release(&t);
	T_ROW(0);
}

static void
expect_ok(int line, const struct reg_jwt_keyset *ks, const char *tok,
	  const struct reg_jwt_opts *o)
{
	struct reg_jwt t;
	struct reg_err err;

	T_ROW(line);
	if (verify_tok(ks, tok, o, &t, &err) != 0)
		T_FAIL_AT("verify failed: %s", err.detail);
	reg_jwt_release(&t);
	T_ROW(0);
}

#define EXPECT_FAIL(ks, tok, o, sub) expect_fail(__LINE__, ks, tok, o, sub)
#define EXPECT_OK(ks, tok, o) expect_ok(__LINE__, ks, tok, o)

static void
setup(void)
{
	struct reg_err err;
	char *ped, *pec, *prsa, *bundle;

	fx.ed = gen(REG_JWT_EDDSA);
	fx.ec = gen(REG_JWT_ES256);
	fx.rsa = gen(REG_JWT_RS256);
	fx.ec2 = gen(REG_JWT_ES256);
	wrap_key(&fx.ked, fx.ed);
	wrap_key(&fx.kec, fx.ec);
	wrap_key(&fx.krsa, fx.rsa);
	wrap_key(&fx.kec2, fx.ec2);
	if (init_hmac(&fx.khs, "hs-key", (const unsigned char *)HMAC_SECRET,
		      strlen(HMAC_SECRET), &err) == -1)
		bug(err.detail);
	fx.rsa_cert = make_cert(fx.rsa, "rsa", false, 30, NULL, NULL);
	if (fx.rsa_cert == NULL)
		bug("make_cert");
	ped = pem_public(fx.ed);
	pec = pem_public(fx.ec);
	prsa = pem_cert(fx.rsa_cert);
	bundle = cat("some text before\n", ped, "between\n", pec, prsa, END);
	fx.ks = reg_jwt_keyset_new();
	if (reg_jwt_keyset_load_mem(fx.ks, "bundle", bundle, strlen(bundle),
				    &err) == -1 ||
	    reg_jwt_keyset_add_hmac(fx.ks, "hs-key",
				    (const unsigned char *)HMAC_SECRET,
				    strlen(HMAC_SECRET), &err) == -1)
		bug(err.detail);
	free(ped);
	free(pec);
	free(prsa);
	free(bundle);
}

static void
teardown(void)
{
	reg_jwt_keyset_free(fx.ks);
	X509_free(fx.rsa_cert);
	clear_key(&fx.ked);
	clear_key(&fx.kec);
	clear_key(&fx.krsa);
	clear_key(&fx.kec2);
	clear_key(&fx.khs);
	EVP_PKEY_free(fx.ed);
	EVP_PKEY_free(fx.ec);
	EVP_PKEY_free(fx.rsa);
	EVP_PKEY_free(fx.ec2);
}

static void
test_b64_decode(void)
{
	static const struct {
		int line;
		const char *in;
		bool url;
		int rc;
		const char *out;
	} rows[] = {
		{ __LINE__, "", true, 0, "" },
		{ __LINE__, "Zg", true, 0, "f" },
		{ __LINE__, "Zm8", true, 0, "fo" },
		{ __LINE__, "Zm9v", true, 0, "foo" },
		{ __LINE__, "Zm9vYg", true, 0, "foob" },
		{ __LINE__, "Zm9vYmFy", true, 0, "foobar" },
		{ __LINE__, "_-8", true, 0, "\xff\xef" },
		/* Padding is not base64url. */
		{ __LINE__, "Zg==", true, -1, NULL },
		{ __LINE__, "Zg=", true, -1, NULL },
		{ __LINE__, "Zm8=", true, -1, NULL },
		/* The standard alphabet is not base64url. */
		{ __LINE__, "Zm+v", true, -1, NULL },
		{ __LINE__, "Zm/v", true, -1, NULL },
		/* Whitespace, anywhere. */
		{ __LINE__, "Zm9 v", true, -1, NULL },
		{ __LINE__, " Zm9v", true, -1, NULL },
		{ __LINE__, "Zm9\n", true, -1, NULL },
		{ __LINE__, "Zm9v\r\n", true, -1, NULL },
		{ __LINE__, "Zm\t9v", true, -1, NULL },
		{ __LINE__, "Zm9.", true, -1, NULL },
		{ __LINE__, "Zm9\x80", true, -1, NULL },
		/* Impossible length, non-canonical trailing bits. */
		{ __LINE__, "Z", true, -1, NULL },
		{ __LINE__, "Zm9vY", true, -1, NULL },
		{ __LINE__, "Zh", true, -1, NULL },
		{ __LINE__, "Zm9", true, -1, NULL },
		{ __LINE__, "Zm-", true, -1, NULL },
		/* Standard base64: padding is mandatory, and only at the end.
		 */
		{ __LINE__, "Zg==", false, 0, "f" },
		{ __LINE__, "Zm8=", false, 0, "fo" },
		{ __LINE__, "Zm9v", false, 0, "foo" },
		{ __LINE__, "+/8=", false, 0, "\xfb\xff" },
		{ __LINE__, "", false, 0, "" },
		{ __LINE__, "Zg", false, -1, NULL },
		{ __LINE__, "Zg=", false, -1, NULL },
		{ __LINE__, "Zg===", false, -1, NULL },
		{ __LINE__, "Z===", false, -1, NULL },
		{ __LINE__, "====", false, -1, NULL },
		{ __LINE__, "Zg=A", false, -1, NULL },
		{ __LINE__, "Zh==", false, -1, NULL },
		{ __LINE__, "Zm9=", false, -1, NULL },
		{ __LINE__, "Zm-v", false, -1, NULL },
		{ __LINE__, "Zm9v\n", false, -1, NULL },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		unsigned char out[64];
		char why[WHY_MAX] = "";
		size_t len = 99;
		int rc;

		T_ROW(rows[i].line);
		rc = decode_b64(rows[i].in, strlen(rows[i].in), rows[i].url,
				out, sizeof(out), &len, why, sizeof(why));
		T_EQ_INT(rc, rows[i].rc);
		if (rc == 0 && rows[i].out != NULL) {
			T_EQ_INT(len, strlen(rows[i].out));
			T_ASSERT(memcmp(out, rows[i].out, len) == 0);
		} else if (rc == -1) {
			T_ASSERT(why[0] != '\0');
			T_EQ_INT(len, 99);
		}
	}
}

static void
test_b64_roundtrip(void)
{
	unsigned char in[64], out[64];
	size_t n, len;
	int url;

	T_ASSERT(RAND_bytes(in, sizeof(in)) == 1);
	for (url = 0; url < 2; url++) {
		for (n = 0; n <= sizeof(in); n++) {
			struct reg_buf b;
			char why[WHY_MAX];

			reg_buf_init(&b, 1024);
			T_EQ_INT(add_b64(&b, in, n, url), 0);
			T_EQ_INT(b.len,
				 url ? (n * 4 + 2) / 3 : (n + 2) / 3 * 4);
			T_EQ_INT(decode_b64(b.data, b.len, url, out,
					    sizeof(out), &len, why,
					    sizeof(why)),
				 0);
			T_EQ_INT(len, n);
			T_ASSERT(memcmp(in, out, n) == 0);
			/* The output buffer bound is respected. */
			if (n > 0)
				T_EQ_INT(decode_b64(b.data, b.len, url, out,
						    n - 1, &len, why,
						    sizeof(why)),
					 -1);
			reg_buf_release(&b);
		}
	}
}

static void
test_json(void)
{
	static const struct {
		int line;
		const char *json;
		size_t len;	    /* 0: strlen */
		const char *detail; /* NULL: parses */
	} rows[] = {
		{ __LINE__, "{}", 0, NULL },
		{ __LINE__, " \n{ \"a\" : [ 1 , -0.5e+3 , 0 , -0 ] }\r\n", 0,
		  NULL },
		{ __LINE__, "{\"a\":\"\\\"}:\"}", 0, NULL },
		{ __LINE__, "{\"a\":{\"a\":{\"a\":1}}}", 0, NULL },
		{ __LINE__, "{\"a\":1,\"b\":{\"a\":1}}", 0, NULL },
		{ __LINE__, "{}\0", 3, "unexpected byte 0x00 at offset 2" },
		{ __LINE__, "{\"a\":\"x\0y\"}", 11, "control character" },
		{ __LINE__, "{\"a\":1}\0{}", 10, "unexpected byte 0x00" },
		{ __LINE__, "{\"a\":-}", 0, "bad number at offset 5" },
		{ __LINE__, "{\"a\":1.}", 0, "bad number" },
		{ __LINE__, "{\"a\":.5}", 0, "unexpected byte 0x2e" },
		{ __LINE__, "{\"a\":1e}", 0, "bad number" },
		{ __LINE__, "{\"a\":+1}", 0, "unexpected byte 0x2b" },
		{ __LINE__, "{\"a\":00}", 0, "bad number" },
		{ __LINE__, "{\"a\":-01}", 0, "bad number" },
		{ __LINE__, "{\"a\":0x10}", 0, "unexpected byte 0x78" },
		{ __LINE__, "{\"a\":Infinity}", 0, "unexpected byte 0x49" },
		{ __LINE__, "{\"a\":1,}", 0, "invalid JSON" },
		{ __LINE__, "{\"a\":[1,]}", 0, "invalid JSON" },
		{ __LINE__, "{a:1}", 0, "invalid JSON" },
		{ __LINE__, "{\"a\":\"\\x41\"}", 0, "invalid JSON" },
		{ __LINE__, "{\"a\":\"\\ud800\"}", 0, NULL },
		{ __LINE__, "{\"a\":\"\\u0000\"}", 0, "NUL character" },
		{ __LINE__, "{\"\\u0000\":1}", 0, "NUL character" },
		{ __LINE__, "{\"a\":\"\\\\u0000\"}", 0, NULL },
		{ __LINE__, "{\"a\":1,\"a\":1}", 0, "duplicate member name" },
		{ __LINE__, "{\"a\":{},\"a\":{}}", 0, "duplicate member name" },
		{ __LINE__, "{\"a\":[{\"b\":1,\"b\":1}]}", 0,
		  "duplicate member name" },
		{ __LINE__, "[{}]", 0, "not a JSON object" },
		{ __LINE__, "  true", 0, "not a JSON object" },
		{ __LINE__, "", 0, "invalid JSON: unexpected end" },
		{ __LINE__, "   ", 0, "invalid JSON: unexpected end" },
		{ __LINE__, "{", 0, "invalid JSON: unexpected end" },
		{ __LINE__, "{\"a\":\"", 0, "invalid JSON" },
		{ __LINE__, "{\"a\":\"\xc3\x28\"}", 0, "invalid JSON" },
		{ __LINE__, "{\"a\":\"\xe2\x82\xac\"}", 0, NULL },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		struct json_object *o = NULL;
		struct reg_err err;
		size_t len = rows[i].len ? rows[i].len : strlen(rows[i].json);
		int rc;

		T_ROW(rows[i].line);
		rc = parse_object(rows[i].json, len, "x", &o,
				  REG_E_UNAUTHORIZED, &err);
		if (rows[i].detail == NULL) {
			if (rc != 0)
				T_FAIL_AT("parse failed: %s", err.detail);
		} else {
			T_EQ_INT(rc, -1);
			T_HAS(err.detail, rows[i].detail);
			T_ASSERT(o == NULL);
		}
		json_object_put(o);
	}
}

static void
test_alg_names(void)
{
	static const struct {
		int line;
		const char *name;
		int rc;
		enum reg_jwt_alg alg;
	} rows[] = {
		{ __LINE__, "EdDSA", 0, REG_JWT_EDDSA },
		{ __LINE__, "ES256", 0, REG_JWT_ES256 },
		{ __LINE__, "RS256", 0, REG_JWT_RS256 },
		{ __LINE__, "HS256", 0, REG_JWT_HS256 },
		{ __LINE__, "none", -1, 0 },
		{ __LINE__, "None", -1, 0 },
		{ __LINE__, "", -1, 0 },
		{ __LINE__, "es256", -1, 0 },
		{ __LINE__, "EDDSA", -1, 0 },
		{ __LINE__, "ES256 ", -1, 0 },
		{ __LINE__, "RS512", -1, 0 },
		{ __LINE__, "PS256", -1, 0 },
		{ __LINE__, "Ed25519", -1, 0 },
	};
	static const struct {
		int line;
		const char *list;
		int rc;
		unsigned set;
	} lists[] = {
		{ __LINE__, "EdDSA", 0, REG_JWT_ALG_BIT(REG_JWT_EDDSA) },
		{ __LINE__, "EdDSA, ES256", 0,
		  REG_JWT_ALG_BIT(REG_JWT_EDDSA) |
			  REG_JWT_ALG_BIT(REG_JWT_ES256) },
		{ __LINE__, " RS256\tHS256 ", 0,
		  REG_JWT_ALG_BIT(REG_JWT_RS256) |
			  REG_JWT_ALG_BIT(REG_JWT_HS256) },
		{ __LINE__, "ES256,,ES256", 0, REG_JWT_ALG_BIT(REG_JWT_ES256) },
		{ __LINE__, "EdDSA,ES256,RS256,HS256", 0, REG_JWT_ALGS_ALL },
		{ __LINE__, "", -1, 0 },
		{ __LINE__, " , ", -1, 0 },
		{ __LINE__, "none", -1, 0 },
		{ __LINE__, "ES256,none", -1, 0 },
		{ __LINE__, "ES256;RS256", -1, 0 },
		{ __LINE__, "averyveryverylongalgorithmname", -1, 0 },
	};
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		enum reg_jwt_alg alg = REG_JWT__COUNT;

		T_ROW(rows[i].line);
		T_EQ_INT(reg_jwt_alg_parse(rows[i].name, &alg), rows[i].rc);
		if (rows[i].rc == 0) {
			T_EQ_INT(alg, rows[i].alg);
			T_EQ_STR(reg_jwt_alg_name(alg), rows[i].name);
		} else {
			T_EQ_INT(alg, REG_JWT__COUNT);
		}
	}
	for (i = 0; i < T_NITEMS(lists); i++) {
		struct reg_err err;
		unsigned set = 12345;

		T_ROW(lists[i].line);
		T_EQ_INT(reg_jwt_algs_parse(lists[i].list, &set, &err),
			 lists[i].rc);
		T_EQ_INT(set, lists[i].rc == 0 ? lists[i].set : 12345);
	}
}

/* A libtrust id computed the plain way: base32 of bits as characters. */
static void
libtrust_reference(EVP_PKEY *pk, char out[REG_JWT_LIBTRUST_ID_LEN + 1])
{
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char *der = NULL, md[32];
	char bits[240];
	int len = i2d_PUBKEY(pk, &der), i, j, o = 0;

	sha256(der, (size_t)len, md);
	OPENSSL_free(der);
	for (i = 0; i < 240; i++)
		bits[i] = (char)((md[i / 8] >> (7 - i % 8)) & 1);
	for (i = 0; i < 48; i++) {
		int v = 0;

		for (j = 0; j < 5; j++)
			v = v << 1 | bits[i * 5 + j];
		if (i > 0 && i % 4 == 0)
			out[o++] = ':';
		out[o++] = b32[v];
	}
	out[o] = '\0';
}

static bool
is_libtrust_id(const char *s)
{
	size_t i;

	if (strlen(s) != REG_JWT_LIBTRUST_ID_LEN)
		return false;
	for (i = 0; s[i]; i++) {
		if (i % 5 == 4 ? s[i] != ':'
			       : strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
					s[i]) == NULL)
			return false;
	}
	return true;
}

static void
test_key_ids(void)
{
	static const char jwks[] =
		"{\"keys\":[{\"kty\":\"RSA\",\"n\":\"" RFC_N "\","
		"\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}]}";
	struct reg_jwt_keyset *ks = reg_jwt_keyset_new();
	struct reg_jwt_key_info info;
	struct reg_err err;
	char ref[REG_JWT_LIBTRUST_ID_LEN + 1];
	const struct jwt_key *keys[] = { &fx.ked, &fx.kec, &fx.krsa };
	size_t i;

	T_EQ_INT(reg_jwt_keyset_load_mem(ks, "rfc", jwks, strlen(jwks), &err),
		 0);
	T_EQ_INT(reg_jwt_keyset_count(ks), 1);
	reg_jwt_keyset_key_info(ks, 0, &info);
	T_EQ_INT(info.alg, REG_JWT_RS256);
	T_EQ_STR(info.thumbprint, RFC_THUMBPRINT);
	T_EQ_STR(info.kid, "2011-04-29");
	T_ASSERT(is_libtrust_id(info.libtrust_id));
	libtrust_reference(ks->keys.v[0].pkey, ref);
	T_EQ_STR(info.libtrust_id, ref);
	reg_jwt_keyset_free(ks);

	for (i = 0; i < T_NITEMS(keys); i++) {
		T_ASSERT(is_libtrust_id(keys[i]->libtrust_id));
		libtrust_reference(keys[i]->pkey, ref);
		T_EQ_STR(keys[i]->libtrust_id, ref);
		T_EQ_INT(strlen(keys[i]->thumbprint), REG_JWT_THUMBPRINT_LEN);
		T_EQ_INT(strspn(keys[i]->thumbprint,
				"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
				"rstuvwxyz0123456789-_"),
			 REG_JWT_THUMBPRINT_LEN);
	}
	/* The key set reports the same ids as the keys it was given. */
	T_EQ_INT(reg_jwt_keyset_count(fx.ks), 4);
	for (i = 0; i < 3; i++) {
		reg_jwt_keyset_key_info(fx.ks, i, &info);
		T_EQ_STR(info.thumbprint, keys[i]->thumbprint);
		T_EQ_STR(info.libtrust_id, keys[i]->libtrust_id);
		T_ASSERT(info.kid == NULL);
	}
	reg_jwt_keyset_key_info(fx.ks, 3, &info);
	T_EQ_INT(info.alg, REG_JWT_HS256);
	T_EQ_STR(info.kid, "hs-key");
	T_EQ_STR(info.thumbprint, "");
	T_EQ_STR(info.libtrust_id, "");
}

/* A signer for the test key pk. */
static struct reg_jwt_signer *
signer_for(EVP_PKEY *pk, enum reg_jwt_alg alg)
{
	struct reg_jwt_signer *s;
	struct reg_err err;
	char *pem = pem_private(pk);

	s = reg_jwt_signer_new_pem(alg, pem, strlen(pem), NULL, 0, &err);
	if (s == NULL)
		bug(err.detail);
	free(pem);
	return s;
}

static void
test_roundtrip(void)
{
	static const char claims[] =
		"{" IA "," EXP ",\"nbf\":1699999990,\"iat\":1699999995,"
		"\"sub\":\"alice\",\"jti\":\"j-1\",\"access\":[{\"type\":"
		"\"repository\",\"name\":\"lib/a\",\"actions\":[\"pull\"]}]}";
	struct reg_jwt_signer *signers[4];
	struct reg_err err;
	size_t i;

	signers[0] = signer_for(fx.ed, REG_JWT_EDDSA);
	signers[1] = signer_for(fx.ec, REG_JWT_ES256);
	signers[2] = signer_for(fx.rsa, REG_JWT_RS256);
	signers[3] = reg_jwt_signer_new_hmac("hs-key",
					     (const unsigned char *)HMAC_SECRET,
					     strlen(HMAC_SECRET), &err);
	T_ASSERT(signers[3] != NULL);
	for (i = 0; i < T_NITEMS(signers); i++) {
		struct reg_jwt_opts o = opts_at(NOW, 0);
		struct reg_buf tok;
		struct reg_jwt t;
		int j;

		T_ROW(__LINE__ + (int)i);
		reg_buf_init(&tok, REG_JWT_MAX_LEN);
		T_EQ_INT(reg_jwt_sign(signers[i], claims, strlen(claims), &tok,
				      &err),
			 0);
		T_EQ_INT(verify_tok(fx.ks, tok.data, &o, &t, &err), 0);
		T_EQ_INT(t.alg, reg_jwt_signer_alg(signers[i]));
		T_EQ_STR(t.iss, ISS);
		T_EQ_STR(t.sub, "alice");
		T_EQ_STR(t.jti, "j-1");
		T_EQ_INT(t.exp, 1700000300);
		T_EQ_INT(t.nbf, 1699999990);
		T_EQ_INT(t.iat, 1699999995);
		T_EQ_INT(t.naccess, 1);
		T_ASSERT(reg_jwt_grants(&t, "repository", "lib/a", "pull"));
		T_ASSERT(!reg_jwt_grants(&t, "repository", "lib/a", "push"));
		T_EQ_STR(t.key_id, reg_jwt_signer_kid(signers[i]));
		reg_jwt_release(&t);
		/* Each signature is checked by its own algorithm only. */
		for (j = 0; j < REG_JWT__COUNT; j++) {
			o.algs = REG_JWT_ALGS_ALL & ~REG_JWT_ALG_BIT(j);
			if (j == (int)reg_jwt_signer_alg(signers[i]))
				EXPECT_FAIL(fx.ks, tok.data, &o,
					    "not allowed (allowed: ");
			else
				EXPECT_OK(fx.ks, tok.data, &o);
		}
		/* Another signer's key never verifies it. */
		reg_buf_release(&tok);
		reg_jwt_signer_free(signers[i]);
	}
}

static void
test_jwks_roundtrip(void)
{
	struct reg_jwt_signer *s = signer_for(fx.ec, REG_JWT_ES256);
	struct reg_jwt_keyset *ks = reg_jwt_keyset_new();
	struct reg_jwt_opts o = opts_at(NOW, 0);
	struct reg_buf jwks, tok;
	struct reg_err err;
	struct reg_jwt t;

	reg_buf_init(&jwks, 4096);
	reg_buf_init(&tok, REG_JWT_MAX_LEN);
	T_EQ_INT(reg_jwt_signer_jwks(s, &jwks, &err), 0);
	T_HAS(jwks.data, "\"crv\":\"P-256\"");
	T_HAS(jwks.data, "\"use\":\"sig\"");
	T_HAS(jwks.data, "\"alg\":\"ES256\"");
	T_HAS(jwks.data, reg_jwt_signer_thumbprint(s));
	T_ASSERT(strstr(jwks.data, "\"d\"") == NULL);
	T_EQ_INT(reg_jwt_keyset_load_mem(ks, "jwks", jwks.data, jwks.len, &err),
		 0);
	T_EQ_INT(reg_jwt_sign(s, CLAIMS, strlen(CLAIMS), &tok, &err), 0);
	T_EQ_INT(verify_tok(ks, tok.data, &o, &t, &err), 0);
	reg_jwt_release(&t);
	/* A kid chosen by the operator is published and found. */
	T_EQ_INT(reg_jwt_signer_set_kid(s, "key-2024", &err), 0);
	reg_buf_reset(&jwks);
	T_EQ_INT(reg_jwt_signer_jwks(s, &jwks, &err), 0);
	T_HAS(jwks.data, "\"kid\":\"key-2024\"");
	reg_jwt_keyset_free(ks);
	ks = reg_jwt_keyset_new();
	T_EQ_INT(reg_jwt_keyset_load_mem(ks, "jwks", jwks.data, jwks.len, &err),
		 0);
	reg_buf_reset(&tok);
	T_EQ_INT(reg_jwt_sign(s, CLAIMS, strlen(CLAIMS), &tok, &err), 0);
	T_EQ_INT(verify_tok(ks, tok.data, &o, &t, &err), 0);
	T_EQ_STR(t.key_id, "key-2024");
	reg_jwt_release(&t);
	reg_jwt_keyset_free(ks);
	reg_buf_release(&jwks);
	reg_buf_release(&tok);
	reg_jwt_signer_free(s);
}

static void
test_alg_none(void)
{
	static const struct {
		int line;
		const char *alg;
		bool sig;
		const char *detail;
	} rows[] = {
		{ __LINE__, "none", false, "alg \"none\" not allowed" },
		{ __LINE__, "none", true, "alg \"none\" not allowed" },
		{ __LINE__, "None", false, "alg \"None\" not allowed" },
		{ __LINE__, "NONE", false, "alg \"NONE\" not allowed" },
		{ __LINE__, "nOnE", true, "alg \"nOnE\" not allowed" },
		{ __LINE__, "none ", false, "alg \"none \" not supported" },
		{ __LINE__, "", false, "alg \"\" not supported" },
		{ __LINE__, "HS512", true, "alg \"HS512\" not supported" },
		{ __LINE__, "PS256", true, "alg \"PS256\" not supported" },
		{ __LINE__, "RS384", true, "alg \"RS384\" not supported" },
		{ __LINE__, "es256", true, "alg \"es256\" not supported" },
		{ __LINE__, "Ed25519", true, "alg \"Ed25519\" not supported" },
	};
	struct reg_jwt_opts o = opts_at(NOW, 0);
	unsigned char sig[64] = { 1 };
	size_t i;

	for (i = 0; i < T_NITEMS(rows); i++) {
		char hdr[256], *tok;

		hdr_kid(hdr, sizeof(hdr), rows[i].alg, fx.ked.thumbprint);
		tok = forge_raw(hdr, CLAIMS, sig,
				rows[i].sig ? sizeof(sig) : 0);
		expect_fail(rows[i].line, fx.ks, tok, &o, rows[i].detail);
		free(tok);
	}
}

static void
test_header(void)
{
	char kid[128], dup[256], crit[256], typ[256], typ2[256], typ3[256];
	const char *ked = fx.ked.thumbprint;
	const struct {
		int line;
		const char *hdr;
		const char *detail; /* NULL: verifies */
	} rows[] = {
		{ __LINE__, "{\"alg\":\"EdDSA\"}",
		  "has no \"x5c\", \"jwk\" or" },
		{ __LINE__, "{\"alg\":\"EdDSA\",\"kid\":\"nope\"}",
		  "unknown key id \"nope\"" },
		{ __LINE__, "{\"alg\":\"EdDSA\",\"kid\":\"\"}",
		  "unknown key id \"\"" },
		{ __LINE__, "{\"alg\":\"EdDSA\",\"kid\":5}",
		  "header \"kid\" must be a string" },
		{ __LINE__, "{\"alg\":\"EdDSA\",\"kid\":null}",
		  "header \"kid\" must be a string" },
		{ __LINE__, "{\"alg\":\"EdDSA\",\"kid\":\"\\u0001a\\\"\"}",
		  "unknown key id \"\\x01a\\\"\"" },
		{ __LINE__, "{\"kid\":\"x\"}", "header \"alg\" missing" },
		{ __LINE__, "{\"alg\":null}",
		  "header \"alg\" must be a string" },
		{ __LINE__, "{\"alg\":[\"EdDSA\"]}",
		  "header \"alg\" must be a string" },
		{ __LINE__, "[]", "token header: not a JSON object" },
		{ __LINE__, "\"EdDSA\"", "token header: not a JSON object" },
		{ __LINE__, "{\"alg\":\"EdDSA\"",
		  "token header: invalid JSON" },
		{ __LINE__, "{\"alg\":\"EdDSA\"} ", "has no \"x5c\"" },
		{ __LINE__, "{\"alg\":\"EdDSA\",\"x\":01}", "bad number" },
		{ __LINE__, "{\"alg\":\"EdDSA\",\"x\":\"\n\"}",
		  "control character in a string" },
		{ __LINE__, "{\"alg\":\"EdDSA\",\"x\":\"\x7f\"}",
		  "has no \"x5c\"" },
		{ __LINE__, "{\"alg\":\"EdDSA\",\"x\":tru}", "invalid JSON" },
		{ __LINE__, "{'alg':'EdDSA'}", "token header: invalid JSON" },
		{ __LINE__, "{\"alg\":\"EdDSA\",}",
		  "token header: invalid JSON" },
		{ __LINE__, dup, "token header: duplicate member name" },
		{ __LINE__, crit, "header \"crit\" not supported" },
		{ __LINE__, typ, "typ \"JOSE\" is not \"JWT\"" },
		{ __LINE__, typ2, NULL },
		{ __LINE__, typ3, "header \"typ\" must be a string" },
		{ __LINE__, kid, NULL },
	};
	struct reg_jwt_opts o = opts_at(NOW, 0);
	size_t i;

	hdr_kid(kid, sizeof(kid), "EdDSA", ked);
	(void)snprintf(dup, sizeof(dup),
		       "{\"alg\":\"HS256\",\"alg\":\"EdDSA\",\"kid\":\"%s\"}",
		       ked);
	(void)snprintf(crit, sizeof(crit),
		       "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"crit\":[\"exp\"],"
		       "\"exp\":1}",
		       ked);
	(void)snprintf(typ, sizeof(typ),
		       "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"JOSE\"}",
		       ked);
	(void)snprintf(typ2, sizeof(typ2),
		       "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"jwt\"}",
		       ked);
	(void)snprintf(typ3, sizeof(typ3),
		       "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":1}", ked);
	for (i = 0; i < T_NITEMS(rows); i++) {
		char *tok = forge(&fx.ked, rows[i].hdr, CLAIMS);

		if (rows[i].detail)
			expect_fail(rows[i].line, fx.ks, tok, &o,
				    rows[i].detail);
		else
			expect_ok(rows[i].line, fx.ks, tok, &o);
		free(tok);
	}
}

static void
test_alg_confusion(void)
{
	struct reg_jwt_opts o = opts_at(NOW, 0);
	char hdr[512], *tok, *pem, *jwk;
	struct jwt_key fake;
	struct reg_err err;

	/* HS256 "signed" with the public key's PEM, named by each id. */
	pem = pem_public(fx.rsa);
	T_EQ_INT(init_hmac(&fake, "x", (const unsigned char *)pem, strlen(pem),
			   &err),
		 0);
	tok = forge(&fake,
		    hdr_kid(hdr, sizeof(hdr), "HS256", fx.krsa.thumbprint),
		    CLAIMS);
	EXPECT_FAIL(fx.ks, tok, &o, "alg \"HS256\" does not match key");
	EXPECT_FAIL(fx.ks, tok, &o, "which is RS256");
	free(tok);
	tok = forge(&fake,
		    hdr_kid(hdr, sizeof(hdr), "HS256", fx.krsa.libtrust_id),
		    CLAIMS);
	EXPECT_FAIL(fx.ks, tok, &o, "alg \"HS256\" does not match key");
	free(tok);
	/* ... or by an embedded copy of the trusted key. */
	jwk = jwk_of(fx.rsa, "");
	(void)snprintf(hdr, sizeof(hdr), "{\"alg\":\"HS256\",\"jwk\":%s}", jwk);
	tok = forge(&fake, hdr, CLAIMS);
	EXPECT_FAIL(fx.ks, tok, &o, "alg \"HS256\" does not match key");
	free(tok);
	free(jwk);
	clear_key(&fake);
	free(pem);
	/* The same with the certificate's PEM and the EdDSA key's. */
	pem = pem_cert(fx.rsa_cert);
	T_EQ_INT(init_hmac(&fake, "x", (const unsigned char *)pem, strlen(pem),
			   &err),
		 0);
	tok = forge(&fake,
		    hdr_kid(hdr, sizeof(hdr), "HS256", fx.krsa.thumbprint),
		    CLAIMS);
	EXPECT_FAIL(fx.ks, tok, &o, "does not match key");
	free(tok);
	clear_key(&fake);
	free(pem);
	pem = pem_public(fx.ed);
	T_EQ_INT(init_hmac(&fake, "x", (const unsigned char *)pem, strlen(pem),
			   &err),
		 0);
	tok = forge(&fake,
		    hdr_kid(hdr, sizeof(hdr), "HS256", fx.ked.thumbprint),
		    CLAIMS);
	EXPECT_FAIL(fx.ks, tok, &o, "which is EdDSA");
	free(tok);
	clear_key(&fake);
	free(pem);

	/* A public-key alg naming the HMAC secret. */
	tok = forge(&fx.krsa, hdr_kid(hdr, sizeof(hdr), "RS256", "hs-key"),
		    CLAIMS);
	EXPECT_FAIL(fx.ks, tok, &o, "which is HS256");
	free(tok);
	/* Right key, wrong alg name. */
	tok = forge(&fx.kec,
		    hdr_kid(hdr, sizeof(hdr), "EdDSA", fx.kec.thumbprint),
		    CLAIMS);
	EXPECT_FAIL(fx.ks, tok, &o, "alg \"EdDSA\" does not match key");
	free(tok);
	tok = forge(&fx.ked,
		    hdr_kid(hdr, sizeof(hdr), "ES256", fx.ked.thumbprint),
		    CLAIMS);
	EXPECT_FAIL(fx.ks, tok, &o, "which is EdDSA");
	free(tok);
	/* The genuine HMAC token verifies; with HS256 disabled it does not. */
	tok = forge(&fx.khs, hdr_kid(hdr, sizeof(hdr), "HS256", "hs-key"),
		    CLAIMS);
	EXPECT_OK(fx.ks, tok, &o);
	o.algs = REG_JWT_ALGS_ALL & ~REG_JWT_ALG_BIT(REG_JWT_HS256);
	EXPECT_FAIL(fx.ks, tok, &o,
		    "alg \"HS256\" not allowed (allowed: EdDSA, ES256, RS256)");
	o.algs = 0;
	EXPECT_FAIL(fx.ks, tok, &o, "not allowed (allowed: none)");
	free(tok);
}

static void
test_signature_shape(void)
{
	struct reg_jwt_opts o = opts_at(NOW, 0);
	unsigned char sig[SIG_MAX] = { 0 }, der[SIG_MAX] = { 0 };
	char hdr[256], *tok;
	struct reg_buf in;
	size_t n;
	int dlen;

	/* ES256 must be raw R||S: a DER signature is refused by length. */
	hdr_kid(hdr, sizeof(hdr), "ES256", fx.kec.thumbprint);
	reg_buf_init(&in, 4096);
	(void)add_b64(&in, (const unsigned char *)hdr, strlen(hdr), true);
	(void)reg_buf_adds(&in, ".");
	(void)add_b64(&in, (const unsigned char *)CLAIMS, strlen(CLAIMS), true);
	T_EQ_INT(sign_msg(&fx.kec, (const unsigned char *)in.data, in.len, sig,
			  &n),
		 0);
	T_EQ_INT(n, 64);
	dlen = es256_to_der(sig, der, sizeof(der));
	T_ASSERT(dlen > 64);
	tok = forge_raw(hdr, CLAIMS, der, (size_t)dlen);
	EXPECT_FAIL(fx.ks, tok, &o, "ES256 signature must be 64 bytes");
	EXPECT_FAIL(fx.ks, tok, &o, "(R||S, not DER)");
	free(tok);
	tok = forge_raw(hdr, CLAIMS, sig, 63);
	EXPECT_FAIL(fx.ks, tok, &o, "must be 64 bytes (R||S, not DER), not 63");
	free(tok);
	sig[64] = 0;
	tok = forge_raw(hdr, CLAIMS, sig, 65);
	EXPECT_FAIL(fx.ks, tok, &o, "not 65");
	free(tok);
	/* The raw one verifies; flipping S does not. */
	tok = forge_raw(hdr, CLAIMS, sig, 64);
	EXPECT_OK(fx.ks, tok, &o);
	free(tok);
	sig[40] ^= 1;
	tok = forge_raw(hdr, CLAIMS, sig, 64);
	EXPECT_FAIL(fx.ks, tok, &o, "signature does not verify");
	free(tok);
	/* R = S = 0 and all-ones are refused, not crashes. */
	memset(sig, 0, 64);
	tok = forge_raw(hdr, CLAIMS, sig, 64);
	EXPECT_FAIL(fx.ks, tok, &o, "signature does not verify");
	free(tok);
	memset(sig, 0xff, 64);
	tok = forge_raw(hdr, CLAIMS, sig, 64);
	EXPECT_FAIL(fx.ks, tok, &o, "signature does not verify");
	free(tok);
	reg_buf_release(&in);

	hdr_kid(hdr, sizeof(hdr), "EdDSA", fx.ked.thumbprint);
	tok = forge_raw(hdr, CLAIMS, sig, 63);
	EXPECT_FAIL(fx.ks, tok, &o, "EdDSA signature must be 64 bytes, not 63");
	free(tok);
	hdr_kid(hdr, sizeof(hdr), "RS256", fx.krsa.thumbprint);
	tok = forge_raw(hdr, CLAIMS, sig, 255);
	EXPECT_FAIL(fx.ks, tok, &o,
		    "RS256 signature must be 256 bytes, not 255");
	free(tok);
	hdr_kid(hdr, sizeof(hdr), "HS256", "hs-key");
	tok = forge_raw(hdr, CLAIMS, sig, 31);
	EXPECT_FAIL(fx.ks, tok, &o, "HS256 signature must be 32 bytes, not 31");
	free(tok);
	tok = forge_raw(hdr, CLAIMS, sig, 32);
	EXPECT_FAIL(fx.ks, tok, &o, "signature does not verify");
	free(tok);
	/* No signature at all. */
	tok = forge_raw(hdr, CLAIMS, sig, 0);
	EXPECT_FAIL(fx.ks, tok, &o, "token has no signature");
	free(tok);
}

/* Replace character i of s with c. */
static char *
patched(const char *s, size_t i, char c)
{
	char *p = reg_xstrdup(s);

	p[i] = c;
	return p;
}

static void
test_tamper(void)
{
	struct reg_jwt_opts o = opts_at(NOW, 0);
	const struct jwt_key *keys[] = { &fx.ked, &fx.kec, &fx.krsa, &fx.khs };
	size_t i;

	for (i = 0; i < T_NITEMS(keys); i++) {
		char hdr[256], *tok, *bad, *dot1, *dot2, *other;
		size_t p, s;

		hdr_kid(hdr, sizeof(hdr), alg_names[keys[i]->alg],
			key_name(keys[i]));
		tok = forge(keys[i], hdr, CLAIMS);
		EXPECT_OK(fx.ks, tok, &o);
		dot1 = strchr(tok, '.');
		dot2 = strchr(dot1 + 1, '.');
		/* A character in the middle of the payload. */
		p = (size_t)(dot1 - tok) + 10;
		bad = patched(tok, p, tok[p] == 'A' ? 'B' : 'A');
		EXPECT_FAIL(fx.ks, bad, &o, "signature does not verify");
		free(bad);
		/* A character in the middle of the signature. */
		s = (size_t)(dot2 - tok) + 10;
		bad = patched(tok, s, tok[s] == 'A' ? 'B' : 'A');
		EXPECT_FAIL(fx.ks, bad, &o, "signature does not verify");
		free(bad);
		/* The claims of another token, same header and key. */
		other = forge(keys[i], hdr,
			      "{" IA "," EXP ",\"sub\":\"admin\"}");
		{
			char *o2 = strchr(other, '.');
			char *o2end = strchr(o2 + 1, '.');
			struct reg_buf b;

			reg_buf_init(&b, 1 << 16);
			(void)reg_buf_add(&b, tok, (size_t)(dot1 - tok));
			(void)reg_buf_add(&b, o2, (size_t)(o2end - o2));
			(void)reg_buf_adds(&b, dot2);
			EXPECT_FAIL(fx.ks, b.data, &o,
				    "signature does not verify");
			reg_buf_release(&b);
		}
		free(other);
		free(tok);
	}
}

static void
test_claims(void)
{
	static const struct {
		int line;
		const char *claims;
		unsigned leeway;
		const char *detail; /* NULL: verifies */
	} rows[] = {
		{ __LINE__, CLAIMS, 0, NULL },
		{ __LINE__, "{" IA "," EXP "}", 0, NULL },
		/* Issuer. */
		{ __LINE__, "{\"iss\":\"evil\",\"aud\":\"registry\"," EXP "}",
		  0, "issuer \"evil\" is not \"berth-token\"" },
		{ __LINE__,
		  "{\"iss\":\"Berth-token\",\"aud\":\"registry\"," EXP "}", 0,
		  "issuer \"Berth-token\" is not" },
		{ __LINE__, "{\"aud\":\"registry\"," EXP "}", 0,
		  "claim \"iss\" missing" },
		{ __LINE__, "{\"iss\":5,\"aud\":\"registry\"," EXP "}", 0,
		  "claim \"iss\" must be a string" },
		{ __LINE__, "{\"iss\":null,\"aud\":\"registry\"," EXP "}", 0,
		  "claim \"iss\" must be a string" },
		/* Audience: a string or an array of strings. */
		{ __LINE__, "{\"iss\":\"berth-token\",\"aud\":\"x\"," EXP "}",
		  0, "audience \"x\" is not \"registry\"" },
		{ __LINE__,
		  "{\"iss\":\"berth-token\",\"aud\":[\"a\",\"registry\"]," EXP
		  "}",
		  0, NULL },
		{ __LINE__,
		  "{\"iss\":\"berth-token\",\"aud\":[\"registry\"]," EXP "}", 0,
		  NULL },
		{ __LINE__,
		  "{\"iss\":\"berth-token\",\"aud\":[\"a\",\"b\"]," EXP "}", 0,
		  "audience [\"a\", \"b\"] does not include \"registry\"" },
		{ __LINE__, "{\"iss\":\"berth-token\",\"aud\":[]," EXP "}", 0,
		  "audience [] does not include \"registry\"" },
		{ __LINE__,
		  "{\"iss\":\"berth-token\",\"aud\":[1,\"registry\"]," EXP "}",
		  0, "claim \"aud\" must be a string or an array of strings" },
		{ __LINE__, "{\"iss\":\"berth-token\",\"aud\":null," EXP "}", 0,
		  "claim \"aud\" must be a string or an array" },
		{ __LINE__, "{\"iss\":\"berth-token\",\"aud\":{}," EXP "}", 0,
		  "claim \"aud\" must be a string or an array" },
		{ __LINE__, "{\"iss\":\"berth-token\"," EXP "}", 0,
		  "claim \"aud\" missing" },
		{ __LINE__,
		  "{\"iss\":\"berth-token\",\"aud\":\"registry \"," EXP "}", 0,
		  "audience \"registry \" is not \"registry\"" },
		/* Expiry. */
		{ __LINE__, "{" IA "}", 0, "claim \"exp\" missing" },
		{ __LINE__, "{" IA ",\"exp\":\"1700000300\"}", 0,
		  "claim \"exp\" must be an integer" },
		{ __LINE__, "{" IA ",\"exp\":1700000300.0}", 0,
		  "claim \"exp\" must be an integer" },
		{ __LINE__, "{" IA ",\"exp\":1.7e9}", 0,
		  "claim \"exp\" must be an integer" },
		{ __LINE__, "{" IA ",\"exp\":null}", 0,
		  "claim \"exp\" must be an integer" },
		{ __LINE__, "{" IA ",\"exp\":true}", 0,
		  "claim \"exp\" must be an integer" },
		{ __LINE__, "{" IA ",\"exp\":[1700000300]}", 0,
		  "claim \"exp\" must be an integer" },
		{ __LINE__, "{" IA ",\"exp\":-1}", 0,
		  "claim \"exp\" is out of range" },
		{ __LINE__, "{" IA ",\"exp\":253402300800}", 0,
		  "claim \"exp\" is out of range" },
		{ __LINE__, "{" IA ",\"exp\":9223372036854775807}", 0,
		  "claim \"exp\" is out of range" },
		{ __LINE__, "{" IA ",\"exp\":99999999999999999999999}", 0,
		  "claim \"exp\"" },
		{ __LINE__, "{" IA ",\"exp\":1699999688}", 0,
		  "token expired 312 s ago" },
		{ __LINE__, "{" IA ",\"exp\":1699999688}", 311,
		  "token expired 312 s ago" },
		{ __LINE__, "{" IA ",\"exp\":1699999688}", 312,
		  "token expired 312 s ago" },
		{ __LINE__, "{" IA ",\"exp\":1699999688}", 313, NULL },
		{ __LINE__, "{" IA ",\"exp\":1700000000}", 0,
		  "token expired 0 s ago" },
		{ __LINE__, "{" IA ",\"exp\":1700000001}", 0, NULL },
		{ __LINE__, "{" IA ",\"exp\":0}", 0,
		  "token expired 1700000000 s ago" },
		/* Not before and issued at. */
		{ __LINE__, "{" IA "," EXP ",\"nbf\":1700000100}", 0,
		  "token not valid for another 100 s" },
		{ __LINE__, "{" IA "," EXP ",\"nbf\":1700000100}", 99,
		  "token not valid for another 100 s" },
		{ __LINE__, "{" IA "," EXP ",\"nbf\":1700000100}", 100, NULL },
		{ __LINE__, "{" IA "," EXP ",\"nbf\":1700000000}", 0, NULL },
		{ __LINE__, "{" IA "," EXP ",\"nbf\":\"0\"}", 0,
		  "claim \"nbf\" must be an integer" },
		{ __LINE__, "{" IA "," EXP ",\"iat\":1700000100}", 0,
		  "token issued 100 s in the future" },
		{ __LINE__, "{" IA "," EXP ",\"iat\":1700000100}", 120, NULL },
		{ __LINE__, "{" IA "," EXP ",\"iat\":1.5}", 0,
		  "claim \"iat\" must be an integer" },
		/* Types of the optional claims. */
		{ __LINE__, "{" IA "," EXP ",\"sub\":5}", 0,
		  "claim \"sub\" must be a string" },
		{ __LINE__, "{" IA "," EXP ",\"sub\":null}", 0,
		  "claim \"sub\" must be a string" },
		{ __LINE__, "{" IA "," EXP ",\"jti\":[]}", 0,
		  "claim \"jti\" must be a string" },
		{ __LINE__, "{" IA "," EXP ",\"sub\":\"a\\\\u0000\"}", 0,
		  NULL },
		{ __LINE__, "{" IA "," EXP ",\"sub\":\"caf\\u00e9\"}", 0,
		  NULL },
		/* Duplicates and NULs, which parsers disagree about. */
		{ __LINE__, "{" IA "," EXP ",\"exp\":1}", 0,
		  "token claims: duplicate member name" },
		{ __LINE__, "{" IA ",\"exp\":1," EXP "}", 0,
		  "token claims: duplicate member name" },
		{ __LINE__, "{" IA "," EXP ",\"iss\":\"berth-token\"}", 0,
		  "duplicate member name" },
		{ __LINE__,
		  "{" IA "," EXP ",\"access\":[{\"type\":\"repository\","
		  "\"type\":\"registry\",\"name\":\"x\",\"actions\":[]}]}",
		  0, "duplicate member name" },
		{ __LINE__,
		  "{" IA "," EXP ",\"x\":{\"a\":{\"b\":1,\"b\":2}},\"y\":1}", 0,
		  "duplicate member name" },
		{ __LINE__, "{" IA "," EXP ",\"su\\u0000b\":\"x\"}", 0,
		  "NUL character" },
		{ __LINE__, "{" IA "," EXP ",\"sub\":\"a\\u0000b\"}", 0,
		  "NUL character" },
		{ __LINE__, "{" IA "," EXP ",\"s:b\":\"a:b\"}", 0, NULL },
		{ __LINE__, "{" IA "," EXP ",\"s\\\"b\":\"a\\\\\"}", 0, NULL },
		/* Not objects, not JSON. */
		{ __LINE__, "[]", 0, "token claims: not a JSON object" },
		{ __LINE__, "\"x\"", 0, "token claims: not a JSON object" },
		{ __LINE__, "null", 0, "token claims: not a JSON object" },
		{ __LINE__, "1", 0, "token claims: not a JSON object" },
		{ __LINE__, "{" IA, 0, "token claims: invalid JSON" },
		{ __LINE__, "{" IA "," EXP "}x", 0,
		  "token claims: invalid JSON" },
		{ __LINE__, "{" IA "," EXP "}{}", 0,
		  "token claims: invalid JSON" },
		{ __LINE__, "{" IA "," EXP ",\"x\":NaN}", 0, "invalid JSON" },
		{ __LINE__, "{" IA "," EXP ",\"x\":01}", 0, "invalid JSON" },
		{ __LINE__, "{" IA "," EXP ",\"x\":\"\xff\"}", 0,
		  "invalid JSON" },
		{ __LINE__, "{" IA "," EXP ",\"x\":\"a\tb\"}", 0,
		  "invalid JSON" },
		{ __LINE__,
		  "{" IA "," EXP
		  ",\"x\":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]}",
		  0, "invalid JSON" },
		{ __LINE__, "", 0, "token payload is empty" },
	};
	struct reg_jwt_opts o;
	char hdr[256];
	size_t i;

	hdr_kid(hdr, sizeof(hdr), "EdDSA", fx.ked.thumbprint);
	for (i = 0; i < T_NITEMS(rows); i++) {
		char *tok = forge(&fx.ked, hdr, rows[i].claims);

		o = opts_at(NOW, rows[i].leeway);
		if (rows[i].detail)
			expect_fail(rows[i].line, fx.ks, tok, &o,
				    rows[i].detail);
		else
			expect_ok(rows[i].line, fx.ks, tok, &o);
		free(tok);
	}
}

static void
test_access(void)
{
	static const struct {
		int line;
		const char *access;
		const char *detail; /* NULL: verifies */
	} rows[] = {
		{ __LINE__, "[]", NULL },
		{ __LINE__, "null", NULL },
		{ __LINE__, "{}", "claim \"access\" must be an array" },
		{ __LINE__, "\"repository:x:pull\"",
		  "claim \"access\" must be an array" },
		{ __LINE__, "[1]", "access[0] must be an object" },
		{ __LINE__,
		  "[{\"type\":\"repository\",\"name\":\"a\",\"actions\":[]},"
		  "null]",
		  "access[1] must be an object" },
		{ __LINE__,
		  "[{\"type\":\"repository\",\"actions\":[\"pull\"]}]",
		  "access entry \"name\" missing" },
		{ __LINE__, "[{\"name\":\"a\",\"actions\":[\"pull\"]}]",
		  "access entry \"type\" missing" },
		{ __LINE__, "[{\"type\":1,\"name\":\"a\"}]",
		  "access entry \"type\" must be a string" },
		{ __LINE__,
		  "[{\"type\":\"repository\",\"name\":\"a\",\"actions\":"
		  "\"pull\"}]",
		  "access[0].actions must be an array of strings" },
		{ __LINE__,
		  "[{\"type\":\"repository\",\"name\":\"a\",\"actions\":"
		  "[\"pull\",1]}]",
		  "access[0].actions must be an array of strings" },
		{ __LINE__,
		  "[{\"type\":\"repository\",\"name\":\"a\",\"actions\":"
		  "[\"pull\",[\"push\"]]}]",
		  "access[0].actions must be an array of strings" },
		{ __LINE__, "[{\"type\":\"repository\",\"name\":\"a\"}]",
		  NULL },
		{ __LINE__,
		  "[{\"type\":\"repository\",\"name\":\"a\",\"actions\":null}]",
		  NULL },
	};
	struct reg_jwt_opts o = opts_at(NOW, 0);
	char hdr[256];
	size_t i;

	hdr_kid(hdr, sizeof(hdr), "EdDSA", fx.ked.thumbprint);
	for (i = 0; i < T_NITEMS(rows); i++) {
		char *claims =
			cat("{" IA "," EXP ",\"access\":", rows[i].access, "}",
			    END);
		char *tok = forge(&fx.ked, hdr, claims);

		if (rows[i].detail)
			expect_fail(rows[i].line, fx.ks, tok, &o,
				    rows[i].detail);
		else
			expect_ok(rows[i].line, fx.ks, tok, &o);
		free(tok);
		free(claims);
	}
}

static void
test_grants(void)
{
	static const char claims[] =
		"{" IA "," EXP ",\"access\":["
		"{\"type\":\"repository\",\"name\":\"library/alpine\","
		"\"actions\":[\"pull\",\"push\"]},"
		"{\"type\":\"repository\",\"name\":\"team/app\","
		"\"actions\":[\"*\"]},"
		"{\"type\":\"registry\",\"name\":\"catalog\",\"actions\":[\"*"
		"\"]},"
		"{\"type\":\"repository\",\"name\":\"x/y\",\"actions\":[]},"
		"{\"type\":\"repository\",\"name\":\"library/alpine\","
		"\"actions\":[\"delete\"]},"
		"{\"type\":\"repository\",\"class\":\"image\",\"name\":\"z\","
		"\"actions\":[\"pull\"]},"
		"{\"type\":\"repository\",\"name\":\"n\"}]}";
	static const struct {
		int line;
		const char *type, *name, *action;
		bool want;
	} rows[] = {
		{ __LINE__, "repository", "library/alpine", "pull", true },
		{ __LINE__, "repository", "library/alpine", "push", true },
		{ __LINE__, "repository", "library/alpine", "delete", true },
		{ __LINE__, "repository", "library/alpine", "*", false },
		{ __LINE__, "repository", "library/alpine", "Pull", false },
		{ __LINE__, "repository", "library/alpine", "", false },
		{ __LINE__, "repository", "Library/alpine", "pull", false },
		{ __LINE__, "repository", "library/alpine ", "pull", false },
		{ __LINE__, "repository", "library", "pull", false },
		{ __LINE__, "repository", "library/alpine/x", "pull", false },
		{ __LINE__, "Repository", "library/alpine", "pull", false },
		{ __LINE__, "registry", "library/alpine", "pull", false },
		{ __LINE__, "repository", "team/app", "pull", true },
		{ __LINE__, "repository", "team/app", "delete", true },
		{ __LINE__, "repository", "team/app", "*", true },
		{ __LINE__, "registry", "catalog", "*", true },
		{ __LINE__, "registry", "catalog", "pull", true },
		{ __LINE__, "repository", "catalog", "*", false },
		{ __LINE__, "registry", "catalogs", "*", false },
		{ __LINE__, "repository", "x/y", "pull", false },
		{ __LINE__, "repository", "z", "pull", true },
		{ __LINE__, "repository", "z", "push", false },
		{ __LINE__, "repository", "n", "pull", false },
		{ __LINE__, "", "", "", false },
	};
	struct reg_jwt_opts o = opts_at(NOW, 0);
	struct reg_err err;
	struct reg_jwt t;
	char hdr[256], *tok;
	size_t i;

	hdr_kid(hdr, sizeof(hdr), "EdDSA", fx.ked.thumbprint);
	tok = forge(&fx.ked, hdr, claims);
	T_EQ_INT(verify_tok(fx.ks, tok, &o, &t, &err), 0);
	T_EQ_INT(t.naccess, 7);
	T_EQ_INT(t.access[0].nactions, 2);
	T_EQ_STR(t.access[0].actions[1], "push");
	T_EQ_INT(t.access[6].nactions, 0);
	for (i = 0; i < T_NITEMS(rows); i++) {
		T_ROW(rows[i].line);
		T_EQ_INT(reg_jwt_grants(&t, rows[i].type, rows[i].name,
					rows[i].action),
			 rows[i].want);
	}
	reg_jwt_release(&t);
	T_EQ_INT(t.naccess, 0);
	T_ASSERT(!reg_jwt_grants(&t, "repository", "library/alpine", "pull"));
	free(tok);
}

static void
test_shape(void)
{
	struct reg_jwt_opts o = opts_at(NOW, 0);
	char hdr[256], *tok, *bad, *big;
	size_t len, dot1, dot2;

	hdr_kid(hdr, sizeof(hdr), "ES256", fx.kec.thumbprint);
	tok = forge(&fx.kec, hdr, CLAIMS);
	len = strlen(tok);
	dot1 = (size_t)(strchr(tok, '.') - tok);
	dot2 = (size_t)(strrchr(tok, '.') - tok);
	EXPECT_OK(fx.ks, tok, &o);

	/* Oversized: refused by length before anything else. */
	big = reg_xmalloc(REG_JWT_MAX_LEN + 2);
	memset(big, '.', REG_JWT_MAX_LEN + 1);
	big[REG_JWT_MAX_LEN + 1] = '\0';
	EXPECT_FAIL(fx.ks, big, &o, "token is 8193 bytes, more than the 8192");
	big[REG_JWT_MAX_LEN] = '\0';
	EXPECT_FAIL(fx.ks, big, &o, "token has 8193 parts, not 3");
	free(big);
	o.max_len = len - 1;
	EXPECT_FAIL(fx.ks, tok, &o, "more than the");
	o.max_len = len;
	EXPECT_OK(fx.ks, tok, &o);
	o.max_len = 0;

	/* Parts. */
	EXPECT_FAIL(fx.ks, "", &o, "token has 1 parts, not 3");
	EXPECT_FAIL(fx.ks, "abc", &o, "token has 1 parts, not 3");
	EXPECT_FAIL(fx.ks, "a.b", &o, "token has 2 parts, not 3");
	EXPECT_FAIL(fx.ks, "a.b.c.d", &o, "token has 4 parts, not 3");
	EXPECT_FAIL(fx.ks, "..", &o, "token header is empty");
	EXPECT_FAIL(fx.ks, "e30..", &o, "token payload is empty");
	bad = cat(tok, ".", END);
	EXPECT_FAIL(fx.ks, bad, &o, "token has 4 parts");
	free(bad);

	/* Padding, in each part. */
	bad = cat(tok, "=", END);
	EXPECT_FAIL(fx.ks, bad, &o, "token signature is not valid base64url");
	free(bad);
	bad = cat(tok, "==", END);
	EXPECT_FAIL(fx.ks, bad, &o, "'=' padding");
	free(bad);
	{
		struct reg_buf b;

		reg_buf_init(&b, 1 << 16);
		(void)reg_buf_add(&b, tok, dot1);
		(void)reg_buf_adds(&b, "=");
		(void)reg_buf_adds(&b, tok + dot1);
		EXPECT_FAIL(fx.ks, b.data, &o,
			    "token header is not valid base64url");
		reg_buf_reset(&b);
		(void)reg_buf_add(&b, tok, dot2);
		(void)reg_buf_adds(&b, "==");
		(void)reg_buf_adds(&b, tok + dot2);
		EXPECT_FAIL(fx.ks, b.data, &o,
			    "token payload is not valid base64url");
		reg_buf_release(&b);
	}
	/* The standard alphabet, whitespace, a trailing newline. */
	bad = patched(tok, dot1 + 1, '+');
	EXPECT_FAIL(fx.ks, bad, &o, "invalid character '+' at offset 0");
	free(bad);
	bad = patched(tok, dot1 + 2, '/');
	EXPECT_FAIL(fx.ks, bad, &o, "invalid character '/' at offset 1");
	free(bad);
	bad = patched(tok, 3, ' ');
	EXPECT_FAIL(fx.ks, bad, &o, "invalid byte 0x20 at offset 3");
	free(bad);
	bad = patched(tok, dot2 + 1, '\t');
	EXPECT_FAIL(fx.ks, bad, &o, "token signature is not valid base64url");
	free(bad);
	bad = cat(tok, "\n", END);
	EXPECT_FAIL(fx.ks, bad, &o, "invalid byte 0x0a");
	free(bad);
	bad = cat(" ", tok, END);
	EXPECT_FAIL(fx.ks, bad, &o, "token header is not valid base64url");
	free(bad);
	/* Non-canonical trailing bits: 64 bytes end in 4 unused bits. */
	T_EQ_INT((len - dot2 - 1) % 4, 2);
	{
		int v = b64_value((unsigned char)tok[len - 1], true);

		T_ASSERT(v >= 0 && (v & 15) == 0);
		if (v >= 0) {
			bad = patched(tok, len - 1, b64url[v | 1]);
			EXPECT_FAIL(fx.ks, bad, &o, "non-zero trailing bits");
			free(bad);
		}
	}
	/* A NUL byte inside: counted by len, so not a shorter token. */
	{
		struct reg_jwt t;
		struct reg_err err;

		bad = reg_xstrdup(tok);
		bad[dot1 + 3] = '\0';
		reg_jwt_init(&t);
		T_EQ_INT(reg_jwt_verify(fx.ks, bad, len, &o, &t, &err), -1);
		T_HAS(err.detail, "invalid byte 0x00");
		free(bad);
	}
	free(tok);
}

static void
test_embedded_jwk(void)
{
	struct reg_jwt_opts o = opts_at(NOW, 0);
	struct reg_err err;
	struct reg_jwt t;
	char hdr[1024], *tok, *jwk;

	/* Equal to a trusted key: accepted, and that key is used. */
	jwk = jwk_of(fx.ed, ",\"kid\":\"whatever\",\"use\":\"sig\"");
	(void)snprintf(hdr, sizeof(hdr), "{\"alg\":\"EdDSA\",\"jwk\":%s}", jwk);
	tok = forge(&fx.ked, hdr, CLAIMS);
	T_EQ_INT(verify_tok(fx.ks, tok, &o, &t, &err), 0);
	T_EQ_STR(t.key_id, fx.ked.thumbprint);
	reg_jwt_release(&t);
	free(tok);
	free(jwk);
	/* Trusted key in the header, token signed by another key. */
	jwk = jwk_of(fx.ec, "");
	(void)snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"jwk\":%s}", jwk);
	tok = forge(&fx.kec2, hdr, CLAIMS);
	EXPECT_FAIL(fx.ks, tok, &o, "signature does not verify");
	free(tok);
	free(jwk);
	/* Not trusted: never trusted by itself, even if it signed. */
	jwk = jwk_of(fx.ec2, "");
	(void)snprintf(hdr, sizeof(hdr),
		       "{\"alg\":\"ES256\",\"jwk\":%s,\"kid\":\"%s\"}", jwk,
		       fx.kec.thumbprint);
	tok = forge(&fx.kec2, hdr, CLAIMS);
	EXPECT_FAIL(fx.ks, tok, &o, "is not a trusted key");
	EXPECT_FAIL(fx.ks, tok, &o, fx.kec2.thumbprint);
	free(tok);
	free(jwk);
	/* Malformed or dangerous embedded keys. */
	(void)snprintf(hdr, sizeof(hdr),
		       "{\"alg\":\"HS256\",\"jwk\":{\"kty\":\"oct\","
		       "\"k\":\"c2VjcmV0\"}}");
	tok = forge(&fx.khs, hdr, CLAIMS);
	EXPECT_FAIL(fx.ks, tok, &o, "key type \"oct\"");
	free(tok);
	jwk = jwk_of(fx.ec, ",\"d\":\"AAAA\"");
	(void)snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"jwk\":%s}", jwk);
	tok = forge(&fx.kec, hdr, CLAIMS);
	EXPECT_FAIL(fx.ks, tok, &o, "private key material (\"d\")");
	free(tok);
	free(jwk);
	jwk = jwk_of(fx.rsa, ",\"alg\":\"HS256\"");
	(void)snprintf(hdr, sizeof(hdr), "{\"alg\":\"RS256\",\"jwk\":%s}", jwk);
	tok = forge(&fx.krsa, hdr, CLAIMS);
	EXPECT_FAIL(fx.ks, tok, &o, "\"alg\" is \"HS256\" but the key is for");
	free(tok);
	free(jwk);
	tok = forge(&fx.ked, "{\"alg\":\"EdDSA\",\"jwk\":null}", CLAIMS);
	EXPECT_FAIL(fx.ks, tok, &o, "header \"jwk\": not a JSON object");
	free(tok);
	tok = forge(&fx.ked, "{\"alg\":\"EdDSA\",\"jwk\":{\"kty\":\"OKP\"}}",
		    CLAIMS);
	EXPECT_FAIL(fx.ks, tok, &o, "header \"jwk\": OKP curve");
	free(tok);
}

static char *
x5c_of(X509 *const *certs, size_t n)
{
	struct reg_buf b;
	size_t i;

	reg_buf_init(&b, 1 << 16);
	(void)reg_buf_adds(&b, "[");
	for (i = 0; i < n; i++) {
		unsigned char *der = NULL;
		int len = i2d_X509(certs[i], &der);

		(void)reg_buf_adds(&b, i ? ",\"" : "\"");
		(void)add_b64(&b, der, (size_t)len, false);
		(void)reg_buf_adds(&b, "\"");
		OPENSSL_free(der);
	}
	(void)reg_buf_adds(&b, "]");
	return reg_buf_detach(&b, NULL);
}

static char *
x5c_token(const struct jwt_key *k, const char *alg, const char *x5c,
	  const char *claims)
{
	char *hdr = cat("{\"alg\":\"", alg, "\",\"x5c\":", x5c, "}", END);
	char *tok = forge(k, hdr, claims);

	free(hdr);
	return tok;
}

static void
test_x5c(void)
{
	time_t now = time(NULL);
	struct reg_jwt_opts o = opts_at(now, 0);
	EVP_PKEY *ca1k = gen(REG_JWT_ES256), *ca2k = gen(REG_JWT_EDDSA);
	EVP_PKEY *interk = gen(REG_JWT_RS256);
	X509 *ca1 = make_cert(ca1k, "ca one", true, 30, NULL, NULL);
	X509 *ca2 = make_cert(ca2k, "ca two", true, 30, NULL, NULL);
	X509 *inter = make_cert(interk, "intermediate", true, 30, ca1, ca1k);
	X509 *leaf1 = make_cert(fx.ec2, "leaf one", false, 1, ca1, ca1k);
	X509 *leaf2 = make_cert(fx.ec2, "leaf two", false, 1, ca2, ca2k);
	X509 *leaf3 = make_cert(fx.ed, "leaf three", false, 1, inter, interk);
	struct reg_jwt_keyset *ks = reg_jwt_keyset_new();
	struct reg_jwt_keyset *noca = reg_jwt_keyset_new();
	char claims[256], later[256], *capem, *x5c, *tok;
	struct jwt_key kleaf3;
	struct reg_err err;
	struct reg_jwt t;

	T_ASSERT(ca1 && ca2 && inter && leaf1 && leaf2 && leaf3);
	(void)snprintf(claims, sizeof(claims), "{" IA ",\"exp\":%lld}",
		       (long long)now + 300);
	(void)snprintf(later, sizeof(later), "{" IA ",\"exp\":%lld}",
		       (long long)now + (time_t)4 * 86400);
	capem = pem_cert(ca1);
	T_EQ_INT(reg_jwt_keyset_load_ca_mem(ks, "ca", capem, strlen(capem),
					    &err),
		 0);
	T_EQ_INT(reg_jwt_keyset_count(ks), 0);
	free(capem);

	/* Signed under CA one: accepted, with or without the root. */
	{
		X509 *chain[] = { leaf1, ca1 };

		x5c = x5c_of(chain, 2);
		tok = x5c_token(&fx.kec2, "ES256", x5c, claims);
		T_EQ_INT(verify_tok(ks, tok, &o, &t, &err), 0);
		T_EQ_STR(t.key_id, fx.kec2.thumbprint);
		reg_jwt_release(&t);
		free(tok);
		free(x5c);
	}
	x5c = x5c_of(&leaf1, 1);
	tok = x5c_token(&fx.kec2, "ES256", x5c, claims);
	EXPECT_OK(ks, tok, &o);
	/* Expired leaf (valid one day). */
	free(tok);
	tok = x5c_token(&fx.kec2, "ES256", x5c, later);
	o.now = now + (time_t)3 * 86400;
	EXPECT_FAIL(ks, tok, &o,
		    "x5c certificate chain not trusted: "
		    "certificate has expired");
	o.now = now;
	free(tok);
	/* Chain fine, but the alg is not the leaf key's. */
	tok = x5c_token(&fx.kec2, "EdDSA", x5c, claims);
	EXPECT_FAIL(ks, tok, &o, "alg \"EdDSA\" does not match key");
	free(tok);
	/* Chain fine, token signed by someone else. */
	tok = x5c_token(&fx.kec, "ES256", x5c, claims);
	EXPECT_FAIL(ks, tok, &o, "signature does not verify");
	free(tok);
	/* Without a CA bundle the same chain means nothing. */
	tok = x5c_token(&fx.kec2, "ES256", x5c, claims);
	EXPECT_FAIL(noca, tok, &o, "no CA bundle is configured");
	EXPECT_FAIL(fx.ks, tok, &o, "x5c certificate key is not a trusted");
	free(tok);
	free(x5c);
	/* Signed under another CA. */
	{
		X509 *chain[] = { leaf2, ca2 };

		x5c = x5c_of(chain, 2);
		tok = x5c_token(&fx.kec2, "ES256", x5c, claims);
		EXPECT_FAIL(ks, tok, &o, "x5c certificate chain not trusted");
		free(tok);
		free(x5c);
	}
	/* Through an intermediate, which must then be sent. */
	wrap_key(&kleaf3, fx.ed);
	{
		X509 *chain[] = { leaf3, inter };

		x5c = x5c_of(chain, 2);
		tok = x5c_token(&kleaf3, "EdDSA", x5c, claims);
		EXPECT_OK(ks, tok, &o);
		free(tok);
		free(x5c);
		x5c = x5c_of(chain, 1);
		tok = x5c_token(&kleaf3, "EdDSA", x5c, claims);
		EXPECT_FAIL(ks, tok, &o, "x5c certificate chain not trusted");
		free(tok);
		free(x5c);
	}
	clear_key(&kleaf3);
	/* A leaf whose key is itself trusted needs no chain at all. */
	x5c = x5c_of(&leaf2, 1);
	{
		char *pem = pem_cert(leaf2);

		T_EQ_INT(reg_jwt_keyset_load_mem(noca, "leaf", pem, strlen(pem),
						 &err),
			 0);
		free(pem);
	}
	tok = x5c_token(&fx.kec2, "ES256", x5c, claims);
	EXPECT_OK(noca, tok, &o);
	free(tok);
	/* x5c comes before kid: a trusted kid does not rescue it. */
	{
		char *hdr =
			cat("{\"alg\":\"ES256\",\"kid\":\"", fx.kec.thumbprint,
			    "\",\"x5c\":", x5c, "}", END);

		tok = forge(&fx.kec, hdr, claims);
		EXPECT_FAIL(fx.ks, tok, &o, "x5c certificate key is not");
		free(tok);
		free(hdr);
	}
	free(x5c);
	/* Malformed x5c. */
	{
		static const struct {
			int line;
			const char *x5c;
			const char *detail;
		} rows[] = {
			{ __LINE__, "[]", "must be an array of 1 to 10" },
			{ __LINE__, "null", "must be an array of 1 to 10" },
			{ __LINE__, "\"MIIB\"", "must be an array of 1 to 10" },
			{ __LINE__, "[1]",
			  "header \"x5c\"[0] must be a string" },
			{ __LINE__, "[\"\"]", "x5c\"[0] is not a certificate" },
			{ __LINE__, "[\"@@@@\"]",
			  "x5c\"[0] is not valid base64" },
			{ __LINE__, "[\"MIIB\"]", "is not a certificate" },
			{ __LINE__, "[\"Zg\"]", "is not valid base64" },
			{ __LINE__, "[\"Zm-v\"]", "is not valid base64" },
			{ __LINE__,
			  "[\"Zg==\",\"Zg==\",\"Zg==\",\"Zg==\",\"Zg==\","
			  "\"Zg==\",\"Zg==\",\"Zg==\",\"Zg==\",\"Zg==\","
			  "\"Zg==\"]",
			  "must be an array of 1 to 10" },
		};
		size_t i;

		for (i = 0; i < T_NITEMS(rows); i++) {
			tok = x5c_token(&fx.kec2, "ES256", rows[i].x5c, claims);
			expect_fail(rows[i].line, ks, tok, &o, rows[i].detail);
			free(tok);
		}
	}
	/* A signer with a chain puts it in x5c; the CA verifies it. */
	{
		char *key = pem_private(fx.ec2), *c1 = pem_cert(leaf1),
		     *c2 = pem_cert(ca1), *chain = cat(c1, c2, END);
		struct reg_jwt_signer *s;
		struct reg_buf out, h, c;

		reg_buf_init(&out, REG_JWT_MAX_LEN);
		reg_buf_init(&h, REG_JWT_MAX_LEN);
		reg_buf_init(&c, REG_JWT_MAX_LEN);
		s = reg_jwt_signer_new_pem(REG_JWT_ES256, key, strlen(key),
					   chain, strlen(chain), &err);
		T_ASSERT(s != NULL);
		T_EQ_INT(reg_jwt_sign(s, claims, strlen(claims), &out, &err),
			 0);
		T_EQ_INT(reg_jwt_decode(out.data, out.len, 0, &h, &c, &err), 0);
		T_HAS(h.data, "\"x5c\":[\"MII");
		T_HAS(h.data, "\"kid\":");
		T_EQ_STR(c.data, claims);
		EXPECT_OK(ks, out.data, &o);
		reg_jwt_signer_free(s);
		/* The chain must start with the signing key's certificate. */
		free(chain);
		chain = cat(c2, c1, END);
		s = reg_jwt_signer_new_pem(REG_JWT_ES256, key, strlen(key),
					   chain, strlen(chain), &err);
		T_ASSERT(s == NULL);
		T_HAS(err.detail, "the first certificate is not for the");
		s = reg_jwt_signer_new_pem(REG_JWT_ES256, key, strlen(key), key,
					   strlen(key), &err);
		T_ASSERT(s == NULL);
		T_HAS(err.detail, "PEM block 1 is not a certificate");
		s = reg_jwt_signer_new_pem(REG_JWT_ES256, key, strlen(key), "",
					   0, &err);
		T_ASSERT(s == NULL);
		T_HAS(err.detail, "no certificate");
		reg_buf_release(&out);
		reg_buf_release(&h);
		reg_buf_release(&c);
		free(chain);
		free(c1);
		free(c2);
		free(key);
	}
	reg_jwt_keyset_free(ks);
	reg_jwt_keyset_free(noca);
	X509_free(ca1);
	X509_free(ca2);
	X509_free(inter);
	X509_free(leaf1);
	X509_free(leaf2);
	X509_free(leaf3);
	EVP_PKEY_free(ca1k);
	EVP_PKEY_free(ca2k);
	EVP_PKEY_free(interk);
}

/* Load doc into a new key set: the rc, and the detail into err. */
static int
load_doc(const char *doc, struct reg_err *err)
{
	struct reg_jwt_keyset *ks = reg_jwt_keyset_new();
	int rc;

	reg_err_clear(err);
	rc = reg_jwt_keyset_load_mem(ks, "doc", doc, strlen(doc), err);
	if (rc == -1) {
		T_EQ_INT(err->code, REG_E_INTERNAL);
		T_EQ_INT(reg_jwt_keyset_count(ks), 0);
	}
	reg_jwt_keyset_free(ks);
	return rc;
}

static void
test_keyset_pem(void)
{
	EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	EVP_PKEY *x25519 = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	char *ped = pem_public(fx.ed), *pec = pem_public(fx.ec);
	char *priv = pem_private(fx.ec), *psmall = pem_public(small);
	char *p384s = pem_public(p384), *px = pem_public(x25519);
	char *rsa1 = NULL, *doc;
	struct reg_jwt_keyset *ks;
	struct reg_err err;

	/* PKCS#1 "RSA PUBLIC KEY". */
	{
		BIO *bio = BIO_new(BIO_s_mem());
		unsigned char *der = NULL;
		int len = i2d_PublicKey(fx.rsa, &der);

		T_ASSERT(len > 0 && PEM_write_bio(bio, "RSA PUBLIC KEY", "",
						  der, len) > 0);
		OPENSSL_free(der);
		rsa1 = bio_string(bio);
	}
	ks = reg_jwt_keyset_new();
	T_EQ_INT(reg_jwt_keyset_load_mem(ks, "a", rsa1, strlen(rsa1), &err), 0);
	T_EQ_INT(ks->keys.v[0].alg, REG_JWT_RS256);
	T_EQ_STR(ks->keys.v[0].thumbprint, fx.krsa.thumbprint);
	/* Loading more keys later; a key already present is refused. */
	T_EQ_INT(reg_jwt_keyset_load_mem(ks, "b", ped, strlen(ped), &err), 0);
	T_EQ_INT(reg_jwt_keyset_load_mem(ks, "c", ped, strlen(ped), &err), -1);
	T_HAS(err.detail, "is already in use");
	T_EQ_INT(reg_jwt_keyset_count(ks), 2);
	/* A failing file adds nothing, even its good keys. */
	doc = cat(pec, psmall, END);
	T_EQ_INT(reg_jwt_keyset_load_mem(ks, "d", doc, strlen(doc), &err), -1);
	T_EQ_INT(reg_jwt_keyset_count(ks), 2);
	free(doc);
	reg_jwt_keyset_free(ks);

	doc = cat(ped, pec, ped, END);
	T_EQ_INT(load_doc(doc, &err), -1);
	T_HAS(err.detail, "doc: key id \"");
	free(doc);
	T_EQ_INT(load_doc(priv, &err), -1);
	T_HAS(err.detail, "private key in a trusted key file");
	T_EQ_INT(load_doc(psmall, &err), -1);
	T_HAS(err.detail, "RSA key of 1024 bits");
	T_EQ_INT(load_doc(p384s, &err), -1);
	T_HAS(err.detail, "EC curve secp384r1 not supported");
	T_EQ_INT(load_doc(px, &err), -1);
	T_HAS(err.detail, "key type X25519 not supported");
	T_EQ_INT(load_doc("", &err), -1);
	T_HAS(err.detail, "doc: no public key found");
	T_EQ_INT(load_doc("garbage\n", &err), -1);
	T_HAS(err.detail, "no public key found");
	doc = reg_xstrndup(pec, strlen(pec) - 26);
	T_EQ_INT(load_doc(doc, &err), -1);
	T_HAS(err.detail, "PEM block 1: malformed");
	free(doc);
	T_EQ_INT(load_doc("-----BEGIN FOO-----\nZm9v\n-----END FOO-----\n",
			  &err),
		 -1);
	T_HAS(err.detail, "unsupported PEM block \"FOO\"");
	T_EQ_INT(load_doc("-----BEGIN PUBLIC KEY-----\nZm9v\n"
			  "-----END PUBLIC KEY-----\n",
			  &err),
		 -1);
	T_HAS(err.detail, "PEM block 1: invalid PUBLIC KEY");
	T_EQ_INT(load_doc("-----BEGIN CERTIFICATE-----\nZm9v\n"
			  "-----END CERTIFICATE-----\n",
			  &err),
		 -1);
	T_HAS(err.detail, "PEM block 1: invalid certificate");

	/* CA bundles hold certificates only. */
	ks = reg_jwt_keyset_new();
	T_EQ_INT(reg_jwt_keyset_load_ca_mem(ks, "ca", ped, strlen(ped), &err),
		 -1);
	T_HAS(err.detail, "ca: PEM block 1: not a valid certificate");
	T_EQ_INT(reg_jwt_keyset_load_ca_mem(ks, "ca", "", 0, &err), -1);
	T_HAS(err.detail, "ca: no certificate found");
	reg_jwt_keyset_free(ks);

	free(ped);
	free(pec);
	free(priv);
	free(psmall);
	free(p384s);
	free(px);
	free(rsa1);
	EVP_PKEY_free(small);
	EVP_PKEY_free(p384);
	EVP_PKEY_free(x25519);
}

static void
test_keyset_jwks(void)
{
	EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	char *jed = jwk_of(fx.ed, ",\"kid\":\"ed\""), *jec = jwk_of(fx.ec, "");
	char *jsmall = jwk_of(small, "");
	char *ones, *short_x, *lead0;
	struct reg_err err;
	char *doc;

	/* Points and integers built by hand. */
	{
		unsigned char b[257];
		struct reg_buf x, n;
		char why[WHY_MAX];
		size_t len;

		memset(b, 1, sizeof(b));
		reg_buf_init(&x, 1024);
		(void)add_b64(&x, b, 32, true);
		ones = cat("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"", x.data,
			   "\",\"y\":\"", x.data, "\"}", END);
		reg_buf_reset(&x);
		(void)add_b64(&x, b, 31, true);
		short_x = cat("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"",
			      x.data, "\",\"y\":\"", x.data, "\"}", END);
		reg_buf_release(&x);
		T_EQ_INT(decode_b64(RFC_N, strlen(RFC_N), true, b + 1,
				    sizeof(b) - 1, &len, why, sizeof(why)),
			 0);
		b[0] = 0;
		reg_buf_init(&n, 1024);
		(void)add_b64(&n, b, len + 1, true);
		lead0 = cat("{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"", n.data,
			    "\"}", END);
		reg_buf_release(&n);
	}
	{
		const struct {
			int line;
			const char *keys;
			const char *detail; /* NULL: loads */
		} rows[] = {
			{ __LINE__, jed, NULL },
			{ __LINE__, jec, NULL },
			{ __LINE__, ones, "keys[0]: invalid EC point" },
			{ __LINE__, short_x, "\"x\" must be 32 bytes, not 31" },
			{ __LINE__, lead0, "must be minimal integers" },
			{ __LINE__, jsmall, "RSA key of 1024 bits" },
			{ __LINE__, "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}",
			  "key type \"oct\"" },
			{ __LINE__, "{\"kty\":\"EC\",\"crv\":\"P-384\"}",
			  "EC curve \"P-384\" not supported" },
			{ __LINE__, "{\"kty\":\"OKP\",\"crv\":\"X25519\"}",
			  "OKP curve \"X25519\" not supported" },
			{ __LINE__, "{\"kty\":\"OKP\",\"crv\":\"Ed448\"}",
			  "OKP curve \"Ed448\" not supported" },
			{ __LINE__, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\"}",
			  "\"x\" missing or not a string" },
			{ __LINE__,
			  "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AA\"}",
			  "\"x\" must be 32 bytes, not 1" },
			{ __LINE__,
			  "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"A=\"}",
			  "\"x\": invalid base64url" },
			{ __LINE__, "{\"kty\":\"DSA\"}",
			  "key type \"DSA\" not supported" },
			{ __LINE__, "{\"crv\":\"P-256\"}", "\"kty\" missing" },
			{ __LINE__, "{\"kty\":1}", "\"kty\" must be a string" },
			{ __LINE__, "1", "keys[0]: not a JSON object" },
			{ __LINE__,
			  "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\","
			  "\"e\":\"AQAB\",\"alg\":\"PS256\"}",
			  "\"alg\" is \"PS256\" but the key is for RS256" },
			{ __LINE__,
			  "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\","
			  "\"e\":\"AQAB\",\"use\":\"enc\"}",
			  "no public key found" },
			{ __LINE__,
			  "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\","
			  "\"e\":\"AQAB\",\"use\":\"sign\"}",
			  "\"use\" is \"sign\", not \"sig\"" },
			{ __LINE__,
			  "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\","
			  "\"e\":\"AQAB\",\"kid\":\"a b\"}",
			  "invalid \"kid\" \"a b\"" },
			{ __LINE__,
			  "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\","
			  "\"e\":\"AQAB\",\"kid\":7}",
			  "\"kid\" must be a string" },
			{ __LINE__,
			  "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\","
			  "\"e\":\"AQAB\",\"d\":\"AQAB\"}",
			  "private key material (\"d\")" },
			{ __LINE__,
			  "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\","
			  "\"e\":\"AQAB\",\"e\":\"AQAB\"}",
			  "doc: duplicate member name" },
			{ __LINE__,
			  "{\"kty\":\"RSA\",\"n\":\"" RFC_N "\","
			  "\"e\":\"AAEAAQ\"}",
			  "must be minimal integers" },
		};
		size_t i;

		for (i = 0; i < T_NITEMS(rows); i++) {
			int rc;

			T_ROW(rows[i].line);
			doc = cat(" \n{\"keys\":[", rows[i].keys, "]}", END);
			rc = load_doc(doc, &err);
			if (rows[i].detail == NULL) {
				if (rc != 0)
					T_FAIL_AT("load failed: %s",
						  err.detail);
			} else {
				T_EQ_INT(rc, -1);
				T_HAS(err.detail, rows[i].detail);
			}
			free(doc);
		}
		T_ROW(0);
	}
	/* Documents. */
	doc = cat("{\"keys\":[", jed, ",", jec, "]}", END);
	T_EQ_INT(load_doc(doc, &err), 0);
	free(doc);
	doc = cat("{\"keys\":[", jed, ",", jed, "]}", END);
	T_EQ_INT(load_doc(doc, &err), -1);
	T_HAS(err.detail, "already in use");
	free(doc);
	T_EQ_INT(load_doc("{\"keys\":[]}", &err), -1);
	T_HAS(err.detail, "no public key found");
	T_EQ_INT(load_doc("{\"keys\":{}}", &err), -1);
	T_HAS(err.detail, "\"keys\" must be an array");
	T_EQ_INT(load_doc("{}", &err), -1);
	T_HAS(err.detail, "\"keys\" must be an array");
	T_EQ_INT(load_doc("{\"keys\":[", &err), -1);
	T_HAS(err.detail, "doc: invalid JSON");
	free(jed);
	free(jec);
	free(jsmall);
	free(ones);
	free(short_x);
	free(lead0);
	EVP_PKEY_free(small);
}

static void
test_keyset_hmac(void)
{
	struct reg_jwt_keyset *ks = reg_jwt_keyset_new();
	const unsigned char *sec = (const unsigned char *)HMAC_SECRET;
	struct reg_err err;
	char *ped = pem_public(fx.ed);

	T_EQ_INT(reg_jwt_keyset_add_hmac(ks, "k1", sec, 31, &err), -1);
	T_HAS(err.detail, "is 31 bytes, at least 32 required");
	T_EQ_INT(reg_jwt_keyset_add_hmac(ks, "k1", sec, 32, &err), 0);
	T_EQ_INT(reg_jwt_keyset_add_hmac(ks, "k1", sec, 32, &err), -1);
	T_HAS(err.detail, "\"k1\" is already in use");
	T_EQ_INT(reg_jwt_keyset_add_hmac(ks, "", sec, 32, &err), -1);
	T_HAS(err.detail, "invalid key id");
	T_EQ_INT(reg_jwt_keyset_add_hmac(ks, "a b", sec, 32, &err), -1);
	T_EQ_INT(reg_jwt_keyset_add_hmac(ks, "a\"", sec, 32, &err), 0);
	T_EQ_INT(reg_jwt_keyset_add_hmac(ks, "\x7f", sec, 32, &err), -1);
	T_EQ_INT(reg_jwt_keyset_add_hmac(ks, NULL, sec, 32, &err), -1);
	/* An HMAC kid may not shadow a public key's id, nor the reverse. */
	T_EQ_INT(reg_jwt_keyset_add_hmac(ks, fx.ked.thumbprint, sec, 32, &err),
		 0);
	T_EQ_INT(reg_jwt_keyset_load_mem(ks, "ed", ped, strlen(ped), &err), -1);
	T_HAS(err.detail, "is already in use");
	T_EQ_INT(reg_jwt_keyset_add_hmac(fx.ks, fx.kec.libtrust_id, sec, 32,
					 &err),
		 -1);
	T_EQ_INT(reg_jwt_keyset_count(fx.ks), 4);
	/* An unknown kid, though the secret is right. */
	{
		struct reg_jwt_opts o = opts_at(NOW, 0);
		char hdr[128], *tok;

		tok = forge(&fx.khs, hdr_kid(hdr, sizeof(hdr), "HS256", "k2"),
			    CLAIMS);
		EXPECT_FAIL(fx.ks, tok, &o, "unknown key id \"k2\"");
		free(tok);
	}
	free(ped);
	reg_jwt_keyset_free(ks);
}

static void
test_signer(void)
{
	struct reg_jwt_opts o = opts_at(NOW, 0);
	char *pec = pem_private(fx.ec), *pub = pem_public(fx.ec);
	struct reg_jwt_signer *s;
	struct reg_buf out, h, c;
	struct reg_err err;

	reg_buf_init(&out, REG_JWT_MAX_LEN);
	reg_buf_init(&h, 4096);
	reg_buf_init(&c, 4096);
	/* The key type decides the algorithm. */
	s = reg_jwt_signer_new_pem(REG_JWT_RS256, pec, strlen(pec), NULL, 0,
				   &err);
	T_ASSERT(s == NULL);
	T_HAS(err.detail, "private key: the key is for ES256, not RS256");
	s = reg_jwt_signer_new_pem(REG_JWT_EDDSA, pec, strlen(pec), NULL, 0,
				   &err);
	T_ASSERT(s == NULL);
	s = reg_jwt_signer_new_pem(REG_JWT_HS256, pec, strlen(pec), NULL, 0,
				   &err);
	T_ASSERT(s == NULL);
	T_HAS(err.detail, "HS256 signs with a secret");
	s = reg_jwt_signer_new_pem(REG_JWT_ES256, pub, strlen(pub), NULL, 0,
				   &err);
	T_ASSERT(s == NULL);
	T_HAS(err.detail, "not an unencrypted PEM private key");
	s = reg_jwt_signer_new_pem(REG_JWT_ES256, "", 0, NULL, 0, &err);
	T_ASSERT(s == NULL);
	/* An encrypted key fails instead of prompting for a passphrase. */
	{
		BIO *bio = BIO_new(BIO_s_mem());
		char *enc;

		T_EQ_INT(PEM_write_bio_PKCS8PrivateKey(
				 bio, fx.ec, EVP_aes_256_cbc(), "passphrase",
				 10, NULL, NULL),
			 1);
		enc = bio_string(bio);
		s = reg_jwt_signer_new_pem(REG_JWT_ES256, enc, strlen(enc),
					   NULL, 0, &err);
		T_ASSERT(s == NULL);
		T_HAS(err.detail, "not an unencrypted PEM private key");
		free(enc);
	}

	s = reg_jwt_signer_new_pem(REG_JWT_ES256, pec, strlen(pec), NULL, 0,
				   &err);
	T_ASSERT(s != NULL);
	T_EQ_INT(reg_jwt_signer_alg(s), REG_JWT_ES256);
	T_EQ_STR(reg_jwt_signer_kid(s), fx.kec.thumbprint);
	T_EQ_STR(reg_jwt_signer_thumbprint(s), fx.kec.thumbprint);
	T_EQ_STR(reg_jwt_signer_libtrust_id(s), fx.kec.libtrust_id);
	T_EQ_INT(reg_jwt_sign(s, CLAIMS, strlen(CLAIMS), &out, &err), 0);
	T_EQ_INT(reg_jwt_decode(out.data, out.len, 0, &h, &c, &err), 0);
	T_HAS(h.data, "{\"typ\":\"JWT\",\"alg\":\"ES256\",\"kid\":\"");
	T_HAS(h.data, fx.kec.thumbprint);
	T_ASSERT(strstr(h.data, "x5c") == NULL);
	T_EQ_STR(c.data, CLAIMS);
	EXPECT_OK(fx.ks, out.data, &o);
	/* The libtrust id as kid, as distribution 2.x looks keys up. */
	T_EQ_INT(reg_jwt_signer_set_kid(s, fx.kec.libtrust_id, &err), 0);
	T_EQ_STR(reg_jwt_signer_kid(s), fx.kec.libtrust_id);
	reg_buf_reset(&out);
	T_EQ_INT(reg_jwt_sign(s, CLAIMS, strlen(CLAIMS), &out, &err), 0);
	EXPECT_OK(fx.ks, out.data, &o);
	T_EQ_INT(reg_jwt_signer_set_kid(s, "bad kid", &err), -1);
	T_EQ_INT(reg_jwt_signer_set_kid(s, "", &err), -1);
	T_EQ_STR(reg_jwt_signer_kid(s), fx.kec.libtrust_id);
	/* Only JSON objects are signed; out is untouched on error. */
	reg_buf_reset(&out);
	(void)reg_buf_adds(&out, "keep");
	T_EQ_INT(reg_jwt_sign(s, "[]", 2, &out, &err), -1);
	T_HAS(err.detail, "token claims: not a JSON object");
	T_EQ_INT(reg_jwt_sign(s, "{\"a\":1,\"a\":2}", 13, &out, &err), -1);
	T_HAS(err.detail, "duplicate member name");
	T_EQ_INT(reg_jwt_sign(s, "{", 1, &out, &err), -1);
	T_EQ_STR(out.data, "keep");
	out.max = 100;
	T_EQ_INT(reg_jwt_sign(s, CLAIMS, strlen(CLAIMS), &out, &err), -1);
	T_HAS(err.detail, "token too large");
	T_EQ_STR(out.data, "keep");
	out.max = REG_JWT_MAX_LEN;
	reg_jwt_signer_free(s);

	/* HS256 signers. */
	s = reg_jwt_signer_new_hmac("hs-key", (const unsigned char *)"short", 5,
				    &err);
	T_ASSERT(s == NULL);
	T_HAS(err.detail, "at least 32");
	s = reg_jwt_signer_new_hmac("bad kid",
				    (const unsigned char *)HMAC_SECRET,
				    strlen(HMAC_SECRET), &err);
	T_ASSERT(s == NULL);
	s = reg_jwt_signer_new_hmac("hs-key",
				    (const unsigned char *)HMAC_SECRET,
				    strlen(HMAC_SECRET), &err);
	T_ASSERT(s != NULL);
	T_EQ_STR(reg_jwt_signer_thumbprint(s), "");
	reg_buf_reset(&out);
	T_EQ_INT(reg_jwt_signer_jwks(s, &out, &err), -1);
	T_HAS(err.detail, "HS256 secret has no public key");
	T_EQ_INT(out.len, 0);
	T_EQ_INT(reg_jwt_sign(s, CLAIMS, strlen(CLAIMS), &out, &err), 0);
	EXPECT_OK(fx.ks, out.data, &o);
	reg_jwt_signer_free(s);
	/* The same secret under another kid is another key. */
	s = reg_jwt_signer_new_hmac("other", (const unsigned char *)HMAC_SECRET,
				    strlen(HMAC_SECRET), &err);
	reg_buf_reset(&out);
	T_EQ_INT(reg_jwt_sign(s, CLAIMS, strlen(CLAIMS), &out, &err), 0);
	EXPECT_FAIL(fx.ks, out.data, &o, "unknown key id \"other\"");
	reg_jwt_signer_free(s);
	reg_jwt_signer_free(NULL);
	reg_jwt_keyset_free(NULL);

	reg_buf_release(&out);
	reg_buf_release(&h);
	reg_buf_release(&c);
	free(pec);
	free(pub);
}

static void
test_decode(void)
{
	struct reg_buf h, c;
	struct reg_err err;
	char *tok;

	reg_buf_init(&h, 4096);
	reg_buf_init(&c, 4096);
	tok = forge_raw("{\"alg\":\"none\"}", "{\"sub\":\"x\"}",
			(const unsigned char *)"", 0);
	T_EQ_INT(reg_jwt_decode(tok, strlen(tok), 0, &h, &c, &err), 0);
	T_EQ_STR(h.data, "{\"alg\":\"none\"}");
	T_EQ_STR(c.data, "{\"sub\":\"x\"}");
	free(tok);
	/* Whatever was signed comes back, JSON or not. */
	tok = forge_raw("not json", "\x01\x02", (const unsigned char *)"", 0);
	reg_buf_reset(&h);
	reg_buf_reset(&c);
	T_EQ_INT(reg_jwt_decode(tok, strlen(tok), 0, &h, &c, &err), 0);
	T_EQ_STR(h.data, "not json");
	T_EQ_STR(c.data, "\x01\x02");
	/* Too small a buffer: an error, and nothing written. */
	reg_buf_reset(&h);
	reg_buf_reset(&c);
	c.max = 1;
	T_EQ_INT(reg_jwt_decode(tok, strlen(tok), 0, &h, &c, &err), -1);
	T_EQ_INT(h.len, 0);
	T_EQ_INT(c.len, 0);
	c.max = 4096;
	T_EQ_INT(reg_jwt_decode(tok, strlen(tok), 10, &h, &c, &err), -1);
	T_HAS(err.detail, "more than the 10 allowed");
	free(tok);
	T_EQ_INT(reg_jwt_decode("a.b", 3, 0, &h, &c, &err), -1);
	T_HAS(err.detail, "token has 2 parts");
	T_EQ_INT(reg_jwt_decode("e30=.e30.", 9, 0, &h, &c, &err), -1);
	T_HAS(err.detail, "token header is not valid base64url");
	T_EQ_INT(h.len, 0);
	reg_buf_release(&h);
	reg_buf_release(&c);
}

static int
write_file(const char *path, const char *data, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(data, f) == EOF || fclose(f) != 0)
		return -1;
	return chmod(path, mode);
}

static char tmpdir[64];

static const char *
tmp_path(char *buf, size_t size, const char *name)
{
	if (snprintf(buf, size, "%s/%s", tmpdir, name) < 0)
		bug("snprintf");
	return buf;
}

static void
test_files(void)
{
	struct reg_jwt_opts o = opts_at(NOW, 0);
	struct reg_jwt_keyset *ks = reg_jwt_keyset_new();
	struct reg_jwt_signer *s;
	struct reg_buf out;
	struct reg_err err;
	char p1[128], p2[128];

	reg_buf_init(&out, REG_JWT_MAX_LEN);
	/* A secret file: trailing newlines are not part of the secret. */
	tmp_path(p1, sizeof(p1), "secret");
	T_EQ_INT(write_file(p1, HMAC_SECRET "\r\n\n", 0600), 0);
	T_EQ_INT(reg_jwt_keyset_load_hmac_file(ks, "hs-key", p1, &err), 0);
	T_EQ_INT(ks->keys.v[0].secret_len, strlen(HMAC_SECRET));
	s = reg_jwt_signer_new_hmac_file("hs-key", p1, &err);
	T_ASSERT(s != NULL);
	T_EQ_INT(reg_jwt_sign(s, CLAIMS, strlen(CLAIMS), &out, &err), 0);
	EXPECT_OK(ks, out.data, &o);
	EXPECT_OK(fx.ks, out.data, &o);
	reg_jwt_signer_free(s);
	T_EQ_INT(chmod(p1, 0604), 0);
	T_EQ_INT(reg_jwt_keyset_load_hmac_file(ks, "k2", p1, &err), -1);
	T_HAS(err.detail, "is accessible by others (mode 0604)");
	T_ASSERT(reg_jwt_signer_new_hmac_file("k2", p1, &err) == NULL);
	T_EQ_INT(chmod(p1, 0640), 0);
	T_EQ_INT(reg_jwt_keyset_load_hmac_file(ks, "k2", p1, &err), 0);
	tmp_path(p2, sizeof(p2), "short");
	T_EQ_INT(write_file(p2, "0123456789abcdef0123456789abcde\n", 0600), 0);
	T_EQ_INT(reg_jwt_keyset_load_hmac_file(ks, "k3", p2, &err), -1);
	T_HAS(err.detail, "is 31 bytes");
	T_EQ_INT(unlink(p1), 0);
	T_EQ_INT(unlink(p2), 0);
	/* Files that are not there or not files. */
	T_EQ_INT(reg_jwt_keyset_load_file(ks, p1, &err), -1);
	T_HAS(err.detail, "cannot open");
	T_EQ_INT(err.sys_errno, ENOENT);
	T_EQ_INT(reg_jwt_keyset_load_file(ks, tmpdir, &err), -1);
	T_HAS(err.detail, "is not a regular file");
	T_EQ_INT(reg_jwt_keyset_load_ca_file(ks, p1, &err), -1);
	reg_jwt_keyset_free(ks);
	reg_buf_release(&out);
}

static void
test_keygen(void)
{
	static const struct {
		int line;
		enum reg_jwt_alg alg;
		const char *dir;
		int sig_nid;
	} rows[] = {
		{ __LINE__, REG_JWT_EDDSA, "ed", NID_ED25519 },
		{ __LINE__, REG_JWT_ES256, "ec", NID_ecdsa_with_SHA256 },
		{ __LINE__, REG_JWT_RS256, "rsa", NID_sha256WithRSAEncryption },
	};
	time_t now = time(NULL);
	struct reg_jwt_opts o = opts_at(now, 0);
	struct reg_err err;
	char claims[128];
	size_t i;

	(void)snprintf(claims, sizeof(claims), "{" IA ",\"exp\":%lld}",
		       (long long)now + 60);
	for (i = 0; i < T_NITEMS(rows); i++) {
		char dir[128], key[160], cert[160], buf[160];
		struct reg_jwt_keyset *ks = reg_jwt_keyset_new();
		struct reg_jwt_keyset *ca = reg_jwt_keyset_new();
		struct reg_jwt_signer *s;
		struct reg_buf tok, h, c;
		struct stat st;
		X509 *x = NULL;
		BIO *bio;
		int days = -1, secs = -1;

		T_ROW(rows[i].line);
		reg_buf_init(&tok, REG_JWT_MAX_LEN);
		reg_buf_init(&h, REG_JWT_MAX_LEN);
		reg_buf_init(&c, REG_JWT_MAX_LEN);
		tmp_path(dir, sizeof(dir), rows[i].dir);
		(void)snprintf(key, sizeof(key), "%s/key.pem", dir);
		(void)snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
		T_EQ_INT(mkdir(dir, 0700), 0);
		T_EQ_INT(reg_jwt_keygen(rows[i].alg, dir, &err), 0);
		T_EQ_INT(stat(key, &st), 0);
		T_EQ_INT(st.st_mode & 07777, 0600);
		T_EQ_INT(stat(cert, &st), 0);
		T_EQ_INT(st.st_mode & 07777, 0644);
		/* Never overwrites: the files stay as they were. */
		T_EQ_INT(reg_jwt_keygen(rows[i].alg, dir, &err), -1);
		T_HAS(err.detail, "cannot create");
		T_EQ_INT(err.sys_errno, EEXIST);
		T_EQ_INT(stat(key, &st), 0);
		/* The certificate. */
		bio = BIO_new_file(cert, "r");
		T_ASSERT(bio != NULL);
		if (bio != NULL)
			x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
		T_ASSERT(x != NULL);
		if (x != NULL) {
			T_EQ_INT(X509_get_signature_nid(x), rows[i].sig_nid);
			T_ASSERT(X509_NAME_get_text_by_NID(
					 X509_get_subject_name(x),
					 NID_commonName, buf, sizeof(buf)) > 0);
			T_EQ_STR(buf, "berth token signer");
			T_EQ_INT(X509_check_issued(x, x), X509_V_OK);
			T_EQ_INT(ASN1_TIME_diff(&days, &secs,
						X509_get0_notBefore(x),
						X509_get0_notAfter(x)),
				 1);
			T_EQ_INT(days, 3650);
			T_EQ_INT(secs, 300);
			if (rows[i].alg == REG_JWT_RS256)
				T_EQ_INT(EVP_PKEY_get_bits(X509_get0_pubkey(x)),
					 3072);
			X509_free(x);
		}
		/* Sign with key.pem + cert.pem; verify by key or by CA. */
		s = reg_jwt_signer_new_files(rows[i].alg, key, cert, &err);
		T_ASSERT(s != NULL);
		if (s != NULL) {
			T_EQ_INT(reg_jwt_sign(s, claims, strlen(claims), &tok,
					      &err),
				 0);
			T_EQ_INT(reg_jwt_decode(tok.data, tok.len, 0, &h, &c,
						&err),
				 0);
			T_HAS(h.data, "\"x5c\":[\"");
			reg_jwt_signer_free(s);
		}
		T_EQ_INT(reg_jwt_keyset_load_file(ks, cert, &err), 0);
		EXPECT_OK(ks, tok.data, &o);
		/* As distribution does it: cert.pem as the root bundle. */
		T_EQ_INT(reg_jwt_keyset_load_ca_file(ca, cert, &err), 0);
		EXPECT_OK(ca, tok.data, &o);
		/* Without the certificate, by kid only. */
		s = reg_jwt_signer_new_files(rows[i].alg, key, NULL, &err);
		T_ASSERT(s != NULL);
		reg_buf_reset(&tok);
		if (s != NULL) {
			T_EQ_INT(reg_jwt_sign(s, claims, strlen(claims), &tok,
					      &err),
				 0);
			reg_jwt_signer_free(s);
		}
		EXPECT_OK(ks, tok.data, &o);
		EXPECT_FAIL(ca, tok.data, &o, "unknown key id");
		/* The wrong algorithm for the key, a readable key file. */
		s = reg_jwt_signer_new_files(rows[i].alg == REG_JWT_EDDSA
						     ? REG_JWT_ES256
						     : REG_JWT_EDDSA,
					     key, NULL, &err);
		T_ASSERT(s == NULL);
		T_HAS(err.detail, key);
		T_HAS(err.detail, "the key is for");
		T_EQ_INT(chmod(key, 0644), 0);
		s = reg_jwt_signer_new_files(rows[i].alg, key, cert, &err);
		T_ASSERT(s == NULL);
		T_HAS(err.detail, "is accessible by others");
		/* The certificate is public and needs no such care. */
		T_EQ_INT(chmod(key, 0600), 0);
		s = reg_jwt_signer_new_files(rows[i].alg, key, key, &err);
		T_ASSERT(s == NULL);
		T_HAS(err.detail, "key.pem: PEM block 1 is not a certificate");

		T_EQ_INT(unlink(key), 0);
		T_EQ_INT(unlink(cert), 0);
		/* A cert.pem in the way: no key.pem left behind either. */
		T_EQ_INT(write_file(cert, "x", 0644), 0);
		T_EQ_INT(reg_jwt_keygen(rows[i].alg, dir, &err), -1);
		T_EQ_INT(stat(key, &st), -1);
		T_EQ_INT(unlink(cert), 0);
		T_EQ_INT(rmdir(dir), 0);
		reg_jwt_keyset_free(ks);
		reg_jwt_keyset_free(ca);
		reg_buf_release(&tok);
		reg_buf_release(&h);
		reg_buf_release(&c);
	}
	T_ROW(0);
	T_EQ_INT(reg_jwt_keygen(REG_JWT_HS256, tmpdir, &err), -1);
	T_HAS(err.detail, "HS256 uses a shared secret");
	T_EQ_INT(reg_jwt_keygen(REG_JWT_EDDSA, "/nonexistent/dir", &err), -1);
	T_HAS(err.detail, "cannot open directory");
}

int
main(void)
{
	const char *base = getenv("TMPDIR");

	if (snprintf(tmpdir, sizeof(tmpdir), "%s/test_jwt.XXXXXX",
		     base && strlen(base) < 40 ? base : "/tmp") < 0 ||
	    mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	setup();
	T_RUN(test_b64_decode, "strict base64 and base64url decoding");
	T_RUN(test_b64_roundtrip, "base64 encoding round trips");
	T_RUN(test_json, "strict JSON objects");
	T_RUN(test_alg_names, "algorithm names and lists");
	T_RUN(test_key_ids, "RFC 7638 thumbprints and libtrust key ids");
	T_RUN(test_roundtrip, "sign and verify with each algorithm");
	T_RUN(test_jwks_roundtrip, "a signer's JWKS verifies its tokens");
	T_RUN(test_alg_none, "alg none and unsupported algorithms");
	T_RUN(test_header, "header checks and key ids");
	T_RUN(test_alg_confusion, "HS256 with a public key and other swaps");
	T_RUN(test_signature_shape, "signature lengths, ES256 DER refused");
	T_RUN(test_tamper, "tampered payloads and signatures");
	T_RUN(test_claims, "iss, aud, exp, nbf, iat and strict JSON");
	T_RUN(test_access, "access claim parsing");
	T_RUN(test_grants, "reg_jwt_grants");
	T_RUN(test_shape, "length, parts and base64url of tokens");
	T_RUN(test_embedded_jwk, "embedded jwk only if trusted");
	T_RUN(test_x5c, "x5c chains against the CA bundle");
	T_RUN(test_keyset_pem, "PEM key bundles");
	T_RUN(test_keyset_jwks, "JWKS key sets");
	T_RUN(test_keyset_hmac, "HMAC secrets");
	T_RUN(test_signer, "signers");
	T_RUN(test_decode, "decoding without verifying");
	T_RUN(test_files, "key and secret files");
	T_RUN(test_keygen, "key generation");
	teardown();
	if (rmdir(tmpdir) == -1)
		perror(tmpdir);
	return T_DONE();
}
