/* jwt.c: tokens of the Docker Registry token authentication spec (JWS) */
/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "err.h"
#include "jwt.h"

#include "banned.h"

/*
 * How a token is checked, in order, and why:
 *
 *  1. its length, before anything is decoded, so that an attacker cannot
 *     make us parse megabytes;
 *  2. its shape: three strict base64url parts.  Strictness (no padding, no
 *     stray characters, zero trailing bits) means one token has exactly one
 *     spelling, so nothing downstream can be fooled by a variant;
 *  3. the header, a strict JSON object: "alg" allowed by the caller, no
 *     "crit" (we implement no extension);
 *  4. the key, through x5c, jwk or kid (distribution's order), and the
 *     key's own bound algorithm must equal "alg": this is what stops
 *     "none", HS256-with-a-public-key and friends;
 *  5. the signature;
 *  6. only then the claims are parsed, so json-c never sees unsigned
 *     claims, and the details about them go only to holders of a validly
 *     signed token.
 *
 * Duplicate member names are refused (RFC 7515 allows parsers to take the
 * last, and two parsers that disagree are a classic confusion attack).
 * json-c keeps the last one silently, so they are found by counting: in
 * valid JSON every ':' outside strings starts exactly one member, and the
 * parsed tree holds fewer members than that iff a name was repeated.
 */

#define JSON_DEPTH 16
/* Largest signature: RSA 8192. */
#define SIG_MAX 1024
#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 8192
#define X5C_MAX 10
#define CERT_DER_MAX 16384
/* The signer's header (with x5c) and JWKS. */
#define HEADER_MAX ((size_t)65536)
#define JWKS_MAX ((size_t)16384)
/* Quoted values in details are cut to about this many bytes. */
#define QUOTE_MAX 64
#define WHY_MAX 160
/* Latest time accepted in a claim: 9999-12-31T23:59:59Z. */
#define TIME_MAX INT64_C(253402300799)

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const alg_names[REG_JWT__COUNT] = {
	[REG_JWT_EDDSA] = "EdDSA",
	[REG_JWT_ES256] = "ES256",
	[REG_JWT_RS256] = "RS256",
	[REG_JWT_HS256] = "HS256",
};

/* One trusted (or signing) key, bound to one algorithm. */
struct jwt_key {
	enum reg_jwt_alg alg;
	EVP_PKEY *pkey;	       /* NULL for HS256 */
	unsigned char *secret; /* HS256 only */
	size_t secret_len;
	char *kid; /* JWKS or HMAC kid, or the signer's; or NULL */
	char thumbprint[REG_JWT_THUMBPRINT_LEN + 1];   /* "" for HS256 */
	char libtrust_id[REG_JWT_LIBTRUST_ID_LEN + 1]; /* "" for HS256 */
};

struct keylist {
	struct jwt_key *v;
	size_t n;
	size_t alloc;
};

struct reg_jwt_keyset {
	struct keylist keys;
	X509_STORE *store; /* NULL until a CA bundle is loaded */
};

struct reg_jwt_signer {
	struct jwt_key key; /* key.kid is the header's "kid" */
	char *x5c;	    /* the x5c array's contents, or NULL */
	char *header;	    /* base64url of the header */
};

/* A misuse of the API is a bug in the caller: stop here. */
_Noreturn static void
bug(const char *what)
{
	(void)fprintf(stderr, "berth: jwt: %s\n", what);
	abort();
}

static int failf(struct reg_err *err, enum reg_errcode code, const char *fmt,
		 ...) __attribute__((format(printf, 3, 4)));

/* reg_err_set with a formatted detail; returns -1. */
static int
failf(struct reg_err *err, enum reg_errcode code, const char *fmt, ...)
{
	char detail[REG_ERR_DETAIL_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (n < 0)
		detail[0] = '\0';
	/* A literal -1, so that analyzers see every failure path fail. */
	(void)reg_err_set(err, code, "%s", detail);
	return -1;
}

static int sysfail(struct reg_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* failf for a failed system call: REG_E_INTERNAL, and errno recorded. */
static int
sysfail(struct reg_err *err, const char *fmt, ...)
{
	char detail[REG_ERR_DETAIL_MAX];
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(detail, sizeof(detail), fmt, ap) < 0)
		detail[0] = '\0';
	va_end(ap);
	errno = saved;
	(void)reg_err_sys(err, REG_E_INTERNAL, "%s", detail);
	return -1;
}

static void whyf(char *why, size_t whysz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Describe a failure into why (truncated to fit). */
static void
whyf(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(why, whysz, fmt, ap) < 0)
		why[0] = '\0';
	va_end(ap);
}

/*
 * Copy <s,n> into dst for a detail: printable ASCII stays, '"' and '\'
 * are escaped, anything else becomes \xNN, and long values end in "...".
 * Returns dst.
 */
static const char *
quote(char *dst, size_t dstsz, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o + 8 > dstsz) {
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		if (c == '"' || c == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)c;
		} else if (c >= 0x20 && c < 0x7f) {
			dst[o++] = (char)c;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = '\0';
	return dst;
}

static const char *
quotes(char *dst, size_t dstsz, const char *s)
{
	return quote(dst, dstsz, s, strlen(s));
}

/* The reason of the latest OpenSSL error, and clear the queue. */
static const char *
ssl_reason(void)
{
	const char *r = ERR_reason_error_string(ERR_peek_last_error());

	ERR_clear_error();
	return r ? r : "unknown error";
}

const char *
reg_jwt_alg_name(enum reg_jwt_alg alg)
{
	if ((unsigned)alg >= REG_JWT__COUNT)
		bug("bad algorithm");
	return alg_names[alg];
}

int
reg_jwt_alg_parse(const char *name, enum reg_jwt_alg *alg)
{
	size_t i;

	for (i = 0; i < REG_JWT__COUNT; i++) {
		if (strcmp(name, alg_names[i]) == 0) {
			*alg = (enum reg_jwt_alg)i;
			return 0;
		}
	}
	return -1;
}

int
reg_jwt_algs_parse(const char *list, unsigned *set, struct reg_err *err)
{
	char q[QUOTE_MAX];
	unsigned out = 0;
	const char *p = list;

	for (;;) {
		enum reg_jwt_alg alg;
		char name[16];
		size_t n;

		p += strspn(p, ", \t");
		if (*p == '\0')
			break;
		n = strcspn(p, ", \t");
		if (n >= sizeof(name))
			return failf(err, REG_E_INTERNAL,
				     "unknown token algorithm \"%s\"",
				     quote(q, sizeof(q), p, n));
		memcpy(name, p, n);
		name[n] = '\0';
		if (reg_jwt_alg_parse(name, &alg) == -1)
			return failf(err, REG_E_INTERNAL,
				     "unknown token algorithm \"%s\" (known: "
				     "EdDSA, ES256, RS256, HS256)",
				     quotes(q, sizeof(q), name));
		out |= REG_JWT_ALG_BIT(alg);
		p += n;
	}
	if (out == 0)
		return failf(err, REG_E_INTERNAL, "no token algorithm given");
	*set = out;
	return 0;
}

/* Base64 (RFC 4648 4) and base64url (5) */

static const char b64std[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Append base64 (padded) or base64url (unpadded) of <p,n>; -1 over cap. */
static int
add_b64(struct reg_buf *b, const unsigned char *p, size_t n, bool url)
{
	const char *abc = url ? b64url : b64std;
	char q[4];
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 |
			     p[i + 2];

		q[0] = abc[v >> 18];
		q[1] = abc[(v >> 12) & 63];
		q[2] = abc[(v >> 6) & 63];
		q[3] = abc[v & 63];
		if (reg_buf_add(b, q, 4) == -1)
			return -1;
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;

		q[0] = abc[v >> 18];
		q[1] = abc[(v >> 12) & 63];
		q[2] = q[3] = '=';
		return reg_buf_add(b, q, url ? 2 : 4);
	}
	if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;

		q[0] = abc[v >> 18];
		q[1] = abc[(v >> 12) & 63];
		q[2] = abc[(v >> 6) & 63];
		q[3] = '=';
		return reg_buf_add(b, q, url ? 3 : 4);
	}
	return 0;
}

/* The value of a base64 or base64url character, or -1. */
static int
b64_value(unsigned char c, bool url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

/* Bytes that decoding n characters (without padding) yields. */
static size_t
b64_decoded_len(size_t n)
{
	return n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
}

/*
 * Strictly decode <s,n>: base64url without padding (url), or standard
 * base64 with its mandatory padding.  Only the alphabet is allowed (no
 * whitespace), and the unused low bits of the last character must be zero,
 * so that every byte string has exactly one encoding.  Writes at most
 * outsz bytes; -1 with why filled on any error.
 */
static int
decode_b64(const char *s, size_t n, bool url, unsigned char *out, size_t outsz,
	   size_t *outlen, char *why, size_t whysz)
{
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0;

	if (!url) {
		size_t pad = 0;

		if (n % 4 != 0) {
			whyf(why, whysz, "length %zu is not a multiple of 4",
			     n);
			return -1;
		}
		while (pad < 2 && n > pad && s[n - pad - 1] == '=')
			pad++;
		n -= pad;
		if ((4 - n % 4) % 4 != pad) {
			whyf(why, whysz, "bad padding");
			return -1;
		}
	}
	if (n % 4 == 1) {
		whyf(why, whysz, "truncated (length %zu)", n);
		return -1;
	}
	if (b64_decoded_len(n) > outsz) {
		whyf(why, whysz, "too long (%zu characters)", n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int v = b64_value(c, url);

		if (v < 0) {
			if (c == '=')
				whyf(why, whysz, "'=' padding at offset %zu",
				     i);
			else if (c > 0x20 && c < 0x7f)
				whyf(why, whysz,
				     "invalid character '%c' at offset %zu",
				     (char)c, i);
			else
				whyf(why, whysz,
				     "invalid byte 0x%02x at offset %zu", c, i);
			return -1;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0) {
		whyf(why, whysz, "non-zero trailing bits");
		return -1;
	}
	*outlen = o;
	return 0;
}

/* JSON */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Skip the RFC 8259 number at p[*i]; -1 if malformed (01, 1., -, .5). */
static int
skip_number(const char *p, size_t n, size_t *i)
{
	size_t j = *i;

	if (j < n && p[j] == '-')
		j++;
	if (j < n && p[j] == '0') {
		j++;
	} else if (j < n && is_digit(p[j])) {
		while (j < n && is_digit(p[j]))
			j++;
	} else {
		return -1;
	}
	if (j < n && p[j] == '.') {
		if (++j >= n || !is_digit(p[j]))
			return -1;
		while (j < n && is_digit(p[j]))
			j++;
	}
	if (j < n && (p[j] == 'e' || p[j] == 'E')) {
		if (++j < n && (p[j] == '+' || p[j] == '-'))
			j++;
		if (j >= n || !is_digit(p[j]))
			return -1;
		while (j < n && is_digit(p[j]))
			j++;
	}
	if (j < n && strchr("0123456789.eE+-", p[j]) != NULL && p[j] != '\0')
		return -1;
	*i = j;
	return 0;
}

/*
 * Check what json-c lets through even in strict mode: control characters
 * in strings, malformed numbers (01), stray bytes, and the escape \u0000,
 * which json-c truncates member names at.  Also count the members of all
 * objects (':' outside strings) for the duplicate check.
 */
static int
scan_json(const char *p, size_t n, size_t *members, char *why, size_t whysz)
{
	size_t i = 0, count = 0;

	while (i < n) {
		unsigned char c = (unsigned char)p[i];

		if (c == '"') {
			for (i++; i < n && p[i] != '"'; i++) {
				if ((unsigned char)p[i] < 0x20) {
					whyf(why, whysz,
					     "control character in a string at "
					     "offset %zu",
					     i);
					return -1;
				}
				if (p[i] != '\\')
					continue;
				if (n - i >= 6 &&
				    memcmp(p + i, "\\u0000", 6) == 0) {
					whyf(why, whysz,
					     "NUL character (\\u0000) at "
					     "offset "
					     "%zu",
					     i);
					return -1;
				}
				i++;
			}
			i++;
		} else if (c == '-' || is_digit((char)c)) {
			if (skip_number(p, n, &i) == -1) {
				whyf(why, whysz, "bad number at offset %zu", i);
				return -1;
			}
		} else if (c != '\0' &&
			   strchr(" \t\r\n{}[]:,aeflnrstu", (char)c) != NULL) {
			count += c == ':';
			i++;
		} else {
			whyf(why, whysz, "unexpected byte 0x%02x at offset %zu",
			     c, i);
			return -1;
		}
	}
	*members = count;
	return 0;
}

/* Members of all objects in the tree under o (at most JSON_DEPTH deep). */
static size_t
count_members(struct json_object *o) /* NOLINT(misc-no-recursion) */
{
	size_t n = 0, i, len;

	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, val)
		{
			(void)key;
			n += 1 + count_members(val);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		len = json_object_array_length(o);
		for (i = 0; i < len; i++)
			n += count_members(json_object_array_get_idx(o, i));
	}
	return n;
}

/*
 * Parse <p,n> as one strict JSON object (what names it in the error) into
 * *out, owned by the caller.
 */
static int
parse_object(const char *p, size_t n, const char *what,
	     struct json_object **out, enum reg_errcode code,
	     struct reg_err *err)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;
	size_t end, members;
	char why[WHY_MAX];
	int flags = JSON_TOKENER_STRICT;

#ifdef JSON_TOKENER_VALIDATE_UTF8
	flags |= JSON_TOKENER_VALIDATE_UTF8;
#endif
	if (n > REG_JWT_FILE_MAX)
		return failf(err, code, "%s: too large", what);
	if (scan_json(p, n, &members, why, sizeof(why)) == -1)
		return failf(err, code, "%s: invalid JSON: %s", what, why);
	/* json-c waits for more after a bare number or literal: say why. */
	for (end = 0; end < n && strchr(" \t\r\n", p[end]) != NULL; end++)
		;
	if (end < n && p[end] != '{')
		return failf(err, code, "%s: not a JSON object", what);
	tok = json_tokener_new_ex(JSON_DEPTH);
	if (tok == NULL)
		return failf(err, REG_E_NOMEM, "out of memory");
	json_tokener_set_flags(tok, flags);
	root = json_tokener_parse_ex(tok, p, (int)n);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue) {
		json_object_put(root);
		return failf(err, code, "%s: invalid JSON: unexpected end",
			     what);
	}
	if (jerr != json_tokener_success) {
		json_object_put(root);
		return failf(err, code, "%s: invalid JSON: %s at offset %zu",
			     what, json_tokener_error_desc(jerr), end);
	}
	if (end != n) {
		json_object_put(root);
		return failf(err, code,
			     "%s: invalid JSON: trailing data at offset %zu",
			     what, end);
	}
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return failf(err, code, "%s: not a JSON object", what);
	}
	if (count_members(root) != members) {
		json_object_put(root);
		return failf(err, code, "%s: duplicate member name", what);
	}
	*out = root;
	return 0;
}

/* Member key of o, or NULL if absent (a JSON null counts as present). */
static struct json_object *
member(struct json_object *o, const char *key, bool *present)
{
	struct json_object *v = NULL;

	*present = json_object_object_get_ex(o, key, &v);
	return v;
}

/*
 * The string member key of o into *out (NULL when absent and not
 * required); what names o in errors ("claim", "header").
 */
static int
get_string(struct json_object *o, const char *what, const char *key,
	   bool required, const char **out, struct reg_err *err)
{
	bool present;
	struct json_object *v = member(o, key, &present);

	*out = NULL;
	if (!present && !required)
		return 0;
	if (!present) {
		failf(err, REG_E_UNAUTHORIZED, "%s \"%s\" missing", what, key);
		return -1;
	}
	if (!json_object_is_type(v, json_type_string)) {
		failf(err, REG_E_UNAUTHORIZED, "%s \"%s\" must be a string",
		      what, key);
		return -1;
	}
	*out = json_object_get_string(v);
	return 0;
}

/* An integer time claim in [0, TIME_MAX]. */
static int
get_time(struct json_object *o, const char *key, bool required, int64_t *out,
	 bool *found, struct reg_err *err)
{
	bool present;
	struct json_object *v = member(o, key, &present);
	int64_t t;

	*found = false;
	if (!present)
		return required ? failf(err, REG_E_UNAUTHORIZED,
					"claim \"%s\" missing", key)
				: 0;
	if (!json_object_is_type(v, json_type_int))
		return failf(err, REG_E_UNAUTHORIZED,
			     "claim \"%s\" must be an integer", key);
	/* Integers past INT64_MAX come back as INT64_MAX. */
	t = json_object_get_int64(v);
	if (t < 0 || t > TIME_MAX)
		return failf(err, REG_E_UNAUTHORIZED,
			     "claim \"%s\" is out of range", key);
	*out = t;
	*found = true;
	return 0;
}

/* Keys */

static void
clear_key(struct jwt_key *k)
{
	EVP_PKEY_free(k->pkey);
	if (k->secret != NULL) {
		OPENSSL_cleanse(k->secret, k->secret_len);
		free(k->secret);
	}
	free(k->kid);
	memset(k, 0, sizeof(*k));
}

static void
keylist_release(struct keylist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		clear_key(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Move *k into the list (k is left zeroed). */
static void
keylist_push(struct keylist *l, struct jwt_key *k)
{
	if (l->n == l->alloc) {
		size_t alloc = l->alloc ? l->alloc * 2 : 4;

		l->v = reg_xrealloc(l->v, alloc * sizeof(*l->v));
		l->alloc = alloc;
	}
	l->v[l->n++] = *k;
	memset(k, 0, sizeof(*k));
}

/* A name for k in details: its kid, else its thumbprint. */
static const char *
key_name(const struct jwt_key *k)
{
	return k->kid != NULL ? k->kid : k->thumbprint;
}

/* The algorithm a public key is bound to; -1 with why if unsupported. */
static int
alg_of_pkey(EVP_PKEY *pk, enum reg_jwt_alg *alg, char *why, size_t whysz)
{
	if (EVP_PKEY_is_a(pk, "ED25519")) {
		*alg = REG_JWT_EDDSA;
	} else if (EVP_PKEY_is_a(pk, "EC")) {
		char group[64];
		size_t len;

		if (!EVP_PKEY_get_utf8_string_param(
			    pk, OSSL_PKEY_PARAM_GROUP_NAME, group,
			    sizeof(group), &len)) {
			ERR_clear_error();
			whyf(why, whysz, "EC key without a named curve");
			return -1;
		}
		if (strcmp(group, "prime256v1") != 0 &&
		    strcmp(group, "P-256") != 0) {
			whyf(why, whysz,
			     "EC curve %s not supported (P-256 only)", group);
			return -1;
		}
		*alg = REG_JWT_ES256;
	} else if (EVP_PKEY_is_a(pk, "RSA")) {
		int bits = EVP_PKEY_get_bits(pk);

		if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
			whyf(why, whysz,
			     "RSA key of %d bits (%d to %d supported)", bits,
			     RSA_MIN_BITS, RSA_MAX_BITS);
			return -1;
		}
		*alg = REG_JWT_RS256;
	} else {
		const char *type = EVP_PKEY_get0_type_name(pk);

		whyf(why, whysz, "key type %s not supported",
		     type ? type : "unknown");
		return -1;
	}
	return 0;
}

static int
add_bn_b64(struct reg_buf *b, const BIGNUM *bn, int pad)
{
	unsigned char v[RSA_MAX_BITS / 8];
	int n = pad ? pad : BN_num_bytes(bn);

	if (n <= 0 || (size_t)n > sizeof(v) || BN_bn2binpad(bn, v, n) != n)
		return -1;
	return add_b64(b, v, (size_t)n, true);
}

/*
 * Append the required members of k's public JWK in lexicographic order
 * (RFC 7638 3.2), without braces: the thumbprint input, and the start of
 * a published key.
 */
static int
add_jwk_members(struct reg_buf *b, EVP_PKEY *pk, enum reg_jwt_alg alg)
{
	BIGNUM *x = NULL, *y = NULL;
	int rc = -1;

	switch (alg) {
	case REG_JWT_EDDSA: {
		unsigned char raw[32];
		size_t len = sizeof(raw);

		if (EVP_PKEY_get_raw_public_key(pk, raw, &len) != 1 ||
		    len != sizeof(raw))
			break;
		if (reg_buf_adds(b, "\"crv\":\"Ed25519\",\"kty\":\"OKP\","
				    "\"x\":\"") == -1 ||
		    add_b64(b, raw, len, true) == -1 ||
		    reg_buf_adds(b, "\"") == -1)
			break;
		rc = 0;
		break;
	}
	case REG_JWT_ES256:
		if (!EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
		    !EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_Y, &y))
			break;
		if (reg_buf_adds(b, "\"crv\":\"P-256\",\"kty\":\"EC\","
				    "\"x\":\"") == -1 ||
		    add_bn_b64(b, x, 32) == -1 ||
		    reg_buf_adds(b, "\",\"y\":\"") == -1 ||
		    add_bn_b64(b, y, 32) == -1 || reg_buf_adds(b, "\"") == -1)
			break;
		rc = 0;
		break;
	case REG_JWT_RS256:
		/* x holds n, y holds e. */
		if (!EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &x) ||
		    !EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &y))
			break;
		if (reg_buf_adds(b, "\"e\":\"") == -1 ||
		    add_bn_b64(b, y, 0) == -1 ||
		    reg_buf_adds(b, "\",\"kty\":\"RSA\",\"n\":\"") == -1 ||
		    add_bn_b64(b, x, 0) == -1 || reg_buf_adds(b, "\"") == -1)
			break;
		rc = 0;
		break;
	case REG_JWT_HS256:
	case REG_JWT__COUNT:
		break;
	}
	BN_free(x);
	BN_free(y);
	ERR_clear_error();
	return rc;
}

static void
sha256(const void *p, size_t n, unsigned char md[32])
{
	unsigned int len = 0;

	if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1 || len != 32)
		bug("SHA-256 failed");
}

/* RFC 7638: base64url(SHA-256(canonical JWK)). */
static int
make_thumbprint(EVP_PKEY *pk, enum reg_jwt_alg alg,
		char out[REG_JWT_THUMBPRINT_LEN + 1])
{
	struct reg_buf b, t;
	unsigned char md[32];
	int rc = -1;

	reg_buf_init(&b, 4096);
	reg_buf_init(&t, 64);
	if (reg_buf_adds(&b, "{") == -1 || add_jwk_members(&b, pk, alg) == -1 ||
	    reg_buf_adds(&b, "}") == -1)
		goto out;
	sha256(b.data, b.len, md);
	if (add_b64(&t, md, sizeof(md), true) == -1 ||
	    t.len != REG_JWT_THUMBPRINT_LEN)
		goto out;
	memcpy(out, t.data, t.len + 1);
	rc = 0;
out:
	reg_buf_release(&b);
	reg_buf_release(&t);
	return rc;
}

/*
 * libtrust's key id, as docker/distribution 2.x computes it: SHA-256 of
 * the DER SubjectPublicKeyInfo, the first 30 bytes (240 bits) in base32
 * without padding (48 characters), in groups of 4 joined by ':'.
 */
static int
make_libtrust_id(EVP_PKEY *pk, char out[REG_JWT_LIBTRUST_ID_LEN + 1])
{
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char *der = NULL, md[32];
	uint64_t acc = 0;
	size_t i, o = 0, chars = 0;
	int len, bits = 0;

	len = i2d_PUBKEY(pk, &der);
	if (len <= 0) {
		ERR_clear_error();
		return -1;
	}
	sha256(der, (size_t)len, md);
	OPENSSL_free(der);
	for (i = 0; i < 30; i++) {
		acc = acc << 8 | md[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			if (chars > 0 && chars % 4 == 0)
				out[o++] = ':';
			out[o++] = b32[(acc >> bits) & 31];
			chars++;
		}
	}
	out[o] = '\0';
	return o == REG_JWT_LIBTRUST_ID_LEN ? 0 : -1;
}

/*
 * Make *k the public key pk (whose reference k takes over, even on error):
 * its bound algorithm and ids.  check runs OpenSSL's public key checks
 * (point on the curve, RSA modulus sanity).
 */
static int
init_pubkey(struct jwt_key *k, EVP_PKEY *pk, bool check, char *why,
	    size_t whysz)
{
	memset(k, 0, sizeof(*k));
	k->pkey = pk;
	if (alg_of_pkey(pk, &k->alg, why, whysz) == -1)
		return -1;
	if (check) {
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
		int ok = ctx != NULL && EVP_PKEY_public_check(ctx) == 1;

		EVP_PKEY_CTX_free(ctx);
		if (!ok) {
			whyf(why, whysz, "invalid public key: %s",
			     ssl_reason());
			return -1;
		}
	}
	if (make_thumbprint(pk, k->alg, k->thumbprint) == -1 ||
	    make_libtrust_id(pk, k->libtrust_id) == -1) {
		whyf(why, whysz, "cannot encode the public key");
		return -1;
	}
	return 0;
}

/* A kid is 1..REG_JWT_KID_MAX printable ASCII characters, no spaces. */
static bool
kid_is_valid(const char *kid)
{
	size_t i, len = strnlen(kid, REG_JWT_KID_MAX + 1);

	if (len == 0 || len > REG_JWT_KID_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)kid[i];

		if (c <= 0x20 || c >= 0x7f)
			return false;
	}
	return true;
}

/* An HS256 key with a copy of the secret. */
static int
init_hmac(struct jwt_key *k, const char *kid, const unsigned char *secret,
	  size_t len, struct reg_err *err)
{
	if (kid == NULL || !kid_is_valid(kid)) {
		char q[QUOTE_MAX];

		return failf(err, REG_E_INTERNAL,
			     "invalid key id \"%s\" for an HMAC secret",
			     kid ? quotes(q, sizeof(q), kid) : "");
	}
	if (len < REG_JWT_HMAC_MIN)
		return failf(err, REG_E_INTERNAL,
			     "HMAC secret \"%s\" is %zu bytes, at least %d "
			     "required",
			     kid, len, REG_JWT_HMAC_MIN);
	memset(k, 0, sizeof(*k));
	k->alg = REG_JWT_HS256;
	k->secret = reg_xmalloc(len);
	memcpy(k->secret, secret, len);
	k->secret_len = len;
	k->kid = reg_xstrdup(kid);
	return 0;
}

/* Files */

/*
 * Read a whole regular file of at most max bytes into a new buffer (NUL
 * appended, not counted).  secret: refuse files others may access.  The
 * buffer is allocated once so that no copy of a secret is left behind.
 */
static int
read_file(const char *path, size_t max, bool secret, unsigned char **out,
	  size_t *outlen, struct reg_err *err)
{
	struct stat st;
	unsigned char *p = NULL;
	size_t size, got = 0;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1)
		return sysfail(err, "cannot open \"%s\"", path);
	if (fstat(fd, &st) == -1) {
		sysfail(err, "cannot stat \"%s\"", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		failf(err, REG_E_INTERNAL, "\"%s\" is not a regular file",
		      path);
		goto out;
	}
	if (secret && (st.st_mode & S_IRWXO) != 0) {
		failf(err, REG_E_INTERNAL,
		      "\"%s\" is accessible by others (mode %04o): "
		      "chmod o-rwx it",
		      path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size < 0 || (uintmax_t)st.st_size > max) {
		failf(err, REG_E_INTERNAL, "\"%s\" is larger than %zu bytes",
		      path, max);
		goto out;
	}
	size = (size_t)st.st_size;
	p = reg_xmalloc(size + 2);
	/* Read one byte more than expected to notice a growing file. */
	while (got < size + 1) {
		ssize_t n = read(fd, p + got, size + 1 - got);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			sysfail(err, "cannot read \"%s\"", path);
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got != size) {
		failf(err, REG_E_INTERNAL, "\"%s\" changed while read", path);
		goto out;
	}
	p[got] = '\0';
	*out = p;
	*outlen = got;
	p = NULL;
	rc = 0;
out:
	if (p != NULL) {
		OPENSSL_cleanse(p, size + 2);
		free(p);
	}
	close(fd);
	return rc;
}

static void
free_secret(unsigned char *p, size_t len)
{
	if (p != NULL) {
		OPENSSL_cleanse(p, len);
		free(p);
	}
}

/* Read a secret file: its content minus trailing CR and LF. */
static int
read_secret(const char *path, unsigned char **out, size_t *outlen,
	    size_t *alloc, struct reg_err *err)
{
	unsigned char *p = NULL;
	size_t len = 0;

	if (read_file(path, REG_JWT_FILE_MAX, true, &p, &len, err) == -1)
		return -1;
	*alloc = len + 2;
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	*out = p;
	*outlen = len;
	return 0;
}

/* PEM */

/*
 * Read the next PEM block of bio: 1 and *type, *der (OPENSSL_free both),
 * 0 at the end of the input, -1 if malformed.
 */
static int
read_pem_block(BIO *bio, char **type, unsigned char **der, long *len)
{
	char *hdr = NULL;
	unsigned long e;
	int ok;

	ERR_set_mark();
	ok = PEM_read_bio(bio, type, &hdr, der, len);
	e = ERR_peek_last_error();
	ERR_pop_to_mark();
	if (ok == 1) {
		bool has_hdr = hdr != NULL && hdr[0] != '\0';

		OPENSSL_free(hdr);
		if (!has_hdr)
			return 1;
		OPENSSL_free(*type);
		OPENSSL_free(*der);
		return -1;
	}
	if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
		return 0;
	return -1;
}

/* A DER certificate, the whole of <der,len>; NULL if not. */
static X509 *
parse_cert(const unsigned char *der, long len)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, len);

	if (x != NULL && p != der + len) {
		X509_free(x);
		x = NULL;
	}
	ERR_clear_error();
	return x;
}

/* The public key of a PEM block, or NULL with why filled. */
static EVP_PKEY *
pem_public_key(const char *type, const unsigned char *der, long len, char *why,
	       size_t whysz)
{
	const unsigned char *p = der;
	EVP_PKEY *pk = NULL;

	if (strcmp(type, "CERTIFICATE") == 0) {
		X509 *x = parse_cert(der, len);

		if (x == NULL) {
			whyf(why, whysz, "invalid certificate");
			return NULL;
		}
		pk = X509_get_pubkey(x);
		X509_free(x);
	} else if (strcmp(type, "PUBLIC KEY") == 0) {
		pk = d2i_PUBKEY(NULL, &p, len);
	} else if (strcmp(type, "RSA PUBLIC KEY") == 0) {
		pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, len);
	} else if (strstr(type, "PRIVATE KEY") != NULL) {
		whyf(why, whysz,
		     "private key in a trusted key file: give the public key "
		     "or the certificate");
		return NULL;
	} else {
		char q[QUOTE_MAX];

		whyf(why, whysz, "unsupported PEM block \"%s\"",
		     quotes(q, sizeof(q), type));
		return NULL;
	}
	if (pk != NULL && p != der + len && strcmp(type, "CERTIFICATE") != 0) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	if (pk == NULL)
		whyf(why, whysz, "invalid %s", type);
	ERR_clear_error();
	return pk;
}

/* Append the keys of a PEM bundle to l. */
static int
load_pem_keys(struct keylist *l, const char *name, const char *data, size_t len,
	      struct reg_err *err)
{
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	size_t i;
	int rc = -1;

	if (bio == NULL)
		return failf(err, REG_E_NOMEM, "out of memory");
	for (i = 1;; i++) {
		char *type = NULL, why[WHY_MAX];
		unsigned char *der = NULL;
		long dlen = 0;
		struct jwt_key k;
		EVP_PKEY *pk;
		int r = read_pem_block(bio, &type, &der, &dlen);

		if (r == 0)
			break;
		if (r == -1) {
			failf(err, REG_E_INTERNAL,
			      "%s: PEM block %zu: malformed", name, i);
			goto out;
		}
		pk = pem_public_key(type, der, dlen, why, sizeof(why));
		OPENSSL_free(type);
		OPENSSL_free(der);
		if (pk == NULL) {
			failf(err, REG_E_INTERNAL, "%s: PEM block %zu: %s",
			      name, i, why);
			goto out;
		}
		if (init_pubkey(&k, pk, true, why, sizeof(why)) == -1) {
			clear_key(&k);
			failf(err, REG_E_INTERNAL, "%s: PEM block %zu: %s",
			      name, i, why);
			goto out;
		}
		keylist_push(l, &k);
	}
	rc = 0;
out:
	BIO_free(bio);
	return rc;
}

/* JWK */

/* Decode the base64url string member key of a JWK into buf. */
static int
jwk_bytes(struct json_object *o, const char *key, unsigned char *buf,
	  size_t bufsz, size_t *len, char *why, size_t whysz)
{
	struct json_object *v;
	char bwhy[WHY_MAX];

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string)) {
		whyf(why, whysz, "\"%s\" missing or not a string", key);
		return -1;
	}
	if (decode_b64(json_object_get_string(v),
		       (size_t)json_object_get_string_len(v), true, buf, bufsz,
		       len, bwhy, sizeof(bwhy)) == -1) {
		whyf(why, whysz, "\"%s\": invalid base64url: %s", key, bwhy);
		return -1;
	}
	return 0;
}

/* String member key of a JWK, NULL if absent; -1 if not a string. */
static int
jwk_string(struct json_object *o, const char *key, const char **out, char *why,
	   size_t whysz)
{
	struct json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string)) {
		whyf(why, whysz, "\"%s\" must be a string", key);
		return -1;
	}
	*out = json_object_get_string(v);
	return 0;
}

static EVP_PKEY *
pkey_from_params(const char *type, OSSL_PARAM *params)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *pk = NULL;

	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

static EVP_PKEY *
jwk_ec(struct json_object *o, char *why, size_t whysz)
{
	char group[] = "prime256v1";
	unsigned char pt[65], buf[64];
	size_t len;
	const char *crv;
	OSSL_PARAM params[3];
	EVP_PKEY *pk;

	if (jwk_string(o, "crv", &crv, why, whysz) == -1)
		return NULL;
	if (crv == NULL || strcmp(crv, "P-256") != 0) {
		char q[QUOTE_MAX];

		whyf(why, whysz, "EC curve \"%s\" not supported (P-256 only)",
		     crv ? quotes(q, sizeof(q), crv) : "");
		return NULL;
	}
	pt[0] = 4;
	if (jwk_bytes(o, "x", buf, sizeof(buf), &len, why, whysz) == -1)
		return NULL;
	if (len != 32) {
		whyf(why, whysz, "\"x\" must be 32 bytes, not %zu", len);
		return NULL;
	}
	memcpy(pt + 1, buf, 32);
	if (jwk_bytes(o, "y", buf, sizeof(buf), &len, why, whysz) == -1)
		return NULL;
	if (len != 32) {
		whyf(why, whysz, "\"y\" must be 32 bytes, not %zu", len);
		return NULL;
	}
	memcpy(pt + 33, buf, 32);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
						     group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
						      pt, sizeof(pt));
	params[2] = OSSL_PARAM_construct_end();
	pk = pkey_from_params("EC", params);
	if (pk == NULL)
		whyf(why, whysz, "invalid EC point: %s", ssl_reason());
	return pk;
}

static EVP_PKEY *
jwk_rsa(struct json_object *o, char *why, size_t whysz)
{
	unsigned char nb[RSA_MAX_BITS / 8 + 1], eb[16];
	size_t nlen, elen;
	BIGNUM *n = NULL, *e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pk = NULL;

	if (jwk_bytes(o, "n", nb, sizeof(nb), &nlen, why, whysz) == -1 ||
	    jwk_bytes(o, "e", eb, sizeof(eb), &elen, why, whysz) == -1)
		return NULL;
	/* RFC 7518 6.3.1: minimal big-endian, no leading zero bytes. */
	if (nlen == 0 || nb[0] == 0 || elen == 0 || eb[0] == 0) {
		whyf(why, whysz, "\"n\" and \"e\" must be minimal integers");
		return NULL;
	}
	n = BN_bin2bn(nb, (int)nlen, NULL);
	e = BN_bin2bn(eb, (int)elen, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (n == NULL || e == NULL || bld == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		whyf(why, whysz, "out of memory");
	else if ((pk = pkey_from_params("RSA", params)) == NULL)
		whyf(why, whysz, "invalid RSA key: %s", ssl_reason());
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pk;
}

/*
 * The public key of a JWK object into *k (bound algorithm and ids); the
 * JWK's "alg", if any, must agree, and private members are refused.
 */
static int
jwk_key(struct json_object *o, struct jwt_key *k, char *why, size_t whysz)
{
	static const char *const private_members[] = { "d",  "p",  "q", "dp",
						       "dq", "qi", "k" };
	const char *kty, *alg;
	char q[QUOTE_MAX];
	EVP_PKEY *pk = NULL;
	size_t i;

	memset(k, 0, sizeof(*k));
	if (!json_object_is_type(o, json_type_object)) {
		whyf(why, whysz, "not a JSON object");
		return -1;
	}
	if (jwk_string(o, "kty", &kty, why, whysz) == -1 ||
	    jwk_string(o, "alg", &alg, why, whysz) == -1)
		return -1;
	if (kty == NULL) {
		whyf(why, whysz, "\"kty\" missing");
		return -1;
	}
	if (strcmp(kty, "oct") == 0) {
		whyf(why, whysz,
		     "key type \"oct\" (a shared secret) is not allowed here");
		return -1;
	}
	for (i = 0; i < NITEMS(private_members); i++) {
		if (json_object_object_get_ex(o, private_members[i], NULL)) {
			whyf(why, whysz,
			     "private key material (\"%s\") in a public key",
			     private_members[i]);
			return -1;
		}
	}
	if (strcmp(kty, "OKP") == 0) {
		const char *crv;
		unsigned char x[64];
		size_t len;

		if (jwk_string(o, "crv", &crv, why, whysz) == -1)
			return -1;
		if (crv == NULL || strcmp(crv, "Ed25519") != 0) {
			whyf(why, whysz,
			     "OKP curve \"%s\" not supported (Ed25519 only)",
			     crv ? quotes(q, sizeof(q), crv) : "");
			return -1;
		}
		if (jwk_bytes(o, "x", x, sizeof(x), &len, why, whysz) == -1)
			return -1;
		if (len != 32) {
			whyf(why, whysz, "\"x\" must be 32 bytes, not %zu",
			     len);
			return -1;
		}
		pk = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, x,
						    len);
		if (pk == NULL) {
			whyf(why, whysz, "invalid Ed25519 key: %s",
			     ssl_reason());
			return -1;
		}
	} else if (strcmp(kty, "EC") == 0) {
		if ((pk = jwk_ec(o, why, whysz)) == NULL)
			return -1;
	} else if (strcmp(kty, "RSA") == 0) {
		if ((pk = jwk_rsa(o, why, whysz)) == NULL)
			return -1;
	} else {
		whyf(why, whysz, "key type \"%s\" not supported",
		     quotes(q, sizeof(q), kty));
		return -1;
	}
	if (init_pubkey(k, pk, true, why, whysz) == -1) {
		clear_key(k);
		return -1;
	}
	if (alg != NULL && strcmp(alg, alg_names[k->alg]) != 0) {
		whyf(why, whysz, "\"alg\" is \"%s\" but the key is for %s",
		     quotes(q, sizeof(q), alg), alg_names[k->alg]);
		clear_key(k);
		return -1;
	}
	return 0;
}

/* Append the keys of a JWKS document to l. */
static int
load_jwks(struct keylist *l, const char *name, const char *data, size_t len,
	  struct reg_err *err)
{
	struct json_object *root = NULL, *keys;
	char what[64];
	size_t i, n;
	int rc = -1;

	if (snprintf(what, sizeof(what), "%.50s", name) < 0)
		what[0] = '\0';
	if (parse_object(data, len, what, &root, REG_E_INTERNAL, err) == -1)
		return -1;
	if (!json_object_object_get_ex(root, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array)) {
		failf(err, REG_E_INTERNAL, "%s: \"keys\" must be an array",
		      name);
		goto out;
	}
	n = json_object_array_length(keys);
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(keys, i);
		const char *use, *kid;
		char why[WHY_MAX], q[QUOTE_MAX];
		struct jwt_key k;

		if (!json_object_is_type(o, json_type_object)) {
			failf(err, REG_E_INTERNAL,
			      "%s: keys[%zu]: not a JSON object", name, i);
			goto out;
		}
		if (jwk_string(o, "use", &use, why, sizeof(why)) == -1 ||
		    jwk_string(o, "kid", &kid, why, sizeof(why)) == -1) {
			failf(err, REG_E_INTERNAL, "%s: keys[%zu]: %s", name, i,
			      why);
			goto out;
		}
		if (use != NULL && strcmp(use, "enc") == 0)
			continue;
		if (use != NULL && strcmp(use, "sig") != 0) {
			failf(err, REG_E_INTERNAL,
			      "%s: keys[%zu]: \"use\" is \"%s\", not \"sig\"",
			      name, i, quotes(q, sizeof(q), use));
			goto out;
		}
		if (kid != NULL && !kid_is_valid(kid)) {
			failf(err, REG_E_INTERNAL,
			      "%s: keys[%zu]: invalid \"kid\" \"%s\"", name, i,
			      quotes(q, sizeof(q), kid));
			goto out;
		}
		if (jwk_key(o, &k, why, sizeof(why)) == -1) {
			failf(err, REG_E_INTERNAL, "%s: keys[%zu]: %s", name, i,
			      why);
			goto out;
		}
		if (kid != NULL)
			k.kid = reg_xstrdup(kid);
		keylist_push(l, &k);
	}
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

/* Keyset */

struct reg_jwt_keyset *
reg_jwt_keyset_new(void)
{
	return reg_xcalloc(1, sizeof(struct reg_jwt_keyset));
}

void
reg_jwt_keyset_free(struct reg_jwt_keyset *ks)
{
	if (ks == NULL)
		return;
	keylist_release(&ks->keys);
	X509_STORE_free(ks->store);
	free(ks);
}

/* The id of b that collides with one of a's, or NULL. */
static const char *
ids_collide(const struct jwt_key *a, const struct jwt_key *b)
{
	const char *ia[3] = { a->thumbprint, a->libtrust_id, a->kid };
	const char *ib[3] = { b->thumbprint, b->libtrust_id, b->kid };
	size_t i, j;

	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3; j++) {
			if (ia[i] != NULL && ib[j] != NULL &&
			    ia[i][0] != '\0' && strcmp(ia[i], ib[j]) == 0)
				return ib[j];
		}
	}
	return NULL;
}

/* Move the keys of l into ks unless an id collides; l is emptied. */
static int
merge_keys(struct reg_jwt_keyset *ks, struct keylist *l, const char *name,
	   struct reg_err *err)
{
	size_t i, j;
	int rc = -1;

	for (i = 0; i < l->n; i++) {
		const char *id = NULL;

		for (j = 0; j < ks->keys.n && id == NULL; j++)
			id = ids_collide(&ks->keys.v[j], &l->v[i]);
		for (j = 0; j < i && id == NULL; j++)
			id = ids_collide(&l->v[j], &l->v[i]);
		if (id != NULL) {
			char q[QUOTE_MAX];

			failf(err, REG_E_INTERNAL,
			      "%s: key id \"%s\" is already in use (the same "
			      "key twice?)",
			      name, quotes(q, sizeof(q), id));
			goto out;
		}
	}
	for (i = 0; i < l->n; i++)
		keylist_push(&ks->keys, &l->v[i]);
	l->n = 0;
	rc = 0;
out:
	keylist_release(l);
	return rc;
}

int
reg_jwt_keyset_load_mem(struct reg_jwt_keyset *ks, const char *name,
			const char *data, size_t len, struct reg_err *err)
{
	struct keylist l = { 0 };
	size_t i = 0;
	int rc;

	if (len > REG_JWT_FILE_MAX)
		return failf(err, REG_E_INTERNAL, "%s: too large", name);
	while (i < len && data[i] != '\0' && strchr(" \t\r\n", data[i]))
		i++;
	if (i < len && data[i] == '{')
		rc = load_jwks(&l, name, data, len, err);
	else
		rc = load_pem_keys(&l, name, data, len, err);
	if (rc == 0 && l.n == 0)
		rc = failf(err, REG_E_INTERNAL, "%s: no public key found",
			   name);
	if (rc == -1) {
		keylist_release(&l);
		return -1;
	}
	return merge_keys(ks, &l, name, err);
}

int
reg_jwt_keyset_load_file(struct reg_jwt_keyset *ks, const char *path,
			 struct reg_err *err)
{
	unsigned char *p = NULL;
	size_t len = 0;
	int rc;

	if (read_file(path, REG_JWT_FILE_MAX, false, &p, &len, err) == -1)
		return -1;
	rc = reg_jwt_keyset_load_mem(ks, path, (const char *)p, len, err);
	free(p);
	return rc;
}

int
reg_jwt_keyset_add_hmac(struct reg_jwt_keyset *ks, const char *kid,
			const unsigned char *secret, size_t len,
			struct reg_err *err)
{
	struct keylist l = { 0 };
	struct jwt_key k;

	if (init_hmac(&k, kid, secret, len, err) == -1)
		return -1;
	keylist_push(&l, &k);
	return merge_keys(ks, &l, "HMAC secret", err);
}

int
reg_jwt_keyset_load_hmac_file(struct reg_jwt_keyset *ks, const char *kid,
			      const char *path, struct reg_err *err)
{
	unsigned char *p;
	size_t len, alloc;
	int rc;

	if (read_secret(path, &p, &len, &alloc, err) == -1)
		return -1;
	rc = reg_jwt_keyset_add_hmac(ks, kid, p, len, err);
	free_secret(p, alloc);
	return rc;
}

int
reg_jwt_keyset_load_ca_mem(struct reg_jwt_keyset *ks, const char *name,
			   const char *data, size_t len, struct reg_err *err)
{
	STACK_OF(X509) *certs = NULL;
	BIO *bio = NULL;
	size_t i;
	int rc = -1;

	if (len > REG_JWT_FILE_MAX)
		return failf(err, REG_E_INTERNAL, "%s: too large", name);
	if ((bio = BIO_new_mem_buf(data, (int)len)) == NULL ||
	    (certs = sk_X509_new_null()) == NULL) {
		failf(err, REG_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 1;; i++) {
		char *type = NULL;
		unsigned char *der = NULL;
		long dlen = 0;
		X509 *x = NULL;
		int r = read_pem_block(bio, &type, &der, &dlen);

		if (r == 0)
			break;
		if (r == 1 && strcmp(type, "CERTIFICATE") == 0)
			x = parse_cert(der, dlen);
		OPENSSL_free(type);
		OPENSSL_free(der);
		if (x == NULL) {
			failf(err, REG_E_INTERNAL,
			      "%s: PEM block %zu: not a valid certificate",
			      name, i);
			goto out;
		}
		if (!sk_X509_push(certs, x)) {
			X509_free(x);
			failf(err, REG_E_NOMEM, "out of memory");
			goto out;
		}
	}
	if (sk_X509_num(certs) == 0) {
		failf(err, REG_E_INTERNAL, "%s: no certificate found", name);
		goto out;
	}
	if (ks->store == NULL && (ks->store = X509_STORE_new()) == NULL) {
		failf(err, REG_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < (size_t)sk_X509_num(certs); i++) {
		/* Takes its own reference; a duplicate is harmless. */
		if (!X509_STORE_add_cert(ks->store,
					 sk_X509_value(certs, (int)i))) {
			failf(err, REG_E_INTERNAL, "%s: %s", name,
			      ssl_reason());
			goto out;
		}
	}
	rc = 0;
out:
	sk_X509_pop_free(certs, X509_free);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

int
reg_jwt_keyset_load_ca_file(struct reg_jwt_keyset *ks, const char *path,
			    struct reg_err *err)
{
	unsigned char *p = NULL;
	size_t len = 0;
	int rc;

	if (read_file(path, REG_JWT_FILE_MAX, false, &p, &len, err) == -1)
		return -1;
	rc = reg_jwt_keyset_load_ca_mem(ks, path, (const char *)p, len, err);
	free(p);
	return rc;
}

size_t
reg_jwt_keyset_count(const struct reg_jwt_keyset *ks)
{
	return ks->keys.n;
}

void
reg_jwt_keyset_key_info(const struct reg_jwt_keyset *ks, size_t i,
			struct reg_jwt_key_info *info)
{
	const struct jwt_key *k;

	if (i >= ks->keys.n)
		bug("key index out of range");
	k = &ks->keys.v[i];
	info->alg = k->alg;
	info->thumbprint = k->thumbprint;
	info->libtrust_id = k->libtrust_id;
	info->kid = k->kid;
}

/* Signatures */

/*
 * Sign <msg,n> with k's bound algorithm into sig (SIG_MAX bytes): raw
 * R||S for ES256 (RFC 7518 3.4), as JOSE wants and not DER.
 */
static int
sign_msg(const struct jwt_key *k, const unsigned char *msg, size_t n,
	 unsigned char *sig, size_t *siglen)
{
	unsigned char der[SIG_MAX];
	/* ES256 signs into der first, to convert it to R||S. */
	unsigned char *out = k->alg == REG_JWT_ES256 ? der : sig;
	size_t len = SIG_MAX;
	EVP_MD_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	int rc = -1;

	if (k->alg == REG_JWT_HS256) {
		if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, k->secret,
			      k->secret_len, msg, n, sig, SIG_MAX,
			      &len) == NULL)
			goto out;
		*siglen = len;
		rc = 0;
		goto out;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(ctx, NULL,
				  k->alg == REG_JWT_EDDSA ? NULL : "SHA256",
				  NULL, NULL, k->pkey, NULL) != 1 ||
	    EVP_DigestSign(ctx, out, &len, msg, n) != 1)
		goto out;
	if (k->alg == REG_JWT_ES256) {
		const unsigned char *p = der;
		const BIGNUM *r, *s;

		if ((es = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL)
			goto out;
		ECDSA_SIG_get0(es, &r, &s);
		if (BN_bn2binpad(r, sig, 32) != 32 ||
		    BN_bn2binpad(s, sig + 32, 32) != 32)
			goto out;
		len = 64;
	}
	*siglen = len;
	rc = 0;
out:
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

/* ES256's raw R||S as the DER that OpenSSL verifies; length or -1. */
static int
es256_to_der(const unsigned char *sig, unsigned char *der, size_t dersz)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, 32, NULL),
	       *s = BN_bin2bn(sig + 32, 32, NULL);
	unsigned char *p = der;
	int len = -1;

	if (es == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		goto out;
	}
	if (i2d_ECDSA_SIG(es, NULL) <= (int)dersz)
		len = i2d_ECDSA_SIG(es, &p);
out:
	ECDSA_SIG_free(es);
	return len;
}

/* Check sig over <msg,n> with k, whose alg the token's already equals. */
static int
verify_msg(const struct jwt_key *k, const unsigned char *msg, size_t n,
	   const unsigned char *sig, size_t siglen, struct reg_err *err)
{
	unsigned char buf[SIG_MAX];
	size_t want, len = 0;
	EVP_MD_CTX *ctx = NULL;
	int ok = 0;

	switch (k->alg) {
	case REG_JWT_HS256:
	case REG_JWT_EDDSA:
	case REG_JWT_ES256:
		want = k->alg == REG_JWT_HS256 ? 32 : 64;
		break;
	case REG_JWT_RS256:
		want = (size_t)EVP_PKEY_get_size(k->pkey);
		break;
	case REG_JWT__COUNT:
	default:
		bug("bad key algorithm");
	}
	if (siglen != want)
		return failf(err, REG_E_UNAUTHORIZED,
			     "%s signature must be %zu bytes%s, not %zu",
			     alg_names[k->alg], want,
			     k->alg == REG_JWT_ES256 ? " (R||S, not DER)" : "",
			     siglen);
	if (k->alg == REG_JWT_HS256) {
		if (sign_msg(k, msg, n, buf, &len) == 0 && len == siglen)
			ok = CRYPTO_memcmp(buf, sig, siglen) == 0;
		OPENSSL_cleanse(buf, sizeof(buf));
	} else {
		const unsigned char *s = sig;

		if (k->alg == REG_JWT_ES256) {
			int dlen = es256_to_der(sig, buf, sizeof(buf));

			if (dlen < 0)
				goto out;
			s = buf;
			siglen = (size_t)dlen;
		}
		ctx = EVP_MD_CTX_new();
		ok = ctx != NULL &&
		     EVP_DigestVerifyInit_ex(ctx, NULL,
					     k->alg == REG_JWT_EDDSA ? NULL
								     : "SHA256",
					     NULL, NULL, k->pkey, NULL) == 1 &&
		     EVP_DigestVerify(ctx, s, siglen, msg, n) == 1;
	}
out:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	if (!ok)
		return failf(err, REG_E_UNAUTHORIZED,
			     "signature does not verify with key \"%s\"",
			     key_name(k));
	return 0;
}

/* Tokens */

/* A token split and decoded. */
struct parts {
	const char *signing_input; /* header "." payload, as sent */
	size_t signing_len;
	unsigned char *header;
	size_t header_len;
	unsigned char *payload;
	size_t payload_len;
	unsigned char sig[SIG_MAX];
	size_t sig_len;
};

static void
parts_release(struct parts *p)
{
	free(p->header);
	free(p->payload);
	memset(p, 0, sizeof(*p));
}

static int
decode_part(const char *s, size_t n, const char *what, unsigned char **out,
	    size_t *outlen, struct reg_err *err)
{
	char why[WHY_MAX];
	unsigned char *p;
	size_t size = b64_decoded_len(n) + 1;

	if (n == 0)
		return failf(err, REG_E_UNAUTHORIZED, "token %s is empty",
			     what);
	p = reg_xmalloc(size);
	if (decode_b64(s, n, true, p, size, outlen, why, sizeof(why)) == -1) {
		free(p);
		return failf(err, REG_E_UNAUTHORIZED,
			     "token %s is not valid base64url: %s", what, why);
	}
	p[*outlen] = '\0';
	*out = p;
	return 0;
}

/* Split and decode <token,len>; the signature may be empty. */
static int
split_token(const char *token, size_t len, size_t max, struct parts *out,
	    struct reg_err *err)
{
	const char *dot1, *dot2;
	char why[WHY_MAX];
	size_t i, dots = 0, slen;

	memset(out, 0, sizeof(*out));
	if (max == 0)
		max = REG_JWT_MAX_LEN;
	if (len > max)
		return failf(err, REG_E_UNAUTHORIZED,
			     "token is %zu bytes, more than the %zu allowed",
			     len, max);
	for (i = 0; i < len; i++)
		dots += token[i] == '.';
	if (dots != 2)
		return failf(err, REG_E_UNAUTHORIZED,
			     "token has %zu parts, not 3", dots + 1);
	dot1 = memchr(token, '.', len);
	dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token));
	out->signing_input = token;
	out->signing_len = (size_t)(dot2 - token);
	if (decode_part(token, (size_t)(dot1 - token), "header", &out->header,
			&out->header_len, err) == -1 ||
	    decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1), "payload",
			&out->payload, &out->payload_len, err) == -1)
		goto fail;
	slen = len - (size_t)(dot2 + 1 - token);
	if (decode_b64(dot2 + 1, slen, true, out->sig, sizeof(out->sig),
		       &out->sig_len, why, sizeof(why)) == -1) {
		failf(err, REG_E_UNAUTHORIZED,
		      "token signature is not valid base64url: %s", why);
		goto fail;
	}
	return 0;
fail:
	parts_release(out);
	return -1;
}

int
reg_jwt_decode(const char *token, size_t len, size_t max_len,
	       struct reg_buf *header, struct reg_buf *claims,
	       struct reg_err *err)
{
	struct parts p;
	size_t hlen = header->len;
	int rc = -1;

	if (split_token(token, len, max_len, &p, err) == -1)
		return -1;
	if (reg_buf_add(header, p.header, p.header_len) == -1) {
		failf(err, REG_E_UNAUTHORIZED, "token header too large");
		goto out;
	}
	if (reg_buf_add(claims, p.payload, p.payload_len) == -1) {
		header->len = hlen;
		header->data[hlen] = '\0';
		failf(err, REG_E_UNAUTHORIZED, "token payload too large");
		goto out;
	}
	rc = 0;
out:
	parts_release(&p);
	return rc;
}

/* Does ks hold a key with the same key material as pk? */
static const struct jwt_key *
find_equal_key(const struct reg_jwt_keyset *ks, EVP_PKEY *pk)
{
	size_t i;

	for (i = 0; i < ks->keys.n; i++) {
		if (ks->keys.v[i].pkey != NULL &&
		    EVP_PKEY_eq(ks->keys.v[i].pkey, pk) == 1)
			return &ks->keys.v[i];
	}
	ERR_clear_error();
	return NULL;
}

/* The key of an "x5c" header (see reg_jwt_verify); leaf is for its key. */
static int
find_x5c_key(const struct reg_jwt_keyset *ks, struct json_object *x5c,
	     time_t now, struct jwt_key *leaf, const struct jwt_key **key,
	     struct reg_err *err)
{
	STACK_OF(X509) *chain = NULL;
	X509_STORE_CTX *ctx = NULL;
	unsigned char *der = NULL;
	EVP_PKEY *pk;
	char why[WHY_MAX];
	size_t i, n;
	int rc = -1;

	if (!json_object_is_type(x5c, json_type_array) ||
	    (n = json_object_array_length(x5c)) == 0 || n > X5C_MAX)
		return failf(err, REG_E_UNAUTHORIZED,
			     "header \"x5c\" must be an array of 1 to %d "
			     "certificates",
			     X5C_MAX);
	if ((chain = sk_X509_new_null()) == NULL)
		return failf(err, REG_E_NOMEM, "out of memory");
	der = reg_xmalloc(CERT_DER_MAX);
	for (i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(x5c, i);
		size_t len;
		X509 *x;

		if (!json_object_is_type(v, json_type_string)) {
			failf(err, REG_E_UNAUTHORIZED,
			      "header \"x5c\"[%zu] must be a string", i);
			goto out;
		}
		if (decode_b64(json_object_get_string(v),
			       (size_t)json_object_get_string_len(v), false,
			       der, CERT_DER_MAX, &len, why,
			       sizeof(why)) == -1) {
			failf(err, REG_E_UNAUTHORIZED,
			      "header \"x5c\"[%zu] is not valid base64: %s", i,
			      why);
			goto out;
		}
		if ((x = parse_cert(der, (long)len)) == NULL) {
			failf(err, REG_E_UNAUTHORIZED,
			      "header \"x5c\"[%zu] is not a certificate", i);
			goto out;
		}
		if (!sk_X509_push(chain, x)) {
			X509_free(x);
			failf(err, REG_E_NOMEM, "out of memory");
			goto out;
		}
	}
	pk = X509_get0_pubkey(sk_X509_value(chain, 0));
	if (pk == NULL) {
		failf(err, REG_E_UNAUTHORIZED,
		      "x5c leaf certificate has an unusable key");
		goto out;
	}
	/* A trusted key is trusted whatever certificate carries it. */
	if ((*key = find_equal_key(ks, pk)) != NULL) {
		rc = 0;
		goto out;
	}
	if (ks->store == NULL) {
		failf(err, REG_E_UNAUTHORIZED,
		      "x5c certificate key is not a trusted key, and no CA "
		      "bundle is configured");
		goto out;
	}
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    !X509_STORE_CTX_init(ctx, ks->store, sk_X509_value(chain, 0),
				 chain)) {
		failf(err, REG_E_NOMEM, "out of memory");
		goto out;
	}
	X509_STORE_CTX_set_time(ctx, 0, now);
	if (X509_verify_cert(ctx) != 1) {
		failf(err, REG_E_UNAUTHORIZED,
		      "x5c certificate chain not trusted: %s",
		      X509_verify_cert_error_string(
			      X509_STORE_CTX_get_error(ctx)));
		goto out;
	}
	if (!EVP_PKEY_up_ref(pk) ||
	    init_pubkey(leaf, pk, false, why, sizeof(why)) == -1) {
		failf(err, REG_E_UNAUTHORIZED, "x5c certificate key: %s", why);
		goto out;
	}
	*key = leaf;
	rc = 0;
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(chain, X509_free);
	free(der);
	ERR_clear_error();
	return rc;
}

/* The key of a "jwk" header: only if equal to a trusted key. */
static int
find_jwk_key(const struct reg_jwt_keyset *ks, struct json_object *jwk,
	     const struct jwt_key **key, struct reg_err *err)
{
	struct jwt_key k;
	char why[WHY_MAX];

	if (jwk_key(jwk, &k, why, sizeof(why)) == -1)
		return failf(err, REG_E_UNAUTHORIZED, "header \"jwk\": %s",
			     why);
	*key = find_equal_key(ks, k.pkey);
	if (*key == NULL) {
		failf(err, REG_E_UNAUTHORIZED,
		      "embedded jwk %s is not a trusted key", k.thumbprint);
		clear_key(&k);
		return -1;
	}
	clear_key(&k);
	return 0;
}

static int
find_kid_key(const struct reg_jwt_keyset *ks, struct json_object *v,
	     const struct jwt_key **key, struct reg_err *err)
{
	char q[QUOTE_MAX];
	const char *kid;
	size_t i, len;

	if (!json_object_is_type(v, json_type_string))
		return failf(err, REG_E_UNAUTHORIZED,
			     "header \"kid\" must be a string");
	kid = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	for (i = 0; len > 0 && i < ks->keys.n; i++) {
		const struct jwt_key *k = &ks->keys.v[i];

		if (strcmp(kid, k->thumbprint) == 0 ||
		    strcmp(kid, k->libtrust_id) == 0 ||
		    (k->kid != NULL && strcmp(kid, k->kid) == 0)) {
			*key = k;
			return 0;
		}
	}
	return failf(err, REG_E_UNAUTHORIZED, "unknown key id \"%s\"",
		     quote(q, sizeof(q), kid, len));
}

/* Find the key that must check the token (x5c, then jwk, then kid). */
static int
find_key(const struct reg_jwt_keyset *ks, struct json_object *hdr, time_t now,
	 struct jwt_key *leaf, const struct jwt_key **key, struct reg_err *err)
{
	bool present;
	struct json_object *v;

	if ((v = member(hdr, "x5c", &present)) != NULL || present)
		return find_x5c_key(ks, v, now, leaf, key, err);
	if ((v = member(hdr, "jwk", &present)) != NULL || present)
		return find_jwk_key(ks, v, key, err);
	if ((v = member(hdr, "kid", &present)) != NULL || present)
		return find_kid_key(ks, v, key, err);
	return failf(err, REG_E_UNAUTHORIZED,
		     "token header has no \"x5c\", \"jwk\" or \"kid\" to find "
		     "its key");
}

/* "alg" of the header, which must be supported and in algs. */
static int
check_alg(struct json_object *hdr, unsigned algs, enum reg_jwt_alg *alg,
	  struct reg_err *err)
{
	char q[QUOTE_MAX];
	const char *name, *typ;

	if (get_string(hdr, "header", "alg", true, &name, err) == -1)
		return -1;
	quotes(q, sizeof(q), name);
	if (strcasecmp(name, "none") == 0)
		return failf(err, REG_E_UNAUTHORIZED, "alg \"%s\" not allowed",
			     q);
	if (reg_jwt_alg_parse(name, alg) == -1)
		return failf(err, REG_E_UNAUTHORIZED,
			     "alg \"%s\" not supported", q);
	if ((algs & REG_JWT_ALG_BIT(*alg)) == 0) {
		char list[64] = "";
		size_t i, o = 0;

		for (i = 0; i < REG_JWT__COUNT; i++) {
			int n;

			if ((algs & REG_JWT_ALG_BIT(i)) == 0)
				continue;
			n = snprintf(list + o, sizeof(list) - o, "%s%s",
				     o ? ", " : "", alg_names[i]);
			if (n < 0 || (size_t)n >= sizeof(list) - o)
				break;
			o += (size_t)n;
		}
		return failf(err, REG_E_UNAUTHORIZED,
			     "alg \"%s\" not allowed (allowed: %s)", q,
			     o ? list : "none");
	}
	if (json_object_object_get_ex(hdr, "crit", NULL))
		return failf(err, REG_E_UNAUTHORIZED,
			     "header \"crit\" not supported");
	if (get_string(hdr, "header", "typ", false, &typ, err) == -1)
		return -1;
	if (typ != NULL && strcasecmp(typ, "JWT") != 0)
		return failf(err, REG_E_UNAUTHORIZED,
			     "typ \"%s\" is not \"JWT\"",
			     quotes(q, sizeof(q), typ));
	return 0;
}

static int
check_audience(struct json_object *claims, const char *want,
	       struct reg_err *err)
{
	char q[QUOTE_MAX], w[QUOTE_MAX], list[REG_ERR_DETAIL_MAX];
	bool present;
	struct json_object *aud = member(claims, "aud", &present);
	size_t i, n, o = 0;

	quotes(w, sizeof(w), want);
	if (!present)
		return failf(err, REG_E_UNAUTHORIZED, "claim \"aud\" missing");
	if (json_object_is_type(aud, json_type_string)) {
		const char *s = json_object_get_string(aud);

		if (strcmp(s, want) == 0)
			return 0;
		return failf(err, REG_E_UNAUTHORIZED,
			     "audience \"%s\" is not \"%s\"",
			     quotes(q, sizeof(q), s), w);
	}
	if (!json_object_is_type(aud, json_type_array))
		return failf(err, REG_E_UNAUTHORIZED,
			     "claim \"aud\" must be a string or an array of "
			     "strings");
	n = json_object_array_length(aud);
	list[0] = '\0';
	for (i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(aud, i);
		const char *s;
		int r;

		if (!json_object_is_type(v, json_type_string))
			return failf(err, REG_E_UNAUTHORIZED,
				     "claim \"aud\" must be a string or an "
				     "array of strings");
		s = json_object_get_string(v);
		if (strcmp(s, want) == 0)
			return 0;
		if (o >= sizeof(list) / 2)
			continue;
		r = snprintf(list + o, sizeof(list) / 2 - o, "%s\"%s\"",
			     i ? ", " : "", quotes(q, sizeof(q), s));
		o = r < 0 || (size_t)r >= sizeof(list) / 2 - o
			    ? sizeof(list) / 2
			    : o + (size_t)r;
	}
	return failf(err, REG_E_UNAUTHORIZED,
		     "audience [%s] does not include \"%s\"", list, w);
}

/* Parse the "access" claim into t. */
static int
parse_access(struct json_object *claims, struct reg_jwt *t, struct reg_err *err)
{
	bool present;
	struct json_object *a = member(claims, "access", &present);
	size_t i, j, n;

	if (a == NULL)
		return 0;
	if (!json_object_is_type(a, json_type_array))
		return failf(err, REG_E_UNAUTHORIZED,
			     "claim \"access\" must be an array");
	n = json_object_array_length(a);
	t->access = reg_xcalloc(n ? n : 1, sizeof(*t->access));
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(a, i), *acts;
		struct reg_jwt_access *ra = &t->access[i];
		const char *type, *name;
		size_t na;

		if (!json_object_is_type(e, json_type_object))
			return failf(err, REG_E_UNAUTHORIZED,
				     "access[%zu] must be an object", i);
		if (get_string(e, "access entry", "type", true, &type, err) ==
			    -1 ||
		    get_string(e, "access entry", "name", true, &name, err) ==
			    -1)
			return -1;
		ra->type = reg_xstrdup(type);
		ra->name = reg_xstrdup(name);
		t->naccess = i + 1;
		acts = member(e, "actions", &present);
		if (acts == NULL)
			continue;
		if (!json_object_is_type(acts, json_type_array))
			return failf(err, REG_E_UNAUTHORIZED,
				     "access[%zu].actions must be an array of "
				     "strings",
				     i);
		na = json_object_array_length(acts);
		ra->actions = reg_xcalloc(na ? na : 1, sizeof(char *));
		for (j = 0; j < na; j++) {
			struct json_object *v =
				json_object_array_get_idx(acts, j);

			if (!json_object_is_type(v, json_type_string))
				return failf(err, REG_E_UNAUTHORIZED,
					     "access[%zu].actions must be an "
					     "array of strings",
					     i);
			ra->actions[j] = reg_xstrdup(json_object_get_string(v));
			ra->nactions = j + 1;
		}
	}
	return 0;
}

/* Check the claims against opts and fill t. */
static int
check_claims(struct json_object *c, const struct reg_jwt_opts *opts,
	     struct reg_jwt *t, struct reg_err *err)
{
	const char *iss, *sub, *jti;
	int64_t now = (int64_t)opts->now, exp = 0, nbf = 0, iat = 0, lo, hi;
	bool has_exp, has_nbf, has_iat;

	if (__builtin_sub_overflow(now, (int64_t)opts->leeway, &lo) ||
	    __builtin_add_overflow(now, (int64_t)opts->leeway, &hi))
		bug("time out of range");
	if (get_string(c, "claim", "iss", true, &iss, err) == -1)
		return -1;
	if (strcmp(iss, opts->issuer) != 0) {
		char q[QUOTE_MAX], w[QUOTE_MAX];

		return failf(err, REG_E_UNAUTHORIZED,
			     "issuer \"%s\" is not \"%s\"",
			     quotes(q, sizeof(q), iss),
			     quotes(w, sizeof(w), opts->issuer));
	}
	if (check_audience(c, opts->audience, err) == -1)
		return -1;
	if (get_time(c, "exp", true, &exp, &has_exp, err) == -1 ||
	    get_time(c, "nbf", false, &nbf, &has_nbf, err) == -1 ||
	    get_time(c, "iat", false, &iat, &has_iat, err) == -1)
		return -1;
	if (exp <= lo)
		return failf(err, REG_E_UNAUTHORIZED,
			     "token expired %lld s ago",
			     (long long)(now - exp));
	if (has_nbf && nbf > hi)
		return failf(err, REG_E_UNAUTHORIZED,
			     "token not valid for another %lld s",
			     (long long)(nbf - now));
	if (has_iat && iat > hi)
		return failf(err, REG_E_UNAUTHORIZED,
			     "token issued %lld s in the future",
			     (long long)(iat - now));
	if (get_string(c, "claim", "sub", false, &sub, err) == -1 ||
	    get_string(c, "claim", "jti", false, &jti, err) == -1)
		return -1;
	if (parse_access(c, t, err) == -1)
		return -1;
	t->iss = reg_xstrdup(iss);
	t->sub = sub ? reg_xstrdup(sub) : NULL;
	t->jti = jti ? reg_xstrdup(jti) : NULL;
	t->exp = exp;
	t->nbf = nbf;
	t->iat = iat;
	return 0;
}

void
reg_jwt_init(struct reg_jwt *t)
{
	memset(t, 0, sizeof(*t));
}

void
reg_jwt_release(struct reg_jwt *t)
{
	size_t i, j;

	for (i = 0; i < t->naccess; i++) {
		for (j = 0; j < t->access[i].nactions; j++)
			free(t->access[i].actions[j]);
		free(t->access[i].actions);
		free(t->access[i].type);
		free(t->access[i].name);
	}
	free(t->access);
	free(t->iss);
	free(t->sub);
	free(t->jti);
	reg_jwt_init(t);
}

int
reg_jwt_verify(const struct reg_jwt_keyset *ks, const char *token, size_t len,
	       const struct reg_jwt_opts *opts, struct reg_jwt *out,
	       struct reg_err *err)
{
	struct json_object *hdr = NULL, *claims = NULL;
	struct jwt_key leaf = { 0 };
	const struct jwt_key *key = NULL;
	enum reg_jwt_alg alg = REG_JWT__COUNT;
	struct parts p;
	struct reg_jwt t;
	int rc = -1;

	if (opts->issuer == NULL || opts->audience == NULL)
		bug("verify without issuer or audience");
	reg_jwt_init(&t);
	if (split_token(token, len, opts->max_len, &p, err) == -1)
		return -1;
	if (parse_object((const char *)p.header, p.header_len, "token header",
			 &hdr, REG_E_UNAUTHORIZED, err) == -1 ||
	    check_alg(hdr, opts->algs, &alg, err) == -1)
		goto out;
	if (p.sig_len == 0) {
		failf(err, REG_E_UNAUTHORIZED, "token has no signature");
		goto out;
	}
	if (find_key(ks, hdr, opts->now, &leaf, &key, err) == -1)
		goto out;
	if (key == NULL)
		bug("key lookup succeeded without a key");
	if (key->alg != alg) {
		failf(err, REG_E_UNAUTHORIZED,
		      "alg \"%s\" does not match key \"%s\", which is %s",
		      alg_names[alg], key_name(key), alg_names[key->alg]);
		goto out;
	}
	if (verify_msg(key, (const unsigned char *)p.signing_input,
		       p.signing_len, p.sig, p.sig_len, err) == -1)
		goto out;
	if (parse_object((const char *)p.payload, p.payload_len, "token claims",
			 &claims, REG_E_UNAUTHORIZED, err) == -1 ||
	    check_claims(claims, opts, &t, err) == -1)
		goto out;
	t.alg = alg;
	if (snprintf(t.key_id, sizeof(t.key_id), "%s", key_name(key)) < 0)
		t.key_id[0] = '\0';
	*out = t;
	reg_jwt_init(&t);
	rc = 0;
out:
	reg_jwt_release(&t);
	clear_key(&leaf);
	json_object_put(hdr);
	json_object_put(claims);
	parts_release(&p);
	return rc;
}

bool
reg_jwt_grants(const struct reg_jwt *t, const char *type, const char *name,
	       const char *action)
{
	size_t i, j;

	for (i = 0; i < t->naccess; i++) {
		const struct reg_jwt_access *a = &t->access[i];

		if (strcmp(a->type, type) != 0 || strcmp(a->name, name) != 0)
			continue;
		for (j = 0; j < a->nactions; j++) {
			if (strcmp(a->actions[j], "*") == 0 ||
			    strcmp(a->actions[j], action) == 0)
				return true;
		}
	}
	return false;
}

/* Signer */

/* Build the signer's header (base64url) from alg, kid and x5c. */
static int
build_header(struct reg_jwt_signer *s, struct reg_err *err)
{
	struct reg_buf json, b64;
	int rc = -1;

	reg_buf_init(&json, HEADER_MAX);
	reg_buf_init(&b64, HEADER_MAX / 3 * 4 + 4);
	if (reg_buf_addf(&json, "{\"typ\":\"JWT\",\"alg\":\"%s\"",
			 alg_names[s->key.alg]) == -1 ||
	    (s->key.kid != NULL &&
	     (reg_buf_adds(&json, ",\"kid\":") == -1 ||
	      reg_buf_add_json_string(&json, s->key.kid) == -1)) ||
	    (s->x5c != NULL &&
	     reg_buf_addf(&json, ",\"x5c\":[%s]", s->x5c) == -1) ||
	    reg_buf_adds(&json, "}") == -1 ||
	    add_b64(&b64, (const unsigned char *)json.data, json.len, true) ==
		    -1) {
		failf(err, REG_E_INTERNAL, "token header too large");
		goto out;
	}
	free(s->header);
	s->header = reg_buf_detach(&b64, NULL);
	rc = 0;
out:
	reg_buf_release(&json);
	reg_buf_release(&b64);
	return rc;
}

void
reg_jwt_signer_free(struct reg_jwt_signer *s)
{
	if (s == NULL)
		return;
	clear_key(&s->key);
	free(s->x5c);
	free(s->header);
	free(s);
}

static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Read the PEM chain into s->x5c; its first certificate must hold pk. */
static int
load_chain(struct reg_jwt_signer *s, const char *name, const char *chain,
	   size_t len, struct reg_err *err)
{
	BIO *bio = BIO_new_mem_buf(chain, (int)len);
	struct reg_buf b;
	size_t i;
	int rc = -1;

	reg_buf_init(&b, HEADER_MAX);
	if (bio == NULL)
		return failf(err, REG_E_NOMEM, "out of memory");
	for (i = 0;; i++) {
		char *type = NULL;
		unsigned char *der = NULL;
		long dlen = 0;
		X509 *x = NULL;
		int r = read_pem_block(bio, &type, &der, &dlen);
		bool ok;

		if (r == 0)
			break;
		if (r == 1 && strcmp(type, "CERTIFICATE") == 0)
			x = parse_cert(der, dlen);
		OPENSSL_free(type);
		if (x == NULL) {
			OPENSSL_free(der);
			failf(err, REG_E_INTERNAL,
			      "%s: PEM block %zu is not a certificate", name,
			      i + 1);
			goto out;
		}
		ok = i > 0 ||
		     EVP_PKEY_eq(X509_get0_pubkey(x), s->key.pkey) == 1;
		X509_free(x);
		ERR_clear_error();
		if (!ok) {
			OPENSSL_free(der);
			failf(err, REG_E_INTERNAL,
			      "%s: the first certificate is not for the "
			      "signing key",
			      name);
			goto out;
		}
		if (i >= X5C_MAX || (i > 0 && reg_buf_adds(&b, ",") == -1) ||
		    reg_buf_adds(&b, "\"") == -1 ||
		    add_b64(&b, der, (size_t)dlen, false) == -1 ||
		    reg_buf_adds(&b, "\"") == -1) {
			OPENSSL_free(der);
			failf(err, REG_E_INTERNAL, "%s: too long", name);
			goto out;
		}
		OPENSSL_free(der);
	}
	if (i == 0) {
		failf(err, REG_E_INTERNAL, "%s: no certificate", name);
		goto out;
	}
	s->x5c = reg_buf_detach(&b, NULL);
	rc = 0;
out:
	reg_buf_release(&b);
	BIO_free(bio);
	return rc;
}

/*
 * The signer of reg_jwt_signer_new_pem; keyname and chainname name the
 * inputs in error details.
 */
static struct reg_jwt_signer *
new_pem_signer(enum reg_jwt_alg alg, const char *keyname, const char *key,
	       size_t keylen, const char *chainname, const char *chain,
	       size_t chainlen, struct reg_err *err)
{
	struct reg_jwt_signer *s;
	char why[WHY_MAX];
	EVP_PKEY *pk;
	BIO *bio;

	if ((unsigned)alg >= REG_JWT__COUNT)
		bug("bad algorithm");
	if (alg == REG_JWT_HS256) {
		failf(err, REG_E_INTERNAL,
		      "HS256 signs with a secret, not a private key");
		return NULL;
	}
	if (keylen > REG_JWT_FILE_MAX ||
	    (bio = BIO_new_mem_buf(key, (int)keylen)) == NULL) {
		failf(err, REG_E_INTERNAL, "%s: too large", keyname);
		return NULL;
	}
	pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (pk == NULL) {
		failf(err, REG_E_INTERNAL,
		      "%s: not an unencrypted PEM private key (%s)", keyname,
		      ssl_reason());
		return NULL;
	}
	s = reg_xcalloc(1, sizeof(*s));
	if (init_pubkey(&s->key, pk, false, why, sizeof(why)) == -1) {
		failf(err, REG_E_INTERNAL, "%s: %s", keyname, why);
		goto fail;
	}
	if (s->key.alg != alg) {
		failf(err, REG_E_INTERNAL, "%s: the key is for %s, not %s",
		      keyname, alg_names[s->key.alg], alg_names[alg]);
		goto fail;
	}
	s->key.kid = reg_xstrdup(s->key.thumbprint);
	if (chain != NULL &&
	    load_chain(s, chainname, chain, chainlen, err) == -1)
		goto fail;
	if (build_header(s, err) == -1)
		goto fail;
	return s;
fail:
	reg_jwt_signer_free(s);
	return NULL;
}

struct reg_jwt_signer *
reg_jwt_signer_new_pem(enum reg_jwt_alg alg, const char *key, size_t keylen,
		       const char *chain, size_t chainlen, struct reg_err *err)
{
	return new_pem_signer(alg, "private key", key, keylen,
			      "certificate chain", chain, chainlen, err);
}

struct reg_jwt_signer *
reg_jwt_signer_new_files(enum reg_jwt_alg alg, const char *key_path,
			 const char *cert_path, struct reg_err *err)
{
	struct reg_jwt_signer *s = NULL;
	unsigned char *key = NULL, *cert = NULL;
	size_t keylen = 0, certlen = 0;

	if (read_file(key_path, REG_JWT_FILE_MAX, true, &key, &keylen, err) ==
		    -1 ||
	    (cert_path != NULL && read_file(cert_path, REG_JWT_FILE_MAX, false,
					    &cert, &certlen, err) == -1))
		goto out;
	s = new_pem_signer(alg, key_path, (const char *)key, keylen, cert_path,
			   (const char *)cert, certlen, err);
out:
	free_secret(key, keylen + 2);
	free(cert);
	return s;
}

struct reg_jwt_signer *
reg_jwt_signer_new_hmac(const char *kid, const unsigned char *secret,
			size_t len, struct reg_err *err)
{
	struct reg_jwt_signer *s = reg_xcalloc(1, sizeof(*s));

	if (init_hmac(&s->key, kid, secret, len, err) == -1 ||
	    build_header(s, err) == -1) {
		reg_jwt_signer_free(s);
		return NULL;
	}
	return s;
}

struct reg_jwt_signer *
reg_jwt_signer_new_hmac_file(const char *kid, const char *path,
			     struct reg_err *err)
{
	struct reg_jwt_signer *s;
	unsigned char *p;
	size_t len, alloc;

	if (read_secret(path, &p, &len, &alloc, err) == -1)
		return NULL;
	s = reg_jwt_signer_new_hmac(kid, p, len, err);
	free_secret(p, alloc);
	return s;
}

int
reg_jwt_signer_set_kid(struct reg_jwt_signer *s, const char *kid,
		       struct reg_err *err)
{
	char *old = s->key.kid;

	if (kid == NULL || !kid_is_valid(kid)) {
		char q[QUOTE_MAX];

		return failf(err, REG_E_INTERNAL, "invalid key id \"%s\"",
			     kid ? quotes(q, sizeof(q), kid) : "");
	}
	s->key.kid = reg_xstrdup(kid);
	if (build_header(s, err) == -1) {
		free(s->key.kid);
		s->key.kid = old;
		return -1;
	}
	free(old);
	return 0;
}

enum reg_jwt_alg
reg_jwt_signer_alg(const struct reg_jwt_signer *s)
{
	return s->key.alg;
}

const char *
reg_jwt_signer_kid(const struct reg_jwt_signer *s)
{
	return s->key.kid;
}

const char *
reg_jwt_signer_thumbprint(const struct reg_jwt_signer *s)
{
	return s->key.thumbprint;
}

const char *
reg_jwt_signer_libtrust_id(const struct reg_jwt_signer *s)
{
	return s->key.libtrust_id;
}

int
reg_jwt_sign(const struct reg_jwt_signer *s, const char *payload, size_t len,
	     struct reg_buf *out, struct reg_err *err)
{
	struct json_object *o = NULL;
	struct reg_buf tok;
	unsigned char sig[SIG_MAX];
	size_t siglen;
	int rc = -1;

	if (parse_object(payload, len, "token claims", &o, REG_E_INTERNAL,
			 err) == -1)
		return -1;
	json_object_put(o);
	reg_buf_init(&tok, REG_JWT_FILE_MAX);
	if (reg_buf_adds(&tok, s->header) == -1 ||
	    reg_buf_adds(&tok, ".") == -1 ||
	    add_b64(&tok, (const unsigned char *)payload, len, true) == -1) {
		failf(err, REG_E_INTERNAL, "token too large");
		goto out;
	}
	if (sign_msg(&s->key, (const unsigned char *)tok.data, tok.len, sig,
		     &siglen) == -1) {
		failf(err, REG_E_INTERNAL, "signing failed");
		goto out;
	}
	if (reg_buf_adds(&tok, ".") == -1 ||
	    add_b64(&tok, sig, siglen, true) == -1 ||
	    reg_buf_add(out, tok.data, tok.len) == -1) {
		failf(err, REG_E_INTERNAL, "token too large");
		goto out;
	}
	rc = 0;
out:
	reg_buf_release(&tok);
	return rc;
}

int
reg_jwt_signer_jwks(const struct reg_jwt_signer *s, struct reg_buf *out,
		    struct reg_err *err)
{
	struct reg_buf b;
	int rc = -1;

	if (s->key.alg == REG_JWT_HS256)
		return failf(err, REG_E_INTERNAL,
			     "an HS256 secret has no public key to publish");
	reg_buf_init(&b, JWKS_MAX);
	if (reg_buf_adds(&b, "{\"keys\":[{") == -1 ||
	    add_jwk_members(&b, s->key.pkey, s->key.alg) == -1 ||
	    reg_buf_adds(&b, ",\"kid\":") == -1 ||
	    reg_buf_add_json_string(&b, s->key.kid) == -1 ||
	    reg_buf_addf(&b, ",\"alg\":\"%s\",\"use\":\"sig\"}]}\n",
			 alg_names[s->key.alg]) == -1 ||
	    reg_buf_add(out, b.data, b.len) == -1) {
		failf(err, REG_E_INTERNAL, "JWKS too large");
		goto out;
	}
	rc = 0;
out:
	reg_buf_release(&b);
	return rc;
}

/* Key generation */

static int
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;

	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/*
 * A certificate for key, named CN=cn, valid from five minutes ago for days
 * days, signed by issuer_key as issuer (NULL, NULL: self-signed).  ca
 * makes it a CA (basicConstraints, keyCertSign).  NULL on failure.
 */
static X509 *
make_cert(EVP_PKEY *key, const char *cn, bool ca, long days, X509 *issuer,
	  EVP_PKEY *issuer_key)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	BIGNUM *serial = NULL;
	unsigned char rnd[16];
	X509V3_CTX v3;
	EVP_PKEY *signer = issuer_key ? issuer_key : key;
	const EVP_MD *md =
		EVP_PKEY_is_a(signer, "ED25519") ? NULL : EVP_sha256();
	bool ok = false;

	if (x == NULL || name == NULL || RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto out;
	rnd[0] = (unsigned char)((rnd[0] & 0x7f) | 0x40);
	if ((serial = BN_bin2bn(rnd, sizeof(rnd), NULL)) == NULL ||
	    X509_set_version(x, X509_VERSION_3) != 1 ||
	    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) == NULL ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -300) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) ==
		    NULL ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
				       (const unsigned char *)cn, -1, -1,
				       0) != 1 ||
	    X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer)
					   : name) != 1 ||
	    X509_set_pubkey(x, key) != 1)
		goto out;
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	if (add_ext(x, &v3, NID_basic_constraints,
		    ca ? "critical,CA:TRUE" : "critical,CA:FALSE") == -1 ||
	    add_ext(x, &v3, NID_key_usage,
		    ca ? "critical,digitalSignature,keyCertSign,cRLSign"
		       : "critical,digitalSignature") == -1 ||
	    add_ext(x, &v3, NID_subject_key_identifier, "hash") == -1 ||
	    add_ext(x, &v3, NID_authority_key_identifier, "keyid:always") ==
		    -1 ||
	    X509_sign(x, signer, md) <= 0)
		goto out;
	ok = true;
out:
	BN_free(serial);
	X509_NAME_free(name);
	ERR_clear_error();
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* A new private key for alg (RSA: bits). */
static EVP_PKEY *
generate_key(enum reg_jwt_alg alg, size_t bits)
{
	EVP_PKEY *pk = NULL;

	switch (alg) {
	case REG_JWT_EDDSA:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case REG_JWT_ES256:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case REG_JWT_RS256:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", bits);
		break;
	case REG_JWT_HS256:
	case REG_JWT__COUNT:
		break;
	}
	ERR_clear_error();
	return pk;
}

/* Create dir/name (never overwriting) with mode, holding <p,n>. */
static int
write_new(int dfd, const char *dir, const char *name, mode_t mode,
	  const void *p, size_t n, struct reg_err *err)
{
	const char *c = p;
	int fd;

	fd = openat(dfd, name,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd == -1)
		return sysfail(err, "cannot create \"%s/%s\"", dir, name);
	if (fchmod(fd, mode) == -1)
		goto fail;
	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		c += w;
		n -= (size_t)w;
	}
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	sysfail(err, "cannot write \"%s/%s\"", dir, name);
	if (fd != -1)
		close(fd);
	unlinkat(dfd, name, 0);
	return -1;
}

int
reg_jwt_keygen(enum reg_jwt_alg alg, const char *dir, struct reg_err *err)
{
	EVP_PKEY *pk = NULL;
	X509 *cert = NULL;
	BIO *kbio = NULL, *cbio = NULL;
	char *kdata, *cdata;
	long klen, clen;
	int dfd = -1, rc = -1;

	if ((unsigned)alg >= REG_JWT__COUNT)
		bug("bad algorithm");
	if (alg == REG_JWT_HS256)
		return failf(err, REG_E_INTERNAL,
			     "HS256 uses a shared secret, not a key pair");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1)
		return sysfail(err, "cannot open directory \"%s\"", dir);
	if ((pk = generate_key(alg, 3072)) == NULL ||
	    (cert = make_cert(pk, "berth token signer", true, 3650, NULL,
			      NULL)) == NULL) {
		failf(err, REG_E_INTERNAL, "cannot generate a %s key",
		      alg_names[alg]);
		goto out;
	}
	if ((kbio = BIO_new(BIO_s_secmem())) == NULL ||
	    (cbio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PrivateKey(kbio, pk, NULL, NULL, 0, NULL, NULL) !=
		    1 ||
	    PEM_write_bio_X509(cbio, cert) != 1) {
		failf(err, REG_E_INTERNAL, "cannot encode the key: %s",
		      ssl_reason());
		goto out;
	}
	klen = BIO_get_mem_data(kbio, &kdata);
	clen = BIO_get_mem_data(cbio, &cdata);
	if (write_new(dfd, dir, "key.pem", 0600, kdata, (size_t)klen, err) ==
	    -1)
		goto out;
	if (write_new(dfd, dir, "cert.pem", 0644, cdata, (size_t)clen, err) ==
	    -1) {
		unlinkat(dfd, "key.pem", 0);
		goto out;
	}
	if (fsync(dfd) == -1) {
		sysfail(err, "cannot sync \"%s\"", dir);
		unlinkat(dfd, "key.pem", 0);
		unlinkat(dfd, "cert.pem", 0);
		goto out;
	}
	rc = 0;
out:
	BIO_free(kbio);
	BIO_free(cbio);
	X509_free(cert);
	EVP_PKEY_free(pk);
	close(dfd);
	ERR_clear_error();
	return rc;
}
